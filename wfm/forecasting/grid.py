"""One series laid on a regular interval grid covering its history and the horizon.

Positions are plain integers; models fit on ``y[:cut]`` and predict ``[cut, cut + h)``,
so a backtest fold is just a different ``cut`` on the same grid. Days are local days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.errors import ForecastError
from wfm.forecasting.calendar import DayTable, SiteCalendar, day_table, open_mask

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_HORIZON = re.compile(r"^\s*(\d+)\s*([dw])\s*$", re.IGNORECASE)


#: The longest interval forecast: a year and a week (beyond it, interval shapes mean little
#: and the calendar arithmetic leaves pandas' range for absurd values such as 100000w).
MAX_HORIZON_DAYS = 371


def parse_horizon(text: str) -> int:
    """``"14d"`` or ``"6w"`` -> number of days (1 to :data:`MAX_HORIZON_DAYS`)."""
    m = _HORIZON.match(str(text))
    if not m or int(m.group(1)) < 1:
        raise ForecastError(f"horizon {text!r} cannot be read; accepted: a number of days "
                            "or weeks such as 14d or 6w")
    n = int(m.group(1))
    days = n * 7 if m.group(2).lower() == "w" else n
    if days > MAX_HORIZON_DAYS:
        raise ForecastError(f"horizon {text!r} is {days:,} days; accepted: at most "
                            f"{MAX_HORIZON_DAYS} days (53w) of interval forecast")
    return days


@dataclass(frozen=True)
class Grid:
    """Calendar features of every interval of a series, history followed by horizon."""

    index: pd.DatetimeIndex  # interval starts, UTC
    interval_minutes: int
    day: IntArray  # local day number of each interval (0 = first history day)
    slot: IntArray  # local clock minute // interval_minutes
    open: npt.NDArray[np.bool_]
    days: DayTable
    day_start: IntArray  # first position of each day (len(days) + 1 entries)
    n_history: int  # positions before the horizon

    @property
    def slots_per_day(self) -> int:
        return 24 * 60 // self.interval_minutes

    def day_cut(self, day: int) -> int:
        """Grid position of the first interval of local day ``day``."""
        return int(self.day_start[day])

    def day_count_before(self, position: int) -> int:
        """Number of whole local days before grid position ``position``."""
        return int(self.day[position]) if position < len(self.day) else int(self.day[-1]) + 1


def build_grid(first_day: pd.Timestamp, n_history_days: int, horizon_days: int,
               cal: SiteCalendar, interval_minutes: int) -> Grid:
    """The grid from local midnight of ``first_day`` for history + horizon days."""
    tz = cal.timezone
    dates = pd.date_range(first_day.normalize(), periods=n_history_days + horizon_days,
                          freq="D")
    start = pd.Timestamp(dates[0]).tz_localize(tz).tz_convert("UTC")
    end = (pd.Timestamp(dates[-1]) + pd.Timedelta(days=1)).tz_localize(tz).tz_convert("UTC")
    index = pd.date_range(start, end, freq=f"{interval_minutes}min", inclusive="left")
    local = index.tz_convert(tz)
    local_day = local.tz_localize(None).normalize()
    day = ((local_day - dates[0]) // pd.Timedelta(days=1)).to_numpy().astype(np.int64)
    clock = (local.hour * 60 + local.minute).to_numpy().astype(np.int64)
    days = day_table(dates, cal)
    op = open_mask(clock, day, days, cal.windows, interval_minutes)
    day_start = np.searchsorted(day, np.arange(len(dates) + 1)).astype(np.int64)
    return Grid(index, interval_minutes, day, clock // interval_minutes, op, days, day_start,
                int(day_start[n_history_days]))


def place_history(grid: Grid, times: pd.DatetimeIndex, values: FloatArray) -> FloatArray:
    """History values on the grid: NaN where missing and open, 0 where closed."""
    y = np.full(grid.n_history, np.nan)
    pos = grid.index.get_indexer(times)
    ok = (pos >= 0) & (pos < grid.n_history)
    y[pos[ok]] = values[ok]
    closed = ~grid.open[: grid.n_history]
    y[closed & np.isnan(y)] = 0.0
    return y
