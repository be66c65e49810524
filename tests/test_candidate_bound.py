"""Candidate lookup is bounded: a band key held by very many texts costs the first few of them, and an add
verifies at most CANDIDATE_LIMIT candidates (plus the earliest member of each family it joins), whatever
the archive holds; a wire story copied many times still has its origin as the root of every copy."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
from conftest import ROOT, Run

import archiver.lineage.candidates as candidates
import archiver.pipeline.add as add_module
from archiver.config import database_url
from archiver.fingerprint import band_keys, band_shingles, fingerprint_text
from archiver.store.engine import Archive
from archiver.store.models import CaptureRow, TextRow

sys.path.insert(0, str(ROOT / "benchmarks"))
from provenance_corpus import html_page  # noqa: E402
from writers_corpus import synthetic_bodies  # noqa: E402

from archiver.lineage.candidates import (
    BAND_HOLDER_LIMIT,
    CANDIDATE_LIMIT,
    band_lookup,
    candidates_by_bands,
    verify_candidates,
)
from archiver.lineage.verify import compare_texts
from archiver.store.bands import band_holders

ORIGIN_URL = "https://apnews.com/article/bridge-plan"


def wire_story(copies: int) -> dict[str, bytes]:
    """An AP story on AP's own site and `copies` papers running it a day later with AP's credit.

    Each paper adds a line of its own, so every copy is a text of its own (as real reprints are: a local
    contact line, a trimmed sentence), and every copy shares almost every band key with the others.
    """
    paras = synthetic_bodies(1, seed=5)[0].split("\n")
    title = "Officials weigh the new bridge plan"
    origin = html_page(title, paras, "The Associated Press", ORIGIN_URL, "2021-08-08", "Reporter One")
    pages = {"origin": origin}
    for k in range(copies):
        own = [f"Readers of edition {k} can write to desk {k * 7 + 3} with questions.",
               "This story originally appeared in The Associated Press."]
        pages[f"copy{k:03d}"] = html_page(title, paras, f"Paper {k}", f"https://paper{k}.example/news/bridge",
                                          "2021-08-09", "Reporter One", own)
    return pages


def write_in_order(folder: Path, pages: dict[str, bytes], order: list[str]) -> list[str]:
    """The pages as files named so that a directory add takes them in `order`."""
    folder.mkdir(parents=True)
    paths = []
    for i, name in enumerate(order):
        path = folder / f"{i:03d}-{name}.html"
        path.write_bytes(pages[name])
        paths.append(str(path))
    return paths


@pytest.fixture
def compares(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts compare_texts calls: one entry per add (the CLI adds files one by one), filled by `counted`."""
    counts: list[int] = []
    real_compare, real_verify = compare_texts, verify_candidates

    def compare(a, b):  # type: ignore[no-untyped-def]
        counts[-1] += 1
        return real_compare(a, b)

    def verify(*args, **kwargs):  # type: ignore[no-untyped-def]
        counts.append(0)
        return real_verify(*args, **kwargs)

    monkeypatch.setattr(candidates, "compare_texts", compare)
    monkeypatch.setattr(add_module, "verify_candidates", verify)
    return counts


def origins_by_name(run: Run) -> dict[str, str]:
    """Each capture's origin (root of its lineage chain), by page name, read from the capture_origin view."""
    rows = run.sql("SELECT c.id, c.path, o.origin_id FROM capture_origin o"
                   " JOIN capture c ON c.id = o.capture_id")
    name = {cid: Path(path).stem.split("-", 1)[1] for cid, path, _ in rows}
    return {name[cid]: name[origin] for cid, _, origin in rows}


def test_a_wire_story_copied_past_the_bounds_keeps_its_origin_when_the_origin_comes_last(
    run: Run, tmp_path: Path, compares: list[int]
) -> None:
    copies = BAND_HOLDER_LIMIT + 2  # every band key of the story held by more texts than are read
    pages = wire_story(copies)
    order = [n for n in sorted(pages) if n != "origin"] + ["origin"]
    code, records = run.add_json("--jobs", "1", *write_in_order(tmp_path / "pages", pages, order))
    assert code == 0 and [r["status"] for r in records] == ["new"] * len(order), json.dumps(records)
    assert len(compares) == len(order)
    # unbounded, the origin was compared with all 34 copies; now with 16 and the family's earliest member
    assert max(compares) <= CANDIDATE_LIMIT + 1
    assert compares[-1] == CANDIDATE_LIMIT + 1
    assert set(origins_by_name(run).values()) == {"origin"}  # every copy's chain ends at the AP page
    origin = next(r for r in records if r["path"].endswith("-origin.html"))
    assert "parent" not in origin  # no source: the root
    lineage = run.json("lineage", str(origin["id"]))
    assert lineage["origin"]["publisher"] == "The Associated Press"


@pytest.mark.parametrize("where", ["first", "last", "middle"])
def test_a_family_past_the_bounds_has_the_same_origin_in_any_order(
    new_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compares: list[int], where: str
) -> None:
    """The same rule with small bounds (4 holders read per key, 3 candidates), so many orders stay quick."""
    monkeypatch.setattr(candidates, "BAND_HOLDER_LIMIT", 4)
    monkeypatch.setattr(candidates, "CANDIDATE_LIMIT", 3)
    pages = wire_story(9)
    order = [n for n in sorted(pages) if n != "origin"]
    random.Random(where).shuffle(order)
    order.insert({"first": 0, "last": len(order), "middle": len(order) // 2}[where], "origin")
    run = Run(new_db)
    code, records = run.add_json("--jobs", "1", *write_in_order(tmp_path / where, pages, order))
    assert code == 0 and all(r["status"] == "new" for r in records), json.dumps(records)
    assert max(compares) <= 3 + 1
    assert origins_by_name(run) == {name: "origin" for name in pages}
    assert run.sql("SELECT COUNT(*) FROM capture_origin WHERE parent_id IS NULL") == [(1,)]  # one root
    # the bounded choices are made from what the archive held at each add, so reprocess finds them again
    again = run.json("reprocess")
    assert again["edges_changed"] == 0 and again["texts_changed"] == 0


def degenerate_texts(n: int) -> list[str]:
    """Texts of four stock words ("the" about 60% of them, like scale.py's filler): every one shares band
    keys with nearly every other, as paywall stubs, "page not found" pages and lists of stock phrases do."""
    stock = ["the", "of", "and", "to"]
    texts = []
    for i in range(n):
        rnd = random.Random(i)
        sentences = []
        for _ in range(rnd.randint(12, 24)):
            length = rnd.randint(8, 20)
            words = [stock[min(int(rnd.paretovariate(1.1)) - 1, len(stock) - 1)] for _ in range(length)]
            sentences.append(" ".join(words).capitalize() + ".")
        texts.append(" ".join(sentences))
    return texts


def test_a_degenerate_text_gets_a_bounded_number_of_candidates(
    run: Run, tmp_path: Path, compares: list[int]
) -> None:
    texts = degenerate_texts(BAND_HOLDER_LIMIT + 9)
    paths = []
    for i, body in enumerate(texts):
        path = tmp_path / f"stub{i:03d}.txt"
        path.write_text(body, encoding="utf-8")
        paths.append(str(path))
    code, records = run.add_json("--jobs", "1", *paths)
    assert code == 0 and all(r["status"] == "new" for r in records), json.dumps(records)
    # nearly every earlier text shares two band keys or more with the last one: without a bound, candidates
    last = records[-1]["id"]
    sharing = run.sql(
        "SELECT COUNT(*) FROM (SELECT o.text_id FROM fingerprint_band o JOIN fingerprint_band m"
        " ON m.kind = o.kind AND m.band_key = o.band_key AND m.text_id != o.text_id"
        f" WHERE m.text_id = (SELECT text_id FROM capture WHERE id = {last}) GROUP BY o.text_id"
        " HAVING COUNT(*) >= 2) AS s"
    )[0][0]
    assert sharing >= len(texts) - 3 > 2 * CANDIDATE_LIMIT
    assert max(compares) <= CANDIDATE_LIMIT + 1
    with Archive(database_url(str(run.db))) as archive, archive.session() as session:
        text_id = session.get(CaptureRow, last).text_id
        body = session.get(TextRow, text_id).body
        bands = {fp.kind: band_keys(fp) for fp in fingerprint_text(body)}
        found = band_lookup(session, text_id, bands)
        assert found.hot  # keys held by more texts than are read ...
        read = list(band_holders(session, bands, exclude=text_id, limit=BAND_HOLDER_LIMIT + 1))
        per_key: dict[tuple[str, bytes], int] = {}
        for _, kind, key in read:
            per_key[(kind, key)] = per_key.get((kind, key), 0) + 1
        assert max(per_key.values()) == BAND_HOLDER_LIMIT + 1  # ... cost only the first of them
        candidates = candidates_by_bands(session, text_id, bands, band_shingles(body))
        assert len(candidates) == CANDIDATE_LIMIT
