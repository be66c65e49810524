"""`show`: everything stored of one capture, as one JSON-ready record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, select

from archiver.clean.site_template import TEMPLATE_REASON
from archiver.read.resolve import resolve_capture
from archiver.store import tables
from archiver.store.captures import chrome_of, credits_of, fingerprints_of, texts_get
from archiver.store.matches import edge_of
from archiver.store.pages import page_url_of
from archiver.store.sites import site_of_capture
from archiver.types import Capture, Chrome, iso, utc

if TYPE_CHECKING:
    from archiver.store.engine import Archive
    from archiver.store.tables import Reader

# Core reads on the archive's Core connection (`Archive.connect`): `show` never imports sqlalchemy.orm (issue 23).
# A capture is a row of `capture` (every column; `archiver.read.resolve`), read the same on a session.


def capture_brief(row: Any) -> dict[str, Any]:
    """The fields that name a capture wherever one is listed (lineage nodes, history, diff)."""
    return {"id": row.id, "title": row.title, "site_name": row.site_name, "url": row.url, "path": row.path}


def capture_record(session: Reader, row: Any, *, chrome: bool = True) -> dict[str, Any]:
    """Everything stored about one capture, as `archive show --json` prints it."""
    text = texts_get(session, [row.text_id]).get(row.text_id)
    edge = edge_of(session, row.id)
    record: dict[str, Any] = {
        "id": row.id,
        "url": row.url,
        "canonical_url": row.canonical_url,
        "path": row.path,
        "title": row.title,
        "byline": row.byline,
        "site_name": row.site_name,
        **_published(session, row),
        "language": row.language,
        "captured_at": iso(row.captured_at),
        "added_at": iso(row.added_at),
        "content_type": row.content_type,
        "extractor": row.extractor,
        "cleaner_version": row.cleaner_version,
        "sha256": row.blob_sha256,
        "text_id": row.text_id,
        "text_sha256": text.sha256 if text else None,
        "words": text.words if text else 0,
        "text": text.body if text else "",
        "source_publisher": row.source_publisher,
        "credits": [
            {"name": c.name, "kind": c.kind, "evidence": c.evidence} for c in credits_of(session, [row.id])[row.id]
        ],
        "parent": edge_summary(edge),
        "fingerprints": [
            {"kind": f.kind, "algorithm": f.algorithm, "version": f.version, "params": f.params}
            for f in fingerprints_of(session, row.text_id)
        ],
        "page": page_url_of(session, row.page_id) if row.page_id is not None else None,
        "version": row.version,
    }
    if chrome:
        rows = chrome_of(session, row.id)
        site = site_of_capture(session, row.id) if any(c.reason == TEMPLATE_REASON for c in rows) else None
        record["chrome"] = [
            {"reason": c.reason, "text": c.text, **({"site": site} if c.reason == TEMPLATE_REASON else {})}
            for c in rows
        ]
    return record


def _published(session: Reader, row: Any) -> dict[str, Any]:
    """The page's own date; failing that, the earliest date of a capture with the identical text.

    A syndicated copy often drops the dateline (seed 002): the identical text's date is then the best
    evidence of when the story was published, reported with where it came from.
    """
    if row.published:
        return {"published": row.published, "published_from": None}
    capture = tables.capture
    dated = session.execute(
        select(capture.c.id, capture.c.published)
        .where(capture.c.text_id == row.text_id, capture.c.id != row.id, capture.c.published.is_not(None))
        .order_by(capture.c.published, capture.c.id)
    ).first()
    if dated is None:
        return {"published": None, "published_from": None}
    return {"published": dated.published, "published_from": {"id": dated.id, "why": "identical text"}}


def edge_summary(edge: Any) -> dict[str, Any] | None:
    """A lineage edge (a `lineage_edge` row or model) as a record's `parent`."""
    if edge is None:
        return None
    return {"id": edge.parent_id, "relation": edge.relation, "score": edge.score, "evidence": list(edge.evidence or [])}


def show(archive: Archive, ref: str, *, dropped: bool = False) -> dict[str, Any]:
    """The record of the capture with this id or URL; with `dropped`, also every block of the page's visible
    text that is not in the body (`show_dropped`)."""
    with archive.connect() as connection:
        row = resolve_capture(connection, ref)
        record = capture_record(connection, row)
        if dropped:
            record["dropped"] = show_dropped(connection, row, record)
        return record


def show_dropped(session: Reader, row: Row[Any], record: dict[str, Any]) -> list[dict[str, str]]:
    """The page's visible text not in the body, block by block in page order, with its category and whether
    the extractor never returned it or a rule removed it (`clean.dropped`); read again from the raw bytes."""
    from archiver.clean.decode import decode_capture
    from archiver.clean.dropped import dropped_blocks
    from archiver.errors import InputError

    from archiver.store.blobs import blob_get

    capture = Capture(raw=blob_get(session, row.blob_sha256), path=row.path, url=row.url,
                      captured_at=utc(row.captured_at), content_type=row.content_type)
    try:
        text, kind = decode_capture(capture)
    except InputError:
        return []
    paragraphs = [p for p in (record.get("text") or "").split("\n\n") if p.strip()]
    chrome = [Chrome(c["text"], c["reason"]) for c in record.get("chrome") or []]
    return [
        {"category": d.category, "by": d.by, "text": d.text}
        for d in dropped_blocks(text, kind, paragraphs, chrome, row.title)
    ]
