"""Shrinkage by weekday and time-of-day band: config validation and the profile."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from wfm.cli.main import cli
from wfm.config.model import parse_config
from wfm.errors import ConfigError, StaffingError
from wfm.staffing.shrinkage import ShrinkageBand, ShrinkageProfile

P = Path("wfm.toml")
BANDS = """[staffing]
shrinkage = 0.3
[staffing.shrinkage_by_weekday]
sat = 0.2
[[staffing.shrinkage_bands]]
days = ["mon", "tue"]
start = "08:00"
end = "10:00"
shrinkage = 0.5
[[staffing.shrinkage_bands]]
start = "19:00"
end = "24:00"
shrinkage = 0.1
"""


def test_bands_weekday_and_default_resolve_in_order() -> None:
    profile = parse_config(BANDS, P).staffing.shrinkage_profile()
    wd = np.array([0, 0, 1, 2, 5, 5, 6])
    clock = np.array([8 * 60, 10 * 60, 9 * 60 + 45, 9 * 60, 12 * 60, 23 * 60 + 45, 0])
    assert profile.at(wd, clock).tolist() == [0.5, 0.3, 0.5, 0.3, 0.2, 0.1, 0.3]


@pytest.mark.parametrize(("text", "message"), [
    (BANDS.replace('end = "10:00"', 'end = "07:00"'),
     "[staffing.shrinkage_bands.1] end = '07:00' is not valid; accepted: a clock time after "
     "start = '08:00'"),
    (BANDS.replace("shrinkage = 0.5", "shrinkage = 1.0"),
     "[staffing.shrinkage_bands.1] shrinkage = 1.0 is not valid; accepted: a number in [0, 1)"),
    (BANDS.replace('days = ["mon", "tue"]', 'days = ["monday"]'),
     "[staffing.shrinkage_bands.1] days = ['monday'] is not valid; accepted: a list of "
     "weekdays from mon, tue"),
    (BANDS.replace('start = "19:00"', 'start = "09:00"'),
     "[staffing]: shrinkage bands 1 and 2 overlap on mon"),
    (BANDS.replace("sat = 0.2", "sat = 1.5"),
     "[staffing.shrinkage_by_weekday] sat = 1.5 is not valid; accepted: a number in [0, 1)"),
    (BANDS.replace('start = "19:00"\n', ""),
     "[staffing.shrinkage_bands.2] is missing the required key 'start'"),
])
def test_bad_bands_are_clear_config_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text, P)
    assert message in str(err.value)


def test_profile_rejects_shrinkage_of_one() -> None:
    with pytest.raises(StaffingError, match=r"shrinkage 1\.0 is not valid"):
        ShrinkageProfile(0.3, None, (ShrinkageBand((0,), 0, 60, 1.0),))


def test_staff_applies_bands_to_scheduled_agents_and_fte(project: Path) -> None:
    toml = project / "wfm.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "hours_per_fte = 35.0", 'hours_per_fte = 35.0\n[[staffing.shrinkage_bands]]\n'
        'days = ["mon"]\nstart = "08:00"\nend = "09:00"\nshrinkage = 0.5'), encoding="utf-8")
    starts = pd.date_range("2026-01-05 07:30", periods=8, freq="15min", tz="Europe/Paris")
    pd.DataFrame({"queue": "voice_en", "channel": "voice",
                  "interval_start": [t.isoformat() for t in starts], "offered": 30.0,
                  "aht_s": 300.0, "model": "t"}).to_csv(project / "fc.csv", index=False)
    r = CliRunner().invoke(cli, ["staff", "--forecast", "fc.csv", "--output-dir", "out"])
    assert r.exit_code == 0, r.output
    req = pd.read_csv(project / "out" / "requirements.csv")
    expected = np.where(np.isin(np.arange(8), [2, 3, 4, 5]), 0.5, 0.3)
    assert req["agents_required"].to_numpy() == pytest.approx(
        req["agents_productive"].to_numpy() / (1 - expected))
    daily = pd.read_csv(project / "out" / "daily.csv")
    assert daily["fte"].iloc[0] == pytest.approx(req["agents_required"].sum() * 0.25 / 7.0)
