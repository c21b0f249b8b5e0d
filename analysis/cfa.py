"""Confirmatory factor analysis of the dimension model, omega total and construct validity.

The model is simple structure: every item loads on exactly one factor (its dimension), the factors
correlate, every item has its own residual variance. It is fitted by maximum likelihood exactly as
lavaan 0.6.14 ``cfa()`` does with its defaults, and every number is checked against lavaan 0.6.14 and
semTools 0.5.6 (``tests/reference/cfa.R``).

Why our own ML fit and not semopy: semopy's default optimiser stops about 1e-3 away from lavaan's
optimum, its RMSEA divides by n - 1 where lavaan uses n, and it has no SRMR; every fit measure would
have to be recomputed from the ML discrepancy anyway. The discrepancy of a simple-structure model has
a short analytic gradient, Hessian and expected information, so Fisher scoring finished by Newton
steps takes a few hundred lines, reaches lavaan's solution to < 1e-8, and fits a 20-item, 5-factor
model from a covariance matrix in milliseconds (it never touches respondent rows). It starts from
uniform loadings; when that fit does not converge to a proper solution it also starts from each
factor's first principal component and from weak loadings and keeps the converged fit of lowest F
(tests/fixtures/cfa_hard_start.csv: a dimension whose items share almost no variance and load with
mixed signs, where only the later starts reach lavaan's solution).

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
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import optimize, special

from analysis.moments import Responses, as_responses
from analysis.reliability import _number, _warning
from surveys.errors import StudyError
from surveys.i18n import msg

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
    iterations : scoring/Newton steps taken from the start whose fit is kept.
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
class _Point:
    """One parameter vector and what every derivative there needs: W = Σ⁻¹ and the directions
    U, V (p x q) with dΣ/dx_k = u_k v_k' + v_k u_k' for every parameter k."""

    loadings: np.ndarray
    phi: np.ndarray
    lam: np.ndarray
    w: np.ndarray
    u: np.ndarray
    v: np.ndarray


@dataclass(frozen=True)
class _Structure:
    """Which factor each item loads on; parameters are [loadings, residual variances, correlations]."""

    factor_of: np.ndarray  # item -> factor index
    n_factors: int

    @cached_property
    def pairs(self) -> list[tuple[int, int]]:
        return list(itertools.combinations(range(self.n_factors), 2))

    @cached_property
    def _pair_columns(self) -> tuple[np.ndarray, np.ndarray]:
        """The first and the second factor of every pair, as index arrays."""
        first, second = zip(*self.pairs) if self.pairs else ((), ())
        return np.array(first, dtype=np.intp), np.array(second, dtype=np.intp)

    def unpack(self, x: np.ndarray):
        p = len(self.factor_of)
        loadings, residuals = x[:p], x[p:2 * p]
        phi = np.eye(self.n_factors)
        first, second = self._pair_columns
        phi[first, second] = phi[second, first] = x[2 * p:]
        return loadings, residuals, phi

    def implied(self, x: np.ndarray) -> np.ndarray:
        loadings, residuals, phi = self.unpack(x)
        lam = self.lambda_matrix(loadings)
        return lam @ phi @ lam.T + np.diag(residuals)

    def lambda_matrix(self, loadings: np.ndarray) -> np.ndarray:
        lam = np.zeros((len(self.factor_of), self.n_factors))
        lam[np.arange(len(self.factor_of)), self.factor_of] = loadings
        return lam

    def at(self, x: np.ndarray) -> _Point:
        """Σ⁻¹ and the directions at x. Loading i: (e_i, ΛΦ column of i's factor); residual
        variance i: (e_i, e_i/2); correlation of factors a, b: (Λ column a, Λ column b)."""
        loadings, residuals, phi = self.unpack(x)
        lam = self.lambda_matrix(loadings)
        eye = np.eye(len(self.factor_of))
        first, second = self._pair_columns
        u = np.hstack([eye, eye, lam[:, first]])
        v = np.hstack([(lam @ phi)[:, self.factor_of], eye / 2, lam[:, second]])
        w = np.linalg.inv(lam @ phi @ lam.T + np.diag(residuals))
        return _Point(loadings, phi, lam, w, u, v)


def _discrepancy(sigma: np.ndarray, s: np.ndarray, logdet_s: float) -> float:
    """F_ML = log|Σ| + tr(SΣ⁻¹) - log|S| - p; inf when Σ is not positive definite."""
    try:
        root = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:  # (a positive determinant is not enough: two negative eigenvalues)
        return np.inf
    logdet = 2 * np.sum(np.log(np.diag(root)))
    return float(logdet + np.trace(np.linalg.solve(sigma, s)) - logdet_s - len(s))


def _gradient(point: _Point, s: np.ndarray) -> np.ndarray:
    """dF/dx_k = tr(G dΣ_k) = 2 u_k'G v_k with G = Σ⁻¹ - Σ⁻¹SΣ⁻¹."""
    w = point.w
    g = w - w @ s @ w
    return 2 * np.einsum("ik,ik->k", point.u, g @ point.v)


def _trace_products(p_matrix: np.ndarray, q_matrix: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """tr(P dΣ_l Q dΣ_k) for every k, l, from the rank-2 directions (P, Q symmetric)."""
    pu, pv, qu, qv = p_matrix @ u, p_matrix @ v, q_matrix @ u, q_matrix @ v
    return ((u.T @ qv) * (v.T @ pu) + (v.T @ qv) * (u.T @ pu)
            + (u.T @ qu) * (v.T @ pv) + (v.T @ qu) * (u.T @ pv))


def _information(point: _Point) -> np.ndarray:
    """Expected information of F: tr(Σ⁻¹ dΣ_k Σ⁻¹ dΣ_l)."""
    return _trace_products(point.w, point.w, point.u, point.v)


def _hessian(point: _Point, s: np.ndarray, structure: _Structure) -> np.ndarray:
    """Observed Hessian of F: tr(dG_l dΣ_k) + tr(G d²Σ_kl).

    dG_l = -WΣ_lW + WΣ_lM + MΣ_lW with W = Σ⁻¹, M = WSW. Σ is bilinear in loadings and
    correlations, so d²Σ_kl is nonzero only for two loadings (2φ G_ij) and a loading with a
    correlation of its factor (2(Gλ_b)_i). tr(MΣ_lWΣ_k) = tr(WΣ_kMΣ_l): the last term is the
    transpose of the middle one.
    """
    w, u, v = point.w, point.u, point.v
    m = w @ s @ w
    g = w - m
    mixed = _trace_products(w, m, u, v)
    hessian = mixed + mixed.T - _trace_products(w, w, u, v)
    p, f = len(point.loadings), structure.factor_of
    hessian[:p, :p] += 2 * point.phi[np.ix_(f, f)] * g
    g_lam = g @ point.lam
    for k, (a, b) in enumerate(structure.pairs):
        column = np.where(f == a, g_lam[:, b], 0.0) + np.where(f == b, g_lam[:, a], 0.0)
        hessian[:p, 2 * p + k] += 2 * column
        hessian[2 * p + k, :p] += 2 * column
    return (hessian + hessian.T) / 2


def _starts(r: np.ndarray, structure: _Structure):
    """Start values on the correlation scale, in the order :func:`_fit` tries them (each made only
    when it is tried).

    Each item explaining half its variance (loadings √.5); each factor's first principal component
    (loadings clipped to ±.95, signed so that they sum to ≥ 0; residual variances 1 - loading²); weak
    loadings of .3. Factors start uncorrelated. The later starts rescue data where a dimension's items
    share almost no variance and load with mixed signs (undeclared reverse items) and the fit from
    the first start drifts towards an improper solution without converging
    (tests/fixtures/cfa_hard_start.csv).
    """
    uncorrelated = np.zeros(len(structure.pairs))
    yield np.concatenate([np.full(len(r), np.sqrt(0.5)), np.full(len(r), 0.5), uncorrelated])
    components = np.zeros(len(r))
    for factor in range(structure.n_factors):
        members = np.flatnonzero(structure.factor_of == factor)
        values, vectors = np.linalg.eigh(r[np.ix_(members, members)])
        first = vectors[:, -1] * (1 if vectors[:, -1].sum() >= 0 else -1)
        components[members] = np.clip(first * np.sqrt(values[-1]), -0.95, 0.95)
    yield np.concatenate([components, 1 - components ** 2, uncorrelated])
    yield np.concatenate([np.full(len(r), 0.3), np.full(len(r), 0.91), uncorrelated])


def _fit(r: np.ndarray, structure: _Structure):
    """Minimise F_ML: the first start's fit if it converged to a proper solution, else the
    converged fit of lowest F over all starts (else the lowest F; not converged).

    Returns (x, F, converged, iterations).
    """
    fits = []
    for start in _starts(r, structure):
        fit = _fit_from(start, r, structure)
        if not fits and fit[2] and _proper(fit[0], structure):
            return fit
        fits.append(fit)
    return min(fits, key=lambda fit: (not fit[2], fit[1]))


def _proper(x: np.ndarray, structure: _Structure) -> bool:
    """No negative residual variance, a positive definite factor correlation matrix."""
    _, residuals, phi = structure.unpack(x)
    return bool(residuals.min() >= 0 and np.linalg.eigvalsh(phi).min() > 0)


def _fit_from(x: np.ndarray, s: np.ndarray, structure: _Structure):
    """Fisher scoring, then Newton steps near the optimum, with step halving."""
    logdet_s = np.linalg.slogdet(s)[1]
    value = _discrepancy(structure.implied(x), s, logdet_s)
    for iteration in range(MAX_ITERATIONS):
        point = structure.at(x)
        gradient = _gradient(point, s)
        largest = np.abs(gradient).max()
        if largest < GRADIENT_TOL:
            return x, value, True, iteration
        step = None
        if largest < NEWTON_FROM:
            step = _step(_hessian(point, s, structure), gradient)
        if step is None or step @ gradient >= 0:  # Newton is no descent far from the minimum
            step = _step(_information(point), gradient)
        scale = 1.0
        while scale > 1e-10:
            candidate = x + scale * step
            candidate_value = _discrepancy(structure.implied(candidate), s, logdet_s)
            if candidate_value <= value + 1e-4 * scale * (step @ gradient):
                break
            if (abs(candidate_value - value) <= 1e-12 * (1 + abs(value))  # F flat to rounding:
                    and np.abs(_gradient(structure.at(candidate), s)).max() < largest):
                break  # judge the step by the gradient instead
            scale /= 2
        else:  # no step lowers F any more: converged if the gradient is small anyway
            return x, value, bool(largest < 1e-6), iteration
        x, value = candidate, candidate_value
    return x, value, False, MAX_ITERATIONS


def _step(curvature: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """-H⁻¹g; the least-squares solution where H is singular."""
    try:
        return -np.linalg.solve(curvature, gradient)
    except np.linalg.LinAlgError:
        return -np.linalg.lstsq(curvature, gradient, rcond=None)[0]


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


def chi2_cdf(x: float, df: int, ncp: float = 0.0) -> float:
    """P(χ²_df(ncp) <= x): ``scipy.special.chndtr(x, df, ncp)``, or ``chdtr(df, x)`` when ncp = 0,
    what ``scipy.stats.ncx2.cdf`` and ``scipy.stats.chi2.cdf`` evaluate after their checks of the
    arguments (the same bits, without importing scipy.stats: ~0.3 s); 0 for x <= 0, outside the
    support, as they give it. NaN stays NaN."""
    if x <= 0:
        return 0.0
    return special.chndtr(x, df, ncp) if ncp > 0 else special.chdtr(df, x)


def _rmsea_ci(chi2: float, df: int, n: int, level: float = RMSEA_CI_LEVEL) -> tuple[float, float]:
    """lav_fit_rmsea_ci: the noncentralities where χ² sits at the (1 ± level)/2 quantiles."""
    upper_p, lower_p = 1 - (1 - level) / 2, (1 - level) / 2

    def at(ncp, target):
        return chi2_cdf(chi2, df, ncp) - target

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
# Fitting
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Solution:
    loadings: np.ndarray  # standardized, factors reflected so each first loading is positive
    residual_variances: np.ndarray  # standardized
    phi: np.ndarray
    f_min: float
    implied: np.ndarray  # model-implied correlation-scale matrix (observed SDs)
    correlations: np.ndarray  # observed correlations
    converged: bool
    iterations: int


def _is_positive_definite(s: np.ndarray) -> bool:
    return bool(np.isfinite(s).all() and np.all(np.diag(s) > 0)
                and np.linalg.eigvalsh(s / np.sqrt(np.outer(np.diag(s), np.diag(s)))).min() > 1e-12)


def _solve(s: np.ndarray, structure: _Structure, first_items: list[int]) -> _Solution:
    """Fit on the correlation scale (F, χ² and every standardized number are scale invariant)."""
    sd = np.sqrt(np.diag(s))
    r = s / np.outer(sd, sd)
    x, f_min, converged, iterations = _fit(r, structure)
    loadings, residuals, phi = structure.unpack(x)
    sign = np.sign(loadings[first_items])
    sign[sign == 0] = 1
    loadings = loadings * sign[structure.factor_of]
    phi = phi * np.outer(sign, sign)
    implied = structure.implied(x)
    variances = np.diag(implied)
    return _Solution(loadings / np.sqrt(variances), residuals / variances, phi, f_min, implied, r,
                     converged, iterations)


def _listwise_cov(data: pd.DataFrame | Responses, items: list[str]) -> tuple[np.ndarray, int]:
    """ML covariance (divisor n) of the rows that answered every item, and their number."""
    absent = [item for item in items if item not in data.columns]
    if absent:
        raise ValueError(f"items not in the data: {absent}")
    moments = as_responses(data).moments(items, complete=True)
    n = int(moments.n[0, 0]) if len(items) else 0
    if n == 0:
        return np.full((len(items), len(items)), np.nan), n
    return moments.cov * (n - 1) / n if n > 1 else np.zeros((len(items), len(items))), n


def fit_cfa(
    model: dict[str, list[str]],
    data: pd.DataFrame | None = None,
    *,
    cov: np.ndarray | pd.DataFrame | None = None,
    n: int | None = None,
    mean_structure: bool = False,
) -> CFAResult:
    r"""ML confirmatory factor analysis of a simple-structure model, as lavaan 0.6.14 ``cfa()``.

    Parameters
    ----------
    model : factor -> its items (each item on one factor; at least 2 items per factor, 3 for a
        one-factor model). Factors correlate freely.
    data : raw answers, one float column per item (NaN = missing; rows with any missing item are
        deleted listwise, lavaan's default), or the group's :class:`~analysis.moments.Responses`.
        Give either ``data`` or ``cov`` and ``n``.
    cov : the unbiased (n - 1) covariance matrix of the items in model order (a DataFrame is reordered
        by its labels); rescaled by (n - 1)/n as lavaan's ``sample.cov`` is.
    n : the number of respondents behind ``cov``.
    mean_structure : only changes SRMR's divisor, as lavaan's ``meanstructure=TRUE`` (also lavaan's
        default with ``missing="ml"``) does; χ², CFI, TLI, RMSEA and estimates are unaffected.

    Returns
    -------
    CFAResult
        Fit measures, standardized loadings ("std.all"), residual variances, factor correlations,
        convergence and warnings: ``cfa_not_converged``; ``heywood_case`` for an item whose
        standardized residual variance is negative (equivalently |standardized loading| > 1) and for
        a factor correlation beyond ±1 (``dimension`` = "A|B");
        ``factor_correlations_not_positive_definite`` (smallest eigenvalue in ``value``).

    Raises
    ------
    ValueError
        A model that is not simple structure or not identified, or a covariance matrix that is not
        positive definite (a constant item, fewer complete rows than items).

    Notes
    -----
    With S the ML covariance (divisor n) of p items and Σ(θ) = ΛΦΛ' + Θ,

    .. math:: F = \log|Σ| + \mathrm{tr}(SΣ^{-1}) - \log|S| - p, \qquad χ^2 = n F

    (lavaan uses n, not n - 1), df = p(p+1)/2 - q. The baseline is the independence model
    (χ²_b = n(Σ log s_ii - log|S|), df_b = p(p-1)/2). CFI = 1 - max(χ² - df, 0)/max(χ² - df,
    χ²_b - df_b, 0); TLI = 1 - (χ² - df)df_b/((χ²_b - df_b)df); RMSEA = sqrt(max(χ² - df, 0)/(df·n))
    with the 90% interval from the noncentral χ² quantiles (lav_fit_rmsea_ci, solved to 1e-14
    rather than uniroot's default 1e-4); SRMR = lavaan's "srmr" (Bentler): the root mean square of
    (s_ij - σ_ij)/sqrt(s_ii s_jj) over i ≥ j. Residual variances are not bounded (lavaan's default),
    so a Heywood case shows up as a negative variance and is reported. The fit runs on the
    correlation scale, D⁻¹SD⁻¹: F is invariant to rescaling the items, so χ² and every standardized
    number are those of the covariance fit.

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
    if n <= len(items) or not _is_positive_definite(s):
        raise ValueError(f"the covariance matrix of {len(items)} items from {n} complete rows is not "
                         "positive definite (constant items or fewer complete rows than items)")
    solution = _solve(s, structure, [items.index(members[0]) for members in model.values()])
    p = len(items)
    df = p * (p + 1) // 2 - (2 * p + len(structure.pairs))
    chi2 = n * solution.f_min
    baseline_chi2 = -n * float(np.linalg.slogdet(solution.correlations)[1])
    baseline_df = p * (p - 1) // 2
    factors = list(model)
    found = [] if solution.converged else [_warning("cfa_not_converged")]
    for item, residual in zip(items, solution.residual_variances):
        if residual < 0:
            found.append(_warning("heywood_case", item=item, value=residual, threshold=0))
    for a, b in structure.pairs:
        if abs(solution.phi[a, b]) > 1:
            found.append(_warning("heywood_case", dimension=f"{factors[a]}|{factors[b]}",
                                  value=solution.phi[a, b], threshold=1))
    smallest = np.linalg.eigvalsh(solution.phi).min()
    if smallest < 0:  # lavaan: "covariance matrix of latent variables is not positive definite"
        found.append(_warning("factor_correlations_not_positive_definite", value=smallest, threshold=0))
    return CFAResult(
        model={factor: list(members) for factor, members in model.items()},
        n=int(n),
        chi2=float(chi2),
        df=int(df),
        p=float(special.chdtrc(df, chi2)) if df > 0 else np.nan,
        baseline_chi2=baseline_chi2,
        baseline_df=baseline_df,
        cfi=_cfi(chi2, df, baseline_chi2, baseline_df),
        tli=_tli(chi2, df, baseline_chi2, baseline_df),
        rmsea=_rmsea(chi2, df, n),
        rmsea_ci=_rmsea_ci(chi2, df, n),
        srmr=_srmr(solution.correlations, solution.implied, mean_structure),
        loadings=pd.Series(solution.loadings, index=items, name="loading"),
        residual_variances=pd.Series(solution.residual_variances, index=items, name="residual_variance"),
        factor_correlations=pd.DataFrame(solution.phi, index=factors, columns=factors),
        converged=solution.converged,
        iterations=solution.iterations,
        observed_correlations=pd.DataFrame(solution.correlations, index=items, columns=items),
        warnings=found,
    )


def omega_total(cov: np.ndarray) -> float:
    r"""McDonald's omega total from a one-factor ML CFA, standardized.

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
    .. math:: ω_t = \frac{(Σλ_i)^2}{(Σλ_i)^2 + Σθ_i}

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
    if not _is_positive_definite(cov):
        warnings.warn("omega total: the covariance matrix is not positive definite", CFAWarning, stacklevel=2)
        return np.nan
    _, structure = _structure({"scale": list(range(k))})
    solution = _solve(cov, structure, [0])
    if not solution.converged:
        warnings.warn("omega total: the one-factor CFA did not converge", CFAWarning, stacklevel=2)
        return np.nan
    return _composite_reliability(solution.loadings, solution.residual_variances)


# --------------------------------------------------------------------------------------------------
# Construct validity
# --------------------------------------------------------------------------------------------------
def _composite_reliability(loadings: np.ndarray, residual_variances: np.ndarray) -> float:
    total = loadings.sum() ** 2
    return float(total / (total + residual_variances.sum()))


def construct_reliability(result: CFAResult) -> pd.DataFrame:
    r"""Composite reliability and average variance extracted per factor, from standardized loadings.

    Parameters
    ----------
    result : a :func:`fit_cfa` result.

    Returns
    -------
    DataFrame indexed by factor: ``k``, ``cr``, ``ave``, ``sqrt_ave``.

    Notes
    -----
    With λ_i the standardized loadings of a factor's k items and θ_i = 1 - λ_i²:

    .. math:: CR = \frac{(Σλ_i)^2}{(Σλ_i)^2 + Σθ_i}, \qquad AVE = \frac{1}{k}Σλ_i^2

    (Fornell & Larcker 1981; DOMAIN.md). This is what we report. semTools 0.5.6 computes both from the
    unstandardized solution instead: ``compRelSEM`` divides by the observed variance of the composite
    (``obs.var=TRUE``), ``AVE`` by the sum of observed item variances; on the reference data they
    differ from ours by up to .014 (tests/reference/cfa.json keeps both).

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with unobservable
    variables and measurement error. J. Marketing Research 18(1), 39-50.
    """
    rows = {}
    standardized, residual = result.loadings.to_dict(), result.residual_variances.to_dict()
    for factor, items in result.model.items():
        loadings = np.array([standardized[item] for item in items], dtype=float)
        ave = float(np.mean(loadings ** 2))
        rows[factor] = {
            "k": len(items),
            "cr": _composite_reliability(
                loadings, np.array([residual[item] for item in items], dtype=float)),
            "ave": ave,
            "sqrt_ave": float(np.sqrt(ave)),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def fornell_larcker(result: CFAResult, constructs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The Fornell-Larcker table: √AVE on the diagonal, factor correlations off it.

    ``constructs``: :func:`construct_reliability` of ``result`` if already computed.

    Notes
    -----
    Discriminant validity holds for a pair of factors when both √AVEs exceed |r| between them
    (Fornell & Larcker 1981); AVE as in :func:`construct_reliability`, r the CFA's factor correlation.
    """
    table = result.factor_correlations
    sqrt_ave = (construct_reliability(result) if constructs is None else constructs)["sqrt_ave"]
    values = table.to_numpy(copy=True)  # set by position: a pandas assignment costs ~0.1 ms
    np.fill_diagonal(values, sqrt_ave.reindex(table.index).to_numpy())
    return pd.DataFrame(values, index=table.index, columns=table.columns)


def htmt(correlations: pd.DataFrame, model: dict[str, list[str]], geometric: bool = False) -> pd.DataFrame:
    r"""Heterotrait-monotrait ratio of correlations for every pair of factors.

    Parameters
    ----------
    correlations : item correlations (or covariances, turned into correlations), labelled by item.
    model : factor -> its items.
    geometric : False for Henseler et al.'s (2015) HTMT (arithmetic means), True for the HTMT2 of
        Roemer et al. (2021) (geometric means, semTools' default ``htmt2=TRUE``).

    Returns
    -------
    DataFrame factors x factors, 1 on the diagonal, NaN where a factor has one item.

    Notes
    -----
    .. math:: HTMT_{ab} = \frac{\bar r_{ab}}{\sqrt{\bar r_{aa}\, \bar r_{bb}}}

    r̄_ab the mean of the absolute correlations between the items of a and of b, r̄_aa the mean of the
    absolute correlations among a's items (off the diagonal); geometric or arithmetic means. Absolute
    values as semTools 0.5.6 ``htmt(absolute=TRUE)`` (its default). For raw data the correlations are
    those of the listwise complete rows (semTools' ``missing="listwise"``).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing discriminant
    validity in variance-based structural equation modeling. J. Acad. Marketing Science 43, 115-135.
    Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 - an improved criterion for assessing
    discriminant validity in structural equation modeling. Industrial Management & Data Systems 121.
    """
    items = [item for members in model.values() for item in members]
    values = correlations.loc[items, items].to_numpy(dtype=np.float64)
    sd = np.sqrt(np.diag(values))
    r = np.abs(values / np.outer(sd, sd))
    transform, back = (np.log, np.exp) if geometric else (lambda v: v, lambda v: v)
    positions = {}
    start = 0
    for factor, members in model.items():
        positions[factor] = slice(start, start + len(members))
        start += len(members)

    def mean_between(a, b):
        block = r[positions[a], positions[b]]
        if a == b:
            block = block[~np.eye(len(block), dtype=bool)]
        with np.errstate(divide="ignore"):  # a zero correlation: geometric mean 0, as in R
            return back(np.mean(transform(block))) if block.size else np.nan

    factors = list(model)
    within = {factor: mean_between(factor, factor) for factor in factors}
    table = np.eye(len(factors))  # filled as an array: a pandas assignment per pair cost ~0.2 ms
    for (i, a), (j, b) in itertools.combinations(enumerate(factors), 2):
        table[i, j] = table[j, i] = mean_between(a, b) / np.sqrt(within[a] * within[b])
    return pd.DataFrame(table, index=factors, columns=factors)


def _cells(table: pd.DataFrame) -> dict:
    """The cells of a table by (row, column) label (a pandas lookup per cell cost ~0.2 ms)."""
    values = table.to_numpy()
    return {(a, b): values[i, j] for i, a in enumerate(table.index)
            for j, b in enumerate(table.columns)}


@dataclass(frozen=True)
class _Discriminant:
    """What the section and its warnings read of one fit, computed once (each was computed
    two or three times): :func:`construct_reliability` and the HTMT and HTMT2 tables by
    (row, column) label."""

    constructs: pd.DataFrame
    htmt: dict
    htmt2: dict

    @classmethod
    def of(cls, result: CFAResult) -> "_Discriminant":
        return cls(construct_reliability(result), *(
            _cells(htmt(result.observed_correlations, result.model, geometric=geometric))
            for geometric in (False, True)))


def cfa_warnings(result: CFAResult) -> list[dict]:
    """The CFA's own warnings plus AVE < .5, HTMT or HTMT2 > .85 and Fornell-Larcker violations."""
    return _warnings_of(result, _Discriminant.of(result))


def _warnings_of(result: CFAResult, checks: _Discriminant) -> list[dict]:
    """:func:`cfa_warnings` from the fit's :class:`_Discriminant` tables."""
    found = list(result.warnings)
    constructs = checks.constructs
    for factor, row in constructs.iterrows():
        if row["ave"] < AVE_THRESHOLD:
            found.append(_warning("ave_below", dimension=factor, value=row["ave"], threshold=AVE_THRESHOLD))
    for name in ("htmt", "htmt2"):
        table = getattr(checks, name)
        for a, b in itertools.combinations(result.model, 2):
            if table[a, b] > HTMT_THRESHOLD:
                found.append(_warning(f"{name}_above", dimension=f"{a}|{b}", value=table[a, b],
                                      threshold=HTMT_THRESHOLD))
    correlations, sqrt_ave = _cells(result.factor_correlations), constructs["sqrt_ave"].to_dict()
    for a, b in itertools.combinations(result.model, 2):
        r = correlations[a, b]
        bar = min(sqrt_ave[a], sqrt_ave[b])
        if abs(r) >= bar:
            found.append(_warning("fornell_larcker_violated", dimension=f"{a}|{b}", value=r, threshold=bar))
    return found


# --------------------------------------------------------------------------------------------------
# The results.json section
# --------------------------------------------------------------------------------------------------
def cfa_section(frames: dict[str, pd.DataFrame], dimensions: dict[str, list[str]]) -> dict:
    """The CFA part of results.json's ``validity`` section: ``validity[GROUP]["cfa"]``.

    Parameters
    ----------
    frames : group name -> answers, one float column per item, already reverse-coded (NaN missing).
    dimensions : dimension name -> its items; the model loads each item on its dimension.

    Returns
    -------
    dict ``{GROUP: {...}}`` of plain floats/ints/str/lists/None; keys in docs/json/cfa.md.

    Notes
    -----
    Rows with a missing answer to any model item are deleted listwise (lavaan's default) and ``n``
    counts the rest. A fit that did not converge gives None values (lavaan gives no fit measures
    then either) with ``converged`` False and a ``cfa_not_converged`` warning. Items never answered or constant among the complete rows (of at least 2) are
    left out (``item_left_out``); a dimension left with fewer than 2 items is left out of the model
    (``dimension_too_few_items``, its constructs entry None). A model that cannot be fitted (no
    dimension left, one dimension with 2 items, fewer complete rows than items + 1, a singular
    covariance matrix) gives None values and a warning.
    """
    items = list(dict.fromkeys(item for members in dimensions.values() for item in members))
    section = {}
    for group, frame in frames.items():
        absent = [item for item in items if item not in frame.columns]
        if absent:
            raise StudyError(
                msg("group_item_missing", group=group, item=absent[0]), column=absent[0],
                expected=msg("group_item_missing_expected"),
            )
        section[group] = _group_entry(frame, dimensions, items)
    return section


def _empty_entry(dimensions: dict[str, list[str]], items: list[str], n: int, found: list[dict]) -> dict:
    pairs = [f"{a}|{b}" for a, b in itertools.combinations(dimensions, 2)]
    return {
        "n": n, "missing": "listwise", "chi2": None, "df": None, "p": None, "cfi": None, "tli": None,
        "rmsea": None, "rmsea_ci": [None, None], "srmr": None,
        "loadings": {item: None for item in items},
        "constructs": {dimension: {"cr": None, "ave": None} for dimension in dimensions},
        "htmt": {pair: None for pair in pairs}, "htmt2": {pair: None for pair in pairs},
        "fornell_larcker": {a: {b: None for b in dimensions} for a in dimensions},
        "converged": None, "warnings": found,
    }


def _group_entry(frame: pd.DataFrame | Responses, dimensions: dict[str, list[str]],
                 items: list[str]) -> dict:
    source = as_responses(frame)
    answered = source.moments(items).count > 0
    present = [item for item, ok in zip(items, answered) if ok]
    complete = source.moments(present, complete=True)
    varies = answered.copy()  # with fewer than 2 complete rows nothing can vary: too few respondents
    if present and complete.n[0, 0] >= 2:
        varies[answered] = complete.variance > 0
    found = [_warning("item_left_out", item=item) for item, ok in zip(items, varies) if not ok]
    model = {}
    for dimension, members in dimensions.items():
        kept = [item for item in members if varies[items.index(item)]]
        if len(kept) < 2:
            found.append(_warning("dimension_too_few_items", dimension=dimension, value=len(kept),
                                  threshold=2))
        else:
            model[dimension] = kept
    kept_items = [item for members in model.values() for item in members]
    n = source.count_rows(any_of=kept_items) if kept_items else 0
    if not model or (len(model) == 1 and len(kept_items) < 3):
        found.append(_warning("cfa_not_identified", value=len(kept_items), threshold=3))
        return _empty_entry(dimensions, items, n, found)
    if n <= len(kept_items):
        found.append(_warning("too_few_respondents", value=n, threshold=len(kept_items) + 1))
        return _empty_entry(dimensions, items, n, found)
    try:
        result = fit_cfa(model, source)
    except ValueError:
        found.append(_warning("singular_covariance"))
        return _empty_entry(dimensions, items, n, found)
    if not result.converged:  # like lavaan, no numbers from a fit that did not converge
        return {**_empty_entry(dimensions, items, n, found + result.warnings), "converged": False}
    checks = _Discriminant.of(result)
    constructs = checks.constructs.to_dict("index")
    table = _cells(fornell_larcker(result, checks.constructs))
    htmts = {"htmt": checks.htmt, "htmt2": checks.htmt2}
    pairs = list(itertools.combinations(dimensions, 2))

    def pair_value(name, a, b):
        return _number(htmts[name][a, b]) if a in model and b in model else None

    return {
        "n": result.n,
        "missing": "listwise",
        "chi2": _number(result.chi2),
        "df": result.df,
        "p": _number(result.p),
        "cfi": _number(result.cfi),
        "tli": _number(result.tli),
        "rmsea": _number(result.rmsea),
        "rmsea_ci": [_number(result.rmsea_ci[0]), _number(result.rmsea_ci[1])],
        "srmr": _number(result.srmr),
        "loadings": {item: _number(result.loadings.get(item)) for item in items},
        "constructs": {
            dimension: {"cr": _number(constructs[dimension]["cr"]),
                        "ave": _number(constructs[dimension]["ave"])}
            if dimension in model else {"cr": None, "ave": None}
            for dimension in dimensions
        },
        "htmt": {f"{a}|{b}": pair_value("htmt", a, b) for a, b in pairs},
        "htmt2": {f"{a}|{b}": pair_value("htmt2", a, b) for a, b in pairs},
        "fornell_larcker": {
            a: {b: _number(table[a, b]) if a in model and b in model else None for b in dimensions}
            for a in dimensions
        },
        "converged": result.converged,
        "warnings": found + _warnings_of(result, checks),
    }
