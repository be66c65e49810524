"""Verified matches and lineage edges, and the one walk of a family through them (the caller commits)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import BindParameter, Row, bindparam, delete, insert, or_, select, update

from archiver.store import tables
from archiver.store.driversql import DriverStatement, insert_every_column

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from archiver.store.models import LineageEdge
    from archiver.store.tables import Reader

FAMILY_LIMIT = 5000  # texts walked when re-deriving one family; far above any syndication family seen

# Core statements built once for what the writer runs for every capture: the ORM layer (statement
# building, coercion, cache keys, autoflush, row loading) costs more than SQLite's work for these
_CAPTURE = tables.capture
_EDGE = tables.lineage_edge
_TEXT = tables.text

_LINEAGE_MEMBER_COLUMNS = (
    "id", "text_id", "published", "captured_at", "blob_sha256", "source_publisher", "site_name",
    "canonical_url", "url", "page_id", "version",
)


# the hottest are run on the driver's cursor (archiver.store.driversql: SQLAlchemy's work per execution was a
# third of the writer's time)
_LINEAGE_MEMBERS = DriverStatement(
    select(*(_CAPTURE.c[k] for k in _LINEAGE_MEMBER_COLUMNS), _TEXT.c.words)
    .join(_TEXT, _TEXT.c.id == _CAPTURE.c.text_id)
    .where(_CAPTURE.c.text_id.in_(bindparam("texts", expanding=True))),
    lists=("texts",), named=True,
)


_EDGES_OF = DriverStatement(select(
    _EDGE.c.child_id, _EDGE.c.parent_id, _EDGE.c.relation, _EDGE.c.score, _EDGE.c.evidence
).where(_EDGE.c.child_id.in_(bindparam("children", expanding=True))), lists=("children",))


_EDGES_DELETE = DriverStatement(
    delete(_EDGE).where(_EDGE.c.child_id.in_(bindparam("children", expanding=True))), lists=("children",)
)


_EDGE_UPDATE = DriverStatement(
    update(_EDGE)
    .where(_EDGE.c.child_id == bindparam("child"))
    .values(
        parent_id=bindparam("new_parent"), relation=bindparam("new_relation"), score=bindparam("new_score"),
        evidence=bindparam("new_evidence"),
    )
)


_EDGE_INSERT = insert_every_column(_EDGE)

_MATCH = tables.text_match

_MATCH_DELETE = delete(_MATCH).where(_MATCH.c.text_a == bindparam("a"), _MATCH.c.text_b == bindparam("b"))


def match_row(
    text_x: int,
    text_y: int,
    *,
    relation: str,
    score: float,
    excerpt_of_x: bool | None,
    evidence: dict[str, Any],
    verifier_version: int,
) -> dict[str, Any]:
    """A verified relation between two texts as a text_match row (text_a < text_b), for `matches_put`."""
    a, b = sorted((text_x, text_y))
    side = None
    if excerpt_of_x is not None:
        excerpt_text = text_x if excerpt_of_x else text_y
        side = "a" if excerpt_text == a else "b"
    return {
        "text_a": a, "text_b": b, "relation": relation, "score": score, "excerpt_side": side,
        "evidence": evidence, "verifier_version": verifier_version,
    }


def matches_put(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Record verified relations (`match_row`), replacing any stored for the same pairs: two executemany."""
    if not rows:
        return
    session.flush()
    session.execute(_MATCH_DELETE, [{"a": r["text_a"], "b": r["text_b"]} for r in rows])
    session.execute(insert(_MATCH), list(rows))


def lineage_members(session: Session, text_ids: Iterable[int]) -> list[Row[Any]]:
    """The captures of these texts, by id, with what lineage needs (`_LINEAGE_MEMBER_COLUMNS`, `words`)."""
    session.flush()
    ids = sorted(set(text_ids))
    out: list[Row[Any]] = []
    for start in range(0, len(ids), 500):
        out.extend(_LINEAGE_MEMBERS.rows(session, {"texts": ids[start : start + 500]}))
    return sorted(out, key=lambda r: r.id)


EdgeValues = tuple[int, str, float, list[str]]  # a lineage edge's parent, relation, score, evidence


def edges_replace(session: Session, capture_ids: Iterable[int], edges: dict[int, EdgeValues]) -> None:
    """Make these captures' lineage edges (as children) these: child -> (parent, relation, score, evidence).

    Rows already as given are left alone; only the edges that changed are deleted, updated or inserted.
    """
    ids = sorted(set(capture_ids))
    stored: dict[int, EdgeValues] = {}
    for start in range(0, len(ids), 500):
        for child, parent, relation, score, evidence in _EDGES_OF.rows(
            session, {"children": ids[start : start + 500]}
        ):
            stored[child] = (parent, relation, score, evidence)
    gone = sorted(set(stored) - set(edges))
    for start in range(0, len(gone), 500):
        _EDGES_DELETE.run(session, {"children": gone[start : start + 500]})
    changed = [
        {"child": c, "new_parent": p, "new_relation": r, "new_score": x, "new_evidence": e}
        for c, (p, r, x, e) in sorted(edges.items())
        if c in stored and stored[c] != (p, r, x, e)
    ]
    if changed:
        _EDGE_UPDATE.run_many(session, changed)
    fresh = [
        {"child_id": c, "parent_id": p, "relation": r, "score": x, "evidence": e}
        for c, (p, r, x, e) in sorted(edges.items())
        if c not in stored
    ]
    if fresh:
        _EDGE_INSERT.run_many(session, fresh)


def edge_of(session: Reader, capture_id: int) -> Row[Any] | None:
    """A capture's lineage edge as its child (every column of `lineage_edge`), if it has a parent."""
    return session.execute(select(_EDGE).where(_EDGE.c.child_id == capture_id)).first()


def children_of(session: Session, capture_id: int) -> list[LineageEdge]:
    from archiver.store.models import LineageEdge

    return list(
        session.scalars(
            select(LineageEdge).where(LineageEdge.parent_id == capture_id).order_by(LineageEdge.child_id)
        )
    )




_TEXTS: BindParameter[Any] = bindparam("texts", expanding=True)

_FAMILY_MATCHES = DriverStatement(select(
    _MATCH.c.text_a, _MATCH.c.text_b, _MATCH.c.relation, _MATCH.c.score, _MATCH.c.excerpt_side,
    _MATCH.c.evidence,
).where(or_(_MATCH.c.text_a.in_(_TEXTS), _MATCH.c.text_b.in_(_TEXTS))), lists=("texts",))


_FAMILY_PAGE_TEXTS = DriverStatement(select(_CAPTURE.c.text_id).where(
    _CAPTURE.c.page_id.in_(select(_CAPTURE.c.page_id).where(_CAPTURE.c.text_id.in_(_TEXTS)).scalar_subquery())
), lists=("texts",))


MatchRow = tuple[int, int, str, float, str | None, dict[str, Any]]  # a text_match row as `family_of` reads it


def family_walk(
    session: Session, text_ids: Iterable[int], *, pages: bool = True, before: int | None = None
) -> tuple[set[int], list[MatchRow]]:
    """The one walk of a family: the texts linked to these, and the verified matches among them.

    Linked by verified matches and, with `pages`, by being versions of one page (a revision can share few
    words with the version before it; the page keeps it in the family). `before`: only texts below it and
    the matches between them, what the archive held when text `before` was added, so `archive reprocess`
    (text by text in id order) walks as `add` did. Walked a level at a time (two queries per level, not per
    text), up to FAMILY_LIMIT texts. Matches are (text_a, text_b, relation, score, excerpt_side, evidence),
    ordered by (text_a, text_b).
    """
    session.flush()  # the Core reads below see pending matches and captures
    seen = {t for t in text_ids if before is None or t < before}
    frontier = sorted(seen)
    matches: dict[tuple[int, int], MatchRow] = {}
    while frontier and len(seen) < FAMILY_LIMIT:
        linked: set[int] = set()
        for start in range(0, len(frontier), 500):  # stay under SQLite's bound-parameter limit
            some = frontier[start : start + 500]
            for a, b, relation, score, side, evidence in _FAMILY_MATCHES.rows(session, {"texts": some}):
                if before is None or (a < before and b < before):
                    matches[(a, b)] = (a, b, relation, score, side, evidence)
                    linked.update((a, b))
            if pages:  # the texts on the pages of these texts' captures (a page seen before adds none)
                linked.update(text_id for (text_id,) in _FAMILY_PAGE_TEXTS.rows(session, {"texts": some}))
        frontier = sorted(linked - seen)[: max(0, FAMILY_LIMIT - len(seen))]
        seen.update(frontier)
    return seen, [matches[k] for k in sorted(matches)]


def text_neighbours(session: Session, text_id: int) -> set[int]:
    """A text, the texts it has verified matches with, and the texts of its captures' pages.

    Re-deriving the families of these after the text loses a capture reaches every capture whose
    lineage could have gone through it (`family_walk` walks on from each).
    """
    from archiver.store.models import CaptureRow, TextMatch

    out = {text_id}
    query = select(TextMatch).where(or_(TextMatch.text_a == text_id, TextMatch.text_b == text_id))
    for m in session.scalars(query):
        out.update((m.text_a, m.text_b))
    held = session.scalars(select(CaptureRow.page_id).where(CaptureRow.text_id == text_id))
    pages = {p for p in held if p is not None}
    for page_id in sorted(pages):
        out.update(session.scalars(select(CaptureRow.text_id).where(CaptureRow.page_id == page_id)))
    return out
