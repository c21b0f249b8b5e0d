"""Careless-responding screens against a from-the-definitions R implementation
(tests/reference/careless.R -> careless.json; data tests/fixtures/careless.csv), and their place in
the study file, the quality report and the exclusions."""
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from surveys.careless import (MISSING_CODE, CarelessResult, _even_odd, _halves, _row_means,
                              careless_screens, even_odd, irv, longstring, whole_number_answers,
                              whole_number_centroid)
from surveys.errors import StudyError
from surveys.load import load_study, reverse_code
from surveys.study import Scale, parse_study

HERE = Path(__file__).parent
REF = json.loads((HERE / "reference" / "careless.json").read_text())
DIMS = {"A": ["a1", "a2", "a3", "a4"], "B": ["b1", "b2", "b3"], "C": ["c1", "c2", "c3"],
        "D": ["d1", "d2"], "E": ["e1"]}
ITEMS = [i for its in DIMS.values() for i in its]
SAMPLE = HERE.parent / "data" / "sample" / "study.yaml"


@pytest.fixture(scope="module")
def screens():
    data = pd.read_csv(HERE / "fixtures" / "careless.csv").astype(float)
    items = reverse_code(data[ITEMS], ["a2"], Scale(1, 5))
    settings = {"longstring": 5, "irv": 0.6, "mahalanobis": 0.05, "even_odd": 0.3,
                "attention": {"att": 4}}
    return careless_screens(items, DIMS, settings, data[["att"]]), settings


def expected(name):
    return np.array([np.nan if v is None else v for v in REF[name]], dtype=float)


@pytest.mark.parametrize("name", ["longstring", "irv", "mahalanobis_d2", "mahalanobis_p",
                                  "even_odd"])
def test_values_match_r_per_respondent(screens, name):
    got = screens[0].values[name].to_numpy()
    want = expected(name)
    assert np.array_equal(np.isnan(got), np.isnan(want)), name
    assert got[~np.isnan(got)] == pytest.approx(want[~np.isnan(want)], rel=1e-9, abs=1e-12)


def test_flags_follow_thresholds_and_null_never_flags(screens):
    result, settings = screens
    values = result.values
    assert result.flags["longstring"].tolist() == (values["longstring"] >= 5).tolist()
    assert result.flags["irv"].tolist() == (values["irv"] < 0.6).tolist()
    assert result.flags["mahalanobis"].tolist() == (values["mahalanobis_p"] < 0.05).tolist()
    assert result.flags["even_odd"].tolist() == (values["even_odd"] < 0.3).tolist()
    assert result.flags["attention"].tolist() == REF["attention"]
    assert not result.flags["even_odd"][values["even_odd"].isna()].any()
    assert values["even_odd"].isna().any() and values["mahalanobis_d2"].isna().any()


def test_missing_answer_breaks_a_run_and_even_odd_is_floored_at_minus_one():
    x = np.array([[3, 3, np.nan, 3, 3, 3], [np.nan] * 6, [1, 1, 1, 2, 2, 2]])
    assert longstring(x).tolist()[0] == 3 and np.isnan(longstring(x)[1])
    # odd halves 1, 5, 1 against even halves 5, 1, 4: r = -0.98 -> 2r/(1+r) < -1 -> -1
    frame = pd.DataFrame([[1, 5, 5, 1, 1, 4]], columns=list("abcdef"), dtype=float)
    assert even_odd(frame, {"x": ["a", "b"], "y": ["c", "d"], "z": ["e", "f"]})[0] == -1.0


def sample_with(careless: str, exclude: str = "{straightliners: true}") -> str:
    """The sample's study file with another careless: line and exclude: line."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    lines = [careless if line.startswith("careless:") else f"exclude: {exclude}"
             if line.startswith("exclude:") else line for line in lines]
    return "\n".join(lines) + "\n"


def test_sample_screens_flag_and_exclude_only_when_asked():
    text = sample_with("careless: {longstring: 8, mahalanobis: 0.001, attention: {ATT1: 4}}",
                       "{straightliners: true, attention: true}")
    data = load_study(parse_study(text, base_dir=SAMPLE.parent))
    q = data.groups[("2019", "customers")].quality
    flagged = q.flags["attention"]
    assert flagged.sum() > 0 and "irv" not in q.flags and "irv" not in q.to_json()["rules"]
    assert q.to_json()["rules"]["attention"]["count"] == int(flagged.sum())
    # excluded: the attention failures not already removed as straight-liners
    assert q.excluded["attention"] == int((flagged & ~q.flags["straightliners"]).sum()) > 0
    assert q.excluded["longstring"] == q.excluded["mahalanobis"] == 0  # flagged, not excluded
    assert q.n == q.n_raw - sum(q.excluded.values())
    # employees have no ATT1: nobody fails it there
    assert not data.groups[("2019", "employees")].quality.flags["attention"].any()


@pytest.mark.parametrize("block, key", [
    ("careless: {longstring: 1}", "careless.longstring"),
    ("careless: {mahalanobis: 2}", "careless.mahalanobis"),
    ("careless: {attention: {ATT1: 同意}}", "careless.attention.ATT1"),
    ("careless: {longstrings: 8}", "careless.longstrings"),
])
def test_bad_careless_settings_are_one_clear_error(block, key):
    with pytest.raises(StudyError) as err:
        parse_study(sample_with(block), base_dir=SAMPLE.parent)
    assert err.value.key == key
    assert err.value.render("zh") != err.value.render("en")


def test_excluding_a_screen_that_is_not_configured_is_an_error():
    text = sample_with("careless: {longstring: 8}", "{straightliners: true, irv: true}")
    with pytest.raises(StudyError, match="needs the screen") as err:
        parse_study(text, base_dir=SAMPLE.parent)
    assert err.value.key == "exclude.irv"


def former_screens(items: pd.DataFrame) -> dict:
    """The screens as first written, on the whole array at once (the definitions above, before
    the blocks): D² by ``np.linalg.solve`` on the complete cases centred at their mean, even-odd
    from each dimension's columns."""
    values = items.to_numpy(dtype=float)
    complete = ~np.isnan(values).any(axis=1)
    centred = values[complete] - values[complete].mean(axis=0)
    cov = centred.T @ centred / (len(centred) - 1)
    d2 = np.full(len(values), np.nan)
    d2[complete] = (centred * np.linalg.solve(cov, centred.T).T).sum(axis=1)
    halves = [(values[:, [ITEMS.index(i) for i in its[0::2]]],
               values[:, [ITEMS.index(i) for i in its[1::2]]])
              for its in DIMS.values() if len(its) >= 2]
    with warnings.catch_warnings():  # rows without an answer in a half; r = -1
        warnings.simplefilter("ignore", RuntimeWarning)
        o = np.column_stack([np.nanmean(odd, axis=1) for odd, _ in halves])
        e = np.column_stack([np.nanmean(even, axis=1) for _, even in halves])
        even_odd_values = []
        for o_r, e_r in zip(o, e):
            usable = ~np.isnan(o_r) & ~np.isnan(e_r)
            a, b = o_r[usable], e_r[usable]
            if usable.sum() < 3 or a.std() == 0 or b.std() == 0:
                even_odd_values.append(np.nan)
                continue
            r = np.corrcoef(a, b)[0, 1]
            even_odd_values.append(max(2 * r / (1 + r), -1.0))
    return {"mahalanobis_d2": d2, "even_odd": np.array(even_odd_values)}


def test_screens_in_blocks_equal_the_former_definitions(monkeypatch):
    """Blocks of 97 rows (many blocks, the last one short), one answer in twenty missing: the
    values and flags equal the screens computed on the whole array as first written; from
    separate int8 rows gathered by the blocks' threads, the same bits as from the matrix."""
    rng = np.random.default_rng(18)
    general = rng.standard_normal((1000, 1))
    answers = np.clip(np.rint(3 + general + rng.standard_normal((1000, len(ITEMS)))), 1, 5)
    answers[rng.random(answers.shape) < 0.05] = np.nan
    answers[:40] = 3.0  # straight-liners
    items = pd.DataFrame(answers, columns=ITEMS)
    settings = {"longstring": 5, "irv": 0.6, "mahalanobis": 0.05, "even_odd": 0.3}
    whole = careless_screens(items, DIMS, settings)
    monkeypatch.setattr("surveys.careless.BLOCK_ROWS", 97)
    blocked = careless_screens(items, DIMS, settings)
    rows = list(whole_number_answers(items))  # separate int8 rows, as loading hands them over
    gathered = careless_screens(items, DIMS, settings, whole=[row.copy() for row in rows])
    pd.testing.assert_frame_equal(gathered.values, blocked.values, check_exact=True)
    former = former_screens(items)
    assert np.isfinite(former["mahalanobis_d2"]).sum() > 400
    for name, want in former.items():
        for got in (whole.values[name].to_numpy(), blocked.values[name].to_numpy()):
            assert np.array_equal(np.isnan(got), np.isnan(want)), name
            assert np.allclose(got[~np.isnan(got)], want[~np.isnan(want)], rtol=1e-9, atol=1e-12)
    pd.testing.assert_frame_equal(blocked.values, whole.values, rtol=1e-12)
    for screen in settings:
        assert blocked.flags[screen].equals(whole.flags[screen]), screen
    assert whole.flags["longstring"][:40].all() and whole.flags["mahalanobis"].any()


@pytest.mark.parametrize("exact", [True, False])
def test_mahalanobis_p_of_the_blocks_is_that_of_the_whole_column(monkeypatch, exact):
    """D²'s p, now taken block by block beside the other screens, equals the former definition,
    ``scipy.stats.chi2.sf`` of the whole D² column after the blocks, bit for bit (the exact
    path on whole numbers, the floating-point path on answers with halves)."""
    from scipy import stats

    rng = np.random.default_rng(41)
    answers = np.clip(np.rint(3 + rng.standard_normal((1000, 1))
                              + rng.standard_normal((1000, len(ITEMS)))), 1, 5)
    answers[rng.random(answers.shape) < 0.05] = np.nan
    if not exact:
        answers[::7, 0] += 0.5
    monkeypatch.setattr("surveys.careless.BLOCK_ROWS", 97)
    values = careless_screens(pd.DataFrame(answers, columns=ITEMS), DIMS, {}).values
    d2 = values["mahalanobis_d2"].to_numpy()
    assert np.isfinite(d2).sum() > 400
    assert np.array_equal(values["mahalanobis_p"].to_numpy().view(np.uint64),
                          stats.chi2.sf(d2, len(ITEMS)).view(np.uint64))


def former_longstring_irv(values):
    """longstring and IRV as first written (column by column; two passes per row)."""
    n, k = values.shape
    best, run, previous = np.zeros(n), np.zeros(n), np.full(n, np.nan)
    for j in range(k):
        x = values[:, j]
        answered = ~np.isnan(x)
        run = np.where(answered & (x == previous), run + 1, np.where(answered, 1.0, 0.0))
        best, previous = np.maximum(best, run), x
    best[np.isnan(values).all(axis=1)] = np.nan
    answered = ~np.isnan(values)
    m = answered.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(answered, values, 0.0).sum(axis=1) / m
        sq = np.where(answered, (values - mean[:, None]) ** 2, 0.0).sum(axis=1)
        sd = np.where(m >= 2, np.sqrt(sq / (m - 1)), np.nan)
    return best, sd


@pytest.mark.parametrize("order", ["C", "F"])
def test_longstring_and_irv_equal_the_former_definitions_to_the_last_bit(order):
    """Whole and fractional answers, one in ten missing, rows without any or with one answer;
    in both memory layouts (a frame's block is the transpose of items x rows)."""
    rng = np.random.default_rng(7)
    x = np.clip(np.rint(3 + rng.standard_normal((500, 1)) + rng.standard_normal((500, 13))), 1, 5)
    x[250:] += rng.random((250, 13)) / 3
    x[rng.random(x.shape) < 0.1] = np.nan
    x[:20] = 2.0
    x[20, :] = np.nan
    x[21, 1:] = np.nan
    x = np.asarray(x, order=order)
    want_longstring, want_irv = former_longstring_irv(x)
    assert np.array_equal(longstring(x), want_longstring, equal_nan=True)
    assert np.array_equal(irv(x), want_irv, equal_nan=True)
    assert np.isnan(longstring(np.empty((3, 0)))).all()


@pytest.mark.parametrize("order", ["C", "F"])
def test_even_odd_half_means_equal_the_gathered_columns_to_the_last_bit(order):
    """Each half's mean summed column by column equals the former mean over the gathered
    columns (``np.where(answered, x[:, half], 0).sum(axis=1) / count``), fractional answers with
    one in ten missing, halves of 1 to 10 items."""
    rng = np.random.default_rng(11)
    x = np.clip(np.rint(3 + rng.standard_normal((400, 1)) + rng.standard_normal((400, 30))), 1, 5)
    x[200:] += rng.random((200, 30)) / 7
    x[rng.random(x.shape) < 0.1] = np.nan
    x = np.asarray(x, order=order)
    columns = [f"x{j}" for j in range(30)]
    dimensions = {"a": columns[:1], "b": columns[1:3], "c": columns[3:8], "d": columns[8:28],
                  "e": columns[28:]}
    halves = _halves(columns, dimensions)

    def former_means(block):
        answered = ~np.isnan(block)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(answered, block, 0.0).sum(axis=1) / answered.sum(axis=1)

    for half in (0, 1):
        former = np.column_stack([former_means(x[:, pair[half]]) for pair in halves])
        now = np.column_stack([_row_means(x, pair[half]) for pair in halves])
        assert np.array_equal(now, former, equal_nan=True)
    assert np.isfinite(_even_odd(x, halves)).sum() > 300


def _values_agree(exact: CarelessResult, former: CarelessResult) -> None:
    """The exact path's values equal the floating-point path's to 1e-12 relative (1e-15
    absolute: an r of exactly 0 against a former 1e-17), the same cells undefined, the same
    flags."""
    for name in exact.values:
        got, want = exact.values[name].to_numpy(), former.values[name].to_numpy()
        assert np.array_equal(np.isnan(got), np.isnan(want)), name
        assert np.allclose(got[~np.isnan(got)], want[~np.isnan(want)], rtol=1e-12, atol=1e-15), name
    assert exact.flags.keys() == former.flags.keys()
    for screen in exact.flags:
        assert exact.flags[screen].equals(former.flags[screen]), screen


def test_exact_path_equals_the_floating_point_path_on_the_sample(monkeypatch):
    """The sample study with every screen switched on, through the whole-number path and through
    the floating-point path (the former definition, which answers that are not whole numbers
    still take)."""
    text = sample_with("careless: {longstring: 6, irv: 0.5, mahalanobis: 0.01, even_odd: 0.2}")
    study = parse_study(text, base_dir=SAMPLE.parent)
    exact = load_study(study)
    monkeypatch.setattr("surveys.careless.whole_number_answers", lambda items: None)
    monkeypatch.setattr("surveys.load._screened_codes", lambda *args: None)  # loading's int8 rows
    former = load_study(study)
    for key, group in exact.groups.items():
        assert group.quality.careless.values["mahalanobis_d2"].notna().sum() > 20
        _values_agree(group.quality.careless, former.groups[key].quality.careless)


def test_exact_path_equals_the_floating_point_path_with_missing_answers(monkeypatch):
    """Answers 1-7 with one in twenty missing, rows without an answer or with one, straight-liners,
    dimensions of 1 to 8 items (halves of 1 to 4: common denominators up to 12), in blocks of
    97 rows. Whatever the order of the rows, the same centroid (integer sums) and the same
    longstring, IRV and even-odd to the last bit; D² to rounding (the triangular solve's
    kernel rounds a column by its place in a block)."""
    rng = np.random.default_rng(2026)
    sizes = [1, 2, 3, 4, 5, 6, 8]
    columns = [f"d{d}_{i}" for d, size in enumerate(sizes) for i in range(size)]
    dims = {f"d{d}": [f"d{d}_{i}" for i in range(size)] for d, size in enumerate(sizes)}
    general = rng.standard_normal((3000, 1))
    answers = np.clip(np.rint(4 + general + rng.standard_normal((3000, len(columns)))), 1, 7)
    answers[rng.random(answers.shape) < 1 / 20] = np.nan
    answers[:30] = 5.0
    answers[30] = np.nan
    answers[31, 1:] = np.nan
    items = pd.DataFrame(answers, columns=columns)
    settings = {"longstring": 6, "irv": 0.8, "mahalanobis": 0.05, "even_odd": 0.3}
    monkeypatch.setattr("surveys.careless.BLOCK_ROWS", 97)
    exact = careless_screens(items, dims, settings)
    order = rng.permutation(len(items))
    shuffled = careless_screens(items.iloc[order], dims, settings)
    for name in ("longstring", "irv", "even_odd"):
        assert shuffled.values[name].equals(exact.values[name].iloc[order]), name
    pd.testing.assert_frame_equal(shuffled.values, exact.values.iloc[order], rtol=1e-13)
    whole = whole_number_answers(items)
    assert all(np.array_equal(a, b) for a, b in zip(
        whole_number_centroid(whole), whole_number_centroid(whole[:, order])))
    monkeypatch.setattr("surveys.careless.whole_number_answers", lambda items: None)
    former = careless_screens(items, dims, settings)
    assert np.isfinite(former.values["mahalanobis_d2"]).sum() > 500
    assert np.isfinite(former.values["even_odd"]).sum() > 2000
    _values_agree(exact, former)


@pytest.mark.parametrize("answer, whole", [(4.0, True), (-127.0, True), (4.5, False),
                                           (200.0, False), (-128.0, False), (np.inf, False)])
def test_only_whole_numbers_in_int8_take_the_exact_path(answer, whole):
    """A fraction, a number out of [-127, 127] or the missing code itself send the group down
    the floating-point path; missing answers do not."""
    items = pd.DataFrame({"a": [1.0, np.nan, answer], "b": [2.0, 3.0, np.nan]})
    got = whole_number_answers(items)
    assert (got is not None) == whole
    if whole:
        assert got.tolist() == [[1, MISSING_CODE, int(answer)], [2, 3, MISSING_CODE]]


def test_chi2_sf_is_scipys_to_the_bit():
    """Mahalanobis' p from scipy.special.chdtrc equals scipy.stats.chi2.sf bit for bit (the
    former definition), NaN, 0 and infinity included."""
    from scipy import stats

    from surveys.careless import _chi2_sf

    rng = np.random.default_rng(3)
    for k in (1, 3, 12, 60):
        x = np.concatenate([rng.chisquare(k, 5000) * rng.uniform(0.1, 4, 5000),
                            [0.0, 1e-300, np.inf, np.nan, 1e4]])
        np.testing.assert_array_equal(_chi2_sf(x, k), stats.chi2.sf(x, k))


def former_whole_number_screens(x, halves, scales, centroid):
    """The exact path's block screens as they were before the int32 sums (float64 even-odd sums,
    int64 counts and sums, D² of a C-ordered centred block), with D²'s p as the screens took it
    after the blocks (``scipy.stats.chi2.sf``)."""
    from scipy import linalg, stats

    from surveys.careless import _longest_runs, _rows_sum, _spearman_brown
    answered = x != MISSING_CODE
    values = np.multiply(x, answered, dtype=np.int8)
    m = answered.sum(axis=0, dtype=np.int64)
    total = values.sum(axis=0, dtype=np.int64)
    squares = np.einsum("ij,ij->j", values, values, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        irv_values = np.where(m >= 2, np.sqrt((m * squares - total * total) / (m * (m - 1))),
                              np.nan)
    d2 = np.full(x.shape[1], np.nan)
    if centroid is not None:
        mean, factor = centroid
        complete = m == len(x)
        z = linalg.solve_triangular(factor, np.compress(complete, x, axis=1) - mean[:, None],
                                    lower=True)
        d2[complete] = np.einsum("ij,ij->j", z, z)
    eo = np.full(x.shape[1], np.nan)
    if halves:
        n_, sx, sy, sxx, syy, sxy = (np.zeros(x.shape[1]) for _ in range(6))
        longest = [max(len(half[h]) for half in halves) for h in (0, 1)]
        factors = [np.array([0.0] + [scales[h] / c for c in range(1, longest[h] + 1)])
                   for h in (0, 1)]
        for odd, even in halves:
            odd_count = _rows_sum(answered, odd, np.int16)
            even_count = _rows_sum(answered, even, np.int16)
            usable = (odd_count > 0) & (even_count > 0)
            o = _rows_sum(values, odd, np.int32) * factors[0][odd_count] * usable
            e = _rows_sum(values, even, np.int32) * factors[1][even_count] * usable
            n_ += usable
            sx, sy, sxx, syy, sxy = sx + o, sy + e, sxx + o * o, syy + e * e, sxy + o * e
        sxx, syy = n_ * sxx - sx * sx, n_ * syy - sy * sy
        with np.errstate(invalid="ignore", divide="ignore"):
            r = (n_ * sxy - sx * sy) / np.sqrt(sxx * syy)
        eo = _spearman_brown(r, (n_ >= 3) & (sxx > 0) & (syy > 0))
    runs = _longest_runs((x[1:] == x[:-1]) & answered[1:], answered)
    return np.stack([runs, irv_values, d2, stats.chi2.sf(d2, len(x)), eo])


def former_complete_case_sums(x):
    """The complete cases' count, sums and cross-products by float64 matrix products."""
    complete = x[:, (x != MISSING_CODE).all(axis=0)].astype(np.float64)
    return (complete.shape[1], complete.sum(axis=1).astype(np.int64),
            (complete @ complete.T).astype(np.int64))


@pytest.mark.parametrize("low, high, sizes", [
    (1, 5, [3] * 20),  # the million-row study's shape: int32 sums, float32 cross-products
    (1, 7, [1, 2, 3, 4, 5, 6, 8]),  # halves of 1 to 4 items
    (-127, 127, [2, 3, 9, 12, 4]),  # answers at int8's ends: int64 sums, float64 products
    (0, 10, [24, 24, 24]),  # halves of 12 items: common denominators of 27,720 (int64)
])
def test_block_screens_and_centroid_sums_equal_the_former_definitions_to_the_bit(low, high, sizes):
    """``_whole_number_screens`` (int32 sums where they fit, D² solved in Fortran order) and
    ``_complete_case_sums`` (float32 products where exact) against their former float64
    definitions: the same bits, one answer in twenty missing, rows without an answer, with one,
    straight-liners, and a block without any complete row."""
    from surveys.careless import (_complete_case_sums, _half_scales, _whole_number_screens)
    rng = np.random.default_rng(low + high + len(sizes))
    columns = [f"d{d}_{i}" for d, size in enumerate(sizes) for i in range(size)]
    dims = {f"d{d}": [f"d{d}_{i}" for i in range(size)] for d, size in enumerate(sizes)}
    k, n = len(columns), 5000
    general = rng.standard_normal(n)
    x = np.clip(np.rint((low + high) / 2 + (high - low) / 5 * (general + rng.standard_normal((k, n)))),
                low, high).astype(np.int8)
    x[rng.random(x.shape) < 1 / 20] = MISSING_CODE
    x[:, :30] = high
    x[:, 30] = MISSING_CODE
    x[1:, 31] = MISSING_CODE
    halves = _halves(columns, dims)
    scales = _half_scales(halves)
    centroid = whole_number_centroid(x)
    assert centroid is not None and scales is not None
    got = _whole_number_screens(x, halves, scales, centroid)
    want = former_whole_number_screens(x, halves, scales, centroid)
    assert np.array_equal(got.view(np.uint64), want.view(np.uint64))
    assert np.isfinite(got[2]).sum() > 100 and np.isfinite(got[4]).sum() > 1000
    for block in (x, x[:, 30:32], x[:, :0]):
        for a, b in zip(_complete_case_sums(block), former_complete_case_sums(block)):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("k, n", [(1, 1), (3, 7), (12, 500), (60, 5000), (130, 300)])
def test_lower_solve_without_the_lock_is_scipys_to_the_bit(k, n):
    """D²'s triangular solve through ctypes (the lock released) equals
    ``scipy.linalg.solve_triangular`` of the same factor and block bit for bit, Fortran- and
    C-ordered blocks alike (the latter take scipy's call); a zero on the diagonal is scipy's
    error."""
    from scipy import linalg

    from surveys.careless import _lapack_trtrs, _solve_lower

    assert _lapack_trtrs() is not None  # scipy's LAPACK is found: the test checks the ctypes call
    rng = np.random.default_rng(k + n)
    factor = np.linalg.cholesky(np.atleast_2d(np.cov(rng.standard_normal((k, 4 * k + 10)))))
    block = rng.standard_normal((k, n)) * 3 + rng.integers(-2, 3, (k, n))
    want = linalg.solve_triangular(factor, block, lower=True, check_finite=False)
    for order in "FC":
        got = _solve_lower(factor, np.array(block, order=order))
        np.testing.assert_array_equal(got.view(np.uint64), want.view(np.uint64))
    singular = factor.copy()
    singular[k // 2, k // 2] = 0.0
    with pytest.raises(np.linalg.LinAlgError, match="singular matrix"):
        _solve_lower(singular, np.asfortranarray(block))
