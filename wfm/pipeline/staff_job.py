"""The staff job: a forecast -> required agents per queue and interval -> requirements/."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from wfm.config import Config
from wfm.config.staffing import staffing_inputs
from wfm.errors import InputDataError, StaffingError
from wfm.executors import Executor
from wfm.io.store import read_intervals
from wfm.pipeline.execution import Execution, ExecutorChoice, execution_for
from wfm.pipeline.project import Project
from wfm.pipeline.run_folders import Run
from wfm.pipeline.run_folders.files import in_folder, read_forecast, write_staffing
from wfm.pipeline.run_folders.layout import FORECAST_FILE
from wfm.pipeline.run_folders.manifests import file_input, read_manifest
from wfm.staffing.abandonment import abandonment_warnings
from wfm.staffing.patience import estimate_patience
from wfm.staffing.requirements import QueueTargets, StaffingInputs
from wfm.staffing.requirements import staff_forecast as staff_frame

if TYPE_CHECKING:
    from wfm.pipeline.confidence_staffing import QueueConfidence

#: Weeks of history the patience estimate reads.
PATIENCE_WEEKS = 13


@dataclass(frozen=True)
class StaffRequest:
    """``forecast``: a forecast.csv or forecast run folder (default: this run's forecast,
    else forecasts/latest); ``output_dir``: write requirements.csv and daily.csv there
    instead of a new requirements run folder; ``estimate_patience``: voice/callback
    queues without ``patience_s`` get one estimated from history and use Erlang A;
    ``confidence``: staff every queue to this probability of meeting its target (default:
    each queue's ``confidence``, else ``[staffing] confidence``, else plain staffing)."""

    forecast: Path | None = None
    output_dir: Path | None = None
    estimate_patience: bool = False
    confidence: float | None = None


@dataclass(frozen=True)
class StaffResult:
    """Requirements per interval (schema.REQUIREMENTS), agent-hours per queue and day, the
    folder holding them, notes on what was assumed (patience estimates) and warnings
    (abandonment above [staffing] abandon_warning_rate). ``confidence``: the queues
    staffed to a confidence level, with what it cost (``daily`` then has the columns
    ``confidence, load_factor, p_target_met, p_target_met_plain, agent_hours_plain,
    extra_agent_hours``)."""

    requirements: pd.DataFrame
    daily: pd.DataFrame
    folder: Path
    source: Path
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    confidence: tuple[QueueConfidence, ...] = ()

    def confidence_lines(self) -> list[str]:
        """One line per queue staffed to a confidence level: its cost and probability."""
        from wfm.pipeline.confidence_staffing import describe

        return [describe(c, self.daily) for c in self.confidence]


def staff(project: Project, request: StaffRequest | None = None, *,
          run: Run | None = None,
          execution: Execution | ExecutorChoice | None = None,
          progress: Callable[[str], None] | None = None) -> StaffResult:
    """Required agents per queue and interval of a forecast, every channel.

    ``run``: the run this job is a step of; without one (and without ``output_dir``) the
    job is a run of its own that publishes requirements/<run-id>/ and moves its latest.
    ``progress`` receives one line per queue sized to a confidence level.
    """
    request = request or StaffRequest()
    with execution_for(project.config, execution) as ex:
        if request.output_dir is not None:
            return _staff_into(project, request, request.output_dir, run=None, step=False,
                               ex=ex, progress=progress)
        with project.publishing(run, command="staff") as current:
            result = _staff_into(project, request, current.stage("requirements"),
                                 run=current, step=run is not None, ex=ex,
                                 progress=progress)
            final_source = current.final_path(result.source)
            extra: dict[str, Any] = {}
            if result.confidence:
                from wfm.pipeline.confidence_staffing import manifest_entry

                extra["confidence"] = {c.queue: manifest_entry(c, result.daily)
                                       for c in result.confidence}
            current.record("requirements", command="staff", status="success",
                           source=str(final_source),
                           inputs={"forecast": file_input(result.source,
                                                          final_path=final_source)},
                           executor=ex.kind, **extra)
            return dataclasses.replace(result, folder=current.final("requirements"),
                                       source=final_source)


@dataclass(frozen=True)
class QueueStaffing:
    """One queue's forecast rows and the staffing inputs: a task of the executor."""

    queue: str
    forecast: pd.DataFrame
    inputs: StaffingInputs

    def label(self) -> str:
        return f"queue {self.queue}"


def staff_queue(task: QueueStaffing) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Requirements and daily agent-hours of one queue (runs where the executor says)."""
    return staff_frame(task.forecast, task.inputs)


def _staff_into(project: Project, request: StaffRequest, folder: Path, *,
                run: Run | None, step: bool, ex: Execution,
                progress: Callable[[str], None] | None) -> StaffResult:
    path = forecast_path(project, request, run, step=step)
    forecast = read_forecast(path)
    notes: list[str] = []
    for name in forecast["queue"].unique():
        project.config.queue(str(name))  # an unknown queue is a ConfigError naming wfm.toml
    inputs = staffing_inputs(project.config, _years(forecast))
    if request.estimate_patience:
        inputs = inputs.with_queues(_with_estimated_patience(project, inputs.queues,
                                                             forecast, notes))
    named = run.final_path(path) if run is not None else path
    tasks = [QueueStaffing(str(q), rows, inputs)
             for q, rows in forecast.groupby("queue", sort=True)]
    try:
        done = list(ex.tasks().map(staff_queue, tasks, label=QueueStaffing.label))
    except StaffingError as exc:
        raise StaffingError(f"{named}: {exc.message}", hint=exc.hint) from None
    if not done:
        raise StaffingError(f"{named}: the forecast has no rows to staff")
    requirements = pd.concat([d[0] for d in done], ignore_index=True).sort_values(
        ["queue", "channel", "interval_start"], kind="stable", ignore_index=True)
    daily = pd.concat([d[1] for d in done], ignore_index=True).sort_values(
        ["queue", "date"], kind="stable", ignore_index=True)
    sized: tuple[QueueConfidence, ...] = ()
    levels = queue_confidence(project.config, request.confidence)
    if levels:
        requirements, daily, sized = _to_confidence(
            project, forecast, inputs, levels, daily, series=_forecast_series(path, run),
            source=str(named), progress=progress, executor=ex.dask)
    warnings = tuple(w.message for w in abandonment_warnings(
        requirements, project.config.staffing.abandon_warning_rate))
    if run is not None:
        for warning in warnings:
            run.warn(warning)
    if request.output_dir is not None:
        folder.mkdir(parents=True, exist_ok=True)
    write_staffing(folder, requirements, daily, project.config.site.timezone)
    return StaffResult(requirements, daily, folder, path, tuple(notes), warnings, sized)


def queue_confidence(config: Config, override: float | None = None) -> dict[str, float]:
    """The confidence level of each queue that has one: ``override`` (the command line),
    else the queue's ``confidence``, else ``[staffing] confidence``."""
    out = {}
    for q in config.queues:
        level = override if override is not None else (
            q.confidence if q.confidence is not None else config.staffing.confidence)
        if level is not None:
            out[q.name] = level
    return out


def _to_confidence(project: Project, forecast: pd.DataFrame, inputs: StaffingInputs,
                   levels: Mapping[str, float], plain_daily: pd.DataFrame, *,
                   series: Mapping[str, Any], source: str,
                   progress: Callable[[str], None] | None,
                   executor: Executor | None = None
                   ) -> tuple[pd.DataFrame, pd.DataFrame, tuple[QueueConfidence, ...]]:
    """The requirements and daily frames with the queues of ``levels`` staffed to their
    confidence level (wfm.pipeline.confidence_staffing)."""
    from wfm.pipeline.confidence_staffing import confidence_daily, size_to_confidence

    agents, sized = size_to_confidence(project.config, forecast, inputs, levels, series,
                                       source=source, progress=progress,
                                       executor=executor)
    try:
        requirements, daily = staff_frame(forecast, inputs, agents=agents)
    except StaffingError as exc:
        raise StaffingError(f"{source}: {exc.message}", hint=exc.hint) from None
    requirements = requirements.sort_values(["queue", "channel", "interval_start"],
                                            kind="stable", ignore_index=True)
    daily = daily.sort_values(["queue", "date"], kind="stable", ignore_index=True)
    staffed = requirements["queue"].astype(str).isin(agents)
    requirements.loc[staffed, "method"] = requirements.loc[staffed, "method"].astype(str) \
        + "+confidence"
    return requirements, confidence_daily(daily, plain_daily, sized), tuple(sized)


def _forecast_series(path: Path, run: Run | None) -> Mapping[str, Any]:
    """The per-series facts of the forecast run behind ``path`` (its manifest; this run's
    record when the forecast was made in this run and is not committed yet)."""
    if run is not None:
        staged = run.staged("forecasts")
        if staged is not None and path.is_relative_to(staged):
            series = run.recorded("forecasts").get("series")
            return series if isinstance(series, dict) else {}
    series = read_manifest(path.parent).get("series")
    return series if isinstance(series, dict) else {}


def forecast_path(project: Project, request: StaffRequest, run: Run | None, *,
                   step: bool) -> Path:
    if request.forecast is not None:
        return in_folder(request.forecast, FORECAST_FILE)
    folder = run.source("forecasts") if run is not None else project.folders.latest(
        "forecasts")
    if folder is None:
        made = "this run made none and " if step else ""
        hint = ("add the forecast step: wfm run --steps forecast,staff" if step
                else "run 'wfm forecast' first, or pass --forecast PATH")
        raise InputDataError(f"no forecast to staff: {made}forecasts/latest does not exist",
                             hint=hint)
    return folder / FORECAST_FILE


def _years(forecast: pd.DataFrame) -> range:
    starts = forecast["interval_start"]
    return range(starts.min().year - 1, starts.max().year + 2)


def _with_estimated_patience(project: Project, queues: Mapping[str, QueueTargets],
                             forecast: pd.DataFrame, notes: list[str]
                             ) -> dict[str, QueueTargets]:
    """Patience from the last weeks of history for hot voice queues that lack one."""
    out = dict(queues)
    for name in sorted(map(str, forecast["queue"].unique())):
        q = queues[name]
        if q.patience_s is not None or q.channel not in ("voice", "callback"):
            continue
        hist = read_intervals(project.data_dir, queues=[name])
        need = ("abandoned", "handled", "answer_wait_s")
        lacking = [c for c in need if c not in hist or hist[c].isna().all()]
        if lacking:
            notes.append(f"queue {name!r}: the history has no {', '.join(lacking)}; "
                         "patience not estimated, Erlang C used")
            continue
        recent = hist[hist["interval_start"] >= hist["interval_start"].max()
                      - pd.Timedelta(weeks=PATIENCE_WEEKS)]
        # The summed wait of abandoned contacts removes the estimator's downward bias;
        # it is optional in exports, so use it only where every interval carries it.
        abandon_wait = recent.get("abandon_wait_s")
        if abandon_wait is not None and abandon_wait.isna().any():
            abandon_wait = None
        est = estimate_patience(recent["abandoned"], recent["handled"],
                                recent["answer_wait_s"], abandon_wait)
        if est.patience_s is None:
            notes.append(f"queue {name!r}: {est.note}")
            continue
        notes.append(f"queue {name!r}: patience estimated at {est.patience_s:.0f} s from "
                     f"{est.abandoned:.0f} abandoned contacts ({est.note}); Erlang A used")
        out[name] = dataclasses.replace(q, patience_s=est.patience_s)
    return out
