"""The sentences of each text by hash (`text_passage`): what boilerplate is learned from (the caller commits)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, insert, select, union_all
from sqlalchemy.orm import Session

from archiver.store import tables
from archiver.store.models import TextMatch, TextRow

_PASSAGE = tables.text_passage
_CHUNK = 500  # ids per IN list, well under SQLite's bound-parameter limit
# keys a `passage_holders` statement (a sub-select each): under SQLite's 500 terms of a compound SELECT
_KEYS_A_STATEMENT = 100


def passages_put(session: Session, text_id: int, passages: Sequence[tuple[str, int]], *, fresh: bool = False) -> None:
    """Store a text's passages (key, words), replacing any older ones (none when `fresh`)."""
    if not fresh:
        session.execute(delete(_PASSAGE).where(_PASSAGE.c.text_id == text_id))
    words = dict(passages)  # a sentence repeated in one text is one passage
    if words:
        session.execute(insert(_PASSAGE), [
            {"text_id": text_id, "passage_key": key, "words": n} for key, n in sorted(words.items())
        ])


def passages_of(session: Session, text_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Each text's passages: key -> words."""
    ids = sorted(set(text_ids))
    out: dict[int, dict[str, int]] = {t: {} for t in ids}
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(_PASSAGE.c.text_id, _PASSAGE.c.passage_key, _PASSAGE.c.words)
            .where(_PASSAGE.c.text_id.in_(ids[start : start + _CHUNK]))
        )
        for text_id, key, words in rows:
            out[text_id][key] = words
    return out


def passage_holders(session: Session, keys: Iterable[str], *, min_holders: int, limit: int) -> dict[str, list[int]]:
    """For each of these keys held by at least `min_holders` texts: its holders, lowest text ids first, at most
    `limit`.

    Each key reads at most `max(limit, min_holders)` index entries (one statement for a chunk of keys, a
    LIMIT per key): a passage held by a large share of the archive (a wire credit line in every tenth story)
    costs what a rare one costs, not a count over all its holders.
    """
    wanted = sorted(set(keys))
    take = max(limit, min_holders)
    found: dict[str, list[int]] = {}
    for start in range(0, len(wanted), _KEYS_A_STATEMENT):
        parts = [
            select(_PASSAGE.c.passage_key, _PASSAGE.c.text_id)
            .where(_PASSAGE.c.passage_key == key).order_by(_PASSAGE.c.text_id).limit(take).subquery().select()
            for key in wanted[start : start + _KEYS_A_STATEMENT]
        ]
        for key, text_id in session.execute(union_all(*parts)):
            found.setdefault(key, []).append(text_id)
    return {k: sorted(ts)[:limit] for k, ts in sorted(found.items()) if len(ts) >= min_holders}


def matches_among(session: Session, text_ids: Iterable[int]) -> list[tuple[int, int, dict[str, Any]]]:
    """The verified matches between these texts: (text_a, text_b, evidence)."""
    ids = sorted(set(text_ids))
    if len(ids) < 2:
        return []
    rows = session.execute(
        select(TextMatch.text_a, TextMatch.text_b, TextMatch.evidence)
        .where(TextMatch.text_a.in_(ids), TextMatch.text_b.in_(ids))
        .order_by(TextMatch.text_a, TextMatch.text_b)
    )
    return [(a, b, ev or {}) for a, b, ev in rows]


def bodies_of(session: Session, text_ids: Iterable[int]) -> dict[int, str]:
    """The clean bodies of these texts."""
    ids = sorted(set(text_ids))
    out: dict[int, str] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(select(TextRow.id, TextRow.body).where(TextRow.id.in_(ids[start : start + _CHUNK])))
        out.update((text_id, body) for text_id, body in rows)
    return out
