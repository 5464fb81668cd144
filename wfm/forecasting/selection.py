"""Rolling-origin backtest, model choice per lead-time band, and calibrated intervals."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from wfm.forecasting.grid import FloatArray, IntArray
from wfm.forecasting.models.base import History, Model
from wfm.forecasting.models.registry import MODELS

BANDS: tuple[tuple[int, int], ...] = ((1, 1), (2, 7), (8, 10_000))
LEVELS: tuple[float, ...] = (0.8, 0.95)


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
    lead_day: IntArray  # 1-based lead day of each evaluated position
    actual: FloatArray
    mask: np.ndarray  # open and observed
    preds: dict[str, FloatArray] = field(default_factory=dict)
    used: dict[str, str] = field(default_factory=dict)


def band_of(lead_day: IntArray) -> IntArray:
    out = np.zeros(len(lead_day), dtype=np.int64)
    for b, (lo, hi) in enumerate(BANDS):
        out[(lead_day >= lo) & (lead_day <= hi)] = b
    return out


def band_errors(folds: list[Fold], name: str) -> tuple[FloatArray, FloatArray]:
    """Summed |error| and summed actual per band over all folds."""
    err = np.zeros(len(BANDS))
    act = np.zeros(len(BANDS))
    for f in folds:
        p = f.preds.get(name)
        if p is None:
            return np.full(len(BANDS), np.inf), np.ones(len(BANDS))
        b = band_of(f.lead_day)[f.mask]
        err += np.bincount(b, np.abs(f.actual[f.mask] - p[f.mask]), minlength=len(BANDS))
        act += np.bincount(b, f.actual[f.mask], minlength=len(BANDS))
    return err, act


@dataclass(frozen=True)
class Choice:
    """Which model forecasts each lead band; a combination is 'mean(a+b)'."""

    per_band: tuple[str, ...]
    label: str
    wmape: float


def choose(folds: list[Fold], candidates: tuple[str, ...]) -> Choice:
    """Best single model by backtest wMAPE; per band or a combination only if clearly better."""
    scores = {c: band_errors(folds, c) for c in candidates}
    total = {c: e.sum() / max(a.sum(), 1e-9) for c, (e, a) in scores.items()}
    ranked = sorted((c for c in candidates if np.isfinite(total[c])), key=lambda c: total[c])
    if not ranked:
        raise ValueError("no candidate model produced a backtest")
    if len(ranked) >= 2:
        combo = f"mean({ranked[0]}+{ranked[1]})"
        for f in folds:
            f.preds[combo] = (f.preds[ranked[0]] + f.preds[ranked[1]]) / 2
        scores[combo] = band_errors(folds, combo)
        total[combo] = scores[combo][0].sum() / max(scores[combo][1].sum(), 1e-9)
        ranked.append(combo)
    best = min(ranked, key=lambda c: total[c])
    per_band = tuple(_best_in_band(ranked, scores, b) for b in range(len(BANDS)))
    act = scores[best][1].sum()
    banded_err = sum(scores[per_band[b]][0][b] for b in range(len(BANDS)))
    if len(set(per_band)) > 1 and banded_err < 0.99 * scores[best][0].sum():
        label = " | ".join(f"d{lo}{'+' if hi > 999 else f'-{hi}'}:{m}"
                           for (lo, hi), m in zip(BANDS, per_band, strict=True))
        return Choice(per_band, label, float(banded_err / act))
    return Choice((best,) * len(BANDS), best, float(total[best]))


def _best_in_band(ranked: list[str], scores: dict[str, tuple[FloatArray, FloatArray]],
                  band: int) -> str:
    return min(ranked, key=lambda c: float(scores[c][0][band]))


def compose(choice: Choice, preds: dict[str, FloatArray], lead_day: IntArray) -> FloatArray:
    """The chosen forecast from the component predictions, band by band."""
    out = np.zeros(len(lead_day))
    band = band_of(lead_day)
    for b, name in enumerate(choice.per_band):
        sel = band == b
        if sel.any():
            out[sel] = component(name, preds)[sel]
    return out


def component(name: str, preds: dict[str, FloatArray]) -> FloatArray:
    if name in preds:
        return preds[name]
    a, b = name[len("mean("):-1].split("+")
    return (preds[a] + preds[b]) / 2


def pearson(actual: FloatArray, mean: FloatArray) -> FloatArray:
    return np.asarray((actual - mean) / np.sqrt(np.maximum(mean, 0.5)))


@dataclass(frozen=True)
class IntervalRule:
    """Prediction interval method: Poisson (the model's own) or residual quantiles per band."""

    method: str  # "poisson" or "calibrated"
    quantiles: dict[float, FloatArray]  # level -> (bands, 2) Pearson residual quantiles


def calibrate(folds: list[Fold], chosen: list[FloatArray]) -> tuple[IntervalRule, dict[str, float]]:
    """Check Poisson coverage on the backtest; use residual quantiles when it is off by >3 pts.

    Returns the rule and the empirical backtest coverage (leave-one-fold-out when calibrated).
    """
    res, bands, fold_id, act, mean = [], [], [], [], []
    for i, (f, p) in enumerate(zip(folds, chosen, strict=True)):
        m = f.mask
        res.append(pearson(f.actual[m], p[m]))
        bands.append(band_of(f.lead_day)[m])
        fold_id.append(np.full(int(m.sum()), i))
        act.append(f.actual[m])
        mean.append(p[m])
    r, b, fid = np.concatenate(res), np.concatenate(bands), np.concatenate(fold_id)
    a, mu = np.concatenate(act), np.concatenate(mean)
    cover: dict[str, float] = {}
    own_ok = True
    for lv in LEVELS:
        lo, hi = poisson_bounds(mu, lv)
        c = float(np.mean((a >= lo) & (a <= hi))) if len(a) else float("nan")
        cover[f"poisson_{int(lv * 100)}"] = c
        own_ok &= bool(abs(c - lv) <= 0.03)
    quant = {lv: _band_quantiles(r, b, lv) for lv in LEVELS}
    if own_ok or len(folds) < 2:
        for lv in LEVELS:
            cover[f"coverage_{int(lv * 100)}"] = cover[f"poisson_{int(lv * 100)}"]
        return IntervalRule("poisson", quant), cover
    for lv in LEVELS:
        hits = np.zeros(len(r), dtype=bool)
        for i in range(len(folds)):
            q = _band_quantiles(r[fid != i], b[fid != i], lv)
            sel = fid == i
            hits[sel] = (r[sel] >= q[b[sel], 0]) & (r[sel] <= q[b[sel], 1])
        cover[f"coverage_{int(lv * 100)}"] = float(hits.mean())
    return IntervalRule("calibrated", quant), cover


def _band_quantiles(r: FloatArray, b: IntArray, level: float) -> FloatArray:
    q = np.zeros((len(BANDS), 2))
    alpha = (1 - level) / 2
    allq = np.quantile(r, [alpha, 1 - alpha]) if len(r) else np.array([-2.0, 2.0])
    for k in range(len(BANDS)):
        sel = r[b == k]
        q[k] = np.quantile(sel, [alpha, 1 - alpha]) if len(sel) >= 50 else allq
    return q


def poisson_bounds(mean: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    # Imported here: scipy.stats takes ~0.5 s to import, paid by every wfm command.
    from scipy import stats

    alpha = (1 - level) / 2
    mu = np.maximum(mean, 1e-9)
    return (np.asarray(stats.poisson.ppf(alpha, mu), dtype=float),
            np.asarray(stats.poisson.ppf(1 - alpha, mu), dtype=float))


def interval_bounds(rule: IntervalRule, mean: FloatArray, lead_day: IntArray,
                    level: float) -> tuple[FloatArray, FloatArray]:
    if rule.method == "poisson":
        return poisson_bounds(mean, level)
    q = rule.quantiles[level][band_of(lead_day)]
    s = np.sqrt(np.maximum(mean, 0.5))
    return np.maximum(mean + q[:, 0] * s, 0.0), np.maximum(mean + q[:, 1] * s, 0.0)

