"""Put back the article's own structure that trafilatura dropped between the story paragraphs it kept.

trafilatura keeps a story's paragraphs but on many layouts drops the headings and lists that sit between
them in the same container (on wcxb-dev, pages under 0.97 recall: 1,700 missed list items and 685 missed
headings inside the element holding the kept paragraphs). Here the kept paragraphs are found in the page,
and every heading and list item that lies in document order between the first and the last of them, beside
them (`_beside_story`), is added back at its place, unless it is already in the body, sits in page
furniture (nav, aside, form, button, figure, a link ...), or is mostly link text. A heading is added only
when the next unit after it is story text (kept or added), not a unit left out. The headings and list items
that open the story in its first paragraph's own element ("Key takeaways", "TL;DR") are put back too.
"""

from __future__ import annotations

import re
from typing import Any

from archiver.clean.html_rules import Block, html_fold, html_host

_WORD = re.compile(r"\w+")
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# elements that are units of article text: each becomes one block
_UNITS = {
    **{h: "head" for h in _HEADINGS},
    "p": "p", "li": "item", "tr": "row", "pre": "code", "blockquote": "quote",
}
# page furniture: nothing inside these is article structure (figure: captions, which the rules judge apart)
_FURNITURE = frozenset((
    "nav", "aside", "form", "button", "header", "footer", "figure", "figcaption", "select", "option",
    "label", "script", "style", "noscript", "template", "svg", "iframe", "textarea", "dialog", "menu",
))
_LISTS = frozenset(("ul", "ol", "dl", "table"))
_BLOCKISH = frozenset(("div", "section", "article", "br", "dt", "dd"))
# 0.5: a unit with half its characters inside links is navigation or a link list, not story text (the
# line rule for related links starts at 0.7; this stays below it so the rules never see the doubtful ones).
# wcxb-dev word F1 0.9514 at 0.5, 0.9515 at 0.8, 0.9519 with no limit (but 37 pages worse instead of 15,
# `without` 0.0291, aeb-dev halves -0.0012 / +0.0023); links to other sites not counted (`_link_share`): 0.9533
# at 0.5, 0.9534 at 0.8, 0.9535 with no limit (aeb-dev's even half 0.9717 -> 0.9705)
MAX_LINK_SHARE = 0.5
# a kept block this long (words) is matched to its page element; shorter ones are too ambiguous
MATCH_MIN_WORDS = 8


def _key(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _text(el: Any) -> str:
    return html_fold("".join(el.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]")))


def _own_text(el: Any) -> str:
    """The element's text without the text of nested units (a list item without its sub-list)."""
    return html_fold(_raw_own_text(el))


def _raw_own_text(el: Any) -> str:
    parts = [el.text or ""]
    for c in el:
        if isinstance(c.tag, str) and c.tag not in _UNITS and c.tag not in _FURNITURE and c.tag not in _LISTS:
            # a block child is a line of its own ("Title</div><div>Text" is two words apart, not one)
            sep = " " if c.tag in _BLOCKISH else ""
            parts.append(sep + _raw_own_text(c) + sep)
        parts.append(c.tail or "")
    return "".join(parts)


def _link_share(el: Any, text: str, host: str | None = None) -> float:
    """Share of the unit's characters inside links; with the page's host, links to other sites do not count (a
    list of them is the story's sources or subject, as in `html.html_anchors`)."""
    linked = sum(
        len(html_fold(a.text_content())) for a in el.iter("a")
        if not host or html_host(a.get("href") or "", host) in (None, host)
    )
    return min(1.0, linked / len(text)) if text else 0.0


def html_restore_structure(tree: Any, blocks: list[Block], url: str | None = None) -> list[Block]:
    """`blocks` with the article's dropped headings and list items put back in their place (`url`: the page's,
    so that links to other sites are not counted as link text)."""
    host = html_host(url)
    keys = [_key(b.text) for b in blocks]
    matched = _matched_paragraphs(tree, keys)
    if len(matched) < 2:
        return blocks
    container = _common_ancestor([p for p, _ in matched])
    if container is None:
        return blocks
    joined = " " + " ".join(keys) + " "
    inserts = _units_to_insert(container, matched, joined, host)
    opening = _units_opening_story(container, matched[0][0], joined, host)
    if opening:
        at = matched[0][1] - 1  # right before the first kept paragraph's block
        inserts[at] = opening + inserts.get(at, [])
    if not inserts:
        return blocks
    out = list(inserts.get(-1, []))
    for i, b in enumerate(blocks):
        out.append(b)
        out.extend(inserts.get(i, []))
    return out


def _matched_paragraphs(tree: Any, keys: list[str]) -> list[tuple[Any, int]]:
    """The page's <p> elements that are kept blocks of MATCH_MIN_WORDS or more, with the block's index, in
    document order."""
    index = {k: i for i, k in reversed(list(enumerate(keys))) if len(k.split()) >= MATCH_MIN_WORDS}
    if len(index) < 2:
        return []
    matched = []
    for p in tree.iter("p"):
        i = index.get(_key(_text(p)))
        if i is not None:
            matched.append((p, i))
    return matched


def _units_to_insert(
    container: Any, matched: list[tuple[Any, int]], joined: str, host: str | None = None
) -> dict[int, list[Block]]:
    """The units to add, by the index of the kept block they follow (-1: before the first)."""
    last = matched[-1][0]
    matched_at = dict(matched)
    # the elements themselves, not their id(): lxml makes a new proxy object per access, and the id of a
    # freed one is reused by the next
    story_parents = {p.getparent() for p, _ in matched}
    story_parents |= {p.getparent().getparent() for p, _ in matched if p.getparent() is not None}
    story_parents.discard(None)
    inserts: dict[int, list[Block]] = {}
    started, prev_block = False, -1
    seen: set[str] = set()
    # a heading put back stays pending until the next unit shows it heads story text: dropped for good when
    # that unit is one we leave out (a "Table of contents" over its linked list, a box's title over links)
    pending: list[tuple[int, Block]] = []
    for el in container.iter(*_UNITS):  # only unit elements: the kept <p>s are units too
        if el in matched_at:
            started = True
            prev_block = max(prev_block, matched_at[el])
            _confirm(pending, inserts)
            if el is last:
                break
            continue
        if not started or _in_furniture(el, container):
            continue
        unit = _unit_block(el, host)
        if unit is _HOLDER:
            continue
        k = _key(unit.text) if unit is not None else ""
        if k and (f" {k} " in joined or k in seen):
            _confirm(pending, inserts)  # story text trafilatura kept
        elif unit is None or unit.kind not in KINDS or not _beside_story(el, story_parents):
            pending.clear()  # a unit we leave out: the headings before it were its titles
        else:
            seen.add(k)
            if unit.kind == "head":
                pending.append((prev_block, unit))
            else:
                _confirm(pending, inserts)
                inserts.setdefault(prev_block, []).append(unit)
    return inserts


def _units_opening_story(container: Any, first: Any, joined: str, host: str | None = None) -> list[Block]:
    """The headings and list items that open the story in the first kept paragraph's own element, right before
    it (a "Key takeaways" or "TL;DR" list): the run of such units with no unit left out between them and the
    paragraph. On wcxb-dev 4 pages gain (word F1 +0.003 to +0.057), none loses; aeb-dev unchanged."""
    home = first.getparent()
    opening: list[Block] = []
    pending: list[Block] = []
    seen: set[str] = set()
    for el in container.iter(*_UNITS):
        if el is first:
            break
        if _in_furniture(el, container):
            continue
        unit = _unit_block(el, host)
        if unit is _HOLDER:
            continue
        k = _key(unit.text) if unit is not None else ""
        if (
            unit is None or unit.kind not in KINDS or _anchor(el) is not home
            or not k or f" {k} " in joined or k in seen
        ):
            opening, pending = [], []  # a unit left out (or kept already): what came before it is not this run
            continue
        seen.add(k)
        if unit.kind == "head":
            pending.append(unit)
        else:
            opening += pending
            pending = []
            opening.append(unit)
    return opening


def _confirm(pending: list[tuple[int, Block]], inserts: dict[int, list[Block]]) -> None:
    for at, unit in pending:
        inserts.setdefault(at, []).append(unit)
    pending.clear()


_HOLDER = Block("", "holder")  # a unit element that holds other units: they are judged one by one


def _unit_block(el: Any, host: str | None = None) -> Block | None:
    """The block of one unit element, or None when it holds other units (they are blocks of their own) or is
    mostly links."""
    kind = _UNITS[el.tag]
    if kind == "row":
        cells = [html_fold(_text(c)) for c in el if isinstance(c.tag, str) and c.tag in ("td", "th")]
        text = " | ".join(c for c in cells if c)
    elif el.tag == "li":
        text = _own_text(el)
    else:
        if any(isinstance(d.tag, str) and d.tag in _UNITS for d in el.iterdescendants()):
            return _HOLDER
        text = _text(el)
    if not text or not _WORD.search(text):
        return _HOLDER  # an empty unit (an image's list item) tells nothing
    if _link_share(el, text, host) >= MAX_LINK_SHARE:
        return None
    return Block(text, kind)


# headings and list items only: on wcxb-dev adding the dropped short paragraphs or table rows as well lowered
# word F1 (0.9514 -> 0.9498 with paragraphs, aeb-dev -0.0004; 0.9511 with rows); aeb-dev unchanged by rows
KINDS = frozenset(("head", "item"))
# a unit counts as beside the story when its own container (`_anchor`) or that container's parent is the
# parent or grandparent of a kept paragraph: on wcxb-dev the container alone gives 0.9512, one level more
# 0.9514, two levels 0.9514 with `without` 0.0287 -> 0.0291; any unit inside the common ancestor of the kept
# paragraphs (measured with an earlier version) added in-article widgets: `without` over 0.03, aeb-dev -0.0010
WRAP_LEVELS = 2


def _beside_story(el: Any, story_parents: set[Any]) -> bool:
    a = _anchor(el)
    for _ in range(WRAP_LEVELS):
        if a is None:
            return False
        if a in story_parents:
            return True
        a = a.getparent()
    return False


def _anchor(el: Any) -> Any:
    """The element whose child the unit is as a part of the text: a list item's list's parent, a row's
    table's parent, else the unit's own parent."""
    for a in el.iterancestors():
        if a.tag not in ("ul", "ol", "dl", "li", "table", "tbody", "thead", "tfoot", "tr", "td", "th"):
            return a
    return None


def _in_furniture(el: Any, container: Any) -> bool:
    for a in [el, *el.iterancestors()]:
        if a is container:
            return False
        if a is not el and a.tag in ("tr", "pre"):  # a row or a code block is one unit with all it holds
            return True
        if a.tag in _FURNITURE or a.tag == "a" or (a.get("role") or "") in ("navigation", "complementary", "button"):
            return True
    return False


def _common_ancestor(els: list[Any]) -> Any:
    chain = [els[0], *els[0].iterancestors()]
    others = [set(e.iterancestors()) | {e} for e in els[1:]]
    return next((a for a in chain if all(a in o for o in others)), None)
