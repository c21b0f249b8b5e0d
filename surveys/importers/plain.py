"""Plain tables (one header row) and the helpers every platform parser shares.

A plain table is the fallback when no survey platform recognises a file: row 1 holds the column
names, every later row is a respondent. The helpers turn header cells into the unique, stripped
column names a study file refers to, and cut the data rows out of a grid keeping their file rows.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from surveys.errors import Location, StudyError
from surveys.i18n import Text, msg
from surveys.importers.base import Grid, ImportedTable

__all__ = ["parse", "table_from_grid", "header_cells", "column_letter", "require_rows"]


def column_letter(position: int) -> str:
    """Spreadsheet letter of a 0-based column position: 0 -> ``A``, 26 -> ``AA``."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def header_cells(grid: Grid, row: int) -> list[str | None]:
    """The cells of grid row ``row`` (0-based) stripped of surrounding white space; empty -> None."""
    cells = []
    for value in grid.iloc[row].tolist():
        text = None if pd.isna(value) else str(value).strip()
        cells.append(text or None)
    return cells


def require_rows(grid: Grid, path: Path, count: int, what: Text) -> None:
    """Raise a StudyError unless ``grid`` has at least ``count`` rows (the header rows);
    ``what`` names the export, e.g. ``msg("export_qualtrics")``."""
    if len(grid) < count:
        raise StudyError(
            msg("too_few_rows", n=len(grid), what=what),
            file=path, expected=msg("too_few_rows_expected", count=count),
        )


def table_from_grid(
    grid: Grid,
    path: Path,
    names: Sequence[str | None],
    *,
    first_data_row: int,
    format: str,
    header_row: int = 1,
) -> ImportedTable:
    """Name the grid's columns and cut out its data rows.

    Parameters
    ----------
    grid : the file's cells (see :mod:`surveys.importers`).
    path : the file, for messages.
    names : one column name per grid column (``None`` or blank for a column without a name).
    first_data_row : 0-based grid row of the first respondent.
    format : the ``ImportedTable.format`` to set.
    header_row : 1-based file row named in messages about the names.

    Returns
    -------
    ImportedTable
        ``frame`` with the stripped names as columns and a fresh 0-based index, ``file_rows`` the
        1-based file row of each frame row.

    Notes
    -----
    A column without a name and without any answer (trailing delimiters, formatted but empty
    spreadsheet columns) is dropped with a note. Rows in which every cell is empty (blank lines)
    are not respondents: they are skipped with a note naming them. A column without a name but
    with answers, two columns with the same name, or no data row at all raise a StudyError.
    """
    names = [None if name is None or pd.isna(name) else str(name).strip() or None for name in names]
    if len(names) != grid.shape[1]:
        raise ValueError(f"{len(names)} names for {grid.shape[1]} grid columns")
    data = grid.iloc[first_data_row:]
    has_data = np.array([_answered_cells(data[c]) > 0 for c in data.columns], dtype=bool)
    unnamed = [i for i, name in enumerate(names) if name is None]
    nameless_with_data = [i for i in unnamed if has_data[i]]
    if nameless_with_data:
        letters = [column_letter(i) for i in nameless_with_data]
        first_answer = data.index[data[nameless_with_data[0]].notna().to_numpy()][0] + 1
        raise StudyError(
            msg("columns_without_name", columns=", ".join(letters), first=letters[0],
                row=first_answer),
            file=path, row=header_row, column=letters[0],
            expected=msg("columns_without_name_expected"),
            more=[Location(str(path), header_row, letter) for letter in letters[1:]],
        )
    keep = [i for i, name in enumerate(names) if name is not None]
    _check_unique([names[i] for i in keep], keep, path, header_row)
    notes = []
    if len(keep) < len(names):
        notes.append(msg("note_empty_columns", n=len(names) - len(keep)))

    frame = data.iloc[:, keep]
    frame.columns = [names[i] for i in keep]
    blank = _blank_rows(frame)
    if blank.any():
        skipped = (frame.index[blank] + 1).tolist()
        shown = ", ".join(map(str, skipped[:10])) + (" ..." if len(skipped) > 10 else "")
        notes.append(msg("note_empty_rows", n=len(skipped), rows=shown))
        frame = frame.loc[~blank]
    if frame.empty:
        raise StudyError(
            msg("file_no_answers"), file=path, row=first_data_row + 1,
            expected=msg("file_no_answers_expected"),
        )
    file_rows = frame.index.to_numpy(dtype=np.int64) + 1
    return ImportedTable(
        frame=_unused_categories_dropped(frame.reset_index(drop=True)), path=path,
        format=format, file_rows=file_rows, notes=notes,
    )


def _unused_categories_dropped(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the categories above the greatest code in use dropped from its
    categorical columns (columns read as digits: the header texts, categories after the
    digits, are not answers); one pass over the codes, which stay as they are: the frame is
    made anew around the same arrays (setting its columns one by one copied every column's
    codes, ~70 MB of fresh pages at a million rows)."""
    columns, changed = {}, False
    for column in frame.columns:
        answers = frame[column].array
        if isinstance(answers, pd.Categorical):
            used = int(answers.codes.max(initial=-1)) + 1
            if used < len(answers.categories):
                answers, changed = pd.Categorical.from_codes(
                    answers.codes, categories=answers.categories[:used], validate=False), True
        columns[column] = answers
    return pd.DataFrame(columns, index=frame.index, copy=False) if changed else frame


def _answered_cells(cells: pd.Series) -> int:
    """The number of cells of a grid column that are not missing (``cells.count()``). Arrow
    keeps the count of a column's missing cells (its nulls), so an Arrow-backed text column is
    not tested cell by cell (60 columns of a million rows: ~0.1 s)."""
    if isinstance(cells.dtype, pd.StringDtype) and cells.dtype.storage == "pyarrow":
        import pyarrow as pa

        return len(cells) - pa.array(cells.array).null_count
    return int(cells.count())


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Whether each row of ``frame`` has every cell missing (``frame.isna().all(axis=1)``).

    Column by column over the rows still blank so far: after a column or two only the rows
    with missing cells there are left to look at (a million-row grid is not tested cell by
    cell), and a column without a missing cell ends the search."""
    blank = np.ones(len(frame), dtype=bool)
    rows = np.arange(len(frame))
    for column in range(frame.shape[1]):
        if not len(rows):
            break
        cells = frame.iloc[:, column]
        missing = (cells if len(rows) == len(frame) else cells.iloc[rows]).isna().to_numpy()
        blank[rows[~missing]] = False
        rows = rows[missing]
    return blank


def _check_unique(names: list[str], positions: list[int], path: Path, header_row: int) -> None:
    seen: dict[str, list[int]] = {}
    for name, position in zip(names, positions):
        seen.setdefault(name, []).append(position)
    repeated = {name: where for name, where in seen.items() if len(where) > 1}
    if repeated:
        described = [msg("duplicate_column", name=name,
                         columns=", ".join(column_letter(i) for i in where))
                     for name, where in repeated.items()]
        first = next(iter(repeated))
        raise StudyError(
            msg("duplicate_columns", columns=described),
            file=path, row=header_row, column=first,
            expected=msg("duplicate_columns_expected"),
        )


def parse(grid: Grid, path: Path) -> ImportedTable:
    """A plain table: the first row names the columns, every later row is a respondent."""
    if grid.empty:
        raise StudyError(msg("file_empty"), file=path, expected=msg("file_empty_expected"))
    return table_from_grid(
        grid, path, header_cells(grid, 0), first_data_row=1,
        format=grid.attrs.get("container", "csv"),
    )
