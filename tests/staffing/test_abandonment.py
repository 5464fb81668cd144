"""The abandonment check behind `wfm staff`'s warning (offered-weighted, per queue)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.staffing.abandonment import abandonment_warnings


def frame(queue: str, offered: list[float], rate: list[float]) -> pd.DataFrame:
    starts = pd.date_range("2026-01-05 08:00", periods=len(offered), freq="15min",
                          tz="Europe/Paris")
    return pd.DataFrame({"queue": queue, "interval_start": starts, "offered": offered,
                         "abandon_rate": rate})


def test_weighted_by_offered_and_names_the_worst_interval() -> None:
    # A quiet interval at 40 % does not make a queue whose busy intervals lose 5 % warn;
    # the busy ones at 15 % do, even beside a quiet one at 0 %.
    quiet = frame("a", [1.0, 200.0, 200.0], [0.40, 0.05, 0.05])
    busy = frame("b", [0.0, 200.0, 100.0, 1.0], [0.9, 0.15, 0.12, 0.0])
    deferred = frame("c", [50.0, 50.0], [np.nan, np.nan])
    out = abandonment_warnings(pd.concat([quiet, busy, deferred]), 0.10)
    assert [w.queue for w in out] == ["b"]
    w = out[0]
    assert w.abandon_rate == pytest.approx((200 * 0.15 + 100 * 0.12) / 301)
    assert w.intervals_above == 2  # the interval with nothing offered does not count
    assert w.worst_rate == 0.15
    assert w.worst_start == pd.Timestamp("2026-01-05 08:15", tz="Europe/Paris")
    assert w.message.startswith("queue 'b': 14.0% of offered contacts abandon under the "
                                "staffing (above the 10% ceiling; 2 interval(s) above it, "
                                "up to 15.0% at 2026-01-05T08:15:00+01:00)")
    assert abandonment_warnings(pd.concat([quiet, busy]), 0.14) == []
