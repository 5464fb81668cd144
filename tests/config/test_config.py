"""wfm.toml validation: every bad key/value class gives the documented message."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from wfm.config import load_config, parse_config
from wfm.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
P = Path("/p/wfm.toml")


def test_shipped_example_and_starter_are_identical_and_valid() -> None:
    starter = (REPO / "wfm" / "config" / "starter.toml").read_text(encoding="utf-8")
    assert (REPO / "wfm.toml").read_text(encoding="utf-8") == starter
    cfg = load_config(REPO / "wfm.toml")
    assert cfg.site.timezone.key == "Europe/Paris"
    assert [q.name for q in cfg.queues] == ["voice_fr", "voice_en", "chat_fr", "email_fr"]
    assert cfg.queue("chat_fr").concurrency == 2
    assert cfg.queue("email_fr").is_deferred
    assert cfg.site.opening_hours.window(6) is None
    assert cfg.site.opening_hours.window(5) == (time(9), time(17))
    assert cfg.paths.data_dir == REPO / "data"


def test_defaults_fill_an_empty_file() -> None:
    cfg = parse_config("", P)
    assert cfg.queues == ()
    assert cfg.staffing.shrinkage == 0.30
    assert cfg.data.interval_minutes == 15
    assert cfg.site.timezone.key == "UTC"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[site]\ntimezon = 'Europe/Paris'\n",
         "unknown key 'timezon' in [site]; did you mean 'timezone'?"),
        ("[stafing]\nshrinkage = 0.3\n",
         "unknown key 'stafing' in top level; did you mean 'staffing'?"),
        ("[[queues]]\nname='a'\nchanel='voice'\n", "did you mean 'channel'?"),
        ("[site]\ntimezone = 'Europe/Pariss'\n",
         "[site] timezone = 'Europe/Pariss' is not valid; accepted: an IANA time zone such as "
         "'Europe/Paris' (did you mean 'Europe/Paris'?)"),
        ("[staffing]\nshrinkage = 1.2\n",
         "[staffing] shrinkage = 1.2 is not valid; accepted: a number in [0, 1)"),
        ("[staffing]\nshrinkage = '30%'\n", "[staffing] shrinkage = '30%' is not valid"),
        ("[staffing]\nabandon_warning_rate = 10\n",
         "[staffing] abandon_warning_rate = 10 is not valid; accepted: a number in [0, 1]"),
        ("[data]\ninterval_minutes = 20\n",
         "[data] interval_minutes = 20 is not valid; accepted: 5, 10, 15, 30, 60"),
        ("[[queues]]\nname='a'\nchannel='fax'\n",
         "[queues.1] channel = 'fax' is not valid; accepted: voice, callback, chat"),
        ("[[queues]]\nname='a'\nsl_target=80\n",
         "[queues.1] sl_target = 80 is not valid; accepted: a number in (0, 1)"),
        ("[[queues]]\nname='a'\nchannel='voice'\nconcurrency=3\n",
         "concurrency = 3 is not valid; accepted: 1 for channel 'voice'"),
        ("[[queues]]\nname='a'\n[[queues]]\nname='a'\n", "queue name 'a' appears twice"),
        ("[[queues]]\nchannel='voice'\n", "[queues.1] is missing the required key 'name'"),
        ("[site.opening_hours]\nmon = '20:00-08:00'\n",
         "[site.opening_hours] mon = '20:00-08:00' is not valid; accepted: 'HH:MM-HH:MM'"),
        ("[site]\nholidays = ['2025-13-01']\n",
         "[site] holidays = ['2025-13-01'] is not valid; accepted: a list of dates YYYY-MM-DD"),
        ("[[site.special_days]]\ndate='2025-05-01'\neffect='multiplier'\n",
         "multiplier = None is not valid; accepted: a number >= 0 (required when"),
        ("[[site.special_days]]\ndate='2025-05-01'\neffect='boom'\n",
         "effect = 'boom' is not valid; accepted: closed, multiplier, like, exclude"),
        ("[site]\ncountry = 'XX'\n", "[site] country = 'XX' is not valid"),
        ("site = 3\n", "[site] must be a table"),
        ("[site\n", "not valid TOML"),
    ],
)
def test_bad_config_messages(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, P)
    msg = str(info.value)
    assert msg.startswith("/p/wfm.toml")
    assert expected in msg


def test_unknown_key_lists_valid_keys() -> None:
    with pytest.raises(ConfigError, match=r"Valid keys: shrinkage, shrinkage_by_weekday, "
                                          r"max_occupancy, hours_per_fte"):
        parse_config("[staffing]\nshrinkage_pct = 3\n", P)


def test_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.toml")
    assert "configuration file not found" in str(info.value)
    assert "wfm init" in str(info.value)


def test_relative_paths_resolve_against_config_folder(tmp_path: Path) -> None:
    cfg = parse_config("[paths]\ndata_dir = 'store'\n", tmp_path / "wfm.toml")
    assert cfg.paths.data_dir == tmp_path / "store"
    assert cfg.paths.forecasts_dir == tmp_path / "forecasts"


def test_shrinkage_by_weekday_overrides() -> None:
    text = "[staffing]\nshrinkage = 0.3\n[staffing.shrinkage_by_weekday]\nmon = 0.4\n"
    cfg = parse_config(text, P)
    assert cfg.staffing.shrinkage_on(0) == 0.4
    assert cfg.staffing.shrinkage_on(1) == 0.3


@pytest.mark.parametrize("key", ["data_dir", "forecasts_dir", "schedules_dir", "reports_dir"])
def test_a_path_naming_a_file_is_refused_with_its_key(tmp_path: Path, key: str) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    for value in ("taken", "taken/below"):
        with pytest.raises(ConfigError) as err:
            parse_config(f'[paths]\n{key} = "{value}"\n', tmp_path / "wfm.toml")
        assert err.value.message == (
            f"{tmp_path / 'wfm.toml'}: [paths] {key} = {value!r} is not valid; accepted: a "
            f"folder ({tmp_path / 'taken'} is a file)")


@pytest.mark.parametrize("section", ["forecasting", "run"])
def test_an_absurd_horizon_is_refused_at_load(section: str) -> None:
    with pytest.raises(ConfigError, match=rf"\[{section}\] horizon = '100000w' is not valid; "
                                          "accepted: a number of days or weeks such as"):
        parse_config(f'[{section}]\nhorizon = "100000w"\n', P)
    assert parse_config(f'[{section}]\nhorizon = "53w"\n', P)


QUEUES = '[[queues]]\nname = "voice_fr"\nchannel = "voice"\nsl_target = 0.8\n' \
         'sl_threshold_s = 20\n'


@pytest.mark.parametrize("table", ["understaffing_weights", "overstaffing_weights"])
def test_a_per_queue_weight_must_name_a_queue(table: str) -> None:
    ok = parse_config(f"{QUEUES}[scheduling.{table}]\nvoice_fr = 20.0\n", P)
    assert getattr(ok.scheduling, table) == {"voice_fr": 20.0}
    with pytest.raises(ConfigError) as err:
        parse_config(f"{QUEUES}[scheduling.{table}]\nvoice_frr = 20.0\n", P)
    assert err.value.message == (
        f"{P}: [scheduling.{table}] voice_frr = 20: 'voice_frr' is not a queue of [[queues]] "
        "(did you mean voice_fr?); accepted: voice_fr")


def test_a_toml_datetime_is_shown_as_written_not_as_python(tmp_path):
    # TOML parses an unquoted 2026-01-01T10:00:00 into a datetime; the message must show what
    # the planner typed, not ``datetime.datetime(2026, 1, 1, 10, 0)``.
    path = tmp_path / "wfm.toml"
    path.write_text("[site]\ntimezone = 2026-01-01T10:00:00\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "timezone = 2026-01-01T10:00:00 is not valid" in str(err.value)
    assert "datetime.datetime" not in str(err.value)
