"""The archive's tables as SQLAlchemy 2.x typed models. No logic: see store.py.

The schema is a public interface (users query it with SQL): docs/schema.md describes every
table and view, and a test checks that document against a migrated database.
"""

from __future__ import annotations

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

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)  # uncompressed length in bytes
    compression: Mapped[str] = mapped_column(String(16))  # "zlib"
    data: Mapped[bytes] = mapped_column(LargeBinary)


class TextRow(Base):
    """A clean body text, stored once however many captures carry it."""

    __tablename__ = "text"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)  # of `body` exactly as stored
    body: Mapped[str] = mapped_column(Text)  # paragraphs separated by one blank line
    chars: Mapped[int] = mapped_column(Integer)
    words: Mapped[int] = mapped_column(Integer)


class Capture(Base):
    """One captured page: where and when it came from, and its cleaned article."""

    __tablename__ = "capture"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blob.sha256"), unique=True)
    path: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text, index=True)
    canonical_url: Mapped[str | None] = mapped_column(Text, index=True)
    content_type: Mapped[str | None] = mapped_column(String(100))
    captured_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    title: Mapped[str | None] = mapped_column(Text)
    byline: Mapped[str | None] = mapped_column(Text)
    site_name: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(40))  # ISO date or datetime, as found
    language: Mapped[str | None] = mapped_column(String(16))
    extractor: Mapped[str] = mapped_column(String(16))  # "html" or "text"
    cleaner_version: Mapped[int] = mapped_column(Integer)
    source_publisher: Mapped[str | None] = mapped_column(Text)  # whom its own page/credits name
    text_id: Mapped[int] = mapped_column(ForeignKey("text.id"), index=True)


class ChromeRow(Base):
    """A piece of page text the cleaner removed from a capture's body, and why."""

    __tablename__ = "chrome"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("capture.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)


class CreditRow(Base):
    """A publisher, agency or photographer a capture names, with the text it was read from."""

    __tablename__ = "credit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("capture.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # publisher | reporting | photo | syndication
    evidence: Mapped[str] = mapped_column(Text)


class FingerprintRow(Base):
    """A signature of a text with its algorithm, version and parameters."""

    __tablename__ = "fingerprint"
    __table_args__ = (UniqueConstraint("text_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text_id: Mapped[int] = mapped_column(ForeignKey("text.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # exact | minhash | skeleton
    algorithm: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class FingerprintBand(Base):
    """LSH index: one row per band key of a text's signature; rebuildable from the texts."""

    __tablename__ = "fingerprint_band"
    __table_args__ = (Index("ix_fingerprint_band_text_id", "text_id"),)

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    band_key: Mapped[bytes] = mapped_column(LargeBinary, primary_key=True)
    text_id: Mapped[int] = mapped_column(ForeignKey("text.id", ondelete="CASCADE"), primary_key=True)


class TextMatch(Base):
    """A verified relation between two texts (undirected; text_a < text_b), with its evidence."""

    __tablename__ = "text_match"
    __table_args__ = (CheckConstraint("text_a < text_b", name="ordered"),)

    text_a: Mapped[int] = mapped_column(ForeignKey("text.id", ondelete="CASCADE"), primary_key=True)
    text_b: Mapped[int] = mapped_column(
        ForeignKey("text.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    relation: Mapped[str] = mapped_column(String(20))  # identical | copy | excerpt | rewrite
    score: Mapped[float] = mapped_column(Float)
    excerpt_side: Mapped[str | None] = mapped_column(String(1))  # "a" or "b": the shorter text
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    verifier_version: Mapped[int] = mapped_column(Integer)


class LineageEdge(Base):
    """A capture's one chosen source: the forest of directed edges `archive lineage` shows."""

    __tablename__ = "lineage_edge"

    child_id: Mapped[int] = mapped_column(ForeignKey("capture.id", ondelete="CASCADE"), primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("capture.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(20))  # identical | copy | excerpt | rewrite | revision
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[str]] = mapped_column(JSON)  # sentences a user can check

