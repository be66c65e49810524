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

from archiver import guard

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
    """fork: each worker is a direct child of `archive add`, so it dies with it (see _worker_start).

    A forkserver would outlive a killed `add`: it waits for every holder of its pipe to go, and its
    own workers hold it. Forked workers drop the database connections they inherit without closing
    them (`on_start`) and touch no database.
    """
    return multiprocessing.get_context("fork")


def _worker_start(parent: int, memory: int, on_start: Callable[[], None] | None) -> None:
    """In each pool worker: death with its parent, the address-space cap (archiver.guard), `on_start`."""
    guard.die_with_parent(parent)
    guard.limit_memory(memory)
    if on_start is not None:
        on_start()


def _new_pool(jobs: int, limits: _Limits) -> ProcessPoolExecutor:
    """Workers capped at `limits.memory` bytes of address space each (archiver.guard)."""
    return ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_context(),
        initializer=_worker_start,
        initargs=(os.getpid(), limits.memory, limits.on_start),
    )


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop a pool whose worker overran its deadline: kill its processes (the executor has no public way)."""
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _run(fn: Callable[[Any], R], item: Any) -> R | WorkFailed:
    """Call fn in the worker; an error becomes a WorkFailed for this item only."""
    try:
        return fn(item)
    except RecursionError:
        return WorkFailed("page too deeply nested to parse")
    except MemoryError:
        return WorkFailed("page needs more memory to clean than a worker may use")
    except Exception as e:  # noqa: BLE001 - one bad input never stops the batch
        return WorkFailed(str(e) or type(e).__name__)


def prepare_ordered(
    fn: Callable[[Any], R],
    items: Iterable[Any],
    jobs: int = 1,
    window: int | None = None,
    on_start: Callable[[], None] | None = None,
    deadline: float | None = None,
    memory: int | None = None,
) -> Iterator[tuple[Any, R | WorkFailed | None]]:
    """(item, result) for every item in input order; result is None for items that are not `Work`.

    Every piece of work runs in one of `jobs` worker processes, under a time limit per item (`deadline`,
    default guard.CLEAN_DEADLINE_S) and an address-space cap per worker (`memory`, default
    guard.CLEAN_MEMORY_BYTES). The workers run ahead of the caller by up to `window` items, so with
    jobs == 1 the one worker cleans the next pages while the caller stores this one. No process is
    started until the first piece of work arrives.
    """
    jobs = max(1, jobs)
    window = window or max(2, jobs * WINDOW_PER_JOB)
    limits = _Limits(
        guard.CLEAN_DEADLINE_S if deadline is None else deadline,
        guard.CLEAN_MEMORY_BYTES if memory is None else memory,
        on_start,
    )
    yield from _pooled(fn, iter(items), jobs, window, limits)


@dataclass(frozen=True)
class _Limits:
    deadline: float
    memory: int
    on_start: Callable[[], None] | None


def _pooled(
    fn: Callable[[Any], R], stream: Iterator[Any], jobs: int, window: int, limits: _Limits
) -> Iterator[tuple[Any, R | WorkFailed | None]]:
    pool: ProcessPoolExecutor | None = None
    flight: deque[tuple[Any, Future[Any] | None]] = deque()
    try:
        for item in stream:
            future = None
            if isinstance(item, Work):
                pool = pool or _new_pool(jobs, limits)
                future = pool.submit(_run, fn, item.item)
            flight.append((item, future))
            while len(flight) >= window or (flight and (flight[0][1] is None or flight[0][1].done())):
                pool, done = _pop(fn, flight, pool, jobs, limits)
                yield done
        while flight:
            pool, done = _pop(fn, flight, pool, jobs, limits)
            yield done
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _pop(
    fn: Callable[[Any], R], flight: deque[tuple[Any, Future[Any] | None]], pool: ProcessPoolExecutor | None,
    jobs: int, limits: _Limits,
) -> tuple[ProcessPoolExecutor | None, tuple[Any, Any]]:
    """The oldest item's result (waiting for it); a pool broken by a dying worker is replaced."""
    item, future = flight.popleft()
    if future is None:
        return pool, (item, None)
    assert pool is not None  # a future comes from the pool
    try:
        return pool, (item, future.result(timeout=limits.deadline))
    except BrokenProcessPool:
        lost: WorkFailed | None = None
    except TimeoutError:
        lost = WorkFailed(f"page took longer than {limits.deadline:g} s to clean (skipped)")
        _kill(pool)
    # A worker died (killed, out of memory, a crash in C code) or overran: every item in flight lost its
    # result. Redo them one at a time in fresh pools, so only the item that kills a worker fails.
    pool.shutdown(wait=False, cancel_futures=True)
    pending = ([] if lost else [item]) + [x for x, _ in flight]
    flight.clear()
    results: list[tuple[Any, Any]] = [(item, lost)] if lost else []
    for x in pending:
        if not isinstance(x, Work):
            results.append((x, None))
            continue
        single = _new_pool(1, limits)
        try:
            results.append((x, single.submit(_run, fn, x.item).result(timeout=limits.deadline)))
        except BrokenProcessPool:
            results.append((x, WorkFailed("worker process died while preparing this input")))
        except TimeoutError:
            results.append((x, WorkFailed(f"page took longer than {limits.deadline:g} s to clean (skipped)")))
            _kill(single)
        finally:
            single.shutdown(wait=True)
    first = results.pop(0)
    pool = _new_pool(jobs, limits)
    for x, r in results:  # already finished: queue them as completed futures in their place
        done: Future[Any] = Future()
        done.set_result(r)
        flight.append((x, done if isinstance(x, Work) else None))
    return pool, first
