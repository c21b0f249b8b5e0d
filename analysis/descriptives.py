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
from scipy import stats

from analysis.drivers import _dimension_scores, _outcome_score
from analysis.jsonready import json_ready

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


def describe(frame: pd.DataFrame) -> pd.DataFrame:
    """n, mean, sd (n − 1), min, max, skewness (G1) and kurtosis (G2) of every column.

    Parameters
    ----------
    frame : one numeric column per variable; NaN are missing (each column uses its answers).

    Returns
    -------
    DataFrame indexed by column name with columns ``n``, ``mean``, ``sd``, ``min``, ``max``,
    ``skewness``, ``kurtosis`` (NaN where undefined: no answers, sd with n < 2, see
    :func:`skewness`, :func:`kurtosis`).
    """
    rows = {}
    for column in frame.columns:
        x = frame[column].to_numpy(dtype=float)
        x = x[~np.isnan(x)]
        n, m2, m3, m4 = _central_moments(x)
        rows[column] = {
            "n": int(x.size),
            "mean": float(x.mean()) if x.size else np.nan,
            "sd": float(x.std(ddof=1)) if x.size > 1 else np.nan,
            "min": float(x.min()) if x.size else np.nan,
            "max": float(x.max()) if x.size else np.nan,
            "skewness": _g1(n, m2, m3),
            "kurtosis": _g2(n, m2, m4),
        }
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=["n", "mean", "sd", "min", "max", "skewness", "kurtosis"])


def pearson_correlations(frame: pd.DataFrame) -> pd.DataFrame:
    """Pearson's r between every pair of columns, pairwise deletion, with the two-sided p.

    Parameters
    ----------
    frame : one numeric column per variable; NaN are missing.

    Returns
    -------
    DataFrame with one row per pair (in column order: (a, b) with a before b) and columns ``a``,
    ``b``, ``r``, ``p``, ``n`` (rows where both are answered). r and p are NaN with n < 3 or a
    constant column.

    Notes
    -----
    :math:`r = \\frac{\\sum (x-\\bar x)(y-\\bar y)}{\\sqrt{\\sum (x-\\bar x)^2 \\sum (y-\\bar y)^2}}`
    over the rows answered on both; :math:`t = r\\sqrt{(n-2)/(1-r^2)}` on n − 2 df, p two-sided
    (R ``cor.test(x, y)``).
    """
    rows = []
    values = {c: frame[c].to_numpy(dtype=float) for c in frame.columns}
    # a column without a missing value is centred once for all its pairs with such columns
    centred = {c: x - x.mean() for c, x in values.items() if not np.isnan(x).any()}
    for a, b in combinations(frame.columns, 2):
        x, y = values[a], values[b]
        both = ~np.isnan(x) & ~np.isnan(y)
        n = int(both.sum())
        r = p = np.nan
        if n >= 3:
            if a in centred and b in centred:
                dx, dy = centred[a], centred[b]
            else:
                dx, dy = x[both] - x[both].mean(), y[both] - y[both].mean()
            denominator = np.sqrt(np.sum(dx ** 2) * np.sum(dy ** 2))
            if denominator > 0:
                r = float(np.clip(np.sum(dx * dy) / denominator, -1.0, 1.0))
                if abs(r) < 1:
                    t = r * np.sqrt((n - 2) / (1 - r * r))
                    p = float(2 * stats.t.sf(abs(t), n - 2))
                else:
                    p = 0.0
        rows.append({"a": a, "b": b, "r": r, "p": p, "n": n})
    return pd.DataFrame(rows, columns=["a", "b", "r", "p", "n"])


def _stat_dict(table: pd.DataFrame) -> dict:
    return {name: row for name, row in table.to_dict("index").items()}


def descriptives_section(
    frames: dict[str, pd.DataFrame],
    *,
    dimensions: dict[str, list[str]],
    satisfaction: list[str] | None = None,
    loyalty: list[str] | None = None,
) -> dict:
    """The ``"descriptives"`` section of results.json: item and score descriptives and the
    correlations between the scores, per respondent group.

    Parameters
    ----------
    frames : group name -> DataFrame with one float column per item (reverse-coded, NaN missing).
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
        scores = _dimension_scores(frame, dimensions)
        outcome_scores = pd.DataFrame({name: _outcome_score(frame, items)
                                       for name, items in outcomes.items()}, index=frame.index)
        both = pd.concat([scores, outcome_scores], axis=1)
        pairs = pearson_correlations(both)
        section[group] = {
            "items": _stat_dict(describe(frame[item_columns])),
            "dimensions": _stat_dict(describe(scores)),
            "outcomes": _stat_dict(describe(outcome_scores)),
            "outcome_items": {name: list(items) for name, items in outcomes.items()},
            "correlations": {f"{row['a']}|{row['b']}": {"r": row["r"], "p": row["p"], "n": row["n"]}
                             for row in pairs.to_dict("records")},
        }
    return json_ready(section)
