"""Deterministic sample history of a multi-channel contact centre (see docs/sample-data.md).

:func:`generate_sample` builds, without I/O, two or more years of 15-minute history for the
four queues of the starter ``wfm.toml`` in Europe/Paris, plus the true (Poisson-mean) rates
behind it; :func:`write_sample` writes ``intervals.csv`` (the canonical INTERVALS frame)
and ``true_rates.csv`` atomically.

How a row is made (hot channels: voice, chat)
---------------------------------------------
1. True rate ``lambda_t = V_day * shape(local clock) / sum(shape over the day's open hours)``
   with ``V_day = volume * (1 + growth) ** years * weekly[weekday] * yearly(day of year)
   * holiday / catch-up / event factors * lognormal day noise``.
2. Planned staffing from the rate the planners expected (no day noise, events as planned):
   square-root staffing ``servers = a + beta sqrt(a)``, ``a = lambda_plan * AHT / 900``,
   rounded up to whole agents (chat: ``concurrency`` servers per agent), minus a random
   daily absence (binomial, up to 12 %), at least one agent while open.
3. Offered ``~ Poisson(lambda_t)``; abandonment, waits and service level from the exact
   M/M/N+M steady state (:mod:`wfm.simulation.queueing`) at the true rate and handle time:
   ``abandoned ~ Bin(offered, P(abandon))``, ``handled = offered - abandoned``, waited and
   within-threshold counts binomial, summed waits Gamma with the model's mean.
4. ``handle_s`` is the sum of one lognormal handle time per handled contact.

Email arrives around the clock (also nights, Sundays and holidays) and is worked first in,
first out, only in opening hours, with a capacity planned at 112 % of the week's expected
inflow; ``backlog`` carries the open items forward and ``answered_within_sl`` counts items
answered within 24 hours of arrival.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import holidays as holiday_calendars
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from wfm import schema
from wfm.errors import InputDataError, OutputError
from wfm.outputs import atomic_open
from wfm.simulation.queueing import mmn_plus_m
from wfm.simulation.sample_profiles import (
    ABSENCE_MAX,
    AHT_TREND_PER_YEAR,
    CATCH_UP_FACTOR,
    COUNTRY,
    DAY_NOISE_SIGMA,
    DEFAULT_EVENTS,
    DEFAULT_QUEUES,
    HOLIDAY_EMAIL_FACTOR,
    INTERVAL_S,
    OPENING_HOURS,
    OUTAGE_RETRY_H,
    OUTAGE_SPILL,
    TIMEZONE,
    QueueSpec,
    SpecialEvent,
    aht_factor,
    intraday_shape,
    open_mask,
    yearly_factor,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Columns = dict[str, NDArray[np.generic]]

DEFAULT_END = date(2026, 11, 15)
INTERVALS_FILE = "intervals.csv"
TRUE_RATES_FILE = "true_rates.csv"
TRUE_RATES_COLUMNS = (schema.INTERVAL_START, schema.QUEUE, schema.CHANNEL, "true_offered",
                      "true_aht_s")
EMAIL_CAPACITY_MARGIN = 1.12
MAX_YEARS = 20.0



#: The INTERVALS columns the sample carries: every one an ACD commonly exports except
#: ``short_abandoned`` and ``abandon_wait_s``, which many platforms lack (the sample shows
#: how wfm copes without them).
SAMPLE_COLUMNS: tuple[str, ...] = tuple(
    c for c in schema.INTERVALS.names
    if c not in (schema.SHORT_ABANDONED, schema.ABANDON_WAIT_S))

@dataclass(frozen=True)
class SampleData:
    """The generated sample.

    Attributes
    ----------
    intervals : the INTERVALS frame (``schema.INTERVALS`` columns), ``interval_start``
        tz-aware in Europe/Paris, sorted by queue then time
    true_rates : ``interval_start, queue, channel, true_offered`` (Poisson mean of offered
        [contacts/interval]) ``, true_aht_s`` (mean handle time [s])
    staffing : ``interval_start, queue, channel, agents, servers`` that produced the data
        (servers = agents x concurrency; for email the planned capacity in agents)
    """

    intervals: pd.DataFrame
    true_rates: pd.DataFrame
    staffing: pd.DataFrame


@dataclass(frozen=True)
class _Calendar:
    """The 15-minute grid in local time and per-day attributes."""

    local: pd.DatetimeIndex
    epoch_s: IntArray
    day: IntArray
    weekday: IntArray
    clock_h: FloatArray
    days: pd.DatetimeIndex
    holiday: NDArray[np.bool_]
    catch_up: NDArray[np.bool_]

    @property
    def years(self) -> FloatArray:
        """Years since the first day, per day."""
        return np.arange(len(self.days), dtype=np.float64) / 365.25

    @property
    def day_weekday(self) -> IntArray:
        return np.asarray(self.days.day_of_week, dtype=np.int64)

    @property
    def is_open(self) -> NDArray[np.bool_]:
        """Open by weekly hours and not a public holiday, per interval."""
        return open_mask(self.weekday, self.clock_h) & ~self.holiday[self.day]


def history_span(end: date, years: float) -> tuple[date, date]:
    """First and last local day: at least ``years`` in whole weeks, Monday to the Sunday on
    or before ``end``.

    Examples
    --------
    >>> history_span(date(2026, 11, 15), 2.0)
    (datetime.date(2024, 11, 11), datetime.date(2026, 11, 15))
    """
    if not 0 < years <= MAX_YEARS:
        raise InputDataError(f"sample years = {years} is out of range; accepted: more than 0 "
                             f"and at most {MAX_YEARS:g}")
    last = end - timedelta(days=(end.weekday() + 1) % 7)
    weeks = max(1, math.ceil(years * 365.25 / 7 - 1e-9))
    return last - timedelta(days=7 * weeks - 1), last


def _calendar(first: date, last: date, timezone: str) -> _Calendar:
    start = pd.Timestamp(first).tz_localize(timezone)
    stop = pd.Timestamp(last + timedelta(days=1)).tz_localize(timezone)
    utc = pd.date_range(start.tz_convert("UTC"), stop.tz_convert("UTC"),
                        freq=f"{INTERVAL_S}s", inclusive="left")
    local = utc.tz_convert(timezone)
    naive = local.tz_localize(None)
    day = (naive.to_numpy().astype("datetime64[D]") - np.datetime64(first, "D")).astype(np.int64)
    days = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="D")
    public = holiday_calendars.country_holidays(COUNTRY, years=range(first.year, last.year + 1))
    holiday = np.array([d.date() in public for d in days])
    can_open = np.array([OPENING_HOURS[w] is not None for w in days.day_of_week])
    catch_up = np.zeros(len(days), dtype=bool)
    for i in np.flatnonzero(holiday):
        later = np.flatnonzero(can_open[i + 1:] & ~holiday[i + 1:])
        if later.size:
            catch_up[i + 1 + later[0]] = True
    return _Calendar(
        local=local,
        epoch_s=np.asarray(utc.as_unit("s").asi8, dtype=np.int64),
        day=day,
        weekday=np.asarray(naive.day_of_week, dtype=np.int64),
        clock_h=np.asarray(naive.hour + naive.minute / 60.0, dtype=np.float64),
        days=days,
        holiday=holiday,
        catch_up=catch_up,
    )


def _day_volume(spec: QueueSpec, cal: _Calendar, events: tuple[SpecialEvent, ...], *,
                planned: bool) -> FloatArray:
    """Expected contacts per local day (before day noise)."""
    wd = cal.day_weekday
    volume = (spec.weekday_volume * (1.0 + spec.growth_per_year) ** cal.years
              * np.asarray(spec.weekly)[wd] * yearly_factor(cal.days.day_of_year.to_numpy()))
    volume = volume * np.where(cal.catch_up, CATCH_UP_FACTOR, 1.0)
    volume = volume * np.where(cal.holiday, HOLIDAY_EMAIL_FACTOR if spec.deferred else 0.0, 1.0)
    for event in events:
        if event.kind == "campaign":
            factor = event.planned_multiplier if planned else event.multiplier
            volume = volume * np.where(cal.days.date == event.day, factor, 1.0)
    return np.asarray(volume, dtype=np.float64)


def _shape(spec: QueueSpec, cal: _Calendar) -> FloatArray:
    """Share of the day's volume falling in each interval (sums to 1 over a normal day)."""
    mid = cal.clock_h + INTERVAL_S / 7200.0
    raw = intraday_shape(spec.channel, cal.weekday, mid)
    # Normalise over a 96-interval day of clock time, so that DST days lose (23 h) or repeat
    # (25 h) exactly the night hour and keep the shape of their open hours.
    grid = np.arange(96) / 4.0 + INTERVAL_S / 7200.0
    norm = np.ones(7)
    for wd in range(7):
        wds = np.full(96, wd, dtype=np.int64)
        weight = intraday_shape(spec.channel, wds, grid)
        if not spec.deferred:
            weight = weight * open_mask(wds, grid - INTERVAL_S / 7200.0)
        norm[wd] = weight.sum() or 1.0
    if not spec.deferred:
        raw = raw * open_mask(cal.weekday, cal.clock_h)
    return np.asarray(raw / norm[cal.weekday], dtype=np.float64)


def _outage_factors(spec: QueueSpec, cal: _Calendar,
                    events: tuple[SpecialEvent, ...]) -> tuple[FloatArray, FloatArray]:
    """Per-interval multipliers of the offered rate and of the servers during outages."""
    rate = np.ones(cal.day.size)
    servers = np.ones(cal.day.size)
    for event in events:
        if event.kind != "outage":
            continue
        on_day = cal.days.date[cal.day] == event.day
        down = on_day & (cal.clock_h >= event.start_h) & (cal.clock_h < event.end_h)
        retry = on_day & (cal.clock_h >= event.end_h) & (cal.clock_h < event.end_h
                                                         + OUTAGE_RETRY_H)
        if spec.channel == "voice":
            rate[down] *= event.multiplier
            rate[retry] *= event.multiplier ** -0.25
            servers[down] *= event.server_share
        else:
            rate[down] *= OUTAGE_SPILL.get(spec.channel, 1.0)
    return rate, servers


def _sum_lognormal(rng: np.random.Generator, counts: IntArray, mean_s: FloatArray,
                   cv: float) -> FloatArray:
    """Per interval, the sum of ``counts`` lognormal handle times with mean ``mean_s``."""
    sigma2 = math.log1p(cv * cv)
    idx = np.repeat(np.arange(counts.size), counts)
    draws = rng.lognormal(np.log(mean_s[idx]) - sigma2 / 2.0, math.sqrt(sigma2))
    return np.bincount(idx, weights=draws, minlength=counts.size).astype(np.float64)


def _split_handle(rng: np.random.Generator, spec: QueueSpec,
                  handle_s: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Split summed handle time into talk, hold and after-contact work (whole seconds)."""
    noise = rng.lognormal(0.0, 0.15, size=(2, handle_s.size))
    hold = np.rint(handle_s * np.clip(spec.hold_share * noise[0], 0, 0.3)).astype(np.int64)
    acw = np.rint(handle_s * np.clip(spec.acw_share * noise[1], 0, 0.4)).astype(np.int64)
    return handle_s - hold - acw, hold, acw


def _hot_queue(spec: QueueSpec, cal: _Calendar, rng: np.random.Generator, *, lam: FloatArray,
               lam_plan: FloatArray, aht_s: FloatArray, server_factor: FloatArray) -> Columns:
    """Counts, waits and staffing of a live (voice, chat) queue."""
    is_open = cal.is_open
    load = lam_plan * aht_s / INTERVAL_S
    agents = np.ceil((load + spec.safety * np.sqrt(load)) / spec.concurrency).astype(np.int64)
    absence = rng.uniform(0.0, ABSENCE_MAX, size=len(cal.days))[cal.day]
    agents = np.where(is_open, np.maximum(agents - rng.binomial(agents, absence), 1), 0)
    servers = np.where(is_open, np.maximum(np.rint(agents * spec.concurrency * server_factor),
                                           1), 0).astype(np.int64)
    offered = rng.poisson(lam)
    live = is_open & (lam > 0)
    m = mmn_plus_m(lam[live] / INTERVAL_S, aht_s[live], servers[live], spec.patience_s,
                   spec.sl_threshold_s)
    p_abandon = np.zeros(lam.size)
    p_waited = np.zeros(lam.size)  # P(waited | served)
    p_within_waited = np.ones(lam.size)  # P(wait <= threshold | served after waiting)
    mean_wait_waited = np.zeros(lam.size)
    p_abandon[live] = m.p_abandon
    served = np.maximum(m.p_served, 1e-300)
    p_waited[live] = np.clip(m.p_served_waited / served, 0, 1)
    waited_mass = np.maximum(m.p_served_waited, 1e-300)
    p_within_waited[live] = np.clip((m.p_served_within - (1 - m.p_wait)) / waited_mass, 0, 1)
    mean_wait_waited[live] = m.mean_wait_served_s * served / waited_mass
    abandoned = rng.binomial(offered, p_abandon)
    handled = offered - abandoned
    waited = rng.binomial(handled, p_waited)
    within = handled - waited + rng.binomial(waited, p_within_waited)
    answer_wait_s = np.rint(rng.gamma(waited.astype(np.float64), mean_wait_waited))
    handle_s = np.rint(_sum_lognormal(rng, handled, aht_s, spec.aht_cv)).astype(np.int64)
    return {
        schema.OFFERED: offered, schema.HANDLED: handled, schema.ABANDONED: abandoned,
        schema.ANSWERED_WITHIN_SL: within, schema.HANDLE_S: handle_s,
        schema.ANSWER_WAIT_S: answer_wait_s.astype(np.int64),
        schema.BACKLOG: np.zeros(lam.size, dtype=np.int64), "agents": agents,
        "servers": servers,
    }


def _email_queue(spec: QueueSpec, cal: _Calendar, rng: np.random.Generator, *,
                 lam: FloatArray, day_plan: FloatArray, aht_s: FloatArray) -> Columns:
    """Email: arrivals round the clock, FIFO work in opening hours, backlog carried forward."""
    is_open = cal.is_open
    week = cal.day // 7
    open_per_week = np.bincount(week, weights=is_open)
    planned_per_week = np.bincount(np.arange(len(cal.days)) // 7, weights=day_plan)
    rate = EMAIL_CAPACITY_MARGIN * planned_per_week[week] / np.maximum(open_per_week[week], 1)
    capacity = np.where(is_open, rng.poisson(rate), 0)
    offered = rng.poisson(lam)
    handled = np.empty_like(offered)
    backlog = np.empty_like(offered)
    left = 0
    for t, (arriving, cap) in enumerate(zip(offered.tolist(), capacity.tolist(), strict=True)):
        done = min(left + arriving, cap)
        left += arriving - done
        handled[t] = done
        backlog[t] = left
    # First in, first out: item k (0-based) arrived in the interval where the cumulative
    # arrivals first exceed k; arrival and handling instants are uniform within intervals.
    items_done = int(handled.sum())
    arrived_in = np.searchsorted(np.cumsum(offered), np.arange(items_done), side="right")
    done_in = np.repeat(np.arange(handled.size), handled)
    jitter = rng.uniform(size=(2, items_done)) * INTERVAL_S
    wait_s = np.maximum(cal.epoch_s[done_in] - cal.epoch_s[arrived_in] + jitter[1] - jitter[0],
                        0.0)
    within = np.bincount(done_in, weights=wait_s <= spec.sl_threshold_s, minlength=handled.size)
    answer_wait_s = np.bincount(done_in, weights=wait_s, minlength=handled.size)
    handle_s = np.rint(_sum_lognormal(rng, handled, aht_s, spec.aht_cv)).astype(np.int64)
    agents = np.where(is_open, rate * aht_s / INTERVAL_S, 0.0)
    return {
        schema.OFFERED: offered, schema.HANDLED: handled,
        schema.ABANDONED: np.zeros(handled.size, dtype=np.int64),
        schema.ANSWERED_WITHIN_SL: within.astype(np.int64), schema.HANDLE_S: handle_s,
        schema.ANSWER_WAIT_S: np.rint(answer_wait_s).astype(np.int64),
        schema.BACKLOG: backlog, "agents": np.round(agents, 2), "servers": agents,
    }


def generate_sample(*, seed: int = 7, years: float = 2.0, end: date = DEFAULT_END,
                    queues: tuple[QueueSpec, ...] = DEFAULT_QUEUES,
                    events: tuple[SpecialEvent, ...] = DEFAULT_EVENTS,
                    timezone: str = TIMEZONE) -> SampleData:
    """Generate the sample history and its true rates (no I/O).

    Parameters
    ----------
    seed : random seed; equal seeds and arguments give identical frames
    years : length of the history [years], rounded to whole weeks
    end : last local day covered; the history ends on the Sunday on or before it
    queues, events : the centre's queues and dated events (default: the starter wfm.toml)
    timezone : IANA time zone of the site

    Returns
    -------
    SampleData
        ``intervals``, ``true_rates`` and ``staffing`` frames.
    """
    first, last = history_span(end, years)
    cal = _calendar(first, last, timezone)
    mid = cal.clock_h + INTERVAL_S / 7200.0
    interval_frames, rate_frames, staff_frames = [], [], []
    for index, spec in enumerate(queues):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
        noise = rng.lognormal(-DAY_NOISE_SIGMA**2 / 2, DAY_NOISE_SIGMA, size=len(cal.days))
        shape = _shape(spec, cal)
        day_plan = _day_volume(spec, cal, events, planned=True)
        rate_factor, server_factor = _outage_factors(spec, cal, events)
        lam_plan = day_plan[cal.day] * shape
        lam = (_day_volume(spec, cal, events, planned=False) * noise)[cal.day] * shape
        lam = lam * rate_factor
        aht_s = (spec.aht_s * aht_factor(spec.channel, cal.weekday, mid)
                 * (1.0 + AHT_TREND_PER_YEAR) ** cal.years[cal.day])
        if spec.deferred:
            cols = _email_queue(spec, cal, rng, lam=lam, day_plan=day_plan, aht_s=aht_s)
        else:
            cols = _hot_queue(spec, cal, rng, lam=lam, lam_plan=lam_plan, aht_s=aht_s,
                              server_factor=server_factor)
        talk, hold, acw = _split_handle(rng, spec, np.asarray(cols[schema.HANDLE_S]))
        key = {schema.INTERVAL_START: cal.local, schema.QUEUE: spec.name,
               schema.CHANNEL: spec.channel}
        interval_frames.append(pd.DataFrame({
            **key, **{c: cols[c] for c in (schema.OFFERED, schema.HANDLED, schema.ABANDONED,
                                            schema.ANSWERED_WITHIN_SL)},
            schema.SL_THRESHOLD_S: np.int64(spec.sl_threshold_s),
            schema.HANDLE_S: cols[schema.HANDLE_S], schema.TALK_S: talk, schema.HOLD_S: hold,
            schema.ACW_S: acw, schema.ANSWER_WAIT_S: cols[schema.ANSWER_WAIT_S],
            schema.BACKLOG: cols[schema.BACKLOG],
        }))
        rate_frames.append(pd.DataFrame({**key, "true_offered": lam, "true_aht_s": aht_s}))
        staff_frames.append(pd.DataFrame({**key, "agents": cols["agents"],
                                          "servers": cols["servers"]}))
    intervals = pd.concat(interval_frames, ignore_index=True)
    return SampleData(intervals=intervals[list(SAMPLE_COLUMNS)],
                      true_rates=pd.concat(rate_frames, ignore_index=True),
                      staffing=pd.concat(staff_frames, ignore_index=True))


def iso_with_offset(stamps: pd.Series) -> pd.Series:
    """Format tz-aware timestamps as ISO 8601 with a ``+01:00`` style offset (vectorised).

    Examples
    --------
    >>> iso_with_offset(pd.Series(pd.to_datetime(["2025-10-26 00:30Z", "2025-10-26 01:30Z"])
    ...                 .tz_convert("Europe/Paris"))).tolist()
    ['2025-10-26T02:30:00+02:00', '2025-10-26T02:30:00+01:00']
    """
    index = pd.DatetimeIndex(stamps)
    local = index.tz_localize(None).to_numpy().astype("datetime64[s]")
    utc = index.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[s]")
    offset_min = (local - utc).astype(np.int64) // 60
    codes, uniques = pd.factorize(offset_min)
    labels = np.array([f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}"
                       for m in uniques.tolist()], dtype=object)
    text = pd.Series(np.datetime_as_string(local, unit="s"), index=stamps.index, dtype=object)
    out: pd.Series = text + labels[codes]
    return out


def write_sample(directory: Path, *, seed: int = 7, force: bool = False, years: float = 2.0,
                 end: date = DEFAULT_END) -> list[Path]:
    """Write ``intervals.csv`` and ``true_rates.csv`` of :func:`generate_sample` to ``directory``.

    Files are written atomically; existing files are kept unless ``force`` is given.

    Returns
    -------
    list[Path]
        The files written.

    Raises
    ------
    OutputError
        A target file exists and ``force`` is false, or the folder cannot be created.
    """
    targets = [directory / INTERVALS_FILE, directory / TRUE_RATES_FILE]
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise OutputError(f"{existing[0]} already exists; not overwritten",
                          hint="pass --force to replace the sample data")
    sample = generate_sample(seed=seed, years=years, end=end)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{directory}: cannot create folder ({exc.strerror})") from None
    intervals = sample.intervals.assign(
        **{schema.INTERVAL_START: iso_with_offset(sample.intervals[schema.INTERVAL_START])})
    rates = sample.true_rates.assign(
        **{schema.INTERVAL_START: iso_with_offset(sample.true_rates[schema.INTERVAL_START]),
           "true_offered": sample.true_rates["true_offered"].round(4),
           "true_aht_s": sample.true_rates["true_aht_s"].round(2)})
    # Both files are complete before either is renamed into place.
    with atomic_open(targets[0], "w", newline="") as fh_intervals, \
            atomic_open(targets[1], "w", newline="") as fh_rates:
        intervals.to_csv(fh_intervals, index=False, lineterminator="\n")
        rates[list(TRUE_RATES_COLUMNS)].to_csv(fh_rates, index=False, lineterminator="\n")
    return targets
