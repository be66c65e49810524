"""The passage index (`archiver.store.passages`): holders of a sentence read back bounded, on both backends."""

from __future__ import annotations

from archiver.config import database_url
from archiver.store.bulk import bulk_insert, bulk_insert_returning_ids
from archiver.store.engine import Archive
from archiver.store.models import TextPassage, TextRow
from archiver.store.passages import passage_holders


def test_holders_are_the_lowest_ids_and_a_key_needs_its_minimum(new_db: str) -> None:
    with Archive(database_url(new_db)) as archive, archive.session() as session:
        ids = bulk_insert_returning_ids(session, TextRow.__table__, [
            {"sha256": f"{i:064x}", "body": f"text {i}", "chars": 6, "words": 2} for i in range(150)])
        rows = [(ids[i], "c" * 16, 12) for i in range(150)]  # a credit line in every text
        rows += [(ids[i], "b" * 16, 9) for i in (7, 3, 90)]  # a sentence in three texts
        rows += [(ids[i], "a" * 16, 9) for i in (5, 6)]  # and one in two
        rows += [(ids[i], f"{i:016x}", 10) for i in range(150)]  # a sentence of each text's own
        bulk_insert(session, TextPassage.__table__, rows, columns=("text_id", "passage_key", "words"))
        session.flush()
        keys = ["a" * 16, "b" * 16, "c" * 16, "f" * 16, f"{3:016x}"]
        assert passage_holders(session, keys, min_holders=3, limit=64) == {
            "b" * 16: [ids[3], ids[7], ids[90]], "c" * 16: ids[:64]}
        assert passage_holders(session, keys, min_holders=2, limit=2) == {
            "a" * 16: [ids[5], ids[6]], "b" * 16: [ids[3], ids[7]], "c" * 16: ids[:2]}
        # more keys than one statement takes
        many = [f"{i:016x}" for i in range(150)] + ["c" * 16]
        holders = passage_holders(session, many, min_holders=1, limit=1)
        assert len(holders) == 151 and holders[f"{42:016x}"] == [ids[42]] and holders["c" * 16] == [ids[0]]
