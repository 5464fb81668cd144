"""Service level from actuals: offered, handled, abandoned, SL, ASA and AHT by period.

ACDs disagree on the service-level denominator, so it is a parameter
(:data:`SL_DEFINITIONS`). Sums of counts and seconds are aggregated first and the ratios
taken last, so a day's figure is the contact-weighted figure of its intervals, never a
mean of interval percentages.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.errors import InputDataError
from wfm.schema import (
    ABANDONED,
    ANSWER_WAIT_S,
    ANSWERED_WITHIN_SL,
    BACKLOG,
    CHANNEL,
    COLD_CHANNELS,
    HANDLE_S,
    HANDLED,
    INTERVAL_START,
    INTERVALS,
    OFFERED,
    QUEUE,
    SHORT_ABANDONED,
    SL_THRESHOLD_S,
    require_columns,
)

#: name -> (denominator description). The numerator is always ``answered_within_sl``.
SL_DEFINITIONS: dict[str, str] = {
    "offered": "answered within threshold / offered",
    "net-of-short-abandons": "answered within threshold / (offered - short abandons)",
    "answered": "answered within threshold / answered",
}
UTC_ZONE = ZoneInfo("UTC")
PERIODS: tuple[str, ...] = ("interval", "day", "week")
COLD_DEFINITION = "cold channels: handled within the response target / handled"

_SUMMED = (OFFERED, HANDLED, ABANDONED, ANSWERED_WITHIN_SL, HANDLE_S, ANSWER_WAIT_S,
           SHORT_ABANDONED)


def describe_definition(definition: str) -> str:
    """The printed formula of an SL definition (raises on an unknown name)."""
    if definition not in SL_DEFINITIONS:
        raise InputDataError(f"unknown service-level definition {definition!r}; "
                             f"accepted: {', '.join(SL_DEFINITIONS)}")
    return f"service_level = {SL_DEFINITIONS[definition]}"


def period_start(starts: pd.Series, by: str, tz: ZoneInfo) -> pd.Series:
    """The local start of the interval/day/week (Monday) each timestamp belongs to."""
    local: pd.Series = starts.dt.tz_convert(tz)
    if by == "interval":
        return local
    days: pd.Series = local.dt.tz_localize(None).dt.normalize()
    if by == "week":
        days = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    return days


def service_level_report(intervals: pd.DataFrame, *, by: str = "day",
                         definition: str = "offered", tz: ZoneInfo = UTC_ZONE,
                         source: str = "actuals") -> pd.DataFrame:
    """Aggregate INTERVALS actuals per queue, channel and period.

    Parameters
    ----------
    intervals : INTERVALS frame (``interval_start`` tz-aware); optional columns may be
        missing or empty, their figures are then blank. A ``short_abandoned`` column
        (contacts abandoned within the short-abandon threshold) is needed only by the
        ``net-of-short-abandons`` definition.
    by : ``interval``, ``day`` or ``week`` (days and Monday-based weeks in ``tz``).
    definition : one of :data:`SL_DEFINITIONS`; applies to hot channels.
    tz : site time zone for periods.

    Returns
    -------
    DataFrame with ``queue, channel, period`` (local start: timestamp for intervals,
    YYYY-MM-DD text for days and weeks), ``offered, handled, abandoned`` [contacts],
    ``abandon_rate`` (abandoned / offered), ``service_level`` [0-1], ``asa_s``
    (answer_wait_s / handled) [s] of hot channels, ``asa_h`` the same in hours for cold
    channels, ``aht_s`` (handle_s / handled) [s],
    ``sl_threshold_s`` [s] and ``backlog`` (open items at the end of the period).
    Cold channels (email, back office...) get ``service_level`` = answered_within_sl /
    handled (the share handled within the response target that the source measured),
    no abandonment figures and the backlog.
    """
    describe_definition(definition)
    if by not in PERIODS:
        raise InputDataError(f"unknown period {by!r}; accepted: {', '.join(PERIODS)}")
    require_columns(intervals, INTERVALS, source)
    if intervals.empty:
        raise InputDataError(f"{source}: no intervals in the requested range")
    if definition == "net-of-short-abandons" and (
            SHORT_ABANDONED not in intervals.columns or intervals[SHORT_ABANDONED].isna().all()):
        raise InputDataError(
            f"{source}: service-level definition 'net-of-short-abandons' needs a "
            f"{SHORT_ABANDONED} column (contacts abandoned within the short-abandon "
            "threshold); the data have none",
            hint="map it from your ACD export, or use --sl-definition offered|answered",
        )
    df = intervals.copy()
    for col in (*_SUMMED, SL_THRESHOLD_S, BACKLOG):
        if col not in df.columns:
            df[col] = np.nan
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    df["period"] = period_start(df[INTERVAL_START], by, tz)
    df = df.sort_values([QUEUE, CHANNEL, INTERVAL_START], kind="stable")
    grouped = df.groupby([QUEUE, CHANNEL, "period"], sort=True)
    sums = grouped[list(_SUMMED)].sum(min_count=1)
    out = sums.assign(
        sl_threshold_s=grouped[SL_THRESHOLD_S].max(),
        backlog=grouped[BACKLOG].last(),
    ).reset_index()

    def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
        return (num / den.where(den > 0)).astype("float64")

    denominators = {
        "offered": out[OFFERED],
        "net-of-short-abandons": out[OFFERED] - out[SHORT_ABANDONED],
        "answered": out[HANDLED],
    }
    cold = out[CHANNEL].isin(COLD_CHANNELS)
    hot_sl = ratio(out[ANSWERED_WITHIN_SL], denominators[definition])
    cold_sl = ratio(out[ANSWERED_WITHIN_SL], out[HANDLED])
    asa_s = ratio(out[ANSWER_WAIT_S], out[HANDLED])
    return pd.DataFrame({
        QUEUE: out[QUEUE],
        CHANNEL: out[CHANNEL],
        "period": out["period"] if by == "interval" else out["period"].dt.strftime("%Y-%m-%d"),
        OFFERED: out[OFFERED],
        HANDLED: out[HANDLED],
        ABANDONED: out[ABANDONED].where(~cold),
        "abandon_rate": ratio(out[ABANDONED], out[OFFERED]).where(~cold),
        "service_level": hot_sl.where(~cold, cold_sl),
        # An email waits hours, not seconds: 16.5 h reads better than 59514.9 s.
        "asa_s": asa_s.where(~cold),
        "asa_h": (asa_s / 3600.0).where(cold),
        "aht_s": ratio(out[HANDLE_S], out[HANDLED]),
        "sl_threshold_s": out["sl_threshold_s"],
        BACKLOG: out[BACKLOG],
    })


def last_days(actuals: pd.DataFrame, days: int, tz: ZoneInfo) -> pd.DataFrame:
    """The rows of the last ``days`` local days, counted back from the latest interval."""
    latest = actuals[INTERVAL_START].max().tz_convert(tz).normalize()
    first = (latest - pd.DateOffset(days=days - 1)).tz_convert("UTC")
    recent: pd.Series = actuals[INTERVAL_START] >= first
    return actuals.loc[recent]


def service_level_chart_frame(report: pd.DataFrame) -> pd.DataFrame:
    """Wide frame for a chart: one row per period, one service-level column per queue."""
    wide = report.pivot_table(index="period", columns=QUEUE, values="service_level",
                              aggfunc="first", sort=True)
    wide.columns = [f"{q} service_level" for q in wide.columns]
    wide = wide.reset_index()
    if isinstance(wide["period"].dtype, pd.DatetimeTZDtype):
        wide["period"] = wide["period"].dt.strftime("%Y-%m-%d %H:%M")
    wide["period"] = wide["period"].astype(str)
    return wide
