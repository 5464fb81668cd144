"""The hiring plan: which hire classes, when and how large, at minimum cost (a MIP).

Decision per skill group ``g`` and candidate start week ``s`` (a Monday at least
``lead_time_weeks`` after the plan start, then every ``start_every_weeks``, early enough
that the class is productive before the end): ``y[g,s]`` (a class starts) and ``n[g,s]``
(its size, whole hires)::

    minimise  sum (cost_per_hire + cost_per_fte_week * paid[s]) * n[g,s] + class_cost * y[g,s]
              + shortage_cost_per_fte_week * sum short[g,w]
    subject to
      short[g,w] >= T[g,w] - sum_s contribution[s,w] * n[g,s]      (short >= 0), with
                    T[g,w] = (1 - gap_tolerance) * required[g,w] - available[g,w]
      short[g,w] >= T[g,w] - sum_s min(T[g,w], contribution[s,w] * max_class_size) * y[g,s]
      min_class_size * y[g,s] <= n[g,s] <= max_class_size * y[g,s]
      sum y[g,s] <= max_classes
      sum of n[g,s] over the classes in training in week w <= training_seats - seats
      taken by classes already planned                               (if seats are limited)

``contribution[s,w]`` is the expected productive FTE in week ``w`` of one hire starting
in week ``s`` (training at 0, the ramp, training and tenure attrition) and ``paid[s]``
its expected paid FTE-weeks until the plan ends, both from the supply model
(:func:`wfm.capacity.supply.project_cohorts`), so the plan is linear in the class sizes.

The second shortfall row is a valid inequality, not a rule: a class covers at most
``min(T, contribution * max_class_size)`` of a week's deficit, and only if it exists. It
cuts off the relaxation's favourite trick - tiny fractions of classes starting every week
just in time - and so lifts the bound: on the sample's 78-week growth scenario the plain
model stopped at the 20,000-node limit with a 9.6 % gap after 58 CPU s; with it SCIP
proves the optimum (1,234, 0.3 % below that plan) in 2,540 nodes and 7.1 CPU s.

Solved with SCIP through OR-Tools' ``pywraplp`` on one thread under a node limit and a
relative-gap limit only, never a wall-clock limit: the same inputs give the same plan on
a busy machine and a quiet one. The result reports the solver's bound and the gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from wfm.capacity.horizon import FloatArray, PlanHorizon, week_mean
from wfm.capacity.supply import Cohort, TenureBand, TrainingProfile, project_cohorts
from wfm.errors import PlanError, SolverError

if TYPE_CHECKING:
    from ortools.linear_solver import pywraplp


@dataclass(frozen=True)
class HiringRules:
    """What the hiring plan may propose and what things cost.

    Costs are in any one currency unit (or in FTE-weeks of pay, the defaults):
    ``cost_per_hire`` (recruiting, onboarding), ``class_cost`` (trainer, room: per class),
    ``cost_per_fte_week`` (pay of one FTE for a week, trainees included),
    ``shortage_cost_per_fte_week`` (the price of each FTE-week below the tolerance).
    ``gap_tolerance`` [fraction 0-1): available FTE may fall this share below the
    requirement at no cost. ``training_seats``: trainees at once (0 = no limit).
    Classes may start ``lead_time_weeks`` after the plan start, then every
    ``start_every_weeks`` weeks (a class cadence; fewer candidates also solve faster).
    """

    training: TrainingProfile = field(
        default_factory=lambda: TrainingProfile(4, (0.5, 0.75), 0.0))
    fte_per_hire: float = 1.0
    lead_time_weeks: int = 8
    start_every_weeks: int = 1
    max_classes: int = 4
    min_class_size: int = 4
    max_class_size: int = 20
    training_seats: int = 0
    cost_per_hire: float = 4.0
    class_cost: float = 8.0
    cost_per_fte_week: float = 1.0
    shortage_cost_per_fte_week: float = 10.0
    gap_tolerance: float = 0.05

    def __post_init__(self) -> None:
        if self.min_class_size < 1 or self.max_class_size < self.min_class_size:
            raise PlanError(f"class sizes {self.min_class_size}..{self.max_class_size} are "
                            "not valid; accepted: 1 <= min_class_size <= max_class_size")
        if self.start_every_weeks < 1:
            raise PlanError(f"start_every_weeks {self.start_every_weeks}; accepted: 1 or more")
        if not 0.0 <= self.gap_tolerance < 1.0:
            raise PlanError(f"gap_tolerance {self.gap_tolerance!r}; accepted: [0, 1)")


@dataclass(frozen=True)
class SolverLimits:
    """Deterministic limits of the hiring MIP: branch-and-bound ``node_limit`` and the
    ``relative_gap`` [fraction 0-1] at which the search stops."""

    node_limit: int = 20_000
    relative_gap: float = 1e-4


@dataclass(frozen=True)
class ProposedClass:
    """A class the plan proposes: ``size`` hires of ``group`` starting on ``start``;
    ``cost`` is its share of the objective (hires, their pay to the plan's end, the
    class)."""

    group: str
    start: date
    size: int
    cost: float


@dataclass(frozen=True)
class HiringPlan:
    """The proposed classes and how well the solver did.

    ``status``: ``optimal`` (within ``relative_gap``) or ``node_limit`` (the best plan
    found); ``objective`` and ``bound`` in cost units; ``gap`` = (objective - bound) /
    objective [fraction 0-1]; ``hiring_cost`` and ``shortage_cost`` split the objective.
    """

    classes: tuple[ProposedClass, ...]
    status: str
    objective: float
    bound: float
    gap: float
    nodes: int
    hiring_cost: float
    shortage_cost: float


@dataclass(frozen=True)
class Candidates:
    """Per candidate start week (rows): its Monday, the expected productive FTE per hire
    in each plan week, the paid FTE-weeks per hire to the plan's end, and the weeks its
    hires sit in training (seats)."""

    starts: tuple[date, ...]
    contribution: FloatArray
    paid_fte_weeks: FloatArray
    in_training: FloatArray


def candidate_classes(horizon: PlanHorizon, rules: HiringRules,
                      bands: Sequence[TenureBand]) -> Candidates:
    """One hire of each possible start week, projected by the supply model."""
    weeks = [s for s in range(rules.lead_time_weeks, horizon.weeks, rules.start_every_weeks)
             if 7 * s + rules.training.training_days < horizon.n_days]
    starts = tuple(horizon.start + timedelta(days=7 * s) for s in weeks)
    if not starts:
        empty = np.zeros((0, horizon.weeks))
        return Candidates((), empty, np.zeros(0), empty)
    cohorts = [Cohort(f"candidate {s}", "g", 1.0, rules.fte_per_hire, s, rules.training,
                      kind="proposed") for s in starts]
    p = project_cohorts(cohorts, horizon, bands)
    contribution = week_mean(p.productive_fte, horizon.weeks)
    paid = week_mean(p.paid_fte, horizon.weeks).sum(axis=1)
    days = np.arange(horizon.n_days)
    join = p.join_day[:, None]
    seat_days = (days[None, :] >= join) & (days[None, :] < join + rules.training.training_days)
    in_training = (week_mean(seat_days.astype(float), horizon.weeks) > 0).astype(float)
    return Candidates(starts, contribution, paid, in_training)


def seats_taken(planned: Sequence[Cohort], horizon: PlanHorizon) -> FloatArray:
    """Training seats taken in each plan week by classes already planned (their size on
    the first day, for every week holding a day of their training)."""
    out = np.zeros(horizon.weeks)
    for c in planned:
        if c.training is None or c.joined is None:
            continue
        first = horizon.day_of(c.joined)
        days = np.arange(first, first + c.training.training_days)
        days = days[(days >= 0) & (days < horizon.n_days)]
        out[np.unique(days // 7)] += c.size
    return out


def _params(limits: SolverLimits) -> str:
    # Cutting planes: five rounds at the root, none in the tree. On the sample centre's
    # 52-week plan SCIP's default separation took 2.7 s of a 2.8 s solve (43 nodes); with
    # these limits the same optimum takes 0.7 s (19 nodes). Work limits only: no clock.
    return "\n".join((f"limits/nodes = {int(limits.node_limit)}",
                      f"limits/gap = {float(limits.relative_gap)!r}",
                      "randomization/randomseedshift = 0", "lp/threads = 1",
                      "separating/maxrounds = 0", "separating/maxroundsroot = 5", ""))


def plan_hiring(required: FloatArray, available: FloatArray, groups: Sequence[str],
                horizon: PlanHorizon, rules: HiringRules, *, bands: Sequence[TenureBand],
                seats_used: FloatArray | None = None,
                limits: SolverLimits | None = None) -> HiringPlan:
    """The least-cost hire classes keeping each group's FTE within the tolerance.

    Parameters
    ----------
    required, available
        Required and available productive FTE per group (rows, in ``groups`` order) and
        plan week (columns) [FTE]; available counts today's agents and planned classes.
    groups
        The skill groups; a proposed class belongs to one.
    horizon
        The plan's weeks.
    rules
        Class sizes, lead time, seats, training profile and costs.
    bands
        Attrition by tenure (hires follow it after training).
    seats_used
        Seats taken per week by classes already planned (:func:`seats_taken`).
    limits
        Deterministic solver limits.

    Raises
    ------
    PlanError
        Planned classes already take more seats than ``training_seats``.
    SolverError
        SCIP is missing, or stopped without a plan (never expected: hiring nobody is
        always feasible).
    """
    # Imported here: OR-Tools takes a while to import, and the configuration (which every
    # command reads) holds this package's dataclasses.
    from ortools.linear_solver import pywraplp

    limits = limits or SolverLimits()
    n_groups, n_weeks = required.shape
    seats_used = np.zeros(n_weeks) if seats_used is None else seats_used
    if rules.training_seats and (seats_used > rules.training_seats).any():
        w = int(np.argmax(seats_used > rules.training_seats))
        raise PlanError(f"the hire classes already planned take {seats_used[w]:g} training "
                        f"seats in the week of {horizon.week_starts()[w]}; accepted: at most "
                        f"training_seats = {rules.training_seats}")
    cand = candidate_classes(horizon, rules, bands)
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:
        raise SolverError("the SCIP solver of OR-Tools is not available for the hiring plan")
    if not solver.SetSolverSpecificParametersAsString(_params(limits)):
        raise SolverError("SCIP refused the hiring plan's parameters")
    n_cand = len(cand.starts)
    y = [[solver.BoolVar(f"y_{g}_{s}") for s in range(n_cand)] for g in range(n_groups)]
    n = [[solver.IntVar(0, rules.max_class_size, f"n_{g}_{s}") for s in range(n_cand)]
         for g in range(n_groups)]
    hire_cost = rules.cost_per_hire + rules.cost_per_fte_week * cand.paid_fte_weeks
    target = (1.0 - rules.gap_tolerance) * required - available
    short: dict[tuple[int, int], pywraplp.Variable] = {}
    objective = solver.Objective()
    for g in range(n_groups):
        for s in range(n_cand):
            solver.Add(n[g][s] <= rules.max_class_size * y[g][s])
            solver.Add(n[g][s] >= rules.min_class_size * y[g][s])
            objective.SetCoefficient(n[g][s], float(hire_cost[s]))
            objective.SetCoefficient(y[g][s], float(rules.class_cost))
        for w in range(n_weeks):
            if target[g, w] <= 0:
                continue  # hires only add FTE: a week already within tolerance stays so
            sv = solver.NumVar(0.0, solver.infinity(), f"short_{g}_{w}")
            short[g, w] = sv
            t = float(target[g, w])
            helping = [s for s in range(n_cand) if cand.contribution[s, w] > 0]
            solver.Add(sv + sum(float(cand.contribution[s, w]) * n[g][s] for s in helping)
                       >= t)
            solver.Add(sv + sum(min(t, float(cand.contribution[s, w]) * rules.max_class_size)
                                * y[g][s] for s in helping) >= t)
            objective.SetCoefficient(sv, float(rules.shortage_cost_per_fte_week))
    solver.Add(sum(y[g][s] for g in range(n_groups) for s in range(n_cand))
               <= rules.max_classes)
    if rules.training_seats:
        for w in range(n_weeks):
            users = [n[g][s] for g in range(n_groups) for s in range(n_cand)
                     if cand.in_training[s, w] > 0]
            if users:
                solver.Add(sum(users) <= float(rules.training_seats - seats_used[w]))
    objective.SetMinimization()
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        raise SolverError(f"the hiring plan's MIP stopped without a plan (SCIP status "
                          f"{status}) after {solver.nodes()} nodes",
                          hint="raise [plan.hiring] node_limit")
    classes = []
    hiring = 0.0
    for g in range(n_groups):
        for s in range(n_cand):
            size = round(n[g][s].solution_value())
            if size <= 0:
                continue
            cost = float(hire_cost[s] * size + rules.class_cost)
            hiring += cost
            classes.append(ProposedClass(groups[g], cand.starts[s], size, cost))
    shortage = sum(v.solution_value() for v in short.values()) * \
        rules.shortage_cost_per_fte_week
    value = float(objective.Value())
    bound = float(objective.BestBound())
    gap = abs(value - bound) / abs(value) if abs(value) > 1e-9 else 0.0
    proved = status == pywraplp.Solver.OPTIMAL or gap <= limits.relative_gap
    classes.sort(key=lambda c: (c.start, c.group))
    return HiringPlan(tuple(classes), "optimal" if proved else "node_limit", value,
                      bound, gap, int(solver.nodes()), hiring, float(shortage))
