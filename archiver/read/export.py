"""`archive export`: every capture as JSON Lines, raw bytes included (read back by `archiver.sources.exports`)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archiver.lineage.edges import root_of
from archiver.read.show import capture_record
from archiver.sources.exports import EXPORT_MARKER, EXPORT_VERSION
from archiver.store.blobs import BlobDamaged, blob_get
from archiver.store.corrections import corrections_all, pinned_publishers
from archiver.store.engine import Archive
from archiver.store.models import CaptureRow, LineageEdge
from archiver.types import iso

BATCH = 200  # captures read per query while exporting: bounded memory on large archives


def corrections_carried(session: Session) -> dict[int, list[dict[str, Any]]]:
    """capture id -> its corrections as an export record carries them (captures named by SHA-256)."""
    sha_of = {i: sha for i, sha in session.execute(select(CaptureRow.id, CaptureRow.blob_sha256))}
    out: dict[int, list[dict[str, Any]]] = {}
    for c in corrections_all(session):
        out.setdefault(c.capture_id, []).append({
            "kind": c.kind,
            "parent_id": c.parent_id,
            "parent_sha256": sha_of.get(c.parent_id) if c.parent_id is not None else None,
            "relation": c.relation,
            "publisher": c.publisher,
            "created_at": iso(c.created_at),
        })
    return out


def export_records(archive: Archive, damaged: list[dict[str, Any]] | None = None) -> Iterator[dict[str, Any]]:
    """Every capture, oldest id first, as one export record.

    A capture whose raw bytes cannot be read back is left out and noted in `damaged` ({"id", "error"}), so
    the intact captures of a damaged archive can still be saved.
    """
    with archive.session() as session:
        edges = list(session.scalars(select(LineageEdge)))
        parent_of = {e.child_id: e.parent_id for e in edges}
        ids = list(session.scalars(select(CaptureRow.id).order_by(CaptureRow.id)))
        publisher_of = {r[0]: r[1] for r in session.execute(select(CaptureRow.id, CaptureRow.source_publisher))}
        publisher_of.update(pinned_publishers(session, publisher_of))
        carried = corrections_carried(session)
        for start in range(0, len(ids), BATCH):
            rows = session.scalars(
                select(CaptureRow).where(CaptureRow.id.in_(ids[start : start + BATCH])).order_by(CaptureRow.id)
            )
            for row in rows:
                try:
                    raw = blob_get(session, row.blob_sha256)
                except BlobDamaged as e:
                    if damaged is None:
                        raise
                    damaged.append({"id": row.id, "error": str(e)})
                    continue
                record = capture_record(session, row)
                origin = root_of(row.id, parent_of)
                yield {
                    EXPORT_MARKER: EXPORT_VERSION,
                    **record,
                    "lineage": {
                        "parent": record["parent"],
                        "origin": {"id": origin, "publisher": publisher_of.get(origin)},
                    },
                    "corrections": carried.get(row.id, []),
                    "raw_base64": base64.b64encode(raw).decode("ascii"),
                }
            session.expunge_all()
