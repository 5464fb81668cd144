"""Stage (a)'s first integer plan: the LP relaxation rounded by a common monotone rule."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from wfm.scheduling.coverage_model import CoverageVars, Expr
from wfm.scheduling.linear_model import IntegerProgram, violation
from wfm.scheduling.plan_layout import PlanLayout

ROUNDING_OFFSETS = (0.5, 0.6, 0.7, 0.8, 0.9)


def monotone_prefixes(values: np.ndarray, layout: PlanLayout, ip: IntegerProgram) -> None:
    """Make approximate LP values (PDLP) non-decreasing along each prefix count and within
    bounds, in place, so their rounding keeps the ordering rows (exact LP values already
    are)."""
    for idx, _ in layout.slot_parts[:layout.n_prefix_parts]:
        values[idx] = np.maximum.accumulate(values[idx])
    np.clip(values, np.asarray(ip.lower), np.asarray(ip.upper), out=values)


def work_values(values: np.ndarray, work: Sequence[Sequence[Expr]], n_groups: int,
                n_t: int) -> np.ndarray:
    out = np.zeros((n_groups, n_t), dtype=np.int64)
    for g in range(n_groups):
        for t in range(n_t):
            idx, coef, const = work[g][t]
            out[g, t] = int(np.dot(values[idx], coef)) + const if idx else const
    return out


def rounded_plan(ip: IntegerProgram, rows: tuple[sparse.csr_matrix, np.ndarray, np.ndarray],
                 lp_values: np.ndarray, *, cov: CoverageVars, work: Sequence[Sequence[Expr]],
                 group_queues: Sequence[Sequence[int]], required: np.ndarray,
                 ) -> tuple[np.ndarray | None, np.ndarray]:
    """The best feasible integer plan rounded from the LP (``None`` if no rounding is
    feasible), and the rounding that breaks the rows least (for a repair).

    Rounding every prefix count by the same non-decreasing rule ``floor(x + offset)``
    keeps each ordering row (``a <= b`` stays true, equal stays equal), so shifts and
    breaks stay consistent; the coverage is then recomputed and multi-skill groups are
    split over their queues greedily. Contract totals may still break (a small group
    whose weekly shifts are fixed by its contracts, rounded day by day).
    """
    n_t = required.shape[1]
    cost = np.asarray(ip.cost, dtype=np.int64)
    best: tuple[float, np.ndarray] | None = None
    least: tuple[float, np.ndarray] | None = None
    for offset in ROUNDING_OFFSETS:
        h = np.floor(lp_values + offset).astype(np.int64)
        wv = np.maximum(work_values(h, work, len(group_queues), n_t), 0)
        deficit = required.astype(np.int64).copy()
        for g, qs in enumerate(group_queues):
            if len(qs) == 1:
                deficit[qs[0]] -= wv[g]
        for g, qs in enumerate(group_queues):
            if len(qs) == 1:
                continue
            left = wv[g].copy()
            for q in qs:
                h[cov.alloc[(g, q)]] = 0
            # First the LP's own split (where it sent this group's agents), then the
            # deficits left, so a chat+voice group does not fill chat (which other groups
            # cover) before voice just because chat comes first.
            for guide in (True, False):
                for q in qs:
                    cap = np.minimum(deficit[q], left)
                    if guide:
                        cap = np.minimum(cap, np.floor(lp_values[cov.alloc[(g, q)]] + 0.5))
                    take = np.clip(cap, 0, None).astype(np.int64)
                    h[cov.alloc[(g, q)]] += take
                    left -= take
                    deficit[q] -= take
            h[cov.alloc[(g, qs[0])]] += left
            deficit[qs[0]] -= left
        h[cov.under.ravel()] = np.maximum(deficit, 0).ravel()
        h[cov.over.ravel()] = np.maximum(-deficit, 0).ravel()
        broken = violation(ip, h, rows)
        if least is None or broken < least[0]:
            least = (broken, h)
        if broken > 0:
            continue
        obj = float(np.dot(cost, h))
        if best is None or obj < best[0]:
            best = (obj, h)
    assert least is not None
    return (None if best is None else best[1]), least[1]

