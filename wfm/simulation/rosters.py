"""Does a published roster deliver? Simulate it (and compare it with another) from frames.

The one call behind ``wfm simulate``: :func:`simulate_roster` takes the roster's agent
intervals, the agents' skills, the forecast (or requirements) it was made for and the
queues' targets, and returns the simulated service per queue and interval, per queue and
day and over the week, each with its 95 % interval, and with ``compare`` the paired
difference from another roster on the same contacts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.executors import Executor
from wfm.simulation.centre import SimOptions, SimQueue
from wfm.simulation.inputs import (
    Horizon,
    demand_from_frame,
    label_table,
    staffing_from_intervals,
)
from wfm.simulation.run import simulate_centre
from wfm.simulation.stats import MEASURE_NAMES, SimulationResult, compare_results

BY_CHOICES: tuple[str, ...] = ("day", "interval", "week")
_DIGITS = {"service_level": 3, "asa_s": 1, "abandon_rate": 3, "occupancy": 3, "backlog": 1,
           "share_within_target": 3, "p_target_met": 2}


def compact_table(table: pd.DataFrame) -> pd.DataFrame:
    """For reading on a terminal: each measure and its interval in one column,
    ``0.883 [0.879, 0.887]`` (differences: ``+0.012 [+0.008, +0.016]``)."""
    out = table.copy()
    for name, digits in _DIGITS.items():
        for base, sign in ((name, ""), (f"{name}_diff", "+")):
            if base not in out or f"{base}_lo" not in out:
                continue
            fmt = f"{{:{sign}.{digits}f}}"
            out[base] = [
                "" if np.isnan(m) else f"{fmt.format(m)} [{fmt.format(lo)}, {fmt.format(hi)}]"
                for m, lo, hi in zip(out[base], out[f"{base}_lo"], out[f"{base}_hi"],
                                     strict=True)]
            out = out.drop(columns=[f"{base}_lo", f"{base}_hi"])
        if f"{name}_other" in out:
            out[f"{name}_other"] = out[f"{name}_other"].round(digits)
    if "offered" in out:
        out["offered"] = out["offered"].round(1)
    return out


@dataclass(frozen=True)
class RosterFrames:
    """One roster as read from its run: ``agent_intervals`` (DATA.md) and the skills by
    agent (queue -> priority, 1 first); ``name`` for messages and titles."""

    name: str
    agent_intervals: pd.DataFrame
    skills: Mapping[str, Mapping[str, int]]


@dataclass(frozen=True)
class RosterSimulation:
    """The simulated service of a roster (and, with ``other``, of the compared one)."""

    result: SimulationResult
    horizon: Horizon
    other: SimulationResult | None = None

    def _period(self, by: str) -> tuple[np.ndarray, str]:
        n = self.horizon.starts.size
        if by == "interval":
            return np.arange(n, dtype=np.int64), "interval"
        if by == "day":
            return self.horizon.day_index, "day"
        return np.zeros(n, dtype=np.int64), "week"

    def table(self, by: str = "day") -> pd.DataFrame:
        """Per queue and ``by`` ("day", "interval" or "week"): the measures with their
        95 % intervals, the target and the probability of meeting it; with a compared
        roster, instead each measure of both and their paired difference with its
        interval."""
        period, label = self._period(by)
        table = self.result.table(period, label)
        if self.other is not None:
            other = self.other.table(period, label)
            diff = compare_results(self.result, self.other, period, label)
            keep = ["queue", label, "offered", "target"]
            out = table[keep].copy()
            for name in (*MEASURE_NAMES, "p_target_met"):
                out[name] = table[name]
                out[f"{name}_other"] = other[name]
                for suffix in ("diff", "diff_lo", "diff_hi"):
                    out[f"{name}_{suffix}"] = diff[f"{name}_{suffix}"]
            table = out
        if label == "week":
            table = table.drop(columns="week")
        else:
            table = label_table(table, self.horizon, label)
        # Measures no queue has (e.g. backlog without deferred work) only add empty columns.
        empty = [c for c in table.columns if table[c].isna().all()]
        return table.drop(columns=empty)


def misses(table: pd.DataFrame, min_probability: float = 0.5) -> pd.DataFrame:
    """The rows of a :meth:`RosterSimulation.table` whose probability of meeting the
    target is below ``min_probability`` (0.5: the median period misses): what
    ``wfm schedule --verify`` would list."""
    if "p_target_met" not in table:
        return table.iloc[:0]
    return table[table["p_target_met"] < min_probability - 1e-12].reset_index(drop=True)


def simulate_roster(roster: RosterFrames, queues: Sequence[SimQueue], demand: pd.DataFrame,
                    horizon: Horizon, *, options: SimOptions, compare: RosterFrames | None = None,
                    demand_source: str = "forecast", mode: str = "poisson",
                    uncertainty_level: float | None = None,
                    initial_backlog: Mapping[str, float] | None = None,
                    executor: Executor | None = None) -> RosterSimulation:
    """Simulate ``roster`` (and ``compare``) over ``horizon`` (:func:`make_horizon`).

    Parameters
    ----------
    roster, compare : the rosters (agent intervals and skills)
    queues : the queues to simulate with their targets (those of the demand frame);
        each :class:`SimQueue`'s ``open_mask`` must follow the horizon's intervals
    demand : forecast or requirements frame: queue, interval_start, offered, aht_s
        (and offered_lo_XX / offered_hi_XX for ``uncertainty_level``)
    horizon : the simulated local days and their interval grid
    options : replications, seed, handle-time model, workers
    mode : "poisson" (the forecast) or "replay" (``demand`` holds what arrived)
    uncertainty_level : e.g. 0.8 to read the 80 % prediction interval (doubly stochastic)
    initial_backlog : deferred items open at the start, by queue
    executor : where the replications run (default: ``options.workers`` threads here)
    """
    names = [q.name for q in queues]
    dem = demand_from_frame(demand, names, horizon, source=demand_source, mode=mode,
                            uncertainty_level=uncertainty_level,
                            initial_backlog=initial_backlog)
    staffing = staffing_from_intervals(roster.agent_intervals, roster.skills, names, horizon,
                                       source=roster.name)
    result = simulate_centre(queues, dem, staffing, options, executor=executor)
    other = None
    if compare is not None:
        staffing_b = staffing_from_intervals(compare.agent_intervals, compare.skills, names,
                                             horizon, source=compare.name)
        other = simulate_centre(queues, dem, staffing_b, options, executor=executor)
    return RosterSimulation(result, horizon, other)
