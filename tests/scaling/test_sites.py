"""Many sites in one `wfm run`: each site's pipeline is a task of the shared executor and
publishes on its own; a failed site is named, fails the command, and leaves its folder as
it was while the other sites publish."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from wfm.cli.main import cli
from wfm.pipeline.runlog import parse_line

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))
from pipeline_project import latest, make_project, tree_digest

LOCK = ".wfm-run.lock"


def _site_state(site: Path) -> dict[str, str]:
    """Every file of the site (hidden ones too) but the lock file every run touches."""
    return {k: v for k, v in tree_digest(site).items() if k != LOCK}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sites/alpha and sites/gamma forecast and staff; sites/beta also rosters, but its
    agents file is gone: its run fails at the schedule step, after its forecast and
    requirements were staged. beta has a published forecast from an earlier run."""
    root = tmp_path_factory.mktemp("multi")
    for name in ("alpha", "gamma"):
        make_project(root / "sites" / name, store=True, steps=["forecast", "staff"])
    beta = make_project(root / "sites" / "beta", store=True,
                        steps=["forecast", "staff", "schedule"])
    res = CliRunner().invoke(cli, ["--config", str(beta / "wfm.toml"), "forecast"])
    assert res.exit_code == 0, res.output
    (beta / "sample" / "agents.csv").unlink()
    return root


def test_three_sites_one_broken_two_publish_and_the_run_fails_naming_it(
        sites: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    beta = sites / "sites" / "beta"
    before = _site_state(beta)
    assert latest(beta, "forecasts") is not None
    monkeypatch.chdir(sites)  # no parent wfm.toml: the sites alone, local process pool
    res = CliRunner().invoke(cli, ["run", "--sites", "sites/*/wfm.toml",
                                   "--log-file", "sites.log"])
    assert res.exit_code == 1, res.output
    lines = res.stdout.strip().splitlines()
    # One summary line per site, in the order of the sites.
    assert [line.split(":")[0] for line in lines] == ["site alpha", "site beta",
                                                      "site gamma"], lines
    assert re.match(r"site alpha: run \S+ ok in [\d.]+s: forecast \d+ rows", lines[0])
    assert re.match(r"site beta: run \S+ FAILED at step schedule after [\d.]+s: \S*agents"
                    r"\.csv", lines[1]), lines[1]
    assert re.match(r"site gamma: run \S+ ok in ", lines[2])
    assert ("wfm: error: 1 of 3 site(s) failed: beta (their previous outputs and latest "
            "unchanged; the other sites published)") in res.stderr
    # alpha and gamma published their forecast and requirements ...
    for name in ("alpha", "gamma"):
        site = sites / "sites" / name
        assert latest(site, "forecasts") is not None
        assert latest(site, "requirements") == latest(site, "forecasts")
        assert (site / "requirements" / "latest" / "requirements.csv").is_file()
    # ... and nothing of beta changed: no new run folder, latest where it was.
    assert _site_state(beta) == before
    assert not (beta / "requirements").exists() or not any((beta / "requirements").iterdir())
    # The run log records the site on every line of a site's run.
    events = [parse_line(x) for x in (sites / "sites.log").read_text().splitlines()]
    ends = {e["site"]: e["status"] for e in events if e["event"] == "end" and "step" not in e}
    assert ends == {"alpha": "ok", "beta": "failed", "gamma": "ok"}
    assert all("site" in e for e in events)


def test_sites_listed_in_the_parent_wfm_toml(sites: Path, tmp_path: Path) -> None:
    parent = tmp_path / "wfm.toml"
    parent.write_text(f'[[sites]]\nname = "a"\nconfig = "{sites}/sites/alpha/wfm.toml"\n'
                      f'[[sites]]\nconfig = "{sites}/sites/gamma/wfm.toml"\n',
                      encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(parent), "run", "--steps", "forecast"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.strip().splitlines()
    assert [line.split(" run ")[0] for line in lines] == ["site a:", "site gamma:"]
    forecast = sites / "sites" / "alpha" / "forecasts" / "latest" / "forecast.csv"
    local = forecast.read_bytes()
    # The same sites as tasks of a Dask LocalCluster: the same forecasts.
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    res = CliRunner().invoke(cli, ["--config", str(parent), "run", "--steps", "forecast",
                                   "--executor", "dask"])
    assert res.exit_code == 0, res.output
    assert forecast.resolve().parent.name == res.stdout.split(" run ")[1].split()[0]
    assert forecast.read_bytes() == local


def test_no_site_matches_is_one_readable_error(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, ["run", "--sites", "nowhere/*/wfm.toml"])
    assert res.exit_code == 1
    assert res.stderr.startswith("wfm: error: --sites 'nowhere/*/wfm.toml': no wfm.toml "
                                 "file matches")
