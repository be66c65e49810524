"""Credits and origin publisher: the seed expectations plus generic credit phrases and negatives."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from archiver.clean.credits import (
    ENV_PUBLISHERS,
    EVIDENCE_MAX,
    credit_form,
    find_credits,
    load_publishers,
    origin_publisher,
)
from archiver.errors import ArchiveError
from archiver.types import Article, Chrome, Credit

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
EXPECTED = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))

# Hand classification of each seed's blank-line-separated chunks: a chunk containing one of these
# markers is chrome (the real cleaner is tested separately below); the rest is body.
SEED_CHROME = {
    "000_cb7ae2c79aba8864.txt": ["date 2021-08-08", "(AP Photo"],
    "001_0231a191aae85b60.txt": [
        "| WFAE 90.7",
        "Play all audios",
        "Loading...",
        "Facebook Twitter LinkedIn",
        "Email Abdullah Sahil",
        "(AP Photo/",
        "Copyright 2021 NPR",
    ],
    "002_d3d4a08ce7f31e88.txt": [
        "An NPR member station",
        "The Taliban Has Seized 2 More",
        "Copyright 2021 NPR",
        "Dave Mistich is the Charleston Reporter",
    ],
    "003_174afbc6d0c12515.txt": ["date 2021-08-08 In a northern blitz"],
    "004_a909e96cfce776c3.txt": ["Getty Images", "Rhea Mogul reported from London"],
}
SEED_META: dict[str, dict[str, Any]] = {
    "001_0231a191aae85b60.txt": {"site_name": "WFAE 90.7", "byline": "Dave Mistich"},
    "002_d3d4a08ce7f31e88.txt": {"byline": "Dave Mistich"},
}


@pytest.fixture(autouse=True)
def _default_publishers(monkeypatch: pytest.MonkeyPatch):
    """Every test starts from the built-in table, whatever the developer's environment says."""
    monkeypatch.delenv(ENV_PUBLISHERS, raising=False)
    load_publishers.cache_clear()
    yield
    load_publishers.cache_clear()


def seed_article(name: str) -> Article:
    """A seed as a cleaner would leave it: body paragraphs, chrome, metadata (classified by hand)."""
    text = (SEEDS / name).read_text(encoding="utf-8")
    text = re.sub(r"^\s*date \d{4}-\d{2}-\d{2}\s+(?=Taliban fighters)", "", text)  # 004's lede is body
    chunks = [" ".join(c.split()) for c in re.split(r"\n\s*\n", text) if c.strip()]
    joined: list[str] = []
    for chunk in chunks:  # 001 is hard-wrapped: a long chunk without final punctuation continues
        if joined and len(joined[-1]) > 60 and not re.search(r"[.!?\"”)]$", joined[-1]):
            joined[-1] += " " + chunk
        else:
            joined.append(chunk)
    markers = SEED_CHROME[name]
    body = [c for c in joined if not any(m in c for m in markers)]
    chrome = [Chrome(c, "hand") for c in joined if any(m in c for m in markers)]
    return Article(paragraphs=body, chrome=chrome, **SEED_META.get(name, {}))


def names(credits: list[Credit], kind: str | None = None) -> list[str]:
    return [c.name for c in credits if kind is None or c.kind == kind]


def credits_of(*paragraphs: str, chrome: tuple[str, ...] = (), **meta: Any) -> list[Credit]:
    return find_credits(Article(paragraphs=list(paragraphs), chrome=[Chrome(t, "x") for t in chrome], **meta))


# --- the seeds -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED["documents"]))
def test_seed_credits_and_origin_match_expected_json(name: str) -> None:
    article = seed_article(name)
    expected = EXPECTED["documents"][name]
    credits = find_credits(article)
    assert set(expected["credits_include"]) <= set(names(credits))
    origin = origin_publisher(credits, article.site_name)
    if expected["origin_publisher"] is None:
        assert origin in (None, article.site_name)
    else:
        assert origin == expected["origin_publisher"]


def test_seed_000_spun_npr_story() -> None:
    credits = find_credits(seed_article("000_cb7ae2c79aba8864.txt"))
    assert ("The Associated Press", "reporting") in [(c.name, c.kind) for c in credits]
    assert ("The Associated Press", "photo") in [(c.name, c.kind) for c in credits]
    assert "NPR" in names(credits, "reporting")
    assert "Reuters" in names(credits, "reporting")
    # the spinner's "told the PA" is not the AP; it may only be the Press Association
    pa = [c for c in credits if "told the PA" in c.evidence]
    assert all(c.name != "The Associated Press" for c in pa)
    assert origin_publisher(credits, None) == "NPR"
    # counting every mention gives the same answer as the deduplicated list
    mentions = find_credits(seed_article("000_cb7ae2c79aba8864.txt"), deduplicate=False)
    assert origin_publisher(mentions, None) == "NPR"


@pytest.mark.parametrize("name", ["001_0231a191aae85b60.txt", "002_d3d4a08ce7f31e88.txt"])
def test_seed_member_station_pages_credit_npr_copyright(name: str) -> None:
    article = seed_article(name)
    credits = find_credits(article)
    copyright_ = [c for c in credits if c.kind == "publisher"]
    assert [c.name for c in copyright_] == ["NPR"]
    assert copyright_[0].evidence.startswith("Copyright 2021 NPR")
    assert credit_form(copyright_[0]) == "copyright"
    assert {"The Associated Press", "NPR", "Reuters"} <= set(names(credits, "reporting"))
    assert origin_publisher(credits, article.site_name) == "NPR"


def test_seed_003_credits_no_one() -> None:
    credits = find_credits(seed_article("003_174afbc6d0c12515.txt"))
    assert credits == []
    assert origin_publisher(credits, None) is None
    assert origin_publisher(credits, "Washington Newsday") == "Washington Newsday"


def test_seed_004_nbc_story_with_agency_photos() -> None:
    credits = find_credits(seed_article("004_a909e96cfce776c3.txt"))
    assert [(c.name, c.kind) for c in credits] == [
        ("NBC News", "reporting"),
        ("Agence France-Presse", "photo"),
        ("Getty Images", "photo"),
    ]
    assert "told NBC News" in credits[0].evidence
    assert origin_publisher(credits, None) == "NBC News"


def test_seed_aliases_from_expected_json_are_canonical() -> None:
    pubs = load_publishers()
    for canonical_name, aliases in EXPECTED["aliases"].items():
        for alias in aliases:
            assert pubs.canonical(alias) == canonical_name


def test_seeds_through_the_real_text_cleaner() -> None:
    clean_text = pytest.importorskip("archiver.clean.text").clean_text
    for name, expected in EXPECTED["documents"].items():
        article = clean_text((SEEDS / name).read_text(encoding="utf-8"))
        credits = find_credits(article)
        assert set(expected["credits_include"]) <= set(names(credits)), name
        origin = origin_publisher(credits, article.site_name)
        if expected["origin_publisher"] is None:
            assert origin in (None, article.site_name), name
        else:
            assert origin == expected["origin_publisher"], name


# --- generic credit phrases ------------------------------------------------------------------


def test_reuters_dateline_names_the_agency_and_decides_origin() -> None:
    credits = credits_of(
        "LONDON (Reuters) - Britain's economy grew faster than expected in the second quarter.",
        "A Treasury official told the BBC the figures were encouraging.",
    )
    assert [(c.name, c.kind) for c in credits] == [("Reuters", "reporting"), ("BBC News", "reporting")]
    assert credit_form(credits[0]) == "dateline"
    assert credits[0].evidence.startswith("LONDON (Reuters) - Britain's economy")
    assert origin_publisher(credits, "Yahoo News") == "Reuters"


def test_ap_dateline_beats_the_sites_own_copyright() -> None:
    credits = credits_of(
        "KABUL, Afghanistan (AP) — The Taliban took another city, an official told The Guardian.",
        chrome=("© 2021 Guardian News & Media Limited",),
        site_name="The Guardian",
    )
    assert origin_publisher(credits, "The Guardian") == "The Associated Press"


def test_a_credit_naming_another_outlet_beats_the_sites_own_and_a_dateline() -> None:
    credits = credits_of(
        "WASHINGTON (AP) — Lawmakers returned to the Capitol on Monday.",
        chrome=(
            "© 2021 Guardian News & Media Limited",
            "This article originally appeared in The Conversation.",
        ),
    )
    assert names(credits) == ["The Associated Press", "The Guardian", "The Conversation"]
    assert origin_publisher(credits, "The Guardian") == "The Conversation"


def test_own_copyright_beats_told_credits() -> None:
    credits = credits_of(
        "The minister told Reuters that talks would resume.",
        chrome=("© 2021 Guardian News & Media Limited",),
    )
    assert origin_publisher(credits, "The Guardian") == "The Guardian"


def test_new_york_times_company_copyright() -> None:
    credits = credits_of("The bridge will reopen.", chrome=("© 2020 The New York Times Company",))
    assert credits == [Credit("The New York Times", "publisher", "© 2020 The New York Times Company")]
    assert origin_publisher(credits, "Seattle Times") == "The New York Times"


@pytest.mark.parametrize(
    "line",
    [
        "This article originally appeared on The Conversation.",
        "This article is republished from The Conversation under a Creative Commons license.",
        "Read The Conversation's original story here.",
    ],
)
def test_originally_appeared_lines_name_the_publisher(line: str) -> None:
    credits = credits_of("Researchers found that sleep matters.", chrome=(line,))
    assert [(c.name, c.kind) for c in credits] == [("The Conversation", "publisher")]
    assert origin_publisher(credits, "Salon") == "The Conversation"


def test_syndication_notice() -> None:
    credits = credits_of("The column continues.", chrome=("Distributed by Tribune Content Agency, LLC.",))
    assert [(c.name, c.kind) for c in credits] == [("Tribune Content Agency", "syndication")]


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("President Biden speaks at the White House. (AP Photo/Evan Vucci)", ["The Associated Press"]),
        ("Protesters march in Minsk. REUTERS/Vasily Fedosenko", ["Reuters"]),
        (
            "A girl waits at the border. Photo by Aamir Qureshi/AFP via Getty Images",
            ["Agence France-Presse", "Getty Images"],
        ),
        ("Smoke rises over the city. Photograph: Getty Images", ["Getty Images"]),
        ("Rescuers search the rubble. Jane Doe / dpa", ["Deutsche Presse-Agentur"]),
    ],
)
def test_photo_credits(caption: str, expected: list[str]) -> None:
    credits = credits_of("Body text.", chrome=(caption,))
    assert [(c.name, c.kind) for c in credits] == [(n, "photo") for n in expected]
    assert credits[0].evidence == caption


def test_copyright_on_an_image_is_a_photo_credit() -> None:
    credits = credits_of("Body text.", chrome=("Photo: © 2021 Getty Images", "Image © 2019 Reuters"))
    assert [(c.name, c.kind) for c in credits] == [("Getty Images", "photo"), ("Reuters", "photo")]
    assert origin_publisher(credits, None) is None


def test_according_to_a_outlet_tally() -> None:
    credits = credits_of("At least 40 people died, according to a Reuters tally.")
    assert [(c.name, c.kind) for c in credits] == [("Reuters", "reporting")]
    assert credit_form(credits[0]) == "cites"


def test_photo_credits_never_decide_the_origin() -> None:
    credits = credits_of("Body text.", chrome=("(AP Photo/Evan Vucci)",))
    assert origin_publisher(credits, None) is None
    assert origin_publisher(credits, "Local Gazette") == "Local Gazette"


def test_told_outranks_according_to_and_ties_go_to_first() -> None:
    credits = credits_of(
        "The ceasefire collapsed overnight, according to Reuters.",
        "A commander told CNN the shelling had resumed.",
    )
    assert names(credits) == ["Reuters", "CNN"]
    assert origin_publisher(credits, None) == "CNN"
    tie = credits_of("He told Fox News the plan was dead.", "She told CBS News it was not.")
    assert origin_publisher(tie, None) == "Fox News"


def test_contributed_to_this_report_names_a_helper_not_the_publisher() -> None:
    credits = credits_of("The Associated Press contributed to this report.")
    assert names(credits, "reporting") == ["The Associated Press"]
    assert origin_publisher(credits, "WSOC") == "WSOC"


def test_byline_naming_an_outlet_is_a_publisher_credit() -> None:
    credits = credits_of("Body text.", byline="By Dave Mistich, NPR")
    assert credits == [Credit("NPR", "publisher", "byline: By Dave Mistich, NPR")]
    assert origin_publisher(credits, "WFAE 90.7") == "NPR"


def test_site_name_and_domain_are_the_pages_own_publisher() -> None:
    article = Article(paragraphs=["Body text."], site_name="NPR")
    credits = find_credits(article, url="https://www.npr.org/2021/08/08/taliban")
    assert [(c.name, c.kind, c.evidence) for c in credits] == [("NPR", "publisher", "site name: NPR")]
    only_url = find_credits(Article(paragraphs=["Body text."]), url="https://edition.cnn.com/x")
    assert only_url == [Credit("CNN", "publisher", "page domain: edition.cnn.com")]
    assert origin_publisher(only_url, None) == "CNN"
    # a known publisher's own page is its own text, even when it cites another outlet's interview
    article = Article(paragraphs=["An aide told The Washington Post it was over."])
    cited = find_credits(article, url="https://cnn.com/a")
    assert origin_publisher(cited, None) == "CNN"
    # so is any site's own page, known or not (issue 20: "told Agence France-Presse" on nypost.com) ...
    unknown = find_credits(article, url="https://valleygazette.example/a")
    assert origin_publisher(unknown, "Valley Gazette") == "Valley Gazette"
    assert origin_publisher(unknown, None, "https://www.valleygazette.example/a") == "valleygazette.example"
    # ... and only a text with no site (a plain-text dump) is traced to the outlet that did the interviewing
    assert origin_publisher(unknown, None) == "The Washington Post"


def test_lookups() -> None:
    pubs = load_publishers()
    assert pubs.canonical("the associated press") == "The Associated Press"
    assert pubs.canonical("National Public Radio") == "NPR"
    assert pubs.canonical("AFP") == "Agence France-Presse"
    assert pubs.canonical("pa") is None  # short aliases are never case-folded
    assert pubs.canonical("npr.org") == "NPR"
    assert pubs.canonical("WFAE 90.7") is None
    assert pubs.by_domain("apnews.com") == "The Associated Press"
    assert pubs.by_domain("https://www.bbc.co.uk/news/world") == "BBC News"
    assert pubs.by_domain("notcnn.com") is None
    assert pubs.kind_of("Getty Images") == "photo-agency"


def test_builtin_table_is_consistent() -> None:
    raw = json.loads((Path(__file__).resolve().parent.parent / "archiver/data/publishers.json").read_text())
    kinds = {
        "agency",
        "photo-agency",
        "broadcaster",
        "newspaper",
        "magazine",
        "digital",
        "nonprofit",
        "syndicate",
    }
    seen: dict[str, str] = {}
    for entry in raw["publishers"]:
        assert entry["kind"] in kinds, entry["name"]
        for alias in [entry["name"], *entry["aliases"]]:
            core = re.sub(r"^The\s+", "", alias)
            assert seen.setdefault(core, entry["name"]) == entry["name"], f"{alias} is ambiguous"
        for domain in entry["domains"]:
            assert load_publishers().by_domain(domain) == entry["name"]


def test_evidence_is_the_sentence_trimmed() -> None:
    long_sentence = "In a long sentence " + "with many words " * 30 + "an official told NPR on Sunday."
    credits = credits_of("First sentence here. " + long_sentence + " Next sentence.")
    assert len(credits) == 1
    assert "told NPR" in credits[0].evidence
    assert len(credits[0].evidence) <= EVIDENCE_MAX + 2
    assert "First sentence" not in credits[0].evidence and "Next sentence" not in credits[0].evidence


def test_deduplicate_keeps_first_evidence_in_order_of_appearance() -> None:
    article = Article(
        paragraphs=["He told NPR one thing.", "According to Reuters, more.", "She told NPR another."]
    )
    assert [(c.name, c.evidence) for c in find_credits(article)] == [
        ("NPR", "He told NPR one thing."),
        ("Reuters", "According to Reuters, more."),
    ]
    assert len(find_credits(article, deduplicate=False)) == 3


# --- negatives -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The CAPTAIN said the APPLE harvest was poor, and the snapshot was taken in APRIL.",
        "He told the audience that the war was over.",
        "The PA system crackled as officials spoke, according to the PA system engineer.",
        "She told the ap that nothing had changed.",  # lowercase is not the acronym
        "Officials told reporters last month that the offensive had stalled.",
        "Rhea Mogul reported from London, and Mushtaq Yusufzai reported from Peshawar, Pakistan.",
        "Milley reported in June that 81 districts had fallen.",
        "An NPR member station. Dave Mistich joined NPR part-time as an associate producer.",
        "He took the AP exam and told the AP exam board, according to the AP-NORC poll.",
        "The score was 24/7 and/or 50/50.",
    ],
)
def test_no_credit_without_a_credit_phrase(text: str) -> None:
    assert credits_of(text) == []


def test_cnbc_is_not_nbc_news() -> None:
    assert names(credits_of("The chief executive told CNBC the deal was off.")) == ["CNBC"]


# --- user override ---------------------------------------------------------------------------


def test_user_publishers_file_is_merged_over_the_builtin(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    extra = tmp_path / "publishers.json"
    extra.write_text(
        json.dumps(
            {
                "publishers": [
                    {
                        "name": "WFAE",
                        "kind": "broadcaster",
                        "aliases": ["WFAE 90.7"],
                        "domains": ["wfae.org"],
                    },
                    {"name": "The Associated Press", "aliases": ["A.P."]},
                ]
            }
        ),
        encoding="utf-8",
    )
    assert load_publishers().canonical("WFAE 90.7") is None
    monkeypatch.setenv(ENV_PUBLISHERS, str(extra))
    load_publishers.cache_clear()
    pubs = load_publishers()
    assert pubs.canonical("WFAE 90.7") == "WFAE"
    assert pubs.by_domain("www.wfae.org") == "WFAE"
    assert pubs.canonical("AP") == "The Associated Press"  # built-in aliases are kept
    assert names(credits_of("A lawmaker told the A.P. that the city fell.")) == ["The Associated Press"]
    # the member station is now known, yet NPR's copyright line still names the origin
    article = seed_article("001_0231a191aae85b60.txt")
    credits = find_credits(article, url="https://www.wfae.org/2021/08/08/taliban")
    assert ("WFAE", "publisher") in [(c.name, c.kind) for c in credits]
    assert origin_publisher(credits, article.site_name) == "NPR"


def test_user_entry_can_replace_a_builtin_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    extra = tmp_path / "publishers.json"
    extra.write_text(
        json.dumps([{"name": "The Associated Press", "replace": True, "aliases": ["Associated Press"]}]),
        encoding="utf-8",
    )
    monkeypatch.setenv(ENV_PUBLISHERS, str(extra))
    load_publishers.cache_clear()
    pubs = load_publishers()
    assert pubs.canonical("AP") is None
    assert pubs.by_domain("apnews.com") is None
    assert pubs.kind_of("The Associated Press") == "agency"  # kind kept unless given
    assert names(credits_of("He told the AP that it fell.")) == []


def test_unreadable_user_publishers_file_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"publishers": [{"aliases": ["X"]}]}', encoding="utf-8")
    monkeypatch.setenv(ENV_PUBLISHERS, str(bad))
    load_publishers.cache_clear()
    with pytest.raises(ArchiveError) as err:
        load_publishers()
    assert ENV_PUBLISHERS in (err.value.hint or "")


def test_add_with_an_unreadable_publishers_file_fails_once_and_adds_nothing(tmp_path: Path) -> None:
    """`archive add` reads the publisher table before it cleans anything: a bad file is one clear error
    and a non-zero exit, not one failure per page."""
    from tests.conftest import run_process

    seeds = Path(__file__).resolve().parent.parent / "examples" / "seeds"
    db = tmp_path / "a.db"
    done = run_process(["add", "--db", str(db), str(seeds)], env={ENV_PUBLISHERS: str(tmp_path / "none.json")})
    assert done.returncode != 0
    err = done.stderr.decode()
    assert err.count("cannot read the publishers file") == 1 and ENV_PUBLISHERS in err
    status = run_process(["db", "status", "--json", "--db", str(db)])
    assert json.loads(status.stdout)["captures"] == 0
