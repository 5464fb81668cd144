"""Cohorts summed into skill groups: weekly supply and the monthly headcount waterfall."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.capacity.horizon import FloatArray, week_mean
from wfm.capacity.supply import Projection

#: The group name of the rows that sum every group.
ALL_GROUPS = "all"
WATERFALL_COLUMNS: tuple[str, ...] = ("month", "group", "opening", "hires", "attrition",
                                      "planned_leavers", "closing")


@dataclass(frozen=True)
class GroupSupply:
    """Weekly means per skill group (rows in ``groups`` order, one column per plan week):
    ``headcount`` [heads], ``productive_fte`` [FTE] (x proficiency, trainees at 0),
    ``paid_fte`` [FTE], ``trainees`` [heads]."""

    groups: tuple[str, ...]
    headcount: FloatArray
    productive_fte: FloatArray
    paid_fte: FloatArray
    trainees: FloatArray


def group_matrix(projection: Projection, groups: Sequence[str]) -> FloatArray:
    """One row per group, one column per cohort: 1 where the cohort is in the group."""
    index = {g: i for i, g in enumerate(groups)}
    out = np.zeros((len(groups), len(projection.cohorts)))
    for k, c in enumerate(projection.cohorts):
        out[index[c.group], k] = 1.0
    return out


def weekly_supply(projection: Projection, groups: Sequence[str]) -> GroupSupply:
    """The projection's weekly means summed per group."""
    m = group_matrix(projection, groups)
    weeks = projection.horizon.weeks
    return GroupSupply(tuple(groups), week_mean(m @ projection.headcount, weeks),
                       week_mean(m @ projection.productive_fte, weeks),
                       week_mean(m @ projection.paid_fte, weeks),
                       week_mean(m @ projection.trainees, weeks))


def monthly_waterfall(projection: Projection, groups: Sequence[str]) -> pd.DataFrame:
    """Opening, hires, attrition, planned leavers and closing headcount per calendar month
    and group (and ``all``), over the plan's days in that month [heads, expected values].

    Opening is the headcount carried into the month's first plan day; hires are the
    cohorts joining in the month (their size on their first day); attrition and planned
    leavers are those leaving at the end of a day of the month; closing = opening + hires
    - attrition - planned leavers, the next month's opening.
    """
    m = group_matrix(projection, groups)
    month = projection.horizon.month_index()
    labels = projection.horizon.month_labels()
    n_months = len(labels)
    firsts = np.searchsorted(month, np.arange(n_months))
    join = projection.join_day
    sizes = np.array([c.size for c in projection.cohorts], dtype=float)
    hc = projection.headcount
    rows = []
    for i, label in enumerate(labels):
        f = int(firsts[i])
        days = month == i
        opening = m @ np.where(join < f, hc[:, f], 0.0)
        hires = m @ np.where((join >= f) & (join < f + int(days.sum())), sizes, 0.0)
        attrition = m @ projection.attrition[:, days].sum(axis=1)
        leavers = m @ projection.leavers[:, days].sum(axis=1)
        closing = opening + hires - attrition - leavers
        for g, name in enumerate(groups):
            rows.append((label, name, opening[g], hires[g], attrition[g], leavers[g],
                         closing[g]))
        rows.append((label, ALL_GROUPS, opening.sum(), hires.sum(), attrition.sum(),
                     leavers.sum(), closing.sum()))
    return pd.DataFrame(rows, columns=list(WATERFALL_COLUMNS))
