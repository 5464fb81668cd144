"""[[scenarios]] of wfm.toml: what each scenario changes per queue, and every bad table
refused in one line naming the table, the key and the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfm.config import Config, parse_config
from wfm.errors import ConfigError

STARTER = Path(__file__).resolve().parents[2] / "wfm" / "config" / "starter.toml"
PEAK = '''
[[scenarios]]
name = "peak"
volume = "+10%"
shrinkage = 0.33
sl_target = 0.85
[scenarios.by_queue.voice_fr]
sl_target = 0.90
aht_s = 330
[scenarios.by_queue.chat_fr]
concurrency = 3
'''


def config(extra: str) -> Config:
    return parse_config(STARTER.read_text(encoding="utf-8") + extra, Path("/p/wfm.toml"))


def test_changes_per_queue_merge_scenario_and_queue_values() -> None:
    cfg = config(PEAK)
    peak = cfg.scenario("peak")
    described = {q.name: peak.changes_for(q.name, q.channel).describe()
                 for q in cfg.queues}
    assert described == {
        "voice_fr": "volume +10%, aht_s 330, sl_target 0.9, shrinkage 0.33",
        "voice_en": "volume +10%, sl_target 0.85, shrinkage 0.33",
        "chat_fr": "volume +10%, sl_target 0.85, concurrency 3, shrinkage 0.33",
        "email_fr": "volume +10%, shrinkage 0.33",  # sl_target does not fit email
    }
    starter = [s.name for s in cfg.scenarios]
    assert starter == ["volume_up_10", "voice_90_20", "peak"]
    scoped = cfg.scenario("voice_90_20")
    assert scoped.changes_for("chat_fr", "chat").describe() == ""  # outside its queues


@pytest.mark.parametrize(("extra", "message"), [
    ('name = "x"\n', "[scenarios.3] scenario 'x' changes nothing; accepted: at least one of "
                     "volume, aht_s"),
    ('name = "baseline"\nvolume = "+1%"\n', "[scenarios.3] name = 'baseline' is not valid"),
    ('name = "volume_up_10"\nvolume = "+1%"\n',
     "[scenarios.3] name = 'volume_up_10' is not valid; accepted: a name no other scenario"),
    ('name = "x"\nvolume = 1.1\n', "[scenarios.3] volume = 1.1 is not valid; accepted: a "
                                   "change such as +10%, -5% or x1.1"),
    ('name = "x"\naht_s = "fast"\n', "[scenarios.3] aht_s = 'fast' is not valid"),
    ('name = "x"\nsl_target = 1.2\n', "[scenarios.3] sl_target = 1.2 is not valid"),
    ('name = "x"\nqueues = ["voice_de"]\nvolume = "+1%"\n',
     "[scenarios.3] queues = ['voice_de'] is not valid; accepted: queues of [[queues]]: "
     "voice_fr, voice_en, chat_fr, email_fr"),
    ('name = "x"\nqueues = ["email_fr"]\nsl_target = 0.9\n',
     "[scenarios.3] sl_target = 0.9 is not valid; accepted: a key that fits one of its "
     "queues (email_fr): sl_target is for callback/chat/messaging/voice queues"),
    ('name = "x"\nqueues = ["voice_fr"]\nresponse_time_h = 8\n',
     "[scenarios.3] response_time_h = 8.0 is not valid; accepted: a key that fits one of "
     "its queues (voice_fr): response_time_h is for"),
    ('name = "x"\nvolume = "+1%"\n[scenarios.by_queue.voice_fr]\nconcurrency = 2\n',
     "[scenarios.3.by_queue.voice_fr] concurrency = 2 is not valid; accepted: keys that "
     "fit a voice queue (concurrency is for chat/messaging queues)"),
    ('name = "x"\nvolume = "+1%"\n[scenarios.by_queue.voice_xx]\nsl_target = 0.9\n',
     "[scenarios.3.by_queue] 'voice_xx' is not valid; accepted: queues of [[queues]]"),
    ('name = "x"\nvolum = "+1%"\n', "unknown key 'volum' in [scenarios.3]; did you mean "
                                    "'volume'?"),
])
def test_bad_scenarios_are_one_line(extra: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        config("\n[[scenarios]]\n" + extra)
    assert message in info.value.message and "\n" not in info.value.message
    assert info.value.message.startswith("/p/wfm.toml: ")
