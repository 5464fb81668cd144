"""`wfm schedule check ROSTER`: independent verification of every hard rule of a roster."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pandas as pd

from wfm.cli.common import AppContext, emit, output_options, pass_app
from wfm.config import Config
from wfm.config.scheduling import shift_rules
from wfm.errors import InputDataError
from wfm.scheduling.agents import Agent, read_agents
from wfm.scheduling.checker import check_roster, read_roster, violations_frame

ROSTER_FILE = "roster.csv"
INTERVALS_FILE = "agent_intervals.csv"


def known_queues(config: Config) -> dict[str, str]:
    """Queue name -> channel from [[queues]]: what an agents file's skills may name."""
    return {q.name: q.channel for q in config.queues}


def load_agents(config: Config, path: Path) -> list[Agent]:
    """Read the agents file against the configured queues."""
    return read_agents(path, known_queues(config))


def _manifest_input(run_dir: Path, key: str) -> Path | None:
    """The path of input ``key`` recorded in the run's manifest.json, if any."""
    manifest = run_dir / "manifest.json"
    if not manifest.is_file():
        return None
    try:
        inputs: Any = json.loads(manifest.read_text(encoding="utf-8")).get("inputs", {})
    except (json.JSONDecodeError, AttributeError):
        return None
    entry = inputs.get(key) if isinstance(inputs, dict) else None
    if isinstance(entry, dict):
        entry = entry.get("path")
    if not isinstance(entry, str) or not entry:
        return None
    path = Path(entry)
    return path if path.is_absolute() else (run_dir / path if (run_dir / path).exists()
                                            else Path.cwd() / path)


@click.command("check", epilog="Example:  wfm schedule check schedules/latest "
                               "--agents sample/agents.csv")
@click.argument("roster", type=click.Path(exists=True, path_type=Path))
@click.option("--agents", "agents_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="Agents file (CSV or .xlsx) [default: the one in the run's manifest].")
@click.option("--requirements", "requirements_path",
              type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Requirements CSV: report shifts on dates it does not cover "
                   "[default: the one in the run's manifest, if any].")
@output_options
@pass_app
def check_command(app: AppContext, roster: Path, *, agents_path: Path | None,
                  requirements_path: Path | None, fmt: str | None,
                  output: Path | None) -> None:
    """Verify every hard rule on a roster and list the violations.

    ROSTER is a roster.csv (one produced by 'wfm schedule' or edited by hand) or a
    schedules/<run-id> folder. Checks shift lengths (elapsed time, so daylight-saving days
    count right), start grid, availability and time off, overnight shifts, rest between
    shifts, consecutive days, days off, contract hours and days, breaks and lunch (count,
    length, window), overlaps and, with the run's agent_intervals.csv, skills. Exits 1
    when any rule is broken.
    """
    config = app.config
    run_dir = roster if roster.is_dir() else None
    roster_file = roster / ROSTER_FILE if run_dir else roster
    if not roster_file.is_file():
        raise InputDataError(f"{roster}: no {ROSTER_FILE} in this folder",
                             hint="pass a roster.csv or a schedules/<run-id> folder")
    if agents_path is None and run_dir is not None:
        agents_path = _manifest_input(run_dir, "agents")
    if agents_path is None:
        raise InputDataError(f"{roster}: no agents file given and none recorded in a run "
                             "manifest", hint="pass --agents PATH")
    agents = load_agents(config, agents_path)
    if requirements_path is None and run_dir is not None:
        requirements_path = _manifest_input(run_dir, "requirements")
    requirements = None
    if requirements_path is not None:
        if not requirements_path.is_file():
            raise InputDataError(f"{requirements_path}: requirements file not found")
        requirements = pd.read_csv(requirements_path, dtype=str, keep_default_na=False)
    intervals = None
    if run_dir is not None and (run_dir / INTERVALS_FILE).is_file():
        intervals = pd.read_csv(run_dir / INTERVALS_FILE, dtype=str, keep_default_na=False)
    found = check_roster(read_roster(roster_file), agents, shift_rules(config.scheduling),
                         config.site.timezone, requirements=requirements, intervals=intervals,
                         source=str(roster_file))
    frame = violations_frame(found)
    if found:
        emit(frame, fmt, output, title=f"# {len(found)} violation(s) in {roster_file}")
        app.info(f"wfm: {len(found)} rule violation(s) in {roster_file}")
        raise click.exceptions.Exit(1)
    emit(frame, fmt, output, title=f"# {roster_file}: no violation")
    app.info(f"{roster_file}: every hard rule holds ({len(agents)} agents checked)")
