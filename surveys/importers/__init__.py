"""Read a survey export into an :class:`~surveys.importers.base.ImportedTable`.

The one public entry point is :func:`read_table`. It works in two steps (see ``base.py``):

1. :func:`surveys.importers.containers.read_container` sniffs the bytes (not the extension) and
   returns a *grid* -- CSV in UTF-8 / UTF-8 with BOM / GBK / GB18030 / Windows-1252 with ``,``
   ``;`` or tab, xlsx, old xls -- or, for SPSS ``.sav``, a finished :class:`ImportedTable`.
2. Each platform module in :data:`PLATFORMS` is asked in turn whether it recognises the grid; the
   first that does parses it. A plain table (one header row, :mod:`.plain`) is the fallback.

Platform plug-in protocol
-------------------------
A platform is a module ``surveys/importers/<name>.py`` listed by name in :data:`PLATFORMS`. It
exposes two functions:

``detect(grid: Grid) -> bool``
    ``True`` when the grid has this platform's shape. Look at the first few rows only (the grid may
    hold a million rows), never raise, and be specific: a plain one-header table must not match.
``parse(grid: Grid, path: Path) -> ImportedTable``
    Interpret the header rows and return the table with ``format`` set to the platform's name
    (``"wjx"``, ``"qualtrics"``, ...). Bad content raises :class:`surveys.errors.StudyError` with
    file, row, column and what was expected.

The grid a platform receives:

- ``grid.index`` is ``0 .. n-1`` and row ``i`` is the file's row ``i + 1`` as a spreadsheet shows it
  (a quoted CSV cell spanning several lines is one row); columns are ``0 .. m-1``.
- every cell is the text the file shows (``"4"``, never ``"4.0"``; dates as ISO
  ``2019-03-05 14:23:10``) or missing. Every grid has pandas' compact ``str`` dtype, so that a
  million rows fit in memory: missing cells are NaN, test them with ``pandas.isna``
  (:func:`.plain.header_cells` returns ``None`` for them). One exception, asked for by the
  loader (``read_table(..., digits=True)``): a large UTF-8 text file's columns of one-digit
  answers come as pandas Categoricals of the same texts (one int8 code a cell; the header texts
  are further categories, dropped by ``table_from_grid`` when no data row holds one).
- ``grid.attrs`` holds ``container`` (``"csv"``, ``"xlsx"``, ``"xls"``) and, where they apply,
  ``encoding``, ``delimiter`` and ``sheet``; :func:`read_table` adds a note about them itself.

Helpers a platform can reuse live in :mod:`.plain`: ``table_from_grid`` (header names -> unique,
stripped column names, data rows with their ``file_rows``, empty rows skipped with a note),
``header_cells`` and ``column_letter``.
"""
from __future__ import annotations

from importlib import import_module
from pathlib import Path

from surveys.importers import containers, plain
from surveys.importers.base import Grid, ImportedTable

__all__ = ["read_table", "PLATFORMS", "ImportedTable", "Grid"]

#: Platform modules (in ``surveys.importers``) asked in this order; the first whose ``detect``
#: returns ``True`` parses the file. 问卷星 first: its headers are the most distinctive.
PLATFORMS: tuple[str, ...] = ("wjx", "qualtrics", "surveymonkey", "google_forms", "limesurvey")


def _platform_modules() -> list:
    return [import_module(f"{__name__}.{name}") for name in PLATFORMS]


def detect_platform(grid: Grid):
    """The first platform module in :data:`PLATFORMS` that recognises ``grid``, or ``None``."""
    for module in _platform_modules():
        if module.detect(grid):
            return module
    return None


def read_table(path: str | Path, sheet: str | None = None, digits: bool = False) -> ImportedTable:
    """Read one export file (any supported container and platform) into an ImportedTable.

    Parameters
    ----------
    path : the file. Its content decides the format, not its extension.
    sheet : for xlsx/xls, the sheet's name; ``None`` reads the first sheet. Ignored for CSV and
        SPSS files.
    digits : a large UTF-8 text file may give its columns of one-digit answers as pandas
        Categoricals of those texts, read as int8 codes without a string per cell
        (:func:`surveys.importers.containers.read_container`): for the loader, which codes them
        from their codes (:func:`surveys.coding.code_answers`) and turns its other such columns
        into text.

    Returns
    -------
    ImportedTable
        ``format`` names the platform recognised (``"wjx"``, ``"qualtrics"``, ``"surveymonkey"``,
        ``"google_forms"``, ``"limesurvey"``) or, for a plain table, the container (``"csv"``,
        ``"xlsx"``, ``"xls"``, ``"sav"``).

    Raises
    ------
    StudyError
        The file is missing, empty, not a table, cannot be decoded, has no such sheet, or its
        header is unusable. The message names the file (and row/column where it applies).
    """
    path = Path(path)
    content = containers.read_container(path, sheet=sheet, digits=digits)
    if isinstance(content, ImportedTable):
        return content
    grid = content
    platform = detect_platform(grid)
    if platform is None:
        table = plain.parse(grid, path)
    else:
        table = platform.parse(grid, path)
    table.notes.insert(0, containers.describe(grid))
    table.notes += grid.attrs.get("notes", [])  # e.g. formulas without a saved value
    return table
