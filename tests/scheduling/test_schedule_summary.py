"""The typed roster summary: its manifest form keeps the keys it always had, and merging
the summaries of independent groups adds amounts, keeps the worst status, recomputes the
gaps and the queue-switch statistics."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from wfm.scheduling.excess_summary import ExcessSummary, StepHours
from wfm.scheduling.schedule_summary import (
    MAX_WARNINGS,
    PerStage,
    QueueHours,
    QueueSwitches,
    ScheduleSummary,
    merge_summaries,
)

#: The keys of manifest.json's ``summary`` as main c0bf6fd wrote them (a `wfm schedule`
#: of the demo configuration, week of 2026-11-16, 30 s budget), in their order.
MANIFEST_SUMMARY_KEYS = [
    "objective", "lp_bound", "gap", "plan_objective", "plan_gap", "under_agent_hours",
    "over_agent_hours", "paid_hours", "shifts", "by_queue", "stage_status", "seconds_a",
    "seconds_b", "seconds_c", "seconds_d", "seconds_total", "budget_s", "stage_budget_s",
    "stage_work_s", "queue_switches", "queue_block_cost", "wall_limit_hits", "reproducible",
    "lp_method", "fallbacks", "shifts_missed", "shifts_extra", "warnings", "short_intervals",
    "week", "timezone", "status"]
QUEUE_KEYS = ["required_agent_hours", "scheduled_agent_hours", "under_agent_hours",
              "over_agent_hours"]


def summary_of(**changes: Any) -> ScheduleSummary:
    """A one-queue summary with round numbers; ``changes`` replace fields."""
    base = ScheduleSummary(
        status="OPTIMAL", objective=10.0, lp_bound=8.0, gap=0.2, plan_objective=9.0,
        plan_gap=0.111111, under_agent_hours=1.0, over_agent_hours=2.0, paid_hours=40.0,
        shifts=5, by_queue={"voice_fr": QueueHours(30.0, 31.0, 1.0, 2.0)},
        stage_status=PerStage("OPTIMAL", "OPTIMAL", "OPTIMAL", "OPTIMAL"),
        stage_seconds=PerStage(1.0, 2.0, 3.0, 0.5), seconds_total=6.5, budget_s=20.0,
        stage_budget_s=PerStage(10.0, 6.0, 3.0, 1.0),
        stage_work_s=PerStage(9.0, 5.0, 2.0, 0.5), queue_switches=QueueSwitches(),
        queue_block_cost=0.0, wall_limit_hits=PerStage(0, 0, 0, 0), lp_method="GLOP",
        fallbacks=(), shifts_missed=0, shifts_extra=0, warnings=(), short_intervals=0,
        week=date(2026, 11, 16), timezone="Europe/Paris")
    return replace(base, **changes)


def test_manifest_form_has_the_keys_and_json_types_of_before() -> None:
    s = summary_of(queue_switches=QueueSwitches.from_histogram({1: 3, 0: 1}),
                   warnings=("Tuesday short",), short_intervals=1)
    out = json.loads(json.dumps(s.to_dict()))
    assert list(out) == MANIFEST_SUMMARY_KEYS
    assert list(out["by_queue"]["voice_fr"]) == QUEUE_KEYS
    assert out["stage_status"] == {"a": "OPTIMAL", "b": "OPTIMAL", "c": "OPTIMAL",
                                   "d": "OPTIMAL"}
    assert out["queue_switches"] == {"max": 1, "mean": 0.75, "agent_days": 4,
                                     "histogram": {"0": 1, "1": 3}}
    assert out["week"] == "2026-11-16" and out["warnings"] == ["Tuesday short"]
    assert out["reproducible"] is True
    assert "groups" not in out  # one roster: no groups key, as before


def test_reproducible_follows_the_wall_limit_hits() -> None:
    hit = summary_of(wall_limit_hits=PerStage(0, 2, 0, 0))
    assert not hit.reproducible
    assert hit.to_dict()["reproducible"] is False
    assert hit.to_dict()["wall_limit_hits"] == {"a": 0, "b": 2, "c": 0, "d": 0}


def test_merge_adds_amounts_keeps_the_worst_status_and_recomputes_the_gaps() -> None:
    one = summary_of(fallbacks=("group 1 re-solved",),
                     warnings=tuple(f"one {k}" for k in range(15)), short_intervals=15)
    two = summary_of(status="FEASIBLE", objective=30.0, lp_bound=30.0, plan_objective=30.0,
                     by_queue={"chat_fr": QueueHours(10.0, 10.0, 0.0, 0.0)},
                     stage_status=PerStage("OPTIMAL", "FEASIBLE", "OPTIMAL", "OPTIMAL"),
                     wall_limit_hits=PerStage(0, 1, 0, 0), lp_method="PDLP",
                     warnings=tuple(f"two {k}" for k in range(15)), short_intervals=15)
    merged = merge_summaries([one, two], seconds_total=7.25)
    assert merged.objective == 40.0 and merged.lp_bound == 38.0
    assert merged.gap == pytest.approx(2.0 / 40.0)  # (40 - 38) / 40
    assert merged.plan_objective == 39.0 and merged.plan_gap == pytest.approx(1.0 / 39.0)
    assert merged.status == "FEASIBLE"
    assert merged.stage_status == PerStage("OPTIMAL", "FEASIBLE", "OPTIMAL", "OPTIMAL")
    assert merged.paid_hours == 80.0 and merged.shifts == 10 and merged.budget_s == 40.0
    assert merged.stage_seconds == PerStage(2.0, 4.0, 6.0, 1.0)
    assert merged.seconds_total == 7.25
    assert merged.wall_limit_hits == PerStage(0, 1, 0, 0) and not merged.reproducible
    assert list(merged.by_queue) == ["voice_fr", "chat_fr"]
    assert merged.by_queue["chat_fr"] == QueueHours(10.0, 10.0, 0.0, 0.0)
    assert merged.fallbacks == ("group 1 re-solved",)
    assert len(merged.warnings) == MAX_WARNINGS and merged.warnings[15] == "two 0"
    assert merged.short_intervals == 30
    assert merged.lp_method == "GLOP" and merged.week == date(2026, 11, 16)
    assert merged.groups == 2 and merged.to_dict()["groups"] == 2
    assert list(merged.to_dict())[:-1] == MANIFEST_SUMMARY_KEYS


def test_merged_queue_switches_take_the_most_and_the_mean_of_all_agent_days() -> None:
    # Group 1: 3 agent-days with 0, 0 and 4 switches; group 2: 1 agent-day with 2.
    one = summary_of(queue_switches=QueueSwitches(4, 4 / 3, 3, {0: 2, 4: 1}))
    two = summary_of(queue_switches=QueueSwitches(2, 2.0, 1, {2: 1}))
    merged = merge_summaries([one, two], seconds_total=1.0)
    assert merged.queue_switches == QueueSwitches(4, 1.5, 4, {0: 2, 2: 1, 4: 1})
    assert merged.to_dict()["queue_switches"]["histogram"] == {"0": 2, "2": 1, "4": 1}


def test_no_multi_skill_agent_day_gives_empty_switch_statistics() -> None:
    merged = merge_summaries([summary_of(), summary_of()], seconds_total=1.0)
    assert merged.queue_switches == QueueSwitches(0, 0.0, 0, {})


def _excess(forced: float, free_lp: bool, roster_over: float) -> ExcessSummary:
    step = StepHours(over_agent_hours=roster_over)
    return ExcessSummary(required_agent_hours=10.0, contract_min_work_hours=10.0 + forced,
                         forced_over_agent_hours=forced, free_lp_computed=free_lp,
                         lp_without_minimums=StepHours(), lp=StepHours(), plan=StepHours(),
                         after_breaks=step, roster=step, stage_b_shift_hours_added=1.0,
                         stage_b_shift_hours_missing=0.0,
                         over_by_queue={"voice_fr": {"roster": roster_over}})


def test_merged_excess_breakdowns_add_up_key_by_key() -> None:
    one = summary_of(excess_breakdown=_excess(2.5, True, 4.0))
    two = summary_of(excess_breakdown=_excess(1.0, False, 0.5))
    merged = merge_summaries([one, two], seconds_total=1.0)
    b = merged.excess_breakdown
    assert b is not None
    assert b.forced_over_agent_hours == 3.5 and b.contract_min_work_hours == 23.5
    assert b.free_lp_computed is False  # not computed for every group
    assert b.roster.over_agent_hours == 4.5 and b.stage_b_shift_hours_added == 2.0
    assert b.over_by_queue == {"voice_fr": {"roster": 4.5}}
    assert merged.to_dict()["excess_breakdown"]["roster"]["over_agent_hours"] == 4.5
    assert "excess_breakdown" not in summary_of().to_dict()
    # A group without a breakdown: the sum would be wrong, so there is none.
    assert merge_summaries([one, summary_of()], seconds_total=1.0).excess_breakdown is None
