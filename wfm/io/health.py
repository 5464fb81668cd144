"""Data-health checks of an INTERVALS frame: one findings frame, severities error/warning/info.

Pure functions: the opening hours, closed days, special days and time zone come in as plain
arguments (the CLI and the pipeline translate wfm.toml into them). Errors stop an ingest,
warnings and infos are printed.

Checks, per queue and channel:

==================================  ========  =============================================
check                               severity  meaning
==================================  ========  =============================================
date_range                          info      first and last local day, intervals present
duplicate_intervals                 error     the same interval more than once
negative_values                     error     a count or duration below zero
answered_within_sl_exceeds_handled  warning   more answered within the threshold than handled
                                              (a known export glitch; error if strict)
handled_exceeds_offered_backlog     error     deferred channel: handled > offered + backlog
                                              at the end of the previous interval
zero_handle_time                    warning   handled > 0 but handle_s = 0 (a known export
                                              glitch; error if strict)
short_abandoned_exceeds_abandoned   error     more short abandons than abandons
handled_exceeds_offered             warning   live channel: handled > offered (contacts
                                              answered after an interval boundary)
abandoned_exceeds_offered           warning   abandoned > offered
missing_intervals_open              warning   intervals absent while the site is open
missing_intervals_closed            info      intervals absent while the site is closed
zero_volume_open_days               warning   nothing offered on a day the site is open
zero_volume_days                    info      nothing offered on a closed day / holiday
outlier_days                        warning   daily volume far from its weekday's usual
                                              (robust z-score, median and MAD by weekday)
likely_special_days                 info      such outliers next to a holiday (catch-up or
                                              bridge days)
known_special_days                  info      holidays and configured special days seen,
                                              with their volume against a usual such weekday
open_on_closed_holiday              warning   a public holiday wfm treats as closed shows
                                              normal volume (handled, else offered for live
                                              channels): suggests [site] open_holidays
dst_days                            info      local days of 23 or 25 hours in the range
==================================  ========  =============================================
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

import numpy as np
import pandas as pd

from wfm.io.day_scores import robust_z
from wfm.io.holiday_check import describe, holiday_names, open_looking_holidays
from wfm.schema import (
    ABANDONED,
    ANSWERED_WITHIN_SL,
    BACKLOG,
    CHANNEL,
    COLD_CHANNELS,
    HANDLE_S,
    HANDLED,
    INTERVAL_KEY,
    INTERVAL_START,
    INTERVALS,
    OFFERED,
    QUEUE,
    SHORT_ABANDONED,
    ensure_tz_aware,
    require_columns,
)

FINDING_COLUMNS: tuple[str, ...] = ("queue", "channel", "severity", "check", "count", "detail")
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
OUTLIER_Z = 3.5
_SHOW = 5

Window = tuple[time, time] | None
OpeningWindows = Sequence[Window]  # Monday first, 7 entries; None = closed all day


@dataclass(frozen=True)
class HealthCalendar:
    """The site calendar the health checks read (plain values: wfm.io never reads Config).

    Attributes
    ----------
    opening_hours
        Site opening window per weekday (Monday first, local clock); ``None``: always open.
    queue_opening_hours
        Per-queue windows overriding ``opening_hours``.
    closed_days
        Extra local dates on which the site is closed (holidays, closed special days).
    special_days
        Configured special days (date -> name), reported when seen.
    country, subdivision
        Public holidays of this country (``holidays`` package) count as closed days.
    open_holidays
        Names of public holidays the site opens on (``[site] open_holidays`` and
        ``[site.holiday_effects]`` other than closed, observed variants included): not
        closed days. A date holding several holidays is open when all of them are.
    """

    opening_hours: OpeningWindows | None = None
    queue_opening_hours: Mapping[str, OpeningWindows] = field(default_factory=dict)
    closed_days: Collection[date] = ()
    special_days: Mapping[date, str] = field(default_factory=dict)
    country: str | None = None
    subdivision: str | None = None
    open_holidays: Collection[str] = ()


ALWAYS_OPEN = HealthCalendar()


@dataclass(frozen=True)
class HealthSettings:
    """What the health checks know of the site (``wfm.config`` builds it from wfm.toml).

    Attributes
    ----------
    tz
        IANA zone of the site: local days, opening hours, daylight-saving days.
    interval_minutes
        Interval length [min].
    calendar
        Opening hours, closed and special days, public holidays (:class:`HealthCalendar`).
    strict
        Known export glitches (``zero_handle_time``, ``answered_within_sl_exceeds_handled``)
        are errors instead of warnings.
    """

    tz: str
    interval_minutes: int = 15
    calendar: HealthCalendar = ALWAYS_OPEN
    strict: bool = False


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "count" else "str")
                         for c in FINDING_COLUMNS})


def health_findings(frame: pd.DataFrame, settings: HealthSettings) -> pd.DataFrame:
    """Data-health findings of an INTERVALS frame.

    Parameters
    ----------
    frame
        INTERVALS frame (``interval_start`` tz-aware); extra columns are ignored.
    settings
        The site's zone, interval length, calendar and strictness.

    Returns
    -------
    pandas.DataFrame
        Columns ``queue, channel, severity, check, count, detail``.
    """
    tz, interval_minutes, calendar, strict = (settings.tz, settings.interval_minutes,
                                              settings.calendar, settings.strict)
    rows: list[dict[str, object]] = []
    if frame.empty:
        return empty_findings()
    require_columns(frame, INTERVALS, "data health")
    ensure_tz_aware(frame[INTERVAL_START], "data health")
    ts_local = frame[INTERVAL_START].dt.tz_convert(tz)
    years = range(int(ts_local.dt.year.min()), int(ts_local.dt.year.max()) + 1)
    names = holiday_names(calendar.country, calendar.subdivision, years)
    opened = set(calendar.open_holidays)
    # A public holiday is closed unless every holiday on its date is declared open.
    closed_public = {d: n for d, n in names.items() if not set(n) <= opened}
    closed = set(calendar.closed_days) | set(closed_public)
    known = {**{d: "; ".join(n) for d, n in names.items()}, **calendar.special_days}
    suspect = {d: n for d, n in closed_public.items()
               if d not in calendar.closed_days and d not in calendar.special_days}
    work = frame.assign(_local=ts_local)
    for (queue, channel), series in work.groupby([QUEUE, CHANNEL], sort=True):
        windows = calendar.queue_opening_hours.get(str(queue), calendar.opening_hours)
        ctx = _Series(str(queue), str(channel), series.sort_values(INTERVAL_START), tz,
                      interval_minutes=interval_minutes, windows=windows, closed=closed,
                      known=known, strict=strict, closed_holidays=suspect)
        rows.extend(ctx.findings())
    if not rows:
        return empty_findings()
    out = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    out["count"] = out["count"].astype("int64")
    return out


def public_holidays(country: str | None, subdivision: str | None, years: Iterable[int]
                    ) -> dict[date, str]:
    """Public holidays (date -> names, "; "-joined) of ``country`` from ``holidays``."""
    return {d: "; ".join(n) for d, n in holiday_names(country, subdivision, years).items()}


def is_open(local: pd.Series | pd.DatetimeIndex, windows: OpeningWindows | None,
            closed_days: Collection[date]) -> np.ndarray:
    """Whether each local timestamp falls inside the opening hours on an open day."""
    idx = pd.DatetimeIndex(local)
    n = len(idx)
    if windows is None:
        out = np.ones(n, bool)
    else:
        out = np.zeros(n, bool)
        weekday = idx.day_of_week.to_numpy()
        clock_s = (idx.hour * 3600 + idx.minute * 60 + idx.second).to_numpy()
        for day, w in enumerate(windows):
            if w is None:
                continue
            lo = w[0].hour * 3600 + w[0].minute * 60
            hi = 86400 if w[1] == time.max else w[1].hour * 3600 + w[1].minute * 60
            out |= (weekday == day) & (clock_s >= lo) & (clock_s < hi)
    if closed_days:
        days = np.array(sorted(closed_days), dtype="datetime64[D]")
        local_days = idx.tz_localize(None).normalize().to_numpy().astype("datetime64[D]")
        out &= ~np.isin(local_days, days)
    return out


class _Series:
    """The checks of one queue/channel series (sorted by interval_start)."""

    def __init__(self, queue: str, channel: str, series: pd.DataFrame, tz: str, *,
                 interval_minutes: int, windows: OpeningWindows | None,
                 closed: set[date], known: Mapping[date, str], strict: bool = False,
                 closed_holidays: Mapping[date, tuple[str, ...]] | None = None) -> None:
        self.queue, self.channel, self.s = queue, channel, series
        self.strict = strict
        self.tz, self.minutes, self.windows = tz, interval_minutes, windows
        self.closed, self.known = closed, known
        self.closed_holidays = closed_holidays or {}
        # local midnight of each row, as naive datetime64 (fast to group by)
        self.day = series["_local"].dt.tz_localize(None).dt.normalize()

    def row(self, severity: str, check: str, count: int, detail: str) -> dict[str, object]:
        return {"queue": self.queue, "channel": self.channel, "severity": severity,
                "check": check, "count": int(count), "detail": detail}

    def findings(self) -> list[dict[str, object]]:
        out = [self._range()]
        out += self._duplicates()
        out += self._values()
        out += self._missing()
        out += self._days()
        out += self._open_on_closed_holidays()
        out += self._dst()
        return out

    def _where(self, mask: np.ndarray) -> str:
        first = self.s.loc[mask]
        when = first["_local"].iloc[0].strftime("%Y-%m-%d %H:%M")
        where = f"first at {when}"
        if "_file" in first.columns and "_line" in first.columns:
            where += f" ({first['_file'].iloc[0]}, line {int(first['_line'].iloc[0])})"
        return where

    def _range(self) -> dict[str, object]:
        days = self.day
        return self.row("info", "date_range", len(self.s),
                        f"{days.iloc[0].date()} .. {days.iloc[-1].date()} local, "
                        f"{days.nunique()} days, "
                        f"{len(self.s)} intervals")

    def _duplicates(self) -> list[dict[str, object]]:
        dup = self.s.duplicated(list(INTERVAL_KEY), keep="first").to_numpy()
        if not dup.any():
            return []
        return [self.row("error", "duplicate_intervals", int(dup.sum()),
                         f"the same interval appears more than once, {self._where(dup)}")]

    def _col(self, name: str) -> np.ndarray | None:
        if name not in self.s.columns:
            return None
        v = pd.to_numeric(self.s[name]).to_numpy(dtype=np.float64, na_value=np.nan)
        return None if np.isnan(v).all() else v

    def _values(self) -> list[dict[str, object]]:
        out = []
        neg_cols = []
        neg = np.zeros(len(self.s), bool)
        for c in INTERVALS.columns:
            if c.kind in ("count", "seconds"):
                v = self._col(c.name)
                if v is not None and (v < 0).any():
                    neg_cols.append(c.name)
                    neg |= v < 0
        if neg.any():
            out.append(self.row("error", "negative_values", int(neg.sum()),
                                f"below zero in {', '.join(neg_cols)}, {self._where(neg)}"))
        offered, handled = self._col(OFFERED), self._col(HANDLED)
        sl, handle = self._col(ANSWERED_WITHIN_SL), self._col(HANDLE_S)
        abandoned, backlog = self._col(ABANDONED), self._col(BACKLOG)
        checks: list[tuple[str, str, np.ndarray | None, str]] = []
        # Known glitches of real exports (a count or a time booked in the neighbouring
        # interval): stored as exported, so sums over a day stay right; strict refuses them.
        glitch, kept = ("error", "") if self.strict else (
            "warning", " (a known export glitch, stored as exported; [data] strict = true "
                       "refuses it)")
        if sl is not None and handled is not None:
            checks.append((glitch, "answered_within_sl_exceeds_handled", sl > handled,
                           f"answered_within_sl > handled{kept}"))
        if handle is not None and handled is not None:
            checks.append((glitch, "zero_handle_time", (handled > 0) & (handle == 0),
                           f"handled > 0 with handle_s = 0{kept}"))
        if offered is not None and handled is not None:
            if self.channel in COLD_CHANNELS:
                if backlog is not None:
                    checks.append(("error", "handled_exceeds_offered_backlog",
                                   self._backlog_excess(offered, handled, backlog),
                                   "handled > offered + backlog of the previous interval"))
            else:
                checks.append(("warning", "handled_exceeds_offered", handled > offered,
                               "handled > offered (answered after an interval boundary?)"))
        short = self._col(SHORT_ABANDONED)
        if short is not None and abandoned is not None:
            checks.append(("error", "short_abandoned_exceeds_abandoned", short > abandoned,
                           "short_abandoned > abandoned (short abandons are part of abandoned)"))
        if offered is not None and abandoned is not None:
            checks.append(("warning", "abandoned_exceeds_offered", abandoned > offered,
                           "abandoned > offered"))
        for severity, check, mask, text in checks:
            m = np.nan_to_num(mask, nan=0).astype(bool) if mask is not None else None
            if m is not None and m.any():
                out.append(self.row(severity, check, int(m.sum()), f"{text}, {self._where(m)}"))
        return out

    def _backlog_excess(self, offered: np.ndarray, handled: np.ndarray, backlog: np.ndarray
                        ) -> np.ndarray:
        ts = self.s[INTERVAL_START].to_numpy()
        prev = np.roll(backlog, 1)
        step = np.timedelta64(self.minutes, "m")
        consecutive = np.zeros(len(ts), bool)
        consecutive[1:] = (ts[1:] - ts[:-1]) == step
        with np.errstate(invalid="ignore"):
            out: np.ndarray = consecutive & (handled > offered + prev)
        return out

    def _missing(self) -> list[dict[str, object]]:
        ts = self.s[INTERVAL_START]
        grid = pd.date_range(ts.iloc[0], ts.iloc[-1], freq=f"{self.minutes}min")
        missing = grid.difference(pd.DatetimeIndex(ts))
        if missing.empty:
            return []
        local = missing.tz_convert(self.tz)
        open_ = is_open(local, self.windows, self.closed)
        out = []
        for severity, check, mask, when in (
                ("warning", "missing_intervals_open", open_, "opening hours"),
                ("info", "missing_intervals_closed", ~open_, "closed hours")):
            if mask.any():
                days = pd.Index(local[mask].date).unique()
                out.append(self.row(severity, check, int(mask.sum()),
                                    f"absent in {when} on {len(days)} day(s), first "
                                    f"{local[mask][0].strftime('%Y-%m-%d %H:%M')}"))
        return out

    def _days(self) -> list[dict[str, object]]:
        by_day = self.s.groupby(self.day)[OFFERED]
        daily = by_day.sum().astype("float64")
        daily.index = pd.Index([t.date() for t in daily.index], dtype=object)
        # A first or last day the data only partly cover is no evidence of a quiet day.
        full = by_day.size().to_numpy() >= self._day_intervals(list(daily.index))
        edge = np.zeros(len(daily), bool)
        edge[[0, -1]] = True
        daily = daily.loc[~(edge & ~full)]
        dates = list(daily.index)
        closed_day = np.array([self._closed_day(d) for d in dates], bool)
        vol = daily.to_numpy()
        out = []
        zero = vol == 0
        for severity, check, mask, text in (
                ("warning", "zero_volume_open_days", zero & ~closed_day,
                 "nothing offered on open day(s) (unlisted holiday or data gap?)"),
                ("info", "zero_volume_days", zero & closed_day,
                 "nothing offered on closed day(s) / holidays, as expected")):
            if mask.any():
                days = (d for d, m in zip(dates, mask, strict=True) if m)
                out.append(self.row(severity, check, int(mask.sum()), f"{text}: {_dates(days)}"))
        z = robust_z(daily, ~closed_day & ~zero)
        known_rows = [(d, zz, self.known[d]) for d, zz in zip(dates, z, strict=True)
                      if d in self.known]
        outliers = [(d, zz) for d, zz, c in zip(dates, z, closed_day | zero, strict=True)
                    if not c and abs(zz) > OUTLIER_Z and d not in self.known]
        near = [(d, zz) for d, zz in outliers if self._next_to_holiday(d)]
        far = [(d, zz) for d, zz in outliers if not self._next_to_holiday(d)]
        if far:
            out.append(self.row("warning", "outlier_days", len(far),
                                f"{_scored(far)}; if real events, list them in "
                                "[[site.special_days]] (effect 'exclude' or 'multiplier')"))
        if near:
            out.append(self.row("info", "likely_special_days", len(near),
                                f"{_scored(near)}: next to a holiday (catch-up or bridge day); "
                                "consider [[site.special_days]]"))
        if known_rows:
            shown = ", ".join(f"{d} {name}" + ("" if np.isnan(zz) else f" (z={zz:+.1f})")
                              for d, zz, name in known_rows[:_SHOW])
            more = f" and {len(known_rows) - _SHOW} more" if len(known_rows) > _SHOW else ""
            out.append(self.row("info", "known_special_days", len(known_rows),
                                f"{shown}{more}"))
        return out

    def _open_on_closed_holidays(self) -> list[dict[str, object]]:
        """Closed public holidays with an ordinary day's volume (wfm.io.holiday_check):
        handled contacts, else offered ones on a live channel (mail arrives on closed
        days too)."""
        values, what = self._col(HANDLED), "handled"
        if values is None and self.channel not in COLD_CHANNELS:
            values, what = self._col(OFFERED), "offered"
        if values is None or not self.closed_holidays:
            return []
        sums = pd.Series(np.nan_to_num(values), index=self.day.to_numpy()).groupby(level=0).sum()
        daily = dict(zip(pd.DatetimeIndex(sums.index).date, sums.to_numpy(float), strict=True))
        skip = {min(daily), max(daily)}  # partly covered edge days
        skip |= {d for d in daily if self.windows is not None and self.windows[d.weekday()] is None}
        candidates = {d: n for d, n in self.closed_holidays.items() if d not in skip}
        found = open_looking_holidays(daily, candidates, skip | self.closed | set(self.known))
        if not found:
            return []
        return [self.row("warning", "open_on_closed_holiday", len(found),
                         describe(found, what))]

    def _day_intervals(self, days: list[date]) -> np.ndarray:
        """Intervals in each local day (92 or 100 on daylight-saving days)."""
        start = pd.DatetimeIndex([pd.Timestamp(d) for d in days])
        lo = start.tz_localize(self.tz, ambiguous=np.ones(len(days), bool),
                               nonexistent="shift_forward")
        hi = (start + pd.Timedelta(days=1)).tz_localize(
            self.tz, ambiguous=np.ones(len(days), bool), nonexistent="shift_forward")
        seconds = np.asarray((hi - lo).total_seconds())
        out: np.ndarray = np.round(seconds / (60 * self.minutes)).astype(int)
        return out

    def _next_to_holiday(self, d: date) -> bool:
        one = timedelta(days=1)
        return any(x in self.closed or x in self.known for x in (d - one, d + one))

    def _closed_day(self, d: date) -> bool:
        if d in self.closed:
            return True
        return self.windows is not None and self.windows[d.weekday()] is None

    def _dst(self) -> list[dict[str, object]]:
        local = self.s["_local"]
        first, last = local.iloc[0].date(), local.iloc[-1].date()
        midnights = pd.date_range(pd.Timestamp(first), pd.Timestamp(last) + pd.Timedelta(days=1),
                                  freq="D")
        midnights = midnights.tz_localize(self.tz, ambiguous=np.ones(len(midnights), bool),
                                          nonexistent="shift_forward")
        hours = np.asarray((midnights[1:] - midnights[:-1]).total_seconds()) / 3600.0
        odd = np.flatnonzero(np.abs(hours - 24) > 1e-9)
        if len(odd) == 0:
            return []
        per_day = self.day.value_counts()
        shown = ", ".join(
            f"{midnights[i].date()} ({hours[i]:.0f} h, "
            f"{int(per_day.get(pd.Timestamp(midnights[i].date()), 0))} intervals)"
            for i in odd[:_SHOW * 2])
        return [self.row("info", "dst_days", len(odd), shown)]


def _scored(days: list[tuple[date, float]]) -> str:
    shown = ", ".join(f"{d} (z={zz:+.1f})" for d, zz in days[:_SHOW])
    return shown + (f" and {len(days) - _SHOW} more" if len(days) > _SHOW else "")


def _dates(days: Iterable[date]) -> str:
    ds = list(days)
    shown = ", ".join(str(d) for d in ds[:_SHOW])
    return shown + (f" and {len(ds) - _SHOW} more" if len(ds) > _SHOW else "")


def has_errors(findings: pd.DataFrame) -> bool:
    return bool((findings["severity"] == "error").any())
