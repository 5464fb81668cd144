"""[forecasting]: horizon, model choice, backtest and execution settings."""

from __future__ import annotations

from dataclasses import dataclass

from wfm.config._reader import TableReader
from wfm.errors import ForecastError
from wfm.forecasting import AUTO, DEFAULT_CANDIDATES, MODELS, parse_horizon


@dataclass(frozen=True)
class ForecastingConfig:
    """``model`` is ``auto`` or a registry name; ``candidates`` are what ``auto`` compares.

    ``stale_weeks``: a series with no volume in that many weeks before the start is skipped
    with a warning. ``workers``: processes (0 = every usable core). ``adjustments_file``:
    the planner's adjustments every forecast applies (relative to wfm.toml's folder).
    """

    horizon: str = "6w"
    model: str = AUTO
    backtest_cutoffs: int = 8
    candidates: tuple[str, ...] = DEFAULT_CANDIDATES
    stale_weeks: int = 4
    workers: int = 0
    adjustments_file: str = "adjustments.toml"


def horizon_text(v: object) -> str:
    """A horizon such as ``"6w"`` that :func:`parse_horizon` accepts (the TableReader
    conversion of [forecasting] and [run] horizon)."""
    if not isinstance(v, str):
        raise TypeError
    try:
        parse_horizon(v)
    except ForecastError:
        raise ValueError from None
    return v.strip()


def _models(v: object) -> tuple[str, ...]:
    if not isinstance(v, list) or not v or not all(x in MODELS for x in v):
        raise ValueError
    return tuple(v)


def read_forecasting(t: TableReader) -> ForecastingConfig:
    d = ForecastingConfig()
    names = ", ".join(MODELS)
    out = ForecastingConfig(
        horizon=t.value("horizon", d.horizon, convert=horizon_text,
                        accepted="a number of days or weeks such as 14d or 6w, at most 53w"),
        model=t.str("model", d.model, choices=(AUTO, *MODELS)),
        backtest_cutoffs=t.number("backtest_cutoffs", d.backtest_cutoffs, low=1, high=52,
                                  integer=True),
        candidates=t.value("candidates", d.candidates, convert=_models,
                           accepted=f"a non-empty list of model names from: {names}"),
        stale_weeks=t.number("stale_weeks", d.stale_weeks, low=1, high=520, integer=True),
        workers=t.number("workers", d.workers, low=0, high=1024, integer=True),
        adjustments_file=t.str("adjustments_file", d.adjustments_file),
    )
    t.finish()
    return out
