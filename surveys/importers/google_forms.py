"""Google Forms responses (CSV download or the linked Google Sheet saved as xlsx).

One header row: ``Timestamp`` (``时间戳记`` in Chinese, ...) then each question's text; grid
(matrix) questions are one column per row, named ``Question [Row]`` by Google itself; checkbox
answers are the ticked options joined with ``, `` in one cell. Answers start in file row 2.

Naming: the header texts as Google writes them. A checkbox question keeps its joined column and
gains one 0/1 column per option, named ``Question [Option]``, listed in ``multi_select`` under the
question's column name: 1 = ticked, 0 = not ticked, missing = the question was left empty.

A column counts as a checkbox question when some answers contain ``, `` and, split at ``, ``, at
least 90% of the pieces are options given by two or more respondents (at most 40 options).
Pieces given once (an "Other:" text) stay only in the joined column. An option whose own text
contains ``, `` cannot be told apart from two options: such questions are left joined (note).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from surveys.i18n import msg
from surveys.importers.base import Grid, ImportedTable
from surveys.importers.metadata import find_meta
from surveys.importers.plain import header_cells, table_from_grid

__all__ = ["detect", "parse", "checkbox_options"]

TIMESTAMP_NAMES = (
    "Timestamp", "时间戳记", "時間戳記", "时间戳", "Marca temporal", "Horodateur",
    "Zeitstempel", "Carimbo de data/hora", "Informazioni cronologiche", "タイムスタンプ",
)
META_ROLES = {
    "submitted": TIMESTAMP_NAMES,
    "email": ("Email Address", "Email address", "电子邮件地址", "電子郵件地址"),
    "score": ("Score", "分数", "得分"),
}
SEPARATOR = ", "
MAX_OPTIONS = 40
MIN_SHARE_OF_OPTIONS = 0.9


def detect(grid: Grid) -> bool:
    """The first header cell is Google's timestamp column."""
    if grid.empty:
        return False
    first = header_cells(grid, 0)[0] or ""
    return first.casefold() in {name.casefold() for name in TIMESTAMP_NAMES}


def checkbox_options(answers: pd.Series) -> list[str] | None:
    """The options of a checkbox column (in order of first appearance), or None if it is not one."""
    text = answers.dropna().astype("str")
    if not text.str.contains(SEPARATOR, regex=False).any():
        return None
    pieces = text.str.split(SEPARATOR).explode().str.strip()
    counts = pieces.value_counts()
    options = counts[counts >= 2]
    if not 2 <= len(options) <= MAX_OPTIONS:
        return None
    if options.sum() < MIN_SHARE_OF_OPTIONS * counts.sum():
        return None
    return [piece for piece in pd.unique(pieces) if piece in options.index]


def parse(grid: Grid, path: Path) -> ImportedTable:
    """Header texts as column names; checkbox questions gain 0/1 option columns."""
    table = table_from_grid(
        grid, path, header_cells(grid, 0), first_data_row=1, format="google_forms",
    )
    table.meta_columns = find_meta(table.frame.columns, META_ROLES)
    meta = set(table.meta_columns.values())
    pieces = []
    for name in table.frame.columns:
        answers = table.frame[name]
        pieces.append(answers)
        options = None if name in meta else checkbox_options(answers)
        if options is None:
            continue
        option_columns = [f"{name} [{option}]" for option in options]
        clash = [c for c in option_columns if c in table.frame.columns]
        if clash:
            table.notes.append(msg("note_checkbox_not_split", name=name, clash=clash[0]))
            continue
        pieces.extend(_ticked(answers, options, option_columns))
        table.multi_select[name] = option_columns
    table.frame = pd.concat(pieces, axis=1)
    table.notes.append(msg("note_google_forms", n=len(table.multi_select)))
    return table


def _ticked(answers: pd.Series, options: list[str], names: list[str]) -> list[pd.Series]:
    pieces = answers.dropna().astype("str").str.split(SEPARATOR).explode().str.strip()
    answered = answers.notna()
    columns = []
    for option, name in zip(options, names):
        ticked = (pieces == option).groupby(level=0).any().reindex(answers.index)
        columns.append(ticked.astype(float).where(answered).rename(name))
    return columns
