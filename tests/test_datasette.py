"""`archive db datasette-metadata`: Datasette's metadata.json for an SQLite archive, from the schema's own docs."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import SEED_FILES, SEEDS, Run

from archiver.errors import ExitCode
from archiver.read.schemadoc import EXAMPLES, VIEW_DOCS
from archiver.store.models import Base, CaptureRow, Correction


def test_the_metadata_describes_every_table_and_runs_every_canned_query(run: Run, backend: str, tmp_path: Path) -> None:
    run.add_json(*(str(SEEDS / f) for f in SEED_FILES))
    out = tmp_path / "metadata.json"
    result = run("db", "datasette-metadata", "-o", str(out))
    if backend != "sqlite":
        assert result.exit_code == ExitCode.USAGE and "Datasette reads SQLite files" in result.stderr
        return
    assert result.exit_code == 0, result.stderr
    assert f"-m {out}" in result.stderr
    metadata = json.loads(out.read_text())
    (name, database), = metadata["databases"].items()
    assert name == Path(str(run.db)).stem
    tables = database["tables"]
    for table in Base.metadata.sorted_tables:
        assert tables[table.name]["description"], table.name
        for column in table.columns:
            if column.doc:
                assert tables[table.name]["columns"][column.name] == column.doc
    assert tables["capture"]["description"] == CaptureRow.__doc__
    assert tables["correction"]["description"] == Correction.__doc__
    assert tables["alembic_version"] == {"hidden": True} and tables["text_fts"] == {"hidden": True}
    assert tables["text"]["fts_table"] == "text_fts"
    for view, (doc, _) in VIEW_DOCS.items():
        assert tables[view]["description"] == doc
    queries = database["queries"]
    assert len(queries) == EXAMPLES.count("```sql") and len(queries) >= 5
    con = sqlite3.connect(str(run.db))
    for slug, query in queries.items():
        assert query["title"] and query["sql"].lstrip().upper().startswith("SELECT"), slug
        con.execute(query["sql"]).fetchall()
    npr = next(q for q in queries.values() if "'NPR'" in q["sql"])
    assert len(con.execute(npr["sql"]).fetchall()) == 2
    assert run("db", "datasette-metadata", "-o", "-").stdout.startswith("{")
