"""Ingest at scale: URLs from a local server, WARC files written here, directories, --glob, --from-file,
--jobs N against --jobs 1, resuming an interrupted batch, progress only on a terminal, URL safety."""

from __future__ import annotations

import gzip
import io
import json
import os
import pty
import select
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import SEEDS, Run, archive_command, run_process

from archiver.pipeline import add as pipeline
from archiver.sources import fetch
from archiver.sources.fetch import FetchPolicy, RefusedURL, fetch_address_refusal, fetch_check_url

PAGES = sorted((Path(__file__).parent / "pages").glob("*.html.gz"))
HTML = [gzip.decompress(p.read_bytes()) for p in PAGES]
SLOW_S = 3.0  # the slow handler's delay: well above the 0.5 s --timeout the test passes


class Handler(BaseHTTPRequestHandler):
    """Pages, redirects, a 404, a huge response, a slow one; remembers the User-Agent it saw."""

    seen_agents: list[str] = []
    other_host = "127.0.0.2"

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, code: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", headers.pop("length", str(len(body))))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        Handler.seen_agents.append(self.headers.get("User-Agent", ""))
        port = self.server.server_address[1]
        if self.path.startswith("/page/"):
            n = int(self.path.split("/")[2].split(".")[0])
            self._send(200, HTML[n])
        elif self.path == "/redirect":
            self._send(302, Location="/hop")
        elif self.path == "/hop":
            self._send(301, Location=f"http://127.0.0.1:{port}/page/1.html")
        elif self.path == "/to-private":
            self._send(302, Location=f"http://{self.other_host}:{port}/page/0.html")
        elif self.path == "/to-metadata":
            self._send(302, Location="http://169.254.169.254/latest/meta-data/")
        elif self.path == "/to-file":
            self._send(302, Location="ftp://example.org/secret.html")
        elif self.path == "/huge-declared":
            self._send(200, b"<html>", length=str(60 * 1024 * 1024))
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()  # no Content-Length: the body runs until the connection closes
            chunk = b"<p>" + b"x" * (1024 * 1024) + b"</p>"
            try:
                for _ in range(52):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
        elif self.path == "/slow":
            time.sleep(SLOW_S)
            self._send(200, HTML[0])
        else:
            self._send(404, b"not here")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A local HTTP server on 127.0.0.1 for the test's pages; yields its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def statuses(records: list[dict]) -> list[str]:
    return [r["status"] for r in records]


def pages_dir(tmp_path: Path, copies: int = 1) -> Path:
    """The 4 test pages (and byte-distinct copies of them) and the 5 seeds in one folder."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for n, html in enumerate(HTML):
        for c in range(copies):
            (folder / f"page{n}-{c:02d}.html").write_bytes(html + (f"\n<!-- copy {c} -->".encode() if c else b""))
    for seed in sorted(SEEDS.glob("*.txt")):
        (folder / seed.name).write_bytes(seed.read_bytes())
    return folder


# --- URL safety ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address, refused",
    [
        ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.10", "private"),
        ("172.16.5.4", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
        ("fc00::1", "private"), ("::ffff:127.0.0.1", "loopback"), ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "non-public"), ("224.0.0.1", "multicast"),
        ("8.8.8.8", None), ("93.184.215.14", None), ("2001:4860:4860::8888", None),
    ],
)
def test_address_refusal(address: str, refused: str | None) -> None:
    assert fetch_address_refusal(address) == refused


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x.html", "gopher://example.org/"])
def test_non_http_schemes_are_refused(url: str) -> None:
    with pytest.raises(RefusedURL, match="only http and https"):
        fetch_check_url(url, FetchPolicy())


def test_loopback_url_is_refused_without_allow_private(run: Run, server: str) -> None:
    for url in (f"{server}/page/0.html", server.replace("127.0.0.1", "localhost") + "/page/0.html"):
        result = run("add", url)
        assert result.exit_code == 1
        assert "refused" in result.stderr and "loopback address" in result.stderr, result.stderr
        assert "0 new" in result.stderr and "1 failed" in result.stderr


def test_file_url_is_refused_on_the_command_line(run: Run) -> None:
    code, records = run.add_json("file:///etc/passwd", "--allow-private")
    assert code == 1 and records[0]["status"] == "error" and "only http and https" in records[0]["error"]


@pytest.fixture
def only_local_server_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat 127.0.0.1 (the test server) as public so a redirect away from it meets the real rule."""
    real = fetch.fetch_address_refusal
    monkeypatch.setattr(fetch, "fetch_address_refusal", lambda a: None if a == "127.0.0.1" else real(a))


@pytest.mark.parametrize(
    "path, target, reason",
    [("/to-private", "127.0.0.2", "loopback"), ("/to-metadata", "169.254.169.254", "link-local"),
     ("/to-file", "ftp://", "only http and https")],
)
def test_redirect_to_a_refused_address_is_refused(
    run: Run, server: str, only_local_server_public: None, path: str, target: str, reason: str
) -> None:
    code, records = run.add_json(server + path)  # no --allow-private: the first hop is allowed, the second not
    assert code == 1
    assert records[0]["status"] == "error"
    assert "redirect from" in records[0]["error"] and target in records[0]["error"], records[0]
    assert reason in records[0]["error"]


def test_allowed_url_passes_the_patched_rule(run: Run, server: str, only_local_server_public: None) -> None:
    code, records = run.add_json(server + "/redirect")
    assert code == 0 and statuses(records) == ["new"]


# --- fetching --------------------------------------------------------------------------------------


def test_urls_fetch_with_redirects_recorded_and_failures_listed(run: Run, server: str) -> None:
    urls = [f"{server}/page/0.html", f"{server}/redirect", f"{server}/missing", f"{server}/huge-declared",
            f"{server}/huge"]
    Handler.seen_agents.clear()
    code, records = run.add_json(*urls, "--allow-private")
    assert code == 1
    assert statuses(records) == ["new", "new", "error", "error", "error"]
    assert records[0]["url"] == f"{server}/page/0.html"
    assert records[1]["url"] == f"{server}/page/1.html" and records[1]["redirected_from"] == f"{server}/redirect"
    assert records[2]["error"] == "HTTP 404 Not Found"
    assert "larger than 50 MB" in records[3]["error"] and "larger than 50 MB" in records[4]["error"]
    assert Handler.seen_agents and all(a.startswith("archive-news/") for a in Handler.seen_agents)
    shown = run.json("show", str(records[1]["id"]))
    assert shown["url"] == f"{server}/page/1.html" and len(shown["text"]) > 200  # type: ignore[index]
    human = run("add", *urls[:3], "--allow-private")
    assert human.exit_code == 1
    assert f"failed (1):\n  {server}/missing: HTTP 404 Not Found" in human.stderr


def test_slow_url_times_out(run: Run, server: str) -> None:
    started = time.monotonic()
    code, records = run.add_json(f"{server}/slow", "--allow-private", "--timeout", "0.5")
    assert code == 1 and records[0]["error"] == "timed out after 0.5 s"
    assert time.monotonic() - started < SLOW_S


# --- WARC ------------------------------------------------------------------------------------------


def write_warc(path: Path, gz: bool, damage: bool = False) -> None:
    """A WARC with two HTML responses, a request, an image, a redirect and (optionally) trailing damage."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=gz)

        def response(uri: str, body: bytes, ctype: str, status: str = "200 OK", date: str = "2021-08-08T12:00:00Z"):
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=headers,
                warc_headers_dict={"WARC-Date": date}))

        response("https://example.org/a.html", HTML[0], "text/html; charset=utf-8")
        writer.write_record(writer.create_warc_record("https://example.org/a.html", "request",
                                                      payload=io.BytesIO(b"GET /a.html HTTP/1.1\r\n\r\n")))
        response("https://example.org/logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
        response("https://example.org/old", b"moved", "text/html", status="301 Moved Permanently")
        response("https://example.org/b.html", HTML[2], "text/html", date="2021-08-09T08:30:00Z")
    if damage:
        with path.open("ab") as f:
            f.write(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: banana\r\n\r\n" + b"\xff" * 100)


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_warc_html_responses_become_captures(run: Run, tmp_path: Path, gz: bool) -> None:
    warc = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    write_warc(warc, gz)
    code, records = run.add_json(str(warc))
    assert code == 0, records
    assert [(r["status"], r["url"]) for r in records] == [
        ("new", "https://example.org/a.html"), ("new", "https://example.org/b.html")]
    shown = run.json("show", str(records[1]["id"]))
    assert shown["captured_at"].startswith("2021-08-09T08:30")  # type: ignore[index]
    assert shown["path"] == f"{warc}#https://example.org/b.html"  # type: ignore[index]
    again = run.add_json(str(warc))
    assert statuses(again[1]) == ["duplicate", "duplicate"]


def test_damaged_warc_record_fails_alone(run: Run, tmp_path: Path) -> None:
    warc = tmp_path / "damaged.warc"
    write_warc(warc, gz=False, damage=True)  # a last record with a broken header and garbage content
    code, records = run.add_json(str(warc))
    assert code == 1
    assert statuses(records) == ["new", "new", "error"]
    assert records[2]["path"].startswith(f"{warc}#")


def test_damaged_gzip_member_fails_its_record_not_silently(run: Run, tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    warc = tmp_path / "damaged.warc.gz"
    write_warc(warc, gz=True)
    with warc.open("rb") as f:
        records = ArchiveIterator(f)
        last = [records.offset for r in records if r.rec_type == "response"][-1]
    data = bytearray(warc.read_bytes())
    middle = (last + len(data)) // 2
    data[middle : middle + 8] = b"\x00" * 8  # inside the compressed HTML of the last page
    warc.write_bytes(bytes(data))
    code, records = run.add_json(str(warc))
    assert code == 1
    assert statuses(records) == ["new", "error"]
    assert records[1]["path"] == f"{warc}#https://example.org/b.html"
    assert "bad gzip data" in records[1]["error"]


# --- directories, --glob, --from-file --------------------------------------------------------------


def test_glob_filters_directory_files(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "site"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.html").write_bytes(HTML[0])
    (folder / "sub" / "c.htm").write_bytes(HTML[1])
    (folder / ".hidden.html").write_bytes(HTML[2])
    (folder / "seed.txt").write_bytes(next(SEEDS.glob("*.txt")).read_bytes())
    code, records = run.add_json(str(folder), "--glob", "*.html", "--glob", "sub/*")
    assert code == 0
    assert [Path(r["path"]).name for r in records] == ["a.html", "c.htm"]


def test_from_file_reads_inputs_from_stdin(run: Run, tmp_path: Path) -> None:
    seeds = sorted(SEEDS.glob("*.txt"))
    listing = f"# inputs\n{seeds[0]}\n\n{seeds[1]}\n{tmp_path / 'missing.html'}\n"
    result = run("add", "--json", "--from-file", "-", str(seeds[2]), input=listing)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1
    assert [Path(r["path"]).name for r in records] == [seeds[2].name, seeds[0].name, seeds[1].name, "missing.html"]
    assert statuses(records) == ["new", "new", "new", "error"]


def test_from_file_and_stdin_input_conflict(run: Run) -> None:
    result = run("add", "--from-file", "-", "-", input="x\n")
    assert result.exit_code == 2


# --- parallel == serial ----------------------------------------------------------------------------


def archive_state(run: Run, records: list[dict]) -> dict[str, tuple]:
    """Per input file: its clean text, title, and lineage parent (by file name) and relation."""
    by_id = {r["id"]: Path(r["path"]).name for r in records}
    state = {}
    for r in records:
        shown = run.json("show", str(r["id"]))
        parent = shown["parent"] or {}  # type: ignore[index]
        state[Path(r["path"]).name] = (shown["text"], shown["title"], shown["sha256"],  # type: ignore[index]
                                       by_id.get(parent.get("id")), parent.get("relation"))
    return state


def test_jobs_2_gives_the_same_archive_as_jobs_1(tmp_path: Path) -> None:
    folder = pages_dir(tmp_path, copies=2)
    serial, parallel = Run(tmp_path / "serial.db"), Run(tmp_path / "parallel.db")
    code1, rec1 = serial.add_json(str(folder), "--jobs", "1")
    code2, rec2 = parallel.add_json(str(folder), "--jobs", "2")
    assert code1 == code2 == 0
    assert [(r["path"], r["status"], r["id"], r.get("parent"), r.get("relation")) for r in rec1] == [
        (r["path"], r["status"], r["id"], r.get("parent"), r.get("relation")) for r in rec2]
    assert archive_state(serial, rec1) == archive_state(parallel, rec2)
    fam1 = serial("lineage", "--all", "--json").stdout
    fam2 = parallel("lineage", "--all", "--json").stdout
    assert fam1 == fam2 and fam1.count("\n") >= 3


def test_a_page_that_fails_in_a_worker_fails_alone(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a.html").write_bytes(HTML[0])
    (folder / "b.html").write_bytes(b"<html><body><nav>Home</nav></body></html>")
    (folder / "c.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (folder / "d.html").write_bytes(HTML[1])
    code, records = run.add_json(str(folder), "--jobs", "2")
    assert code == 1
    assert statuses(records) == ["new", "error", "skipped", "new"]  # an image in a folder is no page: skipped
    assert records[1]["error"] == "no article text found" and "binary" in records[2]["reason"]


# --- resuming --------------------------------------------------------------------------------------


def test_interrupted_batch_rerun_adds_only_the_missing(tmp_path: Path) -> None:
    folder = pages_dir(tmp_path, copies=5)  # 25 inputs
    total = len(list(folder.iterdir()))
    db = tmp_path / "resume.db"
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_DB", "ARCHIVE_PUBLISHERS")}
    env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(archive_command() + ["add", "--json", "--jobs", "1", "--db", str(db), str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    first = [json.loads(proc.stdout.readline()) for _ in range(2)]
    proc.send_signal(signal.SIGKILL)  # no chance to clean up: the worst interruption
    proc.wait(timeout=60)
    first += [json.loads(line) for line in proc.stdout.read().splitlines() if line.strip()]
    # a result is printed once its capture is committed; the kill may come between the two
    kept = json.loads(run_process(["db", "status", "--json", "--db", str(db)]).stdout)["captures"]
    assert 0 < len(first) <= kept < total
    rerun = run_process(["add", "--json", "--db", str(db), str(folder)])
    records = [json.loads(line) for line in rerun.stdout.splitlines()]
    assert rerun.returncode == 0, rerun.stderr
    done = {r["path"] for r in first}
    assert len(records) == total
    assert {r["path"] for r in records if r["status"] == "duplicate"} >= done
    assert all(r["status"] != "error" for r in records)
    # copies of one canonical page are re-captures (reported "duplicate" with their own "recapture" id)
    added = [r for r in records if r["status"] in ("new", "version") or "recapture" in r]
    assert not {r["path"] for r in added} & done
    assert len(added) == total - kept
    again = run_process(["add", "--json", "--db", str(db), str(folder)])
    assert {json.loads(line)["status"] for line in again.stdout.splitlines()} == {"duplicate"}
    status = json.loads(run_process(["db", "status", "--json", "--db", str(db)]).stdout)
    assert status["captures"] == total


def test_a_rerun_looks_captures_up_a_few_at_a_time_and_reports_them_in_input_order(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Known, new, repeated and unreadable inputs interleaved: each reported in its place, a known one naming
    the capture that holds its bytes; the archive is asked about them TRIAGE_BATCH at a time."""

    folder = pages_dir(tmp_path, copies=5)  # 25 inputs
    files = sorted(folder.iterdir())
    code, first = run.add_json(*map(str, files[::2]))
    assert code == 0
    id_of = {r["path"]: r.get("recapture", r["id"]) for r in first}
    repeated = folder / f"{files[0].stem}-again{files[0].suffix}"  # a known input's bytes under another name
    repeated.write_bytes(files[0].read_bytes())
    inputs = [*map(str, files), str(folder / "missing.html"), str(repeated)]
    lookups: list[int] = []
    monkeypatch.setattr(pipeline, "TRIAGE_WAIT_S", 60.0)  # however slow this machine reads the files
    real = pipeline.captures_known
    monkeypatch.setattr(pipeline, "captures_known", lambda s, d: lookups.append(len(d)) or real(s, d))
    code, records = run.add_json(*inputs)
    assert code == 1  # the missing file
    assert [r["path"] for r in records] == inputs
    for k, r in enumerate(records[: len(files)]):
        if k % 2 == 0:
            assert r["status"] == "duplicate" and r["id"] == id_of[r["path"]], r
        else:
            assert r["status"] != "error" and r["path"] not in id_of, r
    assert records[-2]["status"] == "error" and "missing.html" in records[-2]["path"]
    again = records[-1]
    assert again["status"] == "duplicate" and again["id"] == id_of[str(files[0])]
    assert len(lookups) == -(-len(inputs) // pipeline.TRIAGE_BATCH), lookups


# --- progress --------------------------------------------------------------------------------------


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    result = run_process(["add", "--db", str(tmp_path / "a.db"), str(SEEDS), "--glob", "*.txt"])
    assert result.returncode == 0
    assert b"\x1b[" not in result.stderr and b"adding" not in result.stderr
    assert result.stderr.decode().strip() == "5 inputs: 5 new, 0 duplicate, 0 version, 0 failed"


def _stderr_on_a_terminal(args: list[str]) -> str:
    master, slave = pty.openpty()
    proc = subprocess.Popen(archive_command() + args, stdout=subprocess.PIPE, stderr=slave,
                            env={**os.environ, "TERM": "xterm", "COLUMNS": "120"})
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            out += data
        elif proc.poll() is not None:
            break
    proc.wait(timeout=120)
    os.close(master)
    return out.decode(errors="replace")


def test_progress_bar_on_a_terminal_and_off_with_quiet(tmp_path: Path) -> None:
    shown = _stderr_on_a_terminal(["add", "--db", str(tmp_path / "a.db"), str(SEEDS), "--glob", "*.txt"])
    assert "adding" in shown and "5 inputs: 5 new" in shown
    quiet = _stderr_on_a_terminal(["add", "--quiet", "--db", str(tmp_path / "b.db"), str(SEEDS), "--glob", "*.txt"])
    assert "adding" not in quiet and "5 inputs: 5 new" in quiet
