"""Corrections set by hand, applied to a family's derived edges: the one place they act on lineage.

`families.rederive_family` calls `corrections_apply` on the edges it derived, before writing them, so
every re-derivation (any later `add`, `reprocess`, a correction itself) gives the corrected forest. A
correction is a `correction` row (`archive link`, `unlink`, `origin`); in the order applied:

1. unlink C [from P]: C's derived edge to P is dropped (C becomes the origin of its own subtree);
2. link C -> P: C's edge is the one set by hand. When the machine's edges above P lead back to C, the
   first machine-derived edge on that path (from P up) is dropped, so the forest keeps no cycle: a link
   that turns the machine's direction round makes P the root. A link whose cycle no such edge can open
   (hand-set edges close it) is refused when it is made (`pipeline.corrections`), so it is never kept here;
3. origin C: C has no parent, and the machine's chain from C up to its old root is turned round, so C is
   the origin of the family; the walk stops at an edge set by hand or another pinned origin.

Each edge a correction sets carries its evidence, first line "set by hand on <date>". Cost when a family has
none: one indexed query per re-derivation (~25 µs on SQLite, timed on the seeds' archive: about 1% of the 2.2 ms
the writer spends per aeb-dev page, as `pipeline.add` measures it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from archiver.store.corrections import corrections_of, stored_parents
from archiver.store.matches import EdgeValues
from archiver.types import iso, utc

# a derived edge turned round by an `origin` correction: an excerpt of its parent makes the parent a text
# that takes all of it and adds to it (the rewrite `edges._directed_relation` names); the rest are symmetric
REVERSED_RELATION = {"excerpt": "rewrite"}

WALK_LIMIT = 10_000  # parents followed looking for a cycle: far above any chain in a family (FAMILY_LIMIT texts)


def hand_evidence(created_at: datetime) -> str:
    """The first evidence line of an edge a correction set."""
    return f"set by hand on {utc(created_at).date().isoformat()}"


def correction_record(row: Any) -> dict[str, Any]:
    """A correction row as `archive corrections --json` lists it."""
    return {
        "id": row.id,
        "kind": row.kind,
        "capture_id": row.capture_id,
        "parent_id": row.parent_id,
        "relation": row.relation,
        "publisher": row.publisher,
        "created_at": iso(row.created_at),
        "evidence": hand_evidence(row.created_at),
    }


def corrections_apply(
    session: Session, capture_ids: Iterable[int], wanted: dict[int, EdgeValues]
) -> dict[int, EdgeValues]:
    """The family's edges (child -> parent, relation, score, evidence) with its corrections applied."""
    family = set(capture_ids)
    rows = corrections_of(session, family)
    if not rows:
        return wanted
    out = dict(wanted)
    for c in rows:
        if c.kind == "unlink" and c.capture_id in out and out[c.capture_id][0] == c.parent_id:
            del out[c.capture_id]
    hand: set[int] = set()
    for c in rows:
        if c.kind == "link" and c.parent_id is not None:
            _link(session, out, family, hand, c)
    pinned = {c.capture_id for c in rows if c.kind == "origin"}
    for c in rows:
        if c.kind == "origin":
            _pin_origin(out, family, hand, pinned, c)
    return out


def _link(session: Session, out: dict[int, EdgeValues], family: set[int], hand: set[int], c: Any) -> None:
    before = out.get(c.capture_id)
    evidence = [f"{hand_evidence(c.created_at)}: derived from #{c.parent_id} (archive link)"]
    score = 1.0
    if before is not None and before[0] == c.parent_id:  # the machine found it too: keep what it measured
        evidence += before[3]
        score = before[2]
    out[c.capture_id] = (c.parent_id, c.relation or "copy", score, evidence)
    hand.add(c.capture_id)
    path = _path_up(session, out, family, c.parent_id, stop=c.capture_id)
    if path is None or path[-1] != c.capture_id:
        return
    for node in path[:-1]:  # a cycle: drop the first machine-derived edge inside the family on it
        if node in family and node not in hand and node in out:
            del out[node]
            return
    # only hand-set edges (or edges of other families) close the cycle: refused when made; keep the forest
    if before is None:
        del out[c.capture_id]
    else:
        out[c.capture_id] = before
    hand.discard(c.capture_id)


def _path_up(
    session: Session, out: dict[int, EdgeValues], family: set[int], start: int, stop: int
) -> list[int] | None:
    """`start` and its ancestors, up to the root or to `stop` (included when reached)."""
    path = [start]
    seen = {start}
    node = start
    while node != stop and len(path) < WALK_LIMIT:
        if node in family:
            parent = out[node][0] if node in out else None
        else:
            parent = stored_parents(session, [node]).get(node)
        if parent is None or parent in seen:
            return path
        path.append(parent)
        seen.add(parent)
        node = parent
    return path


def _pin_origin(out: dict[int, EdgeValues], family: set[int], hand: set[int], pinned: set[int], c: Any) -> None:
    """C becomes the root: its chain up to the old root is turned round (module docstring, rule 3)."""
    who = f"#{c.capture_id} is the origin" + (f", published by {c.publisher}" if c.publisher else "")
    previous = c.capture_id
    edge = out.pop(c.capture_id, None)
    hand.discard(c.capture_id)
    while edge is not None:
        node = edge[0]
        if node in hand or node in pinned or node not in family:
            return
        above = out.get(node)
        out[node] = (
            previous,
            REVERSED_RELATION.get(edge[1], edge[1]),
            edge[2],
            [f"{hand_evidence(c.created_at)}: {who} (archive origin); the machine had #{previous} "
             f"as {edge[1]} of #{node}"],
        )
        previous, edge = node, above


def corrections_path(session: Session, start: int, stop: int) -> list[int]:
    """`start` and its stored ancestors up to the root, or up to `stop` (included when reached)."""
    path = [start]
    node = start
    while node != stop and len(path) < WALK_LIMIT:
        above = stored_parents(session, [node]).get(node)
        if above is None or above in path:
            break
        path.append(above)
        node = above
    return path
