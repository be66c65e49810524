"""`reprocess`: re-clean every stored capture from its raw bytes and rebuild what depends on the text.

So an archive improves when the cleaner does. Steps, all in one transaction (a failure or an interrupt
leaves the archive exactly as it was; a half-reprocessed archive would mix texts from two cleaners and
hold lineage computed from neither):

1. every capture is cleaned again from its blob (`pipeline.prepare`: cleaner, credits, fingerprints);
2. learned site chrome is applied with *every other* capture of the site as context (`add` sees only the
   earlier ones, so the first captures of a site keep their template until a reprocess);
3. captures are pointed at their new texts; texts no capture uses any more are removed;
4. fingerprints and the LSH band table are rebuilt and matches re-verified text by text in id order
   (each text against the earlier ones, as `add` does), then every family's lineage is re-derived.

Deterministic and idempotent: a second run finds the same texts, matches and edges and rewrites no row.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archiver import pagestore, store
from archiver.clean import CLEANER_VERSION
from archiver.clean.learned import learned_paragraphs
from archiver.db import Archive
from archiver.errors import ArchiveError
from archiver.fingerprint import band_keys, fingerprint_text
from archiver.models import Capture as CaptureRow
from archiver.models import (
    FingerprintBand,
    FingerprintRow,
    LineageEdge,
    TextMatch,
    TextRow,
)
from archiver.pipeline import Prepared, prepare, rederive_family, site_of, verify_candidates
from archiver.sitechrome import SitePool, sitechrome_record
from archiver.types import Capture


@dataclass(frozen=True)
class ReprocessResult:
    """What `archive reprocess` changed."""

    captures: int  # captures in the archive
    recleaned: int  # captures cleaned again (the rest failed and kept their text)
    texts_changed: int  # captures whose clean text is now different
    edges_changed: int  # captures whose lineage parent or relation is now different
    texts_removed: int  # texts no capture uses any more, deleted
    failed: list[dict[str, object]] = field(default_factory=list)  # {"id", "error"}: kept as they were


def reprocess(archive: Archive) -> ReprocessResult:
    """Re-clean the whole archive in one transaction; returns the summary."""
    with archive.session() as session:
        try:
            result = reprocess_session(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return result


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def reprocess_session(session: Session) -> ReprocessResult:
    """The whole reprocess inside the caller's transaction (the caller commits)."""
    rows = list(session.scalars(select(CaptureRow).order_by(CaptureRow.id)))
    old_text = {r.id: r.text_id for r in rows}
    old_sha = {i: sha for i, sha in session.execute(select(TextRow.id, TextRow.sha256))}
    old_edges = {e.child_id: (e.parent_id, e.relation) for e in session.scalars(select(LineageEdge))}

    prepared: dict[int, tuple[Prepared, str | None]] = {}
    failed: list[dict[str, object]] = []
    pool = SitePool()
    for row in rows:
        capture = Capture(
            raw=store.blob_get(session, row.blob_sha256),
            path=row.path,
            url=row.url,
            captured_at=_aware(row.captured_at),
            content_type=row.content_type,
        )
        try:
            item = prepare(capture)
        except ArchiveError as e:
            failed.append({"id": row.id, "error": str(e)})
            continue
        except RecursionError:
            failed.append({"id": row.id, "error": "page too deeply nested to parse"})
            continue
        item = dataclasses.replace(item, capture=dataclasses.replace(capture, raw=b""))  # keep memory small
        site = site_of(item.article, row.url)
        prepared[row.id] = (item, site)
        pool.add(row.id, site, row.captured_at, learned_paragraphs(item.article))

    for row in rows:
        if row.id not in prepared:
            continue
        item, site = prepared[row.id]
        item = pool.learn(item, site, row.id)
        text_row, _ = store.text_get_or_create(session, item.article.text)
        _capture_sync(session, row, item, text_row.id)
        sitechrome_record(session, row.id, site, item)
    session.flush()

    removed = _texts_remove_orphans(session)
    _matches_rebuild(session)
    _pages_rebuild(session)
    new_edges = _lineage_rebuild(session)

    new_sha = {i: sha for i, sha in session.execute(select(TextRow.id, TextRow.sha256))}
    texts_changed = sum(1 for r in rows if old_sha.get(old_text[r.id]) != new_sha.get(r.text_id))
    edges_changed = sum(1 for c in set(old_edges) | set(new_edges) if old_edges.get(c) != new_edges.get(c))
    return ReprocessResult(
        captures=len(rows),
        recleaned=len(prepared),
        texts_changed=texts_changed,
        edges_changed=edges_changed,
        texts_removed=removed,
        failed=failed,
    )


def _capture_sync(session: Session, row: CaptureRow, item: Prepared, text_id: int) -> None:
    """Point a capture at its new text and article fields; rewrite chrome / credit rows only if they differ."""
    article = item.article
    values = {
        "canonical_url": article.canonical_url,
        "title": article.title,
        "byline": article.byline,
        "site_name": article.site_name,
        "published": article.published,
        "language": article.language,
        "extractor": article.extractor,
        "cleaner_version": CLEANER_VERSION,
        "source_publisher": item.source_publisher,
        "text_id": text_id,
    }
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
    chrome_now = [(c.reason, c.text) for c in store.chrome_of(session, row.id)]
    credits_now = [(c.name, c.kind, c.evidence) for c in store.credits_of(session, [row.id])[row.id]]
    if chrome_now != [(c.reason, c.text) for c in article.chrome] or credits_now != [
        (c.name, c.kind, c.evidence) for c in article.credits
    ]:
        store.article_parts_put(session, row.id, article)


def _texts_remove_orphans(session: Session) -> int:
    """Delete texts no capture points at, with their fingerprints, band keys and matches."""
    used = set(session.scalars(select(CaptureRow.text_id).distinct()))
    orphans = sorted(set(session.scalars(select(TextRow.id))) - used)
    for start in range(0, len(orphans), 500):
        chunk = orphans[start : start + 500]
        session.execute(delete(TextMatch).where(TextMatch.text_a.in_(chunk) | TextMatch.text_b.in_(chunk)))
        session.execute(delete(FingerprintBand).where(FingerprintBand.text_id.in_(chunk)))
        session.execute(delete(FingerprintRow).where(FingerprintRow.text_id.in_(chunk)))
        session.execute(delete(TextRow).where(TextRow.id.in_(chunk)))
    session.flush()
    return len(orphans)


def _matches_rebuild(session: Session) -> None:
    """Fingerprints (rewritten only when different), band table and verified matches, text by text in id order."""
    session.execute(delete(TextMatch))
    session.execute(delete(FingerprintBand))
    session.flush()
    for text in session.scalars(select(TextRow).order_by(TextRow.id)).all():
        fps = fingerprint_text(text.body)
        bands = {fp.kind: band_keys(fp) for fp in fps}
        verify_candidates(session, text.id, text.body, bands)  # the band table holds only earlier texts yet
        stored = [(f.kind, f.algorithm, f.version, f.params, f.value) for f in store.fingerprints_of(session, text.id)]
        fresh = sorted((f.kind, f.algorithm, f.version, f.params, f.value) for f in fps)
        if stored != fresh:
            store.fingerprints_put(session, text.id, fps, bands)
        else:
            for kind, keys in bands.items():
                for key in sorted(set(keys)):
                    session.add(FingerprintBand(kind=kind, band_key=key, text_id=text.id))
            session.flush()


def _pages_rebuild(session: Session) -> None:
    """Re-attach captures to pages (a re-clean may find another canonical URL) and re-number versions."""
    pages: set[int] = set()
    for row in session.scalars(select(CaptureRow).order_by(CaptureRow.id)).all():
        page = pagestore.page_attach(session, row)
        if page is None:
            row.page_id, row.version = None, None
        else:
            pages.add(page.id)
    session.flush()
    for page_id in sorted(pages):
        pagestore.page_refresh(session, page_id)


def _lineage_rebuild(session: Session) -> dict[int, tuple[int, str]]:
    """Re-derive the lineage of every family; returns child -> (parent, relation)."""
    session.execute(delete(LineageEdge))
    session.flush()
    done: set[int] = set()
    for text_id in session.scalars(select(TextRow.id).order_by(TextRow.id)).all():
        if text_id in done:
            continue
        family, _ = store.family_texts(session, text_id)
        done |= family
        rederive_family(session, text_id)
    return {e.child_id: (e.parent_id, e.relation) for e in session.scalars(select(LineageEdge))}

