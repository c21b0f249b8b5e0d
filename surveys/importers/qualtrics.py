"""Qualtrics exports (CSV, TSV or xlsx "Download data table").

Two layouts:

- **Current** (since 2017): three header rows -- export tags (``StartDate``, ``ResponseId``,
  ``Q1``, ``Q2_1``), question texts (``How satisfied are you with - Service``), and import ids
  (``{"ImportId":"QID2_1"}``). Answers start in file row 4.
- **Legacy** (before 2017): two header rows -- ``V1``, ``V2``, ... for the metadata followed by the
  export tags, then the metadata names (``ResponseID``, ``StartDate``) and question texts. Answers
  start in file row 3.

Naming: a column is named by its export tag (row 1), which is what a researcher sees in the
survey editor; its question text goes to ``questions``. In the legacy layout the ``V1..Vn``
metadata columns take their row-2 name instead (``ResponseID``, ``StartDate``, ...).
Metadata roles: ``id`` (ResponseId), ``start`` (StartDate), ``end`` (EndDate), ``submitted``
(RecordedDate, else EndDate), ``duration`` (``Duration (in seconds)``), ``ip`` (IPAddress),
``finished``, ``progress``, ``status``. Durations come from the duration column or, in the legacy
layout, from EndDate - StartDate.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from surveys.i18n import msg
from surveys.importers.base import Grid, ImportedTable
from surveys.importers.metadata import find_meta, seconds_between, to_seconds
from surveys.importers.plain import header_cells, require_rows, table_from_grid

__all__ = ["detect", "parse"]

_IMPORT_ID = re.compile(r'^\{\s*"ImportId"\s*:')
_QUESTION_ID = re.compile(r'^\{\s*"ImportId"\s*:\s*"QID')
_LEGACY_TAG = re.compile(r"^V\d+$")

META_ROLES = {
    "id": ("ResponseId", "ResponseID", "Response ID"),
    "start": ("StartDate", "Start Date"),
    "end": ("EndDate", "End Date"),
    "submitted": ("RecordedDate", "Recorded Date", "EndDate", "End Date"),
    "duration": ("Duration (in seconds)", "Duration__in_seconds_"),
    "ip": ("IPAddress", "IP Address"),
    "finished": ("Finished",),
    "progress": ("Progress",),
    "status": ("Status", "ResponseType", "Response Type"),
}


def _cells(grid: Grid, row: int) -> list[str | None]:
    return header_cells(grid, row) if len(grid) > row else []


def _is_current(grid: Grid) -> bool:
    import_ids = [cell for cell in _cells(grid, 2) if cell]
    return bool(import_ids) and sum(bool(_IMPORT_ID.match(c)) for c in import_ids) >= 0.5 * len(
        import_ids
    )


def _is_legacy(grid: Grid) -> bool:
    tags = _cells(grid, 0)
    second = _cells(grid, 1)
    return (
        len(tags) >= 3 and tags[:3] == ["V1", "V2", "V3"]
        and bool(second) and (second[0] or "").replace(" ", "").casefold() == "responseid"
    )


def detect(grid: Grid) -> bool:
    """Row 3 holds ``{"ImportId": ...}`` cells, or row 1 starts ``V1, V2, V3`` over ResponseID."""
    return _is_current(grid) or _is_legacy(grid)


def parse(grid: Grid, path: Path) -> ImportedTable:
    """Name columns by export tag, keep question texts, find metadata and durations."""
    legacy = not _is_current(grid)
    header_count = 2 if legacy else 3
    require_rows(grid, path, header_count, msg("export_qualtrics"))
    tags = _cells(grid, 0)
    texts = _cells(grid, 1)
    if legacy:
        names = [text if tag and _LEGACY_TAG.match(tag) and text else tag
                 for tag, text in zip(tags, texts)]
    else:
        names = tags
    table = table_from_grid(
        grid, path, names, first_data_row=header_count, format="qualtrics",
    )
    if legacy:
        is_question = [bool(tag) and not _LEGACY_TAG.match(tag) for tag in tags]
    else:
        is_question = [bool(cell and _QUESTION_ID.match(cell)) for cell in _cells(grid, 2)]
    table.questions = {
        name: text
        for name, text, question in zip(names, texts, is_question)
        if question and name and text
    }
    table.meta_columns = find_meta(table.frame.columns, META_ROLES)
    table.durations = _durations(table)
    table.notes.append(msg("note_qualtrics_legacy" if legacy else "note_qualtrics"))
    return table


def _durations(table: ImportedTable) -> pd.Series | None:
    meta, frame = table.meta_columns, table.frame
    if "duration" in meta:
        return to_seconds(frame[meta["duration"]])
    if "start" in meta and "end" in meta:
        return seconds_between(frame[meta["start"]], frame[meta["end"]])
    return None
