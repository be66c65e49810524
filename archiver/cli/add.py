"""`archive add`, `archive refetch` and `archive reprocess`: the commands that write captures."""

from __future__ import annotations

import dataclasses
import itertools
import os
import sys
from pathlib import Path
from typing import Any

import click

from archiver.cli.group import cli
from archiver.cli.options import db_option, json_option, open_archive, reports_errors
from archiver.errors import ExitCode


def _checked_inputs(inputs: tuple[str, ...], from_file: Any, manifests: tuple[str, ...]) -> tuple[str, ...]:
    """The inputs as given (stdin when none and it is piped); refuses what cannot be carried out."""
    from archiver.sources.manifests import manifest_check

    if not inputs and from_file is None and not manifests:
        if sys.stdin is None or sys.stdin.isatty():
            raise click.UsageError("nothing to add: give files, directories, URLs, a --manifest, or - for stdin")
        inputs = ("-",)
    listing = getattr(from_file, "name", "<stdin>")  # click's stdin in a test runner has no name
    if from_file is not None and listing == "<stdin>" and "-" in inputs:
        raise click.UsageError("stdin cannot be both --from-file - and an input -")
    for manifest in manifests:  # one that cannot be read at all is refused before anything is added
        manifest_check(manifest)
    return inputs


@cli.command()
@click.argument("inputs", nargs=-1, metavar="PATH|URL|-...")
@click.option("--url", default=None, help="The page's URL, for a single file or stdin.")
@click.option(
    "--from-file", "from_file", type=click.File("rb"), default=None,
    help="Read more inputs (paths or URLs), one per line, from this file; - for stdin.",
)
@click.option("--manifest", "manifests", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Add the captures a manifest lists: CSV with a header, or JSON Lines; per row path or url, "
                   "optional page_url, captured_at, published (repeatable).")
@click.option("--glob", "globs", multiple=True, metavar="PATTERN",
              help="In directories, add only files whose name or relative path matches (repeatable).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for cleaning and fingerprinting. Default: the number of cores.")
@click.option("--allow-private", is_flag=True,
              help="Let URLs (and redirects) reach private, loopback and link-local addresses.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help="Give up on a URL after this many seconds in all (a deadline: redirects and body included). "
                   "Default: 30.")
@db_option
@json_option
@click.option("--quiet", "-q", is_flag=True, help="Print only failures and the summary; no progress bar.")
@reports_errors
def add(inputs: tuple[str, ...], url: str | None, from_file: Any, manifests: tuple[str, ...], globs: tuple[str, ...],
        jobs: int | None, allow_private: bool, timeout: float | None, db: str | None, as_json: bool,
        quiet: bool) -> None:
    """Add captures: files, directories (recursive), URLs, WARC files, or - for stdin."""
    from archiver import render
    from archiver.pipeline.add import add as add_inputs
    from archiver.pipeline.workers import default_jobs
    from archiver.sources.fetch import FETCH_TIMEOUT_S, FetchPolicy
    from archiver.sources.inputs import count_captures, iter_input_lines

    inputs = _checked_inputs(inputs, from_file, manifests)
    _check_page_url(url, inputs, from_file is not None)
    listing = getattr(from_file, "name", "<stdin>")  # click's stdin in a test runner has no name
    listed = iter_input_lines(from_file, f"--from-file {listing}") if from_file is not None else iter(())
    all_inputs = itertools.chain(inputs, listed)
    show_progress = not quiet and render.progress_wanted(sys.stderr)
    total = count_captures(inputs, globs) if show_progress and from_file is None and not manifests else None
    tally = render.AddTally()
    try:
        with open_archive(db, create=True) as archive, render.add_progress(show_progress, total) as progress:
            for result in add_inputs(archive, all_inputs, url=url, jobs=jobs or default_jobs(),
                                       globs=globs, manifests=manifests,
                                       policy=FetchPolicy(allow_private=allow_private,
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
        sys.exit(ExitCode.INTERRUPTED)
    _add_summary(tally, as_json, quiet)


def _add_summary(tally: Any, as_json: bool, quiet: bool) -> None:
    """The failures again and the counts, on stderr; exit 1 when an input failed."""
    from archiver import render

    if not as_json or tally.failures:
        # the failures again where they cannot scroll away: only when other lines came between (JSON on
        # stdout, or successes printed); a lone failure printed just above is not printed twice
        if as_json or (not quiet and sum(tally.counts.values()) > len(tally.failures)):
            for line in render.add_failures(tally):
                click.echo(line, err=True)
        click.echo(render.add_tally_summary(tally), err=True)
    if tally.failures:
        sys.exit(ExitCode.FAILED)


def _check_page_url(url: str | None, inputs: tuple[str, ...], listed: bool) -> None:
    """--url names the page of exactly one file or stdin, and is an http(s) URL: else a usage error."""
    if url is None:
        return
    from urllib.parse import urlsplit

    from archiver.sources.inputs import is_url, is_warc

    item = inputs[0] if len(inputs) == 1 else None
    several = item is not None and (is_url(item) or os.path.isdir(item) or is_warc(Path(item)))
    if listed or len(inputs) > 1 or several:
        raise click.UsageError("--url names the page of a single file or stdin; give exactly one file, or -")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise click.UsageError(f"--url must be an http:// or https:// URL with a host, not {url!r}")


@cli.command("reprocess")
@db_option
@json_option
@reports_errors
def reprocess_cmd(db: str | None, as_json: bool) -> None:
    """Re-clean every capture from its raw bytes with the current cleaner; rebuild fingerprints and lineage."""
    from archiver import render
    from archiver.pipeline.reprocess import reprocess

    with open_archive(db) as archive:
        result = reprocess(archive)
    if as_json:
        click.echo(render.json_line(dataclasses.asdict(result)))
    else:
        for failure in result.failed:
            click.echo(render.reprocess_failure_line(failure), err=True)
        click.echo(render.reprocess_summary(result))
    if result.failed:
        sys.exit(ExitCode.FAILED)




_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class _Age(click.ParamType):
    """A duration: a number and a unit, s, m, h, d or w (`90m`, `1d`, `2w`); in seconds."""

    name = "AGE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        text = str(value).strip().lower()
        number, unit = text[:-1], text[-1:]
        try:
            seconds = float(number) * _UNITS[unit]
        except (KeyError, ValueError):
            self.fail(f"{value!r} is not an age such as 30m, 12h, 1d or 2w", param, ctx)
        if seconds < 0:
            self.fail(f"{value!r} is negative", param, ctx)
        return seconds


@cli.command()
@click.argument("urls", nargs=-1, metavar="[URL...]")
@click.option("--all", "all_pages", is_flag=True, help="Every archived page.")
@click.option("--older-than", "older_than", type=_Age(), default=None, metavar="AGE",
              help="Only pages last captured longer ago than this: 30m, 12h, 1d, 2w.")
@click.option("--allow-private", is_flag=True,
              help="Let URLs (and redirects) reach private, loopback and link-local addresses.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help="Give up on a URL after this many seconds in all. Default: 30.")
@db_option
@json_option
@click.option("--quiet", "-q", is_flag=True, help="Print only failures and the summary.")
@reports_errors
def refetch(urls: tuple[str, ...], all_pages: bool, older_than: float | None, allow_private: bool,
            timeout: float | None, db: str | None, as_json: bool, quiet: bool) -> None:
    """Fetch archived pages again: a new version when the clean text changed, a re-capture when not."""
    from collections import Counter
    from datetime import UTC, datetime, timedelta

    from archiver import render
    from archiver.pipeline.refetch import refetch as refetch_pages
    from archiver.pipeline.refetch import refetch_targets
    from archiver.pipeline.workers import default_jobs
    from archiver.sources.fetch import FETCH_TIMEOUT_S, FetchPolicy

    if all_pages == bool(urls):
        raise click.UsageError("give the URLs of archived pages, or --all")
    before = datetime.now(UTC) - timedelta(seconds=older_than) if older_than is not None else None
    counts: Counter[str] = Counter()
    failures: list[str] = []
    policy = FetchPolicy(allow_private=allow_private, timeout=timeout or FETCH_TIMEOUT_S)
    try:
        with open_archive(db) as archive:
            targets = refetch_targets(archive, list(urls) if urls else None, before)
            for result in refetch_pages(archive, targets, policy, jobs=default_jobs()):
                counts[result.status] += 1
                line = render.refetch_line(result)
                if as_json:
                    click.echo(render.refetch_json(result))
                elif result.status == "error":
                    click.echo(line, err=True)
                elif not quiet:
                    click.echo(line)
                if result.status == "error":
                    failures.append(line)
    except KeyboardInterrupt:
        click.echo(render.refetch_summary(counts) + " (interrupted)", err=True)
        sys.exit(ExitCode.INTERRUPTED)
    if not as_json or failures:
        if failures and (as_json or (not quiet and sum(counts.values()) > len(failures))):  # as `add` does
            click.echo(f"failed ({len(failures)}):", err=True)
            for line in failures:
                click.echo("  " + line, err=True)
        click.echo(render.refetch_summary(counts), err=True)
    if failures:
        sys.exit(ExitCode.FAILED)
