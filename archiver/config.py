"""Settings: which archive database to open. No I/O here."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = "archive.db"  # in the current directory, like `git` or `sqlite-utils`
DB_ENV = "ARCHIVE_DB"


def database_url(db: str | None = None) -> str:
    """The SQLAlchemy URL of the archive: --db, else $ARCHIVE_DB, else ./archive.db.

    A value containing "://" is taken as an SQLAlchemy URL (``postgresql://...``,
    ``sqlite:///...``); anything else is a path to an SQLite file.
    """
    value = db or os.environ.get(DB_ENV) or DEFAULT_DB
    if "://" in value:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            # psycopg 3 is the driver we install; SQLAlchemy's bare "postgresql://" means psycopg2.
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value
    return "sqlite:///" + str(Path(value).expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for other backends and in-memory databases."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if not path or path == ":memory:":
        return None
    return Path(path)
