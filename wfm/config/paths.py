"""[paths]: where the data store and outputs live (relative to the wfm.toml folder)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wfm.config._reader import TableReader


@dataclass(frozen=True)
class PathsConfig:
    data_dir: Path
    forecasts_dir: Path
    schedules_dir: Path
    reports_dir: Path


def read_paths(t: TableReader, base: Path) -> PathsConfig:
    def p(key: str, default: str) -> Path:
        raw: str = t.str(key, default)
        path = Path(raw).expanduser()
        return path if path.is_absolute() else base / path

    out = PathsConfig(p("data_dir", "data"), p("forecasts_dir", "forecasts"),
                      p("schedules_dir", "schedules"), p("reports_dir", "reports"))
    t.finish()
    return out
