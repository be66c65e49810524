"""Learned site chrome: text recurring across different stories of one site is its template; syndication is not."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Run
from template_stories import SITE_FOOTER, STORIES, story_page, syndicated_copies

from archiver.clean.site_template import (
    SiteCapture,
    template_apply,
    template_counts,
    template_key,
    template_order,
    template_positions,
    template_site,
    template_keys,
    template_keys_among,
)
from archiver.types import Article


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def add_one(run: Run, path: str) -> int:
    code, rows = run.add_json(path)
    assert code == 0, rows
    return rows[0]["id"]


def body(run: Run, capture_id: int) -> dict:
    return run.json("show", str(capture_id))  # type: ignore[return-value]


def reprocess(run: Run) -> None:
    result = run("reprocess", "--json")
    assert result.exit_code == 0, result.stderr


def test_a_paragraph_shared_by_different_stories_of_a_site_is_removed(run: Run, tmp_path: Path) -> None:
    ids = [add_one(run, write(tmp_path, f"s{n}.txt", story_page(n))) for n in range(5)]
    for n, cid in enumerate(ids):
        record = body(run, cid)
        learned = [c for c in record["chrome"] if c["reason"] == "site-template"]
        assert SITE_FOOTER not in record["text"]  # each of the five has four other stories sharing it
        assert learned == [{"reason": "site-template", "text": SITE_FOOTER, "site": "valley courier"}]
        assert all(p in record["text"] for p in STORIES[n][1])  # the story itself stays
    shown = run("show", str(ids[0]), "--chrome")
    assert "site-template of valley courier" in shown.stdout
    # the fingerprints are those of the cleaned text: the same story without the footer is identical
    twin = add_one(run, write(tmp_path, "twin.txt", story_page(4, footer=None, site="Valley Courier")))
    assert body(run, twin)["text_id"] == body(run, ids[4])["text_id"]
    fresh = run("reprocess", "--json")
    assert json.loads(fresh.stdout)["texts_changed"] == 0


def test_paragraphs_of_the_same_story_syndicated_on_one_site_stay(run: Run, tmp_path: Path) -> None:
    for n in (1, 2, 3):
        add_one(run, write(tmp_path, f"s{n}.txt", story_page(n)))
    _, paragraphs = STORIES[0]
    copies = syndicated_copies()
    ids = [add_one(run, write(tmp_path, f"copy{k}.txt", text)) for k, text in enumerate(copies)]
    last = body(run, ids[-1])
    assert all(p in last["text"] for p in paragraphs), last["chrome"]  # in 3 other captures, but one story
    assert SITE_FOOTER not in last["text"]  # ... while the footer is in 3 other stories
    assert [c["text"] for c in last["chrome"] if c["reason"] == "site-template"] == [SITE_FOOTER]
    lineage = run.json("lineage", str(ids[-1]))
    assert lineage["parent"] is not None  # still linked to its earlier copies


def test_a_site_with_one_capture_or_no_site_learns_nothing(run: Run, tmp_path: Path) -> None:
    one = add_one(run, write(tmp_path, "one.txt", story_page(0, site="Lone Gazette")))
    assert SITE_FOOTER in body(run, one)["text"]
    # plain-text dumps with neither a site name nor a URL are not learned from
    for n in range(5):
        text = "\n\n".join([*STORIES[n][1], SITE_FOOTER]) + "\n"
        cid = add_one(run, write(tmp_path, f"nosite{n}.txt", text))
        assert SITE_FOOTER in body(run, cid)["text"]
    reprocess(run)
    assert SITE_FOOTER in body(run, one)["text"] and SITE_FOOTER in body(run, cid)["text"]
    sites = run.sql("SELECT site, COUNT(DISTINCT capture_id) FROM site_paragraph GROUP BY site")
    assert sites == [("lone gazette", 1)]


def test_a_url_host_is_the_site_when_the_page_names_none(run: Run, tmp_path: Path) -> None:
    ids = []
    for n in range(5):
        text = "\n\n".join([*STORIES[n][1], SITE_FOOTER]) + "\n"
        path = write(tmp_path, f"u{n}.txt", text)
        result = run("add", "--json", "--url", f"https://www.courier.example/news/{n}", path)
        ids.append(json.loads(result.stdout)["id"])
    assert all(SITE_FOOTER not in body(run, cid)["text"] for cid in ids)
    assert template_site(None, None, "https://www.courier.example/x") == "courier.example"


def test_template_keys_count_only_other_stories() -> None:
    mine = ["story a one", "story a two", "footer"]
    others = [SiteCapture(i, ("other story %d" % i, "footer")) for i in range(3)]
    copy = SiteCapture(9, ("story a one", "story a two", "footer"))

    def same(a: object, b: object) -> bool:
        return "story a one" in b  # type: ignore[operator]

    assert template_keys_among(mine, [*others, copy], same) == {template_key("footer")}
    assert template_keys_among(mine, others[:2], same) == set()  # two other stories are not enough
    article = Article(paragraphs=mine)
    cleaned = template_apply(article, {template_key("footer")})
    assert cleaned.paragraphs == mine[:2] and cleaned.chrome[0].reason == "site-template"
    assert template_apply(Article(paragraphs=["footer"]), {template_key("footer")}).paragraphs == ["footer"]
    assert template_key("Updated 3 hours  ago") == template_key("updated 12 hours ago")


def test_template_counts_are_exact_in_any_holder_order_and_stop_at_the_threshold() -> None:
    verdicts = {1: True, 2: False, 3: True, 4: True, 5: True}
    asked: list[int] = []

    def other_story(i: int) -> bool:
        asked.append(i)
        return verdicts[i]

    holders = {"f": [2, 1, 3, 4, 5], "body": [2], "rare": [1, 3]}
    counts = template_counts(["f", "body", "rare", "f"], lambda k: holders[k], other_story)
    assert counts == {"f": 3, "body": 0, "rare": 2}
    assert 5 not in asked  # three other stories found: the fourth is never asked about
    reverse = template_counts(["f", "body", "rare"], lambda k: holders[k][::-1], lambda i: verdicts[i])
    assert reverse == counts
    assert template_keys(counts) == {"f"}


def test_template_order_groups_repeats_and_follows_recorded_positions() -> None:
    body = ["a one", "footer", "b two", "Footer ", "c 3"]
    assert template_order(body) == ("a one", "footer", "Footer ", "b two", "c 3")
    # a stored capture: the template paragraphs were moved to the end; the positions put them back
    kept, removed = ["a one", "b two", "c 3"], ["footer", "Footer "]
    positions = template_positions(body)
    assert template_order(kept + removed, positions) == template_order(body)
    assert template_order(kept + removed) != template_order(body)  # without positions: stored order
