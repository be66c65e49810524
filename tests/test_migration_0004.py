"""Migration 0004 on an archive made under 0003: counts start at zero, `archive reprocess` fills them."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from archive_state import add_all, reprocess, state
from conftest import Run
from sqlalchemy import inspect
from template_stories import SITE_FOOTER, story_page

import archiver.pipeline.add as add_module
from archiver.config import database_url
from archiver.store.engine import (
    Archive,
    alembic_config,
    create_archive_engine,
    current_revision,
    head_revision,
)


def downgrade_to_0003(db: str) -> None:
    engine = create_archive_engine(database_url(db))
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    columns = {c["name"] for c in inspect(engine).get_columns("site_paragraph")}
    assert current_revision(engine) == "0003" and columns == {"capture_id", "paragraph_hash", "site"}
    engine.dispose()


def test_an_archive_from_0003_upgrades_and_reprocess_learns_its_templates(
    new_db_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    pages = []
    for n in range(6):
        path = tmp_path / f"s{n}.txt"
        path.write_text(story_page(n), encoding="utf-8")
        pages.append(path)
    old = Run(new_db_factory("old.db"))
    with monkeypatch.context() as m:  # add as release 0003 did: paragraphs recorded, nothing counted or removed
        m.setattr(add_module, "templates_learn", lambda session, site, item, **_: (item, {}))
        m.setattr(add_module, "templates_spread", lambda session, capture_id, site, item, **_: [])
        ids = add_all(old, pages[:5])
    downgrade_to_0003(str(old.db))

    with Archive(database_url(str(old.db))) as archive:  # opening upgrades
        assert archive.previous_revision == "0003" and current_revision(archive.engine) == head_revision()
    assert old.sql("SELECT DISTINCT position, other_stories FROM site_paragraph") == [(None, 0)]
    ids.update(add_all(old, pages[5:]))
    texts = {name: old.json("show", str(i))["text"] for name, i in ids.items()}  # type: ignore[index]
    assert SITE_FOOTER not in texts["s5.txt"]  # a new capture counts the earlier ones itself
    assert all(SITE_FOOTER in texts[f"s{n}.txt"] for n in range(5))  # their counts were not known yet

    summary = reprocess(old)
    assert summary["texts_changed"] == 5
    fresh = Run(new_db_factory("fresh.db"))
    fresh_ids = add_all(fresh, pages)
    assert state(old, ids) == state(fresh, fresh_ids)
    again = reprocess(old)
    assert (again["texts_changed"], again["edges_changed"]) == (0, 0)
