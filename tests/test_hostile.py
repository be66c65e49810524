"""Hostile input: arbitrary bytes, text and HTML trees, damaged WARC files, pathological pages.

Property: cleaning raises nothing but InputError (or RecursionError, which add reports as an input
error); reading a WARC file yields captures or failures and never raises; a page that would take too
long or too much memory is cut off by the per-page worker (archiver.guard) and the batch goes on.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SEED_FILES, SEEDS, Run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archiver.clean.html import clean_html
from archiver.clean.text import clean_text
from archiver.errors import ArchiveError, InputError
from archiver.pipeline import guard, workers
from archiver.pipeline import prepare as pipeline
from archiver.pipeline.workers import Work, WorkFailed, prepare_runs
from archiver.sources.inputs import Failed, iter_captures, read_warc
from archiver.types import Capture

# Property tests run on every CI push: enough examples to find crashes in the decoders, few enough to stay
# within ~30 s on the 2-core CI machine; no per-example deadline because that machine is shared.
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WHEN = datetime(2021, 8, 8, tzinfo=UTC)


def capture(raw: bytes, content_type: str | None = None) -> Capture:
    return Capture(raw, "page", None, WHEN, content_type)


def prepare_or_input_error(raw: bytes, content_type: str | None) -> None:
    with contextlib.suppress(ArchiveError, RecursionError):  # add_one reports both as a failed input
        pipeline.prepare(capture(raw, content_type))


CONTENT_TYPES = st.sampled_from([None, "text/html", "text/plain", "text/html; charset=utf-16", "application/pdf",
                                 "text/html; charset=nonsense", "text/plain; charset=latin-1"])


@PROPERTY
@given(st.binary(max_size=4000), CONTENT_TYPES)
def test_arbitrary_bytes_are_cleaned_or_refused(raw: bytes, content_type: str | None) -> None:
    prepare_or_input_error(raw, content_type)


@PROPERTY
@given(st.text(max_size=3000))
def test_arbitrary_text_never_crashes_the_text_cleaner(text: str) -> None:
    with contextlib.suppress(InputError):
        clean_text(text)


@PROPERTY
@given(st.text(max_size=3000))
def test_arbitrary_text_never_crashes_the_html_cleaner(text: str) -> None:
    with contextlib.suppress(InputError):
        clean_html(text)


TAGS = st.sampled_from(["div", "p", "span", "article", "main", "script", "style", "table", "tr", "td", "a",
                        "h1", "nav", "footer", "figure", "figcaption", "ul", "li", "br", "meta", "title", "b"])
WORDS = st.lists(st.sampled_from(["The", "Taliban", "said", "people", "city", "Copyright", "2021", "NPR",
                                  "AP", "—", "©", "\u200b", "&amp;", "<", ">", "\"", "'", "é", "\n", "  "]),
                 max_size=30).map(" ".join)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    attrs = st.lists(st.tuples(st.sampled_from(["class", "id", "property", "content", "href", "name", "x"]),
                               WORDS), max_size=4)

    def render(tag: str, a: list[tuple[str, str]], kids: list[str]) -> str:
        attributes = "".join(f' {k}="{v}"' for k, v in a)
        return f"<{tag}{attributes}>{''.join(kids)}</{tag}>"

    return st.builds(render, TAGS, attrs, st.lists(children, max_size=5))


HTML_TREES = st.recursive(WORDS, _element, max_leaves=60)


@PROPERTY
@given(HTML_TREES, st.booleans())
def test_generated_html_trees_are_cleaned_or_refused(body: str, wrap: bool) -> None:
    page = f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>" if wrap else body
    prepare_or_input_error(page.encode("utf-8"), "text/html")


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("tag", ["div", "b", "table"])
def test_deep_nesting_is_cleaned_or_refused(tag: str, depth: int) -> None:
    page = f"<html><body>{f'<{tag}>' * depth}<p>The Taliban said people fled the city.</p>{f'</{tag}>' * depth}"
    prepare_or_input_error(page.encode(), "text/html")


@pytest.mark.parametrize("kind", ["one-line", "no-spaces", "short-lines"])
def test_huge_lines_finish_in_bounded_time(kind: str) -> None:
    """A 300 KB line, a 300 KB word, 100,000 one-character lines: each cleaned or refused in seconds."""
    words = "The Taliban said people fled the city on Sunday. "
    raw = {
        "one-line": words * 6000,
        "no-spaces": "x" * 300_000,
        "short-lines": "a\n" * 100_000,
    }[kind].encode()
    t0 = time.perf_counter()
    prepare_or_input_error(raw, "text/plain")
    assert time.perf_counter() - t0 < 30  # measured 0.3-1.5 s; generous for a loaded CI machine


# --- the per-page limit ---------------------------------------------------------------------------------


def slow_page(attributes: int) -> bytes:
    """libxml2 checks duplicate attributes quadratically: 40,000 on one tag parse in ~1.6 s."""
    attrs = " ".join(f"a{i}='x'" for i in range(attributes))
    return f"<html><body><p {attrs}>The Taliban said people fled the city.</p></body></html>".encode()


def _prepared(fn: object, captures: list[Capture], **limits: object) -> list[object]:
    """What the worker pool returns for each capture, in order (a WorkFailed for a failed one)."""
    runs = prepare_runs(fn, [Work(c) for c in captures], 1, **limits)  # type: ignore[arg-type]
    return [out for run in runs for _, out in run]


def test_a_page_over_its_deadline_fails_alone_and_the_next_is_cleaned() -> None:
    good = capture((SEEDS / SEED_FILES[1]).read_bytes(), "text/plain")
    t0 = time.perf_counter()
    slow, after = _prepared(pipeline.prepare, [capture(slow_page(60_000), "text/html"), good], deadline=0.5)
    assert time.perf_counter() - t0 < 10
    assert isinstance(slow, WorkFailed) and "longer than 0.5 s" in slow.error
    assert after.article.title  # type: ignore[attr-defined]  # fresh workers took over


def fussy(item: str) -> str:
    """A worker's job that dies on "die", overruns on "slow" and fails on "bad"; otherwise answers."""
    import os

    if item == "die":
        os._exit(1)  # as a crash in C code would
    if item == "slow":
        time.sleep(30)
    if item == "bad":
        raise ValueError("bad item")
    return item.upper()


@pytest.mark.parametrize("jobs", [1, 2])
def test_items_sent_together_fail_alone_and_come_back_in_input_order(jobs: int) -> None:
    """Workers take several items at once (`workers.TASK_ITEMS`): an item that kills its worker, overruns its
    deadline or raises fails alone, and every other item of its task and the rest keeps its own result."""

    assert workers.TASK_ITEMS > 1
    items: list[object] = [f"p{k}" for k in range(14)]
    items[3], items[6], items[9] = "die", "bad", "slow"
    items[4] = "not work"  # passes through in its place
    t0 = time.perf_counter()
    runs = prepare_runs(fussy, [x if x == "not work" else Work(x) for x in items], jobs, deadline=1.0)
    got = [pair for run in runs for pair in run]
    assert time.perf_counter() - t0 < 20  # the slow item is given up on, not waited for
    assert [item if isinstance(item, str) else item.item for item, _ in got] == items
    results = [r.error if isinstance(r, WorkFailed) else r for _, r in got]
    assert results[3] == "worker process died while preparing this input"
    assert results[4] is None and results[6] == "bad item"
    assert isinstance(results[9], str) and "longer than 1 s" in results[9]
    assert all(results[k] == f"P{k}" for k in range(14) if k not in (3, 4, 6, 9))


@pytest.mark.parametrize("jobs", [1, 2])
def test_results_come_in_runs_of_those_already_there_with_failures_in_their_place(jobs: int) -> None:
    """`prepare_runs` hands back each wait's result with the ones after it already there (a task's items
    finish together): joined, the runs are every result in input order, a dead worker's items included."""

    items: list[object] = [f"p{k}" for k in range(23)]
    items[5], items[13] = "die", "bad"
    items[8] = "not work"
    runs = []
    for run in prepare_runs(fussy, [x if x == "not work" else Work(x) for x in items], jobs, deadline=5.0):
        runs.append(run)
        if len(runs) == 1:  # the workers run ahead meanwhile: a later task's worker dies behind finished ones
            time.sleep(1.0)
    assert all(runs) and max(map(len, runs)) > 1
    got = [pair for run in runs for pair in run]
    assert [item if isinstance(item, str) else item.item for item, _ in got] == items
    results = [r.error if isinstance(r, WorkFailed) else r for _, r in got]
    assert results[5] == "worker process died while preparing this input" and results[13] == "bad item"
    assert results[8] is None
    assert all(results[k] == f"P{k}" for k in range(23) if k not in (5, 8, 13))


def greedy(_capture: Capture) -> object:
    return bytearray(2 * 1024**3)  # as a decompression or parser bomb would


def test_a_page_that_exhausts_memory_fails_alone() -> None:
    seed = capture((SEEDS / SEED_FILES[0]).read_bytes(), "text/plain")
    (bomb,) = _prepared(greedy, [capture(b"<p>x</p>")], memory=512 * 1024**2)
    assert isinstance(bomb, WorkFailed) and "memory" in bomb.error
    (ok,) = _prepared(pipeline.prepare, [seed], memory=512 * 1024**2)
    assert ok.article  # type: ignore[attr-defined]


@pytest.mark.parametrize("gone", [False, True])
def test_a_worker_whose_parent_went_before_it_was_set_up_exits(gone: bool) -> None:
    """A worker forked by an `add` that is killed before the worker asks to die with it exits at once."""
    import os


    pid = os.fork()
    if pid == 0:  # the worker: told its parent is `parent`; a different pid means that parent has gone
        parent = os.getppid() + (1 if gone else 0)
        guard.die_with_parent(parent)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == (1 if gone else 0)


def test_add_reports_a_slow_page_and_goes_on(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("archiver.pipeline.guard.CLEAN_DEADLINE_S", 0.5)
    slow = tmp_path / "slow.html"
    slow.write_bytes(slow_page(60_000))
    code, records = run.add_json(str(slow), str(SEEDS / SEED_FILES[1]))
    assert code == 1
    assert records[0]["status"] == "error" and "longer than" in records[0]["error"]
    assert records[1]["status"] == "new"


# --- WARC files -----------------------------------------------------------------------------------------


def warc_bytes(pages: list[bytes], gz: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    for n, page in enumerate(pages):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(f"https://example.org/{n}", "response", payload=io.BytesIO(page),
                                           http_headers=headers)
        writer.write_record(record)
    return out.getvalue()


def read_all(path: Path) -> list[Capture | Failed]:
    return list(iter_captures([str(path)]))


def test_a_valid_warc_is_read(tmp_path: Path) -> None:
    page = b"<html><body><p>The Taliban said people fled the city.</p></body></html>"
    for gz in (False, True):
        path = tmp_path / f"ok.warc{'.gz' if gz else ''}"
        path.write_bytes(warc_bytes([page, page + b" "], gz))
        got = list(read_warc(path))
        assert [c.url for c in got if isinstance(c, Capture)] == ["https://example.org/0", "https://example.org/1"]


GOOD_WARC: dict[bool, bytes] = {}  # built once: record ids and dates differ per build


@PROPERTY
@given(st.data())
def test_damaged_warc_files_never_raise(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    gz = data.draw(st.booleans())
    page = b"<html><body><p>The Taliban said people fled.</p></body></html>"
    good = GOOD_WARC.setdefault(gz, warc_bytes([page] * 3, gz))
    damage = data.draw(st.sampled_from(["truncate", "flip", "insert", "random"]))
    raw = bytearray(good)
    if damage == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    elif damage == "flip":
        for i in data.draw(st.lists(st.integers(0, len(raw) - 1), min_size=1, max_size=20)):
            raw[i] ^= data.draw(st.integers(1, 255))
    elif damage == "insert":
        at = data.draw(st.integers(0, len(raw)))
        raw[at:at] = data.draw(st.binary(min_size=1, max_size=200))
    else:
        raw = bytearray(data.draw(st.binary(max_size=3000)))
        if gz and data.draw(st.booleans()):
            raw = bytearray(gzip.compress(bytes(raw)))
    path = tmp_path_factory.mktemp("warc") / f"damaged.warc{'.gz' if gz else ''}"
    path.write_bytes(bytes(raw))
    for item in read_all(path):
        assert isinstance(item, Capture | Failed)


def test_all_sql_goes_through_bound_parameters() -> None:
    """No SQL string in the package is built by formatting, except PRAGMAs of integer constants."""
    import re

    package = Path(__file__).resolve().parent.parent / "archiver"
    formatted = re.compile(r"""(text|execute|exec_driver_sql)\(\s*f["']""")
    found = [f"{p.name}:{n}: {line.strip()}" for p in package.rglob("*.py")
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if formatted.search(line) and "PRAGMA busy_timeout" not in line]
    assert not found, found
