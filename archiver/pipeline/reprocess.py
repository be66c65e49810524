"""`reprocess`: re-clean every stored capture from its raw bytes and rebuild what depends on the text.

So an archive improves when the cleaner does. Steps, all in one transaction (a failure or an interrupt
leaves the archive exactly as it was; a half-reprocessed archive would mix texts from two cleaners and
hold lineage computed from neither):

1. every capture is cleaned again from its blob (`archiver.pipeline.prepare`: cleaner, credits, fingerprints);
2. site templates are counted with *every other* capture of the site as context (`SitePool`, the
   rule `add` keeps up to date capture by capture: on an archive made by this cleaner it finds nothing
   to change) and the site paragraph rows are rewritten with their counts;
3. captures are pointed at their new texts; texts no capture uses any more are removed;
4. fingerprints and the LSH band table are rebuilt and matches re-verified text by text in id order
   (each text against the earlier ones, as `add` does), then every family's lineage is re-derived.

Deterministic and idempotent: a second run finds the same texts, matches and edges and rewrites no row.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archiver.clean.site_template import template_keys
from archiver.errors import ArchiveError
from archiver.fingerprint import band_keys, fingerprint_text
from archiver.lineage.boilerplate import passages
from archiver.lineage.candidates import verify_candidates
from archiver.lineage.families import rederive_families
from archiver.pipeline.prepare import Prepared, prepare, site_of
from archiver.pipeline.reclean import capture_of_row, pages_reattach, reclean_store
from archiver.pipeline.site_templates import SitePool, templates_canonical, templates_paragraphs, templates_record
from archiver.store.passages import passages_put
from archiver.store.captures import fingerprints_of, fingerprints_put, texts_remove_orphans
from archiver.store.engine import Archive
from archiver.store.models import CaptureRow, FingerprintBand, LineageEdge, TextMatch, TextRow
from archiver.store.sites import site_of_capture


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
    """Re-clean the whole archive in one transaction; returns the summary.

    The transaction holds the archive's write lock from its first read, as `add` does: an `add` committing
    meanwhile would otherwise make the final write fail ("database is locked") after all the work. An `add`
    waits for the reprocess instead (up to the busy timeout, then retries).
    """
    with archive.write_session() as session:
        try:
            result = reprocess_session(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return result


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
        try:  # a damaged blob is this capture's failure (it keeps its text); the others are re-cleaned
            capture = capture_of_row(session, row)
            item = prepare(capture)
        except ArchiveError as e:
            failed.append({"id": row.id, "error": str(e)})
            continue
        item = dataclasses.replace(item, capture=dataclasses.replace(capture, raw=b""))  # keep memory small
        site = site_of(item.article, row.url)
        prepared[row.id] = (item, site)
        pool.add(row.id, site, templates_canonical(item))
    kept = [r.id for r in rows if r.id not in prepared]  # kept as they were: still part of their site
    for capture_id, paragraphs in templates_paragraphs(session, kept).items():
        pool.add(capture_id, site_of_capture(session, capture_id), paragraphs)

    for row in rows:
        if row.id not in prepared:
            continue
        item, site = prepared[row.id]
        counts = pool.counts(row.id)
        reclean_store(session, row, item, template_keys(counts))
        templates_record(session, row.id, site, item, counts)
    session.flush()

    removed = texts_remove_orphans(session)
    _matches_rebuild(session)
    pages_reattach(session, session.scalars(select(CaptureRow).order_by(CaptureRow.id)).all())
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


def _matches_rebuild(session: Session) -> None:
    """Fingerprints (rewritten only when different), band table and verified matches, text by text in id order."""
    session.execute(delete(TextMatch))
    session.execute(delete(FingerprintBand))
    session.flush()
    for text in session.scalars(select(TextRow).order_by(TextRow.id)).all():
        fps = fingerprint_text(text.body)
        bands = {fp.kind: band_keys(fp) for fp in fps}
        verify_candidates(session, text.id, text.body, bands)  # the band table holds only earlier texts yet
        passages_put(session, text.id, passages(text.body))
        stored = [(f.kind, f.algorithm, f.version, f.params, f.value) for f in fingerprints_of(session, text.id)]
        fresh = sorted((f.kind, f.algorithm, f.version, f.params, f.value) for f in fps)
        if stored != fresh:
            fingerprints_put(session, text.id, fps, bands)
        else:
            for kind, keys in bands.items():
                for key in sorted(set(keys)):
                    session.add(FingerprintBand(kind=kind, band_key=key, text_id=text.id))
            session.flush()


def _lineage_rebuild(session: Session) -> dict[int, tuple[int, str]]:
    """Re-derive the lineage of every family; returns child -> (parent, relation)."""
    session.execute(delete(LineageEdge))
    session.flush()
    rederive_families(session, session.scalars(select(TextRow.id).order_by(TextRow.id)).all())
    return {e.child_id: (e.parent_id, e.relation) for e in session.scalars(select(LineageEdge))}

