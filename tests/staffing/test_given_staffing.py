"""Measuring a given staffing (staffing to a confidence level) instead of sizing one."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from wfm.staffing.erlang_a import erlang_a
from wfm.staffing.erlang_c import service_level
from wfm.staffing.requirements import QueueTargets, StaffingInputs, staff_forecast
from wfm.staffing.shrinkage import ShrinkageProfile

TZ = ZoneInfo("Europe/Paris")
QUEUES = {
    "voice": QueueTargets("voice", sl_target=0.8, sl_threshold_s=20.0, patience_s=150.0),
    "chat": QueueTargets("chat", sl_target=0.8, sl_threshold_s=60.0, concurrency=2),
    "email": QueueTargets("email", response_target=0.9, response_time_s=8 * 3600.0),
}
INPUTS = StaffingInputs(QUEUES, interval_minutes=15, timezone=TZ)
INPUTS_30 = replace(INPUTS, shrinkage=ShrinkageProfile(0.3))


def _forecast() -> pd.DataFrame:
    starts = pd.date_range("2026-01-05", periods=2 * 96, freq="15min", tz=TZ)
    hour = starts.hour.to_numpy() + starts.minute.to_numpy() / 60
    busy = np.exp(-0.5 * ((hour - 13) / 3) ** 2) * ((hour >= 8) & (hour < 20))
    parts = [pd.DataFrame({"queue": q, "channel": q, "interval_start": starts.tz_convert("UTC"),
                           "offered": scale * busy + (2.0 if q == "email" else 0.0),
                           "aht_s": aht})
             for q, scale, aht in (("voice", 60.0, 300.0), ("chat", 30.0, 600.0),
                                   ("email", 6.0, 400.0))]
    return pd.concat(parts, ignore_index=True)


def test_the_plain_staffing_given_back_reproduces_the_plain_requirements() -> None:
    fc = _forecast()
    plain, plain_daily = staff_forecast(fc, INPUTS_30)
    given = {q: g.set_index("interval_start")["agents_productive"]
             for q, g in plain.groupby("queue")}
    again, daily = staff_forecast(fc, INPUTS_30, agents=given)
    for col in ("agents_productive", "agents_required", "service_level", "asa_s",
                "abandon_rate", "backlog"):
        assert again[col].to_numpy() == pytest.approx(plain[col].to_numpy(), abs=1e-6,
                                                      nan_ok=True), col
    assert daily["agent_hours_scheduled"].tolist() == pytest.approx(
        plain_daily["agent_hours_scheduled"].tolist())


def test_one_agent_more_everywhere_is_measured_with_the_exact_formulas() -> None:
    fc = _forecast()
    plain, _ = staff_forecast(fc, INPUTS)
    more = {q: g.set_index("interval_start")["agents_productive"] + 1
            for q, g in plain.groupby("queue") if q != "email"}
    req, _ = staff_forecast(fc, INPUTS, agents=more)
    voice = req[req["queue"] == "voice"]
    load = voice["offered"].to_numpy() * 300.0 / 900.0
    n = voice["agents_productive"].to_numpy()
    assert n == pytest.approx(plain[plain["queue"] == "voice"]["agents_productive"] + 1)
    assert voice["service_level"].to_numpy() == pytest.approx(
        erlang_a(n, load, 300.0, 150.0, 20.0)["sl_offered"])
    chat = req[req["queue"] == "chat"]
    slots = 2 * chat["agents_productive"].to_numpy()
    load = chat["offered"].to_numpy() * 600.0 / 900.0
    assert chat["service_level"].to_numpy() == pytest.approx(
        service_level(slots, load, 600.0, 60.0))
    # A queue not given is sized as usual.
    email = req[req["queue"] == "email"]["agents_productive"].to_numpy()
    assert email == pytest.approx(plain[plain["queue"] == "email"]["agents_productive"])
