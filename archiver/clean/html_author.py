"""trafilatura's `extract_author` in one pass over the page, for the pages that name no author in their head.

`trafilatura.metadata.extract_author` copies the whole page, prunes comments, dates and figures from the
copy with two XPaths, then runs three more XPaths over it and keeps the first match whose text is a
plausible name. On the 97 aeb-dev pages it ran on 45 (the others name their author in meta tags or
JSON-LD) and took 6.1 ms each, 2.8 ms a page: most of `html_metadata`, a tenth of cleaning a page. The
five XPaths are written for a general engine (regex tests through Python callbacks, `self::` tests on every
element); here their tests run on each element's attributes in one walk, and only the few elements they
match are looked at again: 2.0 ms instead of 6.4 ms a page over all 97 pages, the same author on each.
Written by hand because no library offers trafilatura's author rules any other way.

The tests below are those of trafilatura 2.3.1's `AUTHOR_XPATHS` and `AUTHOR_DISCARD_XPATHS`, in their order,
and the result is the same string: a release whose XPaths differ (`_XPATHS_READ` no longer matches) gets
trafilatura's own function. `tests/test_clean_html.py` compares the two on real pages and on generated ones.
"""

from __future__ import annotations

import hashlib
import re
from copy import deepcopy
from functools import lru_cache
from typing import Any

from lxml import etree
from trafilatura import metadata as trafilatura_metadata

try:
    from trafilatura.utils import trim
    from trafilatura.xml import delete_element
    from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

    _XPATHS_TEXT = "".join(x.path for x in (*AUTHOR_XPATHS, *AUTHOR_DISCARD_XPATHS))
except (ImportError, AttributeError):  # a release that moved them gets its own extract_author (html_author)
    _XPATHS_TEXT = ""

# sha256 of the XPaths' text in trafilatura 2.3.1, which the tests below were read from
_XPATHS_READ = "8f8f389b39fc26138ef2927e3aaf4415c89100789f065a1c5a8d2bdadd3a998b"
XPATHS_UNCHANGED = hashlib.sha256(_XPATHS_TEXT.encode()).hexdigest() == _XPATHS_READ

# AUTHOR_XPATHS[0]: these tags with an author rel, id, class, itemprop or test id; any <author> element
_FIRST_TAGS = frozenset(("a", "address", "div", "link", "p", "span", "strong"))
_FIRST_CLASS = re.compile("author-?name|AuthorName|authorName")
# AUTHOR_XPATHS[1]: these tags with a byline class, an author itemprop, id or class
_SECOND_TAGS = frozenset(("a", "div", "h3", "h4", "p", "span"))
_SECOND_CLASSES = frozenset(("byline", "username", "byl", "BBL"))
_SECOND_ID = re.compile("author|zuozhe|bianji|xiaobian")
_SECOND_CLASS = re.compile("author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name")
# AUTHOR_XPATHS[2]: any element with a byline component, an author itemprop, id or class
_THIRD_ID = re.compile("[Aa]uthor")
_THIRD_CLASS = re.compile("[Aa]uthor|screenname|writer|[Bb]yline")
# AUTHOR_DISCARD_XPATHS: comment sections, titles, dates, sidebars, quotes, share bars ..., and every
# <time> and <figure>; pruned with their contents before the author is looked for
_DISCARD_TAGS = frozenset(("a", "div", "section", "span"))
_DISCARD_CLASSES = frozenset(("comments", "title", "date"))  # as the whole class; as the id only "comments"
_DISCARD_ID = re.compile("^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile(
    "^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|article-(?:share|support)"
    "|print|category|meta-date|meta-reviewer"
)
_ALWAYS_DISCARDED = frozenset(("time", "figure"))


def html_author(tree: Any, page: PageAuthor | None = None) -> str | None:
    """The page's author as trafilatura's `extract_author(tree)` finds it (None when it finds none); `page`
    carries the element's lookup to the byline's reconciliation (`html_meta.meta_byline`)."""
    if not XPATHS_UNCHANGED:
        return trafilatura_metadata.extract_author(tree)
    found = (page or PageAuthor(tree)).element()
    return trafilatura_metadata.normalize_authors(None, found[1]) if found else None


class PageAuthor:
    """`html_author_element` of one page, looked up once when first asked for: trafilatura's metadata step
    (`html.html_metadata`) needs it when the head names no author, the byline's reconciliation whenever an
    author was found (to tell whether it was read from the page). On wcxb-dev 128 of 711 pages asked twice,
    at 2-3.6 ms a lookup. The page's tree must not change between the two (the extraction runs on copies)."""

    def __init__(self, tree: Any) -> None:
        self._tree = tree
        self._found: tuple[Any, str] | None = None
        self._looked = False

    def element(self) -> tuple[Any, str] | None:
        """The element the author is read from and its text (`html_author_element`)."""
        if not self._looked:
            self._found, self._looked = html_author_element(self._tree), True
        return self._found


def html_author_element(tree: Any) -> tuple[Any, str] | None:
    """The element `html_author` reads its author from and its text before trafilatura's `normalize_authors`
    (which cuts "Dec. 19, 2025 · Niko Matsakis" to "Dec" at the first digit and drops parentheses); None
    when there is none or the trafilatura release's XPaths are not the ones read here."""
    if not XPATHS_UNCHANGED:
        return None
    found, discarded = _author_candidates(tree)
    if not any(found):
        return None
    return _first_plausible(found, set(discarded))


def _author_candidates(tree: Any) -> tuple[tuple[list[Any], list[Any], list[Any]], list[Any]]:
    """One walk over the page: the elements each of the three author XPaths matches, and those pruned."""
    found: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    discarded: list[Any] = []
    # `rel='me'` in the first XPath tests a child element <rel>, the one test an element without
    # attributes can pass; pages almost never have one
    rel_children = next(tree.iter("rel"), None) is not None
    for el in tree.iter(etree.Element):
        tag = el.tag
        if tag in _ALWAYS_DISCARDED:
            discarded.append(el)
        if not el.attrib and tag != "author" and not rel_children:
            continue  # every other test, kept or pruned, reads an attribute
        by_class, by_id = _class_tests(el.get("class")), _id_tests(el.get("id"))
        prop, component = el.get("itemprop") or "", el.get("data-component") or ""
        if tag in _DISCARD_TAGS and el is not tree and (by_class[0] or by_id[0] or "Figure" in component):
            discarded.append(el)
        if _passes_first_xpath(el, by_class[1] or by_id[1], prop, rel_children):
            found[0].append(el)
        if tag in _SECOND_TAGS and (by_class[2] or by_id[2] or "author" in prop):
            found[1].append(el)
        if by_class[3] or by_id[3] or "author" in prop or "Byline" in component:
            found[2].append(el)
    return found, discarded


def _passes_first_xpath(el: Any, by_class_or_id: bool, prop: str, rel_children: bool) -> bool:
    """Whether `el` matches AUTHOR_XPATHS[0], given its class and id results and its itemprop."""
    tag = el.tag
    return tag == "author" or tag in _FIRST_TAGS and (
        by_class_or_id or prop == "author name" or el.get("rel") == "author"
        or el.get("data-testid") in ("AuthorCard", "AuthorURL")
        or rel_children and any(child.tag == "rel" and "".join(child.itertext()) == "me" for child in el)
    )


def _first_plausible(found: tuple[list[Any], ...], pruned: set[Any]) -> tuple[Any, str] | None:
    """The first match, in XPath order, outside the pruned parts whose text has an author's length, and
    that text."""
    for elements in found:
        for el in elements:
            if el in pruned or any(a in pruned for a in el.iterancestors()):
                continue  # not in the pruned copy trafilatura searches
            content = trim(" ".join(_text_without(el, pruned)))
            # 2 and 120 characters: trafilatura's bounds for an author (extract_metainfo, len_limit=120)
            if content and 2 < len(content) < 120:
                return el, str(content)
    return None


# Pages repeat their class values (on aeb-dev ~700 elements share ~150), so each value is tested once.
# 4,096 values: a few pages' worth, a few hundred KB; sized, not tuned.
@lru_cache(maxsize=4096)
def _class_tests(cls: str | None) -> tuple[bool, bool, bool, bool]:
    """(pruned, first, second, third): what a class value passes of the discard and the three author tests."""
    if cls is None:
        return (False, False, False, False)
    return (
        cls in _DISCARD_CLASSES or _DISCARD_CLASS.search(cls) is not None,
        cls == "author" or _FIRST_CLASS.search(cls) is not None,
        cls in _SECOND_CLASSES or _SECOND_CLASS.search(cls) is not None,
        _THIRD_CLASS.search(cls) is not None,
    )


@lru_cache(maxsize=4096)
def _id_tests(ident: str | None) -> tuple[bool, bool, bool, bool]:
    """(pruned, first, second, third) for an id value, as `_class_tests`."""
    if ident is None:
        return (False, False, False, False)
    return (
        ident == "comments" or _DISCARD_ID.search(ident) is not None,
        ident == "author",
        _SECOND_ID.search(ident) is not None,
        _THIRD_ID.search(ident) is not None,
    )


def _text_without(el: Any, pruned: set[Any]) -> Any:
    """The texts of `el` once the pruned elements inside it are deleted as trafilatura deletes them (their
    tails kept, joined to the text before them)."""
    inside = [d for d in el.iterdescendants() if d in pruned]
    if not inside:
        return el.itertext()
    copy = deepcopy(el)
    copies = dict(zip(el.iter(), copy.iter(), strict=True))  # a deep copy: the same elements
    for d in inside:  # one inside another goes with it, whichever is deleted first
        delete_element(copies[d])
    return copy.itertext()
