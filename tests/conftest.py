"""Shared fixtures: an isolated environment, the real CLI, the seed captures."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from archiver.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
EXPECTED = json.loads((SEEDS / "expected.json").read_text())
SEED_FILES = sorted(EXPECTED["documents"])


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's ARCHIVE_DB or publisher overrides; cwd is a fresh folder."""
    for var in ("ARCHIVE_DB", "ARCHIVE_PUBLISHERS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


# --- backends: every archive-opening test runs on SQLite and on PostgreSQL -----------------------

PG_URL = os.environ.get("ARCHIVE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = [b.strip() for b in os.environ.get("ARCHIVE_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pg_admin_url() -> str:
    from archiver.config import database_url

    return database_url(PG_URL)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The test PostgreSQL server's URL; unreachable fails in CI (CI=true) and skips elsewhere."""
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_admin_url())
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:  # noqa: BLE001 - any failure to connect is the same message
        message = (f"PostgreSQL test server {PG_URL} unreachable ({type(e).__name__}); "
                   "set ARCHIVE_TEST_PG_URL, or ARCHIVE_TEST_BACKENDS=sqlite")
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    finally:
        engine.dispose()
    return PG_URL


def pg_schema_url(schema: str) -> str:
    """The test server's URL with the search path set to one schema."""
    return PG_URL + ("&" if "?" in PG_URL else "?") + f"options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh, empty schema on the test server (dropped afterwards); yields its archive URL."""
    from sqlalchemy import create_engine, text

    name = "t_" + secrets.token_hex(6)
    engine = create_engine(pg_admin_url())
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        yield pg_schema_url(name)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        request.getfixturevalue("pg_server")
    return str(request.param)


@pytest.fixture
def new_db(backend: str, tmp_path: Path) -> Iterator[str]:
    """A --db value for a new, empty archive on the test's backend: an SQLite file or a PostgreSQL schema."""
    if backend == "sqlite":
        yield str(tmp_path / "archive.db")
        return
    with pg_schema() as url:
        yield url


@pytest.fixture
def new_db_factory(backend: str, tmp_path: Path) -> Iterator[object]:
    """Makes several new archives on the test's backend (each a file or a schema)."""
    with contextlib.ExitStack() as stack:

        def make(name: str) -> str:
            if backend == "sqlite":
                return str(tmp_path / name)
            return stack.enter_context(pg_schema())

        yield make


class Run:
    """Runs `archive ...` in-process through click, with stdout and stderr kept apart."""

    def __init__(self, db: Path | str) -> None:
        self.db = db

    def __call__(self, *args: str, input: bytes | str | None = None, db: bool = True):  # type: ignore[no-untyped-def]
        argv = list(args)
        if db:
            argv += ["--db", str(self.db)]
        return CliRunner().invoke(cli, argv, input=input, catch_exceptions=False)

    def json(self, *args: str) -> object:
        result = self(*args, "--json")
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    def sql(self, query: str) -> list[tuple]:
        """Rows of a read-only SQL query on the archive, on either backend (as a user would run it)."""
        from sqlalchemy import create_engine, text

        from archiver.config import database_url

        engine = create_engine(database_url(str(self.db)))
        try:
            with engine.connect() as conn:
                return [tuple(row) for row in conn.execute(text(query))]
        finally:
            engine.dispose()

    def add_json(self, *paths: str, input: bytes | None = None) -> tuple[int, list[dict]]:
        result = self("add", "--json", *paths, input=input)
        return result.exit_code, [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture
def run(new_db: str) -> Run:
    """The CLI on a new archive, once per backend (SQLite file, PostgreSQL schema)."""
    return Run(new_db)


def archive_command() -> list[str]:
    """The installed console script when present, else `python -m archiver`."""
    script = Path(sys.executable).parent / "archive"
    return [str(script)] if script.exists() else [sys.executable, "-m", "archiver"]


def run_process(args: list[str], env: dict[str, str] | None = None, input: bytes | None = None,
                cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real `archive` command in a child process, as a user runs it."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_DB", "ARCHIVE_PUBLISHERS")}
    full_env.update(env or {})
    return subprocess.run(archive_command() + args, capture_output=True, env=full_env, input=input,
                          cwd=cwd, timeout=600)


def fold(text: str | None) -> str:
    return " ".join((text or "").split())




# --- counts the stress and fault tests report at the end of the run (shown by `pytest -q` too) -----

REPORT: list[str] = []


@pytest.fixture
def report(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """report(line): a line for the end-of-run summary, prefixed with the test's id."""

    def add(line: str) -> None:
        REPORT.append(f"{request.node.name}: {line}")

    return add


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if REPORT:
        terminalreporter.section("reliability counts")
        for line in REPORT:
            terminalreporter.write_line(line)


__all__ = ["EXPECTED", "SEEDS", "SEED_FILES", "Run", "run_process", "fold", "shlex", "REPORT"]
