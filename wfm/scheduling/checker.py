"""The independent roster checker: every hard rule, verified on any roster file.

It shares no code with the optimiser on purpose: it re-reads the roster as a supervisor
would see it (local dates, shift start and end with offsets, breaks as local clock text)
and checks each rule from the agents file and :class:`~wfm.scheduling.rules.ShiftRules`
directly. Durations are elapsed time (UTC differences), so a shift across a
daylight-saving change is as long as the clock on the wall says it is not.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.errors import InputDataError
from wfm.scheduling.agents import END_OF_DAY, Agent
from wfm.scheduling.rules import BreakRule, ShiftRules
from wfm.schema import parse_timestamps

ROSTER_COLUMNS: tuple[str, ...] = ("agent_id", "date", "status", "shift_start", "shift_end",
                                   "activities")
STATUSES: tuple[str, ...] = ("work", "off", "leave")
VIOLATION_COLUMNS: tuple[str, ...] = ("agent_id", "date", "rule", "found", "allowed")
_TOL_MIN = 0.5  # minutes of slack on float comparisons of durations
_ACTIVITY = re.compile(r"(\w+)\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})")


@dataclass(frozen=True)
class Violation:
    """One broken hard rule: who, which local date, which rule, what was found and allowed."""

    agent_id: str
    date: str
    rule: str
    found: str
    allowed: str


@dataclass(frozen=True)
class _Activity:
    kind: str
    start: datetime  # UTC: aware datetimes sharing one tzinfo compare and subtract by wall
    end: datetime    # clock in Python, which is wrong across a daylight-saving change
    text: str


@dataclass(frozen=True)
class _Shift:
    agent_id: str
    day: date
    start: datetime  # UTC, see _Activity
    end: datetime
    activities: tuple[_Activity, ...]
    tz: ZoneInfo

    @property
    def ls(self) -> datetime:
        return self.start.astimezone(self.tz)

    @property
    def le(self) -> datetime:
        return self.end.astimezone(self.tz)

    @property
    def length_min(self) -> float:
        return (self.end - self.start).total_seconds() / 60


def violations_frame(violations: Iterable[Violation]) -> pd.DataFrame:
    """The violations as a frame with :data:`VIOLATION_COLUMNS`."""
    rows = [v.__dict__ for v in violations]
    return pd.DataFrame(rows, columns=list(VIOLATION_COLUMNS))


def read_roster(path: Path) -> pd.DataFrame:
    """Read a roster.csv (as written by wfm or edited by hand) with every cell as text."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputDataError(f"{path}: roster file not found") from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputDataError(f"{path}: not a readable roster CSV ({exc})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in ROSTER_COLUMNS if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"{path}: missing roster column(s) {', '.join(missing)}; columns found: "
            f"{', '.join(frame.columns) or '(none)'}; expected {', '.join(ROSTER_COLUMNS)}"
        )
    return frame


# -- parsing the roster -------------------------------------------------------------------
def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return ""
    if isinstance(v, pd.Timestamp | datetime):
        return v.isoformat()
    return str(v).strip()


def _local(text: str, tz: ZoneInfo, where: str) -> datetime:
    try:
        ts = pd.Timestamp(text)
    except ValueError:
        raise InputDataError(f"{where}: cannot read timestamp {text!r}; accepted: ISO 8601 "
                             "with an offset, e.g. 2026-11-30T08:00:00+01:00") from None
    if ts.tzinfo is None:
        naive = ts.to_pydatetime()
        candidates = {_localize(naive, tz, fold).astimezone(UTC) for fold in (0, 1)}
        if len(candidates) != 1 or _localize(naive, tz, 0).replace(tzinfo=None) != naive:
            raise InputDataError(
                f"{where}: local time {text!r} is ambiguous or does not exist in {tz.key} "
                "(daylight-saving change); write it with its UTC offset")
        return candidates.pop().astimezone(tz)
    return ts.to_pydatetime().astimezone(tz)


def _localize(naive: datetime, tz: ZoneInfo, fold: int) -> datetime:
    # Round-trip through UTC to normalise non-existent local times.
    return naive.replace(tzinfo=tz, fold=fold).astimezone(UTC).astimezone(tz)


def _clock(text: str) -> time:
    h, m = (int(x) for x in text.split(":"))
    if h == 24 and m == 0:
        return END_OF_DAY
    return time(h, m)


def _activities(text: str, start: datetime, tz: ZoneInfo,
                where: str) -> list[tuple[_Activity, ...]]:
    """Local clock activities placed at the first instant after the shift start showing them.

    A clock time in the hour repeated by the autumn change names two instants; each reading
    is returned (one tuple of activities per combination) and the caller keeps the one that
    agrees best with the rules, since the text alone cannot tell them apart.
    """
    options: list[list[_Activity]] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        m = _ACTIVITY.fullmatch(part)
        if not m:
            raise InputDataError(
                f"{where}: cannot read activity {part!r}; accepted: 'KIND HH:MM-HH:MM' "
                "separated by ';', e.g. 'break 10:00-10:15; lunch 12:30-13:00'")
        try:
            lo, hi = _clock(m.group(2)), _clock(m.group(3))
        except ValueError:
            raise InputDataError(f"{where}: activity {part!r} has a bad clock time; "
                                 "accepted: HH:MM from 00:00 to 24:00") from None
        options.append([_Activity(m.group(1).lower(), a, b, part)
                        for a in _instants(lo, start, tz) for b in _instants(hi, a, tz)[:1]])
    return [tuple(sorted(combo, key=lambda x: x.start))
            for combo in itertools.islice(itertools.product(*options), 64)]


def _instants(clock: time, after: datetime, tz: ZoneInfo) -> list[datetime]:
    """The first instant (UTC) at or after ``after`` (UTC) showing ``clock`` in ``tz``, and
    its twin when that clock time occurs twice that day (autumn change)."""
    found: set[datetime] = set()
    for offset in (-1, 0, 1):
        day = after.astimezone(tz).date() + timedelta(days=offset)
        for fold in (0, 1):
            if clock == END_OF_DAY:
                cand = datetime.combine(day + timedelta(days=1), time(0), tz)
            else:
                cand = _localize(datetime.combine(day, clock), tz, fold)
            if cand.astimezone(UTC) >= after:
                found.add(cand.astimezone(UTC))
    first, *rest = sorted(found)
    twin = [c for c in rest[:1] if c - first <= timedelta(hours=1)
            and c.astimezone(tz).time() == first.astimezone(tz).time()]
    return [first, *twin]


# -- the checks -----------------------------------------------------------------------------
def check_roster(roster: pd.DataFrame, agents: list[Agent], rules: ShiftRules, tz: ZoneInfo,  # noqa: PLR0917
                 requirements: pd.DataFrame | None = None,
                 intervals: pd.DataFrame | None = None,
                 source: str = "roster") -> list[Violation]:
    """Verify every hard rule on a roster and list the violations (empty when clean).

    Parameters
    ----------
    roster
        One row per agent and local date: agent_id, date (YYYY-MM-DD), status
        (work|off|leave), shift_start, shift_end (ISO 8601 with offset; empty unless
        working), activities ("break 10:00-10:15; lunch 12:30-13:00"), optionally paid_hours.
    agents
        The agents file.
    rules
        Shift, break and rest rules.
    tz
        Site time zone: local dates, clock times, availability.
    requirements
        Optional requirements frame: shifts must fall on its local dates.
    intervals
        Optional interval view (agent_id, interval_start, activity, queue): queues must
        be skills of the agent and no agent may be counted twice in one interval.
    source
        Name of the roster in error messages.

    Raises
    ------
    InputDataError
        When a cell cannot be read at all (bad timestamp, activity text, status).
    """
    by_id = {a.agent_id: a for a in agents}
    out: list[Violation] = []
    shifts: dict[str, list[_Shift]] = {}
    days: dict[str, dict[date, str]] = {}
    seen: set[tuple[str, str]] = set()
    for i, rec in enumerate(roster.to_dict(orient="records")):
        where = f"{source}: line {i + 2}"
        aid, day_s = _text(rec.get("agent_id")), _text(rec.get("date"))[:10]
        status = _text(rec.get("status")).lower() or "work"
        if status not in STATUSES:
            raise InputDataError(f"{where}, column status: {status!r} is not valid; "
                                 f"accepted: {', '.join(STATUSES)}")
        try:
            day = date.fromisoformat(day_s)
        except ValueError:
            raise InputDataError(f"{where}, column date: {day_s!r} is not valid; "
                                 "accepted: a local date YYYY-MM-DD") from None

        def flag(rule: str, found: str, allowed: str, *, aid: str = aid, day: date = day,
                 out: list[Violation] = out) -> None:
            out.append(Violation(aid, day.isoformat(), rule, found, allowed))

        if (aid, day_s) in seen:
            flag("duplicate_day", "two rows for this agent and date", "one row per agent and day")
            continue
        seen.add((aid, day_s))
        agent = by_id.get(aid)
        if agent is None:
            flag("unknown_agent", f"agent_id {aid!r} is not in the agents file",
                 "agents listed in the agents file")
            continue
        days.setdefault(aid, {})[day] = status
        start_s, end_s = _text(rec.get("shift_start")), _text(rec.get("shift_end"))
        if status != "work":
            if start_s or end_s:
                flag("status", f"status {status} with a shift {start_s}..{end_s}",
                     "no shift times unless status is work")
            continue
        if not start_s or not end_s:
            flag("shift_times", "status work without shift_start and shift_end",
                 "both times, ISO 8601 with offset")
            continue
        start = _local(start_s, tz, f"{where}, column shift_start").astimezone(UTC)
        end = _local(end_s, tz, f"{where}, column shift_end").astimezone(UTC)
        if end <= start:
            flag("shift_times", f"shift ends {end.astimezone(tz):%H:%M} before it starts "
                 f"{start.astimezone(tz):%H:%M}", "shift_end after shift_start")
            continue
        readings = _activities(_text(rec.get("activities")), start, tz,
                               f"{where}, column activities")
        checked = [(_check_shift(shift, agent, rules, _text(rec.get("paid_hours"))), shift)
                   for shift in (_Shift(aid, day, start, end, acts, tz) for acts in readings)]
        found, shift = min(checked, key=lambda c: len(c[0]))
        shifts.setdefault(aid, []).append(shift)
        out += found
    for aid, agent_shifts in shifts.items():
        out += _check_sequence(sorted(agent_shifts, key=lambda s: s.start), by_id[aid], rules)
    all_days = {d for per in days.values() for d in per}
    for aid, per_day in days.items():
        out += _check_weeks(by_id[aid], per_day, shifts.get(aid, []), rules, all_days)
    if requirements is not None and len(requirements):
        out += _check_week_of_requirements(shifts, requirements, tz)
    if intervals is not None and len(intervals):
        out += _check_intervals(intervals, by_id, tz)
    return sorted(out, key=lambda v: (v.agent_id, v.date, v.rule))


def _hm(minutes: float) -> str:
    m = round(minutes)
    return f"{m // 60} h" if m % 60 == 0 else f"{m // 60}h{m % 60:02d}"


def _check_shift(s: _Shift, agent: Agent, rules: ShiftRules, paid_text: str) -> list[Violation]:
    out: list[Violation] = []

    def flag(rule: str, found: str, allowed: str) -> None:
        out.append(Violation(s.agent_id, s.day.isoformat(), rule, found, allowed))

    ls, le = s.ls, s.le
    span = f"{ls:%H:%M}-{le:%H:%M}"
    if ls.date() != s.day:
        flag("shift_date", f"shift starts on {ls.date()}", f"a shift starting on {s.day}")
    if s.day in agent.time_off:
        flag("time_off", f"shift {span} on a day of time off", "no shift on time off")
    lengths = agent.shift_lengths_h or rules.shift_lengths_h
    length_min = s.length_min
    if not any(abs(length_min - h * 60) <= _TOL_MIN for h in lengths):
        flag("shift_length", f"{length_min / 60:g} h ({span}, elapsed)",
             ", ".join(f"{h:g}" for h in lengths) + " h")
    start_min = ls.hour * 60 + ls.minute
    if start_min % rules.start_grid_minutes or ls.second:
        flag("start_grid", f"start {ls:%H:%M}",
             f"a start every {rules.start_grid_minutes} min from 00:00")
    crosses = le.date() > ls.date() and le.time() != time(0)
    if crosses and not rules.allow_overnight:
        flag("overnight", f"shift {span} runs past midnight", "no overnight shifts")
    window = agent.window(s.day.weekday())
    if window is None:
        flag("availability", f"shift {span} on {s.day:%a}", "not available that day")
    else:
        lo, hi = window
        end_clock = le.time() if le.date() == ls.date() else END_OF_DAY
        over = crosses and hi != END_OF_DAY
        if ls.time() < lo or end_clock > hi or over:
            flag("availability", f"shift {span}",
                 f"within {lo:%H:%M}-{'24:00' if hi == END_OF_DAY else f'{hi:%H:%M}'}")
    _check_activities(s, rules, flag)
    if paid_text:
        try:
            paid = float(paid_text)
        except ValueError:
            paid = math.nan
        expected = _paid_hours(s, rules)
        if not abs(paid - expected) * 60 <= _TOL_MIN:
            flag("paid_hours", f"paid_hours {paid_text}",
                 f"{expected:g} h (elapsed shift less unpaid breaks)")
    return out


def _unpaid(kind: str, rules: ShiftRules) -> bool:
    kinds = [b for b in rules.breaks if b.kind == kind]
    return not kinds[0].paid if kinds else kind == "lunch"


def _paid_hours(s: _Shift, rules: ShiftRules) -> float:
    unpaid_s = sum((a.end - a.start).total_seconds() for a in s.activities
                   if _unpaid(a.kind, rules))
    return ((s.end - s.start).total_seconds() - unpaid_s) / 3600


def _check_activities(s: _Shift, rules: ShiftRules, flag: Any) -> None:
    for a in s.activities:
        if a.start < s.start or a.end > s.end:
            flag("activity_outside_shift", a.text,
                 f"inside the shift {s.ls:%H:%M}-{s.le:%H:%M}")
        if a.end <= a.start:
            flag("activity_times", a.text, "an end after the start")
    for a, b in itertools.pairwise(s.activities):
        if b.start < a.end:
            flag("activity_overlap", f"{a.text} and {b.text}", "activities that do not overlap")
    length_min = round(s.length_min)
    required = [b for b in rules.breaks if s.length_min + _TOL_MIN >= b.min_shift_h * 60]
    # Other activities (meeting, training) are free-form: only breaks and lunch are counted.
    for kind in ("break", "lunch"):
        want = sorted((b for b in required if b.kind == kind),
                      key=lambda b: b.earliest_latest_min(length_min)[0])
        have = [a for a in s.activities if a.kind == kind]
        if len(have) != len(want):
            flag(f"{kind}_count", f"{len(have)} {kind}(s): "
                 + ("; ".join(a.text for a in have) or "none"),
                 f"{len(want)} {kind}(s) on a {s.length_min / 60:g} h shift")
            continue
        for rule, act in zip(want, have, strict=True):
            _check_one_break(s, rule, act, length_min, flag)


def _check_one_break(s: _Shift, rule: BreakRule, act: _Activity, length_min: int,
                     flag: Any) -> None:
    dur = (act.end - act.start).total_seconds() / 60
    if abs(dur - rule.duration_min) > _TOL_MIN:
        flag(f"{rule.kind}_length", f"{act.text} ({dur:g} min)", f"{rule.duration_min} min")
    lo, hi = rule.earliest_latest_min(length_min)
    offset = (act.start - s.start).total_seconds() / 60
    if not lo - _TOL_MIN <= offset <= hi + _TOL_MIN:
        first = (s.start + timedelta(minutes=lo)).astimezone(s.tz)
        last = (s.start + timedelta(minutes=hi)).astimezone(s.tz)
        flag(f"{rule.kind}_window", f"{act.text} starts {_hm(offset)} into the shift",
             f"a start {_hm(lo)}-{_hm(hi)} into the shift ({first:%H:%M}-{last:%H:%M})")


def _check_sequence(shifts: list[_Shift], agent: Agent, rules: ShiftRules) -> list[Violation]:
    out: list[Violation] = []
    for prev, nxt in itertools.pairwise(shifts):
        rest_h = (nxt.start - prev.end).total_seconds() / 3600
        if rest_h * 60 + _TOL_MIN < rules.min_rest_h * 60:
            out.append(Violation(
                agent.agent_id, nxt.day.isoformat(), "min_rest",
                f"{rest_h:g} h rest after the shift ending {prev.le:%Y-%m-%d %H:%M}",
                f"at least {rules.min_rest_h:g} h"))
    return out


def _check_weeks(agent: Agent, per_day: dict[date, str], shifts: list[_Shift],
                 rules: ShiftRules, all_days: set[date]) -> list[Violation]:
    out: list[Violation] = []
    work_days = sorted(d for d, st in per_day.items() if st == "work")
    run: list[date] = []
    for d in work_days:
        run = [*run, d] if run and d - run[-1] == timedelta(days=1) else [d]
        if len(run) == rules.max_consecutive_days + 1:
            out.append(Violation(agent.agent_id, d.isoformat(), "max_consecutive_days",
                                 f"{len(run)} days in a row from {run[0]}",
                                 f"at most {rules.max_consecutive_days}"))
    paid_by_day = {s.day: _paid_hours(s, rules) for s in shifts}
    # Weeks are 7-day blocks from the roster's first date, so a roster may start any weekday.
    anchor = min(all_days)
    firsts = sorted({anchor + timedelta(days=(d - anchor).days // 7 * 7) for d in per_day})
    for first in firsts:
        week = [first + timedelta(days=i) for i in range(7)]
        if not set(week) <= all_days:
            continue  # the roster does not cover this whole week: weekly rules do not apply
        worked = [d for d in week if per_day.get(d) == "work"]
        leave = [d for d in week if d not in worked
                 and (per_day.get(d) == "leave" or d in agent.time_off)]
        tag = first.isoformat()

        def flag(rule: str, found: str, allowed: str, tag: str = tag) -> None:
            out.append(Violation(agent.agent_id, tag, rule, found, allowed))

        off = 7 - len(worked)
        if off < rules.days_off_per_week:
            flag("days_off", f"{off} day(s) off in the week of {tag}",
                 f"at least {rules.days_off_per_week}")
        # Time off lowers the contract minimum: one day and a pro-rata share of hours each.
        min_days = max(agent.min_days_week - len(leave), 0)
        per_day_h = agent.min_hours_week / max(agent.min_days_week, 5)
        min_hours = max(agent.min_hours_week - per_day_h * len(leave), 0.0)
        if not min_days <= len(worked) <= agent.max_days_week:
            flag("days_per_week", f"{len(worked)} working day(s)",
                 f"{min_days}-{agent.max_days_week} (contract"
                 + (f", less {len(leave)} day(s) of time off)" if leave else ")"))
        hours = sum(paid_by_day.get(d, 0.0) for d in worked)
        if not min_hours - 1e-6 <= hours <= agent.max_hours_week + 1e-6:
            flag("hours_per_week", f"{hours:g} paid h",
                 f"{min_hours:g}-{agent.max_hours_week:g} h (contract"
                 + (f", less {len(leave)} day(s) of time off)" if leave else ")"))
    return out


def _utc_column(frame: pd.DataFrame, what: str) -> pd.Series:
    if "interval_start" not in frame.columns:
        raise InputDataError(f"{what}: missing column interval_start; columns found: "
                             f"{', '.join(map(str, frame.columns))}")
    return parse_timestamps(frame["interval_start"], what, "interval_start")


def _check_week_of_requirements(shifts: dict[str, list[_Shift]], requirements: pd.DataFrame,
                                tz: ZoneInfo) -> list[Violation]:
    starts = _utc_column(requirements, "requirements")
    local_days = {t.date() for t in starts.dt.tz_convert(tz)}
    return [Violation(s.agent_id, s.day.isoformat(), "outside_requirements",
                      f"shift on {s.day}",
                      f"dates of the requirements, {min(local_days)}..{max(local_days)}")
            for per in shifts.values() for s in per if s.day not in local_days]


def _check_intervals(intervals: pd.DataFrame, by_id: dict[str, Agent],
                     tz: ZoneInfo) -> list[Violation]:
    out: list[Violation] = []
    starts = _utc_column(intervals, "agent intervals")
    frame = pd.DataFrame({"agent_id": intervals["agent_id"].astype(str), "start": starts,
                          "activity": intervals.get("activity", "work"),
                          "queue": intervals.get("queue", "")})
    dup = frame[frame.duplicated(["agent_id", "start"], keep="first")]
    for rec in dup.to_dict(orient="records"):
        local = rec["start"].tz_convert(tz)
        out.append(Violation(rec["agent_id"], local.date().isoformat(), "counted_twice",
                             f"two rows at {local:%H:%M}", "one activity per agent and interval"))
    working = frame[frame["activity"].astype(str) == "work"]
    for rec in working.to_dict(orient="records"):
        agent = by_id.get(rec["agent_id"])
        queue = _text(rec["queue"])
        if agent is not None and queue and queue not in agent.skills:
            local = rec["start"].tz_convert(tz)
            out.append(Violation(agent.agent_id, local.date().isoformat(), "skill",
                                 f"works {queue} at {local:%H:%M}",
                                 f"skills {', '.join(agent.skills)}"))
    return out
