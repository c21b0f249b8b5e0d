"""The Excel report (``report.xlsx``): a summary sheet, then one sheet per table of every analysis.

Each table sheet has the title, the method and the n above a frozen header row with an autofilter;
numbers are stored as numbers with a number format (p-values show ``<.001``), never as text.
Every text cell is written as an explicit string; text starting with = + - @, a tab or a carriage
return (a spreadsheet formula or DDE payload from respondent data or study names) also gets the
quote prefix, so Excel and LibreOffice show it and never evaluate it.
"""
from __future__ import annotations

import io
import re
import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..i18n import t
from .safety import FORMULA_START, looks_like_formula
from .tables import Section, Table, build_sections

__all__ = ["excel_report", "table_workbook", "FORMULA_START", "NUMBER_FORMATS"]

NUMBER_FORMATS = {"int": "0", "num": "0.00", "num3": "0.000", "p": '[<0.001]"<.001";.000',
                  "pct": "0.0%"}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ROW = 4
MAX_WIDTH = 60


def _display_width(text: str) -> int:
    """Characters, wide (CJK) ones counted twice: roughly Excel's column-width unit."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _put(ws, row: int, column: int, value, kind: str = "text", lang: str = "zh"):
    """Write one cell: numbers as numbers with their format, everything else as a safe string."""
    cell = ws.cell(row=row, column=column)
    if value is None:
        return cell
    if kind == "flag" or isinstance(value, bool):
        value = t("rep_yes" if value else "rep_no", lang)
    if isinstance(value, (int, float)) and kind in NUMBER_FORMATS:
        cell.value = value
        cell.number_format = NUMBER_FORMATS[kind]
        return cell
    text = _XML_ILLEGAL.sub(_escaped, str(value))  # ESC, NUL... cannot be stored in xlsx
    cell.value = text
    cell.data_type = "s"  # openpyxl would store "=..." as a formula
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


#: control characters XML 1.0 (and so xlsx) cannot hold; tab and line breaks are fine
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _escaped(match: re.Match) -> str:
    """A control character as the escape a reader can see (``\\x1b``), e.g. from a title."""
    return match.group(0).encode("unicode_escape").decode("ascii")


def _sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique sheet name (≤ 31 characters, no []:*?/\\ and no control characters)."""
    base = re.sub(r"[\[\]:*?/\\'\x00-\x1f]", " ", title).strip()[:28] or "Sheet"
    name, k = base, 2
    while name.lower() in used:
        name, k = f"{base[:25]} ({k})", k + 1
    used.add(name.lower())
    return name


def _table_sheet(ws, table: Table, lang: str) -> None:
    _put(ws, 1, 1, table.title).font = Font(bold=True, size=13)
    _put(ws, 2, 1, f"{t('rep_method', lang)}: {table.method}").font = Font(italic=True)
    _put(ws, 3, 1, table.n)
    widths = []
    for j, col in enumerate(table.columns, start=1):
        cell = _put(ws, HEADER_ROW, j, col.label)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        widths.append(min(_display_width(col.label), 24))
    for i, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for j, (col, value) in enumerate(zip(table.columns, row), start=1):
            _put(ws, i, j, value, col.kind, lang)
            if col.kind in ("text", "flag") and value is not None:
                widths[j - 1] = max(widths[j - 1], _display_width(str(value)))
            elif value is not None:
                widths[j - 1] = max(widths[j - 1], 8)
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(width + 2, MAX_WIDTH)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    last = get_column_letter(len(table.columns))
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(table.rows)}"


def _summary_sheet(ws, results: dict, sections: list[Section], lang: str) -> None:
    study = results.get("study") or {}
    scale = study.get("scale") or {}
    _put(ws, 1, 1, f"{study.get('title') or ''} — {t('rep_title', lang)}").font = Font(bold=True, size=14)
    facts = [(t("rep_current_wave", lang), study.get("wave")),
             (t("rep_scale", lang), f"{scale.get('min')}–{scale.get('max')}" if scale else None),
             (t("rep_fingerprint", lang), study.get("fingerprint"))]
    row = 3
    for label, value in facts:
        _put(ws, row, 1, label).font = Font(bold=True)
        _put(ws, row, 2, value)
        row += 1
    row += 1
    _put(ws, row, 1, t("rep_findings", lang)).font = Font(bold=True, size=13)
    for section in sections:
        if not section.findings:
            continue
        row += 1
        _put(ws, row, 1, section.title).font = Font(bold=True)
        for finding in section.findings:
            row += 1
            _put(ws, row, 2, finding)
    row += 2
    _put(ws, row, 1, t("rep_generated", lang)).font = Font(italic=True, color="666666")
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 120


def _bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def table_workbook(table: Table, lang: str = "zh") -> bytes:
    """A workbook of one table laid out as the report's table sheets (e.g. the app's customer
    list export)."""
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_name(table.title, set())
    _table_sheet(ws, table, lang)
    return _bytes(wb)


def excel_report(results: dict, lang: str = "zh") -> bytes:
    """The Excel report of ``results`` (the content of results.json) in ``lang`` ("zh"/"en")."""
    sections = build_sections(results, lang)
    wb = Workbook()
    summary = wb.active
    used = {t("rep_summary", lang).lower()}
    summary.title = t("rep_summary", lang)
    _summary_sheet(summary, results, sections, lang)
    for section in sections:
        for table in section.tables:
            _table_sheet(wb.create_sheet(_sheet_name(table.title, used)), table, lang)
    return _bytes(wb)
