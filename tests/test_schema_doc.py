"""docs/schema.md is the live schema: regenerated from a fresh archive it must be identical, and every view runs."""

from __future__ import annotations

from conftest import ROOT, SEED_FILES, SEEDS, Run
from sqlalchemy import inspect, text

from archiver.config import database_url
from archiver.read.schemadoc import schema_markdown
from archiver.store.engine import Archive


def test_schema_doc_matches_a_migrated_archive(new_db: str) -> None:
    """The same document from an SQLite file and from a PostgreSQL schema."""
    with Archive(database_url(new_db)) as archive:
        generated = schema_markdown(archive.engine)
    documented = (ROOT / "docs" / "schema.md").read_text()
    assert generated == documented, "docs/schema.md is stale: run `archive db schema --db new.db > docs/schema.md`"


def test_every_view_and_example_query_runs(run: Run) -> None:
    run.add_json(*[str(SEEDS / f) for f in SEED_FILES])
    with Archive(database_url(str(run.db))) as archive, archive.engine.connect() as conn:
        for view in inspect(archive.engine).get_view_names():
            conn.execute(text(f"SELECT * FROM {view}")).fetchall()
        doc = (ROOT / "docs" / "schema.md").read_text()
        queries = [block.split("```", 1)[0] for block in doc.split("```sql\n")[1:]]
        assert len(queries) >= 3
        for q in queries:
            if "text_fts" in q and archive.engine.dialect.name != "sqlite":
                continue  # the FTS5 example is SQLite's own (the document gives PostgreSQL's in words)
            conn.execute(text(q)).fetchall()
        npr = conn.execute(text(next(q for q in queries if "'NPR'" in q))).fetchall()
    assert len(npr) == 2  # the identical station copy and the spun rewrite
