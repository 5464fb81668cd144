"""Apply a column mapping to raw export rows: canonical INTERVALS columns, units converted.

Every bad cell raises :class:`InputDataError` naming the file, the line, the source column,
the value and what is accepted. What real exports carry around their data is accepted where
its meaning is plain, and reported (:attr:`ChunkConverter.notes`): trailing total rows are
skipped, interval labels ``08:00 - 08:15`` read as their start, blank cells of numeric
columns other than ``offered`` stored as unknown.
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
from wfm.io.export_shapes import is_total, split_interval_labels
from wfm.io.number_format import NumberStyles
from wfm.io.parsing import TimestampParser, combine_date_time, parse_durations, parse_numbers
from wfm.io.sources import Chunk
from wfm.schema import CHANNEL, CHANNELS, INTERVAL_START, INTERVALS, OFFERED, QUEUE

LINE = "_line"
FILE = "_file"
_KIND = {c.name: c.kind for c in INTERVALS.columns}


def match_headers(mapping: ColumnMapping, header: list[str], path: Path) -> dict[str, str]:
    """Source name (as the mapping spells it) -> header in the file, matched ignoring case and
    surrounding spaces. Raises when a required source is missing, listing what was found."""
    # Excel header cells may be numbers (a year, a threshold): headers are their text.
    by_key = {str(h).strip().casefold(): str(h).strip() for h in header if h is not None}
    positions: dict[str, list[int]] = {}
    for i, h in enumerate(header, start=1):
        if h is not None:
            positions.setdefault(str(h).strip().casefold(), []).append(i)
    found: dict[str, str] = {}
    for src in mapping.source_columns():
        key = src.strip().casefold()
        hit = by_key.get(key)
        if hit is not None:
            found[src] = hit
        if len(positions.get(key, [])) > 1:
            cols = positions[key]
            shown = " and ".join(f"{i} ({str(header[i - 1]).strip()!r})" for i in cols)
            raise InputDataError(
                f"{path}: the header holds column {src!r} {len(cols)} times, as columns "
                f"{shown}; accepted: each column the mapping {mapping.name!r} reads once",
                hint="remove or rename the extra column in the export (or map the one you "
                     "mean under another name)")
    missing = [s for s in mapping.required_sources() if s not in found]
    if missing:
        shown = ", ".join(repr(str(h)) for h in header if h not in (None, "")) or "(none)"
        raise InputDataError(
            f"{path}: missing required column(s) {', '.join(repr(m) for m in missing)} for "
            f"mapping {mapping.name!r}; columns found: {shown}",
            hint="pick the mapping that matches the export with --mapping NAME|PATH "
                 "(built-in: wfm, genesys-cloud, avaya-cms, amazon-connect) or define one "
                 "under [data.mappings.<name>] in wfm.toml")
    return found


@dataclass
class ChunkConverter:
    """Converts the chunks of one file; keeps per-file state (timestamp format, decimal
    marks, total rows, notes).

    ``default_decimal`` is the decimal mark of a file no cell of which tells (``"."`` for a
    comma-delimited CSV, else ``None``: refuse undecidable cells); ``styles`` are decimal
    marks settled by an earlier read of the same file.
    """

    mapping: ColumnMapping
    headers: Mapping[str, str]
    path: Path
    default_decimal: str | None
    tz: str
    interval_minutes: int
    aggregate: bool = False
    styles: Mapping[str, str] = field(default_factory=dict)
    parser: TimestampParser = field(init=False)
    numbers: NumberStyles = field(init=False)
    totals: list[tuple[int, str]] = field(init=False, default_factory=list)
    blanks: dict[tuple[str, str, str], list[int]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.parser = TimestampParser(self.mapping.timezone or self.tz,
                                      self.mapping.timestamp_format, self.mapping.dayfirst)
        self.numbers = NumberStyles(self.path, self.mapping.decimal, self.default_decimal,
                                    dict(self.styles))

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
        raw, lines = self._drop_totals(chunk.frame, chunk.lines)
        specs = {c.name: c for c in self.mapping.columns}
        queue = self._queues(raw, lines, specs[QUEUE])
        channel = self._channels(raw, lines, specs.get(CHANNEL))
        out = pd.DataFrame({INTERVAL_START: self._timestamps(raw, lines, queue + "/" + channel)})
        out[QUEUE] = queue
        out[CHANNEL] = channel
        numeric = [c for c in self.mapping.columns if c.name not in (QUEUE, CHANNEL)]
        for c in numeric:
            for src in c.sources:
                if src in self.headers:
                    self.numbers.observe(self.headers[src], raw[self.headers[src]], lines)
        values = {c.name: self._number(raw, lines, c) for c in numeric}
        # An average or a share left blank where its base is 0 (no contact to average) is 0.
        excused: dict[str, npt.NDArray[np.bool_]] = {}
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
            excused[c.name] = np.isnan(own) & (base == 0)
            values[c.name] = np.where(excused[c.name], 0.0, own * base)
        for name, v in values.items():
            if v is None:
                continue
            if _KIND[name] == "count":
                out[name] = pd.array(np.round(v), dtype="Int64")
            else:
                out[name] = v
        out[LINE] = lines
        self._note_blanks(raw, lines, out, numeric, excused)
        return out

    def finish(self) -> dict[str, str] | None:
        """Checks that need the whole file; the decimal marks to read it again with, if the
        ambiguous numbers read before the telling ones were read in the wrong one."""
        lone = self.parser.lone_repeat()
        if lone is not None:
            queue, _, channel = lone.group.rpartition("/")
            raise self.fail(lone.line, self._time_column(),
                            f"local time {lone.text!r} is ambiguous in {self.parser.tz} (a "
                            "daylight-saving change repeats that hour), and queue "
                            f"{queue!r} channel {channel!r} lists it once, so the row order "
                            "cannot tell which of the two it is",
                            hint=_DST_HINT + "; or export both passes of the repeated hour, "
                                             "in order")
        return self.numbers.restart_styles()

    def notes(self) -> list[dict[str, object]]:
        """Warnings about rows and cells accepted with a meaning (findings rows)."""
        out: list[dict[str, object]] = []
        if self.totals:
            shown = ", ".join(f"{line} ({text!r})" for line, text in self.totals[:3])
            out.append(_note("", "", "skipped_rows", len(self.totals),
                             f"{self.path}: total row(s) after the data skipped: line "
                             f"{shown}"))
        for (queue, channel, column), (count, line) in sorted(self.blanks.items()):
            out.append(_note(queue, channel, "blank_values", count,
                             f"{column} blank on {count} row(s), stored as unknown; first at "
                             f"{self.path}, line {line}"))
        return out

    def _time_column(self) -> str:
        spec = self.mapping.interval_start
        if spec.source is not None:
            return self.headers[spec.source]
        assert spec.date is not None and spec.time is not None
        return f"'{self.headers[spec.date]}' + '{self.headers[spec.time]}'"

    def _drop_totals(self, raw: pd.DataFrame, lines: npt.NDArray[np.int64]
                     ) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
        """Skip trailing total rows ("Total" in a timestamp cell, or in the queue cell of a
        row without a timestamp); refuse data after one."""
        sources = [self.headers[s] for s in self.mapping.interval_start.sources
                   if s in self.headers]
        no_time = np.ones(len(raw), bool)
        total = np.zeros(len(raw), bool)
        for c in sources:  # "Total" in the date or in the time column
            no_time &= (raw[c].isna() | (raw[c].astype("str").str.strip() == "")).to_numpy()
            total |= is_total(raw[c])
        queue_spec = next(c for c in self.mapping.columns if c.name == QUEUE)
        if queue_spec.sources and queue_spec.sources[0] in self.headers:
            total |= no_time & is_total(raw[self.headers[queue_spec.sources[0]]])
        data = np.flatnonzero(~total)
        if self.totals and len(data):
            self._data_after_total(int(lines[data[0]]))
        if total.any():
            first_total = int(np.flatnonzero(total)[0])
            later = data[data > first_total]
            if len(later):
                self.totals.append((int(lines[first_total]), _text_of(raw, first_total)))
                self._data_after_total(int(lines[later[0]]))
            for i in np.flatnonzero(total):
                self.totals.append((int(lines[i]), _text_of(raw, int(i))))
            return raw.loc[~total].reset_index(drop=True), lines[~total]
        return raw, lines

    def _data_after_total(self, line: int) -> None:
        total_line, text = self.totals[0]
        raise InputDataError(
            f"{self.path}: line {line}: data after the total row on line {total_line} "
            f"({text!r}); accepted: total rows only after the last data row",
            hint="export without subtotals, or delete the total rows inside the data")

    def _timestamps(self, raw: pd.DataFrame, lines: npt.NDArray[np.int64], groups: pd.Series
                    ) -> pd.Series:
        spec = self.mapping.interval_start
        column = self._time_column()
        if spec.source is not None:
            text = raw[self.headers[spec.source]]
        else:
            assert spec.date is not None and spec.time is not None
            text = combine_date_time(raw[self.headers[spec.date]], raw[self.headers[spec.time]],
                                     spec.time_format)
        labels = text
        text, span = split_interval_labels(text)
        wrong = ~np.isnan(span) & ((span > self.interval_minutes) if self.aggregate
                                   else (span != self.interval_minutes))
        if wrong.any():
            i = int(np.flatnonzero(wrong)[0])
            raise self.fail(int(lines[i]), column,
                            f"the interval label {_cell(labels.iloc[i])} spans "
                            f"{span[i]:g} minutes; accepted: labels of "
                            f"{self.interval_minutes} minutes ([data] interval_minutes)",
                            hint="set [data] interval_minutes in wfm.toml to the export's "
                                 "interval length")
        parsed = self.parser.parse(text, groups, lines)
        ts = parsed.utc
        for mask, what in ((parsed.skipped, "does not exist"), (parsed.repeated, "repeats")):
            if mask.any():
                i = int(np.flatnonzero(mask)[0])
                message = (_dst_message(_cell(text.iloc[i]), self.parser.tz)
                           if what == "does not exist" else
                           f"local time {_cell(text.iloc[i])} is listed a third time for "
                           f"queue {groups.iloc[i].rpartition('/')[0]!r}; a daylight-saving "
                           "change repeats an hour once, so at most two listings can be "
                           "placed")
                raise self.fail(int(lines[i]), column, message, hint=_DST_HINT)
        bad = parsed.bad
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

    def _queues(self, raw: pd.DataFrame, lines: npt.NDArray[np.int64], spec: ColumnSpec
                ) -> pd.Series:
        s = self._text(raw, lines, spec)
        if self.mapping.queues:
            s = s.str.casefold().map(dict(self.mapping.queues)).fillna(s).astype("str")
        return s

    def _note_blanks(self, raw: pd.DataFrame, lines: npt.NDArray[np.int64], out: pd.DataFrame,
                     numeric: list[ColumnSpec], excused: Mapping[str, npt.NDArray[np.bool_]]
                     ) -> None:
        for spec in numeric:
            if spec.name == OFFERED or spec.value is not None:
                continue
            for src in spec.sources:
                if src not in self.headers:
                    continue
                column = self.headers[src]
                blank = (raw[column].isna() | (raw[column].astype("str").str.strip() == "")
                         ).to_numpy()
                if spec.name in excused:
                    blank = blank & ~excused[spec.name]
                if not blank.any():
                    continue
                where = out.loc[blank, [QUEUE, CHANNEL]].assign(_l=lines[blank])
                for (q, c), grp in where.groupby([QUEUE, CHANNEL], sort=False):
                    seen = self.blanks.setdefault((str(q), str(c), column),
                                                  [0, int(grp["_l"].iloc[0])])
                    seen[0] += len(grp)

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
            decimal = self.numbers.read_style(column)
            vals, bad = parse(raw[column], decimal)
            # 1e400 is a number too large for any float; 'inf' is no number at all. Only
            # the (rare) infinite cells are looked at as text.
            infinite = np.isinf(vals)
            if infinite.any():
                at = np.flatnonzero(infinite)
                named = np.zeros(len(vals), bool)
                named[at] = raw[column].iloc[at].astype("str").str.contains(
                    "inf", case=False).to_numpy()
                bad = bad | (infinite & named)
            overflow = infinite & ~bad
            if overflow.any():
                i = int(np.flatnonzero(overflow)[0])
                raise self.fail(int(lines[i]), column,
                                f"{spec.name} {_cell(raw[column].iloc[i])} is out of range; "
                                f"accepted: 0 to {_MAX_VALUE:.0e}")
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                accepted = "a duration hh:mm:ss or seconds" if spec.unit in DURATION_UNITS \
                    else "a number" + (" with a decimal comma" if decimal == "," else "")
                raise self.fail(int(lines[i]), column,
                                f"{spec.name}: cannot read {_cell(raw[column].iloc[i])}; expected "
                                f"{accepted}")
            huge = vals > _MAX_VALUE
            if huge.any():
                i = int(np.flatnonzero(huge)[0])
                raise self.fail(int(lines[i]), column,
                                f"{spec.name} {_cell(raw[column].iloc[i])} is implausibly "
                                f"large for one interval (out of range); accepted: at most "
                                f"{_MAX_VALUE:.0e}")
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
        if spec.name == OFFERED and not seen.all():
            i = int(np.flatnonzero(~seen)[0])
            raise self.fail(int(lines[i]), self.headers[present[0]], f"empty {spec.name}; "
                            "a number is required")
        scaled: npt.NDArray[np.float64] = total * UNITS[spec.unit]
        return scaled


#: Larger than any count or summed duration of one interval (and than float64 holds as a
#: whole number exactly): such a cell is a corrupt export, not data.
_MAX_VALUE = 1e12


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
    return (f"local time {value} does not exist in {tz} (a daylight-saving change skips that "
            "hour) and the file has no UTC offsets")


_DST_HINT = ("export the timestamps in UTC or with their UTC offset (ISO 8601, e.g. "
             "2025-10-26T02:30:00+02:00), or set the mapping's timezone to the zone the "
             "export uses")


def _text_of(raw: pd.DataFrame, i: int) -> str:
    """A row's cells as one short text (for messages)."""
    cells = [str(v).strip() for v in raw.iloc[i].tolist() if pd.notna(v) and str(v).strip()]
    text = " ".join(cells)
    return text if len(text) <= 40 else text[:37] + "..."


def _note(queue: str, channel: str, check: str, count: int, detail: str) -> dict[str, object]:
    return {"queue": queue, "channel": channel, "severity": "warning", "check": check,
            "count": int(count), "detail": detail}
