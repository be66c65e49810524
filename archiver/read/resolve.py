"""The one way every command finds a capture: by id, by URL (its page's latest capture), or a version `REF@N`."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from archiver.errors import NotFoundError
from archiver.lineage.versions import page_captures
from archiver.sources.urls import normalise_url
from archiver.store.models import CaptureRow, Page
from archiver.store.pages import page_versions


# the id columns are INTEGER: 32-bit on PostgreSQL, so no capture has a larger id on either backend; a larger
# number is looked up as nothing (SQLite overflowed to a traceback, PostgreSQL to "integer out of range")
MAX_ID = 2**31 - 1


def resolve_capture(session: Session, ref: str | int) -> CaptureRow:
    """A capture by id, by URL (the page's latest capture), or `URL@N` / `ID@N` (version N of that page)."""
    value = str(ref).strip()
    base, _, number = value.rpartition("@")
    if base and number.isdigit():
        page_id = resolve_page(session, base)
        heads = {v.version: v.capture_id for v in page_versions(session, page_id)}
        if int(number) not in heads:
            raise NotFoundError(f"no version {number} of {base!r} (it has {len(heads)})")
        row = session.get(CaptureRow, heads[int(number)])
        assert row is not None
        return row
    if not value.isdigit():
        page = page_by_url(session, value)
        if page is not None:
            rows = page_captures(session, page.id)
            if rows:
                return rows[-1]
    return _capture_by_id_or_url(session, value)


def resolve_page(session: Session, ref: str) -> int:
    """The page id of a page URL, or of the page a capture (by id or URL) is on."""
    page = None if ref.strip().isdigit() else page_by_url(session, ref)
    if page is not None:
        return page.id
    row = _capture_by_id_or_url(session, ref)
    if row.page_id is None:
        raise NotFoundError(f"capture #{row.id} has no page URL, so it has no versions")
    return row.page_id


def page_by_url(session: Session, ref: str) -> Page | None:
    url = normalise_url(ref)
    return session.scalars(select(Page).where(Page.url == url)).first() if url else None


def _capture_by_id_or_url(session: Session, value: str) -> CaptureRow:
    """A capture by its id, or by a URL it was added with (the latest capture of that URL)."""
    if value.isdigit():
        found = session.get(CaptureRow, int(value)) if int(value) <= MAX_ID else None
    else:
        found = session.scalars(
            select(CaptureRow)
            .where(or_(CaptureRow.url == value, CaptureRow.canonical_url == value))
            .order_by(CaptureRow.captured_at.desc(), CaptureRow.id.desc())
        ).first()
    if found is None:
        raise NotFoundError(f"no capture {value!r} in this archive")
    return found
