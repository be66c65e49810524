"""Pages and page versions as SQL (the version rule: `archiver.lineage.versions`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, bindparam, delete, insert, select, update

from archiver.sources.urls import normalise_url, page_url
from archiver.store import tables
from archiver.store.driversql import DriverStatement, insert_every_column
from archiver.types import utc

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from archiver.store.models import CaptureRow, Page
    from archiver.store.tables import Reader

_PAGE = tables.page

_CAPTURE = tables.capture

_PAGE_VERSION = tables.page_version

_TEXT = tables.text

# Core statements built once: the writer runs them for every capture, and SQLAlchemy's ORM layer
# (statement building, coercion, cache keys, autoflush, row loading) costs more than SQLite's work here;
# the hottest run on the driver's cursor (archiver.store.driversql)
_PAGE_INSERT = insert(_PAGE).returning(_PAGE.c.id)

_PAGE_ID_BY_URL = DriverStatement(select(_PAGE.c.id).where(_PAGE.c.url == bindparam("url")))

_PAGE_URL = DriverStatement(select(_PAGE.c.url).where(_PAGE.c.id == bindparam("page")))

_PAGE_HEADS = DriverStatement(select(
    _PAGE_VERSION.c.version, _PAGE_VERSION.c.capture_id, _PAGE_VERSION.c.captures
).where(_PAGE_VERSION.c.page_id == bindparam("page")))


_PAGE_CAPTURES = DriverStatement(select(
    _CAPTURE.c.id, _CAPTURE.c.text_id, _CAPTURE.c.captured_at, _CAPTURE.c.published, _CAPTURE.c.blob_sha256,
    _CAPTURE.c.version,
).where(_CAPTURE.c.page_id == bindparam("page")), named=True)


_PAGE_BODIES = DriverStatement(
    select(_TEXT.c.id, _TEXT.c.body).where(_TEXT.c.id.in_(bindparam("ids", expanding=True))), lists=("ids",)
)


_PAGE_VERSION_COLUMNS = ("capture_id", "captures", "last_captured_at", "words_added", "words_removed")

_PAGE_VERSION_ROWS = DriverStatement(select(
    _PAGE_VERSION.c.version, *(_PAGE_VERSION.c[k] for k in _PAGE_VERSION_COLUMNS)
).where(_PAGE_VERSION.c.page_id == bindparam("page")), named=True)


_CAPTURE_VERSION_SET = DriverStatement(
    update(_CAPTURE).where(_CAPTURE.c.id == bindparam("cid")).values(version=bindparam("new_version"))
)


_PAGE_VERSION_DELETE = DriverStatement(delete(_PAGE_VERSION).where(
    _PAGE_VERSION.c.page_id == bindparam("page"), _PAGE_VERSION.c.version == bindparam("old_version")
))


_PAGE_VERSION_INSERT = insert_every_column(_PAGE_VERSION)

_PAGE_VERSION_UPDATE = DriverStatement(
    update(_PAGE_VERSION)
    .where(_PAGE_VERSION.c.page_id == bindparam("page"), _PAGE_VERSION.c.version == bindparam("old_version"))
    .values({k: bindparam(f"new_{k}") for k in _PAGE_VERSION_COLUMNS})
)


def page_get_or_create(session: Session, url: str) -> Page:
    """The page with this normalised URL, created if new."""
    from archiver.store.models import Page

    page = session.scalars(select(Page).where(Page.url == url)).first()
    if page is None:
        page = Page(url=url)
        session.add(page)
        session.flush()
    return page


def page_attach(session: Session, row: CaptureRow) -> Page | None:
    """Put a capture on its page (by canonical URL, else captured URL); None when it has no http(s) URL."""
    url = page_url(row.canonical_url, row.url)
    if url is None:
        return None
    page = page_get_or_create(session, url)
    row.page_id = page.id
    session.flush()
    return page


def page_id_for(session: Session, canonical_url: str | None, url: str | None) -> int | None:
    """The id of the page a capture with these URLs belongs on (created if new); None without an http(s) URL.

    What `page_attach` finds, for a capture not stored yet: it is then inserted on its page at once.
    """
    found = page_url(canonical_url, url)
    if found is None:
        return None
    page_id: int | None = _PAGE_ID_BY_URL.scalar(session, {"url": found})
    if page_id is None:  # pages are only ever made flushed (page_get_or_create), so Core sees them all
        page_id = session.execute(_PAGE_INSERT, {"url": found}).scalar_one()
    return page_id


def page_url_of(session: Reader, page_id: int) -> str | None:
    """A page's normalised URL."""
    url: str | None = _PAGE_URL.scalar(session, {"page": page_id})
    return url


def page_heads(session: Session, page_id: int) -> dict[int, tuple[int, int]]:
    """A page's versions: version -> (first capture showing it, captures showing it)."""
    rows = _PAGE_HEADS.rows(session, {"page": page_id})
    return {version: (capture_id, captures) for version, capture_id, captures in rows}


def page_versions(session: Reader, page_id: int) -> list[Row[Any]]:
    """A page's page_version rows (every column), by version."""
    query = select(_PAGE_VERSION).where(_PAGE_VERSION.c.page_id == page_id).order_by(_PAGE_VERSION.c.version)
    return list(session.execute(query))


def page_capture_rows(session: Session, page_id: int) -> list[Any]:
    """A page's captures as rows (id, text_id, captured_at, published, blob_sha256, version)."""
    session.flush()  # the Core reads below see pending captures
    return list(_PAGE_CAPTURES.rows(session, {"page": page_id}))


def page_bodies(session: Session, text_ids: list[int]) -> dict[int, str]:
    """The bodies of these texts (a page's), in one query."""
    return dict(_PAGE_BODIES.rows(session, {"ids": text_ids}))


def capture_versions_set(session: Session, moved: list[tuple[int, int]]) -> None:
    """Set captures' version numbers: (capture, version) pairs; a capture object the session holds follows."""
    if not moved:
        return
    from sqlalchemy.orm.attributes import set_committed_value
    from sqlalchemy.orm.util import identity_key

    from archiver.store.models import CaptureRow

    _CAPTURE_VERSION_SET.run_many(session, [{"cid": c, "new_version": v} for c, v in moved])
    for capture_id, version in moved:
        held = session.identity_map.get(identity_key(CaptureRow, capture_id))
        if held is not None:
            set_committed_value(held, "version", version)


def page_version_rows_put(session: Session, page_id: int, wanted: dict[int, tuple[object, ...]]) -> None:
    """Make a page's page_version rows these (version -> capture, captures, last capture time, words added,
    words removed); only the rows that differ are deleted, updated or inserted."""
    stored = {
        r.version: (r.capture_id, r.captures, utc(r.last_captured_at), r.words_added, r.words_removed)
        for r in _PAGE_VERSION_ROWS.rows(session, {"page": page_id})
    }
    gone = [{"page": page_id, "old_version": v} for v in sorted(set(stored) - set(wanted))]
    if gone:
        _PAGE_VERSION_DELETE.run_many(session, gone)
    changed = [
        {"page": page_id, "old_version": v, **{f"new_{k}": x for k, x in zip(_PAGE_VERSION_COLUMNS, row, strict=True)}}
        for v, row in sorted(wanted.items())
        if v in stored and stored[v] != row
    ]
    if changed:
        _PAGE_VERSION_UPDATE.run_many(session, changed)
    fresh = [
        {"page_id": page_id, "version": v, **dict(zip(_PAGE_VERSION_COLUMNS, row, strict=True))}
        for v, row in sorted(wanted.items())
        if v not in stored
    ]
    if fresh:
        _PAGE_VERSION_INSERT.run_many(session, fresh)


def pages_last_captures(session: Session, page_ids: list[int] | None = None) -> list[tuple[int, str, str | None, Any]]:
    """(page id, page URL, URL of its latest capture that has one, latest capture time) for each page with
    captures (or for `page_ids`), in page id order: what `archive refetch` fetches and filters on."""
    query = (
        select(_CAPTURE.c.page_id, _PAGE.c.url, _CAPTURE.c.url, _CAPTURE.c.captured_at)
        .join(_PAGE, _PAGE.c.id == _CAPTURE.c.page_id)
        .order_by(_CAPTURE.c.page_id, _CAPTURE.c.captured_at, _CAPTURE.c.id)
    )
    if page_ids is not None:
        query = query.where(_CAPTURE.c.page_id.in_(page_ids))
    out: dict[int, tuple[int, str, str | None, Any]] = {}
    for page_id, url, captured_url, captured_at in session.execute(query):
        held = out.get(page_id)
        out[page_id] = (page_id, url, captured_url or (held[2] if held else None), captured_at)
    return list(out.values())


def page_id_by_url(session: Session, url: str) -> int | None:
    """The page a URL names: its normalised form is a page's URL, else a capture was made from it or declares
    it as canonical (that capture's page)."""
    normal = normalise_url(url)
    page_id: int | None = _PAGE_ID_BY_URL.scalar(session, {"url": normal}) if normal else None
    if page_id is None:
        page_id = session.execute(
            select(_CAPTURE.c.page_id)
            .where((_CAPTURE.c.url == url) | (_CAPTURE.c.canonical_url == url), _CAPTURE.c.page_id.is_not(None))
            .order_by(_CAPTURE.c.captured_at.desc(), _CAPTURE.c.id.desc())
        ).scalars().first()
    return page_id
