"""How well does the plain-text cleaner clean real pages?  (aeb-dev: 97 pages with ground-truth bodies.)

Each page is rendered to plain text by two renderers (inscriptis, lxml ``text_content()`` with scripts
and styles dropped), then scored with the benchmark's shingle F1 both as-is ("no cleaning") and after
``clean_text``.  Pages are split by index: even-indexed pages (sorted by id) were used to tune the
plain-text cleaner, odd-indexed pages are held out; F1 is printed for each half and for all.  Speed:
pages/s of each renderer, of ``clean_text`` on its output, and of trafilatura alone on the HTML of the
same pages, for comparison.  Usage: python benchmarks/clean_text_aeb.py [--data DIR] [--worst N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html
import trafilatura
from inscriptis import get_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scoring import PageScore, score_page, score_pages  # noqa: E402

from archiver.clean.text import clean_text  # noqa: E402

DEFAULT_DATA = (Path(__file__).resolve().parents[2] / "shared" / "data" / "aeb-dev")


def render_inscriptis(html: str) -> str:
    """Layout-aware text rendering (inscriptis)."""
    return str(get_text(html))


def render_lxml(html: str) -> str:
    """lxml text_content() of the document, scripts and styles dropped."""
    doc = lxml.html.fromstring(html)
    for el in doc.xpath("//script|//style|//noscript|//template"):
        el.drop_tree()
    return str(doc.text_content())


RENDERERS: dict[str, Callable[[str], str]] = {"inscriptis": render_inscriptis, "lxml": render_lxml}


def page_f1(s: PageScore) -> float:
    """F1 of one page (0 when nothing matched)."""
    p, r = s.precision or 0.0, s.recall or 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def main() -> None:
    """Print P/R/F1 per renderer (no cleaning vs clean_text; tuned, held-out, all) and pages/s."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--worst", type=int, default=0, help="list the N worst pages per renderer")
    args = ap.parse_args()
    truth = json.loads((args.data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {
        key: gzip.decompress((args.data / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        for key in sorted(truth)
    }
    keys = sorted(pages)
    halves = {"even (tuned)": keys[0::2], "odd (held out)": keys[1::2], "all": keys}
    print(f"aeb-dev: {len(pages)} pages; shingle (4-token) precision / recall / F1, averaged over pages")
    print(f"{'renderer':<12} {'cleaning':<12} {'pages':<15} {'P':>6} {'R':>6} {'F1':>6}")
    speed: dict[str, float] = {}
    for rname, render in RENDERERS.items():
        start = time.perf_counter()
        texts = {key: render(html) for key, html in pages.items()}
        speed[f"render {rname}"] = len(pages) / (time.perf_counter() - start)
        start = time.perf_counter()
        cleaned_texts = {key: clean_text(text).text for key, text in texts.items()}
        speed[f"clean_text on {rname}"] = len(pages) / (time.perf_counter() - start)
        raw = {key: score_page(truth[key].get("articleBody", ""), texts[key]) for key in keys}
        cleaned = {key: score_page(truth[key].get("articleBody", ""), cleaned_texts[key]) for key in keys}
        for label, scores in (("none", raw), ("clean_text", cleaned)):
            for half, sel in halves.items():
                if label == "none" and half != "all":
                    continue
                sc = score_pages([scores[k] for k in sel])
                print(f"{rname:<12} {label:<12} {half:<15} {sc.precision:6.3f} {sc.recall:6.3f} {sc.f1:6.3f}")
        if args.worst:
            for key in sorted(keys, key=lambda k: page_f1(cleaned[k]))[: args.worst]:
                s = cleaned[key]
                print(f"   {key[:12]} P={s.precision or 0:.2f} R={s.recall or 0:.2f} F1={page_f1(s):.2f}")
    start = time.perf_counter()
    for html in pages.values():
        trafilatura.extract(html, favor_precision=True, deduplicate=False)
    speed["trafilatura alone (HTML)"] = len(pages) / (time.perf_counter() - start)
    print("speed (pages/s):")
    for name, rate in speed.items():
        print(f"  {name:<28} {rate:8.1f}")
    for rname in RENDERERS:
        both = 1 / (1 / speed[f"render {rname}"] + 1 / speed[f"clean_text on {rname}"])
        print(f"  render {rname} + clean_text: {both:.1f} pages/s, "
              f"{speed['trafilatura alone (HTML)'] / both:.2f}x the time of trafilatura alone")


if __name__ == "__main__":
    main()
