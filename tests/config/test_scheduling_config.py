"""[scheduling]: break/lunch rules, per-queue weights and their validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfm.config import parse_config
from wfm.errors import ConfigError
from wfm.scheduling.rules import BreakRule

P = Path("/p/wfm.toml")
LUNCH = ("[[scheduling.breaks]]\nkind='lunch'\nduration_min=60\nwindow_start_min=180\n"
         "window_end_min=300\nmin_shift_h={m}\n")


def test_defaults_give_a_break_per_4h_and_an_unpaid_lunch() -> None:
    rules = parse_config("", P).scheduling.rules
    assert [b.kind for b in rules.breaks_for(4)] == ["break"]
    assert [b.kind for b in rules.breaks_for(8)] == ["break", "lunch", "break"]
    assert rules.paid_hours(8) == 7.5
    assert rules.paid_hours(4) == 4.0


def test_breaks_and_weights_are_read_and_mapped_to_shift_rules() -> None:
    queues = "".join(f'[[queues]]\nname = "{q}"\nchannel = "{c}"\n'
                     for q, c in (("voice_fr", "voice"), ("email_fr", "email")))
    text = (queues + "[scheduling]\nshift_lengths_h=[6, 9]\nmin_rest_h=12\n"
            "allow_overnight=true\n[scheduling.understaffing_weights]\nvoice_fr=25\n"
            "[scheduling.overstaffing_weights]\nemail_fr=0.5\n" + LUNCH.format(m=6))
    cfg = parse_config(text, P).scheduling
    rules = cfg.rules
    assert rules.breaks == (BreakRule("lunch", 60, 180, 300, 6.0, paid=False),)
    assert rules.queue_overstaffing_weight == {"email_fr": 0.5}
    assert rules.shift_lengths_h == (6.0, 9.0)
    assert rules.min_rest_h == 12.0
    assert rules.allow_overnight
    assert rules.under_weight("voice_fr") == 25.0
    assert rules.under_weight("chat_fr") == 10.0
    assert rules.over_weight("email_fr") == 0.5
    assert rules.over_weight("voice_fr") == 1.0
    assert rules.paid_hours(9) == 8.0


def test_agent_friendly_rules_are_read_and_mapped_to_shift_rules() -> None:
    defaults = parse_config("", P).scheduling.rules
    assert (defaults.min_queue_block_min, defaults.queue_switch_cost,
            defaults.max_queue_switches_per_day) == (60, 0.1, 4)
    text = ("[scheduling]\nmin_queue_block_min=90\nqueue_switch_cost=0.5\n"
            "max_queue_switches_per_day=2\nstart_time_stability_weight=1.5\n"
            "previous_week_start_weight=0\n")
    rules = parse_config(text, P).scheduling.rules
    assert rules.min_queue_block_min == 90
    assert rules.queue_switch_cost == 0.5
    assert rules.max_queue_switches_per_day == 2
    assert rules.start_time_stability_weight == 1.5
    assert rules.previous_week_start_weight == 0.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[scheduling]\nmin_queue_block_min=-15\n",
         "[scheduling] min_queue_block_min = -15 is not valid"),
        ("[scheduling]\nmax_queue_switches_per_day=1.5\n",
         "[scheduling] max_queue_switches_per_day = 1.5 is not valid"),
        ("[scheduling]\nqueue_switch_cost=-1\n", "[scheduling] queue_switch_cost = -1 is not"),
        ("[scheduling]\nstart_time_stability_wieght=1\n",
         "did you mean 'start_time_stability_weight'?"),
        ("[scheduling]\nshift_lengths_h=[4]\n" + LUNCH.format(m=4),
         "/p/wfm.toml: [scheduling] breaks: a 4 h shift cannot fit its 60-min lunch starting "
         "3-5 h after the shift start: it would fall outside the shift"),
        ("[scheduling]\nshift_lengths_h=[5, 8]\n" + LUNCH.format(m=5),
         "a 5 h shift cannot fit its 60-min lunch"),
        ("[[scheduling.breaks]]\nkind='nap'\nduration_min=15\nwindow_start_min=1\n"
         "window_end_min=2\n",
         "[scheduling.breaks.1] kind = 'nap' is not valid; accepted: break, lunch"),
        ("[[scheduling.breaks]]\nkind='break'\nduration_min=15\nwindow_start_min=90\n"
         "window_end_min=60\n",
         "[scheduling.breaks.1] window_end_min = 60 is not valid; accepted: a number >= "
         "window_start_min (90)"),
        ("[[scheduling.breaks]]\nkind='break'\nduration_min=15\nwindow_start_min=60\n",
         "[scheduling.breaks.1] is missing the required key 'window_end_min'"),
        ("[[scheduling.breaks]]\nkind='break'\nduration_min=15\nwindow_start_min=60\n"
         "window_end_min=90\nmin_shift=4\n", "did you mean 'min_shift_h'?"),
        ("[scheduling.understaffing_weights]\nvoice_fr=-1\n",
         "[scheduling.understaffing_weights] voice_fr = -1 is not valid"),
        ("[scheduling]\nstart_grid_minutes=7\n",
         "[scheduling] start_grid_minutes = 7 is not valid; accepted: a whole number of "
         "minutes that divides a day"),
        ("[scheduling]\nmin_rest_h=30\n", "[scheduling] min_rest_h = 30 is not valid"),
    ],
)
def test_bad_rules_are_config_errors_naming_the_key(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_config(text, P)
    assert expected in exc.value.message


def test_overlapping_break_windows_are_rejected() -> None:
    text = ("[scheduling]\nshift_lengths_h=[8]\n"
            "[[scheduling.breaks]]\nkind='break'\nduration_min=15\nwindow_start_min=60\n"
            "window_end_min=200\n" + LUNCH.format(m=6))
    with pytest.raises(ConfigError, match="may overlap the break before it"):
        parse_config(text, P)


def test_solver_limits_and_agents_file_are_read_into_solver_params() -> None:
    defaults = parse_config("", P).scheduling
    assert (defaults.solver.time_limit_s, defaults.solver.workers, defaults.solver.seed,
            defaults.solver.relative_gap) == (120.0, 2, 0, 0.001)
    assert defaults.agents_file == ""
    cfg = parse_config("[scheduling]\ntime_limit_s=30\nworkers=1\nseed=7\nrelative_gap=0\n"
                       'agents_file="staff/agents.csv"\n', P).scheduling
    assert (cfg.solver.time_limit_s, cfg.solver.workers, cfg.solver.seed,
            cfg.solver.relative_gap) == (30, 1, 7, 0)
    assert cfg.agents_file == "staff/agents.csv"


def test_config_show_keeps_the_sections_wfm_toml_keys() -> None:
    text = ("[[queues]]\nname = 'voice_fr'\nchannel = 'voice'\n[scheduling]\nworkers=1\n"
            "min_rest_h=12\n[scheduling.understaffing_weights]\nvoice_fr=25\n")
    shown = parse_config(text, P).to_dict()["scheduling"]
    assert list(shown) == [
        "start_grid_minutes", "shift_lengths_h", "min_rest_h", "max_consecutive_days",
        "days_off_per_week", "allow_overnight", "understaffing_weight", "overstaffing_weight",
        "cost_per_paid_hour", "time_limit_s", "workers", "seed", "relative_gap",
        "min_queue_block_min", "queue_switch_cost", "max_queue_switches_per_day",
        "start_time_stability_weight", "previous_week_start_weight", "agents_file", "breaks",
        "understaffing_weights", "overstaffing_weights"]
    assert (shown["workers"], shown["min_rest_h"]) == (1, 12)
    assert shown["understaffing_weights"] == {"voice_fr": 25.0}
    assert shown["breaks"][1] == {"kind": "lunch", "duration_min": 30, "window_start_min": 180,
                                  "window_end_min": 300, "min_shift_h": 6.0, "paid": False,
                                  "anchor": "start"}
