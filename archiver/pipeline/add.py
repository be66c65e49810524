"""`add`: sources -> prepare (workers) -> store -> verify -> lineage. Prints nothing; returns results.

Each capture is stored whole in one transaction (raw bytes, text, fingerprints, capture, chrome,
credits, matches, re-derived family lineage), with the captures the workers had ready with it
(`store_outcomes`), so a failure leaves the archive as it was. The same transaction keeps
site templates exact (`archiver.pipeline.site_templates`): the new capture loses the template its
site's other captures show, and earlier captures of the site for which it makes a paragraph
template are re-cleaned (`archiver.pipeline.reclean`), as `archive reprocess` would.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from archiver.clean import CLEANER_VERSION
from archiver.clean.credits import load_publishers
from archiver.errors import DatabaseError
from archiver.lineage.boilerplate import boilerplate_touched, passages
from archiver.lineage.candidates import verify_candidates
from archiver.lineage.edges import Edge
from archiver.lineage.families import rederive_families
from archiver.lineage.versions import page_refresh
from archiver.pipeline.corrections import corrections_import
from archiver.pipeline.prepare import Prepared, prepare, prepare_lean, prepare_outcome, site_of
from archiver.pipeline.reclean import reclean_captures
from archiver.pipeline.site_templates import SiteCache, SiteSeen, templates_learn, templates_record, templates_spread
from archiver.pipeline.workers import Work, WorkFailed, prepare_runs
from archiver.sources.exports import expand_exports, export_corrections, note_exports
from archiver.sources.fetch import FetchPolicy
from archiver.sources.inputs import Failed, Skipped, iter_captures
from archiver.sources.manifests import read_manifest
from archiver.sources.urls import page_url
from archiver.store.blobs import blob_put, sha256_hex
from archiver.store.captures import (
    capture_known,
    capture_put,
    capture_title,
    captures_known,
    fingerprints_put,
    text_id_get_or_create,
)
from archiver.store.engine import Archive
from archiver.store.locks import locks_of_bands, locks_take
from archiver.store.models import CaptureRow
from archiver.store.pages import page_heads, page_id_for, page_url_of
from archiver.store.passages import passages_put
from archiver.types import AddResult, Capture


def store_prepared(
    session: Session, item: Prepared, site_cache: SiteCache | None = None
) -> tuple[CaptureRow, Edge | None, list[int]]:
    """Write one prepared capture and re-derive its family's lineage (caller commits).

    Returns the stored capture, its lineage edge, and the earlier captures it had re-cleaned. `site_cache`:
    what the adds of one batch have read of their sites (`SiteCache`).

    The site's learned template is removed from it first (`templates_learn`), its paragraphs
    are recorded with their counts, and the earlier captures of the site for which it makes a paragraph
    template are re-cleaned in the same transaction, so texts and lineage do not depend on the add order.
    """
    site = site_of(item.article, item.capture.url)
    store_locks(session, (item, item.capture))
    seen = SiteSeen(cache=site_cache)
    learned, counts = templates_learn(session, site, item, seen=seen)
    # what the text can reach: texts sharing a band key are the only possible candidates (and holders of
    # the same text its only other writers); locked before the text gets its id, so of two texts that can
    # be each other's candidate the later id is always stored after the earlier one is committed
    locks_take(
        session,
        ("text", [sha256_hex(learned.article.text.encode("utf-8"))]),
        ("band", locks_of_bands(learned.bands)),
        ("page", [page_url(learned.article.canonical_url, item.capture.url)]),
    )
    blob_put(session, item.capture.raw, item.digest, compressed=item.blob)
    text_id, new_text = text_id_get_or_create(session, learned.article.text)
    if new_text:
        fingerprints_put(session, text_id, learned.fingerprints, learned.bands, fresh=True)
        passages_put(session, text_id, passages(learned.article.text), fresh=True)
    page_id = page_id_for(session, learned.article.canonical_url, item.capture.url)
    row = capture_put(
        session,
        blob_sha256=item.digest,
        path=item.capture.path,
        url=item.capture.url,
        content_type=item.capture.content_type,
        captured_at=item.capture.captured_at,
        article=learned.article,
        text_id=text_id,
        cleaner_version=CLEANER_VERSION,
        source_publisher=item.source_publisher,
        page_id=page_id,
    )
    page_mates = 0 if page_id is None else len(page_refresh(session, page_id)) - 1
    templates_record(session, row.id, site, item, counts, fresh=True)
    matched = verify_candidates(session, text_id, learned.article.text, learned.bands) if new_text else 0
    grown = templates_spread(session, row.id, site, item, seen=seen)
    recleaned, touched = reclean_captures(session, grown)
    if site_cache is not None and recleaned:
        site_cache.forget(recleaned)
        # a capture an older cleaner made is re-recorded by its re-clean without counting for the others
        # (`reclean_captures`): a twin's counts may then miss it, where counting its holders would not
        site_cache.forget_twins()
    # a new text that matches no other and has no other capture on its page is a family of one capture,
    # which has no lineage edge: nothing to re-derive (texts re-cleaned just now are in `touched`)
    alone = new_text and matched == 0 and page_mates == 0
    # the families holding a passage this text turns into boilerplate (or back) are judged again
    recurring = sorted(boilerplate_touched(session, text_id)) if new_text else []
    edges = rederive_families(session, [*([] if alone else [text_id]), *touched, *recurring])
    own = next((e for e in edges if e.child_id == row.id), None)
    return row, own, recleaned


def store_locks(session: Session, *entries: tuple[Prepared, Capture]) -> None:
    """Lock what storing these captures reads first (`archiver.store.locks`; nothing on SQLite), all in one
    sorted order: their raw bytes, their sites' paragraph counts, their pages' versions, and their texts and
    band keys as prepared (a site template learned while storing changes a text's keys: those are locked
    then). Locking a transaction's captures together, not one after the other, leaves two writers storing
    captures of the same families fewer ways to deadlock."""
    locks_take(
        session,
        ("blob", [item.digest for item, _ in entries]),
        ("site", [site_of(item.article, capture.url) for item, capture in entries]),
        ("page", [page_url(item.article.canonical_url, capture.url) for item, capture in entries]),
        ("text", [sha256_hex(item.article.text.encode("utf-8")) for item, _ in entries]),
        ("band", [key for item, _ in entries for key in locks_of_bands(item.bands)]),
    )


def add_one(archive: Archive, capture: Capture, prepare_fn: Callable[[Capture], Prepared] = prepare) -> AddResult:
    """Archive one capture; never raises for a bad input, reports it instead."""
    label = capture.path or capture.url
    with archive.session() as session:
        existing = capture_known(session, sha256_hex(capture.raw))
        if existing is not None:
            return AddResult(label, "duplicate", *existing)
    return store_outcome(archive, capture, prepare_outcome(prepare_fn, capture))


# Captures triaged in one query. On aeb-dev pages (SQLite) triage took ~0.23 ms a page of the writer's
# process with one session and query per capture, ~0.14 ms with one per 16, hashing included. A slow
# source (a URL being fetched) sends each capture on at once (TRIAGE_WAIT_S), as do TRIAGE_BYTES of bytes.
TRIAGE_BATCH = 16

TRIAGE_WAIT_S = 0.05

TRIAGE_BYTES = 16 * 1024 * 1024


def _triage(archive: Archive, captures: Iterable[Capture | Failed]) -> Iterator[object]:
    """Work for captures not yet archived; known bytes and read failures pass through (resumable batches).

    Captures are looked up a few at a time (TRIAGE_BATCH), in input order.
    """
    chunk: list[Capture | Failed] = []
    size, started = 0, 0.0
    for item in captures:
        if not chunk:
            started = time.monotonic()
        chunk.append(item)
        size += len(item.raw) if isinstance(item, Capture) else 0
        if len(chunk) >= TRIAGE_BATCH or size >= TRIAGE_BYTES or time.monotonic() - started >= TRIAGE_WAIT_S:
            yield from _triage_chunk(archive, chunk)
            chunk, size = [], 0
    yield from _triage_chunk(archive, chunk)


def _triage_chunk(archive: Archive, chunk: list[Capture | Failed]) -> Iterator[object]:
    digests = [sha256_hex(item.raw) if isinstance(item, Capture) else "" for item in chunk]
    known = {}
    if any(digests):
        with archive.session() as session:
            known = captures_known(session, [d for d in digests if d])
    for item, digest in zip(chunk, digests, strict=True):
        if isinstance(item, Failed):
            yield item
        elif digest in known:
            yield AddResult(item.path or item.url, "duplicate", *known[digest])
        else:
            yield Work(item)


# Captures stored in one write transaction at most: a run of results the workers had ready together
# (`workers.prepare_runs`: a task's TASK_ITEMS = 4 arrive at once). Storing 2,000 prepared aeb-dev pages
# (SQLite, benchmarks' page copies) in runs of 4 instead of one a transaction wrote 25 WAL pages a capture
# instead of 44 (the indexes' pages a run's captures share are written once) and took the writer 2.19 ms a
# capture instead of 2.39 (medians of 5). The cap bounds how long a run holds the archive's write lock:
# ~3 ms a capture, so 32 hold it ~0.1 s.
STORE_RUN_MAX = 32  # figures: docs/calibration.md#ingest-throughput


def store_outcome(
    archive: Archive, capture: Capture, outcome: Prepared | WorkFailed,
    site_cache: SiteCache | None = None,
) -> AddResult:
    """Store one prepared capture in one locked write transaction, or report why it could not be prepared."""
    return store_outcomes(archive, [(capture, outcome)], site_cache)[0]


def store_outcomes(
    archive: Archive, entries: list[tuple[Capture, Prepared | WorkFailed]],
    site_cache: SiteCache | None = None,
) -> list[AddResult]:
    """Store prepared captures in input order in one locked write transaction; their results, in order.

    Captures that could not be prepared are reported. When one capture's data cannot be stored (a DataError:
    that capture, not the archive), the transaction is rolled back and each capture is stored in its own,
    so that one fails alone. The results are those of the transaction that committed: a result is only
    reported once what it reports is in the archive. Any rollback empties `site_cache`, which may hold
    what the rolled-back transaction read or stored.
    """
    results: list[AddResult | None] = [
        AddResult(c.path or c.url, "error", url=c.url, error=o.error) if isinstance(o, WorkFailed) else None
        for c, o in entries
    ]
    todo = [(k, c, o) for k, (c, o) in enumerate(entries) if isinstance(o, Prepared)]
    attempts = 0

    def work(session: Session) -> list[AddResult]:
        nonlocal attempts
        if attempts and site_cache is not None:  # a retried transaction: the first one was rolled back
            site_cache.clear()
        attempts += 1
        store_locks(session, *((outcome, capture) for _, capture, outcome in todo))
        return [_store_in(session, capture, outcome, site_cache) for _, capture, outcome in todo]

    try:
        stored = archive.write(work, per_family=True) if todo else []
    except DatabaseError as e:
        if site_cache is not None:
            site_cache.clear()
        if not isinstance(e.__cause__, sa_exc.DataError):
            raise
        if len(todo) > 1:  # which capture it was is not known: each alone
            for k, capture, outcome in todo:
                results[k] = store_outcome(archive, capture, outcome, site_cache)
            return [r for r in results if r is not None]
        capture = todo[0][1]  # this capture's data, not the archive: it fails alone
        stored = [AddResult(capture.path or capture.url, "error", url=capture.url,
                            error=f"cannot store: {e.__cause__.orig}")]
    except BaseException:
        if site_cache is not None:
            site_cache.clear()
        raise
    for (k, _, _), result in zip(todo, stored, strict=True):
        results[k] = result
    return [r for r in results if r is not None]


def _store_in(
    session: Session, capture: Capture, outcome: Prepared, site_cache: SiteCache | None
) -> AddResult:
    """Store one prepared capture in the caller's write transaction; its result."""
    label = capture.path or capture.url
    outcome.capture = capture
    store_locks(session, (outcome, capture))  # before the look-up: another writer may be storing the same bytes
    existing = capture_known(session, outcome.digest)  # earlier in this batch, or another writer
    if existing is not None:
        return AddResult(label, "duplicate", *existing)
    row, edge, recleaned = store_prepared(session, outcome, site_cache)
    if site_cache is not None and (site := site_of(outcome.article, capture.url)) is not None:
        site_cache.stored(row.id, site, outcome)  # the batch's later adds of its site hold it
    redirected_from = capture.requested_url if capture.redirects else None
    result = _stored_result(session, label, row, edge, redirected_from)
    return dataclasses.replace(result, recleaned=recleaned) if recleaned else result


def _stored_result(
    session: Session, label: str | None, row: CaptureRow, edge: Edge | None, redirected_from: str | None
) -> AddResult:
    """The result of storing a capture: new, a new version of a known page, or a re-capture of one."""
    status, page_url = "new", None
    if row.page_id is not None and row.version is not None:
        page_url = page_url_of(session, row.page_id)
        heads = page_heads(session, row.page_id)
        head, _ = heads[row.version]
        if head != row.id:  # the text did not change: recorded, reported as the version it shows
            found, title = capture_title(session, head)
            return AddResult(
                label, "duplicate", head, row.url, title if found else row.title,
                page=page_url, version=row.version, recapture=row.id, redirected_from=redirected_from,
            )
        if sum(captures for _, captures in heads.values()) > 1:
            status = "version"
    return AddResult(
        label,
        status,
        row.id,
        row.url,
        row.title,
        parent=edge.parent_id if edge else None,
        relation=edge.relation if edge else None,
        page=page_url,
        version=row.version,
        redirected_from=redirected_from,
    )


def add(
    archive: Archive,
    inputs: Iterable[str],
    url: str | None = None,
    stdin: BinaryIO | None = None,
    *,
    jobs: int = 1,
    globs: tuple[str, ...] = (),
    policy: FetchPolicy | None = None,
    manifests: tuple[str, ...] = (),
) -> Iterator[AddResult]:
    """Archive every input (files, directories, "-", URLs, WARC files, exports); one result per capture, in order.

    Cleaning and fingerprinting run in `jobs` worker processes, each page under a time and memory limit
    (archiver.pipeline.guard), ahead of this process, the one writer, which stores in input order while they clean
    the next pages: any `jobs` gives the same archive.
    """
    exports: list[str] = []  # export files among the inputs: their corrections are restored at the end
    captures = expand_exports(
        note_exports(inputs, exports),
        lambda some: iter_captures(some, url=url, stdin=stdin, globs=globs, policy=policy),
    )
    if manifests:  # after the inputs: each row a capture with its URL and times (`sources.manifests`)
        captures = itertools.chain(captures, *(read_manifest(Path(m), policy) for m in manifests))
    pending = _triage(archive, captures)
    # the publisher table's credit patterns take ~0.15 s to compile: compiled here, before the workers
    # fork, each worker has them from the start instead of compiling its own (on 10 pages the first result
    # came at 0.22 s instead of 0.38 s). A bad table fails here, once.
    load_publishers()

    def drop_connections() -> None:  # a forked worker must not use the parent's connections
        archive.engine.dispose(close=False)

    site_cache = SiteCache()
    for run in prepare_runs(prepare_lean, pending, jobs, on_start=drop_connections):
        for start in range(0, len(run), STORE_RUN_MAX):
            yield from _finish(archive, run[start : start + STORE_RUN_MAX], site_cache)
    if exports:
        corrections_import(archive, [c for path in exports for c in export_corrections(Path(path))])


def _finish(
    archive: Archive, run: list[tuple[object, Prepared | WorkFailed | None]], site_cache: SiteCache
) -> list[AddResult]:
    """The results for a run of triaged items, in order: read failures, known captures, and prepared ones
    to store (in one transaction, `store_outcomes`)."""
    entries = [(item.item, outcome) for item, outcome in run if isinstance(item, Work) and outcome is not None]
    stored = iter(store_outcomes(archive, entries, site_cache))
    results = []
    for item, _ in run:
        if isinstance(item, Skipped):
            results.append(AddResult(item.path, "skipped", error=item.error))
        elif isinstance(item, Failed):
            results.append(AddResult(item.path, "error", error=item.error))
        elif isinstance(item, AddResult):
            results.append(item)
        else:
            results.append(next(stored))
    return results
