"""The maximum-consecutive-days rule as CP-SAT rows, shared by stage (b)'s two models."""

from __future__ import annotations

from collections.abc import Sequence

from ortools.sat.python import cp_model


def add_consecutive_days(model: cp_model.CpModel, worked: Sequence[cp_model.IntVar],
                         max_consecutive: int, carry_in: int) -> None:
    """At most ``max_consecutive`` of the week's ``worked`` days (0/1, Monday first) in a
    row, counting the ``carry_in`` days worked in a row just before the week."""
    k = max_consecutive
    if k >= 7:
        return
    for d0 in range(7 - k):
        model.add(sum(worked[d0:d0 + k + 1]) <= k)
    if carry_in > 0:
        # The run that started last week: the first k - carry + 1 days are not all worked.
        m = k - carry_in + 1
        model.add(sum(worked[: max(m, 1)]) <= max(m - 1, 0))
