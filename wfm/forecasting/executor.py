"""The one seam through which work over many series runs.

An executor is anything with ``map(fn, items)`` yielding results (in any order is fine:
results carry their series key). The default is a local process pool sized to the cores;
a Dask client fits the same seam (``DaskExecutor``) without touching the models.
"""

from __future__ import annotations

import ctypes
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


def die_with_parent() -> None:
    """Pool initializer: on Linux, the kernel kills this worker when its parent dies.

    A cron run killed by SIGKILL (OOM killer, a timeout wrapper) cannot shut its pool
    down; without this its workers would sleep on their queue forever.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # pragma: no cover - exotic libc
            pass


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
        with ProcessPoolExecutor(self.workers, initializer=die_with_parent) as pool:
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
