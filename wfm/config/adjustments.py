"""The project's forecast adjustments file (``[forecasting] adjustments_file``, by default
``adjustments.toml`` beside wfm.toml): read, validated against wfm.toml, written atomically.

The file is TOML a planner can read, review in version control and edit by hand::

    format = 1          # the file format (this wfm reads 1)
    revision = 7        # +1 at every change made with `wfm forecast adjust`

    [[adjustments]]
    id = "a7"
    queue = "voice_fr"
    start = 2026-12-14  # first local day
    end = 2026-12-18    # last local day (inclusive)
    band = "09:00-12:00"  # optional: local time band (the whole day without it)
    volume = "+15%"     # "+15%", "-10%", "x1.2", or contacts per day of the window: 1200
    aht_s = 420         # the same forms for the handle time; a number is seconds
    reason = "Winter mailing"
    created = "2026-12-06T10:12:00+01:00"

Every error names the file, the entry (``[adjustments.2]``) or the command-line option,
the key, the bad value and what is accepted.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import tomli_w

from wfm.config._reader import TableReader, parse_date
from wfm.config.model import Config
from wfm.config.site import WEEKDAYS
from wfm.errors import ConfigError
from wfm.forecasting.adjustments import (
    AHT_ACCEPTED,
    VOLUME_ACCEPTED,
    Adjustment,
    Change,
    band_text,
    find_conflict,
    parse_band,
    parse_change,
)
from wfm.outputs import sha256_file, write_output
from wfm.schema import COLD_CHANNELS

FORMAT = 1
HEADER = """\
# Forecast adjustments of this project, applied by every forecast (wfm forecast, wfm run).
# Change them with `wfm forecast adjust` (it keeps `revision` counting) or by hand;
# docs/forecasting.md describes every key. Days and bands are local time.
"""
#: Command-line option of each key (the errors of `wfm forecast adjust` name the option).
OPTIONS = {"queue": "--queue", "start": "--from", "end": "--to", "band": "--band",
           "volume": "--volume", "aht_s": "--aht", "reason": "--reason"}
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

#: ``fail(key, value, accepted)``: the error naming where ``key`` was given.
Fail = Callable[[str, Any, str], ConfigError]


@dataclass(frozen=True)
class AdjustmentsFile:
    """The adjustments file as read: its ``revision`` (0 when the file does not exist)
    and SHA-256 (``None`` then), and the validated adjustments in file order."""

    path: Path
    revision: int
    adjustments: tuple[Adjustment, ...]
    sha256: str | None = None

    def get(self, adjustment_id: str) -> Adjustment | None:
        return next((a for a in self.adjustments if a.id == adjustment_id), None)


def adjustments_path(config: Config) -> Path:
    """Where the adjustments file of this project is (relative to wfm.toml's folder)."""
    path = Path(config.forecasting.adjustments_file).expanduser()
    return path if path.is_absolute() else config.base_dir / path


def read_adjustments(config: Config, path: Path | None = None) -> AdjustmentsFile:
    """Read and validate the adjustments file; a missing file is an empty one."""
    path = path or adjustments_path(config)
    source = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return AdjustmentsFile(path, 0, ())
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read the adjustments file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from None
    root = TableReader(raw, "", source)
    fmt = root.number("format", FORMAT, integer=True)
    if fmt != FORMAT:
        raise root.fail("format", fmt, f"{FORMAT} (the format this version of wfm reads)")
    revision = root.number("revision", 0, low=0, integer=True)
    out: list[Adjustment] = []
    for t in root.tables("adjustments"):
        adj = _read_entry(t, config)
        if any(a.id == adj.id for a in out):
            raise t.fail("id", adj.id, "an id no other adjustment of the file has")
        out.append(adj)
    root.finish()
    check_conflicts(out, source)
    return AdjustmentsFile(path, revision, tuple(out), sha256_file(path))


def _read_entry(t: TableReader, config: Config) -> Adjustment:
    adj_id = t.str("id")
    # Taken as given here and checked by make_adjustment, which the command line shares.
    raw = {key: t.value(key, None, convert=_as_given, accepted="")
           for key in ("queue", "start", "end", "band", "volume", "aht_s", "reason")}
    created = t.value("created", "", convert=_as_given, accepted="")
    t.finish()
    for key in ("queue", "start", "reason"):
        if t.raw.get(key) is None:
            raise ConfigError(f"{t.source}: [{t.where}] is missing the required key {key!r}")
    if not isinstance(created, str):
        raise t.fail("created", created, "an ISO 8601 timestamp as text")
    return make_adjustment(config, t.fail, adjustment_id=adj_id, queue=raw["queue"],
                           start=raw["start"], end=raw["end"], band=raw["band"],
                           volume=raw["volume"], aht=raw["aht_s"], reason=raw["reason"],
                           created=created)


def _as_given(value: Any) -> Any:
    return value


def option_fail(key: str, value: Any, accepted: str) -> ConfigError:
    """The error of a bad `wfm forecast adjust` option (named as typed)."""
    return ConfigError(f"{OPTIONS.get(key, key)} {value!r} is not valid; accepted: {accepted}")


def make_adjustment(config: Config, fail: Fail, *, adjustment_id: str, queue: object,
                    start: object, end: object, band: object, volume: object, aht: object,
                    reason: object, created: str = "") -> Adjustment:
    """An adjustment from raw values, each checked against wfm.toml: the queue exists,
    the days parse and run forward, the band lies on the interval grid and inside the
    queue's opening hours on every open day, there is a volume or AHT change, and a
    reason. ``fail(key, value, accepted)`` builds the error naming where ``key`` came
    from (the file's entry or the command-line option)."""
    names = [q.name for q in config.queues]
    if not isinstance(queue, str) or queue not in names:
        raise fail("queue", queue, f"a queue of [[queues]] in {config.path}: "
                                   f"{', '.join(names) or '(none)'}")
    first = _date(fail, "start", start)
    last = first if end is None else _date(fail, "end", end)
    if last < first:
        raise fail("end", str(end), f"a date on or after the first day {first}")
    minutes = config.data.interval_minutes
    window = None
    if band is not None:
        try:
            window = parse_band(band, interval_minutes=minutes)
        except ValueError:
            raise fail("band", band, f"a local time band HH:MM-HH:MM on the {minutes}-minute "
                                     "grid, start before end (24:00 for midnight), such as "
                                     "09:00-12:00") from None
    vol = _change(fail, "volume", volume, aht=False)
    handle = _change(fail, "aht_s", aht, aht=True)
    if vol is None and handle is None:
        raise fail("volume", volume, "a volume or an AHT change (give --volume and/or --aht; "
                                     "volume = / aht_s = in the file)")
    if not isinstance(reason, str) or not reason.strip():
        raise fail("reason", reason, "a non-empty text saying why (kept with the adjustment "
                                     "and in the manifest of every forecast it changes)")
    adj = Adjustment(adjustment_id, queue, first, last, window, vol, handle, reason.strip(),
                     created)
    _check_opening(config, adj, fail)
    return adj


def _date(fail: Fail, key: str, value: object) -> date:
    try:
        return parse_date(value)
    except (TypeError, ValueError):
        raise fail(key, value, "a date YYYY-MM-DD such as 2026-12-14") from None


def _change(fail: Fail, key: str, value: object, *, aht: bool) -> Change | None:
    if value is None:
        return None
    try:
        return parse_change(value, aht=aht)
    except ValueError:
        raise fail(key, value, AHT_ACCEPTED if aht else VOLUME_ACCEPTED) from None


def _minutes(t: time) -> int:
    return 24 * 60 if t == time.max else t.hour * 60 + t.minute


def _check_opening(config: Config, adj: Adjustment, fail: Fail) -> None:
    """The window must hold at least one open day, and the band must lie inside the
    queue's opening hours on each open day (forecast volume is 0 outside them)."""
    q = config.queue(adj.queue)
    if q.opening_hours is None and q.channel in COLD_CHANNELS:
        return  # deferred inflow is forecast round the clock
    windows = (q.opening_hours or config.site.opening_hours).windows
    special = {s.day: s for s in config.site.special_days}
    open_days = 0
    day = adj.start
    while day <= adj.end:
        event = special.get(day)
        weekday = day.weekday()
        if event is not None and event.effect == "like" and event.like:
            weekday = WEEKDAYS.index(event.like)
        hours = None if event is not None and event.effect == "closed" else windows[weekday]
        if hours is not None:
            open_days += 1
            lo, hi = _minutes(hours[0]), _minutes(hours[1])
            if adj.band is not None and not (lo <= adj.band[0] and adj.band[1] <= hi):
                raise fail("band", band_text(adj.band),
                           f"a band inside the opening hours of {adj.queue} "
                           f"({_DAY_NAMES[day.weekday()]} {day}: {band_text((lo, hi))})")
        day += timedelta(days=1)
    if open_days == 0:
        days = (f"{adj.start} is a closed day" if adj.start == adj.end
                else f"every day from {adj.start} to {adj.end} is closed")
        raise fail("start", str(adj.start),
                   f"days on which {adj.queue} opens ({days} in wfm.toml)")


def check_conflicts(adjustments: list[Adjustment] | tuple[Adjustment, ...],
                    source: str, *, adding: bool = False) -> None:
    """Refuse two overlapping adjustments of one quantity when either sets an absolute
    value: which one wins would depend on their order."""
    clash = find_conflict(list(adjustments))
    if clash is None:
        return
    a, b, quantity = clash
    first, last = max(a.start, b.start), min(a.end, b.end)
    band = (a.band if b.band is None else b.band if a.band is None
            else (max(a.band[0], b.band[0]), min(a.band[1], b.band[1])))
    where = f"{first}" + (f"..{last}" if last != first else "") + \
        (f" {band_text(band)}" if band else "")
    raise ConfigError(
        f"{source}: adjustments {a.id} ({a.describe()}) and {b.id} ({b.describe()}) both "
        f"change the {quantity} of {a.queue} on {where} and one sets an absolute value; "
        "accepted: overlapping factors (they multiply) or windows that do not overlap",
        hint=(f"change the new adjustment's days or band, or remove {a.id} first: "
              f"wfm forecast adjust remove {a.id}") if adding
        else f"remove one: wfm forecast adjust remove {b.id}")


def adjustments_text(revision: int, adjustments: tuple[Adjustment, ...]) -> str:
    """The file's text: a header comment, then TOML."""
    body: dict[str, Any] = {"format": FORMAT, "revision": revision,
                            "adjustments": [adjustment_fields(a) for a in adjustments]}
    return HEADER + "\n" + tomli_w.dumps(body)


def adjustment_fields(a: Adjustment) -> dict[str, Any]:
    """The adjustment as the file's keys (dates as dates; ``str`` them for JSON)."""
    out: dict[str, Any] = {"id": a.id, "queue": a.queue, "start": a.start, "end": a.end}
    if a.band is not None:
        out["band"] = band_text(a.band)
    for key, change in (("volume", a.volume), ("aht_s", a.aht)):
        if change is not None:
            out[key] = (change.text if not change.is_absolute
                        else int(change.value) if change.value.is_integer() else change.value)
    out["reason"] = a.reason
    if a.created:
        out["created"] = a.created
    return out


def write_adjustments(before: AdjustmentsFile, adjustments: tuple[Adjustment, ...]) -> int:
    """Write ``adjustments`` atomically as the next revision of ``before``; returns it.

    Refuses when the file changed since ``before`` was read (another planner's change),
    rather than losing that change.
    """
    path = before.path
    current = sha256_file(path) if path.exists() else None
    if current != before.sha256:
        raise ConfigError(f"{path}: the adjustments file changed while this command ran; "
                          "nothing was written", hint="run the command again")
    revision = before.revision + 1
    write_output(path, adjustments_text(revision, adjustments))
    return revision
