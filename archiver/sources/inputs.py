"""Inputs -> captures: files, directories, stdin, URLs, WARC files. The only input I/O.

Each input yields Capture objects, or a `Failed` naming the input and the problem, so one bad
input never stops a batch.
"""

from __future__ import annotations

import errno
import fnmatch
import io
import json
import os
import stat
import sys
import urllib.error
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from archiver.errors import InputError, UsageError
from archiver.sources.fetch import FetchPolicy, fetch_url
from archiver.types import Capture

MAX_INPUT_BYTES = 50 * 1024 * 1024  # larger than any real article page (aeb-dev max ~1.5 MB); caps memory

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


@dataclass(frozen=True)
class Skipped(Failed):
    """A file found in a directory that is not a page (JSON, CSV, binary): left out, not a failure."""


def _now() -> datetime:
    return datetime.now(UTC)


def _read_limited(stream: BinaryIO, label: str) -> bytes:
    """All of the stream, refused past MAX_INPUT_BYTES.

    A regular file is sized first and read whole: read(limit) would allocate the 50 MB limit for every page
    (0.14-0.22 ms against 0.04-0.05 ms for a 184 KB aeb-dev page).
    """
    try:
        info = os.fstat(stream.fileno())
        regular = stat.S_ISREG(info.st_mode)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        regular = False
    if regular and info.st_size > MAX_INPUT_BYTES:
        raise ValueError(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    data = stream.read() if regular else stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise ValueError(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
    return data


def input_label(path: Path | str) -> str:
    """A path as text that can be stored and printed: a name that is not valid UTF-8 (kept by Python as
    lone surrogates, which no database or terminal encodes) has its undecodable bytes as \\xNN escapes."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", errors="backslashreplace")
    return text


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def read_file(path: Path, url: str | None = None) -> Capture:
    """A capture of one saved page; its capture time is the file's modification time."""
    with path.open("rb") as f:
        kind = _not_regular(os.fstat(f.fileno()).st_mode)
        if kind:
            raise ValueError(f"not a regular file ({kind})")
        raw = _read_limited(f, str(path))
    mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return Capture(
        raw=raw,
        path=input_label(path),
        url=url,
        captured_at=mtime,
        content_type=CONTENT_TYPES.get(path.suffix.lower()),
    )


def read_stdin(url: str | None = None, stream: BinaryIO | None = None) -> Capture:
    """A capture of whatever is piped in; captured now."""
    raw = _read_limited(stream or sys.stdin.buffer, "-")
    return Capture(raw=raw, path="-", url=url, captured_at=_now())


def read_warc(path: Path) -> Iterator[Capture | Failed]:
    """Each HTML (or plain-text) 2xx `response` record of a WARC file, with its target URI and date.

    Records are streamed: a WARC of any size is never held in memory. A damaged record (no target URI,
    unreadable HTTP headers, a content read error) fails alone, named by its offset, and the next records
    are read; damage that stops the reader fails the rest of the file, at the offset where it stopped.
    """
    from warcio.archiveiterator import ArchiveIterator

    name = input_label(path)
    with path.open("rb") as f:
        records = ArchiveIterator(f)
        reader = records.reader = _warc_checked_reader(records.fh)
        loader = records.loader = _warc_tolerant_loader()
        iterator = iter(records)
        while True:
            try:
                record = next(iterator)
            except StopIteration:
                break
            except Exception as e:  # the reader cannot step over this: the rest of the file is lost
                yield Failed(f"{name}#offset={records.offset}",
                             f"unreadable WARC record (the rest of the file is lost): {e}")
                return
            if record.rec_type != "response":
                continue
            yield from _warc_response(name, record, records.offset, loader.problem, reader)
            if reader.damage:
                return
        if reader.damage:  # warcio would stop quietly at a damaged gzip member: say so
            yield Failed(name, f"damaged WARC file (the rest of it is lost): {reader.damage}")


def _warc_response(
    name: str, record: Any, offset: int, problem: str | None, reader: Any
) -> Iterator[Capture | Failed]:
    """The capture of one `response` record; nothing for a record that is not a page; Failed when damaged."""
    uri = record.rec_headers.get_header("WARC-Target-URI")
    label = f"{name}#{uri}" if uri else f"{name}#offset={offset}"
    if problem or not uri:
        yield Failed(f"{name}#offset={offset}", f"unreadable WARC record: {problem or 'no WARC-Target-URI'}")
        return
    http = record.http_headers
    ctype = http.get_header("Content-Type") if http else None
    if ctype and "html" not in ctype.lower() and "text/plain" not in ctype.lower():
        return  # images, scripts, style sheets, PDFs of a crawl: not pages
    status = http.get_statuscode() if http else None
    if status and not status.startswith("2"):
        return  # redirects and error pages of a crawl are not captures of the page
    try:
        raw = _read_limited(record.content_stream(), label)
        date = record.rec_headers.get_header("WARC-Date")
        when = datetime.fromisoformat(date.replace("Z", "+00:00")) if date else _now()
    except Exception as e:  # a damaged record fails alone
        yield Failed(label, f"unreadable WARC record at offset {offset}: {e}")
        return
    if reader.damage:
        yield Failed(label, f"unreadable WARC record (the rest of the file is lost): {reader.damage}")
        return
    headers = {k.lower(): v for k, v in http.headers} if http else None
    yield Capture(raw=raw, path=label, url=uri, captured_at=when, content_type=ctype, headers=headers)


def _warc_tolerant_loader() -> Any:
    """warcio's record loader, noting (in `problem`) what it could not parse instead of stopping the file.

    warcio stops the whole file at a `response` record without WARC-Target-URI (it calls `uri.startswith`)
    or with HTTP headers it cannot parse; the record's length is known, so the next ones are still readable.
    """
    from warcio.recordloader import ArcWarcRecordLoader

    class TolerantLoader(ArcWarcRecordLoader):  # type: ignore[misc]
        problem: str | None = None

        def parse_record_stream(self, *args: Any, **kwargs: Any) -> Any:
            self.problem = None
            return super().parse_record_stream(*args, **kwargs)

        def load_http_headers(self, rec_type: Any, uri: Any, stream: Any, length: Any) -> Any:
            if uri is None and rec_type == "response":
                self.problem = "no WARC-Target-URI"
                return None
            try:
                return super().load_http_headers(rec_type, uri, stream, length)
            except Exception as e:
                self.problem = f"bad HTTP headers: {e}"
                return None

    return TolerantLoader()


def _warc_checked_reader(fh: BinaryIO) -> Any:
    """warcio's decompressing reader, remembering the decompression error it would only print."""
    from warcio.bufferedreaders import DecompressingBufferedReader

    class CheckedReader(DecompressingBufferedReader):  # type: ignore[misc]
        damage: str | None = None

        def _decompress(self, data: bytes) -> bytes:
            if self.decompressor and data and self.num_block_read:
                try:
                    return self.decompressor.decompress(data)  # type: ignore[no-any-return]
                except Exception as e:
                    self.damage = f"bad gzip data: {e}"
                    return b""
            return super()._decompress(data)  # type: ignore[no-any-return]

    return CheckedReader(fh)


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def _not_regular(mode: int) -> str | None:
    """What a file that is not a regular one is ("FIFO", "socket" ...), or None for a regular file."""
    for test, name in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISDIR, "directory")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "special file"


def _walk(
    directory: Path, globs: tuple[str, ...] = (), root: Path | None = None, seen: set[tuple[int, int]] | None = None
) -> Iterator[Path | Failed]:
    """Regular files below a directory, recursively, in name order; hidden names skipped.

    Streams: only one directory's names are listed at a time, never the files' contents. With `globs`,
    only files whose name or path relative to the directory matches one of the patterns. A subdirectory
    that cannot be listed, or a symlink back into a directory being walked (a loop), is a Failed naming it;
    the walk goes on with the rest.
    """
    root = root or directory
    seen = set() if seen is None else seen
    try:
        info = directory.stat()
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        yield Failed(input_label(directory), f"cannot read directory: {_reason(e)}")
        return
    key = (info.st_dev, info.st_ino)
    if key in seen:
        yield Failed(input_label(directory), "symlink loop: a directory already being walked")
        return
    seen.add(key)
    try:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = Path(entry.path)
            try:
                is_dir, is_file = entry.is_dir(), entry.is_file()
            except OSError as e:  # a symlink to itself (ELOOP) and the like
                yield Failed(input_label(child), _reason(e))
                continue
            if is_dir:
                yield from _walk(child, globs, root, seen)
            elif is_file:
                if _glob_match(child, root, globs):
                    yield child
            elif entry.is_symlink() and not os.path.exists(child) and _glob_match(child, root, globs):
                yield Failed(input_label(child), _symlink_problem(child))
    finally:
        seen.discard(key)


def _symlink_problem(path: Path) -> str:
    """Why a symlink leads nowhere: a loop or a missing target."""
    try:
        path.stat()
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "symlink loop"
    return "broken symlink"


def _glob_match(path: Path, root: Path, globs: tuple[str, ...]) -> bool:
    if not globs:
        return True
    rel = path.relative_to(root).as_posix()
    return any(fnmatch.fnmatch(path.name, g) or fnmatch.fnmatch(rel, g) for g in globs)


def _file_captures(path: Path, url: str | None, found_in_directory: bool = False) -> Iterator[Capture | Failed]:
    if is_warc(path):
        try:
            yield from read_warc(path)
        except Exception as e:
            yield Failed(input_label(path), f"not a readable WARC file: {e}")
        return
    try:
        capture = read_file(path, url)
    except (OSError, ValueError) as e:
        yield Failed(input_label(path), _reason(e))
        return
    kind = not_a_page(capture.raw) if found_in_directory else None
    yield Skipped(input_label(path), f"{kind}, not a page") if kind else capture


# Magic numbers of the files found beside saved pages in the folders users add (images, PDFs, archives).
_BINARY_MAGIC = {b"\x89PNG": "PNG image", b"\xff\xd8\xff": "JPEG image", b"GIF8": "GIF image", b"%PDF": "PDF",
                 b"PK\x03\x04": "ZIP archive", b"\x1f\x8b": "gzip file", b"RIFF": "RIFF media",
                 b"\x00\x00\x01\x00": "icon"}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def not_a_page(raw: bytes) -> str | None:
    """What a file found in a directory is when it is plainly not a page ("JSON", "CSV", "binary file
    (PNG image)"), by its content; None for anything that may be a page (HTML or text).

    A folder of saved pages also holds manifests, data files and images: adding them made one-word "articles"
    that got lineage edges.
    """
    head = raw[:8192]
    for magic, name in _BINARY_MAGIC.items():
        if head.startswith(magic):
            return f"binary file ({name})"
    if b"\x00" in head and not head.startswith(_UTF16_BOMS):
        return "binary file"
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    start = text.lstrip()[:1]
    if start in ("{", "["):
        first = text.lstrip().split("\n", 1)[0]
        for candidate in (raw, first.encode()):
            try:
                json.loads(candidate)
                return "JSON"
            except (ValueError, RecursionError):
                continue
    return "CSV" if _looks_like_csv(text) else None


def _looks_like_csv(text: str) -> bool:
    """Rows with one delimiter count: >= 2 commas or semicolons, or >= 1 tab, on each of >= 3 lines (a text
    article's lines vary; "By Jane Doe, Reuters" has one comma)."""
    if "<" in text[:1024]:
        return False
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(text) >= 8192 and len(lines) > 1:
        lines = lines[:-1]  # the last line read may be cut
    if len(lines) < 3:
        return False
    for delimiter, least in (("\t", 1), (",", 2), (";", 2)):
        counts = {line.count(delimiter) for line in lines}
        if len(counts) == 1 and counts.pop() >= least:
            return True
    return False


def _reason(e: Exception) -> str:
    if isinstance(e, FileNotFoundError):
        return "no such file"
    if isinstance(e, PermissionError):
        return "permission denied"
    if isinstance(e, IsADirectoryError):
        return "is a directory"
    if isinstance(e, OSError) and e.errno == errno.ELOOP:
        return "symlink loop"
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return f"cannot fetch: {e.reason}"
    return str(e) or type(e).__name__


def iter_input_lines(stream: Iterable[str] | BinaryIO, name: str = "--from-file") -> Iterator[str]:
    """Inputs listed one per line (`--from-file`): blank lines and `#` comments skipped; streamed.

    A byte stream is read as UTF-8, or UTF-16/UTF-8 by its BOM; a list that is not text (NUL bytes,
    undecodable bytes) is a UsageError naming the line, not a traceback.
    """
    lines: Iterable[str] = (
        _decoded_lines(stream, name) if hasattr(stream, "readinto") else stream  # type: ignore[arg-type,assignment]
    )
    for line in lines:
        item = line.strip()
        if item and not item.startswith("#"):
            yield item


def _decoded_lines(stream: BinaryIO, name: str) -> Iterator[str]:
    buffered: Any = stream if hasattr(stream, "peek") else io.BufferedReader(stream)  # type: ignore[type-var]
    start = buffered.peek(4)[:4]
    encoding = "utf-8"
    for bom, codec in ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"), (b"\xef\xbb\xbf", "utf-8-sig")):
        if start.startswith(bom):
            encoding = codec
            break
    text = io.TextIOWrapper(buffered, encoding=encoding, errors="strict", newline=None)  # type: ignore[arg-type]
    number = 0
    try:
        for number, line in enumerate(text, start=1):  # noqa: B007 - reported after the loop
            if "\x00" in line:
                raise UnicodeError("NUL character")
            yield line
    except UnicodeError as e:
        raise UsageError(
            f"{name}: line {number + 1} is not text ({e.__class__.__name__}); give a text file of paths or URLs, "
            "one per line (UTF-8, or UTF-16 with a BOM)"
        ) from e
    finally:
        text.detach()


def iter_captures(
    inputs: Iterable[str],
    url: str | None = None,
    stdin: BinaryIO | None = None,
    *,
    globs: tuple[str, ...] = (),
    policy: FetchPolicy | None = None,
) -> Iterator[Capture | Failed]:
    """Captures for each input: a file, a directory (recursive), "-" for stdin, a URL, a WARC file.

    `url` is the page URL to record for a single file or stdin (`archive add --url`); `globs` filter the
    files found in directories; `policy` says which URLs may be fetched. Inputs are consumed lazily.
    """
    for item in inputs:
        if item == "-":
            try:
                yield read_stdin(url, stdin)
            except (OSError, ValueError) as e:
                yield Failed("-", _reason(e))
        elif "://" in item[:12] or is_url(item):
            try:
                yield fetch_url(item, policy)
            except InputError as e:
                yield Failed(item, str(e))
            except Exception as e:
                yield Failed(item, _reason(e))
        else:
            yield from _path_captures(Path(item), url, globs)


def _path_captures(path: Path, url: str | None, globs: tuple[str, ...]) -> Iterator[Capture | Failed]:
    """The captures of a file or directory named on the command line; anything else is refused unread (a
    FIFO would block forever)."""
    try:
        mode = path.stat().st_mode
    except OSError as e:
        reason = "no such file or directory" if isinstance(e, FileNotFoundError) else _reason(e)
        yield Failed(input_label(path), reason)
        return
    if stat.S_ISDIR(mode):
        for file in _walk(path, globs):
            if isinstance(file, Failed):
                yield file
            else:
                yield from _file_captures(file, None, found_in_directory=True)
        return
    kind = _not_regular(mode)
    if kind:
        yield Failed(input_label(path), f"not a regular file ({kind})")
        return
    yield from _file_captures(path, url)


def count_captures(inputs: Iterable[str], globs: tuple[str, ...] = ()) -> int | None:
    """How many captures the inputs will give, counted from names only; None when unknown (a WARC file)."""
    total = 0
    for item in inputs:
        if item == "-" or "://" in item[:12]:
            total += 1
            continue
        path = Path(item)
        files = _walk(path, globs) if path.is_dir() else iter([path])
        for file in files:
            if isinstance(file, Path) and is_warc(file):
                return None
            total += 1
    return total
