"""`archive compare A B`: relation, measurements and shared passages whose offsets point at equal text."""

from __future__ import annotations

from conftest import SEED_FILES, SEEDS, Run

from archiver.fingerprint import normalise


def test_compare_the_spun_rewrite_with_the_npr_text(run: Run) -> None:
    code, records = run.add_json(*[str(SEEDS / f) for f in SEED_FILES])
    ids = {r["path"].rsplit("/", 1)[-1][:3]: r["id"] for r in records}
    data = run.json("compare", str(ids["000"]), str(ids["002"]))
    assert data["relation"] == "rewrite"
    assert data["a"]["id"] == ids["000"] and data["b"]["id"] == ids["002"]
    assert len(data["passages"]) > 20
    for p in data["passages"]:
        shared_a = data["a"]["text"][p["a_start"] : p["a_end"]]
        shared_b = data["b"]["text"][p["b_start"] : p["b_end"]]
        assert normalise(shared_a) == normalise(shared_b) and shared_a.strip()
    unrelated = run.json("compare", str(ids["003"]), str(ids["001"]))
    assert unrelated["relation"] is None
    human = run("compare", str(ids["001"]), str(ids["002"]))
    assert human.exit_code == 0 and "identical" in human.stdout
