"""`wfm schedule`: run folders, the summary, defaults and one-line errors (CliRunner)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from roster_helpers import MONDAY
from scheduling_frames import requirements_frame
from test_schedule_summary import MANIFEST_SUMMARY_KEYS

from wfm.cli.main import cli
from wfm.scheduling.schedule_summary import PerStage

AGENTS = ("agent_id,name,team,skills,min_hours_week,max_hours_week,min_days_week,"
          "max_days_week,shift_lengths_h\n"
          "A1,Ann,T1,voice_fr,0,40,0,5,4\n"
          "A2,Bob,T1,voice_fr:1;chat_fr:2,0,40,0,5,4\n")


def _edit_toml(project: Path, old: str, new: str) -> None:
    toml = project / "wfm.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new), encoding="utf-8")


def _project(project: Path, *, agents: str = AGENTS, peak: int = 1) -> tuple[Path, Path]:
    _edit_toml(project, "workers = 2", "workers = 1")
    req = requirements_frame(MONDAY, "Europe/Paris", per_day={
        ("voice_fr", 0): [("09:00", "13:00", peak)]})
    req["interval_start"] = [t.isoformat() for t in req["interval_start"]]
    req_path = project / "requirements.csv"
    req.to_csv(req_path, index=False)
    (project / "agents.csv").write_text(agents, encoding="utf-8")
    return req_path, project / "agents.csv"


def _run(*args: str) -> object:
    return CliRunner().invoke(cli, ["schedule", *args, "--time-limit", "10"])


def test_schedule_writes_a_run_that_the_checker_accepts(project: Path) -> None:
    req, agents = _project(project)
    _edit_toml(project, "relative_gap = 0.001", "relative_gap = 0")  # prove optimality
    result = _run("--requirements", str(req), "--agents", str(agents), "--week", "2026-11-16",
                  "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ("queue,required_agent_hours,scheduled_agent_hours,under_agent_hours,"
                        "over_agent_hours")
    # A 15-min break in each 4 h shift: two agents (3.5 h over) beat one (15 min short
    # at weight 20 on voice_fr).
    assert lines[1].startswith("voice_fr,4.0,7.5,0.0,3.5")
    latest = project / "schedules" / "latest"
    assert sorted(p.name for p in latest.iterdir()) == [
        "agent_intervals.csv", "coverage.csv", "manifest.json", "roster.csv"]
    manifest = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "OPTIMAL" and manifest["week"] == "2026-11-16"
    assert manifest["timezone"] == "Europe/Paris"
    assert manifest["inputs"]["agents"]["path"] == str(agents.resolve())
    assert len(manifest["inputs"]["requirements"]["sha256"]) == 64
    assert {"objective", "bound", "gap"} <= set(manifest)
    # as before, plus where the excess comes from (issue 17 item 5)
    assert sorted(manifest["summary"]) == sorted([*MANIFEST_SUMMARY_KEYS, "excess_breakdown"])
    assert manifest["summary"]["excess_breakdown"]["roster"]["over_agent_hours"] == 3.5
    assert manifest["summary"]["by_queue"]["voice_fr"]["over_agent_hours"] == 3.5
    roster = pd.read_csv(latest / "roster.csv", dtype=str, keep_default_na=False)
    assert len(roster) == 14  # 2 agents x 7 days
    assert (roster["status"] == "work").sum() == 2
    check = CliRunner().invoke(cli, ["schedule", "check", str(latest), "--format", "csv"])
    assert check.exit_code == 0, check.output


def test_week_defaults_to_the_first_monday(project: Path) -> None:
    req, agents = _project(project)
    result = _run("--requirements", str(req), "--agents", str(agents), "--format", "json")
    assert result.exit_code == 0, result.output
    assert "for the week of 2026-11-16" in result.stderr
    assert "stage (a) weekly plan of 1 agent group(s)" in result.stderr
    assert "stage (c) breaks and lunch placed" in result.stderr
    quiet = CliRunner().invoke(cli, ["--quiet", "schedule", "--requirements", str(req),
                                     "--agents", str(agents), "--time-limit", "10",
                                     "--format", "csv"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""


def test_unreadable_timestamp_names_its_line_when_the_week_is_not_given(
        project: Path) -> None:
    req, agents = _project(project)
    lines = req.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[2], "16/11/2026 01:15", 1)
    req.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _run("--requirements", str(req), "--agents", str(agents))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"wfm: error: {req}: line 6, column interval_start: cannot read timestamp "
        "'16/11/2026 01:15'; accepted: ISO 8601 with an offset")
    assert not (project / "schedules").exists()


def test_infeasible_peak_is_one_line_and_writes_nothing(project: Path) -> None:
    req, agents = _project(project, peak=3)
    result = _run("--requirements", str(req), "--agents", str(agents))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2] == (
        "wfm: error: Monday 16 Nov 09:00-13:00: 3 agents required on voice_fr, only 2 "
        "available with skill voice_fr")
    assert not (project / "schedules").exists()
    ok = _run("--requirements", str(req), "--agents", str(agents), "--allow-understaffing",
              "--format", "csv")
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.splitlines()[1].startswith("voice_fr,12.0,7.5,4.5,0.0")


def test_bad_inputs_exit_1_with_one_line(project: Path) -> None:
    req, _ = _project(project)
    cases = {
        "unknown_skill.csv": ("agent_id,name,skills\nA1,Ann,voice_de\n",
                              "line 2, column skills: 'voice_de' is not valid"),
        "min_above_max.csv": ("agent_id,name,skills,min_hours_week,max_hours_week\n"
                              "A17,Ann,voice_fr,40,32\n",
                              "column min_hours_week: 40 is above max_hours_week 32 for agent "
                              "'A17'"),
        "no_days.csv": ("agent_id,name,skills,min_days_week,availability\n"
                        "A1,Ann,voice_fr,5,mon-tue 08:00-18:00\n",
                        "agent A1 (Ann) needs 5 working day(s) in the week of 2026-11-16 "
                        "but can work at most 2"),
    }
    for name, (text, message) in cases.items():
        path = project / name
        path.write_text(text, encoding="utf-8")
        result = _run("--requirements", str(req), "--agents", str(path), "--week", "2026-11-16")
        assert result.exit_code == 1, (name, result.output)
        assert message in result.stderr, (name, result.stderr)
        assert "Traceback" not in result.output
    other = _run("--requirements", str(req), "--agents", str(project / "agents.csv"),
                 "--week", "2026-11-23")
    assert other.exit_code == 1
    assert "no requirement in the week of 2026-11-23" in other.stderr
    assert not (project / "schedules").exists()


def test_lunch_that_cannot_fit_is_a_config_error(project: Path) -> None:
    req, agents = _project(project)
    _edit_toml(project, "duration_min = 30\nwindow_start_min = 180\nwindow_end_min = 300",
               "duration_min = 60\nwindow_start_min = 180\nwindow_end_min = 330")
    result = _run("--requirements", str(req), "--agents", str(agents))
    assert result.exit_code == 1
    assert "cannot fit its 60-min lunch" in result.stderr
    assert not (project / "schedules").exists()


def test_missing_agents_and_requirements_name_the_fix(project: Path) -> None:
    req, agents = _project(project)
    _edit_toml(project, 'agents_file = "sample/agents.csv"', "")
    no_agents = _run("--requirements", str(req))
    assert no_agents.exit_code == 1
    assert "no agents file given" in no_agents.stderr
    assert "[scheduling] agents_file" in no_agents.stderr
    no_req = _run("--agents", str(agents))
    assert no_req.exit_code == 1
    assert "no requirements to roster: requirements/latest does not exist" in no_req.stderr
    assert "run 'wfm staff' first" in no_req.stderr


def test_next_week_keeps_rest_after_the_latest_run(project: Path) -> None:
    _, agents = _project(project,
                         agents="agent_id,name,skills,shift_lengths_h\nA1,Ann,voice_fr,4\n")
    week1 = requirements_frame(MONDAY, "Europe/Paris", per_day={
        ("voice_fr", 6): [("16:00", "20:00", 1)]})
    week2 = requirements_frame(date(2026, 11, 23), "Europe/Paris", per_day={
        ("voice_fr", 0): [("06:00", "10:00", 1)]})
    req = pd.concat([week1, week2], ignore_index=True)
    req["interval_start"] = [t.isoformat() for t in req["interval_start"]]
    req.to_csv(project / "two_weeks.csv", index=False)
    common = ["--requirements", str(project / "two_weeks.csv"), "--agents", str(agents),
              "--allow-understaffing", "--format", "csv"]
    first = _run(*common, "--week", "2026-11-16")
    assert first.exit_code == 0, first.output
    second = _run(*common, "--week", "2026-11-23")
    assert second.exit_code == 0, second.output
    assert "rest and consecutive days carried over from run" in second.stderr
    roster = pd.read_csv(project / "schedules" / "latest" / "roster.csv", dtype=str,
                         keep_default_na=False)
    monday = roster[(roster["date"] == "2026-11-23") & (roster["status"] == "work")]
    # Sunday's shift ended at 20:00: 11 h rest, so not before 07:00 (06:00 would cover more).
    assert monday["shift_start"].tolist() == ["2026-11-23T07:00:00+01:00"]


def test_plan_time_out_names_stage_and_fix(project: Path, monkeypatch: object) -> None:
    import wfm.scheduling.roster_stages as roster
    from wfm.errors import SolverError

    def time_out(*args: object, **kwargs: object) -> object:
        raise SolverError("CP-SAT found no solution (UNKNOWN) within 2.5 s")

    monkeypatch.setattr(roster, "solve_weekly_plan", time_out)  # type: ignore[attr-defined]
    req, agents = _project(project)
    result = _run("--requirements", str(req), "--agents", str(agents))
    assert result.exit_code == 1
    assert ("wfm: error: stage (a), the weekly plan: CP-SAT found no solution (UNKNOWN) within "
            "2.5 s (its share of the run's budget)") in result.stderr
    assert "hint: raise --time-limit" in result.stderr
    assert not (project / "schedules").exists()


def test_a_roster_the_safety_net_cut_short_is_published_with_a_warning(
        project: Path, monkeypatch: object) -> None:
    import wfm.pipeline.schedule_tasks as job

    real = job.schedule_week

    def net_fired(*args: object, **kwargs: object) -> object:
        # As if the wall clock had stopped two of stage (b)'s calls on a busy machine.
        res = real(*args, **kwargs)  # type: ignore[arg-type]
        hits = PerStage(0, 2, 0, 0)
        return replace(res, summary=replace(res.summary, wall_limit_hits=hits))

    monkeypatch.setattr(job, "schedule_week", net_fired)  # type: ignore[attr-defined]
    req, agents = _project(project)
    result = _run("--requirements", str(req), "--agents", str(agents))
    assert result.exit_code == 0, result.output
    assert ("warning: the wall-clock safety net stopped 2 solver call(s) "
            "(summary wall_limit_hits): a rerun of the same inputs may give another roster"
            ) in result.stderr
    manifest = json.loads((project / "schedules" / "latest" / "manifest.json").read_text(
        encoding="utf-8"))
    assert manifest["summary"]["reproducible"] is False
