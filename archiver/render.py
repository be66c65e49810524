"""Results -> text for people (rich) or programs (JSON, JSON Lines, DOT). The only formatting module."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from archiver.pipeline import AddResult

RELATION_STYLE = {
    "identical": "bold green",
    "copy": "green",
    "excerpt": "cyan",
    "rewrite": "yellow",
    "revision": "magenta",
}


def json_line(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=False)


def add_result_json(result: AddResult) -> str:
    """One JSON Lines record of `archive add --json`; error records carry no id."""
    data = {k: v for k, v in asdict(result).items() if v is not None or k in ("id",)}
    if result.status == "error":
        data.pop("id", None)
    return json_line(data)


def add_result_line(result: AddResult) -> str:
    """One human line of `archive add`."""
    if result.status == "error":
        return f"error      {result.path}: {result.error}"
    link = ""
    if result.parent is not None:
        link = f"  [{result.relation} of #{result.parent}]"
    title = f"  {result.title}" if result.title else ""
    return f"{result.status:<10} #{result.id}  {result.path or result.url}{title}{link}"


def add_summary(results: Iterable[AddResult]) -> str:
    counts = Counter(r.status for r in results)
    total = sum(counts.values())
    parts = [f"{counts.get(s, 0)} {s}" for s in ("new", "duplicate", "version")]
    parts.append(f"{counts.get('error', 0)} failed")
    return f"{total} input{'s' if total != 1 else ''}: " + ", ".join(parts)


def show_text(record: dict[str, Any], console: Console, *, chrome: bool = False) -> None:
    """`archive show`: metadata, credits, lineage parent, the clean text (or the removed chrome)."""
    console.print(f"[bold]#{record['id']}[/bold] {escape(record.get('title') or '(no title)')}")
    for key in ("byline", "site_name", "published", "url", "path", "captured_at", "source_publisher"):
        if record.get(key):
            console.print(f"  [dim]{key}:[/dim] {escape(str(record[key]))}")
    if record.get("credits"):
        console.print("  [dim]credits:[/dim]")
        for c in record["credits"]:
            console.print(f"    {escape(c['name'])} ({c['kind']}): [dim]{escape(c['evidence'])}[/dim]")
    parent = record.get("parent")
    if parent:
        console.print(f"  [dim]lineage:[/dim] {parent['relation']} of #{parent['id']} (score {parent['score']:.2f})")
    console.print()
    if chrome:
        console.print(f"[bold]Removed from the page ({len(record.get('chrome') or [])} pieces):[/bold]")
        for c in record.get("chrome") or []:
            console.print(f"  [yellow]{c['reason']}[/yellow]: {escape(c['text'])}")
    else:
        console.print(escape(record.get("text") or ""), soft_wrap=True)


def _label(node: dict[str, Any]) -> str:
    title = node.get("title") or node.get("path") or node.get("url") or "(untitled)"
    where = node.get("site_name") or ""
    date = (node.get("published") or "")[:10]
    extra = " · ".join(x for x in (where, date) if x)
    return f"#{node['id']} {escape(title)}" + (f" [dim]({escape(extra)})[/dim]" if extra else "")


def _family(data: dict[str, Any]) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    """Nodes by id, and the edge into each child (parent, relation, score, evidence)."""
    nodes: dict[int, dict[str, Any]] = {data["origin"]["id"]: {"id": data["origin"]["id"], **data["origin"]}}
    nodes[data["id"]] = {"id": data["id"], **data["capture"]}
    edge_into: dict[int, dict[str, Any]] = {}
    for a in data["ancestors"]:
        nodes[a["id"]] = a
        edge_into[a["child"]] = {"parent": a["id"], **{k: a[k] for k in ("relation", "score", "evidence")}}
    for d in data["descendants"]:
        nodes[d["id"]] = d
        edge_into[d["id"]] = {"parent": d["parent"], **{k: d[k] for k in ("relation", "score", "evidence")}}
    return nodes, edge_into


def lineage_tree(data: dict[str, Any], *, mark_self: bool = True) -> Tree:
    """The family from the origin down, with relation, score and evidence on each edge."""
    nodes, edge_into = _family(data)
    children: dict[int, list[int]] = {}
    for child, edge in sorted(edge_into.items()):
        children.setdefault(edge["parent"], []).append(child)

    def label(node_id: int) -> str:
        mark = "  [reverse] this capture [/reverse]" if mark_self and node_id == data["id"] else ""
        edge = edge_into.get(node_id)
        if edge is None:
            text = _label(nodes[node_id])
            if data["origin"].get("publisher"):
                text += f"  [bold]origin publisher: {escape(data['origin']['publisher'])}[/bold]"
            return text + mark
        style = RELATION_STYLE.get(edge["relation"], "white")
        return f"[{style}]{edge['relation']}[/{style}] {edge['score']:.2f}  {_label(nodes[node_id])}{mark}"

    def grow(branch: Tree, node_id: int) -> None:
        for line in (edge_into.get(node_id) or {}).get("evidence") or []:
            branch.add(f"[dim]{escape(line)}[/dim]")
        for child in children.get(node_id, []):
            grow(branch.add(label(child)), child)

    root = data["origin"]["id"]
    tree = Tree(label(root))
    grow(tree, root)
    return tree


def lineage_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def lineage_dot(data: dict[str, Any]) -> str:
    """Graphviz DOT of the family: nodes are captures, edges point from source to copy."""
    nodes, edge_into = _family(data)
    out = ["digraph lineage {", "  rankdir=TB;", '  node [shape=box, fontname="Helvetica"];']
    for node_id, n in sorted(nodes.items()):
        text = f"#{node_id} {(n.get('title') or n.get('path') or '')[:60]}"
        if n.get("site_name"):
            text += f"\\n{n['site_name']}"
        out.append(f"  c{node_id} [label={json.dumps(text)}];")
    for child, e in sorted(edge_into.items()):
        edge_label = json.dumps(f"{e['relation']} {e['score']:.2f}")
        out.append(f"  c{e['parent']} -> c{child} [label={edge_label}];")
    out.append("}")
    return "\n".join(out)


def write_lines(lines: Iterable[str], stream: TextIO) -> None:
    for line in lines:
        stream.write(line + "\n")


def check_lines(problems: list[Any]) -> list[str]:
    """`archive check` findings, one line each, then a verdict."""
    lines = [f"{p.severity}: {p.check}: {p.message}" for p in problems]
    n_errors = sum(1 for p in problems if p.severity == "error")
    n_info = len(problems) - n_errors
    lines.append("archive ok" + (f" ({n_info} notes)" if n_info else "") if not n_errors
                 else f"archive has problems: {n_errors} errors, {n_info} notes")
    return lines
