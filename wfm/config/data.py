"""[data]: which history files to ingest, their interval length and column mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from wfm.config._reader import TableReader
from wfm.schema import INTERVAL_MINUTES

if TYPE_CHECKING:
    from wfm.config.model import Config
    from wfm.io.health import HealthSettings
    from wfm.io.ingest import IngestSettings


@dataclass(frozen=True)
class DataConfig:
    """``history`` holds glob patterns relative to the wfm.toml folder. ``mapping`` names a
    built-in vendor mapping, a key of ``mappings`` or a path to a mapping TOML file.
    ``timezone`` is the zone of exported timestamps that carry no offset (default: the
    site's zone). ``mappings`` holds user-defined mappings as raw tables; the ingest
    package validates them. ``absent_intervals`` says what an interval absent from an export
    means (``auto``, ``zero``, ``missing``, or a table queue -> meaning), ``strict`` makes
    known export glitches errors, ``skip_unknown_queues`` leaves rows of queues not in
    [[queues]] out instead of refusing them.
    """

    history: tuple[str, ...] = ()
    interval_minutes: int = 15
    mapping: str = "wfm"
    timezone: ZoneInfo | None = None
    mappings: dict[str, dict[str, Any]] = field(default_factory=dict)
    absent_intervals: str | dict[str, str] = "auto"
    strict: bool = False
    skip_unknown_queues: bool = False


def read_data(t: TableReader) -> DataConfig:
    history = t.str_list("history", ())
    minutes = t.value(
        "interval_minutes",
        15,
        convert=_interval_minutes,
        accepted=", ".join(map(str, INTERVAL_MINUTES)),
    )
    mapping = t.str("mapping", "wfm")
    tz = t.timezone("timezone", None)
    mappings = t.raw_table("mappings")
    absent = t.value("absent_intervals", "auto", convert=_absent,
                     accepted="auto, zero, missing, or a table { queue = meaning }")
    strict = t.bool("strict", False)
    skip_unknown = t.bool("skip_unknown_queues", False)
    t.finish()
    return DataConfig(history, minutes, mapping, tz, mappings, absent, strict, skip_unknown)


_MEANINGS = ("auto", "zero", "missing")  # wfm.io.absent_intervals.ABSENT_MEANINGS


def _absent(v: Any) -> str | dict[str, str]:
    if isinstance(v, str) and v in _MEANINGS:
        return v
    if isinstance(v, dict) and all(x in _MEANINGS for x in v.values()):
        return {str(k): str(x) for k, x in v.items()}
    raise ValueError


def _interval_minutes(v: Any) -> int:
    if isinstance(v, bool) or v not in INTERVAL_MINUTES:
        raise ValueError
    return int(v)


def health_settings(config: Config) -> HealthSettings:
    """The health checks' view of the site (plain values: wfm.io never reads Config)."""
    from wfm.io.health import HealthCalendar, HealthSettings  # pandas: only when needed

    site = config.site
    closed = {*site.holidays, *(s.day for s in site.special_days if s.effect == "closed")}
    special = {s.day: s.name for s in site.special_days}
    return HealthSettings(
        tz=site.timezone.key, interval_minutes=config.data.interval_minutes,
        strict=config.data.strict,
        calendar=HealthCalendar(
            opening_hours=site.opening_hours.windows,
            queue_opening_hours={q.name: q.opening_hours.windows for q in config.queues
                                 if q.opening_hours is not None},
            closed_days=frozenset(closed), special_days=special, country=site.country,
            subdivision=site.subdivision,
            open_holidays=frozenset(e.name for e in site.holiday_effects
                                    if e.effect != "closed")))


def ingest_settings(config: Config, mapping: str | None = None, *,
                    skip_unknown_queues: bool = False) -> IngestSettings:
    """How ``wfm.io.ingest.ingest_files`` reads and stores, from a configuration.

    ``mapping`` (a command-line flag) overrides ``[data] mapping``; ``skip_unknown_queues``
    (a flag) turns ``[data] skip_unknown_queues`` on.
    """
    from wfm.io.absent_intervals import parse_absent
    from wfm.io.ingest import IngestSettings

    data = config.data
    return IngestSettings(
        data_dir=config.paths.data_dir, health=health_settings(config),
        mapping=mapping or data.mapping,
        mapping_source="--mapping" if mapping else f"{config.path}: [data] mapping",
        user_mappings=data.mappings, mapping_dir=config.base_dir,
        source_tz=data.timezone.key if data.timezone is not None else None,
        known_queues={q.name: q.channel for q in config.queues},
        skip_unknown_queues=skip_unknown_queues or data.skip_unknown_queues,
        absent_intervals=parse_absent(data.absent_intervals, "[data] absent_intervals"))
