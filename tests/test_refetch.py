"""`archive refetch`: a local server whose page changes between fetches gives one revision and one re-capture,
with the safety rules, exit codes and output of `archive add`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import SEEDS, Run

from archiver.errors import ExitCode

STORY = (SEEDS / "001_0231a191aae85b60.txt").read_bytes()


class Site:
    """A page served on 127.0.0.1 whose bytes the test changes between fetches."""

    def __init__(self) -> None:
        self.body = STORY
        self.status = 200
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/kunduz"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                self.send_response(site.status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(site.body)))
                self.end_headers()
                self.wfile.write(site.body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    thread = threading.Thread(target=s.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield s
    finally:
        s.server.shutdown()
        s.server.server_close()


def lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_a_changed_page_is_a_revision_and_an_unchanged_one_a_recapture(run: Run, site: Site) -> None:
    added = run("add", site.url, "--allow-private", "--json")
    assert added.exit_code == 0, added.stderr
    first = lines(added.stdout)[0]
    assert first["status"] == "new"

    site.body = STORY.replace(b"Kunduz is considered", b"Kunduz is widely considered")
    changed = run("refetch", "--all", "--allow-private", "--json")
    assert changed.exit_code == 0, changed.stderr
    [revision] = lines(changed.stdout)
    assert revision["status"] == "version" and revision["version"] == 2 and revision["url"] == site.url
    assert (revision["words_added"], revision["words_removed"]) == (1, 0)
    assert revision["id"] != first["id"]

    site.body += b"\n\n"  # other bytes, the same clean text
    same = run("refetch", site.url, "--allow-private")
    assert same.exit_code == 0, same.stderr
    assert same.stdout.startswith(f"recapture  #{revision['id']}  {site.url}  v2 unchanged  [re-capture #")
    assert "1 page refetched: 0 new version, 1 re-capture, 0 unchanged, 0 new page, 0 failed" in same.stderr

    again = run("refetch", "--all", "--allow-private", "--json")  # the very same bytes: nothing to record
    assert [r["status"] for r in lines(again.stdout)] == ["unchanged"]

    history = run.json("history", site.url)
    assert history["captures"] == 3
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert [len(v["captures"]) for v in history["versions"]] == [1, 2]
    assert history["versions"][1]["words_added"] == 1
    assert [c["same_text"] for c in history["versions"][1]["captures"]] == [True, True]


def test_older_than_skips_pages_captured_since(run: Run, site: Site) -> None:
    assert run("add", site.url, "--allow-private").exit_code == 0
    site.body = STORY.replace(b"Kunduz is considered", b"Kunduz is widely considered")
    skipped = run("refetch", "--all", "--older-than", "1d", "--allow-private", "--json")
    assert skipped.exit_code == 0 and skipped.stdout == ""
    quiet = run("refetch", "--all", "--older-than", "0s", "--allow-private", "--quiet")
    assert quiet.exit_code == 0 and quiet.stdout == ""
    assert "1 page refetched: 1 new version" in quiet.stderr
    bad = run("refetch", "--all", "--older-than", "yesterday")
    assert bad.exit_code == ExitCode.USAGE and "not an age" in bad.stderr


def test_same_safety_rules_and_exit_codes_as_add(run: Run, site: Site) -> None:
    assert run("add", site.url, "--allow-private").exit_code == 0
    refused = run("refetch", "--all", "--json")  # a loopback address without --allow-private
    assert refused.exit_code == ExitCode.FAILED
    [record] = lines(refused.stdout)
    assert record["status"] == "error" and "refused" in record["error"] and "loopback" in record["error"]
    assert "0 failed" not in refused.stderr and "1 failed" in refused.stderr
    site.status = 404
    gone = run("refetch", site.url, "--allow-private")
    assert gone.exit_code == ExitCode.FAILED and "HTTP 404" in gone.stderr
    missing = run("refetch", "https://example.org/never-archived")
    assert missing.exit_code == ExitCode.NOT_FOUND and "no archived page" in missing.stderr
    assert run("refetch").exit_code == ExitCode.USAGE
    assert run("refetch", "--all", site.url).exit_code == ExitCode.USAGE
    assert run.json("history", site.url)["captures"] == 1
