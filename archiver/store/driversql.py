"""The writer's hottest statements, compiled once by SQLAlchemy and run on the session's DBAPI cursor.

Why by hand: SQLAlchemy's work around each execution (cache key, execution context, parameter and result
processing through its Result objects, Session dispatch) is ~20 µs a statement here, against ~1.3 µs for
sqlite3 running the same SQL (a select by primary key: 26 µs through a Session, 19 through a Connection,
14 as driver SQL); on 2,000 aeb-dev pages it was a third of the writer's time (py-spy), for ~23
statements an add. No library runs a compiled SQLAlchemy statement without that work.

A `DriverStatement` keeps SQLAlchemy for everything but the execution: the statement is a Core statement,
compiled by the dialect of the session's connection (IN lists rendered for a few list lengths, padded by
repeating their last value, which IN and NOT IN read alike; an empty one as SQLAlchemy renders it); each
bound value and each result column goes through that dialect's own processors for its type, so values are
read and written exactly as `session.execute` would; it runs on the session's connection, inside its
transaction; a driver error is raised as SQLAlchemy's (`DBAPIError.instance`), which the callers' error
handling expects. Statements are given every value they write: no column default is applied here (refused
when built). SQLAlchemy's statement log (`echo`) and cursor events do not see them.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from typing import TYPE_CHECKING

from sqlalchemy import Connection, bindparam, insert
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Insert, Select, Update, visitors
from sqlalchemy.sql.base import Executable

if TYPE_CHECKING:
    from archiver.store.tables import Reader

_REQUIRED = object()  # the default of a bind the caller must give


@dataclass(frozen=True)
class _Bind:
    name: str  # the parameter the caller gives
    index: int | None  # the place in its list, for an IN list's value
    process: Callable[[Any], Any] | None  # the dialect's bind processor for its type
    default: Any  # the value the statement carries, for a bind the caller does not give


@dataclass
class _Compiled:
    sql: str
    binds: list[tuple[str, _Bind]]  # (name in the SQL, bind), in placeholder order
    positional: bool
    results: list[Callable[[Any], Any] | None] | None = None  # per column, set at the first execution


def _bucket(n: int) -> int:
    """The list length an IN list of n values is rendered for: the next power of two (at most ~10 forms).

    An empty list is rendered as SQLAlchemy renders one for the dialect (an empty set)."""
    return 0 if n == 0 else 1 << (n - 1).bit_length()


class DriverStatement:
    """A Core statement run on the DBAPI cursor of a session's connection (module docstring).

    `lists` names its expanding (IN list) parameters; `named` gives rows as named tuples of the selected
    columns' keys, else plain tuples.
    """

    def __init__(self, statement: Executable, lists: Sequence[str] = (), named: bool = False) -> None:
        if isinstance(statement, (Insert, Update)):
            table: Any = statement.table
            defaults = [c.name for c in table.columns if c.default is not None or c.onupdate is not None]
            if defaults:
                raise ValueError(f"{table}: columns with Python-side defaults ({defaults}) need SQLAlchemy")
        self.statement = statement
        self.lists = tuple(lists)
        # what it returns: the columns it selects, or those an INSERT ... RETURNING gives back
        returned = statement.selected_columns if isinstance(statement, Select) else statement.exported_columns  # type: ignore[attr-defined]
        self.columns = list(returned)
        self.row_type: Any = None
        if named:
            self.row_type = namedtuple("Row", [c.key for c in self.columns])  # type: ignore[misc]
        self._compiled: dict[tuple[str, str, tuple[int, ...]], _Compiled] = {}

    def _compile(self, dialect: Dialect, sizes: tuple[int, ...]) -> _Compiled:
        stmt: Any = self.statement
        plain = stmt.compile(dialect=dialect)
        if self.lists:
            values: dict[str, Any] = {name: None for name in plain.binds}
            values.update({name: [None] * n for name, n in zip(self.lists, sizes, strict=True)})
            rendered = _with_values(stmt, values)
            compiled = rendered.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        else:
            compiled = plain
        processors = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect) for name, bind in plain.binds.items()
        }
        given = {
            name: (_REQUIRED if bind.required or name in self.lists else bind.value)
            for name, bind in plain.binds.items()
        }

        def bind_of(rendered: str) -> _Bind:
            if rendered in processors:
                return _Bind(rendered, None, processors[rendered], given[rendered])
            name, _, place = rendered.rpartition("_")  # an IN list's value: "keys_3" is keys[2]
            assert name in self.lists, rendered
            return _Bind(name, int(place) - 1, processors[name], None)

        positional = compiled.positiontup is not None
        if positional:
            names = list(compiled.positiontup)
        else:  # named placeholders: an IN list's values are rendered as name_1, name_2, ...
            names = [name for name in plain.binds if name not in self.lists]
            names += [f"{name}_{i}" for name, n in zip(self.lists, sizes, strict=True) for i in range(1, n + 1)]
        return _Compiled(compiled.string, [(n, bind_of(n)) for n in names], positional)

    def _prepare(self, session: Reader, params: Mapping[str, Any]) -> tuple[Any, Dialect, _Compiled, Any]:
        if isinstance(session, Connection):  # a read command's Core connection: in a transaction, as a session is
            connection = session
            if not connection.in_transaction():
                connection.begin()
        else:
            connection = session.connection()
        dialect = connection.dialect
        sizes = tuple(_bucket(len(params[name])) for name in self.lists)
        key = (dialect.name, dialect.driver, sizes)  # SQLite or PostgreSQL (psycopg): the archive's engines
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(dialect, sizes)
        return connection.connection.driver_connection, dialect, compiled, self._values(compiled, params)

    def _values(self, compiled: _Compiled, params: Mapping[str, Any]) -> Any:
        values = []
        for _, bind in compiled.binds:
            value = params.get(bind.name, bind.default)
            if value is _REQUIRED:  # as SQLAlchemy refuses it, rather than writing NULL
                raise ValueError(f"no value for {bind.name!r} in {self.statement}")
            if bind.index is not None:
                value = value[min(bind.index, len(value) - 1)]
            values.append(value if bind.process is None else bind.process(value))
        if compiled.positional:
            return values
        return {rendered: value for (rendered, _), value in zip(compiled.binds, values, strict=True)}

    def rows(self, session: Reader, params: Mapping[str, Any] | None = None) -> list[Any]:
        """Every row, as `session.execute(statement, params).all()` gives them (tuples or named tuples)."""
        params = params or {}
        driver, dialect, compiled, values = self._prepare(session, params)
        rows, description = _on_cursor(driver, dialect, compiled.sql, values, lambda c: (c.fetchall(), c.description))
        if compiled.results is None:
            compiled.results = [
                col.type.dialect_impl(dialect).result_processor(dialect, described[1])
                for col, described in zip(self.columns, description, strict=True)
            ]
        processors = compiled.results
        if any(processors):
            rows = [tuple(v if p is None else p(v) for p, v in zip(processors, row, strict=True)) for row in rows]
        return [self.row_type(*row) for row in rows] if self.row_type is not None else rows

    def scalar(self, session: Reader, params: Mapping[str, Any] | None = None) -> Any:
        """The first column of the first row, None without a row."""
        rows = self.rows(session, params)
        return rows[0][0] if rows else None

    def run(self, session: Reader, params: Mapping[str, Any] | None = None) -> None:
        """Execute a statement that returns no rows (insert, update, delete)."""
        params = params or {}
        driver, dialect, compiled, values = self._prepare(session, params)
        _on_cursor(driver, dialect, compiled.sql, values)

    def run_many(self, session: Reader, rows: Sequence[Mapping[str, Any]]) -> None:
        """Execute a statement without IN lists once for each set of values (the DBAPI's executemany)."""
        if not rows:
            return
        assert not self.lists
        driver, dialect, compiled, first = self._prepare(session, rows[0])
        values = [first, *(self._values(compiled, r) for r in rows[1:])]
        _on_cursor(driver, dialect, compiled.sql, values, many=True)


def insert_every_column(table: Any, returning: Any = None) -> DriverStatement:
    """An INSERT of one row naming every column of the table but its generated id (each a bind of the
    column's name), returning `returning` if given."""
    generated = table.autoincrement_column
    statement = insert(table).values({c.name: bindparam(c.name) for c in table.columns if c is not generated})
    return DriverStatement(statement if returning is None else statement.returning(returning))


def _on_cursor(
    driver: Any, dialect: Dialect, sql: str, values: Any, read: Callable[[Any], Any] | None = None, many: bool = False
) -> Any:
    """Execute on a new cursor of the driver's connection; `read(cursor)` after it, if given. A driver error is
    raised as SQLAlchemy's (IntegrityError, OperationalError, DataError...)."""
    cursor = driver.cursor()
    try:
        if many:
            cursor.executemany(sql, values)
        else:
            cursor.execute(sql, values)
        return read(cursor) if read is not None else None
    except dialect.loaded_dbapi.Error as e:
        wrapped = sa_exc.DBAPIError.instance(sql, values, e, dialect.loaded_dbapi.Error, dialect=dialect)
        raise wrapped from e
    finally:
        cursor.close()


def _with_values(statement: Any, values: Mapping[str, Any]) -> Any:
    """A copy of the statement whose bound parameters carry these values (what `Select.params` does, for any
    statement: rendering an IN list needs its values at compile time)."""

    def given(bind: Any) -> None:
        if bind.key in values:
            bind.value, bind.required = values[bind.key], False

    return visitors.cloned_traverse(statement, {}, {"bindparam": given})

