"""How good a week's roster is: the typed summary of :class:`~wfm.scheduling.roster.ScheduleResult`.

Readers use attributes (``summary.status``, ``summary.by_queue["voice_fr"].under_agent_hours``);
:meth:`ScheduleSummary.to_dict` is for the serialisation boundary only (the ``summary`` of a
schedule run's manifest.json), and keeps the keys that manifest has always had.
:func:`merge_summaries` joins the summaries of independent groups of agents into one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from wfm.scheduling.excess_summary import ExcessSummary
from wfm.scheduling.plan_search import relative_gap

T = TypeVar("T")

#: The stages of a roster: (a) weekly plan, (b) agents on shifts, (c) breaks, (d) queue
#: blocks of multi-skill agents.
STAGES: tuple[str, ...] = ("a", "b", "c", "d")
#: At most this many coverage warnings are kept (``short_intervals`` counts them all).
MAX_WARNINGS = 20


@dataclass(frozen=True)
class PerStage(Generic[T]):
    """One value per stage of the roster (a, b, c, d)."""

    a: T
    b: T
    c: T
    d: T

    def values(self) -> tuple[T, T, T, T]:
        return self.a, self.b, self.c, self.d

    def to_dict(self) -> dict[str, T]:
        return dict(zip(STAGES, self.values(), strict=True))

    @staticmethod
    def combine(parts: Sequence[PerStage[T]], join: Callable[[list[T]], T]) -> PerStage[T]:
        """Stage by stage, ``join`` of the parts' values."""
        a, b, c, d = (join([p.values()[k] for p in parts]) for k in range(4))
        return PerStage(a, b, c, d)


@dataclass(frozen=True)
class QueueHours:
    """Agent-hours of one queue over the week [agent-hours]: required, scheduled, short
    (summed over the short intervals) and in excess (over the intervals in excess)."""

    required_agent_hours: float
    scheduled_agent_hours: float
    under_agent_hours: float
    over_agent_hours: float

    def to_dict(self) -> dict[str, float]:
        return {"required_agent_hours": self.required_agent_hours,
                "scheduled_agent_hours": self.scheduled_agent_hours,
                "under_agent_hours": self.under_agent_hours,
                "over_agent_hours": self.over_agent_hours}


@dataclass(frozen=True)
class QueueSwitches:
    """Changes of queue per agent-day worked by agents with two queues or more.

    ``histogram``: number of switches -> agent-days with that many (counts > 0 only, in
    increasing order); ``max`` and ``mean`` of the switches; ``agent_days`` counted.
    """

    max: int = 0
    mean: float = 0.0
    agent_days: int = 0
    histogram: Mapping[int, int] = field(default_factory=dict)

    @classmethod
    def from_histogram(cls, histogram: Mapping[int, int]) -> QueueSwitches:
        """The statistics of a histogram (switches -> agent-days)."""
        hist = {int(k): int(n) for k, n in sorted(histogram.items()) if int(n)}
        days = sum(hist.values())
        if not days:
            return cls()
        return cls(max(hist), round(sum(k * n for k, n in hist.items()) / days, 3), days,
                   hist)

    def to_dict(self) -> dict[str, Any]:
        return {"max": self.max, "mean": self.mean, "agent_days": self.agent_days,
                "histogram": {str(k): n for k, n in self.histogram.items()}}


@dataclass(frozen=True)
class ScheduleSummary:
    """How good a week's roster is and how it was found (docs/scheduling.md).

    Attributes
    ----------
    status
        ``OPTIMAL`` (proven, or at the LP bound) or ``FEASIBLE``.
    objective, lp_bound, gap
        The roster's objective (weighted agent-hours short and in excess, plus paid-hour
        cost), the bound of stage (a)'s LP relaxation and the relative gap between them
        (0-1).
    plan_objective, plan_gap
        Stage (a)'s weekly plan: its objective and its gap to the bound (0-1).
    under_agent_hours, over_agent_hours
        Agent-hours short / in excess over all queues [agent-hours].
    paid_hours
        Paid hours of the shifts worked [h].
    shifts
        Shifts worked.
    by_queue
        Queue -> its :class:`QueueHours`.
    stage_status
        Solver status per stage.
    stage_seconds, seconds_total
        Wall time per stage and of the whole roster [s].
    budget_s, stage_budget_s, stage_work_s
        The run's budget, each stage's share (with what earlier stages left) and the work
        each did, in budget seconds (deterministic, see solver_params) [s].
    queue_switches, queue_block_cost
        Queue changes of multi-skill agents, and what stage (d)'s blocks cost in coverage
        (weighted agent-hours).
    wall_limit_hits
        Solver calls per stage stopped by the wall-clock safety net (a rerun may differ).
    lp_method
        The LP solver of stage (a)'s bound (``GLOP`` or ``PDLP``).
    fallbacks
        What stages fell back to (a group re-solved, the greedy assignment kept ...).
    shifts_missed, shifts_extra
        Planned shifts stage (b) could not staff / shifts it added.
    warnings, short_intervals
        The first :data:`MAX_WARNINGS` coverage warnings (intervals no eligible agent can
        cover) and how many there were.
    week, timezone
        First local day of the week and the site time zone (IANA name).
    groups
        Independent groups of agents rostered separately and merged; ``None`` for one
        roster (the manifest then has no ``groups`` key).
    """

    status: str
    objective: float
    lp_bound: float
    gap: float
    plan_objective: float
    plan_gap: float
    under_agent_hours: float
    over_agent_hours: float
    paid_hours: float
    shifts: int
    by_queue: Mapping[str, QueueHours]
    stage_status: PerStage[str]
    stage_seconds: PerStage[float]
    seconds_total: float
    budget_s: float
    stage_budget_s: PerStage[float]
    stage_work_s: PerStage[float]
    queue_switches: QueueSwitches
    queue_block_cost: float
    wall_limit_hits: PerStage[int]
    lp_method: str
    fallbacks: tuple[str, ...]
    shifts_missed: int
    shifts_extra: int
    warnings: tuple[str, ...]
    short_intervals: int
    week: date
    timezone: str
    groups: int | None = None
    # Where the excess comes from (wfm.scheduling.excess_breakdown; amounts that add up).
    excess_breakdown: ExcessSummary | None = None

    @property
    def reproducible(self) -> bool:
        """No solver call was stopped by the wall-clock net: a rerun of the same inputs
        gives the same roster."""
        return not any(self.wall_limit_hits.values())

    def to_dict(self) -> dict[str, Any]:
        """The summary as the JSON object of manifest.json (its keys since version 1);
        for serialisation only: read the attributes."""
        seconds = self.stage_seconds
        out: dict[str, Any] = {
            "objective": self.objective, "lp_bound": self.lp_bound, "gap": self.gap,
            "plan_objective": self.plan_objective, "plan_gap": self.plan_gap,
            "under_agent_hours": self.under_agent_hours,
            "over_agent_hours": self.over_agent_hours, "paid_hours": self.paid_hours,
            "shifts": self.shifts,
            "by_queue": {q: h.to_dict() for q, h in self.by_queue.items()},
            "stage_status": self.stage_status.to_dict(),
            "seconds_a": seconds.a, "seconds_b": seconds.b, "seconds_c": seconds.c,
            "seconds_d": seconds.d, "seconds_total": self.seconds_total,
            "budget_s": self.budget_s, "stage_budget_s": self.stage_budget_s.to_dict(),
            "stage_work_s": self.stage_work_s.to_dict(),
            "queue_switches": self.queue_switches.to_dict(),
            "queue_block_cost": self.queue_block_cost,
            "wall_limit_hits": self.wall_limit_hits.to_dict(),
            "reproducible": self.reproducible, "lp_method": self.lp_method,
            "fallbacks": list(self.fallbacks), "shifts_missed": self.shifts_missed,
            "shifts_extra": self.shifts_extra, "warnings": list(self.warnings),
            "short_intervals": self.short_intervals, "week": self.week.isoformat(),
            "timezone": self.timezone, "status": self.status,
        }
        if self.groups is not None:
            out["groups"] = self.groups
        if self.excess_breakdown is not None:
            out["excess_breakdown"] = self.excess_breakdown.to_dict()
        return out


def _add(values: Iterable[float]) -> float:
    """A sum as the merged manifest has always rounded it (4 decimals; ints stay ints)."""
    total = sum(values)
    return round(total, 4) if isinstance(total, float) else total


def _worst(statuses: Sequence[str]) -> str:
    """OPTIMAL when every part is; FEASIBLE when one is not; another status (UNKNOWN ...)
    of the first part stays."""
    if statuses[0] not in ("OPTIMAL", "FEASIBLE"):
        return statuses[0]
    return "OPTIMAL" if all(s == "OPTIMAL" for s in statuses) else "FEASIBLE"


def _queue_hours(parts: Sequence[QueueHours]) -> QueueHours:
    return QueueHours(_add(p.required_agent_hours for p in parts),
                      _add(p.scheduled_agent_hours for p in parts),
                      _add(p.under_agent_hours for p in parts),
                      _add(p.over_agent_hours for p in parts))


def merge_summaries(parts: Sequence[ScheduleSummary], *,
                    seconds_total: float) -> ScheduleSummary:
    """One summary of independent groups' rosters: amounts add up (objectives and bounds
    of independent problems add), lists join, statuses take the worst, the gaps and the
    queue-switch statistics are recomputed; week, time zone and LP method are the first
    group's. ``seconds_total``: wall time of the whole run [s]."""
    first = parts[0]
    queues = dict.fromkeys(q for p in parts for q in p.by_queue)
    by_queue = {q: _queue_hours([p.by_queue[q] for p in parts if q in p.by_queue])
                for q in queues}
    histogram: dict[int, int] = {}
    for p in parts:
        for k, n in p.queue_switches.histogram.items():
            histogram[k] = histogram.get(k, 0) + n
    objective = _add(p.objective for p in parts)
    lp_bound = _add(p.lp_bound for p in parts)
    plan_objective = _add(p.plan_objective for p in parts)
    return ScheduleSummary(
        status=("OPTIMAL" if all(p.status == "OPTIMAL" for p in parts) else "FEASIBLE"),
        objective=objective, lp_bound=lp_bound,
        gap=round(relative_gap(objective, lp_bound), 6),
        plan_objective=plan_objective,
        plan_gap=round(relative_gap(plan_objective, lp_bound), 6),
        under_agent_hours=_add(p.under_agent_hours for p in parts),
        over_agent_hours=_add(p.over_agent_hours for p in parts),
        paid_hours=_add(p.paid_hours for p in parts),
        shifts=sum(p.shifts for p in parts),
        by_queue=by_queue,
        stage_status=PerStage.combine([p.stage_status for p in parts], _worst),
        stage_seconds=PerStage.combine([p.stage_seconds for p in parts], _add),
        seconds_total=round(seconds_total, 3),
        budget_s=_add(p.budget_s for p in parts),
        stage_budget_s=PerStage.combine([p.stage_budget_s for p in parts], _add),
        stage_work_s=PerStage.combine([p.stage_work_s for p in parts], _add),
        queue_switches=QueueSwitches.from_histogram(histogram),
        queue_block_cost=_add(p.queue_block_cost for p in parts),
        wall_limit_hits=PerStage.combine([p.wall_limit_hits for p in parts], sum),
        lp_method=first.lp_method,
        fallbacks=tuple(f for p in parts for f in p.fallbacks),
        shifts_missed=sum(p.shifts_missed for p in parts),
        shifts_extra=sum(p.shifts_extra for p in parts),
        warnings=tuple(w for p in parts for w in p.warnings)[:MAX_WARNINGS],
        short_intervals=sum(p.short_intervals for p in parts),
        week=first.week, timezone=first.timezone, groups=len(parts),
        excess_breakdown=_excess([p.excess_breakdown for p in parts]),
    )


def _excess(parts: Sequence[ExcessSummary | None]) -> ExcessSummary | None:
    """The groups' excess breakdowns added (none when a group has none)."""
    known = [p for p in parts if p is not None]
    return ExcessSummary.add(known) if known and len(known) == len(parts) else None
