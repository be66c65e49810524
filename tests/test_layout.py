"""The package's import graph: data flows one way, and no module imports another that imports it back.

Read from the source with `ast` (every import, inside functions too), so a wrong import fails here before
it is ever run. The stages, in flow order: sources -> clean -> fingerprint -> store -> lineage -> pipeline
-> read -> render -> web -> cli. A module may import its own stage, the stages before it, and the shared leaves.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "archiver"
LEAVES = {"archiver", "archiver.config", "archiver.errors", "archiver.types", "archiver.data"}
STAGES = ["sources", "clean", "fingerprint", "store", "lineage", "pipeline", "read", "render", "web", "cli", "__main__"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The project modules a file imports (a `from package import name` of a submodule counts as it)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("archiver"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("archiver"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if sub in known else node.module)
    return out


def stage_of(module: str) -> int | None:
    """The module's place in the flow; None for a shared leaf."""
    if module in LEAVES or module.startswith("archiver.data"):
        return None
    top = module.split(".")[1]
    return STAGES.index(top)


def graph() -> dict[str, set[str]]:
    found = modules()
    return {m: imports_of(p, set(found)) - {m} for m, p in found.items()}


def test_every_module_belongs_to_a_stage_or_is_a_leaf() -> None:
    for module in modules():
        if module in LEAVES or module.startswith("archiver.data"):
            continue
        assert module.split(".")[1] in STAGES, f"{module}: not in a stage of the flow ({STAGES})"


def test_no_import_against_the_flow() -> None:
    wrong = []
    for module, imported in sorted(graph().items()):
        mine = stage_of(module)
        for other in sorted(imported):
            theirs = stage_of(other)
            if theirs is None:
                continue
            if mine is None or theirs > mine:
                wrong.append(f"{module} imports {other}")
    assert not wrong, "imports against the flow:\n" + "\n".join(wrong)


def test_no_import_cycle() -> None:
    edges = graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_migrations_never_import_the_application() -> None:
    for path in sorted((ROOT / "migrations").rglob("*.py")):
        if path.name == "env.py":  # the environment hands Alembic the models' metadata, by design
            continue
        found = imports_of(path, set())
        assert not found, f"{path.name} imports {sorted(found)}: freeze what a migration needs inside it"


def test_the_checks_can_fail() -> None:
    """The rules above catch what they are for: a made-up graph with a back edge and a cycle."""
    assert stage_of("archiver.store.captures") < stage_of("archiver.lineage.edges")  # type: ignore[operator]
    assert stage_of("archiver.types") is None
    assert imports_of(PACKAGE / "cli" / "__init__.py", set(modules())) >= {"archiver.cli.add", "archiver.cli.group"}
