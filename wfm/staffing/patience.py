"""Mean patience (time to abandon) estimated from interval history, for Erlang A.

With exponential patience of rate theta, every contact that waited exposes its patience
for as long as it waited: answered contacts are *censored* observations (patience longer
than their wait), abandoned ones *complete* observations. The maximum-likelihood
estimate is therefore

    patience = (summed wait of answered + summed wait of abandoned) / abandoned

which is also ``P(abandon) = theta * E[wait]`` (Little's law on the abandonment flow)
read backwards. It is consistent for exponential patience whatever the staffing was.

Bias. Interval exports rarely carry the summed wait of *abandoned* contacts (the INTERVALS
frame has ``answer_wait_s`` only). Without it the abandoned contacts are imputed the
mean wait of answered contacts (the ASA); abandoned contacts have all waited, while many
answered ones waited 0, so the imputation is too short and the patience is
**underestimated**. Platforms that drop short abandons from ``abandoned`` bias it
**upwards**. Patience that is not exponential (e.g. mostly very short or very long)
makes the single number a rough summary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wfm.errors import StaffingError


@dataclass(frozen=True)
class PatienceEstimate:
    """``patience_s`` [s] (None when nobody abandoned) and how it was obtained."""

    patience_s: float | None
    abandoned: float
    imputed: bool
    note: str


def estimate_patience(abandoned: npt.ArrayLike, handled: npt.ArrayLike,
                      answer_wait_s: npt.ArrayLike,
                      abandon_wait_s: npt.ArrayLike | None = None) -> PatienceEstimate:
    """Exponential-patience estimate from interval counts and summed waits.

    Parameters
    ----------
    abandoned : contacts that abandoned, per interval
    handled : contacts answered, per interval
    answer_wait_s : summed wait of answered contacts per interval [s]
    abandon_wait_s : summed wait of abandoned contacts per interval [s]; when None it is
        imputed as ``abandoned * ASA`` (biased low, see the module notes)

    Examples
    --------
    >>> estimate_patience([10], [190], [3000.0], [1500.0]).patience_s
    450.0
    """
    ab = np.nan_to_num(np.asarray(abandoned, dtype=np.float64))
    hd = np.nan_to_num(np.asarray(handled, dtype=np.float64))
    aw = np.nan_to_num(np.asarray(answer_wait_s, dtype=np.float64))
    for name, v in (("abandoned", ab), ("handled", hd), ("answer_wait_s", aw)):
        if np.any(v < 0):
            raise StaffingError(f"{name} {v[v < 0][0].item()!r} is not valid; accepted: >= 0")
    total_ab, total_hd, total_aw = float(ab.sum()), float(hd.sum()), float(aw.sum())
    if total_ab <= 0:
        return PatienceEstimate(None, 0.0, False, "no abandoned contacts in the history: "
                                "patience cannot be estimated (Erlang C is used)")
    if abandon_wait_s is None:
        if total_hd <= 0:
            return PatienceEstimate(None, total_ab, True, "no answered contacts to impute "
                                    "the wait of abandoned ones from")
        abandoned_wait = total_ab * total_aw / total_hd
        imputed = True
        note = ("the history has no summed wait of abandoned contacts: each was imputed the "
                "ASA of answered contacts, which underestimates patience")
    else:
        abandoned_wait = float(np.nan_to_num(np.asarray(abandon_wait_s, np.float64)).sum())
        imputed = False
        note = "maximum-likelihood estimate (exponential patience)"
    total_wait = total_aw + abandoned_wait
    if total_wait <= 0:
        return PatienceEstimate(None, total_ab, imputed, "contacts abandoned without any "
                                "recorded wait: patience cannot be estimated")
    return PatienceEstimate(total_wait / total_ab, total_ab, imputed, note)
