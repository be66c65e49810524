"""Learned site chrome: paragraphs that recur across *different stories* of one site are its template.

Pure: given an article, its site, and the paragraphs of the same site's other captures, it moves the
paragraphs that recur in at least LEARNED_MIN_STORIES other stories into chrome with the reason
"site-template".  Whether two captures tell the same story (syndicated copies, versions, rewrites:
their shared paragraphs are body, not template) is decided by a caller-supplied `same_story`, because
that needs the verifier, which sits to the right of the cleaner.  The database reads live in
`archiver.sitechrome`; nothing here knows about storage.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from archiver.types import Article, Chrome

LEARNED_REASON = "site-template"
# other stories of the same site a paragraph must recur in to count as template. Not calibrated on a
# corpus (aeb-dev has at most 2 pages per site); 3 = "a handful of captures" (the 4th capture of a site
# is cleaned) while a background paragraph reused in two follow-up stories of one event stays body.
LEARNED_MIN_STORIES = 3
# two captures share paragraphs covering at least this share of the shorter one's words: the same story
# (a syndicated copy, an excerpt, a version). A template (footer + teaser) is well under half of a news
# story; the guard only makes a template on a very short page count for fewer pairs, never remove body.
LEARNED_SAME_STORY_SHARE = 0.5

_SPACE_RE = re.compile(r"\s+")
_DIGIT_RE = re.compile(r"\d+")


@dataclass(frozen=True)
class SiteCapture:
    """Another capture of the same site: its id and its body paragraphs before learned removal."""

    capture_id: int
    paragraphs: tuple[str, ...]


def learned_key(paragraph: str) -> str:
    """The paragraph's identity across captures: lowercased, whitespace folded, each run of digits as 0, hashed."""
    folded = _DIGIT_RE.sub("0", _SPACE_RE.sub(" ", paragraph).strip().lower())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:32]


def learned_site(publisher: str | None, site_name: str | None, url: str | None) -> str | None:
    """A capture's site: its canonical publisher, else its site name, else its URL host; None if none."""
    if publisher:
        return publisher.strip().lower()
    if site_name and site_name.strip():
        return _SPACE_RE.sub(" ", site_name).strip().lower()
    host = urlsplit(url).hostname if url else None
    if host:
        return host.lower().removeprefix("www.")
    return None


def learned_paragraphs(article: Article) -> list[str]:
    """The article's body before learned removal: its paragraphs plus any already moved to site-template."""
    return list(article.paragraphs) + [c.text for c in article.chrome if c.reason == LEARNED_REASON]


def learned_share(mine: Sequence[str], theirs: Sequence[str]) -> float:
    """Words of the paragraphs two captures share, as a share of the shorter capture's words."""
    theirs_keys = {learned_key(p) for p in theirs}
    mine_keys = {learned_key(p) for p in mine}
    shared_mine = sum(len(p.split()) for p in mine if learned_key(p) in theirs_keys)
    shared_theirs = sum(len(p.split()) for p in theirs if learned_key(p) in mine_keys)
    shorter = min(sum(len(p.split()) for p in mine), sum(len(p.split()) for p in theirs))
    return min(shared_mine, shared_theirs) / shorter if shorter else 0.0


def learned_templates(
    paragraphs: Sequence[str],
    others: Iterable[SiteCapture],
    same_story: Callable[[Sequence[str], Sequence[str]], bool],
    min_stories: int = LEARNED_MIN_STORIES,
) -> set[str]:
    """Keys of this capture's paragraphs found in at least `min_stories` other captures of other stories."""
    mine = {learned_key(p) for p in paragraphs}
    counts: dict[str, int] = {}
    for other in others:
        shared = mine & {learned_key(p) for p in other.paragraphs}
        if not shared or same_story(paragraphs, other.paragraphs):
            continue
        for key in shared:
            counts[key] = counts.get(key, 0) + 1
    return {key for key, n in counts.items() if n >= min_stories}


def learned_apply(article: Article, templates: set[str]) -> Article:
    """The article with its template paragraphs moved to chrome ("site-template"); unchanged if none.

    A page whose every paragraph is template (an index page) is left as it is: there is no story to keep.
    """
    if not templates:
        return article
    keep = [p for p in article.paragraphs if learned_key(p) not in templates]
    if not keep or len(keep) == len(article.paragraphs):
        return article
    removed = [Chrome(p, LEARNED_REASON) for p in article.paragraphs if learned_key(p) in templates]
    return replace(article, paragraphs=keep, chrome=[*article.chrome, *removed])
