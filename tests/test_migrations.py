"""The schema comes from Alembic migrations run on open: new, current, newer, foreign databases."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import ROOT, SEED_FILES, SEEDS, run_process
from sqlalchemy import inspect, text

from archiver.config import database_url
from archiver.errors import DatabaseError
from archiver.store.engine import (
    Archive,
    create_archive_engine,
    current_revision,
    head_revision,
    schema_object_included,
)
from archiver.store.models import Base


def test_an_empty_database_is_created_at_head(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with Archive(database_url(str(path))) as archive:
        assert archive.previous_revision is None
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    assert {"capture", "blob", "text", "credit", "chrome", "lineage_edge", "capture_origin"} <= names


def test_an_empty_database_on_either_backend_is_created_at_head(new_db: str, backend: str) -> None:
    with Archive(database_url(new_db)) as archive:
        assert archive.previous_revision is None
        assert archive.engine.dialect.name == backend
        assert current_revision(archive.engine) == head_revision()
        views = set(inspect(archive.engine).get_view_names())
    assert {"capture_origin", "lineage_named"} <= views


def test_the_migrated_schema_equals_the_models(new_db: str) -> None:
    with Archive(database_url(new_db)) as archive, archive.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": schema_object_included}
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_reopening_at_head_changes_nothing(new_db: str, tmp_path: Path) -> None:
    url = database_url(new_db)
    Archive(url).close()
    with Archive(url) as archive:
        assert archive.previous_revision == head_revision()
    assert not list(tmp_path.glob("*.bak-*"))


def test_a_postgresql_archive_from_a_newer_release_is_refused_untouched(new_db: str) -> None:
    url = database_url(new_db)
    with Archive(url) as archive, archive.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    result = run_process(["add", str(SEEDS / SEED_FILES[0]), "--db", new_db])
    assert result.returncode == 4 and b"newer release" in result.stderr
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM capture")).scalar() == 0
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "ffff_from_the_future"
    engine.dispose()


def test_a_database_from_a_newer_release_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    Archive(database_url(str(path))).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="newer release"):
        Archive(database_url(str(path)))
    assert path.read_bytes() == before


def test_a_foreign_or_corrupt_database_is_a_clear_error(tmp_path: Path) -> None:
    foreign = tmp_path / "other.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    result = run_process(["db", "status", "--db", str(foreign)])
    assert result.returncode == 4 and b"not an archive" in result.stderr
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not sqlite at all" * 100)
    result = run_process(["add", str(SEEDS / SEED_FILES[0]), "--db", str(corrupt)])
    assert result.returncode == 4 and b"cannot open archive" in result.stderr


def test_console_script_runs_end_to_end(new_db: str) -> None:
    result = run_process(["add", str(SEEDS / SEED_FILES[1]), "--db", new_db])
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().startswith("new")
    env_result = run_process(["db", "status"], env={"ARCHIVE_DB": new_db})
    assert b"captures: 1" in env_result.stdout


def test_an_installed_wheel_migrates_without_the_checkout(tmp_path: Path) -> None:
    """Build the wheel, run it from outside the checkout: the migrations must come with it."""
    wheel_dir = tmp_path / "wheel"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(wheel_dir.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "archiver/migrations/env.py" in names
    assert any(n.startswith("archiver/migrations/versions/0001") for n in names)
    assert {"archiver/web/templates/family.html", "archiver/web/static/style.css"} <= set(names)  # archive serve
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    db = tmp_path / "w.db"
    page = tmp_path / "page.txt"  # `add` makes the archive (read commands refuse a missing file)
    page.write_text("The county council voted on Tuesday to repair the bridge on Mill Road, closed since the "
                    "spring floods damaged its supports.\n\nEngineers said the work would take four months.\n")
    for argv in (["add", str(page)], ["db", "status"]):
        probe = subprocess.run(
            [sys.executable, "-c", "import archiver, sys; from archiver.cli import main; "
             "assert 'site' in archiver.__file__, archiver.__file__; "
             "sys.argv=['archive', *sys.argv[2:], '--db', sys.argv[1]]; main()",
             str(db), *argv],
            capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        )
        assert probe.returncode == 0, probe.stderr
    assert f"head: {head_revision()}" in probe.stdout and "captures: 1" in probe.stdout
