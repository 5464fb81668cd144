"""Simulation replications through the executor seam: batches of replications as tasks,
each replication drawing from its own seeded streams, so the counts are the same whether
they run in threads of this process, one after another, in local worker processes or on a
Dask LocalCluster."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from wfm.executors import DaskExecutor, Executor, LocalProcessExecutor, SerialExecutor
from wfm.simulation.centre import Demand, SimOptions, SimQueue
from wfm.simulation.confidence import ConfidenceStaffing, staff_to_confidence
from wfm.simulation.head_counts import staffing_from_counts
from wfm.simulation.replan import replan
from wfm.simulation.run import BATCH_REPLICATIONS, simulate_centre
from wfm.simulation.stats import SimulationResult
from wfm.staffing.erlang_c import offered_load
from wfm.staffing.required_agents import required_agents

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


# --- Confidence sizing and the re-plan loop run their replications on the executor too ---

def _sizing_case() -> tuple[SimQueue, Demand, Callable[[np.ndarray], np.ndarray]]:
    """One voice queue, two days of eight half-hour intervals, 10 % day-level error."""
    n = 16
    volume = np.full(n, 30.0)
    demand = Demand(1800.0, volume[None, :], np.full((1, n), 240.0),
                    np.arange(n, dtype=np.int64) // 8, rate_sd=0.1 * volume[None, :])
    queue = SimQueue("voice", patience_s=200.0, sl_threshold_s=20.0, sl_target=0.8)

    def staff(factor: np.ndarray) -> np.ndarray:
        load = offered_load(volume * factor, 240.0, 1800.0)
        return required_agents(load, 240.0, sl_target=0.8, sl_threshold_s=20.0)

    return queue, demand, staff


def _sized(executor: Executor | None) -> ConfidenceStaffing:
    queue, demand, staff = _sizing_case()
    return staff_to_confidence(queue, demand, staff, 0.8,
                               SimOptions(replications=REPLICATIONS, seed=5, workers=2),
                               executor=executor)


def test_confidence_sizing_gives_the_same_agents_on_every_executor() -> None:
    threads = _sized(None)
    assert threads.p_met.shape == (2,)
    for executor in (SerialExecutor(), LocalProcessExecutor(2)):
        other = _sized(executor)
        assert np.array_equal(other.agents, threads.agents)
        assert np.array_equal(other.factor, threads.factor)
        assert np.array_equal(other.p_met, threads.p_met, equal_nan=True)
        assert np.array_equal(other.p_met_plain, threads.p_met_plain, equal_nan=True)


class _Counting:
    """The serial executor, counting the tasks it ran (to see the seam is used)."""

    def __init__(self) -> None:
        self.tasks = 0

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any], *,
            label: Callable[[Any], str] = str) -> Iterator[Any]:
        for item in items:
            self.tasks += 1
            yield fn(item)


def test_the_replan_loop_gives_the_same_rounds_on_every_executor() -> None:
    queue, demand, staff = _sizing_case()
    required = np.maximum(staff(np.ones(16)) - 2, 1.0)[None, :]   # short: the loop raises

    def loop(executor: Executor | None) -> list[pd.DataFrame]:
        out = replan(required, lambda req: staffing_from_counts(np.ceil(req), 1800.0),
                     [queue], demand, SimOptions(replications=REPLICATIONS, seed=3,
                                                 workers=2),
                     max_rounds=2, executor=executor)
        return [r.days for r in out.rounds]

    threads = loop(None)
    assert len(threads) >= 2  # at least one re-plan round
    counting = _Counting()
    for executor in (counting, LocalProcessExecutor(2)):
        other = loop(executor)
        assert len(other) == len(threads)
        for a, b in zip(other, threads, strict=True):
            pd.testing.assert_frame_equal(a, b, check_exact=True)
    # Every round's replications went through the executor, in batches.
    batches = -(-REPLICATIONS // BATCH_REPLICATIONS)
    assert counting.tasks == len(threads) * batches
