"""What learning site templates during `add` costs as one site grows.

    .venv/bin/python benchmarks/site_template_cost.py [--sizes 50,200,800] [--copies 200] [--db URL]

Two sites, each added capture by capture through the real pipeline (`add_one`, one fresh archive per
size): a site of N different stories (synthetic prose) sharing a footer and, on every other story, a
teaser; and a site where one story is syndicated N times (every copy shares all of its paragraphs with
every other, the case that keeps counts below the threshold) beside 5 other stories. For the last 20
adds of each it prints the median ms per add, the same-story judgements (verifier calls at most) per
add and the earlier captures re-cleaned per add, against N. The default archive is a temporary SQLite
file; `--db postgresql://...` measures PostgreSQL in that (existing) schema, emptied before each run
(drop it afterwards) and ANALYZEd before the timed adds (a table grown from empty in one session keeps its empty-table
statistics until autovacuum runs, and the LSH candidate lookup then scans: ~85 ms per add at 400 texts).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402
from writers_corpus import synthetic_bodies  # noqa: E402

from archiver.config import database_url  # noqa: E402
from archiver.pipeline import reclean as pipeline
from archiver.pipeline import site_templates
from archiver.pipeline.add import add_one  # noqa: E402
from archiver.store.engine import Archive  # noqa: E402
from archiver.store.models import Base  # noqa: E402
from archiver.types import Capture  # noqa: E402

FOOTER = ("The Valley Courier has covered the towns of the upper valley since 1921 and is owned by the people "
          "who write and print it, through a cooperative founded by its typesetters.")
TEASER = ("The county fair returns to the river grounds this summer with a new livestock barn, a longer midway "
          "and later hours.")
MEASURED = 20  # the last 20 adds of each run are timed: the site is then at its full size


def page(title_words: str, paragraphs: list[str]) -> bytes:
    return ("\n\n".join([title_words.rstrip(".") + " | Valley Courier", *paragraphs]) + "\n").encode()


def stories_site(n: int) -> list[bytes]:
    pages = []
    for k, body in enumerate(synthetic_bodies(n, seed=11, paragraphs=(4, 6))):
        paras = body.split("\n")
        if k % 2:
            paras.insert(2, TEASER)
        pages.append(page(" ".join(body.split()[:8]), [*paras, FOOTER]))
    return pages


def syndicated_site(n: int) -> list[bytes]:
    bodies = synthetic_bodies(6, seed=12, paragraphs=(4, 6))
    story = bodies[0].split("\n")
    pages = [page(" ".join(b.split()[:8]), [*b.split("\n"), FOOTER]) for b in bodies[1:]]
    for k in range(n):  # the same story, each copy with its own headline
        pages.append(page(f"Copy {k} of {' '.join(bodies[0].split()[:6])}", [*story, FOOTER]))
    return pages


def empty(url: str) -> None:
    with Archive(url) as archive, archive.engine.begin() as conn:
        if archive.engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def measure(pages: list[bytes], url: str) -> tuple[float, float, float]:
    """Median ms per add, same-story judgements per add and re-cleaned captures per add, over the last adds."""
    judged, recleaned, times = [0], [0], []
    real_same, real_reclean = site_templates.templates_same_story, pipeline.reclean_captures

    def same(a, b):  # type: ignore[no-untyped-def]
        judged[0] += 1
        return real_same(a, b)

    def reclean(session, ids):  # type: ignore[no-untyped-def]
        ids = list(ids)
        recleaned[0] += len(ids)
        return real_reclean(session, ids)

    site_templates.templates_same_story = same  # type: ignore[assignment]
    pipeline.reclean_captures = reclean  # type: ignore[assignment]
    start = datetime(2021, 8, 8, tzinfo=UTC)
    try:
        with Archive(url) as archive:
            for k, raw in enumerate(pages):
                if k == len(pages) - MEASURED:
                    judged[0] = recleaned[0] = 0
                    if archive.engine.dialect.name == "postgresql":  # planner statistics of the grown tables
                        with archive.engine.begin() as conn:
                            conn.execute(text("ANALYZE"))
                capture = Capture(raw, f"p{k}.txt", None, start + timedelta(minutes=k), "text/plain")
                t0 = time.perf_counter()
                result = add_one(archive, capture)
                if k >= len(pages) - MEASURED:
                    times.append(time.perf_counter() - t0)
                assert result.status in ("new", "version"), result
    finally:
        site_templates.templates_same_story, pipeline.reclean_captures = real_same, real_reclean
    return 1000 * statistics.median(times), judged[0] / MEASURED, recleaned[0] / MEASURED


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,200,800")
    parser.add_argument("--copies", default="50,200")
    parser.add_argument("--db", default=None, help="an archive URL to use (emptied first); default: temporary SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for label, build, sizes in (("different stories", stories_site, args.sizes),
                                    ("one story syndicated", syndicated_site, args.copies)):
            for n in (int(s) for s in sizes.split(",")):
                url = args.db or database_url(str(Path(tmp) / f"{label[:3]}{n}.db"))
                if args.db:
                    empty(url)
                ms, judged, recleaned = measure(build(n), url)
                print(f"{label:22s} N={n:4d}: {ms:6.1f} ms/add, {judged:5.1f} same-story judgements/add, "
                      f"{recleaned:4.2f} earlier captures re-cleaned/add")


if __name__ == "__main__":
    main()
