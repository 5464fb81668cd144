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
    """The folders, made absolute; one that names a file (or lies below one) is refused
    here, naming the key, rather than failing later inside a run."""
    def p(key: str, default: str) -> Path:
        raw: str = t.str(key, default)
        path = Path(raw).expanduser()
        path = path if path.is_absolute() else base / path
        blocking = _file_on_the_way(path)
        if blocking is not None:
            raise t.fail(key, raw, f"a folder ({blocking} is a file)")
        return path

    out = PathsConfig(p("data_dir", "data"), p("forecasts_dir", "forecasts"),
                      p("schedules_dir", "schedules"), p("reports_dir", "reports"))
    t.finish()
    return out


def _file_on_the_way(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` (itself included) if it is not a folder."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return None if candidate.is_dir() else candidate
    return None
