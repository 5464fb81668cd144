"""Shared fixtures: small seeded frames and a temporary project folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfm.config.model import CONFIG_NAME

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder holding the starter wfm.toml, made the working directory."""
    (tmp_path / CONFIG_NAME).write_text(
        (REPO / "wfm" / "config" / "starter.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path
