"""Two `wfm run` at once: one runs, the other exits 75 (or queues with --wait); determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pipeline_project import (
    AREAS,
    hidden_leftovers,
    latest,
    make_project,
    read_log,
    start_run,
    tree_digest,
)

from wfm.cli.main import cli


def _whole(project: Path, area: str, run_id: str) -> dict[str, str]:
    run_dir = project / area / run_id
    files = tree_digest(run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    files.pop("manifest.json")
    assert files == manifest["outputs"]
    return files


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    return make_project(tmp_path / "centre")


def test_second_run_exits_75_while_first_holds_the_lock(proj: Path) -> None:
    # Both hold still for a few seconds once they have the lock, so they surely overlap.
    a = start_run(proj, "--steps", "ingest,forecast", pause="before:ingest", log="a.log",
                  pause_s=4)
    b = start_run(proj, "--steps", "ingest,forecast", pause="before:ingest", log="b.log",
                  pause_s=4)
    outs = [p.communicate(timeout=120) for p in (a, b)]
    codes = sorted([a.returncode, b.returncode])
    assert codes == [0, 75], outs
    loser = (a, b)[[a.returncode, b.returncode].index(75)]
    winner_log = "a.log" if loser is b else "b.log"
    winner = read_log(proj, winner_log)[0]
    err = outs[[a, b].index(loser)][1]
    assert err.startswith(f"wfm: error: another wfm run holds the lock {proj}/.wfm-run.lock "
                          f"(pid {winner['pid']} on ")
    assert "hint: let it finish, or pass --wait SECONDS to queue behind it" in err
    assert outs[[a, b].index(loser)][0] == ""
    turned_away = read_log(proj, "b.log" if loser is b else "a.log")
    assert [(e["event"], e["status"]) for e in turned_away] == [("end", "lock_held")]
    # Only the winner's outputs exist, whole, and latest points at them.
    assert latest(proj, "forecasts") == winner["run"]
    assert [p.name for p in (proj / "forecasts").iterdir() if p.name != "latest"] == \
        [winner["run"]]
    _whole(proj, "forecasts", winner["run"])
    assert hidden_leftovers(proj) == []


def test_wait_queues_the_second_run_behind_the_first(proj: Path) -> None:
    a = start_run(proj, "--steps", "ingest,forecast", "--wait", "120", pause="before:ingest",
                  log="a.log", pause_s=2)
    b = start_run(proj, "--steps", "ingest,forecast", "--wait", "120", pause="before:ingest",
                  log="b.log", pause_s=2)
    outs = [p.communicate(timeout=200) for p in (a, b)]
    assert (a.returncode, b.returncode) == (0, 0), outs
    logs = {name: read_log(proj, name) for name in ("a.log", "b.log")}
    first, second = sorted(logs.values(), key=lambda ev: ev[0]["time"])
    # The second started its work only after the first had finished and released.
    assert second[0]["time"] > first[-1]["time"]
    assert latest(proj, "forecasts") == second[0]["run"]
    runs = {p.name for p in (proj / "forecasts").iterdir()} - {"latest"}
    assert runs == {first[0]["run"], second[0]["run"]}
    # Same inputs, same outputs: both whole and identical.
    assert _whole(proj, "forecasts", first[0]["run"]) == \
        _whole(proj, "forecasts", second[0]["run"])


def test_two_runs_produce_identical_outputs_and_checksums(
        proj: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(proj)
    ids = []
    for _ in range(2):
        res = CliRunner().invoke(cli, ["run", "--quiet"])
        assert res.exit_code == 0, res.output
        assert res.stdout == "" and res.stderr == ""  # --quiet: nothing on success
        ids.append(latest(proj, "forecasts"))
    assert ids[0] != ids[1]
    for area in AREAS:
        m0, m1 = (json.loads((proj / area / str(i) / "manifest.json").read_text())
                  for i in ids)
        assert m0["outputs"] and m0["outputs"] == m1["outputs"], area
        assert m0["content_sha256"] == m1["content_sha256"]
        assert m0["run"]["id"] != m1["run"]["id"]  # only the run metadata differs
        assert _whole(proj, area, str(ids[0])) == _whole(proj, area, str(ids[1]))
