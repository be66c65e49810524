"""Every `--json` prints one JSON document per line, and every command finds a capture the same way."""

from __future__ import annotations

import json

from conftest import SEED_FILES, SEEDS, Run

from archiver.errors import ExitCode

PAGE = "https://example.org/2021/08/08/kunduz"


def documents(run: Run, *args: str, empty: bool = False) -> list[object]:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines or empty, args
    for line in lines:
        assert line.startswith(("{", "[")) and not line.startswith(("{\n", "[\n")), (args, line[:80])
    return [json.loads(line) for line in lines]


def test_every_json_output_is_json_lines(run: Run) -> None:
    code, added = run.add_json(*(str(SEEDS / f) for f in SEED_FILES))
    assert code == 0
    first = str(added[0]["id"])
    for args in (("show", first), ("lineage", first), ("lineage", "--all"), ("compare", first, str(added[1]["id"])),
                 ("history", first), ("diff", first, str(added[1]["id"])), ("search", "Kunduz"),
                 ("db", "status"), ("reprocess",)):
        documents(run, *args)
    # no problem: the verdict
    assert documents(run, "check", empty=True) == [{"verdict": "ok", "errors": 0, "notes": 0}]
    # one document per line: the lineage document, once printed indented over many lines, is one line
    assert len(documents(run, "lineage", first)) == 1


def test_lineage_has_one_way_to_ask_for_json(run: Run) -> None:
    run.add_json(str(SEEDS / SEED_FILES[0]))
    result = run("lineage", "1", "--format", "json")
    assert result.exit_code == ExitCode.USAGE
    assert run("lineage", "1", "--format", "dot").stdout.startswith("digraph")


def test_every_command_resolves_a_version_reference(run: Run) -> None:
    raw = (SEEDS / SEED_FILES[0]).read_bytes()
    code, added = run.add_json("-", "--url", PAGE, input=raw)
    assert code == 0 and added[0]["version"] == 1
    cid = added[0]["id"]
    for ref in (f"{PAGE}@1", f"{cid}@1", PAGE, str(cid)):
        assert run.json("show", ref)["id"] == cid, ref  # type: ignore[index]
        assert run.json("lineage", ref)["id"] == cid, ref  # type: ignore[index]
        assert run.json("diff", ref, ref)["words_added"] == 0, ref  # type: ignore[index]
        assert run.json("compare", ref, ref)["a"]["id"] == cid, ref  # type: ignore[index]
    missing = run("show", f"{PAGE}@2")
    assert missing.exit_code == ExitCode.NOT_FOUND and "no version 2" in missing.stderr


def test_db_path_never_prints_a_password(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = Run(tmp_path / "unused.db")("db", "path", "--db", "postgresql://me:secret@127.0.0.1:5432/news", db=False)
    assert result.exit_code == ExitCode.OK
    assert "secret" not in result.stdout and "me:***@127.0.0.1:5432/news" in result.stdout
    local = Run(tmp_path / "unused.db")("db", "path", "--db", str(tmp_path / "a.db"), db=False)
    assert local.stdout.strip() == str(tmp_path / "a.db")
