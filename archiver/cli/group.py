"""The `archive` click group: every command module registers its commands on it."""

from __future__ import annotations

import click

from archiver import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archive")
def cli() -> None:
    """Archive news pages: strip the chrome, fingerprint the story, trace where it came from."""
