"""Provenance on a generated corpus with known originals: origin accuracy, cross-family edges, order.

    .venv/bin/python benchmarks/provenance_generated.py [--originals 40] [--orders 5]

Adds the corpus in several random orders, each into a fresh SQLite archive, and prints: the share of
captures whose origin is their true original (target >= 98%), per kind; edges that cross families
(target 0); whether every order gave the same lineage (target: yes); and the time per add.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from provenance_corpus import Doc, build  # noqa: E402

from archiver.config import database_url  # noqa: E402
from archiver.pipeline.add import add_one  # noqa: E402
from archiver.read import lineage as query
from archiver.store.engine import Archive  # noqa: E402
from archiver.types import Capture  # noqa: E402

CAPTURED_AT = datetime(2021, 1, 1, tzinfo=UTC)  # one crawl time for all: the pages' own dates must decide


def run_order(docs: list[Doc], order: list[int], db: Path | str) -> tuple[dict[str, tuple], float]:
    """Add the docs in this order; return each doc's (parent name, relation, origin name) and secs/add."""
    t0 = time.perf_counter()
    ids: dict[int, str] = {}
    with Archive(database_url(str(db))) as archive:
        for i in order:
            d = docs[i]
            result = add_one(archive, Capture(d.raw, d.name, d.url, CAPTURED_AT, d.content_type))
            if result.id is None:
                raise SystemExit(f"{d.name}: {result.error}")
            ids[result.id] = d.name
        elapsed = (time.perf_counter() - t0) / len(order)
        out = {}
        for cid, name in ids.items():
            data = query.lineage(archive, str(cid))
            parent = data["parent"]
            out[name] = (
                ids.get(parent["id"]) if parent else None,
                parent["relation"] if parent else None,
                ids.get(data["origin"]["id"]),
            )
    return out, elapsed


def score(docs: list[Doc], lineage: dict[str, tuple]) -> tuple[Counter, Counter, int]:
    truth = {d.name: d for d in docs}
    right: Counter = Counter()
    total: Counter = Counter()
    crossing = 0
    for name, (parent, _rel, origin) in lineage.items():
        kind = truth[name].kind
        total[kind] += 1
        right[kind] += origin == truth[name].origin
        if parent is not None and truth[parent].origin != truth[name].origin:
            crossing += 1
    return right, total, crossing


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--originals", type=int, default=40)
    ap.add_argument("--orders", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    docs = build(args.originals, args.seed)
    print(f"corpus: {len(docs)} captures from {args.originals} originals "
          f"({dict(Counter(d.kind for d in docs))})")
    answers = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.orders):
            order = list(range(len(docs)))
            random.Random(100 + k).shuffle(order)
            lineage, per_add = run_order(docs, order, Path(tmp) / f"o{k}.db")
            right, total, crossing = score(docs, lineage)
            answers.append(lineage)
            acc = sum(right.values()) / sum(total.values())
            print(f"order {k}: origin correct {acc:.1%} ({sum(right.values())}/{sum(total.values())}), "
                  f"cross-family edges {crossing}, {per_add * 1000:.0f} ms/add")
            if k == 0:
                for kind in sorted(total):
                    print(f"    {kind:<18} {right[kind]}/{total[kind]}")
    same = all(a == answers[0] for a in answers)
    print(f"same lineage in all {args.orders} orders: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
