"""Prepare a capture for storing: clean, read credits, fingerprint. CPU-bound, no database; run in workers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import archiver.clean.html  # noqa: F401 - the cleaners, loaded before `add` forks its workers (`clean` imports them lazily)
import archiver.clean.text  # noqa: F401
from archiver.clean import clean
from archiver.clean.credits import (
    byline_outlets,
    credit_lines,
    find_credits,
    jsonld_agencies,
    origin_publisher,
    site_publisher,
    unique_credits,
)
from archiver.clean.site_template import template_site
from archiver.errors import ArchiveError, InputError
from archiver.fingerprint import band_keys, fingerprint_text
from archiver.pipeline.workers import WorkFailed
from archiver.store.blobs import blob_compress, sha256_hex
from archiver.types import Article, Capture, Chrome, Credit, Fingerprint


@dataclass
class Prepared:
    """A capture cleaned and fingerprinted, ready to store (no database needed to make it)."""

    capture: Capture
    digest: str
    article: Article
    fingerprints: list[Fingerprint]
    bands: dict[str, list[bytes]]
    source_publisher: str | None
    blob: bytes | None = None  # the raw bytes compressed for storing (`blob_compress`), if made
    # its paragraphs before learned removal, once worked out (`site_templates.templates_canonical`: learning,
    # counting and the batch's cache each ask). Not an argument: `dataclasses.replace` makes a Prepared with
    # another article, which must not inherit them.
    canonical: tuple[str, ...] | None = field(default=None, init=False, repr=False, compare=False)


def prepare(capture: Capture) -> Prepared:
    """Clean, read credits and fingerprint one capture: the CPU-bound, database-free part.

    Raises ArchiveError for a capture that cannot be cleaned, a page nested too deeply to parse included
    (the one place that is turned into an error: add, its workers and reprocess all come through here).
    """
    try:
        return _prepare(capture)
    except RecursionError:
        raise InputError("page too deeply nested to parse") from None


def _prepare(capture: Capture) -> Prepared:
    article = clean(capture)
    if capture.published:  # given with the capture (a manifest row): over what the page shows
        article.published = capture.published
    if not article.paragraphs:
        raise ArchiveError("no article text found")
    own_credits = _outlet_credits(article, capture)
    mentions = own_credits + find_credits(article, capture.url, deduplicate=False)
    url = article.canonical_url or capture.url
    publisher = origin_publisher(mentions, article.site_name, url if article.extractor == "html" else None)
    article.credits = unique_credits(mentions)
    fps = fingerprint_text(article.text)
    bands = {fp.kind: band_keys(fp) for fp in fps}
    return Prepared(
        capture=capture,
        digest=sha256_hex(capture.raw),
        article=article,
        fingerprints=fps,
        bands=bands,
        source_publisher=publisher,
    )


def _outlet_credits(article: Article, capture: Capture) -> list[Credit]:
    """Credits naming any outlet: credit-line paragraphs (moved from the body to the chrome), agency roles
    in the byline (the byline keeps the person) and agencies named publisher in the page's JSON-LD."""
    article.paragraphs, moved, lines = credit_lines(article)
    article.chrome.extend(Chrome(p, "credit-line") for p in moved)
    article.byline, roles = byline_outlets(article.byline)
    wire = jsonld_agencies(capture.raw) if article.extractor == "html" else []
    return lines + roles + wire


def site_of(article: Article, url: str | None) -> str | None:
    """The site whose template a capture shares: canonical publisher, else site name, else URL host."""
    where = article.canonical_url or url
    return template_site(site_publisher(article.site_name, where), article.site_name, where)


def prepare_outcome(prepare_fn: Callable[[Capture], Prepared], capture: Capture) -> Prepared | WorkFailed:
    """`prepare_fn(capture)`, with a bad input turned into a WorkFailed naming the problem."""
    try:
        return prepare_fn(capture)
    except ArchiveError as e:
        return WorkFailed(str(e))


def prepare_lean(capture: Capture) -> Prepared:
    """`prepare` for a worker process: the raw bytes compressed for storing, here rather than in the one
    writer; the result travels back without the raw bytes the parent holds."""
    item = prepare(capture)
    item.blob = blob_compress(capture.raw)
    item.capture = dataclasses.replace(capture, raw=b"")
    return item
