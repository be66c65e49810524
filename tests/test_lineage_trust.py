"""Issue 20: no links from boilerplate or quotations, direction from the texts, the right origin."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

from conftest import Run

from archiver.clean.credits import byline_outlets, credit_lines, jsonld_agencies, origin_publisher
from archiver.lineage.edges import Match, Member, derive_edges, pair_relation
from archiver.lineage.verify import compare_texts
from archiver.types import Article, Credit

# three unrelated stories, a paragraph each twice over (long enough to have text of their own)
FLOOD = (
    "Rescue crews worked through the night after the river burst its banks north of the old mill, forcing "
    "dozens of families from low streets. The county opened two shelters at schools and asked drivers to "
    "stay off the valley road until the water falls.\n\n"
    "Farmers said the fields along the east bank were lost for the season, and the mayor promised a fund "
    "for repairs once engineers have checked the bridge that carries the main water pipe across town."
)
ELECTION = (
    "Voters in the northern district chose a former teacher as their new council member on Tuesday, ending "
    "a campaign fought mostly over bus routes and the price of parking near the hospital.\n\n"
    "Turnout was low, officials said, with fewer than one in four registered voters casting a ballot, and "
    "the losing candidate said she would ask for a recount of the postal votes before conceding."
)
RECIPE = (
    "The bakery on Elm Street has sold the same rye loaf for forty years, and its owner finally agreed to "
    "explain why it tastes of caraway and smoke rather than the sour tang most customers expect.\n\n"
    "The secret, he said, is an oven that is never fully cold, a starter kept alive since his father "
    "opened the shop, and patience: each loaf rests for a full day before it is baked."
)
SPONSOR = (
    "The Associated Press health and science department receives support from the Howard Hughes Medical "
    "Institute's Science and Educational Media Group. The AP is solely responsible for all content."
)
STATEMENT = (
    "\u201cWe expect revenue to keep growing next year as customers move more of their work to our cloud "
    "products in every region we serve, and we will keep investing in the people who build them,\u201d chief "
    "executive Dana Whitfield said in a statement."
)


def test_a_shared_sponsor_line_links_no_stories() -> None:
    pairs = [(FLOOD, ELECTION), (ELECTION, RECIPE), (FLOOD, RECIPE)]
    for a, b in pairs:
        c = compare_texts(a + "\n\n" + SPONSOR, b + "\n\n" + SPONSOR)
        assert c.relation is None, c.summary()
        assert [d["kind"] for d in c.discounted] == ["boilerplate"]
        assert "not counted: 1 boilerplate passage" in c.summary()


def test_a_column_intro_or_about_paragraph_links_no_stories() -> None:
    about = "About Northwind Systems\n\n" + RECIPE.split("\n\n")[1]
    c = compare_texts(FLOOD + "\n\n" + about, ELECTION + "\n\n" + about)
    assert c.relation is None, c.summary()
    c = compare_texts(about + "\n\n" + FLOOD, about + "\n\n" + ELECTION)
    assert c.relation is None, c.summary()


def test_a_shared_quoted_statement_with_its_attribution_links_no_stories() -> None:
    a = FLOOD.replace("\n\n", "\n\n" + STATEMENT + "\n\n")
    b = ELECTION.replace("\n\n", "\n\n" + STATEMENT + "\n\n")
    c = compare_texts(a, b)
    assert c.relation is None, c.summary()
    assert [d["kind"] for d in c.discounted] == ["quotation"]
    assert c.discounted[0]["words"] >= 40  # the attribution ("... said in a statement") with the quote


def test_story_text_beside_shared_boilerplate_still_links() -> None:
    copy = compare_texts(FLOOD + "\n\n" + SPONSOR, FLOOD + "\n\n" + SPONSOR + "\n\nMore news at 6.")
    assert copy.relation in ("copy", "excerpt", "identical")
    excerpt = compare_texts(FLOOD.split("\n\n")[0] + "\n\n" + SPONSOR, FLOOD + "\n\n" + SPONSOR)
    assert excerpt.relation == "excerpt" and excerpt.excerpt_side == "a"


def _spin(text: str) -> str:
    swaps = {"worked": "labored", "night": "evening", "families": "households", "opened": "launched",
             "asked": "urged", "said": "stated", "lost": "ruined", "promised": "pledged", "checked": "inspected",
             "dozens": "scores", "drivers": "motorists", "fields": "plots", "fund": "budget"}
    return " ".join(swaps.get(w, w) for w in text.split(" "))


def _members_and_matches(texts: dict[str, str], added: list[str]) -> tuple[list[Member], list[Match], dict]:
    """Members captured in `added` order (capture time = add time) and the verified matches among them."""
    from datetime import UTC, datetime, timedelta

    ids = {name: i + 1 for i, name in enumerate(sorted(texts))}
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    members = [Member(ids[n], ids[n], None, t0 + timedelta(minutes=added.index(n)), f"{ids[n]:064x}", None, None)
               for n in texts]
    matches = []
    for x in texts:
        for y in texts:
            if ids[x] < ids[y]:
                c = compare_texts(texts[y], texts[x])  # the later text first, as add does
                if c.relation:
                    ev = {**dataclasses.asdict(c), "a_text": ids[y]}
                    side = {"a": "b", "b": "a"}.get(c.excerpt_side or "")
                    matches.append(Match(ids[x], ids[y], c.relation, c.score, side, ev))
    return members, matches, {i: n for n, i in ids.items()}


def test_direction_comes_from_the_texts_not_the_capture_time() -> None:
    story = FLOOD + "\n\n" + ELECTION.replace("Voters", "Meanwhile voters")  # one long original
    texts = {"original": story, "excerpt": FLOOD.split("\n\n")[0] + "\n\n" + FLOOD.split("\n\n")[1],
             "spun": _spin(story)}
    answers = []
    for added in (["original", "excerpt", "spun"], ["excerpt", "spun", "original"], ["spun", "original", "excerpt"]):
        members, matches, name = _members_and_matches(texts, added)
        edges = {name[e.child_id]: (name[e.parent_id], e.relation) for e in derive_edges(members, matches)}
        answers.append(edges)
        assert "original" not in edges  # the original has no parent, even captured last
        assert edges["excerpt"] == ("original", "excerpt")
        assert edges["spun"][0] == "original"  # a full rewrite hangs from the original, not the excerpt
    assert answers[0] == answers[1] == answers[2]


def test_pair_relation_is_the_excerpt_seen_from_the_derived_side() -> None:
    assert pair_relation("excerpt", "a", "a") == "excerpt"
    assert pair_relation("excerpt", "a", "b") == "rewrite"  # the longer text derived: took part, reworded
    assert pair_relation("excerpt", "a", "b", 0.94) == "copy"  # ... took the other whole, verbatim, and added
    assert pair_relation("excerpt", "a", "b", 0.5) == "rewrite"
    assert pair_relation("excerpt", "a", None) == "excerpt"
    assert pair_relation("copy", None, "b") == "copy"


def test_credit_lines_for_any_outlet_leave_the_body() -> None:
    article = Article(paragraphs=["Body one.", "Body two.", "This story originally appeared on Space.com."])
    body, moved, credits = credit_lines(article)
    assert body == ["Body one.", "Body two."] and moved == ["This story originally appeared on Space.com."]
    assert [(c.name, c.kind) for c in credits] == [("Space.com", "publisher")]
    for line, name in [
        ("This article was first published by The Conversation.", "The Conversation"),
        ("Republished with permission of Grist.", "Grist"),
        ("This story originally appeared in the New York Post.", "New York Post"),
    ]:
        _, _, found = credit_lines(Article(paragraphs=["Body.", line]))
        assert [c.name for c in found] == [name], line
    # a sentence in mid-body naming where something first appeared is story text
    mid = Article(paragraphs=["Body.", "The photo first appeared on Twitter.", "More body."])
    assert credit_lines(mid)[2] == []


def test_agency_roles_in_bylines_are_credits_and_the_byline_keeps_the_person() -> None:
    assert byline_outlets("Tom Krisher; Ap Auto Writer") == (
        "Tom Krisher", [Credit("The Associated Press", "publisher", "byline: Tom Krisher; Ap Auto Writer")])
    person, found = byline_outlets("Jane Doe, Reuters staff")
    assert person == "Jane Doe" and [c.name for c in found] == ["Reuters"]
    assert byline_outlets("Jane Doe, Staff Writer") == ("Jane Doe, Staff Writer", [])


def test_an_agency_named_publisher_in_json_ld_is_a_credit() -> None:
    raw = (b'<html><head><script type="application/ld+json">{"@type": "NewsArticle", "publisher": '
           b'{"@type": "Organization", "name": "Associated Press"}}</script></head></html>')
    assert [(c.name, c.kind) for c in jsonld_agencies(raw)] == [("The Associated Press", "syndication")]
    local = b'<script type="application/ld+json">{"publisher": {"name": "Valley Gazette"}}</script>'
    assert jsonld_agencies(local) == []


def test_a_reporting_credit_never_names_the_origin_of_a_sites_own_page() -> None:
    told = [Credit("Agence France-Presse", "reporting", "a local official told Agence France-Presse.")]
    assert origin_publisher(told, "New York Post") == "New York Post"
    assert origin_publisher(told, None, "https://nypost.com/2024/04/02/storm/") == "nypost.com"
    assert origin_publisher(told, None) == "Agence France-Presse"  # a plain-text dump: no site of its own


def test_originals_captured_after_their_copies_keep_their_place(run: Run, tmp_path: Path) -> None:
    """The fact-checker's order: a copy found first, the original archived after; mtime = add time."""
    story = FLOOD + "\n\n" + ELECTION.replace("Voters", "Meanwhile voters")
    files = {"excerpt.txt": FLOOD + "\n", "spun.txt": _spin(story) + "\n", "original.txt": story + "\n"}
    ids: dict[str, int] = {}
    for k, (name, body) in enumerate(files.items()):
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        os.utime(path, (1_700_000_000 + 60 * k, 1_700_000_000 + 60 * k))
        code, records = run.add_json(str(path))
        assert code == 0
        ids[name] = records[0]["id"]
    name_of = {i: n for n, i in ids.items()}
    lineage = {n: run.json("lineage", str(i)) for n, i in ids.items()}
    assert lineage["original.txt"]["parent"] is None
    assert name_of[lineage["excerpt.txt"]["parent"]["id"]] == "original.txt"
    assert name_of[lineage["spun.txt"]["parent"]["id"]] == "original.txt"
    for child in ("excerpt.txt", "spun.txt"):  # compare and lineage give the pair one relation
        data = run.json("compare", str(ids[child]), str(ids["original.txt"]))
        assert data["relation"] == lineage[child]["parent"]["relation"]
        assert data["lineage_edge"]["parent"] == ids["original.txt"]


def test_a_date_after_originally_published_is_not_an_outlet() -> None:
    line = "Originally published in March 2022. Last updated on December 20, 2024."
    assert credit_lines(Article(paragraphs=["Body.", line]))[2] == []



# a passage recurring mid-text (where the positional boilerplate rule does not look) in unrelated stories
HOTLINE = (
    "Readers who need help after the storm can call the free county hotline at any hour of the day, and "
    "every call is answered by a trained volunteer within minutes."
)


def _with_hotline(story: str) -> str:
    first, second = story.split("\n\n")
    return f"{first}\n\n{HOTLINE}\n\n{second}\n"


def test_a_passage_recurring_in_unrelated_stories_links_none_of_them_in_any_order(
    new_db_factory: Callable[[str], str], tmp_path: Path
) -> None:
    """Document-frequency boilerplate: a sentence three unrelated stories carry mid-text is no evidence, whatever
    order the captures come in (the third story makes it boilerplate for the first two as well), while an
    excerpt carrying it still hangs from its story; `archive reprocess` changes nothing."""
    files = {"flood.txt": _with_hotline(FLOOD), "election.txt": _with_hotline(ELECTION),
             "bakery.txt": _with_hotline(RECIPE), "flood-excerpt.txt": FLOOD.split("\n\n")[0] + "\n\n" + HOTLINE}
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    assert compare_texts(files["flood.txt"], files["election.txt"]).relation is not None  # alone, it would link
    answers = []
    for k, order in enumerate((list(files), list(reversed(files)))):
        run = Run(new_db_factory(f"order{k}.db"))
        ids: dict[str, int] = {}
        for n, name in enumerate(order):
            code, records = run.add_json(str(tmp_path / name))
            assert code == 0
            ids[name] = records[0]["id"]
            if k == 0 and n == 1:  # two stories: not yet boilerplate, the pair is linked
                assert run.json("lineage", str(ids["election.txt"]))["parent"] is not None
        name_of = {i: n for n, i in ids.items()}
        edges = {n: run.json("lineage", str(i))["parent"] for n, i in ids.items()}
        parents = {n: name_of[p["id"]] if p else None for n, p in edges.items()}
        assert parents == {"flood.txt": None, "election.txt": None, "bakery.txt": None,
                           "flood-excerpt.txt": "flood.txt"}
        pair = run.json("compare", str(ids["flood.txt"]), str(ids["election.txt"]))
        assert pair["relation"] is None
        assert [d["kind"] for d in pair["discounted"]] == ["recurring"]
        assert "recurring in unrelated stories" in pair["summary"]
        assert run("reprocess").exit_code == 0
        assert {n: run.json("lineage", str(i))["parent"] for n, i in ids.items()} == edges
        answers.append(parents)
    assert answers[0] == answers[1]
