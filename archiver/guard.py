"""A time and memory limit per page: captures are cleaned in a child process that is killed on overrun.

Hostile or broken pages can make the parsers slow in C code no signal interrupts (libxml2 checks
duplicate attributes quadratically: 40,000 attributes on one tag take 1.6 s, 400,000 would take minutes)
or make them allocate without bound. So `archive add` cleans each capture in a long-lived worker
process under an address-space limit, waits at most CLEAN_DEADLINE_S for it, and on overrun kills the
worker, reports that one input as failed and starts a fresh worker for the next.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from archiver.errors import ArchiveError, InputError
from archiver.types import Capture

CLEAN_DEADLINE_S = 60.0  # per page: the slowest aeb-dev page cleans in ~1.5 s, 1.8 MB of table cells in ~27 s
CLEAN_MEMORY_BYTES = 3 * 1024**3  # worker address space: a 50 MB page peaks near 1 GB (traced); caps bombs
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent() -> None:
    """Linux: the kernel kills this process when its parent dies (even by SIGKILL), so none is orphaned."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - not Linux: EOF on the pipe still ends the worker
        pass


def _die_with_parent(parent_pid: int) -> None:
    die_with_parent()
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)


def limit_memory(memory: int) -> None:
    """Cap this process's address space (a page that allocates without bound fails alone)."""
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # pragma: no cover - a platform without RLIMIT_AS: deadline only
        pass


def _worker(conn: Connection, parent_end: Connection, parent_pid: int, prepare: Callable[[Capture], Any],
            on_start: Callable[[], None] | None, memory: int) -> None:
    _die_with_parent(parent_pid)
    parent_end.close()  # the only other holder of the pipe is the parent: its death is EOF here
    if on_start is not None:
        on_start()
    limit_memory(memory)
    while True:
        try:
            capture = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", prepare(capture)))
        except ArchiveError as e:
            conn.send(("error", str(e)))
        except RecursionError:
            conn.send(("error", "page too deeply nested to parse"))
        except MemoryError:
            conn.send(("error", f"page needs more than {memory // 1024**3} GB to clean"))


class CleanWorker:
    """Runs `prepare(capture)` in a child process with a deadline; use as a context manager."""

    def __init__(self, prepare: Callable[[Capture], Any], deadline: float | None = None,
                 memory: int | None = None, on_start: Callable[[], None] | None = None) -> None:
        self.prepare_fn, self.on_start = prepare, on_start
        self.deadline = CLEAN_DEADLINE_S if deadline is None else deadline
        self.memory = CLEAN_MEMORY_BYTES if memory is None else memory
        self.process: Any = None
        self.conn: Connection | None = None

    def _start(self) -> None:
        # fork: the worker shares the loaded modules (no second start-up); `on_start` drops inherited
        # database connections without closing them (SQLAlchemy's engine.dispose(close=False)).
        ctx = multiprocessing.get_context("fork")
        parent, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_worker, args=(child, parent, os.getpid(), self.prepare_fn, self.on_start, self.memory),
            daemon=True,
        )
        self.process.start()
        child.close()
        self.conn = parent

    def _stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.process = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def prepare(self, capture: Capture) -> Any:
        """The prepared capture, or InputError when it overruns the deadline or crashes the worker."""
        if self.process is None or not self.process.is_alive():
            self._stop()
            self._start()
        assert self.conn is not None
        try:
            self.conn.send(capture)
            if not self.conn.poll(self.deadline):
                self._stop()
                raise InputError(f"page took longer than {self.deadline:g} s to clean (skipped)")
            status, value = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as e:
            self._stop()
            raise InputError("cleaning the page crashed its worker (out of memory?)") from e
        if status == "error":
            raise InputError(value)
        return value

    def close(self) -> None:
        self._stop()

    def __enter__(self) -> CleanWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
