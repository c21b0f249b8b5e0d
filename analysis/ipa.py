"""Importance-performance analysis (IPA): which items or dimensions to fix first.

Every point (an item or a dimension) has a performance (its mean score) and an importance, either
stated (the mean of a declared importance question) or derived from the data (its correlation
with, or standardized regression weight on, overall satisfaction). Cross-hairs at the mean
(default) or median of each axis split the plane into four quadrants:

=================  ==================  =========  =====================
importance         performance         zh         en
=================  ==================  =========  =====================
high               high                继续保持   keep up the good work
high               low                 重点改进   concentrate here
low                low                 低优先     low priority
low                high                过度投入   possible overkill
=================  ==================  =========  =====================

A point exactly on a cross-hair goes to the higher side ("high"). The iso-priority diagonal
variant ranks points by how far importance exceeds performance (see :func:`ipa_quadrants`).
:func:`ipa_section` builds the ``"ipa"`` section of results.json.
"""
from __future__ import annotations

import pandas as pd

from analysis.drivers import ols_drivers
from analysis.indices import respondent_scores
from analysis.jsonready import json_ready
from analysis.moments import Responses

__all__ = ["QUADRANTS", "ipa_quadrants", "derived_importance", "ipa_section"]

#: Quadrant id -> (high importance?, high performance?, zh, en).
QUADRANTS = {
    "keep_up": (True, True, "继续保持", "keep up the good work"),
    "concentrate_here": (True, False, "重点改进", "concentrate here"),
    "low_priority": (False, False, "低优先", "low priority"),
    "possible_overkill": (False, True, "过度投入", "possible overkill"),
}
_BY_SIDES = {(hi_imp, hi_perf): name for name, (hi_imp, hi_perf, _, _) in QUADRANTS.items()}

#: Relative tolerance for "exactly on a cross-hair" (absorbs floating-point error of the mean).
_ON_LINE = 1e-9


def _center(values: pd.Series, split: str) -> float:
    if split == "mean":
        return float(values.mean())
    if split == "median":
        return float(values.median())
    raise ValueError(f"split must be 'mean' or 'median', not {split!r}")


def _high(values: pd.Series, center: float) -> pd.Series:
    """True on or above the cross-hair (ties go to the higher side)."""
    return values >= center - _ON_LINE * max(1.0, abs(center))


def ipa_quadrants(
    importance: pd.Series, performance: pd.Series, *, split: str = "mean",
    diagonal_scale: str = "raw",
) -> pd.DataFrame:
    """Place points in the four IPA quadrants and on the iso-priority diagonal.

    Parameters
    ----------
    importance : importance per point (index = point names).
    performance : performance per point, same index.
    split : ``"mean"`` (grand mean of each axis over the points, default) or ``"median"``.
    diagonal_scale : ``"raw"`` (axes share a scale, e.g. stated importance and performance both
        1-5) or ``"z"`` (each axis divided by its standard deviation across the points, for derived
        importance whose scale differs from performance's).

    Returns
    -------
    DataFrame
        Indexed by point: ``importance``, ``performance``, ``quadrant`` (id), ``quadrant_zh``,
        ``quadrant_en``, ``priority`` and ``above_diagonal``. ``attrs`` holds
        ``importance_center`` and ``performance_center``. Points with a missing coordinate get
        no quadrant and are left out of the centres.

    Notes
    -----
    High importance means :math:`I \\ge I_c`, high performance :math:`P \\ge P_c` (a point on a
    cross-hair goes to the higher side; "on" allows a relative 1e-9 for rounding of the mean).
    The iso-priority diagonal passes through the cross-hair centre with slope 1:
    :math:`priority = (I - I_c)/s_I - (P - P_c)/s_P` (:math:`s = 1` for ``"raw"``); points with
    priority >= 0 lie on or above it, where importance outweighs performance and improvement
    pays most, the larger the sooner.

    References
    ----------
    Martilla, J. A., & James, J. C. (1977). Importance-performance analysis. Journal of
    Marketing, 41(1), 77-79.
    Abalo, J., Varela, J., & Manzano, V. (2007). Importance values for importance-performance
    analysis. Journal of Business Research, 60(2), 115-121.
    """
    table = pd.DataFrame({"importance": importance, "performance": performance}, dtype="float64")
    complete = table.dropna()
    i_c = _center(complete["importance"], split)
    p_c = _center(complete["performance"], split)
    hi_imp, hi_perf = _high(table["importance"], i_c), _high(table["performance"], p_c)
    quadrant = [
        _BY_SIDES[(bool(i), bool(p))] if ok else None
        for i, p, ok in zip(hi_imp, hi_perf, table.notna().all(axis=1))
    ]
    if diagonal_scale == "raw":
        s_i = s_p = 1.0
    elif diagonal_scale == "z":
        s_i, s_p = complete["importance"].std(ddof=1), complete["performance"].std(ddof=1)
    else:
        raise ValueError(f"diagonal_scale must be 'raw' or 'z', not {diagonal_scale!r}")
    priority = (table["importance"] - i_c) / s_i - (table["performance"] - p_c) / s_p
    table["quadrant"] = quadrant
    table["quadrant_zh"] = [QUADRANTS[q][2] if q else None for q in quadrant]
    table["quadrant_en"] = [QUADRANTS[q][3] if q else None for q in quadrant]
    table["priority"] = priority
    table["above_diagonal"] = _high(priority, 0.0).where(priority.notna())
    table.attrs.update(importance_center=i_c, performance_center=p_c)
    return table


def derived_importance(scores: pd.DataFrame, outcome: pd.Series, method: str) -> pd.Series:
    """Importance of each column of ``scores`` derived from its link with ``outcome``.

    Parameters
    ----------
    scores : respondents x points (item or dimension scores), NaN = missing.
    outcome : overall satisfaction per respondent, aligned with ``scores``.
    method : ``"derived_corr"`` (Pearson r with the outcome, pairwise complete) or
        ``"derived_regression"`` (standardized OLS beta with all points as predictors, listwise
        complete; see :func:`analysis.drivers.ols_drivers`).

    Returns
    -------
    Series of importances indexed by point; NaN where undefined (e.g. a constant point), with
    the regression's warnings in ``attrs["warnings"]``.
    """
    data = Responses(scores.assign(**{_OUTCOME: outcome.astype("float64")}))
    return _importance(data, list(scores.columns), method)


_OUTCOME = "\0outcome"


def _importance(scores: Responses, names: list[str], method: str) -> pd.Series:
    """:func:`derived_importance` of the points ``names`` from the moments of the scores, with
    the outcome as the column ``_OUTCOME``."""
    if method == "derived_corr":
        cor = scores.moments([*names, _OUTCOME]).cor
        return pd.Series(cor[:-1, -1], index=names)
    if method == "derived_regression":
        fit = ols_drivers(scores, _OUTCOME, names)
        beta = fit.coefficients["beta"].copy()
        beta.attrs["warnings"] = fit.warnings
        return beta
    raise ValueError(f"method must be 'derived_corr' or 'derived_regression', not {method!r}")


def ipa_section(
    frames: dict[str, pd.DataFrame],
    *,
    dimensions: dict[str, list[str]],
    importance: dict[str, str] | None = None,
    satisfaction: list[str] | None = None,
    method: str = "stated",
    split: str = "mean",
    level: str = "dimension",
) -> dict:
    """The ``"ipa"`` section of results.json.

    Parameters
    ----------
    frames : group name -> DataFrame (item columns float, reverse-coded, NaN missing).
    dimensions : dimension -> item columns. A dimension's respondent score is the mean of the
        respondent's answered items.
    importance : for ``method="stated"``: point (a dimension or an item) -> its importance
        question's column; the points are these keys.
    satisfaction : overall-satisfaction items, the outcome for the derived methods (mean of the
        answered items per respondent).
    method : ``"stated"``, ``"derived_corr"`` or ``"derived_regression"``.
    split : ``"mean"`` or ``"median"`` cross-hairs.
    level : for derived methods, the points: ``"dimension"`` (default) or ``"item"`` (every item
        of the dimensions).

    Returns
    -------
    dict
        ``{GROUP: {"method", "split", "level", "importance_center", "performance_center",
        "points": [{"name", "importance", "performance", "n", "quadrant", "quadrant_zh",
        "quadrant_en", "priority", "above_diagonal"}], "warnings"}}``; ``n`` counts the
        respondents with a performance score. Groups lacking a needed column are skipped.
    """
    if method == "stated":
        if not importance:
            raise ValueError("method 'stated' needs the importance mapping")
        names, needed = list(importance), list(importance.values())
    else:
        if not satisfaction:
            raise ValueError(f"method {method!r} needs the satisfaction items")
        names = (list(dimensions) if level == "dimension"
                 else list(dict.fromkeys(i for items in dimensions.values() for i in items)))
        needed = list(satisfaction)
    needed += [i for n in names for i in dimensions.get(n, [n])]
    section = {}
    for group, frame in frames.items():
        if not set(needed) <= set(frame.columns):
            continue
        points = {n: dimensions.get(n, [n]) for n in names}
        if method == "stated":
            scores = respondent_scores(frame, points, {f"\0{n}": [importance[n]] for n in names})
            imp = pd.Series(scores.moments([f"\0{n}" for n in names]).mean, index=names)
        else:
            scores = respondent_scores(frame, points, {_OUTCOME: satisfaction})
            imp = _importance(scores, names, method)
        performance = scores.moments(names)
        table = ipa_quadrants(imp, pd.Series(performance.mean, index=names), split=split,
                              diagonal_scale="raw" if method == "stated" else "z")
        table["n"] = performance.count
        warnings = imp.attrs.get("warnings", []) + [
            f"no importance or performance for {name}"
            for name in table.index[table["quadrant"].isna()]]
        section[group] = {
            "method": method, "split": split, "level": None if method == "stated" else level,
            "importance_center": table.attrs["importance_center"],
            "performance_center": table.attrs["performance_center"],
            "points": [{"name": name, **row} for name, row in table.to_dict("index").items()],
            "warnings": warnings,
        }
    return json_ready(section)
