"""Shared fixtures: an isolated environment, the real CLI, the seed captures."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
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


class Run:
    """Runs `archive ...` in-process through click, with stdout and stderr kept apart."""

    def __init__(self, db: Path) -> None:
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

    def add_json(self, *paths: str, input: bytes | None = None) -> tuple[int, list[dict]]:
        result = self("add", "--json", *paths, input=input)
        return result.exit_code, [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(tmp_path / "archive.db")


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


__all__ = ["EXPECTED", "SEEDS", "SEED_FILES", "Run", "run_process", "fold", "shlex"]
