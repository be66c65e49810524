"""The documents tell the truth: commands, options, exit codes, the CI command, links, the package tree.

Read from the Markdown itself and from the click group and `ExitCode`, so a command or option added without
its documentation, a stale option, a renamed heading or a moved file fails here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from archiver.cli import cli
from archiver.errors import ExitCode

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
COMMANDS_MD = DOCS / "commands.md"
CI_RUN = ROOT / ".ci" / "run"

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$", re.M)
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_LONG_OPTION = re.compile(r"--[a-z][a-z0-9-]*")
_CODE_DOC_LINK = re.compile(r"\bdocs/([A-Za-z0-9_-]+\.md)(?:#([A-Za-z0-9_-]+))?")


# -- reading the documents ----------------------------------------------------------------------------


def without_code(markdown: str) -> str:
    """The Markdown with fenced code blocks blanked out, keeping every offset (a `# comment` is no heading)."""
    return _FENCE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), markdown)


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def heading_title(raw: str) -> str:
    """A heading as plain text: "## `archive db path`" -> "archive db path"."""
    return raw.replace("`", "").strip()


def own_sections(markdown: str) -> dict[str, str]:
    """Each heading's own text: from the heading to the next heading of any level."""
    text = without_code(markdown)
    found = list(_HEADING.finditer(text))
    out: dict[str, str] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        out[heading_title(m.group(2))] = markdown[m.end() : end]
    return out


def github_slug(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces -> hyphens."""
    text = _CODE_SPAN.sub(lambda m: m.group()[1:-1], title).lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a Markdown file, with GitHub's -1, -2 suffixes for repeated headings."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    for m in _HEADING.finditer(without_code(path.read_text(encoding="utf-8"))):
        slug = github_slug(m.group(2))
        n = seen.get(slug, 0)
        out.add(slug if n == 0 else f"{slug}-{n}")
        seen[slug] = n + 1
    return out


def relative_links(path: Path) -> Iterator[tuple[str, str]]:
    """(target path, fragment) of every link in a Markdown file that is not a URL; "" path = this file."""
    text = _CODE_SPAN.sub("", without_code(path.read_text(encoding="utf-8")))
    for m in _LINK.finditer(text):
        target = m.group(1)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):  # http:, https:, mailto: ...
            continue
        file_part, _, fragment = target.partition("#")
        yield file_part.split("?", 1)[0], fragment


def shell_blocks(markdown: str) -> list[str]:
    """The contents of the ```sh blocks, in order."""
    return [m.group(1) for m in re.finditer(r"^```sh\n(.*?)^```", markdown, re.S | re.M)]


# -- reading the CLI ------------------------------------------------------------------------------------


def walk_commands(group: click.Group = cli, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    """Every command and subcommand the `archive` group exposes, by full name ("add", "db", "db path")."""
    for name in sorted(group.commands):
        command = group.commands[name]
        full = f"{prefix}{name}"
        yield full, command
        if isinstance(command, click.Group):
            yield from walk_commands(command, full + " ")


COMMANDS = dict(walk_commands())


def long_options(command: click.Command) -> list[str]:
    """The command's long options as typed: --db, --json, --color and --no-color ... (not --help)."""
    names: list[str] = []
    for param in command.params:
        if isinstance(param, click.Option):
            names += [o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")]
    return names


def command_sections() -> dict[str, str]:
    return own_sections(COMMANDS_MD.read_text(encoding="utf-8"))


def option_rows(section: str) -> list[str]:
    """The first cells of a section's option table: the rows that start with an option."""
    return [m.group(1) for m in re.finditer(r"^\|\s*(`-(?:[^|\\]|\\.)*)\|", section, re.M)]


# -- the checks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_a_section_in_commands_md(name: str) -> None:
    present = f"archive {name}" in command_sections()
    assert present, f"docs/commands.md has no heading `archive {name}`"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_long_option_is_documented_under_its_command(name: str) -> None:
    section = command_sections().get(f"archive {name}", "")
    missing = [o for o in long_options(COMMANDS[name]) if not re.search(rf"`{o}\b(?!-)", section)]
    assert not missing, f"`archive {name}` options missing from its section of docs/commands.md: {missing}"


def test_the_groups_own_options_are_documented() -> None:
    text = COMMANDS_MD.read_text(encoding="utf-8")
    missing = [o for o in long_options(cli) if f"`{o}" not in text]
    assert not missing, f"`archive` options missing from docs/commands.md: {missing}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_documented_option_exists(name: str) -> None:
    """No stale option: each option in a command's table is one the command has."""
    real = set(long_options(COMMANDS[name]))
    rows = option_rows(command_sections().get(f"archive {name}", ""))
    documented = {o for cell in rows for o in _LONG_OPTION.findall(cell)}
    assert documented <= real, f"`archive {name}` documents options it does not have: {sorted(documented - real)}"


@pytest.mark.parametrize(
    "name, option",
    [
        (n, p)
        for n, c in sorted(COMMANDS.items())
        for p in c.params
        if isinstance(p, click.Option) and isinstance(p.type, click.Choice)
    ],
    ids=lambda v: v if isinstance(v, str) else v.opts[-1],
)
def test_documented_choices_are_the_real_ones(name: str, option: click.Option) -> None:
    """`--format tree\\|dot` in the table lists exactly the values click accepts."""
    long = [o for o in option.opts if o.startswith("--")][-1]
    cells = [c for c in option_rows(command_sections().get(f"archive {name}", "")) if f"`{long} " in c]
    assert cells, f"no table row for `{long} VALUES` under `archive {name}`"
    documented = re.search(rf"`{long} ([^`]*)`", cells[0].replace("\\|", "|"))
    assert documented is not None
    assert set(documented.group(1).split("|")) == set(option.type.choices)  # type: ignore[attr-defined]


def test_exit_code_table_is_exit_code() -> None:
    section = own_sections(COMMANDS_MD.read_text(encoding="utf-8")).get("Exit codes", "")
    rows = re.findall(r"^\|\s*(\d+)\s*\|\s*`?([A-Z_]+)`?\s*\|", section, re.M)
    documented = [(int(code), name) for code, name in rows]
    assert sorted(documented) == sorted((int(m), m.name) for m in ExitCode), (
        "the exit-code table in docs/commands.md must list exactly archiver.errors.ExitCode"
    )


def test_readme_test_command_is_the_ci_command() -> None:
    """README's second shell command is, byte for byte, the line of .ci/run that runs the tests."""
    blocks = shell_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) == 2, "README.md holds exactly two shell commands: try it on the seeds, run the tests"
    ci_lines = CI_RUN.read_text(encoding="utf-8").splitlines()
    runs_tests = [ln for ln in ci_lines if "pytest" in ln and not ln.startswith("#")]
    assert len(runs_tests) == 1, f".ci/run should run the tests on one line: {runs_tests}"
    assert blocks[1] == runs_tests[0] + "\n"


def test_relative_links_point_to_existing_files() -> None:
    broken = [
        f"{path.relative_to(ROOT)} -> {target}"
        for path in markdown_files()
        for target, _ in relative_links(path)
        if target and not (path.parent / target).exists()
    ]
    assert not broken, f"links to missing files: {broken}"


def test_links_to_headings_point_to_existing_headings() -> None:
    broken = []
    for path in markdown_files():
        for target, fragment in relative_links(path):
            file = (path.parent / target) if target else path
            if fragment and file.suffix == ".md" and file.exists() and fragment not in anchors(file):
                broken.append(f"{path.relative_to(ROOT)} -> {target}#{fragment}")
    assert not broken, f"links to missing headings: {broken}"


def test_code_links_to_docs_resolve() -> None:
    """A comment like `docs/calibration.md#scale-and-the-candidate-bounds` names a file and heading that exist."""
    broken = []
    for folder in ("archiver", "migrations", "benchmarks"):
        for source in sorted((ROOT / folder).rglob("*.py")):
            for m in _CODE_DOC_LINK.finditer(source.read_text(encoding="utf-8")):
                doc = DOCS / m.group(1)
                if not doc.exists() or (m.group(2) and m.group(2) not in anchors(doc)):
                    broken.append(f"{source.relative_to(ROOT)}: {m.group()}")
    assert not broken, f"code points at missing docs: {broken}"


def test_architecture_tree_lists_every_module() -> None:
    """docs/architecture.md's package tree has one line for each module under archiver/, and no other."""
    doc = (DOCS / "architecture.md").read_text(encoding="utf-8")
    tree = doc.split("## The package", 1)[1].split("```", 2)[1]
    folders: list[str] = []
    listed: set[str] = set()
    for line in tree.splitlines():
        if not line.strip():
            continue
        level = (len(line) - len(line.lstrip())) // 2
        name = line.split()[0]
        folders = folders[:level]
        if name.endswith("/"):
            folders.append(name.rstrip("/"))
        elif name.endswith(".py"):
            listed.add("/".join([*folders, name]))
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "archiver").rglob("*.py")}
    assert sorted(modules - listed) == [], "modules missing from the tree in docs/architecture.md"
    assert sorted(listed - modules) == [], "the tree in docs/architecture.md lists modules that do not exist"
