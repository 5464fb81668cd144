"""[staffing]: shrinkage, occupancy cap and the FTE conversion."""

from __future__ import annotations

from dataclasses import dataclass

from wfm.config._reader import TableReader
from wfm.config.site import WEEKDAYS


@dataclass(frozen=True)
class StaffingConfig:
    """``shrinkage`` is the fraction of paid time not available for contacts (0-1);
    ``shrinkage_by_weekday`` overrides it per weekday (Monday first) where given.
    """

    shrinkage: float = 0.30
    shrinkage_by_weekday: tuple[float, ...] | None = None
    max_occupancy: float = 0.90
    hours_per_fte: float = 37.5

    def shrinkage_on(self, weekday: int) -> float:
        if self.shrinkage_by_weekday is None:
            return self.shrinkage
        return self.shrinkage_by_weekday[weekday]


def read_staffing(t: TableReader) -> StaffingConfig:
    shrinkage = t.fraction("shrinkage", 0.30)
    by_day_t = t.table("shrinkage_by_weekday")
    by_day = None
    if by_day_t.raw:
        by_day = tuple(by_day_t.fraction(d, shrinkage) for d in WEEKDAYS)
        by_day_t.finish()
    max_occ = t.number("max_occupancy", 0.90, low=0.0, high=1.0, low_open=True)
    hours_per_fte = t.number("hours_per_fte", 37.5, low=0.0, high=168.0, low_open=True)
    t.finish()
    return StaffingConfig(shrinkage, by_day, max_occ, hours_per_fte)
