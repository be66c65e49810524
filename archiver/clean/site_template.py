"""Site templates (the pure rule): paragraphs that recur across *different stories* of one site are its template.

Pure: given an article, its site, and the paragraphs of the same site's other captures, it moves the
paragraphs that recur in at least TEMPLATE_MIN_STORIES other stories into chrome with the reason
"site-template".  Whether two captures tell the same story (syndicated copies, versions, rewrites:
their shared paragraphs are body, not template) is decided by a caller-supplied `same_story`, because
that needs the verifier, which sits to the right of the cleaner.  The database reads live in
`archiver.pipeline.site_templates`; nothing here knows about storage.

The rule is exact and a function of the site's set of captures: a paragraph of capture C is template
when at least TEMPLATE_MIN_STORIES *other* captures of the site hold it and do not tell C's story
(`template_counts`, counted up to that number). No cap on which captures are looked at, so adding a
capture can only raise counts: a paragraph that is template stays template, whatever order captures
arrive in. Captures are compared in one canonical paragraph order (`template_order`) that the store
can rebuild exactly from a stored text and its removed template paragraphs.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from archiver.types import Article, Chrome

TEMPLATE_REASON = "site-template"
# other stories of the same site a paragraph must recur in to count as template. Not calibrated on a
# corpus (aeb-dev has at most 2 pages per site); 3 = "a handful of captures" (once 4 different stories of
# a site share a paragraph, all 4 lose it) while a background paragraph reused in two follow-up stories of
# one event stays body.
TEMPLATE_MIN_STORIES = 3
# two captures share paragraphs covering at least this share of the shorter one's words: the same story
# (a syndicated copy, an excerpt, a version). A template (footer + teaser) is well under half of a news
# story; the guard only makes a template on a very short page count for fewer pairs, never remove body.
TEMPLATE_SAME_STORY_SHARE = 0.5

_SPACE_RE = re.compile(r"\s+")
_DIGIT_RE = re.compile(r"\d+")


@dataclass(frozen=True)
class SiteCapture:
    """Another capture of the same site: its id and its body paragraphs before learned removal."""

    capture_id: int
    paragraphs: tuple[str, ...]


# the same paragraphs are keyed again for every capture they are compared with; 65,536 paragraphs (a few
# MB) hold the sites an add or a reprocess of a few thousand captures reads, sized, not tuned
@functools.lru_cache(maxsize=1 << 16)
def template_key(paragraph: str) -> str:
    """The paragraph's identity across captures: lowercased, whitespace folded, each run of digits as 0, hashed."""
    folded = _DIGIT_RE.sub("0", _SPACE_RE.sub(" ", paragraph).strip().lower())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:32]


def template_site(publisher: str | None, site_name: str | None, url: str | None) -> str | None:
    """A capture's site: its canonical publisher, else its site name, else its URL host; None if none."""
    if publisher:
        return publisher.strip().lower()
    if site_name and site_name.strip():
        return _SPACE_RE.sub(" ", site_name).strip().lower()
    host = urlsplit(url).hostname if url else None
    if host:
        return host.lower().removeprefix("www.")
    return None


def template_paragraphs(article: Article) -> list[str]:
    """The article's body before learned removal: its paragraphs plus any already moved to site-template."""
    return list(article.paragraphs) + [c.text for c in article.chrome if c.reason == TEMPLATE_REASON]


def template_share(mine: Sequence[str], theirs: Sequence[str]) -> float:
    """Words of the paragraphs two captures share, as a share of the shorter capture's words."""
    theirs_keys = {template_key(p) for p in theirs}
    mine_keys = {template_key(p) for p in mine}
    shared_mine = sum(_words(p) for p in mine if template_key(p) in theirs_keys)
    shared_theirs = sum(_words(p) for p in theirs if template_key(p) in mine_keys)
    shorter = min(sum(map(_words, mine)), sum(map(_words, theirs)))
    return min(shared_mine, shared_theirs) / shorter if shorter else 0.0


@functools.lru_cache(maxsize=1 << 16)  # counted again for every comparison, like the keys above
def _words(paragraph: str) -> int:
    return len(paragraph.split())


def template_positions(paragraphs: Sequence[str]) -> dict[str, int]:
    """Each paragraph key's first position in the capture's body before learned removal."""
    out: dict[str, int] = {}
    for i, p in enumerate(paragraphs):
        out.setdefault(template_key(p), i)
    return out


def template_order(paragraphs: Sequence[str], positions: Mapping[str, int] | None = None) -> tuple[str, ...]:
    """The canonical order two captures are compared in: paragraphs grouped by key, groups by first position.

    That is the body order, except that a paragraph repeated further down sits beside its first copy. The
    store rebuilds it from the kept paragraphs, the removed template paragraphs and the recorded positions
    (`positions`; without them, first appearance in `paragraphs`).
    """
    groups: dict[str, list[str]] = {}
    for p in paragraphs:
        groups.setdefault(template_key(p), []).append(p)
    first = {key: i for i, key in enumerate(groups)}
    where = positions or {}
    ordered = sorted(groups, key=lambda k: (where[k], 0) if k in where else (len(first) + first[k], 1))
    return tuple(p for key in ordered for p in groups[key])


def template_counts(
    keys: Iterable[str],
    holders: Callable[[str], Iterable[int]],
    other_story: Callable[[int], bool],
    cap: int = TEMPLATE_MIN_STORIES,
) -> dict[str, int]:
    """Per key: how many other captures holding it (`holders`) tell another story, counted up to `cap`.

    Exact whatever order `holders` yields them in; it stops at `cap`, so a footer on thousands of
    captures costs a few comparisons.
    """
    counts: dict[str, int] = {}
    for key in dict.fromkeys(keys):
        n = 0
        for other in holders(key):
            if other_story(other):
                n += 1
                if n >= cap:
                    break
        counts[key] = n
    return counts


def template_keys(counts: Mapping[str, int], min_stories: int = TEMPLATE_MIN_STORIES) -> set[str]:
    """The keys whose count of other stories reached `min_stories`: the site's template in this capture."""
    return {key for key, n in counts.items() if n >= min_stories}


def template_keys_among(
    paragraphs: Sequence[str],
    others: Iterable[SiteCapture],
    same_story: Callable[[Sequence[str], Sequence[str]], bool],
    min_stories: int = TEMPLATE_MIN_STORIES,
) -> set[str]:
    """Keys of this capture's paragraphs found in at least `min_stories` other captures of other stories."""
    by_id = {o.capture_id: o for o in others}
    holders: dict[str, list[int]] = {}
    for o in by_id.values():
        for key in dict.fromkeys(template_key(p) for p in o.paragraphs):
            holders.setdefault(key, []).append(o.capture_id)
    verdict: dict[int, bool] = {}

    def other_story(i: int) -> bool:
        if i not in verdict:
            verdict[i] = not same_story(paragraphs, by_id[i].paragraphs)
        return verdict[i]

    counts = template_counts(
        (template_key(p) for p in paragraphs), lambda k: holders.get(k, ()), other_story, min_stories
    )
    return template_keys(counts, min_stories)


def template_apply(article: Article, templates: set[str]) -> Article:
    """The article with its template paragraphs moved to chrome ("site-template"); unchanged if none.

    A page whose every paragraph is template (an index page) is left as it is: there is no story to keep.
    """
    if not templates:
        return article
    keep = [p for p in article.paragraphs if template_key(p) not in templates]
    if not keep or len(keep) == len(article.paragraphs):
        return article
    removed = [Chrome(p, TEMPLATE_REASON) for p in article.paragraphs if template_key(p) in templates]
    return replace(article, paragraphs=keep, chrome=[*article.chrome, *removed])
