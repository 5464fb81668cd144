"""The compiled Erlang C search (long arrays) against a 30-digit reference and the
vectorised search it replaces there.

``required_agents`` switches to wfm.staffing.erlang_c_kernel from
``COMPILED_MIN_INTERVALS`` intervals; these tests lower that threshold to 1 where they
want the kernel on a short grid, and use arrays of 10,000 intervals where they want the
switch itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.errors import StaffingError
from wfm.staffing import required_agents as required
from wfm.staffing.erlang_c import asa, occupancy, service_level
from wfm.staffing.required_agents import required_agents


@contextmanager
def min_intervals(n: int) -> Iterator[None]:
    """Arrays of ``n`` intervals and more take the compiled kernel inside the block."""
    saved = required.COMPILED_MIN_INTERVALS
    required.COMPILED_MIN_INTERVALS = n
    try:
        yield
    finally:
        required.COMPILED_MIN_INTERVALS = saved


@pytest.fixture
def compiled_always() -> Iterator[None]:
    with min_intervals(1):
        yield


def vectorised(load: np.ndarray, aht: np.ndarray | float, **targets: float) -> np.ndarray:
    with min_intervals(10**12):
        return required_agents(load, aht, **targets)


def exact_required(a: float, aht: float, *, sl_target: float | None = None,
                   sl_threshold_s: float = 0.0, max_asa_s: float | None = None,
                   max_occupancy: float | None = None) -> int:
    """Smallest n meeting every target, in 30-digit arithmetic (Erlang-B recursion)."""
    if a == 0:
        return 0
    with mp.workdps(30):
        a_, h = mp.mpf(a), mp.mpf(aht)
        inv = mp.mpf(1)
        n = 0
        while True:
            n += 1
            inv = 1 + inv * n / a_
            if n <= a_:
                continue
            b = 1 / inv
            c = n * b / (n - a_ * (1 - b))
            ok = True
            if sl_target is not None:
                ok &= 1 - c * mp.exp(-(n - a_) * sl_threshold_s / h) >= sl_target
            if max_asa_s is not None:
                ok &= c * h / (n - a_) <= max_asa_s
            if max_occupancy is not None:  # ties meet the cap (search_bounds.OCCUPANCY_RTOL)
                ok &= a_ / n <= max_occupancy * (1 + mp.mpf("1e-9"))
            if ok:
                return n


TARGETS = [
    {"sl_target": 0.8, "sl_threshold_s": 20.0},
    {"sl_target": 0.9, "sl_threshold_s": 10.0},
    {"sl_target": 0.8, "sl_threshold_s": 600.0},
    {"sl_target": 0.95, "sl_threshold_s": 0.0},
    {"max_asa_s": 15.0},
    {"max_occupancy": 0.85},
    {"sl_target": 0.8, "sl_threshold_s": 30.0, "max_asa_s": 8.0, "max_occupancy": 0.9},
]


@pytest.mark.usefixtures("compiled_always")
@pytest.mark.parametrize("targets", TARGETS,
                         ids=lambda t: "-".join(f"{k}={v}" for k, v in t.items()))
def test_compiled_matches_30_digit_reference_on_a_grid(targets: dict[str, float]) -> None:
    # Loads from 0.001 to the kernel's limit, log-spaced, with irregular AHTs; zero too.
    rng = np.random.default_rng(3)
    loads = np.concatenate([[0.0], np.geomspace(0.001, 4000.0, 90)])
    loads[1:] *= rng.uniform(0.97, 1.03, loads.size - 1)
    aht = rng.uniform(60.0, 900.0, loads.size)
    got = required_agents(loads, aht, **targets)
    want = [exact_required(float(a), float(h), **targets) for a, h in zip(loads, aht, strict=True)]
    assert got.tolist() == want


def test_ten_thousand_intervals_equal_the_vectorised_search() -> None:
    # Realistic half-hours (the benchmark's shape): quiet nights to ~100 Erlangs.
    rng = np.random.default_rng(11)
    hour = np.arange(10_000) % 48 / 2.0
    shape = np.exp(-((hour - 11.0) ** 2) / 18.0) + 0.6 * np.exp(-((hour - 16.0) ** 2) / 8.0)
    volume = rng.poisson(400 * shape + 0.3).astype(float)
    aht = rng.uniform(180.0, 420.0, volume.size)
    load = volume * aht / 1800.0
    assert load.size >= required.COMPILED_MIN_INTERVALS and (load == 0).any()
    for targets in TARGETS:
        got = required_agents(load, aht, **targets)
        assert np.array_equal(got, vectorised(load, aht, **targets)), targets
    # and a sample of them against the 30-digit reference
    idx = rng.choice(load.size, 40, replace=False)
    got = required_agents(load[idx].repeat(50), aht[idx].repeat(50), **TARGETS[0])[::50]
    assert got.tolist() == [exact_required(float(load[i]), float(aht[i]), **TARGETS[0])
                            for i in idx]


def test_loads_beyond_the_kernel_go_to_the_vectorised_search() -> None:
    # 2,000 intervals: the compiled path; loads above COMPILED_MAX_LOAD are answered by the
    # incomplete-gamma start, in the same call and in their places.
    load = np.tile([0.0, 3.0, required.COMPILED_MAX_LOAD * 1.5, 42.0, 100_000.0], 400)
    got = required_agents(load, 300.0, sl_target=0.8, sl_threshold_s=20.0)
    want = vectorised(load[:5], 300.0, sl_target=0.8, sl_threshold_s=20.0)
    assert np.array_equal(got, np.tile(want, 400))
    assert want[0] == 0 and want[2] > required.COMPILED_MAX_LOAD * 1.5 and want[4] > 100_000


@pytest.mark.parametrize(("bad", "message"), [
    ({"load": np.nan}, "offered load must be a number >= 0"),
    ({"load": -2.0}, "offered load must be a number >= 0"),
    ({"load": np.inf}, "offered load must be a number >= 0"),
    ({"aht": 0.0}, r"AHT 0\.0 s is not valid"),
    ({"aht": np.nan}, r"AHT nan s is not valid"),
])
def test_bad_values_in_a_long_array_give_the_same_errors(bad: dict[str, float],
                                                         message: str) -> None:
    load = np.full(5_000, 12.0)
    aht = np.full(5_000, 240.0)
    if "load" in bad:
        load[4_321] = bad["load"]
    else:
        aht[4_321] = bad["aht"]
    with pytest.raises(StaffingError, match=message):
        required_agents(load, aht, sl_target=0.8, sl_threshold_s=20.0)


@pytest.mark.usefixtures("compiled_always")
def test_shapes_and_scalars_are_kept() -> None:
    grid = np.array([[5.0, 10.0], [0.0, 20.0]])
    got = required_agents(grid, 180.0, sl_target=0.8, sl_threshold_s=20.0)
    assert got.shape == (2, 2)
    assert got[0, 1] == 14  # the published example: 100 calls / 30 min, AHT 180 s
    assert int(required_agents(10.0, 180.0, sl_target=0.8, sl_threshold_s=20.0)) == 14


@settings(max_examples=80, deadline=None)
@given(st.floats(min_value=0.001, max_value=4000.0), st.floats(min_value=10, max_value=900),
       st.floats(min_value=0.05, max_value=0.99), st.floats(min_value=0, max_value=120),
       st.floats(min_value=0.5, max_value=1.0), st.floats(min_value=1.0, max_value=600.0))
def test_compiled_meets_every_target_and_one_fewer_does_not(
        a: float, aht: float, sl: float, t: float, occ: float, max_asa: float) -> None:
    # Checked with the numpy measures of wfm.staffing.erlang_c (incomplete gamma), which
    # share no code with the kernel's recursion.
    with min_intervals(1):
        n = float(required_agents(np.array([a]), aht, sl_target=sl, sl_threshold_s=t,
                                  max_occupancy=occ, max_asa_s=max_asa)[0])
    assert service_level(n, a, aht, t) >= sl
    cap = occ * (1 + 1e-9)  # ties meet the cap (search_bounds.OCCUPANCY_RTOL)
    assert occupancy(n, a) <= cap
    assert asa(n, a, aht) <= max_asa
    m = n - 1
    assert (m <= a or service_level(m, a, aht, t) < sl or occupancy(m, a) > cap
            or asa(m, a, aht) > max_asa)


def test_no_writable_cache_folder_compiles_without_the_disk_cache(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # numba raises "cannot cache function ...: no locator available" at decoration when no
    # folder is writable (read-only install and home); the kernel must still load and work.
    import importlib

    from numba.core import caching

    from wfm.staffing import erlang_c_kernel

    def square(x: float) -> float:
        return x * x

    with_cache = erlang_c_kernel.compiled()(square)
    assert isinstance(with_cache._cache, caching.FunctionCache)
    monkeypatch.setattr(caching.CacheImpl, "_locator_classes", [])
    with pytest.raises(RuntimeError, match="no locator available"):
        caching.FunctionCache(square)
    without = erlang_c_kernel.compiled()(square)
    assert isinstance(without._cache, caching.NullCache)
    assert without(3.0) == 9.0
    try:
        kernel = importlib.reload(erlang_c_kernel)  # the module's own decorators, uncached
        assert isinstance(kernel._kernel._cache, caching.NullCache)
        with min_intervals(1):
            got = required_agents(np.array([0.0, 10.0, 95.0]), 180.0, sl_target=0.8,
                                  sl_threshold_s=20.0)
        assert got.tolist() == [0.0, 14.0, exact_required(95.0, 180.0, sl_target=0.8,
                                                          sl_threshold_s=20.0)]
    finally:
        monkeypatch.undo()
        importlib.reload(erlang_c_kernel)


@pytest.mark.parametrize("cap", ["0.5", "0.6", "0.7", "0.75", "0.8", "0.85", "0.9", "0.95", "1"])
def test_occupancy_ties_give_one_answer_in_every_search(cap: str) -> None:
    """A load that is the cap times a whole number of agents, as a planner writes it
    (1.8 Erlangs at 0.6: 3 agents), meets the cap in every path: one interval (vectorised
    walk; bisection for the long walks of a strict cap) and inside a 2,000-interval array
    (compiled kernel). The compiled kernel once tested ``A <= o k`` and the vectorised
    search ``A / k <= o``: 3 agents for one interval, 4 inside the long array.

    Reference: decimal arithmetic on the written values, ``max(ceil(A / o), floor(A) + 1)``
    (Erlang C also needs more agents than Erlangs); neighbours off the tie by 0.001 Erlang
    check that the tolerance moves nothing else.
    """
    o = Decimal(cap)
    loads = [o * k + d for k in range(1, 240) for d in (Decimal("-0.001"), Decimal(0),
                                                         Decimal("0.001"))]
    expected = [max(math.ceil(x / o), math.floor(x) + 1) for x in loads]
    a = np.array([float(x) for x in loads])
    single = [float(required_agents(float(x), 180.0, max_occupancy=float(cap))) for x in a]
    assert single == expected
    assert a.size < required.COMPILED_MIN_INTERVALS <= 3 * a.size
    in_long_array = required_agents(np.tile(a, 3), 180.0, max_occupancy=float(cap))
    assert in_long_array.tolist() == expected * 3
    assert vectorised(a, 180.0, max_occupancy=float(cap)).tolist() == expected
