"""How well does the plain-text cleaner clean real pages?  (aeb-dev: 97 pages with ground-truth bodies.)

Each page is rendered to plain text by two renderers (inscriptis, lxml ``text_content()`` with scripts
and styles dropped), then scored with the benchmark's shingle F1 both as-is ("no cleaning") and after
``clean_text``.  Usage: python benchmarks/clean_text_aeb.py [--data DIR] [--worst N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Callable
from pathlib import Path

import lxml.html
from inscriptis import get_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from archiver.clean.text import clean_text  # noqa: E402
from scoring import PageScore, score_page, score_pages  # noqa: E402

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


def main() -> None:
    """Print P/R/F1 per renderer, no cleaning vs clean_text."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--worst", type=int, default=0, help="list the N worst pages per renderer")
    args = ap.parse_args()
    truth = json.loads((args.data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {
        key: gzip.decompress((args.data / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        for key in sorted(truth)
    }
    print(f"aeb-dev: {len(pages)} pages; shingle (4-token) precision / recall / F1, averaged over pages")
    print(f"{'renderer':<12} {'cleaning':<12} {'P':>6} {'R':>6} {'F1':>6}")
    for rname, render in RENDERERS.items():
        raw: list[PageScore] = []
        cleaned: list[tuple[str, PageScore]] = []
        for key, html in pages.items():
            true = truth[key].get("articleBody", "")
            text = render(html)
            raw.append(score_page(true, text))
            cleaned.append((key, score_page(true, clean_text(text).text)))
        for label, scores in (("none", raw), ("clean_text", [s for _, s in cleaned])):
            sc = score_pages(scores)
            print(f"{rname:<12} {label:<12} {sc.precision:6.3f} {sc.recall:6.3f} {sc.f1:6.3f}")
        if args.worst:
            def page_f1(s: PageScore) -> float:
                p, r = s.precision or 0.0, s.recall or 0.0
                return 2 * p * r / (p + r) if p + r else 0.0

            for key, s in sorted(cleaned, key=lambda ks: page_f1(ks[1]))[: args.worst]:
                print(f"   {key[:12]} P={s.precision or 0:.2f} R={s.recall or 0:.2f} F1={page_f1(s):.2f}")


if __name__ == "__main__":
    main()
