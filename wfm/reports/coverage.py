"""Coverage of a schedule: required vs scheduled agent-hours, shortfalls and a sparkline."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.schema import CHANNEL, INTERVAL_START, QUEUE

SPARK_CHARS = "▁▂▃▄▅▆▇█"


def sparkline(gaps: np.ndarray, scale: float) -> str:
    """One block per interval on a scale symmetric around zero.

    Short intervals take the lower four blocks (``▁`` a shortfall of ``scale`` agents or
    more), met or over-staffed ones the upper four (``▅`` met, ``█`` a surplus of
    ``scale`` or more). NaN (no data) is a space.

    >>> sparkline(np.array([-2.0, 0.0, 2.0, np.nan]), 2.0)
    '▁▅█ '
    """
    out = []
    levels = len(SPARK_CHARS)
    for g in gaps:
        if np.isnan(g):
            out.append(" ")
            continue
        frac = 0.5 if scale <= 0 else (min(max(g / scale, -1.0), 1.0) + 1.0) / 2.0
        out.append(SPARK_CHARS[min(int(frac * levels), levels - 1)])
    return "".join(out)


def local_frame(coverage: pd.DataFrame, tz: ZoneInfo) -> pd.DataFrame:
    """Coverage with local ``date`` (YYYY-MM-DD) and ``clock`` (HH:MM) columns."""
    local = coverage[INTERVAL_START].dt.tz_convert(tz)
    return coverage.assign(date=local.dt.strftime("%Y-%m-%d"),
                           clock=local.dt.strftime("%H:%M"),
                           local_start=local)


def coverage_summary(coverage: pd.DataFrame, *, tz: ZoneInfo, interval_h: float,
                     worst: int = 3) -> pd.DataFrame:
    """Per queue, channel and local day: agent-hours required and scheduled.

    Parameters
    ----------
    coverage : COVERAGE frame (required, scheduled, gap in agents per interval).
    tz : site time zone (days are local days, 23 or 25 hours at DST changes).
    interval_h : interval length [h].
    worst : how many of the most under-staffed intervals to list.

    Returns
    -------
    DataFrame ``queue, channel, date, required_h, scheduled_h, gap_h`` [agent-hours],
    ``short_h`` (agent-hours under requirement, summed over short intervals),
    ``short_intervals``, ``worst`` ("10:15 -3.2, ...") and ``gap_profile`` (sparkline of
    the gap through the day on a scale common to all rows).
    """
    df = local_frame(coverage, tz).sort_values([QUEUE, CHANNEL, INTERVAL_START], kind="stable")
    df = df.assign(gap=_gap(df))
    scale = float(np.nanmax(np.abs(df["gap"].to_numpy()))) if len(df) else 0.0
    rows = []
    for (queue, channel, day), g in df.groupby([QUEUE, CHANNEL, "date"], sort=True):
        gap = g["gap"].to_numpy(dtype=float)
        short = g[g["gap"] < 0].sort_values(["gap", INTERVAL_START], kind="stable")
        rows.append({
            QUEUE: queue,
            CHANNEL: channel,
            "date": day,
            "required_h": float(g["required"].sum() * interval_h),
            "scheduled_h": float(g["scheduled"].sum() * interval_h),
            "gap_h": float(gap.sum() * interval_h),
            "short_h": float(np.maximum(-gap, 0).sum() * interval_h),
            "short_intervals": int((gap < 0).sum()),
            "worst": ", ".join(f"{c} {v:+.1f}" for c, v in
                               zip(short["clock"][:worst], short["gap"][:worst], strict=True)),
            "gap_profile": sparkline(gap, scale),
        })
    return pd.DataFrame(rows, columns=[QUEUE, CHANNEL, "date", "required_h", "scheduled_h",
                                       "gap_h", "short_h", "short_intervals", "worst",
                                       "gap_profile"])


def _gap(coverage: pd.DataFrame) -> pd.Series:
    """Scheduled less required agents, with rounding noise of the requirements (a
    shrinkage division leaves 10.000000000000002 for 10) counted as met."""
    gap = coverage["scheduled"] - coverage["required"]
    return gap.mask(gap.abs() < GAP_TOLERANCE, 0.0)


GAP_TOLERANCE = 1e-9  # agents


def sparkline_legend(coverage: pd.DataFrame) -> str:
    gap = (coverage["scheduled"] - coverage["required"]).to_numpy(dtype=float)
    scale = float(np.nanmax(np.abs(gap))) if len(gap) else 0.0
    return (f"gap_profile: one block per interval; {SPARK_CHARS[:4]} short (down to "
            f"{SPARK_CHARS[0]} = {scale:.1f} agents short), {SPARK_CHARS[4:]} met or over "
            f"({SPARK_CHARS[4]} = met, {SPARK_CHARS[-1]} = {scale:.1f} over)")


def queue_hours(coverage: pd.DataFrame, *, interval_h: float) -> pd.DataFrame:
    """Per queue and channel over the whole run: required, scheduled, net gap, short and
    over agent-hours [agent-hours] and the share of required agent-hours covered [0-1]."""
    gap = _gap(coverage)
    df = coverage.assign(short=(-gap).clip(lower=0), over=gap.clip(lower=0),
                         met=np.minimum(coverage["scheduled"], coverage["required"]))
    g = df.groupby([QUEUE, CHANNEL], sort=True)
    out = pd.DataFrame({
        "required_h": g["required"].sum() * interval_h,
        "scheduled_h": g["scheduled"].sum() * interval_h,
        "gap_h": (g["scheduled"].sum() - g["required"].sum()) * interval_h,
        "short_h": g["short"].sum() * interval_h,
        "over_h": g["over"].sum() * interval_h,
        "met": g["met"].sum(),
        "req": g["required"].sum(),
    }).reset_index()
    out["covered_share"] = (out["met"] / out["req"].where(out["req"] > 0)).astype(float)
    return out.drop(columns=["met", "req"])
