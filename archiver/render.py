"""Results -> text for people (rich) or programs (JSON, JSON Lines, DOT). The only formatting module."""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from archiver.types import AddResult

if TYPE_CHECKING:  # imported by the functions that draw them: `show` and `search` need neither (issue 23)
    from rich.table import Table
    from rich.tree import Tree

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
    if result.status in ("error", "skipped"):
        data.pop("id", None)
    if result.status == "skipped":
        data["reason"] = data.pop("error")
    return json_line(data)


def add_result_line(result: AddResult) -> str:
    """One human line of `archive add`."""
    if result.status in ("error", "skipped"):
        return f"{result.status:<10} {result.path}: {result.error}"
    link = ""
    if result.parent is not None:
        link = f"  [{result.relation} of #{result.parent}]"
    if result.recapture is not None:
        link = f"  [re-capture #{result.recapture}: version {result.version} unchanged]"
    if result.recleaned:
        link += "  [re-cleaned " + ", ".join(f"#{i}" for i in result.recleaned) + ": site template]"
    title = f"  {result.title}" if result.title else ""
    return f"{result.status:<10} #{result.id}  {result.path or result.url}{title}{link}"


class AddTally:
    """Counts of `archive add` results and the failures, without keeping every result (flat memory)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.failures: list[AddResult] = []

    def count(self, result: AddResult) -> None:
        self.counts[result.status] += 1
        if result.status == "error":
            self.failures.append(result)


def add_tally_summary(tally: AddTally) -> str:
    """The summary line: inputs, then new, duplicate, version and failed counts."""
    total = sum(tally.counts.values())
    parts = [f"{tally.counts.get(s, 0)} {s}" for s in ("new", "duplicate", "version")]
    parts.append(f"{tally.counts.get('error', 0)} failed")
    if tally.counts.get("skipped"):
        parts.append(f"{tally.counts['skipped']} skipped (not pages)")
    return f"{total} input{'s' if total != 1 else ''}: " + ", ".join(parts)


def add_failures(tally: AddTally) -> list[str]:
    """The failed inputs again at the end of a batch, where they cannot scroll away."""
    if not tally.failures:
        return []
    return [f"failed ({len(tally.failures)}):"] + [f"  {r.path or r.url}: {r.error}" for r in tally.failures]


def progress_wanted(stream: TextIO) -> bool:
    """A progress bar only on a terminal: never in a pipe, a file or a test."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _NoProgress:
    def advance(self, result: AddResult) -> None:
        pass


class _AddProgress:
    """A rich progress bar on stderr: inputs done, rate, elapsed and (when the total is known) ETA."""

    def __init__(self, total: int | None) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]adding[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("[dim]{task.fields[counts]}[/dim]"),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.progress.add_task("add", total=total, rate="", counts="")
        self.tally = AddTally()

    def advance(self, result: AddResult) -> None:
        self.tally.count(result)
        task = self.progress.tasks[0]
        speed = task.finished_speed or task.speed
        c = self.tally.counts
        self.progress.update(
            self.task,
            advance=1,
            rate=f"{speed:.1f}/s" if speed else "",
            counts=f"{c['new']} new {c['duplicate']} dup {c['error']} failed",
        )


@contextlib.contextmanager
def add_progress(enabled: bool, total: int | None = None) -> Iterator[_AddProgress | _NoProgress]:
    """A progress bar for `archive add` while the block runs, or a no-op when not enabled."""
    if not enabled:
        yield _NoProgress()
        return
    bar = _AddProgress(total)
    with bar.progress:
        yield bar
def reprocess_summary(result: Any) -> str:
    """The one-line summary of `archive reprocess`."""
    return (
        f"{result.recleaned} of {result.captures} captures re-cleaned: {result.texts_changed} texts changed, "
        f"{result.edges_changed} lineage edges changed, {result.texts_removed} unused texts removed, "
        f"{len(result.failed)} failed"
    )


def reprocess_failure_line(failure: dict[str, Any]) -> str:
    """A capture `archive reprocess` could not clean again (it keeps its text)."""
    return f"error      #{failure['id']}: {failure['error']} (kept as it was)"


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
            why = f"{c['reason']} of {c['site']}" if c.get("site") else c["reason"]
            console.print(f"  [yellow]{escape(why)}[/yellow]: {escape(c['text'])}")
        never = [d for d in record.get("dropped") or [] if d["by"] == "extractor"]
        if "dropped" in record:
            console.print(f"[bold]Never in the body: the rest of the page's visible text ({len(never)} blocks, "
                          "in page order):[/bold]")
        for d in never:
            console.print(f"  [cyan]{escape(d['category'])}[/cyan]: {escape(d['text'])}", soft_wrap=True)
    else:
        console.print(escape(record.get("text") or ""), soft_wrap=True)


_MD_INLINE = re.compile(r"([\\`*_\[\]<])")

_MD_BLOCK_START = re.compile(r"^(\s*)(#|>|[-+=]|\d+[.)])")


def _markdown_escaped(text: str) -> str:
    """Plain text that reads as itself in Markdown: inline marks escaped, and a line that would open a
    heading, quote, list or rule."""
    escaped = _MD_INLINE.sub(r"\\\1", text)
    return "\n".join(_MD_BLOCK_START.sub(lambda m: m.group(1) + _md_block_escape(m.group(2)), line)
                     for line in escaped.split("\n"))


def _md_block_escape(mark: str) -> str:
    return mark[:-1] + "\\" + mark[-1] if mark[-1] in ".)" else "\\" + mark


def show_body(record: dict[str, Any], fmt: str) -> str:
    """`archive show --format`: the clean story alone, with its title. text: the title, a blank line, the
    paragraphs; markdown: `# title`, then the paragraphs, escaped so they read as written."""
    title = record.get("title")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", record.get("text") or "") if p.strip()]
    if fmt == "markdown":
        paragraphs = [_markdown_escaped(p) for p in paragraphs]
        title = f"# {_markdown_escaped(' '.join(title.split()))}" if title else None
    return "\n\n".join(([title] if title else []) + paragraphs)


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
    from rich.tree import Tree

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


def _dot_string(*lines: str) -> str:
    """A DOT string of one or more lines: quotes and backslashes escaped, lines joined by DOT's \\n (JSON
    escapes are not DOT's: a label showed a literal "\\n", and non-ASCII as \\u00e9)."""
    escaped = (" ".join(line.split()).replace("\\", "\\\\").replace('"', '\\"') for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def _dot_family(data: dict[str, Any], indent: str = "  ") -> list[str]:
    """The node and edge statements of one family."""
    nodes, edge_into = _family(data)
    out = []
    for node_id, n in sorted(nodes.items()):
        lines = [f"#{node_id} {(n.get('title') or n.get('path') or '')[:60]}"]
        if n.get("site_name"):
            lines.append(n["site_name"])
        out.append(f"{indent}c{node_id} [label={_dot_string(*lines)}];")
    for child, e in sorted(edge_into.items()):
        label = _dot_string(f"{e['relation']} {e['score']:.2f}")
        out.append(f"{indent}c{e['parent']} -> c{child} [label={label}];")
    return out


_DOT_HEAD = ["digraph lineage {", "  rankdir=TB;", '  node [shape=box, fontname="Helvetica"];']


def lineage_dot(data: dict[str, Any]) -> str:
    """Graphviz DOT of the family: nodes are captures, edges point from source to copy."""
    return "\n".join([*_DOT_HEAD, *_dot_family(data), "}"])


def lineage_dot_all(families: list[dict[str, Any]]) -> str:
    """Graphviz DOT of every family: one graph (one stream `dot` reads whole), a cluster per family."""
    out = list(_DOT_HEAD)
    for k, data in enumerate(families, start=1):
        out += [f"  subgraph cluster_{k} {{", f"    label={_dot_string(f'family {k}')};",
                *_dot_family(data, "    "), "  }"]
    return "\n".join([*out, "}"])


SHARED_STYLE = "black on yellow"


def _highlighted(text: str, spans: list[tuple[int, int]]) -> Text:
    out = Text(text)
    for start, end in spans:
        out.stylize(SHARED_STYLE, start, end)
    return out


def compare_table(data: dict[str, Any]) -> Table:
    """Two texts side by side, the passages they share highlighted."""
    from rich.table import Table

    relation = data["relation"] or "no relation"
    table = Table(title=f"{relation} (score {data['score']:.2f}): {data['summary']}", expand=True, show_lines=True)
    for side in ("a", "b"):
        node = data[side]
        table.add_column(f"#{node['id']} {node.get('title') or node.get('path') or ''}"[:80], ratio=1)
    table.add_row(
        _highlighted(data["a"]["text"], [(p["a_start"], p["a_end"]) for p in data["passages"]]),
        _highlighted(data["b"]["text"], [(p["b_start"], p["b_end"]) for p in data["passages"]]),
    )
    return table


# --- versions, diff, search ----------------------------------------------------------------------

DIFF_CONTEXT_WORDS = 12  # unchanged words kept on each side of a change: enough to find the sentence again


def _when(value: str | None) -> str:
    return (value or "")[:16].replace("T", " ")


def history_text(data: dict[str, Any], console: Console) -> None:
    """`archive history`: each version with when it was captured, words changed, headline changes."""
    page = data.get("page")
    versions = data["versions"]
    heading = escape(page["url"]) if page else f"capture #{versions[0]['id']} (no page URL)"
    n, c = len(versions), data["captures"]
    console.print(f"[bold]{heading}[/bold]  {n} version{'s' if n != 1 else ''}, {c} capture{'s' if c != 1 else ''}",
                  highlight=False, soft_wrap=True)
    for v in versions:
        changed = ""
        if v["words_added"] is not None:
            changed = f"  [green]+{v['words_added']}[/green] [red]-{v['words_removed']}[/red] words"
        console.print(
            f"[bold]v{v['version']}[/bold]  #{v['id']}  {_when(v['captured_at'])}  {v['words']} words{changed}  "
            f"{escape(v.get('title') or '')}",
            highlight=False, soft_wrap=True,
        )
        if v.get("title_change"):
            console.print(f"      [yellow]headline changed[/yellow] from: {escape(v['title_change']['from'] or '')}",
                          highlight=False, soft_wrap=True)
        for again in v["captures"][1:]:
            note = "same text" if again.get("same_text") else "only whitespace, punctuation or dateline changed"
            console.print(f"      re-captured #{again['id']}  {_when(again['captured_at'])}  [dim]({note})[/dim]",
                          highlight=False, soft_wrap=True)


def _collapse(text: str) -> str:
    """Unchanged text between changes: keep DIFF_CONTEXT_WORDS words at each end."""
    words = list(re.finditer(r"\S+", text))
    if len(words) <= 2 * DIFF_CONTEXT_WORDS + 4:
        return text
    head = text[: words[DIFF_CONTEXT_WORDS - 1].end()]
    tail = text[words[-DIFF_CONTEXT_WORDS].start():]
    return f"{head} … {tail}"


def diff_segments(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The diff as (kind, text) pieces in reading order: kind is "same", "removed" or "added"."""
    a, b = data["a"]["text"], data["b"]["text"]
    pieces: list[tuple[str, str]] = []
    pos_a = 0
    for c in data["changes"]:
        a_start, a_end = c["a"]
        if a_start > pos_a:
            pieces.append(("same", a[pos_a:a_start]))
        if c["removed"]:
            pieces.append(("removed", c["removed"]))
        if c["op"] == "insert":  # keep b's spacing around the inserted words
            b_start, b_end = c["b"]
            if a_start < len(a):
                pieces += [("added", c["added"]), ("same", re.match(r"\s*", b[b_end:]).group())]  # type: ignore[union-attr]
            else:
                pieces += [("same", b[len(b[:b_start].rstrip()) : b_start]), ("added", c["added"])]
        elif c["added"]:
            pieces.append(("added", c["added"]))
        pos_a = a_end
    if pos_a < len(a):
        pieces.append(("same", a[pos_a:]))
    if not data["changes"] and not a:
        pieces.append(("same", b))
    return pieces


def diff_text(data: dict[str, Any], console: Console, *, color: bool) -> None:
    """`archive diff`: headline change, word counts, then the text with removed and added words marked."""
    a, b = data["a"], data["b"]
    for sign, side in (("---", a), ("+++", b)):
        version = f" version {side['version']}" if side.get("version") else ""
        console.print(f"{sign} #{side['id']}{version}  {_when(side['captured_at'])}  {escape(side.get('title') or '')}",
                      highlight=False)
    if data.get("title_change"):
        t = data["title_change"]
        console.print(f"headline: {escape(t['from'] or '')!s} -> {escape(t['to'] or '')!s}", highlight=False)
    console.print(f"{data['words_added']} words added, {data['words_removed']} removed", highlight=False)
    console.print()
    if not data["changes"]:
        console.print("(the texts are identical)")
        return
    segments = diff_segments(data)
    out: list[str] = []
    for i, (kind, piece) in enumerate(segments):
        if kind == "same":
            shown = piece
            if i == 0:
                words = list(re.finditer(r"\S+", piece))
                shown = "… " + piece[words[-DIFF_CONTEXT_WORDS].start():] if len(words) > DIFF_CONTEXT_WORDS else piece
            elif i == len(segments) - 1:
                words = list(re.finditer(r"\S+", piece))
                cut = len(words) > DIFF_CONTEXT_WORDS
                shown = piece[: words[DIFF_CONTEXT_WORDS - 1].end()] + " …" if cut else piece
            else:
                shown = _collapse(piece)
            out.append(escape(shown))
        elif color:
            style = "bold red strike" if kind == "removed" else "bold green"
            out.append(f"[{style}]{escape(piece)}[/{style}]")
        else:
            out.append(escape(f"[-{piece}-]" if kind == "removed" else f"{{+{piece}+}}"))
    console.print("".join(out), soft_wrap=True, highlight=False)


def search_text(results: list[dict[str, Any]], console: Console) -> None:
    """`archive search`: one block per matching text: its first capture, other captures, the snippet."""
    if not results:
        console.print("no matches")
        return
    for r in results:
        where = " · ".join(x for x in (r.get("site_name"), (r.get("published") or "")[:10]) if x)
        others = [f"#{i}" for i in r["captures"] if i != r["id"]]
        also = f"  [dim](also {', '.join(others)})[/dim]" if others else ""
        console.print(f"[bold]#{r['id']}[/bold] {escape(r.get('title') or '(no title)')}"
                      + (f" [dim]({escape(where)})[/dim]" if where else "") + also, highlight=False)
        snippet, last = r["snippet"], 0
        parts: list[str] = []
        for start, end in r["matches"]:
            parts.append(escape(snippet[last:start]) + f"[bold yellow]{escape(snippet[start:end])}[/bold yellow]")
            last = end
        parts.append(escape(snippet[last:]))
        console.print("  " + "".join(parts), highlight=False)
def check_summary(problems: list[Any]) -> dict[str, Any]:
    """The last `archive check --json` line, printed also when nothing was found: the verdict and counts."""
    n_errors = sum(1 for p in problems if p.severity == "error")
    return {"verdict": "ok" if not n_errors else "problems", "errors": n_errors, "notes": len(problems) - n_errors}


def check_lines(problems: list[Any]) -> list[str]:
    """`archive check` findings, one line each, then a verdict."""
    lines = [f"{p.severity}: {p.check}: {p.message}" for p in problems]
    n_errors = sum(1 for p in problems if p.severity == "error")
    n_info = len(problems) - n_errors
    lines.append("archive ok" + (f" ({n_info} notes)" if n_info else "") if not n_errors
                 else f"archive has problems: {n_errors} errors, {n_info} notes")
    return lines


def correction_line(c: dict[str, Any]) -> str:
    """One correction set by hand, as `archive corrections` lists it."""
    what = {
        "link": f"#{c['capture_id']} is derived from #{c['parent_id']} ({c['relation']})",
        "unlink": f"#{c['capture_id']} is not derived from #{c['parent_id']}",
        "origin": f"#{c['capture_id']} is the origin" + (f", published by {c['publisher']}" if c["publisher"] else ""),
    }.get(c["kind"], c["kind"])
    return f"{c['id']:>4}  {c['kind']:<6}  {what}; {c['evidence']}"


def correction_result_lines(result: dict[str, Any]) -> list[str]:
    """What a correction (or its undo) did: the correction, what it replaced, the capture's parent now."""
    lines = [f"set: {correction_line(result['correction']).strip()}"] if result["correction"] else []
    lines += [f"undone: {correction_line(u).strip()}" for u in result["undone"]]
    parent = result["parent"]
    now = f"{parent['relation']} of #{parent['id']}" if parent else "no parent (an origin)"
    lines.append(f"#{result['capture_id']} now: {now}")
    return lines


REFETCH_STATUSES = ("version", "recapture", "unchanged", "new", "error")

_REFETCH_WORDS = {"version": "new version", "recapture": "re-capture", "unchanged": "unchanged", "new": "new page",
                  "error": "failed"}


def refetch_json(result: Any) -> str:
    """One JSON Lines record of `archive refetch --json`: keys with no value are left out."""
    return json_line({k: v for k, v in asdict(result).items() if v is not None})


def refetch_line(result: Any) -> str:
    """One human line of `archive refetch`."""
    if result.status == "error":
        return f"{'error':<10} {result.url}: {result.error}"
    if result.status == "version":
        words = f"+{result.words_added} -{result.words_removed} words" if result.words_added is not None else ""
        detail = f"v{result.version}  {words}"
    elif result.status == "recapture":
        detail = f"v{result.version} unchanged  [re-capture #{result.recapture}]"
    elif result.status == "unchanged":
        detail = f"v{result.version} unchanged  [the same bytes: nothing recorded]"
    else:
        detail = f"now {result.moved_to}"
    title = f"  {result.title}" if result.title else ""
    return f"{result.status:<10} #{result.id}  {result.url}  {detail.rstrip()}{title}"


def refetch_summary(counts: Counter[str]) -> str:
    """The summary line of `archive refetch`: pages, then the count of each outcome."""
    total = sum(counts.values())
    parts = [f"{counts.get(s, 0)} {_REFETCH_WORDS[s]}" for s in REFETCH_STATUSES]
    return f"{total} page{'s' if total != 1 else ''} refetched: " + ", ".join(parts)
