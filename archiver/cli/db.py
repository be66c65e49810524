"""`archive db path|status|schema` and `archive check`: where the archive is and what state it is in."""

from __future__ import annotations

import sys

import click

from archiver.cli.group import cli
from archiver.cli.options import db_option, json_option, open_archive, reports_errors
from archiver.config import database_url, sqlite_path
from archiver.errors import DatabaseError, ExitCode


@cli.group("db")
def db_group() -> None:
    """Where the archive is and what state it is in."""


@db_group.command("path")
@db_option
def db_path(db: str | None) -> None:
    """Print the archive's location (file path, or URL for a server database, its password hidden)."""
    from archiver.store.engine import display_url

    click.echo(display_url(database_url(db)))


@db_group.command("status")
@db_option
@json_option
@reports_errors
def db_status(db: str | None, as_json: bool) -> None:
    """Schema revision and row counts."""
    from archiver import render
    from archiver.store.captures import counts
    from archiver.store.engine import current_revision, head_revision

    with open_archive(db) as archive:
        with archive.session() as session:
            found = counts(session)
        status = {
            "database": str(archive.path or archive.url),
            "backend": archive.engine.dialect.name,
            "revision": current_revision(archive.engine),
            "head": head_revision(),
            **found,
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
    from archiver.read.schemadoc import schema_markdown

    with open_archive(db) as archive:
        click.echo(schema_markdown(archive.engine), nl=False)


@db_group.command("datasette-metadata")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default="metadata.json",
              show_default=True, help="Where to write it; - for stdout.")
@db_option
@reports_errors
def db_datasette_metadata(output: str, db: str | None) -> None:
    """Write a Datasette metadata file: table and column descriptions, the example queries as canned queries."""
    import json

    from archiver.read.datasette import datasette_metadata

    with open_archive(db) as archive:
        metadata = datasette_metadata(archive)
        name = archive.path.name if archive.path else ""
    with click.open_file(output, "w", encoding="utf-8") as stream:
        stream.write(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")
    if output != "-":
        click.echo(f"wrote {output}: datasette {name} -m {output}", err=True)


@cli.command("check")
@db_option
@json_option
@reports_errors
def check(db: str | None, as_json: bool) -> None:
    """Verify the archive: raw bytes vs hashes, fingerprints vs texts, lineage, references. Read-only."""
    from archiver import render
    from archiver.read.check import check_archive, check_unopenable_sqlite, errors
    from archiver.store.engine import NoArchive

    try:
        with open_archive(db) as archive:
            problems = check_archive(archive)
    except DatabaseError as e:  # a file too damaged to open: report what plain SQLite can still read
        path = sqlite_path(database_url(db))
        if isinstance(e, NoArchive) or path is None or not path.is_file():
            raise
        problems = check_unopenable_sqlite(str(path), str(e))
    if as_json:
        for problem in problems:
            click.echo(render.json_line(problem.as_dict()))
        click.echo(render.json_line(render.check_summary(problems)))
    else:
        for line in render.check_lines(problems):
            click.echo(line)
    if errors(problems):
        sys.exit(ExitCode.DAMAGED)


