"""Shift, break and objective rules of the optimiser (explicit arguments, never Config)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from wfm.errors import ConfigError

BREAK_KINDS: tuple[str, ...] = ("break", "lunch")


@dataclass(frozen=True)
class BreakRule:
    """One break or lunch that every shift of ``min_shift_h`` hours or more takes.

    The window is where the break may *start*, in minutes after the shift start
    (``anchor="start"``) or before the shift end (``anchor="end"``, both numbers >= 0,
    ``window_start_min`` the earlier start, so the larger distance from the end).

    Parameters
    ----------
    kind
        ``"break"`` or ``"lunch"``.
    duration_min
        Length [min].
    window_start_min, window_end_min
        Earliest and latest start [min] relative to the anchor.
    min_shift_h
        Shifts at least this long [h] take the break.
    paid
        Whether the time counts as paid hours (lunches usually do not).
    anchor
        ``"start"`` or ``"end"`` of the shift.
    """

    kind: str
    duration_min: int
    window_start_min: int
    window_end_min: int
    min_shift_h: float
    paid: bool = True
    anchor: str = "start"

    def earliest_latest_min(self, shift_min: int) -> tuple[int, int]:
        """Earliest and latest start [min after the shift start] for a shift of that length."""
        if self.anchor == "start":
            return self.window_start_min, self.window_end_min
        return shift_min - self.window_start_min, shift_min - self.window_end_min


def default_break_rules() -> tuple[BreakRule, ...]:
    """A 15-min paid break per 4 h worked and a 30-min unpaid lunch 3-5 h into shifts of 6 h+."""
    return (
        BreakRule("break", 15, 60, 135, 4.0),
        BreakRule("lunch", 30, 180, 300, 6.0, paid=False),
        BreakRule("break", 15, 120, 60, 8.0, anchor="end"),
    )


@dataclass(frozen=True)
class ShiftRules:
    """Hard shift rules of the site plus the weights of the objective.

    Parameters
    ----------
    start_grid_minutes
        Shifts start on multiples of this many minutes after local midnight [min].
    shift_lengths_h
        Allowed shift lengths, breaks and lunch included [h].
    breaks
        Break and lunch rules by shift length.
    min_rest_h
        Minimum rest between the end of one shift and the start of the next [h].
    max_consecutive_days
        Longest run of working days within the week.
    days_off_per_week
        Days off every agent has in the week (at least).
    allow_overnight
        Whether a shift may run past local midnight.
    understaffing_weight, overstaffing_weight
        Cost of one agent-hour short / in excess on a queue; ``queue_understaffing_weight``
        and ``queue_overstaffing_weight`` override them per queue.
    cost_per_paid_hour
        Cost of one paid agent-hour, in the same units.
    min_queue_block_min
        A multi-skill agent works one queue for blocks of at least this long, counted from
        the shift start [min]; 0 lets the queue change every slot.
    queue_switch_cost
        Cost of each change of queue of a multi-skill agent, in weighted agent-hours.
    max_queue_switches_per_day
        At most this many changes of queue per agent and day (``None``: no cap).
    start_time_stability_weight
        Cost per hour a shift starts away from the agent's usual start in the week
        (one start time per agent chosen by the optimiser), in weighted agent-hours.
    previous_week_start_weight
        Cost per hour a shift starts away from the agent's usual start in the previous
        week's roster (when one is given), in weighted agent-hours.
    """

    start_grid_minutes: int = 15
    shift_lengths_h: tuple[float, ...] = (4.0, 6.0, 8.0)
    breaks: tuple[BreakRule, ...] = field(default_factory=default_break_rules)
    min_rest_h: float = 11.0
    max_consecutive_days: int = 6
    days_off_per_week: int = 2
    allow_overnight: bool = False
    understaffing_weight: float = 10.0
    overstaffing_weight: float = 1.0
    cost_per_paid_hour: float = 0.0
    queue_understaffing_weight: Mapping[str, float] = field(default_factory=dict)
    queue_overstaffing_weight: Mapping[str, float] = field(default_factory=dict)
    min_queue_block_min: int = 60
    queue_switch_cost: float = 0.1
    max_queue_switches_per_day: int | None = 4
    start_time_stability_weight: float = 0.25
    previous_week_start_weight: float = 0.25

    def under_weight(self, queue: str) -> float:
        return float(self.queue_understaffing_weight.get(queue, self.understaffing_weight))

    def over_weight(self, queue: str) -> float:
        return float(self.queue_overstaffing_weight.get(queue, self.overstaffing_weight))

    def weights(self, queues: Sequence[str]) -> tuple[list[float], list[float]]:
        """Under- and over-staffing weights of ``queues``, in their order."""
        return [self.under_weight(q) for q in queues], [self.over_weight(q) for q in queues]

    def scaled_weights(self, queues: Sequence[str], scale: int) -> tuple[list[int], list[int]]:
        """The same weights as integers (CP-SAT objectives), ``round(weight * scale)``."""
        under, over = self.weights(queues)
        return [round(w * scale) for w in under], [round(w * scale) for w in over]

    def breaks_for(self, length_h: float) -> tuple[BreakRule, ...]:
        """The rules that apply to a shift of ``length_h`` hours, in time order."""
        shift_min = round(length_h * 60)
        chosen = [b for b in self.breaks if length_h + 1e-9 >= b.min_shift_h]
        return tuple(sorted(chosen, key=lambda b: b.earliest_latest_min(shift_min)[0]))

    def validate(self) -> None:
        """Raise :class:`ConfigError` when a shift length cannot hold its breaks."""
        for length_h in self.shift_lengths_h:
            shift_min = round(length_h * 60)
            if shift_min % self.start_grid_minutes and shift_min % 5:
                raise ConfigError(f"[scheduling] shift_lengths_h: {length_h:g} h is not a whole "
                                  "number of 5-minute steps")
            previous_end = 0
            for b in self.breaks_for(length_h):
                lo, hi = b.earliest_latest_min(shift_min)
                what = (f"[scheduling] a {length_h:g} h shift cannot fit its {b.duration_min}-min "
                        f"{b.kind} starting {lo / 60:g}-{hi / 60:g} h after the shift start")
                if lo > hi:
                    raise ConfigError(f"{what}: the window is empty")
                if lo < 0 or hi + b.duration_min > shift_min:
                    raise ConfigError(f"{what}: it would fall outside the shift",
                                      hint="widen or move the window, or drop that shift length")
                if lo < previous_end:
                    raise ConfigError(f"{what}: it may overlap the break before it",
                                      hint="make the break windows follow each other")
                previous_end = hi + b.duration_min

    def paid_hours(self, length_h: float) -> float:
        """Paid hours of a shift: its length minus unpaid breaks [h]."""
        unpaid_min = sum(b.duration_min for b in self.breaks_for(length_h) if not b.paid)
        return length_h - unpaid_min / 60
