"""Plain-text dumps through the real CLI (`archive add` then `show --json`): issue 21's dump cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Run, fold

DUMPS = Path(__file__).resolve().parent / "data" / "dumps"


def test_indonesian_dump_keeps_its_story(run: Run) -> None:
    """Real Indonesian paragraphs (aeb-dev page 7837c9d6) that a 45-word stoplist measured as non-prose."""
    path = DUMPS / "indonesian_blog.txt"
    code, records = run.add_json(str(path))
    assert code == 0, records
    shown = run.json("show", str(records[0]["id"]))
    assert isinstance(shown, dict)
    story = [p for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.split()) > 15]
    assert len(story) == 6
    text = fold(shown["text"])
    for para in story:
        assert fold(para) in text
    assert "Beranda" not in text and "WhatsApp" not in text
    assert shown["language"] == "id"
    assert shown["title"] == "Sunni dan Syiah: sejarah perpecahan"


@pytest.mark.parametrize(
    ("dump", "title"),
    [
        # "Dec 2, 2025 · 12 min read" above the headline: the date's remainder is a reading time, not a title
        ("wcxb-0206.txt", "Top 5 Blockchain Technology Trends to Watch in 2026-2030"),
        # "DATE: 2025-12-12 - 2025-12-17": a date line is never the title
        ("wcxb-0378.txt", "Weekend Coding Agent"),
    ],
)
def test_dump_title_is_not_a_utility_line(run: Run, dump: str, title: str) -> None:
    """Real inscriptis dumps of wcxb-dev pages: the headline, not a reading time or a date line."""
    code, records = run.add_json(str(DUMPS / dump))
    assert code == 0, records
    shown = run.json("show", str(records[0]["id"]))
    assert isinstance(shown, dict)
    assert shown["title"] == title


def test_guide_dump_keeps_its_headings_and_lists(run: Run) -> None:
    """Real inscriptis dump of wcxb-dev 4601 (a buyer's guide): its lede, list of picks and spec lines sit
    between short headings the story's prose is about; the single best run of prose left them all out."""
    code, records = run.add_json(str(DUMPS / "wcxb-4601.txt"))
    assert code == 0, records
    shown = run.json("show", str(records[0]["id"]))
    assert isinstance(shown, dict)
    text = fold(shown["text"])
    for line in [
        "Choosing the right security camera for your home doesn’t have to be overwhelming.",
        "SimpliSafe - Best Burglar Deterrent",
        "Lorex - Easiest to Use Security Camera",
        "Monthly Monitoring Costs Starts at $22.99 per month",
    ]:
        assert fold(line) in text
