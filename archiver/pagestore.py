"""Reads and writes of pages and their versions (store layer; the caller commits).

A capture belongs to the page named by its normalised page URL (urls.page_url). Whenever a page
gains a capture its versions are re-assigned as a whole (versions.assign_versions), so adding
captures in any order gives the same version numbers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from archiver.diff import word_diff
from archiver.driversql import DriverStatement, insert_every_column
from archiver.models import Base, Capture, Page, PageVersion, TextMatch, TextRow
from archiver.store import FAMILY_LIMIT
from archiver.urls import page_url
from archiver.versions import Assignment, PageCapture, assign_versions, page_order_key, utc

_PAGE = Base.metadata.tables[Page.__tablename__]
_CAPTURE = Base.metadata.tables[Capture.__tablename__]
_PAGE_VERSION = Base.metadata.tables[PageVersion.__tablename__]
_TEXT = Base.metadata.tables[TextRow.__tablename__]
# Core statements built once: the writer runs them for every capture, and SQLAlchemy's ORM layer
# (statement building, coercion, cache keys, autoflush, row loading) costs more than SQLite's work here;
# the hottest run on the driver's cursor (archiver.driversql)
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
_MATCH = Base.metadata.tables[TextMatch.__tablename__]
_TEXTS: BindParameter[Any] = bindparam("texts", expanding=True)
_FAMILY_MATCHES = DriverStatement(select(
    _MATCH.c.text_a, _MATCH.c.text_b, _MATCH.c.relation, _MATCH.c.score, _MATCH.c.excerpt_side,
    _MATCH.c.evidence,
).where(or_(_MATCH.c.text_a.in_(_TEXTS), _MATCH.c.text_b.in_(_TEXTS))), lists=("texts",))
_FAMILY_PAGE_TEXTS = DriverStatement(select(_CAPTURE.c.text_id).where(
    _CAPTURE.c.page_id.in_(select(_CAPTURE.c.page_id).where(_CAPTURE.c.text_id.in_(_TEXTS)).scalar_subquery())
), lists=("texts",))
_PAGE_VERSION_UPDATE = DriverStatement(
    update(_PAGE_VERSION)
    .where(_PAGE_VERSION.c.page_id == bindparam("page"), _PAGE_VERSION.c.version == bindparam("old_version"))
    .values({k: bindparam(f"new_{k}") for k in _PAGE_VERSION_COLUMNS})
)


def page_get_or_create(session: Session, url: str) -> Page:
    """The page with this normalised URL, created if new."""
    page = session.scalars(select(Page).where(Page.url == url)).first()
    if page is None:
        page = Page(url=url)
        session.add(page)
        session.flush()
    return page


def page_attach(session: Session, row: Capture) -> Page | None:
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



def page_captures(session: Session, page_id: int) -> list[Capture]:
    """A page's captures in page order (capture time, published, raw SHA-256)."""
    rows = list(session.scalars(select(Capture).where(Capture.page_id == page_id)))
    return sorted(rows, key=lambda r: page_order_key(r.captured_at, r.published, r.blob_sha256))


def page_refresh(session: Session, page_id: int) -> dict[int, Assignment]:
    """Re-assign the versions of a page's captures and rewrite the page_version rows that changed.

    Only what differs is written: re-capturing a known version changes one page_version row (its count
    and last capture time) and the versions of the captures that moved, not the page's every row.
    """
    session.flush()  # the Core reads below see pending captures
    rows = _PAGE_CAPTURES.rows(session, {"page": page_id})
    bodies: dict[int, str] = {}

    def body_of(text_id: int) -> str:
        if not bodies:  # a page's texts are read together, once, and only when versions must be compared
            ids = sorted({r.text_id for r in rows})
            bodies.update(_PAGE_BODIES.rows(session, {"ids": ids}))
        return bodies[text_id]

    assignments = assign_versions(
        [PageCapture(r.id, r.text_id, r.captured_at, r.published, r.blob_sha256) for r in rows], body_of
    )
    by_id = {r.id: r for r in rows}
    moved = [(a.capture_id, a.version) for a in assignments if by_id[a.capture_id].version != a.version]
    if moved:
        _CAPTURE_VERSION_SET.run_many(session, [{"cid": c, "new_version": v} for c, v in moved])
        for capture_id, version in moved:  # a capture object this session holds keeps up with the row
            held = session.identity_map.get(identity_key(Capture, capture_id))
            if held is not None:
                set_committed_value(held, "version", version)
    wanted: dict[int, tuple[object, ...]] = {}
    previous_body: str | None = None
    for a in assignments:
        if not a.first:
            continue
        members = [by_id[b.capture_id] for b in assignments if b.version == a.version]
        change = None
        if a.version > 1:
            body = body_of(by_id[a.capture_id].text_id)
            change = word_diff(previous_body, body) if previous_body is not None else None
            previous_body = body
        elif len(assignments) > len(members):  # a later version is diffed against this one
            previous_body = body_of(by_id[a.capture_id].text_id)
        wanted[a.version] = (
            a.capture_id,
            len(members),
            max(utc(m.captured_at) for m in members),
            change.words_added if change else None,
            change.words_removed if change else None,
        )
    stored = {
        r.version: (r.capture_id, r.captures, utc(r.last_captured_at), r.words_added, r.words_removed)
        for r in _PAGE_VERSION_ROWS.rows(session, {"page": page_id})
    }
    gone = [{"page": page_id, "old_version": v} for v in sorted(set(stored) - set(wanted))]
    if gone:
        _PAGE_VERSION_DELETE.run_many(session, gone)
    changed = [
        {"page": page_id, "old_version": v, **{f"new_{k}": x for k, x in zip(_PAGE_VERSION_COLUMNS, row)}}
        for v, row in sorted(wanted.items())
        if v in stored and stored[v] != row
    ]
    if changed:
        _PAGE_VERSION_UPDATE.run_many(session, changed)
    fresh = [
        {"page_id": page_id, "version": v, **dict(zip(_PAGE_VERSION_COLUMNS, row))}
        for v, row in sorted(wanted.items())
        if v not in stored
    ]
    if fresh:
        _PAGE_VERSION_INSERT.run_many(session, fresh)
    return {a.capture_id: a for a in assignments}


def page_url_of(session: Session, page_id: int) -> str | None:
    """A page's normalised URL."""
    url: str | None = _PAGE_URL.scalar(session, {"page": page_id})
    return url


def page_heads(session: Session, page_id: int) -> dict[int, tuple[int, int]]:
    """A page's versions: version -> (first capture showing it, captures showing it)."""
    rows = _PAGE_HEADS.rows(session, {"page": page_id})
    return {version: (capture_id, captures) for version, capture_id, captures in rows}


def page_versions(session: Session, page_id: int) -> list[PageVersion]:
    query = select(PageVersion).where(PageVersion.page_id == page_id).order_by(PageVersion.version)
    # page_refresh writes these rows through Core: an object this session loaded before is refreshed
    return list(session.scalars(query.execution_options(populate_existing=True)))


MatchRow = tuple[int, int, str, float, str | None, dict[str, Any]]  # a text_match row as `family_of` reads it


def family_of(session: Session, text_id: int) -> tuple[set[int], list[MatchRow]]:
    """Texts linked to this one by verified matches or by being versions of one page, and the matches.

    A revision can share few words with the version before it; the page keeps it in the family. Walked a
    level at a time (two queries per level, not per text), up to FAMILY_LIMIT texts. Matches are
    (text_a, text_b, relation, score, excerpt_side, evidence), ordered by (text_a, text_b).
    """
    session.flush()  # the Core reads below see pending matches and captures
    seen = {text_id}
    frontier = [text_id]
    matches: dict[tuple[int, int], MatchRow] = {}
    while frontier and len(seen) < FAMILY_LIMIT:
        linked: set[int] = set()
        for start in range(0, len(frontier), 500):  # stay under SQLite's bound-parameter limit
            some = frontier[start : start + 500]
            for a, b, relation, score, side, evidence in _FAMILY_MATCHES.rows(session, {"texts": some}):
                matches[(a, b)] = (a, b, relation, score, side, evidence)
                linked.update((a, b))
            # the texts on the pages of these texts' captures (a page seen at an earlier level adds none)
            linked.update(text_id for (text_id,) in _FAMILY_PAGE_TEXTS.rows(session, {"texts": some}))
        frontier = sorted(linked - seen)
        seen.update(frontier)
    return seen, [matches[k] for k in sorted(matches)]


def text_neighbours(session: Session, text_id: int) -> set[int]:
    """A text, the texts it has verified matches with, and the texts of its captures' pages.

    Re-deriving the families of these after the text loses a capture reaches every capture whose
    lineage could have gone through it (`family_of` walks on from each).
    """
    out = {text_id}
    query = select(TextMatch).where(or_(TextMatch.text_a == text_id, TextMatch.text_b == text_id))
    for m in session.scalars(query):
        out.update((m.text_a, m.text_b))
    pages = {p for p in session.scalars(select(Capture.page_id).where(Capture.text_id == text_id)) if p is not None}
    for page_id in sorted(pages):
        out.update(session.scalars(select(Capture.text_id).where(Capture.page_id == page_id)))
    return out
