"""A loaded project: its configuration and the folders it reads and writes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from wfm.config import CONFIG_NAME, Config, find_config, load_config
from wfm.errors import ConfigError
from wfm.pipeline.run_folders import Run, RunFolders, open_run
from wfm.pipeline.runlog import RunLog


@dataclass(frozen=True)
class Project:
    """``config`` (wfm.toml, resolved) and ``folders`` (the root of each output area)."""

    config: Config
    folders: RunFolders

    @classmethod
    def from_config(cls, config: Config) -> Project:
        paths = config.paths
        return cls(config, RunFolders.beside(paths.forecasts_dir, paths.schedules_dir,
                                             paths.reports_dir))

    @property
    def base_dir(self) -> Path:
        """The folder of wfm.toml: relative paths in it are relative to this folder."""
        return self.config.base_dir

    @property
    def data_dir(self) -> Path:
        return self.config.paths.data_dir

    def path(self, name: str | Path) -> Path:
        """``name`` made absolute against the project folder (``~`` expanded)."""
        path = Path(name).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    @contextlib.contextmanager
    def publishing(self, run: Run | None = None, *, command: str, wait_s: float = 0.0,
            log: RunLog | None = None, run_id: str | None = None) -> Iterator[Run]:
        """``run`` itself when a job is a step of a larger run; else a new run of this one
        job (the project lock, staged outputs) committed when the block ends without error.
        """
        if run is not None:
            yield run
            return
        with open_run(self.folders, lock_file=self.config.run.lock_file,
                      source=str(self.config.path), run_id=run_id,
                      wait_s=wait_s, log=log) as new:
            yield new
            new.commit([command])


def open_project(config: str | Path | None = None) -> Project:
    """Load a project: ``config`` is a wfm.toml file or the folder holding one; ``None``
    looks for the nearest wfm.toml in the current folder and its parents (as git does).

    Raises
    ------
    ConfigError
        No wfm.toml was found, or it is invalid (the message names the key).
    """
    if config is None:
        found = find_config()
        if found is None:
            raise ConfigError(f"no {CONFIG_NAME} found in {Path.cwd()} or its parents",
                              hint="run 'wfm init' to create one, or pass --config PATH")
        config = found
    path = Path(config).expanduser()
    if path.is_dir():
        path = path / CONFIG_NAME
    return Project.from_config(load_config(path))
