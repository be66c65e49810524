"""Manifests as input (`archive add --manifest FILE`): one capture a row, with its URL and times.

A manifest is CSV with a header row, or JSON Lines (one object a line; told apart by the first
character, `{`). Columns / keys:

- `path`: a saved page (relative paths are read from the manifest's folder), or
- `url`: a page to fetch (the same safety rules as `archive add URL`); with `path`, the page's URL;
- `page_url` (optional): the page's URL to record (for a file, or over a fetched URL);
- `captured_at` (optional): when it was captured, ISO 8601 (a date alone is midnight UTC; no zone is UTC);
  default: the file's modification time, or the fetch time;
- `published` (optional): the page's publication date or time, ISO 8601, over the one the page shows.

A row that cannot be read fails alone, named `FILE:LINE`; the rest are added. Rows are read lazily.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archiver.errors import InputError, UsageError
from archiver.sources.fetch import FetchPolicy, fetch_url
from archiver.sources.inputs import Failed, read_file
from archiver.types import Capture

MANIFEST_COLUMNS = ("path", "url", "page_url", "captured_at", "published")


class ManifestError(UsageError):
    """A manifest that cannot be read at all (missing, or no path/url column): nothing of it is added."""

    hint = "A manifest is CSV with a header naming path or url (and optionally page_url, captured_at, " \
           "published), or JSON Lines with those keys."


def manifest_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, row) for each row; a row that does not parse is its error message instead."""
    try:
        stream = path.open("r", encoding="utf-8-sig", newline="")
    except OSError as e:
        raise ManifestError(f"cannot read manifest {path}: {e.strerror or e}") from e
    with stream:
        first = stream.read(1)
        stream.seek(0)
        if first == "{":
            yield from _jsonl_rows(stream)
        else:
            yield from _csv_rows(stream, path)


def manifest_check(path: str) -> None:
    """Raise ManifestError when the manifest cannot be read at all (missing, or a header without path/url)."""
    next(manifest_rows(Path(path)), None)


def _jsonl_rows(stream: io.TextIOBase) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as e:
            yield number, f"not a JSON object: {e}"
            continue
        yield number, row if isinstance(row, dict) else "not a JSON object"


def _csv_rows(stream: io.TextIOBase, path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    reader = csv.reader(stream)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return
    except csv.Error as e:
        raise ManifestError(f"manifest {path}: unreadable header: {e}") from e
    if "path" not in header and "url" not in header:
        raise ManifestError(f"manifest {path}: the header names neither path nor url ({', '.join(header)})")
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield reader.line_num, f"unreadable CSV: {e}"
            continue
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            yield reader.line_num, f"{len(values)} fields, the header names {len(header)}"
            continue
        yield reader.line_num, dict(zip(header, values, strict=False))


def _when(value: str, key: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{key} {value!r} is not an ISO 8601 date or time") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _text(row: dict[str, Any], key: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string, not {type(value).__name__}")
    return value.strip() or None


def manifest_capture(row: dict[str, Any], folder: Path, policy: FetchPolicy | None) -> Capture:
    """The capture one manifest row describes; ValueError or InputError says why it cannot be made."""
    path, url, page_url = _text(row, "path"), _text(row, "url"), _text(row, "page_url")
    captured_at, published = _text(row, "captured_at"), _text(row, "published")
    when = _when(captured_at, "captured_at") if captured_at else None
    if published:
        _when(published, "published")  # refused unless it reads as a date
    if path:
        file = Path(path).expanduser()
        file = file if file.is_absolute() else folder / file
        if file.is_dir():
            raise ValueError(f"{path}: is a directory")
        try:
            capture = read_file(file, page_url or url)
        except FileNotFoundError:
            raise ValueError(f"{path}: no such file") from None
        except PermissionError:
            raise ValueError(f"{path}: permission denied") from None
        except (OSError, ValueError) as e:
            raise ValueError(f"{path}: {getattr(e, 'strerror', None) or e}") from None
    elif url:
        try:
            capture = fetch_url(url, policy)
        except InputError as e:
            raise InputError(f"{url}: {e}") from e
        if page_url:
            capture = dataclasses.replace(capture, url=page_url)
    else:
        raise ValueError("neither path nor url given")
    changes: dict[str, Any] = {}
    if when is not None:
        changes["captured_at"] = when
    if published:
        changes["published"] = published
    return dataclasses.replace(capture, **changes) if changes else capture


def read_manifest(manifest: Path, policy: FetchPolicy | None = None) -> Iterator[Capture | Failed]:
    """The captures of a manifest's rows, in order; each bad row a `Failed` named `FILE:LINE`."""
    folder = manifest.resolve().parent
    for number, row in manifest_rows(manifest):
        label = f"{manifest}:{number}"
        if isinstance(row, str):
            yield Failed(label, row)
            continue
        try:
            yield manifest_capture(row, folder, policy)
        except (ValueError, InputError) as e:
            yield Failed(label, str(e))
