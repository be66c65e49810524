"""`refetch`: fetch archived pages again through `add` (one path): a new version when the clean text changed,
a re-capture when it did not. Picks the pages (all, or named by URL; optionally only those last captured
before a time); prints nothing, returns one result a page."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from archiver.errors import NotFoundError
from archiver.pipeline.add import add
from archiver.sources.fetch import FetchPolicy
from archiver.store.engine import Archive
from archiver.store.models import CaptureRow
from archiver.store.pages import page_id_by_url, page_versions, pages_last_captures
from archiver.types import AddResult, iso, utc


@dataclass(frozen=True)
class RefetchTarget:
    """An archived page to fetch again: its URL as captured last, and when it was last captured."""

    page_id: int
    page: str  # the normalised page URL
    url: str  # what is fetched: the URL its latest capture came from (else the page URL)
    last_captured_at: datetime


@dataclass(frozen=True)
class RefetchResult:
    """What fetching one page again did. `status`: "version" (the clean text changed: a new version stored),
    "recapture" (the text did not change: a re-capture recorded), "unchanged" (the very same bytes as a stored
    capture: nothing recorded), "new" (the page now names another page: stored there), or "error"."""

    page: str
    url: str
    status: str
    previous_captured_at: str | None = None  # when the page was last captured before this fetch
    id: int | None = None  # the version's first capture; for "unchanged", the capture with the same bytes
    version: int | None = None
    recapture: int | None = None  # the re-capture's own id
    title: str | None = None
    words_added: int | None = None
    words_removed: int | None = None
    moved_to: str | None = None  # for "new": the page the fetched capture is on
    error: str | None = None


def refetch_targets(
    archive: Archive, urls: list[str] | None = None, older_than: datetime | None = None
) -> list[RefetchTarget]:
    """The pages to fetch again: those the URLs name (all pages when None), last captured before
    `older_than` when given. A URL that names no archived page raises NotFoundError (exit 3)."""
    with archive.session() as session:
        page_ids: list[int] | None = None
        if urls is not None:
            page_ids = []
            for url in urls:
                page_id = page_id_by_url(session, url)
                if page_id is None:
                    raise NotFoundError(f"no archived page {url!r}",
                                        hint="`archive refetch` fetches pages already archived; "
                                             "add a new one with `archive add URL`.")
                if page_id not in page_ids:
                    page_ids.append(page_id)
        rows = pages_last_captures(session, page_ids)
    if page_ids is not None:  # in the order given
        order = {p: k for k, p in enumerate(page_ids)}
        rows.sort(key=lambda r: order[r[0]])
    cutoff = utc(older_than) if older_than is not None else None
    return [
        RefetchTarget(page_id, page, captured_url or page, utc(last))
        for page_id, page, captured_url, last in rows
        if cutoff is None or utc(last) < cutoff
    ]


def refetch(
    archive: Archive, targets: list[RefetchTarget], policy: FetchPolicy, *, jobs: int = 1
) -> Iterator[RefetchResult]:
    """Fetch each target again and store it as `archive add URL` does; one result a target, in order."""
    results = add(archive, (t.url for t in targets), jobs=jobs, policy=policy)
    for target, result in zip(targets, results, strict=True):
        yield _refetch_result(archive, target, result)


def _refetch_result(archive: Archive, target: RefetchTarget, result: AddResult) -> RefetchResult:
    """An add result said as a refetch result: what changed on the page."""
    made = functools.partial(RefetchResult, target.page, target.url, previous_captured_at=iso(target.last_captured_at))
    if result.status == "error":
        return made("error", error=result.error)
    if result.status == "new" and result.page != target.page:  # the page now names another (its canonical URL)
        return made("new", id=result.id, title=result.title, moved_to=result.page)
    if result.status == "duplicate":
        if result.recapture is not None:
            return made("recapture", id=result.id, version=result.version, recapture=result.recapture,
                        title=result.title)
        with archive.session() as session:  # the same bytes as a stored capture: which version they show
            held = session.get(CaptureRow, result.id)
            version = held.version if held is not None else None
        return made("unchanged", id=result.id, version=version, title=result.title)
    added = removed = None
    with archive.session() as session:
        for row in page_versions(session, target.page_id):
            if row.version == result.version:
                added, removed = row.words_added, row.words_removed
    return made("version", id=result.id, version=result.version, title=result.title, words_added=added,
                words_removed=removed)
