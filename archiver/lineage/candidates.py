"""Candidates: which earlier texts a new text is verified against, and why (the policy over the band table).

The band table (`archiver.store.bands`) says which texts share a new text's LSH band keys
(`archiver.fingerprint`: the S-curve behind the band parameters). This module decides which of them are
worth verifying (`archiver.lineage.verify`), verifies them and stores the matches (`verify_candidates`).

Evidence
--------
Candidates need two shared keys (CANDIDATE_MIN_EVIDENCE) set by two different shingles
(`fingerprint.band_shingles`, `fingerprint.shared_evidence`): at r=1 one shingle can hold the minimum under
several permutations, most often a common one in a short shingle set (a skeleton 5-gram such as "at the of the
in"), and its keys are one coincidence however many there are. Counting them once keeps every Clough and
generated-corpus pair and drops 100 of the 105 chance candidate pairs of the generated corpus (1527 -> 1427
pairs).

Bounded lookup (BAND_HOLDER_LIMIT = 32, CANDIDATE_LIMIT = 16)
-------------------------------------------------------------
At r=1 a band key is one shingle, and some shingles are everywhere: a function-word run of the skeleton,
a stock line, every 5-gram of a wire story that a thousand papers ran. Unbounded, every holder of such a
key is read and, with a second key, verified: a degenerate text (benchmarks/scale.py's filler, ~53% "the")
had 1,000 candidates in a 1k-text archive and 10,000 at 10k, each verified (~7 ms apiece: 7 s and ~100 s
for one add). Two bounds, as LSH indexes cap their buckets, make the work of one add independent of the
archive:
- stop keys: a key's holders are read up to 32, lowest text ids first (one LIMITed range of the primary
  key per key, so a key every text holds costs 33 rows). A key with more holders is "hot". The first
  holders of a key never change as the archive grows, so `archive reprocess` reads the same ones, and the
  earliest-added copies of a story are the likeliest originals;
- ranking: of the texts passing the evidence rule above, at most 16 are verified: those sharing the most
  keys that are not hot first (a rare key is strong evidence, a key every text holds a stop word), then
  the most keys, then the earliest.
Calibration: in the generated corpus (398 texts, families of 10) no key has more than 26 holders and no
text more than 9 candidates among the earlier texts; the 100k-text scale archive's hottest key of a news
text has 33 ("at the of the in", a chance key). So neither bound cuts a real family of that size, and an
add verifies at most ~16 x 6 ms of news texts, reads at most 128 x 33 band rows (~6 ms on SQLite).
Lineage through a big family: the new copy of a story run by more than 32 papers is verified against 16
earlier copies, which gives it a copy edge inside the family. For the family's origin to stay its root,
whenever a bound cut something the new text is also verified against the earliest member (lineage order)
of each family it matched, when it shares keys set by two shingles with it (`archiver.lineage.families.family_origins`).
In a family of copies every member but the earliest then has an earlier match: a new text later than the
earliest has it; an earlier one becomes the earliest and the old earliest has it. So the family has one
root, its earliest member, in every add order (tests/test_candidate_bound.py). The family is walked
through the matches between lower text ids only, what the archive held when the text was added, so
`archive reprocess` (text by text in id order) makes the same choices. What can depend on the add order
is which member of such a family a copy hangs from: one added before the origin keeps the copy it matched
as its parent unless it was among the 16 the origin was verified against. A text whose only evidence is
hot keys of which it is not among the first 32 holders is missed: keys shared with a real source are
rare keys, unless the source is one of very many copies, whose first holders then stand in for it.

Family candidates (FAMILY_MIN_EVIDENCE = 1, FAMILY_EXPAND_MAX = 64)
------------------------------------------------------------------
Once a new text has a verified match, the other earlier members of that match's family that share one
band key with it are verified too (`_family_candidates`), as many as the band candidates left of
CANDIDATE_LIMIT. Walked through matches between lower text ids,
like `family_origins`, so `archive reprocess` makes the same choices; `candidates_by_bands` (what the
band table alone gives) does not include them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from archiver.fingerprint import band_shingles_of, shared_evidence
from archiver.lineage.families import family_origins, family_walk_locked
from archiver.lineage.verify import VERSION as VERIFIER_VERSION
from archiver.lineage.verify import TextScan, compare_texts, evidence_of, scan_text
from archiver.store.bands import band_holders, band_shared_with
from archiver.store.captures import texts_get
from archiver.store.matches import match_row, matches_put

# One shared band key is what a single stock phrase gives two unrelated texts (12 of 16 colliding
# unrelated aeb-dev pairs share exactly one); every Clough cut/light/heavy pair that shares any key
# shares at least two, so two keeps recall and cuts chance candidates (and verification) fourfold.
# Keys set by the same shingle count once (`fingerprint.shared_evidence`): one common shingle that is
# the minimum under two permutations is still one stock phrase. In the 100k-text scale archive all 4
# chance candidates of the NPR probe shared two skeleton keys of the one shingle "at the of the in"
# (held by 33 texts). Generated corpus (aeb-dev bodies, 398 texts): pairs from different families that
# are candidates go from 105 to 5 of 77,579; every Clough and generated-corpus edge is kept.
CANDIDATE_MIN_EVIDENCE = 2  # docs/calibration.md#derivation-generated-news-corpus

# The work of one add is bounded whatever the archive holds ("Bounded lookup" in this module's docstring).
# Holders read per band key, lowest text ids first; a key with more is "hot" (a stop key). The generated
# corpus (398 texts, families of 10) has at most 26 holders of a key (a skeleton key of its chrome lines),
# the 100k-text scale archive 33 ("at the of the in"); 32 reads every key of a family of that size whole,
# and a lookup reads at most 128 keys x 33 rows (~6 ms on SQLite for a text whose every key is hot).
BAND_HOLDER_LIMIT = 32  # docs/calibration.md#scale-and-the-candidate-bounds

# Candidates verified per new text, best first (`candidates_best`). In the generated corpus a text has at
# most 9 (the earlier members of its family of 10); one verification of news-length texts costs ~6 ms
# (1427 pairs in 8.6 s there), so 16 keeps every family there whole and verification under ~0.1 s an add.
CANDIDATE_LIMIT = 16  # docs/calibration.md#scale-and-the-candidate-bounds

# Family candidates (issue 20): once a new text has a verified match, the other earlier members of that
# match's family are verified too when they share at least one band key with it. One key is a coincidence
# between unrelated texts (CANDIDATE_MIN_EVIDENCE), but not inside a family the text already belongs to:
# a revision of a short source keeps few of its 5-grams (Clough light g2pE_taskb shares one key with its
# source, six with a sibling answer that rewrote the same source). Most shared keys first, only as many as
# the band candidates left of CANDIDATE_LIMIT (the work of one add stays bounded), and only in families of
# at most FAMILY_EXPAND_MAX earlier texts (Clough's are 20-23; a wire story's family of hundreds of copies
# has its source among the band candidates already).
FAMILY_MIN_EVIDENCE = 1
FAMILY_EXPAND_MAX = 64


@dataclass(frozen=True)
class BandHits:
    """What the band table says of one text: who shares its keys, and which keys were read only in part."""

    shared: dict[int, set[tuple[str, bytes]]]  # text -> the (kind, key)s it shares, for texts sharing enough
    hot: frozenset[tuple[str, bytes]]  # keys with more than BAND_HOLDER_LIMIT holders: only the first read


def band_lookup(
    session: Session, text_id: int, bands: dict[str, list[bytes]], *, earlier_only: bool = False
) -> BandHits:
    """Texts sharing >= CANDIDATE_MIN_EVIDENCE band keys with this one (`earlier_only`: lower ids only), and
    the hot keys: those with more than BAND_HOLDER_LIMIT holders, of which only the lowest ids are read.
    """
    holders: dict[tuple[str, bytes], list[int]] = {}
    before = text_id if earlier_only else None
    for other, kind, key in band_holders(session, bands, exclude=text_id, limit=BAND_HOLDER_LIMIT + 1, before=before):
        holders.setdefault((kind, key), []).append(other)
    shared: dict[int, set[tuple[str, bytes]]] = {}
    for pair, texts in holders.items():
        for other in sorted(texts)[:BAND_HOLDER_LIMIT]:
            shared.setdefault(other, set()).add(pair)
    hot = frozenset(k for k, texts in holders.items() if len(texts) > BAND_HOLDER_LIMIT)
    return BandHits({t: keys for t, keys in shared.items() if len(keys) >= CANDIDATE_MIN_EVIDENCE}, hot)


def candidates_of_hits(
    hits: dict[int, set[tuple[str, bytes]]],
    bands: dict[str, list[bytes]],
    shingles: Callable[[list[str]], dict[str, list[tuple[int, ...]]]],
) -> list[int]:
    """The texts of `band_lookup(...).shared` whose shared keys are set by >= CANDIDATE_MIN_EVIDENCE
    distinct shingles.

    Keys of both kinds are two shingles at least (the kinds hash different n-grams), so this text's
    `band_shingles` are asked for (`shingles(kinds)`) only for the kinds of texts sharing keys of one kind.
    """
    one_kind = {t: kinds.pop() for t, keys in hits.items() if len(kinds := {kind for kind, _ in keys}) == 1}
    held = shingles(sorted(set(one_kind.values()))) if one_kind else {}
    return sorted(
        t
        for t, keys in hits.items()
        if t not in one_kind or shared_evidence(bands, held, keys) >= CANDIDATE_MIN_EVIDENCE
    )


def candidates_best(found: BandHits, candidates: Iterable[int]) -> list[int]:
    """The CANDIDATE_LIMIT candidates to verify, best first: most shared keys that are not hot, then most
    shared keys, then the earliest text.

    A key every text holds says little (a stop word); one few texts hold says much, so a text sharing
    rare keys is verified before one that only shares stock phrases with every other text.
    """

    def rank(t: int) -> tuple[int, int, int]:
        keys = found.shared[t]
        return (-len(keys - found.hot), -len(keys), t)

    return sorted(candidates, key=rank)[:CANDIDATE_LIMIT]


def candidates_by_bands(
    session: Session, text_id: int, bands: dict[str, list[bytes]], shingles: dict[str, list[tuple[int, ...]]]
) -> list[int]:
    """The candidate texts add would verify, best first (`candidates_best`): sharing keys set by
    >= CANDIDATE_MIN_EVIDENCE of this text's shingles (all kinds), at most CANDIDATE_LIMIT.

    `shingles` is the text's `fingerprint.band_shingles`.
    """
    found = band_lookup(session, text_id, bands)
    return candidates_best(found, candidates_of_hits(found.shared, bands, lambda _kinds: shingles))


def verify_candidates(session: Session, text_id: int, body: str, bands: dict[str, list[bytes]]) -> int:
    """Compare a new text with its earlier candidates (lower ids; `candidates_best`), store matches.

    Each pair is compared once, the later text first, as `archive reprocess` does, however many texts
    one transaction makes. At most CANDIDATE_LIMIT candidates are verified, and a hot band key yields only
    its first holders (`band_lookup`); when either bound cut something, the earliest member of each
    family the text matched is verified too (`family_origins`), so that family keeps its origin as the root
    of its lineage whatever order its texts came in.
    """
    found = band_lookup(session, text_id, bands, earlier_only=True)
    if not found.shared:
        return 0
    mine = scan_text(body)  # tokenised once for its shingles and all its candidates
    made: dict[tuple[str, ...], dict[str, list[tuple[int, ...]]]] = {}

    def shingles(kinds: list[str]) -> dict[str, list[tuple[int, ...]]]:
        if tuple(kinds) not in made:
            made[tuple(kinds)] = band_shingles_of(mine.words, mine.skeleton, kinds)
        return made[tuple(kinds)]

    passing = candidates_of_hits(found.shared, bands, shingles)
    chosen = candidates_best(found, passing)
    matched = _verify_and_store(session, text_id, mine, chosen)
    verified = set(chosen)
    if matched and len(chosen) < CANDIDATE_LIMIT:  # family candidates fill what is left of the budget
        more = _family_candidates(session, text_id, bands, matched, verified)[: CANDIDATE_LIMIT - len(chosen)]
        verified.update(more)
        matched += _verify_and_store(session, text_id, mine, more)
    if matched and (found.hot or len(passing) > len(chosen)):
        origins = family_origins(session, matched, text_id) - verified
        shared = band_shared_with(session, bands, origins)
        hits = {t: keys for t, keys in shared.items() if len(keys) >= CANDIDATE_MIN_EVIDENCE}
        matched += _verify_and_store(session, text_id, mine, candidates_of_hits(hits, bands, shingles))
    session.flush()
    return len(matched)


def _family_candidates(
    session: Session, text_id: int, bands: dict[str, list[bytes]], matched: list[int], done: set[int]
) -> list[int]:
    """The other earlier members of the families of `matched` that share a band key with the text
    (FAMILY_MIN_EVIDENCE), not in `done`: at most CANDIDATE_LIMIT, most shared keys first.
    """
    family, _ = family_walk_locked(session, matched, pages=False, before=text_id)
    others = family - done - {text_id}
    if not others or len(family) > FAMILY_EXPAND_MAX:
        return []
    shared = band_shared_with(session, bands, others)
    weak = [t for t, keys in shared.items() if len(keys) >= FAMILY_MIN_EVIDENCE]
    weak.sort(key=lambda t: (-len(shared[t]), t))
    return weak[:CANDIDATE_LIMIT]


def _verify_and_store(session: Session, text_id: int, mine: TextScan, others: list[int]) -> list[int]:
    """Compare the text with each of `others` and store the relations found; returns the texts related."""
    found = []
    rows = texts_get(session, others)
    for other_id in others:
        other = rows[other_id]
        result = compare_texts(mine, other.body)
        if result.relation is None:
            continue
        excerpt_of_new = None if result.excerpt_side is None else result.excerpt_side == "a"
        found.append(match_row(
            text_id,
            other.id,
            relation=result.relation,
            score=result.score,
            excerpt_of_x=excerpt_of_new,
            evidence={**evidence_of(result), "a_text": text_id},
            verifier_version=VERIFIER_VERSION,
        ))
    matches_put(session, found)
    return [row["text_b"] if row["text_a"] == text_id else row["text_a"] for row in found]


