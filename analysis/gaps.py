"""Gaps: customers vs the company's self-assessment, expectation vs perception, wave vs wave.

The two-group comparison is the mirror survey of seed 000: the same items answered by customers and
by employees; where the company rates itself significantly higher than its customers do, that is a
problem area. Section builders :func:`gaps_section`, :func:`servqual_section` and
:func:`waves_section` return the JSON blocks documented in ``docs/json/gaps.md``.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special

from analysis import ranks
from analysis.indices import IndexSpec, group_indices
from analysis.jsonready import json_ready
from analysis.moments import Responses, as_responses, exact_path

__all__ = [
    "adjust_pvalues",
    "hedges_g",
    "two_group_gaps",
    "paired_gaps",
    "gaps_section",
    "servqual_section",
    "waves_section",
]

_ADJUST = ("holm", "bh", "fdr_bh")


def adjust_pvalues(p, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple testing; missing p-values stay missing and are not counted.

    Parameters
    ----------
    p : p-values (NaN allowed).
    method : ``"holm"`` (Holm 1979, controls the familywise error rate) or ``"bh"``
        (Benjamini & Hochberg 1995, controls the false discovery rate).

    Returns
    -------
    ndarray of adjusted p-values, NaN where ``p`` is NaN (as R's ``p.adjust`` with its default
    ``n = sum(!is.na(p))``).

    Notes
    -----
    With the m p-values sorted, :math:`p_{(1)} \\le … \\le p_{(m)}`: Holm
    :math:`\\tilde p_{(i)} = \\min(1, \\max_{j \\le i} (m - j + 1) p_{(j)})`, Benjamini-Hochberg
    :math:`\\tilde p_{(i)} = \\min(1, \\min_{j \\ge i} p_{(j)} m / j)` (R ``p.adjust``).
    """
    method = method.lower()
    if method not in _ADJUST:
        raise ValueError(f"unknown adjustment {method!r}; use 'holm' or 'bh'")
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    present = np.flatnonzero(~np.isnan(p))
    if present.size:
        order = present[np.argsort(p[present], kind="stable")]
        m = len(order)
        if method == "holm":  # max over i' <= i of (m - i' + 1) p_(i')
            adjusted = np.maximum.accumulate(p[order] * np.arange(m, 0, -1))
        else:  # min over i' >= i of p_(i') / (i'/m)
            adjusted = np.minimum.accumulate((p[order] / (np.arange(1, m + 1) / m))[::-1])[::-1]
        out[order] = np.minimum(adjusted, 1.0)
    return out


def _ncp_bound(t: float, df: float, prob: float) -> float:
    """The noncentrality parameter at which P(T <= t | df, ncp) = prob (monotone decreasing).

    The distribution function is ``scipy.special.nctdtr(df, ncp, t)``, the function that
    ``scipy.stats.nct.cdf(t, df, ncp)`` evaluates (``nct._cdf``) after its checks of the
    arguments, which cost ~30x the evaluation (~40 evaluations per bound): the same values
    (tests/test_after_loading.py), 0.5 s less per gaps section of 20 dimensions."""
    f = lambda ncp: special.nctdtr(df, ncp, t) - prob  # noqa: E731
    width = 2.0 + abs(t) * 0.5
    lo, hi = t - width, t + width
    while f(lo) < 0:
        lo -= width
        width *= 2
    while f(hi) > 0:
        hi += width
        width *= 2
    return optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12)


def hedges_g(x: np.ndarray, y: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Hedges' g of mean(x) - mean(y) with pooled sd, and its confidence interval.

    Parameters
    ----------
    x, y : the two samples (no missing values).
    confidence : level of the interval.

    Returns
    -------
    (g, ci_low, ci_high); NaN when either sample has fewer than 2 values or the pooled sd is 0.

    Notes
    -----
    :math:`d = (\\bar x - \\bar y)/s_p`, :math:`s_p^2 = ((n_1-1)s_1^2 + (n_2-1)s_2^2)/(n_1+n_2-2)`,
    :math:`g = J d` with the exact small-sample factor
    :math:`J = \\Gamma(\\nu/2) / (\\sqrt{\\nu/2}\\,\\Gamma((\\nu-1)/2))`, :math:`\\nu = n_1+n_2-2`
    (Hedges 1981). The CI inverts the noncentral t distribution of :math:`t = d/\\sqrt{1/n_1+1/n_2}`
    (Steiger & Fouladi 1997): the noncentrality parameters :math:`\\lambda_{lo}, \\lambda_{hi}` with
    :math:`P(T_{\\nu,\\lambda} \\le t) = 1-\\alpha/2, \\alpha/2` give
    :math:`J\\lambda\\sqrt{1/n_1+1/n_2}` - the method of R's ``effectsize::hedges_g`` (which finds the
    roots by ``optim``; here by Brent's method).

    References
    ----------
    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and related
    estimators. *Journal of Educational Statistics*, 6(2), 107-128.
    Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation and the evaluation of
    statistical models. In *What if there were no significance tests?* (pp. 221-257).
    """
    return _hedges(_Sample.of_values(x), _Sample.of_values(y), confidence)


@dataclass(frozen=True)
class _Sample:
    """The size, mean and variance (n - 1) of one group's answers (from its moments)."""

    n: int
    mean: float
    var: float

    @classmethod
    def of(cls, source: Responses, column: str) -> "_Sample":
        moments = source.moments([column])
        return cls(int(moments.n[0, 0]), float(moments.mean[0]), float(moments.variance[0]))

    @classmethod
    def of_values(cls, values: np.ndarray) -> "_Sample":
        values = np.asarray(values, dtype=np.float64)
        return cls.of(Responses(pd.DataFrame({"x": values})), "x")


def _hedges(x: _Sample, y: _Sample, confidence: float) -> tuple[float, float, float]:
    """:func:`hedges_g` from the two groups' sizes, means and variances."""
    n1, n2 = x.n, y.n
    if n1 < 2 or n2 < 2:
        return np.nan, np.nan, np.nan
    df = n1 + n2 - 2
    pooled = np.sqrt(((n1 - 1) * x.var + (n2 - 1) * y.var) / df)
    if pooled == 0:
        return np.nan, np.nan, np.nan
    d = (x.mean - y.mean) / pooled
    j = np.exp(special.gammaln(df / 2) - np.log(np.sqrt(df / 2)) - special.gammaln((df - 1) / 2))
    scale = np.sqrt(1 / n1 + 1 / n2)
    t = d / scale
    alpha = 1 - confidence
    lo = _ncp_bound(t, df, 1 - alpha / 2)
    hi = _ncp_bound(t, df, alpha / 2)
    return float(j * d), float(j * lo * scale), float(j * hi * scale)


def _welch(x: _Sample, y: _Sample, confidence: float = 0.95) -> dict:
    """Welch t of mean(x) - mean(y) with df, p and the CI of the difference (as scipy's
    ``ttest_ind(equal_var=False)`` and R's ``t.test``)."""
    nan = {"t": np.nan, "df": np.nan, "p": np.nan, "ci": (np.nan, np.nan)}
    if x.n < 2 or y.n < 2:
        return nan
    vx, vy = x.var / x.n, y.var / y.n
    se = np.sqrt(vx + vy)
    if se == 0:
        return nan
    df = (vx + vy) ** 2 / (vx**2 / (x.n - 1) + vy**2 / (y.n - 1))
    diff = x.mean - y.mean
    t = diff / se
    tail = (1 - confidence) / 2
    low, high = special.stdtrit(df, np.array([tail, 1 - tail])) * se + diff
    return {"t": float(t), "df": float(df), "p": float(2 * special.stdtr(df, -abs(t))),
            "ci": (float(low), float(high))}


def _mann_whitney(a: Responses, b: Responses, column: str) -> tuple[float, float]:
    """U of group a and its two-sided normal-approximation p (tie-corrected, continuity-corrected):
    from the value counts (:func:`analysis.ranks.mann_whitney`), or from the rows (scipy) for
    answers that are not exact."""
    if exact_path() and a.is_exact([column]) and b.is_exact([column]):
        return ranks.mann_whitney(a.counts(column), b.counts(column))
    x, y = (s.column(column) for s in (a, b))
    x, y = x.values[x.observed], y.values[y.observed]
    if len(x) == 0 or len(y) == 0:
        return np.nan, np.nan
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = stats.mannwhitneyu(x, y, use_continuity=True, alternative="two-sided",
                                 method="asymptotic")
    return float(res.statistic), float(res.pvalue)


def _note(name_a: str, name_b: str, x: _Sample, y: _Sample) -> str | None:
    problems = [f"{name} has {'no answers' if v.n == 0 else 'one answer'}"
                for name, v in ((name_a, x), (name_b, y)) if v.n < 2]
    if not problems and x.var == 0 and y.var == 0:
        problems.append("no variation in either group")
    return "; ".join(problems) or None


def two_group_gaps(
    a: pd.DataFrame,
    b: pd.DataFrame,
    columns: Sequence[str],
    *,
    names: tuple[str, str] = ("a", "b"),
    adjust: str = "holm",
    alpha: float = 0.05,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Compare two independent groups column by column.

    Parameters
    ----------
    a, b : respondents x columns of the two groups (NaN = missing; each column on its own
        available cases).
    columns : the columns compared (present in both).
    names : the groups' names, for notes.
    adjust : ``"holm"`` or ``"bh"``, applied across ``columns`` (see :func:`adjust_pvalues`).
    alpha : significance level of the flag.
    confidence : level of the Hedges' g interval.

    Returns
    -------
    DataFrame, one row per column: ``name``, ``n_a``, ``n_b``, ``mean_a``, ``mean_b``, ``diff``
    (mean_a - mean_b), Welch ``t``, ``df``, ``p``; Mann-Whitney ``u`` (U of group a), ``p_mwu``;
    ``hedges_g``, ``g_low``, ``g_high``; ``p_adj`` (Welch p adjusted), ``p_mwu_adj``; ``flag``
    (True when b's mean is higher and ``p_adj < alpha``; None when p_adj is undefined); ``note``.

    Notes
    -----
    Welch's t: :math:`t = (\\bar x_a - \\bar x_b)/\\sqrt{s_a^2/n_a + s_b^2/n_b}` with
    Welch-Satterthwaite df (``scipy.stats.ttest_ind(equal_var=False)`` = R ``t.test``). Mann-Whitney:
    normal approximation with tie-corrected variance and continuity correction
    (``scipy.stats.mannwhitneyu(method="asymptotic", use_continuity=True)`` = R
    ``wilcox.test(exact=FALSE, correct=TRUE)``; U is R's W). Hedges' g: :func:`hedges_g`.
    Undefined statistics (a group with fewer than 2 answers, no variation) are NaN with a note.
    """
    rows = []
    a, b = as_responses(a), as_responses(b)
    for col in columns:
        x, y = _Sample.of(a, col), _Sample.of(b, col)
        welch = _welch(x, y)
        u, p_mwu = _mann_whitney(a, b, col)
        g, g_low, g_high = _hedges(x, y, confidence)
        mean_a, mean_b = x.mean, y.mean
        rows.append({"name": col, "n_a": x.n, "n_b": y.n, "mean_a": mean_a,
                     "mean_b": mean_b, "diff": mean_a - mean_b, "t": welch["t"],
                     "df": welch["df"], "p": welch["p"], "u": u, "p_mwu": p_mwu, "hedges_g": g,
                     "g_low": g_low, "g_high": g_high, "note": _note(*names, x, y)})
    table = pd.DataFrame(rows, columns=["name", "n_a", "n_b", "mean_a", "mean_b", "diff", "t",
                                        "df", "p", "u", "p_mwu", "hedges_g", "g_low", "g_high",
                                        "note"])
    table["p_adj"] = adjust_pvalues(table["p"], adjust)
    table["p_mwu_adj"] = adjust_pvalues(table["p_mwu"], adjust)
    higher = (table["mean_b"] > table["mean_a"]) & (table["p_adj"] < alpha)
    table["flag"] = pd.Series([None if np.isnan(p) else bool(h)
                               for p, h in zip(table["p_adj"], higher)], dtype=object)
    return table


def paired_gaps(
    perception: pd.DataFrame,
    expectation: pd.DataFrame,
    *,
    adjust: str = "holm",
) -> pd.DataFrame:
    """Expectation vs perception within respondents, column by column (SERVQUAL gap P - E).

    Parameters
    ----------
    perception, expectation : respondents x columns, same index; column *j* of ``expectation`` is the
        expectation of column *j* of ``perception`` (rows are named after ``perception``).
    adjust : ``"holm"`` or ``"bh"`` across the columns.

    Returns
    -------
    DataFrame: ``name``, ``n`` (respondents with both answers), ``mean_perception``,
    ``mean_expectation``, ``mean_gap`` (mean of P - E), paired ``t``, ``df``, ``p``, ``ci`` bounds
    ``gap_low``/``gap_high``; Wilcoxon ``v`` (sum of ranks of positive gaps), ``p_wilcoxon``;
    ``p_adj``, ``p_wilcoxon_adj``; ``note``.

    Notes
    -----
    Paired t on d = P - E (= R ``t.test(paired=TRUE)``). Wilcoxon signed-rank: zero differences
    dropped, normal approximation with tie-corrected variance and continuity correction
    (``scipy.stats.wilcoxon(zero_method="wilcox", correction=True, method="approx")`` = R
    ``wilcox.test(paired=TRUE, exact=FALSE, correct=TRUE)``; V as R reports it).

    References
    ----------
    Parasuraman, A., Zeithaml, V. A., & Berry, L. L. (1988). SERVQUAL. *Journal of Retailing*, 64(1),
    12-40.
    """
    names = [f"\0{j}" for j in range(perception.shape[1])]
    combined = pd.concat([perception.set_axis([f"p{n}" for n in names], axis=1),
                          expectation.set_axis([f"e{n}" for n in names], axis=1)], axis=1)
    pairs = [(name, f"p{n}", f"e{n}") for name, n in zip(perception.columns, names)]
    return _paired(Responses(combined), pairs, adjust)


def _paired(source: Responses, pairs: list[tuple[str, str, str]], adjust: str) -> pd.DataFrame:
    """:func:`paired_gaps` of the (name, perception column, expectation column) pairs of one
    set of respondents, from the moments and value counts of the differences."""
    rows = []
    gaps = source.differences({f"\0{j}": (p, e) for j, (_, p, e) in enumerate(pairs)})
    for j, (name, p_col, e_col) in enumerate(pairs):
        both = source.moments([p_col, e_col])
        d = gaps.moments([f"\0{j}"])
        n = int(d.n[0, 0])
        row = {"name": name, "n": n, "mean_perception": both.pair_means[0, 1],
               "mean_expectation": both.pair_means[1, 0], "mean_gap": float(d.mean[0]),
               "t": np.nan, "df": np.nan, "p": np.nan, "gap_low": np.nan, "gap_high": np.nan,
               "v": np.nan, "p_wilcoxon": np.nan, "note": None}
        if n >= 2 and d.variance[0] > 0:
            se = np.sqrt(d.variance[0] / n)
            t = d.mean[0] / se
            low, high = special.stdtrit(n - 1, np.array([0.025, 0.975])) * se + d.mean[0]
            row.update(t=float(t), df=float(n - 1), p=float(2 * special.stdtr(n - 1, -abs(t))),
                       gap_low=float(low), gap_high=float(high))
        else:
            row["note"] = "fewer than 2 pairs" if n < 2 else "all gaps equal"
        row["v"], row["p_wilcoxon"] = _wilcoxon(gaps, f"\0{j}")
        rows.append(row)
    table = pd.DataFrame(rows, columns=["name", "n", "mean_perception", "mean_expectation",
                                        "mean_gap", "t", "df", "p", "gap_low", "gap_high", "v",
                                        "p_wilcoxon", "note"])
    table["p_adj"] = adjust_pvalues(table["p"], adjust)
    table["p_wilcoxon_adj"] = adjust_pvalues(table["p_wilcoxon"], adjust)
    return table


def _wilcoxon(gaps: Responses, column: str) -> tuple[float, float]:
    """Wilcoxon signed-rank V and p of one column of differences: from the value counts
    (:func:`analysis.ranks.wilcoxon_signed_rank`), or from the rows (scipy) when not exact."""
    if exact_path() and gaps.is_exact([column]):
        return ranks.wilcoxon_signed_rank(gaps.counts(column))
    d = gaps.column(column)
    nonzero = d.values[d.observed & (d.values != 0)]
    if not nonzero.size:
        return np.nan, np.nan
    from scipy import stats

    v = float(stats.rankdata(np.abs(nonzero))[nonzero > 0].sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return v, float(stats.wilcoxon(nonzero, zero_method="wilcox", correction=True,
                                       method="approx").pvalue)


# ------------------------------------------------------------------------------------ sections
def _json_rows(table: pd.DataFrame, level: str, pairs: Mapping[str, str]) -> list[dict]:
    """Rows of a table as JSON dicts; ``pairs`` maps an output key to an interval's column prefix."""
    rows = []
    for record in table.to_dict("records"):
        row = {"level": level}
        for key, value in record.items():
            if any(key in (f"{p}_low", f"{p}_high") for p in pairs.values()):
                continue
            row[key] = json_ready(value)
        for key, prefix in pairs.items():
            row[key] = [json_ready(record[f"{prefix}_low"]), json_ready(record[f"{prefix}_high"])]
        rows.append(row)
    return rows


def gaps_section(
    frames: Mapping[str, pd.DataFrame],
    *,
    compare: tuple[str, str],
    dimensions: Mapping[str, Sequence[str]],
    items: Sequence[str] | None = None,
    adjust: str = "holm",
    alpha: float = 0.05,
    min_share: float = 0.5,
) -> dict:
    """The ``gaps`` block of results.json: ``{"A|B": [rows]}`` (keys in ``docs/json/gaps.md``).

    Parameters
    ----------
    frames : group name -> respondents x items.
    compare : (A, B), e.g. ("customers", "employees"); B is the company's self-assessment, so a
        row is flagged when B's mean is significantly higher than A's.
    dimensions : dimension -> items.
    items : the items compared; None = every dimension item.
    adjust : "holm" (default) or "bh", applied separately across the dimension rows and across the
        item rows.
    alpha : significance level of the flag.
    min_share : see :func:`analysis.indices.dimension_scores`.

    Returns
    -------
    dict with one key "A|B" -> list of rows, dimension rows first, then item rows.
    """
    name_a, name_b = compare
    a, b = frames[name_a], frames[name_b]
    items = list(items) if items is not None else list(dict.fromkeys(
        i for its in dimensions.values() for i in its))
    options = dict(names=(name_a, name_b), adjust=adjust, alpha=alpha)
    dims = two_group_gaps(as_responses(a).scores(dimensions, min_share),
                          as_responses(b).scores(dimensions, min_share), list(dimensions),
                          **options)
    per_item = two_group_gaps(a, b, items, **options)
    ci = {"g_ci": "g"}
    return {f"{name_a}|{name_b}": _json_rows(dims, "dimension", ci)
            + _json_rows(per_item, "item", ci)}


def servqual_section(
    frames: Mapping[str, pd.DataFrame],
    *,
    expectation: Mapping[str, str],
    dimensions: Mapping[str, Sequence[str]],
    adjust: str = "holm",
    min_share: float = 0.5,
) -> dict:
    """The ``servqual`` block: expectation vs perception per group, ``{GROUP: [rows]}``.

    Groups whose data lack the expectation items are left out. Dimension rows compare each
    respondent's perception and expectation dimension scores over the dimension's items that have an
    expectation item; the adjustment runs separately across dimension rows and across item rows.
    See :func:`paired_gaps` for the row keys and methods.
    """
    section = {}
    for group, frame in frames.items():
        if not set(expectation.values()) <= set(frame.columns):
            continue
        dims = {d: [i for i in its if i in expectation] for d, its in dimensions.items()}
        dims = {d: its for d, its in dims.items() if its}
        source = as_responses(frame)
        scores = source.scores({**{f"p\0{d}": its for d, its in dims.items()},
                                **{f"e\0{d}": [expectation[i] for i in its]
                                   for d, its in dims.items()}}, min_share)
        dim_table = _paired(scores, [(d, f"p\0{d}", f"e\0{d}") for d in dims], adjust)
        item_table = _paired(source, list((i, i, e) for i, e in expectation.items()), adjust)
        ci = {"gap_ci": "gap"}
        section[group] = (_json_rows(dim_table, "dimension", ci)
                          + _json_rows(item_table, "item", ci))
    return section


def _change_row(index: str, name: str, before: float, after: float, ci, test: str,
                statistic: float, df: float | None, p: float) -> dict:
    return {"index": index, "name": name, "value_from": json_ready(before), "value_to": json_ready(after),
            "diff": json_ready(after - before), "ci": [json_ready(ci[0]), json_ready(ci[1])], "test": test,
            "statistic": json_ready(statistic), "df": json_ready(df), "p": json_ready(p)}


def _z_change(index: str, name: str, before: float, after: float, se_before: float,
              se_after: float, confidence: float, ci=None) -> dict:
    """A change tested by z = diff / sqrt(se1^2 + se2^2) (independent samples)."""
    se = np.hypot(se_before, se_after)
    diff = after - before
    with np.errstate(invalid="ignore", divide="ignore"):
        z = diff / se if se > 0 else np.nan
    half = special.ndtri(0.5 + confidence / 2) * se  # scipy.stats.norm.ppf, .sf below
    p = 2 * special.ndtr(-abs(z)) if np.isfinite(z) else np.nan
    return _change_row(index, name, before, after, ci if ci is not None else
                       (diff - half, diff + half), "z", z, None, p)


def _index_change(index: str, before, after, confidence: float) -> dict:
    """Change of a 0-100 index: z test on the two se's; CI from the bootstrap replicates when both
    waves were bootstrapped (percentile interval of the replicate differences), else diff +- z se."""
    m = min(before.replicates.size, after.replicates.size)
    ci = None
    if m > 1:
        alpha = 1 - confidence
        diffs = after.replicates[:m] - before.replicates[:m]
        ci = tuple(np.quantile(diffs, [alpha / 2, 1 - alpha / 2]))
    return _z_change(index, index, before.value, after.value, before.se, after.se, confidence, ci)


def waves_section(
    frames_by_wave: Mapping[str, Mapping[str, pd.DataFrame]],
    *,
    confidence: float = 0.95,
    seed: int = 0,
    **index_options,
) -> dict:
    """The ``trends`` block: every index per wave and its change between consecutive waves.

    Parameters
    ----------
    frames_by_wave : wave -> {group -> respondents x items}, in wave order.
    confidence : level of the change intervals.
    seed : bootstrap seed; wave *k* uses the seed sequence ``[seed, k]`` so that waves are
        resampled independently.
    **index_options : ``dimensions``, ``scale`` and the other keyword arguments of
        :func:`analysis.indices.indices_section` except ``segments`` and ``min_n``
        (see :class:`analysis.indices.IndexSpec`).

    Returns
    -------
    ``{GROUP: {"waves": [wave, ...], "by_wave": {WAVE: indices entry}, "changes": [rows]}}``
    (the waves in which the group appears, in the given order); see ``docs/json/gaps.md``.

    Notes
    -----
    Waves are treated as independent samples (repeated cross-sections). Dimension means: Welch t on
    the respondents' dimension scores, CI of the difference from Welch's se and df. The 0-100
    indices (``csi``, ``satisfaction_index``, ``loyalty_index``): the difference of the indices;
    test z = diff / sqrt(se1^2 + se2^2) with the indices' se's (bootstrap or delta method);
    CI = percentile interval of the differences of the two waves' independent bootstrap
    replicates, or diff +- z se when the delta method was used. NPS: z = diff / sqrt(se1^2 + se2^2) with the NPS standard errors of :func:`analysis.indices.nps`,
    Wald CI diff +- z se (Rocks 2016, section 4, difference of two independent NPS).
    """
    spec = IndexSpec(**index_options)
    waves = list(frames_by_wave)
    results: dict[str, dict] = {}
    for k, wave in enumerate(waves):
        for group, frame in frames_by_wave[wave].items():
            results.setdefault(group, {})[wave] = group_indices(frame, spec, [seed, k])
    section = {}
    for group, by_wave in results.items():
        present = [w for w in waves if w in by_wave]
        changes = []
        for w0, w1 in zip(present, present[1:]):
            r0, r1 = by_wave[w0], by_wave[w1]
            rows = []
            for dim in spec.dimensions:
                x, y = _Sample.of(r0.respondents, dim), _Sample.of(r1.respondents, dim)
                welch = _welch(y, x, confidence)
                rows.append(_change_row("dimension", dim, x.mean, y.mean, welch["ci"], "welch_t",
                                        welch["t"], welch["df"], welch["p"]))
            for name, before in r0.indices.items():
                if before is not None:
                    rows.append(_index_change(name, before, r1.indices[name], confidence))
            if r0.nps is not None:
                rows.append(_z_change("nps", "nps", r0.nps.score, r1.nps.score, r0.nps.se,
                                      r1.nps.se, confidence))
            changes += [{"from": w0, "to": w1, **row} for row in rows]
        section[group] = {"waves": present,
                          "by_wave": {w: by_wave[w].to_json() for w in present},
                          "changes": changes}
    return section
