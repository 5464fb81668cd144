"""Where a job's independent work runs: [run] executor of wfm.toml, or --executor.

``local`` (the default) forecasts in a process pool on this machine and staffs, rosters and
runs sites in this process; ``dask`` sends all of them to a Dask cluster (a scheduler's
address, or a LocalCluster started for the command). One :class:`Execution` is opened per
command or per `wfm run` and shared by its steps (and by every site of a multi-site run).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from wfm.config import Config
from wfm.executors import DaskExecutor, Executor, LocalProcessExecutor, SerialExecutor

EXECUTOR_KINDS: tuple[str, ...] = ("local", "dask")


@dataclass(frozen=True)
class ExecutorChoice:
    """``kind`` local or dask (``None``: [run] executor); ``scheduler`` the Dask scheduler
    address (``None``: [run] scheduler; empty: a LocalCluster)."""

    kind: str | None = None
    scheduler: str | None = None


class Execution:
    """The executors of one command: :meth:`series` for work that is worth a process of
    its own (forecasting a series), :meth:`tasks` for work that is cheap locally (staffing
    a queue, rostering a group of agents) but goes to the cluster with Dask."""

    def __init__(self, *, local_workers: int | None = None,
                 dask: DaskExecutor | None = None) -> None:
        self.local_workers = local_workers
        self.dask = dask

    @property
    def kind(self) -> str:
        return "dask" if self.dask is not None else "local"

    def series(self) -> Executor:
        return self.dask if self.dask is not None else LocalProcessExecutor(self.local_workers)

    def tasks(self) -> Executor:
        return self.dask if self.dask is not None else SerialExecutor()


@contextlib.contextmanager
def open_execution(config: Config, choice: ExecutorChoice | None = None
                   ) -> Iterator[Execution]:
    """The execution ``choice`` asks for (flags), else [run] executor/scheduler; a Dask
    client (and LocalCluster) made here is closed when the block ends."""
    choice = choice or ExecutorChoice()
    run = config.run
    kind = choice.kind or run.executor
    workers = config.forecasting.workers or None
    if kind != "dask":
        yield Execution(local_workers=workers)
        return
    address = run.scheduler if choice.scheduler is None else choice.scheduler
    dask = DaskExecutor(address or None, workers=run.cluster_workers)
    try:
        yield Execution(local_workers=workers, dask=dask)
    finally:
        dask.close()


@contextlib.contextmanager
def execution_for(config: Config, execution: Execution | ExecutorChoice | None
                  ) -> Iterator[Execution]:
    """``execution`` itself when a caller (a run) opened one; else one opened for this job."""
    if isinstance(execution, Execution):
        yield execution
        return
    with open_execution(config, execution) as opened:
        yield opened
