"""Workbooks read by calamine give the cells openpyxl gives (surveys.importers.containers).

Every workbook is read twice, by the calamine path and by openpyxl alone, and the two grids must
be equal cell for cell (same text, same missing cells, same shape and dtype). The sample's two
workbooks, the 问卷星 exports and the importer fixtures must take the calamine path; a workbook
with what calamine would read otherwise (formulas, error cells, escaped characters, whole
numbers beyond float precision, dates outside Excel's range) must go to openpyxl.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from surveys.importers import containers
from surveys.limits import Deadline
from tests.corpus.make_corpus import SHEET_HEAD, SHEET_TAIL, workbook_parts, zip_with_parts

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = [ROOT / "data" / "sample" / "customers_2018.xlsx",
           ROOT / "data" / "sample" / "customers_2019.xlsx",
           ROOT / "tests" / "fixtures" / "wjx" / "text_export.xlsx",
           ROOT / "tests" / "fixtures" / "wjx" / "coded_export.xlsx",
           ROOT / "tests" / "fixtures" / "importers" / "plain.xlsx",
           ROOT / "tests" / "fixtures" / "importers" / "qualtrics.xlsx"]


def by_openpyxl(path: Path, sheet: str | None = None) -> tuple[pd.DataFrame, str]:
    return containers._read_xlsx_with_openpyxl(path, sheet, Deadline(path))


def by_calamine(path: Path, sheet: str | None = None) -> tuple[pd.DataFrame, str] | None:
    return containers._read_plain_xlsx(path, sheet, Deadline(path))


def same_cells(path: Path, sheet: str | None = None, *, fast: bool) -> None:
    calamine = by_calamine(path, sheet)
    assert (calamine is not None) == fast, path.name
    expected, expected_name = by_openpyxl(path, sheet)
    grid = containers.read_container(path, sheet)
    pd.testing.assert_frame_equal(grid, expected, check_exact=True)
    assert grid.attrs["sheet"] == expected_name
    if calamine is not None:
        pd.testing.assert_frame_equal(calamine[0], expected, check_exact=True)
        assert calamine[1] == expected_name


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_workbooks_read_alike_by_calamine(path):
    same_cells(path, fast=True)


def test_second_sheet_by_name():
    same_cells(ROOT / "tests" / "fixtures" / "importers" / "plain.xlsx", "说明", fast=True)


def _workbook(path: Path, *, epoch_1904: bool = False, extra=None) -> Path:
    """Numbers and text, leading zeros, empty and whitespace cells, a merged header row, dates,
    times and durations in built-in and custom formats, booleans, a styled empty cell and a
    trailing formatted row; ``extra(sheet)`` adds a case."""
    book = openpyxl.Workbook()
    if epoch_1904:
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    sheet = book.active
    sheet.title = "数据"
    sheet.append(["基本信息", None, None, "满意度"])
    sheet.merge_cells("A1:C1")
    sheet.append(["编号", "日期", "时间", "数", "文本", "布尔", "百分", "大数", "小数", "整"])
    sheet.append(["00123", dt.date(2019, 3, 5), dt.time(14, 23, 10), 1, "  ", True, 0.25,
                  123456789012345, 1.5e-7, 3])
    sheet.append(["007", dt.datetime(2019, 3, 5, 14, 23, 10), dt.time(0, 0), 2.5, "a\nb", False,
                  1, 1e20, 0.1 + 0.2, 4])
    sheet.append([None, dt.datetime(2019, 3, 5), dt.time(23, 59, 59, 500000), 40.4, "同意",
                  None, None, 99999999999999.9, 1 / 3, 5])
    sheet.append([1, dt.datetime(1904 if epoch_1904 else 1900, 3, 1), dt.timedelta(hours=30, minutes=5), 3, "-文字", 1,
                  2, 2 ** 40, 1e-300, -2])
    sheet.append([2, dt.datetime(2019, 3, 5, 14, 23, 10, 123456), dt.timedelta(seconds=5), 0,
                  " 4 ", 0, 0, 1e14, -0.5, -3])
    for cell, number_format in {"G3": "0.00%", "D4": "yyyy年m月d日", "D5": "mm/dd/yy",
                                "D6": "[h]:mm:ss", "D7": "0.00", "H4": "@"}.items():
        sheet[cell].number_format = number_format
    for cell, value, number_format in [("B8", 43000, "yyyy-mm-dd"), ("C8", 0.5, "h:mm"),
                                       ("D8", 43000.75, "m/d/yyyy h:mm"), ("E8", 1.5, "[mm]:ss"),
                                       ("F8", 60, '[$-F800]dddd, mmmm dd, yyyy'),
                                       ("G8", 0.999999, "h:mm:ss"), ("H8", 0, "yyyy-mm-dd")]:
        sheet[cell] = value
        sheet[cell].number_format = number_format
    sheet["K9"].number_format = "0"  # a styled cell without a value widens the sheet
    sheet.row_dimensions[12].height = 30  # a formatted row after the last answer
    if extra:
        extra(sheet)
    book.save(path)
    return path


@pytest.mark.parametrize("epoch_1904", [False, True])
def test_numbers_text_dates_and_empty_cells(tmp_path, epoch_1904):
    same_cells(_workbook(tmp_path / "cases.xlsx", epoch_1904=epoch_1904), fast=True)


def test_a_sheet_that_starts_further_down(tmp_path):
    book = openpyxl.Workbook()
    book.active["C3"], book.active["D5"] = "a", 2
    book.save(tmp_path / "offset.xlsx")
    same_cells(tmp_path / "offset.xlsx", fast=True)


OTHERWISE = {
    "escaped carriage return": lambda s: s.cell(3, 5, "line_x000D_"),
    "error cell": lambda s: s.cell(3, 5, "#N/A"),
    "16-digit whole number": lambda s: s.cell(3, 8, 1234567890123456),
    "negative date": lambda s: setattr(s.cell(3, 2, -1), "number_format", "yyyy-mm-dd"),
    "date after 9999": lambda s: setattr(s.cell(3, 2, 2958466), "number_format", "yyyy-mm-dd"),
    "formula": lambda s: s.cell(3, 5, "=A3+1"),
}


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date")  # openpyxl on 'date after 9999'
@pytest.mark.parametrize("case", list(OTHERWISE.values()), ids=list(OTHERWISE))
def test_what_calamine_reads_otherwise_goes_to_openpyxl(tmp_path, case):
    same_cells(_workbook(tmp_path / "case.xlsx", extra=case), fast=False)


def test_an_east_asian_built_in_format_goes_to_openpyxl(tmp_path):
    """Format 31 (a CJK date openpyxl does not know, so it reads the number)."""
    path = _workbook(tmp_path / "cases.xlsx")
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/styles.xml"] = parts["xl/styles.xml"].replace(b'<xf numFmtId="164"',
                                                          b'<xf numFmtId="31"')
    (tmp_path / "cjk.xlsx").write_bytes(zip_with_parts(parts))
    same_cells(tmp_path / "cjk.xlsx", fast=False)


def test_a_formula_with_its_saved_value(tmp_path):
    parts = workbook_parts()
    parts["xl/worksheets/sheet1.xml"] = SHEET_HEAD + (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>Q1</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>Q2</t></is></c></row>'
        b'<row r="2"><c r="A2"><v>4</v></c><c r="B2"><f>A2+1</f><v>5</v></c></row>') + SHEET_TAIL
    (tmp_path / "saved.xlsx").write_bytes(zip_with_parts(parts))
    same_cells(tmp_path / "saved.xlsx", fast=False)
    assert containers.read_container(tmp_path / "saved.xlsx").iloc[1].tolist() == ["4", "5"]


def test_rows_without_references_go_to_openpyxl(tmp_path):
    parts = workbook_parts()
    parts["xl/worksheets/sheet1.xml"] = SHEET_HEAD + (
        b'<row><c t="inlineStr"><is><t>Q1</t></is></c></row><row><c><v>4</v></c></row>'
    ) + SHEET_TAIL
    (tmp_path / "plain_rows.xlsx").write_bytes(zip_with_parts(parts))
    same_cells(tmp_path / "plain_rows.xlsx", fast=False)


def test_row_text_is_cell_text():
    """_row_text inlines cell_text's common cases (calamine gives every number as a float)."""
    values = [0.0, -0.0, 1.0, -1.0, 1e15, -1e15, 999999999999999.0, -999999999999999.0, 2.5,
              float("nan"), float("inf"), 1e20, 3, True, False, "x", " ", "", None,
              dt.datetime(2019, 3, 5), dt.time(14, 23)]
    assert containers._row_text(values) == [containers.cell_text(v) for v in values]
