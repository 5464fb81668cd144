"""A small wfm project for pipeline tests: starter wfm.toml made fast, 13 weeks of sample."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

from click.testing import CliRunner, Result

from wfm.cli.main import cli
from wfm.io.store import write_intervals
from wfm.pipeline.runlog import parse_line
from wfm.simulation.sample_data import SampleData, generate_sample, iso_with_offset

REPO = Path(__file__).resolve().parents[2]
STARTER = REPO / "wfm" / "config" / "starter.toml"
STEPS = ["ingest", "forecast", "staff", "schedule", "report"]
AREAS = ("forecasts", "requirements", "schedules", "reports")
REPORTS = ("roster_workbook", "coverage", "service_level", "accuracy", "ical", "html")
#: Five voice_en agents: a roster solved in seconds (the other queues stay uncovered,
#: published with a warning as [run] allow_understaffing says).
AGENTS = """\
agent_id,name,team,site,skills,min_hours_week,max_hours_week,min_days_week,max_days_week,\
shift_lengths_h,earliest_start,latest_end,time_off,availability,preferred_start,\
preferred_days_off
A003,Alice Laurent,Team C,Lyon,voice_en:1,35.0,37.5,5,5,8,08:00,20:00,,,,
A014,Chloé Michel,Team B,Lyon,voice_en:1,16.0,20.0,4,5,4,08:00,20:00,,,,
A025,Chloé Durand,Team A,Lyon,voice_en:1,35.0,37.5,5,5,8,08:00,20:00,,,,
A037,Tom Moreau,Team A,Lyon,voice_en:1,35.0,37.5,5,5,8,08:00,20:00,,,,
A039,Clara Girard,Team C,Lyon,voice_en:1,35.0,37.5,5,5,8,08:00,20:00,,,11:00,
"""


def fast_config(steps: list[str] = STEPS, reports: tuple[str, ...] = REPORTS) -> str:
    """The starter wfm.toml with a short horizon, two cheap models, one worker, five agents
    and a 30 s solver budget (the five-agent week is solved to optimality in about 2 s)."""
    text = STARTER.read_text(encoding="utf-8")
    subs = {
        r"(?m)^candidates = .*$": 'candidates = ["seasonal_naive", "weekly_mean"]',
        r"(?m)^backtest_cutoffs = \d+": "backtest_cutoffs = 1",
        r"(?m)^workers = 0 .*$": "workers = 1",
        r"(?m)^workers = 2\b.*$": "workers = 1",
        r"(?m)^time_limit_s = \d+\b.*$": "time_limit_s = 30",
        r'(?m)^# horizon = "6w" .*$': 'horizon = "7d"',
        r"(?m)^steps = .*$": "steps = " + json.dumps(steps),
        r"(?m)^reports = .*$": "reports = " + json.dumps(list(reports)),
    }
    for pattern, new in subs.items():
        text, n = re.subn(pattern, new, text)
        assert n == 1, pattern
    return text


def _generate_sample() -> SampleData:
    """13 weeks of the sample centre."""
    return generate_sample(years=0.25)


@cache
def _sample_csv() -> bytes:
    sample = _generate_sample()
    frame = sample.intervals.assign(interval_start=iso_with_offset(
        sample.intervals["interval_start"]))
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def make_project(root: Path, *, store: bool = False, steps: list[str] = STEPS) -> Path:
    """wfm.toml + sample/intervals.csv (13 weeks, 4 queues), optionally already in the store."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "wfm.toml").write_text(fast_config(steps), encoding="utf-8")
    (root / "sample").mkdir(exist_ok=True)
    (root / "sample" / "intervals.csv").write_bytes(_sample_csv())
    (root / "sample" / "agents.csv").write_text(AGENTS, encoding="utf-8")
    if store:
        import pandas as pd

        frame = pd.read_csv(root / "sample" / "intervals.csv")
        frame["interval_start"] = pd.to_datetime(frame["interval_start"], utc=True,
                                                 format="ISO8601")
        write_intervals(root / "data", frame)
    return root


def run_in_process(project: Path, *args: str) -> Result:
    """`wfm run ARGS` on ``project`` through CliRunner (no interpreter start-up)."""
    return CliRunner().invoke(cli, ["--config", str(project / "wfm.toml"), "run", *args])


def wfm_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "wfm", *args]


def start_run(project: Path, *args: str, pause: str | None = None,
              log: str = "run.log", pause_s: float = 60) -> subprocess.Popen[str]:
    env = {**os.environ, "WFM_TEST_PAUSE_S": str(pause_s)}
    env.pop("WFM_TEST_PAUSE_AT", None)
    if pause:
        env["WFM_TEST_PAUSE_AT"] = pause
    return subprocess.Popen(wfm_cmd("run", "--log-file", log, *args), cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_log(project: Path, log: str = "run.log") -> list[dict[str, str]]:
    path = project / log
    if not path.exists():
        return []
    return [parse_line(line) for line in path.read_text(encoding="utf-8").splitlines()]


def wait_for(project: Path, predicate: object, timeout_s: float = 900.0,
             log: str = "run.log", proc: subprocess.Popen[str] | None = None) -> dict[str, str]:
    """The first log event matching ``predicate`` (a dict of wanted fields).

    ``timeout_s`` is only a safety net: on a loaded 2-core machine a run can take minutes to
    reach a point, so the wait ends early instead when ``proc`` (the run) has exited.
    """
    assert isinstance(predicate, dict)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for event in read_log(project, log):
            if all(event.get(k) == v for k, v in predicate.items()):
                return event
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the run exited ({proc.returncode}) before log event "
                                 f"{predicate}: {read_log(project, log)}")
        time.sleep(0.05)
    raise AssertionError(f"no log event {predicate} within {timeout_s}s: "
                         f"{read_log(project, log)}")


def latest(project: Path, area: str) -> str | None:
    link = project / area / "latest"
    return str(link.readlink()) if link.is_symlink() else None


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (hidden ones included), by relative path."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def visible_state(project: Path, areas: tuple[str, ...] = AREAS) -> dict[str, object]:
    """What a reader sees: every latest pointer and the files of the run it points at."""
    out: dict[str, object] = {}
    for area in areas:
        target = latest(project, area)
        out[area] = (target, tree_digest(project / area / target) if target else {})
    return out


def hidden_leftovers(project: Path) -> list[str]:
    """Temporary files or folders (``.tmp-*``) anywhere in the project."""
    return sorted(str(p.relative_to(project)) for p in project.rglob(".tmp-*"))


def copy_project(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst
