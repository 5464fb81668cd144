"""Forecast models behind one protocol, and their registry."""

from wfm.forecasting.models.base import History, Model, Prediction
from wfm.forecasting.models.registry import AUTO, DEFAULT_CANDIDATES, MODELS

__all__ = ["AUTO", "DEFAULT_CANDIDATES", "MODELS", "History", "Model", "Prediction"]
