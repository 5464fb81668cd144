"""docs/api.md's worked example runs as written and does what it says."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_the_api_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(blocks[0], str(DOC), "exec"), {})
    out = printed.getvalue()
    assert re.search(r"^\d+ rows stored$", out, re.M)
    centre = tmp_path / "centre"
    for area, name in (("forecasts", "forecast.csv"), ("requirements", "requirements.csv"),
                       ("schedules", "roster.csv")):
        assert (centre / area / "latest" / name).is_file(), area
    assert re.search(r"^(OPTIMAL|FEASIBLE) \d{4}-\d\d-\d\d ", out, re.M)
    assert "Coverage of " in out
