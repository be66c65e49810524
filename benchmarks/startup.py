"""Start-up time of the `archive` command against bare Python, in one run (issue 23).

Measures wall and CPU time (median of --rounds; every round runs each command once, in turn, so each faces the
same load) of:
  - `python -c pass` (the floor: the interpreter itself);
  - `archive --version` (goal: within 0.15 s of bare Python);
  - `archive show ID` on a small SQLite archive made here (goal: within 0.35 s);
  - `archive search WORD` on the same archive;
  - the floors of a command that opens an archive: `python -c "import sqlalchemy"`, the same with the Core
    tables (`archiver.store.tables`: what `show` and `search` import of SQLAlchemy), and with `sqlalchemy.orm`
    and the models (`archiver.store.models`: what a command that opens an ORM session imports).

    python benchmarks/startup.py [--rounds 9] [--before REV] [--instructions]

`--before REV` runs the same commands from the git revision REV of this checkout too (extracted with `git
archive` into a temporary folder, on the same interpreter and packages), so a change is measured against its
baseline under the same load. Both trees run as `python -m archiver`, which adds `runpy` (a few ms) to what the
`archive` script does.

`--instructions` also counts the instructions each command executes under valgrind (callgrind; ~50x slower,
one run each): a figure the machine's load does not move, where wall and CPU time moved by 2-4x between runs.
`--rounds 0` skips the timing. `--stages` (with `--instructions`) splits `show` into steps, each run adding one
more step to the ones before it (`STAGES`), to say where its instructions go.

Byte-code: the dev machine sets PYTHONDONTWRITEBYTECODE=1, so archiver's own modules were compiled from source
on every run (~0.07 s of `show` under cProfile), which an installed wheel (pip compiles it) never does. The
commands here run without that variable, after one discarded warm-up run that writes the caches.

Measured 2026-12-06 on the shared 2-core dev machine, `--rounds 15 --before 461b6b0 --instructions` at load
average 6.9 (instructions; times at that load in the docs), then `--rounds 15 --before 461b6b0` at load 3.1 (the
times below); before = 461b6b0, after = `show`, `search`, `history` and `diff` on SQLAlchemy Core alone (the
schema as Core tables in archiver.store.tables, the ORM models mapping them; no `sqlalchemy.orm` imported):

                                   wall over bare   CPU over bare   instructions over bare
    python -c pass                 (0.023 s)        (0.022 s)       (88 M)
    archive --version     before   +0.035           +0.033          +153 M
                          after    +0.036           +0.033          +151 M
    archive show ID       before   +0.423           +0.402          +1686 M
                          after    +0.333           +0.303          +1300 M   (-386 M, -23 %)
    archive search WORD   before   +0.430           +0.391          +1577 M
                          after    +0.322           +0.292          +1199 M   (-378 M, -24 %)
    import sqlalchemy                +0.235           +0.195          +856 M
    import sqlalchemy + tables       +0.216           +0.201          +888 M
    import sqlalchemy.orm + models   +0.317           +0.292          +1226 M

At load 3.1 `show` meets its goal (+0.30 s CPU, +0.33 s wall over bare Python; 0.35 s); at load 6.9 the same
commands took +0.46 s CPU (`search` +0.43, before +0.65 and +0.62), so the goal holds on a quiet machine only:
CPU time per instruction grows with the load, the instruction counts do not. `import sqlalchemy` alone is
856 M of `show`'s 1300 M instructions over bare Python (66 %), the Core tables 32 M more. The rest, from
`--stages --instructions` on this tree (12:45 UTC, load ~10): the SQLite dialect and a first connection +49 M,
click and archiver.cli +69 M, archiver's store and read modules +84 M (their Core statements are built at import),
rich and render +77 M, opening the archive (the revision check, no Alembic) +15 M, the show queries +16 M,
printing +97 M (of which rich's highlighter, compiling its regexes on first use, 58 M); stage 8 is `archive
show` itself (1387 M in all).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
GOALS = {"archive --version": 0.15, "archive show ID": 0.35}  # seconds over bare Python (issue 23)


# `archive show 2` step by step, in the order the command takes them; `python -c STAGES N DB` runs the first N
STAGES = """
import sys
n, url = int(sys.argv[1]), "sqlite:///" + sys.argv[2]
import archiver.store.tables
if n >= 2:
    from sqlalchemy import create_engine, text
    with create_engine(url).connect() as connection:
        connection.execute(text("SELECT 1")).all()
if n >= 3:
    import archiver.cli
if n >= 4:
    import archiver.read.show as show_read
if n >= 5:
    import io
    from rich.console import Console
    from archiver import render
if n >= 6:
    from archiver.store.engine import Archive
    archive = Archive(url, create=False)
if n >= 7:
    record = show_read.show(archive, "2")
if n >= 8:
    render.show_text(record, Console(file=io.StringIO(), highlight=n == 8))
"""
STAGE_NAMES = ("import sqlalchemy + the Core tables", "+ SQLite dialect, a first connection", "+ click, archiver.cli",
               "+ archiver.read.show (store, read modules)", "+ rich, render", "+ open the archive (revision check)",
               "+ the show queries", "+ print the record", "(+ print without rich's highlighter)")


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of running `argv` to completion.

    CPU time is reported too because the dev machine's 2 cores are shared: under load the wall time of a
    0.4 s command grew to 1.6 s while its CPU time stayed put.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def instructions(argv: list[str], env: dict[str, str]) -> int:
    """Instructions executed by `argv` in user space, counted by valgrind's callgrind."""
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
                            capture_output=True, check=True, env=env, text=True)
    found = re.search(r"Collected : (\d+)", result.stderr)
    if found is None:
        raise SystemExit(f"no instruction count from valgrind: {result.stderr[-500:]}")
    return int(found.group(1))


def extract(rev: str, folder: Path) -> Path:
    """The tree of git revision `rev` of this checkout, importable as `archiver` from the returned folder."""
    tree = folder / "before"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev], capture_output=True,
                             check=True).stdout
    tar_path = folder / "before.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(tree, filter="data")
    (tree / "archiver" / "migrations").symlink_to(tree / "migrations")  # as the wheel ships it
    return tree


def commands(label: str, db: str) -> dict[str, list[str]]:
    archive = [sys.executable, "-m", "archiver"]
    return {
        f"archive --version{label}": [*archive, "--version"],
        f"archive show ID{label}": [*archive, "show", "2", "--db", db],
        f"archive search WORD{label}": [*archive, "search", "Taliban", "--db", db],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--before", metavar="REV", help="also run the commands of this git revision")
    parser.add_argument("--instructions", action="store_true", help="also count instructions under valgrind")
    parser.add_argument("--stages", action="store_true", help="with --instructions: `show` step by step")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    # run from the temporary folder: `python -m` puts the working directory first on sys.path, so from a
    # checkout every tree would import that checkout's archiver
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        db = str(Path(folder) / "bench.db")
        subprocess.run([sys.executable, "-m", "archiver", "add", "-q", "--db", db,
                        *map(str, sorted(SEEDS.glob("*.txt")))], capture_output=True, check=True, env=env)
        floors = {"import sqlalchemy": [sys.executable, "-c", "import sqlalchemy"],
                  "import sqlalchemy + tables": [sys.executable, "-c", "import archiver.store.tables"],
                  "import sqlalchemy.orm + models": [sys.executable, "-c", "import archiver.store.models"]}
        runs = {name: (argv, env) for name, argv in {"python -c pass": [sys.executable, "-c", "pass"],
                                                    **commands("", db), **floors}.items()}
        if args.before:
            tree = extract(args.before, Path(folder))
            before_env = {**env, "PYTHONPATH": str(tree)}
            imported = subprocess.run([sys.executable, "-c", "import archiver; print(archiver.__file__)"],
                                      capture_output=True, check=True, env=before_env, text=True).stdout
            assert imported.startswith(str(tree)), f"--before imports {imported}, not {tree}"
            runs.update({name: (argv, before_env) for name, argv in commands(f" ({args.before})", db).items()})
        for argv, run_env in runs.values():  # warm-up: writes the byte-code caches
            run_once(argv, run_env)
        found: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, (argv, run_env) in runs.items():
                found[name].append(run_once(argv, run_env))
        counted = {name: instructions(argv, run_env) for name, (argv, run_env) in runs.items() if args.instructions}
        if args.instructions and args.stages:
            counted.update({f"show stage {i}: {name}": instructions([sys.executable, "-c", STAGES, str(i), db], env)
                            for i, name in enumerate(STAGE_NAMES, 1)})
    if args.rounds:
        print_times(found)
    if counted:
        base = counted["python -c pass"]
        print("instructions (valgrind callgrind, one run each)")
        for name, n in counted.items():
            print(f"{name:<54} {n / 1e6:8.0f} M (+{(n - base) / 1e6:.0f} M)")


def print_times(found: dict[str, list[tuple[float, float]]]) -> None:
    floor = statistics.median(w for w, _ in found["python -c pass"])
    cpu_floor = statistics.median(c for _, c in found["python -c pass"])
    print(f"load average {os.getloadavg()[0]:.1f}, {len(found['python -c pass'])} rounds, medians")
    for name, times in found.items():
        took, cpu = statistics.median(w for w, _ in times), statistics.median(c for _, c in times)
        over = took - floor
        goal = GOALS.get(name)
        verdict = "" if goal is None else (f"  goal +{goal:.2f} s: wall " + ("met" if over <= goal else "NOT met")
                                           + ", cpu " + ("met" if cpu - cpu_floor <= goal else "NOT met"))
        print(f"{name:<32} wall {took:6.3f} s (+{over:.3f})  cpu {cpu:6.3f} s (+{cpu - cpu_floor:.3f}){verdict}")

if __name__ == "__main__":
    main()
