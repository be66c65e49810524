"""The body on the broad web (issue 21), through the CLI on real pages: React's streamed segments are the
story's, in the place its script puts them."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

from conftest import Run

from archiver.clean.html import html_parse

WCXB = Path(__file__).resolve().parent / "pages" / "wcxb"
TRUTH = json.loads((WCXB / "ground-truth.json").read_text(encoding="utf-8"))


def word_f1(true: str, pred: str) -> float:
    """The WCXB page score: F1 of the two bags of lowercase words."""
    t, p = Counter(re.findall(r"\w+", true.lower())), Counter(re.findall(r"\w+", pred.lower()))
    shared = sum((t & p).values())
    return 2 * shared / (sum(t.values()) + sum(p.values())) if shared else 0.0


def test_react_streamed_sections_are_kept(run: Run, tmp_path: Path) -> None:
    # fool.com streams the second half of its ranked guide as <div hidden id="S:n"> segments: word F1 0.49
    # while they stayed hidden to trafilatura, 0.82 once shown
    page = tmp_path / "cloud-stocks.html"
    page.write_bytes(gzip.decompress((WCXB / "0046.html.gz").read_bytes()))
    code, records = run.add_json(str(page), "--url", TRUTH["0046"]["url"])
    assert code == 0
    text = run.json("show", str(records[0]["id"]))["text"]  # type: ignore[index]
    assert "7. DigitalOcean" in text  # a subhead of the ranked list, in a streamed segment
    assert "Despite its tiny size, DigitalOcean is an efficient operation." in text
    assert word_f1(TRUTH["0046"]["main_content"], text) >= 0.8


def test_react_segment_moves_to_the_boundary_its_script_names() -> None:
    tree = html_parse(
        "<html><body><main><h1>Guide</h1><template id='B:0'></template><p>Closing words.</p></main>"
        "<div hidden id='S:1'><p>The middle of the guide.</p></div>"
        "<script>$RC(\"B:0\",\"S:1\")</script></body></html>"
    )
    main = tree.find(".//main")
    assert [" ".join(el.text_content().split()) for el in main] == [
        "Guide", "", "The middle of the guide.", "Closing words."
    ]
    assert not tree.xpath("//*[@hidden]")
