"""Text a spreadsheet would run as a formula (OWASP "CSV injection"), shared by the Excel report
and the app's CSV downloads.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) is read by Excel and LibreOffice as a formula: ``=HYPERLINK("http://…", "click")`` or a DDE
call such as ``=cmd|' /C calc'!A0`` planted in an answer, a name or a title would run on the
reader's computer. The Excel report marks such cells as text (quote prefix); a CSV file has no
such mark, so :func:`formula_safe` puts a ``'`` in front, as OWASP recommends. Numbers written as
text (``-0.12``, ``+3``, ``-5%``) are left as they are.
"""
from __future__ import annotations

import re

__all__ = ["FORMULA_START", "starts_formula", "formula_safe", "formula_safe_csv"]

#: first characters that make a spreadsheet treat text as a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet would take ``text`` for a formula (a plain number is not one)."""
    return text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text)


def formula_safe(value):
    """``value`` for a CSV cell: text that would start a formula gets a leading ``'``; anything
    else (numbers, missing values, harmless text) is returned unchanged."""
    if isinstance(value, str) and starts_formula(value):
        return "'" + value
    return value


def formula_safe_csv(frame) -> bytes:
    """A DataFrame as CSV for spreadsheets: every cell and column name through
    :func:`formula_safe`, no index, UTF-8 with a byte-order mark (so that Excel opens Chinese
    text correctly)."""
    header = [formula_safe(str(column)) for column in frame.columns]
    return frame.map(formula_safe).to_csv(index=False, header=header).encode("utf-8-sig")
