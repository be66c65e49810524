"""`add`: sources -> clean -> credits -> fingerprint -> store -> verify -> lineage. Prints nothing.

Each capture is stored whole in one transaction (raw bytes, text, fingerprints, capture, chrome,
credits, matches, re-derived family lineage), with the captures the workers had ready with it
(`store_outcomes`), so a failure leaves the archive as it was. The same transaction keeps
learned site templates exact (`archiver.sitechrome`): the new capture loses the template its
site's other captures show, and earlier captures of the site for which it makes a paragraph
template are re-cleaned (`reclean_captures`), as `archive reprocess` would.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import UTC
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from sqlalchemy import exc as sa_exc
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from archiver import pagestore, sitechrome, store
from archiver.clean import CLEANER_VERSION, clean
from archiver.clean.learned import learned_paragraphs, learned_positions, learned_site
from archiver.credits import Publishers, find_credits, load_publishers, origin_publisher, unique_credits
from archiver.db import Archive
from archiver.errors import ArchiveError, DatabaseError
from archiver.export import expand_exports
from archiver.fetch import FetchPolicy
from archiver.fingerprint import band_keys, band_shingles_of, fingerprint_text
from archiver.lineage import Edge, Match, Member, derive_edges, family_order
from archiver.models import Capture as CaptureRow
from archiver.models import TextRow
from archiver.sources import Failed, iter_captures
from archiver.types import Article, Capture, Fingerprint
from archiver.verify import VERSION as VERIFIER_VERSION
from archiver.verify import TextScan, compare_texts, scan_text
from archiver.versions import utc
from archiver.workers import Work, WorkFailed, prepare_runs


@dataclass(frozen=True)
class AddResult:
    """What happened to one input of `archive add`."""

    path: str | None
    status: str  # "new" | "duplicate" | "version" | "error"
    id: int | None = None
    url: str | None = None
    title: str | None = None
    parent: int | None = None
    relation: str | None = None
    error: str | None = None
    page: str | None = None  # the normalised page URL, when the capture has one
    version: int | None = None  # which version of that page it shows
    recapture: int | None = None  # for a re-capture of an unchanged version: the new capture's own id
    recleaned: list[int] | None = None  # earlier captures of the site re-cleaned: this add made a template
    redirected_from: str | None = None  # the URL as given, when fetching it was redirected to `url`


@dataclass
class Prepared:
    """A capture cleaned and fingerprinted, ready to store (no database needed to make it)."""

    capture: Capture
    digest: str
    article: Article
    fingerprints: list[Fingerprint]
    bands: dict[str, list[bytes]]
    source_publisher: str | None
    blob: bytes | None = None  # the raw bytes compressed for storing (`store.blob_compress`), if made
    # its paragraphs before learned removal, once worked out (`sitechrome.sitechrome_canonical`: learning,
    # counting and the batch's cache each ask). Not an argument: `dataclasses.replace` makes a Prepared with
    # another article, which must not inherit them.
    canonical: tuple[str, ...] | None = field(default=None, init=False, repr=False, compare=False)


def prepare(capture: Capture) -> Prepared:
    """Clean, read credits and fingerprint one capture: the CPU-bound, database-free part."""
    article = clean(capture)
    if not article.paragraphs:
        raise ArchiveError("no article text found")
    mentions = find_credits(article, capture.url, deduplicate=False)
    publisher = origin_publisher(mentions, article.site_name)  # repeats count: "told NPR" twice
    article.credits = unique_credits(mentions)
    fps = fingerprint_text(article.text)
    bands = {fp.kind: band_keys(fp) for fp in fps}
    return Prepared(
        capture=capture,
        digest=store.sha256_hex(capture.raw),
        article=article,
        fingerprints=fps,
        bands=bands,
        source_publisher=publisher,
    )


def site_publisher(site_name: str | None, url: str | None) -> str | None:
    """The canonical publisher of the site a capture appeared on, when it is a known one."""
    return _site_publisher(load_publishers(), site_name, url)


# asked for every member of a family at every add to it: each capture's is looked up once. 4,096
# (name, URL) pairs are a few hundred KB; sized, not tuned. Keyed by the publisher table, so a reloaded
# table (ARCHIVE_PUBLISHERS) is not answered from the old one.
@lru_cache(maxsize=4096)
def _site_publisher(publishers: Publishers, site_name: str | None, url: str | None) -> str | None:
    if site_name:
        name = publishers.canonical(site_name)
        if name:
            return name
    if url:
        host = urlsplit(url).hostname
        if host:
            return publishers.by_domain(host)
    return None


def site_of(article: Article, url: str | None) -> str | None:
    """The site whose template a capture shares: canonical publisher, else site name, else URL host."""
    where = article.canonical_url or url
    return learned_site(site_publisher(article.site_name, where), article.site_name, where)


def _member(row: Row[Any], credits: list[tuple[str, str]], words: int) -> Member:
    """What lineage needs of one capture (`store.lineage_members` row)."""
    return Member(
        capture_id=row.id,
        text_id=row.text_id,
        published=row.published,
        captured_at=utc(row.captured_at),
        blob_sha256=row.blob_sha256,
        source_publisher=row.source_publisher,
        site_publisher=site_publisher(row.site_name, row.canonical_url or row.url),
        credits=tuple(credits),
        words=words,
        page_id=row.page_id,
        version=row.version,
    )


def verify_candidates(session: Session, text_id: int, body: str, bands: dict[str, list[bytes]]) -> int:
    """Compare a new text with its earlier candidates (lower ids; `store.candidates_best`), store matches.

    Each pair is compared once, the later text first, as `archive reprocess` does, however many texts
    one transaction makes. At most CANDIDATE_LIMIT candidates are verified, and a hot band key yields only
    its first holders (`store.band_lookup`); when either bound cut something, the earliest member of each
    family the text matched is verified too (`family_origins`), so that family keeps its origin as the root
    of its lineage whatever order its texts came in.
    """
    found = store.band_lookup(session, text_id, bands, earlier_only=True)
    if not found.shared:
        return 0
    mine = scan_text(body)  # tokenised once for its shingles and all its candidates
    made: dict[tuple[str, ...], dict[str, list[tuple[int, ...]]]] = {}

    def shingles(kinds: list[str]) -> dict[str, list[tuple[int, ...]]]:
        if tuple(kinds) not in made:
            made[tuple(kinds)] = band_shingles_of(mine.words, mine.skeleton, kinds)
        return made[tuple(kinds)]

    passing = store.candidates_of_hits(found.shared, bands, shingles)
    chosen = store.candidates_best(found, passing)
    matched = _verify_and_store(session, text_id, mine, chosen)
    if matched and (found.hot or len(passing) > len(chosen)):
        origins = family_origins(session, matched, text_id) - set(chosen)
        shared = store.band_shared_with(session, bands, origins)
        hits = {t: keys for t, keys in shared.items() if len(keys) >= store.CANDIDATE_MIN_EVIDENCE}
        matched += _verify_and_store(session, text_id, mine, store.candidates_of_hits(hits, bands, shingles))
    session.flush()
    return len(matched)


def _verify_and_store(session: Session, text_id: int, mine: TextScan, others: list[int]) -> list[int]:
    """Compare the text with each of `others` and store the relations found; returns the texts related."""
    found = []
    rows = store.texts_get(session, others)
    for other_id in others:
        other = rows[other_id]
        result = compare_texts(mine, other.body)
        if result.relation is None:
            continue
        excerpt_of_new = None if result.excerpt_side is None else result.excerpt_side == "a"
        found.append(store.match_row(
            text_id,
            other.id,
            relation=result.relation,
            score=result.score,
            excerpt_of_x=excerpt_of_new,
            evidence=_evidence_dict(result),
            verifier_version=VERIFIER_VERSION,
        ))
    store.matches_put(session, found)
    return [row["text_b"] if row["text_a"] == text_id else row["text_a"] for row in found]


def family_origins(session: Session, text_ids: Iterable[int], before: int) -> set[int]:
    """For each family of these texts among the texts below `before`: the text of its earliest member.

    Earliest in lineage order (`lineage.family_order`): the member its lineage has as root. The family is
    walked through matches between texts below `before` only (`store.match_family_texts`): what the archive
    held when text `before` was added, so `archive reprocess` (text by text in id order) finds the same.
    """
    origins: set[int] = set()
    walked: set[int] = set()
    for text_id in sorted(text_ids):
        if text_id in walked:
            continue
        family = store.match_family_texts(session, [text_id], before)
        walked |= family
        rows = store.lineage_members(session, family)
        if not rows:
            continue
        credits = store.credit_names_of(session, [r.id for r in rows])
        members = [_member(r, credits[r.id], r.words) for r in rows]
        origins.add(family_order(members)[0].text_id)
    return origins


def _evidence_dict(result: object) -> dict[str, object]:
    data = dataclasses.asdict(result) if dataclasses.is_dataclass(result) else {}  # type: ignore[arg-type]
    data["summary"] = result.summary()  # type: ignore[attr-defined]
    return data


def rederive_family(
    session: Session, text_id: int, family: tuple[set[int], list[pagestore.MatchRow]] | None = None
) -> list[Edge]:
    """Recompute the lineage edges of every capture in this text's family (`family`: its walk, if made)."""
    text_ids, match_rows = family if family is not None else pagestore.family_of(session, text_id)
    rows = store.lineage_members(session, text_ids)
    credits = store.credit_names_of(session, [r.id for r in rows])
    members = [_member(r, credits[r.id], r.words) for r in rows]
    matches = [Match(a, b, rel, score, side, ev or {}) for a, b, rel, score, side, ev in match_rows]
    edges = derive_edges(members, matches)
    wanted = {e.child_id: (e.parent_id, e.relation, e.score, e.evidence) for e in edges}
    store.edges_replace(session, [r.id for r in rows], wanted)
    return edges


def rederive_families(session: Session, text_ids: Iterable[int]) -> list[Edge]:
    """Re-derive the lineage of the families of these texts (each family once).

    A text no longer stored (removed by a re-clean) is a family without captures: it yields no edge.
    """
    ids = list(dict.fromkeys(text_ids))
    edges: list[Edge] = []
    done: set[int] = set()
    for text_id in ids:
        if text_id in done:
            continue
        family = pagestore.family_of(session, text_id)
        done |= family[0]
        edges.extend(rederive_family(session, text_id, family))
    return edges


def store_prepared(
    session: Session, item: Prepared, site_cache: sitechrome.SiteCache | None = None
) -> tuple[CaptureRow, Edge | None, list[int]]:
    """Write one prepared capture and re-derive its family's lineage (caller commits).

    Returns the stored capture, its lineage edge, and the earlier captures it had re-cleaned. `site_cache`:
    what the adds of one batch have read of their sites (`sitechrome.SiteCache`).

    The site's learned template is removed from it first (`sitechrome.sitechrome_learn`), its paragraphs
    are recorded with their counts, and the earlier captures of the site for which it makes a paragraph
    template are re-cleaned in the same transaction, so texts and lineage do not depend on the add order.
    """
    site = site_of(item.article, item.capture.url)
    seen = sitechrome.SiteSeen(cache=site_cache)
    learned, counts = sitechrome.sitechrome_learn(session, site, item, seen=seen)
    store.blob_put(session, item.capture.raw, item.digest, compressed=item.blob)
    text_id, new_text = store.text_id_get_or_create(session, learned.article.text)
    if new_text:
        store.fingerprints_put(session, text_id, learned.fingerprints, learned.bands, fresh=True)
    page_id = pagestore.page_id_for(session, learned.article.canonical_url, item.capture.url)
    row = store.capture_put(
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
    page_mates = 0 if page_id is None else len(pagestore.page_refresh(session, page_id)) - 1
    sitechrome.sitechrome_record(session, row.id, site, item, counts, fresh=True)
    matched = verify_candidates(session, text_id, learned.article.text, learned.bands) if new_text else 0
    grown = sitechrome.sitechrome_spread(session, row.id, site, item, seen=seen)
    recleaned, touched = reclean_captures(session, grown)
    if site_cache is not None and recleaned:
        site_cache.forget(recleaned)
        # a capture an older cleaner made is re-recorded by its re-clean without counting for the others
        # (`reclean_captures`): a twin's counts may then miss it, where counting its holders would not
        site_cache.forget_twins()
    # a new text that matches no other and has no other capture on its page is a family of one capture,
    # which has no lineage edge: nothing to re-derive (texts re-cleaned just now are in `touched`)
    alone = new_text and matched == 0 and page_mates == 0
    edges = rederive_families(session, [*([] if alone else [text_id]), *touched])
    own = next((e for e in edges if e.child_id == row.id), None)
    return row, own, recleaned


def capture_of_row(session: Session, row: CaptureRow) -> Capture:
    """A stored capture as it was read: its raw bytes, path, URL, capture time and content type."""
    when = row.captured_at if row.captured_at.tzinfo else row.captured_at.replace(tzinfo=UTC)
    raw = store.blob_get(session, row.blob_sha256)
    return Capture(raw=raw, path=row.path, url=row.url, captured_at=when, content_type=row.content_type)


def reclean_captures(session: Session, capture_ids: Iterable[int]) -> tuple[list[int], list[int]]:
    """Clean stored captures again from their raw bytes against the site template counted in the store.

    What `archive reprocess` does to one capture, for the few an add turns a paragraph into template in:
    new text (fingerprints, band keys, matches with the earlier texts), chrome, page versions; texts no
    capture carries any more are removed. Returns the captures re-cleaned and the texts whose families need
    their lineage re-derived. A capture that can no longer be cleaned keeps its text, as `archive reprocess`
    leaves it.
    """
    touched: list[int] = []
    recleaned: list[int] = []
    new_texts: list[tuple[TextRow, dict[str, list[bytes]]]] = []
    old_texts: set[int] = set()
    pages: set[int] = set()
    for capture_id in sorted(set(capture_ids)):
        row = session.get(CaptureRow, capture_id)
        if row is None:
            continue
        try:
            item = prepare(capture_of_row(session, row))
        except (ArchiveError, RecursionError):
            continue
        site = site_of(item.article, row.url)
        recorded = set(store.site_rows_of(session, [row.id])[row.id])
        if site != store.site_of_capture(session, row.id) or recorded != set(
            learned_positions(learned_paragraphs(item.article))
        ):
            # cleaned by an older cleaner: its own counts are made afresh; the other captures of the
            # site learn of its changed paragraphs at the next `archive reprocess`
            _, counts = sitechrome.sitechrome_learn(session, site, item, exclude=row.id)
            sitechrome.sitechrome_record(session, row.id, site, item, counts)
        learned = sitechrome.sitechrome_apply(item, sitechrome.sitechrome_templates(session, row.id))
        recleaned.append(row.id)
        touched.extend(sorted(pagestore.text_neighbours(session, row.text_id)))
        old_texts.add(row.text_id)
        text_row, created = store.text_get_or_create(session, learned.article.text)
        if created:
            store.fingerprints_put(session, text_row.id, learned.fingerprints, learned.bands)
            new_texts.append((text_row, learned.bands))
        store.capture_sync(
            session, row, learned.article, text_id=text_row.id, cleaner_version=CLEANER_VERSION,
            source_publisher=learned.source_publisher,
        )
        touched.append(text_row.id)
        if row.page_id is not None:
            pages.add(row.page_id)
        page = pagestore.page_attach(session, row)
        if page is None:
            row.page_id, row.version = None, None
        else:
            pages.add(page.id)
    store.texts_remove_orphans(session, old_texts)
    for page_id in sorted(pages):
        pagestore.page_refresh(session, page_id)
    for text_row, bands in sorted(new_texts, key=lambda t: t[0].id):
        verify_candidates(session, text_row.id, text_row.body, bands)
    return recleaned, touched


def add_one(archive: Archive, capture: Capture, prepare_fn: Callable[[Capture], Prepared] = prepare) -> AddResult:
    """Archive one capture; never raises for a bad input, reports it instead."""
    label = capture.path or capture.url
    with archive.session() as session:
        existing = store.capture_known(session, store.sha256_hex(capture.raw))
        if existing is not None:
            return AddResult(label, "duplicate", *existing)
    return store_outcome(archive, capture, prepare_outcome(prepare_fn, capture))


def prepare_outcome(prepare_fn: Callable[[Capture], Prepared], capture: Capture) -> Prepared | WorkFailed:
    """`prepare_fn(capture)`, with a bad input turned into a WorkFailed naming the problem."""
    try:
        return prepare_fn(capture)
    except ArchiveError as e:
        return WorkFailed(str(e))
    except RecursionError:
        return WorkFailed("page too deeply nested to parse")


def prepare_lean(capture: Capture) -> Prepared:
    """`prepare` for a worker process: the raw bytes compressed for storing, here rather than in the one
    writer; the result travels back without the raw bytes the parent holds."""
    item = prepare(capture)
    item.blob = store.blob_compress(capture.raw)
    item.capture = dataclasses.replace(capture, raw=b"")
    return item


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
    digests = [store.sha256_hex(item.raw) if isinstance(item, Capture) else "" for item in chunk]
    known = {}
    if any(digests):
        with archive.session() as session:
            known = store.captures_known(session, [d for d in digests if d])
    for item, digest in zip(chunk, digests):
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
STORE_RUN_MAX = 32


def store_outcome(
    archive: Archive, capture: Capture, outcome: Prepared | WorkFailed,
    site_cache: sitechrome.SiteCache | None = None,
) -> AddResult:
    """Store one prepared capture in one locked write transaction, or report why it could not be prepared."""
    return store_outcomes(archive, [(capture, outcome)], site_cache)[0]


def store_outcomes(
    archive: Archive, entries: list[tuple[Capture, Prepared | WorkFailed]],
    site_cache: sitechrome.SiteCache | None = None,
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
        return [_store_in(session, capture, outcome, site_cache) for _, capture, outcome in todo]

    try:
        stored = archive.write(work) if todo else []
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
    for (k, _, _), result in zip(todo, stored):
        results[k] = result
    return [r for r in results if r is not None]


def _store_in(
    session: Session, capture: Capture, outcome: Prepared, site_cache: sitechrome.SiteCache | None
) -> AddResult:
    """Store one prepared capture in the caller's write transaction; its result."""
    label = capture.path or capture.url
    outcome.capture = capture
    existing = store.capture_known(session, outcome.digest)  # earlier in this batch, or another writer
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
        page_url = pagestore.page_url_of(session, row.page_id)
        heads = pagestore.page_heads(session, row.page_id)
        head, _ = heads[row.version]
        if head != row.id:  # the text did not change: recorded, reported as the version it shows
            found, title = store.capture_title(session, head)
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


def backfill_pages(session: Session) -> int:
    """Put every capture with a URL on its page, number the versions, re-derive the families of pages
    with several captures. Used by migration 0002 on archives made before pages existed; returns pages."""
    rows = list(session.scalars(select(CaptureRow).order_by(CaptureRow.id)))
    for row in rows:
        pagestore.page_attach(session, row)
    pages = sorted({r.page_id for r in rows if r.page_id is not None})
    for page_id in pages:
        pagestore.page_refresh(session, page_id)
    done: set[int] = set()
    for page_id in pages:
        members = pagestore.page_captures(session, page_id)
        if len(members) > 1 and members[0].text_id not in done:
            text_ids, _ = pagestore.family_of(session, members[0].text_id)
            done.update(text_ids)
            rederive_family(session, members[0].text_id)
    session.flush()
    return len(pages)


def add(
    archive: Archive,
    inputs: Iterable[str],
    url: str | None = None,
    stdin: BinaryIO | None = None,
    *,
    jobs: int = 1,
    globs: tuple[str, ...] = (),
    policy: FetchPolicy | None = None,
) -> Iterator[AddResult]:
    """Archive every input (files, directories, "-", URLs, WARC files, exports); one result per capture, in order.

    Cleaning and fingerprinting run in `jobs` worker processes, each page under a time and memory limit
    (archiver.guard), ahead of this process, the one writer, which stores in input order while they clean
    the next pages: any `jobs` gives the same archive.
    """
    captures = expand_exports(
        inputs, lambda some: iter_captures(some, url=url, stdin=stdin, globs=globs, policy=policy)
    )
    pending = _triage(archive, captures)
    # the publisher table's credit patterns take ~0.15 s to compile: compiled here, before the workers
    # fork, each worker has them from the start instead of compiling its own (on 10 pages the first result
    # came at 0.22 s instead of 0.38 s). A bad table fails here, once.
    load_publishers()
    drop_connections = lambda: archive.engine.dispose(close=False)
    site_cache = sitechrome.SiteCache()
    for run in prepare_runs(prepare_lean, pending, jobs, on_start=drop_connections):
        for start in range(0, len(run), STORE_RUN_MAX):
            yield from _finish(archive, run[start : start + STORE_RUN_MAX], site_cache)


def _finish(
    archive: Archive, run: list[tuple[object, Prepared | WorkFailed | None]], site_cache: sitechrome.SiteCache
) -> list[AddResult]:
    """The results for a run of triaged items, in order: read failures, known captures, and prepared ones
    to store (in one transaction, `store_outcomes`)."""
    entries = [(item.item, outcome) for item, outcome in run if isinstance(item, Work) and outcome is not None]
    stored = iter(store_outcomes(archive, entries, site_cache))
    results = []
    for item, _ in run:
        if isinstance(item, Failed):
            results.append(AddResult(item.path, "error", error=item.error))
        elif isinstance(item, AddResult):
            results.append(item)
        else:
            results.append(next(stored))
    return results
