"""The schedule job: requirements + agents -> the week's roster -> schedules/<run-id>/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.config import Config
from wfm.errors import InputDataError
from wfm.pipeline.execution import Execution, ExecutorChoice, execution_for
from wfm.pipeline.project import Project
from wfm.pipeline.run_folders import Run
from wfm.pipeline.run_folders.files import (
    previous_roster,
    read_requirements,
    requirements_path,
    write_schedule,
    write_simulated_service,
)
from wfm.pipeline.run_folders.manifests import file_input
from wfm.pipeline.schedule_tasks import agent_groups, group_tasks, schedule_groups
from wfm.scheduling.agents import Agent, read_agents
from wfm.scheduling.requirement_grid import first_monday
from wfm.scheduling.roster import ScheduleResult
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.solver_params import SolverParams

if TYPE_CHECKING:
    from wfm.pipeline.roster_verification import Verification


@dataclass(frozen=True)
class ScheduleRequest:
    """What to roster; ``None`` takes the wfm.toml value.

    ``requirements``: a requirements.csv or requirements run folder (default: this run's,
    else requirements/latest); ``agents``: the agents file (default: [scheduling]
    agents_file); ``week``: its first day (default: the first Monday the requirements
    reach); ``allow_understaffing``: publish the best roster even when it leaves
    requirements uncovered; ``time_limit_s`` and ``seed`` override [scheduling];
    ``verify``: simulate the new roster (``replications``, ``sim_seed``) and list the
    queue-days and intervals whose simulated service misses the target; ``replan``: up to
    that many rounds raising the requirement where the simulation falls short and
    scheduling again (implies ``verify``).
    """

    requirements: Path | None = None
    agents: Path | None = None
    week: date | None = None
    allow_understaffing: bool = False
    time_limit_s: float | None = None
    seed: int | None = None
    verify: bool = False
    replan: int = 0
    replications: int = 30
    sim_seed: int = 0


@dataclass(frozen=True)
class ScheduleOutcome:
    """The roster (frames and summary), the run folder holding it and what it was made of.

    ``previous_run`` is the schedule run whose last days carried rest and consecutive days
    into this week ("" when none did). ``verification``: the simulated service and the
    re-plan rounds (``verify`` / ``replan``), else ``None``.
    """

    schedule: ScheduleResult
    folder: Path
    week: date
    agents: int
    previous_run: str
    params: SolverParams
    verification: Verification | None = None


def schedule(project: Project, request: ScheduleRequest | None = None, *,
             run: Run | None = None,
             progress: Callable[[str], None] | None = None,
             execution: Execution | ExecutorChoice | None = None) -> ScheduleOutcome:
    """Build the week's roster: shifts, days off, breaks and lunch per agent.

    ``run``: the run this job is a step of; without one the job is a run of its own that
    publishes schedules/<run-id>/ and moves schedules/latest. ``progress`` receives one
    line per stage. Groups of agents whose skills share no required queue are rostered
    as separate tasks of the executor (``execution``, default [run] executor) and merged.
    """
    request = request or ScheduleRequest()
    cfg = project.config
    with execution_for(cfg, execution) as ex, \
            project.publishing(run, command="schedule") as current:
        req_file = _requirements_file(request, current, step=run is not None)
        agents_file = request.agents or agents_path(project)
        requirements = read_requirements(req_file)
        agents = load_agents(cfg, agents_file)
        tz = cfg.site.timezone
        week = request.week or first_monday(requirements, tz, str(req_file))
        params = solver_params(cfg, request)
        if progress is not None:
            progress(f"scheduling {len(agents)} agents for the week of {week} "
                     f"(time limit {params.time_limit_s:g} s)")
        previous, previous_run = previous_roster(project.folders, week)
        if previous is not None and progress is not None:
            progress(f"rest and consecutive days carried over from run {previous_run}")

        def scheduler(frame: pd.DataFrame) -> ScheduleResult:
            return _roster(frame, agents, cfg.scheduling.rules, ex,
                           week=week, tz=tz, params=params,
                           allow_understaffing=request.allow_understaffing,
                           previous=previous, progress=progress)

        verification = None
        if request.verify or request.replan > 0:
            from wfm.pipeline.roster_verification import VerifyOptions, verify_roster

            verification = verify_roster(
                cfg, requirements, agents, week, scheduler,
                options=VerifyOptions(request.replan, request.replications, request.sim_seed),
                progress=progress, executor=ex.dask, rules=cfg.scheduling.rules)
            result = verification.result
        else:
            result = scheduler(requirements)
        _warn(current, result, week)
        folder = current.stage("schedules")
        write_schedule(folder, result, tz)
        extra: dict[str, Any] = {}
        if verification is not None:
            write_simulated_service(folder, verification.days, tz, verification.intervals)
            extra["verification"] = verification.manifest()
            _warn_short(current, verification)
        current.record("schedules", **_manifest(
            current, result, requirements=req_file, agents=agents_file, config=cfg.path,
            settings={"time_limit_s": params.time_limit_s, "workers": params.workers,
                      "seed": params.seed, "relative_gap": params.relative_gap,
                      "allow_understaffing": request.allow_understaffing,
                      "previous_run": previous_run, "executor": ex.kind,
                      "agent_groups": result.summary.groups or 1}),
                       **extra)
        folder = current.final("schedules")
    return ScheduleOutcome(result, folder, week, len(agents), previous_run, params,
                           verification)


def _roster(requirements: pd.DataFrame, agents: list[Agent], rules: ShiftRules,
            ex: Execution, *, week: date, tz: ZoneInfo, params: SolverParams,
            allow_understaffing: bool, previous: pd.DataFrame | None,
            progress: Callable[[str], None] | None) -> ScheduleResult:
    """The week's roster, one task per independent group of agents: in this process
    for one group, else in the executor's worker processes (or the Dask cluster)."""
    groups = agent_groups(agents, sorted(set(requirements["queue"].astype(str))))
    if len(groups) > 1 and progress is not None:
        progress(f"{len(groups)} independent groups of agents (no shared queue), rostered "
                 "as separate tasks")
    tasks = group_tasks(requirements, agents, groups, rules, week_start=week, tz=tz,
                        params=params, allow_understaffing=allow_understaffing,
                        previous_roster=previous)
    return schedule_groups(tasks, ex.series(), agent_order=[a.agent_id for a in agents],
                           progress=progress)


def agents_path(project: Project) -> Path:
    """[scheduling] agents_file, made absolute (relative paths are from wfm.toml's folder)."""
    name = project.config.scheduling.agents_file
    if not name:
        raise InputDataError("no agents file given",
                             hint="pass --agents PATH or set [scheduling] agents_file in "
                                  "wfm.toml")
    return project.path(name)


def load_agents(config: Config, path: Path) -> list[Agent]:
    """Read the agents file against the configured queues (skills must name them)."""
    return read_agents(path, {q.name: q.channel for q in config.queues})


def solver_params(config: Config, request: ScheduleRequest) -> SolverParams:
    """[scheduling]'s solver limits with the request's time limit and seed, when given."""
    solver = config.scheduling.solver
    return replace(solver, time_limit_s=request.time_limit_s or solver.time_limit_s,
                   seed=solver.seed if request.seed is None else request.seed)


def _requirements_file(request: ScheduleRequest, run: Run, *, step: bool) -> Path:
    if request.requirements is not None:
        return requirements_path(request.requirements)
    folder = run.source("requirements")
    if folder is None:
        made = "this run made none and " if step else ""
        hint = ("add the staff step: wfm run --steps forecast,staff,schedule" if step
                else "run 'wfm staff' first, or pass --requirements PATH")
        raise InputDataError(f"no requirements to roster: {made}requirements/latest does "
                             "not exist", hint=hint)
    return requirements_path(folder)


def _warn(run: Run, result: ScheduleResult, week: date) -> None:
    under = result.summary.under_agent_hours
    if under > 1e-9:
        run.warn(f"schedule: week {week} leaves {under:.4g} agent-hours uncovered "
                 "(published: allow_understaffing; see coverage.csv)")
    hits = sum(result.summary.wall_limit_hits.values())
    if hits:
        run.warn(f"schedule: the wall-clock safety net stopped {hits} solver call(s) "
                 "(summary wall_limit_hits): a rerun of the same inputs may give another "
                 "roster")
    notes = result.summary.warnings
    if notes:
        more = f" (and {len(notes) - 1} more in manifest.json)" if len(notes) > 1 else ""
        run.warn(f"schedule: {notes[0]}{more}")


def _warn_short(run: Run, verification: Verification) -> None:
    short = verification.missed_days
    if len(short):
        days = ", ".join(f"{q} on {d}" for q, d in zip(short["queue"], short["date"],
                                                        strict=True))
        run.warn(f"schedule: the simulated service misses the target on {len(short)} "
                 f"queue-day(s): {days}")
    for reason in verification.unmet:
        run.warn(f"schedule: {reason}")


def _manifest(run: Run, result: ScheduleResult, *, requirements: Path, agents: Path,
              config: Path, settings: dict[str, Any]) -> dict[str, Any]:
    s = result.summary
    return {
        "kind": "schedule", "run_id": run.run_id,
        "created": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
        "status": s.status, "objective": s.objective, "bound": s.lp_bound,
        "gap": s.gap, "week": s.week.isoformat(), "timezone": s.timezone,
        "inputs": {"requirements": file_input(requirements,
                                              final_path=run.final_path(requirements)),
                   "agents": file_input(agents), "config": file_input(config)},
        "settings": settings, "summary": s.to_dict(),
    }


def queue_table(outcome: ScheduleOutcome) -> pd.DataFrame:
    """Required, scheduled, under and over agent-hours per queue."""
    rows = [{"queue": q, **asdict(v)} for q, v in outcome.schedule.summary.by_queue.items()]
    return pd.DataFrame(rows, columns=["queue", "required_agent_hours",
                                       "scheduled_agent_hours", "under_agent_hours",
                                       "over_agent_hours"])


def summary_line(outcome: ScheduleOutcome) -> str:
    """One line: status, objective, bound and gap, under/over staffing, paid hours."""
    s = outcome.schedule.summary
    return (f"# {s.status} roster, week of {s.week}: objective {s.objective:g}, "
            f"LP bound {s.lp_bound:g}, gap {s.gap:.2%}; under "
            f"{s.under_agent_hours:g} / over {s.over_agent_hours:g} agent-hours; "
            f"{s.paid_hours:g} paid hours")
