"""Day-split rows of stage (a): valid for every split into members' weeks, by brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.scheduling.day_split_cuts import DaySplit, day_split, member_weeks

PART_TIME = {"min_days": 3, "max_days": 5, "min_paid": 960, "max_paid": 1800}


def _achievable(split: DaySplit) -> np.ndarray:
    """Every group total ``N`` (flattened lengths x 7) some split into members' weeks
    reaches: the Minkowski sum of the members' week sets, by enumeration."""
    sums = np.zeros((1, split.weeks[0].shape[1]), dtype=np.int64)
    for weeks, count in zip(split.weeks, split.counts, strict=True):
        for _ in range(count):
            sums = np.unique((sums[:, None, :] + weeks[None, :, :]).reshape(
                -1, sums.shape[1]), axis=0)
    return sums


def _part_time_group(m: int) -> DaySplit:
    split = day_split(np.ones((2, 7), dtype=bool), [240, 330], np.ones((m, 7), dtype=bool),
                      **{k: np.full(m, v) for k, v in PART_TIME.items()})
    assert split is not None
    return split


def test_member_weeks_are_one_shift_a_day_within_the_contract() -> None:
    # 16-30 h on 3-5 days of 4 h or 5.5 h paid: 3 days need three 5.5 h shifts.
    weeks = member_weeks(np.ones((2, 7), dtype=bool), [240, 330], **PART_TIME)
    per_day = weeks.reshape(-1, 2, 7).sum(axis=1)
    assert per_day.max() == 1
    days = per_day.sum(axis=1)
    paid = weeks.reshape(-1, 2, 7).sum(axis=2) @ np.array([240, 330])
    assert ((days >= 3) & (days <= 5)).all() and ((paid >= 960) & (paid <= 1800)).all()
    three_days = weeks[days == 3].reshape(-1, 2, 7)
    assert (three_days[:, 1].sum(axis=1) == 3).all()  # only 6 h shifts on three days
    # every week of the enumeration, counted independently
    n = sum(1 for x in np.ndindex(*(3,) * 7)
            if 3 <= sum(v > 0 for v in x) <= 5
            and 960 <= sum({0: 0, 1: 240, 2: 330}[v] for v in x) <= 1800)
    assert len(weeks) == n


def test_all_six_hour_shifts_on_one_tuesday_is_cut_off() -> None:
    # The multi-skill week's failure: 27 part-timers, twenty 6 h shifts all on Tuesday,
    # 82 4 h shifts spread; the per-length totals pass 3 N4 + 4 N6 >= 12 m (326 >= 324)
    # but a member has at most one Tuesday shift.
    m = 27
    split = _part_time_group(m)
    plan = np.zeros((2, 7))
    plan[0] = [12, 12, 12, 12, 12, 11, 11]
    plan[1, 1] = 20
    assert plan[0].sum() * 3 + plan[1].sum() * 4 >= 12 * m
    cut = split.separate(plan)
    assert cut is not None
    w, beta = cut
    assert float((w * plan).sum()) < beta
    # The row of the module docstring, checked by hand: a member's week counts 4 (four
    # 4 h days; three 4 h + a Tuesday 6 h; any 6 h on another day counts 2).
    w_doc = np.array([[1] * 7, [2, 1, 2, 2, 2, 2, 2]])
    assert split.beta(w_doc) == 4 * m
    assert float((w_doc * plan).sum()) < 4 * m


def test_member_without_any_valid_week_gives_no_rows() -> None:
    # 20 h on at most 2 days of 4 h: nothing fits (stage (b) names the agent).
    assert day_split(np.ones((1, 7), dtype=bool), [240], np.ones((1, 7), dtype=bool),
                     min_days=np.array([1]), max_days=np.array([2]),
                     min_paid=np.array([1200]), max_paid=np.array([1200])) is None


def test_many_shift_lengths_are_skipped_before_enumerating(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Ten lengths on every day: 11^7 = 19.5 M combinations per member type. The group is
    # left without day-split rows at once (stage (a) stays valid, only weaker).
    from wfm.scheduling import day_split_cuts

    def enumerate_anyway(*args: object, **kwargs: object) -> np.ndarray:
        raise AssertionError("enumerated 19.5 M weeks")

    monkeypatch.setattr(day_split_cuts, "member_weeks", enumerate_anyway)
    paid = [240 + 30 * i for i in range(10)]
    assert day_split(np.ones((10, 7), dtype=bool), paid, np.ones((3, 7), dtype=bool),
                     min_days=np.full(3, 3), max_days=np.full(3, 5),
                     min_paid=np.full(3, 1200), max_paid=np.full(3, 2400)) is None
    # four lengths (the benchmark weeks): 5^7 = 78,125 combinations, enumerated
    monkeypatch.undo()
    got = day_split(np.ones((4, 7), dtype=bool), paid[:4], np.ones((3, 7), dtype=bool),
                    min_days=np.full(3, 3), max_days=np.full(3, 5),
                    min_paid=np.full(3, 1200), max_paid=np.full(3, 1500))
    assert got is not None and got.counts == (3,) and len(got.weeks[0]) > 0


_member = st.tuples(st.lists(st.booleans(), min_size=7, max_size=7),  # days available
                    st.integers(0, 2), st.integers(0, 3),  # min days, extra max days
                    st.integers(0, 10), st.integers(0, 16))  # min paid h, extra max paid h


@settings(max_examples=60, deadline=None)
@given(st.lists(_member, min_size=1, max_size=3),
       st.lists(st.sampled_from([240, 330, 450]), min_size=1, max_size=2, unique=True),
       st.lists(st.booleans(), min_size=14, max_size=14),
       st.lists(st.integers(0, 3), min_size=14, max_size=14),
       st.lists(st.integers(-2, 2), min_size=14, max_size=14))
def test_every_split_into_members_weeks_meets_every_row(
        members: list[tuple[list[bool], int, int, int, int]], paid: list[int],
        open_: list[bool], plan_cells: list[int], w_cells: list[int]) -> None:
    # Brute force over small groups: every group total that some split of the members'
    # weeks reaches meets the separated row and any row w . N >= beta(w); beta(w) is the
    # least such total (tight); a reachable plan is never cut off.
    n_len = len(paid)
    allowed = np.array(open_[:7 * n_len], dtype=bool).reshape(n_len, 7)
    allowed[:, 4:] = False  # four days at most: the enumeration stays small
    days = np.array([d for d, _, _, _, _ in members], dtype=bool)
    lo_d = np.array([a for _, a, _, _, _ in members])
    hi_d = lo_d + np.array([b for _, _, b, _, _ in members])
    lo_p = np.array([60 * c for _, _, _, c, _ in members])
    hi_p = lo_p + np.array([60 * e for _, _, _, _, e in members])
    split = day_split(allowed, paid, days, min_days=lo_d, max_days=hi_d, min_paid=lo_p,
                      max_paid=hi_p)
    if split is None:  # some member has no valid week: checked against the enumeration
        assert any(len(member_weeks(allowed & days[k], paid, min_days=int(lo_d[k]),
                                    max_days=int(min(hi_d[k], 7)), min_paid=int(lo_p[k]),
                                    max_paid=int(hi_p[k]))) == 0
                   for k in range(len(members)))
        return
    reach = _achievable(split)
    plan = np.array(plan_cells[:7 * n_len], dtype=float).reshape(n_len, 7)
    rows = [(np.array(w_cells[:7 * n_len]).reshape(n_len, 7), None)]
    cut = split.separate(plan)
    if cut is not None:
        assert float((cut[0] * plan).sum()) < cut[1]  # it cuts the plan off
        rows.append(cut)
    for w, beta in rows:
        b = split.beta(w) if beta is None else beta
        totals = reach @ w.ravel()
        assert totals.min() >= b
        if beta is None:
            assert totals.min() == b
    for point in reach[:: max(1, len(reach) // 20)]:  # reachable plans keep every row
        assert split.separate(point.reshape(n_len, 7).astype(float)) is None
