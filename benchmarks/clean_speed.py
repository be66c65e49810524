"""Cleaning speed against trafilatura default, page by page in turn, on both data sets.

The machine is shared, so load drifts over a run: each page is cleaned by trafilatura default
(`bare_extraction` with metadata, as `clean_broad.py` runs it) and then by `clean_html`, one after the other,
and each side's time is summed. The ratio of the two sums is the figure to compare; pages/s alone are not.
`--src DIR` imports `archiver` from another checkout (an earlier commit, `git worktree add` or `git archive`),
so the ratio before and after a change is measured the same way.

    python benchmarks/clean_speed.py [--src DIR] [--step N] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Time both extractors on both sets and print pages/s and the ratio."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--src", type=Path, default=ROOT, help="the checkout whose archiver is timed")
    ap.add_argument("--step", type=int, default=1, help="every Nth page of each set")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from benchmarks.clean_broad import DATA, load_aeb, load_wcxb

    sys.path.insert(0, str(args.src.resolve()))
    for name in [m for m in sys.modules if m == "archiver" or m.startswith("archiver.")]:
        del sys.modules[name]
    from trafilatura import bare_extraction

    from archiver.clean.html import clean_html
    from archiver.errors import InputError

    report = {}
    for sname, pages in (("wcxb-dev", load_wcxb(DATA / "wcxb-dev")), ("aeb-dev", load_aeb(DATA / "aeb-dev"))):
        pages = pages[:: args.step]
        ours = base = 0.0
        for page in pages:
            start = time.perf_counter()
            with contextlib.suppress(Exception):  # a baseline that crashes is timed as it ran
                bare_extraction(page.html, url=page.url, with_metadata=True)
            mid = time.perf_counter()
            with contextlib.suppress(InputError):
                clean_html(page.html, url=page.url)
            end = time.perf_counter()
            base += mid - start
            ours += end - mid
        report[sname] = {"pages": len(pages), "trafilatura_default_pages_s": len(pages) / base,
                         "archive_pages_s": len(pages) / ours, "ratio": base / ours}
    if args.json:
        print(json.dumps({"src": str(args.src), **report}, indent=2))
        return
    for sname, r in report.items():
        print(f"{sname} ({r['pages']} pages, {args.src}): archive {r['archive_pages_s']:.2f} pages/s, trafilatura "
              f"default {r['trafilatura_default_pages_s']:.2f} pages/s: {r['ratio']:.2f}x its speed")


if __name__ == "__main__":
    main()
