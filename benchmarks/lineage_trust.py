"""Lineage a fact-checker can trust (issue 20): false links, direction, origin; before vs after.

    .venv/bin/python benchmarks/lineage_trust.py [--before ../main | --before-commit REV] [--skip-before]
        [--only clough,confusers,origins,real_pages,generated] [--wcxb 150] [--generated 12]

Runs the same measurements on two code trees (`--before`, default ../main, and this one), each in its own
process, and prints them side by side:

- Clough & Stevenson dev texts (real human rewrites), every text added once with its capture time = its add
  time, originals added first and originals added last: cut found as copy/excerpt of its source, light and
  heavy found (parent = the source), independent texts with no edge, originals without a parent, and whether
  both orders give the same lineage;
- real-confuser corpus: real article bodies (wcxb-dev, aeb-dev ground truth; every body a different story)
  published on made-up sites with the confusers of the issue added: one sponsor line ending six stories on
  four sites, one "About <company>" paragraph ending two press releases, one long quoted statement in two
  stories, a site's two-paragraph footer on its first stories, a recurring column intro, a disclaimer
  paragraph mid-text in four stories on three sites; plus one story with an excerpt and a spun full
  rewrite, undated, with the original captured last. Counts false edges
  (between different stories), missed true edges, wrong parents; same lineage with originals first/last;
- origin publisher on pages: a publisher's own page quoting an agency ("told Agence France-Presse"), a
  republished story with an "originally appeared in" line, a wire story whose JSON-LD names the agency;
- unmodified real pages: all aeb-dev pages and 150 wcxb-dev pages added as fetched: every edge between two
  different pages is a false link (the sets hold no syndicated pair);
- generated corpus (benchmarks/provenance_corpus.py): origin right and cross-family edges, two orders.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT.parent / "shared" / "data"
BASE = datetime(2024, 5, 1, tzinfo=UTC)
args_verbose = False


# ---------------------------------------------------------------- helpers run inside the measured tree
def _archive(db: Path):  # type: ignore[no-untyped-def]
    from archiver.config import database_url
    from archiver.store.engine import Archive

    return Archive(database_url(str(db)))


def _add_all(db: Path, docs: list[tuple[str, bytes, str | None, str]]) -> dict[str, dict[str, Any]]:
    """Add (name, raw, url, content type) in order, capture time = add time; each doc's parent/relation/origin."""
    from archiver.pipeline.add import add_one
    from archiver.read import lineage as query
    from archiver.read.compare import compare as compare_pair
    from archiver.types import Capture

    ids: dict[int, str] = {}
    out: dict[str, dict[str, Any]] = {}
    with _archive(db) as archive:
        for k, (name, raw, url, ctype) in enumerate(docs):
            res = add_one(archive, Capture(raw, name, url, BASE + timedelta(minutes=k), ctype))
            if res.id is not None:  # a page with no article text is skipped (counted by the caller)
                ids[res.id] = name
        for cid, name in ids.items():
            data = query.lineage(archive, str(cid))
            parent = data["parent"]
            out[name] = {
                "parent": ids.get(parent["id"]) if parent else None,
                "relation": parent["relation"] if parent else None,
                "origin": data["origin"]["publisher"],
                "root": ids.get(data["origin"]["id"]),
            }
            if parent and parent["relation"] not in ("identical", "revision"):
                said = compare_pair(archive, str(cid), str(parent["id"]))["relation"]
                DISAGREE.append(f"{name}: lineage {parent['relation']}, compare {said}")
                if said == parent["relation"]:
                    DISAGREE.pop()
    return out


DISAGREE: list[str] = []  # edges whose relation `compare` reports differently


def _clough(tmp: Path) -> dict[str, Any]:
    src = DATA / "clough-dev"
    labels = list(csv.DictReader((src / "labels.csv").open(encoding="utf-8")))
    texts = {r["file"]: (src / "texts" / r["file"]).read_bytes() for r in labels}
    origs = sorted({r["source_file"] for r in labels if r["source_file"]})
    derived = sorted(r["file"] for r in labels if r["file"] not in origs)
    info = {r["file"]: r for r in labels}
    res: dict[str, Any] = {}
    lineages = {}
    for mode, names in (("first", origs + derived), ("last", derived + origs)):
        docs = [(n, texts[n], None, "text/plain") for n in names]
        lin = _add_all(tmp / f"clough-{mode}.db", docs)
        lineages[mode] = lin
        got: dict[str, list[int]] = {c: [0, 0] for c in ("cut", "light", "heavy", "non")}
        for name in derived:
            cat, source = info[name]["category"], info[name]["source_file"]
            p, rel = lin[name]["parent"], lin[name]["relation"]
            got[cat][1] += 1
            if cat == "cut":
                ok = p == source and rel in ("copy", "excerpt", "identical")
            elif cat in ("light", "heavy"):
                ok = p == source
            if cat != "non":
                got[cat][0] += ok
                if not ok and args_verbose:
                    print(mode, name, cat, "->", p, rel, file=sys.stderr)
            else:
                has_child = any(v["parent"] == name for v in lin.values())
                got[cat][0] += p is None and not has_child
        res[mode] = {c: f"{a}/{b}" for c, (a, b) in got.items()}
        res[mode]["orig_no_parent"] = f"{sum(lin[o]['parent'] is None for o in origs)}/{len(origs)}"
    res["same_both_orders"] = lineages["first"] == lineages["last"]
    return res


# ---------------------------------------------------------------- the real-confuser corpus
SPONSOR = ("The Associated Press health and science department receives support from the Howard Hughes "
           "Medical Institute's Science and Educational Media Group. The AP is solely responsible for all content.")
FOOTER = [
    "Subscribe to the Morning Ledger for unlimited access to our local reporting, from city hall to high "
    "school sports, for less than the price of a cup of coffee a week.",
    "Corrections: the Morning Ledger is committed to accuracy. If you see an error in one of our stories, "
    "write to corrections@ledger.example and our editors will review it promptly.",
]
DISCLAIMER = ("Editor's note: this article is part of our series on money and health, produced with support from "
              "the Northfield Community Foundation, which had no say in the reporting. It is for general "
              "information only and is not financial, legal or medical advice; readers should consult a "
              "qualified professional before acting on anything they read here, and can write to the editors "
              "with questions or corrections.")
INTRO = ("Welcome to Money Matters, our weekly column answering your questions about saving, borrowing and "
         "retirement. Send us your questions and we will answer a selection of them here every Sunday.")


def _bodies() -> list[list[str]]:
    """Real article bodies, one story each, as paragraphs (wcxb-dev, then aeb-dev ground truth)."""
    out: list[list[str]] = []
    wc = json.loads((DATA / "wcxb-dev" / "ground-truth.json").read_text())
    for _, v in sorted(wc.items()):
        paras = [p.strip() for p in (v.get("main_content") or "").split("\n") if len(p.split()) >= 12]
        if len(paras) >= 4 and sum(len(p.split()) for p in paras) >= 150:
            out.append(paras[:12])
    return out


def _page(title: str, paras: list[str], site: str, url: str, published: str | None, byline: str,
          jsonld: dict[str, Any] | None = None) -> bytes:
    import html

    meta = f'<meta property="article:published_time" content="{published}T09:00:00Z">' if published else ""
    ld = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>' if jsonld else ""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paras)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | {html.escape(site)}</title>
<meta property="og:site_name" content="{html.escape(site)}"><link rel="canonical" href="{url}">{meta}{ld}
<meta name="author" content="{html.escape(byline)}"></head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<main><article><h1>{html.escape(title)}</h1><div class="byline">By {html.escape(byline)}</div>
{body}
</article></main><footer><p>&copy; 2024 {html.escape(site)}</p></footer></body></html>""".encode()


def confuser_corpus() -> list[dict[str, Any]]:
    """Docs of the real-confuser corpus: name, raw, url, story (the story it tells), source (true parent)."""
    import importlib

    sys.path.insert(0, str(HERE))
    spin = importlib.import_module("provenance_corpus").spin
    bodies = _bodies()
    rnd = random.Random(20)
    rnd.shuffle(bodies)
    docs: list[dict[str, Any]] = []
    n = iter(range(len(bodies)))

    def story(site: str, host: str, extra_end: list[str] = (), extra_start: list[str] = (),  # type: ignore[assignment]
              mid: str | None = None, date: str | None = "2024-04-02", name: str | None = None) -> None:
        i = next(n)
        paras = list(bodies[i])
        if mid:
            paras.insert(len(paras) // 2, mid)
        title = " ".join(paras[0].split()[:8]).rstrip(".,;:") + f" ({i})"
        docs.append({"name": name or f"s{i:03d}", "story": i, "source": None,
                     "text": "\n\n".join(list(extra_start) + paras + list(extra_end)),
                     "raw": _page(title, list(extra_start) + paras + list(extra_end), site,
                                  f"https://{host}/news/{i}", date, f"Reporter {i}"),
                     "url": f"https://{host}/news/{i}"})

    # one agency sponsor line ending six unrelated stories on four sites
    for k in range(6):
        site = ["Valley Gazette", "Lakeside Herald", "Metro Daily Post", "River City Times"][k % 4]
        story(site, site.lower().replace(" ", "") + ".example", [SPONSOR], date=f"2024-04-0{k + 1}")
    # one company's press releases a year apart, ending with the same "About" paragraph
    about = "About Northwind Systems: " + " ".join(bodies[-1][:2])
    for k in range(2):
        story("Northwind Systems Newsroom", "news.northwind.example", [about], date=f"202{2 + k}-03-10")
    # two stories quoting one long statement
    words = " ".join(bodies[-2][:3]).split()[:93]
    quote = "\u201c" + " ".join(words) + ",\u201d chief executive Dana Whitfield said in a statement."
    for k in range(2):
        story(["Business Wire Daily", "Market Street Journal"][k], ["bwd.example", "msj.example"][k], mid=quote)
    # a site's footer on its first five stories (template not yet learned), the fifth one short
    for k in range(5):
        story("The Morning Ledger", "ledger.example", FOOTER, date=f"2024-04-1{k}")
    # a recurring column intro
    for k in range(3):
        story("Sunday Herald", "sundayherald.example", extra_start=[INTRO], date=f"2024-04-2{k}")
    # one story, undated: original, an excerpt, a spun full rewrite, a verbatim copy; original added last
    i = next(n)
    paras = bodies[i]
    title = " ".join(paras[0].split()[:8]).rstrip(".,;:")
    variants = [
        ("u-excerpt", paras[: max(2, len(paras) * 2 // 5)], "Lakeside Herald", "lakesideherald.example"),
        ("u-spun", [spin(p, 0.25, rnd) for p in paras], "Metro Daily Post", "metrodailypost.example"),
        ("u-copy", paras[:-1], "River City Times", "rivercitytimes.example"),  # trimmed: an identical text
        # would be the same text as the original, which no text evidence can order
        ("u-original", paras, "Valley Gazette", "valleygazette.example"),
    ]
    for name, ps, site, host in variants:
        url = f"https://{host}/story/{i}"
        docs.append({"name": name, "story": i, "source": None if name == "u-original" else "u-original",
                     "text": "\n\n".join(ps),
                     "raw": _page(title, ps, site, url, None, "Staff"), "url": url})
    # a disclaimer paragraph (4 sentences, 62 words) mid-text in four unrelated stories on three sites, where
    # only its recurrence across the archive (document frequency) tells it from story text; added last, so the
    # stories above keep their bodies
    for k in range(4):
        site = ["Valley Gazette", "Market Street Journal", "Sunday Herald"][k % 3]
        story(site, site.lower().replace(" ", "") + ".example", mid=DISCLAIMER, date=f"2024-05-0{k + 1}")
        docs[-1]["recurring"] = True
    return docs


def _confusers(tmp: Path) -> dict[str, Any]:
    docs = confuser_corpus()
    story = {d["name"]: d["story"] for d in docs}
    truth = {d["name"]: d["source"] for d in docs}
    res: dict[str, Any] = {"docs": len(docs)}
    lins = {}
    for mode in ("first", "last"):
        order = list(docs)
        if mode == "first":  # the undated original before its copies
            order.sort(key=lambda d: d["name"] != "u-original")
        lin = _add_all(tmp / f"conf-{mode}.db", [(d["name"], d["raw"], d["url"], "text/html") for d in order])
        lins[mode] = lin
        false = [f"{c}->{v['parent']} {v['relation']}" for c, v in lin.items()
                 if v["parent"] and story[v["parent"]] != story[c]]
        derived = [c for c, s in truth.items() if s]
        found = sum(lin[c]["parent"] == truth[c] for c in derived)
        res[mode] = {"false_edges": len(false), "false": false[:6], "true_parent": f"{found}/{len(derived)}",
                     "original_root": lin["u-original"]["parent"] is None}
    res["same_both_orders"] = lins["first"] == lins["last"]
    # every pair of the corpus verified directly (no LSH in the way): relations between different stories
    from archiver.lineage.verify import compare_texts

    pairs = wrong = recurring = recurring_related = 0
    found: list[str] = []
    for k, a in enumerate(docs):
        for b in docs[k + 1 :]:
            if a["story"] == b["story"]:
                continue
            c = compare_texts(b["text"], a["text"])
            if a.get("recurring") and b.get("recurring"):
                # what the pair alone shows: only the archive's document frequency discounts the passage
                recurring += 1
                recurring_related += c.relation is not None
                continue
            pairs += 1
            if c.relation is not None:
                wrong += 1
                found.append(f"{b['name']}~{a['name']} {c.relation} {c.score:.2f}")
    res["all_pairs_verified"] = {"pairs": pairs, "false_relations": wrong, "examples": found[:6]}
    res["mid_text_recurring_pairs"] = {"pairs": recurring, "related_pairwise": recurring_related}
    return res


# ---------------------------------------------------------------- origin publisher
def origin_pages() -> list[tuple[str, bytes, str, str, dict[str, Any]]]:
    """(name, raw, url, expected origin, expected extras) for the origin checks of the issue."""
    bodies = _bodies()
    a, b, c = bodies[3], bodies[4], bodies[5]
    nyp = list(a)
    nyp.insert(2, "\u201cWe are still counting the damage,\u201d a local official told Agence France-Presse.")
    wire = list(b)
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Wire story",
          "publisher": {"@type": "Organization", "name": "Associated Press"}}
    return [
        ("nypost-own", _page("Storm hits coast", nyp, "New York Post", "https://nypost.com/2024/04/02/storm/",
                             "2024-04-02", "Jane Reporter"), "https://nypost.com/2024/04/02/storm/",
         "New York Post", {}),
        ("originally-appeared", _page("Rocket launch", list(c) + [
            "This story originally appeared on Space.com."], "Daily Sky News", "https://dailysky.example/r",
            "2024-04-02", "Sam Writer"), "https://dailysky.example/r", "Space.com",
         {"body_lacks": "originally appeared"}),
        ("wire-jsonld", _page("Car recall", wire, "Lakeside Herald", "https://lakesideherald.example/recall",
                              "2024-04-02", "Tom Krisher, AP Auto Writer", ld),
         "https://lakesideherald.example/recall", "The Associated Press", {"byline": "Tom Krisher"}),
    ]


def _origins(tmp: Path) -> dict[str, Any]:
    from archiver.pipeline.add import add_one
    from archiver.store.models import CaptureRow, TextRow
    from archiver.types import Capture

    out: dict[str, Any] = {}
    with _archive(tmp / "origins.db") as archive:
        for k, (name, raw, url, want, extra) in enumerate(origin_pages()):
            res = add_one(archive, Capture(raw, name, url, BASE + timedelta(minutes=k), "text/html"))
            with archive.session() as s:
                row = s.get(CaptureRow, res.id)
                text = s.get(TextRow, row.text_id)
                got = row.source_publisher
                ok = got == want
                if "body_lacks" in extra:
                    ok = ok and extra["body_lacks"] not in text.body
                if "byline" in extra:
                    ok = ok and (row.byline or "") == extra["byline"]
                out[name] = f"{'ok' if ok else 'WRONG'} (origin {got!r}, byline {row.byline!r})"
    return out


# ---------------------------------------------------------------- unmodified real pages
def _real_pages(tmp: Path, n_wcxb: int) -> dict[str, Any]:
    docs = []
    aeb = json.loads((DATA / "aeb-dev" / "ground-truth.json").read_text())
    for key, v in sorted(aeb.items()):
        docs.append((f"aeb-{key[:8]}", gzip.decompress((DATA / "aeb-dev" / "html" / f"{key}.html.gz").read_bytes()),
                     v.get("url"), "text/html"))
    wc = json.loads((DATA / "wcxb-dev" / "ground-truth.json").read_text())
    for key, v in sorted(wc.items())[:n_wcxb]:
        docs.append((f"wcxb-{key}", gzip.decompress((DATA / "wcxb-dev" / "html" / f"{key}.html.gz").read_bytes()),
                     v.get("url"), "text/html"))
    lin = _add_all(tmp / "real.db", docs)
    edges = [f"{c}->{v['parent']} {v['relation']}" for c, v in lin.items() if v["parent"]]
    # each page's own origin publisher (a page alone is its own root), for the before/after diff
    REAL_ORIGINS.update({name: v["origin"] for name, v in lin.items()})
    return {"pages": len(docs), "edges": len(edges), "examples": edges[:8]}


REAL_ORIGINS: dict[str, str | None] = {}  # page -> origin publisher, printed as a diff of the two trees


# ---------------------------------------------------------------- generated corpus
def _generated(tmp: Path, originals: int) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from provenance_corpus import build

    docs = build(originals, 1)
    res: dict[str, Any] = {"captures": len(docs)}
    answers = []
    for k in range(2):
        order = list(range(len(docs)))
        random.Random(100 + k).shuffle(order)
        lin = _add_all(tmp / f"gen{k}.db", [(docs[i].name, docs[i].raw, docs[i].url, docs[i].content_type)
                                            for i in order])
        truth = {d.name: d for d in docs}
        origin_ok = sum(v["root"] == truth[n].origin for n, v in lin.items())
        crossing = sum(1 for n, v in lin.items() if v["parent"] and truth[v["parent"]].origin != truth[n].origin)
        res[f"order{k}"] = {"origin_right": f"{origin_ok}/{len(docs)}", "cross_family_edges": crossing}
        answers.append(lin)
    res["same_both_orders"] = answers[0] == answers[1]
    return res


def measure(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        sections = {
            "clough": lambda: _clough(tmp),
            "confusers": lambda: _confusers(tmp),
            "origins": lambda: _origins(tmp),
            "real_pages": lambda: _real_pages(tmp, args.wcxb),
            "generated": lambda: _generated(tmp, args.generated),
        }
        wanted = args.only.split(",") if args.only else list(sections)
        out: dict[str, Any] = {name: sections[name]() for name in wanted}
        out["compare_vs_lineage"] = {"disagreements": len(DISAGREE), "examples": DISAGREE[:4]}
        out["_real_origins"] = REAL_ORIGINS
        return out


def _run(tree: Path, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--measure", str(tree), "--wcxb", str(args.wcxb),
           "--generated", str(args.generated)] + (["--only", args.only] if args.only else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _print(label: str, before: Any, after: Any, indent: str = "") -> None:
    if isinstance(after, dict):
        print(f"{indent}{label}")
        for k in after:
            _print(k, before.get(k) if isinstance(before, dict) else None, after[k], indent + "  ")
    else:
        print(f"{indent}{label:<22} before: {before!s:<28} after: {after}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, default=ROOT.parent / "main")
    ap.add_argument("--before-commit", help="measure this commit's code as 'before' (e.g. the branch base)")
    ap.add_argument("--skip-before", action="store_true")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--wcxb", type=int, default=150)
    ap.add_argument("--generated", type=int, default=12)
    ap.add_argument("--verbose", action="store_true", help="misses on stderr (with --measure)")
    ap.add_argument("--only", help="comma-separated sections (clough,confusers,origins,real_pages,generated)")
    args = ap.parse_args()
    global args_verbose
    args_verbose = args.verbose
    if args.measure:
        sys.path.insert(0, str(args.measure))
        print(json.dumps(measure(args)))
        return
    if args.before_commit:  # the code of a commit of this repository, extracted (no worktree touched)
        tmp = tempfile.mkdtemp(prefix="lineage-trust-before-")
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before_commit], capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        args.before = Path(tmp)
    before = {} if args.skip_before else _run(args.before, args)
    after = _run(ROOT, args)
    origins_before, origins_after = before.pop("_real_origins", {}), after.pop("_real_origins", {})
    for section in after:
        _print(section, before.get(section, {}), after[section])
    changed = sorted(p for p in origins_after if origins_before.get(p, origins_after[p]) != origins_after[p])
    if origins_before and origins_after:
        print(f"real pages whose origin publisher changed: {len(changed)} of {len(origins_after)}")
        for p in changed:
            print(f"  {p:<16} before: {origins_before[p]!s:<30} after: {origins_after[p]}")
    if "error" in before or "error" in after:
        print(before.get("error", ""), after.get("error", ""))


if __name__ == "__main__":
    main()
