"""The page's headline and byline, reconciled from the sources a page offers.

trafilatura's metadata (`html.html_metadata`) reads the head first: og:title, JSON-LD, <title>. Readers see
the headline in the page's <h1> and the byline under it. Here the visible <h1> is the headline when it
agrees with what the head calls the page (the head's titles are often SEO variants or carry the site name),
and a "By ..." line of the page gives the byline when the head names no author. Bylines are cut to person
names: dates, "Updated", job titles and the site's own name are not part of them.

Thresholds were calibrated on wcxb-dev (711 article pages, 700+ sites) and checked on aeb-dev; the
benchmark is `benchmarks/clean_broad.py`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

_WORD = re.compile(r"\w+")
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|/)\s+")
# an <h1> of more than this many words is a paragraph styled as a heading, not a headline (wcxb-dev: true
# headlines are <= 25 words)
H1_MAX_WORDS = 30
# an <h1> is the headline when at least this share of its words are in one of the head's titles (wcxb-dev:
# SEO variants of the headline share 0.4-1.0 of its words; site banners, "Menu", "Our Blog" share 0-0.25)
H1_MIN_AGREEMENT = 0.4


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def _fold(text: str) -> str:
    return " ".join(text.split())


def _agreement(h1: str, titles: list[str]) -> float:
    """Share of the h1's words found in the best-matching head title."""
    words = _words(h1)
    if not words:
        return 0.0
    best = 0.0
    for t in titles:
        tw = set(_words(t))
        best = max(best, sum(w in tw for w in words) / len(words))
    return best


def meta_h1s(tree: Any) -> list[str]:
    """The texts of the page's <h1> elements (children's texts joined by spaces), in page order."""
    out = []
    for h1 in tree.iter("h1"):
        text = _fold(html.unescape(" ".join(t for t in h1.itertext())))  # some pages escape twice
        if text and _WORD.search(text) and len(text.split()) <= H1_MAX_WORDS:
            out.append(text)
    return out


def meta_title(
    tree: Any, found: str | None, head_titles: list[str], site: str | None, host: str | None
) -> str | None:
    """The headline: the <h1> that agrees best with the head's titles, else trafilatura's title (`found`)
    less its site affixes. `head_titles`: og:title, JSON-LD headline, <title> (trafilatura's title is often
    the <h1> itself, so it is no second witness)."""
    head_titles = [_fold(t) for t in head_titles if t and t.strip()]
    best, best_score = None, 0.0
    for h1 in meta_h1s(tree):
        if _is_site(h1, site, host):
            continue  # the site's banner set as <h1>
        if head_titles and len(_words(h1)) < 2 and not any(
            re.match(re.escape(h1) + r"\s*(?:\||-|–|—|:|·)", t) for t in head_titles
        ):
            continue  # a one-word section label ("Webcams", "Blog") under a longer head title
        score = _agreement(h1, head_titles) if head_titles else 1.0
        if score > best_score:
            best, best_score = h1, score
    if best is not None and best_score >= H1_MIN_AGREEMENT:
        return meta_strip_site(best, site, host)
    fallback = found or (head_titles[0] if head_titles else best)
    return meta_strip_site(_fold(fallback), site, host) if fallback else None


def meta_strip_site(title: str, site: str | None, host: str | None) -> str:
    """The title without leading or trailing parts that name the site ("Headline | Site", "Site - Headline")."""
    def is_site(part: str) -> bool:
        return _is_site(part, site, host)

    while True:
        cuts = list(_TITLE_SEPARATORS.finditer(title))
        if not cuts:
            return title
        last, first = title[cuts[-1].end():], title[: cuts[0].start()]
        if is_site(last) and len(_words(title[: cuts[-1].start()])) >= 2:
            title = title[: cuts[-1].start()].strip()
        elif is_site(first) and len(_words(title[cuts[0].end():])) >= 2:
            title = title[cuts[0].end():].strip()
        else:
            return title


def _is_site(part: str, site: str | None, host: str | None) -> bool:
    """Whether a title part names the site: its name, or only words of its host name ("Rust Blog" on
    blog.rust-lang.org, "davidbau.com")."""
    key = "".join(_words(part))
    if not key:
        return True
    site_key = "".join(_words(site or ""))
    # the site's name, or the name with a word or two more ("Site News") - not a headline naming the site
    if site_key and (key in site_key or (site_key in key and len(key) <= len(site_key) + 8)):
        return True
    labels = (host or "").lower().removeprefix("www.").split(".")
    host_words = set(_words(" ".join(labels[:-1]).replace("-", " "))) if len(labels) > 1 else set()
    host_key = "".join(labels[:-1]).replace("-", "")
    words = _words(part)
    return bool(host_words) and (
        all(w in host_words or w in ("com", "org", "net", "blog") for w in words) or (len(key) > 3 and key == host_key)
    )


# --- byline ---------------------------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# where a byline stops being a name: a date, "Updated ...", "Published ...", a job title or "|"
# months that are not also first or last names ("Tom May", "April Smith"), for a month ending a byline
_MONTH_NOT_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr|aug|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?"
_BYLINE_END = re.compile(
    r"\s*(?:\b(?:last\s+)?(?:updated|published|posted|modified|reviewed)\b|\b(?:on|at)\s+(?:" + _MONTH + "|"
    + _WEEKDAY + r"|\d)\b|\b(?-i:on|at)$|(?<=\w)[\s,]+" + _MONTH_NOT_NAME + r"\b\.?(?:\s+\d.*)?$|\b" + _MONTH
    + r"\.?\s+\d|\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\b\d+\s+(?:min|minutes?|hours?|days?)\b|\|| · | — | – ).*$",
    re.I,
)
# job titles and roles that follow a name in a byline ("Liz Kenny Former McKinsey Consultant"); on wcxb-dev
# the byline text under the headline carries them on 1 page in 20
_ROLE = re.compile(
    r"\b(?:former|senior|sr|junior|chief|staff|ceo|cto|cfo|coo|founder|co-?founder|director|manager|editor"
    r"|writer|reporter|correspondent|contributor|columnist|journalist|analyst|consultant|attorney|lawyer"
    r"|expert|specialist|strategist|marketer|producer|president|head|lead|officer|associate|partner"
    r"|researcher|professor|intern|fellow|team lead)\b.*$",
    re.I,
)
_ONLY_DATE = re.compile(r"^(?:on\s+)?(?:" + _MONTH + r"\.?(?:\s+\d{1,2})?(?:,?\s+\d{4})?|\d[\d\s,./-]*)$", re.I)
_NOT_A_NAME = re.compile(r"^(?:the\s+)?(?:author|admin|administrator|editor|staff|guest|anonymous|unknown)s?$", re.I)
_NAME_TOKEN = r"(?-i:[A-ZÀ-ÞĀ-Ž][\w.'’-]*|(?:de|da|del|der|den|van|von|la|le|di|du|bin|al|dos|das|y)\b)"
_NAME = _NAME_TOKEN + r"(?:\s+" + _NAME_TOKEN + r"){0,4}"
# a visible byline line: "By Jane Roe", "Written by: Jane Roe and John Doe", "Article by Jane Roe"
_BYLINE_LINE = re.compile(
    r"^\s*(?:(?:written|posted|article|story|words|text|reported)\s+)?by(?:\s*:\s*|\s+)(" + _NAME
    + r"(?:\s*(?:,|&|\band\b)\s*" + _NAME + r")*)",
    re.I,
)
# a byline line is short: on wcxb-dev they are <= 12 words with the date and reading time
BYLINE_LINE_MAX_WORDS = 16


def meta_byline(tree: Any, found: str | None, site: str | None, host: str | None) -> str | None:
    """The byline as person names joined by "; ": trafilatura's author less dates, roles and the site's name,
    else the page's first "By ..." line."""
    names = meta_byline_names(found, site, host) if found else []
    if not names or all(_is_site(n, site, host) for n in names):
        # no author in the head, or only the site itself: the byline the page shows names the person
        line = meta_byline_line(tree)
        names = (meta_byline_names(line, site, host) if line else []) or names
    return "; ".join(names) or None


def meta_byline_names(byline: str, site: str | None, host: str | None) -> list[str]:
    """The person names of a byline string ("A; B", "A and B", "A, Staff Writer")."""
    out: list[str] = []
    for part in re.split(r"\s*(?:;|\band\b|&)\s*", byline):
        part = _BYLINE_END.sub("", _fold(part)).strip(" ,.:-")
        part = re.sub(r"^(?i:.*?\b(?:written|posted|authored)\s+)?(?i:by)\s+", "", part)
        role = _ROLE.search(part)
        if role and len(part[: role.start()].split()) >= 2:
            part = part[: role.start()].strip(" ,.:-")  # "Liz Kenny Former McKinsey Consultant"
        elif role and out:
            continue  # a role on its own after a name ("Trial Attorney", "CEO")
        if not part or not re.search(r"[^\W\d_]", part) or _ONLY_DATE.match(part) or _NOT_A_NAME.match(part):
            continue
        if part not in out:
            out.append(part)
    # the site's own name beside a person's is the publisher, not an author (an organisation alone, as on
    # company blogs, is the author the page states: on wcxb-dev 1 byline in 12 is the site)
    people = [n for n in out if not _is_site(n, site, host)]
    return people if people else out



def meta_byline_line(tree: Any) -> str | None:
    """The names of the page's first short "By ..." line (outside scripts, footers and comment sections)."""
    body = tree.find("body")
    if body is None:
        return None
    for el in body.iter("p", "span", "div", "a", "strong", "em", "address", "li", "small", "h5", "h6", "time"):
        if el.getparent() is not None and any(
            a.tag in ("footer", "script", "style", "nav") for a in el.iterancestors()
        ):
            continue
        text = _fold(" ".join(el.itertext()))
        if not text or len(text.split()) > BYLINE_LINE_MAX_WORDS:
            continue
        m = _BYLINE_LINE.match(text)
        if m:
            return m[1]
    return None
