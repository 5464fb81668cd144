"""The pictures of the HTML report, drawn with matplotlib (object API, no pyplot state).

Each function takes the frames of :mod:`wfm.reports.chart_data` (or the report tables)
and returns a :class:`matplotlib.figure.Figure`; :mod:`wfm.reports.html_report` turns
them into inline SVG or PNG files. Times are shown in the site's time zone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from wfm.reports.chart_data import (
    STATE_NAMES,
    CoverageGrid,
    ForecastWindow,
    QueueTarget,
)
from wfm.schema import INTERVAL_START, QUEUE

#: Coverage state colours: nothing required (grey), short (red), met (green), over (amber).
STATE_COLOURS: tuple[str, ...] = ("#eeeeee", "#d7301f", "#74c476", "#fdae61")
QUEUE_PALETTE: tuple[str, ...] = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
                                  "#e377c2", "#17becf", "#bcbd22")
WIDTH_IN = 10.0


def queue_colours(queues: Sequence[str]) -> dict[str, str]:
    """One stable colour per queue (sorted names), the same in every chart."""
    return {q: QUEUE_PALETTE[i % len(QUEUE_PALETTE)] for i, q in enumerate(sorted(queues))}


def _times(index: pd.Index | pd.Series) -> np.ndarray:
    """Matplotlib date numbers of tz-aware instants (drawn by a tz-aware formatter)."""
    stamps = pd.DatetimeIndex(index).tz_convert("UTC").tz_localize(None)
    return np.asarray(mdates.date2num(stamps.to_pydatetime()))  # type: ignore[no-untyped-call]


def _day_axis(ax: Any, tz: ZoneInfo) -> None:
    """One tick per local midnight, labelled ``Mon 16``, on a time x axis."""
    axis = ax.xaxis
    axis.set_major_locator(mdates.DayLocator(tz=tz))  # type: ignore[no-untyped-call]
    axis.set_major_formatter(mdates.DateFormatter("%a %d", tz=tz))  # type: ignore[no-untyped-call]
    axis.set_minor_locator(mdates.HourLocator(byhour=(12,), tz=tz))  # type: ignore[no-untyped-call]


def forecast_figure(window: ForecastWindow, tz: ZoneInfo, colour: str) -> Figure:
    """Forecast offered per interval with its 80/95 % bands, and the actuals."""
    fig = Figure(figsize=(WIDTH_IN, 3.2), layout="constrained")
    ax = fig.add_subplot()
    fc = window.forecast
    if len(fc):
        x = _times(fc.index)
        for level, alpha in ((95, 0.18), (80, 0.32)):
            if level in window.bands:
                ax.fill_between(x, fc[f"offered_lo_{level}"], fc[f"offered_hi_{level}"],
                                color=colour, alpha=alpha, linewidth=0,
                                label=f"{level} % interval")
        ax.plot(x, fc["offered"], color=colour, linewidth=1.2, label="forecast")
        if window.adjusted:
            ax.plot(x, fc["offered_raw"], color=colour, linewidth=1.0, linestyle="--",
                    label="model before adjustments")
        ax.axvline(x[0], color="#555555", linewidth=0.8, linestyle=":")
    if len(window.actual):
        ax.plot(_times(window.actual.index), window.actual.to_numpy(), color="black",
                linewidth=0.8, label="actual")
    lo, hi = _times(pd.DatetimeIndex([window.start, window.end]))
    ax.set_xlim(float(lo), float(hi))
    _day_axis(ax, tz)
    ax.set_ylabel("contacts / interval")
    ax.set_ylim(bottom=0)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(loc="upper left", fontsize="small", ncols=4, frameon=False)
    ax.set_title(f"{window.queue}: offered, forecast vs actual", loc="left")
    return fig


def requirements_figure(curves: pd.DataFrame, tz: ZoneInfo,
                        colours: Mapping[str, str]) -> Figure:
    """Required agents per queue and interval (one panel per queue), with the roster's
    scheduled agents where there is a roster."""
    queues = sorted(curves[QUEUE].unique())
    fig = Figure(figsize=(WIDTH_IN, 1.9 * max(len(queues), 1) + 0.4), layout="constrained")
    axes = fig.subplots(max(len(queues), 1), 1, sharex=True, squeeze=False)[:, 0]
    for ax, queue in zip(axes, queues, strict=False):
        g = curves[curves[QUEUE] == queue]
        x = _times(g[INTERVAL_START])
        ax.plot(x, g["agents_required"], color=colours[queue], linewidth=1.2,
                label="required", drawstyle="steps-post")
        if g["scheduled"].notna().any():
            ax.plot(x, g["scheduled"], color="black", linewidth=0.8, label="scheduled",
                    drawstyle="steps-post")
        ax.set_ylabel("agents")
        ax.set_ylim(bottom=0)
        ax.grid(True, axis="y", alpha=0.3)
        ax.set_title(queue, loc="left", fontsize="medium")
        ax.legend(loc="upper right", fontsize="small", ncols=2, frameon=False)
        _day_axis(ax, tz)
    return fig


def coverage_figure(grids: Sequence[CoverageGrid]) -> Figure:
    """Roster coverage heat maps: clock time down, day across, one panel per queue."""
    n = max(len(grids), 1)
    cols = min(n, 4)
    rows = -(-n // cols)
    height = max(3.0, 0.055 * max((len(g.clocks) for g in grids), default=40) + 1.4)
    fig = Figure(figsize=(WIDTH_IN, height * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    cmap = ListedColormap(list(STATE_COLOURS))
    norm = BoundaryNorm([-0.5, 0.5, 1.5, 2.5, 3.5], cmap.N)
    for ax, grid in zip(axes, grids, strict=False):
        ax.pcolormesh(grid.states, cmap=cmap, norm=norm, edgecolors="white", linewidth=0.2)
        ax.invert_yaxis()
        hours = [i for i, c in enumerate(grid.clocks) if c.endswith(":00")]
        step = max(1, len(hours) // 12)
        ax.set_yticks([i + 0.5 for i in hours[::step]],
                      [grid.clocks[i] for i in hours[::step]], fontsize="x-small")
        ax.set_xticks([j + 0.5 for j in range(len(grid.days))],
                      [pd.Timestamp(d).strftime("%a %d") for d in grid.days],
                      fontsize="x-small", rotation=90)
        short = int((grid.states == 1).sum())
        ax.set_title(f"{grid.queue}\n{short} short interval(s)", fontsize="small")
    for ax in axes[len(grids):]:
        ax.set_visible(False)
    fig.legend(handles=[Patch(color=c, label=s) for c, s in zip(STATE_COLOURS, STATE_NAMES,
                                                                 strict=True)],
               loc="outside lower center", ncols=4, frameon=False, fontsize="small")
    return fig


def _panels(n: int, height: float) -> tuple[Figure, np.ndarray]:
    cols = 2 if n > 1 else 1
    rows = -(-n // cols)
    fig = Figure(figsize=(WIDTH_IN, height * rows + 0.3), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes


def service_level_figure(days: pd.DataFrame, targets: Mapping[str, QueueTarget],
                         colours: Mapping[str, str]) -> Figure:
    """Service level per local day (one panel per queue) against the queue's target;
    days under target are marked in red."""
    queues = sorted(days[QUEUE].unique())
    fig, axes = _panels(len(queues), 2.4)
    for ax, queue in zip(axes, queues, strict=False):
        g = days[days[QUEUE] == queue].sort_values("period")
        x = pd.to_datetime(g["period"]).dt.strftime("%a %d").tolist()
        y = g["service_level"].to_numpy(float)
        ax.plot(x, y, marker="o", markersize=3, color=colours[queue], label="service level")
        target = targets.get(queue)
        if target is not None:
            ax.axhline(target.target, color="black", linestyle="--", linewidth=1,
                       label=f"target {target.label}")
            miss = y < target.target
            ax.plot(np.array(x)[miss], y[miss], "o", color=STATE_COLOURS[1], markersize=5,
                    label="under target")
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.tick_params(axis="x", labelrotation=90, labelsize="x-small")
        ax.grid(True, axis="y", alpha=0.3)
        ax.set_title(queue, loc="left", fontsize="medium")
        ax.legend(loc="lower left", fontsize="x-small", frameon=False)
    return fig


def backtest_figure(chosen: pd.DataFrame, colours: Mapping[str, str]) -> Figure:
    """Backtest wMAPE of each queue's chosen model by days ahead of the forecast origin."""
    fig = Figure(figsize=(WIDTH_IN, 3.0), layout="constrained")
    ax = fig.add_subplot()
    for queue, g in chosen.groupby(QUEUE, sort=True):
        ax.plot(g["horizon_day"], g["wmape"], color=colours.get(str(queue), "grey"),
                marker=".", label=str(queue))
    ax.set_xlabel("days ahead")
    _error_axis(ax, "interval wMAPE", "Backtest error of the chosen model (mean over cutoffs)")
    return fig


def accuracy_figure(report: pd.DataFrame, colours: Mapping[str, str],
                    adjusted: Sequence[str] = ()) -> Figure:
    """Realised daily error (|forecast - actual| / actual of the day) of an earlier
    forecast, per queue; for the ``adjusted`` queues also the error of the model's
    forecast before the planner's adjustments (dashed)."""
    days = report[report["date"] != "total"]
    fig = Figure(figsize=(WIDTH_IN, 3.0), layout="constrained")
    ax = fig.add_subplot()
    for queue, g in days.groupby(QUEUE, sort=True):
        x = pd.to_datetime(g["date"]).dt.strftime("%a %d").tolist()
        colour = colours.get(str(queue), "grey")
        ax.plot(x, g["day_wmape"], marker="o", markersize=3, color=colour,
                label=str(queue))
        if str(queue) in adjusted:
            ax.plot(x, g["day_wmape_raw"], marker="x", markersize=3, color=colour,
                    linestyle="--", label=f"{queue} before adjustments")
    ax.tick_params(axis="x", labelrotation=90, labelsize="x-small")
    _error_axis(ax, "day error", "Realised error of the earlier forecast per day")
    return fig


def _error_axis(ax: Axes, ylabel: str, title: str) -> None:
    """The forecast-error charts' shared look: a percent axis from 0, a light grid and
    one legend row per four queues."""
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", frameon=False, ncols=4)
    ax.set_title(title, loc="left")


def simulation_figure(table: pd.DataFrame, targets: Mapping[str, QueueTarget],
                      colours: Mapping[str, str]) -> Figure:
    """Simulated service per queue and day with its 95 % interval, against the target
    (service level for live queues, share within the response target for deferred)."""
    queues = sorted(table[QUEUE].unique())
    fig, axes = _panels(len(queues), 2.4)
    for ax, queue in zip(axes, queues, strict=False):
        g = table[table[QUEUE] == queue].sort_values("date")
        measure = "service_level"
        if "service_level" not in g.columns or g["service_level"].isna().all():
            measure = "share_within_target"
        y = g[measure].to_numpy(float)
        lo = g.get(f"{measure}_lo", pd.Series(y)).to_numpy(float)
        hi = g.get(f"{measure}_hi", pd.Series(y)).to_numpy(float)
        x = pd.to_datetime(g["date"]).dt.strftime("%a %d").tolist()
        ax.errorbar(x, y, yerr=np.vstack([y - lo, hi - y]), fmt="o-", markersize=3,
                    capsize=2, color=colours[queue],
                    label=measure.replace("_", " ") + " (95 % interval)")
        target = targets.get(queue)
        if target is not None:
            ax.axhline(target.target, color="black", linestyle="--", linewidth=1,
                       label=f"target {target.label}")
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.tick_params(axis="x", labelrotation=90, labelsize="x-small")
        ax.grid(True, axis="y", alpha=0.3)
        ax.set_title(queue, loc="left", fontsize="medium")
        ax.legend(loc="lower left", fontsize="x-small", frameon=False)
    return fig
