"""Key-driver analysis: which dimensions drive overall satisfaction and loyalty.

Three views of the same regression of an outcome on the dimension scores:

- :func:`ols_drivers` -- ordinary least squares with standardized betas, VIFs, R².
- :func:`relative_weights` -- Johnson's (2000) relative weights, which survive collinearity.
- :func:`lmg` -- the Shapley / LMG decomposition of R² over all orderings of the predictors.

Both relative-importance measures sum to the model's R². Missing data: every function uses the
complete cases of the outcome and the predictors (listwise deletion) and reports that ``n``. All
three come from the cross-products of those complete cases (:mod:`analysis.moments`): the rows are
read once, whatever their number.

:func:`drivers_section` builds the JSON-ready ``"drivers"`` section of results.json.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from analysis.indices import respondent_scores
from analysis.jsonready import json_ready
from analysis.moments import Moments, Responses, as_responses
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


def _complete(data: pd.DataFrame | Responses, y: str, x: list[str]) -> Moments:
    """Cross-products of the complete cases of ``y`` and ``x`` (listwise deletion)."""
    if not x:
        raise ValueError("at least one predictor is needed")
    if y in x:
        raise ValueError(f"the outcome {y!r} is also a predictor")
    return as_responses(data).moments([y, *x], complete=True)


def _degenerate(moments: Moments, x: list[str]) -> list[str]:
    """Reasons why the regression of the first column on the others cannot be estimated (empty
    if it can)."""
    n, p = int(moments.n[0, 0]), len(x)
    reasons = []
    if n < p + 2:
        reasons.append(msg("drivers_too_few_cases", n=n, p=p, needed=p + 2))
    if n >= 2:
        variance = moments.variance
        if variance[0] == 0:
            reasons.append(msg("drivers_outcome_constant"))
        flat = [name for name, v in zip(x, variance[1:]) if v == 0]
        if flat:
            reasons.append(msg("drivers_predictor_constant", names=", ".join(flat)))
    return reasons


def ols_drivers(data: pd.DataFrame, y: str, x: list[str]) -> OLSResult:
    """OLS regression of an outcome on driver scores, with standardized betas and VIFs.

    Parameters
    ----------
    data : DataFrame holding the outcome and predictor columns (numeric, NaN = missing), or their
        :class:`~analysis.moments.Responses`.
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
    Least squares with an intercept on the complete cases (listwise deletion), from their means
    and covariances: slopes :math:`b = S_{xx}^{-1} s_{xy}`, intercept :math:`\\bar y - b'\\bar x`,
    :math:`\\hat\\sigma^2 = SS_{res}/(n - p - 1)`, :math:`SE(b) = \\sqrt{\\hat\\sigma^2
    \\mathrm{diag}((n-1)S_{xx})^{-1}}`, t and F tests as R's ``lm``. With perfectly collinear
    predictors the coefficients are the minimum-norm solution of the design ``[1, x]``
    (pseudo-inverse, as ``statsmodels.OLS``). The standardized slope is
    :math:`\\beta_j = b_j s_{x_j} / s_y`. The variance inflation factor is
    :math:`VIF_j = 1 / (1 - R^2_j)`, with :math:`R^2_j` from regressing predictor *j* on the
    others with an intercept: the diagonal of the inverse of the predictors' correlation matrix,
    as ``car::vif`` gives for a model without factors (infinite for a predictor that is a linear
    combination of the others). VIF above 5-10 flags collinearity; then read the relative
    weights rather than the betas.

    With fewer than ``p + 2`` complete cases or a constant outcome or predictor, every number is
    NaN and ``warnings`` says why.

    References
    ----------
    Fox, J., & Monette, G. (1992). Generalized collinearity diagnostics. JASA, 87, 178-183.
    """
    moments = _complete(data, y, x)
    n, p = int(moments.n[0, 0]), len(x)
    reasons = _degenerate(moments, x)
    columns = ["b", "se", "t", "p", "beta", "vif"]
    if reasons:
        table = pd.DataFrame(np.nan, index=pd.Index(x, name="predictor"), columns=columns)
        return OLSResult(n, *([math.nan] * 7), table, reasons)
    cov, means = moments.cov, moments.mean
    with np.errstate(divide="ignore"):
        vif = np.diag(_inverse_or_inf(_cov_to_cor(cov[1:, 1:])))
    if np.all(np.isfinite(vif)):  # centred normal equations: (n - 1) Sxx b = (n - 1) Sxy
        inverse = np.linalg.inv(cov[1:, 1:]) / (n - 1)
        slopes = inverse @ cov[1:, 0] * (n - 1)
        coefficients = np.concatenate([[means[0] - slopes @ means[1:]], slopes])
    else:  # not unique: the minimum-norm solution of the design [1, x], as a pseudo-inverse
        normal = np.empty((p + 1, p + 1))
        normal[0, 0], normal[0, 1:] = n, moments.total[1:]
        normal[1:, 0] = moments.total[1:]
        normal[1:, 1:] = cov[1:, 1:] * (n - 1) + n * np.outer(means[1:], means[1:])
        inverse = np.linalg.pinv(normal, hermitian=True)
        coefficients = inverse @ np.concatenate(
            [[moments.total[0]], cov[1:, 0] * (n - 1) + n * means[1:] * means[0]])
        inverse = inverse[1:, 1:]
    explained = coefficients[1:] @ cov[1:, 0] * (n - 1)
    total_ss = cov[0, 0] * (n - 1)
    residual_ss = total_ss - explained
    df_resid, df_model = n - p - 1, p
    sigma2 = residual_ss / df_resid
    se = np.sqrt(sigma2 * np.diag(inverse))
    t = coefficients[1:] / se
    r2 = 1 - residual_ss / total_ss
    f = (explained / df_model) / sigma2
    sd = np.sqrt(moments.variance)
    table = pd.DataFrame(
        {
            "b": coefficients[1:],
            "se": se,
            "t": t,
            "p": 2 * special.stdtr(df_resid, -np.abs(t)),
            "beta": coefficients[1:] * sd[1:] / sd[0],
            "vif": vif,
        },
        index=pd.Index(x, name="predictor"),
    )
    warnings = []
    if not np.all(np.isfinite(vif)):
        warnings.append(msg("drivers_collinear"))
    return OLSResult(
        n=n, r2=float(r2), adj_r2=float(1 - (1 - r2) * (n - 1) / df_resid), f=float(f),
        df_model=float(df_model), df_resid=float(df_resid),
        p=float(special.fdtrc(df_model, df_resid, f)), intercept=float(coefficients[0]),
        coefficients=table, warnings=warnings,
    )


def _cov_to_cor(cov: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)


def _inverse_or_inf(matrix: np.ndarray) -> np.ndarray:
    """The inverse of a correlation matrix; inf on the diagonal where it is singular (a
    predictor that is a linear combination of the others has an infinite VIF)."""
    try:
        inverse = np.linalg.inv(matrix)
    except np.linalg.LinAlgError:
        return np.full_like(matrix, np.inf)
    eigenvalues = np.linalg.eigvalsh(matrix)
    return inverse if eigenvalues.min() > 1e-12 * eigenvalues.max() else np.full_like(matrix,
                                                                                     np.inf)


def _correlations(data: pd.DataFrame | Responses, y: str, x: list[str]):
    """Complete-case correlations: R among ``x``, r of each ``x`` with ``y``, n, reasons."""
    moments = _complete(data, y, x)
    reasons = _degenerate(moments, x)
    n = int(moments.n[0, 0])
    if reasons:
        return None, None, n, reasons
    corr = _cov_to_cor(moments.cov)
    return corr[1:, 1:], corr[1:, 0], n, []


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


def _outcome_score(frame: pd.DataFrame | Responses, items: list[str]) -> pd.Series:
    """The respondent's outcome score: mean of the answered outcome items."""
    return respondent_scores(frame, {}, {"outcome": items}).frame["outcome"]


def _dimension_scores(frame: pd.DataFrame | Responses, dimensions: dict[str, list[str]]
                      ) -> pd.DataFrame:
    """Respondents' dimension scores by the product's one rule
    (:func:`analysis.indices.dimension_scores`: the mean of the answered items, at least half
    answered), for the dimensions whose items the frame has (a group that was not asked a
    dimension has no score for it)."""
    return respondent_scores(frame, dimensions).frame


def _driver_model(data: Responses, y: str, x: list[str], items: list[str]) -> dict:
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
    frames : group name -> DataFrame with one float column per item (reverse-coded, NaN missing),
        or the group's :class:`~analysis.moments.Responses`.
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
        asked = {o: items for o, items in outcomes.items()
                 if items and set(items) <= set(frame.columns)}
        scores = respondent_scores(frame, dimensions, {f"\0{o}": items for o, items in asked.items()})
        predictors = [d for d in dimensions if d in scores]
        section[group] = {outcome: _driver_model(scores, f"\0{outcome}", predictors, items)
                          for outcome, items in asked.items() if predictors}
    return json_ready(section)
