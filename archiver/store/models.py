"""The archive's tables as SQLAlchemy 2.x typed models. No logic: the SQL is in the other modules of archiver.store.

The schema is a public interface (users query it with SQL): docs/schema.md describes every
table and view, and a test checks that document against a migrated database.
"""

# No `from __future__ import annotations` here: SQLAlchemy reads each `Mapped[...]` annotation, and string
# annotations are parsed and evaluated one by one (issue 23: ~5 ms of every command that opens an archive).

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so Alembic migrations (and batch mode on SQLite) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Blob(Base):
    """Raw captured bytes, compressed, stored once per SHA-256 of the uncompressed bytes."""

    __tablename__ = "blob"

    sha256: Mapped[str] = mapped_column(
        String(64), primary_key=True, doc="SHA-256 of the uncompressed raw bytes (hex)"
    )
    size: Mapped[int] = mapped_column(Integer, doc="uncompressed length in bytes")
    compression: Mapped[str] = mapped_column(
        String(16), doc="how `data` is compressed: \"zstd\" (Zstandard); \"zlib\" in blobs stored before zstd"
    )
    data: Mapped[bytes] = mapped_column(LargeBinary, doc="the raw captured bytes, compressed")


class TextRow(Base):
    """A clean body text, stored once however many captures carry it."""

    __tablename__ = "text"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, doc="text id")
    sha256: Mapped[str] = mapped_column(
        String(64), unique=True, doc="SHA-256 of `body` exactly as stored (hex)"
    )
    body: Mapped[str] = mapped_column(
        Text, doc="the clean story text, paragraphs separated by one blank line"
    )
    chars: Mapped[int] = mapped_column(Integer, doc="length of `body` in characters")
    words: Mapped[int] = mapped_column(Integer, doc="number of whitespace-separated words in `body`")


class CaptureRow(Base):
    """One captured page: where and when it came from, and its cleaned article."""

    __tablename__ = "capture"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, doc="capture id, as printed by `archive add`")
    blob_sha256: Mapped[str] = mapped_column(
        ForeignKey("blob.sha256"), unique=True,
        doc="the raw bytes (blob.sha256); unique: the same bytes are one capture",
    )
    path: Mapped[str | None] = mapped_column(
        Text, doc="file path it was read from (\"-\" for stdin, \"file.warc.gz#URL\" for a WARC record)"
    )
    url: Mapped[str | None] = mapped_column(
        Text, index=True, doc="the page URL when known (--url, fetched URL, WARC target URI)"
    )
    canonical_url: Mapped[str | None] = mapped_column(
        Text, index=True, doc="the canonical URL the page declares"
    )
    content_type: Mapped[str | None] = mapped_column(
        String(100), doc="declared content type (HTTP header or file extension)"
    )
    captured_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), doc="when the page was captured (file mtime, WARC date, fetch time), UTC"
    )
    added_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), doc="when it was added to this archive, UTC"
    )
    title: Mapped[str | None] = mapped_column(Text, doc="headline, without the \" | Site\" suffix")
    byline: Mapped[str | None] = mapped_column(Text, doc="author(s) as printed on the page")
    site_name: Mapped[str | None] = mapped_column(Text, doc="the site the capture appeared on")
    published: Mapped[str | None] = mapped_column(
        String(40), doc="publication date or datetime found on the page (ISO 8601)"
    )
    language: Mapped[str | None] = mapped_column(String(16), doc="language code when known")
    extractor: Mapped[str] = mapped_column(
        String(16), doc="which cleaner made the text: \"html\" or \"text\""
    )
    cleaner_version: Mapped[int] = mapped_column(Integer, doc="version of the cleaner that made the text")
    source_publisher: Mapped[str | None] = mapped_column(
        Text, doc="the publisher this page's own site or credits name for its text (canonical)"
    )
    text_id: Mapped[int] = mapped_column(ForeignKey("text.id"), index=True, doc="the clean body (text.id)")
    page_id: Mapped[int | None] = mapped_column(
        ForeignKey("page.id"), index=True, doc="the page it is a capture of (page.id); null when no URL is known"
    )
    version: Mapped[int | None] = mapped_column(
        Integer, doc="which version of its page it shows (1, 2, ...); re-captures share their version's number"
    )


class ChromeRow(Base):
    """A piece of page text the cleaner removed from a capture's body, and why."""

    __tablename__ = "chrome"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, doc="row id")
    capture_id: Mapped[int] = mapped_column(
        ForeignKey("capture.id", ondelete="CASCADE"), index=True, doc="the capture it was removed from"
    )
    position: Mapped[int] = mapped_column(Integer, doc="order of removal within the capture")
    reason: Mapped[str] = mapped_column(
        String(40), doc="the rule that removed it (e.g. caption, copyright, share-buttons)"
    )
    text: Mapped[str] = mapped_column(Text, doc="the removed text, verbatim")


class CreditRow(Base):
    """A publisher, agency or photographer a capture names, with the text it was read from."""

    __tablename__ = "credit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, doc="row id")
    capture_id: Mapped[int] = mapped_column(
        ForeignKey("capture.id", ondelete="CASCADE"), index=True, doc="the capture that names it"
    )
    position: Mapped[int] = mapped_column(Integer, doc="order of appearance")
    name: Mapped[str] = mapped_column(
        Text, index=True, doc="canonical publisher name (\"The Associated Press\")"
    )
    kind: Mapped[str] = mapped_column(String(20), doc="publisher | reporting | photo | syndication")
    evidence: Mapped[str] = mapped_column(Text, doc="the sentence or line it was read from")


class FingerprintRow(Base):
    """A signature of a text with its algorithm, version and parameters."""

    __tablename__ = "fingerprint"
    __table_args__ = (UniqueConstraint("text_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, doc="row id")
    text_id: Mapped[int] = mapped_column(ForeignKey("text.id", ondelete="CASCADE"), doc="the text it signs")
    kind: Mapped[str] = mapped_column(String(20), doc="exact | minhash | skeleton")
    algorithm: Mapped[str] = mapped_column(String(60), doc="algorithm name")
    version: Mapped[int] = mapped_column(
        Integer, doc="bumped whenever the same text would give a different value"
    )
    params: Mapped[dict[str, Any]] = mapped_column(
        JSON, doc="parameters (JSON): shingle size, permutations, seed, byte order"
    )
    value: Mapped[bytes] = mapped_column(LargeBinary, doc="the signature bytes (layout in `params`)")


class FingerprintBand(Base):
    """LSH index: one row per band key of a text's signature; rebuildable from the texts."""

    __tablename__ = "fingerprint_band"
    __table_args__ = (Index("ix_fingerprint_band_text_id", "text_id"),)

    kind: Mapped[str] = mapped_column(String(20), primary_key=True, doc="signature kind the key belongs to")
    band_key: Mapped[bytes] = mapped_column(
        LargeBinary, primary_key=True, doc="hash of one LSH band of the signature"
    )
    text_id: Mapped[int] = mapped_column(
        ForeignKey("text.id", ondelete="CASCADE"), primary_key=True, doc="the text with this band key"
    )


class TextMatch(Base):
    """A verified relation between two texts (undirected; text_a < text_b), with its evidence."""

    __tablename__ = "text_match"
    __table_args__ = (CheckConstraint("text_a < text_b", name="ordered"),)

    text_a: Mapped[int] = mapped_column(
        ForeignKey("text.id", ondelete="CASCADE"), primary_key=True, doc="the lower text id"
    )
    text_b: Mapped[int] = mapped_column(
        ForeignKey("text.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    relation: Mapped[str] = mapped_column(String(20), doc="identical | copy | excerpt | rewrite")
    score: Mapped[float] = mapped_column(Float, doc="strength of the relation, 0..1")
    excerpt_side: Mapped[str | None] = mapped_column(
        String(1), doc="for an excerpt: \"a\" or \"b\", the shorter text"
    )
    evidence: Mapped[dict[str, Any]] = mapped_column(
        JSON, doc="the verifier's measurements (JSON): containments, shared passages with offsets, summary"
    )
    verifier_version: Mapped[int] = mapped_column(Integer, doc="version of the verifier that made it")


class LineageEdge(Base):
    """A capture's one chosen source: the forest of directed edges `archive lineage` shows."""

    __tablename__ = "lineage_edge"

    child_id: Mapped[int] = mapped_column(
        ForeignKey("capture.id", ondelete="CASCADE"), primary_key=True, doc="the derived capture (one parent each)"
    )
    parent_id: Mapped[int] = mapped_column(
        ForeignKey("capture.id", ondelete="CASCADE"), index=True, doc="its chosen source"
    )
    relation: Mapped[str] = mapped_column(String(20), doc="identical | copy | excerpt | rewrite | revision")
    score: Mapped[float] = mapped_column(Float, doc="strength of the relation, 0..1")
    evidence: Mapped[list[str]] = mapped_column(JSON, doc="sentences a user can check (JSON list)")



class Page(Base):
    """A page over time: its captures are versions and re-captures of one story (migration 0002)."""

    __tablename__ = "page"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, doc="page id")
    url: Mapped[str] = mapped_column(
        Text,
        unique=True,
        doc="normalised page URL: the canonical URL the page declares, else the captured URL "
        "(https, lower-case host without www., no tracking parameters or fragment)",
    )


class PageVersion(Base):
    """One version of a page: the first capture showing a new text, and what changed from the previous one."""

    __tablename__ = "page_version"

    page_id: Mapped[int] = mapped_column(
        ForeignKey("page.id", ondelete="CASCADE"), primary_key=True, doc="the page (page.id)"
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True, doc="version number, 1 for the first")
    capture_id: Mapped[int] = mapped_column(
        ForeignKey("capture.id", ondelete="CASCADE"), index=True, doc="the first capture showing this version"
    )
    captures: Mapped[int] = mapped_column(Integer, doc="how many captures show this version (1 + re-captures)")
    last_captured_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), doc="when this version was last seen (its latest capture), UTC"
    )
    words_added: Mapped[int | None] = mapped_column(
        Integer, doc="words added since the previous version (null for version 1)"
    )
    words_removed: Mapped[int | None] = mapped_column(
        Integer, doc="words removed since the previous version (null for version 1)"
    )


class TextPassage(Base):
    """A sentence of a text (8+ words), by hash: how often a passage recurs across the archive's stories, which lineage reads to leave boilerplate out of the evidence (`archiver.lineage.boilerplate`)."""  # noqa: E501

    __tablename__ = "text_passage"
    __table_args__ = (Index("ix_text_passage_passage_key", "passage_key", "text_id"),)

    text_id: Mapped[int] = mapped_column(
        ForeignKey("text.id", ondelete="CASCADE"), primary_key=True, doc="the text holding it"
    )
    passage_key: Mapped[str] = mapped_column(
        String(16), primary_key=True, doc="BLAKE2b-64 (hex) of the sentence's normalised words"
    )
    words: Mapped[int] = mapped_column(Integer, doc="the sentence's words")


class SiteParagraph(Base):
    """A paragraph of a capture's body before learned site-chrome removal, by site, with how many other stories of the site carry it: what site templates are learned from."""  # noqa: E501

    __tablename__ = "site_paragraph"
    __table_args__ = (
        Index("ix_site_paragraph_site_hash_stories", "site", "paragraph_hash", "other_stories", "capture_id"),
    )

    capture_id: Mapped[int] = mapped_column(
        ForeignKey("capture.id", ondelete="CASCADE"), primary_key=True, doc="the capture whose body holds it"
    )
    paragraph_hash: Mapped[str] = mapped_column(
        String(32),
        primary_key=True,
        doc="SHA-256 (hex, first 32 digits) of the paragraph, lowercased, whitespace folded, digit runs as 0",
    )
    site: Mapped[str] = mapped_column(
        Text, doc="the capture's site: canonical publisher, else site name, else URL host (lowercase)"
    )
    position: Mapped[int | None] = mapped_column(
        Integer,
        doc="where the paragraph first occurs in the capture's body before learned removal (0 = first); "
        "null for rows made before migration 0004 until `archive reprocess`",
    )
    other_stories: Mapped[int] = mapped_column(
        Integer,
        server_default="0",
        doc="how many other captures of the site hold it and tell another story, counted up to 3: "
        "at 3 it is the site's template in this capture and removed from its text (unless every paragraph is)",
    )


class Correction(Base):
    """A lineage correction set by hand (`archive link`, `unlink`, `origin`), applied by every re-derivation of lineage (migration 0005)."""  # noqa: E501

    __tablename__ = "correction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, doc="correction id, as `archive corrections` lists it")
    kind: Mapped[str] = mapped_column(
        String(10),
        doc="link (the capture is derived from `parent_id`) | unlink (it is not derived from `parent_id`) | "
        "origin (it is the origin of its family, published by `publisher`)",
    )
    capture_id: Mapped[int] = mapped_column(
        ForeignKey("capture.id", ondelete="CASCADE"), index=True, doc="the capture corrected"
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("capture.id", ondelete="CASCADE"),
        doc="link: the capture it is derived from; unlink: the capture it is not derived from; null for origin",
    )
    relation: Mapped[str | None] = mapped_column(
        String(20), doc="link: the relation set (identical | copy | excerpt | rewrite | revision); else null"
    )
    publisher: Mapped[str | None] = mapped_column(
        Text, doc="origin: the publisher named as the family's original publisher, when given; else null"
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), doc="when it was set, UTC (the evidence reads \"set by hand on\" its date)"
    )
