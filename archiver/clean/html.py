"""HTML page -> Article: trafilatura finds the story, our repairs move the chrome it keeps into `chrome`.

Steps: parse (bounded), drop hidden/pop-up elements, the page's metadata (trafilatura's, less the fields we do
not keep), trafilatura `bare_extraction` with fixed settings
(favor_precision, no dedup, no comments) -> body blocks, a second opinion when that output collapsed, then
the article's dropped headings and list items put back (`archiver.clean.html_structure`), then
the line rules of `archiver.clean.html_rules` (title repeat, captions, share lines, link lists, bios ...).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from trafilatura import bare_extraction
from trafilatura import metadata as trafilatura_metadata
from trafilatura.settings import DEFAULT_CONFIG, Document, Extractor, set_date_params

from archiver.clean.html_author import PageAuthor, html_author
from archiver.clean.html_meta import meta_page
from archiver.clean.html_rules import Block, html_apply_rules, html_fold, html_host
from archiver.clean.html_structure import html_restore_structure
from archiver.clean.language import language_of
from archiver.errors import InputError
from archiver.types import Article

# The decoder refuses more than 50 MB of bytes; beyond 10 M characters of markup a page is a dump, not an
# article, and trafilatura's run time grows with it. The cut keeps the start, where articles are.
MAX_HTML_CHARS = 10_000_000

MIN_ARTICLE_WORDS = 8

# trafilatura settings, one fixed set (CONVENTIONS 8, trafilatura #778): no process-wide dedup cache, no
# comments, tables kept (reviews and sports pages carry body tables).
_SETTINGS: dict[str, Any] = dict(
    output_format="python",
    fast=False,  # the full run; `_extract` runs fast=True first (see html_needs_full_run)
    precision=True,
    recall=False,
    comments=False,
    formatting=False,
    links=False,  # links=True loses the text before a link in some layouts (CNN on aeb-dev); see html_anchors
    images=False,
    tables=True,
    dedup=False,
    with_metadata=True,  # whole-page extraction (the benchmarks' baseline); `_extract` turns it off
)

# Elements that are present in the markup but not shown to a reader: hover cards, tooltips, pop-ups
# (The Hill's "rollover-people" cards on aeb-dev put a bio and five headlines inside a sentence).
_HIDDEN_CLASS = re.compile(
    r"(?:^|[\s_-])"
    r"(?:rollover|tooltip|popover|hovercard|hover-card|popup|sr-only|visually-hidden|screen-reader)",
    re.I,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_HIDDEN_ATTRIBUTE = etree.XPath("//*[@hidden or @style]")
_CLASS_OR_ID = etree.XPath("//@class | //@id")
# React's streamed server rendering sends each part of the page as <div hidden id="S:n"> and a script moves it
# into place: shown to every reader with scripts on (on wcxb-dev 5 pages hold their whole article so)
_REACT_SEGMENT = re.compile(r"S:\d+$")
# A browser puts markup after a premature </body> or </html> back into the body (HTML's "after body" parsing
# mode); libxml2 drops it. On wcxb-dev one page's whole article followed a stray </body></html> (word F1
# 0.04 -> 0.97; no other page of wcxb-dev or aeb-dev changes); the parser closes both at the end anyway.
_ROOT_END = re.compile(r"</(?:body|html)\s*>", re.I)


def clean_html(html: str, url: str | None = None) -> Article:
    """Extract one article from an HTML page; raises InputError("no article text found") when there is none."""
    tree = html_parse(html)
    if tree is None:
        raise InputError("no article text found")
    # the page's metadata first (it does not depend on the extraction: trafilatura reads it before
    # extracting, from a tree it leaves as it is); every run then sees the URL it gives
    author = PageAuthor(tree)
    doc = html_metadata(tree, url, author)
    url = url or _meta(doc, "url")
    anchors = html_anchors(tree, url)
    prose = html_prose_len(tree)
    prose_paras = html_prose_paragraphs(tree)
    paras = [key for _, key in prose_paras]
    blocks = html_agreed_blocks(tree, url, anchors, prose, prose_paras)
    # a second opinion only where the story is in doubt: it looks cut or beside the page's prose (then
    # readability too), or it is short of 1.3x the prose while the element holding it shows much more (the
    # recall run alone: readability never won there on wcxb-dev or aeb-dev, and it is a third of the time)
    suspect = html_needs_second_opinion(blocks, prose) or (
        bool(paras) and html_prose_coverage(blocks, paras) < MAY_MISS_COVERAGE
    )
    if suspect or (html_may_miss_text(blocks, prose, paras) and html_container_holds_more(prose_paras, blocks)):
        blocks = html_second_opinion(html, tree, url, blocks, anchors, paras, readability=suspect)
    blocks = html_restore_structure(tree, blocks, url)
    meta = meta_page(tree, doc, url, author)
    boxed = html_boxed(tree, blocks, meta.headline)
    paragraphs, chrome = html_apply_rules(blocks, title=meta.headline, byline=meta.byline, boxed=boxed)
    # 8 words: less than one sentence of body is a navigation or error page, not an article
    if sum(len(p.split()) for p in paragraphs) < MIN_ARTICLE_WORDS:
        raise InputError("no article text found")
    return Article(
        paragraphs=paragraphs,
        title=meta.title,
        byline=meta.byline,
        site_name=meta.site_name,
        published=meta.published,
        language=language_of(" ".join(paragraphs), _meta(doc, "language") or meta.declared_language),
        canonical_url=_meta(doc, "url") or url,
        chrome=chrome,
        extractor="html",
    )


# a box beside the story, named by a whole word of its class or id (or a <footer>): an author bio, a footer, a
# newsletter sign-up, a promotion or call to action. trafilatura's runs and the structure step keep some of their
# lines (a bio after the story, a sign-up or donation box inside it); a kept block whose whole text lies in such a
# box is chrome. Bio, footer and newsletter boxes: on wcxb-dev 18 pages gain (0344 +0.094, 0118 +0.083, 0473
# +0.041 ...) and 3 lose (bios the truth keeps: 4497 -0.010, 0208, 4603): word F1 0.9545 -> 0.9550, halves
# 0.9553 / 0.9538 -> 0.9558 / 0.9542, `without` 0.0291 -> 0.0287; promotion boxes then 0.9550 -> 0.9553,
# halves 0.9562 / 0.9544, `without` 0.0276 (25 pages up: 0463 +0.045, 3035 +0.042, 0324, 0101 ...; 6 down:
# 0138 -0.013, a resource list in a "promo" box, 5 by 0.004 at most); aeb-dev unchanged by both. With
# "disclaimer", "copyright", "legal", "colophon" as footer words 11 more wcxb-dev pages gain and none loses, but
# aeb-dev's truth keeps an opinion disclaimer (-0.010 on the page): left out. A box word that is a word of the
# page's title is its topic, not a box (wcxb-dev 0198, "Best Audiobook Subscription Service", names its own
# sections "subscription": -0.002 without this exception; with "subscription" a box word so, 0442's
# notification prompt goes, +0.028).
_BOX_WORDS = {
    "author": "bio", "bio": "bio", "biography": "bio", "authorbio": "bio", "footer": "footer",
    "newsletter": "newsletter", "subscribe": "newsletter", "signup": "newsletter", "optin": "newsletter",
    "subscription": "newsletter",
    "promo": "promo", "promotion": "promo", "cta": "promo", "advert": "promo", "advertisement": "promo",
    "sponsor": "promo", "sponsored": "promo",
}
# a comment's "comment-author" class names the commenter, not a bio (on wcxb-dev 4660 a reader quoting the
# story's recipe steps: -0.050 without this)
_COMMENT_WORDS = frozenset(("comment", "comments", "reply", "replies"))
# a shorter block may be a heading or a name that a footer menu also shows ("Services", "FAQ", a product
# name; aeb-dev: a game's name in the site's footer menu, -0.006 at 4 words); 6 keeps "Get in touch: <phone>"
BOX_MIN_WORDS = 6
# a box that holds more words is a container of the story, not a box beside it (wcxb-dev: 150 -> 300 adds 3 pages
# up, none down: 0344 +0.094, a health plan's footer the recall run kept, and two bios; 600 the same; at 2,000
# story containers named "author" or "footer" go, 5 pages lose 0.49-1.0; at 80, 0118 and 0473 keep their boxes)
BOX_MAX_WORDS = 300
_CLASS_SPLIT = re.compile(r"[^a-z0-9]+")


def html_boxed(tree: Any, blocks: list[Block], title: str | None = None) -> dict[int, str]:
    """The blocks (by index) of `BOX_MIN_WORDS` or more whose whole text lies in a small box beside the story (an
    author bio, a footer, a newsletter sign-up: `_BOX_WORDS`, a <footer>), with the box's kind as the reason."""
    boxes: list[tuple[str, str]] = []
    topic = set(_CLASS_SPLIT.split((title or "").lower()))
    topic |= {w.removesuffix("s") for w in topic}
    for value in _CLASS_OR_ID(tree):
        words = _CLASS_SPLIT.split(str(value).lower())
        kind = next((_BOX_WORDS[w] for w in words if w in _BOX_WORDS and w not in topic), None)
        el = value.getparent()
        if kind is None or el.tag in ("body", "html", "main", "article") or _COMMENT_WORDS & set(words):
            continue
        boxes.append((kind, _block_key(Block(html_fold(_visible_text(el)), "p"))))
    boxes += [("footer", _block_key(Block(html_fold(_visible_text(el)), "p"))) for el in tree.iter("footer")]
    boxes = [(k, f" {t} ") for k, t in boxes if t and len(t.split()) <= BOX_MAX_WORDS]
    if not boxes:
        return {}
    out: dict[int, str] = {}
    for i, b in enumerate(blocks):
        key = _block_key(b)
        if len(key.split()) >= BOX_MIN_WORDS:
            kind = next((k for k, t in boxes if f" {key} " in t), None)
            if kind is not None:
                out[i] = kind
    return out


def html_parse(html: str) -> Any:
    """Parse with lxml's default limits (huge_tree off: depth and text-node caps), drop hidden elements; markup
    after a premature </body> or </html> stays in the body, as a browser shows it; React segments, tweets and
    embed blocks holding prose made readable to trafilatura."""
    html = html[:MAX_HTML_CHARS]
    if html.lstrip().startswith("<?xml"):
        html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)  # lxml refuses str input with an encoding declaration
    html = _ROOT_END.sub("", html)
    parser = lxml_html.HTMLParser(huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        tree = lxml_html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    if tree is None:
        return None
    hidden = [
        el for el in _HIDDEN_ATTRIBUTE(tree)
        if (el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or ""))
        and not _REACT_SEGMENT.match(el.get("id") or "")
    ]
    # class and id values are read as strings, without a Python object per element (2.4 -> 1.2 ms a page)
    hidden += [
        el for value in _CLASS_OR_ID(tree)
        if _HIDDEN_CLASS.search(value) and (el := value.getparent()).tag not in ("body", "html", "main", "article")
        and next(el.iter("h1"), None) is None  # the page's heading is not in a pop-up: broken markup nested it
    ]
    for el in hidden:
        if el.getparent() is not None:
            el.drop_tree()
    html_place_react_segments(tree)
    html_unwrap_embeds(tree)
    html_unmark_content_embeds(tree)
    return tree


_REACT_MOVE = re.compile(r"""\$RC\(\s*["'](B:\d+)["']\s*,\s*["'](S:\d+)["']""")


def html_place_react_segments(tree: Any) -> None:
    """Show React's streamed segments as its script does: each `<div hidden id="S:n">` moves to the place of the
    `<template id="B:m">` the page's `$RC("B:m","S:n")` call names, unhidden (trafilatura drops hidden
    elements: on wcxb-dev the headings and lists of a guide were in such segments); a segment no call names
    is unhidden where it is."""
    segments = {el.get("id"): el for el in tree.xpath("//div[@hidden][starts-with(@id, 'S:')]")
                if _REACT_SEGMENT.match(el.get("id") or "")}
    if not segments:
        return
    scripts = " ".join(t for t in tree.xpath("//script/text()") if "$RC" in t)
    templates = {el.get("id"): el for el in tree.iter("template") if (el.get("id") or "").startswith("B:")}
    for boundary, segment_id in _REACT_MOVE.findall(scripts):
        segment, place = segments.get(segment_id), templates.get(boundary)
        if segment is None or place is None or place.getparent() is None or segment.getparent() is None:
            continue
        if segment.tail:  # the text after the segment stays where it was (lxml moves an element's tail with it)
            prev, parent = segment.getprevious(), segment.getparent()
            if prev is not None:
                prev.tail = (prev.tail or "") + segment.tail
            else:
                parent.text = (parent.text or "") + segment.tail
            segment.tail = None
        segment.getparent().remove(segment)
        place.addnext(segment)
    for segment in segments.values():
        segment.attrib.pop("hidden", None)


def html_unwrap_embeds(tree: Any) -> None:
    """Turn embedded tweets into plain <blockquote>s: quoted posts are part of the story, but their
    widget wrappers ("social-embed", "tweet") make trafilatura discard them as share buttons."""
    for quote in list(tree.xpath("//blockquote[contains(@class, 'twitter-tweet')]")):
        text = html_fold(quote.text_content())
        if not text:
            continue
        new = lxml_html.Element("blockquote")
        rest = []
        for child in quote:
            if child.tag == "p":
                para = etree.SubElement(new, "p")
                para.text = html_fold(child.text_content())
            else:
                rest.append(child.text_content())
            rest.append(child.tail or "")
        tail = html_fold((quote.text or "") + "".join(rest))
        if tail:
            etree.SubElement(new, "p").text = tail
        outer = quote
        while (
            outer.getparent() is not None
            and outer.getparent().tag not in ("body", "article", "main")
            and html_fold(_visible_text(outer.getparent())) == text
        ):
            outer = outer.getparent()
        new.tail = outer.tail
        outer.getparent().replace(outer, new)


# trafilatura discards every div, section, span or p whose class holds "embed" (its share-widget tokens "embed",
# "embedded"; case as it matches). A CMS's embed block that holds a paragraph of prose is the article's own text:
# a table or a section in Webflow's "w-embed", Drupal's "embedded-entity", a quote box ("blockquote-embed").
# Inside the story's container on wcxb-dev, such elements holding a <p> hold 2,985 4-word shingles of true text
# (not kept otherwise) against 384 not true (those without a <p>: 1,178 against 1,580, left as they are);
# aeb-dev 80 against 0.
_EMBED_CLASS = etree.XPath("//*[self::div or self::section or self::span or self::p][contains(@class, 'embed')]")
# 20 words: a prose paragraph, as in `html_prose_len` (wcxb-dev: the same 6 pages change at 20 and 30 words;
# at 10, 4 more, 3 of them worse)
EMBED_PROSE_WORDS = 20


def html_unmark_content_embeds(tree: Any) -> None:
    """Drop the "embed" class words of an element that holds a paragraph of prose (`EMBED_PROSE_WORDS`), so that
    trafilatura does not discard the article's own embedded block as a share widget."""
    for el in _EMBED_CLASS(tree):
        if any(len(p.text_content().split()) >= EMBED_PROSE_WORDS for p in el.iter("p")):
            el.set("class", " ".join(w for w in (el.get("class") or "").split() if "embed" not in w))


def _visible_text(el: Any) -> str:
    """Text of an element without its scripts and styles."""
    return "".join(el.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]"))


def _extract(tree: Any, url: str | None, mode: str, fast: bool = True) -> Any:
    """One trafilatura run on a copy of the tree; None when it finds nothing.

    fast=True skips trafilatura's own fallback (running readability and jusText on every page and keeping
    the longer result), which costs a third of its time; `html_needs_full_run` asks for it where it helps.
    Without trafilatura's metadata (`html_metadata` reads it once, before the first run).
    """
    settings = dict(_SETTINGS, precision=mode == "precision", recall=mode == "recall", fast=fast, with_metadata=False)
    options = Extractor(url=url, **settings)
    try:
        return bare_extraction(tree, options=options)
    except (ValueError, RecursionError, etree.LxmlError):
        return None


def html_agreed_blocks(
    tree: Any, url: str | None, anchors: list[str], prose: int, prose_paras: list[tuple[Any, str]]
) -> list[Block]:
    """trafilatura's default run, less what only it kept outside the story that its precise run agrees on.

    Per page, from evidence: the blocks both runs keep are the story's core; a block only the default run
    keeps stays when it lies between agreed blocks (the story's own headings, lists, tables, key-point
    boxes) or is prose, and goes when it is a short line or a link before or after the agreed span. On
    wcxb-dev 0.78 of the words of such inner blocks are article text, 0.84 of edge prose, 0.05-0.45 of edge
    short lines; on aeb-dev the edge blocks are chrome (1 of 40 in the article).
    """
    precise = _extract(tree, url, "precision", fast=True)
    precise_blocks = html_blocks(precise.body if precise is not None else None, anchors)
    precise_in_doubt = html_needs_full_run(precise_blocks, prose)
    if precise_in_doubt:
        precise = _extract(tree, url, "precision", fast=False)
        if precise is not None:
            precise_blocks = html_blocks(precise.body, anchors)
    # the default run first without trafilatura's own fallback (readability, jusText: a third of its time),
    # then with it where that output is in doubt: the precise fast run was, or it is short, under half the
    # page's prose, or beside a container holding much more (the fallback finds the rest of the story where
    # the fast run kept a fragment: wcxb-dev lost the headings and lists of 3 pages without it)
    default = _extract(tree, url, "default", fast=True)
    default_blocks = html_blocks(default.body if default is not None else None, anchors)
    if precise_in_doubt or html_default_in_doubt(default_blocks, prose, prose_paras):
        default = _extract(tree, url, "default", fast=False)
        default_blocks = html_blocks(default.body if default is not None else None, anchors)
    if not precise_blocks:
        # the precise run found no story: the default run's output counts only when it is mostly prose (on
        # aeb-dev one such page gives a menu, whose story the full run or the second opinion then finds)
        prose = sum(len(b.text) for b in default_blocks if html_is_prose(b))
        return default_blocks if prose >= 0.5 * html_text_len(default_blocks) else []
    agreed_keys = {_block_key(b) for b in precise_blocks}
    agreed = [i for i, b in enumerate(default_blocks) if _block_key(b) in agreed_keys]
    if not agreed:
        # two different parts of the page: the precise run's, as before, unless the default run's holds far
        # more prose or is the precise run's text and much more (wcxb-dev: a story in one layout-table row)
        if html_prose_len_blocks(default_blocks) >= 3 * max(1, html_prose_len_blocks(precise_blocks)) or (
            html_text_len(default_blocks) >= 3 * html_text_len(precise_blocks)
            and html_containment(precise_blocks, default_blocks) >= 0.9
        ):
            return default_blocks
        return precise_blocks
    first, last = agreed[0], agreed[-1]
    return [
        b for i, b in enumerate(default_blocks)
        if first <= i <= last or _block_key(b) in agreed_keys or html_is_prose(b)
    ]


def html_default_in_doubt(blocks: list[Block], prose: int, prose_paras: list[tuple[Any, str]]) -> bool:
    """True when trafilatura's fast default run may have kept a fragment of the story: short or under half the
    page's prose (`html_needs_full_run`), or beside a container holding far more (`html_container_holds_more`).

    Its full run differs from the fast one on 38 of 711 wcxb-dev pages, 34 of them flagged here or by an empty
    precise run (95 flagged in all), and on 3 of 97 aeb-dev pages, 2 flagged (12 in all); `html_agreed_blocks`
    also asks it where the precise fast run was in doubt (3 wcxb-dev pages keep their subheads and lists so).
    Coverage of the page's prose paragraphs under 0.7 flagged 45 more pages of the two sets and none where
    the full run differed.
    """
    return html_needs_full_run(blocks, prose) or html_container_holds_more(prose_paras, blocks)


def html_prose_len_blocks(blocks: list[Block]) -> int:
    """Characters of the blocks that are prose paragraphs."""
    return sum(len(b.text) for b in blocks if html_is_prose(b))


def _block_key(b: Block) -> str:
    return " ".join(re.findall(r"\w+", b.text.lower()))


# a block of this many words ending like a sentence is prose (wcxb-dev: edge prose only the default run
# keeps is 0.84 article text; shorter edge lines 0.05-0.45)
PROSE_MIN_WORDS = 15


def html_is_prose(b: Block) -> bool:
    """A paragraph of running text: long enough, ends like a sentence, mostly unlinked."""
    return (
        b.kind in ("p", "item", "quote")
        and b.link_ratio < 0.5
        and len(b.text.split()) >= PROSE_MIN_WORDS
        and b.text.rstrip()[-1:] in ".!?:\"”’)"
    )


def html_anchors(tree: Any, url: str | None = None) -> list[str]:
    """The page's link texts of two words or more, longest first (for the link ratio of a block).

    With the page's URL, only links within its site count: a list of links to other sites is the story's
    sources or its subject (release notes, a ranking), a list of the site's own pages is its navigation.
    """
    host = html_host(url)
    texts = {
        html_fold(a.text_content()) for a in tree.iter("a")
        if not host or html_host(a.get("href") or "", host) == host
    }
    return sorted((t for t in texts if " " in t), key=lambda t: (-len(t), t))


def html_link_ratio(text: str, anchors: list[str]) -> float:
    """Share of the text's characters that are the text of some link on the page."""
    if not text or not anchors:
        return 0.0
    rest, linked = text, 0
    for anchor in anchors:
        if len(anchor) <= len(rest) and anchor in rest:
            linked += len(anchor) * rest.count(anchor)
            rest = rest.replace(anchor, " ")
    return min(1.0, linked / len(text))


def html_blocks(body: Any, anchors: list[str] | None = None) -> list[Block]:
    """trafilatura's body tree -> one Block per paragraph, heading, list item, quote line or table row."""
    blocks: list[Block] = []
    if body is None:
        return blocks
    if body.text and body.text.strip():
        blocks.append(Block(html_fold(body.text), "p"))
    for child in body:
        _blocks_of(child, blocks, kind=child.tag)
        if child.tail and child.tail.strip():  # trafilatura leaves loose text as tails of its siblings
            blocks.append(Block(html_fold(child.tail), "p"))
    blocks = [b for b in blocks if b.text]
    for b in blocks:
        b.link_ratio = html_link_ratio(b.text, anchors or [])
    return blocks


# trafilatura's block elements: each starts a new line in its text output (`xmltotxt`), so each is its own
# block here; its inline elements (hi, ref, del ...) stay in the line around them
_BLOCK_TAGS = frozenset(("p", "head", "list", "item", "quote", "table", "row", "cell", "div", "code", "graphic"))


def _blocks_of(el: Any, out: list[Block], kind: str) -> None:
    """Append the blocks of one element: block children are blocks of their own, lines split at <lb/>."""
    if el.tag == "row":
        cells = [html_fold(" ".join(c.itertext())) for c in el]
        out.append(Block(" | ".join(c for c in cells if c), "row"))
        return
    line: list[str] = []
    _walk(el, kind, line, out)
    _flush(line, kind, out)


def _flush(line: list[str], kind: str, out: list[Block]) -> None:
    text = html_fold("".join(line))
    if text:
        out.append(Block(text, kind))
    line.clear()


def _walk(el: Any, kind: str, line: list[str], out: list[Block]) -> None:
    """Collect an element's text into `line`; a block child or <lb/> ends the line."""
    if el.text:
        line.append(el.text)
    for c in el:
        if c.tag in _BLOCK_TAGS:
            _flush(line, kind, out)
            _blocks_of(c, out, kind="quote" if kind == "quote" or el.tag == "quote" else c.tag)
        elif c.tag == "lb":
            _flush(line, kind, out)
        else:
            _walk(c, kind, line, out)
        if c.tail:
            line.append(c.tail)


def html_text_len(blocks: list[Block]) -> int:
    """Characters of body text in the blocks."""
    return sum(len(b.text) for b in blocks)


def html_prose_len(tree: Any) -> int:
    """Characters in the page's prose paragraphs: <p> elements of 20 words or more."""
    total = 0
    for p in tree.iter("p"):
        text = html_fold(p.text_content())
        if len(text.split()) >= 20:  # 20 words: a sentence or two; shorter <p>s are mostly teasers and labels
            total += len(text)
    return total


# a story body shorter than this many characters (about 50 words) is suspect: on aeb-dev every page
# whose fast run kept less than 120 characters had its story found by the full run
SUSPECT_BODY_CHARS = 300


def html_needs_full_run(blocks: list[Block], prose: int) -> bool:
    """True when the fast run (no fallback) may have missed the story: collapsed, or suspiciously short.

    On aeb-dev the fast run differs from the full run on 4 of 97 pages, each kept under 0.25x the page's
    long-<p> text or under 120 characters; both tests below catch all four (and 3 pages where the full run
    gives the same text).
    """
    return html_needs_second_opinion(blocks, prose) or html_text_len(blocks) < SUSPECT_BODY_CHARS


def html_needs_second_opinion(blocks: list[Block], prose: int) -> bool:
    """True when trafilatura's precise output looks collapsed: empty, or far shorter than the page's prose
    (`prose`: its `html_prose_len`)."""
    n = html_text_len(blocks)
    # 0.5: on aeb-dev the precise output is >= 0.47x the page's long-<p> text, except on the one page where it
    # kept only the first of the article's several containers (0.33x)
    return n == 0 or n < 0.5 * prose


def html_prose_paragraphs(tree: Any) -> list[tuple[Any, str]]:
    """The page's prose paragraphs (<p> of 20 words or more): each element with its lowercase word string."""
    out = []
    for p in tree.iter("p"):
        text = html_fold(p.text_content())
        if len(text.split()) >= 20:
            out.append((p, _block_key(Block(text, "p"))))
    return out


def html_prose_coverage(blocks: list[Block], paras: list[str]) -> float:
    """Share of the page's prose paragraphs (by characters) found in the blocks."""
    total = sum(len(p) for p in paras)
    if not total:
        return 0.0
    joined = " " + " ".join(_block_key(b) for b in blocks) + " "
    return sum(len(p) for p in paras if p in joined) / total


# the second opinion is asked where the story may be incomplete: under 1.3x the page's long-<p> text (its
# lists, headings and short paragraphs would add more) or under 0.7 of those paragraphs kept (wcxb-dev:
# 448 of 711 pages are under 1.3x; the rule below changes the story on 26 of them)
MAY_MISS_PROSE_RATIO = 1.3
MAY_MISS_COVERAGE = 0.7


def html_may_miss_text(blocks: list[Block], prose: int, paras: list[str]) -> bool:
    """True when the page holds prose the blocks may have missed."""
    return html_text_len(blocks) < MAY_MISS_PROSE_RATIO * prose or (
        bool(paras) and html_prose_coverage(blocks, paras) < MAY_MISS_COVERAGE
    )


# the story's container holds this many times the text we kept: the recall run may find the rest (wcxb-dev: on
# the 4 pages where the recall run won without the story looking cut, the container held 2.0-2.6x; on 389 of
# the other 409 pages under 1.6x, where the recall run changed nothing; aeb-dev: 59 of 60 under;
# docs/calibration.md#html-cleaning-on-the-broad-web-issue-21)
CONTAINER_MORE_RATIO = 1.6


def html_container_holds_more(prose_paras: list[tuple[Any, str]], blocks: list[Block]) -> bool:
    """True when the element holding all of our prose paragraphs (`html_prose_paragraphs`) shows much more text
    than we kept (its lists, short paragraphs and subheads), or when none of our prose is a page paragraph."""
    joined = " " + " ".join(_block_key(b) for b in blocks) + " "
    kept = [p for p, key in prose_paras if f" {key} " in joined]
    if not kept:
        return True
    if len(kept) == 1:
        container = kept[0].getparent()
    else:
        others = [set(p.iterancestors()) for p in kept[1:]]
        container = next((a for a in kept[0].iterancestors() if all(a in o for o in others)), None)
    if container is None:
        return True
    return len(html_fold(_visible_text(container))) >= CONTAINER_MORE_RATIO * html_text_len(blocks)


def html_second_opinion(
    html: str, tree: Any, url: str | None, blocks: list[Block], anchors: list[str], paras: list[str],
    readability: bool = True,
) -> list[Block]:
    """Try trafilatura favor_recall and readability-lxml; keep the first that is clearly better.

    Rule: a candidate wins when ours is empty; when it is at least twice as long *and* contains at least
    90% of our shingles (it is a superset of ours, not a different part of the page); or when it holds at
    least 0.3 more of the page's prose paragraphs and 0.6 of them at least (it is the part of the page
    where the story is).
    """
    candidates = [lambda: _extract(tree, url, "recall")]
    if readability:
        candidates.append(lambda: _readability(html, url))
    for make in candidates:
        alt = make()
        alt_blocks = html_blocks(alt.body if alt is not None else None, anchors)
        if not alt_blocks:
            continue
        if not blocks:
            return alt_blocks
        ours_len, alt_len = html_text_len(blocks), html_text_len(alt_blocks)
        # 2.0 and 0.9: on aeb-dev readability is >= 2.7x trafilatura only where trafilatura truncated the
        # story; elsewhere it is <= 1.8x, by adding comments and link lists
        if alt_len >= 2.0 * ours_len and html_containment(blocks, alt_blocks) >= 0.9:
            return alt_blocks
        # 0.3 and 0.6: on wcxb-dev a candidate holding that much more of the page's prose is the story's
        # container where ours kept a box beside it (+0.0006 word F1; aeb-dev unchanged)
        alt_cover = html_prose_coverage(alt_blocks, paras)
        if alt_cover >= 0.6 and alt_cover >= html_prose_coverage(blocks, paras) + 0.3:
            return alt_blocks
    return blocks


def html_metadata(tree: Any, url: str | None, author: PageAuthor | None = None) -> Any:
    """trafilatura's metadata of the page (title, author, URL, date, site name), without categories, tags
    and licence.

    The steps of trafilatura's `extract_metadata`, in its order and with its functions, less the three
    fields we do not keep: on the 97 aeb-dev pages those cost 2.5 ms of its 8.2 ms a page (a tenth of
    cleaning a page). Its author step is `html_author`, the same rules in one walk over the page.
    `tests/test_clean_html.py` checks the fields against `extract_metadata`.
    """
    m = trafilatura_metadata
    if not _METADATA_STEPS_FOUND:
        return html_metadata_full(tree, url)
    try:
        meta = m.examine_meta(tree)
        if meta.author and " " not in meta.author:
            meta.author = None
        with contextlib.suppress(Exception):  # as trafilatura: its JSON-LD reader has bugs of its own
            meta = m.extract_meta_json(tree, meta)
        _metadata_fill_from_page(tree, url, meta, author)
        date_config = dict(_DATE_PARAMS, url=meta.url)
        meta.date = m.find_date(tree, **date_config)
        _metadata_sitename(tree, meta)
        meta.filedate = date_config.get("max_date")
        meta.clean_and_trim()
    except (ValueError, etree.LxmlError):
        return None
    return meta


def _metadata_fill_from_page(tree: Any, url: str | None, meta: Any, author: PageAuthor | None) -> None:
    """Fill the title, author and URL the head lacks from the page itself, and the hostname from the URL."""
    m = trafilatura_metadata
    if not meta.title:
        meta.title = m.extract_title(tree)
    if not meta.author:
        meta.author = html_author(tree, author)
    if not meta.url:
        meta.url = m.extract_url(tree, url)
    if meta.url:
        meta.hostname = m.extract_domain(meta.url, fast=True)


def _metadata_sitename(tree: Any, meta: Any) -> None:
    """Set the site name as trafilatura does: the page's own, tidied, else the one in the URL."""
    m = trafilatura_metadata
    if not meta.sitename:
        meta.sitename = m.extract_sitename(tree)
    if meta.sitename:
        meta.sitename = meta.sitename.lstrip("@")
        if meta.sitename and "." not in meta.sitename and not meta.sitename[0].isupper():
            meta.sitename = meta.sitename.title()
    elif meta.url:
        found = m.META_URL.match(meta.url)
        if found:
            meta.sitename = found[1]


# the steps are trafilatura internals: a release that renames one gets its whole extract_metadata instead
_METADATA_STEPS_FOUND = all(
    hasattr(trafilatura_metadata, name)
    for name in (
        "examine_meta", "extract_meta_json", "extract_title", "extract_author", "extract_url",
        "extract_domain", "find_date", "extract_sitename", "META_URL",
    )
)
# the date settings trafilatura's extraction passes to htmldate (its configured EXTENSIVE_DATE_SEARCH)
_DATE_PARAMS = set_date_params(DEFAULT_CONFIG.getboolean("DEFAULT", "EXTENSIVE_DATE_SEARCH"))


def html_metadata_full(tree: Any, url: str | None) -> Document | None:
    """trafilatura's whole `extract_metadata` (what `html_metadata` reproduces; kept for the check)."""
    try:
        return trafilatura_metadata.extract_metadata(tree, default_url=url, date_config=dict(_DATE_PARAMS))
    except (ValueError, etree.LxmlError):
        return None


def _readability(html: str, url: str | None) -> Any:
    """readability-lxml's main content, run back through trafilatura (recall) for the same block structure."""
    try:
        from readability import Document as ReadabilityDocument

        summary = ReadabilityDocument(html[:MAX_HTML_CHARS], url=url).summary(html_partial=False)
    except Exception:  # readability raises bare Exceptions on odd markup; it is only a second opinion
        return None
    sub = html_parse(summary)
    return _extract(sub, url, "recall") if sub is not None else None


def _shingles(blocks: list[Block]) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", " ".join(b.text for b in blocks).lower())
    return {tuple(words[i : i + 4]) for i in range(max(1, len(words) - 3))}


def html_containment(inner: list[Block], outer: list[Block]) -> float:
    """Share of inner's 4-word shingles that also occur in outer."""
    a = _shingles(inner)
    return len(a & _shingles(outer)) / len(a) if a else 0.0


def _meta(doc: Any, name: str) -> str | None:
    """A metadata field of a trafilatura Document, folded; None when absent."""
    value = getattr(doc, name, None) if doc is not None else None
    if not value or not isinstance(value, str):
        return None
    return html_fold(value) or None
