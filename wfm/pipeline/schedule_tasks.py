"""Scheduling per independent group of agents: tasks of the executor seam.

Agents whose skills share no queue (two sites in one agents file, teams on separate
queues) never cover each other's requirements, so their rosters are independent problems.
:func:`agent_groups` finds them (connected components of the agent-queue skill graph),
each becomes a :class:`GroupTask` that runs the library entry point
:func:`~wfm.scheduling.roster.schedule_week` on its own agents and queues wherever the
executor says, and :func:`merge_results` joins the rosters into the one a planner reads.

Each group gets a share of the time limit proportional to its agents (so the whole run
stays within the limit when the groups run one after another), and the merged roster does
not depend on the executor: the same groups, the same budgets, the same seed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.executors import Executor
from wfm.scheduling.agents import Agent
from wfm.scheduling.roster import ScheduleResult, schedule_week
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.schedule_summary import merge_summaries
from wfm.scheduling.solver_params import SolverParams

#: A group never gets less than this share of the time limit (a tiny group still needs a
#: few solver calls); the sum of the shares may then exceed the limit slightly.
MIN_GROUP_SHARE = 0.1


@dataclass(frozen=True)
class AgentGroup:
    """Agents (positions in the agents file) and the required queues only they cover."""

    members: tuple[int, ...]
    queues: tuple[str, ...]


def agent_groups(agents: Sequence[Agent], required_queues: Sequence[str]) -> list[AgentGroup]:
    """The connected components of the agent-queue skill graph, on the required queues.

    Agents are linked through the required queues they share; a required queue no agent
    covers, and agents without any required skill, join the first group (so the roster
    reports them exactly as one run would: uncovered, or working for contract minimums).
    Groups come in the order of their first agent in the file.
    """
    required = set(required_queues)
    parent = list(range(len(agents)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    first_of: dict[str, int] = {}
    for k, agent in enumerate(agents):
        for queue in sorted(q for q in agent.skills if q in required):
            if queue in first_of:
                a, b = root(first_of[queue]), root(k)
                parent[max(a, b)] = min(a, b)
            else:
                first_of[queue] = k
    members: dict[int, list[int]] = {}
    loose: list[int] = []
    for k, agent in enumerate(agents):
        if any(q in required for q in agent.skills):
            members.setdefault(root(k), []).append(k)
        else:
            loose.append(k)
    queues_of: dict[int, list[str]] = {}
    for queue in sorted(required):
        if queue in first_of:
            queues_of.setdefault(root(first_of[queue]), []).append(queue)
    roots = sorted(members)
    if not roots:
        return [AgentGroup(tuple(range(len(agents))), tuple(sorted(required)))]
    groups = [AgentGroup(tuple(members[r]), tuple(queues_of.get(r, []))) for r in roots]
    uncovered = required - set(first_of)
    groups[0] = AgentGroup(tuple(sorted([*groups[0].members, *loose])),
                           tuple(sorted({*groups[0].queues, *uncovered})))
    return groups


@dataclass(frozen=True)
class GroupTask:
    """One group's roster problem, everything the worker needs (no files, no Config)."""

    index: int
    of: int
    requirements: pd.DataFrame
    agents: tuple[Agent, ...]
    rules: ShiftRules
    week_start: date
    tz: ZoneInfo
    params: SolverParams
    allow_understaffing: bool
    previous_roster: pd.DataFrame | None

    def label(self) -> str:
        queues = ", ".join(sorted(set(self.requirements["queue"].astype(str))))
        return (f"agent group {self.index + 1} of {self.of} ({len(self.agents)} agents; "
                f"queues {queues})")


@dataclass(frozen=True)
class GroupRoster:
    """A group's roster and the progress lines its stages reported."""

    index: int
    result: ScheduleResult
    lines: tuple[str, ...]


def schedule_group(task: GroupTask) -> GroupRoster:
    """Roster one group (runs where the executor says)."""
    lines: list[str] = []
    result = schedule_week(task.requirements, task.agents, task.rules,
                           week_start=task.week_start, tz=task.tz, params=task.params,
                           allow_understaffing=task.allow_understaffing,
                           previous_roster=task.previous_roster, progress=lines.append)
    return GroupRoster(task.index, result, tuple(lines))


def group_tasks(requirements: pd.DataFrame, agents: Sequence[Agent],
                groups: Sequence[AgentGroup], rules: ShiftRules, *, week_start: date,
                tz: ZoneInfo, params: SolverParams, allow_understaffing: bool,
                previous_roster: pd.DataFrame | None) -> list[GroupTask]:
    """Split the requirements, the agents and the previous roster by group."""
    total = sum(len(g.members) for g in groups)
    queue = requirements["queue"].astype(str)
    tasks = []
    for k, group in enumerate(groups):
        members = tuple(agents[i] for i in group.members)
        ids = {a.agent_id for a in members}
        previous = None
        if previous_roster is not None:
            previous = previous_roster[previous_roster["agent_id"].astype(str).isin(ids)]
        share = max(MIN_GROUP_SHARE, len(members) / total)
        tasks.append(GroupTask(
            k, len(groups), requirements[queue.isin(group.queues)].reset_index(drop=True),
            members, rules, week_start, tz,
            replace(params, time_limit_s=params.time_limit_s * share),
            allow_understaffing, previous))
    return tasks


def schedule_groups(tasks: Sequence[GroupTask], executor: Executor, *,
                    agent_order: Sequence[str],
                    progress: Callable[[str], None] | None = None) -> ScheduleResult:
    """Run the groups' tasks on ``executor`` and merge their rosters. A single group is
    rostered in this process (nothing to gain elsewhere), reporting each stage as it ends."""
    if len(tasks) == 1:
        task = tasks[0]
        return schedule_week(task.requirements, task.agents, task.rules,
                             week_start=task.week_start, tz=task.tz, params=task.params,
                             allow_understaffing=task.allow_understaffing,
                             previous_roster=task.previous_roster, progress=progress)
    t0 = time.perf_counter()
    done: list[GroupRoster] = []
    for roster in executor.map(schedule_group, tasks, label=GroupTask.label):
        if progress is not None:
            name = tasks[roster.index].label()
            for line in roster.lines:
                progress(f"{name}: {line}")
        done.append(roster)
    done.sort(key=lambda r: r.index)
    return merge_results([r.result for r in done], agent_order=agent_order,
                         seconds_total=time.perf_counter() - t0)


def merge_results(results: Sequence[ScheduleResult], *, agent_order: Sequence[str],
                  seconds_total: float) -> ScheduleResult:
    """One roster of independent groups: the frames concatenated in the agents file's
    order, the summary's amounts added up (objectives and bounds of independent problems
    add), the statuses the worst of the groups."""
    position = {aid: k for k, aid in enumerate(agent_order)}
    roster = pd.concat([r.roster for r in results], ignore_index=True)
    roster = roster.iloc[roster["agent_id"].map(position).to_numpy().argsort(kind="stable")]
    intervals = pd.concat([r.agent_intervals for r in results], ignore_index=True)
    intervals = intervals.sort_values(["agent_id", "interval_start"], kind="stable")
    coverage = pd.concat([r.coverage for r in results], ignore_index=True)
    coverage = coverage.sort_values(["queue", "interval_start"], kind="stable")
    summary = merge_summaries([r.summary for r in results], seconds_total=seconds_total)
    return ScheduleResult(roster.reset_index(drop=True), intervals.reset_index(drop=True),
                          coverage.reset_index(drop=True), summary)
