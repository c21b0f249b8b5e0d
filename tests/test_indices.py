"""Indices against R (tests/reference/indices.R -> indices.json; data tests/fixtures/indices*.csv)."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.indices import (
    ahp_weights, cb_ratio, check_nps_values, dimension_scores, indices_section, nps,
    satisfaction_index, score_table,
)
from analysis.indices import _bootstrap_item_means
from surveys.errors import StudyError

HERE = Path(__file__).parent
REF = json.loads((HERE / "reference" / "indices.json").read_text())
DIMS = {"D1": ["i1", "i2", "i3"], "D2": ["i4", "i5", "i6"]}
ITEMS = [f"i{j}" for j in range(1, 7)]
EXPECTATION = {"i1": "e1", "i2": "e2", "i3": "e3"}
IMPORTANCE = {f"i{j}": f"w{j}" for j in range(1, 7)}
TOL = 1e-6


@pytest.fixture(scope="module")
def data():
    frame = pd.read_csv(HERE / "fixtures" / "indices.csv")
    numeric = frame.columns.drop("region")
    frame[numeric] = frame[numeric].astype(float)
    return frame


@pytest.fixture(scope="module")
def section(data):
    return indices_section(
        {"customers": data}, dimensions=DIMS, scale=(1, 5), loyalty=["l1", "l2"], nps="rec",
        expectation=EXPECTATION, segments=["region"], n_boot=200, seed=1)["customers"]


def assert_stats(entry, ref):
    for key in ("mean", "sd", "top2", "bottom2"):
        assert entry[key] == pytest.approx(ref[key], rel=TOL), key
    assert entry["ci"] == pytest.approx(ref["ci"], rel=TOL)
    assert entry["n"] == ref["n"]


def test_dimension_and_item_scores_match_r(section):
    for level in ("dimensions", "items"):
        assert set(section[level]) == set(REF["all"][level])
        for name, ref in REF["all"][level].items():
            assert_stats(section[level][name], ref)


def test_dimension_score_needs_half_of_the_items(data):
    scores = dimension_scores(data, DIMS)
    # rows 3 and 17 (1-based) answered only i3 of D1: 1 of 3 < half -> no score
    assert scores["D1"].iloc[[2, 16]].isna().all()
    assert scores["D1"].iloc[0] == pytest.approx(data.loc[0, DIMS["D1"]].mean())
    lenient = dimension_scores(data, DIMS, min_share=0.3)
    assert lenient["D1"].iloc[2] == data.loc[2, "i3"]


def test_nps_matches_hand_computed_r(section):
    ref = REF["all"]["nps"]
    got = section["nps"]
    for key in ("n", "promoters", "passives", "detractors"):
        assert got[key] == ref[key]
    assert got["score"] == pytest.approx(ref["score"], rel=TOL)
    assert got["se"] == pytest.approx(ref["se"], rel=TOL)
    assert got["ci"] == pytest.approx(ref["ci"], rel=TOL)
    adj = got["adjusted_wald"]
    assert adj["score"] == pytest.approx(ref["adjusted_wald"]["score"], rel=TOL)
    assert adj["se"] == pytest.approx(ref["adjusted_wald"]["se"], rel=TOL)
    assert adj["ci"] == pytest.approx(ref["adjusted_wald"]["ci"], rel=TOL)
    assert sum(got["shares"].values()) == pytest.approx(1.0)


@pytest.mark.parametrize("case, values", [("nps_all_promoters", [9, 10, 10, 9, 10]),
                                          ("nps_small", [0, 10, 8])])
def test_nps_edge_cases(case, values):
    ref, res = REF[case], nps(pd.Series(values, dtype=float))
    assert (res.score, res.se) == pytest.approx((ref["score"], ref["se"]), abs=TOL)
    assert (res.ci_low, res.ci_high) == pytest.approx(ref["ci"], abs=TOL)
    assert (res.adjusted_ci_low, res.adjusted_ci_high) == pytest.approx(
        ref["adjusted_wald"]["ci"], abs=TOL)


def test_nps_of_no_answers_is_undefined():
    res = nps(pd.Series([np.nan, np.nan]))
    assert res.n == 0 and np.isnan(res.score) and np.isnan(res.ci_low)


def test_nps_out_of_range_names_rows_and_column():
    frame = pd.DataFrame({"rec": [3.0, 11.0, 7.5, np.nan, -1.0, 10.0]},
                         index=[10, 11, 12, 13, 14, 15])
    with pytest.raises(StudyError) as err:
        check_nps_values(frame, "rec")
    assert err.value.column == "rec" and err.value.row == 11
    assert [loc.row for loc in err.value.more] == [12, 14]
    assert "3 answer(s)" in str(err.value) and "row 14" in str(err.value)
    frame["_file_row"] = [2, 3, 4, 5, 6, 7]
    with pytest.raises(StudyError) as err:
        indices_section({"c": frame.assign(i1=1.0)}, dimensions={"D": ["i1"]}, scale=(1, 5),
                        nps="rec", n_boot=0)
    assert err.value.row == 3 and [loc.row for loc in err.value.more] == [4, 6]


def test_cb_ratio_matches_r(data, section):
    table = cb_ratio(data, EXPECTATION, DIMS)
    refs = {**REF["all"]["cb"]["items"], "D1": REF["all"]["cb"]["D1"]}
    assert list(table["name"]) == ["D1", "i1", "i2", "i3"]  # D2 has no expectation items
    for _, row in table.iterrows():
        ref = refs[row["name"]]
        for key in ("ratio_of_means", "mean_ratio", "difference"):
            assert row[key] == pytest.approx(ref[key], rel=TOL)
        assert row["n"] == ref["n"] and row["class"] == ref["class"]
    assert set(section["cb_ratio"]) == {"D1"}
    assert set(section["cb_ratio"]["D1"]["items"]) == {"i1", "i2", "i3"}


def test_cb_ratio_classes_and_zero_expectation():
    frame = pd.DataFrame({"b": [4.0, 2.0, 3.0], "a": [2.0, 2.0, 0.0]})
    row = cb_ratio(frame, {"b": "a"}, {"D": ["b"]}, tol=0.05).set_index("level").loc["item"]
    assert row["mean_ratio"] == pytest.approx(1.5)  # respondent with a = 0 excluded
    assert row["n_ratio"] == 2 and row["n"] == 3
    assert row["ratio_of_means"] == pytest.approx(9 / 4) and row["class"] == "delighted"
    assert row["difference"] == pytest.approx(5 / 3)
    near = pd.DataFrame({"b": [4.1], "a": [4.0]})
    assert cb_ratio(near, {"b": "a"}, {})["class"].iloc[0] == "satisfied"
    assert cb_ratio(near, {"b": "a"}, {}, tol=0.01)["class"].iloc[0] == "delighted"


def test_csi_weights_match_r(data, section):
    ref = REF["all"]
    assert section["csi"]["value"] == pytest.approx(ref["csi_equal"], rel=TOL)
    assert section["loyalty_index"]["value"] == pytest.approx(ref["loyalty"], rel=TOL)
    common = dict(dimensions=DIMS, scale=(1, 5), n_boot=0, importance=IMPORTANCE)
    imp = indices_section({"c": data}, weights="importance", **common)["c"]["csi"]
    assert imp["value"] == pytest.approx(ref["csi_importance"], rel=TOL)
    assert list(imp["weights"].values()) == pytest.approx(ref["importance_weights"], rel=TOL)
    ahp = {"ahp": {"over": ["D1", "D2"], "matrix": [[1, 3], [1 / 3, 1]]}}
    got = indices_section({"c": data}, weights=ahp, **common)["c"]["csi"]
    assert got["value"] == pytest.approx(ref["csi_ahp"], rel=TOL)
    assert list(got["weights"].values()) == pytest.approx(ref["ahp_item_weights"], rel=TOL)
    given = indices_section({"c": data}, weights={"D1": 2, "D2": 1}, **common)["c"]["csi"]
    assert given["value"] == pytest.approx(ref["csi_given"], rel=TOL)
    by_item = indices_section({"c": data}, weights=dict.fromkeys(ITEMS, 5), **common)["c"]["csi"]
    assert by_item["value"] == pytest.approx(ref["csi_equal"], rel=TOL)


def test_weights_errors(data):
    common = dict(dimensions=DIMS, scale=(1, 5), n_boot=0)
    with pytest.raises(StudyError, match="no weight for index item 'i4'"):
        indices_section({"c": data}, weights={"i1": 1, "i2": 1, "i3": 1}, **common)
    with pytest.raises(StudyError, match="give an importance item for every index item") as err:
        indices_section({"c": data}, weights="importance", **common)
    assert err.value.key == "importance"
    with pytest.raises(StudyError, match="a weight is negative"):
        indices_section({"c": data}, weights={"D1": 1, "D2": -1}, **common)


def test_importance_per_dimension_and_overall_satisfaction_index(data):
    out = indices_section({"c": data}, dimensions=DIMS, scale=(1, 5), n_boot=0,
                          weights="importance", importance={"D1": "w1", "D2": "w4"},
                          satisfaction=["l1", "l2"])["c"]
    assert out["csi"]["value"] == pytest.approx(REF["all"]["csi_importance_dims"], rel=TOL)
    assert list(out["csi"]["weights"].values()) == pytest.approx(
        REF["all"]["importance_dims_weights"], rel=TOL)
    # overall satisfaction items make their own equal-weight index (here the loyalty items of R)
    assert out["satisfaction_index"]["value"] == pytest.approx(REF["all"]["loyalty"], rel=TOL)
    assert out["loyalty_index"] is None
    narrow = indices_section({"c": data}, dimensions=DIMS, scale=(1, 5), n_boot=0,
                             csi_items=["i1", "i2", "i3"])["c"]["csi"]
    assert narrow["value"] == pytest.approx(REF["all"]["csi_d1"], rel=TOL)


def test_ahp_matches_r_eigen():
    ref = REF["ahp4"]
    a4 = [[1, 3, 5, 7], [1 / 3, 1, 3, 5], [1 / 5, 1 / 3, 1, 3], [1 / 7, 1 / 5, 1 / 3, 1]]
    res = ahp_weights(a4, ["a", "b", "c", "d"])
    assert list(res.weights) == pytest.approx(ref["weights"], rel=TOL)
    assert res.lambda_max == pytest.approx(ref["lambda_max"], rel=TOL)
    assert (res.ci, res.cr) == pytest.approx((ref["ci"], ref["cr"]), rel=TOL)


def test_ahp_rejects_inconsistent_and_malformed_matrices():
    bad = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    with pytest.raises(StudyError, match=r"inconsistent: consistency ratio CR = 6\.130") as err:
        ahp_weights(bad, ["a", "b", "c"], key="weights.ahp")
    assert err.value.key == "weights.ahp" and err.value.expected == "CR <= 0.1"
    reciprocal = r"not reciprocal: a vs b is 3 but b vs a is 2 \(expected b vs a = 1/3\)"
    with pytest.raises(StudyError, match=reciprocal):
        ahp_weights([[1, 3], [2, 1]], ["a", "b"])
    with pytest.raises(StudyError, match="2 x 2 but 3 elements"):
        ahp_weights([[1, 3], [1 / 3, 1]], ["a", "b", "c"])
    with pytest.raises(StudyError, match="not a positive number"):
        ahp_weights([[1, -3], [-1 / 3, 1]], ["a", "b"])


def test_bootstrap_is_reproducible_and_matches_large_sample_analytic_se():
    """Complete data, n = 3000: the CSI is a mean of respondent scores, so its exact standard error
    is 100 sd(s)/sqrt(n) (R). With B = 4000 replicates the Monte Carlo sd of the bootstrap se is
    about se/sqrt(2B) = 1.1 % and that of a 2.5 % percentile about
    sqrt(.025 .975 / B) / phi(1.96) se = 0.042 se; the skewness of a weighted Likert mean at
    n = 3000 moves percentile endpoints by far less. Tolerances: se within 5 %, endpoints within
    0.15 se of the normal-theory interval (both about 4 Monte Carlo sd)."""
    big = pd.read_csv(HERE / "fixtures" / "indices_large.csv").astype(float)
    ref = REF["large"]
    w = pd.Series(ref["weights"], index=big.columns)
    res = satisfaction_index(big, list(big.columns), (1, 5), weights=w, n_boot=4000, seed=7)
    assert res.value == pytest.approx(ref["value"], rel=TOL)
    assert res.se == pytest.approx(ref["se"], rel=0.05)
    assert res.ci_low == pytest.approx(ref["ci"][0], abs=0.15 * ref["se"])
    assert res.ci_high == pytest.approx(ref["ci"][1], abs=0.15 * ref["se"])
    again = satisfaction_index(big, list(big.columns), (1, 5), weights=w, n_boot=4000, seed=7)
    assert (again.ci_low, again.ci_high) == (res.ci_low, res.ci_high)
    other = satisfaction_index(big, list(big.columns), (1, 5), weights=w, n_boot=4000, seed=8)
    assert other.ci_low != res.ci_low


def _bootstrap_item_means_threaded(values, n_boot, seed, monkeypatch):
    """The former bootstrap products: the same function on two BLAS threads."""
    from contextlib import nullcontext

    from threadpoolctl import threadpool_limits
    with monkeypatch.context() as patch, threadpool_limits(2, user_api="blas"):
        patch.setattr("analysis.indices.one_blas_thread", nullcontext)
        return _bootstrap_item_means(values, n_boot, seed)


@pytest.mark.parametrize("n", [180, 3000])
def test_bootstrap_on_one_blas_thread_equals_the_threaded_products(n, monkeypatch):
    # with missing answers, blocks of resamples above BLAS's threading threshold: whole-number
    # answers give exact sums (bit-identical), decimals may differ in the last place
    rng = np.random.default_rng(n)
    whole = rng.integers(1, 6, (n, 12)).astype(float)
    whole[rng.random(whole.shape) < 0.1] = np.nan
    assert np.array_equal(_bootstrap_item_means(whole, 2000, 5),
                          _bootstrap_item_means_threaded(whole, 2000, 5, monkeypatch))
    decimals = whole + rng.normal(0, 0.37, whole.shape)
    np.testing.assert_allclose(_bootstrap_item_means(decimals, 2000, 5),
                               _bootstrap_item_means_threaded(decimals, 2000, 5, monkeypatch),
                               rtol=1e-14)


def test_delta_method_se_matches_r(data):
    ref = REF["all"]
    equal = satisfaction_index(data, ITEMS, (1, 5), ci="delta")
    assert equal.ci_method == "delta" and equal.replicates.size == 0
    assert equal.se == pytest.approx(ref["csi_equal_delta_se"], rel=TOL)
    assert (equal.ci_low, equal.ci_high) == pytest.approx(
        (equal.value - 1.959963984540054 * equal.se, equal.value + 1.959963984540054 * equal.se))
    w = data[[f"w{j}" for j in range(1, 7)]].mean().set_axis(ITEMS)
    imp = satisfaction_index(data, ITEMS, (1, 5), weights=w, ci="delta")
    assert imp.se == pytest.approx(ref["csi_importance_delta_se"], rel=TOL)
    big = pd.read_csv(HERE / "fixtures" / "indices_large.csv").astype(float)
    wb = pd.Series(REF["large"]["weights"], index=big.columns)
    res = satisfaction_index(big, list(big.columns), (1, 5), weights=wb, ci="delta")
    assert res.se == pytest.approx(REF["large"]["se_delta"], rel=TOL)


def test_auto_ci_switches_to_delta_above_the_bootstrap_limit(data, monkeypatch):
    assert satisfaction_index(data, ITEMS, (1, 5), n_boot=50).ci_method == "bootstrap"
    monkeypatch.setattr("analysis.indices.MAX_BOOTSTRAP_N", 50)
    out = indices_section({"c": data}, dimensions=DIMS, scale=(1, 5), n_boot=50)["c"]["csi"]
    assert out["ci_method"] == "delta"
    assert out["se"] == pytest.approx(REF["all"]["csi_equal_delta_se"], rel=TOL)
    with pytest.raises(ValueError):
        satisfaction_index(data, ITEMS, (1, 5), ci="jackknife")


def test_segments_mark_small_cells_and_match_r(section):
    cells = section["segments"]["region"]
    assert set(cells) == set(REF["segments"])
    for level, ref in REF["segments"].items():
        cell = cells[level]
        assert cell["n"] == ref["n"]
        assert cell["small"] == (ref["n"] < 5)
        assert cell["csi"]["value"] == pytest.approx(ref["csi_equal"], rel=TOL)
        assert cell["nps"]["score"] == pytest.approx(ref["nps"]["score"], abs=TOL)
        assert cell["nps"]["ci"] == pytest.approx(ref["nps"]["ci"], abs=TOL)
        for name, dim_ref in ref["dimensions"].items():
            assert_stats(cell["dimensions"][name], dim_ref)
    tiny = indices_section({"c": section_frame_with_small_cell()}, dimensions={"D": ["x"]},
                           scale=(1, 5), segments=["seg"], min_n=3, n_boot=50)["c"]
    assert tiny["segments"]["seg"]["b"]["small"] is True
    assert tiny["segments"]["seg"]["b"]["items"]["x"]["mean"] == 5.0  # marked, not hidden
    assert tiny["segments"]["seg"]["a"]["small"] is False


def section_frame_with_small_cell():
    return pd.DataFrame({"x": [1.0, 2.0, 3.0, 5.0],
                         "seg": pd.array(["a", "a", "a", "b"], dtype="str")})


def test_one_respondent_and_all_missing_item_give_clear_results():
    frame = pd.DataFrame({"x": [4.0], "y": [np.nan], "rec": [9.0]})
    out = indices_section({"c": frame}, dimensions={"D": ["x", "y"]}, scale=(1, 5), nps="rec",
                          n_boot=100)["c"]
    json.dumps(out, allow_nan=False)
    assert out["items"]["x"]["mean"] == 4.0 and out["items"]["x"]["sd"] is None
    assert out["items"]["x"]["ci"] == [None, None]
    assert out["items"]["y"]["n"] == 0 and out["items"]["y"]["mean"] is None
    assert out["csi"]["value"] == pytest.approx(75.0)
    assert out["csi"]["weights"] == {"x": 1.0}
    assert any("y" in w and "left out" in w for w in out["warnings"])
    assert any("item y: no answers" in w for w in out["warnings"])
    assert out["nps"]["score"] == 100.0 and out["nps"]["se"] == 0.0


def test_score_table_of_a_dimension_pools_answers_for_top2():
    frame = pd.DataFrame({"x": [5.0, 4.0, 1.0, np.nan], "y": [2.0, np.nan, np.nan, 3.0]})
    table = score_table(frame, {"D": ["x", "y"]}, (1, 5)).set_index("name")
    assert table.loc["D", "top2"] == pytest.approx(2 / 5)
    assert table.loc["D", "bottom2"] == pytest.approx(2 / 5)
    assert table.loc["D", "n"] == 4  # each respondent answered at least half of D


@pytest.mark.parametrize("missing", [False, True])
def test_cb_ratio_of_all_dimensions_at_once_equals_one_dimension_at_a_time(data, missing):
    # the former computation built each dimension's scores on their own; with missing answers
    frame = data.copy()
    if missing:
        rng = np.random.default_rng(4)
        columns = list(EXPECTATION) + list(EXPECTATION.values()) + ["i4", "i5"]
        frame[columns] = frame[columns].mask(rng.random((len(frame), len(columns))) < 0.15)
    dims = {"D1": ["i1", "i2", "i3"], "D2": ["i4", "i5", "i6"], "D3": ["i2", "i3"]}
    together = cb_ratio(frame, EXPECTATION, dims)
    alone = pd.concat([cb_ratio(frame, EXPECTATION, {name: items})
                       .query("level == 'dimension'") for name, items in dims.items()])
    pd.testing.assert_frame_equal(together[together["level"] == "dimension"].reset_index(drop=True),
                                  alone.reset_index(drop=True), check_exact=True)


@pytest.mark.parametrize("missing", [False, True])
def test_group_indices_json_equals_the_former_per_level_selections(data, missing):
    from analysis.indices import IndexSpec, _cb_entry, _stat_entry, group_indices
    from analysis.jsonready import records
    frame = data.mask(np.random.default_rng(5).random(data.shape) < 0.1) if missing else data
    frame = frame.assign(region=data["region"])
    found = group_indices(frame, IndexSpec(DIMS, (1, 5), expectation=EXPECTATION, n_boot=50))
    entry = found.to_json()
    for level, key in (("dimension", "dimensions"), ("item", "items")):
        rows = records(found.scores[found.scores["level"] == level])
        assert entry[key] == {r["name"]: _stat_entry(r) for r in rows}
    dims = records(found.cb[found.cb["level"] == "dimension"])
    items = records(found.cb[found.cb["level"] == "item"])
    assert entry["cb_ratio"] == {r["name"]: {**_cb_entry(r), "items": {
        i["name"]: _cb_entry(i) for i in items if i["name"] in DIMS[r["name"]]}} for r in dims}
