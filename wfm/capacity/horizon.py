"""The plan's calendar: whole weeks from a Monday, their days and calendar months.

Every array of the capacity model is indexed by plan day ``d`` (0 = the first Monday) or
plan week ``w = d // 7``; months are calendar months, which weeks straddle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from wfm.errors import PlanError

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
#: Days in an average month (365.25 / 12): tenure in months is elapsed days / this.
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class PlanHorizon:
    """``weeks`` whole weeks from ``start`` (a Monday).

    Examples
    --------
    >>> h = PlanHorizon(date(2027, 2, 1), 2)
    >>> h.n_days, h.week_starts()[1].isoformat(), h.month_labels()
    (14, '2027-02-08', ('2027-02',))
    """

    start: date
    weeks: int

    def __post_init__(self) -> None:
        if self.start.weekday() != 0:
            raise PlanError(f"plan start {self.start} is a {self.start:%A}; accepted: a "
                              "Monday (plans run in whole weeks)")
        if self.weeks < 1:
            raise PlanError(f"plan horizon of {self.weeks} weeks; accepted: 1 or more")

    @property
    def n_days(self) -> int:
        return 7 * self.weeks

    @property
    def end(self) -> date:
        """The last day of the plan (a Sunday)."""
        return self.start + timedelta(days=self.n_days - 1)

    def dates(self) -> npt.NDArray[np.datetime64]:
        """Every day of the plan as ``datetime64[D]``."""
        return np.datetime64(self.start, "D") + np.arange(self.n_days)

    def day_of(self, day: date) -> int:
        """The plan day of ``day`` (negative before the start, >= n_days after the end)."""
        return (day - self.start).days

    def week_of_day(self) -> IntArray:
        return np.arange(self.n_days, dtype=np.int64) // 7

    def week_starts(self) -> list[date]:
        return [self.start + timedelta(days=7 * w) for w in range(self.weeks)]

    def month_index(self) -> IntArray:
        """Per day, the index of its calendar month among :meth:`month_labels`."""
        months = self.dates().astype("datetime64[M]")
        return np.asarray((months - months[0]).astype(np.int64))

    def month_labels(self) -> tuple[str, ...]:
        """The calendar months the plan touches, ``YYYY-MM``, in order."""
        months = np.unique(self.dates().astype("datetime64[M]"))
        return tuple(str(m) for m in months)

    def calendar_month(self) -> IntArray:
        """Per day, its calendar month 1-12."""
        months = self.dates().astype("datetime64[M]").astype(np.int64)
        return np.asarray(months % 12 + 1, dtype=np.int64)

    def days_in_month(self) -> IntArray:
        """Per day, the number of days of its calendar month (28-31)."""
        first = self.dates().astype("datetime64[M]")
        return np.asarray(((first + 1).astype("datetime64[D]")
                           - first.astype("datetime64[D]")).astype(np.int64))


def week_mean(daily: FloatArray, weeks: int) -> FloatArray:
    """Mean of each whole week of a ``(..., 7 * weeks)`` array of daily values."""
    shape = (*daily.shape[:-1], weeks, 7)
    out: FloatArray = daily.reshape(shape).mean(axis=-1)
    return out


def week_sum(daily: FloatArray, weeks: int) -> FloatArray:
    """Sum of each whole week of a ``(..., 7 * weeks)`` array of daily values."""
    shape = (*daily.shape[:-1], weeks, 7)
    out: FloatArray = daily.reshape(shape).sum(axis=-1)
    return out
