"""The coded answers of a group's item columns held once as int8, for every check that reads them.

Likert codes are small whole numbers: held as one byte a cell (an items x respondents matrix, one
contiguous row per column) instead of a float64 column (8 bytes), they are read once while coding
(:mod:`surveys.coding` reads a column of one-digit answers straight into int8) and shared by the
careless screens (:func:`surveys.careless.careless_screens`), the quality checks
(:func:`surveys.cleaning.quality_report`) and the moments of the analyses
(:class:`analysis.moments.Responses`), none of which then converts and checks the float columns
again. The float64 columns of :class:`surveys.load.GroupData` stay what they were (the public
face); these rows hold the same answers: ``x`` where the float column holds ``x``,
:data:`MISSING_CODE` where it holds NaN. A column with an answer that is not a whole number in
[-127, 127] has no row here, and whoever needs it reads the float column as before.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np

__all__ = ["MISSING_CODE", "WholeCodes", "whole_number_row"]

#: the int8 code of a missing answer (no answer takes it: answers are in [-127, 127])
MISSING_CODE = -128


def whole_number_row(values: np.ndarray) -> np.ndarray | None:
    """A float column (NaN = missing) as int8 (:data:`MISSING_CODE` where missing), or None when
    an answer is not a whole number in [-127, 127].

    The cast of the answers is compared with the answers: a fraction, a number out of range or
    an infinity changes in the cast (and an answer of -128 is counted among the missing)."""
    missing = np.isnan(values)
    filled = np.where(missing, float(MISSING_CODE), values)
    with np.errstate(invalid="ignore"):  # numbers out of range and infinities cast to any code
        out = filled.astype(np.int8)
    if not np.array_equal(out, filled) or np.count_nonzero(
            out == MISSING_CODE) != np.count_nonzero(missing):
        return None
    return out


@dataclass(frozen=True)
class WholeCodes:
    """Some columns of one set of respondents as int8 rows.

    Attributes
    ----------
    columns : the columns held, in the order of the rows.
    matrix : (columns, respondents) int8, :data:`MISSING_CODE` where missing.
    """

    columns: tuple[str, ...]
    matrix: np.ndarray

    @classmethod
    def from_rows(cls, rows: Mapping[str, np.ndarray], n: int) -> "WholeCodes":
        """The rows of ``rows`` (column -> int8 row of ``n`` answers) stacked in their order."""
        matrix = np.empty((len(rows), n), dtype=np.int8)
        for at, row in enumerate(rows.values()):
            matrix[at] = row
        return cls(tuple(rows), matrix)

    @property
    def n(self) -> int:
        return self.matrix.shape[1]

    def covers(self, columns: Iterable[str]) -> bool:
        """Whether every one of ``columns`` has its row here."""
        return set(columns) <= set(self.columns)

    def row(self, column: str) -> np.ndarray:
        """One column's row (a view)."""
        return self.matrix[self.columns.index(column)]

    def rows(self, columns: Sequence[str]) -> np.ndarray:
        """The rows of ``columns`` in their order, as a new (len(columns), n) matrix."""
        return self.matrix[[self.columns.index(c) for c in columns]]

    def reverse_coded(self, columns: Sequence[str], reverse: Iterable[str], low: float,
                      high: float) -> np.ndarray | None:
        """The rows of ``columns`` with those of ``reverse`` recoded x' = low + high − x
        (:func:`surveys.load.reverse_code`), or None when a recoded answer would not be a whole
        number in [-127, 127] (then the float path decides, as before)."""
        if not float(low + high).is_integer():
            return None
        out = self.rows(columns)
        for at, column in enumerate(columns):
            if column not in reverse:
                continue
            x = out[at]
            answered = x != MISSING_CODE
            recoded = int(low + high) - x.astype(np.int16)
            if answered.any() and not (-127 <= recoded[answered].min()
                                       and recoded[answered].max() <= 127):
                return None
            out[at] = np.where(answered, recoded, MISSING_CODE)
        return out

    def at(self, keep: np.ndarray) -> "WholeCodes":
        """The same columns at the respondents where the boolean ``keep`` is true."""
        return WholeCodes(self.columns, self.matrix if keep.all() else self.matrix[:, keep])
