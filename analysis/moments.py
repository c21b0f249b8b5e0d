"""Sufficient statistics of survey answers: counts, sums, cross-products and value counts.

Most statistics of :mod:`analysis` need no more of a group's respondents than these:

- for every pair of numeric columns (i, j): the rows where both are answered ``n_ij``, the sums
  ``Σ x_i`` and ``Σ x_i²`` over those rows and the cross-product ``Σ x_i x_j`` (pairwise complete,
  :class:`Moments`); means, variances, covariances and correlations (R's ``use="pairwise"``),
  Cronbach's alpha, KMO, EFA, regressions and the t tests come from them;
- the same over the rows that answered every column of a set (listwise, for the CFA and drivers);
- for one column, how often each distinct value occurs (:class:`Counts`): medians, top-2-box,
  NPS and the rank tests (mid-ranks of tied values, :mod:`analysis.ranks`) come from them.

:class:`Responses` computes them once per set of respondents (a group, a segment level, a wave)
and keeps them for every statistic that asks again; a statistic that only needs moments never
touches the rows. Derived columns (dimension scores, outcome scores) are column expressions of the
items (:meth:`Responses.scores`) whose moments are taken the same way.

Exact arithmetic
----------------
Answers that are whole numbers (Likert codes, 0-10) are summed as integers: the sums and
cross-products are exact and do not depend on the order of the rows; means and covariances are
formed from them at the end (``cov_ij = (n_ij S_ij - s_ij s_ji) / (n_ij (n_ij - 1))`` in integers,
one division last). An item pair that is exactly uncorrelated gets r = 0, not 1e-17, and a result
read from the same answers in another row order is the same to the last bit. Dimension scores (the
mean of a respondent's answered items) are rational: they are held as integers over a common
denominator (``score × L`` with L the least common multiple of the possible item counts) and are
exact too. Answers that are not whole numbers (decimals, large amounts) take the *row path*: the
same sums in floating point about a rough mean (centred first, for accuracy).

The products run over blocks of rows as matrix products: ``[X | U]ᵀ[X | U]`` with X the answers
(0 where missing) and U the missing-answer indicators gives ``Σ x_i x_j`` and, subtracted from the
column totals, the pairwise sums and counts. Every partial sum of a block is an integer below 2^24
(float32) or 2^53 (float64), where floating-point addition is exact in any order.

SQL form
--------
Every field is an aggregate a database computes in one ``GROUP BY`` (per segment, wave):
``n_ij = COUNT(*) FILTER (WHERE x_i IS NOT NULL AND x_j IS NOT NULL)``,
``sums_ij = SUM(CASE WHEN x_j IS NOT NULL THEN x_i END)``,
``squares_ij = SUM(CASE WHEN x_j IS NOT NULL THEN x_i * x_i END)``, ``cross_ij = SUM(x_i * x_j)``,
and value counts ``SELECT x, COUNT(*) ... GROUP BY x``. :meth:`Moments.from_sums` builds the object
from such aggregates.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass
from functools import reduce
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from surveys.wholecodes import MISSING_CODE, answered_range, exact_float_type

__all__ = ["Moments", "Counts", "Responses", "as_responses", "row_path", "exact_path",
           "pooled_counts"]

#: whole numbers up to this magnitude are summed exactly as integers
MAX_WHOLE = 1 << 20
#: rows per block of the matrix products
BLOCK_ROWS = 1 << 15
#: rows read to centre the floating-point sums of the row path
SHIFT_ROWS = 1000

_exact = True


def exact_path() -> bool:
    """Whether whole-number answers are summed exactly (True unless inside :func:`row_path`)."""
    return _exact


@contextmanager
def row_path():
    """Compute every moment in floating point from the rows and every rank test from the rows
    (scipy), as for answers that are not whole numbers. The results equal those of the exact
    path to rounding (tests/test_moments.py); used to check that."""
    global _exact
    previous, _exact = _exact, False
    try:
        yield
    finally:
        _exact = previous


# --------------------------------------------------------------------------------------------------
# Moments
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Moments:
    """Pairwise-complete sums of ``k`` numeric columns over one set of rows.

    Attributes
    ----------
    columns : the column names, in the order of the matrices.
    n : (k, k) int64, rows where columns i and j are both answered (diagonal: where i is).
    sums : (k, k) Σ y_i over the rows where i and j are answered.
    squares : (k, k) Σ y_i² over the rows where i and j are answered.
    cross : (k, k) Σ y_i y_j over the rows where both are answered.
    scale : (k,) the answers are ``x = origin + y / scale``: whole numbers have scale 1, dimension
        scores the common denominator of their possible values.
    origin : (k,) 0 for exact sums; the rough mean the floating-point sums are centred at.
    exact : whether ``sums``, ``squares`` and ``cross`` are exact integers (int64 or Python ints).
    """

    columns: tuple[str, ...]
    n: np.ndarray
    sums: np.ndarray
    squares: np.ndarray
    cross: np.ndarray
    scale: np.ndarray
    origin: np.ndarray
    exact: bool

    @classmethod
    def from_sums(cls, columns: Sequence[str], n, sums, squares, cross, scale=None) -> "Moments":
        """Exact moments from integer aggregates (e.g. computed by a database, see the module
        docstring); ``scale`` as the attribute (default 1)."""
        k = len(columns)
        return cls(tuple(columns), np.asarray(n, dtype=np.int64), *(_exact_array(a) for a in
                   (sums, squares, cross)),
                   np.ones(k, dtype=np.int64) if scale is None else np.asarray(scale, np.int64),
                   np.zeros(k), True)

    @property
    def k(self) -> int:
        return len(self.columns)

    def index(self, columns: Iterable[str]) -> list[int]:
        """Positions of ``columns`` in :attr:`columns` (KeyError naming a column not there)."""
        position = {c: i for i, c in enumerate(self.columns)}
        try:
            return [position[c] for c in columns]
        except KeyError as missing:
            raise KeyError(f"no moments for column {missing.args[0]!r}") from None

    def sub(self, columns: Sequence[str]) -> "Moments":
        """The moments of some of the columns (pairwise sums do not depend on the other columns)."""
        at = self.index(columns)
        block = np.ix_(at, at)
        return Moments(tuple(columns), self.n[block], self.sums[block], self.squares[block],
                       self.cross[block], self.scale[at], self.origin[at], self.exact)

    @property
    def count(self) -> np.ndarray:
        """(k,) answers to each column."""
        return np.diag(self.n).copy()

    @property
    def mean(self) -> np.ndarray:
        """(k,) mean of each column over its answers (NaN without answers)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.exact:
                return _ratio(np.diag(self.sums), self.count * self.scale)
            return self.origin + np.diag(self.sums) / self.count

    @property
    def pair_means(self) -> np.ndarray:
        """(k, k) mean of column i over the rows where i and j are both answered."""
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.exact:
                return _ratio(self.sums, self.n * self.scale[:, None])
            return self.origin[:, None] + self.sums / self.n

    @property
    def total(self) -> np.ndarray:
        """(k,) sum of each column's answers."""
        if self.exact:
            return _ratio(np.diag(self.sums), self.scale)
        return self.origin * self.count + np.diag(self.sums)

    def _centred(self) -> tuple[np.ndarray, np.ndarray]:
        """(n_ij Σ y_i y_j - Σ y_i Σ y_j, the scale of each entry): n_ij² times the covariance
        about the pair's means, before any division (exact in integers)."""
        if self.exact:
            n, sums = _big(self.n), _big(self.sums)
            numerator = n * _big(self.cross) - sums * sums.T
            return numerator, np.outer(self.scale, self.scale)
        numerator = self.n * self.cross - self.sums * self.sums.T
        return numerator, np.ones((self.k, self.k))

    @property
    def cov(self) -> np.ndarray:
        """(k, k) covariances, R's ``cov(x, use="pairwise")``: each pair over the rows where both
        are answered, centred at the pair's own means, divisor n_ij - 1; NaN for n_ij < 2."""
        numerator, scale = self._centred()
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.exact:
                denominator = _big(self.n) * (_big(self.n) - 1) * _big(scale)
                cov = _ratio(numerator, denominator)
            else:
                cov = numerator / (self.n * (self.n - 1.0))
        return np.where(self.n >= 2, cov, np.nan)

    @property
    def variance(self) -> np.ndarray:
        """(k,) variance of each column over its answers (divisor n - 1)."""
        return np.diag(self.cov).copy()

    @property
    def cor(self) -> np.ndarray:
        """(k, k) correlations, R's ``cor(x, use="pairwise")``: means and standard deviations of
        each pair over the rows where both are answered. An exactly uncorrelated pair gives 0."""
        numerator, _ = self._centred()
        if self.exact:
            n, sums, squares = _big(self.n), _big(self.sums), _big(self.squares)
            spread = _float(n * squares - sums * sums)
            numerator = _float(numerator)
        else:
            spread = self.n * self.squares - self.sums * self.sums
        with np.errstate(invalid="ignore", divide="ignore"):
            return numerator / np.sqrt(spread * spread.T)


def _big(values: np.ndarray) -> np.ndarray:
    """An integer array as Python ints (object dtype): products never overflow."""
    return values.astype(object) if values.dtype != object else values


def _float(values: np.ndarray) -> np.ndarray:
    """Integers (int64 or Python ints) as the nearest floats."""
    return np.asarray(values, dtype=object).astype(np.float64)


def _ratio(numerator, denominator) -> np.ndarray:
    """numerator / denominator for integer arrays, with one rounding of each before the division
    (exact for integers below 2^53); NaN where the denominator is 0."""
    top, bottom = _float(np.asarray(numerator)), _float(np.asarray(denominator))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(bottom != 0, top / np.where(bottom != 0, bottom, 1.0), np.nan)


def _exact_array(values) -> np.ndarray:
    """Integer aggregates as int64, or as Python ints where they do not fit."""
    values = np.asarray(values)
    if values.dtype == object:
        try:
            return values.astype(np.int64)
        except OverflowError:
            return values
    return values.astype(np.int64)


# --------------------------------------------------------------------------------------------------
# Value counts
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Counts:
    """How often each distinct answer of one column occurs (missing answers not counted).

    Attributes
    ----------
    values : distinct answers, ascending (float).
    counts : (m,) int64, how often each occurs.
    """

    values: np.ndarray
    counts: np.ndarray

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    def share(self, where: np.ndarray) -> float:
        """Share of the answers whose value satisfies the boolean mask ``where`` (over values)."""
        return float(self.counts[where].sum() / self.n) if self.n else math.nan

    @property
    def median(self) -> float:
        """The median (the mean of the two middle answers for an even count), NaN if empty."""
        n = self.n
        if n == 0:
            return math.nan
        cumulative = np.cumsum(self.counts)
        low = self.values[np.searchsorted(cumulative, (n - 1) // 2, side="right")]
        high = self.values[np.searchsorted(cumulative, n // 2, side="right")]
        return float(low) if low == high else float((low + high) / 2)


def pooled_counts(parts: Sequence[Counts]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of several columns or groups pooled, ascending, and a (groups, values)
    table of how often each group has each value."""
    values = reduce(np.union1d, [p.values for p in parts], np.array([], dtype=np.float64))
    table = np.zeros((len(parts), len(values)), dtype=np.int64)
    for row, part in zip(table, parts):
        row[np.searchsorted(values, part.values)] = part.counts
    return values, table


# --------------------------------------------------------------------------------------------------
# The in-memory source: a DataFrame of respondents
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Column:
    """One numeric column prepared for summing: ``ints`` (0 where missing, scale ``scale``) when
    its answers are whole numbers after scaling, else ``None`` and the answers in ``floats``."""

    floats: np.ndarray | None
    observed: np.ndarray
    ints: np.ndarray | None
    scale: int
    bound: int = 0  # the largest |integer| of ``ints`` (an upper bound is enough)

    @property
    def values(self) -> np.ndarray:
        """The answers as float64, NaN where missing (from ``ints`` when they are exact: the
        correctly rounded quotient, as the rows hold it)."""
        if self.floats is not None:
            return self.floats
        return np.where(self.observed, self.ints / self.scale, np.nan)

    def take(self, rows: np.ndarray) -> "_Column":
        """The column at some rows."""
        return _Column(None if self.floats is None else self.floats[rows], self.observed[rows],
                       None if self.ints is None else self.ints[rows], self.scale, self.bound)


def _prepare(values: np.ndarray) -> _Column:
    """A float column prepared for summing: as the smallest integer type (0 where missing) when
    every answer is a whole number of magnitude at most MAX_WHOLE (and the exact path is on)."""
    observed = ~np.isnan(values)
    answered = values[observed]
    low, high = (answered.min(), answered.max()) if answered.size else (0.0, 0.0)
    bound = max(abs(low), abs(high))
    if not _exact or bound > MAX_WHOLE or not np.array_equal(answered, np.rint(answered)):
        return _Column(values, observed, None, 1)
    return _Column(None, observed, np.where(observed, values, 0).astype(_int_type(int(bound))), 1,
                   int(bound))


def _prepare_whole(codes: np.ndarray) -> _Column:
    """:func:`_prepare` of a column loading holds as int8 (:mod:`surveys.wholecodes`:
    ``MISSING_CODE`` where missing, whole numbers in [-127, 127] elsewhere), without the float
    column: the same ``_Column`` (int8 integers, 0 where missing, bound max(|least|, |greatest|))."""
    observed = codes != MISSING_CODE
    ints = np.multiply(codes, observed, dtype=np.int8)  # x·1 or 0: 10x np.where's speed
    low, high = answered_range(codes) or (0, 0)
    return _Column(None, observed, ints, 1, max(abs(low), abs(high)))


class Responses:
    """One set of respondents (a group, a segment level, a wave) and its sufficient statistics.

    Parameters
    ----------
    frame : the respondents, one row each; numeric columns float (NaN = missing). Or a frame
        not made yet, whose ``columns`` and ``index`` are known and whose ``frame`` makes it
        (:class:`surveys.laterframes.LaterFrame`): it is made when :attr:`frame` is first read.
    columns : the numeric columns whose pairwise moments are computed together on the first
        request (default: the requested ones); a later request for other columns computes those.
    whole : some columns of ``frame`` as loading holds them in int8
        (:class:`surveys.wholecodes.WholeCodes`, the same answers): on the exact path they are
        prepared from these rows instead of converting and checking the float columns.

    The statistics ask for :meth:`moments`, :meth:`counts` and :meth:`count_rows`; each is
    computed once and kept. ``frame`` stays available for what needs the rows (a bootstrap, a
    per-respondent export).
    """

    def __init__(self, frame: pd.DataFrame | None, columns: Sequence[str] | None = None,
                 *, whole=None, _prepared: Mapping[str, _Column] | None = None):
        self._frame = frame
        self._index: pd.Index | None = None  # the rows of a frame not made yet (_of_columns)
        self._whole = whole
        self._hint = tuple(columns or ())
        self._prepared: dict[str, _Column] = dict(_prepared or {})
        self._moments: dict[tuple, Moments] = {}
        self._counts: dict[str, Counts] = {}
        self._derived: dict[tuple, Responses] = {}
        self._counted: dict[tuple, int] = {}

    @classmethod
    def _of_columns(cls, prepared: Mapping[str, _Column], index: pd.Index) -> "Responses":
        """The respondents ``index`` described by new columns already prepared for summing
        (scores, differences). Their DataFrame is made from the columns when it is first read:
        the statistics take the moments and value counts of the prepared columns, so at a
        million rows the float columns (~0.25 s for 20 scores) are often never needed."""
        made = cls(None, _prepared=prepared)
        made._index = index
        return made

    # ------------------------------------------------------------------ the frame's face
    @property
    def frame(self) -> pd.DataFrame:
        """The respondents, one row each (numeric columns float, NaN = missing)."""
        if self._frame is None:
            # copy=False: the columns are new arrays, held as they are (not copied into one)
            self._frame = pd.DataFrame({name: c.values for name, c in self._prepared.items()},
                                       index=self._index, copy=False)
        elif not isinstance(self._frame, pd.DataFrame):  # a LaterFrame
            self._frame = self._frame.frame
        return self._frame

    @property
    def columns(self) -> pd.Index:
        return pd.Index(list(self._prepared)) if self._frame is None else self._frame.columns

    @property
    def index(self) -> pd.Index:
        return self._index if self._frame is None else self._frame.index

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, column) -> bool:
        return column in (self._prepared if self._frame is None else self._frame.columns)

    # ------------------------------------------------------------------ columns
    def column(self, name: str) -> _Column:
        """The column prepared for summing (computed once)."""
        if name not in self._prepared:
            if _exact and self._whole is not None and name in self._whole.columns:
                self._prepared[name] = _prepare_whole(self._whole.row(name))
            else:
                self._prepared[name] = _prepare(
                    self.frame[name].to_numpy(dtype=np.float64, na_value=np.nan))
        return self._prepared[name]

    def is_exact(self, columns: Sequence[str]) -> bool:
        """Whether the moments of ``columns`` are summed exactly (all whole after scaling)."""
        return _exact and all(self.column(c).ints is not None for c in columns)

    # ------------------------------------------------------------------ moments
    def moments(self, columns: Sequence[str], *, complete: bool = False) -> Moments:
        """Pairwise moments of ``columns``; with ``complete`` over the rows that answered every
        one of them (listwise deletion)."""
        columns = tuple(columns)
        if complete:
            key = ("complete", columns)
            if key not in self._moments:
                rows = _every(np.logical_and, [self.column(c).observed for c in columns]) \
                    if columns else np.ones(len(self), dtype=bool)
                self._moments[key] = self._complete(columns, rows)
            return self._moments[key]
        found = self._summed(columns)
        if found is not None:
            return found
        together = tuple(dict.fromkeys([*columns, *(c for c in self._hint if c in self)]))
        if not self.is_exact(columns) or not self.is_exact(together):
            together = columns  # the row path for these alone
        self._moments[("pairwise", together)] = self._sum(together, None)
        return self._moments[("pairwise", together)].sub(columns)

    def _summed(self, columns: tuple[str, ...]) -> Moments | None:
        """The pairwise moments of ``columns`` if a pass over the rows has summed them."""
        for (kind, computed), found in self._moments.items():
            if kind == "pairwise" and set(columns) <= set(computed):
                return found.sub(columns)
        return None

    def _complete(self, columns: tuple[str, ...], rows: np.ndarray) -> Moments:
        """The moments over the complete ``rows`` of ``columns``. When their exact pairwise
        sums over every row are already taken and at most a fifth of the rows is incomplete,
        they are those sums minus the incomplete rows' (:func:`_without`: the same integers,
        from a pass over those few rows, none when every row answered every column; a row
        with a missing answer costs about four times a complete one, its block taking the
        missing-answer products too); else a pass over ``rows``."""
        summed = self._summed(columns) if columns and self.is_exact(columns) else None
        kept = int(rows.sum())
        if summed is None or not summed.exact or 5 * (len(rows) - kept) > len(rows):
            return self._sum(columns, rows)
        return _without(summed, self._sum(columns, ~rows), kept)

    def _sum(self, columns: tuple[str, ...], rows: np.ndarray | None) -> Moments:
        prepared = [self.column(c) for c in columns]
        if not columns:
            empty = np.zeros((0, 0), dtype=np.int64)
            return Moments((), empty, empty, empty, empty, np.zeros(0, np.int64), np.zeros(0),
                           True)
        if self.is_exact(columns):
            return _exact_moments(columns, prepared, rows)
        return _float_moments(columns, prepared, rows)

    def count_rows(self, *, any_of: Sequence[str] = (), all_of: Sequence[str] = ()) -> int:
        """Rows that answered at least one of ``any_of`` and every one of ``all_of`` (counted
        once per pair of column sets and kept: the validity section asks three times for the
        items, a pass over the rows each)."""
        key = (frozenset(any_of), frozenset(all_of))
        if key not in self._counted:
            masks = [self.column(c).observed for c in all_of]
            if any_of:
                masks.append(_every(np.logical_or, [self.column(c).observed for c in any_of]))
            self._counted[key] = (int(np.count_nonzero(_every(np.logical_and, masks))) if masks
                                  else len(self))
        return self._counted[key]

    # ------------------------------------------------------------------ value counts
    def counts(self, column: str) -> Counts:
        """How often each distinct answer of ``column`` occurs."""
        if column not in self._counts:
            prepared = self.column(column)
            if prepared.ints is not None:
                tally, low = _tally(prepared)
                seen = np.flatnonzero(tally)
                values = _ratio(seen + low, np.full(len(seen), prepared.scale))
                self._counts[column] = Counts(values, tally[seen].astype(np.int64))
            else:
                values, counts = np.unique(prepared.values[prepared.observed], return_counts=True)
                self._counts[column] = Counts(values, counts.astype(np.int64))
        return self._counts[column]

    def pair_counts(self, first: str, second: str) -> pd.Series:
        """Respondents per distinct pair of answers to ``first`` and ``second`` (both
        answered), indexed by the two answers as they are held (codes or texts)."""
        return self.frame.groupby([first, second]).size()

    # ------------------------------------------------------------------ derived columns
    def scores(self, definitions: Mapping[str, Sequence[str]],
               min_share: float | Mapping[str, float] = 0.0) -> "Responses":
        """The same respondents described by score columns: score ``name`` is the mean of the
        items of ``definitions[name]`` the respondent answered, provided they answered at least
        ``min_share`` of them (a number, or one per score; else missing). Exact: held as
        integers over the least common multiple of the possible numbers of answered items.
        Computed once per definition."""
        shares = {name: min_share[name] if isinstance(min_share, Mapping) else min_share
                  for name in definitions}
        key = tuple((name, tuple(items), shares[name]) for name, items in definitions.items())
        if key not in self._derived:
            self._derived[key] = Responses._of_columns(
                {name: _score(self, list(items), shares[name])
                 for name, items in definitions.items()}, self.index)
        return self._derived[key]

    def differences(self, pairs: Mapping[str, tuple[str, str]]) -> "Responses":
        """The same respondents described by differences ``a - b`` of two columns (missing unless
        both are answered), one per entry of ``pairs``. Exact for whole numbers; differences of
        scores that are not whole numbers are the floating-point differences, as R and scipy
        take them (two equal differences such as 2/3 - 1/3 and 4/3 - 1 may then differ in the
        last bit, and a rank test does not count them as tied)."""
        key = ("differences", tuple((name, tuple(pair)) for name, pair in pairs.items()))
        if key not in self._derived:
            self._derived[key] = Responses._of_columns(
                {name: _difference(self.column(a), self.column(b)) for name, (a, b) in pairs.items()},
                self.index)
        return self._derived[key]

    def split(self, labels: pd.Series) -> dict:
        """The respondents split by ``labels`` (aligned with the rows; missing labels dropped):
        level -> :class:`Responses`, levels sorted (categories in their order)."""
        codes, levels = pd.factorize(pd.Series(labels), sort=True)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(levels) + 1))
        parts = {}
        for at, level in enumerate(levels):
            rows = order[bounds[at]:bounds[at + 1]]
            parts[level] = Responses(self.frame.iloc[rows], self._hint, _prepared={
                name: column.take(rows) for name, column in self._prepared.items()})
        return parts

    def by(self, column: str) -> dict:
        """The respondents split by the levels of ``column`` (see :meth:`split`); kept."""
        key = ("by", column)
        if key not in self._derived:
            self._derived[key] = self.split(self.frame[column])
        return self._derived[key]


def _every(operation: np.ufunc, masks: Sequence[np.ndarray]) -> np.ndarray:
    """``operation.reduce(masks)`` (a logical and/or of boolean rows) as a new row, folded in
    place one mask after another: ``reduce`` of a list first stacks the masks into one matrix
    (60 items x a million rows: 15 ms against 5)."""
    out = masks[0].copy()
    for mask in masks[1:]:
        operation(out, mask, out=out)
    return out


#: a column whose held integers span at most this many values is counted value by value
#: (a comparison each, ~0.08 ms a million rows) rather than by ``np.bincount``, which first
#: converts every row to a 64-bit index (~1.2 ms a million rows)
COMPARED_VALUES = 8


def _tally(column: _Column) -> tuple[np.ndarray, int]:
    """How often each integer of an exact column is answered: (tally, low) with ``tally[v - low]``
    the count of ``v`` and ``low`` = min(0, the least answer). Every row is counted as it is held
    (missing answers hold 0), then the missing ones are taken off the count of 0: no copy of the
    answered rows (a million rows: ~3x less than counting the answered rows). A column spanning
    few values (Likert codes) is counted one value at a time (:data:`COMPARED_VALUES`)."""
    ints = column.ints
    low, high = min(int(ints.min(initial=0)), 0), int(ints.max(initial=0))
    if high - low < COMPARED_VALUES:
        tally = np.array([np.count_nonzero(ints == v) for v in range(low, high + 1)],
                         dtype=np.intp)
    else:
        tally = np.bincount(ints if low == 0 else ints.astype(np.int64) - low, minlength=1 - low)
    tally[-low] -= len(ints) - np.count_nonzero(column.observed)
    return tally, low


def _score(source: Responses, items: list[str], min_share: float) -> _Column:
    """One score column (see :meth:`Responses.scores`). Exact for whole-number items: the total
    of the answered items times ``L / count`` (a lookup by count, 0 with too few answers),
    ``L`` the least common multiple of the allowed counts; summed in the smallest integer types
    that hold them (a million rows: ~4x less than in int64)."""
    parts = [source.column(item) for item in items]
    # the rows of the columns (a table group's Responses counts the engine's rows, its columns
    # hold the sample's)
    count = np.zeros(len(parts[0].observed) if parts else len(source),
                     dtype=_int_type(len(items)))
    for p in parts:  # in place: np.sum of the list would first stack the columns
        count += p.observed
    possible = [c for c in range(1, len(items) + 1) if c >= min_share * len(items) - 1e-12]
    enough = count >= possible[0] if possible else np.zeros(len(count), dtype=bool)
    scale = math.lcm(*possible) if possible else 1
    if not (parts and _exact and all(p.ints is not None and p.scale == 1 for p in parts)) or \
            max(p.bound for p in parts) * scale > MAX_WHOLE:
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.sum([np.where(p.observed, p.values, 0.0) for p in parts], axis=0) / count
        values = np.where(enough, values, np.nan) if parts else np.full(len(source), np.nan)
        return _Column(values, enough, None, 1)
    bound = max(p.bound for p in parts)
    total = np.zeros(len(count), dtype=_int_type(bound * len(items)))
    for p in parts:
        total += p.ints
    factor = np.array([scale // c if c in possible else 0 for c in range(len(items) + 1)],
                      dtype=_int_type(scale))
    ints = np.multiply(total, _lookup(factor, count), dtype=_int_type(bound * scale))
    return _Column(None, enough, ints, scale, int(np.abs(ints).max(initial=0)))


def _lookup(table: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``table[index]`` for a short table and indices within it, as a sum of
    ``(index == i) * table[i]`` (one term is not 0 per row): a comparison per entry instead of a
    gather (a million int8 indices into the 4 factors of a 3-item score: ~0.2 ms against ~1.4)."""
    out = np.zeros(len(index), dtype=table.dtype)
    for at, entry in enumerate(table):
        if entry:
            out += (index == at) * entry
    return out


def _int_type(limit: int) -> type:
    """The smallest signed integer type holding every integer of magnitude up to ``limit``."""
    return next(t for t in (np.int8, np.int16, np.int32, np.int64) if limit <= np.iinfo(t).max)


def _difference(a: _Column, b: _Column) -> _Column:
    """a - b where both are answered (see :meth:`Responses.differences`)."""
    both = a.observed & b.observed
    values = np.where(both, a.values - b.values, np.nan)
    if a.ints is None or b.ints is None or a.scale != 1 or b.scale != 1:
        return _Column(values, both, None, 1)
    ints = np.where(both, a.ints.astype(np.int64) - b.ints.astype(np.int64), 0)
    return _Column(None, both, ints, 1, a.bound + b.bound)


def as_responses(data: pd.DataFrame | Responses, columns: Sequence[str] | None = None
                 ) -> Responses:
    """``data`` itself if it is :class:`Responses`, else a new one over the DataFrame."""
    return data if isinstance(data, Responses) else Responses(data, columns)


# --------------------------------------------------------------------------------------------------
# The sums
# --------------------------------------------------------------------------------------------------
def _exact_moments(columns: tuple[str, ...], prepared: list[_Column],
                   rows: np.ndarray | None) -> Moments:
    """Integer sums by blocks of matrix products (see the module docstring): per block of rows
    held as columns x rows, ``cross += X Xᵀ`` (so ``Σ x_i²`` over all rows is its diagonal) and
    ``Σ x_i``; the sums over the rows where another column is missing (subtracted at the end)
    from the missing cells (:func:`_missing_sums`)."""
    k = len(columns)
    bound = max((p.bound for p in prepared), default=0)
    square = max(bound * bound, 1)
    # a block's partial sums (at most rows x bound^2) stay below 2^24 in float32, else below
    # 2^53 in float64 blocks cut to fit: every product and sum below is exact in any order
    dtype = exact_float_type(BLOCK_ROWS, bound)
    block = BLOCK_ROWS if dtype is np.float32 else max(1, min(BLOCK_ROWS, (1 << 53) // square))
    total = len(prepared[0].observed) if rows is None else int(rows.sum())
    wide = object if total * square >= 1 << 62 else np.int64  # int64 could overflow
    cross, lost, lost_squares = (np.zeros((k, k), dtype=wide) for _ in range(3))
    sums = np.zeros(k, dtype=wide)
    missing, both_missing = np.zeros(k, dtype=np.int64), np.zeros((k, k), dtype=np.int64)
    # a block held as columns x rows: each column is copied into a contiguous row of two arrays
    # made once (stacking the columns side by side took a third of the time)
    width = min(block, total)
    values, empty = np.empty((k, width), dtype=dtype), np.empty((k, width), dtype=bool)
    for at in _blocks(rows, total, block):
        for j, p in enumerate(prepared):
            column = p.ints[at]
            width = len(column)
            values[j, :width] = column
            np.logical_not(p.observed[at], out=empty[j, :width])
        x, holes = values[:, :width], empty[:, :width]
        cross += _integers(x @ x.T)
        sums += _integers(x.sum(axis=1))
        found = _missing_sums(x, holes)
        if found is not None:
            for accumulated, part in zip((missing, lost, lost_squares, both_missing), found):
                accumulated += part
    n = total - missing[:, None] - missing[None, :] + both_missing
    scale = np.array([p.scale for p in prepared], dtype=np.int64)
    return Moments(columns, n, sums[:, None] - lost, np.diag(cross)[:, None] - lost_squares,
                   cross, scale, np.zeros(k), True)


#: a block's missing cells are summed where they are (gathered) when they are at most this share
#: of its cells, else by matrix products: gathering costs ~(columns x missing cells), the
#: products ~3 x columns² x rows at a lower cost per term (60 columns x 32,768 rows: 1% missing
#: 10 ms gathered against 16 ms of products, equal at ~2.5%)
GATHERED_MISSING = 0.02


def _missing_sums(x: np.ndarray, holes: np.ndarray) -> tuple[np.ndarray, ...] | None:
    """One block's sums over missing answers, or None when it has none: per column j the count
    of its missing cells, and (i, j) tables of ``Σ x_i``, ``Σ x_i²`` and the count of missing
    ``x_i``, over the rows where j is missing (``lost``, ``lost_squares``, ``both_missing``).

    ``x`` (columns x rows, 0 where missing) holds exact integers in floating point and
    ``holes`` says where the answers are missing. With few missing cells
    (:data:`GATHERED_MISSING`) every column is gathered at the rows where column j is missing
    and summed per j (``np.add.reduceat`` over the cells of each j, which ``np.flatnonzero`` lists
    column by column); else ``Uᵀ X``, ``Uᵀ X²`` and ``Uᵀ U`` with U the missing indicators.
    Both give the same integers (every partial sum is exact, see :func:`_exact_moments`)."""
    column_of, row_of = np.divmod(np.flatnonzero(holes), holes.shape[1])  # by column, then row
    if not len(row_of):
        return None
    k = len(x)
    missing = np.bincount(column_of, minlength=k)
    if len(row_of) > GATHERED_MISSING * holes.size:
        u = holes.astype(x.dtype)
        return (missing, _integers(u @ x.T).T, _integers(u @ np.square(x).T).T,
                _integers(u @ u.T))
    some = np.flatnonzero(missing)  # the columns with a missing cell, and where theirs start
    starts = np.concatenate(([0], np.cumsum(missing[some])[:-1]))
    gathered = np.take(x, row_of, axis=1)
    tables = [np.zeros((k, k), dtype=np.int64) for _ in range(3)]
    for table, cells in zip(tables, (gathered, np.square(gathered),
                                     np.take(holes, row_of, axis=1))):
        table[:, some] = _integers(np.add.reduceat(cells, starts, axis=1, dtype=x.dtype))
    return (missing, *tables)


def _without(every: Moments, incomplete: Moments, kept: int) -> Moments:
    """The exact moments of the rows that answered every column (``kept`` of them), from the
    pairwise sums over every row and the sums over the other rows: with x = 0 where missing,
    Σ_complete x_i x_j = Σ_all − Σ_incomplete, and likewise Σ x_i and Σ x_i² (the diagonal of
    the pairwise sums, over every answer of i)."""
    k = every.k
    sums = np.diag(every.sums) - np.diag(incomplete.sums)
    squares = np.diag(every.squares) - np.diag(incomplete.squares)
    return Moments(every.columns, np.full((k, k), kept, dtype=np.int64),
                   np.repeat(sums[:, None], k, axis=1), np.repeat(squares[:, None], k, axis=1),
                   every.cross - incomplete.cross, every.scale, every.origin, True)


def _blocks(rows: np.ndarray | None, total: int, size: int):
    """Row selectors of consecutive blocks of ``size`` rows (of the ``rows`` kept, if given)."""
    kept = None if rows is None else np.flatnonzero(rows)
    for start in range(0, total, size):
        yield slice(start, start + size) if kept is None else kept[start:start + size]


def _integers(values: np.ndarray) -> np.ndarray:
    """A block's float sums (whole numbers, exact) as int64."""
    return np.rint(values).astype(np.int64)


def _float_moments(columns: tuple[str, ...], prepared: list[_Column],
                   rows: np.ndarray | None) -> Moments:
    """Floating-point sums about a rough mean of the first rows (the row path)."""
    k = len(columns)
    total = len(prepared[0].observed) if rows is None else int(rows.sum())
    first = next(_blocks(rows, total, SHIFT_ROWS), slice(0, 0))
    head = np.column_stack([p.values[first] for p in prepared])
    seen = ~np.isnan(head)
    origin = np.where(seen, head, 0.0).sum(axis=0) / np.maximum(seen.sum(axis=0), 1)
    cross, sums, squares, n = (np.zeros((k, k)) for _ in range(4))
    for at in _blocks(rows, total, BLOCK_ROWS):
        part = np.column_stack([p.values[at] for p in prepared])
        observed = ~np.isnan(part)
        x = np.where(observed, part - origin, 0.0)
        mask = observed.astype(np.float64)
        cross += x.T @ x
        sums += x.T @ mask
        squares += np.square(x).T @ mask
        n += mask.T @ mask
    scale = np.ones(k, dtype=np.int64)
    return Moments(columns, np.rint(n).astype(np.int64), sums, squares, cross, scale, origin,
                   False)
