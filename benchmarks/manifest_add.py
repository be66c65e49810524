"""`archive add --manifest` (one process) against one `archive add FILE --url URL` per file: same archive, time.

N local pages from aeb-dev (the 97 pages repeated, each copy byte-distinct by a trailing HTML comment), each
with its own URL and capture time, are added twice to fresh SQLite archives: once by one `archive add
--manifest pages.csv --jobs 1`, once by N processes `archive add PAGE --url URL` (what a crawl had to do
before manifests; the capture time is then the file's mtime, set to the manifest's time beforehand). Prints
both wall times and checks the two archives hold the same captures (bytes, URL, capture time, clean text)
and the same lineage (by the captures' bytes).

    python benchmarks/manifest_add.py [--pages 2000] [--single-sample K] [--keep DIR] [DATA_DIR]

`--single-sample K` runs only the first K pages as single adds (2,000 of them take most of an hour on this
machine) and prints their time projected to all pages, labelled PROJECTED; the same-archive check is then
made on those K pages (one manifest of the same K pages against the K single adds).

Measured (2-core machine shared with other work, load ~3, SQLite, `--pages 2000 --single-sample 50`):
one `add --manifest` of 2,000 pages 98.6 s (20.3 pages/s, measured); 50 single adds 69.0 s (0.72 pages/s,
measured); 2,000 single adds PROJECTED ~2,759 s (~0.8 h) at the sample's rate, ~28x; the same archive on the
50 pages. Earlier, `--pages 100` with all 100 single adds measured: --manifest 13.4 s, single adds 336.7 s, 25x.
A single add pays for starting Python, importing the cleaner and opening the archive.

`--pages 2000`, all 2,000 single adds measured (2026-12-06, load ~2): one `add --manifest` 170.2 s (11.8 pages/s),
2,000 single adds 2,564.3 s (0.78 pages/s), 15.1x, and the two archives differed (same at 50 and 300 pages).
Likely cause, not proven (that run's archives are gone): the code changed during that run. It lasted ~46 min
and its figures were committed at 08:35, so it started by ~07:50; main's cleaner changed at 08:00:41 (merge
5fa6beb: CLEANER_VERSION 2 -> 3) and 08:03 (d18df48). Run from an editable checkout, its manifest (the first
~3 min) cleaned with version 2 and the later single adds, each a new process, with version 3: of the 97
aeb-dev pages, 19 get another clean text from 5fa6beb^1's cleaner than from 5fa6beb's. The run now hashes the
archiver source the `archive` command imports before and after (`code_digest`) and reports such a run VOID.

Re-run on one fixed code (archiver/ as on main 7be05f8, copied aside so edits could not reach it; `--pages
2000 --keep DIR`, 2026-12-06 09:36-10:45, load 2.5-10 from other work): one `add --manifest` of the 2,000
pages 560.7 s (3.6 pages/s; load ~8); single adds measured for the first 1,147 pages in ~3,590 s (3.1 s an
add, 0.32 pages/s) when the run was stopped at the deadline: not all 2,000. Then one `add --manifest` of
those 1,147 pages, 75.2 s (load ~2.5), against the 1,147 single adds: **the same archive** (bytes, URL,
capture time, text, lineage). The 2,000-page manifest archive is also the same as an in-process `add()` of the
same manifest made earlier (another process, another hash seed).
**All 2,000 measured on fixed code** (archiver/ and migrations/ as on main a882cf0, copied aside with `git
archive` and run with PYTHONPATH so no edit could reach it; `--pages 2000 --keep DIR`, 2026-12-06 10:53-11:36,
load 2-7 from other work, a CI run among it): one `add --manifest` of 2,000 pages **118.4 s** (16.9 pages/s),
2,000 single `add FILE --url URL` **2,719.9 s** (0.74 pages/s), **23.0x**; **the same archive** (bytes, URL,
capture time, text and lineage): True. The commits after a882cf0 change PostgreSQL's write locks and lineage
precedence, not the batch path.
Checked besides, same code: in one process, 2,000 copies cleaned one after another give every copy of a source
the same article (no cleaner state carried from page to page); the 97 pages clean alike under PYTHONHASHSEED 1
and 2; in the 2,000-page manifest archive every capture's stored site-template counts equal those `archive
reprocess` computes (`SitePool`) and its removed template is what they make; in-process, 1,000 pages in one
manifest = 1,000 single adds. tests/test_manifest.py keeps the small case (6 stories x 6 copies on one site:
template, re-cleans, twins, more holders than one page) row for row, and in reverse order.
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "aeb-dev"


def archive_command() -> list[str]:
    script = Path(sys.executable).parent / "archive"
    return [str(script)] if script.exists() else [sys.executable, "-m", "archiver"]


def code_digest() -> str:
    """SHA-256 of the source of the `archiver` package the `archive` command imports (its .py files and
    migrations): a run whose code changed part way (a merge into the checkout it runs from) measures two
    programs, and its two archives may differ for that reason alone."""
    import hashlib

    found = subprocess.run([sys.executable, "-P", "-c", "import archiver, sys; sys.stdout.write(archiver.__path__[0])"],
                           check=True, capture_output=True, text=True).stdout
    package = Path(found)
    files = sorted([*package.rglob("*.py"), *package.parent.joinpath("migrations").rglob("*.py")])
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def make_pages(data: Path, folder: Path, n: int) -> list[tuple[Path, str, datetime]]:
    """N byte-distinct page files with a URL and a capture time each."""
    sources = sorted((data / "html").iterdir())
    start = datetime(2024, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        src = sources[i % len(sources)]
        raw = src.read_bytes()
        if src.suffix == ".gz":
            import gzip

            raw = gzip.decompress(raw)
        page = folder / f"page{i:05d}.html"
        page.write_bytes(raw + f"\n<!-- copy {i} -->".encode())
        when = start + timedelta(minutes=i)
        os.utime(page, (when.timestamp(), when.timestamp()))
        out.append((page, f"https://bench.example/{src.stem}/{i}", when))
    return out


def snapshot(db: Path) -> tuple[set[tuple], set[tuple]]:
    """The archive's captures (bytes, URL, capture time, text) and lineage edges (child bytes, parent bytes)."""
    con = sqlite3.connect(db)
    captures = set(con.execute(
        "SELECT c.blob_sha256, c.url, c.captured_at, t.sha256 FROM capture c JOIN text t ON t.id = c.text_id"
    ))
    edges = set(con.execute(
        "SELECT c.blob_sha256, p.blob_sha256, e.relation FROM lineage_edge e "
        "JOIN capture c ON c.id = e.child_id JOIN capture p ON p.id = e.parent_id"
    ))
    con.close()
    return captures, edges


def first_difference(a: Path, b: Path) -> str:
    """The first capture (in the order added) whose URL, time, text or lineage edge differs between two archives."""
    rows = []
    for db in (a, b):
        con = sqlite3.connect(db)
        rows.append({r[0]: r[1:] for r in con.execute(
            "SELECT c.blob_sha256, c.url, c.captured_at, t.sha256, p.blob_sha256, e.relation FROM capture c "
            "JOIN text t ON t.id = c.text_id LEFT JOIN lineage_edge e ON e.child_id = c.id "
            "LEFT JOIN capture p ON p.id = e.parent_id ORDER BY c.captured_at, c.blob_sha256"
        )})
        con.close()
    for blob in [*rows[0], *(x for x in rows[1] if x not in rows[0])]:
        if rows[0].get(blob) != rows[1].get(blob):
            return f"first difference: capture {blob[:12]}: {rows[0].get(blob)} vs {rows[1].get(blob)}"
    return "no capture differs"


def write_manifest(path: Path, pages: list[tuple[Path, str, datetime]]) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["path", "page_url", "captured_at"])
        for page, url, when in pages:
            writer.writerow([f"pages/{page.name}", url, when.isoformat()])


def manifest_add(db: Path, manifest: Path) -> float:
    """Seconds for one `archive add --manifest`."""
    started = time.perf_counter()
    subprocess.run([*archive_command(), "add", "--db", str(db), "--manifest", str(manifest), "--jobs", "1",
                    "--quiet"], check=True)
    return time.perf_counter() - started


def single_adds(db: Path, pages: list[tuple[Path, str, datetime]]) -> float:
    """Seconds for one `archive add PAGE --url URL` process per page."""
    started = time.perf_counter()
    for page, url, _ in pages:
        subprocess.run([*archive_command(), "add", "--db", str(db), str(page), "--url", url, "--jobs", "1",
                        "--quiet"], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR",
                        help="Build in DIR (made if missing) and keep the pages and both archives there, to diff.")
    parser.add_argument("--single-sample", type=int, default=None, metavar="K",
                        help="Run only the first K pages as single adds and project their time to all pages "
                             "(the same-archive check is then made on those K pages). Default: all pages.")
    args = parser.parse_args()
    n = args.pages
    k = min(args.single_sample or n, n)
    code = code_digest()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) if args.keep is None else args.keep
        (root / "pages").mkdir(parents=True)
        pages = make_pages(args.data, root / "pages", n)
        write_manifest(root / "pages.csv", pages)
        manifest_s = manifest_add(root / "manifest.db", root / "pages.csv")
        print(f"measured: {n} pages in one add --manifest: {manifest_s:.1f} s ({n / manifest_s:.1f} pages/s)",
              flush=True)
        single_s = single_adds(root / "single.db", pages[:k])
        if k < n:  # the same archive, checked on the pages both sides ran
            write_manifest(root / "sample.csv", pages[:k])
            manifest_add(root / "sample.db", root / "sample.csv")
            same = snapshot(root / "sample.db") == snapshot(root / "single.db")
        else:
            same = snapshot(root / "manifest.db") == snapshot(root / "single.db")
        if not same:
            print(first_difference(root / ("sample.db" if k < n else "manifest.db"), root / "single.db"))
    print(f"measured: {k} single adds: {single_s:.1f} s ({k / single_s:.2f} pages/s)")
    if k < n:
        projected = single_s / k * n
        print(f"PROJECTED, not measured: {n} single adds ~{projected:.0f} s (~{projected / 3600:.1f} h) at the "
              f"sample's rate (each add assumed to cost what the sample's did; they may slow as the archive "
              f"grows); ~{projected / manifest_s:.0f}x the manifest")
    else:
        print(f"{n} single adds / one manifest: {single_s / manifest_s:.1f}x")
    print(f"same archive ({'the first ' + str(k) + ' pages, ' if k < n else ''}bytes, URL, capture time, "
          f"text and lineage): {same}")
    if code_digest() != code:
        print("VOID: the archiver source changed during the run; the two sides ran different code")
        sys.exit(1)
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
