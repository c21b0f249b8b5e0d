"""Guess a study file from raw exports: the draft a researcher checks instead of writing one.

One guesser serves the app's study wizard and ``python -m analysis draft EXPORT ... --out
study.yaml``. It reads what an export says about itself (question numbers, matrix rows, answer
labels, wording) and what the answers say (their scale, which items run against their dimension),
and returns a :class:`Draft`: one mapping table per file (column -> role, dimension, item code,
display name, reverse flag, why) plus the study-wide settings. :func:`draft_yaml` writes it as a
commented study file; :func:`draft_of_study` turns an existing study back into a draft (the
wizard's "edit the current study").

Rules (each guess says why in the ``why`` column; the commented file repeats it)
--------------------------------------------------------------------------------
- **Questions.** 问卷星 headers ``5、stem(矩阵单选题)—row`` (text download: the first column of a
  matrix; the importer gives the rest their row labels), ``第8题(row)`` and ``8(row)`` (one column
  per matrix row or option), other platforms' ``question - row`` texts, and prefixed codes ``ID1``,
  ``IN_2`` group columns into questions. Numbering, ``(矩阵单选题 *必答)``-style type markers,
  quotes and trailing punctuation are stripped from the texts shown as names.
- **Dimensions**: one per matrix question whose answers are ratings (every answer codes to a whole
  number, at most 10, :mod:`surveys.coding`), named by the part of its stem that differs from the
  other rating matrices' stems ("…在“客户识别”方面的表现" -> 客户识别), else by its whole stem;
  items are named by their row labels. Codes: ``Q5`` and ``Q5_1``… (question 5), or the prefix
  and the column for prefixed codes. A run of plain rating columns without question numbers is one
  dimension (assign its items on the page or in the file).
- **Scale**: the built-in answer labels seen (5 or 7 points) or the whole numbers answered: the
  lower end 0 when someone answered 0, else 1; the upper end the first of 5, 7, 10 at or above
  the highest answer.
- **Reverse-worded items** (suggested, :func:`reverse_suggestions`): a negative corrected
  item-total correlation within the dimension, confirmed by a loading of the other sign than the
  dimension's on the first principal component of the items' correlations.
- **Roles by wording**: overall satisfaction (满意, satisf) and loyalty (继续, 再次, 推荐给/向…推荐,
  价格…上涨…仍, 仍会, 重复购买, repurchase, recommend, continue) for single rating questions and for
  matrices whose rows say so; the NPS question is a 0-10 question about the likelihood to
  recommend (推荐 with 可能/愿意/多大, likely…recommend); a 0-10 satisfaction question is never
  taken for it. Expectation (期望, expect) and importance (重要, important) matrices are paired
  with the items and dimensions their rows name.
- **Segments**: text (or coded category) columns with 2-20 answers, and gender / age band /
  region / type / department questions.
- **Contact details** (name, phone, e-mail, company) go under ``contact:``: the customer list
  shows them, reports never do.
- **Left out, with the reason**: platform metadata (序号, time, IP, 来源), identifiers, multi-select
  and ranking questions, attention checks whose asked answer is unknown, single rating questions
  with no role, questions on another scale.
- **Several files**: one group per file, named from the file name (客户/customer, 员工/employee)
  or its wording (我们… is the company's own staff), the wave from a year in the file name. A
  later file's rating items are matched to the first file's by the order of the matrix questions
  and their row counts (or the order of all rating items), confirmed by text similarity; a match
  whose text does not confirm it is listed in :attr:`Draft.questions` for the user to answer.
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .coding import code_answers
from .errors import StudyError
from .i18n import Text, msg, render
from .importers import read_table
from .importers.base import ImportedTable
from .study import Study

__all__ = ["ROLES", "MAPPING_COLUMNS", "Draft", "DraftGroup", "guess_study", "guess_files",
           "draft_yaml", "draft_of_study", "reverse_suggestions", "clean_text", "MAX_LEVELS"]

#: what a column can be in a study; "ignore" columns are left out (with the reason in ``why``)
ROLES = ("item", "satisfaction", "loyalty", "nps", "expectation", "importance", "segment",
         "revenue", "cooperation_years", "attention", "comment", "contact", "keep", "ignore")
#: columns of a mapping table: the file's column, its role, its dimension (items), the code it is
#: renamed to, its display name, reverse scoring, the guesser's reverse suggestion, the item or
#: dimension an expectation / importance question refers to, and why (a Text)
MAPPING_COLUMNS = ["column", "role", "dimension", "item", "name", "reverse", "suggest_reverse",
                   "target", "why"]
MAX_LEVELS = 20
MIN_REVERSE_N = 10
SIMILAR = 0.3  # text similarity at which a match by order counts as confirmed

_WJX_MATRIX = "—"
_NUMBERED = re.compile(r"^\s*(?:第\s*)?(\d+)\s*(?:题)?\s*[、.．:：]\s*(.*)$", re.S)
_SUB = re.compile(r"^(?:第\s*(\d+)\s*题|(\d+))\s*[(（](.+)[)）]$", re.S)
_PREFIXED = re.compile(r"^([A-Za-z]+?)[_.-]?(\d+)$")
_TYPE_MARK = re.compile(r"[(（\[【]\s*(?:矩阵|单选|多选|量表|填空|排序|下拉|NPS|滑动|评分|比重|"
                        r"\*?必答)[^)）\]】]*[)）\]】]")
_QUOTES = "“”\"「」『』‘’'《》"
_TRAILING = "？?：:。.，,；; 　"
_OPEN = set("“\"「『‘'《(（，,、 ：:")
_CLOSE = set("”\"」』’'》)），,、 ：:")

_SATISFACTION = re.compile(r"满意|satisf", re.I)
_LOYALTY = re.compile(r"继续|再次|重复购买|回购|推荐给|向.{0,8}推荐|推荐.{0,6}(?:给|同行|朋友)|愿意推荐|"
                      r"价格.{0,6}上涨.{0,10}仍|仍(?:会|然|将)|续约|留下|repurchase|buy again|"
                      r"recommend|continue|stay with|switch", re.I)
_RECOMMEND = re.compile(r"推荐|recommend", re.I)
_LIKELY = re.compile(r"可能|愿意|多大|likely|how likely|probab", re.I)
_EXPECT = re.compile(r"期望|预期|expect", re.I)
_IMPORTANT = re.compile(r"重要|important|importance", re.I)
_ATTENTION = re.compile(r"请(?:直接)?选(?:择)?[“\"「].{1,8}[”\"」]|本题请选|为(?:了)?确保(?:问卷|数据|答题)质量|"
                        r"注意力|attention check|please (?:select|choose|mark)", re.I)
_CONTACT = re.compile(r"姓名|名字|联系人|联系方式|电话|手机号|邮箱|e-?mail|微信号|QQ|地址|单位名称|公司名称|"
                      r"企业名称|学校名称|\b(?:phone|name|address|contact|e-?mail)\b", re.I)
_FREE_TEXT = re.compile(r"建议|意见|评论|原因|为什么|还有什么|其他想法|说明|comment|suggest|why|remark|"
                        r"feedback|other", re.I)
_SEGMENT = re.compile(r"性别|年龄|学历|职位|职务|职级|岗位|部门|地区|区域|省份|城市|所在地|类型|类别|哪类|"
                      r"哪一类|哪种|属于|行业|"
                      r"规模|收入水平|婚姻|\b(?:gender|sex|age|region|area|city|type|industry|department|"
                      r"role|size|education)\b", re.I)
_REVENUE = re.compile(r"金额|销售额|采购额|收入|营业额|消费额|花费|revenue|amount|spend|sales", re.I)
_YEARS = re.compile(r"合作.{0,8}年|年限|years? of (?:cooperation|business)|customer for", re.I)
_IDENTIFIER = re.compile(r"^(?:序号|编号|工号|学号|id|编码|respondent ?id|user ?id|用户id|答卷编号)$", re.I)
_EMPLOYEE = re.compile(r"员工|职工|staff|employee|内部", re.I)
_CUSTOMER = re.compile(r"客户|顾客|用户|customer|client", re.I)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_NPS_HINT = re.compile(r"0\s*[-–~～至到]\s*10|nps", re.I)


@dataclass
class DraftGroup:
    """One file of the draft: its group, wave and mapping table (:data:`MAPPING_COLUMNS`)."""

    file: str  # the file's name, relative to the draft's folder
    group: str
    wave: str | None
    mapping: pd.DataFrame
    sheet: str | None = None


@dataclass
class Draft:
    """A guessed (and possibly edited) study: what :func:`draft_yaml` writes.

    ``groups`` are the files, the first describing the instrument (dimensions, roles, names);
    a later file's item rows carry the codes of the first file's items they were matched to.
    ``dimension_names``: dimension code -> display name. ``group_names``: group -> {zh, en}.
    ``scale_why`` says where the scale came from. ``questions`` are the matches the guesser is
    unsure of (Texts to show). ``extra`` keeps study-file keys the wizard does not edit (waves,
    weights, exclude...) when the draft was made from an existing study.
    """

    title: str
    scale: tuple[float, float]
    groups: list[DraftGroup]
    dimension_names: dict[str, str] = field(default_factory=dict)
    group_names: dict[str, dict[str, str]] = field(default_factory=dict)
    invalid: str = "error"
    scale_why: Text | str = ""
    questions: list[Text] = field(default_factory=list)
    folder: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def reference(self) -> pd.DataFrame:
        """The first file's mapping: it defines dimensions, roles and names."""
        return self.groups[0].mapping

    def dimensions(self) -> dict[str, list[str]]:
        """Dimension code -> item codes, in the first file's order."""
        items = self.reference[self.reference["role"] == "item"]
        out: dict[str, list[str]] = {}
        for row in items.itertuples():
            out.setdefault(str(row.dimension), []).append(str(row.item))
        return out

    def dimension_name(self, code: str) -> str:
        return self.dimension_names.get(code) or code

    def suggested_reverse(self) -> list[str]:
        """Items the guesser suggests to score reversed and that are not yet."""
        ref = self.reference
        return list(ref.loc[ref["suggest_reverse"] & ~ref["reverse"] & (ref["role"] == "item"),
                            "item"])

    def accept_reverse(self) -> None:
        """Score every suggested reverse-worded item reversed."""
        ref = self.reference
        ref.loc[ref["suggest_reverse"] & (ref["role"] == "item"), "reverse"] = True

    def new_dimension(self, name: str) -> str:
        """A new (still empty) dimension's code; it exists once an item is assigned to it."""
        taken = set(self.dimensions()) | set(self.dimension_names)
        code = next(f"D{n}" for n in range(1, len(taken) + 2) if f"D{n}" not in taken)
        self.dimension_names[code] = name
        return code

    def assign(self, columns: list[str], role: str, dimension: str = "") -> None:
        """Give the first file's ``columns`` a role (items: in ``dimension``); their codes stay.
        A later file's columns matched to those items follow them."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        ref = self.reference
        rows = ref["column"].isin(columns)
        ref.loc[rows, "role"] = role
        ref.loc[rows, "dimension"] = dimension if role == "item" else ""
        if role != "item":
            ref.loc[rows, "reverse"] = False
        why = msg("guess_why_unused") if role == "ignore" else msg("guess_why_assigned")
        for index in ref.index[rows]:
            ref.at[index, "why"] = why
        codes = dict(zip(ref["item"], zip(ref["role"], ref["dimension"])))
        for group in self.groups[1:]:
            mapping = group.mapping
            for index, row in mapping.iterrows():
                if row["item"] in codes and row["role"] in ("item", "satisfaction", "loyalty"):
                    mapping.at[index, "role"], mapping.at[index, "dimension"] = codes[row["item"]]

    def match(self, group: int, column: str, item: str | None) -> None:
        """Match a later file's ``column`` to the first file's ``item`` (None: leave it out)."""
        mapping, ref = self.groups[group].mapping, self.reference
        index = mapping.index[mapping["column"] == column][0]
        if item is None:
            mapping.loc[index, ["role", "dimension"]] = ["ignore", ""]
            mapping.at[index, "item"], mapping.at[index, "why"] = column, msg("guess_why_unused")
            return
        source = ref[ref["item"] == item].iloc[0]
        mapping.loc[index, ["role", "dimension", "item"]] = [source["role"], source["dimension"],
                                                             item]
        mapping.at[index, "why"] = msg("guess_why_assigned")


# ---------------------------------------------------------------------------- texts

def clean_text(text: str) -> str:
    """A question or row text as a label: numbering, type markers (``(矩阵单选题 *必答)``),
    quotes and trailing punctuation removed, white space collapsed."""
    text = _TYPE_MARK.sub("", str(text))
    numbered = _NUMBERED.match(text)
    if numbered:
        text = numbered.group(2)
    text = text.translate({ord(q): None for q in _QUOTES})
    return " ".join(text.split()).strip(_TRAILING)


def _similarity(a: str, b: str) -> float:
    """Character similarity of two texts (difflib ratio, after :func:`clean_text`)."""
    return difflib.SequenceMatcher(None, clean_text(a), clean_text(b), autojunk=False).ratio()


def _distinct_names(stems: list[str]) -> list[str]:
    """Names of sibling questions: the part of each stem between the text they all share at
    the start and at the end (cut at punctuation or quotes, so that a word is not split), or the
    whole cleaned stems when that leaves nothing distinct."""
    cleaned = [clean_text(s) for s in stems]
    raw = [_TYPE_MARK.sub("", s) for s in stems]
    raw = [(_NUMBERED.match(s).group(2) if _NUMBERED.match(s) else s).strip().strip(_TRAILING)
           for s in raw]
    if len(raw) < 2:
        return cleaned
    prefix = os.path.commonprefix(raw)
    while prefix and prefix[-1] not in _OPEN:
        prefix = prefix[:-1]
    suffix = os.path.commonprefix([s[::-1] for s in raw])[::-1]
    while suffix and suffix[0] not in _CLOSE:
        suffix = suffix[1:]
    if len(prefix) + len(suffix) < 4:
        return cleaned
    middles = [clean_text(s[len(prefix):len(s) - len(suffix)]) for s in raw]
    if all(middles) and len(set(middles)) == len(middles):
        return middles
    return cleaned


# ---------------------------------------------------------------------------- columns

@dataclass
class _Column:
    """One column of an export as the guesser sees it."""

    name: str
    position: int
    number: str | None  # question number
    stem: str  # the question's text (raw, before cleaning)
    row: str | None  # matrix row / option label
    block: str  # columns of one question share a block key
    kind: str = "text"  # meta, multi, rating, number, text, empty
    codes: pd.Series | None = None
    levels: int = 0
    answered: int = 0
    seven: bool = False  # labels of a 7-point set
    length: float = 0.0  # mean length of text answers

    @property
    def text(self) -> str:
        return f"{self.stem} {self.row or ''}".strip()


def _header(column: str, position: int, table: ImportedTable) -> _Column:
    question = str(table.questions.get(column, ""))
    if _WJX_MATRIX in question and table.format == "wjx":
        stem, row = question.rsplit(_WJX_MATRIX, 1)
        numbered = _NUMBERED.match(stem)
        number = numbered.group(1) if numbered else None
        return _Column(column, position, number, stem, row.strip(), f"q{number or stem}")
    sub = _SUB.match(column)
    if sub:
        number = sub.group(1) or sub.group(2)
        return _Column(column, position, number, f"第{number}题", sub.group(3).strip(),
                       f"q{number}")
    text = question if question and not question.startswith("第") else column
    if " - " in text and question:  # SurveyMonkey / Qualtrics "question - row"
        stem, row = text.rsplit(" - ", 1)
        return _Column(column, position, None, stem, row, f"t{stem}")
    numbered = _NUMBERED.match(column)
    if numbered:
        return _Column(column, position, numbered.group(1), column, None,
                       f"single{position}")
    prefixed = _PREFIXED.match(column)
    if prefixed:
        return _Column(column, position, None, text, None, f"p{prefixed.group(1).upper()}")
    return _Column(column, position, None, text, None, f"single{position}")


class _Coder:
    """Codes of every distinct answer text of a file, found with one call of
    :func:`surveys.coding.code_answers` per scale length (5 points, else 7) for the whole file."""

    def __init__(self, texts: list[str]):
        distinct = pd.Series(list(dict.fromkeys(texts)), dtype=object)
        self.five = self._codes(distinct, None)
        self.seven = self._codes(distinct, (1, 7))

    @staticmethod
    def _codes(texts: pd.Series, scale) -> dict[str, float]:
        coded = code_answers(texts, scale=scale)
        bad = set(coded.invalid.index)
        return {t: c for i, (t, c) in enumerate(zip(texts, coded.codes)) if i not in bad}

    def code(self, values: pd.Series) -> tuple[pd.Series | None, bool]:
        """(codes, 7-point labels) of a column, or (None, False) when an answer is not a rating."""
        texts = values.dropna().astype(str)
        distinct = set(texts)
        for table, seven in ((self.five, False), (self.seven, True)):
            if distinct <= table.keys():
                return values.map(table, na_action="ignore").astype("float64"), seven
        return None, False


def _describe(column: _Column, values: pd.Series, coder: _Coder) -> None:
    """Fill in the kind of answers and their codes."""
    answers = values.dropna()
    column.answered = int(len(answers))
    column.levels = int(answers.astype(str).nunique()) if len(answers) else 0
    if not len(answers):
        column.kind = "empty"
        return
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        codes = values.astype("float64")
    else:
        codes, column.seven = coder.code(values)
        if codes is None:
            column.kind = "text"
            column.length = float(answers.astype(str).str.len().mean())
            return
    present = codes.dropna()
    whole = bool((present == np.round(present)).all())
    column.codes = codes
    column.kind = ("rating" if whole and present.min() >= 0 and present.max() <= 10
                   and column.levels <= 11 else "number")


def _columns(table: ImportedTable) -> list[_Column]:
    meta = set(table.meta_columns.values())
    multi = {c for options in table.multi_select.values() for c in options} | set(table.multi_select)
    frame = table.frame
    asked = [c for c in frame.columns if c not in meta and c not in multi
             and not pd.api.types.is_numeric_dtype(frame[c].dtype)]
    coder = _Coder([t for c in asked for t in pd.unique(frame[c].dropna().astype(str))])
    out = []
    for position, name in enumerate(frame.columns):
        column = _header(str(name), position, table)
        if name in meta:
            column.kind = "meta"
        elif name in multi:
            column.kind = "multi"
        else:
            _describe(column, frame[name], coder)
        out.append(column)
    _plain_runs(out)
    return out


def _plain_runs(columns: list[_Column]) -> None:
    """Consecutive rating columns without a question number or prefix form one block."""
    run = 0
    previous = False
    for column in columns:
        plain = (column.kind == "rating" and column.block.startswith("single")
                 and column.number is None)
        if plain:
            if not previous:
                run += 1
            column.block = f"run{run}"
        previous = plain


# ---------------------------------------------------------------------------- one file

def _why(key: str, **values) -> Text:
    return msg(f"guess_why_{key}", **values)


def _is_ranking(block: list[_Column], frame: pd.DataFrame) -> bool:
    """Option columns ranked 1..k: each respondent's ranks differ from each other."""
    if len(block) < 2 or any(c.codes is None for c in block):
        return False
    codes = np.column_stack([c.codes.to_numpy(dtype=float) for c in block])
    answered = (~np.isnan(codes)).sum(axis=1) >= 2
    if not answered.any() or np.nanmax(codes) > len(block) or np.nanmin(codes) < 1:
        return False
    ordered = np.sort(codes[answered], axis=1)  # NaN last; a tie gives a zero difference
    distinct = ~(np.diff(ordered, axis=1) == 0).any(axis=1)
    return bool(distinct.mean() >= 0.9)


def _rating_scale(columns: list[_Column]) -> tuple[tuple[float, float], Text | str]:
    """The scale of rating columns: 7 points when their labels say so, else from the answers."""
    codes = [c.codes.dropna() for c in columns if c.codes is not None]
    if not codes:
        return (1.0, 5.0), msg("guess_scale_default")
    values = pd.concat(codes)
    if any(c.seven for c in columns):
        return (1.0, 7.0), msg("guess_scale_labels", points=7)
    low = 0.0 if values.min() == 0 else 1.0
    top = float(values.max())
    high = next((h for h in (5.0, 7.0, 10.0) if h >= top), top)
    return (low, high), msg("guess_scale_answers", low=f"{values.min():g}", high=f"{top:g}")


def _block_role(block: list[_Column]) -> str:
    """The role a rating matrix's rows play, from their wording."""
    stem = block[0].stem if block[0].row else ""
    rows = [c.row or c.stem for c in block]
    if _EXPECT.search(stem) or sum(bool(_EXPECT.search(r)) for r in rows) * 2 > len(rows):
        return "expectation"
    if _IMPORTANT.search(stem) and not _SATISFACTION.search(stem):
        return "importance"
    if sum(bool(_LOYALTY.search(r)) for r in rows) * 2 > len(rows):
        return "loyalty"
    if sum(bool(_SATISFACTION.search(r)) for r in rows) * 2 > len(rows):
        return "satisfaction"
    return "item"


@dataclass
class _FileGuess:
    file: str
    table: ImportedTable
    columns: list[_Column]
    mapping: pd.DataFrame
    group: str
    wave: str | None
    dimension_names: dict[str, str]
    blocks: dict[str, list[str]]  # dimension code -> columns, for matching


def _code_of(column: _Column, used: set[str]) -> str:
    """A short code for a single question: Q<number>, the column itself when it is short and
    plain, else C<position>."""
    if column.number:
        code = f"Q{column.number}"
    elif re.fullmatch(r"[\w\u4e00-\u9fff]{1,12}", column.name):
        code = column.name
    else:
        code = f"C{column.position + 1}"
    base, k = code, 2
    while code in used:
        code, k = f"{base}_{k}", k + 1
    used.add(code)
    return code


def _guess_file(file: str, table: ImportedTable, index: int) -> _FileGuess:
    columns = _columns(table)
    frame = table.frame
    blocks: dict[str, list[_Column]] = {}
    for column in columns:
        blocks.setdefault(column.block, []).append(column)
    rows: dict[str, dict] = {}

    def put(column: _Column, role: str, why: Text | str = "", **fields) -> None:
        rows[column.name] = {"column": column.name, "role": role, "dimension": "",
                             "item": column.name, "name": "", "reverse": False,
                             "suggest_reverse": False, "target": "", "why": why, **fields}

    # ratings first: the dimensions' scale decides what counts as another scale
    matrices = [b for b in blocks.values()
                if len(b) >= 2 and all(c.kind == "rating" for c in b)
                and not _is_ranking(b, frame)]
    dimension_blocks = [b for b in matrices if _block_role(b) == "item"]
    scale, _ = _rating_scale([c for b in dimension_blocks for c in b]
                             or [c for c in columns if c.kind == "rating"])
    used: set[str] = set()
    names = _distinct_names([b[0].stem for b in dimension_blocks])
    dimension_names, block_columns = {}, {}
    for n, (block, name) in enumerate(zip(dimension_blocks, names), start=1):
        first = block[0]
        if first.block.startswith("p"):
            code = first.block[1:]
        elif first.number:
            code = f"Q{first.number}"
        else:
            code = f"D{n}"
        used.add(code)
        if not first.block.startswith("p"):
            dimension_names[code] = name if first.number or first.block.startswith("t") \
                else msg("guess_dimension_default", n=n)
        block_columns[code] = [c.name for c in block]
        for k, column in enumerate(block, start=1):
            item = column.name if first.block.startswith("p") else f"{code}_{k}"
            used.add(item)
            put(column, "item", dimension=code, item=item, name=clean_text(column.row or "")
                if column.row else ("" if item == column.name else clean_text(column.stem)))
    for block in matrices:
        role = _block_role(block)
        if role == "item":
            continue
        for k, column in enumerate(block, start=1):
            item = f"Q{column.number}_{k}" if column.number else _code_of(column, used)
            used.add(item)
            put(column, role, item=item, name=clean_text(column.row or column.stem),
                why=_why(f"matrix_{role}"))
    for block in blocks.values():
        if block in matrices:
            continue
        ranking = _is_ranking(block, frame)
        for column in block:
            if column.name in rows:
                continue
            role, why, extra = _single(column, block, ranking, scale)
            code = column.name if column.kind == "meta" else _code_of(column, used)
            put(column, role, why, item=code, **extra,
                name="" if code == column.name else clean_text(column.text))
    mapping = _mapping([rows[c.name] for c in columns])
    _pair_targets(mapping, dimension_names)
    group, wave = _group_of(file, columns, index)
    return _FileGuess(file, table, columns, mapping, group, wave, dimension_names, block_columns)


def _asked_code(column: _Column, text: str) -> tuple[str, float] | None:
    """The answer an attention check asks for ("请选择“同意”") and its code, when the column's
    answers are codes and the quoted answer is one of the built-in labels."""
    quoted = re.search(r"[“\"「]([^”\"」]{1,8})[”\"」]", text)
    if column.codes is None or not quoted:
        return None
    coded = code_answers(pd.Series([quoted.group(1)]), scale=(1, 7) if column.seven else None)
    code = coded.codes.iloc[0]
    return None if np.isnan(code) else (quoted.group(1), float(code))


def _mapping(rows: list[dict]) -> pd.DataFrame:
    """A mapping table from row dicts; ``why`` stays ``object`` so that its Texts survive (pandas'
    string dtype would keep only their English)."""
    why = pd.Series([row["why"] for row in rows], dtype=object)
    mapping = pd.DataFrame([{**row, "why": ""} for row in rows], columns=MAPPING_COLUMNS)
    mapping["why"] = why
    mapping["reverse"] = mapping["reverse"].astype(bool)
    mapping["suggest_reverse"] = mapping["suggest_reverse"].astype(bool)
    return mapping


def _single(column: _Column, block: list[_Column], ranking: bool,
            scale: tuple[float, float]) -> tuple[str, Text | str, dict]:
    """Role, reason and extra fields of a column that is not a row of a rating matrix."""
    text = column.text
    if column.kind == "meta":
        return "ignore", _why("meta"), {}
    if column.kind == "multi":
        return "ignore", _why("multi"), {}
    if ranking:
        return "ignore", _why("ranking"), {}
    if column.kind == "empty":
        return "ignore", _why("empty"), {}
    if _IDENTIFIER.match(column.name.strip()) and column.levels == column.answered:
        return "ignore", _why("identifier"), {}
    if _ATTENTION.search(text):
        asked = _asked_code(column, text)
        if asked is None:
            return "ignore", _why("attention"), {}
        return "attention", _why("attention_asks", answer=asked[0], code=f"{asked[1]:g}"), \
            {"target": f"{asked[1]:g}"}
    if column.kind == "rating":
        top = float(column.codes.max())
        ten = top > 7 or bool(_NPS_HINT.search(text))
        if ten and _RECOMMEND.search(text) and (_LIKELY.search(text) or _NPS_HINT.search(text)):
            return "nps", _why("nps"), {}
        if column.levels <= 1:
            return "ignore", _why("constant"), {}
        if ten and scale[1] < 10:
            return "ignore", _why("other_scale", scale=f"{scale[0]:g}-{scale[1]:g}"), {}
        if _SATISFACTION.search(text):
            return "satisfaction", _why("satisfaction"), {}
        if _LOYALTY.search(text):
            return "loyalty", _why("loyalty"), {}
        if _SEGMENT.search(text) and 2 <= column.levels <= MAX_LEVELS:
            return "segment", _why("segment"), {}
        if column.block.startswith("run") and len(block) >= 2:
            return "item", "", {}
        return "ignore", _why("single_rating"), {}
    if _CONTACT.search(text) and not _SEGMENT.search(text):
        return "contact", _why("contact"), {}
    if column.kind == "number":
        if _REVENUE.search(text):
            return "revenue", _why("revenue"), {}
        if _YEARS.search(text):
            return "cooperation_years", _why("years"), {}
        return "ignore", _why("number"), {}
    if column.levels <= 1:
        return "ignore", _why("constant"), {}
    if _FREE_TEXT.search(text) and not _SEGMENT.search(text):
        return "comment", _why("free_text"), {}
    if column.levels <= MAX_LEVELS and (_SEGMENT.search(text)
                                        or column.levels * 2 <= column.answered):
        return "segment", _why("segment"), {}
    if column.length >= 4:
        return "comment", _why("free_text"), {}
    return "ignore", _why("many_levels", n=column.levels), {}


def _pair_targets(mapping: pd.DataFrame, dimension_names: dict[str, str]) -> None:
    """Expectation rows -> the item whose name they repeat; importance rows -> the dimension
    they name. Rows without a close enough partner are left out."""
    items = mapping[mapping["role"] == "item"]
    for index, row in mapping.iterrows():
        if row["role"] == "expectation":
            label = re.sub(r"^(?:期望|预期|expectation)\s*[:：]?\s*", "", row["name"])
            choices = {r.item: r.name for r in items.itertuples()}
        elif row["role"] == "importance":
            label = row["name"]
            choices = {code: render(name, "zh") for code, name in dimension_names.items()}
        else:
            continue
        best = max(choices, key=lambda code: _similarity(label, choices[code]), default=None)
        if best is not None and _similarity(label, choices[best]) >= 0.6:
            mapping.at[index, "target"] = best
        else:
            mapping.at[index, "role"] = "ignore"
            mapping.at[index, "why"] = _why(f"no_{row['role']}_target")


def _group_of(file: str, columns: list[_Column], index: int) -> tuple[str, str | None]:
    stem = Path(file).stem
    year = _YEAR.search(stem)
    if _EMPLOYEE.search(stem):
        group = "employees"
    elif _CUSTOMER.search(stem):
        group = "customers"
    else:
        texts = [c.row or c.stem for c in columns if c.kind == "rating"]
        ours = sum(t.strip().startswith(("我们", "我司", "本公司", "We ", "we ", "Our ")) for t in texts)
        group = "employees" if texts and ours * 2 > len(texts) else (
            "customers" if index == 0 else f"group{index + 1}")
    return group, year.group(1) if year else None


# ---------------------------------------------------------------------------- reverse items

def reverse_suggestions(codes: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Items of one dimension that run against it: item -> (corrected item-total r, loading on
    the first principal component).

    An item is suggested when its corrected item-total correlation (the item against the sum of
    the dimension's other items, complete cases) is negative *and* its loading on the first
    principal component of the items' correlation matrix has the other sign than most items'
    loadings. Needs at least three items and :data:`MIN_REVERSE_N` complete cases.
    """
    complete = codes.dropna()
    if codes.shape[1] < 3 or len(complete) < MIN_REVERSE_N:
        return {}
    values = complete.to_numpy(dtype=float)
    if (values.std(axis=0) == 0).any():
        return {}
    total = values.sum(axis=1)
    citc = np.array([np.corrcoef(values[:, j], total - values[:, j])[0, 1]
                     for j in range(values.shape[1])])
    eigenvalues, vectors = np.linalg.eigh(np.corrcoef(values, rowvar=False))
    loading = vectors[:, -1] * np.sqrt(eigenvalues[-1])
    if (loading > 0).sum() < (loading < 0).sum():
        loading = -loading
    return {item: (float(r), float(l)) for item, r, l in zip(codes.columns, citc, loading)
            if r < 0 and l < 0}


def _suggest_reverse(guess: _FileGuess) -> None:
    mapping = guess.mapping.set_index("column", drop=False)
    for code, columns in guess.blocks.items():
        codes = pd.concat([c.codes for c in guess.columns if c.name in columns], axis=1)
        codes.columns = columns
        for column, (r, loading) in reverse_suggestions(codes).items():
            mapping.at[column, "suggest_reverse"] = True
            mapping.at[column, "why"] = msg("guess_why_reverse", r=f"{r:.2f}",
                                            loading=f"{loading:.2f}")
    guess.mapping = mapping.reset_index(drop=True)


# ---------------------------------------------------------------------------- several files

def _match(reference: _FileGuess, other: _FileGuess) -> list[Text]:
    """Give ``other``'s rating items the codes of ``reference``'s items: by the order of the
    matrix questions when their row counts agree (else by the order of all items when their
    numbers agree, else by text alone), each match confirmed by text similarity. Returns the
    questions for the user (matches the text does not confirm)."""
    ref = reference.mapping[reference.mapping["role"] == "item"]
    mine = other.mapping[other.mapping["role"] == "item"]
    ref_sizes = [len(c) for c in reference.blocks.values()]
    my_sizes = [len(c) for c in other.blocks.values()]
    ref_items, ref_names = list(ref["item"]), list(ref["name"].replace("", np.nan)
                                                  .fillna(ref["column"]))
    my_columns = list(mine["column"])
    my_texts = [c.row or c.stem for c in other.columns if c.name in set(my_columns)]
    # the order of the matrices with the same row counts, or of all items when they are as many
    by_order = my_sizes == ref_sizes or len(my_columns) == len(ref_items)
    pairs: dict[str, tuple[str, float]] = {}
    if by_order:
        for column, text, item, name in zip(my_columns, my_texts, ref_items, ref_names):
            pairs[column] = (item, _similarity(text, name))
    else:
        from scipy.optimize import linear_sum_assignment

        sim = np.array([[_similarity(t, n) for n in ref_names] for t in my_texts])
        rows, cols = linear_sum_assignment(-sim) if sim.size else ([], [])
        for r, c in zip(rows, cols):
            pairs[my_columns[r]] = (ref_items[c], float(sim[r, c]))
    questions = []
    mapping = other.mapping.set_index("column", drop=False)
    owner = dict(zip(ref["item"], ref["dimension"]))
    name_of = dict(zip(ref_items, ref_names))
    for column, text in zip(my_columns, my_texts):
        if column not in pairs:
            mapping.at[column, "role"] = "ignore"
            mapping.at[column, "why"] = _why("unmatched")
            continue
        item, similarity = pairs[column]
        best = max(_similarity(text, n) for n in ref_names)
        sure = similarity >= SIMILAR and similarity >= best - 0.05
        mapping.at[column, "item"] = item
        mapping.at[column, "dimension"] = owner[item]
        mapping.at[column, "name"] = ""
        why = msg("guess_why_matched", item=name_of[item], similarity=f"{similarity:.2f}")
        if not sure:
            why = msg("guess_why_unsure", item=name_of[item], similarity=f"{similarity:.2f}")
            questions.append(msg("guess_question_match", group=other.group, column=column,
                                 item=name_of[item], similarity=f"{similarity:.2f}"))
        mapping.at[column, "why"] = why
    # other roles: the reference's code when the wording matches, else the file's own code
    ref_codes = set(reference.mapping["item"])
    for index, row in mapping.iterrows():
        if row["role"] in ("item", "ignore"):
            continue
        same = reference.mapping[reference.mapping["role"] == row["role"]]
        text = row["name"] or row["column"]
        best = max(same.itertuples(), default=None,
                   key=lambda r: _similarity(text, r.name or r.column))
        if best is not None and _similarity(text, best.name or best.column) >= 0.6:
            mapping.at[index, "item"] = best.item
        elif row["item"] in ref_codes:
            mapping.at[index, "item"] = f"{other.group}_{row['item']}"
    other.mapping = mapping.reset_index(drop=True)
    return questions


# ---------------------------------------------------------------------------- the draft

def guess_files(tables: dict[str, ImportedTable], title: str | None = None,
                folder: str | Path | None = None) -> Draft:
    """The draft of a study from its files (file name -> imported table), the first file
    describing the instrument."""
    if not tables:
        raise StudyError(msg("guess_no_files"))
    guesses = [_guess_file(name, table, i) for i, (name, table) in enumerate(tables.items())]
    # the instrument comes from the file with the most rating matrices (the customers' first)
    guesses.sort(key=lambda g: (-len(g.blocks), g.group != "customers"))
    reference = guesses[0]
    _suggest_reverse(reference)
    questions = []
    for other in guesses[1:]:
        questions += _match(reference, other)
    _unique_groups(guesses)
    ratings = [c for g in guesses for c in g.columns
               if c.name in set(g.mapping.loc[g.mapping["role"].isin(
                   ("item", "satisfaction", "loyalty", "expectation", "importance")), "column"])]
    scale, why = _rating_scale(ratings)
    names = {}
    for g in guesses:
        names[g.group] = _GROUP_NAMES.get(g.group, {"zh": g.group})
    default_title = _default_title(reference)
    return Draft(title=title or default_title, scale=scale,
                 groups=[DraftGroup(g.file, g.group, g.wave, g.mapping) for g in guesses],
                 dimension_names=dict(reference.dimension_names), group_names=names,
                 scale_why=why, questions=questions,
                 folder=None if folder is None else str(folder))


def _default_title(reference: _FileGuess) -> str:
    """客户调查 2019 from customers_2019.xlsx; the file's name when its group is not known."""
    known = _GROUP_NAMES.get(reference.group)
    if known is None:
        return Path(reference.file).stem.replace("_", " ")
    return f"{known['zh']}调查" + (f" {reference.wave}" if reference.wave else "")


_GROUP_NAMES = {"customers": {"zh": "客户", "en": "Customers"},
                "employees": {"zh": "员工", "en": "Employees"}}


def _unique_groups(guesses: list[_FileGuess]) -> None:
    """Files of one group with different years are its waves; otherwise each file its group."""
    seen: dict[tuple[str, str | None], int] = {}
    for g in guesses:
        key = (g.group, g.wave)
        if key in seen:
            seen[key] += 1
            g.group = f"{g.group}{seen[key]}"
        else:
            seen[key] = 1


def guess_study(paths: list[str | Path], title: str | None = None) -> Draft:
    """Read export files and guess their study (see the module docstring)."""
    paths = [Path(p) for p in paths]
    folders = {p.resolve().parent for p in paths}
    tables = {p.name: read_table(p) for p in paths}
    return guess_files(tables, title, folder=next(iter(folders)) if len(folders) == 1 else None)


# ---------------------------------------------------------------------------- YAML

def _scalar(value) -> str:
    """A YAML scalar: plain when that reads back as the same text, else double-quoted."""
    text = str(value)
    plain = (re.fullmatch(r"[\w\u4e00-\u9fff][\w\u4e00-\u9fff .()（）/+-]*", text)
             and not re.fullmatch(r"(?i)y|n|yes|no|on|off|true|false|null|~|[\d.eE+-]+", text)
             and not text.endswith(" "))
    if plain:
        try:
            if yaml.safe_load(f"k: {text}") == {"k": text}:
                return text
        except yaml.YAMLError:
            pass
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") \
        .replace("\t", "\\t") + '"'


def _flow(items) -> str:
    return "[" + ", ".join(_scalar(i) for i in items) + "]"


def _comment(text: Text | str, lang: str) -> str:
    return " ".join(render(text, lang).split())


def _wave_groups(draft: Draft) -> tuple[str | None, list[DraftGroup], dict[str, list[DraftGroup]]]:
    """(current wave, its files, earlier waves' files): a group with files of several years has
    the latest under groups and the others under waves."""
    by_group: dict[str, list[DraftGroup]] = {}
    for g in draft.groups:
        by_group.setdefault(g.group, []).append(g)
    waves = sorted({g.wave for g in draft.groups if g.wave})
    current = waves[-1] if waves else None
    now, earlier = [], {}
    for files in by_group.values():
        files = sorted(files, key=lambda g: g.wave or "")
        now.append(files[-1])
        for g in files[:-1]:
            earlier.setdefault(g.wave, []).append(g)
    return current, now, earlier


def draft_yaml(draft: Draft, lang: str = "zh") -> str:
    """The draft as a study file: every key with a comment saying where it came from, and the
    left-out columns with the reason, as comments (in ``lang``)."""
    say = lambda key, **v: _comment(msg(key, **v), lang)  # noqa: E731
    ref = draft.reference
    lines = [f"# {say('guess_yaml_head', files=', '.join(Path(g.file).name for g in draft.groups))}",
             f"# {say('guess_yaml_edit')}",
             f"title: {_scalar(draft.title)}",
             f"scale: {{min: {draft.scale[0]:g}, max: {draft.scale[1]:g}}}"
             + (f"  # {_comment(draft.scale_why, lang)}" if draft.scale_why else "")]
    if draft.invalid != "error":
        lines.append(f"invalid: {draft.invalid}  # {say('guess_yaml_invalid')}")
    current, now, earlier = _wave_groups(draft)
    if current:
        lines.append(f"wave: {_scalar(current)}  # {say('guess_yaml_wave')}")
    lines.append("groups:")
    for g in now:
        lines += _group_lines(g, "  ", lang)
    if earlier:
        lines.append("waves:")
        for wave in sorted(earlier):
            lines.append(f"  {_scalar(wave)}:")
            for g in earlier[wave]:
                lines += _group_lines(g, "    ", lang)
    dimensions = draft.dimensions()
    if not dimensions:
        raise StudyError(msg("mapping_no_item"), expected=msg("mapping_no_item_expected"))
    lines.append("dimensions:")
    for code, items in dimensions.items():
        name = draft.dimension_name(code)
        note = f"  # {_comment(name, lang)}" if name != code else ""
        lines.append(f"  {_scalar(code)}: {_flow(items)}{note}")
    reverse = list(dict.fromkeys(ref.loc[ref["reverse"].astype(bool), "item"]))
    if reverse:
        lines.append(f"reverse: {_flow(reverse)}")
        for row in ref[ref["reverse"].astype(bool)].itertuples():
            why = row.why if row.suggest_reverse else msg("guess_why_reverse_chosen")
            lines.append(f"#   {row.item}: {_comment(why, lang)}")
    for role in ("satisfaction", "loyalty"):
        codes = _codes(draft, role)
        if codes:
            lines.append(f"{role}: {_flow(codes)}  # {say('guess_yaml_' + role)}")
    for role, key in (("nps", "nps"), ("revenue", "revenue"), ("cooperation_years", "cooperation_years")):
        codes = _codes(draft, role)
        if codes:
            lines.append(f"{key}: {_scalar(codes[0])}  # {say('guess_yaml_' + role)}")
    for role in ("expectation", "importance"):
        pairs = {r.target: r.item for g in draft.groups
                 for r in g.mapping[g.mapping["role"] == role].itertuples() if r.target}
        if pairs:
            lines.append(f"{role}:  # {say('guess_yaml_' + role)}")
            lines += [f"  {_scalar(t)}: {_scalar(i)}" for t, i in pairs.items()]
    segments = _codes(draft, "segment")
    if segments:
        lines.append(f"segments: {_flow(segments)}  # {say('guess_yaml_segments')}")
    comments = _codes(draft, "comment")
    if comments:
        lines.append(f"comments: {_flow(comments)}  # {say('guess_yaml_comments')}")
    contact = _codes(draft, "contact")
    if contact:
        lines.append(f"contact: {_flow(contact)}  # {say('guess_yaml_contact')}")
    careless = dict(draft.extra.get("careless") or {})
    asked = {r.item: float(r.target) for g in draft.groups
             for r in g.mapping[g.mapping["role"] == "attention"].itertuples() if r.target}
    if asked:
        careless["attention"] = asked
    if careless:
        lines.append(f"careless: {_inline(careless)}  # {say('guess_yaml_careless')}")
    lines += _pls_proposal(draft, lang)
    groups = list(dict.fromkeys(g.group for g in now))
    if len(groups) >= 2 and "compare" not in draft.extra:
        lines.append(f"compare: {_flow(groups[:2])}  # {say('guess_yaml_compare')}")
    for key, value in draft.extra.items():
        if key == "careless":
            continue
        lines += yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False,
                                width=100).rstrip("\n").splitlines()
    lines += _names_lines(draft)
    lines += _left_out_lines(draft, lang)
    if draft.questions:
        lines.append(f"# {say('guess_yaml_questions')}")
        lines += [f"#   {_comment(q, lang)}" for q in draft.questions]
    return "\n".join(lines) + "\n"


def _pls_proposal(draft: Draft, lang: str) -> list[str]:
    """A structural model to switch on (commented out: it costs a bootstrap on every run): every
    dimension -> satisfaction -> loyalty, when the study has both and no ``pls:`` yet."""
    if "pls" in draft.extra or not (_codes(draft, "satisfaction") and _codes(draft, "loyalty")):
        return []
    paths = [f"{code} -> satisfaction" for code in draft.dimensions()] + ["satisfaction -> loyalty"]
    return ([f"# {_comment(msg('guess_yaml_pls'), lang)}", "# pls:", "#   paths:"]
            + [f"#     - {path}" for path in paths] + ["#   bootstrap: 200"])


def _inline(value) -> str:
    """A small mapping in flow style: {attention: {Q10: 4}}."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:g}"
    return _scalar(value) if isinstance(value, str) else str(value)


def _codes(draft: Draft, role: str) -> list[str]:
    """The codes of a role over every file, first file first, each once."""
    return list(dict.fromkeys(r.item for g in draft.groups
                              for r in g.mapping[g.mapping["role"] == role].itertuples()))


def _group_lines(g: DraftGroup, indent: str, lang: str) -> list[str]:
    used = g.mapping[g.mapping["role"] != "ignore"]
    lines = [f"{indent}{_scalar(g.group)}:", f"{indent}  file: {_scalar(g.file)}"]
    if g.sheet:
        lines.append(f"{indent}  sheet: {_scalar(g.sheet)}")
    renamed = [r for r in used.itertuples() if str(r.column) != str(r.item)]
    if renamed:
        lines.append(f"{indent}  rename:")
        for r in renamed:
            note = ""
            if isinstance(r.why, Text) and r.why.key in ("guess_why_unsure", "guess_why_matched"):
                note = f"  # {_comment(r.why, lang)}"
            lines.append(f"{indent}    {_scalar(r.column)}: {_scalar(r.item)}{note}")
    return lines


def _names_lines(draft: Draft) -> list[str]:
    names: dict[str, dict[str, str]] = {}
    for group, texts in draft.group_names.items():
        if any(t != group for t in texts.values()):
            names[group] = dict(texts)
    for code, name in draft.dimension_names.items():
        if code in draft.dimensions() and render(name, "zh") != code:
            names[code] = {"zh": render(name, "zh"), "en": render(name, "en")} \
                if isinstance(name, Text) else {"zh": str(name)}
    for g in draft.groups:
        for r in g.mapping[(g.mapping["role"] != "ignore") & (g.mapping["name"] != "")].itertuples():
            if r.item not in names and r.name != r.item:
                names[r.item] = {"zh": str(r.name)}
    if not names:
        return []
    lines = ["names:"]
    for code, texts in names.items():
        if set(texts) == {"zh"}:
            lines.append(f"  {_scalar(code)}: {_scalar(texts['zh'])}")
        else:
            inner = ", ".join(f"{lang}: {_scalar(t)}" for lang, t in texts.items())
            lines.append(f"  {_scalar(code)}: {{{inner}}}")
    return lines


def _left_out_lines(draft: Draft, lang: str) -> list[str]:
    lines = []
    for g in draft.groups:
        left = g.mapping[g.mapping["role"] == "ignore"]
        if left.empty:
            continue
        lines.append(f"# {_comment(msg('guess_yaml_left_out', file=g.file), lang)}")
        by_reason: dict[str, list[str]] = {}
        for r in left.itertuples():
            by_reason.setdefault(_comment(r.why or msg("guess_why_unused"), lang), []).append(
                " ".join(str(r.column).split()))
        for reason, columns in by_reason.items():
            lines.append(f"#   {reason}: {'; '.join(columns)}")
    return lines


# ---------------------------------------------------------------------------- from a study

def draft_of_study(study: Study, folder: str | Path | None = None) -> Draft:
    """The draft of an existing study (its current wave's files), for editing it in the
    wizard: the guess of its files with the study's own roles, codes, names and reverse items;
    keys the wizard does not edit are kept in :attr:`Draft.extra`."""
    sources = study.sources_of(study.wave)
    tables = {s.file.name: read_table(s.file, sheet=s.sheet) for s in sources}
    guess = guess_files(tables, study.title, folder=folder or (sources[0].file.parent
                                                              if sources else None))
    owner = {item: dim for dim, items in study.dimensions.items() for item in items}
    roles = {**{c: "satisfaction" for c in study.satisfaction},
             **{c: "loyalty" for c in study.loyalty},
             **{c: "segment" for c in study.segments},
             **{c: "expectation" for c in study.expectation.values()},
             **{c: "importance" for c in study.importance.values()},
             **{c: "attention" for c in (study.careless.get("attention") or {})},
             **{c: "comment" for c in study.comments},
             **{c: "contact" for c in study.contact}}
    for key in ("nps", "revenue", "cooperation_years"):
        if getattr(study, key):
            roles[getattr(study, key)] = key
    targets = {**{v: k for k, v in study.expectation.items()},
               **{v: k for k, v in study.importance.items()},
               **{c: f"{float(code):g}" for c, code in (study.careless.get("attention") or {}).items()}}
    groups = []
    for source, draft_group in zip(sources, guess.groups):
        rows = []
        for row in draft_group.mapping.to_dict("records"):
            code = source.rename.get(row["column"], row["column"])
            role = "item" if code in owner else roles.get(code, "ignore")
            if role == "ignore" and code != row["column"]:
                role = "keep"  # renamed by the study: other keys (ladder, pls...) may use the code
            why = row["why"] if role == row["role"] or role == "ignore" and row["role"] == "ignore" \
                else (msg("guess_why_not_in_study") if role == "ignore"
                      else msg("guess_why_keep") if role == "keep" else "")
            rows.append({**row, "role": role, "item": code, "dimension": owner.get(code, ""),
                         "name": study.name(code) if study.name(code) != code else "",
                         "reverse": code in study.reverse,
                         "suggest_reverse": bool(row["suggest_reverse"]) and code in study.reverse,
                         "target": targets.get(code, ""), "why": why})
        mapping = _mapping(rows)
        groups.append(replace(draft_group, group=source.group, wave=None, mapping=mapping,
                              sheet=source.sheet))
    managed = {"title", "scale", "groups", "wave", "dimensions", "reverse", "satisfaction",
               "loyalty", "nps", "segments", "revenue", "cooperation_years", "expectation",
               "importance", "names", "invalid", "comments", "contact"}
    extra = {k: v for k, v in study.raw.items() if k not in managed}
    if "careless" in extra:  # its attention items are rows of the mapping
        extra["careless"] = {k: v for k, v in extra["careless"].items() if k != "attention"}
    if "wave" in study.raw:
        extra = {"wave": study.raw["wave"], **extra}
    names = {g: study.names.get(g) or _GROUP_NAMES.get(g, {"zh": g}) for g in study.groups}
    dims = {d: study.name(d) for d in study.dimensions}
    scale = (study.scale.min, study.scale.max) if study.scale else guess.scale
    return Draft(title=study.title, scale=scale, groups=groups, dimension_names=dims,
                 group_names=names, invalid=study.invalid, scale_why="" if study.scale
                 else guess.scale_why, folder=guess.folder, extra=extra)
