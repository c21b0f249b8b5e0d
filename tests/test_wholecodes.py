"""The Likert codes loading holds once as int8 (surveys/wholecodes.py, issue 18) against the former
definitions, which read the float columns: the careless screens' answers, the quality checks,
the moments' prepared columns, and a whole load and analysis with and without the int8 rows."""
import json

import numpy as np
import pandas as pd
import pytest

from analysis.moments import _prepare, _prepare_whole
from surveys.careless import whole_number_answers
from surveys.cleaning import (_row_keys, duplicate_rows, missing_summary, straightliners,
                              zero_variance_items)
from surveys.importers.plain import _blank_rows
from surveys.load import Scale, load_study, reverse_code
from surveys.wholecodes import MISSING_CODE, WholeCodes, whole_number_row


def codes_frame(seed: int = 7, n: int = 400, k: int = 8) -> pd.DataFrame:
    """Answers 1-5, one in five missing, straight-liners, rows all missing, a column answered
    the same way by everyone and a column nobody answered."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, (n, k)).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    x[:10], x[10], x[11, :3] = 4.0, np.nan, 2.0
    x[:, k - 2] = np.where(np.isnan(x[:, k - 2]), np.nan, 4.0)
    x[:, k - 1] = np.nan
    return pd.DataFrame({f"i{j}": x[:, j] for j in range(k)})


def whole_of(frame: pd.DataFrame) -> WholeCodes:
    return WholeCodes({c: whole_number_row(frame[c].to_numpy()) for c in frame}, len(frame))


@pytest.mark.parametrize("answer, whole", [(4.0, True), (-127.0, True), (4.5, False),
                                           (200.0, False), (-128.0, False), (np.inf, False)])
def test_whole_number_row(answer, whole):
    """A fraction, a number out of [-127, 127] or the missing code itself: no row."""
    got = whole_number_row(np.array([1.0, np.nan, answer]))
    assert (got is not None) == whole
    if whole:
        assert got.dtype == np.int8 and got.tolist() == [1, MISSING_CODE, int(answer)]


def _matrix(codes, columns):
    """The int8 rows of ``columns`` stacked in their order (items x respondents)."""
    return np.stack([codes.row(c) for c in columns])


@pytest.mark.parametrize("low, high, reverse", [(1, 5, ["i1", "i3"]), (0, 10, ["i0"]),
                                                (1, 5, []), (-3, 3, ["i2", "i5"])])
def test_reverse_coded_rows_are_the_screens_former_answers(low, high, reverse):
    """The careless screens' int8 answers made from the rows loading holds equal
    whole_number_answers of the reverse-coded float frame (the former definition)."""
    frame = codes_frame().clip(lower=low, upper=high)
    scale = Scale(float(low), float(high))
    want = whole_number_answers(reverse_code(frame, reverse, scale))
    whole = whole_of(frame)
    recoded = whole.reverse_coded(reverse, scale.min, scale.max)
    got = _matrix(recoded, list(frame.columns))
    assert got.dtype == np.int8 and np.array_equal(got, want)
    assert all(recoded.row(c) is whole.row(c) for c in frame if c not in reverse)  # shared
    kept = np.arange(len(frame)) % 3 > 0
    assert np.array_equal(_matrix(recoded.at(kept), list(frame.columns)), want[:, kept])


def test_reverse_coded_rows_leave_int8_or_whole_numbers_then_none():
    """A recoded answer beyond [-127, 127], or a scale whose min + max is not whole: None (the
    screens then read the float columns)."""
    frame = pd.DataFrame({"a": [100.0, np.nan, 3.0], "b": [1.0, 2.0, np.nan]})
    whole = whole_of(frame)
    assert whole.reverse_coded(["a"], -60.0, -50.0) is None
    assert whole.reverse_coded(["b"], 0.5, 5.0) is None
    assert whole.reverse_coded([], 0.5, 5.0).row("a") is whole.row("a")
    assert _matrix(whole.reverse_coded(["b"], 1.0, 5.0), ["a", "b"]).tolist() == [
        [100, MISSING_CODE, 3], [5, 4, MISSING_CODE]]


@pytest.mark.parametrize("rows", [slice(None), slice(0, 0), slice(0, 1)])
def test_quality_checks_from_int8_rows_equal_the_float_columns(rows):
    """Straight-liners, the missing-answer summary and the zero-variance items, from the int8
    rows and from the float columns (the former definitions), on all rows, none and one."""
    frame = codes_frame().iloc[rows].reset_index(drop=True)
    whole = whole_of(frame)
    assert straightliners(frame, whole=whole).equals(straightliners(frame))
    assert straightliners(frame, 3, whole=whole).equals(straightliners(frame, 3))
    assert missing_summary(frame, whole) == missing_summary(frame)
    assert zero_variance_items(frame, whole) == zero_variance_items(frame)
    if len(frame) > 1:
        assert straightliners(frame).sum() >= 10 and "i6" in zero_variance_items(frame)


@pytest.mark.parametrize("held", [["i0", "i1", "i2", "i3"], ["i0", "i2", "i3"], ["i1"], []])
def test_duplicates_from_int8_keys_equal_the_full_comparison(held):
    """The duplicate check with the row keys of the int8 rows (two at a time, an odd one
    alone, and of float columns beside them) flags what comparing every row's text flags;
    equal codes give equal keys."""
    frame = codes_frame(n=600, k=5).iloc[:, :4]
    frame = pd.concat([frame, frame.iloc[::7]], ignore_index=True)
    frame["score"] = np.where(np.arange(len(frame)) % 3 == 0, 2.5, frame["i0"])
    text = frame.astype("string")
    whole = whole_of(frame[held])
    want = text.duplicated(keep="first")
    assert want.sum() > 50
    assert duplicate_rows(text, codes=frame, whole=whole).equals(want)
    keys = pd.Series(_row_keys(frame, whole))
    assert keys.duplicated().equals(frame.duplicated())


@pytest.mark.parametrize("values", [[1, 2, MISSING_CODE, 5, -3], [MISSING_CODE] * 4, [],
                                    [127, -127, 0], [4, 4, 4]])
def test_prepare_whole_equals_prepare_of_the_float_column(values):
    """The moments' column made from an int8 row is the one made from the float column."""
    codes = np.array(values, dtype=np.int8)
    floats = np.where(codes == MISSING_CODE, np.nan, codes.astype(float))
    got, want = _prepare_whole(codes), _prepare(floats)
    assert got.floats is None and want.floats is None
    assert got.ints.dtype == want.ints.dtype and np.array_equal(got.ints, want.ints)
    assert np.array_equal(got.observed, want.observed)
    assert (got.scale, got.bound) == (want.scale, want.bound)


def test_blank_rows_equal_isna_all():
    """Rows with every cell missing, found over the candidates: frame.isna().all(axis=1)."""
    rng = np.random.default_rng(3)
    cells = np.where(rng.random((500, 6)) < 0.6, None, "x").astype(object)
    cells[:20] = None
    frame = pd.DataFrame(cells).astype(pd.StringDtype(na_value=np.nan))
    for part in (frame, frame.iloc[:0], frame.iloc[:, :0], frame.iloc[20:], frame.iloc[:, :1]):
        assert np.array_equal(_blank_rows(part), part.isna().all(axis=1).to_numpy())


STUDY = """\
title: int8 hand-off
scale: {min: 1, max: 5}
invalid: missing
groups:
  customers: customers.csv
  employees: employees.csv
dimensions:
  A: [a1, a2, a3]
  B: [b1, b2, b3]
  C: [c1, c2, c3]
satisfaction: [sat]
nps: rec
reverse: [a3, c2]
compare: [customers, employees]
careless: {longstring: 6, irv: 0.3, mahalanobis: 0.001, even_odd: 0.0}
exclude: {duplicates: true, straightliners: true, longstring: true}
"""


def write_study(folder, seed: int) -> None:
    """Two groups: one-digit answers with missing cells, duplicated rows, straight-liners, an
    out-of-range answer (made missing), a label (coded by the general rules), an NPS column
    0-10 and a satisfaction column with a decimal answer (no int8 row: the float path)."""
    rng = np.random.default_rng(seed)
    items = ["a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3"]
    for name, n in (("customers", 900), ("employees", 150)):
        general = rng.standard_normal((n, 1))
        x = np.clip(np.rint(3 + general + rng.standard_normal((n, len(items)))), 1, 5)
        frame = pd.DataFrame(x.astype(int).astype(str), columns=items).astype(object)
        frame[rng.random(frame.shape) < 0.05] = ""
        frame.iloc[:6] = "4"
        frame = pd.concat([frame, frame.iloc[20:30]], ignore_index=True)
        frame.loc[40, "b2"], frame.loc[41, "c1"] = "7", "同意"
        frame["sat"] = np.where(np.arange(len(frame)) == 3, "3.5", frame["a1"])
        frame["rec"] = rng.integers(0, 11, len(frame)).astype(str)
        frame.to_csv(folder / f"{name}.csv", index=False)
    (folder / "study.yaml").write_text(STUDY, encoding="utf-8")


def test_load_and_analysis_with_and_without_the_int8_rows(tmp_path, monkeypatch):
    """The whole load and every results.json section, with the int8 rows handed to the screens,
    the quality checks and the moments, and without them (every consumer reads the float
    columns, the former definition): the same quality reports, careless values and flags,
    scored frames, and the same results.json text."""
    from analysis.pipeline import analyse

    write_study(tmp_path, 18)
    handed = load_study(tmp_path / "study.yaml")
    for group in handed.groups.values():
        assert group.whole is not None and "sat" not in group.whole[1].columns
        assert group.responses._whole is group.whole[1]
    import surveys.load as load

    former_code = load._code_source
    monkeypatch.setattr(load, "_code_source", lambda *args: (*former_code(*args)[:2], {}))
    former = load_study(tmp_path / "study.yaml")
    for key, group in handed.groups.items():
        other = former.groups[key]
        assert group.quality.to_json() == other.quality.to_json()
        assert group.quality.n < group.quality.n_raw
        pd.testing.assert_frame_equal(group.quality.careless.values,
                                      other.quality.careless.values)
        for screen, flags in group.quality.careless.flags.items():
            assert flags.equals(other.quality.careless.flags[screen])
        pd.testing.assert_frame_equal(group.scored, other.scored)
    assert json.dumps(analyse(handed)) == json.dumps(analyse(former))


@pytest.mark.parametrize("cells, found", [
    ({("b2", 40): "3"}, 0), ({("b2", 40): "3", ("a1", 5): "9"}, 1), ({("rec", 2): "11"}, 2),
    ({("a1", 1): "0", ("c3", 7): "6", ("rec", 9): "12"}, 4)])
def test_range_checks_from_int8_rows_equal_the_float_columns(tmp_path, cells, found):
    """The out-of-range findings with the int8 rows (columns within the scale skipped) and
    without (every float column read): the same frame, also when there is none (the file has
    a 7 in b2 at row 42 unless a case replaces it)."""
    import surveys.load as load
    from surveys.importers import read_table
    from surveys.study import read_study

    write_study(tmp_path, 5)
    path = tmp_path / "customers.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for (column, row), value in cells.items():
        frame.loc[row, column] = value
    frame.to_csv(path, index=False)
    study = read_study(tmp_path / "study.yaml")
    source = study.sources[0]
    table = read_table(source.file)
    renamed = load._rename(table, source)
    data, _, whole = load._code_source(study, source, table, renamed)
    scale = load.Scale(1.0, 5.0)
    got = load._check_ranges(study, scale, data, renamed, whole)
    want = load._check_ranges(study, scale, data, renamed)
    pd.testing.assert_frame_equal(got, want)
    assert len(got) == found


def test_scored_frames_and_the_report_beside_the_screens_equal_the_former_ones(tmp_path,
                                                                              monkeypatch):
    """With exclusions and reverse-coded items: each scored frame (the kept rows of the items
    reverse-coded once for every row) equals ``reverse_code`` of the kept rows, the former
    definition; the quality report made while the screens run on another thread equals the
    one made with the screens done (the former order)."""
    import surveys.load as load

    reports = []
    former_report = load.quality_report

    def both(**kwargs):
        beside = former_report(**kwargs)
        after = former_report(**{**kwargs, "careless": kwargs["careless"]()})
        reports.append((beside, after))
        return beside

    monkeypatch.setattr(load, "quality_report", both)
    write_study(tmp_path, 5)
    data = load_study(tmp_path / "study.yaml")
    for group in data.groups.values():
        keep = group.quality.keep.to_numpy()
        assert not keep.all()
        pd.testing.assert_frame_equal(
            group.scored, reverse_code(group.data[keep], data.study.reverse, data.scale))
    assert len(reports) == 2
    for beside, after in reports:
        assert json.dumps(beside.to_json(), default=str) == json.dumps(after.to_json(), default=str)
        assert beside.keep.equals(after.keep)


def test_exact_float_type_keeps_every_product_sum_exact():
    """float32 only while rows x bound² < 2^24: there a block's product sum equals the integer
    sum; one row more at the bound takes float64."""
    from surveys.wholecodes import exact_float_type

    bound = 5
    rows = ((1 << 24) - 1) // (bound * bound)
    assert exact_float_type(rows, bound) is np.float32
    assert exact_float_type(rows + 1, bound) is np.float64
    x = np.full((1, rows), bound, dtype=np.int8)
    x[0, ::7] = -bound + 1
    wide = x.astype(np.float32)
    assert int((wide @ wide.T)[0, 0]) == int((x.astype(np.int64) ** 2).sum())


@pytest.mark.parametrize("n", [0, 1, 5000])
def test_repeated_keys_are_those_pandas_finds(n):
    """The keys occurring more than once (buckets of their top bits counted first) are
    ``pd.Series(keys).duplicated(keep=False)``'s: keys repeated two and three times, keys
    sharing their top bits but not their low ones, and the other way round."""
    from surveys.cleaning import _repeated

    rng = np.random.default_rng(n)
    keys = rng.integers(0, 2 ** 63, n, dtype=np.int64).astype(np.uint64) * np.uint64(3)
    if n > 100:
        keys[10:20] = keys[0]  # repeated
        keys[20:30] = keys[30:40] ^ np.uint64(1)  # the same top bits, other low bits
        keys[40:50] = keys[50:60] ^ np.uint64(1 << 63)  # other top bits, the same low bits
        keys[60:62] = keys[70]
    want = np.flatnonzero(pd.Series(keys).duplicated(keep=False).to_numpy())
    assert np.array_equal(_repeated(keys), want)
