"""[data]: which history files to ingest, their interval length and column mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from wfm.config._reader import TableReader
from wfm.schema import INTERVAL_MINUTES


@dataclass(frozen=True)
class DataConfig:
    """``history`` holds glob patterns relative to the wfm.toml folder. ``mapping`` names a
    built-in vendor mapping, a key of ``mappings`` or a path to a mapping TOML file.
    ``timezone`` is the zone of exported timestamps that carry no offset (default: the
    site's zone). ``mappings`` holds user-defined mappings as raw tables; the ingest
    package validates them.
    """

    history: tuple[str, ...] = ()
    interval_minutes: int = 15
    mapping: str = "wfm"
    timezone: ZoneInfo | None = None
    mappings: dict[str, dict[str, Any]] = field(default_factory=dict)


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
    t.finish()
    return DataConfig(history, minutes, mapping, tz, mappings)


def _interval_minutes(v: Any) -> int:
    if isinstance(v, bool) or v not in INTERVAL_MINUTES:
        raise ValueError
    return int(v)
