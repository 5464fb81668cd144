"""Apply a column mapping to raw export rows: canonical INTERVALS columns, units converted.

Every bad cell raises :class:`InputDataError` naming the file, the line, the source column,
the value and what is accepted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.errors import InputDataError
from wfm.io.column_mapping import DURATION_UNITS, UNITS, ColumnMapping, ColumnSpec
from wfm.io.parsing import TimestampParser, combine_date_time, parse_durations, parse_numbers
from wfm.io.sources import Chunk
from wfm.schema import CHANNEL, CHANNELS, INTERVAL_START, INTERVALS, QUEUE

LINE = "_line"
FILE = "_file"
_KIND = {c.name: c.kind for c in INTERVALS.columns}


def match_headers(mapping: ColumnMapping, header: list[str], path: Path) -> dict[str, str]:
    """Source name (as the mapping spells it) -> header in the file, matched ignoring case and
    surrounding spaces. Raises when a required source is missing, listing what was found."""
    by_key = {h.strip().casefold(): h for h in header if h is not None}
    found: dict[str, str] = {}
    for src in mapping.source_columns():
        hit = by_key.get(src.strip().casefold())
        if hit is not None:
            found[src] = hit
    missing = [s for s in mapping.required_sources() if s not in found]
    if missing:
        shown = ", ".join(repr(h) for h in header if h) or "(none)"
        raise InputDataError(
            f"{path}: missing required column(s) {', '.join(repr(m) for m in missing)} for "
            f"mapping {mapping.name!r}; columns found: {shown}",
            hint="pick the mapping that matches the export with --mapping NAME|PATH "
                 "(built-in: wfm, genesys-cloud, avaya-cms, amazon-connect) or define one "
                 "under [data.mappings.<name>] in wfm.toml")
    return found


@dataclass
class ChunkConverter:
    """Converts the chunks of one file; keeps per-file state (timestamp format)."""

    mapping: ColumnMapping
    headers: Mapping[str, str]
    path: Path
    decimal: str
    tz: str
    interval_minutes: int
    aggregate: bool = False
    parser: TimestampParser = field(init=False)

    def __post_init__(self) -> None:
        self.parser = TimestampParser(self.mapping.timezone or self.tz,
                                      self.mapping.timestamp_format, self.mapping.dayfirst)

    def usecols(self) -> list[str]:
        return list(dict.fromkeys(self.headers.values()))

    def text_columns(self) -> list[str]:
        spec = self.mapping.interval_start
        names = [self.headers[s] for s in spec.sources if s in self.headers]
        for c in self.mapping.columns:
            if c.name in (QUEUE, CHANNEL):
                names.extend(self.headers[s] for s in c.sources if s in self.headers)
        return names

    def fail(self, line: int, column: str, message: str, hint: str | None = None
             ) -> InputDataError:
        shown = column if column.startswith("'") else repr(column)
        return InputDataError(f"{self.path}: line {line}, column {shown}: {message}",
                              hint=hint)

    def convert(self, chunk: Chunk) -> pd.DataFrame:
        raw, lines = chunk.frame, chunk.lines
        out = pd.DataFrame({INTERVAL_START: self._timestamps(raw, lines)})
        specs = {c.name: c for c in self.mapping.columns}
        out[QUEUE] = self._text(raw, lines, specs[QUEUE])
        out[CHANNEL] = self._channels(raw, lines, specs.get(CHANNEL))
        numeric = [c for c in self.mapping.columns if c.name not in (QUEUE, CHANNEL)]
        values = {c.name: self._number(raw, lines, c) for c in numeric}
        # Shares first (a count may be a share of another), then averages times counts.
        for c in sorted(numeric, key=lambda c: c.share_of is None):
            ref = c.average_per or c.share_of
            own = values.get(c.name)
            if ref is None or own is None:
                continue
            base = values.get(ref)
            if base is None:
                how = "an average per" if c.average_per else "a share of"
                raise InputDataError(
                    f"{self.path}: column {c.name} is {how} {ref}, but {ref} is not in the "
                    f"file (mapping {self.mapping.name!r})")
            values[c.name] = own * base
        for name, v in values.items():
            if v is None:
                continue
            if _KIND[name] == "count":
                out[name] = pd.array(np.round(v), dtype="Int64")
            else:
                out[name] = v
        out[LINE] = lines
        return out

    def _timestamps(self, raw: pd.DataFrame, lines: npt.NDArray[np.int64]) -> pd.Series:
        spec = self.mapping.interval_start
        if spec.source is not None:
            column = self.headers[spec.source]
            text = raw[column]
        else:
            assert spec.date is not None and spec.time is not None
            column = f"'{self.headers[spec.date]}' + '{self.headers[spec.time]}'"
            text = combine_date_time(raw[self.headers[spec.date]], raw[self.headers[spec.time]],
                                     spec.time_format)
        ts, bad, dst_bad = self.parser.parse(text)
        if dst_bad.any():
            i = int(np.flatnonzero(dst_bad)[0])
            raise self.fail(int(lines[i]), column,
                            _dst_message(_cell(text.iloc[i]), self.parser.tz),
                            hint="export the timestamps in UTC or with their UTC offset "
                                 "(ISO 8601, e.g. 2025-10-26T02:30:00+02:00), or set the "
                                 "mapping's timezone to the zone the export uses")
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            value = text.iloc[i]
            what = "empty timestamp" if pd.isna(value) or not str(value).strip() else \
                f"cannot read timestamp {_cell(value)}"
            raise self.fail(int(lines[i]), column, f"{what}; expected ISO 8601 "
                            "(2025-03-14T08:15:00+01:00), or dd/mm/yyyy hh:mm",
                            hint="set timestamp_format (strptime) or dayfirst in the mapping")
        local = ts.dt.tz_convert(self.parser.tz)
        off = ((local.dt.minute % self.interval_minutes) != 0) | (local.dt.second != 0)
        if off.any() and self.aggregate:
            return floor_local(ts, local, self.interval_minutes)
        if off.any():
            i = int(np.flatnonzero(off.to_numpy())[0])
            raise self.fail(int(lines[i]), column,
                            f"{_cell(text.iloc[i])} is not on the {self.interval_minutes}-minute "
                            "interval grid",
                            hint="set [data] interval_minutes in wfm.toml to the export's "
                                 "interval length, or pass --aggregate to sum finer intervals")
        return ts

    def _text(self, raw: pd.DataFrame, lines: npt.NDArray[np.int64], spec: ColumnSpec
              ) -> pd.Series:
        if isinstance(spec.value, str):
            return pd.Series(spec.value, index=raw.index, dtype="str")
        column = self.headers[spec.sources[0]]
        s = raw[column].astype("str").str.strip()
        empty = (raw[column].isna() | (s == "")).to_numpy()
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise self.fail(int(lines[i]), column, f"empty {spec.name}")
        return s

    def _channels(self, raw: pd.DataFrame, lines: npt.NDArray[np.int64],
                  spec: ColumnSpec | None) -> pd.Series:
        if spec is not None and isinstance(spec.value, str):
            return pd.Series(spec.value, index=raw.index, dtype="str")
        if spec is None or not spec.sources or spec.sources[0] not in self.headers:
            return pd.Series(self.mapping.default_channel, index=raw.index, dtype="str")
        column = self.headers[spec.sources[0]]
        s = raw[column].astype("str").str.strip().str.lower()
        if self.mapping.channels:
            s = s.map(dict(self.mapping.channels)).fillna(s)
        bad = ~s.isin(CHANNELS).to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise self.fail(int(lines[i]), column,
                            f"unknown channel {_cell(raw[column].iloc[i])}; accepted: "
                            f"{', '.join(CHANNELS)}",
                            hint="map the export's value to a channel under [channels] in "
                                 "the mapping")
        return s.astype("str")

    def _number(self, raw: pd.DataFrame, lines: npt.NDArray[np.int64], spec: ColumnSpec
                ) -> npt.NDArray[np.float64] | None:
        if isinstance(spec.value, float):
            return np.full(len(raw), spec.value)
        present = [s for s in spec.sources if s in self.headers]
        if not present:
            return None  # an optional column the file does not have
        total = np.zeros(len(raw))
        seen = np.zeros(len(raw), bool)
        for src in present:
            column = self.headers[src]
            parse = parse_durations if spec.unit in DURATION_UNITS else parse_numbers
            vals, bad = parse(raw[column], self.decimal)
            bad = bad | np.isinf(vals)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                accepted = "a duration hh:mm:ss or seconds" if spec.unit in DURATION_UNITS \
                    else "a number" + (" with a decimal comma" if self.decimal == "," else "")
                raise self.fail(int(lines[i]), column,
                                f"{spec.name}: cannot read {_cell(raw[column].iloc[i])}; expected "
                                f"{accepted}")
            negative = vals < 0
            if negative.any():
                i = int(np.flatnonzero(negative)[0])
                raise self.fail(int(lines[i]), column,
                                f"negative {spec.name} {_cell(raw[column].iloc[i])}; "
                                "counts and durations must be >= 0")
            if _KIND[spec.name] == "count" and spec.unit == "count" and spec.share_of is None:
                frac = np.abs(vals - np.round(vals)) > 1e-6
                if frac.any():
                    i = int(np.flatnonzero(frac)[0])
                    raise self.fail(int(lines[i]), column,
                                    f"{spec.name} {_cell(raw[column].iloc[i])} is not a whole "
                                    "number of contacts",
                                    hint="if the column is an average or a percentage, say "
                                         "so with unit/average_per/share_of in the mapping")
            seen |= ~np.isnan(vals)
            total += np.nan_to_num(vals)
        total[~seen] = np.nan
        if not spec.optional and not seen.all():
            i = int(np.flatnonzero(~seen)[0])
            raise self.fail(int(lines[i]), self.headers[present[0]], f"empty {spec.name}; "
                            "a number is required")
        scaled: npt.NDArray[np.float64] = total * UNITS[spec.unit]
        return scaled


def floor_local(ts: pd.Series, local: pd.Series, minutes: int) -> pd.Series:
    """UTC interval starts floored to the ``minutes`` grid of local clock time.

    Daylight-saving changes happen on the hour, so flooring never crosses one."""
    offset = local.dt.tz_localize(None) - ts.dt.tz_convert("UTC").dt.tz_localize(None)
    floored = (local.dt.tz_localize(None)).dt.floor(f"{minutes}min") - offset
    out: pd.Series = floored.dt.tz_localize("UTC")
    return out


def _cell(value: object) -> str:
    """A cell as quoted text, numbers in their shortest form (``'-2'``, not ``np.int64(-2)``)."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    elif isinstance(value, np.generic):
        value = value.item()
    return repr(str(value))


def _dst_message(value: str, tz: str) -> str:
    return (f"local time {value} is ambiguous or does not exist in {tz} (a daylight-saving "
            "change repeats or skips that hour) and the file has no UTC offsets")
