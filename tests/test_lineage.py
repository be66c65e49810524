"""The pure direction logic: one parent per capture, always earlier, independent of input order."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from archiver.lineage import Match, Member, derive_edges, originality

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
    (edge,) = derive_edges([b, a], [Match(10, 20, "copy", 0.97, None, {"summary": "97% of this text appears verbatim"})])
    assert edge.evidence == [
        "97% of this text appears verbatim (#1)",
        "published 3 h after #1",
        "credits NPR, the publisher of #1",
        "#1 is on NPR's own site",
    ]
