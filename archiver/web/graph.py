"""A family's lineage laid out for inline SVG, on the server: origin on top, each level below its parents.

Pure: takes the `archive lineage --json` document of the family's origin (`read.lineage.lineage`) and returns
boxes and edges with coordinates; the template draws them. Leaves take consecutive columns in depth-first
order and a parent sits over the middle of its children, so no two boxes overlap and edges never cross.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BOX_W, BOX_H = 210, 58  # a box holds "#id relation" and two short lines of title/site at 12 px
GAP_X, GAP_Y = 26, 70  # room between boxes; GAP_Y leaves the edge label its own line
MARGIN = 16
TITLE_CHARS = 30  # characters of a title a box line holds at 12 px in BOX_W


@dataclass
class GraphNode:
    id: int
    x: float
    y: float
    title: str
    site: str
    relation: str | None  # to its parent; None for the origin
    is_self: bool
    tooltip: str


@dataclass
class GraphEdge:
    parent: int
    child: int
    x1: float
    y1: float
    x2: float
    y2: float
    relation: str
    score: float
    evidence: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.relation} {self.score:.2f}"


@dataclass
class Graph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    width: float
    height: float
    box_w: int = BOX_W
    box_h: int = BOX_H


def _short(text: str, n: int = TITLE_CHARS) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def family_graph(data: dict[str, Any], focus: int | None = None) -> Graph:
    """Boxes and edges of the family in `data` (lineage of its origin); `focus`: the capture to mark."""
    origin = data["origin"]
    info: dict[int, dict[str, Any]] = {origin["id"]: origin}
    parent_of: dict[int, dict[str, Any]] = {}
    for d in data["descendants"]:
        info[d["id"]] = d
        parent_of[d["id"]] = d
    children: dict[int, list[int]] = {}
    for child, d in parent_of.items():
        children.setdefault(d["parent"], []).append(child)
    for kids in children.values():
        kids.sort()
    column: dict[int, float] = {}
    depth: dict[int, int] = {}
    next_leaf = 0.0

    stack: list[tuple[int, int, bool]] = [(origin["id"], 0, False)]  # depth first, without recursion: a page
    while stack:  # re-captured daily for years is a chain of thousands of revisions
        node, level, placed_kids = stack.pop()
        kids = children.get(node, [])
        if not placed_kids:
            depth[node] = level
            stack.append((node, level, True))
            stack.extend((kid, level + 1, False) for kid in reversed(kids))
        elif kids:
            column[node] = (column[kids[0]] + column[kids[-1]]) / 2
        else:
            column[node] = next_leaf
            next_leaf += 1
    nodes: list[GraphNode] = []
    for node_id in sorted(column, key=lambda n: (depth[n], column[n])):
        n = info[node_id]
        edge = parent_of.get(node_id)
        title = n.get("title") or (n.get("path") or n.get("url") or "(untitled)").rsplit("/", 1)[-1]
        site = " · ".join(x for x in (n.get("site_name"), (n.get("published") or "")[:10]) if x)
        tooltip = f"#{node_id} {n.get('title') or ''}\n{n.get('url') or n.get('path') or ''}".strip()
        if node_id == origin["id"] and origin.get("publisher"):
            tooltip += f"\norigin publisher: {origin['publisher']}"
        nodes.append(GraphNode(
            id=node_id,
            x=MARGIN + column[node_id] * (BOX_W + GAP_X),
            y=MARGIN + depth[node_id] * (BOX_H + GAP_Y),
            title=_short(title),
            site=_short(site),
            relation=edge["relation"] if edge else None,
            is_self=node_id == focus,
            tooltip=tooltip,
        ))
    at = {n.id: n for n in nodes}
    edges = [
        GraphEdge(
            parent=d["parent"], child=child,
            x1=at[d["parent"]].x + BOX_W / 2, y1=at[d["parent"]].y + BOX_H,
            x2=at[child].x + BOX_W / 2, y2=at[child].y,
            relation=d["relation"], score=float(d["score"]), evidence=list(d.get("evidence") or []),
        )
        for child, d in sorted(parent_of.items())
        if d["parent"] in at and child in at
    ]
    width = MARGIN * 2 + max(next_leaf, 1) * (BOX_W + GAP_X) - GAP_X
    height = MARGIN * 2 + (max(depth.values()) + 1) * (BOX_H + GAP_Y) - GAP_Y
    return Graph(nodes=nodes, edges=edges, width=width, height=height)
