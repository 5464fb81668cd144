"""Rolling-origin backtest and the automatic choice: single models and combinations per band
of lead time in open days, shrunk toward a combination unless a single model is clearly better."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from wfm.forecasting.grid import FloatArray, Grid, IntArray
from wfm.forecasting.models.base import History, Model
from wfm.forecasting.models.registry import MODELS

# Choice bands of lead time in open days. The first week is chosen on the first week's
# evidence only, so a 6-week run forecasts its next days exactly as a 1-week run does.
BANDS: tuple[tuple[int, int], ...] = ((1, 7), (8, 10_000))
# A single model replaces the best combination only when it is better in the band's total and
# by more than this many standard errors of the fold-by-fold difference.
SINGLE_MODEL_T = 2.0


@dataclass
class Fitted:
    """A model fitted after walking down the fallback chain."""

    requested: str
    used: str
    model: Model
    reasons: list[str] = field(default_factory=list)


def fit_with_fallback(name: str, history: History) -> Fitted:
    """Fit ``name``; on failure or short history fall back along the chain, noting why."""
    reasons: list[str] = []
    current: str | None = name
    while current is not None:
        cls = MODELS[current]
        if history.n_days < cls.min_history_days:
            reasons.append(f"{current}: history {history.n_days} days < "
                           f"{cls.min_history_days} required")
        else:
            try:
                model = cls()
                model.fit(history)
                model.predict(1)
                return Fitted(name, current, model, reasons)
            except (ValueError, np.linalg.LinAlgError, IndexError, ZeroDivisionError) as exc:
                reasons.append(f"{current}: {exc}")
        current = cls.fallback
    raise ValueError("; ".join(reasons) or f"{name}: no model could be fitted")


@dataclass
class Fold:
    cut: int
    cut_day: int
    lead_day: IntArray  # 1-based calendar lead day of each evaluated position
    lead_open: IntArray  # lead in open days (1 = first open day after the cut)
    actual: FloatArray
    mask: np.ndarray  # open and observed
    preds: dict[str, FloatArray] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)


def band_of(lead_open: IntArray) -> IntArray:
    out = np.zeros(len(lead_open), dtype=np.int64)
    for b, (lo, hi) in enumerate(BANDS):
        out[(lead_open >= lo) & (lead_open <= hi)] = b
    return out


def fold_errors(folds: list[Fold], name: str) -> tuple[FloatArray, FloatArray]:
    """Summed |error| and summed actual per fold and band, shape (folds, bands) each."""
    err = np.zeros((len(folds), len(BANDS)))
    act = np.zeros((len(folds), len(BANDS)))
    for k, f in enumerate(folds):
        p = component(name, f.preds)
        if p is None:
            err[k] = np.inf
            continue
        b = band_of(f.lead_open)[f.mask]
        err[k] = np.bincount(b, np.abs(f.actual[f.mask] - p[f.mask]), minlength=len(BANDS))
        act[k] = np.bincount(b, f.actual[f.mask], minlength=len(BANDS))
    return err, act


@dataclass(frozen=True)
class Choice:
    """Which forecast serves each lead band: a model, ``mean(a+b+...)`` or ``median(...)``."""

    per_band: tuple[str, ...]
    label: str
    wmape: float


def combinations(ranked: list[str]) -> list[str]:
    """Combinations of the best-ranked models: the mean of the best 2 and of the best 3, and
    the median of all when there are at least 4 (robust to one model going astray)."""
    out = []
    if len(ranked) >= 2:
        out.append(f"mean({'+'.join(sorted(ranked[:2]))})")
    if len(ranked) >= 3:
        out.append(f"mean({'+'.join(sorted(ranked[:3]))})")
    if len(ranked) >= 4:
        out.append(f"median({'+'.join(sorted(ranked))})")
    return out


def choose(folds: list[Fold], candidates: tuple[str, ...]) -> Choice:
    """Per lead band: the best combination of the best models, or a single model that beats it
    clearly (in total and by ``SINGLE_MODEL_T`` standard errors of the fold-by-fold gain).

    Choosing one model per series from a handful of folds is noisy (the backtest winner is
    often not the true one); combinations of the best few are rarely far from the best and
    are the default. Bands without evidence (a short history) take the choice of the band
    before them.
    """
    errs = {c: fold_errors(folds, c) for c in candidates}
    per_band: list[str] = []
    band_err = np.zeros(len(BANDS))
    band_act = np.zeros(len(BANDS))
    for b in range(len(BANDS)):
        total = {c: _wmape(e[:, b], a[:, b]) for c, (e, a) in errs.items()}
        ranked = sorted((c for c in candidates if np.isfinite(total[c])), key=lambda c: total[c])
        if not ranked:
            if b == 0:
                raise ValueError("no candidate model produced a backtest")
            per_band.append(per_band[-1])
            continue
        combos = combinations(ranked)
        for c in combos:
            errs[c] = fold_errors(folds, c)
            total[c] = _wmape(errs[c][0][:, b], errs[c][1][:, b])
        pick = ranked[0]
        if combos:
            combo = min(combos, key=lambda c: total[c])
            if not _clearly_better(errs[ranked[0]], errs[combo], b):
                pick = combo
        per_band.append(pick)
        band_err[b] = errs[pick][0][:, b].sum()
        band_act[b] = errs[pick][1][:, b].sum()
    wm = float(band_err.sum() / band_act.sum()) if band_act.sum() > 0 else float("nan")
    if len(set(per_band)) == 1:
        return Choice(tuple(per_band), per_band[0], wm)
    label = " | ".join(f"d{lo}{'+' if hi > 999 else f'-{hi}'}:{m}"
                       for (lo, hi), m in zip(BANDS, per_band, strict=True))
    return Choice(tuple(per_band), label, wm)


def _wmape(err: FloatArray, act: FloatArray) -> float:
    a = float(act.sum())
    return float(err.sum()) / a if a > 0 else float("inf")


def _clearly_better(single: tuple[FloatArray, FloatArray], combo: tuple[FloatArray, FloatArray],
                    band: int) -> bool:
    """The single model beats the combination in total and fold by fold beyond noise."""
    es, a = single[0][:, band], single[1][:, band]
    ec = combo[0][:, band]
    use = a > 0
    if use.sum() < 3 or es[use].sum() >= ec[use].sum():
        return False
    gain = (ec[use] - es[use]) / a[use]  # positive: the single model is better in that fold
    se = float(np.std(gain, ddof=1)) / np.sqrt(use.sum())
    return bool(gain.mean() > SINGLE_MODEL_T * se)


def compose(choice: Choice, preds: dict[str, FloatArray], lead_open: IntArray) -> FloatArray:
    """The chosen forecast from the component predictions, band by band."""
    out = np.zeros(len(lead_open))
    band = band_of(lead_open)
    for b, name in enumerate(choice.per_band):
        sel = band == b
        if sel.any():
            p = component(name, preds)
            if p is None:
                raise ValueError(f"{name}: a component model has no forecast")
            out[sel] = p[sel]
    return out


def parts(name: str) -> list[str]:
    """The models a choice is made of (``mean(a+b)`` -> [a, b]; a model -> [itself])."""
    for op in ("mean(", "median("):
        if name.startswith(op):
            return name[len(op):-1].split("+")
    return [name]


def component(name: str, preds: dict[str, FloatArray]) -> FloatArray | None:
    """The forecast of a model or a combination from the models' forecasts (None if any is
    missing)."""
    if name in preds:
        return preds[name]
    names = parts(name)
    if names == [name] or any(n not in preds for n in names):
        return None
    stack = np.vstack([preds[n] for n in names])
    return np.asarray(np.median(stack, axis=0) if name.startswith("median(")
                      else stack.mean(axis=0))


def open_lead(grid: Grid, cut_day: int, pos: IntArray) -> IntArray:
    """Lead of each position in open days from ``cut_day`` (1 = the first open day on or
    after it; a closed day carries the lead of the open day after it)."""
    last = int(grid.day[pos[-1]]) if len(pos) else cut_day
    days = np.arange(cut_day, last + 1)
    opened = ~grid.days.closed[days]
    lead = np.cumsum(opened)
    lead = np.where(opened, lead, lead + 1)
    return np.asarray(np.maximum(lead, 1)[grid.day[pos] - cut_day], dtype=np.int64)
