"""The executor seam: every result, bounded work, a dead worker retried once then named."""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from executor_tasks import always_die, die_once, refuse, square

from wfm.errors import ExecutionError
from wfm.executors import DaskExecutor, LocalProcessExecutor, SerialExecutor

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")


@pytest.fixture(scope="module")
def cluster() -> DaskExecutor:
    """A LocalCluster of two single-threaded worker processes, shared by the module."""
    ex = DaskExecutor(workers=2, in_flight=3)
    yield ex
    ex.close()


@pytest.mark.parametrize("make", [SerialExecutor, lambda: LocalProcessExecutor(2)])
def test_every_item_comes_back(make: object) -> None:
    assert sorted(make().map(square, range(9))) == [i * i for i in range(9)]  # type: ignore[operator]


def test_dask_every_item_comes_back_in_bounded_flight(cluster: DaskExecutor) -> None:
    assert sorted(cluster.map(square, range(25))) == [i * i for i in range(25)]


@pytest.mark.parametrize("make", [lambda: LocalProcessExecutor(2),
                                  lambda: "cluster"])
def test_a_worker_killed_once_is_retried(make: object, tmp_path: Path,
                                         request: pytest.FixtureRequest) -> None:
    """One item's worker is killed (the OOM killer, a node lost): every result comes back."""
    ex = make()  # type: ignore[operator]
    if ex == "cluster":
        ex = request.getfixturevalue("cluster")
    items = [(str(tmp_path / "m") if i == 2 else "", i) for i in range(6)]
    assert sorted(ex.map(die_once, items, label=lambda a: f"queue q{a[1]}")) == \
        [i * i for i in range(6)]
    assert (tmp_path / "m").exists()


def test_the_local_pool_reruns_every_item_caught_in_a_broken_pool(tmp_path: Path) -> None:
    """A dying worker breaks the whole pool: the items in flight run again on their own."""
    items = [(str(tmp_path / f"m{i}"), i) for i in range(6)]
    assert sorted(LocalProcessExecutor(2).map(die_once, items)) == [i * i for i in range(6)]


class _BreaksAtSubmit(ProcessPoolExecutor):
    """A pool that is found broken when its ``at``-th item is submitted (a worker died
    between two results), the first time only."""

    calls = 0
    at = 3

    def submit(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        type(self).calls += 1
        if type(self).calls == self.at:
            raise BrokenProcessPool("a worker died")
        return super().submit(*args, **kwargs)


@pytest.mark.parametrize("at", [2, 5, 6])
def test_a_pool_found_broken_at_submit_loses_no_item(monkeypatch: pytest.MonkeyPatch,
                                                    at: int) -> None:
    """At start-up (2nd submit), after results (5th) or on the last item (6th): every item
    still comes back exactly once."""
    import wfm.executors

    monkeypatch.setattr(_BreaksAtSubmit, "calls", 0)
    monkeypatch.setattr(_BreaksAtSubmit, "at", at)
    monkeypatch.setattr(wfm.executors, "ProcessPoolExecutor", _BreaksAtSubmit)
    assert sorted(LocalProcessExecutor(2).map(square, range(6))) == [i * i for i in range(6)]


@pytest.mark.parametrize("make", [lambda: LocalProcessExecutor(2),
                                  lambda: DaskExecutor(workers=2, in_flight=3)])
def test_a_worker_that_keeps_dying_names_its_item(make: object, tmp_path: Path) -> None:
    # A cluster of its own: both workers die here, and while their nannies restart them the
    # scheduler may still list the dead ones; a task of the next test sent to each in turn
    # would count two deaths and fail as KilledWorker (seen once under load).
    ex = make()  # type: ignore[operator]
    try:
        with pytest.raises(ExecutionError) as err:
            list(ex.map(always_die, [(str(tmp_path), 7)], label=lambda a: f"queue q{a[1]}"))
    finally:
        if isinstance(ex, DaskExecutor):
            ex.close()
    assert err.value.message.startswith("queue q7: ")
    assert "nothing was published" in err.value.message


@pytest.mark.parametrize("make", [SerialExecutor, lambda: LocalProcessExecutor(2),
                                  lambda: "cluster"])
def test_an_exception_of_the_task_itself_is_raised_as_is(
        make: object, request: pytest.FixtureRequest) -> None:
    ex = make()  # type: ignore[operator]
    if ex == "cluster":
        ex = request.getfixturevalue("cluster")
    with pytest.raises(ValueError, match="bad item 3"):
        list(ex.map(refuse, [3]))


def test_an_unreachable_scheduler_is_one_line() -> None:
    ex = DaskExecutor("tcp://127.0.0.1:9", workers=1)
    with pytest.raises(ExecutionError,
                       match=re.escape("cannot reach the Dask scheduler tcp://127.0.0.1:9")):
        list(ex.map(square, [1]))


def test_the_local_cluster_workers_run_without_the_profiler_and_slow_monitors(
        cluster: DaskExecutor) -> None:
    """The LocalCluster's housekeeping is quiet on the workers themselves (their CPU is the
    tasks'): the settings reach the worker processes, not only this one."""
    import dask

    from wfm.executors import LOCAL_CLUSTER_CONFIG

    def settings() -> dict[str, object]:
        return {key: dask.config.get(key) for key in LOCAL_CLUSTER_CONFIG}

    # A worker killed by an earlier test comes back from its nanny with the same settings.
    cluster.client.wait_for_workers(2, timeout=300)
    seen = cluster.client.run(settings)
    assert len(seen) == 2
    for worker in seen.values():
        assert worker == LOCAL_CLUSTER_CONFIG
        assert worker["distributed.worker.profile.enabled"] is False
    # glibc keeps its default heap trimming (Dask's 64 kB threshold cost ~15 % CPU).
    trim = cluster.client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_")
    assert set(trim.values()) == {None}
    assert set(cluster.client.run(os.environ.get, "OMP_NUM_THREADS").values()) == {"1"}
