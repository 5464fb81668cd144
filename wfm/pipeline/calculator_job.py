"""The staffing calculator (`wfm erlang`): one interval, no project needed."""

from __future__ import annotations

from wfm.staffing.abandonment import DEFAULT_ABANDON_WARNING_RATE
from wfm.staffing.calculator import (
    ErlangAnswer,
    ErlangQuestion,
    SlTarget,
    erlang_answer,
    parse_sl_target,
)


def erlang(question: ErlangQuestion) -> ErlangAnswer:
    """Agents needed for one interval (Erlang C, or Erlang A with patience), or the
    service level of a given number, with a table around the answer."""
    return erlang_answer(question)


__all__ = ["DEFAULT_ABANDON_WARNING_RATE", "ErlangAnswer", "ErlangQuestion", "SlTarget",
           "erlang", "parse_sl_target"]
