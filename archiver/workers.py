"""Preparing captures in worker processes, results handed back in input order.

`prepare_ordered` maps a function over a stream of items with at most `window` items in flight, so memory
stays flat however long the stream is, and yields the results in the order the items came in: the single
writer in the parent stores them in that order, so `--jobs N` stores exactly what `--jobs 1` stores.
Items that are not work (already known, failed to read) pass through in their place.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

WINDOW_PER_JOB = 4  # items in flight per worker: keeps 2 workers busy on aeb-dev pages (25-40 ms each)


@dataclass(frozen=True)
class Work(Generic[T]):
    """An item to process in a worker; anything else passed to `prepare_ordered` passes through."""

    item: T


@dataclass(frozen=True)
class WorkFailed:
    """A worker raised for this item (or died on it): the error, one line."""

    error: str


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _context() -> Any:
    """forkserver where available (no fork of a parent holding database connections and threads), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["archiver.pipeline"])  # workers fork from a server that imported it once
        return ctx
    return multiprocessing.get_context("spawn")


def _run(fn: Callable[[Any], R], item: Any) -> R | WorkFailed:
    """Call fn in the worker; an error becomes a WorkFailed for this item only."""
    try:
        return fn(item)
    except RecursionError:
        return WorkFailed("page too deeply nested to parse")
    except Exception as e:  # one bad input never stops the batch
        return WorkFailed(str(e) or type(e).__name__)


def prepare_ordered(
    fn: Callable[[Any], R], items: Iterable[Any], jobs: int = 1, window: int | None = None
) -> Iterator[tuple[Any, R | WorkFailed | None]]:
    """(item, result) for every item in input order; result is None for items that are not `Work`.

    With jobs == 1, or when the stream holds at most one piece of work, everything runs in this process.
    """
    stream = iter(items)
    window = window or max(2, jobs * WINDOW_PER_JOB)
    if jobs <= 1:
        for item in stream:
            yield item, (_run(fn, item.item) if isinstance(item, Work) else None)
        return
    head: list[Any] = []
    for item in stream:  # look ahead: no pool for a batch with a single page to prepare
        head.append(item)
        if sum(isinstance(x, Work) for x in head) > 1 or len(head) >= window:
            break
    if sum(isinstance(x, Work) for x in head) <= 1:
        for item in head:
            yield item, (_run(fn, item.item) if isinstance(item, Work) else None)
        yield from prepare_ordered(fn, stream, 1)
        return
    yield from _pooled(fn, _chain(head, stream), jobs, window)


def _chain(head: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from head
    yield from rest


def _pooled(
    fn: Callable[[Any], R], stream: Iterator[Any], jobs: int, window: int
) -> Iterator[tuple[Any, R | WorkFailed | None]]:
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_context())
    flight: deque[tuple[Any, Future[Any] | None]] = deque()
    try:
        for item in stream:
            flight.append((item, pool.submit(_run, fn, item.item) if isinstance(item, Work) else None))
            while len(flight) >= window or (flight and (flight[0][1] is None or flight[0][1].done())):
                pool, done = _pop(fn, flight, pool, jobs)
                yield done
        while flight:
            pool, done = _pop(fn, flight, pool, jobs)
            yield done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _pop(
    fn: Callable[[Any], R], flight: deque[tuple[Any, Future[Any] | None]], pool: ProcessPoolExecutor, jobs: int
) -> tuple[ProcessPoolExecutor, tuple[Any, Any]]:
    """The oldest item's result (waiting for it); a pool broken by a dying worker is replaced."""
    item, future = flight.popleft()
    if future is None:
        return pool, (item, None)
    try:
        return pool, (item, future.result())
    except BrokenProcessPool:
        pass
    # A worker died (killed, out of memory, a crash in C code). Every item in flight lost its result:
    # redo them one at a time in fresh pools, so only the item that kills a worker fails.
    pool.shutdown(wait=False, cancel_futures=True)
    pending = [item] + [x for x, _ in flight]
    flight.clear()
    results: list[tuple[Any, Any]] = []
    for x in pending:
        if not isinstance(x, Work):
            results.append((x, None))
            continue
        single = ProcessPoolExecutor(max_workers=1, mp_context=_context())
        try:
            results.append((x, single.submit(_run, fn, x.item).result()))
        except BrokenProcessPool:
            results.append((x, WorkFailed("worker process died while preparing this input")))
        finally:
            single.shutdown(wait=True)
    first = results.pop(0)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_context())
    for x, r in results:  # already finished: queue them as completed futures in their place
        done: Future[Any] = Future()
        done.set_result(r)
        flight.append((x, done if isinstance(x, Work) else None))
    return pool, first
