"""Plain-text dumps through the real CLI (`archive add` then `show --json`): issue 21's dump cases."""

from __future__ import annotations

from pathlib import Path

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
