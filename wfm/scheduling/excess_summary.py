"""The typed excess breakdown a roster's summary carries (see
:mod:`wfm.scheduling.excess_breakdown`, which computes it): pure data, amounts that add up
over independent groups of agents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: The solver's steps whose excess is reported per queue, in order.
QUEUE_STEPS: tuple[str, ...] = ("lp", "plan", "after_breaks", "roster")


def _sum(values: Sequence[float]) -> float:
    return round(sum(values), 3)


@dataclass(frozen=True)
class StepHours:
    """One step of the breakdown: its objective (weighted agent-hours) and the agent-hours
    in excess and short over the week."""

    objective: float = 0.0
    over_agent_hours: float = 0.0
    under_agent_hours: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return {"objective": self.objective, "over_agent_hours": self.over_agent_hours,
                "under_agent_hours": self.under_agent_hours}

    @staticmethod
    def add(parts: Sequence[StepHours]) -> StepHours:
        return StepHours(_sum([p.objective for p in parts]),
                         _sum([p.over_agent_hours for p in parts]),
                         _sum([p.under_agent_hours for p in parts]))


@dataclass(frozen=True)
class ExcessSummary:
    """Where a roster's excess comes from, in agent-hours (docs/scheduling.md).

    ``forced_over_agent_hours``: excess any roster has, whatever the solver (the contracts'
    least working time above the requirement); ``lp_without_minimums`` (when
    ``free_lp_computed``), ``lp``, ``plan``, ``after_breaks``, ``roster``: the steps from the
    relaxation to the published roster; ``stage_b_shift_hours_added``/``_missing``: shift
    hours stage (b) put on or left out against the plan; ``over_by_queue``: excess per queue
    and step (:data:`QUEUE_STEPS`).
    """

    required_agent_hours: float
    contract_min_work_hours: float
    forced_over_agent_hours: float
    free_lp_computed: bool
    lp_without_minimums: StepHours
    lp: StepHours
    plan: StepHours
    after_breaks: StepHours
    roster: StepHours
    stage_b_shift_hours_added: float
    stage_b_shift_hours_missing: float
    over_by_queue: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The manifest's ``excess_breakdown`` entry."""
        return {
            "required_agent_hours": self.required_agent_hours,
            "contract_min_work_hours": self.contract_min_work_hours,
            "forced_over_agent_hours": self.forced_over_agent_hours,
            "free_lp_computed": self.free_lp_computed,
            "lp_without_minimums": self.lp_without_minimums.to_dict(),
            **{name: getattr(self, name).to_dict() for name in QUEUE_STEPS},
            "stage_b_shift_hours_added": self.stage_b_shift_hours_added,
            "stage_b_shift_hours_missing": self.stage_b_shift_hours_missing,
            "over_by_queue": {q: dict(steps) for q, steps in self.over_by_queue.items()},
        }

    @staticmethod
    def add(parts: Sequence[ExcessSummary]) -> ExcessSummary:
        """Independent groups' breakdowns added (the LP without minimums counts as computed
        only when it was for every group)."""
        by_queue: dict[str, dict[str, float]] = {}
        for p in parts:
            for q, steps in p.over_by_queue.items():
                mine = by_queue.setdefault(q, {})
                for step, h in steps.items():
                    mine[step] = round(mine.get(step, 0.0) + h, 3)
        return ExcessSummary(
            required_agent_hours=_sum([p.required_agent_hours for p in parts]),
            contract_min_work_hours=_sum([p.contract_min_work_hours for p in parts]),
            forced_over_agent_hours=_sum([p.forced_over_agent_hours for p in parts]),
            free_lp_computed=all(p.free_lp_computed for p in parts),
            lp_without_minimums=StepHours.add([p.lp_without_minimums for p in parts]),
            lp=StepHours.add([p.lp for p in parts]),
            plan=StepHours.add([p.plan for p in parts]),
            after_breaks=StepHours.add([p.after_breaks for p in parts]),
            roster=StepHours.add([p.roster for p in parts]),
            stage_b_shift_hours_added=_sum([p.stage_b_shift_hours_added for p in parts]),
            stage_b_shift_hours_missing=_sum([p.stage_b_shift_hours_missing for p in parts]),
            over_by_queue=by_queue)
