"""Corrections set by hand (`archive link`, `unlink`, `origin`) stick: later adds in any order, reprocess,
export and re-import keep them; a cycle of hand links is refused; `--undo` gives the derived lineage back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SEEDS, Run

from archiver.errors import ExitCode

WFAE, STATION, SPUN = "001_0231a191aae85b60.txt", "002_d3d4a08ce7f31e88.txt", "000_cb7ae2c79aba8864.txt"
OTHERS = ["003_174afbc6d0c12515.txt", "004_a909e96cfce776c3.txt"]
TODAY = datetime.now(UTC).date().isoformat()


@pytest.fixture
def variants(tmp_path: Path) -> list[str]:
    """More captures of the NPR family: the WFAE page with trailing blank lines (the same clean text), and the
    spun rewrite without its last three paragraphs (a copy of it)."""
    wfae = tmp_path / "wfae-again.txt"
    wfae.write_bytes((SEEDS / WFAE).read_bytes() + b"\n\n\n")
    spun = tmp_path / "spun-short.txt"
    paragraphs = (SEEDS / SPUN).read_text().split("\n\n")
    spun.write_text("\n\n".join(paragraphs[:-3]) + "\n")
    return [str(wfae), str(spun)]


def added(run: Run, *paths: str) -> dict[str, int]:
    code, records = run.add_json(*paths)
    assert code == 0, records
    return {Path(r["path"]).name: r["id"] for r in records}


def parent_of(run: Run, capture: int) -> dict | None:
    return run.json("lineage", str(capture))["parent"]  # type: ignore[index,return-value]


def edges_by_name(run: Run, ids: dict[str, int]) -> dict[str, tuple]:
    name = {i: f for f, i in ids.items()}
    out = {}
    for f, i in ids.items():
        p = parent_of(run, i)
        out[f] = (name[p["id"]], p["relation"], p["evidence"][0] if p["evidence"][0].startswith("set by hand") else "")\
            if p else None
    return out


def test_corrections_hold_through_adds_in_three_orders_and_reprocess(
    new_db_factory, variants: list[str]  # type: ignore[no-untyped-def]
) -> None:
    later = [*variants, *(str(SEEDS / f) for f in OTHERS)]
    orders = [later, [later[3], later[1], later[2], later[0]], [later[1], later[2], later[0], later[3]]]
    answers = []
    for n, order in enumerate(orders):
        run = Run(new_db_factory(f"order{n}.db"))
        ids = added(run, *(str(SEEDS / f) for f in (WFAE, STATION, SPUN)))
        assert parent_of(run, ids[SPUN])["id"] == ids[WFAE]  # type: ignore[index]
        # the machine's origin is the WFAE page; pin the other station's page, and reject the spun link
        assert run("origin", str(ids[STATION]), "--publisher", "NPR Digital").exit_code == 0
        assert run("unlink", str(ids[SPUN])).exit_code == 0
        ids |= added(run, *order)
        for step in ("added", "reprocessed"):
            if step == "reprocessed":
                assert run("reprocess").exit_code == 0
            assert parent_of(run, ids[STATION]) is None, step
            wfae = run.json("lineage", str(ids[WFAE]))
            assert wfae["origin"]["id"] == ids[STATION] and wfae["origin"]["publisher"] == "NPR Digital", step
            assert wfae["parent"]["evidence"][0].startswith(f"set by hand on {TODAY}"), step
            spun = parent_of(run, ids[SPUN])
            assert spun is None or spun["id"] != ids[WFAE], (step, spun)
            assert run("check").exit_code == 0, step
            view = run.sql(f"SELECT origin_id, origin_publisher FROM capture_origin WHERE capture_id = {ids[WFAE]}")
            assert view == [(ids[STATION], "NPR Digital")]
        answers.append(edges_by_name(run, ids))
    assert answers[0] == answers[1] == answers[2]


def test_a_link_turns_the_machine_round_and_a_cycle_of_hand_links_is_refused(run: Run) -> None:
    ids = added(run, *(str(SEEDS / f) for f in (WFAE, STATION, SPUN)))
    wfae, station, spun = ids[WFAE], ids[STATION], ids[SPUN]
    # the machine: the spun text is a rewrite of the WFAE page; say by hand the WFAE page copies the spun one
    result = run("link", str(wfae), str(spun), "--relation", "rewrite", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["parent"]["id"] == spun
    assert parent_of(run, spun) is None  # its machine edge to the WFAE page would close a cycle: dropped
    lineage = run.json("lineage", str(station))
    assert lineage["origin"]["id"] == spun  # type: ignore[index]
    run("link", str(spun), str(station))  # station -> wfae (machine) is dropped: the station page is the root
    assert parent_of(run, station) is None and parent_of(run, spun)["id"] == station  # type: ignore[index]
    refused = run("link", str(station), str(wfae))  # wfae -> spun -> station are both set by hand
    assert refused.exit_code == ExitCode.USAGE
    assert "cycle" in refused.stderr and f"#{wfae} -> #{spun} -> #{station}" in refused.stderr
    assert parent_of(run, station) is None  # nothing changed
    assert len(corrections(run)) == 2
    assert run("check").exit_code == 0
    own = run("link", str(wfae), str(wfae))
    assert own.exit_code == ExitCode.USAGE and "itself" in own.stderr


def corrections(run: Run) -> list[dict]:
    result = run("corrections", "--json")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_undo_gives_the_derived_lineage_back(run: Run) -> None:
    ids = added(run, *(str(SEEDS / f) for f in (WFAE, STATION, SPUN)))
    derived = edges_by_name(run, ids)
    assert run("link", str(ids[SPUN]), str(ids[STATION]), "--relation", "copy").exit_code == 0
    assert run("origin", str(ids[STATION]), "--publisher", "NPR Digital").exit_code == 0
    assert run("unlink", str(ids[WFAE]), "--from", str(ids[STATION])).exit_code == 0  # not its parent: no change
    listed = corrections(run)
    assert [(c["kind"], c["capture_id"]) for c in listed] == [
        ("link", ids[SPUN]), ("origin", ids[STATION]), ("unlink", ids[WFAE])
    ]
    assert all(c["evidence"] == f"set by hand on {TODAY}" for c in listed)
    text = run("corrections")
    assert f"#{ids[SPUN]} is derived from #{ids[STATION]} (copy)" in text.stdout
    assert edges_by_name(run, ids) != derived
    assert run("link", str(ids[SPUN]), "--undo").exit_code == 0
    assert run("origin", str(ids[STATION]), "--undo").exit_code == 0
    assert run("corrections", "--undo", str(listed[2]["id"])).exit_code == 0
    assert corrections(run) == []
    assert edges_by_name(run, ids) == derived
    missing = run("origin", str(ids[STATION]), "--undo")
    assert missing.exit_code == ExitCode.NOT_FOUND and "no origin correction" in missing.stderr


def test_contradictions_are_refused_with_a_hint(run: Run) -> None:
    ids = added(run, *(str(SEEDS / f) for f in (WFAE, SPUN, OTHERS[0])))
    alone = run("unlink", str(ids[OTHERS[0]]))
    assert alone.exit_code == ExitCode.USAGE and "no parent" in alone.stderr
    assert run("origin", str(ids[SPUN])).exit_code == 0
    pinned = run("link", str(ids[SPUN]), str(ids[WFAE]))
    assert pinned.exit_code == ExitCode.USAGE and f"archive origin {ids[SPUN]} --undo" in pinned.stderr
    assert run("link", str(ids[WFAE]), str(ids[OTHERS[0]])).exit_code == 0  # across families: allowed
    linked = run("origin", str(ids[WFAE]))
    assert linked.exit_code == ExitCode.USAGE and f"archive link {ids[WFAE]} --undo" in linked.stderr
    assert run("link", "999", str(ids[WFAE])).exit_code == ExitCode.NOT_FOUND


def test_corrections_travel_with_export_and_reimport(new_db_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = Run(new_db_factory("first.db"))
    ids = added(first, *(str(SEEDS / f) for f in (WFAE, STATION, SPUN, *OTHERS)))
    assert first("origin", str(ids[STATION]), "--publisher", "NPR Digital").exit_code == 0
    assert first("unlink", str(ids[SPUN])).exit_code == 0
    assert first("link", str(ids[OTHERS[1]]), str(ids[OTHERS[0]]), "--relation", "rewrite").exit_code == 0
    export = tmp_path / "export.jsonl"
    assert first("export", "-o", str(export)).exit_code == 0
    records = [json.loads(line) for line in export.read_text().splitlines()]
    assert sum(len(r["corrections"]) for r in records) == 3
    second = Run(new_db_factory("second.db"))
    code, _ = second.add_json(str(export))
    assert code == 0
    moved = {(c["kind"], c["publisher"], c["relation"], c["created_at"]) for c in corrections(second)}
    assert moved == {(c["kind"], c["publisher"], c["relation"], c["created_at"]) for c in corrections(first)}
    assert edges_by_name(second, ids) == edges_by_name(first, ids)  # the same ids: added in the same order
    code, _ = second.add_json(str(export))  # again: nothing new, no correction twice
    assert len(corrections(second)) == 3
