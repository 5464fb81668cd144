"""Column mappings: how a vendor export's columns become the canonical intervals columns.

A mapping is a TOML table (a built-in file in ``wfm/io/mappings/``, a
``[data.mappings.<name>]`` table in wfm.toml, or a TOML file of its own)::

    description = "Our ACD export"   # optional
    timezone = "UTC"                 # zone of timestamps without offset [default: site zone]
    dayfirst = true                  # 03/04/2025 is 3 April [default: detected, else true]
    timestamp_format = "%d/%m/%Y %H:%M"  # optional strptime format
    default_channel = "voice"        # when no channel column is mapped
    decimal = ","                    # decimal mark [default: detected per column]
    absent_intervals = "zero"        # auto | zero | missing, or { queue = meaning }

    [columns]                        # canonical column = source header, or a table
    interval_start = "Start"         # or { date = "Day", time = "Time", time_format = "hhmm" }
    queue = "Queue"
    offered = "Calls offered"
    handle_s = { source = "AHT", unit = "minutes", average_per = "handled" }
    answered_within_sl = { source = "SL %", unit = "percent", share_of = "offered" }
    sl_threshold_s = { value = 20 }  # a constant
    talk_s = { source = ["Talk", "Hold"], optional = true }  # several sources are summed

    [channels]                       # source value (case-insensitive) -> channel
    Phone = "voice"

    [queues]                         # source value (case-insensitive) -> wfm queue name
    "Service Client FR" = "voice_fr"

Units: ``count``, ``seconds``, ``milliseconds``, ``minutes``, ``hours``, ``hh:mm:ss``
(also ``mm:ss`` and plain seconds), ``percent`` (0-100) and ``fraction`` (0-1).
``average_per = C`` multiplies an average by canonical count column C (averages -> sums);
``share_of = C`` turns a percentage or fraction of C into a count.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wfm.errors import ConfigError
from wfm.io.absent_intervals import AbsentIntervals, parse_absent
from wfm.schema import CHANNEL, CHANNELS, INTERVAL_START, INTERVALS, QUEUE

UNITS: dict[str, float] = {
    "count": 1.0, "seconds": 1.0, "milliseconds": 0.001, "minutes": 60.0, "hours": 3600.0,
    "hh:mm:ss": 1.0, "percent": 0.01, "fraction": 1.0,
}
DURATION_UNITS = frozenset({"hh:mm:ss"})
SHARE_UNITS = frozenset({"percent", "fraction"})
_TOP_KEYS = ("description", "timezone", "dayfirst", "timestamp_format", "default_channel",
             "decimal", "absent_intervals", "columns", "channels", "queues")
DECIMALS = (",", ".")
_COLUMN_KEYS = ("source", "unit", "average_per", "share_of", "optional", "value")
_TIME_KEYS = ("source", "date", "time", "time_format", "format", "optional")
_COUNT_COLUMNS = tuple(c.name for c in INTERVALS.columns if c.kind == "count")


@dataclass(frozen=True)
class ColumnSpec:
    """Where one canonical column comes from and how its values convert."""

    name: str
    sources: tuple[str, ...] = ()
    unit: str = "count"
    average_per: str | None = None
    share_of: str | None = None
    optional: bool = False
    value: float | str | None = None  # a constant instead of a source column


@dataclass(frozen=True)
class TimeSpec:
    """``interval_start`` from one column, or from a date column plus a time column."""

    source: str | None = None
    date: str | None = None
    time: str | None = None
    time_format: str | None = None  # "hhmm" (830 = 08:30) or a strptime format

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(s for s in (self.source, self.date, self.time) if s)


@dataclass(frozen=True)
class ColumnMapping:
    """A validated mapping (see the module docstring for the TOML format)."""

    name: str
    interval_start: TimeSpec
    columns: tuple[ColumnSpec, ...]
    channels: Mapping[str, str] = field(default_factory=dict)
    timezone: str | None = None
    dayfirst: bool | None = None
    timestamp_format: str | None = None
    default_channel: str = "voice"
    description: str = ""
    decimal: str | None = None  # None: detected per column
    queues: Mapping[str, str] = field(default_factory=dict)  # casefolded source -> queue
    absent_intervals: AbsentIntervals | None = None

    def source_columns(self) -> tuple[str, ...]:
        """Every source header the mapping may read, in mapping order."""
        out: list[str] = list(self.interval_start.sources)
        for c in self.columns:
            out.extend(s for s in c.sources if s not in out)
        return tuple(out)

    def required_sources(self) -> tuple[str, ...]:
        out: list[str] = list(self.interval_start.sources)
        for c in self.columns:
            if not c.optional:
                out.extend(s for s in c.sources if s not in out)
        return tuple(out)


def builtin_mapping_names() -> tuple[str, ...]:
    folder = resources.files("wfm.io") / "mappings"
    return tuple(sorted(p.name.removesuffix(".toml") for p in folder.iterdir()
                        if p.name.endswith(".toml")))


def resolve_mapping(name: str | None, user_mappings: Mapping[str, Mapping[str, Any]],
                    *, base_dir: Path | None = None, source: str | None = None
                    ) -> ColumnMapping:
    """The mapping called ``name``: a user mapping, a built-in one, or a TOML file path.

    ``None`` means the canonical ``wfm`` mapping. User mappings (``[data.mappings.*]``)
    shadow built-in names. A relative path is taken relative to ``base_dir``. ``source``
    says where the name came from (``--mapping``, or ``wfm.toml: [data] mapping``); an
    unknown name or a missing file is reported with it.
    """
    name = name or "wfm"
    where = "" if not source else f"{source}{' ' if source.startswith('--') else ' = '}{name!r}: "
    if name in user_mappings:
        return parse_mapping(user_mappings[name], name, f"[data.mappings.{name}]")
    builtins = builtin_mapping_names()
    if name in builtins:
        ref = resources.files("wfm.io") / "mappings" / f"{name}.toml"
        return parse_mapping(tomllib.loads(ref.read_text(encoding="utf-8")), name,
                             f"built-in mapping {name!r}")
    path = Path(name).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if path.suffix.lower() == ".toml" or path.is_file():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{where}mapping file {path} not found",
                              hint="check the path (relative to the wfm.toml folder)"
                              ) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, IsADirectoryError) as exc:
            raise ConfigError(f"{path}: not a valid TOML mapping file ({exc})") from None
        return parse_mapping(raw, path.stem, str(path))
    known = sorted({*builtins, *user_mappings})
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"{where}unknown mapping {name!r}{hint} Known: {', '.join(known)}, "
                      "or the path of a mapping .toml file")


def parse_mapping(raw: Mapping[str, Any], name: str, where: str) -> ColumnMapping:
    """Validate a raw mapping table; errors name ``where`` and the bad key."""
    _check_keys(raw, _TOP_KEYS, where)
    cols_raw = raw.get("columns")
    if not isinstance(cols_raw, Mapping) or not cols_raw:
        raise ConfigError(f"{where}: a mapping needs a [columns] table "
                          "(canonical column = source header)")
    _check_keys(cols_raw, INTERVALS.names, f"{where} [columns]")
    for req in (INTERVAL_START, QUEUE, "offered"):
        if req not in cols_raw:
            raise ConfigError(f"{where}: [columns] must map {req!r}")
    start = _time_spec(cols_raw[INTERVAL_START], f"{where} [columns] interval_start")
    specs = tuple(_column_spec(k, v, f"{where} [columns] {k}")
                  for k, v in cols_raw.items() if k != INTERVAL_START)
    mapped = {s.name for s in specs}
    for s in specs:
        for ref in (s.average_per, s.share_of):
            if ref is not None and ref not in mapped:
                raise ConfigError(f"{where} [columns] {s.name}: {ref!r} is not mapped; "
                                  f"map it or drop the conversion")
    channels_raw = raw.get("channels", {})
    if not isinstance(channels_raw, Mapping):
        raise ConfigError(f"{where}: [channels] must be a table of source value = channel")
    channels: dict[str, str] = {}
    for k, v in channels_raw.items():
        if v not in CHANNELS:
            raise ConfigError(f"{where} [channels] {k} = {v!r} is not valid; accepted: "
                              f"{', '.join(CHANNELS)}")
        channels[str(k).strip().lower()] = str(v)
    tz = raw.get("timezone")
    if tz is not None:
        try:
            ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{where}: timezone = {tz!r} is not valid; accepted: an IANA "
                              "time zone such as 'Europe/Paris' or 'UTC'") from None
    dayfirst = raw.get("dayfirst")
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise ConfigError(f"{where}: dayfirst = {dayfirst!r} is not valid; accepted: true or false")
    fmt = raw.get("timestamp_format")
    if fmt is not None and not isinstance(fmt, str):
        raise ConfigError(f"{where}: timestamp_format must be a strptime format string")
    default_channel = raw.get("default_channel", "voice")
    if default_channel not in CHANNELS:
        raise ConfigError(f"{where}: default_channel = {default_channel!r} is not valid; "
                          f"accepted: {', '.join(CHANNELS)}")
    decimal = raw.get("decimal")
    if decimal is not None and decimal not in DECIMALS:
        raise ConfigError(f"{where}: decimal = {decimal!r} is not valid; accepted: \",\" "
                          "(decimal comma) or \".\" (decimal point)")
    queues_raw = raw.get("queues", {})
    if not isinstance(queues_raw, Mapping) or not all(
            isinstance(v, str) and v.strip() for v in queues_raw.values()):
        raise ConfigError(f"{where}: [queues] must be a table of source value = wfm queue name")
    queues = {str(k).strip().casefold(): str(v).strip() for k, v in queues_raw.items()}
    absent = raw.get("absent_intervals")
    return ColumnMapping(name, start, specs, channels, None if tz is None else str(tz), dayfirst,
                         fmt, str(default_channel), str(raw.get("description", "")),
                         None if decimal is None else str(decimal), queues,
                         None if absent is None else parse_absent(
                             absent, f"{where} absent_intervals"))


def _check_keys(raw: Mapping[str, Any], valid: tuple[str, ...], where: str) -> None:
    for key in raw:
        if key not in valid:
            close = difflib.get_close_matches(str(key), valid, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"{where}: unknown key {key!r}{hint} Valid keys: {', '.join(valid)}")


def _time_spec(v: Any, where: str) -> TimeSpec:
    if isinstance(v, str) and v:
        return TimeSpec(source=v)
    if not isinstance(v, Mapping):
        raise ConfigError(f"{where}: expected a source header or a table "
                          "{ source = ... } / { date = ..., time = ... }")
    _check_keys(v, _TIME_KEYS, where)
    src = v.get("source")
    date_col, time_col = v.get("date"), v.get("time")
    if src is None and (date_col is None or time_col is None):
        raise ConfigError(f"{where}: give source, or both date and time")
    tf = v.get("time_format", v.get("format"))
    return TimeSpec(src, date_col, time_col, tf)


def _column_spec(name: str, v: Any, where: str) -> ColumnSpec:
    kind = INTERVALS.column(name).kind
    default_unit = "seconds" if kind == "seconds" else "count"
    if isinstance(v, str) and v:
        return ColumnSpec(name, (v,), default_unit)
    if not isinstance(v, Mapping):
        raise ConfigError(f"{where}: expected a source header or a table {{ source = ... }}")
    _check_keys(v, _COLUMN_KEYS, where)
    if "value" in v:
        val = v["value"]
        if isinstance(val, bool) or not isinstance(val, int | float | str):
            raise ConfigError(f"{where}: value = {val!r} must be a number or a string")
        if name in (QUEUE, CHANNEL):
            if name == CHANNEL and val not in CHANNELS:
                raise ConfigError(f"{where}: value = {val!r} is not a channel; accepted: "
                                  f"{', '.join(CHANNELS)}")
            return ColumnSpec(name, (), "text", value=str(val), optional=True)
        if isinstance(val, str):
            raise ConfigError(f"{where}: value = {val!r} must be a number")
        return ColumnSpec(name, (), default_unit, value=float(val), optional=True)
    src = v.get("source")
    sources = (src,) if isinstance(src, str) else tuple(src) if isinstance(src, list) else ()
    if not sources or not all(isinstance(s, str) and s for s in sources):
        raise ConfigError(f"{where}: source must be a header or a list of headers")
    unit = v.get("unit", default_unit)
    if name in (QUEUE, CHANNEL):
        unit = "text"
    elif unit not in UNITS:
        raise ConfigError(f"{where}: unit = {unit!r} is not valid; accepted: {', '.join(UNITS)}")
    avg, share = v.get("average_per"), v.get("share_of")
    for key, ref in (("average_per", avg), ("share_of", share)):
        if ref is not None and ref not in _COUNT_COLUMNS:
            raise ConfigError(f"{where}: {key} = {ref!r} is not valid; accepted: "
                              f"{', '.join(_COUNT_COLUMNS)}")
    if unit in SHARE_UNITS and share is None:
        raise ConfigError(f"{where}: unit = {unit!r} needs share_of = <count column> "
                          "(a percentage of what?)")
    optional = v.get("optional", False)
    if not isinstance(optional, bool):
        raise ConfigError(f"{where}: optional must be true or false")
    return ColumnSpec(name, sources, str(unit), avg, share, optional)
