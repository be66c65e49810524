"""Candidate search: band keys set by one shared shingle are one piece of evidence, not several."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import Run

import archiver.lineage.candidates as candidates
from archiver.config import database_url
from archiver.fingerprint import band_keys, band_shingles, fingerprint_text, shared_evidence
from archiver.lineage import candidates as store
from archiver.store.engine import Archive
from archiver.store.models import CaptureRow, TextRow

# Two short unrelated texts sharing one five-word phrase, whose single word 5-gram holds the minimum under
# two of the same MinHash permutations in both: two shared band keys, one shingle (found by a seeded search).
CHANCE_A = (
    "Granite barley timber in candle of sable crimson. To meadow tassel acorn river candle dune. "
    "Quartz kettle meadow lantern meadow harbor sable shovel. Municipal budget vote postponed indefinitely."
)
CHANCE_B = (
    "Municipal budget vote postponed indefinitely. With ribbon bramble in cobalt oyster cobalt. "
    "Dapple hazel lantern yarrow prairie tundra hazel timber. On zephyr on walnut ivory garnet in on umber."
)
# CHANCE_A with one more sentence: a real relation, which must stay a candidate
COPY_A = CHANCE_A + " Cedar walnut beacon glacier in the hollow."


def _signature(text: str) -> tuple[dict[str, list[bytes]], dict[str, list[tuple[int, ...]]]]:
    return {fp.kind: band_keys(fp) for fp in fingerprint_text(text) if fp.kind != "exact"}, band_shingles(text)


def _keys(bands: dict[str, list[bytes]]) -> set[tuple[str, bytes]]:
    return {(kind, key) for kind, keys in bands.items() for key in keys}


def test_the_chance_pair_shares_two_keys_of_one_shingle_from_either_side() -> None:
    (bands_a, held_a), (bands_b, held_b) = _signature(CHANCE_A), _signature(CHANCE_B)
    shared = _keys(bands_a) & _keys(bands_b)
    assert len(shared) == 2  # the old rule (two shared keys) made them candidates
    assert shared_evidence(bands_a, held_a, shared) == shared_evidence(bands_b, held_b, shared) == 1


def test_evidence_is_the_same_from_either_side_on_the_seeds() -> None:
    seeds = sorted((Path(__file__).resolve().parent.parent / "examples" / "seeds").glob("*.txt"))
    sigs = [_signature(p.read_text(encoding="utf-8")) for p in seeds]
    counts = []
    for i, (bands_i, held_i) in enumerate(sigs):
        for bands_j, held_j in sigs[i + 1 :]:
            shared = _keys(bands_i) & _keys(bands_j)
            assert shared_evidence(bands_i, held_i, shared) == shared_evidence(bands_j, held_j, shared)
            counts.append(shared_evidence(bands_i, held_i, shared))
    assert max(counts) >= 50  # the NPR copies share most of their keys, each set by its own shingle


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _text_ids(db: str) -> dict[str, int]:
    with Archive(database_url(db)) as archive, archive.session() as session:
        return {c.path.rsplit("/", 1)[-1]: c.text_id for c in session.query(CaptureRow)}


def test_one_shared_shingle_is_no_candidate_but_a_copy_is(run: Run, tmp_path: Path) -> None:
    files = [_write(tmp_path, n, t) for n, t in (("a.txt", CHANCE_A), ("b.txt", CHANCE_B), ("c.txt", COPY_A))]
    code, records = run.add_json(*files)
    assert code == 0 and [r["status"] for r in records] == ["new"] * 3
    ids = _text_ids(str(run.db))
    with Archive(database_url(str(run.db))) as archive, archive.session() as session:
        for name, other in (("b.txt", "a.txt"), ("a.txt", "b.txt")):
            body = session.get(TextRow, ids[name]).body
            bands, held = _signature(body)
            assert ids[other] in store.band_lookup(session, ids[name], bands).shared  # two keys in the table
            assert ids[other] not in store.candidates_by_bands(session, ids[name], bands, held)
        bands, held = _signature(session.get(TextRow, ids["c.txt"]).body)
        assert ids["a.txt"] in store.candidates_by_bands(session, ids["c.txt"], bands, held)
    pairs = {tuple(sorted(r)) for r in run.sql("SELECT text_a, text_b FROM text_match")}
    assert pairs == {tuple(sorted((ids["a.txt"], ids["c.txt"])))}


@pytest.mark.parametrize("order", [("a.txt", "b.txt", "c.txt"), ("c.txt", "b.txt", "a.txt")])
def test_add_verifies_only_candidates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: tuple[str, ...]) -> None:
    compared: list[tuple[str, str]] = []
    real = candidates.compare_texts

    def recording(a, b):  # type: ignore[no-untyped-def]
        compared.append((a if isinstance(a, str) else a.text, b if isinstance(b, str) else b.text))
        return real(a, b)

    monkeypatch.setattr(candidates, "compare_texts", recording)
    texts = {"a.txt": CHANCE_A, "b.txt": CHANCE_B, "c.txt": COPY_A}
    code, records = Run(tmp_path / "archive.db").add_json(*(_write(tmp_path, n, texts[n]) for n in order))
    assert code == 0, json.dumps(records)
    # the chance pair never reaches the verifier, in either add order; the copy and its source do, once
    assert [sorted(pair) for pair in compared] == [sorted((CHANCE_A, COPY_A))]
    parents = {n: r.get("parent") for n, r in zip(order, records, strict=True)}
    assert parents["b.txt"] is None


def test_band_shingles_name_the_shingle_holding_each_stored_minimum() -> None:
    from archiver.fingerprint import _MASK32, _MERSENNE, _perms, unpack_values

    for fp in fingerprint_text(COPY_A):
        if fp.kind == "exact":
            continue
        a, b = _perms(int(fp.params["seed"]), int(fp.params["num_perm"]))
        held = np.array([h for (h,) in band_shingles(COPY_A)[fp.kind]], dtype=np.uint64)
        assert (((held * a + b) % _MERSENNE) & _MASK32).astype(np.uint32).tolist() == unpack_values(fp).tolist()


def test_shingles_are_made_only_for_texts_sharing_keys_of_one_kind() -> None:
    seeds = Path(__file__).resolve().parent.parent / "examples" / "seeds"
    npr = [_signature(next(seeds.glob(f"{p}_*.txt")).read_text(encoding="utf-8")) for p in ("001", "002")]
    asked: list[list[str]] = []

    def asking(held: dict[str, list[tuple[int, ...]]]):  # type: ignore[no-untyped-def]
        def shingles(kinds: list[str]) -> dict[str, list[tuple[int, ...]]]:
            asked.append(kinds)
            return {k: held[k] for k in kinds}

        return shingles

    (bands_1, held_1), (bands_2, _) = npr
    copy_hit = {1: _keys(bands_1) & _keys(bands_2)}  # both kinds: two shingles at least, none computed
    assert {kind for kind, _ in copy_hit[1]} == {"minhash", "skeleton"}
    assert store.candidates_of_hits(copy_hit, bands_1, asking(held_1)) == [1] and asked == []
    (bands_a, held_a), (bands_b, _) = _signature(CHANCE_A), _signature(CHANCE_B)
    chance_hit = {2: _keys(bands_a) & _keys(bands_b)}
    assert store.candidates_of_hits(chance_hit, bands_a, asking(held_a)) == []
    assert asked == [["minhash"]]


CLOUGH = Path(__file__).parent / "data" / "clough"


@pytest.mark.parametrize("source_last", [False, True])
def test_a_revision_sharing_one_key_with_its_source_is_verified_through_its_family(
    run: Run, source_last: bool
) -> None:
    """Clough g2pE_taskb (light) shares one band key with its source, six with a sibling rewrite of it: the
    sibling's family brings the source to the verifier, and the revision hangs from the source (issue 20)."""
    names = ["g0pD_taskb.txt", "g2pE_taskb.txt"]
    names = names + ["orig_taskb.txt"] if source_last else ["orig_taskb.txt", *names]
    code, _ = run.add_json(*(str(CLOUGH / n) for n in names))
    assert code == 0
    ids = {path.rsplit("/", 1)[-1]: cid for cid, path in run.sql("SELECT id, path FROM capture")}
    data = run.json("lineage", str(ids["g2pE_taskb.txt"]))
    assert data["parent"]["id"] == ids["orig_taskb.txt"], data["parent"]
    assert data["parent"]["relation"] == "rewrite"
