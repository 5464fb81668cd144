"""Schedule step: wfm.scheduling (CP-SAT weekly roster) on the requirements -> schedules/."""

from __future__ import annotations

from datetime import date

from wfm.config.scheduling import shift_rules
from wfm.errors import ConfigError
from wfm.pipeline.staffing_files import REQUIREMENTS_FILE
from wfm.pipeline.steps import StepContext, StepResult, area_roots
from wfm.scheduling.agents import read_agents
from wfm.scheduling.previous_week import previous_roster
from wfm.scheduling.requirement_grid import first_monday
from wfm.scheduling.roster import file_input, fill_schedule_folder, schedule_week
from wfm.scheduling.solver_params import SolverParams
from wfm.schema import REQUIREMENTS


def run(ctx: StepContext) -> StepResult:
    """Roster the [run] week for the [run] agents from this run's (or the latest)
    requirements."""
    cfg = ctx.config
    agents_path = ctx.options.agents
    if agents_path is None:
        raise ConfigError(f"{cfg.path}: no agents file: [run] agents and [scheduling] "
                          "agents_file are both unset; the schedule step needs one",
                          hint='add agents_file = "agents.csv" under [scheduling]')
    req = ctx.input_frame("requirements", REQUIREMENTS_FILE, REQUIREMENTS,
                          state_key="requirements", missing="no requirements to roster",
                          hint="add the staff step: wfm run --steps forecast,staff,schedule")
    requirements, req_path = req.frame, req.path
    agents = read_agents(agents_path, {q.name: q.channel for q in cfg.queues})
    tz = cfg.site.timezone
    week = (first_monday(requirements, tz, str(req_path)) if ctx.options.week == "next"
            else date.fromisoformat(ctx.options.week))
    sc = cfg.scheduling
    params = SolverParams(sc.time_limit_s, sc.workers, sc.seed, sc.relative_gap)
    previous, previous_run = previous_roster(area_roots(cfg)["schedules"], week)
    result = schedule_week(requirements, agents, shift_rules(sc), week_start=week, tz=tz,
                           params=params, allow_understaffing=cfg.run.allow_understaffing,
                           previous_roster=previous)
    under = float(result.summary.get("under_agent_hours", 0.0))
    if under > 1e-9:
        ctx.warn(f"schedule: week {week} leaves {under:.4g} agent-hours uncovered "
                 f"(published: [run] allow_understaffing = true; see coverage.csv)")
    notes = list(result.summary.get("warnings", []))
    if notes:
        more = f" (and {len(notes) - 1} more in manifest.json)" if len(notes) > 1 else ""
        ctx.warn(f"schedule: {notes[0]}{more}")
    folder = ctx.stage("schedules")
    fill_schedule_folder(
        result, folder, run_id=ctx.run_id,
        inputs={"requirements": req_path, "agents": agents_path},
        settings={"time_limit_s": params.time_limit_s, "workers": params.workers,
                  "seed": params.seed, "relative_gap": params.relative_gap,
                  "allow_understaffing": cfg.run.allow_understaffing,
                  "previous_run": previous_run})
    inputs = {"agents": file_input(agents_path), "requirements": file_input(req_path)}
    if req.final_path != req.path:
        # Staged now, at this path once the run commits.
        inputs["requirements"]["path"] = str(req.final_path)
    ctx.record("schedules", inputs=inputs)
    ctx.state["schedule"] = result
    return StepResult(rows=len(result.roster), outputs=("schedules",),
                      details={"status": result.summary.get("status")})
