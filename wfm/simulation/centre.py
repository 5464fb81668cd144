"""What the contact-centre simulator is told: queues, demand, the roster, options.

Plain typed values only (no Config, no files, no frames): :mod:`wfm.simulation.inputs`
builds them from the forecast, the queue settings and a roster's agent intervals.

Time runs in seconds from the start of the horizon (``t = 0`` is the start of interval
0); demand and results are on the interval grid (``interval_s``), the roster on its own
slot grid (``slot_s``), which need not divide it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from wfm.errors import WfmError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

SL_DEFINITIONS: tuple[str, ...] = ("offered", "answered")
RESPONSE_CLOCKS: tuple[str, ...] = ("calendar", "working")
HANDLE_TIME_MODELS: tuple[str, ...] = ("exponential", "lognormal", "deterministic")
ARRIVAL_MODES: tuple[str, ...] = ("poisson", "replay")
UNCERTAINTY_SCOPES: tuple[str, ...] = ("day", "interval")


class SimulationError(WfmError):
    """The simulation's inputs are inconsistent or out of range."""


@dataclass(frozen=True)
class SimQueue:
    """One queue as the simulator routes and measures it.

    Attributes
    ----------
    name, channel : identity (the channel is informative)
    deferred : True for backlog work (email, back office): no abandonment, worked only
        where ``open_mask`` is true, judged by ``response_target`` within
        ``response_time_s``
    concurrency : contacts one agent handles at once (chat, messaging); each uses
        ``1 / concurrency`` of the agent
    patience_s : mean of the exponential patience [s] (Erlang A); None: nobody abandons
    sl_threshold_s, sl_target : service level = answered within the threshold [s] over
        the ``sl_definition`` denominator ("offered": abandons count as failures, the
        Erlang A staffing's definition; "answered")
    max_asa_s, max_abandon_rate : further targets a day must meet (None: none)
    response_target, response_time_s, response_clock : deferred target, share (0-1]
        within ``response_time_s`` on the "calendar" or "working" (open time) clock
    open_mask : per interval, True where the queue is open (deferred work is only picked
        up there; the working clock only runs there); None = always open
    """

    name: str
    channel: str = "voice"
    deferred: bool = False
    concurrency: int = 1
    patience_s: float | None = None
    sl_threshold_s: float = 20.0
    sl_target: float | None = None
    sl_definition: str = "offered"
    max_asa_s: float | None = None
    max_abandon_rate: float | None = None
    response_target: float | None = None
    response_time_s: float | None = None
    response_clock: str = "calendar"
    open_mask: BoolArray | None = None

    def check(self, n_intervals: int) -> None:
        """Raise SimulationError naming the queue, the setting and what is accepted."""
        where = f"queue {self.name!r}"
        if self.concurrency < 1:
            raise SimulationError(f"{where}: concurrency {self.concurrency} is not valid; "
                                  "accepted: a whole number >= 1")
        if self.patience_s is not None and not (self.patience_s > 0):
            raise SimulationError(f"{where}: patience_s {self.patience_s!r} is not valid; "
                                  "accepted: seconds > 0, or none (nobody abandons)")
        if not (self.sl_threshold_s >= 0):
            raise SimulationError(f"{where}: sl_threshold_s {self.sl_threshold_s!r} is not "
                                  "valid; accepted: seconds >= 0")
        if self.sl_definition not in SL_DEFINITIONS:
            raise SimulationError(f"{where}: service-level definition {self.sl_definition!r}"
                                  f" is not valid; accepted: {', '.join(SL_DEFINITIONS)}")
        if self.response_clock not in RESPONSE_CLOCKS:
            raise SimulationError(f"{where}: response clock {self.response_clock!r} is not "
                                  f"valid; accepted: {', '.join(RESPONSE_CLOCKS)}")
        if self.deferred and (self.response_time_s is None or self.response_target is None):
            raise SimulationError(f"{where}: a deferred queue needs response_target and "
                                  "response_time_s")
        if self.deferred and self.patience_s is not None:
            raise SimulationError(f"{where}: deferred work does not abandon; leave "
                                  "patience_s unset")
        if self.open_mask is not None and np.shape(self.open_mask) != (n_intervals,):
            raise SimulationError(f"{where}: open_mask has {np.size(self.open_mask)} "
                                  f"entries; accepted: one per interval ({n_intervals})")


@dataclass(frozen=True)
class Demand:
    """Contacts per queue and interval.

    Attributes
    ----------
    interval_s : interval length [s]
    volume : (queues, intervals) expected contacts (``mode="poisson"``) or the counts
        that arrived (``mode="replay"``, history) [contacts]
    aht_s : (queues, intervals) mean handle time of a contact arriving there [s]; for
        concurrent queues the handle time of one contact while sharing the agent
    mode : "poisson" (non-homogeneous Poisson around ``volume``) or "replay" (exactly
        ``volume`` contacts, at uniform times inside their interval)
    rate_sd : (queues, intervals) standard deviation of the arrival *rate* (expected
        contacts) from the forecast's uncertainty, or None; makes the arrivals doubly
        stochastic (see :func:`wfm.simulation.arrivals.rate_sd_from_interval`)
    uncertainty_scope : "day" (one forecast error per queue and day, shared by its
        intervals) or "interval" (independent per interval)
    day_index : (intervals,) the local day each interval belongs to (0, 1, ...)
    initial_backlog : (queues,) deferred items open at ``t = 0`` [items]
    intraday_cv2, intraday_corr : (queues,) a deviation of the rate within the day on top
        of ``rate_sd``: a stationary AR(1) over the intervals with this relative
        variance and this correlation between neighbouring intervals (the forecast
        manifest's ``intraday_cv2`` / ``intraday_corr``), or None
    """

    interval_s: float
    volume: FloatArray
    aht_s: FloatArray
    day_index: IntArray
    mode: str = "poisson"
    rate_sd: FloatArray | None = None
    uncertainty_scope: str = "day"
    initial_backlog: FloatArray | None = None
    intraday_cv2: FloatArray | None = None
    intraday_corr: FloatArray | None = None

    @property
    def n_intervals(self) -> int:
        return int(self.volume.shape[1])

    @property
    def n_days(self) -> int:
        return int(self.day_index.max()) + 1 if self.day_index.size else 0

    @property
    def horizon_s(self) -> float:
        return self.n_intervals * self.interval_s

    def check(self, queues: Sequence[SimQueue]) -> None:
        shape = (len(queues), self.volume.shape[1] if self.volume.ndim == 2 else -1)
        if not (self.interval_s > 0):
            raise SimulationError(f"interval length {self.interval_s!r} s is not valid; "
                                  "accepted: seconds > 0")
        for name, arr in (("volume", self.volume), ("aht_s", self.aht_s),
                          ("rate_sd", self.rate_sd)):
            if arr is not None and arr.shape != shape:
                raise SimulationError(f"demand {name} has shape {arr.shape}; accepted: "
                                      f"(queues, intervals) = {shape}")
        _finite_at_least(self.volume, 0.0, "volume (contacts per interval)", queues)
        if np.any(~np.isfinite(self.aht_s) | ((self.aht_s <= 0) & (self.volume > 0))):
            _name_bad(~np.isfinite(self.aht_s) | ((self.aht_s <= 0) & (self.volume > 0)),
                      self.aht_s, "aht_s", "seconds > 0 where contacts arrive", queues)
        if self.rate_sd is not None:
            _finite_at_least(self.rate_sd, 0.0, "rate_sd (forecast uncertainty)", queues)
        if self.mode not in ARRIVAL_MODES:
            raise SimulationError(f"arrival mode {self.mode!r} is not valid; accepted: "
                                  f"{', '.join(ARRIVAL_MODES)}")
        if self.mode == "replay" and np.any(self.volume != np.round(self.volume)):
            raise SimulationError("replayed volumes must be whole numbers of contacts")
        if self.uncertainty_scope not in UNCERTAINTY_SCOPES:
            raise SimulationError(f"uncertainty scope {self.uncertainty_scope!r} is not "
                                  f"valid; accepted: {', '.join(UNCERTAINTY_SCOPES)}")
        if self.day_index.shape != (shape[1],) or (self.day_index.size and (
                self.day_index.min() < 0 or np.any(np.diff(self.day_index) < 0))):
            raise SimulationError("day_index needs one non-decreasing day number >= 0 per "
                                  "interval")
        if self.initial_backlog is not None and (
                self.initial_backlog.shape != (len(queues),)
                or np.any(~np.isfinite(self.initial_backlog))
                or np.any(self.initial_backlog < 0)):
            raise SimulationError("initial_backlog needs one number of items >= 0 per queue")
        if (self.intraday_cv2 is None) != (self.intraday_corr is None):
            raise SimulationError("intraday_cv2 and intraday_corr go together")
        if self.intraday_cv2 is not None and self.intraday_corr is not None and (
                self.intraday_cv2.shape != (len(queues),)
                or self.intraday_corr.shape != (len(queues),)
                or not np.all(np.isfinite(self.intraday_cv2) & (self.intraday_cv2 >= 0))
                or not np.all(np.abs(self.intraday_corr) < 1)):
            raise SimulationError("intraday_cv2 needs one relative variance >= 0 and "
                                  "intraday_corr one correlation in (-1, 1) per queue")


def _name_bad(bad: BoolArray, values: FloatArray, what: str, accepted: str,
              queues: Sequence[SimQueue]) -> None:
    q, i = (int(v[0]) for v in np.nonzero(bad))
    raise SimulationError(f"queue {queues[q].name!r}, interval {i}: {what} "
                          f"{values[q, i].item()!r} is not valid; accepted: {accepted}")


def _finite_at_least(values: FloatArray, low: float, what: str,
                     queues: Sequence[SimQueue]) -> None:
    bad = ~np.isfinite(values) | (values < low)
    if bad.any():
        _name_bad(bad, values, what, f"a number >= {low:g}", queues)


@dataclass(frozen=True)
class Staffing:
    """The roster as the simulator sees it: who is logged in to take contacts, when.

    Attributes
    ----------
    slot_s : slot length [s] of ``on_shift`` (the roster's grid)
    on_shift : (agents, slots) True where the agent is working (not off, on break or
        at lunch); slot 0 starts at ``t = 0``; slots past the horizon are ignored and
        the horizon past the last slot is off
    skills : (agents, k) queue indices in priority order (first = highest priority),
        padded with -1
    planned_queue : (agents, slots) the queue the roster planned the agent on (-1
        none); informative (coverage), routing uses ``skills``
    agent_ids : names for messages
    """

    slot_s: float
    on_shift: BoolArray
    skills: IntArray
    agent_ids: tuple[str, ...] = ()
    planned_queue: IntArray | None = field(default=None, compare=False)

    @property
    def n_agents(self) -> int:
        return int(self.on_shift.shape[0])

    def check(self, n_queues: int) -> None:
        if not (self.slot_s > 0):
            raise SimulationError(f"slot length {self.slot_s!r} s is not valid; accepted: "
                                  "seconds > 0")
        if self.on_shift.ndim != 2 or self.skills.ndim != 2 \
                or self.skills.shape[0] != self.on_shift.shape[0]:
            raise SimulationError("on_shift must be (agents, slots) and skills (agents, k) "
                                  "with one row per agent")
        bad = (self.skills >= n_queues) | (self.skills < -1)
        if bad.any():
            a = int(np.nonzero(bad)[0][0])
            who = self.agent_ids[a] if a < len(self.agent_ids) else f"agent {a}"
            raise SimulationError(f"{who}: skill index {int(self.skills[bad][0])} is not a "
                                  f"queue; accepted: 0..{n_queues - 1}")

    def agent_hours(self) -> float:
        """Hours agents are logged in to take contacts over the roster [agent-hours]."""
        return float(self.on_shift.sum()) * self.slot_s / 3600.0


@dataclass(frozen=True)
class SimOptions:
    """How the simulation runs.

    Attributes
    ----------
    replications : independent runs of the horizon (>= 2 for confidence intervals)
    seed : root seed; replication r uses streams derived from (seed, r) only, so two
        rosters simulated with the same demand and seed meet the same contacts (common
        random numbers) and their difference has a tight interval
    handle_time : "exponential", "lognormal" (coefficient of variation ``handle_cv``) or
        "deterministic" (every contact takes exactly the AHT)
    handle_cv : coefficient of variation of lognormal handle times (> 0)
    workers : threads running replications at once (the compiled core releases the GIL)
    absence : share of agent-days lost to unplanned absence (0-1): each rostered agent
        misses each of its days with this probability, drawn per replication (the
        roster's breaks and lunch are already in it; this is the rest of the shrinkage)
    """

    replications: int = 30
    seed: int = 0
    handle_time: str = "exponential"
    handle_cv: float = 1.0
    workers: int = 1
    absence: float = 0.0

    def check(self) -> None:
        if self.replications < 1:
            raise SimulationError(f"replications {self.replications} is not valid; "
                                  "accepted: a whole number >= 1 (>= 2 for intervals)")
        if self.handle_time not in HANDLE_TIME_MODELS:
            raise SimulationError(f"handle-time model {self.handle_time!r} is not valid; "
                                  f"accepted: {', '.join(HANDLE_TIME_MODELS)}")
        if not (self.handle_cv > 0) or not math.isfinite(self.handle_cv):
            raise SimulationError(f"handle_cv {self.handle_cv!r} is not valid; accepted: a "
                                  "number > 0")
        if self.workers < 1:
            raise SimulationError(f"workers {self.workers} is not valid; accepted: >= 1")
        if not 0.0 <= self.absence < 1.0:
            raise SimulationError(f"absence {self.absence!r} is not valid; accepted: a share "
                                  "of agent-days in [0, 1)")
        if self.seed < 0:
            raise SimulationError(f"seed {self.seed} is not valid; accepted: >= 0")
