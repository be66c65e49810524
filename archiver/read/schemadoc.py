"""The public schema as Markdown, read from a migrated database (`archive db schema` > docs/schema.md).

Tables and columns come from the live database; their descriptions from the models' docstrings and
column `doc=` strings; views from the database with the descriptions below. A test regenerates
this from a fresh archive and compares it with docs/schema.md, so the document cannot drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, Table, inspect

from archiver.store.engine import SEARCH_OBJECTS
from archiver.store.models import Base

VIEW_DOCS = {
    "capture_origin": (
        "Each capture with its parent, the relation to it, and the origin of its chain (the root capture "
        "and the publisher that root names).",
        {
            "capture_id": "the capture",
            "parent_id": "its chosen source (null for a root)",
            "relation": "relation to the parent",
            "score": "strength of that relation",
            "origin_id": "the root of its chain (itself when it has no parent)",
            "origin_publisher": "the root's source_publisher: the original publisher when known",
        },
    ),
    "lineage_named": (
        "Lineage edges with the titles, sites and URLs of both ends.",
        {},
    ),
    "page_latest": (
        "The latest version of every page: its first capture, when it was last seen, how many captures the page has.",
        {
            "page_id": "the page",
            "url": "the page's normalised URL",
            "version": "number of its latest version (= how many versions it has)",
            "capture_id": "the first capture showing that version",
            "title": "that capture's headline",
            "text_id": "that version's clean text (text.id)",
            "captured_at": "when that version was first captured",
            "last_captured_at": "when that version was last seen",
            "captures": "all captures of the page, re-captures included",
        },
    ),
}

SEARCH_DOC = """## Full-text search

`archive search` finds texts by the words of their clean body. Its index is part of the schema:

- SQLite: `text_fts`, an FTS5 table over `text.body` (external content, `rowid` = `text.id`, tokenizer
  `unicode61 remove_diacritics 2`), kept in sync by triggers on `text`. Its shadow tables
  (`text_fts_data`, `text_fts_idx`, `text_fts_docsize`, `text_fts_config`) are FTS5's own.
- PostgreSQL: the GIN index `ix_text_body_fts` on `to_tsvector('simple'::regconfig, left(body, 200000))`
  (a tsvector holds at most 1 MB, so the index covers a text's first 200,000 characters).

```sql
SELECT t.id, c.id AS capture_id, c.title FROM text_fts f
JOIN text t ON t.id = f.rowid JOIN capture c ON c.text_id = t.id
WHERE text_fts MATCH '"steel supports" AND bridge' ORDER BY bm25(text_fts);
```

On PostgreSQL: `WHERE to_tsvector('simple'::regconfig, left(t.body, 200000)) @@ websearch_to_tsquery('simple', '"steel supports" bridge')`.
"""  # noqa: E501 - Markdown text: its code line is not wrapped

EXAMPLES = """## Example queries

Every copy of NPR stories, with where it appeared:

```sql
SELECT c.id, c.site_name, c.url, o.relation, o.parent_id
FROM capture_origin o JOIN capture c ON c.id = o.capture_id
WHERE o.origin_publisher = 'NPR' AND o.parent_id IS NOT NULL;
```

Sites that republish AP text without crediting AP:

```sql
SELECT c.site_name, COUNT(*) AS uncredited
FROM capture_origin o JOIN capture c ON c.id = o.capture_id
WHERE o.origin_publisher = 'The Associated Press' AND o.parent_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM credit cr WHERE cr.capture_id = c.id AND cr.name = 'The Associated Press')
GROUP BY c.site_name ORDER BY uncredited DESC;
```

The largest families:

```sql
SELECT origin_id, origin_publisher, COUNT(*) AS captures
FROM capture_origin GROUP BY origin_id, origin_publisher ORDER BY captures DESC LIMIT 20;
```

What the cleaner removed most often, by rule:

```sql
SELECT reason, COUNT(*) FROM chrome GROUP BY reason ORDER BY 2 DESC;
```

Pages that changed after publication, most versions first:

```sql
SELECT url, version AS versions, captures, title FROM page_latest WHERE version > 1 ORDER BY version DESC;
```

Every version of one page, with the words each changed and its headline:

```sql
SELECT v.version, v.capture_id, c.captured_at, v.words_added, v.words_removed, c.title
FROM page_version v JOIN page p ON p.id = v.page_id JOIN capture c ON c.id = v.capture_id
WHERE p.url = 'https://rivertontribune.com/news/2023/05/09/old-mill-bridge-closed' ORDER BY v.version;
```
"""


# Backend type names -> one documented name, so SQLite and PostgreSQL archives give the same document.
TYPE_NAMES = {
    "varchar": "text",
    "blob": "bytes",
    "bytea": "bytes",
    "timestamp": "datetime",
    "timestamp with time zone": "datetime",
    "double precision": "float",
}


def _type_name(column: Mapping[str, Any]) -> str:
    name = str(column["type"]).lower()
    return TYPE_NAMES.get(name.split("(")[0], name)


def schema_markdown(engine: Engine) -> str:
    """Markdown describing every table, column and view of the archive at `engine`."""
    insp = inspect(engine)
    models = {t.name: t for t in Base.metadata.sorted_tables if isinstance(t, Table)}
    mappers = {m.local_table.name: m for m in Base.registry.mappers if isinstance(m.local_table, Table)}
    lines = [
        "# The archive's schema",
        "",
        "Generated by `archive db schema` from a freshly migrated archive; a test checks that this file "
        "matches. Users may query these tables and views directly (`sqlite3 archive.db`); column names are "
        "a stable interface, changed only by migrations.",
        "",
    ]
    for name in sorted(insp.get_table_names()):
        if name == "alembic_version" or name.startswith(SEARCH_OBJECTS):
            continue
        mapper = mappers.get(name)
        doc = (mapper.class_.__doc__ or "").strip() if mapper else ""
        lines += [f"## `{name}`", "", doc, ""] if doc else [f"## `{name}`", ""]
        pk = set(insp.get_pk_constraint(name).get("constrained_columns") or [])
        fks = {
            col: f"{fk['referred_table']}.{ref}"
            for fk in insp.get_foreign_keys(name)
            for col, ref in zip(fk["constrained_columns"], fk["referred_columns"], strict=True)
        }
        lines += ["| column | type | null | key | description |", "|---|---|---|---|---|"]
        table = models.get(name)
        for col in insp.get_columns(name):
            key = "PK" if col["name"] in pk else ""
            if col["name"] in fks:
                key = (key + " " if key else "") + f"→ {fks[col['name']]}"
            model_col = table.columns.get(col["name"]) if table is not None else None
            desc = (getattr(model_col, "doc", None) or "") if model_col is not None else ""
            desc = desc.replace("|", "\\|")  # a pipe would end the Markdown cell
            null = "yes" if col["nullable"] else "no"
            lines.append(f"| `{col['name']}` | {_type_name(col)} | {null} | {key} | {desc} |")
        uniques = [u["column_names"] for u in insp.get_unique_constraints(name)]
        # PostgreSQL also reports each unique constraint as an index: list it once, as the constraint.
        indexes = [i for i in insp.get_indexes(name) if not i.get("duplicates_constraint")]
        if uniques or indexes:
            lines.append("")
            for u in sorted(uniques):
                lines.append(f"Unique: ({', '.join(u)}).")
            for i in sorted(indexes, key=lambda x: str(x["name"])):
                if str(i["name"]).startswith(SEARCH_OBJECTS):
                    continue
                cols = ", ".join(str(c) for c in i["column_names"])
                lines.append(f"Index `{i['name']}` on ({cols}){' unique' if i.get('unique') else ''}.")
        lines.append("")
    for name in sorted(insp.get_view_names()):
        doc, coldocs = VIEW_DOCS.get(name, ("", {}))
        lines += [f"## view `{name}`", "", doc, "", "| column | description |", "|---|---|"]
        for col in insp.get_columns(name):
            lines.append(f"| `{col['name']}` | {coldocs.get(col['name'], '')} |")
        lines.append("")
    lines.append(EXAMPLES)
    lines.append(SEARCH_DOC)
    return "\n".join(lines).rstrip() + "\n"
