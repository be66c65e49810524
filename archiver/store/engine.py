"""Opening an archive: engine, SQLite pragmas, and migration to the current schema on open.

There is no init step: an empty database is created and stamped at head; an archive made by an
older release is backed up (SQLite) and upgraded; one made by a newer release is refused.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy import exc as sa_exc

from archiver.config import sqlite_path
from archiver.errors import DatabaseError
from archiver.store.locks import LOCKS_INFO, LockState

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.orm import Session, sessionmaker

# Alembic is imported only when a schema changes (or is reported): importing it took ~0.1 s of every command's
# start-up. Opening an archive already at head reads its stamp with plain SQL (`_stamped_revision`).
# SQLAlchemy's ORM is imported only by a session (`Archive.session`, `write_session`): the read commands
# that need no ORM read through `Archive.connect` (issue 23: the ORM and the models were ~1,200 M of
# `archive show`'s ~1,700 M instructions over bare Python; benchmarks/startup.py).

SQLITE_BUSY_TIMEOUT_MS = 60_000  # several writers wait for each other rather than fail (issue 8 stress test)
POSTGRES_MIGRATION_LOCK = 0x61726368  # pg_advisory_lock key ("arch"): one migrator at a time
POSTGRES_WRITE_LOCK = 0x61726377  # pg_advisory_xact_lock class ("arcw"), with the schema's hash as the object
# several writers measured: docs/calibration.md#several-writers
WRITE_ATTEMPTS = 8  # a write transaction retried this often on lock/serialization/unique conflicts, then fails
WRITE_BACKOFF_S = 0.05  # first retry delay, doubled each attempt with jitter (<= ~6 s in all); 4-writer stress test
# PostgreSQL writers storing captures lock by key (`archiver.store.locks`); a transaction that conflicted this
# often is retried under the exclusive lock, so a family many writers add to at once still makes progress.
# Not tuned: 3 leaves 5 of the WRITE_ATTEMPTS for the exclusive lock. Measured against: 4 writers storing 2 x 200
# captures of related stories (100 transactions) retried 13-18 of them, unrelated stories none
# (benchmarks/pg_writers.py --replay, docs/calibration.md#several-writers).
PER_FAMILY_ATTEMPTS = 3

T = TypeVar("T")

SEARCH_OBJECTS = ("text_fts", "ix_text_body_fts")  # full-text search: made by migration SQL, not the models


def schema_object_included(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic filter: leave the full-text search table/index (and FTS5's shadow tables) to the migrations."""
    return not (name or "").startswith(SEARCH_OBJECTS)


def alembic_config() -> Config:
    """Alembic configuration pointing at the migration scripts shipped inside the package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("archiver.migrations")))
    return cfg


def head_revision() -> str:
    """The newest schema revision this release knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


_REVISION_LINE = re.compile(r"""^(down_revision|revision)\b[^=]*=\s*(None|['"]([^'"]+)['"])\s*$""", re.MULTILINE)


@functools.cache
def known_head() -> str | None:
    """The head revision read from the migration scripts' `revision`/`down_revision` lines, without Alembic;
    None when that reading is not certain (a merge, an unusual script): then Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    folder = files("archiver.migrations").joinpath("versions")
    for script in folder.iterdir():
        if not script.name.endswith(".py") or script.name.startswith("__"):
            continue
        found = {m.group(1): m.group(3) for m in _REVISION_LINE.finditer(script.read_text(encoding="utf-8"))}
        if "revision" not in found or "down_revision" not in found or found["revision"] is None:
            return None
        revisions.add(found["revision"])
        if found["down_revision"] is not None:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # SQLAlchemy, not pysqlite, starts transactions (see _sqlite_begin), so a write can BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses at most the last commit
    cursor.close()


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    """Start a transaction: a write takes SQLite's write lock first, so what it reads stays true."""
    write = conn.get_execution_options().get("archive_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_archive_engine(url: str) -> Engine:
    """An engine for the archive at `url`, with SQLite set up for WAL and foreign keys."""
    path = sqlite_path(url)
    if path is not None and not path.parent.exists():
        raise DatabaseError(f"cannot create archive {path}: folder {path.parent} does not exist")
    try:
        engine = create_engine(url, future=True)
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError) as e:
        raise DatabaseError(f"cannot open archive {display_url(url)!r}: {e}") from e
    except ImportError as e:  # the dialect is known, its driver is not installed
        backend = url.split(":", 1)[0].split("+", 1)[0]
        if backend.startswith("postgres"):
            raise DatabaseError(
                f"cannot open archive {display_url(url)}: the PostgreSQL driver (psycopg) is not installed",
                hint="pip install 'archive-news[postgres]'",
            ) from e
        raise DatabaseError(f"cannot open archive {display_url(url)}: driver not installed ({e})") from e
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def is_transient(error: BaseException) -> bool:
    """A conflict with another writer that a retry of the whole transaction resolves."""
    if isinstance(error, sa_exc.IntegrityError):
        return True  # another writer inserted the same bytes or text first; the retry finds it
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if code in ("40001", "40P01", "55P03"):  # serialization failure, deadlock, lock not available
        return True
    message = str(error.orig).lower()
    return "database is locked" in message or "database is busy" in message


def _lock_table_full(error: BaseException) -> bool:
    """PostgreSQL's shared lock table is full ("out of shared memory", raise max_locks_per_transaction)."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) == "53200"


def display_url(url: str) -> str:
    """The archive's location for messages: the file path, or the URL without its password."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return url


def database_error(url: str, error: BaseException, doing: str = "open") -> DatabaseError:
    """A DatabaseError (exit 4) for a driver or OS error, with a hint that fits its cause."""
    orig = getattr(error, "orig", None) or error
    reason = getattr(orig, "strerror", None) or str(orig).strip().splitlines()[0]
    low = str(orig).lower()
    if "readonly" in low or "read-only" in low or "read only" in low or isinstance(orig, PermissionError):
        hint = "The archive (or its folder: a lock file and the WAL sit beside it) is read-only; nothing was written."
    elif "disk is full" in low or "no space" in low or "disk full" in low:
        hint = "Free some disk space and run the same command again: what was being stored was rolled back."
    elif "malformed" in low or "not a database" in low or "file is encrypted" in low:
        hint = "The file is damaged. Restore the latest .bak copy or a backup; `archive check` lists the damage."
    elif "could not connect" in low or "connection" in low and "refused" in low:
        hint = "Is the database server running and the URL right?"
    else:
        hint = "Nothing was written by the failed step; `archive check` verifies the archive."
    return DatabaseError(f"cannot {doing} archive {display_url(url)}: {reason}", hint=hint)


@contextlib.contextmanager
def _migration_lock(engine: Engine, url: str) -> Iterator[None]:
    """Serialise migration checks between processes opening the same archive."""
    path = sqlite_path(url)
    if path is not None:
        try:
            lock_file = open(str(path) + ".lock", "a+")  # noqa: SIM115 - held open for the archive's life
        except OSError as e:
            raise database_error(url, e) from e
        with lock_file as lock:
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


def sqlite_backup(path: Path, backup: Path) -> None:
    """A consistent copy of an SQLite archive through SQLite's backup API: committed pages still in the WAL
    are in it (a copy of the main file alone missed them), and the copy is one snapshot."""
    source = sqlite3.connect(str(path))
    try:
        target = sqlite3.connect(str(backup))
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def current_revision(engine: Engine) -> str | None:
    """The schema revision stamped in the database, or None for an empty one."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _stamped_revision(engine: Engine) -> str | None:
    """The one revision in `alembic_version`, read with plain SQL; None when there is no such single row."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except sa_exc.DBAPIError:
        return None  # no table yet, or something Alembic will report properly
    return str(rows[0][0]) if len(rows) == 1 else None


def migrate(engine: Engine, url: str) -> str | None:
    """Bring the database to head. Returns the revision it was at (None when it was new)."""
    with _migration_lock(engine, url):
        stamped = _stamped_revision(engine)
        if stamped is not None and stamped == known_head():
            return stamped  # the common case: nothing to do, and Alembic is not imported
        return _migrate(engine, url)


def _migrate(engine: Engine, url: str) -> str | None:
    """`migrate` with Alembic: create and stamp an empty database, back up and upgrade an older one."""
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
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
            sqlite_backup(path, path.with_name(f"{path.name}.bak-{current}"))
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return current


class NoArchive(DatabaseError):
    """A command that reads an archive was pointed at an SQLite file that does not exist."""

    hint = "Check --db (or $ARCHIVE_DB; `archive db path` shows which file is meant); `archive add` creates an archive."


class Archive:
    """An open archive: its engine, Core connections for reads and ORM sessions. Use as a context manager.

    `create=False` (the read commands): an SQLite file that does not exist is NoArchive, and nothing is
    created (neither the file nor its `.lock`), rather than an empty archive that answers "no matches".
    """

    def __init__(self, url: str, create: bool = True) -> None:
        self.url = url
        path = sqlite_path(url)
        if not create and path is not None and not path.exists():
            raise NoArchive(f"no archive at {path}")
        self.engine = create_archive_engine(url)
        try:
            self.previous_revision = migrate(self.engine, url)
        except DatabaseError:
            self.engine.dispose()
            raise
        except (sa_exc.DBAPIError, OSError) as e:
            self.engine.dispose()
            raise database_error(url, e) from e
        self.conflicts = 0  # write transactions retried (deadlocks, lock timeouts, unique conflicts): benchmarks

    @functools.cached_property
    def sessions(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    @functools.cached_property
    def write_sessions(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine.execution_options(archive_write=True), expire_on_commit=False)

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    def session(self) -> Session:
        return self.sessions()

    def connect(self) -> Connection:
        """A Core connection for reading (`with archive.connect() as conn`): no ORM is imported."""
        return self.engine.connect()

    @contextlib.contextmanager
    def write_session(self, per_family: bool = False) -> Iterator[Session]:
        """A session whose transaction holds the archive's write lock from its first statement.

        SQLite: BEGIN IMMEDIATE (one writer at a time, readers go on). PostgreSQL: a transaction-level
        advisory lock per schema, so candidate lookup, lineage re-derivation and commit of one capture
        never interleave with another writer's (cleaning and fingerprinting stay parallel). `per_family`
        (PostgreSQL; storing captures): that lock is held shared, and the store step locks what its
        captures can reach as it goes (`archiver.store.locks`), so writers of unrelated stories do not wait
        for each other; whatever holds it exclusive (reprocess, corrections) waits for them all.
        """
        with self.write_sessions() as session:
            if self.engine.dialect.name == "postgresql":
                if per_family:
                    schema = session.execute(
                        text("SELECT current_schema() FROM"
                             " (SELECT pg_advisory_xact_lock_shared(:k, hashtext(current_schema()))) AS l"),
                        {"k": POSTGRES_WRITE_LOCK},
                    ).scalar_one()
                    session.info[LOCKS_INFO] = LockState(schema=str(schema))
                else:
                    session.execute(
                        text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))"),
                        {"k": POSTGRES_WRITE_LOCK},
                    )
            else:
                session.connection()  # begins the transaction now: BEGIN IMMEDIATE
            yield session

    def write(self, work: Callable[[Session], T], per_family: bool = False) -> T:
        """Run `work` in one locked write transaction and commit; retry conflicts with backoff.

        `per_family` (`write_session`): the first PER_FAMILY_ATTEMPTS attempts lock by key; a transaction
        that conflicted that often (deadlocks between writers of one family) is retried under the
        exclusive lock, which always makes progress; so is one that ran out of room in the server's lock table
        (`max_locks_per_transaction`: docs/operations.md#running-a-shared-archive-on-postgresql).
        """
        by_key = per_family
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with self.write_session(by_key and attempt < PER_FAMILY_ATTEMPTS) as session:
                    result = work(session)
                    session.commit()
                    return result
            except sa_exc.SQLAlchemyError as e:
                if by_key and _lock_table_full(e):  # the server's lock table cannot hold this many keys
                    by_key = False
                    continue
                if not is_transient(e) or attempt == WRITE_ATTEMPTS - 1:
                    if isinstance(e, sa_exc.DBAPIError):
                        raise database_error(self.url, e, "write to") from e
                    raise
                self.conflicts += 1
                time.sleep(WRITE_BACKOFF_S * (2**attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
