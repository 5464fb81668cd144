"""Run folders: staged, committed together, latest moved last, manifests with checksums;
and the rule that run-file names are spelled in one module only."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
from pathlib import Path

import pytest

from wfm.errors import OutputError
from wfm.pipeline.run_folders import RunFolders, open_run
from wfm.pipeline.run_folders.layout import list_runs, resolve_run, set_latest
from wfm.pipeline.run_folders.manifests import write_manifest

WFM = Path(__file__).resolve().parents[2] / "wfm"


def _folders(root: Path) -> RunFolders:
    return RunFolders.beside(root / "forecasts", root / "schedules", root / "reports")


def _open(root: Path, run_id: str):
    return open_run(_folders(root), lock_file=root / ".lock",
                    source="wfm.toml", run_id=run_id)


def test_a_committed_run_is_published_whole_and_latest_moves(tmp_path: Path) -> None:
    with _open(tmp_path, "r1") as run:
        (run.stage("forecasts") / "a.csv").write_text("1\n")
        run.record("forecasts", command="test")
        assert not (tmp_path / "forecasts" / "r1").exists()  # staged, not visible
        run.commit(["forecast"])
    assert list_runs(tmp_path / "forecasts") == ["r1"]
    assert resolve_run(tmp_path / "forecasts") == (tmp_path / "forecasts" / "r1").resolve()
    manifest = json.loads((tmp_path / "forecasts" / "r1" / "manifest.json").read_text())
    assert manifest["command"] == "test" and manifest["run"]["steps"] == ["forecast"]
    assert manifest["outputs"] == {"a.csv": hashlib.sha256(b"1\n").hexdigest()}


def test_a_failed_run_leaves_nothing_and_keeps_latest(tmp_path: Path) -> None:
    with _open(tmp_path, "r1") as run:
        (run.stage("forecasts") / "a.csv").write_text("1\n")
        run.commit(["forecast"])
    with pytest.raises(ValueError), _open(tmp_path, "r2") as run:
        (run.stage("forecasts") / "a.csv").write_text("2\n")
        (run.stage("schedules") / "b.csv").write_text("2\n")
        raise ValueError
    assert list_runs(tmp_path / "forecasts") == ["r1"]
    assert resolve_run(tmp_path / "forecasts").name == "r1"
    assert not any(p.name.startswith(".tmp") for p in (tmp_path / "forecasts").iterdir())
    assert list((tmp_path / "schedules").iterdir()) == []
    with pytest.raises(OutputError, match="run 'r9' does not exist; recent runs: r1"):
        resolve_run(tmp_path / "forecasts", "r9")


def test_a_run_never_committed_is_discarded(tmp_path: Path) -> None:
    with _open(tmp_path, "r1") as run:
        (run.stage("reports") / "a.csv").write_text("1\n")
    assert list((tmp_path / "reports").iterdir()) == []


def test_a_file_in_place_of_an_output_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "forecasts").write_text("not a folder")
    with pytest.raises(OutputError) as err, _open(tmp_path, "r1") as run:
        run.stage("forecasts")
    assert str(tmp_path / "forecasts") in err.value.message
    assert "cannot create the forecasts folder" in err.value.message


def test_a_read_only_area_is_an_output_error(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    real_mkdir = Path.mkdir

    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        if self.name.startswith(".tmp-"):
            raise OSError(errno.EROFS, "Read-only file system")
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(OutputError, match="Read-only file system"), \
            _open(tmp_path, "r1") as run:
        run.stage("schedules")
    assert list_runs(tmp_path / "schedules") == []


def test_manifest_lists_checksums(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x\n")
    path = write_manifest(tmp_path, {"command": "test"})
    body = json.loads(path.read_text())
    assert body["outputs"] == {"a.csv": hashlib.sha256(b"x\n").hexdigest()}
    assert len(body["content_sha256"]) == 64


def test_runs_of_the_same_second_list_in_the_order_they_were_written(tmp_path: Path) -> None:
    # Same UTC second, random suffixes: "ffff" was written first, "0000" second.
    first, second, older = "20261123T063000Z-ffff", "20261123T063000Z-0000", \
        "20261123T062959Z-aaaa"
    for k, run in enumerate((older, first, second)):
        (tmp_path / run).mkdir()
        write_manifest(tmp_path / run, {"status": "ok"})
        os.utime(tmp_path / run / "manifest.json", ns=(1_000_000_000 * (k + 1),) * 2)
    assert list_runs(tmp_path) == [older, first, second]
    set_latest(tmp_path, first)
    assert resolve_run(tmp_path).name == first


#: Every run-file name and the folder layout; they must be spelled in run_folders only.
RUN_FILE_LITERALS = ('"forecast.csv"', '"backtest.csv"', '"requirements.csv"', '"daily.csv"',
                     '"roster.csv"', '"agent_intervals.csv"', '"coverage.csv"',
                     '"manifest.json"', '"data_health.csv"', '"roster.xlsx"',
                     '"service_level.csv"', '"accuracy.csv"', '"latest"', '".wfm-run.commit"')


def test_run_file_names_are_spelled_once_in_the_package() -> None:
    where: dict[str, list[str]] = {name: [] for name in RUN_FILE_LITERALS}
    for path in sorted(WFM.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for name in RUN_FILE_LITERALS:
            where[name] += [str(path.relative_to(WFM))] * len(re.findall(re.escape(name), text))
    assert {name: files for name, files in where.items() if len(files) != 1} == {}
    assert {files[0] for files in where.values()} == {"pipeline/run_folders/layout.py"}
