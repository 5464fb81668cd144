"""Decimal comma or decimal point: decided per column from every cell of the file.

A cell such as ``5,5`` can only be a decimal comma and ``0.25`` only a decimal point, but
``1.234`` and ``1,234`` read either way (a decimal, or a thousands separator). Sniffing a
few lines guesses wrong when the first telling cell sits far down the file (``5,5`` minutes
on line 200 read as 55), so every numeric cell is classified and the evidence of the whole
column decides:

- a column whose cells show both a decimal comma and a decimal point is refused, naming a
  line of each (this includes ``1.234`` next to ``1,5``: thousands dot or decimal point?);
- a column with cells of one style is read in that style; its ambiguous cells follow it;
- a column with only ambiguous cells follows the other numeric columns of the file, else
  (comma-delimited files) the decimal point, else it is refused with the fix: the mapping's
  ``decimal = ","`` or ``"."``.

:class:`NumberStyles` keeps that evidence across the chunks of one file. Ambiguous cells met
before any evidence are read in a provisional style; when the evidence found later says
otherwise, :meth:`NumberStyles.restart_styles` tells the caller to read the file again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.errors import InputDataError
from wfm.io.parsing import regex_mask, regex_replace, text_cells

COMMA, POINT = ",", "."
DECIMALS = (COMMA, POINT)

# Cell classes; the text is cleaned first (spaces, apostrophes, sign and '%' removed).
NEUTRAL, DEC_COMMA, DOT_GROUPS, DEC_POINT, COMMA_GROUPS, AMBIG_DOT, AMBIG_COMMA = range(7)
_PATTERNS: tuple[tuple[int, str], ...] = (
    # 1,234.5 or 1,234,567: the comma groups thousands, so the point is the decimal mark.
    (COMMA_GROUPS, r"^\d{1,3}(?:,\d{3})+\.\d+$|^\d{1,3}(?:,\d{3}){2,}$"),
    (DOT_GROUPS, r"^\d{1,3}(?:\.\d{3})+,\d+$|^\d{1,3}(?:\.\d{3}){2,}$"),
    # 1,234 / 1.234: one group of three digits after a 1-3 digit integer part.
    (AMBIG_COMMA, r"^[1-9]\d{0,2},\d{3}$"),
    (AMBIG_DOT, r"^[1-9]\d{0,2}\.\d{3}$"),
    (DEC_COMMA, r"^\d*,\d+$"),
    (DEC_POINT, r"^\d*\.\d+$"),
)
_CLEAN = r"[\s\x{00a0}\x{202f}'+-]|%$"  # RE2 syntax
_NAMES = {
    DEC_COMMA: "a decimal comma", DOT_GROUPS: "a decimal comma", DEC_POINT: "a decimal point",
    COMMA_GROUPS: "a decimal point", AMBIG_DOT: "a thousands dot or a decimal point",
    AMBIG_COMMA: "a thousands comma or a decimal comma",
}
_STYLE_OF = {DEC_COMMA: COMMA, DOT_GROUPS: COMMA, DEC_POINT: POINT, COMMA_GROUPS: POINT}


def classify_cells(values: pd.Series) -> npt.NDArray[np.int8]:
    """The class of each text cell (``NEUTRAL`` for integers, blanks, durations and text).

    >>> classify_cells(pd.Series(["5,5", "1.234", "12", "0.25", "1.234,5", None])).tolist()
    [1, 5, 0, 3, 2, 0]
    """
    out = np.zeros(len(values), np.int8)
    if pd.api.types.is_numeric_dtype(values.dtype) or not len(values):
        return out
    s = values.astype("str")
    has_mark = (s.str.contains(",", regex=False) | s.str.contains(".", regex=False)) & \
        ~s.str.contains(":", regex=False) & values.notna() & text_cells(values)
    if not has_mark.any():
        return out
    idx = np.flatnonzero(has_mark.to_numpy())
    cleaned = regex_replace(s.iloc[idx], _CLEAN, "")
    cls = np.zeros(len(idx), np.int8)
    for code, pattern in _PATTERNS:
        hit = (cls == NEUTRAL) & regex_mask(cleaned, pattern)
        cls[hit] = code
    out[idx] = cls
    return out


def style_of_cells(cells: list[str]) -> str | None:
    """The decimal mark shown by these cells (a sample), or ``None`` when none or both show."""
    cls = classify_cells(pd.Series(cells, dtype="str"))
    styles = {_STYLE_OF[int(c)] for c in np.unique(cls) if int(c) in _STYLE_OF}
    return styles.pop() if len(styles) == 1 else None


@dataclass
class _Column:
    """First line and text of each cell class seen in one source column."""

    first: dict[int, tuple[int, str]] = field(default_factory=dict)
    provisional: str | None = None  # style ambiguous cells were read in before evidence

    def own_style(self) -> set[str]:
        return {_STYLE_OF[c] for c in self.first if c in _STYLE_OF}


@dataclass
class NumberStyles:
    """Decimal mark of each numeric source column of one file, from all of its cells.

    Parameters
    ----------
    path
        The file (for messages).
    explicit
        The mapping's ``decimal`` (``","`` or ``"."``), or ``None`` to detect.
    default
        Style of a file without any evidence (``"."`` for comma-delimited CSV, else
        ``None``: refuse ambiguous cells).
    forced
        Styles settled by a previous read of the file (see :meth:`restart_styles`).
    """

    path: Path
    explicit: str | None = None
    default: str | None = None
    forced: dict[str, str] = field(default_factory=dict)
    columns: dict[str, _Column] = field(default_factory=dict)

    def observe(self, column: str, values: pd.Series, lines: npt.NDArray[np.int64]) -> None:
        """Record the first line of each cell class of ``values`` (one chunk of a column)."""
        col = self.columns.setdefault(column, _Column())
        cls = classify_cells(values)
        for code in np.unique(cls):
            c = int(code)
            if c == NEUTRAL or c in col.first:
                continue
            i = int(np.flatnonzero(cls == code)[0])
            col.first[c] = (int(lines[i]), str(values.iloc[i]).strip())

    def style(self, column: str) -> str | None:
        """The column's decimal mark from what has been seen so far (``None``: undecided).

        Raises :class:`InputDataError` when the column mixes the two styles.
        """
        col = self.columns.setdefault(column, _Column())
        if self.explicit is not None:
            self._check_explicit(column, col)
            return self.explicit
        if column in self.forced:
            return self.forced[column]
        own = col.own_style()
        if len(own) > 1:
            self._mixed(column, col, POINT)
        if own:
            style = own.pop()
            if AMBIG_DOT in col.first and style == COMMA and DOT_GROUPS not in col.first:
                self._mixed(column, col, COMMA, AMBIG_DOT)
            if AMBIG_COMMA in col.first and style == POINT and COMMA_GROUPS not in col.first:
                self._mixed(column, col, POINT, AMBIG_COMMA)
            return style
        shown = set().union(*(c.own_style() for c in self.columns.values()))
        if len(shown) == 1:
            return shown.pop()
        return self.default

    def read_style(self, column: str) -> str:
        """The style to parse the column's cells in now: its style, else a provisional one
        (remembered, so that :meth:`restart_styles` can tell whether it held)."""
        style = self.style(column)
        col = self.columns[column]
        if style is None:
            style = col.provisional or COMMA
        if (AMBIG_DOT in col.first or AMBIG_COMMA in col.first) and col.provisional is None:
            col.provisional = style
        return style

    def restart_styles(self) -> dict[str, str] | None:
        """At the end of the file: the styles to read it again with, or ``None`` when every
        ambiguous cell was read in its column's final style.

        Raises :class:`InputDataError` for ambiguous cells no evidence can settle.
        """
        final: dict[str, str] = {}
        again = False
        for name, col in self.columns.items():
            style = self.style(name)
            ambiguous = [c for c in (AMBIG_DOT, AMBIG_COMMA) if c in col.first]
            if style is None and ambiguous:
                line, text = col.first[ambiguous[0]]
                plain = text.replace(" ", "")
                what = f"{plain.replace(',', '.')} or {plain.replace(',', '').replace('.', '')}"
                raise InputDataError(
                    f"{self.path}: line {line}, column {name!r}: {text!r} reads as either a "
                    f"decimal or a whole number with a thousands separator ({what}), and no "
                    "cell of the file shows which decimal mark it uses; accepted: numbers "
                    "whose decimal mark can be told",
                    hint="set decimal = \",\" or decimal = \".\" in the mapping")
            if style is not None:
                final[name] = style
                again |= col.provisional is not None and col.provisional != style
        return final if again else None

    def _check_explicit(self, column: str, col: _Column) -> None:
        other = POINT if self.explicit == COMMA else COMMA
        wrong = [c for c, s in _STYLE_OF.items() if s == other and c in col.first]
        if wrong:
            line, text = col.first[wrong[0]]
            raise InputDataError(
                f"{self.path}: line {line}, column {column!r}: {text!r} has "
                f"{_NAMES[wrong[0]]}, but the mapping says decimal = {self.explicit!r}; "
                "accepted: numbers in the mapping's style",
                hint="fix the mapping's decimal, or re-export with one number format")

    def _mixed(self, column: str, col: _Column, style: str, odd: int | None = None) -> None:
        first = sorted(
            (line, text, code) for code, (line, text) in col.first.items()
            if code in _STYLE_OF and _STYLE_OF[code] == style)
        other = sorted(
            (line, text, code) for code, (line, text) in col.first.items()
            if (odd is None and code in _STYLE_OF and _STYLE_OF[code] != style)
            or code == odd)
        (l1, t1, c1), (l2, t2, c2) = sorted([first[0], other[0]])
        raise InputDataError(
            f"{self.path}: column {column!r} mixes number styles: line {l1} has {t1!r} "
            f"({_NAMES[c1]}) and line {l2} has {t2!r} ({_NAMES[c2]}); accepted: one decimal "
            "mark per column",
            hint="re-export the file with one number format, or set decimal = \",\" or "
                 "decimal = \".\" in the mapping")
