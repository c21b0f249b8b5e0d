"""Scores and indices of satisfaction and loyalty, per respondent group, segment and wave.

Every function takes one group's respondents as a DataFrame with one float column per item, already
reverse-coded, NaN for a missing answer. :func:`indices_section` assembles the ``indices`` block of
``results.json`` (documented in ``docs/json/indices.md``).

Dimension score rule
--------------------
A respondent's dimension score is the mean of the dimension's items that respondent answered,
provided the respondent answered at least ``min_share`` (default one half) of the dimension's items;
otherwise the score is missing. All statistics are computed on the respondents (or answers) that are
available; nothing is imputed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special

from analysis.blas import one_blas_thread
from analysis.jsonready import json_ready, records
from analysis.moments import Counts, Moments, Responses, as_responses
from surveys.errors import Location, StudyError
from surveys.i18n import msg

__all__ = [
    "dimension_scores",
    "respondent_scores",
    "score_table",
    "cb_ratio",
    "ahp_weights",
    "AHPResult",
    "satisfaction_index",
    "IndexResult",
    "MAX_BOOTSTRAP_N",
    "check_nps_values",
    "nps",
    "NPSResult",
    "IndexSpec",
    "group_indices",
    "indices_section",
]

#: Saaty's random consistency index RI for n = 1..15 (Saaty 1980, Table 1; n = 11-15 as extended in
#: Saaty 1991 / Alonso & Lamata 2006 report the same first-order values to two decimals).
SAATY_RI = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
            10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59}

#: A dimension score needs answers to at least this share of the dimension's items.
MIN_SHARE = 0.5

#: Satisfaction classes of C = b/a (seed 003).
CB_CLASSES = ("dissatisfied", "satisfied", "delighted")


# ------------------------------------------------------------------------------------ scores
def dimension_scores(
    frame: pd.DataFrame | Responses, dimensions: Mapping[str, Sequence[str]],
    min_share: float = MIN_SHARE
) -> pd.DataFrame:
    """Each respondent's score on each dimension.

    Parameters
    ----------
    frame : respondents x items, float, reverse-coded, NaN = missing (or their
        :class:`~analysis.moments.Responses`).
    dimensions : dimension name -> its item columns.
    min_share : the least share of a dimension's items a respondent must have answered to get a
        score (default 0.5: at least half).

    Returns
    -------
    DataFrame, same index as ``frame``, one float column per dimension.

    Notes
    -----
    :math:`s_{rd} = \\frac{1}{|A_{rd}|}\\sum_{i \\in A_{rd}} x_{ri}` where :math:`A_{rd}` are the items
    of dimension *d* answered by respondent *r*, if :math:`|A_{rd}| \\ge` ``min_share`` :math:`k_d`;
    otherwise NaN (:meth:`analysis.moments.Responses.scores`).
    """
    return as_responses(frame).scores(dimensions, min_share).frame


def respondent_scores(
    frame: pd.DataFrame | Responses, dimensions: Mapping[str, Sequence[str]],
    outcomes: Mapping[str, Sequence[str]] | None = None, min_share: float = MIN_SHARE,
) -> Responses:
    """The respondents described by their scores: a dimension score (:func:`dimension_scores`)
    for every dimension whose items the group has, and for every ``outcomes`` entry the mean of
    the outcome items the respondent answered (overall satisfaction, loyalty; no least share).
    Exact for whole-number answers (:mod:`analysis.moments`); the statistics of the scores come
    from its moments and counts."""
    source = as_responses(frame)
    present = {d: items for d, items in dimensions.items() if set(items) <= set(source.columns)}
    outcomes = dict(outcomes or {})
    shares = {**{d: min_share for d in present}, **{o: 0.0 for o in outcomes}}
    return source.scores({**present, **outcomes}, shares)


def _summary(moments: Moments, confidence: float) -> dict:
    """Mean, sd, t-based CI and n of each column (NaN where n < 2)."""
    n = moments.count
    mean, sd = moments.mean, np.sqrt(moments.variance)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = special.stdtrit(n - 1, 0.5 + confidence / 2) * sd / np.sqrt(n)
    sd = np.where(n > 1, sd, np.nan)
    half = np.where(n > 1, half, np.nan)
    return {"mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half, "n": n}


def _box_counts(source: Responses, items: Sequence[str], scale: tuple[float, float]
                ) -> tuple[np.ndarray, ...]:
    """Per item: answers in the top two points, in the bottom two points, and answered (from
    the value counts)."""
    low, high = scale
    counted = [source.counts(item) for item in items]
    top = np.array([c.counts[c.values >= high - 1].sum() for c in counted], dtype=np.int64)
    bottom = np.array([c.counts[c.values <= low + 1].sum() for c in counted], dtype=np.int64)
    return top, bottom, np.array([c.n for c in counted], dtype=np.int64)


def score_table(
    frame: pd.DataFrame,
    dimensions: Mapping[str, Sequence[str]],
    scale: tuple[float, float],
    *,
    min_share: float = 0.5,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean, sd, CI, n, top-2-box and bottom-2-box of every dimension and every item.

    Parameters
    ----------
    frame : respondents x items, float, reverse-coded, NaN = missing (or their
        :class:`~analysis.moments.Responses`).
    dimensions : dimension name -> item columns.
    scale : (min, max) of the Likert scale, e.g. (1, 5).
    min_share : see :func:`dimension_scores`.
    confidence : level of the confidence interval of the mean.

    Returns
    -------
    DataFrame with columns ``level`` ("dimension" or "item"), ``name``, ``mean``, ``sd``,
    ``ci_low``, ``ci_high``, ``n``, ``top2``, ``bottom2``.

    Notes
    -----
    Item rows use the respondents who answered the item; dimension rows use the respondents' dimension
    scores (:func:`dimension_scores`). CI: :math:`\\bar x \\pm t_{1-\\alpha/2, n-1}\\, s/\\sqrt n`
    (NaN when n < 2). All from the moments and value counts (:mod:`analysis.moments`). Top-2-box of an item: share of its answers at ``max`` or ``max - 1``;
    bottom-2-box: at ``min`` or ``min + 1``. For a dimension the shares pool all answers to its
    items (answers, not respondents, are the denominator).
    """
    items = list(dict.fromkeys(i for its in dimensions.values() for i in its))
    source = as_responses(frame)
    top, bottom, answered = _box_counts(source, items, scale)
    position = {item: j for j, item in enumerate(items)}
    dim_counts = np.array([[counts[[position[i] for i in its]].sum()
                            for counts in (top, bottom, answered)]
                           for its in dimensions.values()], dtype=float).reshape(-1, 3)
    dim_top, dim_bottom, dim_answered = dim_counts.T
    parts = []
    for level, names, moments, t, b, a in (
        ("dimension", list(dimensions), source.scores(dimensions, min_share).moments(
            list(dimensions)), dim_top, dim_bottom, dim_answered),
        ("item", items, source.moments(items), top, bottom, answered),
    ):
        with np.errstate(invalid="ignore", divide="ignore"):
            part = pd.DataFrame({"level": level, "name": names, **_summary(moments, confidence),
                                 "top2": t / a, "bottom2": b / a})
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


# ------------------------------------------------------------------------------------ C = b/a
def _cb_row(b: np.ndarray, a: np.ndarray, tol: float) -> dict:
    both = ~np.isnan(b) & ~np.isnan(a)
    b, a = b[both], a[both]
    nonzero = a != 0
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio_of_means = b.mean() / a.mean() if b.size else np.nan
        mean_ratio = (b[nonzero] / a[nonzero]).mean() if nonzero.any() else np.nan
        difference = (b - a).mean() if b.size else np.nan
    if np.isnan(ratio_of_means):
        label = None
    elif ratio_of_means < 1 - tol:
        label = CB_CLASSES[0]
    elif ratio_of_means > 1 + tol:
        label = CB_CLASSES[2]
    else:
        label = CB_CLASSES[1]
    return {"n": int(both.sum()), "mean_b": b.mean() if b.size else np.nan,
            "mean_a": a.mean() if a.size else np.nan, "ratio_of_means": ratio_of_means,
            "mean_ratio": mean_ratio, "n_ratio": int(nonzero.sum()), "difference": difference,
            "class": label}


def cb_ratio(
    frame: pd.DataFrame | Responses,
    expectation: Mapping[str, str],
    dimensions: Mapping[str, Sequence[str]],
    *,
    tol: float = 0.05,
    min_share: float = 0.5,
) -> pd.DataFrame:
    """Satisfaction as C = b/a (perception over expectation), per item and per dimension.

    Parameters
    ----------
    frame : respondents x columns holding both the perception items and the expectation items
        (or their :class:`~analysis.moments.Responses`).
    expectation : perception item -> its expectation item.
    dimensions : dimension -> items; a dimension's C uses those of its items that have an
        expectation item (dimensions with none are left out).
    tol : half-width of the "satisfied" band around 1 (default 0.05).
    min_share : see :func:`dimension_scores`, applied to perception and expectation alike.

    Returns
    -------
    DataFrame with ``level``, ``name``, ``n`` (respondents with both b and a), ``mean_b``,
    ``mean_a``, ``ratio_of_means``, ``mean_ratio``, ``n_ratio`` (respondents with a != 0),
    ``difference`` (mean of b - a), ``class``.

    Notes
    -----
    Only respondents with both b and a count. ratio of means :math:`\\bar b / \\bar a`; mean ratio
    :math:`\\frac1n\\sum_r b_r/a_r` over respondents with :math:`a_r \\ne 0` (others are excluded);
    difference :math:`\\frac1n\\sum_r (b_r - a_r)`. For a dimension, *b* and *a* are the respondent's
    perception and expectation dimension scores. The class follows seed 003 on the ratio of
    means: below ``1 - tol`` dissatisfied, above ``1 + tol`` delighted, otherwise satisfied.
    """
    source = as_responses(frame)  # its item columns prepared once for every dimension
    paired = {name: [i for i in items if i in expectation] for name, items in dimensions.items()}
    paired = {name: items for name, items in paired.items() if items}
    # every dimension's perception and expectation scores in one table each (a score column is
    # computed on its own: the same values as one table per dimension, at a tenth of the cost)
    perceived = dimension_scores(source, paired, min_share)
    expected = dimension_scores(source, {name: [expectation[i] for i in items]
                                         for name, items in paired.items()}, min_share)
    rows = []
    for name in paired:
        rows.append({"level": "dimension", "name": name,
                     **_cb_row(perceived[name].to_numpy(), expected[name].to_numpy(), tol)})
    for item, exp_item in expectation.items():
        b, a = (source.frame[c].to_numpy(dtype=float) for c in (item, exp_item))
        rows.append({"level": "item", "name": item, **_cb_row(b, a, tol)})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------ weights
@dataclass
class AHPResult:
    """Weights from an AHP pairwise-comparison matrix.

    Attributes
    ----------
    weights : name -> weight (principal right eigenvector, summing to 1).
    lambda_max : principal eigenvalue.
    ci : consistency index (lambda_max - n) / (n - 1) (0 for n <= 2).
    cr : consistency ratio CI / RI (0 for n <= 2).
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    cr: float


def ahp_weights(matrix, names: Sequence[str], *, max_cr: float = 0.1, key: str | None = None
                ) -> AHPResult:
    """Weights from Saaty's Analytic Hierarchy Process.

    Parameters
    ----------
    matrix : n x n positive reciprocal matrix; ``matrix[i][j]`` says how much more important
        ``names[i]`` is than ``names[j]`` (Saaty's 1-9 scale), ``matrix[j][i] = 1/matrix[i][j]``.
    names : the compared elements (items or dimensions).
    max_cr : the largest acceptable consistency ratio (Saaty: 0.1).
    key : the study-file key, for error messages.

    Returns
    -------
    AHPResult

    Raises
    ------
    StudyError if the matrix is not square, not positive, not reciprocal, larger than 15 x 15, or
    its consistency ratio exceeds ``max_cr``.

    Notes
    -----
    :math:`A w = \\lambda_{max} w`; :math:`CI = (\\lambda_{max} - n)/(n - 1)`; :math:`CR = CI / RI_n`
    with Saaty's random index :data:`SAATY_RI`.

    References
    ----------
    Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
    """
    a = np.asarray(matrix, dtype=float)
    n = len(names)
    if a.shape != (n, n):
        raise StudyError(msg("ahp_matrix_size", rows=a.shape[0],
                             columns=a.shape[1] if a.ndim > 1 else 0, n=n), key=key,
                         expected=msg("ahp_matrix_size_expected", n=n))
    if not (np.isfinite(a).all() and (a > 0).all()):
        raise StudyError(msg("ahp_not_positive"), key=key, expected=msg("ahp_not_positive_expected"))
    if not np.allclose(a * a.T, 1.0, rtol=1e-3, atol=1e-3):
        i, j = np.argwhere(~np.isclose(a * a.T, 1.0, rtol=1e-3, atol=1e-3))[0]
        raise StudyError(msg("ahp_not_reciprocal", a=names[i], b=names[j], ab=f"{a[i, j]:g}",
                             ba=f"{a[j, i]:g}"), key=key,
                         expected=f"{names[j]} vs {names[i]} = 1/{a[i, j]:g}")
    if n not in SAATY_RI:
        raise StudyError(msg("ahp_too_many", n=n), key=key, expected=msg("ahp_too_many_expected"))
    values, vectors = np.linalg.eig(a)
    top = int(np.argmax(values.real))
    lambda_max = float(values[top].real)
    w = np.abs(vectors[:, top].real)
    w = w / w.sum()
    ci = (lambda_max - n) / (n - 1) if n > 2 else 0.0
    cr = ci / SAATY_RI[n] if n > 2 else 0.0
    if cr > max_cr:
        raise StudyError(msg("ahp_inconsistent", cr=f"{cr:.3f}", ci=f"{ci:.3f}", ri=SAATY_RI[n]),
                         key=key, expected=f"CR <= {max_cr}")
    return AHPResult(pd.Series(w, index=list(names)), lambda_max, ci, cr)


def _item_weights(
    frame: Responses,
    items: Sequence[str],
    dimensions: Mapping[str, Sequence[str]],
    weights,
    importance: Mapping[str, str],
) -> pd.Series:
    """Resolve a weight specification to one weight per index item (not normalised).

    Weights are given per item or per dimension (a dict, AHP over items or dimensions, or the mean
    rating of the importance item declared for an item or a dimension). If weights are given for
    index items, every index item needs its own; otherwise every index item takes its dimension's
    weight spread equally over the dimension's index items, so that a dimension's share of the
    index is its weight.
    """
    if isinstance(weights, str):
        if weights == "equal":
            return pd.Series(1.0, index=list(items))
        if weights != "importance":
            raise ValueError(f"unknown weights {weights!r}")
        asked = {target: column for target, column in importance.items() if column in frame}
        given = pd.Series(frame.moments(list(asked.values())).mean if asked else [],
                          index=list(asked), dtype=float)
        key, what = "importance", msg("weight_what_importance")
    else:
        if "ahp" in weights:
            spec = weights["ahp"]
            given = ahp_weights(spec["matrix"], spec["over"], key="weights.ahp").weights
        else:
            given = pd.Series(weights, dtype=float)
        key, what = "weights", msg("weight_what_weight")
    if (given < 0).any():
        raise StudyError(msg("weight_negative"), key=key, expected=msg("weight_negative_expected"))
    if any(i in given.index for i in items):
        spread = given[[i for i in items if i in given.index]].to_dict()
    else:
        spread = {}
        for dim, its in dimensions.items():
            own = [i for i in its if i in items]
            if dim in given.index and own:
                spread.update({i: given[dim] / len(own) for i in own if i not in spread})
    missing = [i for i in items if i not in spread]
    if missing:
        raise StudyError(msg("weight_missing", item=repr(missing[0]), what=what), key=key,
                         expected=msg("weight_missing_expected", item=repr(missing[0]), what=what))
    return pd.Series(spread, dtype=float).reindex(list(items))


# ------------------------------------------------------------------------------------ index 0-100
@dataclass
class IndexResult:
    """A 0-100 index with its confidence interval.

    Attributes
    ----------
    value : the index.
    ci_low, ci_high : the interval (see ``ci_method``).
    se : standard error: sd of the bootstrap replicates, or the delta-method se.
    ci_method : ``"bootstrap"`` (percentile) or ``"delta"`` (value +- z se).
    weights : item -> normalised weight actually used (summing to 1).
    n : respondents with at least one index item answered.
    replicates : the bootstrap replicates (empty for the delta method).
    warnings : what was left out and why.
    """

    value: float
    ci_low: float
    ci_high: float
    se: float
    ci_method: str
    weights: pd.Series
    n: int
    replicates: np.ndarray = field(repr=False)
    warnings: list[str] = field(default_factory=list)


#: Cells of the bootstrap count matrix processed at once (bounds memory to ~32 MB).
_BOOT_CELLS = 1 << 22
#: ``ci="auto"`` bootstraps up to this many respondents and uses the delta method above it
#: (2,000 resamples of n rows cost O(2000 n); beyond a few thousand respondents the two agree).
MAX_BOOTSTRAP_N = 5_000


def _bootstrap_item_means(values: np.ndarray, n_boot: int, seed) -> np.ndarray:
    """Item means of ``n_boot`` nonparametric bootstrap resamples of the rows (n_boot x k): the
    resampling counts (:func:`_resampling_counts`) times the answers, in one matrix product per
    block of resamples, on one BLAS thread (:mod:`analysis.blas`: the same products at a third of
    the CPU time)."""
    n = values.shape[0]
    answered = (~np.isnan(values)).astype(float)
    filled = np.where(answered > 0, values, 0.0)
    counts = _resampling_counts(n, n_boot, seed)
    chunk = max(1, min(n_boot, _BOOT_CELLS // max(n, 1)))
    out = np.empty((n_boot, values.shape[1]))
    with one_blas_thread():
        for start in range(0, n_boot, chunk):
            block = counts[start:start + chunk].astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[start:start + len(block)] = (block @ filled) / (block @ answered)
    return out


def _resampling_counts(n: int, n_boot: int, seed) -> np.ndarray:
    """(n_boot, n) how often each of n rows is drawn in each resample: resample b draws
    ``rng.integers(0, n, n)`` after the b - 1 before it, from ``numpy.random.default_rng(seed)``.
    An int or a sequence of ints as the seed gives the same counts every time, so they are kept
    (the indices of one set of respondents share them); a generator draws afresh."""
    if isinstance(seed, (int, np.integer)) or (
            isinstance(seed, (list, tuple)) and all(isinstance(v, (int, np.integer)) for v in seed)):
        return _kept_counts(n, n_boot, seed if isinstance(seed, (int, np.integer)) else tuple(seed))
    return _draw_counts(n, n_boot, np.random.default_rng(seed))


@lru_cache(maxsize=4)
def _kept_counts(n: int, n_boot: int, seed) -> np.ndarray:
    counts = _draw_counts(n, n_boot, np.random.default_rng(list(seed) if isinstance(seed, tuple)
                                                           else seed))
    counts.flags.writeable = False
    return counts


def _draw_counts(n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """The counts of :func:`_resampling_counts`: all draws of a block of resamples at once."""
    counts = np.empty((n_boot, n), dtype=np.uint16 if n < 1 << 16 else np.int64)
    chunk = max(1, min(n_boot, _BOOT_CELLS // max(n, 1)))
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        draws = rng.integers(0, n, (size, n)) + n * np.arange(size)[:, None]
        counts[start:start + size] = np.bincount(draws.ravel(), minlength=size * n).reshape(size, n)
    return counts


def _delta_se(moments: Moments, coef: np.ndarray) -> float:
    """Delta-method (influence-function) se of Σ coef_i mean_i with item-wise missing data, from
    the pairwise moments: Σ_r z_r² = Σ_ij a_i a_j C_ij with a_i = coef_i / N_i and
    C_ij = Σ (x_i - m_i)(x_j - m_j) over the rows answering both, m the items' means; with p_ij the
    mean of item i over those rows, C_ij = (n_ij - 1) cov_ij + n_ij (p_ij - m_i)(p_ji - m_j)."""
    n, mean, pair = moments.n, moments.mean, moments.pair_means
    with np.errstate(invalid="ignore"):
        spread = np.where(n > 1, (n - 1) * moments.cov, 0.0)
        shift = np.where(n > 0, n * (pair - mean[:, None]) * (pair.T - mean[None, :]), 0.0)
    a = coef / moments.count
    return float(np.sqrt(a @ (spread + shift) @ a))


def satisfaction_index(
    frame: pd.DataFrame | Responses,
    items: Sequence[str],
    scale: tuple[float, float],
    *,
    weights: pd.Series | None = None,
    ci: str = "auto",
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int | np.random.Generator | None = None,
) -> IndexResult:
    """ACSI-style 0-100 index of item means, with a bootstrap or delta-method CI.

    Parameters
    ----------
    frame : respondents x items, float, reverse-coded, NaN = missing (or their
        :class:`~analysis.moments.Responses`).
    items : the index items.
    scale : (min, max) of the Likert scale.
    weights : item -> weight (any positive scale); None = equal weights.
    ci : ``"bootstrap"``, ``"delta"``, or ``"auto"`` (bootstrap up to :data:`MAX_BOOTSTRAP_N`
        respondents, delta method above, where the two agree and resampling a million rows
        thousands of times would take minutes).
    n_boot : bootstrap resamples (0 = no interval).
    confidence : level of the interval.
    seed : seed or generator for the resampling (same seed, same interval).

    Returns
    -------
    IndexResult

    Notes
    -----
    :math:`I = 100\\,\\frac{\\sum_i w_i (\\bar x_i - \\min)}{\\sum_i w_i (\\max - \\min)}` where
    :math:`\\bar x_i` is the mean of the answers to item *i* (each item on its own available cases).
    Items nobody answered, or with a missing weight, are left out (with a warning) and the remaining
    weights renormalised.

    Bootstrap: respondents are resampled with replacement ``n_boot`` times, the item means and the
    index recomputed with the weights held fixed, and the interval is the :math:`\\alpha/2` and
    :math:`1-\\alpha/2` quantiles (type 7) of the replicates; replicates in which an item has no
    answer are dropped. Delta method: with :math:`c_i = 100 w_i/(\\max-\\min)`, :math:`N_i` the
    answers to item *i* and :math:`o_{ri}` = 1 if respondent *r* answered it, the index's influence
    values are :math:`z_r = \\sum_i c_i o_{ri}(x_{ri} - \\bar x_i)/N_i` and
    :math:`SE = \\sqrt{\\sum_r z_r^2}` (for complete data :math:`\\sqrt{(n-1)/n}\\,s/\\sqrt n` of
    the respondent scores, the bootstrap's own target); interval :math:`I \\pm z_{1-\\alpha/2} SE`.

    References
    ----------
    Fornell, C., Johnson, M. D., Anderson, E. W., Cha, J., & Bryant, B. E. (1996). The American
    Customer Satisfaction Index. *Journal of Marketing*, 60(4), 7-18.
    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 13 and 21.
    """
    if ci not in ("auto", "bootstrap", "delta"):
        raise ValueError(f"unknown ci {ci!r}")
    low, high = scale
    items = list(items)
    w = pd.Series(1.0, index=items) if weights is None else weights.reindex(items).astype(float)
    source = as_responses(frame)
    notes = []
    keep = (source.moments(items).count > 0) & w.notna().to_numpy()
    if not keep.all():
        dropped = [i for i, k in zip(items, keep) if not k]
        notes.append(msg("index_items_left_out", items=", ".join(dropped)))
    items, w = [i for i, k in zip(items, keep) if k], w[keep]
    n = source.count_rows(any_of=items) if items else 0
    method = ci if ci != "auto" else ("bootstrap" if n <= MAX_BOOTSTRAP_N else "delta")
    if w.empty or w.sum() <= 0 or n == 0:
        return IndexResult(np.nan, np.nan, np.nan, np.nan, method, w, n, np.array([]), notes)
    w = w / w.sum()
    coef = w.to_numpy() * 100.0 / (high - low)
    moments = source.moments(items)
    value = float(((moments.mean - low) * coef).sum())
    alpha = 1 - confidence
    replicates = np.array([])
    ci_low = ci_high = se = np.nan
    if method == "delta":
        se = _delta_se(moments, coef) if n > 1 else np.nan
        half = special.ndtri(1 - alpha / 2) * se
        ci_low, ci_high = value - half, value + half
    elif n_boot > 0:
        values = source.frame.loc[:, items].to_numpy(np.float64, na_value=np.nan)
        values = values[~np.isnan(values).all(axis=1)]
        replicates = ((_bootstrap_item_means(values, n_boot, seed) - low) * coef).sum(axis=1)
        finite = replicates[np.isfinite(replicates)]
        if finite.size < replicates.size:
            notes.append(msg("index_bootstrap_dropped", n=replicates.size - finite.size,
                             total=replicates.size))
        if finite.size > 1:
            ci_low, ci_high = np.quantile(finite, [alpha / 2, 1 - alpha / 2])
            se = finite.std(ddof=1)
        replicates = finite
    return IndexResult(value, float(ci_low), float(ci_high), float(se), method, w, n, replicates,
                       notes)


# ------------------------------------------------------------------------------------ NPS
def check_nps_values(frame: pd.DataFrame, column: str) -> None:
    """Raise StudyError if ``column`` holds anything but whole numbers 0-10 (or missing).

    Rows are named by the column ``_file_row`` when the frame has one (the file's row numbers),
    otherwise by the frame's index values.
    """
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    present = frame[column].notna().to_numpy()
    with np.errstate(invalid="ignore"):
        bad = present & ~((values >= 0) & (values <= 10) & (values == np.round(values)))
    if not bad.any():
        return
    rows = (frame["_file_row"] if "_file_row" in frame.columns else frame.index.to_series())
    rows = list(rows.to_numpy()[bad])
    shown = list(frame[column].to_numpy()[bad][:3])
    raise StudyError(
        msg("nps_invalid", n=int(bad.sum()), examples=", ".join(repr(v) for v in shown)),
        row=json_ready(rows[0]), column=column, expected=msg("nps_invalid_expected"),
        more=[Location(row=json_ready(r), column=column) for r in rows[1:]],
    )


@dataclass
class NPSResult:
    """Net Promoter Score.

    Attributes
    ----------
    n, promoters, passives, detractors : counts (answers 9-10, 7-8, 0-6).
    score : 100 (p - d).
    se : 100 sqrt((p + d - (p - d)^2) / n).
    ci_low, ci_high : Wald interval score +- z se.
    adjusted_score, adjusted_se, adjusted_ci_low, adjusted_ci_high : adjusted-Wald (Rocks 2016).
    """

    n: int
    promoters: int
    passives: int
    detractors: int
    score: float
    se: float
    ci_low: float
    ci_high: float
    adjusted_score: float
    adjusted_se: float
    adjusted_ci_low: float
    adjusted_ci_high: float


def _nps_wald(promoters: float, detractors: float, n: float, z: float) -> tuple[float, ...]:
    with np.errstate(invalid="ignore", divide="ignore"):
        p, d = np.float64(promoters) / n, np.float64(detractors) / n
        se = 100 * np.sqrt((p + d - (p - d) ** 2) / n)
    score = 100 * (p - d)
    return float(score), float(se), float(score - z * se), float(score + z * se)


def nps(values: pd.Series, *, confidence: float = 0.95) -> NPSResult:
    """Net Promoter Score of the 0-10 answers in ``values`` (missing answers ignored).

    Parameters
    ----------
    values : answers 0-10 (call :func:`check_nps_values` first on user data).
    confidence : level of both intervals.

    Returns
    -------
    NPSResult

    Notes
    -----
    With P promoters (9-10), D detractors (0-6), n answers, p = P/n, d = D/n:
    :math:`NPS = 100(p - d)`, :math:`SE = 100\\sqrt{(p + d - (p - d)^2)/n}`, Wald interval
    :math:`NPS \\pm z_{1-\\alpha/2} SE`. The adjusted-Wald interval adds 3/4 to P and to D and 3 to n
    before applying the same formulas (Rocks 2016), which keeps coverage near nominal for small n and
    extreme scores. Intervals are not clipped to [-100, 100].

    References
    ----------
    Rocks, B. (2016). Interval estimation for the "net promoter score". *The American Statistician*,
    70(4), 365-372.
    """
    frame = pd.DataFrame({"x": pd.to_numeric(values).astype("float64")})
    return _nps(Responses(frame).counts("x"), confidence)


def _nps(answers: Counts, confidence: float = 0.95) -> NPSResult:
    """:func:`nps` from the value counts of the answers."""
    n = answers.n
    promoters = int(answers.counts[answers.values >= 9].sum())
    detractors = int(answers.counts[answers.values <= 6].sum())
    z = special.ndtri(0.5 + confidence / 2)
    wald = _nps_wald(promoters, detractors, n, z)
    adjusted = _nps_wald(promoters + 0.75, detractors + 0.75, n + 3, z)
    return NPSResult(n, promoters, n - promoters - detractors, detractors, *wald, *adjusted)


# ------------------------------------------------------------------------------------ sections
def _stat_entry(row: pd.Series) -> dict:
    return {"mean": json_ready(row["mean"]), "sd": json_ready(row["sd"]),
            "ci": [json_ready(row["ci_low"]), json_ready(row["ci_high"])], "n": int(row["n"]),
            "top2": json_ready(row["top2"]), "bottom2": json_ready(row["bottom2"])}


def _index_entry(result: IndexResult, with_weights: bool) -> dict:
    entry = {"value": json_ready(result.value), "ci": [json_ready(result.ci_low), json_ready(result.ci_high)],
             "se": json_ready(result.se), "ci_method": result.ci_method, "n": result.n}
    if with_weights:
        entry["weights"] = {k: json_ready(v) for k, v in result.weights.items()}
    return entry


def _nps_entry(result: NPSResult) -> dict:
    shares = {k: json_ready(getattr(result, k) / result.n) if result.n else None
              for k in ("promoters", "passives", "detractors")}
    return {"score": json_ready(result.score), "se": json_ready(result.se),
            "ci": [json_ready(result.ci_low), json_ready(result.ci_high)], "n": result.n,
            "promoters": result.promoters, "passives": result.passives,
            "detractors": result.detractors, "shares": shares,
            "adjusted_wald": {"score": json_ready(result.adjusted_score),
                              "se": json_ready(result.adjusted_se),
                              "ci": [json_ready(result.adjusted_ci_low),
                                     json_ready(result.adjusted_ci_high)]}}


def _cb_entry(row) -> dict:
    return {"ratio_of_means": json_ready(row["ratio_of_means"]),
            "mean_ratio": json_ready(row["mean_ratio"]),
            "class": row["class"], "difference": json_ready(row["difference"]), "n": int(row["n"]),
            "n_ratio": int(row["n_ratio"]), "mean_b": json_ready(row["mean_b"]),
            "mean_a": json_ready(row["mean_a"])}


@dataclass
class GroupIndices:
    """All indices of one set of respondents (a group, a segment cell or a wave)."""

    n: int
    scores: pd.DataFrame
    respondents: Responses  # the respondents' dimension scores
    indices: dict[str, IndexResult | None]
    nps: NPSResult | None
    cb: pd.DataFrame
    warnings: list[str]
    dimension_items: Mapping[str, Sequence[str]] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict:
        # the tables' rows read once and split by level in Python (a pandas selection and
        # column reads per level cost ~10 ms per set of respondents)
        scores = records(self.scores)
        cb = {}
        if len(self.cb):
            cb_rows = records(self.cb)
            item_rows = [r for r in cb_rows if r["level"] == "item"]
            for row in (r for r in cb_rows if r["level"] == "dimension"):
                members = self.dimension_items[row["name"]]
                cb[row["name"]] = {**_cb_entry(row), "items": {
                    r["name"]: _cb_entry(r) for r in item_rows if r["name"] in members}}
        return {
            "n": self.n,
            "dimensions": {r["name"]: _stat_entry(r) for r in scores if r["level"] == "dimension"},
            "items": {r["name"]: _stat_entry(r) for r in scores if r["level"] == "item"},
            **{name: None if result is None else _index_entry(result, name == "csi")
               for name, result in self.indices.items()},
            "nps": None if self.nps is None else _nps_entry(self.nps),
            "cb_ratio": cb,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class IndexSpec:
    """What to compute for a set of respondents; the fields are the keyword arguments of
    :func:`indices_section` (which documents them) other than ``frames``, ``segments``, ``min_n`` and
    ``seed``."""

    dimensions: Mapping[str, Sequence[str]]
    scale: tuple[float, float]
    satisfaction: Sequence[str] = ()
    loyalty: Sequence[str] = ()
    nps: str | None = None
    expectation: Mapping[str, str] | None = None
    importance: Mapping[str, str] | None = None
    weights: object = "equal"
    csi_items: Sequence[str] | None = None
    min_share: float = 0.5
    cb_tol: float = 0.05
    ci: str = "auto"
    n_boot: int = 2000


def group_indices(frame: pd.DataFrame | Responses, spec: IndexSpec, seed=0) -> GroupIndices:
    """Every index of one set of respondents (a group, a segment cell or a wave).

    Parameters
    ----------
    frame : respondents x columns (or their :class:`~analysis.moments.Responses`).
    spec : what to compute.
    seed : seed of the bootstrap (anything ``numpy.random.default_rng`` accepts).
    """
    source = as_responses(frame)
    dimensions = spec.dimensions
    index_items = list(spec.csi_items or dict.fromkeys(
        i for its in dimensions.values() for i in its))
    w = _item_weights(source, index_items, dimensions, spec.weights, dict(spec.importance or {}))
    boot = dict(ci=spec.ci, n_boot=spec.n_boot, seed=seed)
    found = {"csi": satisfaction_index(source, index_items, spec.scale, weights=w, **boot)}
    for name, its in (("satisfaction_index", spec.satisfaction), ("loyalty_index", spec.loyalty)):
        found[name] = satisfaction_index(source, list(its), spec.scale, **boot) if its else None
    score = None
    if spec.nps is not None:
        check_nps_values(source.frame, spec.nps)
        score = _nps(source.counts(spec.nps))
    notes = [msg("index_note", index=name, note=m)
             for name, r in found.items() if r is not None for m in r.warnings]
    scores = score_table(source, dimensions, spec.scale, min_share=spec.min_share)
    for _, row in scores[scores["n"] == 0].iterrows():
        notes.append(msg("index_no_answers", level=row["level"], name=row["name"]))
    cb = (cb_ratio(source, spec.expectation, dimensions, tol=spec.cb_tol,
                   min_share=spec.min_share) if spec.expectation else pd.DataFrame())
    return GroupIndices(len(source), scores, source.scores(dimensions, spec.min_share),
                        found, score, cb, notes, dict(dimensions))


def indices_section(
    frames: Mapping[str, pd.DataFrame],
    *,
    dimensions: Mapping[str, Sequence[str]],
    scale: tuple[float, float],
    satisfaction: Sequence[str] = (),
    loyalty: Sequence[str] = (),
    nps: str | None = None,
    expectation: Mapping[str, str] | None = None,
    importance: Mapping[str, str] | None = None,
    weights="equal",
    csi_items: Sequence[str] | None = None,
    segments: Sequence[str] = (),
    min_n: int = 5,
    min_share: float = 0.5,
    cb_tol: float = 0.05,
    ci: str = "auto",
    n_boot: int = 2000,
    seed: int | None = 0,
) -> dict:
    """The ``indices`` block of results.json (keys in ``docs/json/indices.md``).

    Parameters
    ----------
    frames : group name -> respondents x columns (items float and reverse-coded, NaN = missing;
        segment columns as strings).
    dimensions : dimension -> items.
    scale : (min, max) of the Likert scale.
    satisfaction : overall-satisfaction items (same scale), averaged into ``satisfaction_index``
        (equal weights); empty = no such index.
    loyalty : loyalty items (same scale), averaged into ``loyalty_index``; empty = none.
    nps : the 0-10 recommendation column, or None.
    expectation : perception item -> expectation item, for C = b/a.
    importance : item -> importance-rating item, for ``weights="importance"``.
    weights : weights of the ``csi`` items: "equal"; "importance" (mean rating of the importance
        item declared for each item, or for each dimension); a dict item -> weight or
        dimension -> weight; or ``{"ahp": {"over": [...], "matrix": [[...]]}}`` over items or
        dimensions. Dimension weights are spread equally over the dimension's items.
    csi_items : the items of the satisfaction index ``csi``; None = every dimension item.
    segments : categorical columns; every index is repeated for each level.
    min_n : segment cells with fewer respondents are marked ``"small": true`` (still reported).
    min_share : least share of a dimension's items answered for a dimension score.
    cb_tol : tolerance of the "satisfied" band of C = b/a.
    ci : interval of the satisfaction and loyalty index: "auto" (bootstrap up to
        :data:`MAX_BOOTSTRAP_N` respondents, delta method above), "bootstrap" or "delta"; see
        :func:`satisfaction_index`.
    n_boot, seed : bootstrap resamples and seed of the index CIs.

    Returns
    -------
    dict GROUP -> {"n", "dimensions", "items", "csi", "satisfaction_index", "loyalty_index", "nps",
    "cb_ratio", "warnings", "segments": {COLUMN: {LEVEL: {same keys without "segments", plus "small"}}}}.

    Raises
    ------
    StudyError for NPS answers outside 0-10 (naming rows), bad weights or an inconsistent AHP matrix.
    """
    spec = IndexSpec(dimensions, scale, satisfaction, loyalty, nps, expectation, importance,
                     weights, csi_items, min_share, cb_tol, ci, n_boot)
    section = {}
    for group, frame in frames.items():
        source = as_responses(frame)
        entry = group_indices(source, spec, seed).to_json()
        entry["segments"] = {}
        for column in segments:
            if column not in source.columns:
                entry["warnings"].append(msg("index_segment_missing", column=repr(column)))
                continue
            cells = {}
            for level, cell in source.by(column).items():
                cell_entry = group_indices(cell, spec, seed).to_json()
                cell_entry["small"] = len(cell) < min_n
                cells[str(level)] = cell_entry
            entry["segments"][column] = cells
        section[group] = entry
    return section
