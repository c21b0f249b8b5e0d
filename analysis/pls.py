"""The structural satisfaction model: PLS path modeling (ACSI / ECSI / CCSI) and its indices.

A PLS path model (:class:`surveys.pls_model.PLSModel`) has constructs measured by blocks of items
and directed paths between the constructs. :func:`estimate_pls` estimates it by Wold's algorithm
with the conventions of seminr 2.3 and SmartPLS:

- every item is standardised with its mean and its n - 1 standard deviation;
- the outer weights start at 1; each iteration forms the construct scores (unit variance), the
  inner proxies by the inner weighting scheme (path, centroid or factorial), and new outer weights
  (mode A: covariances of the items with the proxy; mode B: the regression of the proxy on the
  items), rescaled so that every score has unit variance;
- the iterations stop when the summed absolute change of the outer weights is below 1e-7, after at
  most 300 (:data:`MAX_ITERATIONS`, :data:`TOLERANCE`); a model that does not converge is refused;
- loadings are the correlations of the items with the scores, path coefficients the OLS
  regressions of each endogenous construct's score on its predecessors' scores.

The algorithm only needs the items' correlation matrix, so it runs on that matrix (a few small
matrix products per iteration) and a bootstrap resample costs one correlation matrix.

Missing answers: PLS needs complete rows. Respondents who left any item of the model unanswered are
left out (listwise deletion; the result says how many). seminr's default, replacing a missing answer
by the item mean, is not used: it shrinks the item's variance and its correlations.

Bootstrap: ``n_boot`` resamples of the respondents (with replacement, seeded); each resample is
estimated like the sample. SE = standard deviation of the replicates (n - 1), t = estimate / SE,
two-sided p from Student's t with ``n_boot - 1`` degrees of freedom (seminr's and SmartPLS's
choice), 95% percentile intervals (quantile type 7). Replicates that cannot be estimated (a constant
item, no convergence) are dropped and counted. Signs are not realigned.

Indices (Fornell et al. 1996): with a construct's outer weights w_i on standardised items, the
unstandardised weights are w_i / s_i, rescaled to sum to 1; the index is
100 · Σ w̃_i (x̄_i − min) / Σ w̃_i (max − min) on the study's scale. A negative weight has no meaning
in an index, so the index of a block with one is refused (a warning names the item).

:func:`pls_section` builds the ``pls`` block of results.json (docs/json/pls.md). Every number is
checked against seminr 2.3.4 and plspm 0.5.1 (tests/reference/pls.R).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import special

from analysis.cfa import htmt
from analysis.jsonready import json_ready, records
from analysis.moments import Responses
from analysis.reliability import cronbach_alpha
from surveys.errors import StudyError
from surveys.i18n import Text, msg
from surveys.pls_model import PLSModel

__all__ = [
    "MAX_ITERATIONS", "TOLERANCE", "TEN_TIMES", "PLSResult", "PLSBootstrap", "estimate_pls",
    "minimum_respondents", "bootstrap_pls", "total_effects", "composite_reliability",
    "average_variance_extracted", "rho_a", "block_eigenvalues", "standardised_alpha",
    "f_squared", "inner_vif", "goodness_of_fit", "srmr_composite", "index_weights",
    "construct_index", "ipma", "pls_section",
]

MAX_ITERATIONS = 300
TOLERANCE = 1e-7
#: Hair et al.'s (2011) rule of thumb: ten respondents per formative item or per path into a
#: construct, whichever is larger (a warning, not an error).
TEN_TIMES = 10
CONFIDENCE = 0.95


class _Failure(Exception):
    """A model that cannot be estimated on these data: ``pls_singular_block`` or
    ``pls_singular_inner`` (with the construct), or ``pls_not_converged`` (with the iterations
    run and the last change of the weights)."""

    def __init__(self, code: str, construct: str | None = None, iterations: int = 0,
                 change: float = np.nan):
        super().__init__(code)
        self.code, self.construct = code, construct
        self.iterations, self.change = iterations, change

    def error(self, group: str) -> StudyError:
        """The refusal as the user reads it."""
        if self.code == "pls_not_converged":
            message = msg(self.code, group=group, iterations=self.iterations,
                          change=f"{self.change:.2g}")
        else:
            message = msg(self.code, group=group, construct=self.construct)
        return StudyError(message, key="pls", expected=msg(f"{self.code}_expected"))


@dataclass
class _Layout:
    """The model as index arrays: each construct's block of items, its predecessors, the path
    matrix and the modes."""

    constructs: list[str]
    items: list[str]
    blocks: list[np.ndarray]
    cells: list[tuple[np.ndarray, np.ndarray]]  # np.ix_ of each block with itself
    before: list[np.ndarray]  # predecessors of each construct
    before_cells: list[tuple[np.ndarray, np.ndarray]]  # np.ix_ of the predecessors
    adjacency: np.ndarray  # adjacency[i, j]: a path i -> j
    mode_b: list[bool]
    owner: np.ndarray  # the construct (column) of each item

    @classmethod
    def of(cls, model: PLSModel) -> "_Layout":
        constructs = list(model.constructs)
        blocks, start = [], 0
        for c in constructs:
            size = len(model.constructs[c])
            blocks.append(np.arange(start, start + size))
            start += size
        position = {c: j for j, c in enumerate(constructs)}
        adjacency = np.zeros((len(constructs), len(constructs)), dtype=bool)
        for a, b in model.paths:
            adjacency[position[a], position[b]] = True
        owner = np.concatenate([np.full(len(b), j) for j, b in enumerate(blocks)])
        before = [np.flatnonzero(adjacency[:, j]) for j in range(len(constructs))]
        return cls(constructs, model.items, blocks, [np.ix_(b, b) for b in blocks], before,
                   [np.ix_(b, b) for b in before], adjacency,
                   [model.modes.get(c, "A") == "B" for c in constructs], owner)

    def dense(self, weights: list[np.ndarray]) -> np.ndarray:
        """The B x K x J outer weight matrices of per-block weights (each B x block size)."""
        out = np.zeros((len(weights[0]), len(self.items), len(self.constructs)))
        for j, block in enumerate(self.blocks):
            out[:, block, j] = weights[j]
        return out


def _t(a: np.ndarray) -> np.ndarray:
    """Each matrix of a stack transposed."""
    return np.swapaxes(a, -1, -2)


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x with a x = b for stacks of matrices a (B x m x m) and vectors b (B x m)."""
    return np.linalg.solve(a, b[..., None])[..., 0]


def _inner_weights(corr: np.ndarray, layout: _Layout, scheme: str) -> np.ndarray:
    """The inner weights E (B x J x J, one matrix per construct correlation matrix of the stack
    ``corr``): the proxy of construct j is Σ_i E[i, j] · score_i.

    Centroid: the sign of the correlation with every adjacent construct; factorial: the
    correlation; path (Lohmöller 1989): for predecessors the coefficients of the regression of
    j's score on them, for successors the correlation.
    """
    adjacency = layout.adjacency
    if scheme == "centroid":
        return np.sign(corr) * (adjacency | adjacency.T)
    if scheme == "factorial":
        return corr * (adjacency | adjacency.T)
    weights = corr * adjacency.T
    for j, (before, cells) in enumerate(zip(layout.before, layout.before_cells)):
        if before.size:
            try:
                weights[:, before, j] = _solve(corr[(slice(None), *cells)], corr[:, before, j])
            except np.linalg.LinAlgError:
                raise _Failure("pls_singular_inner", layout.constructs[j]) from None
    return weights


def _outer_weights(s: np.ndarray, layout: _Layout, scheme: str, max_iter: int,
                   tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Wold's iterations on a stack of item covariance (or correlation) matrices ``s``
    (B x K x K, e.g. bootstrap resamples): the converged B x K x J weight matrices (unit-variance
    scores) and the number of weight updates of each. A matrix stops changing at its own
    convergence, so each result is the one it gives alone. Raises :class:`_Failure` when any
    matrix of the stack fails."""
    blocks, owner = layout.blocks, layout.owner
    within = [s[(slice(None), *cells)] for cells in layout.cells]
    inverse_b = {}
    for j, sub in enumerate(within):
        if layout.mode_b[j]:
            try:
                inverse_b[j] = np.linalg.inv(sub)
            except np.linalg.LinAlgError:
                raise _Failure("pls_singular_block", layout.constructs[j]) from None
    rows = np.arange(len(owner))
    previous = np.ones((len(s), len(owner)))  # seminr compares the first update with the 1s
    dense = layout.dense([np.ones((len(s), len(b))) / np.sqrt(sub.sum(axis=(1, 2)))[:, None]
                          for b, sub in zip(blocks, within)])
    iterations = np.zeros(len(s), dtype=int)
    active = np.arange(len(s))  # the matrices not converged yet
    change = np.full(len(s), np.inf)
    for iteration in range(1, max_iter + 1):
        part, weights = s[active], dense[active]
        corr = _t(weights) @ part @ weights
        proxies = part @ weights @ _inner_weights(corr, layout, scheme)
        updated = proxies[:, rows, owner]
        for j, block in enumerate(blocks):
            w = updated[:, block]
            if layout.mode_b[j]:
                w = (inverse_b[j][active] @ w[..., None])[..., 0]
            variance = (w[:, None, :] @ within[j][active] @ w[..., None])[:, 0, 0]
            if not np.all(variance > 0):  # a proxy uncorrelated with every item of its block
                raise _Failure("pls_not_converged", iterations=iteration)
            updated[:, block] = w / np.sqrt(variance)[:, None]
        change = np.abs(updated - previous[active]).sum(axis=1)
        previous[active] = updated
        dense[active[:, None], rows, owner] = updated
        done = change < tol
        iterations[active[done]] = iteration
        active = active[~done]
        if not active.size:
            return dense, iterations
    raise _Failure("pls_not_converged", iterations=max_iter, change=float(change.max()))


def _regressions(corr: np.ndarray, layout: _Layout) -> tuple[np.ndarray, np.ndarray]:
    """Path coefficients B (B[:, i, j] for i -> j) and R² per construct (NaN if exogenous) of a
    stack of construct correlation matrices."""
    b, r2 = np.zeros(corr.shape), np.full(corr.shape[:-1], np.nan)
    for j, (before, cells) in enumerate(zip(layout.before, layout.before_cells)):
        if before.size:
            try:
                beta = _solve(corr[(slice(None), *cells)], corr[:, before, j])
            except np.linalg.LinAlgError:
                raise _Failure("pls_singular_inner", layout.constructs[j]) from None
            b[:, before, j] = beta
            r2[:, j] = (beta[:, None, :] @ corr[:, before, j, None])[:, 0, 0]
    return b, r2


def _total(b: np.ndarray) -> np.ndarray:
    """Total effects (I - B)^-1 - I of a stack of recursive path matrices."""
    eye = np.eye(b.shape[-1])
    return _t(np.linalg.solve(eye - _t(b), eye)) - eye


@dataclass
class _Estimate:
    """Everything one estimation gives, as arrays in the layout's order, for each matrix of a
    stack (first axis)."""

    weights: np.ndarray  # B x K x J
    iterations: np.ndarray  # B
    corr: np.ndarray  # B x J x J construct correlations
    cross: np.ndarray  # B x K x J item-construct correlations
    paths: np.ndarray  # B x J x J
    r2: np.ndarray  # B x J

    def at(self, k) -> "_Estimate":
        """The estimates of the stack's matrices ``k`` (an index array, or one index: then
        without the stack axis)."""
        return _Estimate(*(getattr(self, f.name)[k] for f in fields(self)))


def _estimate(s: np.ndarray, layout: _Layout, scheme: str, max_iter: int, tol: float) -> _Estimate:
    """The model estimated on each matrix of the stack ``s`` (B x K x K)."""
    weights, iterations = _outer_weights(s, layout, scheme, max_iter, tol)
    corr = _t(weights) @ s @ weights
    cross = (s @ weights) / np.sqrt(np.diagonal(s, axis1=1, axis2=2))[:, :, None]
    paths, r2 = _regressions(corr, layout)
    return _Estimate(weights, iterations, corr, cross, paths, r2)


@dataclass
class PLSResult:
    """An estimated PLS path model.

    Attributes
    ----------
    model : the model estimated. n : respondents used (complete rows). n_dropped : respondents
    left out for a missing answer. iterations : outer-weight updates until convergence (seminr's
    ``iterations`` counts from 0 and is one less). scaled : items standardised (True) or only
    centred.
    weights : item -> outer weight (on the standardised item when ``scaled``).
    cross_loadings : item x construct correlations of the items with the scores (an item's
    loading is the entry of its own construct).
    construct_correlations : construct x construct correlations of the scores.
    paths : (from, to) -> standardised path coefficient. r2, r2_adj : endogenous construct ->
    R² and adjusted R² 1 − (1 − R²)(n − 1)/(n − p − 1), p its predecessors.
    item_means, item_sds : the items' means and n − 1 SDs among the rows used.
    item_correlations : the items' correlation matrix among the rows used.
    scores : the standardised construct scores of the rows used.
    """

    model: PLSModel
    n: int
    n_dropped: int
    iterations: int
    scaled: bool
    weights: pd.Series
    cross_loadings: pd.DataFrame
    construct_correlations: pd.DataFrame
    paths: pd.Series
    r2: pd.Series
    r2_adj: pd.Series
    item_means: pd.Series
    item_sds: pd.Series
    item_correlations: pd.DataFrame
    scores: pd.DataFrame = field(repr=False)

    @cached_property
    def construct_of(self) -> pd.Series:
        """item -> its construct (built once; do not modify)."""
        return pd.Series({i: c for c, items in self.model.constructs.items() for i in items})

    @cached_property
    def loadings(self) -> pd.Series:
        """item -> loading on its own construct (built once; do not modify)."""
        owner = [self.positions[c] for c in self.construct_of]
        return pd.Series(self.cross_loadings.to_numpy()[np.arange(len(owner)), owner],
                         index=self.construct_of.index)

    @cached_property
    def positions(self) -> dict[str, int]:
        """construct -> its position among the constructs (built once; do not modify)."""
        return {c: j for j, c in enumerate(self.model.constructs)}

    @cached_property
    def blocks(self) -> dict[str, np.ndarray]:
        """construct -> the positions of its items among the model's items, the order of
        ``weights``, ``item_means``, ``item_sds``, ``item_correlations`` and ``cross_loadings``
        (label lookups of pandas' string indexes cost ~0.1-2 ms each; built once)."""
        out, start = {}, 0
        for c, items in self.model.constructs.items():
            out[c] = np.arange(start, start + len(items))
            start += len(items)
        return out

    @property
    def path_matrix(self) -> pd.DataFrame:
        """construct x construct path coefficients (row = from, column = to; 0 = no path)."""
        names = list(self.model.constructs)
        return pd.DataFrame(self._path_array(), index=names, columns=names)

    def _path_array(self) -> np.ndarray:
        """:attr:`path_matrix` as an array."""
        out = np.zeros((len(self.positions), len(self.positions)))
        for (a, b), value in zip(self.paths.index, self.paths.to_numpy()):
            out[self.positions[a], self.positions[b]] = value
        return out


def minimum_respondents(model: PLSModel) -> int:
    """Fewest complete rows the model can be estimated from: more than the largest block's items
    (a formative block's regression, the items' correlation matrix) and than the most paths into
    one construct plus one (its regression with an adjusted R²)."""
    largest = max(len(items) for items in model.constructs.values())
    predictors = max(len(model.predecessors(c)) for c in model.endogenous)
    return max(largest, predictors + 1) + 1


def _complete_rows(data: pd.DataFrame, items: list[str]) -> tuple[np.ndarray, pd.Index, int]:
    """The rows that answered every item (listwise deletion): their answers (n x K), their index
    and the number of rows left out. Read with NumPy (pandas' astype and dropna of 20-odd
    columns cost ~5 ms a call); the answers column-major, as pandas hands a frame's values, so
    that the means and products taken on them sum in the order they did."""
    values = data[items].to_numpy(dtype=np.float64, na_value=np.nan)
    keep = ~np.isnan(values).any(axis=1)
    return np.asfortranarray(values[keep]), data.index[keep], int(len(values) - keep.sum())


def _complete(data: pd.DataFrame, model: PLSModel, group: str
              ) -> tuple[np.ndarray, pd.Index, int]:
    """:func:`_complete_rows` of the model's items, checked for size and variance."""
    items = model.items
    complete, index, dropped = _complete_rows(data, items)
    needed = minimum_respondents(model)
    if len(complete) < needed:
        largest = max(len(v) for v in model.constructs.values())
        predictors = max(len(model.predecessors(c)) for c in model.endogenous)
        raise StudyError(msg("pls_too_few_respondents", group=group, n=len(complete),
                             needed=needed), key="pls",
                         expected=msg("pls_too_few_expected", items=largest,
                                      predictors=predictors))
    variance = complete.var(axis=0, ddof=1)
    flat = [i for i, v in zip(items, variance) if not v > 0]
    if flat:
        raise StudyError(msg("pls_zero_variance", group=group, item=flat[0]), key="pls",
                         column=flat[0], expected=msg("pls_zero_variance_expected"))
    return complete, index, dropped


def _moments(values: np.ndarray, scaled: bool) -> np.ndarray:
    """The items' covariance matrix (n − 1), or their correlation matrix when ``scaled``, of
    the rows of ``values`` (n x K), or of each matrix of a stack (B x n x K)."""
    return _products(values - values.mean(axis=-2, keepdims=True), scaled)


def _products(centred: np.ndarray, scaled: bool) -> np.ndarray:
    """:func:`_moments` of rows already centred at their means."""
    s = _t(centred) @ centred / (centred.shape[-2] - 1)
    if scaled:
        sd = np.sqrt(np.diagonal(s, axis1=-2, axis2=-1))
        s = s / (sd[..., :, None] * sd[..., None, :])
    return s


def estimate_pls(data: pd.DataFrame, model: PLSModel, *, scaled: bool = True,
                 max_iter: int = MAX_ITERATIONS, tol: float = TOLERANCE,
                 group: str = "") -> PLSResult:
    """Estimate a PLS path model by Wold's algorithm (seminr / SmartPLS conventions).

    Parameters
    ----------
    data : respondents x items (float, NaN = missing, reverse-coded), holding every model item.
    model : constructs, paths, modes and the inner weighting scheme.
    scaled : standardise the items (default, seminr and SmartPLS); False only centres them
        (plspm's ``scaled=FALSE``).
    max_iter, tol : at most ``max_iter`` outer-weight updates; converged when the summed
        absolute change of the weights is below ``tol``.
    group : the respondent group, named in errors.

    Returns
    -------
    PLSResult

    Raises
    ------
    StudyError
        Fewer complete rows than :func:`minimum_respondents`, an item without variance, collinear
        items of a mode B block or collinear predecessors, or no convergence.

    Notes
    -----
    With S the items' correlation matrix and W the outer weights, one iteration is: construct
    correlations :math:`C = W^T S W`; inner weights E from C by the scheme; proxies' covariances
    with the items :math:`M = S W E`; mode A :math:`w_j = M_{[j], j}`, mode B
    :math:`w_j = S_{jj}^{-1} M_{[j], j}`; each :math:`w_j` divided by
    :math:`\\sqrt{w_j^T S_{jj} w_j}`. This is the data algorithm (scores :math:`Y = XW`) written
    on S, since every step uses the scores only through their covariances.

    References
    ----------
    Wold, H. (1982). Soft modeling: the basic design and some extensions. In Jöreskog & Wold
    (eds.), Systems under indirect observation II, 1-54.
    Lohmöller, J.-B. (1989). Latent variable path modeling with partial least squares. Physica.
    Ray, S., Danks, N. P., & Calero Valdez, A. (2022). seminr: Building and estimating
    structural equation models (R package 2.3).
    Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS path modeling.
    Computational Statistics & Data Analysis, 48, 159-205.
    """
    values, index, dropped = _complete(data, model, group)
    layout = _Layout.of(model)
    s = _moments(values, scaled)
    try:
        fit = _estimate(s[None], layout, model.scheme, max_iter, tol).at(0)
    except _Failure as failure:
        raise failure.error(group) from None
    items, constructs = layout.items, layout.constructs
    means, sds = values.mean(axis=0), values.std(axis=0, ddof=1)
    centred = (values - means) / (sds if scaled else 1.0)
    n = len(values)
    paths = pd.Series({(a, b): fit.paths[constructs.index(a), constructs.index(b)]
                       for a, b in model.paths}, dtype=float)
    r2 = pd.Series({c: fit.r2[constructs.index(c)] for c in model.endogenous}, dtype=float)
    r2_adj = pd.Series({c: 1 - (1 - r2[c]) * (n - 1) / (n - len(model.predecessors(c)) - 1)
                        for c in model.endogenous}, dtype=float)
    cov = np.cov(values, rowvar=False, ddof=1)
    return PLSResult(
        model=model, n=n, n_dropped=dropped, iterations=int(fit.iterations), scaled=scaled,
        weights=pd.Series(fit.weights[np.arange(len(items)), layout.owner], index=items),
        cross_loadings=pd.DataFrame(fit.cross, index=items, columns=constructs),
        construct_correlations=pd.DataFrame(fit.corr, index=constructs, columns=constructs),
        paths=paths, r2=r2, r2_adj=r2_adj,
        item_means=pd.Series(means, index=items), item_sds=pd.Series(sds, index=items),
        item_correlations=pd.DataFrame(cov / np.outer(sds, sds), index=items, columns=items),
        scores=pd.DataFrame(centred @ fit.weights, index=index, columns=constructs),
    )


# ---------------------------------------------------------------------------------- effects
def _reachable(model: PLSModel) -> np.ndarray:
    """reach[i, j]: a directed path leads from construct i to construct j."""
    step = _Layout.of(model).adjacency.astype(int)
    reach = step.copy()
    for _ in range(len(step)):
        reach = ((reach + reach @ step) > 0).astype(int)
    return reach > 0


def total_effects(result: PLSResult) -> pd.Series:
    """(from, to) -> total effect, for every pair of constructs joined by a directed path.

    Notes
    -----
    With B the matrix of path coefficients, :math:`T = (I - B)^{-1} - I`: the sum over every
    directed path from one construct to the other of the product of its coefficients.
    """
    names = list(result.model.constructs)
    total = _total(result._path_array()[None])[0]
    linked = _reachable(result.model)
    return pd.Series({(a, b): total[i, j] for i, a in enumerate(names)
                      for j, b in enumerate(names) if linked[i, j]}, dtype=float)


# ---------------------------------------------------------------------------------- quality
def composite_reliability(loadings) -> float:
    """Dillon-Goldstein's rho (composite reliability) from a block's loadings.

    .. math:: \\rho_c = \\frac{(\\sum \\lambda_i)^2}{(\\sum \\lambda_i)^2 + \\sum (1 - \\lambda_i^2)}

    As seminr's ``rhoC`` and SmartPLS (PLS loadings; plspm's ``DG.rho`` uses the loadings of the
    block's first principal component instead). Werts, Linn & Jöreskog (1974).
    """
    lam = np.asarray(loadings, dtype=float)
    return float(lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam ** 2).sum()))


def average_variance_extracted(loadings) -> float:
    """AVE = mean of the squared loadings (Fornell & Larcker 1981); ≥ .5 is the usual bar."""
    lam = np.asarray(loadings, dtype=float)
    return float(np.mean(lam ** 2))


def rho_a(weights, correlations) -> float:
    """Dijkstra and Henseler's (2015) reliability ρ_A of a block.

    .. math:: \\rho_A = (w^T w)^2 \\frac{w^T (S - \\mathrm{diag}\\, S) w}
              {w^T (w w^T - \\mathrm{diag}(w w^T)) w}

    with w the outer weights and S the items' correlation matrix (seminr's ``rhoA``). Dijkstra,
    T. K., & Henseler, J. (2015). Consistent partial least squares path modeling. MIS Quarterly,
    39(2), 297-316.
    """
    w = np.asarray(weights, dtype=float)
    s = np.asarray(correlations, dtype=float) - np.diag(np.diag(correlations))
    outer = np.outer(w, w)
    outer -= np.diag(np.diag(outer))
    return float((w @ w) ** 2 * (w @ s @ w) / (w @ outer @ w))


def block_eigenvalues(correlations) -> tuple[float, float | None]:
    """The first and second eigenvalues of a block's correlation matrix (plspm's ``eig.1st``,
    ``eig.2nd``): a block is unidimensional when only the first exceeds 1 (Kaiser's rule).
    A single item has no second eigenvalue (None)."""
    values = np.sort(np.linalg.eigvalsh(np.asarray(correlations, dtype=float)))[::-1]
    return float(values[0]), (float(values[1]) if len(values) > 1 else None)


def standardised_alpha(data: pd.DataFrame | Responses, items: list[str]) -> float:
    """Cronbach's alpha of the standardised items, k r̄ / (1 + (k − 1) r̄) with r̄ the mean
    inter-item correlation (seminr's ``alpha``, plspm's ``C.alpha``): the standardized alpha of
    :func:`analysis.reliability.cronbach_alpha` on the complete rows."""
    return cronbach_alpha(data, list(items), missing="listwise").std_alpha


def _construct_r2(s: np.ndarray, model: PLSModel, target: str, group: str) -> float:
    """R² of ``target`` in ``model`` estimated on the item correlations ``s`` (0 without paths)."""
    if not model.predecessors(target):
        return 0.0
    layout = _Layout.of(model)
    try:
        fit = _estimate(s[None], layout, model.scheme, MAX_ITERATIONS, TOLERANCE).at(0)
    except _Failure as failure:
        raise failure.error(group) from None
    return float(fit.r2[layout.constructs.index(target)])


def f_squared(result: PLSResult, group: str = "") -> pd.Series:
    """Cohen's f² of every path: (from, to) -> (R²_incl − R²_excl) / (1 − R²_incl).

    R²_excl is the R² of the endogenous construct when the model is estimated again without the
    path (seminr's ``fSquare`` and SmartPLS; a construct left without paths is dropped from that
    model). Cohen (1988): .02 small, .15 medium, .35 large.
    """
    s = result.item_correlations.to_numpy()
    items = result.model.items
    out = {}
    for a, b in result.model.paths:
        reduced = result.model.without_path((a, b))
        keep = [items.index(i) for i in reduced.items]
        excluded = _construct_r2(s[np.ix_(keep, keep)], reduced, b, group)
        out[(a, b)] = (result.r2[b] - excluded) / (1 - result.r2[b])
    return pd.Series(out, dtype=float)


def inner_vif(result: PLSResult) -> pd.Series:
    """Variance inflation of the predecessors of each endogenous construct: (from, to) ->
    1 / (1 − R²_from), R²_from from regressing the score of ``from`` on the other predecessors of
    ``to`` (the diagonal of the inverse of their correlation matrix; 1 for a single predecessor).
    Above 5 flags collinearity (Hair et al. 2019)."""
    corr = result.construct_correlations.to_numpy()
    out = {}
    for target in result.model.endogenous:
        before = result.model.predecessors(target)
        at = [result.positions[c] for c in before]
        inverse = np.linalg.inv(corr[np.ix_(at, at)])
        out.update({(a, target): inverse[i, i] for i, a in enumerate(before)})
    return pd.Series(out, dtype=float)


def goodness_of_fit(result: PLSResult) -> float:
    """Tenenhaus et al.'s (2004) GoF = √(mean communality × mean R²).

    The communalities are the squared loadings of the items of every block with more than one
    item; R² is averaged over the endogenous constructs (plspm's ``gof``). Henseler & Sarstedt
    (2013) show it does not measure fit; it is reported because theses are asked for it.
    """
    multi = [at for at in result.blocks.values() if len(at) > 1]
    if not multi:
        return float("nan")
    loadings = result.loadings.iloc[np.concatenate(multi)]
    return float(np.sqrt(np.mean(loadings ** 2) * result.r2.mean()))


def srmr_composite(result: PLSResult) -> float:
    """SRMR of the saturated composite model.

    The model-implied correlation of two items of one block is the observed one (a composite
    leaves its items' correlations free); of items i, j of different blocks k, l it is
    :math:`\\lambda_i \\lambda_j r_{kl}`, λ the loadings and r the correlation of the composites
    (Henseler et al. 2014; Schuberth, Henseler & Dijkstra 2018). SRMR is the root mean square of
    the differences over the p(p + 1)/2 correlations of the lower triangle with the diagonal;
    below .08 is the usual bar (SmartPLS's "saturated model").
    """
    r = result.item_correlations.to_numpy()
    owner = np.concatenate([np.full(len(at), j) for j, at in enumerate(result.blocks.values())])
    lam = result.loadings.to_numpy()
    phi = result.construct_correlations.to_numpy()[np.ix_(owner, owner)]
    implied = np.where(owner[:, None] == owner[None, :], r, np.outer(lam, lam) * phi)
    lower = np.tril_indices_from(r)
    return float(np.sqrt(np.mean((r - implied)[lower] ** 2)))


# ---------------------------------------------------------------------------------- indices
def _rescaled(weights: np.ndarray, sds: np.ndarray) -> np.ndarray:
    """Unstandardised weights w / s, summing to 1 (along the last axis)."""
    raw = weights / sds
    return raw / raw.sum(axis=-1, keepdims=True)


def _index(w: np.ndarray, means: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """The 0-100 index of :func:`construct_index` (along the last axis)."""
    low, high = scale
    return 100 * (w * (means - low)).sum(axis=-1) / (w.sum(axis=-1) * (high - low))


def index_weights(result: PLSResult, construct: str) -> pd.Series:
    """The unstandardised outer weights of a block, w_i / s_i rescaled to sum to 1
    (Fornell et al. 1996; s_i the item's n − 1 SD; the weights themselves when the items were
    only centred).

    Raises
    ------
    StudyError
        A negative outer weight: it has no meaning in an index (the message names the item).
    """
    return pd.Series(_block_index_weights(result, construct),
                     index=result.model.constructs[construct])


def _block_index_weights(result: PLSResult, construct: str) -> np.ndarray:
    """:func:`index_weights` as an array in the block's item order (read by position)."""
    items, at = result.model.constructs[construct], result.blocks[construct]
    weights = result.weights.to_numpy()[at]
    negative = np.flatnonzero(weights < 0)
    if len(negative):
        item = items[negative[0]]
        raise StudyError(msg("pls_negative_weight", construct=construct, item=item,
                             weight=f"{weights[negative[0]]:.3f}"), key="pls", column=item,
                         expected=msg("pls_negative_weight_expected"))
    sds = result.item_sds.to_numpy()[at] if result.scaled else np.ones(len(items))
    return _rescaled(weights, sds)


def construct_index(result: PLSResult, construct: str, scale: tuple[float, float]) -> float:
    """A construct's 0-100 index (ACSI; Fornell et al. 1996).

    .. math:: I = 100 \\frac{\\sum_i \\tilde w_i (\\bar x_i - \\min)}{\\sum_i \\tilde w_i (\\max - \\min)}

    with :math:`\\tilde w` the :func:`index_weights`, :math:`\\bar x_i` the item means of the rows
    used and (min, max) the scale. It is the mean of the construct's score rescaled to 0-100.

    References
    ----------
    Fornell, C., Johnson, M. D., Anderson, E. W., Cha, J., & Bryant, B. E. (1996). The American
    Customer Satisfaction Index: nature, purpose, and findings. Journal of Marketing, 60(4), 7-18.
    """
    w = _block_index_weights(result, construct)
    return float(_index(w, result.item_means.to_numpy()[result.blocks[construct]], scale))


def ipma(result: PLSResult, scale: tuple[float, float], target: str | None = None
         ) -> pd.DataFrame:
    """Importance-performance map of the constructs that affect ``target``.

    Returns
    -------
    DataFrame indexed by construct with ``importance`` (the unstandardised total effect on the
    target) and ``performance`` (the construct's 0-100 index); a construct whose index is refused
    (negative weight) has NaN.

    Notes
    -----
    On the scores rescaled to 0-100 with the index weights (:func:`construct_index`), the
    unstandardised total effect of i on t is :math:`T_{it}\\, s_t / s_i`, T the standardised
    total effect and s the SDs of the rescaled scores,
    :math:`s_j = \\frac{100}{\\max - \\min} \\sqrt{\\tilde w_j^T \\Sigma_j \\tilde w_j}` with
    :math:`\\Sigma_j` the items' covariance matrix (the rescaled scores are affine in the
    standardised ones, so this is the total effect of the regressions on the rescaled scores).

    References
    ----------
    Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: the
    importance-performance map analysis. Industrial Management & Data Systems, 116(9), 1865-1886.
    """
    target = target or result.model.target
    total = total_effects(result)
    low, high = scale
    cov = result.item_correlations.to_numpy() * np.outer(result.item_sds, result.item_sds)

    def performance_and_sd(construct):
        try:
            w = _block_index_weights(result, construct)
        except StudyError:
            return np.nan, np.nan
        at = result.blocks[construct]
        # column-major: a product's summation order, hence its last bit, depends on the layout
        # (kept as the IPMA had it)
        block = np.asfortranarray(cov[np.ix_(at, at)])
        sd = 100 / (high - low) * np.sqrt(np.dot(np.dot(w, block), w))
        return construct_index(result, construct, scale), float(sd)

    _, target_sd = performance_and_sd(target)
    rows = {}
    for (a, b), effect in total.items():
        if b == target:
            performance, sd = performance_and_sd(a)
            rows[a] = {"importance": effect * target_sd / sd, "performance": performance}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["importance", "performance"])


# ---------------------------------------------------------------------------------- bootstrap
@dataclass
class PLSBootstrap:
    """Bootstrap replicates of a PLS estimation (one row per usable resample).

    ``paths`` and ``total`` have (from, to) columns, ``weights`` and ``loadings`` item columns,
    ``indices`` construct columns (NaN in a resample where the block has a negative weight).
    """

    resamples: int
    seed: int
    paths: pd.DataFrame
    total: pd.DataFrame
    weights: pd.DataFrame
    loadings: pd.DataFrame
    indices: pd.DataFrame

    @property
    def used(self) -> int:
        return len(self.paths)

    def summary(self, estimates: pd.Series, replicates: pd.DataFrame) -> pd.DataFrame:
        """se, t, p, ci_low, ci_high per estimate: SE = SD of the replicates, t = estimate/SE,
        p two-sided from Student's t with ``used - 1`` df, percentile interval (type 7).
        The replicates are read by position (pandas' label lookups cost ~0.1 ms each) and the
        p-values taken in one call, with each estimate's own df."""
        alpha = 1 - CONFIDENCE
        position = {key: j for j, key in enumerate(replicates.columns)}
        values = replicates.to_numpy(dtype=float)
        table = np.full((len(estimates), 5), np.nan)  # se, t, p, ci_low, ci_high
        df = np.zeros(len(estimates))
        for i, (key, value) in enumerate(zip(estimates.index, estimates.to_numpy())):
            reps = values[:, position[key]]
            reps = reps[np.isfinite(reps)]
            if len(reps) < 2:
                continue
            se = reps.std(ddof=1)
            table[i, :2] = se, value / se if se > 0 else np.nan
            table[i, 3:] = np.quantile(reps, [alpha / 2, 1 - alpha / 2])
            df[i] = len(reps) - 1
        kept = df > 0
        table[kept, 2] = 2 * special.stdtr(df[kept], -np.abs(table[kept, 1]))  # stats.t.sf(|t|)
        return pd.DataFrame(table, index=estimates.index,
                            columns=["se", "t", "p", "ci_low", "ci_high"])


def _estimable(s: np.ndarray, layout: _Layout, scheme: str) -> bool:
    """Whether the model can be estimated on the matrices ``s``."""
    try:
        _estimate(s, layout, scheme, MAX_ITERATIONS, TOLERANCE)
    except (_Failure, np.linalg.LinAlgError):
        return False
    return True


def bootstrap_pls(data: pd.DataFrame, model: PLSModel, n_boot: int, seed: int, *,
                  scale: tuple[float, float] | None = None, scaled: bool = True) -> PLSBootstrap:
    """Estimate the model on ``n_boot`` resamples of the complete rows.

    Parameters
    ----------
    data, model, scaled : as for :func:`estimate_pls` (the same complete rows are resampled).
    n_boot : resamples. seed : seed of numpy's default generator (same seed, same replicates).
    scale : the scale's (min, max), for the replicates of the 0-100 indices (None: no indices).

    Notes
    -----
    Each resample draws n rows with replacement; resamples in which an item is constant or the
    algorithm fails are dropped (:attr:`PLSBootstrap.used` counts the rest). All resamples are
    drawn at once (the draws of one resample after the other) and estimated together as a stack
    of correlation matrices, each stopping at its own convergence: the replicates equal those
    of estimating one resample after the other (``tests/test_pls.py``).
    """
    values = _complete_rows(data, model.items)[0]
    n = len(values)
    layout = _Layout.of(model)
    owner, items = layout.owner, np.arange(len(layout.owner))
    position = {c: j for j, c in enumerate(layout.constructs)}
    path_from, path_to = np.array([[position[a], position[b]] for a, b in model.paths]).T
    linked = np.argwhere(_reachable(model))
    # the draws of one resample after the other, n at a time (the former loop's)
    samples = values[np.random.default_rng(seed).integers(0, n, (n_boot, n))]
    means = samples.mean(axis=1, keepdims=True)
    centred = samples - means
    # the operations of samples.std(axis=1, ddof=1), on the centred rows the correlation
    # matrices need too (the same bits, tests/test_pls.py)
    sds = np.sqrt(np.square(centred).sum(axis=1) / (n - 1))
    kept = np.flatnonzero(np.all(sds > 0, axis=1))
    s = _products(centred if len(kept) == n_boot else centred[kept], scaled)
    try:
        fit = _estimate(s, layout, model.scheme, MAX_ITERATIONS, TOLERANCE)
    except (_Failure, np.linalg.LinAlgError):  # keep the resamples that can be estimated alone
        usable = [k for k in range(len(kept)) if _estimable(s[k:k + 1], layout, model.scheme)]
        kept, s = kept[usable], s[usable]
        fit = _estimate(s, layout, model.scheme, MAX_ITERATIONS, TOLERANCE)
    weights = fit.weights[:, items, owner]
    total = _total(fit.paths)
    rows = {"paths": fit.paths[:, path_from, path_to],
            "total": total[:, linked[:, 0], linked[:, 1]], "weights": weights,
            "loadings": fit.cross[:, items, owner], "indices": None}
    if scale is not None:
        means = means[kept, 0]
        rows["indices"] = np.column_stack([
            np.where((weights[:, block] < 0).any(axis=1), np.nan,
                     _index(_rescaled(weights[:, block], sds[kept][:, block] if scaled else 1.0),
                            means[:, block], scale))
            for block in layout.blocks])
    names = layout.constructs
    totals = [(names[i], names[j]) for i, j in linked]
    return PLSBootstrap(
        resamples=n_boot, seed=seed,
        paths=pd.DataFrame(rows["paths"], columns=pd.Index(model.paths, tupleize_cols=False)),
        total=pd.DataFrame(rows["total"], columns=pd.Index(totals, tupleize_cols=False)),
        weights=pd.DataFrame(rows["weights"], columns=layout.items),
        loadings=pd.DataFrame(rows["loadings"], columns=layout.items),
        indices=pd.DataFrame(rows["indices"], columns=names),
    )


# ---------------------------------------------------------------------------------- results.json
def _text(text: Text) -> dict:
    """A message as data: its key (surveys/locale/pls.yaml), its values (to render it in any
    language) and its English text."""
    return {"code": text.key, "values": dict(text.values), "text": str(text)}


def _refused(error: StudyError) -> dict:
    return {**_text(error.message), "expected": _text(error.expected)
            if isinstance(error.expected, Text) else None}


def _path_key(path: tuple[str, str]) -> str:
    return f"{path[0]}->{path[1]}"


def _interval(row: dict) -> list | None:
    return [row["ci_low"], row["ci_high"]] if np.isfinite(row["ci_low"]) else None


def _quality(result: PLSResult, data: pd.DataFrame, group: str) -> dict:
    """The ``quality`` entry: reliability per construct, HTMT, cross-loadings, f², VIF, GoF,
    SRMR."""
    model = result.model
    # the complete rows, shared by the blocks' alphas (one preparation of the columns)
    rows = Responses(pd.DataFrame(_complete_rows(data, model.items)[0], columns=model.items))
    correlations = result.item_correlations.to_numpy()
    loadings, weights = result.loadings.to_numpy(), result.weights.to_numpy()
    constructs = {}
    for c, items in model.constructs.items():
        at = result.blocks[c]
        r = correlations[np.ix_(at, at)]
        first, second = block_eigenvalues(r)
        reflective = model.modes[c] == "A"
        single = len(items) == 1
        constructs[c] = {
            "mode": model.modes[c], "items": len(items),
            "alpha": (1.0 if single else standardised_alpha(rows, items)) if reflective else None,
            "rho_c": composite_reliability(loadings[at]) if reflective else None,
            "rho_a": (1.0 if single else rho_a(weights[at], r)) if reflective else None,
            "ave": average_variance_extracted(loadings[at]) if reflective else None,
            "eigenvalues": [first, second],
        }
    names = list(model.constructs)
    ratios = htmt(result.item_correlations, model.constructs).to_numpy()
    return {
        "constructs": constructs,
        "htmt": {a: dict(zip(names[i + 1:], ratios[i, i + 1:])) for i, a in enumerate(names[:-1])},
        "construct_correlations": {a: dict(zip(names, row)) for a, row
                                   in zip(names, result.construct_correlations.to_numpy())},
        "cross_loadings": {item: dict(zip(names, row)) for item, row
                           in zip(model.items, result.cross_loadings.to_numpy())},
        "f2": {_path_key(p): v for p, v in f_squared(result, group).items()},
        "vif": {_path_key(p): v for p, v in inner_vif(result).items()},
        "gof": goodness_of_fit(result),
        "srmr": srmr_composite(result),
    }


def _indices(result: PLSResult, scale: tuple[float, float]) -> tuple[dict, list[dict]]:
    """{construct: 0-100 index or None} and the warnings of refused indices."""
    values, warnings = {}, []
    for c in result.model.constructs:
        try:
            values[c] = construct_index(result, c, scale)
        except StudyError as error:
            values[c] = None
            warnings.append(_text(error.message))
    return values, warnings


def _estimate_entry(frame: pd.DataFrame, model: PLSModel, scale: tuple[float, float],
                    group: str, cards_only: bool = False) -> dict:
    """The full entry of one group: estimate, bootstrap, quality, indices, IPMA; with
    ``cards_only``, only ``n``, ``n_dropped``, ``indices``, ``indices_ci`` and ``warnings``."""
    result = estimate_pls(frame, model, group=group)
    indices, warnings = _indices(result, scale)
    if result.n_dropped:
        warnings.insert(0, _text(msg("pls_rows_dropped", n=result.n_dropped, used=result.n)))
    ten_times = TEN_TIMES * max(
        [len(model.predecessors(c)) for c in model.endogenous]
        + [len(items) for c, items in model.constructs.items() if model.modes[c] == "B"])
    if result.n < ten_times:
        warnings.append(_text(msg("pls_below_ten_times", n=result.n, needed=ten_times)))
    boot = (bootstrap_pls(frame, model, model.bootstrap, model.seed, scale=scale)
            if model.bootstrap else None)
    if boot is not None and boot.used < boot.resamples:
        warnings.append(_text(msg("pls_bootstrap_dropped", dropped=boot.resamples - boot.used,
                                  resamples=boot.resamples)))
    def summary(estimates: pd.Series, replicates_of) -> list[dict]:
        """One row per estimate, in its order: se, t, p, ci_low, ci_high (NaN without a
        bootstrap)."""
        if boot is None:
            return [dict.fromkeys(["se", "t", "p", "ci_low", "ci_high"], np.nan)
                    for _ in range(len(estimates))]
        return records(boot.summary(estimates, replicates_of(boot)))

    index_values = pd.Series({c: v for c, v in indices.items() if v is not None}, dtype=float)
    index_ci = dict(zip(index_values.index, summary(index_values, lambda b: b.indices)))
    index_ci = {c: _interval(index_ci[c]) if c in index_ci else None for c in model.constructs}
    if cards_only:
        return {"n": result.n, "n_dropped": result.n_dropped, "indices": indices,
                "indices_ci": index_ci, "warnings": warnings}
    paths = summary(result.paths, lambda b: b.paths)
    weights = summary(result.weights, lambda b: b.weights)
    loadings = summary(result.loadings, lambda b: b.loadings)
    performance = ipma(result, scale, model.target)
    owner = result.construct_of.tolist()
    return {
        "n": result.n, "n_dropped": result.n_dropped, "iterations": result.iterations,
        "paths": {_path_key(p): {"coef": coef, "se": row["se"], "t": row["t"], "p": row["p"],
                                 "ci": _interval(row)}
                  for p, coef, row in zip(result.paths.index, result.paths.tolist(), paths)},
        "r2": result.r2.to_dict(), "r2_adj": result.r2_adj.to_dict(),
        "total_effects": {_path_key(p): v for p, v in total_effects(result).items()},
        "outer": {item: {"construct": owner[i], "weight": weight, "loading": loading,
                         "se": weights[i]["se"], "ci": _interval(weights[i]),
                         "loading_se": loadings[i]["se"], "loading_ci": _interval(loadings[i])}
                  for i, (item, weight, loading) in enumerate(zip(
                      model.items, result.weights.tolist(), result.loadings.tolist()))},
        "quality": _quality(result, frame, group),
        "indices": indices,
        "indices_ci": index_ci,
        "ipma": {"target": model.target,
                 "constructs": dict(zip(performance.index, records(performance)))},
        "bootstrap": {"resamples": model.bootstrap, "used": boot.used if boot else 0,
                      "seed": model.seed, "df": boot.used - 1 if boot else None},
        "warnings": warnings,
    }


def _wave_entry(frame: pd.DataFrame, model: PLSModel, scale: tuple[float, float],
                group: str) -> dict:
    """An earlier wave's model: n and the indices of its own estimate (no bootstrap)."""
    try:
        result = estimate_pls(frame, model, group=group)
    except StudyError as error:
        return {"n": None, "indices": None, "error": _refused(error)}
    indices, _ = _indices(result, scale)
    return {"n": result.n, "indices": indices, "error": None}


def pls_section(frames: dict[str, pd.DataFrame], model: PLSModel, scale: tuple[float, float],
                earlier: dict[str, dict[str, pd.DataFrame]] | None = None,
                wave: str | None = None, cards_only: bool = False) -> dict:
    """The ``pls`` section of results.json: ``{GROUP: {...}}`` (keys in docs/json/pls.md).

    Parameters
    ----------
    frames : group -> answers of the current wave (float, reverse-coded, NaN = missing). Groups
        without every item of the model (employees, say, who were not asked about satisfaction)
        are left out.
    model : the study's structural model. scale : the Likert scale's (min, max).
    earlier : earlier waves, oldest first: wave -> group -> answers; each group's model is
        estimated again on each wave for the ``waves`` trend of its indices.
    wave : the name of the current wave.
    cards_only : each group's entry with only what the dashboard's index cards show (``model``,
        ``error``, ``n``, ``n_dropped``, ``indices``, ``indices_ci``, ``waves``, ``warnings``),
        without the quality criteria, IPMA and the bootstrap's other intervals; the same values
        as the full section's.

    Notes
    -----
    A group whose data cannot carry the model (too few complete rows, a constant item, collinear
    formative items, no convergence) gets ``error`` (a message code and its values) instead of
    estimates, so that the rest of results.json is still written.
    """
    section = {}
    spec = {"constructs": model.constructs, "modes": model.modes,
            "paths": [list(p) for p in model.paths], "scheme": model.scheme,
            "target": model.target, "satisfaction": model.satisfaction,
            "loyalty": model.loyalty}
    for group, frame in frames.items():
        if not set(model.items) <= set(frame.columns):
            continue
        entry = {"model": spec, "error": None}
        try:
            entry.update(_estimate_entry(frame, model, scale, group, cards_only))
        except StudyError as error:
            entry.update(n=int(frame[model.items].notna().all(axis=1).sum()), error=_refused(error),
                         warnings=[])
        entry["warnings"] = [_text(note) for note in model.notes] + entry["warnings"]
        waves = {w: _wave_entry(f[group], model, scale, group)
                 for w, f in (earlier or {}).items()
                 if group in f and set(model.items) <= set(f[group].columns)}
        if waves:
            current = {"n": entry.get("n"), "indices": entry.get("indices"),
                       "error": entry["error"]}
            entry["waves"] = {**waves, (wave or "current"): current}
        section[group] = entry
    return json_ready(section)
