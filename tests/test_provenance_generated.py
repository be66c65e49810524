"""Provenance on generated captures with known originals (the benchmark's corpus, small): origins, orders."""

from __future__ import annotations

import random
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from provenance_corpus import build, load_bodies  # noqa: E402
from provenance_generated import run_order, score  # noqa: E402


def test_every_capture_traces_to_its_original_in_any_order(new_db_factory) -> None:  # type: ignore[no-untyped-def]
    bodies = load_bodies(source=ROOT / "tests" / "pages" / "ground-truth.json")
    docs = build(n_originals=len(bodies), seed=3, bodies=bodies)
    assert len(docs) == 5 * len(bodies)
    answers = []
    for k in range(3):
        order = list(range(len(docs)))
        random.Random(k).shuffle(order)
        lineage, _ = run_order(docs, order, new_db_factory(f"{k}.db"))
        right, total, crossing = score(docs, lineage)
        wrong = {n: v for n, v in lineage.items() if v[2] != next(d.origin for d in docs if d.name == n)}
        assert sum(right.values()) == sum(total.values()), wrong
        assert crossing == 0
        answers.append(lineage)
    assert answers[0] == answers[1] == answers[2]
    kinds = {d.name: d.kind for d in docs}
    relations = {kinds[n]: v[1] for n, v in answers[0].items()}
    assert relations.get("excerpt") in (None, "excerpt")  # when sampled, an excerpt is called one
    assert relations.get("spun") in (None, "copy", "rewrite")  # the dictionary swaps few words in some texts
