"""Erlang B/C against published values, an mpmath reference and hypothesis properties."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.errors import StaffingError
from wfm.staffing.erlang_c import asa, erlang_b, erlang_c, occupancy, service_level
from wfm.staffing.required_agents import required_agents

mp.mp.dps = 50


def ref_erlang_b(n: int, a: float) -> float:
    a_ = mp.mpf(a)
    inv = mp.mpf(1)
    for k in range(1, n + 1):  # 1/B(k) = 1 + k/(a B(k-1)): exact, high precision
        inv = 1 + inv * k / a_
    return float(1 / inv)


def test_published_example_100_calls_30_min() -> None:
    load = 100 * 180 / 1800
    assert int(required_agents(load, 180.0, sl_target=0.8, sl_threshold_s=20.0)) == 14
    assert float(service_level(14, load, 180.0, 20.0)) == pytest.approx(0.88835, abs=5e-6)
    assert float(asa(14, load, 180.0)) == pytest.approx(7.836, abs=5e-4)
    assert float(erlang_c(14, load)) == pytest.approx(0.1741319, abs=5e-8)
    assert float(service_level(13, load, 180.0, 20.0)) < 0.8


@pytest.mark.parametrize("a", [0.001, 0.5, 7.3, 95.0, 1234.5, 20000.0, 100000.0])
def test_erlang_b_matches_mpmath_on_grid(a: float) -> None:
    step = max(1, int(np.sqrt(a)) // 2)
    ns = sorted({0, 1, 2, int(a) // 2, *range(max(0, int(a) - 8 * step), int(a) + 8 * step, step)})
    ns = [n for n in ns if n <= int(a) + 8 * step][:40]
    got = erlang_b(np.array(ns, float), a)
    ref = np.array([ref_erlang_b(n, a) for n in ns])
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-300)


def test_large_load_required_agents_consistent() -> None:
    a = 100000.0
    n = float(required_agents(a, 300.0, sl_target=0.8, sl_threshold_s=20.0))
    assert a < n < a + 200
    assert service_level(n, a, 300.0, 20.0) >= 0.8 > service_level(n - 1, a, 300.0, 20.0)
    # compare the achieved probability of waiting with mpmath through Erlang B
    b = ref_erlang_b(int(n), a)
    c = n * b / (n - a * (1 - b))
    assert float(erlang_c(n, a)) == pytest.approx(c, rel=1e-8)


loads = st.floats(min_value=0.001, max_value=3000.0, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(loads, st.integers(min_value=0, max_value=400),
       st.floats(min_value=10, max_value=900), st.floats(min_value=0, max_value=120))
def test_service_level_non_decreasing_in_agents(a: float, n: int, aht: float, t: float) -> None:
    sl = service_level(np.array([n, n + 1, n + 2], float), a, aht, t)
    assert np.all(np.diff(sl) >= -1e-12)


@settings(max_examples=60, deadline=None)
@given(loads, st.floats(min_value=10, max_value=900), st.floats(min_value=0.05, max_value=0.99),
       st.floats(min_value=0, max_value=120), st.floats(min_value=0.5, max_value=1.0),
       st.floats(min_value=1.0, max_value=600.0))
def test_required_agents_meets_every_target_and_one_fewer_does_not(
        a: float, aht: float, sl: float, t: float, occ: float, max_asa: float) -> None:
    n = float(required_agents(a, aht, sl_target=sl, sl_threshold_s=t, max_occupancy=occ,
                              max_asa_s=max_asa))
    assert service_level(n, a, aht, t) >= sl
    assert occupancy(n, a) <= occ
    assert asa(n, a, aht) <= max_asa
    m = n - 1
    fails = (m <= a or service_level(m, a, aht, t) < sl or occupancy(m, a) > occ
             or asa(m, a, aht) > max_asa)
    assert fails


def test_vectorised_equals_scalar() -> None:
    a = np.array([0.0, 0.2, 5.0, 50.0, 500.0])
    vec = required_agents(a, 200.0, sl_target=0.8, sl_threshold_s=20.0)
    one = [float(required_agents(x, 200.0, sl_target=0.8, sl_threshold_s=20.0)) for x in a]
    assert vec.tolist() == one
    assert vec[0] == 0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"sl_target": 1.0, "sl_threshold_s": 0.0}, "service-level target 1.0 is not valid"),
    ({"sl_target": 0.0, "sl_threshold_s": 20.0}, r"service-level target 0\.0 is not valid"),
    ({"sl_target": 0.8, "sl_threshold_s": -1.0}, r"threshold -1\.0 s is not valid"),
    ({"max_occupancy": 1.5}, r"maximum occupancy 1\.5 is not valid"),
    ({}, "no staffing target given"),
])
def test_bad_targets_raise_staffing_error(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(StaffingError, match=message):
        required_agents(10.0, 180.0, **kwargs)


def test_bad_inputs_raise_staffing_error() -> None:
    with pytest.raises(StaffingError, match=r"AHT 0\.0 s is not valid"):
        required_agents(10.0, 0.0, sl_target=0.8, sl_threshold_s=20.0)
    with pytest.raises(StaffingError, match="offered load"):
        required_agents(-1.0, 180.0, sl_target=0.8, sl_threshold_s=20.0)


def test_fractional_service_level_interpolates_between_whole_agents() -> None:
    from wfm.staffing.erlang_c import service_level_fractional

    whole = np.arange(10.0, 20.0)
    np.testing.assert_allclose(service_level_fractional(whole, 10.0, 180.0, 20.0),
                               service_level(whole, 10.0, 180.0, 20.0), rtol=0, atol=1e-15)
    grid = np.linspace(10.0, 19.0, 91)
    sl = service_level_fractional(grid, 10.0, 180.0, 20.0)
    assert np.all(np.diff(sl) >= 0)
    assert float(service_level_fractional(13.25, 10.0, 180.0, 20.0)) == pytest.approx(
        0.75 * float(service_level(13, 10.0, 180.0, 20.0))
        + 0.25 * float(service_level(14, 10.0, 180.0, 20.0)))


def test_recursion_walk_and_bracketing_fallback_agree_with_brute_force() -> None:
    # Occupancy 0.6 puts big loads far above the square-root guess (bracketing search),
    # small ones stay within the Erlang-B recursion walk.
    a = np.array([0.004, 0.7, 3.3, 12.0, 55.5, 140.0, 900.0])
    got = required_agents(a, 240.0, sl_target=0.85, sl_threshold_s=15.0, max_occupancy=0.6)
    for load, n in zip(a, got, strict=True):
        k = np.floor(load) + 1
        while service_level(k, load, 240.0, 15.0) < 0.85 or occupancy(k, load) > 0.6:
            k += 1
        assert n == k
