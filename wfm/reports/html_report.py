"""The HTML report of a run: one self-contained file with inline SVG charts.

No script, no stylesheet, font or image is fetched: the charts are SVG drawn by
matplotlib and written into the page, the styles are in the page, text uses the reader's
own sans-serif font. The same charts can be written as PNG files (``--format png``).
The page holds no clock time, so equal inputs give a byte-identical file.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from wfm.errors import OutputError
from wfm.outputs import write_output
from wfm.reports.chart_data import (
    ForecastWindow,
    QueueTarget,
    adjusted_queues,
    chosen_backtest,
    coverage_grids,
    forecast_windows,
    requirement_curves,
)
from wfm.reports.coverage import queue_hours
from wfm.schema import INTERVAL_START, QUEUE

#: Sections of the report, in order: key -> heading.
SECTIONS: dict[str, str] = {
    "forecast": "Forecast vs actuals",
    "requirements": "Requirements and roster",
    "coverage": "Roster coverage",
    "service": "Service level vs target",
    "accuracy": "Forecast accuracy",
    "simulation": "Simulated service",
}
PNG_DPI = 110
_RC: dict[str, Any] = {"svg.hashsalt": "wfm", "svg.fonttype": "none", "font.size": 9,
       "font.family": "sans-serif", "path.simplify": True}


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows; any frame may be ``None`` (its section then says why
    it is missing, from ``notes``).

    ``forecast`` (schema.FORECAST), ``backtest`` (the forecast run's backtest.csv),
    ``actuals`` (schema.INTERVALS around the forecast start), ``requirements``
    (schema.REQUIREMENTS), ``coverage`` (schema.COVERAGE of the roster),
    ``service_levels`` (:func:`~wfm.reports.service_level.service_level_report` by day),
    ``accuracy`` (:func:`~wfm.reports.accuracy.accuracy_report` of an earlier forecast),
    ``simulation`` (a simulated roster's table by day). ``first_day`` is the local
    midnight of the week shown; ``sources`` lists (what, where from) for the page.
    """

    site: str
    tz: ZoneInfo
    title: str
    first_day: pd.Timestamp
    targets: Mapping[str, QueueTarget]
    sources: tuple[tuple[str, str], ...] = ()
    forecast: pd.DataFrame | None = None
    backtest: pd.DataFrame | None = None
    actuals: pd.DataFrame | None = None
    requirements: pd.DataFrame | None = None
    coverage: pd.DataFrame | None = None
    service_levels: pd.DataFrame | None = None
    accuracy: pd.DataFrame | None = None
    simulation: pd.DataFrame | None = None
    days_before: int = 7
    days_after: int = 7
    notes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Chart:
    """One picture: ``key`` (unique, safe as a file name), its section, title and
    caption, and the matplotlib figure."""

    key: str
    section: str
    title: str
    caption: str
    figure: Any


def _queues(data: ReportData) -> list[str]:
    names: set[str] = set(data.targets)
    for frame in (data.forecast, data.requirements, data.coverage, data.service_levels):
        if frame is not None and QUEUE in frame.columns:
            names |= set(frame[QUEUE].astype(str))
    return sorted(names)


def build_charts(data: ReportData) -> tuple[list[Chart], dict[str, str]]:
    """The charts of ``data`` and, per section without any, the reason."""
    from wfm.reports import charts as draw

    colours = draw.queue_colours(_queues(data))
    out: list[Chart] = []
    missing: dict[str, str] = {}
    week_end = data.first_day + pd.DateOffset(days=data.days_after)

    def add(section: str, key: str, title: str, caption: str,
            make: Callable[[], Any]) -> None:
        out.append(Chart(key, section, title, caption, make()))

    def forecast_chart(w: ForecastWindow) -> Callable[[], Any]:
        return lambda: draw.forecast_figure(w, data.tz, colours.get(w.queue, "grey"))

    if data.forecast is not None and len(data.forecast):
        for w in forecast_windows(data.forecast, data.actuals, first_day=data.first_day,
                                  days_before=data.days_before, days_after=data.days_after):
            bands = " and ".join(f"{b} %" for b in w.bands) or "no"
            add("forecast", f"forecast-{w.queue}", f"{w.queue}: forecast vs actuals",
                f"Contacts offered per interval ({data.tz.key}): actuals (black) of the "
                f"{data.days_before} days before {data.first_day:%Y-%m-%d}, forecast "
                f"with its {bands} prediction intervals from then on; actuals are drawn "
                "over the forecast wherever both exist."
                + (" Dashed: the model's forecast before the planner's adjustments."
                   if w.adjusted else ""),
                forecast_chart(w))
    else:
        missing["forecast"] = data.notes.get("forecast", "no forecast")
    if data.requirements is not None and len(data.requirements):
        curves = requirement_curves(data.requirements, data.coverage,
                                    start=data.first_day, end=week_end)
        add("requirements", "requirements", "Required and scheduled agents",
            "Agents required per interval after shrinkage (coloured) and agents the "
            "roster schedules on the queue (black), per queue.",
            lambda: draw.requirements_figure(curves, data.tz, colours))
    else:
        missing["requirements"] = data.notes.get("requirements", "no requirements")
    if data.coverage is not None and len(data.coverage):
        grids = coverage_grids(data.coverage, data.tz)
        add("coverage", "coverage", "Coverage heat map",
            "Each cell one interval of one day: red short (scheduled < required), green "
            "met (within one agent above the requirement), amber one agent or more over, "
            "grey nothing required and nobody scheduled.",
            lambda: draw.coverage_figure(grids))
    else:
        missing["coverage"] = data.notes.get("coverage", "no roster")
    if data.service_levels is not None and len(data.service_levels):
        levels = data.service_levels
        add("service", "service-level", "Service level by day",
            "Actual service level per local day (answered within the threshold / offered; "
            "for deferred queues handled within the response target / handled), the "
            "dashed line the queue's target, red points the days under it.",
            lambda: draw.service_level_figure(levels, data.targets, colours))
    else:
        missing["service"] = data.notes.get("service", "no actuals")
    if data.backtest is not None and data.forecast is not None and len(data.backtest):
        chosen = chosen_backtest(data.backtest, data.forecast)
        if len(chosen):
            cover = chosen.groupby(QUEUE)[[c for c in ("coverage_80", "coverage_95")
                                           if c in chosen.columns]].mean()
            text = "; ".join(f"{q}: {r.get('coverage_80', float('nan')):.0%} inside the "
                             f"80 % and {r.get('coverage_95', float('nan')):.0%} inside "
                             "the 95 % interval" for q, r in cover.iterrows())
            add("accuracy", "backtest", "Backtest error by days ahead",
                "Interval-level wMAPE (sum |forecast - actual| / sum actual) of the model "
                "each queue's forecast uses, in backtests at earlier cutoffs, by days "
                f"ahead. Share of actual intervals within the bands: {text}.",
                lambda: draw.backtest_figure(chosen, colours))
    if data.accuracy is not None and len(data.accuracy):
        acc = data.accuracy
        adjusted = adjusted_queues(acc)
        add("accuracy", "accuracy", "Realised accuracy",
            data.notes.get("accuracy_source", "An earlier forecast against the actuals "
                           "of its days") + ": |forecast - actual| / actual of each day."
            + (f" Dashed ({', '.join(adjusted)}): the same error of the model's forecast "
               "before the planner's adjustments: where it lies above the solid line, the "
               "adjustments helped." if adjusted else ""),
            lambda: draw.accuracy_figure(acc, colours, adjusted))
    if not any(c.section == "accuracy" for c in out):
        missing["accuracy"] = data.notes.get("accuracy", "no backtest and no earlier "
                                                         "forecast to judge")
    if data.simulation is not None and len(data.simulation):
        sim = data.simulation
        add("simulation", "simulation", "Simulated service by day",
            data.notes.get("simulation_source", "Simulated roster") + ": mean over the "
            "replications with its 95 % interval, the dashed line the target.",
            lambda: draw.simulation_figure(sim, data.targets, colours))
    else:
        missing["simulation"] = data.notes.get("simulation", "not simulated")
    return out, missing


def figure_svg(figure: Any, prefix: str) -> str:
    """The figure as an inline ``<svg>`` element: no XML prolog, every id prefixed so
    that several charts can share one page, scaled to the page width."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        figure.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # The RDF metadata block (creator, format) is of no use inside a page.
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.DOTALL)
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', text)
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
                  rf'<svg\1 class="chart-svg" role="img" aria-label="{html.escape(prefix)}"',
                  text, count=1)


def figure_png(figure: Any) -> bytes:
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        figure.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return buf.getvalue()


PAGE_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;
margin:0 auto;max-width:1100px;padding:1rem 1.5rem;color:#222;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:1px solid #ccc;margin-top:2rem}
table{border-collapse:collapse;font-size:.9rem}th,td{padding:.2rem .6rem;text-align:right;
border-bottom:1px solid #e5e5e5}th:first-child,td:first-child{text-align:left}
figure.chart{margin:1rem 0}figure.chart svg{width:100%;height:auto;display:block}
figcaption{font-size:.85rem;color:#555}p.missing{color:#8a6d3b;background:#fcf8e3;
padding:.4rem .6rem}nav a{margin-right:1rem}.short{color:#b30000;font-weight:600}
.sources{font-size:.8rem;color:#666}
"""


def _summary_rows(data: ReportData) -> list[list[str]]:
    """Key figures per queue: week's forecast contacts, required/scheduled/short
    agent-hours and covered share, the actual service level of the days shown."""
    rows: list[list[str]] = []
    week_end = data.first_day + pd.DateOffset(days=data.days_after)
    hours = None
    if data.coverage is not None and len(data.coverage):
        starts = data.coverage[INTERVAL_START].drop_duplicates().sort_values()
        step_h = float(starts.diff().dropna().min() / pd.Timedelta(hours=1)) \
            if len(starts) > 1 else 0.25
        hours = queue_hours(data.coverage, interval_h=step_h).set_index(QUEUE)
    for q in _queues(data):
        offered = ""
        if data.forecast is not None:
            f = data.forecast
            sel = (f[QUEUE] == q) & (f[INTERVAL_START] >= data.first_day.tz_convert("UTC")) \
                & (f[INTERVAL_START] < week_end.tz_convert("UTC"))
            offered = f"{float(f.loc[sel, 'offered'].sum()):,.0f}" if sel.any() else ""
        req = sched = short = covered = ""
        if hours is not None and q in hours.index:
            h = hours.loc[q]
            req, sched = f"{h['required_h']:,.1f}", f"{h['scheduled_h']:,.1f}"
            short = f"{h['short_h']:,.1f}"
            covered = f"{h['covered_share']:.1%}" if pd.notna(h["covered_share"]) else ""
        level = ""
        if data.service_levels is not None:
            s = data.service_levels[data.service_levels[QUEUE] == q]
            if len(s) and s["service_level"].notna().any():
                level = f"{s['service_level'].min():.1%} – {s['service_level'].max():.1%}"
        target = data.targets[q].label if q in data.targets else ""
        rows.append([q, offered, req, sched, short, covered, level, target])
    return rows


def html_document(data: ReportData, charts: list[Chart], missing: Mapping[str, str]) -> str:
    """The whole page as text."""
    esc = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{esc(data.title)}</title>", f"<style>{PAGE_STYLE}</style>", "</head>",
             "<body>", f"<h1>{esc(data.title)}</h1>",
             f'<p class="sources">{esc(data.site)}; times in {esc(data.tz.key)}. '
             + "; ".join(f"{esc(k)}: {esc(v)}" for k, v in data.sources) + "</p>",
             "<nav>" + "".join(f'<a href="#{k}">{esc(v)}</a>' for k, v in SECTIONS.items())
             + "</nav>"]
    heads = ["Queue", "Forecast contacts (week)", "Required agent-h", "Scheduled agent-h",
             "Short agent-h", "Required agent-h covered", "Daily service level (range)",
             "Target"]
    parts.append('<h2 id="summary">Key figures</h2><table><thead><tr>'
                 + "".join(f"<th>{esc(h)}</th>" for h in heads) + "</tr></thead><tbody>")
    for row in _summary_rows(data):
        cells = [f'<td class="short">{esc(v)}</td>' if i == 4 and v not in ("", "0.0")
                 else f"<td>{esc(v)}</td>" for i, v in enumerate(row)]
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    for key, heading in SECTIONS.items():
        parts.append(f'<section id="{key}"><h2>{esc(heading)}</h2>')
        for chart in (c for c in charts if c.section == key):
            parts.append(f'<figure class="chart" id="chart-{esc(chart.key)}" '
                         f'data-chart="{esc(chart.key)}">')
            parts.append(figure_svg(chart.figure, f"c-{chart.key}"))
            parts.append(f"<figcaption><b>{esc(chart.title)}.</b> {esc(chart.caption)}"
                         "</figcaption></figure>")
        if key in missing:
            parts.append(f'<p class="missing">{esc(missing[key])}</p>')
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def write_html_report(data: ReportData, output: Path
                      ) -> tuple[list[Chart], dict[str, str]]:
    """Write the report page to ``output`` (atomically); returns its charts and the
    sections without a chart (with the reason)."""
    charts, missing = build_charts(data)
    write_output(output, html_document(data, charts, missing))
    return charts, missing


def write_chart_pngs(data: ReportData, folder: Path
                     ) -> tuple[list[Path], list[Chart], dict[str, str]]:
    """Write every chart as ``<key>.png`` into ``folder`` (created if its parent
    exists); returns the files, the charts and the sections without a chart."""
    if not folder.is_dir():
        if not folder.parent.is_dir():
            raise OutputError(f"{folder}: folder {folder.parent} does not exist",
                              hint="create it or choose another --output")
        try:
            folder.mkdir()
        except OSError as exc:
            raise OutputError(f"{folder}: cannot create the folder ({exc.strerror})") \
                from None
    charts, missing = build_charts(data)
    paths = []
    for chart in charts:
        path = folder / f"{chart.key}.png"
        write_output(path, figure_png(chart.figure))
        paths.append(path)
    return paths, charts, missing
