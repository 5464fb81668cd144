"""The simulate job: a schedule run + the forecast it was made for -> simulated service."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from wfm.config import Config
from wfm.config.simulation import simulation_queues
from wfm.pipeline.execution import Execution, ExecutorChoice, execution_for
from wfm.pipeline.project import Project
from wfm.pipeline.run_folders.files import read_roster_run
from wfm.pipeline.schedule_job import load_agents
from wfm.reports import Report
from wfm.simulation.centre import HANDLE_TIME_MODELS, SimOptions
from wfm.simulation.inputs import make_horizon
from wfm.simulation.rosters import (
    BY_CHOICES,
    RosterFrames,
    RosterSimulation,
    compact_table,
    simulate_roster,
)

__all__ = ["BY_CHOICES", "HANDLE_TIME_MODELS", "SimulateRequest", "SimulateResult",
           "simulate", "simulation_queues"]


@dataclass(frozen=True)
class SimulateRequest:
    """``roster``: a schedules/<run-id> folder (default: schedules/latest); ``replications``
    seeded runs of the week (common random numbers); ``compare``: another schedule run for
    paired differences; ``by``: day, interval or week; ``forecast``: the demand (default:
    the requirements the run was made from); ``uncertainty``: add the forecast's
    uncertainty from its ``offered_lo/hi_<level>`` columns (level in percent);
    ``handle_time`` model and ``handle_cv`` (lognormal); ``absence``: share of agent-days
    lost to unplanned absence; ``agents``: default the run manifest's; ``week``: its
    first day (default: the run manifest's)."""

    roster: Path | None = None
    replications: int = 30
    seed: int = 0
    compare: Path | None = None
    by: str = "day"
    forecast: Path | None = None
    uncertainty: int | None = None
    handle_time: str = "exponential"
    handle_cv: float = 1.0
    absence: float = 0.0
    agents: Path | None = None
    week: date | None = None


@dataclass(frozen=True)
class SimulateResult:
    """The simulation (per queue and interval, with 95 % intervals) and its period."""

    simulation: RosterSimulation
    roster: str
    first_day: date
    last_day: date
    request: SimulateRequest

    def report(self, *, compact: bool = False) -> Report:
        """The table by ``request.by``; ``compact`` puts each measure in one column,
        ``mean [lo, hi]`` (for a terminal)."""
        table = self.simulation.table(self.request.by)
        r = self.request
        title = (f"# simulated service {self.first_day}..{self.last_day}, {r.replications} "
                 f"replications (seed {r.seed}); means with 95 % intervals"
                 + (f"; differences against {r.compare}" if r.compare else ""))
        return Report(compact_table(table) if compact else table, title)


def simulate(project: Project, request: SimulateRequest | None = None, *,
             execution: Execution | ExecutorChoice | None = None) -> SimulateResult:
    """Simulate a roster against its forecast: skill-based routing, abandonment, chat
    concurrency, deferred work, breaks; R replications with 95 % intervals.

    ``execution``: where the replications run (default [run] executor): threads of this
    process with ``local`` (the compiled core releases the GIL), batches of replications
    as tasks of the Dask cluster with ``dask``; every replication draws from its own
    seeded streams, so the result is the same either way.
    """
    request = request or SimulateRequest()
    cfg = project.config
    roster = request.roster or project.folders.resolve("schedules")
    run = read_roster_run(roster, forecast_path=request.forecast, agents_path=request.agents,
                          default_tz=cfg.site.timezone, week=request.week)
    frames = RosterFrames(run.name, run.intervals, _skills(cfg, run.agents))
    other = None
    if request.compare is not None:
        twin = read_roster_run(request.compare, forecast_path=run.demand_path,
                               default_tz=cfg.site.timezone)
        other = RosterFrames(twin.name, twin.intervals, _skills(cfg, twin.agents))
    horizon = make_horizon(run.first_day, run.n_days, cfg.data.interval_minutes,
                           cfg.site.timezone)
    names = sorted(set(run.demand["queue"].astype(str)) & {q.name for q in cfg.queues})
    queues = simulation_queues(cfg, names, horizon.starts)
    options = SimOptions(request.replications, request.seed, request.handle_time,
                         request.handle_cv, workers=min(os.cpu_count() or 1,
                                                        request.replications),
                         absence=request.absence)
    level = None if request.uncertainty is None else request.uncertainty / 100
    with execution_for(cfg, execution) as ex:
        sim = simulate_roster(frames, queues, run.demand, horizon, options=options,
                              compare=other, demand_source=str(run.demand_path),
                              uncertainty_level=level, executor=ex.dask)
    return SimulateResult(sim, run.name, run.first_day,
                          run.first_day + timedelta(days=run.n_days - 1), request)


def _skills(cfg: Config, agents: Path) -> dict[str, dict[str, int]]:
    return {a.agent_id: dict(a.skills) for a in load_agents(cfg, agents)}
