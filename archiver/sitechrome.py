"""Learned site chrome against the archive: find the site's other stories, judge same-story, apply.

`archiver.clean.learned` is the pure rule; this module feeds it. At `add` the other captures come from
the `site_paragraph` table (captures added *earlier*: the first captures of a site keep their template
until `archive reprocess`, which feeds every other capture of the site from memory through `SitePool`).
When a template is removed, the text's fingerprints and band keys are computed again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from archiver import store
from archiver.clean.learned import (
    LEARNED_MIN_STORIES,
    LEARNED_SAME_STORY_SHARE,
    SiteCapture,
    learned_apply,
    learned_key,
    learned_paragraphs,
    learned_share,
    learned_templates,
)
from archiver.fingerprint import band_keys, fingerprint_text
from archiver.verify import compare_texts

if TYPE_CHECKING:
    from archiver.pipeline import Prepared

# other captures of the site compared with a new one, most recent first: bounds the verifier calls per
# add (a few ms each on aeb-dev-sized stories) while leaving room for LEARNED_MIN_STORIES different
# stories beside the several copies of one syndicated story a site may hold
LEARNED_MAX_SCAN = 30


def sitechrome_same_story(mine: Sequence[str], theirs: Sequence[str]) -> bool:
    """Whether two captures of a site tell the same story (their shared paragraphs are then body).

    Mostly the same paragraphs: a copy, excerpt or version. Otherwise the verifier compares what is left
    once the paragraphs they share are set aside, so a shared footer never makes two stories "related".
    """
    if learned_share(mine, theirs) >= LEARNED_SAME_STORY_SHARE:
        return True
    mine_keys = {learned_key(p) for p in mine}
    theirs_keys = {learned_key(p) for p in theirs}
    rest_a = "\n\n".join(p for p in mine if learned_key(p) not in theirs_keys)
    rest_b = "\n\n".join(p for p in theirs if learned_key(p) not in mine_keys)
    if not rest_a.strip() or not rest_b.strip():
        return False
    return compare_texts(rest_a, rest_b).relation is not None


def sitechrome_apply(item: Prepared, others: Iterable[SiteCapture]) -> Prepared:
    """The prepared capture with template paragraphs moved to chrome and its fingerprints redone."""
    templates = learned_templates(learned_paragraphs(item.article), others, sitechrome_same_story)
    article = learned_apply(item.article, templates)
    if article is item.article:
        return item
    fps = fingerprint_text(article.text)
    return dataclasses.replace(item, article=article, fingerprints=fps, bands={fp.kind: band_keys(fp) for fp in fps})


def sitechrome_record(session: Session, capture_id: int, site: str | None, item: Prepared) -> None:
    """Record the capture's paragraphs (before learned removal) under its site, for later captures."""
    store.site_paragraphs_put(session, capture_id, site, [learned_key(p) for p in learned_paragraphs(item.article)])


class SitePool:
    """Every capture's pre-removal paragraphs in memory, by site: the context `archive reprocess` learns from."""

    def __init__(self) -> None:
        self.paragraphs: dict[int, tuple[str, ...]] = {}
        self.when: dict[int, datetime] = {}
        self.by_key: dict[tuple[str, str], set[int]] = {}

    def add(self, capture_id: int, site: str | None, captured_at: datetime, paragraphs: Sequence[str]) -> None:
        if site is None:
            return
        self.paragraphs[capture_id] = tuple(paragraphs)
        self.when[capture_id] = captured_at
        for p in paragraphs:
            self.by_key.setdefault((site, learned_key(p)), set()).add(capture_id)

    def learn(self, item: Prepared, site: str | None, capture_id: int) -> Prepared:
        """Apply the template learned from the site's *other* captures (the LEARNED_MAX_SCAN latest sharing a paragraph)."""
        if site is None:
            return item
        ids: set[int] = set()
        for p in learned_paragraphs(item.article):
            ids.update(self.by_key.get((site, learned_key(p)), ()))
        ids.discard(capture_id)
        # latest first; ties by content, never by id (ids follow the add order)
        ordered = sorted(ids, key=lambda i: (self.when[i].isoformat(), self.paragraphs[i]), reverse=True)
        ordered = ordered[:LEARNED_MAX_SCAN]
        if len(ordered) < LEARNED_MIN_STORIES:
            return item
        return sitechrome_apply(item, [SiteCapture(i, self.paragraphs[i]) for i in ordered])
