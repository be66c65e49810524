"""Ingest throughput with 1, 2 and 4 concurrent `archive add` processes, PostgreSQL beside SQLite.

Each run starts from an empty archive (a new SQLite file, or a new PostgreSQL schema dropped afterwards),
splits the corpus into disjoint shares, one per writer, starts the writers together and times them
until the last one exits. Prints pages/s per backend and writer count, and checks every page arrived.

  python benchmarks/pg_writers.py                      # 300 synthetic pages (60 stories x 5 captures)
  python benchmarks/pg_writers.py --corpus aeb         # ../shared/data/aeb-dev/html pages, 3 copies each
  python benchmarks/pg_writers.py --pg-url postgresql://user@host/db --writers 1 2 4 8
"""

from __future__ import annotations

import argparse
import gzip
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from writers_corpus import corpus, write_corpus  # noqa: E402

from archiver.config import database_url  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=["synthetic", "aeb"], default="synthetic")
    parser.add_argument("--stories", type=int, default=60, help="synthetic stories (5 captures each)")
    parser.add_argument("--copies", type=int, default=3, help="copies of each aeb page")
    parser.add_argument("--writers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", default=os.environ.get("ARCHIVE_TEST_PG_URL",
                                                           "postgresql://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pg-writers-"))
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
