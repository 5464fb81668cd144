"""A plain SimPy model of the centre: the baseline of bench/bench_simulation.py.

The same rules as wfm.simulation, written the way a SimPy user would: one process per
contact, one per agent log-in change, one for the interval boundaries; events for
"an agent picked you up" raced against a patience timeout. It draws its own contacts with
its own generator (numpy, per queue and interval: a Poisson count, uniform times,
exponential handle times and patience), so agreement with wfm's simulator is a check of
both the routing and the arrival process.

Rules (as docs/simulation.md): an agent with room takes the waiting contact of its
highest-priority skill it has room for (deferred work only while its queue is open); a
new contact goes to the least-loaded, then longest-idle, agent with the skill and room;
a break starts when due and the agent finishes what is in hand; a contact of a queue
with concurrency k uses 1/k of an agent.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from functools import reduce

import numpy as np
import simpy

from wfm.simulation.centre import Demand, SimQueue, Staffing


@dataclass
class Agent:
    index: int
    skills: list[int]
    on: bool = False
    used: int = 0
    idle_since: float = 0.0
    last: float = 0.0
    busy_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    present_s: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass
class Contact:
    queue: int
    arrival: float
    hold: float
    patience: float
    picked: simpy.Event | None = None
    start: float = math.nan
    end: float = math.nan
    gone: bool = False


class Centre:
    """One replication of the centre in SimPy."""

    def __init__(self, queues: list[SimQueue], demand: Demand, staffing: Staffing,
                 seed: int) -> None:
        self.env = simpy.Environment()
        self.queues, self.demand, self.staffing = queues, demand, staffing
        self.rng = np.random.default_rng(seed)
        self.cap = reduce(math.lcm, (q.concurrency for q in queues), 1)
        self.units = [self.cap // q.concurrency for q in queues]
        self.n_int = demand.n_intervals
        self.open = [np.ones(self.n_int, bool) if q.open_mask is None
                     else np.asarray(q.open_mask, bool) for q in queues]
        self.agents = [Agent(a, [int(s) for s in staffing.skills[a] if s >= 0],
                             busy_s=np.zeros(self.n_int), present_s=np.zeros(self.n_int))
                       for a in range(staffing.n_agents)]
        self.holders = [[ag for ag in self.agents if k in ag.skills] for k in range(len(queues))]
        self.waiting: list[deque[Contact]] = [deque() for _ in queues]
        self.contacts: list[Contact] = []

    # -- time accounting (busy and present agent-seconds per interval) ------------------
    def account(self, ag: Agent) -> None:
        t0, now = ag.last, self.env.now
        ag.last = now
        if now <= t0 or (ag.used == 0 and not ag.on):
            return
        dt = self.demand.interval_s
        i = int(t0 // dt)
        while t0 < now and i < self.n_int:
            end = min(now, (i + 1) * dt)
            ag.busy_s[i] += ag.used / self.cap * (end - t0)
            ag.present_s[i] += end - t0
            t0, i = end, i + 1

    def is_open(self, q: int) -> bool:
        return bool(self.open[q][min(int(self.env.now // self.demand.interval_s),
                                     self.n_int - 1)])

    # -- routing ------------------------------------------------------------------------
    def head(self, q: int) -> Contact | None:
        line = self.waiting[q]
        while line and line[0].gone:
            line.popleft()
        return line[0] if line else None

    def pull(self, ag: Agent) -> None:
        """The agent takes waiting work, highest-priority skill first, while it has room."""
        took = True
        while took and ag.on:
            took = False
            for q in ag.skills:
                if ag.used + self.units[q] > self.cap or (self.queues[q].deferred
                                                          and not self.is_open(q)):
                    continue
                c = self.head(q)
                if c is not None:
                    self.waiting[q].popleft()
                    self.assign(ag, c)
                    took = True
                    break

    def assign(self, ag: Agent, c: Contact) -> None:
        self.account(ag)
        ag.used += self.units[c.queue]
        c.start = self.env.now
        assert c.picked is not None
        c.picked.succeed(ag)

    def serve(self, ag: Agent, c: Contact):  # type: ignore[no-untyped-def]
        yield self.env.timeout(c.hold)
        c.end = self.env.now
        self.account(ag)
        ag.used -= self.units[c.queue]
        if ag.used == 0:
            ag.idle_since = self.env.now
        self.pull(ag)

    def contact(self, c: Contact):  # type: ignore[no-untyped-def]
        q = c.queue
        c.picked = self.env.event()
        self.contacts.append(c)
        if not (self.queues[q].deferred and not self.is_open(q)) and self.head(q) is None:
            free = [ag for ag in self.holders[q]
                    if ag.on and ag.used + self.units[q] <= self.cap]
            if free:
                best = min(free, key=lambda ag: (ag.used, ag.idle_since, ag.index))
                self.assign(best, c)
                yield self.env.process(self.serve(best, c))
                return
        self.waiting[q].append(c)
        if math.isinf(c.patience):
            ag = yield c.picked
        else:
            yield c.picked | self.env.timeout(c.patience)
            if not c.picked.triggered:  # patience ran out first (a pick at the same
                c.gone = True           # instant still counts as a pick)
                c.end = self.env.now
                return
            ag = c.picked.value
        yield self.env.process(self.serve(ag, c))

    # -- processes ----------------------------------------------------------------------
    def arrivals(self, contacts: list[Contact]):  # type: ignore[no-untyped-def]
        for c in contacts:
            yield self.env.timeout(c.arrival - self.env.now)
            self.env.process(self.contact(c))

    def roster(self):  # type: ignore[no-untyped-def]
        on = self.staffing.on_shift
        slots = min(on.shape[1], math.ceil(self.demand.horizon_s / self.staffing.slot_s))
        prev = np.zeros(on.shape[0], bool)
        for s in range(slots):
            yield self.env.timeout(s * self.staffing.slot_s - self.env.now)
            now_on = on[:, s]
            for a in np.flatnonzero(now_on != prev):
                ag = self.agents[a]
                self.account(ag)
                ag.on = bool(now_on[a])
                if ag.on:
                    if ag.used == 0:
                        ag.idle_since = self.env.now
                    self.pull(ag)
            prev = now_on
        yield self.env.timeout(self.demand.horizon_s - self.env.now)
        for ag in self.agents:  # log everyone out at the end: closes the accounts
            self.account(ag)

    def boundaries(self):  # type: ignore[no-untyped-def]
        """Deferred queues opening: their skilled idle agents look for work."""
        dt = self.demand.interval_s
        for i in range(self.n_int - 1):
            yield self.env.timeout((i + 1) * dt - self.env.now)
            for q, sq in enumerate(self.queues):
                if sq.deferred and self.open[q][i + 1] and not self.open[q][i]:
                    for ag in self.holders[q]:
                        if ag.on and ag.used + self.units[q] <= self.cap:
                            self.pull(ag)

    def draw(self) -> list[Contact]:
        d, out = self.demand, []
        for q, sq in enumerate(self.queues):
            patience = math.inf if sq.patience_s is None else sq.patience_s
            for i in range(d.n_intervals):
                for _ in range(self.rng.poisson(d.volume[q, i])):
                    out.append(Contact(q, (i + self.rng.random()) * d.interval_s,
                                       self.rng.exponential(d.aht_s[q, i]),
                                       self.rng.exponential(patience)
                                       if math.isfinite(patience) else math.inf))
        out.sort(key=lambda c: c.arrival)
        return out

    def run(self, contacts: list[Contact] | None = None) -> dict[str, np.ndarray]:
        contacts = self.draw() if contacts is None else contacts
        self.env.process(self.arrivals(contacts))
        self.env.process(self.roster())
        self.env.process(self.boundaries())
        self.env.run(until=self.demand.horizon_s + 1e-6)
        return self.totals()

    def totals(self) -> dict[str, np.ndarray]:
        """Per queue over the horizon: SL, ASA, abandonment, occupancy, share in target."""
        n_q, horizon = len(self.queues), self.demand.horizon_s
        out = {k: np.full(n_q, np.nan) for k in ("service_level", "asa_s", "abandon_rate",
                                                  "occupancy", "share_within_target")}
        for q, sq in enumerate(self.queues):
            cs = [c for c in self.contacts if c.queue == q]
            answered = [c for c in cs if not math.isnan(c.start)]
            busy = sum(ag.busy_s.sum() for ag in self.holders[q])
            present = sum(ag.present_s.sum() for ag in self.holders[q])
            out["occupancy"][q] = busy / present if present else math.nan
            if sq.deferred:
                limit = float(sq.response_time_s or 0.0)
                judged = [c for c in cs if c.arrival + limit <= horizon]
                ok = [c for c in judged if not math.isnan(c.start)
                      and c.start + c.hold <= c.arrival + limit]
                out["share_within_target"][q] = len(ok) / len(judged) if judged else math.nan
                continue
            gone = sum(1 for c in cs if c.gone or (math.isnan(c.start)
                                                   and c.arrival + c.patience <= horizon))
            within = sum(1 for c in answered if c.start - c.arrival <= sq.sl_threshold_s + 1e-9)
            out["service_level"][q] = within / len(cs) if cs else math.nan
            out["asa_s"][q] = (sum(c.start - c.arrival for c in answered) / len(answered)
                               if answered else math.nan)
            out["abandon_rate"][q] = gone / len(cs) if cs else math.nan
        return out


def simulate_simpy(queues: list[SimQueue], demand: Demand, staffing: Staffing,
                   seed: int, *, wfm_replication: int | None = None) -> dict[str, np.ndarray]:
    """One SimPy replication: measures per queue over the horizon. With
    ``wfm_replication`` it meets the very contacts wfm's replication of that number draws
    (seed ``seed``), so both must agree contact by contact."""
    contacts = None
    if wfm_replication is not None:
        from wfm.simulation.arrivals import draw_contacts
        from wfm.simulation.centre import SimOptions

        c = draw_contacts(queues, demand, SimOptions(seed=seed), wfm_replication)
        contacts = [Contact(int(q), float(t), float(h), float(d - t))
                    for q, t, h, d in zip(c.queue, c.arrival_s, c.hold_s, c.deadline_s,
                                          strict=True)]
    return Centre(queues, demand, staffing, seed).run(contacts)
