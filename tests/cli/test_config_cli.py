"""`wfm config show`, `wfm init` and the CLI's error translation."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner

from wfm.cli.main import cli


def test_config_show_json_resolves_defaults(project: Path) -> None:
    result = CliRunner().invoke(cli, ["config", "show", "--format", "json"])
    assert result.exit_code == 0, result.output
    tree = json.loads(result.output)
    assert tree["site"]["opening_hours"]["sun"] == "closed"
    assert tree["site"]["opening_hours"]["mon"] == "08:00-20:00"
    assert tree["queues"][2]["concurrency"] == 2
    assert tree["paths"]["data_dir"] == str(project / "data")


def test_config_show_table_lists_keys(project: Path) -> None:
    result = CliRunner().invoke(cli, ["config", "show"])
    assert result.exit_code == 0
    assert "staffing.shrinkage" in result.output
    assert "0.3" in result.output


def test_bad_config_is_one_line_and_exit_1(project: Path) -> None:
    (project / "wfm.toml").write_text("[staffing]\nshrinkage = 2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["config", "show"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.startswith("wfm: error: ")
    assert "[staffing] shrinkage = 2 is not valid" in result.output


def test_no_config_found(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WFM_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["config", "show"])
    assert result.exit_code == 1
    assert "no wfm.toml found" in result.output
    assert "wfm init" in result.output


def test_usage_error_exits_2(project: Path) -> None:
    result = CliRunner().invoke(cli, ["config", "show", "--format", "xml"])
    assert result.exit_code == 2


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "centre"
    runner = CliRunner()
    first = runner.invoke(cli, ["init", str(target), "--no-sample"])
    assert first.exit_code == 0, first.output
    (target / "wfm.toml").write_text("# mine\n", encoding="utf-8")
    second = runner.invoke(cli, ["init", str(target), "--no-sample"])
    assert second.exit_code == 1
    assert "already exists" in second.output and "--force" in second.output
    assert (target / "wfm.toml").read_text(encoding="utf-8") == "# mine\n"
    third = runner.invoke(cli, ["init", str(target), "--no-sample", "--force"])
    assert third.exit_code == 0
    assert "[site]" in (target / "wfm.toml").read_text(encoding="utf-8")


def test_every_command_help_shows_an_example() -> None:
    runner = CliRunner()

    def walk(cmd: click.Command, path: list[str]):
        yield path, cmd
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                yield from walk(sub, [*path, name])

    for path, cmd in walk(cli, []):
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        if not path or not isinstance(cmd, click.Group):
            assert "Example" in result.output, f"wfm {' '.join(path)} --help has no example"
