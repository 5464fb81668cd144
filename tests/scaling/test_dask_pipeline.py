"""The jobs on a Dask cluster (a LocalCluster of 2 worker processes) give exactly the local
executor's outputs; a killed worker is retried once, or the run fails naming the queue and
publishes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from wfm.cli.main import cli
from wfm.pipeline.forecast_tasks import CRASH_ENV

pytest.importorskip("distributed", reason="the dask extra is not installed")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))
from pipeline_project import make_project

DASK = ["--executor", "dask"]


def _wfm(project: Path, *args: str) -> object:
    res = CliRunner().invoke(cli, ["--config", str(project / "wfm.toml"), *args])
    assert res.exit_code == 0, res.output
    return res


@pytest.fixture(scope="module")
def local_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """forecast.csv and requirements.csv of the local executor on a small sample project."""
    project = make_project(tmp_path_factory.mktemp("local") / "centre", store=True)
    _wfm(project, "forecast", "--executor", "local")
    _wfm(project, "staff", "--executor", "local")
    return {"forecast": (project / "forecasts/latest/forecast.csv").read_bytes(),
            "requirements": (project / "requirements/latest/requirements.csv").read_bytes(),
            "daily": (project / "requirements/latest/daily.csv").read_bytes()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The small sample project, forecasting in two local worker processes (with one, the
    series run in the command's own process, which a crash would take down with it)."""
    root = make_project(tmp_path / "centre", store=True)
    toml = root / "wfm.toml"
    text = toml.read_text(encoding="utf-8")
    head, sep, tail = text.partition("[forecasting]")
    toml.write_text(head + sep + tail.replace("workers = 1", "workers = 2", 1),
                    encoding="utf-8")
    return root


def test_forecast_and_staff_on_dask_equal_the_local_executor(
        project: Path, local_outputs: dict[str, bytes]) -> None:
    _wfm(project, "forecast", *DASK)
    _wfm(project, "staff", *DASK)
    assert (project / "forecasts/latest/forecast.csv").read_bytes() == local_outputs["forecast"]
    req = project / "requirements/latest"
    assert (req / "requirements.csv").read_bytes() == local_outputs["requirements"]
    assert (req / "daily.csv").read_bytes() == local_outputs["daily"]
    manifest = (project / "forecasts/latest/manifest.json").read_text()
    assert '"executor": "dask"' in manifest


def test_a_worker_killed_mid_forecast_is_retried(project: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 local_outputs: dict[str, bytes]) -> None:
    marker = tmp_path / "killed-once"
    monkeypatch.setenv(CRASH_ENV, f"voice_fr:{marker}")
    _wfm(project, "forecast", *DASK)
    assert marker.exists()  # the worker forecasting voice_fr was killed once ...
    # ... and the run still published exactly the local forecast.
    assert (project / "forecasts/latest/forecast.csv").read_bytes() == local_outputs["forecast"]


@pytest.mark.parametrize("executor", ["dask", "local"])
def test_a_queue_that_keeps_killing_its_worker_fails_named_and_publishes_nothing(
        project: Path, executor: str) -> None:
    _wfm(project, "forecast", "--executor", "local")
    before = sorted(p.name for p in (project / "forecasts").iterdir())
    latest = (project / "forecasts/latest").readlink()
    # A command of its own: the local pool's fork server keeps the environment it started
    # with, so the crash switch must be there from the start.
    env = {**os.environ, CRASH_ENV: "voice_fr:always"}
    res = subprocess.run([sys.executable, "-m", "wfm", "--config", str(project / "wfm.toml"),
                          "forecast", "--executor", executor], env=env, capture_output=True,
                         text=True, timeout=900, check=False)
    assert res.returncode == 1, res.stderr
    assert res.stderr.startswith("wfm: error: queue voice_fr: "), res.stderr
    assert "nothing was published" in res.stderr
    assert "Traceback" not in res.stderr
    assert sorted(p.name for p in (project / "forecasts").iterdir()) == before
    assert (project / "forecasts/latest").readlink() == latest


def test_wfm_run_on_dask_publishes_like_local(project: Path) -> None:
    files = ("forecasts/latest/forecast.csv", "requirements/latest/requirements.csv")
    assert "ok" in _wfm(project, "run", "--steps", "forecast,staff", "--executor",
                        "local").stdout
    local = [(project / f).read_bytes() for f in files]
    assert "ok" in _wfm(project, "run", "--steps", "forecast,staff", *DASK).stdout
    assert [(project / f).read_bytes() for f in files] == local
