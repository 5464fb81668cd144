"""`wfm schedule --verify` / `--replan N`: simulate the new roster, and re-plan where short.

Requirements are computed per queue as if each had its own agents; a roster of
multi-skill agents routed by priority can still miss a queue's target. The schedule job
hands its scheduler to :func:`verify_roster` as a callable (requirements frame -> roster);
this module (the pipeline: scheduling and simulation do not import each other) turns
each roster into the simulator's staffing, simulates it on the requirements' forecast
(``offered``, ``aht_s``: Poisson arrivals, skill-based routing, breaks, abandonment,
deferred work) and, with re-plan rounds, lets :func:`wfm.simulation.replan.replan` raise
the requirement where a queue-day misses its target and schedule again.

The published roster is the round with the fewest queue-days short that some staffing
could meet (the earliest of equals: later rounds were made for more hours). A round the
scheduler cannot solve ends the loop; the best roster so far is published and the
failure reported.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from wfm.config import Config
from wfm.config.simulation import simulation_queues
from wfm.errors import WfmError
from wfm.executors import Executor
from wfm.pipeline.replan_diagnosis import skill_day
from wfm.reports import Report
from wfm.scheduling.agents import Agent
from wfm.scheduling.roster import ScheduleResult
from wfm.scheduling.rules import ShiftRules
from wfm.simulation.centre import FloatArray, SimOptions, Staffing
from wfm.simulation.inputs import (
    Horizon,
    demand_from_frame,
    make_horizon,
    requirement_grid,
    staffing_from_intervals,
)
from wfm.simulation.replan import ReplanRound, replan
from wfm.simulation.rosters import RosterSimulation, compact_table, misses
from wfm.simulation.run import simulate_centre

#: A queue-day (or interval) misses its target when fewer than this share of the
#: simulated replications meet it (the median day misses).
MIN_PROBABILITY = 0.5
#: Raise of a short interval's requirement per re-plan round (at least one agent).
STEP_FRACTION = 0.05

Scheduler = Callable[[pd.DataFrame], ScheduleResult]
"""A requirements frame -> the week's roster (the schedule job's scheduler)."""


@dataclass(frozen=True)
class VerifyOptions:
    """``rounds``: re-plans allowed (0: simulate the roster only); ``replications`` and
    ``seed`` of each simulation (the same every round: common random numbers)."""

    rounds: int = 0
    replications: int = 30
    seed: int = 0


@dataclass(frozen=True)
class Verification:
    """The simulated service of the published roster and how the loop went.

    Attributes
    ----------
    result : the published roster (one of the rounds)
    requirements : the requirements it was made for (raised by the loop, if it ran)
    published : its round number
    rounds : every round: requirement and roster agent-hours, simulated service per
        queue and day, the queue-days short
    days : simulated service per queue and local day of the published roster
    intervals : the queue-intervals of the published roster that miss their target
    unmet : for each queue-day of the last round still short, why
    options : how it was simulated
    failure : why the loop stopped early ("" when it did not)
    """

    result: ScheduleResult
    requirements: pd.DataFrame
    published: int
    rounds: tuple[ReplanRound, ...]
    days: pd.DataFrame
    intervals: pd.DataFrame
    unmet: tuple[str, ...]
    options: VerifyOptions
    failure: str = ""

    @property
    def missed_days(self) -> pd.DataFrame:
        """The queue-days of the published roster that miss their target."""
        return misses(self.days, MIN_PROBABILITY)

    def report(self, *, compact: bool = False) -> Report:
        """Simulated service per queue and day of the published roster."""
        r = self.rounds[self.published]
        title = (f"# simulated service of the roster (round {self.published}), "
                 f"{self.options.replications} replications (seed {self.options.seed}); "
                 f"{r.agent_hours:,.1f} agent-h logged in; means with 95 % intervals")
        return Report(compact_table(self.days) if compact else self.days, title)

    def miss_lines(self) -> list[str]:
        """One line per queue-day short, and the count of queue-intervals short."""
        lines = []
        for row in self.missed_days.itertuples():
            measure = ("share_within_target" if pd.notna(getattr(row, "share_within_target",
                                                                  np.nan))
                       else "service_level")
            lines.append(f"short: {row.queue} on {row.date}: {measure} "
                         f"{getattr(row, measure):.3f}, target {row.target}, met on "
                         f"{row.p_target_met:.0%} of the simulated days")
        lines.append(f"{len(self.intervals)} queue-interval(s) miss their target in the "
                     "simulation" + (" (listed in the run folder)" if len(self.intervals)
                                     else ""))
        if len(self.rounds) > 1:
            first, chosen = self.rounds[0], self.rounds[self.published]
            why = (" (the later rounds were short on no fewer queue-days)"
                   if self.published < len(self.rounds) - 1 else "")
            lines.append(f"published round {self.published} of {len(self.rounds) - 1} "
                         f"re-plan(s){why}: {chosen.agent_hours - first.agent_hours:+,.1f} "
                         "agent-h logged in, "
                         f"{chosen.required_agent_hours - first.required_agent_hours:+,.1f} "
                         "required, over round 0")
        return lines

    def manifest(self) -> dict[str, Any]:
        """What the schedule run's manifest records of the verification."""
        first, chosen = self.rounds[0], self.rounds[self.published]
        return {
            "replications": self.options.replications, "seed": self.options.seed,
            "min_probability": MIN_PROBABILITY, "step_fraction": STEP_FRACTION,
            "max_rounds": self.options.rounds, "published_round": self.published,
            "rounds": [{"round": r.number,
                        "required_agent_hours": round(r.required_agent_hours, 4),
                        "agent_hours": round(r.agent_hours, 4),
                        "queue_days_short": int(r.missing.sum())} for r in self.rounds],
            "extra_required_agent_hours": round(chosen.required_agent_hours
                                                - first.required_agent_hours, 4),
            "extra_agent_hours": round(chosen.agent_hours - first.agent_hours, 4),
            "queue_days_short": int(chosen.missing.sum()),
            "queue_intervals_short": len(self.intervals), "unmet": list(self.unmet),
            "failure": self.failure,
        }


def verify_roster(config: Config, requirements: pd.DataFrame, agents: list[Agent],
                  week: date, scheduler: Scheduler, *, options: VerifyOptions,
                  progress: Callable[[str], None] | None = None,
                  executor: Executor | None = None,
                  rules: ShiftRules | None = None) -> Verification:
    """Schedule the week, simulate the roster and, with ``options.rounds``, re-plan
    where a queue-day's simulated service misses its target.

    Parameters
    ----------
    config : queues (targets, opening hours), site time zone, interval grid
    requirements : the REQUIREMENTS frame to roster (``offered`` and ``aht_s`` are the
        simulated demand)
    agents : the agents (skills and priorities route the contacts)
    week : the Monday of the week
    scheduler : the schedule job's scheduler
    options : rounds, replications, seed
    progress : one line per round (requirement and roster agent-hours, simulated
        service per queue)
    executor : where the replications run (the job's Dask cluster; default: threads
        here); the figures do not depend on it
    rules : the shift rules the scheduler works under: with them, each queue-day still
        short after the loop says what its skilled agents could still give
        (:mod:`wfm.pipeline.replan_diagnosis`)
    """
    tz = config.site.timezone
    horizon = make_horizon(week, 7, config.data.interval_minutes, tz)
    inside = _in_week(requirements, horizon)
    known = {q.name for q in config.queues}
    names = sorted(set(requirements.loc[inside, "queue"].astype(str)) & known)
    queues = simulation_queues(config, names, horizon.starts)
    demand = demand_from_frame(requirements[inside], names, horizon, source="requirements")
    required = requirement_grid(requirements[inside], names, horizon)
    skills = {a.agent_id: dict(a.skills) for a in agents}
    results: list[ScheduleResult] = []
    frames: list[pd.DataFrame] = []

    def schedule(req: FloatArray) -> Staffing:
        frame = requirements if not results else _with_required(requirements, req, names,
                                                                horizon)
        result = scheduler(frame)
        results.append(result)
        frames.append(frame)
        return schedule_staffing(result, skills, names, horizon)

    def explain(k: int, d: int, missing: np.ndarray, which: int = -1) -> str:
        assert rules is not None
        roster = results[which]
        met = [q for j, q in enumerate(names) if j != k and not missing[j, d]]
        return skill_day(names[k], date.fromisoformat(horizon.days[d]), roster.roster,
                         roster.agent_intervals, agents, rules=rules, tz=tz).text(met)

    sim_options = SimOptions(options.replications, options.seed,
                             workers=max(1, min(os.cpu_count() or 1, options.replications)))
    out = replan(required, schedule, queues, demand, sim_options, max_rounds=options.rounds,
                 min_probability=MIN_PROBABILITY, step_fraction=STEP_FRACTION,
                 day_labels=list(horizon.days), progress=progress, stop_on=(WfmError,),
                 executor=executor, explain=explain if rules is not None else None)
    reachable = ~out.unreachable if out.unreachable is not None else True
    short = [int((r.missing & reachable).sum()) for r in out.rounds]
    best = short.index(min(short))
    sim = out.result if best == len(out.rounds) - 1 else simulate_centre(
        queues, demand, schedule_staffing(results[best], skills, names, horizon),
        sim_options, executor=executor)
    view = RosterSimulation(sim, horizon)
    unmet = out.unmet
    if best != len(out.rounds) - 1:
        # The loop's reasons are about its last roster; the published one is another.
        later = len(out.rounds) - 1 - best
        unmet = tuple(
            f"{names[k]} on {horizon.days[d]}: short in the published round {best} (the "
            f"{later} later re-plan(s) were short on no fewer queue-days)"
            + (f"; {explain(int(k), int(d), out.rounds[best].missing, best)}"
               if rules is not None and not _unreachable(out.unreachable, k, d) else "")
            for k, d in zip(*np.nonzero(out.rounds[best].missing), strict=True))
    return Verification(results[best], frames[best], best, out.rounds, view.table("day"),
                        misses(view.table("interval"), MIN_PROBABILITY), unmet, options,
                        out.failure)


def _unreachable(unreachable: np.ndarray | None, k: int, d: int) -> bool:
    return bool(unreachable is not None and unreachable[k, d])


def schedule_staffing(result: ScheduleResult, skills: dict[str, dict[str, int]],
                      names: list[str], horizon: Horizon) -> Staffing:
    """The simulator's staffing of a roster."""
    intervals = result.agent_intervals.copy()
    intervals["interval_start"] = pd.to_datetime(intervals["interval_start"], utc=True,
                                                 format="ISO8601")
    return staffing_from_intervals(intervals, skills, names, horizon, source="the new roster")


def _in_week(requirements: pd.DataFrame, horizon: Horizon) -> pd.Series:
    stamps = pd.DatetimeIndex(requirements["interval_start"]).tz_convert("UTC")
    return pd.Series(horizon.starts.get_indexer(stamps) >= 0, index=requirements.index)


def _with_required(requirements: pd.DataFrame, required: FloatArray, names: list[str],
                   horizon: Horizon) -> pd.DataFrame:
    """The requirements with ``agents_required`` of the week's rows set from the grid."""
    out = requirements.copy()
    pos = horizon.starts.get_indexer(pd.DatetimeIndex(out["interval_start"]).tz_convert(
        "UTC"))
    row_of = {q: k for k, q in enumerate(names)}
    k = out["queue"].astype(str).map(row_of)
    hit = (pos >= 0) & k.notna().to_numpy()
    values = out["agents_required"].to_numpy(dtype=np.float64, copy=True)
    values[hit] = required[k.to_numpy()[hit].astype(np.int64), pos[hit]]
    out["agents_required"] = values
    return out
