"""Credits: read from a cleaned article where its text and images came from, and pick its origin.

Known publishers live in `archiver/data/publishers.json` (canonical name, kind, aliases, domains).
Users extend it without touching the package: set ``ARCHIVE_PUBLISHERS`` to a JSON file of the same
shape (``{"publishers": [...]}`` or a bare list); its entries are merged over the built-in ones by
name (case-insensitive): ``kind`` is replaced, ``aliases`` and ``domains`` are added (or replace the
built-in ones with ``"replace": true``), new names are added, and a user alias wins over a built-in
alias spelled the same way. `load_publishers()` is cached; call `load_publishers.cache_clear()`
after changing the variable or the file.

Names are only ever read inside credit phrases ("told X", "according to X", "Copyright 2021 X",
"(X) -" datelines, "X Photo/Name", "Name / X"), case-sensitively (plus an all-caps variant), and a
name followed by a lowercase word that is not a function word ("the PA system", "an AP exam") is
not a name. So "AP" inside a word, "told the audience" or "the PA system" credit no one.

`find_credits` scans the byline, the body paragraphs, the removed chrome (captions and copyright
footers end up there) and the metadata (site name, URL domain), in that order.

`origin_publisher` rules, first that applies wins:
1. a publisher or syndication credit read from the text (copyright line, "originally appeared in",
   a byline naming an outlet, "distributed by") naming an outlet other than the page's own site;
   publisher credits before syndication credits, then order of appearance;
2. a wire dateline ("KABUL (AP) —", "LONDON (Reuters) -") names the agency;
3. a publisher credit from the text naming the page's own site (its own copyright line);
4. the page's own site: a known publisher (site name or URL domain in publishers.json), else any site
   name the page gives (og:site_name, JSON-LD publisher), else its URL's host: an npr.org page that
   quotes "told CNN" is still NPR's text (measured on the generated provenance corpus,
   benchmarks/provenance_generated.py, where rule 5 first made CNN the origin of NPR stories), and a
   nypost.com page quoting "told Agence France-Presse" is the New York Post's (issue 20); the table is
   for aliases and agencies, not a whitelist;
5. (a page with no site: a plain-text dump) reporting credits, scored per outlet: "told X" / "in an
   interview with X" (X did the interviewing,
   so X published the text) above "according to X" / "X reported" (the text cites X); a "told X"
   sentence that carries a direct quote scores a little more (outlets quote their own interviews and
   paraphrase borrowed ones); "X contributed to this report" scores nothing. Repeated credits (see
   ``find_credits(..., deduplicate=False)``) add up. Highest score wins, ties go to the first to
   appear. Photo credits never decide the origin;
6. else None (a page with a site name or URL stopped at rule 4).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archiver.errors import ArchiveError
from archiver.types import Article, Credit

ENV_PUBLISHERS = "ARCHIVE_PUBLISHERS"

EVIDENCE_MAX = 200  # characters of evidence kept around a credit (brief: "~200 chars")
SITE_EVIDENCE = "site name: "  # evidence prefix of a credit read from the site name
DOMAIN_EVIDENCE = "page domain: "  # evidence prefix of a credit read from the URL's host
BYLINE_EVIDENCE = "byline: "  # evidence prefix of a credit read from the byline (counts as text)

# Origin scores for reporting credits (rule 5); calibrated on the five seeds, see below.
WEIGHT_TOLD = 3.0  # "told NPR" / "told NBC News": seeds 000 and 004, where the interviewer is the origin
WEIGHT_TOLD_QUOTE = 1.0  # bonus for a quoted "told X": seed 000, NPR's quotes vs paraphrased AP/PA ones
WEIGHT_CITES = 1.0  # "according to Reuters", "Reuters reported": seeds 000-002 cite, never originate
WEIGHT_CONTRIBUTED = 0.0  # "AP contributed to this report": names a helper, the page published it

# Lowercase words that may follow a publisher's name in a credit phrase ("told the AP that ...").
# Any other lowercase word means the capitalised token is not a name ("the PA system").
_FOLLOWERS = (
    "that|on|in|at|by|for|from|of|to|last|this|these|earlier|late|later|during|after|before|when|"
    "while|and|or|but|about|via|with|as|over|under|the|a|an|until|since|its|his|her|their|it|he|"
    "she|they|we|i|is|was|were|has|had|who|which|if|news|agency|wire|newspaper|reporter|reporters|"
    "correspondent|radio|television|tv|program|programme|interview|today|yesterday|tonight|all|"
    "license|licence|one|two|three|some|several|recently|exclusively|separately|privately|again|"
    "then|also|not|there|now|because|so|what|how|why|where|whether|my|our|your|them|him|us|me|you|"
    "early|shortly|just|next|another|any|each|more|much|only|both|either|nothing|something|no"
)
_NAME_FOLLOW = r"(?=\s*(?:$|[^\w\s]|[A-Z0-9]|(?:" + _FOLLOWERS + r")\b))"
_PHOTO_FOLLOW = r"(?=\s*(?:$|[^\w\s]|[A-Z0-9]))"
_ARTICLE = r"(?:(?:[Tt]he|THE)\s+)"
_QUOTES = '"“”«»„'
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "gen", "sen", "rep", "gov", "st", "sept", "aug", "jan", "feb", "mar", "apr",
    "jun", "jul", "oct", "nov", "dec", "no", "lt", "col", "sgt", "capt", "jr", "sr", "inc", "co", "corp",
    "ltd", "vs", "mt", "ft", "va", "calif", "fla", "mass", "wash", "adm", "maj", "pres", "prof", "rev",
})  # fmt: skip
_PHOTO_WORDS = re.compile(r"(?i)\b(?:photo|photograph|image|picture|illustration)s?\b")
_BOUNDARY = re.compile(r"[.!?…]+[\"”’')\]]*\s+|\n+")


@dataclass(frozen=True)
class Publisher:
    """One known publisher: canonical name, kind, spellings and web domains."""

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


def _fold(text: str) -> str:
    return " ".join(text.split())


def _core(alias: str) -> str:
    """An alias without its leading article: "The Associated Press" -> "Associated Press"."""
    alias = _fold(alias)
    return re.sub(r"^(?:the|The|THE)\s+", "", alias)


def _is_short(core: str) -> bool:
    """Short one-word aliases ("AP", "PA", "dpa") are ambiguous: never case-folded, and in text
    only taken as a name when what follows could follow a name ("told the AP that", not "PA system")."""
    return " " not in core and len(core) <= 4


def _form_regex(form: str) -> str:
    return re.escape(form).replace(r"\ ", r"\s+")


class Publishers:
    """The publisher table: alias and domain lookups plus the compiled credit patterns."""

    def __init__(self, entries: Iterable[Publisher], overrides: Iterable[tuple[str, str]] = ()):
        self.entries: tuple[Publisher, ...] = tuple(entries)
        self._by_name = {p.name: p for p in self.entries}
        self._surface: dict[str, str] = {}  # exact spelling in text (core or ALL CAPS) -> name
        self._folded: dict[str, str] = {}  # casefolded long alias -> name, for canonical()
        self._domains: dict[str, str] = {}
        for p in self.entries:
            for alias in (p.name, *p.aliases):
                self._register(alias, p.name)
            for domain in p.domains:
                self._domains.setdefault(domain.lower().strip(".").removeprefix("www."), p.name)
        for alias, name in overrides:  # user aliases win over built-in spellings
            self._register(alias, name, force=True)
        forms = sorted(self._surface, key=lambda s: (-len(s), s))
        long_forms = [f for f in forms if not _is_short(f)]
        short_forms = [f for f in forms if _is_short(f)]
        alternation = "|".join(_form_regex(f) for f in forms)
        self._bare = re.compile(rf"(?<![\w&]){_ARTICLE}?(?:{alternation})(?![\w&])")
        # every credit phrase holds a known spelling: a text without one needs no phrase search (most
        # paragraphs name no publisher; one search instead of one per phrase pattern)
        self._any_name = re.compile(alternation)
        self.patterns = _compile_patterns(
            alternation,
            "|".join(_form_regex(f) for f in long_forms),
            "|".join(_form_regex(f) for f in short_forms),
        )

    def _register(self, alias: str, name: str, force: bool = False) -> None:
        core = _core(alias)
        if not core:
            return
        for form in (core, core.upper()):
            if force:
                self._surface[form] = name
            else:
                self._surface.setdefault(form, name)
        if not _is_short(core):
            if force:
                self._folded[core.casefold()] = name
            else:
                self._folded.setdefault(core.casefold(), name)

    def canonical(self, name: str | None) -> str | None:
        """The canonical name for a spelling ("AP", "the Associated Press", "npr.org"), or None."""
        if not name or not name.strip():
            return None
        core = _core(name)
        if core in self._surface:
            return self._surface[core]
        if core.casefold() in self._folded:
            return self._folded[core.casefold()]
        if re.fullmatch(r"(?:https?://)?[\w-]+(?:\.[\w-]+)+(?:[/:?#]\S*)?", core):
            return self.by_domain(core)
        return None

    def by_domain(self, host: str | None) -> str | None:
        """The publisher a host or URL belongs to ("edition.cnn.com" -> "CNN"), or None."""
        if not host:
            return None
        host = host.strip()
        if "/" in host or ":" in host:
            host = urlsplit(host if "//" in host else "//" + host).hostname or ""
        labels = host.lower().strip(".").split(".")
        for i in range(len(labels) - 1):
            found = self._domains.get(".".join(labels[i:]))
            if found:
                return found
        return None

    def kind_of(self, name: str) -> str | None:
        """The kind of a canonical publisher ("agency", "broadcaster", ...), or None."""
        p = self._by_name.get(name)
        return p.kind if p else None

    def resolve(self, surface: str) -> str | None:
        """The canonical name of a spelling matched inside a credit phrase."""
        return self._surface.get(_core(surface))

    def may_credit(self, text: str) -> bool:
        """False when `text` holds no known spelling, so no credit phrase can match in it."""
        return self._any_name.search(text) is not None

    def names_in(self, text: str) -> Iterator[re.Match[str]]:
        """Every known spelling in `text` (used only on fragments already known to be credits)."""
        return self._bare.finditer(text)


# --- loading ---------------------------------------------------------------------------------


def _parse_entries(data: Any, source: str) -> list[dict[str, Any]]:
    items = data.get("publishers") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise TypeError(f"{source}: expected a list of publishers or {{'publishers': [...]}}")
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise TypeError(f"{source}: every publisher needs a string 'name', got {item!r}")
        for key in ("aliases", "domains"):
            if not isinstance(item.get(key, []), list):
                raise TypeError(f"{source}: '{key}' of {item['name']!r} must be a list")
    return items


def _merge(
    builtin: list[dict[str, Any]], user: list[dict[str, Any]]
) -> tuple[list[Publisher], list[tuple[str, str]]]:
    """Merge user entries over built-in ones by name; return entries and the user's aliases."""
    merged: dict[str, dict[str, Any]] = {}
    for item in builtin:
        merged[item["name"].casefold()] = {
            "name": item["name"],
            "kind": item.get("kind", "publisher"),
            "aliases": list(item.get("aliases", [])),
            "domains": list(item.get("domains", [])),
        }
    overrides: list[tuple[str, str]] = []
    for item in user:
        key = item["name"].casefold()
        base = merged.get(key)
        if base is None or item.get("replace"):
            base = {"name": item["name"], "kind": "publisher", "aliases": [], "domains": []}
            if key in merged:
                base["kind"] = merged[key]["kind"]
                base["name"] = merged[key]["name"]
            merged[key] = base
        if "kind" in item:
            base["kind"] = item["kind"]
        for field_name in ("aliases", "domains"):
            for value in item.get(field_name, []):
                if value not in base[field_name]:
                    base[field_name].append(value)
        overrides.extend((alias, base["name"]) for alias in (item["name"], *item.get("aliases", [])))
    entries = [
        Publisher(m["name"], m["kind"], tuple(m["aliases"]), tuple(m["domains"])) for m in merged.values()
    ]
    return entries, overrides


@lru_cache(maxsize=1)
def load_publishers() -> Publishers:
    """The built-in publisher table merged with the file named by ARCHIVE_PUBLISHERS (cached)."""
    user_path = os.environ.get(ENV_PUBLISHERS) or None
    text = resources.files("archiver").joinpath("data/publishers.json").read_text(encoding="utf-8")
    builtin = _parse_entries(json.loads(text), "publishers.json")
    user: list[dict[str, Any]] = []
    if user_path:
        try:
            raw = Path(user_path).expanduser().read_text(encoding="utf-8")
            user = _parse_entries(json.loads(raw), user_path)
        except (OSError, ValueError, TypeError) as exc:
            raise ArchiveError(
                f"cannot read the publishers file {user_path}: {exc}",
                hint=f"{ENV_PUBLISHERS} must name a JSON file shaped like archiver/data/publishers.json.",
            ) from exc
    entries, overrides = _merge(builtin, user)
    return Publishers(entries, overrides)


# --- credit patterns -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pattern:
    kind: str  # Credit.kind
    form: str  # which phrase: copyright, original, syndicated, dateline, told, cites, ...
    regex: re.Pattern[str]


def _compile_patterns(alt: str, alt_long: str, alt_short: str) -> tuple[_Pattern, ...]:
    """The credit phrases, with trigger words case-insensitive and names as spelled."""
    # a name that ends the phrase: long names as they are, short ones only before a plausible follower
    n = (
        rf"(?<![\w&]){_ARTICLE}?(?P<n>(?:{alt_long})(?![\w&-])"
        rf"|(?:{alt_short})(?![\w&-]){_NAME_FOLLOW})"
    )
    lead = rf"(?<![\w&]){_ARTICLE}?(?P<n>{alt})(?![\w&-])"  # a name that starts the phrase
    chain = rf"(?P<rest>(?:\s*(?:[-–—/]|\bvia\b|\bfor\b)\s*{_ARTICLE}?(?:{alt})(?![\w&-]))*)"
    year = r"(?:\d{4}(?:\s*[-–—]\s*\d{2,4})?\s*,?\s*)"
    piece = r"(?:story|article|report|piece|version|content)"
    specs: list[tuple[str, str, str]] = [
        # "Copyright 2021 NPR", "© 2021 The Associated Press", "(c) Reuters 2020"
        (
            "publisher",
            "copyright",
            rf"(?:(?i:\bcopyright\b)|©|\([cC]\))(?:\s*(?:©|\([cC]\)))?\s*{year}?(?:by\s+)?{n}",
        ),
        (
            "publisher",
            "original",
            (
                r"\b(?i:(?:originally|first)\s+(?:appeared|published|ran|aired|posted)\s+(?:in|on|at|by|with))"
                rf"\s+{n}"
            ),
        ),
        (
            "publisher",
            "original",
            (
                r"\b(?i:(?:republished|reprinted|reproduced|adapted|excerpted)\s+(?:here\s+)?"
                rf"(?:with\s+(?:the\s+)?permission\s+)?(?:from|of))\s+{n}"
            ),
        ),
        ("publisher", "original", rf"{lead}(?:'s|’s)\s+original\s+{piece}"),
        ("publisher", "original", rf"\b(?i:original\s+{piece}\s+(?:at|on|in|from|by))\s+{n}"),
        (
            "publisher",
            "original",
            (
                rf"\b(?i:this\s+{piece}\s+(?:is|was)\s+(?:originally\s+)?"
                rf"(?:from|by|produced\s+by|published\s+by|written\s+by))\s+{n}"
            ),
        ),
        (
            "syndication",
            "syndicated",
            rf"\b(?i:(?:distributed|syndicated|supplied|provided|licensed)\s+(?:by|through|from|via))\s+{n}",
        ),
        # "KABUL, Afghanistan (AP) —", "LONDON (Reuters) -", "BEIJING, Aug 8 (Reuters) -"
        ("reporting", "dateline", rf"^[^\S\n]*(?:[^()\n]{{0,60}}?)\(\s*{n}\s*\)\s*[-–—]"),
        (
            "reporting",
            "told",
            (
                r"\b(?i:told|tells|telling|confirmed\s+to|speaking\s+(?:to|with)|spoke\s+(?:to|with)"
                rf"|(?:an?\s+)?interview\s+with)\s+{n}"
            ),
        ),
        (
            "reporting",
            "cites",
            (
                r"\b(?i:according\s+to|citing|cited\s+by|(?:as\s+)?(?:first\s+)?reported\s+(?:by|in)"
                rf"|a\s+report\s+(?:by|in|from))\s+(?:an?\s+)?{n}"
            ),
        ),
        ("reporting", "cites", rf"{lead}\s+(?:has\s+|had\s+|first\s+)?(?:reported|reports)\b"),
        ("reporting", "contributed", rf"{lead}\s+(?:also\s+)?contributed\s+(?:to\s+)?(?:this|the)\s+{piece}"),
        # "AP Photo/Evan Vucci", "(AP Photo / Abdullah Sahil)", "Getty Images"
        ("photo", "photo", rf"{lead}\s*(?:Photos?|PHOTOS?|Photograph|Images|IMAGES|Pictures|Photographer)\b"),
        # "REUTERS/Stringer", "AFP/Name": an all-caps agency before a slash and a name
        ("photo", "photo", rf"(?<![\w&/])(?P<n>{alt})\s*/\s*(?=[A-Z][a-z])"),
        # "Abdullah Sahil / AP", "/ AFP – Getty Images", "Name/AFP via Getty Images"
        ("photo", "photo", rf"/\s*{lead}{chain}{_PHOTO_FOLLOW}"),
        # "Photograph: Getty Images", "Photo by Name/AFP", "Credit: Name for The New York Times"
        (
            "photo",
            "photo",
            (
                r"\b(?:Photo(?:graph)?s?|PHOTO|Image|Picture|Credit|Courtesy)\s*(?::|by|courtesy\s+of)\s*"
                r"(?:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s*(?:/|\bfor\b|\bvia\b|,)\s*)?"
                rf"{lead}{_PHOTO_FOLLOW}"
            ),
        ),
    ]
    return tuple(_Pattern(kind, form, re.compile(rx, re.MULTILINE)) for kind, form, rx in specs)


# --- reading credits -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mention:
    name: str
    kind: str
    form: str
    start: int  # the credit phrase, for its evidence
    end: int
    at: int  # the name itself, for order of appearance


def _is_boundary(text: str, m: re.Match[str]) -> bool:
    if "\n" in m.group():
        return True
    rest = text[m.end() : m.end() + 1]
    if rest and rest.islower():
        return False
    word = re.search(r"([\w]+)\W*$", text[: m.start() + 1])
    token = word.group(1) if word else ""
    return not (m.group().startswith(".") and (len(token) == 1 or token.lower() in _ABBREVIATIONS))


def _evidence(text: str, start: int, end: int, line: bool = False) -> str:
    """The sentence (or line) holding text[start:end], folded and trimmed to ~EVIDENCE_MAX chars."""
    s_start, s_end = 0, len(text)
    for b in _BOUNDARY.finditer(text):
        if not (_is_boundary(text, b) and (not line or "\n" in b.group())):
            continue
        if b.end() <= start:
            s_start = b.end()
        elif b.start() >= end:
            s_end = b.start() + len(b.group().rstrip())
            break
    sentence = _fold(text[s_start:s_end])
    if len(sentence) <= EVIDENCE_MAX:
        return sentence
    at = len(re.sub(r"\s+", " ", text[s_start:start]).lstrip())  # where the phrase starts
    mid = _fold(text[start:end])
    lo = max(0, min(at + len(mid) // 2 - EVIDENCE_MAX // 2, len(sentence) - EVIDENCE_MAX))
    hi = min(len(sentence), lo + EVIDENCE_MAX)
    if lo > 0 and (space := sentence.find(" ", lo, at)) != -1:
        lo = space + 1
    if hi < len(sentence) and (space := sentence.rfind(" ", at + len(mid), hi)) != -1:
        hi = space
    return ("…" if lo > 0 else "") + sentence[lo:hi].strip() + ("…" if hi < len(sentence) else "")


def _line_at(text: str, pos: int) -> str:
    return text[text.rfind("\n", 0, pos) + 1 : (text.find("\n", pos) + 1 or len(text) + 1) - 1]


def _scan(text: str, pubs: Publishers) -> list[_Mention]:
    """Every credit phrase in `text` naming a known publisher, in order of appearance."""
    found: dict[tuple[str, str, int], _Mention] = {}
    if not pubs.may_credit(text):
        return []
    for pat in pubs.patterns:
        for m in pat.regex.finditer(text):
            spans = [(m.group("n"), m.start("n"), m.end("n"))]
            if "rest" in pat.regex.groupindex and m.group("rest"):
                offset = m.start("rest")
                spans += [
                    (x.group(), offset + x.start(), offset + x.end()) for x in pubs.names_in(m.group("rest"))
                ]
            for surface, s, e in spans:
                name = pubs.resolve(surface)
                if name is None:
                    continue
                if pat.form == "photo" and text[e : e + 1] == "/" and surface != surface.upper():
                    continue  # "Reuters/Ipsos poll"-like pairs: only ALL-CAPS agencies lead a slash
                kind = pat.kind
                if pat.form == "copyright" and (
                    pubs.kind_of(name) == "photo-agency" or _PHOTO_WORDS.search(_line_at(text, m.start()))
                ):
                    kind = "photo"  # "Photo: © 2021 Getty Images" credits the image, not the text
                key = (name, kind, s)
                if key not in found:
                    found[key] = _Mention(name, kind, pat.form, m.start(), m.end(), s)
    return sorted(found.values(), key=lambda x: x.at)


def _byline_credits(byline: str, pubs: Publishers) -> list[str]:
    names: list[str] = []
    text = re.sub(r"^\s*(?i:by)\s+", "", byline)
    for part in re.split(r",|\||\band\b|\s+(?:of|for|from)\s+|\s+[-–—]\s+", text):
        name = pubs.canonical(part)
        if name and name not in names:
            names.append(name)
    return names


def find_credits(article: Article, url: str | None = None, *, deduplicate: bool = True) -> list[Credit]:
    """Credits read from the byline, body, removed chrome and metadata, in order of appearance.

    With `deduplicate` (the default) one credit per (name, kind), keeping the first evidence;
    without it every mention, which lets `origin_publisher` count repeated credits.
    """
    pubs = load_publishers()
    credits: list[Credit] = []
    if article.byline:
        for name in _byline_credits(article.byline, pubs):
            credits.append(Credit(name, "publisher", BYLINE_EVIDENCE + _fold(article.byline)[:EVIDENCE_MAX]))
    for text in [*article.paragraphs, *(c.text for c in article.chrome)]:
        for m in _scan(text, pubs):
            credits.append(Credit(m.name, m.kind, _evidence(text, m.start, m.end, m.kind == "photo")))
    site = pubs.canonical(article.site_name)
    if site:
        credits.append(Credit(site, "publisher", SITE_EVIDENCE + _fold(article.site_name or "")))
    for page_url in (url, article.canonical_url):
        owner = pubs.by_domain(page_url)
        if owner and page_url:
            host = urlsplit(page_url if "//" in page_url else "//" + page_url).hostname or page_url
            credits.append(Credit(owner, "publisher", DOMAIN_EVIDENCE + host))
    return unique_credits(credits) if deduplicate else credits


def unique_credits(credits: list[Credit]) -> list[Credit]:
    """One credit per (name, kind), keeping the first mention's evidence and position."""
    seen: set[tuple[str, str]] = set()
    unique: list[Credit] = []
    for c in credits:
        if (c.name, c.kind) not in seen:
            seen.add((c.name, c.kind))
            unique.append(c)
    return unique


# --- choosing the origin ---------------------------------------------------------------------


def _is_metadata(credit: Credit) -> bool:
    return credit.evidence.startswith((SITE_EVIDENCE, DOMAIN_EVIDENCE))


def credit_form(credit: Credit) -> str:
    """Which phrase a credit was read from: copyright, original, dateline, told, cites, photo, ..."""
    if credit.evidence.startswith(BYLINE_EVIDENCE):
        return "byline"
    if _is_metadata(credit):
        return "site"
    pubs = load_publishers()
    forms = [m.form for m in _scan(credit.evidence, pubs) if m.name == credit.name and m.kind == credit.kind]
    return forms[0] if forms else credit.kind


def _reporting_score(credit: Credit) -> float:
    form = credit_form(credit)
    if form == "told":
        quoted = any(q in credit.evidence for q in _QUOTES)
        return WEIGHT_TOLD + (WEIGHT_TOLD_QUOTE if quoted else 0.0)
    if form == "cites":
        return WEIGHT_CITES
    if form == "contributed":
        return WEIGHT_CONTRIBUTED
    return 0.0


def origin_publisher(credits: list[Credit], site_name: str | None, url: str | None = None) -> str | None:
    """The publisher of the original text by the rules in this module's docstring, or None."""
    pubs = load_publishers()
    site = pubs.canonical(site_name) or (_fold(site_name) if site_name and site_name.strip() else None)
    own = {site} | {c.name for c in credits if _is_metadata(c)}
    text_credits = [c for c in credits if not _is_metadata(c)]
    for kind in ("publisher", "syndication"):  # rule 1
        for c in text_credits:
            if c.kind == kind and c.name not in own:
                return c.name
    for c in text_credits:  # rule 2
        if c.kind == "reporting" and credit_form(c) == "dateline":
            return c.name
    for c in text_credits:  # rule 3
        if c.kind in ("publisher", "syndication"):
            return c.name
    own_site = _own_site(pubs, credits, site, site_name, url)
    if own_site:  # rule 4
        return own_site
    return _best_reporting(text_credits)  # rule 5, else None (rule 6: a page with a site stopped at rule 4)


def _best_reporting(text_credits: list[Credit]) -> str | None:
    """Rule 5: the outlet with the highest reporting score (ties: the first to appear), if any scores."""
    scores: dict[str, float] = {}  # dict order = first appearance
    for c in text_credits:
        if c.kind == "reporting":
            scores[c.name] = scores.get(c.name, 0.0) + _reporting_score(c)
    best = max(scores.values(), default=0.0)
    return next((name for name, score in scores.items() if score == best), None) if best > 0 else None


def _own_site(
    pubs: Publishers, credits: list[Credit], site: str | None, site_name: str | None, url: str | None
) -> str | None:
    """Rule 4: a known publisher's own page is its own text, whoever it quotes ("told CNN"); so is any
    site's own page ("told AFP" on nypost.com): its site name as written, else its URL's host."""
    known = pubs.canonical(site_name) or next((c.name for c in credits if _is_metadata(c)), None)
    return known or site or page_host(url)


def site_publisher(site_name: str | None, url: str | None) -> str | None:
    """The canonical publisher of the site a capture appeared on, when it is a known one."""
    return _site_publisher(load_publishers(), site_name, url)


# asked for every member of a family at every add to it: each capture's is looked up once. 4,096
# (name, URL) pairs are a few hundred KB; sized, not tuned. Keyed by the publisher table, so a reloaded
# table (ARCHIVE_PUBLISHERS) is not answered from the old one.
@lru_cache(maxsize=4096)
def _site_publisher(publishers: Publishers, site_name: str | None, url: str | None) -> str | None:
    if site_name:
        name = publishers.canonical(site_name)
        if name:
            return name
    if url:
        host = urlsplit(url).hostname
        if host:
            return publishers.by_domain(host)
    return None


def page_host(url: str | None) -> str | None:
    """A page URL's host without "www.", as a last-resort name of its site."""
    if not url:
        return None
    host = urlsplit(url if "//" in url else "//" + url).hostname
    if not host or "." not in host:
        return None
    return host.removeprefix("www.")


# --- credit lines and bylines naming any outlet (issue 20) --------------------------------------------

# A paragraph that is only a credit line naming where the text first ran, for any outlet, known or not:
# "This story originally appeared in the New York Post.", "This article was first published by X.",
# "Republished with permission of X.", "(c) 2024 X". The name runs to the end of the sentence (or to a
# link label: "... on Space.com. Read the original here."). Such a line is a credit, not story text.
_ANY_NAME = r"(?P<n>(?:[Tt]he\s+)?[A-Z0-9][\w.&'’-]*(?:\s+(?:of|for|and|&|de|la|[A-Z0-9][\w.&'’-]*)){0,6})"
_CREDIT_LINE = re.compile(
    r"^\s*(?:"
    r"(?i:(?:this|the)\s+(?:story|article|report|piece|post|column|essay|interview|review)\s+"
    r"(?:was\s+|is\s+|has\s+been\s+)?(?:originally|first)\s+(?:appeared|published|ran|posted|aired)"
    r"(?:\s+(?:in|on|at|by|with))?)"
    r"|(?i:(?:originally|first)\s+(?:appeared|published|posted)\s+(?:in|on|at|by))"
    r"|(?i:(?:republished|reprinted|reproduced|shared)\s+(?:here\s+)?with\s+(?:the\s+)?permission\s+(?:of|from))"
    r"|(?i:copyright|©|\(c\))\s*(?:\d{4}(?:\s*[-–]\s*\d{2,4})?\s*,?\s*)?(?i:by\s+)?"
    r")\s+" + _ANY_NAME + r"\s*(?:[.,;:!]\s*(?:[A-Z][^\n]{0,80})?)?$"
)
# what follows "originally published in" can be a date rather than an outlet (wcxb-dev 0127: "Originally
# published in March 2022. Last updated on ...")
_DATE_WORD = re.compile(
    r"(?i)(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?:\s|$)|\d|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|(?:last|this|next)\s"
)
# A credit line is short: the longest in the generated corpus and the aeb-dev pages is 17 words ("Copyright
# 2021 NPR. To see more, visit https://www.npr.org."); 30 leaves room for a link label after it.
CREDIT_LINE_MAX_WORDS = 30
# Role words that make a byline part a credit of the outlet it names ("Tom Krisher, AP Auto Writer",
# "Reuters staff", "Associated Press Writer"): the person keeps the byline, the outlet becomes a credit.
_ROLE = re.compile(
    r"(?i)\b(?:writer|reporter|correspondent|staff|editor|journalist|contributor|bureau|"
    r"photographer|columnist|wire)s?\b"
)


def credit_lines(article: Article) -> tuple[list[str], list[str], list[Credit]]:
    """Credit-line paragraphs at the start or end of the body, for any outlet (`_CREDIT_LINE`).

    Returns the body without them, the lines (for the caller to move to the chrome) and a publisher
    credit per line, named as written (canonical when the table knows it). Lines in mid-body are story.
    """
    pubs = load_publishers()
    paras = list(article.paragraphs)
    found: list[Credit] = []
    lines: list[str] = []
    for from_end in (True, False):
        while len(paras) > 1:
            line = paras[-1] if from_end else paras[0]
            m = _CREDIT_LINE.match(line)
            if m is None or len(line.split()) > CREDIT_LINE_MAX_WORDS:
                break
            raw = re.sub(r"^(?:[Tt]he\s+)", "", m.group("n")).rstrip(".,;: ")
            if _DATE_WORD.match(raw):
                break  # "Originally published in March 2022": a date, not an outlet
            name = pubs.canonical(raw) or pubs.canonical(m.group("n")) or raw
            found.append(Credit(name, "publisher", _fold(line)[:EVIDENCE_MAX]))
            lines.append(line)
            paras = paras[:-1] if from_end else paras[1:]
    return paras, lines, found


def byline_outlets(byline: str | None) -> tuple[str | None, list[Credit]]:
    """The byline without the parts that name an outlet in a role ("AP Auto Writer", "Reuters staff"),
    and a publisher credit for each outlet named so (aliases matched in any case: "Ap Auto Writer")."""
    if not byline:
        return byline, []
    pubs = load_publishers()
    parts = [p.strip() for p in re.split(r"\s*[,;|]\s*|\s+[-–—]\s+", byline) if p.strip()]
    kept: list[str] = []
    found: list[Credit] = []
    for part in parts:
        name = None
        if _ROLE.search(part):
            words = _ROLE.sub(" ", part).split()
            for n in range(len(words), 0, -1):  # the longest run of leading words naming an outlet
                cand = " ".join(words[:n])
                name = pubs.canonical(cand) or pubs.canonical(cand.upper()) or pubs.canonical(cand.title())
                if name:
                    break
        if name:
            found.append(Credit(name, "publisher", BYLINE_EVIDENCE + _fold(byline)[:EVIDENCE_MAX]))
        else:
            kept.append(part)
    if not found:
        return byline, []
    return ", ".join(kept) or None, found


_JSONLD = re.compile(rb"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", re.S | re.I)


def jsonld_agencies(raw: bytes) -> list[Credit]:
    """News agencies named as the publisher (or source organization) in a page's JSON-LD: a wire story on
    a local site ("publisher": "Associated Press") credits the agency."""
    pubs = load_publishers()
    found: list[Credit] = []
    for block in _JSONLD.findall(raw[:2_000_000]):
        try:
            data = json.loads(block.decode("utf-8", "replace"))
        except ValueError:
            continue
        for name in _jsonld_names(data):
            canon = pubs.canonical(name)
            if canon and pubs.kind_of(canon) == "agency" and all(c.name != canon for c in found):
                found.append(Credit(canon, "syndication", f"json-ld publisher: {_fold(name)}"))
    return found


def _jsonld_names(data: Any, depth: int = 0) -> Iterator[str]:
    """Names under "publisher" / "sourceOrganization" keys anywhere in a JSON-LD document."""
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _jsonld_names(item, depth + 1)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key in ("publisher", "sourceOrganization"):
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, str):
                        yield v
                    elif isinstance(v, dict) and isinstance(v.get("name"), str):
                        yield v["name"]
            elif isinstance(value, (dict, list)):
                yield from _jsonld_names(value, depth + 1)
