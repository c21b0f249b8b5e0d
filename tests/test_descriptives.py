"""Descriptive statistics and score correlations against R (tests/reference/descriptives.R ->
descriptives.json: psych::skew/kurtosi type 2, cor.test) and Microsoft's SKEW/KURT examples."""
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.descriptives import (describe, descriptives_section, kurtosis,
                                   pearson_correlations, skewness)

HERE = Path(__file__).parent
REF = json.loads((HERE / "reference" / "descriptives.json").read_text())
DIMS = {"D1": ["i1", "i2", "i3"], "D2": ["i4", "i5", "i6"]}


@pytest.fixture(scope="module")
def section():
    frame = pd.read_csv(HERE / "fixtures" / "indices.csv").drop(columns="region").astype(float)
    return descriptives_section({"customers": frame}, dimensions=DIMS, satisfaction=["w1", "w2"],
                                loyalty=["l1", "l2"])["customers"]


def test_skewness_and_kurtosis_match_excel_documentation():
    # Microsoft's SKEW and KURT function pages, data 3,4,5,2,3,4,5,6,4,7
    data = [3, 4, 5, 2, 3, 4, 5, 6, 4, 7]
    assert skewness(data) == pytest.approx(0.359543, abs=5e-7)
    assert kurtosis(data) == pytest.approx(-0.151799637, abs=5e-10)


def test_skewness_and_kurtosis_match_psych_type_2():
    squares = np.arange(1, 11) ** 2
    assert skewness(squares) == pytest.approx(REF["squares"]["skewness"], rel=1e-9)
    assert kurtosis(squares) == pytest.approx(REF["squares"]["kurtosis"], rel=1e-9)


def test_items_match_r(section):
    assert list(section["items"]) == list(REF["items"])
    for item, expected in REF["items"].items():
        got = section["items"][item]
        for key, value in expected.items():
            assert got[key] == pytest.approx(value, rel=1e-6), (item, key)


def test_scores_match_r(section):
    got = {**section["dimensions"], **section["outcomes"]}
    assert list(section["dimensions"]) == ["D1", "D2"]
    assert list(section["outcomes"]) == ["satisfaction", "loyalty"]
    for name, expected in REF["scores"].items():
        for key, value in expected.items():
            assert got[name][key] == pytest.approx(value, rel=1e-6), (name, key)


def test_correlations_match_cor_test(section):
    assert list(section["correlations"]) == list(REF["correlations"])
    for pair, expected in REF["correlations"].items():
        got = section["correlations"][pair]
        assert got["n"] == expected["n"]
        assert got["r"] == pytest.approx(expected["r"], rel=1e-6)
        assert got["p"] == pytest.approx(expected["p"], rel=1e-6)


def test_undefined_statistics_are_none_or_nan():
    assert math.isnan(skewness([1, 2])) and math.isnan(kurtosis([1, 2, 3]))
    assert math.isnan(skewness([2, 2, 2, 2]))
    table = describe(pd.DataFrame({"x": [np.nan, np.nan], "y": [1.0, np.nan]}))
    assert table.loc["x", "n"] == 0 and math.isnan(table.loc["x", "mean"])
    assert table.loc["y", "n"] == 1 and math.isnan(table.loc["y", "sd"])
    pairs = pearson_correlations(pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [5.0, 5, 5, 5]}))
    assert pairs.loc[0, "n"] == 4 and math.isnan(pairs.loc[0, "r"])
    section = descriptives_section({"g": pd.DataFrame({"a": [1.0, 2.0]})}, dimensions={"d": ["a"]})
    assert section["g"]["items"]["a"]["skewness"] is None
    assert section["g"]["correlations"] == {} and section["g"]["outcomes"] == {}


def test_counts_and_moments_equal_the_sums_over_the_rows():
    """describe (from value counts) and pearson_correlations (from the pairwise moments) give
    the row-wise definitions to 1e-9 on items and scores with missing answers."""
    from analysis.indices import respondent_scores

    rng = np.random.default_rng(7)
    items = np.clip(np.rint(3 + rng.standard_normal((600, 1)) + rng.standard_normal((600, 6))),
                    1, 5)
    items[rng.random(items.shape) < 0.15] = np.nan
    frame = pd.DataFrame(items, columns=[f"q{i}" for i in range(6)])
    scores = respondent_scores(frame, {"A": ["q0", "q1", "q2"], "B": ["q3", "q4", "q5"]},
                               {"all": list(frame.columns)})
    for data in (frame, scores.frame):
        table = describe(data)
        for column in data.columns:
            x = data[column].dropna().to_numpy()
            want = [len(x), x.mean(), x.std(ddof=1), x.min(), x.max(), skewness(x), kurtosis(x)]
            assert table.loc[column].tolist() == pytest.approx(want, rel=1e-9, abs=1e-12)
    pairs = pearson_correlations(scores)
    for row in pairs.itertuples():
        both = scores.frame[[row.a, row.b]].dropna().to_numpy()
        r = np.corrcoef(both.T)[0, 1]
        assert (row.n, row.r) == (len(both), pytest.approx(r, rel=1e-9, abs=1e-12))
