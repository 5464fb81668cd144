import itertools
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from wfm.errors import ConfigError
from wfm.scheduling.rules import ShiftRules
from wfm.scheduling.shift_catalog import build_catalog


def test_dst_week_has_a_23_hour_day_and_shifts_keep_real_length():
    cat = build_catalog(date(2026, 3, 23), ZoneInfo("Europe/Paris"), ShiftRules(), 15)
    firsts = cat.grid.day_first_slot
    assert [b - a for a, b in itertools.pairwise(firsts)] == [96] * 6 + [92]
    sunday = cat.day == 6
    # 02:00-02:45 local do not exist on 29 March 2026: no shift starts then
    assert not ((cat.start_min[sunday] >= 120) & (cat.start_min[sunday] < 180)).any()
    assert ((cat.end - cat.start) == cat.n_slots_of).all()


def test_shift_too_short_for_its_lunch_is_a_config_error():
    rules = ShiftRules(shift_lengths_h=(6.0,))
    from wfm.scheduling.rules import BreakRule
    bad = ShiftRules(shift_lengths_h=(6.0,), breaks=(BreakRule("lunch", 60, 300, 330, 6.0),))
    build_catalog(date(2026, 6, 1), ZoneInfo("UTC"), rules, 15)
    with pytest.raises(ConfigError, match="cannot fit its 60-min lunch"):
        build_catalog(date(2026, 6, 1), ZoneInfo("UTC"), bad, 15)
