"""Answer texts to codes (surveys.coding).

Expected codes are the positions of the answers on their printed scales (1 = the lowest answer);
the built-in table is checked against its own documented order, point by point.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from surveys.coding import (
    LIKERT_SCALES,
    code_answers,
    code_column,
    label_map,
    normalize_answer,
)
from surveys.errors import StudyError


def codes(values, **kwargs):
    return code_answers(pd.Series(values, dtype=object), **kwargs).codes.tolist()


def assert_codes(values, expected, **kwargs):
    np.testing.assert_array_equal(codes(values, **kwargs), np.array(expected, dtype=float))


def test_numbers_and_numeric_text():
    assert_codes([4, 4.0, "4", "4.0", " 4 ", "+4", "-1", "2.5", "\t3\n"],
                 [4, 4, 4, 4, 4, 4, -1, 2.5, 3])


def test_full_width_digits_and_scores():
    assert_codes(["４", "４分", "4分", "4.5 分", " 3 分 ", "１０"], [4, 4, 4, 4.5, 3, 10])


def test_numbered_labels_take_the_number():
    assert_codes(["5 - 非常满意", "5=非常满意", "4、满意", "2. Disagree", "1）非常不满意",
                  "10 - Extremely likely", "0 - Not at all likely"], [5, 5, 4, 2, 1, 10, 0])


def test_missing_cells_are_missing_not_invalid():
    result = code_answers(pd.Series([None, np.nan, "", "   ", "　"], dtype=object))
    assert result.codes.isna().all()
    assert result.invalid.empty


def test_all_missing_column():
    result = code_answers(pd.Series([None, None], dtype=object), file_rows=np.array([2, 3]))
    assert result.codes.isna().all() and result.invalid.empty


def test_numeric_dtype_passes_through_as_float():
    values = pd.Series([1, 2, 5], dtype="int64")
    result = code_answers(values)
    assert result.codes.dtype == np.float64
    assert result.codes.tolist() == [1.0, 2.0, 5.0]


def test_string_dtype_with_nan():
    values = pd.Series(["满意", None, "一般"], dtype="str")
    assert_codes(values, [4, np.nan, 3])


@pytest.mark.parametrize("likert", [s for s in LIKERT_SCALES if s.size == 5],
                         ids=lambda s: s.name)
def test_every_five_point_set_codes_1_to_5(likert):
    for position, texts in enumerate(likert.points, start=1):
        assert_codes(list(texts), [position] * len(texts))


@pytest.mark.parametrize("likert", [s for s in LIKERT_SCALES if s.size == 7],
                         ids=lambda s: s.name)
def test_every_seven_point_set_codes_1_to_7(likert):
    for position, texts in enumerate(likert.points, start=1):
        assert_codes(list(texts), [position] * len(texts), scale=(1, 7))


def test_common_chinese_labels():
    assert_codes(["非常不满意", "不满意", "一般", "满意", "非常满意"], [1, 2, 3, 4, 5])
    assert_codes(["非常不同意", "不同意", "中立", "同意", "非常同意", "不确定"], [1, 2, 3, 4, 5, 3])
    assert_codes(["非常不重要", "不重要", "一般", "重要", "非常重要"], [1, 2, 3, 4, 5])
    assert_codes(["比较满意", "不太满意", "很满意"], [4, 2, 5])


def test_english_labels_ignore_case_and_white_space():
    assert_codes(["Strongly disagree", "DISAGREE", " neither agree  nor disagree ",
                  "Agree", "strongly   Agree"], [1, 2, 3, 4, 5])
    assert_codes(["Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"],
                 [1, 2, 3, 4, 5])
    assert_codes(["Ｓｔｒｏｎｇｌｙ ａｇｒｅｅ"], [5])  # full-width letters


def test_seven_point_scale_changes_the_codes():
    labels = ["非常不满意", "不满意", "比较不满意", "一般", "比较满意", "满意", "非常满意"]
    assert_codes(labels, [1, 2, 3, 4, 5, 6, 7], scale=(1, 7))
    assert_codes(["比较满意", "满意"], [4, 4])  # the same texts on the default 5-point scale


def test_scale_minimum_shifts_the_built_in_codes():
    assert_codes(["非常不同意", "一般", "非常同意"], [0, 2, 4], scale=(0, 4))


def test_other_scale_lengths_use_no_built_in_labels():
    result = code_answers(pd.Series(["满意", "7"]), scale=(1, 10))
    assert result.codes.tolist()[1] == 7.0
    assert result.invalid["value"].tolist() == ["满意"]


def test_study_labels_extend_and_override():
    labels = {"很好": 5, "ＯＫ": 3, "满意": 3.5, " Very Good ": 5}
    assert_codes(["很好", "ok", "满意", "very  good", "非常满意"], [5, 3, 3.5, 5, 5], labels=labels)


def test_value_labels_used_in_reverse():
    value_labels = {1: "很差", 2.0: "较差", "3": "中等", "A1": "其他"}
    assert_codes(["很差", "较差", "中等"], [1, 2, 3], value_labels=value_labels)
    assert code_answers(pd.Series(["其他"]), value_labels=value_labels).invalid.shape[0] == 1
    # the study's labels win over the file's value labels
    assert_codes(["中等"], [2.5], value_labels=value_labels, labels={"中等": 2.5})


def test_label_map_is_normalised():
    mapping = label_map({"Ｇｏｏｄ  Job": 4})
    assert mapping["good job"] == 4.0
    assert mapping[normalize_answer("非常满意")] == 5.0


def test_invalid_cells_listed_with_file_rows():
    values = pd.Series(["满意", "好", None, "好", "差", "4"], index=[10, 11, 12, 13, 14, 15])
    result = code_answers(values, file_rows=np.array([2, 3, 5, 6, 7, 8]))
    assert result.invalid["row"].tolist() == [3, 6, 7]
    assert result.invalid["value"].tolist() == ["好", "好", "差"]
    assert result.invalid.index.tolist() == [11, 13, 14]
    assert result.codes.tolist()[0] == 4.0 and np.isnan(result.codes.tolist()[1])
    assert result.scales == ["满意度 (5)"]


def test_default_file_rows_count_from_one():
    result = code_answers(pd.Series(["x", "1"]))
    assert result.invalid["row"].tolist() == [1]


def test_file_rows_must_match():
    with pytest.raises(ValueError):
        code_answers(pd.Series(["1", "2"]), file_rows=np.array([2]))


def test_unknown_label_error_names_file_column_text_and_rows():
    values = pd.Series(["满意", "好", "好", "好", "好", "好", "很棒", "非常满意"])
    rows = np.arange(2, 10)
    with pytest.raises(StudyError) as caught:
        code_column(values, column="SAT1", file="/data/客户.xlsx", file_rows=rows)
    error = caught.value
    assert (error.row, error.column) == (3, "SAT1")
    assert [loc.row for loc in error.more] == [4, 5, 6, 7]
    text = str(error)
    assert text.startswith("客户.xlsx, row 3, column 'SAT1': answer '好' is not a number")
    assert "other unknown answers in this column: '很棒'" in text
    assert "expected a number, a score like '4分' or one of 非常不满意…非常满意" in text
    assert "'labels:'" in text
    assert "same problem at row 4; row 5; row 6 and 1 more" in text


def test_error_without_known_labels_suggests_common_sets():
    with pytest.raises(StudyError) as caught:
        code_column(pd.Series(["abc"]), column="Q", file="a.csv", file_rows=np.array([2]))
    assert "非常不满意…非常满意, 非常不同意…非常同意, Strongly disagree…Strongly agree" in str(
        caught.value)


def test_code_column_returns_codes_when_all_valid():
    values = pd.Series(["4分", "非常满意", None, "２"])
    coded = code_column(values, column="Q", file="a.csv", file_rows=np.arange(2, 6))
    np.testing.assert_array_equal(coded.to_numpy(), [4, 5, np.nan, 2])


def test_many_rows_few_distinct_answers():
    values = pd.Series(np.tile(np.array(["非常满意", "一般", "2", None], dtype=object), 50_000))
    result = code_answers(values)
    assert result.codes.sum() == 50_000 * 10
    assert result.invalid.empty


def test_documented_label_table_matches_the_code():
    doc = (Path(__file__).parents[1] / "docs" / "wjx.md").read_text(encoding="utf-8")
    for likert in LIKERT_SCALES:
        row = f"| {likert.name} | " + " | ".join(" / ".join(p) for p in likert.points) + " |"
        assert row in doc, likert.name


TRICKY = ["4", " 4 ", "４", "4.0", "+2.5", "-1", ".5", "5.", "1e3", "1E+3", "inf", "-inf", "nan",
          "1_000", "٣", "³", "½", "Ⅳ", "①", "4分", "4.5 分", "3 分", "4分以上", "5 - 非常满意",
          "5=非常满意", "5、满意", "5. Strongly agree", "5)满意", "10 - Extremely likely", "满意",
          "非常 满意", "STRONGLY  AGREE", "ｓｔｒｏｎｇｌｙ ａｇｒｅｅ", "a\u00a0b", "同意\u3000",
          "x\vy", "x\x1cy", "x\x85y", "x\u2028y", "", "  ", "\t", "希望加快交货", "00123", "-0",
          "12345678901234567", "1234567890.12345", "0.1000000000000000055511151231257827",
          "1" * 400, "1" * 400 + "分", "4/5", "4 5", "4,5", "İ", "ß", "ﬁ", 4, 2.5]


@pytest.mark.parametrize("scale", [None, (1, 7), (0, 10)])
@pytest.mark.parametrize("labels", [None, {"很好": 5, "4": 9, "Ⅳ": 4}])
def test_answers_coded_one_by_one_as_by_the_vectorised_rules(scale, labels):
    """_code_plain (Python, per answer) gives the codes and normalised texts of _code_texts (the
    vectorised definition), or leaves the answer to it."""
    from surveys.coding import _code_plain, _code_texts, _code_uniques, label_map

    uniques = pd.Series(TRICKY, dtype=object)
    mapping = label_map(labels, None, scale)
    texts, codes = _code_texts(uniques, mapping)
    coded, uncodable, _ = _code_uniques(uniques, labels, None, scale)
    np.testing.assert_array_equal(coded, codes)
    np.testing.assert_array_equal(uncodable, np.isnan(codes) & (np.array(texts) != ""))
    plain = [(i, _code_plain(str(v), mapping)) for i, v in enumerate(TRICKY)]
    assert sum(p is not None for _, p in plain) > len(TRICKY) / 2
    for i, p in plain:
        if p is not None:
            assert p[0] == texts[i] and (p[1] == codes[i] or np.isnan(p[1]) and np.isnan(codes[i]))


def test_the_samples_answers_coded_as_by_the_vectorised_rules():
    from surveys.coding import _code_texts, _code_uniques, label_map
    from surveys.importers import read_table

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    for name in ("customers_2019.xlsx", "employees_2019.csv"):
        frame = read_table(sample / name).frame
        for column in frame.columns:
            uniques = pd.Series(frame[column].dropna().unique(), dtype=object)
            coded, _, _ = _code_uniques(uniques, None, None, (1, 5))
            expected = _code_texts(uniques, label_map(None, None, (1, 5)))[1]
            np.testing.assert_array_equal(coded, expected)


def test_number_label_kept_per_label_set_equals_the_former_test_per_column():
    from surveys.coding import _is_number, _number_label, label_map
    for labels, scale in ((None, (1, 5)), ({"一般": 3, "1": 1}, (1, 5)), ({"好": 4.5}, (1, 7))):
        mapping = label_map(labels, None, scale)
        former = any(_is_number(key) for key in mapping)
        assert _number_label(tuple(mapping)) == former == ("1" in mapping)
        assert _number_label(tuple(mapping)) == former  # again, from the cache
