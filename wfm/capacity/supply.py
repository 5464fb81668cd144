"""Supply: expected headcount and productive FTE of every cohort, day by day.

A cohort is one agent of today's team, or one hire class. Its headcount is an expected
value (fractional): it decays every day by the attrition of its tenure band, or by the
attrition of its training while in class, and drops to zero after a planned last day.

The daily survival of a day in a calendar month of ``n`` days is ``(1 - m) ** (1 / n)``
for a monthly rate ``m``: a whole calendar month in one band then loses exactly the share
``m``, so a monthly waterfall can be checked by hand (10 agents at 2 % a month keep 9.8
after a month). In training, the survival per day is ``(1 - a) ** (1 / training_days)``
for a share ``a`` lost over the whole training.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from wfm.capacity.horizon import DAYS_PER_MONTH, FloatArray, IntArray, PlanHorizon
from wfm.errors import PlanError


@dataclass(frozen=True)
class TenureBand:
    """Attrition of the agents whose tenure is at least ``from_months`` [months] (up to
    the next band): ``monthly_rate`` [fraction 0-1] of them leave per calendar month."""

    from_months: float
    monthly_rate: float


def check_bands(bands: Sequence[TenureBand]) -> tuple[TenureBand, ...]:
    """The bands sorted by tenure; the first must start at 0 months, rates in [0, 1).

    Examples
    --------
    >>> check_bands([TenureBand(3, 0.02), TenureBand(0, 0.05)])[0]
    TenureBand(from_months=0, monthly_rate=0.05)
    """
    out = tuple(sorted(bands, key=lambda b: b.from_months))
    if not out:
        return (TenureBand(0.0, 0.0),)
    if out[0].from_months != 0:
        raise PlanError(f"the first attrition band starts at {out[0].from_months:g} months; "
                        "accepted: bands whose first starts at 0 months")
    starts = [b.from_months for b in out]
    if len(set(starts)) != len(starts):
        raise PlanError(f"two attrition bands start at the same tenure ({starts}); "
                        "accepted: one band per tenure")
    for b in out:
        if not 0.0 <= b.monthly_rate < 1.0:
            raise PlanError(f"monthly attrition rate {b.monthly_rate!r} is not valid; "
                            "accepted: a fraction in [0, 1), e.g. 0.02")
    return out


def scale_bands(bands: Sequence[TenureBand], factor: float) -> tuple[TenureBand, ...]:
    """Every band's monthly rate times ``factor`` (a scenario), capped below 1."""
    return tuple(TenureBand(b.from_months, min(b.monthly_rate * factor, 0.999))
                 for b in check_bands(bands))


@dataclass(frozen=True)
class TrainingProfile:
    """How a hire becomes productive.

    ``training_weeks`` in class (proficiency 0); then ``ramp``: the proficiency
    [fraction 0-1] of each following week (nesting), 1 after it. ``training_attrition``
    [fraction 0-1): the share of a class lost over its training.
    """

    training_weeks: int = 0
    ramp: tuple[float, ...] = ()
    training_attrition: float = 0.0

    def __post_init__(self) -> None:
        if self.training_weeks < 0:
            raise PlanError(f"training_weeks {self.training_weeks} is not valid; "
                            "accepted: 0 or more")
        if any(not 0.0 <= p <= 1.0 for p in self.ramp):
            raise PlanError(f"ramp {list(self.ramp)} is not valid; accepted: proficiencies "
                            "in [0, 1], one per week after training")
        if not 0.0 <= self.training_attrition < 1.0:
            raise PlanError(f"training_attrition {self.training_attrition!r} is not valid; "
                            "accepted: a fraction in [0, 1)")

    @property
    def training_days(self) -> int:
        return 7 * self.training_weeks

    def full_proficiency(self, start: date) -> date:
        """The first day at full proficiency of a class starting on ``start``."""
        return start + timedelta(days=self.training_days + 7 * len(self.ramp))


@dataclass(frozen=True)
class Cohort:
    """People who join together and stay alike: one agent or one hire class.

    ``size`` [heads] on ``joined`` (``None``: long before the plan, in the last tenure
    band); ``fte`` [FTE] per head (contract hours / hours of one FTE); ``training``:
    ``None`` for people already productive; ``leave``: planned last working day.
    ``kind``: ``staff``, ``planned`` (a class already decided) or ``proposed`` (by the
    hiring plan).
    """

    name: str
    group: str
    size: float
    fte: float = 1.0
    joined: date | None = None
    training: TrainingProfile | None = None
    leave: date | None = None
    kind: str = "staff"


@dataclass(frozen=True)
class Projection:
    """Per cohort (rows, in input order) and plan day (columns).

    ``headcount`` present during the day [heads]; ``attrition`` lost at its end;
    ``leavers`` leaving at its end as planned; ``productive_fte`` = headcount x FTE x
    proficiency; ``paid_fte`` = headcount x FTE; ``trainees`` in class [heads].
    ``join_day``: the plan day each cohort joins (negative: before the plan).
    """

    cohorts: tuple[Cohort, ...]
    horizon: PlanHorizon
    headcount: FloatArray
    attrition: FloatArray
    leavers: FloatArray
    productive_fte: FloatArray
    paid_fte: FloatArray
    trainees: FloatArray
    join_day: IntArray


def _band_rates(bands: tuple[TenureBand, ...], tenure_months: FloatArray) -> FloatArray:
    starts = np.array([b.from_months for b in bands])
    rates = np.array([b.monthly_rate for b in bands])
    idx = np.searchsorted(starts, tenure_months, side="right") - 1
    out: FloatArray = rates[np.clip(idx, 0, len(bands) - 1)]
    return out


def project_cohorts(cohorts: Sequence[Cohort], horizon: PlanHorizon,
                    bands: Sequence[TenureBand]) -> Projection:
    """Expected headcount, attrition, leavers and productive FTE of each cohort per day.

    Parameters
    ----------
    cohorts
        Today's agents and the hire classes; a cohort joining before the plan starts is
        present on day 0 with its ``size`` (it is today's headcount), one joining inside
        the plan is a hire on its day.
    horizon
        The plan's weeks.
    bands
        Attrition by tenure (:func:`check_bands`).

    Examples
    --------
    Ten agents at 2 % a month keep 9.8 after February (28 days):

    >>> p = project_cohorts([Cohort("team", "g", 10.0)], PlanHorizon(date(2027, 2, 1), 4),
    ...                     [TenureBand(0, 0.02)])
    >>> round(float(p.headcount[0, -1] - p.attrition[0, -1]), 12)
    9.8
    """
    bands_ = check_bands(bands)
    cohorts = tuple(cohorts)
    n_days = horizon.n_days
    k = len(cohorts)
    day = np.arange(n_days, dtype=np.int64)
    dim = horizon.days_in_month().astype(float)
    join = np.array([horizon.day_of(c.joined) if c.joined is not None else -10**6
                     for c in cohorts], dtype=np.int64)
    first = np.maximum(join, 0)
    since = day[None, :] - join[:, None]  # days since joining
    tenure = np.where(join[:, None] > -10**6, since / DAYS_PER_MONTH, math.inf)
    rate = _band_rates(bands_, tenure.reshape(-1)).reshape(k, n_days)
    survive = (1.0 - rate) ** (1.0 / dim[None, :])
    training_days = np.array([c.training.training_days if c.training else 0 for c in cohorts])
    in_training = (since >= 0) & (since < training_days[:, None])
    for i, c in enumerate(cohorts):
        if c.training is not None and c.training.training_days > 0:
            per_day = (1.0 - c.training.training_attrition) ** (1.0 / c.training.training_days)
            survive[i, in_training[i]] = per_day
    leave_day = np.array([horizon.day_of(c.leave) if c.leave is not None else 10**6
                          for c in cohorts], dtype=np.int64)
    present = (day[None, :] >= first[:, None]) & (day[None, :] <= leave_day[:, None])
    # headcount[d] = size x product of the survivals from the first day to d - 1.
    factor = np.where(day[None, :] >= first[:, None], survive, 1.0)
    carried = np.cumprod(np.concatenate([np.ones((k, 1)), factor[:, :-1]], axis=1), axis=1)
    sizes = np.array([c.size for c in cohorts], dtype=float)
    headcount = np.where(present, sizes[:, None] * carried, 0.0)
    ends = headcount * survive  # still there at the end of the day
    last = day[None, :] == leave_day[:, None]
    leavers = np.where(last, ends, 0.0)
    attrition = headcount - ends
    proficiency = np.ones((k, n_days))
    for i, c in enumerate(cohorts):
        if c.training is None:
            continue
        after = since[i] - c.training.training_days
        prof = np.ones(n_days)
        prof[since[i] < c.training.training_days] = 0.0
        for r, p in enumerate(c.training.ramp):
            prof[(after >= 7 * r) & (after < 7 * (r + 1))] = p
        proficiency[i] = prof
    fte = np.array([c.fte for c in cohorts], dtype=float)[:, None]
    return Projection(cohorts, horizon, headcount, attrition, leavers,
                      headcount * fte * proficiency, headcount * fte,
                      np.where(in_training, headcount, 0.0), join)
