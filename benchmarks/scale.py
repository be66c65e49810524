"""Does adding one more text, and answering `lineage`, stay flat as the archive grows?

    .venv/bin/python benchmarks/scale.py [--sizes 1000,10000,100000] [--db /tmp/scale | postgresql://...]
        [--rounds 3] [--reuse] [--explain plans.txt] [--baseline ../main]

Builds one archive per size (SQLite files, or one PostgreSQL schema per size): the five seeds through the
real pipeline, then filler texts loaded in bulk (`archiver.store.bulk`: COPY on PostgreSQL, then ANALYZE)
(synthetic news-like prose: Zipf-sampled words of real article bodies, with stock phrases such as
wire credit lines, each fingerprinted and band-indexed exactly as `add` does). It then times, round after
round with every size in turn (so a busy spell of the machine falls on all sizes alike),
over several probes (new copies of the NPR seed text, each a little different, so each is a new
text with real candidates to verify): the whole `add` of one capture, the LSH candidate lookup alone
(band table query and the shingle count, from band keys and `band_shingles` made beforehand),
and `lineage` of the NPR story. Prints medians, the largest/smallest size ratios (target <= 1.25)
and peak RSS; also fingerprinting speed in texts/s.

The degenerate probe: one more filler text (a new one each time). The filler is ~53% "the"
(paretovariate(1.1) over the vocabulary), so its band keys are held by nearly every other filler, like
paywall stubs, "page not found" pages or lists of stock phrases in a real archive: it shows what one
such text costs (the `add`, the candidate lookup, the candidates and the texts actually verified).
`--baseline DIR` first runs the same measurements with the `archiver` of another checkout (main, say),
in a child process on its own archive, so before and after come from one run on one machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the archiver measured: this checkout's, or another's (--baseline runs this script again with it set)
sys.path.insert(0, os.environ.get("ARCHIVE_SCALE_CODE") or str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from archiver.config import database_url  # noqa: E402
from archiver.fingerprint import band_keys, band_shingles, fingerprint_text  # noqa: E402
from archiver.lineage.boilerplate import passages  # noqa: E402
from archiver.lineage.candidates import candidates_by_bands  # noqa: E402
from archiver.pipeline.add import add_one  # noqa: E402
from archiver.read import lineage as query  # noqa: E402
import archiver  # noqa: E402
import archiver.lineage.candidates as candidate_policy  # noqa: E402
from archiver.store.blobs import BLOB_COMPRESSION, blob_compress  # noqa: E402
from archiver.store.bulk import analyze, bulk_insert, bulk_insert_returning_ids, bulk_loading  # noqa: E402
from archiver.store.engine import Archive, display_url  # noqa: E402
from archiver.store.models import Blob, CaptureRow, FingerprintBand, FingerprintRow, TextPassage, TextRow  # noqa: E402
from archiver.types import Capture as InputCapture  # noqa: E402

SEEDS = ROOT / "examples" / "seeds"
AEB = ROOT.parent / "shared" / "data" / "aeb-dev" / "ground-truth.json"
STOCK = [
    "The Associated Press contributed to this report.",
    "This story has been updated with additional information.",
    "Reuters reported the figures earlier on Tuesday.",
    "Sign up for our newsletter to get the latest news.",
]
PROBES = 7  # medians over 7 adds; more only lengthens the run
FILLER_PROBES = 3  # degenerate probes per size: unbounded, one costs ~7 ms per archived text (70 s at 10k)


def vocabulary() -> list[str]:
    """Words of real article bodies (aeb-dev when present, else the seeds), most frequent first."""
    if AEB.exists():
        text = " ".join(v["articleBody"] for v in json.loads(AEB.read_text()).values())
    else:
        text = " ".join(p.read_text() for p in SEEDS.glob("*.txt"))
    counts: dict[str, int] = {}
    for w in text.split():
        counts[w] = counts.get(w, 0) + 1
    return sorted(counts, key=lambda w: -counts[w])


def filler_text(i: int, vocab: list[str]) -> str:
    """A deterministic synthetic article: Zipf-sampled words in sentences and paragraphs."""
    rnd = random.Random(i)
    paras = []
    for _ in range(rnd.randint(5, 12)):
        sentences = []
        for _ in range(rnd.randint(2, 4)):
            n = rnd.randint(8, 24)
            words = [vocab[min(int(rnd.paretovariate(1.1)) - 1, len(vocab) - 1)] for _ in range(n)]
            sentences.append(" ".join(words).capitalize() + ".")
        paras.append(" ".join(sentences))
    if rnd.random() < 0.3:
        paras.append(rnd.choice(STOCK))
    return "\n\n".join(paras)


def _fingerprint(args: tuple[int, list[str]]) -> tuple[str, list, dict, str, bytes, dict[str, int]]:
    """A filler text made and fingerprinted, with what its rows need that costs CPU (in the worker, not the
    one writer): its band keys each once, its SHA-256, its compressed bytes and its passages (sentence
    hashes, as `add` stores them for boilerplate: a stock line recurs in ~7% of the filler each)."""
    i, vocab = args
    body = filler_text(i, vocab)
    fps = fingerprint_text(body)
    raw = body.encode()
    keys = {fp.kind: sorted(set(band_keys(fp))) for fp in fps}
    return body, fps, keys, hashlib.sha256(raw).hexdigest(), blob_compress(raw), dict(passages(body))


BULK_TABLES = (Blob, TextRow, FingerprintRow, FingerprintBand, TextPassage, CaptureRow)


def bulk_load(archive: Archive, start: int, stop: int, vocab: list[str], jobs: int) -> tuple[float, float]:
    """Load filler texts [start, stop) as captures; returns (fingerprinting texts/s, texts written/s).

    One transaction (`archiver.store.bulk.bulk_loading`: on PostgreSQL the tables' indexes and foreign keys
    dropped first and made again at the end), each batch written in a few statements (COPY on PostgreSQL,
    executemany on SQLite) while the workers fingerprint the next, then the planner's statistics refreshed,
    as a real bulk import does. Writing counts everything but waiting for the fingerprints.
    """
    t0 = time.perf_counter()
    wait = 0.0
    now = datetime(2024, 1, 1, tzinfo=UTC)
    batch = 2000
    with ProcessPoolExecutor(jobs) as pool, archive.session() as session:
        fingerprinted = pool.map(_fingerprint, [(i, vocab) for i in range(start, stop)], chunksize=50)
        with bulk_loading(session, [t.__table__ for t in BULK_TABLES]):
            for lo in range(start, stop, batch):
                f0 = time.perf_counter()
                results = [next(fingerprinted) for _ in range(lo, min(stop, lo + batch))]
                wait += time.perf_counter() - f0
                write_batch(session, lo, results, now, ordered=False)
        analyze(session, [t.__table__ for t in BULK_TABLES])
        session.commit()
    total = time.perf_counter() - t0
    write_time = total - wait
    n = stop - start
    print(f"  loaded {n} filler texts in {total:.0f}s ({n / total:.0f} texts/s; writing {write_time:.1f}s: "
          f"{n / write_time:.0f} texts/s)", flush=True)
    return n / total, (n / write_time if write_time else 0.0)


def write_batch(  # type: ignore[no-untyped-def]
    session, lo: int, results: list, now: datetime, ordered: bool = True
) -> None:
    """One batch of filler texts as blobs, texts, fingerprints, band keys and captures: a statement a table.

    `ordered`: band rows in primary-key order, for a table whose index is kept up row by row (an indexed
    table's key pages are then visited once per batch, not once per row); a load whose indexes are made at
    the end (`bulk_loading`) need not sort them.
    """
    blobs, texts = [], []
    for body, _, _, digest, compressed, _ in results:
        blobs.append((digest, len(body.encode()), BLOB_COMPRESSION, compressed))
        texts.append({"sha256": digest, "body": body, "chars": len(body), "words": len(body.split())})
    bulk_insert(session, Blob.__table__, blobs, columns=("sha256", "size", "compression", "data"))
    ids = bulk_insert_returning_ids(session, TextRow.__table__, texts)
    fingerprints, bands, captures, sentences = [], [], [], []
    for k, ((_, fps, keys, digest, _, held), text_id) in enumerate(zip(results, ids, strict=True)):
        i = lo + k
        fingerprints += [{"text_id": text_id, "kind": fp.kind, "algorithm": fp.algorithm, "version": fp.version,
                          "params": fp.params, "value": fp.value} for fp in fps]
        # tuples, not a dict a row: ~128 band rows a text (at 1,000 texts a batch, building and sorting
        # dicts took ~3.5 s of a 7.4 s write under the profiler)
        bands += [(kind, key, text_id) for kind, these in keys.items() for key in these]
        sentences += [(text_id, key, words) for key, words in sorted(held.items())]
        captures.append({
            "blob_sha256": digest, "path": f"filler/{i}.txt", "url": None, "canonical_url": None,
            "content_type": "text/plain", "captured_at": now, "added_at": now, "title": f"Filler {i}",
            "byline": None, "site_name": None, "published": "2024-01-01", "language": "en",
            "extractor": "text", "cleaner_version": 1, "source_publisher": None, "text_id": text_id})
    bulk_insert(session, FingerprintRow.__table__, fingerprints)
    if ordered:
        bands.sort()
    bulk_insert(session, FingerprintBand.__table__, bands, columns=("kind", "band_key", "text_id"))
    bulk_insert(session, TextPassage.__table__, sentences, columns=("text_id", "passage_key", "words"))
    bulk_insert(session, CaptureRow.__table__, captures)


def probe_capture(size: int, k: int) -> InputCapture:
    """A new capture of the NPR story: the 002 page with one sentence changed, so a new text."""
    raw = (SEEDS / "002_d3d4a08ce7f31e88.txt").read_text()
    raw = raw.replace("a significant military prize", f"a significant military prize (probe {size}-{k})")
    return InputCapture(raw.encode(), f"probe-{size}-{k}.txt", None, datetime.now(UTC), "text/plain")


def remove_capture(archive: Archive, capture_id: int) -> None:
    """Take a probe out again (capture, its text, blob), so every probe meets the same family."""
    with archive.session() as session:
        row = session.get(CaptureRow, capture_id)
        text, blob = session.get(TextRow, row.text_id), session.get(Blob, row.blob_sha256)
        session.delete(row)
        session.flush()
        session.delete(text)
        session.delete(blob)
        session.commit()


def filler_capture(size: int, k: int, vocab: list[str]) -> InputCapture:
    """A new filler text (never bulk-loaded) as a plain-text capture: the degenerate probe."""
    body = filler_text(10_000_000 + size * 10 + k, vocab)
    return InputCapture(body.encode(), f"filler-probe-{size}-{k}.txt", None, datetime.now(UTC), "text/plain")


def measure_filler(
    archive: Archive, size: int, vocab: list[str], probes: int, first: int = 0
) -> dict[str, list[float]]:
    """Add degenerate probes: add time, candidate lookup time, candidates, texts verified (medians)."""
    add_ms, lookup_ms, candidates, verified = [], [], [], []
    real = candidate_policy.compare_texts
    calls = [0]

    def counting(a, b):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return real(a, b)

    candidate_policy.compare_texts = counting
    try:
        for k in range(first, first + probes):
            calls[0] = 0
            t0 = time.perf_counter()
            result = add_one(archive, filler_capture(size, k, vocab))
            add_ms.append((time.perf_counter() - t0) * 1000)
            verified.append(calls[0])
            assert result.status == "new", result
            ms, found = timed_lookup(archive, result.id)
            lookup_ms.append(ms)
            candidates.append(found)
            remove_capture(archive, result.id)
    finally:
        candidate_policy.compare_texts = real
    return {"filler_add_ms": add_ms, "filler_lookup_ms": lookup_ms, "filler_candidates": candidates,
            "filler_verified": verified}


PG_LOG = Path("/var/log/postgresql")  # where Debian's PostgreSQL writes its server log (auto_explain's plans)
EXPLAIN_OPTIONS = ("-csession_preload_libraries=auto_explain -cauto_explain.log_min_duration=0"
                   " -cauto_explain.log_analyze=on -cauto_explain.log_buffers=on -cauto_explain.log_timing=on")


def explain_one_add(db: str, size: int, out: Path) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement of one add, from the server's auto_explain.

    One more probe is added on a connection that loads auto_explain (a superuser's session setting), so
    the statements the writer runs on the driver's cursor are planned and logged like any other; the
    plans are cut from the server log into `out` and the slowest are printed.
    """
    logs = sorted(PG_LOG.glob("postgresql-*.log"))
    if not logs:
        print("  (no PostgreSQL server log readable here: no plans)")
        return
    log = logs[-1]
    start = log.stat().st_size
    joined = "&" if "?" in db else "?"
    if "options=" in db:
        url = db.replace("options=", "options=" + EXPLAIN_OPTIONS.replace(" ", "%20").replace("=", "%3D") + "%20", 1)
    else:
        url = db + joined + "options=" + EXPLAIN_OPTIONS.replace(" ", "%20").replace("=", "%3D")
    with Archive(database_url(url)) as archive:
        result = add_one(archive, probe_capture(size, 99))
    text = log.read_bytes()[start:].decode("utf-8", "replace")
    with Archive(database_url(db)) as archive:
        remove_capture(archive, result.id)
    plans = [p for p in text.split("LOG:  duration: ")[1:] if "Query Text:" in p]
    timed = sorted(((float(p.split(" ms", 1)[0]), p) for p in plans), reverse=True)
    with out.open("a") as fh:
        fh.write(f"==== one add at {size} texts: {len(plans)} statements ====\n")
        for ms, plan in timed:
            fh.write(f"-- {ms:.3f} ms\n{plan.strip()}\n\n")
    print(f"  plans of one add ({len(plans)} statements) in {out}; slowest:")
    for ms, plan in timed[:4]:
        query = plan.split("Query Text:", 1)[1].strip().splitlines()[0][:110]
        print(f"    {ms:8.3f} ms  {query}")


def timed_lookup(archive: Archive, capture_id: int) -> tuple[float, int]:
    """(ms, count) of the candidate lookup for a stored capture's text, its fingerprints made beforehand."""
    with archive.session() as session:
        row = session.get(CaptureRow, capture_id)
        body = session.get(TextRow, row.text_id).body
        bands, held = {fp.kind: band_keys(fp) for fp in fingerprint_text(body)}, band_shingles(body)
        t1 = time.perf_counter()
        found = candidates_by_bands(session, row.text_id, bands, held)
        return (time.perf_counter() - t1) * 1000, len(found)


def measure(archive: Archive, size: int, npr_id: int, first: int = 0) -> dict[str, list[float]]:
    """PROBES adds of new copies of the NPR story (probes first..first+PROBES-1): per-probe figures."""
    add_ms, lookup_ms, lineage_ms, candidates = [], [], [], []
    for k in range(first, first + PROBES):
        cap = probe_capture(size, k)
        t0 = time.perf_counter()
        result = add_one(archive, cap)
        add_ms.append((time.perf_counter() - t0) * 1000)
        assert result.status == "new" and result.relation in ("copy", "identical"), result
        ms, found = timed_lookup(archive, result.id)
        lookup_ms.append(ms)
        candidates.append(found)
        t2 = time.perf_counter()
        query.lineage(archive, str(npr_id))
        lineage_ms.append((time.perf_counter() - t2) * 1000)
        remove_capture(archive, result.id)
    return {"add_ms": add_ms, "lookup_ms": lookup_ms, "lineage_ms": lineage_ms, "candidates": candidates}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--db", default=None,
                    help="SQLite path prefix (BASE-SIZE.db) or a PostgreSQL database URL (a schema per size); "
                         "default: temporary SQLite files")
    ap.add_argument("--jobs", type=int, default=2, help="processes for fingerprinting the filler")
    ap.add_argument("--filler-probes", type=int, default=FILLER_PROBES,
                    help="degenerate probes per size (0: none)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of probes, each over every size in turn")
    ap.add_argument("--reuse", action="store_true",
                    help="keep archives a run before loaded (SQLite files BASE-SIZE.db, PostgreSQL schemas scale_SIZE)")
    ap.add_argument("--schema", default="scale",
                    help="PostgreSQL: the schemas are PREFIX_SIZE (dropped at the end unless --reuse)")
    ap.add_argument("--explain", type=Path, default=None, metavar="FILE",
                    help="PostgreSQL: write EXPLAIN (ANALYZE, BUFFERS) of every statement of one add at each size here")
    ap.add_argument("--baseline", type=Path, default=None,
                    help="a checkout (e.g. ../main) whose archiver is measured first, the same way")
    args = ap.parse_args()
    if args.baseline is not None:
        print(f"== baseline: the archiver of {args.baseline.resolve()} ==", flush=True)
        argv = [sys.executable, __file__, "--sizes", args.sizes, "--jobs", str(args.jobs),
                "--filler-probes", str(args.filler_probes)]
        env = {**os.environ, "ARCHIVE_SCALE_CODE": str(args.baseline.resolve())}
        subprocess.run(argv, env=env, check=True)
        print(f"\n== this checkout: {ROOT} ==", flush=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    vocab = vocabulary()
    tmp = tempfile.TemporaryDirectory()
    base = args.db or str(Path(tmp.name) / "scale")
    speeds: list[float] = []
    writes: list[float] = []
    dbs: dict[int, str] = {}
    npr: dict[int, int] = {}
    for size in sizes:  # one archive per size, each loaded from empty (or kept from a run before: --reuse)
        dbs[size] = archive_location(base, size, args.reuse, args.schema)
        print(f"size {size}: {display_url(database_url(dbs[size]))}", flush=True)
        with Archive(database_url(dbs[size])) as archive:
            npr[size], held = seed(archive)
            if held < size:
                fp_rate, write_rate = bulk_load(archive, held, size, vocab, args.jobs)
                speeds.append(fp_rate)
                writes.append(write_rate)
    # the sizes measured in turn, round after round, so a busy spell of the machine falls on all of them
    figures: dict[int, dict[str, list[float]]] = {size: {} for size in sizes}
    for round_ in range(args.rounds):
        for size in sizes:
            with Archive(database_url(dbs[size])) as archive:
                got = measure(archive, size, npr[size], first=round_ * PROBES)
                if args.filler_probes:
                    got |= measure_filler(archive, size, vocab, args.filler_probes, first=round_ * args.filler_probes)
            for key, values in got.items():
                figures[size].setdefault(key, []).extend(values)
        print(f"  round {round_ + 1}/{args.rounds} measured", flush=True)
    rows = {size: {k: statistics.median(v) for k, v in f.items()} for size, f in figures.items()}
    for size in sizes:
        if args.explain is not None and dbs[size].startswith("postgres"):
            explain_one_add(dbs[size], size, args.explain)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"archiver: {Path(archiver.__file__).resolve().parent}")
    print(f"{'texts':>8} {'add ms':>8} {'lookup ms':>10} {'lineage ms':>11} {'candidates':>11}"
          + ("   | degenerate probe: add ms, lookup ms, candidates, verified" if args.filler_probes else ""))
    for size, r in rows.items():
        line = (f"{size:>8} {r['add_ms']:>8.1f} {r['lookup_ms']:>10.2f} {r['lineage_ms']:>11.1f}"
                f" {r['candidates']:>11.0f}")
        if args.filler_probes:
            line += (f"   | {r['filler_add_ms']:>9.1f} {r['filler_lookup_ms']:>9.2f}"
                     f" {r['filler_candidates']:>9.0f} {r['filler_verified']:>9.0f}")
        print(line)
    lo, hi = rows[sizes[0]], rows[sizes[-1]]
    print(f"ratio {sizes[-1]}/{sizes[0]}: add {hi['add_ms'] / lo['add_ms']:.2f}, "
          f"lineage {hi['lineage_ms'] / lo['lineage_ms']:.2f} (target <= 1.25); "
          f"lookup median at {sizes[-1]}: {hi['lookup_ms']:.2f} ms (target < 10)")
    if args.filler_probes:
        ratio = hi["filler_add_ms"] / lo["filler_add_ms"]
        print(f"degenerate probe, ratio {sizes[-1]}/{sizes[0]}: add {ratio:.2f}; "
              f"candidates {lo['filler_candidates']:.0f} -> {hi['filler_candidates']:.0f}, "
              f"verified {lo['filler_verified']:.0f} -> {hi['filler_verified']:.0f}")
    if speeds:
        print(f"bulk load: {statistics.median(speeds):.0f} texts/s in all (fingerprinting in {args.jobs} processes"
              f" included), writing {statistics.median(writes):.0f} texts/s; peak RSS {peak_mb:.0f} MB")
    tmp.cleanup()
    if not args.reuse and "://" in base:  # the schemas this run made (a shared server: nothing left behind)
        admin = create_engine(database_url(base))
        with admin.begin() as conn:
            for size in sizes:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{args.schema}_{size}" CASCADE'))
        admin.dispose()


def archive_location(base: str, size: int, reuse: bool, prefix: str = "scale") -> str:
    """The archive of one size: `BASE-SIZE.db` for SQLite; on PostgreSQL the schema `PREFIX_SIZE` of the
    database BASE names, made afresh unless `reuse` keeps one a run before loaded (and then kept)."""
    if "://" not in base:
        path = Path(f"{base}-{size}.db")
        if not reuse:
            for stale in path.parent.glob(path.name + "*"):
                stale.unlink()
        return str(path)
    schema = f"{prefix}_{size}"
    admin = create_engine(database_url(base))
    with admin.begin() as conn:
        if not reuse:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    admin.dispose()
    return base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}"


def seed(archive: Archive) -> tuple[int, int]:
    """The five seeds added (once; a kept archive has them): the NPR capture's id, and the filler held."""
    with archive.session() as session:
        held = session.scalar(select(func.count()).select_from(CaptureRow).where(CaptureRow.path.like("filler/%")))
        found = session.scalar(select(CaptureRow.id).where(CaptureRow.path == "001_0231a191aae85b60.txt"))
    if found is None:
        for f in sorted(SEEDS.glob("*.txt")):
            r = add_one(archive, InputCapture(f.read_bytes(), f.name, None, datetime(2021, 8, 9, tzinfo=UTC),
                                              "text/plain"))
            if f.name.startswith("001"):
                found = r.id
    assert found is not None
    return found, held or 0


if __name__ == "__main__":
    main()
