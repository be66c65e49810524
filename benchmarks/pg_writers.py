"""Ingest throughput with 1, 2 and 4 concurrent `archive add` processes, PostgreSQL beside SQLite.

Each run starts from an empty archive (a new SQLite file, or a new PostgreSQL schema dropped afterwards),
splits the corpus into disjoint shares, one per writer, starts the writers together and times them
until the last one exits. Prints pages/s per backend and writer count, and checks every page arrived.

  python benchmarks/pg_writers.py                      # 300 synthetic pages (60 stories x 5 captures)
  python benchmarks/pg_writers.py --corpus aeb         # ../shared/data/aeb-dev/html pages, 3 copies each
  python benchmarks/pg_writers.py --pg-url postgresql://user@host/db --writers 1 2 4 8
  python benchmarks/pg_writers.py --replay [--stories 20]   # the store step alone, on PostgreSQL

--replay measures the store step alone: every capture is cleaned and fingerprinted once beforehand
(`prepare`), then 1, 2 and 4 writer processes store their shares of the prepared captures (`store_outcomes`,
4 a transaction, as `add` stores what its workers had ready together), started together, on an empty
PostgreSQL schema each. Two workloads of 4 groups x STORIES stories x 5 captures: "unrelated", each group's
stories on its own five sites (a group's captures never reach another group's families, sites or pages),
the writers taking whole groups; and "related", the same stories with the sites shared, each story's
captures dealt round-robin over the writers (every writer adds to every family at once). Each is run with
the writers locking by key (`Archive.write(per_family=True)`, what `add` does) and, as the baseline in the
same run, with the archive-wide lock. Prints captures/s, the speed-up over one writer, the transactions
retried, the cores the writers and their PostgreSQL backends kept busy (their seconds on a CPU over the wall
time) and how many of them were on average runnable but waiting for a CPU the machine's other processes held
(`/proc/PID/schedstat`): what bounds the speed-up on a small shared machine. Checks that every run holds
every capture once, and that each run of a workload gives the lineage one writer gave.
"""

from __future__ import annotations

import argparse
import gzip
import multiprocessing
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from provenance_corpus import PUBLISHERS, REPUBLISHERS  # noqa: E402
from writers_corpus import corpus, write_corpus  # noqa: E402

from archiver.config import database_url  # noqa: E402
from archiver.pipeline.add import store_outcomes  # noqa: E402
from archiver.pipeline.prepare import Prepared, prepare  # noqa: E402
from archiver.pipeline.site_templates import SiteCache  # noqa: E402
from archiver.pipeline.workers import TASK_ITEMS  # noqa: E402
from archiver.sources.inputs import iter_captures  # noqa: E402
from archiver.store.engine import Archive  # noqa: E402
from archiver.types import Capture  # noqa: E402

AEB_HTML = ROOT.parent / "shared" / "data" / "aeb-dev" / "html"
ARCHIVE = [str(Path(sys.executable).parent / "archive")]


def aeb_corpus(folder: Path, copies: int) -> list[Path]:
    """The aeb-dev pages, each `copies` times with a distinct trailing comment (distinct bytes, same text)."""
    folder.mkdir(parents=True)
    out = []
    for src in sorted(AEB_HTML.iterdir()):
        raw = gzip.decompress(src.read_bytes()) if src.name.endswith(".gz") else src.read_bytes()
        for n in range(copies):
            path = folder / f"{src.name.split('.')[0]}-{n}.html"
            path.write_bytes(raw + f"\n<!-- copy {n} -->\n".encode())
            out.append(path)
    return out


def new_archive(backend: str, pg_url: str, tmp: Path) -> tuple[str, str | None]:
    """A --db value for an empty archive, and the PostgreSQL schema to drop afterwards."""
    if backend == "sqlite":
        return str(tmp / f"bench-{secrets.token_hex(4)}.db"), None
    schema = "bench_" + secrets.token_hex(4)
    engine = create_engine(database_url(pg_url))
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in pg_url else "?"
    return f"{pg_url}{sep}options=-csearch_path%3D{schema}", schema


def drop_schema(pg_url: str, schema: str) -> None:
    engine = create_engine(database_url(pg_url))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def captures(db: str) -> int:
    out = subprocess.run(ARCHIVE + ["db", "status", "--db", db], capture_output=True, text=True, check=True)
    return int(next(line for line in out.stdout.splitlines() if line.startswith("captures:")).split(": ")[1])


def run(files: list[Path], writers: int, db: str) -> float:
    """Seconds for `writers` concurrent add processes to store all files (archive created beforehand)."""
    subprocess.run(ARCHIVE + ["db", "status", "--db", db], capture_output=True, check=True)
    shares = [files[i::writers] for i in range(writers)]
    t0 = time.perf_counter()
    procs = [subprocess.Popen(ARCHIVE + ["add", "--quiet", "--db", db] + [str(f) for f in share],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for share in shares]
    for p in procs:
        _, err = p.communicate()
        if p.returncode not in (0, 1):
            raise SystemExit(f"writer failed ({p.returncode}): {err.decode()[-500:]}")
    return time.perf_counter() - t0


GROUPS = 4  # the most writers replayed: each takes at least one group of the unrelated workload


def own_sites(raw: bytes, group: int) -> bytes:
    """A page moved to its group's own sites: every publisher and republisher name and domain suffixed."""
    for name, domain in PUBLISHERS:
        raw = raw.replace(name.encode(), f"{name} {group}".encode())
        raw = raw.replace(domain.encode(), f"g{group}.{domain}".encode())
    for name in REPUBLISHERS:
        raw = raw.replace(name.encode(), f"{name} {group}".encode())
        host = name.lower().replace(" ", "") + ".example"
        raw = raw.replace(host.encode(), f"g{group}.{host}".encode())
    return raw


def replay_corpus(stories: int, folder: Path) -> dict[str, list[list[tuple[Capture, Prepared]]]]:
    """Per workload, the GROUPS groups of prepared captures (each a list in store order)."""
    docs = corpus(stories * GROUPS, seed=31)
    paths = write_corpus(docs, folder / "shared")
    by_story: dict[str, list[Path]] = {}
    for d in docs:
        by_story.setdefault(d.origin, []).append(paths[d.name])
    ordered = [by_story[s] for s in sorted(by_story)]
    own = folder / "own"
    own.mkdir()
    unrelated_files: list[list[Path]] = []
    for g in range(GROUPS):
        files = []
        for story in ordered[g::GROUPS]:
            for path in story:
                moved = own / path.name
                moved.write_bytes(own_sites(path.read_bytes(), g))
                os.utime(moved, (path.stat().st_mtime, path.stat().st_mtime))
                files.append(moved)
        unrelated_files.append(files)
    flat = [p for story in ordered for p in story]
    related_files = [flat[g::GROUPS] for g in range(GROUPS)]
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 2) as pool:
        def prepared(files: list[Path]) -> list[tuple[Capture, Prepared]]:
            caps = [c for c in iter_captures([str(f) for f in files]) if isinstance(c, Capture)]
            assert len(caps) == len(files)
            return list(zip(caps, pool.map(prepare, caps, chunksize=8), strict=True))

        return {"unrelated": [prepared(f) for f in unrelated_files],
                "related": [prepared(f) for f in related_files]}


def _sched(pid: int) -> tuple[float, float]:
    """Seconds a process on this machine has run on a CPU, and waited runnable for one (`/proc/PID/schedstat`)."""
    on_cpu, waiting, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
    return int(on_cpu) / 1e9, int(waiting) / 1e9


def _replay_writer(db: str, share: list[tuple[Capture, Prepared]], per_family: bool, go, out) -> None:  # type: ignore[no-untyped-def]
    """One writer process: store its share, TASK_ITEMS captures a transaction; report timings and retries."""
    archive = Archive(database_url(db))
    if not per_family:  # the baseline: every store step under the archive-wide lock, as before
        write = archive.write
        archive.write = lambda work, per_family=False: write(work, per_family=False)  # type: ignore[method-assign]
    with archive.engine.connect() as conn:  # the pool's one connection: its backend process is the writer's
        backend = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
    cache = SiteCache()
    go.wait()
    pids = (os.getpid(), backend)
    t0, sched0 = time.perf_counter(), [_sched(p) for p in pids]
    stored = 0
    for start in range(0, len(share), TASK_ITEMS):
        results = store_outcomes(archive, share[start : start + TASK_ITEMS], cache)
        stored += sum(r.status != "error" for r in results)
    sched = [_sched(p) for p in pids]
    on_cpu = sum(a[0] - b[0] for a, b in zip(sched, sched0, strict=True))
    queued = sum(a[1] - b[1] for a, b in zip(sched, sched0, strict=True))
    out.put((time.perf_counter() - t0, on_cpu, queued, archive.conflicts, stored, t0))
    archive.close()


def replay_run(
    db: str, groups: list[list[tuple[Capture, Prepared]]], writers: int, per_family: bool
) -> dict[str, float]:
    """`writers` processes storing the groups (writer k takes groups k, k + writers, ...), started together."""
    Archive(database_url(db)).close()
    shares = [[item for group in groups[k::writers] for item in group] for k in range(writers)]
    ctx = multiprocessing.get_context("fork")
    go, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_replay_writer, args=(db, share, per_family, go, out)) for share in shares]
    for p in procs:
        p.start()
    time.sleep(1.0)  # every writer connected and waiting
    start = time.perf_counter()
    go.set()
    got = [out.get(timeout=1800) for _ in procs]
    wall = time.perf_counter() - start
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"writer failed ({p.exitcode})")
    return {"seconds": wall, "stored": sum(g[4] for g in got), "retries": sum(g[3] for g in got),
            "cores": sum(g[1] for g in got) / wall, "queued": sum(g[2] for g in got) / wall}


def lineage_by_name(db: str) -> tuple[dict[str, tuple[str | None, str | None]], int]:
    """Each capture's file name -> (its parent's file name, relation); and the number of captures."""
    with Archive(database_url(db)) as archive, archive.engine.connect() as conn:
        rows = conn.execute(text("SELECT c.id, c.path, e.parent_id, e.relation FROM capture c "
                                 "LEFT JOIN lineage_edge e ON e.child_id = c.id")).all()
    name = {r.id: Path(r.path).name for r in rows}
    return {name[r.id]: (name.get(r.parent_id), r.relation) for r in rows}, len(rows)


def replay(args: argparse.Namespace, tmp: Path) -> None:
    """The store step alone, 1/2/4 writers, locking by key and (baseline) archive-wide: see the docstring.

    Every configuration is run once per round, all of them in turn (a busy spell of the shared machine
    falls on all alike), after one unmeasured warm-up run; the medians over the rounds are printed.
    """
    t0 = time.perf_counter()
    workloads = replay_corpus(args.stories, tmp / "pages")
    total = sum(len(g) for g in workloads["unrelated"])
    print(f"prepared {total} captures per workload in {time.perf_counter() - t0:.0f}s; {os.cpu_count()} CPUs; "
          f"{TASK_ITEMS} captures a transaction; {args.rounds} rounds", flush=True)
    configs = [(w, f, n) for w in workloads for f in (True, False) for n in args.writers]
    runs: dict[tuple[str, bool, int], list[dict[str, float]]] = {c: [] for c in configs}
    reference: dict[str, dict[str, tuple[str | None, str | None]]] = {}
    differ: dict[tuple[str, bool, int], list[str]] = {c: [] for c in configs}
    for round_ in range(args.rounds + 1):
        for workload, per_family, writers in configs if round_ else configs[:1]:
            db, schema = new_archive("postgresql", args.pg_url, tmp)
            try:
                got = replay_run(db, workloads[workload], writers, per_family)
                lineage, captured = lineage_by_name(db)
            finally:
                if schema:
                    drop_schema(args.pg_url, schema)
            if not round_:
                continue  # the warm-up
            reference.setdefault(workload, lineage)
            if lineage != reference[workload]:
                differ[(workload, per_family, writers)].append(
                    f"{sum(lineage.get(n) != v for n, v in reference[workload].items())} captures differ")
            if not captured == got["stored"] == total:
                differ[(workload, per_family, writers)].append(f"{captured} stored of {total}")
            runs[(workload, per_family, writers)].append(got)
        if round_:
            print(f"  round {round_}/{args.rounds} measured", flush=True)
    print(f"{'workload':<11}{'locks':<9}{'writers':>8}{'seconds':>9}{'capt/s':>8}{'speed-up':>9}"
          f"{'retries':>8}{'cores':>7}{'queued':>7}  lineage (every round)")
    for workload, per_family, writers in configs:
        these = runs[(workload, per_family, writers)]
        seconds = statistics.median(r["seconds"] for r in these)
        one = statistics.median(r["seconds"] for r in runs[(workload, per_family, args.writers[0])])
        retries = sum(r["retries"] for r in these)
        cores = statistics.median(r["cores"] for r in these)
        queued = statistics.median(r["queued"] for r in these)
        verdict = "; ".join(differ[(workload, per_family, writers)]) or "same as the first 1-writer run; all once"
        print(f"{workload:<11}{'family' if per_family else 'archive':<9}{writers:>8}{seconds:>9.1f}"
              f"{total / seconds:>8.1f}{one / seconds:>8.2f}x{retries:>8.0f}{cores:>7.2f}{queued:>7.2f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=["synthetic", "aeb"], default="synthetic")
    parser.add_argument("--stories", type=int, default=None,
                        help="synthetic stories (5 captures each; default 60), with --replay per group (default 20)")
    parser.add_argument("--replay", action="store_true", help="the store step alone, on PostgreSQL (see above)")
    parser.add_argument("--rounds", type=int, default=3, help="with --replay: runs of each configuration")
    parser.add_argument("--copies", type=int, default=3, help="copies of each aeb page")
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", default=os.environ.get("ARCHIVE_TEST_PG_URL",
                                                           "postgresql://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pg-writers-"))
    if args.replay:
        args.stories = args.stories or 20
        try:
            replay(args, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    args.stories = args.stories or 60
    try:
        if args.corpus == "aeb":
            files = aeb_corpus(tmp / "pages", args.copies)
        else:
            files = sorted(write_corpus(corpus(args.stories, seed=21), tmp / "pages").values())
        print(f"corpus: {len(files)} pages ({args.corpus}); {os.cpu_count()} CPUs")
        print(f"{'backend':<12}{'writers':>8}{'seconds':>10}{'pages/s':>10}{'speed-up':>10}")
        for backend in args.backends:
            base = None
            for writers in args.writers:
                db, schema = new_archive(backend, args.pg_url, tmp)
                try:
                    seconds = run(files, writers, db)
                    stored = captures(db)
                finally:
                    if schema:
                        drop_schema(args.pg_url, schema)
                rate = len(files) / seconds
                base = base or rate
                flag = "" if stored == len(files) else f"  ({stored} stored!)"
                print(f"{backend:<12}{writers:>8}{seconds:>10.1f}{rate:>10.1f}{rate / base:>9.2f}x{flag}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
