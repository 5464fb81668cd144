"""[[queues]] cold targets: response clock, and their path to the staffing arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfm.config.model import parse_config
from wfm.config.staffing import staffing_inputs
from wfm.errors import ConfigError

P = Path("wfm.toml")
EMAIL = """[[queues]]
name = "mail"
channel = "email"
response_target = 1.0
response_time_h = 4
response_clock = "working"
aht_s = 300
"""


def test_working_clock_reaches_queue_targets() -> None:
    cfg = parse_config(EMAIL, P)
    q = staffing_inputs(cfg, [2026]).queues["mail"]
    assert (q.response_target, q.response_time_s, q.response_clock) == (1.0, 14400.0, "working")
    assert q.is_deferred


def test_bad_response_clock() -> None:
    with pytest.raises(ConfigError, match=r"response_clock = 'office' is not valid; accepted: "
                                          r"calendar, working"):
        parse_config(EMAIL.replace('"working"', '"office"'), P)


def test_closed_dates_include_public_holidays_and_closed_special_days() -> None:
    text = ('[site]\ncountry = "FR"\n[[site.special_days]]\ndate = "2026-03-02"\n'
            'name = "move"\neffect = "closed"\n' + EMAIL)
    closed = staffing_inputs(parse_config(text, P), [2026]).closed_dates
    from datetime import date
    assert date(2026, 5, 1) in closed and date(2026, 3, 2) in closed
    assert date(2026, 3, 3) not in closed
