"""A family's lineage from the store: its members, its origins, its edges re-derived and written."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from archiver.clean.credits import site_publisher
from archiver.lineage.boilerplate import matches_without_boilerplate
from archiver.lineage.corrections import corrections_apply
from archiver.lineage.edges import Edge, Match, Member, derive_edges, family_order
from archiver.store.captures import credit_names_of
from archiver.store.locks import locks_take
from archiver.store.matches import MatchRow, edges_replace, family_walk, lineage_members
from archiver.types import utc


def _member(row: Row[Any], credits: list[tuple[str, str]], words: int) -> Member:
    """What lineage needs of one capture (`lineage_members` row)."""
    return Member(
        capture_id=row.id,
        text_id=row.text_id,
        published=row.published,
        captured_at=utc(row.captured_at),
        blob_sha256=row.blob_sha256,
        source_publisher=row.source_publisher,
        site_publisher=site_publisher(row.site_name, row.canonical_url or row.url),
        credits=tuple(credits),
        words=words,
        page_id=row.page_id,
        version=row.version,
    )


def family_walk_locked(
    session: Session, text_ids: Iterable[int], *, pages: bool = True, before: int | None = None
) -> tuple[set[int], list[MatchRow]]:
    """`family_walk`, with every text it reaches locked (`archiver.store.locks`, "family"; nothing on SQLite).

    Walked again after locking what it found, until a walk finds nothing more to lock: the family may have
    grown (another writer committed a match into it) while this writer waited, and the family whose lineage
    is derived must be the one the locks cover. A writer re-deriving a family therefore waits for any other
    writer re-deriving it, or a family it joins, and then sees what that one committed.
    """
    ids = list(text_ids)
    while True:
        family = family_walk(session, ids, pages=pages, before=before)
        if not locks_take(session, ("family", family[0])):
            return family


def family_origins(session: Session, text_ids: Iterable[int], before: int) -> set[int]:
    """For each family of these texts among the texts below `before`: the text of its earliest member.

    Earliest in lineage order (`lineage.family_order`): the member its lineage has as root. The family is
    walked through matches between texts below `before` only (`store.matches.family_walk`): what the archive
    held when text `before` was added, so `archive reprocess` (text by text in id order) finds the same.
    """
    origins: set[int] = set()
    walked: set[int] = set()
    for text_id in sorted(text_ids):
        if text_id in walked:
            continue
        family, match_rows = family_walk_locked(session, [text_id], pages=False, before=before)
        walked |= family
        rows = lineage_members(session, family)
        if not rows:
            continue
        credits = credit_names_of(session, [r.id for r in rows])
        members = [_member(r, credits[r.id], r.words) for r in rows]
        matches = [Match(a, b, rel, score, side, ev or {}) for a, b, rel, score, side, ev in match_rows]
        matches = matches_without_boilerplate(session, sorted(family), matches)
        origins.add(family_order(members, matches=matches)[0].text_id)
    return origins


def rederive_family(
    session: Session, text_id: int, family: tuple[set[int], list[MatchRow]] | None = None
) -> list[Edge]:
    """Recompute the lineage edges of every capture in this text's family (`family`: its walk, if made)."""
    text_ids, match_rows = family if family is not None else family_walk_locked(session, [text_id])
    rows = lineage_members(session, text_ids)
    credits = credit_names_of(session, [r.id for r in rows])
    members = [_member(r, credits[r.id], r.words) for r in rows]
    matches = [Match(a, b, rel, score, side, ev or {}) for a, b, rel, score, side, ev in match_rows]
    # a pair sharing passages that recur across unrelated stories is judged on the rest (`lineage.boilerplate`)
    matches = matches_without_boilerplate(session, sorted(text_ids), matches)
    edges = derive_edges(members, matches)
    wanted = {e.child_id: (e.parent_id, e.relation, e.score, e.evidence) for e in edges}
    wanted = corrections_apply(session, [r.id for r in rows], wanted)  # hand corrections act here, and only here
    edges_replace(session, [r.id for r in rows], wanted)
    return [Edge(c, p, rel, score, ev) for c, (p, rel, score, ev) in wanted.items()]


def rederive_families(session: Session, text_ids: Iterable[int]) -> list[Edge]:
    """Re-derive the lineage of the families of these texts (each family once).

    A text no longer stored (removed by a re-clean) is a family without captures: it yields no edge.
    """
    ids = list(dict.fromkeys(text_ids))
    edges: list[Edge] = []
    done: set[int] = set()
    for text_id in ids:
        if text_id in done:
            continue
        family = family_walk_locked(session, [text_id])
        done |= family[0]
        edges.extend(rederive_family(session, text_id, family))
    return edges
