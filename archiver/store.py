"""Reads and idempotent writes of the archive; candidate lookup through the LSH band table.

Every function takes an open Session and leaves committing to the caller (the pipeline), so one
capture is stored whole or not at all.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement, Row, TextClause, bindparam, delete, func, insert, or_, select, text, update,
)
from sqlalchemy.orm import Session, make_transient_to_detached

try:  # Python 3.14 has Zstandard in the standard library; before it, the backport of that module
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:
    from backports import zstd  # type: ignore[import-not-found,no-redef]

from archiver.driversql import DriverStatement, insert_every_column
from archiver.errors import NotFoundError
from archiver.fingerprint import shared_evidence
from archiver.models import (
    Base,
    Blob,
    Capture,
    ChromeRow,
    CreditRow,
    FingerprintBand,
    FingerprintRow,
    LineageEdge,
    SiteParagraph,
    TextMatch,
    TextRow,
)
from archiver.types import Article, Fingerprint

BLOB_COMPRESSION = "zstd"
# aeb-dev pages (97, 184 KB on average, CPU time per page): zstd level 3 stores 19.0% of the bytes in
# 0.54 ms and reads them back in 0.18 ms; level 1 20.1% in 0.42 ms; zlib level 2 (the codec before) 22.0%
# in 1.23 ms and 0.62 ms back, zlib 6 19.1% in 3.3 ms. Level 3 (zstd's default) is smaller than zlib's
# best at a fifth of its time. Blobs stored with zlib stay readable (`blob_decompress`).
ZSTD_LEVEL = 3
# One shared band key is what a single stock phrase gives two unrelated texts (12 of 16 colliding
# unrelated aeb-dev pairs share exactly one); every Clough cut/light/heavy pair that shares any key
# shares at least two, so two keeps recall and cuts chance candidates (and verification) fourfold.
# Keys set by the same shingle count once (`fingerprint.shared_evidence`): one common shingle that is
# the minimum under two permutations is still one stock phrase. In the 100k-text scale archive all 4
# chance candidates of the NPR probe shared two skeleton keys of the one shingle "at the of the in"
# (held by 33 texts). Generated corpus (aeb-dev bodies, 398 texts): pairs from different families that
# are candidates go from 105 to 5 of 77,579; every Clough and generated-corpus edge is kept.
CANDIDATE_MIN_EVIDENCE = 2
# The work of one add is bounded whatever the archive holds ("Bounded lookup" in archiver/fingerprint.py).
# Holders read per band key, lowest text ids first; a key with more is "hot" (a stop key). The generated
# corpus (398 texts, families of 10) has at most 26 holders of a key (a skeleton key of its chrome lines),
# the 100k-text scale archive 33 ("at the of the in"); 32 reads every key of a family of that size whole,
# and a lookup reads at most 128 keys x 33 rows (~6 ms on SQLite for a text whose every key is hot).
BAND_HOLDER_LIMIT = 32
# Candidates verified per new text, best first (`candidates_best`). In the generated corpus a text has at
# most 9 (the earlier members of its family of 10); one verification of news-length texts costs ~6 ms
# (1427 pairs in 8.6 s there), so 16 keeps every family there whole and verification under ~0.1 s an add.
CANDIDATE_LIMIT = 16
FAMILY_LIMIT = 5000  # texts walked when re-deriving one family; far above any syndication family seen


_BLOB = Base.metadata.tables[Blob.__tablename__]
_CAPTURE = Base.metadata.tables[Capture.__tablename__]
_CHROME = Base.metadata.tables[ChromeRow.__tablename__]
_CREDIT = Base.metadata.tables[CreditRow.__tablename__]
# Core statements built once for what the writer runs for every capture: the ORM layer (statement
# building, coercion, cache keys, autoflush, row loading) costs more than SQLite's work for these
_EDGE = Base.metadata.tables[LineageEdge.__tablename__]
_TEXT = Base.metadata.tables[TextRow.__tablename__]
_LINEAGE_MEMBER_COLUMNS = (
    "id", "text_id", "published", "captured_at", "blob_sha256", "source_publisher", "site_name",
    "canonical_url", "url", "page_id", "version",
)
# the hottest are run on the driver's cursor (archiver.driversql: SQLAlchemy's work per execution was a
# third of the writer's time)
_LINEAGE_MEMBERS = DriverStatement(
    select(*(_CAPTURE.c[k] for k in _LINEAGE_MEMBER_COLUMNS), _TEXT.c.words)
    .join(_TEXT, _TEXT.c.id == _CAPTURE.c.text_id)
    .where(_CAPTURE.c.text_id.in_(bindparam("texts", expanding=True))),
    lists=("texts",), named=True,
)
_CREDIT_NAMES = DriverStatement(
    select(_CREDIT.c.capture_id, _CREDIT.c.name, _CREDIT.c.kind)
    .where(_CREDIT.c.capture_id.in_(bindparam("captures", expanding=True)))
    .order_by(_CREDIT.c.capture_id, _CREDIT.c.position),
    lists=("captures",),
)
_EDGES_OF = DriverStatement(select(
    _EDGE.c.child_id, _EDGE.c.parent_id, _EDGE.c.relation, _EDGE.c.score, _EDGE.c.evidence
).where(_EDGE.c.child_id.in_(bindparam("children", expanding=True))), lists=("children",))
_EDGES_DELETE = DriverStatement(
    delete(_EDGE).where(_EDGE.c.child_id.in_(bindparam("children", expanding=True))), lists=("children",)
)
_EDGE_UPDATE = DriverStatement(
    update(_EDGE)
    .where(_EDGE.c.child_id == bindparam("child"))
    .values(
        parent_id=bindparam("new_parent"), relation=bindparam("new_relation"), score=bindparam("new_score"),
        evidence=bindparam("new_evidence"),
    )
)
_EDGE_INSERT = insert_every_column(_EDGE)
_SITE = Base.metadata.tables[SiteParagraph.__tablename__]
# The order a paragraph's holders are read in by both holder queries (a first page, then further pages)
_HOLDER_ORDER = (_SITE.c.other_stories.desc(), _SITE.c.capture_id.desc())
_SITE_ROWS_DELETE = delete(_SITE).where(_SITE.c.capture_id == bindparam("capture"))
_SITE_ROWS_BELOW = DriverStatement(select(_SITE.c.capture_id, _SITE.c.paragraph_hash, _SITE.c.other_stories).where(
    _SITE.c.site == bindparam("site"),
    _SITE.c.paragraph_hash.in_(bindparam("keys", expanding=True)),
    _SITE.c.other_stories < bindparam("cap"),
    _SITE.c.capture_id != bindparam("exclude"),
    _SITE.c.capture_id.not_in(bindparam("skip", expanding=True)),
), lists=("keys", "skip"))
_SITE_COUNT_UP = DriverStatement(
    update(_SITE)
    .where(
        _SITE.c.capture_id == bindparam("capture"),
        _SITE.c.paragraph_hash.in_(bindparam("keys", expanding=True)),
        _SITE.c.other_stories < bindparam("cap"),
    )
    .values(other_stories=_SITE.c.other_stories + 1),
    lists=("keys",),
)
_SITE_INSERT = insert_every_column(_SITE)
_SITE_ROWS_OF = DriverStatement(select(
    _SITE.c.capture_id, _SITE.c.paragraph_hash, _SITE.c.position, _SITE.c.other_stories
).where(_SITE.c.capture_id.in_(bindparam("captures", expanding=True))), lists=("captures",))
_SITE_COUNTS_AT = DriverStatement(select(_SITE.c.paragraph_hash, _SITE.c.other_stories).where(
    _SITE.c.capture_id == bindparam("capture"), _SITE.c.site == bindparam("site")
))
_CHROME_TEXTS_OF = DriverStatement(
    select(_CHROME.c.capture_id, _CHROME.c.text)
    .where(
        _CHROME.c.capture_id.in_(bindparam("captures", expanding=True)),
        _CHROME.c.reason == bindparam("reason"),
    )
    .order_by(_CHROME.c.capture_id, _CHROME.c.position),
    lists=("captures",),
)
_TEXTS_OF_CAPTURES = DriverStatement(
    select(_CAPTURE.c.id, _TEXT.c.id, _TEXT.c.body, _CAPTURE.c.cleaner_version)
    .join(_TEXT, _TEXT.c.id == _CAPTURE.c.text_id)
    .where(_CAPTURE.c.id.in_(bindparam("captures", expanding=True))),
    lists=("captures",),
)
_TEXT_ID_BY_SHA = DriverStatement(select(_TEXT.c.id).where(_TEXT.c.sha256 == bindparam("digest")))
_CAPTURE_TITLE = DriverStatement(select(_CAPTURE.c.title).where(_CAPTURE.c.id == bindparam("capture")))
_FINGERPRINT = Base.metadata.tables[FingerprintRow.__tablename__]
_BAND = Base.metadata.tables[FingerprintBand.__tablename__]
_MATCH = Base.metadata.tables[TextMatch.__tablename__]
_MATCH_DELETE = delete(_MATCH).where(_MATCH.c.text_a == bindparam("a"), _MATCH.c.text_b == bindparam("b"))
# inserts naming every column they write (a driver statement applies no default), values given at execution
_BLOB_INSERT = insert_every_column(_BLOB)
_TEXT_INSERT = insert_every_column(_TEXT, returning=_TEXT.c.id)
_CAPTURE_INSERT = insert_every_column(_CAPTURE, returning=_CAPTURE.c.id)
_CHROME_INSERT = insert_every_column(_CHROME)
_CREDIT_INSERT = insert_every_column(_CREDIT)
_BLOB_KNOWN = DriverStatement(select(_BLOB.c.sha256).where(_BLOB.c.sha256 == bindparam("digest")))
_CAPTURE_KNOWN = DriverStatement(select(_CAPTURE.c.id, _CAPTURE.c.url, _CAPTURE.c.title).where(
    _CAPTURE.c.blob_sha256 == bindparam("digest")  # unique: one capture per raw bytes
))
_CAPTURES_KNOWN = select(_CAPTURE.c.blob_sha256, _CAPTURE.c.id, _CAPTURE.c.url, _CAPTURE.c.title).where(
    _CAPTURE.c.blob_sha256.in_(bindparam("digests", expanding=True))
)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- blobs -------------------------------------------------------------------------------------


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


def blob_get(session: Session, digest: str) -> bytes:
    blob = session.get(Blob, digest)
    if blob is None:
        raise NotFoundError(f"no raw bytes stored for {digest}")
    return blob_decompress(blob.compression, blob.data)


# --- captures ----------------------------------------------------------------------------------


def capture_known(session: Session, digest: str) -> tuple[int, str | None, str | None] | None:
    """(id, url, title) of the capture of these raw bytes, if stored: what a `duplicate` result names."""
    session.flush()
    rows = _CAPTURE_KNOWN.rows(session, {"digest": digest})
    return rows[0] if rows else None


def captures_known(session: Session, digests: Iterable[str]) -> dict[str, tuple[int, str | None, str | None]]:
    """`capture_known` of many raw byte digests in one query: digest -> (id, url, title), for those stored."""
    wanted = sorted(set(digests))
    out: dict[str, tuple[int, str | None, str | None]] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(_CAPTURES_KNOWN, {"digests": wanted[start : start + 500]})
        out.update((digest, (capture_id, url, title)) for digest, capture_id, url, title in rows)
    return out


def capture_resolve(session: Session, ref: str | int) -> Capture:
    """A capture by its id, or by a URL it was added with (the latest capture of that URL)."""
    value = str(ref).strip()
    if value.isdigit():
        found = session.get(Capture, int(value))
    else:
        found = session.scalars(
            select(Capture)
            .where(or_(Capture.url == value, Capture.canonical_url == value))
            .order_by(Capture.captured_at.desc(), Capture.id.desc())
        ).first()
    if found is None:
        raise NotFoundError(f"no capture {value!r} in this archive")
    return found


def text_get_or_create(session: Session, body: str) -> tuple[TextRow, bool]:
    """The text row for a clean body, created if new. Returns (row, created)."""
    digest = sha256_hex(body.encode("utf-8"))
    row = session.scalars(select(TextRow).where(TextRow.sha256 == digest)).first()
    if row is not None:
        return row, False
    row = TextRow(sha256=digest, body=body, chars=len(body), words=len(body.split()))
    session.add(row)
    session.flush()
    return row, True


def text_id_get_or_create(session: Session, body: str) -> tuple[int, bool]:
    """The id of the text row for a clean body, created if new (through Core): (id, created)."""
    digest = sha256_hex(body.encode("utf-8"))
    session.flush()  # a text added through the ORM and not yet written is seen by the Core read below
    text_id: int | None = _TEXT_ID_BY_SHA.scalar(session, {"digest": digest})
    if text_id is not None:
        return text_id, False
    values = {"sha256": digest, "body": body, "chars": len(body), "words": len(body.split())}
    return _TEXT_INSERT.scalar(session, values), True


def capture_title(session: Session, capture_id: int) -> tuple[bool, str | None]:
    """(found, title) of a capture."""
    rows = _CAPTURE_TITLE.rows(session, {"capture": capture_id})
    return (False, None) if not rows else (True, rows[0][0])


def fingerprints_put(
    session: Session, text_id: int, fingerprints: Sequence[Fingerprint], bands: dict[str, list[bytes]],
    *, fresh: bool = False,
) -> None:
    """Store a text's fingerprints and their LSH band keys, replacing any older ones (none when `fresh`)."""
    if not fresh:
        session.execute(delete(FingerprintRow).where(FingerprintRow.text_id == text_id))
        session.execute(delete(FingerprintBand).where(FingerprintBand.text_id == text_id))
    session.flush()
    # one Core executemany per table: a text has 3 fingerprints and ~128 band rows
    session.execute(insert(_FINGERPRINT), [
        {"text_id": text_id, "kind": fp.kind, "algorithm": fp.algorithm, "version": fp.version,
         "params": fp.params, "value": fp.value}
        for fp in fingerprints
    ])
    rows = [
        {"kind": kind, "band_key": key, "text_id": text_id} for kind, keys in bands.items() for key in sorted(set(keys))
    ]
    if rows:
        session.execute(insert(_BAND), rows)


def capture_put(
    session: Session,
    *,
    blob_sha256: str,
    path: str | None,
    url: str | None,
    content_type: str | None,
    captured_at: datetime,
    article: Article,
    text_id: int,
    cleaner_version: int,
    source_publisher: str | None,
    page_id: int | None = None,
) -> Capture:
    """Insert a capture with its article metadata, removed chrome and credits (on its page, when known).

    Inserted through Core and then handed to the session as the persistent object of that row (every
    column set, so reading one loads nothing): the ORM's flush machinery costs more than the INSERT.
    """
    values: dict[str, Any] = dict(
        blob_sha256=blob_sha256,
        path=path,
        url=url,
        canonical_url=article.canonical_url,
        content_type=content_type,
        captured_at=captured_at,
        added_at=datetime.now(UTC),
        title=article.title,
        byline=article.byline,
        site_name=article.site_name,
        published=article.published,
        language=article.language,
        extractor=article.extractor,
        cleaner_version=cleaner_version,
        source_publisher=source_publisher,
        text_id=text_id,
        page_id=page_id,
        version=None,
    )
    capture_id = _CAPTURE_INSERT.scalar(session, values)
    row = Capture(id=capture_id, **values)
    make_transient_to_detached(row)
    session.add(row)
    article_parts_put(session, capture_id, article, fresh=True)
    return row


def article_parts_put(session: Session, capture_id: int, article: Article, *, fresh: bool = False) -> None:
    """Replace a capture's removed-chrome and credit rows with the article's (none to replace when `fresh`)."""
    if not fresh:
        session.execute(delete(ChromeRow).where(ChromeRow.capture_id == capture_id))
        session.execute(delete(CreditRow).where(CreditRow.capture_id == capture_id))
    # Core executemany: the rows are new and nothing reads them back as objects in this transaction
    if article.chrome:
        _CHROME_INSERT.run_many(session, [
            {"capture_id": capture_id, "position": i, "reason": c.reason, "text": c.text}
            for i, c in enumerate(article.chrome)
        ])
    if article.credits:
        _CREDIT_INSERT.run_many(session, [
            {"capture_id": capture_id, "position": i, "name": c.name, "kind": c.kind, "evidence": c.evidence}
            for i, c in enumerate(article.credits)
        ])


# --- candidates and matches --------------------------------------------------------------------


@dataclass(frozen=True)
class BandHits:
    """What the band table says of one text: who shares its keys, and which keys were read only in part."""

    shared: dict[int, set[tuple[str, bytes]]]  # text -> the (kind, key)s it shares, for texts sharing enough
    hot: frozenset[tuple[str, bytes]]  # keys with more than BAND_HOLDER_LIMIT holders: only the first read


_HOLDERS_SQL: dict[tuple[int, bool], TextClause] = {}


def _holders_sql(keys: int, below: bool) -> TextClause:
    """The SQLite statement of `band_holders` for this many keys, made once per process."""
    if (keys, below) not in _HOLDERS_SQL:
        table = FingerprintBand.__tablename__
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
    table = FingerprintBand.__tablename__
    return text(
        f"SELECT h.text_id, k.n - 1 FROM unnest(CAST(:kinds AS text[]), CAST(:keys AS bytea[]))"
        f" WITH ORDINALITY AS k(kind, band_key, n) CROSS JOIN LATERAL (SELECT f.text_id FROM {table} f"
        f" WHERE f.kind = k.kind AND f.band_key = k.band_key AND f.text_id != :exclude"
        f" AND f.text_id < :before ORDER BY f.text_id LIMIT :limit) AS h"
    )


def band_holders(
    session: Session, bands: dict[str, list[bytes]], *, exclude: int, before: int | None = None
) -> Iterator[tuple[int, str, bytes]]:
    """(text, kind, key) for the holders of each key: at most BAND_HOLDER_LIMIT + 1 per key, lowest ids first.

    One statement reading each key's range of the (kind, band_key, text_id) primary key up to a LIMIT, so
    a key that every text holds costs 33 rows, not the archive (`before`: only texts with lower ids;
    `exclude`: never this text). On SQLite a UNION ALL of per-key subqueries, SQL text made once per key
    count (`_holders_sql`): as Core objects the 128 subqueries took ~17 ms to build, as text made afresh
    ~2 ms to parse, and run ~0.6 ms for a news text in the 10k-filler scale archive (the IN query it
    replaces: ~1 ms). On PostgreSQL, where planning 128 subqueries took ~10 ms, one LATERAL join over the
    keys as arrays (`_holders_sql_pg`).
    """
    pairs = sorted({(kind, key) for kind, keys in bands.items() for key in keys})
    params: dict[str, object] = {"exclude": exclude, "limit": BAND_HOLDER_LIMIT + 1}
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


def band_lookup(
    session: Session, text_id: int, bands: dict[str, list[bytes]], *, earlier_only: bool = False
) -> BandHits:
    """Texts sharing >= CANDIDATE_MIN_EVIDENCE band keys with this one (`earlier_only`: lower ids only), and
    the hot keys: those with more than BAND_HOLDER_LIMIT holders, of which only the lowest ids are read.
    """
    holders: dict[tuple[str, bytes], list[int]] = {}
    before = text_id if earlier_only else None
    for other, kind, key in band_holders(session, bands, exclude=text_id, before=before):
        holders.setdefault((kind, key), []).append(other)
    shared: dict[int, set[tuple[str, bytes]]] = {}
    for pair, texts in holders.items():
        for other in sorted(texts)[:BAND_HOLDER_LIMIT]:
            shared.setdefault(other, set()).add(pair)
    hot = frozenset(k for k, texts in holders.items() if len(texts) > BAND_HOLDER_LIMIT)
    return BandHits({t: keys for t, keys in shared.items() if len(keys) >= CANDIDATE_MIN_EVIDENCE}, hot)


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


def candidates_of_hits(
    hits: dict[int, set[tuple[str, bytes]]],
    bands: dict[str, list[bytes]],
    shingles: Callable[[list[str]], dict[str, list[tuple[int, ...]]]],
) -> list[int]:
    """The texts of `band_lookup(...).shared` whose shared keys are set by >= CANDIDATE_MIN_EVIDENCE
    distinct shingles.

    Keys of both kinds are two shingles at least (the kinds hash different n-grams), so this text's
    `band_shingles` are asked for (`shingles(kinds)`) only for the kinds of texts sharing keys of one kind.
    """
    one_kind = {t: kinds.pop() for t, keys in hits.items() if len(kinds := {kind for kind, _ in keys}) == 1}
    held = shingles(sorted(set(one_kind.values()))) if one_kind else {}
    return sorted(
        t
        for t, keys in hits.items()
        if t not in one_kind or shared_evidence(bands, held, keys) >= CANDIDATE_MIN_EVIDENCE
    )


def candidates_best(found: BandHits, candidates: Iterable[int]) -> list[int]:
    """The CANDIDATE_LIMIT candidates to verify, best first: most shared keys that are not hot, then most
    shared keys, then the earliest text.

    A key every text holds says little (a stop word); one few texts hold says much, so a text sharing
    rare keys is verified before one that only shares stock phrases with every other text.
    """

    def rank(t: int) -> tuple[int, int, int]:
        keys = found.shared[t]
        return (-len(keys - found.hot), -len(keys), t)

    return sorted(candidates, key=rank)[:CANDIDATE_LIMIT]


def candidates_by_bands(
    session: Session, text_id: int, bands: dict[str, list[bytes]], shingles: dict[str, list[tuple[int, ...]]]
) -> list[int]:
    """The candidate texts add would verify, best first (`candidates_best`): sharing keys set by
    >= CANDIDATE_MIN_EVIDENCE of this text's shingles (all kinds), at most CANDIDATE_LIMIT.

    `shingles` is the text's `fingerprint.band_shingles`.
    """
    found = band_lookup(session, text_id, bands)
    return candidates_best(found, candidates_of_hits(found.shared, bands, lambda _kinds: shingles))


def match_family_texts(session: Session, text_ids: Iterable[int], before: int) -> set[int]:
    """Texts below `before` linked to these through verified matches between texts below `before`.

    Only matches are walked (not pages), a level at a time, up to FAMILY_LIMIT texts: what the archive
    knew when the text `before` was added, so `archive reprocess` (text by text in id order) walks alike.
    """
    seen = {t for t in text_ids if t < before}
    frontier = sorted(seen)
    while frontier and len(seen) < FAMILY_LIMIT:
        linked: set[int] = set()
        for start in range(0, len(frontier), 500):
            some = frontier[start : start + 500]
            rows = session.execute(
                select(TextMatch.text_a, TextMatch.text_b).where(
                    or_(TextMatch.text_a.in_(some), TextMatch.text_b.in_(some)),
                    TextMatch.text_a < before,
                    TextMatch.text_b < before,
                )
            )
            for a, b in rows:
                linked.update((a, b))
        frontier = sorted(linked - seen)[: max(0, FAMILY_LIMIT - len(seen))]
        seen.update(frontier)
    return seen


def texts_get(session: Session, ids: Iterable[int]) -> dict[int, TextRow]:
    ids = list(ids)
    if not ids:
        return {}
    return {t.id: t for t in session.scalars(select(TextRow).where(TextRow.id.in_(ids)))}


def match_row(
    text_x: int,
    text_y: int,
    *,
    relation: str,
    score: float,
    excerpt_of_x: bool | None,
    evidence: dict[str, Any],
    verifier_version: int,
) -> dict[str, Any]:
    """A verified relation between two texts as a text_match row (text_a < text_b), for `matches_put`."""
    a, b = sorted((text_x, text_y))
    side = None
    if excerpt_of_x is not None:
        excerpt_text = text_x if excerpt_of_x else text_y
        side = "a" if excerpt_text == a else "b"
    return {
        "text_a": a, "text_b": b, "relation": relation, "score": score, "excerpt_side": side,
        "evidence": evidence, "verifier_version": verifier_version,
    }


def matches_put(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Record verified relations (`match_row`), replacing any stored for the same pairs: two executemany."""
    if not rows:
        return
    session.flush()
    session.execute(_MATCH_DELETE, [{"a": r["text_a"], "b": r["text_b"]} for r in rows])
    session.execute(insert(_MATCH), list(rows))


def captures_of_texts(session: Session, text_ids: Iterable[int]) -> list[Capture]:
    ids = sorted(set(text_ids))
    out: list[Capture] = []
    for start in range(0, len(ids), 500):
        out.extend(session.scalars(select(Capture).where(Capture.text_id.in_(ids[start : start + 500]))))
    return sorted(out, key=lambda c: c.id)


def lineage_members(session: Session, text_ids: Iterable[int]) -> list[Row[Any]]:
    """The captures of these texts, by id, with what lineage needs (`_LINEAGE_MEMBER_COLUMNS`, `words`)."""
    session.flush()
    ids = sorted(set(text_ids))
    out: list[Row[Any]] = []
    for start in range(0, len(ids), 500):
        out.extend(_LINEAGE_MEMBERS.rows(session, {"texts": ids[start : start + 500]}))
    return sorted(out, key=lambda r: r.id)


def credit_names_of(session: Session, capture_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """Per capture: (name, kind) of its credits, in order."""
    ids = sorted(set(capture_ids))
    out: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        for capture_id, name, kind in _CREDIT_NAMES.rows(session, {"captures": ids[start : start + 500]}):
            out[capture_id].append((name, kind))
    return out


def credits_of(session: Session, capture_ids: Iterable[int]) -> dict[int, list[CreditRow]]:
    ids = sorted(set(capture_ids))
    out: dict[int, list[CreditRow]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        rows = session.scalars(
            select(CreditRow)
            .where(CreditRow.capture_id.in_(ids[start : start + 500]))
            .order_by(CreditRow.capture_id, CreditRow.position)
        )
        for r in rows:
            out[r.capture_id].append(r)
    return out


EdgeValues = tuple[int, str, float, list[str]]  # a lineage edge's parent, relation, score, evidence


def edges_replace(session: Session, capture_ids: Iterable[int], edges: dict[int, EdgeValues]) -> None:
    """Make these captures' lineage edges (as children) these: child -> (parent, relation, score, evidence).

    Rows already as given are left alone; only the edges that changed are deleted, updated or inserted.
    """
    ids = sorted(set(capture_ids))
    stored: dict[int, EdgeValues] = {}
    for start in range(0, len(ids), 500):
        for child, parent, relation, score, evidence in _EDGES_OF.rows(
            session, {"children": ids[start : start + 500]}
        ):
            stored[child] = (parent, relation, score, evidence)
    gone = sorted(set(stored) - set(edges))
    for start in range(0, len(gone), 500):
        _EDGES_DELETE.run(session, {"children": gone[start : start + 500]})
    changed = [
        {"child": c, "new_parent": p, "new_relation": r, "new_score": x, "new_evidence": e}
        for c, (p, r, x, e) in sorted(edges.items())
        if c in stored and stored[c] != (p, r, x, e)
    ]
    if changed:
        _EDGE_UPDATE.run_many(session, changed)
    fresh = [
        {"child_id": c, "parent_id": p, "relation": r, "score": x, "evidence": e}
        for c, (p, r, x, e) in sorted(edges.items())
        if c not in stored
    ]
    if fresh:
        _EDGE_INSERT.run_many(session, fresh)


# --- site paragraphs (learned site chrome) -----------------------------------------------------


def site_paragraphs_put(
    session: Session,
    capture_id: int,
    site: str | None,
    rows: Iterable[tuple[str, int | None, int]],
    fresh: bool = False,
) -> None:
    """Replace a capture's paragraph rows: (key, first position, other stories), none when the site is unknown.

    fresh=True: the capture was stored in this transaction and has no rows yet (no delete needed).
    """
    if not fresh:
        session.execute(_SITE_ROWS_DELETE, {"capture": capture_id})
    if site is None:
        return
    values = [
        {"capture_id": capture_id, "paragraph_hash": key, "site": site, "position": position, "other_stories": n}
        for key, position, n in sorted(rows, key=lambda r: r[0])
    ]
    if values:
        _SITE_INSERT.run_many(session, values)


@dataclass(frozen=True)
class _HolderQueries:
    """The holder reads, built once per variant (with or without an excluded capture)."""

    counts: DriverStatement  # holders per key
    every: DriverStatement  # (key, capture, other stories) per holder; keys descending, holder order
    page: DriverStatement  # one page of one key's holders, in holder order


def _holder_queries(exclude: bool) -> _HolderQueries:
    keyed: list[ColumnElement[bool]] = [
        _SITE.c.site == bindparam("site"), _SITE.c.paragraph_hash.in_(bindparam("keys", expanding=True))
    ]
    one: list[ColumnElement[bool]] = [
        _SITE.c.site == bindparam("site"), _SITE.c.paragraph_hash == bindparam("key")
    ]
    if exclude:
        keyed.append(_SITE.c.capture_id != bindparam("exclude"))
        one.append(_SITE.c.capture_id != bindparam("exclude"))
    return _HolderQueries(
        counts=DriverStatement(
            select(_SITE.c.paragraph_hash, func.count()).where(*keyed).group_by(_SITE.c.paragraph_hash),
            lists=("keys",),
        ),
        # all columns descending: the (site, key, other stories, capture) index read backwards, no sort
        every=DriverStatement(
            select(_SITE.c.paragraph_hash, _SITE.c.capture_id, _SITE.c.other_stories)
            .where(*keyed)
            .order_by(_SITE.c.paragraph_hash.desc(), *_HOLDER_ORDER),
            lists=("keys",),
        ),
        page=DriverStatement(
            select(_SITE.c.capture_id).where(*one).order_by(*_HOLDER_ORDER)
            .offset(bindparam("offset")).limit(bindparam("limit"))
        ),
    )


_HOLDERS = {False: _holder_queries(False), True: _holder_queries(True)}


def site_holders(session: Session, site: str, key: str, exclude: int | None, offset: int, limit: int) -> list[int]:
    """One page of the site's captures holding a paragraph: those counting most other stories first."""
    params = {"site": site, "key": key, "exclude": exclude, "offset": offset, "limit": limit}
    return [capture_id for (capture_id,) in _HOLDERS[exclude is not None].page.rows(session, params)]


@dataclass
class SiteHolders:
    """What `site_holders_first` read of the holders of a capture's paragraph keys."""

    first: dict[str, list[int]]  # key -> its first holders, in `site_holders` order; keys none holds absent
    rows: list[tuple[int, str, int]]  # (capture, key, other stories) of every holder of the keys in `whole`
    whole: set[str]  # the keys whose every holder is in `rows` (those no other capture holds included)


def site_holders_first(
    session: Session, site: str, keys: Iterable[str], exclude: int | None, limit: int
) -> SiteHolders:
    """The first `limit` holders of each paragraph key, in `site_holders` order, with what was read whole.

    Counted first (the index alone); the keys held `limit` times or fewer are then read whole in one query,
    the others (a site's footer on hundreds of stories) one `site_holders` page each. A capture of 40
    paragraphs each held by 20 copies (aeb-dev, SQLite): 0.42 ms in SQLite, where one window query ranking
    every holder took 1.25 ms; a footer's hundreds of holders are counted, not ranked. The rows read whole
    also serve `sitechrome_spread` of the same add, which then reads only the keys held more often.
    """
    unique = sorted(set(keys))
    out = SiteHolders({}, [], set(unique))
    queries = _HOLDERS[exclude is not None]
    for start in range(0, len(unique), 500):
        params = {"site": site, "keys": unique[start : start + 500], "exclude": exclude}
        held = dict(queries.counts.rows(session, params))
        few = sorted(k for k, n in held.items() if n <= limit)
        if few:
            for key, capture_id, n in queries.every.rows(session, {**params, "keys": few}):
                out.first.setdefault(key, []).append(capture_id)
                out.rows.append((capture_id, key, n))
        for key in sorted(k for k, n in held.items() if n > limit):
            out.first[key] = site_holders(session, site, key, exclude, 0, limit)
            out.whole.discard(key)
    return out


def site_rows_below(
    session: Session, site: str, keys: Iterable[str], cap: int, exclude: int, skip: Sequence[int] = ()
) -> list[tuple[int, str, int]]:
    """(capture, key, other stories) of the site's other captures holding one of the keys, below `cap`.

    Captures in `skip` (besides `exclude`) are left out.
    """
    unique = sorted(set(keys))
    out: list[tuple[int, str, int]] = []
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        params = {"site": site, "keys": chunk, "cap": cap, "exclude": exclude, "skip": skip}
        out.extend(_SITE_ROWS_BELOW.rows(session, params))
    return sorted(out)


def site_count_up(session: Session, capture_id: int, keys: Iterable[str], cap: int) -> None:
    """One more other story for these paragraphs of a capture (those still below `cap`)."""
    unique = sorted(set(keys))
    for start in range(0, len(unique), 500):
        params = {"capture": capture_id, "keys": unique[start : start + 500], "cap": cap}
        _SITE_COUNT_UP.run(session, params)


def site_rows_of(session: Session, capture_ids: Iterable[int]) -> dict[int, dict[str, tuple[int | None, int]]]:
    """Per capture: its site paragraph keys -> (first position, other stories)."""
    ids = sorted(set(capture_ids))
    out: dict[int, dict[str, tuple[int | None, int]]] = {i: {} for i in ids}
    for start in range(0, len(ids), 500):
        rows = _SITE_ROWS_OF.rows(session, {"captures": ids[start : start + 500]})
        for capture_id, key, position, n in rows:
            out[capture_id][key] = (position, n)
    return out


def site_counts_of(session: Session, capture_id: int, site: str) -> dict[str, int]:
    """A capture's paragraph keys recorded under this site -> their other stories; empty if none are."""
    return {key: n for key, n in _SITE_COUNTS_AT.rows(session, {"capture": capture_id, "site": site})}


def site_of_capture(session: Session, capture_id: int) -> str | None:
    """The site key a capture's paragraphs were recorded under, if any."""
    return session.scalars(select(SiteParagraph.site).where(SiteParagraph.capture_id == capture_id).limit(1)).first()


def chrome_texts_of(session: Session, capture_ids: Iterable[int], reason: str) -> dict[int, list[str]]:
    """Per capture: the texts of its chrome rows with this reason, in order."""
    ids = sorted(set(capture_ids))
    out: dict[int, list[str]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        params = {"captures": ids[start : start + 500], "reason": reason}
        for capture_id, chrome_text in _CHROME_TEXTS_OF.rows(session, params):
            out[capture_id].append(chrome_text)
    return out


def texts_of_captures(session: Session, capture_ids: Iterable[int]) -> dict[int, tuple[int, str, int]]:
    """Per capture: its text's id, its clean body, and the version of the cleaner that made it."""
    session.flush()  # a capture pointed at another text and not yet written
    ids = sorted(set(capture_ids))
    out: dict[int, tuple[int, str, int]] = {}
    for start in range(0, len(ids), 500):
        rows = _TEXTS_OF_CAPTURES.rows(session, {"captures": ids[start : start + 500]})
        out.update((capture_id, (text_id, body, version)) for capture_id, text_id, body, version in rows)
    return out


# --- re-cleaned captures -----------------------------------------------------------------------


def capture_sync(
    session: Session, row: Capture, article: Article, *, text_id: int, cleaner_version: int, source_publisher: str | None
) -> None:
    """Point a capture at a new text and article fields; rewrite its chrome / credit rows only if they differ."""
    values = {
        "canonical_url": article.canonical_url,
        "title": article.title,
        "byline": article.byline,
        "site_name": article.site_name,
        "published": article.published,
        "language": article.language,
        "extractor": article.extractor,
        "cleaner_version": cleaner_version,
        "source_publisher": source_publisher,
        "text_id": text_id,
    }
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
    chrome_now = [(c.reason, c.text) for c in chrome_of(session, row.id)]
    credits_now = [(c.name, c.kind, c.evidence) for c in credits_of(session, [row.id])[row.id]]
    if chrome_now != [(c.reason, c.text) for c in article.chrome] or credits_now != [
        (c.name, c.kind, c.evidence) for c in article.credits
    ]:
        article_parts_put(session, row.id, article)
    session.flush()


def texts_remove_orphans(session: Session, candidates: Iterable[int] | None = None) -> int:
    """Delete texts no capture points at (all texts, or only `candidates`), with their fingerprints, bands, matches."""
    session.flush()
    pool = set(session.scalars(select(TextRow.id))) if candidates is None else set(candidates)
    used: set[int] = set()
    ids = sorted(pool)
    for start in range(0, len(ids), 500):
        used.update(session.scalars(select(Capture.text_id).where(Capture.text_id.in_(ids[start : start + 500]))))
    orphans = sorted(pool - used)
    for start in range(0, len(orphans), 500):
        chunk = orphans[start : start + 500]
        session.execute(delete(TextMatch).where(TextMatch.text_a.in_(chunk) | TextMatch.text_b.in_(chunk)))
        session.execute(delete(FingerprintBand).where(FingerprintBand.text_id.in_(chunk)))
        session.execute(delete(FingerprintRow).where(FingerprintRow.text_id.in_(chunk)))
        session.execute(delete(TextRow).where(TextRow.id.in_(chunk)))
    session.flush()
    return len(orphans)


# --- reads for show / lineage ------------------------------------------------------------------


def edge_of(session: Session, capture_id: int) -> LineageEdge | None:
    return session.get(LineageEdge, capture_id)


def children_of(session: Session, capture_id: int) -> list[LineageEdge]:
    return list(
        session.scalars(
            select(LineageEdge).where(LineageEdge.parent_id == capture_id).order_by(LineageEdge.child_id)
        )
    )


def chrome_of(session: Session, capture_id: int) -> list[ChromeRow]:
    return list(
        session.scalars(select(ChromeRow).where(ChromeRow.capture_id == capture_id).order_by(ChromeRow.position))
    )


def fingerprints_of(session: Session, text_id: int) -> list[FingerprintRow]:
    return list(
        session.scalars(select(FingerprintRow).where(FingerprintRow.text_id == text_id).order_by(FingerprintRow.kind))
    )


def counts(session: Session) -> dict[str, int]:
    """Row counts of the main tables, for `archive db status`."""
    return {
        "captures": session.scalar(select(func.count()).select_from(Capture)) or 0,
        "texts": session.scalar(select(func.count()).select_from(TextRow)) or 0,
        "blobs": session.scalar(select(func.count()).select_from(Blob)) or 0,
        "lineage_edges": session.scalar(select(func.count()).select_from(LineageEdge)) or 0,
        "text_matches": session.scalar(select(func.count()).select_from(TextMatch)) or 0,
    }
