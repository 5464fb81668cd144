"""What a forecast run learnt and decided for one series (the manifest's ``series``)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class SeriesFacts:
    """Facts of one forecast series.

    ``model`` is the label of what forecasts it (``mean(dhr+topdown_ets)`` for a
    combination, the model used after any fallback); ``requested`` what was asked
    (``auto`` or a name); ``fallbacks`` per model the reasons it fell back; ``seconds`` the
    fit + predict time per model over every fold and the final fit [s]. With a backtest:
    ``backtest_wmape`` of the choice, ``backtest_cutoffs`` (local dates), the interval
    method and its leave-one-fold-out coverage at 80 and 95 % (``coverage_*``, and what
    Poisson intervals would have covered, ``poisson_*``), the over-dispersion per level and
    lead band (``interval_kappa``), and the dispersion of days and intraday deviations the
    intraday update uses (``day_cv2``, ``intraday_cv2``, ``intraday_corr``). Without one,
    ``note`` says why. ``library_warnings``: warnings of numpy/statsmodels while forecasting.
    """

    history_days: int
    model: str = ""
    requested: str = ""
    fallbacks: dict[str, list[str]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    note: str = ""
    backtest_wmape: float | None = None
    backtest_cutoffs: list[str] = field(default_factory=list)
    interval_method: str | None = None
    coverage_80: float | None = None
    coverage_95: float | None = None
    poisson_80: float | None = None
    poisson_95: float | None = None
    interval_kappa: dict[str, list[list[float]]] | None = None
    day_cv2: float | None = None
    intraday_cv2: float | None = None
    intraday_corr: float | None = None
    library_warnings: list[str] = field(default_factory=list)

    def fallback_reasons(self) -> list[str]:
        """Every reason any model of the series fell back, in model order."""
        return [r for reasons in self.fallbacks.values() for r in reasons]

    def to_dict(self) -> dict[str, Any]:
        """The facts as the manifest records them (unset facts left out, NaN as null)."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if value is None or value == "" or (value == [] and key != "fallbacks"):
                continue
            out[key] = None if isinstance(value, float) and math.isnan(value) else value
        return out
