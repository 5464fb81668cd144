"""Demand: productive agent-hours per queue and day -> required FTE per week.

The productive agent-hours come from interval staffing (Erlang C/A, concurrency, the
deferred backlog model) of every interval of the long-term forecast, done by the caller;
here they get the shrinkage of their day (by calendar month, with dated overrides) and
become paid hours, summed per plan week and divided by the weekly hours of one FTE.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from wfm.capacity.horizon import FloatArray, PlanHorizon, week_sum
from wfm.errors import PlanError

MONTH_NAMES: tuple[str, ...] = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class ShrinkagePeriod:
    """``shrinkage`` [fraction 0-1) on every day from ``first`` to ``last`` (inclusive),
    e.g. a training fortnight or the summer holidays; overrides the month's value."""

    first: date
    last: date
    shrinkage: float


@dataclass(frozen=True)
class PlanShrinkage:
    """Shrinkage [fraction 0-1) per calendar month (``by_month``: 12 values, January
    first) with dated ``periods`` overriding it (a later period wins where they overlap).

    Examples
    --------
    >>> s = PlanShrinkage((0.3,) * 6 + (0.4, 0.45) + (0.3,) * 4)
    >>> s.on_days(PlanHorizon(date(2027, 7, 26), 1)).tolist()
    [0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.45]
    """

    by_month: tuple[float, ...] = (0.3,) * 12
    periods: tuple[ShrinkagePeriod, ...] = ()

    def __post_init__(self) -> None:
        if len(self.by_month) != 12:
            raise PlanError(f"shrinkage by month needs 12 values, got {len(self.by_month)}")

    def on_days(self, horizon: PlanHorizon, change: float = 0.0) -> FloatArray:
        """Shrinkage of every plan day, plus ``change`` (a scenario's shift)."""
        out = np.asarray(self.by_month, dtype=float)[horizon.calendar_month() - 1]
        dates = horizon.dates()
        for p in self.periods:
            hit = (dates >= np.datetime64(p.first, "D")) & (dates <= np.datetime64(p.last, "D"))
            out[hit] = p.shrinkage
        out = out + change
        if ((out < 0.0) | (out >= 1.0)).any():
            first = int(np.argmax((out < 0.0) | (out >= 1.0)))
            raise PlanError(f"shrinkage {out[first]:.4g} on {dates[first]} (change "
                            f"{change:+g}) is not valid; accepted: a fraction in [0, 1)")
        result: FloatArray = out
        return result


def required_fte(productive_h: FloatArray, shrinkage: FloatArray, horizon: PlanHorizon,
                 hours_per_fte: float) -> FloatArray:
    """Required paid FTE per queue (rows) and plan week (columns).

    Parameters
    ----------
    productive_h
        Productive agent-hours per queue and plan day, shape (queues, days) [agent-hours].
    shrinkage
        Shrinkage of each plan day [fraction 0-1).
    horizon
        The plan's weeks.
    hours_per_fte
        Weekly paid hours of one FTE [h].

    Returns
    -------
    ``sum over the week's days of productive_h / (1 - shrinkage)`` / ``hours_per_fte``
    [FTE].

    Examples
    --------
    >>> h = PlanHorizon(date(2027, 2, 1), 1)
    >>> required_fte(np.full((1, 7), 10.0), np.full(7, 0.3), h, 35.0).round(6).tolist()
    [[2.857143]]
    """
    if hours_per_fte <= 0:
        raise PlanError(f"hours_per_fte {hours_per_fte!r}; accepted: a number > 0")
    paid = np.asarray(productive_h, dtype=float) / (1.0 - shrinkage[None, :])
    out: FloatArray = week_sum(paid, horizon.weeks) / hours_per_fte
    return out


def group_sum(by_queue: FloatArray, queues: Sequence[str], queue_group: Mapping[str, str],
              groups: Sequence[str]) -> FloatArray:
    """Rows of ``by_queue`` (one per queue) summed into their skill groups."""
    index = {g: i for i, g in enumerate(groups)}
    out = np.zeros((len(groups), by_queue.shape[1]))
    for i, q in enumerate(queues):
        out[index[queue_group[q]]] += by_queue[i]
    return out
