"""The read commands: show, lineage, compare, history, diff, search, export."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import click

from archiver.cli.group import cli
from archiver.cli.options import db_option, json_option, open_archive, reports_errors
from archiver.errors import ArchiveError, ExitCode

# Each command imports what it uses when it runs: importing every stage up front cost every command, even
# `archive --version`, over a second (issue 23); `benchmarks/startup.py` measures it.


@cli.command()
@click.argument("ref", metavar="ID|URL")
@click.option("--chrome", is_flag=True, help="Show what the cleaner removed from the page, and why.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default=None,
              help="The clean story alone with its title, for piping: plain text or Markdown. For JSON, --json.")
@db_option
@json_option
@reports_errors
def show(ref: str, chrome: bool, fmt: str | None, db: str | None, as_json: bool) -> None:
    """Show one capture: metadata, credits, lineage parent and clean text."""
    from rich.console import Console

    from archiver import render
    from archiver.read import show as show_read

    if fmt is not None and (as_json or chrome):
        raise click.UsageError(f"--format {fmt} prints the story alone; it cannot be combined with "
                               f"{'--json' if as_json else '--chrome'}")
    with open_archive(db) as archive:
        record = show_read.show(archive, ref, dropped=chrome)
    if fmt is not None:
        click.echo(render.show_body(record, fmt))
    elif as_json:
        click.echo(render.json_line(record))
    else:
        render.show_text(record, Console(), chrome=chrome)


@cli.command()
@click.argument("ref", metavar="ID|URL", required=False)
@click.option("--all", "all_families", is_flag=True, help="Every family (origin and its copies), largest first.")
@db_option
@json_option
@click.option(
    "--format", "fmt", type=click.Choice(["tree", "dot"]), default="tree",
    help="Text output: a tree, or Graphviz DOT. For JSON, --json.",
)
@reports_errors
def lineage(ref: str | None, all_families: bool, db: str | None, as_json: bool, fmt: str) -> None:
    """Show where a capture came from (up to its origin) and what was copied from it."""
    from rich.console import Console

    from archiver import render
    from archiver.read import lineage as lineage_read

    if all_families == (ref is not None):
        raise click.UsageError("give one capture ID|URL, or --all")
    with open_archive(db) as archive:
        if all_families:
            found = lineage_read.families(archive)
            trees = [] if as_json else [lineage_read.lineage(archive, str(f["origin"]["id"])) for f in found]
        else:
            data = lineage_read.lineage(archive, str(ref))
    if all_families:
        if as_json:
            for family in found:
                click.echo(render.json_line(family))
        elif fmt == "dot":
            click.echo(render.lineage_dot_all(trees))
        else:
            for tree in trees:
                Console().print(render.lineage_tree(tree, mark_self=False))
        return
    if as_json:
        click.echo(render.json_line(data))
    elif fmt == "dot":
        click.echo(render.lineage_dot(data))
    else:
        Console().print(render.lineage_tree(data))


@cli.command()
@click.argument("ref_a", metavar="A")
@click.argument("ref_b", metavar="B")
@db_option
@json_option
@reports_errors
def compare(ref_a: str, ref_b: str, db: str | None, as_json: bool) -> None:
    """Compare two captures' texts side by side, shared passages highlighted."""
    from rich.console import Console

    from archiver import render
    from archiver.read import compare as compare_read

    with open_archive(db) as archive:
        data = compare_read.compare(archive, ref_a, ref_b)
    if as_json:
        click.echo(render.json_line(data))
    else:
        Console().print(render.compare_table(data))
@cli.command()
@click.argument("ref", metavar="URL|ID")
@db_option
@json_option
@reports_errors
def history(ref: str, db: str | None, as_json: bool) -> None:
    """Every version of a page: capture times, words added and removed, headline changes."""
    from rich.console import Console

    from archiver import render
    from archiver.read import history as history_read


    with open_archive(db) as archive:
        data = history_read.history(archive, ref)
    if as_json:
        click.echo(render.json_line(data))
    else:
        render.history_text(data, Console())


@cli.command()
@click.argument("a", metavar="A")
@click.argument("b", metavar="[B]", required=False)
@db_option
@json_option
@click.option("--color/--no-color", default=None, help="Colour the changes (default: on a terminal).")
@reports_errors
def diff(a: str, b: str | None, db: str | None, as_json: bool, color: bool | None) -> None:
    """Word-level diff of two captures (ID, URL, or URL@N for version N); with one, against its previous version."""
    from rich.console import Console

    from archiver import render
    from archiver.read import history as history_read


    with open_archive(db) as archive:
        data = history_read.diff(archive, a, b)
    if as_json:
        click.echo(render.json_line(data))
        return
    console = Console(force_terminal=True) if color else Console()
    render.diff_text(data, console, color=console.is_terminal if color is None else color)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, required=True, metavar="QUERY...")
@click.option("--limit", type=click.IntRange(1, 2**31 - 1), default=20, show_default=True,
              help="Most texts to list (at least 1).")
@db_option
@json_option
@reports_errors
def search(words: tuple[str, ...], limit: int, db: str | None, as_json: bool) -> None:
    """Full-text search of the clean texts: words, "a phrase", a OR b, -excluded."""
    from rich.console import Console

    from archiver import render
    from archiver.read import search as search_read


    with open_archive(db) as archive:
        results = search_read.search(archive, " ".join(words), limit=limit)
    if as_json:
        for r in results:
            click.echo(render.json_line(r))
    else:
        render.search_text(results, Console())


@cli.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of stdout.")
@db_option
@reports_errors
def export(output: str | None, db: str | None) -> None:
    """Every capture as JSON Lines, raw bytes included; `archive add FILE` brings them back."""
    from archiver import render
    from archiver.read.export import export_records
    from archiver.store.blobs import BlobDamaged

    count, damaged = 0, []  # type: tuple[int, list[dict[str, object]]]
    with open_archive(db) as archive, _export_stream(output) as stream:
        for record in export_records(archive, damaged):
            stream.write(render.json_line(record) + "\n")
            count += 1
    click.echo(f"exported {count} capture{'s' if count != 1 else ''}" + (f" to {output}" if output else ""), err=True)
    if damaged:
        for item in damaged:
            click.echo(f"archive: capture #{item['id']} not exported: {item['error']}", err=True)
        click.echo(f"hint: {BlobDamaged.hint}", err=True)
        sys.exit(ExitCode.FAILED)


@contextlib.contextmanager
def _export_stream(output: str | None) -> Iterator[IO[str]]:
    """stdout, or a file written beside `output` and renamed over it once complete: a failed export (a full
    disk) leaves no truncated file, and reports the error instead of a traceback."""
    target = Path(output) if output else None
    part = target.with_name(f".{target.name}.part") if target else None
    try:
        with click.open_file(str(part) if part else "-", "w", encoding="utf-8") as stream:
            yield stream
            stream.flush()
            if part is not None:
                os.fsync(stream.fileno())
        if part is not None and target is not None:
            os.replace(part, target)
    except OSError as e:
        if part is not None:
            with contextlib.suppress(OSError):
                part.unlink()
        where = output or "stdout"
        raise ArchiveError(f"cannot write {where}: {e.strerror or e}",
                           hint=f"Nothing was exported{' to ' + output if output else ''}; free some disk space "
                                "or choose another place, and run the same command again.") from e
