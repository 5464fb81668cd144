"""The run lock, the structured log and the [run] section of wfm.toml."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wfm.config import load_config
from wfm.errors import ConfigError, LockHeldError
from wfm.pipeline.lock import acquire_lock, read_lock_info
from wfm.pipeline.runlog import format_line, parse_line


def test_lock_records_holder_and_clean_release_empties_it(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    held = acquire_lock(path, "RUN1")
    info = read_lock_info(path)
    assert info is not None and info.pid == os.getpid() and info.run_id == "RUN1"
    with pytest.raises(LockHeldError):
        acquire_lock(path, "RUN2")
    held.release()
    assert path.read_text() == ""
    again = acquire_lock(path, "RUN3")
    assert again.stale is None
    again.release()


def test_lock_held_by_other_process_exits_75_and_dead_holder_is_stale(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    code = (f"from pathlib import Path; from wfm.pipeline.lock import acquire_lock; "
            f"acquire_lock(Path({str(path)!r}), 'DEAD'); print('locked', flush=True); "
            f"import time; time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    with pytest.raises(LockHeldError) as err:
        acquire_lock(path, "MINE", wait_s=0.3)
    assert err.value.exit_code == 75
    assert f"pid {proc.pid}" in err.value.message
    proc.kill()
    proc.wait()
    held = acquire_lock(path, "MINE")
    assert held.stale is not None and held.stale.run_id == "DEAD"
    held.release()


def test_logfmt_round_trip() -> None:
    line = "2026-11-23T05:30:00.000Z " + format_line(
        {"run": "R1", "step": "forecast", "event": "end", "error": 'bad "x" = 1', "d": 1.5})
    parsed = parse_line(line)
    assert parsed["error"] == 'bad "x" = 1'
    assert parsed["d"] == "1.500" and parsed["step"] == "forecast"


def test_run_section_defaults_and_validation(project: Path) -> None:
    cfg = load_config(project / "wfm.toml")
    assert cfg.run.steps == ("ingest", "forecast", "staff", "schedule", "report")
    assert cfg.run.keep == 14
    assert cfg.run.lock_file == project / ".wfm-run.lock"
    text = (project / "wfm.toml").read_text() + ""
    (project / "wfm.toml").write_text(text.replace('week = "next"', 'week = "2026-11-24"'))
    with pytest.raises(ConfigError, match=r"\[run\] week = '2026-11-24' is not valid"):
        load_config(project / "wfm.toml")


def test_starter_and_repo_config_identical() -> None:
    repo = Path(__file__).resolve().parents[2]
    assert (repo / "wfm.toml").read_text() == (repo / "wfm/config/starter.toml").read_text()
    assert json.dumps(1)
