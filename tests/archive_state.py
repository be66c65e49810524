"""What an archive holds, read through the CLI and plain SQL, for comparing archives and add orders."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Run


def dump(run: Run) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: two equal dumps are the same archive (either backend)."""
    from archiver.store.models import Base

    return {t.name: sorted(run.sql(f'SELECT * FROM "{t.name}"'), key=repr) for t in Base.metadata.sorted_tables}


def without_added_at(tables: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """A dump with the time each capture was added left out (two archives made at different times)."""
    from archiver.store.models import CaptureRow

    at = [c.name for c in CaptureRow.__table__.columns].index("added_at")
    return {**tables, "capture": [row[:at] + row[at + 1 :] for row in tables["capture"]]}


def state(run: Run, ids: dict[str, int]) -> dict[str, tuple]:
    """Per input name: clean text, chrome, and lineage (parent name, relation, score, origin publisher)."""
    name_of = {i: n for n, i in ids.items()}
    out = {}
    for name, cid in ids.items():
        show = run.json("show", str(cid))
        lin = run.json("lineage", str(cid))
        parent = lin["parent"]  # type: ignore[index]
        out[name] = (
            show["text"],  # type: ignore[index]
            [(c["reason"], c["text"]) for c in show["chrome"]],  # type: ignore[index]
            (name_of[parent["id"]], parent["relation"], parent["score"]) if parent else None,
            lin["origin"]["publisher"],  # type: ignore[index]
        )
    return out


def add_all(run: Run, paths: list[Path], jobs: int = 1) -> dict[str, int]:
    """Add the files in one `archive add`; input name -> capture id (a re-capture's own id)."""
    # --jobs 1: the one worker is forked from this process, so a cleaner a test stands in is the one it runs
    code, rows = run.add_json("--jobs", str(jobs), *map(str, paths))
    assert code == 0, rows
    return {Path(r["path"]).name: r.get("recapture", r["id"]) for r in rows}


def reprocess(run: Run) -> dict:
    result = run("reprocess", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)
