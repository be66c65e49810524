"""Migration 0002 on an archive made by the previous release: every row kept, pages and versions added."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

from conftest import ROOT, Run

from archiver.store.engine import head_revision

OLD_ARCHIVE = ROOT / "tests" / "data" / "archive-0001.db.gz"  # made by release 0001 itself (tests/data/README.md)
OLD_TABLES = {
    "blob": "sha256",
    "text": "id",
    "capture": "id",
    "chrome": "id",
    "credit": "id",
    "fingerprint": "id",
    "fingerprint_band": "kind, band_key, text_id",
    "text_match": "text_a, text_b",
}
OLD_CAPTURE_COLUMNS = (
    "id, blob_sha256, path, url, canonical_url, content_type, captured_at, added_at, title, byline, site_name, "
    "published, language, extractor, cleaner_version, source_publisher, text_id"
)
BRIDGE_PAGE = "https://rivertontribune.com/news/2023/05/09/old-mill-bridge-closed"


def rows(db: Path, table: str, order: str, columns: str = "*") -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT {columns} FROM {table} ORDER BY {order}").fetchall()
    finally:
        con.close()


def old_archive(tmp_path: Path) -> Path:
    db = tmp_path / "old.db"
    db.write_bytes(gzip.decompress(OLD_ARCHIVE.read_bytes()))
    assert rows(db, "alembic_version", "version_num") == [("0001",)]
    return db


def test_upgrade_keeps_every_row_and_adds_pages(tmp_path: Path) -> None:
    db = old_archive(tmp_path)
    before = {t: rows(db, t, o, OLD_CAPTURE_COLUMNS if t == "capture" else "*") for t, o in OLD_TABLES.items()}
    edges_before = {r[0]: r for r in rows(db, "lineage_edge", "child_id")}
    assert len(before["capture"]) == 11
    run = Run(db)
    status = run.json("db", "status")  # opening the archive upgrades it
    assert status["revision"] == head_revision()  # 0001 -> 0002 (pages) -> any later revision
    assert (tmp_path / "old.db.bak-0001").exists()
    for table, order in OLD_TABLES.items():
        after = rows(db, table, order, OLD_CAPTURE_COLUMNS if table == "capture" else "*")
        assert after == before[table], table

    # pages: the bridge story's five captures on two pages, the stdin capture on its --url page
    pages = dict(rows(db, "page", "id", "url, id"))
    assert set(pages) == {BRIDGE_PAGE, "https://valleynews.example/2023/05/09/bridge",
                          "https://example.org/2021/08/08/taliban"}
    versions = rows(db, "capture", "id", "id, page_id, version")
    bridge = [(i, v) for i, p, v in versions if p == pages[BRIDGE_PAGE]]
    assert [v for _, v in bridge] == [1, 1, 2, 3]  # original, boring re-capture, correction, update
    assert all(p is None and v is None for i, p, v in versions if i <= 5)  # the seeds have no URL
    history = run.json("history", BRIDGE_PAGE)
    assert [(v["version"], len(v["captures"])) for v in history["versions"]] == [(1, 2), (2, 1), (3, 1)]
    assert history["versions"][1]["words_added"] == 23

    # lineage: the page's later versions are now revisions; every other edge is as the old release made it
    edges_after = {r[0]: r for r in rows(db, "lineage_edge", "child_id")}
    v1, again, v2, v3 = (i for i, _ in bridge)
    assert edges_after[v2][1:3] == (v1, "revision") and edges_after[v3][1:3] == (v2, "revision")
    assert edges_after[again][1:3] == (v1, "identical")
    for child, edge in edges_before.items():
        if child not in (again, v2, v3):
            assert edges_after[child] == edge, child

    # the new parts work on old data: search, views, export
    found = run("search", "ultrasound", "--json").stdout.splitlines()
    assert {json.loads(line)["id"] for line in found} == {v1, again, v2, v3}
    con = sqlite3.connect(db)
    latest = con.execute("SELECT url, version, captures FROM page_latest ORDER BY url").fetchall()
    assert (BRIDGE_PAGE, 3, 4) in latest
    for view in ("capture_origin", "lineage_named", "page_latest"):
        con.execute(f"SELECT * FROM {view}").fetchall()
    con.close()
    assert len(run("export").stdout.splitlines()) == 11


def test_new_captures_after_the_upgrade_join_the_old_pages(tmp_path: Path) -> None:
    db = old_archive(tmp_path)
    run = Run(db)
    raw = "\n".join(["Old Mill Bridge reopens to cars", "", "RIVERTON, Ore. (AP) — The Old Mill Bridge reopened "
                     "to cars on Friday morning after crews installed temporary steel braces under both supports."])
    code, records = run.add_json("-", "--url", BRIDGE_PAGE + "/?utm_source=share", input=raw.encode())
    assert code == 0 and records[0]["status"] == "version" and records[0]["version"] == 4
    assert records[0]["relation"] == "revision"
