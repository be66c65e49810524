"""`archive export`: every capture as JSON Lines, raw bytes included (read back by `archiver.sources.exports`)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from archiver.lineage.edges import root_of
from archiver.read.show import capture_record
from archiver.sources.exports import EXPORT_MARKER, EXPORT_VERSION
from archiver.store.blobs import blob_get
from archiver.store.engine import Archive
from archiver.store.models import CaptureRow, LineageEdge

BATCH = 200  # captures read per query while exporting: bounded memory on large archives


def export_records(archive: Archive) -> Iterator[dict[str, Any]]:
    """Every capture, oldest id first, as one export record."""
    with archive.session() as session:
        edges = list(session.scalars(select(LineageEdge)))
        parent_of = {e.child_id: e.parent_id for e in edges}
        ids = list(session.scalars(select(CaptureRow.id).order_by(CaptureRow.id)))
        publisher_of = {r[0]: r[1] for r in session.execute(select(CaptureRow.id, CaptureRow.source_publisher))}
        for start in range(0, len(ids), BATCH):
            rows = session.scalars(
                select(CaptureRow).where(CaptureRow.id.in_(ids[start : start + BATCH])).order_by(CaptureRow.id)
            )
            for row in rows:
                record = capture_record(session, row)
                origin = root_of(row.id, parent_of)
                yield {
                    EXPORT_MARKER: EXPORT_VERSION,
                    **record,
                    "lineage": {
                        "parent": record["parent"],
                        "origin": {"id": origin, "publisher": publisher_of.get(origin)},
                    },
                    "raw_base64": base64.b64encode(blob_get(session, row.blob_sha256)).decode("ascii"),
                }
            session.expunge_all()
