"""[forecasting] keys validated against the model registry and the horizon syntax."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfm.config import parse_config
from wfm.errors import ConfigError
from wfm.forecasting import DEFAULT_CANDIDATES


def _parse(body: str):  # type: ignore[no-untyped-def]
    return parse_config(f"[forecasting]\n{body}\n", Path("/x/wfm.toml"))


def test_defaults() -> None:
    fc = _parse("").forecasting
    assert (fc.horizon, fc.model, fc.backtest_cutoffs, fc.candidates, fc.workers) == (
        "6w", "auto", 8, DEFAULT_CANDIDATES, 0)


def test_unknown_model_lists_valid() -> None:
    with pytest.raises(ConfigError, match=r"model = 'arima' is not valid; accepted: auto, "
                                          r"seasonal_naive, weekly_mean"):
        _parse('model = "arima"')


def test_bad_candidates_and_horizon() -> None:
    with pytest.raises(ConfigError, match=r"candidates = \['dhr', 'nope'\] is not valid"):
        _parse('candidates = ["dhr", "nope"]')
    with pytest.raises(ConfigError, match=r"horizon = '6 weeks' is not valid; accepted: a "
                                          r"number of days or weeks"):
        _parse('horizon = "6 weeks"')
    assert _parse('candidates = ["dhr"]\nhorizon = "14d"').forecasting.candidates == ("dhr",)
