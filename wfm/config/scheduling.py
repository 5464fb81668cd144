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

from dataclasses import dataclass, field

from wfm.config._reader import TableReader
from wfm.errors import ConfigError
from wfm.scheduling.rules import BREAK_KINDS, BreakRule, ShiftRules, default_break_rules


@dataclass(frozen=True)
class SchedulingConfig:
    start_grid_minutes: int = 15
    shift_lengths_h: tuple[float, ...] = (4.0, 6.0, 8.0)
    min_rest_h: float = 11.0
    max_consecutive_days: int = 6
    days_off_per_week: int = 2
    allow_overnight: bool = False
    understaffing_weight: float = 10.0
    overstaffing_weight: float = 1.0
    cost_per_paid_hour: float = 0.0
    time_limit_s: float = 120.0
    workers: int = 2
    seed: int = 0
    relative_gap: float = 0.001
    min_queue_block_min: int = 60
    queue_switch_cost: float = 0.1
    max_queue_switches_per_day: int = 4
    start_time_stability_weight: float = 0.25
    previous_week_start_weight: float = 0.25
    agents_file: str = ""
    breaks: tuple[BreakRule, ...] = field(default_factory=default_break_rules)
    understaffing_weights: dict[str, float] = field(default_factory=dict)
    overstaffing_weights: dict[str, float] = field(default_factory=dict)


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
    d = SchedulingConfig()
    break_tables = t.tables("breaks")
    out = SchedulingConfig(
        start_grid_minutes=t.number("start_grid_minutes", d.start_grid_minutes, low=5,
                                    integer=True),
        shift_lengths_h=t.number_list("shift_lengths_h", d.shift_lengths_h, low=1.0),
        min_rest_h=t.number("min_rest_h", d.min_rest_h, low=0.0, high=24.0),
        max_consecutive_days=t.number("max_consecutive_days", d.max_consecutive_days, low=1,
                                      high=14, integer=True),
        days_off_per_week=t.number("days_off_per_week", d.days_off_per_week, low=0, high=7,
                                   integer=True),
        allow_overnight=t.bool("allow_overnight", d.allow_overnight),
        understaffing_weight=t.number("understaffing_weight", d.understaffing_weight, low=0.0),
        overstaffing_weight=t.number("overstaffing_weight", d.overstaffing_weight, low=0.0),
        cost_per_paid_hour=t.number("cost_per_paid_hour", d.cost_per_paid_hour, low=0.0),
        time_limit_s=t.number("time_limit_s", d.time_limit_s, low=0.0, low_open=True),
        workers=t.number("workers", d.workers, low=1, integer=True),
        seed=t.number("seed", d.seed, low=0, integer=True),
        relative_gap=t.number("relative_gap", d.relative_gap, low=0.0, high=1.0),
        min_queue_block_min=t.number("min_queue_block_min", d.min_queue_block_min, low=0,
                                     high=24 * 60, integer=True),
        queue_switch_cost=t.number("queue_switch_cost", d.queue_switch_cost, low=0.0),
        max_queue_switches_per_day=t.number("max_queue_switches_per_day",
                                            d.max_queue_switches_per_day, low=0, high=24 * 60,
                                            integer=True),
        start_time_stability_weight=t.number("start_time_stability_weight",
                                             d.start_time_stability_weight, low=0.0),
        previous_week_start_weight=t.number("previous_week_start_weight",
                                            d.previous_week_start_weight, low=0.0),
        agents_file=t.str("agents_file", d.agents_file),
        breaks=(tuple(read_break(b) for b in break_tables) if "breaks" in t.raw
                else d.breaks),
        understaffing_weights=_weights(t, "understaffing_weights"),
        overstaffing_weights=_weights(t, "overstaffing_weights"),
    )
    t.finish()
    if 24 * 60 % out.start_grid_minutes:
        raise t.fail("start_grid_minutes", out.start_grid_minutes,
                     "a whole number of minutes that divides a day (5, 10, 15, 20, 30, 60 ...)")
    try:
        shift_rules(out).validate()
    except ConfigError as exc:
        raise ConfigError(f"{t.source}: {exc.message}".replace("[scheduling]",
                                                                "[scheduling] breaks:", 1),
                          hint=exc.hint) from None
    return out


def shift_rules(cfg: SchedulingConfig) -> ShiftRules:
    """The rules the scheduling library functions take, from the [scheduling] section."""
    return ShiftRules(
        start_grid_minutes=cfg.start_grid_minutes,
        shift_lengths_h=tuple(cfg.shift_lengths_h),
        breaks=tuple(cfg.breaks),
        min_rest_h=cfg.min_rest_h,
        max_consecutive_days=cfg.max_consecutive_days,
        days_off_per_week=cfg.days_off_per_week,
        allow_overnight=cfg.allow_overnight,
        understaffing_weight=cfg.understaffing_weight,
        overstaffing_weight=cfg.overstaffing_weight,
        cost_per_paid_hour=cfg.cost_per_paid_hour,
        queue_understaffing_weight=dict(cfg.understaffing_weights),
        queue_overstaffing_weight=dict(cfg.overstaffing_weights),
        min_queue_block_min=cfg.min_queue_block_min,
        queue_switch_cost=cfg.queue_switch_cost,
        max_queue_switches_per_day=cfg.max_queue_switches_per_day,
        start_time_stability_weight=cfg.start_time_stability_weight,
        previous_week_start_weight=cfg.previous_week_start_weight,
    )
