"""Export files as input: `archive add FILE` of an `archive export` file re-creates its captures."""

from __future__ import annotations

import base64
import hashlib
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


def _text_field(record: dict[str, Any], key: str) -> str | None:
    """A string field of an export record (or None when absent); anything else is a damaged line."""
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key!r} is {type(value).__name__}, not a string")
    return value


def _capture_of(record: object, label: str) -> Capture:
    if not isinstance(record, dict):
        raise ValueError(f"not an export record (a JSON {type(record).__name__}, not an object)")
    version = record.get(EXPORT_MARKER)
    if not isinstance(version, int) or version > EXPORT_VERSION:
        raise ValueError(f"export format {version!r} is newer than this release reads ({EXPORT_VERSION})")
    encoded = _text_field(record, "raw_base64")
    if encoded is None:
        raise ValueError("no raw_base64")
    raw = base64.b64decode(encoded, validate=True)
    digest = _text_field(record, "sha256")
    if digest is not None and hashlib.sha256(raw).hexdigest() != digest.lower():
        raise ValueError("sha256 does not match the raw bytes (the line was altered or damaged); refused")
    when = _text_field(record, "captured_at")
    return Capture(
        raw=raw,
        path=_text_field(record, "path"),
        url=_text_field(record, "url"),
        captured_at=utc(datetime.fromisoformat(when)) if when else utc(datetime.now()),
        content_type=_text_field(record, "content_type"),
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
            except (ValueError, KeyError, TypeError, RecursionError) as e:
                reason = "nested too deeply" if isinstance(e, RecursionError) else str(e)
                yield Failed(label, f"unreadable export line {number}: {reason}")


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
            except (ValueError, KeyError, TypeError, AttributeError, RecursionError):  # read_export reports it
                continue
    return out
