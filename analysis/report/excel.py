"""The Excel report (``report.xlsx``): a summary sheet, then one sheet per table of every analysis.

Each table sheet has the title, the method and the n above a frozen header row with an autofilter,
and the table's notes (the stars' meaning, cut-offs, model fit) under its last row; factor
loadings below .40 are grey, as in the Word report;
numbers are stored as numbers with a number format (p-values show ``<.001``), never as text.
Every text cell is written as an explicit string; text starting with = + - @, a tab or a carriage
return (a spreadsheet formula or DDE payload from respondent data or study names) also gets the
quote prefix, so Excel and LibreOffice show it and never evaluate it.

Written by XlsxWriter, which streams each cell's XML as it goes: the sample's workbook (~7,500
cells on 44 sheets) in ~0.25 s against ~1 s for openpyxl, whose cell and style objects and
per-sheet temporary files cost the difference (cProfile), and ~0.3 s less to import. The cells,
number formats, fonts, fills, column widths, frozen panes and filters are those openpyxl wrote
(``tests/test_report.py`` compares both workbooks cell by cell).
"""
from __future__ import annotations

import io
import re
import unicodedata

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ..i18n import t
from .safety import FORMULA_START, looks_like_formula
from .tables import Marked, Section, Table, build_sections, is_faint

__all__ = ["excel_report", "table_workbook", "FORMULA_START", "NUMBER_FORMATS"]
NUMBER_FORMATS = {"int": "0", "num": "0.00", "num3": "0.000", "bounded": "0.00", "bounded3": "0.000",
                  "loading": "0.000", "df": "General", "p": '[<0.001]"<.001";.000', "pct": "0.0%"}
#: the header row's look (XlsxWriter format properties)
HEADER = {"bold": True, "bg_color": "#DDEBF7", "pattern": 1, "text_wrap": True, "valign": "top"}
HEADER_ROW = 4
#: the font colour of a small factor loading (:func:`~.tables.is_faint`), as in the Word report
FAINT_COLOR = "#999999"
MAX_WIDTH = 60
#: pixels per character of column width (Calibri 11's digit): XlsxWriter stores a width given
#: in pixels as pixels / 7 characters, so that whole widths are stored as they are given
_PIXELS_PER_CHARACTER = 7


class _Sheet:
    """A worksheet and the workbook's formats: cells addressed from 1 (row 1 = Excel's row 1),
    each distinct format added to the workbook once."""

    def __init__(self, ws: Worksheet, formats: dict[tuple, Format], workbook: Workbook):
        self.ws, self._formats, self._workbook = ws, formats, workbook

    def format(self, style: dict) -> Format | None:
        if not style:
            return None
        key = tuple(sorted(style.items()))
        if key not in self._formats:
            self._formats[key] = self._workbook.add_format(style)
        return self._formats[key]

    def width(self, column: int, characters: int) -> None:
        """A column's width in characters (Excel's unit, as openpyxl stored it)."""
        self.ws.set_column_pixels(column - 1, column - 1, characters * _PIXELS_PER_CHARACTER)


def _display_width(text: str) -> int:
    """Characters, wide (CJK) ones counted twice: roughly Excel's column-width unit."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _put(sheet: _Sheet, row: int, column: int, value, kind: str = "text", lang: str = "zh",
         **style) -> None:
    """Write one cell: numbers as numbers with their format, everything else as a safe string;
    ``style``: XlsxWriter format properties (bold, font_size...). A missing value leaves the
    cell empty (with its style), as an empty text does (openpyxl wrote no cell for it)."""
    ws, at = sheet.ws, (row - 1, column - 1)
    if value is None or value == "":
        ws.write_blank(*at, None, sheet.format(style))  # nothing at all without a style
        return
    if kind == "flag" or isinstance(value, bool):
        value = t("rep_yes" if value else "rep_no", lang)
    if isinstance(value, (int, float)) and kind in NUMBER_FORMATS:
        mark = getattr(value, "mark", "")
        style = {**style, "num_format": NUMBER_FORMATS[kind] + (f'"{mark}"' if mark else "")}
        if getattr(value, "bold", False):
            style["bold"] = True
        ws.write_number(*at, float(value) if isinstance(value, Marked) else value,
                        sheet.format(style))
        return
    text = _XML_ILLEGAL.sub(_escaped, str(value))  # ESC, NUL... cannot be stored in xlsx
    if looks_like_formula(text):
        style = {**style, "quote_prefix": True}
    ws.write_string(*at, text, sheet.format(style))  # a string, never a formula


#: control characters XML 1.0 (and so xlsx) cannot hold; tab and line breaks are fine
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _escaped(match: re.Match) -> str:
    """A control character as the escape a reader can see (``\\x1b``), e.g. from a title."""
    return match.group(0).encode("unicode_escape").decode("ascii")


def _cut(text: str, units: int) -> str:
    """``text`` cut to at most ``units`` UTF-16 code units (Excel's count: an emoji is two)."""
    while len(text.encode("utf-16-le")) > 2 * units:
        text = text[:-1]
    return text


def _sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique sheet name (≤ 31 UTF-16 units, as Excel counts and XlsxWriter checks;
    no []:*?/\\ and no control characters)."""
    base = _cut(re.sub(r"[\[\]:*?/\\'\x00-\x1f]", " ", title).strip(), 28) or "Sheet"
    name, k = base, 2
    while name.lower() in used:
        name, k = f"{_cut(base, 25)} ({k})", k + 1
    used.add(name.lower())
    return name


def _column_widths(table: Table) -> list[int]:
    """Each column's width in characters: its widest text (wide characters twice; the label
    at most 24, a number 8) and a margin of 2, at most :data:`MAX_WIDTH`."""
    widths = [min(_display_width(col.label), 24) for col in table.columns]
    for row in table.rows:
        for j, (col, value) in enumerate(zip(table.columns, row)):
            if col.kind in ("text", "flag") and value is not None:
                widths[j] = max(widths[j], _display_width(str(value)))
            elif value is not None:
                widths[j] = max(widths[j], 8)
    return [min(width + 2, MAX_WIDTH) for width in widths]


def _table_sheet(sheet: _Sheet, table: Table, lang: str) -> None:
    _put(sheet, 1, 1, table.title, bold=True, font_size=13)
    _put(sheet, 2, 1, f"{t('rep_method', lang)}: {table.method}", italic=True)
    _put(sheet, 3, 1, table.n)
    for j, col in enumerate(table.columns, start=1):
        _put(sheet, HEADER_ROW, j, col.label, **HEADER)
    for i, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for j, (col, value) in enumerate(zip(table.columns, row), start=1):
            _put(sheet, i, j, value, col.kind, lang,
                 **({"font_color": FAINT_COLOR} if is_faint(value, col.kind) else {}))
    for i, note in enumerate(table.notes, start=HEADER_ROW + len(table.rows) + 2):
        _put(sheet, i, 1, note, italic=True, font_color="#555555")
    for j, width in enumerate(_column_widths(table), start=1):
        sheet.width(j, width)
    sheet.ws.freeze_panes(HEADER_ROW, 0)  # rows above the first data row
    sheet.ws.autofilter(HEADER_ROW - 1, 0, HEADER_ROW - 1 + len(table.rows), len(table.columns) - 1)


def _summary_sheet(sheet: _Sheet, results: dict, sections: list[Section], lang: str) -> None:
    study = results.get("study") or {}
    scale = study.get("scale") or {}
    _put(sheet, 1, 1, f"{study.get('title') or ''} — {t('rep_title', lang)}", bold=True, font_size=14)
    facts = [(t("rep_current_wave", lang), study.get("wave")),
             (t("rep_scale", lang), f"{scale.get('min')}–{scale.get('max')}" if scale else None),
             (t("rep_fingerprint", lang), study.get("fingerprint"))]
    row = 3
    for label, value in facts:
        _put(sheet, row, 1, label, bold=True)
        _put(sheet, row, 2, value)
        row += 1
    row += 1
    _put(sheet, row, 1, t("rep_findings", lang), bold=True, font_size=13)
    for section in sections:
        if not section.findings:
            continue
        row += 1
        _put(sheet, row, 1, section.title, bold=True)
        for finding in section.findings:
            row += 1
            _put(sheet, row, 2, finding)
    row += 2
    _put(sheet, row, 1, t("rep_generated", lang), italic=True, font_color="#666666")
    sheet.width(1, 30)
    sheet.width(2, 120)


def _workbook(fill) -> bytes:
    """The bytes of a workbook that ``fill(add_sheet)`` fills; ``add_sheet(name)`` adds a
    worksheet and returns it as a :class:`_Sheet`. Built in memory (no temporary files)."""
    buffer = io.BytesIO()
    workbook = Workbook(buffer, {"in_memory": True})
    formats: dict[tuple, Format] = {}
    fill(lambda name: _Sheet(workbook.add_worksheet(name), formats, workbook))
    workbook.close()
    return buffer.getvalue()


def table_workbook(table: Table, lang: str = "zh") -> bytes:
    """A workbook of one table laid out as the report's table sheets (e.g. the app's customer
    list export)."""
    return _workbook(lambda add_sheet: _table_sheet(add_sheet(_sheet_name(table.title, set())),
                                                    table, lang))


def excel_report(results: dict, lang: str = "zh") -> bytes:
    """The Excel report of ``results`` (the content of results.json) in ``lang`` ("zh"/"en")."""
    sections = build_sections(results, lang)

    def fill(add_sheet) -> None:
        used = {t("rep_summary", lang).lower()}
        _summary_sheet(add_sheet(t("rep_summary", lang)), results, sections, lang)
        for section in sections:
            for table in section.tables:
                _table_sheet(add_sheet(_sheet_name(table.title, used)), table, lang)

    return _workbook(fill)
