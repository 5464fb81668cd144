"""The weekly roster: stage (a) plan, stage (b) named agents, stage (c) breaks.

:func:`schedule_week` is the library entry point (explicit arguments, no Config, no files).
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from wfm.errors import ConfigError, InfeasibleScheduleError, InputDataError
from wfm.scheduling.agents import week_conflicts
from wfm.scheduling.assignment_greedy import rest_slots
from wfm.scheduling.break_placement import place_breaks
from wfm.scheduling.contracts import week_limits
from wfm.scheduling.coverage_model import objective_parts
from wfm.scheduling.eligibility import AgentLike, build_groups, eligible_shifts
from wfm.scheduling.excess_breakdown import excess_breakdown
from wfm.scheduling.feasibility import coverage_conflicts, slot_label
from wfm.scheduling.queue_blocks import queue_switches
from wfm.scheduling.requirement_grid import week_requirements
from wfm.scheduling.roster_frames import (
    coverage_frame,
    intervals_frame,
    roster_frame,
    scheduled_counts,
)
from wfm.scheduling.roster_stages import (
    STAGE_SHARES,
    assign_agents,
    plan_breaks,
    queue_blocks,
    solve_plan,
    switch_stats,
)
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.schedule_summary import (
    MAX_WARNINGS,
    STAGES,
    PerStage,
    QueueHours,
    ScheduleSummary,
)
from wfm.scheduling.shift_catalog import ShiftCatalog, build_catalog
from wfm.scheduling.solver_params import SolverParams
from wfm.scheduling.weekly_plan import relative_gap


@dataclass(frozen=True)
class ScheduleResult:
    """A week's roster (roster, agent intervals, coverage frames) and how good it is
    (:class:`~wfm.scheduling.schedule_summary.ScheduleSummary`, docs/scheduling.md)."""

    roster: pd.DataFrame
    agent_intervals: pd.DataFrame
    coverage: pd.DataFrame
    summary: ScheduleSummary


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {tz!r}; accepted: an IANA name such as "
                          "Europe/Paris") from None


def _check_lengths(agents: Sequence[AgentLike], rules: ShiftRules) -> None:
    site = rules.shift_lengths_h
    for a in agents:
        odd = [h for h in a.shift_lengths_h if not any(abs(h - s) < 1e-6 for s in site)]
        if odd:
            raise InputDataError(
                f"agent {a.agent_id}: shift_lengths_h {', '.join(f'{h:g}' for h in odd)} "
                f"not among the site's shift lengths "
                f"{', '.join(f'{h:g}' for h in site)} h; accepted: a subset of "
                "[scheduling] shift_lengths_h")


def _previous_week(previous: pd.DataFrame | None, agents: Sequence[AgentLike],
                   week_start: date, zone: ZoneInfo,
                   ) -> tuple[dict[int, datetime], np.ndarray, np.ndarray]:
    """Last shift end (UTC), consecutive working days just before the week, and the usual
    start of the previous week's shifts (local minutes after midnight, the most frequent,
    the earliest on a tie; -1 when unknown), per agent."""
    carry = np.zeros(len(agents), dtype=np.int64)
    usual = np.full(len(agents), -1, dtype=np.int64)
    last_end: dict[int, datetime] = {}
    if previous is None or previous.empty:
        return last_end, carry, usual
    index = {a.agent_id: k for k, a in enumerate(agents)}
    prev = previous.copy()
    prev["agent_id"] = prev["agent_id"].astype(str)
    prev["date"] = prev["date"].astype(str).str[:10]
    prev = prev[(prev["date"] < week_start.isoformat())
                & (prev["status"].astype(str).str.lower() == "work")]
    for aid, rows in prev.groupby("agent_id"):
        k = index.get(str(aid))
        if k is None:
            continue
        ends = pd.to_datetime(rows["shift_end"], utc=True, format="ISO8601", errors="coerce")
        if ends.notna().any():
            last_end[k] = ends.max().to_pydatetime()
        starts = pd.to_datetime(rows["shift_start"], utc=True, format="ISO8601",
                                errors="coerce").dropna().dt.tz_convert(zone)
        if len(starts):
            minutes = (starts.dt.hour * 60 + starts.dt.minute).value_counts()
            usual[k] = int(min(minutes.index[minutes == minutes.max()]))
        days = {date.fromisoformat(d) for d in rows["date"]}
        run, day = 0, week_start - timedelta(days=1)
        while day in days:
            run, day = run + 1, day - timedelta(days=1)
        carry[k] = run
    return last_end, carry, usual


def _eligibility(catalog: ShiftCatalog, agents: Sequence[AgentLike], rules: ShiftRules,
                 last_end: Mapping[int, datetime]) -> np.ndarray:
    eligible = np.array([eligible_shifts(a, catalog) for a in agents], dtype=bool).reshape(
        len(agents), catalog.n_shifts)
    rest = rest_slots(rules, catalog.grid.slot_minutes)
    for k, end in last_end.items():
        slot = (end - catalog.grid.start_utc).total_seconds() / 60 / catalog.grid.slot_minutes
        eligible[k] &= catalog.start >= np.ceil(slot - 1e-9) + rest
    return eligible


def schedule_week(requirements: pd.DataFrame, agents: Sequence[AgentLike], rules: ShiftRules,
                  *, week_start: date, tz: str | ZoneInfo, params: SolverParams,
                  allow_understaffing: bool = False,
                  previous_roster: pd.DataFrame | None = None,
                  progress: Callable[[str], None] | None = None) -> ScheduleResult:
    """Build the roster of one week.

    Parameters
    ----------
    requirements
        REQUIREMENTS frame (queue, channel, interval_start tz-aware or ISO text,
        agents_required); rows outside the week are ignored.
    agents
        The agents (``wfm.scheduling.agents.Agent`` or any object with those fields).
    rules
        Shift, break, rest rules and objective weights.
    week_start
        First local date of the week (normally a Monday).
    tz
        Site time zone (IANA name).
    params
        Solver limits; ``time_limit_s`` is the budget of the whole run, shared between the
        stages (:data:`STAGE_SHARES`).
    allow_understaffing
        Return the best roster even when it leaves a requirement uncovered; otherwise such
        a week raises :class:`InfeasibleScheduleError`.
    previous_roster
        The roster of the days before the week (roster.csv columns), when known: rest
        after its last shifts and its run of working days carry into this week.
    progress
        Called with one line after each stage (the CLI prints it on stderr).

    Raises
    ------
    InfeasibleScheduleError
        A contract cannot be met in the week, or (without ``allow_understaffing``) the
        requirements cannot be covered; the message names the binding rule.
    InputDataError
        The requirements do not cover the week, or an agent names a shift length the rules
        do not allow.
    """
    t0 = clock.perf_counter()
    zone = _zone(tz)
    if not agents:
        raise InputDataError("the agents file lists no agent")
    week = week_requirements(requirements, week_start, zone)
    _check_lengths(agents, rules)
    conflicts = week_conflicts(list(agents), rules.shift_lengths_h,  # type: ignore[arg-type]
                               rules.paid_hours, week_start,
                               days_off_per_week=rules.days_off_per_week,
                               allow_overnight=rules.allow_overnight)
    if conflicts:
        more = f" (and {len(conflicts) - 1} more agent(s))" if len(conflicts) > 1 else ""
        raise InfeasibleScheduleError(conflicts[0] + more)
    catalog = build_catalog(week_start, zone, rules, week.interval_minutes)
    required = week.slot_array(catalog.grid)
    limits = week_limits(agents, week_start, rules.days_off_per_week)
    last_end, carry, usual_start = _previous_week(previous_roster, agents, week_start, zone)
    eligible = _eligibility(catalog, agents, rules, last_end)
    warnings = coverage_conflicts(catalog, eligible, agents, week.queues, required)
    if warnings and not allow_understaffing:
        more = f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else ""
        raise InfeasibleScheduleError(warnings[0] + more,
                                      hint="rerun with --allow-understaffing to get the best "
                                           "roster with its shortfall")
    groups = build_groups(agents, eligible, catalog, rules.days_off_per_week,
                          min_paid_h=(limits.min_paid_min / 60).tolist(),
                          min_days=limits.min_days.tolist(), max_days=limits.max_days.tolist(),
                          queues=week.queues)
    if params.deadline is None:
        params = params.with_deadline()  # the run's wall-clock safety net starts here
    budget = {k: v * params.time_limit_s for k, v in STAGE_SHARES.items()}
    plan = solve_plan(catalog, groups, week.queues, required, rules,
                       params.with_budget(budget["a"]))
    t_a = clock.perf_counter()
    say = progress or (lambda _line: None)
    say(f"stage (a) weekly plan of {len(groups)} agent group(s): objective "
        f"{plan.objective:g}, LP bound {plan.lp_bound:g} ({t_a - t0:.1f} s)")
    # Budget the earlier stages left (work counted deterministically) goes to the next.
    budget["b"] += max(budget["a"] - plan.deterministic_s, 0.0)
    shift_of, stage_b = assign_agents(catalog, groups, plan, agents, eligible, limits, rules,
                                      week.queues, params.with_budget(budget["b"]), carry,
                                      usual_start)
    t_b = clock.perf_counter()
    say(f"stage (b) agents on shifts: {int((shift_of >= 0).sum())} shifts, "
        f"{stage_b.missed} planned missed, {stage_b.extra} added ({t_b - t_a:.1f} s)")
    budget["c"] += max(budget["b"] - stage_b.deterministic_s, 0.0)
    qidx = {q: i for i, q in enumerate(week.queues)}
    priority = [[qidx[q] for q in _by_priority(a.skills) if q in qidx] for a in agents]
    placed = place_breaks(catalog, shift_of, priority, required, rules,
                          week.queues, params.with_budget(budget["c"]),
                          plan_breaks=plan_breaks(catalog, groups, plan, len(agents)))
    t_c = clock.perf_counter()
    say(f"stage (c) breaks and lunch placed ({t_c - t_b:.1f} s)")
    budget["d"] += max(budget["c"] - placed.deterministic_s, 0.0)
    counts_c = scheduled_counts(placed, len(week.queues), catalog.grid.n_slots)
    placed, blocks, block_cost = queue_blocks(catalog, placed, shift_of, priority, required,
                                               rules, week.queues,
                                               params.with_budget(budget["d"]))
    switches = queue_switches(placed.queue, placed.activity, catalog, shift_of)
    t_d = clock.perf_counter()
    multi = np.array([len(p) > 1 for p in priority], dtype=bool)
    stats = switch_stats(switches, shift_of, multi)
    say(f"stage (d) queues of multi-skill agents in blocks of {rules.min_queue_block_min} min: "
        f"at most {stats.max} switch(es) per agent-day, coverage cost "
        f"{block_cost:+.4g} ({t_d - t_c:.1f} s)")
    counts = scheduled_counts(placed, len(week.queues), catalog.grid.n_slots)
    coverage = coverage_frame(catalog, week, counts)
    roster = roster_frame(catalog, agents, shift_of, placed)
    intervals = intervals_frame(catalog, agents, placed, week.queues)
    # Where the excess comes from (contracts, rounding, stages b-d): after the roster is
    # fixed, so it cannot change it.
    excess = excess_breakdown(catalog, groups, week.queues, required, rules, plan, shift_of,
                              counts_c, counts, deadline=params.deadline)
    say(f"excess: {excess.forced_excess_h:.1f} agent-h forced by the contracts, "
        f"{excess.lp.over_h.sum():.1f} in the LP, {excess.plan.over_h.sum():.1f} in the plan, "
        f"{excess.roster.over_h.sum():.1f} in the roster")
    by_queue = _queue_hours(coverage, week.queues, catalog.grid.slot_minutes / 60)
    exact, paid_h = _objective(catalog, required, counts, shift_of, rules, week.queues)
    objective = round(exact, 4)
    stage_status = PerStage(plan.status, _worst(stage_b.statuses), _worst(placed.statuses),
                            _worst(blocks.statuses))
    # Stage (a) relaxes who works which shift, so its optimum bounds the roster's: a roster
    # that loses nothing against a proven-optimal plan is itself optimal. With a relative
    # gap limit, CP-SAT's OPTIMAL only means "within the gap": no proof then.
    proven = params.relative_gap == 0 and all(s == "OPTIMAL" for s in stage_status.values())
    lost = objective > round(plan.objective, 4) + 1e-6
    at_bound = objective <= round(plan.lp_bound, 4) + 1e-6
    summary = ScheduleSummary(
        status="OPTIMAL" if (proven and not lost) or at_bound else "FEASIBLE",
        objective=objective, lp_bound=round(plan.lp_bound, 4),
        gap=round(relative_gap(exact, plan.lp_bound), 6),
        plan_objective=round(plan.objective, 4), plan_gap=round(plan.gap, 6),
        under_agent_hours=round(sum(h.under_agent_hours for h in by_queue.values()), 3),
        over_agent_hours=round(sum(h.over_agent_hours for h in by_queue.values()), 3),
        paid_hours=round(paid_h, 3), shifts=int((shift_of >= 0).sum()), by_queue=by_queue,
        stage_status=stage_status,
        stage_seconds=PerStage(round(t_a - t0, 3), round(t_b - t_a, 3), round(t_c - t_b, 3),
                               round(t_d - t_c, 3)),
        seconds_total=round(clock.perf_counter() - t0, 3),
        budget_s=params.time_limit_s,
        stage_budget_s=PerStage(*(round(budget[k], 3) for k in STAGES)),
        stage_work_s=PerStage(round(plan.deterministic_s, 3),
                              round(stage_b.deterministic_s, 3),
                              round(placed.deterministic_s, 3),
                              round(blocks.deterministic_s, 3)),
        queue_switches=stats, queue_block_cost=round(block_cost, 4),
        wall_limit_hits=PerStage(plan.wall_limit_hits, stage_b.wall_limit_hits,
                                 placed.wall_limit_hits, blocks.wall_limit_hits),
        lp_method=plan.lp_method,
        fallbacks=(*plan.notes, *stage_b.fallbacks),
        shifts_missed=stage_b.missed, shifts_extra=stage_b.extra,
        warnings=tuple(warnings[:MAX_WARNINGS]), short_intervals=len(warnings),
        week=week_start, timezone=zone.key, excess_breakdown=excess.summary(),
    )
    if summary.under_agent_hours > 1e-9 and not allow_understaffing:
        raise InfeasibleScheduleError(
            f"the best roster found leaves {summary.under_agent_hours:.4g} agent-hours "
            f"uncovered; worst: {_worst_gap(catalog, required, counts, week.queues)}",
            hint="rerun with --allow-understaffing to publish it with its shortfall, or add "
                 "agents / widen availability")
    return ScheduleResult(roster, intervals, coverage, summary)


def _by_priority(skills: Mapping[str, int]) -> list[str]:
    return sorted(skills, key=lambda q: (skills[q], q))


def _worst(statuses: Sequence[str]) -> str:
    if not statuses:
        return "OPTIMAL"
    return "OPTIMAL" if all(s == "OPTIMAL" for s in statuses) else "FEASIBLE"


def _worst_gap(catalog: ShiftCatalog, required: np.ndarray, counts: np.ndarray,
               queues: Sequence[str]) -> str:
    short = required - counts
    q, t = (int(v) for v in np.unravel_index(int(np.argmax(short)), short.shape))
    return (f"{slot_label(catalog, int(t), int(t))}: {int(required[q, t])} agents required on "
            f"{queues[q]}, {int(counts[q, t])} scheduled")


def _objective(catalog: ShiftCatalog, required: np.ndarray, counts: np.ndarray,  # noqa: PLR0917
               shift_of: np.ndarray, rules: ShiftRules, queues: Sequence[str],
               ) -> tuple[float, float]:
    """The roster's objective and its paid hours [h]."""
    slot_h = catalog.grid.slot_minutes / 60
    under = np.maximum(required - counts, 0)
    over = np.maximum(counts - required, 0)
    paid_h = float(catalog.paid_h[shift_of[shift_of >= 0]].sum())
    parts = objective_parts(under, over, paid_h, *rules.weights(queues),
                            rules.cost_per_paid_hour, slot_h)
    return float(parts["objective"]), paid_h


def _queue_hours(coverage: pd.DataFrame, queues: Sequence[str],
                 slot_h: float) -> dict[str, QueueHours]:
    """Required, scheduled, short and excess agent-hours per queue, from the coverage
    frame (its intervals, the requirements' length, else the slot's)."""
    step_h = (pd.to_datetime(coverage["interval_start"], utc=True, format="ISO8601")
              .diff().dt.total_seconds().dropna())
    interval_h = float(step_h[step_h > 0].min()) / 3600 if (step_h > 0).any() else slot_h
    gap = coverage["gap"].to_numpy(float)
    by_queue: dict[str, QueueHours] = {}
    for q in queues:
        m = (coverage["queue"] == q).to_numpy()
        by_queue[q] = QueueHours(
            required_agent_hours=round(float(coverage["required"][m].sum()) * interval_h, 3),
            scheduled_agent_hours=round(float(coverage["scheduled"][m].sum()) * interval_h,
                                        3),
            under_agent_hours=round(float(np.maximum(-gap[m], 0).sum()) * interval_h, 3),
            over_agent_hours=round(float(np.maximum(gap[m], 0).sum()) * interval_h, 3),
        )
    return by_queue
