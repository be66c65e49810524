"""Write locks on what one capture can reach: PostgreSQL transaction-level advisory locks by key.

A writer storing captures (`Archive.write(..., per_family=True)`) holds the archive's write lock shared and
locks, as it goes, each thing its store step reads and writes: its site (site paragraph counts), its page
(versions), its text (by SHA-256) and every LSH band key of it (the candidates; any two texts that can be
each other's candidate share a key), then the texts of each family it re-derives (`lineage.families`). Two
writers wait for each other only when their captures can touch the same family. Each call takes its keys in
one sorted order; a deadlock between calls (keys taken in two phases, or by two captures of one
transaction) is a transient error the write retries (`store.engine.is_transient`). Whatever holds the write
lock exclusive (`archive reprocess`, corrections, SQLite's `BEGIN IMMEDIATE`) needs none of this:
`locks_take` does nothing there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

LOCKS_INFO = "archive_locks"  # Session.info key of the transaction's LockState (absent: nothing to lock)

_LOCK_MANY = text("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS bigint[])) AS k")


@dataclass
class LockState:
    """One write transaction's fine-grained locks: the schema they are scoped to, and the keys held."""

    schema: str
    held: set[int] = field(default_factory=set)
    taken: int = 0  # statements that took locks (for benchmarks)


def lock_id(schema: str, kind: str, key: str | bytes | int) -> int:
    """The signed 64-bit advisory-lock key of (schema, kind, key): a hash, so any key fits one bigint."""
    raw = key if isinstance(key, bytes) else str(key).encode()
    digest = hashlib.blake2b(b"%s\x00%s\x00%s" % (schema.encode(), kind.encode(), raw), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def locks_take(session: Session, *groups: tuple[str, Iterable[str | bytes | int | None]]) -> bool:
    """Lock these keys until the transaction ends, all groups' in one ascending lock-id order; each group is
    (kind, keys), kind one of "site", "page", "blob", "text", "band", "family". True when a key not held
    before was locked (what was read before may have changed); False when there was nothing new to lock,
    or nothing is locked by key here (SQLite, or the write lock held exclusive)."""
    state: LockState | None = session.info.get(LOCKS_INFO)
    if state is None:
        return False
    ids = {lock_id(state.schema, kind, k) for kind, keys in groups for k in keys if k is not None}
    wanted = sorted(ids - state.held)
    if not wanted:
        return False
    session.execute(_LOCK_MANY, {"keys": wanted})
    state.held.update(wanted)
    state.taken += 1
    return True


def locks_of_bands(bands: dict[str, list[bytes]]) -> list[bytes]:
    """A text's band keys as lock keys: kind and key together (the band table's key)."""
    return [kind.encode() + b"\x00" + key for kind, keys in bands.items() for key in keys]
