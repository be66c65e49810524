"""The writer stores the captures the workers had ready together in one transaction (`store_outcomes`):
the archive is the one storing them one by one makes, however the batch is cut into runs, and a capture
whose data cannot be stored fails alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from archive_state import dump, state, without_added_at
from conftest import SEED_FILES, SEEDS, Run
from sqlalchemy import exc as sa_exc
from template_stories import SITE_FOOTER, STORIES, story_page

import archiver.pipeline.add as add_module
from archiver.config import database_url
from archiver.pipeline import site_templates
from archiver.pipeline.add import store_outcomes
from archiver.pipeline.prepare import Prepared, prepare
from archiver.store import captures as store
from archiver.store.engine import Archive
from archiver.types import AddResult, Capture

T0 = datetime(2021, 8, 9, tzinfo=UTC)


def captures() -> list[Capture]:
    """The seeds, and a site's stories with its footer (a learned template), copies and a re-capture."""
    out = [
        Capture(raw=(SEEDS / f).read_bytes(), path=f, url=None, captured_at=T0, content_type="text/plain")
        for f in SEED_FILES
    ]
    pages = [(f"story{n}.txt", story_page(n)) for n in range(5)]
    pages += [("copy0.txt", story_page(0) + "\nFiled from the desk today.\n"), ("again0.txt", story_page(0) + "\n")]
    pages.append(("teaser.txt", "\n\n".join([f"{STORIES[1][0]} | Valley Courier", STORIES[1][1][0], SITE_FOOTER])))
    out += [
        Capture(raw=text.encode(), path=name, url=None, captured_at=T0 + timedelta(minutes=k),
                content_type="text/plain")
        for k, (name, text) in enumerate(pages)
    ]
    return out


def store_in_runs(db: str, entries: list[tuple[Capture, Prepared]], size: int) -> list[AddResult]:
    cache = site_templates.SiteCache()
    results: list[AddResult] = []
    with Archive(database_url(db)) as archive:
        for start in range(0, len(entries), size):
            results += store_outcomes(archive, list(entries[start : start + size]), cache)
    return results


@pytest.fixture(scope="module")
def prepared() -> list[tuple[Capture, Prepared]]:
    return [(c, prepare(c)) for c in captures()]


def test_however_a_batch_is_cut_into_runs_the_archive_is_the_same(new_db_factory, prepared) -> None:  # type: ignore[no-untyped-def]
    dumps = []
    for size in (1, 3, len(prepared)):
        db = new_db_factory(f"runs{size}.db")
        results = store_in_runs(db, prepared, size)
        assert [r.path for r in results] == [c.path for c, _ in prepared]
        assert all(r.status in ("new", "duplicate", "version") for r in results), results
        dumps.append(without_added_at(dump(Run(db))))
    assert len(dumps[0]["capture"]) == len(prepared)
    assert dumps[1] == dumps[0] and dumps[2] == dumps[0]
    # the site's footer is its template, learned in one run as one capture at a time
    texts = dict(Run(db).sql("SELECT c.path, t.body FROM capture c JOIN text t ON t.id = c.text_id"))
    assert all(SITE_FOOTER not in texts[f"story{n}.txt"] for n in range(5))


def test_a_capture_that_cannot_be_stored_fails_alone_and_the_rest_of_its_run_is_stored(
    new_db_factory, backend: str, prepared, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    bad = "story2.txt"
    real = store.capture_put

    def capture_put(session, **values):  # type: ignore[no-untyped-def]
        if values["path"] == bad:  # as the driver reports a value the column cannot take
            raise sa_exc.DataError("INSERT INTO capture ...", {}, ValueError("value out of range"))
        return real(session, **values)

    monkeypatch.setattr(add_module, "capture_put", capture_put)
    db = new_db_factory("bad.db")
    results = store_in_runs(db, prepared, len(prepared))
    assert [r.path for r in results] == [c.path for c, _ in prepared]
    failed = [r for r in results if r.status == "error"]
    assert [(r.path, r.error) for r in failed] == [(bad, "cannot store: value out of range")]

    monkeypatch.setattr(add_module, "capture_put", real)
    others = new_db_factory("others.db")
    alone = store_in_runs(others, [(c, p) for c, p in prepared if c.path != bad], 1)
    # texts, chrome and lineage as storing the others one by one gives them (PostgreSQL does not take back
    # the ids the rolled-back run drew, so ids may differ there: SQLite's archive is the same row for row)
    assert state(Run(db), ids_of(results)) == state(Run(others), ids_of(alone))
    if backend == "sqlite":
        assert without_added_at(dump(Run(db))) == without_added_at(dump(Run(others)))
    assert Run(db)("check").exit_code == 0


def ids_of(results: list[AddResult]) -> dict[str, int]:
    return {r.path: r.recapture or r.id for r in results if r.id is not None and r.path is not None}
