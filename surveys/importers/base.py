"""The contract every importer meets.

Reading a file has two steps:

1. **Container** (``containers.py``): the bytes are sniffed (not the extension) and turned into a
   *grid*: a ``pandas.DataFrame`` with ``header=None`` semantics and pandas' compact ``str`` dtype
   (a million rows fit in memory), every cell the text the file shows (numbers as their text) or
   missing (NaN) for an empty cell: test with ``pandas.isna``. CSV (any encoding and
   delimiter), xlsx, old xls. SPSS ``.sav`` is read straight into an :class:`ImportedTable`.
   For the loader, a large UTF-8 file's one-digit columns may be Categoricals of the same
   texts (``read_table(..., digits=True)``, see :mod:`surveys.importers`).
2. **Platform** (one module per survey platform): a detector looks at the grid's first rows and, if
   it recognises its platform (问卷星, Qualtrics, SurveyMonkey, Google Forms, LimeSurvey), parses the
   header rows into column names and returns an :class:`ImportedTable`; a plain table (one header
   row) is the fallback.

An importer never converts answer texts to codes (that is ``surveys.coding``) and never drops a row.
It does turn a platform's own "no answer" markers (问卷星 ``(跳过)``, ``-3``, ``-2``; empty cells)
into missing values, since those are missing answers, not out-of-range values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from surveys.i18n import Text

__all__ = ["ImportedTable", "Grid"]

#: A file's cells before any header is interpreted: ``str`` dtype, NaN for an empty cell.
Grid = pd.DataFrame


@dataclass
class ImportedTable:
    """One respondent-per-row table read from a file.

    Attributes
    ----------
    frame : one column per question or sub-question, named as the user will refer to it in a study
        file (``rename`` keys, item names): stripped of surrounding white space, unique. Cells are
        ``str`` answers as the platform wrote them, numbers, or missing (``None``/NaN).
    path : the file read.
    format : what was recognised: ``"csv"``, ``"xlsx"``, ``"xls"``, ``"sav"`` for plain tables, or a
        platform: ``"wjx"``, ``"qualtrics"``, ``"surveymonkey"``, ``"google_forms"``,
        ``"limesurvey"``.
    file_rows : for each row of ``frame``, its 1-based row number in the file as a spreadsheet shows
        it (header rows counted), so that messages can name it.
    questions : column -> full question text, where the platform gives one beside a short code.
    value_labels : column -> {code: label} (SPSS value labels, LimeSurvey answer codes).
    meta_columns : role -> column for platform metadata found by name, e.g. ``"id"`` (序号,
        ResponseId), ``"submitted"``, ``"duration"`` (in seconds, see ``durations``), ``"ip"``,
        ``"source"``.
    durations : completion time in seconds per row when the platform records it, else ``None``.
    multi_select : question -> its option columns (0/1 coded) for multi-select questions.
    notes : what the importer noticed and decided, in plain words, for the data-quality report
        (:class:`~surveys.i18n.Text` messages, shown in the reader's language).
    """

    frame: pd.DataFrame
    path: Path
    format: str
    file_rows: np.ndarray
    questions: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict] = field(default_factory=dict)
    meta_columns: dict[str, str] = field(default_factory=dict)
    durations: pd.Series | None = None
    multi_select: dict[str, list[str]] = field(default_factory=dict)
    notes: list[Text] = field(default_factory=list)
