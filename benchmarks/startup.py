"""Start-up time of the `archive` command against bare Python, in one run (issue 23).

Measures wall time (median of --rounds) of:
  - `python -c pass` (the floor: the interpreter itself);
  - `archive --version` (goal: within 0.15 s of bare Python);
  - `archive show ID` on a small SQLite archive made here (goal: within 0.35 s);
  - `archive search WORD` on the same archive.

    python benchmarks/startup.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
GOALS = {"archive --version": 0.15, "archive show ID": 0.35}  # seconds over bare Python (issue 23)


def archive_command() -> list[str]:
    script = Path(sys.executable).parent / "archive"
    return [str(script)] if script.exists() else [sys.executable, "-m", "archiver"]


def seconds(argv: list[str], rounds: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of running `argv` to completion.

    CPU time is reported too because the dev machine's 2 cores are shared: under load the wall time of a
    0.4 s command grew to 1.6 s while its CPU time stayed put.
    """
    walls, cpus = [], []
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "bench.db")
        subprocess.run([*archive_command(), "add", "-q", "--db", db, *map(str, sorted(SEEDS.glob("*.txt")))],
                       capture_output=True, check=True)
        runs = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "archive --version": [*archive_command(), "--version"],
            "archive show ID": [*archive_command(), "show", "2", "--db", db],
            "archive search WORD": [*archive_command(), "search", "Taliban", "--db", db],
        }
        found = {name: seconds(argv, args.rounds) for name, argv in runs.items()}
    floor, cpu_floor = found["python -c pass"]
    for name, (took, cpu) in found.items():
        over = took - floor
        goal = GOALS.get(name)
        verdict = "" if goal is None else (f"  goal +{goal:.2f} s: " + ("met" if over <= goal else "NOT met"))
        print(f"{name:<22} wall {took:6.3f} s (+{over:.3f})  cpu {cpu:6.3f} s (+{cpu - cpu_floor:.3f}){verdict}")


if __name__ == "__main__":
    main()
