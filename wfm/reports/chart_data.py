"""What the pictures of the HTML report show, as plain frames and arrays (no drawing).

Kept apart from the drawing code (:mod:`wfm.reports.charts`) so that what a chart claims
— which intervals are short, which forecast window is shown, which backtest rows are the
chosen model's — is computed and tested without matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.reports.coverage import GAP_TOLERANCE
from wfm.schema import INTERVAL_START, OFFERED, OFFERED_RAW, QUEUE

#: Coverage states of one interval: nothing required or scheduled, short, met, over.
CLOSED, SHORT, MET, OVER = 0, 1, 2, 3
STATE_NAMES: tuple[str, ...] = ("nothing required", "short", "met", "over (1+ agent)")


@dataclass(frozen=True)
class QueueTarget:
    """The service target of a queue: ``target`` [0-1] of contacts answered (hot) or
    items handled (cold) within the threshold the ``label`` names (``80 % within 20 s``)."""

    queue: str
    target: float
    label: str


@dataclass(frozen=True)
class CoverageGrid:
    """One queue's coverage as clock time (rows) x local day (columns) of states
    (:data:`CLOSED`, :data:`SHORT`, :data:`MET`, :data:`OVER`) and gaps [agents]."""

    queue: str
    clocks: tuple[str, ...]
    days: tuple[str, ...]
    states: np.ndarray
    gaps: np.ndarray


def coverage_grids(coverage: pd.DataFrame, tz: ZoneInfo) -> list[CoverageGrid]:
    """Per queue, the states of every interval of the schedule's open period.

    Short: scheduled < required; met: 0 <= gap < 1 agent; over: a whole agent or more
    beyond the requirement; closed: nothing required and nobody scheduled. Rows cover the
    clock times where any queue requires or schedules someone on any day (the night of a
    day-time centre is left out); the repeated hour of a DST fall-back is averaged.
    """
    local = coverage[INTERVAL_START].dt.tz_convert(tz)
    df = coverage.assign(day=local.dt.strftime("%Y-%m-%d"), clock=local.dt.strftime("%H:%M"))
    active = df[(df["required"] > GAP_TOLERANCE) | (df["scheduled"] > GAP_TOLERANCE)]
    days = tuple(sorted(df["day"].unique()))
    clocks = tuple(sorted(active["clock"].unique())) if len(active) else ()
    grids = []
    for queue, g in df.groupby(QUEUE, sort=True):
        # pivot_table averages the repeated local hour of a DST fall-back.
        req = g.pivot_table(index="clock", columns="day", values="required",
                            aggfunc="mean").reindex(index=list(clocks), columns=list(days))
        sched = g.pivot_table(index="clock", columns="day", values="scheduled",
                              aggfunc="mean").reindex(index=list(clocks), columns=list(days))
        r, s = req.fillna(0.0).to_numpy(float), sched.fillna(0.0).to_numpy(float)
        gap = s - r
        gap[np.abs(gap) < GAP_TOLERANCE] = 0.0
        states = np.full(gap.shape, MET, dtype=np.int8)
        states[gap < 0] = SHORT
        states[gap >= 1.0] = OVER
        states[(r <= GAP_TOLERANCE) & (s <= GAP_TOLERANCE)] = CLOSED
        grids.append(CoverageGrid(str(queue), clocks, days, states, gap))
    return grids


@dataclass(frozen=True)
class ForecastWindow:
    """One queue's forecast (with its bands) and actual offered per interval in the
    window a chart shows; ``bands`` lists the levels present (80, 95); ``adjusted``: the
    planner's adjustments changed the window (``offered_raw`` in ``forecast`` differs)."""

    queue: str
    forecast: pd.DataFrame
    actual: pd.Series
    bands: tuple[int, ...]
    start: pd.Timestamp
    end: pd.Timestamp
    adjusted: bool = False


def forecast_windows(forecast: pd.DataFrame, actuals: pd.DataFrame | None, *,
                     first_day: pd.Timestamp, days_before: int, days_after: int
                     ) -> list[ForecastWindow]:
    """Per queue of the forecast: actual offered of the ``days_before`` days before
    ``first_day`` (a local midnight) and the forecast of ``days_after`` days from it,
    with actuals too wherever they overlap the forecast."""
    start = first_day - pd.DateOffset(days=days_before)
    end = first_day + pd.DateOffset(days=days_after)
    start_utc, end_utc = start.tz_convert("UTC"), end.tz_convert("UTC")
    out = []
    for queue, rows in forecast.groupby(QUEUE, sort=True):
        inside = rows[(rows[INTERVAL_START] >= start_utc) & (rows[INTERVAL_START] < end_utc)]
        if OFFERED_RAW in inside.columns:  # blank where no adjustment touched the row
            inside = inside.assign(**{OFFERED_RAW: inside[OFFERED_RAW].fillna(
                inside[OFFERED])})
        fc = inside.groupby(INTERVAL_START, sort=True).sum(numeric_only=True)
        adjusted = OFFERED_RAW in fc.columns and not np.allclose(fc[OFFERED_RAW],
                                                                 fc[OFFERED])
        bands = tuple(level for level in (80, 95)
                      if {f"offered_lo_{level}", f"offered_hi_{level}"} <= set(fc.columns))
        actual = pd.Series(dtype=float)
        if actuals is not None and len(actuals):
            a = actuals[(actuals[QUEUE] == queue) & (actuals[INTERVAL_START] >= start_utc)
                        & (actuals[INTERVAL_START] < end_utc)]
            actual = a.groupby(INTERVAL_START, sort=True)[OFFERED].sum().astype(float)
        out.append(ForecastWindow(str(queue), fc, actual, bands, start, end, adjusted))
    return out


def chosen_backtest(backtest: pd.DataFrame, forecast: pd.DataFrame) -> pd.DataFrame:
    """The backtest rows of the model each queue's forecast was made with, averaged over
    the cutoffs per horizon day: ``queue, horizon_day, wmape, coverage_80, coverage_95``.

    A queue whose forecast model has no backtest rows (a fixed model without backtest)
    is left out.
    """
    chosen = forecast.groupby(QUEUE, sort=True)["model"].first()
    rows = backtest.merge(chosen.rename("chosen").reset_index(), on=QUEUE)
    rows = rows[rows["model"] == rows["chosen"]]
    cols = [c for c in ("wmape", "coverage_80", "coverage_95") if c in rows.columns]
    return rows.groupby([QUEUE, "horizon_day"], sort=True)[cols].mean().reset_index()


def adjusted_queues(accuracy: pd.DataFrame) -> tuple[str, ...]:
    """The queues of an :func:`~wfm.reports.accuracy.accuracy_report` whose forecast the
    planner's adjustments changed on some day (``forecast_raw`` differs from
    ``forecast``)."""
    if "forecast_raw" not in accuracy.columns:
        return ()
    days = accuracy[accuracy["date"] != "total"]
    changed = ~np.isclose(days["forecast_raw"].to_numpy(float),
                          days["forecast"].to_numpy(float))
    return tuple(sorted({str(q) for q in days.loc[changed, QUEUE]}))


def requirement_curves(requirements: pd.DataFrame, coverage: pd.DataFrame | None, *,
                       start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Required agents (after shrinkage) per queue and interval in [start, end), with the
    scheduled agents of the roster where there is one (``scheduled``, else NaN)."""
    req = requirements[(requirements[INTERVAL_START] >= start.tz_convert("UTC"))
                       & (requirements[INTERVAL_START] < end.tz_convert("UTC"))]
    out = req.groupby([QUEUE, INTERVAL_START], sort=True)["agents_required"].sum()
    frame = out.reset_index()
    if coverage is not None and len(coverage):
        sched = coverage.groupby([QUEUE, INTERVAL_START])["scheduled"].sum().reset_index()
        frame = frame.merge(sched, on=[QUEUE, INTERVAL_START], how="left")
    else:
        frame["scheduled"] = np.nan
    return frame
