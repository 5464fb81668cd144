"""Column names, dtypes, units and validators of every stage's frame (see DATA.md).

Each stage reads and writes one long DataFrame. The column sets below are the contract
between sibling packages (io, forecasting, staffing, scheduling, reports): they agree on
these names and never import each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from wfm.errors import InputDataError


class Channel(StrEnum):
    """Contact channels. Hot channels are answered live; cold ones are worked from a backlog."""

    VOICE = "voice"
    CALLBACK = "callback"
    CHAT = "chat"
    MESSAGING = "messaging"
    EMAIL = "email"
    SOCIAL = "social"
    WEBFORM = "webform"
    LETTER = "letter"
    BACKOFFICE = "backoffice"
    OTHER = "other"


CHANNELS: tuple[str, ...] = tuple(c.value for c in Channel)
HOT_CHANNELS: frozenset[str] = frozenset({"voice", "callback", "chat", "messaging"})
CONCURRENT_CHANNELS: frozenset[str] = frozenset({"chat", "messaging"})
COLD_CHANNELS: frozenset[str] = frozenset(set(CHANNELS) - HOT_CHANNELS)
INTERVAL_MINUTES: tuple[int, ...] = (5, 10, 15, 30, 60)

# Column names used across frames, defined once.
INTERVAL_START = "interval_start"
QUEUE = "queue"
CHANNEL = "channel"
OFFERED = "offered"
HANDLED = "handled"
ABANDONED = "abandoned"
ANSWERED_WITHIN_SL = "answered_within_sl"
SL_THRESHOLD_S = "sl_threshold_s"
HANDLE_S = "handle_s"
TALK_S = "talk_s"
HOLD_S = "hold_s"
ACW_S = "acw_s"
ANSWER_WAIT_S = "answer_wait_s"
ABANDON_WAIT_S = "abandon_wait_s"
SHORT_ABANDONED = "short_abandoned"
BACKLOG = "backlog"
AHT_S = "aht_s"
MODEL = "model"
#: A forecast's values before the planner's adjustments, and the ids applied to a row.
OFFERED_RAW = "offered_raw"
AHT_S_RAW = "aht_s_raw"
ADJUSTMENTS_APPLIED = "adjustments"

SERIES_KEY: tuple[str, str] = (QUEUE, CHANNEL)
INTERVAL_KEY: tuple[str, str, str] = (INTERVAL_START, QUEUE, CHANNEL)


@dataclass(frozen=True)
class Column:
    """One column of a frame contract."""

    name: str
    kind: str  # "timestamp", "str", "count", "seconds", "fraction", "number"
    required: bool
    unit: str = ""
    meaning: str = ""


@dataclass(frozen=True)
class FrameSchema:
    """The columns of one stage's frame, in canonical order."""

    name: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


INTERVALS = FrameSchema(
    "intervals",
    (
        Column(INTERVAL_START, "timestamp", True, meaning="start of the interval (tz-aware)"),
        Column(QUEUE, "str", True, meaning="stable queue / split / skill key"),
        Column(CHANNEL, "str", True, meaning="channel, one of CHANNELS"),
        Column(OFFERED, "count", True, "contacts", "contacts entering the queue"),
        Column(HANDLED, "count", False, "contacts", "contacts answered / handled"),
        Column(ABANDONED, "count", False, "contacts", "contacts that abandoned while waiting"),
        Column(SHORT_ABANDONED, "count", False, "contacts",
               "abandoned within the ACD's short-abandon threshold (part of abandoned)"),
        Column(ANSWERED_WITHIN_SL, "count", False, "contacts", "answered within threshold"),
        Column(SL_THRESHOLD_S, "seconds", False, "s", "service-level threshold"),
        Column(HANDLE_S, "seconds", False, "s", "summed handle time (talk + hold + ACW)"),
        Column(TALK_S, "seconds", False, "s", "summed talk time"),
        Column(HOLD_S, "seconds", False, "s", "summed hold time"),
        Column(ACW_S, "seconds", False, "s", "summed after-contact work"),
        Column(ANSWER_WAIT_S, "seconds", False, "s", "summed wait of answered contacts"),
        Column(ABANDON_WAIT_S, "seconds", False, "s",
               "summed wait of abandoned contacts (time to abandon)"),
        Column(BACKLOG, "count", False, "items", "open deferred items at interval end"),
    ),
)

FORECAST = FrameSchema(
    "forecast",
    (
        Column(QUEUE, "str", True),
        Column(CHANNEL, "str", True),
        Column(INTERVAL_START, "timestamp", True),
        Column(OFFERED, "number", True, "contacts", "expected contacts in the interval"),
        Column(AHT_S, "seconds", True, "s", "expected average handle time per contact"),
        Column(MODEL, "str", True, meaning="model that produced the volume"),
        Column("offered_lo_80", "number", False, "contacts"),
        Column("offered_hi_80", "number", False, "contacts"),
        Column("offered_lo_95", "number", False, "contacts"),
        Column("offered_hi_95", "number", False, "contacts"),
        Column(OFFERED_RAW, "number", False, "contacts",
               "the model's offered before the planner's adjustments"),
        Column(AHT_S_RAW, "seconds", False, "s",
               "the model's AHT before the planner's adjustments"),
        Column(ADJUSTMENTS_APPLIED, "str", False,
               meaning="ids of the adjustments applied to the row, space-separated"),
    ),
)

REQUIREMENTS = FrameSchema(
    "requirements",
    (
        Column(QUEUE, "str", True),
        Column(CHANNEL, "str", True),
        Column(INTERVAL_START, "timestamp", True),
        Column(OFFERED, "number", True, "contacts"),
        Column(AHT_S, "seconds", True, "s"),
        Column("agents_productive", "number", True, "agents",
               "agents on the queue to meet the target"),
        Column("agents_required", "number", True, "agents", "after shrinkage"),
        Column("service_level", "fraction", False),
        Column("asa_s", "seconds", False, "s"),
        Column("occupancy", "fraction", False),
        Column("abandon_rate", "fraction", False),
        Column("method", "str", False, meaning="staffing model used"),
        Column(BACKLOG, "number", False, "items",
               "deferred work: open items at the end of the interval"),
        Column("oldest_age_s", "seconds", False, "s",
               "deferred work: age of the oldest open item at the end of the interval"),
    ),
)

SCHEDULE = FrameSchema(
    "schedule",
    (
        Column("agent_id", "str", True),
        Column("date", "str", True, meaning="local date YYYY-MM-DD"),
        Column("shift_start", "timestamp", False, meaning="empty on a day off"),
        Column("shift_end", "timestamp", False),
        Column("activities", "str", False, meaning="breaks and lunch with start times"),
    ),
)

SCHEDULE_INTERVALS = FrameSchema(
    "schedule_intervals",
    (
        Column("agent_id", "str", True),
        Column(INTERVAL_START, "timestamp", True),
        Column("activity", "str", True, meaning="work, break, lunch"),
        Column(QUEUE, "str", False),
    ),
)

COVERAGE = FrameSchema(
    "coverage",
    (
        Column(QUEUE, "str", True),
        Column(CHANNEL, "str", True),
        Column(INTERVAL_START, "timestamp", True),
        Column("required", "number", True, "agents"),
        Column("scheduled", "number", True, "agents"),
        Column("gap", "number", True, "agents", "scheduled - required"),
    ),
)

FRAMES: Mapping[str, FrameSchema] = {
    s.name: s for s in (INTERVALS, FORECAST, REQUIREMENTS, SCHEDULE, SCHEDULE_INTERVALS, COVERAGE)
}


def require_columns(df: pd.DataFrame, schema: FrameSchema, source: str) -> None:
    """Raise :class:`InputDataError` naming the missing columns and the columns found."""
    missing = [c for c in schema.required if c not in df.columns]
    if missing:
        found = ", ".join(map(str, df.columns)) or "(none)"
        raise InputDataError(
            f"{source}: missing required {schema.name} column(s) {', '.join(missing)}; "
            f"columns found: {found}"
        )


def check_channels(values: Iterable[str], source: str) -> None:
    """Raise if any channel is not one of :data:`CHANNELS`."""
    bad = sorted({str(v) for v in values} - set(CHANNELS))
    if bad:
        raise InputDataError(
            f"{source}: unknown channel {bad[0]!r}"
            + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else "")
            + f"; accepted: {', '.join(CHANNELS)}"
        )


def ensure_tz_aware(series: pd.Series, source: str, column: str = INTERVAL_START) -> None:
    """Raise if a timestamp column carries no time zone."""
    if not isinstance(series.dtype, pd.DatetimeTZDtype):
        raise InputDataError(
            f"{source}: column {column} has no time zone",
            hint="write timestamps with an offset (ISO 8601) or set [site] timezone in wfm.toml",
        )


def parse_timestamps(values: pd.Series, source: str, column: str, *,
                     allow_empty: bool = False) -> pd.Series:
    """UTC-aware timestamps of ISO 8601 text (with an offset); the first unreadable cell
    (or empty one, unless ``allow_empty``) raises :class:`InputDataError` naming its file
    line (the frame's row + 2: header and 1-based lines)."""
    parsed = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
    bad = parsed.isna() & values.notna() if allow_empty else parsed.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputDataError(f"{source}: line {row + 2}, column {column}: cannot read timestamp "
                             f"{values.iloc[row]!r}; accepted: ISO 8601 with an offset")
    return parsed


def read_frame_csv(path: str, schema: FrameSchema) -> pd.DataFrame:
    """Read a CSV written by wfm (or any file of the same shape) and check its contract.

    Timestamp columns are parsed as UTC-aware timestamps; use ``tz_convert`` for local time.
    """
    try:
        # Identifiers such as agent_id "007" or queue "0412" must stay text.
        text_cols = {c.name: str for c in schema.columns if c.kind == "str"}
        df = pd.read_csv(path, dtype=text_cols)
    except FileNotFoundError:
        raise InputDataError(f"{path}: file not found") from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputDataError(f"{path}: not a readable CSV file ({exc})") from None
    require_columns(df, schema, path)
    for col in schema.columns:
        if col.kind == "timestamp" and col.name in df.columns:
            df[col.name] = parse_timestamps(df[col.name], path, col.name, allow_empty=True)
    return df
