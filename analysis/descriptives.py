"""Descriptive statistics of items and scale scores, and the correlations between the scores: the
first tables of a thesis's results chapter (SPSS's Descriptives and Bivariate Correlations).

:func:`skewness` and :func:`kurtosis` are the sample statistics SPSS, SAS and Excel report
(G1 and G2 of Joanes & Gill 1998, R ``psych::skew(type = 2)``, ``psych::kurtosi(type = 2)``);
:func:`pearson_correlations` gives Pearson's r between score columns with its two-sided t-test p
and pairwise n (R ``cor.test`` per pair). :func:`descriptives_section` builds the JSON-ready
``"descriptives"`` section of results.json.
"""
from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import special

from analysis.jsonready import json_ready
from analysis.indices import respondent_scores
from analysis.moments import Responses, as_responses

__all__ = ["skewness", "kurtosis", "describe", "pearson_correlations", "descriptives_section"]


def _central_moments(values: np.ndarray) -> tuple[int, float, float, float]:
    """n and the central moments m2, m3, m4 (divided by n) of the non-missing values."""
    x = values[~np.isnan(values)]
    n = x.size
    if n == 0:
        return 0, np.nan, np.nan, np.nan
    d = x - x.mean()
    d2 = d * d  # products, not powers: numpy's d ** 3 and d ** 4 call pow() for every value
    return n, float(np.mean(d2)), float(np.mean(d2 * d)), float(np.mean(d2 * d2))


def _g1(n: int, m2: float, m3: float) -> float:
    """G1 from n and the central moments (:func:`skewness`)."""
    if n < 3 or not m2 > 0:
        return float("nan")
    return m3 / m2 ** 1.5 * np.sqrt(n * (n - 1)) / (n - 2)


def _g2(n: int, m2: float, m4: float) -> float:
    """G2 from n and the central moments (:func:`kurtosis`)."""
    if n < 4 or not m2 > 0:
        return float("nan")
    g2 = m4 / m2 ** 2 - 3
    return (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6)


def skewness(values) -> float:
    """Sample skewness G1, as SPSS, SAS and Excel's SKEW report it.

    Parameters
    ----------
    values : array-like of numbers; NaN are missing and left out.

    Returns
    -------
    float
        NaN with fewer than 3 values or no variance.

    Notes
    -----
    :math:`g_1 = m_3 / m_2^{3/2}` with central moments :math:`m_r = \\frac1n\\sum (x_i-\\bar x)^r`;
    :math:`G_1 = g_1\\sqrt{n(n-1)}/(n-2)`.

    References
    ----------
    Joanes, D. N., & Gill, C. A. (1998). Comparing measures of sample skewness and kurtosis.
    *The Statistician*, 47(1), 183-189. R: ``psych::skew(x, type = 2)``.
    """
    n, m2, m3, _ = _central_moments(np.asarray(values, dtype=float))
    return _g1(n, m2, m3)


def kurtosis(values) -> float:
    """Sample excess kurtosis G2, as SPSS, SAS and Excel's KURT report it (0 for a normal
    distribution).

    Parameters
    ----------
    values : array-like of numbers; NaN are missing and left out.

    Returns
    -------
    float
        NaN with fewer than 4 values or no variance.

    Notes
    -----
    :math:`g_2 = m_4 / m_2^2 - 3`; :math:`G_2 = \\frac{n-1}{(n-2)(n-3)}\\,[(n+1)\\,g_2 + 6]`.

    References
    ----------
    Joanes & Gill (1998), see :func:`skewness`. R: ``psych::kurtosi(x, type = 2)``.
    """
    n, m2, _, m4 = _central_moments(np.asarray(values, dtype=float))
    return _g2(n, m2, m4)


def describe(frame: pd.DataFrame | Responses, columns: list[str] | None = None) -> pd.DataFrame:
    """n, mean, sd (n − 1), min, max, skewness (G1) and kurtosis (G2) of every column.

    Parameters
    ----------
    frame : one numeric column per variable (a DataFrame or the :class:`Responses` of one);
        NaN are missing (each column uses its answers).
    columns : the columns to describe (default: all).

    Returns
    -------
    DataFrame indexed by column name with columns ``n``, ``mean``, ``sd``, ``min``, ``max``,
    ``skewness``, ``kurtosis`` (NaN where undefined: no answers, sd with n < 2, see
    :func:`skewness`, :func:`kurtosis`).

    Notes
    -----
    From each column's value counts (:meth:`Responses.counts`: distinct answers v with counts c,
    computed once and shared with the other sections): :math:`n = \\sum c`,
    :math:`\\bar x = \\sum c v / n`, :math:`m_r = \\sum c (v - \\bar x)^r / n`,
    :math:`sd = \\sqrt{n m_2 / (n - 1)}`; the same numbers as the sums over the rows (to
    rounding), in O(distinct answers) once the counts are there.
    """
    data = as_responses(frame)
    rows = {}
    for column in data.columns if columns is None else columns:
        counts = data.counts(column)
        n = counts.n
        if n == 0:
            rows[column] = {"n": 0, "mean": np.nan, "sd": np.nan, "min": np.nan,
                            "max": np.nan, "skewness": np.nan, "kurtosis": np.nan}
            continue
        v, c = counts.values.astype(float), counts.counts.astype(float)
        mean = float(c @ v / n)
        d = v - mean
        d2 = d * d
        m2, m3, m4 = float(c @ d2 / n), float(c @ (d2 * d) / n), float(c @ (d2 * d2) / n)
        rows[column] = {
            "n": n, "mean": mean, "sd": float(np.sqrt(m2 * n / (n - 1))) if n > 1 else np.nan,
            "min": float(v[0]), "max": float(v[-1]),
            "skewness": _g1(n, m2, m3), "kurtosis": _g2(n, m2, m4),
        }
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=["n", "mean", "sd", "min", "max", "skewness", "kurtosis"])


def pearson_correlations(frame: pd.DataFrame | Responses) -> pd.DataFrame:
    """Pearson's r between every pair of columns, pairwise deletion, with the two-sided p.

    Parameters
    ----------
    frame : one numeric column per variable (a DataFrame or the :class:`Responses` of one);
        NaN are missing.

    Returns
    -------
    DataFrame with one row per pair (in column order: (a, b) with a before b) and columns ``a``,
    ``b``, ``r``, ``p``, ``n`` (rows where both are answered). r and p are NaN with n < 3 or a
    constant column.

    Notes
    -----
    :math:`r = \\frac{\\sum (x-\\bar x)(y-\\bar y)}{\\sqrt{\\sum (x-\\bar x)^2 \\sum (y-\\bar y)^2}}`
    over the rows answered on both; :math:`t = r\\sqrt{(n-2)/(1-r^2)}` on n − 2 df, p two-sided
    (R ``cor.test(x, y)``). From the pairwise moments (:meth:`Responses.moments`, exact for
    whole-number answers and scores: an exactly uncorrelated pair gives r = 0).
    """
    data = as_responses(frame)
    columns = list(data.columns)
    moments = data.moments(columns)
    cor, counts = moments.cor, moments.n
    rows = []
    for (i, a), (j, b) in combinations(enumerate(columns), 2):
        n = int(counts[i, j])
        r = p = np.nan
        if n >= 3 and np.isfinite(cor[i, j]):  # a constant column over the pair's rows: 0 / 0
            r = float(np.clip(cor[i, j], -1.0, 1.0))
            if abs(r) < 1:
                t = r * np.sqrt((n - 2) / (1 - r * r))
                # scipy.stats.t.sf(|t|, n - 2) evaluates stdtr(n - 2, -|t|) behind checks
                # of its arguments that cost ~25x the evaluation
                p = float(2 * special.stdtr(n - 2, -abs(t)))
            else:
                p = 0.0
        rows.append({"a": a, "b": b, "r": r, "p": p, "n": n})
    return pd.DataFrame(rows, columns=["a", "b", "r", "p", "n"])


def _stat_dict(table: pd.DataFrame) -> dict:
    return {name: row for name, row in table.to_dict("index").items()}


def descriptives_section(
    frames: dict[str, pd.DataFrame | Responses],
    *,
    dimensions: dict[str, list[str]],
    satisfaction: list[str] | None = None,
    loyalty: list[str] | None = None,
) -> dict:
    """The ``"descriptives"`` section of results.json: item and score descriptives and the
    correlations between the scores, per respondent group.

    Parameters
    ----------
    frames : group name -> DataFrame (or its :class:`Responses`, whose counts and moments the
        other sections share) with one float column per item (reverse-coded, NaN missing).
    dimensions : dimension -> item columns; a dimension score is the mean of the respondent's
        answered items of the dimension (the items the group was asked).
    satisfaction, loyalty : outcome items; an outcome score is the mean of the respondent's
        answered outcome items (as in the key-driver and group-comparison sections).

    Returns
    -------
    dict
        ``{GROUP: {"items": {ITEM: STAT}, "dimensions": {DIM: STAT}, "outcomes": {"satisfaction"
        | "loyalty": STAT}, "outcome_items": {"satisfaction" | "loyalty": [ITEM]},
        "correlations": {"A|B": {"r", "p", "n"}}}}`` with STAT ``{"n",
        "mean", "sd", "min", "max", "skewness", "kurtosis"}`` (:func:`describe`); the
        correlations are between every pair of dimension and outcome scores
        (:func:`pearson_correlations`). Undefined numbers are None.
    """
    section = {}
    for group, frame in frames.items():
        outcomes = {name: items for name, items in
                    (("satisfaction", satisfaction or []), ("loyalty", loyalty or []))
                    if items and set(items) <= set(frame.columns) and name not in dimensions}
        item_columns = [c for items in dimensions.values() for c in items if c in frame.columns]
        item_columns += [c for items in outcomes.values() for c in items if c not in item_columns]
        scores = respondent_scores(frame, dimensions, outcomes)
        pairs = pearson_correlations(scores)
        section[group] = {
            "items": _stat_dict(describe(frame, item_columns)),
            "dimensions": _stat_dict(describe(scores, [c for c in scores.columns
                                                       if c not in outcomes])),
            "outcomes": _stat_dict(describe(scores, list(outcomes))),
            "outcome_items": {name: list(items) for name, items in outcomes.items()},
            "correlations": {f"{row['a']}|{row['b']}": {"r": row["r"], "p": row["p"], "n": row["n"]}
                             for row in pairs.to_dict("records")},
        }
    return json_ready(section)
