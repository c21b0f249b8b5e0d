"""The faster paths of a large study (issue 18, the million-row run) against their former
definitions: pyarrow's grid read as ``large_string`` (formerly ``string`` cast to pandas' str
dtype), Likert columns of one digit coded from their bytes (formerly Arrow's cast of the text),
the duplicate check's row keys (formerly :func:`pandas.util.hash_pandas_object`)."""
import itertools

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from surveys.cleaning import _row_keys, duplicate_rows
from surveys.coding import _digit_codes, code_answers
from surveys.importers.containers import _read_text_with_arrow, _read_text_with_pandas
from surveys.wholecodes import MISSING_CODE


def test_arrow_grid_is_pandas_c_parsers_grid(tmp_path):
    """The grid read by Arrow as large_string (no copy into pandas' str dtype) has the cells,
    dtype and missing cells of the grid read by pandas' C parser with ``dtype=str``."""
    path = tmp_path / "answers.csv"
    path.write_text('id,q1,q2,note\n1,4,,"a, b"\n2,5,3,"line\nbreak"\n\n3,,1,客户\n',
                    encoding="utf-8")
    arrow = _read_text_with_arrow(path, ",", 4, "utf-8")
    pandas = _read_text_with_pandas(path, ",", 4, "utf-8")
    pd.testing.assert_frame_equal(arrow, pandas.astype(arrow.dtypes.iloc[0]))
    assert arrow[1].dtype == pd.StringDtype(na_value=np.nan) and arrow[2].isna().sum() == 2


def former_codes(texts: pa.ChunkedArray) -> np.ndarray:
    """The former definition: Arrow's cast of every answer to float64 (NaN where missing)."""
    return pc.cast(texts, pa.float64(), safe=True).to_numpy(zero_copy_only=False)


def as_floats(codes: np.ndarray) -> np.ndarray:
    """int8 codes (the missing code -128) as the float codes they stand for (NaN)."""
    return np.where(codes == MISSING_CODE, np.nan, codes)


def test_one_digit_answers_coded_from_bytes_equal_arrows_cast():
    """Answers 0-9 with one in eight missing, in several chunks and a slice of one: the int8
    codes read from the bytes, and the float codes made of them, are Arrow's cast."""
    rng = np.random.default_rng(18)
    answers = [None if rng.random() < 1 / 8 else str(rng.integers(0, 10)) for _ in range(5000)]
    texts = pa.chunked_array([pa.array(answers[:1700], pa.large_string()),
                              pa.array(answers[1700:], pa.large_string())])
    want = former_codes(texts)
    got = _digit_codes(texts.combine_chunks())
    assert got.dtype == np.int8 and np.array_equal(as_floats(got), want, equal_nan=True)
    part = texts.combine_chunks().slice(333, 2000)
    assert np.array_equal(as_floats(_digit_codes(part)), want[333:2333], equal_nan=True)
    series = pd.Series(answers, dtype=pd.StringDtype(na_value=np.nan))
    coded = code_answers(series)
    assert coded.codes.dtype == np.float64
    assert np.array_equal(coded.codes.to_numpy(), want, equal_nan=True)
    assert np.array_equal(coded.whole, got)
    assert (_digit_codes(pa.array([None, None], pa.large_string())) == MISSING_CODE).all()


def test_one_digit_answers_coded_chunk_by_chunk_equal_the_combined_chunks(monkeypatch):
    """The chunks as the reader leaves them (with and without missing cells, all missing,
    empty, a slice, blocks of 7 cells): the codes of the chunks combined (the former call) and
    Arrow's cast; an answer of another form in a later chunk or block still gives None, as do
    cells whose lengths only sum to the count of answers (a missing cell holding bytes)."""
    import surveys.coding as coding

    monkeypatch.setattr(coding, "DIGIT_BLOCK", 7)
    rng = np.random.default_rng(43)
    answers = [None if rng.random() < 1 / 8 else str(rng.integers(0, 10)) for _ in range(300)]
    pieces = [answers[:50], [None] * 9, [], [str(d) for d in range(10)] * 4, answers[50:]]
    texts = pa.chunked_array([pa.array(p, pa.large_string()) for p in pieces]
                             + [pa.array(answers, pa.large_string()).slice(31, 100)])
    got = _digit_codes(texts)
    assert np.array_equal(got, _digit_codes(texts.combine_chunks()))
    assert np.array_equal(as_floats(got), former_codes(texts), equal_nan=True)
    for other in (["4", "x"], ["12"], ["4", ""], ["/"], [":"]):
        later = pa.chunked_array([texts.chunk(0),
                                  pa.array(answers[:20] + other, pa.large_string())])
        assert _digit_codes(later) is None
    # "4" and a missing cell holding "56": 3 bytes for one answer
    validity = pa.py_buffer(np.packbits([1, 0], bitorder="little").tobytes())
    offsets = pa.py_buffer(np.array([0, 1, 3], dtype=np.int64).tobytes())
    held = pa.Array.from_buffers(pa.large_string(), 2, [validity, offsets, pa.py_buffer(b"456")])
    assert _digit_codes(held) is None
    coded = code_answers(pd.Series(pd.arrays.ArrowStringArray(texts)))
    assert np.array_equal(coded.whole, got)
    assert np.array_equal(coded.codes.to_numpy(), former_codes(texts), equal_nan=True)


@pytest.mark.parametrize("answers", [["4", "10"], ["4", " 4"], ["4", "4.0"], ["4", ""],
                                     ["-1", "2"], ["4", "٣"], ["4", "4分"], ["4", "x"]])
def test_other_answers_take_the_general_rules(answers):
    """Anything but one ASCII digit (or missing) is left to Arrow's cast and the rules of
    surveys.coding, which give the same codes and findings as before."""
    assert _digit_codes(pa.array(answers, pa.large_string())) is None
    coded = code_answers(pd.Series(answers, dtype=pd.StringDtype(na_value=np.nan)))
    assert coded.codes.iloc[0] == float(answers[0])


def test_row_keys_are_equal_for_equal_codes_and_distinct_otherwise():
    """Every row of five items answered 1-5 or missing (6^5 distinct rows), each twice in a
    shuffled order, fractional and negative codes too: equal rows get equal keys, distinct rows
    distinct keys, and the duplicates found through the keys are those of comparing every row
    (the former definition), as pandas' hashes found them."""
    rows = np.array(list(itertools.product([1.0, 2.0, 3.0, 4.0, 5.0, np.nan], repeat=5)))
    rows = np.vstack([rows, rows[:, ::-1] * -0.5])
    codes = pd.DataFrame(np.vstack([rows, rows])[np.random.default_rng(5).permutation(
        2 * len(rows))])
    keys = pd.Series(_row_keys(codes))
    assert keys.nunique() == codes.drop_duplicates().shape[0]
    assert keys.duplicated().equals(codes.duplicated())
    text = codes.astype("string")
    assert duplicate_rows(text, codes=codes).equals(text.duplicated(keep="first"))
    former = pd.util.hash_pandas_object(codes, index=False).duplicated(keep=False)
    assert keys.duplicated(keep=False).equals(former)


def test_missing_summary_and_straightliners_equal_the_former_definitions():
    """Column by column on a frame whose columns are held apart (as loading makes it): the
    former whole-frame definitions, with rows all missing, straight-liners and empty frames."""
    from surveys.cleaning import missing_summary, straightliners

    rng = np.random.default_rng(9)
    x = rng.integers(1, 6, (300, 8)).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    x[:10], x[10], x[11, :3] = 3.0, np.nan, 2.0
    codes = pd.concat([pd.DataFrame({f"i{j}": x[:, j]}) for j in range(8)], axis=1)

    def former_missing(frame):
        n, per_item, per_row = len(frame), frame.isna().sum(), frame.isna().sum(axis=1)
        return {"items": {c: {"missing": int(per_item[c]),
                              "share": float(per_item[c] / n) if n else None}
                          for c in frame.columns},
                "respondents_with_missing": int((per_row > 0).sum()),
                "respondents_all_missing": int((per_row == frame.shape[1]).sum())
                if frame.shape[1] else 0,
                "max_missing_per_respondent": int(per_row.max()) if n else 0}

    for frame in (codes, codes.iloc[:0], codes.iloc[:, :0]):
        assert missing_summary(frame) == former_missing(frame)
    answered = codes.notna().sum(axis=1)
    former = (answered >= 5) & (codes.max(axis=1) == codes.min(axis=1))
    assert straightliners(codes).equals(former) and former[:10].all() and former.sum() >= 10


def integer_sums(prepared, rows):
    """The pairwise sums by their definition, in int64 over all rows at once (no blocks, no
    floating point): n = OᵀO, sums = XᵀO, squares = (X²)ᵀO, cross = XᵀX with X the integers (0
    where missing) and O the answered indicators."""
    keep = slice(None) if rows is None else rows
    x = np.column_stack([p.ints[keep] for p in prepared]).astype(np.int64)
    o = np.column_stack([p.observed[keep] for p in prepared]).astype(np.int64)
    return {"n": o.T @ o, "sums": x.T @ o, "squares": (x * x).T @ o, "cross": x.T @ x}


@pytest.mark.parametrize("missing", [0.0, 0.004, 0.1, 0.4])
@pytest.mark.parametrize("gathered", [0.0, 1.0])
def test_moments_of_blocks_held_as_rows_equal_their_integer_definition(monkeypatch, missing,
                                                                        gathered):
    """Items 1-5 and dimension scores (integers over a common denominator, float64 products),
    pairwise and over complete rows, in blocks of 97 rows (the last one short), the sums over
    missing answers gathered from the missing cells or by matrix products (GATHERED_MISSING 1
    or 0; the former definition was the products): every sum equal to its definition's (the
    former stacked blocks gave the same integers); one column always answered."""
    from analysis import moments as m

    monkeypatch.setattr(m, "BLOCK_ROWS", 97)
    monkeypatch.setattr(m, "GATHERED_MISSING", gathered)
    rng = np.random.default_rng(12)
    x = np.clip(np.rint(3 + rng.standard_normal((1000, 1)) + rng.standard_normal((1000, 9))), 1, 5)
    x[rng.random(x.shape) < missing] = np.nan
    x[:, 8] = rng.integers(1, 6, len(x))
    frame = pd.DataFrame(x, columns=[f"i{j}" for j in range(9)])
    source = m.Responses(frame)
    scores = source.scores({"a": ["i0", "i1", "i2"], "b": ["i3", "i4"], "c": ["i5", "i6", "i7"]},
                           0.5)
    for responses, columns in ((source, tuple(frame.columns)), (scores, ("a", "b", "c"))):
        prepared = [responses.column(c) for c in columns]
        complete = np.logical_and.reduce([p.observed for p in prepared])
        for rows in (None, complete):
            now = m._exact_moments(columns, prepared, rows)
            for field, want in integer_sums(prepared, rows).items():
                assert np.array_equal(getattr(now, field), want), field


def test_scores_summed_in_place_equal_the_former_stacked_sum():
    """A score's count and integer total added column by column equal the former np.sum over
    the stacked columns (whole answers with one in five missing)."""
    from analysis.moments import Responses

    rng = np.random.default_rng(4)
    x = rng.integers(1, 8, (500, 4)).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    source = Responses(pd.DataFrame(x, columns=list("abcd")))
    score = source.scores({"s": list("abcd")}, 0.5).column("s")
    parts = [source.column(c) for c in "abcd"]
    count = np.sum([p.observed for p in parts], axis=0, dtype=np.int64)
    total = np.sum([p.ints.astype(np.int64) for p in parts], axis=0)
    enough = count >= 2
    assert np.array_equal(score.observed, enough) and score.scale == 12
    assert np.array_equal(score.ints, np.where(enough, total * (12 // np.maximum(count, 1)), 0))
