"""`archive reprocess`: re-clean from the raw bytes, rebuild fingerprints, matches and lineage; idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from archive_state import add_all, dump, reprocess, state
from conftest import SEED_FILES, SEEDS, Run
from template_stories import SITE_FOOTER, STORIES, story_page

import archiver.pipeline.add as add_module
import archiver.pipeline.prepare as prepare_module
from archiver.clean import clean as real_clean
from archiver.types import Article, Capture


@pytest.fixture
def site_pages(tmp_path: Path) -> list[Path]:
    """Five stories of one site sharing a footer, and a re-headlined copy of the first."""
    pages = [(f"story{n}.txt", story_page(n)) for n in range(5)]
    pages.append(("copy0.txt", story_page(0).replace(STORIES[0][0], STORIES[0][0] + " (updated)")))
    paths = []
    for name, text in pages:
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(tmp_path / name)
    return paths


def add_without_templates(run: Run, paths: list[Path], monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Add as before migration 0004: paragraphs recorded by site, no template counted or removed."""
    with monkeypatch.context() as m:
        m.setattr(add_module, "templates_learn", lambda session, site, item, **_: (item, {}))
        m.setattr(add_module, "templates_spread", lambda session, capture_id, site, item, **_: [])
        return add_all(run, paths)


def test_reprocess_removes_a_site_template_that_add_did_not_learn(
    tmp_path: Path, site_pages: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    old, learned = Run(tmp_path / "old.db"), Run(tmp_path / "learned.db")
    ids_o = add_without_templates(old, site_pages[::-1], monkeypatch)
    ids_l = add_all(learned, site_pages)
    before = state(old, ids_o)
    assert all(SITE_FOOTER in text for text, *_ in before.values())
    falsely_linked = [n for n in ("story1.txt", "story2.txt", "story3.txt") if before[n][2] is not None]
    # the shared footer alone once made unrelated stories look like rewrites; boilerplate at the end of both
    # texts is no evidence of derivation (issue 20), even before the site's template is learned
    assert not falsely_linked

    summary = reprocess(old)
    assert summary["captures"] == summary["recleaned"] == 6
    assert summary["texts_changed"] == 6  # every capture of the site loses the footer
    after = state(old, ids_o)
    edges_before = {n: (v[2] or (None, None))[:2] for n, v in before.items()}
    edges_after = {n: (v[2] or (None, None))[:2] for n, v in after.items()}
    assert summary["edges_changed"] == sum(edges_before[n] != edges_after[n] for n in before)
    assert summary["failed"] == []
    assert all(SITE_FOOTER not in text for text, *_ in after.values())
    assert after["copy0.txt"][2] == ("story0.txt", "identical", 1.0)
    assert all(after[f"story{n}.txt"][2] is None for n in range(5))
    for _, chrome, *_ in after.values():
        assert ("site-template", SITE_FOOTER) in chrome
    assert state(learned, ids_l) == after  # what add makes, in the other order, with the template learned
    counts = "SELECT c.path, p.paragraph_hash, p.position, p.other_stories FROM site_paragraph p " \
        "JOIN capture c ON c.id = p.capture_id"
    assert sorted(old.sql(counts)) == sorted(learned.sql(counts))

    snapshot = dump(old)
    again = reprocess(old)
    assert (again["texts_changed"], again["edges_changed"], again["texts_removed"]) == (0, 0, 0)
    assert dump(old) == snapshot  # a second run rewrites nothing
    assert "6 of 6 captures re-cleaned: 0 texts changed, 0 lineage edges changed" in old("reprocess").stdout


def old_cleaner(capture: Capture) -> Article:
    """A cleaner that removed nothing: every piece of chrome left at the top of the body."""
    article = real_clean(capture)
    article.paragraphs = [c.text for c in article.chrome] + article.paragraphs
    article.chrome = []
    return article


def test_reprocess_replaces_an_old_cleaners_texts_and_lineage(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [SEEDS / f for f in SEED_FILES]
    with monkeypatch.context() as m:
        m.setattr(prepare_module, "clean", old_cleaner)
        ids = add_all(run, paths)
    fresh = Run(tmp_path / "fresh.db")
    fresh_ids = add_all(fresh, paths)
    assert ids == fresh_ids
    expected = state(fresh, fresh_ids)
    old = state(run, ids)
    assert old != expected

    summary = reprocess(run)
    changed = sum(1 for name in ids if old[name][0] != expected[name][0])
    assert summary["texts_changed"] == changed > 0
    edge = {n: (old[n][2] or (None, None))[:2] for n in ids}, {n: (expected[n][2] or (None, None))[:2] for n in ids}
    assert summary["edges_changed"] == sum(1 for n in ids if edge[0][n] != edge[1][n])
    assert state(run, ids) == expected  # texts, chrome and lineage as a fresh archive of the same inputs
    for table in ("text", "text_match", "fingerprint", "fingerprint_band", "lineage_edge"):
        count = f'SELECT COUNT(*) FROM "{table}"'
        assert run.sql(count) == fresh.sql(count), table
    assert run.sql("SELECT COUNT(*) FROM text WHERE id NOT IN (SELECT text_id FROM capture)") == [(0,)]
