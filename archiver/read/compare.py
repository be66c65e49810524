"""`compare`: two captures' texts, the passages they share and the relation between them."""

from __future__ import annotations

from typing import Any

from archiver.lineage.edges import pair_relation
from archiver.lineage.boilerplate import boilerplate_of, compare_without
from archiver.lineage.verify import swap_sides
from archiver.read.lineage import capture_node
from archiver.read.resolve import resolve_capture
from archiver.store.engine import Archive
from archiver.store.matches import edge_of
from archiver.store.models import TextRow


def compare(archive: Archive, ref_a: str, ref_b: str) -> dict[str, Any]:
    """Two captures' clean texts aligned: relation, measurements and shared passages with offsets."""
    with archive.session() as session:
        rows = [resolve_capture(session, ref) for ref in (ref_a, ref_b)]
        texts = [session.get(TextRow, r.text_id) for r in rows]
        nodes = [capture_node(session, r.id) for r in rows]
        edge_a, edge_b = (edge_of(session, r.id) for r in rows)
        child_side = (
            "a" if edge_a is not None and edge_a.parent_id == rows[1].id
            else "b" if edge_b is not None and edge_b.parent_id == rows[0].id
            else None
        )
        edge = edge_a if child_side == "a" else edge_b if child_side == "b" else None
        # passages recurring across unrelated stories are cut out, as lineage cuts them (`lineage.boilerplate`)
        boilerplate, held = boilerplate_of(session, [rows[0].text_id, rows[1].text_id])
    shared = held[rows[0].text_id].keys() & held[rows[1].text_id].keys() & boilerplate
    body_a, body_b = (t.body if t else "" for t in texts)
    # the later-added text first, as `add` verified the pair (`candidates.verify_candidates`)
    if rows[0].text_id < rows[1].text_id:
        result = swap_sides(compare_without(body_b, body_a, shared))
    else:
        result = compare_without(body_a, body_b, shared)
    return {
        "a": {**nodes[0], "text": body_a},
        "b": {**nodes[1], "text": body_b},
        # the relation lineage gives the pair when an edge joins them (`lineage.edges.pair_relation`)
        "relation": pair_relation(
            result.relation, result.excerpt_side, child_side,
            result.verbatim_b if child_side == "a" else result.verbatim_a,
        ),
        "lineage_edge": (
            None if edge is None
            else {"child": edge.child_id, "parent": edge.parent_id, "relation": edge.relation}
        ),
        "discounted": result.discounted,
        "score": round(result.score, 4),
        "summary": result.summary(),
        "excerpt_side": result.excerpt_side,
        "contained_a_in_b": round(result.contained_a_in_b, 4),
        "contained_b_in_a": round(result.contained_b_in_a, 4),
        "skeleton_a_in_b": round(result.skeleton_a_in_b, 4),
        "skeleton_b_in_a": round(result.skeleton_b_in_a, 4),
        "edits_per_100": round(result.edits_per_100, 2),
        "longest_passage_words": result.longest_passage_words,
        "passages": [
            {"a_start": p[0], "a_end": p[1], "b_start": p[2], "b_end": p[3]} for p in result.passages
        ],
    }
