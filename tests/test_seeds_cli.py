"""The seed captures through the real CLI on real SQLite files: every fact of expected.json, any order."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import EXPECTED, SEED_FILES, SEEDS, Run, fold

ALIASES = EXPECTED["aliases"]


def same_name(got: str | None, want: str) -> bool:
    return fold(got).lower() in {n.lower() for n in ALIASES.get(want, [want])}


def add_seeds(run: Run, order: list[str]) -> dict[str, int]:
    code, records = run.add_json(*[str(SEEDS / f) for f in order])
    assert code == 0, records
    assert [r["status"] for r in records] == ["new"] * len(order)
    return {Path(r["path"]).name: r["id"] for r in records}


def check_facts(run: Run, ids: dict[str, int]) -> None:
    show = {f: run.json("show", str(i)) for f, i in ids.items()}
    lineage = {f: run.json("lineage", str(i)) for f, i in ids.items()}
    name_of = {i: f for f, i in ids.items()}
    for f, exp in EXPECTED["documents"].items():
        record, text = show[f], fold(show[f]["text"])
        assert text.startswith(fold(exp["body_starts"])), (f, text[:80])
        assert text.endswith(fold(exp["body_ends"])), (f, text[-80:])
        for fragment in exp.get("body_contains", []):
            assert fold(fragment) in text, (f, fragment)
        for fragment in exp["body_excludes"]:
            assert fold(fragment) not in text, (f, fragment)
        for key in ("title", "byline", "site_name"):
            if key in exp:
                assert fold(record[key]) == fold(exp[key]), (f, key, record[key])
        assert (record["published"] or "")[:10] == exp["published"], (f, record["published"])
        names = [c["name"] for c in record["credits"]]
        for want in exp["credits_include"]:
            assert any(same_name(n, want) for n in names), (f, names, want)
        origin = lineage[f]["origin"]["publisher"]
        if exp["origin_publisher"] is None:
            assert not origin or not any(same_name(origin, n) for n in ALIASES), (f, origin)
        else:
            assert same_name(origin, exp["origin_publisher"]), (f, origin)

    def ancestors(f: str) -> set[str]:
        return {name_of[a["id"]] for a in lineage[f]["ancestors"]}

    for group in EXPECTED["same_text"]:
        assert len({fold(show[f]["text"]) for f in group}) == 1
        parents = [lineage[f]["parent"] or {} for f in group]
        assert any(p.get("relation") == "identical" and name_of.get(p.get("id")) in group for p in parents)
    for d in EXPECTED["derived"]:
        parent = lineage[d["child"]]["parent"] or {}
        assert name_of.get(parent.get("id")) in d["parent_any_of"], (d, parent)
        assert parent["relation"] == d["relation"], (d, parent)
    for a, b in EXPECTED["not_derived"]:
        assert b not in ancestors(a) and a not in ancestors(b), (a, b)


ORDERS = [SEED_FILES, SEED_FILES[::-1], random.Random(7).sample(SEED_FILES, 5), random.Random(11).sample(SEED_FILES, 5)]


@pytest.mark.parametrize("order", ORDERS, ids=lambda o: ",".join(f[:3] for f in o))
def test_seed_facts_in_any_order(run: Run, order: list[str]) -> None:
    check_facts(run, add_seeds(run, order))


def test_lineage_is_the_same_whatever_the_order(new_db_factory) -> None:  # type: ignore[no-untyped-def]
    """Parent file and relation of every seed agree between two opposite add orders."""

    def edges(order: list[str], name: str) -> set[tuple[str, str | None, str | None]]:
        run = Run(new_db_factory(name))
        ids = add_seeds(run, order)
        name_of = {i: f for f, i in ids.items()}
        out = set()
        for f, i in ids.items():
            parent = run.json("lineage", str(i))["parent"]
            out.add((f, name_of.get(parent["id"]) if parent else None, parent["relation"] if parent else None))
        return out

    assert edges(SEED_FILES, "a.db") == edges(SEED_FILES[::-1], "b.db")


def test_readding_the_same_bytes_is_a_duplicate(run: Run) -> None:
    ids = add_seeds(run, SEED_FILES[:2])
    code, records = run.add_json(str(SEEDS / SEED_FILES[0]))
    assert code == 0
    assert [(r["status"], r["id"]) for r in records] == [("duplicate", ids[SEED_FILES[0]])]
    status = run.json("db", "status")
    assert status["captures"] == 2


def test_stdin_with_url_then_show_by_url(run: Run) -> None:
    raw = (SEEDS / SEED_FILES[2]).read_bytes()
    code, records = run.add_json("-", "--url", "https://www.example.org/2021/08/08/taliban", input=raw)
    assert code == 0 and records[0]["status"] == "new" and records[0]["path"] == "-"
    record = run.json("show", "https://www.example.org/2021/08/08/taliban")
    assert record["id"] == records[0]["id"]
    assert record["url"] == "https://www.example.org/2021/08/08/taliban"
    assert fold(record["text"]).startswith("The Taliban seized two provincial capitals")


def test_a_directory_is_added_recursively(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "pages" / "nested"
    folder.mkdir(parents=True)
    for f in SEED_FILES[:3]:
        (folder / f).write_bytes((SEEDS / f).read_bytes())
    (tmp_path / "pages" / ".hidden").write_text("not a page")
    code, records = run.add_json(str(tmp_path / "pages"))
    assert code == 0
    assert sorted(Path(r["path"]).name for r in records) == SEED_FILES[:3]


def test_bad_inputs_fail_alone_and_the_batch_goes_on(run: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    binary = tmp_path / "scan.pdf"
    binary.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n")
    missing = tmp_path / "missing.html"
    good = str(SEEDS / SEED_FILES[1])
    code, records = run.add_json(str(missing), str(binary), good, str(empty))
    assert code == 1
    by_name = {Path(r["path"]).name: r for r in records}
    assert by_name["missing.html"]["status"] == "error" and "no such file" in by_name["missing.html"]["error"]
    assert by_name["scan.pdf"]["status"] == "error" and "PDF" in by_name["scan.pdf"]["error"]
    assert by_name["empty.html"]["status"] == "error" and "empty" in by_name["empty.html"]["error"]
    assert all("id" not in r for r in records if r["status"] == "error")
    assert by_name[SEED_FILES[1]]["status"] == "new"
    assert run.json("db", "status")["captures"] == 1


def test_human_output_names_the_failed_input_on_stderr(run: Run, tmp_path: Path) -> None:
    result = run("add", str(tmp_path / "nope.txt"), str(SEEDS / SEED_FILES[3]))
    assert result.exit_code == 1
    assert "nope.txt" in result.stderr and "no such file" in result.stderr
    assert "1 new" in result.stderr and "1 failed" in result.stderr
    assert result.stdout.startswith("new")


def test_unknown_capture_is_a_clear_error(run: Run) -> None:
    add_seeds(run, SEED_FILES[:1])
    result = run("show", "999")
    assert result.exit_code == 3
    assert "no capture '999'" in result.stderr


def test_lineage_tree_and_dot(run: Run) -> None:
    ids = add_seeds(run, SEED_FILES)
    tree = run("lineage", str(ids["000_cb7ae2c79aba8864.txt"]))
    assert tree.exit_code == 0
    assert "rewrite" in tree.stdout and "origin publisher: NPR" in tree.stdout
    dot = run("lineage", str(ids["000_cb7ae2c79aba8864.txt"]), "--format", "dot")
    assert dot.stdout.startswith("digraph lineage {") and "->" in dot.stdout
    families = [__import__("json").loads(line) for line in run("lineage", "--all", "--json").stdout.splitlines()]
    assert [f["size"] for f in families] == [3, 1, 1]
    assert families[0]["origin"]["publisher"] == "NPR"


def test_show_chrome_lists_what_was_removed(run: Run) -> None:
    ids = add_seeds(run, ["002_d3d4a08ce7f31e88.txt"])
    record = run.json("show", str(ids["002_d3d4a08ce7f31e88.txt"]))
    removed = " ".join(c["text"] for c in record["chrome"])
    assert "Play Live Radio" in removed and "Copyright 2021 NPR" in removed
    human = run("show", str(ids["002_d3d4a08ce7f31e88.txt"]), "--chrome")
    assert "Play Live Radio" in human.stdout
