"""`lineage`: a capture's chain up to its origin and its descendants; every family (`--all`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archiver.lineage.edges import root_of
from archiver.read.resolve import resolve_capture
from archiver.read.show import capture_brief, edge_summary
from archiver.store.corrections import pinned_publishers
from archiver.store.engine import Archive
from archiver.store.matches import children_of, edge_of
from archiver.store.models import CaptureRow, LineageEdge

DESCENDANT_LIMIT = 10_000  # captures listed below one node; a wire story can have thousands of copies


def capture_node(session: Session, capture_id: int) -> dict[str, Any]:
    row = session.get(CaptureRow, capture_id)
    assert row is not None
    return {**capture_brief(row), "published": row.published, "source_publisher": row.source_publisher}


def lineage(archive: Archive, ref: str) -> dict[str, Any]:
    """A capture's chain up to its origin and every capture derived from it, with evidence."""
    with archive.session() as session:
        row = resolve_capture(session, ref)
        ancestors: list[dict[str, Any]] = []
        parent_of: dict[int, int] = {}
        current = row.id
        seen = {current}
        while (edge := edge_of(session, current)) is not None and edge.parent_id not in seen:
            parent_of[current] = edge.parent_id
            ancestors.append(
                {
                    "id": edge.parent_id,
                    "child": current,
                    "relation": edge.relation,
                    "score": edge.score,
                    "evidence": list(edge.evidence or []),
                    **{k: v for k, v in capture_node(session, edge.parent_id).items() if k != "id"},
                }
            )
            current = edge.parent_id
            seen.add(current)
        origin_id = root_of(row.id, parent_of)
        origin_row = session.get(CaptureRow, origin_id)
        descendants: list[dict[str, Any]] = []
        queue = [row.id]
        while queue and len(descendants) < DESCENDANT_LIMIT:
            node = queue.pop(0)
            for child in children_of(session, node):
                descendants.append(
                    {
                        "id": child.child_id,
                        "parent": node,
                        "relation": child.relation,
                        "score": child.score,
                        "evidence": list(child.evidence or []),
                        **{k: v for k, v in capture_node(session, child.child_id).items() if k != "id"},
                    }
                )
                queue.append(child.child_id)
        own = edge_of(session, row.id)
        pinned = pinned_publishers(session, [origin_id]).get(origin_id)
        return {
            "id": row.id,
            "capture": capture_node(session, row.id),
            "parent": edge_summary(own),
            "ancestors": ancestors,
            "origin": {
                "id": origin_id,
                "publisher": pinned or (origin_row.source_publisher if origin_row else None),
                **{k: v for k, v in capture_node(session, origin_id).items() if k not in ("id", "source_publisher")},
            },
            "descendants": descendants,
        }


def families(archive: Archive) -> list[dict[str, Any]]:
    """Every family (an origin and all captures derived from it), largest first."""
    with archive.session() as session:
        parent_of = {e.child_id: e.parent_id for e in session.scalars(select(LineageEdge))}
        relation_of = {e.child_id: e.relation for e in session.scalars(select(LineageEdge))}
        members: dict[int, list[int]] = {}
        for capture_id in session.scalars(select(CaptureRow.id).order_by(CaptureRow.id)):
            members.setdefault(root_of(capture_id, parent_of), []).append(capture_id)
        out: list[dict[str, Any]] = []
        pinned = pinned_publishers(session, members)
        for root, ids in members.items():
            row = session.get(CaptureRow, root)
            assert row is not None
            relations: dict[str, int] = {}
            for i in ids:
                if i in relation_of:
                    relations[relation_of[i]] = relations.get(relation_of[i], 0) + 1
            rows = session.execute(
                select(CaptureRow.site_name, CaptureRow.source_publisher).where(CaptureRow.id.in_(ids))
            )
            sites, publishers = set(), set()
            for site, publisher in rows:
                sites.update([site] if site else [])
                publishers.update([publisher] if publisher else [])
            out.append(
                {
                    "origin": {**capture_node(session, root), "publisher": pinned.get(root, row.source_publisher)},
                    "size": len(ids),
                    "members": ids,
                    "relations": relations,
                    "sites": sorted(sites),
                    "publishers": sorted(publishers),
                }
            )
        out.sort(key=lambda f: (-f["size"], f["origin"]["id"]))
        return out
