"""Cleaning quality on aeb-dev: plain trafilatura (favor_precision) vs our `clean_html`, in one run.

Prints shingle precision / recall / F1 (the benchmark's own scoring, `benchmarks.scoring`), pages per second
of each, and the pages where ours is more than 0.05 F1 below trafilatura on that page.

    python benchmarks/clean_html_aeb.py [DATA_DIR] [--show N] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura  # noqa: E402

from archiver.clean.html import clean_html  # noqa: E402
from archiver.errors import InputError  # noqa: E402
from benchmarks.scoring import PageScore, score_page, score_pages  # noqa: E402

DEFAULT_DATA = (Path(__file__).resolve().parents[2] / "shared" / "data" / "aeb-dev")
WORSE_BY = 0.05  # a page counts as a regression when ours is this much F1 below trafilatura on it


def page_f1(s: PageScore) -> float:
    """F1 of one page (0 when nothing matched)."""
    p, r = s.precision or 0.0, s.recall or 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def load_pages(data: Path) -> list[tuple[str, str, str | None, str]]:
    """(id, html, url, true body) for every page with ground truth, sorted by id."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for pid in sorted(truth):
        raw = gzip.decompress((data / "html" / f"{pid}.html.gz").read_bytes())
        pages.append((pid, raw.decode("utf-8", errors="replace"), truth[pid].get("url"), truth[pid]["articleBody"]))
    return pages


def run_trafilatura(html: str, url: str | None) -> str:
    """Plain trafilatura, favor_precision, no dedup: the baseline."""
    return trafilatura.extract(html, url=url, favor_precision=True, deduplicate=False) or ""


def run_ours(html: str, url: str | None) -> str:
    """Our cleaner's body text ("" when it raises InputError)."""
    try:
        return clean_html(html, url=url).text
    except InputError:
        return ""


def main() -> None:
    """Run both extractors over the pages and print the comparison."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--show", type=int, default=0, help="list the N pages where ours loses most F1")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = ap.parse_args()
    pages = load_pages(args.data)

    results: dict[str, list[PageScore]] = {}
    rates: dict[str, float] = {}
    for name, fn in (("trafilatura-precision", run_trafilatura), ("archive clean_html", run_ours)):
        start = time.perf_counter()
        outs = [fn(html, url) for _, html, url, _ in pages]
        rates[name] = len(pages) / (time.perf_counter() - start)
        results[name] = [score_page(true, out) for (_, _, _, true), out in zip(pages, outs, strict=True)]

    base, ours = results["trafilatura-precision"], results["archive clean_html"]
    deltas = sorted(((page_f1(o) - page_f1(b), pid) for (pid, *_), b, o in zip(pages, base, ours, strict=True)))
    worse = [(d, pid) for d, pid in deltas if d < -WORSE_BY]
    summary = {
        name: {**vars(score_pages(res)), "pages_per_s": round(rates[name], 1)} for name, res in results.items()
    }
    summary["worse_than_trafilatura_by_0.05"] = {"count": len(worse), "pages": [pid for _, pid in worse]}
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"{'extractor':24} {'P':>7} {'R':>7} {'F1':>7} {'pages/s':>8}   ({len(pages)} pages, {args.data})")
    for name, res in results.items():
        s = score_pages(res)
        print(f"{name:24} {s.precision:7.4f} {s.recall:7.4f} {s.f1:7.4f} {rates[name]:8.1f}")
    print(f"pages where ours is > {WORSE_BY} F1 below trafilatura: {len(worse)} {[p[:10] for _, p in worse]}")
    extra_ms = 1000 * (1 / rates["archive clean_html"] - 1 / rates["trafilatura-precision"])
    print(
        f"extra cost of our repairs: {rates['trafilatura-precision'] / rates['archive clean_html']:.2f}x time "
        f"({extra_ms:+.1f} ms per page over trafilatura alone)"
    )
    for d, pid in deltas[: args.show]:
        print(f"  {pid[:12]} {d:+.3f}")


if __name__ == "__main__":
    main()
