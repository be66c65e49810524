"""The archive's tables as SQLAlchemy Core `Table`s on one `MetaData`: the one definition of the schema.

The ORM models (`archiver.store.models`) map these tables, and Alembic's autogenerate reads this metadata through
them; the read commands (`show`, `search`) query the tables with Core alone, so they never import
`sqlalchemy.orm` (issue 23: the ORM and the models were ~1,200 M of `archive show`'s ~1,700 M instructions over
bare Python). Each table's description is its model's docstring; each column's is its `doc=`.

The schema is a public interface (users query it with SQL): docs/schema.md describes every table and view, and a
test checks that document against a migrated database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    # what a read query runs on: a Core connection (the read commands) or an ORM session (inside a write)
    Reader = Connection | Session

# Stable constraint names, so Alembic migrations (and batch mode on SQLite) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


blob = Table(
    "blob",
    metadata,
    Column("sha256", String(64), primary_key=True, doc="SHA-256 of the uncompressed raw bytes (hex)"),
    Column("size", Integer, nullable=False, doc="uncompressed length in bytes"),
    Column("compression", String(16), nullable=False,
        doc="how `data` is compressed: \"zstd\" (Zstandard); \"zlib\" in blobs stored before zstd"),
    Column("data", LargeBinary, nullable=False, doc="the raw captured bytes, compressed"),
)


text = Table(
    "text",
    metadata,
    Column("id", Integer, primary_key=True, doc="text id"),
    Column("sha256", String(64), unique=True, nullable=False, doc="SHA-256 of `body` exactly as stored (hex)"),
    Column("body", Text, nullable=False, doc="the clean story text, paragraphs separated by one blank line"),
    Column("chars", Integer, nullable=False, doc="length of `body` in characters"),
    Column("words", Integer, nullable=False, doc="number of whitespace-separated words in `body`"),
)


capture = Table(
    "capture",
    metadata,
    Column("id", Integer, primary_key=True, doc="capture id, as printed by `archive add`"),
    Column("blob_sha256", ForeignKey("blob.sha256"), unique=True, nullable=False,
        doc="the raw bytes (blob.sha256); unique: the same bytes are one capture"),
    Column("path", Text, doc="file path it was read from (\"-\" for stdin, \"file.warc.gz#URL\" for a WARC record)"),
    Column("url", Text, index=True, doc="the page URL when known (--url, fetched URL, WARC target URI)"),
    Column("canonical_url", Text, index=True, doc="the canonical URL the page declares"),
    Column("content_type", String(100), doc="declared content type (HTTP header or file extension)"),
    Column("captured_at", DateTime(timezone=True), nullable=False,
        doc="when the page was captured (file mtime, WARC date, fetch time), UTC"),
    Column("added_at", DateTime(timezone=True), nullable=False, doc="when it was added to this archive, UTC"),
    Column("title", Text, doc="headline, without the \" | Site\" suffix"),
    Column("byline", Text, doc="author(s) as printed on the page"),
    Column("site_name", Text, doc="the site the capture appeared on"),
    Column("published", String(40), doc="publication date or datetime found on the page (ISO 8601)"),
    Column("language", String(16), doc="language code when known"),
    Column("extractor", String(16), nullable=False, doc="which cleaner made the text: \"html\" or \"text\""),
    Column("cleaner_version", Integer, nullable=False, doc="version of the cleaner that made the text"),
    Column("source_publisher", Text, doc="the publisher this page's own site or credits name for its text (canonical)"),
    Column("text_id", ForeignKey("text.id"), index=True, nullable=False, doc="the clean body (text.id)"),
    Column("page_id", ForeignKey("page.id"), index=True,
        doc="the page it is a capture of (page.id); null when no URL is known"),
    Column("version", Integer,
        doc="which version of its page it shows (1, 2, ...); re-captures share their version's number"),
)


chrome = Table(
    "chrome",
    metadata,
    Column("id", Integer, primary_key=True, doc="row id"),
    Column("capture_id", ForeignKey("capture.id", ondelete="CASCADE"), index=True, nullable=False,
        doc="the capture it was removed from"),
    Column("position", Integer, nullable=False, doc="order of removal within the capture"),
    Column("reason", String(40), nullable=False,
        doc="the rule that removed it (e.g. caption, copyright, share-buttons)"),
    Column("text", Text, nullable=False, doc="the removed text, verbatim"),
)


credit = Table(
    "credit",
    metadata,
    Column("id", Integer, primary_key=True, doc="row id"),
    Column("capture_id", ForeignKey("capture.id", ondelete="CASCADE"), index=True, nullable=False,
        doc="the capture that names it"),
    Column("position", Integer, nullable=False, doc="order of appearance"),
    Column("name", Text, index=True, nullable=False, doc="canonical publisher name (\"The Associated Press\")"),
    Column("kind", String(20), nullable=False, doc="publisher | reporting | photo | syndication"),
    Column("evidence", Text, nullable=False, doc="the sentence or line it was read from"),
)


fingerprint = Table(
    "fingerprint",
    metadata,
    Column("id", Integer, primary_key=True, doc="row id"),
    Column("text_id", ForeignKey("text.id", ondelete="CASCADE"), nullable=False, doc="the text it signs"),
    Column("kind", String(20), nullable=False, doc="exact | minhash | skeleton"),
    Column("algorithm", String(60), nullable=False, doc="algorithm name"),
    Column("version", Integer, nullable=False, doc="bumped whenever the same text would give a different value"),
    Column("params", JSON, nullable=False, doc="parameters (JSON): shingle size, permutations, seed, byte order"),
    Column("value", LargeBinary, nullable=False, doc="the signature bytes (layout in `params`)"),
    UniqueConstraint("text_id", "kind"),
)


fingerprint_band = Table(
    "fingerprint_band",
    metadata,
    Column("kind", String(20), primary_key=True, doc="signature kind the key belongs to"),
    Column("band_key", LargeBinary, primary_key=True, doc="hash of one LSH band of the signature"),
    Column("text_id", ForeignKey("text.id", ondelete="CASCADE"), primary_key=True, doc="the text with this band key"),
    Index("ix_fingerprint_band_text_id", "text_id"),
)


text_match = Table(
    "text_match",
    metadata,
    Column("text_a", ForeignKey("text.id", ondelete="CASCADE"), primary_key=True, doc="the lower text id"),
    Column("text_b", ForeignKey("text.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("relation", String(20), nullable=False, doc="identical | copy | excerpt | rewrite"),
    Column("score", Float, nullable=False, doc="strength of the relation, 0..1"),
    Column("excerpt_side", String(1), doc="for an excerpt: \"a\" or \"b\", the shorter text"),
    Column("evidence", JSON, nullable=False,
        doc="the verifier's measurements (JSON): containments, shared passages with offsets, summary"),
    Column("verifier_version", Integer, nullable=False, doc="version of the verifier that made it"),
    CheckConstraint("text_a < text_b", name="ordered"),
)


lineage_edge = Table(
    "lineage_edge",
    metadata,
    Column("child_id", ForeignKey("capture.id", ondelete="CASCADE"), primary_key=True,
        doc="the derived capture (one parent each)"),
    Column("parent_id", ForeignKey("capture.id", ondelete="CASCADE"), index=True, nullable=False,
        doc="its chosen source"),
    Column("relation", String(20), nullable=False, doc="identical | copy | excerpt | rewrite | revision"),
    Column("score", Float, nullable=False, doc="strength of the relation, 0..1"),
    Column("evidence", JSON, nullable=False, doc="sentences a user can check (JSON list)"),
)


page = Table(
    "page",
    metadata,
    Column("id", Integer, primary_key=True, doc="page id"),
    Column("url", Text, unique=True, nullable=False,
        doc="normalised page URL: the canonical URL the page declares, else the captured URL "
        "(https, lower-case host without www., no tracking parameters or fragment)"),
)


page_version = Table(
    "page_version",
    metadata,
    Column("page_id", ForeignKey("page.id", ondelete="CASCADE"), primary_key=True, doc="the page (page.id)"),
    Column("version", Integer, primary_key=True, doc="version number, 1 for the first"),
    Column("capture_id", ForeignKey("capture.id", ondelete="CASCADE"), index=True, nullable=False,
        doc="the first capture showing this version"),
    Column("captures", Integer, nullable=False, doc="how many captures show this version (1 + re-captures)"),
    Column("last_captured_at", DateTime(timezone=True), nullable=False,
        doc="when this version was last seen (its latest capture), UTC"),
    Column("words_added", Integer, doc="words added since the previous version (null for version 1)"),
    Column("words_removed", Integer, doc="words removed since the previous version (null for version 1)"),
)


text_passage = Table(
    "text_passage",
    metadata,
    Column("text_id", ForeignKey("text.id", ondelete="CASCADE"), primary_key=True, doc="the text holding it"),
    Column("passage_key", String(16), primary_key=True, doc="BLAKE2b-64 (hex) of the sentence's normalised words"),
    Column("words", Integer, nullable=False, doc="the sentence's words"),
    Index("ix_text_passage_passage_key", "passage_key", "text_id"),
)


site_paragraph = Table(
    "site_paragraph",
    metadata,
    Column("capture_id", ForeignKey("capture.id", ondelete="CASCADE"), primary_key=True,
        doc="the capture whose body holds it"),
    Column("paragraph_hash", String(32), primary_key=True,
        doc="SHA-256 (hex, first 32 digits) of the paragraph, lowercased, whitespace folded, digit runs as 0"),
    Column("site", Text, nullable=False,
        doc="the capture's site: canonical publisher, else site name, else URL host (lowercase)"),
    Column("position", Integer,
        doc="where the paragraph first occurs in the capture's body before learned removal (0 = first); "
        "null for rows made before migration 0004 until `archive reprocess`"),
    Column("other_stories", Integer, server_default="0", nullable=False,
        doc="how many other captures of the site hold it and tell another story, counted up to 3: "
        "at 3 it is the site's template in this capture and removed from its text (unless every paragraph is)"),
    Index("ix_site_paragraph_site_hash_stories", "site", "paragraph_hash", "other_stories", "capture_id"),
)


correction = Table(
    "correction",
    metadata,
    Column("id", Integer, primary_key=True, doc="correction id, as `archive corrections` lists it"),
    Column("kind", String(10), nullable=False,
        doc="link (the capture is derived from `parent_id`) | unlink (it is not derived from `parent_id`) | "
        "origin (it is the origin of its family, published by `publisher`)"),
    Column("capture_id", ForeignKey("capture.id", ondelete="CASCADE"), index=True, nullable=False,
        doc="the capture corrected"),
    Column("parent_id", ForeignKey("capture.id", ondelete="CASCADE"),
        doc="link: the capture it is derived from; unlink: the capture it is not derived from; null for origin"),
    Column("relation", String(20),
        doc="link: the relation set (identical | copy | excerpt | rewrite | revision); else null"),
    Column("publisher", Text,
        doc="origin: the publisher named as the family's original publisher, when given; else null"),
    Column("created_at", DateTime(timezone=True), nullable=False,
        doc="when it was set, UTC (the evidence reads \"set by hand on\" its date)"),
)

