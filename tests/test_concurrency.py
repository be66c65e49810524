"""Several `archive add` processes on one archive at once: nothing lost, nothing twice, same lineage.

4 writers x 300 captures drawn from 400 files (80 stories with 4 derived captures each), each writer
in its own random order, so most files are added by three writers racing. Afterwards every file is
stored once, no text twice, `archive check` passes, and every capture's parent and relation equal a
sequential run's. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, archive_command, run_process
from sqlalchemy import text

from archiver.clean.site_template import TEMPLATE_REASON
from archiver.config import database_url
from archiver.store.engine import Archive

sys.path.insert(0, str(ROOT / "benchmarks"))

from template_stories import SITE_FOOTER  # noqa: E402
from writers_corpus import FIXED_MTIME, corpus, write_corpus  # noqa: E402

WRITERS = 4  # the stress size: 4 processes x 300 captures
PER_WRITER = 300
N_ORIGINALS = 80  # 400 files: each writer takes 300, so a file is in 3 writers' batches on average


def lineage_by_file(db: str) -> dict[str, tuple[str | None, str | None]]:
    """Each capture's file name -> (its parent's file name, relation), read with plain SQL."""
    with Archive(database_url(db)) as archive, archive.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT c.id, c.path, e.parent_id, e.relation FROM capture c "
                 "LEFT JOIN lineage_edge e ON e.child_id = c.id")
        ).all()
    name = {r.id: Path(r.path).name for r in rows}
    return {name[r.id]: (name.get(r.parent_id), r.relation) for r in rows}


def table_counts(db: str) -> dict[str, int]:
    with Archive(database_url(db)) as archive, archive.engine.connect() as conn:
        return {
            "captures": conn.execute(text("SELECT COUNT(*) FROM capture")).scalar_one(),
            "distinct_blobs": conn.execute(text("SELECT COUNT(DISTINCT blob_sha256) FROM capture")).scalar_one(),
            "texts": conn.execute(text("SELECT COUNT(*) FROM text")).scalar_one(),
            "distinct_bodies": conn.execute(text("SELECT COUNT(DISTINCT sha256) FROM text")).scalar_one(),
            "edges": conn.execute(text("SELECT COUNT(*) FROM lineage_edge")).scalar_one(),
        }


def test_four_writers_store_everything_once_with_sequential_lineage(
    new_db_factory, tmp_path: Path, report  # type: ignore[no-untyped-def]
) -> None:
    docs = corpus(N_ORIGINALS, seed=8)
    paths = write_corpus(docs, tmp_path / "pages")
    names = sorted(paths)
    rnd = random.Random(8)
    batches = [rnd.sample(names, PER_WRITER) for _ in range(WRITERS)]
    union = sorted(set().union(*batches))

    db = new_db_factory("stress.db")
    Archive(database_url(db)).close()  # created before the race (read commands create nothing)
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(archive_command() + ["add", "--json", "--db", db] + [str(paths[n]) for n in batch],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for batch in batches
    ]
    outputs = [p.communicate(timeout=900) for p in procs]
    elapsed = time.perf_counter() - t0
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err.decode()[-2000:]
    records = [json.loads(line) for out, _ in outputs for line in out.decode().splitlines()]
    statuses = [r["status"] for r in records]
    assert len(records) == WRITERS * PER_WRITER
    new_names = sorted(Path(r["path"]).stem for r in records if r["status"] == "new")
    assert new_names == union, "each file is new in exactly one writer"
    assert statuses.count("duplicate") == WRITERS * PER_WRITER - len(union)

    counts = table_counts(db)
    assert counts["captures"] == counts["distinct_blobs"] == len(union)
    assert counts["texts"] == counts["distinct_bodies"]
    check = run_process(["check", "--db", db])
    assert check.returncode == 0, check.stdout.decode()[-3000:]

    reference = new_db_factory("sequential.db")
    t1 = time.perf_counter()
    seq = run_process(["add", "--quiet", "--db", reference] + [str(paths[n]) for n in union])
    seq_elapsed = time.perf_counter() - t1
    assert seq.returncode == 0, seq.stderr.decode()[-2000:]
    assert table_counts(reference) == counts
    concurrent, sequential = lineage_by_file(db), lineage_by_file(reference)
    differ = {n: (concurrent[n], sequential[n]) for n in sequential if concurrent.get(n) != sequential[n]}
    assert not differ, f"{len(differ)} captures differ from the sequential run: {dict(list(differ.items())[:5])}"
    report(
        f"{WRITERS} writers x {PER_WRITER} adds = {len(records)} ({len(union)} distinct files): "
        f"{statuses.count('new')} new, {statuses.count('duplicate')} duplicate, 0 failed; "
        f"{counts['captures']} captures, {counts['texts']} texts, {counts['edges']} edges; "
        f"lineage equal to a sequential run for {len(sequential)}/{len(sequential)} captures; "
        f"check ok; {elapsed:.1f}s concurrent, {seq_elapsed:.1f}s sequential"
    )


# --- writers that lock per family (PostgreSQL): interleavings of related and unrelated stories ------------

FAMILY_WRITERS = 3  # writers racing in each interleaving; 3 x ~45 files keeps each run well under a minute
FAMILY_STORIES = 24  # 24 stories x 5 captures on 5 publishers' sites, plus a later version of 8 originals
FAMILY_VERSIONS = 8


def rows_by_name(db: str) -> dict[str, list[tuple]]:
    """Every row that add writes, with capture ids as file names and text ids as SHA-256s (ids depend on
    the order captures were stored in; what they name must not)."""
    out: dict[str, list[tuple]] = {}
    with Archive(database_url(db)) as archive, archive.engine.connect() as conn:
        def q(sql: str) -> list:
            return list(conn.execute(text(sql)).all())

        name = {r.id: Path(r.path).name for r in q("SELECT id, path FROM capture")}
        sha = {r.id: r.sha256 for r in q("SELECT id, sha256 FROM text")}
        page = {r.id: r.url for r in q("SELECT id, url FROM page")}
        out["capture"] = sorted(
            (name[r.id], sha[r.text_id], r.title, r.site_name, r.canonical_url, page.get(r.page_id), r.version,
             r.source_publisher, r.cleaner_version)
            for r in q("SELECT * FROM capture"))
        out["text"] = sorted(sha.values())
        out["chrome"] = sorted((name[r.capture_id], r.position, r.reason, r.text) for r in q("SELECT * FROM chrome"))
        out["credit"] = sorted((name[r.capture_id], r.position, r.name, r.kind) for r in q("SELECT * FROM credit"))
        out["fingerprint_band"] = sorted(
            (r.kind, bytes(r.band_key).hex(), sha[r.text_id]) for r in q("SELECT * FROM fingerprint_band"))
        out["text_match"] = sorted(
            (*sorted((sha[r.text_a], sha[r.text_b])), r.relation, round(r.score, 9),
             None if r.excerpt_side is None else sha[r.text_a if r.excerpt_side == "a" else r.text_b])
            for r in q("SELECT * FROM text_match"))
        out["lineage_edge"] = sorted(
            (name[r.child_id], name[r.parent_id], r.relation, round(r.score, 9))
            for r in q("SELECT * FROM lineage_edge"))
        out["page_version"] = sorted(
            (page[r.page_id], r.version, name[r.capture_id], r.captures) for r in q("SELECT * FROM page_version"))
        out["site_paragraph"] = sorted(
            (name[r.capture_id], r.site, r.paragraph_hash, r.position, r.other_stories)
            for r in q("SELECT * FROM site_paragraph"))
    return out


def family_corpus(folder: Path) -> tuple[dict[str, Path], dict[str, list[str]]]:
    """The files, and each story's file names: 5 captures a story, and for some a later version of the
    original's page (same URL, one sentence changed: page versions and a revision edge)."""
    docs = corpus(FAMILY_STORIES, seed=24)
    paths = write_corpus(docs, folder)
    for d in docs:  # each site's prose footer inside the article: a site template, learned as stories arrive
        raw = paths[d.name].read_bytes()
        if b"</article>" in raw:
            site = raw.split(b'og:site_name" content="', 1)[1].split(b'"', 1)[0]
            footer = b"<p>" + site + SITE_FOOTER.encode()[len(b"The Valley Courier"):] + b"</p>\n</article>"
            paths[d.name].write_bytes(raw.replace(b"</article>", footer, 1))
            os.utime(paths[d.name], (FIXED_MTIME, FIXED_MTIME))
    stories: dict[str, list[str]] = {}
    for d in docs:
        stories.setdefault(d.origin or d.name, []).append(d.name)
    for story in sorted(stories)[:FAMILY_VERSIONS]:
        original = paths[story].read_bytes()
        changed = original.replace(b"</p>", b" The council confirmed the figures on Friday.</p>", 1)
        assert changed != original
        version = folder / f"{story}-v2.html"
        version.write_bytes(changed)
        paths[version.stem] = version
        stories[story].append(version.stem)
    return paths, stories


def interleavings(stories: dict[str, list[str]]) -> dict[str, list[list[str]]]:
    """Each writer's files, in its order: whole stories per writer (unrelated), every story spread over
    all writers (related), and the related shares each taken backwards."""
    ordered = [stories[s] for s in sorted(stories)]
    unrelated = [[n for story in ordered[w::FAMILY_WRITERS] for n in story] for w in range(FAMILY_WRITERS)]
    flat = [n for story in ordered for n in story]
    related = [flat[w::FAMILY_WRITERS] for w in range(FAMILY_WRITERS)]
    return {"unrelated": unrelated, "related": related, "related-reversed": [share[::-1] for share in related]}


def test_writers_locking_per_family_match_a_sequential_run_in_every_interleaving(
    pg_server, tmp_path: Path, report  # type: ignore[no-untyped-def]
) -> None:
    """PostgreSQL writers lock only what their captures can reach (`archiver.store.locks`): in each
    interleaving the archive holds the same rows, ids aside, as one writer adding every file."""
    from conftest import pg_schema

    paths, stories = family_corpus(tmp_path / "pages")
    names = sorted(paths)
    with pg_schema() as reference:
        seq = run_process(["add", "--json", "--db", reference] + [str(paths[n]) for n in names])
        assert seq.returncode == 0, seq.stderr.decode()[-2000:]
        expected = rows_by_name(reference)
    recleaned = sum(len(json.loads(line).get("recleaned", [])) for line in seq.stdout.decode().splitlines())
    assert len(expected["capture"]) == len(names)
    assert sum(r[6] == 2 for r in expected["capture"]) == FAMILY_VERSIONS  # the versions are page versions
    assert any(r[2] == "revision" for r in expected["lineage_edge"])
    assert recleaned and any(r[2] == TEMPLATE_REASON for r in expected["chrome"]), "no site template: no re-clean"
    done = []
    for label, shares in interleavings(stories).items():
        assert sorted(n for share in shares for n in share) == names
        with pg_schema() as db:
            Archive(database_url(db)).close()
            t0 = time.perf_counter()
            procs = [subprocess.Popen(archive_command() + ["add", "--json", "--db", db] + [str(paths[n]) for n in share],  # noqa: E501
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE) for share in shares]
            outputs = [p.communicate(timeout=900) for p in procs]
            elapsed = time.perf_counter() - t0
            for p, (_, err) in zip(procs, outputs, strict=True):
                assert p.returncode == 0, err.decode()[-2000:]
            records = [json.loads(line) for out, _ in outputs for line in out.decode().splitlines()]
            assert sorted(Path(r["path"]).stem for r in records) == names  # one result a file, none failed
            got = rows_by_name(db)
            check = run_process(["check", "--db", db])
            assert check.returncode == 0, check.stdout.decode()[-3000:]
        differ = {t: ([r for r in got[t] if r not in expected[t]][:3], [r for r in expected[t] if r not in got[t]][:3])
                  for t in expected if got[t] != expected[t]}
        assert not differ, f"{label}: rows differ from the sequential run (extra, missing): {differ}"
        done.append(f"{label} {elapsed:.1f}s")
    report(f"{FAMILY_WRITERS} writers locking per family, {len(names)} files ({FAMILY_STORIES} stories, "
           f"{FAMILY_VERSIONS} page versions, {recleaned} re-cleans): every row equal to a sequential run in each "
           f"interleaving ({', '.join(done)})")


def test_postgres_writer_waits_only_for_a_capture_of_the_same_story(pg_server, tmp_path: Path) -> None:
    """While one writer's transaction holds a story's locks, a capture of another story is stored, and a
    copy of that story waits (its backend waits on an advisory lock) until the first commits."""
    import threading

    from conftest import pg_schema

    from archiver.pipeline.add import store_outcomes, store_prepared
    from archiver.pipeline.prepare import prepare
    from archiver.sources.inputs import iter_captures

    docs = corpus(2, seed=5)
    paths = write_corpus(docs, tmp_path / "pages")
    of_story = {s: sorted(d.name for d in docs if d.origin == s) for s in {d.origin for d in docs}}
    first, second = sorted(of_story)
    copy_a, copy_b = [n for n in of_story[first] if n != first][:2]

    def prepared(name: str):  # type: ignore[no-untyped-def]
        capture = next(iter(iter_captures([str(paths[name])])))
        return capture, prepare(capture)

    with pg_schema() as db:
        holder, other, waiter = (Archive(database_url(db)) for _ in range(3))
        try:
            store_outcomes(holder, [prepared(first)])  # the story's original, committed
            results: dict[str, object] = {}
            with holder.write_session(per_family=True) as session:
                capture, item = prepared(copy_a)
                item.capture = capture
                store_prepared(session, item)  # a copy of the first story, not committed: its locks held

                unrelated = threading.Thread(
                    target=lambda: results.update(other=store_outcomes(other, [prepared(second)])))
                unrelated.start()
                unrelated.join(timeout=300)
                assert not unrelated.is_alive(), "a capture of another story waited for the open transaction"

                same = threading.Thread(
                    target=lambda: results.update(same=store_outcomes(waiter, [prepared(copy_b)])))
                same.start()
                with holder.engine.connect() as conn:
                    for _ in range(600):  # polled until seen waiting (or finished, which fails below)
                        # a backend waiting in the statement that takes key locks (`archiver.store.locks`)
                        waiting = conn.execute(text(
                            "SELECT wait_event FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                            " AND datname = current_database() AND query LIKE '%pg_advisory_xact_lock(k)%'")).scalar()
                        conn.rollback()  # pg_stat_activity is read once per transaction
                        if waiting == "advisory" or not same.is_alive():
                            break
                        time.sleep(0.1)
                assert waiting == "advisory" and same.is_alive(), "a copy of the same story did not wait"
                session.commit()
            same.join(timeout=300)
            assert not same.is_alive()
            assert [r.status for r in results["other"]] == ["new"]  # type: ignore[attr-defined]
            assert [r.status for r in results["same"]] == ["new"]  # type: ignore[attr-defined]
        finally:
            for archive in (holder, other, waiter):
                archive.close()


def test_postgres_writer_falls_back_to_the_archive_lock_when_the_lock_table_is_full(pg_server, tmp_path: Path) -> None:
    """With the server's shared lock table nearly full (another session holding advisory locks until
    PostgreSQL refuses more), an `add` whose key locks no longer fit ("out of shared memory") stores its
    capture under the archive-wide lock instead of failing (`Archive.write`)."""
    from conftest import pg_schema
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    from archiver.config import database_url as url_of

    pages = sorted((ROOT / "examples" / "seeds").glob("*.txt"))
    with pg_schema() as db:
        done = run_process(["add", "--db", db, str(pages[0])])
        assert done.returncode == 0, done.stderr.decode()
        hog = create_engine(url_of(db), isolation_level="AUTOCOMMIT")
        probe = create_engine(url_of(db))
        try:
            with hog.connect() as conn:
                base = 7_000_000_000
                for start in range(base, base + 10_000_000, 1000):  # session locks until the table is full
                    try:
                        conn.execute(text("SELECT count(pg_advisory_lock(k)) FROM generate_series(:a, :b) k"),
                                     {"a": start, "b": start + 999})
                    except OperationalError as e:
                        assert getattr(e.orig, "sqlstate", None) == "53200", e
                        break
                else:
                    raise AssertionError("the lock table never filled")
                held = conn.execute(text(
                    "SELECT objid::bigint + (classid::bigint << 32) FROM pg_locks WHERE pid = pg_backend_pid()"
                    " AND locktype = 'advisory' ORDER BY 1 DESC LIMIT 100")).scalars().all()
                for key in held:  # room for what a transaction needs besides key locks, not for a capture's keys
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                with probe.connect() as other, other.begin():
                    try:  # a capture's band keys alone are ~128 locks: they no longer fit
                        other.execute(text("SELECT count(pg_advisory_xact_lock(k)) FROM generate_series(1, 200) k"))
                        raise AssertionError("the lock table still had room for 200 locks")
                    except OperationalError as e:
                        assert getattr(e.orig, "sqlstate", None) == "53200", e
                done = run_process(["add", "--db", db, str(pages[2])])
                conn.execute(text("SELECT pg_advisory_unlock_all()"))
            assert done.returncode == 0, done.stderr.decode()
            assert b"new" in done.stdout
        finally:
            hog.dispose()
            probe.dispose()
        check = create_engine(url_of(db))
        try:
            with check.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM capture")).scalar() == 2
        finally:
            check.dispose()
