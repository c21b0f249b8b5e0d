"""The study file: a reproducible description of a study, read from YAML.

A study file names the data files of each respondent group (and of earlier or later waves), which
item columns form which dimension, which items are reverse-coded, and which columns play the other
roles (overall satisfaction, loyalty, the 0-10 recommend question, expectations, importance,
segments, revenue). ``read_study`` checks all of it before any data is read and raises a
:class:`~surveys.errors.StudyError` naming the study file and the key for every mistake.

Example (paths are relative to the study file)::

    title: D公司客户关系管理调查 2019
    scale: {min: 1, max: 5}
    groups:
      customers: {file: customers.xlsx, sheet: 客户问卷}
      employees: {file: employees.csv, rename: {"我们定期更新客户信息": ID1}}
    dimensions:
      identify: [ID1, ID2, ID3, ID4]
      interact: [IN1, IN2, IN3]
    reverse: [ID4]
    satisfaction: [SAT1, SAT2]
    loyalty: [LOY1, LOY2, LOY3]
    nps: REC
    compare: [customers, employees]

The README lists every key.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import StudyError
from .i18n import Text, msg
from .limits import LIMITS, check_file_size, limit, shorten
from .pls_model import PLSModel, parse_pls

__all__ = ["Study", "GroupSource", "TableSource", "RecordsSource", "Scale", "StatusRules",
           "Ladder", "TextOptions", "Weighting", "read_study", "parse_study", "read_stopwords",
           "stopword_lines", "STUDY_KEYS", "TEXT_KEYS", "DEFAULT_NAMES", "question_text"]

#: Every top-level key a study file may have, with a one-line meaning (shown in errors and README).
STUDY_KEYS: dict[str, str] = {
    "title": "the study's name",
    "scale": "{min, max} of the Likert items; answers outside it are invalid",
    "groups": "respondent groups: {name: {file, sheet, rename}} or, for answers in a database, "
              "Parquet files or Spark, {name: {table, engine, where, rename}}",
    "wave": "the name of the wave the files under 'groups' belong to (the current, latest wave)",
    "waves": "earlier waves, oldest first: {wave: {group: {file, sheet, rename}}}",
    "dimensions": "dimension -> list of item columns (same names in every group)",
    "reverse": "reverse-coded items, scored as min + max - x",
    "satisfaction": "overall satisfaction items",
    "loyalty": "loyalty items (repurchase, recommend, price tolerance)",
    "nps": "the 0-10 recommendation column",
    "compare": "the two groups of the gap analysis, e.g. [customers, employees]",
    "expectation": "perception item -> expectation item (C = b/a, SERVQUAL gaps)",
    "importance": "item or dimension -> stated-importance item",
    "weights": "CSI weights: equal, importance, {item: weight} or {ahp: matrix}",
    "labels": "extra answer texts and their codes, e.g. {很好: 5}",
    "invalid": "what to do with non-numeric or out-of-range answers: error (default) or missing",
    "exclude": "rows to exclude: {straightliners, speeders, duplicates: true/false}",
    "id": "the respondent-id column (for duplicates)",
    "duration": "the completion-time column in seconds (for speeders)",
    "segments": "categorical columns for breakdowns and filters (region, customer type...)",
    "min_n": "cells with fewer respondents are marked (default 5)",
    "kano": "feature -> [functional question, dysfunctional question]",
    "revenue": "the revenue / purchase-amount column (ABC classification)",
    "growth": "the growth-potential column (customer value matrix)",
    "lifecycle": "the lifecycle-stage column",
    "cooperation_years": "the years-of-cooperation column (lifecycle stage)",
    "abc": "ABC cut-offs of cumulative revenue share: {a: 0.8, b: 0.95}",
    "names": "display names of groups, dimensions and items: {code: text} or {code: {zh, en}}",
    "records": "a customer-records file joined to a group: {file, sheet, id, group, match, rename}",
    "contact": "columns shown in the customer list (organisation, person, phone); never in reports",
    "status": "customer-list colours: {value: abc | value_matrix, dissatisfied_below: 3, "
              "satisfied_from: 4}",
    "ladder": "loyalty-ladder rungs from the bottom, {rung: item or items, ..., reached_from: 4}",
    "careless": "careless-responding screens: {longstring, irv, mahalanobis, even_odd, attention}",
    "weighting": "population weights: {group, margins: {column: {level: share}}, trim} or "
                 "{group, column}",
    "report": "the Word report's number style: {style: apa or gb, small_p: less or zero}",
    "comments": "open-ended text columns: themes and the words of detractors vs promoters",
    "themes": "theme -> terms; a comment is in a theme when it contains a term (any case)",
    "text": "comment analysis options: {min_count: 5, stopwords: file or [words]}",
    "pls": "the structural (PLS path) model: {constructs, modes, paths, scheme, bootstrap, seed, "
           "template, roles, target}",
}
GROUP_KEYS = {"file": "the data file", "sheet": "the sheet of an Excel file",
              "rename": "{column as in the file: item name}",
              "table": "a table or view of the engine (instead of file)",
              "engine": "an Ibis connection URL (duckdb:///cx.duckdb, postgres://...), a Parquet "
                        "path or glob, or spark",
              "where": "an SQL condition choosing the table's rows (optional)"}
RECORDS_KEYS = {"file": "the records file (any supported format)", "sheet": "its sheet",
                "id": "the customer-id column of the records file",
                "group": "the group whose respondents the records describe (default: the first)",
                "match": "the group's column holding the same id",
                "rename": "{column as in the file: name}"}
EXCLUDE_RULES = ("straightliners", "speeders", "duplicates", "longstring", "irv", "mahalanobis",
                 "even_odd", "attention")
#: the keys of ``careless:`` (the screens of :mod:`surveys.careless`) and what each takes
CARELESS_KEYS = {"longstring": "flag a run of at least this many identical consecutive answers",
                 "irv": "flag an intra-individual SD below this",
                 "mahalanobis": "flag a Mahalanobis D² whose chi-square p is below this",
                 "even_odd": "flag an even-odd consistency below this",
                 "attention": "{attention item: the answer code it asks for}"}
WEIGHTING_KEYS = {"group": "the weighted group (default: the first)",
                  "margins": "raking targets: {column: {level: population share}}",
                  "trim": "{min, max} bounds of the weights relative to their mean (optional)",
                  "column": "a column of the data holding the weights (instead of margins)"}
#: how far the shares of a raking margin may sum from 1
SHARE_TOLERANCE = 0.001
#: the ``report:`` options and their allowed values (the first of each is the default; style's
#: default, None, means gb for a Chinese report and apa for an English one)
REPORT_OPTIONS = {"style": (None, "gb", "apa"), "small_p": ("less", "zero")}


#: a question number in front of an export's column label: "8、", "Q8.", "8.1 ", "第8题：", "(8)"
_QUESTION_NUMBER = re.compile(
    r"^\s*(?:[(（]\s*\d+\s*[)）]"  # (8)
    r"|(?:Q|第)\s*\d+(?:[._-]\d+)*\s*题?\s*(?:[、.．:：)）]|(?=\s))"  # Q8. / 第8题：/ Q8 text
    r"|\d+(?:[._-]\d+)*\s*(?:[、．:：)）]|\.(?!\d)))\s*",  # 8、 / 8. / 8.1)
    re.IGNORECASE)
#: a number with the question in brackets, as 问卷星 labels a matrix row: "8(客户信息定义清晰)"
_NUMBERED_BRACKETS = re.compile(r"^\s*\d+(?:[._-]\d+)*\s*[(（](.+)[)）]\s*$")


def question_text(label: str) -> str:
    """A column label or name without the questionnaire's numbering: "8(客户信息定义清晰)" ->
    "客户信息定义清晰", "2、贵单位的客户类型" -> "贵单位的客户类型", "Q3. Overall" -> "Overall".
    A label that would be left empty (a bare code such as "Q8_1") is kept as it is."""
    text = str(label)
    match = _NUMBERED_BRACKETS.match(text)
    cleaned = match.group(1).strip() if match else _QUESTION_NUMBER.sub("", text, count=1).strip()
    return cleaned or text


TEXT_KEYS = {"min_count": "terms counted fewer times are not reported (default 5)",
             "stopwords": "a file of extra stopwords (one a line) or a list of words"}
#: display names of the usual group codes when the study file's ``names`` has none
DEFAULT_NAMES = {"customers": {"zh": "客户", "en": "Customers"},
                 "employees": {"zh": "员工", "en": "Employees"}}

STATUS_KEYS = ("value", "dissatisfied_below", "satisfied_from")
STATUS_VALUES = ("abc", "value_matrix")


@dataclass(frozen=True)
class Scale:
    """The Likert scale's end points; reverse coding maps x to ``min + max - x``."""

    min: float
    max: float


@dataclass(frozen=True, eq=False)
class GroupSource:
    """Where one group's answers of one wave come from (compared and hashed by identity). The
    store lists a study's stopwords file as a source of no group (``group`` None)."""

    group: str | None
    wave: str
    file: Path
    sheet: str | None = None
    rename: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class TableSource:
    """One group's answers of one wave in a table of a database engine, Parquet files or Spark
    (:mod:`surveys.tables`): read in the engine, never copied (compared and hashed by identity).

    ``engine`` as written in the study file (a relative DuckDB or Parquet path resolved against
    the study file's folder); ``table`` None for a Parquet engine; ``where`` an SQL condition."""

    group: str
    wave: str
    engine: str
    table: str | None = None
    where: str | None = None
    rename: dict[str, str] = field(default_factory=dict)
    base: Path | None = field(default=None, compare=False)  # the study file's folder
    file = None  # no data file (and no file rows)
    sheet = None


@dataclass(frozen=True, eq=False)
class RecordsSource:
    """A customer-records file (e.g. revenue per customer from the CRM system) whose columns are
    joined to every wave of one group: the group's ``match`` column equals the records' ``id``."""

    file: Path
    group: str
    id: str
    match: str
    sheet: str | None = None
    rename: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TextOptions:
    """Options of the comment analysis (``text:``): the least count of a reported term and the
    study's own stopwords (from ``file``, a UTF-8 file with one word a line, or a list)."""

    min_count: int = 5
    stopwords: frozenset[str] = frozenset()
    file: Path | None = None


@dataclass(frozen=True)
class StatusRules:
    """How the customer list colours a customer (``status:``; these are the defaults): who is of
    high value (``abc``: ABC class A; ``value_matrix``: the core and maintain cells) and the
    satisfaction score below which a customer is dissatisfied and from which satisfied."""

    value: str = "abc"
    dissatisfied_below: float = 3.0
    satisfied_from: float = 4.0


@dataclass(frozen=True)
class Ladder:
    """The loyalty ladder (``ladder:``): rung -> its items, from the bottom rung up, and the mean
    from which a rung counts as reached."""

    rungs: dict[str, list[str]]
    reached_from: float = 4.0


@dataclass(frozen=True)
class Weighting:
    """Population weights of one group (``weighting:``): raking ``margins`` (column -> level ->
    population share, each margin's shares summing to 1) with optional ``trim`` bounds (min, max)
    relative to the mean weight, or the weights of a data ``column``."""

    group: str
    margins: dict[str, dict[str, float]] = field(default_factory=dict)
    trim: tuple[float, float] | None = None
    column: str | None = None


@dataclass
class Study:
    """A checked study file. Built by :func:`read_study`; every path is absolute."""

    path: Path | None
    title: str
    groups: list[str]
    sources: list[GroupSource | TableSource]
    wave: str  # the current wave: the files under 'groups'
    waves: list[str]  # every wave, oldest first, ending with ``wave``
    dimensions: dict[str, list[str]]
    scale: Scale | None = None
    reverse: list[str] = field(default_factory=list)
    satisfaction: list[str] = field(default_factory=list)
    loyalty: list[str] = field(default_factory=list)
    nps: str | None = None
    compare: tuple[str, str] | None = None
    expectation: dict[str, str] = field(default_factory=dict)
    importance: dict[str, str] = field(default_factory=dict)
    weights: Any = "equal"
    labels: dict[str, float] = field(default_factory=dict)
    invalid: str = "error"
    exclude: dict[str, bool] = field(default_factory=dict)
    id: str | None = None
    duration: str | None = None
    segments: list[str] = field(default_factory=list)
    min_n: int = 5
    kano: dict[str, tuple[str, str]] = field(default_factory=dict)
    revenue: str | None = None
    growth: str | None = None
    lifecycle: str | None = None
    cooperation_years: str | None = None
    abc: tuple[float, float] = (0.8, 0.95)
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    records: RecordsSource | None = None
    comments: list[str] = field(default_factory=list)
    themes: dict[str, list[str]] = field(default_factory=dict)
    text: TextOptions = field(default_factory=TextOptions)
    contact: list[str] = field(default_factory=list)
    status: StatusRules | None = None  # None: no 'status:' key (the defaults apply)
    ladder: Ladder | None = None
    careless: dict[str, Any] = field(default_factory=dict)
    weighting: Weighting | None = None
    report: dict[str, str | None] = field(
        default_factory=lambda: {k: v[0] for k, v in REPORT_OPTIONS.items()})
    pls: PLSModel | None = None
    raw: dict = field(default_factory=dict, repr=False)

    def name(self, code: str, lang: str = "zh") -> str:
        """The display name of a group, dimension or item in ``lang`` (the code if none; the
        usual group codes customers / employees have defaults, :data:`DEFAULT_NAMES`), without
        the questionnaire's numbering (:func:`question_text`)."""
        names = self.names.get(code) or DEFAULT_NAMES.get(code, {})
        return question_text(names.get(lang) or names.get("zh") or names.get("en") or code)

    @property
    def items(self) -> list[str]:
        """Dimension items in study-file order."""
        return [item for items in self.dimensions.values() for item in items]

    @property
    def scored_items(self) -> list[str]:
        """Every column answered on the Likert scale: dimension, satisfaction, loyalty,
        expectation and importance items, the loyalty ladder's and the structural model's
        items, each once."""
        rungs = self.ladder.rungs.values() if self.ladder else ()
        cols = [*self.items, *self.satisfaction, *self.loyalty,
                *self.expectation.values(), *self.importance.values(),
                *(item for items in rungs for item in items),
                *(self.pls.items if self.pls else [])]
        return list(dict.fromkeys(cols))

    @property
    def numeric_columns(self) -> list[str]:
        """Columns that must hold numbers: Likert items, the NPS column, revenue and growth."""
        cols = [*self.scored_items, self.nps, self.revenue, self.growth, self.cooperation_years,
                *self.careless.get("attention", {}), *([self.weighting.column]
                                                       if self.weighting else [])]
        return list(dict.fromkeys(c for c in cols if c is not None))

    @property
    def category_columns(self) -> list[str]:
        cols = [*self.segments, self.lifecycle,
                *(self.weighting.margins if self.weighting else ()),
                *(q for pair in self.kano.values() for q in pair)]
        return list(dict.fromkeys(c for c in cols if c is not None))

    def sources_of(self, wave: str) -> list[GroupSource]:
        return [s for s in self.sources if s.wave == wave]

    def source_key(self, source: GroupSource | TableSource) -> str:
        """The study-file key of a group's source: ``groups.GROUP`` for the study's own wave,
        ``waves.WAVE.GROUP`` for an earlier wave."""
        return (f"groups.{source.group}" if source.wave == self.wave
                else f"waves.{source.wave}.{source.group}")

    def data_files(self) -> list[Path]:
        """Every file the study reads, each once, in study-file order: the groups' data files, then
        the customer-records file and the stopwords file (``text.stopwords``)."""
        files = [s.file for s in self.sources if s.file is not None] + (
            [self.records.file] if self.records else []) + (
            [self.text.file] if self.text.file else [])
        return list(dict.fromkeys(files))


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key '{key}' appears twice", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _check_study_size(size: int, path: Path | None) -> None:
    """Refuse a study file larger than the ``study_file_kb`` limit."""
    most = limit("study_file_kb")
    if size > most * 1024:
        raise StudyError(msg("study_file_too_large", size=f"{size / 1024:,.0f}", limit=f"{most:g}",
                             env=LIMITS["study_file_kb"].env), file=path,
                         expected=msg("study_file_too_large_expected"))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expanded_size(root: yaml.Node | None, path: Path | None) -> None:
    """Refuse a YAML document whose aliases expand to more than the ``yaml_nodes`` limit, or
    refer to themselves, before any Python value is built from it.

    PyYAML shares an anchored node between its aliases, so a "billion laughs" document (nine
    levels of nine aliases) is small in memory until something walks it -- an error message
    formatting a value, say. The expanded size is counted on the node graph, each shared node
    once (a node's size is 1 + its children's sizes).
    """
    most, sizes, open_nodes = limit("yaml_nodes"), {}, set()
    stack = [(root, False)] if root is not None else []
    while stack:
        node, finished = stack.pop()
        if finished:
            sizes[id(node)] = size = 1 + sum(sizes[id(child)] for child in _children(node))
            open_nodes.discard(id(node))
            if size > most:
                raise StudyError(msg("yaml_too_many_values", limit=f"{most:,}",
                                     env=LIMITS["yaml_nodes"].env),
                                 file=path, row=node.start_mark.line + 1,
                                 expected=msg("yaml_too_many_values_expected"))
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:
            raise StudyError(msg("yaml_alias_recursive"), file=path,
                             row=node.start_mark.line + 1,
                             expected=msg("yaml_too_many_values_expected"))
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def read_study(path: str | Path) -> Study:
    """Read and check a study file; relative data paths are taken from the file's folder."""
    path = Path(path)
    try:
        if path.is_file():
            _check_study_size(path.stat().st_size, path)
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise StudyError(msg("study_file_not_found"), file=path) from None
    except UnicodeDecodeError:
        raise StudyError(msg("study_file_not_utf8"), file=path,
                         expected=msg("study_file_not_utf8_expected")) from None
    except OSError as exc:
        raise StudyError(msg("study_file_unreadable", reason=exc.strerror), file=path) from None
    return parse_study(text, path=path)


def parse_study(text: str, path: Path | None = None, base_dir: Path | None = None,
                inside: str | Path | None = None) -> Study:
    """Check a study file's YAML text; ``base_dir`` resolves data paths (default: the file's).

    With ``inside`` (the app passes its upload folder), every data file must resolve inside that
    folder, links followed; a path leading out of it (``/etc/group``, ``../../…``) is refused
    before the file system is asked whether it exists. Without it (the command line), a study
    file may name any file its user can read.
    """
    _check_study_size(len(text.encode("utf-8")), path)
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        _check_expanded_size(node, path)
        raw = None if node is None else loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise StudyError(msg("study_not_yaml", problem=problem), file=path,
                         row=None if mark is None else mark.line + 1) from None
    finally:
        loader.dispose()
    base = base_dir or (path.parent if path is not None else Path.cwd())
    return _StudyChecker(raw, path, base, inside).study()


def _suggest(name: str, choices) -> Text | str:
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return msg("did_you_mean", name=close[0]) if close else ""


def _one_of(choices) -> Text:
    return msg("one_of", choices=", ".join(choices))


#: what a required key holds, shown as the expected value of its error
_REQUIRED = {"title": msg("study_key_title"), "groups": msg("study_key_groups"),
             "dimensions": msg("study_key_dimensions")}
_RECORDS_REQUIRED = {"file": msg("study_records_file"), "id": msg("study_records_id"),
                     "match": msg("study_records_match")}


class _StudyChecker:
    """Turns the parsed YAML into a :class:`Study`, raising on the first mistake."""

    def __init__(self, raw: Any, path: Path | None, base: Path, inside: str | Path | None = None):
        self.raw, self.path, self.base = raw, path, base
        self.inside = None if inside is None else Path(inside).resolve()

    def fail(self, message: Text | str, key: str, expected: Text | str | None = None) -> StudyError:
        return StudyError(message, file=self.path, key=key, expected=expected)

    # -- typed getters ------------------------------------------------------------------------
    def text(self, value: Any, key: str) -> str:
        if isinstance(value, (list, dict)):  # never formatted: it may be a shared YAML alias
            raise self.fail(msg("study_list_not_a_name" if isinstance(value, list)
                                else "study_mapping_not_a_name"),
                            key, msg("study_not_a_name_expected"))
        if isinstance(value, bool) or value is None:
            raise self.fail(msg("study_not_a_name", value=value), key,
                            msg("study_not_a_name_expected"))
        return str(value).strip()

    def names(self, value: Any, key: str) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            value = [value]
        names = [self.text(v, key) for v in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise self.fail(msg("study_listed_twice", name=twice[0]), key)
        return names

    def data_file(self, value: Any, key: str) -> Path:
        """A data file's path from the study file (relative to the base folder); refused when it
        leads out of the ``inside`` folder."""
        file = self.base / self.text(value, key)
        if self.inside is not None and not file.resolve().is_relative_to(self.inside):
            raise StudyError(msg("data_file_outside_folder", path=shorten(file, 120)),
                             file=self.path, key=key,
                             expected=msg("data_file_outside_folder_expected"))
        return file

    def mapping(self, value: Any, key: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(msg("study_not_mapping", kind=type(value).__name__), key,
                            msg("study_not_mapping_expected"))
        return value

    def known_keys(self, spec: dict, allowed, key: str) -> dict:
        """``spec`` itself if every key of it is one of ``allowed``; else the error."""
        for k in spec:
            if k not in allowed:
                raise self.fail(msg("study_unknown_key", key=k, suggestion=_suggest(k, allowed)),
                                f"{key}.{k}", _one_of(allowed))
        return spec

    # -- the study ----------------------------------------------------------------------------
    def study(self) -> Study:
        raw = self.raw
        if not isinstance(raw, dict):
            raise StudyError(msg("study_file_not_mapping"), file=self.path)
        for key in raw:
            if key not in STUDY_KEYS:
                raise self.fail(msg("study_unknown_key", key=key,
                                    suggestion=_suggest(key, STUDY_KEYS)), str(key),
                                _one_of(STUDY_KEYS))
        for key in ("title", "groups", "dimensions"):
            if key not in raw:
                raise self.fail(msg("study_key_missing", key=key), key, _REQUIRED[key])
        title = self.text(raw["title"], "title")
        wave = self.text(raw.get("wave", "1"), "wave")
        groups_raw = self.mapping(raw["groups"], "groups")
        if not groups_raw:
            raise self.fail(msg("study_no_groups"), "groups", _REQUIRED["groups"])
        groups = [self.text(g, "groups") for g in groups_raw]
        for g in groups:
            _no_pair_separator(g, "groups", self.path)
        sources = [self.source(g, wave, spec, f"groups.{g}", inherit={})
                   for g, spec in zip(groups, groups_raw.values())]
        waves = []
        for other, spec in self.mapping(raw.get("waves"), "waves").items():
            other = self.text(other, "waves")
            if other in waves or other == wave:
                raise self.fail(msg("study_wave_twice", wave=other, current=wave),
                                f"waves.{other}")
            waves.append(other)
            for g, gspec in self.mapping(spec, f"waves.{other}").items():
                g = self.text(g, f"waves.{other}")
                if g not in groups:
                    raise self.fail(msg("study_unknown_group", group=g,
                                        suggestion=_suggest(g, groups)),
                                    f"waves.{other}.{g}", msg("study_group_expected"))
                base = next(s for s in sources if s.group == g)
                sources.append(self.source(g, other, gspec, f"waves.{other}.{g}",
                                           inherit=base.rename))
        waves.append(wave)
        study = Study(path=self.path, title=title, groups=groups, sources=sources, wave=wave,
                      waves=waves, dimensions=self.dimensions(raw["dimensions"]), raw=raw)
        self.roles(study)
        _check_label_lengths(study)
        return study

    def source(self, group: str, wave: str, spec: Any, key: str, inherit: dict) -> GroupSource:
        if isinstance(spec, str):
            spec = {"file": spec}
        spec = self.mapping(spec, key)
        for k in spec:
            if k not in GROUP_KEYS:
                raise self.fail(msg("study_unknown_key", key=k, suggestion=_suggest(k, GROUP_KEYS)),
                                f"{key}.{k}", _one_of(GROUP_KEYS))
        if "table" in spec or "engine" in spec or "where" in spec:
            return self.table_source(group, wave, spec, key, inherit)
        if "file" not in spec:
            raise self.fail(msg("study_group_no_file"), key, "file: path/to/export.xlsx")
        file = self.data_file(spec["file"], f"{key}.file")
        if not file.is_file():
            raise StudyError(msg("study_data_file_not_found"), file=file, key=f"{key}.file",
                             expected=msg("study_data_file_expected", folder=self.base))
        sheet = spec.get("sheet")
        rename = self.rename(spec, key, inherit)
        return GroupSource(group, wave, file.resolve(),
                           None if sheet is None else self.text(sheet, f"{key}.sheet"), rename)

    def rename(self, spec: dict, key: str, inherit: dict) -> dict[str, str]:
        rename = dict(inherit)
        for raw_col, item in self.mapping(spec.get("rename"), f"{key}.rename").items():
            rename[self.text(raw_col, f"{key}.rename")] = self.text(item, f"{key}.rename")
        targets = list(rename.values())
        twice = sorted({t for t in targets if targets.count(t) > 1})
        if twice:
            raise self.fail(msg("study_renamed_twice", name=twice[0]), f"{key}.rename")
        return rename

    def table_source(self, group: str, wave: str, spec: dict, key: str,
                     inherit: dict) -> TableSource:
        """A group read from a table (``table``, ``engine``, ``where``; see
        :mod:`surveys.tables`): checked here for form only, the engine is reached on loading."""
        from .tables import check_source_form

        if "file" in spec or "sheet" in spec:
            raise self.fail(msg("table_file_and_table"), key, msg("table_file_and_table_expected"))
        if "engine" not in spec:
            raise self.fail(msg("table_no_engine"), f"{key}.engine", msg("table_engine_expected"))
        engine = self.text(spec["engine"], f"{key}.engine")
        table = None if spec.get("table") is None else self.text(spec["table"], f"{key}.table")
        where = None if spec.get("where") is None else self.text(spec["where"], f"{key}.where")
        source = TableSource(group, wave, engine, table, where or None,
                             self.rename(spec, key, inherit))
        return check_source_form(source, self.base, self.path, key)

    def dimensions(self, value: Any) -> dict[str, list[str]]:
        dims = {}
        owner: dict[str, str] = {}
        for dim, items in self.mapping(value, "dimensions").items():
            dim = self.text(dim, "dimensions")
            _no_pair_separator(dim, "dimensions", self.path)
            items = self.names(items, f"dimensions.{dim}")
            if not items:
                raise self.fail(msg("study_dimension_empty"), f"dimensions.{dim}")
            for item in items:
                if item in owner:
                    raise self.fail(msg("study_item_in_two_dimensions", item=item,
                                        first=owner[item], second=dim), f"dimensions.{dim}",
                                    msg("study_item_in_two_dimensions_expected"))
                owner[item] = dim
            dims[dim] = items
        if not dims:
            raise self.fail(msg("study_no_dimensions"), "dimensions", _REQUIRED["dimensions"])
        return dims

    def roles(self, study: Study) -> None:
        raw = self.raw
        study.scale = self.scale(raw.get("scale"))
        study.satisfaction = self.names(raw.get("satisfaction"), "satisfaction")
        study.loyalty = self.names(raw.get("loyalty"), "loyalty")
        study.pls = parse_pls(raw.get("pls"), study, self.path)
        study.segments = self.names(raw.get("segments"), "segments")
        for key in ("nps", "id", "duration", "revenue", "growth", "lifecycle",
                    "cooperation_years"):
            if raw.get(key) is not None:
                setattr(study, key, self.text(raw[key], key))
        study.expectation = {self.text(k, "expectation"): self.text(v, "expectation")
                             for k, v in self.mapping(raw.get("expectation"),
                                                      "expectation").items()}
        study.importance = {self.text(k, "importance"): self.text(v, "importance")
                            for k, v in self.mapping(raw.get("importance"), "importance").items()}
        for key, table in (("expectation", study.expectation), ("importance", study.importance)):
            known = set(study.items) | set(study.satisfaction) | set(study.loyalty)
            if key == "importance":
                known |= set(study.dimensions)
            for target in table:
                if target not in known:
                    raise self.fail(msg("study_not_an_item", name=target,
                                        suggestion=_suggest(target, known)), f"{key}.{target}",
                                    msg("study_item_or_dimension_expected" if key == "importance"
                                        else "study_item_expected"))
        study.ladder = self.ladder(raw.get("ladder"), study)
        reverse = self.names(raw.get("reverse"), "reverse")
        likert = set(study.scored_items)
        for item in reverse:
            if item not in likert:
                raise self.fail(msg("study_reverse_not_item", item=item,
                                    suggestion=_suggest(item, likert)), "reverse",
                                msg("study_reverse_expected"))
        study.reverse = reverse
        if raw.get("compare") is not None:
            pair = self.names(raw["compare"], "compare")
            if len(pair) != 2:
                raise self.fail(msg("study_compare_count", n=len(pair)), "compare",
                                msg("study_compare_expected"))
            for g in pair:
                if g not in study.groups:
                    raise self.fail(msg("study_unknown_group", group=g,
                                        suggestion=_suggest(g, study.groups)), "compare",
                                    msg("study_groups_expected"))
            study.compare = (pair[0], pair[1])
        study.labels = self.labels(raw.get("labels"))
        invalid = raw.get("invalid", "error")
        if invalid not in ("error", "missing"):
            raise self.fail(msg("study_invalid_value", value=invalid), "invalid",
                            msg("study_invalid_expected"))
        study.invalid = invalid
        exclude = self.mapping(raw.get("exclude"), "exclude")
        for rule, on in exclude.items():
            if rule not in EXCLUDE_RULES:
                raise self.fail(msg("study_unknown_rule", rule=rule,
                                    suggestion=_suggest(rule, EXCLUDE_RULES)),
                                f"exclude.{rule}", _one_of(EXCLUDE_RULES))
            if not isinstance(on, bool):
                raise self.fail(msg("study_not_boolean", value=on), f"exclude.{rule}")
        study.careless = self.careless(raw.get("careless"))
        for rule in CARELESS_KEYS:
            if exclude.get(rule) and rule not in study.careless:
                raise self.fail(msg("exclude_screen_off", rule=rule), f"exclude.{rule}",
                                msg("exclude_screen_off_expected", rule=rule))
        study.exclude = {rule: bool(exclude.get(rule, False)) for rule in EXCLUDE_RULES}
        min_n = raw.get("min_n", 5)
        if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
            raise self.fail(msg("study_min_n", value=min_n), "min_n")
        study.min_n = min_n
        study.kano = self.kano(raw.get("kano"))
        study.abc = self.abc(raw.get("abc"))
        study.weights = self.weights(raw.get("weights", "equal"), study)
        study.names = self.display_names(raw.get("names"))
        study.records = self.records(raw.get("records"), study)
        study.weighting = self.weighting(raw.get("weighting"), study)
        self.comments(study)
        study.contact = self.names(raw.get("contact"), "contact")
        study.status = self.status(raw.get("status"), study)
        study.report = self.report_options(raw.get("report"))

    def comments(self, study: Study) -> None:
        raw = self.raw
        study.comments = self.names(raw.get("comments"), "comments")
        for column in study.comments:
            if column in study.numeric_columns:
                raise self.fail(msg("comments_column_is_item", column=column), "comments")
        for key in ("themes", "text"):
            if raw.get(key) is not None and not study.comments:
                raise self.fail(msg("text_needs_comments", key=key), key,
                                msg("text_needs_comments_expected"))
        themes = {}
        for theme, terms in self.mapping(raw.get("themes"), "themes").items():
            theme = self.text(theme, "themes")
            key = f"themes.{theme}"
            terms = self.names(terms, key)
            if not terms:
                raise self.fail(msg("theme_without_terms", theme=theme), key,
                                msg("theme_terms_expected"))
            if "" in terms:
                raise self.fail(msg("theme_empty_term", theme=theme), key)
            themes[theme] = terms
        study.themes = themes
        study.text = self.text_options(raw.get("text"))

    def text_options(self, value: Any) -> TextOptions:
        spec = self.mapping(value, "text")
        for k in spec:
            if k not in TEXT_KEYS:
                raise self.fail(msg("text_unknown_key", name=k), f"text.{k}",
                                msg("text_keys_expected"))
        min_count = spec.get("min_count", TextOptions.min_count)
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            raise self.fail(msg("min_count_not_positive", value=min_count), "text.min_count")
        words, file = spec.get("stopwords"), None
        if isinstance(words, list):
            words = frozenset(w.casefold() for w in self.names(words, "text.stopwords"))
        elif isinstance(words, str) and words.strip():
            file = self.data_file(words.strip(), "text.stopwords").resolve()
            words = read_stopwords(file)
        elif words is None:
            words = frozenset()
        else:
            raise self.fail(msg("stopwords_bad"), "text.stopwords")
        return TextOptions(min_count, words, file)

    def number(self, value: Any, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(msg("study_not_a_number", value=value), key,
                            msg("cust_number_expected"))
        return float(value)

    def on_scale(self, value: float, key: str, study: Study) -> None:
        """A threshold on the study's declared scale (unchecked when the scale is inferred)."""
        scale = study.scale
        if scale is not None and not scale.min <= value <= scale.max:
            raise self.fail(msg("cust_threshold_off_scale", value=f"{value:g}",
                                min=f"{scale.min:g}", max=f"{scale.max:g}"), key,
                            msg("cust_threshold_off_scale_expected", min=f"{scale.min:g}",
                                max=f"{scale.max:g}"))

    def status(self, value: Any, study: Study) -> StatusRules | None:
        if value is None:
            return None
        spec = self.known_keys(self.mapping(value, "status"), STATUS_KEYS, "status")
        rules = StatusRules()
        kind = spec.get("value", rules.value)
        if kind not in STATUS_VALUES:
            raise self.fail(msg("status_value_unknown", value=kind), "status.value",
                            msg("status_value_expected"))
        if "value" in spec and kind == "abc" and study.revenue is None:
            raise self.fail(msg("status_value_needs_abc", value=kind), "status.value",
                            msg("status_value_needs_abc_expected"))
        if kind == "value_matrix" and (study.revenue is None or study.growth is None):
            raise self.fail(msg("status_value_needs_value_matrix", value=kind), "status.value",
                            msg("status_value_needs_value_matrix_expected"))
        low = self.number(spec.get("dissatisfied_below", rules.dissatisfied_below),
                          "status.dissatisfied_below")
        high = self.number(spec.get("satisfied_from", rules.satisfied_from),
                           "status.satisfied_from")
        if low > high:
            raise self.fail(msg("status_thresholds_order", low=f"{low:g}", high=f"{high:g}"),
                            "status", msg("status_thresholds_order_expected"))
        self.on_scale(low, "status.dissatisfied_below", study)
        self.on_scale(high, "status.satisfied_from", study)
        return StatusRules(kind, low, high)

    def ladder(self, value: Any, study: Study) -> Ladder | None:
        if value is None:
            return None
        spec = dict(self.mapping(value, "ladder"))
        reached_from = self.number(spec.pop("reached_from", Ladder.reached_from),
                                   "ladder.reached_from")
        self.on_scale(reached_from, "ladder.reached_from", study)
        rungs, owner = {}, {}
        for rung, items in spec.items():
            rung = self.text(rung, "ladder")
            items = self.names(items, f"ladder.{rung}")
            if not items:
                raise self.fail(msg("ladder_rung_empty"), f"ladder.{rung}",
                                msg("ladder_rung_empty_expected"))
            for item in items:
                if item in owner:
                    raise self.fail(msg("ladder_item_twice", item=item, first=owner[item],
                                        second=rung), f"ladder.{rung}",
                                    msg("ladder_item_twice_expected"))
                if item == study.nps:
                    raise self.fail(msg("ladder_item_is_nps", item=item), f"ladder.{rung}",
                                    msg("ladder_item_is_nps_expected"))
                owner[item] = rung
            rungs[rung] = items
        if len(rungs) < 2:
            raise self.fail(msg("ladder_too_few_rungs", n=len(rungs)), "ladder",
                            msg("ladder_too_few_rungs_expected"))
        return Ladder(rungs, reached_from)

    def report_options(self, value: Any) -> dict[str, str | None]:
        options = {k: v[0] for k, v in REPORT_OPTIONS.items()}
        for key, given in self.known_keys(self.mapping(value, "report"), REPORT_OPTIONS,
                                          "report").items():
            allowed = [v for v in REPORT_OPTIONS[key] if v is not None]
            if given not in allowed:
                raise self.fail(msg("report_bad_value", value=given), f"report.{key}",
                                " | ".join(allowed))
            options[key] = given
        if options["small_p"] == "zero" and options["style"] == "apa":
            raise self.fail(msg("report_zero_p_apa"), "report.small_p", msg("report_zero_p_apa_expected"))
        return options

    def careless(self, value: Any) -> dict[str, Any]:
        spec = self.known_keys(self.mapping(value, "careless"), CARELESS_KEYS, "careless")
        out: dict[str, Any] = {}
        for key, setting in spec.items():
            where = f"careless.{key}"
            if key == "attention":
                asked = {}
                for item, answer in self.mapping(setting, where).items():
                    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
                        raise self.fail(msg("attention_answer_not_number", value=answer),
                                        f"{where}.{item}", msg("attention_answer_expected"))
                    asked[self.text(item, where)] = float(answer)
                if not asked:
                    raise self.fail(msg("attention_empty"), where, msg("attention_answer_expected"))
                out[key] = asked
                continue
            ok = isinstance(setting, (int, float)) and not isinstance(setting, bool)
            if key == "longstring":
                ok = ok and float(setting).is_integer() and setting >= 2
            elif key == "irv":
                ok = ok and setting > 0
            elif key == "mahalanobis":
                ok = ok and 0 < setting < 1
            elif key == "even_odd":
                ok = ok and -1 <= setting <= 1
            if not ok:
                raise self.fail(msg("careless_bad_threshold", value=setting), where,
                                msg(f"careless_{key}_expected"))
            out[key] = float(setting)
        return out

    def weighting(self, value: Any, study: Study) -> Weighting | None:
        if value is None:
            return None
        spec = self.known_keys(self.mapping(value, "weighting"), WEIGHTING_KEYS, "weighting")
        group = self.text(spec.get("group", study.groups[0]), "weighting.group")
        if group not in study.groups:
            raise self.fail(msg("study_unknown_group", group=group,
                                suggestion=_suggest(group, study.groups)),
                            "weighting.group", msg("study_group_expected"))
        if ("column" in spec) == ("margins" in spec):
            raise self.fail(msg("weighting_margins_or_column"), "weighting",
                            msg("weighting_margins_or_column_expected"))
        if "column" in spec:
            if "trim" in spec:
                raise self.fail(msg("weighting_trim_needs_margins"), "weighting.trim")
            return Weighting(group, column=self.text(spec["column"], "weighting.column"))
        margins = {}
        for column, shares in self.mapping(spec["margins"], "weighting.margins").items():
            column = self.text(column, "weighting.margins")
            where = f"weighting.margins.{column}"
            shares = self.mapping(shares, where)
            if not shares:
                raise self.fail(msg("weighting_margin_empty"), where, msg("weighting_margin_expected"))
            levels = {}
            for level, share in shares.items():
                if isinstance(share, bool) or not isinstance(share, (int, float)) or not (
                        0 < share <= 1):
                    raise self.fail(msg("weighting_share_not_a_share", level=level, value=share),
                                    f"{where}.{level}", msg("weighting_share_expected"))
                levels[self.text(level, where)] = float(share)
            total = sum(levels.values())
            if abs(total - 1) > SHARE_TOLERANCE:
                raise self.fail(msg("weighting_shares_do_not_sum_to_one", total=f"{total:.4g}"), where,
                                msg("weighting_shares_sum_expected", tolerance=SHARE_TOLERANCE))
            margins[column] = {level: share / total for level, share in levels.items()}
        if not margins:
            raise self.fail(msg("weighting_margin_empty"), "weighting.margins", msg("weighting_margin_expected"))
        trim = None
        if "trim" in spec:
            bounds = self.mapping(spec["trim"], "weighting.trim")
            for k in bounds:
                if k not in ("min", "max"):
                    raise self.fail(msg("study_unknown_key", key=k, suggestion=""),
                                    f"weighting.trim.{k}", msg("weighting_trim_expected"))
            lo, hi = bounds.get("min", 0.0), bounds.get("max", float("inf"))
            if any(isinstance(b, bool) or not isinstance(b, (int, float)) for b in (lo, hi)) \
                    or not 0 <= lo < 1 < hi:
                raise self.fail(msg("weighting_trim_bad", low=lo, high=hi), "weighting.trim",
                                msg("weighting_trim_expected"))
            trim = (float(lo), float(hi))
        return Weighting(group, margins=margins, trim=trim)

    def records(self, value: Any, study: Study) -> RecordsSource | None:
        if value is None:
            return None
        spec = self.known_keys(self.mapping(value, "records"), RECORDS_KEYS, "records")
        for k in ("file", "id", "match"):
            if k not in spec:
                raise self.fail(msg("study_records_need", key=k), "records",
                                _RECORDS_REQUIRED[k])
        group = self.text(spec.get("group", study.groups[0]), "records.group")
        if group not in study.groups:
            raise self.fail(msg("study_unknown_group", group=group,
                                suggestion=_suggest(group, study.groups)),
                            "records.group", msg("study_group_expected"))
        file = self.data_file(spec["file"], "records.file")
        if not file.is_file():
            raise StudyError(msg("study_data_file_not_found"), file=file, key="records.file",
                             expected=msg("study_data_file_expected", folder=self.base))
        rename = {self.text(k, "records.rename"): self.text(v, "records.rename")
                  for k, v in self.mapping(spec.get("rename"), "records.rename").items()}
        sheet = spec.get("sheet")
        return RecordsSource(file.resolve(), group, self.text(spec["id"], "records.id"),
                             self.text(spec["match"], "records.match"),
                             None if sheet is None else self.text(sheet, "records.sheet"), rename)

    def display_names(self, value: Any) -> dict[str, dict[str, str]]:
        names = {}
        for code, name in self.mapping(value, "names").items():
            code = self.text(code, "names")
            if isinstance(name, dict):
                for lang in name:
                    if lang not in ("zh", "en"):
                        raise self.fail(msg("study_unknown_language", lang=lang),
                                        f"names.{code}", msg("study_language_expected"))
                names[code] = {lang: self.text(v, f"names.{code}.{lang}") for lang, v in
                               name.items()}
            else:
                names[code] = {"zh": self.text(name, f"names.{code}")}
        return names

    def scale(self, value: Any) -> Scale | None:
        if value is None:
            return None
        value = self.mapping(value, "scale")
        for k in value:
            if k not in ("min", "max"):
                raise self.fail(msg("study_unknown_key", key=k, suggestion=""), f"scale.{k}",
                                msg("study_scale_keys_expected"))
        lo, hi = value.get("min"), value.get("max")
        for k, v in (("min", lo), ("max", hi)):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise self.fail(msg("study_not_a_number", value=v), f"scale.{k}")
        if lo >= hi:
            raise self.fail(msg("study_scale_order", min=lo, max=hi), "scale")
        return Scale(float(lo), float(hi))

    def labels(self, value: Any) -> dict[str, float]:
        labels = {}
        for text, code in self.mapping(value, "labels").items():
            if isinstance(code, bool) or not isinstance(code, (int, float)):
                raise self.fail(msg("study_label_code", code=code, label=text),
                                f"labels.{text}")
            labels[self.text(text, "labels")] = float(code)
        return labels

    def kano(self, value: Any) -> dict[str, tuple[str, str]]:
        pairs = {}
        for feature, pair in self.mapping(value, "kano").items():
            pair = self.names(pair, f"kano.{feature}")
            if len(pair) != 2:
                raise self.fail(msg("study_kano_pair"), f"kano.{feature}",
                                msg("study_kano_pair_expected"))
            pairs[self.text(feature, "kano")] = (pair[0], pair[1])
        return pairs

    def abc(self, value: Any) -> tuple[float, float]:
        value = self.mapping(value, "abc")
        a, b = value.get("a", 0.8), value.get("b", 0.95)
        for k in value:
            if k not in ("a", "b"):
                raise self.fail(msg("study_unknown_key", key=k, suggestion=""), f"abc.{k}",
                                msg("study_abc_keys_expected"))
        ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
        if not ok or not 0 < a < b < 1:
            raise self.fail(msg("study_abc_cutoffs", a=a, b=b), "abc", msg("study_abc_expected"))
        return float(a), float(b)

    def weights(self, value: Any, study: Study) -> Any:
        if value in ("equal", "importance"):
            if value == "importance" and not study.importance:
                raise self.fail(msg("study_weights_importance"), "weights",
                                msg("study_weights_importance_expected"))
            return value
        value = self.mapping(value, "weights")
        if "ahp" in value:
            if set(value) != {"ahp"}:
                raise self.fail(msg("study_ahp_mixed"), "weights")
            return {"ahp": self.ahp(value["ahp"], study)}
        weights = {}
        for item, w in value.items():
            item = self.text(item, "weights")
            if item not in study.items and item not in study.dimensions:
                raise self.fail(msg("study_not_item_or_dimension", name=item,
                                    suggestion=_suggest(item, study.items + list(study.dimensions))),
                                f"weights.{item}")
            if isinstance(w, bool) or not isinstance(w, (int, float)) or w < 0:
                raise self.fail(msg("study_weight_negative", value=w), f"weights.{item}")
            weights[item] = float(w)
        return weights

    def ahp(self, value: Any, study: Study) -> dict:
        value = self.mapping(value, "weights.ahp")
        over = self.names(value.get("over"), "weights.ahp.over")
        matrix = value.get("matrix")
        n = len(over)
        if n < 2 or not isinstance(matrix, list) or len(matrix) != n or any(
                not isinstance(r, list) or len(r) != n for r in matrix):
            raise self.fail(msg("study_ahp_shape"), "weights.ahp",
                            "{over: [A, B, C], matrix: [[1, 3, 5], [1/3, 1, 2], [1/5, 1/2, 1]]}")
        for name in over:
            if name not in study.items and name not in study.dimensions:
                raise self.fail(msg("study_not_item_or_dimension", name=name, suggestion=""),
                                "weights.ahp.over")
        rows = []
        for i, row in enumerate(matrix):
            cells = []
            for j, cell in enumerate(row):
                number = _ahp_number(cell)
                if number is None or number <= 0:
                    raise self.fail(msg("study_ahp_cell", row=i + 1, column=j + 1, value=cell),
                                    "weights.ahp.matrix", msg("study_ahp_cell_expected"))
                cells.append(number)
            rows.append(cells)
        return {"over": over, "matrix": rows}


def _no_pair_separator(name: str, key: str, path: Path | None) -> None:
    """Refuse '|' in a group or dimension name: results.json joins pairs of them with it
    (``"customers|employees"``, HTMT's ``"a|b"``)."""
    if "|" in name:
        raise StudyError(msg("study_name_has_pipe", name=shorten(name)), file=path, key=key,
                         expected=msg("study_name_has_pipe_expected"))


def _check_label_lengths(study: Study) -> None:
    """Refuse a name longer than the ``label_chars`` limit: the title, a group, wave, dimension,
    item or role column, a display name, a construct of the structural model or a comment theme
    (each is repeated in every table, chart and report)."""
    most = limit("label_chars")
    named = [("title", study.title), *(("groups", g) for g in study.groups),
             *(("waves", w) for w in study.waves), *(("dimensions", d) for d in study.dimensions),
             *((f"dimensions.{d}", i) for d, items in study.dimensions.items() for i in items),
             *(("names", text) for names in study.names.values() for text in names.values()),
             *(("segments", c) for c in study.category_columns),
             *(("columns", c) for c in study.numeric_columns),
             *(("pls.constructs", c) for c in (study.pls.constructs if study.pls else ())),
             *(("themes", theme) for theme in study.themes)]
    for key, name in named:
        if len(name) > most:
            raise StudyError(msg("study_name_too_long", name=shorten(name, 40),
                                 chars=f"{len(name):,}", limit=f"{most:,}",
                                 env=LIMITS["label_chars"].env),
                             file=study.path, key=key, expected=msg("study_name_too_long_expected"))


def stopword_lines(text: str) -> frozenset[str]:
    """The words of a stopwords text: one a line, casefolded; blank lines and lines starting with
    ``#`` ignored."""
    return frozenset(w.strip().casefold() for w in text.splitlines()
                     if w.strip() and not w.startswith("#"))


def read_stopwords(path: str | Path) -> frozenset[str]:
    """A stopwords file (``text: {stopwords: FILE}``): UTF-8 text, :func:`stopword_lines`."""
    path = Path(path)
    try:
        check_file_size(path, path.stat().st_size, key="text.stopwords")
        return stopword_lines(path.read_bytes().decode("utf-8-sig"))
    except (FileNotFoundError, IsADirectoryError):
        raise StudyError(msg("stopwords_not_found"), file=path, key="text.stopwords") from None
    except UnicodeDecodeError:
        raise StudyError(msg("stopwords_not_utf8"), file=path, key="text.stopwords",
                         expected=msg("stopwords_expected")) from None


def _ahp_number(cell: Any) -> float | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        return float(cell)
    text = str(cell).strip()
    try:
        if "/" in text:
            num, den = text.split("/", 1)
            return float(num) / float(den)
        return float(text)
    except (ValueError, ZeroDivisionError):
        return None
