"""SIGKILL `wfm ingest` at many points of its store write (between partition files, before
and after the commit, and at random times): the store is then exactly as before or exactly
as after the ingest, and the next ingest succeeds and leaves no stray file."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from pipeline_project import make_project, wfm_cmd

from wfm.cli.main import cli
from wfm.io.store import read_intervals
from wfm.io.store_table import PENDING_FILE, open_table, stored_files

pytestmark = pytest.mark.slow


def _update_csv(project: Path) -> Path:
    """The last five weeks of the sample (across two months), every queue, with other
    volumes, and one more day: the ingest replaces rows and adds rows in every queue."""
    frame = pd.read_csv(project / "sample" / "intervals.csv")
    ts = pd.to_datetime(frame["interval_start"], utc=True, format="ISO8601")
    last = frame.loc[ts >= ts.max() - pd.Timedelta(days=35)].copy()
    last["offered"] = last["offered"] + 1
    extra = frame.loc[ts >= ts.max() - pd.Timedelta(days=1)].copy()
    stamps = pd.to_datetime(extra["interval_start"], format="ISO8601", utc=True)
    extra["interval_start"] = (stamps + pd.Timedelta(days=2)).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    path = project / "update.csv"
    pd.concat([last, extra]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, pd.DataFrame]:
    """A project with the sample stored and an update file; the store before and after."""
    root = make_project(tmp_path_factory.mktemp("ingestkill") / "template", store=True)
    _update_csv(root)
    before = read_intervals(root / "data")
    done = _copy(root, tmp_path_factory.mktemp("after") / "p")
    result = _ingest_in_process(done)
    assert result.exit_code == 0, result.output
    after = read_intervals(done / "data")
    assert len(after) > len(before) and not after["offered"].equals(before["offered"])
    return root, before, after


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


def _ingest_in_process(project: Path):
    return CliRunner().invoke(cli, ["--config", str(project / "wfm.toml"), "ingest",
                                    str(project / "update.csv"), "--quiet", "--format", "csv"])


def _start(project: Path, pause: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "WFM_TEST_PAUSE_S": "60"}
    env.pop("WFM_TEST_PAUSE_AT", None)
    if pause:
        env["WFM_TEST_PAUSE_AT"] = pause
    return subprocess.Popen(wfm_cmd("ingest", "update.csv", "--format", "csv"), cwd=project,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def _state(project: Path, before: pd.DataFrame, after: pd.DataFrame) -> str:
    got = read_intervals(project / "data")
    for name, want in (("before", before), ("after", after)):
        if got.shape == want.shape and got.equals(want):
            return name
    raise AssertionError(f"the store is neither the before- nor the after-state: "
                         f"{len(got)} rows ({len(before)} before, {len(after)} after)")


def _check_next_ingest(project: Path, after: pd.DataFrame) -> None:
    """The next ingest succeeds, gives the after-state, and no file on disk belongs to no
    version (the killed write's files were deleted)."""
    result = _ingest_in_process(project)
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(read_intervals(project / "data"), after)
    root = project / "data" / "intervals"
    assert not (root / PENDING_FILE).exists()
    listed: set[str] = set()
    table = open_table(root)
    for version in range(int(table.version()) + 1):
        listed |= {f.path for f in stored_files(open_table(root, version))}
    on_disk = {p.relative_to(root).as_posix() for p in root.glob("queue=*/*.parquet")}
    assert on_disk == listed


@pytest.mark.parametrize(("point", "expected"), [
    ("store:file:1", "before"), ("store:file:2", "before"), ("store:file:5", "before"),
    ("store:commit", "before"), ("store:committed", "after")])
def test_kill_at_a_point_of_the_store_write(states, tmp_path: Path, point: str,
                                            expected: str) -> None:
    template, before, after = states
    project = _copy(template, tmp_path / "p")
    proc = _start(project, point)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    while line and "test pause at" not in line:
        line = proc.stderr.readline()
    assert f"test pause at {point}" in line, "the ingest ended before the pause point"
    _kill(proc)
    assert _state(project, before, after) == expected
    _check_next_ingest(project, after)


def test_kill_at_random_times(states, tmp_path: Path) -> None:
    """Kills spread over the whole run of the command (start-up, reading, writing)."""
    template, before, after = states
    project = _copy(template, tmp_path / "timing")
    t0 = time.monotonic()
    proc = _start(project)
    proc.wait(timeout=300)
    assert proc.returncode == 0
    duration = time.monotonic() - t0
    rng = random.Random(18)
    seen = []
    for trial in range(6):
        project = _copy(template, tmp_path / f"k{trial}")
        proc = _start(project)
        time.sleep(rng.uniform(0.3, 1.1) * duration)
        _kill(proc)
        seen.append(_state(project, before, after))
        _check_next_ingest(project, after)
    assert set(seen) <= {"before", "after"}
