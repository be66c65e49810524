"""Reads and writes of pages and their versions (store layer; the caller commits).

A capture belongs to the page named by its normalised page URL (urls.page_url). Whenever a page
gains a capture its versions are re-assigned as a whole (versions.assign_versions), so adding
captures in any order gives the same version numbers.
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from archiver.diff import word_diff
from archiver.models import Capture, Page, PageVersion, TextMatch, TextRow
from archiver.store import FAMILY_LIMIT
from archiver.urls import page_url
from archiver.versions import Assignment, PageCapture, assign_versions, page_order_key, utc


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


def page_captures(session: Session, page_id: int) -> list[Capture]:
    """A page's captures in page order (capture time, published, raw SHA-256)."""
    rows = list(session.scalars(select(Capture).where(Capture.page_id == page_id)))
    return sorted(rows, key=lambda r: page_order_key(r.captured_at, r.published, r.blob_sha256))


def page_refresh(session: Session, page_id: int) -> dict[int, Assignment]:
    """Re-assign the versions of a page's captures and rewrite its page_version rows."""
    rows = page_captures(session, page_id)
    bodies = {t.id: t.body for t in session.scalars(select(TextRow).where(TextRow.id.in_({r.text_id for r in rows})))}
    assignments = assign_versions(
        [
            PageCapture(r.id, r.text_id, r.captured_at, r.published, r.blob_sha256, bodies[r.text_id], r.title)
            for r in rows
        ]
    )
    by_id = {r.id: r for r in rows}
    for a in assignments:
        by_id[a.capture_id].version = a.version
    session.execute(delete(PageVersion).where(PageVersion.page_id == page_id))
    session.flush()
    previous_body: str | None = None
    for a in assignments:
        if not a.first:
            continue
        head = by_id[a.capture_id]
        members = [by_id[b.capture_id] for b in assignments if b.version == a.version]
        body = bodies[head.text_id]
        change = word_diff(previous_body, body) if previous_body is not None else None
        session.add(
            PageVersion(
                page_id=page_id,
                version=a.version,
                capture_id=head.id,
                captures=len(members),
                last_captured_at=max(utc(m.captured_at) for m in members),
                words_added=change.words_added if change else None,
                words_removed=change.words_removed if change else None,
            )
        )
        previous_body = body
    session.flush()
    return {a.capture_id: a for a in assignments}


def page_get(session: Session, page_id: int) -> Page | None:
    return session.get(Page, page_id)


def page_versions(session: Session, page_id: int) -> list[PageVersion]:
    return list(
        session.scalars(select(PageVersion).where(PageVersion.page_id == page_id).order_by(PageVersion.version))
    )


def family_of(session: Session, text_id: int) -> tuple[set[int], list[TextMatch]]:
    """Texts linked to this one by verified matches or by being versions of one page, and the matches.

    A revision can share few words with the version before it; the page keeps it in the family. Walked a
    level at a time (three queries per level, not per text), up to FAMILY_LIMIT texts.
    """
    seen = {text_id}
    frontier = [text_id]
    pages_seen: set[int] = set()
    matches: dict[tuple[int, int], TextMatch] = {}
    while frontier and len(seen) < FAMILY_LIMIT:
        linked: set[int] = set()
        pages: set[int] = set()
        for start in range(0, len(frontier), 500):  # stay under SQLite's bound-parameter limit
            some = frontier[start : start + 500]
            query = select(TextMatch).where(or_(TextMatch.text_a.in_(some), TextMatch.text_b.in_(some)))
            for m in session.scalars(query):
                matches[(m.text_a, m.text_b)] = m
                linked.update((m.text_a, m.text_b))
            pages.update(session.scalars(select(Capture.page_id).where(Capture.text_id.in_(some))))
        new_pages = sorted(p for p in pages - pages_seen if p is not None)
        pages_seen.update(new_pages)
        for start in range(0, len(new_pages), 500):
            some_pages = new_pages[start : start + 500]
            linked.update(session.scalars(select(Capture.text_id).where(Capture.page_id.in_(some_pages))))
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
