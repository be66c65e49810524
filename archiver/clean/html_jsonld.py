"""The page's schema.org JSON-LD, read for the article it describes: headline, dates, authors, publisher.

Pages describe themselves in `<script type="application/ld+json">` blocks: one object, a list, or a Yoast /
Rank Math `@graph` whose nodes point at each other by `@id` (the article's `"author": {"@id": ...}` names a
Person node elsewhere in the graph). trafilatura's reader (`extract_meta_json`) takes the first author it
meets and does not follow `@id` references; here the graph is indexed once and the article node is chosen
by its schema.org type. Plain `json` is enough for the format; what needs care is which node is the story.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# schema.org types whose node is the story itself (Article and its subtypes, as used on news and blog pages)
_STORY_TYPES = frozenset((
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "liveblogposting", "techarticle",
    "scholarlyarticle", "report", "socialmediaposting", "posting", "review", "medicalscholarlyarticle",
    "advertisercontentarticle", "satiricalarticle", "discussionforumposting", "howto", "recipe",
))
# page types: the page that holds the story, a weaker witness of its dates and author
_PAGE_TYPES = frozenset(("webpage", "itempage", "medicalwebpage", "aboutpage", "qapage", "faqpage"))
_ORG_TYPES = frozenset(("organization", "newsmediaorganization", "corporation", "localbusiness", "website"))
# 2 MB of JSON-LD is far more than any article page has (wcxb-dev: at most ~200 KB); beyond is a data dump
_MAX_CHARS = 2_000_000


@dataclass
class JsonLd:
    """What the page's JSON-LD says about its story (empty fields where it says nothing)."""

    headline: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    author_is_person: bool = False
    publisher: str | None = None
    site: str | None = None  # the WebSite node's name
    from_story: bool = False  # the fields come from an Article-type node (not only a WebPage)


def jsonld_read(tree: Any) -> JsonLd:
    """The story's fields from all the page's JSON-LD blocks (the first story-type node wins)."""
    nodes: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        data = _load(script.text)
        if data is not None:
            _flatten(data, nodes, 0)
    out = JsonLd()
    if not nodes:
        return out
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    story = next((n for n in nodes if _types(n) & _STORY_TYPES), None)
    page = next((n for n in nodes if _types(n) & _PAGE_TYPES), None)
    out.from_story = story is not None
    for node in (story, page):
        if node is None:
            continue
        out.headline = out.headline or _text(node.get("headline"))
        out.published = out.published or _text(node.get("datePublished"))
        out.modified = out.modified or _text(node.get("dateModified"))
        if not out.authors:
            people = [_resolve(a, by_id) for a in _as_list(node.get("author") or node.get("creator"))]
            out.authors = [n for n, _ in people if n]
            out.author_is_person = any(is_person for n, is_person in people if n)
        out.publisher = out.publisher or _resolve(node.get("publisher"), by_id)[0]
    site = next((n for n in nodes if "website" in _types(n)), None)
    if site is not None:
        out.site = _text(site.get("name"))
    if out.publisher is None:
        org = next((n for n in nodes if _types(n) & _ORG_TYPES and "website" not in _types(n)), None)
        out.publisher = _text(org.get("name")) if org is not None else None
    return out


def _load(text: str) -> Any:
    """One JSON-LD block, tolerating what pages get wrong: HTML comments or CDATA around it, raw newlines
    in strings, a trailing comma."""
    text = text.strip()[:_MAX_CHARS]
    text = re.sub(r"^(?:<!--|/\*\s*<!\[CDATA\[\s*\*/|<!\[CDATA\[)|(?:-->|/\*\s*\]\]>\s*\*/|\]\]>)$", "", text).strip()
    for attempt in (text, re.sub(r",\s*([}\]])", r"\1", text)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            continue
    return None


def _flatten(data: Any, out: list[dict[str, Any]], depth: int) -> None:
    """Every node of a block: top-level objects, list items, `@graph` members, and nodes nested in them
    that carry their own type (an Article inside a WebPage's `mainEntity`)."""
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            _flatten(item, out, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            out.append(data)
        for key, value in data.items():
            if key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart", "itemListElement") or (
                key == "item" and isinstance(value, dict)
            ):
                _flatten(value, out, depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    t = node.get("@type")
    return {str(x).lower().rsplit("/", 1)[-1] for x in (t if isinstance(t, list) else [t]) if x}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    """A plain string field (some pages give a list of one, or an object with a "@value")."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if isinstance(value, (str, int)) and str(value).strip():
        return " ".join(str(value).split())
    return None


def _resolve(value: Any, by_id: dict[str, dict[str, Any]]) -> tuple[str | None, bool]:
    """The name of an author or publisher value (a string, an object, or an `@id` reference) and whether
    it is a Person."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        return (None, False) if value.startswith(("http://", "https://", "/")) else (_text(value), False)
    if not isinstance(value, dict):
        return None, False
    node = value
    if isinstance(node.get("@id"), str):
        node = {**by_id.get(node["@id"], {}), **node}
    return _text(node.get("name")), "person" in _types(node)
