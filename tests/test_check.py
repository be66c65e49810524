"""`archive check` passes on a sound archive and names each kind of damage, on both backends."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest
from conftest import SEED_FILES, SEEDS, Run
from sqlalchemy import delete, select, text

from archiver.config import database_url
from archiver.fingerprint import band_keys
from archiver.store.blobs import blob_compress, blob_decompress
from archiver.store.engine import Archive
from archiver.store.models import Blob, FingerprintBand, FingerprintRow
from archiver.types import Fingerprint


def seeded(run: Run) -> None:
    code, _ = run.add_json(*[str(SEEDS / f) for f in SEED_FILES])
    assert code == 0


def damage(db: str, *statements: tuple[str, dict]) -> None:
    """Run statements with reference checks off (as a crash or a bad hand edit would leave things)."""
    if "://" not in db:
        con = sqlite3.connect(db)  # foreign keys are off unless a connection turns them on
        with con:
            for sql, params in statements:
                con.execute(sql, params)
        con.close()
        return
    with Archive(database_url(db)) as archive, archive.engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # skip foreign-key triggers
        for sql, params in statements:
            conn.execute(text(sql), params)


def check(run: Run) -> tuple[int, list[dict]]:
    """The exit code and the problems of `check --json` (its last line, the verdict, left out)."""
    result = run("check", "--json")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert "verdict" in lines[-1]
    return result.exit_code, lines[:-1]


def test_a_sound_archive_passes(run: Run) -> None:
    seeded(run)
    result = run("check")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip().splitlines()[-1] == "archive ok"


def test_an_empty_archive_passes(run: Run) -> None:
    Archive(database_url(str(run.db))).close()  # made and migrated, nothing added (check creates nothing)
    assert run("check").exit_code == 0


def scalar(db: str, sql: str) -> object:
    with Archive(database_url(db)) as archive, archive.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


CASES = {
    "blob": lambda db: [(
        "UPDATE blob SET data = :d WHERE sha256 = (SELECT MIN(sha256) FROM blob)",
        {"d": blob_compress(b"<html>tampered</html>")},
    )],
    "blob-undecompressable": lambda db: [(
        "UPDATE blob SET data = :d WHERE sha256 = (SELECT MIN(sha256) FROM blob)", {"d": b"not zstd"},
    )],
    "blob-unknown-codec": lambda db: [(
        "UPDATE blob SET compression = 'brotli' WHERE sha256 = (SELECT MIN(sha256) FROM blob)", {},
    )],
    "text": lambda db: [("UPDATE text SET body = body || ' tampered' WHERE id = 1", {})],
    "fingerprint": lambda db: [(
        "UPDATE fingerprint SET value = :v WHERE text_id = 1 AND kind = 'minhash'", {"v": b"\x00" * 512},
    )],
    "band": lambda db: [("DELETE FROM fingerprint_band WHERE text_id = 1 AND kind = 'skeleton'", {})],
    "lineage": lambda db: [
        ("DELETE FROM lineage_edge", {}),
        ("INSERT INTO lineage_edge (child_id, parent_id, relation, score, evidence) "
         "VALUES (1, 2, 'copy', 1.0, '[]'), (2, 3, 'copy', 1.0, '[]'), (3, 1, 'copy', 1.0, '[]')", {}),
    ],
    "orphan": lambda db: [("UPDATE credit SET capture_id = 999 WHERE id = (SELECT MIN(id) FROM credit)", {})],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_kind_of_damage_is_found(run: Run, case: str) -> None:
    seeded(run)
    damage(str(run.db), *CASES[case](str(run.db)))
    code, problems = check(run)
    assert code == 5, problems
    want = case.split("-")[0]
    assert any(p["check"] == want and p["severity"] == "error" for p in problems), problems


def test_stale_fingerprint_versions_are_notes_not_damage(run: Run) -> None:
    seeded(run)
    with Archive(database_url(str(run.db))) as archive, archive.session() as session:
        for row in session.scalars(select(FingerprintRow)):  # as an older release would have stored them
            old = Fingerprint(row.kind, row.algorithm, 0, row.params, row.value) if row.kind == "skeleton" else None
            if old is not None:
                row.version = 0
                session.execute(delete(FingerprintBand).where(
                    FingerprintBand.text_id == row.text_id, FingerprintBand.kind == "skeleton"))
                session.add_all(FingerprintBand(kind="skeleton", band_key=k, text_id=row.text_id)
                                for k in band_keys(old))
        session.commit()
    code, problems = check(run)
    assert code == 0, problems
    assert problems and {p["check"] for p in problems} == {"fingerprint-stale"}
    assert all(p["severity"] == "info" for p in problems)


def test_blobs_stored_with_zlib_before_zstd_still_read(run: Run, tmp_path: Path) -> None:
    """An archive whose blobs an earlier release stored with zlib: checked, exported, re-cleaned as before."""
    seeded(run)
    exported = tmp_path / "before.jsonl"
    assert run("export", "-o", str(exported)).exit_code == 0
    with Archive(database_url(str(run.db))) as archive, archive.session() as session:
        assert set(session.scalars(select(Blob.compression))) == {"zstd"}
        for blob in session.scalars(select(Blob)):
            raw = blob_decompress(blob.compression, blob.data)
            blob.compression, blob.data = "zlib", zlib.compress(raw, 2)
        session.commit()
    code, problems = check(run)
    assert code == 0, problems
    again = tmp_path / "after.jsonl"
    assert run("export", "-o", str(again)).exit_code == 0
    assert again.read_text() == exported.read_text()
    assert run("reprocess").exit_code == 0

