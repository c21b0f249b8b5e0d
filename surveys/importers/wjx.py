"""问卷星 (Wenjuanxing, wjx.cn) exports: ``.xls`` (old format), ``.xlsx`` and CSV.

问卷星 writes one header row, then one row per submitted answer sheet. The header holds metadata
columns and one column per question; what a cell contains depends on the download chosen:
the *text* export (按文本下载: option texts, ``(跳过)`` for a question the respondent skipped) or
the *coded* export (按序号下载: option numbers, ``-3`` for skipped, ``-2`` for an unranked item of a
ranking question, multi-select questions as 0/1 columns).

Header rules (``docs/wjx.md`` is the user-facing version)
----------------------------------------------------------
- **Metadata** columns are found by name, in any order, any of them absent: 序号 (role ``id``),
  提交答卷时间 (``submitted``), 所用时间 (``duration``), 来源 (``source``), 来源详情
  (``source_detail``), 来自IP (``ip``). 所用时间 (``136秒``, ``2分15秒``, ``1小时2分15秒``,
  ``02:15``, or a bare number of seconds) is replaced by the number of seconds and also returned as
  ``durations``. Beside 来自IP (``183.192.16.69(上海-上海)``, kept as it is) a column **IP属地**
  holds the region text (``上海-上海``), role ``ip_region``, for breakdowns by region.
- A **question** header is ``N、question text`` (white space around it ignored); the column keeps
  the header text as its name, so a study file's ``rename`` key is the header as the file shows it.
- A **matrix** question is a header ``N、question text—row label`` followed by columns named by
  their row label only. Each of these columns is named by its **row label** (``外观``,
  ``界面美观度``) and ``questions`` maps it to ``question text—row label``. A following column
  belongs to the matrix until the next numbered header or metadata column. If a row label is also
  the name of another column (two matrices on the same rows, e.g. expectation and perception),
  every matrix column with that label is named ``第N题(row label)`` instead, with N its question
  number, and a note says so.
- A **sub-question column** ``第N题(label)`` or ``N(label)`` (coded export) keeps its name; if all
  its answers are 0/1 it is a multi-select option and ``multi_select['第N题']`` lists the options.

Answer rules
------------
- ``(跳过)`` (skipped) and ``(空)`` (empty fill-in), half- or full-width brackets, are missing in
  every export.
- Text export: a question column with an answer holding ``┋`` is a multi-select question: the joined
  text column is kept, and 0/1 option columns ``第N题(option)`` are inserted after it (1 = chosen,
  0 = answered but not chosen, missing when the question was skipped); an "other" answer
  ``其他〖text〗`` counts as option ``其他``. Options nobody chose cannot be seen in a text export
  and get no column; a multi-select question in which nobody chose two options has no ``┋`` and
  stays a text column.
- Coded export: ``-3`` (skipped) and ``-2`` (not ranked) in question columns are missing.
  These numbers are only treated as missing in a file recognised as a coded export: no answer
  holds ``┋``, and it has ``第N题(option)`` columns or at least half of its answered question
  columns hold whole numbers only (``(跳过)``/``(空)`` aside). In a text export ``-3`` is left as
  an answer (a later range check reports it). ``notes`` says which export was recognised and why.
- Nothing else is converted here: answer texts become codes in :mod:`surveys.coding`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from surveys.i18n import Text, msg
from surveys.importers.base import Grid, ImportedTable
from surveys.importers.plain import header_cells, require_rows, table_from_grid

__all__ = ["detect", "parse", "META_COLUMNS", "IP_REGION", "parse_durations"]

#: Metadata column -> role in ``ImportedTable.meta_columns``.
META_COLUMNS: dict[str, str] = {
    "序号": "id", "提交答卷时间": "submitted", "所用时间": "duration", "来源": "source",
    "来源详情": "source_detail", "来自IP": "ip",
}
#: Names that only 问卷星 uses (序号 and 来源 are too common to recognise a file by).
_DISTINCTIVE = ("提交答卷时间", "所用时间", "来源详情", "来自IP")
#: The column added beside 来自IP with its region text.
IP_REGION = "IP属地"

_QUESTION = re.compile(r"^(\d+)\s*、(.*)$", re.S)
_SUBQUESTION = re.compile(r"^(?:第\s*(\d+)\s*题|(\d+))\s*[(（](.+)[)）]$", re.S)
_MATRIX_DASH = "—"
_TEXT_MISSING = ("(跳过)", "（跳过）", "(空)", "（空）")
_CODED_MISSING = {"-3": msg("wjx_marker_skipped"), "-2": msg("wjx_marker_not_ranked")}
_MULTI_SEPARATOR = "┋"
_OTHER_TEXT = re.compile(r"〖.*?〗", re.S)
_WHOLE_NUMBER = r"-?\d+"
_DURATION = re.compile(
    r"^(?:(?P<h>\d+(?:\.\d+)?)\s*(?:小时|时|h))?\s*"
    r"(?:(?P<m>\d+(?:\.\d+)?)\s*(?:分钟|分|min|m))?\s*"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*(?:秒钟|秒|sec|s))?$"
)
_CLOCK = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d+):(?P<s>\d+(?:\.\d+)?)$")
_IP_WITH_REGION = r"^\s*[^\s(（]+\s*[(（].*[)）]\s*$"  # 183.192.16.69(上海-上海)
_IP_OUTSIDE_REGION = r"^\s*[^\s(（]+\s*[(（]|[)）]\s*$"


def detect(grid: Grid) -> bool:
    """Whether row 1 is a 问卷星 header: a distinctive metadata name (提交答卷时间, 所用时间,
    来源详情, 来自IP) plus another metadata name or a numbered question ``N、...``."""
    if grid.empty:
        return False
    names = [name for name in header_cells(grid, 0) if name is not None]
    distinctive = sum(name in _DISTINCTIVE for name in names)
    meta = sum(name in META_COLUMNS for name in names)
    numbered = any(_QUESTION.match(name) for name in names)
    return distinctive >= 1 and (meta >= 2 or numbered)


def parse(grid: Grid, path: Path) -> ImportedTable:
    """Read a 问卷星 export (see the module docstring for every rule).

    Parameters
    ----------
    grid : the file's cells, row 1 the header.
    path : the file, for messages.

    Returns
    -------
    ImportedTable
        ``format="wjx"``; ``meta_columns``, ``durations``, ``questions`` (matrix rows and
        sub-question columns) and ``multi_select`` filled in; ``notes`` say which export was
        recognised and how many cells were read as missing.
    """
    require_rows(grid, path, 2, msg("export_wjx"))
    names, questions, notes = _column_names(header_cells(grid, 0))
    table = table_from_grid(grid, path, names, first_data_row=1, format="wjx")
    table.questions.update(questions)
    table.notes.extend(notes)
    frame = table.frame
    question_columns = [c for c in frame.columns if c not in META_COLUMNS]
    subquestions = [c for c in question_columns if _SUBQUESTION.match(c) and c not in questions]
    answers = _Answers.of(frame, question_columns)
    coded, why = _is_coded(subquestions, answers)
    table.notes.append(msg("note_wjx_coded" if coded else "note_wjx_text", why=why))
    markers = dict.fromkeys(_TEXT_MISSING, msg("wjx_marker_skipped_or_empty"))
    if coded:
        markers.update(_CODED_MISSING)
    _mark_missing(frame, answers.having(answers.texts.isin(markers)), markers, table.notes)
    _add_meta(table)
    if coded:
        _coded_options(table, subquestions)
    else:
        _expand_multi_select(table, answers.having(answers.joined))
    return table


@dataclass(frozen=True)
class _Answers:
    """The distinct answers of the question columns, stripped, in one Series beside the
    position of each one's column: every test of the answers is one pandas call over all the
    columns (one per column took ~0.15 s per file of the sample, 44 columns x five tests)."""

    columns: list[str]
    texts: pd.Series  # str, stripped; no missing values
    owner: np.ndarray  # the position in ``columns`` of each text

    @classmethod
    def of(cls, frame: pd.DataFrame, columns: list[str]) -> _Answers:
        """Each column's distinct answers in the order they first appear (Python equality, as
        ``pd.unique``: 1 and 1.0 are one answer), as text (``str`` dtype) and stripped."""
        cells = frame[columns].to_numpy(dtype=object)
        answered = ~pd.isna(cells)
        parts = [list(dict.fromkeys(cells[answered[:, j], j])) for j in range(len(columns))]
        texts = pd.Series([value for part in parts for value in part], dtype="str")
        owner = np.repeat(np.arange(len(columns)), [len(part) for part in parts])
        return cls(columns, texts.str.strip(), owner)

    @property
    def joined(self) -> np.ndarray:
        """Whether each text joins multi-select options with ┋."""
        return self.texts.str.contains(_MULTI_SEPARATOR, regex=False).to_numpy(dtype=bool)

    def hits(self, hit: np.ndarray) -> np.ndarray:
        """How many of each column's texts are ``hit`` (one count per column)."""
        return np.bincount(self.owner[hit], minlength=len(self.columns))

    def having(self, hit: np.ndarray) -> list[str]:
        """The columns (in order) with at least one text ``hit``."""
        return [c for c, n in zip(self.columns, self.hits(np.asarray(hit, dtype=bool))) if n]


def _column_names(header: list[str | None]) -> tuple[list[str | None], dict[str, str], list[str]]:
    """Column names, matrix questions (name -> question—row) and notes from the header cells."""
    names: list[str | None] = []
    matrix: dict[int, tuple[str, str, str]] = {}  # position -> (number, question, row label)
    current: tuple[str, str] | None = None
    for position, cell in enumerate(header):
        question = None if cell is None else _QUESTION.match(cell)
        if cell is None or cell in META_COLUMNS or _SUBQUESTION.match(cell):
            current = None
        elif question and _MATRIX_DASH in cell:
            text, row = cell.rsplit(_MATRIX_DASH, 1)
            current = (question.group(1), text.rstrip(_MATRIX_DASH).strip())
            matrix[position] = (*current, row.strip())
        elif question:
            current = None
        elif current is not None:
            matrix[position] = (*current, cell.lstrip(_MATRIX_DASH).strip())
        names.append(cell if position not in matrix else matrix[position][2])
    counts = pd.Series([n for n in names if n is not None]).value_counts()
    notes = []
    questions = {}
    for position, (number, text, row) in matrix.items():
        if counts.get(row, 0) > 1:
            names[position] = f"第{number}题({row})"
            notes.append(msg("note_wjx_matrix_row_renamed", row=row, number=number,
                             name=names[position]))
        questions[names[position]] = f"{text}{_MATRIX_DASH}{row}"
    return names, questions, notes


def _is_coded(subquestions: list[str], answers: _Answers) -> tuple[bool, Text]:
    """Whether the answers are option numbers (按序号下载), and why it was decided so.

    ``subquestions`` are the ``第N题(label)`` columns of the header, ``answers`` the distinct
    answers of every question column; the skip markers (跳过)/(空) do not count as answers."""
    answer = ~answers.texts.isin(_TEXT_MISSING).to_numpy(dtype=bool)
    if (answers.joined & answer).any():
        return False, msg("wjx_why_joined")
    if subquestions:
        return True, msg("wjx_why_subquestions")
    counts = answers.hits(answer)
    whole = answers.hits(answer & answers.texts.str.fullmatch(_WHOLE_NUMBER).to_numpy(dtype=bool))
    answered = int(np.count_nonzero(counts))
    numeric = int(np.count_nonzero((whole == counts) & (counts > 0)))
    if answered and 2 * numeric >= answered:
        return True, msg("wjx_why_numbers", n=numeric, total=answered)
    return False, msg("wjx_why_text", n=numeric, total=answered)


def _mark_missing(frame: pd.DataFrame, columns: list[str], markers: dict[str, Text],
                  notes: list[Text]) -> None:
    """Replace the platform's no-answer markers in the question ``columns`` that hold one by
    missing values."""
    found: dict[str, int] = {}
    for column in columns:
        stripped = frame[column].astype("str").str.strip()
        hit = stripped.isin(markers)
        for value, count in stripped[hit].value_counts().items():
            found[value] = found.get(value, 0) + int(count)
        frame[column] = frame[column].mask(hit, None)
    for value, count in found.items():
        notes.append(msg("note_wjx_missing", n=count, value=value, why=markers[value]))


def parse_durations(values: pd.Series) -> pd.Series:
    """所用时间 texts to seconds: ``136秒``, ``2分15秒``, ``1小时2分15秒``, ``02:15``,
    ``1:02:15`` or a bare number of seconds; anything else is NaN. Parsed once per distinct text."""
    texts = pd.Series(pd.unique(values.dropna().astype(str)), dtype=object)
    norm = texts.str.normalize("NFKC").str.replace(r"\s+", "", regex=True).str.lower()
    seconds = pd.to_numeric(norm, errors="coerce").astype("float64")
    for pattern in (_DURATION, _CLOCK):
        parts = norm.str.extract(pattern).apply(pd.to_numeric, errors="coerce").astype("float64")
        has_part = parts.notna().any(axis=1)
        total = parts["h"].fillna(0) * 3600 + parts["m"].fillna(0) * 60 + parts["s"].fillna(0)
        seconds = seconds.fillna(total.where(has_part))
    lookup = dict(zip(texts, seconds))
    return values.map(lookup, na_action="ignore").astype("float64")


def _add_meta(table: ImportedTable) -> None:
    """Meta roles, 所用时间 in seconds, and the IP属地 column."""
    frame = table.frame
    table.meta_columns.update({role: c for c, role in META_COLUMNS.items() if c in frame.columns})
    if "所用时间" in frame.columns:
        seconds = parse_durations(frame["所用时间"])
        unread = frame["所用时间"].notna() & seconds.isna()
        if unread.any():
            rows = table.file_rows[unread.to_numpy()]
            table.notes.append(msg("note_wjx_duration_unread", n=int(unread.sum()),
                                   rows=_first_rows(rows)))
        frame["所用时间"] = seconds
        table.durations = seconds
    if "来自IP" in frame.columns and IP_REGION not in frame.columns:
        ip = frame["来自IP"].astype("str")
        region = ip.str.replace(_IP_OUTSIDE_REGION, "", regex=True).str.strip()
        region = region.where(ip.str.contains(_IP_WITH_REGION, regex=True)).astype(object)
        frame.insert(frame.columns.get_loc("来自IP") + 1, IP_REGION, region)
        table.meta_columns["ip_region"] = IP_REGION


def _first_rows(rows: np.ndarray, shown: int = 10) -> str:
    return ", ".join(map(str, rows[:shown].tolist())) + (" ..." if len(rows) > shown else "")


def _coded_options(table: ImportedTable, subquestions: list[str]) -> None:
    """Sub-question columns ``第N题(label)``: 0/1 ones are multi-select options (made numbers)."""
    frame = table.frame
    for column in subquestions:
        match = _SUBQUESTION.match(column)
        number, label = match.group(1) or match.group(2), match.group(3).strip()
        table.questions[column] = f"第{number}题({label})"
        values = pd.to_numeric(frame[column], errors="coerce")
        if frame[column].notna().equals(values.notna()) and values.dropna().isin([0, 1]).all():
            frame[column] = values.astype("float64")
            table.multi_select.setdefault(f"第{number}题", []).append(column)


def _options(answer: object) -> list[str]:
    """The options of one ┋-joined answer; ``其他〖text〗`` is option ``其他``."""
    parts = (_OTHER_TEXT.sub("", part).strip() for part in str(answer).split(_MULTI_SEPARATOR))
    return [part for part in parts if part]


def _expand_multi_select(table: ImportedTable, columns: list[str]) -> None:
    """Insert 0/1 option columns after each of the text ``columns`` (answers joined with ┋)."""
    frame = table.frame
    for column in columns:
        positions, answers = pd.factorize(frame[column], use_na_sentinel=True)
        chosen = [_options(answer) for answer in answers]
        options = list(dict.fromkeys(option for picked in chosen for option in picked))
        matrix = np.array([[option in picked for option in options] for picked in chosen], float)
        coded = np.where((positions >= 0)[:, None], matrix[np.maximum(positions, 0)], np.nan)
        question = _QUESTION.match(column)
        stem = f"第{question.group(1)}题" if question else column
        names = [f"{stem}({option})" for option in options]
        names = [name if name not in frame.columns else f"{column}({option})"
                 for name, option in zip(names, options)]
        at = frame.columns.get_loc(column) + 1
        for offset, (name, option) in enumerate(zip(names, options)):
            frame.insert(at + offset, name, coded[:, offset])
            table.questions[name] = f"{table.questions.get(column, column)}: {option}"
        table.multi_select[column] = names
        table.notes.append(msg("note_wjx_multi_select", column=column, n=len(options),
                               names=", ".join(names)))
