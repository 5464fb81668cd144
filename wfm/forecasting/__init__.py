"""Forecasting: volume and handle-time models, backtests, model choice, calendars."""
