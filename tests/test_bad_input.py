"""Hostile and odd inputs through `archive add`: a clear per-input result, nothing half stored."""

from __future__ import annotations

from pathlib import Path

from conftest import SEED_FILES, SEEDS, Run

ARTICLE = (
    "<p>The county council voted on Tuesday to repair the bridge on Mill Road, which has been closed "
    "since the spring floods damaged its supports and forced a long detour for school buses.</p>"
    "<p>Engineers told the council that the work would take about four months and cost roughly "
    "two million dollars, most of it covered by a state grant approved last year.</p>"
)


def page(body: str, head: str = "") -> str:
    return (f"<html><head>{head}<title>Bridge repair approved</title></head>"
            f"<body><article>{body}</article></body></html>")


def test_a_20_mb_page_finishes_with_a_result(run: Run, tmp_path: Path) -> None:
    rows = "".join(f"<p>Item {i}: the committee heard residents on agenda point number {i} today.</p>"
                   for i in range(260_000))
    big = tmp_path / "big.html"
    big.write_text(page(ARTICLE + rows))
    assert big.stat().st_size > 20_000_000
    code, records = run.add_json(str(big), str(SEEDS / SEED_FILES[1]))
    assert [r["path"] for r in records] == [str(big), str(SEEDS / SEED_FILES[1])]
    assert records[0]["status"] in ("new", "error") and records[1]["status"] == "new"
    assert (code == 1) == (records[0]["status"] == "error")
    assert run.json("db", "status")["captures"] == sum(r["status"] == "new" for r in records)


def test_encodings_are_read_right(run: Run, tmp_path: Path) -> None:
    text = ARTICLE.replace("bridge", "café bridge").replace("dollars", "dollars — “approved”")
    cp1252 = tmp_path / "cp1252.html"  # no declaration at all
    cp1252.write_bytes(page(text).encode("cp1252"))
    bom = tmp_path / "bom.html"
    bom.write_bytes(b"\xef\xbb\xbf" + page(text.replace("four", "five")).encode("utf-8"))
    meta = tmp_path / "meta.html"
    meta.write_bytes(page(text.replace("four", "six"), '<meta charset="windows-1252">').encode("cp1252"))
    code, records = run.add_json(str(cp1252), str(bom), str(meta))
    assert code == 0, records
    for r in records:
        body = run.json("show", str(r["id"]))["text"]
        assert "café bridge" in body and "“approved”" in body, body


def test_deep_nesting_binary_and_no_article_fail_alone(run: Run, tmp_path: Path) -> None:
    deep = tmp_path / "deep.html"
    deep.write_text("<html><body>" + "<div>" * 100_000 + "text" + "</div>" * 100_000 + "</body></html>")
    png = tmp_path / "photo.html"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    nav = tmp_path / "nav.html"
    nav.write_text("<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>")
    code, records = run.add_json(str(deep), str(png), str(nav), str(SEEDS / SEED_FILES[0]))
    assert code == 1
    status = {Path(r["path"]).name: r for r in records}
    assert status["photo.html"]["status"] == "error" and "PNG" in status["photo.html"]["error"]
    assert status["nav.html"]["status"] == "error" and "no article" in status["nav.html"]["error"]
    assert status["deep.html"]["status"] == "error"
    assert status[SEED_FILES[0]]["status"] == "new"
    assert run.json("db", "status")["captures"] == 1


def test_a_file_over_the_input_limit_fails_alone(run: Run, tmp_path: Path) -> None:
    huge = tmp_path / "huge.html"
    with huge.open("wb") as f:  # sparse: 51 MB on paper, nothing on disk
        f.write(b"<html><body><p>")
        f.truncate(51 * 1024 * 1024)
    code, records = run.add_json(str(huge), str(SEEDS / SEED_FILES[1]))
    assert code == 1
    assert records[0]["status"] == "error" and "larger than 50 MB" in records[0]["error"], records[0]
    assert records[1]["status"] == "new"
