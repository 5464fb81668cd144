"""Planner adjustments of a forecast: a campaign uplift, a day's volume, a handle-time change.

An :class:`Adjustment` changes the forecast of one queue over a range of local days,
optionally inside a local time band, by a :class:`Change` of the volume and/or the
average handle time: a factor (``+15%``, ``x1.2``) or an absolute value (a volume in
contacts per day of the window, or an AHT in seconds). :func:`apply_adjustments` returns
the adjusted frame with the model's values kept beside it (``offered_raw``,
``aht_s_raw``) and which adjustments touched each row.

Two adjustments of one quantity of one queue whose windows overlap may both be factors
(they multiply, in any order); an absolute value beside any other change of the same
quantity is a contradiction (which one wins would depend on the order), so
:func:`find_conflict` reports it. Pure functions of frames and dataclasses: no files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from wfm.schema import ADJUSTMENTS_APPLIED, AHT_S, AHT_S_RAW, OFFERED, OFFERED_RAW, QUEUE

FACTOR = "factor"
ABSOLUTE = "absolute"
#: What a volume change accepts (the message of every parse error).
VOLUME_ACCEPTED = ("a change such as +15%, -10% or x1.2, or an absolute volume in contacts "
                   "per day of the window such as 1200")
AHT_ACCEPTED = ("a change such as +10%, -5% or x1.1, or an absolute handle time in seconds "
                "such as 420")
_PERCENT = re.compile(r"^([+-])\s*(\d+(?:\.\d*)?|\.\d+)\s*%$")
_FACTOR = re.compile(r"^[x×*]\s*(\d+(?:\.\d*)?|\.\d+)$")
_BAND = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
#: Column separator of the ids in the ``adjustments`` column of forecast.csv.
ID_SEPARATOR = " "


@dataclass(frozen=True)
class Change:
    """A change of one forecast quantity: ``factor`` multiplies it, ``absolute`` replaces
    it (a volume: contacts per day of the window; an AHT: seconds). ``text`` is the
    normalised form written to the adjustments file (``+15%``, ``x1.2``, ``1200``)."""

    kind: str
    value: float
    text: str

    @property
    def is_absolute(self) -> bool:
        return self.kind == ABSOLUTE


def parse_change(raw: object, *, aht: bool = False) -> Change:
    """``+15%`` / ``-10%`` / ``x1.2`` (also ``×1.2``, ``*1.2``) or a number (absolute).

    Raises ``ValueError`` for anything else, a factor that would make the quantity
    negative, or an absolute AHT that is not positive.

    >>> parse_change("+15%")
    Change(kind='factor', value=1.15, text='+15%')
    >>> parse_change("x1.2").value, parse_change(1200).kind
    (1.2, 'absolute')
    """
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int | float):
        value = float(raw)
        if not np.isfinite(value) or value < 0 or (aht and value == 0):
            raise ValueError(raw)
        return Change(ABSOLUTE, value, f"{value:g}")
    if not isinstance(raw, str):
        raise ValueError(raw)
    text = raw.strip().replace(",", ".")
    m = _PERCENT.match(text)
    if m:
        pct = float(m.group(2)) * (1 if m.group(1) == "+" else -1)
        factor = 1.0 + pct / 100.0
        if factor < 0 or (aht and factor == 0):
            raise ValueError(raw)
        return Change(FACTOR, round(factor, 12), f"{m.group(1)}{float(m.group(2)):g}%")
    m = _FACTOR.match(text)
    if m:
        factor = float(m.group(1))
        if aht and factor == 0:
            raise ValueError(raw)
        return Change(FACTOR, factor, f"x{factor:g}")
    if text[:1] in "+-":  # "+15": 15 contacts more, or 15 %? Neither is guessed.
        raise ValueError(raw)
    try:
        number = float(text)
    except ValueError:
        raise ValueError(raw) from None
    return parse_change(number, aht=aht)


def parse_band(raw: object, *, interval_minutes: int) -> tuple[int, int]:
    """``"09:00-12:00"`` -> local minutes ``(540, 720)``; ``24:00`` ends the day.

    Both ends must lie on the interval grid (an interval is either inside or not) and
    the start must come before the end; ``ValueError`` otherwise.
    """
    m = _BAND.match(raw.strip()) if isinstance(raw, str) else None
    if m is None:
        raise ValueError(raw)
    h0, m0, h1, m1 = (int(g) for g in m.groups())
    lo, hi = h0 * 60 + m0, h1 * 60 + m1
    if m0 >= 60 or m1 >= 60 or not 0 <= lo < hi <= 24 * 60:
        raise ValueError(raw)
    if lo % interval_minutes or hi % interval_minutes:
        raise ValueError(raw)
    return lo, hi


def band_text(band: tuple[int, int] | None) -> str:
    """``(540, 720)`` -> ``"09:00-12:00"``; ``None`` -> ``""`` (the whole day)."""
    if band is None:
        return ""
    return "-".join(f"{m // 60:02d}:{m % 60:02d}" for m in band)


@dataclass(frozen=True)
class Adjustment:
    """One planner adjustment: ``queue`` from local day ``start`` to ``end`` (inclusive),
    inside the local ``band`` of minutes ``[from, to)`` (``None``: the whole day),
    changing the ``volume`` and/or the ``aht`` (at least one), with the planner's
    ``reason`` and when it was ``created`` (ISO 8601 text)."""

    id: str
    queue: str
    start: date
    end: date
    band: tuple[int, int] | None
    volume: Change | None
    aht: Change | None
    reason: str
    created: str = ""

    def describe(self) -> str:
        """``voice_fr 2026-12-14..2026-12-18 09:00-12:00 volume +15%``."""
        days = (str(self.start) if self.start == self.end
                else f"{self.start}..{self.end}")
        parts = [self.queue, days, band_text(self.band),
                 f"volume {self.volume.text}" if self.volume else "",
                 f"aht_s {self.aht.text}" if self.aht else ""]
        return " ".join(p for p in parts if p)


def overlaps(a: Adjustment, b: Adjustment) -> bool:
    """Do the windows (queue, days, band) of ``a`` and ``b`` share any interval?"""
    if a.queue != b.queue or a.end < b.start or b.end < a.start:
        return False
    if a.band is None or b.band is None:
        return True
    return a.band[0] < b.band[1] and b.band[0] < a.band[1]


def find_conflict(adjustments: Sequence[Adjustment]) -> tuple[Adjustment, Adjustment, str] | None:
    """The first pair whose windows overlap and change one quantity with an absolute value
    on either side (factors of one quantity multiply, so they never conflict), with that
    quantity's name; ``None`` when there is none."""
    for i, a in enumerate(adjustments):
        for b in adjustments[:i]:
            if not overlaps(a, b):
                continue
            for name, ca, cb in (("volume", a.volume, b.volume), ("aht_s", a.aht, b.aht)):
                if ca is not None and cb is not None and (ca.is_absolute or cb.is_absolute):
                    return b, a, name
    return None


@dataclass(frozen=True)
class AppliedAdjustment:
    """What one adjustment did to this forecast: the intervals and days it touched and the
    contacts of its window before (``offered_raw``) and after every adjustment
    (``offered``); ``skipped_days``: days an absolute volume could not be spread over
    (the forecast is 0 there: closed)."""

    id: str
    intervals: int
    days: int
    offered_raw: float
    offered: float
    skipped_days: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "intervals": self.intervals, "days": self.days,
                "offered_raw": round(self.offered_raw, 4), "offered": round(self.offered, 4),
                "skipped_days": list(self.skipped_days)}


@dataclass(frozen=True)
class AdjustedForecast:
    """The adjusted forecast (the input's columns with ``offered``, ``aht_s`` and the
    interval bounds adjusted, plus ``offered_raw``, ``aht_s_raw`` and ``adjustments``,
    the ids applied to the row), what each adjustment did, and the ids that touched no
    interval of this forecast."""

    frame: pd.DataFrame
    applied: tuple[AppliedAdjustment, ...]
    unused: tuple[str, ...]


_BOUNDS = ("offered_lo_80", "offered_hi_80", "offered_lo_95", "offered_hi_95")


def apply_adjustments(forecast: pd.DataFrame, adjustments: Sequence[Adjustment], *,
                      timezone: ZoneInfo) -> AdjustedForecast:
    """Apply ``adjustments`` to a forecast frame (schema.FORECAST, tz-aware
    ``interval_start``).

    A volume factor multiplies ``offered`` and its interval bounds; an absolute volume
    ``N`` scales each day of the window so that its intervals sum to ``N`` contacts,
    keeping the forecast's shape (and the bounds' relative width). An AHT factor
    multiplies ``aht_s``; an absolute AHT replaces it. Factors of overlapping adjustments
    multiply. ``offered_raw`` / ``aht_s_raw`` keep the model's values: where a forecast
    already carries them (a forecast adjusted before), they are the base again, so
    adjusting twice never compounds.

    Parameters
    ----------
    forecast : the model's forecast per queue, channel and interval
    adjustments : free of conflicts (:func:`find_conflict`)
    timezone : the site's zone: days and bands are local
    """
    out = forecast.copy()
    raw_offered = (out[OFFERED_RAW] if OFFERED_RAW in out else out[OFFERED]).to_numpy(float)
    raw_aht = (out[AHT_S_RAW] if AHT_S_RAW in out else out[AHT_S]).to_numpy(float)
    n = len(out)
    local = pd.DatetimeIndex(out["interval_start"]).tz_convert(timezone)
    days = local.tz_localize(None).normalize().to_numpy(dtype="datetime64[D]")
    clock = (local.hour * 60 + local.minute).to_numpy()
    queues = out[QUEUE].astype(str).to_numpy()
    volume = np.ones(n)
    aht_factor = np.ones(n)
    aht_value = np.full(n, np.nan)
    ids: list[list[str]] = [[] for _ in range(n)]
    windows: list[tuple[Adjustment, np.ndarray]] = []
    skipped: dict[str, tuple[str, ...]] = {}
    unused: list[str] = []
    for adj in adjustments:
        mask = ((queues == adj.queue) & (days >= np.datetime64(adj.start, "D"))
                & (days <= np.datetime64(adj.end, "D")))
        if adj.band is not None:
            mask &= (clock >= adj.band[0]) & (clock < adj.band[1])
        if not mask.any():
            unused.append(adj.id)
            continue
        windows.append((adj, mask))
        for i in np.flatnonzero(mask):
            ids[i].append(adj.id)
        if adj.volume is not None:
            if adj.volume.is_absolute:
                skipped[adj.id] = _set_daily_volume(volume, mask, days, raw_offered,
                                                    adj.volume.value)
            else:
                volume[mask] *= adj.volume.value
        if adj.aht is not None:
            if adj.aht.is_absolute:
                aht_value[mask] = adj.aht.value
            else:
                aht_factor[mask] *= adj.aht.value
    out[OFFERED] = raw_offered * volume
    for col in _BOUNDS:
        if col in out:
            base = out[col].to_numpy(float)
            if OFFERED_RAW in forecast:  # bounds were scaled with the earlier adjustment
                prior = forecast[OFFERED].to_numpy(float)
                base = np.divide(base * raw_offered, prior, out=base.copy(), where=prior > 0)
            out[col] = base * volume
    out[AHT_S] = np.where(np.isnan(aht_value), raw_aht * aht_factor, aht_value)
    out[OFFERED_RAW] = raw_offered
    out[AHT_S_RAW] = raw_aht
    out[ADJUSTMENTS_APPLIED] = [ID_SEPARATOR.join(i) for i in ids]
    adjusted = out[OFFERED].to_numpy(float)
    applied = tuple(
        AppliedAdjustment(adj.id, int(mask.sum()), len(np.unique(days[mask])),
                          float(raw_offered[mask].sum()), float(adjusted[mask].sum()),
                          skipped.get(adj.id, ()))
        for adj, mask in windows)
    return AdjustedForecast(out, applied, tuple(unused))


def _set_daily_volume(volume: np.ndarray, mask: np.ndarray, days: np.ndarray,
                      raw: np.ndarray, per_day: float) -> tuple[str, ...]:
    """Scale each day of the window to ``per_day`` contacts; the days whose window holds
    no forecast volume (closed) are left alone and returned."""
    skipped: list[str] = []
    for day in np.unique(days[mask]):
        sel = mask & (days == day)
        total = float(raw[sel].sum())
        if total <= 0:
            skipped.append(str(day))
            continue
        volume[sel] = per_day / total
    return tuple(skipped)
