"""Forecast accuracy: a forecast run against the actuals of the same intervals.

Only intervals present in both frames are compared. Error is forecast − actual, so a
positive ``bias`` means over-forecasting. ``wmape`` = Σ|F − A| / ΣA over the compared
intervals of the row; on a day row ``day_wmape`` is |ΣF − ΣA| / ΣA (the daily-total
error) and ``interval_wmape`` the interval-level figure.

Forecast value added: where the forecast carries the model's values before the planner's
adjustments (``offered_raw``), the same errors are computed for them (``forecast_raw``,
``day_wmape_raw``, ``interval_wmape_raw``) and ``value_added`` = ``interval_wmape_raw`` −
``interval_wmape``: positive when the adjustments brought the forecast closer to the
actuals. A forecast without that column had no adjustments: raw equals adjusted.

The daily 95 % interval is built from the interval-level ``offered_lo_95/hi_95`` columns
assuming normal, independent interval errors: sd_i = (hi_i − lo_i) / (2 · 1.96), daily
sd = sqrt(Σ sd_i²). Real interval errors are positively correlated, so the band is narrow
and days flagged ``outside_95`` deserve a look, not an alarm.
"""

from __future__ import annotations

from typing import cast
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.errors import InputDataError
from wfm.schema import (
    CHANNEL,
    FORECAST,
    INTERVAL_START,
    INTERVALS,
    OFFERED,
    OFFERED_RAW,
    QUEUE,
    require_columns,
)

Z95 = 1.959963984540054
UTC_ZONE = ZoneInfo("UTC")


def forecast_period(forecast: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last interval start of a forecast (UTC)."""
    return forecast[INTERVAL_START].min(), forecast[INTERVAL_START].max()


def match_actuals(forecast: pd.DataFrame, actuals: pd.DataFrame, *,
                  source: str = "forecast") -> pd.DataFrame:
    """Inner join of forecast and actual offered per queue, channel and interval.

    Raises :class:`InputDataError` when no actual falls in the forecast period.
    """
    require_columns(forecast, FORECAST, source)
    require_columns(actuals, INTERVALS, "actuals")
    fc = pd.DataFrame({QUEUE: forecast[QUEUE], CHANNEL: forecast[CHANNEL],
                       INTERVAL_START: forecast[INTERVAL_START], "forecast": forecast[OFFERED]})
    for col in ("offered_lo_95", "offered_hi_95"):
        fc[col] = forecast[col] if col in forecast.columns else np.nan
    fc["forecast_raw"] = (forecast[OFFERED_RAW].fillna(forecast[OFFERED])
                          if OFFERED_RAW in forecast.columns else forecast[OFFERED])
    act = actuals.groupby([QUEUE, CHANNEL, INTERVAL_START])[OFFERED].sum().rename("actual")
    joined = fc.merge(act.reset_index(),
                      on=[QUEUE, CHANNEL, INTERVAL_START], how="inner")
    if joined.empty:
        first, last = forecast_period(forecast)
        if actuals.empty:
            seen = "no actuals at all"
        else:
            seen = (f"actuals run {actuals[INTERVAL_START].min().isoformat()} to "
                    f"{actuals[INTERVAL_START].max().isoformat()}")
        raise InputDataError(
            f"{source}: no actuals overlap the forecast period {first.isoformat()} to "
            f"{last.isoformat()} for its queues; {seen}",
            hint="ingest the actuals of the forecast period first (wfm ingest ...)",
        )
    return joined.sort_values([QUEUE, CHANNEL, INTERVAL_START], kind="stable")


def accuracy_report(forecast: pd.DataFrame, actuals: pd.DataFrame, *,
                    tz: ZoneInfo = UTC_ZONE, source: str = "forecast") -> pd.DataFrame:
    """Per queue, channel and local day, plus a ``total`` row per queue and channel.

    Returns
    -------
    DataFrame ``queue, channel, date, intervals, forecast, actual, error`` [contacts],
    ``day_wmape, interval_wmape, bias`` [0-1], ``lo_95, hi_95`` [contacts],
    ``outside_95`` (actual outside the daily 95 % band; blank without interval columns),
    then ``forecast_raw`` [contacts], ``day_wmape_raw, interval_wmape_raw`` and
    ``value_added`` [ratio]: the model's forecast before the planner's adjustments and how
    much the adjustments reduced the interval error.
    """
    m = match_actuals(forecast, actuals, source=source)
    sd = (m["offered_hi_95"] - m["offered_lo_95"]) / (2 * Z95)
    m = m.assign(date=m[INTERVAL_START].dt.tz_convert(tz).dt.strftime("%Y-%m-%d"),
                 abs_err=(m["forecast"] - m["actual"]).abs(),
                 abs_err_raw=(m["forecast_raw"] - m["actual"]).abs(), var=sd**2)
    rows = []
    for key, series in m.groupby([QUEUE, CHANNEL], sort=True):
        queue, channel = cast(tuple[str, str], key)
        groups = [*series.groupby("date", sort=True), ("total", series)]
        for day, g in groups:
            f, a = float(g["forecast"].sum()), float(g["actual"].sum())
            raw = float(g["forecast_raw"].sum())
            wmape = float(g["abs_err"].sum()) / a if a > 0 else np.nan
            wmape_raw = float(g["abs_err_raw"].sum()) / a if a > 0 else np.nan
            has_band = bool(g["var"].notna().all()) and day != "total"
            half = Z95 * float(np.sqrt(g["var"].sum())) if has_band else np.nan
            rows.append({
                QUEUE: queue, CHANNEL: channel, "date": day, "intervals": len(g),
                "forecast": f, "actual": a, "error": f - a,
                "day_wmape": abs(f - a) / a if a > 0 else np.nan,
                "interval_wmape": wmape,
                "bias": (f - a) / a if a > 0 else np.nan,
                "lo_95": f - half, "hi_95": f + half,
                "outside_95": (bool(a < f - half or a > f + half) if has_band else None),
                "forecast_raw": raw,
                "day_wmape_raw": abs(raw - a) / a if a > 0 else np.nan,
                "interval_wmape_raw": wmape_raw,
                "value_added": wmape_raw - wmape,
            })
    return pd.DataFrame(rows)


def accuracy_chart_frame(report: pd.DataFrame) -> pd.DataFrame:
    """Wide frame for a chart: one row per day, forecast and actual per queue, and the
    model's forecast before adjustments (``forecast_raw``) for the queues adjusted."""
    days = report[report["date"] != "total"]
    values = ["forecast", "actual"]
    if "forecast_raw" in days.columns:
        values.append("forecast_raw")
    wide = days.pivot_table(index="date", columns=QUEUE, values=values, aggfunc="sum",
                            sort=True)
    order = {"forecast": 0, "forecast_raw": 1, "actual": 2}
    columns: list[tuple[str, str]] = []
    pairs = [cast(tuple[str, str], p) for p in wide.columns]
    for value, queue in sorted(pairs, key=lambda p: (p[1], order[p[0]])):
        if value == "forecast_raw" and np.allclose(wide[(value, queue)],
                                                   wide[("forecast", queue)]):
            continue  # not adjusted: the line would hide under the forecast's
        columns.append((value, queue))
    out = wide[columns]
    out.columns = [f"{queue} {value}" for value, queue in columns]
    return out.reset_index()
