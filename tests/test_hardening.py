"""Issue 23: what a hostile-input probe and a new user's first day found, each through the real CLI.

One input never sinks a batch; nothing hangs or pretends; errors say what to do.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import Run, archive_command, run_process

ARTICLE = (
    "<p>The county council voted on Tuesday to repair the bridge on Mill Road, which has been closed "
    "since the spring floods damaged its supports and forced a long detour for school buses.</p>"
    "<p>Engineers told the council that the work would take about four months and cost roughly "
    "two million dollars, most of it covered by a state grant approved last year.</p>"
)


def page(variant: str = "", extra: str = "") -> bytes:
    """A small article page; `variant` makes its text (and bytes) distinct."""
    body = ARTICLE.replace("Tuesday", f"Tuesday {variant}".strip()) + extra
    return (f"<html><head><title>Bridge repair approved</title></head>"
            f"<body><article>{body}</article></body></html>").encode()


def statuses(records: list[dict]) -> list[str]:
    return [r["status"] for r in records]


# --- one input must never sink a batch ----------------------------------------------------------------


def warc_with_a_record_without_uri(path: Path) -> None:
    """Three HTML responses; the middle one has no WARC-Target-URI."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=False)
        for n, uri in enumerate(["https://example.org/a", None, "https://example.org/c"]):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            record = writer.create_warc_record(uri or "https://example.org/b", "response",
                                               payload=io.BytesIO(page(f"v{n}")), http_headers=headers)
            if uri is None:
                record.rec_headers.remove_header("WARC-Target-URI")
            writer.write_record(record)


def test_a_warc_record_without_target_uri_fails_alone_with_its_offset(run: Run, tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc"
    warc_with_a_record_without_uri(warc)
    code, records = run.add_json(str(warc))
    assert code == 1
    assert statuses(records) == ["new", "error", "new"], records
    assert records[1]["path"].startswith(f"{warc}#offset=") and int(records[1]["path"].rsplit("=", 1)[1]) > 0
    assert "WARC-Target-URI" in records[1]["error"]
    assert [r["url"] for r in records if r["status"] == "new"] == ["https://example.org/a", "https://example.org/c"]


def test_a_file_name_that_is_not_utf8_is_added(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_bytes(page("a"))
    odd = os.fsdecode(bytes(folder) + b"/caf\xe9.html")
    Path(odd).write_bytes(page("b"))
    (folder / "z.html").write_bytes(page("z"))
    code, records = run.add_json(str(folder))
    assert code == 0, records
    assert statuses(records) == ["new", "new", "new"]
    assert records[1]["path"] == f"{folder}/caf\\xe9.html"
    again = run.add_json(str(folder))  # a re-run does not stop there either
    assert statuses(again[1]) == ["duplicate"] * 3


def test_a_symlink_loop_in_a_directory_is_reported_and_the_rest_added(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.html").write_bytes(page("a"))
    (folder / "sub" / "b.html").write_bytes(page("b"))
    (folder / "sub" / "up").symlink_to("..")  # a directory loop
    (folder / "self").symlink_to("self")  # a symlink to itself
    (folder / "z.html").write_bytes(page("z"))
    code, records = run.add_json(str(folder))
    assert code == 1
    by_path = {r["path"]: r for r in records}
    assert {p for p, r in by_path.items() if r["status"] == "new"} == {
        f"{folder}/a.html", f"{folder}/sub/b.html", f"{folder}/z.html"}
    assert "symlink loop" in by_path[f"{folder}/self"]["error"]
    assert "symlink loop" in by_path[f"{folder}/sub/up"]["error"]


def test_an_unreadable_subdirectory_is_reported_and_the_rest_added() -> None:
    """As a user who may not read the subdirectory (root reads anything, so run as nobody when root)."""
    folder = Path(tempfile.mkdtemp(prefix="archive-unreadable-"))  # in /tmp, so nobody can reach it
    try:
        (folder / "pages" / "locked").mkdir(parents=True)
        (folder / "pages" / "a.html").write_bytes(page("a"))
        (folder / "pages" / "locked" / "x.html").write_bytes(page("x"))
        (folder / "pages" / "z.html").write_bytes(page("z"))
        os.chmod(folder / "pages" / "locked", 0)
        os.chmod(folder, 0o777)
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.getuid() == 0 else []
        result = subprocess.run(prefix + archive_command() + ["add", "--json", "--db", str(folder / "a.db"),
                                                              str(folder / "pages")],
                                capture_output=True, cwd="/", timeout=300)
        assert b"Traceback" not in result.stderr, result.stderr
        records = [json.loads(line) for line in result.stdout.splitlines()]
        assert result.returncode == 1
        assert [(Path(r["path"]).name, r["status"]) for r in records] == [
            ("a.html", "new"), ("locked", "error"), ("z.html", "new")]
        assert "permission denied" in records[1]["error"]
    finally:
        os.chmod(folder / "pages" / "locked", 0o755)
        shutil.rmtree(folder)


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\ufffe"], ids=["SOH", "ESC", "U+FFFE"])
def test_a_control_character_does_not_sink_the_page(run: Run, tmp_path: Path, char: str) -> None:
    html = tmp_path / "page.html"
    html.write_bytes(page().replace(b"bridge on", f"bridge{char} on".encode()))
    code, records = run.add_json(str(html))
    assert code == 0, records
    shown = run.json("show", str(records[0]["id"]))
    assert "Mill Road" in shown["text"] and "two million dollars" in shown["text"]  # type: ignore[index]


# --- never hang, never pretend ------------------------------------------------------------------------


def test_a_fifo_given_directly_is_refused_without_blocking(run: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "page.html"
    os.mkfifo(fifo)
    other = tmp_path / "other.html"
    other.write_bytes(page())
    result = subprocess.run(archive_command() + ["add", "--json", "--db", str(run.db), str(fifo), str(other)],
                            capture_output=True, timeout=60)  # today's code blocks on the FIFO: fail, not hang
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1
    assert statuses(records) == ["error", "new"]
    assert records[0]["error"] == "not a regular file (FIFO)"


class SlowHandler(BaseHTTPRequestHandler):
    """A server that trickles (a byte a second), cuts bodies short, or compresses despite identity."""

    def log_message(self, *args: object) -> None:
        pass

    def _trickle(self, data: bytes) -> None:
        try:
            for k in range(len(data)):
                self.wfile.write(data[k : k + 1])
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass
        self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802
        body = page(self.path.strip("/"))
        if self.path == "/trickle-body":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self._trickle(body)
        elif self.path == "/trickle-headers":
            self._trickle(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"x" * 100)
        elif self.path == "/short":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body) + 5000))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
        elif self.path in ("/gzip", "/gzip-bomb"):
            data = gzip.compress(body if self.path == "/gzip" else b"<p>" + b"a" * (60 * 1024 * 1024))
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        else:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


@pytest.fixture(scope="module")
def slow_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def add_urls(db: str, *urls: str, timeout: float = 60) -> tuple[int, list[dict], float]:
    """`archive add --json --allow-private URL...` as a user runs it, bounded by `timeout` seconds."""
    started = time.monotonic()
    result = subprocess.run(archive_command() + ["add", "--json", "--allow-private", "--db", db, *urls],
                            capture_output=True, timeout=timeout)
    assert b"Traceback" not in result.stderr, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    return result.returncode, records, time.monotonic() - started


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
def test_timeout_is_a_deadline_per_url(run: Run, slow_server: str, path: str) -> None:
    # a byte a second never trips a per-read timeout of 2 s; the page would take ~400 s to arrive
    code, records, took = add_urls(str(run.db), f"{slow_server}{path}", "--timeout", "2", f"{slow_server}/fine",
                                   timeout=60)
    assert took < 20, took
    assert code == 1
    assert statuses(records) == ["error", "new"]
    assert records[0]["error"] == "timed out after 2 s"


def test_a_response_shorter_than_its_content_length_fails_as_incomplete(run: Run, slow_server: str) -> None:
    code, records, _ = add_urls(str(run.db), f"{slow_server}/short", f"{slow_server}/fine")
    assert code == 1 and statuses(records) == ["error", "new"]
    assert records[0]["error"].startswith("incomplete response"), records[0]
    assert run.json("db", "status")["captures"] == 1  # type: ignore[index]


def test_gzip_despite_identity_is_decoded_within_the_size_limit(run: Run, slow_server: str) -> None:
    code, records, _ = add_urls(str(run.db), f"{slow_server}/gzip", f"{slow_server}/gzip-bomb")
    assert code == 1 and statuses(records) == ["new", "error"], records
    assert "larger than 50 MB" in records[1]["error"]
    shown = run.json("show", str(records[0]["id"]))
    assert "Mill Road" in shown["text"]  # type: ignore[index]


# --- export files as input; damaged blobs -------------------------------------------------------------


def seeded(run: Run, tmp_path: Path, n: int = 3) -> list[dict]:
    folder = tmp_path / "seed-pages"
    folder.mkdir()
    for k in range(n):
        (folder / f"p{k}.html").write_bytes(page(f"p{k}"))
    code, records = run.add_json(str(folder))
    assert code == 0, records
    return records


def test_malformed_export_lines_fail_alone_with_their_line_number(run: Run, tmp_path: Path,
                                                                   new_db_factory: object) -> None:
    seeded(run, tmp_path)
    exported = run("export", "-o", str(tmp_path / "all.jsonl"))
    assert exported.exit_code == 0, exported.stderr
    lines = (tmp_path / "all.jsonl").read_text().splitlines()
    altered = json.loads(lines[2])
    altered["raw_base64"] = base64.b64encode(page("altered")).decode()  # raw bytes that are not the sha256's
    wrong_type = json.loads(lines[1])
    wrong_type["url"] = {"href": "https://example.org/"}
    damaged = [lines[0], "[1, 2]", "null", json.dumps(wrong_type), "[" * 100_000, json.dumps(altered)]
    (tmp_path / "damaged.jsonl").write_text("\n".join(damaged) + "\n")
    other = Run(new_db_factory("other.db"))  # type: ignore[operator]
    code, records = other.add_json(str(tmp_path / "damaged.jsonl"))
    assert code == 1
    assert statuses(records) == ["new", "error", "error", "error", "error", "error"], records
    assert [r["path"] for r in records[1:]] == [f"{tmp_path}/damaged.jsonl#{n}" for n in range(2, 7)]
    assert "sha256 does not match" in records[5]["error"]
    assert other.json("db", "status")["captures"] == 1  # type: ignore[index]


def damage_blob(run: Run, capture_id: int) -> None:
    """Overwrite one capture's stored raw bytes with a zstd frame that does not decode."""
    from sqlalchemy import create_engine, text

    from archiver.config import database_url

    engine = create_engine(database_url(str(run.db)))
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE blob SET data = :d WHERE sha256 = (SELECT blob_sha256 FROM capture "
                              "WHERE id = :i)"),
                         {"d": b"\x28\xb5\x2f\xfd\x00\x00\xff\xff\xff\xff\x00\x11", "i": capture_id})
    finally:
        engine.dispose()


def test_a_damaged_blob_is_reported_by_export_and_reprocess_and_the_rest_done(run: Run, tmp_path: Path) -> None:
    records = seeded(run, tmp_path)
    damage_blob(run, records[1]["id"])
    out = tmp_path / "out.jsonl"
    result = run("export", "-o", str(out))
    assert result.exit_code == 1
    assert f"capture #{records[1]['id']} not exported" in result.stderr and "Traceback" not in result.stderr
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [records[0]["id"], records[2]["id"]]
    result = run("reprocess", "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["recleaned"] == 2 and [f["id"] for f in summary["failed"]] == [records[1]["id"]]
    assert "unreadable" in summary["failed"][0]["error"]


@contextlib.contextmanager
def small_filesystem(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `folder` (needs root); skips the test where mounting is not allowed."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_export_to_a_full_disk_is_a_clear_error_and_leaves_no_truncated_file(run: Run, tmp_path: Path) -> None:
    seeded(run, tmp_path, n=12)  # ~40 KB of export
    with small_filesystem(tmp_path / "disk", "8k") as disk:
        result = run_process(["export", "--db", str(run.db), "-o", str(disk / "out.jsonl")])
        stderr = result.stderr.decode()
        assert result.returncode == 1, stderr
        assert "Traceback" not in stderr and "No space left on device" in stderr
        assert list(disk.iterdir()) == []


# --- errors users can act on --------------------------------------------------------------------------

READ_COMMANDS = [["show", "1"], ["lineage", "1"], ["lineage", "--all"], ["search", "bridge"], ["history", "1"],
                 ["compare", "1", "2"], ["diff", "1"], ["export"], ["db", "status"], ["db", "schema"], ["check"],
                 ["reprocess"]]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_a_read_command_on_a_missing_sqlite_archive_exits_4_and_creates_nothing(
        tmp_path: Path, command: list[str]) -> None:
    typo = tmp_path / "archvie.db"
    result = run_process([*command, "--db", str(typo)], cwd=tmp_path)
    assert result.returncode == 4, result.stderr
    assert f"archive: no archive at {typo}" in result.stderr.decode()
    assert list(tmp_path.iterdir()) == []  # neither the file nor its .lock


BLOCK_PSYCOPG = '''
import sys

class _NoDriver:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("psycopg", "psycopg2", "psycopg_binary"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoDriver())
'''


def test_a_postgresql_url_without_the_driver_exits_4_with_the_pip_hint(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(BLOCK_PSYCOPG)  # as if installed without the [postgres] extra
    for command in (["add", "-"], ["show", "1"], ["db", "status"]):
        result = run_process([*command, "--db", "postgresql://someone@127.0.0.1:5432/news"],
                             env={"PYTHONPATH": str(tmp_path)}, input=page())
        stderr = result.stderr.decode()
        assert result.returncode == 4, stderr
        assert "Traceback" not in stderr
        assert "pip install 'archive-news[postgres]'" in stderr


@pytest.mark.parametrize("args", [
    ["--url", "https://example.org/a", "{a}", "{b}"],  # two stories: the second is not version 2 of the first
    ["--url", "https://example.org/a", "{folder}"],  # was ignored for a directory
    ["--url", "notaurl", "{a}"],  # was stored as the page URL
    ["--url", "ftp://example.org/a", "{a}"],
    ["--url", "https://example.org/a", "--from-file", "{list}"],
], ids=["two-files", "directory", "not-a-url", "ftp", "from-file"])
def test_url_is_a_usage_error_unless_one_file_or_stdin_and_http(run: Run, tmp_path: Path, args: list[str]) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_bytes(page("a"))
    (folder / "b.html").write_bytes(page("b"))
    (tmp_path / "list.txt").write_text(f"{folder}/a.html\n")
    names = {"a": f"{folder}/a.html", "b": f"{folder}/b.html", "folder": str(folder),
             "list": str(tmp_path / "list.txt")}
    result = run("add", *[a.format(**names) for a in args])
    assert result.exit_code == 2, result.output
    assert "--url" in result.stderr
    fine = run("add", "--json", "--url", "https://example.org/a", names["a"])
    assert fine.exit_code == 0 and json.loads(fine.stdout)["url"] == "https://example.org/a"


def test_an_ipv6_page_url_keeps_its_brackets(run: Run, tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(page())
    code, records = run.add_json("--url", "http://[2001:db8::1]:8080/news/a", str(tmp_path / "a.html"))
    assert code == 0
    assert records[0]["page"] == "https://[2001:db8::1]:8080/news/a"


def test_a_single_failure_is_printed_once(run: Run, tmp_path: Path) -> None:
    result = run("add", str(tmp_path / "missing.html"))
    assert result.exit_code == 1
    assert result.stderr.count("missing.html") == 1, result.stderr


@pytest.mark.parametrize("command", [["show", "99999999999999999999"], ["lineage", "99999999999999999999"],
                                     ["history", "99999999999999999999"], ["diff", "99999999999999999999"]],
                         ids=lambda c: c[0])
def test_a_huge_id_is_no_such_capture(run: Run, tmp_path: Path, command: list[str]) -> None:
    seeded(run, tmp_path, n=1)
    result = run(*command)
    assert result.exit_code == 3, result.output
    assert "no capture '99999999999999999999'" in result.stderr and "damaged" not in result.stderr


@pytest.mark.parametrize("limit", ["-1", "0", "99999999999999999999"])
def test_search_limit_is_validated_the_same_on_every_backend(run: Run, tmp_path: Path, limit: str) -> None:
    seeded(run, tmp_path, n=1)
    result = run("search", "bridge", "--limit", limit)
    assert result.exit_code == 2
    assert "--limit" in result.stderr


def test_from_file_in_utf16_is_read_and_a_binary_one_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(page("a"))
    listed = tmp_path / "list16.txt"
    listed.write_bytes(f"# pages\n{tmp_path}/a.html\n".encode("utf-16"))  # with its BOM, as Windows tools write
    code, records = run.add_json("--from-file", str(listed))
    assert code == 0 and statuses(records) == ["new"]
    binary = tmp_path / "list.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00")
    result = run("add", "--from-file", str(binary))
    assert result.exit_code == 2
    assert "is not text" in result.stderr


def test_lineage_dot_is_one_graph_with_real_line_breaks(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    head = '<meta property="og:site_name" content="Café &quot;Daily&quot;">'
    (folder / "a.html").write_bytes(page("a").replace(b"<title>", head.encode() + b"<title>"))
    (folder / "b.html").write_bytes(page("a", "<p>A copy with a credit line added.</p>"))
    other = ("<p>The city library will open on Sundays from next month, the mayor announced, after a survey "
             "found that most residents wanted weekend hours for study and reading groups.</p>"
             "<p>Staff will rotate shifts and two new part-time librarians are being hired this spring.</p>")
    (folder / "c.html").write_bytes(page().replace(ARTICLE.encode(), other.encode()))
    code, records = run.add_json(str(folder))
    assert code == 0
    one = run("lineage", str(records[0]["id"]), "--format", "dot").stdout
    assert "\\\\n" not in one and "\\u00e9" not in one  # no JSON escapes: DOT shows them literally
    assert '\\nCafé \\"Daily\\""' in one  # a DOT line break, the quotes escaped for DOT
    every = run("lineage", "--all", "--format", "dot").stdout
    assert every.count("digraph") == 1 and every.count("subgraph cluster_") >= 2
    assert every.strip().endswith("}") and every.count("{") == every.count("}")


def test_check_json_prints_a_summary_when_the_archive_is_fine(run: Run, tmp_path: Path) -> None:
    seeded(run, tmp_path, n=1)
    result = run("check", "--json")
    assert result.exit_code == 0
    assert [json.loads(line) for line in result.stdout.splitlines()] == [{"verdict": "ok", "errors": 0, "notes": 0}]


def damaged_sqlite_file(tmp_path: Path) -> Path:
    """An archive with every third page after the schema scribbled over (as test_faults does)."""
    db = tmp_path / "damaged.db"
    folder = tmp_path / "pages"
    folder.mkdir()
    for k in range(40):
        (folder / f"p{k}.html").write_bytes(page(f"p{k}", f"<p>Paragraph {k} of extra text " * 20 + "</p>"))
    assert run_process(["add", "-q", "--db", str(db), str(folder)]).returncode == 0
    data = bytearray(db.read_bytes())
    for n in range(2, len(data) // 4096, 3):
        data[n * 4096 + 100 : n * 4096 + 400] = b"\xa5" * 300
    db.write_bytes(bytes(data))
    return db


def test_check_on_a_damaged_file_lists_what_it_can_and_exits_5(tmp_path: Path) -> None:
    db = damaged_sqlite_file(tmp_path)
    result = run_process(["check", "--json", "--db", str(db)])
    assert result.returncode == 5, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[-1]["verdict"] == "problems"
    assert any(p["check"] in ("sqlite-integrity", "sqlite-tables") for p in lines[:-1]), lines
    header = tmp_path / "header.db"  # so damaged it does not open as an archive at all
    data = bytearray(db.read_bytes())
    data[:100] = b"\x00" * 100
    header.write_bytes(bytes(data))
    result = run_process(["check", "--db", str(header)])
    assert result.returncode == 5, result.stderr
    assert "error: open: cannot open as an archive" in result.stdout.decode()


def test_reprocess_is_not_lost_to_an_add_committing_meanwhile(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    for k in range(60):
        (folder / f"p{k}.html").write_bytes(page(f"p{k}", f"<p>Paragraph {k} of extra text " * 30 + "</p>"))
    assert run_process(["add", "-q", "--db", str(run.db), str(folder)]).returncode == 0
    reprocess = subprocess.Popen(archive_command() + ["reprocess", "--db", str(run.db)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    added = []
    for k in range(200):  # adds commit while reprocess reads, until it is done
        extra = tmp_path / f"extra{k}.html"
        extra.write_bytes(page(f"extra{k}"))
        added.append(run_process(["add", "-q", "--db", str(run.db), str(extra)]).returncode)
        if reprocess.poll() is not None:
            break
    _, stderr = reprocess.communicate(timeout=300)
    assert reprocess.returncode == 0, stderr.decode()
    assert set(added) == {0}


def test_the_pre_migration_backup_holds_pages_still_in_the_wal(tmp_path: Path) -> None:
    import gzip
    import sqlite3

    from conftest import ROOT

    db = tmp_path / "old.db"
    db.write_bytes(gzip.decompress((ROOT / "tests" / "data" / "archive-0001.db.gz").read_bytes()))
    con = sqlite3.connect(db)  # an archive in WAL mode, its last commit not yet checkpointed
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    with con:
        con.execute("INSERT INTO blob VALUES ('f' || hex(randomblob(31)), 3, 'none', x'616263')")
    assert (tmp_path / "old.db-wal").stat().st_size > 0
    try:
        result = run_process(["db", "status", "--db", str(db)])  # opening migrates, after a backup
        assert result.returncode == 0, result.stderr
    finally:
        con.close()
    backup = sqlite3.connect(tmp_path / "old.db.bak-0001")
    assert backup.execute("SELECT COUNT(*) FROM blob WHERE compression = 'none'").fetchone()[0] >= 1
    assert backup.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
    assert backup.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_files_in_a_directory_that_are_not_pages_are_skipped_and_counted(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "a.html").write_bytes(page("a"))
    (folder / "manifest.json").write_text('{"pages": ["a.html"], "crawler": "wget"}\n')
    (folder / "pages.jsonl").write_text('{"url": "https://example.org/a"}\n{"url": "https://example.org/b"}\n')
    (folder / "index.csv").write_text("url,title,date\nhttps://example.org/a,Bridge,2021-08-08\n"
                                      "https://example.org/b,Library,2021-08-09\n")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (folder / "notes.txt").write_text("The council met again, and the bridge vote was put off to May.\n\n"
                                      "Residents asked for a footbridge during the repair works.\n")
    code, records = run.add_json(str(folder))
    assert code == 0, records
    assert {Path(r["path"]).name: r["status"] for r in records} == {
        "a.html": "new", "index.csv": "skipped", "logo.png": "skipped", "manifest.json": "skipped",
        "notes.txt": "new", "pages.jsonl": "skipped"}
    assert {Path(r["path"]).name: r.get("reason") for r in records if r["status"] == "skipped"} == {
        "index.csv": "CSV, not a page", "logo.png": "binary file (PNG image), not a page",
        "manifest.json": "JSON, not a page", "pages.jsonl": "JSON, not a page"}
    assert run.json("db", "status")["captures"] == 2  # type: ignore[index]
    human = run("add", str(folder))
    assert "4 skipped (not pages)" in human.stderr


# --- fast to start ------------------------------------------------------------------------------------

STARTUP_PROBE = """
import os, sys
from archiver.cli import main
sys.argv = ["archive", *sys.argv[1:]]
code = 0
try:
    main()
except SystemExit as e:
    code = e.code
watched = os.environ["ARCHIVE_WATCHED_MODULES"].split(",")
print("HEAVY", ",".join(sorted(m for m in watched if m in sys.modules)), file=sys.stderr)
sys.exit(code)
"""

# What a read command on an archive at head never needs (issue 23, benchmarks/startup.py): the cleaners and their
# parsers, the fingerprint and verify libraries, Alembic (the revision is read with plain SQL), the PostgreSQL
# driver on SQLite, the web view, rich's progress bar, table and tree (`show` and `search` print neither), and
# SQLAlchemy's ORM with the models (they read the Core tables on a Core connection; the ORM was 386 M of `show`'s
# 1686 M instructions over bare Python).
NOT_ON_READ = ("sqlalchemy.orm", "archiver.store.models", "alembic", "trafilatura", "lxml", "htmldate", "justext",
               "courlan", "readability",
               "charset_normalizer", "datasketch", "rapidfuzz", "warcio", "numpy", "scipy", "psycopg", "starlette",
               "jinja2", "uvicorn", "rich.progress", "rich.table", "rich.tree", "archiver.pipeline",
               "archiver.fingerprint", "archiver.clean.html", "archiver.clean.text", "archiver.sources.fetch",
               "archiver.lineage.verify", "archiver.lineage.candidates")


def heavy_modules(*args: str, watched: tuple[str, ...] = ("sqlalchemy", "rich", *NOT_ON_READ)) -> list[str]:
    """Which of `watched` the real CLI imported to run `archive ARGS` (read from sys.modules in a subprocess)."""
    env = {**os.environ, "ARCHIVE_WATCHED_MODULES": ",".join(watched)}
    result = subprocess.run([sys.executable, "-c", STARTUP_PROBE, *args], capture_output=True, timeout=120, env=env)
    assert result.returncode == 0 and b"HEAVY " in result.stderr, result.stderr
    found = result.stderr.decode().rsplit("HEAVY ", 1)[1].strip()
    return found.split(",") if found else []


def test_version_and_help_import_nothing_heavy() -> None:
    """`archive --version` and `--help` were 1.2-1.6 s: every stage was imported up front (benchmarks/startup.py)."""
    assert heavy_modules("--version") == []
    assert heavy_modules("--help") == []
    assert heavy_modules("add", "--help") == []


@pytest.mark.parametrize("command", ["show", "show --json", "search", "history"])
def test_read_commands_import_no_stage_they_do_not_use(run: Run, tmp_path: Path, command: str) -> None:
    if not str(run.db).endswith(".db"):
        pytest.skip("the import set is the same on PostgreSQL; the probe runs on SQLite")
    records = seeded(run, tmp_path, n=1)
    name, *flags = command.split()
    args = ["bridge"] if name == "search" else [str(records[0]["id"])]  # exit 0: the capture was found
    assert heavy_modules(name, *args, *flags, "--db", str(run.db), watched=NOT_ON_READ) == []


def test_the_head_read_without_alembic_is_alembics_head() -> None:
    from archiver.store.engine import head_revision, known_head

    assert known_head() == head_revision()
