"""Ingest throughput on aeb-dev pages: bare trafilatura vs `archive add --jobs 1` vs `--jobs 2`, in one run.

The 97 aeb-dev pages are repeated to N pages, each copy made byte-distinct by a trailing HTML comment (so
every copy is cleaned, fingerprinted and stored; the copies share their text, as syndicated copies do).
Prints pages/s for:
  - bare trafilatura: `bare_extraction` with the cleaner's own settings, in this process (the baseline);
  - `archive add --jobs 1` and `--jobs 2` on a folder of the N pages (the real command, a fresh database);
  - `archive add --jobs 1` on a WARC written with warcio from the same N pages;
the ratios against the baseline, and the peak RSS of `archive add` at a small and a large batch.

Also, in the same run, the ceiling this machine sets on `--jobs 2 / --jobs 1`: bare trafilatura in two
processes at once against one (independent work, no writer), and the share of CPU time the hypervisor
took from this machine during each run (`steal` in /proc/stat), which slows two busy cores more than one.

    python benchmarks/ingest_throughput.py [--pages 2000] [--small 1000] [--large 10000] [--skip-memory]
                                           [--rounds 3]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_DATA = (Path(__file__).resolve().parents[2] / "shared" / "data" / "aeb-dev" / "html")
ARCHIVE = [str(Path(sys.executable).parent / "archive")]


def load_pages(data: Path) -> list[bytes]:
    return [gzip.decompress(p.read_bytes()) for p in sorted(data.glob("*.html.gz"))]


def page_copies(pages: list[bytes], n: int) -> list[bytes]:
    """n pages: the originals repeated, copies made byte-distinct by a trailing comment."""
    return [pages[i % len(pages)] + (f"\n<!-- copy {i // len(pages)} -->".encode() if i >= len(pages) else b"")
            for i in range(n)]


def write_folder(pages: list[bytes], folder: Path) -> None:
    folder.mkdir(parents=True)
    for i, raw in enumerate(pages):
        (folder / f"{i:06d}.html").write_bytes(raw)


def write_warc(pages: list[bytes], path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for i, raw in enumerate(pages):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://example.org/{i:06d}.html", "response", payload=io.BytesIO(raw), http_headers=headers))


def bare_rate(pages: list[bytes]) -> float:
    """Pages/s of trafilatura.bare_extraction alone, with the settings our cleaner uses."""
    from trafilatura import bare_extraction
    from trafilatura.settings import Extractor

    from archiver.clean.html import _SETTINGS

    started = time.perf_counter()
    for raw in pages:
        with contextlib.suppress(Exception):
            bare_extraction(raw.decode("utf-8", errors="replace"), options=Extractor(**_SETTINGS))
    return len(pages) / (time.perf_counter() - started)


def two_processes_at_once(pages: list[bytes]) -> float:
    """Pages/s of bare trafilatura in two processes at once over pages/s in one: what 2 cores give here."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    rates = []
    for n in (1, 2):
        with ProcessPoolExecutor(n, mp_context=context) as pool:
            list(pool.map(bare_rate, [pages[:5]] * n))  # started and warm
            started = time.perf_counter()
            list(pool.map(bare_rate, [pages] * n))
            rates.append(n * len(pages) / (time.perf_counter() - started))
    return rates[1] / rates[0]


def _cpu_ticks() -> tuple[int, int]:
    """(stolen, all) CPU ticks of this machine so far (Linux /proc/stat); (0, 0) elsewhere."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


STOLEN: dict[str, float] = {}  # share of the machine's CPU time the hypervisor took during each run


def stolen_during(name: str, fn, *args):  # type: ignore[no-untyped-def]
    """fn(*args), noting in STOLEN[name] the share of CPU time stolen while it ran."""
    s0, a0 = _cpu_ticks()
    out = fn(*args)
    s1, a1 = _cpu_ticks()
    STOLEN[name] = (s1 - s0) / (a1 - a0) if a1 > a0 else 0.0
    return out


CPU: dict[str, float] = {}  # CPU seconds (user + system, all processes) of each `archive add` run


def archive_add(args: list[str], db: Path) -> tuple[float, str]:
    """Run `archive add`; (seconds, its summary line). Its CPU seconds go to CPU[db.stem]."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(ARCHIVE + ["add", "--quiet", "--db", str(db), *args], capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[db.stem] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.perf_counter() - started, proc.stderr.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--pages", type=int, default=2000, help="pages in the throughput runs (default 2000)")
    parser.add_argument("--small", type=int, default=500, help="small batch for peak memory (default 500)")
    parser.add_argument("--large", type=int, default=2000, help="large batch for peak memory (default 2000)")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--rounds", type=int, default=1,
                        help="rounds of bare / --jobs 1 / --jobs 2, alternating in order; medians printed")
    args = parser.parse_args()

    originals = load_pages(args.data)
    if not originals:
        parser.error(f"no *.html.gz pages in {args.data} (aeb-dev's html folder): name it with --data")
    pages = page_copies(originals, args.pages)
    work = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    try:
        write_folder(pages, work / "pages")
        write_warc(pages, work / "pages.warc.gz")
        print(f"{args.pages} pages ({len(originals)} aeb-dev pages repeated), {os.cpu_count()} cores")
        rounds = [_round(k, pages, work) for k in range(args.rounds)]
        tw, sw = archive_add(["--jobs", "1", str(work / "pages.warc.gz")], work / "warc.db")
        tw2, sw2 = archive_add(["--jobs", "2", str(work / "pages.warc.gz")], work / "warc2.db")
        for k, r in enumerate(rounds):
            print(f"  round {k + 1}: bare trafilatura {r['bare']:.1f}, --jobs 1 {r['jobs 1']:.1f}, --jobs 2 "
                  f"{r['jobs 2']:.1f} pages/s; CPU ms per page: bare {r['bare cpu']:.1f}, --jobs 1 "
                  f"{r['jobs 1 cpu']:.1f}, --jobs 2 {r['jobs 2 cpu']:.1f}; ceiling {r['ceiling']:.2f}x; "
                  "stolen "
                  + ", ".join(f"{name} {100 * v:.0f}%" for name, v in r["stolen"].items()))
        figures = [key for key, value in rounds[0].items() if isinstance(value, float)]
        median = {key: statistics.median(r[key] for r in rounds) for key in figures}
        if len(rounds) > 1:
            print(f"  medians of {len(rounds)} rounds:")
        for name, key in (("bare trafilatura", "bare"), ("archive add --jobs 1", "jobs 1"),
                          ("archive add --jobs 2", "jobs 2")):
            print(f"  {name:30s} {median[key]:7.1f} pages/s")
        print(f"  {'archive add --jobs 1 (WARC)':30s} {args.pages / tw:7.1f} pages/s")
        print(f"  {'archive add --jobs 2 (WARC)':30s} {args.pages / tw2:7.1f} pages/s")
        print(f"  --jobs 1 / bare:  {median['j1/bare']:.2f}x   (target >= 0.8)")
        # --jobs 1 is one cleaning worker plus the writer, which stores while the worker cleans ahead:
        # the CPU time shows the work per page, whatever the overlap
        print(f"  CPU ms per page: bare {median['bare cpu']:.1f}, --jobs 1 {median['jobs 1 cpu']:.1f}, "
              f"--jobs 2 {median['jobs 2 cpu']:.1f}")
        print(f"  --jobs 2 / --jobs 1:  {median['j2/j1']:.2f}x   (target >= 1.7 on 2 free cores)")
        print("  this machine's ceiling: bare trafilatura in 2 processes at once / 1 process: "
              f"{median['ceiling']:.2f}x")
        for line in (rounds[-1]["summary 1"], rounds[-1]["summary 2"], sw, sw2):
            print(f"  summary: {line}")
        if not args.skip_memory:
            for n in (args.small, args.large):
                folder = work / f"mem{n}"
                write_folder(page_copies(originals, n), folder)
                seconds, peak = _peak_of(["--jobs", "1", str(folder)], work / f"mem{n}.db")
                print(f"  peak RSS, {n:6d} pages, --jobs 1: {peak:5d} MB  ({n / seconds:.1f} pages/s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _round(k: int, pages: list[bytes], work: Path) -> dict:  # type: ignore[type-arg]
    """One round of the compared runs: bare, --jobs 1, --jobs 2 (in turn first or last), the ceiling.

    This machine's speed drifts by tens of percent from minute to minute (other tenants of the host), so
    several rounds in alternating order and their medians compare better than one run of each.
    """
    out: dict = {}  # type: ignore[type-arg]
    folder = str(work / "pages")

    def bare() -> None:
        cpu0 = time.process_time()
        out["bare"] = stolen_during("bare", bare_rate, pages)
        out["bare cpu"] = 1000 * (time.process_time() - cpu0) / len(pages)

    def jobs(n: int) -> None:
        args = ["--jobs", str(n), folder]
        db = work / f"r{k}j{n}.db"
        seconds, out[f"summary {n}"] = stolen_during(f"jobs {n}", archive_add, args, db)
        db.unlink()  # each round's archives would otherwise pile up in the work folder (~100 MB each)
        out[f"jobs {n}"] = len(pages) / seconds
        out[f"jobs {n} cpu"] = 1000 * CPU[db.stem] / len(pages)

    steps = [bare, lambda: jobs(1), lambda: jobs(2)]
    for step in steps if k % 2 == 0 else steps[::-1]:
        step()
    out["ceiling"] = stolen_during("ceiling", two_processes_at_once, pages[: min(len(pages), 400)])
    out["stolen"] = dict(STOLEN)
    out["j1/bare"] = out["jobs 1"] / out["bare"]
    out["j2/j1"] = out["jobs 2"] / out["jobs 1"]
    return out


def _peak_of(args: list[str], db: Path) -> tuple[float, int]:
    """(seconds, peak RSS in MB) of one `archive add`, run under a fresh parent (RUSAGE_CHILDREN is a max)."""
    code = (
        "import resource, subprocess, time; t = time.perf_counter(); "
        f"subprocess.run({ARCHIVE + ['add', '--quiet', '--db', str(db), *args]!r}, capture_output=True); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, peak = out.stdout.split()
    return float(seconds), int(peak)


if __name__ == "__main__":
    main()
