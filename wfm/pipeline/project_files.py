"""New projects: the starter wfm.toml, the sample history and the sample agents."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

from wfm.config import CONFIG_NAME, parse_config
from wfm.errors import OutputError
from wfm.outputs import atomic_write_text
from wfm.scheduling.sample_agents import SAMPLE_WORKLOAD, write_sample_agents
from wfm.simulation.sample_data import DEFAULT_END as SAMPLE_END
from wfm.simulation.sample_data import MAX_YEARS as SAMPLE_MAX_YEARS
from wfm.simulation.sample_data import history_span, write_sample

SAMPLE_FOLDER = "sample"
__all__ = ["SAMPLE_END", "SAMPLE_FOLDER", "SAMPLE_MAX_YEARS", "init_project", "starter_config",
           "write_sample_history"]


def starter_config() -> str:
    """The commented starter wfm.toml shipped with the package."""
    return resources.files("wfm.config").joinpath("starter.toml").read_text(encoding="utf-8")


def init_project(directory: Path, *, seed: int = 7, force: bool = False,
                 sample: bool = True, years: float = 2.0) -> list[Path]:
    """Write a starter wfm.toml into ``directory`` and, with ``sample``, ``years`` of
    sample history and the sample agents under ``directory/sample``; returns the files
    written.

    Raises
    ------
    OutputError
        ``directory`` already holds a wfm.toml and ``force`` is not set.
    """
    target = directory / CONFIG_NAME
    if target.exists() and not force:
        raise OutputError(f"{target} already exists; not overwritten",
                          hint="pass --force to replace it")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{directory}: cannot create the project folder "
                          f"({exc.strerror})") from None
    text = starter_config()
    atomic_write_text(target, text)
    written = [target]
    if sample:
        folder = directory / SAMPLE_FOLDER
        written += write_sample(folder, seed=seed, force=force, years=years)
        starter = parse_config(text, target)
        queues = [(q.name, q.channel) for q in starter.queues]
        written.append(write_sample_agents(folder / "agents.csv", queues, seed=seed,
                                           workload=SAMPLE_WORKLOAD))
    return written


def write_sample_history(directory: Path, *, seed: int = 7, years: float = 2.0,
                         end: date = SAMPLE_END, force: bool = False
                         ) -> tuple[list[Path], date, date]:
    """The sample history (intervals.csv, true_rates.csv) in ``directory``; returns the
    files written and the first and last local day of the history."""
    first, last = history_span(end, years)
    return write_sample(directory, seed=seed, force=force, years=years, end=end), first, last
