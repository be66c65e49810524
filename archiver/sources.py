"""Inputs -> captures: files, directories, stdin, URLs, WARC files. The only input I/O.

Each input yields Capture objects, or a `Failed` naming the input and the problem, so one bad
input never stops a batch.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from archiver import __version__
from archiver.types import Capture

MAX_INPUT_BYTES = 50 * 1024 * 1024  # larger than any real article page (aeb-dev max ~1.5 MB); caps memory
FETCH_TIMEOUT_S = 30  # seconds per request; a slow news site answers well within this
USER_AGENT = f"archive-news/{__version__} (provenance archiver; +https://pypi.org/project/archive-news/)"

CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "text/html",
    ".txt": "text/plain",
    ".text": "text/plain",
}
WARC_SUFFIXES = (".warc", ".warc.gz")


@dataclass(frozen=True)
class Failed:
    """An input that could not be read, with a one-line reason."""

    path: str
    error: str


def _now() -> datetime:
    return datetime.now(UTC)


def _read_limited(stream: BinaryIO, label: str) -> bytes:
    data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise ValueError(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    return data


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def read_file(path: Path, url: str | None = None) -> Capture:
    """A capture of one saved page; its capture time is the file's modification time."""
    with path.open("rb") as f:
        raw = _read_limited(f, str(path))
    mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return Capture(
        raw=raw,
        path=str(path),
        url=url,
        captured_at=mtime,
        content_type=CONTENT_TYPES.get(path.suffix.lower()),
    )


def read_stdin(url: str | None = None, stream: BinaryIO | None = None) -> Capture:
    """A capture of whatever is piped in; captured now."""
    raw = _read_limited(stream or sys.stdin.buffer, "-")
    return Capture(raw=raw, path="-", url=url, captured_at=_now())


def fetch_url(url: str) -> Capture:
    """Fetch one page over HTTP(S), following redirects; the final URL and headers are kept."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:
        raw = _read_limited(response, url)
        headers = {k.lower(): v for k, v in response.headers.items()}
        final_url = response.geturl()
    return Capture(
        raw=raw,
        path=None,
        url=final_url,
        captured_at=_now(),
        content_type=headers.get("content-type"),
        headers=headers,
    )


def read_warc(path: Path) -> Iterator[Capture | Failed]:
    """Each HTML `response` record of a WARC file, with its target URI and date."""
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as f:
        for record in ArchiveIterator(f):
            if record.rec_type != "response":
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI")
            ctype = record.http_headers.get_header("Content-Type") if record.http_headers else None
            if ctype and "html" not in ctype.lower() and "text/plain" not in ctype.lower():
                continue
            label = f"{path}#{uri}"
            try:
                raw = _read_limited(record.content_stream(), label)
                date = record.rec_headers.get_header("WARC-Date")
                when = datetime.fromisoformat(date.replace("Z", "+00:00")) if date else _now()
            except Exception as e:  # a damaged record fails alone
                yield Failed(label, f"unreadable WARC record: {e}")
                continue
            yield Capture(raw=raw, path=label, url=uri, captured_at=when, content_type=ctype)


def _walk(directory: Path) -> Iterator[Path]:
    """Regular files below a directory, recursively, in a stable order; hidden names skipped."""
    for child in sorted(directory.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            yield from _walk(child)
        elif child.is_file():
            yield child


def _file_captures(path: Path, url: str | None) -> Iterator[Capture | Failed]:
    if path.name.lower().endswith(WARC_SUFFIXES):
        try:
            yield from read_warc(path)
        except Exception as e:
            yield Failed(str(path), f"not a readable WARC file: {e}")
        return
    try:
        yield read_file(path, url)
    except (OSError, ValueError) as e:
        yield Failed(str(path), _reason(e))


def _reason(e: Exception) -> str:
    if isinstance(e, FileNotFoundError):
        return "no such file"
    if isinstance(e, PermissionError):
        return "permission denied"
    if isinstance(e, IsADirectoryError):
        return "is a directory"
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return f"cannot fetch: {e.reason}"
    return str(e) or type(e).__name__


def iter_captures(
    inputs: Iterable[str], url: str | None = None, stdin: BinaryIO | None = None
) -> Iterator[Capture | Failed]:
    """Captures for each input: a file, a directory (recursive), "-" for stdin, or a URL.

    `url` is the page URL to record for a single file or stdin (`archive add --url`).
    """
    for item in inputs:
        if item == "-":
            try:
                yield read_stdin(url, stdin)
            except (OSError, ValueError) as e:
                yield Failed("-", _reason(e))
        elif is_url(item):
            try:
                yield fetch_url(item)
            except Exception as e:
                yield Failed(item, _reason(e))
        else:
            path = Path(item)
            if path.is_dir():
                for file in _walk(path):
                    yield from _file_captures(file, None)
            elif not path.exists():
                yield Failed(item, "no such file or directory")
            else:
                yield from _file_captures(path, url)
