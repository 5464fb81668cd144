"""What an interval absent from an export means: no activity (``zero``) or a gap (``missing``).

Many ACDs leave idle intervals out of their exports. Read as gaps, they make a sparse queue
(email at night, a small queue on Sundays) look busier than it is: the forecast scales each
day up by its missing share, or interpolates it. So each queue and channel gets a meaning
for its absent intervals, decided in this order:

1. ``[data] absent_intervals`` for that queue (a table ``{ queue = meaning }``);
2. the mapping's ``absent_intervals`` for that queue, then for all its queues;
3. ``[data] absent_intervals`` for all queues (a string);
4. ``auto``: a series whose export lists no interval without activity but leaves intervals
   out between its rows is taken from an ACD that leaves idle intervals out, so its absent
   intervals are zero; a series that lists idle intervals (with zeros) shows that the ACD
   writes them, so an absent one is a gap; a series with neither (a short busy extract)
   has nothing absent between its rows and nothing is added.

Zero intervals are written to the store as rows of zeros (every count and duration the file
carries; ``backlog`` and ``sl_threshold_s`` stay unknown), over the whole local days the
file covers for that series, so every later reader (forecast, reports, ``wfm check``) sees
the same history. The data-health report says which meaning was taken and why.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wfm.errors import ConfigError
from wfm.schema import (
    BACKLOG,
    CHANNEL,
    INTERVAL_START,
    INTERVALS,
    OFFERED,
    QUEUE,
    SL_THRESHOLD_S,
)

AUTO, ZERO, MISSING = "auto", "zero", "missing"
ABSENT_MEANINGS: tuple[str, ...] = (AUTO, ZERO, MISSING)
_ACTIVITY = tuple(c.name for c in INTERVALS.columns if c.kind == "count" and c.name != BACKLOG)
_UNKNOWN_IN_FILL = (BACKLOG, SL_THRESHOLD_S)


@dataclass(frozen=True)
class AbsentIntervals:
    """One level's setting: a meaning for every queue and/or per queue.

    Attributes
    ----------
    default
        ``auto``, ``zero`` or ``missing`` for every queue; ``None`` when not set here.
    queues
        Queue -> meaning, overriding ``default``.
    where
        Where it was set, for the report (``[data] absent_intervals``, ``mapping 'x'``).
    """

    default: str | None = None
    queues: Mapping[str, str] = field(default_factory=dict)
    where: str = "[data] absent_intervals"


@dataclass(frozen=True)
class AbsentDecision:
    """The meaning taken for one series and the reason, in words."""

    meaning: str  # "zero" or "missing"
    reason: str


def parse_absent(raw: Any, where: str) -> AbsentIntervals:
    """A setting from TOML: ``"zero"`` (every queue) or ``{ email_fr = "zero", "*" = "auto" }``
    (per queue; ``"*"`` is every other queue). Raises :class:`ConfigError` naming ``where``."""
    accepted = f"one of {', '.join(ABSENT_MEANINGS)}, or a table {{ queue = meaning }}"
    if isinstance(raw, str):
        if raw not in ABSENT_MEANINGS:
            raise ConfigError(f"{where} = {raw!r} is not valid; accepted: {accepted}")
        return AbsentIntervals(raw, {}, where)
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} = {raw!r} is not valid; accepted: {accepted}")
    queues: dict[str, str] = {}
    for k, v in raw.items():
        if v not in ABSENT_MEANINGS:
            raise ConfigError(f"{where} {k} = {v!r} is not valid; accepted: "
                              f"{', '.join(ABSENT_MEANINGS)}")
        queues[str(k)] = str(v)
    return AbsentIntervals(queues.pop("*", None), queues, where)


def check_absent_queues(setting: AbsentIntervals | None, known: Collection[str]) -> None:
    """Refuse a per-queue entry naming no configured queue (a typo would be ignored)."""
    if setting is None:
        return
    for q in setting.queues:
        if q not in known:
            close = difflib.get_close_matches(q, list(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"{setting.where}: queue {q!r} is not in [[queues]]{hint} "
                              f"Known: {', '.join(sorted(known))}")


def decide(series: pd.DataFrame, queue: str, data: AbsentIntervals,
           mapping: AbsentIntervals | None, *, interior: int) -> AbsentDecision:
    """The meaning of absent intervals for one series (its rows of this ingest), of which
    ``interior`` lie between two of its rows in one file."""
    chain: list[tuple[str | None, str]] = [(data.queues.get(queue), f"{data.where} {queue}")]
    if mapping is not None:
        chain += [(mapping.queues.get(queue), f"{mapping.where} {queue}"),
                  (mapping.default, mapping.where)]
    chain.append((data.default, data.where))
    for meaning, where in chain:
        if meaning in (ZERO, MISSING):
            return AbsentDecision(meaning, f"set by {where}")
        if meaning == AUTO:
            break
    idle = _idle_rows(series)
    if idle == 0 and interior:
        return AbsentDecision(ZERO, "the export lists no interval without activity but leaves "
                                    f"{interior} out between its rows, so its ACD leaves idle "
                                    "intervals out")
    if idle == 0:
        return AbsentDecision(MISSING, "the export leaves no interval out between its rows "
                                       "(a short extract?)")
    return AbsentDecision(MISSING, f"the export lists {idle} interval(s) without activity, so "
                                   "its ACD writes idle intervals and an absent one is a gap")


def _idle_rows(series: pd.DataFrame) -> int:
    idle = np.ones(len(series), bool)
    for c in _ACTIVITY:
        if c in series.columns:
            v = pd.to_numeric(series[c]).to_numpy(dtype=np.float64, na_value=np.nan)
            idle &= (v == 0) | (np.isnan(v) & (c != OFFERED))
    return int(idle.sum())


def absent_slots(series: pd.DataFrame, *, tz: str, interval_minutes: int,
                 file_col: str) -> pd.DataFrame:
    """The grid intervals absent from each file's rows of one series, over the whole local
    days that file covers for it: columns ``interval_start`` (UTC), ``file_col`` and
    ``interior`` (between the file's first and last row of the series)."""
    parts = []
    step = pd.Timedelta(minutes=interval_minutes)
    for index, rows in series.groupby(file_col, sort=True):
        ts = pd.DatetimeIndex(rows[INTERVAL_START]).tz_convert("UTC")
        days = ts.tz_convert(tz).tz_localize(None).normalize()
        start = _midnight(days.min(), tz)
        end = _midnight(days.max() + pd.Timedelta(days=1), tz)
        grid = pd.date_range(start, end, freq=step, inclusive="left")
        absent = grid.difference(ts)
        if len(absent):
            parts.append(pd.DataFrame({INTERVAL_START: absent, file_col: index,
                                       "interior": (absent > ts.min()) & (absent < ts.max())}))
    if not parts:
        return pd.DataFrame({INTERVAL_START: pd.DatetimeIndex([], tz="UTC"),
                             file_col: pd.Series(dtype="int64"),
                             "interior": pd.Series(dtype=bool)})
    return pd.concat(parts, ignore_index=True)


def zero_rows(series: pd.DataFrame, slots: pd.DataFrame, *, file_col: str,
              line_col: str) -> pd.DataFrame:
    """Rows of zeros for ``slots`` of one series: every count and duration the slot's file
    carries for the series is 0; ``backlog`` and ``sl_threshold_s`` stay unknown."""
    queue, channel = series[QUEUE].iloc[0], series[CHANNEL].iloc[0]
    out = slots.drop(columns="interior").assign(**{QUEUE: queue, CHANNEL: channel,
                                                    line_col: 0})
    values = [c.name for c in INTERVALS.columns if c.kind in ("count", "seconds")
              and c.name in series.columns]
    carried = series[values].notna().groupby(series[file_col]).any()
    for c in values:
        has = out[file_col].map(carried[c]).fillna(False).to_numpy(dtype=bool)
        zero = has & (c not in _UNKNOWN_IN_FILL)
        filled = pd.Series(np.where(zero, 0.0, np.nan), index=out.index)
        out[c] = filled.astype(series[c].dtype) if c != OFFERED else filled.fillna(0).astype(
            series[c].dtype)
    return out[[c for c in series.columns if c in out.columns]]


def fill_absent(staged: pd.DataFrame, queue: str, data: AbsentIntervals,
                mapping: AbsentIntervals | None, *, tz: str, interval_minutes: int,
                file_col: str, line_col: str) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Decide per channel what the intervals absent from each file of one queue mean; add
    zero rows where they mean zero.

    Returns the rows (``staged`` plus any zero rows) and one info finding per series with
    absent intervals, saying which meaning was taken and why.
    """
    parts = [staged]
    notes: list[dict[str, object]] = []
    for channel, series in staged.groupby(CHANNEL, sort=True):
        slots = absent_slots(series, tz=tz, interval_minutes=interval_minutes,
                             file_col=file_col)
        interior = int(slots["interior"].sum())
        if slots.empty:
            continue
        decision = decide(series, queue, data, mapping, interior=interior)
        if decision.meaning == MISSING and not interior:
            continue  # nothing absent between rows: nothing to fill or to say
        if decision.meaning == ZERO:
            count = len(slots)
            what = (f"{count} interval(s) absent from the export over the local days it "
                    "covers read as zero (no activity)")
            fix = f'if they are gaps, set absent_intervals = {{ {queue} = "missing" }}'
        else:
            count = interior
            what = (f"{count} interval(s) absent between the export's rows read as missing "
                    "(gaps; the forecast fills them in)")
            fix = f'if they had no activity, set absent_intervals = {{ {queue} = "zero" }}'
        notes.append({"queue": queue, "channel": str(channel), "severity": "info",
                      "check": "absent_intervals", "count": count,
                      "detail": f"{what}: {decision.reason}; {fix} in [data]"})
        if decision.meaning == ZERO:
            parts.append(zero_rows(series, slots, file_col=file_col, line_col=line_col))
    out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else staged
    return out, notes


def _midnight(day: pd.Timestamp, tz: str) -> pd.Timestamp:
    local = pd.Timestamp(day).tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    return local.tz_convert("UTC")
