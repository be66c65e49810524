"""The one re-clean path: a stored capture cleaned again from its raw bytes, its text, pages and site rows
brought up to date. `add` re-cleans the few captures an add turns a paragraph into site template in
(`reclean_captures`); `archive reprocess` re-cleans every capture (`archiver.pipeline.reprocess`); both
store each capture's new text through `reclean_store` and renumber pages through `pages_reattach`, so an
archive built by adds in any order is what `reprocess` makes of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from archiver.clean import CLEANER_VERSION
from archiver.clean.site_template import template_paragraphs, template_positions
from archiver.errors import ArchiveError
from archiver.lineage.boilerplate import boilerplate_touched, passages
from archiver.lineage.candidates import verify_candidates
from archiver.lineage.versions import page_refresh
from archiver.pipeline.prepare import Prepared, prepare, site_of
from archiver.pipeline.site_templates import templates_apply, templates_learn, templates_of_capture, templates_record
from archiver.sources.urls import page_url
from archiver.store.bands import band_keys_of
from archiver.store.blobs import blob_get, sha256_hex
from archiver.store.captures import (
    capture_sync,
    fingerprints_put,
    text_get_or_create,
    text_sha256_of,
    texts_remove_orphans,
)
from archiver.store.locks import locks_of_bands, locks_take
from archiver.store.matches import text_neighbours
from archiver.store.models import CaptureRow, TextRow
from archiver.store.pages import page_attach, page_url_of
from archiver.store.passages import passages_put
from archiver.store.sites import site_of_capture, site_rows_of
from archiver.types import Capture, utc


def capture_of_row(session: Session, row: CaptureRow) -> Capture:
    """A stored capture as it was read: its raw bytes, path, URL, capture time and content type."""
    raw = blob_get(session, row.blob_sha256)
    return Capture(raw=raw, path=row.path, url=row.url, captured_at=utc(row.captured_at),
                   content_type=row.content_type)


def reclean_store(
    session: Session, row: CaptureRow, item: Prepared, templates: set[str], learned: Prepared | None = None
) -> tuple[TextRow, bool, Prepared]:
    """Point a stored capture at its re-cleaned text: `templates` (site template paragraph keys) moved to
    chrome, the text found or made, the capture's metadata, chrome and credits rewritten. Returns the text,
    whether it is new, and the capture as stored (a new text's fingerprints are the caller's to write: `add`
    writes them at once, reprocess rebuilds every text's together). `learned`: `templates_apply(item, templates)`,
    when the caller made it already."""
    learned = learned if learned is not None else templates_apply(item, templates)
    text_row, created = text_get_or_create(session, learned.article.text)
    capture_sync(
        session, row, learned.article, text_id=text_row.id, cleaner_version=CLEANER_VERSION,
        source_publisher=learned.source_publisher,
    )
    return text_row, created, learned


def pages_reattach(session: Session, rows: Iterable[CaptureRow]) -> None:
    """Put re-cleaned captures on their pages again (a re-clean may find another canonical URL) and
    renumber the versions of every page they left or joined."""
    pages: set[int] = set()
    for row in rows:
        if row.page_id is not None:
            pages.add(row.page_id)
        page = page_attach(session, row)
        if page is None:
            row.page_id, row.version = None, None
        else:
            pages.add(page.id)
    session.flush()
    for page_id in sorted(pages):
        page_refresh(session, page_id)


def reclean_captures(session: Session, capture_ids: Iterable[int]) -> tuple[list[int], list[int]]:
    """Clean stored captures again from their raw bytes against the site template counted in the store.

    What `archive reprocess` does to one capture, for the few an add turns a paragraph into template in:
    new text (fingerprints, band keys, matches with the earlier texts), chrome, page versions; texts no
    capture carries any more are removed. Returns the captures re-cleaned and the texts whose families need
    their lineage re-derived. A capture that can no longer be cleaned keeps its text, as `archive reprocess`
    leaves it.
    """
    touched: list[int] = []
    recleaned: list[CaptureRow] = []
    new_texts: list[tuple[TextRow, dict[str, list[bytes]]]] = []
    old_texts: set[int] = set()
    for capture_id in sorted(set(capture_ids)):
        row = session.get(CaptureRow, capture_id)
        if row is None:
            continue
        try:
            item = prepare(capture_of_row(session, row))
        except ArchiveError:
            continue
        site = site_of(item.article, row.url)
        old_page = None if row.page_id is None else page_url_of(session, row.page_id)
        # what this capture's re-clean reaches (`archiver.store.locks`; nothing on SQLite): both sites it may
        # be recorded under, its old and new page, and its old text (removed when no other capture carries
        # it) with the band keys through which another writer could be verifying against it
        locks_take(
            session,
            ("site", [site, site_of_capture(session, row.id)]),
            ("page", [old_page, page_url(item.article.canonical_url, row.url)]),
            ("text", [text_sha256_of(session, row.text_id)]),
            ("band", locks_of_bands(band_keys_of(session, row.text_id))),
        )
        recorded = set(site_rows_of(session, [row.id])[row.id])
        if site != site_of_capture(session, row.id) or recorded != set(
            template_positions(template_paragraphs(item.article))
        ):
            # cleaned by an older cleaner: its own counts are made afresh; the other captures of the
            # site learn of its changed paragraphs at the next `archive reprocess`
            _, counts = templates_learn(session, site, item, exclude=row.id)
            templates_record(session, row.id, site, item, counts)
        templates = templates_of_capture(session, row.id)
        recleaned.append(row)
        touched.extend(sorted(text_neighbours(session, row.text_id)))
        old_texts.add(row.text_id)
        learned = templates_apply(item, templates)
        locks_take(  # its new text, as `add` locks a new capture's
            session,
            ("text", [sha256_hex(learned.article.text.encode("utf-8"))]),
            ("band", locks_of_bands(learned.bands)),
            ("page", [page_url(learned.article.canonical_url, row.url)]),
        )
        text_row, created, learned = reclean_store(session, row, item, templates, learned)
        if created:
            fingerprints_put(session, text_row.id, learned.fingerprints, learned.bands)
            passages_put(session, text_row.id, passages(text_row.body))
            new_texts.append((text_row, learned.bands))
        touched.append(text_row.id)
    texts_remove_orphans(session, old_texts)
    pages_reattach(session, recleaned)
    for text_row, bands in sorted(new_texts, key=lambda t: t[0].id):
        verify_candidates(session, text_row.id, text_row.body, bands)
        touched.extend(sorted(boilerplate_touched(session, text_row.id)))
    return [r.id for r in recleaned], touched
