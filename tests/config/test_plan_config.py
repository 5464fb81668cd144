"""[plan]: defaults, the starter's values, and one readable error per bad key."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from wfm.capacity import TenureBand
from wfm.config import parse_config
from wfm.config.plan import (
    check_planned_classes,
    plan_scenarios,
    planned_classes,
    queue_groups,
)
from wfm.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
P = Path("/project/wfm.toml")
QUEUES = """
[[queues]]
name = "voice_fr"
[[queues]]
name = "voice_en"
[[queues]]
name = "chat_fr"
channel = "chat"
"""


def cfg(text: str):  # type: ignore[no-untyped-def]
    return parse_config(QUEUES + text, P)


def test_defaults_and_groups_one_per_queue() -> None:
    c = cfg("[staffing]\nshrinkage = 0.25\n")
    assert c.plan.horizon_weeks == 52 and c.plan.model == "dhr"
    assert c.plan.shrinkage.by_month == (0.25,) * 12  # [staffing] shrinkage by default
    assert c.plan.attrition == () and c.plan.scenarios == ()
    groups, mapping = queue_groups(c)
    assert groups == ("voice_fr", "voice_en", "chat_fr")
    assert mapping == {"voice_fr": "voice_fr", "voice_en": "voice_en", "chat_fr": "chat_fr"}
    assert [s.name for s in plan_scenarios(c)] == ["base"]


def test_the_starter_plan() -> None:
    c = parse_config((REPO / "wfm" / "config" / "starter.toml").read_text(encoding="utf-8"),
                     P)
    p = c.plan
    assert p.attrition == (TenureBand(0, 0.04), TenureBand(6, 0.02), TenureBand(24, 0.012))
    assert p.shrinkage.by_month[6:8] == (0.36, 0.40) and p.shrinkage.by_month[0] == 0.30
    assert [s.name for s in p.scenarios] == ["growth", "high_attrition"]
    assert p.hiring.training.ramp == (0.5, 0.75) and p.hiring.training_seats == 15
    assert [s.name for s in plan_scenarios(c, ["growth"])] == ["growth"]


def test_groups_classes_and_scenarios_are_read() -> None:
    c = cfg("""
[plan.skill_groups]
voice = ["voice_fr", "voice_en"]
[[plan.hire_classes]]
start = 2027-02-01
size = 8
skills = ["voice_en", "chat_fr"]
ramp = [0.6]
[[plan.scenarios]]
name = "up"
volume_factor = 1.2
sl_target = 0.9
""")
    groups, mapping = queue_groups(c)
    assert groups == ("voice", "chat_fr") and mapping["voice_en"] == "voice"
    (cls,) = planned_classes(c, mapping)
    assert (cls.group, cls.size, cls.joined, cls.kind) == ("voice", 8.0, date(2027, 2, 1),
                                                           "planned")
    assert cls.training is not None and cls.training.ramp == (0.6,)
    assert cls.training.training_weeks == 4  # from [plan.hiring]
    up = c.plan.scenarios[0]
    assert (up.volume_factor, up.sl_target, up.aht_factor) == (1.2, 0.9, 1.0)


@pytest.mark.parametrize(("text", "message"), [
    ("[plan.hiring]\nmin_class_size = 0\n",
     "[plan.hiring] min_class_size = 0 is not valid; accepted: an integer in [1, inf]"),
    ("[plan.hiring]\nmin_class_size = 6\nmax_class_size = 5\n",
     "[plan.hiring] max_class_size = 5 is not valid; accepted: a whole number >= "
     "min_class_size = 6"),
    ("[plan.hiring]\nramp = [0.5, 1.5]\n",
     "[plan.hiring] ramp = [0.5, 1.5] is not valid; accepted: a list of proficiencies"),
    ("[plan.hiring]\ntraining_seat = 3\n",
     "unknown key 'training_seat' in [plan.hiring]; did you mean 'training_seats'?"),
    ("[plan]\nhorizon_weeks = 200\n",
     "[plan] horizon_weeks = 200 is not valid; accepted: an integer in [1, 104]"),
    ("[plan]\nmodel = \"auto\"\n", "[plan] model = 'auto' is not valid; accepted: "),
    ("[plan.skill_groups]\nvoice = [\"voice_de\"]\n",
     "[plan.skill_groups] voice = ['voice_de'] is not valid; accepted: a list of queues of "
     "[[queues]]: voice_fr, voice_en, chat_fr"),
    ("[plan.skill_groups]\na = [\"voice_fr\"]\nb = [\"voice_fr\"]\n",
     "queues in one group only; 'voice_fr' is already in group 'a'"),
    ("[plan.skill_groups]\nall = [\"voice_fr\"]\n", "a group name other than 'all'"),
    ("[[plan.attrition]]\ntenure_from_months = 3\nmonthly_rate = 0.02\n",
     "[[plan.attrition]] the first attrition band starts at 3 months"),
    ("[[plan.attrition]]\nmonthly_rate = -0.02\n",
     "[plan.attrition.1] monthly_rate = -0.02 is not valid; accepted: a number in [0, 1)"),
    ("[[plan.attrition]]\nmonthly_rate = 1.0\n",
     "[plan.attrition.1] monthly_rate = 1.0 is not valid; accepted: a number in [0, 1)"),
    ("[plan.shrinkage_by_month]\njul = 1.2\n",
     "[plan.shrinkage_by_month] jul = 1.2 is not valid; accepted: a number in [0, 1)"),
    ("[[plan.shrinkage_periods]]\nfirst = 2027-07-10\nlast = 2027-07-01\nshrinkage = 0.4\n",
     "[plan.shrinkage_periods.1] last = '2027-07-01' is not valid; accepted: "
     "a date on or after first = 2027-07-10"),
    ("[[plan.scenarios]]\nname = \"base\"\n", "a unique name other than 'base'"),
    ("[[plan.scenarios]]\nname = \"x\"\n[[plan.scenarios]]\nname = \"x\"\n",
     "[plan.scenarios.2] name = 'x' is not valid"),
    ("[[plan.scenarios]]\nname = \"x\"\nvolume_factor = 0\n",
     "[plan.scenarios.1] volume_factor = 0 is not valid; accepted: a number in (0, inf]"),
    ("[[plan.hire_classes]]\nstart = 2027-02-01\nsize = 5\nskills = [\"email\"]\n",
     "[plan.hire_classes.1] skills = ['email'] is not valid; accepted: a list of queues"),
    ("[[plan.hire_classes]]\nstart = \"2027-02-30\"\nsize = 5\nskills = [\"chat_fr\"]\n",
     "[plan.hire_classes.1] start = '2027-02-30' is not valid; accepted: a date YYYY-MM-DD"),
    ("[[plan.hire_classes]]\nstart = 2027-02-01T09:00:00\nsize = 5\nskills = [\"chat_fr\"]\n",
     "[plan.hire_classes.1] start = 2027-02-01T09:00:00 is not valid; "
     "accepted: a date YYYY-MM-DD"),
    ("[[plan.scenarios]]\nname = \"x\"\nattrition_factor = -0.5\n",
     "[plan.scenarios.1] attrition_factor = -0.5 is not valid; accepted: a number in [0, inf]"),
    ("[plan.shrinkage_by_month]\naug = 0.4\n[[plan.scenarios]]\nname = \"x\"\n"
     "shrinkage_change = 0.65\n",
     "[plan.scenarios.1] shrinkage_change = 0.65 is not valid; accepted: a change keeping "
     "the plan's shrinkage (0.3 to 0.4) in [0, 1): at least -0.3 and below 0.6"),
    ("[[plan.hire_classes]]\nsize = 5\nskills = [\"chat_fr\"]\n",
     "[plan.hire_classes.1] is missing the required key 'start'"),
])
def test_bad_plan_keys_are_one_readable_error(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        cfg(text)
    assert message in info.value.message
    assert str(P) in info.value.message
    assert "\n" not in info.value.message


def test_hire_classes_against_the_plan_period() -> None:
    """Four weeks of training and a two-week ramp: a class of 4 January is fully trained
    on 15 February; a plan starting then refuses it (its hires are agents by then), one
    starting a week earlier keeps it, and a class after the plan's end is a warning."""
    c = cfg("""
[plan.hiring]
training_weeks = 4
ramp = [0.5, 0.75]
[[plan.hire_classes]]
name = "january"
start = 2027-01-04
size = 5
skills = ["voice_fr"]
[[plan.hire_classes]]
start = 2027-09-06
size = 5
skills = ["voice_fr"]
""")
    assert check_planned_classes(c, date(2027, 2, 8), date(2027, 12, 26)) == []
    with pytest.raises(ConfigError) as info:
        check_planned_classes(c, date(2027, 2, 15), date(2027, 12, 26))
    assert info.value.message == (
        f"{P}: [plan.hire_classes.1] start = 2027-01-04 is not valid: class 'january' is "
        "fully trained on 2027-02-15, before the plan starts on 2027-02-15; accepted: a "
        "start on or after 2027-01-05")
    assert "agents file" in (info.value.hint or "")
    (warning,) = check_planned_classes(c, date(2027, 2, 1), date(2027, 8, 29))
    assert warning == ("[plan.hire_classes.2] 'class 2' starts on 2027-09-06, after the "
                       "plan's last day 2027-08-29; left out of this plan")


def test_unknown_scenario_on_the_command_line_lists_the_known_ones() -> None:
    c = cfg("[[plan.scenarios]]\nname = \"up\"\n")
    with pytest.raises(ConfigError, match=re.escape(
            "scenario 'down' is not in [[plan.scenarios]]; known: base, up")):
        plan_scenarios(c, ["down"])
