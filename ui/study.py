"""From uploaded files to a study: save the uploads, read them, guess which columns are items of
which dimension, and write the study YAML. No streamlit here, so that it can be tested directly
(``AppTest`` cannot drive ``st.file_uploader``); the Study page only lays it out.

Guesses, all editable on the page:

- a 问卷星 matrix question (``5、…“客户识别”方面的表现(矩阵单选题)—row``) is one
  dimension, named by the quoted text in the question (else ``Q5``); its rows are the items
  ``<dimension>1``, … ;
- columns named like ``ID1``, ``IN_2``, ``sat3`` are items of the dimension named by their prefix;
- a question mentioning 0-10 is the NPS question; a Likert question mentioning 满意 is an overall
  satisfaction item; a numeric question about 金额 / revenue is the revenue; text columns with a
  few distinct answers are segments (region, customer type); platform metadata is ignored.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from surveys.coding import code_answers
from surveys.errors import StudyError
from surveys.i18n import msg
from surveys.importers import read_table
from surveys.importers.base import ImportedTable
from surveys.study import Study, parse_study

__all__ = ["ROLES", "STUDY_SUFFIXES", "save_uploads", "read_uploads", "guess_mapping",
           "study_yaml", "study_from_uploads"]

ROLES = ("item", "satisfaction", "loyalty", "nps", "segment", "revenue", "ignore")
STUDY_SUFFIXES = (".yaml", ".yml")
MAPPING_COLUMNS = ["column", "role", "dimension", "item", "reverse"]
_PREFIXED = re.compile(r"^([A-Za-z]+)[_.-]?(\d+)$")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{1,20})[”\"」』]")
_NUMBERED = re.compile(r"^(\d+)[、.．]")
_NPS = re.compile(r"0\s*[-–~～至到]\s*10")
MAX_SEGMENT_LEVELS = 20
_SATISFACTION_WORDS = ("满意", "satisf")
_REVENUE_WORDS = ("金额", "销售额", "收入", "revenue", "amount")


def save_uploads(files: dict[str, bytes], directory: str | Path) -> dict[str, Path]:
    """Write uploaded files (name -> content) into ``directory``; names are reduced to their last
    part so that an upload cannot write elsewhere."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    saved = {}
    for name, content in files.items():
        safe = Path(name).name
        if not safe or safe in (".", ".."):
            raise StudyError(msg("upload_no_name"), file=name)
        path = directory / safe
        path.write_bytes(content)
        saved[safe] = path
    return saved


def read_uploads(paths: dict[str, Path]) -> tuple[str | None, dict[str, ImportedTable]]:
    """The study YAML text among the files (None if there is none; more than one is an error)
    and every other file read as a table (StudyError for a file no importer reads)."""
    studies = [name for name in paths if Path(name).suffix.lower() in STUDY_SUFFIXES]
    if len(studies) > 1:
        raise StudyError(msg("upload_several_studies", n=len(studies)), file=studies[1])
    text = paths[studies[0]].read_text(encoding="utf-8") if studies else None
    tables = {name: read_table(path) for name, path in paths.items() if name not in studies}
    return text, tables


def _dimension_of(column: str, table: ImportedTable) -> str | None:
    question = table.questions.get(column, "")
    if "—" in question:
        stem = question.split("—")[0]
        quoted = _QUOTED.search(stem)
        if quoted:
            return quoted.group(1)
        number = _NUMBERED.match(stem)
        return f"Q{number.group(1)}" if number else stem[:12]
    prefixed = _PREFIXED.match(column)
    return prefixed.group(1).upper() if prefixed else None


def _answer_kind(values: pd.Series) -> str:
    """"likert" when every answer codes to a number on a 1-7 scale (numbers, 4分, 非常满意…),
    "number" for other numbers, "text" otherwise."""
    if values.empty:
        return "text"
    coded = code_answers(values)
    if len(coded.invalid):
        return "text"
    codes = coded.codes.dropna()
    return "likert" if len(codes) and codes.min() >= 0 and codes.max() <= 7 else "number"


def guess_mapping(table: ImportedTable) -> pd.DataFrame:
    """One row per column of ``table``: its guessed role, dimension, item name and reverse flag
    (columns of :data:`MAPPING_COLUMNS`)."""
    meta = set(table.meta_columns.values())
    rows, counters = [], {}
    for column in table.frame.columns:
        values = table.frame[column].dropna()
        dimension = None if column in meta else _dimension_of(column, table)
        role, item = "ignore", column
        if dimension is not None:
            role = "item"
            counters[dimension] = counters.get(dimension, 0) + 1
            joint = "_" if dimension[-1].isdigit() else ""
            item = column if _PREFIXED.match(column) else f"{dimension}{joint}{counters[dimension]}"
        elif column in meta:
            role = "ignore"
        elif _NPS.search(column):
            role = "nps"
        else:
            kind = _answer_kind(values)
            if kind == "likert" and any(word in column for word in _SATISFACTION_WORDS):
                role = "satisfaction"
            elif kind == "number" and any(word in column for word in _REVENUE_WORDS):
                role = "revenue"
            elif kind == "text" and 1 < values.nunique() <= MAX_SEGMENT_LEVELS:
                role = "segment"
        rows.append({"column": column, "role": role, "dimension": dimension or "",
                     "item": item, "reverse": False})
    return pd.DataFrame(rows, columns=MAPPING_COLUMNS)


def study_yaml(title: str, scale: tuple[float, float], groups: dict[str, tuple[str, pd.DataFrame]]) -> str:
    """The study file for ``groups`` (group -> (data file name, mapping from
    :func:`guess_mapping`, possibly edited)). Items come from the first group's mapping; the first
    two groups are compared."""
    study: dict = {"title": title, "scale": {"min": scale[0], "max": scale[1]}, "groups": {}}
    dimensions: dict[str, list[str]] = {}
    roles: dict[str, list[str]] = {r: [] for r in ROLES}
    names: dict[str, dict[str, str]] = {}
    reverse: list[str] = []
    for index, (group, (file_name, mapping)) in enumerate(groups.items()):
        used = mapping[mapping["role"] != "ignore"]
        rename = {str(r.column): str(r.item) for r in used.itertuples() if str(r.column) != str(r.item)}
        study["groups"][group] = {"file": file_name, **({"rename": rename} if rename else {})}
        for r in used.itertuples():
            item = str(r.item)
            if index == 0:
                if r.role == "item":
                    dimensions.setdefault(str(r.dimension) or "dimension", []).append(item)
                    if bool(r.reverse):
                        reverse.append(item)
                else:
                    roles[r.role].append(item)
            if item != str(r.column):
                names.setdefault(item, {"zh": str(r.column)})
    if not dimensions:
        raise StudyError(msg("mapping_no_item"), expected=msg("mapping_no_item_expected"))
    study["dimensions"] = dimensions
    if reverse:
        study["reverse"] = reverse
    for role in ("satisfaction", "loyalty"):
        if roles[role]:
            study[role] = roles[role]
    for role in ("nps", "revenue"):
        if roles[role]:
            study[role] = roles[role][0]
    if roles["segment"]:
        study["segments"] = roles["segment"]
    if len(groups) >= 2:
        study["compare"] = list(groups)[:2]
    if names:
        study["names"] = names
    return yaml.safe_dump(study, allow_unicode=True, sort_keys=False)


def study_from_uploads(files: dict[str, bytes], directory: str | Path) -> tuple[str, Study]:
    """An uploaded study YAML with its data files: saved into ``directory`` and checked (every
    data file it names must be among the uploads, in ``directory``). Returns (YAML text, study);
    StudyError when there is no study file or it is wrong."""
    paths = save_uploads(files, directory)
    text, _ = read_uploads({n: p for n, p in paths.items()
                            if Path(n).suffix.lower() in STUDY_SUFFIXES})
    if text is None:
        raise StudyError(msg("upload_no_study"))
    return text, parse_study(text, base_dir=Path(directory), inside=directory)
