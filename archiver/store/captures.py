"""Reads and idempotent writes of texts, captures, chrome, credits and fingerprints (the caller commits)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, bindparam, delete, func, insert, select

from archiver.store import tables
from archiver.store.blobs import sha256_hex
from archiver.store.driversql import DriverStatement, insert_every_column
from archiver.types import Article, Fingerprint

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from archiver.store.models import CaptureRow, TextRow
    from archiver.store.tables import Reader

# The reads `show` and `search` make (texts_get, captures_of_texts, credits_of, chrome_of, fingerprints_of) are
# Core queries on `tables`, run on a Core connection or a session alike; the writes that need ORM objects import
# the models when they run, so a read command never imports sqlalchemy.orm (issue 23).

_CAPTURE = tables.capture

_CHROME = tables.chrome

_CREDIT = tables.credit

_TEXT = tables.text

_CREDIT_NAMES = DriverStatement(
    select(_CREDIT.c.capture_id, _CREDIT.c.name, _CREDIT.c.kind)
    .where(_CREDIT.c.capture_id.in_(bindparam("captures", expanding=True)))
    .order_by(_CREDIT.c.capture_id, _CREDIT.c.position),
    lists=("captures",),
)

_BAND = tables.fingerprint_band

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

_FINGERPRINT = tables.fingerprint

_TEXT_INSERT = insert_every_column(_TEXT, returning=_TEXT.c.id)

_CAPTURE_INSERT = insert_every_column(_CAPTURE, returning=_CAPTURE.c.id)

_CHROME_INSERT = insert_every_column(_CHROME)

_CREDIT_INSERT = insert_every_column(_CREDIT)

_CAPTURE_KNOWN = DriverStatement(select(_CAPTURE.c.id, _CAPTURE.c.url, _CAPTURE.c.title).where(
    _CAPTURE.c.blob_sha256 == bindparam("digest")  # unique: one capture per raw bytes
))


_CAPTURES_KNOWN = select(_CAPTURE.c.blob_sha256, _CAPTURE.c.id, _CAPTURE.c.url, _CAPTURE.c.title).where(
    _CAPTURE.c.blob_sha256.in_(bindparam("digests", expanding=True))
)


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


def text_get_or_create(session: Session, body: str) -> tuple[TextRow, bool]:
    """The text row for a clean body, created if new. Returns (row, created)."""
    from archiver.store.models import TextRow

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


def text_sha256_of(session: Session, text_id: int) -> str | None:
    """A stored text's SHA-256 (None when there is no such text)."""
    digest: str | None = session.scalar(select(_TEXT.c.sha256).where(_TEXT.c.id == text_id))
    return digest


def capture_title(session: Session, capture_id: int) -> tuple[bool, str | None]:
    """(found, title) of a capture."""
    rows = _CAPTURE_TITLE.rows(session, {"capture": capture_id})
    return (False, None) if not rows else (True, rows[0][0])


def fingerprints_put(
    session: Session, text_id: int, fingerprints: Sequence[Fingerprint], bands: dict[str, list[bytes]],
    *, fresh: bool = False,
) -> None:
    """Store a text's fingerprints and their LSH band keys, replacing any older ones (none when `fresh`)."""
    from archiver.store.models import FingerprintBand, FingerprintRow

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
) -> CaptureRow:
    """Insert a capture with its article metadata, removed chrome and credits (on its page, when known).

    Inserted through Core and then handed to the session as the persistent object of that row (every
    column set, so reading one loads nothing): the ORM's flush machinery costs more than the INSERT.
    """
    from sqlalchemy.orm import make_transient_to_detached

    from archiver.store.models import CaptureRow

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
    row = CaptureRow(id=capture_id, **values)
    make_transient_to_detached(row)
    session.add(row)
    article_parts_put(session, capture_id, article, fresh=True)
    return row


def article_parts_put(session: Session, capture_id: int, article: Article, *, fresh: bool = False) -> None:
    """Replace a capture's removed-chrome and credit rows with the article's (none to replace when `fresh`)."""
    from archiver.store.models import ChromeRow, CreditRow

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


def texts_get(session: Reader, ids: Iterable[int]) -> dict[int, Row[Any]]:
    """Text rows by id (every column of `text`)."""
    ids = list(ids)
    if not ids:
        return {}
    return {t.id: t for t in session.execute(select(_TEXT).where(_TEXT.c.id.in_(ids)))}


def captures_of_texts(session: Reader, text_ids: Iterable[int]) -> list[Row[Any]]:
    """The capture rows (every column) holding these texts, by id."""
    ids = sorted(set(text_ids))
    out: list[Row[Any]] = []
    for start in range(0, len(ids), 500):
        out.extend(session.execute(select(_CAPTURE).where(_CAPTURE.c.text_id.in_(ids[start : start + 500]))))
    return sorted(out, key=lambda c: c.id)


def credit_names_of(session: Session, capture_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """Per capture: (name, kind) of its credits, in order."""
    ids = sorted(set(capture_ids))
    out: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        for capture_id, name, kind in _CREDIT_NAMES.rows(session, {"captures": ids[start : start + 500]}):
            out[capture_id].append((name, kind))
    return out


def credits_of(session: Reader, capture_ids: Iterable[int]) -> dict[int, list[Row[Any]]]:
    """Per capture: its credit rows (every column), in order."""
    ids = sorted(set(capture_ids))
    out: dict[int, list[Row[Any]]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(_CREDIT)
            .where(_CREDIT.c.capture_id.in_(ids[start : start + 500]))
            .order_by(_CREDIT.c.capture_id, _CREDIT.c.position)
        )
        for r in rows:
            out[r.capture_id].append(r)
    return out


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


def capture_sync(
    session: Session, row: CaptureRow, article: Article, *, text_id: int, cleaner_version: int,
    source_publisher: str | None,
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
    from archiver.store.models import CaptureRow, FingerprintBand, FingerprintRow, TextMatch, TextPassage, TextRow

    session.flush()
    pool = set(session.scalars(select(TextRow.id))) if candidates is None else set(candidates)
    used: set[int] = set()
    ids = sorted(pool)
    for start in range(0, len(ids), 500):
        used.update(session.scalars(select(CaptureRow.text_id).where(CaptureRow.text_id.in_(ids[start : start + 500]))))
    orphans = sorted(pool - used)
    for start in range(0, len(orphans), 500):
        chunk = orphans[start : start + 500]
        session.execute(delete(TextMatch).where(TextMatch.text_a.in_(chunk) | TextMatch.text_b.in_(chunk)))
        session.execute(delete(FingerprintBand).where(FingerprintBand.text_id.in_(chunk)))
        session.execute(delete(TextPassage).where(TextPassage.text_id.in_(chunk)))
        session.execute(delete(FingerprintRow).where(FingerprintRow.text_id.in_(chunk)))
        session.execute(delete(TextRow).where(TextRow.id.in_(chunk)))
    session.flush()
    return len(orphans)


def chrome_of(session: Reader, capture_id: int) -> list[Row[Any]]:
    """A capture's chrome rows (every column), in order of removal."""
    return list(session.execute(select(_CHROME).where(_CHROME.c.capture_id == capture_id).order_by(_CHROME.c.position)))


def fingerprints_of(session: Reader, text_id: int) -> list[Row[Any]]:
    """A text's fingerprint rows (every column), by kind."""
    return list(
        session.execute(
            select(_FINGERPRINT).where(_FINGERPRINT.c.text_id == text_id).order_by(_FINGERPRINT.c.kind)
        )
    )


def counts(session: Reader) -> dict[str, int]:
    """Row counts of the main tables, for `archive db status`."""
    counted = {"captures": _CAPTURE, "texts": _TEXT, "blobs": tables.blob, "lineage_edges": tables.lineage_edge,
               "text_matches": tables.text_match}
    return {name: session.scalar(select(func.count()).select_from(table)) or 0 for name, table in counted.items()}
