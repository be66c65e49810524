"""The LSH band table as SQL: who holds a text's band keys (policy: `archiver.lineage.candidates`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import TextClause, select, text
from sqlalchemy.orm import Session

from archiver.store import tables
from archiver.store.models import FingerprintBand

_BAND = tables.fingerprint_band

_HOLDERS_SQL: dict[tuple[int, bool], TextClause] = {}


def _holders_sql(keys: int, below: bool) -> TextClause:
    """The SQLite statement of `band_holders` for this many keys, made once per process."""
    if (keys, below) not in _HOLDERS_SQL:
        table = _BAND.name
        where = " AND text_id < :before" if below else ""
        _HOLDERS_SQL[(keys, below)] = text(" UNION ALL ".join(
            f"SELECT * FROM (SELECT text_id, {i} AS n FROM {table} WHERE kind = :k{i} AND band_key = :b{i}"
            f" AND text_id != :exclude{where} ORDER BY text_id LIMIT :limit) AS h{i}"
            for i in range(keys)
        ))
    return _HOLDERS_SQL[(keys, below)]


def _holders_sql_pg() -> TextClause:
    """The PostgreSQL statement of `band_holders`: the keys as two arrays, each read by a LATERAL subquery.

    The range on text_id is always there: without it the planner, which expects a key to have ~7 holders,
    chose a bitmap scan and a sort, reading every holder of a hot key (70 ms for a filler probe at 5k
    texts); with it, an index-only scan that stops at the LIMIT (3.5 ms).
    """
    table = _BAND.name
    return text(
        f"SELECT h.text_id, k.n - 1 FROM unnest(CAST(:kinds AS text[]), CAST(:keys AS bytea[]))"
        f" WITH ORDINALITY AS k(kind, band_key, n) CROSS JOIN LATERAL (SELECT f.text_id FROM {table} f"
        f" WHERE f.kind = k.kind AND f.band_key = k.band_key AND f.text_id != :exclude"
        f" AND f.text_id < :before ORDER BY f.text_id LIMIT :limit) AS h"
    )


def band_holders(
    session: Session, bands: dict[str, list[bytes]], *, exclude: int, limit: int, before: int | None = None
) -> Iterator[tuple[int, str, bytes]]:
    """(text, kind, key) for the holders of each key: at most `limit` per key, lowest ids first.

    One statement reading each key's range of the (kind, band_key, text_id) primary key up to a LIMIT, so
    a key that every text holds costs 33 rows, not the archive (`before`: only texts with lower ids;
    `exclude`: never this text). On SQLite a UNION ALL of per-key subqueries, SQL text made once per key
    count (`_holders_sql`): as Core objects the 128 subqueries took ~17 ms to build, as text made afresh
    ~2 ms to parse, and run ~0.6 ms for a news text in the 10k-filler scale archive (the IN query it
    replaces: ~1 ms). On PostgreSQL, where planning 128 subqueries took ~10 ms, one LATERAL join over the
    keys as arrays (`_holders_sql_pg`).
    """
    pairs = sorted({(kind, key) for kind, keys in bands.items() for key in keys})
    params: dict[str, object] = {"exclude": exclude, "limit": limit}
    if before is not None:
        params["before"] = before
    if session.get_bind().dialect.name == "postgresql":
        params["kinds"], params["keys"] = [kind for kind, _ in pairs], [key for _, key in pairs]
        params["before"] = before if before is not None else 2**31  # text.id is a 32-bit integer there
        for text_id, n in session.execute(_holders_sql_pg(), params):
            yield text_id, *pairs[n]
        return
    for start in range(0, len(pairs), 250):  # SQLite allows 500 terms in a compound SELECT
        chunk = pairs[start : start + 250]
        these = dict(params)
        for i, (kind, key) in enumerate(chunk):
            these[f"k{i}"], these[f"b{i}"] = kind, key
        for text_id, n in session.execute(_holders_sql(len(chunk), before is not None), these):
            yield text_id, *chunk[n]


def band_shared_with(
    session: Session, bands: dict[str, list[bytes]], text_ids: Iterable[int]
) -> dict[int, set[tuple[str, bytes]]]:
    """The band keys each of these texts shares with `bands` (read by text, whatever the keys' holders)."""
    mine = {(kind, key) for kind, keys in bands.items() for key in keys}
    ids = sorted(set(text_ids))
    out: dict[int, set[tuple[str, bytes]]] = {i: set() for i in ids}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(FingerprintBand.text_id, FingerprintBand.kind, FingerprintBand.band_key).where(
                FingerprintBand.text_id.in_(ids[start : start + 500])
            )
        )
        for other, kind, key in rows:
            if (kind, bytes(key)) in mine:
                out[other].add((kind, bytes(key)))
    return out


def band_keys_of(session: Session, text_id: int) -> dict[str, list[bytes]]:
    """A stored text's band keys, by kind (as `fingerprint.band_keys` made them, each key once)."""
    out: dict[str, list[bytes]] = {}
    rows = session.execute(
        select(FingerprintBand.kind, FingerprintBand.band_key).where(FingerprintBand.text_id == text_id)
    )
    for kind, key in rows:
        out.setdefault(kind, []).append(bytes(key))
    return out
