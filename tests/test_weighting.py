"""Population weights and weighted estimates against R survey 4.1 (tests/reference/weighting.R ->
weighting.json; data tests/fixtures/weighting_*.csv): raked and trimmed weights per respondent,
weighted means, box shares, indices, NPS and svyglm with their linearisation SEs; the study-file
and data errors of weighting:."""
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.indices import dimension_scores
from analysis.weighted import (design_arrays, unit_design, weighted_index, weighted_means,
                               weighted_nps, weighted_regression, weighted_score_table,
                               weighted_sd)
from analysis.weighting import design_from_column, rake_and_trim, trim_weights
from surveys.errors import StudyError
from surveys.study import Weighting, parse_study

HERE = Path(__file__).parent
REF = json.loads((HERE / "reference" / "weighting.json").read_text())
DATA = pd.read_csv(HERE / "fixtures" / "weighting_customers.csv")
EMPLOYEES = pd.read_csv(HERE / "fixtures" / "weighting_employees.csv")
MARGINS = {"region": {"north": .40, "east": .35, "south": .25}, "type": {"dealer": .5, "end": .5}}
DIMS = {"D1": ["i1", "i2", "i3"], "D2": ["i4", "i5", "i6"]}
ITEMS = [f"i{j}" for j in range(1, 7)]
SAMPLE = HERE.parent / "data" / "sample" / "study.yaml"
CASES = {"raked": Weighting("customers", margins=MARGINS),
         "trimmed": Weighting("customers", margins=MARGINS, trim=(0.8, 1.2))}


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    design = rake_and_trim(DATA, CASES[request.param])
    return request.param, design, design_arrays(design, DATA.index), REF[request.param]


def test_weights_match_survey_rake_per_respondent(case):
    name, design, _, ref = case
    assert design.converged
    assert design.weights.to_numpy() == pytest.approx(ref["weights"], abs=1e-8)
    assert design.weights.mean() == pytest.approx(1.0, abs=1e-12)
    w = design.weights
    for column, shares in MARGINS.items():
        for level, share in shares.items():
            assert w[DATA[column] == level].sum() / w.sum() == pytest.approx(share, abs=1e-8)


def test_trim_is_one_pass_of_trimweights():
    raked = rake_and_trim(DATA, CASES["raked"]).weights.to_numpy()
    trimmed = trim_weights(raked, 0.8 * raked.mean(), 1.2 * raked.mean())
    assert trimmed == pytest.approx(REF["trimmed_before_second_rake"], abs=1e-8)
    assert trimmed.sum() == pytest.approx(raked.sum())


def test_means_and_box_shares_match_svymean_and_svyratio(case):
    _, _, arrays, ref = case
    table = weighted_score_table(DATA, DIMS, (1, 5), arrays)
    for level in ("dimensions", "items"):
        for name, entry in table[level].items():
            assert entry["mean"] == pytest.approx(ref["means"][name]["mean"], abs=1e-10)
            assert entry["se"] == pytest.approx(ref["means"][name]["se"], abs=1e-8)
            for key in ("top2", "top2_se", "bottom2", "bottom2_se"):
                assert entry[key] == pytest.approx(ref["box"][name][key], abs=1e-8), (name, key)
    mean, se, _ = weighted_means(DATA[["w1", "w2"]].to_numpy(float), arrays)
    assert mean == pytest.approx([ref["means"]["w1"]["mean"], ref["means"]["w2"]["mean"]])
    assert se == pytest.approx([ref["means"]["w1"]["se"], ref["means"]["w2"]["se"]], abs=1e-8)


@pytest.mark.parametrize("name, items, weights", [
    ("csi", ITEMS, None), ("satisfaction_index", ["s1", "s2"], None),
    ("loyalty_index", ["l1", "l2"], None),
    ("csi_weighted", ITEMS, dict(zip(ITEMS, [4, 4, 4, 3, 3, 3])))])
def test_indices_match_svycontrast_of_svyratio(case, name, items, weights):
    _, _, arrays, ref = case
    got = weighted_index(DATA, items, (1, 5), arrays, weights)
    assert got["value"] == pytest.approx(ref["indices"][name]["value"], abs=1e-8)
    assert got["se"] == pytest.approx(ref["indices"][name]["se"], abs=1e-8)


def test_nps_matches_svymean_of_plus_minus_100(case):
    _, _, arrays, ref = case
    got = weighted_nps(DATA["rec"], arrays)
    assert got["score"] == pytest.approx(ref["nps"]["score"], abs=1e-8)
    assert got["se"] == pytest.approx(ref["nps"]["se"], abs=1e-8)
    assert got["shares"]["promoters"] == pytest.approx(ref["nps"]["promoters"], abs=1e-10)
    assert got["shares"]["detractors"] == pytest.approx(ref["nps"]["detractors"], abs=1e-10)


def test_regression_matches_svyglm(case):
    _, _, arrays, ref = case
    x = dimension_scores(DATA, DIMS).to_numpy()
    y = DATA[["s1", "s2"]].mean(axis=1).to_numpy()
    fit = weighted_regression(y, x, arrays)
    for key in ("b", "se", "t", "p"):
        assert fit[key] == pytest.approx(ref["drivers"][key], rel=1e-7, abs=1e-12), key
    assert fit["df"] == ref["drivers"]["df"]


def test_unweighted_group_is_svymean_on_equal_probabilities():
    scores = pd.concat([EMPLOYEES, dimension_scores(EMPLOYEES, DIMS)], axis=1)
    names = [*ITEMS, "D1", "D2"]
    mean, se, _ = weighted_means(scores[names].to_numpy(float), unit_design(len(scores)))
    assert mean == pytest.approx([REF["employees"][n]["mean"] for n in names], abs=1e-10)
    assert se == pytest.approx([REF["employees"][n]["se"] for n in names], abs=1e-8)
    # and the unweighted reference design gives the plain means of the customers
    base = REF["unweighted"]["means"]["i1"]["mean"]
    assert base == pytest.approx(DATA["i1"].mean())


def test_weighted_sd_is_svyvar(case):
    _, design, arrays, _ = case
    x = DATA[["i1"]].to_numpy(float)
    ok = ~np.isnan(x[:, 0])
    w = design.weights.to_numpy()[ok]
    m = ok.sum()
    v = np.cov(x[ok, 0], aweights=w, bias=True) * m / (m - 1)
    assert weighted_sd(x, arrays)[0] == pytest.approx(np.sqrt(v))


def test_column_weights_scaled_to_mean_one_and_checked():
    frame = DATA.assign(w=np.linspace(1, 3, len(DATA)))
    design = design_from_column(frame, "w")
    assert design.weights.mean() == pytest.approx(1.0) and not design.calibration
    with pytest.raises(StudyError, match="not a non-negative number"):
        design_from_column(frame.assign(w=frame["w"].where(frame.index != 5)), "w")


@pytest.mark.parametrize("margins, message, key", [
    ({"region": {"north": .5, "east": .35}, "type": MARGINS["type"]}, "level 'south' is in the "
     "data but has no target", "weighting.margins.region"),
    ({"region": {**MARGINS["region"], "west": .0001}, "type": MARGINS["type"]},
     "target level 'west' has no respondent", "weighting.margins.region.west"),
    ({"regio": {"north": 1.0}}, "not in this group's data", "weighting.margins.regio"),
])
def test_bad_targets_against_the_data(margins, message, key):
    with pytest.raises(StudyError, match=message) as err:
        rake_and_trim(DATA, Weighting("customers", margins=margins), file="c.csv")
    assert err.value.key == key
    assert err.value.render("zh") != err.value.render("en")


def test_missing_margin_value_names_the_row():
    frame = DATA.assign(_file_row=np.arange(2, len(DATA) + 2))
    frame.loc[10, "type"] = None
    with pytest.raises(StudyError, match="has a missing value") as err:
        rake_and_trim(frame, CASES["raked"], file="c.csv")
    assert err.value.row == 12 and err.value.column == "type"


def without_weighting() -> str:
    """The sample's study file without its weighting: block."""
    text = SAMPLE.read_text(encoding="utf-8")
    return re.sub(r"\nweighting:.*?\n(?=\S)", "\n", text, flags=re.S)


@pytest.mark.parametrize("block, key, message", [
    ("weighting: {margins: {region: {石家庄: 0.5, 保定: 0.4}}}", "weighting.margins.region",
     "sum to 0.9"),
    ("weighting: {group: clients, column: w}", "weighting.group", "unknown group"),
    ("weighting: {column: w, margins: {region: {石家庄: 1}}}", "weighting", "either margins"),
    ("weighting: {margins: {region: {石家庄: 1}}, trim: {min: 2, max: 3}}", "weighting.trim",
     "not valid"),
])
def test_bad_weighting_block_is_one_clear_error(block, key, message):
    text = without_weighting() + block + "\n"
    with pytest.raises(StudyError, match=message) as err:
        parse_study(text, base_dir=SAMPLE.parent)
    assert err.value.key == key


def test_shares_within_tolerance_are_normalised():
    text = without_weighting() + (
        "weighting: {margins: {type: {工程客户: 0.3505, 终端用户: 0.65}}}\n")
    study = parse_study(text, base_dir=SAMPLE.parent)
    assert sum(study.weighting.margins["type"].values()) == pytest.approx(1.0, abs=1e-15)
    assert study.weighting.group == "customers"


def test_raking_that_does_not_converge_says_so():
    from analysis.weighting import rake, weight_summary
    design = rake_and_trim(DATA, CASES["raked"])
    codes = [design.calibration[0][j][1].to_numpy() for j in range(2)]
    totals = [np.array(list(MARGINS[c].values())) * len(DATA) for c in MARGINS]
    w, _, cycles, converged, delta = rake(codes, totals, np.ones(len(DATA)), max_cycles=1)
    assert cycles == 1 and not converged and delta > 1e-8 * len(DATA)
    summary = weight_summary(
        type(design)(pd.Series(w, index=DATA.index, name="customers"), design.calibration, cycles,
                     converged, delta, design.margins), DATA)
    assert summary["warnings"] and "did not converge" in summary["warnings"][0]
    assert summary["deff"] == pytest.approx(1 + summary["cv"] ** 2)


def test_a_driver_model_that_cannot_be_estimated_stays_unweighted():
    from analysis.weighted import weighted_drivers
    few = DATA.iloc[:3]
    arrays = design_arrays(rake_and_trim(DATA, CASES["raked"]), few.index)
    model = {"outcome_items": ["s1", "s2"], "n": 3, "r2": None, "warnings": ["too few"]}
    out = weighted_drivers(few, arrays, {"satisfaction": model}, dimensions=DIMS,
                           satisfaction=["s1", "s2"])
    assert out["satisfaction"] is model


def test_calibrated_residuals_equal_the_per_column_bincounts():
    # the one-bincount form gives the former per-column level means to the last bit
    from analysis.weighted import RAKING_PASSES, calibrated_residuals

    def per_column(z, calibration):
        z = np.array(z, dtype=float, copy=True)
        for step in calibration:
            for _ in range(RAKING_PASSES):
                for codes, g in step:
                    counts = np.bincount(codes).astype(float)
                    q = z / g[:, None]
                    means = np.stack([np.bincount(codes, weights=q[:, j], minlength=len(counts))
                                      for j in range(z.shape[1])], axis=1) / counts[:, None]
                    z = z - g[:, None] * means[codes]
        return z

    rng = np.random.default_rng(3)
    n = 300
    steps = [[(rng.integers(0, 5, n), rng.uniform(0.5, 2, n)),
              (rng.integers(0, 3, n), rng.uniform(0.5, 2, n))],
             [(rng.integers(0, 4, n), rng.uniform(0.5, 2, n))]]
    for k in (1, 7):
        z = rng.normal(size=(n, k))
        assert np.array_equal(calibrated_residuals(z, steps), per_column(z, steps))
