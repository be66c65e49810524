"""How fast a bulk load writes: the filler texts of benchmarks/scale.py, with and without `bulk_loading`.

    .venv/bin/python benchmarks/bulk_load.py [--texts 20000] [--held 0] [--pg-url postgresql://...]

The texts are made and fingerprinted once (in --jobs processes), then written into a new PostgreSQL schema
each way, in turn, in the same run: "indexed", as scale.py loaded before (COPY a batch of 2,000 texts at a
time into the indexed tables, a commit a batch, ANALYZE); and "deferred", as it loads now (one transaction,
`archiver.store.bulk.bulk_loading`: indexes and foreign keys dropped, COPY, made again, ANALYZE). `--held N`
first loads N other filler texts the deferred way into both schemas, so the load lands in an archive that
already holds them (index maintenance grows with the table). Prints seconds and texts/s of each, and the
fingerprinting rate, beside the 665 s for 90,000 texts (135 texts/s, fingerprinting included) that issue 24
measured for the load before COPY.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from scale import BULK_TABLES, _fingerprint, vocabulary, write_batch  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from archiver.config import database_url  # noqa: E402
from archiver.store.bulk import analyze, bulk_loading  # noqa: E402
from archiver.store.engine import Archive  # noqa: E402

OLD_RATE = 90_000 / 665  # issue 24: the filler load before COPY, fingerprinting included
BATCH = 2000  # texts a COPY batch, as scale.py


def schema_url(pg_url: str, schema: str) -> str:
    return pg_url + ("&" if "?" in pg_url else "?") + f"options=-csearch_path%3D{schema}"


def load(db: str, start: int, results: list, deferred: bool) -> float:
    """Seconds to write these fingerprinted texts (ids from `start`) into the archive `db`, one way."""
    now = datetime(2024, 1, 1, tzinfo=UTC)
    tables = [t.__table__ for t in BULK_TABLES]
    with Archive(database_url(db)) as archive:
        t0 = time.perf_counter()
        with archive.session() as session:
            if deferred:
                with bulk_loading(session, tables):
                    for lo in range(0, len(results), BATCH):
                        write_batch(session, start + lo, results[lo : lo + BATCH], now)
            else:
                for lo in range(0, len(results), BATCH):
                    write_batch(session, start + lo, results[lo : lo + BATCH], now)
                    session.commit()
            analyze(session, tables)
            session.commit()
        return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=20_000)
    ap.add_argument("--held", type=int, default=0, help="filler texts loaded beforehand into both archives")
    ap.add_argument("--jobs", type=int, default=2, help="processes fingerprinting")
    ap.add_argument("--pg-url", default=os.environ.get("ARCHIVE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    args = ap.parse_args()
    vocab = vocabulary()
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        held = list(pool.map(_fingerprint, [(i, vocab) for i in range(args.held)], chunksize=50))
        results = list(pool.map(_fingerprint, [(i, vocab) for i in range(args.held, args.held + args.texts)],
                                chunksize=50))
    fp_seconds = time.perf_counter() - t0
    print(f"{args.held + args.texts} filler texts fingerprinted in {fp_seconds:.0f}s "
          f"({(args.held + args.texts) / fp_seconds:.0f} texts/s with {args.jobs} processes; {os.cpu_count()} CPUs)",
          flush=True)
    admin = create_engine(database_url(args.pg_url))
    schemas = {way: "bulk_" + secrets.token_hex(4) for way in ("indexed", "deferred")}
    try:
        with admin.begin() as conn:
            for schema in schemas.values():
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        seconds = {}
        for way, schema in schemas.items():
            db = schema_url(args.pg_url, schema)
            if held:
                load(db, 0, held, deferred=True)
            seconds[way] = load(db, args.held, results, deferred=way == "deferred")
            print(f"  {way}: {seconds[way]:.1f}s", flush=True)
    finally:
        with admin.begin() as conn:
            for schema in schemas.values():
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    n = args.texts
    fp_rate = (args.held + n) / fp_seconds
    print(f"{n} texts written into an archive holding {args.held}:")
    for way, s in seconds.items():
        whole = 1 / (1 / (n / s) + 1 / fp_rate)  # texts/s with the fingerprinting done one after the other
        print(f"  {way:<9} {s:7.1f}s  {n / s:7.0f} texts/s written ({n / s / OLD_RATE:5.1f}x the old load's "
              f"{OLD_RATE:.0f}/s); with fingerprinting, one after the other: {whole:5.0f} texts/s "
              f"({whole / OLD_RATE:.1f}x)")
    print(f"  deferred / indexed: {seconds['indexed'] / seconds['deferred']:.2f}x faster")


if __name__ == "__main__":
    main()
