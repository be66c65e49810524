"""Shingle F1 of the ScrapingHub article-extraction benchmark (the scoring its evaluate.py uses).

Per page: lowercase, word tokens (\\w+), multiset of 4-token shingles of prediction and truth;
precision = matched / predicted, recall = matched / true.  Precision and recall are averaged over
pages (each page counts once) and F1 is taken from the two averages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def score_tokens(text: str) -> list[str]:
    """Lowercased word tokens."""
    return _TOKEN_RE.findall((text or "").lower())


def score_shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of n-token shingles (a text shorter than n gives one short shingle, as upstream)."""
    tokens = score_tokens(text)
    out: Counter[tuple[str, ...]] = Counter()
    for i in range(max(1, len(tokens) - n + 1)):
        shingle = tuple(tokens[i : i + n])
        if shingle:
            out[shingle] += 1
    return out


@dataclass(frozen=True)
class PageScore:
    """Matched, extra and missed shingles of one page."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        """Matched / predicted; None when nothing was predicted and nothing was true."""
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp + self.fp == 0:
            return None  # upstream leaves pages with an empty prediction out of the precision mean
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        """Matched / true; None when the truth is empty."""
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp + self.fn == 0:
            return None
        return self.tp / (self.tp + self.fn)


def score_page(true: str, pred: str, n: int = 4) -> PageScore:
    """Shingle match counts of one page."""
    ts, ps = score_shingles(true, n), score_shingles(pred, n)
    tp = sum((ts & ps).values())
    return PageScore(tp=tp, fp=sum(ps.values()) - tp, fn=sum(ts.values()) - tp)


@dataclass(frozen=True)
class Score:
    """Averaged precision and recall over pages, and F1 from the averages."""

    precision: float
    recall: float
    f1: float
    pages: int


def score_pages(pages: Iterable[PageScore]) -> Score:
    """Average per-page precision and recall (each page once); F1 from the two averages."""
    pages = list(pages)
    ps = [p.precision for p in pages if p.precision is not None]
    rs = [p.recall for p in pages if p.recall is not None]
    precision = sum(ps) / len(ps) if ps else 0.0
    recall = sum(rs) / len(rs) if rs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision=precision, recall=recall, f1=f1, pages=len(pages))


def score_texts(pairs: Iterable[tuple[str, str]], n: int = 4) -> Score:
    """Score (true, predicted) text pairs."""
    return score_pages(score_page(t, p, n) for t, p in pairs)
