"""Contract granularity cuts for stage (a): valid rows on a group's shift counts per length.

Stage (a) keeps a group's weekly paid hours and shifts within the sums of its members'
limits, which ignores that each member works whole shifts. Full-time agents of 32-40 paid
hours on 4-5 days with shifts of 7.5 or 9.5 paid hours, for instance, must work five
shifts or at least one long one (4 x 7.5 = 30 h < 32 h): every member's counts (n8, n10)
satisfy n8 + 2 n10 >= 5 (days + long shifts >= 5), while the group-level row
7.5 N8 + 9.5 N10 >= 32 m accepts plans that no split into members meets (measured on the
500-agent multi-skill week: 6 of 14 groups planned at exactly the summed minimum, needing
1-6 shifts more in stage (b) for the split alone).

**Validity.** Let P_a be the integer vectors n (shifts per length) member ``a`` may work in
the week: n >= 0, days sum(n) within [min_days, max_days] (max_days already counts time
off, the days-off rule and the days with any shift the member may work), paid minutes
paid . n within [min_paid, max_paid]. In any roster, member a's counts lie in P_a and the
group's counts per length are N = sum_a n_a, so for every vector alpha,
alpha . N = sum_a alpha . n_a >= sum_a min_{n in P_a} alpha . n. Every row returned is of
that form, so no roster that keeps the contracts is cut off; the rows only remove plans
that cannot be split into members' weeks.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from math import gcd

import numpy as np
from scipy.optimize import linprog

MAX_DAYS_IN_WEEK = 7


def member_points(paid_min: Sequence[int], min_days: int, max_days: int, min_paid: int,
                  max_paid: int) -> np.ndarray:
    """Integer vectors of shifts per length (one row each) a member may work in a week."""
    top = min(max_days, MAX_DAYS_IN_WEEK)
    pts = [n for n in itertools.product(range(top + 1), repeat=len(paid_min))
           if min_days <= sum(n) <= top
           and min_paid <= sum(c * p for c, p in zip(n, paid_min, strict=True)) <= max_paid]
    return np.array(pts, dtype=np.int64).reshape(-1, len(paid_min))


def _directions(n_lengths: int) -> np.ndarray:
    """Candidate normals: small integer vectors (hull facets of members' weeks have small
    coefficients: e.g. 3 n4 + 4 n6 >= 12 for 16 h on 3-5 days of 4 h or 5.5 h shifts)."""
    span = {1: 1, 2: 4, 3: 2}.get(n_lengths, 1)
    out = []
    for v in itertools.product(range(-span, span + 1), repeat=n_lengths):
        if any(v) and gcd(*v) == 1:
            out.append(v)
    return np.array(out, dtype=np.int64)


def contract_cuts(paid_min: Sequence[int], min_days: np.ndarray, max_days: np.ndarray,
                  min_paid: np.ndarray, max_paid: np.ndarray) -> list[tuple[np.ndarray, int]]:
    """Rows ``alpha . N >= beta`` on a group's shift counts per length ``N``.

    Parameters
    ----------
    paid_min
        Paid minutes of one shift of each length the group may work.
    min_days, max_days, min_paid, max_paid
        Per member: the week's limits on days and on paid minutes (``max_days`` already
        lowered to the days the member may work at all).

    Returns
    -------
    list of (alpha, beta)
        Only rows the group-level relaxation (summed limits, counts >= 0) does not imply;
        empty when some member has no valid week at all (stage (b) then names them).
    """
    n_len = len(paid_min)
    if n_len == 0:
        return []
    paid = np.asarray(paid_min, dtype=np.int64)
    dirs = _directions(n_len)
    beta = np.zeros(len(dirs), dtype=np.int64)
    limits = np.stack([min_days, max_days, min_paid, max_paid], axis=1).astype(np.int64)
    keys, counts = np.unique(limits, axis=0, return_counts=True)
    for (lo_d, hi_d, lo_p, hi_p), k in zip(keys, counts, strict=True):
        pts = member_points(paid.tolist(), int(lo_d), int(hi_d), int(lo_p), int(hi_p))
        if len(pts) == 0:
            return []
        beta += int(k) * (pts @ dirs.T).min(axis=0)
    # The group-level relaxation: sum of days and of paid minutes within the summed limits.
    a_ub = np.vstack([np.ones(n_len), -np.ones(n_len), paid, -paid]).astype(float)
    b_ub = np.array([max_days.sum(), -min_days.sum(), max_paid.sum(), -min_paid.sum()],
                    dtype=float)
    out = []
    for alpha, b in zip(dirs, beta, strict=True):
        res = linprog(alpha.astype(float), A_ub=a_ub, b_ub=b_ub, bounds=(0, None),
                      method="highs")
        if res.status == 0 and res.fun < b - 1e-6:
            out.append((alpha, int(b)))
    return out
