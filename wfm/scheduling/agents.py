"""The agents file: who can work, on which queues, under which contract.

A planner-friendly CSV or Excel sheet, one row per agent (see docs/scheduling-rules.md)::

    agent_id,name,team,site,skills,min_hours_week,max_hours_week,min_days_week,max_days_week,
    shift_lengths_h,earliest_start,latest_end,time_off,availability,preferred_start,
    preferred_days_off
    A001,Marie Curie,Team A,Lyon,voice_fr:1;chat:2,35,35,5,5,8,08:00,20:00,
    2026-11-30;2026-12-24..2026-12-26,mon-fri 08:00-18:00; sat 09:00-13:00,09:00,sat;sun

Only ``agent_id``, ``name`` and ``skills`` are required; every other column may be
missing or empty and then takes the default documented on :class:`Agent`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.errors import InputDataError

WEEKDAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REQUIRED_COLUMNS: tuple[str, ...] = ("agent_id", "name", "skills")
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "team", "site", "min_hours_week", "max_hours_week", "min_days_week", "max_days_week",
    "shift_lengths_h", "earliest_start", "latest_end", "time_off", "availability",
    "preferred_start", "preferred_days_off", "start_date", "leave_date", "contract_hours_week",
)
END_OF_DAY = time.max  # "24:00"
MAX_TIME_OFF_RANGE_DAYS = 366


@dataclass(frozen=True)
class Agent:
    """One agent and their contract.

    Attributes
    ----------
    agent_id, name, team
        Identity; ``agent_id`` is unique in the file.
    skills
        Queue name -> priority (1 = primary, larger = less preferred).
    min_hours_week, max_hours_week
        Paid hours per week the contract requires / allows [h].
    min_days_week, max_days_week
        Working days per week the contract requires / allows.
    shift_lengths_h
        Shift lengths this agent may work [h]; empty means any length the rules allow.
    earliest_start, latest_end
        Local clock limits of every shift (``time.max`` means 24:00).
    time_off
        Local dates the agent does not work (leave, training).
    availability
        Weekday (0 = Monday) -> local window in which shifts must lie; a weekday absent
        from the mapping is unavailable. ``None`` means available every day.
    preferred_start
        Preferred local start time (soft).
    preferred_days_off
        Preferred weekdays off, 0 = Monday (soft).
    site
        Site name (informative).
    start_date, leave_date
        First day with the company (tenure, for attrition by tenure in capacity plans)
        and planned last working day; ``None`` when not known / not leaving.
    contract_hours_week
        Weekly contract hours [h] (capacity plans: FTE = these / hours of one FTE); the
        ``max_hours_week`` cell when the column is empty, ``None`` when both are.
    """

    agent_id: str
    name: str
    team: str
    skills: dict[str, int]
    min_hours_week: float = 0.0
    max_hours_week: float = 48.0
    min_days_week: int = 0
    max_days_week: int = 7
    shift_lengths_h: tuple[float, ...] = ()
    earliest_start: time = time(0, 0)
    latest_end: time = END_OF_DAY
    time_off: frozenset[date] = frozenset()
    availability: dict[int, tuple[time, time]] | None = None
    preferred_start: time | None = None
    preferred_days_off: frozenset[int] = frozenset()
    site: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    start_date: date | None = None
    leave_date: date | None = None
    contract_hours_week: float | None = None

    def __hash__(self) -> int:
        # The dict fields make the generated hash fail; agent_id is unique in a file.
        return hash(self.agent_id)

    def window(self, weekday: int) -> tuple[time, time] | None:
        """The local window a shift on ``weekday`` must lie in, or None when unavailable.

        Combines availability with the contract's earliest start and latest end.
        """
        lo, hi = self.earliest_start, self.latest_end
        if self.availability is not None:
            if weekday not in self.availability:
                return None
            a_lo, a_hi = self.availability[weekday]
            lo, hi = max(lo, a_lo), min(hi, a_hi)
        return (lo, hi) if lo < hi else None


# -- cell parsers: each raises ValueError(accepted) on a bad value ----------------------
class _Bad(ValueError):
    """A cell that cannot be read; the argument says what is accepted."""


def parse_clock(text: str) -> time:
    """``HH:MM`` (or ``HH:MM:SS``) local clock time; ``24:00`` is the end of the day."""
    t = text.strip()
    if t in ("24:00", "24:00:00"):
        return END_OF_DAY
    if not re.fullmatch(r"\d{1,2}:\d{2}(:\d{2})?", t):
        raise _Bad("a time HH:MM (00:00-24:00)")
    try:
        return time.fromisoformat(t if len(t.split(":")[0]) == 2 else "0" + t)
    except ValueError:
        raise _Bad("a time HH:MM (00:00-24:00)") from None


def _parse_date(text: str) -> date:
    t = text.strip()
    # Excel date cells arrive as "2026-11-30 00:00:00".
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}( 00:00:00)?", t):
        try:
            return date.fromisoformat(t[:10])
        except ValueError:
            pass
    raise _Bad("dates YYYY-MM-DD or ranges YYYY-MM-DD..YYYY-MM-DD separated by ';'")


def _single_date(text: str) -> date:
    try:
        return _parse_date(text)
    except _Bad:
        raise _Bad("a date YYYY-MM-DD") from None


def parse_time_off(text: str) -> frozenset[date]:
    """``2026-11-30; 2026-12-24..2026-12-26`` -> the set of dates (ranges inclusive)."""
    out: set[date] = set()
    for part in _split(text):
        m = re.fullmatch(r"(.+?)\s*(?:\.\.|\bto\b)\s*(.+)", part)
        if m:
            lo, hi = _parse_date(m.group(1)), _parse_date(m.group(2))
            if hi < lo or (hi - lo).days > MAX_TIME_OFF_RANGE_DAYS:
                raise _Bad("a range FIRST..LAST with FIRST <= LAST, at most a year long")
            out.update(lo + timedelta(days=i) for i in range((hi - lo).days + 1))
        else:
            out.add(_parse_date(part))
    return frozenset(out)


_DAYS_ACCEPTED = "weekday names mon tue wed thu fri sat sun, or ranges like mon-fri"


def parse_weekdays(text: str) -> frozenset[int]:
    """``sat;sun`` or ``mon-fri`` or ``mon,wed`` -> weekday numbers (0 = Monday)."""
    out: set[int] = set()
    for part in re.split(r"[;,\s]+", text.strip().lower()):
        if not part:
            continue
        ends = part.split("-")
        if len(ends) > 2 or any(e[:3] not in WEEKDAY_NAMES or len(e) < 3 for e in ends):
            raise _Bad(_DAYS_ACCEPTED)
        lo, hi = WEEKDAY_NAMES.index(ends[0][:3]), WEEKDAY_NAMES.index(ends[-1][:3])
        out.update(range(lo, hi + 1) if lo <= hi else [*range(lo, 7), *range(hi + 1)])
    return frozenset(out)


_AVAIL_ACCEPTED = ("'DAYS HH:MM-HH:MM' or 'DAYS off' separated by ';', e.g. "
                   "'mon-fri 08:00-18:00; sat 09:00-13:00'")


def parse_availability(text: str) -> dict[int, tuple[time, time]]:
    """``mon-fri 08:00-18:00; sat 09:00-13:00`` -> weekday -> window; unnamed days are off."""
    out: dict[int, tuple[time, time]] = {}
    for part in _split(text):
        m = re.fullmatch(r"(.+?)\s+(off|\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2})", part.strip().lower())
        if not m:
            raise _Bad(_AVAIL_ACCEPTED)
        days = parse_weekdays(m.group(1))
        if m.group(2) == "off":
            for d in days:
                out.pop(d, None)
            continue
        lo_s, hi_s = m.group(2).split("-")
        lo, hi = parse_clock(lo_s), parse_clock(hi_s)
        if hi <= lo:
            raise _Bad(_AVAIL_ACCEPTED + " with the end after the start")
        for d in days:
            out[d] = (lo, hi)
    return out


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]


def _number(text: str, *, integer: bool, low: float, high: float) -> float:
    kind = "a whole number" if integer else "a number"
    accepted = f"{kind} in [{low:g}, {high:g}]"
    try:
        v = float(text)
    except ValueError:
        raise _Bad(accepted) from None
    if math.isnan(v) or not low <= v <= high or (integer and v != int(v)):
        raise _Bad(accepted)
    return v


def _lengths(text: str) -> tuple[float, ...]:
    accepted = "shift lengths in hours separated by ';', e.g. '6;8'"
    out = []
    for part in re.split(r"[;,]", text):
        if part.strip():
            try:
                v = float(part)
            except ValueError:
                raise _Bad(accepted) from None
            if not 0 < v <= 24:
                raise _Bad(accepted + " (each in (0, 24])")
            out.append(v)
    return tuple(sorted(set(out)))


# -- skills -------------------------------------------------------------------------------
def _skill_parser(known_queues: Collection[str]) -> Callable[[str], dict[str, int]]:
    queues = list(known_queues)
    channel_of: Mapping[str, str] = known_queues if isinstance(known_queues, Mapping) else {}
    channels = sorted(set(channel_of.values()))
    listing = ", ".join(queues) + (f" or channels {', '.join(channels)}" if channels else "")
    accepted = (f"'NAME[:PRIORITY]' separated by ';' where NAME is one of the queues {listing} "
                "and PRIORITY a whole number >= 1 (1 = primary)")

    def parse(text: str) -> dict[str, int]:
        out: dict[str, int] = {}
        parts = _split(text)
        if not parts:
            raise _Bad(accepted)
        for part in parts:
            name, _, prio_s = part.partition(":")
            name = name.strip()
            prio = 1
            if prio_s.strip():
                if not prio_s.strip().isdigit() or int(prio_s) < 1:
                    raise _Bad(accepted)
                prio = int(prio_s)
            if name in queues:
                targets = [name]
            elif name in channels:
                targets = [q for q in queues if channel_of[q] == name]
            else:
                raise _Bad(accepted)
            for q in targets:
                out[q] = min(prio, out.get(q, prio))
        return out

    return parse


# -- reading the file ---------------------------------------------------------------------
def _read_table(path: Path) -> tuple[pd.DataFrame, int]:
    """The raw cells as strings and the file line number of the first data row."""
    if not path.is_file():
        raise InputDataError(f"{path}: agents file not found")
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raw = pd.read_excel(path, dtype=str, keep_default_na=False)
        else:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError,
            ValueError, OSError) as exc:
        kind = "Excel (.xlsx)" if path.suffix.lower() in (".xlsx", ".xlsm") else "CSV"
        raise InputDataError(f"{path}: not a readable {kind} agents file ({exc})") from None
    raw.columns = [str(c).strip().lower().replace(" ", "_") for c in raw.columns]
    return raw, 2


def read_agents(path: Path, known_queues: Collection[str]) -> list[Agent]:
    """Read and validate an agents file (CSV, or .xlsx: the first sheet).

    Parameters
    ----------
    path
        The file.
    known_queues
        The queue names skills may name. A mapping queue -> channel also lets a skill name
        a channel, meaning every queue of that channel.

    Raises
    ------
    InputDataError
        Naming the file, line, column, bad value and what is accepted.
    """
    path = Path(path)
    raw, first_line = _read_table(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise InputDataError(
            f"{path}: missing required column(s) {', '.join(missing)}; columns found: "
            f"{', '.join(raw.columns) or '(none)'}; expected {', '.join(REQUIRED_COLUMNS)} "
            f"and optionally {', '.join(OPTIONAL_COLUMNS)}"
        )
    if raw.empty:
        raise InputDataError(f"{path}: the agents file has no agent rows")
    skills = _skill_parser(known_queues)
    agents: list[Agent] = []
    seen: dict[str, int] = {}
    for i, rec in enumerate(raw.to_dict(orient="records")):
        line = first_line + i
        row = {str(k): str(v).strip() for k, v in rec.items()}
        agent = _row_to_agent(row, path, line, skills)
        if agent.agent_id in seen:
            raise InputDataError(
                f"{path}: line {line}, column agent_id: duplicate agent_id "
                f"{agent.agent_id!r} (first on line {seen[agent.agent_id]}); "
                "accepted: a unique id per agent"
            )
        seen[agent.agent_id] = line
        agents.append(agent)
    return agents


def _row_to_agent(row: dict[str, str], path: Path, line: int,
                  skills: Callable[[str], dict[str, int]]) -> Agent:
    def cell(col: str, parse: Callable[[str], Any], default: Any) -> Any:
        text = row.get(col, "")
        if text == "":
            return default
        try:
            return parse(text)
        except _Bad as exc:
            raise InputDataError(
                f"{path}: line {line}, column {col}: {text!r} is not valid; accepted: {exc}"
            ) from None

    def fail(col: str, message: str) -> InputDataError:
        return InputDataError(f"{path}: line {line}, column {col}: {message}")

    d = Agent("", "", "", {})
    agent_id = row.get("agent_id", "")
    if not agent_id:
        raise fail("agent_id", "empty; accepted: a unique id per agent")
    name = row.get("name", "") or agent_id
    if row.get("skills", "") == "":
        raise fail("skills", f"agent {agent_id!r} has no skills; accepted: "
                   "'QUEUE[:PRIORITY]' separated by ';'")
    agent_skills = cell("skills", skills, {})

    def num(col: str, default: float, integer: bool, high: float) -> Any:
        v = cell(col, lambda t: _number(t, integer=integer, low=0, high=high), default)
        return int(v) if integer else float(v)

    min_h = num("min_hours_week", d.min_hours_week, False, 168)
    max_h = num("max_hours_week", d.max_hours_week, False, 168)
    if min_h > max_h:
        raise fail("min_hours_week", f"{min_h:g} is above max_hours_week {max_h:g} for agent "
                   f"{agent_id!r}; accepted: min_hours_week <= max_hours_week")
    min_d = num("min_days_week", d.min_days_week, True, 7)
    max_d = num("max_days_week", d.max_days_week, True, 7)
    if min_d > max_d:
        raise fail("min_days_week", f"{min_d} is above max_days_week {max_d} for agent "
                   f"{agent_id!r}; accepted: min_days_week <= max_days_week")
    earliest = cell("earliest_start", parse_clock, d.earliest_start)
    latest = cell("latest_end", parse_clock, d.latest_end)
    if latest <= earliest:
        raise fail("latest_end", f"{row.get('latest_end')!r} is not after earliest_start "
                   f"{earliest:%H:%M} for agent {agent_id!r}; accepted: a later time")
    start_date = cell("start_date", _single_date, None)
    leave_date = cell("leave_date", _single_date, None)
    if start_date is not None and leave_date is not None and leave_date < start_date:
        raise fail("leave_date", f"{leave_date} is before start_date {start_date} for agent "
                   f"{agent_id!r}; accepted: a last working day on or after the start")
    contract_h = cell("contract_hours_week",
                      lambda t: _number(t, integer=False, low=0, high=168), None)
    if contract_h is None and row.get("max_hours_week", ""):
        contract_h = max_h
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    return Agent(
        agent_id=agent_id,
        name=name,
        team=row.get("team", ""),
        skills=agent_skills,
        min_hours_week=min_h,
        max_hours_week=max_h,
        min_days_week=min_d,
        max_days_week=max_d,
        shift_lengths_h=cell("shift_lengths_h", _lengths, ()),
        earliest_start=earliest,
        latest_end=latest,
        time_off=cell("time_off", parse_time_off, frozenset()),
        availability=cell("availability", parse_availability, None),
        preferred_start=cell("preferred_start", parse_clock, None),
        preferred_days_off=cell("preferred_days_off", parse_weekdays, frozenset()),
        site=row.get("site", ""),
        extra={k: v for k, v in row.items() if k not in known and v},
        start_date=start_date,
        leave_date=leave_date,
        contract_hours_week=None if contract_h is None else float(contract_h),
    )


# -- can each contract be met in a given week? -------------------------------------------------
def _hours(t: time) -> float:
    return 24.0 if t == END_OF_DAY else t.hour + t.minute / 60


def week_conflicts(agents: Collection[Agent], lengths_h: Collection[float],
                   paid_h: Callable[[float], float], first_day: date, *,
                   days_off_per_week: int = 0, allow_overnight: bool = False) -> list[str]:
    """Agents whose contract cannot be met in the 7 days from ``first_day``.

    A day counts as available when the agent has no time off, a window that day
    (availability, earliest start, latest end) and an allowed shift length fitting in the
    window (any length when overnight shifts are allowed and the window runs to 24:00). Days
    of time off lower the contract minimum by one day and a pro-rata share of hours each,
    as the roster checker does.

    Parameters
    ----------
    agents
        The agents.
    lengths_h
        The site's allowed shift lengths [h] (an agent's own list takes precedence).
    paid_h
        Paid hours of a shift of a given length [h] (length less unpaid breaks).
    first_day
        First local date of the week.
    days_off_per_week, allow_overnight
        The site's rules.

    Returns
    -------
    list[str]
        One readable sentence per agent that cannot meet their contract; empty when all can.
    """
    out: list[str] = []
    week = [first_day + timedelta(days=i) for i in range(7)]
    for a in agents:
        lengths = a.shift_lengths_h or tuple(lengths_h)
        best: list[float] = []  # best paid hours on each available day
        unavailable: list[str] = []
        for d in week:
            window = None if d in a.time_off else a.window(d.weekday())
            if window is None:
                unavailable.append(f"{d:%a %d %b}" + (" (time off)" if d in a.time_off else ""))
                continue
            span_h = _hours(window[1]) - _hours(window[0])
            overnight = allow_overnight and window[1] == END_OF_DAY
            fits = [h for h in lengths if h <= span_h + 1e-9 or overnight]
            if not fits:
                unavailable.append(f"{d:%a %d %b} (window {span_h:g} h)")
                continue
            best.append(max(paid_h(h) for h in fits))
        leave = sum(1 for d in week if d in a.time_off)
        min_days = max(a.min_days_week - leave, 0)
        min_hours = max(a.min_hours_week - a.min_hours_week / max(a.min_days_week, 5) * leave,
                        0.0)
        max_days = min(a.max_days_week, 7 - days_off_per_week, len(best))
        reachable_h = sum(sorted(best, reverse=True)[:max_days])
        why = f"; unavailable {', '.join(unavailable)}" if unavailable else ""
        if max_days < min_days:
            out.append(f"agent {a.agent_id} ({a.name}) needs {min_days} working day(s) in the "
                       f"week of {first_day} but can work at most {max_days}{why}")
        elif reachable_h + 1e-9 < min_hours:
            out.append(f"agent {a.agent_id} ({a.name}) needs {min_hours:g} paid h in the week "
                       f"of {first_day} but can reach at most {reachable_h:g} h "
                       f"(shifts of {', '.join(f'{h:g}' for h in lengths)} h){why}")
        elif min_days and min(paid_h(h) for h in lengths) * min_days > a.max_hours_week + 1e-9:
            out.append(f"agent {a.agent_id} ({a.name}) needs {min_days} working day(s) but even "
                       f"the shortest shift ({min(lengths):g} h) gives more than "
                       f"max_hours_week {a.max_hours_week:g} h")
    return out
