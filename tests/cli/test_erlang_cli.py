"""`wfm erlang`: answer, reverse mode, formats and error exits."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from wfm.cli.main import cli
from wfm.pipeline import ErlangQuestion, erlang, parse_sl_target
from wfm.reports.render import render, render_text
from wfm.staffing.erlang_a import asa_answered, erlang_a
from wfm.staffing.erlang_c import asa, occupancy, service_level


def run(*args: str):
    return CliRunner().invoke(cli, ["erlang", *args])


def test_published_example_json() -> None:
    r = run("--volume", "100", "--interval", "30", "--aht", "180", "--target", "80/20",
            "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    answer = next(row for row in rows if row["answer"] == "<-")
    assert answer["agents"] == 14
    assert answer["service_level"] == pytest.approx(0.88835, abs=5e-6)
    assert answer["asa_s"] == pytest.approx(7.836, abs=5e-4)
    assert [row["agents"] for row in rows] == [12, 13, 14, 15, 16]


def test_reverse_agents_and_shrinkage_csv() -> None:
    r = run("--volume", "100", "--aht", "180", "--agents", "13", "--shrinkage", "0.35",
            "--format", "csv")
    assert r.exit_code == 0, r.output
    line = next(x for x in r.output.splitlines() if x.endswith("<-"))
    fields = line.split(",")
    assert fields[0] == "13"
    assert float(fields[1]) == pytest.approx(0.7956, abs=1e-4)
    assert float(fields[4]) == pytest.approx(13 / 0.65)


def test_concurrency_reports_agents_not_slots() -> None:
    r = run("--volume", "100", "--aht", "180", "--concurrency", "2", "--format", "json")
    answer = next(row for row in json.loads(r.output) if row["answer"] == "<-")
    assert answer["agents"] == 7  # 14 slots / 2 per agent


@pytest.mark.parametrize(("args", "message"), [
    (["--volume", "-5", "--aht", "180"], "volume -5.0 is not valid"),
    (["--volume", "100", "--aht", "0"], "AHT 0.0 s is not valid"),
    (["--volume", "100", "--aht", "180", "--target", "100/0"],
     "--target '100/0': the percentage must be in (0, 100), got 100; no staffing answers "
     "100% of contacts within a threshold (waits are random)"),
    (["--volume", "100", "--aht", "180", "--target", "0/20"],
     "--target '0/20': the percentage must be in (0, 100), got 0\n"),
    (["--volume", "100", "--aht", "180", "--patience", "0"], "--patience 0 is not valid; "
     "accepted: seconds > 0"),
    (["--volume", "100", "--aht", "180", "--max-occupancy", "1.5"],
     "--max-occupancy 1.5 is not valid; accepted: a fraction in (0, 1]"),
    (["--volume", "100", "--aht", "180", "--interval", "0"],
     "--interval 0 is not valid; accepted: minutes > 0"),
    (["--volume", "100", "--aht", "180", "--agents", "-1"], "--agents -1 is not valid"),
    (["--volume", "100", "--aht", "180", "--target", "80/-1"], "threshold must be >= 0"),
    (["--volume", "100", "--aht", "180", "--concurrency", "0"], "--concurrency 0 is not valid"),
    (["--volume", "100", "--aht", "180", "--shrinkage", "1"], "--shrinkage 1 is not valid"),
    (["--volume", "100", "--aht", "180", "--target", "eighty"], "PERCENT/SECONDS"),
    (["--volume", "100", "--aht", "180", "--max-abandon", "0.05"],
     "--max-abandon needs --patience: Erlang C assumes nobody abandons"),
    (["--volume", "100", "--aht", "180", "--patience", "60", "--max-abandon", "5"],
     "--max-abandon 5 is not valid; accepted: a fraction in (0, 1)"),
    (["--volume", "100", "--aht", "180", "--abandon-warning", "-0.1"],
     "--abandon-warning -0.1 is not valid; accepted: a fraction in [0, 1]"),
])
def test_bad_inputs_exit_1_with_message(args: list[str], message: str) -> None:
    r = run(*args)
    assert r.exit_code == 1
    assert r.output.startswith("wfm: error: ")
    assert message in r.output
    assert "Traceback" not in r.output


def test_help_shows_example() -> None:
    r = run("--help")
    assert r.exit_code == 0 and "Example:  wfm erlang" in r.output


def test_patience_uses_erlang_a_and_shows_abandonment() -> None:
    r = run("--volume", "100", "--aht", "180", "--patience", "120", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    answer = next(row for row in rows if row["answer"] == "<-")
    assert answer["agents"] == 12
    assert answer["service_level"] >= 0.8
    assert next(row for row in rows if row["agents"] == 11)["service_level"] < 0.8
    assert 0 < answer["abandon_rate"] < 0.1
    # ASA of answered contacts under Erlang A (checked against the exact chain elsewhere).
    assert answer["asa_s"] == pytest.approx(6.3348, abs=1e-4)
    assert rows[0]["asa_s"] > answer["asa_s"] > rows[-1]["asa_s"]


def test_sl_only_answer_warns_about_abandonment() -> None:
    """3,000 calls in 30 min, AHT 300 s, patience 30 s: 80/20 of offered contacts is met
    at 402 agents while 19.7 % abandon (the exact chain agrees, tests/staffing); the
    calculator says so on stderr and --max-abandon staffs for it."""
    base = ("--volume", "3000", "--interval", "30", "--aht", "300", "--patience", "30",
            "--format", "json")
    r = run(*base)
    assert r.exit_code == 0, r.output
    answer = next(row for row in json.loads(r.stdout) if row["answer"] == "<-")
    assert answer["agents"] == 402
    assert answer["abandon_rate"] == pytest.approx(0.1968, abs=1e-4)
    assert r.stderr == ("wfm: warning: at 402 agents 19.7% of offered contacts abandon "
                        "(above 10%); the service-level target counts abandons as failures "
                        "but does not limit them: add --max-abandon RATE to staff for it\n")
    assert run(*base, "--abandon-warning", "0.2").stderr == ""
    assert run(*base, "--agents", "402").stderr == ""  # a reverse question: the table says it
    r = run(*base, "--max-abandon", "0.05")
    assert r.exit_code == 0 and r.stderr == ""
    rows = json.loads(r.stdout)
    answer = next(row for row in rows if row["answer"] == "<-")
    assert answer["abandon_rate"] <= 0.05
    assert next(row for row in rows if row["agents"] == answer["agents"] - 1)[
        "abandon_rate"] > 0.05


def _frame_of_library_functions(volume: float, aht_s: float, agents: int, concurrency: int,
                                shrinkage: float, patience_s: float | None) -> pd.DataFrame:
    """The table around ``agents`` straight from the vectorised staffing functions, as a
    DataFrame: the road `wfm erlang` took before it stopped importing pandas."""
    load = volume * aht_s / 1800.0
    ns = np.arange(max(agents - 2, 0), agents + 3, dtype=float)
    s = ns * concurrency
    cols: dict[str, object] = {"agents": ns.astype(int)}
    if patience_s is None:
        cols["service_level"] = service_level(s, load, aht_s, 20.0)
        cols["asa_s"] = asa(s, load, aht_s)
        cols["occupancy"] = occupancy(s, load)
    else:
        m = erlang_a(s, load, aht_s, patience_s, 20.0)
        cols["service_level"] = m["sl_offered"]
        cols["asa_s"] = asa_answered(s, load, aht_s, patience_s)
        cols["abandon_rate"] = m["p_abandon"]
        cols["occupancy"] = np.minimum(load * (1 - m["p_abandon"]) / np.maximum(s, 1.0), 1.0)
    return pd.DataFrame({**cols, "scheduled_agents": ns / (1.0 - shrinkage),
                         "answer": np.where(ns == agents, "<-", "")})


GRID = [(volume, aht, patience, concurrency, agents, shrinkage)
        for volume in (0.0, 3.0, 100.0, 2500.0)
        for aht in (30.0, 300.0)
        for patience in (None, 45.0)
        for concurrency in (1, 3)
        for agents in (None, 0, 4)
        for shrinkage in (0.0, 0.3)]


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "xlsx"])
def test_every_format_prints_what_the_dataframe_road_printed(fmt: str,
                                                              tmp_path: Path) -> None:
    """Over a grid (Erlang C and A, chat concurrency, reverse questions with no agents at
    all (ASA inf or NaN), shrinkage) the pandas-free output is character for character
    (xlsx: byte for byte) the DataFrame of the library functions rendered by
    wfm.reports.render. Workbooks take the DataFrame road themselves: a sample of the
    grid is enough there."""
    grid = GRID[::7] if fmt == "xlsx" else GRID
    for i, (volume, aht, patience, concurrency, agents, shrinkage) in enumerate(grid):
        args = ["--volume", f"{volume}", "--aht", f"{aht}", "--concurrency",
                f"{concurrency}", "--shrinkage", f"{shrinkage}", "--format", fmt]
        args += [] if patience is None else ["--patience", f"{patience}"]
        args += [] if agents is None else ["--agents", f"{agents}"]
        out = tmp_path / f"{i}.xlsx"
        r = run(*args, *(["--output", str(out)] if fmt == "xlsx" else []))
        assert r.exit_code == 0, (args, r.output)
        answer = erlang(ErlangQuestion(volume, aht, parse_sl_target("80/20"),
                                       agents=agents, concurrency=concurrency,
                                       shrinkage=shrinkage, patience_s=patience))
        frame = _frame_of_library_functions(volume, aht, answer.agents, concurrency,
                                            shrinkage, patience)
        if fmt == "xlsx":
            render(frame, "xlsx", tmp_path / "expected.xlsx", title=answer.title)
            assert out.read_bytes() == (tmp_path / "expected.xlsx").read_bytes(), args
        else:
            expected = render_text(frame, fmt, title=answer.title if fmt == "table" else None)
            assert r.stdout == expected, args


def test_the_api_answer_is_numpy_columns_and_the_same_dataframe() -> None:
    answer = erlang(ErlangQuestion(100.0, 180.0, parse_sl_target("80/20"), patience_s=120.0))
    assert list(answer.columns) == ["agents", "service_level", "asa_s", "abandon_rate",
                                    "occupancy", "scheduled_agents", "answer"]
    assert all(isinstance(v, np.ndarray) and len(v) == 5 for v in answer.columns.values())
    table = answer.table
    assert list(table.columns) == list(answer.columns)
    assert table.loc[table["answer"] == "<-", "agents"].item() == answer.agents == 12
    assert table["service_level"].to_numpy().tolist() == answer.columns[
        "service_level"].tolist()
