"""`archive check`: is everything stored still what it claims to be? Read-only; returns problems.

Checks raw blobs against their SHA-256, texts against theirs, fingerprints and LSH band rows against
the texts (for the current algorithm versions; older versions are reported as stale, not corrupt),
lineage (one parent per child, no cycles), references between tables on every backend, and on SQLite
the file's own integrity and foreign-key checks.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select, table, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from archiver.fingerprint import band_keys, fingerprint_text
from archiver.store.blobs import BLOB_CORRUPT, blob_decompress
from archiver.store.engine import Archive
from archiver.store.models import (
    Blob,
    CaptureRow,
    ChromeRow,
    CreditRow,
    FingerprintBand,
    FingerprintRow,
    LineageEdge,
    TextMatch,
    TextRow,
)
from archiver.types import Fingerprint

CHECK_BATCH = 200  # rows read per round trip: keeps memory flat on archives of 100k+ pages (blobs ~ 50 KB)
MAX_PER_CHECK = 50  # problems listed per check before summarising; a broken archive gives one readable report


@dataclass(frozen=True)
class Problem:
    """One finding: `severity` is "error" (data is wrong or missing) or "info" (stale but consistent)."""

    check: str
    severity: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class _Found:
    """Problems of one check, capped at MAX_PER_CHECK with a count of the rest."""

    def __init__(self, out: list[Problem], check: str, severity: str = "error") -> None:
        self.out, self.check, self.severity, self.count = out, check, severity, 0

    def add(self, message: str) -> None:
        self.count += 1
        if self.count <= MAX_PER_CHECK:
            self.out.append(Problem(self.check, self.severity, message))

    def close(self) -> None:
        if self.count > MAX_PER_CHECK:
            self.out.append(
                Problem(self.check, self.severity, f"... and {self.count - MAX_PER_CHECK} more like these")
            )


def check_archive(archive: Archive) -> list[Problem]:
    """Every problem found in the archive (empty when it is sound).

    A check the database cannot answer (a damaged file: "database disk image is malformed") is itself a
    finding, and the other checks still run: a damaged archive gets a report of what could be read.
    """
    out: list[Problem] = []
    steps = [check_references, check_blobs, check_texts, check_fingerprints, check_lineage]
    if archive.engine.dialect.name == "sqlite":
        steps.insert(0, check_sqlite_file)
    with archive.session() as session:
        for step in steps:
            try:
                step(session, out)
            except sa_exc.DBAPIError as e:
                session.rollback()
                name = step.__name__.removeprefix("check_").replace("_", "-")
                out.append(Problem(name, "error", f"cannot be checked: {_db_reason(e)}"))
    return out


def _db_reason(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


def check_sqlite_file(session: Session, out: list[Problem]) -> None:
    """SQLite's own page-level integrity check, its foreign-key check, and which tables can be read."""
    found = _Found(out, "sqlite-integrity")
    try:
        for (line,) in session.execute(text("PRAGMA integrity_check")):
            if line != "ok":
                found.add(str(line))
    except sa_exc.DBAPIError as e:
        session.rollback()
        found.add(f"integrity check stopped: {_db_reason(e)}")
    found.close()
    check_sqlite_tables(session, out)
    found = _Found(out, "foreign-key")
    for row in session.execute(text("PRAGMA foreign_key_check")):
        found.add(f"{row[0]} row {row[1]} refers to a missing {row[2]} row")
    found.close()


def check_sqlite_tables(session: Session, out: list[Problem]) -> None:
    """Each table read from end to end: the ones a damaged file cannot give back are named."""
    found = _Found(out, "sqlite-tables")
    names = [n for (n,) in session.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))]
    for name in names:
        try:
            session.execute(_read_whole(name)).all()
        except sa_exc.DBAPIError as e:
            session.rollback()
            found.add(f"table {name} unreadable: {_db_reason(e)}")
    found.close()


def _read_whole(name: str) -> Select[Any]:
    """SELECT * of a table named in sqlite_master, the name quoted by SQLAlchemy (names cannot be bound)."""
    return select(literal_column("*")).select_from(table(name))


def check_unopenable_sqlite(path: str, reason: str) -> list[Problem]:
    """What can be found in an SQLite file too damaged to open as an archive (plain sqlite3, read-only)."""
    import sqlite3

    from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

    out = [Problem("open", "error", f"cannot open as an archive: {reason}")]
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as e:
        return [*out, Problem("sqlite-integrity", "error", f"cannot open the file: {e}")]
    try:
        found = _Found(out, "sqlite-integrity")
        try:
            for (line,) in con.execute("PRAGMA integrity_check"):
                if line != "ok":
                    found.add(str(line))
        except sqlite3.Error as e:
            found.add(f"integrity check stopped: {e}")
        found.close()
        found = _Found(out, "sqlite-tables")
        try:
            names = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        except sqlite3.Error as e:
            names = []
            found.add(f"the schema table is unreadable: {e}")
        for name in names:
            try:
                con.execute(str(_read_whole(name).compile(dialect=sqlite_dialect()))).fetchall()
            except sqlite3.Error as e:
                found.add(f"table {name} unreadable: {e}")
        found.close()
    finally:
        con.close()
    return out


# (child column, parent column): every reference the schema declares, checked with plain joins.
REFERENCES: list[tuple[ColumnElement[Any], ColumnElement[Any]]] = [
    (CaptureRow.__table__.c.blob_sha256, Blob.__table__.c.sha256),
    (CaptureRow.__table__.c.text_id, TextRow.__table__.c.id),
    (ChromeRow.__table__.c.capture_id, CaptureRow.__table__.c.id),
    (CreditRow.__table__.c.capture_id, CaptureRow.__table__.c.id),
    (FingerprintRow.__table__.c.text_id, TextRow.__table__.c.id),
    (FingerprintBand.__table__.c.text_id, TextRow.__table__.c.id),
    (TextMatch.__table__.c.text_a, TextRow.__table__.c.id),
    (TextMatch.__table__.c.text_b, TextRow.__table__.c.id),
    (LineageEdge.__table__.c.child_id, CaptureRow.__table__.c.id),
    (LineageEdge.__table__.c.parent_id, CaptureRow.__table__.c.id),
]


def check_references(session: Session, out: list[Problem]) -> None:
    """Rows pointing at rows that do not exist (works where foreign keys are not enforced)."""
    found = _Found(out, "orphan")
    for child, parent in REFERENCES:
        parent_alias = parent.table.alias("p")
        query = (
            select(child, func.count())
            .select_from(child.table.outerjoin(parent_alias, parent_alias.c[parent.name] == child))
            .where(parent_alias.c[parent.name].is_(None))
            .group_by(child)
            .limit(MAX_PER_CHECK)
        )
        for value, n in session.execute(query):
            found.add(
                f"{n} {child.table.name} row(s) refer to {parent.table.name}.{parent.name} = {value!r},"
                " which is missing"
            )
    found.close()
    unused = _Found(out, "unused-text", "info")
    query = (
        select(TextRow.id)
        .outerjoin(CaptureRow, CaptureRow.text_id == TextRow.id)
        .where(CaptureRow.id.is_(None))
        .limit(MAX_PER_CHECK + 1)
    )
    for (text_id,) in session.execute(query):
        unused.add(f"text {text_id} is carried by no capture")
    unused.close()


def _batches(session: Session, query) -> Iterator[Sequence[Any]]:  # type: ignore[no-untyped-def]
    result = session.execute(query.execution_options(yield_per=CHECK_BATCH))
    yield from result.partitions()


def check_blobs(session: Session, out: list[Problem]) -> None:
    """Every blob decompresses to bytes of its recorded size and SHA-256."""
    found = _Found(out, "blob")
    query = select(Blob.sha256, Blob.size, Blob.compression, Blob.data).order_by(Blob.sha256)
    for batch in _batches(session, query):
        for digest, size, compression, data in batch:
            try:
                raw = blob_decompress(compression, data)
            except ValueError:
                found.add(f"blob {digest}: unknown compression {compression!r}")
                continue
            except BLOB_CORRUPT as e:
                found.add(f"blob {digest}: does not decompress ({e})")
                continue
            if hashlib.sha256(raw).hexdigest() != digest:
                found.add(f"blob {digest}: bytes hash to {hashlib.sha256(raw).hexdigest()}")
            elif len(raw) != size:
                found.add(f"blob {digest}: {len(raw)} bytes, recorded size {size}")
    found.close()


def check_texts(session: Session, out: list[Problem]) -> None:
    """Every text hashes to its SHA-256, and its recorded lengths are its own."""
    found = _Found(out, "text")
    query = select(TextRow.id, TextRow.sha256, TextRow.body, TextRow.chars, TextRow.words).order_by(TextRow.id)
    for batch in _batches(session, query):
        for text_id, digest, body, chars, words in batch:
            actual = hashlib.sha256(body.encode("utf-8")).hexdigest()
            if actual != digest:
                found.add(f"text {text_id}: body hashes to {actual[:16]}..., recorded {digest[:16]}...")
            elif chars != len(body) or words != len(body.split()):
                found.add(f"text {text_id}: recorded {chars} chars / {words} words, body has "
                          f"{len(body)} / {len(body.split())}")
    found.close()


def check_fingerprints(session: Session, out: list[Problem]) -> None:
    """Fingerprints equal a fresh computation from the text; band rows equal the stored signatures' keys."""
    wrong = _Found(out, "fingerprint")
    stale = _Found(out, "fingerprint-stale", "info")
    bands_wrong = _Found(out, "band")
    query = select(TextRow.id, TextRow.body).order_by(TextRow.id)
    for batch in _batches(session, query):
        ids = [text_id for text_id, _ in batch]
        stored: dict[int, dict[str, FingerprintRow]] = defaultdict(dict)
        for fp in session.scalars(select(FingerprintRow).where(FingerprintRow.text_id.in_(ids))):
            stored[fp.text_id][fp.kind] = fp
        band_rows: dict[int, dict[str, set[bytes]]] = defaultdict(lambda: defaultdict(set))
        for kind, key, text_id in session.execute(
            select(FingerprintBand.kind, FingerprintBand.band_key, FingerprintBand.text_id).where(
                FingerprintBand.text_id.in_(ids)
            )
        ):
            band_rows[text_id][kind].add(bytes(key))
        for text_id, body in batch:
            current = {fp.kind: fp for fp in fingerprint_text(body)}
            have = stored.get(text_id, {})
            for kind, fresh in current.items():
                row = have.get(kind)
                if row is None:
                    wrong.add(f"text {text_id}: no {kind} fingerprint")
                elif (row.algorithm, row.version) != (fresh.algorithm, fresh.version):
                    stale.add(f"text {text_id}: {kind} made by {row.algorithm} v{row.version}, "
                              f"current is {fresh.algorithm} v{fresh.version}")
                elif bytes(row.value) != fresh.value or row.params != fresh.params:
                    wrong.add(f"text {text_id}: {kind} fingerprint differs from one computed from its text")
            expected_bands = {
                kind: set(band_keys(Fingerprint(row.kind, row.algorithm, row.version, row.params, bytes(row.value))))
                for kind, row in have.items()
            }
            got_bands = band_rows.get(text_id, {})
            for kind in sorted(set(expected_bands) | set(got_bands)):
                want, got = expected_bands.get(kind, set()), got_bands.get(kind, set())
                if want != got:
                    bands_wrong.add(f"text {text_id}: {kind} band rows {len(got)} differ from its signature's "
                                    f"{len(want)} keys ({len(want - got)} missing, {len(got - want)} extra)")
    wrong.close()
    stale.close()
    bands_wrong.close()


def check_lineage(session: Session, out: list[Problem]) -> None:
    """Each capture has at most one parent, never itself, and following parents never loops."""
    found = _Found(out, "lineage")
    parent: dict[int, int] = {}
    for child_id, parent_id in session.execute(select(LineageEdge.child_id, LineageEdge.parent_id)):
        if child_id in parent:
            found.add(f"capture {child_id} has more than one parent")
        if child_id == parent_id:
            found.add(f"capture {child_id} is its own parent")
        parent[child_id] = parent_id
    done: set[int] = set()
    for start in sorted(parent):
        path: list[int] = []
        on_path: set[int] = set()
        node: int | None = start
        while node is not None and node not in done:
            if node in on_path:
                cycle = path[path.index(node):]
                found.add("lineage cycle: " + " -> ".join(f"#{n}" for n in cycle + [node]))
                break
            path.append(node)
            on_path.add(node)
            node = parent.get(node)
        done.update(path)
    found.close()


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]
