"""Key-driver analysis: which dimensions drive overall satisfaction and loyalty.

Three views of the same regression of an outcome on the dimension scores:

- :func:`ols_drivers` -- ordinary least squares (statsmodels) with standardized betas, VIFs, R².
- :func:`relative_weights` -- Johnson's (2000) relative weights, which survive collinearity.
- :func:`lmg` -- the Shapley / LMG decomposition of R² over all orderings of the predictors.

Both relative-importance measures sum to the model's R². Missing data: every function uses the
complete cases of the outcome and the predictors (listwise deletion) and reports that ``n``.

:func:`drivers_section` builds the JSON-ready ``"drivers"`` section of results.json.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.stats.outliers_influence import variance_inflation_factor

from analysis.indices import dimension_scores
from analysis.jsonready import json_ready
from surveys.i18n import msg

__all__ = ["OLSResult", "ols_drivers", "relative_weights", "lmg", "drivers_section"]

#: More predictors than this make the 2**p subsets of :func:`lmg` too many (2**15 = 32768 small
#: solves take about a second).
LMG_MAX_PREDICTORS = 15


@dataclass
class OLSResult:
    """An OLS fit of ``y`` on the predictors ``x`` (complete cases).

    ``coefficients`` has one row per predictor and the columns ``b`` (raw slope), ``se``, ``t``,
    ``p``, ``beta`` (standardized slope) and ``vif``. ``warnings`` explains any NaN.
    """

    n: int
    r2: float
    adj_r2: float
    f: float
    df_model: float
    df_resid: float
    p: float
    intercept: float
    coefficients: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def _dimension_scores(frame: pd.DataFrame, dimensions: dict[str, list[str]]) -> pd.DataFrame:
    """Respondents' dimension scores by the product's one rule
    (:func:`analysis.indices.dimension_scores`: the mean of the answered items, at least half
    answered), for the dimensions whose items the frame has (a group that was not asked a
    dimension has no score for it)."""
    present = {d: items for d, items in dimensions.items() if set(items) <= set(frame.columns)}
    return dimension_scores(frame, present)


def _complete(data: pd.DataFrame, y: str, x: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Complete cases of ``y`` and ``x`` as float arrays (listwise deletion)."""
    if not x:
        raise ValueError("at least one predictor is needed")
    if y in x:
        raise ValueError(f"the outcome {y!r} is also a predictor")
    block = data[[y, *x]].astype("float64").dropna()
    values = block.to_numpy()
    return values[:, 0], values[:, 1:]


def _degenerate(yv: np.ndarray, xv: np.ndarray, x: list[str]) -> list[str]:
    """Reasons why a regression of ``yv`` on ``xv`` cannot be estimated (empty if it can)."""
    n, p = xv.shape
    reasons = []
    if n < p + 2:
        reasons.append(msg("drivers_too_few_cases", n=n, p=p, needed=p + 2))
    if n >= 2 and np.var(yv) == 0:
        reasons.append(msg("drivers_outcome_constant"))
    if n >= 2:
        flat = [name for name, v in zip(x, np.var(xv, axis=0)) if v == 0]
        if flat:
            reasons.append(msg("drivers_predictor_constant", names=", ".join(flat)))
    return reasons


def ols_drivers(data: pd.DataFrame, y: str, x: list[str]) -> OLSResult:
    """OLS regression of an outcome on driver scores, with standardized betas and VIFs.

    Parameters
    ----------
    data : DataFrame holding the outcome and predictor columns (numeric, NaN = missing).
    y : outcome column (e.g. overall satisfaction).
    x : predictor columns (e.g. dimension scores).

    Returns
    -------
    OLSResult
        ``n`` complete cases, ``r2``, ``adj_r2``, the overall ``f`` test (``df_model``,
        ``df_resid``, ``p``), the ``intercept`` and per predictor ``b``, ``se``, ``t``, ``p``,
        ``beta`` and ``vif``.

    Notes
    -----
    Fitted by ``statsmodels.OLS`` with an intercept on the complete cases (listwise deletion).
    The standardized slope is :math:`\\beta_j = b_j s_{x_j} / s_y`. The variance inflation factor
    is :math:`VIF_j = 1 / (1 - R^2_j)`, with :math:`R^2_j` from regressing predictor *j* on the
    others (``statsmodels.stats.outliers_influence.variance_inflation_factor`` with the constant
    in the design), as ``car::vif`` gives for a model without factors. VIF above 5-10 flags
    collinearity; then read the relative weights rather than the betas.

    With fewer than ``p + 2`` complete cases or a constant outcome or predictor, every number is
    NaN and ``warnings`` says why.

    References
    ----------
    Fox, J., & Monette, G. (1992). Generalized collinearity diagnostics. JASA, 87, 178-183.
    """
    yv, xv = _complete(data, y, x)
    n, p = xv.shape
    reasons = _degenerate(yv, xv, x)
    columns = ["b", "se", "t", "p", "beta", "vif"]
    if reasons:
        table = pd.DataFrame(np.nan, index=pd.Index(x, name="predictor"), columns=columns)
        return OLSResult(n, *([math.nan] * 7), table, reasons)
    design = sm.add_constant(xv, has_constant="add")
    fit = sm.OLS(yv, design).fit()
    vif = [variance_inflation_factor(design, j + 1) for j in range(p)]
    table = pd.DataFrame(
        {
            "b": fit.params[1:],
            "se": fit.bse[1:],
            "t": fit.tvalues[1:],
            "p": fit.pvalues[1:],
            "beta": fit.params[1:] * xv.std(axis=0, ddof=1) / yv.std(ddof=1),
            "vif": vif,
        },
        index=pd.Index(x, name="predictor"),
    )
    warnings = []
    if not np.all(np.isfinite(vif)):
        warnings.append(msg("drivers_collinear"))
    return OLSResult(
        n=n, r2=float(fit.rsquared), adj_r2=float(fit.rsquared_adj), f=float(fit.fvalue),
        df_model=float(fit.df_model), df_resid=float(fit.df_resid), p=float(fit.f_pvalue),
        intercept=float(fit.params[0]), coefficients=table, warnings=warnings,
    )


def _correlations(data: pd.DataFrame, y: str, x: list[str]):
    """Complete-case correlations: R among ``x``, r of each ``x`` with ``y``, n, reasons."""
    yv, xv = _complete(data, y, x)
    reasons = _degenerate(yv, xv, x)
    if reasons:
        return None, None, len(yv), reasons
    corr = np.corrcoef(np.column_stack([xv, yv]), rowvar=False)
    return corr[:-1, :-1], corr[:-1, -1], len(yv), []


def relative_weights(data: pd.DataFrame, y: str, x: list[str]) -> pd.DataFrame:
    """Johnson's relative weights of the predictors of ``y``.

    Parameters
    ----------
    data : DataFrame with the outcome and predictor columns (NaN = missing).
    y : outcome column.
    x : predictor columns.

    Returns
    -------
    DataFrame
        Indexed by predictor: ``raw_weight`` (sums to R²) and ``rescaled_weight`` (raw / R², sums
        to 1). ``attrs["n"]`` is the number of complete cases, ``attrs["r2"]`` the R² and
        ``attrs["warnings"]`` explains NaN results.

    Notes
    -----
    With :math:`R_{xx} = Q \\Lambda Q'` the predictors' correlation matrix,
    :math:`\\Lambda^* = Q \\Lambda^{1/2} Q'` holds the correlations of the predictors with their
    closest orthogonal counterparts Z. The outcome is regressed on Z,
    :math:`\\beta^* = \\Lambda^{*-1} r_{xy}`, and the raw weight of predictor *j* is
    :math:`\\epsilon_j = \\sum_k \\lambda^{*2}_{jk} \\beta^{*2}_k`. The weights sum to R² of the
    full model. Complete cases only. A singular correlation matrix (perfectly collinear
    predictors) gives NaN with a warning.

    References
    ----------
    Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor
    variables in multiple regression. Multivariate Behavioral Research, 35(1), 1-19.
    Checked against the R package rwa's README (mtcars, mpg ~ cyl + disp + hp + gear).
    """
    rxx, rxy, n, reasons = _correlations(data, y, x)
    raw = np.full(len(x), np.nan)
    if not reasons:
        eigval, eigvec = np.linalg.eigh(rxx)
        if eigval.min() <= 1e-12 * eigval.max():
            reasons.append(msg("drivers_collinear_weights"))
        else:
            lam = eigvec @ np.diag(np.sqrt(eigval)) @ eigvec.T
            beta = np.linalg.solve(lam, rxy)
            raw = (lam**2) @ (beta**2)
    r2 = float(raw.sum()) if not reasons else math.nan
    result = pd.DataFrame(
        {"raw_weight": raw, "rescaled_weight": raw / r2}, index=pd.Index(x, name="predictor")
    )
    result.attrs.update(n=n, r2=r2, warnings=reasons)
    return result


def lmg(data: pd.DataFrame, y: str, x: list[str]) -> pd.DataFrame:
    """Shapley / LMG decomposition of R² over all orderings of the predictors.

    Parameters
    ----------
    data : DataFrame with the outcome and predictor columns (NaN = missing).
    y : outcome column.
    x : predictor columns; with more than ``LMG_MAX_PREDICTORS`` the result is NaN with a
        warning.

    Returns
    -------
    DataFrame
        Indexed by predictor: ``lmg`` (sums to R²) and ``lmg_share`` (lmg / R², sums to 1), with
        ``attrs`` ``n``, ``r2`` and ``warnings`` as in :func:`relative_weights`.

    Notes
    -----
    The LMG share of predictor *j* is its R² increment averaged over all *p!* orderings in which
    the predictors can enter the model. Grouping the orderings by the set S entered before *j*
    gives the Shapley value

    .. math:: LMG_j = \\sum_{S \\subseteq X \\setminus j} \\frac{|S|!\\,(p-|S|-1)!}{p!}
              \\left[R^2(S \\cup j) - R^2(S)\\right]

    computed here over the :math:`2^p` subsets, each :math:`R^2(S) = r_S' R_{SS}^{+} r_S` from the
    complete-case correlation matrix (pseudo-inverse, so collinear sets are allowed).

    References
    ----------
    Lindeman, R. H., Merenda, P. F., & Gold, R. Z. (1980). Introduction to Bivariate and
    Multivariate Analysis. Scott, Foresman.
    Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
    Journal of Statistical Software, 17(1).
    """
    rxx, rxy, n, reasons = _correlations(data, y, x)
    if len(x) > LMG_MAX_PREDICTORS:
        reasons.append(msg("drivers_lmg_too_many", p=len(x), most=LMG_MAX_PREDICTORS))
    p = len(x)
    shares = np.full(p, np.nan)
    if not reasons:
        masks = np.arange(2**p)
        members = (masks[:, None] >> np.arange(p)) & 1 == 1
        r2 = np.zeros(2**p)
        for mask in masks[1:]:
            cols = members[mask]
            r_s = rxy[cols]
            r2[mask] = r_s @ np.linalg.pinv(rxx[np.ix_(cols, cols)]) @ r_s
        size = members.sum(axis=1)
        weight = np.array([math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p)
                           if s < p else 0.0 for s in size])
        for j in range(p):
            without = masks[~members[:, j]]
            shares[j] = np.sum(weight[without] * (r2[without | (1 << j)] - r2[without]))
    total = float(shares.sum()) if not reasons else math.nan
    result = pd.DataFrame({"lmg": shares, "lmg_share": shares / total},
                          index=pd.Index(x, name="predictor"))
    result.attrs.update(n=n, r2=total, warnings=reasons)
    return result


def _outcome_score(frame: pd.DataFrame, items: list[str]) -> pd.Series:
    """The respondent's outcome score: mean of the answered outcome items."""
    return frame[list(items)].mean(axis=1, skipna=True)


def _driver_model(data: pd.DataFrame, y: str, x: list[str], items: list[str]) -> dict:
    """One outcome's OLS, relative weights and LMG as a JSON-ready dict."""
    ols = ols_drivers(data, y, x)
    weights = relative_weights(data, y, x)
    shapley = lmg(data, y, x)
    table = ols.coefficients.join(weights).join(shapley)
    predictors = [{"name": name, **row} for name, row in table.to_dict("index").items()]
    warnings = list(dict.fromkeys(ols.warnings + weights.attrs["warnings"]
                                  + shapley.attrs["warnings"]))
    return {
        "outcome_items": list(items), "n": ols.n, "r2": ols.r2, "adj_r2": ols.adj_r2,
        "f": ols.f, "df_model": ols.df_model, "df_resid": ols.df_resid, "p": ols.p,
        "intercept": ols.intercept, "predictors": predictors, "warnings": warnings,
    }


def drivers_section(
    frames: dict[str, pd.DataFrame],
    *,
    dimensions: dict[str, list[str]],
    satisfaction: list[str],
    loyalty: list[str] | None = None,
) -> dict:
    """The ``"drivers"`` section of results.json: key drivers of satisfaction and loyalty.

    Parameters
    ----------
    frames : group name -> DataFrame with one float column per item (reverse-coded, NaN missing).
    dimensions : dimension -> its item columns; the predictors are the dimension scores (mean of
        the respondent's answered items of the dimension) of the dimensions the group was asked.
    satisfaction : overall-satisfaction items; the outcome is the mean of the answered ones.
    loyalty : loyalty items (optional); a second model with the same predictors.

    Returns
    -------
    dict
        ``{GROUP: {"satisfaction": MODEL, "loyalty": MODEL}}`` where MODEL holds ``outcome_items``,
        ``n``, ``r2``, ``adj_r2``, ``f``, ``df_model``, ``df_resid``, ``p``, ``intercept``,
        ``predictors`` (list of ``name``, ``b``, ``se``, ``t``, ``p``, ``beta``, ``vif``,
        ``raw_weight``, ``rescaled_weight``, ``lmg``, ``lmg_share``) and ``warnings``. Groups
        lacking an outcome's items get no entry for that outcome. Undefined numbers are None.
    """
    outcomes = {"satisfaction": satisfaction, "loyalty": loyalty or []}
    section = {}
    for group, frame in frames.items():
        scores = _dimension_scores(frame, dimensions)
        models = {}
        for outcome, items in outcomes.items():
            if not items or not set(items) <= set(frame.columns) or scores.columns.empty:
                continue
            data = scores.assign(**{"\0outcome": _outcome_score(frame, items)})
            models[outcome] = _driver_model(data, "\0outcome", list(scores.columns), items)
        section[group] = models
    return json_ready(section)
