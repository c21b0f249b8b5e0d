"""LimeSurvey response exports (CSV, "question code" headings).

One header row of codes: the response metadata (``id``, ``submitdate``, ``lastpage``,
``startlanguage``, ``seed``, ``startdate``, ``datestamp``, ``ipaddr``, ``refurl``, with timings
enabled ``interviewtime``), then the question codes; sub-questions are written ``Q2[SQ001]``
(array rows, multiple-choice options), ``Q3[other]`` for an "other" text. Answers start in file
row 2.

Naming: the codes exactly as LimeSurvey writes them. Answers stay as exported: with "answer
codes" chosen the cells are codes such as ``A1``..``A5`` and a plain CSV carries no labels, so
they are kept as they are (map them with the study file's ``labels:``).
Metadata roles: ``id``, ``submitted`` (submitdate), ``start`` (startdate), ``last_action``
(datestamp), ``ip`` (ipaddr), ``duration`` (interviewtime, seconds).
"""
from __future__ import annotations

from pathlib import Path

from surveys.importers.base import Grid, ImportedTable
from surveys.importers.metadata import find_meta, to_seconds
from surveys.importers.plain import header_cells, table_from_grid

__all__ = ["detect", "parse"]

#: Metadata codes only LimeSurvey writes together; two of them and a first column ``id`` suffice.
SIGNATURE = {"submitdate", "lastpage", "startlanguage", "seed"}
META_ROLES = {
    "id": ("id",),
    "submitted": ("submitdate",),
    "start": ("startdate",),
    "last_action": ("datestamp",),
    "ip": ("ipaddr",),
    "duration": ("interviewtime",),
}


def detect(grid: Grid) -> bool:
    """First header cell ``id`` and at least two of submitdate, lastpage, startlanguage, seed."""
    if grid.empty:
        return False
    header = [(cell or "").casefold() for cell in header_cells(grid, 0)]
    return bool(header) and header[0] == "id" and len(SIGNATURE & set(header)) >= 2


def parse(grid: Grid, path: Path) -> ImportedTable:
    """Codes as column names; metadata by name; interview time as duration."""
    table = table_from_grid(
        grid, path, header_cells(grid, 0), first_data_row=1, format="limesurvey",
    )
    table.meta_columns = find_meta(table.frame.columns, META_ROLES)
    if "duration" in table.meta_columns:
        table.durations = to_seconds(table.frame[table.meta_columns["duration"]])
    table.notes.append("LimeSurvey export (question-code headings); answer codes kept as written")
    return table
