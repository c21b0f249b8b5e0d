"""File containers: sniff the bytes and turn a file into a grid of cell texts.

The first bytes decide, never the extension:

========================  ====================================================================
``PK\\x03\\x04`` (ZIP)      xlsx workbook, read with calamine (Rust) where it gives openpyxl's cells,
                           else with openpyxl in read-only mode (:func:`_read_xlsx`)
``D0 CF 11 E0`` (OLE2)     old Excel ``.xls``, read with xlrd
``$FL2`` / ``$FL3``        SPSS ``.sav`` / ``.zsav``, read with pyreadstat into an ImportedTable
anything else              delimited text: UTF-8 (with or without BOM), else GB18030 (which
                           contains GBK and GB2312) or, when the bytes do not read as Chinese,
                           Windows-1252; UTF-16 with a BOM (Excel's "Unicode text");
                           delimiter ``,`` ``;`` or tab sniffed from the first rows
========================  ====================================================================

Spreadsheet cells become the text a user sees: integers without ``.0``, other numbers in their
shortest exact form, dates and times in ISO 8601 (``2019-03-05``, ``2019-03-05 14:23:10``),
booleans ``TRUE``/``FALSE``. Text files are read by pyarrow's multithreaded CSV reader as text
(pandas' C parser for ragged rows, open quotes and UTF-16, and to name a bad row): no per-row
Python loop. Every grid has pandas' compact ``str`` dtype (missing cells are NaN), whatever
the container, so that platforms see the same cells from CSV and from a workbook; for the
loader, a large UTF-8 file's columns of one-digit answers may instead be read as int8 and held
as Categoricals of the same texts (:func:`_read_digits_with_arrow`, with an exact check of every
line's bytes).
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from surveys.errors import StudyError
from surveys.i18n import Text, msg
from surveys.importers.base import Grid, ImportedTable
from surveys.importers.plain import column_letter
from surveys.limits import LIMITS, MB, Deadline, check_file_size, limit, shorten

__all__ = ["read_container", "sniff", "describe", "cell_text"]

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAV_MAGICS = (b"$FL2", b"$FL3")
DELIMITERS = (",", ";", "\t")
_SAMPLE_BYTES = 1 << 18  # delimiter sniffing looks at the first 256 KiB
_CHUNK_BYTES = 1 << 22  # the UTF-8 check streams the file in 4 MiB pieces
_ROWS_PER_BLOCK = 20_000  # workbook rows turned into a str DataFrame at a time
_UTF8_EVIDENCE = 20  # non-ASCII characters read as UTF-8 that prove a file is UTF-8
_GBK_PAIR = re.compile(rb"[\x81-\xfe][\x40-\x7e\x80-\xfe]")  # a lead byte and its trail byte
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def sniff(head: bytes) -> str:
    """The container of a file from its first bytes: ``xlsx``, ``xls``, ``sav`` or ``text``."""
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE2_MAGIC):
        return "xls"
    if head[:4] in SAV_MAGICS:
        return "sav"
    return "text"


def read_container(path: Path, sheet: str | None = None,
                   digits: bool = False) -> Grid | ImportedTable:
    """Read ``path`` into a grid (text, xlsx, xls) or, for SPSS files, an ImportedTable.

    ``digits``: a UTF-8 text file of at least :data:`DIGIT_READ_BYTES` may give its columns of
    one-digit answers as categoricals of their texts (:func:`_read_digits_with_arrow`; for the
    loader, which codes them from their int8 codes).

    Raises
    ------
    StudyError
        Missing, unreadable, empty or binary file; undecodable text; damaged workbook; unknown
        sheet (the message lists the sheets that exist).
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        check_file_size(path, size)
        with path.open("rb") as handle:
            head = handle.read(_SAMPLE_BYTES)
    except FileNotFoundError:
        raise StudyError(msg("file_not_found"), file=path,
                         expected=msg("file_not_found_expected")) from None
    except OSError as exc:
        raise StudyError(msg("file_unreadable", reason=exc.strerror), file=path) from None
    if not head.strip():
        raise StudyError(msg("file_empty"), file=path, expected=msg("file_empty_expected"))
    kind = sniff(head)
    deadline = Deadline(path)
    if kind == "sav":
        return _read_sav(path)
    if kind == "xlsx":
        grid, sheet_name = _read_xlsx(path, sheet, deadline)
    elif kind == "xls":
        grid, sheet_name = _read_xls(path, sheet, deadline)
    else:
        return _read_text(path, head, digits)
    if grid.empty:
        raise StudyError(msg("sheet_empty", sheet=sheet_name), file=path,
                         expected=msg("file_empty_expected"))
    grid.attrs.update(container=kind, sheet=sheet_name)
    return grid


def describe(grid: Grid) -> Text:
    """One sentence saying how the grid was read, for ``ImportedTable.notes``."""
    attrs = grid.attrs
    if attrs.get("container") == "csv":
        delimiter = msg(f"delimiter_{_DELIMITER_NAMES[attrs['delimiter']]}")
        return msg("note_read_text", encoding=attrs["encoding"], delimiter=delimiter)
    return msg("note_read_sheet", sheet=attrs.get("sheet"), container=attrs.get("container"))


# --- spreadsheet cells ------------------------------------------------------------------------


def cell_text(value) -> str | None:
    """The text a spreadsheet shows for a cell value (``None`` for an empty cell)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _row_text(row: tuple) -> list[str | None]:
    """:func:`cell_text` of each value, with the common cases (empty, int, whole float as calamine
    gives numbers, text) inlined."""
    return [
        None if value is None
        else str(value) if type(value) is int
        else str(int(value)) if type(value) is float and value.is_integer() and -1e15 < value < 1e15
        else value if type(value) is str and value.strip()
        else cell_text(value)
        for value in row
    ]


def _grid_from_rows(rows: Iterable[list]) -> Grid:
    """A ``str`` grid from rows of cell texts, built in blocks so that the Python objects of
    only one block are alive at a time (a workbook's rows come one by one)."""
    blocks = []
    rows = iter(rows)
    while block := list(islice(rows, _ROWS_PER_BLOCK)):
        width = max(len(row) for row in block)
        padded = [row + [None] * (width - len(row)) for row in block]
        blocks.append(pd.DataFrame(padded, columns=range(width), dtype=object).astype("str"))
    if not blocks:
        return pd.DataFrame()
    width = max(block.shape[1] for block in blocks)
    grid = pd.concat([block.reindex(columns=range(width)) for block in blocks],
                     ignore_index=True)
    return grid.astype("str")


class _Shape:
    """Stops reading a table with a StudyError as soon as it would have more rows, columns or
    cells (empty ones count: they are held too) than :mod:`surveys.limits` allows, or once
    reading has taken longer than its time limit."""

    def __init__(self, path: Path, deadline: Deadline):
        self.path, self.deadline, self.width = path, deadline, 0
        self.rows, self.columns, self.cells = limit("rows"), limit("columns"), limit("cells")

    def check(self, number: int, width: int) -> None:
        """Row ``number`` (1-based) with ``width`` cells is about to be held."""
        if width > self.width:
            self.width = width
            if width > self.columns:
                raise _too_big(self.path, "columns", width, self.columns, row=number,
                               column=column_letter(width - 1))
        if number > self.rows:
            raise _too_big(self.path, "rows", number, self.rows, row=number)
        if number * self.width > self.cells:
            raise _too_big(self.path, "cells", number * self.width, self.cells, row=number)
        if not number % 1024:
            self.deadline.check(number)


def _too_big(path: Path, what: str, found: int, most: int, **where) -> StudyError:
    """The table would exceed the limit ``what`` (rows, columns or cells)."""
    return StudyError(msg(f"table_too_many_{what}", found=f"{found:,}", limit=f"{most:,}",
                          env=LIMITS[what].env),
                      file=path, expected=msg("table_too_big_expected"), **where)


def _pick_sheet(path: Path, names: list[str], sheet: str | None) -> str:
    if sheet is None:
        if not names:
            raise StudyError(msg("workbook_no_sheet"), file=path)
        return names[0]
    if sheet in names:
        return sheet
    loose = [name for name in names if name.strip().casefold() == sheet.strip().casefold()]
    if len(loose) == 1:
        return loose[0]
    listed = ", ".join(f"'{name}'" for name in names)
    raise StudyError(
        msg("sheet_not_found", sheet=sheet), file=path,
        expected=msg("sheet_not_found_expected", sheets=listed),
    )


def _check_archive(path: Path, parts: list[zipfile.ZipInfo]) -> None:
    """Refuse a workbook whose zip directory announces a zip bomb: too many parts, too much
    uncompressed data, or a part compressed far more than real sheets are (:mod:`surveys.limits`).

    The sizes are the ones the zip directory declares; Python's zipfile never unpacks more than a
    part's declared size (a part that holds more fails its CRC check), so they bound what openpyxl
    can unpack.
    """
    if len(parts) > limit("zip_entries"):
        raise StudyError(msg("zip_too_many_parts", found=f"{len(parts):,}",
                             limit=f"{limit('zip_entries'):,}", env=LIMITS["zip_entries"].env),
                         file=path, expected=msg("zip_bomb_expected"))
    total = sum(part.file_size for part in parts)
    if total > limit("unzipped_mb") * MB:
        raise StudyError(msg("zip_too_large", size=f"{total / MB:,.1f}",
                             limit=f"{limit('unzipped_mb'):g}", env=LIMITS["unzipped_mb"].env),
                         file=path, expected=msg("zip_bomb_expected"))
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > MB and ratio > limit("zip_ratio"):
            raise StudyError(msg("zip_ratio_too_high", part=shorten(part.filename),
                                 packed=f"{part.compress_size / 1024:,.0f}",
                                 size=f"{part.file_size / MB:,.1f}", ratio=f"{ratio:,.0f}",
                                 limit=f"{limit('zip_ratio'):g}", env=LIMITS["zip_ratio"].env),
                             file=path, expected=msg("zip_bomb_expected"))


def _read_xlsx(path: Path, sheet: str | None, deadline: Deadline) -> tuple[Grid, str]:
    """The grid of a workbook's sheet: by :func:`_read_plain_xlsx` when the sheet is plain, else
    by openpyxl's read-only parser (:func:`_sheet_rows`)."""

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            members = {part.filename for part in parts}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise StudyError(
            msg("xlsx_damaged"), file=path, expected=msg("xlsx_damaged_expected"),
        ) from None
    if "xl/workbook.xml" not in members:
        raise StudyError(
            msg("file_is_opendocument" if "content.xml" in members else "file_is_zip"),
            file=path, expected=msg("file_not_workbook_expected"),
        )
    _check_archive(path, parts)
    return (_read_plain_xlsx(path, sheet, deadline)
            or _read_xlsx_with_openpyxl(path, sheet, deadline))


def _read_xlsx_with_openpyxl(path: Path, sheet: str | None,
                             deadline: Deadline) -> tuple[Grid, str]:
    import openpyxl

    with _as_damaged(path):
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            name = _pick_sheet(path, workbook.sheetnames, sheet)
            worksheet = workbook[name]
            if not hasattr(worksheet, "iter_rows"):
                raise StudyError(msg("sheet_is_chart", sheet=name), file=path)
            unsaved = _Unsaved()
            rows = _sheet_rows(workbook, worksheet, _Shape(path, deadline), unsaved)
            grid = _grid_from_rows(map(_row_text, rows))
        finally:
            workbook.close()
    if unsaved.count:
        grid.attrs["notes"] = [msg("xlsx_formula_without_value", count=unsaved.count,
                                   cells=", ".join(unsaved.cells))]
    return grid, name


def _sheet_rows(workbook, worksheet, shape: _Shape, unsaved: "_Unsaved") -> Iterator[list]:
    """The values of a read-only openpyxl sheet, row by row, as ``iter_rows(values_only=True)``
    gives them after ``reset_dimensions()`` (the used range some writers record is wrong), but
    with the table's shape checked *before* rows are made: a sheet whose second row is row
    1,048,576 is refused at once rather than after a million empty rows. Uses openpyxl's sheet
    parser (``openpyxl.worksheet._reader``, openpyxl 3.1) as its read-only sheets do.
    """
    with workbook._archive.open(worksheet._worksheet_path) as source:
        parser = _sheet_parser()(source, worksheet._shared_strings, unsaved, data_only=True,
                                 epoch=workbook.epoch, date_formats=workbook._date_formats,
                                 timedelta_formats=workbook._timedelta_formats)
        expected = 1
        for number, cells in parser.parse():
            if number < expected:  # a row given twice or out of order: openpyxl skips it
                continue
            width = max((cell["column"] for cell in cells), default=0)
            shape.check(number, width)
            for _ in range(expected, number):
                yield []
            values = [None] * width
            for cell in cells:
                values[cell["column"] - 1] = cell["value"]
            yield values
            expected = number + 1


#: what calamine reads otherwise than openpyxl (or what only openpyxl's parser reports): a formula
#: (openpyxl's parser counts those without a saved value), an error cell (calamine gives it
#: empty), an ISO date cell, a whole number beyond float precision (openpyxl keeps it exact), an
#: escaped character such as ``_x000D_`` (openpyxl keeps it as written), a phonetic run, a cell's
#: tag with a namespace prefix (separate patterns, each starting with a literal: searched fast)
_NOT_PLAIN = tuple(re.compile(pattern) for pattern in (
    rb"<f[\s>/]", rb't="[ed]"', rb"<v>-?\d{16}", rb"_x[0-9A-Fa-f]{4}_", rb"<rPh[\s>]",
    rb"<\w+:(?:c|row|v|f|is|t|r|si)[\s>/]"))
#: a styled cell: its attributes and its value
_STYLED_CELL = re.compile(rb'<c r="[A-Z]{1,3}\d+"([^>]*\ss="(\d+)"[^>]*)>(?:<v>([^<]*)</v>)?')
#: a number that is no date: negative, from 1,000,000 days on, or written with an exponent
_NO_DATE = re.compile(rb"-|\d{7}|[^<]*[Ee]\+")
_TEXT_TYPE = re.compile(rb'\st="(?!n")')  # a cell of text, a boolean...: its value is no number
#: number formats openpyxl knows not to be dates (General, numbers, percentages, fractions, text)
_NUMBER_FORMATS = {*range(0, 14), *range(37, 45), 48, 49}
_DATE_FORMATS = {*range(14, 23), *range(45, 48)}
_ROW_OR_CELL = re.compile(rb'<row r="(\d+)"|<c r="([A-Z]{1,3})(\d+)"')
_ANY_ROW, _ANY_CELL = re.compile(rb"<row[\s>/]"), re.compile(rb"<c[\s>/]")
_MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _read_plain_xlsx(path: Path, sheet: str | None, deadline: Deadline) -> tuple[Grid, str] | None:
    """The grid of a plain sheet read by calamine (``python-calamine``, ~20x faster than
    openpyxl), the same cells as :func:`_sheet_rows` gives; None when the sheet is not plain
    (see :data:`_NOT_PLAIN`; also a row or cell without its reference, rows out of order, a
    chart sheet, anything calamine cannot read): openpyxl then reads it.

    The sheet's XML is scanned first (regular expressions, no parser): its rows and their widths
    (the last cell of each row, empty styled cells too, as openpyxl counts them) go through the
    same :class:`_Shape` checks before calamine holds a cell, so a sheet beyond the limits is
    refused with openpyxl's error at the same row. Calamine's values then take the cells' text
    as the openpyxl path does (:func:`_row_text`); ``tests/test_xlsx_readers.py`` compares both
    readers cell by cell.
    """
    try:
        import python_calamine
    except ImportError:
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            parts = _sheet_parts(archive)
            name = _pick_sheet(path, list(parts), sheet)
            xml = archive.read(parts[name])
            strings = b"".join(archive.read(part) for part in archive.namelist()
                               if part.lower().endswith("sharedstrings.xml"))
            formats = _number_formats(archive)
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        kind = next(m.typ for m in book.sheets_metadata if m.name == name)
        if (kind != python_calamine.SheetTypeEnum.WorkSheet or _MAIN_NS not in xml[:2048]
                or any(p.search(xml) or p.search(strings) for p in _NOT_PLAIN)):
            return None
        widths = _row_widths(xml)
        if widths is None or not _dates_agree(formats, xml):
            return None
    except Exception:  # damaged, unusual, no such sheet: openpyxl reads it or says what is wrong
        return None
    shape = _Shape(path, deadline)
    for number, width in widths.items():
        shape.check(number, width)
    try:
        values = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:
        return None
    rows = (values[number - 1][:widths[number]] if number in widths and number <= len(values)
            else [] for number in range(1, max(widths, default=0) + 1))
    rows = ((row + [None] * (widths.get(number, 0) - len(row)))
            for number, row in enumerate(rows, start=1))
    return _grid_from_rows(map(_row_text, rows)), name


def _number_formats(archive: zipfile.ZipFile) -> list[tuple[int, str]]:
    """(number format id, its code for a custom format) of each cell style (``cellXfs``)."""
    import xml.etree.ElementTree as ET

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    if "xl/styles.xml" not in archive.namelist():
        return []
    styles = ET.fromstring(archive.read("xl/styles.xml"))
    codes = {int(f.get("numFmtId")): f.get("formatCode", "")
             for f in styles.iter(main + "numFmt")}
    xfs = styles.find(main + "cellXfs")
    return [(int(xf.get("numFmtId", 0)), codes.get(int(xf.get("numFmtId", 0)), ""))
            for xf in ([] if xfs is None else xfs.findall(main + "xf"))]


def _dates_agree(formats: list[tuple[int, str]], xml: bytes) -> bool:
    """Whether calamine and openpyxl take every styled number cell alike: no cell styled with a
    built-in format openpyxl does not know (ids 23-36, 50-163: East Asian dates that calamine may
    read as dates), and no number outside Excel's dates (:data:`_NO_DATE`) in a cell whose
    format may be a date (openpyxl gives such a cell a far date or ``#VALUE!``, calamine the
    number)."""
    for attributes, style, value in _STYLED_CELL.findall(xml):
        index = int(style)
        if index >= len(formats):
            return False
        number_format, code = formats[index]
        if number_format in _NUMBER_FORMATS:
            continue
        if number_format < 164 and number_format not in _DATE_FORMATS:
            return False
        if (value and _NO_DATE.match(value) and not _TEXT_TYPE.search(attributes)
                and (number_format in _DATE_FORMATS or re.search(r"[dmyhsDMYHS]", code))):
            return False
    return True


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the archive, in the workbook's order (xl/workbook.xml and its
    relationships)."""
    import posixpath
    import xml.etree.ElementTree as ET

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    book = ET.fromstring(archive.read("xl/workbook.xml"))
    targets = {r.get("Id"): r.get("Target") for r in
               ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))}
    parts = {}
    for element in book.iter(main + "sheet"):
        target = targets[element.get(rel)]
        parts[element.get("name")] = (target[1:] if target.startswith("/")
                                      else posixpath.normpath("xl/" + target))
    return parts


def _row_widths(xml: bytes) -> dict[int, int] | None:
    """Row number -> its width (the column of its last cell) for every row of a sheet's XML, in
    order; None unless every row and cell has its reference, the rows increase and each cell lies
    in its row, the columns increasing."""
    widths: dict[int, int] = {}
    row, column, cells = 0, 0, 0
    for number, letters, cell_row in _ROW_OR_CELL.findall(xml):
        if number:
            if int(number) <= row:
                return None
            row, column = int(number), 0
            widths[row] = 0
            continue
        cells += 1
        index = 0
        for letter in letters:
            index = index * 26 + letter - 64
        if int(cell_row) != row or index <= column:
            return None
        widths[row] = column = index
    if len(widths) != len(_ANY_ROW.findall(xml)) or cells != len(_ANY_CELL.findall(xml)):
        return None
    return widths


@dataclass
class _Unsaved:
    """Cells holding a formula but no saved value: how many, and the first five."""

    count: int = 0
    cells: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _sheet_parser():
    """openpyxl's sheet parser, extended (built on first use: openpyxl is imported lazily)."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class SheetParser(WorkSheetParser):
        """Also counts cells holding a formula but no saved value (written by a program that
        does not calculate, or saved with calculation off): with ``data_only`` they read as
        empty, and the data-quality notes say so."""

        def __init__(self, source, shared_strings, unsaved, **options):
            super().__init__(source, shared_strings, **options)
            self.unsaved = unsaved

        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                self.unsaved.count += 1
                if len(self.unsaved.cells) < 5:
                    self.unsaved.cells.append(f"{column_letter(cell['column'] - 1)}{cell['row']}")
            return cell

    return SheetParser


@contextmanager
def _as_damaged(path: Path):
    """Turn whatever a workbook library raises on a damaged file into one StudyError."""
    try:
        yield
    except StudyError:
        raise
    except Exception as exc:  # openpyxl, xlrd, zipfile, zlib, struct... each raise their own
        raise StudyError(
            msg("workbook_damaged", reason=f"{type(exc).__name__}: {exc}"),
            file=path, expected=msg("workbook_damaged_expected"),
        ) from None


def _read_xls(path: Path, sheet: str | None, deadline: Deadline) -> tuple[Grid, str]:
    import xlrd

    with _as_damaged(path):
        book = xlrd.open_workbook(path, on_demand=True)
        try:
            name = _pick_sheet(path, book.sheet_names(), sheet)
            worksheet = book.sheet_by_name(name)
            shape = _Shape(path, deadline)
            shape.check(worksheet.nrows, worksheet.ncols)
            grid = _grid_from_rows(
                [_xls_cell(cell, book.datemode, xlrd) for cell in worksheet.row(r)]
                for r in range(worksheet.nrows)
            )
        finally:
            book.release_resources()
    return grid, name


def _xls_cell(cell, datemode: int, xlrd) -> str | None:
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_DATE:
        try:
            return cell_text(xlrd.xldate_as_datetime(cell.value, datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell_text(cell.value)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(cell.value))
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERROR")
    return cell_text(cell.value)


# --- SPSS -------------------------------------------------------------------------------------


def _read_sav(path: Path) -> ImportedTable:
    """An SPSS file: value labels become the answers, the codes go to ``value_labels``.

    A code without a label stays a number. Variable labels become ``questions``. User-defined
    missing values are missing. ``file_rows`` are the case numbers SPSS shows (1, 2, ...).
    """
    import pyreadstat

    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
        rows, columns = meta.number_rows or 0, meta.number_columns or 0
        if columns > limit("columns"):
            raise _too_big(path, "columns", columns, limit("columns"))
        if rows > limit("rows"):
            raise _too_big(path, "rows", rows, limit("rows"))
        if rows * columns > limit("cells"):
            raise _too_big(path, "cells", rows * columns, limit("cells"))
        frame, meta = pyreadstat.read_sav(str(path))
    except StudyError:
        raise
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise StudyError(
            msg("sav_damaged", reason=exc), file=path, expected=msg("sav_damaged_expected"),
        ) from None
    value_labels: dict[str, dict] = {}
    columns = {}
    for name in frame.columns:
        column = frame[name]
        labels = meta.variable_value_labels.get(name)
        if labels:
            value_labels[name] = {_plain_number(code): label for code, label in labels.items()}
            named = column.map(labels)
            column = named.astype(object).where(named.notna(), column.astype(object))
        columns[name] = _spss_cells(column)
    table = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))
    questions = {
        name: label.strip()
        for name, label in meta.column_names_to_labels.items()
        if label and label.strip()
    }
    notes = [msg("note_read_sav_labels" if value_labels else "note_read_sav")]
    return ImportedTable(
        frame=table, path=path, format="sav", file_rows=np.arange(1, len(frame) + 1),
        questions=questions, value_labels=value_labels, notes=notes,
    )


def _plain_number(value):
    """1.0 -> 1 so that float codes from SPSS and their labels' keys match."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _spss_cells(column: pd.Series) -> pd.Series:
    """Dates to ISO text, empty strings to missing; numbers stay numbers."""
    if pd.api.types.is_datetime64_any_dtype(column):
        text = column.dt.strftime("%Y-%m-%d %H:%M:%S").str.removesuffix(" 00:00:00")
        return text.astype(object).where(column.notna(), None)
    if pd.api.types.is_numeric_dtype(column):
        return column
    return column.astype(object).map(_spss_value)


def _spss_value(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (str, dt.date, dt.time)):
        return cell_text(value)
    return _plain_number(value)


# --- delimited text ---------------------------------------------------------------------------


def _read_text(path: Path, head: bytes, digits: bool = False) -> Grid:
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and b"\x00" in head[:4096]:  # before reading a big binary file to its end
        raise _binary(path)
    encoding = _encoding(path, head)
    sample = _decode_sample(head, encoding)
    if _looks_binary(sample):
        raise _binary(path)
    if re.match(r"\s*<(!doctype html|html|table)", sample[:1024], re.IGNORECASE):
        raise StudyError(msg("file_is_html"), file=path, expected=msg("file_is_html_expected"))
    complete = len(head) < _SAMPLE_BYTES
    delimiter, width = _sniff_delimiter(sample, complete)
    if width > limit("columns"):
        with path.open("rb") as handle:  # the count in the sample is cut by its end
            first = _decode_sample(handle.readline(), encoding)
        width = max(width, len(_sample_records(first, delimiter)[0][0]))
        raise _too_big(path, "columns", width, limit("columns"), row=1)
    grid = None
    if digits and encoding in ("utf-8", "utf-8-sig") and path.stat().st_size >= DIGIT_READ_BYTES:
        grid = _read_digits_with_arrow(path, head, sample, complete, delimiter, width, encoding)
    if grid is None:
        grid = _read_text_with_arrow(path, delimiter, width, encoding)
    if grid is None:
        grid = _read_text_with_pandas(path, delimiter, width, encoding)
    if len(grid) > limit("rows"):
        raise _too_big(path, "rows", len(grid), limit("rows"))
    grid.attrs.update(container="csv", encoding=encoding, delimiter=delimiter)
    return grid


def _read_text_with_pandas(path: Path, delimiter: str, width: int, encoding: str) -> Grid:
    """The grid read by pandas' C parser (ragged rows, open quotes, UTF-16), its errors as
    StudyError naming the row."""
    try:
        return pd.read_csv(
            path, sep=delimiter, header=None, names=range(width), dtype=str, encoding=encoding,
            keep_default_na=False, na_values=[""], skip_blank_lines=False, engine="c",
            index_col=False,
            quotechar='"', doublequote=True,
        )
    except pd.errors.ParserError as exc:
        raise _parser_error(path, exc, width) from None
    except UnicodeDecodeError as exc:
        raise StudyError(
            msg("text_undecodable", encoding=encoding, reason=exc.reason), file=path,
            expected=msg("text_undecodable_expected"),
        ) from None


def _read_text_with_arrow(path: Path, delimiter: str, width: int, encoding: str) -> Grid | None:
    """The grid read by pyarrow's multithreaded CSV reader (several times faster than pandas' C
    parser on a large file), with the same cells: text, blank lines kept as empty rows, empty cells
    missing. None for UTF-16 text, a quote left open (an odd number of ``"``) or rows that do not
    all have ``width`` cells: pandas' C parser then reads the file and names the offending row."""
    import pyarrow as pa
    from pyarrow import csv

    if encoding == "utf-16" or _quotes(path) % 2:
        return None

    names = [str(i) for i in range(width)]
    try:
        table = csv.read_csv(path, read_options=csv.ReadOptions(
            column_names=names, encoding=_arrow_encoding(encoding)), **_arrow_options(
            delimiter, dict.fromkeys(names, pa.large_string()), newlines_in_values=True))
    except (pa.ArrowInvalid, UnicodeDecodeError, LookupError):
        return None
    # large_string is what pandas' str dtype holds: no copy (string would be cast, ~1 s a million
    # rows x 60 columns)
    grid = table.to_pandas(types_mapper={pa.large_string(): pd.StringDtype(na_value=np.nan)}.get)
    grid.columns = range(width)
    return grid


def _arrow_encoding(encoding: str) -> str:
    """The name pyarrow's reader gives the encoding (its own UTF-8 decoder for ``utf-8``, else
    Python's codec of that name)."""
    return "utf8" if encoding == "utf-8" else encoding


def _arrow_options(delimiter: str, types: dict, newlines_in_values: bool) -> dict:
    """The parse and convert options of pyarrow's reads of a grid: cells quoted with ``"``
    (doubled inside), blank lines kept as rows, an empty cell (quoted or not) missing, each
    column of the type ``types`` gives it; ``newlines_in_values``: a quoted cell may span
    lines."""
    from pyarrow import csv

    return {"parse_options": csv.ParseOptions(
                delimiter=delimiter, quote_char='"', double_quote=True,
                newlines_in_values=newlines_in_values, ignore_empty_lines=False),
            "convert_options": csv.ConvertOptions(
                column_types=types, strings_can_be_null=True, null_values=[""],
                quoted_strings_can_be_null=True)}


#: the least size of a text file whose one-digit columns are read as int8 (when asked for):
#: below it the text read takes a few hundredths of a second
DIGIT_READ_BYTES = 8 * MB
#: the most header rows above the one-digit answers (问卷星 1, SurveyMonkey 2, Qualtrics 3)
_DIGIT_HEADER_ROWS = 8
#: the bytes pyarrow parses at a time in a read as digits
_DIGIT_BLOCK_BYTES = 8 * MB
#: the categories of a column read as digits: code i is the text of digit i
_DIGITS = tuple("0123456789")


def _read_digits_with_arrow(path: Path, head: bytes, sample: str, complete: bool, delimiter: str,
                            width: int, encoding: str) -> Grid | None:
    """The grid :func:`_read_text_with_arrow` reads, with every column whose answers are one
    ASCII digit (``4``: Likert items) as a pandas Categorical of those texts: one int8 code a
    cell (code i = the text of digit i, -1 = missing; header texts are further categories), read
    by pyarrow as int8, with no string made per cell (a million rows x 60 columns: ~0.5 GB of
    strings and offsets not made, and no coding of their texts later).

    The columns and the header rows come from the sample: a column is read as digits when
    every cell of the sample is empty or one digit below its first :data:`_DIGIT_HEADER_ROWS`
    rows; the header rows (those above the last other cell of such a column) are read as text
    (the same reader on their bytes). The rest is read with those columns as int8 and is kept
    only when every data line has exactly the bytes of its cells with each answer of a digit
    column one byte (:func:`_lines_match`): no quote, no ``+4``, ``04``, `` 4`` or ``10``, no
    line break inside a cell. Otherwise None (the text read then reads the file)."""
    import pyarrow as pa
    from pyarrow import csv

    records, cut = _sample_records(sample, delimiter)
    if cut or not complete:
        records = records[:-1]  # the last record may be cut by the sample's end
    digit_columns, header_rows = _digit_columns(records, width)
    header_end = _line_end(head, header_rows)
    if not digit_columns or header_end is None or b'"' in head[header_end:] or any(
            line.count(b'"') % 2 for line in head[:header_end].split(b"\n")):
        return None  # quotes below the header, or a header cell across lines
    names = [str(i) for i in range(width)]
    read_options = {"column_names": names, "encoding": _arrow_encoding(encoding),
                    "block_size": _DIGIT_BLOCK_BYTES}  # few chunks: few steps per column
    types = {n: pa.int8() if i in digit_columns else pa.large_string()
             for i, n in enumerate(names)}
    try:
        header = csv.read_csv(io.BytesIO(head[:header_end]),
                              read_options=csv.ReadOptions(**read_options), **_arrow_options(
                                  delimiter, dict.fromkeys(names, pa.large_string()),
                                  newlines_in_values=False))
        if header.num_rows != header_rows:
            return None
        table = csv.read_csv(path, read_options=csv.ReadOptions(skip_rows=header_rows,
                                                                **read_options),
                             **_arrow_options(delimiter, types, newlines_in_values=False))
    except (pa.ArrowInvalid, UnicodeDecodeError, LookupError):
        return None
    # the columns made on two threads (NumPy and Arrow on whole arrays release the interpreter's
    # lock), each with the bytes its half of the columns takes in every line, while a third
    # finds the line breaks: the read's last step was on one processor (~0.4 s at a million)
    with ThreadPoolExecutor(max_workers=3) as pool:
        breaks = pool.submit(_line_breaks, path, header_end)
        halves = list(pool.map(lambda part: _grid_columns(header, table, part, digit_columns),
                               (range(0, width, 2), range(1, width, 2))))
    if not _lines_match(path, header_end, width - 1 + halves[0][1] + halves[1][1],
                        breaks.result()):
        return None
    columns = {**halves[0][0], **halves[1][0]}
    return pd.DataFrame({i: columns[i] for i in range(width)}, copy=False)


def _grid_columns(header, table, positions: range,
                  digit_columns: set[int]) -> tuple[dict[int, pd.Series], np.ndarray]:
    """The grid's columns at ``positions`` (the ``header`` rows' texts above ``table``'s rows:
    a digit column as :func:`_digit_categories`, another as text), and the bytes they take in
    each line of ``table``'s rows: a text's bytes, one for each answer of a digit column."""
    import pyarrow as pa

    columns, lengths = {}, np.zeros(table.num_rows, dtype=np.int64)
    for i in positions:
        name = str(i)
        if i in digit_columns:
            columns[i] = _digit_categories(header.column(name), table.column(name))
            lengths += columns[i].array.codes[header.num_rows:] >= 0
            continue
        at = 0
        for chunk in table.column(name).chunks:
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)
            lengths[at:at + len(chunk)] += np.diff(offsets[chunk.offset:][:len(chunk) + 1])
            at += len(chunk)
        texts = pa.chunked_array(header.column(name).chunks + table.column(name).chunks,
                                 type=pa.large_string())
        columns[i] = pd.Series(pd.arrays.ArrowStringArray(texts, dtype=pd.StringDtype(
            na_value=np.nan)), copy=False)
    return columns, lengths


def _digit_columns(records: list[list[str]], width: int) -> tuple[set[int], int]:
    """The columns of the sample's ``records`` whose cells are all empty or one ASCII digit
    below the first :data:`_DIGIT_HEADER_ROWS` rows (and with some digit), and the number of
    header rows: those down to the last other cell of such a column."""
    last_other = [-1] * width
    answered = [-1] * width
    for row, record in enumerate(records):
        for column, cell in enumerate(record[:width]):
            if cell in _DIGITS:
                answered[column] = row
            elif cell:
                last_other[column] = row
    digit = {c for c in range(width)
             if last_other[c] < _DIGIT_HEADER_ROWS and answered[c] > last_other[c]}
    return digit, max((last_other[c] + 1 for c in digit), default=0)


def _line_end(head: bytes, lines: int) -> int | None:
    """The byte offset after the first ``lines`` line breaks of ``head`` (None when it has
    fewer)."""
    end = 0
    for _ in range(lines):
        end = head.find(b"\n", end) + 1
        if not end:
            return None
    return end


def _lines_match(path: Path, start: int, lengths: np.ndarray, ends: np.ndarray) -> bool:
    """Whether the lines of the file from byte ``start``, which end at the line feeds ``ends``
    (:func:`_line_breaks`), have the ``lengths`` of the rows read from them (not counting a
    carriage return before a line feed).

    ``lengths`` counts a row's delimiters, the bytes of its text cells and one byte for each
    answer of an int8 column. Each text cell takes at least its text's bytes (a quoted one two
    more), each answer of an int8 column at least one byte and a missing cell at least none, so
    a line of exactly that many bytes has every int8 answer written as one byte (a digit: the
    only one-byte integers), no quote, and its cells in their own line (a line break in a cell
    makes more rows or longer lines)."""
    size = path.stat().st_size
    if size > (ends[-1] + 1 if len(ends) else start):  # a last line without its line break
        ends = np.append(ends, size)
    if len(ends) != len(lengths):
        return False
    data = np.memmap(path, dtype=np.uint8, mode="r")
    found = ends - np.concatenate(([start], ends[:-1] + 1))
    found -= (data[np.maximum(ends - 1, 0)] == ord("\r")) & (found > 0)
    return bool(np.array_equal(found, lengths))


def _line_breaks(path: Path, start: int) -> np.ndarray:
    """The byte offsets of the line feeds of the file from byte ``start`` (read in pieces)."""
    data = np.memmap(path, dtype=np.uint8, mode="r")
    found = [np.flatnonzero(data[at:at + _CHUNK_BYTES] == ord("\n")) + at
             for at in range(start, len(data), _CHUNK_BYTES)]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _digit_categories(header, answers) -> pd.Series:
    """A column read as digits (``answers``, pyarrow int8) below its ``header`` texts, as a
    Categorical of texts: code i is digit i (:data:`_DIGITS`), a header text not a digit a
    further category, -1 missing."""
    import pyarrow.compute as pc

    texts = [None if text is None else str(text) for text in header.to_pylist()]
    others = list(dict.fromkeys(t for t in texts if t is not None and t not in _DIGITS))
    category = {text: code for code, text in enumerate([*_DIGITS, *others])}
    codes = np.empty(len(texts) + len(answers), dtype=np.int8 if len(category) < 128
                     else np.int16)
    codes[:len(texts)] = [-1 if t is None else category[t] for t in texts]
    at = len(texts)
    for chunk in answers.chunks:
        codes[at:at + len(chunk)] = pc.fill_null(chunk, -1).to_numpy()
        at += len(chunk)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(
        list(category), dtype=pd.StringDtype(na_value=np.nan))), copy=False)


def _quotes(path: Path) -> int:
    """The number of ``"`` bytes in the file (read in pieces)."""
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            count += chunk.count(b'"')
    return count


def _binary(path: Path) -> StudyError:
    return StudyError(msg("file_binary"), file=path, expected=msg("file_binary_expected"))


def _encoding(path: Path, head: bytes) -> str:
    """UTF-16 (BOM), else strict UTF-8 over the whole file (BOM skipped), else GB18030 or
    Windows-1252 (:func:`_chinese_or_western`).

    A file whose first invalid UTF-8 byte follows plenty of valid non-ASCII UTF-8 text is a damaged
    UTF-8 file, not GB18030 (GBK text is almost never valid UTF-8 for long): that is an error
    naming the line, rather than every Chinese character silently turned into nonsense.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    invalid = _first_invalid_utf8(path)
    if invalid is None:
        return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    before = head[:invalid].decode("utf-8", errors="ignore")
    if sum(char > "\x7f" for char in before) >= _UTF8_EVIDENCE:
        with path.open("rb") as handle:
            line = handle.read(invalid).count(b"\n") + 1
        raise StudyError(msg("text_mixed_encoding", line=line), file=path,
                         expected=msg("text_mixed_encoding_expected"))
    return _chinese_or_western(head)


def _chinese_or_western(head: bytes) -> str:
    """GB18030 when the non-ASCII bytes of the first 256 KiB read as Chinese, else Windows-1252
    (Latin-1 where Windows-1252 leaves a byte undefined).

    GBK/GB18030 text is made of byte pairs, and nearly every character of Chinese text lies in
    GB2312, where both bytes are 0xA1-0xFE. A Western file saved as Windows-1252 or Latin-1 (Excel's
    "CSV" on a French, German or Spanish Windows) has single accented bytes, mostly followed by an
    ASCII letter: read as GB18030 those pairs are rare extension characters (or no character at
    all), and every "é" would silently become a Chinese character. With no non-ASCII byte in the
    sample there is nothing to judge by, and GB18030 (our users' legacy encoding) is kept.
    """
    if not re.search(rb"[\x80-\xff]", head):
        return "gb18030"
    pairs = _GBK_PAIR.findall(head)
    in_gb2312 = sum(1 for lead, trail in pairs if lead >= 0xA1 and trail >= 0xA1)
    if pairs and 2 * in_gb2312 >= len(pairs) and _decodes(head, "gb18030"):
        return "gb18030"
    return "cp1252" if _decodes(head, "cp1252") else "latin-1"


def _decodes(head: bytes, encoding: str) -> bool:
    """Whether the sample is valid text in the encoding (a character cut at its end is allowed)."""
    try:
        codecs.getincrementaldecoder(encoding)("strict").decode(head, final=len(head) < _SAMPLE_BYTES)
    except UnicodeDecodeError:
        return False
    return True


def _first_invalid_utf8(path: Path) -> int | None:
    """Byte offset of the first invalid UTF-8 sequence in the file, or None.

    A piece of ASCII bytes that starts after a complete character is valid UTF-8 and leaves
    nothing pending: it is not decoded (a 4 MiB text made and dropped per piece)."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_CHUNK_BYTES)
            pending = len(decoder.getstate()[0])
            if pending or not chunk.isascii():
                try:
                    decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError as exc:
                    return offset - pending + exc.start
            if not chunk:
                return None
            offset += len(chunk)


def _decode_sample(head: bytes, encoding: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    text = decoder.decode(head, final=len(head) < _SAMPLE_BYTES)
    return text.removeprefix("\ufeff")


def _looks_binary(sample: str) -> bool:
    """More than 1% control characters (other than tab and line breaks) in the first 4096."""
    start = sample[:4096]
    control = sum(1 for char in start if char < "\t" or "\r" < char < " ")
    return control > len(start) * 0.01


def _sniff_delimiter(sample: str, complete: bool) -> tuple[str, int]:
    """The delimiter among , ; tab that splits the sample's rows most consistently.

    Each candidate parses the sample with quoting (so quoted delimiters and newlines do not
    count); the winner has the most rows with the modal number of fields (>1), ties broken by
    more fields and then by the order , ; tab. Returns the delimiter and the widest row.
    """
    best = (",", 1)
    best_score = (-1.0, 0)
    for delimiter in DELIMITERS:
        records, cut = _sample_records(sample, delimiter)
        if (cut or not complete) and len(records) > 1:
            records = records[:-1]  # the last record may be cut by the sample's end
        widths = [len(record) for record in records if any(field.strip() for field in record)]
        if not widths:
            continue
        modal, count = Counter(widths).most_common(1)[0]
        if modal < 2:
            continue
        score = (count / len(widths), modal)
        if score > best_score:
            best, best_score = (delimiter, max(widths)), score
    if best_score[0] < 0:
        widths = [len(record) for record in _sample_records(sample, ",")[0]]
        best = (",", max(widths, default=1))
    return best


def _sample_records(sample: str, delimiter: str) -> tuple[list[list[str]], bool]:
    """The records of the sample split by ``delimiter``, up to the first that the csv module
    cannot read (a field longer than its 128 KiB limit, which pandas reads well), and whether the
    sample was cut there."""
    records = []
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            records.append(record)
    except csv.Error:
        return records, True
    return records, False


def _parser_error(path: Path, exc: Exception, width: int) -> StudyError:
    text = str(exc)
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if found:
        expected, line, seen = map(int, found.groups())
        return StudyError(
            msg("csv_row_too_wide", seen=seen, expected=expected), file=path,
            row=line, expected=msg("csv_row_too_wide_expected", expected=expected),
        )
    found = re.search(r"EOF inside string starting at row (\d+)", text)
    if found:
        return StudyError(
            msg("csv_quote_not_closed"), file=path, row=int(found.group(1)) + 1,
            expected=msg("csv_quote_not_closed_expected"),
        )
    return StudyError(msg("csv_unreadable", reason=text), file=path)
