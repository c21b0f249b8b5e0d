"""Gaps against R (tests/reference/gaps.R -> gaps.json, data in tests/fixtures/gaps_*.csv)."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.gaps import (
    adjust_pvalues, gaps_section, hedges_g, paired_gaps, servqual_section, two_group_gaps,
    waves_section,
)

HERE = Path(__file__).parent
REF = json.loads((HERE / "reference" / "gaps.json").read_text())
DIMS = {"D1": ["i1", "i2", "i3"], "D2": ["i4", "i5", "i6"]}
EXPECTATION = {"i1": "e1", "i2": "e2", "i3": "e3"}
TOL = 1e-6


def load(name):
    return pd.read_csv(HERE / "fixtures" / f"gaps_{name}.csv").astype(float)


@pytest.fixture(scope="module")
def frames():
    return {"customers": load("customers"), "employees": load("employees")}


@pytest.fixture(scope="module")
def rows(frames):
    out = gaps_section(frames, compare=("customers", "employees"), dimensions=DIMS)
    return {row["name"]: row for row in out["customers|employees"]}


def assert_two_group(row, ref):
    assert (row["n_a"], row["n_b"]) == (ref["n_a"], ref["n_b"])
    for key in ("mean_a", "mean_b", "diff", "t", "df", "p", "u", "p_mwu", "hedges_g"):
        assert row[key] == pytest.approx(ref[key], rel=TOL, abs=1e-12), key
    # effectsize finds the noncentrality roots by optim (accurate to about 2e-7); by hand uniroot
    assert row["g_ci"] == pytest.approx(ref["g_ci"], abs=1e-6)
    assert row["g_ci"] == pytest.approx(ref["g_hand"][1:], rel=1e-8)


def test_items_and_dimensions_match_r(rows):
    for level in ("dimensions", "items"):
        for name, ref in REF["gaps"][level].items():
            assert rows[name]["level"] == level[:-1]
            assert_two_group(rows[name], ref)
            assert rows[name]["p_adj"] == pytest.approx(ref["p_holm"], rel=TOL)
            assert rows[name]["p_mwu_adj"] == pytest.approx(ref["p_mwu_holm"], rel=TOL)


def test_flag_marks_significantly_higher_self_assessment(rows):
    for name in ("i1", "i2", "i3", "i4", "i5", "i6", "D1", "D2"):
        row = rows[name]
        assert row["flag"] == (row["p_adj"] < 0.05 and row["mean_b"] > row["mean_a"])
    assert rows["i1"]["flag"] is True and rows["i2"]["flag"] is False


def test_benjamini_hochberg_option(frames):
    out = gaps_section(frames, compare=("customers", "employees"), dimensions=DIMS, adjust="bh")
    got = {r["name"]: r["p_adj"] for r in out["customers|employees"]}
    for level in ("dimensions", "items"):
        for name, ref in REF["gaps"][level].items():
            assert got[name] == pytest.approx(ref["p_bh"], rel=TOL)


def test_adjust_pvalues_keeps_missing_out_of_the_count():
    p = [0.01, np.nan, 0.04, 0.03]
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), [0.03, np.nan, 0.06, 0.06])  # R p.adjust
    np.testing.assert_allclose(adjust_pvalues(p, "bh"), [0.03, np.nan, 0.04, 0.04])
    with pytest.raises(ValueError):
        adjust_pvalues(p, "bonferroni-ish")


def test_identical_groups(frames):
    ref = REF["gaps"]["identical"]
    table = two_group_gaps(frames["customers"], frames["customers"], ["i1"])
    row = table.iloc[0]
    assert (row["t"], row["p"], row["p_mwu"], row["hedges_g"]) == (0, 1, 1, 0)
    assert row["df"] == pytest.approx(ref["df"], rel=TOL) and row["u"] == ref["u"]
    assert (row["g_low"], row["g_high"]) == pytest.approx(ref["g_hand"][1:], rel=1e-8)
    assert row["flag"] is False


def test_one_respondent_and_all_missing_item(frames):
    one = frames["employees"].iloc[[0]].assign(i6=np.nan)
    out = gaps_section({"c": frames["customers"], "e": one}, compare=("c", "e"), dimensions=DIMS)
    json.dumps(out, allow_nan=False)
    rows = {r["name"]: r for r in out["c|e"]}
    i1 = rows["i1"]
    assert i1["n_b"] == 1 and i1["mean_b"] == one["i1"].iloc[0]
    assert i1["t"] is None and i1["p"] is None and i1["hedges_g"] is None
    assert i1["g_ci"] == [None, None] and i1["flag"] is None
    assert i1["note"] == "e has one answer"
    assert i1["p_mwu"] is not None  # U is defined for one answer
    i6 = rows["i6"]
    assert i6["n_b"] == 0 and i6["mean_b"] is None and i6["u"] is None
    assert i6["note"] == "e has no answers"


def test_no_variation_in_either_group():
    a = pd.DataFrame({"x": [3.0, 3.0, 3.0]})
    b = pd.DataFrame({"x": [4.0, 4.0]})
    row = two_group_gaps(a, b, ["x"], names=("a", "b")).iloc[0]
    assert np.isnan(row["t"]) and np.isnan(row["hedges_g"]) and row["flag"] is None
    assert row["note"] == "no variation in either group" and row["diff"] == -1.0


def test_hedges_g_large_df_is_finite():
    rng = np.random.default_rng(0)
    g, lo, hi = hedges_g(rng.normal(0.2, 1, 200_000), rng.normal(0, 1, 200_000))
    assert lo < g < hi and hi - lo == pytest.approx(2 * 1.96 * np.sqrt(2 / 200_000), rel=1e-2)


def test_servqual_matches_r(frames):
    out = servqual_section(frames, expectation=EXPECTATION, dimensions=DIMS)
    assert set(out) == {"customers"}  # employees have no expectation items
    rows = {r["name"]: r for r in out["customers"]}
    refs = {**REF["servqual"]["items"], "D1": REF["servqual"]["D1"]}
    assert [r["name"] for r in out["customers"]] == ["D1", "i1", "i2", "i3"]
    for name, ref in refs.items():
        row = rows[name]
        assert row["n"] == ref["n"]
        for key in ("mean_gap", "t", "df", "p", "v", "p_wilcoxon"):
            assert row[key] == pytest.approx(ref[key], rel=TOL), key
        assert row["gap_ci"] == pytest.approx(ref["gap_ci"], rel=TOL)
    for name, ref in REF["servqual"]["items"].items():
        assert rows[name]["p_adj"] == pytest.approx(ref["p_holm"], rel=TOL)
        assert rows[name]["p_wilcoxon_adj"] == pytest.approx(ref["p_wilcoxon_holm"], rel=TOL)
    bh = paired_gaps(frames["customers"][["i1", "i2", "i3"]],
                     frames["customers"][["e1", "e2", "e3"]], adjust="bh")
    assert list(bh["p_adj"]) == pytest.approx(
        [REF["servqual"]["items"][i]["p_bh"] for i in ("i1", "i2", "i3")], rel=TOL)


def test_paired_gaps_degenerate():
    frame = pd.DataFrame({"p": [3.0, 4.0, np.nan], "e": [3.0, 4.0, 2.0]})
    row = paired_gaps(frame[["p"]], frame[["e"]]).iloc[0]
    assert row["n"] == 2 and row["mean_gap"] == 0 and np.isnan(row["t"])
    assert np.isnan(row["p_wilcoxon"]) and row["note"] == "all gaps equal"


def test_waves_match_r(frames):
    out = waves_section({"2018": {"customers": frames["customers"]},
                         "2019": {"customers": load("customers_w2")}},
                        dimensions=DIMS, scale=(1, 5), nps="rec", n_boot=300, seed=3)
    json.dumps(out, allow_nan=False)
    group = out["customers"]
    assert group["waves"] == ["2018", "2019"]
    assert list(group["by_wave"]) == ["2018", "2019"]
    changes = {c["name"]: c for c in group["changes"]}
    for dim in DIMS:
        ref, got = REF["waves"][dim], changes[dim]
        assert got["test"] == "welch_t" and (got["from"], got["to"]) == ("2018", "2019")
        for key, ref_key in (("diff", "diff"), ("statistic", "t"), ("df", "df"), ("p", "p")):
            assert got[key] == pytest.approx(ref[ref_key], rel=TOL), key
        assert got["ci"] == pytest.approx(ref["ci"], rel=TOL)
    ref, got = REF["waves"]["nps"], changes["nps"]
    assert (got["diff"], got["statistic"], got["p"]) == pytest.approx(
        (ref["diff"], ref["z"], ref["p"]), rel=TOL)
    assert got["ci"] == pytest.approx(ref["ci"], rel=TOL)
    csi = changes["csi"]
    assert csi["diff"] == pytest.approx(csi["value_to"] - csi["value_from"])
    assert csi["ci"][0] < csi["diff"] < csi["ci"][1]
    assert group["by_wave"]["2018"]["csi"]["value"] == csi["value_from"]


def test_waves_skip_a_group_missing_from_a_wave_and_keep_the_order(frames):
    w2 = load("customers_w2")
    out = waves_section({"2019": {"c": w2}, "2018": {"c": frames["customers"], "e": w2}},
                        dimensions=DIMS, scale=(1, 5), n_boot=0)
    assert out["c"]["waves"] == ["2019", "2018"]
    assert {c["from"] for c in out["c"]["changes"]} == {"2019"}
    assert out["e"] == {"waves": ["2018"], "by_wave": {"2018": out["e"]["by_wave"]["2018"]},
                        "changes": []}


def test_waves_bootstrap_change_agrees_with_its_z_interval(frames):
    """The percentile CI of the difference and diff +- 1.96 sqrt(se1^2 + se2^2) estimate the same
    interval; with B = 2000 and n = 40/45 they agree within 15 % of the half-width (Monte Carlo sd of
    a 2.5 % bootstrap quantile is about 4 % of the se, plus skewness at n = 40)."""
    out = waves_section({"a": {"c": frames["customers"]}, "b": {"c": load("customers_w2")}},
                        dimensions=DIMS, scale=(1, 5), n_boot=2000, seed=11)
    csi = next(c for c in out["c"]["changes"] if c["index"] == "csi")
    half = 1.959963984540054 * csi["diff"] / csi["statistic"]
    assert csi["ci"][0] == pytest.approx(csi["diff"] - half, abs=0.15 * half)
    assert csi["ci"][1] == pytest.approx(csi["diff"] + half, abs=0.15 * half)
