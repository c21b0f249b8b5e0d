"""Importers: containers (encodings, delimiters, workbooks, SPSS), platforms, errors.

Fixtures live in tests/fixtures/importers (README.md there says which real export each imitates);
encoding x delimiter combinations are written by the tests themselves.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from surveys.errors import StudyError
from surveys.importers import PLATFORMS, containers, detect_platform, read_table
from surveys.importers import google_forms, limesurvey, qualtrics, surveymonkey
from surveys.importers.metadata import find_meta, parse_times, seconds_between
from surveys.importers.plain import column_letter, table_from_grid
from surveys.importers.surveymonkey import column_names

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def cells(table, column):
    """A column's cells as a list, missing -> None."""
    return [None if pd.isna(v) else v for v in table.frame[column].tolist()]


def error_of(path, **kwargs) -> StudyError:
    with pytest.raises(StudyError) as caught:
        read_table(path, **kwargs)
    return caught.value


# --- text: every encoding x delimiter ---------------------------------------------------------

ROWS = [
    ["序号", "满意度", "评语"],
    ["1", "非常满意", "服务好, 交货快; 价格\t合理\n下次再来"],  # delimiters and a newline inside
    ["2", "一般", "“还行”"],
]


def _delimited(rows, delimiter: str) -> str:
    def quote(cell: str) -> str:
        if any(ch in cell for ch in ',;\t\n"'):
            return '"' + cell.replace('"', '""') + '"'
        return cell
    return "".join(delimiter.join(quote(c) for c in row) + "\r\n" for row in rows)


ENCODINGS = {  # how the file is written -> the encoding the reader reports
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",  # Excel "CSV UTF-8"
    "gbk": "gb18030",  # Excel on Chinese Windows, "CSV (逗号分隔)"
    "gb18030": "gb18030",
    "utf-16": "utf-16",  # Excel "Unicode text" (tab-separated, UTF-16 LE with BOM)
}


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_every_encoding_and_delimiter(tmp_path, encoding, delimiter):
    rows = [list(row) for row in ROWS]
    if encoding == "gb18030":
        rows[2][2] = "𠀀字"  # a character GBK lacks: 4 bytes in GB18030
    path = tmp_path / "survey.txt"
    path.write_bytes(_delimited(rows, delimiter).encode(encoding))
    table = read_table(path)
    assert table.format == "csv"
    assert list(table.frame.columns) == ["序号", "满意度", "评语"]
    assert cells(table, "评语") == [rows[1][2], rows[2][2]]
    assert cells(table, "满意度") == ["非常满意", "一般"]
    assert table.file_rows.tolist() == [2, 3]
    name = {",": "comma", ";": "semicolon", "\t": "tab"}[delimiter]
    assert table.notes[0] == f"read as text in {ENCODINGS[encoding]}, {name}-separated"


def test_delimiter_inside_quotes_does_not_win(tmp_path):
    # many commas inside one quoted cell, but ';' separates the columns
    path = tmp_path / "a.csv"
    path.write_text('a;b\n"x, y, z, w";1\n"p, q";2\n', encoding="utf-8")
    table = read_table(path)
    assert cells(table, "a") == ["x, y, z, w", "p, q"]


def test_quoted_multiline_cell_and_file_rows():
    table = read_table(FIXTURES / "multiline.csv")
    assert cells(table, "Comment") == [
        'first line\nsecond line, with a comma and a "quote"', "short"
    ]
    assert table.file_rows.tolist() == [2, 3]  # a spreadsheet shows the two-line cell as one row


def test_blank_lines_are_skipped_with_their_rows_noted(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n\n3,4\n,\n", encoding="utf-8")
    table = read_table(path)
    assert cells(table, "a") == ["1", "3"]
    assert table.file_rows.tolist() == [2, 4]
    assert "2 empty row(s) skipped (file rows 3, 5)" in table.notes


def test_single_column_file(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("score\n4\n5\n", encoding="utf-8")
    assert cells(read_table(path), "score") == ["4", "5"]


def test_trailing_delimiters_make_no_columns(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b,,\n1,2,,\n", encoding="utf-8")
    table = read_table(path)
    assert list(table.frame.columns) == ["a", "b"]
    assert "2 empty column(s) without a name were ignored" in table.notes


WESTERN_ROWS = [
    ["ID", "Satisfaction", "Commentaire"],
    ["1", "Très satisfait", "Ça va; l'équipe était géniale"],
    ["2", "Plutôt satisfait", "Größe: naïve Übung, señor"],
]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_western_legacy_text_is_not_read_as_chinese(tmp_path, encoding):
    """Excel's "CSV" on a French or German Windows: read as GB18030, "Très" would become "Tr鑣"."""
    rows = [list(row) for row in WESTERN_ROWS]
    if encoding == "cp1252":
        rows[2][2] += " – 5 €"  # bytes 0x96 and 0x80: Windows-1252 only
    path = tmp_path / "survey.csv"
    path.write_bytes(_delimited(rows, ",").encode(encoding))
    table = read_table(path)
    assert cells(table, "Satisfaction") == ["Très satisfait", "Plutôt satisfait"]
    assert cells(table, "Commentaire") == [rows[1][2], rows[2][2]]
    assert table.notes[0] == "read as text in cp1252, comma-separated"


def test_chinese_legacy_text_with_few_chinese_characters_stays_gb18030(tmp_path):
    rows = [["id", "q1", "备注"]] + [[str(i), str(i % 5 + 1), ""] for i in range(200)]
    rows[7][2] = "非常满意，谢谢"
    path = tmp_path / "survey.csv"
    path.write_bytes(_delimited(rows, ",").encode("gbk"))
    table = read_table(path)
    assert list(table.frame.columns) == ["id", "q1", "备注"]
    assert cells(table, "备注")[6] == "非常满意，谢谢"
    assert table.notes[0] == "read as text in gb18030, comma-separated"


def test_header_names_are_stripped(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(" ID1 ,ID2  \n1,2\n", encoding="utf-8")
    assert list(read_table(path).frame.columns) == ["ID1", "ID2"]


def test_damaged_utf8_is_an_error_not_gb18030(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(("问题,回答\n" + "满意,非常满意\n" * 10).encode() + b"x,\xff\n")
    error = error_of(path)
    assert "line 12 holds bytes that are not UTF-8" in str(error)


# --- plain-table errors -----------------------------------------------------------------------


def test_empty_file():
    error = error_of(FIXTURES / "empty.csv")
    assert str(error) == "empty.csv: the file is empty (expected a header row and answers)"


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("\n \r\n", encoding="utf-8")
    assert "the file is empty" in str(error_of(path))


def test_binary_garbage():
    error = error_of(FIXTURES / "garbage.bin")
    assert str(error) == (
        "garbage.bin: the file is not a table (binary content) "
        "(expected CSV/text, xlsx, xls or SPSS .sav)"
    )


def test_binary_without_zero_bytes(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(bytes(range(1, 9)) * 100)  # control characters, no NUL
    assert "the file is not a table (binary content)" in str(error_of(path))


def test_header_only():
    error = error_of(FIXTURES / "header_only.csv")
    assert error.row == 2
    assert "the file has a header but no answers" in str(error)


def test_duplicate_column_names():
    error = error_of(FIXTURES / "duplicate_columns.csv")
    assert (error.row, error.column) == (1, "ID1")
    assert "duplicate column names: 'ID1' in columns B, D" in str(error)


def test_column_with_answers_but_no_name(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,,c\n1,,3\n4,5,6\n", encoding="utf-8")
    error = error_of(path)
    assert error.column == "B"
    assert "column B's first answer is in row 3" in str(error)


def test_row_longer_than_the_rest(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    assert "column(s) C have answers but no name" in str(error_of(path))


def test_wide_row_beyond_the_sniffed_sample(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b,c\n" + "1,2,3\n" * 60_000 + "4,5,6,7\n", encoding="utf-8")
    error = error_of(path)
    assert error.row == 60_002
    assert "row has 4 cells, more than the 3 of the rows above" in str(error)


def test_unclosed_quote(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('a,b\n1,2\n3,"4\n5,6\n', encoding="utf-8")
    error = error_of(path)
    assert error.row == 3
    assert "a quoted cell is never closed" in str(error)


def test_missing_file(tmp_path):
    error = error_of(tmp_path / "nowhere.csv")
    assert str(error) == "nowhere.csv: file not found (expected an existing file)"


def test_html_disguised_as_xls(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>a</td></tr></table></body></html>")
    assert "a web page (HTML)" in str(error_of(path))


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "data.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")
    assert "the file is a ZIP archive, not an Excel workbook" in str(error_of(path))


def test_opendocument_spreadsheet(tmp_path):
    path = tmp_path / "data.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert "OpenDocument spreadsheet, not an Excel workbook" in str(error_of(path))


# --- workbooks ----------------------------------------------------------------------------------


def test_xlsx_cells_as_the_user_sees_them():
    table = read_table(FIXTURES / "plain.xlsx")
    assert table.format == "xlsx"
    assert list(table.frame.columns) == [
        "ID", "ID1", "ID2", "amount", "submitted", "birthday", "vip", "region"
    ]
    assert cells(table, "ID2") == ["5", "2", None]  # 5.0 shows as 5
    assert cells(table, "amount") == ["1234.5", "0.1", "20000000"]
    assert cells(table, "submitted") == [
        "2019-03-05 14:23:10", "2019-03-06 09:00:00", "2019-03-07 18:30:05"
    ]
    assert cells(table, "birthday") == ["1980-01-31", "1990-12-01", None]
    assert cells(table, "vip") == ["TRUE", "FALSE", None]
    assert table.file_rows.tolist() == [2, 3, 5]  # row 4 is empty
    assert table.notes[0] == "read sheet '客户问卷' of an xlsx workbook"


def test_xlsx_sheet_by_name():
    table = read_table(FIXTURES / "plain.xlsx", sheet="客户问卷")
    assert len(table.frame) == 3
    with pytest.raises(StudyError, match="no answers"):  # the notes sheet has only one row
        read_table(FIXTURES / "plain.xlsx", sheet=" 说明 ")


def test_wrong_sheet_names_file_and_lists_sheets():
    error = error_of(FIXTURES / "plain.xlsx", sheet="Sheet1")
    assert str(error) == (
        "plain.xlsx: no sheet named 'Sheet1' (expected one of the sheets '客户问卷', '说明')"
    )


def test_empty_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "空"
    book.save(tmp_path / "empty.xlsx")
    error = error_of(tmp_path / "empty.xlsx")
    assert str(error) == "empty.xlsx: sheet '空' is empty (expected a header row and answers)"


def test_truncated_xlsx():
    error = error_of(FIXTURES / "truncated.xlsx")
    assert str(error).startswith("truncated.xlsx: the file looks like an Excel workbook but is "
                                 "damaged or truncated")


def test_xlsx_with_a_damaged_sheet(tmp_path):
    path = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(FIXTURES / "plain.xlsx") as source, zipfile.ZipFile(path, "w") as out:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # the sheet's XML stops mid-way
            out.writestr(name, data)
    error = error_of(path)
    assert str(error).startswith("bad.xlsx: the workbook cannot be read, it may be damaged")


def test_old_xls():
    table = read_table(FIXTURES / "wb_old.xls")
    assert table.format == "xls"
    assert cells(table, "序号") == ["1", "2"]
    assert cells(table, "score") == ["4", "5"]
    assert cells(table, "share") == ["0.25", "1.5"]
    assert cells(table, "submitted") == ["2019-03-05 14:23:10", "2019-03-06"]
    assert cells(table, "ok") == ["TRUE", "FALSE"]
    assert cells(table, "comment") == ["很好", None]
    assert "no sheet named 'x' (expected one of the sheets 'Sheet1', 'Sheet2')" in str(
        error_of(FIXTURES / "wb_old.xls", sheet="x")
    )


def test_cell_text():
    assert containers.cell_text(3.0) == "3"
    assert containers.cell_text(-0.5) == "-0.5"
    assert containers.cell_text(1e20) == "1e+20"
    assert containers.cell_text("   ") is None


# --- SPSS ---------------------------------------------------------------------------------------


def test_sav_value_labels_become_answers():
    table = read_table(FIXTURES / "survey.sav")
    assert table.format == "sav"
    assert cells(table, "SAT1") == ["非常满意", "非常不满意", None]
    assert cells(table, "SAT2") == ["满意", 9, "一般"]  # 9 has no label: the code stays
    assert table.value_labels["SAT1"] == {
        1: "非常不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "非常满意"
    }
    assert table.questions["SAT1"] == "您对我们的服务是否满意？"
    assert "id" not in table.questions
    assert cells(table, "region") == ["上海", None, "北京"]
    assert cells(table, "visit") == ["2019-03-05", "2019-03-06", None]
    assert table.file_rows.tolist() == [1, 2, 3]


def test_truncated_sav():
    assert "the SPSS file cannot be read" in str(error_of(FIXTURES / "truncated.sav"))


# --- platforms ------------------------------------------------------------------------------------


def test_qualtrics_csv():
    table = read_table(FIXTURES / "qualtrics.csv")
    assert table.format == "qualtrics"
    assert table.file_rows.tolist() == [4, 5, 6]
    assert list(table.frame.columns[-5:]) == ["Q1", "Q2_1", "Q2_2", "Q3", "Q4"]
    assert table.questions["Q2_2"] == (
        "How much do you agree with the following statements? - Orders are delivered on time"
    )
    assert table.questions["Q3"].endswith("\nPlease answer from 0 to 10.")
    assert "StartDate" not in table.questions  # metadata has no question
    assert table.meta_columns["id"] == "ResponseId"
    assert table.meta_columns["duration"] == "Duration (in seconds)"
    assert table.meta_columns["submitted"] == "RecordedDate"
    assert table.durations.tolist() == [196.0, 70.0, 510.0]
    assert cells(table, "Q4") == ["Good service,\nbut slow delivery.", None, "Too expensive"]


def test_qualtrics_xlsx_same_as_csv():
    from_csv = read_table(FIXTURES / "qualtrics.csv")
    from_xlsx = read_table(FIXTURES / "qualtrics.xlsx")
    assert from_xlsx.format == "qualtrics"
    pd.testing.assert_frame_equal(from_csv.frame, from_xlsx.frame)
    assert from_xlsx.file_rows.tolist() == [4, 5, 6]


def test_qualtrics_legacy():
    table = read_table(FIXTURES / "qualtrics_legacy.csv")
    assert table.format == "qualtrics"
    assert list(table.frame.columns) == [
        "ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress",
        "IPAddress", "Status", "StartDate", "EndDate", "Finished", "Q1", "Q2_1", "Q2_2",
    ]
    assert table.file_rows.tolist() == [3, 4]
    assert table.questions == {
        "Q1": "Overall, how satisfied are you?",
        "Q2_1": "Agree? - Staff know my needs",
        "Q2_2": "Agree? - Delivery on time",
    }
    assert table.meta_columns["id"] == "ResponseID"
    assert table.durations.tolist() == [245.0, 60.0]  # EndDate - StartDate


def test_surveymonkey():
    table = read_table(FIXTURES / "surveymonkey.csv")
    assert table.format == "surveymonkey"
    assert table.file_rows.tolist() == [3, 4, 5]
    channels = "Which channels do you use to contact us?"
    assert list(table.frame.columns[9:]) == [
        "How satisfied are you with D company?",
        f"{channels} - Phone", f"{channels} - Email", f"{channels} - WeChat",
        f"{channels} - Other (please specify)",
        "How satisfied are you with each of the following? - Delivery",
        "How satisfied are you with each of the following? - Service",
        "What could we improve?",
    ]
    assert table.multi_select == {
        channels: [f"{channels} - Phone", f"{channels} - Email", f"{channels} - WeChat"]
    }
    assert cells(table, f"{channels} - Phone") == [1.0, 0.0, None]  # row 5 skipped it
    assert cells(table, f"{channels} - Email") == [0.0, 1.0, None]
    assert cells(table, f"{channels} - Other (please specify)") == [None, "Fax", None]
    assert table.meta_columns["id"] == "Respondent ID"
    assert table.durations.tolist() == [210.0, 60.0, 600.0]


def test_surveymonkey_column_names():
    questions = ["Respondent ID", "Q1", "Q2", None, "Q3", None]
    labels = [None, "Response", "Row a", "Row b", "Open-Ended Response", None]
    assert column_names(questions, labels) == [
        "Respondent ID", "Q1", "Q2 - Row a", "Q2 - Row b", "Q3", None
    ]


def test_google_forms():
    table = read_table(FIXTURES / "google_forms.csv")
    assert table.format == "google_forms"
    assert table.file_rows.tolist() == [2, 3, 4, 5, 6]
    question = "Which products do you buy?"
    options = [f"{question} [Blackboard]", f"{question} [Projector]", f"{question} [Speakers]"]
    assert table.multi_select == {question: options}
    assert list(table.frame.columns) == [
        "Timestamp", "Email Address", "How satisfied are you overall?",
        "Rate our service [Speed]", "Rate our service [Friendliness]", question, *options,
        "Comments",
    ]
    assert cells(table, question)[0] == "Blackboard, Projector"  # joined column kept
    assert cells(table, options[0]) == [1.0, 0.0, 1.0, None, 1.0]
    assert cells(table, options[2]) == [0.0, 0.0, 1.0, None, 1.0]
    assert "Comments [Great]" not in table.frame.columns  # free text with commas is not split
    assert table.meta_columns == {"submitted": "Timestamp", "email": "Email Address"}


def test_google_forms_chinese():
    table = read_table(FIXTURES / "google_forms_zh.csv")
    assert table.format == "google_forms"
    assert table.meta_columns["submitted"] == "时间戳记"
    assert cells(table, "服务评价 [专业程度]") == ["5", "5"]


def test_google_forms_checkbox_options():
    assert google_forms.checkbox_options(pd.Series(["a, b", "a", "b, c", "c"])) == ["a", "b", "c"]
    free_text = pd.Series(["good, fast", "slow, but ok", "fine"])
    assert google_forms.checkbox_options(free_text) is None


def test_limesurvey():
    table = read_table(FIXTURES / "limesurvey.csv")
    assert table.format == "limesurvey"
    assert table.file_rows.tolist() == [2, 3]
    assert cells(table, "ID[SQ001]") == ["A4", "A1"]  # answer codes kept
    assert cells(table, "CH[other]") == [None, "传真"]
    assert table.meta_columns == {
        "id": "id", "submitted": "submitdate", "start": "startdate",
        "last_action": "datestamp", "ip": "ipaddr", "duration": "interviewtime",
    }
    assert table.durations.tolist() == [250.5, 120.0]


def test_limesurvey_full_question_text_headings(tmp_path):
    path = tmp_path / "results-survey123.csv"
    path.write_text(
        '"Response ID","Date submitted","Last page","Start language","Seed","Total time",'
        '"How satisfied are you?"\n"7","2020-01-10 10:05:12","2","en","42","61.2","A4"\n',
        encoding="utf-8",
    )
    table = read_table(path)
    assert table.format == "limesurvey"
    assert table.meta_columns["id"] == "Response ID"
    assert table.durations.tolist() == [61.2]


PLATFORM_FIXTURES = {
    "qualtrics": ["qualtrics.csv", "qualtrics.xlsx", "qualtrics_legacy.csv"],
    "surveymonkey": ["surveymonkey.csv"],
    "google_forms": ["google_forms.csv", "google_forms_zh.csv"],
    "limesurvey": ["limesurvey.csv"],
    None: ["multiline.csv", "plain.xlsx", "wb_old.xls", "duplicate_columns.csv"],
}


@pytest.mark.parametrize(
    "platform, name", [(p, n) for p, names in PLATFORM_FIXTURES.items() for n in names]
)
def test_exactly_one_detector_claims_each_file(platform, name):
    grid = containers.read_container(FIXTURES / name)
    modules = {"qualtrics": qualtrics, "surveymonkey": surveymonkey,
               "google_forms": google_forms, "limesurvey": limesurvey}
    claimed = [key for key, module in modules.items() if module.detect(grid)]
    assert claimed == ([] if platform is None else [platform])
    found = detect_platform(grid)
    assert (found.__name__.rsplit(".", 1)[1] if found else None) == platform


def test_platform_registry_order():
    assert PLATFORMS[0] == "wjx"
    assert set(PLATFORMS) == {"wjx", "qualtrics", "surveymonkey", "google_forms", "limesurvey"}


# --- helpers --------------------------------------------------------------------------------------


def test_column_letter():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A", "Z", "AA", "AB", "ZZ", "AAA"
    ]


def test_table_from_grid_offsets_file_rows():
    grid = pd.DataFrame([["x", "y"], ["tag1", "tag2"], ["1", "2"], [None, None], ["3", "4"]],
                        dtype="str")
    table = table_from_grid(grid, Path("f.csv"), ["a", "b"], first_data_row=2, format="csv")
    assert table.file_rows.tolist() == [3, 5]
    assert table.frame.index.tolist() == [0, 1]


def test_find_meta_ignores_case_spaces_and_underscores():
    columns = ["respondent_id", "Start Date", "Q1"]
    roles = {"id": ("RespondentID",), "start": ("StartDate",), "ip": ("IPAddress",)}
    assert find_meta(columns, roles) == {"id": "respondent_id", "start": "Start Date"}


def test_parse_times_formats():
    iso = parse_times(pd.Series(["2019-03-05 14:23:10", None]))
    assert iso[0] == pd.Timestamp("2019-03-05 14:23:10") and pd.isna(iso[1])
    us = parse_times(pd.Series(["11/26/2019 1:02:00 PM", "12/01/2019 9:00:00 AM"]))
    assert us.tolist() == [pd.Timestamp("2019-11-26 13:02"), pd.Timestamp("2019-12-01 09:00")]
    day_first = parse_times(pd.Series(["26/11/2019 13:02:00", "01/12/2019 09:00:00"]))
    assert day_first[1] == pd.Timestamp("2019-12-01 09:00")
    google = parse_times(pd.Series(["2019/03/05 2:23:10 PM GMT+8"]))
    assert google[0] == pd.Timestamp("2019-03-05 14:23:10")
    chinese = parse_times(pd.Series(["2019/3/5 下午2:23:10", "2019/3/5 上午 9:05:00", "2019/3/6 上午12:30:00"]))
    assert chinese.tolist() == [pd.Timestamp("2019-03-05 14:23:10"), pd.Timestamp("2019-03-05 09:05"),
                                pd.Timestamp("2019-03-06 00:30")]


def test_seconds_between_unreadable_is_nan():
    start = pd.Series(["2019-03-05 14:00:00", "soon"])
    end = pd.Series(["2019-03-05 14:02:30", "2019-03-05 14:02:30"])
    result = seconds_between(start, end)
    assert result[0] == 150.0 and np.isnan(result[1])


@pytest.mark.parametrize("storage", ["pyarrow", "python", None])
def test_answered_cells_equal_the_count_of_cells_not_missing(storage):
    """A grid column's answered cells from Arrow's null count equal ``Series.count()`` (the
    former definition): text, empty text, missing cells, a slice (the data rows of a grid),
    a column of Arrow chunks, and object and Python-backed columns."""
    import pyarrow as pa

    from surveys.importers.plain import _answered_cells

    cells = ["4", None, "", " ", "nan", None, "5"] * 3
    if storage == "pyarrow":
        chunked = pa.chunked_array([pa.array(cells[:9], pa.large_string()),
                                    pa.array(cells[9:], pa.large_string())])
        column = pd.Series(pd.arrays.ArrowStringArray(
            chunked, dtype=pd.StringDtype("pyarrow", na_value=np.nan)))
    else:
        column = pd.Series(cells, dtype=object if storage is None
                           else pd.StringDtype(storage, na_value=np.nan))
    for part in (column, column.iloc[1:], column.iloc[8:11], column.iloc[:0],
                 column.iloc[[1, 5]]):
        assert _answered_cells(part) == part.count()


def _former_first_invalid_utf8(path):
    """``containers._first_invalid_utf8`` as first written: every piece decoded."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(containers._CHUNK_BYTES)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return offset - pending + exc.start
            if not chunk:
                return None
            offset += len(chunk)


@pytest.mark.parametrize("piece", [1, 3, 4, 5, 1 << 22])
def test_first_invalid_utf8_skips_ascii_pieces_with_the_former_offsets(tmp_path, monkeypatch, piece):
    """ASCII pieces are not decoded; the offset of the first invalid byte is the former one:
    plain ASCII, valid Chinese, a character cut by a piece's end and followed by ASCII, an
    invalid byte after ASCII or after Chinese, a character cut by the end of the file, GBK."""
    monkeypatch.setattr(containers, "_CHUNK_BYTES", piece)
    contents = [b"a,b\n1,2\n", "问,卷\n满意,4\n".encode(), "ab满\n12,3\n".encode(),
                b"abcd,ef\n\xff,1\n", "满意".encode() + b"\xe6\xbb,x\n", b"abc" + "满".encode()[:2],
                "非常满意,4\n".encode("gbk"), b"", b"abc\x80"]
    for at, content in enumerate(contents):
        path = tmp_path / f"f{at}.csv"
        path.write_bytes(content)
        assert containers._first_invalid_utf8(path) == _former_first_invalid_utf8(path), content
