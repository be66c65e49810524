"""The one way every command finds a capture: by id, by URL (its page's latest capture), or a version `REF@N`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, or_, select

from archiver.errors import NotFoundError
from archiver.lineage.versions import page_captures
from archiver.sources.urls import normalise_url
from archiver.store import tables
from archiver.store.pages import page_versions

if TYPE_CHECKING:
    from archiver.store.tables import Reader

# Core queries on `archiver.store.tables`: a capture is a row of `capture` (every column), read on the read
# commands' Core connection or a session alike, so `show` and `search` never import sqlalchemy.orm (issue 23)
_CAPTURE = tables.capture


# the id columns are INTEGER: 32-bit on PostgreSQL, so no capture has a larger id on either backend; a larger
# number is looked up as nothing (SQLite overflowed to a traceback, PostgreSQL to "integer out of range")
MAX_ID = 2**31 - 1


def resolve_capture(session: Reader, ref: str | int) -> Row[Any]:
    """A capture by id, by URL (the page's latest capture), or `URL@N` / `ID@N` (version N of that page)."""
    value = str(ref).strip()
    base, _, number = value.rpartition("@")
    if base and number.isdigit():
        page_id = resolve_page(session, base)
        heads = {v.version: v.capture_id for v in page_versions(session, page_id)}
        if int(number) not in heads:
            raise NotFoundError(f"no version {number} of {base!r} (it has {len(heads)})")
        row = capture_by_id(session, heads[int(number)])
        assert row is not None
        return row
    if not value.isdigit():
        page = page_by_url(session, value)
        if page is not None:
            rows = page_captures(session, page.id)
            if rows:
                return rows[-1]
    return _capture_by_id_or_url(session, value)


def resolve_page(session: Reader, ref: str) -> int:
    """The page id of a page URL, or of the page a capture (by id or URL) is on."""
    page = None if ref.strip().isdigit() else page_by_url(session, ref)
    if page is not None:
        return page.id
    row = _capture_by_id_or_url(session, ref)
    if row.page_id is None:
        raise NotFoundError(f"capture #{row.id} has no page URL, so it has no versions")
    return row.page_id


def page_by_url(session: Reader, ref: str) -> Row[Any] | None:
    """The page row (id, url) whose normalised URL this is."""
    url = normalise_url(ref)
    return session.execute(select(tables.page).where(tables.page.c.url == url)).first() if url else None


def capture_by_id(session: Reader, capture_id: int) -> Row[Any] | None:
    """The capture row with this id, if any."""
    return session.execute(select(_CAPTURE).where(_CAPTURE.c.id == capture_id)).first()


def _capture_by_id_or_url(session: Reader, value: str) -> Row[Any]:
    """A capture by its id, or by a URL it was added with (the latest capture of that URL)."""
    if value.isdigit():
        found = capture_by_id(session, int(value)) if int(value) <= MAX_ID else None
    else:
        found = session.execute(
            select(_CAPTURE)
            .where(or_(_CAPTURE.c.url == value, _CAPTURE.c.canonical_url == value))
            .order_by(_CAPTURE.c.captured_at.desc(), _CAPTURE.c.id.desc())
        ).first()
    if found is None:
        raise NotFoundError(f"no capture {value!r} in this archive")
    return found
