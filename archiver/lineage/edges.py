"""Verified text matches -> directed lineage edges: one best source per capture, a forest.

Pure: takes the members of one family (captures whose texts are linked by verified matches) and
returns the edges. Never clusters (CONVENTIONS 11): each capture gets at most one parent, always
one that comes earlier in a total order of the family, so the result has no cycles and does not
depend on the order captures were added in.

The order (earliest = most original first):
1. published day, when known (a page with no date sorts after dated ones);
2. how directly the page is the publisher's own: on the publisher's own site (its own text, or the
   publisher other members credit), then carrying an explicit publisher credit (copyright / "originally
   appeared in"), then only reporting credits ("told NPR"), then none: a copy credits the publisher of the
   original, not the reverse;
3. the full published timestamp, when both have one;
4. the texts themselves (`text_precedence`): a text that holds more of the others than they hold of it
   comes first: the longer side of an excerpt, the common source of several derived texts (it explains
   each of them, they explain each other only in part), the fuller of a rewrite pair;
5. the capture time (when *we* saw it: it breaks ties, never overrules the texts);
6. the raw bytes' SHA-256, so ties resolve the same way in every run.

Of the earlier members a child matches, its parent is the earliest in the strongest relation group
(`PARENT_GROUP`: identical, then verbatim, then rewrite): a full rewrite hangs from the fullest text it
derives from, not from an excerpt of that text, and texts derived from one source hang from it, not from
each other.

Versions of one page (same page URL, numbered by versions.py) stay together: the page's captures
sort as one block, placed where its earliest member would sort, in version order inside. Each
later version is a `revision` of the version before it, each re-capture `identical` to its
version's first capture, and only a page's first version looks for a source outside the page, so
a copy of version 1 links to version 1 and a revision never breaks the family.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

RELATION_STRENGTH = {"identical": 4, "copy": 3, "excerpt": 2, "rewrite": 1}
PUBLISHER_KINDS = {"publisher", "syndication"}
# parent choice: an identical text first; then a verbatim relation (copy, excerpt) before a reworded one
# (rewrite): a copy of a spun rewrite hangs from the rewrite, not from the original it rewords; then the
# earliest in the family order, the most original. Not the one holding the most of the child: texts that
# drew on one source (or on one text outside the archive) hold each other's borrowings too, and hanging
# each from the sibling that holds most of it puts answers under answers. Clough dev task c: g0pB_taskc
# pasted the whole source and the next Wikipedia paragraphs, which other answers also used, so it held
# more of g1pA_taskc (0.61), g4pE_taskc (0.59), g1pB_taskc (0.55) than their source did (0.34-0.43).
PARENT_GROUP = {"identical": 2, "copy": 1, "excerpt": 1}


@dataclass(frozen=True)
class Member:
    """What lineage needs to know of one capture."""

    capture_id: int
    text_id: int
    published: str | None
    captured_at: datetime
    blob_sha256: str
    source_publisher: str | None
    site_publisher: str | None  # its own site's canonical publisher name, when known
    credits: tuple[tuple[str, str], ...] = ()  # (name, kind) in order of appearance
    words: int = 0
    page_id: int | None = None  # the page it is a capture of, when its URL is known
    version: int | None = None  # which version of that page it shows (versions.py)


@dataclass(frozen=True)
class Match:
    """A verified, undirected relation between two texts."""

    text_a: int
    text_b: int
    relation: str
    score: float
    excerpt_side: str | None  # "a" or "b": which text is the shorter excerpt
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Edge:
    """The chosen source of one capture."""

    child_id: int
    parent_id: int
    relation: str
    score: float
    evidence: list[str]


def originality(member: Member, credited: frozenset[str] = frozenset()) -> int:
    """0 = the publisher's own site, 1 = explicit publisher credit, 2 = reporting credit only, 3 = none.

    `credited` holds the publishers that other members of the family credit as publisher: a page on
    such a publisher's own site is the one they copied, even when its text carries another agency's
    dateline (a Reuters page running AP copy, republished "Copyright Reuters" by a local paper).
    """
    pub = member.source_publisher
    if member.site_publisher is not None and (member.site_publisher == pub or member.site_publisher in credited):
        return 0
    if pub is None:
        return 3
    if any(name == pub and kind in PUBLISHER_KINDS for name, kind in member.credits):
        return 1
    if any(name == pub for name, _ in member.credits):
        return 2
    return 3


def _published_day(member: Member) -> str:
    return (member.published or "")[:10] or "9999-99-99"


def _published_time(member: Member) -> str:
    value = member.published or ""
    return value if len(value) > 10 else value[:10] + "T99"  # date-only sorts after timed, same day


def credited_by_others(members: list[Member]) -> dict[int, frozenset[str]]:
    """For each member, the publishers the *other* members credit as publisher of their text."""
    own = {m.capture_id: {name for name, kind in m.credits if kind in PUBLISHER_KINDS} for m in members}
    counts = Counter(name for names in own.values() for name in names)
    return {
        cid: frozenset(name for name, n in counts.items() if n > (1 if name in names else 0))
        for cid, names in own.items()
    }


def order_key(member: Member, credited: frozenset[str] = frozenset(), precedence: float = 0.0) -> tuple[Any, ...]:
    """Total order of a family: earlier means more likely the original (module docstring)."""
    return (
        _published_day(member),
        originality(member, credited),
        _published_time(member),
        -precedence,
        member.captured_at.isoformat(),
        member.blob_sha256,
    )


def _share(match: Match, text: int) -> float:
    """How much of `text` the other text of the match holds: its words in shared passages, its word 3-grams
    or (spin-robust) its skeleton 4-grams found in the other, whichever is largest. Falls back to the score
    for matches stored without the measurements."""
    ev = match.evidence or {}
    # the "a" measurements describe the text compared first: the later-added one, stored as text_b
    # (`candidates.verify_candidates`), named in "a_text" since verifier version 4
    side = "a" if text == ev.get("a_text", match.text_b) else "b"
    other = "b" if side == "a" else "a"
    values = [ev.get(f"coverage_{side}"), ev.get(f"contained_{side}_in_{other}"), ev.get(f"skeleton_{side}_in_{other}")]
    found = [float(v) for v in values if isinstance(v, (int, float))]
    return max(found) if found else match.score


# Precedence differences below this are measurement noise (two copies of one text differ by a few words
# of chrome); rounding keeps the order the same in every run and on both backends.
PRECEDENCE_DIGITS = 2
# How much a rewrite's share counts toward precedence against a verbatim one (copy/excerpt): a rewrite
# shares meaning, not wording, and the original wording is the source's. Clough dev: with 1 (no weight)
# task a's original leads by 0.25 over a cut answer; a spun full rewrite (generated corpus, 25% swaps)
# holds ~0.8-0.9 of an excerpt's skeleton, so at 1 it could outrank the original that holds the excerpt whole.
REWRITE_PRECEDENCE_WEIGHT = 0.5
# How much a pair's net containment (what one holds of the other minus what the other holds of it) adds to
# precedence. A near-whole copy holds almost all of its source and is held almost wholly by it, so the
# shares alone leave the two within a few hundredths of each other and which one leads turned on how a third
# member's text was cleaned (Clough dev task a: the original and a 94% copy flipped when one answer kept 22
# more words). Clough dev, both capture orders: 0.25 as 0 (cut 3/10, light 5/10, heavy 6/12, originals
# without a parent 2/3); 0.4-0.75 a plateau (7/10, 8/10, 7/12, 3/3); 1-2 light 4/10; 0.5 is its middle.
# Checked on the confuser and generated corpora (docs/calibration.md#lineage-a-fact-checker-can-trust-issue-20).
NET_PRECEDENCE_WEIGHT = 0.5


def text_precedence(matches: list[Match]) -> dict[int, float]:
    """Per text: how much of the texts it matches it holds (`_share`), plus half its net containment against
    each (`NET_PRECEDENCE_WEIGHT`), summed; a rewrite counts half.

    The source of an excerpt holds all of it and the excerpt little of the source; the common source of
    several derived texts holds most of each, while they hold each other only in part (Clough dev: each
    task's original explains 5-6 answers, a cut answer at most 5.9 in task a). Matches of a page's versions
    (`revision`) and identical texts say nothing of which came first and are left out. No match: 0.
    """
    out: dict[int, float] = {}
    for m in matches:
        if m.relation in ("identical", "revision"):
            continue
        w = REWRITE_PRECEDENCE_WEIGHT if m.relation == "rewrite" else 1.0
        held_b, held_a = _share(m, m.text_b), _share(m, m.text_a)
        out[m.text_a] = out.get(m.text_a, 0.0) + w * (held_b + NET_PRECEDENCE_WEIGHT * (held_b - held_a))
        out[m.text_b] = out.get(m.text_b, 0.0) + w * (held_a + NET_PRECEDENCE_WEIGHT * (held_a - held_b))
    return {t: round(v, PRECEDENCE_DIGITS) for t, v in out.items()}


def _parse_time(value: str | None) -> datetime | None:
    if not value or len(value) <= 10:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None  # a naive time cannot be compared across sites


def _published_gap(parent: Member, child: Member) -> str | None:
    """'3 h' / '2 days' between two timestamped publications, when the child is later."""
    a, b = _parse_time(parent.published), _parse_time(child.published)
    if a is None or b is None or b <= a:
        return None
    hours = (b - a).total_seconds() / 3600
    if hours < 1:
        return f"{round(hours * 60)} min"
    if hours < 48:
        return f"{hours:.0f} h"
    return f"{hours / 24:.0f} days"


def _evidence(
    child: Member, parent: Member, match: Match | None, relation: str, credited: dict[int, frozenset[str]]
) -> list[str]:
    lines: list[str] = []
    if match is None:
        lines.append(f"the same clean text as #{parent.capture_id} (exact fingerprint)")
    else:
        summary = match.evidence.get("summary")
        if summary:
            lines.append(f"{summary} (#{parent.capture_id})")
    gap = _published_gap(parent, child)
    if gap:
        lines.append(f"published {gap} after #{parent.capture_id}")
    elif parent.published and child.published and _published_day(parent) < _published_day(child):
        lines.append(f"published {child.published} after #{parent.capture_id} ({parent.published})")
    elif parent.published and not child.published:
        lines.append(f"#{parent.capture_id} is dated {parent.published}; this capture has no date")
    pub = parent.source_publisher
    if pub and any(name == pub for name, _ in child.credits) and child.source_publisher in (None, pub):
        lines.append(f"credits {pub}, the publisher of #{parent.capture_id}")
    rank_parent = originality(parent, credited[parent.capture_id])
    if rank_parent < originality(child, credited[child.capture_id]):
        if rank_parent == 0:
            lines.append(f"#{parent.capture_id} is on {parent.site_publisher}'s own site")
        elif rank_parent == 1 and pub:
            lines.append(f"#{parent.capture_id} carries {pub}'s publisher credit")
    if relation == "excerpt":
        lines.append(f"{child.words} words, #{parent.capture_id} has {parent.words}")
    return lines


def _page_order_key(member: Member) -> tuple[Any, ...]:
    return (member.version or 0, member.captured_at.isoformat(), member.published or "", member.blob_sha256)


def family_order(
    members: list[Member],
    credited: dict[int, frozenset[str]] | None = None,
    matches: list[Match] | None = None,
) -> list[Member]:
    """The family in order: each page's captures as one block, in version order (module docstring)."""
    credited = credited if credited is not None else credited_by_others(members)
    precedence = text_precedence(matches or [])
    groups: dict[tuple[str, int], list[Member]] = {}
    for m in members:
        key = ("page", m.page_id) if m.page_id is not None else ("capture", m.capture_id)
        groups.setdefault(key, []).append(m)
    blocks = sorted(
        groups.values(),
        key=lambda g: min(order_key(m, credited[m.capture_id], precedence.get(m.text_id, 0.0)) for m in g),
    )
    return [m for block in blocks for m in sorted(block, key=_page_order_key)]


def _version_edge(child: Member, head: Member, previous: Member | None, match: Match | None) -> Edge:
    """A page capture's edge inside its page: re-capture of its version, or revision of the one before."""
    if previous is None:
        same = child.text_id == head.text_id
        why = "the same text" if same else "only whitespace, punctuation or the dateline changed"
        return Edge(
            child_id=child.capture_id,
            parent_id=head.capture_id,
            relation="identical",
            score=1.0,
            evidence=[f"re-capture of version {child.version} of this page (#{head.capture_id}): {why}"],
        )
    evidence = [
        f"version {child.version} of this page, captured {child.captured_at.isoformat()[:19]} "
        f"after version {previous.version} (#{previous.capture_id})"
    ]
    summary = match.evidence.get("summary") if match else None
    if summary:
        evidence.append(f"{summary} (#{previous.capture_id})")
    return Edge(
        child_id=child.capture_id,
        parent_id=previous.capture_id,
        relation="revision",
        score=round(match.score, 4) if match else 0.0,
        evidence=evidence,
    )


def derive_edges(members: list[Member], matches: list[Match]) -> list[Edge]:
    """Pick one parent per member from the earlier members it matches; returns the edges."""
    credited = credited_by_others(members)
    ordered = family_order(members, credited, matches)
    rank = {m.capture_id: i for i, m in enumerate(ordered)}
    heads: dict[tuple[int, int], Member] = {}
    for m in ordered:
        if m.page_id is not None and m.version is not None:
            heads.setdefault((m.page_id, m.version), m)
    # Of the members before a child that share a text, the earliest is its best parent among them (same
    # relation and score, the earlier wins the tie), so each child weighs one member per related text: the
    # first of its own text and of each text it matches. A family of n copies costs O(n), not O(n^2).
    first_of_text: dict[int, Member] = {}
    for m in ordered:
        first_of_text.setdefault(m.text_id, m)
    match_of, related = _match_index(matches)

    edges: list[Edge] = []
    for child in ordered:
        if child.page_id is not None and child.version is not None:
            head = heads[(child.page_id, child.version)]
            previous = heads.get((child.page_id, child.version - 1))
            if head is not child or previous is not None:
                other = head if head is not child else previous
                assert other is not None
                key = (min(other.text_id, child.text_id), max(other.text_id, child.text_id))
                edges.append(_version_edge(child, head, previous if head is child else None, match_of.get(key)))
                continue
        chosen = _best_parent(child, first_of_text, related.get(child.text_id, []), rank)
        if chosen is not None:
            parent, relation, score, match = chosen
            edges.append(Edge(
                child_id=child.capture_id,
                parent_id=parent.capture_id,
                relation=relation,
                score=round(score, 4),
                evidence=_evidence(child, parent, match, relation, credited),
            ))
    return edges


def _match_index(matches: list[Match]) -> tuple[dict[tuple[int, int], Match], dict[int, list[tuple[int, Match]]]]:
    """Matches by (text_a, text_b), and per text the other texts it matches with their match."""
    match_of: dict[tuple[int, int], Match] = {}
    for mt in matches:
        match_of[(mt.text_a, mt.text_b)] = mt
    related: dict[int, list[tuple[int, Match]]] = {}  # text -> (other text, their match)
    for (a, b), mt in match_of.items():
        if a < b:  # as stored (text_a < text_b)
            related.setdefault(a, []).append((b, mt))
            related.setdefault(b, []).append((a, mt))
    return match_of, related


def _best_parent(
    child: Member, first_of_text: dict[int, Member], related: list[tuple[int, Match]], rank: dict[int, int]
) -> tuple[Member, str, float, Match | None] | None:
    """Of the earlier members the child's text is or matches, the strongest relation group (`PARENT_GROUP`),
    then the earliest: the first member of its own text (identical) and the first of each text it matches."""
    best: tuple[Any, ...] | None = None
    chosen: tuple[Member, str, float, Match | None] | None = None
    own_first = first_of_text[child.text_id]
    weighed: list[tuple[Member, str, float, Match | None]] = []
    if own_first is not child:
        weighed.append((own_first, "identical", 1.0, None))
    for other_text, found in related:
        first = first_of_text.get(other_text)
        if first is not None and rank[first.capture_id] < rank[child.capture_id]:
            weighed.append((first, *_directed_relation(found, child.text_id), found))
    for parent, relation, score, match in weighed:
        strength = (PARENT_GROUP.get(relation, 0), -rank[parent.capture_id])
        if best is None or strength > best:
            best, chosen = strength, (parent, relation, score, match)
    return chosen


# A derived text that holds at least this share of its (shorter) source verbatim and in order, adding text
# of its own, is a copy of it (an expanded copy: a wire story with a local paragraph, a Clough cut answer
# that pasted the whole source and went on pasting); the verifier's copy threshold (COPY_MIN_COVERAGE).
# Clough dev g0pB_taskc (raw text) holds its source 0.76 in order (0.94 in all); less than that, and added: a rewrite.
EXPANDED_COPY_MIN_HELD = 0.75


def pair_relation(
    relation: str | None, excerpt_side: str | None, child_side: str | None, parent_held: float = 0.0
) -> str | None:
    """The one decision of a pair's relation as lineage and `compare` show it: the verifier's relation,
    seen from the derived side (`child_side`, "a" or "b"; None when no edge joins them). An excerpt is
    the shorter text: a derived text that takes the other and adds to it is a copy of it when it holds
    the other verbatim (`parent_held`: its share in order, EXPANDED_COPY_MIN_HELD), else a rewrite."""
    if relation != "excerpt" or excerpt_side is None or child_side is None or child_side == excerpt_side:
        return relation
    return "copy" if parent_held >= EXPANDED_COPY_MIN_HELD else "rewrite"


def held_verbatim(match: Match, text: int) -> float:
    """The share of `text` that the other text of the match holds verbatim and in order (0 if unknown)."""
    ev = match.evidence or {}
    side = "a" if text == ev.get("a_text", match.text_b) else "b"
    value = ev.get(f"verbatim_{side}")
    return float(value) if isinstance(value, (int, float)) else 0.0


def _directed_relation(match: Match, child_text: int) -> tuple[str, float]:
    """The match's relation seen from the child (`pair_relation`)."""
    child_side = "a" if child_text == match.text_a else "b"
    parent_text = match.text_b if child_side == "a" else match.text_a
    relation = pair_relation(match.relation, match.excerpt_side, child_side, held_verbatim(match, parent_text))
    return relation or match.relation, match.score


def root_of(capture_id: int, parent_of: dict[int, int]) -> int:
    """Follow parents up to the root (the origin capture)."""
    seen = {capture_id}
    while capture_id in parent_of:
        capture_id = parent_of[capture_id]
        if capture_id in seen:  # defensive: edges are acyclic by construction
            break
        seen.add(capture_id)
    return capture_id
