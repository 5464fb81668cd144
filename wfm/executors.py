"""The one seam through which independent work runs: series to forecast, queues to staff,
agent groups to roster, sites of a multi-site run.

An executor is anything with ``map(fn, items, label=...)`` yielding results as they
complete (results carry their own key). The default is a local process pool sized to the
cores; a Dask cluster (``DaskExecutor``: a remote scheduler, or a LocalCluster on this
machine) fits the same seam without touching the models. dask is an optional extra
(``pip install wfm[dask]``), imported only when a Dask executor is opened.

Both keep a bounded number of items in flight (memory stays at a few items), and both run
an item again when the process running it died (a killed worker, the OOM killer) before
giving up with :class:`~wfm.errors.ExecutionError` naming the item. An exception the
function itself raises is not retried: it would fail the same way again.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from wfm.errors import ExecutionError

T = TypeVar("T")
R = TypeVar("R")

#: How many times an item whose worker died is run again before the run fails.
RETRIES = 1


def _no_label(item: object) -> str:
    return repr(item)[:80]


class Executor(Protocol):
    """``map`` yields ``fn(item)`` for every item, in any order; ``label(item)`` names an
    item in errors (a queue, a site)."""

    def map(self, fn: Callable[[T], R], items: Iterable[T], *,
            label: Callable[[T], str] = _no_label) -> Iterator[R]: ...


class SerialExecutor:
    """Run in this process (tests, one series, debugging)."""

    def map(self, fn: Callable[[T], R], items: Iterable[T], *,
            label: Callable[[T], str] = _no_label) -> Iterator[R]:
        del label
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
    if not direct_child:
        # The death signal follows the fork server, and the server outlives a killed run:
        # every worker holds the run's "alive" pipe, so the server never sees it close.
        # A daemon thread watches the run itself instead.
        threading.Thread(target=_exit_when_gone, args=(run_pid,), daemon=True).start()


def _exit_when_gone(run_pid: int) -> None:
    while not _gone(run_pid):
        time.sleep(1.0)
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
    items in flight, so memory stays bounded by a few items at a time.

    Workers start from a fork server, not by forking this process: a process that holds
    a native runtime (the data store's Delta Lake reader starts a tokio runtime, which
    does not survive a fork) must not be forked, and the server keeps worker start-up cheap
    by importing the task's module once.

    A worker that dies (killed, out of memory) breaks the whole pool, and the items in
    flight cannot tell which of them was running there: each of them is run again on its
    own in a fresh process, up to ``RETRIES + 1`` times, and an item that still kills its
    process fails the map with :class:`~wfm.errors.ExecutionError` naming it. The other
    items then go on in a new pool.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or len(os.sched_getaffinity(0))

    def map(self, fn: Callable[[T], R], items: Iterable[T], *,
            label: Callable[[T], str] = _no_label) -> Iterator[R]:
        if self.workers <= 1:
            yield from SerialExecutor().map(fn, items)
            return
        rest = iter(items)
        while True:
            lost: list[T] = []
            yield from self._pool_map(fn, rest, self.workers, lost)
            if not lost:
                return
            for item in lost:
                yield self._alone(fn, item, label)

    def _alone(self, fn: Callable[[T], R], item: T, label: Callable[[T], str]) -> R:
        for _ in range(RETRIES + 1):
            lost: list[T] = []
            for result in self._pool_map(fn, iter([item]), 1, lost):
                return result
        raise ExecutionError(
            f"{label(item)}: the worker process running it died each time it ran "
            "(killed, or out of memory); nothing was published",
            hint="rerun; if it dies again, lower [forecasting] workers or free memory")

    @staticmethod
    def _pool_map(fn: Callable[[T], R], rest: Iterator[T], workers: int,
                  lost: list[T]) -> Iterator[R]:
        """Run ``rest`` in one pool; when a worker dies, the items in flight go to
        ``lost`` and the unstarted ones stay in ``rest``."""
        ctx = multiprocessing.get_context("forkserver")
        # Takes effect when the server starts (the first pool of this process).
        ctx.set_forkserver_preload([fn.__module__])
        direct = False  # children of the fork server, not of this run
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=die_with_parent,
                                 initargs=(os.getpid(), direct)) as pool:
            pending: dict[Future[R], T] = {}

            def submit_next() -> bool:
                """Submit the next item; False when the pool broke first (a worker died
                between two results): that item joins the lost ones."""
                for x in rest:
                    try:
                        pending[pool.submit(fn, x)] = x
                    except BrokenProcessPool:
                        lost.append(x)
                        return False
                    return True
                return True

            for _ in range(2 * workers):
                if not submit_next():
                    lost.extend(pending.values())
                    return
            while pending:
                done = next(as_completed(pending))
                item = pending.pop(done)
                try:
                    result = done.result()
                except BrokenProcessPool:
                    lost.append(item)
                    lost.extend(pending.values())
                    return
                if not submit_next():
                    lost.extend(pending.values())
                    yield result
                    return
                yield result


#: Dask settings of the LocalCluster wfm starts (its workers receive them from their
#: nanny): the cluster shares this machine's cores with the tasks, so its housekeeping
#: must cost little CPU. Measured on 2 single-threaded workers running CPU-bound tasks
#: under load (bench/bench_scale.py, docs/scaling.md): with Dask's defaults the workers'
#: other threads used CPU equal to ~21 % of the tasks' own CPU, ~4 % with these.
#: - the statistical profiler samples the task's thread every 10 ms (a dashboard tool);
#: - the system monitor (500 ms), the event loop's blocked-loop tick (20 ms) and the
#:   memory monitor (100 ms) wake every process many times a second; their slower pace
#:   only delays the dashboard's figures and a nanny's reaction to a worker past its
#:   memory limit by about a second;
#: - work stealing moves queued tasks between workers, but a worker holds one task at a
#:   time (saturation 1.0), so there is nothing to steal;
#: - Dask starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``, so that glibc hands
#:   freed heap back to the system at once: the models' many mid-sized temporary arrays
#:   are then faulted in again and again, and the same forecast tasks took 14-17 % more
#:   CPU than in the local pool (the same 20 queues, twice); without it -2 % and +5 %.
#:   The workers keep Dask's one thread per BLAS/OpenMP library.
LOCAL_CLUSTER_CONFIG: dict[str, object] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.tick.interval": "200ms",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
    "distributed.nanny.pre-spawn-environ": {
        "OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1},
}


class DaskExecutor:
    """Items as tasks of a Dask cluster: the scheduler at ``address`` (``tcp://host:8786``),
    or a LocalCluster of ``workers`` single-threaded worker processes started here (and
    closed by :meth:`close`). At most ``in_flight`` tasks are submitted at once (default
    twice the cluster's threads); results come back as they complete; a task whose worker
    died runs again ``retries`` times (the LocalCluster's allowed failures) before the map
    fails naming it. An exception of the function itself is raised as is."""

    def __init__(self, address: str | None = None, *, workers: int = 2,
                 in_flight: int | None = None, retries: int = RETRIES) -> None:
        self.address = address
        self.workers = workers
        self.in_flight = in_flight
        self.retries = retries
        self._client: Any = None
        self._cluster: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                import dask
                from dask.distributed import Client, LocalCluster
            except ImportError:
                raise ExecutionError(
                    "executor 'dask' needs dask and distributed, which are not installed",
                    hint="pip install 'wfm[dask]' (or choose executor = \"local\")") from None
            # The cluster's own log lines (a worker restarted, a task recomputed) are not for
            # a planner's terminal or a cron mail: wfm reports what failed, once. Workers
            # of a LocalCluster read the level from the environment when they start.
            for name in [n for n in logging.root.manager.loggerDict
                         if n == "distributed" or n.startswith("distributed.")]:
                logging.getLogger(name).setLevel(logging.CRITICAL)
            os.environ["DASK_LOGGING__DISTRIBUTED"] = "critical"
            if self.address:
                try:
                    self._client = Client(self.address,  # type: ignore[no-untyped-call]
                                          timeout="20s")
                except OSError as exc:
                    raise ExecutionError(f"cannot reach the Dask scheduler {self.address} "
                                         f"({exc})", hint="check the address and that the "
                                                          "scheduler runs") from None
            else:
                # A worker holds one task at a time (saturation 1.0 with one thread), so a
                # worker's death is charged to the one task it ran; that task runs again
                # ``retries`` times, then fails as KilledWorker. (A remote scheduler keeps
                # its own settings.)
                dask.config.set({"distributed.scheduler.allowed-failures": self.retries,
                                 "distributed.scheduler.worker-saturation": 1.0,
                                 **LOCAL_CLUSTER_CONFIG})
                self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=self.workers, threads_per_worker=1, processes=True,
                    # A free port for the scheduler's HTTP server: the default 8787 may be
                    # taken by another cluster, and distributed then warns on stderr.
                    dashboard_address=":0")
                self._client = Client(self._cluster)  # type: ignore[no-untyped-call]
        return self._client

    def map(self, fn: Callable[[T], R], items: Iterable[T], *,
            label: Callable[[T], str] = _no_label) -> Iterator[R]:
        from dask.distributed import as_completed as dask_completed

        client = self.client
        limit = self.in_flight or 2 * max(1, sum(client.nthreads().values()))
        it = iter(items)
        pending: dict[Any, T] = {}

        def submit_next() -> bool:
            for x in it:
                pending[client.submit(fn, x, pure=False)] = x
                return True
            return False

        for _ in range(limit):
            if not submit_next():
                break
        done_iter = dask_completed(list(pending))  # type: ignore[no-untyped-call]
        for future in done_iter:
            item = pending.pop(future)
            try:
                result = future.result()
            except Exception as exc:
                if type(exc).__name__ != "KilledWorker":
                    raise
                raise ExecutionError(
                    f"{label(item)}: its Dask worker died {self.retries + 1} times while "
                    f"running it ({exc}); nothing was published",
                    hint="check the workers' memory and logs, then rerun") from None
            if submit_next():
                newest = next(reversed(pending))
                done_iter.add(newest)  # type: ignore[no-untyped-call]
            yield result

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None
