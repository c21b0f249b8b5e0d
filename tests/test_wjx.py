"""问卷星 exports (surveys.importers.wjx).

Fixture files under tests/fixtures/wjx/ are written by make_fixtures.py (each imitates a real
问卷星 download, see its docstring); small grids built here cover single rules.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from surveys.coding import code_column
from surveys.errors import StudyError
from surveys.importers import containers, read_table, wjx

FIXTURES = Path(__file__).parent / "fixtures" / "wjx"
Q2 = "2、您对我们的服务态度是否满意？"
Q4 = "4、您是通过哪些渠道了解我们的？"
Q5 = "5、您向朋友或同事推荐我们的可能性有多大？"
Q6 = "6、您对我们还有什么建议？"
MATRIX_QUESTION = "3、您对以下各方面的满意程度如何？(矩阵单选题 *必答)"
OPTIONS = ["第4题(官网)", "第4题(展会)", "第4题(朋友介绍)", "第4题(其他)"]
SECONDS = [136, 135, 95, 41, 65, 310, 88, 3723]


def read(name):
    path = FIXTURES / name
    grid = containers.read_container(path)
    assert wjx.detect(grid)
    return wjx.parse(grid, path)


def grid(rows):
    return pd.DataFrame(rows, dtype=object)


def as_list(series):
    return [None if pd.isna(v) else v for v in series]


META = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP"]
META_ROW = ["1", "2019-03-05 14:23:10", "136秒", "手机提交", "直接访问", "1.2.3.4(上海-上海)"]


# ------------------------------------------------------------------ detection
@pytest.mark.parametrize("header, expected", [
    (META + ["1、性别"], True),
    (["来自IP", "序号", "1、性别"], True),  # unusual order, most metadata absent
    (["提交答卷时间", "1、性别"], True),
    (["所用时间", "来源"], True),
    (["序号", "来源", "1、性别"], False),  # 序号 and 来源 alone are too common
    (["序号", "姓名", "Q1"], False),
    (["StartDate", "EndDate", "Q1"], False),
])
def test_detect_by_metadata_names(header, expected):
    assert wjx.detect(grid([header, ["x"] * len(header)])) is expected


def test_detect_empty_grid():
    assert not wjx.detect(pd.DataFrame())


@pytest.mark.parametrize("name", ["text_export.xlsx", "text_export_gb18030.csv",
                                  "coded_export.xlsx", "old_format.xls"])
def test_read_table_uses_the_wjx_platform(name):
    table = read_table(FIXTURES / name)
    assert table.format == "wjx"
    assert table.durations.tolist() == SECONDS


# ------------------------------------------------------------------ text export
@pytest.fixture(scope="module")
def text_xlsx():
    return read("text_export.xlsx")


def test_text_export_columns(text_xlsx):
    assert list(text_xlsx.frame.columns) == [
        *META, wjx.IP_REGION, "1、贵公司属于哪类客户？", Q2, "产品质量", "售后服务", "响应速度",
        Q4, *OPTIONS, Q5, Q6]
    assert text_xlsx.format == "wjx"
    assert "问卷星 text (按文本) export" in text_xlsx.notes[0]


def test_trailing_spaces_stripped_from_headers(text_xlsx):
    assert Q2 in text_xlsx.frame.columns  # the file has "…满意？   "


def test_matrix_rows_named_by_row_label(text_xlsx):
    for row in ["产品质量", "售后服务", "响应速度"]:
        assert text_xlsx.questions[row] == f"{MATRIX_QUESTION}—{row}"
    assert as_list(text_xlsx.frame["售后服务"]) == ["3分", "5分", "3分", "4分", "1分", "5分",
                                                  "4分", "2分"]


def test_meta_columns_and_durations(text_xlsx):
    assert text_xlsx.meta_columns == {
        "id": "序号", "submitted": "提交答卷时间", "duration": "所用时间", "source": "来源",
        "source_detail": "来源详情", "ip": "来自IP", "ip_region": "IP属地"}
    assert text_xlsx.durations.tolist() == SECONDS
    assert text_xlsx.frame["所用时间"].tolist() == SECONDS
    assert text_xlsx.frame["来自IP"][0] == "183.192.16.69(上海-上海)"
    assert text_xlsx.frame["IP属地"].tolist()[:3] == ["上海-上海", "广东-深圳", "北京-北京"]
    assert text_xlsx.frame["序号"].tolist() == [str(i) for i in range(1, 9)]


def test_skipped_and_empty_are_missing(text_xlsx):
    frame = text_xlsx.frame
    assert as_list(frame[Q2]) == ["满意", "非常满意", None, "一般", "不满意", "满意", "非常满意",
                                  "非常不满意"]
    assert as_list(frame[Q6])[:4] == ["希望加快交货", None, "售后响应再快一些，谢谢", None]
    assert "2 '(跳过)' cell(s) (skipped or empty) read as missing answers" in text_xlsx.notes
    assert "3 '(空)' cell(s) (skipped or empty) read as missing answers" in text_xlsx.notes


def test_multi_select_expanded_and_joined_text_kept(text_xlsx):
    frame = text_xlsx.frame
    assert text_xlsx.multi_select == {Q4: OPTIONS}
    assert frame[Q4][0] == "官网┋展会"
    expected = [[1, 1, 0, 0], [0, 0, 1, 0], [np.nan] * 4, [1, 0, 1, 1], [0, 1, 0, 0],
                [1, 0, 0, 0], [0, 1, 1, 0], [1, 1, 1, 0]]
    np.testing.assert_array_equal(frame[OPTIONS].to_numpy(dtype=float), expected)
    assert text_xlsx.questions["第4题(其他)"] == f"{Q4}: 其他"  # from 其他〖行业协会〗


def test_file_rows_count_the_header(text_xlsx):
    assert text_xlsx.file_rows.tolist() == list(range(2, 10))


def test_gb18030_csv_reads_like_the_xlsx(text_xlsx):
    csv = read("text_export_gb18030.csv")
    assert csv.frame.columns.tolist() == text_xlsx.frame.columns.tolist()
    for column in csv.frame.columns:
        assert as_list(csv.frame[column]) == as_list(text_xlsx.frame[column]), column
    assert csv.multi_select == text_xlsx.multi_select
    assert csv.questions == text_xlsx.questions


def test_text_answers_code_to_numbers(text_xlsx):
    frame, rows = text_xlsx.frame, text_xlsx.file_rows
    satisfaction = code_column(frame[Q2], column=Q2, file=text_xlsx.path, file_rows=rows)
    np.testing.assert_array_equal(satisfaction, [4, 5, np.nan, 3, 2, 4, 5, 1])
    quality = code_column(frame["产品质量"], column="产品质量", file=text_xlsx.path, file_rows=rows)
    assert quality.tolist() == [4, 5, 3, 4, 2, 4, 5, 1]


def test_unknown_answer_in_a_file_names_file_column_and_row(text_xlsx):
    with pytest.raises(StudyError) as caught:
        code_column(text_xlsx.frame[Q6], column=Q6, file=text_xlsx.path,
                    file_rows=text_xlsx.file_rows)
    assert str(caught.value).startswith(
        f"text_export.xlsx, row 2, column '{Q6}': answer '希望加快交货' is not a number")


# ------------------------------------------------------------------ coded export
@pytest.fixture(scope="module")
def coded():
    return read("coded_export.xlsx")


def test_coded_export_recognised(coded):
    assert coded.notes[0].startswith("问卷星 coded (按序号) export: sub-question columns")


def test_coded_skipped_is_missing(coded):
    assert as_list(coded.frame[Q2]) == ["4", "5", None, "3", "2", "4", "5", "1"]
    assert "8 '-3' cell(s) (skipped) read as missing answers" in coded.notes


def test_coded_multi_select_columns(coded):
    assert coded.multi_select == {"第4题": OPTIONS}
    np.testing.assert_array_equal(coded.frame[OPTIONS].to_numpy(dtype=float)[:4],
                                  [[1, 1, 0, 0], [0, 0, 1, 0], [np.nan] * 4, [1, 0, 1, 1]])
    assert coded.questions["第4题(官网)"] == "第4题(官网)"


def test_coded_unranked_is_missing(coded):
    ranks = coded.frame[["第7题(价格)", "第7题(质量)", "第7题(服务)"]]
    assert [as_list(ranks.iloc[i]) for i in (1, 4)] == [["2", "1", None], ["1", None, None]]
    assert "3 '-2' cell(s) (not ranked) read as missing answers" in coded.notes
    assert "第7题" not in coded.multi_select


def test_coded_codes_are_numbers(coded):
    quality = code_column(coded.frame["产品质量"], column="产品质量", file=coded.path,
                          file_rows=coded.file_rows)
    assert quality.tolist() == [4, 5, 3, 4, 2, 4, 5, 1]


def test_coded_recognised_by_whole_number_columns():
    table = wjx.parse(grid([
        META + ["1、性别", "2、满意度", "3、建议"],
        META_ROW + ["1", "-3", "很好"],
        META_ROW + ["2", "4", "-3"],
    ]), Path("coded.csv"))
    assert "2 of 3 question columns hold whole numbers only" in table.notes[0]
    assert as_list(table.frame["2、满意度"]) == [None, "4"]
    assert as_list(table.frame["3、建议"]) == ["很好", None]


def test_minus_three_kept_in_a_text_export():
    table = wjx.parse(grid([
        META + ["1、爱好", "2、温度", "3、建议"],
        META_ROW + ["运动┋阅读", "-3", "很好"],
        META_ROW + ["(跳过)", "-2", "-3"],
    ]), Path("text.csv"))
    assert table.notes[0] == "问卷星 text (按文本) export: answers joined with '┋'"
    assert as_list(table.frame["2、温度"]) == ["-3", "-2"]
    assert as_list(table.frame["3、建议"]) == ["很好", "-3"]
    assert as_list(table.frame["1、爱好"]) == ["运动┋阅读", None]


def _former_answer_tests(frame, columns, subquestions, markers):
    """The former per-column tests of the answers (one pandas call per column and test): the
    export's kind and why, the columns holding a marker, the columns with ┋-joined answers."""
    uniques = {c: pd.Series(pd.unique(frame[c].dropna()), dtype="str").str.strip()
               for c in columns}
    answers = {c: values[~values.isin(wjx._TEXT_MISSING)] for c, values in uniques.items()}
    if any(v.str.contains("┋", regex=False).any() for v in answers.values()):
        kind = (False, "wjx_why_joined")
    elif subquestions:
        kind = (True, "wjx_why_subquestions")
    else:
        answered = [c for c, v in answers.items() if len(v)]
        numeric = [c for c in answered if answers[c].str.fullmatch(wjx._WHOLE_NUMBER).all()]
        coded = bool(answered) and 2 * len(numeric) >= len(answered)
        kind = (coded, f"{len(numeric)} of {len(answered)}")
    return (kind, [c for c in columns if uniques[c].isin(markers).any()],
            [c for c in columns if uniques[c].str.contains("┋", regex=False).any()])


def _answer_tests(frame, columns, subquestions, markers):
    answers = wjx._Answers.of(frame, columns)
    coded, why = wjx._is_coded(subquestions, answers)
    kind = (coded, why.key if why.key in ("wjx_why_joined", "wjx_why_subquestions")
            else "{n} of {total}".format(**dict(why.values)))
    return (kind, answers.having(answers.texts.isin(markers)), answers.having(answers.joined))


TRICKY_ANSWERS = grid([
    META + ["1、性别", "2、满意度", "3、建议", "4、爱好", "5、空", "6、数", "第7题(A)"],
    META_ROW + [" (跳过) ", "\u3000-3", "很好 ", "运动┋阅读", None, 3, "1"],
    META_ROW + ["（空）", " 4", "-3\t", "(跳过)", None, -3.0, "0"],
    META_ROW + ["1", "３", "(空) ", " ┋", None, 2.5, " 1"],
    META_ROW + ["2 ", "-2", "x-3", "阅读", None, None, None],
    META_ROW + ["2", "(跳过)", "-3", "阅读", None, 3.0, "1"],
])


@pytest.mark.parametrize("source", ["text_export.xlsx", "coded_export.xlsx", "old_format.xls",
                                    "text_export_gb18030.csv", "customers_2018.xlsx",
                                    "customers_2019.xlsx", "tricky", "tricky without ┋"])
def test_answer_tests_over_all_columns_equal_the_former_per_column_tests(source):
    # the sample's exports and the fixtures (with skipped and empty answers) and a grid of
    # stripped markers, numbers in text and number cells, full-width digits, ┋ and no answers
    if source.startswith("tricky"):
        cells = TRICKY_ANSWERS.map(lambda v: v.replace("┋", "") if isinstance(v, str) else v) \
            if "without" in source else TRICKY_ANSWERS
        path = Path("tricky.csv")
    else:
        path = (FIXTURES / source if (FIXTURES / source).exists()
                else Path(__file__).parents[1] / "data" / "sample" / source)
        cells = containers.read_container(path)
    from surveys.importers.plain import header_cells, table_from_grid
    names, questions, _ = wjx._column_names(header_cells(cells, 0))
    frame = table_from_grid(cells, path, names, first_data_row=1, format="wjx").frame
    columns = [c for c in frame.columns if c not in wjx.META_COLUMNS]
    for subquestions in ([c for c in columns if wjx._SUBQUESTION.match(c)], []):
        for markers in (dict.fromkeys(wjx._TEXT_MISSING), {**dict.fromkeys(wjx._TEXT_MISSING),
                                                           **wjx._CODED_MISSING}):
            assert _answer_tests(frame, columns, subquestions, markers) == \
                _former_answer_tests(frame, columns, subquestions, markers)


# ------------------------------------------------------------------ old .xls
@pytest.fixture(scope="module")
def old_xls():
    return read("old_format.xls")


def test_old_xls_metadata_in_unusual_order(old_xls):
    assert old_xls.frame.columns.tolist()[:6] == ["来自IP", "IP属地", "所用时间", "序号",
                                                  "提交答卷时间", "来源"]
    assert "source_detail" not in old_xls.meta_columns
    assert old_xls.meta_columns["id"] == "序号"
    assert old_xls.durations.tolist() == SECONDS
    assert old_xls.frame["序号"].tolist() == [str(i) for i in range(1, 9)]


def test_old_xls_headers_with_trailing_spaces(old_xls):
    assert "1、贵公司属于哪类客户？" in old_xls.frame.columns
    assert Q5 in old_xls.frame.columns


def test_old_xls_full_width_digits_code(old_xls):
    recommend = code_column(old_xls.frame[Q5], column=Q5, file=old_xls.path,
                            file_rows=old_xls.file_rows)
    assert recommend.tolist() == [9, 10, 7, 8, 3, 9, 10, 0]


# ------------------------------------------------------------------ single rules
def test_matrix_rows_end_at_the_next_question_or_metadata():
    table = wjx.parse(grid([
        ["序号", "所用时间", "3、重要性如何？—外观", "价格", "4、总体满意度", "总分",
         "5、评价—服务", "—速度", "来源"],
        ["1", "60秒", "重要", "一般", "满意", "10", "好", "好", "微信"],
    ]), Path("m.xlsx"))
    assert table.frame.columns.tolist() == ["序号", "所用时间", "外观", "价格", "4、总体满意度",
                                            "总分", "服务", "速度", "来源"]
    assert table.questions == {"外观": "3、重要性如何？—外观", "价格": "3、重要性如何？—价格",
                               "服务": "5、评价—服务", "速度": "5、评价—速度"}


def test_shared_row_labels_get_the_question_number():
    table = wjx.parse(grid([
        ["序号", "所用时间", "3、期望—外观", "价格", "4、感知—外观", "价格", "5、其他"],
        ["1", "60秒", "4", "4", "3", "5", "x"],
    ]), Path("m.xlsx"))
    assert table.frame.columns.tolist() == ["序号", "所用时间", "第3题(外观)", "第3题(价格)",
                                            "第4题(外观)", "第4题(价格)", "5、其他"]
    assert table.questions["第4题(价格)"] == "4、感知—价格"
    assert any("named '第3题(外观)'" in note for note in table.notes)


def test_blank_rows_keep_file_row_numbers():
    table = wjx.parse(grid([
        ["序号", "所用时间", "1、满意度"],
        ["1", "10秒", "满意"],
        [None, None, None],
        ["2", "20秒", "好"],
    ]), Path("gap.csv"))
    assert table.file_rows.tolist() == [2, 4]
    with pytest.raises(StudyError) as caught:
        code_column(table.frame["1、满意度"], column="1、满意度", file=table.path,
                    file_rows=table.file_rows)
    assert caught.value.row == 4


@pytest.mark.parametrize("text, seconds", [
    ("136秒", 136), ("2分15秒", 135), ("1小时2分3秒", 3723), ("3分", 180), (" 45 秒 ", 45),
    ("１３６秒", 136), ("02:15", 135), ("1:02:15", 3735), ("136", 136), ("136.5", 136.5),
    ("很久", np.nan), ("", np.nan),
])
def test_parse_durations(text, seconds):
    result = wjx.parse_durations(pd.Series([text, None], dtype=object))
    np.testing.assert_array_equal(result.to_numpy(), [seconds, np.nan])


def test_unreadable_duration_is_a_note():
    table = wjx.parse(grid([
        ["序号", "所用时间", "1、满意度"],
        ["1", "10秒", "满意"],
        ["2", "很久", "满意"],
    ]), Path("d.csv"))
    assert np.isnan(table.durations[1])
    assert "所用时间: 1 value(s) are not durations and were read as missing (file rows 3)" in (
        table.notes)


def test_ip_without_region():
    table = wjx.parse(grid([["来自IP", "所用时间"], ["1.2.3.4", "5秒"], ["5.6.7.8（江苏-南京）", "6秒"]]),
                      Path("ip.csv"))
    assert as_list(table.frame["IP属地"]) == [None, "江苏-南京"]


def test_header_only_is_an_error():
    with pytest.raises(StudyError, match="too few"):
        wjx.parse(grid([META + ["1、性别"]]), Path("h.csv"))
