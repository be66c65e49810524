"""`archive add --manifest FILE`: local files and URLs with their page URLs and times, one process; a bad row
fails alone, named by its line."""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import SEED_FILES, SEEDS, Run

from archiver.errors import ExitCode


class Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = (SEEDS / SEED_FILES[3]).read_bytes() if self.path == "/story" else b"not here"
        self.send_response(200 if self.path == "/story" else 404)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def seeds_here(tmp_path: Path) -> Path:
    """The seeds copied beside the manifest (rows name them relative to its folder)."""
    folder = tmp_path / "crawl"
    folder.mkdir()
    for name in SEED_FILES:
        (folder / name).write_bytes((SEEDS / name).read_bytes())
    return folder


def test_a_csv_manifest_gives_each_file_its_url_and_times(run: Run, tmp_path: Path) -> None:
    folder = seeds_here(tmp_path)
    manifest = folder / "manifest.csv"
    with manifest.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "page_url", "captured_at", "published"])
        writer.writerow([SEED_FILES[1], "https://www.wfae.org/2021-08-08/taliban", "2021-08-09T10:30:00Z", ""])
        writer.writerow([SEED_FILES[2], "https://example.org/kunduz", "2021-08-10", "2021-08-08T09:00:00-04:00"])
        writer.writerow(["missing.txt", "https://example.org/missing", "", ""])  # line 4
        writer.writerow([SEED_FILES[0], "", "yesterday", ""])  # line 5
        writer.writerow(["", "", "", ""])  # blank: skipped
        writer.writerow(["", "", "2021-08-10", ""])  # line 7: neither path nor url
        writer.writerow([SEED_FILES[4]])  # short rows are fine: the rest are empty
    result = run("add", "--manifest", str(manifest), "--json")
    assert result.exit_code == ExitCode.FAILED
    records = [json.loads(line) for line in result.stdout.splitlines()]
    errors = {r["path"]: r["error"] for r in records if r["status"] == "error"}
    assert errors == {
        f"{manifest}:4": "missing.txt: no such file",
        f"{manifest}:5": "captured_at 'yesterday' is not an ISO 8601 date or time",
        f"{manifest}:7": "neither path nor url given",
    }
    new = {Path(r["path"]).name: r["id"] for r in records if r["status"] == "new"}
    assert set(new) == {SEED_FILES[1], SEED_FILES[2], SEED_FILES[4]}
    wfae = run.json("show", str(new[SEED_FILES[1]]))
    assert wfae["url"] == "https://www.wfae.org/2021-08-08/taliban"  # type: ignore[index]
    assert wfae["captured_at"] == "2021-08-09T10:30:00+00:00"  # type: ignore[index]
    assert wfae["published"][:10] == "2021-08-08"  # type: ignore[index]  # the page's own
    station = run.json("show", "https://example.org/kunduz")
    assert station["id"] == new[SEED_FILES[2]]  # type: ignore[index]  # found by the URL the manifest gave
    assert station["captured_at"] == "2021-08-10T00:00:00+00:00"  # type: ignore[index]
    assert station["published"] == "2021-08-08T09:00:00-04:00"  # type: ignore[index]
    assert "manifest.csv:4: missing.txt: no such file" in run("add", "--manifest", str(manifest)).stderr


def test_a_json_lines_manifest_fetches_urls_and_fails_bad_lines_alone(
    run: Run, tmp_path: Path, server: str
) -> None:
    folder = seeds_here(tmp_path)
    manifest = folder / "manifest.jsonl"
    rows = [
        {"path": str(folder / SEED_FILES[0]), "page_url": "https://example.org/spun", "captured_at": "2021-08-09"},
        {"url": f"{server}/story", "page_url": "https://washingtonnewsday.com/blitz"},
        "{not json",
        {"url": f"{server}/gone"},
        {"path": 7},
    ]
    manifest.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    result = run("add", "--manifest", str(manifest), "--allow-private", "--json")
    assert result.exit_code == ExitCode.FAILED
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in records] == ["new", "new", "error", "error", "error"]
    assert records[2]["path"] == f"{manifest}:3" and "not a JSON object" in records[2]["error"]
    assert records[3]["path"] == f"{manifest}:4" and records[3]["error"] == f"{server}/gone: HTTP 404 Not Found"
    assert records[4]["error"] == "path must be a string, not int"
    fetched = run.json("show", str(records[1]["id"]))
    assert fetched["url"] == "https://washingtonnewsday.com/blitz"  # type: ignore[index]
    again = run("add", "--manifest", str(manifest), "--allow-private", "--json")  # resumable: known bytes
    assert [json.loads(line)["status"] for line in again.stdout.splitlines()][:2] == ["duplicate", "duplicate"]


def test_a_manifest_that_cannot_be_read_adds_nothing(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("file,when\na.txt,2021-08-08\n")
    result = run("add", str(SEEDS / SEED_FILES[0]), "--manifest", str(bad))
    assert result.exit_code == ExitCode.USAGE and "neither path nor url" in result.stderr
    missing = run("add", "--manifest", str(tmp_path / "nope.csv"))
    assert missing.exit_code == ExitCode.USAGE and "cannot read manifest" in missing.stderr
    if "://" not in str(run.db):  # nothing was added, so no archive was made (only `add` makes one)
        assert not Path(run.db).exists()
    else:
        assert run.json("db", "status")["captures"] == 0  # type: ignore[index]
