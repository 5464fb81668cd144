"""Fixtures of the report tests; the hand-made runs themselves are in report_runs.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_runs import write_schedule_run


@pytest.fixture
def schedule_run(project: Path) -> Path:
    """A schedule run folder under the project's schedules/ (also ``latest``)."""
    return write_schedule_run(project / "schedules")
