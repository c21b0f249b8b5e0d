"""Confirmatory factor analysis of the dimension model, omega total and construct validity.

The model is simple structure: every item loads on exactly one factor (its dimension), the factors
correlate, every item has its own residual variance. It is fitted by maximum likelihood exactly as
lavaan 0.6.14 ``cfa()`` does with its defaults, and every number is checked against lavaan 0.6.14 and
semTools 0.5.6 (``tests/reference/cfa.R``).

Why our own ML fit and not semopy: semopy's default optimiser stops about 1e-3 away from lavaan's
optimum, its RMSEA divides by n - 1 where lavaan uses n, and it has no SRMR; every fit measure would
have to be recomputed from the ML discrepancy anyway. The discrepancy of a simple-structure model has
a short analytic gradient and expected information, so a Fisher-scoring fit finished by Newton steps
is about 150 lines, reaches lavaan's solution to < 1e-8, and fits a 20-item, 5-factor model from a
covariance matrix in milliseconds (it never touches respondent rows).

Identification: the fit fixes the factor variances to 1 (lavaan's ``std.lv=TRUE``). ML estimates are
invariant to the identification, so the standardized solution ("std.all") and every fit measure are
those of lavaan's default marker-variable fit; the factor whose first item loads negatively is
reflected, as a marker loading of 1 would make it.

Missing data: raw answers are deleted listwise (lavaan's default ``missing="listwise"``); the result
says how many respondents were used. A covariance matrix is taken as the unbiased (n - 1) estimate
and rescaled by (n - 1)/n, as lavaan does with ``sample.cov`` (``sample.cov.rescale``).
"""
from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from analysis.reliability import _number, _warning
from surveys.errors import StudyError

__all__ = [
    "CFAResult",
    "CFAWarning",
    "fit_cfa",
    "omega_total",
    "construct_reliability",
    "fornell_larcker",
    "htmt",
    "cfa_warnings",
    "cfa_section",
]

AVE_THRESHOLD = 0.50  # Fornell & Larcker (1981)
HTMT_THRESHOLD = 0.85  # Henseler, Ringle & Sarstedt (2015), the conservative bar
RMSEA_CI_LEVEL = 0.90
GRADIENT_TOL = 1e-10  # largest |dF/dparameter| at convergence (lavaan's nlminb stops near 1e-8)
MAX_ITERATIONS = 500
NEWTON_FROM = 1e-4  # switch from Fisher scoring to Newton steps below this gradient


class CFAWarning(RuntimeWarning):
    """A CFA scalar (omega total) could not be computed: the reason is in the message."""


@dataclass(frozen=True)
class CFAResult:
    """An ML CFA of a simple-structure model, standardized as lavaan's ``std.all``.

    Attributes
    ----------
    model : factor -> its items, as fitted.
    n : respondents used (complete rows for raw data, the given n for a covariance matrix).
    chi2, df, p : the likelihood-ratio test against the saturated model (χ² = n·F_ML).
    baseline_chi2, baseline_df : the independence model (lavaan's baseline).
    cfi, tli, rmsea, rmsea_ci, srmr : fit measures as ``lavaan::fitMeasures`` (srmr = "srmr").
    loadings : standardized loading per item.
    residual_variances : standardized residual variance per item (1 - loading²).
    factor_correlations : factors x factors.
    converged : the gradient reached ``GRADIENT_TOL``.
    iterations : scoring/Newton steps taken.
    observed_correlations : the correlation matrix of the data the model was fitted to (for HTMT).
    warnings : warnings as data (non-convergence, Heywood cases).
    """

    model: dict[str, list[str]]
    n: int
    chi2: float
    df: int
    p: float
    baseline_chi2: float
    baseline_df: int
    cfi: float
    tli: float
    rmsea: float
    rmsea_ci: tuple[float, float]
    srmr: float
    loadings: pd.Series
    residual_variances: pd.Series
    factor_correlations: pd.DataFrame
    converged: bool
    iterations: int
    observed_correlations: pd.DataFrame
    warnings: list[dict] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# The ML fit
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Structure:
    """Which factor each item loads on; parameters are [loadings, residual variances, correlations]."""

    factor_of: np.ndarray  # item -> factor index
    n_factors: int

    @property
    def pairs(self) -> list[tuple[int, int]]:
        return list(itertools.combinations(range(self.n_factors), 2))

    def unpack(self, x: np.ndarray):
        p = len(self.factor_of)
        loadings, residuals = x[:p], x[p:2 * p]
        phi = np.eye(self.n_factors)
        for value, (a, b) in zip(x[2 * p:], self.pairs):
            phi[a, b] = phi[b, a] = value
        return loadings, residuals, phi

    def implied(self, x: np.ndarray) -> np.ndarray:
        loadings, residuals, phi = self.unpack(x)
        lam = self._lambda(loadings)
        return lam @ phi @ lam.T + np.diag(residuals)

    def _lambda(self, loadings: np.ndarray) -> np.ndarray:
        lam = np.zeros((len(self.factor_of), self.n_factors))
        lam[np.arange(len(self.factor_of)), self.factor_of] = loadings
        return lam

    def derivatives(self, x: np.ndarray) -> np.ndarray:
        """dΣ/dx_k for every parameter, shape (q, p, p)."""
        p = len(self.factor_of)
        loadings, _, phi = self.unpack(x)
        lam = self._lambda(loadings)
        cross = (lam @ phi)[:, self.factor_of].T  # row i: Cov(item j, factor of i) over j
        eye = np.eye(p)
        d_loadings = eye[:, :, None] * cross[:, None, :]
        d_loadings = d_loadings + d_loadings.transpose(0, 2, 1)
        d_residuals = eye[:, :, None] * eye[:, None, :]
        d_phi = np.array([np.outer(lam[:, a], lam[:, b]) + np.outer(lam[:, b], lam[:, a]) for a, b in self.pairs])
        return np.concatenate([d_loadings, d_residuals, d_phi.reshape(-1, p, p)])


def _discrepancy(sigma: np.ndarray, s: np.ndarray, logdet_s: float) -> float:
    """F_ML = log|Σ| + tr(SΣ⁻¹) - log|S| - p; inf when Σ is not positive definite."""
    sign, logdet = np.linalg.slogdet(sigma)
    if sign <= 0:
        return np.inf
    return float(logdet + np.trace(np.linalg.solve(sigma, s)) - logdet_s - len(s))


def _start(s: np.ndarray, structure: _Structure) -> np.ndarray:
    """Start: each item explains half its variance, factors uncorrelated."""
    sd = np.sqrt(np.diag(s))
    return np.concatenate([0.7 * sd, 0.5 * np.diag(s), np.zeros(len(structure.pairs))])


def _fit(s: np.ndarray, structure: _Structure):
    """Minimise F_ML: Fisher scoring, Newton (Hessian from analytic gradients) near the optimum.

    Returns (x, F, converged, iterations).
    """
    logdet_s = np.linalg.slogdet(s)[1]
    x = _start(s, structure)
    value = _discrepancy(structure.implied(x), s, logdet_s)

    def gradient_at(point):
        sigma_inv = np.linalg.inv(structure.implied(point))
        g_matrix = sigma_inv - sigma_inv @ s @ sigma_inv
        d = structure.derivatives(point)
        return np.einsum("kij,ij->k", d, g_matrix), sigma_inv, d

    for iteration in range(1, MAX_ITERATIONS + 1):
        gradient, sigma_inv, d = gradient_at(x)
        largest = np.abs(gradient).max()
        if largest < GRADIENT_TOL:
            return x, value, True, iteration - 1
        if largest < NEWTON_FROM:
            h = 1e-6
            columns = [(gradient_at(x + h * e)[0] - gradient_at(x - h * e)[0]) / (2 * h) for e in np.eye(len(x))]
            hessian = np.array(columns)
            hessian = (hessian + hessian.T) / 2
        else:
            weighted = sigma_inv @ d @ sigma_inv
            hessian = np.einsum("kij,lij->kl", weighted, d)
        try:
            step = -np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        if step @ gradient >= 0:  # not a descent direction (Newton far from a minimum): scoring
            weighted = sigma_inv @ d @ sigma_inv
            step = -np.linalg.lstsq(np.einsum("kij,lij->kl", weighted, d), gradient, rcond=None)[0]
        scale = 1.0
        while scale > 1e-10:
            candidate = x + scale * step
            candidate_value = _discrepancy(structure.implied(candidate), s, logdet_s)
            if candidate_value <= value + 1e-4 * scale * (step @ gradient):
                break
            scale /= 2
        else:
            return x, value, bool(np.abs(gradient).max() < 1e-6), iteration
        x, value = candidate, candidate_value
    return x, value, False, MAX_ITERATIONS


def _structure(model: dict[str, list[str]]) -> tuple[list[str], _Structure]:
    items = [item for members in model.values() for item in members]
    if len(set(items)) != len(items):
        raise ValueError("an item loads on more than one factor: the model must be simple structure")
    small = [factor for factor, members in model.items() if len(members) < 2]
    if small:
        raise ValueError(f"factors need at least 2 items: {small}")
    if len(model) == 1 and len(items) < 3:
        raise ValueError("a one-factor model needs at least 3 items (2 items are not identified)")
    factor_of = np.array([f for f, members in enumerate(model.values()) for _ in members])
    return items, _Structure(factor_of, len(model))


# --------------------------------------------------------------------------------------------------
# Fit measures (lavaan 0.6.14 lav_fit_*)
# --------------------------------------------------------------------------------------------------
def _rmsea(chi2: float, df: int, n: int) -> float:
    """sqrt(max(χ²/(n·df) - 1/n, 0)); 0 when df = 0 (lav_fit_rmsea)."""
    return float(np.sqrt(max(chi2 / (n * df) - 1 / n, 0.0))) if df > 0 else 0.0


def _rmsea_ci(chi2: float, df: int, n: int, level: float = RMSEA_CI_LEVEL) -> tuple[float, float]:
    """lav_fit_rmsea_ci: the noncentralities where χ² sits at the (1 ± level)/2 quantiles."""
    upper_p, lower_p = 1 - (1 - level) / 2, (1 - level) / 2

    def at(ncp, target):
        return stats.ncx2.cdf(chi2, df, ncp) - target if ncp > 0 else stats.chi2.cdf(chi2, df) - target

    if df < 1 or at(0, upper_p) < 0:
        lower = 0.0
    else:
        lower = float(np.sqrt(optimize.brentq(at, 0, chi2, args=(upper_p,), xtol=1e-14) / (n * df)))
    bound = max(n, 4 * chi2)
    if df < 1 or at(bound, lower_p) > 0 or at(0, lower_p) < 0:
        upper = 0.0
    else:
        upper = float(np.sqrt(optimize.brentq(at, 0, bound, args=(lower_p,), xtol=1e-14) / (n * df)))
    return lower, upper


def _cfi(chi2, df, baseline_chi2, baseline_df) -> float:
    model_excess = max(chi2 - df, 0.0)
    excess = max(chi2 - df, baseline_chi2 - baseline_df, 0.0)
    if np.isclose(model_excess, 0.0, rtol=0, atol=1.5e-8) and np.isclose(excess, 0.0, rtol=0, atol=1.5e-8):
        return 1.0
    return 1 - model_excess / excess


def _tli(chi2, df, baseline_chi2, baseline_df) -> float:
    model_part = (chi2 - df) * baseline_df
    baseline_part = (baseline_chi2 - baseline_df) * df
    return 1 - model_part / baseline_part if df > 0 and baseline_part != 0 else 1.0


def _srmr(s: np.ndarray, sigma: np.ndarray, mean_structure: bool) -> float:
    """lavaan's "srmr" (Bentler): residuals scaled by the observed SDs, lower triangle with diagonal.

    With a mean structure lavaan also counts the p mean residuals, which are 0 for the saturated means
    of a CFA, so only the divisor grows from p(p+1)/2 to p(p+1)/2 + p.
    """
    sd = np.sqrt(np.diag(s))
    residual = (s - sigma) / np.outer(sd, sd)
    p = len(s)
    count = p * (p + 1) / 2 + (p if mean_structure else 0)
    return float(np.sqrt(np.sum(np.tril(residual) ** 2) / count))


# --------------------------------------------------------------------------------------------------
# Public fitting functions
# --------------------------------------------------------------------------------------------------
def _listwise_cov(data: pd.DataFrame, items: list[str]) -> tuple[np.ndarray, int]:
    absent = [item for item in items if item not in data.columns]
    if absent:
        raise ValueError(f"items not in the data: {absent}")
    values = data.loc[:, items].to_numpy(dtype=np.float64, na_value=np.nan)
    values = values[~np.isnan(values).any(axis=1)]
    n = len(values)
    if n < 2:
        return np.full((len(items), len(items)), np.nan), n
    centred = values - values.mean(axis=0)
    return centred.T @ centred / n, n


def fit_cfa(
    model: dict[str, list[str]],
    data: pd.DataFrame | None = None,
    *,
    cov: np.ndarray | pd.DataFrame | None = None,
    n: int | None = None,
    mean_structure: bool = False,
) -> CFAResult:
    """ML confirmatory factor analysis of a simple-structure model, as lavaan 0.6.14 ``cfa()``.

    Parameters
    ----------
    model : factor -> its items (each item on one factor; at least 2 items per factor, 3 for a
        one-factor model). Factors correlate freely.
    data : raw answers, one float column per item (NaN = missing; rows with any missing item are
        deleted listwise, lavaan's default). Give either ``data`` or ``cov`` and ``n``.
    cov : the unbiased (n - 1) covariance matrix of the items in model order (a DataFrame is reordered
        by its labels); rescaled by (n - 1)/n as lavaan's ``sample.cov`` is.
    n : the number of respondents behind ``cov``.
    mean_structure : only changes SRMR's divisor, as lavaan's ``meanstructure=TRUE`` (also lavaan's
        default with ``missing="ml"``) does; χ², CFI, TLI, RMSEA and estimates are unaffected.

    Returns
    -------
    CFAResult
        Fit measures, standardized loadings ("std.all"), residual variances, factor correlations,
        convergence and warnings (``cfa_not_converged``; ``heywood_case`` for a negative residual
        variance or a standardized loading beyond ±1).

    Notes
    -----
    With S the ML covariance (divisor n) of p items and Σ(θ) = ΛΦΛ' + Θ,

    .. math:: F = \\log|Σ| + \\mathrm{tr}(SΣ^{-1}) - \\log|S| - p, \\qquad χ^2 = n F

    (lavaan uses n, not n - 1), df = p(p+1)/2 - q. The baseline is the independence model
    (χ²_b = n(Σ log s_ii - log|S|), df_b = p(p-1)/2). CFI = 1 - max(χ² - df, 0)/max(χ² - df,
    χ²_b - df_b, 0); TLI = 1 - (χ² - df)df_b/((χ²_b - df_b)df); RMSEA = sqrt(max(χ² - df, 0)/(df·n))
    with the 90% interval from the noncentral χ² quantiles (lav_fit_rmsea_ci, solved to 1e-14
    rather than uniroot's default 1e-4); SRMR = lavaan's "srmr" (Bentler): the root mean square of
    (s_ij - σ_ij)/sqrt(s_ii s_jj) over i ≥ j. Residual variances are not bounded (lavaan's default),
    so a Heywood case shows up as a negative variance and is reported.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. J. Stat. Softw. 48(2).
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, ch. 4 and 7.
    """
    items, structure = _structure(model)
    if (data is None) == (cov is None):
        raise ValueError("give either data or cov (with n)")
    if data is not None:
        s, n = _listwise_cov(data, items)
    else:
        if n is None:
            raise ValueError("a covariance matrix needs n")
        if isinstance(cov, pd.DataFrame):
            cov = cov.loc[items, items].to_numpy(dtype=np.float64)
        s = np.asarray(cov, dtype=np.float64) * (n - 1) / n
    if s.shape != (len(items), len(items)):
        raise ValueError(f"the covariance matrix must be {len(items)} x {len(items)}")
    if not np.isfinite(s).all() or np.linalg.eigvalsh(s).min() <= 1e-12 * max(np.abs(s).max(), 1e-300):
        raise ValueError("the covariance matrix is not positive definite (constant items, too few rows?)")
    x, f_min, converged, iterations = _fit(s, structure)
    result = _standardized(x, s, structure, items, model)
    p = len(items)
    df = p * (p + 1) // 2 - len(x)
    chi2 = n * f_min
    baseline_chi2 = n * float(np.sum(np.log(np.diag(s))) - np.linalg.slogdet(s)[1])
    baseline_df = p * (p - 1) // 2
    loadings, residuals, phi = result
    found = []
    if not converged:
        found.append(_warning("cfa_not_converged"))
    for item, loading, residual in zip(items, loadings, residuals):
        if residual < 0 or abs(loading) > 1:
            found.append(_warning("heywood_case", item=item, value=residual, threshold=0))
    sd = np.sqrt(np.diag(s))
    factors = list(model)
    return CFAResult(
        model={factor: list(members) for factor, members in model.items()},
        n=int(n),
        chi2=float(chi2),
        df=int(df),
        p=float(stats.chi2.sf(chi2, df)) if df > 0 else np.nan,
        baseline_chi2=baseline_chi2,
        baseline_df=baseline_df,
        cfi=_cfi(chi2, df, baseline_chi2, baseline_df),
        tli=_tli(chi2, df, baseline_chi2, baseline_df),
        rmsea=_rmsea(chi2, df, n),
        rmsea_ci=_rmsea_ci(chi2, df, n),
        srmr=_srmr(s, structure.implied(x), mean_structure),
        loadings=pd.Series(loadings, index=items, name="loading"),
        residual_variances=pd.Series(residuals, index=items, name="residual_variance"),
        factor_correlations=pd.DataFrame(phi, index=factors, columns=factors),
        converged=converged,
        iterations=iterations,
        observed_correlations=pd.DataFrame(s / np.outer(sd, sd), index=items, columns=items),
        warnings=found,
    )


def _standardized(x, s, structure, items, model):
    """std.all loadings and residual variances, factors reflected so each first loading is positive."""
    loadings, residuals, phi = structure.unpack(x)
    sign = np.sign(loadings[[items.index(members[0]) for members in model.values()]])
    sign[sign == 0] = 1
    loadings = loadings * sign[structure.factor_of]
    phi = phi * np.outer(sign, sign)
    variances = np.diag(structure.implied(x))
    return loadings / np.sqrt(variances), residuals / variances, phi


def omega_total(cov: np.ndarray) -> float:
    """McDonald's omega total from a one-factor ML CFA, standardized.

    Parameters
    ----------
    cov : covariance (or correlation) matrix of the k items of one scale, already reverse-coded.

    Returns
    -------
    float
        ω_t; NaN (with a :class:`CFAWarning`) for k < 3, a matrix that is not positive definite or
        has non-finite entries, or a fit that did not converge.

    Notes
    -----
    .. math:: ω_t = \\frac{(Σλ_i)^2}{(Σλ_i)^2 + Σθ_i}

    with λ_i the standardized ML loadings ("std.all") of the one-factor model and θ_i = 1 - λ_i² the
    standardized residual variances. Standardized ML estimates are scale invariant, so a covariance
    or correlation matrix, divided by n or by n - 1, gives the same ω. A one-factor model of 2 items is
    not identified and one item has no model: both give NaN. How the covariance was formed (pairwise
    or listwise) is the caller's choice. Equal to ``(sum(l))^2 / ((sum(l))^2 + sum(1 - l^2))`` on
    lavaan 0.6.14 ``standardizedSolution(cfa(...))`` (tests/reference/cfa.R); semTools'
    ``compRelSEM`` divides by the observed composite variance instead and differs slightly.

    References
    ----------
    McDonald, R. P. (1999). Test Theory: A Unified Treatment. Erlbaum, ch. 6.
    """
    cov = np.asarray(cov, dtype=np.float64)
    k = cov.shape[0]
    if k < 3:
        warnings.warn(f"omega total needs at least 3 items (a one-factor model of {k} is not identified)",
                      CFAWarning, stacklevel=2)
        return np.nan
    if not np.isfinite(cov).all() or np.linalg.eigvalsh(cov).min() <= 1e-12 * np.abs(cov).max():
        warnings.warn("omega total: the covariance matrix is not positive definite", CFAWarning, stacklevel=2)
        return np.nan
    items, structure = _structure({"f": list(range(k))})
    x, _, converged, _ = _fit(cov, structure)
    if not converged:
        warnings.warn("omega total: the one-factor CFA did not converge", CFAWarning, stacklevel=2)
        return np.nan
    loadings, residuals, _ = _standardized(x, cov, structure, items, {"f": items})
    return float(loadings.sum() ** 2 / (loadings.sum() ** 2 + residuals.sum()))
