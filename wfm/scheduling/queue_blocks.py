"""Stage (d): the queue each multi-skill agent works, in blocks, with a cost per switch.

Stage (c) decides how many agents of each skill set work each queue in each slot; handing
those counts out slot by slot can move a multi-skill agent between queues every quarter
of an hour (in the sample week up to 20 times a day). Here each shift of a multi-skill
agent is cut into blocks counted from its start, each ``min_queue_block_min`` long (the
last one takes the remainder, so it is longer, never shorter), and one small integer
program per day gives every block one queue: weighted shortfall and excess per queue and
slot as in the other stages, ``queue_switch_cost`` per change of queue from one block to
the next, at most ``max_queue_switches_per_day`` changes per agent and day, and the
agent's secondary skills only where coverage gains. So every stint on a queue lasts at
least one block (breaks inside a block do not end it). Agents with one queue keep it.

CP-SAT starts from a complete hint (each block on the queue stage (c) gave the agent for
most of it); when it finds nothing within its budget, the hint is the answer (``HINT``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from wfm.scheduling.break_placement import WORK, PlacedBreaks
from wfm.scheduling.coverage_model import SCALE
from wfm.scheduling.linear_model import IntegerProgram, NoSolutionError, solve_integer
from wfm.scheduling.plan_layout import day_segments
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import ShiftCatalog
from wfm.scheduling.solver_params import SolverParams
from wfm.scheduling.threads import map_ordered


@dataclass(frozen=True)
class QueueBlocks:
    """Result of stage (d): ``queue[a, t]`` as in :class:`PlacedBreaks`, the day models'
    statuses (``HINT``: the hint kept), the calls the wall-clock net stopped and the work
    done (budget seconds)."""

    queue: np.ndarray
    statuses: tuple[str, ...]
    wall_limit_hits: int = 0
    deterministic_s: float = 0.0


def shift_blocks(start: int, end: int, block_slots: int) -> list[tuple[int, int]]:
    """Blocks ``[a, b)`` of a shift ``[start, end)`` (slots): ``block_slots`` long from the
    start, the last one up to the end (between one and two blocks long); one block when
    the shift is shorter than two.

    >>> shift_blocks(0, 10, 4)
    [(0, 4), (4, 10)]
    >>> shift_blocks(0, 3, 4)
    [(0, 3)]
    """
    n = max(1, (end - start) // max(block_slots, 1))
    cuts = [start + k * block_slots for k in range(n)] + [end]
    return list(itertools.pairwise(cuts))


def queue_switches(placed_queue: np.ndarray, activity: np.ndarray, catalog: ShiftCatalog,
                   shift_of: np.ndarray) -> np.ndarray:
    """Changes of queue per agent and day (n_agents, 7): between consecutive working slots
    of the day's shift (a break between two stints on one queue is no change)."""
    out = np.zeros(shift_of.shape, dtype=np.int64)
    for a, d in zip(*np.nonzero(shift_of >= 0), strict=True):
        i = int(shift_of[a, d])
        lo, hi = int(catalog.start[i]), int(catalog.end[i])
        worked = activity[a, lo:hi] == WORK
        seq = placed_queue[a, lo:hi][worked]
        out[a, d] = int((seq[1:] != seq[:-1]).sum()) if len(seq) > 1 else 0
    return out


def assign_queue_blocks(catalog: ShiftCatalog, placed: PlacedBreaks,  # noqa: PLR0917
                        shift_of: np.ndarray, agent_priority: Sequence[Sequence[int]],
                        required: np.ndarray, rules: ShiftRules, queue_names: Sequence[str],
                        params: SolverParams) -> QueueBlocks:
    """Give every multi-skill agent's working slots a queue, block by block.

    Parameters
    ----------
    placed
        Stage (c)'s breaks and its queue per agent and slot (the hint).
    shift_of
        (n_agents, 7) catalog shift per agent and day, -1 when off.
    agent_priority
        Requirement-queue indices each agent can serve, most preferred first.
    required
        Whole agents required, (n_queues, grid.n_slots).
    params
        Budget of the whole stage; each day gets a seventh.
    """
    day = _DayBlocks(catalog, placed, shift_of, agent_priority, required, rules,
                     queue_names, params.scaled(1 / 7))
    queue = placed.queue.copy()
    statuses: list[str] = []
    hits, work_s = 0, 0.0

    def apply(res: _DayResult | None) -> None:
        nonlocal hits, work_s
        if res is None:
            return
        for a, lo, hi, q in res.blocks:
            worked = placed.activity[a, lo:hi] == WORK
            queue[a, lo:hi] = np.where(worked, q, queue[a, lo:hi])
        statuses.append(res.status)
        hits += int(res.wall_limit_hit)
        work_s += res.deterministic_s

    if len(day_segments(catalog)) == 7:
        # No shift crosses midnight: the days share no slot, so they are solved side by
        # side and applied in order.
        for res in map_ordered(lambda d: day.solve(d, queue), list(range(7)), params.workers):
            apply(res)
    else:
        for d in range(7):
            apply(day.solve(d, queue))
    return QueueBlocks(queue, tuple(statuses), hits, work_s)


@dataclass(frozen=True)
class _DayResult:
    day: int
    blocks: list[tuple[int, int, int, int]]  # agent, first slot, end slot, queue
    status: str
    wall_limit_hit: bool
    deterministic_s: float


@dataclass(frozen=True)
class _DayBlocks:
    """The day models of stage (d) (see :func:`assign_queue_blocks`)."""

    catalog: ShiftCatalog
    placed: PlacedBreaks
    shift_of: np.ndarray
    agent_priority: Sequence[Sequence[int]]
    required: np.ndarray
    rules: ShiftRules
    queue_names: Sequence[str]
    params: SolverParams

    def solve(self, d: int, queue: np.ndarray) -> _DayResult | None:
        """Blocks of the multi-skill agents whose shift starts on day ``d``; ``queue`` (read
        only) gives everyone else's queue in the day's window."""
        cat, placed = self.catalog, self.placed
        n_t = cat.grid.n_slots
        multi = [int(a) for a in np.flatnonzero(self.shift_of[:, d] >= 0)
                 if len(self.agent_priority[int(a)]) > 1]
        if not multi:
            return None
        shifts = {a: int(self.shift_of[a, d]) for a in multi}
        lo = min(int(cat.start[i]) for i in shifts.values())
        hi = min(max(int(cat.end[i]) for i in shifts.values()), n_t)
        if hi <= lo:  # pragma: no cover - shifts wholly past the week's last slot
            return None
        n_q = len(self.queue_names)
        # Everyone else on the window: constants.
        const = np.zeros((n_q, hi - lo), dtype=np.int64)
        mine = np.zeros(placed.activity.shape[0], dtype=bool)
        mine[multi] = True
        window_q = queue[:, lo:hi]
        others = (placed.activity[:, lo:hi] == WORK) & (window_q >= 0) & ~mine[:, None]
        for q in range(n_q):
            const[q] = ((window_q == q) & others).sum(axis=0)
        slot_h = cat.grid.slot_minutes / 60
        block_slots = max(1, int(np.ceil(self.rules.min_queue_block_min
                                         / cat.grid.slot_minutes - 1e-9)))
        under_cost, over_cost = self.rules.scaled_weights(self.queue_names, SCALE)
        switch_cost = round(self.rules.queue_switch_cost * SCALE / slot_h)
        ip = IntegerProgram()
        terms: list[list[list[int]]] = [[[] for _ in range(hi - lo)] for _ in range(n_q)]
        blocks: list[tuple[int, int, int, list[int], np.ndarray]] = []  # a, b0, b1, qs, vars
        values: dict[int, int] = {}  # the hint, built alongside
        all_switches: list[int] = []
        cap = self.rules.max_queue_switches_per_day
        for a in multi:
            i = shifts[a]
            qs = list(self.agent_priority[a])
            mine_blocks: list[tuple[np.ndarray, int]] = []  # block vars, hinted queue index
            switches: list[int] = []
            for b0, b1 in shift_blocks(int(cat.start[i]), int(cat.end[i]), block_slots):
                slots = [t for t in range(b0, min(b1, hi))
                         if placed.activity[a, t] == WORK]
                if not slots:
                    continue
                y = ip.add_vars(len(qs), 0, 1)
                ip.add_row(y, 1, 1, 1)
                for rank, (q, v) in enumerate(zip(qs, y.tolist(), strict=True)):
                    # A secondary skill only where coverage gains (as in stage (c)).
                    ip.cost[v] += rank * len(slots)
                    for t in slots:
                        terms[q][t - lo].append(v)
                if mine_blocks:
                    sw = ip.add_var(0, 1, switch_cost)
                    switches.append(sw)
                    before = mine_blocks[-1][0]
                    for k in range(len(qs)):
                        ip.add_row([sw, int(y[k]), int(before[k])], [1, -1, 1], lower=0)
                mine_blocks.append((y, _hint_queue(queue[a, b0:min(b1, hi)], slots, b0, qs)))
                blocks.append((a, b0, min(b1, hi), qs, y))
            all_switches += switches
            if switches and cap is not None and cap < len(switches):
                ip.add_row(switches, 1, upper=cap)
            # The hint: stage (c)'s queue per block, or the first block's all day when that
            # switches more than the cap allows.
            picks = [k for _, k in mine_blocks]
            if cap is not None and cap < sum(p != q for p, q in itertools.pairwise(picks)):
                picks = [picks[0]] * len(picks)
            for (y, _), k in zip(mine_blocks, picks, strict=True):
                values.update({int(v): int(j == k) for j, v in enumerate(y)})
            for sw, (p, q) in zip(switches, itertools.pairwise(picks), strict=True):
                values[sw] = int(p != q)
        for q in range(n_q):
            need = self.required[q, lo:hi]
            for t in range(hi - lo):
                rhs = int(need[t]) - int(const[q, t])
                gap = rhs - sum(values[v] for v in terms[q][t])  # > 0 short, < 0 excess
                under = ip.add_var(0, max(int(need[t]), 0), under_cost[q])
                over = ip.add_var(0, len(multi) + max(-rhs, 0), over_cost[q])
                values[under], values[over] = max(gap, 0), max(-gap, 0)
                ip.add_row(terms[q][t] + [under, over], [1] * len(terms[q][t]) + [1, -1],
                           rhs, rhs)
        hint = np.array([values[v] for v in range(ip.n_vars)], dtype=np.int64)
        chosen_values, status, hit, work_s = _solve_in_two_phases(ip, hint, all_switches,
                                                                  self.params)
        chosen = [(a, b0, b1, qs[int(np.argmax(chosen_values[y]))])
                  for a, b0, b1, qs, y in blocks]
        return _DayResult(d, chosen, status, hit, work_s)


def _solve_in_two_phases(ip: IntegerProgram, hint: np.ndarray, switches: list[int],
                         params: SolverParams) -> tuple[np.ndarray, str, bool, float]:
    """Values, status, wall-net flag and work of the day model. With a cost per switch,
    first coverage alone (a transport-like problem CP-SAT solves quickly), then the full
    objective from that answer: started from stage (c)'s many switches, CP-SAT with the
    switch costs got stuck within its budget (measured on the sample week: 56 weighted
    agent-hours worse than coverage alone). The hint is the answer when a phase finds
    nothing."""
    costs = [ip.cost[v] for v in switches]
    values, status, hit, work_s = hint, "HINT", False, 0.0
    phases = ((0.5, True), (1.0, False)) if any(costs) else ((1.0, False),)
    for share, coverage_only in phases:
        if coverage_only:
            for v in switches:
                ip.cost[v] = 0
        budget = params.time_limit_s * share - work_s
        try:
            sol = solve_integer(ip, params.with_budget(budget), hint=values)
            values, status = sol.values, sol.status
            hit, work_s = hit or sol.wall_limit_hit, work_s + sol.deterministic_s
        except NoSolutionError as exc:
            hit, work_s = hit or exc.wall_limit_hit, work_s + exc.deterministic_s
        finally:
            for v, c in zip(switches, costs, strict=True):
                ip.cost[v] = c
    return values, status, hit, work_s


def _hint_queue(current: np.ndarray, slots: list[int], b0: int, qs: list[int]) -> int:
    """The queue stage (c) gave the agent for most of the block's working slots (the most
    preferred on a tie), as an index into ``qs``."""
    counts = [int((current[[t - b0 for t in slots]] == q).sum()) for q in qs]
    return int(np.argmax(counts))
