"""`add`: sources -> clean -> credits -> fingerprint -> store -> verify -> lineage. Prints nothing.

Each capture is stored in one transaction (raw bytes, text, fingerprints, capture, chrome,
credits, matches, re-derived family lineage), so a failure leaves the archive as it was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from archiver import store
from archiver.clean import CLEANER_VERSION, clean
from archiver.credits import find_credits, load_publishers, origin_publisher, unique_credits
from archiver.db import Archive
from archiver.errors import ArchiveError
from archiver.fingerprint import band_keys, fingerprint_text
from archiver.guard import CleanWorker
from archiver.lineage import Edge, Match, Member, derive_edges
from archiver.models import Capture as CaptureRow
from archiver.models import LineageEdge
from archiver.sources import Failed, iter_captures
from archiver.types import Article, Capture, Fingerprint
from archiver.verify import VERSION as VERIFIER_VERSION
from archiver.verify import compare_texts


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


@dataclass
class Prepared:
    """A capture cleaned and fingerprinted, ready to store (no database needed to make it)."""

    capture: Capture
    digest: str
    article: Article
    fingerprints: list[Fingerprint]
    bands: dict[str, list[bytes]]
    source_publisher: str | None


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
    publishers = load_publishers()
    if site_name:
        name = publishers.canonical(site_name)
        if name:
            return name
    if url:
        host = urlsplit(url).hostname
        if host:
            return publishers.by_domain(host)
    return None


def _utc(when: datetime) -> datetime:
    """Aware UTC: SQLite returns stored times naive (they are UTC), while a row added in this session
    still holds the aware value it was given; lineage order must compare them alike."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _member(row: CaptureRow, credits: list[tuple[str, str]], words: int) -> Member:
    return Member(
        capture_id=row.id,
        text_id=row.text_id,
        published=row.published,
        captured_at=_utc(row.captured_at),
        blob_sha256=row.blob_sha256,
        source_publisher=row.source_publisher,
        site_publisher=site_publisher(row.site_name, row.canonical_url or row.url),
        credits=tuple(credits),
        words=words,
    )


def verify_candidates(session: Session, text_id: int, body: str, bands: dict[str, list[bytes]]) -> int:
    """Compare a new text with the texts sharing a band key; store the verified matches."""
    candidates = store.candidates_by_bands(session, text_id, bands)
    found = 0
    for other in store.texts_get(session, candidates).values():
        result = compare_texts(body, other.body)
        if result.relation is None:
            continue
        excerpt_of_new = None if result.excerpt_side is None else result.excerpt_side == "a"
        store.match_put(
            session,
            text_id,
            other.id,
            relation=result.relation,
            score=result.score,
            excerpt_of_x=excerpt_of_new,
            evidence=_evidence_dict(result),
            verifier_version=VERIFIER_VERSION,
        )
        found += 1
    session.flush()
    return found


def _evidence_dict(result: object) -> dict[str, object]:
    data = dataclasses.asdict(result) if dataclasses.is_dataclass(result) else {}  # type: ignore[arg-type]
    data["summary"] = result.summary()  # type: ignore[attr-defined]
    return data


def rederive_family(session: Session, text_id: int) -> list[Edge]:
    """Recompute the lineage edges of every capture in this text's family."""
    text_ids, match_rows = store.family_texts(session, text_id)
    rows = store.captures_of_texts(session, text_ids)
    credit_rows = store.credits_of(session, [r.id for r in rows])
    words = {t.id: t.words for t in store.texts_get(session, text_ids).values()}
    members = [
        _member(r, [(c.name, c.kind) for c in credit_rows.get(r.id, [])], words.get(r.text_id, 0)) for r in rows
    ]
    matches = [
        Match(m.text_a, m.text_b, m.relation, m.score, m.excerpt_side, m.evidence or {}) for m in match_rows
    ]
    edges = derive_edges(members, matches)
    store.edges_replace(
        session,
        [r.id for r in rows],
        [
            LineageEdge(
                child_id=e.child_id, parent_id=e.parent_id, relation=e.relation, score=e.score, evidence=e.evidence
            )
            for e in edges
        ],
    )
    return edges


def store_prepared(session: Session, item: Prepared) -> tuple[CaptureRow, Edge | None]:
    """Write one prepared capture and re-derive its family's lineage (caller commits)."""
    store.blob_put(session, item.capture.raw)
    text_row, new_text = store.text_get_or_create(session, item.article.text)
    if new_text:
        store.fingerprints_put(session, text_row.id, item.fingerprints, item.bands)
    row = store.capture_put(
        session,
        blob_sha256=item.digest,
        path=item.capture.path,
        url=item.capture.url,
        content_type=item.capture.content_type,
        captured_at=item.capture.captured_at,
        article=item.article,
        text_id=text_row.id,
        cleaner_version=CLEANER_VERSION,
        source_publisher=item.source_publisher,
    )
    if new_text:
        verify_candidates(session, text_row.id, text_row.body, item.bands)
    edges = rederive_family(session, text_row.id)
    own = next((e for e in edges if e.child_id == row.id), None)
    return row, own


def add_one(archive: Archive, capture: Capture, prepare_fn: Callable[[Capture], Prepared] = prepare) -> AddResult:
    """Archive one capture; never raises for a bad input, reports it instead."""
    label = capture.path or capture.url
    digest = store.sha256_hex(capture.raw)
    with archive.session() as session:
        existing = store.capture_by_blob(session, digest)
        if existing is not None:
            return AddResult(label, "duplicate", existing.id, existing.url, existing.title)
    try:
        item = prepare_fn(capture)
    except ArchiveError as e:
        return AddResult(label, "error", url=capture.url, error=str(e))
    except RecursionError:
        return AddResult(label, "error", url=capture.url, error="page too deeply nested to parse")

    def work(session: Session) -> tuple[CaptureRow, Edge | None, bool]:
        existing = store.capture_by_blob(session, digest)  # another writer may have stored it meanwhile
        if existing is not None:
            return existing, None, False
        row, edge = store_prepared(session, item)
        return row, edge, True

    row, edge, created = archive.write(work)
    if not created:
        return AddResult(label, "duplicate", row.id, row.url, row.title)
    return AddResult(
        label,
        "new",
        row.id,
        row.url,
        row.title,
        parent=edge.parent_id if edge else None,
        relation=edge.relation if edge else None,
    )


def add(
    archive: Archive, inputs: Iterable[str], url: str | None = None, stdin: BinaryIO | None = None
) -> Iterator[AddResult]:
    """Archive every input (files, directories, "-", URLs, WARC files); one result per capture.

    Each capture is cleaned in a worker process with a time and memory limit (archiver.guard).
    """
    with CleanWorker(prepare, on_start=lambda: archive.engine.dispose(close=False)) as worker:
        for item in iter_captures(inputs, url=url, stdin=stdin):
            if isinstance(item, Failed):
                yield AddResult(item.path, "error", error=item.error)
            else:
                yield add_one(archive, item, worker.prepare)
