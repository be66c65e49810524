"""Versions of a page through the real CLI: revisions, re-captures, history, diff, lineage with copies."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from bridge_story import CORRECTION, NEW_TITLE, ORIGINAL, PAGE, TITLE, UPDATE, write_pages
from conftest import Run

from archiver.lineage.versions import boring_form
from archiver.sources.urls import normalise_url, page_url

VERSION_FILES = ["v1.html", "v1-again.html", "v2.html", "v3.html"]
ALL_FILES = VERSION_FILES + ["copy.html"]


def add_pages(run: Run, folder: Path, order: list[str]) -> dict[str, dict]:
    paths = write_pages(folder)
    code, records = run.add_json(*[str(paths[name]) for name in order])
    assert code == 0, records
    return {Path(r["path"]).name: r for r in records}


def parent_by_name(run: Run, ids: dict[str, int]) -> dict[str, tuple[str | None, str | None]]:
    name_of = {i: n for n, i in ids.items()}
    out = {}
    for name, i in ids.items():
        parent = run.json("show", str(i))["parent"]
        out[name] = (name_of.get(parent["id"]) if parent else None, parent["relation"] if parent else None)
    return out


def capture_ids(records: dict[str, dict]) -> dict[str, int]:
    """The capture each input recorded: a re-capture reports its version's id and its own as `recapture`."""
    return {n: r.get("recapture", r["id"]) for n, r in records.items()}


def test_three_captures_give_two_revisions_and_a_recapture(run: Run, tmp_path: Path) -> None:
    records = add_pages(run, tmp_path / "pages", VERSION_FILES)
    assert [records[n]["status"] for n in VERSION_FILES] == ["new", "duplicate", "version", "version"]
    assert [records[n]["version"] for n in VERSION_FILES] == [1, 1, 2, 3]
    assert {r["page"] for r in records.values()} == {PAGE}
    again = records["v1-again.html"]
    assert again["id"] == records["v1.html"]["id"] and again["recapture"] != again["id"]
    ids = capture_ids(records)
    assert run.json("db", "status")["captures"] == 4  # the re-capture is recorded
    assert parent_by_name(run, ids) == {
        "v1.html": (None, None),
        "v1-again.html": ("v1.html", "identical"),
        "v2.html": ("v1.html", "revision"),
        "v3.html": ("v2.html", "revision"),
    }
    shown = run.json("show", str(ids["v3.html"]))
    assert shown["page"] == PAGE and shown["version"] == 3


def test_history_lists_versions_words_and_headline_changes(run: Run, tmp_path: Path) -> None:
    ids = capture_ids(add_pages(run, tmp_path / "pages", VERSION_FILES))
    # any form of the page URL finds it: tracking parameters, http, www, trailing slash
    data = run.json("history", "http://rivertontribune.com/news/2023/05/09/old-mill-bridge-closed?utm_campaign=x")
    assert data["page"]["url"] == PAGE and data["captures"] == 4
    versions = data["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [v["id"] for v in versions] == [ids["v1.html"], ids["v2.html"], ids["v3.html"]]
    assert [c["id"] for c in versions[0]["captures"]] == [ids["v1.html"], ids["v1-again.html"]]
    assert versions[0]["captures"][1]["same_text"] is False  # boring changes: quotes, dateline
    assert versions[0]["captured_at"].startswith("2023-05-09T16:33:20")
    correction_words = len(CORRECTION.replace(".", " ").replace(":", " ").replace(",", " ").split())
    assert (versions[1]["words_added"], versions[1]["words_removed"]) == (1 + correction_words, 1)  # 1932 -> 1923
    assert (versions[2]["words_added"], versions[2]["words_removed"]) == (len(UPDATE.split()), 0)
    assert versions[1]["title_change"] is None
    assert versions[2]["title_change"] == {"from": TITLE, "to": NEW_TITLE}
    human = run("history", str(ids["v2.html"]))
    assert human.exit_code == 0
    assert "3 versions, 4 captures" in human.stdout and "headline changed" in human.stdout
    assert f"re-captured #{ids['v1-again.html']}" in human.stdout


def test_diff_shows_the_right_words_with_offsets(run: Run, tmp_path: Path) -> None:
    ids = capture_ids(add_pages(run, tmp_path / "pages", VERSION_FILES))
    data = run.json("diff", str(ids["v1.html"]), str(ids["v2.html"]))
    a, b = data["a"]["text"], data["b"]["text"]
    changes = data["changes"]
    assert [(c["op"], c["removed"], c["added"]) for c in changes] == [
        ("replace", "1932", "1923"),
        ("insert", "", CORRECTION),
    ]
    for c in changes:
        assert a[c["a"][0] : c["a"][1]] == c["removed"] and b[c["b"][0] : c["b"][1]] == c["added"]
    assert (data["words_added"], data["words_removed"]) == (23, 1)
    # one argument: against the previous version; URL@N names a version
    assert run.json("diff", f"{PAGE}@3")["a"]["id"] == ids["v2.html"]
    plain = run("diff", str(ids["v1.html"]), str(ids["v2.html"]), "--no-color")
    assert "[-1932-]{+1923+}" in plain.stdout and "\x1b[" not in plain.stdout
    assert "{+Correction: An earlier version" in plain.stdout
    coloured = run("diff", str(ids["v1.html"]), str(ids["v2.html"]), "--color")
    assert "\x1b[" in coloured.stdout and "1932" in coloured.stdout and "[-1932-]" not in coloured.stdout
    headline = run("diff", str(ids["v2.html"]), str(ids["v3.html"]), "--no-color").stdout
    assert f"headline: {TITLE} -> {NEW_TITLE}" in " ".join(headline.split())
    assert run("diff", str(ids["v1.html"])).exit_code == 3  # version 1 has nothing before it


def test_a_copy_of_the_first_version_links_to_it_and_the_family_holds(run: Run, tmp_path: Path) -> None:
    ids = capture_ids(add_pages(run, tmp_path / "pages", ALL_FILES))
    parents = parent_by_name(run, ids)
    assert parents["copy.html"] == ("v1.html", "identical")
    assert parents["v3.html"] == ("v2.html", "revision")
    lineage = run.json("lineage", str(ids["v3.html"]))
    assert lineage["origin"]["id"] == ids["v1.html"]
    assert [a["id"] for a in lineage["ancestors"]] == [ids["v2.html"], ids["v1.html"]]
    families = [json.loads(line) for line in run("lineage", "--all", "--json").stdout.splitlines()]
    assert [f["size"] for f in families] == [5]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_versions_and_lineage_do_not_depend_on_add_order(tmp_path: Path, seed: int) -> None:
    reference = Run(tmp_path / "ref.db")
    want = parent_by_name(reference, capture_ids(add_pages(reference, tmp_path / "a", ALL_FILES)))
    order = random.Random(seed).sample(ALL_FILES, len(ALL_FILES))
    shuffled = Run(tmp_path / "shuffled.db")
    records = add_pages(shuffled, tmp_path / "b", order)
    assert parent_by_name(shuffled, capture_ids(records)) == want
    versions = {n: shuffled.json("show", str(i))["version"] for n, i in capture_ids(records).items()}
    assert versions == {"v1.html": 1, "v1-again.html": 1, "v2.html": 2, "v3.html": 3, "copy.html": 1}


def test_a_rewritten_revision_stays_in_the_family(run: Run, tmp_path: Path) -> None:
    paths = write_pages(tmp_path / "pages", ["v1.html"])
    run.add_json(str(paths["v1.html"]))
    rewritten = tmp_path / "rewritten.html"
    from bridge_story import CANONICAL, page_html

    rewritten.write_text(page_html("Bridge story replaced", [
        "This article has been replaced. The county has asked us to remove the earlier report about the bridge "
        "while its engineers review their findings, and we will publish a full account when they finish.",
        "Readers with questions about road closures in Riverton can call the county roads office on weekdays "
        "between eight in the morning and five in the afternoon, or visit its website for daily updates.",
    ], CANONICAL))
    code, records = run.add_json(str(rewritten))
    assert code == 0 and records[0]["status"] == "version" and records[0]["relation"] == "revision"
    assert records[0]["parent"] == run.json("history", PAGE)["versions"][0]["id"]


def test_boring_changes_are_not_versions() -> None:
    text = "\n\n".join(ORIGINAL)
    assert boring_form(text) == boring_form(text.replace("\n\n", "\n\n\n").replace("  ", " "))
    assert boring_form(text) == boring_form(text.replace("“", '"').replace("”", '"').replace("’", "'"))
    assert boring_form(text) == boring_form(text.replace("—", "--").replace("RIVERTON, Ore. (AP)", "PORTLAND (AP)"))
    assert boring_form(text) == boring_form("Updated 5:32 PM ET, Wed May 10, 2023\n\n" + text)
    assert boring_form(text) != boring_form(text.replace("1932", "1923"))
    assert boring_form(text) != boring_form(text.replace("a third of his", "half of his"))
    assert boring_form(text) != boring_form(text + "\n\nThe bridge reopened on Friday.")


@pytest.mark.parametrize(
    ("given", "want"),
    [
        ("HTTP://WWW.Example.com:80/a/b/?utm_source=x&id=3#top", "https://example.com/a/b?id=3"),
        ("https://example.com/story?b=2&a=1&fbclid=abc&gclid=x&utm_medium=y", "https://example.com/story?a=1&b=2"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/%7euser/a%2Db", "https://example.com/~user/a-b"),
        ("ftp://example.com/x", None),
        ("not a url", None),
        ("", None),
    ],
)
def test_urls_are_normalised(given: str, want: str | None) -> None:
    assert normalise_url(given) == want


def test_page_url_prefers_a_trustworthy_canonical() -> None:
    assert page_url("/news/story", "http://site.example/news/story?utm_source=x") == "https://site.example/news/story"
    assert page_url("https://site.example/amp-free/story", "https://site.example/amp/story") == (
        "https://site.example/amp-free/story"
    )
    # a front page as canonical, or another site's URL (a syndicated copy), does not name the page
    assert page_url("https://site.example/", "https://site.example/news/story") == "https://site.example/news/story"
    assert page_url("https://origin.example/story", "https://copy.example/story") == "https://copy.example/story"
    assert page_url("https://origin.example/story", None) == "https://origin.example/story"
    assert page_url(None, None) is None


def test_the_documented_version_and_search_queries_answer(run: Run, tmp_path: Path) -> None:
    """docs/schema.md's page and search examples, on an archive holding the bridge story."""
    from conftest import ROOT

    ids = capture_ids(add_pages(run, tmp_path / "pages", ALL_FILES))
    doc = (ROOT / "docs" / "schema.md").read_text()
    queries = [block.split("```", 1)[0] for block in doc.split("```sql\n")[1:]]
    changed = run.sql(next(q for q in queries if "FROM page_latest" in q))
    assert changed == [(PAGE, 3, 4, NEW_TITLE)]
    history = run.sql(next(q for q in queries if "FROM page_version" in q))
    assert [(r[0], r[1], r[3], r[4]) for r in history] == [
        (1, ids["v1.html"], None, None), (2, ids["v2.html"], 23, 1), (3, ids["v3.html"], len(UPDATE.split()), 0)]
    if not str(run.db).startswith("postgresql"):  # the FTS5 example is SQLite's; search itself runs on both
        found = run.sql(next(q for q in queries if "text_fts MATCH" in q))
        assert {r[1] for r in found} >= {ids["v1.html"], ids["copy.html"]}
