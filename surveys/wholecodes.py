"""The coded answers of a group's item columns held once as int8, for every check that reads them.

Likert codes are small whole numbers: held as one byte a cell (an items x respondents matrix, one
contiguous row per column) instead of a float64 column (8 bytes), they are read once while coding
(:mod:`surveys.coding` reads a column of one-digit answers straight into int8) and shared by the
careless screens (:func:`surveys.careless.careless_screens`), the quality checks
(:func:`surveys.cleaning.quality_report`) and the moments of the analyses
(:class:`analysis.moments.Responses`), none of which then converts and checks the float columns
again. The float64 columns of :class:`surveys.load.GroupData` are the same as before (the public
face), made when they are first read (:mod:`surveys.laterframes`; a one-digit column's from its
int8 row, :func:`as_floats`); these rows hold the same answers: ``x`` where the float column
holds ``x``, :data:`MISSING_CODE` where it holds NaN. A column with an answer that is not a whole
number in [-127, 127] has no row here, and whoever needs it reads the float column as before.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

__all__ = ["MISSING_CODE", "WholeCodes", "whole_number_row", "answered_range", "as_floats"]

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


#: the float of each int8 code, indexed by its byte (:data:`MISSING_CODE`'s, 128: NaN)
_FLOAT_OF_CODE = np.where(np.arange(256) == (MISSING_CODE & 0xFF), np.nan,
                          np.arange(256, dtype=np.uint8).view(np.int8)).astype(np.float64)


def as_floats(row: np.ndarray) -> np.ndarray:
    """An int8 row as the float column it stands for (NaN where missing): one table look-up
    per answer (the inverse of :func:`whole_number_row`)."""
    return np.take(_FLOAT_OF_CODE, row.view(np.uint8))


def answered_range(row: np.ndarray) -> tuple[int, int] | None:
    """The least and greatest answer of an int8 row, or None when nothing is answered: the
    missing code, -128, is below every answer, and int8 negation leaves it where it is, so the
    greatest code is the greatest answer and minus the greatest negated code the least."""
    greatest = int(row.max(initial=MISSING_CODE))
    if greatest == MISSING_CODE:
        return None
    return -int(np.negative(row).max()), greatest


def exact_float_type(rows: int, bound: int) -> type:
    """The float type whose matrix products of ``rows`` whole numbers of magnitude at most
    ``bound`` are exact in any order: every partial sum is an integer below rows x bound², which
    float32 holds exactly below 2^24 (float64 below 2^53, which callers keep blocks under)."""
    return np.float32 if rows * bound * bound < 1 << 24 else np.float64


@dataclass(frozen=True)
class WholeCodes:
    """Some columns of one set of respondents as int8 rows.

    Attributes
    ----------
    rows : column -> its ``n`` answers as int8, :data:`MISSING_CODE` where missing.
    n : the number of respondents.
    """

    rows: dict[str, np.ndarray]
    n: int

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.rows)

    def covers(self, columns: Iterable[str]) -> bool:
        """Whether every one of ``columns`` has its row here."""
        return all(c in self.rows for c in columns)

    def row(self, column: str) -> np.ndarray:
        """One column's row (not a copy)."""
        return self.rows[column]

    def reverse_coded(self, reverse: Iterable[str], low: float,
                      high: float) -> "WholeCodes | None":
        """The same columns with those of ``reverse`` recoded x' = low + high − x
        (:func:`surveys.load.reverse_code`; the other rows shared, not copied), or None when a
        recoded answer would not be a whole number in [-127, 127] (then the float columns
        decide, as before)."""
        recode = [c for c in self.rows if c in set(reverse)]
        if recode and not float(low + high).is_integer():
            return None
        rows = dict(self.rows)
        for column in recode:
            x = rows[column]
            answered = x != MISSING_CODE
            recoded = int(low + high) - x.astype(np.int16)
            if answered.any() and not (-127 <= recoded[answered].min()
                                       and recoded[answered].max() <= 127):
                return None
            rows[column] = np.where(answered, recoded, MISSING_CODE).astype(np.int8)
        return WholeCodes(rows, self.n)

    def at(self, keep: np.ndarray) -> "WholeCodes":
        """The same columns at the respondents where the boolean ``keep`` is true."""
        if keep.all():
            return self
        return WholeCodes({c: x[keep] for c, x in self.rows.items()}, int(keep.sum()))
