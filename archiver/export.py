"""The archive as JSON Lines, and back: `archive export` writes, `archive add EXPORT.jsonl` reads.

One capture per line: every key of `archive show --json`, its `lineage` (parent and origin), and
its raw bytes (`raw_base64`), so another archive can re-create the capture exactly (same bytes,
path, URL and capture time) and re-derive the same text, versions and lineage. The first key of
every line is the marker `archive_export` (the format version); `archive add` recognises an export
file by it, whatever the file is called.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from archiver.db import Archive
from archiver.lineage import root_of
from archiver.models import Capture as CaptureRow
from archiver.models import LineageEdge
from archiver.query import capture_record
from archiver.sources import Failed
from archiver.store import blob_get
from archiver.types import Capture
from archiver.versions import utc

EXPORT_MARKER = "archive_export"
EXPORT_VERSION = 1  # bumped when a key changes meaning; readers refuse newer versions
_MARKER_START = re.compile(rb'^\s*\{\s*"archive_export"\s*:')
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


def is_export_file(item: str) -> bool:
    """Whether an input names an export file (by its first bytes, not its name)."""
    path = Path(item)
    try:
        if not path.is_file():
            return False
        with path.open("rb") as f:
            return bool(_MARKER_START.match(f.read(64)))
    except OSError:
        return False


def _capture_of(record: dict[str, Any], label: str) -> Capture:
    version = record.get(EXPORT_MARKER)
    if not isinstance(version, int) or version > EXPORT_VERSION:
        raise ValueError(f"export format {version!r} is newer than this release reads ({EXPORT_VERSION})")
    raw = base64.b64decode(record["raw_base64"], validate=True)
    when = record.get("captured_at")
    return Capture(
        raw=raw,
        path=record.get("path"),
        url=record.get("url"),
        captured_at=utc(datetime.fromisoformat(when)) if when else utc(datetime.now()),
        content_type=record.get("content_type"),
    )


def read_export(path: Path) -> Iterator[Capture | Failed]:
    """The captures of an export file, one per line; a damaged line fails alone."""
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            label = f"{path}#{number}"
            try:
                yield _capture_of(json.loads(line), label)
            except (ValueError, KeyError, TypeError) as e:
                yield Failed(label, f"unreadable export line: {e}")


def expand_exports(
    inputs: Iterable[str], read: Callable[[list[str]], Iterable[Capture | Failed]]
) -> Iterator[Capture | Failed]:
    """Each input's captures: an export file's re-created captures, anything else through `read`."""
    for item in inputs:
        if is_export_file(item):
            yield from read_export(Path(item))
        else:
            yield from read([item])
