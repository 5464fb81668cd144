"""`wfm sample` and the sample data written by `wfm init`, through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from wfm import schema
from wfm.cli.main import cli
from wfm.simulation.sample_data import SAMPLE_COLUMNS


def test_sample_writes_files_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "data"
    runner = CliRunner()
    first = runner.invoke(cli, ["sample", str(target), "--seed", "3", "--years", "0.1"])
    assert first.exit_code == 0, first.output
    intervals, rates = target / "intervals.csv", target / "true_rates.csv"
    assert f"wrote {intervals}" in first.output and f"wrote {rates}" in first.output
    assert "sample history 2026-10-05 to 2026-11-15 (Europe/Paris), seed 3" in first.output
    original = intervals.read_bytes()
    assert original.splitlines()[0].decode() == ",".join(SAMPLE_COLUMNS)

    again = runner.invoke(cli, ["sample", str(target), "--seed", "4", "--years", "0.1"])
    assert again.exit_code == 1
    assert again.output == (f"wfm: error: {intervals} already exists; not overwritten\n"
                            "  hint: pass --force to replace the sample data\n")
    assert intervals.read_bytes() == original

    forced = runner.invoke(cli, ["sample", str(target), "--seed", "4", "--years", "0.1",
                                 "--force"])
    assert forced.exit_code == 0, forced.output
    assert intervals.read_bytes() != original
    back = runner.invoke(cli, ["sample", str(target), "--seed", "3", "--years", "0.1",
                               "--force"])
    assert back.exit_code == 0
    assert intervals.read_bytes() == original  # same seed, same bytes


def test_sample_end_date_and_default_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["-q", "sample", "--years", "0.015", "--end", "2025-04-02"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    lines = (tmp_path / "sample" / "intervals.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("2025-03-24T00:00:00+01:00,voice_fr,voice,")
    assert lines[-1].startswith("2025-03-30T23:45:00+02:00,email_fr,email,")


def test_sample_bad_options_are_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    years = runner.invoke(cli, ["sample", str(tmp_path), "--years", "0"])
    assert years.exit_code == 2
    assert "Invalid value for '--years': 0.0 is not in the range 0<x<=20.0." in years.output
    end = runner.invoke(cli, ["sample", str(tmp_path), "--end", "15/11/2026"])
    assert end.exit_code == 2
    assert "Invalid value for '--end'" in end.output


def test_init_writes_sample_data(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "centre"), "--seed", "2"])
    assert result.exit_code == 0, result.output
    sample = tmp_path / "centre" / "sample"
    assert (sample / "intervals.csv").stat().st_size > 1_000_000
    assert (sample / "true_rates.csv").exists()
    frame = schema.read_frame_csv(str(sample / "intervals.csv"), schema.INTERVALS)
    assert set(frame[schema.QUEUE]) == {"voice_fr", "voice_en", "chat_fr", "email_fr"}
