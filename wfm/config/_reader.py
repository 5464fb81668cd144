"""Typed, validating access to one TOML table.

Every section reader asks for its keys through a :class:`TableReader`; when it has read
them all it calls :meth:`TableReader.finish`, which rejects any key nobody asked for with
the list of valid keys and a "did you mean". Errors always name the file, the table, the
key, the bad value and what is accepted.
"""

from __future__ import annotations

import builtins
import difflib
import math
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from wfm.errors import ConfigError

T = TypeVar("T")
_MISSING: Any = object()


def shown(value: Any) -> builtins.str:
    """A TOML value as the planner wrote it, for error messages.

    ``repr`` would print a TOML date-time as ``datetime.datetime(2027, 2, 1, 9, 0)``, which is
    not what the file says; dates and times are shown in their TOML (ISO 8601) form.
    """
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    return repr(value)


class TableReader:
    """Read and validate the keys of one TOML table."""

    def __init__(self, raw: Any, where: builtins.str, source: builtins.str) -> None:
        if not isinstance(raw, Mapping):
            raise ConfigError(
                f"{source}: [{where}] must be a table, got {type(raw).__name__} {shown(raw)}"
            )
        self.raw: Mapping[builtins.str, Any] = raw
        self.where = where
        self.source = source
        self._known: list[builtins.str] = []

    # -- errors ---------------------------------------------------------------------
    def fail(self, key: builtins.str, value: Any, accepted: builtins.str) -> ConfigError:
        return ConfigError(
            f"{self.source}: [{self.where}] {key} = {shown(value)} is not valid; "
            f"accepted: {accepted}"
        )

    def _take(self, key: builtins.str, default: Any) -> Any:
        if key not in self._known:
            self._known.append(key)
        if key in self.raw:
            return self.raw[key]
        if default is _MISSING:
            raise ConfigError(f"{self.source}: [{self.where}] is missing the required key {key!r}")
        return default

    # -- scalar getters -----------------------------------------------------------------
    def value(
        self,
        key: builtins.str,
        default: Any = _MISSING,
        *,
        convert: Callable[[Any], T],
        accepted: builtins.str,
    ) -> Any:
        """Return ``convert(raw value)``; a ``ValueError``/``TypeError`` becomes a ConfigError."""
        raw = self._take(key, default)
        if key not in self.raw:
            return raw  # the default, used as given
        try:
            return convert(raw)
        except (ValueError, TypeError, KeyError):
            raise self.fail(key, raw, accepted) from None

    def str(
        self, key: builtins.str, default: Any = _MISSING, *, choices: tuple[builtins.str, ...] = ()
    ) -> Any:
        def conv(v: Any) -> builtins.str:
            if not isinstance(v, str) or not v.strip():
                raise TypeError
            if choices and v not in choices:
                raise ValueError
            return v

        accepted = ", ".join(choices) if choices else "a non-empty string"
        return self.value(key, default, convert=conv, accepted=accepted)

    def bool(self, key: builtins.str, default: Any = _MISSING) -> Any:
        def conv(v: Any) -> builtins.bool:
            if not isinstance(v, bool):
                raise TypeError
            return v

        return self.value(key, default, convert=conv, accepted="true or false")

    def number(
        self,
        key: builtins.str,
        default: Any = _MISSING,
        *,
        low: float | None = None,
        high: float | None = None,
        low_open: builtins.bool = False,
        high_open: builtins.bool = False,
        integer: builtins.bool = False,
    ) -> Any:
        lo_b = "(" if low_open else "["
        hi_b = ")" if high_open else "]"
        kind = "an integer" if integer else "a number"
        rng = f" in {lo_b}{'-inf' if low is None else _fmt(low)}, " \
              f"{'inf' if high is None else _fmt(high)}{hi_b}"
        accepted = kind + (rng if low is not None or high is not None else "")

        def conv(v: Any) -> float | int:
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise TypeError
            if integer and not isinstance(v, int):
                raise TypeError
            if math.isnan(v):
                raise ValueError
            if low is not None and (v < low or (low_open and v == low)):
                raise ValueError
            if high is not None and (v > high or (high_open and v == high)):
                raise ValueError
            return v if integer else float(v)

        return self.value(key, default, convert=conv, accepted=accepted)

    def fraction(
        self, key: builtins.str, default: Any = _MISSING, *, closed_high: builtins.bool = False
    ) -> Any:
        """A fraction 0-1 (never a percentage)."""
        return self.number(key, default, low=0.0, high=1.0, high_open=not closed_high)

    def date(self, key: builtins.str, default: Any = _MISSING) -> Any:
        return self.value(key, default, convert=parse_date, accepted="a date YYYY-MM-DD")

    def timezone(self, key: builtins.str, default: Any = _MISSING) -> Any:
        raw = self._take(key, default)
        if key not in self.raw:
            return raw
        return check_timezone(raw, lambda: self.fail(key, raw, _tz_accepted(raw)))

    def str_list(self, key: builtins.str, default: Any = _MISSING) -> Any:
        def conv(v: Any) -> tuple[builtins.str, ...]:
            if isinstance(v, str):
                v = [v]
            if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
                raise TypeError
            return tuple(v)

        return self.value(key, default, convert=conv, accepted="a string or a list of strings")

    def number_list(self, key: builtins.str, default: Any = _MISSING, *, low: float = 0.0) -> Any:
        def conv(v: Any) -> tuple[float, ...]:
            if isinstance(v, int | float) and not isinstance(v, bool):
                v = [v]
            if not isinstance(v, list) or not v:
                raise TypeError
            out = []
            for x in v:
                if isinstance(x, bool) or not isinstance(x, int | float) or x < low:
                    raise ValueError
                out.append(float(x))
            return tuple(out)

        return self.value(
            key, default, convert=conv, accepted=f"a list of numbers >= {_fmt(low)}"
        )

    # -- nested tables ------------------------------------------------------------------
    def table(self, key: builtins.str, *, required: builtins.bool = False) -> TableReader:
        raw = self._take(key, _MISSING if required else {})
        return TableReader(raw, f"{self.where}.{key}" if self.where else key, self.source)

    def tables(self, key: builtins.str) -> list[TableReader]:
        """An array of tables (``[[key]]``)."""
        raw = self._take(key, [])
        if not isinstance(raw, list):
            raise ConfigError(
                f"{self.source}: {key} must be an array of tables ([[{key}]]), got {shown(raw)}"
            )
        prefix = f"{self.where}.{key}" if self.where else key
        return [TableReader(r, f"{prefix}.{i + 1}", self.source) for i, r in enumerate(raw)]

    def raw_table(self, key: builtins.str) -> dict[builtins.str, Any]:
        """A free-form table, checked by whoever consumes it."""
        raw = self._take(key, {})
        if not isinstance(raw, Mapping):
            raise self.fail(key, raw, "a table")
        return dict(raw)

    def keys(self) -> tuple[builtins.str, ...]:
        return tuple(self.raw)

    def finish(self) -> None:
        """Reject keys nobody asked for, with the valid keys and a close match."""
        for key in self.raw:
            if key in self._known:
                continue
            close = difflib.get_close_matches(key, self._known, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            where = f"[{self.where}]" if self.where else "top level"
            raise ConfigError(
                f"{self.source}: unknown key {key!r} in {where}{hint} "
                f"Valid keys: {', '.join(self._known) or '(none)'}"
            )


def _fmt(x: float) -> str:
    return f"{x:g}"


def parse_date(v: Any) -> date:
    """A TOML date or an ISO ``YYYY-MM-DD`` string (a date-time is refused)."""
    if isinstance(v, datetime):
        raise TypeError
    if isinstance(v, date):
        return v
    if not isinstance(v, str):
        raise TypeError
    return date.fromisoformat(v.strip())


def parse_clock(v: str) -> time:
    """``HH:MM`` (24:00 allowed as end of day, returned as 23:59:59.999999)."""
    v = v.strip()
    if v in ("24:00", "24:00:00"):
        return time.max
    return time.fromisoformat(v)


def check_timezone(raw: Any, fail: Callable[[], ConfigError]) -> ZoneInfo:
    if not isinstance(raw, str):
        raise fail()
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail() from None


def _tz_accepted(raw: Any) -> str:
    close = difflib.get_close_matches(str(raw), sorted(available_timezones()), n=1)
    more = f" (did you mean {close[0]!r}?)" if close else ""
    return f"an IANA time zone such as 'Europe/Paris'{more}"
