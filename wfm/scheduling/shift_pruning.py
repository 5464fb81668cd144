"""Stage (a): which shifts are worth offering a group (weak dominance by one-hour slides)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wfm.scheduling.shift_catalog import ShiftCatalog


def prune_shifts(catalog: ShiftCatalog, required: np.ndarray, queues: Sequence[int],
                 caps: np.ndarray | None = None) -> np.ndarray:
    """Shifts worth offering a group (weak dominance, one hour slides).

    A shift with some requirement on the group's queues is kept unless (1) its first hour
    has none and the same shift one hour later exists (that one covers everything it
    covers, and more or the same excess), or (2) its last hour has none and the shift one
    hour earlier exists and has requirement in its first hour. Rule (2) defers to rule (1),
    so the two never prune a shift and its only replacement together.
    """
    need = required[list(queues)].sum(axis=0) > 0
    n_t = need.shape[0]
    cum = np.concatenate([[0], np.cumsum(need)])
    per_h = 60 // catalog.grid.slot_minutes
    s, e = catalog.start, catalog.end

    def any_need(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        lo_c, hi_c = np.clip(lo, 0, n_t), np.clip(hi, 0, n_t)
        found: np.ndarray = (cum[hi_c] - cum[lo_c]) > 0
        return found

    open_ = np.ones(catalog.n_shifts, dtype=bool) if caps is None else caps > 0
    where = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(s, catalog.length,
                                                                  strict=True)) if open_[i]}
    later = np.array([where.get((int(a) + per_h, int(b)), -1)
                      for a, b in zip(s, catalog.length, strict=True)])
    earlier = np.array([where.get((int(a) - per_h, int(b)), -1)
                        for a, b in zip(s, catalog.length, strict=True)])
    first_need = any_need(s, s + per_h)
    last_need = any_need(e - per_h, e)
    rule1 = ~first_need & (later >= 0)
    rule2 = ~last_need & (earlier >= 0) & first_need[np.maximum(earlier, 0)]
    kept: np.ndarray = any_need(s, e) & ~rule1 & ~rule2
    return kept


def pruned_caps(catalog: ShiftCatalog, caps: np.ndarray, required: np.ndarray,
                queues: Sequence[int], *, keep_days: bool = False) -> np.ndarray:
    """``caps`` with dominated shifts set to 0. With ``keep_days`` (a group with a contract
    minimum), a day and length that pruning would empty keeps its widest-open shift, so
    the minimum stays reachable."""
    out = np.where(prune_shifts(catalog, required, queues, caps), caps, 0)
    if not keep_days:
        return out
    key = catalog.day * len(catalog.lengths) + catalog.length
    for k in np.unique(key[caps > 0]):
        sel = np.flatnonzero(key == k)
        if not (out[sel] > 0).any():
            best = sel[int(np.argmax(caps[sel]))]
            out[best] = caps[best]
    return out

