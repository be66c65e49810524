"""The archive's ORM models: the rows of the tables in `archiver.store.tables`, for the write paths. No logic: the
SQL is in the other modules of archiver.store.

Each model maps its Core table (`__table__`), so the schema is defined once, there; the annotations only type the
attributes. A model's docstring is its table's description in docs/schema.md (`archiver.read.schemadoc`).
"""

# No `from __future__ import annotations` here: SQLAlchemy reads each `Mapped[...]` annotation, and string
# annotations are parsed and evaluated one by one (issue 23: ~5 ms of every command that opens an archive).

from datetime import datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped

from archiver.store import tables


class Base(DeclarativeBase):
    metadata = tables.metadata


class Blob(Base):
    """Raw captured bytes, compressed, stored once per SHA-256 of the uncompressed bytes."""

    __table__ = tables.blob

    sha256: Mapped[str]
    size: Mapped[int]
    compression: Mapped[str]
    data: Mapped[bytes]


class TextRow(Base):
    """A clean body text, stored once however many captures carry it."""

    __table__ = tables.text

    id: Mapped[int]
    sha256: Mapped[str]
    body: Mapped[str]
    chars: Mapped[int]
    words: Mapped[int]


class CaptureRow(Base):
    """One captured page: where and when it came from, and its cleaned article."""

    __table__ = tables.capture

    id: Mapped[int]
    blob_sha256: Mapped[str]
    path: Mapped[str | None]
    url: Mapped[str | None]
    canonical_url: Mapped[str | None]
    content_type: Mapped[str | None]
    captured_at: Mapped[datetime]
    added_at: Mapped[datetime]
    title: Mapped[str | None]
    byline: Mapped[str | None]
    site_name: Mapped[str | None]
    published: Mapped[str | None]
    language: Mapped[str | None]
    extractor: Mapped[str]
    cleaner_version: Mapped[int]
    source_publisher: Mapped[str | None]
    text_id: Mapped[int]
    page_id: Mapped[int | None]
    version: Mapped[int | None]


class ChromeRow(Base):
    """A piece of page text the cleaner removed from a capture's body, and why."""

    __table__ = tables.chrome

    id: Mapped[int]
    capture_id: Mapped[int]
    position: Mapped[int]
    reason: Mapped[str]
    text: Mapped[str]


class CreditRow(Base):
    """A publisher, agency or photographer a capture names, with the text it was read from."""

    __table__ = tables.credit

    id: Mapped[int]
    capture_id: Mapped[int]
    position: Mapped[int]
    name: Mapped[str]
    kind: Mapped[str]
    evidence: Mapped[str]


class FingerprintRow(Base):
    """A signature of a text with its algorithm, version and parameters."""

    __table__ = tables.fingerprint

    id: Mapped[int]
    text_id: Mapped[int]
    kind: Mapped[str]
    algorithm: Mapped[str]
    version: Mapped[int]
    params: Mapped[dict[str, Any]]
    value: Mapped[bytes]


class FingerprintBand(Base):
    """LSH index: one row per band key of a text's signature; rebuildable from the texts."""

    __table__ = tables.fingerprint_band

    kind: Mapped[str]
    band_key: Mapped[bytes]
    text_id: Mapped[int]


class TextMatch(Base):
    """A verified relation between two texts (undirected; text_a < text_b), with its evidence."""

    __table__ = tables.text_match

    text_a: Mapped[int]
    text_b: Mapped[int]
    relation: Mapped[str]
    score: Mapped[float]
    excerpt_side: Mapped[str | None]
    evidence: Mapped[dict[str, Any]]
    verifier_version: Mapped[int]


class LineageEdge(Base):
    """A capture's one chosen source: the forest of directed edges `archive lineage` shows."""

    __table__ = tables.lineage_edge

    child_id: Mapped[int]
    parent_id: Mapped[int]
    relation: Mapped[str]
    score: Mapped[float]
    evidence: Mapped[list[str]]


class Page(Base):
    """A page over time: its captures are versions and re-captures of one story (migration 0002)."""

    __table__ = tables.page

    id: Mapped[int]
    url: Mapped[str]


class PageVersion(Base):
    """One version of a page: the first capture showing a new text, and what changed from the previous one."""

    __table__ = tables.page_version

    page_id: Mapped[int]
    version: Mapped[int]
    capture_id: Mapped[int]
    captures: Mapped[int]
    last_captured_at: Mapped[datetime]
    words_added: Mapped[int | None]
    words_removed: Mapped[int | None]


class TextPassage(Base):
    """A sentence of a text (8+ words), by hash: how often a passage recurs across the archive's stories, which lineage reads to leave boilerplate out of the evidence (`archiver.lineage.boilerplate`)."""  # noqa: E501

    __table__ = tables.text_passage

    text_id: Mapped[int]
    passage_key: Mapped[str]
    words: Mapped[int]


class SiteParagraph(Base):
    """A paragraph of a capture's body before learned site-chrome removal, by site, with how many other stories of the site carry it: what site templates are learned from."""  # noqa: E501

    __table__ = tables.site_paragraph

    capture_id: Mapped[int]
    paragraph_hash: Mapped[str]
    site: Mapped[str]
    position: Mapped[int | None]
    other_stories: Mapped[int]


class Correction(Base):
    """A lineage correction set by hand (`archive link`, `unlink`, `origin`), applied by every re-derivation of lineage (migration 0005)."""  # noqa: E501

    __table__ = tables.correction

    id: Mapped[int]
    kind: Mapped[str]
    capture_id: Mapped[int]
    parent_id: Mapped[int | None]
    relation: Mapped[str | None]
    publisher: Mapped[str | None]
    created_at: Mapped[datetime]

