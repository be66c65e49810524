"""Cleaning on the broad web and on aeb-dev, side by side: our cleaner vs trafilatura default and precision.

Both data sets in one run (issue 21: a cleaner decision is only taken when neither set loses):

- wcxb-dev (711 article pages, 700+ sites): the WCXB scoring (per-page bag-of-words F1 averaged over pages,
  `with` / `without` snippet rates) and metadata (title exact, author, date; see the data README).
- aeb-dev (97 pages): the ScrapingHub shingle F1 (`benchmarks.scoring`), plus the same word F1.
- Plain-text dumps: each page rendered by inscriptis, cleaned by `clean_text`, scored as its set's body;
  the dump's title is counted as wrong when it shares under half its words with the true headline
  (wcxb-dev) or with the HTML cleaner's title (aeb-dev, which has no true title).
- Speed: pages/s of each extractor on the same pages, one process.

    python benchmarks/clean_broad.py [--wcxb DIR] [--aeb DIR] [--no-dumps] [--only-ours] [--worst N]
        [--meta-misses] [--json]
    python benchmarks/clean_broad.py --dumps-only [--worst-dumps N] [--render-cache DIR]

`--meta-misses` also prints our metadata scores on the two halves of wcxb-dev (pages sorted by file name,
even and odd index: tune on one, check on the other) and every page where our title, author or date misses.

`--dumps-only` scores only the plain-text dumps (the HTML cleaner runs only where a page has no true title,
for the dump title's reference); `--worst-dumps N` lists each set's N lowest-F1 dumps with precision and
recall (low recall: story lines dropped; low precision: chrome kept); `--render-cache DIR` keeps the
inscriptis renderings between runs (development).

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
    return bag_prf(Counter(_WORD.findall(true.lower())), Counter(_WORD.findall(pred.lower())))


def bag_prf(t: Counter[str], p: Counter[str]) -> tuple[float, float, float]:
    """Precision, recall, F1 of two bags of lowercased words (`word_prf` once the page's words are counted)."""
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
    prf = [word_prf(p.body, o.body) for p, o in zip(pages, outs, strict=True)]
    f1 = [x[2] for x in prf]
    sh = score_pages(score_page(p.body, o.body) for p, o in zip(pages, outs, strict=True))
    res = {
        "word_f1": _mean([x[2] for x in prf]), "word_p": _mean([x[0] for x in prf]),
        "word_r": _mean([x[1] for x in prf]), "shingle_f1": sh.f1, "shingle_p": sh.precision,
        "shingle_r": sh.recall,
        # the split-half check of a rule tuned on this set: pages sorted by id, even and odd positions
        "word_f1_even": _mean(f1[0::2]), "word_f1_odd": _mean(f1[1::2]),
    }
    with_hits = [s.lower() in o.body.lower() for p, o in zip(pages, outs, strict=True) for s in p.with_]
    without_hits = [s.lower() in o.body.lower() for p, o in zip(pages, outs, strict=True) for s in p.without]
    if with_hits:
        res["with"] = _mean([float(x) for x in with_hits])
        res["without"] = _mean([float(x) for x in without_hits])
    return res


def meta_scores(pages: list[Page], outs: list[Output]) -> dict[str, float]:
    """Title exact, author and date accuracy over the pages that have each truth."""
    titled = [(p, o) for p, o in zip(pages, outs, strict=True) if p.title]
    authored = [(p, o) for p, o in zip(pages, outs, strict=True) if p.author]
    dated = [(p, o) for p, o in zip(pages, outs, strict=True) if p.date]
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


def render_dumps(pages: list[Page], cache: Path | None = None) -> tuple[list[str], float]:
    """Each page rendered to text by inscriptis (read from / written to `cache` when given) and pages/s."""
    start = time.perf_counter()
    texts = []
    for p in pages:
        hit = cache / f"{p.pid}.txt" if cache else None
        if hit and hit.exists():
            texts.append(hit.read_text(encoding="utf-8"))
            continue
        texts.append(str(get_text(p.html)))
        if hit:
            hit.parent.mkdir(parents=True, exist_ok=True)
            hit.write_text(texts[-1], encoding="utf-8")
    return texts, len(pages) / (time.perf_counter() - start)


def dump_scores(
    pages: list[Page], ref_titles: list[str | None], cache: Path | None = None
) -> tuple[dict[str, Any], list[Output]]:
    """inscriptis rendering -> clean_text: body scores, title agreement, pages/s of both steps."""
    texts, render_rate = render_dumps(pages, cache)
    start = time.perf_counter()
    arts = [clean_text(t) for t in texts]
    clean_rate = len(pages) / (time.perf_counter() - start)
    outs = [Output(a.text, a.title, a.byline, a.published) for a in arts]
    res: dict[str, Any] = body_scores(pages, outs)
    raw = body_scores(pages, [Output(t) for t in texts])
    res["uncleaned_word_f1"], res["uncleaned_shingle_f1"] = raw["word_f1"], raw["shingle_f1"]
    # 0.5: a dump title sharing under half its words with the headline is another line of the page
    wrong = [
        p.pid for p, o, ref in zip(pages, outs, ref_titles, strict=True) if ref and title_overlap(ref, o.title) < 0.5
    ]
    res["titles_wrong"] = len(wrong)
    res["titles_wrong_pages"] = wrong
    titled = [(p, o) for p, o in zip(pages, outs, strict=True) if p.title]
    if titled:  # wcxb-dev: the true headline; aeb-dev has none
        res["title_exact"] = _mean([float(title_key(p.title) == title_key(o.title)) for p, o in titled])
    nav = [p.pid for p, o in zip(pages, outs, strict=True) if o.title and _NAV_TITLE.search(o.title)]
    res["titles_nav"], res["titles_nav_pages"] = len(nav), nav
    res["render_pages_s"], res["clean_text_pages_s"] = render_rate, clean_rate
    return res, outs


def meta_miss_lines(sname: str, pages: list[Page], outs: list[Output]) -> list[str]:
    """Our metadata on the even and odd halves of the set (sorted by id), then each miss: half, id, truth, ours."""
    lines: list[str] = []
    if not any(p.title for p in pages):
        return lines  # aeb-dev has no true metadata
    for half, start in (("even", 0), ("odd", 1)):
        m = meta_scores(pages[start::2], outs[start::2])
        lines.append(f"{sname} {half} half: title {m['title']:.3f} author {m['author']:.3f} date {m['date']:.3f}")
    for i, (p, o) in enumerate(zip(pages, outs, strict=True)):
        half = "E" if i % 2 == 0 else "O"
        if p.title and title_key(p.title) != title_key(o.title):
            lines.append(f"  {half} {p.pid[:16]:16} title  true {p.title!r} ours {o.title!r}")
        if p.author and not author_ok(p.author, o.author):
            lines.append(f"  {half} {p.pid[:16]:16} author true {p.author!r} ours {o.author!r}")
        if p.date and not date_ok(p.date, o.date):
            lines.append(f"  {half} {p.pid[:16]:16} date   true {p.date} ours {o.date}")
    return lines


def worst_dump_lines(sname: str, pages: list[Page], outs: list[Output], n: int) -> list[str]:
    """The n lowest-F1 dumps with precision (low: chrome kept) and recall (low: story lines dropped)."""
    if not n:
        return []
    ranked = sorted(
        ((word_prf(p.body, o.body), p.pid, o.title) for p, o in zip(pages, outs, strict=True)),
        key=lambda x: x[0][2],
    )
    out = [f"{sname}: lowest-F1 dumps (P: chrome kept, R: story dropped)"]
    for (pp, rr, ff), pid, title in ranked[:n]:
        out.append(f"  {pid[:16]:16} P={pp:.2f} R={rr:.2f} F1={ff:.2f}  title: {(title or '')[:60]}")
    return out


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
    ap.add_argument("--meta-misses", action="store_true",
                    help="print our metadata on the even / odd halves and each page where it misses")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--dumps-only", action="store_true", help="score only the plain-text dumps")
    ap.add_argument("--worst-dumps", type=int, default=0, help="list each set's N lowest-F1 dumps with P and R")
    ap.add_argument("--render-cache", type=Path, help="keep inscriptis renderings here between runs")
    args = ap.parse_args()

    sets = {"wcxb-dev": load_wcxb(args.wcxb), "aeb-dev": load_aeb(args.aeb)}
    report: dict[str, Any] = {}
    lines: list[str] = []
    for sname, pages in sets.items():
        report[sname] = {}
        outs_by: dict[str, list[Output]] = {}
        for ename, fn in EXTRACTORS.items():
            if args.dumps_only or args.only_ours and ename != "archive clean_html":
                continue
            outs, rate = run_extractor(fn, pages)
            outs_by[ename] = outs
            report[sname][ename] = {**body_scores(pages, outs), **meta_scores(pages, outs), "pages_s": rate}
        if not args.no_dumps:
            ours = outs_by.get("archive clean_html")
            # dumps only: the HTML cleaner's title only where the set has no true one
            refs = [p.title or (ours[k] if ours else run_ours(p)).title for k, p in enumerate(pages)]
            cache = args.render_cache / sname if args.render_cache else None
            dres, douts = dump_scores(pages, refs, cache)
            report[sname]["inscriptis + clean_text"] = dres
            lines.extend(worst_dump_lines(sname, pages, douts, args.worst_dumps))
        if args.meta_misses and "archive clean_html" in outs_by:
            lines.extend(meta_miss_lines(sname, pages, outs_by["archive clean_html"]))
        if args.worst and "trafilatura default" in outs_by:
            base, ours = outs_by["trafilatura default"], outs_by["archive clean_html"]
            deltas = sorted(
                (word_prf(p.body, o.body)[2] - word_prf(p.body, b.body)[2], p.pid, word_prf(p.body, o.body))
                for p, b, o in zip(pages, base, ours, strict=True)
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
        halves = [
            f"{e} {r['word_f1_even']:.4f} / {r['word_f1_odd']:.4f}" for e, r in res.items() if "word_f1_even" in r
        ]
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
