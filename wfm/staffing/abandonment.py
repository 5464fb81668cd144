"""Abandonment a staffing answer lets through: the check behind `wfm staff`'s warning.

A service-level target under Erlang A counts the fraction of *offered* contacts answered
within the threshold; abandons count as failures but nothing limits them. With short
patience the answer can meet 80/20 while one caller in five hangs up (3,000 calls in 30
minutes, AHT 300 s, patience 30 s: 322 agents, 19.7 % abandonment). A queue's
``max_abandon_rate`` makes abandonment a target; this check names the queues whose
answer exceeds a ceiling when it is not one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_ABANDON_WARNING_RATE = 0.10
"""Default ceiling [0-1] of ``[staffing] abandon_warning_rate`` and ``wfm erlang
--abandon-warning``: above one contact in ten abandoning, an answer is worth a look."""


@dataclass(frozen=True)
class AbandonmentWarning:
    """A queue whose staffing lets more contacts abandon than the ceiling.

    Attributes
    ----------
    queue : queue name
    abandon_rate : expected abandoned / offered contacts over the whole forecast [0-1]
    ceiling : the ceiling it exceeds [0-1]
    intervals_above : intervals whose own abandonment exceeds the ceiling
    worst_rate : the highest abandonment of an interval [0-1]
    worst_start : start of that interval (tz-aware)
    """

    queue: str
    abandon_rate: float
    ceiling: float
    intervals_above: int
    worst_rate: float
    worst_start: pd.Timestamp

    @property
    def message(self) -> str:
        return (f"queue {self.queue!r}: {self.abandon_rate:.1%} of offered contacts abandon "
                f"under the staffing (above the {self.ceiling:.0%} ceiling; "
                f"{self.intervals_above} interval(s) above it, up to {self.worst_rate:.1%} "
                f"at {self.worst_start.isoformat()}): the service-level target counts "
                "abandons as failures but does not limit them; set max_abandon_rate on the "
                "queue in wfm.toml to staff for it (or raise [staffing] "
                "abandon_warning_rate)")


def abandonment_warnings(requirements: pd.DataFrame, ceiling: float
                         ) -> list[AbandonmentWarning]:
    """Queues whose abandonment under the staffing exceeds ``ceiling``.

    Parameters
    ----------
    requirements : a REQUIREMENTS frame (``queue, interval_start, offered,
        abandon_rate``); rows without an abandonment (deferred queues, NaN) are skipped,
        Erlang C rows have 0
    ceiling : the most abandonment [0-1] of offered contacts accepted over a queue's
        forecast (offered-weighted, so a quiet night interval of one call does not count
        as much as the peak)

    Returns
    -------
    list of AbandonmentWarning, by queue name
    """
    # pandas here, not at the top: `wfm erlang` reads this module's default ceiling and
    # must start without pandas.
    import pandas as pd

    out = []
    rows = requirements.loc[requirements["abandon_rate"].notna()]
    for queue, g in rows.groupby("queue", sort=True):
        offered = g["offered"].to_numpy(dtype=np.float64)
        rate = g["abandon_rate"].to_numpy(dtype=np.float64)
        total = float(offered.sum())
        if not total > 0:
            continue
        overall = float((offered * rate).sum() / total)
        if overall <= ceiling:
            continue
        busy = offered > 0
        worst = int(np.argmax(np.where(busy, rate, -1.0)))
        out.append(AbandonmentWarning(
            str(queue), overall, ceiling, int(((rate > ceiling) & busy).sum()),
            float(rate[worst]), pd.Timestamp(g["interval_start"].iloc[worst])))
    return out
