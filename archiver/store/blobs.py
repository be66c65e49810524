"""Raw bytes: content-addressed, compressed blobs (store layer; the caller commits)."""

from __future__ import annotations

import hashlib
import zlib
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select

try:  # Python 3.14 has Zstandard in the standard library; before it, the backport of that module
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:
    from backports import zstd  # type: ignore[import-not-found,no-redef]
from archiver.errors import ArchiveError, ExitCode, NotFoundError
from archiver.store import tables
from archiver.store.driversql import DriverStatement, insert_every_column

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from archiver.store.tables import Reader

BLOB_COMPRESSION = "zstd"

# aeb-dev pages (97, 184 KB on average, CPU time per page): zstd level 3 stores 19.0% of the bytes in
# 0.54 ms and reads them back in 0.18 ms; level 1 20.1% in 0.42 ms; zlib level 2 (the codec before) 22.0%
# in 1.23 ms and 0.62 ms back, zlib 6 19.1% in 3.3 ms. Level 3 (zstd's default) is smaller than zlib's
# best at a fifth of its time. Blobs stored with zlib stay readable (`blob_decompress`).
ZSTD_LEVEL = 3

_BLOB = tables.blob

# inserts naming every column they write (a driver statement applies no default), values given at execution
_BLOB_INSERT = insert_every_column(_BLOB)

_BLOB_KNOWN = DriverStatement(select(_BLOB.c.sha256).where(_BLOB.c.sha256 == bindparam("digest")))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blob_compress(raw: bytes) -> bytes:
    """The raw bytes as stored in `blob.data` (BLOB_COMPRESSION)."""
    return zstd.compress(raw, ZSTD_LEVEL)


# what a codec raises on data it cannot read
BLOB_CORRUPT = (zlib.error, zstd.ZstdError)


def blob_decompress(compression: str, data: bytes) -> bytes:
    """The raw bytes of a stored blob: `data` read with its `compression` ("zstd", "zlib" or "none").

    Raises ValueError for a codec this release does not know, and BLOB_CORRUPT for data it cannot read.
    """
    if compression == "zstd":
        return zstd.decompress(data)
    if compression == "zlib":  # the codec of blobs stored before zstd
        return zlib.decompress(data)
    if compression == "none":
        return bytes(data)
    raise ValueError(f"unknown compression {compression!r}")


def blob_put(session: Session, raw: bytes, digest: str | None = None, compressed: bytes | None = None) -> str:
    """Store raw bytes once, compressed; returns their SHA-256 (`digest`, when the caller has it already).

    `compressed`: `blob_compress(raw)`, when a cleaning worker made it already. `archive add` compresses in
    its workers, not here: the writer is the one step every capture passes through in turn, so what it
    does bounds `--jobs N` however many cores clean.
    """
    digest = digest or sha256_hex(raw)
    session.flush()  # a blob added through the ORM and not yet written is seen by the Core read below
    if not _BLOB_KNOWN.rows(session, {"digest": digest}):
        data = blob_compress(raw) if compressed is None else compressed
        values = {"sha256": digest, "size": len(raw), "compression": BLOB_COMPRESSION, "data": data}
        _BLOB_INSERT.run(session, values)
    return digest


class BlobDamaged(ArchiveError):
    """Stored raw bytes that cannot be read back (a damaged blob): the capture's, not the whole archive's."""

    exit_code = ExitCode.DAMAGED
    hint = "`archive check` lists the damage; restore the archive from a backup, or add the page again."


def blob_get(session: Reader, digest: str) -> bytes:
    """The raw bytes stored under `digest`; BlobDamaged when they cannot be read back."""
    blob = session.execute(select(_BLOB.c.compression, _BLOB.c.data).where(_BLOB.c.sha256 == digest)).first()
    if blob is None:
        raise NotFoundError(f"no raw bytes stored for {digest}")
    try:
        return blob_decompress(blob.compression, blob.data)
    except (*BLOB_CORRUPT, ValueError) as e:
        raise BlobDamaged(f"raw bytes {digest[:12]} unreadable: {e}") from e
