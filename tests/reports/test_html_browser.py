"""The HTML report in a real browser: headless Chromium (Debian packages chromium and
chromium-driver, installed by .ci/run) opens the file offline and draws every chart."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from html_data import report_data

from wfm.reports.html_report import write_html_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1200,900")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="Chromium and its driver are not installed (Debian: apt-get install chromium "
           "chromium-driver; .ci/run installs them)")

# For every chart: its rendered box, what the browser drew in it, and page-wide facts.
MEASURE = """
const figs = Array.from(document.querySelectorAll('figure.chart'));
return {
  charts: figs.map(f => {
    const svg = f.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    const drawn = svg ? svg.getBBox() : {width: 0, height: 0};
    return {key: f.dataset.chart, width: box.width, height: box.height,
            drawnWidth: drawn.width, drawnHeight: drawn.height,
            paths: svg ? svg.querySelectorAll('path').length : 0,
            texts: svg ? svg.querySelectorAll('text').length : 0};
  }),
  resources: performance.getEntriesByType('resource').map(e => e.name),
  scripts: document.scripts.length,
  sections: Array.from(document.querySelectorAll('section')).map(s => s.id),
};
"""


def rendered(chart: dict[str, float]) -> bool:
    """Laid out across the page and drawn: axes, lines, labels."""
    return (chart["width"] > 800 and chart["height"] > 150 and chart["drawnWidth"] > 500
            and chart["drawnHeight"] > 100 and chart["paths"] > 10 and chart["texts"] > 3)


def errors(logs: list[dict[str, str]]) -> list[dict[str, str]]:
    return [e for e in logs if e["level"] in ("SEVERE", "WARNING")]


@pytest.fixture
def browser(tmp_path: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def test_every_chart_renders_offline_without_errors(browser, tmp_path: Path) -> None:
    from PIL import Image
    from selenium.webdriver.common.by import By

    page = tmp_path / "report.html"
    charts, missing = write_html_report(report_data(tmp_path), page)
    assert missing == {} and len(charts) == 8  # 2 forecasts, then one per chart kind
    browser.get(page.as_uri())
    facts = browser.execute_script(MEASURE)
    logs = browser.get_log("browser")
    assert [c["key"] for c in facts["charts"]] == [c.key for c in charts]
    for chart in facts["charts"]:
        assert rendered(chart), chart
    assert facts["resources"] == []  # nothing fetched: no font, script or picture
    assert facts["scripts"] == 0
    assert facts["sections"] == ["forecast", "requirements", "coverage", "service",
                                 "accuracy", "simulation"]
    assert errors(logs) == []
    # What the screen shows inside each chart is a picture, not a blank box.
    for element in browser.find_elements(By.CSS_SELECTOR, "figure.chart svg"):
        browser.execute_script("arguments[0].scrollIntoView();", element)
        shot = Image.open(io.BytesIO(element.screenshot_as_png)).convert("RGB")
        colours = shot.getcolors(1_000_000) or []
        assert len(colours) > 20, element.get_attribute("aria-label")
        white = max(n for n, c in colours if c == (255, 255, 255)) if any(
            c == (255, 255, 255) for _, c in colours) else 0
        assert white < 0.97 * shot.width * shot.height


def test_the_checks_catch_a_broken_chart_and_a_script_error(browser, tmp_path: Path) -> None:
    """The same measurements fail on an SVG the browser cannot draw and see a script
    error (the checks above are not vacuous)."""
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><figure class="chart" data-chart="x">'
                    '<svg viewBox="0 0 10 10" style="width:100%"><path d="M 0 0 L oops"/>'
                    "</svg></figure><script>throw new Error('boom')</script></body></html>",
                    encoding="utf-8")
    browser.get(page.as_uri())
    chart = browser.execute_script(MEASURE)["charts"][0]
    assert not rendered(chart)
    assert any("boom" in e["message"] for e in errors(browser.get_log("browser")))


def test_the_plan_page_renders_offline_without_errors(browser, tmp_path: Path) -> None:
    """`wfm plan --html`: both charts laid out and drawn, nothing fetched, no error."""
    import pandas as pd

    from wfm.reports.plan_html import CHARTS, write_plan_html
    from wfm.reports.tables import PlanTables

    weeks = [str(d.date()) for d in pd.date_range("2027-01-04", periods=26, freq="7D")]
    months = [f"2027-{m:02d}" for m in range(1, 7)]
    weekly = pd.DataFrame([{"scenario": s, "week_start": w, "group": "all",
                            "required_fte": 40 + 5 * (i % 6), "available_fte": 42 - 0.3 * i}
                           for s in ("base", "growth") for i, w in enumerate(weeks)])
    waterfall = pd.DataFrame([{"scenario": s, "month": m, "group": "all", "opening": 45.0,
                               "hires": 4.0 * (i == 2), "attrition": 0.9,
                               "planned_leavers": 1.0 * (i == 4), "closing": 44.1}
                              for s in ("base", "growth") for i, m in enumerate(months)])
    summary = pd.DataFrame({"scenario": ["base", "growth"], "required_fte": [42.5, 46.0]})
    classes = pd.DataFrame({"scenario": ["base"], "group": ["voice"],
                            "start": ["2027-03-01"], "size": [4.0]})
    page = tmp_path / "plan.html"
    write_plan_html(PlanTables(summary, pd.DataFrame(), weekly, waterfall, classes,
                               pd.DataFrame()), page, title="Capacity plan")
    browser.get(page.as_uri())
    facts = browser.execute_script(MEASURE)
    assert [c["key"] for c in facts["charts"]] == list(CHARTS)
    for chart in facts["charts"]:
        assert rendered(chart), chart
    assert facts["resources"] == [] and facts["scripts"] == 0
    assert errors(browser.get_log("browser")) == []
