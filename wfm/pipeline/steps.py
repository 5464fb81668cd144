"""The step registry: what each pipeline step is, whether it is available, how it runs.

Each step lives in its own module ``wfm.pipeline.<name>_step`` exposing
``run(ctx: StepContext) -> StepResult``; the module imports the library entry point it
composes. A step whose library is not installed (or not built yet) cannot be imported and
is reported as unavailable with the reason; it is never replaced by a stand-in.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.config import Config
from wfm.config.run import RUN_STEPS
from wfm.errors import ConfigError, InputDataError
from wfm.schema import FrameSchema, read_frame_csv

#: Output folders a run may write, keyed by area; each gets ``<run-id>/`` and ``latest``.
AREAS: tuple[str, ...] = ("forecasts", "requirements", "schedules", "reports")


def area_roots(config: Config) -> dict[str, Path]:
    """The folder of each output area (``requirements`` sits beside ``forecasts``, where
    `wfm staff` writes it)."""
    paths = config.paths
    return {"forecasts": paths.forecasts_dir,
            "requirements": paths.forecasts_dir.parent / "requirements",
            "schedules": paths.schedules_dir, "reports": paths.reports_dir}


@dataclass(frozen=True)
class RunOptions:
    """Everything one run needs besides the Config (wfm.toml values, overridden by flags)."""

    steps: tuple[str, ...]
    inputs: tuple[str, ...]
    horizon: str
    agents: Path | None
    week: str
    reports: tuple[str, ...]
    keep: int = 0
    wait_s: float = 0.0
    log_file: Path | None = None


@dataclass
class StepResult:
    """What a step reports: rows produced, files written and details for the manifest."""

    rows: int = 0
    outputs: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    unit: str = "rows"


@dataclass
class StepContext:
    """Handed to every step: the configuration, the run and the frames of earlier steps.

    ``stage(area)`` returns the run's temporary folder for ``area`` (created on first use
    and renamed into place only when the whole run succeeds). ``state`` carries frames
    between steps of one run (``forecast``, ``requirements``...); a step that finds
    nothing there reads the area's ``latest`` run (see :meth:`source`).
    """

    config: Config
    options: RunOptions
    run_id: str
    stage: Callable[[str], Path]
    staged: Callable[[str], Path | None]
    state: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    manifest: dict[str, dict[str, Any]] = field(default_factory=dict)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def record(self, area: str, **entries: Any) -> None:
        """Add entries to the manifest of ``area``'s run folder."""
        self.manifest.setdefault(area, {}).update(entries)

    def source(self, area: str) -> Path | None:
        """This run's folder of ``area`` if an earlier step staged it, else ``latest``."""
        staged = self.staged(area)
        if staged is not None:
            return staged
        latest = area_roots(self.config)[area] / "latest"
        return latest.resolve() if latest.is_dir() else None

    def input_frame(self, area: str, file_name: str, schema: FrameSchema, *, state_key: str,
                    missing: str, hint: str) -> StepInput:
        """An earlier step's frame: staged by this run (from ``state``) or read from the
        area's ``latest`` run; ``missing`` ("no forecast to staff") and ``hint`` make the
        error when there is neither."""
        folder = self.source(area)
        if folder is None:
            raise InputDataError(f"{missing}: this run made none and {area}/latest does not "
                                 "exist", hint=hint)
        path = folder / file_name
        frame = self.state.get(state_key)
        if isinstance(frame, pd.DataFrame):
            # Staged by this run; it will sit in the run's own folder once the run commits.
            return StepInput(frame, path, area_roots(self.config)[area] / self.run_id / file_name)
        return StepInput(read_frame_csv(str(path), schema), path, path)


@dataclass(frozen=True)
class StepInput:
    """A frame an earlier step wrote: ``path`` holds it now (staged or latest),
    ``final_path`` is where it stays (the path manifests record)."""

    frame: pd.DataFrame
    path: Path
    final_path: Path


StepFunction = Callable[[StepContext], StepResult]
StepLoader = Callable[[str], StepFunction]


def step_module(name: str) -> str:
    return f"wfm.pipeline.{name}_step"


def load_step(name: str) -> StepFunction:
    """The ``run`` function of step ``name``.

    Raises
    ------
    ConfigError
        The step is unknown, or its library is not available in this installation.
    """
    if name not in RUN_STEPS:
        raise ConfigError(f"unknown step {name!r}; steps: {', '.join(RUN_STEPS)}")
    try:
        module = importlib.import_module(step_module(name))
    except ImportError as exc:
        raise ConfigError(
            f"step {name!r} is not available in this installation ({exc})",
            hint=f"run the available steps only: wfm run --steps "
                 f"{','.join(n for n, ok in step_availability().items() if ok[0]) or '(none)'}",
        ) from None
    fn: StepFunction = module.run
    return fn


def step_availability() -> dict[str, tuple[bool, str]]:
    """For each step: (available, reason or the library it composes)."""
    out: dict[str, tuple[bool, str]] = {}
    for name in RUN_STEPS:
        try:
            module = importlib.import_module(step_module(name))
        except ImportError as exc:
            out[name] = (False, f"unavailable: {exc}")
        else:
            out[name] = (True, (module.__doc__ or "").strip().splitlines()[0])
    return out
