"""[scheduling]: shift, break and lunch rules, objective weights, solver limits.

Breaks are an array of tables, one per break or lunch, each applying to shifts of at least
``min_shift_h`` hours::

    [[scheduling.breaks]]
    kind = "lunch"            # "break" or "lunch"
    duration_min = 30
    window_start_min = 180    # may start 3 h ...
    window_end_min = 300      # ... to 5 h after the shift start
    min_shift_h = 6
    paid = false
    anchor = "start"          # or "end": the window counts back from the shift end

Per-queue weights override the site-wide ones::

    [scheduling.understaffing_weights]
    voice_fr = 20
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from wfm.config._reader import TableReader
from wfm.errors import ConfigError
from wfm.scheduling.rules import BREAK_KINDS, BreakRule, ShiftRules
from wfm.scheduling.solver_params import SolverParams

#: Solver limits when [scheduling] sets none (a roster's budget, threads for independent
#: sub-problems, seed, relative gap).
DEFAULT_SOLVER = SolverParams(time_limit_s=120.0, workers=2, seed=0, relative_gap=0.001)


@dataclass(frozen=True)
class SchedulingConfig:
    """[scheduling]: the site's shift, break and objective rules (``rules``), the solver
    limits of a roster (``solver``: ``time_limit_s``, ``workers``, ``seed``,
    ``relative_gap``) and the agents file (``agents_file``, relative to wfm.toml's folder;
    "" when not set). The TOML keys are the fields' names, except
    ``understaffing_weights`` / ``overstaffing_weights`` (``rules.queue_understaffing_weight``
    / ``rules.queue_overstaffing_weight``)."""

    rules: ShiftRules = field(default_factory=ShiftRules)
    solver: SolverParams = DEFAULT_SOLVER
    agents_file: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The section as wfm.toml spells it (for `wfm config show`)."""
        r, s = self.rules, self.solver
        return {
            "start_grid_minutes": r.start_grid_minutes,
            "shift_lengths_h": list(r.shift_lengths_h), "min_rest_h": r.min_rest_h,
            "max_consecutive_days": r.max_consecutive_days,
            "days_off_per_week": r.days_off_per_week, "allow_overnight": r.allow_overnight,
            "understaffing_weight": r.understaffing_weight,
            "overstaffing_weight": r.overstaffing_weight,
            "cost_per_paid_hour": r.cost_per_paid_hour, "time_limit_s": s.time_limit_s,
            "workers": s.workers, "seed": s.seed, "relative_gap": s.relative_gap,
            "min_queue_block_min": r.min_queue_block_min,
            "queue_switch_cost": r.queue_switch_cost,
            "max_queue_switches_per_day": r.max_queue_switches_per_day,
            "start_time_stability_weight": r.start_time_stability_weight,
            "previous_week_start_weight": r.previous_week_start_weight,
            "agents_file": self.agents_file,
            "breaks": [dataclasses.asdict(b) for b in r.breaks],
            "understaffing_weights": dict(r.queue_understaffing_weight),
            "overstaffing_weights": dict(r.queue_overstaffing_weight),
        }


def read_break(t: TableReader) -> BreakRule:
    kind = t.str("kind", choices=BREAK_KINDS)
    rule = BreakRule(
        kind=kind,
        duration_min=t.number("duration_min", low=5, high=240, integer=True),
        window_start_min=t.number("window_start_min", low=0, integer=True),
        window_end_min=t.number("window_end_min", low=0, integer=True),
        min_shift_h=t.number("min_shift_h", 0.0, low=0.0),
        paid=t.bool("paid", kind == "break"),
        anchor=t.str("anchor", "start", choices=("start", "end")),
    )
    t.finish()
    if rule.anchor == "start" and rule.window_end_min < rule.window_start_min:
        raise t.fail("window_end_min", rule.window_end_min,
                     f"a number >= window_start_min ({rule.window_start_min})")
    if rule.anchor == "end" and rule.window_end_min > rule.window_start_min:
        raise t.fail("window_end_min", rule.window_end_min,
                     f"with anchor = 'end', a number <= window_start_min "
                     f"({rule.window_start_min}): minutes before the shift end")
    return rule


def _weights(t: TableReader, key: str) -> dict[str, float]:
    sub = t.table(key)
    out = {name: float(sub.number(name, low=0.0)) for name in sub.raw}
    sub.finish()
    return out


def read_scheduling(t: TableReader) -> SchedulingConfig:
    d, ds = ShiftRules(), DEFAULT_SOLVER
    break_tables = t.tables("breaks")
    grid = t.number("start_grid_minutes", d.start_grid_minutes, low=5, integer=True)
    lengths = t.number_list("shift_lengths_h", d.shift_lengths_h, low=1.0)
    min_rest = t.number("min_rest_h", d.min_rest_h, low=0.0, high=24.0)
    max_days = t.number("max_consecutive_days", d.max_consecutive_days, low=1, high=14,
                        integer=True)
    days_off = t.number("days_off_per_week", d.days_off_per_week, low=0, high=7, integer=True)
    overnight = t.bool("allow_overnight", d.allow_overnight)
    under = t.number("understaffing_weight", d.understaffing_weight, low=0.0)
    over = t.number("overstaffing_weight", d.overstaffing_weight, low=0.0)
    cost = t.number("cost_per_paid_hour", d.cost_per_paid_hour, low=0.0)
    solver = SolverParams(
        time_limit_s=t.number("time_limit_s", ds.time_limit_s, low=0.0, low_open=True),
        workers=t.number("workers", ds.workers, low=1, integer=True),
        seed=t.number("seed", ds.seed, low=0, integer=True),
        relative_gap=t.number("relative_gap", ds.relative_gap, low=0.0, high=1.0))
    block = t.number("min_queue_block_min", d.min_queue_block_min, low=0, high=24 * 60,
                     integer=True)
    switch_cost = t.number("queue_switch_cost", d.queue_switch_cost, low=0.0)
    max_switches = t.number("max_queue_switches_per_day", d.max_queue_switches_per_day,
                            low=0, high=24 * 60, integer=True)
    stability = t.number("start_time_stability_weight", d.start_time_stability_weight,
                         low=0.0)
    previous = t.number("previous_week_start_weight", d.previous_week_start_weight, low=0.0)
    agents_file = t.str("agents_file", "")
    breaks = (tuple(read_break(b) for b in break_tables) if "breaks" in t.raw else d.breaks)
    rules = ShiftRules(
        start_grid_minutes=grid, shift_lengths_h=tuple(lengths), breaks=breaks,
        min_rest_h=min_rest, max_consecutive_days=max_days, days_off_per_week=days_off,
        allow_overnight=overnight, understaffing_weight=under, overstaffing_weight=over,
        cost_per_paid_hour=cost,
        queue_understaffing_weight=_weights(t, "understaffing_weights"),
        queue_overstaffing_weight=_weights(t, "overstaffing_weights"),
        min_queue_block_min=block, queue_switch_cost=switch_cost,
        max_queue_switches_per_day=max_switches, start_time_stability_weight=stability,
        previous_week_start_weight=previous)
    t.finish()
    if 24 * 60 % rules.start_grid_minutes:
        raise t.fail("start_grid_minutes", rules.start_grid_minutes,
                     "a whole number of minutes that divides a day (5, 10, 15, 20, 30, 60 ...)")
    try:
        rules.validate()
    except ConfigError as exc:
        raise ConfigError(f"{t.source}: {exc.message}".replace("[scheduling]",
                                                                "[scheduling] breaks:", 1),
                          hint=exc.hint) from None
    return SchedulingConfig(rules, solver, agents_file)
