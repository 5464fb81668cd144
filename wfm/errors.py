"""The one error hierarchy of wfm.

Every expected failure (bad input, bad configuration, an infeasible model) raises a
:class:`WfmError`. The CLI turns it into a single readable line on stderr and its
``exit_code``; anything else is a bug and keeps its traceback.

Messages name the file, row/column or key, the bad value, what is accepted and, where it
is obvious, the fix.
"""

from __future__ import annotations


class WfmError(Exception):
    """Base class of every error wfm expects and reports without a traceback."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message}\n  hint: {hint}")


class ConfigError(WfmError):
    """wfm.toml (or a mapping file) is missing, unparsable or holds a bad key/value."""


class InputDataError(WfmError):
    """An input file (interval export, agents file, requirements, forecast) is unusable."""


class ForecastError(WfmError):
    """No forecast could be produced for a series, even by the fallback models."""


class StaffingError(WfmError):
    """A staffing target or parameter is invalid, or no staffing can meet the target."""


class InfeasibleScheduleError(WfmError):
    """No roster satisfies the hard rules; the message names the binding rule."""


class SolverError(WfmError):
    """A solver stopped without a usable answer (time limit with no solution, model invalid)."""


class PlanError(WfmError):
    """A capacity plan's inputs do not fit together (a hire class outside the plan, a
    training seat limit below a class already planned, ...)."""


class ExecutionError(WfmError):
    """Work sent to an executor could not be run: a worker died twice on the same item (a
    queue, a site), or the Dask cluster cannot be reached; the message names the item."""


class OutputError(WfmError):
    """An output could not be written (missing folder, read-only location, unknown run id)."""


class LockHeldError(WfmError):
    """Another run holds the project lock (exit code 75, EX_TEMPFAIL, so cron may retry)."""

    exit_code = 75
