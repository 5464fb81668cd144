"""[scheduling]: shift and break rules, solver limits (extended by the scheduling work)."""

from __future__ import annotations

from dataclasses import dataclass

from wfm.config._reader import TableReader


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
    time_limit_s: float = 60.0
    workers: int = 2
    seed: int = 0


def read_scheduling(t: TableReader) -> SchedulingConfig:
    d = SchedulingConfig()
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
    )
    t.finish()
    return out
