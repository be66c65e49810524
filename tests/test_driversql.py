"""The writer's statements run on the driver's cursor read and write what SQLAlchemy would, on both backends.

On a real archive (the seed captures, added through the CLI): every such statement's rows equal
`session.execute`'s for IN lists of every length the padding renders (0, 1, a power of two, between two),
typed values (capture times, JSON evidence) come back as SQLAlchemy gives them, written JSON and times read
back alike, and a driver error is SQLAlchemy's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import ROOT, Run
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, insert, select
from sqlalchemy import exc as sa_exc

from archiver.config import database_url
from archiver.store.captures import _CAPTURE, _CREDIT_NAMES, _TEXTS_OF_CAPTURES
from archiver.store.driversql import DriverStatement
from archiver.store.engine import Archive
from archiver.store.matches import (
    _EDGE_INSERT,
    _EDGES_DELETE,
    _EDGES_OF,
    _FAMILY_MATCHES,
    _FAMILY_PAGE_TEXTS,
    _LINEAGE_MEMBERS,
)
from archiver.store.models import LineageEdge
from archiver.store.pages import (
    _PAGE_CAPTURES,
    _PAGE_HEADS,
    _PAGE_URL,
    _PAGE_VERSION,
    _PAGE_VERSION_ROWS,
    _PAGE_VERSION_UPDATE,
)
from archiver.store.sites import _HOLDERS, _SITE, _SITE_COUNTS_AT, _SITE_ROWS_BELOW, _SITE_ROWS_OF
from archiver.types import utc

SEEDS = sorted((ROOT / "examples" / "seeds").glob("0*.txt"))


@pytest.fixture
def seeded(run: Run, tmp_path: Path) -> Run:
    """The seeds, and two captures of one page (a URL given): a page with versions."""
    code, rows = run.add_json(*map(str, SEEDS))
    assert code == 0 and len(rows) == len(SEEDS), rows
    for k in range(2):
        copy = tmp_path / f"capture{k}.txt"
        copy.write_bytes(SEEDS[0].read_bytes() + b"\n" * (k + 1))
        code, rows = run.add_json("--url", "https://www.example.org/news/story", str(copy))
        assert code == 0, rows
    return run


def through_sqlalchemy(session, statement: DriverStatement, params: dict) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [tuple(row) for row in session.execute(statement.statement, params)]


def test_reads_equal_sqlalchemys_for_every_list_length(seeded: Run) -> None:
    with Archive(database_url(str(seeded.db))) as archive, archive.session() as session:
        captures = [i for (i,) in session.execute(select(_CAPTURE.c.id).order_by(_CAPTURE.c.id))]
        texts = sorted({t for (t,) in session.execute(select(_CAPTURE.c.text_id))})
        holder, site, key = session.execute(
            select(_SITE.c.capture_id, _SITE.c.site, _SITE.c.paragraph_hash).limit(1)
        ).one()
        keys = [k for (k,) in session.execute(select(_SITE.c.paragraph_hash).where(_SITE.c.site == site))]
        assert len(captures) >= 5 and len(keys) >= 5
        checked = 0
        for n in (0, 1, 2, 3, 4, 5):  # 3 and 5 are padded (to 4 and 8) with their last value
            some_captures, some_texts, some_keys = captures[:n], texts[:n], keys[:n]
            cases = [
                (_LINEAGE_MEMBERS, {"texts": some_texts}),  # capture times: typed as SQLAlchemy types them
                (_CREDIT_NAMES, {"captures": some_captures}),
                (_EDGES_OF, {"children": some_captures}),  # JSON evidence
                (_SITE_ROWS_OF, {"captures": some_captures}),
                (_SITE_ROWS_BELOW, {"site": site, "keys": some_keys, "cap": 3, "exclude": -1,
                                          "skip": some_captures[:1]}),
                (_HOLDERS[True].every, {"site": site, "keys": some_keys, "exclude": captures[0]}),
                (_HOLDERS[False].counts, {"site": site, "keys": some_keys}),
                (_TEXTS_OF_CAPTURES, {"captures": some_captures}),
                (_FAMILY_MATCHES, {"texts": some_texts}),  # JSON evidence, a list used twice
                (_FAMILY_PAGE_TEXTS, {"texts": some_texts}),
            ]
            for statement, params in cases:
                expected = through_sqlalchemy(session, statement, params)
                assert [tuple(r) for r in statement.rows(session, params)] == expected, (str(statement.statement), n)
                checked += bool(expected)
        assert checked >= 30  # most cases read rows: the comparison is not of empty lists
        members = _LINEAGE_MEMBERS.rows(session, {"texts": texts})
        assert all(isinstance(m.captured_at, datetime) for m in members)
        page = session.execute(select(_CAPTURE.c.page_id).where(_CAPTURE.c.page_id.is_not(None))).scalar()
        for statement, params in [
            (_PAGE_CAPTURES, {"page": page}), (_PAGE_VERSION_ROWS, {"page": page}),
            (_PAGE_HEADS, {"page": page}), (_PAGE_URL, {"page": page}),
            (_SITE_COUNTS_AT, {"capture": holder, "site": site}),
            (_HOLDERS[False].page, {"site": site, "key": key, "offset": 0, "limit": 2}),
        ]:
            expected = through_sqlalchemy(session, statement, params)
            got = [tuple(r) for r in statement.rows(session, params)]
            assert expected and got == expected, str(statement.statement)


def test_writes_read_back_as_sqlalchemy_wrote_them(seeded: Run) -> None:
    """An edge's JSON evidence and a page version's time, written on the driver's cursor, read back through
    the ORM as written; a value not given is refused; an integrity error is SQLAlchemy's IntegrityError."""
    with Archive(database_url(str(seeded.db))) as archive, archive.session() as session:
        child, parent = session.execute(
            select(_CAPTURE.c.id).order_by(_CAPTURE.c.id.desc()).limit(2)
        ).scalars().all()
        _EDGES_DELETE.run(session, {"children": [child]})
        evidence = ["the same clean text as #1 (exact fingerprint)", "credits «NPR», the publisher of #1"]
        _EDGE_INSERT.run_many(session, [
            {"child_id": child, "parent_id": parent, "relation": "copy", "score": 0.875, "evidence": evidence}
        ])
        edge = session.get(LineageEdge, child)
        assert edge is not None and (edge.parent_id, edge.relation, edge.score, edge.evidence) == (
            parent, "copy", 0.875, evidence
        )
        with pytest.raises(ValueError, match="no value for 'evidence'"):  # refused, as SQLAlchemy does, not NULL
            _EDGE_INSERT.run_many(session, [{"child_id": child, "parent_id": parent, "relation": "copy",
                                                    "score": 1.0}])
        with pytest.raises(sa_exc.IntegrityError):
            _EDGE_INSERT.run_many(session, [
                {"child_id": child, "parent_id": parent, "relation": "copy", "score": 1.0, "evidence": []}
            ])
        session.rollback()

        page, version = session.execute(select(_PAGE_VERSION.c.page_id, _PAGE_VERSION.c.version)).first()  # type: ignore[misc]
        when = datetime(2026, 11, 21, 18, 30, 5, 123456, tzinfo=UTC)
        row = _PAGE_VERSION_ROWS.rows(session, {"page": page})[0]
        _PAGE_VERSION_UPDATE.run_many(session, [{
            "page": page, "old_version": version, "new_capture_id": row.capture_id, "new_captures": 7,
            "new_last_captured_at": when, "new_words_added": None, "new_words_removed": None,
        }])
        through_orm = session.execute(
            select(_PAGE_VERSION.c.captures, _PAGE_VERSION.c.last_captured_at)
            .where(_PAGE_VERSION.c.page_id == page, _PAGE_VERSION.c.version == version)
        ).one()
        assert through_orm.captures == 7
        assert utc(through_orm.last_captured_at) == when
        session.rollback()


def test_a_statement_whose_table_has_python_side_defaults_is_refused() -> None:
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer, default=0))
    with pytest.raises(ValueError, match="defaults"):
        DriverStatement(insert(table).values(id=bindparam("id")))

