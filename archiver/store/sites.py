"""Site paragraph rows: each capture's paragraph keys by site, with the counts site templates are learned from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, bindparam, delete, func, select, update

from archiver.store import tables
from archiver.store.driversql import DriverStatement, insert_every_column

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from archiver.store.tables import Reader

_SITE = tables.site_paragraph

# The order a paragraph's holders are read in by both holder queries (a first page, then further pages)
_HOLDER_ORDER = (_SITE.c.other_stories.desc(), _SITE.c.capture_id.desc())

_SITE_ROWS_DELETE = delete(_SITE).where(_SITE.c.capture_id == bindparam("capture"))

_SITE_ROWS_BELOW = DriverStatement(select(_SITE.c.capture_id, _SITE.c.paragraph_hash, _SITE.c.other_stories).where(
    _SITE.c.site == bindparam("site"),
    _SITE.c.paragraph_hash.in_(bindparam("keys", expanding=True)),
    _SITE.c.other_stories < bindparam("cap"),
    _SITE.c.capture_id != bindparam("exclude"),
    _SITE.c.capture_id.not_in(bindparam("skip", expanding=True)),
), lists=("keys", "skip"))


_SITE_COUNT_UP = DriverStatement(
    update(_SITE)
    .where(
        _SITE.c.capture_id == bindparam("capture"),
        _SITE.c.paragraph_hash.in_(bindparam("keys", expanding=True)),
        _SITE.c.other_stories < bindparam("cap"),
    )
    .values(other_stories=_SITE.c.other_stories + 1),
    lists=("keys",),
)


_SITE_INSERT = insert_every_column(_SITE)

_SITE_ROWS_OF = DriverStatement(select(
    _SITE.c.capture_id, _SITE.c.paragraph_hash, _SITE.c.position, _SITE.c.other_stories
).where(_SITE.c.capture_id.in_(bindparam("captures", expanding=True))), lists=("captures",))


_SITE_COUNTS_AT = DriverStatement(select(_SITE.c.paragraph_hash, _SITE.c.other_stories).where(
    _SITE.c.capture_id == bindparam("capture"), _SITE.c.site == bindparam("site")
))


def site_paragraphs_put(
    session: Session,
    capture_id: int,
    site: str | None,
    rows: Iterable[tuple[str, int | None, int]],
    fresh: bool = False,
) -> None:
    """Replace a capture's paragraph rows: (key, first position, other stories), none when the site is unknown.

    fresh=True: the capture was stored in this transaction and has no rows yet (no delete needed).
    """
    if not fresh:
        session.execute(_SITE_ROWS_DELETE, {"capture": capture_id})
    if site is None:
        return
    values = [
        {"capture_id": capture_id, "paragraph_hash": key, "site": site, "position": position, "other_stories": n}
        for key, position, n in sorted(rows, key=lambda r: r[0])
    ]
    if values:
        _SITE_INSERT.run_many(session, values)


@dataclass(frozen=True)
class _HolderQueries:
    """The holder reads, built once per variant (with or without an excluded capture)."""

    counts: DriverStatement  # holders per key
    every: DriverStatement  # (key, capture, other stories) per holder; keys descending, holder order
    page: DriverStatement  # one page of one key's holders, in holder order


def _holder_queries(exclude: bool) -> _HolderQueries:
    keyed: list[ColumnElement[bool]] = [
        _SITE.c.site == bindparam("site"), _SITE.c.paragraph_hash.in_(bindparam("keys", expanding=True))
    ]
    one: list[ColumnElement[bool]] = [
        _SITE.c.site == bindparam("site"), _SITE.c.paragraph_hash == bindparam("key")
    ]
    if exclude:
        keyed.append(_SITE.c.capture_id != bindparam("exclude"))
        one.append(_SITE.c.capture_id != bindparam("exclude"))
    return _HolderQueries(
        counts=DriverStatement(
            select(_SITE.c.paragraph_hash, func.count()).where(*keyed).group_by(_SITE.c.paragraph_hash),
            lists=("keys",),
        ),
        # all columns descending: the (site, key, other stories, capture) index read backwards, no sort
        every=DriverStatement(
            select(_SITE.c.paragraph_hash, _SITE.c.capture_id, _SITE.c.other_stories)
            .where(*keyed)
            .order_by(_SITE.c.paragraph_hash.desc(), *_HOLDER_ORDER),
            lists=("keys",),
        ),
        page=DriverStatement(
            select(_SITE.c.capture_id).where(*one).order_by(*_HOLDER_ORDER)
            .offset(bindparam("offset")).limit(bindparam("limit"))
        ),
    )


_HOLDERS = {False: _holder_queries(False), True: _holder_queries(True)}


def site_holders(session: Session, site: str, key: str, exclude: int | None, offset: int, limit: int) -> list[int]:
    """One page of the site's captures holding a paragraph: those counting most other stories first."""
    params = {"site": site, "key": key, "exclude": exclude, "offset": offset, "limit": limit}
    return [capture_id for (capture_id,) in _HOLDERS[exclude is not None].page.rows(session, params)]


@dataclass
class SiteHolders:
    """What `site_holders_first` read of the holders of a capture's paragraph keys."""

    first: dict[str, list[int]]  # key -> its first holders, in `site_holders` order; keys none holds absent
    rows: list[tuple[int, str, int]]  # (capture, key, other stories) of every holder of the keys in `whole`
    whole: set[str]  # the keys whose every holder is in `rows` (those no other capture holds included)


def site_holders_first(
    session: Session, site: str, keys: Iterable[str], exclude: int | None, limit: int
) -> SiteHolders:
    """The first `limit` holders of each paragraph key, in `site_holders` order, with what was read whole.

    Counted first (the index alone); the keys held `limit` times or fewer are then read whole in one query,
    the others (a site's footer on hundreds of stories) one `site_holders` page each. A capture of 40
    paragraphs each held by 20 copies (aeb-dev, SQLite): 0.42 ms in SQLite, where one window query ranking
    every holder took 1.25 ms; a footer's hundreds of holders are counted, not ranked. The rows read whole
    also serve `templates_spread` of the same add, which then reads only the keys held more often.
    """
    unique = sorted(set(keys))
    out = SiteHolders({}, [], set(unique))
    queries = _HOLDERS[exclude is not None]
    for start in range(0, len(unique), 500):
        params = {"site": site, "keys": unique[start : start + 500], "exclude": exclude}
        held = dict(queries.counts.rows(session, params))
        few = sorted(k for k, n in held.items() if n <= limit)
        if few:
            for key, capture_id, n in queries.every.rows(session, {**params, "keys": few}):
                out.first.setdefault(key, []).append(capture_id)
                out.rows.append((capture_id, key, n))
        for key in sorted(k for k, n in held.items() if n > limit):
            out.first[key] = site_holders(session, site, key, exclude, 0, limit)
            out.whole.discard(key)
    return out


def site_rows_below(
    session: Session, site: str, keys: Iterable[str], cap: int, exclude: int, skip: Sequence[int] = ()
) -> list[tuple[int, str, int]]:
    """(capture, key, other stories) of the site's other captures holding one of the keys, below `cap`.

    Captures in `skip` (besides `exclude`) are left out.
    """
    unique = sorted(set(keys))
    out: list[tuple[int, str, int]] = []
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        params = {"site": site, "keys": chunk, "cap": cap, "exclude": exclude, "skip": skip}
        out.extend(_SITE_ROWS_BELOW.rows(session, params))
    return sorted(out)


def site_count_up(session: Session, capture_id: int, keys: Iterable[str], cap: int) -> None:
    """One more other story for these paragraphs of a capture (those still below `cap`)."""
    unique = sorted(set(keys))
    for start in range(0, len(unique), 500):
        params = {"capture": capture_id, "keys": unique[start : start + 500], "cap": cap}
        _SITE_COUNT_UP.run(session, params)


def site_rows_of(session: Session, capture_ids: Iterable[int]) -> dict[int, dict[str, tuple[int | None, int]]]:
    """Per capture: its site paragraph keys -> (first position, other stories)."""
    ids = sorted(set(capture_ids))
    out: dict[int, dict[str, tuple[int | None, int]]] = {i: {} for i in ids}
    for start in range(0, len(ids), 500):
        rows = _SITE_ROWS_OF.rows(session, {"captures": ids[start : start + 500]})
        for capture_id, key, position, n in rows:
            out[capture_id][key] = (position, n)
    return out


def site_counts_of(session: Session, capture_id: int, site: str) -> dict[str, int]:
    """A capture's paragraph keys recorded under this site -> their other stories; empty if none are."""
    return {key: n for key, n in _SITE_COUNTS_AT.rows(session, {"capture": capture_id, "site": site})}


def site_of_capture(session: Reader, capture_id: int) -> str | None:
    """The site key a capture's paragraphs were recorded under, if any."""
    site: str | None = session.scalars(select(_SITE.c.site).where(_SITE.c.capture_id == capture_id).limit(1)).first()
    return site
