"""`show`: everything stored of one capture, as one JSON-ready record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archiver.clean.site_template import TEMPLATE_REASON
from archiver.read.resolve import resolve_capture
from archiver.store.captures import chrome_of, credits_of, fingerprints_of
from archiver.store.engine import Archive
from archiver.store.matches import edge_of
from archiver.store.models import CaptureRow, LineageEdge, Page, TextRow
from archiver.store.sites import site_of_capture
from archiver.types import Capture, Chrome, iso, utc


def capture_brief(row: CaptureRow) -> dict[str, Any]:
    """The fields that name a capture wherever one is listed (lineage nodes, history, diff)."""
    return {"id": row.id, "title": row.title, "site_name": row.site_name, "url": row.url, "path": row.path}


def capture_record(session: Session, row: CaptureRow, *, chrome: bool = True) -> dict[str, Any]:
    """Everything stored about one capture, as `archive show --json` prints it."""
    text = session.get(TextRow, row.text_id)
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
        "page": _page_url(session, row),
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


def _page_url(session: Session, row: CaptureRow) -> str | None:
    page = session.get(Page, row.page_id) if row.page_id is not None else None
    return page.url if page else None


def _published(session: Session, row: CaptureRow) -> dict[str, Any]:
    """The page's own date; failing that, the earliest date of a capture with the identical text.

    A syndicated copy often drops the dateline (seed 002): the identical text's date is then the best
    evidence of when the story was published, reported with where it came from.
    """
    if row.published:
        return {"published": row.published, "published_from": None}
    dated = session.scalars(
        select(CaptureRow)
        .where(CaptureRow.text_id == row.text_id, CaptureRow.id != row.id, CaptureRow.published.is_not(None))
        .order_by(CaptureRow.published, CaptureRow.id)
    ).first()
    if dated is None:
        return {"published": None, "published_from": None}
    return {"published": dated.published, "published_from": {"id": dated.id, "why": "identical text"}}


def edge_summary(edge: LineageEdge | None) -> dict[str, Any] | None:
    if edge is None:
        return None
    return {"id": edge.parent_id, "relation": edge.relation, "score": edge.score, "evidence": list(edge.evidence or [])}


def show(archive: Archive, ref: str, *, dropped: bool = False) -> dict[str, Any]:
    """The record of the capture with this id or URL; with `dropped`, also every block of the page's visible
    text that is not in the body (`show_dropped`)."""
    with archive.session() as session:
        row = resolve_capture(session, ref)
        record = capture_record(session, row)
        if dropped:
            record["dropped"] = show_dropped(session, row, record)
        return record


def show_dropped(session: Session, row: CaptureRow, record: dict[str, Any]) -> list[dict[str, str]]:
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
