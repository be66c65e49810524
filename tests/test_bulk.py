"""Bulk writes (`archiver.store.bulk`): rows written in one round trip read back exactly, on both backends."""

from __future__ import annotations

from sqlalchemy import select, text

from archiver.config import database_url
from archiver.fingerprint import band_keys, fingerprint_text
from archiver.store.bulk import analyze, bulk_insert, bulk_insert_returning_ids
from archiver.store.engine import Archive
from archiver.store.models import FingerprintBand, FingerprintRow, TextRow

BODIES = [f"Story {i}: the council met on Tuesday and voted {i} to {9 - i} on the bridge budget." for i in range(7)]


def test_bulk_rows_read_back_exactly_with_ids_in_order(new_db: str) -> None:
    with Archive(database_url(new_db)) as archive, archive.session() as session:
        first = bulk_insert_returning_ids(session, TextRow.__table__, [
            {"sha256": f"{i:064x}", "body": "first", "chars": 5, "words": 1} for i in range(100, 103)])
        texts = [{"sha256": f"{i:064x}", "body": b, "chars": len(b), "words": len(b.split())}
                 for i, b in enumerate(BODIES)]
        ids = bulk_insert_returning_ids(session, TextRow.__table__, texts)
        assert len(set(ids)) == len(BODIES) and min(ids) > max(first)
        fingerprints, bands = [], []
        for text_id, body in zip(ids, BODIES, strict=True):
            for fp in fingerprint_text(body):
                fingerprints.append({"text_id": text_id, "kind": fp.kind, "algorithm": fp.algorithm,
                                     "version": fp.version, "params": fp.params, "value": fp.value})
                bands += [{"kind": fp.kind, "band_key": k, "text_id": text_id} for k in sorted(set(band_keys(fp)))]
        bulk_insert(session, FingerprintRow.__table__, fingerprints)
        bulk_insert(session, FingerprintBand.__table__, bands)
        bulk_insert(session, FingerprintBand.__table__, [])  # nothing to write is no statement
        analyze(session, [TextRow.__table__, FingerprintRow.__table__, FingerprintBand.__table__])
        session.commit()

        # each id is the row written from the same position: the bodies come back in the order given
        by_id = {t.id: t.body for t in session.scalars(select(TextRow))}
        assert [by_id[i] for i in ids] == BODIES
        stored = sorted((r.text_id, r.kind, r.algorithm, r.version, r.params, bytes(r.value))
                        for r in session.scalars(select(FingerprintRow)))
        assert stored == sorted((f["text_id"], f["kind"], f["algorithm"], f["version"], f["params"], f["value"])
                                for f in fingerprints)
        keys = sorted((r.kind, bytes(r.band_key), r.text_id) for r in session.scalars(select(FingerprintBand)))
        assert keys == sorted((b["kind"], b["band_key"], b["text_id"]) for b in bands)


def _schema_objects(session) -> list[tuple]:  # type: ignore[no-untyped-def]
    """Every index and constraint of the archive's tables, with its definition (PostgreSQL)."""
    from sqlalchemy import text

    indexes = session.execute(text("SELECT tablename, indexname, indexdef FROM pg_indexes "
                                   "WHERE schemaname = current_schema()")).all()
    constraints = session.execute(text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = current_schema()::regnamespace")).all()
    return sorted(map(tuple, indexes)) + sorted(map(tuple, constraints))


def test_bulk_loading_remakes_every_index_and_constraint_and_still_refuses_duplicates(new_db: str) -> None:
    import pytest
    from sqlalchemy import exc

    from archiver.store.bulk import bulk_loading
    from archiver.store.models import Blob, CaptureRow

    tables = [t.__table__ for t in (Blob, TextRow, FingerprintRow, FingerprintBand, CaptureRow)]
    rows = [{"sha256": f"{i:064x}", "body": b, "chars": len(b), "words": len(b.split())} for i, b in enumerate(BODIES)]
    with Archive(database_url(new_db)) as archive, archive.session() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        before = _schema_objects(session) if postgres else []
        with bulk_loading(session, tables):
            ids = bulk_insert_returning_ids(session, TextRow.__table__, rows)
            bulk_insert(session, FingerprintBand.__table__, [("minhash", b"k%d" % i, i) for i in ids],
                        columns=("kind", "band_key", "text_id"))
        session.commit()
        if postgres:
            assert _schema_objects(session) == before
        assert sorted(session.scalars(select(FingerprintBand.text_id))) == sorted(ids)

        # a duplicate text (unique sha256) fails the load, and the rollback leaves the tables as they were
        with pytest.raises(exc.IntegrityError), bulk_loading(session, tables):
            bulk_insert_returning_ids(session, TextRow.__table__, rows[:1])
        session.rollback()
        if postgres:
            assert _schema_objects(session) == before
        assert len(session.scalars(select(TextRow)).all()) == len(BODIES)


def test_analyze_after_a_bulk_load_samples_the_key_columns_not_the_bodies(new_db: str, backend: str) -> None:
    """PostgreSQL: the statistics a bulk load refreshes are those of the columns rows are looked up by; the
    bodies (and the full-text index's expression over them, the costly part) are left to autovacuum."""
    with Archive(database_url(new_db)) as archive, archive.session() as session:
        bulk_insert_returning_ids(session, TextRow.__table__, [
            {"sha256": f"{i:064x}", "body": b, "chars": len(b), "words": len(b.split())} for i, b in enumerate(BODIES)])
        analyze(session, [TextRow.__table__])
        session.commit()
        if backend != "postgresql":
            return
        sampled = set(session.scalars(text(
            "SELECT attname FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'text'")))
        assert sampled == {"id", "sha256"}
        expression = session.scalar(text(
            "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'ix_text_body_fts'"))
        assert expression == 0
