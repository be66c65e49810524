"""Preparing captures in worker processes, results handed back in input order.

`prepare_runs` maps a function over a stream of items with at most `window` items in flight, so memory
stays flat however long the stream is, and hands the results back in the order the items came in: the
single writer in the parent stores them in that order, so `--jobs N` stores exactly what `--jobs 1` stores.
Items that are not work (already known, failed to read) pass through in their place. While every worker
has work, items go to a worker a few at a time (TASK_ITEMS); each still fails alone. At each wait, every
result already there comes back with the one waited for: the writer stores such a run in one transaction.
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

from archiver.pipeline import guard

T = TypeVar("T")
R = TypeVar("R")

# Items sent to a worker in one task, while every worker has work: each task costs a round of executor
# bookkeeping in the parent's two helper threads. On 1,000 aeb-dev pages (`add --jobs 2`) those threads
# took 0.62 s with one item a task and 0.40 s with 4, the writer's main thread the same. A source slower
# than the workers (URLs being fetched) sends each item on at once: a worker is waiting for it.
TASK_ITEMS = 4  # docs/calibration.md#ingest-throughput
# items in flight per worker: one task cleaning, the next queued behind it. Twice that (32 for 2 workers)
# left the workers no idle gaps but took as long on 2 cores: the writer's process fills those gaps.
WINDOW_PER_JOB = 2 * TASK_ITEMS


@dataclass(frozen=True)
class Work(Generic[T]):
    """An item to process in a worker; anything else passed to `prepare_runs` passes through."""

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
    """In each pool worker: death with its parent, the address-space cap (archiver.pipeline.guard), `on_start`."""
    guard.die_with_parent(parent)
    guard.limit_memory(memory)
    if on_start is not None:
        on_start()


def _new_pool(jobs: int, limits: _Limits) -> ProcessPoolExecutor:
    """Workers capped at `limits.memory` bytes of address space each (archiver.pipeline.guard)."""
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
    except MemoryError:
        return WorkFailed("page needs more memory to clean than a worker may use")
    except Exception as e:  # noqa: BLE001 - one bad input never stops the batch
        return WorkFailed(str(e) or type(e).__name__)


def prepare_runs(
    fn: Callable[[Any], R],
    items: Iterable[Any],
    jobs: int = 1,
    window: int | None = None,
    on_start: Callable[[], None] | None = None,
    deadline: float | None = None,
    memory: int | None = None,
) -> Iterator[list[tuple[Any, R | WorkFailed | None]]]:
    """(item, result) for every item in input order, in runs; result is None for items that are not `Work`.

    A run is the oldest result, waited for, and the ones after it already there; never empty. How the
    results are cut into runs depends on timing (a task's TASK_ITEMS results arrive together), so what a
    caller makes of a run must not depend on its length.

    Every piece of work runs in one of `jobs` worker processes, under a time limit per item (`deadline`,
    default guard.CLEAN_DEADLINE_S) and an address-space cap per worker (`memory`, default
    guard.CLEAN_MEMORY_BYTES). The workers run ahead of the caller by up to `window` items, so with
    jobs == 1 the one worker cleans the next pages while the caller stores these. No process is
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


@dataclass
class _Task:
    """Work items sent to one worker together; `future` is set when sent, and gives their results in order."""

    items: list[Any]
    future: Future[list[Any]] | None = None


def _run_all(fn: Callable[[Any], R], items: list[Any]) -> list[R | WorkFailed]:
    """Call fn on each item of a task in the worker; an error fails its own item only."""
    return [_run(fn, item) for item in items]


_Slot = tuple[Any, "_Task | None", int]  # an item in flight: its task (None: not work) and place in it


def _pooled(
    fn: Callable[[Any], R], stream: Iterator[Any], jobs: int, window: int, limits: _Limits
) -> Iterator[list[tuple[Any, R | WorkFailed | None]]]:
    pool: ProcessPoolExecutor | None = None
    flight: deque[_Slot] = deque()
    filling: _Task | None = None  # the task being filled, not yet sent

    def send(task: _Task) -> None:
        nonlocal pool
        pool = pool or _new_pool(jobs, limits)
        task.future = pool.submit(_run_all, fn, task.items)

    def busy() -> int:
        """Tasks sent and not finished."""
        return len({id(t) for _, t, _ in flight if t is not None and t.future is not None and not t.future.done()})

    try:
        for item in stream:
            if isinstance(item, Work):
                filling = filling or _Task([])
                flight.append((item, filling, len(filling.items)))
                filling.items.append(item.item)
                if len(filling.items) >= TASK_ITEMS or busy() < jobs:
                    send(filling)
                    filling = None
            else:
                flight.append((item, None, 0))
            while flight and (len(flight) >= window or _ready(flight[0])):
                head = flight[0][1]
                if head is not None and head.future is None:  # the window is full of the task being filled
                    send(head)
                    filling = None
                pool, done = _pop(fn, flight, pool, jobs, limits)
                if filling is not None and filling.future is not None:  # settled by _pop's recovery
                    filling = None
                yield _run_from(done, flight)
        if filling is not None:
            send(filling)
        while flight:
            pool, done = _pop(fn, flight, pool, jobs, limits)
            yield _run_from(done, flight)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _run_from(first: tuple[Any, Any], flight: deque[_Slot]) -> list[tuple[Any, Any]]:
    """`first` and the results after it that are already there, taken from `flight` without waiting."""
    run = [first]
    while flight and _ready(flight[0]):
        task = flight[0][1]
        future = None if task is None else task.future
        if future is not None and (future.cancelled() or future.exception() is not None):
            break  # a worker died: `_pop` recovers its items when the caller comes back for them
        item, task, position = flight.popleft()
        run.append((item, None if task is None or task.future is None else task.future.result()[position]))
    return run


def _redo_alone(fn: Callable[[Any], R], item: Any, limits: _Limits) -> R | WorkFailed:
    """One item run again in a fresh pool of its own, under its own deadline."""
    single = _new_pool(1, limits)
    try:
        return single.submit(_run, fn, item).result(timeout=limits.deadline)
    except BrokenProcessPool:
        return WorkFailed("worker process died while preparing this input")
    except TimeoutError:
        _kill(single)
        return WorkFailed(f"page took longer than {limits.deadline:g} s to clean (skipped)")
    finally:
        single.shutdown(wait=True)


def _ready(slot: _Slot) -> bool:
    """The item's result is there to take (not work, or its task finished)."""
    task = slot[1]
    return task is None or (task.future is not None and task.future.done())


def _pop(
    fn: Callable[[Any], R], flight: deque[_Slot], pool: ProcessPoolExecutor | None, jobs: int, limits: _Limits,
) -> tuple[ProcessPoolExecutor | None, tuple[Any, Any]]:
    """The oldest item's result (waiting for it); a pool broken by a dying worker is replaced."""
    item, task, position = flight[0]
    if task is None:
        flight.popleft()
        return pool, (item, None)
    assert pool is not None and task.future is not None  # the oldest item's task was sent
    try:
        # the task's items run one after another: each has the deadline
        results = task.future.result(timeout=limits.deadline * len(task.items))
        flight.popleft()
        return pool, (item, results[position])
    except BrokenProcessPool:
        lost: WorkFailed | None = None
    except TimeoutError:
        # which item of a task overran is not known: each is tried again alone, under its own deadline
        alone = len(task.items) == 1
        lost = WorkFailed(f"page took longer than {limits.deadline:g} s to clean (skipped)") if alone else None
        _kill(pool)
    # A worker died (killed, out of memory, a crash in C code) or overran: every item in flight lost its
    # result. Redo them one at a time in fresh pools, so only the item that kills a worker fails.
    pool.shutdown(wait=False, cancel_futures=True)
    slots = list(flight)
    flight.clear()
    redone: dict[int, Any] = {}  # slot index -> result
    for k, (x, t, _) in enumerate(slots):
        if t is not None:
            redone[k] = lost if k == 0 and lost is not None else _redo_alone(fn, x.item, limits)
    first = (slots[0][0], redone[0])
    for k, (x, t, _) in enumerate(slots[1:], start=1):  # already finished: in their place, as finished tasks
        if t is None:
            flight.append((x, None, 0))
            continue
        done: Future[list[Any]] = Future()
        done.set_result([redone[k]])
        flight.append((x, _Task([x.item], done), 0))
    for _, t, _ in slots:  # a task still being filled is settled too: its caller starts a new one
        if t is not None and t.future is None:
            t.future = Future()
            t.future.set_result([])
    return _new_pool(jobs, limits), first
