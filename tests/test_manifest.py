"""`archive add --manifest FILE`: local files and URLs with their page URLs and times, one process; a bad row
fails alone, named by its line."""

from __future__ import annotations

import csv
import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from archive_state import dump, without_added_at
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


def copies_on_one_site(folder: Path, stories: int, copies: int) -> list[tuple[Path, str, str]]:
    """`benchmarks/manifest_add.py`'s corpus in small: stories of one site sharing a footer, each added again
    and again, every copy byte-distinct (a trailing line of spaces), with its own URL and capture time;
    (file, page URL, capture time) in the order added, the stories taking turns."""
    from template_stories import story_page

    folder.mkdir()
    out = []
    for k in range(stories * copies):
        n, copy = k % stories, k // stories
        page = folder / f"page{k:03d}.txt"
        page.write_bytes(story_page(n).encode() + b" " * (copy + 1) + b"\n")
        when = 1_704_067_200 + 60 * k  # 2024-01-01, a minute apart
        os.utime(page, (when, when))
        out.append((page, f"https://courier.example/story{n}/{copy}", datetime.fromtimestamp(when, UTC).isoformat()))
    return out


def archive_rows(run: Run) -> tuple[set[tuple], set[tuple]]:
    """What an archive holds, by the captures' bytes (ids depend on the add order): each capture's URL, time,
    text, site-template chrome and page version; each lineage edge (child, parent, relation)."""
    captures = run.sql(
        "SELECT c.blob_sha256, c.url, c.captured_at, t.sha256, c.version, "
        "(SELECT COUNT(*) FROM chrome h WHERE h.capture_id = c.id AND h.reason = 'site-template') "
        "FROM capture c JOIN text t ON t.id = c.text_id"
    )
    edges = run.sql(
        "SELECT c.blob_sha256, p.blob_sha256, e.relation FROM lineage_edge e "
        "JOIN capture c ON c.id = e.child_id JOIN capture p ON p.id = e.parent_id"
    )
    return set(captures), set(edges)


def test_a_manifest_makes_the_archive_one_add_per_file_makes_in_any_order(new_db_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 22's acceptance in small: many copies of a few stories on one site in one `add --manifest`, the
    same archive as one `archive add FILE --url URL` per file, and as the manifest's rows reversed.

    6 stories x 6 copies: the footer reaches the site's template at the fourth story (earlier captures are
    re-cleaned within the batch), copies take their counts from a twin the batch stored, and the later copies
    find the footer held by more captures than one page of holders (`site_templates.HOLDERS_FIRST_PAGE`)."""
    from archiver.pipeline.site_templates import HOLDERS_FIRST_PAGE

    pages = copies_on_one_site(tmp_path / "pages", stories=6, copies=6)
    assert len(pages) - 1 > HOLDERS_FIRST_PAGE
    archives = {}
    for name, rows in (("manifest", pages), ("reversed", pages[::-1])):
        manifest = tmp_path / f"{name}.csv"
        with manifest.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["path", "page_url", "captured_at"])
            writer.writerows([str(page), url, when] for page, url, when in rows)
        run = Run(new_db_factory(f"{name}.db"))
        result = run("add", "--manifest", str(manifest), "--jobs", "1", "--quiet")
        assert result.exit_code == 0, result.stderr
        archives[name] = run
    single = Run(new_db_factory("single.db"))
    for page, url, _ in pages:  # the capture time is the file's modification time
        result = single("add", str(page), "--url", url, "--jobs", "1", "--quiet")
        assert result.exit_code == 0, result.stderr
    texts_without_footer = single.sql(
        "SELECT COUNT(*) FROM capture c JOIN text t ON t.id = c.text_id WHERE t.body NOT LIKE '%valley since 1921%'"
    )
    assert texts_without_footer == [(len(pages),)]  # every capture lost it, the first ones by a re-clean
    assert without_added_at(dump(archives["manifest"])) == without_added_at(dump(single))  # row for row
    assert archive_rows(archives["reversed"]) == archive_rows(single)
