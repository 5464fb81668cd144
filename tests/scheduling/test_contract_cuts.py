"""Contract granularity cuts of stage (a): valid for every split into members' weeks."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.scheduling.contract_cuts import contract_cuts, member_points


def test_full_time_members_need_five_days_or_a_long_shift() -> None:
    # 32-40 h on 4-5 days of 7.5 h or 9.5 h: 4 x 7.5 = 30 h is short, so every member works
    # days + long shifts >= 5 (n8 + 2 n10 >= 5).
    m = 10
    cuts = contract_cuts([450, 570], np.full(m, 4), np.full(m, 5), np.full(m, 1920),
                         np.full(m, 2400))
    rows = {tuple(int(v) for v in a): b for a, b in cuts}
    assert rows[(1, 2)] == 5 * m
    # 43 short shifts and 1 long one meet the summed rows (44 days in 40-50, 332 h in
    # 320-400 h) but not the cut: 43 + 2 = 45 < 50 (six members would have 4 x 7.5 h).
    plan = np.array([43, 1])
    assert 4 * m <= plan.sum() <= 5 * m
    assert 1920 * m <= 450 * plan[0] + 570 * plan[1] <= 2400 * m
    assert plan @ np.array([1, 2]) < rows[(1, 2)]


def test_part_time_members_give_the_hull_facet() -> None:
    # 16-30 h on 3-5 days of 4 h or 5.5 h: three days need three 5.5 h shifts, so
    # 3 n4 + 4 n6 >= 12 per member; the summed rows allow n4 = n6 = 4/3 m (11.67 m).
    m = 6
    cuts = contract_cuts([240, 330], np.full(m, 3), np.full(m, 5), np.full(m, 960),
                         np.full(m, 1800))
    assert (3, 4) in {tuple(int(v) for v in a) for a, _ in cuts}
    assert {tuple(int(v) for v in a): b for a, b in cuts}[(3, 4)] == 12 * m


def test_no_cut_when_a_member_has_no_valid_week() -> None:
    # 20 h on at most 2 days of 4 h: nothing fits; stage (b) names the agent instead.
    assert contract_cuts([240], np.array([1, 1]), np.array([2, 2]), np.array([1200, 0]),
                         np.array([1200, 2400])) == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 5), st.integers(0, 40),
                          st.integers(0, 40)), min_size=1, max_size=3),
       st.lists(st.sampled_from([240, 330, 450, 570]), min_size=1, max_size=2, unique=True))
def test_every_split_into_members_weeks_meets_every_cut(
        members: list[tuple[int, int, int, int]], paid: list[int]) -> None:
    # Brute force: every combination of the members' valid weeks satisfies every row.
    lo_d = np.array([a for a, _, _, _ in members])
    hi_d = np.array([max(a, b) for a, b, _, _ in members])
    lo_p = np.array([60 * c for _, _, c, _ in members])
    hi_p = np.array([60 * max(c, d) for _, _, c, d in members])
    cuts = contract_cuts(paid, lo_d, hi_d, lo_p, hi_p)
    weeks = [member_points(paid, int(lo_d[k]), int(hi_d[k]), int(lo_p[k]), int(hi_p[k]))
             for k in range(len(members))]
    if any(len(w) == 0 for w in weeks):
        assert cuts == []
        return
    for combo in itertools.product(*weeks):
        total = np.sum(combo, axis=0)
        for alpha, beta in cuts:
            assert int(alpha @ total) >= beta
    # and each row is tight for some split (so it is the best row of its direction)
    for alpha, beta in cuts:
        assert min(int(alpha @ np.sum(c, axis=0)) for c in itertools.product(*weeks)) == beta
