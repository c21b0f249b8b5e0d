"""Careless-responding screens: longstring, IRV, Mahalanobis D², even-odd consistency, attention
checks (Curran 2016; the definitions of R ``careless`` 1.2, Yentes & Wilhelm 2021).

Each screen is a pure function of one group's answers to the screened items and returns one value
per respondent (NaN where undefined); :func:`careless_screens` runs the screens a study's
``careless:`` block switches on and turns the values into flags. A missing value never flags.
Screens only flag; rows are excluded only through the study file's ``exclude:``.

The screened items are the dimension items (not satisfaction, loyalty or NPS), in the order the
study declares them (dimensions in order, items in order within each), reverse items already
recoded, of every row read from the file (before any exclusion): the screens are part of deciding
what to exclude, so they see what the exclusion rules see.

:func:`careless_screens` reads the answers in blocks of :data:`BLOCK_ROWS` rows (a block of 60
items in float64 is ~30 MB, whatever the number of respondents): longstring, IRV and even-odd
are values of each row alone; Mahalanobis D² takes the group's centroid and the Cholesky factor
of its covariance matrix from a first pass over the blocks (:func:`complete_case_centroid`) and
the distances from a second.

Whole numbers (the usual case: Likert codes) take the *exact path*: the answers are held once as
an items x respondents int8 matrix (:func:`whole_number_answers`, 1 byte a cell instead of 8) and
every screen is formed from integer sums, with one rounding at the end: IRV from each row's count,
sum and sum of squares, :math:`\\sqrt{(m \\sum x^2 - (\\sum x)^2) / (m (m - 1))}`; even-odd's
correlation from the half sums scaled to a common denominator; the centroid from the complete
cases' integer sums and cross-products (no dependence on the order of the rows, as issue 18 asks
of every moment). The values equal the floating-point path's to ~1e-14 relative (tests, at
1e-12, against the former functions on the sample and on data with missing answers, and the R
reference), so a flag can only differ for a value within rounding of its threshold; where the
floating-point path made a difference of equal values ~1e-16 instead of 0 (a half whose means
are all equal thirds), the exact path sees zero variance and gives NaN, as the definition says.
Any answer that is not a whole number in [-127, 127] sends the group down the floating-point path.

References
----------
Curran, P. G. (2016). Methods for the detection of carelessly invalid responses in survey data.
*Journal of Experimental Social Psychology*, 66, 4-19.
Yentes, R. D., & Wilhelm, F. (2021). careless: Procedures for computing indices of careless
responding. R package version 1.2.
Johnson, J. A. (2005). Ascertaining the validity of individual protocols from web-based
personality inventories. *Journal of Research in Personality*, 39(1), 103-129.
"""
from __future__ import annotations

import ctypes
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import linalg, special

from analysis.forked import processors

from .i18n import Text, msg
from .wholecodes import MISSING_CODE, exact_float_type, whole_number_row

__all__ = ["SCREENS", "BLOCK_ROWS", "longstring", "irv", "mahalanobis", "complete_case_centroid",
           "mahalanobis_d2", "even_odd", "attention_failures", "CarelessResult", "careless_screens",
           "whole_number_answers"]

#: the screens of ``careless:`` in the order respondents.csv and the quality report list them
SCREENS = ("longstring", "irv", "mahalanobis", "even_odd", "attention")
#: rows of answers :func:`careless_screens` holds in float64 at a time
BLOCK_ROWS = 65_536


def longstring(values: np.ndarray) -> np.ndarray:
    """The longest run of identical consecutive answers of each respondent.

    Parameters
    ----------
    values : respondents x items (the screened items in declared order), NaN = missing.

    Returns
    -------
    float array, one value per respondent; NaN for a respondent with no answer.

    Notes
    -----
    Runs are read left to right over the items in declared order; a missing answer ends a run and
    starts none (careless ``longstring`` on the answered values with ``NA`` breaking the run). The
    screen flags a longstring at or above the study's threshold.
    """
    values = np.asarray(values, dtype=float)
    n, k = values.shape
    answered = ~np.isnan(values)
    if not k:
        return np.full(n, np.nan)
    # item by item over the transposed block (contiguous rows); NaN equals nothing, so a
    # missing answer ends a run
    same = (values[:, 1:] == values[:, :-1]).T.copy()
    return _longest_runs(same, answered.T.copy())


def _longest_runs(same: np.ndarray, answered: np.ndarray) -> np.ndarray:
    """The longest run of each respondent (a column of the items x respondents arrays):
    ``same[j - 1]`` says item j answers as item j - 1 did (both answered), ``answered[j]`` that
    item j is answered; NaN for a respondent with no answer.

    Item by item, in place: the run grows by one where the answer repeats the previous one and
    restarts at 1 (answered) or 0 (missing) where it does not, i.e.
    ``run = max((run + 1) * same, answered)``; 3 operations on one int16 array an item."""
    run = answered[0].astype(np.int16)
    best = run.copy()
    for j in range(1, len(answered)):
        run += 1
        run *= same[j - 1]
        np.maximum(run, answered[j], out=run)
        np.maximum(best, run, out=best)
    return np.where(answered.any(axis=0), best, np.nan)


def irv(values: np.ndarray) -> np.ndarray:
    """Intra-individual response variability: the SD (divisor n − 1) of each respondent's answers.

    Parameters
    ----------
    values : respondents x items, NaN = missing.

    Returns
    -------
    float array; NaN for a respondent with fewer than 2 answers.

    Notes
    -----
    :math:`IRV_r = \\sqrt{\\frac{1}{m_r - 1}\\sum_{i \\in A_r} (x_{ri} - \\bar x_r)^2}` over the
    :math:`m_r` answered items :math:`A_r` (careless ``irv(na.rm = TRUE)``, Dunn et al. 2018). A
    low IRV (little variation across items) suggests straight-lining.
    """
    values = np.asarray(values, dtype=float)
    answered = ~np.isnan(values)
    m = answered.sum(axis=1)
    deviations = np.where(answered, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = deviations.sum(axis=1) / m
        deviations -= mean[:, None]
        deviations *= answered  # 0 for a missing answer (NaN only in a row without answers)
        deviations *= deviations
        sd = np.sqrt(deviations.sum(axis=1) / (m - 1))
    return np.where(m >= 2, sd, np.nan)


def _chi2_sf(x: np.ndarray, df: int) -> np.ndarray:
    """:math:`P(\\chi^2_{df} > x)`: ``scipy.special.chdtrc(df, x)``, what ``scipy.stats.chi2.sf``
    evaluates after checking its arguments (the same bits; the checks and the distribution's
    set-up cost ~0.3 s over a million respondents). NaN stays NaN."""
    return special.chdtrc(df, x)


def mahalanobis(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mahalanobis distance D² of each respondent from the group's centroid, and its p-value.

    Parameters
    ----------
    values : respondents x items, NaN = missing.

    Returns
    -------
    (d2, p): float arrays; NaN for a respondent with a missing item, and for everyone when fewer
    than k + 1 complete cases or a singular covariance matrix leave D² undefined.

    Notes
    -----
    :math:`D^2_r = (x_r - \\bar x)^\\top S^{-1} (x_r - \\bar x)` with :math:`\\bar x` and
    :math:`S` (divisor n − 1) from the group's complete cases; defined for respondents who
    answered every item. :math:`p_r = P(\\chi^2_k > D^2_r)` with k = the number of items. The
    screen flags p below the study's threshold (careless ``mahad``; Meade & Craig 2012).
    Computed as :func:`mahalanobis_d2` of :func:`complete_case_centroid`.
    """
    values = np.asarray(values, dtype=float)
    d2 = mahalanobis_d2(values, complete_case_centroid([values]))
    return d2, _chi2_sf(d2, values.shape[1])


def complete_case_centroid(blocks: Iterable[np.ndarray]) -> tuple[np.ndarray, np.ndarray] | None:
    """The mean and the Cholesky factor of the covariance matrix of the complete cases, summed
    over blocks of rows.

    Parameters
    ----------
    blocks : respondents x items arrays (NaN = missing), the group's rows in pieces.

    Returns
    -------
    (mean, L) with :math:`S = L L^\\top` (divisor n − 1), or None with fewer than k + 1 complete
    cases or a covariance matrix of rank below k.

    Notes
    -----
    One pass: the count, the sums :math:`\\sum d_r` and the cross-products
    :math:`\\sum d_r d_r^\\top` of :math:`d_r = x_r - c` about a shift c (the mean of the first
    block's complete cases, so that nothing cancels), then
    :math:`\\bar x = c + \\sum d_r / n` and
    :math:`S = (\\sum d_r d_r^\\top - (\\sum d_r)(\\sum d_r)^\\top / n) / (n - 1)`.
    Whole-number answers give exact sums. Rows with a missing item are left out (complete
    cases, as careless ``mahad``).
    """
    shift, n, sums, products, k = None, 0, 0.0, 0.0, None
    for x in blocks:
        k = x.shape[1]
        x = x[~np.isnan(x).any(axis=1)]
        if not len(x):
            continue
        if shift is None:
            shift = x.mean(axis=0)
        d = x - shift
        n, sums, products = n + len(d), sums + d.sum(axis=0), products + d.T @ d
    if k is None or n <= k:
        return None
    cov = (products - np.outer(sums, sums) / n) / (n - 1)
    if np.linalg.matrix_rank(cov) < k:
        return None
    return shift + sums / n, np.linalg.cholesky(cov)


def mahalanobis_d2(values: np.ndarray,
                   centroid: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """D² of each row of ``values`` from a centroid of :func:`complete_case_centroid`.

    Notes
    -----
    :math:`D^2_r = \\lVert z_r \\rVert^2` with :math:`L z_r = x_r - \\bar x` solved by forward
    substitution (:math:`S^{-1} = L^{-\\top} L^{-1}`); NaN for a row with a missing item, and for
    every row when the centroid is None (D² undefined).
    """
    d2 = np.full(len(values), np.nan)
    if centroid is None:
        return d2
    mean, factor = centroid
    complete = ~np.isnan(values).any(axis=1)
    d2[complete] = _squared_distances((values[complete] - mean).T, factor)
    return d2


def _squared_distances(centred: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """:math:`\\lVert z_r \\rVert^2` with :math:`L z_r = d_r` for the columns ``d_r`` of
    ``centred`` (items x respondents, float64, finite; overwritten by z) and the Cholesky factor
    ``L``.

    LAPACK solves in Fortran order: ``centred`` made so is solved in place (a C-ordered array is
    copied first, the same values); neither is checked for infinities again (the complete
    rows of answers that gave a finite factor)."""
    z = _solve_lower(factor, centred)
    return np.einsum("ij,ij->j", z, z)


def _solve_lower(factor: np.ndarray, centred: np.ndarray) -> np.ndarray:
    """``linalg.solve_triangular(factor, centred, lower=True, overwrite_b=True,
    check_finite=False)`` with the interpreter's lock released during the solve.

    scipy's wrapper of LAPACK holds the lock while LAPACK solves (~15 ms a block of the
    screens): the screens' other thread and the quality checks beside them waited. Where
    ``factor`` is C-ordered (:func:`numpy.linalg.cholesky` makes it so) and ``centred``
    Fortran-ordered, the routine scipy calls then, ``dtrtrs`` on the transposed system (uplo
    'U', trans 'T': the C-ordered L is Lᵀ in Fortran order), is called here through
    :mod:`ctypes`, which releases the lock: the same routine of the same library on the same
    arrays, so the same bits (``tests/test_careless.py``). Otherwise, or where the routine is
    not found, scipy's call."""
    trtrs = _lapack_trtrs()
    k, n = centred.shape
    if (trtrs is None or not centred.size or factor.dtype != np.float64
            or centred.dtype != np.float64 or not factor.flags.c_contiguous
            or not centred.flags.f_contiguous):
        return linalg.solve_triangular(factor, centred, lower=True, overwrite_b=True,
                                       check_finite=False)
    size, count, info = ctypes.c_int(k), ctypes.c_int(n), ctypes.c_int(0)
    trtrs(b"U", b"T", b"N", ctypes.byref(size), ctypes.byref(count),
          factor.ctypes.data_as(ctypes.c_void_p), ctypes.byref(size),
          centred.ctypes.data_as(ctypes.c_void_p), ctypes.byref(size), ctypes.byref(info),
          *[ctypes.c_size_t(1)] * 3)  # the lengths of the three letters (Fortran's hidden ones)
    if info.value > 0:  # as scipy reports it
        raise np.linalg.LinAlgError(
            f"singular matrix: resolution failed at diagonal {info.value - 1}")
    return centred


@lru_cache(maxsize=1)
def _lapack_trtrs():
    """LAPACK's ``dtrtrs`` from the library scipy's LAPACK wrapper is linked to (looked up
    through the wrapper, under the ``scipy_`` prefix of scipy's own OpenBLAS or none), as a
    :mod:`ctypes` function; None when it is not found."""
    try:
        from scipy.linalg import _flapack
        library = ctypes.CDLL(_flapack.__file__)
    except (ImportError, OSError, AttributeError):
        return None
    for name in ("scipy_dtrtrs_", "dtrtrs_"):
        trtrs = getattr(library, name, None)
        if trtrs is not None:
            trtrs.restype = None
            return trtrs
    return None


def _row_means(x: np.ndarray, columns: list[int]) -> np.ndarray:
    """Each row's mean of its answered cells among ``columns`` (NaN for a row without any),
    summed column by column from the left (the order of a sum over the gathered columns, which
    this saves copying)."""
    total, count = np.zeros(len(x)), np.zeros(len(x), dtype=np.int64)
    for j in columns:
        answered = ~np.isnan(x[:, j])
        total += np.where(answered, x[:, j], 0.0)
        count += answered
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


def even_odd(values: pd.DataFrame, dimensions: Mapping[str, Sequence[str]]) -> np.ndarray:
    """Even-odd consistency: the Spearman-Brown corrected correlation, across dimensions, of each
    respondent's mean of the odd-position items with the mean of the even-position items.

    Parameters
    ----------
    values : respondents x items, NaN = missing (columns named by item).
    dimensions : dimension -> items in declared order; dimensions with fewer than 2 items are
        left out.

    Returns
    -------
    float array; NaN with fewer than 3 usable dimensions (both halves answered) or zero variance
    in either half across them.

    Notes
    -----
    For dimension d with items in declared order, :math:`o_{rd}` is the mean of the respondent's
    answered items at positions 1, 3, 5, … and :math:`e_{rd}` of those at 2, 4, …. With r the
    Pearson correlation of :math:`(o_{rd})` and :math:`(e_{rd})` over the dimensions where both
    are defined, the index is :math:`2r / (1 + r)`, set to −1 where it falls below −1 (careless
    ``evenodd``; Johnson 2005). A low value means the two halves of each scale disagree.
    """
    x = values.to_numpy(dtype=float)
    return _even_odd(x, _halves(list(values.columns), dimensions))


def _halves(columns: list[str], dimensions: Mapping[str, Sequence[str]]
            ) -> list[tuple[list[int], list[int]]]:
    """For each dimension of 2 or more items, the positions in ``columns`` of its odd-position
    and of its even-position items."""
    at = {c: i for i, c in enumerate(columns)}
    return [([at[c] for c in items[0::2]], [at[c] for c in items[1::2]])
            for items in dimensions.values() if len(items) >= 2]


def _even_odd(x: np.ndarray, halves: list[tuple[list[int], list[int]]]) -> np.ndarray:
    """:func:`even_odd` of an array, the halves given as column positions (:func:`_halves`)."""
    n = len(x)
    if not halves:
        return np.full(n, np.nan)
    o = np.column_stack([_row_means(x, odd) for odd, _ in halves])
    e = np.column_stack([_row_means(x, even) for _, even in halves])
    usable = ~np.isnan(o) & ~np.isnan(e)
    m = usable.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        o_mean = np.where(usable, o, 0.0).sum(axis=1) / m
        e_mean = np.where(usable, e, 0.0).sum(axis=1) / m
        do = np.where(usable, o - o_mean[:, None], 0.0)
        de = np.where(usable, e - e_mean[:, None], 0.0)
        sxx, syy = (do ** 2).sum(axis=1), (de ** 2).sum(axis=1)
        r = (do * de).sum(axis=1) / np.sqrt(sxx * syy)
    return _spearman_brown(r, (m >= 3) & (sxx > 0) & (syy > 0))


def _spearman_brown(r: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Even-odd's index from the halves' correlations ``r``: 2r / (1 + r), at least −1, NaN
    where not ``ok`` (fewer than 3 usable dimensions or a half without variance)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        corrected = 2 * r / (1 + r)
    corrected = np.where(corrected < -1, -1.0, corrected)
    return np.where(ok, corrected, np.nan)


# --------------------------------------------------------------------------------------------------
# The exact path: whole-number answers as int8, every screen from integer sums
# --------------------------------------------------------------------------------------------------
def whole_number_answers(items: pd.DataFrame) -> np.ndarray | None:
    """The answers as an items x respondents int8 matrix (:data:`MISSING_CODE` where missing),
    or None when an answer is not a whole number in [-127, 127].

    One row per item: each column of the frame is cast once (:func:`whole_number_row`), into a
    contiguous row (1 byte a cell where a float64 block takes 8), and a block of respondents is
    a slice of every row. Loading holds these rows already (:class:`surveys.wholecodes.WholeCodes`)
    and hands them to :func:`careless_screens`.
    """
    out = np.empty(items.shape[::-1], dtype=np.int8)
    for j, column in enumerate(items.columns):
        row = whole_number_row(items[column].to_numpy(dtype=np.float64, na_value=np.nan))
        if row is None:
            return None
        out[j] = row
    return out


def whole_number_centroid(answers: np.ndarray, rows: Sequence[np.ndarray] | None = None
                          ) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`complete_case_centroid` of an int8 matrix of :func:`whole_number_answers`, from
    exact integer sums. With ``rows`` (the answers as separate int8 rows, one an item),
    ``answers`` is an empty matrix of their shape, which each block's thread fills with its
    respondents' answers before summing them (:func:`_by_block`: the matrix is not built on one
    thread first).

    Notes
    -----
    Over the complete cases (every item answered): the count n, the sums :math:`s = \\sum x_r`
    and the cross-products :math:`P = \\sum x_r x_r^\\top`, summed a block at a time as float32
    or float64 matrix products (:func:`_complete_case_sums`; exact: every partial sum is an
    integer below 2^24 or 2^53) into integers; then
    :math:`\\bar x = s / n` and :math:`S = (n P - s s^\\top) / (n (n - 1))`, the numerator in
    Python integers (no overflow at any n), one rounding each. The same in any row order.
    """
    k, n = answers.shape

    def block_sums(block: slice) -> tuple[int, np.ndarray, np.ndarray]:
        for at, row in enumerate(rows if rows is not None else ()):
            answers[at, block] = row[block]
        return _complete_case_sums(answers[:, block])

    count, sums, products = 0, np.zeros(k, dtype=np.int64), np.zeros((k, k), dtype=np.int64)
    for part in _by_block(block_sums, n):  # integer sums: in any order
        count, sums, products = count + part[0], sums + part[1], products + part[2]
    if count <= k:
        return None
    numerator = count * products.astype(object) - np.outer(sums.astype(object), sums)
    cov = (numerator / (count * (count - 1))).astype(np.float64)
    if np.linalg.matrix_rank(cov) < k:
        return None
    return (sums / count), np.linalg.cholesky(cov)


def _complete_case_sums(x: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """The count, sums and cross-products (int64) of the complete cases of a block of int8
    answers (items x respondents), by matrix products in float32 when every partial sum stays
    below 2^24 (rows x greatest |answer|² < 2^24: five-point answers in a block of
    :data:`BLOCK_ROWS`), else float64 (below 2^53 for any int8 block): exact either way, so the
    same integers."""
    complete = np.compress((x != MISSING_CODE).all(axis=0), x, axis=1)
    bound = max(int(complete.max(initial=0)), -int(complete.min(initial=0)))
    complete = complete.astype(exact_float_type(complete.shape[1], bound))
    return (complete.shape[1], complete.sum(axis=1).astype(np.int64),
            (complete @ complete.T).astype(np.int64))


def _by_block(function, n: int) -> list:
    """``function(block)`` of each block of :data:`BLOCK_ROWS` of ``n`` respondents (a
    :class:`slice` of the answers' columns), in order, on two threads: the work is NumPy and
    LAPACK on whole blocks, which release the interpreter's lock, so a second core shortens the
    wall time; each block's result is what one thread gives (the same blocks, the same
    kernels)."""
    blocks = [slice(start, start + BLOCK_ROWS) for start in range(0, n, BLOCK_ROWS)]
    if len(blocks) < 2:
        return [function(block) for block in blocks]
    with ThreadPoolExecutor(max_workers=min(2, processors())) as pool:
        return list(pool.map(function, blocks))


def _half_scales(halves: list[tuple[list[int], list[int]]]) -> tuple[int, int] | None:
    """The common denominators of even-odd's half means (the least common multiple of the
    possible counts of answered items in an odd and in an even half), or None when the sums of
    :func:`_whole_number_even_odd` could leave the integers float64 holds exactly (2^53; halves
    of many items)."""
    odd = math.lcm(*range(1, max(len(o) for o, _ in halves) + 1))
    even = math.lcm(*range(1, max(len(e) for _, e in halves) + 1))
    largest = len(halves) * 127 * max(odd, even)  # |sum of a half's scaled means|
    return (odd, even) if 2 * largest * largest < 2 ** 53 else None


def _rows_sum(x: np.ndarray, rows: list[int], dtype) -> np.ndarray:
    """``x[rows].sum(axis=0, dtype=dtype)`` added row by row (a half has a few items: no
    gathered copy of its rows); the same integers."""
    total = x[rows[0]].astype(dtype)
    for row in rows[1:]:
        total += x[row]
    return total


def _whole_number_even_odd(values: np.ndarray, answered: np.ndarray,
                           halves: list[tuple[list[int], list[int]]],
                           scales: tuple[int, int]) -> np.ndarray:
    """:func:`even_odd` of a block of whole-number answers (items x respondents, 0 where
    missing, and where answered), from integer sums.

    Notes
    -----
    Each half mean :math:`o_{rd} = S_{rd} / c_{rd}` is held as the integer
    :math:`O_{rd} = S_{rd} (D / c_{rd})` with D the common denominator of the possible counts
    (:func:`_half_scales`), and the correlation over the m usable dimensions is
    :math:`(m \\sum OE - \\sum O \\sum E) / \\sqrt{(m \\sum O^2 - (\\sum O)^2)(m \\sum E^2 - (\\sum E)^2)}`
    (the denominators cancel): exact integers up to the last division (so in any order), and
    exactly zero variance where a half's means are all equal. Dimension by dimension into one
    vector of each sum (no dimensions x respondents arrays), in int32 where every sum fits
    (:func:`_half_sums_type`: five-point answers and short halves), else int64; the two
    numerators of the variances and the covariance's are then converted to float64, which
    holds them exactly (below 2^53).
    """
    dtype = _half_sums_type(halves, scales)
    m = np.zeros(values.shape[1], dtype=np.int16)
    sx, sy, sxx, syy, sxy = (np.zeros(values.shape[1], dtype=dtype) for _ in range(5))
    # D / c (a whole number) for c = 0, 1, 2, ... answered items of a half; 0 for none (taken
    # with np.take: indexing by the int16 counts took twice as long)
    longest = [max(len(half[h]) for half in halves) for h in (0, 1)]
    factors = [np.array([0] + [scales[h] // c for c in range(1, longest[h] + 1)], dtype=dtype)
               for h in (0, 1)]
    for odd, even in halves:
        odd_count = _rows_sum(answered, odd, np.int16)
        even_count = _rows_sum(answered, even, np.int16)
        usable = (odd_count > 0) & (even_count > 0)
        o = _rows_sum(values, odd, dtype) * np.take(factors[0], odd_count)
        e = _rows_sum(values, even, dtype) * np.take(factors[1], even_count)
        o *= usable
        e *= usable
        m += usable
        sx += o
        sy += e
        sxx += o * o
        syy += e * e
        sxy += o * e
    m = m.astype(np.int64)
    sxx = (m * sxx - sx.astype(np.int64) * sx).astype(np.float64)
    syy = (m * syy - sy.astype(np.int64) * sy).astype(np.float64)
    covariance = (m * sxy - sx.astype(np.int64) * sy).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = covariance / np.sqrt(sxx * syy)
    return _spearman_brown(r, (m >= 3) & (sxx > 0) & (syy > 0))


def _half_sums_type(halves: list[tuple[list[int], list[int]]],
                    scales: tuple[int, int]) -> type:
    """int32 when every sum of :func:`_whole_number_even_odd` stays below 2^31 (the greatest,
    m ΣO², is at most (dimensions x 127 x D)²), else int64 (below 2^53 by
    :func:`_half_scales`)."""
    largest = len(halves) * 127 * max(scales)
    return np.int32 if largest * largest < 1 << 31 else np.int64


def _whole_number_screens(x: np.ndarray, halves: list[tuple[list[int], list[int]]],
                          scales: tuple[int, int],
                          centroid: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """Longstring, IRV, D², its p and even-odd (5 x respondents) of a block of
    :func:`whole_number_answers` (items x respondents int8).

    Notes
    -----
    Every sum is an integer sum of the int8 answers (0 where missing) over the items: the
    count in int16, the sums and sums of squares in int32 (no overflow: at most 16,384 items of
    |x| <= 127), widened to int64 for IRV,
    :math:`\\sqrt{(m \\sum x^2 - (\\sum x)^2) / (m (m - 1))}` with an exact numerator. The
    complete respondents are gathered item by item (each item's int8 row read in order; gathered
    from the transposed block, 60 scattered bytes a respondent, it took three times as long:
    ~0.16 s of CPU at a million) and centred respondent by respondent into a respondents x items
    float64 array, whose transpose is the Fortran-ordered array the triangular solve of D² takes
    as it is.
    """
    answered = x != MISSING_CODE
    values = np.multiply(x, answered, dtype=np.int8)
    m = answered.sum(axis=0, dtype=np.int16).astype(np.int64)
    total = values.sum(axis=0, dtype=np.int32).astype(np.int64)
    squares = np.einsum("ij,ij->j", values, values, dtype=np.int32).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        irv_values = np.where(m >= 2, np.sqrt((m * squares - total * total) / (m * (m - 1))),
                              np.nan)
    d2 = np.full(x.shape[1], np.nan)
    if centroid is not None:
        mean, factor = centroid
        complete = m == len(x)
        gathered = np.compress(complete, x, axis=1)  # each item's row read in order
        centred = np.empty((gathered.shape[1], len(x)))
        np.subtract(gathered.T, mean, out=centred)
        d2[complete] = _squared_distances(centred.T, factor)
    even_odd_values = (_whole_number_even_odd(values, answered, halves, scales) if halves
                       else np.full(x.shape[1], np.nan))
    runs = _longest_runs((x[1:] == x[:-1]) & answered[1:], answered)
    return np.stack([runs, irv_values, d2, _chi2_sf(d2, len(x)), even_odd_values])


def _float_screens(x: np.ndarray, halves: list[tuple[list[int], list[int]]],
                   centroid: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """Longstring, IRV, D², its p and even-odd (respondents x 5) of a block of answers
    (respondents x items, float, NaN = missing)."""
    d2 = mahalanobis_d2(x, centroid)
    return np.column_stack([longstring(x), irv(x), d2, _chi2_sf(d2, x.shape[1]),
                            _even_odd(x, halves)])


def attention_failures(codes: pd.DataFrame, asked: Mapping[str, float]) -> np.ndarray:
    """Whether each respondent gave an answer other than the one an attention check asked for.

    Parameters
    ----------
    codes : respondents x columns holding the attention-check items (coded answers).
    asked : attention item -> the code of the answer it asks for.

    Returns
    -------
    bool array: True where at least one attention item was answered with another answer. A
    skipped attention item is not a failure (a missing value never flags).
    """
    failed = np.zeros(len(codes), dtype=bool)
    for item, answer in asked.items():
        x = codes[item].to_numpy(dtype=float)
        failed |= ~np.isnan(x) & (x != float(answer))
    return failed


@dataclass
class CarelessResult:
    """The screens of one group of one wave.

    ``values`` has one column per computed value (``longstring``, ``irv``, ``mahalanobis_d2``,
    ``mahalanobis_p``, ``even_odd``; NaN = undefined) and ``flags`` one boolean column per
    configured screen (``longstring``, ``irv``, ``mahalanobis``, ``even_odd``, ``attention``),
    both on the group's row index.
    """

    values: pd.DataFrame
    flags: dict[str, pd.Series]
    notes: list[Text] = field(default_factory=list)


def careless_screens(items: pd.DataFrame, dimensions: Mapping[str, Sequence[str]],
                     settings: Mapping, attention_codes: pd.DataFrame | None = None,
                     whole: np.ndarray | Sequence[np.ndarray] | None = None) -> CarelessResult:
    """Run the screens of a study's ``careless:`` block on one group.

    Parameters
    ----------
    items : respondents x dimension items, reverse-coded, in declared order, NaN = missing.
    dimensions : dimension -> items (for even-odd).
    settings : the ``careless:`` block: ``longstring`` (flag a run >= this), ``irv`` (flag an IRV
        below this), ``mahalanobis`` (flag a p below this), ``even_odd`` (flag a value below this),
        ``attention`` ({item: answer code}). A screen not named is not flagged.
    attention_codes : the coded answers to the attention items (needed with ``attention``).
    whole : ``items`` as int8 rows, when the caller holds them: the matrix
        :func:`whole_number_answers` gives, or its rows as separate arrays (loading's,
        :meth:`surveys.wholecodes.WholeCodes.reverse_coded`), which the threads of the first
        pass over the blocks gather into one; else made here.

    Returns
    -------
    CarelessResult. Every value is computed (respondents.csv shows them); flags only for the
    screens named in ``settings``; a NaN value never flags.
    """
    n, k = items.shape
    halves = _halves(list(items.columns), dimensions)
    scales = _half_scales(halves) if halves else (1, 1)
    if not (k and scales):
        whole = None
    elif whole is None:
        whole = whole_number_answers(items)
    if whole is not None:  # the exact path (module docstring)
        answers = whole if isinstance(whole, np.ndarray) else np.empty((k, n), dtype=np.int8)
        centroid = whole_number_centroid(answers, None if answers is whole else whole)
        parts = _by_block(lambda block: _whole_number_screens(answers[:, block], halves, scales,
                                                              centroid), n)
        ls, sd, d2, p, eo = np.concatenate(parts, axis=1) if parts else np.empty((5, 0))
    else:
        def blocks():
            for start in range(0, n, BLOCK_ROWS):
                yield items.iloc[start:start + BLOCK_ROWS].to_numpy(dtype=float)

        centroid = complete_case_centroid(blocks())
        parts = [_float_screens(x, halves, centroid) for x in blocks()]
        ls, sd, d2, p, eo = np.concatenate(parts).T if parts else np.empty((5, 0))
    values = pd.DataFrame({"longstring": ls, "irv": sd, "mahalanobis_d2": d2,
                           "mahalanobis_p": p, "even_odd": eo},
                          index=items.index)
    notes = []
    if "mahalanobis" in settings and centroid is None and n:
        notes.append(msg("careless_mahalanobis_undefined"))
    rules = {"longstring": lambda v: v["longstring"] >= settings["longstring"],
             "irv": lambda v: v["irv"] < settings["irv"],
             "mahalanobis": lambda v: v["mahalanobis_p"] < settings["mahalanobis"],
             "even_odd": lambda v: v["even_odd"] < settings["even_odd"]}
    flags = {screen: rule(values).fillna(False).astype(bool)
             for screen, rule in rules.items() if screen in settings}
    if "attention" in settings:
        flags["attention"] = pd.Series(attention_failures(attention_codes, settings["attention"]),
                                       index=items.index)
    return CarelessResult(values, flags, notes)
