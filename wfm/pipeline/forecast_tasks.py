"""Forecast work that travels: a task names a queue and the data store, not a frame.

The worker that runs it (a process of this machine's pool, or a Dask worker that sees the
same store path) reads that one queue's history itself, so the driver never holds the
whole history and nothing large goes through the scheduler.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wfm.forecasting.batch import ForecastPlan, SeriesBatch, series_tasks
from wfm.forecasting.series import SeriesResult, forecast_series
from wfm.io.store import read_intervals


@dataclass(frozen=True)
class QueueTask:
    """Forecast every series of ``queue`` (its ``channels`` only, when given) in the store
    at ``data_dir``, from ``ref`` (the first forecast instant, the same for every queue)."""

    data_dir: Path
    queue: str
    channels: tuple[str, ...]
    plan: ForecastPlan
    ref: pd.Timestamp

    def label(self) -> str:
        return f"queue {self.queue}"


@dataclass
class QueueForecast:
    """The results of one queue's series and what was skipped."""

    results: list[SeriesResult]
    batch: SeriesBatch


#: Tests only: ``<queue>:<marker file>`` kills the worker forecasting that queue the first
#: time (when the marker does not exist yet; ``<queue>:always`` every time), as the OOM
#: killer would.
CRASH_ENV = "WFM_TEST_CRASH_QUEUE"


def forecast_queue(task: QueueTask) -> QueueForecast:
    """Read the queue's history and forecast each of its series (runs in a worker)."""
    _crash_for_tests(task.queue)
    frame = read_intervals(task.data_dir, queues=[task.queue])
    if task.channels:
        frame = frame[frame["channel"].isin(task.channels)]
    batch = series_tasks(frame, task.plan, task.ref)
    results = [forecast_series(t) for t in batch.tasks]
    batch.tasks = []  # the histories stay in the worker
    return QueueForecast(results, batch)


def _crash_for_tests(queue: str) -> None:
    wanted, _, marker = os.environ.get(CRASH_ENV, "").partition(":")
    if wanted != queue:
        return
    if marker != "always":
        if Path(marker).exists():
            return
        Path(marker).write_text("crashed once\n", encoding="utf-8")
    os.kill(os.getpid(), signal.SIGKILL)
