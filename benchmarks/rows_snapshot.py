"""Every row of archives built from three corpora, through the CLI only: compare two builds of `archive`.

    .venv/bin/python benchmarks/rows_snapshot.py build OUT.json [--db-kind sqlite|postgresql] [--keep DIR]
    .venv/bin/python benchmarks/rows_snapshot.py reprocess-old DIR OUT.json   # open + reprocess kept archives
    .venv/bin/python benchmarks/rows_snapshot.py compare A.json B.json

Corpora: the five seeds, the 97 aeb-dev pages, and the generated provenance corpus (40 originals and
their copies, excerpts, spun rewrites and text dumps; pages with URLs go in one WARC, so each keeps its
URL and capture time). For each, the archive after `add` and after `reprocess` is dumped: every table,
every row, sorted, with `capture.added_at` left out (the one column that says when a build ran) and
file paths cut to their names (the temporary folder differs from run to run). Only
the `archive` command and SQLAlchemy's reflection are used, so any layout of the package can be compared
with any other; a refactor that changes nothing gives two equal files.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT.parent / "shared" / "data"
ARCHIVE = [str(ROOT / ".venv" / "bin" / "archive")]
PG = os.environ.get("ARCHIVE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
FIXED = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC).timestamp()  # every file's mtime: its capture time


def corpus_files(work: Path) -> dict[str, list[Path]]:
    """The three corpora as files on disk, with fixed modification times."""
    sys.path.insert(0, str(HERE))
    from provenance_corpus import build  # noqa: PLC0415  (benchmark helper, no archiver import)
    from warcio.statusandheaders import StatusAndHeaders  # noqa: PLC0415
    from warcio.warcwriter import WARCWriter  # noqa: PLC0415

    seeds = work / "seeds"
    seeds.mkdir()
    for src in sorted((ROOT / "examples" / "seeds").glob("*.txt")):
        shutil.copy(src, seeds / src.name)
        os.utime(seeds / src.name, (FIXED, FIXED))
    out: dict[str, list[Path]] = {"seeds": sorted(seeds.iterdir())}
    aeb = work / "aeb"
    aeb.mkdir()
    for src in sorted((DATA / "aeb-dev" / "html").glob("*.html.gz")):
        dst = aeb / src.name.removesuffix(".gz")
        dst.write_bytes(gzip.decompress(src.read_bytes()))
        os.utime(dst, (FIXED, FIXED))
    out["aeb"] = sorted(aeb.iterdir())
    gen = work / "generated"
    gen.mkdir()
    files: list[Path] = []
    warc = gen / "pages.warc.gz"
    with warc.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for k, doc in enumerate(build(40)):
            if doc.url is None:
                path = gen / f"{doc.name}.txt"
                path.write_bytes(doc.raw)
                os.utime(path, (FIXED + k, FIXED + k))
                files.append(path)
                continue
            when = (datetime.fromtimestamp(FIXED, UTC) + timedelta(seconds=k)).strftime("%Y-%m-%dT%H:%M:%SZ")
            http = StatusAndHeaders("200 OK", [("Content-Type", f"{doc.content_type}; charset=utf-8")],
                                    protocol="HTTP/1.1")
            record = writer.create_warc_record(doc.url, "response", payload=io.BytesIO(doc.raw),
                                               http_headers=http, warc_headers_dict={"WARC-Date": when})
            writer.write_record(record)
    out["generated"] = [warc, *files]
    return out


def dump(url: str) -> dict[str, list[list[object]]]:
    """Every row of every table (and view), sorted; `capture.added_at` left out."""
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine, views=True)
    out: dict[str, list[list[object]]] = {}
    with engine.connect() as conn:
        for name in sorted(meta.tables):
            if name.startswith("text_fts") or name == "alembic_version":
                continue
            table = meta.tables[name]
            cols = [c for c in table.columns if not (name == "capture" and c.name == "added_at")]
            rows = [[_plain(v) for v in row] for row in conn.execute(sa.select(*cols))]
            if name == "capture":  # a file's path names the temporary folder of the run: its name is kept
                at = [c.name for c in cols].index("path")
                rows = [[Path(v).name if k == at and isinstance(v, str) else v for k, v in enumerate(r)] for r in rows]
            out[name] = sorted(rows, key=repr)
    engine.dispose()
    return out


def _plain(value: object) -> object:
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value if isinstance(value, int | float | str | type(None)) else repr(value)


def run(*args: str) -> None:
    done = subprocess.run([*ARCHIVE, *args], capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"archive {' '.join(args[:2])}: exit {done.returncode}\n{done.stderr[-2000:]}")


def new_db(kind: str, work: Path, name: str) -> tuple[str, str]:
    """(--db value, SQLAlchemy URL) of a fresh archive."""
    if kind == "sqlite":
        path = work / f"{name}.db"
        return str(path), f"sqlite:///{path}"
    schema = f"snap_{name}_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(PG.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = f"{PG}?options=-csearch_path%3D{schema}"
    return url, url.replace("postgresql://", "postgresql+psycopg://")


def build_all(kind: str, keep: Path | None) -> dict[str, object]:
    snapshot: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, files in corpus_files(work).items():
            db, url = new_db(kind, work, name)
            run("add", "--db", db, "--jobs", "2", "--quiet", *map(str, files))
            snapshot[f"{name}/add"] = dump(url)
            if keep is not None and kind == "sqlite":
                keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(work / f"{name}.db", keep / f"{name}.db")
            run("reprocess", "--db", db)
            snapshot[f"{name}/reprocess"] = dump(url)
            if kind != "sqlite":  # the schema made for this corpus is not left behind in the database
                engine = sa.create_engine(PG.replace("postgresql://", "postgresql+psycopg://"))
                with engine.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA "{url.rsplit("%3D", 1)[1]}" CASCADE'))
                engine.dispose()
    return snapshot


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("out", type=Path)
    b.add_argument("--db-kind", choices=("sqlite", "postgresql"), default="sqlite")
    b.add_argument("--keep", type=Path, help="copy each SQLite archive made by `add` here")
    r = sub.add_parser("reprocess-old")
    r.add_argument("dir", type=Path)
    r.add_argument("out", type=Path)
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = p.parse_args()
    if args.cmd == "build":
        args.out.write_text(json.dumps(build_all(args.db_kind, args.keep), sort_keys=True))
    elif args.cmd == "reprocess-old":
        snap = {}
        with tempfile.TemporaryDirectory() as tmp:
            for db in sorted(args.dir.glob("*.db")):
                copy = Path(tmp) / db.name
                shutil.copy(db, copy)
                run("reprocess", "--db", str(copy))
                snap[f"{db.stem}/reprocess"] = dump(f"sqlite:///{copy}")
        args.out.write_text(json.dumps(snap, sort_keys=True))
    else:
        a, b = json.loads(args.a.read_text()), json.loads(args.b.read_text())
        same = True
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                print(f"{key}: only in {'B' if key not in a else 'A'}")
                same = False
                continue
            for table in sorted(set(a[key]) | set(b[key])):
                ra, rb = a[key].get(table), b[key].get(table)
                if ra != rb:
                    same = False
                    print(f"{key} {table}: {len(ra or [])} rows vs {len(rb or [])}, differ")
            rows = sum(len(v) for v in a[key].values())
            print(f"{key}: {len(a[key])} tables, {rows} rows {'identical' if a[key] == b[key] else 'DIFFER'}")
        print("same rows: yes" if same else "same rows: NO")
        sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
