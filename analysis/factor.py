"""Factorability and exploratory factor analysis of a group's item set.

KMO, Bartlett's sphericity test, parallel analysis and EFA (minres / unweighted least squares with
oblimin or varimax rotation), all from ONE pairwise correlation matrix (R's
``cor(x, use="pairwise")``), as psych 2.2.9 computes them from raw data with missing values
(factor_analyzer's KMO fails on NaN). Reference values: tests/reference/factor.R.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

from analysis.moments import Responses
from analysis.reliability import _answers, _number, _warning, dimension_items, require_items

__all__ = [
    "Correlations",
    "KMOResult",
    "BartlettResult",
    "ParallelResult",
    "EFAResult",
    "pairwise_correlations",
    "kmo",
    "bartlett_sphericity",
    "parallel_analysis",
    "efa",
    "factor_section",
]

KMO_THRESHOLD = 0.60  # Kaiser (1974): "mediocre" below .6 ... we warn below .6 as DOMAIN.md asks
UNIQUENESS_BOUNDS = (0.005, 1.0)  # psych's bounds for the minres uniquenesses
ROTATIONS = ("oblimin", "varimax", "none")
#: a projected gradient below this that no step can lower the criterion along any more is the end
#: of the rotation: the criterion is flat to rounding there (see :func:`_oblimin`)
ROTATION_FLAT = 1e-6


@dataclass(frozen=True)
class Correlations:
    """A pairwise correlation matrix with its items and n (rows with at least one answer)."""

    items: tuple[str, ...]
    matrix: np.ndarray
    n: int


def pairwise_correlations(
    data: pd.DataFrame | Responses | Correlations,
    items: list[str] | None = None,
    *,
    reverse: list[str] | None = None,
    scale: tuple[float, float] | None = None,
) -> Correlations:
    """R's ``cor(x, use="pairwise")`` of the items and n = rows with at least one answer.

    Parameters
    ----------
    data : one float column per item, NaN = missing, or the group's
        :class:`~analysis.moments.Responses` (or a :class:`Correlations`, returned as is).
    items : columns to use (default: all).
    reverse, scale : items to reverse-code as ``min + max - x`` first (flips the signs of their
        correlations: KMO, Bartlett and the eigenvalues do not change, their loadings do).

    Returns
    -------
    Correlations

    Notes
    -----
    Each correlation uses the rows where both items are answered, with means and standard deviations
    over those rows (:attr:`analysis.moments.Moments.cor`, exact for whole-number answers). n is
    psych's ``nrow(x)`` once respondents who answered none of the items are left out.
    """
    if isinstance(data, Correlations):
        return data
    items, source = _answers(data, items, reverse, scale)
    return Correlations(items, source.moments(items).cor, source.count_rows(any_of=items))


# --------------------------------------------------------------------------------------------------
# Factorability
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy: overall and per item (MSA)."""

    overall: float
    items: pd.Series


def kmo(
    data: pd.DataFrame | Correlations,
    items: list[str] | None = None,
    *,
    reverse: list[str] | None = None,
    scale: tuple[float, float] | None = None,
) -> KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item.

    Parameters
    ----------
    data, items, reverse, scale : see :func:`pairwise_correlations`.

    Returns
    -------
    KMOResult

    Notes
    -----
    With R the correlation matrix and Q the anti-image (partial) correlations, Q = cov2cor(R⁻¹)
    (its sign does not matter, only squares enter), off-diagonal sums only:
    ``KMO = Σr² / (Σr² + Σq²)`` and per item ``MSA_j = Σᵢ r²ᵢⱼ / (Σᵢ r²ᵢⱼ + Σᵢ q²ᵢⱼ)``.
    A singular R makes psych fall back to Q = R; here the result is NaN instead. Pairwise
    correlations with missing answers (psych::KMO on raw data).

    References
    ----------
    Kaiser (1970), Psychometrika 35, 401-415; Kaiser & Rice (1974), Educational and Psychological
    Measurement 34, 111-117; Revelle, psych 2.2.9 ``KMO``.
    """
    correlations = pairwise_correlations(data, items, reverse=reverse, scale=scale)
    r = correlations.matrix
    try:
        inverse = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        inverse = np.full_like(r, np.nan)
    scale = np.sqrt(np.diag(inverse))
    partial = inverse / np.outer(scale, scale)
    off = ~np.eye(len(r), dtype=bool)
    r2 = np.where(off, r, 0.0) ** 2
    q2 = np.where(off, partial, 0.0) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = r2.sum() / (r2.sum() + q2.sum())
        per_item = r2.sum(axis=0) / (r2.sum(axis=0) + q2.sum(axis=0))
    return KMOResult(float(overall), pd.Series(per_item, index=pd.Index(correlations.items, name="item")))


@dataclass(frozen=True)
class BartlettResult:
    """Bartlett's test of sphericity."""

    chi2: float
    df: int
    p: float
    n: int


def bartlett_sphericity(
    data: pd.DataFrame | Correlations,
    items: list[str] | None = None,
    *,
    reverse: list[str] | None = None,
    scale: tuple[float, float] | None = None,
) -> BartlettResult:
    """Bartlett's test that the correlation matrix is an identity matrix.

    Parameters
    ----------
    data, items, reverse, scale : see :func:`pairwise_correlations`.

    Returns
    -------
    BartlettResult

    Notes
    -----
    ``χ² = -ln|R| · (n - 1 - (2p + 5)/6)``, df = p(p-1)/2, p items, n respondents (rows with an
    answer). R is the pairwise correlation matrix and n as psych::cortest.bartlett takes it from raw
    data (``nrow``). NaN when |R| ≤ 0 (a pairwise matrix need not be positive definite).

    References
    ----------
    Bartlett (1951), J. of the Royal Statistical Society B 13, 1-8 (see Revelle, psych 2.2.9
    ``cortest.bartlett``).
    """
    correlations = pairwise_correlations(data, items, reverse=reverse, scale=scale)
    p = len(correlations.items)
    n = correlations.n
    sign, log_det = np.linalg.slogdet(correlations.matrix)
    chi2 = -log_det * (n - 1 - (2 * p + 5) / 6) if sign > 0 else float("nan")
    df = p * (p - 1) // 2
    # scipy.stats.chi2.sf(chi2, df), the same bits (NaN for df = 0, where chdtrc gives 0)
    p_value = float(special.chdtrc(df, chi2)) if df > 0 else float("nan")
    return BartlettResult(float(chi2), df, p_value, n)


# --------------------------------------------------------------------------------------------------
# Number of factors
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParallelResult:
    """Parallel analysis on principal-component eigenvalues.

    Attributes
    ----------
    n_factors : leading observed eigenvalues above the ``quantile`` of the simulated ones (≥ 1).
    eigenvalues : observed eigenvalues of R, decreasing.
    simulated : their ``quantile`` over the random-data correlation matrices.
    """

    n_factors: int
    eigenvalues: np.ndarray
    simulated: np.ndarray


def wishart_identity(df: int, p: int, rng: np.random.Generator) -> np.ndarray:
    """One draw of Wishart(df, I_p) by Bartlett's decomposition: A lower triangular with N(0, 1)
    below the diagonal and sqrt(χ²(df - i)) on it (i = 0 .. p-1), the draw C A (C A)ᵀ with C = I.
    ``scipy.stats.wishart(df, np.eye(p)).rvs(random_state=rng)`` as a p × p array: the same
    random numbers in the same order and the same arithmetic (the same bits; scipy.stats, ~0.3 s
    to import, is not needed), and its ValueError when df <= p - 1."""
    if not df > p - 1:
        raise ValueError("Degrees of freedom must be greater than the dimension of scale matrix "
                         "minus 1.")
    a = np.zeros((p, p))
    a[np.tril_indices(p, k=-1)] = rng.normal(size=p * (p - 1) // 2)
    a[np.diag_indices(p)] = np.concatenate([rng.chisquare(df - i, size=1) ** 0.5
                                            for i in range(p)])
    ca = np.dot(np.eye(p), a)
    return np.dot(ca, ca.T)


def parallel_analysis(
    data: pd.DataFrame | Correlations,
    items: list[str] | None = None,
    *,
    n_iter: int = 20,
    quantile: float = 0.95,
    seed: int = 20261124,
    reverse: list[str] | None = None,
    scale: tuple[float, float] | None = None,
) -> ParallelResult:
    """Horn's parallel analysis with principal-component eigenvalues (psych ``fa.parallel(fa="pc")``).

    Parameters
    ----------
    data, items, reverse, scale : see :func:`pairwise_correlations`.
    n_iter : number of random data sets (psych's default 20).
    quantile : which quantile of the random eigenvalues to beat (psych's default .95).
    seed : seed of the random generator (the count is reproducible).

    Returns
    -------
    ParallelResult

    Notes
    -----
    The eigenvalues of the observed (pairwise) correlation matrix are compared one by one with the
    ``quantile`` of the eigenvalues of correlation matrices of n × p independent standard normal
    data; the number of factors is the number of leading eigenvalues that exceed it (at least 1).
    Random correlation matrices are drawn exactly without generating n rows: the scatter matrix of
    n normal rows is Wishart(n - 1, I), sampled by the Bartlett decomposition, then scaled to a
    correlation matrix. We use component (PC) eigenvalues, psych's ``ncomp``: they do not depend on
    a factor extraction and are the original proposal; psych's FA-eigenvalue variant tends to
    retain more factors. psych draws different random numbers, so its simulated quantiles differ
    slightly; the tests compare the count.

    References
    ----------
    Horn (1965), Psychometrika 30, 179-185; Glorfeld (1995), Educational and Psychological
    Measurement 55, 377-393 (the 95th percentile); Revelle, psych 2.2.9 ``fa.parallel``.
    """
    correlations = pairwise_correlations(data, items, reverse=reverse, scale=scale)
    p, n = len(correlations.items), correlations.n
    observed = np.sort(np.linalg.eigvalsh(correlations.matrix))[::-1]
    rng = np.random.default_rng(seed)
    random = np.empty((n_iter, p))
    for i in range(n_iter):
        scatter = wishart_identity(n - 1, p, rng)
        scale = np.sqrt(np.diag(scatter))
        random[i] = np.sort(np.linalg.eigvalsh(scatter / np.outer(scale, scale)))[::-1]
    simulated = np.quantile(random, quantile, axis=0)
    above = observed > simulated
    n_factors = int(p if above.all() else np.argmin(above))
    return ParallelResult(max(n_factors, 1), observed, simulated)


# --------------------------------------------------------------------------------------------------
# Exploratory factor analysis
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EFAResult:
    """Exploratory factor analysis.

    Attributes
    ----------
    loadings : DataFrame items × factors (pattern loadings after rotation), factors named F1..Fm
        in psych's order (decreasing variance accounted for), each column signed so it sums > 0.
    phi : factor correlations (identity for orthogonal rotations and one factor).
    uniquenesses : 1 - communality per item (from the unrotated solution).
    rotation : "oblimin", "varimax" or "none". converged : whether extraction and rotation converged.
    """

    loadings: pd.DataFrame
    phi: np.ndarray
    uniquenesses: pd.Series
    rotation: str
    converged: bool


def efa(
    data: pd.DataFrame | Correlations,
    items: list[str] | None = None,
    n_factors: int = 1,
    rotation: str = "oblimin",
    *,
    rotation_tol: float = 1e-8,
    reverse: list[str] | None = None,
    scale: tuple[float, float] | None = None,
) -> EFAResult:
    """Minres (unweighted least squares) factor analysis with oblimin or varimax rotation.

    Parameters
    ----------
    data, items, reverse, scale : see :func:`pairwise_correlations`.
    n_factors : number of factors.
    rotation : "oblimin" (quartimin, γ = 0, as psych's default), "varimax" or "none".
    rotation_tol : convergence tolerance of the rotation (GPArotation's default is 1e-5): the
        size of the projected gradient. The rotation also ends, converged, when the gradient is
        below ``ROTATION_FLAT`` (1e-6) and no step lowers the criterion any more (the criterion
        is flat to rounding there; GPArotation would go on to its last iteration).

    Returns
    -------
    EFAResult

    Notes
    -----
    Extraction (psych ``fa(fm="minres")``): the uniquenesses ψ minimise
    ``½ tr[(R - ΛΛᵀ - Ψ)²]`` where, for given ψ, Λ holds the first m eigenvectors of R - Ψ scaled by
    the square roots of their eigenvalues; the gradient is ``-diag(R - ΛΛᵀ - Ψ)`` (psych's
    ``FAgr.minres``). Start 1 - smc, bounds [0.005, 1], L-BFGS-B run to convergence (psych stops
    optim at its default tolerance; both reach the same minimum, see the tests for how close psych
    gets). Rotation: oblimin by the gradient projection algorithm of Bernaards & Jennrich
    (GPArotation ``GPFoblq``, unnormalised, step halving as there); varimax as ``stats::varimax``
    (Kaiser normalisation). Then, as psych: factors signed to positive column sums and ordered by
    the variance they account for (diag(Φ ΛᵀΛ)).

    References
    ----------
    Harman & Jones (1966), Psychometrika 31, 351-368 (minres); Jennrich (2002), Psychometrika 67,
    7-19 and Bernaards & Jennrich (2005), Educational and Psychological Measurement 65, 676-696
    (GPA oblimin); Kaiser (1958), Psychometrika 23, 187-200 (varimax); Revelle, psych 2.2.9 ``fa``.
    """
    if rotation not in ROTATIONS:
        raise ValueError(f"rotation must be one of {ROTATIONS}, not {rotation!r}")
    correlations = pairwise_correlations(data, items, reverse=reverse, scale=scale)
    r = correlations.matrix
    p = len(r)
    if not 1 <= n_factors < p:
        raise ValueError(f"need 1 <= n_factors < number of items ({p}), got {n_factors}")
    uniquenesses, extraction_ok = _minres(r, n_factors)
    loadings = _principal_loadings(r, uniquenesses, n_factors)
    phi = np.eye(n_factors)
    rotation_ok = True
    if n_factors == 1:
        loadings = loadings if loadings.sum() >= 0 else -loadings
        rotation = "none"
    else:
        loadings = loadings * _column_signs(loadings)
        if rotation == "oblimin":
            loadings, phi, rotation_ok = _oblimin(loadings, rotation_tol)
        elif rotation == "varimax":
            loadings = _varimax(loadings)
        signs = _column_signs(loadings)
        loadings, phi = loadings * signs, phi * np.outer(signs, signs)
        order = np.argsort(-np.diag(phi @ loadings.T @ loadings), kind="stable")
        loadings, phi = loadings[:, order], phi[np.ix_(order, order)]
    index = pd.Index(correlations.items, name="item")
    table = pd.DataFrame(loadings, index=index, columns=[f"F{j + 1}" for j in range(n_factors)])
    return EFAResult(table, phi, pd.Series(uniquenesses, index=index), rotation, extraction_ok and rotation_ok)


def _column_signs(loadings: np.ndarray) -> np.ndarray:
    signs = np.sign(loadings.sum(axis=0))
    return np.where(signs == 0, 1.0, signs)


def _principal_loadings(r: np.ndarray, uniquenesses: np.ndarray, n_factors: int) -> np.ndarray:
    """First m eigenvectors of R - Ψ times √max(eigenvalue, 0) (psych ``FAout.wls``)."""
    values, vectors = np.linalg.eigh(r - np.diag(uniquenesses))
    top = np.argsort(values)[::-1][:n_factors]
    return vectors[:, top] * np.sqrt(np.maximum(values[top], 0))


def _minres(r: np.ndarray, n_factors: int) -> tuple[np.ndarray, bool]:
    """Uniquenesses minimising the unweighted least-squares discrepancy (see :func:`efa`)."""

    def discrepancy(psi):
        loadings = _principal_loadings(r, psi, n_factors)
        residual = r - loadings @ loadings.T - np.diag(psi)
        return 0.5 * np.sum(residual**2), -np.diag(residual)

    inverse = np.linalg.pinv(r, hermitian=True)
    start = np.clip(1 / np.diag(inverse), *UNIQUENESS_BOUNDS)  # 1 - smc
    result = optimize.minimize(
        discrepancy, start, jac=True, method="L-BFGS-B", bounds=[UNIQUENESS_BOUNDS] * len(r),
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000},
    )
    return result.x, bool(result.success)


def _oblimin(loadings: np.ndarray, tol: float, max_iter: int = 10_000):
    """Quartimin (oblimin γ = 0) by gradient projection, as GPArotation::GPFoblq; returns Λ, Φ,
    converged. A step that lowers the criterion by no more than its rounding ends the iteration
    when the gradient is already below ROTATION_FLAT."""

    def criterion(rotated):
        cross = (rotated**2) @ (1 - np.eye(rotated.shape[1]))
        return np.sum(rotated**2 * cross) / 4, rotated * cross

    transform = np.eye(loadings.shape[1])
    rotated = loadings.copy()
    value, gradient_q = criterion(rotated)
    gradient = -(rotated.T @ gradient_q @ np.linalg.inv(transform)).T
    step = 1.0
    for _ in range(max_iter + 1):
        projected = gradient - transform @ np.diag(np.sum(transform * gradient, axis=0))
        size = np.sqrt(np.sum(projected**2))
        if size < tol:
            break
        step *= 2
        for _ in range(11):
            candidate = transform - step * projected
            candidate = candidate / np.sqrt(np.sum(candidate**2, axis=0))
            rotated = loadings @ np.linalg.inv(candidate).T
            new_value, gradient_q = criterion(rotated)
            if value - new_value > 0.5 * size**2 * step:
                break
            step /= 2
        else:
            if size < ROTATION_FLAT:  # flat to rounding: no step can do better
                return loadings @ np.linalg.inv(transform).T, transform.T @ transform, True
        transform, value = candidate, new_value
        gradient = -(rotated.T @ gradient_q @ np.linalg.inv(transform)).T
    return rotated, transform.T @ transform, bool(size < tol)


def _varimax(loadings: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Varimax with Kaiser normalisation, exactly as R's ``stats::varimax`` (its eps, 1000 sweeps)."""
    norms = np.sqrt(np.sum(loadings**2, axis=1))
    x = loadings / norms[:, None]
    p, m = x.shape
    transform = np.eye(m)
    total = 0.0
    for _ in range(1000):
        z = x @ transform
        b = x.T @ (z**3 - z @ np.diag(np.sum(z**2, axis=0)) / p)
        u, singular, vt = np.linalg.svd(b)
        transform = u @ vt
        previous, total = total, singular.sum()
        if total < previous * (1 + eps):
            break
    return (x @ transform) * norms[:, None]


# --------------------------------------------------------------------------------------------------
# The results.json section
# --------------------------------------------------------------------------------------------------
def factor_section(
    frames: dict[str, pd.DataFrame],
    dimensions: dict[str, list[str]],
    rotation: str = "oblimin",
) -> dict:
    """The factor-analysis part of results.json's ``validity`` section, per group.

    Parameters
    ----------
    frames : group name -> answers, one float column per item, already reverse-coded.
    dimensions : dimension name -> its items; the group's item set is all of them, in order.
    rotation : "oblimin" (default) or "varimax".

    Returns
    -------
    dict ``{GROUP: {"kmo", "kmo_items", "bartlett", "efa", "warnings"}}`` of plain floats/ints/str/
    lists/None (keys in docs/json/reliability.md). The CFA module adds "cfa" beside these.
    """
    items = dimension_items(dimensions)
    section = {}
    for group, frame in frames.items():
        require_items(frame, items, group)
        section[group] = _group_entry(frame, items, rotation)
    return section


def _group_entry(frame: pd.DataFrame | Responses, items: list[str], rotation: str) -> dict:
    correlations = pairwise_correlations(frame, items)
    usable = np.isfinite(np.diag(correlations.matrix))  # NaN: constant or unanswered item
    warnings = [
        _warning("item_left_out", item=item) for item, ok in zip(items, usable) if not ok
    ]
    kept = [item for item, ok in zip(items, usable) if ok]
    empty = {"kmo": None, "kmo_items": {item: None for item in items},
             "bartlett": {"chi2": None, "df": None, "p": None},
             "efa": {"n_factors": None, "rotation": rotation, "loadings": {}, "converged": None}}
    if len(kept) < 3 or correlations.n < 3:
        warnings.append(_warning("too_few_items_or_respondents", value=min(len(kept), correlations.n), threshold=3))
        return {**empty, "warnings": warnings}
    r = correlations.matrix[np.ix_(usable, usable)]
    kept_correlations = Correlations(tuple(kept), r, correlations.n)
    if not np.isfinite(r).all():
        warnings.append(_warning("correlation_undefined"))  # a pair of items never answered together
        return {**empty, "warnings": warnings}
    if np.linalg.eigvalsh(r).min() <= 1e-12:
        warnings.append(_warning("singular_correlation_matrix", value=float(np.linalg.eigvalsh(r).min()), threshold=0))
        return {**empty, "warnings": warnings}
    adequacy = kmo(kept_correlations)
    if adequacy.overall < KMO_THRESHOLD:
        warnings.append(_warning("kmo_below", value=adequacy.overall, threshold=KMO_THRESHOLD))
    for item, value in adequacy.items.items():
        if value < KMO_THRESHOLD:
            warnings.append(_warning("kmo_item_below", item=item, value=value, threshold=KMO_THRESHOLD))
    sphericity = bartlett_sphericity(kept_correlations)
    n_factors = min(parallel_analysis(kept_correlations).n_factors, len(kept) - 1)
    solution = efa(kept_correlations, n_factors=n_factors, rotation=rotation)
    if not solution.converged:
        warnings.append(_warning("efa_not_converged"))
    return {
        "kmo": _number(adequacy.overall),
        "kmo_items": {item: _number(adequacy.items.get(item)) for item in items},
        "bartlett": {"chi2": _number(sphericity.chi2), "df": sphericity.df, "p": _number(sphericity.p)},
        "efa": {
            "n_factors": n_factors,
            "rotation": solution.rotation,
            "loadings": dict(zip(solution.loadings.index, solution.loadings.to_numpy().tolist())),
            "factor_correlations": [[float(v) for v in row] for row in solution.phi],
            "converged": solution.converged,
        },
        "warnings": warnings,
    }
