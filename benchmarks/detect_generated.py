"""Lineage detection on a generated news corpus built from aeb-dev ground-truth article bodies.

Usage: python benchmarks/detect_generated.py [--data DIR] [--sources N] [--seed S]

For each source body: a verbatim copy wrapped in chrome lines, a trimmed copy (first or last paragraph
dropped), an excerpt (a run of paragraphs, 15-50% of the words), synonym-spun rewrites at 10/20/30/40%
substitution (a share of *all* words replaced, content words only: a small hand-made synonym dict, else a
content word drawn from another body), and a sentence-shuffled rewrite. Bodies never used as a source are
independent texts. The whole corpus goes through LSH (`band_keys`) and every candidate pair is verified
(`compare_texts`), as the pipeline would. Prints edge precision, recall per relation and the confusion
table of (true relation of source->derived pairs) x (predicted relation).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archiver.fingerprint import (  # noqa: E402
    FUNCTION_WORDS,
    band_keys,
    band_shingles,
    fingerprint_text,
    shared_evidence,
    shingles,
    words,
)
from archiver.lineage.candidates import CANDIDATE_MIN_EVIDENCE  # noqa: E402
from archiver.lineage.verify import compare_texts  # noqa: E402

SYNONYMS = {
    "said": "stated", "says": "states", "told": "informed", "big": "large", "large": "big", "small": "little",
    "new": "fresh", "people": "individuals", "government": "administration", "company": "firm",
    "important": "significant", "help": "assist", "show": "display", "use": "employ", "used": "employed",
    "make": "create", "made": "created", "start": "begin", "started": "began", "city": "town",
    "country": "nation", "world": "globe", "buy": "purchase", "get": "obtain", "got": "obtained",
    "many": "numerous", "often": "frequently", "quickly": "rapidly", "about": "regarding", "area": "region",
    "need": "require", "children": "kids", "house": "home", "job": "position", "jobs": "positions",
    "money": "funds", "part": "portion", "problem": "issue", "problems": "issues", "week": "seven days",
    "year": "twelve months", "years": "decades", "later": "afterwards",
    "wanted": "desired", "want": "desire", "think": "believe", "thought": "believed", "report": "account",
    "recent": "latest", "end": "finish", "ended": "finished", "major": "key", "leader": "chief",
}  # fmt: skip
CHROME = [
    "Share this article", "Sign up for our newsletter", "Advertisement", "Read more", "Follow us on Twitter",
    "Related stories", "Comments", "Most popular", "Subscribe now", "Skip to main content",
]  # fmt: skip
SPIN_RATES = (0.1, 0.2, 0.3, 0.4)


def _paras(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def spin(text: str, rate: float, donor_vocab: list[str], rnd: random.Random) -> str:
    """Replace `rate` of all words by synonyms (content words only; dict, else a donor content word)."""
    toks = re.findall(r"\w+|\W+", text)
    n_words = sum(1 for t in toks if t[0].isalnum())
    idx = [i for i, t in enumerate(toks) if t.isalpha() and t.islower() and len(t) > 2 and t not in FUNCTION_WORDS]
    for i in rnd.sample(idx, min(len(idx), round(rate * n_words))):
        toks[i] = SYNONYMS.get(toks[i]) or rnd.choice(donor_vocab)
    return "".join(toks)


def shuffle_sentences(text: str, rnd: random.Random) -> str:
    sents = re.split(r"(?<=[.!?])\s+", " ".join(_paras(text)))
    rnd.shuffle(sents)
    return " ".join(sents)


def load_bodies(data: Path) -> list[str]:
    """Latin-script bodies of >= 150 words, minus any that shares text with another (dedupe by 5-grams)."""
    gt = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    bodies = []
    for key in sorted(gt):
        b = gt[key]["articleBody"]
        if len(words(b)) >= 150 and sum(c.isascii() for c in b) / len(b) > 0.9:
            bodies.append(b)
    sh = [shingles(words(b), 5) for b in bodies]
    drop = set()
    for i, j in combinations(range(len(bodies)), 2):
        if len(sh[i] & sh[j]) / min(len(sh[i]), len(sh[j])) > 0.05:
            drop.add(j)
    if drop:
        print(f"dropped {len(drop)} bodies sharing text with another body (5-gram containment > 5%)")
    return [b for i, b in enumerate(bodies) if i not in drop]


def build(
    bodies: list[str], n_sources: int, seed: int
) -> tuple[list[str], list[int], dict[int, str], dict[int, int]]:
    """Texts, family id per text (-1 = independent), and true relation of each derived text to its source."""
    rnd = random.Random(seed)
    texts: list[str] = []
    family: list[int] = []
    label: dict[int, str] = {}  # derived text index -> relation to its family's source
    source_idx: dict[int, int] = {}
    sources, independents = bodies[:n_sources], bodies[n_sources:]
    for f, body in enumerate(sources):
        source_idx[f] = len(texts)
        texts.append(body)
        family.append(f)
        other = bodies[(f + 1) % len(bodies)]
        donor = [w for w in words(other) if w.isalpha() and w not in FUNCTION_WORDS and len(w) > 2] or ["thing"]
        paras = _paras(body)
        derived: list[tuple[str, str]] = []
        chrome_top = rnd.sample(CHROME, 3)
        chrome_end = rnd.sample(CHROME, 2)
        derived.append(("copy", "\n".join(chrome_top) + "\n\n" + body + "\n\n" + "\n".join(chrome_end)))
        n_words = len(words(body))
        if len(paras) >= 3:
            trimmed = paras[1:] if rnd.random() < 0.5 else paras[:-1]
            if len(words(" ".join(trimmed))) >= 0.8 * n_words:
                derived.append(("copy", "\n\n".join(trimmed)))
        # excerpt: a run of whole paragraphs with 15-50% of the words
        runs = [
            (i, j)
            for i in range(len(paras))
            for j in range(i + 1, len(paras) + 1)
            if 0.15 <= len(words(" ".join(paras[i:j]))) / n_words <= 0.5
        ]
        if runs:
            i, j = rnd.choice(runs)
            derived.append(("excerpt", "\n\n".join(paras[i:j])))
        for rate in SPIN_RATES:
            derived.append((f"rewrite-spin{int(rate * 100)}", spin(body, rate, donor, rnd)))
        derived.append(("rewrite-shuffle", shuffle_sentences(body, rnd)))
        for rel, text in derived:
            label[len(texts)] = rel
            texts.append(text)
            family.append(f)
    for body in independents:
        texts.append(body)
        family.append(-1)
    return texts, family, label, source_idx


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=(Path(__file__).resolve().parents[2] / "shared" / "data" / "aeb-dev"))
    ap.add_argument("--sources", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    bodies = load_bodies(args.data)
    texts, family, label, source_idx = build(bodies, min(args.sources, len(bodies) // 2), args.seed)
    n_fam = len(source_idx)
    print(f"corpus: {len(texts)} texts, {n_fam} families, {family.count(-1)} independent bodies")

    t0 = time.perf_counter()
    buckets: dict[tuple[str, bytes], list[int]] = defaultdict(list)
    bands = [{fp.kind: band_keys(fp) for fp in fingerprint_text(t) if fp.kind != "exact"} for t in texts]
    for i, b in enumerate(bands):
        for kind, keys in b.items():
            for k in keys:
                buckets[(kind, k)].append(i)
    shared_keys: defaultdict[tuple[int, int], set[tuple[str, bytes]]] = defaultdict(set)
    for key, ids in buckets.items():
        for pair in combinations(sorted(set(ids)), 2):
            shared_keys[pair].add(key)
    held = {i for pair, keys in shared_keys.items() if len(keys) >= CANDIDATE_MIN_EVIDENCE for i in pair}
    shingles_of = {i: band_shingles(texts[i]) for i in sorted(held)}
    # as store.candidates_of_hits does, from the later text's side (the count is the same from either side)
    cands = {
        pair for pair, keys in shared_keys.items()
        if len(keys) >= CANDIDATE_MIN_EVIDENCE
        and shared_evidence(bands[pair[1]], shingles_of[pair[1]], keys) >= CANDIDATE_MIN_EVIDENCE
    }
    by_keys = sum(len(keys) >= CANDIDATE_MIN_EVIDENCE for keys in shared_keys.values())
    t1 = time.perf_counter()
    pred = {pair: compare_texts(texts[pair[0]], texts[pair[1]]) for pair in sorted(cands)}
    t2 = time.perf_counter()
    all_pairs = len(texts) * (len(texts) - 1) // 2
    print(
        f"LSH: {len(cands)} candidate pairs of {all_pairs} ({len(cands) / all_pairs:.1%}; "
        f"{by_keys} share >= {CANDIDATE_MIN_EVIDENCE} keys, counting a shingle's keys apart); "
        f"fingerprint {t1 - t0:.1f}s, verify {t2 - t1:.1f}s"
    )

    edges = {p: c for p, c in pred.items() if c.relation is not None}
    related = {p for p in edges if family[p[0]] == family[p[1]] != -1}
    precision = len(related) / len(edges) if edges else 1.0
    print(f"\nedge precision (both ends in one family): {len(related)}/{len(edges)} = {precision:.4f} (target 0.99)")
    for p in sorted(set(edges) - related)[:10]:
        print(f"  false edge {p}: {edges[p].relation} -- {edges[p].summary()}")

    # source -> derived pairs: recall per relation and the confusion table
    truth_of = {(min(source_idx[family[d]], d), max(source_idx[family[d]], d)): rel for d, rel in label.items()}
    conf: dict[str, Counter[str]] = defaultdict(Counter)
    for pair, rel in truth_of.items():
        c = edges.get(pair)
        conf[rel][str(c.relation) if c else "None"] += 1
    cols = ["identical", "copy", "excerpt", "rewrite", "None"]
    print("\n" + "".join(f"{h:>16}" for h in ["true \\ predicted", *cols, "recall"]))
    groups = {"copy": {"copy", "identical"}, "excerpt": {"excerpt"}}
    for rel in sorted(conf):
        want = groups.get(rel, {"rewrite"})
        n = sum(conf[rel].values())
        hit = sum(conf[rel][w] for w in want)
        print("".join(f"{x:>16}" for x in [rel, *[str(conf[rel][c]) for c in cols], f"{hit}/{n}={hit / n:.3f}"]))
    for name, rels, target in (
        ("copies", ["copy"], 0.98),
        ("excerpts", ["excerpt"], 0.98),
        ("rewrites <=30%", ["rewrite-spin10", "rewrite-spin20", "rewrite-spin30", "rewrite-shuffle"], 0.90),
        ("rewrites 40%", ["rewrite-spin40"], None),
    ):
        want = groups.get(rels[0], {"rewrite"})
        n = sum(sum(conf[r].values()) for r in rels)
        hit = sum(conf[r][w] for r in rels for w in want)
        edge = sum(n_ - conf[r]["None"] for r in rels for n_ in [sum(conf[r].values())])
        tgt = f"(target {target})" if target else "(reported)"
        print(f"  recall {name:15s} as its relation {hit}/{n} = {hit / n:.3f} {tgt}; any edge {edge}/{n}")
    # per predicted relation precision on pairs whose truth is known (source->derived, or cross-family)
    print()
    for rel in ("copy", "excerpt", "rewrite"):
        got = [p for p, c in edges.items() if c.relation == rel and (p in truth_of or family[p[0]] != family[p[1]])]
        ok = [p for p in got if p in truth_of and truth_of[p].startswith(rel)]
        print(f"  precision of '{rel}' on labelled pairs: {len(ok)}/{len(got)}")


if __name__ == "__main__":
    main()
