"""The adjustments file: written and read back, and every bad entry refused in one line
naming the file, the entry, the key and the value."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from wfm.config import load_config
from wfm.config.adjustments import (
    AdjustmentsFile,
    adjustments_path,
    adjustments_text,
    read_adjustments,
    write_adjustments,
)
from wfm.errors import ConfigError
from wfm.forecasting.adjustments import Adjustment, parse_change

ENTRY = """
[[adjustments]]
id = "{id}"
queue = "{queue}"
start = {start}
end = {end}
{extra}
reason = "Winter mailing"
"""


def write(project: Path, *entries: str, head: str = "format = 1\nrevision = 3\n") -> Path:
    path = project / "adjustments.toml"
    path.write_text(head + "".join(entries), encoding="utf-8")
    return path


def entry(adj_id: str = "a1", *, queue: str = "voice_fr", start: str = "2026-12-14",
          end: str = "2026-12-18", extra: str = 'volume = "+15%"') -> str:
    return ENTRY.format(id=adj_id, queue=queue, start=start, end=end, extra=extra)


def read(project: Path) -> AdjustmentsFile:
    return read_adjustments(load_config(project / "wfm.toml"))


def error(project: Path) -> str:
    with pytest.raises(ConfigError) as info:
        read(project)
    message = info.value.message
    assert "\n" not in message
    return message


def test_a_missing_file_is_empty(project: Path) -> None:
    file = read(project)
    assert (file.revision, file.adjustments, file.sha256) == (0, (), None)
    assert file.path == project / "adjustments.toml"


def test_the_path_is_configurable(project: Path) -> None:
    text = (project / "wfm.toml").read_text()
    (project / "wfm.toml").write_text(text.replace(
        '# adjustments_file = "adjustments.toml"', 'adjustments_file = "plan/adj.toml"'))
    assert adjustments_path(load_config(project / "wfm.toml")) == project / "plan" / "adj.toml"


def test_written_file_reads_back_the_same(project: Path) -> None:
    cfg = load_config(project / "wfm.toml")
    adjustments = (
        Adjustment("a1", "voice_fr", date(2026, 12, 14), date(2026, 12, 18), (540, 720),
                   parse_change("+15%"), None, 'Winter "mailing"\nline 2',
                   "2026-12-06T10:00:00+01:00"),
        Adjustment("a2", "chat_fr", date(2026, 12, 24), date(2026, 12, 24), None,
                   parse_change(300), parse_change("x1.1", aht=True), "Short day"),
    )
    revision = write_adjustments(read_adjustments(cfg), adjustments)
    assert revision == 1
    text = (project / "adjustments.toml").read_text()
    assert text.startswith("# Forecast adjustments of this project")
    raw = tomllib.loads(text)
    assert raw["format"] == 1 and raw["revision"] == 1
    assert raw["adjustments"][0]["start"] == date(2026, 12, 14)  # a TOML date
    assert raw["adjustments"][0]["band"] == "09:00-12:00"
    assert raw["adjustments"][1]["volume"] == 300  # an absolute volume is a number
    file = read_adjustments(cfg)
    assert file.adjustments == adjustments and file.revision == 1
    assert adjustments_text(1, adjustments) == text


def test_a_concurrent_change_is_not_lost(project: Path) -> None:
    cfg = load_config(project / "wfm.toml")
    write(project, entry())
    before = read_adjustments(cfg)
    write(project, entry(), entry("a2", start="2027-01-04", end="2027-01-04"))
    with pytest.raises(ConfigError, match="changed while this command ran; nothing was "
                                          "written"):
        write_adjustments(before, ())
    assert len(read_adjustments(cfg).adjustments) == 2


def test_deferred_queues_take_any_band(project: Path) -> None:
    """Email inflow is forecast round the clock: a night band is fine; a Sunday too."""
    write(project, entry(queue="email_fr", start="2026-12-13", end="2026-12-13",
                         extra='band = "22:00-24:00"\nvolume = "x2"'))
    assert read(project).adjustments[0].band == (1320, 1440)


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"queue": "voice_de"},
     "[adjustments.1] queue = 'voice_de' is not valid; accepted: a queue of [[queues]] in "),
    ({"start": '"14/12/2026"'},
     "[adjustments.1] start = '14/12/2026' is not valid; accepted: a date YYYY-MM-DD"),
    ({"end": "2026-12-10"},
     "[adjustments.1] end = '2026-12-10' is not valid; accepted: a date on or after the "
     "first day 2026-12-14"),
    ({"extra": 'band = "09:10-12:00"\nvolume = "+5%"'},
     "[adjustments.1] band = '09:10-12:00' is not valid; accepted: a local time band "
     "HH:MM-HH:MM on the 15-minute grid"),
    ({"extra": 'band = "18:00-21:00"\nvolume = "+5%"'},
     "[adjustments.1] band = '18:00-21:00' is not valid; accepted: a band inside the "
     "opening hours of voice_fr (Mon 2026-12-14: 08:00-20:00)"),
    ({"start": "2026-12-19", "end": "2026-12-19", "extra": 'band = "17:00-18:00"\n'
                                                           'volume = "+5%"'},
     "band = '17:00-18:00' is not valid; accepted: a band inside the opening hours of "
     "voice_fr (Sat 2026-12-19: 09:00-17:00)"),
    ({"start": "2026-12-20", "end": "2026-12-20"},
     "[adjustments.1] start = '2026-12-20' is not valid; accepted: days on which voice_fr "
     "opens (2026-12-20 is a closed day in wfm.toml)"),
    ({"extra": 'volume = "+15"'},
     "[adjustments.1] volume = '+15' is not valid; accepted: a change such as +15%"),
    ({"extra": "aht_s = 0"},
     "[adjustments.1] aht_s = 0 is not valid; accepted: a change such as +10%"),
    ({"extra": ""}, "[adjustments.1] volume = None is not valid; accepted: a volume or an "
                    "AHT change"),
    ({"extra": 'volume = "+5%"\ncolour = "red"'}, "unknown key 'colour' in [adjustments.1]"),
])
def test_bad_entries_name_the_entry_key_and_value(project: Path, kwargs: dict[str, str],
                                                  expected: str) -> None:
    write(project, entry(**kwargs))
    message = error(project)
    assert message.startswith(f"{project / 'adjustments.toml'}: ")
    assert expected in message


def test_file_level_errors(project: Path) -> None:
    write(project, entry(), entry())
    assert "[adjustments.2] id = 'a1' is not valid; accepted: an id no other" in error(project)
    write(project, entry(), head="format = 2\n")
    assert "format = 2 is not valid; accepted: 1 (the format this version" in error(project)
    write(project, entry().replace('reason = "Winter mailing"\n', ""))
    assert "[adjustments.1] is missing the required key 'reason'" in error(project)
    (project / "adjustments.toml").write_text("format = 1\n[[adjustments]\n")
    assert "adjustments.toml: not valid TOML" in error(project)


def test_overlapping_contradictory_adjustments_are_refused(project: Path) -> None:
    write(project, entry(),
          entry("a2", start="2026-12-16", end="2026-12-16",
                extra='band = "10:00-11:00"\nvolume = 400'))
    message = error(project)
    assert ("adjustments a1 (voice_fr 2026-12-14..2026-12-18 volume +15%) and a2 (voice_fr "
            "2026-12-16 10:00-11:00 volume 400) both change the volume of voice_fr on "
            "2026-12-16 10:00-11:00 and one sets an absolute value") in message
    # Two factors multiply; an AHT change beside a volume change is no contradiction.
    write(project, entry(), entry("a2", start="2026-12-16", end="2026-12-16",
                                  extra='volume = "x0.5"\naht_s = 400'))
    assert len(read(project).adjustments) == 2
