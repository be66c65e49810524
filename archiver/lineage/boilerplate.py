"""Boilerplate learned from the archive's own document frequency: a passage recurring across unrelated stories.

A sentence that three or more *different stories* carry (a news agency's sponsor line, a disclaimer, an
"About <company>" paragraph, a stock "did not respond to a request for comment" line) says nothing about
one of them deriving from another, wherever it stands in the text: passim's boilerplate filter and Nicholls
(2019, "Detecting textual reuse in news stories, at scale") separate such incidental reuse from wire copy
the same way, by how many unrelated documents repeat a passage. Complements the verifier's positional rule
(`verify.discounted_passages`: shared paragraphs at the start or end of two texts), which needs no other
capture; this one catches a recurring passage mid-text, once three stories hold it.

Passages are sentences of `PASSAGE_MIN_WORDS`+ normalised words, hashed (`passage_spans`), stored per text
(`store.passages`). Two texts holding a passage tell the *same story* when their shared passages cover at
least half of the shorter one's passage words (`TEMPLATE_SAME_STORY_SHARE`, the notion site templates use):
the copies of one wire story are one story however many sites run it, so syndication is never boilerplate.
A passage is boilerplate when its holders tell at least `BOILERPLATE_MIN_STORIES` stories (connected
components of the same-story relation). The decision is a function of the set of texts holding it, so it
does not depend on the order captures arrive; `archive add` re-derives the families of every holder of a
passage whose decision an add changed (`boilerplate_touched`), so the lineage is what a fresh build gives.

A match between two texts sharing boilerplate passages is verified again with those sentences cut out
(`compare_without`); lineage and `compare` both use the result, and it keeps the passages as notes
("recurring" in the comparison's `discounted`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from archiver.clean.site_template import TEMPLATE_SAME_STORY_SHARE
from archiver.fingerprint import word_spans
from archiver.lineage.edges import Match
from archiver.lineage.verify import REWRITE_MIN_PASSAGE_WORDS, Comparison, compare_texts_cut, evidence_of
from archiver.store.models import TextRow
from archiver.store.passages import bodies_of, matches_among, passage_holders, passages_of

# A passage is a sentence of at least this many words: shorter ones ("He said he was fine.") recur by
# chance. The issue's sponsor line is a 20- and an 8-word sentence ("The AP is solely responsible for all
# content."); aeb-dev news sentences: median 13 words.
PASSAGE_MIN_WORDS = 8
# Stories (not texts) that must hold a passage for it to be boilerplate. Two is what an excerpt pasting one
# sentence of its source beside text of its own gives, so it cannot be; three unrelated stories sharing a
# sentence share a third source. The confusers of issue 20 (benchmarks/lineage_trust.py): a sponsor line
# on six stories, a footer on five, a column intro on three.
BOILERPLATE_MIN_STORIES = 3
# Holders of one passage read to decide it (lowest text ids). A passage held by more is decided on these:
# beyond 64 holders the stories among them are what decides, and only a passage run by more than 64 copies
# of one story and by other stories too could be decided differently by other holders.
BOILERPLATE_HOLDER_LIMIT = 64

_BREAK = re.compile(r"[.!?]|\n")


def passage_spans(text: str) -> list[tuple[str, int, int, int]]:
    """The text's passages: (key, start, end, words) per sentence of PASSAGE_MIN_WORDS+ normalised words."""
    spans = word_spans(text)
    out: list[tuple[str, int, int, int]] = []
    start = 0
    for n in range(len(spans)):
        if n + 1 < len(spans) and not _BREAK.search(text[spans[n][2] : spans[n + 1][1]]):
            continue
        words = [w for w, _, _ in spans[start : n + 1]]
        if len(words) >= PASSAGE_MIN_WORDS:
            key = hashlib.blake2b(" ".join(words).encode(), digest_size=8).hexdigest()
            out.append((key, spans[start][1], spans[n][2], len(words)))
        start = n + 1
    return out


def passages(text: str) -> list[tuple[str, int]]:
    """(key, words) of the text's passages, as stored."""
    return [(key, n) for key, _, _, n in passage_spans(text)]


def _same_story(x: dict[str, int], y: dict[str, int]) -> bool:
    shared = sum(x[k] for k in x.keys() & y.keys())
    return shared >= TEMPLATE_SAME_STORY_SHARE * min(sum(x.values()), sum(y.values()))


@dataclass(frozen=True)
class PassageIndex:
    """What deciding boilerplate reads (`boilerplate_keys`), all of it about the holders of busy passages."""

    holders: dict[str, list[int]]  # passage key -> the texts holding it
    passages: dict[int, dict[str, int]]  # text -> its passages (key -> words)
    sentences: dict[int, dict[str, tuple[int, int]]]  # text -> passage key -> its (start, end) chars
    word_starts: dict[int, list[int]]  # text -> the start offset of each of its words
    shared: dict[tuple[int, int], tuple[int, list[tuple[int, int]]]]  # matched pair -> (text, its shared chars)


def _outside_run(index: PassageIndex, x: int, y: int, keys: set[str]) -> int:
    """The most words of one passage the matched texts x and y share outside the sentences of `keys`."""
    ref, spans = index.shared.get((min(x, y), max(x, y)), (0, []))
    if not spans:
        return 0
    blocked = sorted(index.sentences.get(ref, {})[k] for k in keys if k in index.sentences.get(ref, {}))
    starts = index.word_starts.get(ref, [])
    best = 0
    for start, end in spans:
        pieces, at = [], start
        for s, e in blocked:
            if e <= at or s >= end:
                continue
            if s > at:
                pieces.append((at, s))
            at = max(at, e)
        if at < end:
            pieces.append((at, end))
        for s, e in pieces:
            best = max(best, bisect_left(starts, e) - bisect_left(starts, s))
    return best


def _find(root: dict[int, int], t: int) -> int:
    """Union-find root of `t` (path halving)."""
    while root[t] != t:
        root[t] = root[root[t]]
        t = root[t]
    return t


def boilerplate_keys(index: PassageIndex) -> set[str]:
    """The passages whose holders tell at least BOILERPLATE_MIN_STORIES different stories (pure).

    Two holders tell the same story when they share at least half of the shorter one's passage words, or a
    verified match of theirs shares a run of REWRITE_MIN_PASSAGE_WORDS+ words outside the passages being
    decided (story text beside them). Decided for all busy passages at once and again on the passages that
    were boilerplate until nothing changes: a sponsor line's two sentences are decided together, and a
    passage the others left out of the evidence links its holders again once it is found to be story text.
    """
    busy = {k for k, texts in index.holders.items() if len(texts) >= BOILERPLATE_MIN_STORIES}
    same: dict[tuple[int, int], bool] = {}
    while True:
        found: set[str] = set()
        for key in sorted(busy):
            texts = sorted(index.holders[key])
            root = {t: t for t in texts}
            for i, x in enumerate(texts):
                for y in texts[i + 1 :]:
                    if (x, y) not in same:
                        same[(x, y)] = _same_story(index.passages.get(x, {}), index.passages.get(y, {}))
                    if same[(x, y)] or _outside_run(index, x, y, busy) >= REWRITE_MIN_PASSAGE_WORDS:
                        root[_find(root, x)] = _find(root, y)
            if len({_find(root, t) for t in texts}) >= BOILERPLATE_MIN_STORIES:
                found.add(key)
        if found == busy:
            return found
        busy = found


def boilerplate_of(session: Session, text_ids: list[int]) -> tuple[set[str], dict[int, dict[str, int]]]:
    """The boilerplate passages among these texts' passages, and each text's passages."""
    mine = passages_of(session, text_ids)
    keys = {k for p in mine.values() for k in p}
    holders = passage_holders(session, keys, min_holders=BOILERPLATE_MIN_STORIES, limit=BOILERPLATE_HOLDER_LIMIT)
    if not holders:
        return set(), mine
    return boilerplate_keys(_index(session, holders, mine)), mine


def _index(session: Session, holders: dict[str, list[int]], known: dict[int, dict[str, int]]) -> PassageIndex:
    """The `PassageIndex` of these holders, read from the store (`known`: passages already read)."""
    texts = {t for ts in holders.values() for t in ts}
    passages = {**known, **passages_of(session, texts - known.keys())}
    matches = matches_among(session, texts)
    bodies = bodies_of(session, {int(ev.get("a_text", b)) for a, b, ev in matches})
    sentences: dict[int, dict[str, tuple[int, int]]] = {}
    word_starts: dict[int, list[int]] = {}
    for text_id, body in bodies.items():
        sentences[text_id] = {k: (s, e) for k, s, e, _ in passage_spans(body)}
        word_starts[text_id] = [s for _, s, _ in word_spans(body)]
    shared: dict[tuple[int, int], tuple[int, list[tuple[int, int]]]] = {}
    for a, b, ev in matches:
        ref = int(ev.get("a_text", b))
        shared[(a, b)] = (ref, [(int(p[0]), int(p[1])) for p in ev.get("passages", [])])
    return PassageIndex(holders, passages, sentences, word_starts, shared)


def boilerplate_touched(session: Session, text_id: int) -> set[int]:
    """The texts holding a passage of this (just stored) text whose boilerplate decision it changed: their
    families' lineage must be re-derived."""
    mine = passages_of(session, [text_id])[text_id]
    holders = passage_holders(
        session, mine, min_holders=BOILERPLATE_MIN_STORIES - 1, limit=BOILERPLATE_HOLDER_LIMIT + 1
    )
    if not holders:
        return set()
    index = _index(session, holders, {})
    after = boilerplate_keys(dataclasses.replace(
        index, holders={k: ts[:BOILERPLATE_HOLDER_LIMIT] for k, ts in holders.items()}
    ))
    before = boilerplate_keys(dataclasses.replace(
        index, holders={k: [t for t in ts if t != text_id][:BOILERPLATE_HOLDER_LIMIT] for k, ts in holders.items()}
    ))
    return {t for k in after ^ before for t in holders[k]} - {text_id}


def compare_without(body_x: str, body_y: str, keys: set[str]) -> Comparison:
    """`compare_texts` of two texts with the sentences of these passages cut out of both, noted as
    "recurring" passages in `discounted`."""
    cut_x = {k: (s, e, n) for k, s, e, n in passage_spans(body_x) if k in keys}
    cut_y = {k: (s, e, n) for k, s, e, n in passage_spans(body_y) if k in keys}
    pairs = [(cut_x[k], cut_y[k]) for k in sorted(cut_x.keys() & cut_y.keys(), key=lambda k: cut_x[k][0])]
    return compare_texts_cut(body_x, body_y, pairs)


def matches_without_boilerplate(session: Session, text_ids: list[int], matches: list[Match]) -> list[Match]:
    """The family's matches with the boilerplate passages each pair shares cut out (`compare_without`): a pair
    linked only by boilerplate is dropped, any other re-measured on its story text."""
    bp, mine = boilerplate_of(session, text_ids)
    if not bp:
        return matches
    out: list[Match] = []
    for m in matches:
        shared = mine.get(m.text_a, {}).keys() & mine.get(m.text_b, {}).keys() & bp
        if not shared or m.relation in ("identical", "revision"):
            out.append(m)
            continue
        later = int((m.evidence or {}).get("a_text", m.text_b))
        other = m.text_a if later == m.text_b else m.text_b
        x, y = session.get(TextRow, later), session.get(TextRow, other)
        if x is None or y is None:
            continue
        c = compare_without(x.body, y.body, shared)
        if c.relation is None:
            continue
        side = None
        if c.excerpt_side is not None:
            excerpt_text = later if c.excerpt_side == "a" else other
            side = "a" if excerpt_text == m.text_a else "b"
        evidence: dict[str, Any] = {**evidence_of(c), "a_text": later}
        out.append(dataclasses.replace(m, relation=c.relation, score=c.score, excerpt_side=side, evidence=evidence))
    return out
