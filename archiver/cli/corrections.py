"""`archive link`, `unlink`, `origin` and `corrections`: lineage corrections set by hand, kept through re-derivation."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from archiver.cli.group import cli
from archiver.cli.options import db_option, json_option, open_archive, reports_errors
from archiver.types import RELATIONS

if TYPE_CHECKING:
    from archiver.store.engine import Archive


def _ids(archive: Archive, *refs: str | None) -> list[int | None]:
    """The capture id of each reference (ID, URL, URL@N), None for None."""
    from archiver.read.resolve import resolve_capture

    with archive.session() as session:
        return [None if ref is None else resolve_capture(session, ref).id for ref in refs]


def _correct(db: str | None, as_json: bool, refs: tuple[str | None, ...],
             action: Callable[[Archive, int, int | None], dict[str, Any]]) -> None:
    """Resolve the captures named (the one corrected, and the other one if any), apply one correction (or
    its undo), print the result."""
    with open_archive(db) as archive:
        first, *rest = _ids(archive, *refs)
        assert first is not None
        result = action(archive, first, rest[0] if rest else None)
    _print(result, as_json)


def _print(result: dict[str, Any], as_json: bool) -> None:
    from archiver import render

    if as_json:
        click.echo(render.json_line(result))
    else:
        for line in render.correction_result_lines(result):
            click.echo(line)


@cli.command()
@click.argument("child", metavar="CHILD")
@click.argument("parent", metavar="PARENT", required=False)
@click.option("--relation", type=click.Choice(RELATIONS), default="copy", show_default=True,
              help="The relation of CHILD to PARENT.")
@click.option("--undo", is_flag=True, help="Remove CHILD's link set by hand (PARENT not needed).")
@db_option
@json_option
@reports_errors
def link(child: str, parent: str | None, relation: str, undo: bool, db: str | None, as_json: bool) -> None:
    """Set by hand that CHILD is derived from PARENT; every later re-derivation keeps it."""
    from archiver.pipeline import corrections as correct

    if not undo and parent is None:
        raise click.UsageError("give the PARENT CHILD is derived from, or --undo")
    def act(archive: Archive, child_id: int, parent_id: int | None) -> dict[str, Any]:
        if undo:
            return correct.correct_undo(archive, kind="link", capture=child_id, parent=parent_id)
        assert parent_id is not None
        return correct.correct_link(archive, child_id, parent_id, relation)

    _correct(db, as_json, (child, parent), act)


@cli.command()
@click.argument("child", metavar="CHILD")
@click.option("--from", "source", metavar="CAPTURE", default=None,
              help="The capture CHILD is not derived from. Default: its current parent.")
@click.option("--undo", is_flag=True, help="Remove CHILD's unlink set by hand (the one --from CAPTURE, or all).")
@db_option
@json_option
@reports_errors
def unlink(child: str, source: str | None, undo: bool, db: str | None, as_json: bool) -> None:
    """Set by hand that CHILD is not derived from its parent (or from --from CAPTURE)."""
    from archiver.pipeline import corrections as correct

    _correct(db, as_json, (child, source), lambda archive, child_id, source_id: (
        correct.correct_undo(archive, kind="unlink", capture=child_id, parent=source_id) if undo
        else correct.correct_unlink(archive, child_id, source_id)
    ))


@cli.command()
@click.argument("ref", metavar="ID")
@click.option("--publisher", default=None, metavar="NAME", help="The publisher of the original story.")
@click.option("--undo", is_flag=True, help="Remove the origin set by hand for ID.")
@db_option
@json_option
@reports_errors
def origin(ref: str, publisher: str | None, undo: bool, db: str | None, as_json: bool) -> None:
    """Set by hand that ID is the origin of its family (published by NAME); its chain above is turned round."""
    from archiver.pipeline import corrections as correct

    _correct(db, as_json, (ref,), lambda archive, capture_id, _: (
        correct.correct_undo(archive, kind="origin", capture=capture_id) if undo
        else correct.correct_origin(archive, capture_id, publisher)
    ))


@cli.command("corrections")
@click.option("--undo", "undo_id", type=int, default=None, metavar="N", help="Remove correction N (its id).")
@db_option
@json_option
@reports_errors
def corrections_cmd(undo_id: int | None, db: str | None, as_json: bool) -> None:
    """List the lineage corrections set by hand (link, unlink, origin), oldest first."""
    from archiver import render
    from archiver.pipeline import corrections as correct
    from archiver.read.corrections import corrections_list

    with open_archive(db) as archive:
        if undo_id is not None:
            _print(correct.correct_undo(archive, correction_id=undo_id), as_json)
            return
        found = corrections_list(archive)
    for c in found:
        click.echo(render.json_line(c) if as_json else render.correction_line(c))
