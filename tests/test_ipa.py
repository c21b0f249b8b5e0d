"""Importance-performance analysis against hand-computed examples."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.drivers import ols_drivers
from analysis.ipa import derived_importance, ipa_quadrants, ipa_section

HERE = Path(__file__).parent
DRIVERS = json.loads((HERE / "reference" / "drivers.json").read_text())

# Hand example: importance 4, 3, 2, 5, 3.5 -> mean 17.5 / 5 = 3.5;
# performance 3, 4, 2, 2.5, 3.5 -> mean 15 / 5 = 3.0.
# p1 sits on the performance cross-hair (3.0) and p5 on the importance cross-hair (3.5):
# both go to the higher side.
IMP = pd.Series({"p1": 4.0, "p2": 3.0, "p3": 2.0, "p4": 5.0, "p5": 3.5})
PERF = pd.Series({"p1": 3.0, "p2": 4.0, "p3": 2.0, "p4": 2.5, "p5": 3.5})


def test_quadrants_by_mean_with_points_on_the_cross_hairs():
    table = ipa_quadrants(IMP, PERF)
    assert table.attrs["importance_center"] == 3.5
    assert table.attrs["performance_center"] == 3.0
    assert list(table["quadrant"]) == [
        "keep_up", "possible_overkill", "low_priority", "concentrate_here", "keep_up"]
    assert list(table["quadrant_zh"]) == ["继续保持", "过度投入", "低优先", "重点改进", "继续保持"]
    assert table.loc["p4", "quadrant_en"] == "concentrate here"
    # priority = (I - 3.5) - (P - 3.0): 0.5, -1.5, -0.5, 2.0, -0.5
    np.testing.assert_allclose(table["priority"], [0.5, -1.5, -0.5, 2.0, -0.5])
    assert list(table["above_diagonal"]) == [True, False, False, True, False]


def test_point_on_the_cross_hair_after_floating_point_mean():
    # the mean of 0.1, 0.2, 0.3 is 0.2 exactly, but 0.20000000000000004 in floating point
    imp = pd.Series([0.1, 0.2, 0.3], index=list("abc"))
    perf = pd.Series([1.0, 2.0, 3.0], index=list("abc"))
    table = ipa_quadrants(imp, perf)
    assert table.attrs["importance_center"] > 0.2
    assert table.loc["b", "quadrant"] == "keep_up"  # importance 0.2 = mean, performance 2 = mean


def test_median_split_and_diagonal_tie():
    imp = pd.Series({"a": 1.0, "b": 2.0, "c": 3.0, "d": 10.0})  # median 2.5, mean 4
    perf = pd.Series({"a": 4.0, "b": 1.0, "c": 2.0, "d": 3.0})  # median 2.5, mean 2.5
    table = ipa_quadrants(imp, perf, split="median")
    assert list(table["quadrant"]) == [
        "possible_overkill", "low_priority", "concentrate_here", "keep_up"]
    assert ipa_quadrants(imp, perf).loc["c", "quadrant"] == "low_priority"  # mean split: 3 < 4
    # on the diagonal: priority exactly 0 -> counts as above (the importance side)
    on_line = ipa_quadrants(pd.Series({"x": 3.0, "y": 4.0}), pd.Series({"x": 2.0, "y": 3.0}))
    assert list(on_line["priority"]) == [0.0, 0.0] and on_line["above_diagonal"].all()


def test_missing_coordinate_gets_no_quadrant():
    imp = IMP.copy()
    imp["p3"] = np.nan  # centre now from p1, p2, p4, p5: importance mean 15.5 / 4 = 3.875
    table = ipa_quadrants(imp, PERF)
    assert pd.isna(table.loc["p3", "quadrant"]) and pd.isna(table.loc["p3", "above_diagonal"])
    assert table.attrs["importance_center"] == 3.875
    assert table.attrs["performance_center"] == 3.25  # (3 + 4 + 2.5 + 3.5) / 4


def test_derived_importance_matches_r(tmp_path):
    mtcars = pd.read_csv(HERE / "fixtures" / "mtcars.csv")
    x = DRIVERS["predictors"]
    corr = derived_importance(mtcars[x], mtcars["mpg"], "derived_corr")
    np.testing.assert_allclose(corr, DRIVERS["r_xy"], rtol=1e-9)  # R: cor(mtcars)
    beta = derived_importance(mtcars[x], mtcars["mpg"], "derived_regression")
    np.testing.assert_allclose(beta, DRIVERS["beta"], rtol=1e-6)  # R: lm, b * sd(x) / sd(y)


def _survey():
    # two dimensions; stated importance asked per dimension; overall satisfaction item s
    return pd.DataFrame({
        "q1": [4.0, 5.0, 3.0, 4.0], "q2": [2.0, np.nan, 4.0, 3.0],  # dimension A
        "q3": [2.0, 3.0, 1.0, 2.0],                                  # dimension B
        "imp_a": [5.0, 4.0, 5.0, 4.0], "imp_b": [3.0, 3.0, 2.0, 4.0],
        "s": [4.0, 5.0, 3.0, 3.0], "region": ["n", "s", "n", "s"],
    })


def test_stated_section_by_hand():
    frame = _survey()
    section = ipa_section({"customers": frame}, dimensions={"A": ["q1", "q2"], "B": ["q3"]},
                          importance={"A": "imp_a", "B": "imp_b", "q3": "imp_b"})
    json.dumps(section, allow_nan=False)
    result = section["customers"]
    points = {p["name"]: p for p in result["points"]}
    # A: respondent scores 3, 5, 3.5, 3.5 -> 3.75; B and q3: 2; importance A 4.5, B 3.
    assert points["A"]["performance"] == 3.75 and points["A"]["importance"] == 4.5
    assert points["B"]["performance"] == 2.0 and points["q3"]["importance"] == 3.0
    assert result["importance_center"] == 3.5 and result["performance_center"] == 7.75 / 3
    assert points["A"]["quadrant"] == "keep_up" and points["B"]["quadrant"] == "low_priority"
    assert points["A"]["n"] == 4 and result["level"] is None


def test_derived_section_equals_the_functions():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.integers(1, 6, size=(60, 4)).astype(float), columns=list("abcd"))
    frame["s"] = (frame["a"] + frame["c"] + rng.integers(0, 2, 60)) / 2
    dims = {"X": ["a", "b"], "Y": ["c"], "Z": ["d"]}
    section = ipa_section({"g": frame, "other": frame[["a"]]}, dimensions=dims,
                          satisfaction=["s"], method="derived_regression", split="median")
    assert set(section) == {"g"}
    points = {p["name"]: p for p in section["g"]["points"]}
    scores = pd.DataFrame({"X": frame[["a", "b"]].mean(axis=1), "Y": frame["c"], "Z": frame["d"],
                           "s": frame["s"]})
    betas = ols_drivers(scores, "s", ["X", "Y", "Z"]).coefficients["beta"]
    for name in "XYZ":
        assert points[name]["importance"] == pytest.approx(betas[name])
    assert section["g"]["importance_center"] == pytest.approx(betas.median())
    items = ipa_section({"g": frame}, dimensions=dims, satisfaction=["s"], method="derived_corr",
                        level="item")
    assert [p["name"] for p in items["g"]["points"]] == list("abcd")
    assert items["g"]["points"][0]["importance"] == pytest.approx(
        np.corrcoef(frame["a"], frame["s"])[0, 1])


def test_bad_arguments():
    with pytest.raises(ValueError):
        ipa_section({}, dimensions={}, method="stated")
    with pytest.raises(ValueError):
        ipa_quadrants(IMP, PERF, split="mode")
