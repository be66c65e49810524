"""Cleaning on the broad web and on aeb-dev, side by side: our cleaner vs trafilatura default and precision.

Both data sets in one run (issue 21: a cleaner decision is only taken when neither set loses):

- wcxb-dev (711 article pages, 700+ sites): the WCXB scoring (per-page bag-of-words F1 averaged over pages,
  `with` / `without` snippet rates) and metadata (title exact, author, date; see the data README).
- aeb-dev (97 pages): the ScrapingHub shingle F1 (`benchmarks.scoring`), plus the same word F1.
- Plain-text dumps: each page rendered by inscriptis, cleaned by `clean_text`, scored as its set's body;
  the dump's title is counted as wrong when it shares under half its words with the true headline
  (wcxb-dev) or with the HTML cleaner's title (aeb-dev, which has no true title).
- Speed: pages/s of each extractor on the same pages, one process.

    python benchmarks/clean_broad.py [--wcxb DIR] [--aeb DIR] [--no-dumps] [--only-ours] [--worst N] [--json]

Each extractor's word F1 is also printed for the two halves of each set (pages sorted by id, even and odd
positions): a rule tuned on one set must help both halves.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inscriptis import get_text  # noqa: E402
from trafilatura import bare_extraction  # noqa: E402

from archiver.clean.html import clean_html  # noqa: E402
from archiver.clean.text import clean_text  # noqa: E402
from archiver.errors import InputError  # noqa: E402
from benchmarks.scoring import score_page, score_pages  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_WORD = re.compile(r"\w+")


@dataclass
class Page:
    """One benchmark page with its truth (title, author, date are None where the set has none)."""

    pid: str
    html: str
    url: str | None
    body: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    with_: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)


@dataclass
class Output:
    """What one extractor returned for one page."""

    body: str
    title: str | None = None
    author: str | None = None
    date: str | None = None


def load_wcxb(data: Path) -> list[Page]:
    """The wcxb-dev pages, sorted by id."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for pid in sorted(truth):
        t = truth[pid]
        raw = gzip.decompress((data / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8", "replace")
        pages.append(Page(pid, raw, t.get("url"), t["main_content"] or "", t.get("title"), t.get("author"),
                          t.get("publish_date"), t.get("with") or [], t.get("without") or []))
    return pages


def load_aeb(data: Path) -> list[Page]:
    """The aeb-dev pages, sorted by id."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for pid in sorted(truth):
        raw = gzip.decompress((data / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8", "replace")
        pages.append(Page(pid, raw, truth[pid].get("url"), truth[pid]["articleBody"]))
    return pages


# --- extractors ---------------------------------------------------------------------------------------


def _trafilatura(precision: bool) -> Callable[[Page], Output]:
    def run(page: Page) -> Output:
        try:
            doc = bare_extraction(page.html, url=page.url, favor_precision=precision, with_metadata=True)
        except Exception:  # noqa: BLE001 - a baseline that crashes scores as empty
            doc = None
        if doc is None:
            return Output("")
        return Output(doc.text or "", doc.title, doc.author, doc.date)

    return run


def run_ours(page: Page) -> Output:
    """`clean_html` on the page ("" when it refuses the page)."""
    try:
        a = clean_html(page.html, url=page.url)
    except InputError:
        return Output("")
    return Output(a.text, a.title, a.byline, a.published)


EXTRACTORS: dict[str, Callable[[Page], Output]] = {
    "trafilatura default": _trafilatura(False),
    "trafilatura precision": _trafilatura(True),
    "archive clean_html": run_ours,
}


# --- scoring (the WCXB definitions, data README) --------------------------------------------------------


def word_prf(true: str, pred: str) -> tuple[float, float, float]:
    """Bag-of-words precision, recall, F1 of one page."""
    t, p = Counter(_WORD.findall(true.lower())), Counter(_WORD.findall(pred.lower()))
    shared = sum((t & p).values())
    if not t and not p:
        return 1.0, 1.0, 1.0
    prec = shared / sum(p.values()) if p else 0.0
    rec = shared / sum(t.values()) if t else 0.0
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


def title_key(title: str | None) -> str:
    """Unicode-normalised, lowercased, word characters only."""
    return "".join(_WORD.findall(unicodedata.normalize("NFKC", title or "").lower()))


def author_ok(true: str, pred: str | None) -> bool:
    """Every word of the true name is in the byline, with at most two other words."""
    tw = set(_WORD.findall(unicodedata.normalize("NFKC", true).lower()))
    pw = _WORD.findall(unicodedata.normalize("NFKC", pred or "").lower())
    return bool(pw) and tw <= set(pw) and len([w for w in pw if w not in tw]) <= 2


def date_ok(true: str, pred: str | None) -> bool:
    """The same calendar day."""
    return bool(pred) and pred[:10] == true[:10]


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def body_scores(pages: list[Page], outs: list[Output]) -> dict[str, float]:
    """Word P/R/F1 (per-page means), shingle P/R/F1, snippet rates."""
    prf = [word_prf(p.body, o.body) for p, o in zip(pages, outs)]
    f1 = [x[2] for x in prf]
    sh = score_pages(score_page(p.body, o.body) for p, o in zip(pages, outs))
    res = {
        "word_f1": _mean([x[2] for x in prf]), "word_p": _mean([x[0] for x in prf]),
        "word_r": _mean([x[1] for x in prf]), "shingle_f1": sh.f1, "shingle_p": sh.precision,
        "shingle_r": sh.recall,
        # the split-half check of a rule tuned on this set: pages sorted by id, even and odd positions
        "word_f1_even": _mean(f1[0::2]), "word_f1_odd": _mean(f1[1::2]),
    }
    with_hits = [s.lower() in o.body.lower() for p, o in zip(pages, outs) for s in p.with_]
    without_hits = [s.lower() in o.body.lower() for p, o in zip(pages, outs) for s in p.without]
    if with_hits:
        res["with"] = _mean([float(x) for x in with_hits])
        res["without"] = _mean([float(x) for x in without_hits])
    return res


def meta_scores(pages: list[Page], outs: list[Output]) -> dict[str, float]:
    """Title exact, author and date accuracy over the pages that have each truth."""
    titled = [(p, o) for p, o in zip(pages, outs) if p.title]
    authored = [(p, o) for p, o in zip(pages, outs) if p.author]
    dated = [(p, o) for p, o in zip(pages, outs) if p.date]
    if not titled:
        return {}
    return {
        "title": _mean([float(title_key(p.title) == title_key(o.title)) for p, o in titled]),
        "author": _mean([float(author_ok(p.author or "", o.author)) for p, o in authored]),
        "date": _mean([float(date_ok(p.date or "", o.date)) for p, o in dated]),
    }


def run_extractor(fn: Callable[[Page], Output], pages: list[Page]) -> tuple[list[Output], float]:
    """The extractor's outputs and its pages/s."""
    start = time.perf_counter()
    outs = [fn(p) for p in pages]
    return outs, len(pages) / (time.perf_counter() - start)


# --- plain-text dumps -----------------------------------------------------------------------------------


def title_overlap(ref: str | None, got: str | None) -> float:
    """Share of the dump title's words that are in the reference title (0 when either is missing)."""
    g = _WORD.findall((got or "").lower())
    r = set(_WORD.findall((ref or "").lower()))
    return sum(w in r for w in g) / len(g) if g and r else 0.0


# a dump title that is a menu, a button, an address, a reading time or a date: never a headline (issue 21's
# examples: "News | Sports | Opinion | Obituaries", "Skip to content", "Copy Link URL Copied!", an e-mail)
_NAV_TITLE = re.compile(
    r"\|.*\||@\w|https?:|\bwww\.|^skip to|\bcopied\b|\bmin(?:ute)?s? read\b|^[^\w\"'‘“(¿¡]|^o |"
    r"^\d+ min|^\d{4}-\d\d-\d\d$|^(?:menu|search|home|news|sign in|log in|subscribe|share)$",
    re.IGNORECASE,
)


def dump_scores(pages: list[Page], ref_titles: list[str | None]) -> tuple[dict[str, Any], list[Output]]:
    """inscriptis rendering -> clean_text: body scores, title agreement, pages/s of both steps."""
    start = time.perf_counter()
    texts = [str(get_text(p.html)) for p in pages]
    render_rate = len(pages) / (time.perf_counter() - start)
    start = time.perf_counter()
    arts = [clean_text(t) for t in texts]
    clean_rate = len(pages) / (time.perf_counter() - start)
    outs = [Output(a.text, a.title, a.byline, a.published) for a in arts]
    res: dict[str, Any] = body_scores(pages, outs)
    raw = body_scores(pages, [Output(t) for t in texts])
    res["uncleaned_word_f1"], res["uncleaned_shingle_f1"] = raw["word_f1"], raw["shingle_f1"]
    # 0.5: a dump title sharing under half its words with the headline is another line of the page
    wrong = [p.pid for p, o, ref in zip(pages, outs, ref_titles) if ref and title_overlap(ref, o.title) < 0.5]
    res["titles_wrong"] = len(wrong)
    res["titles_wrong_pages"] = wrong
    titled = [(p, o) for p, o in zip(pages, outs) if p.title]
    if titled:  # wcxb-dev: the true headline; aeb-dev has none
        res["title_exact"] = _mean([float(title_key(p.title) == title_key(o.title)) for p, o in titled])
    nav = [p.pid for p, o in zip(pages, outs) if o.title and _NAV_TITLE.search(o.title)]
    res["titles_nav"], res["titles_nav_pages"] = len(nav), nav
    res["render_pages_s"], res["clean_text_pages_s"] = render_rate, clean_rate
    return res, outs


# --- report ---------------------------------------------------------------------------------------------


def speed_line(res: dict[str, Any]) -> str:
    """Our cleaning speed as a ratio of trafilatura default's, measured in the same run."""
    ours, base = res.get("archive clean_html"), res.get("trafilatura default")
    if not ours or not base:
        return "  speed: no trafilatura default in this run"
    return (f"  speed: archive clean_html {ours['pages_s']:.2f} pages/s = "
            f"{ours['pages_s'] / base['pages_s']:.2f}x trafilatura default's {base['pages_s']:.2f} (same run)")


def main() -> None:
    """Run every extractor on both sets and print the side-by-side table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--wcxb", type=Path, default=DATA / "wcxb-dev")
    ap.add_argument("--aeb", type=Path, default=DATA / "aeb-dev")
    ap.add_argument("--no-dumps", action="store_true", help="skip the plain-text dump scoring")
    ap.add_argument("--only-ours", action="store_true", help="skip the trafilatura baselines (development)")
    ap.add_argument("--worst", type=int, default=0, help="list the N pages where ours loses most to default")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    sets = {"wcxb-dev": load_wcxb(args.wcxb), "aeb-dev": load_aeb(args.aeb)}
    report: dict[str, Any] = {}
    lines: list[str] = []
    for sname, pages in sets.items():
        report[sname] = {}
        outs_by: dict[str, list[Output]] = {}
        for ename, fn in EXTRACTORS.items():
            if args.only_ours and ename != "archive clean_html":
                continue
            outs, rate = run_extractor(fn, pages)
            outs_by[ename] = outs
            report[sname][ename] = {**body_scores(pages, outs), **meta_scores(pages, outs), "pages_s": rate}
        if not args.no_dumps:
            ours = outs_by["archive clean_html"]
            refs = [p.title or o.title for p, o in zip(pages, ours)]
            dres, _ = dump_scores(pages, refs)
            report[sname]["inscriptis + clean_text"] = dres
        if args.worst and "trafilatura default" in outs_by:
            base, ours = outs_by["trafilatura default"], outs_by["archive clean_html"]
            deltas = sorted(
                (word_prf(p.body, o.body)[2] - word_prf(p.body, b.body)[2], p.pid, word_prf(p.body, o.body))
                for p, b, o in zip(pages, base, ours)
            )
            lines.append(f"{sname}: pages where ours loses most word F1 to trafilatura default")
            for d, pid, (pp, rr, ff) in deltas[: args.worst]:
                lines.append(f"  {pid[:16]:16} {d:+.3f}  ours P={pp:.2f} R={rr:.2f} F1={ff:.2f}")
    if args.json:
        print(json.dumps(report, indent=2))
        return
    cols = ["word_f1", "word_p", "word_r", "with", "without", "shingle_f1", "title", "author", "date", "pages_s"]
    for sname, res in report.items():
        print(f"== {sname} ({len(sets[sname])} pages)")
        print(f"{'':26}" + "".join(f"{c:>11}" for c in cols))
        for ename, r in res.items():
            cells = "".join(f"{r[c]:11.3f}" if c in r else f"{'-':>11}" for c in cols)
            print(f"{ename:26}{cells}")
        halves = [f"{e} {r['word_f1_even']:.4f} / {r['word_f1_odd']:.4f}" for e, r in res.items() if "word_f1_even" in r]
        print("  word f1 by half (pages sorted by id, even / odd positions): " + "; ".join(halves))
        print(speed_line(res))
        d = res.get("inscriptis + clean_text")
        if d:
            print(f"  dumps: uncleaned word F1 {d['uncleaned_word_f1']:.3f} shingle F1 {d['uncleaned_shingle_f1']:.3f};"
                  f" titles wrong {d['titles_wrong']}, exact {d.get('title_exact', float('nan')):.3f},"
                  f" nav-like {d['titles_nav']}; render {d['render_pages_s']:.1f} pages/s,"
                  f" clean_text {d['clean_text_pages_s']:.1f} pages/s")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
