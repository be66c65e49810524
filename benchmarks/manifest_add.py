"""`archive add --manifest` (one process) against one `archive add FILE --url URL` per file: same archive, time.

N local pages from aeb-dev (the 97 pages repeated, each copy byte-distinct by a trailing HTML comment), each
with its own URL and capture time, are added twice to fresh SQLite archives: once by one `archive add
--manifest pages.csv --jobs 1`, once by N processes `archive add PAGE --url URL` (what a crawl had to do
before manifests; the capture time is then the file's mtime, set to the manifest's time beforehand). Prints
both wall times and checks the two archives hold the same captures (bytes, URL, capture time, clean text)
and the same lineage (by the captures' bytes).

    python benchmarks/manifest_add.py [--pages 2000] [DATA_DIR]

Measured (2-core machine shared with other work, SQLite, --pages 100; the 2,000 of the issue would take the
single adds ~2 hours here): --manifest 13.4 s (7.5 pages/s), 100 single adds 336.7 s (0.3 pages/s), 25x;
the same archive. A single add pays for starting Python, importing the cleaner and opening the archive.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pages").mkdir()
        pages = make_pages(args.data, root / "pages", args.pages)
        manifest = root / "pages.csv"
        with manifest.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["path", "page_url", "captured_at"])
            for page, url, when in pages:
                writer.writerow([f"pages/{page.name}", url, when.isoformat()])
        one = root / "manifest.db"
        started = time.perf_counter()
        subprocess.run([*archive_command(), "add", "--db", str(one), "--manifest", str(manifest), "--jobs", "1",
                        "--quiet"], check=True)
        manifest_s = time.perf_counter() - started
        many = root / "single.db"
        started = time.perf_counter()
        for page, url, _ in pages:
            subprocess.run([*archive_command(), "add", "--db", str(many), str(page), "--url", url, "--jobs", "1",
                            "--quiet"], check=True, capture_output=True)
        single_s = time.perf_counter() - started
        same = snapshot(one) == snapshot(many)
    n = args.pages
    print(f"{n} pages: --manifest {manifest_s:.1f} s ({n / manifest_s:.1f} pages/s); "
          f"{n} single adds {single_s:.1f} s ({n / single_s:.1f} pages/s); {single_s / manifest_s:.1f}x; "
          f"same archive: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
