"""Site templates learned against the archive: find the site's other stories, judge same-story, count, apply.

`archiver.clean.learned` is the pure rule; this module feeds it, in the same way during `add` and during
`archive reprocess`, so both give every capture the same text whatever order captures were added in:

- `site_paragraph` holds every capture's paragraph keys (before learned removal) by site, each with its
  first position and `other_stories`: how many other captures of the site hold it and tell another
  story, counted up to TEMPLATE_MIN_STORIES. At that number the paragraph is the capture's site template.
- A new capture's counts come from the captures sharing its paragraphs, found through the (site, key)
  index, never a scan of the site (`templates_learn`); its template is removed before it is stored.
- The new capture then counts for every earlier capture sharing a paragraph with it and telling another
  story (`templates_spread`); those that reach the threshold are re-cleaned by the pipeline. Counts only
  grow, so a paragraph that became template stays template.
- `archive reprocess` computes the same counts from memory (`SitePool`).

Another capture's paragraphs are rebuilt from its stored text, its removed template paragraphs and the
recorded positions (`templates_paragraphs`), in `template_order`: the order `SitePool` compares in too.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from archiver.clean import CLEANER_VERSION
from archiver.clean.site_template import (
    TEMPLATE_MIN_STORIES,
    TEMPLATE_REASON,
    TEMPLATE_SAME_STORY_SHARE,
    template_apply,
    template_counts,
    template_key,
    template_keys,
    template_order,
    template_paragraphs,
    template_positions,
    template_share,
)
from archiver.fingerprint import band_keys, fingerprint_text
from archiver.lineage.verify import compare_texts
from archiver.store.captures import chrome_texts_of, texts_of_captures
from archiver.store.sites import (
    SiteHolders,
    site_count_up,
    site_counts_of,
    site_holders,
    site_holders_first,
    site_paragraphs_put,
    site_rows_below,
    site_rows_of,
)

if TYPE_CHECKING:
    from archiver.pipeline.prepare import Prepared

# Holders of each paragraph read in the one query made for all of a new capture's paragraphs, and the
# page size of any further query for one paragraph (4x more on each). Captures already counting
# TEMPLATE_MIN_STORIES come first, and for a site's footer the first few of them almost always tell
# another story than the new capture; 32 also covers a story syndicated 32 times on one site without a
# further query. Holders' paragraphs are loaded HOLDERS_LOAD at a time, as the count needs them. Query and
# batch sizes (the answer never depends on them), not tuned on a corpus.
HOLDERS_FIRST_PAGE = 32  # cost per add: docs/calibration.md#site-templates-cost-per-add
HOLDERS_LOAD = 8
# Same-story captures left out of the spread's read by id: with up to 500 paragraph keys a query stays
# under the 999 bound parameters of older SQLite releases. Any number is exact (the rest are read and
# skipped); 400 covers a story with 400 copies on its site.
SPREAD_SKIP_MAX = 400


def templates_same_story(mine: Sequence[str], theirs: Sequence[str]) -> bool:
    """Whether two captures of a site tell the same story (their shared paragraphs are then body).

    Mostly the same paragraphs: a copy, excerpt or version. Otherwise the verifier compares what is left
    once the paragraphs they share are set aside, so a shared footer never makes two stories "related".
    Symmetric: the pair is put in one order before the verifier sees it.
    """
    if tuple(theirs) < tuple(mine):
        mine, theirs = theirs, mine
    if template_share(mine, theirs) >= TEMPLATE_SAME_STORY_SHARE:
        return True
    mine_keys = {template_key(p) for p in mine}
    theirs_keys = {template_key(p) for p in theirs}
    rest_a = "\n\n".join(p for p in mine if template_key(p) not in theirs_keys)
    rest_b = "\n\n".join(p for p in theirs if template_key(p) not in mine_keys)
    if not rest_a.strip() or not rest_b.strip():
        return False
    return compare_texts(rest_a, rest_b).relation is not None


def templates_canonical(item: Prepared) -> tuple[str, ...]:
    """A prepared capture's paragraphs before learned removal, in the order captures are compared in
    (worked out once per Prepared: `Prepared.canonical`)."""
    if item.canonical is None:
        item.canonical = template_order(template_paragraphs(item.article))
    return item.canonical


def templates_apply(item: Prepared, templates: set[str]) -> Prepared:
    """The prepared capture with these template paragraphs moved to chrome and its fingerprints redone."""
    article = template_apply(item.article, templates)
    if article is item.article:
        return item
    fps = fingerprint_text(article.text)
    return dataclasses.replace(item, article=article, fingerprints=fps, bands={fp.kind: band_keys(fp) for fp in fps})


def templates_paragraphs(
    session: Session, capture_ids: Iterable[int], lasting: set[int] | None = None
) -> dict[int, tuple[str, ...]]:
    """Stored captures' paragraphs before learned removal, in `template_order`: from their text, removed
    template paragraphs and recorded positions.

    `lasting`, if given, receives the captures whose paragraphs cannot change while this cleaner version
    writes the archive (`SiteCache`): made by this cleaner version, every position recorded. Re-cleaning
    such a capture moves paragraphs between its text and its removed template, which this rebuilds alike.
    """
    ids = sorted(set(capture_ids))
    if not ids:
        return {}
    rows = site_rows_of(session, ids)
    texts = texts_of_captures(session, ids)
    removed = chrome_texts_of(session, ids, TEMPLATE_REASON)
    out: dict[int, tuple[str, ...]] = {}
    # copies of a page share their text, and mostly their removed paragraphs and positions: each text is
    # split once, each (text, removed, positions) ordered once
    split: dict[int | None, list[str]] = {}
    orders: dict[tuple[object, ...], tuple[str, ...]] = {}
    for capture_id in ids:
        text_id, body, version = texts.get(capture_id, (None, "", None))
        if text_id not in split:
            split[text_id] = [p for p in body.split("\n\n") if p]
        recorded = rows[capture_id]
        known = recorded and all(position is not None for position, _ in recorded.values())
        positions = {key: position for key, (position, _) in recorded.items() if position is not None}
        order_key = (text_id, tuple(removed[capture_id]), tuple(sorted(positions.items())) if known else None)
        if order_key not in orders:
            texts_before = split[text_id] + removed[capture_id]
            orders[order_key] = template_order(texts_before, positions if known else None)
        out[capture_id] = orders[order_key]
        if lasting is not None and known and version == CLEANER_VERSION:
            lasting.add(capture_id)
    return out


class SiteCache:
    """What a batch of adds (one writer, one archive) has read of its sites and may reuse from add to add.

    - Captures' paragraphs before learned removal, for those that cannot change while this cleaner
      version writes (`templates_paragraphs`' `lasting`): syndicated copies and re-captures of a page are
      the holders of its paragraphs at every add of another copy, each read once instead of at each add,
      and those the batch stores not read at all (`stored`).
    - Same-story verdicts, a pure function of the two captures' paragraphs.
    - Which captures the batch stored on each site with the same paragraphs (`twins`): a re-capture or a
      copy on one site has the counts of such a twin (`templates_learn`).
    Least recently used first out. The batch forgets the captures it re-cleans (`forget`), as
    `reclean_captures` may re-record the paragraphs of one an older cleaner made.
    """

    # captures' paragraphs held. Copies with the same paragraphs share one tuple (`_shared`), so what is held
    # grows with the distinct stories: at most ~10 MB (2,048 distinct aeb-dev stories, ~5 KB of text each).
    # 2,048 hold every earlier copy of a story when ~100 stories of one site recur 20 times in a batch (the
    # 2,000 pages of benchmarks/ingest_throughput.py: at 1,024 each add re-read half its copies). Sized.
    PARAGRAPHS_HELD = 2048
    # verdicts held: a pair of paragraph tuples and a bool. The pairs hold the added captures' own tuples
    # too, so at most ~20 MB (2,048 pairs of distinct ~5 KB stories); the copies of a story, the case it
    # serves, make one pair per holder story. Sized, not tuned.
    VERDICTS_HELD = 2048

    def __init__(self) -> None:
        self._paragraphs: OrderedDict[int, tuple[str, ...]] = OrderedDict()
        self._shared: dict[tuple[str, ...], tuple[tuple[str, ...], int]] = {}  # paragraphs -> (them, holders)
        self._verdicts: OrderedDict[tuple[tuple[str, ...], tuple[str, ...]], bool] = OrderedDict()
        # (site, paragraphs) -> the captures the batch stored there with them, newest last; each one's key here
        self._twins: dict[tuple[str, tuple[str, ...]], dict[int, None]] = {}
        self._twin_of: dict[int, tuple[str, tuple[str, ...]]] = {}

    def paragraphs(self, session: Session, capture_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
        """`templates_paragraphs` of these captures, those already read not read again."""
        out: dict[int, tuple[str, ...]] = {}
        missing = []
        for capture_id in capture_ids:
            if capture_id in self._paragraphs:
                self._paragraphs.move_to_end(capture_id)
                out[capture_id] = self._paragraphs[capture_id]
            else:
                missing.append(capture_id)
        lasting: set[int] = set()
        read = templates_paragraphs(session, missing, lasting)
        for capture_id in sorted(lasting):
            self._hold(capture_id, read[capture_id])
        out.update(read)
        return out

    def stored(self, capture_id: int, site: str, item: Prepared) -> None:
        """A capture the batch has just stored on `site`, as reading it back would give it. Its write
        transaction may still store more; if it is rolled back, the writer empties the cache (`clear`).

        Its paragraphs are `templates_canonical(item)`, which `templates_paragraphs` rebuilds from the
        store (tests/test_site_template_add.py checks that they agree); this cleaner version made it and recorded
        every position, so they last. The next add of its site then need not read it back.
        """
        shared = self._hold(capture_id, templates_canonical(item))
        self._twin_of[capture_id] = (site, shared)
        self._twins.setdefault((site, shared), {})[capture_id] = None

    def twins(self, site: str, paragraphs: tuple[str, ...]) -> list[int]:
        """The captures the batch stored on this site with exactly these paragraphs, newest first."""
        return list(reversed(self._twins.get((site, paragraphs), {})))

    def _hold(self, capture_id: int, paragraphs: tuple[str, ...]) -> tuple[str, ...]:
        self.forget((capture_id,))
        shared, holders = self._shared.get(paragraphs, (paragraphs, 0))
        self._shared[shared] = (shared, holders + 1)
        self._paragraphs[capture_id] = shared
        while len(self._paragraphs) > self.PARAGRAPHS_HELD:
            self._drop(*self._paragraphs.popitem(last=False))
        return shared

    def same_story(self, mine: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
        """`templates_same_story`, each pair of paragraph tuples judged once."""
        pair = (mine, theirs)
        verdict = self._verdicts.get(pair)
        if verdict is None:
            verdict = self._verdicts[pair] = templates_same_story(mine, theirs)
            if len(self._verdicts) > self.VERDICTS_HELD:
                self._verdicts.popitem(last=False)
        else:
            self._verdicts.move_to_end(pair)
        return verdict

    def forget(self, capture_ids: Iterable[int]) -> None:
        for capture_id in capture_ids:
            if capture_id in self._paragraphs:
                self._drop(capture_id, self._paragraphs.pop(capture_id))

    def clear(self) -> None:
        """Hold nothing: what a rolled-back transaction read or stored is gone from the archive."""
        self._paragraphs.clear()
        self._shared.clear()
        self._verdicts.clear()
        self.forget_twins()

    def forget_twins(self) -> None:
        """No capture is anyone's twin any more (their paragraphs are still held)."""
        self._twins.clear()
        self._twin_of.clear()

    def _drop(self, capture_id: int, paragraphs: tuple[str, ...]) -> None:
        shared, holders = self._shared[paragraphs]
        if holders == 1:
            del self._shared[paragraphs]
        else:
            self._shared[paragraphs] = (shared, holders - 1)
        twin = self._twin_of.pop(capture_id, None)
        if twin is not None:
            del self._twins[twin][capture_id]
            if not self._twins[twin]:
                del self._twins[twin]


@dataclass
class SiteSeen:
    """What one add has read of its site: other captures' paragraphs, and whether each tells another story."""

    paragraphs: dict[int, tuple[str, ...]] = field(default_factory=dict)
    other_story: dict[int, bool] = field(default_factory=dict)
    # the verdict is a function of the two captures' paragraphs: copies of one page on a site are judged once
    by_paragraphs: dict[tuple[str, ...], bool] = field(default_factory=dict)
    cache: SiteCache | None = None  # the batch's, when the add is one of a batch
    holders: SiteHolders | None = None  # what `templates_learn` read of the holders of its keys
    counts: dict[str, int] | None = None  # what `templates_learn` counted for the capture (not excluding one)

    def load(self, session: Session, capture_ids: Iterable[int]) -> None:
        missing = [i for i in capture_ids if i not in self.paragraphs]
        if not missing:
            return
        if self.cache is not None:
            self.paragraphs.update(self.cache.paragraphs(session, missing))
        else:
            self.paragraphs.update(templates_paragraphs(session, missing))

    def judge(self, mine: Sequence[str], other: int) -> bool:
        """Whether capture `other` tells another story than `mine` (the capture being added); asked once."""
        if other not in self.other_story:
            theirs = self.paragraphs[other]
            if theirs not in self.by_paragraphs:
                same = (
                    self.cache.same_story(tuple(mine), theirs) if self.cache
                    else templates_same_story(mine, theirs)
                )
                self.by_paragraphs[theirs] = not same
            self.other_story[other] = self.by_paragraphs[theirs]
        return self.other_story[other]


def templates_learn(
    session: Session, site: str | None, item: Prepared, exclude: int | None = None, seen: SiteSeen | None = None
) -> tuple[Prepared, dict[str, int]]:
    """A capture about to be stored, with the template its site's other captures show removed; and its counts.

    `item` is as prepared (before learned removal). The counts (per paragraph key, other stories up to
    TEMPLATE_MIN_STORIES) are what `templates_record` stores. `seen` carries what was read on to
    `templates_spread` for the same capture.
    """
    if site is None:
        return item, {}
    mine = templates_canonical(item)
    seen = seen if seen is not None else SiteSeen()
    keys = template_positions(mine)
    twin = _counts_of_twin(session, site, mine, keys, seen) if exclude is None else None
    if twin is not None:
        seen.counts = twin
        return templates_apply(item, template_keys(twin)), twin
    seen.holders = site_holders_first(session, site, keys, exclude, HOLDERS_FIRST_PAGE)
    first = seen.holders.first
    # the count below reads the first HOLDERS_LOAD holders of every paragraph, whatever it finds: read them
    # for all paragraphs at once (the same captures, in one set of queries instead of one set a paragraph)
    seen.load(session, sorted({i for ids in first.values() for i in ids[:HOLDERS_LOAD]}))

    def holders(key: str) -> Iterator[int]:
        ids = first.get(key, [])
        offset, size = 0, HOLDERS_FIRST_PAGE
        while True:
            for start in range(0, len(ids), HOLDERS_LOAD):
                some = ids[start : start + HOLDERS_LOAD]
                seen.load(session, some)
                yield from some
            if len(ids) < size:
                return
            offset, size = offset + size, size * 4
            ids = site_holders(session, site, key, exclude, offset, size)

    counts = template_counts(keys, holders, lambda other: seen.judge(mine, other))
    seen.counts = counts if exclude is None else None
    return templates_apply(item, template_keys(counts)), counts


def _counts_of_twin(
    session: Session, site: str, mine: tuple[str, ...], keys: dict[str, int], seen: SiteSeen
) -> dict[str, int] | None:
    """The counts of a capture about to be stored, taken from a twin the batch stored: None without one.

    A twin (`SiteCache.twins`: a re-capture, or a copy on the same site) holds the same paragraphs on the same
    site. Each paragraph's other holders are then the same for both, but for the twin itself, which tells
    the same story (checked) and so counts for neither; and each other holder tells another story than
    both or than neither, the verdict being a function of the paragraphs. The twin's stored counts are
    exact (each later capture's spread counts for it, under the write lock; the batch forgets its twins
    when a re-clean may have re-recorded a capture without that, `forget_twins`), so they are this
    capture's own: one read of the twin's rows instead of every holder's (on the 2,000 pages of
    benchmarks/ingest_throughput.py, ~200 rows an add). Twins tell the same story: the spread skips them.
    """
    cache = seen.cache
    twins = cache.twins(site, mine) if cache is not None else []
    if cache is None or not twins or not cache.same_story(mine, mine):
        return None
    counts = site_counts_of(session, twins[0], site)
    if counts.keys() != keys.keys():  # no longer stored as it was (removed by another writer): count afresh
        return None
    for twin in twins:
        seen.paragraphs[twin] = mine
        seen.other_story[twin] = False
    return {key: counts[key] for key in keys}


def templates_record(
    session: Session, capture_id: int, site: str | None, item: Prepared, counts: dict[str, int], fresh: bool = False
) -> None:
    """Record a capture's paragraphs (as prepared, before learned removal) under its site, with their counts.

    fresh=True: the capture is new in this transaction, with nothing recorded yet.
    """
    positions = template_positions(template_paragraphs(item.article))
    rows = [(k, p, counts.get(k, 0)) for k, p in positions.items()]
    site_paragraphs_put(session, capture_id, site, rows, fresh=fresh)


def templates_spread(
    session: Session, capture_id: int, site: str | None, item: Prepared, seen: SiteSeen | None = None
) -> list[int]:
    """Count a newly stored capture for the site's earlier captures it shares paragraphs with.

    Each earlier capture that tells another story gains one for every paragraph they share that it
    counted below TEMPLATE_MIN_STORIES; returns the captures for which one of them reached it (their
    text must lose that paragraph now), in id order. Same-story is symmetric, so the verdicts
    `templates_learn` reached for the new capture (`seen`) are not asked again.
    """
    if site is None:
        return []
    mine = templates_canonical(item)
    seen = seen if seen is not None else SiteSeen()
    held: dict[int, list[tuple[str, int]]] = {}
    # captures already judged to tell this story gain nothing: their rows are not read (a page's copies)
    same = sorted(other for other, told in seen.other_story.items() if not told)[:SPREAD_SKIP_MAX]
    # a paragraph the count found no other story holding (0) is held by captures of this story only: they
    # gain nothing, and their rows (a copied story's body, on each of its copies) are not read
    counted = seen.counts
    keys = [key for key in template_positions(mine) if counted is None or counted.get(key) != 0]
    # the keys whose every holder `templates_learn` read: their rows are as it read them (nothing in between
    # changed another capture's counts); the other keys' rows below the threshold are read now
    read = seen.holders if seen.holders is not None else SiteHolders({}, [], set())
    skipped, wanted = set(same), set(keys)
    below = [
        (other, key, n) for other, key, n in read.rows
        if n < TEMPLATE_MIN_STORIES and other != capture_id and other not in skipped and key in wanted
    ]
    rest = [key for key in keys if key not in read.whole]
    if rest:
        below += site_rows_below(session, site, rest, TEMPLATE_MIN_STORIES, capture_id, skip=same)
    for other, key, n in sorted(below):
        held.setdefault(other, []).append((key, n))
    seen.load(session, held)
    grown = []
    for other in sorted(held):
        if not seen.judge(mine, other):
            continue
        site_count_up(session, other, [key for key, _ in held[other]], TEMPLATE_MIN_STORIES)
        if any(n + 1 >= TEMPLATE_MIN_STORIES for _, n in held[other]):
            grown.append(other)
    return grown


def templates_of_capture(session: Session, capture_id: int) -> set[str]:
    """The keys of a stored capture's paragraphs that are its site's template (as counted in the store)."""
    rows = site_rows_of(session, [capture_id])[capture_id]
    return template_keys({key: n for key, (_, n) in rows.items()})


class SitePool:
    """Every capture's paragraphs before learned removal, in memory by site: what `archive reprocess` counts from."""

    def __init__(self) -> None:
        self.paragraphs: dict[int, tuple[str, ...]] = {}
        self.site: dict[int, str] = {}
        self.by_key: dict[tuple[str, str], list[int]] = {}
        self.verdicts: dict[tuple[int, int], bool] = {}

    def add(self, capture_id: int, site: str | None, paragraphs: Sequence[str]) -> None:
        """A capture of `site`, with its paragraphs in `template_order`."""
        if site is None:
            return
        self.paragraphs[capture_id] = tuple(paragraphs)
        self.site[capture_id] = site
        for key in template_positions(paragraphs):
            self.by_key.setdefault((site, key), []).append(capture_id)

    def same_story(self, a: int, b: int) -> bool:
        pair = (min(a, b), max(a, b))
        if pair not in self.verdicts:
            self.verdicts[pair] = templates_same_story(self.paragraphs[a], self.paragraphs[b])
        return self.verdicts[pair]

    def counts(self, capture_id: int) -> dict[str, int]:
        """Per paragraph key of the capture: other captures of its site holding it that tell another story (capped)."""
        if capture_id not in self.paragraphs:
            return {}
        site = self.site[capture_id]

        def holders(key: str) -> Iterator[int]:
            return (i for i in self.by_key[(site, key)] if i != capture_id)

        return template_counts(
            template_positions(self.paragraphs[capture_id]), holders, lambda i: not self.same_story(capture_id, i)
        )
