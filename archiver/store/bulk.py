"""Bulk writes: many rows of one table in one round trip, and fresh planner statistics after them.

What `add` writes capture by capture (a few rows of each table) is best written as it is; what a bulk
load writes (an old archive migrated, a crawl imported, the filler of benchmarks/scale.py, every band key
rebuilt by `reprocess`) is not: row-by-row inserts cost a round trip and SQLAlchemy's per-statement work
each. On PostgreSQL rows go through COPY (psycopg's `cursor.copy`, binary-safe for bytea); elsewhere
through one executemany. After a bulk load the planner's statistics describe the table as it was before:
`analyze` refreshes them (PostgreSQL's autovacuum would, minutes later; until then a plan made for a
small table can be kept for a large one). A load of many rows into an archive nobody else writes at the
time (`bulk_loading`) also drops the tables' indexes and foreign keys first and makes them again after, in
one pass each, all in the caller's transaction.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import JSON, Table, insert, text
from sqlalchemy.orm import Session


def bulk_insert(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]] | Sequence[Sequence[Any]],
    columns: Sequence[str] | None = None,
) -> None:
    """Insert these rows into `table` in one round trip: each a dict with the same keys, or, with `columns`,
    a tuple of values in that order (no dict a row: what a load of millions of band keys wants)."""
    if not rows:
        return
    names = list(columns) if columns is not None else list(cast(Mapping[str, Any], rows[0]))
    if session.get_bind().dialect.name != "postgresql":
        dicts = rows if columns is None else [dict(zip(names, row, strict=True)) for row in rows]
        session.execute(insert(table), [dict(d) for d in cast(Sequence[Mapping[str, Any]], dicts)])
        return
    from psycopg import sql  # PostgreSQL only: the driver composes the statement, identifiers quoted by it

    session.flush()
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in names)
    )
    # COPY takes a JSON column's value as its text; every other value goes as it is
    json_at = [k for k, c in enumerate(names) if isinstance(table.c[c].type, JSON)]
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(statement) as copy:
        for row in rows:
            if columns is not None:
                values = cast(Sequence[Any], row)
            else:
                values = [cast(Mapping[str, Any], row)[c] for c in names]
            if json_at:
                values = list(values)
                for k in json_at:
                    values[k] = _copyable(values[k])
            copy.write_row(values)


def _copyable(value: Any) -> Any:
    """A JSON column's value as its text (COPY takes JSON as text); SQL NULL as it is."""
    return json.dumps(value) if isinstance(value, dict | list) else value


def bulk_insert_returning_ids(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """`bulk_insert` into a table with a generated integer `id`; the new ids, in the order of `rows`.

    On PostgreSQL the ids are drawn from the table's sequence first (one query) and written with the rows,
    so the rows can go through COPY; elsewhere one executemany with RETURNING, in parameter order.
    """
    if not rows:
        return []
    if session.get_bind().dialect.name != "postgresql":
        returning = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(session.scalars(returning, list(rows)))
    drawn = session.execute(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
        {"table": table.name, "n": len(rows)},
    )
    ids = sorted(n for (n,) in drawn)
    bulk_insert(session, table, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
    return ids


def analyze(session: Session, tables: Iterable[Table]) -> None:
    """Refresh the planner's statistics of these tables (after a bulk load changed their size).

    Only the columns the archive's queries look rows up by are sampled (`keyed_columns`): a plain ANALYZE
    of `text` also computes the statistics of the full-text index's expression, `to_tsvector` of every
    sampled body, which was 1.9 s of an 8.5 s load of 10,000 texts (benchmarks/bulk_load.py, 2026-12-06, a
    quiet machine), and only `search`'s row estimates read them; autovacuum's own ANALYZE, which the load's
    row count triggers within minutes, makes them as usual.
    """
    session.flush()
    dialect = session.get_bind().dialect
    quote = dialect.identifier_preparer
    for table in tables:
        columns = keyed_columns(table) if dialect.name == "postgresql" else []  # SQLite: whole tables
        listed = " (" + ", ".join(quote.quote(c) for c in columns) + ")" if columns else ""
        session.execute(text("ANALYZE " + quote.format_table(table) + listed))


def keyed_columns(table: Table) -> list[str]:
    """The columns of a table's keys and indexes (not index expressions): what queries look rows up by."""
    names = {c.name for c in table.primary_key.columns}
    names.update(fk.parent.name for fk in table.foreign_keys)
    for index in table.indexes:
        names.update(c.name for c in index.columns)
    for constraint in table.constraints:
        names.update(c.name for c in getattr(constraint, "columns", ()))
    return [c.name for c in table.columns if c.name in names]


# Memory for rebuilding the indexes after a bulk load (a session setting): the band table's primary key at
# 100,000 texts is ~12.8 M rows, sorted in memory at this size instead of in ~20 passes over temporary files
# at the 64 MB default. Sized for that table, not tuned.
BULK_INDEX_MEMORY = "1GB"

_CONSTRAINTS = text(
    "SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid) FROM pg_constraint c"
    " WHERE c.conrelid = ANY(CAST(:tables AS regclass[])) AND c.contype IN ('p', 'u', 'f')"
    " AND (c.contype = 'f' OR NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f'"
    " AND f.conindid = c.conindid AND f.conrelid <> ALL(CAST(:tables AS regclass[]))))"
    " ORDER BY c.contype = 'f' DESC, c.conname"
)

_INDEXES = text(
    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
    " WHERE i.indrelid = ANY(CAST(:tables AS regclass[]))"
    " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1"
)


@contextlib.contextmanager
def bulk_loading(session: Session, tables: Sequence[Table]) -> Iterator[None]:
    """Load many rows into these tables in the caller's transaction, their indexes made once at the end.

    On PostgreSQL the tables' foreign keys, secondary indexes, and the primary keys and unique constraints no
    other table's foreign key needs are dropped first and made again after (a sorted build of each index,
    instead of an index entry per row and a key look-up per foreign key): the unique constraints and
    foreign keys are checked again as they are made, so a duplicate or dangling row still fails the load,
    and the caller's rollback restores them all. The tables are locked against every other session meanwhile:
    for an import into an archive nobody else uses at the time. Elsewhere it does nothing.
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    names = [t.name for t in tables]
    constraints = session.execute(_CONSTRAINTS, {"tables": names}).all()
    indexes = session.execute(_INDEXES, {"tables": names}).all()
    run = session.connection().exec_driver_sql
    for table, name, _, _ in constraints:  # foreign keys first: they hold on to the keys they reference
        run(f"ALTER TABLE {table} DROP CONSTRAINT {_quoted(name)}")
    for index, _ in indexes:
        run(f"DROP INDEX {index}")
    yield
    session.flush()
    run(f"SET LOCAL maintenance_work_mem = '{BULK_INDEX_MEMORY}'")
    for table, name, _, definition in sorted(constraints, key=lambda c: c[2] == "f"):  # keys, then FKs
        run(f"ALTER TABLE {table} ADD CONSTRAINT {_quoted(name)} {definition}")
    for _, definition in indexes:
        run(definition)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
