"""Rank tests from value counts (analysis.ranks) equal scipy's tests on the rows to 1e-12, ties
(and their correction) included, for whole numbers and for dimension scores (rationals)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import ranks
from analysis.comparisons import dunn
from analysis.moments import Responses, row_path

TOL = 1e-12


def _counts(values: np.ndarray):
    return Responses(pd.DataFrame({"v": values})).counts("v")


def _samples(rng, size: int, thirds: bool) -> np.ndarray:
    values = rng.integers(1, 6, size).astype(float)
    return np.round(values / 3, 12) * 3 / rng.integers(1, 4) if thirds else values


@pytest.mark.parametrize("thirds", [False, True])
def test_mann_whitney_and_kruskal_equal_scipy(thirds):
    rng = np.random.default_rng(5)
    for _ in range(60):
        x, y, z = (_samples(rng, int(rng.integers(2, 80)), thirds) for _ in range(3))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = stats.mannwhitneyu(x, y, use_continuity=True, alternative="two-sided",
                                          method="asymptotic")
            h = stats.kruskal(x, y, z)
        u, p = ranks.mann_whitney(_counts(x), _counts(y))
        assert u == pytest.approx(expected.statistic, rel=TOL, abs=TOL)
        if np.isnan(expected.pvalue):
            assert np.isnan(p)
        else:
            assert p == pytest.approx(expected.pvalue, rel=TOL, abs=TOL)
        statistic, p_h, n = ranks.kruskal_wallis([_counts(x), _counts(y), _counts(z)])
        assert n == len(x) + len(y) + len(z)
        if np.isnan(h.statistic):
            assert np.isnan(statistic)
        else:
            assert statistic == pytest.approx(h.statistic, rel=TOL)
            assert p_h == pytest.approx(h.pvalue, rel=TOL, abs=TOL)


def test_wilcoxon_signed_rank_equals_scipy():
    rng = np.random.default_rng(6)
    for _ in range(60):
        d = rng.integers(-3, 4, int(rng.integers(1, 60))).astype(float)
        v, p = ranks.wilcoxon_signed_rank(_counts(d))
        nonzero = d[d != 0]
        if not nonzero.size:
            assert np.isnan(v) and np.isnan(p)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = stats.wilcoxon(nonzero, zero_method="wilcox", correction=True,
                                      method="approx")
        assert v == stats.rankdata(np.abs(nonzero))[nonzero > 0].sum()
        assert p == pytest.approx(expected.pvalue, rel=TOL, abs=TOL)


def test_dunn_from_counts_equals_dunn_from_the_ranked_rows():
    rng = np.random.default_rng(7)
    values = pd.Series(rng.integers(1, 6, 300).astype(float))
    labels = pd.Series(rng.choice(["a", "b", "c", "d"], 300))
    from_counts = dunn(values, labels)
    with row_path():
        from_rows = dunn(values, labels)
    pd.testing.assert_frame_equal(from_counts, from_rows, rtol=TOL, atol=TOL)
