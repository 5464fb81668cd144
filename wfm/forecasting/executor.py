"""The one seam through which work over many series runs.

An executor is anything with ``map(fn, items)`` yielding results (in any order is fine:
results carry their series key). The default is a local process pool sized to the cores;
a Dask client fits the same seam (``DaskExecutor``) without touching the models.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]: ...


class SerialExecutor:
    """Run in this process (tests, one series, debugging)."""

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        for item in items:
            yield fn(item)


_PR_SET_PDEATHSIG = 1


def die_with_parent(run_pid: int | None = None, direct_child: bool = True) -> None:
    """Pool initializer: on Linux, the kernel kills this worker when its parent dies.

    A cron run killed by SIGKILL (OOM killer, a timeout wrapper) cannot shut its pool
    down; without this its workers would sleep on their queue forever.

    The death signal only covers a parent that dies *after* ``prctl``: a run killed while
    its workers were still starting (seen under load) leaves them reparented, so the
    worker then checks that the run (``run_pid``) is still its parent — or, for workers
    started by a fork server (``direct_child`` False), still alive — and exits if not.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - exotic libc
        pass
    if run_pid is None:
        return
    if (os.getppid() != run_pid) if direct_child else _gone(run_pid):
        os._exit(1)


def _gone(pid: int) -> bool:
    """The process has exited (a zombie waiting to be reaped counts as exited)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            return "\nState:\tZ" in f.read()
    except FileNotFoundError:
        return True


class LocalProcessExecutor:
    """A process pool of ``workers`` (default: the usable cores); at most 2 x workers
    items in flight, so memory stays bounded by a few series at a time."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or len(os.sched_getaffinity(0))

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        if self.workers <= 1:
            yield from SerialExecutor().map(fn, items)
            return
        it = iter(items)
        ctx = multiprocessing.get_context()
        direct = ctx.get_start_method() != "forkserver"  # fork and spawn: children of this run
        with ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=die_with_parent,
                                 initargs=(os.getpid(), direct)) as pool:
            pending = {pool.submit(fn, x) for _, x in zip(range(2 * self.workers), it,
                                                          strict=False)}
            while pending:
                done = next(as_completed(pending))
                pending.remove(done)
                for x in it:
                    pending.add(pool.submit(fn, x))
                    break
                yield done.result()


class DaskExecutor:
    """Submit each item to a ``dask.distributed.Client`` (dask is optional, not required)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        futures = self.client.map(fn, list(items))
        for fut in futures:
            yield fut.result()
