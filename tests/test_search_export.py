"""Full-text search (SQLite FTS5 and PostgreSQL) and export -> add round trips, through the real CLI."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from bridge_story import write_pages
from conftest import SEED_FILES, SEEDS, Run
from sqlalchemy import create_engine, text
from test_versions import ALL_FILES

from archiver.config import database_url

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def fill(run: Run, folder: Path) -> dict[str, int]:
    """The five seeds and the bridge pages; file name -> the capture it recorded."""
    pages = write_pages(folder)
    code, records = run.add_json(*[str(SEEDS / f) for f in SEED_FILES], *[str(pages[n]) for n in ALL_FILES])
    assert code == 0, records
    return {Path(r["path"]).name: r.get("recapture", r["id"]) for r in records}


def search(run: Run, *query: str) -> list[dict]:
    result = run("search", *query, "--json")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def check_search(run: Run, ids: dict[str, int]) -> None:
    # words of the body, any case, in any order
    hits = search(run, "ULTRASOUND", "cracks")
    assert {h["id"] for h in hits} == {ids["v1.html"], ids["v1-again.html"], ids["v2.html"], ids["v3.html"]}
    found = {c for h in hits for c in h["captures"]}
    assert ids["copy.html"] in found  # the copy carries version 1's text
    assert all("ultrasound" in h["snippet"].lower() for h in hits)
    assert all(h["snippet"][s:e].lower() in ("ultrasound", "cracks") for h in hits for s, e in h["matches"])
    # a phrase, an exclusion, alternatives
    assert [h["id"] for h in search(run, '"steel braces"')] == [ids["v3.html"]]
    assert {h["id"] for h in search(run, "bridge", "-braces", "-wrong")} == {ids["v1.html"], ids["v1-again.html"]}
    assert {h["id"] for h in search(run, "Kunduz", "OR", "braces")} >= {ids["v3.html"], ids[SEED_FILES[0]]}
    assert search(run, "zebra") == []
    # a seed story by a word only its body has
    assert ids["004_a909e96cfce776c3.txt"] in {c for h in search(run, "Taliban") for c in h["captures"]}
    refused = run("search", "-braces")
    assert refused.exit_code == 2 and "nothing to search for" in refused.stderr


def test_search_finds_captures_by_words_of_the_body(run: Run, tmp_path: Path) -> None:
    ids = fill(run, tmp_path / "pages")
    check_search(run, ids)
    human = run("search", "ultrasound")
    assert human.exit_code == 0 and "Old Mill Bridge" in human.stdout


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A fresh schema on the local PostgreSQL server, dropped afterwards."""
    pytest.importorskip("psycopg")
    engine = create_engine(database_url(POSTGRES))
    try:
        conn = engine.connect()
    except Exception as e:  # no server here: nothing to test against
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES}: {e}")
    schema = f"archive_test_{uuid.uuid4().hex[:12]}"
    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    conn.commit()
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        conn.commit()
        conn.close()
        engine.dispose()


def test_search_versions_and_views_on_postgresql(postgres_schema: str, tmp_path: Path) -> None:
    run = Run(postgres_schema)  # type: ignore[arg-type]
    ids = fill(run, tmp_path / "pages")
    check_search(run, ids)
    history = run.json("history", str(ids["v3.html"]))
    assert [v["version"] for v in history["versions"]] == [1, 2, 3]
    engine = create_engine(database_url(postgres_schema))
    with engine.connect() as conn:
        plan = " ".join(
            r[0] for r in conn.execute(text(
                "EXPLAIN SELECT id FROM text WHERE to_tsvector('simple'::regconfig, body) "
                "@@ websearch_to_tsquery('simple'::regconfig, 'bridge')"
            ))
        )
        assert "ix_text_body_fts" in plan or "Seq Scan" in plan  # the index exists; tiny tables may skip it
        assert conn.execute(text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_text_body_fts' AND schemaname = current_schema()"
        )).scalar_one().lower().count("gin") == 1
        latest = conn.execute(text("SELECT url, version FROM page_latest ORDER BY url")).all()
        for view in ("capture_origin", "lineage_named", "page_latest"):
            conn.execute(text(f"SELECT * FROM {view}")).all()
    engine.dispose()
    assert ("https://rivertontribune.com/news/2023/05/09/old-mill-bridge-closed", 3) in latest


def _remap_refs(line: str, id_map: dict[int, int]) -> str:
    """Evidence names captures (#12): the same capture has another id in the other archive."""
    return re.sub(r"#(\d+)", lambda m: f"#{id_map.get(int(m.group(1)), m.group(1))}", line)


def test_export_round_trips_every_capture(run: Run, tmp_path: Path) -> None:
    ids = fill(run, tmp_path / "pages")
    out = tmp_path / "archive-backup.data"  # recognised by its content, not its name
    result = run("export", "--output", str(out))
    assert result.exit_code == 0 and "exported 10 captures" in result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 10 == run.json("db", "status")["captures"]
    for line in lines:
        shown = run.json("show", str(line["id"]))
        assert set(shown) <= set(line) and {"url", "path", "text", "lineage", "raw_base64"} <= set(line)
        assert {k: line[k] for k in shown} == shown
        assert line["lineage"]["parent"] == shown["parent"]
        assert "publisher" in line["lineage"]["origin"]
    by_name = {Path(line["path"]).name: line for line in lines}
    assert base64.b64decode(by_name["v2.html"]["raw_base64"]) == (tmp_path / "pages" / "v2.html").read_bytes()
    assert by_name["copy.html"]["lineage"]["origin"]["id"] == ids["v1.html"]
    stdout_export = run("export").stdout.splitlines()
    assert [json.loads(s)["id"] for s in stdout_export] == [line["id"] for line in lines]

    # into a new archive, in reverse order of the file's lines: the same captures, versions and lineage
    reversed_file = tmp_path / "reversed.jsonl"
    reversed_file.write_text("".join(s + "\n" for s in out.read_text().splitlines()[::-1]))
    other = Run(tmp_path / "restored.db")
    code, records = other.add_json(str(reversed_file))
    assert code == 0 and len(records) == 10
    assert {r["status"] for r in records} <= {"new", "version", "duplicate"}
    new_ids = {r["path"]: r.get("recapture", r["id"]) for r in records}
    id_map = {line["id"]: new_ids[line["path"]] for line in lines}
    for line in lines:
        original = run.json("show", str(line["id"]))
        restored = other.json("show", str(id_map[line["id"]]))
        ids_and_times = ("id", "added_at", "text_id", "parent", "published_from")
        assert {k: v for k, v in original.items() if k not in ids_and_times} == {
            k: v for k, v in restored.items() if k not in ids_and_times
        }
        if original["published_from"]:
            assert id_map[original["published_from"]["id"]] == restored["published_from"]["id"]
        want_parent = original["parent"]
        got_parent = restored["parent"]
        assert (want_parent is None) == (got_parent is None)
        if want_parent:
            assert id_map[want_parent["id"]] == got_parent["id"]
            assert (want_parent["relation"], want_parent["score"]) == (got_parent["relation"], got_parent["score"])
            assert [_remap_refs(e, id_map) for e in want_parent["evidence"]] == got_parent["evidence"]
    # and adding the export again changes nothing
    code, again = other.add_json(str(out))
    assert code == 0 and {r["status"] for r in again} == {"duplicate"}
    assert other.json("db", "status")["captures"] == 10


def test_a_damaged_export_line_fails_alone(run: Run, tmp_path: Path) -> None:
    fill(run, tmp_path / "pages")
    out = tmp_path / "export.jsonl"
    run("export", "-o", str(out))
    lines = out.read_text().splitlines()
    lines[2] = lines[2].replace('"raw_base64": "', '"raw_base64": "!!')
    out.write_text("\n".join(lines) + "\n")
    other = Run(tmp_path / "other.db")
    code, records = other.add_json(str(out))
    assert code == 1
    failed = [r for r in records if r["status"] == "error"]
    assert len(failed) == 1 and failed[0]["path"].endswith("export.jsonl#3")
    assert other.json("db", "status")["captures"] == 9
