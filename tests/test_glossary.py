"""docs/glossary.md names every column and key wfm uses.

Nothing is listed here: the names come from the code itself. Frame columns from
``wfm.schema.FRAMES`` and the column tuples of the modules that write files; report
columns from running the report functions on a few rows; ``wfm.toml`` keys from each
section reader's own answer to an unknown key (its "Valid keys: ..." list), probed on the
starter configuration; column-mapping keys the same way through ``parse_mapping``. A name
counts as documented when it is written in backticks in the first cell of a table row of
the right part of the glossary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from wfm.config import parse_config
from wfm.errors import ConfigError
from wfm.forecasting import SiteCalendar, forecast_intervals
from wfm.io.column_mapping import parse_mapping
from wfm.io.health import FINDING_COLUMNS
from wfm.reports import roster_diff
from wfm.reports.accuracy import accuracy_report
from wfm.reports.coverage import coverage_summary, queue_hours
from wfm.reports.service_level import service_level_report
from wfm.scheduling.agents import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from wfm.scheduling.checker import VIOLATION_COLUMNS
from wfm.scheduling.roster_frames import COVERAGE_COLUMNS, INTERVAL_COLUMNS, ROSTER_COLUMNS
from wfm.schema import FRAMES, INTERVALS

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossary.md"
STARTER = ROOT / "wfm" / "config" / "starter.toml"
PROBE = "zz_glossary_probe"
COLUMNS_PART_END = "## wfm.toml keys by section"
TOML_PART = ("## wfm.toml keys by section", "## Column-mapping keys")
UTC = ZoneInfo("UTC")
#: Tables only a parent wfm.toml holds (not in the starter), with a minimal valid entry.
PARENT_ONLY = {"sites": ['config = "site/wfm.toml"']}


# -- reading the glossary -------------------------------------------------------------------
def glossary_lines() -> list[str]:
    return GLOSSARY.read_text(encoding="utf-8").splitlines()


def part(start: str, end: str | None = None) -> list[str]:
    """The lines from the heading ``start`` up to the heading ``end`` (or to the next
    heading of the same or a higher level)."""
    lines = glossary_lines()
    assert start in lines, f"docs/glossary.md has no heading {start!r}"
    first = lines.index(start)
    level = len(start) - len(start.lstrip("#"))
    out = []
    for line in lines[first + 1:]:
        if end is not None and line == end:
            break
        depth = len(line) - len(line.lstrip("#"))
        if end is None and line.startswith("#") and 0 < depth <= level:
            break
        out.append(line)
    return out


def table_rows(lines: Iterable[str]) -> list[str]:
    return [ln for ln in lines if ln.startswith("| ") and not ln.startswith("|---")]


def named(lines: Iterable[str]) -> set[str]:
    """Names written in backticks in the first cell of the table rows."""
    out: set[str] = set()
    for row in table_rows(lines):
        out.update(re.findall(r"`([^`]+)`", row.split("|")[1]))
    return out


def rows_naming(lines: Iterable[str], name: str) -> list[str]:
    return [row for row in table_rows(lines)
            if name in re.findall(r"`([^`]+)`", row.split("|")[1])]


def columns_part() -> list[str]:
    lines = glossary_lines()
    return lines[:lines.index(COLUMNS_PART_END)]


def toml_heading(table: str, *, array: bool) -> str:
    return f"### `[[{table}]]`" if array else f"### `[{table}]`"


def missing(names: Iterable[str], lines: list[str]) -> list[str]:
    documented = named(lines)
    return sorted({n for n in names if n not in documented})


# -- what the code accepts --------------------------------------------------------------------
def starter_headers() -> dict[str, bool]:
    """Table name -> is an array of tables, for every (uncommented) header of the starter."""
    out: dict[str, bool] = {}
    for line in STARTER.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\[\[?)([A-Za-z0-9_.]+)\]\]?\s*(#.*)?$", line)
        if m:
            out.setdefault(m.group(2), m.group(1) == "[[")
    return out


def accepted_keys(table: str) -> list[str] | None:
    """The keys the reader of ``table`` ("" for the top level) accepts, in its own words.

    An unknown key goes into the first such table of the starter configuration; the
    reader's ConfigError lists the valid keys. ``None`` when the table takes any key
    (e.g. per-queue weights: queue = weight, whose keys must name queues).
    """
    lines = STARTER.read_text(encoding="utf-8").splitlines()
    if table:
        header = re.compile(rf"^\[\[?{re.escape(table)}\]\]?\s*(#.*)?$")
        at = next((i for i, line in enumerate(lines) if header.match(line)), None)
        if at is None:  # a parent-only table: a minimal entry of it, appended
            lines += [f"[[{table}]]", *PARENT_ONLY[table]]
            at = len(lines) - 1
        lines.insert(at + 1, f"{PROBE} = 1")
    else:
        lines.insert(0, f"{PROBE} = 1")
    try:
        parse_config("\n".join(lines), STARTER)
    except ConfigError as exc:
        if f"{PROBE!r} is not a queue of [[queues]]" in exc.message:
            return None  # keys are queue names (queue = weight), checked against [[queues]]
        return _valid_keys(exc.message, where=f"[{table}" if table else "top level")
    return None


def _valid_keys(message: str, *, where: str) -> list[str]:
    m = re.search(rf"unknown key '{PROBE}' in (.*?)(?:; did you mean .*?)? Valid keys: (.*)$",
                  message)
    assert m, f"the probe did not reach a reader's key check: {message}"
    assert m.group(1).startswith(where), f"answered by {m.group(1)}, not {where}: {message}"
    keys = m.group(2).split(", ")
    assert keys and PROBE not in keys
    return keys


def mapping_keys(raw: dict[str, object]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_mapping(raw, "probe", "probe")
    m = re.search(rf"unknown key '{PROBE}'.* Valid keys: (.*)$", info.value.message)
    assert m, info.value.message
    return m.group(1).split(", ")


# -- the tests ----------------------------------------------------------------------------------
def test_the_parser_sees_names_and_only_first_cells() -> None:
    lines = ["| name | unit | meaning |", "|---|---|---|",
             "| `a_s`, `b` | [s] | see `c` |", "text with `d`"]
    assert named(lines) == {"a_s", "b"}


@pytest.mark.parametrize("frame", sorted(FRAMES))
def test_every_schema_column_is_in_the_glossary(frame: str) -> None:
    schema = FRAMES[frame]
    lines = columns_part()
    assert missing(schema.names, lines) == [], f"{frame} columns missing from docs/glossary.md"


@pytest.mark.parametrize("frame", sorted(FRAMES))
def test_schema_units_match_the_glossary(frame: str) -> None:
    """A column the schema gives a unit (or the kind fraction) carries it in a row."""
    lines = columns_part()
    for col in FRAMES[frame].columns:
        unit = "fraction 0-1" if col.kind == "fraction" else col.unit
        if not unit:
            continue
        rows = rows_naming(lines, col.name)
        assert any(f"[{unit}]" in row for row in rows), \
            f"{frame}.{col.name}: no glossary row gives the unit [{unit}]: {rows}"


def test_every_section_of_wfm_toml_is_documented() -> None:
    sections = accepted_keys("")
    assert sections is not None
    assert {"site", "queues", "scheduling"} <= set(sections)  # the probe reads real answers
    # [[sites]] belongs in a parent wfm.toml only (a starter holding it would run sites
    # instead of its own pipeline); its keys are checked like every other section's.
    arrays = {**starter_headers(), **dict.fromkeys(PARENT_ONLY, True)}
    for section in sections:
        assert section in arrays, f"[{section}] is not in the starter configuration"
        heading = toml_heading(section, array=arrays[section])
        lines = part(heading)
        keys = accepted_keys(section)
        assert keys, f"[{section}] takes any key?"
        assert missing(keys, lines) == [], f"{heading}: keys missing from docs/glossary.md"


def test_every_nested_table_of_the_starter_is_documented() -> None:
    """Tables inside sections ([site.opening_hours], [[scheduling.breaks]] ...)."""
    probed = 0
    for table, array in starter_headers().items():
        if "." not in table or table.startswith("data.mappings"):
            continue  # sections are tested above; mappings below
        keys = accepted_keys(table)
        if keys is None:
            continue  # free-form keys (queue = weight)
        probed += 1
        heading = toml_heading(table, array=array)
        assert missing(keys, part(heading)) == [], f"{heading}: keys missing"
    assert probed >= 2


def test_the_starter_keys_are_a_subset_of_the_accepted_ones() -> None:
    """The probe answers with the reader's full list, not just the keys in use."""
    site = accepted_keys("site")
    assert site is not None
    assert {"name", "timezone", "country", "holidays"} <= set(site)
    assert "subdivision" in site  # accepted though the starter does not set it


def test_every_column_mapping_key_is_documented() -> None:
    top = mapping_keys({PROBE: 1})
    column = mapping_keys({"columns": {"interval_start": "A", "queue": "B",
                                       "offered": {"source": "C", PROBE: 1}}})
    start = mapping_keys({"columns": {"interval_start": {"source": "A", PROBE: 1},
                                      "queue": "B", "offered": "C"}})
    targets = mapping_keys({"columns": {PROBE: "A"}})
    assert set(targets) == set(INTERVALS.names)
    assert missing(top, part("### Top-level keys")) == []
    assert missing(column, part("### Keys of a mapped column (`[columns]`)")) == []
    assert missing(start, part("### Keys of `interval_start` (`[columns]`)")) == []


def test_agents_file_columns_are_documented() -> None:
    lines = part("### The agents file")
    assert missing((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS), lines) == []


def test_columns_of_written_files_are_documented() -> None:
    """roster.csv, agent_intervals.csv, coverage.csv, data_health.csv, schedule check,
    wfm data history, schedule diff."""
    from wfm.io.store_history import HISTORY_COLUMNS

    for columns in (ROSTER_COLUMNS, INTERVAL_COLUMNS, COVERAGE_COLUMNS, FINDING_COLUMNS,
                    VIOLATION_COLUMNS, HISTORY_COLUMNS, roster_diff.CHANGE_COLUMNS,
                    roster_diff.AGENT_COLUMNS, roster_diff.COVERAGE_COLUMNS):
        assert missing(columns, columns_part()) == [], columns


def test_capacity_plan_columns_are_documented() -> None:
    """The columns of every `wfm plan` view and workbook sheet."""
    from datetime import date

    from wfm.capacity import Cohort, PlanHorizon, PlanInputs, QueueDemand, Scenario
    from wfm.capacity import plan_scenario as plan_one
    from wfm.pipeline.plan_job import monthly_frame, summary_frame

    horizon = PlanHorizon(date(2027, 3, 1), 26)
    demand = QueueDemand(("q",), np.full((1, 182), 60.0), np.full((1, 26), 500.0),
                         np.full((1, 26), 40.0))
    inputs = PlanInputs(horizon, ("q",), {"q": "q"},
                        tuple(Cohort(f"a{i}", "q", 1.0) for i in range(8)), hours_per_fte=35.0)
    plans = (plan_one(Scenario(), demand, inputs),)
    frames = [summary_frame(plans), monthly_frame(plans), plans[0].weekly, plans[0].demand,
              plans[0].waterfall, plans[0].classes]
    assert len(plans[0].classes) > 0  # the case hires, so the class columns are real
    for frame in frames:
        assert missing(map(str, frame.columns), columns_part()) == [], list(frame.columns)


def _intervals(starts: pd.DatetimeIndex, offered: np.ndarray) -> pd.DataFrame:
    n = len(starts)
    frame = pd.DataFrame({"interval_start": starts, "queue": "q", "channel": "voice",
                          "offered": offered})
    for col in INTERVALS.columns[4:]:
        frame[col.name] = 20.0 if col.name == "sl_threshold_s" else np.ones(n)
    return frame


def test_report_columns_are_documented() -> None:
    starts = pd.date_range("2026-11-16", periods=8, freq="15min", tz=UTC)
    actuals = _intervals(starts, np.full(8, 10.0))
    forecast = pd.DataFrame({"queue": "q", "channel": "voice", "interval_start": starts,
                             "offered": 9.0, "aht_s": 300.0, "model": "m",
                             "offered_lo_95": 5.0, "offered_hi_95": 15.0})
    coverage = pd.DataFrame({"queue": "q", "channel": "voice", "interval_start": starts,
                             "required": 3.0, "scheduled": np.arange(8.0)})
    coverage["gap"] = coverage["scheduled"] - coverage["required"]
    reports = {
        "service level": service_level_report(actuals, by="day", tz=UTC),
        "accuracy": accuracy_report(forecast, actuals, tz=UTC),
        "coverage": coverage_summary(coverage, tz=UTC, interval_h=0.25),
        "workbook summary": queue_hours(coverage, interval_h=0.25),
    }
    for name, frame in reports.items():
        assert len(frame.columns) > 3
        assert missing(map(str, frame.columns), columns_part()) == [], name


def test_adjustment_and_what_if_columns_are_documented(tmp_path: Path) -> None:
    """forecast.csv's raw columns, the adjustments file's keys (probed: the reader lists
    them), `wfm forecast adjust list` and `wfm what-if` columns."""
    from wfm.config._reader import TableReader
    from wfm.config.adjustments import read_adjustments
    from wfm.config.scenarios import read_changes
    from wfm.pipeline.adjust_job import LIST_COLUMNS
    from wfm.pipeline.what_if_job import COLUMNS

    config = parse_config(STARTER.read_text(encoding="utf-8"), tmp_path / "wfm.toml")
    probes = {"format = 1\nzz_glossary_probe = 1\n": "top level",
              '[[adjustments]]\nid = "a1"\nzz_glossary_probe = 1\n': "[adjustments.1]"}
    for text, where in probes.items():
        (tmp_path / "adjustments.toml").write_text(text)
        with pytest.raises(ConfigError) as info:
            read_adjustments(config)
        keys = _valid_keys(info.value.message, where=where)
        assert missing(keys, columns_part()) == [], where
    assert missing((*LIST_COLUMNS, *COLUMNS), columns_part()) == []
    with pytest.raises(ConfigError) as info:
        by_queue = TableReader({PROBE: 1}, "scenarios.1.by_queue.voice_fr", "probe")
        read_changes(by_queue)
        by_queue.finish()
    keys = _valid_keys(info.value.message, where="[scenarios.1.by_queue")
    assert missing(keys, part("### `[scenarios.by_queue.<queue>]`")) == []


def test_backtest_columns_are_documented() -> None:
    """backtest.csv of a small forecast (5 weeks of hourly history, one fold)."""
    starts = pd.date_range("2026-01-05", periods=35 * 24, freq="60min", tz=UTC)
    rng = np.random.default_rng(0)
    history = _intervals(starts, rng.poisson(20.0, len(starts)).astype(float))
    run = forecast_intervals(history, calendar=SiteCalendar(UTC), interval_minutes=60,
                             horizon_days=7, model="seasonal_naive", backtest_cutoffs=1)
    assert len(run.backtest) > 0
    assert missing(map(str, run.backtest.columns), columns_part()) == []
