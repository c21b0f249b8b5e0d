"""Rank tests from value counts: Mann-Whitney, Kruskal-Wallis, Dunn and the Wilcoxon signed-rank
test in O(distinct values), not O(n log n).

Likert answers (and dimension scores, differences of answers) take a handful of distinct values.
Tied values share the mean of the ranks they occupy (the mid-rank), so with the pooled counts
c_1 … c_m of the ascending distinct values, value v has the mid-rank
``c_1 + … + c_{v-1} + (c_v + 1)/2`` and a group's rank sum is Σ_v (its count of v) × mid-rank(v);
the tie correction is Σ_v (t_v³ - t_v) over the pooled counts t_v. Nothing else of the rows is
needed, so the tests run on :class:`analysis.moments.Counts` (or on the counts a database returns
for ``GROUP BY value``). Each function equals the scipy (and R) test on the rows to rounding
(tests/test_ranks.py compares them to 1e-12).
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from scipy import special

from analysis.moments import Counts, pooled_counts

__all__ = ["midranks", "tie_term", "rank_sums", "mann_whitney", "kruskal_wallis",
           "wilcoxon_signed_rank"]


def midranks(counts: np.ndarray) -> np.ndarray:
    """Mid-rank of each distinct value, given how often each occurs (values ascending)."""
    counts = np.asarray(counts, dtype=np.float64)
    return np.cumsum(counts) - counts + (counts + 1) / 2


def tie_term(counts: np.ndarray) -> float:
    """Σ (t³ - t) over the counts t of tied values (exact in integers)."""
    t = np.asarray(counts, dtype=np.int64)
    return float(sum(int(c) ** 3 - int(c) for c in t[t > 1]))


def rank_sums(parts: Sequence[Counts]) -> tuple[np.ndarray, np.ndarray, float]:
    """The rank sum of each group among all of them pooled, the group sizes and the pooled tie
    term Σ(t³ - t)."""
    _, table = pooled_counts(parts)
    ranks = midranks(table.sum(axis=0))
    return table @ ranks, table.sum(axis=1), tie_term(table.sum(axis=0))


def mann_whitney(x: Counts, y: Counts) -> tuple[float, float]:
    """Mann-Whitney U of ``x`` and the two-sided p of the normal approximation with tie and
    continuity correction.

    Notes
    -----
    ``U = R_x - n_x(n_x + 1)/2``; with ``μ = n_x n_y / 2`` and
    ``σ² = n_x n_y / 12 · ((N + 1) - Σ(t³ - t)/(N(N - 1)))``,
    ``z = (max(U, n_x n_y - U) - μ - 1/2) / σ`` and ``p = 2 Φ(-z)`` (at most 1): scipy's
    ``mannwhitneyu(method="asymptotic", use_continuity=True)``, R's
    ``wilcox.test(exact=FALSE, correct=TRUE)`` (U is R's W). NaN when a group is empty.
    """
    n1, n2 = x.n, y.n
    if n1 == 0 or n2 == 0:
        return math.nan, math.nan
    sums, _, ties = rank_sums([x, y])
    u1 = float(sums[0]) - n1 * (n1 + 1) / 2
    n = n1 + n2
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))) if n > 1 else 0.0
        z = (max(u1, n1 * n2 - u1) - n1 * n2 / 2 - 0.5) / np.float64(sd)
    return u1, float(np.clip(2 * special.ndtr(-z), 0.0, 1.0))


def kruskal_wallis(parts: Sequence[Counts]) -> tuple[float, float, int]:
    """Kruskal-Wallis H (tie-corrected), its χ² p with k - 1 df, and N.

    Notes
    -----
    ``H = (12/(N(N+1)) Σ R_i²/n_i - 3(N+1)) / (1 - Σ(t³ - t)/(N³ - N))`` (scipy ``kruskal``,
    R ``kruskal.test``); NaN when every answer is the same value.
    """
    sums, sizes, ties = rank_sums(parts)
    n = int(sizes.sum())
    correction = 1 - ties / (n**3 - n) if n > 1 else 0.0
    if correction == 0:
        return math.nan, math.nan, n
    h = (12.0 / (n * (n + 1)) * float(np.sum(sums**2 / sizes)) - 3 * (n + 1)) / correction
    return h, float(special.chdtrc(len(parts) - 1, h)), n


def wilcoxon_signed_rank(differences: Counts) -> tuple[float, float]:
    """Wilcoxon signed-rank V (sum of the ranks of the positive differences, zeros dropped) and its
    two-sided p from the normal approximation with tie and continuity correction.

    Notes
    -----
    The absolute non-zero differences are ranked (mid-ranks for ties); with n of them,
    ``z = (V - n(n+1)/4 - sign·1/2) / σ``, ``σ² = (n(n+1)(2n+1) - Σ(t³ - t)/2) / 24`` and
    ``p = 2 Φ(-|z|)``: scipy's ``wilcoxon(zero_method="wilcox", correction=True,
    method="approx")``, R's ``wilcox.test(paired=TRUE, exact=FALSE, correct=TRUE)`` (V).
    NaN without a non-zero difference.
    """
    keep = differences.values != 0
    values, counts = differences.values[keep], differences.counts[keep]
    if counts.sum() == 0:
        return math.nan, math.nan
    magnitudes, at = np.unique(np.abs(values), return_inverse=True)
    pooled = np.bincount(at, weights=counts, minlength=len(magnitudes)).astype(np.int64)
    ranks = midranks(pooled)
    v = float(np.sum(counts[values > 0] * ranks[at[values > 0]]))
    n = int(counts.sum())
    sd = math.sqrt((n * (n + 1) * (2 * n + 1) - tie_term(pooled) / 2) / 24)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (v - n * (n + 1) / 4) / np.float64(sd)
        z = z - np.sign(z) * 0.5 / np.float64(sd)
    return v, float(np.clip(2 * special.ndtr(-abs(z)), 0.0, 1.0))
