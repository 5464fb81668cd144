"""SIGKILL `wfm run` at several points; the last good run stays visible and whole, the lock
is recovered and the next run succeeds (and repairs what the dead run left)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from pipeline_project import (
    AREAS,
    copy_project,
    hidden_leftovers,
    latest,
    make_project,
    read_log,
    run_in_process,
    start_run,
    tree_digest,
    visible_state,
    wait_for,
)

from wfm.pipeline.lock import read_lock_info


@pytest.fixture(scope="module")
def good_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project after one successful run (the last good run)."""
    root = make_project(tmp_path_factory.mktemp("crash") / "template")
    done = run_in_process(root, "--quiet")
    assert done.exit_code == 0, done.output
    return root


def _assert_whole(project: Path, area: str) -> None:
    """The run ``latest`` points at holds exactly the files its manifest lists, intact."""
    run_dir = project / area / str(latest(project, area))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    files = tree_digest(run_dir)
    files.pop("manifest.json")
    assert files == manifest["outputs"]


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=300)
    assert proc.returncode == -signal.SIGKILL


def _pause_then_kill(project: Path, point: str) -> str:
    proc = start_run(project, pause=point)
    event = wait_for(project, {"event": "pause", "point": point}, proc=proc)
    _kill(proc)
    return event["run"]


def _kill_during(project: Path, step: str, delay_s: float) -> str:
    proc = start_run(project)
    event = wait_for(project, {"step": step, "event": "start"}, proc=proc)
    time.sleep(delay_s)
    _kill(proc)
    assert not any(e.get("step") == step and e.get("event") == "end"
                   for e in read_log(project)), "the step ended before the kill"
    return event["run"]


def _recover_and_check(project: Path, dead_run: str) -> str:
    info = read_lock_info(project / ".wfm-run.lock")
    assert info is not None and info.run_id == dead_run  # left behind by the dead run
    with pytest.raises(ProcessLookupError):
        os.kill(info.pid, 0)
    done = run_in_process(project, "--log-file", str(project / "run.log"))
    assert done.exit_code == 0, done.output
    new_run = done.stdout.split()[1]
    assert {latest(project, a) for a in AREAS} == {new_run}
    for area in AREAS:
        _assert_whole(project, area)
    assert hidden_leftovers(project) == []
    assert (project / ".wfm-run.lock").read_text() == ""
    recovered = [e for e in read_log(project) if e.get("event") == "recovered"]
    assert recovered and recovered[-1]["dead_run"] == dead_run
    return new_run


@pytest.mark.parametrize("point", ["commit:reports"])
def test_kill_before_commit_keeps_last_good_run(good_project: Path, tmp_path: Path,
                                                point: str) -> None:
    project = copy_project(good_project, tmp_path / "p")
    before = visible_state(project)
    runs_before = {a: sorted(p.name for p in (project / a).iterdir()) for a in AREAS}
    dead = _pause_then_kill(project, point)
    assert visible_state(project) == before
    for area in AREAS:
        _assert_whole(project, area)
    _recover_and_check(project, dead)
    # The dead run was rolled back: no folder of it in any area, even one already renamed.
    for area in AREAS:
        assert not (project / area / dead).exists()
        assert set(runs_before[area]) < {p.name for p in (project / area).iterdir()}


def test_kill_while_forecasting(good_project: Path, tmp_path: Path) -> None:
    project = copy_project(good_project, tmp_path / "p")
    before = visible_state(project)
    dead = _kill_during(project, "forecast", 0.1)
    assert visible_state(project) == before
    _recover_and_check(project, dead)


def test_kill_while_moving_latest_rolls_forward(good_project: Path, tmp_path: Path) -> None:
    """Killed between two `latest` moves: each latest still points at a whole run, and the
    next run finishes the switch before doing anything else."""
    project = copy_project(good_project, tmp_path / "p")
    old = latest(project, "reports")
    dead = _pause_then_kill(project, "latest:requirements")
    assert latest(project, "forecasts") == dead  # committed and complete
    assert latest(project, "requirements") == old
    assert latest(project, "reports") == old
    for area in AREAS:
        _assert_whole(project, area)
    assert (project / ".wfm-run.commit").exists()
    _recover_and_check(project, dead)
    forward = [e for e in read_log(project) if e.get("action") == "roll_forward"]
    assert forward and forward[0]["dead_run"] == dead
    for area in AREAS:
        assert (project / area / dead).is_dir()  # kept: it was committed


def _store_frame(project: Path) -> object:
    from wfm.io.store import read_intervals

    return read_intervals(project / "data")


@pytest.mark.parametrize("point", ["store:file:1", "store:file:3", "store:commit"])
def test_kill_while_ingest_writes_the_store(good_project: Path, tmp_path: Path,
                                           point: str) -> None:
    """Killed between two partition files of the store write, or just before its commit:
    the store reads as before, and the next run succeeds."""
    project = copy_project(good_project, tmp_path / "p")
    before = visible_state(project)
    store_before = _store_frame(project)
    dead = _pause_then_kill(project, point)
    assert visible_state(project) == before
    import pandas as pd

    pd.testing.assert_frame_equal(_store_frame(project), store_before)  # type: ignore[arg-type]
    _recover_and_check(project, dead)
    pd.testing.assert_frame_equal(_store_frame(project), store_before)  # type: ignore[arg-type]


def test_sigterm_cleans_up_and_releases(good_project: Path, tmp_path: Path) -> None:
    """A polite stop (cron timeout, systemd) unwinds: staging deleted, lock released."""
    project = copy_project(good_project, tmp_path / "p")
    before = visible_state(project)
    proc = start_run(project, pause="after:forecast")
    wait_for(project, {"event": "pause", "point": "after:forecast"}, proc=proc)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=300)
    assert proc.returncode == 128 + signal.SIGTERM
    assert visible_state(project) == before
    assert hidden_leftovers(project) == []
    assert (project / ".wfm-run.lock").read_text() == ""
    assert read_log(project)[-1]["status"] == "crashed"
