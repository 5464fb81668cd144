"""[plan]: long-term capacity planning (``wfm plan``) - horizon, shrinkage by month,
attrition by tenure, skill groups, hiring rules and costs, hire classes, scenarios."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from wfm.capacity.demand import MONTH_NAMES, PlanShrinkage, ShrinkagePeriod
from wfm.capacity.hiring import HiringRules, SolverLimits
from wfm.capacity.scenarios import BASE, Scenario
from wfm.capacity.supply import Cohort, TenureBand, TrainingProfile, check_bands
from wfm.capacity.waterfall import ALL_GROUPS
from wfm.config._reader import TableReader
from wfm.errors import ConfigError, PlanError
from wfm.forecasting import MODELS

if TYPE_CHECKING:
    from wfm.config.model import Config
    from wfm.config.queues import QueueConfig

#: Longest plan [weeks]: two years (the issue asks 52-78; the daily model's trend and
#: yearly season mean little further out).
MAX_PLAN_WEEKS = 104


@dataclass(frozen=True)
class HireClassConfig:
    """A hire class already decided: ``size`` hires starting on ``start`` with ``skills``
    (queues; the class belongs to the skill group of the first) and its ``training``."""

    name: str
    start: date
    size: int
    skills: tuple[str, ...]
    training: TrainingProfile


@dataclass(frozen=True)
class PlanConfig:
    """The [plan] section; see docs/capacity.md for every key and its unit.

    ``skill_groups``: (group, queues) pairs as written (queues named in none form a group
    of their own); ``scenarios``: the what-ifs besides ``base``.
    """

    horizon_weeks: int = 52
    model: str = "dhr"
    shrinkage: PlanShrinkage = field(default_factory=PlanShrinkage)
    attrition: tuple[TenureBand, ...] = ()
    skill_groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    hiring: HiringRules = field(default_factory=HiringRules)
    limits: SolverLimits = field(default_factory=SolverLimits)
    hire_classes: tuple[HireClassConfig, ...] = ()
    scenarios: tuple[Scenario, ...] = ()


def _fraction_list(v: Any) -> tuple[float, ...]:
    if not isinstance(v, list) or any(isinstance(x, bool) or not isinstance(x, int | float)
                                      or not 0 <= x <= 1 for x in v):
        raise ValueError
    return tuple(float(x) for x in v)


_RAMP = "a list of proficiencies in [0, 1], one per week after training, e.g. [0.5, 0.75]"


def _training(t: TableReader, default: TrainingProfile) -> TrainingProfile:
    return TrainingProfile(
        t.number("training_weeks", default.training_weeks, low=0, high=52, integer=True),
        t.value("ramp", default.ramp, convert=_fraction_list, accepted=_RAMP),
        t.fraction("training_attrition", default.training_attrition))


def _read_hiring(t: TableReader) -> tuple[HiringRules, SolverLimits]:
    d, dl = HiringRules(), SolverLimits()
    training = _training(t, d.training)
    fte = t.number("hire_fte", d.fte_per_hire, low=0.0, high=2.0, low_open=True)
    lead = t.number("lead_time_weeks", d.lead_time_weeks, low=0, high=MAX_PLAN_WEEKS,
                    integer=True)
    every = t.number("start_every_weeks", d.start_every_weeks, low=1, high=MAX_PLAN_WEEKS,
                     integer=True)
    max_classes = t.number("max_classes", d.max_classes, low=0, high=MAX_PLAN_WEEKS,
                           integer=True)
    min_size = t.number("min_class_size", d.min_class_size, low=1, integer=True)
    max_size = t.number("max_class_size", d.max_class_size, low=1, integer=True)
    seats = t.number("training_seats", d.training_seats, low=0, integer=True)
    costs = {key: t.number(key, getattr(d, key), low=0.0) for key in
             ("cost_per_hire", "class_cost", "cost_per_fte_week",
              "shortage_cost_per_fte_week")}
    tolerance = t.fraction("gap_tolerance", d.gap_tolerance)
    nodes = t.number("node_limit", dl.node_limit, low=1, integer=True)
    gap = t.fraction("relative_gap", dl.relative_gap)
    t.finish()
    if max_size < min_size:
        raise t.fail("max_class_size", max_size, f"a whole number >= min_class_size = "
                                                 f"{min_size}")
    if seats and seats < min_size:
        raise t.fail("training_seats", seats, f"0 (no limit) or at least min_class_size = "
                                              f"{min_size}")
    return HiringRules(training, fte, lead, every, max_classes, min_size, max_size, seats,
                       gap_tolerance=tolerance, **costs), SolverLimits(nodes, gap)


def _read_shrinkage(t: TableReader, default: float) -> PlanShrinkage:
    flat = t.fraction("shrinkage", default)
    months_t = t.table("shrinkage_by_month")
    by_month = tuple(months_t.fraction(m, flat) for m in MONTH_NAMES)
    months_t.finish()
    periods = []
    for p in t.tables("shrinkage_periods"):
        first, last = p.date("first"), p.date("last")
        value = p.fraction("shrinkage")
        p.finish()
        if last < first:
            raise p.fail("last", last.isoformat(), f"a date on or after first = {first}")
        periods.append(ShrinkagePeriod(first, last, value))
    return PlanShrinkage(by_month, tuple(periods))


def _read_bands(tables: list[TableReader], source: str) -> tuple[TenureBand, ...]:
    bands = []
    for b in tables:
        bands.append(TenureBand(b.number("tenure_from_months", 0.0, low=0.0),
                                b.fraction("monthly_rate")))
        b.finish()
    if not bands:
        return ()
    try:
        return check_bands(bands)
    except PlanError as exc:
        raise ConfigError(f"{source}: [[plan.attrition]] {exc.message}") from None


def _queue_list(names: Sequence[str]) -> Any:
    def conv(v: Any) -> tuple[builtins.str, ...]:
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not v or any(x not in names for x in v):
            raise ValueError
        return tuple(v)
    return conv


def _read_groups(t: TableReader, queues: Sequence[str]
                 ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    accepted = f"a list of queues of [[queues]]: {', '.join(queues) or '(none)'}"
    out = []
    seen: dict[str, str] = {}
    for name in t.raw:
        members = t.value(name, convert=_queue_list(queues), accepted=accepted)
        if name == ALL_GROUPS:
            raise t.fail(name, t.raw[name], f"a group name other than {ALL_GROUPS!r} (the "
                                            "name of the totals)")
        for q in members:
            if q in seen:
                raise t.fail(name, t.raw[name], f"queues in one group only; {q!r} is "
                                                f"already in group {seen[q]!r}")
            seen[q] = name
        out.append((name, members))
    t.finish()
    return tuple(out)


def _read_class(t: TableReader, i: int, queues: Sequence[str], default: TrainingProfile
                ) -> HireClassConfig:
    name = t.str("name", f"class {i}")
    start = t.date("start")
    size = t.number("size", low=1, integer=True)
    skills = t.value("skills", convert=_queue_list(queues),
                     accepted=f"a list of queues of [[queues]]: {', '.join(queues)}")
    training = _training(t, default)
    t.finish()
    return HireClassConfig(name, start, size, skills, training)


def _read_scenario(t: TableReader, seen: set[str]) -> Scenario:
    name = t.str("name")
    if name == BASE or name in seen:
        raise t.fail("name", name, f"a unique name other than {BASE!r} (the plan without "
                                   "changes, always computed)")
    seen.add(name)
    values = {
        "volume_factor": t.number("volume_factor", 1.0, low=0.0, low_open=True),
        "volume_growth": t.number("volume_growth", 0.0, low=-1.0, low_open=True),
        "aht_factor": t.number("aht_factor", 1.0, low=0.0, low_open=True),
        "shrinkage_change": t.number("shrinkage_change", 0.0, low=-1.0, high=1.0,
                                     low_open=True, high_open=True),
        "attrition_factor": t.number("attrition_factor", 1.0, low=0.0),
        "sl_target": t.number("sl_target", None, low=0.0, high=1.0, low_open=True,
                              high_open=True),
    }
    t.finish()
    return Scenario(name, **values)


def _check_shrinkage_change(t: TableReader, scenario: Scenario,
                            shrinkage: PlanShrinkage) -> None:
    """A scenario's shrinkage_change must keep every month's and period's shrinkage in
    [0, 1)."""
    values = (*shrinkage.by_month, *(p.shrinkage for p in shrinkage.periods))
    low, high = min(values), max(values)
    change = scenario.shrinkage_change
    if low + change < 0.0 or high + change >= 1.0:
        raise t.fail("shrinkage_change", change,
                     f"a change keeping the plan's shrinkage ({low:g} to {high:g}) in "
                     f"[0, 1): at least {-low:g} and below {1.0 - high:g}")


def read_plan(t: TableReader, *, default_shrinkage: float,
              queues: Sequence[QueueConfig]) -> PlanConfig:
    """Read [plan]; ``default_shrinkage`` is [staffing] shrinkage, ``queues`` [[queues]]."""
    names = [q.name for q in queues]
    d = PlanConfig()
    weeks = t.number("horizon_weeks", d.horizon_weeks, low=1, high=MAX_PLAN_WEEKS,
                     integer=True)
    model = t.str("model", d.model, choices=tuple(MODELS))
    shrinkage = _read_shrinkage(t, default_shrinkage)
    bands = _read_bands(t.tables("attrition"), t.source)
    groups = _read_groups(t.table("skill_groups"), names)
    rules, limits = _read_hiring(t.table("hiring"))
    classes = tuple(_read_class(c, i + 1, names, rules.training)
                    for i, c in enumerate(t.tables("hire_classes")))
    seen: set[str] = set()
    scenario_tables = t.tables("scenarios")
    scenarios = tuple(_read_scenario(s, seen) for s in scenario_tables)
    for table, scenario in zip(scenario_tables, scenarios, strict=True):
        _check_shrinkage_change(table, scenario, shrinkage)
    t.finish()
    return PlanConfig(weeks, model, shrinkage, bands, groups, rules, limits, classes,
                      scenarios)


# -- Config -> the capacity library's typed inputs ---------------------------------------
def queue_groups(config: Config) -> tuple[tuple[str, ...], dict[str, str]]:
    """The skill groups (configured ones first, then one per queue left out) and the
    group of every queue."""
    mapping: dict[str, str] = {}
    groups: list[str] = []
    for name, members in config.plan.skill_groups:
        groups.append(name)
        mapping.update(dict.fromkeys(members, name))
    for q in config.queues:
        if q.name not in mapping:
            if q.name in groups:
                raise ConfigError(f"{config.path}: [plan.skill_groups] a group is named "
                                  f"{q.name!r} like a queue that is in no group",
                                  hint=f"add {q.name!r} to a group, or rename the group")
            mapping[q.name] = q.name
            groups.append(q.name)
    return tuple(groups), mapping


def planned_classes(config: Config, queue_group: dict[str, str]) -> tuple[Cohort, ...]:
    """The [[plan.hire_classes]] as cohorts of their skill group (the first skill's)."""
    fte = config.plan.hiring.fte_per_hire
    return tuple(Cohort(c.name, queue_group[c.skills[0]], float(c.size), fte, c.start,
                        c.training, kind="planned") for c in config.plan.hire_classes)


def check_planned_classes(config: Config, start: date, end: date) -> list[str]:
    """The [[plan.hire_classes]] against a plan from ``start`` to ``end`` (inclusive).

    A class at full proficiency before the plan starts (training and ramp over) is
    refused: its hires are agents now and belong in the agents file (else counted twice).
    A class starting after the plan's last day is left out with a warning (returned).
    """
    warnings = []
    for i, c in enumerate(config.plan.hire_classes, start=1):
        full = c.training.full_proficiency(c.start)
        if full <= start:
            earliest = start - (full - c.start) + timedelta(days=1)
            raise ConfigError(
                f"{config.path}: [plan.hire_classes.{i}] start = {c.start} is not valid: "
                f"class {c.name!r} is fully trained on {full}, before the plan starts on "
                f"{start}; accepted: a start on or after {earliest}",
                hint="its hires are agents now: add them to the agents file and remove "
                     "the class")
        if c.start > end:
            warnings.append(f"[plan.hire_classes.{i}] {c.name!r} starts on {c.start}, after "
                            f"the plan's last day {end}; left out of this plan")
    return warnings


def plan_scenarios(config: Config, only: Sequence[str] = ()) -> tuple[Scenario, ...]:
    """``base`` and the [[plan.scenarios]] (or only those named in ``only``)."""
    every = (Scenario(), *config.plan.scenarios)
    if not only:
        return every
    known = {s.name: s for s in every}
    missing = [n for n in only if n not in known]
    if missing:
        raise ConfigError(f"scenario {', '.join(map(repr, missing))} is not in "
                          f"[[plan.scenarios]]; known: {', '.join(known)}")
    return tuple(known[n] for n in dict.fromkeys(only))
