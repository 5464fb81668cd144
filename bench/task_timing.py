"""Where an executor's time goes: every task timed inside the process that runs it.

``TimedExecution`` wraps an :class:`~wfm.pipeline.execution.Execution` so that the jobs run
unchanged while each task reports when it started and ended (wall clock, comparable across
the processes of one machine), the CPU time of the thread that ran it and of its whole
process (a Dask worker's other threads: event loop, profiler, heartbeats), and its pid.
From these :func:`breakdown` tells the task time itself from the time between tasks
(start-up of a fresh worker, scheduling, gathering results).

The module must be importable in the workers (bench_scale puts ``bench/`` on PYTHONPATH
before any worker starts).
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from wfm.pipeline.execution import Execution


@dataclass(frozen=True)
class Timing:
    pid: int
    start: float  # time.time() [s]
    end: float
    thread_cpu_s: float
    process_cpu_s: float


@dataclass(frozen=True)
class TimedResult:
    value: Any
    timing: Timing


class Timed:
    """``fn`` timed where it runs (picklable when ``fn`` is). It answers to ``fn``'s
    module, which the local pool's fork server preloads."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.__module__ = fn.__module__

    def __call__(self, item: Any) -> TimedResult:
        t0, c0, p0 = time.time(), time.thread_time(), time.process_time()
        value = self.fn(item)
        return TimedResult(value, Timing(os.getpid(), t0, time.time(),
                                         time.thread_time() - c0, time.process_time() - p0))


@dataclass
class TimedExecutor:
    """An executor whose tasks are timed; ``timings`` collects them, ``spans`` the wall
    time of each ``map`` (from the call to the last result)."""

    inner: Any
    timings: list[Timing] = field(default_factory=list)
    spans: list[tuple[float, float]] = field(default_factory=list)

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any], *,
            label: Callable[[Any], str] = repr) -> Iterator[Any]:
        t0 = time.time()
        for res in self.inner.map(Timed(fn), items, label=label):
            self.timings.append(res.timing)
            yield res.value
        self.spans.append((t0, time.time()))


class TimedExecution(Execution):
    """The jobs' :class:`Execution` with both of its executors timed."""

    def __init__(self, inner: Execution) -> None:
        super().__init__(local_workers=inner.local_workers, dask=inner.dask)
        self._series = TimedExecutor(inner.series())
        self._tasks = TimedExecutor(inner.tasks())

    def series(self) -> TimedExecutor:  # type: ignore[override]
        return self._series

    def tasks(self) -> TimedExecutor:  # type: ignore[override]
        return self._tasks

    def reset(self) -> None:
        for ex in (self._series, self._tasks):
            ex.timings.clear()
            ex.spans.clear()


@dataclass(frozen=True)
class Breakdown:
    """One job's ``map`` calls: wall [s] of the maps, tasks, sums of the tasks' own wall
    and CPU time, the workers that ran them, the wait before the first task started and
    after the last ended, and the idle time of the workers between their tasks."""

    wall_s: float
    tasks: int
    workers: int
    task_wall_s: float
    task_thread_cpu_s: float
    task_process_cpu_s: float
    first_start_s: float
    after_last_s: float
    idle_between_s: float

    def line(self) -> str:
        return (f"{self.tasks} tasks on {self.workers} processes: tasks' own wall "
                f"{self.task_wall_s:.1f} s (thread CPU {self.task_thread_cpu_s:.1f} s, "
                f"process CPU {self.task_process_cpu_s:.1f} s); first task after "
                f"{self.first_start_s:.2f} s, last result +{self.after_last_s:.2f} s; "
                f"workers idle between tasks {self.idle_between_s:.1f} s")


def breakdown(ex: TimedExecutor) -> Breakdown | None:
    if not ex.timings or not ex.spans:
        return None
    t0, t1 = ex.spans[0][0], ex.spans[-1][1]
    by_pid: dict[int, list[Timing]] = {}
    for t in ex.timings:
        by_pid.setdefault(t.pid, []).append(t)
    idle = 0.0
    for ts in by_pid.values():
        ts.sort(key=lambda t: t.start)
        idle += sum(max(0.0, b.start - a.end) for a, b in itertools.pairwise(ts))
    return Breakdown(
        wall_s=sum(b - a for a, b in ex.spans), tasks=len(ex.timings), workers=len(by_pid),
        task_wall_s=sum(t.end - t.start for t in ex.timings),
        task_thread_cpu_s=sum(t.thread_cpu_s for t in ex.timings),
        task_process_cpu_s=sum(t.process_cpu_s for t in ex.timings),
        first_start_s=min(t.start for t in ex.timings) - t0,
        after_last_s=t1 - max(t.end for t in ex.timings), idle_between_s=idle)
