"""Making and undoing lineage corrections by hand: each stored, then its family re-derived in one transaction.

`archive link`, `unlink`, `origin` and their `--undo` call these with capture ids (the CLI resolves
references with `read.resolve`). What a correction does to lineage is decided in one place,
`archiver.lineage.corrections`; here it is checked (no cycle, no contradiction), stored and applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archiver.errors import NotFoundError, UsageError
from archiver.lineage.corrections import correction_record, corrections_path
from archiver.lineage.families import rederive_families
from archiver.sources.exports import CarriedCorrection
from archiver.store.corrections import correction_add, corrections_remove
from archiver.store.engine import Archive
from archiver.store.models import CaptureRow, Correction, LineageEdge
from archiver.types import RELATIONS


def _edge(session: Session, capture_id: int) -> dict[str, Any] | None:
    """The capture's stored edge, read afresh (the re-derivation writes on the driver's cursor, not the ORM's)."""
    session.flush()
    found = session.execute(
        select(LineageEdge.parent_id, LineageEdge.relation, LineageEdge.score, LineageEdge.evidence)
        .where(LineageEdge.child_id == capture_id)
    ).first()
    if found is None:
        return None
    return {"id": found.parent_id, "relation": found.relation, "score": found.score, "evidence": list(found.evidence)}


def _capture(session: Session, capture_id: int) -> CaptureRow:
    row = session.get(CaptureRow, capture_id)
    if row is None:
        raise NotFoundError(f"no capture {capture_id} in this archive")
    return row


def _of(session: Session, kind: str, capture_id: int) -> list[Correction]:
    return list(session.scalars(
        select(Correction).where(Correction.kind == kind, Correction.capture_id == capture_id).order_by(Correction.id)
    ))


def _rederive(session: Session, capture_ids: Iterable[int]) -> None:
    rows = [_capture(session, i) for i in sorted(set(capture_ids))]
    rederive_families(session, [r.text_id for r in rows])


def _result(session: Session, row: Correction | None, capture_id: int, undone: list[Correction]) -> dict[str, Any]:
    return {
        "correction": correction_record(row) if row is not None else None,
        "undone": [correction_record(u) for u in undone],
        "capture_id": capture_id,
        "parent": _edge(session, capture_id),
    }


def correct_link(
    archive: Archive, child: int, parent: int, relation: str = "copy", now: datetime | None = None
) -> dict[str, Any]:
    """Record that `child` is derived from `parent`; refused when it would close a cycle of hand-set links."""
    if relation not in RELATIONS:
        raise UsageError(f"unknown relation {relation!r}", hint=f"Use one of: {', '.join(RELATIONS)}.")
    if child == parent:
        raise UsageError(f"capture #{child} cannot be derived from itself")

    def work(session: Session) -> dict[str, Any]:
        _capture(session, child)
        _capture(session, parent)
        if _of(session, "origin", child):
            raise UsageError(
                f"capture #{child} is pinned as an origin by hand, so it has no parent",
                hint=f"Undo that first: archive origin {child} --undo",
            )
        before = corrections_path(session, parent, child)  # for the message: what the link would close
        replaced = _of(session, "link", child) + [
            u for u in _of(session, "unlink", child) if u.parent_id == parent
        ]
        corrections_remove(session, [r.id for r in replaced])
        row = correction_add(session, "link", child, parent_id=parent, relation=relation,
                             created_at=now or datetime.now(UTC))
        _rederive(session, [child])
        edge = _edge(session, child)
        if edge is None or edge["id"] != parent:
            chain = " -> ".join(f"#{n}" for n in before)
            raise UsageError(
                f"linking #{child} to #{parent} would make a cycle: {chain} is derived from #{child} by hand",
                hint="Undo one of those links first (archive corrections lists them); nothing was changed.",
            )
        return _result(session, row, child, replaced)

    return archive.write(work)


def correct_unlink(
    archive: Archive, child: int, parent: int | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Record that `child` is not derived from `parent` (default: its current parent)."""

    def work(session: Session) -> dict[str, Any]:
        _capture(session, child)
        source = parent
        if source is None:
            edge = _edge(session, child)
            if edge is None:
                raise UsageError(f"capture #{child} has no parent to unlink it from",
                                 hint=f"See its lineage: archive lineage {child}")
            source = edge["id"]
        else:
            _capture(session, source)
        replaced = [r for r in _of(session, "link", child) if r.parent_id == source]
        replaced += [r for r in _of(session, "unlink", child) if r.parent_id == source]
        corrections_remove(session, [r.id for r in replaced])
        row = correction_add(session, "unlink", child, parent_id=source, created_at=now or datetime.now(UTC))
        _rederive(session, [child])
        return _result(session, row, child, replaced)

    return archive.write(work)


def correct_origin(
    archive: Archive, capture: int, publisher: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Pin `capture` as the origin of its family, published by `publisher` when given."""
    if publisher is not None and not publisher.strip():
        raise UsageError("--publisher needs a name")

    def work(session: Session) -> dict[str, Any]:
        _capture(session, capture)
        links = _of(session, "link", capture)
        if links:
            raise UsageError(
                f"capture #{capture} is linked by hand to #{links[-1].parent_id}, so it is not an origin",
                hint=f"Undo that first: archive link {capture} --undo",
            )
        replaced = _of(session, "origin", capture)
        corrections_remove(session, [r.id for r in replaced])
        row = correction_add(session, "origin", capture, publisher=publisher.strip() if publisher else None,
                             created_at=now or datetime.now(UTC))
        _rederive(session, [capture])
        return _result(session, row, capture, replaced)

    return archive.write(work)


def correct_undo(
    archive: Archive, *, correction_id: int | None = None, kind: str | None = None, capture: int | None = None,
    parent: int | None = None,
) -> dict[str, Any]:
    """Remove corrections: one by its id, or those of a kind on a capture (from `parent`, when given)."""

    def work(session: Session) -> dict[str, Any]:
        if correction_id is not None:
            found = session.get(Correction, correction_id)
            rows = [found] if found is not None else []
            label = f"correction {correction_id}"
        else:
            assert kind is not None and capture is not None
            rows = [r for r in _of(session, kind, capture) if parent is None or r.parent_id == parent]
            label = f"{kind} correction of capture #{capture}" + (f" from #{parent}" if parent is not None else "")
        if not rows:
            raise NotFoundError(f"no {label} to undo", hint="List them: archive corrections")
        corrections_remove(session, [r.id for r in rows])
        target = rows[0].capture_id
        _rederive(session, [target])
        return _result(session, None, target, rows)

    return archive.write(work)


def corrections_import(archive: Archive, carried: list[CarriedCorrection]) -> int:
    """Restore the corrections of an imported export (those not already here); how many were restored."""
    if not carried:
        return 0

    def work(session: Session) -> int:
        digests = {c.capture_sha256 for c in carried} | {c.parent_sha256 for c in carried if c.parent_sha256}
        query = select(CaptureRow.blob_sha256, CaptureRow.id).where(CaptureRow.blob_sha256.in_(sorted(digests)))
        ids = {sha: i for sha, i in session.execute(query)}
        have = {(r.kind, r.capture_id, r.parent_id) for r in session.scalars(select(Correction))}
        touched: list[int] = []
        for c in sorted(carried, key=lambda c: c.created_at):
            capture = ids.get(c.capture_sha256)
            parent = ids.get(c.parent_sha256) if c.parent_sha256 else None
            if capture is None or (c.parent_sha256 and parent is None) or (c.kind, capture, parent) in have:
                continue
            correction_add(session, c.kind, capture, parent_id=parent, relation=c.relation, publisher=c.publisher,
                           created_at=c.created_at)
            have.add((c.kind, capture, parent))
            touched.append(capture)
        if touched:
            _rederive(session, touched)
        return len(touched)

    return archive.write(work)
