"""Word-level differences between two texts, with character offsets into both. Pure.

Texts are split into words and single punctuation marks (so a changed comma is not a changed
word), aligned with difflib, and each change reported as a span of each text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_TOKEN = re.compile(r"\w+(?:['’.\-]\w+)*|[^\w\s]", re.UNICODE)
_WORD = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class Token:
    """A word or punctuation mark and where it is in its text."""

    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return bool(_WORD.search(self.text))


@dataclass(frozen=True)
class Change:
    """One difference: text a[a_start:a_end] became b[b_start:b_end] (one side empty for insert/delete)."""

    op: str  # "insert" | "delete" | "replace"
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    removed: str
    added: str
    words_removed: int
    words_added: int


@dataclass(frozen=True)
class WordDiff:
    """All changes from text a to text b, and their word counts."""

    changes: list[Change]
    words_added: int
    words_removed: int
    a_words: int
    b_words: int


def tokenize(text: str) -> list[Token]:
    """Words (letters/digits, with inner apostrophes, dots, hyphens) and punctuation marks, with offsets."""
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def word_diff(a: str, b: str) -> WordDiff:
    """The word-level changes that turn text a into text b."""
    ta, tb = tokenize(a), tokenize(b)
    # autojunk off: with it, words as common as "the" become junk in any text over 200 tokens.
    matcher = SequenceMatcher(None, [t.text for t in ta], [t.text for t in tb], autojunk=False)
    changes: list[Change] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        a_start, a_end = _span(ta, i1, i2, len(a))
        b_start, b_end = _span(tb, j1, j2, len(b))
        changes.append(
            Change(
                op=op,
                a_start=a_start,
                a_end=a_end,
                b_start=b_start,
                b_end=b_end,
                removed=a[a_start:a_end],
                added=b[b_start:b_end],
                words_removed=sum(1 for t in ta[i1:i2] if t.is_word),
                words_added=sum(1 for t in tb[j1:j2] if t.is_word),
            )
        )
    return WordDiff(
        changes=changes,
        words_added=sum(c.words_added for c in changes),
        words_removed=sum(c.words_removed for c in changes),
        a_words=sum(1 for t in ta if t.is_word),
        b_words=sum(1 for t in tb if t.is_word),
    )


def _span(tokens: list[Token], i: int, j: int, length: int) -> tuple[int, int]:
    """Character span of tokens[i:j]; an empty range sits where the next token would start."""
    if i < j:
        return tokens[i].start, tokens[j - 1].end
    if i < len(tokens):
        return tokens[i].start, tokens[i].start
    return length, length
