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
from dataclasses import dataclass
from typing import Any

from ftfy import fix_encoding
from trafilatura.metadata import normalize_authors

from archiver.clean.credits import byline_outlets, load_publishers
from archiver.clean.html_author import PageAuthor
from archiver.clean.html_date import HEADER_AFTER, date_published
from archiver.clean.html_jsonld import JsonLd, jsonld_read

_WORD = re.compile(r"\w+")
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•|»|/)\s+")
# an <h1> of more than this many words is a paragraph styled as a heading, not a headline (wcxb-dev: true
# headlines are <= 25 words)
H1_MAX_WORDS = 30
# an <h1> is the headline when at least this share of its words are in one of the head's titles (wcxb-dev:
# SEO variants of the headline share 0.4-1.0 of its words; site banners, "Menu", "Our Blog" share 0-0.25)
H1_MIN_AGREEMENT = 0.4
# the first <h1> that is no banner and comes before the story's first paragraph is the headline from this
# agreement on: its words differ from an SEO title's ("How Much Does it Cost..." under "Electrician in X -
# Costs"); later <h1>s below 0.4 are the story's section headings (wcxb-dev: gains 5 titles, loses 2; for
# every <h1> 0.1 gains 5 and loses 5)
H1_FIRST_MIN_AGREEMENT = 0.1
# a head title found inside a longer <h1> is the headline when it has this many words (shorter ones are the
# site's name or a section found inside a headline)
TITLE_WITHIN_MIN_WORDS = 3


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
    rejected: list[str] = []
    candidates = 0
    best_lead = False
    leading = _h1s_before_story(tree)
    for h1 in meta_h1s(tree):
        verdict = _h1_not_headline(h1, head_titles, site, host)
        if verdict:
            if verdict == "reject":
                rejected.append(h1)
            continue
        score = _agreement(h1, head_titles) if head_titles else 1.0
        if score == 0.0:
            rejected.append(h1)  # shares no word with any head title: a banner, not this page's headline
        elif candidates == 0 and score >= H1_FIRST_MIN_AGREEMENT and h1 in leading:
            score = max(score, H1_MIN_AGREEMENT)  # the page's first headline-like <h1>: an SEO title differs
        candidates += 1
        if best_lead and h1 not in leading:
            continue  # after the headline that heads the story: a section heading or a teaser
        if score > best_score:
            best_lead = h1 in leading and score >= H1_MIN_AGREEMENT
            best, best_score = h1, score
    if best is not None and best_score >= H1_MIN_AGREEMENT:
        best = _title_restored(best, head_titles)
        return meta_cut_labels(_title_within(meta_strip_site(best, site, host), head_titles, site, host))
    # trafilatura's title is often the page's first <h1>: where that is the banner just passed over, the
    # head's title is the witness left
    if found and head_titles and (_fold(found) in rejected or _is_site(found, site, host)):
        found = None
    fallback = found or (head_titles[0] if head_titles else best)
    if fallback and _is_sentence(fallback):
        fallback = next((t for t in head_titles if not _is_sentence(t)), fallback)
    return meta_cut_labels(meta_strip_site(_fold(fallback), site, host)) if fallback else None


def meta_title_stated(tree: Any, title: str, head_titles: list[str], site: str | None, host: str | None) -> str | None:
    """The head's title where two of the head's titles state it alike (og:title and <title> less the site's
    name) and a heading of the page (<h2>-<h6>) prints it word for word, while the <h1> reads otherwise: three
    witnesses of the page against the <h1> alone, which is then a topic label or a short form ("Toddler Sleep
    Training" over "How To Get Toddlers To Sleep In Their Own Bed")."""
    counts: dict[str, int] = {}
    stated: dict[str, str] = {}
    for t in head_titles:
        t = meta_cut_labels(meta_strip_site(t, site, host))
        k = "".join(_words(t))
        if len(_words(t)) >= TITLE_WITHIN_MIN_WORDS:
            counts[k] = counts.get(k, 0) + 1
            stated.setdefault(k, t)
    agreed = {k for k, n in counts.items() if n >= 2} - {"".join(_words(title))}
    if not agreed:
        return None
    for el in tree.iter("h2", "h3", "h4", "h5", "h6"):
        k = "".join(_words(" ".join(el.itertext())))
        if k in agreed:
            return stated[k]
    return None


def _h1_not_headline(h1: str, head_titles: list[str], site: str | None, host: str | None) -> str:
    """Why an <h1> is not the headline: "reject" (a banner, kicker or lede: the head's title is taken over
    trafilatura's when that is this <h1>), "skip" (a one-word section label), else ""."""
    if _is_site(h1, site, host):
        return "reject"  # the site's banner set as <h1>
    if head_titles and len(_words(h1)) < 2 and not any(
        re.match(re.escape(h1) + r"\s*(?:\||-|–|—|:|·)", t) for t in head_titles
    ):
        return "skip"  # a one-word section label ("Webcams", "Blog") under a longer head title
    if _is_shouted(h1) and head_titles and _agreement(h1, head_titles) < 1.0:
        return "reject"  # an all-caps kicker or section label ("SUPPORTING GAAP COMPLIANCE") over the headline
    if _is_sentence(h1) and any(not _is_sentence(t) for t in head_titles):
        return "reject"  # a sentence set as <h1> (a lede, a tagline) where the head states a headline
    if _is_title_affix(h1, head_titles):
        return "reject"  # the site's name as <h1>: "<h1> | Headline" in one head title, "Headline" in another
    return ""


# a sentence's full stop after a word of two or more lower-case letters ("... travel hacks ."), not an
# abbreviation's ("... in the U.S.")
_SENTENCE_END = re.compile(r"(?:\b[a-z]{2,}|\s)\.$")


def _title_restored(h1: str, head_titles: list[str]) -> str:
    """The head's title where the <h1> is that title with characters lost to "?" (a page stored in a
    narrower character set: "Beginner? Guide" for "Beginner's Guide"); else the <h1>."""
    if "?" not in h1:
        return h1
    lost = re.compile(".{1,2}".join(re.escape(part) for part in h1.split("?")) + "$", re.I)
    for t in head_titles:
        if lost.match(t) and _words(t) != _words(h1):
            return t
    return h1


def _is_shouted(text: str) -> bool:
    """Whether a text is written in capitals only (a label, or a headline set in capitals)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 3 and all(c.isupper() for c in letters)


def _is_sentence(text: str) -> bool:
    """Whether a title ends as a sentence does: a headline has no full stop (wcxb-dev: 2 of 711 true titles
    end with one, one of them an abbreviation's)."""
    return bool(_SENTENCE_END.search(text.strip()))


# a headline before " | " has at least this many words; a shorter first part is a section or brand label
# ("News | ...") and the rest is kept
LABEL_CUT_MIN_WORDS = 3


def meta_cut_labels(title: str) -> str:
    """The title up to its first " | ": a vertical bar is not punctuation of a sentence; what follows it is
    a section, a tagline or an SEO suffix ("Headline | Opinion", "Headline | Top 19 Companies"). On wcxb-dev
    the true headline is the part before the bar on 7 of the 8 titles that keep one after the site's name
    is stripped. Dashes are kept: "Headline – subtitle" is the headline on 7 of 10."""
    first, bar, rest = title.partition(" | ")
    # a longer part after the bar is the headline's own ("Milan Design Week 2018 | X's light installation")
    cut = bar and len(_words(first)) >= LABEL_CUT_MIN_WORDS and len(_words(rest)) < len(_words(first))
    return first.strip() if cut else title


def _is_title_affix(h1: str, head_titles: list[str]) -> bool:
    """Whether the <h1> is the part beside the headline in a head title ("Blog Name: Headline") whose
    headline part another head title gives alone (og:title "Headline")."""
    for t in head_titles:
        m = re.match(re.escape(h1) + r"\s*(?:\||-|–|—|:|·|»)\s*(.+)$", t) or re.match(
            r"^(.+?)\s*(?:\||-|–|—|:|·|«)\s*" + re.escape(h1) + "$", t
        )
        if m and any(
            o != t and _agreement(m[1], [o]) >= 0.8 and _agreement(h1, [o]) == 0.0 for o in head_titles
        ):
            return True
    return False


def _title_within(h1: str, head_titles: list[str], site: str | None, host: str | None) -> str:
    """The head's title where the <h1> is that title with a label or a date line around it ("Blog: ...",
    "Dec 18 2025 ...", "... Posted on July 1, 2024 by x"): the words both agree on are the headline."""
    words = _words(h1)
    for t in head_titles:
        t = meta_strip_site(t, site, host)
        tw = _words(t)
        if len(tw) < TITLE_WITHIN_MIN_WORDS or len(tw) >= len(words):
            continue
        at = next((i for i in range(len(words) - len(tw) + 1) if words[i: i + len(tw)] == tw), None)
        if at is None:
            continue
        before, after = " ".join(words[:at]), " ".join(words[at + len(tw):])
        label = at <= 3 and re.match(r"^[^:]{1,30}:", h1) is not None and not after
        dated = bool(before and _TITLE_DATE_BEFORE.match(before) or after and _TITLE_DATE_AFTER.match(after))
        # an aggregator's source and comment count after the headline ("... Jobs (latimes.com) 87")
        counted = h1.lower().startswith(t.lower()) and _TITLE_TRAILER.match(h1[len(t):]) is not None
        if label or dated or counted:
            return t
    return h1




def _h1s_before_story(tree: Any) -> set[str]:
    """The texts of the <h1>s that come before the page's first paragraph of 20 words or more (a headline
    heads the story; an <h1> after its first paragraph is one of its section headings)."""
    out: set[str] = set()
    for el in tree.iter("h1", "p"):
        text = _fold(html.unescape(" ".join(el.itertext())))
        if el.tag == "p":
            if len(text.split()) >= 20:
                break
        elif text:
            out.add(text)
    return out


def meta_strip_site(title: str, site: str | None, host: str | None) -> str:
    """The title without leading or trailing parts that name the site ("Headline | Site", "Site - Headline")."""
    def is_site(part: str) -> bool:
        return _is_site(part, site, host)

    bare_host = (host or "").lower().removeprefix("www.")
    if bare_host and title.lower().startswith(bare_host + " ") and len(_words(title[len(bare_host):])) >= 2:
        title = title[len(bare_host):].strip()  # "davidbau.com Vibe Coding"
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
        all(w in host_words or w in ("com", "org", "net", "blog") for w in words)
        or (len(key) > 3 and (key == host_key or key in labels))  # "Cleveland Clinic" on health.clevelandclinic.org
    )


# --- byline ---------------------------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# what a <h1> carries beside the headline: a date before it ("Dec 18 2025"), a "Posted on ... by" line after
_TITLE_DATE_BEFORE = re.compile(
    r"^(?:" + _MONTH + r" \d{1,2} \d{4}|\d{1,2} " + _MONTH + r" \d{4}|\d{4} \d{1,2} \d{1,2})$"
)
# what an aggregator prints after a headline: the source's host and the comment count ("(latimes.com) 87")
_TITLE_TRAILER = re.compile(r"^\s*\((?:[\w-]+\.)+[a-z]{2,}\)\s*\d*\s*$", re.I)
_TITLE_DATE_AFTER = re.compile(r"^(?:posted|published|updated|by)\b.*(?:\d|\b" + _MONTH + r"\b)")
# where a byline stops being a name: a date, "Updated ...", "Published ...", a job title or "|"
# months that are not also first or last names ("Tom May", "April Smith"), for a month ending a byline
_MONTH_NOT_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr|aug|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?"
_BYLINE_END = re.compile(
    r"\s*(?:\b(?:last\s+)?(?:updated|published|posted|modified|reviewed)\b|\bon\s+behalf\s+of\b"
    r"|\b(?:on|at)\s+(?:" + _MONTH + "|" + _WEEKDAY + r"|\d)\b|\b(?-i:on|at)$|(?<=\w)[\s,]+" + _MONTH_NOT_NAME
    + r"\b\.?(?:\s+\d.*)?$|\b" + _MONTH
    + r"\.?\s+\d|\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\b\d+\s+(?:min|minutes?|hours?|days?)\b|\|| · | — | – ).*$",
    re.I,
)
# job titles and roles that follow a name in a byline ("Liz Kenny Former McKinsey Consultant"); on wcxb-dev
# the byline text under the headline carries them on 1 page in 20
_ROLE = re.compile(
    r"\b(?:former|senior|sr|junior|chief|staff|ceo|cto|cfo|coo|founder|co-?founder|director|manager|editor"
    r"|writer|reporter|correspondent|contributor|columnist|journalist|analyst|consultant|attorney|lawyer"
    r"|expert|specialist|strategist|marketer|producer|president|head|lead|officer|associate|partner"
    r"|researcher|professor|intern|fellow|team lead|coordinator|certified|licensed|engineer|designer|developer"
    r"|scientist|advisor|adviser|planner|coach|therapist|dietitian|nurse|physician|grader)\b.*$",
    re.I,
)
# a byline part that is only a date or a weekday ("By Sherif Saed, Wednesday, 20 November 2019")
_ONLY_DATE = re.compile(
    r"^(?:on\s+)?(?:" + _MONTH + r"\.?(?:\s+\d{1,2})?(?:,?\s+\d{4})?|" + _WEEKDAY + r"\.?|\d[\d\s,./-]*)$", re.I
)
# a placeholder ("Author", "Your Name") or an account ("NOC Admin", "siteadmin", "Webmaster"), not a name
_NOT_A_NAME = re.compile(
    r"^(?:the\s+)?(?:author|admin|administrator|editor|staff|guest|anonymous|unknown|name|your\s+name|full\s+name"
    r"|e-?mail|\S+\s+(?:admin|administrator|webmaster)|webmaster|(?-i:[a-z]+admin))s?$",
    re.I,
)
_NAME_TOKEN = r"(?-i:[A-ZÀ-ÞĀ-Ž][\w.'’-]*|(?:de|da|del|der|den|van|von|la|le|di|du|bin|al|dos|das|y)\b)"
_NAME = _NAME_TOKEN + r"(?:\s+" + _NAME_TOKEN + r"){0,4}"
# "This post was written by Jane Roe"
_THIS_POST = r"this\s+(?:post|article|story|piece|guide|blog\s+post)\s+(?:was|is|has\s+been)\s+(?=written|posted)"
# a visible byline line: "By Jane Roe", "Written by: Jane Roe and John Doe", "Article by Jane Roe"
_BYLINE_LINE = re.compile(
    r"^\s*(?:" + _THIS_POST + r")?(?:(?:written|posted|article|story|words|text|reported)\s+)?by(?:\s*:\s*|\s+)("
    + _NAME
    + r"(?:\s*(?:,|&|\band\b)\s*" + _NAME + r")*)",
    re.I,
)
# "Author: Jane Roe", "Contributors: Jane Roe", "Written by: Jane Roe"
_BYLINE_LABELLED = re.compile(
    r"^\s*(?:authors?|author\(s\)|contributors?|writers?|reporters?)\s*:\s*(" + _NAME
    + r"(?:\s*(?:,|&|\band\b)\s*" + _NAME + r")*)",
    re.I,
)
# how a byline's own text begins (the words _BYLINE_LINE, _BYLINE_LABELLED and _BYLINE_LABEL start with)
_BYLINE_START = re.compile(
    r"^\s*(?:" + _THIS_POST + r"|by\b|written|posted|article|story|words|text|reported|authors?\b|author\(s\)"
    r"|contributors?|writers?|reporters?)",
    re.I,
)
# a label on its own, with the names in the next element ("<h3>Author</h3><p>Jane Roe</p>")
_BYLINE_LABEL = re.compile(
    r"^\s*(?:authors?|author\(s\)|contributors?|(?:(?:written|posted|article|story)\s+)?by)\s*:?\s*$", re.I
)
# credits after the author's name that name someone else ("Fact-checked by Britannica Editors")
_SECONDARY = re.compile(
    r"\s*\b(?:fact[- ]?checked|medically\s+reviewed|reviewed|edited|photos?|photography|illustrations?|images?"
    r"|video)\s+by\b.*$",
    re.I,
)
# a date before the name ("Dec. 19, 2025 · Niko Matsakis")
_LEAD_DATE = re.compile(
    r"^\s*(?:" + _WEEKDAY + r",?\s+)?(?:" + _MONTH + r"\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\.?\s+" + _MONTH
    + r"\.?,?\s+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})\s*(?:[·|•—–-]\s*)?",
    re.I,
)
# what introduces a name: "By", "Written by:", "Article by", "Read more about", "About the author"
_LEAD_BY = re.compile(
    r"^(?:(?:read\s+more\s+(?:about|from|by)|more\s+(?:from|by)|about\s+the\s+author|about)\s*:?\s+"
    r"|(?:.*?\b(?:written|posted|authored)\s+|(?:article|story|words|text|reported|published|analysis|opinion"
    r"|commentary|review|interview)\s+)?by\b\s*:?\s*)",
    re.I,
)
# lower-case words that join the words of one organisation's name, not two people's
_CONNECTOR = re.compile(r"\b(?-i:for|of|the|on|in)\b")
# a month or weekday after a two-word name is a date cut short ("Kate Shokurova April", "Jeff Foust
# Monday"); after one word it is a name ("Tom May")
_TRAILING_MONTH = re.compile(r"^(\S+(?:\s+\S+)+?)\s+(?:" + _MONTH + "|" + _WEEKDAY + r")\.?$", re.I)
# a degree or credential after a comma, part of how the person is named ("MD", "E-RYT 200", "Ph.D.", "FACLM")
_CREDENTIAL = re.compile(r"^(?:[A-Z][A-Z.-]{1,7}[®]?(?:\s+\d+)?|Ph\.?\s?D\.?|M\.?\s?D\.?)$")
# words of the page's interface that author selectors catch ("Member Login", "Privacy Policy")
_INTERFACE = re.compile(
    r"\b(?:log\s?in|login|sign\s?in|sign\s?up|privacy|policy|cookies?|subscribe|newsletter|menu|search"
    r"|share|comments?|terms|conditions|extra|head)\b",
    re.I,
)
# a name is short: the longest true author name on wcxb-dev is 5 words ("Paramita (Guha) Ghosh" is 3);
# longer parts are organisations' slogans or sentences
NAME_MAX_WORDS = 6
# a byline line is short: on wcxb-dev they are <= 12 words with the date and reading time
BYLINE_LINE_MAX_WORDS = 16


def meta_byline(
    tree: Any,
    found: str | None,
    site: str | None,
    host: str | None,
    ld: JsonLd | None = None,
    author: PageAuthor | None = None,
) -> str | None:
    """The byline as person names joined by "; ": trafilatura's author less dates, roles and the site's name;
    where it has none (or only the site), the next witness that names a person: the JSON-LD story's author,
    the head's author tags, the page's first "By ..." line, its first link to an author page.

    The page's visible "By ..." line in the story's header wins over a stated author that names none of its
    people when a second part of the page (the link to an author page, the author box) names the same person:
    the head's and the JSON-LD's author are often the account that uploaded the story ("KatieS") or an
    editor. On wcxb-dev this gains 2 bylines and loses none (even / odd halves 0.830 / 0.819 -> 0.834 /
    0.823); without the header test it also took related stories' cards' bylines (2 lost).
    """
    # the element trafilatura's page selectors read, to tell whether it read `found` from the page
    page = (author or PageAuthor(tree)).element() if found else None
    stated = _byline_stated(tree, found, site, host, ld, page)
    line = _byline_line(tree) if stated else None
    if not stated or line is None:
        return stated
    shown = meta_byline_names(line[0], site, host)
    if not shown or all(_is_site_credit(n, site, host) for n in shown) or not _heads_story(tree, line[1]):
        return stated
    stated_words, shown_words = set(_words(stated)), set(_words("; ".join(shown)))
    if stated_words & shown_words:
        # the header's line naming the stated people and more (co-authors the head's single author tag drops)
        more = stated_words < shown_words and len(shown) > len(stated.split("; "))
        return "; ".join(shown) if more else stated
    seconds = set(_words(" ".join(x for x in (meta_author_link(tree), meta_author_box(tree)) if x)))
    return "; ".join(shown) if seconds & set(_words("; ".join(shown))) else stated


def _byline_stated(
    tree: Any, found: str | None, site: str | None, host: str | None, ld: JsonLd | None, page: Any
) -> str | None:
    """The byline from the page's stated authors, in order of trust (see `meta_byline`); `page`: the page's
    author element and its text (`html_author_element`), or None."""
    page_read = bool(found and page and found == _fold(normalize_authors(None, page[1]) or ""))
    if page_read:
        found = _byline_page_read(found, page, site, host)
    names = meta_byline_names(found, site, host) if found else []
    # a paper's citation tags name every author, "Last, First" (trafilatura splits each at its comma)
    cited = meta_citation_authors(tree)
    if cited and set(_words("; ".join(names))) <= set(_words("; ".join(cited))):
        names = meta_byline_names("; ".join(cited), site, host)
    ld_names = meta_byline_names("; ".join(ld.authors), site, host) if ld is not None and ld.authors else []
    # trafilatura splits an organisation's name at "and" ("Center; Research"): the JSON-LD's name whole
    if len(names) > 1 and len(ld_names) == 1 and all(n in ld_names[0] for n in names):
        names = ld_names
    # the JSON-LD story's author over trafilatura's where it names fewer of the same people (trafilatura's
    # page selectors also catch related stories' bylines) or other people, stated as Persons (wcxb-dev: of
    # 27 pages where the two differ, this takes the right one on 8 and the wrong one on 1; an Organization
    # there is more often the publisher than the author, 4 against 2)
    if names and ld_names and (
        set(ld_names) < set(names) or ld is not None and ld.author_is_person and not set(ld_names) & set(names)
    ):
        # unless the page's visible "By ..." line names others of trafilatura's (the JSON-LD's is then an
        # editor's or an uploader's name)
        line = meta_byline_line(tree)
        shown = set(meta_byline_names(line, site, host)) if line else set()
        names = names if shown and shown <= set(names) and not shown & set(ld_names) else ld_names
    # the publisher the JSON-LD names, beside a person, is not an author ("Condé Nast; Molly Wood")
    publisher = _words(ld.publisher) if ld is not None and ld.publisher else None
    if publisher and len(names) > 1:
        names = [n for n in names if _words(n) != publisher] or names
    if names and not all(_is_site_credit(n, site, host) for n in names):
        return "; ".join(names)
    witnesses = [
        lambda: "; ".join(ld.authors) if ld is not None and ld.authors else None,
        # trafilatura reads the page only when the head names no author: here also when the head's was junk
        lambda: meta_page_author(page) if found and not names and not page_read else None,
        lambda: meta_head_author(tree),
        lambda: meta_byline_line(tree),
        lambda: meta_author_link(tree),
        lambda: meta_author_box(tree) if not names else None,  # the weakest: never over an organisation
        lambda: meta_author_bio(tree),
    ]
    for witness in witnesses:
        text = witness()
        more = meta_byline_names(text, site, host) if text else []
        if more and not all(_is_site_credit(n, site, host) for n in more):
            return "; ".join(more)
        names = names or more
    return "; ".join(names) or None


def meta_citation_authors(tree: Any) -> list[str]:
    """The authors the head's scholarly citation tags name (`citation_author`, one tag per author, the
    Highwire Press tags Google Scholar reads), in order, "Roy, Aniruddha" turned to "Aniruddha Roy"."""
    out: list[str] = []
    for el in tree.iter("meta"):
        if (el.get("name") or "").lower() not in ("citation_author", "citation_authors"):
            continue
        for name in _fold(el.get("content") or "").split(";"):
            last, comma, first = name.partition(",")
            name = f"{first.strip()} {last.strip()}" if comma and first.strip() and "," not in first else name
            if name.strip() and name.strip() not in out:
                out.append(name.strip())
    return out


# a link to a listing of stories by tag, category or topic: its text is a subject, not a name
_TAXONOMY_HREF = re.compile(r"/(?:tags?|categor(?:y|ies)|topics?)/|[?&](?:tags?|category|topics?|content_topic)=", re.I)
# a class or id token naming a comment section ("wp-block-comments", "comment-author-name"; not the
# article's "has-comments")
_COMMENT_PART = re.compile(r"(?:^|\s)(?!has-|no-)[\w-]*comment[\w-]*(?=\s|$)", re.I)


def meta_page_author(found: tuple[Any, str] | None) -> str | None:
    """The text of the element trafilatura's page selectors take the author from (`html_author_element`),
    less the texts of links to tag or topic pages in it ("Personal finance January 27, 2025"); None where
    the element is in a comment section (a commenter's name: WordPress's "wp-block-comment-author-name")."""
    if found is None:
        return None
    el, text = found
    if any(_COMMENT_PART.search(f"{a.get('class') or ''} {a.get('id') or ''}") for a in (el, *el.iterancestors())):
        return None
    links = [_fold(" ".join(a.itertext())) for a in (*el.iter("a"), *el.iterancestors("a"))
             if _TAXONOMY_HREF.search(a.get("href") or "")]
    if not links:
        return text
    for link in links:
        text = text.replace(link, " ")
    return _fold(text) if meta_byline_names(text, None, None) else None  # only tags and a date


def _byline_page_read(found: str | None, page: Any, site: str | None, host: str | None) -> str | None:
    """trafilatura's author where it read it from the page (`page`: that element and its text): none where
    the element is a commenter's name or holds only tag links; the element's own text where trafilatura's
    normalisation made no name of it ("Dec. 19, 2025 · Niko Matsakis" -> "Dec"), more names than it holds
    ("Paul Frew; Home; Digital Security" of "Paul Frew, Home and Digital Security Expert") or dropped a
    parenthesis the page writes in the name ("Paramita (Guha) Ghosh")."""
    text = meta_page_author(page)
    if text is None:
        return None
    told, own = meta_byline_names(found or "", site, host), meta_byline_names(text, site, host)
    if not told or own and set(_words("; ".join(own))) < set(_words("; ".join(told))):
        return text
    return text if _fold(re.sub(r"\([^()]*\)", " ", text)) == found else found


def meta_head_author(tree: Any) -> str | None:
    """The author the head's tags state that trafilatura passes over: a one-word `<meta name="author">`
    (trafilatura keeps only names with a space) and the "Written by" pair of SEO plugins
    (`twitter:label1` / `twitter:data1`)."""
    for el in tree.iter("meta"):
        name = (el.get("name") or el.get("property") or "").lower()
        content = _fold(el.get("content") or "")
        if (
            name in ("author", "article:author", "byl", "parsely-author", "sailthru.author", "dc.creator")
            and content and not re.match(r"^(?:https?:|www\.|/)", content) and "@" not in content
            and content.count(".") < 2  # "page.head.extra.author": a template's placeholder
        ):
            return content
    labels = {(el.get("name") or "").lower(): _fold(el.get("content") or "") for el in tree.iter("meta")}
    for n in "123":
        label, data = labels.get(f"twitter:label{n}", ""), labels.get(f"twitter:data{n}", "")
        if data and re.search(r"\b(?:by|author)\b", label, re.I) and "@" not in data:
            return data
    return None


# a link to the author's page: rel="author", or a path naming an author's page ("/author/jane-roe"; not
# "/people/", which news sites use for the people a story is about)
_AUTHOR_HREF = re.compile(r"/(?:authors?|writers?|contributors?|staff)/[^/?#]+", re.I)
# a class or id token naming a part beside the story ("sidebar", "related-posts", "comment-list"); whole
# tokens only, so utility-class soup ("lg:mr-[--sidebar-width]") does not count
_NOT_STORY_PART = re.compile(r"(?:^|\s)[\w-]*(?:comment|sidebar|related|widget|menu)[\w-]*(?=\s|$)", re.I)
# an author link's text is a name: 2 to 5 words (wcxb-dev: author links say "Jane Roe", menus "Authors")
_AUTHOR_LINK_WORDS = (2, 5)


def meta_author_link(tree: Any) -> str | None:
    """The text of the page's first link to an author's page (outside navigation, footers, sidebars and
    comment sections) that reads as a name."""
    body = tree.find("body")
    if body is None:
        return None
    for a in body.iter("a"):
        rel = (a.get("rel") or "").lower().split()
        if "author" not in rel and not _AUTHOR_HREF.search(a.get("href") or ""):
            continue
        if any(
            p.tag in ("nav", "footer", "aside")
            or _NOT_STORY_PART.search((p.get("class") or "") + " " + (p.get("id") or ""))
            for p in a.iterancestors()
        ):
            continue
        text = _fold(" ".join(a.itertext()))
        low, high = _AUTHOR_LINK_WORDS
        if low <= len(text.split()) <= high and re.fullmatch(_NAME, text):
            return text
    return None


def meta_byline_names(byline: str, site: str | None, host: str | None) -> list[str]:
    """The person names of a byline string ("A; B", "A and B", "A, Staff Writer", "A, MD"), in order.

    A part naming an outlet in a role ("AP Auto Writer") is kept as it is: `credits.byline_outlets` turns it
    into a credit of the outlet when the capture is added.
    """
    out: list[str] = []
    byline = _SECONDARY.sub("", _LEAD_DATE.sub("", _fold(html.unescape(byline))))
    for chunk in re.split(r"\s*(?:;|\||,|\s[/–—-]\s)\s*", byline):
        chunk = _LEAD_BY.sub("", _BYLINE_END.sub("", chunk).strip(" ,.:-"))
        if out and _CREDENTIAL.match(chunk) and not _ROLE.search(chunk):
            out[-1] += ", " + chunk  # "Shelby Loos, DVM"
            continue
        if _ROLE.search(chunk) and byline_outlets(chunk)[1]:
            out.append(chunk)  # "AP Auto Writer": an agency's credit, read when the capture is added
            continue
        # "A and B" are two people; "Center for Drug Evaluation and Research" is one organisation
        parts = [chunk] if _CONNECTOR.search(chunk) else re.split(r"\s*(?:\band\b|&)\s*", chunk)
        if out and len(parts) > 1 and _ROLE.search(parts[-1]) and len(parts[0].split()) < 2:
            continue  # "Paul Frew, Home and Digital Security Expert": the person's title, not two people
        for part in parts:
            part = _LEAD_BY.sub("", part).strip(" ,.:-*")  # "Name *": a form's required field
            role = _ROLE.search(part)
            if role and role.start() > 0 and _is_site(part[: role.start()], site, host):
                pass  # "Podium Staff", "AAA Travel Editor": the site's own credit, kept whole (dropped below)
            elif role and len(part[: role.start()].split()) >= 2:
                part = part[: role.start()].strip(" ,.:-")  # "Liz Kenny Former McKinsey Consultant"
            elif role and (out or role.start() == 0):
                continue  # a role on its own ("Trial Attorney", "Shipping Expert", "CEO")
            part = _TRAILING_MONTH.sub(r"\1", part)
            if (
                not part or not re.search(r"[^\W\d_]", part) or _ONLY_DATE.match(part) or _NOT_A_NAME.match(part)
                or _INTERFACE.search(part) or len(part.split()) > NAME_MAX_WORDS
            ):
                continue
            if part not in out:
                out.append(part)
    # one person named twice ("Troy Smith; Troy L Smith"): the fuller spelling
    out = [n for n in out if not any(o != n and _same_person(n, o) for o in out)]
    # the site's own name beside a person's is the publisher, not an author (an organisation alone, as on
    # company blogs, is the author the page states: on wcxb-dev 1 byline in 12 is the site)
    people = [n for n in out if not _is_site_credit(n, site, host)]
    return people if people else out


def _is_site_credit(name: str, site: str | None, host: str | None) -> bool:
    """Whether a byline name is the site's own: its name, or its name with a role ("Podium Staff", "SFist
    Contributor", "AAA Travel Editor"), which names no person. An agency's role ("CNN Editor-at-large") is
    kept for `credits.byline_outlets` as before."""
    if _is_site(name, site, host):
        return True
    role = _ROLE.search(name)
    if not role or role.start() == 0 or not _is_site(name[: role.start()], site, host):
        return False
    return not byline_outlets(name)[1]


def _same_person(short: str, full: str) -> bool:
    """Whether `short` is `full` less middle names or initials (same first and last word)."""
    a, b = _words(short), _words(full)
    return len(a) < len(b) and len(a) >= 2 and a[0] == b[0] and a[-1] == b[-1] and set(a) <= set(b)



def meta_byline_line(tree: Any) -> str | None:
    """The names of the page's first short "By ..." or "Author: ..." line, or of the element after an
    "Author" label (outside scripts, navigation, the page's footer and comment sections; an article's own
    <footer>, where blogs put "Posted by", counts)."""
    found = _byline_line(tree)
    return found[0] if found else None


def _byline_line(tree: Any) -> tuple[str, Any] | None:
    """`meta_byline_line`'s names and the element that holds them."""
    body = tree.find("body")
    if body is None:
        return None
    for el in body.iter(
        "p", "span", "div", "a", "strong", "em", "address", "li", "small", "h2", "h3", "h4", "h5", "h6", "time", "dt"
    ):
        if not _BYLINE_START.match(el.text or "") or _outside_story(el):
            continue  # a byline's first words are the element's own ("By", "Author:"): a cheap test first
        text = _fold(" ".join(el.itertext()))
        if not text or len(text.split()) > BYLINE_LINE_MAX_WORDS:
            continue
        m = _BYLINE_LINE.match(text) or _BYLINE_LABELLED.match(text)
        if m:
            return m[1], el
        if _BYLINE_LABEL.match(text):
            after = el.getnext()
            name = _fold(el.tail or "") or (_fold(" ".join(after.itertext())) if after is not None else "")
            if name and len(name.split()) <= BYLINE_LINE_MAX_WORDS and re.match(_NAME, name):
                return name, el
    return None


# a story's paragraph has this many words; a byline above the first of them, or in the article's header
# (html_date.HEADER_AFTER elements after its <h1>), heads the story; one further down is a related story's
# card or an end-of-story author box
STORY_PARAGRAPH_WORDS = 20


def _heads_story(tree: Any, el: Any) -> bool:
    """Whether `el` comes before the page's first paragraph of STORY_PARAGRAPH_WORDS words or more, or within
    HEADER_AFTER elements after its first <h1>."""
    h1, story_begun = None, False
    for i, x in enumerate(tree.iter()):
        if x is el:
            return not story_begun or (h1 is not None and i - h1 < HEADER_AFTER)
        if h1 is None and x.tag == "h1":
            h1 = i
        if not story_begun and x.tag == "p":
            story_begun = len(" ".join(x.itertext()).split()) >= STORY_PARAGRAPH_WORDS
    return False


def _outside_story(el: Any) -> bool:
    """Whether an element sits in a script, the navigation, or a footer that is not an article's own."""
    ancestors = list(el.iterancestors())
    if any(a.tag in ("script", "style", "nav") for a in ancestors):
        return True
    for i, a in enumerate(ancestors):
        if a.tag == "footer":
            return not any(b.tag in ("article", "main") for b in ancestors[i + 1:])
    return False


# an element whose class or id names the author ("author-name", "blog_author-text", "post-author")
_AUTHOR_BOX = re.compile(r"(?:^|[\s_-])(?:author|byline)(?:$|[\s_-])", re.I)


# what an author's photo's alt text says beside the name ("David Gracey Headshot", "Photo of Jane Roe")
_PHOTO_ALT = re.compile(
    r"^(?:(?:a\s+)?(?:photo|picture|image|headshot|portrait)\s+of\s+)|(?:['’]s)?\s+(?:head\s?shot|avatar|photo"
    r"|picture|image|portrait|profile(?:\s+(?:photo|picture|image))?)$",
    re.I,
)


def meta_author_box(tree: Any) -> str | None:
    """The first name in an author box: inside an element whose class or id names the author, the first
    short text (2 to 5 capitalised words), or an image's alt text, that reads as a name (a bio or an
    "About the author" label does not)."""
    body = tree.find("body")
    if body is None:
        return None
    for box in body.iter():
        if not isinstance(box.tag, str) or not _AUTHOR_BOX.search(f"{box.get('class') or ''} {box.get('id') or ''}"):
            continue
        if _outside_story(box):
            continue
        for el in box.iter():
            if not isinstance(el.tag, str) or el.tag in ("script", "style"):
                continue
            texts = [_PHOTO_ALT.sub("", el.get("alt") or "")] if el.tag == "img" else [el.text or ""]
            if el is not box:
                texts.append(el.tail or "")
            for text in texts:
                text = _fold(text)
                if text.isupper():
                    continue  # a product or section in capitals, not a name
                low, high = _AUTHOR_LINK_WORDS
                if (
                    low <= len(text.split()) <= high and re.fullmatch(_NAME, text)
                    and not _BYLINE_LABEL.match(text) and not _INTERFACE.search(text) and not _ROLE.search(text)
                ):
                    return text
    return None


# a bio's first words: the person's name, then what they are or do ("Alban Brooke is the Head of Marketing")
_BIO = re.compile(r"^(\S+(?:\s+\S+){0,4}?)\s+(?:is|was|has|holds|serves|works|writes|joined|leads|brings|covers)\b")
# an occupation at or of an organisation in the bio's first sentence ("the founder of Automateed", "Head of
# Marketing at Buzzsprout"): a person, not a product or an event ("a password manager that ...", "for
# cybersecurity executives")
_BIO_OCCUPATION = re.compile(
    _ROLE.pattern.removesuffix(r")\b.*$")
    + r"|author|blogger|creator|executive|owner|editor-in-chief)\s+(?:at|of|for|with|in|on)\b",
    re.I,
)


def meta_author_bio(tree: Any) -> str | None:
    """The name above an author's bio: a paragraph that begins with a person's name (or first name) and says
    what they do ("Alban Brooke is the Head of Marketing at ..."), under an element whose whole text is that
    name (a short role line between them is passed over)."""
    body = tree.find("body")
    if body is None:
        return None
    for p in body.iter("p"):
        text = _fold(" ".join(p.itertext()))
        m = _BIO.match(text)
        if not m or len(text.split()) < BIO_MIN_WORDS or _outside_story(p):
            continue
        if not _BIO_OCCUPATION.search(re.split(r"(?<=[.!?])\s", text[m.end():])[0]):
            continue  # the first sentence names no occupation: a product, a place or a topic
        for prev in _elements_before(p):
            name = _fold(" ".join(prev.itertext()))
            bare = name.split(",")[0].strip()  # "Shelby Loos, DVM": the bio says "Shelby Loos"
            if bare and m[1] in (bare, bare.split()[0]) and len(name.split()) <= 5 and re.fullmatch(_NAME, bare):
                return name
            if len(name.split()) > BIO_ROLE_LINE_WORDS:
                break
    return None


# a bio is a sentence or more; a role line between the name and the bio is short ("Enterprise Sales
# Executive"). Sized, not tuned: the bios found on wcxb-dev and aeb-dev are 8-131 words, the role lines
# passed over 3-4 words
BIO_MIN_WORDS = 8
BIO_ROLE_LINE_WORDS = 6


def _elements_before(el: Any, levels: int = 4, count: int = 2) -> list[Any]:
    """The `count` elements just before `el`: its previous siblings, else its parent's (up to `levels` up)."""
    for _ in range(levels):
        before = [s for s in el.itersiblings(preceding=True) if isinstance(s.tag, str)][:count]
        if before:
            return before
        el = el.getparent()
        if el is None:
            break
    return []


# --- the page's metadata, assembled ---------------------------------------------------------------------


@dataclass
class PageMeta:
    """The metadata `clean_html` keeps: headline, byline, site name, published date, declared language."""

    title: str | None
    byline: str | None
    site_name: str | None
    published: str | None
    declared_language: str | None
    # the headline the page prints over the story (its <h1>), which the body's rules drop as a repeat of the
    # title; `title` is the head's wording where the page states that one more often
    headline: str | None = None


def meta_page(tree: Any, doc: Any, url: str | None, author: PageAuthor | None = None) -> PageMeta:
    """Reconcile trafilatura's metadata (`doc`, from `html.html_metadata`) with the page's own evidence:
    its JSON-LD, head tags, <h1> and visible byline and date lines (`author`: the page's author element, as
    `html_metadata` looked it up)."""
    ld = jsonld_read(tree)
    host = _host_of(_doc_field(doc, "url") or url) or _doc_field(doc, "hostname")  # the full host: blog.x.org
    head = meta_head_tags(tree)
    site = meta_site_name(head, ld, _doc_field(doc, "sitename"), host)
    heads = [_fold(t) for t in tree.xpath("//meta[@property='og:title']/@content")[:1]]
    heads += [ld.headline] if ld.headline else []
    heads += [_fold(t) for t in tree.xpath("//title/text()")[:1]]
    heads = [h for h in heads if h]
    headline = meta_title(tree, _doc_field(doc, "title"), heads, site, host)
    headline = meta_unmojibake(headline) if headline else None
    # the head's title twice and a heading of the page against the <h1> (wcxb-dev: 3 pages, all odd, the
    # head's title the truth on all 3, no other title changes; aeb-dev: none)
    title = meta_title_stated(tree, headline, heads, site, host) if headline else None
    title = meta_unmojibake(title) if title else headline
    byline = meta_byline(tree, _doc_field(doc, "author"), site, host, ld, author)
    return PageMeta(
        headline=headline,
        title=title,
        byline=byline,
        site_name=site,
        published=date_published(tree, _doc_field(doc, "date"), ld, head, url),
        declared_language=meta_declared_language(tree),
    )


def meta_unmojibake(text: str) -> str:
    """The text as written where a page's title was encoded in UTF-8 twice ("Investorâ\x80\x99s" ->
    "Investor’s"): ftfy's `fix_encoding`, which reads such text back only when the result is far more likely
    than the input, and leaves every other text as it is."""
    return str(fix_encoding(text))


def meta_site_name(head: dict[str, str], ld: JsonLd, found: str | None, host: str | None) -> str | None:
    """The site's name as the page states it: og:site_name, the JSON-LD WebSite's name or publisher,
    `application-name`; else the publisher table's name for the host (hosted.ap.org -> The Associated
    Press); else trafilatura's when it is a name. Never a URL, a host name or a word cut from one
    (trafilatura's last resort turns hosted.ap.org into "Hosted")."""
    known = load_publishers().by_domain(host) if host else None
    stated = [
        _site_clean(n, host) for n in (head.get("og:site_name"), ld.site, ld.publisher, head.get("application-name"))
    ]
    names = [n for n in (*stated, known, _site_clean(found, host, guessed=True)) if n]
    if not names:
        return None
    first = next(n for n in (*[n for n in stated if n], known, *names) if n)
    # the same name spelled as a handle ("usatoday", "TheHill") where another witness writes it out
    def key(name: str) -> str:
        return re.sub(r"\W", "", re.sub(r"^the\s+", "", name.lower()))

    return max((n for n in names if key(n) == key(first)), key=lambda n: n.count(" "))


# after " - " a site's tagline has this many words ("KFF - The independent source for health policy ...");
# shorter parts belong to the name
SITE_TAGLINE_MIN_WORDS = 4
# a template's placeholder where a site name belongs (wcxb-dev: og:site_name "Blog", "Homepage", "Site")
_GENERIC_SITE = re.compile(
    r"^(?:the\s+)?(?:blog|home|homepage|home\s+page|site|website|web\s+site|news|untitled)$", re.I
)


def _site_clean(name: str | None, host: str | None, guessed: bool = False) -> str | None:
    """A site name tidied ("@handle" -> "handle"), or None when it is a URL or the host name as it is
    written in the URL; `guessed` (trafilatura's last resort, a word cut from the URL): also when it is a
    sub-domain's label ("Hosted" from hosted.ap.org)."""
    name = _fold(html.unescape(name or "")).lstrip("@").strip()
    if not name or re.match(r"^(?:https?:|www\.)|/", name, re.I):
        return None
    bare = (host or "").lower().removeprefix("www.")
    labels = bare.split(".")
    if name in (bare, host) or guessed and name.lower() in labels[:-2] or _GENERIC_SITE.match(name):
        return None
    # "OneUptime | One Complete Observability platform.": the name, without the tagline after it
    name = name.partition(" | ")[0].strip()
    dash = re.search(r"\s[-–—]\s", name)
    if dash and len(name[dash.end():].split()) >= SITE_TAGLINE_MIN_WORDS:
        name = name[: dash.start()].strip()  # a shorter part after a dash is the name's ("Smith - Jones")
    if name.islower() and " " not in name and "." not in name:
        name = name.title()  # as trafilatura: "nytimes" -> "Nytimes" (a handle written in lower case)
    return name


def _host_of(url: str | None) -> str | None:
    m = re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//([^/?#:]+)", (url or "").strip(), re.I)
    return m[1].lower() if m else None


def meta_head_tags(tree: Any) -> dict[str, str]:
    """The page's <meta> tags: lower-case name (or property, itemprop) -> content, the first of each."""
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        name = (el.get("name") or el.get("property") or el.get("itemprop") or "").lower()
        content = el.get("content")
        if name and content and name not in out:
            out[name] = content
    return out


def meta_declared_language(tree: Any) -> str | None:
    """The page's declared language (<html lang>, else Content-Language), as a lower-case primary tag."""
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        found = tree.xpath("//meta[@http-equiv='content-language']/@content")
        lang = found[0] if found else None
    primary = lang.split("-")[0].split("_")[0].strip().lower() if lang else ""
    # "und" (undetermined), "mul", "zxx" and private tags name no language
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) and primary not in ("und", "mul", "zxx") else None


def _doc_field(doc: Any, name: str) -> str | None:
    """A field of trafilatura's metadata Document, folded; None when absent."""
    value = getattr(doc, name, None) if doc is not None else None
    if not value or not isinstance(value, str):
        return None
    return _fold(value) or None
