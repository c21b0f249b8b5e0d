"""Group comparisons of a score across the levels of a categorical column (region, customer type).

Omnibus tests: :func:`anova_oneway` (with η²), :func:`welch_anova`, :func:`kruskal_wallis` (with
ε²). Post-hoc pairs: :func:`tukey_hsd`, :func:`games_howell` (unequal variances), and
:func:`dunn` with Holm's adjustment after Kruskal-Wallis.

Every function takes a numeric Series of scores and an aligned Series of group labels; rows with a
missing score or label are dropped. Levels come in the label's categorical order when it has one,
else sorted. Pairs (a, b) follow that order and differences are b - a, as R's ``TukeyHSD`` and
``rstatix`` report them. Levels with fewer than two scores are left out of the tests (their
variance is undefined). Everything is computed from per-level counts, sums and value counts
(:mod:`analysis.moments`; rank sums from mid-ranks, :mod:`analysis.ranks`), exact for whole-number
answers and dimension scores; scores that are not whole numbers are ranked row by row.

:func:`comparisons_section` builds the JSON-ready ``"comparisons"`` section of results.json.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import special

from analysis import ranks
from analysis.gaps import adjust_pvalues
from analysis.indices import respondent_scores
from analysis.jsonready import json_ready
from analysis.moments import Responses, as_responses, exact_path
from surveys.i18n import msg

__all__ = [
    "GroupTest", "group_summary", "anova_oneway", "welch_anova", "kruskal_wallis",
    "tukey_hsd", "games_howell", "dunn", "studentized_range_sf", "studentized_range_isf",
    "compact_letters", "comparisons_section",
]

_SCORE = "score"


@dataclass
class GroupTest:
    """An omnibus test across k groups: ``statistic`` (F or H), degrees of freedom ``df1`` and
    ``df2`` (NaN for chi-square tests), ``p``, ``effect_size`` (η² or ε², NaN when not defined),
    ``n`` scores used, ``k`` levels used, and ``warnings`` explaining NaN results."""

    statistic: float
    df1: float
    df2: float
    p: float
    effect_size: float
    n: int
    k: int
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Levels:
    """One score across the levels of a label: every level with at least one score, in the
    label's order, as its own :class:`~analysis.moments.Responses` (moments and value counts of
    the column ``column``)."""

    parts: dict
    column: str

    @property
    def levels(self) -> list:
        return list(self.parts)

    def used(self) -> "_Levels":
        """The levels with at least two scores (the others have no variance): the tests' levels."""
        return _Levels({lv: part for lv, part in self.parts.items()
                        if part.moments([self.column]).n[0, 0] >= 2}, self.column)

    def summary(self) -> pd.DataFrame:
        """Per level: n, mean, sd, var, median and the mean rank among all these levels' scores
        (ties averaged), the columns of :attr:`stats` as a table indexed by level."""
        return pd.DataFrame(self.stats, index=pd.Index(self.levels))

    @cached_property
    def stats(self) -> dict[str, np.ndarray]:
        """The columns of :meth:`summary` as arrays, one value per level, built once per set of
        levels: every test reads them (as arrays: pandas' column lookups and Series arithmetic
        were most of the section's time; the same operations, the same bits). Do not modify."""
        moments = [part.moments([self.column]) for part in self.parts.values()]
        n = np.array([int(m.n[0, 0]) for m in moments], dtype=np.int64)
        rank_sums = self.rank_sums[0] if len(n) else np.zeros(0)
        variance = np.array([m.variance[0] for m in moments], dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            return {
                "n": n, "mean": np.array([m.mean[0] for m in moments], dtype=np.float64),
                "sd": np.sqrt(variance), "var": variance,
                "median": np.array([p.counts(self.column).median for p in self.parts.values()],
                                   dtype=np.float64),
                "mean_rank": rank_sums / n}

    @cached_property
    def rank_sums(self) -> tuple[np.ndarray, float]:
        """Each level's rank sum among all the levels' scores, and the tie term Σ(t³ - t): from
        the value counts (mid-ranks), or by ranking the rows for scores that are not exact.
        Computed once per set of levels (the summary, Kruskal-Wallis and Dunn read it)."""
        if exact_path() and all(p.is_exact([self.column]) for p in self.parts.values()):
            sums, _, ties = ranks.rank_sums([p.counts(self.column) for p in self.parts.values()])
            return sums, ties
        values = [p.column(self.column) for p in self.parts.values()]
        values = [c.values[c.observed] for c in values]
        pooled = np.concatenate(values) if values else np.zeros(0)
        from scipy import stats

        ranked = stats.rankdata(pooled)
        bounds = np.cumsum([0] + [len(v) for v in values])
        _, tied = np.unique(pooled, return_counts=True)
        return (np.array([ranked[a:b].sum() for a, b in zip(bounds, bounds[1:])]),
                float(np.sum(tied.astype(np.float64) ** 3 - tied)))


def _levels_of(parts: dict, column: str) -> _Levels:
    """The score ``column`` of respondents split by a label (:meth:`Responses.split`: level ->
    its respondents, shared by every score compared across that label); levels without a
    score dropped."""
    return _Levels({lv: part for lv, part in parts.items()
                    if part.moments([column]).n[0, 0] > 0}, column)


def _from_series(values: pd.Series, labels: pd.Series) -> _Levels:
    """The levels of a Series of scores and an aligned Series of labels."""
    frame = pd.DataFrame({_SCORE: pd.to_numeric(values).astype("float64")}, index=values.index)
    return _levels_of(Responses(frame).split(labels.reindex(values.index)), _SCORE)


def group_summary(values: pd.Series, labels: pd.Series) -> pd.DataFrame:
    """Per level: ``n``, ``mean``, ``sd`` (n - 1), ``var``, ``median`` and ``mean_rank`` (average
    ranks over all complete rows, ties averaged). Includes levels with a single score."""
    return _from_series(values, labels).summary()


def _too_few(levels: list, n: int) -> list[str]:
    if len(levels) < 2:
        return [msg("compare_too_few_levels", n=len(levels))]
    if n <= len(levels):
        return [msg("compare_no_within_variance")]
    return []


def _nan_test(n: int, k: int, reasons: list[str]) -> GroupTest:
    return GroupTest(math.nan, math.nan, math.nan, math.nan, math.nan, n, k, reasons)


def anova_oneway(values: pd.Series, labels: pd.Series) -> GroupTest:
    """Classic one-way ANOVA (equal variances) with η².

    Parameters
    ----------
    values : numeric scores (NaN = missing).
    labels : group label of each score, aligned with ``values``.

    Returns
    -------
    GroupTest
        ``statistic`` F, ``df1`` = k - 1, ``df2`` = N - k, ``p``, ``effect_size`` η².

    Notes
    -----
    :math:`F = \\frac{SS_B/(k-1)}{SS_W/(N-k)}` with :math:`SS_B = \\sum n_i(\\bar x_i - \\bar x)^2`,
    :math:`SS_W = \\sum (n_i - 1)s_i^2`; :math:`\\eta^2 = SS_B / (SS_B + SS_W)`. Checked against
    R's ``aov`` and ``effectsize::eta_squared``.

    References
    ----------
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences (2nd ed.).
    """
    return _anova(_from_series(values, labels).used())


def _anova(used: _Levels) -> GroupTest:
    table = used.stats
    n, k = int(table["n"].sum()), len(table["n"])
    reasons = _too_few(used.levels, n)
    if reasons:
        return _nan_test(n, k, reasons)
    grand = float(np.nansum(table["n"] * table["mean"]) / n)
    ss_between = float(np.nansum(table["n"] * (table["mean"] - grand) ** 2))
    ss_within = float(np.nansum((table["n"] - 1) * table["var"]))
    df1, df2 = k - 1, n - k
    if ss_within == 0:
        return _nan_test(n, k, ["zero variance within every level"])
    f = (ss_between / df1) / (ss_within / df2)
    return GroupTest(f, df1, df2, float(special.fdtrc(df1, df2, f)),
                     ss_between / (ss_between + ss_within), n, k)


def welch_anova(values: pd.Series, labels: pd.Series) -> GroupTest:
    """Welch's one-way ANOVA for unequal variances.

    Parameters
    ----------
    values, labels : as in :func:`anova_oneway`.

    Returns
    -------
    GroupTest
        ``statistic`` F, ``df1`` = k - 1, ``df2`` (Welch), ``p``; ``effect_size`` NaN.

    Notes
    -----
    With weights :math:`w_i = n_i / s_i^2`, :math:`W = \\sum w_i`, :math:`\\tilde x = \\sum w_i
    \\bar x_i / W` and :math:`\\Lambda = \\sum (1 - w_i/W)^2/(n_i - 1)`:
    :math:`F = \\frac{\\sum w_i(\\bar x_i - \\tilde x)^2/(k-1)}{1 + 2(k-2)\\Lambda/(k^2-1)}`,
    :math:`df_2 = (k^2 - 1)/(3\\Lambda)`. Undefined (NaN) when a level has zero variance. Checked
    against R's ``oneway.test(var.equal = FALSE)``.

    References
    ----------
    Welch, B. L. (1951). On the comparison of several mean values: an alternative approach.
    Biometrika, 38, 330-336.
    """
    return _welch(_from_series(values, labels).used())


def _welch(used: _Levels) -> GroupTest:
    table = used.stats
    n, k = int(table["n"].sum()), len(table["n"])
    reasons = _too_few(used.levels, n)
    if reasons:
        return _nan_test(n, k, reasons)
    if (table["var"] == 0).any():
        return _nan_test(n, k, [msg("compare_welch_zero_variance")])
    w = table["n"] / table["var"]
    mean_w = np.nansum(w * table["mean"]) / np.nansum(w)
    lam = np.nansum(((1 - w / np.nansum(w)) ** 2) / (table["n"] - 1))
    f = float((np.nansum(w * (table["mean"] - mean_w) ** 2) / (k - 1))
              / (1 + 2 * (k - 2) * lam / (k**2 - 1)))
    df2 = float((k**2 - 1) / (3 * lam))
    return GroupTest(f, k - 1, df2, float(special.fdtrc(k - 1, df2, f)), math.nan, n, k)


def kruskal_wallis(values: pd.Series, labels: pd.Series) -> GroupTest:
    """Kruskal-Wallis rank test with the rank ε² effect size.

    Parameters
    ----------
    values, labels : as in :func:`anova_oneway`.

    Returns
    -------
    GroupTest
        ``statistic`` H (tie-corrected), ``df1`` = k - 1, ``df2`` NaN, ``p`` (chi-square),
        ``effect_size`` ε².

    Notes
    -----
    :math:`H = \\frac{12/(N(N+1)) \\sum R_i^2/n_i - 3(N+1)}{1 - \\sum(t^3-t)/(N^3-N)}` with
    :math:`R_i` the rank sum of level *i* and *t* the sizes of tied groups;
    :math:`\\varepsilon^2 = H / ((N^2-1)/(N+1)) = H/(N-1)`. Checked against R's ``kruskal.test``
    and ``effectsize::rank_epsilon_squared``.

    References
    ----------
    Kruskal, W. H., & Wallis, W. A. (1952). JASA, 47, 583-621.
    Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates revisited. Trends
    in Sport Sciences, 21(1), 19-25.
    """
    return _kruskal(_from_series(values, labels).used())


def _kruskal(used: _Levels) -> GroupTest:
    table = used.stats
    n, k = int(table["n"].sum()), len(table["n"])
    reasons = _too_few(used.levels, n)
    if reasons:
        return _nan_test(n, k, reasons)
    sums, ties = used.rank_sums
    correction = 1 - ties / (n**3 - n)
    if correction == 0:
        return _nan_test(n, k, [msg("compare_all_equal")])
    h = float((12 / (n * (n + 1)) * np.sum(sums**2 / table["n"]) - 3 * (n + 1))
              / correction)
    return GroupTest(h, k - 1, math.nan, float(special.chdtrc(k - 1, h)), h / (n - 1), n, k)


# ---------------------------------------------------------------- studentized range distribution
# scipy.stats.studentized_range integrates adaptively: about 20 ms per value, seconds per table,
# and it loses relative accuracy for tiny p at large df. The same double integral on fixed
# Gauss-Legendre grids is vectorised over pairs and accurate to ~1e-9 (see tests).
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)


def _gauss_legendre(lo: np.ndarray, hi: np.ndarray, pieces: int) -> tuple[np.ndarray, np.ndarray]:
    """Composite 16-point Gauss-Legendre nodes and weights on [lo, hi] (one row per interval)."""
    edges = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, pieces + 1)
    half, mid = (edges[:, 1:] - edges[:, :-1]) / 2, (edges[:, 1:] + edges[:, :-1]) / 2
    nodes = mid[:, :, None] + half[:, :, None] * _GL_NODES
    return nodes.reshape(len(lo), -1), (half[:, :, None] * _GL_WEIGHTS).reshape(len(lo), -1)


@dataclass(frozen=True)
class _Grids:
    """The quadrature of the studentized range's double integral: ``pieces`` 16-point pieces of
    the outer integral in log s between the ``tail`` quantiles of s, and of the inner one in z on
    [-8.5, 8.5] (``z``, Φ(z) and φ(z) times the weights)."""

    pieces: int
    tail: float
    z: np.ndarray
    phi_z: np.ndarray
    pdf_z_weights: np.ndarray

    @classmethod
    def make(cls, pieces: int, inner_pieces: int, tail: float) -> _Grids:
        z, weights = (a[0] for a in _gauss_legendre(np.array([-8.5]), np.array([8.5]),
                                                    inner_pieces))
        return cls(pieces, tail, z, special.ndtr(z),
                   np.exp(-z**2 / 2) / math.sqrt(2 * math.pi) * weights)


#: the grids of every value reported (p and critical values)
_FINE = _Grids.make(16, 6, 1e-16)
#: an eighth of the nodes: the critical values' first Newton steps (sf within ~1e-6 for df >= 2)
_COARSE = _Grids.make(4, 3, 1e-8)


def _range_sf(w: np.ndarray, k: int, grids: _Grids = _FINE,
              density: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """:func:`_range_sf_row` of each row of the 2-d ``w`` (one row per p or critical value):
    a row's arrays (its outer nodes x the inner nodes, ~200 KB) stay in the processor's cache,
    those of all rows at once (~2 MB for ten pairs) did not and took twice the time. Each
    value is computed by the same operations as on all rows at once (bit-identical, tested)."""
    rows = [_range_sf_row(row, k, grids, density) for row in w]
    if not density:
        return np.stack(rows)
    return np.stack([sf for sf, _ in rows]), np.stack([g for _, g in rows])


def _range_sf_row(w: np.ndarray, k: int, grids: _Grids = _FINE,
                  density: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """P(range of k standard normals > w), without cancellation for large w; with ``density``
    also the range's density at w, k(k-1) ∫ φ(z) φ(z-w) (Φ(z) - Φ(z-w))^(k-2) dz."""
    a = grids.phi_z
    shifted = grids.z - w[..., None]
    b = special.ndtr(shifted)
    c = a - b
    # a^(k-1) - c^(k-1) = b * S with S = sum_j a^j c^(k-2-j), by S <- a S + c^m (Horner from
    # S = 1, written in place from its second step S = a + c); power ends as c^(k-2)
    if k == 2:
        total = power = np.ones_like(c)
    else:
        total, power = a + c, c
        for _ in range(k - 3):
            power = power * c
            total *= a
            total += power
    sf = k * (b * total) @ grids.pdf_z_weights
    if not density:
        return sf
    phi = np.exp(-shifted**2 / 2) / math.sqrt(2 * math.pi)
    return sf, k * (k - 1) * (phi * power) @ grids.pdf_z_weights


def _outer(nu: np.ndarray, grids: _Grids) -> tuple[np.ndarray, np.ndarray]:
    """The outer integral's nodes s (one row per ``nu``) and their weights times the density of
    :math:`s = \\sqrt{\\chi^2_\\nu/\\nu}`, in log s between the grids' tail quantiles."""
    from scipy import stats

    lo = np.log(stats.chi2.ppf(grids.tail, nu) / nu) / 2
    hi = np.log(stats.chi2.isf(grids.tail, nu) / nu) / 2
    x, weights = _gauss_legendre(lo, hi, grids.pieces)
    s, half = np.exp(x), nu[:, None] / 2
    log_density = (half * np.log(nu[:, None]) - special.gammaln(half) - (half - 1) * math.log(2)
                   + nu[:, None] * x - nu[:, None] * s * s / 2)
    return s, weights * np.exp(log_density)


def studentized_range_sf(q, k: int, df) -> np.ndarray:
    r"""Upper tail P(Q > q) of the studentized range of ``k`` means with ``df`` degrees of freedom.

    Notes
    -----
    :math:`P(Q > q) = \int_0^\infty f_\nu(s)\, P(R_k > qs)\, ds` with :math:`f_\nu` the
    density of :math:`\sqrt{\chi^2_\nu/\nu}` and
    :math:`P(R_k > w) = k\int \phi(z)[\Phi(z)^{k-1} - (\Phi(z) - \Phi(z - w))^{k-1}]dz`. Both
    integrals use composite Gauss-Legendre rules, the outer one in :math:`\log s` between the
    1e-16 quantiles (a smooth integrand for any df > 0). Vectorised over ``q`` and ``df``.
    For two means the range is :math:`\sqrt 2 |t_\nu|`, so :math:`P(Q > q) = 2 P(t_\nu > q/\sqrt 2)`
    exactly (Student's t, no integral). Checked against the exact two-means case and R's
    ``ptukey``.
    """
    q, df = np.broadcast_arrays(np.asarray(q, dtype=float), np.asarray(df, dtype=float))
    shape = q.shape
    q, df = q.ravel(), df.ravel()
    out = np.full(q.shape, np.nan)
    ok = np.isfinite(q) & np.isfinite(df) & (df > 0) & (q >= 0)
    if ok.any():
        if k == 2:
            out[ok] = 2 * special.stdtr(df[ok], -q[ok] / math.sqrt(2))
        else:
            out[ok] = _studentized_range_integral(q[ok], k, df[ok])
    return np.clip(out, 0.0, 1.0).reshape(shape)


def _studentized_range_integral(q: np.ndarray, k: int, nu: np.ndarray) -> np.ndarray:
    """The double integral of :func:`studentized_range_sf` for finite ``q`` >= 0 and ``nu`` > 0
    (1-d arrays of one length)."""
    s, weighted = _outer(nu, _FINE)
    return np.sum(weighted * _range_sf(q[:, None] * s, k), axis=1)


def studentized_range_isf(alpha: float, k: int, df) -> np.ndarray:
    r"""Critical value q with P(Q > q) = ``alpha`` (vectorised over ``df``); for two means exactly
    :math:`\sqrt 2\, t_{\nu}(1 - \alpha/2)`.

    Notes
    -----
    Newton's method for :math:`\log P(Q > q) = \log\alpha` in :math:`\log q`, from the
    Bonferroni bound :math:`\sqrt 2\, t_\nu(\alpha/(k(k-1)))` (a little above q). The
    derivative :math:`\partial P(Q > q)/\partial q = -\int f_\nu(s)\, s\, g_k(qs)\, ds`, with
    :math:`g_k` the density of the range, is integrated on the same nodes as the probability.
    The first steps use an eighth of the nodes (:data:`_COARSE`, to a step of 1e-6), the last ones
    the nodes of :func:`studentized_range_sf`, until a step is below 1e-5 (usually the first):
    Newton's error after a step of size h is about h²/2, below 1e-10 in log q. Equal to the
    former regula falsi on the same integral to 1e-10 (``tests/test_comparisons.py``) with a
    quarter of the integrals.
    """
    df = np.atleast_1d(np.asarray(df, dtype=float))
    out = np.full(df.shape, np.nan)
    ok = np.isfinite(df) & (df > 0)
    if not ok.any():
        return out
    nu = df[ok]
    from scipy import stats

    if k == 2:
        out[ok] = math.sqrt(2) * stats.t.isf(alpha / 2, nu)
        return out
    log_q = np.log(math.sqrt(2) * stats.t.isf(alpha / (k * (k - 1)), nu))
    failed = np.zeros(len(nu), dtype=bool)  # no integral (df so small that the grid is NaN)
    for grids, small in ((_COARSE, 1e-6), (_FINE, 1e-5)):
        s, weighted = _outer(nu, grids)
        for _ in range(100):
            q = np.exp(log_q)
            sf, density = _range_sf(q[:, None] * s, k, grids, density=True)
            sf, slope = np.sum(weighted * sf, axis=1), -np.sum(weighted * s * density, axis=1)
            failed |= np.isnan(sf)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = (np.log(sf) - math.log(alpha)) * sf / (q * slope)
            # at most 1 in log q; down where P underflows to 0 (NaN), in the right direction
            # where the density underflows (±inf)
            step = np.clip(np.nan_to_num(step, nan=1.0), -1.0, 1.0)
            log_q = log_q - step
            if np.all((np.abs(step) < small) | failed):
                break
    out[ok] = np.where(failed | (np.abs(step) >= small), np.nan, np.exp(log_q))
    return out


def _pairs(used: _Levels) -> tuple[list, list, dict, dict]:
    """All pairs (a, b) of the levels, in level order, and the levels' :attr:`_Levels.stats`
    for side a and side b (one value per pair)."""
    a, b = (np.array(side) for side in zip(*combinations(range(len(used.levels)), 2)))
    levels = used.levels
    return ([levels[i] for i in a], [levels[j] for j in b],
            {key: values[a] for key, values in used.stats.items()},
            {key: values[b] for key, values in used.stats.items()})


def _posthoc_frame(columns: dict) -> pd.DataFrame:
    """A post-hoc table from its columns; without pairs, empty columns of dtype object."""
    return pd.DataFrame(columns) if len(columns["a"]) else pd.DataFrame(columns=list(columns))


def tukey_hsd(values: pd.Series, labels: pd.Series, *, confidence: float = 0.95) -> pd.DataFrame:
    """Tukey's HSD (Tukey-Kramer for unequal n) for all pairs of levels.

    Parameters
    ----------
    values, labels : as in :func:`anova_oneway`.
    confidence : level of the simultaneous confidence intervals.

    Returns
    -------
    DataFrame
        One row per pair: ``a``, ``b``, ``diff`` (mean b - mean a), ``se``, ``q``, ``ci_lo``,
        ``ci_hi``, ``p_adj``. Empty when fewer than two levels have two scores.

    Notes
    -----
    :math:`SE = \\sqrt{MS_W/2 \\cdot (1/n_a + 1/n_b)}`, :math:`q = |diff|/SE`, p from the
    studentized range distribution with k and N - k degrees of freedom, CI
    :math:`diff \\pm q_{crit} SE`. Checked against R's ``TukeyHSD``.

    References
    ----------
    Kramer, C. Y. (1956). Extension of multiple range tests to group means with unequal numbers of
    replications. Biometrics, 12, 307-310.
    """
    return _posthoc_frame(_tukey(_from_series(values, labels).used(), confidence))


def _tukey(used: _Levels, confidence: float = 0.95) -> dict:
    """The columns of :func:`tukey_hsd`."""
    table = used.stats
    n, k = int(table["n"].sum()), len(table["n"])
    if _too_few(used.levels, n):
        return dict.fromkeys(["a", "b", "diff", "se", "q", "ci_lo", "ci_hi", "p_adj"], [])
    ms_within = float(np.nansum((table["n"] - 1) * table["var"])) / (n - k)
    a, b, first, second = _pairs(used)
    diff = second["mean"] - first["mean"]
    se = np.sqrt(ms_within / 2 * (1 / first["n"] + 1 / second["n"]))
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.abs(diff) / se
    crit = _tukey_critical(1 - confidence, k, n - k)
    return {
        "a": a, "b": b, "diff": diff, "se": se, "q": q, "ci_lo": diff - crit * se,
        "ci_hi": diff + crit * se, "p_adj": studentized_range_sf(q, k, n - k),
    }


@lru_cache(maxsize=256)
def _tukey_critical(alpha: float, k: int, df: int) -> float:
    """Tukey's critical value :func:`studentized_range_isf` (alpha, k, df), kept: every score
    compared across the same levels with the same number of answers asks for the same one."""
    return float(studentized_range_isf(alpha, k, df)[0])


def games_howell(values: pd.Series, labels: pd.Series, *, confidence: float = 0.95) -> pd.DataFrame:
    """Games-Howell post-hoc test for all pairs (unequal variances and n).

    Parameters
    ----------
    values, labels : as in :func:`anova_oneway`.
    confidence : level of the simultaneous confidence intervals.

    Returns
    -------
    DataFrame
        One row per pair: ``a``, ``b``, ``diff`` (mean b - mean a), ``se``, ``t``, ``df``,
        ``ci_lo``, ``ci_hi``, ``p_adj``.

    Notes
    -----
    :math:`SE = \\sqrt{s_a^2/n_a + s_b^2/n_b}`, :math:`t = diff/SE`, Welch-Satterthwaite df,
    :math:`p = P(Q_{k,df} > |t|\\sqrt 2)` from the studentized range distribution, CI
    :math:`diff \\pm q_{crit}(k, df)/\\sqrt 2 \\cdot SE`. A pair with two zero variances gives NaN.
    Checked against ``rstatix::games_howell_test`` and ``ptukey`` in R.

    References
    ----------
    Games, P. A., & Howell, J. F. (1976). Pairwise multiple comparison procedures with unequal n's
    and/or variances. Journal of Educational Statistics, 1, 113-125.
    """
    return _posthoc_frame(_games_howell(_from_series(values, labels).used(), confidence))


def _games_howell(used: _Levels, confidence: float = 0.95) -> dict:
    """The columns of :func:`games_howell`."""
    k = len(used.levels)
    if k < 2:
        return dict.fromkeys(["a", "b", "diff", "se", "t", "df", "ci_lo", "ci_hi", "p_adj"], [])
    a, b, first, second = _pairs(used)
    va = first["var"] / first["n"]
    vb = second["var"] / second["n"]
    diff = second["mean"] - first["mean"]
    se = np.sqrt(va + vb)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = diff / se
        df = (va + vb) ** 2 / (va**2 / (first["n"] - 1) + vb**2 / (second["n"] - 1))
    crit = studentized_range_isf(1 - confidence, k, df) / math.sqrt(2)
    return {
        "a": a, "b": b, "diff": diff, "se": se, "t": t, "df": df, "ci_lo": diff - crit * se,
        "ci_hi": diff + crit * se, "p_adj": studentized_range_sf(np.abs(t) * math.sqrt(2), k, df),
    }


def dunn(values: pd.Series, labels: pd.Series, *, adjust: str = "holm") -> pd.DataFrame:
    """Dunn's pairwise rank test after Kruskal-Wallis, p adjusted across pairs.

    Parameters
    ----------
    values, labels : as in :func:`anova_oneway`.
    adjust : ``"holm"`` (default) or ``"bh"`` (:func:`analysis.gaps.adjust_pvalues`).

    Returns
    -------
    DataFrame
        One row per pair: ``a``, ``b``, ``z`` (positive when b ranks higher), ``p`` (two-sided),
        ``p_adj``.

    Notes
    -----
    Ranks over all complete scores (ties averaged);
    :math:`z = (\\bar R_b - \\bar R_a) / \\sqrt{(N(N+1)/12 - \\sum(t^3-t)/(12(N-1)))
    (1/n_a + 1/n_b)}`.
    Checked against ``rstatix::dunn_test(p.adjust.method = "holm")`` and a hand-coded R version.

    References
    ----------
    Dunn, O. J. (1964). Multiple comparisons using rank sums. Technometrics, 6, 241-252.
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian
    Journal of Statistics, 6, 65-70.
    """
    return _posthoc_frame(_dunn(_from_series(values, labels).used(), adjust))


def _dunn(used: _Levels, adjust: str = "holm") -> dict:
    """The columns of :func:`dunn`."""
    n = int(used.stats["n"].sum())
    if _too_few(used.levels, n):
        return dict.fromkeys(["a", "b", "z", "p", "p_adj"], [])
    a, b, first, second = _pairs(used)
    variance = n * (n + 1) / 12 - used.rank_sums[1] / (12 * (n - 1))
    se = np.sqrt(variance * (1 / first["n"] + 1 / second["n"]))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (second["mean_rank"] - first["mean_rank"]) / se
    p = 2 * special.ndtr(-np.abs(z))
    return {"a": a, "b": b, "z": z, "p": p, "p_adj": adjust_pvalues(p, adjust)}


def compact_letters(levels: list[str], different: set[frozenset]) -> dict[str, str]:
    """The compact letter display of post-hoc results: levels that share a letter do not differ
    significantly; each pair in ``different`` shares none.

    Parameters
    ----------
    levels : the levels in display order (by descending mean, so that "a" marks the highest).
    different : the pairs of levels that differ significantly, as ``frozenset({a, b})``.

    Returns
    -------
    dict
        level -> its letters ("a", "ab", ...); letters are assigned in the order of each letter's
        first level.

    Notes
    -----
    Piepho's insert-and-absorb algorithm: start with one letter shared by all levels; for each
    different pair (i, j), every letter held by both is split into a copy without i and a copy
    without j, and a letter whose levels are a subset of another letter's is dropped. The result
    has the fewest letters the algorithm reaches (R ``multcompView::multcompLetters``).

    References
    ----------
    Piepho, H.-P. (2004). An algorithm for a letter-based representation of all-pairwise
    comparisons. *Journal of Computational and Graphical Statistics*, 13(2), 456-466.
    """
    columns: list[set] = [set(levels)] if levels else []
    order = sorted((sorted(pair, key=levels.index) for pair in different),
                   key=lambda pair: [levels.index(level) for level in pair])
    for i, j in order:
        while any(i in c and j in c for c in columns):
            c = next(c for c in columns if i in c and j in c)
            columns.remove(c)
            columns += [c - {j}, c - {i}]
            kept = []
            for k, col in enumerate(columns):
                if not any(col < other or (col == other and m < k) for m, other in enumerate(columns)):
                    kept.append(col)
            columns = kept
    columns.sort(key=lambda c: sorted(levels.index(level) for level in c))
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return {level: "".join(letters[k % len(letters)] for k, c in enumerate(columns) if level in c)
            for level in levels}


def _letters(levels: list[dict], pairs: list[dict], alpha: float = 0.05) -> dict[str, str]:
    """Compact letters of one post-hoc method's pairs (adjusted p below ``alpha``), over the
    tested levels (n >= 2) in descending order of their means."""
    tested = sorted((lv for lv in levels if lv["n"] >= 2 and lv["mean"] is not None
                     and not math.isnan(lv["mean"])), key=lambda lv: -lv["mean"])
    names = [lv["level"] for lv in tested]
    different = {frozenset((r["a"], r["b"])) for r in pairs
                 if r.get("p_adj") is not None and r["p_adj"] < alpha
                 and r["a"] in names and r["b"] in names}
    return compact_letters(names, different)


def _pairs_json(table: dict, columns: list[str]) -> list[dict]:
    """Post-hoc rows (the columns of :func:`_tukey` and the others) as dicts, the CI as
    ``ci: [lo, hi]``, labels as strings."""
    values = {c: np.asarray(v).tolist() for c, v in table.items() if c not in ("a", "b")}
    rows = []
    for i, (a, b) in enumerate(zip(table["a"], table["b"])):
        entry = {"a": str(a), "b": str(b)}
        entry.update({c: values[c][i] for c in columns})
        if "ci_lo" in table:
            entry["ci"] = [values["ci_lo"][i], values["ci_hi"][i]]
        rows.append(entry)
    return rows


def _compare(levels: _Levels, min_n: int) -> dict:
    """All tests of one outcome across one column's levels, JSON-ready."""
    summary = levels.stats
    used = levels.used()
    anova, welch, kruskal = _anova(used), _welch(used), _kruskal(used)
    columns = {key: summary[key].tolist() for key in ("n", "mean", "sd", "median")}
    entries = [{"level": str(level), "n": int(n), "mean": mean, "sd": sd, "median": median,
                "small": bool(n < min_n)}
               for level, n, mean, sd, median in zip(levels.levels, *columns.values())]
    warnings = list(dict.fromkeys(anova.warnings + welch.warnings + kruskal.warnings))
    dropped = [entry["level"] for entry in entries if entry["n"] < 2]
    if dropped:
        warnings.append(msg("compare_levels_left_out", levels=", ".join(dropped)))
    posthoc = {
        "tukey": _pairs_json(_tukey(used), ["diff", "se", "q", "p_adj"]),
        "games_howell": _pairs_json(_games_howell(used), ["diff", "se", "t", "df", "p_adj"]),
        "dunn": _pairs_json(_dunn(used), ["z", "p", "p_adj"]),
    }
    return {
        "n": anova.n, "k": anova.k, "levels": entries,
        "anova": {"f": anova.statistic, "df1": anova.df1, "df2": anova.df2, "p": anova.p,
                  "eta2": anova.effect_size},
        "welch": {"f": welch.statistic, "df1": welch.df1, "df2": welch.df2, "p": welch.p},
        "kruskal": {"h": kruskal.statistic, "df": kruskal.df1, "p": kruskal.p,
                    "epsilon2": kruskal.effect_size},
        **posthoc,
        "letters": {method: _letters(entries, pairs) for method, pairs in posthoc.items()},
        "warnings": warnings,
    }


def comparisons_section(
    frames: dict[str, pd.DataFrame],
    *,
    dimensions: dict[str, list[str]],
    by: list[str],
    satisfaction: list[str] | None = None,
    min_n: int = 5,
) -> dict:
    """The ``"comparisons"`` section of results.json: every score compared across every ``by``
    column's levels, per respondent group.

    Parameters
    ----------
    frames : group name -> DataFrame (item columns float, segment columns as strings).
    dimensions : dimension -> item columns; each dimension score (mean of the respondent's
        answered items) is compared.
    by : categorical columns to compare across (e.g. region, customer type). A group without the
        column is skipped for it; rows with a missing label are dropped.
    satisfaction : overall-satisfaction items; their mean is compared as outcome
        ``"satisfaction"``.
    min_n : levels with fewer scores are marked ``"small": true`` (still tested when n >= 2).

    Returns
    -------
    dict
        ``{GROUP: {BY: {OUTCOME: {"n", "k", "levels": [{"level", "n", "mean", "sd", "median",
        "small"}], "anova": {"f", "df1", "df2", "p", "eta2"}, "welch": {"f", "df1", "df2", "p"},
        "kruskal": {"h", "df", "p", "epsilon2"}, "tukey": [{"a", "b", "diff", "se", "q", "p_adj",
        "ci"}], "games_howell": [{"a", "b", "diff", "se", "t", "df", "p_adj", "ci"}],
        "dunn": [{"a", "b", "z", "p", "p_adj"}], "letters": {"tukey" | "games_howell" | "dunn":
        {LEVEL: "ab"}}, "warnings": [...]}}}}``; None for undefined. Letters
        (:func:`compact_letters`, adjusted p < .05) start with "a" at the highest mean.
    """
    section = {}
    for group, frame in frames.items():
        source = as_responses(frame)
        asked = satisfaction and set(satisfaction) <= set(source.columns)
        scores = respondent_scores(source, dimensions,
                                   {"satisfaction": satisfaction} if asked else None)
        section[group] = {}
        for column in by:
            if column in source.columns:
                parts = scores.split(source.frame[column])  # once for every outcome
                section[group][column] = {outcome: _compare(_levels_of(parts, outcome), min_n)
                                          for outcome in scores.columns}
    return json_ready(section)
