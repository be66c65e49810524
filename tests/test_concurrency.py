"""Several `archive add` processes on one archive at once: nothing lost, nothing twice, same lineage.

4 writers x 300 captures drawn from 400 files (80 stories with 4 derived captures each), each writer
in its own random order, so most files are added by three writers racing. Afterwards every file is
stored once, no text twice, `archive check` passes, and every capture's parent and relation equal a
sequential run's. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, archive_command, run_process
from sqlalchemy import text

from archiver.config import database_url
from archiver.store.engine import Archive

sys.path.insert(0, str(ROOT / "benchmarks"))

from writers_corpus import corpus, write_corpus  # noqa: E402

WRITERS = 4  # the stress size: 4 processes x 300 captures
PER_WRITER = 300
N_ORIGINALS = 80  # 400 files: each writer takes 300, so a file is in 3 writers' batches on average


def lineage_by_file(db: str) -> dict[str, tuple[str | None, str | None]]:
    """Each capture's file name -> (its parent's file name, relation), read with plain SQL."""
    with Archive(database_url(db)) as archive, archive.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT c.id, c.path, e.parent_id, e.relation FROM capture c "
                 "LEFT JOIN lineage_edge e ON e.child_id = c.id")
        ).all()
    name = {r.id: Path(r.path).name for r in rows}
    return {name[r.id]: (name.get(r.parent_id), r.relation) for r in rows}


def table_counts(db: str) -> dict[str, int]:
    with Archive(database_url(db)) as archive, archive.engine.connect() as conn:
        return {
            "captures": conn.execute(text("SELECT COUNT(*) FROM capture")).scalar_one(),
            "distinct_blobs": conn.execute(text("SELECT COUNT(DISTINCT blob_sha256) FROM capture")).scalar_one(),
            "texts": conn.execute(text("SELECT COUNT(*) FROM text")).scalar_one(),
            "distinct_bodies": conn.execute(text("SELECT COUNT(DISTINCT sha256) FROM text")).scalar_one(),
            "edges": conn.execute(text("SELECT COUNT(*) FROM lineage_edge")).scalar_one(),
        }


def test_four_writers_store_everything_once_with_sequential_lineage(
    new_db_factory, tmp_path: Path, report  # type: ignore[no-untyped-def]
) -> None:
    docs = corpus(N_ORIGINALS, seed=8)
    paths = write_corpus(docs, tmp_path / "pages")
    names = sorted(paths)
    rnd = random.Random(8)
    batches = [rnd.sample(names, PER_WRITER) for _ in range(WRITERS)]
    union = sorted(set().union(*batches))

    db = new_db_factory("stress.db")
    Archive(database_url(db)).close()  # created before the race (read commands create nothing)
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(archive_command() + ["add", "--json", "--db", db] + [str(paths[n]) for n in batch],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for batch in batches
    ]
    outputs = [p.communicate(timeout=900) for p in procs]
    elapsed = time.perf_counter() - t0
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err.decode()[-2000:]
    records = [json.loads(line) for out, _ in outputs for line in out.decode().splitlines()]
    statuses = [r["status"] for r in records]
    assert len(records) == WRITERS * PER_WRITER
    new_names = sorted(Path(r["path"]).stem for r in records if r["status"] == "new")
    assert new_names == union, "each file is new in exactly one writer"
    assert statuses.count("duplicate") == WRITERS * PER_WRITER - len(union)

    counts = table_counts(db)
    assert counts["captures"] == counts["distinct_blobs"] == len(union)
    assert counts["texts"] == counts["distinct_bodies"]
    check = run_process(["check", "--db", db])
    assert check.returncode == 0, check.stdout.decode()[-3000:]

    reference = new_db_factory("sequential.db")
    t1 = time.perf_counter()
    seq = run_process(["add", "--quiet", "--db", reference] + [str(paths[n]) for n in union])
    seq_elapsed = time.perf_counter() - t1
    assert seq.returncode == 0, seq.stderr.decode()[-2000:]
    assert table_counts(reference) == counts
    concurrent, sequential = lineage_by_file(db), lineage_by_file(reference)
    differ = {n: (concurrent[n], sequential[n]) for n in sequential if concurrent.get(n) != sequential[n]}
    assert not differ, f"{len(differ)} captures differ from the sequential run: {dict(list(differ.items())[:5])}"
    report(
        f"{WRITERS} writers x {PER_WRITER} adds = {len(records)} ({len(union)} distinct files): "
        f"{statuses.count('new')} new, {statuses.count('duplicate')} duplicate, 0 failed; "
        f"{counts['captures']} captures, {counts['texts']} texts, {counts['edges']} edges; "
        f"lineage equal to a sequential run for {len(sequential)}/{len(sequential)} captures; "
        f"check ok; {elapsed:.1f}s concurrent, {seq_elapsed:.1f}s sequential"
    )
