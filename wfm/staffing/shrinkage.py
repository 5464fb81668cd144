"""Shrinkage by weekday and time of day: productive -> scheduled agents."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wfm.errors import StaffingError
from wfm.staffing.erlang_c import FloatArray

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ShrinkageBand:
    """Shrinkage ``value`` [0-1) from ``start_min`` to ``end_min`` [minutes after local
    midnight] on the ``weekdays`` (0 = Monday) listed."""

    weekdays: tuple[int, ...]
    start_min: int
    end_min: int
    value: float


@dataclass(frozen=True)
class ShrinkageProfile:
    """The share of paid time not available for contacts, by local weekday and clock.

    A band applies where it covers the interval's start; else the weekday's value; else
    ``default``. ``scheduled = productive / (1 - shrinkage)``.

    Examples
    --------
    >>> p = ShrinkageProfile(0.3, (0.4,) + (0.3,) * 6, (ShrinkageBand((0,), 480, 600, 0.5),))
    >>> p.at(np.array([0, 0, 1]), np.array([500, 700, 500])).tolist()
    [0.5, 0.4, 0.3]
    """

    default: float = 0.0
    by_weekday: tuple[float, ...] | None = None
    bands: tuple[ShrinkageBand, ...] = ()

    def __post_init__(self) -> None:
        values = [self.default, *(self.by_weekday or ()), *(b.value for b in self.bands)]
        for v in values:
            if not 0.0 <= v < 1.0:
                raise StaffingError(f"shrinkage {v!r} is not valid; accepted: a fraction in "
                                    "[0, 1), e.g. 0.3")
        if self.by_weekday is not None and len(self.by_weekday) != 7:
            raise StaffingError("shrinkage by weekday needs 7 values, Monday first")

    def at(self, weekday: IntArray, clock_min: IntArray) -> FloatArray:
        """Shrinkage at local ``weekday`` (0 = Monday) and ``clock_min`` after midnight."""
        wd = np.asarray(weekday, dtype=np.int64)
        out = (np.full(wd.shape, self.default) if self.by_weekday is None
               else np.asarray(self.by_weekday, dtype=np.float64)[wd])
        clock = np.asarray(clock_min)
        for band in self.bands:
            hit = np.isin(wd, band.weekdays) & (clock >= band.start_min) & (clock < band.end_min)
            out = np.where(hit, band.value, out)
        result: FloatArray = out.astype(np.float64)
        return result


def scheduled_agents(productive: FloatArray, shrinkage: FloatArray) -> FloatArray:
    """Agents to schedule so that ``productive`` remain after ``shrinkage`` [0-1)."""
    out: FloatArray = np.asarray(productive, dtype=np.float64) / (1.0 - np.asarray(shrinkage))
    return out
