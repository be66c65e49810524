"""The `archive` command: parse options, call plain functions, pick a renderer, map errors to exit codes.

One module per command family, each registering its commands on the group (`group.cli`): `add` (add, refetch,
reprocess), `read` (show, lineage, compare, history, diff, search, export), `db` (db path/status/schema,
check), `corrections` (link, unlink, origin, corrections), `web` (serve). Shared options: `options`. Exit codes:
`archiver.errors.ExitCode`.
"""

from __future__ import annotations

from archiver.cli import add, corrections, db, read, web
from archiver.cli.group import cli

__all__ = ["cli", "main", "add", "corrections", "db", "read", "web"]


def main() -> None:
    cli(prog_name="archive")
