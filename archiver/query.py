"""Read-side questions as plain data: one capture's record, its lineage. Render formats them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archiver import store
from archiver.clean.learned import LEARNED_REASON
from archiver.db import Archive
from archiver.lineage import root_of
from archiver.models import Capture, LineageEdge, Page, TextRow
from archiver.verify import compare_texts
from archiver.versions import utc

DESCENDANT_LIMIT = 10_000  # captures listed below one node; a wire story can have thousands of copies


def _iso(value: Any) -> str | None:
    """A stored time as ISO 8601 in UTC with its offset, on every backend (SQLite hands times back naive)."""
    return utc(value).isoformat() if value is not None else None


def capture_record(session: Session, row: Capture, *, chrome: bool = True) -> dict[str, Any]:
    """Everything stored about one capture, as `archive show --json` prints it."""
    text = session.get(TextRow, row.text_id)
    edge = store.edge_of(session, row.id)
    record: dict[str, Any] = {
        "id": row.id,
        "url": row.url,
        "canonical_url": row.canonical_url,
        "path": row.path,
        "title": row.title,
        "byline": row.byline,
        "site_name": row.site_name,
        **_published(session, row),
        "language": row.language,
        "captured_at": _iso(row.captured_at),
        "added_at": _iso(row.added_at),
        "content_type": row.content_type,
        "extractor": row.extractor,
        "cleaner_version": row.cleaner_version,
        "sha256": row.blob_sha256,
        "text_id": row.text_id,
        "text_sha256": text.sha256 if text else None,
        "words": text.words if text else 0,
        "text": text.body if text else "",
        "source_publisher": row.source_publisher,
        "credits": [
            {"name": c.name, "kind": c.kind, "evidence": c.evidence} for c in store.credits_of(session, [row.id])[row.id]
        ],
        "parent": _edge_summary(edge),
        "fingerprints": [
            {"kind": f.kind, "algorithm": f.algorithm, "version": f.version, "params": f.params}
            for f in store.fingerprints_of(session, row.text_id)
        ],
        "page": _page_url(session, row),
        "version": row.version,
    }
    if chrome:
        rows = store.chrome_of(session, row.id)
        site = store.site_of_capture(session, row.id) if any(c.reason == LEARNED_REASON for c in rows) else None
        record["chrome"] = [
            {"reason": c.reason, "text": c.text, **({"site": site} if c.reason == LEARNED_REASON else {})} for c in rows
        ]
    return record


def _page_url(session: Session, row: Capture) -> str | None:
    page = session.get(Page, row.page_id) if row.page_id is not None else None
    return page.url if page else None


def _published(session: Session, row: Capture) -> dict[str, Any]:
    """The page's own date; failing that, the earliest date of a capture with the identical text.

    A syndicated copy often drops the dateline (seed 002): the identical text's date is then the best
    evidence of when the story was published, reported with where it came from.
    """
    if row.published:
        return {"published": row.published, "published_from": None}
    dated = session.scalars(
        select(Capture)
        .where(Capture.text_id == row.text_id, Capture.id != row.id, Capture.published.is_not(None))
        .order_by(Capture.published, Capture.id)
    ).first()
    if dated is None:
        return {"published": None, "published_from": None}
    return {"published": dated.published, "published_from": {"id": dated.id, "why": "identical text"}}


def _edge_summary(edge: LineageEdge | None) -> dict[str, Any] | None:
    if edge is None:
        return None
    return {"id": edge.parent_id, "relation": edge.relation, "score": edge.score, "evidence": list(edge.evidence or [])}


def show(archive: Archive, ref: str) -> dict[str, Any]:
    """The record of the capture with this id or URL."""
    with archive.session() as session:
        return capture_record(session, store.capture_resolve(session, ref))


def _node(session: Session, capture_id: int) -> dict[str, Any]:
    row = session.get(Capture, capture_id)
    assert row is not None
    return {
        "id": row.id,
        "title": row.title,
        "site_name": row.site_name,
        "url": row.url,
        "path": row.path,
        "published": row.published,
        "source_publisher": row.source_publisher,
    }


def lineage(archive: Archive, ref: str) -> dict[str, Any]:
    """A capture's chain up to its origin and every capture derived from it, with evidence."""
    with archive.session() as session:
        row = store.capture_resolve(session, ref)
        ancestors: list[dict[str, Any]] = []
        parent_of: dict[int, int] = {}
        current = row.id
        seen = {current}
        while (edge := store.edge_of(session, current)) is not None and edge.parent_id not in seen:
            parent_of[current] = edge.parent_id
            ancestors.append(
                {
                    "id": edge.parent_id,
                    "child": current,
                    "relation": edge.relation,
                    "score": edge.score,
                    "evidence": list(edge.evidence or []),
                    **{k: v for k, v in _node(session, edge.parent_id).items() if k != "id"},
                }
            )
            current = edge.parent_id
            seen.add(current)
        origin_id = root_of(row.id, parent_of)
        origin_row = session.get(Capture, origin_id)
        descendants: list[dict[str, Any]] = []
        queue = [row.id]
        while queue and len(descendants) < DESCENDANT_LIMIT:
            node = queue.pop(0)
            for child in store.children_of(session, node):
                descendants.append(
                    {
                        "id": child.child_id,
                        "parent": node,
                        "relation": child.relation,
                        "score": child.score,
                        "evidence": list(child.evidence or []),
                        **{k: v for k, v in _node(session, child.child_id).items() if k != "id"},
                    }
                )
                queue.append(child.child_id)
        own = store.edge_of(session, row.id)
        return {
            "id": row.id,
            "capture": _node(session, row.id),
            "parent": _edge_summary(own),
            "ancestors": ancestors,
            "origin": {
                "id": origin_id,
                "publisher": origin_row.source_publisher if origin_row else None,
                **{k: v for k, v in _node(session, origin_id).items() if k not in ("id", "source_publisher")},
            },
            "descendants": descendants,
        }


def families(archive: Archive) -> list[dict[str, Any]]:
    """Every family (an origin and all captures derived from it), largest first."""
    with archive.session() as session:
        parent_of = {e.child_id: e.parent_id for e in session.scalars(select(LineageEdge))}
        relation_of = {e.child_id: e.relation for e in session.scalars(select(LineageEdge))}
        members: dict[int, list[int]] = {}
        for capture_id in session.scalars(select(Capture.id).order_by(Capture.id)):
            members.setdefault(root_of(capture_id, parent_of), []).append(capture_id)
        out: list[dict[str, Any]] = []
        for root, ids in members.items():
            row = session.get(Capture, root)
            assert row is not None
            relations: dict[str, int] = {}
            for i in ids:
                if i in relation_of:
                    relations[relation_of[i]] = relations.get(relation_of[i], 0) + 1
            rows = session.execute(select(Capture.site_name, Capture.source_publisher).where(Capture.id.in_(ids)))
            sites, publishers = set(), set()
            for site, publisher in rows:
                sites.update([site] if site else [])
                publishers.update([publisher] if publisher else [])
            out.append(
                {
                    "origin": {**_node(session, root), "publisher": row.source_publisher},
                    "size": len(ids),
                    "members": ids,
                    "relations": relations,
                    "sites": sorted(sites),
                    "publishers": sorted(publishers),
                }
            )
        out.sort(key=lambda f: (-f["size"], f["origin"]["id"]))
        return out


def compare(archive: Archive, ref_a: str, ref_b: str) -> dict[str, Any]:
    """Two captures' clean texts aligned: relation, measurements and shared passages with offsets."""
    with archive.session() as session:
        rows = [store.capture_resolve(session, ref) for ref in (ref_a, ref_b)]
        texts = [session.get(TextRow, r.text_id) for r in rows]
        nodes = [_node(session, r.id) for r in rows]
    body_a, body_b = (t.body if t else "" for t in texts)
    result = compare_texts(body_a, body_b)
    return {
        "a": {**nodes[0], "text": body_a},
        "b": {**nodes[1], "text": body_b},
        "relation": result.relation,
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
