"""The real WCXB pages under tests/pages/wcxb, their ground truth, and the WCXB page score."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

WCXB = Path(__file__).resolve().parent / "pages" / "wcxb"
TRUTH = json.loads((WCXB / "ground-truth.json").read_text(encoding="utf-8"))


def word_f1(true: str, pred: str) -> float:
    """The WCXB page score: F1 of the two bags of lowercase words."""
    t, p = Counter(re.findall(r"\w+", true.lower())), Counter(re.findall(r"\w+", pred.lower()))
    shared = sum((t & p).values())
    return 2 * shared / (sum(t.values()) + sum(p.values())) if shared else 0.0
