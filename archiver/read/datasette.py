"""`archive db datasette-metadata`: a Datasette metadata document for an SQLite archive.

`datasette archive.db -m metadata.json` then shows each table and view with the descriptions docs/schema.md
gives (the models' docstrings and column docs, the views' documented columns) and offers the documented
example queries as canned queries. Read from the live database, as docs/schema.md is.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Table, inspect

from archiver import __version__
from archiver.errors import UsageError
from archiver.read.schemadoc import EXAMPLES, VIEW_DOCS
from archiver.store.engine import SEARCH_OBJECTS, Archive
from archiver.store.models import Base

HIDDEN = ("alembic_version",)  # bookkeeping, not data


def example_queries(markdown: str = EXAMPLES) -> dict[str, dict[str, str]]:
    """The ```sql blocks of the documented examples, each named by a slug of the sentence before it."""
    queries: dict[str, dict[str, str]] = {}
    for match in re.finditer(r"(?:^|\n)([^\n`#][^\n]*):\s*\n\s*```sql\n(.*?)```", markdown, re.S):
        title, sql = match.group(1).strip(), match.group(2).strip()
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
        queries[slug] = {"title": title, "sql": sql}
    return queries


def datasette_metadata(archive: Archive) -> dict[str, Any]:
    """The metadata document (Datasette's metadata.json format) for this SQLite archive."""
    path = archive.path
    if path is None:
        raise UsageError(
            f"Datasette reads SQLite files; this archive is on {archive.engine.dialect.name}",
            hint="Give --db an SQLite archive.",
        )
    insp = inspect(archive.engine)
    mappers = {m.local_table.name: m for m in Base.registry.mappers if isinstance(m.local_table, Table)}
    tables: dict[str, Any] = {}
    for name in sorted(insp.get_table_names()):
        if name.startswith(SEARCH_OBJECTS) or name in HIDDEN:
            tables[name] = {"hidden": True}
            continue
        mapper = mappers.get(name)
        if mapper is None:
            continue
        table = mapper.local_table
        assert isinstance(table, Table)
        entry: dict[str, Any] = {"description": (mapper.class_.__doc__ or "").strip()}
        columns = {c["name"]: table.columns[c["name"]].doc for c in insp.get_columns(name)
                   if c["name"] in table.columns and table.columns[c["name"]].doc}
        if columns:
            entry["columns"] = columns
        if name == "text":  # `archive search`'s FTS5 index over text.body
            entry |= {"fts_table": "text_fts", "fts_pk": "id"}
        tables[name] = entry
    for name in sorted(insp.get_view_names()):
        doc, columns = VIEW_DOCS.get(name, ("", {}))
        tables[name] = {"description": doc, **({"columns": dict(columns)} if columns else {})}
    return {
        "title": f"archive: {path.name}",
        "description": "A news provenance archive: clean captures, their credits and lineage. "
        "Tables and columns as docs/schema.md describes them.",
        "source": f"archive-news {__version__}",
        "databases": {path.stem: {"tables": tables, "queries": example_queries()}},
    }
