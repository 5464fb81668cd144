"""Vectorised parsing of export cells: numbers (decimal comma), durations, timestamps.

Each parser returns the parsed values and a boolean mask of the cells it could not read, so
the caller can name the first bad line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_SPACES = r"[\s\x{00a0}\x{202f}']"  # RE2 syntax (Arrow)
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
# Offsets spelt other ways: "... 08:00:00 UTC", "... GMT", "... 08:00:00+01" (hours only).
_LOOSE_OFFSET = r"(?:\s*(?:UTC|GMT)|(?<=\d:\d\d)[+-]\d{2})$"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_DMY = re.compile(
    r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?:([ T])(\d{1,2}):(\d{2})(:\d{2})?)?$")

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _blank(values: pd.Series) -> BoolArray:
    s = values.astype("str")
    out: BoolArray = (values.isna() | (s.str.strip() == "")).to_numpy()
    return out


def parse_numbers(values: pd.Series, decimal: str = ".") -> tuple[FloatArray, BoolArray]:
    """Numbers from numeric or text cells (thousands separators, ``%`` and a decimal comma
    allowed). Blank cells give NaN and are not flagged as bad."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=np.float64, na_value=np.nan), np.zeros(len(values), bool)
    text = text_cells(values)
    if not text.all():
        # Excel: number cells are numbers whatever the locale; only text cells are parsed.
        mixed = np.full(len(values), np.nan)
        unread = np.zeros(len(values), bool)
        numbers = values[~text]
        mixed[~text] = pd.to_numeric(numbers, errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan)
        if text.any():
            mixed[text], unread[text] = parse_numbers(values[text].astype("str"), decimal)
        return mixed, unread
    fast = _plain_floats(values, decimal)
    if fast is not None:
        return fast, np.zeros(len(values), bool)
    blank = _blank(values)
    s = regex_replace(values, _SPACES, "").str.removesuffix("%")
    if decimal == ",":
        s = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        s = s.str.replace(",", "", regex=False)
    out = pd.to_numeric(s.where(~blank), errors="coerce").to_numpy(dtype=np.float64,
                                                                   na_value=np.nan)
    bad: BoolArray = np.isnan(out) & ~blank
    return out, bad


def arrow_text(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """The cells as Arrow strings (no copy for pandas' Arrow-backed strings)."""
    s = values.astype("str")
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        return pa.array(s.array)
    return pa.array(s.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)


def regex_mask(values: pd.Series, pattern: str) -> BoolArray:
    """Cells matching an RE2 ``pattern`` (searched, not anchored), in Arrow's regex engine:
    pandas runs patterns with ``\\s`` or ``\\b`` through Python's ``re``, cell by cell."""
    hit = pc.match_substring_regex(arrow_text(values), pattern)
    out: BoolArray = np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False),
                                dtype=bool)
    return out


def regex_replace(values: pd.Series, pattern: str, replacement: str) -> pd.Series:
    """``pattern`` (RE2) replaced in every cell, in Arrow's regex engine."""
    out = pc.replace_substring_regex(arrow_text(values), pattern, replacement)
    return pd.Series(pd.array(out, dtype=pd.ArrowDtype(out.type)), index=values.index
                     ).astype("str")


def text_cells(values: pd.Series) -> BoolArray:
    """Which cells are text (Excel columns mix numbers, dates and text; CSV cells are all
    text; missing cells count as text)."""
    if values.dtype != object:
        return np.ones(len(values), bool)
    text = values.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    out: BoolArray = text | values.isna().to_numpy()
    return out


def _plain_floats(values: pd.Series, decimal: str) -> FloatArray | None:
    """All cells plain numbers (``12``, ``4.5`` with a decimal point): one Arrow cast, about
    twenty times faster than cleaning each cell. ``None`` when any cell needs the cleaning."""
    dtype = values.dtype
    if not isinstance(dtype, pd.StringDtype) or dtype.storage != "pyarrow":
        return None
    chunks = pa.array(values.array)  # the Arrow strings themselves (no copy)
    if decimal == "," and pc.any(pc.match_substring(chunks, ".")).as_py():
        return None  # a dot is a thousands separator here
    try:
        cast = pc.cast(chunks, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    out = np.asarray(cast.to_numpy(zero_copy_only=False), dtype=np.float64)
    if np.isnan(out).sum() != cast.null_count:
        return None  # "nan" spelt out: let the cleaning path call it unreadable
    return out


def parse_durations(values: pd.Series, decimal: str = ".") -> tuple[FloatArray, BoolArray]:
    """Seconds from ``hh:mm:ss``, ``mm:ss`` (fractions of a second allowed) or plain seconds."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return parse_numbers(values, decimal)
    blank = _blank(values)
    s = values.astype("str").str.strip()
    parts = s.str.split(":", expand=True)
    if parts.shape[1] == 1:
        return parse_numbers(values, decimal)
    nums = [parse_numbers(parts[i].fillna(""), decimal) for i in range(parts.shape[1])]
    n_parts = s.str.count(":").to_numpy() + 1
    total = np.full(len(s), np.nan)
    bad = np.zeros(len(s), bool)
    for k, weights in ((1, (1.0,)), (2, (60.0, 1.0)), (3, (3600.0, 60.0, 1.0))):
        rows = n_parts == k
        if not rows.any() or k > len(nums):
            continue
        acc = np.zeros(int(rows.sum()))
        for i, w in enumerate(weights):
            vals, b = nums[i]
            acc += w * vals[rows]
            bad[rows] |= b[rows]
        total[rows] = acc
    bad |= (n_parts > 3) | (np.isnan(total) & ~blank)
    total[blank] = np.nan
    return total, bad & ~blank


@dataclass(frozen=True)
class ParsedTimes:
    """Interval starts of a chunk and what went wrong with some of them."""

    utc: pd.Series  # UTC timestamps, NaT where a cell could not be placed
    bad: BoolArray  # unreadable cells
    skipped: BoolArray  # local times a spring daylight-saving change skips
    repeated: BoolArray  # a repeated (autumn) local time listed a third time in its series


@dataclass(frozen=True)
class LoneRepeat:
    """A local time of a repeated (autumn) hour that its series lists only once."""

    line: int
    text: str
    group: str


@dataclass
class TimestampParser:
    """Parses interval starts of one file; keeps the format it settled on across chunks.

    Values with an offset (``Z``, ``+02:00``) are taken as they are. Values without one are
    local times in ``tz``. A local time that an autumn daylight-saving change repeats is
    placed by row order within its series (queue and channel): its first listing is the
    first (summer-time) pass, its second listing the second pass, as
    ``tz_localize(ambiguous="infer")`` does for one ordered series. A third listing, one
    listed only once (see :meth:`lone_repeat`) and a local time that a spring change skips
    cannot be placed. ``dayfirst=None`` detects ``dd/mm`` vs ``mm/dd`` from the data (a
    first field above 12), falling back to day first.
    """

    tz: str
    fmt: str | None = None
    dayfirst: bool | None = None
    _repeats: dict[tuple[str, int], list[Any]] = field(default_factory=dict, repr=False)

    def parse(self, values: pd.Series, groups: pd.Series | None = None,
              lines: npt.NDArray[np.int64] | None = None) -> ParsedTimes:
        """Parse one chunk; ``groups`` names each row's series and ``lines`` its line (for
        placing repeated local times by row order across chunks)."""
        s = values.astype("str").str.strip()
        blank = _blank(values)
        has_offset = s.str.contains(_OFFSET, regex=True).to_numpy() & ~blank
        candidates = ~has_offset & ~blank
        if candidates.any():
            loose = np.zeros(len(s), bool)
            loose[candidates] = s[candidates].str.contains(_LOOSE_OFFSET, regex=True).to_numpy()
            if loose.any():
                s = s.copy()
                s[loose] = (s[loose].str.replace(r"\s*(?:UTC|GMT)$", "+00:00", regex=True)
                            .str.replace(r"([+-]\d{2})$", r"\1:00", regex=True))
                has_offset |= loose
        out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns, UTC]")
        if has_offset.any():
            fmt = self.fmt if self.fmt and "%z" in self.fmt else "ISO8601"
            parsed = pd.to_datetime(s[has_offset], format=fmt, utc=True, errors="coerce")
            out[has_offset] = _plausible(parsed).astype("datetime64[ns, UTC]")
        skipped = np.zeros(len(s), bool)
        repeated = np.zeros(len(s), bool)
        naive_rows = ~has_offset & ~blank
        if naive_rows.any():
            naive = pd.DatetimeIndex(self._parse_naive(s[naive_rows]))
            rows = np.flatnonzero(naive_rows)
            local, skip, extra = self._localize(
                naive, values.iloc[rows],
                None if groups is None else groups.iloc[rows].astype("str").to_numpy(),
                rows if lines is None else lines[rows])
            skipped[rows] = skip
            repeated[rows] = extra
            out.iloc[rows] = local.tz_convert("UTC").astype("datetime64[ns, UTC]")
        bad = out.isna().to_numpy() & ~skipped & ~repeated
        return ParsedTimes(out, bad, skipped, repeated)

    def _localize(self, naive: pd.DatetimeIndex, text: pd.Series,
                  groups: npt.NDArray[Any] | None, lines: npt.NDArray[np.int64]
                  ) -> tuple[pd.DatetimeIndex, BoolArray, BoolArray]:
        n = len(naive)
        local = naive.tz_localize(self.tz, ambiguous="NaT", nonexistent="NaT")
        unplaced: BoolArray = np.asarray(local.isna()) & np.asarray(naive.notna())
        skipped = np.zeros(n, bool)
        extra = np.zeros(n, bool)
        if not unplaced.any():
            return local, skipped, extra
        summer = naive.tz_localize(self.tz, ambiguous=np.ones(n, bool), nonexistent="NaT")
        winter = naive.tz_localize(self.tz, ambiguous=np.zeros(n, bool), nonexistent="NaT")
        skipped = unplaced & np.asarray(summer.isna())
        first_pass = np.zeros(n, bool)
        second_pass = np.zeros(n, bool)
        keys = naive.asi8
        for i in np.flatnonzero(unplaced & ~skipped):
            key = ("" if groups is None else str(groups[i]), int(keys[i]))
            seen = self._repeats.setdefault(key, [0, int(lines[i]), str(text.iloc[i]).strip(),
                                                  key[0]])
            seen[0] += 1
            if seen[0] == 1:
                first_pass[i] = True
            elif seen[0] == 2:
                second_pass[i] = True
            else:
                extra[i] = True
        placed = np.where(first_pass, summer.asi8, np.where(second_pass, winter.asi8,
                                                             local.asi8))
        ok = first_pass | second_pass | ~unplaced
        values = pd.DatetimeIndex(np.where(ok, placed, np.iinfo(np.int64).min)
                                  .astype("datetime64[ns]"))
        return values.tz_localize("UTC").tz_convert(self.tz), skipped, extra

    def lone_repeat(self) -> LoneRepeat | None:
        """The first repeated local time (file order) that its series lists only once:
        row order cannot tell which of the two passes it is."""
        lone = [v for v in self._repeats.values() if v[0] == 1]
        if not lone:
            return None
        count, line, text, group = min(lone, key=lambda v: v[1])
        del count
        return LoneRepeat(int(line), str(text), str(group))

    def _parse_naive(self, s: pd.Series) -> pd.Series:
        if self.fmt is None:
            self.fmt = self._guess_format(s)
        if self.fmt == "mixed":
            parsed = pd.to_datetime(s, format="mixed", dayfirst=bool(self.dayfirst),
                                    errors="coerce")
        else:
            parsed = pd.to_datetime(s, format=self.fmt, errors="coerce")
        if isinstance(getattr(parsed, "dtype", None), pd.DatetimeTZDtype):
            parsed = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")  # unreadable mix
        return _plausible(pd.Series(parsed, index=s.index)).astype("datetime64[ns]")

    def _guess_format(self, s: pd.Series) -> str:
        sample = s.head(5000)
        if sample.str.match(_ISO_DATE).all():
            return "ISO8601"
        parts = sample.str.extract(_DMY)
        if parts[0].isna().any():
            return "mixed"
        first = pd.to_numeric(parts[0]).max()
        second = pd.to_numeric(parts[2]).max()
        if self.dayfirst is None:
            self.dayfirst = not (second > 12 >= first)  # a second field above 12 is a day
        sep = str(parts[1].iloc[0])
        year = "%Y" if parts[3].str.len().max() == 4 else "%y"
        date_fmt = f"%d{sep}%m{sep}{year}" if self.dayfirst else f"%m{sep}%d{sep}{year}"
        if parts[5].isna().all():
            return date_fmt
        if parts[5].isna().any():
            return "mixed"
        seconds = ":%S" if parts[7].notna().all() else ""
        if parts[7].notna().any() and not seconds:
            return "mixed"
        return f"{date_fmt}{parts[4].iloc[0]}%H:%M{seconds}"


def _plausible(parsed: pd.Series) -> pd.Series:
    """Years 1900-2199 only: anything else is a misread cell (and outside nanosecond range)."""
    years = parsed.dt.year
    out: pd.Series = parsed.where((years >= 1900) & (years < 2200))
    return out


def combine_date_time(dates: pd.Series, times: pd.Series, time_format: str | None) -> pd.Series:
    """One ``date time`` text per row from a date column and a time column.

    ``time_format = "hhmm"`` reads Avaya-style clock numbers (``830`` is 08:30)."""
    d = dates.astype("str").str.strip().str.removesuffix(" 00:00:00").str.removesuffix("T00:00:00")
    t = times.astype("str").str.strip()
    if time_format == "hhmm":
        t = t.str.removesuffix(".0").str.zfill(4)
        t = t.str.slice(0, 2) + ":" + t.str.slice(2, 4)
    out: pd.Series = (d + " " + t).where(dates.notna() & times.notna())
    return out
