"""How fast a bulk load writes: the filler texts of benchmarks/scale.py, with and without `bulk_loading`.

    .venv/bin/python benchmarks/bulk_load.py [--texts 20000] [--held 0] [--pg-url postgresql://...]

The texts are made and fingerprinted once (in --jobs processes), then written into a new PostgreSQL schema
each way, in turn, in the same run: "rows", the loader issue 24 measured (665 s for 90,000 texts): a text
at a time, a statement a table, a commit per 2,000 texts; only the first --old-texts texts, it is slow, and
its rate can only fall as the tables grow, so this flatters it); "indexed", as scale.py loaded before this
change (COPY a batch of 2,000 texts at a time into the indexed tables, a commit a batch, ANALYZE); and
"deferred", as it loads now (one transaction, `archiver.store.bulk.bulk_loading`: indexes and foreign keys
dropped, COPY, made again, ANALYZE). `--held N`
first loads N other filler texts the deferred way into both schemas, so the load lands in an archive that
already holds them (index maintenance grows with the table). Prints seconds and texts/s of each, and the
fingerprinting rate, beside the 665 s for 90,000 texts (135 texts/s, fingerprinting included) that issue 24
measured for the load before COPY.
"""

from __future__ import annotations

import argparse
import hashlib
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
from sqlalchemy import create_engine, insert, text  # noqa: E402

from archiver.config import database_url  # noqa: E402
from archiver.store.bulk import analyze, bulk_loading  # noqa: E402
from archiver.store.blobs import BLOB_COMPRESSION, blob_compress  # noqa: E402
from archiver.store.engine import Archive  # noqa: E402
from archiver.store.models import Blob, CaptureRow, FingerprintBand, FingerprintRow, TextPassage, TextRow  # noqa: E402

OLD_RATE = 90_000 / 665  # issue 24: the filler load before COPY, fingerprinting included
BATCH = 2000  # texts a COPY batch, as scale.py


def schema_url(pg_url: str, schema: str) -> str:
    return pg_url + ("&" if "?" in pg_url else "?") + f"options=-csearch_path%3D{schema}"


def write_rows(session, lo: int, results: list, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """The loader before COPY (benchmarks/scale.py until 21648ed): a text at a time, a statement a table."""
    for k, (body, fps, bands, _, _, held) in enumerate(results):
        raw = body.encode()
        digest = hashlib.sha256(raw).hexdigest()
        session.execute(insert(Blob), [{"sha256": digest, "size": len(raw), "compression": BLOB_COMPRESSION,
                                        "data": blob_compress(raw)}])
        row = TextRow(sha256=digest, body=body, chars=len(body), words=len(body.split()))
        session.add(row)
        session.flush()
        session.execute(insert(FingerprintRow), [
            {"text_id": row.id, "kind": fp.kind, "algorithm": fp.algorithm, "version": fp.version,
             "params": fp.params, "value": fp.value} for fp in fps])
        session.execute(insert(FingerprintBand), [
            {"kind": kind, "band_key": key, "text_id": row.id}
            for kind, keys in bands.items() for key in sorted(set(keys))])
        if held:
            session.execute(insert(TextPassage), [
                {"text_id": row.id, "passage_key": key, "words": n} for key, n in sorted(held.items())])
        session.execute(insert(CaptureRow), [{
            "blob_sha256": digest, "path": f"filler/{lo + k}.txt", "url": None, "canonical_url": None,
            "content_type": "text/plain", "captured_at": now, "added_at": now, "title": f"Filler {lo + k}",
            "byline": None, "site_name": None, "published": "2024-01-01", "language": "en",
            "extractor": "text", "cleaner_version": 1, "source_publisher": None, "text_id": row.id}])


def load(db: str, start: int, results: list, way: str) -> float:
    """Seconds to write these fingerprinted texts (ids from `start`) into the archive `db`, one way."""
    now = datetime(2024, 1, 1, tzinfo=UTC)
    tables = [t.__table__ for t in BULK_TABLES]
    with Archive(database_url(db)) as archive:
        t0 = time.perf_counter()
        with archive.session() as session:
            if way == "deferred":
                with bulk_loading(session, tables):
                    for lo in range(0, len(results), BATCH):
                        write_batch(session, start + lo, results[lo : lo + BATCH], now, ordered=False)
            else:
                for lo in range(0, len(results), BATCH):
                    write = write_batch if way == "indexed" else write_rows
                    write(session, start + lo, results[lo : lo + BATCH], now)
                    session.commit()
            analyze(session, tables)
            session.commit()
        return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=20_000)
    ap.add_argument("--old-texts", type=int, default=2000, help="texts written by the old loader (0: none)")
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
    ways = ("rows", "indexed", "deferred") if args.old_texts else ("indexed", "deferred")
    schemas = {way: "bulk_" + secrets.token_hex(4) for way in ways}
    try:
        with admin.begin() as conn:
            for schema in schemas.values():
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        seconds = {}
        for way, schema in schemas.items():
            db = schema_url(args.pg_url, schema)
            if held:
                load(db, 0, held, "deferred")
            these = results[: args.old_texts] if way == "rows" else results
            seconds[way] = load(db, args.held, these, way) * len(results) / len(these)  # as if all were written
            print(f"  {way}: {len(these)} texts in {seconds[way] * len(these) / len(results):.1f}s", flush=True)
    finally:
        with admin.begin() as conn:
            for schema in schemas.values():
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    n = args.texts
    fp_rate = (args.held + n) / fp_seconds
    print(f"{n} texts written into an archive holding {args.held} (rows: its rate over its {args.old_texts}):")
    for way, s in seconds.items():
        whole = 1 / (1 / (n / s) + 1 / fp_rate)  # texts/s with the fingerprinting done one after the other
        print(f"  {way:<9} {s:7.1f}s  {n / s:7.0f} texts/s written ({n / s / OLD_RATE:5.1f}x the old load's "
              f"{OLD_RATE:.0f}/s); with fingerprinting, one after the other: {whole:5.0f} texts/s "
              f"({whole / OLD_RATE:.1f}x)")
    print(f"  deferred / indexed: {seconds['indexed'] / seconds['deferred']:.2f}x faster" + (
        f"; deferred / rows: {seconds['rows'] / seconds['deferred']:.1f}x faster" if "rows" in seconds else ""))


if __name__ == "__main__":
    main()
