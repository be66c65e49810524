"""`archive serve`: every page renders, its JSON is the CLI's `--json` document, and a real headless Chromium
loads the seeds' NPR family graph with its edges drawn."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import IN_CI, SEED_FILES, SEEDS, Run, archive_command

from archiver.config import database_url
from archiver.errors import ExitCode
from archiver.store.engine import Archive

pytest.importorskip("starlette", reason="the web extra (archive-news[web]) is not installed")
from starlette.testclient import TestClient  # noqa: E402

from archiver.web.app import create_app  # noqa: E402

NPR = SEED_FILES[:3]  # the spun rewrite and the two station pages of the NPR story
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"


@pytest.fixture
def seeded(run: Run) -> dict[str, int]:
    code, records = run.add_json(*(str(SEEDS / f) for f in SEED_FILES))
    assert code == 0
    return {Path(r["path"]).name: r["id"] for r in records}


@pytest.fixture
def client(run: Run, seeded: dict[str, int]) -> Iterator[TestClient]:
    with Archive(database_url(str(run.db))) as archive:
        yield TestClient(create_app(archive))


def cli_lines(run: Run, *args: str) -> list[object]:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_every_page_as_json_is_the_cli_document(run: Run, seeded: dict[str, int], client: TestClient) -> None:
    wfae, spun = str(seeded[SEED_FILES[1]]), str(seeded[SEED_FILES[0]])
    same = {
        f"/capture/{spun}": ["show", spun],
        f"/family/{spun}": ["lineage", spun],
        f"/history/{wfae}": ["history", wfae],
        f"/compare?a={wfae}&b={spun}": ["compare", wfae, spun],
        f"/diff?a={wfae}&b={spun}": ["diff", wfae, spun],
    }
    for path, args in same.items():
        want = run.json(*args)
        dotted = path.replace("?", ".json?") if "?" in path else path + ".json"
        assert client.get(dotted).json() == want, path
        asked = client.get(path, headers={"Accept": "application/json"})
        assert asked.headers["content-type"] == "application/json" and asked.json() == want, path
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), path
    assert client.get("/search.json?q=Kunduz").json() == cli_lines(run, "search", "Kunduz")
    assert client.get("/index.json").json() == cli_lines(run, "lineage", "--all")


def test_the_family_page_draws_the_npr_graph(seeded: dict[str, int], client: TestClient) -> None:
    spun = seeded[SEED_FILES[0]]
    html = client.get(f"/family/{spun}").text
    npr = {seeded[f] for f in NPR}
    drawn = {int(x.split('"')[0]) for x in html.split('class="node')[1:] for x in [x.split('data-id="')[1]]}
    assert drawn == npr
    assert html.count('<g class="edge') == 2
    assert "origin publisher <strong class=\"publisher\">NPR</strong>" in html
    assert "rewrite 0." in html and "identical 1.00" in html  # edge labels: relation and score
    assert "the same clean text as" in html  # evidence, in the edges' <title> (hover) and listed
    for member in npr:
        assert f'href="/capture/{member}"' in html


def test_search_shows_one_row_per_story_with_its_copies(seeded: dict[str, int], client: TestClient) -> None:
    html = client.get("/search?q=Taliban+provincial").text
    rows = html.split('<li class="story">')[1:]
    npr_rows = [r for r in rows if any(f'href="/capture/{seeded[f]}"' in r for f in NPR)]
    assert len(npr_rows) == 1 and "3 copies" in npr_rows[0]  # the station pages and the spun rewrite: one story
    assert len(rows) == len({r.split('href="/family/')[1].split('"')[0] for r in rows})  # one row a family
    filtered = client.get("/search.json?q=Taliban&site=WFAE").json()
    assert [r["site_name"] for r in filtered] == ["WFAE 90.7"]
    assert client.get("/search.json?q=Taliban&from=2021-08-09").json() == []


def test_errors_are_pages_and_json_with_the_cli_message(client: TestClient) -> None:
    missing = client.get("/capture/999")
    assert missing.status_code == 404 and "no capture &#39;999&#39;" in missing.text
    assert client.get("/capture/999.json").json()["error"] == "no capture '999' in this archive"
    assert client.get("/search.json?q=-only").status_code == 400
    assert client.get("/compare").status_code == 400
    assert client.get("/static/style.css").status_code == 200  # shipped with the package, no CDN


def test_serve_without_the_web_extra_names_it(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn raises ImportError
    result = run("serve")
    assert result.exit_code == ExitCode.FAILED
    assert "needs the web extra" in result.stderr and "pip install 'archive-news[web]'" in result.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(run: Run, seeded: dict[str, int]) -> Iterator[str]:
    """The real `archive serve` in a child process on a free port of 127.0.0.1; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_DB", "ARCHIVE_PUBLISHERS")}
    process = subprocess.Popen(archive_command() + ["serve", "--db", str(run.db), "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/index.json", timeout=2) as r:
                    assert r.status == 200
                break
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_real_browser_loads_the_family_graph(served: str, seeded: dict[str, int], tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        message = "chromium is not installed (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    spun = seeded[SEED_FILES[0]]
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1300,900",
    ]
    url = f"{served}/family/{spun}"
    dom = subprocess.run([*args, "--dump-dom", url], capture_output=True, timeout=120, text=True)
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = dom.stdout
    assert page.count('<g class="edge') == 2  # the browser's DOM: the two edges of the NPR family
    assert page.count('marker-end="url(#arrow)"') == 2 and "rewrite 0." in page and "identical 1.00" in page
    assert all(f'data-id="{seeded[f]}"' in page for f in NPR)
    shot = Path(os.environ.get("ARCHIVE_TEST_ARTIFACTS", tmp_path)) / "family.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    taken = subprocess.run([*args, f"--screenshot={shot}", url], capture_output=True, timeout=120, text=True)
    assert taken.returncode == 0 and shot.stat().st_size > 10_000, taken.stderr[-2000:]



def test_stored_markup_and_script_urls_stay_inert(run: Run, seeded: dict[str, int]) -> None:
    """What a capture holds is the page's to choose: a title with markup, a `javascript:` canonical URL."""
    from sqlalchemy import create_engine, text

    capture = seeded[SEED_FILES[1]]
    engine = create_engine(database_url(str(run.db)))
    with engine.begin() as conn:
        conn.execute(text("UPDATE capture SET title = '<script>alert(1)</script>',"
                          " canonical_url = 'javascript:alert(2)',"
                          " url = 'https://example.org/kunduz' WHERE id = :id"), {"id": capture})
    engine.dispose()
    with Archive(database_url(str(run.db))) as archive:
        client = TestClient(create_app(archive))
        pages = [client.get(p).text for p in (f"/capture/{capture}", f"/family/{capture}", "/search?q=Taliban", "/")]
    for page in pages:
        assert "<script>" not in page and 'href="javascript:' not in page.lower()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="https://example.org/kunduz"' in pages[0]


def test_corrections_show_on_the_capture_and_in_the_graph(run: Run, seeded: dict[str, int]) -> None:
    spun, station = seeded[SEED_FILES[0]], seeded[SEED_FILES[2]]
    assert run("link", str(spun), str(station), "--relation", "copy").exit_code == 0
    with Archive(database_url(str(run.db))) as archive:
        client = TestClient(create_app(archive))
        capture = client.get(f"/capture/{spun}").text
        family = client.get(f"/family/{spun}").text
    assert f"#{spun} is derived from #{station} (copy); set by hand on" in capture
    assert f'data-parent="{station}" data-child="{spun}"' in family and "set by hand on" in family
