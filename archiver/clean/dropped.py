"""What of a page's visible text is not in its clean body: every block, with where on the page it was.

The extractor keeps one part of the page and our rules (`html_rules`) move some of that to chrome; the rest
of the page (menus, the header, related links, captions, the footer ...) was never returned at all. This
module lists all of it, block by block in page order, so `archive show --chrome` accounts for the whole
page: each visible block of the page is either in the body or listed here with a category read from the
page's structure (the element and its ancestors: `<nav>`, `<footer>`, a "related" or "newsletter" class ...)
or with the rule that removed it.

Pure: it re-reads the capture's decoded text (the stored raw bytes) beside its stored body and chrome.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from archiver.types import Chrome

# elements whose text a reader never sees as page text
_INVISIBLE = frozenset(("script", "style", "noscript", "template", "head", "title", "meta", "link", "svg",
                        "math", "iframe", "object", "embed", "canvas", "video", "audio", "map"))
# elements that start a new line when a browser lays the page out (inline elements stay in the line)
_BLOCK = frozenset((
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol", "option", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "button", "select", "textarea",
    "center", "legend", "label",
))

# categories read from an element's tag or its class / id / role words, nearest element first; the first
# that matches names the block. Words are whole words of the class or id ("nav-menu" -> nav, menu).
_TAG_CATEGORY = {
    "nav": "navigation", "menu": "navigation", "header": "header", "footer": "footer", "aside": "sidebar",
    "figcaption": "caption", "caption": "caption", "form": "form", "button": "form", "select": "form",
    "label": "form", "textarea": "form", "option": "form", "h1": "heading",
}
_WORD_CATEGORY: list[tuple[str, frozenset[str]]] = [
    ("cookie notice", frozenset(("cookie", "cookies", "consent", "gdpr", "cmp"))),
    ("advertising", frozenset(("ad", "ads", "advert", "advertisement", "advertising", "sponsor", "sponsored",
                               "dfp", "gpt", "adslot", "adunit", "promo", "promotion", "outbrain", "taboola"))),
    ("newsletter", frozenset(("newsletter", "newsletters", "subscribe", "subscription", "signup", "paywall",
                              "optin", "mailchimp"))),
    ("share buttons", frozenset(("share", "sharing", "social", "sharebar", "addthis", "sharethis"))),
    ("comments", frozenset(("comment", "comments", "disqus", "discussion", "replies"))),
    ("related links", frozenset(("related", "recommended", "recommendations", "recirculation", "recirc",
                                 "more", "next", "trending", "popular", "latest", "readmore", "teaser",
                                 "teasers", "also", "further", "suggested", "mostread"))),
    ("navigation", frozenset(("nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "pagination",
                              "pager", "skip", "toc", "tabs", "topbar", "masthead"))),
    ("caption", frozenset(("caption", "credit", "credits", "figcaption", "photo", "image", "gallery",
                           "media", "wp-caption"))),
    ("byline and date", frozenset(("byline", "author", "authors", "date", "time", "timestamp", "dateline",
                                   "published", "meta", "posted", "contributor"))),
    ("tags", frozenset(("tag", "tags", "topics", "keywords", "categories", "category"))),
    ("author bio", frozenset(("bio", "biography", "about-author"))),
    ("header", frozenset(("header", "banner", "brand", "logo", "site-header"))),
    ("footer", frozenset(("footer", "copyright", "colophon", "legal"))),
    ("sidebar", frozenset(("sidebar", "aside", "rail", "widget", "widgets", "complementary"))),
]
_ROLE_CATEGORY = {"navigation": "navigation", "banner": "header", "contentinfo": "footer",
                  "complementary": "sidebar", "search": "form", "dialog": "pop-up", "alert": "pop-up"}
_SPLIT = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"\w+")
# a short line is the body's own when it starts within this many words of where the body's last block ended
# (a heading after a skipped caption or two); further on, "Home" in a menu would take a "home" of the story
SHORT_LINE_REACH = 30
# a block whose characters are mostly link text is a list of links when nothing on the page says more
# (0.6: a sentence with a link or two stays under it, a menu or a teaser headline is all link)
LINKED_SHARE = 0.6


@dataclass(frozen=True)
class Dropped:
    """One block of the page's visible text that is not in the body: its text, category, and by whom."""

    text: str
    category: str  # "navigation", "related links", "caption", "footer", ... or the rule's name
    by: str  # "extractor": never returned by trafilatura; "rule": returned, then moved to chrome by a rule


@dataclass
class _PageBlock:
    text: str
    category: str


def dropped_blocks(
    page_text: str, kind: str, paragraphs: Sequence[str], chrome: Iterable[Chrome], title: str | None = None
) -> list[Dropped]:
    """The blocks of the page's visible text not in the body, in page order, each with a category.

    `page_text` is the capture's decoded text and `kind` "html" or "text" (`decode.decode_capture`);
    `paragraphs` the stored body, `chrome` what the rules removed (their reasons name those blocks).
    """
    blocks = _html_page_blocks(page_text) if kind == "html" else _text_page_blocks(page_text)
    body = _words(" ".join(paragraphs))
    rules = [(_words(c.text), c.reason) for c in chrome]
    title_words = _words(title or "")
    out: list[Dropped] = []
    pos = 0
    index = _WordIndex(body)
    for b in blocks:
        words = _words(b.text)
        if not words:
            continue
        # short lines ("Home", "Share") are in the body only where the body goes on (within a few words of
        # where the last block left it); four words or more anywhere (the extractor moves a box now and then)
        short = len(words) < 4
        at = index.find(words, pos, pos + SHORT_LINE_REACH if short else None)
        if at is not None:
            pos = at + len(words)
        elif short or index.find(words, 0) is None:
            at = None
        else:
            at = 0
        if at is not None:
            continue
        reason = next((r for w, r in rules if w and _contains(w, words)), None)
        if reason is not None:
            out.append(Dropped(b.text, reason, "rule"))
        elif title_words and words == title_words:
            out.append(Dropped(b.text, "headline (the title field)", "extractor"))
        else:
            out.append(Dropped(b.text, b.category, "extractor"))
    return out


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _contains(outer: list[str], inner: list[str]) -> bool:
    """True when the word list `inner` occurs in `outer` (or `outer` in `inner`: a rule's line split on the page)."""
    a, b = " " + " ".join(outer) + " ", " " + " ".join(inner) + " "
    return b in a or a in b


class _WordIndex:
    """Where a run of words occurs in the body's words (the first occurrence at or after a position)."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.used = [False] * len(words)
        self.starts: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            self.starts.setdefault(w, []).append(i)

    def find(self, run: list[str], start: int, stop: int | None = None) -> int | None:
        """The first unused occurrence starting in [start, stop], now marked used (a body line is one page
        block's)."""
        n = len(run)
        for i in self.starts.get(run[0], ()):
            if stop is not None and i > stop:
                break
            if i >= start and self.words[i : i + n] == run and not any(self.used[i : i + n]):
                self.used[i : i + n] = [True] * n
                return i
        return None


def _text_page_blocks(text: str) -> list[_PageBlock]:
    """A plain-text dump's blocks: its non-empty lines."""
    return [_PageBlock(line.strip(), "not kept by the cleaner") for line in text.splitlines() if line.strip()]


def _html_page_blocks(html: str) -> list[_PageBlock]:
    """The page's visible text as a browser lays it out: one block per line, with the category of its place."""
    from archiver.clean.html import html_parse  # the same parse (hidden elements dropped) the cleaner reads

    tree = html_parse(html)
    if tree is None:
        return []
    body = tree.find("body")
    root = body if body is not None else tree
    out: list[_PageBlock] = []
    line: list[str] = []
    linked = [0]
    _walk(root, [], line, linked, out)
    _flush(line, linked, [], out)
    return out


def _walk(el: Any, context: list[Any], line: list[str], linked: list[int], out: list[_PageBlock]) -> None:
    """Lay out one element: block elements end the current line before and after their text."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _INVISIBLE or not isinstance(el.tag, str):
        return
    block = tag in _BLOCK
    here = [*context, el]
    if block:
        _flush(line, linked, context, out)
    if el.text:
        line.append(el.text)
        if _in_link(here):
            linked[0] += len(el.text.strip())
    for child in el:
        _walk(child, here, line, linked, out)
        if child.tail:
            line.append(child.tail)
            if _in_link(here):
                linked[0] += len(child.tail.strip())
    if block:
        _flush(line, linked, here, out)


def _in_link(context: list[Any]) -> bool:
    return any(e.tag == "a" for e in context)


def _flush(line: list[str], linked: list[int], context: list[Any], out: list[_PageBlock]) -> None:
    text = " ".join("".join(line).split())
    n_linked = linked[0]
    line.clear()
    linked[0] = 0
    if not text:
        return
    out.append(_PageBlock(text, _category(context, n_linked / max(1, len(text.replace(" ", ""))))))


def _category(context: list[Any], link_share: float) -> str:
    """The category of a block from its elements, nearest first; else by its links; else unexplained."""
    for el in reversed(context):
        tag = el.tag
        if tag in _TAG_CATEGORY:
            return _TAG_CATEGORY[tag]
        role = (el.get("role") or "").lower()
        if role in _ROLE_CATEGORY:
            return _ROLE_CATEGORY[role]
        words = set(_SPLIT.split(f"{el.get('class') or ''} {el.get('id') or ''}".lower()))
        words.discard("")
        if words:
            for category, marks in _WORD_CATEGORY:
                if words & marks:
                    return category
        if tag in ("article", "main"):
            break  # inside the story's own container, a class further out says nothing about this block
    if link_share >= LINKED_SHARE:
        return "links"
    return "other text the extractor left out"
