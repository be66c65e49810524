"""Verification: alignment offsets, containment, and the relation on synthetic, seed and Clough pairs."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from archiver.fingerprint import FUNCTION_WORDS, normalise, words
from archiver.lineage.verify import Comparison, compare_texts, tile, tile_chain

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
CLOUGH = Path(__file__).parent / "data" / "clough"  # eleven of the Clough & Stevenson texts (tests/data/README.md)


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if len(p.split()) > 12]


# a clean body to derive from: seed 002's story paragraphs (the raw dump minus its short chrome lines)
BODY = "\n\n".join(_paragraphs(_seed("002"))[:14])
OTHER = "\n\n".join(_paragraphs(_seed("004")))


def _spin(text: str, rate: float, seed: int = 7) -> str:
    """Replace `rate` of all words (lowercase content words only) by a made-up synonym."""
    rnd = random.Random(seed)
    toks = re.findall(r"\w+|\W+", text)
    idx = [i for i, t in enumerate(toks) if t.isalpha() and t.islower() and t not in FUNCTION_WORDS]
    n_words = sum(1 for t in toks if t[0].isalnum())
    for i in rnd.sample(idx, min(len(idx), int(rate * n_words))):
        toks[i] = "syn" + toks[i][::-1]
    return "".join(toks)


def _check_passages(a: str, b: str, c: Comparison) -> None:
    assert c.passages, "expected shared passages"
    for a0, a1, b0, b1 in c.passages:
        assert normalise(a[a0:a1]) == normalise(b[b0:b1])
        assert a[a0].isalnum() and b[b0].isalnum()
    lengths = [len(words(a[a0:a1])) for a0, a1, _, _ in c.passages]
    assert lengths == sorted(lengths, reverse=True)


# -- synthetic -------------------------------------------------------------------------------------


def test_identical_after_normalisation() -> None:
    rewrapped = BODY.replace("'", "\u2019").replace(". ", ".\n   ").upper()
    c = compare_texts(BODY, rewrapped)
    assert c.relation == "identical" and c.score == 1.0
    assert c.summary() == "the two texts are identical after normalisation"


def test_copy_with_chrome_and_a_changed_headline() -> None:
    page = "Breaking: Taliban take Kunduz | Site News\nShare on Facebook\n\n" + BODY + "\n\nCopyright 2021 Site."
    c = compare_texts(page, BODY)
    assert c.relation == "copy", c
    assert c.contained_b_in_a > 0.95 and c.coverage_b > 0.95
    assert c.excerpt_side is None
    _check_passages(page, BODY, c)


def test_excerpt_and_its_side() -> None:
    paras = BODY.split("\n\n")
    excerpt = "\n\n".join(paras[4:7])
    c = compare_texts(excerpt, BODY)
    assert c.relation == "excerpt" and c.excerpt_side == "a"
    assert c.contained_a_in_b > 0.95 and c.contained_b_in_a < 0.5
    c2 = compare_texts(BODY, excerpt)
    assert c2.relation == "excerpt" and c2.excerpt_side == "b"
    assert "of the shorter text appears verbatim" in c.summary()
    _check_passages(excerpt, BODY, c)


@pytest.mark.parametrize("rate", [0.1, 0.2, 0.3, 0.4])
def test_spun_rewrite(rate: float) -> None:
    spun = _spin(BODY, rate)
    c = compare_texts(spun, BODY)
    assert c.relation == "rewrite", (rate, c.edits_per_100, c.verbatim_a)
    assert c.skeleton_a_in_b > 0.9  # synonym swaps leave the skeleton alone
    _check_passages(spun, BODY, c)


def test_sentence_shuffle_is_a_rewrite() -> None:
    sentences = re.split(r"(?<=[.!?])\s+", BODY.replace("\n\n", " "))
    random.Random(3).shuffle(sentences)
    shuffled = " ".join(sentences)
    c = compare_texts(shuffled, BODY)
    assert c.relation == "rewrite"
    # every sentence is still there, out of order (the quoted statements both carry are not counted, and
    # cutting them out breaks a few 3-grams at the cuts)
    assert c.contained_a_in_b > 0.85
    assert c.verbatim_a < 0.6
    # whole sentences, so most shared words are in long passages, but the shorter text is all there: a
    # reordering, not passages pasted beside text of its own
    assert c.pasted_words >= 0.6 * c.coverage_a * c.words_a


def _pasted_into_other_story(paste: list[str]) -> str:
    """Seed 004's own story with paragraphs of another text set in its middle."""
    own = OTHER.split("\n\n")
    return "\n\n".join(own[:4] + paste + own[4:8])


def test_passages_pasted_beside_text_of_its_own_are_an_excerpt() -> None:
    """Two of BODY's paragraphs pasted verbatim into another story: an excerpt, though only 31% of it."""
    paras = BODY.split("\n\n")
    child = _pasted_into_other_story(paras[7:9])
    c = compare_texts(child, BODY)
    assert c.relation == "excerpt" and c.excerpt_side == "a", c.summary()
    assert c.coverage_a < 0.6  # fails the whole-excerpt test: most of the child is its own text
    assert c.pasted_words == len(words(" ".join(paras[7:9])))
    assert c.summary().endswith("the rest of it is text of its own")
    assert compare_texts(BODY, child).excerpt_side == "b"
    _check_passages(child, BODY, c)


@pytest.mark.parametrize("rate", [0.1, 0.2, 0.3])
def test_reworded_passages_beside_text_of_its_own_are_a_rewrite(rate: float) -> None:
    """The same two paragraphs, reworded before being set in: no longer pasted, a rewrite."""
    paras = BODY.split("\n\n")
    child = _pasted_into_other_story([_spin(p, rate) for p in paras[7:9]])
    c = compare_texts(child, BODY)
    assert c.relation == "rewrite", (rate, c.summary())
    assert "the rest of it" not in c.summary()


def test_a_paragraph_kept_beside_reworded_ones_is_a_rewrite() -> None:
    """One paragraph left verbatim, the next two reworded word by word: the rest is the source's, reworded."""
    paras = BODY.split("\n\n")
    child = "\n\n".join([paras[8], _spin(paras[9], 0.5), _spin(paras[11], 0.5)])
    c = compare_texts(child, BODY)
    # shared words mostly in one long passage, and under 60% of the child verbatim, as in a paste ...
    assert c.pasted_words >= 0.6 * c.coverage_a * c.words_a and c.coverage_a < 0.6
    # ... but the skeleton of the whole child is in the source: its other paragraphs are reworded copies
    assert c.skeleton_a_in_b > 0.9
    assert c.relation == "rewrite", c.summary()


def test_same_event_different_text_is_unrelated() -> None:
    c = compare_texts(OTHER, BODY)
    assert c.relation is None
    assert c.contained_a_in_b < 0.1
    assert c.summary().startswith("no lineage")


def test_empty_and_tiny_texts() -> None:
    assert compare_texts("", "").relation is None
    assert compare_texts("", BODY).relation is None
    assert compare_texts("according to the", BODY).relation is None


def test_tiling_takes_longest_first_and_uses_each_word_once() -> None:
    a = "x y z a b c d e f g".split()
    b = "a b c d e f g q x y z".split()
    tiles = tile(a, b)
    assert tiles[0] == (3, 0, 7)
    assert (0, 8, 3) in tiles
    assert tile_chain(tiles) == [(3, 0, 7)]


# -- seeds (raw dumps with chrome) ---------------------------------------------------------------------


def test_seed_lineage_relations() -> None:
    s = {p: _seed(p) for p in ("000", "001", "002", "003", "004")}
    assert compare_texts(s["001"], s["002"]).relation == "copy"
    assert compare_texts(s["000"], s["001"]).relation == "rewrite"
    assert compare_texts(s["002"], s["000"]).relation == "rewrite"
    for x in ("003", "004"):
        for y in ("000", "001", "002"):
            assert compare_texts(s[x], s[y]).relation is None, (x, y)
    assert compare_texts(s["003"], s["004"]).relation is None
    c = compare_texts(s["000"], s["001"])
    _check_passages(s["000"], s["001"], c)
    assert c.edits_per_100 > 5


# -- Clough & Stevenson ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("file", "relations"),
    [
        ("g4pC_taska.txt", {"copy"}),  # cut, pasted whole
        ("g0pA_taskb.txt", {"excerpt"}),  # cut, part of the source
        ("g0pD_taskb.txt", {"rewrite"}),  # light
        ("g2pA_taskc.txt", {"rewrite"}),  # light (held-out task)
        ("g4pB_taskc.txt", {"rewrite"}),  # heavy
        ("g0pA_taska.txt", {None}),  # non
        ("g2pC_taskc.txt", {None}),  # non
    ],
)
def test_clough_items(file: str, relations: set[str | None]) -> None:
    task = file.split("_")[1]
    a = (CLOUGH / file).read_text(encoding="utf-8")
    b = (CLOUGH / f"orig_{task}").read_text(encoding="utf-8")
    c = compare_texts(a, b)
    assert c.relation in relations, (file, c.relation, c.summary())
    if c.passages:
        _check_passages(a, b, c)


STATEMENT = (
    "At no point did we say Taylor could not perform on the awards show or block her special. In fact, we do not "
    "have the right to keep her from performing live anywhere, and any agreement must be made with her management."
)


def test_two_stories_quoting_one_statement_are_not_derived() -> None:
    """Independent reports share a press statement verbatim, inside quotation marks in both: no edge."""
    a = (
        "A dispute between the singer and her former label appeared to ease on Monday after weeks of public "
        "sniping over who controls her early recordings.\n\n"
        f"\u201c{STATEMENT}\u201d the label said in a statement posted online late in the evening.\n\n"
        "Representatives for the singer did not immediately respond to requests for comment on Tuesday morning."
    )
    b = (
        "The record company behind the star's first six albums says it never tried to stop her television "
        "appearance next week, rejecting claims made by her fans.\n\n"
        f'In a statement, the company wrote: "{STATEMENT}"\n\n'
        "The ceremony will be broadcast live from Los Angeles, where she is also expected to collect an award."
    )
    result = compare_texts(a, b)
    # the statement is shared, but only as a quotation in both: left out, and recorded as such
    assert [(d["kind"], d["words"] >= 30) for d in result.discounted] == [("quotation", True)]
    assert result.relation is None, result.summary()
    assert "not counted: 1 quoted statement both texts carry" in result.summary()


def test_reusing_a_quoted_passage_without_quotes_still_counts() -> None:
    """A text that lifts the source's quoted sentence into its own narrative is reusing the source."""
    source = f'The label replied: "{STATEMENT}" Fans were unconvinced by the reply and kept protesting online.'
    reuse = f"{STATEMENT} Fans were unconvinced by the reply and kept protesting online."
    assert compare_texts(reuse, source).relation in ("copy", "excerpt", "rewrite")


def test_clough_pasted_sentences_in_a_new_order_beside_its_own_are_an_excerpt() -> None:
    """g0pB_taskc (cut) pastes its source's sentences, partly reordered, among sentences of its own: cleaned
    as the archive cleans it (its bulleted list is dropped), 0.67 of it is in the source, 0.57 in the
    source's order, and the pasted passages hold 0.57 of the shared words: an excerpt, not a rewrite."""
    from archiver.clean.text import clean_text

    a = clean_text((CLOUGH / "g0pB_taskc.txt").read_text(encoding="utf-8")).text
    b = clean_text((CLOUGH / "orig_taskc.txt").read_text(encoding="utf-8")).text
    c = compare_texts(a, b)
    assert c.relation == "excerpt" and c.excerpt_side == "a", c.summary()
    assert c.coverage_a >= 0.6 and c.verbatim_a < 0.6  # passes neither the whole-excerpt test nor the old paste test
