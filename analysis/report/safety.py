"""Text a spreadsheet would evaluate: the one rule for every file a spreadsheet may open.

Respondent data (a company name, a comment, a segment level) and study names end up in cells of
report.xlsx, customers.csv and the app's downloads. A cell whose text starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is taken by Excel and LibreOffice for a formula (or a DDE
payload): OWASP's "CSV injection". The xlsx writer stores such text as a string cell with the quote
prefix; CSV has no cell types, so the text gets a leading apostrophe, which spreadsheets show
as text and do not evaluate (OWASP's recommendation). Numbers are never touched: a negative number
is a number.

Reference: OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
"""
from __future__ import annotations

__all__ = ["FORMULA_START", "looks_like_formula", "csv_cell", "formula_safe_csv"]

#: first characters that make a spreadsheet treat text as a formula (OWASP CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would evaluate ``text`` typed into a cell."""
    return text.startswith(FORMULA_START)


def csv_cell(value):
    """A value for a CSV file: text that looks like a formula gets a leading apostrophe; numbers,
    booleans and None are returned as they are."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def formula_safe_csv(frame) -> bytes:
    """A DataFrame as CSV bytes for spreadsheets (the app's table downloads): every cell and column
    name through :func:`csv_cell`, no index, UTF-8 with a byte-order mark (so that Excel opens
    Chinese text correctly)."""
    header = [csv_cell(str(column)) for column in frame.columns]
    return frame.map(csv_cell).to_csv(index=False, header=header).encode("utf-8-sig")
