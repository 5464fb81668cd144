"""[run]: what an unattended ``wfm run`` does (inputs, steps, horizon, week, reports, retention)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wfm.config._reader import TableReader, parse_date
from wfm.config.forecasting import horizon_text

#: The pipeline steps, in the order they always run.
RUN_STEPS: tuple[str, ...] = ("ingest", "forecast", "staff", "schedule", "simulate", "report")
#: The steps of a run that does not name its own (``simulate`` is opt-in: it costs time).
DEFAULT_STEPS: tuple[str, ...] = tuple(s for s in RUN_STEPS if s != "simulate")
#: Reports and exports the report step can produce.
RUN_REPORTS: tuple[str, ...] = ("roster_workbook", "coverage", "service_level", "accuracy",
                                "ical", "html")


@dataclass(frozen=True)
class RunConfig:
    """Settings of ``wfm run``; the command line overrides each of them.

    ``inputs`` are glob patterns of exports to ingest (``None``: ``[data] history``);
    ``horizon`` is the forecast horizon such as ``"6w"`` (``None``: ``[forecasting]
    horizon``); ``agents`` is the agents file the schedule step reads; ``week`` is the
    Monday of the week to roster, or ``"next"`` (the first full week after the end of the
    history); ``keep`` is how many runs to keep per output folder (0 keeps all);
    ``lock_file`` is where the lock lives (relative to the wfm.toml folder);
    ``allow_understaffing`` publishes the best roster with its shortfall (coverage.csv and
    a warning) instead of failing the run when the agents cannot cover the requirements.

    ``executor`` is where independent work runs: ``local`` (a process pool on this machine)
    or ``dask`` (the Dask scheduler at ``scheduler``, ``tcp://host:8786``, or without one a
    LocalCluster of ``cluster_workers`` processes).
    """

    inputs: tuple[str, ...] | None = None
    steps: tuple[str, ...] = DEFAULT_STEPS
    horizon: str | None = None
    agents: Path | None = None
    week: str = "next"
    reports: tuple[str, ...] = ("roster_workbook", "coverage", "html")
    keep: int = 0
    lock_file: Path = Path(".wfm-run.lock")
    allow_understaffing: bool = True
    executor: str = "local"
    scheduler: str = ""
    cluster_workers: int = 2


def read_run(t: TableReader, base: Path) -> RunConfig:
    d = RunConfig()
    inputs = t.str_list("inputs", None)
    steps = t.value("steps", d.steps, convert=_names(RUN_STEPS),
                    accepted=f"a list of steps among {', '.join(RUN_STEPS)}")
    horizon = t.value("horizon", None, convert=horizon_text,
                      accepted="a number of days or weeks such as '14d' or '6w', at most "
                               "53w")
    agents = t.value("agents", None, convert=_path(base), accepted="a file path")
    week = t.value("week", d.week, convert=_week,
                   accepted="'next' or a Monday as YYYY-MM-DD")
    reports = t.value("reports", d.reports, convert=_names(RUN_REPORTS, empty_ok=True),
                      accepted=f"a list among {', '.join(RUN_REPORTS)} (may be empty)")
    keep = t.number("keep", d.keep, low=0, integer=True)
    lock_file = t.value("lock_file", base / d.lock_file, convert=_path(base),
                        accepted="a file path")
    allow_under = t.bool("allow_understaffing", d.allow_understaffing)
    executor = t.str("executor", d.executor, choices=EXECUTORS)
    scheduler = t.value("scheduler", d.scheduler, convert=_scheduler_address,
                        accepted="a Dask scheduler address such as 'tcp://host:8786' "
                                 "(empty: a local cluster)")
    cluster_workers = t.number("cluster_workers", d.cluster_workers, low=1, high=256,
                               integer=True)
    t.finish()
    return RunConfig(inputs, steps, horizon, agents, week, reports, keep, lock_file,
                     allow_under, executor, scheduler, cluster_workers)


#: Where independent work runs (wfm.executors).
EXECUTORS: tuple[str, ...] = ("local", "dask")


def _scheduler_address(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError
    text = v.strip()
    if text and not re.match(r"^(tcp|tls|inproc|ucx|ws|wss)://\S+$", text):
        raise ValueError
    return text


def _names(allowed: tuple[str, ...], *, empty_ok: bool = False) -> Any:
    def conv(v: Any) -> tuple[str, ...]:
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or (not v and not empty_ok):
            raise TypeError
        if any(x not in allowed for x in v) or len(set(v)) != len(v):
            raise ValueError
        return tuple(x for x in allowed if x in v)  # canonical order

    return conv


def _week(v: Any) -> str:
    if v == "next":
        return "next"
    if parse_date(v).weekday() != 0:
        raise ValueError
    return str(parse_date(v))


def _path(base: Path) -> Any:
    def conv(v: Any) -> Path:
        if not isinstance(v, str) or not v.strip():
            raise TypeError
        p = Path(v).expanduser()
        return p if p.is_absolute() else base / p

    return conv
