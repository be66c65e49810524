"""Bulk writes: many rows of one table in one round trip, and fresh planner statistics after them.

What `add` writes capture by capture (a few rows of each table) is best written as it is; what a bulk
load writes (an old archive migrated, a crawl imported, the filler of benchmarks/scale.py, every band key
rebuilt by `reprocess`) is not: row-by-row inserts cost a round trip and SQLAlchemy's per-statement work
each. On PostgreSQL rows go through COPY (psycopg's `cursor.copy`, binary-safe for bytea); elsewhere
through one executemany. After a bulk load the planner's statistics describe the table as it was before:
`analyze` refreshes them (PostgreSQL's autovacuum would, minutes later; until then a plan made for a
small table can be kept for a large one).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.orm import Session


def bulk_insert(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert these rows (each a dict with the same keys) into `table` in one round trip."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), list(rows))
        return
    from psycopg import sql  # PostgreSQL only: the driver composes the statement, identifiers quoted by it

    session.flush()
    columns = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([_copyable(row[c]) for c in columns])


def _copyable(value: Any) -> Any:
    """A JSON column's value as its text (COPY takes JSON as text); every other value as it is."""
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
    """Refresh the planner's statistics of these tables (after a bulk load changed their size)."""
    session.flush()
    quote = session.get_bind().dialect.identifier_preparer.format_table
    for table in tables:
        session.execute(text("ANALYZE " + quote(table)))
