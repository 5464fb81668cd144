"""The HTML report: what its charts claim (chart_data), the page, the PNGs, the command."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from html_data import TARGETS, actuals_frame, backtest_frame, forecast_frame, report_data
from report_runs import DAYS, SLOTS, TZ, local, write_schedule_run

from wfm.cli.main import cli
from wfm.pipeline.run_folders.files import read_schedule
from wfm.reports.chart_data import (
    CLOSED,
    MET,
    OVER,
    SHORT,
    chosen_backtest,
    coverage_grids,
    forecast_windows,
    requirement_curves,
)
from wfm.reports.html_report import SECTIONS, build_charts, write_chart_pngs, write_html_report


@pytest.fixture
def run(tmp_path: Path):
    return read_schedule(write_schedule_run(tmp_path / "schedules", latest=False),
                         default_tz=TZ)


def test_coverage_states_of_known_intervals(run) -> None:
    grids = {g.queue: g for g in coverage_grids(run.coverage, TZ)}
    voice, email = grids["voice_fr"], grids["email_fr"]
    assert voice.clocks == SLOTS and voice.days == DAYS  # local clock, also on the DST day

    def state(grid, day: str, clock: str) -> int:
        return int(grid.states[grid.clocks.index(clock), grid.days.index(day)])

    # Friday 09:00: A1 on break, A3 on leave, 2 required -> short by 2.
    assert state(voice, "2026-03-27", "09:00") == SHORT
    assert voice.gaps[SLOTS.index("09:00"), 0] == -2
    # Saturday 11:00: A1 back from lunch and A3 working, 1 required -> one over.
    assert state(voice, "2026-03-28", "11:00") == OVER
    # Friday 08:00 email: A2 works, 0.5 required -> met (less than one agent over).
    assert state(email, "2026-03-27", "08:00") == MET
    # Saturday: A2 is off, email needs 0.5 -> short all morning.
    assert (email.states[:, 1] == SHORT).all()


def test_coverage_grid_leaves_out_the_night_and_marks_closed_cells() -> None:
    tz = ZoneInfo("Europe/Paris")
    rows = []
    for day in ("2026-10-24", "2026-10-25"):  # the 25th has 25 hours
        for start in pd.date_range(f"{day} 00:00", periods=4 * 24, freq="15min", tz=tz):
            busy = 9 <= start.hour < 10 and day == "2026-10-24"
            rows.append({"queue": "q", "channel": "voice", "interval_start": start,
                         "required": 2.0 if busy else 0.0, "scheduled": 2.0 if busy else 0.0})
    grid = coverage_grids(pd.DataFrame(rows), tz)[0]
    assert grid.clocks == ("09:00", "09:15", "09:30", "09:45")
    assert grid.states[:, 0].tolist() == [MET] * 4
    assert grid.states[:, 1].tolist() == [CLOSED] * 4


def test_forecast_window_is_local_days_and_sums_channels() -> None:
    forecast, actuals = forecast_frame(), actuals_frame()
    windows = {w.queue: w for w in forecast_windows(
        forecast, actuals, first_day=local(DAYS[0], "00:00"), days_before=2, days_after=2)}
    voice = windows["voice_fr"]
    assert voice.bands == (80, 95)
    # Two forecast days x 8 slots; the third day is outside the window.
    assert len(voice.forecast) == 16
    assert voice.forecast.index.min() == local(DAYS[0], "08:00").tz_convert("UTC")
    # Actuals: 2 days before and the 2 forecast days, per interval.
    mine = actuals[(actuals["queue"] == "voice_fr")
                   & (actuals["interval_start"] < local(DAYS[2], "00:00"))]
    assert len(voice.actual) == len(mine) == 4 * 8
    assert voice.actual.sum() == mine["offered"].sum()


def test_chosen_backtest_keeps_the_forecast_model_mean_over_cutoffs() -> None:
    chosen = chosen_backtest(backtest_frame(), forecast_frame())
    assert set(chosen["queue"]) == {"voice_fr", "email_fr"}
    assert len(chosen) == 2 * 3
    # weekly_mean (the forecast's model) has wmape 0.2 + 0.01 h, seasonal_naive 0.5 + ...
    got = chosen.set_index(["queue", "horizon_day"])["wmape"]
    assert got[("voice_fr", 3)] == pytest.approx(0.23)


def test_requirement_curves_join_the_roster(run) -> None:
    req = run.coverage.assign(agents_required=run.coverage["required"])
    curves = requirement_curves(req, run.coverage, start=local(DAYS[0], "00:00"),
                                end=local(DAYS[1], "00:00"))
    assert len(curves) == 2 * 8  # two queues, the Friday's 8 slots
    friday = run.coverage[run.coverage["interval_start"] < local(DAYS[1], "00:00")]
    both = curves.merge(friday, on=["queue", "interval_start"])
    assert len(both) == len(curves)
    np.testing.assert_array_equal(both["scheduled_x"], both["scheduled_y"])
    np.testing.assert_array_equal(both["agents_required"], both["required"])
    no_roster = requirement_curves(req, None, start=local(DAYS[0], "00:00"),
                                   end=local(DAYS[1], "00:00"))
    assert no_roster["scheduled"].isna().all()


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_page_is_self_contained_with_one_svg_per_chart(tmp_path: Path) -> None:
    data = report_data(tmp_path)
    out = tmp_path / "report.html"
    charts, missing = write_html_report(data, out)
    assert missing == {}
    assert {c.section for c in charts} == set(SECTIONS)
    text = out.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    tags = [t for t, _ in page.tags]
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert not re.search(r"@import|url\((?!#)|\bsrc=", text)
    # No address but XML namespaces: nothing is fetched when the page opens.
    assert set(re.findall(r"https?://[^\s\"'<>)]+", text)) <= {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    figures = [a for t, a in page.tags if t == "figure"]
    assert [f["data-chart"] for f in figures] == [c.key for c in charts]
    assert tags.count("svg") == len(charts)
    ids = [a["id"] for _, a in page.tags if a.get("id")]
    assert len(ids) == len(set(ids))  # every chart's ids prefixed: no clash on the page
    # Each reference inside an SVG points at an id of the page.
    refs = set(re.findall(r"url\(#([^)]+)\)", text)) | set(re.findall(r'href="#([^"]+)"',
                                                                       text))
    assert refs <= set(ids)
    assert "Lyon – week of 2026-03-27" in text and "80 % within 20 s" in text


def test_page_is_byte_identical_for_equal_inputs(tmp_path: Path) -> None:
    data = report_data(tmp_path)
    write_html_report(data, tmp_path / "a.html")
    write_html_report(data, tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_missing_sections_say_why(tmp_path: Path) -> None:
    from dataclasses import replace

    data = replace(report_data(tmp_path), simulation=None, coverage=None,
                   notes={"simulation": "Not simulated: use --simulate."})
    charts, missing = build_charts(data)
    assert "coverage" in missing and missing["simulation"] == "Not simulated: use --simulate."
    out = tmp_path / "r.html"
    write_html_report(data, out)
    assert '<p class="missing">Not simulated: use --simulate.</p>' in \
        out.read_text(encoding="utf-8")
    assert not any(c.section in ("coverage", "simulation") for c in charts)


def test_png_format_writes_one_picture_per_chart(tmp_path: Path) -> None:
    from PIL import Image

    data = report_data(tmp_path)
    files, charts, _ = write_chart_pngs(data, tmp_path / "charts")
    assert [p.name for p in files] == [f"{c.key}.png" for c in charts]
    for path in files:
        with Image.open(path) as im:
            assert im.format == "PNG" and im.width > 600
            assert len(im.getcolors(1_000_000) or ()) > 10  # drawn, not blank


def test_targets_are_drawn_in_the_service_chart(tmp_path: Path) -> None:
    charts, _ = build_charts(report_data(tmp_path))
    fig = next(c.figure for c in charts if c.key == "service-level")
    lines = {round(float(line.get_ydata()[0]), 3) for ax in fig.axes for line in ax.lines
             if line.get_linestyle() == "--"}
    assert lines == {TARGETS["voice_fr"].target, TARGETS["email_fr"].target}


def _cli(*args: str):
    return CliRunner().invoke(cli, ["report", "html", *args])


def test_cli_writes_the_report_of_the_latest_run(project: Path, schedule_run: Path) -> None:
    res = _cli("--output", "week.html")
    assert res.exit_code == 0, res.output
    text = (project / "week.html").read_text(encoding="utf-8")
    # Only the roster exists (no forecast, requirements or actuals): its coverage.
    assert text.count('<figure class="chart"') == 1 and 'data-chart="coverage"' in text
    assert "wrote week.html" in res.stderr
    assert "No actuals in the data store" in text


def test_cli_png_and_errors(project: Path, schedule_run: Path) -> None:
    res = _cli("-f", "png", "-o", "charts")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (project / "charts").iterdir()) == ["coverage.png"]
    bad = _cli("nope")
    assert bad.exit_code == 1 and "run 'nope' does not exist" in bad.stderr
    txt = _cli("-o", "week.txt")
    assert txt.exit_code == 1 and "needs a .html file name" in txt.stderr


def test_cli_help_has_an_example() -> None:
    res = CliRunner().invoke(cli, ["report", "html", "--help"])
    assert res.exit_code == 0 and "wfm report html latest --output week.html" in res.output


def _adjusted_forecast() -> pd.DataFrame:
    """voice_fr's Saturday raised by half by a planner's adjustment (the model's values
    kept in offered_raw; blank on rows no adjustment touched, as the forecast writes)."""
    forecast = forecast_frame().assign(offered_raw=np.nan)
    sat = (forecast["queue"] == "voice_fr") & (
        forecast["interval_start"].dt.tz_convert(TZ).dt.strftime("%Y-%m-%d") == DAYS[1])
    forecast.loc[sat, "offered_raw"] = forecast.loc[sat, "offered"]
    forecast.loc[sat, "offered"] = forecast.loc[sat, "offered"] * 1.5
    return forecast


def test_adjusted_forecasts_show_the_model_before_adjustments(tmp_path: Path) -> None:
    from dataclasses import replace

    from wfm.reports.accuracy import accuracy_report
    from wfm.reports.chart_data import adjusted_queues

    forecast, actuals = _adjusted_forecast(), actuals_frame()
    windows = {w.queue: w for w in forecast_windows(
        forecast, actuals, first_day=local(DAYS[0], "00:00"), days_before=2, days_after=3)}
    assert windows["voice_fr"].adjusted and not windows["email_fr"].adjusted
    # The model's Saturday (10 + k per slot) and the unadjusted days' forecast itself.
    raw = windows["voice_fr"].forecast["offered_raw"]
    assert raw.sum() == pytest.approx(3 * sum(10.0 + k for k in range(len(SLOTS))))
    accuracy = accuracy_report(forecast, actuals, tz=TZ)
    assert adjusted_queues(accuracy) == ("voice_fr",)
    assert adjusted_queues(accuracy_report(forecast_frame(), actuals, tz=TZ)) == ()

    data = replace(report_data(tmp_path), forecast=forecast, accuracy=accuracy)
    charts = {c.key: c for c in build_charts(data)[0]}
    fig = charts["accuracy"].figure
    dashed = [line for line in fig.axes[0].lines if line.get_linestyle() == "--"]
    assert [line.get_label() for line in dashed] == ["voice_fr before adjustments"]
    # The dashed line is the model's error: on the Saturday |raw - actual| / actual.
    sat = actuals[(actuals["queue"] == "voice_fr")
                  & (actuals["interval_start"].dt.tz_convert(TZ).dt.strftime("%Y-%m-%d")
                     == DAYS[1])]["offered"].sum()
    model = sum(10.0 + k for k in range(len(SLOTS)))
    assert dashed[0].get_ydata()[1] == pytest.approx(abs(model - sat) / sat)
    assert "before the planner's adjustments" in charts["accuracy"].caption
    voice = charts["forecast-voice_fr"]
    assert [line.get_label() for line in voice.figure.axes[0].lines
            if line.get_linestyle() == "--"] == ["model before adjustments"]
    assert "before the planner's adjustments" in voice.caption
    assert "adjustments" not in charts["forecast-email_fr"].caption
