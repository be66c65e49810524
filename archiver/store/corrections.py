"""The SQL of lineage corrections set by hand (`correction` table): read, add, remove (the caller commits)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from archiver.store import tables
from archiver.store.driversql import DriverStatement
from archiver.store.models import Correction

CORRECTION_KINDS = ("link", "unlink", "origin")

_CORRECTION = tables.correction
_EDGE = tables.lineage_edge

# run at every re-derivation of a family (every add that matches): on the driver's cursor, as the other
# statements of the writer (archiver.store.driversql)
_CORRECTIONS_OF = DriverStatement(
    select(_CORRECTION)
    .where(_CORRECTION.c.capture_id.in_(bindparam("captures", expanding=True)))
    .order_by(_CORRECTION.c.id),
    lists=("captures",), named=True,
)


def corrections_of(session: Session, capture_ids: Iterable[int]) -> list[Any]:
    """The corrections of these captures (as `capture_id`), oldest first (pending ORM rows: the caller flushes)."""
    ids = sorted(set(capture_ids))
    out: list[Any] = []
    for start in range(0, len(ids), 500):
        out.extend(_CORRECTIONS_OF.rows(session, {"captures": ids[start : start + 500]}))
    return sorted(out, key=lambda r: r.id)


def corrections_all(session: Session) -> list[Correction]:
    return list(session.scalars(select(Correction).order_by(Correction.id)))


def correction_add(
    session: Session, kind: str, capture_id: int, *, parent_id: int | None = None, relation: str | None = None,
    publisher: str | None = None, created_at: datetime,
) -> Correction:
    assert kind in CORRECTION_KINDS, kind
    row = Correction(kind=kind, capture_id=capture_id, parent_id=parent_id, relation=relation,
                     publisher=publisher, created_at=created_at)
    session.add(row)
    session.flush()
    return row


def corrections_remove(session: Session, ids: Iterable[int]) -> None:
    wanted = sorted(set(ids))
    if wanted:
        session.execute(delete(Correction).where(Correction.id.in_(wanted)))
        session.flush()


def stored_parents(session: Session, capture_ids: Iterable[int]) -> dict[int, int]:
    """child -> parent of the stored lineage edges of these captures."""
    ids = sorted(set(capture_ids))
    if not ids:
        return {}
    rows = session.execute(select(_EDGE.c.child_id, _EDGE.c.parent_id).where(_EDGE.c.child_id.in_(ids)))
    return {c: p for c, p in rows}



def pinned_publishers(session: Session, capture_ids: Iterable[int]) -> dict[int, str]:
    """capture -> the publisher an `origin` correction names for it (the newest, when several)."""
    ids = sorted(set(capture_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Correction.capture_id, Correction.publisher)
        .where(Correction.kind == "origin", Correction.capture_id.in_(ids), Correction.publisher.is_not(None))
        .order_by(Correction.id)
    )
    return {c: p for c, p in rows if p is not None}
