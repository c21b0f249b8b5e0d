"""LimeSurvey response exports (CSV, "question code" or "full question text" headings).

One header row. With "question code" headings (the usual choice for analysis) it holds the
response metadata (``id``, ``submitdate``, ``lastpage``, ``startlanguage``, ``seed``,
``startdate``, ``datestamp``, ``ipaddr``, ``refurl``, with timings enabled ``interviewtime``), then
the question codes; sub-questions are written ``Q2[SQ001]`` (array rows, multiple-choice options),
``Q3[other]`` for an "other" text. With "full question text" headings the metadata read
``Response ID``, ``Date submitted``, ``Last page``, ``Start language``, ``Seed``, ... and the
questions their texts. Answers start in file row 2.

Naming: the headings exactly as LimeSurvey writes them (codes, or texts). Answers stay as
exported: with "answer codes" chosen the cells are codes such as ``A1``..``A5`` and a plain CSV
carries no labels, so they are kept as they are (map them with the study file's ``labels:``).
Metadata roles: ``id``, ``submitted`` (submitdate), ``start`` (startdate), ``last_action``
(datestamp), ``ip`` (ipaddr), ``duration`` (interviewtime / Total time, in seconds).
"""
from __future__ import annotations

from pathlib import Path

from surveys.i18n import msg
from surveys.importers.base import Grid, ImportedTable
from surveys.importers.metadata import find_meta, to_seconds
from surveys.importers.plain import header_cells, table_from_grid

__all__ = ["detect", "parse"]

#: Metadata columns only LimeSurvey writes together, with "question code" headings and with
#: "full question text" headings; two of them and the first column (``id`` / ``Response ID``)
#: identify an export.
SIGNATURES = {
    "id": {"submitdate", "lastpage", "startlanguage", "seed"},
    "response id": {"date submitted", "last page", "start language", "seed"},
}
META_ROLES = {
    "id": ("id", "Response ID"),
    "submitted": ("submitdate", "Date submitted"),
    "start": ("startdate", "Date started"),
    "last_action": ("datestamp", "Date last action"),
    "ip": ("ipaddr", "IP address"),
    "duration": ("interviewtime", "Total time"),
}


def detect(grid: Grid) -> bool:
    """First header ``id`` (or ``Response ID``) and two of LimeSurvey's metadata columns."""
    if grid.empty:
        return False
    header = [(cell or "").casefold() for cell in header_cells(grid, 0)]
    signature = SIGNATURES.get(header[0]) if header else None
    return signature is not None and len(signature & set(header)) >= 2


def parse(grid: Grid, path: Path) -> ImportedTable:
    """Codes as column names; metadata by name; interview time as duration."""
    table = table_from_grid(
        grid, path, header_cells(grid, 0), first_data_row=1, format="limesurvey",
    )
    table.meta_columns = find_meta(table.frame.columns, META_ROLES)
    if "duration" in table.meta_columns:
        table.durations = to_seconds(table.frame[table.meta_columns["duration"]])
    table.notes.append(msg("note_limesurvey"))
    return table
