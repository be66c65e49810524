"""Bulk writes (`archiver.store.bulk`): rows written in one round trip read back exactly, on both backends."""

from __future__ import annotations

from sqlalchemy import select

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
