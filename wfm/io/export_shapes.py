"""Shapes real ACD exports take around their data: total rows and interval labels.

Pure helpers on text cells; the converter decides what to skip, accept or refuse.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.io.parsing import regex_mask

#: A total row's first cell: "Total", "Grand total", "Totaux", "Summe", "Gesamt"...
TOTAL_LABEL = re.compile(r"^\s*(?:grand\s+)?(?:total(?:e|es|s|ux)?|summe|gesamt(?:summe)?|"
                         r"somme|sum)\b", re.IGNORECASE)
# "08:00 - 08:15", "14/03/2025 08:00-08:15", "08:00 to 08:15", "08:00 – 08:15". A dash
# without spaces after an ISO date is a UTC offset (2025-03-14T08:00-05:00), not a label.
_START = r"^(?P<start>.*?(?P<h>\d{1,2}):(?P<m>\d{2})(?::\d{2})?)"
_END = r"(?P<eh>\d{1,2}):(?P<em>\d{2})(?::\d{2})?$"
_SPACED = _START + r"\s+(?:-|–|—|to|à|bis)\s+" + _END
_TIGHT = _START + r"\s*[-–—]\s*" + _END
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}"

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


def is_total(cells: pd.Series) -> BoolArray:
    """Which text cells are a total label (``Total``, ``Grand total``, ``Summe`` ...)."""
    out: BoolArray = regex_mask(cells, "(?i)" + TOTAL_LABEL.pattern) & cells.notna().to_numpy()
    return out


def split_interval_labels(text: pd.Series) -> tuple[pd.Series, FloatArray]:
    """Interval labels ``start - end`` cut to their start, and each label's span [min]
    (NaN for cells that are not labels; a label ending at midnight wraps: 23:45 - 00:00
    spans 15 minutes).

    >>> start, span = split_interval_labels(pd.Series(["14/03/2025 08:00 - 08:15", "08:30"]))
    >>> start.tolist(), span.tolist()
    (['14/03/2025 08:00', '08:30'], [15.0, nan])
    """
    s = text.astype("str")
    span = np.full(len(s), np.nan)
    spaced = regex_mask(s, _bare(_SPACED))
    tight = ~spaced & regex_mask(s, _bare(_TIGHT)) & ~regex_mask(s, _ISO_DATE)
    if not (spaced.any() or tight.any()):
        return text, span  # the usual case: checked by two fast scans
    parts = pd.DataFrame(index=s.index, columns=["start", "h", "m", "eh", "em"], dtype=object)
    for mask, pattern in ((spaced, _SPACED), (tight, _TIGHT)):
        if mask.any():
            parts.loc[mask] = s[mask].str.extract(pattern).to_numpy()
    hit = spaced | tight
    begin = pd.to_numeric(parts["h"]) * 60 + pd.to_numeric(parts["m"])
    end = pd.to_numeric(parts["eh"]) * 60 + pd.to_numeric(parts["em"])
    span[hit] = ((end - begin) % 1440).to_numpy(dtype=np.float64)[hit]
    out = text.astype("object").copy()
    out[hit] = parts["start"][hit].str.strip()
    return out, span


def _bare(pattern: str) -> str:
    """The pattern without named groups (a fast scan needs no captures)."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)
