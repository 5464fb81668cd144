"""`wfm run` through CliRunner and run_pipeline: outputs, latest, failures, log, retention."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from pipeline_project import (
    AREAS,
    STEPS,
    hidden_leftovers,
    latest,
    make_project,
    visible_state,
)

from wfm.cli.main import cli
from wfm.errors import StaffingError
from wfm.pipeline import open_project
from wfm.pipeline.project import Project
from wfm.pipeline.run_folders import Run
from wfm.pipeline.runlog import RunLog, parse_line
from wfm.pipeline.runner import (
    STEPS as JOBS,
)
from wfm.pipeline.runner import (
    RunOptions,
    StepFailedError,
    StepResult,
    resolve_options,
    run_pipeline,
)


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project(tmp_path / "centre", store=True)
    monkeypatch.chdir(root)
    return root


def _run(*args: str) -> object:
    return CliRunner().invoke(cli, ["run", *args])


def test_run_writes_every_area_and_moves_latest_together(proj: Path) -> None:
    res = _run("--log-file", "run.log")
    assert res.exit_code == 0, res.output
    line = res.stdout.strip().splitlines()[-1]
    m = re.fullmatch(r"run (\S+) ok in [\d.]+s: (.*); (\d+) warnings; latest -> \1 for "
                     r"forecasts, reports, requirements, schedules; report: (\S+)", line)
    assert m, line
    run_id = m.group(1)
    # The summary links the run's HTML report, where it was published.
    assert Path(m.group(4)) == proj / "reports" / run_id / "report.html"
    assert Path(m.group(4)).read_text(encoding="utf-8").count('<figure class="chart"') >= 5
    counts = {}
    for part in m.group(2).split(", "):
        name, n, unit, _ = part.split(" ")
        counts[name] = (int(n), unit)
    assert list(counts) == STEPS
    assert counts["ingest"] == (len(pd.read_csv(proj / "sample" / "intervals.csv")), "rows")
    assert {latest(proj, a) for a in AREAS} == {run_id}
    fc = pd.read_csv(proj / "forecasts" / run_id / "forecast.csv")
    assert counts["forecast"] == (len(fc), "rows") and len(fc) == 4 * 7 * 96
    req = pd.read_csv(proj / "requirements" / run_id / "requirements.csv")
    assert counts["staff"] == (len(req), "rows") and len(req) == 4 * 7 * 96
    assert set(req["queue"]) == {"voice_fr", "voice_en", "chat_fr", "email_fr"}
    req_man = json.loads((proj / "requirements" / run_id / "manifest.json").read_text())
    fc_path = proj / "forecasts" / run_id / "forecast.csv"
    assert req_man["inputs"]["forecast"] == {
        "path": str(fc_path), "sha256": hashlib.sha256(fc_path.read_bytes()).hexdigest()}
    roster = pd.read_csv(proj / "schedules" / run_id / "roster.csv")
    assert counts["schedule"] == (len(roster), "rows") and len(roster) == 5 * 7
    sched_man = json.loads((proj / "schedules" / run_id / "manifest.json").read_text())
    assert sched_man["week"] == "2026-11-16"  # first Monday of the forecast
    assert sched_man["inputs"]["requirements"]["path"] == str(
        proj / "requirements" / run_id / "requirements.csv")
    reports = proj / "reports" / run_id
    assert sorted(p.name for p in reports.iterdir()) == [
        "calendars", "coverage.csv", "data_health.csv", "manifest.json", "report.html",
        "roster-days.xlsx", "roster.xlsx", "service_level.csv"]
    assert len(list((reports / "calendars").glob("*.ics"))) == 5
    from openpyxl import load_workbook

    book = load_workbook(reports / "roster.xlsx", read_only=True)
    assert book.sheetnames == ["Summary", "Roster", "Agents", "Coverage"]
    days = load_workbook(reports / "roster-days.xlsx", read_only=True)
    # One sheet per open day: the centre closes on Sunday, so its day is left out.
    assert days.sheetnames == [f"{d:%a %Y-%m-%d}" for d in pd.date_range("2026-11-16",
                                                                          periods=6)]
    assert counts["report"] == (4 + 5 + 1, "files")
    sl = pd.read_csv(reports / "service_level.csv")
    assert sl["period"].nunique() == 7
    health = pd.read_csv(reports / "data_health.csv")
    n_health = int((health["severity"] == "warning").sum() > 0)
    # + uncovered queues (two lines), + no earlier forecast to judge
    assert int(m.group(3)) == n_health + 3
    for area in AREAS:
        man = json.loads((proj / area / run_id / "manifest.json").read_text())
        assert man["run"]["id"] == run_id and man["run"]["steps"] == STEPS
        files = {p.relative_to(proj / area / run_id).as_posix()
                 for p in (proj / area / run_id).rglob("*") if p.is_file()}
        assert set(man["outputs"]) == files - {"manifest.json"}
    assert "wfm: warning: accuracy: no earlier forecast run to judge yet; report skipped" \
        in res.stderr
    assert "  forecast" not in res.stderr  # no step-by-step progress when not on a terminal
    assert hidden_leftovers(proj) == []
    events = [parse_line(x) for x in (proj / "run.log").read_text().splitlines()]
    ends = [e for e in events if e.get("event") == "end" and "step" in e]
    assert [e["step"] for e in ends] == STEPS
    assert all(float(e["duration_s"]) >= 0 and e["status"] == "ok" for e in ends)
    assert [int(e["rows"]) for e in ends] == [c[0] for c in counts.values()]
    assert [e["warnings"] for e in ends] == [str(n_health), "0", "0", "2", "1"]
    assert events[-1]["event"] == "end" and events[-1]["status"] == "ok"


def test_failed_step_leaves_latest_and_outputs_untouched(proj: Path) -> None:
    assert _run().exit_code == 0
    before = visible_state(proj)
    runs_before = {a: sorted(p.name for p in (proj / a).iterdir()) for a in AREAS}
    (proj / "data" / "intervals").rename(proj / "data" / "moved-away")
    res = _run("--quiet", "--steps", "forecast,staff,report")
    assert res.exit_code == 1
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert re.fullmatch(r"wfm: error: run \S+ FAILED at step forecast after [\d.]+s: \S+"
                        r"/data/intervals: the data store is empty \(previous outputs and "
                        r"latest unchanged\)", lines[0]), lines
    assert lines[1] == "  hint: ingest interval history first: wfm ingest FILE..."
    assert visible_state(proj) == before
    assert {a: sorted(p.name for p in (proj / a).iterdir()) for a in AREAS} == runs_before
    assert hidden_leftovers(proj) == []


def test_failure_after_outputs_were_staged_discards_them(proj: Path) -> None:
    """The forecast is staged when staff fails: nothing of the run becomes visible."""
    project = open_project(proj)

    def failing_staff(_p: Project, _r: Run, _o: RunOptions) -> StepResult:
        raise StaffingError("queue 'voice_fr': target cannot be met")

    log_path = proj / "fail.log"
    with pytest.raises(StepFailedError) as err:
        run_pipeline(project, resolve_options(project.config), log=RunLog("R", log_path),
                     run_id="R", steps={**JOBS, "staff": failing_staff})
    assert err.value.exit_code == 1
    assert err.value.summary.failed_step == "staff"
    assert [s.status for s in err.value.summary.steps] == ["ok", "ok", "failed", "not run",
                                                           "not run"]
    assert "at step staff" in err.value.message
    assert "queue 'voice_fr': target cannot be met" in err.value.message
    for area in AREAS:
        assert not (proj / area).exists() or list((proj / area).iterdir()) == []
    events = [parse_line(x) for x in log_path.read_text().splitlines()]
    assert {"step": "staff", "event": "end", "status": "failed"}.items() <= events[-2].items()
    assert events[-1]["failed_step"] == "staff"


def test_disk_full_is_one_line_and_leaves_everything(proj: Path) -> None:
    assert _run("--steps", "forecast").exit_code == 0
    before = visible_state(proj)
    project = open_project(proj)
    cfg = project.config
    target = str(proj / "reports" / "x.csv")

    def full_disk(_p: Project, _r: Run, _o: RunOptions) -> StepResult:
        raise OSError(errno.ENOSPC, "No space left on device", target)

    with pytest.raises(StepFailedError) as err:
        run_pipeline(project, resolve_options(cfg, steps=("forecast", "report")),
                     steps={**JOBS, "report": full_disk})
    assert err.value.exit_code == 1
    assert "at step report after" in err.value.message
    assert f"{target}: No space left on device" in err.value.message
    assert err.value.hint == "free disk space (or lower [run] keep), then rerun"
    assert visible_state(proj) == before
    assert hidden_leftovers(proj) == []

    def bug(_p: Project, _r: Run, _o: RunOptions) -> StepResult:
        raise OSError(errno.EBADF, "Bad file descriptor")

    with pytest.raises(OSError, match="Bad file descriptor"):  # a bug keeps its traceback
        run_pipeline(project, resolve_options(cfg, steps=("report",)),
                     steps={**JOBS, "report": bug})
    assert visible_state(proj) == before


def test_commit_failure_takes_back_renamed_folders(proj: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run("--steps", "forecast,staff").exit_code == 0
    before = visible_state(proj)
    runs_before = {a: sorted(p.name for p in (proj / a).iterdir()) for a in AREAS[:2]}
    from wfm.pipeline.run_folders import staging

    real_replace = os.replace
    calls: list[str] = []

    def replace(src: object, dst: object) -> None:
        calls.append(str(dst))
        if Path(str(dst)).parent == proj / "requirements" and \
                not Path(str(dst)).name.startswith("."):
            raise OSError(errno.EROFS, "Read-only file system", str(dst))
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(staging.os, "replace", replace)
    res = _run("--steps", "forecast,staff")
    assert res.exit_code == 1
    assert "FAILED at step commit" in res.stderr and "Read-only file system" in res.stderr
    renamed = [c for c in calls if Path(c).parent == proj / "forecasts"
               and not Path(c).name.startswith(".")]
    assert len(renamed) == 1  # forecasts was renamed into place ...
    assert visible_state(proj) == before  # ... and taken back
    assert {a: sorted(p.name for p in (proj / a).iterdir()) for a in AREAS[:2]} == runs_before
    assert hidden_leftovers(proj) == []


def test_keep_retains_newest_runs_and_latest(proj: Path) -> None:
    ids = []
    for _ in range(3):
        res = _run("--keep", "2", "--steps", "forecast")
        assert res.exit_code == 0, res.output
        ids.append(res.stdout.split()[1])
    assert {p.name for p in (proj / "forecasts").iterdir()} == {*ids[1:], "latest"}
    assert latest(proj, "forecasts") == ids[2]


def test_steps_subset_reads_latest_of_the_others(proj: Path) -> None:
    first = _run("--steps", "forecast")
    assert first.exit_code == 0
    fc_run = latest(proj, "forecasts")
    res = _run("--steps", "staff")
    assert res.exit_code == 0, res.output
    assert latest(proj, "forecasts") == fc_run  # not rewritten
    run_id = latest(proj, "requirements")
    man = json.loads((proj / "requirements" / str(run_id) / "manifest.json").read_text())
    assert man["source"] == str(proj / "forecasts" / str(fc_run) / "forecast.csv")


@pytest.mark.parametrize(("args", "message"), [
    (["--steps", "forecast,bogus"], "bogus is not a step; steps: ingest, forecast, staff, "
                                    "schedule, simulate, report"),
    (["--keep", "-1"], "-1 is not in the range x>=0"),
    (["--wait", "soon"], "'soon' is not a valid float range"),
])
def test_usage_errors_exit_2(proj: Path, args: list[str], message: str) -> None:
    res = _run(*args)
    assert res.exit_code == 2
    assert message in res.stderr


def test_config_error_is_one_line_exit_1(proj: Path) -> None:
    text = (proj / "wfm.toml").read_text().replace("keep = 14", "keep = -3")
    (proj / "wfm.toml").write_text(text)
    res = _run()
    assert res.exit_code == 1
    assert res.stderr.startswith("wfm: error: ") and "[run] keep" in res.stderr
    assert "Traceback" not in res.stderr
    assert not (proj / "forecasts").exists()


def test_staff_without_any_forecast_names_the_fix(proj: Path) -> None:
    res = _run("--steps", "ingest,staff")
    assert res.exit_code == 1
    assert "FAILED at step staff" in res.stderr
    assert "no forecast to staff: this run made none and forecasts/latest does not exist" \
        in res.stderr
    assert "hint: add the forecast step: wfm run --steps forecast,staff" in res.stderr


def test_help_shows_example_and_steps_are_listed() -> None:
    res = CliRunner().invoke(cli, ["run", "--help"])
    assert res.exit_code == 0 and "Example:  wfm run" in res.output
    listed = CliRunner().invoke(cli, ["run", "--list-steps"])
    assert listed.exit_code == 0
    assert [line.split()[0] for line in listed.output.splitlines()] == [
        "ingest", "forecast", "staff", "schedule", "simulate", "report"]
    assert all(len(line.split()) > 2 for line in listed.output.splitlines())


def test_terminal_listener_prints_step_lines(capsys: pytest.CaptureFixture[str]) -> None:
    from wfm.cli.run_cmd import _on_terminal

    _on_terminal({"run": "R", "event": "start", "steps": "forecast"})  # run-level: silent
    _on_terminal({"run": "R", "step": "forecast", "event": "start"})
    _on_terminal({"run": "R", "step": "forecast", "event": "warning", "message": "m"})
    _on_terminal({"run": "R", "step": "forecast", "event": "end", "status": "ok",
                  "duration_s": "1.500", "rows": "96"})
    assert capsys.readouterr().err.splitlines() == [
        "  forecast ...", "  forecast: warning: m", "  forecast ok in 1.500s, 96 rows"]


def test_nightly_accuracy_judges_the_previous_forecast(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Night 1 ingests up to 8 Nov and forecasts; night 2 brings the next week's actuals
    and reports night 1's forecast against them."""
    proj = make_project(tmp_path / "centre")
    monkeypatch.chdir(proj)
    text = (proj / "wfm.toml").read_text()
    text = text.replace('# inputs = ["exports/*.csv"] ', 'inputs = ["exports/*.csv"] ')
    text = re.sub(r"(?m)^reports = .*$", 'reports = ["accuracy"]', text)
    (proj / "wfm.toml").write_text(text)
    full = pd.read_csv(proj / "sample" / "intervals.csv")
    (proj / "exports").mkdir()
    full[full["interval_start"] < "2026-11-09"].to_csv(proj / "exports" / "a.csv", index=False)
    steps = "ingest,forecast,report"
    first = _run("--steps", steps)
    assert first.exit_code == 0, first.output
    assert "accuracy: no earlier forecast run to judge yet" in first.stderr
    night1 = latest(proj, "forecasts")
    full.to_csv(proj / "exports" / "b.csv", index=False)
    second = _run("--steps", steps)
    assert second.exit_code == 0, second.output
    acc = pd.read_csv(proj / "reports" / str(latest(proj, "reports")) / "accuracy.csv")
    days = sorted(set(acc["date"]) - {"total"})
    assert days == [f"2026-11-{d:02d}" for d in range(9, 16)]
    fc = pd.read_csv(proj / "forecasts" / str(night1) / "forecast.csv")
    week = full[full["interval_start"] >= "2026-11-09"]
    for (queue, channel), rows in acc[acc["date"] == "total"].groupby(["queue", "channel"]):
        mask = (fc["queue"] == queue) & (fc["channel"] == channel)
        assert rows["forecast"].iloc[0] == pytest.approx(fc.loc[mask, "offered"].sum())
        actual = week.loc[(week["queue"] == queue) & (week["channel"] == channel), "offered"]
        assert rows["actual"].iloc[0] == pytest.approx(actual.sum())


def test_run_log_listener_gets_the_logged_text(tmp_path: Path) -> None:
    seen: list[dict[str, str]] = []
    log = RunLog("R", tmp_path / "x.log", listener=seen.append)
    log.event("end", step="forecast", status="ok", duration_s=1.5, rows=96)
    log.close()
    assert seen == [{"run": "R", "step": "forecast", "event": "end", "status": "ok",
                     "duration_s": "1.500", "rows": "96"}]
    line = parse_line((tmp_path / "x.log").read_text())
    assert {k: v for k, v in line.items() if k != "time"} == seen[0]


def test_every_csv_a_planner_opens_is_in_local_time(proj: Path) -> None:
    """One time convention: forecast, requirements, roster, agent intervals and coverage
    carry the site's local time with its offset (Europe/Paris: +01:00 in winter)."""
    assert _run("--steps", "ingest,forecast,staff,schedule").exit_code == 0
    columns = {("forecasts", "forecast.csv"): ["interval_start"],
               ("requirements", "requirements.csv"): ["interval_start"],
               ("schedules", "roster.csv"): ["shift_start", "shift_end"],
               ("schedules", "agent_intervals.csv"): ["interval_start"],
               ("schedules", "coverage.csv"): ["interval_start"]}
    for (area, name), cols in columns.items():
        frame = pd.read_csv(proj / area / "latest" / name, dtype=str, keep_default_na=False)
        for col in cols:
            stamps = frame[col][frame[col] != ""]
            assert len(stamps), (name, col)
            offsets = set(stamps.str[-6:])
            assert offsets <= {"+01:00", "+02:00"} and offsets, (name, col, offsets)
            local = pd.to_datetime(stamps, utc=True).dt.tz_convert("Europe/Paris")
            assert (local.dt.strftime("%H:%M") == stamps.str[11:16]).all(), (name, col)
