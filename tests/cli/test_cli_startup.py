"""The command line: lazy subcommands, -q everywhere, one date type, no silent misreadings."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from wfm.cli.main import COMMANDS, cli, load_command


def _modules_after(args: list[str], wanted: tuple[str, ...]) -> tuple[list[str], str]:
    """Run ``wfm ARGS`` in a fresh interpreter; the ones of ``wanted`` it imported, and
    its standard output."""
    code = ("import sys; from wfm.cli.main import cli\n"
            f"try:\n    cli({args!r}, prog_name='wfm')\nexcept SystemExit:\n    pass\n"
            f"print('HEAVY', [m for m in {wanted!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    heavy = done.stdout.rsplit("HEAVY ", 1)[1].strip()
    return ast.literal_eval(heavy), done.stdout


#: What start-up must not pay for; pandas brings pyarrow, scipy.special costs ~0.2 s.
HEAVY = ("pandas", "pyarrow", "scipy", "numpy", "ortools", "statsmodels", "openpyxl",
         "numba", "deltalake", "matplotlib", "wfm.pipeline.project")


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_help_and_version_import_no_heavy_library(args: list[str]) -> None:
    """`wfm --help` lists every command from the registry without importing any of them
    (pandas, numpy, scipy, the solvers): that is what keeps it fast."""
    heavy, out = _modules_after(args, HEAVY)
    assert heavy == []
    if args == ["--help"]:
        for name in COMMANDS:
            assert f"  {name} " in out
    else:
        assert out.startswith("wfm, version ")


@pytest.mark.parametrize("options", [
    [], ["-f", "table"], ["-f", "json"], ["-f", "csv"], ["--agents", "12"],
    ["--patience", "60", "--max-abandon", "0.05"], ["--concurrency", "3", "--shrinkage", "0.3"],
    ["--max-occupancy", "0.85", "-f", "json"],
])
def test_erlang_imports_neither_pandas_nor_the_solvers(options: list[str]) -> None:
    """`wfm erlang` renders its table from numpy columns: no pandas, pyarrow, solvers or
    store, whatever the option or text format. scipy stays: its incomplete gamma is the
    Erlang B every printed number comes from (docs/staffing.md, start-up)."""
    heavy, out = _modules_after(["erlang", "--volume", "100", "--aht", "180", *options],
                                HEAVY)
    assert "<-" in out  # the command ran and printed its answer
    assert heavy == ["scipy", "numpy"]


def test_erlang_xlsx_takes_the_dataframe_road(tmp_path: Path) -> None:
    out = tmp_path / "e.xlsx"
    heavy, _ = _modules_after(["erlang", "--volume", "100", "--aht", "180", "-o", str(out)],
                              ("pandas", "openpyxl"))
    assert heavy == ["pandas", "openpyxl"] and out.stat().st_size > 0


@pytest.mark.parametrize("name", list(COMMANDS))
def test_registry_line_is_the_commands_short_help(name: str) -> None:
    command = load_command(name)
    assert command.name == name
    assert command.get_short_help_str(limit=200) == COMMANDS[name][1]


def _leaves(command: click.Command, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    if isinstance(command, click.Group):
        out = [path] if command.invoke_without_command else []
        for sub_name, sub in command.commands.items():
            out += _leaves(sub, (*path, sub_name))
        return out
    return [path]


def test_every_command_takes_quiet_after_its_name() -> None:
    paths = [p for name in COMMANDS for p in _leaves(load_command(name), (name,))]
    assert len(paths) >= 16
    for path in paths:
        res = CliRunner().invoke(cli, [*path, "--help"])
        assert res.exit_code == 0, path
        assert "-q, --quiet" in res.output, path


def test_quiet_after_the_subcommand_silences_it() -> None:
    args = ["erlang", "--volume", "100", "--aht", "180", "--target", "0.8/20", "-f", "json"]
    loud = CliRunner().invoke(cli, args)
    quiet = CliRunner().invoke(cli, [*args, "-q"])
    before = CliRunner().invoke(cli, ["-q", *args])
    assert "read as 80% answered within 20 s" in loud.stderr
    assert quiet.stderr == "" and before.stderr == ""
    assert json.loads(quiet.stdout) == json.loads(loud.stdout)


def test_a_target_share_below_one_is_a_fraction_not_a_percent() -> None:
    """0.8/20 was read as 0.8 % and answered 11 agents at SL 0.39; it means 80/20."""
    base = ["erlang", "--volume", "100", "--interval", "30", "--aht", "180", "-f", "json"]
    as_fraction = json.loads(CliRunner().invoke(cli, [*base, "--target", "0.8/20"]).stdout)
    as_percent = json.loads(CliRunner().invoke(cli, [*base, "--target", "80/20"]).stdout)
    assert as_fraction == as_percent
    answer = next(r for r in as_fraction if r["answer"] == "<-")
    assert answer["agents"] == 14 and answer["service_level"] >= 0.8


@pytest.mark.parametrize("args", [
    ["forecast", "--start", "01/11/2026"],
    ["report", "service-level", "--start", "11/01/2026"],
    ["report", "service-level", "--end", "2026-1-5"],
    ["sample", "--end", "15.11.2026"],
    ["schedule", "--week", "16/11/2026"],
])
def test_dates_are_iso_only(args: list[str]) -> None:
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2
    assert "is not a date; accepted: YYYY-MM-DD" in res.output


def test_week_must_be_a_monday() -> None:
    res = CliRunner().invoke(cli, ["schedule", "--week", "2026-11-17"])
    assert res.exit_code == 2
    assert "2026-11-17 is a Tuesday, not a Monday" in res.output
