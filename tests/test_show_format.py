"""`archive show --format text|markdown`: the clean story alone with its title, for piping; JSON stays `--json`."""

from __future__ import annotations

import html
import re

from conftest import SEED_FILES, SEEDS, Run
from markdown_it import MarkdownIt

from archiver.errors import ExitCode
from archiver.render import show_body


def test_text_and_markdown_are_the_story_alone(run: Run) -> None:
    code, records = run.add_json(str(SEEDS / SEED_FILES[1]))
    assert code == 0
    ref = str(records[0]["id"])
    record = run.json("show", ref)
    paragraphs = [p for p in record["text"].split("\n\n") if p.strip()]

    text = run("show", ref, "--format", "text")
    assert text.exit_code == 0 and text.stderr == ""
    assert text.stdout == record["title"] + "\n\n" + "\n\n".join(paragraphs) + "\n"

    markdown = run("show", ref, "--format", "markdown")
    assert markdown.exit_code == 0
    assert markdown.stdout.startswith(f"# {record['title']}\n\n")
    rendered = MarkdownIt().render(markdown.stdout)
    assert rendered.count("<h1>") == 1 and rendered.count("<p>") == len(paragraphs)
    assert rendered.startswith(f"<h1>{html.escape(record['title'], quote=False)}</h1>")


def test_json_is_asked_one_way(run: Run) -> None:
    code, records = run.add_json(str(SEEDS / SEED_FILES[1]))
    ref = str(records[0]["id"])
    assert run("show", ref, "--format", "json").exit_code == ExitCode.USAGE  # --json is the one way
    both = run("show", ref, "--format", "text", "--json")
    assert both.exit_code == ExitCode.USAGE and "cannot be combined with --json" in both.stderr
    assert run("show", ref, "--format", "text", "--chrome").exit_code == ExitCode.USAGE
    assert run("show", "999", "--format", "text").exit_code == ExitCode.NOT_FOUND


def plain(rendered_html: str) -> list[str]:
    """The blocks of rendered Markdown as the plain text a reader sees."""
    blocks = re.findall(r"<(h1|p)>(.*?)</\1>", rendered_html, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", body)) for _, body in blocks]


def test_markdown_reads_as_the_text_was_written() -> None:
    """A story whose paragraphs look like Markdown (a heading, a list, a quote, emphasis, a link, HTML) is
    printed so that a Markdown reader shows exactly its words, each paragraph one paragraph."""
    paragraphs = [
        "# not a heading", "- not a list", "1. not numbered either", "> not a quote", "+ plus", "=== no rule",
        "snake_case and *stars* and `ticks` and [a](link) and <b>bold</b> and a \\ backslash",
        "2021) a year, then a bracket", "   # indented hash",
    ]
    record = {"title": "A *title* with_underscores", "text": "\n\n".join(paragraphs)}
    out = show_body(record, "markdown")
    assert plain(MarkdownIt().render(out)) == [record["title"], *[p.strip() for p in paragraphs]]
    assert show_body({"title": None, "text": "one\n\n\n\ntwo"}, "text") == "one\n\ntwo"
