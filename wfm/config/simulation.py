"""The queues of wfm.toml as the simulator needs them (targets and opening hours)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from wfm.config.staffing import staffing_inputs
from wfm.simulation.centre import SimQueue

if TYPE_CHECKING:
    from wfm.config.model import Config


def simulation_queues(config: Config, names: Sequence[str],
                      starts: pd.DatetimeIndex) -> list[SimQueue]:
    """The queues ``names`` as the simulator needs them, with their opening hours (the
    queue's, else the site's, closed on holidays and closed special days) on ``starts``.

    Hot queues keep the staffing's service-level definition (answered within the
    threshold over offered contacts: abandons count as failures).
    """
    for name in names:
        config.queue(name)  # an unknown queue is a ConfigError naming wfm.toml
    years = range(starts.min().year - 1, starts.max().year + 2)
    inputs = staffing_inputs(config, years)
    out = []
    for name in names:
        q = config.queue(name)
        targets = inputs.queues[name]
        mask = inputs.open_intervals(name, pd.Series(starts))
        out.append(SimQueue(
            name, q.channel, deferred=q.is_deferred, concurrency=q.concurrency,
            patience_s=q.patience_s,
            sl_threshold_s=q.sl_threshold_s if q.sl_threshold_s is not None else 0.0,
            sl_target=q.sl_target, max_asa_s=q.max_asa_s, max_abandon_rate=q.max_abandon_rate,
            response_target=q.response_target, response_time_s=targets.response_time_s,
            response_clock=q.response_clock, open_mask=mask))
    return out
