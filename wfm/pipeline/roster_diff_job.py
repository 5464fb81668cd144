"""The roster diff job: two schedule runs of one week -> what changed for agents and queues.

After a re-plan a supervisor must tell agents what moved; `wfm schedule diff` reads both
run folders (run_folders.files.read_schedule) and compares them with
wfm.reports.roster_diff.diff_rosters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wfm.errors import InputDataError, WfmError
from wfm.pipeline.project import Project
from wfm.pipeline.run_folders.files import read_schedule
from wfm.pipeline.run_folders.manifests import read_manifest
from wfm.reports import Report
from wfm.reports.roster_diff import RosterDiff, diff_rosters, diff_title

#: The tables a diff can show: agent-days that changed, hours per agent, coverage per day.
VIEWS: tuple[str, ...] = ("changes", "agents", "coverage")


@dataclass(frozen=True)
class RosterDiffRequest:
    """``before``/``after``: schedule run ids (or run folders). ``after`` defaults to the
    latest run; ``before`` to the run of the same week made just before ``after``."""

    before: str | None = None
    after: str | None = None


@dataclass(frozen=True)
class RosterDiffResult:
    """The diff (three tables) and the paragraph that sums it up."""

    diff: RosterDiff
    title: str

    def report(self, view: str = "changes") -> Report:
        """One of the tables (VIEWS) with the summary as its title."""
        frames = {"changes": self.diff.changes, "agents": self.diff.agents,
                  "coverage": self.diff.coverage}
        if view not in frames:
            raise InputDataError(f"unknown view {view!r}; accepted: {', '.join(VIEWS)}")
        units = {"changes": "local times", "agents": "paid hours [h]",
                 "coverage": "agent-hours per local day"}[view]
        return Report(frames[view], f"{self.title}\n{view} ({units})")


def roster_diff(project: Project, request: RosterDiffRequest | None = None
                ) -> RosterDiffResult:
    """Compare two schedule runs of one week: which agents' shifts were added, removed,
    moved or kept with other breaks or queues; shifts and paid hours per agent; scheduled
    and short agent-hours per queue and local day, before and after."""
    request = request or RosterDiffRequest()
    tz = project.config.site.timezone
    after_dir = project.folders.resolve("schedules", request.after)
    after = read_schedule(after_dir, default_tz=tz)
    before_dir = (project.folders.resolve("schedules", request.before)
                  if request.before is not None
                  else _earlier_run_of_week(project, after_dir, after.week[:10]))
    diff = diff_rosters(read_schedule(before_dir, default_tz=tz), after)
    return RosterDiffResult(diff, diff_title(diff))


def _earlier_run_of_week(project: Project, after_dir: Path, week: str) -> Path:
    """The schedule run of ``week`` made last before ``after_dir``."""
    runs = project.folders.runs("schedules")
    earlier = runs[:runs.index(after_dir.name)] if after_dir.name in runs else runs
    for name in reversed(earlier):
        folder = project.folders.schedules / name
        try:
            planned = str(read_manifest(folder).get("week", ""))[:10]
        except WfmError:  # an unreadable manifest is not the run we look for
            continue
        if planned == week:
            return folder
    raise InputDataError(f"{project.folders.schedules}: no schedule run of the week of "
                         f"{week} made before {after_dir.name}",
                         hint="name the two runs: wfm schedule diff RUN_A RUN_B")
