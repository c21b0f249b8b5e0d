"""Key-driver analysis against R (tests/reference/drivers.R -> drivers.json) and the rwa README."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.drivers import drivers_section, lmg, ols_drivers, relative_weights

HERE = Path(__file__).parent
REF = json.loads((HERE / "reference" / "drivers.json").read_text())
X = REF["predictors"]


@pytest.fixture(scope="module")
def mtcars():
    return pd.read_csv(HERE / "fixtures" / "mtcars.csv")


def test_relative_weights_match_rwa_readme(mtcars):
    # R package rwa (Martin Chan), README: rwa(mtcars, "mpg", c("cyl","disp","hp","gear")):
    # rsquare 0.7791896, raw weights 0.2284797 0.2221469 0.2321744 0.0963886 (7 decimals published)
    result = relative_weights(mtcars, "mpg", X)
    assert result.attrs["r2"] == pytest.approx(0.7791896, abs=5e-8)
    np.testing.assert_allclose(result["raw_weight"], [0.2284797, 0.2221469, 0.2321744, 0.0963886],
                               atol=5e-8)


def test_relative_weights_match_r_by_hand(mtcars):
    result = relative_weights(mtcars, "mpg", X)
    np.testing.assert_allclose(result["raw_weight"], REF["raw_weight"], rtol=1e-6)
    np.testing.assert_allclose(result["rescaled_weight"], REF["rescaled_weight"], rtol=1e-6)
    assert result["raw_weight"].sum() == pytest.approx(REF["r2"], rel=1e-9)


def test_lmg_matches_all_orderings_in_r(mtcars):
    result = lmg(mtcars, "mpg", X)
    np.testing.assert_allclose(result["lmg"], REF["lmg"], rtol=1e-6)
    assert result["lmg"].sum() == pytest.approx(REF["r2"], rel=1e-9)
    assert result["lmg_share"].sum() == pytest.approx(1.0)


def test_ols_matches_lm_and_car_vif(mtcars):
    fit = ols_drivers(mtcars, "mpg", X)
    assert fit.n == REF["n"]
    for key in ["r2", "adj_r2", "f", "df_model", "df_resid", "intercept"]:
        assert getattr(fit, key) == pytest.approx(REF[key], rel=1e-6), key
    assert fit.p == pytest.approx(REF["f_p"], rel=1e-6)
    for key in ["b", "se", "t", "p", "beta", "vif"]:
        np.testing.assert_allclose(fit.coefficients[key], REF[key], rtol=1e-6, err_msg=key)


def test_listwise_deletion_equals_dropping_the_rows(mtcars):
    holed = mtcars.copy()
    holed.loc[[0, 5], "hp"] = np.nan
    holed.loc[9, "mpg"] = np.nan
    kept = mtcars.drop(index=[0, 5, 9])
    assert ols_drivers(holed, "mpg", X).n == 29
    np.testing.assert_allclose(lmg(holed, "mpg", X)["lmg"], lmg(kept, "mpg", X)["lmg"])
    np.testing.assert_allclose(relative_weights(holed, "mpg", X)["raw_weight"],
                               relative_weights(kept, "mpg", X)["raw_weight"])


def test_degenerate_inputs_give_nan_and_warnings(mtcars):
    few = mtcars.head(4)
    fit = ols_drivers(few, "mpg", X)
    assert np.isnan(fit.r2) and "complete cases" in fit.warnings[0]
    flat = mtcars.assign(gear=4.0)
    assert "zero variance" in relative_weights(flat, "mpg", X).attrs["warnings"][0]
    assert lmg(flat, "mpg", X)["lmg"].isna().all()
    collinear = mtcars.assign(disp2=mtcars["disp"] * 2)
    assert "collinear" in relative_weights(collinear, "mpg", [*X, "disp2"]).attrs["warnings"][0]
    shares = lmg(collinear, "mpg", [*X, "disp2"])
    assert shares["lmg"].sum() == pytest.approx(REF["r2"], rel=1e-9)  # same R², split evenly
    assert shares.loc["disp", "lmg"] == pytest.approx(shares.loc["disp2", "lmg"])


def test_drivers_section_uses_dimension_scores_and_is_json(mtcars):
    # dimension "power" = mean of hp/100 and disp/100 over the answered items; outcome = mpg
    frame = pd.DataFrame({
        "hp": mtcars["hp"] / 100, "disp": mtcars["disp"] / 100, "cyl": mtcars["cyl"],
        "gear": mtcars["gear"], "mpg": mtcars["mpg"], "qsec": mtcars["qsec"],
    })
    frame.loc[3, "hp"] = np.nan  # respondent 3's power score is disp alone
    dims = {"power": ["hp", "disp"], "cyl": ["cyl"], "gear": ["gear"]}
    section = drivers_section({"customers": frame}, dimensions=dims, satisfaction=["mpg"],
                              loyalty=["qsec"])
    json.dumps(section, allow_nan=False)
    model = section["customers"]["satisfaction"]
    power = frame[["hp", "disp"]].mean(axis=1)
    expected = ols_drivers(pd.DataFrame({"power": power, "cyl": frame["cyl"],
                                         "gear": frame["gear"], "y": frame["mpg"]}),
                           "y", ["power", "cyl", "gear"])
    assert model["r2"] == pytest.approx(expected.r2)
    assert [p["name"] for p in model["predictors"]] == ["power", "cyl", "gear"]
    assert sum(p["lmg"] for p in model["predictors"]) == pytest.approx(model["r2"])
    assert sum(p["raw_weight"] for p in model["predictors"]) == pytest.approx(model["r2"])
    assert section["customers"]["loyalty"]["n"] == 32


def test_drivers_section_degenerate_group_gives_none():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 3.0], "s": [3.0, 4.0]})
    section = drivers_section({"g": frame}, dimensions={"A": ["a"], "B": ["b"]}, satisfaction=["s"])
    model = section["g"]["satisfaction"]
    assert model["r2"] is None and model["warnings"]
    assert model["predictors"][0]["lmg"] is None
    json.dumps(section, allow_nan=False)


def test_drivers_section_leaves_out_dimensions_a_group_lacks(mtcars):
    frame = mtcars[["cyl", "disp", "mpg"]]
    dims = {"cyl": ["cyl"], "disp": ["disp"], "hp": ["hp"]}
    section = drivers_section({"g": frame, "h": frame[["mpg"]]}, dimensions=dims,
                              satisfaction=["mpg"])
    assert [p["name"] for p in section["g"]["satisfaction"]["predictors"]] == ["cyl", "disp"]
    assert section["h"] == {}
