"""Error measures on open intervals only (closed intervals never count)."""

from __future__ import annotations

import numpy as np

from wfm.forecasting.grid import FloatArray


def wmape(actual: FloatArray, forecast: FloatArray) -> float:
    """Weighted MAPE: sum |a - f| / sum a (a fraction, 0 is perfect)."""
    den = float(np.sum(actual))
    return float(np.sum(np.abs(actual - forecast)) / den) if den > 0 else float("nan")


def bias(actual: FloatArray, forecast: FloatArray) -> float:
    """(sum f - sum a) / sum a: positive means over-forecast."""
    den = float(np.sum(actual))
    return float((np.sum(forecast) - den) / den) if den > 0 else float("nan")


def mase(actual: FloatArray, forecast: FloatArray, scale: float) -> float:
    """Mean absolute error over ``scale`` (the in-sample weekly-naive MAE)."""
    return float(np.mean(np.abs(actual - forecast)) / scale) if scale > 0 else float("nan")
