"""A time and memory limit per page: captures are cleaned in a child process that is killed on overrun.

Hostile or broken pages can make the parsers slow in C code no signal interrupts (libxml2 checks
duplicate attributes quadratically: 40,000 attributes on one tag take 1.6 s, 400,000 would take minutes)
or make them allocate without bound. So `archive add` cleans captures in worker processes
(archiver.pipeline.workers) under an address-space limit, waits at most CLEAN_DEADLINE_S for each, and on overrun
kills the workers, reports that one input as failed and starts fresh workers for the rest.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal

from archiver.errors import ExitCode

CLEAN_DEADLINE_S = 60.0  # per page: the slowest aeb-dev page cleans in ~1.5 s, 1.8 MB of table cells in ~27 s
CLEAN_MEMORY_BYTES = 3 * 1024**3  # worker address space: a 50 MB page peaks near 1 GB (traced); caps bombs
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int | None = None) -> None:
    """Linux: the kernel kills this process when its parent dies (even by SIGKILL), so none is orphaned.

    `parent`: the pid this process was forked from. A parent killed after the fork but before the kernel
    was asked has already gone (this process was re-parented), and no signal will come: exit now.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - not Linux: EOF on the pipe still ends the worker
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(ExitCode.FAILED)


def limit_memory(memory: int) -> None:
    """Cap this process's address space (a page that allocates without bound fails alone)."""
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # pragma: no cover - a platform without RLIMIT_AS: deadline only
        pass
