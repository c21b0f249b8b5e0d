"""SurveyMonkey exports ("All responses data", expanded, CSV or xlsx).

Two header rows: row 1 holds the metadata names (``Respondent ID``, ``Collector ID``,
``Start Date``, ``End Date``, ``IP Address``, ...) and each question's text, written only above the
question's first column; row 2 holds ``Response`` / ``Open-Ended Response`` for a one-column
question, or the option or row label for each column of a checkbox or matrix question. Answers
start in file row 3.

Naming:

- metadata column (row 2 empty): its row-1 name, e.g. ``Respondent ID``;
- row 2 is ``Response`` or ``Open-Ended Response``: the question text;
- otherwise: ``question text - label``, e.g. ``How satisfied are you with - Delivery``
  (a ``Other (please specify)`` column becomes ``question text - Other (please specify)``).

Checkbox questions (every answer in a column equals that column's label, for two or more columns
of a question) become 0/1 columns: 1 = ticked, 0 = not ticked although the respondent ticked
something else in the question, missing = the question was skipped; they are listed in
``multi_select`` under the question text. Durations are End Date - Start Date in seconds.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from surveys.i18n import msg
from surveys.importers.base import Grid, ImportedTable
from surveys.importers.metadata import find_meta, seconds_between
from surveys.importers.plain import header_cells, require_rows, table_from_grid

__all__ = ["detect", "parse", "column_names"]

SINGLE_ANSWER_LABELS = {"response", "open-ended response"}
META_ROLES = {
    "id": ("Respondent ID", "RespondentID"),
    "collector": ("Collector ID", "CollectorID"),
    "start": ("Start Date", "StartDate"),
    "end": ("End Date", "EndDate"),
    "ip": ("IP Address",),
    "email": ("Email Address",),
}


def detect(grid: Grid) -> bool:
    """Row 1 names a ``Respondent ID`` column and row 2 has a ``Response``-type label."""
    if len(grid) < 2:
        return False
    first = {(cell or "").replace(" ", "").casefold() for cell in header_cells(grid, 0)}
    second = {(cell or "").casefold() for cell in header_cells(grid, 1)}
    return "respondentid" in first and bool(second & SINGLE_ANSWER_LABELS)


def column_names(questions: list[str | None], labels: list[str | None]) -> list[str | None]:
    """The column names from the two header rows (see the module's naming rules)."""
    names: list[str | None] = []
    current = None
    for question, label in zip(questions, labels):
        if question:
            current = question
        elif not label:
            current = None  # neither row names it: an empty column
        if not label:
            names.append(question)
        elif label.casefold() in SINGLE_ANSWER_LABELS or current is None:
            names.append(current or label)
        else:
            names.append(f"{current} - {label}")
    return names


def parse(grid: Grid, path: Path) -> ImportedTable:
    """Name the columns from both header rows, find metadata, code checkbox questions 0/1."""
    require_rows(grid, path, 2, msg("export_surveymonkey"))
    questions = header_cells(grid, 0)
    labels = header_cells(grid, 1)
    names = column_names(questions, labels)
    table = table_from_grid(grid, path, names, first_data_row=2, format="surveymonkey")
    _code_checkboxes(table, questions, labels, names)
    table.meta_columns = find_meta(table.frame.columns, META_ROLES)
    meta = table.meta_columns
    if "start" in meta and "end" in meta:
        table.meta_columns["submitted"] = meta["end"]
        table.durations = seconds_between(table.frame[meta["start"]], table.frame[meta["end"]])
    table.notes.append(msg("note_surveymonkey"))
    return table


def _code_checkboxes(table: ImportedTable, questions, labels, names) -> None:
    frame = table.frame
    groups: dict[str, list[tuple[str, str]]] = {}
    current = None
    for question, label, name in zip(questions, labels, names):
        current = question or current
        if current and label and name in frame.columns and name != current:
            groups.setdefault(current, []).append((name, label))
    for question, columns in groups.items():
        ticked = [
            (name, label) for name, label in columns
            if frame[name].notna().any()
            and (frame[name].dropna().astype("str").str.strip() == label).all()
        ]
        if len(ticked) < 2:
            continue
        option_names = [name for name, _ in ticked]
        chosen = frame[option_names].notna().to_numpy()
        answered = frame[[name for name, _ in columns]].notna().any(axis=1).to_numpy()
        coded = np.where(answered[:, None], chosen.astype(float), np.nan)
        for position, name in enumerate(option_names):
            frame[name] = coded[:, position]
        table.multi_select[question] = option_names

