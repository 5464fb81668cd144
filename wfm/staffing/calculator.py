"""The staffing calculator behind `wfm erlang`: one interval, the answer and a small table
around it (agents -2 .. +2)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from wfm.errors import StaffingError
from wfm.staffing.abandonment import DEFAULT_ABANDON_WARNING_RATE
from wfm.staffing.erlang_a import asa_answered, erlang_a
from wfm.staffing.erlang_c import asa, occupancy, offered_load, service_level
from wfm.staffing.required_agents import required_agents, required_agents_erlang_a

if TYPE_CHECKING:
    import pandas as pd

_TARGET = re.compile(r"^\s*([-+0-9.eE]+)\s*(%?)\s*/\s*([-+0-9.eE]+)\s*s?\s*$")


@dataclass(frozen=True)
class SlTarget:
    """A service-level target: ``fraction`` (0-1) answered within ``threshold_s`` [s];
    ``note`` says how an ambiguous text was read."""

    fraction: float
    threshold_s: float
    note: str = ""
    text: str = ""


def parse_sl_target(text: str, *, option: str = "--target") -> SlTarget:
    """``80/20`` (percent / seconds) -> 0.80 within 20 s.

    A share below 1 (``0.8/20``) is read as a fraction, as wfm.toml writes targets, and
    the result says so in ``note``; ``80%/20s`` is accepted too.

    Raises
    ------
    StaffingError
        Not of the form PERCENT/SECONDS, or a share outside (0, 100) percent.
    """
    m = _TARGET.match(text)
    if m is None:
        raise StaffingError(f"{option} {text!r} is not valid; accepted: PERCENT/SECONDS "
                            "such as 80/20")
    try:
        share, threshold = float(m.group(1)), float(m.group(3))
    except ValueError:
        raise StaffingError(f"{option} {text!r} is not valid; accepted: PERCENT/SECONDS "
                            "such as 80/20") from None
    if threshold < 0:
        raise StaffingError(f"{option} {text!r}: the threshold must be >= 0 seconds")
    note = ""
    if 0 < share < 1 and not m.group(2):
        note = (f"{option} {text}: {share:g} read as {share:.0%} answered within "
                f"{threshold:g} s (a share below 1 is a fraction)")
        share *= 100
    if not 0 < share < 100:
        why = ("; no staffing answers 100% of contacts within a threshold (waits are "
               "random)" if share >= 100 else "")
        raise StaffingError(f"{option} {text!r}: the percentage must be in (0, 100), "
                            f"got {share:g}{why}")
    return SlTarget(share / 100.0, threshold, note, text.strip())


@dataclass(frozen=True)
class ErlangQuestion:
    """One interval to staff: ``volume`` contacts in ``interval_min`` minutes at
    ``aht_s`` [s]; the target; ``agents`` to ask the reverse question (the service level
    of that many agents); ``concurrency`` slots per agent (chat); ``shrinkage`` (0-1) for
    scheduled agents; ``patience_s`` [s] selects Erlang A; ``max_occupancy`` (0-1];
    ``max_abandon_rate`` (0-1, Erlang A) a target too; ``abandon_warning`` (0-1) the
    abandonment above which the answer carries a warning."""

    volume: float
    aht_s: float
    target: SlTarget
    interval_min: float = 30.0
    agents: int | None = None
    concurrency: int = 1
    shrinkage: float = 0.0
    patience_s: float | None = None
    max_occupancy: float | None = None
    max_abandon_rate: float | None = None
    abandon_warning: float = DEFAULT_ABANDON_WARNING_RATE


@dataclass(frozen=True)
class ErlangAnswer:
    """The agents needed (or given), the offered load [Erlangs] and the table around the
    answer (agents, service level, ASA [s], occupancy, abandonment, scheduled agents).

    ``columns`` holds the table as plain numpy columns in order (one row per agent
    count), so a one-interval answer needs no pandas; :attr:`table` is the same as a
    DataFrame."""

    agents: int
    load: float
    columns: Mapping[str, npt.NDArray[Any]]
    title: str
    warnings: tuple[str, ...] = ()

    @property
    def table(self) -> pd.DataFrame:
        """The table as a DataFrame (imports pandas)."""
        import pandas as pd

        return pd.DataFrame(dict(self.columns))


def _check(q: ErlangQuestion) -> None:
    if q.concurrency < 1:
        raise StaffingError(f"--concurrency {q.concurrency} is not valid; accepted: 1 or more")
    if not 0 <= q.shrinkage < 1:
        raise StaffingError(f"--shrinkage {q.shrinkage:g} is not valid; accepted: a "
                            "fraction in [0, 1), e.g. 0.3")
    if not q.interval_min > 0:
        raise StaffingError(f"--interval {q.interval_min:g} is not valid; accepted: "
                            "minutes > 0")
    if q.patience_s is not None and not q.patience_s > 0:
        raise StaffingError(f"--patience {q.patience_s:g} is not valid; accepted: seconds > 0"
                            " (mean time before a caller hangs up)")
    if q.max_occupancy is not None and not 0 < q.max_occupancy <= 1:
        raise StaffingError(f"--max-occupancy {q.max_occupancy:g} is not valid; accepted: a "
                            "fraction in (0, 1], e.g. 0.85")
    if q.agents is not None and q.agents < 0:
        raise StaffingError(f"--agents {q.agents} is not valid; accepted: 0 or more")
    if q.max_abandon_rate is not None and not 0 < q.max_abandon_rate < 1:
        raise StaffingError(f"--max-abandon {q.max_abandon_rate:g} is not valid; accepted: a "
                            "fraction in (0, 1), e.g. 0.05")
    if q.max_abandon_rate is not None and q.patience_s is None:
        raise StaffingError("--max-abandon needs --patience: Erlang C assumes nobody "
                            "abandons", hint="add --patience SECONDS (mean time to abandon)")
    if not 0 <= q.abandon_warning <= 1:
        raise StaffingError(f"--abandon-warning {q.abandon_warning:g} is not valid; accepted: "
                            "a fraction in [0, 1], e.g. 0.1")


def erlang_answer(q: ErlangQuestion) -> ErlangAnswer:
    """Required agents for one interval (Erlang C, or Erlang A with patience) and a table
    of the measures from two agents below the answer to two above."""
    _check(q)
    target = q.target
    load = float(offered_load(q.volume, q.aht_s, q.interval_min * 60.0))
    if q.agents is None:
        if q.patience_s is None:
            slots = float(required_agents(load, q.aht_s, sl_target=target.fraction,
                                          sl_threshold_s=target.threshold_s,
                                          max_occupancy=q.max_occupancy))
        else:
            slots = float(required_agents_erlang_a(load, q.aht_s, q.patience_s,
                                                   sl_target=target.fraction,
                                                   sl_threshold_s=target.threshold_s,
                                                   max_abandon_rate=q.max_abandon_rate,
                                                   max_occupancy=q.max_occupancy))
        answer = int(np.ceil(slots / q.concurrency))
    else:
        answer = q.agents
    ns = np.arange(max(answer - 2, 0), answer + 3, dtype=float)
    s = ns * q.concurrency
    cols: dict[str, npt.NDArray[Any]] = {"agents": ns.astype(int)}
    if q.patience_s is None:
        cols["service_level"] = service_level(s, load, q.aht_s, target.threshold_s)
        cols["asa_s"] = asa(s, load, q.aht_s)
        cols["occupancy"] = occupancy(s, load)
    else:
        m = erlang_a(s, load, q.aht_s, q.patience_s, target.threshold_s)
        cols["service_level"] = m["sl_offered"]
        cols["asa_s"] = asa_answered(s, load, q.aht_s, q.patience_s)
        cols["abandon_rate"] = m["p_abandon"]
        cols["occupancy"] = np.minimum(load * (1 - m["p_abandon"]) / np.maximum(s, 1.0), 1.0)
    cols["scheduled_agents"] = ns / (1.0 - q.shrinkage)
    cols["answer"] = np.where(ns == answer, "<-", "")
    row = int(np.flatnonzero(cols["agents"] == answer)[0])
    wanted = target.text or f"{target.fraction:.0%}/{target.threshold_s:g}s"
    if q.agents is None:
        said = f"{answer} agents needed for {wanted}"
    else:
        sl = float(cols["service_level"][row])
        said = f"{answer} agents deliver service level {sl:.4f}"
    warnings: tuple[str, ...] = ()
    if q.patience_s is not None and q.agents is None:  # the answer, not a reverse question
        abandon = float(cols["abandon_rate"][row])
        if abandon > q.abandon_warning:
            warnings = (f"at {answer} agents {abandon:.1%} of offered contacts abandon (above "
                        f"{q.abandon_warning:.0%}); the service-level target counts abandons "
                        "as failures but does not limit them: add --max-abandon RATE to "
                        "staff for it",)
    return ErlangAnswer(answer, load, cols, f"# offered load {load:.4g} Erlangs; {said}",
                        warnings)
