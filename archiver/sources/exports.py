"""Export files as input: `archive add FILE` of an `archive export` file re-creates its captures."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from archiver.sources.inputs import Failed
from archiver.types import Capture, utc

EXPORT_MARKER = "archive_export"

EXPORT_VERSION = 1  # bumped when a key changes meaning; readers refuse newer versions

_MARKER_START = re.compile(rb'^\s*\{\s*"archive_export"\s*:')


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


@dataclass(frozen=True)
class CarriedCorrection:
    """A lineage correction as an export file carries it: captures named by their raw bytes' SHA-256."""

    kind: str
    capture_sha256: str
    parent_sha256: str | None
    relation: str | None
    publisher: str | None
    created_at: datetime


def note_exports(inputs: Iterable[str], seen: list[str]) -> Iterator[str]:
    """The inputs as given; those that are export files are also appended to `seen`."""
    for item in inputs:
        if is_export_file(item):
            seen.append(item)
        yield item


def export_corrections(path: Path) -> list[CarriedCorrection]:
    """The corrections an export file carries (each record's `corrections`); a damaged line gives none."""
    out: list[CarriedCorrection] = []
    with path.open("rb") as f:
        for line in f:
            try:
                record = json.loads(line)
                for c in record.get("corrections") or []:
                    out.append(CarriedCorrection(
                        kind=str(c["kind"]),
                        capture_sha256=str(record["sha256"]),
                        parent_sha256=c.get("parent_sha256"),
                        relation=c.get("relation"),
                        publisher=c.get("publisher"),
                        created_at=utc(datetime.fromisoformat(c["created_at"])),
                    ))
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
    return out
