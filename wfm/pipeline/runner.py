"""`wfm run`: the jobs of wfm.toml [run] as one run (lock, staged outputs, one commit).

Each step calls the same job function as its single command (`wfm ingest`, `wfm forecast`,
`wfm staff`, `wfm schedule`, the `wfm report`/`wfm export` functions), handing it the run
so the outputs of every step appear together, or not at all (see
:mod:`wfm.pipeline.run_folders.staging`).
"""

from __future__ import annotations

import dataclasses
import os
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from wfm.config import Config
from wfm.errors import ConfigError, InputDataError, WfmError
from wfm.io.ingest import history_files
from wfm.pipeline.execution import Execution, ExecutorChoice, execution_for
from wfm.pipeline.forecast_job import ForecastRequest, forecast
from wfm.pipeline.ingest_job import IngestRequest, ingest
from wfm.pipeline.project import Project
from wfm.pipeline.report_jobs import report
from wfm.pipeline.run_folders import Run, new_run_id, open_run
from wfm.pipeline.run_folders.files import write_simulated_service
from wfm.pipeline.run_folders.layout import REPORT_HTML_FILE, REQUIREMENTS_FILE
from wfm.pipeline.run_folders.staging import environment_errors, pause, retain
from wfm.pipeline.runlog import RunLog
from wfm.pipeline.schedule_job import ScheduleRequest, schedule
from wfm.pipeline.staff_job import staff


@dataclass(frozen=True)
class RunOptions:
    """Everything one run needs besides the Config (wfm.toml values, overridden by flags)."""

    steps: tuple[str, ...]
    inputs: tuple[str, ...]
    horizon: str
    agents: Path | None
    week: str
    reports: tuple[str, ...]
    keep: int = 0
    wait_s: float = 0.0
    log_file: Path | None = None
    execution: Execution | ExecutorChoice | None = None


@dataclass(frozen=True)
class StepResult:
    """What a step reports: how many rows (or files) it produced."""

    rows: int = 0
    unit: str = "rows"


#: A step: the job of its name, run as part of ``run``.
StepFunction = Callable[[Project, Run, RunOptions], StepResult]


@dataclass
class StepOutcome:
    """How one step went: ``ok``, ``failed`` or ``not run``."""

    name: str
    status: str = "not run"
    duration_s: float = 0.0
    rows: int = 0
    warnings: int = 0
    error: str = ""
    unit: str = "rows"


@dataclass
class RunSummary:
    """The outcome of one run, with the one-line summary a cron mail shows."""

    run_id: str
    status: str
    duration_s: float
    steps: list[StepOutcome]
    outputs: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    failed_step: str | None = None
    error: str = ""
    #: The run's HTML report (reports/<run-id>/report.html), when the run wrote one.
    report: Path | None = None
    site: str = ""

    def line(self) -> str:
        return (f"site {self.site}: " if self.site else "") + self._line()

    def _line(self) -> str:
        if self.status == "ok":
            done = ", ".join(f"{s.name} {s.rows} {s.unit} {s.duration_s:.1f}s"
                             for s in self.steps)
            n = len(self.warnings)
            warn = f"; {n} warning{'s' if n != 1 else ''}" if n else ""
            areas = ", ".join(sorted(self.outputs)) or "nothing"
            link = f"; report: {self.report}" if self.report is not None else ""
            return (f"run {self.run_id} ok in {self.duration_s:.1f}s: {done}{warn}; "
                    f"latest -> {self.run_id} for {areas}{link}")
        return (f"run {self.run_id} FAILED at step {self.failed_step} after "
                f"{self.duration_s:.1f}s: {self.error} (previous outputs and latest "
                "unchanged)")


class StepFailedError(WfmError):
    """A step raised a WfmError; carries the run summary and the step's exit code."""

    def __init__(self, summary: RunSummary, cause: WfmError) -> None:
        super().__init__(summary.line(), hint=cause.hint)
        self.summary = summary
        self.exit_code = cause.exit_code


def ingest_step(project: Project, run: Run, options: RunOptions) -> StepResult:
    """wfm.io.ingest (vendor mappings, health checks) -> the data store."""
    cfg = project.config
    key = "[run] inputs" if cfg.run.inputs is not None else "[data] history"
    paths = history_files(options.inputs, project.base_dir, key=f"{cfg.path}: {key}",
                          hint="set [run] inputs or [data] history in wfm.toml")
    result = ingest(project, IngestRequest(files=tuple(paths)), run=run)
    return StepResult(result.rows_written)


def forecast_step(project: Project, run: Run, options: RunOptions) -> StepResult:
    """wfm.forecasting on the data store -> forecasts/<run-id>/."""
    result = forecast(project, ForecastRequest(horizon=options.horizon), run=run,
                      execution=options.execution)
    return StepResult(len(result.forecast.forecast))


def staff_step(project: Project, run: Run, options: RunOptions) -> StepResult:
    """wfm.staffing (Erlang C/A, deferred backlog) on the forecast -> requirements/."""
    return StepResult(len(staff(project, run=run, execution=options.execution).requirements))


def schedule_step(project: Project, run: Run, options: RunOptions) -> StepResult:
    """wfm.scheduling (CP-SAT weekly roster) on the requirements -> schedules/."""
    cfg = project.config
    if options.agents is None:
        raise ConfigError(f"{cfg.path}: no agents file: [run] agents and [scheduling] "
                          "agents_file are both unset; the schedule step needs one",
                          hint='add agents_file = "agents.csv" under [scheduling]')
    week = None if options.week == "next" else date.fromisoformat(options.week)
    request = ScheduleRequest(agents=options.agents, week=week,
                              allow_understaffing=cfg.run.allow_understaffing)
    outcome = schedule(project, request, run=run, execution=options.execution)
    return StepResult(len(outcome.schedule.roster))


def simulate_step(project: Project, run: Run, options: RunOptions) -> StepResult:
    """wfm.simulation (skill-based routing, 30 replications) on this run's (or the
    latest) roster -> reports/simulated_service.csv (per queue and day),
    simulated_misses.csv (the queue-intervals short) and the workbook's Simulated service
    sheet."""
    from wfm.pipeline.simulate_job import SimulateRequest, simulate
    from wfm.simulation.rosters import misses

    roster = run.source("schedules")
    if roster is None:
        raise InputDataError("the simulate step needs a roster: this run made none and "
                             "schedules/latest does not exist",
                             hint="add the schedule step: wfm run --steps "
                                  "staff,schedule,simulate")
    staged = run.staged("schedules") is not None
    recorded = run.recorded("schedules") if staged else {}
    requirements = run.source("requirements") if staged else None
    result = simulate(project, SimulateRequest(
        roster=roster, agents=options.agents if staged else None,
        forecast=requirements / REQUIREMENTS_FILE if requirements is not None else None,
        week=_week_of(recorded)))
    table = result.simulation.table("day")
    write_simulated_service(run.stage("reports"), table, project.config.site.timezone,
                            misses(result.simulation.table("interval")))
    run.record("reports", simulation={"roster": str(run.final_path(roster)),
                                      "replications": result.request.replications,
                                      "seed": result.request.seed})
    short = table[table["p_target_met"] < 0.5] if "p_target_met" in table else table[:0]
    for q, d in zip(short["queue"], short["date"], strict=True):
        run.warn(f"simulate: {q} on {d} misses its target on most simulated days")
    return StepResult(len(table))


def _week_of(recorded: Mapping[str, object]) -> date | None:
    week = recorded.get("week")
    return date.fromisoformat(week) if isinstance(week, str) else None


def report_step(project: Project, run: Run, options: RunOptions) -> StepResult:
    """wfm.reports on this run's (or the latest) runs -> reports/<run-id>/."""
    return StepResult(len(report(project, options.reports, run=run)), unit="files")


#: The steps, in the order they always run (``[run] steps`` names a subset).
STEPS: dict[str, StepFunction] = {"ingest": ingest_step, "forecast": forecast_step,
                                  "staff": staff_step, "schedule": schedule_step,
                                  "simulate": simulate_step, "report": report_step}


def resolve_options(cfg: Config, *, steps: tuple[str, ...] | None = None,
                    keep: int | None = None, wait_s: float = 0.0,
                    log_file: Path | None = None,
                    executor: ExecutorChoice | None = None) -> RunOptions:
    """[run] settings overridden by the command line (``None`` keeps wfm.toml's value)."""
    run = cfg.run
    agents_file = cfg.scheduling.agents_file
    return RunOptions(
        steps=steps if steps is not None else run.steps,
        inputs=run.inputs if run.inputs is not None else cfg.data.history,
        horizon=run.horizon or cfg.forecasting.horizon,
        agents=run.agents or (cfg.base_dir / Path(agents_file).expanduser()
                              if agents_file else None),
        week=run.week, reports=run.reports,
        keep=run.keep if keep is None else keep, wait_s=wait_s, log_file=log_file,
        execution=executor)


def run_pipeline(project: Project, options: RunOptions, *, log: RunLog | None = None,
                 run_id: str | None = None,
                 steps: Mapping[str, StepFunction] = STEPS) -> RunSummary:
    """Run ``options.steps`` under the project lock and commit their outputs together.

    Raises
    ------
    ConfigError
        A step is unknown (before anything is locked or written).
    LockHeldError
        Another run holds the lock after ``options.wait_s`` seconds (exit code 75).
    StepFailedError
        A step failed; nothing of this run is visible and every ``latest`` is unchanged.
    """
    unknown = [name for name in options.steps if name not in steps]
    if unknown:
        raise ConfigError(f"unknown step {unknown[0]!r}; steps: {', '.join(steps)}")
    run_id = run_id or new_run_id()
    log = log or RunLog(run_id)
    cfg = project.config
    started = time.monotonic()
    outcomes = [StepOutcome(name) for name in options.steps]
    with open_run(project.folders, lock_file=cfg.run.lock_file,
                  source=str(cfg.path), run_id=run_id, wait_s=options.wait_s,
                  log=log) as run, execution_for(cfg, options.execution) as ex:
        options = dataclasses.replace(options, execution=ex)
        log.event("start", steps=",".join(options.steps), pid=os.getpid(),
                  config=str(cfg.path))
        try:
            for outcome in outcomes:
                _run_step(outcome, steps[outcome.name], project, run, options)
            outputs = run.commit(list(options.steps))
        except WfmError as exc:
            failed = next((o for o in outcomes if o.status == "failed"), None)
            summary = RunSummary(run_id, "failed", time.monotonic() - started, outcomes,
                                 warnings=run.warnings,
                                 failed_step=failed.name if failed else "commit",
                                 error=exc.message, site=log.site or "")
            log.event("end", status="failed", failed_step=summary.failed_step,
                      duration_s=summary.duration_s, error=exc.message)
            raise StepFailedError(summary, exc) from None
        except BaseException as exc:
            log.event("end", status="crashed", duration_s=time.monotonic() - started,
                      error=f"{type(exc).__name__}: {exc}")
            raise
        try:
            removed = retain(project.folders, outputs, options.keep, run_id, log)
        except OSError as exc:  # the run itself succeeded: retention waits for the next
            removed = []
            run.warn(f"retention: could not delete old runs ({exc})")
            log.event("warning", step="retention", message=str(exc))
        page = outputs["reports"] / REPORT_HTML_FILE if "reports" in outputs else None
        summary = RunSummary(run_id, "ok", time.monotonic() - started, outcomes, outputs,
                             run.warnings, removed,
                             report=page if page is not None and page.is_file() else None,
                             site=log.site or "")
        log.event("end", status="ok", duration_s=summary.duration_s,
                  rows=sum(o.rows for o in outcomes), warnings=len(run.warnings))
        return summary


def _run_step(outcome: StepOutcome, fn: StepFunction, project: Project, run: Run,
              options: RunOptions) -> None:
    name = outcome.name
    log = run.log
    pause(f"before:{name}", log)
    log.event("start", step=name)
    t0 = time.monotonic()
    n_warnings = len(run.warnings)
    try:
        # A library warning of the step (numpy, pandas...) goes to the run log as one of
        # its warnings, not to stderr: a quiet cron run stays quiet and loses nothing.
        with environment_errors(), warnings.catch_warnings(record=True) as caught:
            result = fn(project, run, options)
        for note in dict.fromkeys(f"{w.category.__name__}: {w.message} "
                                  f"({Path(w.filename).name}:{w.lineno})" for w in caught):
            run.warn(note)
    except WfmError as exc:
        outcome.status, outcome.error = "failed", exc.message
        outcome.duration_s = time.monotonic() - t0
        log.event("end", step=name, status="failed", duration_s=outcome.duration_s,
                  error=exc.message)
        raise
    except BaseException as exc:
        outcome.status, outcome.error = "failed", f"{type(exc).__name__}: {exc}"
        log.event("end", step=name, status="crashed", duration_s=time.monotonic() - t0,
                  error=outcome.error)
        raise
    outcome.duration_s = time.monotonic() - t0
    outcome.status, outcome.rows, outcome.unit = "ok", result.rows, result.unit
    new = run.warnings[n_warnings:]
    outcome.warnings = len(new)
    for message in new:
        log.event("warning", step=name, message=message)
    log.event("end", step=name, status="ok", duration_s=outcome.duration_s,
              rows=result.rows, warnings=len(new))
    pause(f"after:{name}", log)
