"""Faults: `add` killed at random points, a read-only or full disk, a damaged file: clear errors, no loss.

After every SIGKILL the archive opens and `archive check` passes; re-running the batch completes it
with every file once and the lineage of an uninterrupted run. A read-only or full disk gives exit 4
with a one-line reason and leaves the archive as it was (check passes).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from conftest import BACKENDS, ROOT, SEED_FILES, SEEDS, archive_command, pg_schema, run_process
from sqlalchemy import event

from archiver.config import database_url
from archiver.errors import DatabaseError
from archiver.read.check import check_archive, errors
from archiver.store.engine import Archive

sys.path.insert(0, str(ROOT / "benchmarks"))

from test_concurrency import lineage_by_file  # noqa: E402
from writers_corpus import corpus, write_corpus  # noqa: E402

from archiver.pipeline import add as pipeline
from archiver.store import captures as store

KILLS = 8  # SIGKILLs per backend: the first during start-up, the others after a random number of adds
STARTUP_KILL_S = (0.1, 0.9)  # start-up (imports, open, migrate) takes ~0.7-1.5 s on the 2-core dev machine
KILL_JITTER_S = 0.08  # an add takes ~25-80 ms here: a kill lands at a random point inside one


def pipe_closes(stream: IO[bytes], within: float = 10.0) -> bool:
    """True when every process holding the pipe's write end has exited (EOF), within `within` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.2)
        if ready and not os.read(stream.fileno(), 65536):
            return True
    return False


def captures(db: str) -> int:
    result = run_process(["db", "status", "--json", "--db", db])
    assert result.returncode == 0, result.stderr.decode()
    return int(json.loads(result.stdout)["captures"])


def test_add_killed_at_random_points_leaves_a_sound_archive_and_a_rerun_completes(
    new_db_factory, tmp_path: Path, report  # type: ignore[no-untyped-def]
) -> None:
    paths = write_corpus(corpus(8, seed=11), tmp_path / "pages")  # 40 files in 8 families
    files = [str(paths[n]) for n in sorted(paths)]
    db = new_db_factory("killed.db")
    rnd = random.Random()  # really random points; the seed is in the summary to replay a failure
    seed = rnd.randrange(10**6)
    rnd.seed(seed)
    after, mid_batch = [], 0
    for n in range(KILLS):
        proc = subprocess.Popen(archive_command() + ["add", "--db", db, *files],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert proc.stdout is not None
        if n == 0:
            time.sleep(rnd.uniform(*STARTUP_KILL_S))  # while opening/creating the archive, or in the first adds
        else:
            stored = after[-1]  # printed first, as duplicates; then a random number of new adds, spread so
            step = rnd.randint(0, 2 * (len(files) - stored) // (KILLS - n + 1))  # the kills cover the batch
            for _ in range(stored + step):
                if not proc.stdout.readline():
                    break
            time.sleep(rnd.uniform(0, KILL_JITTER_S))  # then a random point inside the next add
        if proc.poll() is None:
            mid_batch += 1
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert pipe_closes(proc.stdout), "a cleaning worker outlived the killed add"
        proc.stdout.close()
        with Archive(database_url(db)) as archive:  # `archive check` in-process: the same code, no start-up
            problems = check_archive(archive)
            with archive.session() as session:
                after.append(store.counts(session)["captures"])
        assert not errors(problems), problems
    assert after == sorted(after), "a capture committed before a kill is never lost"
    final = run_process(["add", "--json", "--db", db, *files])
    assert final.returncode == 0, final.stderr.decode()
    statuses = [json.loads(line)["status"] for line in final.stdout.decode().splitlines()]
    assert set(statuses) <= {"new", "duplicate"} and len(statuses) == len(files)
    assert captures(db) == len(files)
    assert run_process(["check", "--db", db]).returncode == 0
    reference = new_db_factory("uninterrupted.db")
    assert run_process(["add", "--quiet", "--db", reference, *files]).returncode == 0
    assert lineage_by_file(db) == lineage_by_file(reference)
    report(f"{KILLS} SIGKILLs (seed {seed}), {mid_batch} mid-batch; captures after each: {after}; "
           f"check ok after every kill; re-run: {statuses.count('new')} new, {statuses.count('duplicate')} "
           f"duplicate -> {len(files)}/{len(files)} present once, lineage equal to an uninterrupted run")


# --- read-only and full disks --------------------------------------------------------------------------


@contextlib.contextmanager
def small_filesystem(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `folder` (needs root); skips the test where mounting is not allowed."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def seed_paths(n: int) -> list[str]:
    return [str(SEEDS / f) for f in SEED_FILES[:n]]


def test_a_read_only_disk_is_a_clear_error_and_nothing_is_written(tmp_path: Path) -> None:
    with small_filesystem(tmp_path / "disk", "4m") as disk:
        db = str(disk / "a.db")
        assert run_process(["add", "--db", db, *seed_paths(2)]).returncode == 0
        remount = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True)
        assert remount.returncode == 0, remount.stderr
        before = {p.name: p.read_bytes() for p in disk.iterdir()}
        result = run_process(["add", "--db", db, *seed_paths(4)[2:]])
        assert result.returncode == 4, result.stderr
        message = result.stderr.decode()
        assert "read-only" in message.lower() and "Traceback" not in message
        assert {p.name: p.read_bytes() for p in disk.iterdir()} == before
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        assert captures(db) == 2 and run_process(["check", "--db", db]).returncode == 0


def test_a_read_only_file_is_a_clear_error_for_other_users() -> None:
    """A file the user may not write (root writes anything, so run as nobody when root)."""
    folder = Path(tempfile.mkdtemp(prefix="archive-ro-"))  # in /tmp, so nobody can reach it
    db = folder / "a.db"
    assert run_process(["add", "--db", str(db), *seed_paths(2)]).returncode == 0
    os.chmod(db, 0o444)
    os.chmod(folder, 0o555)
    before = db.read_bytes()
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.getuid() == 0 else []
    result = subprocess.run(prefix + archive_command() + ["add", "--db", str(db), seed_paths(3)[2]],
                            capture_output=True, cwd="/")
    assert result.returncode == 4, result.stderr
    assert b"read-only" in result.stderr.lower() and b"Traceback" not in result.stderr
    assert db.read_bytes() == before
    os.chmod(folder, 0o755)
    shutil.rmtree(folder)


def test_a_full_disk_stops_the_batch_cleanly(tmp_path: Path, report) -> None:  # type: ignore[no-untyped-def]
    paths = write_corpus(corpus(40, seed=3), tmp_path / "pages")  # 200 files, ~2.5 MB stored
    with small_filesystem(tmp_path / "disk", "1m") as disk:
        db = str(disk / "a.db")
        result = run_process(["add", "--quiet", "--db", db, str(tmp_path / "pages")])
        assert result.returncode == 4, result.stderr
        message = result.stderr.decode()
        assert "disk is full" in message and "Traceback" not in message
        stored = captures(db)
        assert 0 < stored < len(paths)
        check = run_process(["check", "--db", db])
        assert check.returncode == 0, check.stdout.decode()[-2000:]
    report(f"1 MB disk: {stored} of {len(paths)} captures stored before 'disk is full', exit 4, check ok")


def test_a_full_database_without_mounting_rolls_back_the_capture(tmp_path: Path) -> None:
    """Where no tmpfs can be mounted: SQLite's max_page_count makes the database 'full' the same way."""
    db = tmp_path / "a.db"
    with Archive(database_url(str(db))) as archive:
        pages = sqlite3.connect(db).execute("PRAGMA page_count").fetchone()[0]
        event.listen(archive.engine, "connect",
                     lambda con, _rec: con.execute(f"PRAGMA max_page_count={pages + 6}"))
        archive.engine.dispose()
        results, error = [], None
        try:
            for r in pipeline.add(archive, seed_paths(5)):
                results.append(r)
        except DatabaseError as e:
            error = e
    assert error is not None and "full" in str(error)
    assert error.exit_code == 4
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM capture").fetchone()[0] == sum(r.status == "new" for r in results)
    assert run_process(["check", "--db", str(db)]).returncode == 0


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL not among ARCHIVE_TEST_BACKENDS")
def test_a_read_only_postgresql_session_is_a_clear_error(pg_server: str) -> None:
    """A read-only role or a standby: exit 4, nothing written."""
    with pg_schema() as schema_url:
        read_only_session_refused(schema_url)


def read_only_session_refused(schema_url: str) -> None:
    assert run_process(["add", "--db", schema_url, *seed_paths(1)]).returncode == 0
    read_only = schema_url + "%20-cdefault_transaction_read_only%3Don"
    result = run_process(["add", "--db", read_only, *seed_paths(3)[1:]])
    assert result.returncode == 4, result.stderr
    assert b"read-only" in result.stderr and b"Traceback" not in result.stderr
    assert captures(schema_url) == 1


# --- a damaged file ------------------------------------------------------------------------------------


def test_a_damaged_sqlite_file_gives_clear_errors_never_a_traceback(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    assert run_process(["add", "--db", str(db), *seed_paths(5)]).returncode == 0
    data = bytearray(db.read_bytes())
    page = 4096
    for n in range(2, len(data) // page, 3):  # scribble over every third page after the schema
        data[n * page + 100 : n * page + 400] = os.urandom(300)
    db.write_bytes(bytes(data))
    outcomes = {}
    for command in (["check"], ["lineage", "--all"], ["show", "3"], ["add", seed_paths(5)[0]], ["db", "status"]):
        result = run_process([*command, "--db", str(db)])
        stderr = result.stderr.decode()
        assert "Traceback" not in stderr, (command, stderr[-3000:])
        outcomes[command[0]] = result.returncode
    assert outcomes["check"] in (4, 5)  # damage found (5), or the file no longer opens (4)
    assert set(outcomes.values()) <= {0, 3, 4, 5}
