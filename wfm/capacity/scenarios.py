"""Scenarios: what-ifs on volume, handle time, shrinkage, attrition and service target."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wfm.capacity.horizon import FloatArray
from wfm.errors import PlanError

BASE = "base"


@dataclass(frozen=True)
class Scenario:
    """One what-if, applied on top of the forecast and the [plan] settings.

    ``volume_factor`` [ratio]: every forecast contact times this; ``volume_growth``
    [fraction per year]: compounding growth from the plan's first day (0.1 = +10 % a
    year, on top of the forecast's own trend); ``aht_factor`` [ratio]: handle times times
    this; ``shrinkage_change`` [fraction]: added to every day's shrinkage (0.02 = two
    points more); ``attrition_factor`` [ratio]: every tenure band's monthly rate times
    this; ``sl_target`` [fraction 0-1]: replaces the service-level target of every hot
    queue that has one (``None`` keeps them).

    Examples
    --------
    >>> Scenario("growth", volume_growth=0.1).volume_multiplier(np.array([0.0, 365.25]))
    array([1. , 1.1])
    """

    name: str = BASE
    volume_factor: float = 1.0
    volume_growth: float = 0.0
    aht_factor: float = 1.0
    shrinkage_change: float = 0.0
    attrition_factor: float = 1.0
    sl_target: float | None = None

    def __post_init__(self) -> None:
        checks = (("volume_factor", self.volume_factor, self.volume_factor > 0, "> 0"),
                  ("volume_growth", self.volume_growth, self.volume_growth > -1, "> -1"),
                  ("aht_factor", self.aht_factor, self.aht_factor > 0, "> 0"),
                  ("shrinkage_change", self.shrinkage_change,
                   -1 < self.shrinkage_change < 1, "in (-1, 1)"),
                  ("attrition_factor", self.attrition_factor, self.attrition_factor >= 0,
                   ">= 0"))
        for key, value, ok, accepted in checks:
            if not ok:
                raise PlanError(f"scenario {self.name!r}: {key} = {value!r} is not valid; "
                                f"accepted: a number {accepted}")
        if self.sl_target is not None and not 0 < self.sl_target < 1:
            raise PlanError(f"scenario {self.name!r}: sl_target = {self.sl_target!r} is not "
                            "valid; accepted: a fraction in (0, 1)")

    def volume_multiplier(self, days_from_start: FloatArray) -> FloatArray:
        """The factor on the forecast's volume ``days_from_start`` days into the plan."""
        out: FloatArray = self.volume_factor * (1.0 + self.volume_growth) ** (
            np.asarray(days_from_start, dtype=float) / 365.25)
        return out

    @property
    def demand_key(self) -> tuple[float, float, float, float | None]:
        """What changes the staffing: scenarios with equal keys share their demand."""
        return (self.volume_factor, self.volume_growth, self.aht_factor, self.sl_target)
