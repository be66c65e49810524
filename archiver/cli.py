"""The `archive` command: parse options, call plain functions, pick a renderer, map errors to exit codes.

Exit codes: 0 success; 1 at least one input failed (the rest were added); 2 usage error;
3 capture not found; 4 the archive database cannot be opened or written; 5 `archive check` found damage.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console
from sqlalchemy import exc as sa_exc

from archiver import __version__, pipeline, query, render
from archiver.config import DB_ENV, database_url, sqlite_path
from archiver.db import Archive, current_revision, database_error, head_revision
from archiver.errors import ArchiveError

F = TypeVar("F", bound=Callable[..., Any])


def db_option(f: F) -> F:
    """--db, shared by every command that opens the archive."""
    return click.option(
        "--db",
        "db",
        metavar="PATH|URL",
        default=None,
        help=f"Archive database: an SQLite file or an SQLAlchemy URL. Default: ${DB_ENV}, else ./archive.db.",
    )(f)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)


def reports_errors(f: F) -> F:
    """Turn ArchiveError into a one-line message on stderr, its hint, and its exit code."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            try:
                return f(*args, **kwargs)
            except sa_exc.DBAPIError as e:  # the database failed mid-command: exit 4, no traceback
                raise database_error(database_url(kwargs.get("db")), e, "use") from e
        except ArchiveError as e:
            click.echo(f"archive: {e}", err=True)
            if e.hint:
                click.echo(f"hint: {e.hint}", err=True)
            sys.exit(e.exit_code)

    return wrapper  # type: ignore[return-value]


def open_archive(db: str | None) -> Archive:
    return Archive(database_url(db))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archive")
def cli() -> None:
    """Archive news pages: strip the chrome, fingerprint the story, trace where it came from."""


@cli.command()
@click.argument("inputs", nargs=-1, metavar="PATH|URL|-...")
@click.option("--url", default=None, help="The page's URL, for a single file or stdin.")
@click.option(
    "--from-file", "from_file", type=click.File("r"), default=None,
    help="Read more inputs (paths or URLs), one per line, from this file; - for stdin.",
)
@click.option("--glob", "globs", multiple=True, metavar="PATTERN",
              help="In directories, add only files whose name or relative path matches (repeatable).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for cleaning and fingerprinting. Default: the number of cores.")
@click.option("--allow-private", is_flag=True,
              help="Let URLs (and redirects) reach private, loopback and link-local addresses.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help="Give up on a URL after this many seconds without an answer. Default: 30.")
@db_option
@json_option
@click.option("--quiet", "-q", is_flag=True, help="Print only failures and the summary; no progress bar.")
@reports_errors
def add(inputs: tuple[str, ...], url: str | None, from_file: Any, globs: tuple[str, ...], jobs: int | None,
        allow_private: bool, timeout: float | None, db: str | None, as_json: bool, quiet: bool) -> None:
    """Add captures: files, directories (recursive), URLs, WARC files, or - for stdin."""
    from archiver.fetch import FETCH_TIMEOUT_S, FetchPolicy
    from archiver.sources import count_captures, iter_input_lines
    from archiver.workers import default_jobs

    if not inputs and from_file is None:
        if sys.stdin is None or sys.stdin.isatty():
            raise click.UsageError("nothing to add: give files, directories, URLs, or - for stdin")
        inputs = ("-",)
    if from_file is not None and from_file.name == "<stdin>" and "-" in inputs:
        raise click.UsageError("stdin cannot be both --from-file - and an input -")
    listed = iter_input_lines(from_file) if from_file is not None else iter(())
    all_inputs = itertools.chain(inputs, listed)
    show_progress = not quiet and render.progress_wanted(sys.stderr)
    total = count_captures(inputs, globs) if show_progress and from_file is None else None
    tally = render.AddTally()
    try:
        with open_archive(db) as archive, render.add_progress(show_progress, total) as progress:
            for result in pipeline.add(archive, all_inputs, url=url, jobs=jobs or default_jobs(),
                                       globs=globs, policy=FetchPolicy(allow_private=allow_private,
                                                                            timeout=timeout or FETCH_TIMEOUT_S)):
                tally.count(result)
                progress.advance(result)
                if as_json:
                    click.echo(render.add_result_json(result))
                elif result.status == "error":
                    click.echo(render.add_result_line(result), err=True)
                elif not quiet:
                    click.echo(render.add_result_line(result))
    except KeyboardInterrupt:
        click.echo(render.add_tally_summary(tally) + " (interrupted; run again to add the rest)", err=True)
        sys.exit(130)
    if not as_json or tally.failures:
        for line in render.add_failures(tally):
            click.echo(line, err=True)
        click.echo(render.add_tally_summary(tally), err=True)
    if tally.failures:
        sys.exit(1)


@cli.command()
@click.argument("ref", metavar="ID|URL")
@click.option("--chrome", is_flag=True, help="Show what the cleaner removed from the page, and why.")
@db_option
@json_option
@reports_errors
def show(ref: str, chrome: bool, db: str | None, as_json: bool) -> None:
    """Show one capture: metadata, credits, lineage parent and clean text."""
    with open_archive(db) as archive:
        record = query.show(archive, ref)
    if as_json:
        click.echo(render.json_line(record))
    else:
        render.show_text(record, Console(), chrome=chrome)


@cli.command()
@click.argument("ref", metavar="ID|URL", required=False)
@click.option("--all", "all_families", is_flag=True, help="Every family (origin and its copies), largest first.")
@db_option
@json_option
@click.option(
    "--format", "fmt", type=click.Choice(["tree", "json", "dot"]), default="tree", help="Output format."
)
@reports_errors
def lineage(ref: str | None, all_families: bool, db: str | None, as_json: bool, fmt: str) -> None:
    """Show where a capture came from (up to its origin) and what was copied from it."""
    if all_families == (ref is not None):
        raise click.UsageError("give one capture ID|URL, or --all")
    with open_archive(db) as archive:
        if all_families:
            found = query.families(archive)
            trees = [] if as_json or fmt == "json" else [query.lineage(archive, str(f["origin"]["id"])) for f in found]
        else:
            data = query.lineage(archive, str(ref))
    if all_families:
        if as_json or fmt == "json":
            for family in found:
                click.echo(render.json_line(family))
        else:
            for tree in trees:
                click.echo(render.lineage_dot(tree)) if fmt == "dot" else Console().print(render.lineage_tree(tree, mark_self=False))
        return
    if as_json or fmt == "json":
        click.echo(render.lineage_json(data))
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
    with open_archive(db) as archive:
        data = query.compare(archive, ref_a, ref_b)
    if as_json:
        click.echo(render.json_line(data))
    else:
        Console().print(render.compare_table(data))
@cli.command("reprocess")
@db_option
@json_option
@reports_errors
def reprocess_cmd(db: str | None, as_json: bool) -> None:
    """Re-clean every capture from its raw bytes with the current cleaner; rebuild fingerprints and lineage."""
    from archiver.reprocess import reprocess

    with open_archive(db) as archive:
        result = reprocess(archive)
    if as_json:
        click.echo(render.json_line(dataclasses.asdict(result)))
    else:
        for failure in result.failed:
            click.echo(render.reprocess_failure_line(failure), err=True)
        click.echo(render.reprocess_summary(result))
    if result.failed:
        sys.exit(1)


@cli.group("db")
def db_group() -> None:
    """Where the archive is and what state it is in."""


@db_group.command("path")
@db_option
def db_path(db: str | None) -> None:
    """Print the archive's location (file path, or URL for a server database)."""
    url = database_url(db)
    path = sqlite_path(url)
    click.echo(str(path) if path else url)


@db_group.command("status")
@db_option
@json_option
@reports_errors
def db_status(db: str | None, as_json: bool) -> None:
    """Schema revision and row counts."""
    from archiver import store

    with open_archive(db) as archive:
        with archive.session() as session:
            counts = store.counts(session)
        status = {
            "database": str(archive.path or archive.url),
            "backend": archive.engine.dialect.name,
            "revision": current_revision(archive.engine),
            "head": head_revision(),
            **counts,
        }
    if as_json:
        click.echo(render.json_line(status))
    else:
        for key, value in status.items():
            click.echo(f"{key}: {value}")


@db_group.command("schema")
@db_option
@reports_errors
def db_schema(db: str | None) -> None:
    """Print the archive's tables, columns and views as Markdown (docs/schema.md)."""
    from archiver.schemadoc import schema_markdown

    with open_archive(db) as archive:
        click.echo(schema_markdown(archive.engine), nl=False)


@cli.command()
@click.argument("ref", metavar="URL|ID")
@db_option
@json_option
@reports_errors
def history(ref: str, db: str | None, as_json: bool) -> None:
    """Every version of a page: capture times, words added and removed, headline changes."""
    from archiver import history as versions_read

    with open_archive(db) as archive:
        data = versions_read.history(archive, ref)
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
    from archiver import history as versions_read

    with open_archive(db) as archive:
        data = versions_read.diff(archive, a, b)
    if as_json:
        click.echo(render.json_line(data))
        return
    console = Console(force_terminal=True) if color else Console()
    render.diff_text(data, console, color=console.is_terminal if color is None else color)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1, required=True, metavar="QUERY...")
@click.option("--limit", default=20, show_default=True, help="Most texts to list.")
@db_option
@json_option
@reports_errors
def search(words: tuple[str, ...], limit: int, db: str | None, as_json: bool) -> None:
    """Full-text search of the clean texts: words, "a phrase", a OR b, -excluded."""
    from archiver import search as text_search

    with open_archive(db) as archive:
        results = text_search.search(archive, " ".join(words), limit=limit)
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
    from archiver.export import export_records

    count = 0
    with open_archive(db) as archive, click.open_file(output or "-", "w", encoding="utf-8") as stream:
        for record in export_records(archive):
            stream.write(render.json_line(record) + "\n")
            count += 1
    click.echo(f"exported {count} capture{'s' if count != 1 else ''}" + (f" to {output}" if output else ""), err=True)
@cli.command("check")
@db_option
@json_option
@reports_errors
def check(db: str | None, as_json: bool) -> None:
    """Verify the archive: raw bytes vs hashes, fingerprints vs texts, lineage, references. Read-only."""
    from archiver.check import check_archive, errors

    with open_archive(db) as archive:
        problems = check_archive(archive)
    if as_json:
        for problem in problems:
            click.echo(render.json_line(problem.as_dict()))
    else:
        for line in render.check_lines(problems):
            click.echo(line)
    if errors(problems):
        sys.exit(5)


def main() -> None:
    cli(prog_name="archive")
