"""Day-split cuts for stage (a): valid rows on a group's shifts per length AND day.

The contract cuts (:mod:`wfm.scheduling.contract_cuts`) make a group's weekly shifts per
length splittable into its members' weeks; they say nothing about the days. Each member
works at most one shift a day, so a group's plan can pass them and still not split: on the
500-agent multi-skill week a 27-agent part-time group (16-30 h on 3-5 days of 4 h or
5.5 h paid shifts) got all twenty of its 6 h shifts on one Tuesday, while a member on
three days needs three 6 h shifts on three *different* days; stage (b) then missed and
added shifts.

**Model.** Let ``N[L, d]`` be the group's shifts of length ``L`` starting on day ``d``. A
member ``a`` works a week ``x`` in ``{0, 1}^(lengths x 7)`` with at most one shift a day,
none on a day the member cannot work (time off, availability) nor of a length/day the
group has no shift for, days ``sum(x)`` within ``[min_days, max_days]`` and paid minutes
within ``[min_paid, max_paid]``; call that finite set ``P_a`` (rest between shifts and
consecutive days are left out, so ``P_a`` only gets larger). In every roster that keeps
those rules, ``N = sum_a x_a`` with ``x_a`` in ``P_a``.

**Validity.** For any integer weights ``w`` (lengths x 7),
``w . N = sum_a w . x_a >= sum_a min_{x in P_a} w . x =: beta(w)``. Every row returned is
``w . N >= beta(w)`` with ``beta`` computed exactly by enumerating ``P_a`` (members with
identical limits and days share one enumeration), so no roster that keeps the contracts,
the days and one shift a day is cut off, whatever ``w`` is: the rows only remove plans
that cannot be split into members' weeks.

**Which w (separation).** Given a plan ``N*``, the rows of all ``w`` describe exactly the
Minkowski sum ``sum_a conv(P_a)``; a violated one, if any, comes from the LP (Farkas)
``max sum_t m_t u_t - w . N*`` subject to ``u_t <= w . p`` for each member type ``t``
(``m_t`` members) and week ``p`` in ``P_t``, ``-1 <= w <= 1``. Its ``w`` is scaled and
rounded to integers (validity does not depend on it, only strength), ``beta`` recomputed
exactly, and the row kept if ``N*`` violates it. E.g. for the Tuesday plan above the row
``sum_d N[4h, d] + N[6h, Tue] + 2 sum_{d != Tue} N[6h, d] >= 4 m``: a member's week
counts 4 unless 6 h shifts on other days carry it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

N_DAYS = 7
# The separation LP has one row per member type and week; beyond this the group is left
# without day-split rows (e.g. 700 full-timers with scattered days of leave: hundreds of
# types), so a separation round stays well under a second.
MAX_WEEKS = 60_000
# Weeks are enumerated as (1 + lengths allowed that day) combinations over the 7 days before
# the contract filter: with many shift lengths (8 -> 9^7 = 4.8 M per member type) that alone
# would take seconds and gigabytes, so such groups are skipped before enumerating.
MAX_RAW_WEEKS = 2_000_000
ROUNDING_SCALES = (1, 2, 3, 4, 6, 8, 12, 16, 24)


def member_weeks(allowed: np.ndarray, paid_min: Sequence[int], *, min_days: int,
                 max_days: int, min_paid: int, max_paid: int) -> np.ndarray:
    """Every week a member may work: rows of ``x`` flattened as ``x[L * 7 + d]``.

    Parameters
    ----------
    allowed
        Boolean (n_lengths, 7): the member may work a shift of length ``L`` on day ``d``.
    paid_min
        Paid minutes of one shift of each length.
    min_days, max_days, min_paid, max_paid
        The week's limits on days worked and on paid minutes.
    """
    n_len = allowed.shape[0]
    paid = np.asarray(paid_min, dtype=np.int64)
    # choice per day: 0 = off, L + 1 = a shift of length L
    choices = [np.concatenate([[0], 1 + np.flatnonzero(allowed[:, d])]) for d in range(N_DAYS)]
    grids = np.meshgrid(*choices, indexing="ij")
    combo = np.stack([g.ravel() for g in grids], axis=1)  # (n_weeks, 7)
    days = (combo > 0).sum(axis=1)
    paid_week = np.where(combo > 0, paid[np.maximum(combo - 1, 0)], 0).sum(axis=1)
    keep = ((days >= min_days) & (days <= max_days) & (paid_week >= min_paid)
            & (paid_week <= max_paid))
    combo = combo[keep]
    out = np.zeros((len(combo), n_len, N_DAYS), dtype=np.int64)
    rows, cols = np.nonzero(combo)
    out[rows, combo[rows, cols] - 1, cols] = 1
    return out.reshape(len(combo), n_len * N_DAYS)


@dataclass(frozen=True)
class DaySplit:
    """The member types of one group (their weeks and how many members share them)."""

    weeks: tuple[np.ndarray, ...]
    counts: tuple[int, ...]
    n_lengths: int

    def beta(self, w: np.ndarray) -> int:
        """``sum_a min_{x in P_a} w . x``: the right-hand side that keeps ``w . N >= beta``
        valid for every split into members' weeks."""
        flat = np.asarray(w, dtype=np.int64).ravel()
        return int(sum(c * int((p @ flat).min()) for p, c in zip(self.weeks, self.counts,
                                                                  strict=True)))

    def separate(self, plan: np.ndarray) -> tuple[np.ndarray, int] | None:
        """A row ``(w, beta)`` (``w`` integer, lengths x 7) that ``plan`` (the group's
        shifts per length and day) violates, or ``None`` when the Farkas LP finds none."""
        point = np.asarray(plan, dtype=float).ravel()
        k = len(point)
        n_t = len(self.weeks)
        # variables: w (k), u (n_t); minimise w . N* - sum m_t u_t
        c = np.concatenate([point, -np.asarray(self.counts, dtype=float)])
        blocks = []
        for t, p in enumerate(self.weeks):
            u_col = np.zeros((len(p), n_t))
            u_col[:, t] = 1.0
            blocks.append(np.hstack([-p.astype(float), u_col]))
        a_ub = np.vstack(blocks)
        bounds = [(-1.0, 1.0)] * k + [(None, None)] * n_t
        res = linprog(c, A_ub=a_ub, b_ub=np.zeros(len(a_ub)), bounds=bounds, method="highs")
        if res.status != 0 or res.fun > -1e-6:
            return None
        w_frac = res.x[:k]
        best: tuple[float, np.ndarray, int] | None = None
        for scale in ROUNDING_SCALES:
            w = np.round(w_frac * scale).astype(np.int64)
            if not w.any():
                continue
            b = self.beta(w)
            viol = (b - float(w @ point)) / float(np.abs(w).sum())
            if viol > 1e-9 and (best is None or viol > best[0] + 1e-9):
                best = (viol, w, b)
        if best is None:
            return None
        return best[1].reshape(self.n_lengths, N_DAYS), best[2]


def day_split(allowed: np.ndarray, paid_min: Sequence[int], member_days: np.ndarray, *,
              min_days: np.ndarray, max_days: np.ndarray, min_paid: np.ndarray,
              max_paid: np.ndarray) -> DaySplit | None:
    """The member types of a group, or ``None`` when there is nothing to separate with
    (some member has no valid week at all: stage (b) names them; or too many weeks to
    enumerate, ``MAX_RAW_WEEKS`` / ``MAX_WEEKS``).

    Parameters
    ----------
    allowed
        Boolean (n_lengths, 7): the group has a shift of length ``L`` on day ``d``.
    member_days
        Boolean (n_members, 7): days each member can work.
    min_days, max_days, min_paid, max_paid
        Per member, the week's limits on days and paid minutes.
    """
    keys = np.concatenate([np.asarray(member_days, dtype=np.int64),
                           np.stack([min_days, max_days, min_paid, max_paid],
                                    axis=1).astype(np.int64)], axis=1)
    uniq, counts = np.unique(keys, axis=0, return_counts=True)
    allowed_by_type = [allowed & row[:N_DAYS].astype(bool)[None, :] for row in uniq]
    if sum(int(np.prod(1 + a.sum(axis=0), dtype=np.float64)) for a in allowed_by_type) \
            > MAX_RAW_WEEKS:
        return None
    weeks = []
    for row, allow in zip(uniq, allowed_by_type, strict=True):
        lo_d, hi_d, lo_p, hi_p = (int(v) for v in row[N_DAYS:])
        p = member_weeks(allow, paid_min, min_days=lo_d, max_days=min(hi_d, N_DAYS),
                         min_paid=lo_p, max_paid=hi_p)
        if len(p) == 0:
            return None
        weeks.append(p)
        if sum(len(q) for q in weeks) > MAX_WEEKS:
            return None
    return DaySplit(tuple(weeks), tuple(int(c) for c in counts), allowed.shape[0])
