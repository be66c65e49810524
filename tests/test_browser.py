"""The web view in a real headless Chromium (Debian's, over the DevTools protocol): the real `archive serve` on
a seeded archive, on each backend. Search, a capture, the NPR family graph, compare and a diff each render
what they should where a reader sees it, report no error to the console, and are saved as screenshots."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import IN_CI, SEED_FILES

pytest.importorskip("starlette", reason="the web extra (archive-news[web]) is not installed")
pytest.importorskip("websocket", reason="websocket-client (the test extra) is not installed")
from chromium import CHROMIUM, Browser  # noqa: E402
from test_web import NPR, seeded, served  # noqa: E402, F401, F811 - fixtures: the seeded archive, `archive serve`


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = "chromium is not installed (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    b = Browser(tmp_path / "profile")
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def shots(tmp_path: Path, report) -> Iterator[list[Path]]:  # type: ignore[no-untyped-def]
    """Screenshots taken by the test, listed in the run's summary (and kept under pytest's tmp dir, or
    $ARCHIVE_TEST_ARTIFACTS)."""
    taken: list[Path] = []
    yield taken
    for path in taken:
        report(f"screenshot {path}")


def look(browser: Browser, url: str, name: str, folder: Path, shots: list[Path]) -> None:
    """Open a page, save its screenshot, and check it reported no error."""
    browser.open(url)
    folder.mkdir(parents=True, exist_ok=True)
    shot = browser.screenshot(folder / f"{name}.png")
    shots.append(shot)
    print(f"screenshot of {url}: {shot}")
    assert shot.stat().st_size > 10_000
    assert browser.errors() == [], f"{url} reported errors"
    assert browser.evaluate("document.scripts.length") == 0  # nothing needs a script to show


VISIBLE = """(sel) => [...document.querySelectorAll(sel)].filter(e => {
  const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && +s.opacity > 0;
})"""


def visible(browser: Browser, selector: str, expression: str = "e => e.textContent") -> list:
    """What `expression` gives for each element matching `selector` that takes up room on the page."""
    return browser.evaluate(f"({VISIBLE})({selector!r}).map({expression})")  # type: ignore[no-any-return]


def test_a_reader_sees_every_page(browser: Browser, served: str, seeded: dict[str, int], tmp_path: Path,  # noqa: F811
                                  shots: list[Path]) -> None:
    folder = Path(os.environ.get("ARCHIVE_TEST_ARTIFACTS", tmp_path / "screenshots"))
    npr = {seeded[f] for f in NPR}
    spun, wfae = seeded[SEED_FILES[0]], seeded[SEED_FILES[1]]

    look(browser, f"{served}/search?q=Taliban+provincial", "search", folder, shots)
    stories = visible(browser, "li.story", "e => ({text: e.textContent, links: [...e.querySelectorAll('a')]"
                                           ".map(a => a.getAttribute('href'))})")
    npr_rows = [s for s in stories if {f"/capture/{i}" for i in npr} & set(s["links"])]
    assert len(npr_rows) == 1 and "3 copies" in npr_rows[0]["text"], stories  # one row for the story

    look(browser, f"{served}/capture/{wfae}", "capture", folder, shots)
    assert visible(browser, "h1")[0].startswith(f"#{wfae}")
    paragraphs = visible(browser, "article.text p")
    assert len(paragraphs) > 5 and any("Kunduz" in p for p in paragraphs)
    assert visible(browser, "table.meta th")  # the metadata table
    assert len(visible(browser, "svg.lineage a.node")) == 3  # its family, drawn

    look(browser, f"{served}/family/{spun}", "family", folder, shots)
    nodes = visible(browser, "svg.lineage a.node",
                    "e => ({id: +e.dataset.id, cls: e.getAttribute('class'), y: e.getBoundingClientRect().top,"
                    " text: e.textContent})")
    assert {n["id"] for n in nodes} == npr  # all 3 members, drawn where they can be seen
    [origin] = [n for n in nodes if "origin" in n["cls"].split()]
    assert origin["y"] < min(n["y"] for n in nodes if n is not origin)  # the origin on top
    edges = visible(browser, "svg.lineage g.edge",
                    "e => ({parent: +e.dataset.parent, child: +e.dataset.child, label: e.querySelector('text')"
                    ".textContent})")
    assert len(edges) == 2 and {e["child"] for e in edges} | {origin["id"]} == npr
    labels = sorted(e["label"].split()[0] for e in edges)
    assert labels == ["identical", "rewrite"], labels
    assert visible(browser, "strong.publisher") == ["NPR"]  # the NPR origin, named on the page
    assert len(visible(browser, "ul.evidence > li")) == 2  # each edge's evidence listed

    look(browser, f"{served}/compare?a={wfae}&b={spun}", "compare", folder, shots)
    assert len(visible(browser, "section.side")) == 2
    assert len(visible(browser, "mark.shared")) > 0

    look(browser, f"{served}/diff?a={wfae}&b={spun}", "diff", folder, shots)
    assert visible(browser, "div.diff ins") and visible(browser, "div.diff del")
    assert len(shots) == 5
