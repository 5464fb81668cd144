"""Simulation replications through the executor seam: batches of replications as tasks,
each replication drawing from its own seeded streams, so the counts are the same whether
they run in threads of this process, one after another, in local worker processes or on a
Dask LocalCluster."""

from __future__ import annotations

import numpy as np
import pytest

from wfm.executors import DaskExecutor, Executor, LocalProcessExecutor, SerialExecutor
from wfm.simulation.centre import Demand, SimOptions, SimQueue
from wfm.simulation.head_counts import staffing_from_counts
from wfm.simulation.run import BATCH_REPLICATIONS, simulate_centre
from wfm.simulation.stats import SimulationResult

QUEUES = [SimQueue("voice", patience_s=200.0), SimQueue("chat", concurrency=2)]
#: Not a multiple of the batch size: the last batch is a short one.
REPLICATIONS = 2 * BATCH_REPLICATIONS + 1


def _simulate(executor: Executor | None, seed: int = 11) -> SimulationResult:
    n = 16  # two days of eight half-hour intervals
    demand = Demand(1800.0, np.full((2, n), 20.0), np.full((2, n), 240.0),
                    np.arange(n, dtype=np.int64) // 8)
    staffing = staffing_from_counts(np.full((2, n), 4), 1800.0)
    # Absence draws from a second stream per replication: both must follow the task.
    options = SimOptions(replications=REPLICATIONS, seed=seed, workers=2, absence=0.1)
    return simulate_centre(QUEUES, demand, staffing, options, executor=executor)


@pytest.fixture(scope="module")
def threads() -> SimulationResult:
    """The default: every replication in a thread of this process."""
    return _simulate(None)


def _same(a: SimulationResult, b: SimulationResult) -> None:
    assert a.counts.shape == b.counts.shape
    assert np.array_equal(a.counts, b.counts, equal_nan=True)
    assert a.events == b.events


def test_replications_one_after_another_equal_the_threads(threads: SimulationResult) -> None:
    _same(_simulate(SerialExecutor()), threads)
    # ... and the seed matters (the comparison could fail).
    assert not np.array_equal(_simulate(SerialExecutor(), seed=12).counts, threads.counts,
                              equal_nan=True)


def test_replications_in_local_worker_processes_equal_the_threads(
        threads: SimulationResult) -> None:
    _same(_simulate(LocalProcessExecutor(2)), threads)


def test_replications_on_a_dask_local_cluster_equal_the_threads(
        threads: SimulationResult) -> None:
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    dask = DaskExecutor(workers=2)
    try:
        _same(_simulate(dask), threads)
    finally:
        dask.close()
