"""Where the HTML body cleaner's precision loss is: every kept block with the stage that kept it (development).

Runs `clean_html` on wcxb-dev and aeb-dev with the stages wrapped (not changed), and stores, for every block
that reaches the line rules, its text, kind, link ratio, the run or stage that kept it, its position against
the story's agreed blocks, its element class in the page (nearest telling ancestor) and the line rule that
removed it (None: kept); also its element's depth, whether it lies in the story's container and the class / id
words between the two (the features `train_block_filter.py` learns from), and the page's title. `--report`
then prints, per class, the predicted words not in the truth (bag difference, each surplus word shared out over
its occurrences) against the truth words the class holds, and the word F1 if every kept block of the class were
dropped, on both wcxb-dev halves and on aeb-dev.

    python benchmarks/clean_precision.py --collect /tmp/prov.pkl      # ~3 min, both sets
    python benchmarks/clean_precision.py --report /tmp/prov.pkl [--worst 15]
"""

from __future__ import annotations

import argparse
import pickle
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import archiver.clean.html as H  # noqa: E402
from archiver.clean import html_rules as R  # noqa: E402
from archiver.errors import InputError  # noqa: E402
from benchmarks.clean_broad import DATA, load_aeb, load_wcxb, word_prf  # noqa: E402
from benchmarks.scoring import score_page, score_pages  # noqa: E402

_WORD = re.compile(r"\w+")


def _key(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


# --- collection: the stages wrapped -------------------------------------------------------------------------

_STATE: dict[str, Any] = {}
_orig_extract = H._extract
_orig_second = H.html_second_opinion
_orig_structure = H.html_restore_structure
_orig_rules = H.html_apply_rules
_orig_agreed = H.html_agreed_blocks


def _extract(tree: Any, url: Any, mode: str, fast: bool = True) -> Any:
    doc = _orig_extract(tree, url, mode, fast)
    _STATE.setdefault("runs", []).append((_STATE.get("stage"), mode, doc))
    return doc


def _agreed(*a: Any, **k: Any) -> Any:
    _STATE["stage"] = "agreed"
    out = _orig_agreed(*a, **k)
    _STATE["agreed_out"] = list(out)
    _STATE["stage"] = None
    return out


def _second(*a: Any, **k: Any) -> Any:
    _STATE["stage"] = "second"
    blocks = a[3]
    out = _orig_second(*a, **k)
    _STATE["second"] = out is not blocks
    _STATE["stage"] = None
    return out


def _structure(tree: Any, blocks: Any, url: Any = None) -> Any:
    _STATE["tree"] = tree
    _STATE["before_structure"] = {id(b) for b in blocks}
    out = _orig_structure(tree, blocks, url)
    _STATE["after_structure"] = out
    return out


def _rules(blocks: Any, title: Any, byline: Any, boxed: Any = None) -> Any:
    reasons: list[str | None] = [
        R._rule(b, i, len(blocks), R._norm(title or "")) or (boxed or {}).get(i) for i, b in enumerate(blocks)
    ]
    R._keep_inner_links(blocks, reasons)
    R._mark_tag_lists(blocks, reasons)
    R._mark_repeats(blocks, reasons)
    R._mark_copies(blocks, reasons)
    R._mark_tail_bios(blocks, reasons, byline)
    R._mark_orphan_heads(blocks, reasons)
    _STATE["reasons"] = reasons
    return _orig_rules(blocks, title, byline, boxed)


H._extract = _extract
H.html_agreed_blocks = _agreed
H.html_second_opinion = _second
H.html_restore_structure = _structure
H.html_apply_rules = _rules


# element classes: the nearest ancestor (the element itself first) whose tag, class, id or role tells what it is
_CLASS_WORDS = [
    ("comments", re.compile(r"comment|disqus|respond|reply", re.I)),
    ("author-box", re.compile(r"author|bio\b|biography|byline|contributor|writer", re.I)),
    ("related", re.compile(r"related|teaser|recommend|read-?next|more-?stories|popular|trending|also|"
                           r"more-from|latest|recent|you-may|suggest|cards?\b|listing|feed", re.I)),
    ("promo", re.compile(r"newsletter|subscri|signup|sign-up|promo|cta\b|call-to-action|advert|\bads?\b|"
                         r"ad-|sponsor|banner|optin|opt-in|donat|paywall|offer|affiliate|disclos", re.I)),
    ("share", re.compile(r"share|social|follow", re.I)),
    ("meta-line", re.compile(r"\bmeta|date|time\b|posted|published|dateline|tags?\b|categor|breadcrumb", re.I)),
    ("caption", re.compile(r"caption|credit|figure|photo|image|media|gallery|video", re.I)),
    ("sidebar", re.compile(r"sidebar|widget|rail|aside", re.I)),
    ("footer", re.compile(r"footer", re.I)),
    ("nav", re.compile(r"\bnav|menu|toc\b|table-of-contents", re.I)),
]
_TAG_CLASSES = {
    "figure": "caption", "figcaption": "caption", "aside": "sidebar", "footer": "footer", "nav": "nav",
    "header": "header", "form": "promo",
}
_STRUCT_TAGS = {
    "table": "table", "tr": "table", "td": "table", "th": "table", "li": "list", "ul": "list", "ol": "list",
    "dl": "list", "dd": "list", "dt": "list", "h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading",
    "h5": "heading", "h6": "heading", "blockquote": "quote", "pre": "code", "code": "code", "p": "paragraph",
}


_TOKENS = re.compile(r"[a-z]{3,}")


def _text_nodes(tree: Any) -> list[tuple[str, Any, int]]:
    out = []
    for n, el in enumerate(tree.iter()):
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "noscript"):
            continue
        if el.text and len(el.text.strip()) >= 2:
            out.append((R.html_fold(el.text), el, n))
        if el.tail and len(el.tail.strip()) >= 2 and el.getparent() is not None:
            out.append((R.html_fold(el.tail), el.getparent(), n))
    return out


def _element_of(text: str, nodes: list[tuple[str, Any, int]]) -> Any:
    best, best_len = None, 0
    for t, el, _ in nodes:
        if len(t) > best_len and t in text:
            best, best_len = el, len(t)
    return best


def _classes(el: Any, container: Any) -> tuple[str, str]:
    """(semantic class, structural class) of an element: the nearest telling ancestor of each kind."""
    semantic, struct = "", ""
    for a in [el, *el.iterancestors()]:
        if a.tag in ("body", "html"):
            break
        if not struct and a.tag in _STRUCT_TAGS:
            struct = _STRUCT_TAGS[a.tag]
        if not semantic:
            if a.tag in _TAG_CLASSES:
                semantic = _TAG_CLASSES[a.tag]
            else:
                words = f"{a.get('class') or ''} {a.get('id') or ''} {a.get('role') or ''}"
                for name, rx in _CLASS_WORDS:
                    if rx.search(words):
                        semantic = name
                        break
        if a is container:
            semantic = semantic or "in-story"
        if semantic and struct:
            break
    return semantic or "out-of-story", struct or "div-text"


def collect(pages: list[Any], set_name: str) -> list[dict[str, Any]]:  # noqa: C901 - one pass, told in order
    rows = []
    for k, page in enumerate(pages):
        _STATE.clear()
        try:
            art = H.clean_html(page.html, url=page.url)
            body, title = art.text, art.title or ""
        except InputError:
            body, title = "", ""
        blocks = _STATE.get("after_structure") or []
        reasons = _STATE.get("reasons") or [None] * len(blocks)
        before = _STATE.get("before_structure", set())
        runs = _STATE.get("runs", [])
        # the last run of each mode in the agreed stage is the one used
        precise_keys: set[str] = set()
        default_keys: set[str] = set()
        second_keys: dict[str, set[str]] = {}
        for stage, mode, doc in runs:
            keys = {_key(b.text) for b in H.html_blocks(doc.body if doc is not None else None)}
            if stage == "agreed" and mode == "precision":
                precise_keys = keys
            elif stage == "agreed" and mode == "default":
                default_keys = keys
            elif stage == "second":
                second_keys.setdefault("recall" if "recall" not in second_keys else "readability", keys)
        replaced = _STATE.get("second", False)
        out = []
        agreed_idx = []
        for i, b in enumerate(blocks):
            key = _key(b.text)
            if id(b) not in before:
                src = "structure"
            elif replaced:
                src = "second-" + next((m for m, ks in second_keys.items() if key in ks), "recall")
            elif key in precise_keys and key in default_keys:
                src = "agreed"
                agreed_idx.append(i)
            elif key in default_keys:
                src = "default-only"
            elif key in precise_keys:
                src = "precise-only"
            else:
                src = "other"
            out.append(src)
        tree = _STATE.get("tree")
        nodes = _text_nodes(tree) if tree is not None else []
        # the story's container: common ancestor of the agreed blocks' elements (of 8+ words)
        els = [_element_of(b.text, nodes) for b in blocks]
        anchors = [els[i] for i in agreed_idx if els[i] is not None and len(blocks[i].text.split()) >= 8]
        container = None
        if anchors:
            chain = [anchors[0], *anchors[0].iterancestors()]
            others = [set(e.iterancestors()) | {e} for e in anchors[1:]]
            container = next((a for a in chain if all(a in o for o in others)), None)
        first = agreed_idx[0] if agreed_idx else None
        last = agreed_idx[-1] if agreed_idx else None
        recs = []
        for i, b in enumerate(blocks):
            src = out[i]
            if src == "default-only" and first is not None:
                src = "default-inner" if first < i < last else "default-edge"
            pos = "none" if first is None else "before" if i < first else "after" if i > last else "inside"
            sem, struct = _classes(els[i], container) if els[i] is not None else ("unfound", "unfound")
            el = els[i]
            depth = sum(1 for _ in el.iterancestors()) if el is not None else -1
            inside = container is not None and el is not None and (el is container or container in set(
                el.iterancestors()))
            tokens: list[str] = []  # the class and id words of the element and its ancestors below the container
            for anc in ([el, *el.iterancestors()] if el is not None else []):
                if anc is container or anc.tag in ("body", "html"):
                    break
                tokens += [f"{anc.tag}"] + _TOKENS.findall(f"{anc.get('class') or ''} {anc.get('id') or ''}".lower())
            recs.append(dict(text=b.text, kind=b.kind, link=b.link_ratio, src=src, pos=pos, sem=sem,
                             struct=struct, reason=reasons[i], depth=depth, inside=inside, tokens=sorted(set(tokens)),
                             el_words=len(" ".join(el.itertext()).split()) if el is not None else 0))
        rows.append(dict(set=set_name, pid=page.pid, half="even" if k % 2 == 0 else "odd", truth=page.body,
                         body=body, blocks=recs, without=page.without, title=title,
                         container_words=len(" ".join(container.itertext()).split()) if container is not None
                         else 0, container_depth=sum(1 for _ in container.iterancestors()) if container is not None
                         else -1))
        if k % 100 == 0:
            print(f"{set_name} {k}", file=sys.stderr)
    return rows


# --- report -----------------------------------------------------------------------------------------------


def word_bag(text: str) -> Counter[str]:
    """The text's lowercased `\\w+` words, counted (the WCXB scoring's bag)."""
    return Counter(_WORD.findall(text.lower()))


def block_surplus(row: dict[str, Any]) -> list[tuple[float, float]]:
    """(non-truth words, truth words) of each kept block: the page's surplus of a word (predicted minus true
    count) shared out over its occurrences in the kept blocks."""
    kept = [b for b in row["blocks"] if b["reason"] is None]
    pred = Counter()
    for b in kept:
        pred.update(word_bag(b["text"]))
    truth = word_bag(row["truth"])
    out = []
    for b in row["blocks"]:
        if b["reason"] is not None:
            out.append((0.0, 0.0))
            continue
        bag = word_bag(b["text"])
        non = sum(c * max(0, pred[w] - truth[w]) / pred[w] for w, c in bag.items())
        out.append((non, sum(bag.values()) - non))
    return out


def f1_without(rows: list[dict[str, Any]], drop: Any) -> tuple[float, float, float, float]:
    """Mean word F1 (all, even, odd) and shingle F1 with the kept blocks `drop` selects left out."""
    f1s: dict[str, list[float]] = defaultdict(list)
    sh = []
    for row in rows:
        kept = [b["text"] for b in row["blocks"] if b["reason"] is None and not drop(b, row)]
        body = "\n".join(kept) if row["blocks"] and row["body"] else row["body"]
        f = word_prf(row["truth"], body)[2]
        f1s["all"].append(f)
        f1s[row["half"]].append(f)
        sh.append(score_page(row["truth"], body))
    m = {h: sum(v) / len(v) for h, v in f1s.items()}
    return m["all"], m.get("even", 0.0), m.get("odd", 0.0), score_pages(sh).f1


def _length(b: dict[str, Any]) -> str:
    n = len(b["text"].split())
    return "1-4" if n < 5 else "5-14" if n < 15 else "15-39" if n < 40 else "40+"


def _linked(b: dict[str, Any]) -> str:
    return "0" if b["link"] == 0 else "<0.5" if b["link"] < 0.5 else ">=0.5"


DIMENSIONS = {
    "source": lambda b: b["src"],
    "position": lambda b: b["pos"],
    "semantic class": lambda b: b["sem"],
    "structural class": lambda b: b["struct"],
    "kind": lambda b: b["kind"],
    "length (words)": _length,
    "link ratio": _linked,
}


def report(rows: list[dict[str, Any]], worst: int) -> None:
    w = [r for r in rows if r["set"] == "wcxb-dev"]
    a = [r for r in rows if r["set"] == "aeb-dev"]
    base = {"w": f1_without(w, lambda b, r: False), "a": f1_without(a, lambda b, r: False)}
    print(f"base: wcxb-dev {base['w'][0]:.4f} ({base['w'][1]:.4f} / {base['w'][2]:.4f});"
          f" aeb-dev word {base['a'][0]:.4f} shingle {base['a'][3]:.4f}")
    surplus = {id(r): block_surplus(r) for r in rows}
    # an oracle of precision: every kept block more than half of whose words are surplus left out (what no rule
    # can beat by leaving blocks out; the ceiling docs/cleaning.md's "Not reached" cites)
    surplus_blocks = {
        id(b) for r in rows for b, (non, tru) in zip(r["blocks"], surplus[id(r)], strict=True) if non > tru
    }
    ow = f1_without(w, lambda b, r: id(b) in surplus_blocks)
    oa = f1_without(a, lambda b, r: id(b) in surplus_blocks)
    print(f"oracle of precision (kept blocks mostly surplus left out): wcxb-dev {ow[0]:.4f} ({ow[1]:.4f} /"
          f" {ow[2]:.4f}); aeb-dev word {oa[0]:.4f} shingle {oa[3]:.4f}")
    for dim, fn in DIMENSIONS.items():
        print(f"\n== {dim}: wcxb non-truth / truth words (even half, odd half), pages; aeb-dev non / truth;"
              " word F1 change if dropped: wcxb all (even / odd), aeb word / shingle")
        agg: dict[str, list[float]] = defaultdict(lambda: [0.0] * 8)
        pages: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            for b, (non, tru) in zip(r["blocks"], surplus[id(r)], strict=True):
                if b["reason"] is not None:
                    continue
                c = fn(b)
                s = agg[c]
                if r["set"] == "wcxb-dev":
                    s[0] += non
                    s[1] += tru
                    s[2 if r["half"] == "even" else 4] += non
                    s[3 if r["half"] == "even" else 5] += tru
                    if non > 0.5 * (non + tru) and non >= 3:
                        pages[c].add(r["pid"])
                else:
                    s[6] += non
                    s[7] += tru
        for c, s in sorted(agg.items(), key=lambda x: -x[1][0]):
            dw = f1_without(w, lambda b, r, c=c, fn=fn: fn(b) == c)
            da = f1_without(a, lambda b, r, c=c, fn=fn: fn(b) == c)
            print(f"  {c:16} {s[0]:8.0f} / {s[1]:8.0f}  ({s[2]:6.0f}/{s[3]:7.0f}, {s[4]:6.0f}/{s[5]:7.0f}) "
                  f"{len(pages[c]):4d}p  aeb {s[6]:5.0f}/{s[7]:6.0f}  "
                  f"dF1 {dw[0] - base['w'][0]:+.4f} ({dw[1] - base['w'][1]:+.4f} / {dw[2] - base['w'][2]:+.4f}) "
                  f"aeb {da[0] - base['a'][0]:+.4f} / {da[3] - base['a'][3]:+.4f}")
    if worst:
        print(f"\n== the {worst} wcxb-dev pages of lowest precision")
        ranked = sorted(w, key=lambda r: word_prf(r["truth"], r["body"])[0])
        for r in ranked[:worst]:
            p, rr, f = word_prf(r["truth"], r["body"])
            print(f"\n-- {r['pid']} P={p:.2f} R={rr:.2f} F1={f:.2f}")
            for b, (non, tru) in zip(r["blocks"], surplus[id(r)], strict=True):
                if b["reason"] is None:
                    print(f"   {non:4.0f}/{tru:4.0f} {b['src']:14} {b['pos']:6} {b['sem']:12} {b['struct']:9} "
                          f"{b['kind']:5} {b['link']:.1f} {b['text'][:110]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--collect", type=Path)
    ap.add_argument("--report", type=Path)
    ap.add_argument("--worst", type=int, default=0)
    args = ap.parse_args()
    if args.collect:
        rows = collect(load_wcxb(DATA / "wcxb-dev"), "wcxb-dev") + collect(load_aeb(DATA / "aeb-dev"), "aeb-dev")
        for r in rows:  # lxml elements do not pickle; everything kept is text
            r.pop("tree", None)
        args.collect.write_bytes(pickle.dumps(rows))
    if args.report:
        report(pickle.loads(args.report.read_bytes()), args.worst)


if __name__ == "__main__":
    main()
