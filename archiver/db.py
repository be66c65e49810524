"""Opening an archive: engine, SQLite pragmas, and migration to the current schema on open.

There is no init step: an empty database is created and stamped at head; an archive made by an
older release is backed up (SQLite) and upgraded; one made by a newer release is refused.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from archiver.config import sqlite_path
from archiver.errors import DatabaseError

SQLITE_BUSY_TIMEOUT_MS = 60_000  # several writers wait for each other rather than fail (issue 8 stress test)
POSTGRES_MIGRATION_LOCK = 0x61726368  # pg_advisory_lock key ("arch"): one migrator at a time


SEARCH_OBJECTS = ("text_fts", "ix_text_body_fts")  # full-text search: made by migration SQL, not the models


def schema_object_included(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic filter: leave the full-text search table/index (and FTS5's shadow tables) to the migrations."""
    return not (name or "").startswith(SEARCH_OBJECTS)


def alembic_config() -> Config:
    """Alembic configuration pointing at the migration scripts shipped inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(files("archiver.migrations")))
    return cfg


def head_revision() -> str:
    """The newest schema revision this release knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses at most the last commit
    cursor.close()


def create_archive_engine(url: str) -> Engine:
    """An engine for the archive at `url`, with SQLite set up for WAL and foreign keys."""
    path = sqlite_path(url)
    if path is not None and not path.parent.exists():
        raise DatabaseError(f"cannot create archive {path}: folder {path.parent} does not exist")
    try:
        engine = create_engine(url, future=True)
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError) as e:
        raise DatabaseError(f"cannot open archive {url!r}: {e}") from e
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@contextlib.contextmanager
def _migration_lock(engine: Engine, url: str) -> Iterator[None]:
    """Serialise migration checks between processes opening the same archive."""
    path = sqlite_path(url)
    if path is not None:
        with open(str(path) + ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    elif engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": POSTGRES_MIGRATION_LOCK})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": POSTGRES_MIGRATION_LOCK})
                conn.commit()
    else:
        yield


def current_revision(engine: Engine) -> str | None:
    """The schema revision stamped in the database, or None for an empty one."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, url: str) -> str | None:
    """Bring the database to head. Returns the revision it was at (None when it was new)."""
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    with _migration_lock(engine, url):
        current = current_revision(engine)
        if current == head:
            return current
        if current is None:
            tables = set(inspect(engine).get_table_names())
            if tables:
                raise DatabaseError(
                    f"{url} holds tables ({', '.join(sorted(tables)[:5])}) but is not an archive",
                    hint="Point --db at a new file or an existing archive.",
                )
        else:
            try:
                script.get_revision(current)
            except Exception as e:
                raise DatabaseError(
                    f"archive schema {current!r} was made by a newer release of archive",
                    hint="Upgrade archive (pip install -U archive-news); nothing was written.",
                ) from e
            path = sqlite_path(url)
            if path is not None:
                backup = path.with_name(f"{path.name}.bak-{current}")
                shutil.copy2(path, backup)
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        return current


class Archive:
    """An open archive: its engine and a session factory. Use as a context manager."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_archive_engine(url)
        try:
            self.previous_revision = migrate(self.engine, url)
        except DatabaseError:
            self.engine.dispose()
            raise
        except sa_exc.DatabaseError as e:
            self.engine.dispose()
            raise DatabaseError(
                f"cannot open archive {url}: {e.orig}",
                hint="Is it an archive database? A corrupted file can be restored from its .bak copy.",
            ) from e
        except sa_exc.OperationalError as e:  # pragma: no cover - covered by DatabaseError above
            self.engine.dispose()
            raise DatabaseError(f"cannot open archive {url}: {e.orig}") from e
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    def session(self) -> Session:
        return self.sessions()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
