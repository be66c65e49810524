"""`archive serve`: the read-only web view (`archiver.web`), on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import click

from archiver.cli.group import cli
from archiver.cli.options import db_option, open_archive, reports_errors
from archiver.errors import ArchiveError

WEB_EXTRA = "archive-news[web]"


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 shows the archive to the whole network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@db_option
@reports_errors
def serve(host: str, port: int, db: str | None) -> None:
    """Browse the archive in a web browser: search, captures, family graphs, compare, history. Read-only."""
    from archiver.store.engine import display_url

    try:
        import uvicorn

        from archiver.web.app import create_app
    except ImportError as e:
        raise ArchiveError(
            f"archive serve needs the web extra ({e.name or e} is not installed)",
            hint=f"Install it: pip install '{WEB_EXTRA}'",
        ) from e
    with open_archive(db) as archive:
        app = create_app(archive)
        click.echo(f"archive: serving {display_url(archive.url)} at http://{host}:{port}/ (read-only; Ctrl-C stops)",
                   err=True)
        uvicorn.run(app, host=host, port=port, log_level="warning")
