"""Reliability of a scale: Cronbach's alpha, item statistics, Guttman's lambda-6, split-half.

Every statistic of one scale (the items of one dimension in one respondent group) is built from ONE
covariance matrix and its matrix of pairwise counts (:func:`scale_moments`, a block of the group's
sufficient statistics, :mod:`analysis.moments`), so a scale of a million respondents costs a few
matrix products and nothing else. The definitions follow the R package psych 2.2.9 (``alpha``,
``splitHalf``), and the tests compare every number with values psych wrote
(``tests/reference/reliability.R``).

Items are expected reverse-coded already (the pipeline does it). Callers with raw answers pass
``reverse=[...]`` and ``scale=(min, max)``: a reversed answer is ``min + max - x``, applied before any
statistic, so it reaches item means, the covariances and everything built on them.

Missing answers (NaN) are handled pairwise by default, as ``psych::alpha(use="pairwise")`` does:
every covariance uses the respondents who answered both items, every variance and mean the
respondents who answered that item. ``missing="listwise"`` keeps only respondents who answered every
item of the scale.
"""
from __future__ import annotations

import importlib
import itertools
import warnings
from dataclasses import dataclass
from math import ceil, comb

import numpy as np
import pandas as pd
from scipy import special

from analysis.moments import Responses, as_responses
from surveys.errors import StudyError
from surveys.i18n import msg

__all__ = [
    "ScaleMoments",
    "AlphaResult",
    "SplitHalfResult",
    "scale_moments",
    "cronbach_alpha",
    "item_total_statistics",
    "guttman_lambda6",
    "split_half",
    "reliability_warnings",
    "reliability_section",
    "dimension_items",
    "require_items",
]

ALPHA_THRESHOLD = 0.70  # Nunnally (1978)
ALPHA_RISE_THRESHOLD = 0.02  # deleting the item raises alpha by more than this
MAX_SPLIT_ITEMS = 16  # splitHalf enumerates every split up to this many items
MISSING_RULES = ("pairwise", "listwise")
BOOT_CELLS = 1 << 22  # resampling weights (replicates x rows) drawn at a time by the bootstrap


# --------------------------------------------------------------------------------------------------
# Moments of one scale
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScaleMoments:
    """Everything the reliability statistics of one scale need.

    Attributes
    ----------
    items : item names, in the order of the matrices.
    mean, cov, n_pairwise : means, ``cov(x, use="pairwise")`` (each pair over the rows where both
        are answered, centred at the pair's means, divisor n_ij - 1) and the pairwise counts (after
        reverse coding and, for ``missing="listwise"``, after dropping incomplete rows).
    n : respondents of the scale. Pairwise: rows with at least one answered item of the scale
        (psych's ``nrow(x)`` once respondents who skipped the whole scale are left out; it is the n
        of the Feldt and asymptotic CIs). Listwise: rows that answered every item.
    n_complete : rows that answered every item.
    missing : "pairwise" or "listwise".
    source : the respondents (for the bootstrap, which resamples them).
    """

    items: tuple[str, ...]
    mean: np.ndarray
    cov: np.ndarray
    n_pairwise: np.ndarray
    n: int
    n_complete: int
    missing: str
    source: Responses

    @property
    def k(self) -> int:
        return len(self.items)

    @property
    def sd(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    @property
    def usable(self) -> np.ndarray:
        """Items with a positive variance (psych::alpha drops the others, so do we)."""
        variance = np.diag(self.cov)
        return np.isfinite(variance) & (variance > 0)

    @property
    def values(self) -> np.ndarray:
        """The (n, k) answers of every row (NaN = missing), after reverse coding."""
        return self.source.frame.loc[:, list(self.items)].to_numpy(np.float64, na_value=np.nan)


def _answers(data: pd.DataFrame | Responses, items, reverse, scale) -> tuple[tuple[str, ...],
                                                                             Responses]:
    """The items checked, and the respondents with the reverse items reverse-coded."""
    columns = data.columns  # (a Responses' frame is not made for them)
    items = tuple(columns if items is None else items)
    absent = [item for item in items if item not in columns]
    if absent:
        raise ValueError(f"items not in the data: {absent}")
    repeated = sorted({item for item in columns[columns.duplicated()] if item in items})
    if repeated:
        raise ValueError(f"items named by more than one column: {repeated}")
    reverse = list(reverse or [])
    if not reverse:
        return items, as_responses(data)
    if scale is None:
        raise ValueError("reverse coding needs the scale's (min, max)")
    unknown = [item for item in reverse if item not in items]
    if unknown:
        raise ValueError(f"reverse items not among the items: {unknown}")
    low, high = scale
    frame = data.frame if isinstance(data, Responses) else data
    answers = frame.loc[:, list(items)].astype(np.float64)  # never write into the caller's frame
    answers[reverse] = low + high - answers[reverse]
    return items, Responses(answers)


def scale_moments(
    data: pd.DataFrame | Responses,
    items: list[str] | None = None,
    *,
    missing: str = "pairwise",
    reverse: list[str] | None = None,
    scale: tuple[float, float] | None = None,
) -> ScaleMoments:
    """Means, covariance matrix and pairwise counts of one scale.

    Parameters
    ----------
    data : one column per item (float, NaN = missing), or the group's :class:`Responses`; other
        columns are ignored.
    items : the scale's items (default: every column).
    missing : "pairwise" (default, as psych::alpha) or "listwise".
    reverse : items to reverse-code as ``min + max - x`` before anything is computed.
    scale : (min, max) of the answer scale, needed with ``reverse``.

    Returns
    -------
    ScaleMoments
    """
    if missing not in MISSING_RULES:
        raise ValueError(f"missing must be one of {MISSING_RULES}, not {missing!r}")
    items, source = _answers(data, items, reverse, scale)
    listwise = missing == "listwise"
    moments = source.moments(items, complete=listwise)
    n_complete = source.count_rows(all_of=items)
    n = n_complete if listwise else source.count_rows(any_of=items)
    return ScaleMoments(items, moments.mean, moments.cov, moments.n, n, n_complete, missing, source)


def _as_moments(data, items, missing, reverse, scale) -> ScaleMoments:
    if isinstance(data, ScaleMoments):
        return data
    return scale_moments(data, items, missing=missing, reverse=reverse, scale=scale)


# --------------------------------------------------------------------------------------------------
# Formulas on a covariance matrix
# --------------------------------------------------------------------------------------------------
def _cov_to_cor(cov: np.ndarray) -> np.ndarray:
    """R's ``cov2cor``: with pairwise covariances this divides by the full-column sds."""
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)


def _alpha(cov: np.ndarray) -> float:
    """Raw alpha k/(k-1) (1 - tr C / ΣC) (psych ``alpha.1``)."""
    k = cov.shape[0]
    if k < 2:
        return float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        return float((1 - np.trace(cov) / cov.sum()) * k / (k - 1))


def _smc(cor: np.ndarray) -> np.ndarray:
    """Squared multiple correlations 1 - 1/diag(R⁻¹) as psych::smc (pseudo-inverse, clipped to [0, 1])."""
    inverse = np.linalg.pinv(cor, rcond=np.sqrt(np.finfo(float).eps), hermitian=True)
    return np.clip(1 - 1 / np.diag(inverse), 0, 1)


def _asymptotic_variance(cov: np.ndarray) -> float:
    """Q of Duhachek & Iacobucci (2004), as psych: var(alpha) ≈ Q / n."""
    k = cov.shape[0]
    total = cov.sum()
    trace = np.trace(cov)
    squared = cov @ cov
    return float(
        2 * k**2 / ((k - 1) ** 2 * total**3)
        * (total * (np.trace(squared) + trace**2) - 2 * trace * squared.sum())
    )


def _feldt_ci(alpha: float, n: int, k: int, confidence: float) -> tuple[float, float]:
    """Feldt, Woodruff & Salih (1987) CI as psych::alpha.ci (``fdtri`` is the F quantile function)."""
    tail = (1 - confidence) / 2
    df1, df2 = n - 1, (n - 1) * (k - 1)
    if not np.isfinite(alpha) or df1 < 1 or df2 < 1:
        return float("nan"), float("nan")
    low = 1 - (1 - alpha) * special.fdtri(df1, df2, 1 - tail)
    high = 1 - (1 - alpha) * special.fdtri(df1, df2, tail)
    return float(low), float(high)


# --------------------------------------------------------------------------------------------------
# Public statistics
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AlphaResult:
    """Cronbach's alpha of one scale.

    Attributes
    ----------
    alpha : raw alpha. std_alpha : standardized alpha. ase : asymptotic standard error.
    ci : (low, high) confidence interval by ``ci_method`` ("feldt", "asymptotic" or "bootstrap").
    confidence : level of ``ci``. n : respondents used (see :class:`ScaleMoments`).
    k : items used (items with zero variance or no answers are left out, as psych does).
    missing : "pairwise" or "listwise".
    """

    alpha: float
    std_alpha: float
    ase: float
    ci: tuple[float, float]
    ci_method: str
    confidence: float
    n: int
    k: int
    missing: str


def cronbach_alpha(
    data: pd.DataFrame | ScaleMoments,
    items: list[str] | None = None,
    *,
    missing: str = "pairwise",
    reverse: list[str] | None = None,
    scale: tuple[float, float] | None = None,
    ci: str = "feldt",
    confidence: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
) -> AlphaResult:
    """Cronbach's alpha, standardized alpha and a confidence interval.

    Parameters
    ----------
    data : answers (one column per item) or precomputed :class:`ScaleMoments`.
    items, missing, reverse, scale : see :func:`scale_moments`.
    ci : "feldt" (default), "asymptotic" (Duhachek-Iacobucci, psych's ``ase``) or "bootstrap"
        (percentile CI over ``n_boot`` resamples of respondents, ``seed`` for the generator; needs
        the answers, which :class:`ScaleMoments` keeps).
    confidence : level of the interval.

    Returns
    -------
    AlphaResult

    Notes
    -----
    With C the item covariance matrix and R = cov2cor(C), k items:

    - raw alpha = k/(k-1) · (1 - tr C / ΣC)
    - standardized alpha = k/(k-1) · (1 - k / ΣR)
    - Feldt CI: 1 - (1 - α) F_{1-p/2}(n-1, (n-1)(k-1)) to 1 - (1 - α) F_{p/2}(n-1, (n-1)(k-1))
    - ase = √(Q/n), Q = 2k²/((k-1)²(ΣC)³) · [ΣC (tr C² + (tr C)²) - 2 tr C · Σ(C²)],
      asymptotic CI α ± z_{1-p/2} · ase (psych prints α ± 1.96 ase).

    Missing answers: pairwise covariances by default. As in psych 2.2.9, R is cov2cor of the pairwise
    covariance matrix (divided by each item's full-column sd, not by pair-specific sds), so the
    standardized alpha comes from the pairwise matrix too. Items with zero variance or no answers
    are left out (psych deletes them with a warning); k counts the items used.

    References
    ----------
    Cronbach (1951), Psychometrika 16, 297-334. Feldt, Woodruff & Salih (1987), Applied
    Psychological Measurement 11, 93-103. Duhachek & Iacobucci (2004), J. of Applied Psychology 89,
    792-808. Revelle, psych 2.2.9, ``alpha``.
    """
    if ci not in ("feldt", "asymptotic", "bootstrap"):
        raise ValueError(f"ci must be 'feldt', 'asymptotic' or 'bootstrap', not {ci!r}")
    moments = _as_moments(data, items, missing, reverse, scale)
    usable = moments.usable
    cov = moments.cov[np.ix_(usable, usable)]
    k = int(usable.sum())
    n = moments.n
    alpha = _alpha(cov)
    std_alpha = _alpha(_cov_to_cor(cov)) if k >= 2 else float("nan")
    ase = float(np.sqrt(_asymptotic_variance(cov) / n)) if k >= 2 and n > 0 else float("nan")
    if ci == "feldt":
        interval = _feldt_ci(alpha, n, k, confidence)
    elif ci == "asymptotic":
        z = special.ndtri(1 - (1 - confidence) / 2)  # scipy.stats.norm.ppf
        interval = (alpha - z * ase, alpha + z * ase)
    else:
        interval = _bootstrap_ci(
            moments.values[:, usable], moments.missing == "listwise", confidence, n_boot, seed
        )
    return AlphaResult(
        alpha, std_alpha, ase, (float(interval[0]), float(interval[1])), ci, confidence, n, k,
        moments.missing,
    )


def _bootstrap_ci(values: np.ndarray, listwise: bool, confidence: float, n_boot: int, seed: int):
    """Percentile bootstrap CI of raw alpha: respondents resampled with replacement.

    All resamples at once: replicate b weighs row r by how often it was drawn (w_br), and its
    pairwise sums are the products W·(x_i x_j), W·(x_i m_j), W·(m_i m_j) of the weight matrix
    with the rows' products (m = answered, x = 0 where missing); with ``listwise`` incomplete
    rows weigh nothing. The draws are those of one ``rng.integers`` call per replicate.
    """
    n_rows, k = values.shape
    if k < 2 or n_rows < 2:
        return float("nan"), float("nan")
    observed = ~np.isnan(values)
    if listwise:
        observed &= observed.all(axis=1, keepdims=True)
    x = np.where(observed, values - np.nanmean(values, axis=0), 0.0)
    m = observed.astype(np.float64)
    pairs = np.concatenate([(x[:, :, None] * x[:, None, :]).reshape(n_rows, -1),
                            (x[:, :, None] * m[:, None, :]).reshape(n_rows, -1),
                            (m[:, :, None] * m[:, None, :]).reshape(n_rows, -1)], axis=1)
    rng = np.random.default_rng(seed)
    alphas = np.empty(n_boot)
    chunk = max(1, min(n_boot, BOOT_CELLS // n_rows))
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        draws = rng.integers(0, n_rows, (size, n_rows))
        weights = np.bincount((draws + n_rows * np.arange(size)[:, None]).ravel(),
                              minlength=size * n_rows).reshape(size, n_rows).astype(np.float64)
        cross, sums, n = (part.reshape(size, k, k) for part in np.split(weights @ pairs, 3, axis=1))
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = (cross - sums * sums.transpose(0, 2, 1) / n) / (n - 1)
            trace = np.trace(cov, axis1=1, axis2=2)
            alphas[start:start + size] = (1 - trace / cov.sum(axis=(1, 2))) * k / (k - 1)
    tail = (1 - confidence) / 2
    return tuple(np.nanquantile(alphas, [tail, 1 - tail]))


def item_total_statistics(
    data: pd.DataFrame | ScaleMoments,
    items: list[str] | None = None,
    *,
    missing: str = "pairwise",
    reverse: list[str] | None = None,
    scale: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Per item: n, mean, sd, corrected item-total correlation, alpha if item deleted.

    Parameters
    ----------
    data, items, missing, reverse, scale : see :func:`cronbach_alpha`.

    Returns
    -------
    DataFrame indexed by item with columns ``n`` (answers to the item), ``mean``, ``sd``, ``citc``
    and ``alpha_if_deleted``.

    Notes
    -----
    From the covariance matrix C: with cᵢ = Σⱼ Cᵢⱼ,
    ``citc_i = (cᵢ - Cᵢᵢ) / √(Cᵢᵢ (ΣC - 2cᵢ + Cᵢᵢ))`` (psych ``r.drop``: the item against the sum
    of the other items) and ``alpha_if_deleted_i`` = raw alpha of C without row and column i (psych
    ``alpha.drop$raw_alpha``). Mean and sd use every answer to the item (pairwise) or the complete
    rows (listwise), after reverse coding. Items without variance get NaN and do not enter the other
    items' statistics. With two usable items the alpha of the one item left is undefined: NaN
    (psych prints C₁₂/C₂₂ there). References: psych 2.2.9 ``alpha``.
    """
    moments = _as_moments(data, items, missing, reverse, scale)
    return pd.DataFrame(_item_columns(moments), index=pd.Index(moments.items, name="item"))


def _item_columns(moments: ScaleMoments) -> dict[str, np.ndarray]:
    """The columns of :func:`item_total_statistics`, in item order."""
    usable = moments.usable
    cov = moments.cov[np.ix_(usable, usable)]
    k = cov.shape[0]
    column_sums = cov.sum(axis=0)
    total = cov.sum()
    variance = np.diag(cov)
    rest_total = total - 2 * column_sums + variance
    with np.errstate(invalid="ignore", divide="ignore"):
        citc = (column_sums - variance) / np.sqrt(variance * rest_total)
        rest_trace = np.trace(cov) - variance
        if k >= 3:
            alpha_deleted = (1 - rest_trace / rest_total) * (k - 1) / (k - 2)
        else:
            alpha_deleted = np.full(k, np.nan)
    if k < 2:
        citc = np.full(k, np.nan)
    citc_all = np.full(len(moments.items), np.nan)
    deleted_all = np.full(len(moments.items), np.nan)
    citc_all[usable], deleted_all[usable] = citc, alpha_deleted
    return {
        "n": np.diag(moments.n_pairwise).astype(np.int64),
        "mean": moments.mean,
        "sd": moments.sd,
        "citc": citc_all,
        "alpha_if_deleted": deleted_all,
    }


def guttman_lambda6(
    data: pd.DataFrame | ScaleMoments,
    items: list[str] | None = None,
    *,
    missing: str = "pairwise",
    reverse: list[str] | None = None,
    scale: tuple[float, float] | None = None,
) -> float:
    """Guttman's lambda-6 on the item correlations (psych ``G6(smc)``).

    Parameters
    ----------
    data, items, missing, reverse, scale : see :func:`cronbach_alpha`.

    Returns
    -------
    float

    Notes
    -----
    ``λ6 = 1 - (k - Σ smcᵢ) / ΣR`` with R = cov2cor(C) and smcᵢ = 1 - 1/(R⁻¹)ᵢᵢ the squared
    multiple correlation of item i on the others (pseudo-inverse with tolerance √ε and clipping to
    [0, 1] as psych::smc). With missing answers R comes from the pairwise covariance matrix, as in
    psych 2.2.9. Guttman (1945), Psychometrika 10, 255-282.
    """
    moments = _as_moments(data, items, missing, reverse, scale)
    usable = moments.usable
    if usable.sum() < 2:
        return float("nan")
    cor = _cov_to_cor(moments.cov[np.ix_(usable, usable)])
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(1 - (cor.shape[0] - _smc(cor).sum()) / cor.sum())


@dataclass(frozen=True)
class SplitHalfResult:
    """Split-half reliabilities of one scale (on standardized items, as psych::splitHalf).

    Attributes
    ----------
    spearman_brown : 2r/(1+r), r the correlation of the first-half and second-half sums.
    first_second : 4 r_AB / V_total of the same first/second split (psych's split coefficient).
    max, min, mean : the best, worst and mean split coefficient over the splits psych enumerates.
    n_splits : how many splits were evaluated.
    """

    spearman_brown: float
    first_second: float
    max: float
    min: float
    mean: float
    n_splits: int


def split_half(
    data: pd.DataFrame | ScaleMoments,
    items: list[str] | None = None,
    *,
    missing: str = "pairwise",
    reverse: list[str] | None = None,
    scale: tuple[float, float] | None = None,
) -> SplitHalfResult:
    """Split-half reliability: first/second-half split and the best and worst split.

    Parameters
    ----------
    data, items, missing, reverse, scale : see :func:`cronbach_alpha`.

    Returns
    -------
    SplitHalfResult

    Notes
    -----
    On R = cov2cor(C) (pairwise with missing answers), half A = the first ⌊k/2⌋ items in the given
    order, half B = the rest. psych::splitHalf's split coefficient is ``4 R_AB / ΣR`` (R_AB the
    covariance of the two half sums of standardized items; Flanagan-Rulon, equal to Spearman-Brown
    when the halves have equal variance). ``spearman_brown`` is 2r/(1+r) with
    r = R_AB / √(R_AA R_BB) on the same split.

    Best / worst / mean: for k ≤ 16 psych enumerates splits in lexicographic order of the first half
    (⌊k/2⌋ items) and stops after ⌈C(k, ⌊k/2⌋)/2⌉ of them. For even k these are all distinct
    splits; for odd k they are about half of the C(k, ⌊k/2⌋) splits. We evaluate exactly those.
    ``mean`` divides by the number of splits evaluated (psych divides by C(k, ⌊k/2⌋)/2, which is
    not an integer for k = 3, 7, 15; its mean differs there). For k > 16, NaN (psych samples).
    No automatic reverse keying (psych's ``check.keys=TRUE``): reverse items are declared.

    References
    ----------
    Revelle, psych 2.2.9 ``splitHalf``; Guttman (1945); Spearman (1910), Brown (1910).
    """
    moments = _as_moments(data, items, missing, reverse, scale)
    usable = moments.usable
    k = int(usable.sum())
    nan = float("nan")
    if k < 2:
        return SplitHalfResult(nan, nan, nan, nan, nan, 0)
    cor = _cov_to_cor(moments.cov[np.ix_(usable, usable)])
    half = k // 2
    first = np.zeros(k)
    first[:half] = 1
    second = 1 - first
    r_aa, r_bb, r_ab = first @ cor @ first, second @ cor @ second, first @ cor @ second
    with np.errstate(invalid="ignore", divide="ignore"):  # degenerate scales give nan/inf (None)
        r = r_ab / np.sqrt(r_aa * r_bb)
        spearman_brown = float(2 * r / (1 + r))
        if k > MAX_SPLIT_ITEMS:
            return SplitHalfResult(spearman_brown, float(4 * r_ab / cor.sum()), nan, nan, nan, 0)
        n_splits = ceil(comb(k, half) / 2)
        halves = np.array(list(itertools.islice(itertools.combinations(range(k), half), n_splits)))
        in_first = np.zeros((n_splits, k))
        np.put_along_axis(in_first, halves, 1.0, axis=1)
        coefficients = 4 * ((in_first @ cor) * (1 - in_first)).sum(axis=1) / cor.sum()
    return SplitHalfResult(
        spearman_brown,
        float(coefficients[0]),
        float(coefficients.max()),
        float(coefficients.min()),
        float(coefficients.mean()),
        n_splits,
    )


# --------------------------------------------------------------------------------------------------
# Warnings and the results.json section
# --------------------------------------------------------------------------------------------------
def _warning(code: str, *, dimension=None, item=None, value=None, threshold=None) -> dict:
    """One warning as data: a code, where (dimension and/or item), the value and its threshold."""
    return {
        "code": code,
        "dimension": dimension,
        "item": item,
        "value": _number(value),
        "threshold": _number(threshold),
    }


def _number(value) -> float | None:
    """A JSON-ready float: None for missing or non-finite values."""
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def reliability_warnings(
    moments: ScaleMoments, alpha: AlphaResult, table: pd.DataFrame | dict, dimension: str
) -> list[dict]:
    """Warnings a researcher needs about one scale, as data.

    ``table`` is :func:`item_total_statistics` (or its columns, in item order). Codes:
    ``too_few_items`` (fewer than 2 usable items), ``too_few_respondents`` (n < 2),
    ``fewer_respondents_than_items``, ``no_answers`` / ``zero_variance`` (item left out),
    ``alpha_below`` (alpha < .70), ``alpha_if_deleted_rises`` (deleting the item raises alpha by
    more than .02; threshold = alpha + .02), ``negative_item_total`` (citc < 0: probably a reverse
    item not declared).
    """
    found = []
    rows = _item_rows(moments.items, table)
    for item, row in rows.items():
        if row["n"] == 0:
            found.append(_warning("no_answers", dimension=dimension, item=item, value=0))
        elif not row["sd"] > 0:
            found.append(_warning("zero_variance", dimension=dimension, item=item, value=row["sd"]))
    if alpha.k < 2:
        found.append(_warning("too_few_items", dimension=dimension, value=alpha.k, threshold=2))
    if moments.n < 2:
        found.append(_warning("too_few_respondents", dimension=dimension, value=moments.n, threshold=2))
    elif moments.n < moments.k:
        found.append(
            _warning("fewer_respondents_than_items", dimension=dimension, value=moments.n, threshold=moments.k)
        )
    if alpha.alpha < ALPHA_THRESHOLD:
        found.append(_warning("alpha_below", dimension=dimension, value=alpha.alpha, threshold=ALPHA_THRESHOLD))
    rise_bar = alpha.alpha + ALPHA_RISE_THRESHOLD
    for item, row in rows.items():
        if row["alpha_if_deleted"] > rise_bar:
            found.append(
                _warning("alpha_if_deleted_rises", dimension=dimension, item=item,
                         value=row["alpha_if_deleted"], threshold=rise_bar)
            )
        if row["citc"] < 0:
            found.append(
                _warning("negative_item_total", dimension=dimension, item=item, value=row["citc"], threshold=0)
            )
    return found


def _item_rows(items: tuple[str, ...], table) -> dict[str, dict]:
    """{item: {column: value}} from the item table or its columns (plain Python values)."""
    columns = {name: np.asarray(table[name]).tolist() for name in table}
    return {item: {name: values[row] for name, values in columns.items()} for row, item in enumerate(items)}


def _omega_total(cov: np.ndarray) -> tuple[float | None, bool]:
    """omega total from the CFA module (one-factor ML) and whether it failed.

    (None, False) while analysis.cfa does not provide ``omega_total``; (None, True) when it gives
    NaN, warns or raises (too few items, matrix not positive definite, no convergence).
    """
    try:
        omega = importlib.import_module("analysis.cfa").omega_total
    except (ImportError, AttributeError):
        return None, False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = _number(omega(cov))
        except (ValueError, np.linalg.LinAlgError):
            value = None
    return value, value is None


def reliability_section(
    frames: dict[str, pd.DataFrame],
    dimensions: dict[str, list[str]],
    missing: str = "pairwise",
) -> dict:
    """The ``reliability`` section of results.json: every statistic per group and dimension.

    Parameters
    ----------
    frames : group name -> answers, one float column per item, already reverse-coded.
    dimensions : dimension name -> its items (columns of every frame).
    missing : "pairwise" (default) or "listwise".

    Returns
    -------
    dict ``{GROUP: {DIMENSION: {...}}}`` of plain floats/ints/str/lists/None; keys are documented in
    docs/json/reliability.md.
    """
    section = {}
    for group, frame in frames.items():
        require_items(frame, dimension_items(dimensions), group)
        section[group] = {
            dimension: _scale_entry(scale_moments(frame, items, missing=missing), dimension)
            for dimension, items in dimensions.items()
        }
    return section


def dimension_items(dimensions: dict[str, list[str]]) -> list[str]:
    """Every item of the dimensions, once, in order of first appearance."""
    return list(dict.fromkeys(item for members in dimensions.values() for item in members))


def require_items(frame: pd.DataFrame, items: list[str], group: str) -> None:
    """Raise a StudyError naming the first item the group's data has no column for."""
    absent = [item for item in items if item not in frame.columns]
    if absent:
        raise StudyError(
            msg("group_item_missing", group=group, item=absent[0]), column=absent[0],
            expected=msg("group_item_missing_expected"),
        )


def _scale_entry(moments: ScaleMoments, dimension: str) -> dict:
    alpha = cronbach_alpha(moments)
    table = _item_columns(moments)
    halves = split_half(moments)
    usable = moments.usable
    omega, omega_failed = _omega_total(moments.cov[np.ix_(usable, usable)])
    found = reliability_warnings(moments, alpha, table, dimension)
    if omega_failed:
        found.append(_warning("omega_total_undefined", dimension=dimension))
    return {
        "k": alpha.k,
        "n": moments.n,
        "n_complete": moments.n_complete,
        "missing": moments.missing,
        "alpha": _number(alpha.alpha),
        "alpha_ci": [_number(alpha.ci[0]), _number(alpha.ci[1])],
        "alpha_ci_method": alpha.ci_method,
        "std_alpha": _number(alpha.std_alpha),
        "omega_total": omega,
        "lambda6": _number(guttman_lambda6(moments)),
        "split_half": {
            "spearman_brown": _number(halves.spearman_brown),
            "first_second": _number(halves.first_second),
            "max": _number(halves.max),
            "min": _number(halves.min),
            "mean": _number(halves.mean),
        },
        "items": {
            item: {
                "n": int(row["n"]),
                "mean": _number(row["mean"]),
                "sd": _number(row["sd"]),
                "citc": _number(row["citc"]),
                "alpha_if_deleted": _number(row["alpha_if_deleted"]),
            }
            for item, row in _item_rows(moments.items, table).items()
        },
        "warnings": found,
    }
