"""`wfm run --quiet` as cron runs it: a real process, nothing on stdout or stderr."""

from __future__ import annotations

import os
import re
import subprocess
import warnings
from pathlib import Path

import pandas as pd
from pipeline_project import make_project, read_log, wfm_cmd

from wfm.pipeline import open_project
from wfm.pipeline.project import Project
from wfm.pipeline.run_folders import Run
from wfm.pipeline.runlog import RunLog
from wfm.pipeline.runner import STEPS, RunOptions, StepResult, resolve_options, run_pipeline


def test_quiet_run_on_the_sample_writes_nothing_to_stderr(tmp_path: Path) -> None:
    """The sample (13 weeks, four queues, five agents), exported as ACDs often do: the
    intervals where nothing happened are absent. Every step runs in a child process, its
    forecast workers included, so stderr is the one cron would mail; numpy's "Mean of
    empty slice" once came out of weekly_mean there."""
    project = make_project(tmp_path / "centre")
    toml = project / "wfm.toml"  # forecast in two worker processes, as the starter does
    text = toml.read_text(encoding="utf-8")
    at = text.index("workers = 1", text.index("[forecasting]"))
    toml.write_text(text[:at] + "workers = 2" + text[at + 11:], encoding="utf-8")
    csv = project / "sample" / "intervals.csv"
    frame = pd.read_csv(csv)
    frame[frame["offered"] > 0].to_csv(csv, index=False)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONWARNINGS", "WFM_TEST_PAUSE_AT")}
    proc = subprocess.run(wfm_cmd("run", "--quiet", "--log-file", "run.log"), cwd=project,
                          env=env, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout == ""
    end = read_log(project)[-1]
    assert end["event"] == "end" and end["status"] == "ok"


def test_a_library_warning_of_a_step_goes_to_the_run_log(tmp_path: Path) -> None:
    project = make_project(tmp_path / "centre", store=True)
    proj = open_project(project)
    staff = STEPS["staff"]

    def noisy_staff(p: Project, run: Run, options: RunOptions) -> StepResult:
        warnings.warn("probe from a library", RuntimeWarning, stacklevel=1)
        return staff(p, run, options)

    options = resolve_options(proj.config, steps=("forecast", "staff"))
    log = RunLog("R", project / "run.log")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        summary = run_pipeline(proj, options, log=log, run_id="R",
                               steps={**STEPS, "staff": noisy_staff})
    log.close()
    assert [f"{w.message} ({w.filename}:{w.lineno})" for w in caught] == []
    noted = [w for w in summary.warnings if "probe" in w]
    assert len(noted) == 1
    assert re.fullmatch(r"RuntimeWarning: probe from a library \(test_run_quiet\.py:\d+\)",
                        noted[0])
    logged = [e for e in read_log(project) if e.get("event") == "warning"]
    assert {"step": "staff", "message": summary.warnings[-1]}.items() <= logged[-1].items()
