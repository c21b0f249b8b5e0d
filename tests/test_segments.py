"""Customer segments against small hand-checked examples (every expected value worked out in the
comments)."""
import json

import numpy as np
import pandas as pd
import pytest

from analysis.segments import (
    abc_classes, lifecycle_stage, pareto_points, segment_profile, segments_section, value_matrix,
)
from surveys.errors import StudyError


def test_abc_customer_exactly_on_the_cut_offs():
    # total 100; cumulative 40, 65, 80, 90, 95, 98, 100. c3 ends exactly on 80% -> A;
    # c4 starts at 80% -> B; c5 ends exactly on 95% -> B; c6 starts at 95% -> C.
    revenue = pd.Series([10.0, 40.0, 3.0, 25.0, 5.0, 15.0, 2.0],
                        index=["c4", "c1", "c6", "c2", "c5", "c3", "c7"], name="revenue")
    table = abc_classes(revenue)
    assert list(table.index) == ["c1", "c2", "c3", "c4", "c5", "c6", "c7"]
    assert list(table["class"]) == ["A", "A", "A", "B", "B", "C", "C"]
    np.testing.assert_allclose(table["cum_share"], [0.4, 0.65, 0.8, 0.9, 0.95, 0.98, 1.0])
    assert list(table["rank"]) == [1, 2, 3, 4, 5, 6, 7]
    assert table.attrs["total"] == 100.0


def test_abc_customer_crossing_a_cut_off_joins_the_higher_class():
    # total 100; cumulative 50, 72, 90, 96, 100: c3 crosses 80% -> A, c4 crosses 95% -> B.
    table = abc_classes(pd.Series([50.0, 22.0, 18.0, 6.0, 4.0], index=list("12345")))
    assert list(table["class"]) == ["A", "A", "A", "B", "C"]


def test_abc_ties_share_the_higher_class():
    # 70, 10, 10, 10: c2 ends on 80% (A); c3 and c4 tie with c2, so the whole tie group is A.
    table = abc_classes(pd.Series([70.0, 10.0, 10.0, 10.0], index=["a", "b", "c", "d"]))
    assert list(table["class"]) == ["A", "A", "A", "A"]
    # ties keep their input order: b, c, d
    assert list(table.index) == ["a", "b", "c", "d"]
    # 60, 25, 5, 5, 5: the 5s start at 85% (B) and share the class although the last one starts
    # at 95%
    table = abc_classes(pd.Series([60.0, 25.0, 5.0, 5.0, 5.0]))
    assert list(table["class"]) == ["A", "A", "B", "B", "B"]


def test_abc_floating_point_cut_off_and_custom_cutoffs():
    # 0.7 + 0.1 is 0.7999999999999999 in floating point, but c3 starts exactly on 80% -> B
    revenue = pd.Series([0.7, 0.1, 0.09, 0.06, 0.05], index=list("12345"))
    assert list(abc_classes(revenue)["class"]) == ["A", "A", "B", "B", "C"]
    # cut-offs 0.7 / 0.9: c1 ends on 70% -> A; c2 (70-80%) and c3 (80-89%) B; c4 crosses 90% -> B
    assert list(abc_classes(revenue, cutoffs=(0.7, 0.9))["class"]) == ["A", "B", "B", "B", "C"]


def test_abc_missing_zero_and_bad_input():
    table = abc_classes(pd.Series([5.0, np.nan, 0.0, 5.0], index=list("abcd")))
    assert list(table.index) == ["a", "d", "c"] and table.attrs["n_missing"] == 1
    assert list(table["class"]) == ["A", "A", "C"]  # a+d tie (0% before); c starts at 100%
    zero = abc_classes(pd.Series([0.0, 0.0]))
    assert zero["class"].isna().all()
    with pytest.raises(StudyError) as err:
        abc_classes(pd.Series([1.0, -2.0, -1.0], index=[2, 3, 4], name="revenue"))
    assert err.value.row == 3 and err.value.column == "revenue" and len(err.value.more) == 1
    with pytest.raises(StudyError):
        abc_classes(pd.Series([1.0]), cutoffs=(0.95, 0.8))


def test_pareto_points_keep_class_ends():
    table = abc_classes(pd.Series(np.arange(1000, 0, -1, dtype=float)))
    points = pareto_points(table, max_points=11)
    assert points["rank"].iloc[0] == 1 and points["rank"].iloc[-1] == 1000
    last_a = table.loc[table["class"] == "A", "rank"].max()
    assert last_a in set(points["rank"]) and len(points) <= 11 + 2
    assert points["cum_share"].iloc[-1] == pytest.approx(1.0)


def test_value_matrix_cells_and_median_on_a_customer():
    # median value 30 (customer c), median growth 3 (customer c): c is on both cuts -> core
    value = pd.Series([10.0, 20.0, 30.0, 40.0, 50.0], index=list("abcde"))
    growth = pd.Series([5.0, 1.0, 3.0, 2.0, 4.0], index=list("abcde"))
    table = value_matrix(value, growth)
    assert (table.attrs["value_cut"], table.attrs["growth_cut"]) == (30.0, 3.0)
    assert list(table["cell"]) == ["develop", "marginal", "core", "maintain", "core"]
    mean_split = value_matrix(value, growth, split="mean")  # means 30 and 3: same cells
    assert list(mean_split["cell"]) == list(table["cell"])


def test_lifecycle_from_years_and_stage_column():
    years = pd.Series([0.0, 0.5, 1.0, 2.9, 3.0, 10.0, np.nan])
    assert list(lifecycle_stage(years=years)) == [
        "exploration", "exploration", "formation", "formation", "stability", "stability", None]
    assert list(lifecycle_stage(years=years, breaks=(2, 5)))[:4] == [
        "exploration", "exploration", "exploration", "formation"]
    stage = pd.Series(["考察期", "稳定", " Decline", "formation", None, "形成阶段"])
    assert list(lifecycle_stage(stage=stage)) == [
        "exploration", "stability", "decline", "formation", None, "formation"]
    with pytest.raises(StudyError) as err:
        lifecycle_stage(stage=pd.Series(["稳定", "成熟"], index=[7, 8], name="stage"))
    assert err.value.row == 8 and "成熟" in str(err.value)


def test_segment_profile_marks_small_segments():
    labels = pd.Series(["A", "A", "B", None])
    scores = pd.DataFrame({"satisfaction": [4.0, 5.0, 2.0, 3.0]})
    profile = segment_profile(labels, ["A", "B", "C"], scores, nps_values=pd.Series([10, 9, 3, 8]),
                              min_n=2)
    assert profile["A"]["scores"]["satisfaction"]["mean"] == 4.5
    assert profile["A"]["nps"]["score"] == 100.0 and profile["B"]["nps"]["score"] == -100.0
    assert [profile[s]["small"] for s in "ABC"] == [False, True, True]
    assert profile["C"]["n"] == 0 and np.isnan(profile["C"]["scores"]["satisfaction"]["mean"])


def _customers():
    # revenue total 100: classes by cumulative share 40 65 80 | 90 95 | 98 100 -> A A A B B C C
    return pd.DataFrame({
        "revenue": [40.0, 25.0, 15.0, 10.0, 5.0, 3.0, 2.0],
        "growth": [1.0, 5.0, 2.0, 4.0, 3.0, 5.0, 1.0],   # median 3
        "s1": [5.0, 4.0, 4.0, 3.0, 2.0, 2.0, 1.0], "s2": [5.0, np.nan, 4.0, 3.0, 4.0, 2.0, 1.0],
        "l1": [4.0, 4.0, 5.0, 3.0, 3.0, 2.0, 2.0],
        "q1": [4.0, 4.0, 4.0, 3.0, 3.0, 2.0, 2.0], "q2": [2.0, 4.0, 4.0, 3.0, 5.0, 2.0, 2.0],
        "nps": [10.0, 9.0, 6.0, 8.0, 9.0, 3.0, np.nan],
        "years": [5.0, 3.0, 1.0, 0.5, 2.0, 0.0, 8.0],
        "_file_row": [2, 3, 4, 5, 6, 7, 8],
    })


def test_section_by_hand():
    section = segments_section(
        {"customers": _customers(), "employees": pd.DataFrame({"q1": [3.0], "q2": [4.0]})},
        dimensions={"D": ["q1", "q2"]}, satisfaction=["s1", "s2"], loyalty=["l1"], nps="nps",
        revenue="revenue", growth="growth", cooperation_years="years", min_n=3)
    json.dumps(section, allow_nan=False)
    assert set(section) == {"customers"}
    abc = section["customers"]["abc"]
    a = abc["classes"]["A"]
    # A = first three customers: satisfaction 5, 4, 4 -> 13/3; loyalty 4, 4, 5; D 3, 4, 4;
    # NPS answers 10, 9, 6 -> (2 - 1)/3 -> 33.3; revenue 80 of 100
    assert a["n"] == 3 and not a["small"]
    assert a["scores"]["satisfaction"]["mean"] == pytest.approx(13 / 3)
    assert a["scores"]["loyalty"]["mean"] == pytest.approx(13 / 3)
    assert a["scores"]["D"]["mean"] == pytest.approx(11 / 3)
    assert a["nps"]["score"] == pytest.approx(100 / 3) and a["nps"]["n"] == 3
    assert a["revenue"] == 80.0 and a["revenue_share"] == pytest.approx(0.8)
    assert a["customer_share"] == pytest.approx(3 / 7)
    assert abc["classes"]["C"]["nps"]["n"] == 1 and abc["classes"]["C"]["small"]
    assert abc["n"] == 7 and abc["total_revenue"] == 100.0 and abc["cutoffs"] == [0.8, 0.95]
    assert [p["class"] for p in abc["pareto"]] == ["A", "A", "A", "B", "B", "C", "C"]
    # value matrix: revenue median 10, growth median 3
    # core: (25,5) (10,4); maintain: (40,1) (15,2); develop: (3,5); marginal: (5,3)? no: 5 < 10
    # but growth 3 >= 3 -> develop; (2,1) marginal
    cells = section["customers"]["value_matrix"]["cells"]
    assert {k: v["n"] for k, v in cells.items()} == {
        "core": 2, "maintain": 2, "develop": 2, "marginal": 1}
    assert cells["core"]["label_zh"] == "核心客户"
    assert cells["develop"]["scores"]["satisfaction"]["mean"] == pytest.approx((3 + 2) / 2)
    life = section["customers"]["lifecycle"]
    # years 5 3 1 .5 2 0 8 -> stab stab form expl form expl stab
    assert life["source"] == "cooperation_years" and life["years_breaks"] == [1.0, 3.0]
    assert {k: v["n"] for k, v in life["stages"].items()} == {
        "exploration": 2, "formation": 2, "stability": 3, "decline": 0}
    assert life["stages"]["decline"]["scores"]["satisfaction"]["mean"] is None


def test_section_errors_name_file_rows():
    frame = _customers()
    frame.loc[2, "nps"] = 11.0
    with pytest.raises(StudyError) as err:
        segments_section({"customers": frame}, dimensions={}, nps="nps", revenue="revenue")
    assert err.value.row == 4
    frame = _customers()
    frame.loc[3, "revenue"] = -1.0
    with pytest.raises(StudyError) as err:
        segments_section({"customers": frame}, dimensions={}, revenue="revenue")
    assert err.value.row == 5 and err.value.column == "revenue"


COLUMNS = ["a1", "a2", "b1", "ia", "ib", "s", "l", "kf", "kd", "rec", "rev", "gr", "yrs"]
DEGENERATE = {
    "one respondent": pd.DataFrame([[3.0] * len(COLUMNS)], columns=COLUMNS).assign(region="n"),
    "all missing": pd.DataFrame(np.nan, index=range(6), columns=COLUMNS).assign(
        region=pd.array([None] * 6, dtype="str")),
    "zero variance": pd.DataFrame(3.0, index=range(8), columns=COLUMNS).assign(
        region=["n", "s"] * 4),
    "no rows": pd.DataFrame(columns=COLUMNS, dtype=float).assign(
        region=pd.array([], dtype="str")),
}


@pytest.mark.parametrize("case", list(DEGENERATE))
def test_every_section_survives_degenerate_frames(case):
    from analysis.comparisons import comparisons_section
    from analysis.drivers import drivers_section
    from analysis.ipa import ipa_section
    from analysis.kano import kano_section

    frames = {"g": DEGENERATE[case]}
    dims = {"A": ["a1", "a2"], "B": ["b1"]}
    out = {
        "ipa": ipa_section(frames, dimensions=dims, satisfaction=["s"],
                           method="derived_regression"),
        "drivers": drivers_section(frames, dimensions=dims, satisfaction=["s"], loyalty=["l"]),
        "kano": kano_section(frames, kano={"f": ("kf", "kd")}),
        "comparisons": comparisons_section(frames, dimensions=dims, by=["region"],
                                           satisfaction=["s"]),
        "segments": segments_section(frames, dimensions=dims, satisfaction=["s"], loyalty=["l"],
                                     nps="rec", revenue="rev", growth="gr",
                                     cooperation_years="yrs"),
    }
    json.dumps(out, allow_nan=False)
    assert out["drivers"]["g"]["satisfaction"]["r2"] is None
    assert out["drivers"]["g"]["satisfaction"]["warnings"]
    assert out["ipa"]["g"]["warnings"]
    assert out["comparisons"]["g"]["region"]["A"]["anova"]["f"] is None
