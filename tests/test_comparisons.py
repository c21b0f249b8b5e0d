"""Group comparisons against R (tests/reference/comparisons.R -> comparisons.json)."""
import json
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.comparisons import (
    anova_oneway, comparisons_section, dunn, games_howell, group_summary, kruskal_wallis,
    studentized_range_isf, studentized_range_sf, tukey_hsd, welch_anova,
)
from analysis.comparisons import (
    _COARSE, _FINE, _compare, _levels_of, _range_sf, _range_sf_row, _studentized_range_integral,
    _tukey_critical,
)
from analysis.indices import respondent_scores
from analysis.jsonready import json_ready
from analysis.moments import Responses

HERE = Path(__file__).parent
REF = json.loads((HERE / "reference" / "comparisons.json").read_text())
ORDER = ["north", "south", "east", "west"]  # factor levels used in the R script


@pytest.fixture(scope="module")
def data():
    frame = pd.read_csv(HERE / "fixtures" / "comparisons.csv")
    return frame["score"], frame["region"].astype(pd.CategoricalDtype(ORDER))


def test_anova_matches_aov_and_effectsize(data):
    res = anova_oneway(*data)
    ref = REF["anova"]
    assert (res.df1, res.df2) == (ref["df1"], ref["df2"])
    assert res.statistic == pytest.approx(ref["f"], rel=1e-6)
    assert res.p == pytest.approx(ref["p"], rel=1e-6)
    assert res.effect_size == pytest.approx(ref["eta2"], rel=1e-6)


def test_welch_matches_oneway_test(data):
    res = welch_anova(*data)
    ref = REF["welch"]
    for got, key in [(res.statistic, "f"), (res.df1, "df1"), (res.df2, "df2"), (res.p, "p")]:
        assert got == pytest.approx(ref[key], rel=1e-6), key


def test_kruskal_matches_kruskal_test_and_rank_epsilon(data):
    res = kruskal_wallis(*data)
    ref = REF["kruskal"]
    for got, key in [(res.statistic, "h"), (res.df1, "df"), (res.p, "p"),
                     (res.effect_size, "epsilon2")]:
        assert got == pytest.approx(ref[key], rel=1e-6), key


def test_tukey_matches_tukeyhsd(data):
    res = tukey_hsd(*data)
    ref = pd.DataFrame(REF["tukey"])  # R names pairs "b-a" with diff = b - a
    assert list(res["b"] + "-" + res["a"]) == list(ref["pair"])
    np.testing.assert_allclose(res["diff"], ref["diff"], rtol=1e-9)
    np.testing.assert_allclose(res["ci_lo"], ref["lo"], rtol=1e-6)
    np.testing.assert_allclose(res["ci_hi"], ref["hi"], rtol=1e-6)
    np.testing.assert_allclose(res["p_adj"], ref["p_adj"], rtol=1e-6)


def test_games_howell_matches_rstatix_and_ptukey(data):
    res = games_howell(*data)
    ref = pd.DataFrame(REF["games_howell"])
    hand = pd.DataFrame(REF["games_howell_hand"])
    assert list(res["a"]) == list(ref["a"]) and list(res["b"]) == list(ref["b"])
    np.testing.assert_allclose(res["diff"], ref["diff"], rtol=1e-9)
    np.testing.assert_allclose(res["ci_lo"], ref["lo"], rtol=1e-6)
    np.testing.assert_allclose(res["ci_hi"], ref["hi"], rtol=1e-6)
    np.testing.assert_allclose(res["p_adj"], ref["p_adj"], atol=5e-4)  # rstatix rounds to 3 d.p.
    np.testing.assert_allclose(res["t"], hand["t"], rtol=1e-9)
    np.testing.assert_allclose(res["df"], hand["df"], rtol=1e-9)
    np.testing.assert_allclose(res["p_adj"], hand["p_adj"], rtol=1e-6)


def test_dunn_holm_matches_rstatix_and_hand_code(data):
    res = dunn(*data)
    ref = pd.DataFrame(REF["dunn"])
    hand = pd.DataFrame(REF["dunn_hand"])
    np.testing.assert_allclose(res["z"], ref["z"], rtol=1e-9)  # rstatix: z > 0 when b ranks higher
    np.testing.assert_allclose(res["z"], -hand["z"], rtol=1e-9)  # hand code: mean rank a - b
    np.testing.assert_allclose(res["p"], ref["p"], rtol=1e-9)
    np.testing.assert_allclose(res["p_adj"], ref["p_adj"], rtol=1e-9)
    np.testing.assert_allclose(res["p_adj"], hand["p_holm"], rtol=1e-9)


def test_degenerate_groups():
    one_level = anova_oneway(pd.Series([1.0, 2.0, 3.0]), pd.Series(["a", "a", "a"]))
    assert np.isnan(one_level.statistic) and one_level.warnings
    # level "c" has one score: left out, the test runs on a and b
    values = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0])
    labels = pd.Series(["a", "a", "b", "b", "c"])
    assert anova_oneway(values, labels).k == 2
    flat = welch_anova(pd.Series([1.0, 1.0, 2.0, 3.0]), pd.Series(["a", "a", "b", "b"]))
    assert np.isnan(flat.statistic) and "zero variance" in flat.warnings[0]
    equal = kruskal_wallis(pd.Series([2.0] * 4), pd.Series(["a", "a", "b", "b"]))
    assert np.isnan(equal.statistic)
    assert tukey_hsd(pd.Series([1.0, 2.0]), pd.Series(["a", "a"])).empty
    summary = group_summary(values, labels)
    assert list(summary["n"]) == [2, 2, 1]


def test_section_is_json_and_consistent(data):
    values, labels = data
    frame = pd.DataFrame({"q1": values, "q2": values, "region": labels.astype(str),
                          "overall": values})
    frame.loc[0, "region"] = None
    frame.loc[1, "q1"] = np.nan  # the dimension score then comes from q2 alone
    section = comparisons_section({"customers": frame, "employees": frame.drop(columns="region")},
                                  dimensions={"D": ["q1", "q2"]}, by=["region"],
                                  satisfaction=["overall"], min_n=8)
    json.dumps(section, allow_nan=False)
    assert section["employees"] == {}
    entry = section["customers"]["region"]["D"]
    kept = labels.astype(str).iloc[1:]
    expected = anova_oneway(values.iloc[1:], kept)
    assert entry["n"] == len(values) - 1
    assert entry["anova"]["f"] == pytest.approx(expected.statistic)
    assert [lv["level"] for lv in entry["levels"]] == sorted(ORDER)
    assert [lv["small"] for lv in entry["levels"]] == [n < 8 for n in
                                                       kept.value_counts()[sorted(ORDER)]]
    assert len(entry["tukey"][0]["ci"]) == 2
    assert set(section["customers"]["region"]) == {"D", "satisfaction"}


def test_studentized_range_exact_for_two_means():
    # the range of two means is sqrt(2) |t|: P(Q > q) = 2 P(t > q / sqrt 2), exact for any df
    q = np.array([0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0])
    for df in [1.0, 1.5, 2.5, 5.0, 39.0, 1000.0, 1e5]:
        exact = 2 * stats.t.sf(q / np.sqrt(2), df)
        np.testing.assert_allclose(studentized_range_sf(q, 2, df), exact, rtol=1e-12)
        # the integral, which k > 2 uses, gives the same for k = 2
        np.testing.assert_allclose(_studentized_range_integral(q, 2, np.full(len(q), df)), exact,
                                   rtol=1e-8)
        assert studentized_range_isf(0.05, 2, df)[0] == pytest.approx(
            np.sqrt(2) * stats.t.isf(0.025, df), rel=1e-9)


def _isf_regula_falsi(alpha, k, nu):
    """The former critical values (before Newton's method): the Illinois variant of regula falsi
    on log q, from the Bonferroni bound, to a step of 1e-10, on the same integral."""
    def excess(log_q):
        return np.log(np.maximum(_studentized_range_integral(np.exp(log_q), k, nu), 1e-300)) \
            - np.log(alpha)

    guess = np.log(np.sqrt(2) * stats.t.isf(alpha / (k * (k - 1)), nu))
    lo, hi = guess - 0.2, guess + 0.01
    f_lo, f_hi = excess(lo), excess(hi)
    while np.any(f_lo < 0) or np.any(f_hi > 0):
        lo, hi = np.where(f_lo < 0, lo - 0.5, lo), np.where(f_hi > 0, hi + 0.5, hi)
        f_lo, f_hi = excess(lo), excess(hi)
    for _ in range(100):
        mid = np.where(f_hi == 0, hi, hi - f_hi * (hi - lo) / (f_hi - f_lo))
        f_mid = excess(mid)
        flip = np.sign(f_mid) != np.sign(f_hi)
        lo, f_lo = np.where(flip, hi, lo), np.where(flip, f_hi, f_lo / 2)
        step, hi, f_hi = np.abs(mid - hi), mid, f_mid
        if np.all((step < 1e-10) | (f_hi == 0)):
            break
    return np.exp(hi)


@pytest.mark.parametrize("alpha, k", [(0.05, 3), (0.05, 5), (0.01, 8), (0.1, 12)])
def test_studentized_range_isf_equals_the_former_regula_falsi(alpha, k):
    # Newton's steps (coarse nodes first) find the root of the same integral as before
    nu = np.array([0.5, 1.0, 2.5, 7.3, 20.5, 60.3, 1000.0, 1e6])
    np.testing.assert_allclose(studentized_range_isf(alpha, k, nu),
                               _isf_regula_falsi(alpha, k, nu), rtol=1e-9)
    with np.errstate(all="ignore"):  # df 0.01: the grid underflows, NaN as before
        assert np.isnan(studentized_range_isf(alpha, k, [0.01, 5.0])).tolist() == [True, False]


@pytest.mark.parametrize("k", [2, 3, 5, 8, 12])
def test_range_sf_row_by_row_is_bit_identical_to_all_rows(k):
    # one row at a time (cache-sized arrays) gives the very same bits as all rows at once,
    # the former computation (_range_sf_row on the whole 2-d array)
    rng = np.random.default_rng(k)
    for grids in (_FINE, _COARSE):
        for rows in (1, 3, 10, 45):
            nodes = grids.pieces * 16
            w = rng.uniform(0.0, 9.0, rows)[:, None] * np.exp(rng.normal(0, 0.3, (rows, nodes)))
            assert np.array_equal(_range_sf(w, k, grids), _range_sf_row(w, k, grids))
            for new, old in zip(_range_sf(w, k, grids, density=True),
                                _range_sf_row(w, k, grids, density=True)):
                assert np.array_equal(new, old)


def test_studentized_range_matches_ptukey_and_qtukey():
    ptk = pd.DataFrame(REF["ptukey"])
    for k, rows in ptk.groupby("k"):
        np.testing.assert_allclose(studentized_range_sf(rows["q"], int(k), rows["df"]), rows["sf"],
                                   rtol=1e-6)
    qtk = pd.DataFrame(REF["qtukey"])
    for k, rows in qtk.groupby("k"):
        np.testing.assert_allclose(studentized_range_isf(0.05, int(k), rows["df"]), rows["q95"],
                                   rtol=1e-6)


def _former_tests(values, labels):
    """The former tests and post-hoc tables: pandas arithmetic on the :func:`group_summary` table
    (the tests' arrays replaced it), levels with two scores or more."""
    table = group_summary(values, labels)
    table = table[table["n"] >= 2]
    n, k = int(table["n"].sum()), len(table)
    grand = float((table["n"] * table["mean"]).sum() / n)
    ss_between = float((table["n"] * (table["mean"] - grand) ** 2).sum())
    ss_within = float(((table["n"] - 1) * table["var"]).sum())
    w = table["n"] / table["var"]
    mean_w = (w * table["mean"]).sum() / w.sum()
    lam = (((1 - w / w.sum()) ** 2) / (table["n"] - 1)).sum()
    welch_f = float(((w * (table["mean"] - mean_w) ** 2).sum() / (k - 1))
                    / (1 + 2 * (k - 2) * lam / (k**2 - 1)))
    a, b = (list(side) for side in zip(*combinations(range(k), 2)))
    first, second = (table.iloc[side].reset_index(drop=True) for side in (a, b))
    diff = (second["mean"] - first["mean"]).to_numpy()
    tukey_se = np.sqrt(ss_within / (n - k) / 2 * (1 / first["n"] + 1 / second["n"])).to_numpy()
    va, vb = (first["var"] / first["n"]).to_numpy(), (second["var"] / second["n"]).to_numpy()
    gh_df = (va + vb) ** 2 / (va**2 / (first["n"].to_numpy() - 1)
                              + vb**2 / (second["n"].to_numpy() - 1))
    used = values[labels.notna() & values.notna()]
    tied = used.value_counts().to_numpy().astype(np.float64)
    variance = n * (n + 1) / 12 - float(np.sum(tied**3 - tied)) / (12 * (n - 1))
    dunn_z = (second["mean_rank"] - first["mean_rank"]).to_numpy() / np.sqrt(
        variance * (1 / first["n"] + 1 / second["n"])).to_numpy()
    return {"f": (ss_between / (k - 1)) / (ss_within / (n - k)), "welch": welch_f,
            "diff": diff, "tukey_se": tukey_se, "gh_se": np.sqrt(va + vb), "gh_df": gh_df,
            "dunn_z": dunn_z}


@pytest.mark.parametrize("missing", [False, True])
def test_tests_from_arrays_equal_the_former_pandas_arithmetic(data, missing):
    # bit-identical: the same operations on the same numbers, on the R fixture and with
    # missing scores and labels
    values, labels = data
    if missing:
        values, labels = values.copy(), labels.copy()
        values.iloc[::7] = np.nan
        labels.iloc[3::11] = np.nan
    former = _former_tests(values, labels)
    assert anova_oneway(values, labels).statistic == former["f"]
    assert welch_anova(values, labels).statistic == former["welch"]
    tukey, gh = tukey_hsd(values, labels), games_howell(values, labels)
    assert np.array_equal(tukey["diff"], former["diff"])
    assert np.array_equal(tukey["se"], former["tukey_se"])
    assert np.array_equal(gh["se"], former["gh_se"]) and np.array_equal(gh["df"], former["gh_df"])
    assert np.array_equal(dunn(values, labels)["z"], former["dunn_z"])
    assert list(tukey.columns) == ["a", "b", "diff", "se", "q", "ci_lo", "ci_hi", "p_adj"]


def test_posthoc_without_pairs_is_an_empty_object_table():
    one_level = pd.Series(["x"] * 4)
    for table in (tukey_hsd(pd.Series([1.0, 2, 3, 4]), one_level),
                  games_howell(pd.Series([1.0, 2, 3, 4]), one_level),
                  dunn(pd.Series([1.0, 2, 3, 4]), one_level)):
        assert table.empty and set(table.dtypes) == {np.dtype(object)}


def test_section_shares_one_split_and_one_critical_value(data):
    # every outcome compared across one column reads the same split of the respondents, and
    # Tukey's critical value is kept per (alpha, k, df): the section equals each outcome split
    # on its own with the critical value computed afresh (missing scores and labels)
    values, labels = data
    frame = pd.DataFrame({"q1": values, "q2": values[::-1].to_numpy(), "overall": values,
                          "region": labels.astype(str)})
    frame.loc[::9, "q1"] = np.nan
    frame.loc[4::13, "region"] = None
    dimensions = {"D": ["q1"], "E": ["q1", "q2"]}
    section = comparisons_section({"c": frame}, dimensions=dimensions, by=["region"],
                                  satisfaction=["overall"])
    scores = respondent_scores(Responses(frame), dimensions, {"satisfaction": ["overall"]})
    for outcome in ("D", "E", "satisfaction"):
        alone = _compare(_levels_of(scores.split(frame["region"]), outcome), 5)
        assert json_ready(alone) == section["c"]["region"][outcome]
    for k, df in ((4, 150), (5, 287), (3, 12)):
        assert _tukey_critical(0.05, k, df) == studentized_range_isf(0.05, k, df)[0]
