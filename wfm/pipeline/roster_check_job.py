"""The roster check job: verify every hard rule on any roster (wfm's or edited by hand)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wfm.errors import InputDataError
from wfm.pipeline.project import Project
from wfm.pipeline.run_folders.files import read_agent_intervals_text, roster_path
from wfm.pipeline.run_folders.manifests import manifest_input
from wfm.pipeline.schedule_job import load_agents
from wfm.reports import Report
from wfm.scheduling.checker import check_roster, read_roster, violations_frame


@dataclass(frozen=True)
class RosterCheck:
    """The violations found (one row each, empty when every rule holds)."""

    report: Report
    violations: int
    roster: Path
    agents: int


def check_schedule(project: Project, roster: Path, *, agents: Path | None = None,
                   requirements: Path | None = None) -> RosterCheck:
    """Verify every hard rule on ``roster`` (a roster.csv or a schedule run folder).

    ``agents`` and ``requirements`` default to the files the run's manifest names;
    with the run's agent_intervals.csv, skills are checked too.
    """
    cfg = project.config
    run_dir = roster if roster.is_dir() else None
    roster_file = roster_path(roster)
    if not roster_file.is_file():
        raise InputDataError(f"{roster}: no {roster_file.name} in this folder",
                             hint="pass a roster.csv or a schedules/<run-id> folder")
    if agents is None and run_dir is not None:
        agents = manifest_input(run_dir, "agents")
    if agents is None:
        raise InputDataError(f"{roster}: no agents file given and none recorded in a run "
                             "manifest", hint="pass --agents PATH")
    agent_list = load_agents(cfg, agents)
    if requirements is None and run_dir is not None:
        requirements = manifest_input(run_dir, "requirements")
    required = None
    if requirements is not None:
        if not requirements.is_file():
            raise InputDataError(f"{requirements}: requirements file not found")
        required = pd.read_csv(requirements, dtype=str, keep_default_na=False)
    intervals = read_agent_intervals_text(run_dir) if run_dir is not None else None
    found = check_roster(read_roster(roster_file), agent_list, cfg.scheduling.rules,
                         cfg.site.timezone, requirements=required, intervals=intervals,
                         source=str(roster_file))
    title = (f"# {len(found)} violation(s) in {roster_file}" if found
             else f"# {roster_file}: no violation")
    return RosterCheck(Report(violations_frame(found), title), len(found), roster_file,
                       len(agent_list))
