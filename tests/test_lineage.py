"""The pure direction logic: one parent per capture, always earlier, independent of input order."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from archiver.lineage.edges import (
    PARENT_GROUP,
    Match,
    Member,
    _directed_relation,
    derive_edges,
    family_order,
    originality,
)

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def member(cid: int, text: int, published: str | None, *, source: str | None = None, site: str | None = None,
           credits: tuple[tuple[str, str], ...] = (), words: int = 500, seen: int = 0) -> Member:
    return Member(cid, text, published, T0 + timedelta(hours=seen), f"{cid:064x}", source, site, credits, words)


def edges_of(members: list[Member], matches: list[Match]) -> set[tuple[int, int, str]]:
    return {(e.child_id, e.parent_id, e.relation) for e in derive_edges(members, matches)}


def test_the_earlier_publication_is_the_parent_whatever_was_seen_first() -> None:
    original = member(1, 10, "2024-03-01", seen=5)
    copy = member(2, 20, "2024-03-02", seen=0)
    assert edges_of([copy, original], [Match(10, 20, "copy", 0.95, None)]) == {(2, 1, "copy")}


def test_same_day_the_publishers_own_site_wins_over_a_credited_copy() -> None:
    own = member(1, 10, "2024-03-01", source="NPR", site="NPR", credits=(("NPR", "publisher"),), seen=9)
    station = member(2, 10, "2024-03-01", source="NPR", credits=(("NPR", "publisher"),), seen=0)
    spun = member(3, 30, "2024-03-01", source="NPR", credits=(("NPR", "reporting"),), seen=0)
    assert [originality(m) for m in (own, station, spun)] == [0, 1, 2]
    got = edges_of([spun, station, own], [Match(10, 30, "rewrite", 0.5, None)])
    assert (2, 1, "identical") in got and (3, 1, "rewrite") in got


def test_an_excerpt_points_at_the_longer_text_and_an_expansion_is_a_rewrite() -> None:
    full = member(1, 10, "2024-03-01", words=900)
    short = member(2, 20, "2024-03-02", words=200)
    assert edges_of([full, short], [Match(10, 20, "excerpt", 0.9, "b")]) == {(2, 1, "excerpt")}
    early_short = member(2, 20, "2024-02-28", words=200)
    assert edges_of([full, early_short], [Match(10, 20, "excerpt", 0.9, "b")]) == {(1, 2, "rewrite")}


def test_a_forest_that_does_not_depend_on_input_order() -> None:
    members = [
        member(1, 10, "2024-03-01"), member(2, 20, "2024-03-02"), member(3, 30, "2024-03-02"),
        member(4, 40, None), member(5, 10, "2024-03-03"),
    ]
    matches = [Match(10, 20, "copy", 0.9, None), Match(20, 30, "rewrite", 0.4, None),
               Match(10, 30, "rewrite", 0.5, None), Match(30, 40, "excerpt", 0.8, "b")]
    answers = {frozenset(edges_of(list(p), matches)) for p in itertools.permutations(members)}
    assert len(answers) == 1
    edges = next(iter(answers))
    children = [c for c, _, _ in edges]
    assert len(children) == len(set(children))  # one parent each
    parent_of = {c: p for c, p, _ in edges}
    for c in parent_of:  # no cycles
        seen, node = set(), c
        while node in parent_of:
            assert node not in seen
            seen.add(node)
            node = parent_of[node]
    assert parent_of[3] == 1 and parent_of[5] == 1  # strongest earlier match; identical text


def test_evidence_says_how_much_later_and_who_is_credited() -> None:
    a = member(1, 10, "2024-03-01T09:00:00+00:00", source="NPR", site="NPR", credits=(("NPR", "publisher"),))
    b = member(2, 20, "2024-03-01T12:10:00+00:00", source="NPR", credits=(("NPR", "publisher"),))
    match = Match(10, 20, "copy", 0.97, None, {"summary": "97% of this text appears verbatim"})
    (edge,) = derive_edges([b, a], [match])
    assert edge.evidence == [
        "97% of this text appears verbatim (#1)",
        "published 3 h after #1",
        "credits NPR, the publisher of #1",
        "#1 is on NPR's own site",
    ]



def _strongest_earlier(
    members: list[Member], matches: list[Match]
) -> tuple[dict[int, tuple[int, str, float]], set[int]]:
    """The definition, weighed pair by pair: a capture's parent is an identical text, else the earliest member
    in a verbatim relation to it (copy, excerpt: `PARENT_GROUP`), else the earliest in any relation, among
    every member before it in the family order. Also: the page re-captures, whose edge stays inside their
    page instead."""
    ordered = family_order(members, matches=matches)
    match_of = {(m.text_a, m.text_b): m for m in matches}
    heads = {(m.page_id, m.version): m for m in reversed(ordered) if m.page_id is not None}
    recaptures = {m.capture_id for m in ordered if m.page_id is not None and heads[(m.page_id, m.version)] is not m}
    out: dict[int, tuple[int, str, float]] = {}
    for i, child in enumerate(ordered):
        if child.capture_id in recaptures:
            continue
        best: tuple[Any, ...] | None = None
        for j, parent in enumerate(ordered[:i]):
            if parent.text_id == child.text_id:
                relation, score = "identical", 1.0
            else:
                match = match_of.get((min(parent.text_id, child.text_id), max(parent.text_id, child.text_id)))
                if match is None:
                    continue
                relation, score = _directed_relation(match, child.text_id)
            strength = (PARENT_GROUP.get(relation, 0), -j)
            if best is None or strength > best:
                best, out[child.capture_id] = strength, (parent.capture_id, relation, round(score, 4))
    return out, recaptures


def test_each_capture_gets_the_strongest_earlier_match_in_families_of_every_shape() -> None:
    rng = random.Random(7)
    credits = [("AP", "publisher"), ("NPR", "reporting"), ("NPR", "publisher")]
    for _ in range(400):
        n = rng.randint(1, 30)
        texts = rng.sample(range(1, 60), rng.randint(1, min(n, 12)))
        members = []
        for cid in range(1, n + 1):
            page = rng.choice([None, None, 1, 2])  # captures of one page all show its version 1
            members.append(Member(
                cid, rng.choice(texts), rng.choice([None, "2024-03-01", "2024-03-02", "2024-03-02T10:00:00Z"]),
                T0 + timedelta(hours=rng.randint(0, 5)), f"{rng.getrandbits(64):064x}",
                rng.choice([None, "AP", "NPR"]), rng.choice([None, "AP", "NPR"]),
                tuple(rng.sample(credits, rng.randint(0, 2))), rng.randint(50, 900), page, page and 1,
            ))
        matches = [
            Match(a, b, rng.choice(["copy", "excerpt", "rewrite"]), rng.choice([0.5, 0.9, round(rng.random(), 3)]),
                  rng.choice([None, "a", "b"]))
            for a, b in itertools.combinations(sorted(set(texts)), 2) if rng.random() < 0.5
        ]
        wanted, recaptures = _strongest_earlier(members, matches)
        edges = derive_edges(members, matches)
        assert {(e.child_id, e.parent_id, e.relation) for e in edges if e.child_id in recaptures} == {
            (c, heads_parent, "identical") for c, heads_parent in _page_heads(members, recaptures)
        }
        assert {e.child_id: (e.parent_id, e.relation, e.score) for e in edges if e.child_id not in recaptures} == wanted


def _page_heads(members: list[Member], recaptures: set[int]) -> list[tuple[int, int]]:
    """(re-capture, the first capture of its page in the family order)."""
    ordered = family_order(members)
    return [(m.capture_id, next(h.capture_id for h in ordered if h.page_id == m.page_id))
            for m in ordered if m.capture_id in recaptures]
