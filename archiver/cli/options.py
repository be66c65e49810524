"""Options every command shares, written once: --db, --json, --quiet, and the mapping of errors to exit codes."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from archiver.config import DB_ENV, database_url
from archiver.errors import ArchiveError

if TYPE_CHECKING:  # imported when a command opens the archive: SQLAlchemy and Alembic take ~0.3 s to import
    from archiver.store.engine import Archive

F = TypeVar("F", bound=Callable[..., Any])


def db_option(f: F) -> F:
    """--db, shared by every command that opens the archive."""
    return click.option(
        "--db",
        "db",
        metavar="PATH|URL",
        default=None,
        help=f"Archive database: an SQLite file or an SQLAlchemy URL. Default: ${DB_ENV}, else ./archive.db.",
    )(f)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)


def reports_errors(f: F) -> F:
    """Turn ArchiveError into a one-line message on stderr, its hint, and its exit code."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            try:
                return f(*args, **kwargs)
            except Exception as e:
                if "sqlalchemy" not in sys.modules:  # nothing opened a database: not a database error
                    raise
                from sqlalchemy import exc as sa_exc

                from archiver.store.engine import database_error

                if isinstance(e, sa_exc.DBAPIError):  # the database failed mid-command: exit 4, no traceback
                    raise database_error(database_url(kwargs.get("db")), e, "use") from e
                raise
        except ArchiveError as e:
            click.echo(f"archive: {e}", err=True)
            if e.hint:
                click.echo(f"hint: {e.hint}", err=True)
            sys.exit(e.exit_code)

    return wrapper  # type: ignore[return-value]


def open_archive(db: str | None, create: bool = False) -> Archive:
    """The archive named by --db (or $ARCHIVE_DB, else ./archive.db), migrated on open.

    Only `create=True` (`archive add`) makes a new SQLite archive; for the others a missing file is exit 4,
    "no archive at PATH", and nothing is created.
    """
    from archiver.store.engine import Archive

    return Archive(database_url(db), create=create)
