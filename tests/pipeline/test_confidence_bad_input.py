"""Bad input to confidence staffing and the simulate-and-replan loop: one readable error.

wfm.toml keys (`[staffing] confidence`, `confidence_replications`, `confidence_seed`, a
queue's `confidence`) give one ConfigError naming the key, the value and what is
accepted; the command-line options (`wfm staff --confidence`, `wfm schedule --replan`,
`--replications`) give one usage error naming the option and the value, never a
traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from wfm.cli.main import cli
from wfm.config.model import load_config
from wfm.errors import ConfigError


def _set(project: Path, table: str, line: str) -> None:
    path = project / "wfm.toml"
    text = path.read_text(encoding="utf-8")
    assert table in text, table
    path.write_text(text.replace(table, f"{table}{line}\n", 1), encoding="utf-8")


@pytest.mark.parametrize(("table", "line", "named"), [
    ("[staffing]\n", "confidence = 0", r"\[staffing\] confidence = 0 .*\(0, 1\)"),
    ("[staffing]\n", "confidence = 1.0", r"\[staffing\] confidence = 1\.0 .*\(0, 1\)"),
    ("[staffing]\n", "confidence = -0.2", r"confidence = -0\.2 .*\(0, 1\)"),
    ("[staffing]\n", 'confidence = "high"', r"confidence = 'high'"),
    ("[staffing]\n", "confidence_replications = 5", r"confidence_replications = 5 .*20"),
    ("[staffing]\n", "confidence_replications = 50.5", r"confidence_replications = 50\.5"),
    ("[staffing]\n", "confidence_seed = -1", r"confidence_seed = -1"),
    ('name = "chat_fr"\n', "confidence = 1.2", r"\[queues\.3\] confidence = 1\.2 .*\(0, 1\)"),
])
def test_bad_confidence_keys_name_the_key_and_value(project: Path, table: str, line: str,
                                                    named: str) -> None:
    _set(project, table, line)
    with pytest.raises(ConfigError, match=named) as caught:
        load_config(project / "wfm.toml")
    assert "wfm.toml" in str(caught.value)
    r = CliRunner().invoke(cli, ["staff"])
    assert r.exit_code == 1 and r.exception is not None
    assert "Traceback" not in r.output and line.split(" = ", maxsplit=1)[0] in r.output


@pytest.mark.parametrize(("args", "named"), [
    (["staff", "--confidence", "0"], "'--confidence': 0"),
    (["staff", "--confidence", "1"], "'--confidence': 1"),
    (["staff", "--confidence", "eighty"], "'--confidence': 'eighty'"),
    (["schedule", "--replan", "-1"], "'--replan': -1"),
    (["schedule", "--replan", "0"], "'--replan': 0"),
    (["schedule", "--verify", "--replications", "1"], "'--replications' / '-R': 1"),
])
def test_bad_options_give_one_usage_error(project: Path, args: list[str], named: str) -> None:
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2, r.output
    assert named in r.output and "Traceback" not in r.output
    assert r.output.count("Error") == 1
