"""From a checked study file to clean, coded, reverse-scored data for every group and wave.

For each data file of the study (:class:`~surveys.study.GroupSource`):

1. read it with :func:`surveys.importers.read_table` (format sniffed from the content);
2. rename columns by the group's ``rename`` (keys compared without surrounding white space; a
   key may also be the full question text a platform gives a column, e.g. a 问卷星 matrix column's
   ``13、question(矩阵单选题)—row``, as well as the column's name, the row label) and
   check that every dimension item is there (other declared columns must be in at least one group);
3. code answers to numbers (:mod:`surveys.coding`: numbers, ``4分``, Likert labels, SPSS labels,
   the study's ``labels``) and check the ranges: Likert items within ``scale``, the NPS column
   whole numbers 0-10, revenue not negative. Invalid cells stop the load with a
   :class:`~surveys.errors.StudyError` naming file, row and column, unless the study says
   ``invalid: missing``, in which case they become missing answers and are listed in the report;
   A customer-records file (``records:``) is joined to its group by id before the checks;
4. run the data-quality checks (:mod:`surveys.cleaning`) and the careless-responding screens of
   ``careless:`` (:mod:`surveys.careless`, on the reverse-coded dimension items of every row
   read) and apply the study's exclusions;
5. reverse-code the declared items, x' = min + max − x.

The result, :class:`StudyData`, hands each analysis a mapping group → DataFrame per wave.
"""
from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
import difflib
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from analysis.blas import one_blas_thread
from analysis.forked import processors

from .careless import careless_screens
from .cleaning import QualityReport, detail_column, quality_report
from .coding import code_answers
from .errors import Location, StudyError
from .i18n import Text, msg
from .importers import read_table
from .importers.base import ImportedTable
from .laterframes import CodedFrame, LaterFrame
from .limits import LIMITS, limit, shorten
from .read_ahead import ReadAhead, read_source
from .study import GroupSource, Scale, Study, read_study
from .wholecodes import MISSING_CODE, WholeCodes, answered_range, whole_number_row

__all__ = ["GroupData", "StudyData", "load_study", "combine_waves", "FILE_ROW", "NPS_RANGE",
           "LaterFrame"]

#: column holding each row's row number in its file (kept through cleaning, for messages)
FILE_ROW = "_file_row"
NPS_RANGE = (0, 10)


class _FrameField:
    """A field of :class:`GroupData` that may be given a :class:`LaterFrame`: read, it is the
    DataFrame (made on this first read); the value given is kept as ``_<name>``."""

    def __set_name__(self, owner, name: str) -> None:
        self._name = "_" + name

    def __get__(self, group, owner=None) -> pd.DataFrame:
        if group is None:
            raise AttributeError(self._name)  # the field has no default
        value = group.__dict__[self._name]
        return value.frame if isinstance(value, LaterFrame) else value

    def __set__(self, group, value) -> None:
        group.__dict__[self._name] = value


@dataclass
class GroupData:
    """One group's data of one wave.

    ``data`` keeps every row read, one column per column of the file after renaming, with the
    study's numeric columns coded to float (raw codes, before reverse coding) and ``_file_row``.
    ``scored`` is ``data`` restricted to the kept rows with reverse-coded items: what analyses use.
    Loading gives both as :class:`~surveys.laterframes.LaterFrame`, made when first read
    (:meth:`data_columns` reads some of ``data``'s without making it). ``whole`` pairs the
    ``scored`` frame it was made for (or its later frame) with its summed columns as int8 rows
    (:class:`~surveys.wholecodes.WholeCodes`, the same answers), which the moments take instead
    of converting the float columns again; a copy with another ``scored`` does not use them.
    """

    source: GroupSource
    table: ImportedTable
    data: pd.DataFrame = _FrameField()
    scored: pd.DataFrame = _FrameField()
    quality: QualityReport
    summed: tuple[str, ...] = ()
    whole: tuple[pd.DataFrame | LaterFrame, WholeCodes] | None = None

    @property
    def group(self) -> str:
        return self.source.group

    @property
    def wave(self) -> str:
        return self.source.wave

    @cached_property
    def responses(self):
        """``scored`` with its sufficient statistics (:class:`analysis.moments.Responses`),
        computed on first use and kept, so that every section of an analysis shares them; the
        columns of ``summed`` (Likert items, the NPS column) are summed together in one pass.
        A scored frame not made yet is handed on as its :class:`LaterFrame`: the statistics
        that come from ``whole`` do not make it."""
        from analysis.moments import Responses

        given = self.__dict__["_scored"]  # as given: a LaterFrame stays one
        made_for = None if self.whole is None else self.whole[0]
        whole = self.whole[1] if made_for is given or (
            isinstance(made_for, LaterFrame) and made_for.made is given) else None
        return Responses(given, [c for c in self.summed if c in given.columns], whole=whole)

    def data_columns(self, columns: list[str]) -> pd.DataFrame:
        """``data[columns]``, of the given ``columns`` those it has, without making ``data``'s
        other columns when it is not made yet (respondents.csv reads the file rows and ids)."""
        given = self.__dict__["_data"]  # as given: a LaterFrame stays one
        present = [c for c in dict.fromkeys(columns) if c in given.columns]
        if not isinstance(given, LaterFrame) or given.made is not None:
            return self.data[present]
        return pd.DataFrame({c: given.column(c) for c in present}, index=given.index)


@dataclass
class StudyData:
    """A loaded study: every group of every wave, with the scale actually used."""

    study: Study
    scale: Scale
    groups: dict[tuple[str, str], GroupData]
    scale_inferred: bool = False
    fingerprint: str = ""
    notes: list[Text] = field(default_factory=list)
    #: population weights by (wave, group), set by :func:`analysis.weighting.with_weights`
    weights: dict = field(default_factory=dict)

    def frames(self, wave: str | None = None) -> dict[str, pd.DataFrame]:
        """Group name -> scored DataFrame of one wave (default: the current wave)."""
        wave = self.study.wave if wave is None else wave
        return {g: d.scored for (w, g), d in self.groups.items() if w == wave}

    def frames_by_wave(self) -> dict[str, dict[str, pd.DataFrame]]:
        """Wave -> group -> scored DataFrame, oldest wave first."""
        return {w: self.frames(w) for w in self.study.waves}

    def responses(self, wave: str | None = None) -> dict:
        """Group name -> :class:`analysis.moments.Responses` of one wave (default: the current
        wave): the scored data with the sufficient statistics every analysis shares."""
        wave = self.study.wave if wave is None else wave
        return {g: d.responses for (w, g), d in self.groups.items() if w == wave}

    def filtered(self, filters: dict[str, list]) -> "StudyData":
        """The same study restricted to rows whose ``column`` value is one of the listed values.

        A group without the column (employees have no region, say) is kept whole; the note
        says so. An empty list of values means no filter on that column.
        """
        filters = {c: list(v) for c, v in filters.items() if v}
        if not filters:
            return self
        groups, unfiltered = {}, set()
        for key, d in self.groups.items():
            keep = pd.Series(True, index=d.scored.index)
            for column, values in filters.items():
                if column in d.scored:
                    keep &= d.scored[column].isin(values)
                else:
                    unfiltered.add((d.group, column))
            groups[key] = replace(d, scored=d.scored[keep])
        notes = [msg("load_filter_not_applied", column=c, group=g) for g, c in sorted(unfiltered)]
        return replace(self, groups=groups, notes=self.notes + notes,
                       fingerprint=f"{self.fingerprint}|{sorted(filters.items())}")

    def with_columns(self, group: str, columns: dict[str, pd.Series]) -> "StudyData":
        """A copy with derived columns (e.g. the ABC class) added to one group's scored frames
        of every wave, aligned on the row index."""
        groups = {k: replace(d, scored=d.scored.assign(**{c: v.reindex(d.scored.index)
                                                          for c, v in columns.items()}))
                  if d.group == group and d.wave == self.study.wave else d
                  for k, d in self.groups.items()}
        return replace(self, groups=groups)


def _suggest_columns(name: str, columns) -> Text | str:
    close = difflib.get_close_matches(name, list(columns), n=3, cutoff=0.5)
    return msg("load_similar_columns", columns=", ".join(repr(c) for c in close)) if close else ""


def _rename(table: ImportedTable, source: GroupSource) -> pd.DataFrame:
    return _rename_columns(table, source.rename, source.file, f"groups.{source.group}.rename")


def _rename_columns(table: ImportedTable, rename: dict[str, str], file: Path,
                    key: str) -> pd.DataFrame:
    frame = table.frame
    stripped = {str(c).strip(): c for c in frame.columns}
    for column, question in table.questions.items():  # e.g. a 问卷星 matrix column's full header
        stripped.setdefault(str(question).strip(), column)
    mapping = {}
    for raw_name, item in rename.items():
        if raw_name not in stripped:
            raise StudyError(msg("load_rename_missing", column=raw_name, item=item,
                                 suggestion=_suggest_columns(raw_name, stripped)),
                             file=file, key=key)
        mapping[stripped[raw_name]] = item
    renamed = frame.rename(columns=mapping)
    names = [str(c).strip() for c in renamed.columns]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise StudyError(msg("load_renamed_twice", name=twice[0]), file=file,
                         column=twice[0], key=key, expected=msg("load_renamed_twice_expected"))
    renamed.columns = names
    return renamed


def _digits_as_text(frame: pd.DataFrame, numeric: list[str]) -> pd.DataFrame:
    """``frame`` with its columns read as one-digit categoricals
    (:func:`surveys.importers.read_table` with ``digits``) other than ``numeric`` (the ones
    coded from their codes) in the text dtype of every other read: a segment, an id or a
    filter column holds the same texts in the same dtype, however large its file."""
    coded = set(numeric)
    digits = [c for c in frame.columns
              if isinstance(frame[c].dtype, pd.CategoricalDtype) and c not in coded]
    if not digits:
        return frame
    texts = pd.StringDtype(na_value=np.nan)
    return frame.assign(**{c: frame[c].astype(texts) for c in digits})


def _join_records(study: Study, frames: dict[GroupSource, pd.DataFrame]) -> dict:
    """Add the records file's columns to every wave of its group, matching the group's ``match``
    column to the records' ``id`` (ids compared as text, white space stripped). Returns a note
    per source on respondents without a record; duplicate ids and clashing column names are
    errors."""
    rec = study.records
    table = read_table(rec.file, sheet=rec.sheet)
    records = _rename_columns(table, rec.rename, rec.file, "records.rename")
    if rec.id not in records:
        raise StudyError(msg("load_records_no_id", column=rec.id,
                             suggestion=_suggest_columns(rec.id, records.columns)),
                         file=rec.file, key="records.id", column=rec.id)
    ids = records[rec.id].astype("string").str.strip()
    twice = ids.notna() & ids.duplicated(keep=False)
    if twice.any():
        rows = np.asarray(table.file_rows)[twice.to_numpy()]
        raise StudyError(msg("load_records_id_twice", id=shorten(ids[twice].iloc[0])),
                         file=rec.file,
                         row=int(rows[0]), column=rec.id,
                         more=[Location(str(rec.file), int(r), rec.id) for r in rows[1:]],
                         expected=msg("load_records_id_twice_expected"))
    extra = records.drop(columns=[rec.id]).set_index(ids.to_numpy())
    extra = extra[extra.index.notna()]
    notes = {}
    for source, frame in frames.items():
        if source.group != rec.group:
            continue
        if rec.match not in frame:
            raise StudyError(msg("load_records_no_match", column=rec.match,
                                 suggestion=_suggest_columns(rec.match, frame.columns)),
                             file=source.file, key="records.match", column=rec.match)
        clash = sorted(set(extra.columns) & set(frame.columns))
        if clash:
            raise StudyError(msg("load_records_clash", column=clash[0]),
                             file=source.file, key="records", column=clash[0],
                             expected=msg("load_records_clash_expected"))
        keys = frame[rec.match].astype("string").str.strip()
        joined = extra.reindex(keys.to_numpy())
        joined.index = frame.index
        frames[source] = pd.concat([frame, joined], axis=1)
        unmatched = int((~keys.isin(extra.index)).sum())
        notes[source] = [msg("load_records_unmatched", n=unmatched, total=len(frame),
                             file=rec.file.name)] if unmatched else []
    return notes


def _check_columns(study: Study, frames: dict[GroupSource, pd.DataFrame]) -> None:
    """Dimension items must be in every file; other declared columns in at least one."""
    for source, frame in frames.items():
        for item in study.items:
            if item not in frame.columns:
                raise StudyError(msg("load_item_not_a_column", item=item,
                                     suggestion=_suggest_columns(item, frame.columns)),
                                 file=source.file, column=item,
                                 expected=msg("load_item_not_a_column_expected",
                                              group=source.group))
    optional = [c for c in [*study.numeric_columns, *study.category_columns, *study.comments,
                            study.id, study.duration, *study.contact]
                if c is not None and c not in study.items]
    for column in optional:
        if not any(column in frame.columns for frame in frames.values()):
            raise StudyError(msg("load_column_in_no_file", column=column), file=study.path,
                             column=column, expected=msg("load_column_in_no_file_expected"))


def _check_categories(study: Study, frames: dict[GroupSource, pd.DataFrame],
                      tables: dict[GroupSource, ImportedTable]) -> None:
    """Answers of category columns (segments, lifecycle, Kano questions) become labels in every
    table, chart and filter: refuse one longer than the ``label_chars`` limit, and a segment or
    lifecycle column with more different answers than ``segment_levels`` (a free-text column
    named as a segment by mistake, or a hostile file); see :func:`check_category_answers`."""
    most_chars = limit("label_chars")
    for source, frame in frames.items():
        rows = np.asarray(tables[source].file_rows)
        for column in study.category_columns:
            if column not in frame:
                continue
            values = frame[column]
            lengths = values.astype("string").str.len()
            too_long = (lengths > most_chars).fillna(False).to_numpy()
            at = int(np.argmax(too_long)) if too_long.any() else None
            check_category_answers(study, column, 0 if at is None else int(lengths.iloc[at]),
                                   values.nunique(dropna=True), file=source.file,
                                   row=None if at is None else int(rows[at]))


def check_category_answers(study: Study, column: str, longest: int, levels: int,
                           file: Path | str | None, row: int | None = None,
                           key: str | None = None) -> None:
    """Refuse a category column whose answer of ``longest`` characters exceeds the
    ``label_chars`` limit (located at ``file``, ``row``, ``key``), or a segment or lifecycle
    column with ``levels`` different answers, more than ``segment_levels``. Shared by the files
    (:func:`_check_categories`) and the table groups (:func:`surveys.tables.check_categories`),
    so that both give the same error."""
    most_chars, most_levels = limit("label_chars"), limit("segment_levels")
    if longest > most_chars:
        raise StudyError(msg("category_answer_too_long", chars=f"{longest:,}",
                             limit=f"{most_chars:,}", env=LIMITS["label_chars"].env),
                         file=file, row=row, key=key, column=column,
                         expected=msg("category_answer_too_long_expected"))
    if column in {*study.segments, study.lifecycle} and levels > most_levels:
        raise StudyError(msg("segment_too_many_levels", levels=f"{levels:,}",
                             limit=f"{most_levels:,}", env=LIMITS["segment_levels"].env),
                         file=file, column=column,
                         key="lifecycle" if column == study.lifecycle else "segments",
                         expected=msg("segment_too_many_levels_expected"))


def _infer_scale(coded: dict[GroupSource, pd.DataFrame], items: list[str],
                 study_file: Path | None) -> Scale:
    values = pd.concat([df[[c for c in items if c in df]].stack() for df in coded.values()])
    if values.empty:
        return Scale(1.0, 5.0)
    low, high = float(np.floor(values.min())), float(np.ceil(values.max()))
    if low == high:
        raise StudyError(msg("load_scale_one_value", value=f"{low:g}"), file=study_file,
                         key="scale", expected=msg("load_scale_one_value_expected"))
    return Scale(low, high)


def _range_problems(values: np.ndarray, ok: np.ndarray, rule_detail: Text, column: str,
                    file_rows: pd.Series, raw: pd.Series,
                    keep_empty: bool = False) -> pd.DataFrame | None:
    """The answered cells of one column (float array) that fail ``ok`` (boolean array) as
    findings rows; None when there are none (unless ``keep_empty``: building an empty frame per
    column cost ~5 ms each)."""
    bad = ~np.isnan(values) & ~ok
    if not keep_empty and not bad.any():
        return None
    return pd.DataFrame({"rule": "out_of_range", "row": file_rows[bad].to_numpy(),
                         "column": column, "value": raw[bad].astype(str).to_numpy(),
                         "detail": detail_column(rule_detail, int(bad.sum()))})


def _code_source(study: Study, source: GroupSource, table: ImportedTable,
                 frame: pd.DataFrame) -> tuple[CodedFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """Code every numeric column present; returns (data, invalid cells, whole codes): ``data``
    not made yet (:class:`~surveys.laterframes.CodedFrame`: a column read as one digit is held
    as its int8 codes until the float column is read); the last holds the summed columns
    (Likert items, the NPS column) whose codes are whole numbers in [-127, 127] as int8 rows
    (:mod:`surveys.wholecodes`), read so by coding where it could.

    The columns are coded on two threads (the work is on whole arrays, which release the
    interpreter's lock) and taken in the study's order, as one loop takes them."""
    file_rows = pd.Series(np.asarray(table.file_rows), index=frame.index)
    problems, whole, codes = [], {}, {}
    summed = set(_summed_columns(study))
    scale = None if study.scale is None else (study.scale.min, study.scale.max)

    def code(column: str):
        raw_column = next((k for k, v in source.rename.items() if v == column), column)
        return code_answers(frame[column], file_rows=file_rows.to_numpy(), labels=study.labels,
                            value_labels=table.value_labels.get(raw_column), scale=scale,
                            floats=False)

    present = [c for c in study.numeric_columns if c in frame.columns]
    with ThreadPoolExecutor(max_workers=min(2, processors())) as pool:
        coded_columns = list(pool.map(code, present))
    for column, coded in zip(present, coded_columns):
        codes[column] = coded.whole if coded.codes is None else coded.codes.to_numpy(
            dtype=np.float64)
        if column in summed:
            row = coded.whole if coded.whole is not None else whole_number_row(codes[column])
            if row is not None:
                whole[column] = row
        if len(coded.invalid):
            problems.append(pd.DataFrame({
                "rule": "non_numeric", "row": coded.invalid["row"].to_numpy(), "column": column,
                "value": coded.invalid["value"].astype(str).to_numpy(),
                "detail": detail_column(msg("detail_non_numeric"), len(coded.invalid))}))
    invalid = pd.concat(problems, ignore_index=True) if problems else pd.DataFrame(
        columns=["rule", "row", "column", "value", "detail"])
    return CodedFrame(frame, codes, file_rows, FILE_ROW), invalid, whole


def _summed_columns(study: Study) -> list[str]:
    """The columns whose moments the analyses sum together (Likert items, the NPS column)."""
    return [c for c in [*study.scored_items, study.nps] if c is not None]


def _check_ranges(study: Study, scale: Scale, data: pd.DataFrame, frame: pd.DataFrame,
                  whole: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """The out-of-range findings of the Likert items, the NPS column and the amount. A column
    after the first whose int8 codes (``whole``, :mod:`surveys.wholecodes`) lie within the
    scale has none, and its float column is not read."""
    rows = data[FILE_ROW]
    whole = whole or {}
    out = []
    for column in study.scored_items:
        if column in data:
            if out and _within(whole.get(column), scale.min, scale.max):
                continue
            v = data[column].to_numpy(dtype=float)
            outside = msg("detail_outside_scale", min=f"{scale.min:g}", max=f"{scale.max:g}")
            out.append(_range_problems(v, (v >= scale.min) & (v <= scale.max), outside, column,
                                       rows, frame[column], keep_empty=not out))
    if study.nps is not None and study.nps in data and not (
            out and _within(whole.get(study.nps), *NPS_RANGE)):
        v = data[study.nps].to_numpy(dtype=float)
        ok = (v >= NPS_RANGE[0]) & (v <= NPS_RANGE[1]) & (v == np.round(v))
        out.append(_range_problems(v, ok, msg("detail_not_nps"), study.nps, rows,
                                   frame[study.nps], keep_empty=not out))
    for column in (study.revenue,):
        if column is not None and column in data:
            v = data[column].to_numpy(dtype=float)
            out.append(_range_problems(v, v >= 0, msg("detail_negative_amount"), column, rows,
                                       frame[column], keep_empty=not out))
    # the first check's frame (empty or not) and the others that found something: the same rows
    # and column types as all of them
    out = [problems for problems in out if problems is not None]
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        columns=["rule", "row", "column", "value", "detail"])


def _within(codes: np.ndarray | None, low: float, high: float) -> bool:
    """Whether the answers of an int8 row (:mod:`surveys.wholecodes`; None: no row) all lie in
    [low, high] (:func:`~surveys.wholecodes.answered_range`; nothing answered: they do)."""
    if codes is None:
        return False
    answered = answered_range(codes)
    return answered is None or (low <= answered[0] and answered[1] <= high)


def _raise_invalid(source: GroupSource, invalid: pd.DataFrame) -> None:
    first = invalid.iloc[0]
    more = [Location(str(source.file), int(r.row), r.column)
            for r in invalid.iloc[1:1000].itertuples()]
    expected = msg("load_non_numeric_expected" if first.rule == "non_numeric"
                   else "load_valid_answer_expected")
    raise StudyError(msg("load_invalid_answer", value=shorten(first.value), detail=first.detail),
                     file=source.file, row=int(first.row), column=first.column, more=more,
                     expected=msg("load_invalid_expected", expected=expected))


def _seconds(study: Study, table: ImportedTable, data: pd.DataFrame) -> pd.Series | None:
    if study.duration is not None and study.duration in data:
        return pd.to_numeric(data[study.duration], errors="coerce")
    if table.durations is not None:
        return pd.Series(np.asarray(table.durations, dtype="float64"), index=data.index)
    return None


def _screened_codes(study: Study, recoded: WholeCodes | None) -> list[np.ndarray] | None:
    """The careless screens' answers (the dimension items, reverse-coded) as int8 rows from the
    codes loading holds (``recoded``: reverse-coded already; None when a recoded answer left
    int8), which the screens' threads gather into their matrix block by block, or None (the
    screens then read the float columns)."""
    if recoded is None or not recoded.covers(study.items):
        return None
    return [recoded.row(c) for c in study.items]


def reverse_code(data: pd.DataFrame, items: list[str], scale: Scale) -> pd.DataFrame:
    """Reverse-score ``items`` present in ``data``: x' = min + max − x (missing stays missing)."""
    present = [c for c in items if c in data]
    if not present:
        return data
    out = data.copy(deep=False)  # copy-on-write: only the reversed columns are new
    out[present] = scale.min + scale.max - out[present]
    return out


#: bytes of a file hashed at a time by :func:`_file_digest`
_DIGEST_PIECE = 1 << 20


def _file_digest(study: Study):
    """The SHA-256 of the study file and its data files, in that order (a ``hashlib`` object
    for :func:`_fingerprint` to finish). Each file is read into one reused buffer a piece at a
    time (the digest of the whole bytes: a 120 MB file is not held in memory again)."""
    digest = hashlib.sha256()
    piece = bytearray(_DIGEST_PIECE)
    view = memoryview(piece)
    paths = ([Path(study.path)] if study.path is not None else []) + list(study.data_files())
    for path in paths:
        with path.open("rb") as handle:
            while size := handle.readinto(piece):
                digest.update(view[:size])
    return digest


def _fingerprint(files, tables: list[dict] = ()) -> str:
    """A digest of the study file and its data files (``files``: :func:`_file_digest`) and of
    each table group (its masked engine, table, condition and row count, the rows staying in
    the engine)."""
    digest = files.copy()
    for record in tables:
        digest.update(repr(sorted(record.items())).encode())
    return digest.hexdigest()


def load_study(study: Study | str | Path | ReadAhead) -> StudyData:
    """Read, code, check and clean every file of a study (see the module docstring); ``study``
    may be a :class:`~surveys.read_ahead.ReadAhead`, whose study and tables are taken.

    Each file is read, coded and cleaned on its own thread as soon as it is read
    (:func:`_file_steps`: the employees' 100,000 rows are done while the customers' million are
    still being read, instead of competing with their coding and cleaning afterwards), and the
    files' digest is taken on a third thread; pyarrow's reader, NumPy on whole columns and
    hashing release the interpreter's lock. The steps that join files (a records file, the
    columns every file must have, a scale inferred from every file) wait for all of them. Each
    step's result is the one a loop gives, and an error is the one a loop over the steps, and
    within a step over the sources in the study's order, would raise first (:class:`_Steps`).
    Linear algebra (the careless screens' D²) runs on one BLAS thread meanwhile, as in the
    command line: with OpenBLAS's own threads under each of these, the app's loading of
    1,000,000 rows took ~25 % longer and ~45 % more CPU (their threads spinning), and the
    screens get the same bits in the app as in the command line."""
    read = read_source
    if isinstance(study, ReadAhead):
        study, read = study.study(), study.table
    elif not isinstance(study, Study):
        study = read_study(study)
    from . import tables as engine_tables

    files = [s for s in study.sources if s.file is not None]
    opened = {s: engine_tables.open_source(study, s) for s in study.sources if s.file is None}
    # a file's coding may run ahead unless a records file joins it first; its cleaning unless
    # the scale comes from every file (or a records file's notes are needed)
    code_ahead = not study.records
    clean_ahead = code_ahead and study.scale is not None
    with ThreadPoolExecutor(max_workers=3) as pool, one_blas_thread():
        file_digest = pool.submit(_file_digest, study)
        steps = {s: _Steps() for s in files}
        running = [pool.submit(_file_steps, study, s, read, steps[s], code_ahead, clean_ahead)
                   for s in files]
        for future in running:
            future.result()
        tables = {s: steps[s].result("read") for s in files}
        frames = {s: steps[s].result("rename") for s in files}
        record_notes = _join_records(study, frames) if study.records else {}
        _check_columns(study, {**frames, **{s: pd.DataFrame(columns=o.table.columns)
                                            for s, o in opened.items()}})
        _check_categories(study, frames, tables)
        for source in opened.values():
            engine_tables.check_categories(study, source)
        coded = ({s: steps[s].result("code") for s in files} if code_ahead else dict(zip(
            files, pool.map(lambda s: _code_source(study, s, tables[s], frames[s]), files))))
        scale = study.scale or _infer_scale({**{s: c[0] for s, c in coded.items()},
                                             **{s: engine_tables.item_range(study, o)
                                                for s, o in opened.items()}},
                                            study.scored_items, study.path)
        # each file's cleaned data, taken (or its error raised) in the study's order of sources
        cleaned = ({s: partial(steps[s].result, "clean") for s in files} if clean_ahead else {
            s: pool.submit(_clean_source, study, s, tables[s], frames[s], *coded[s], scale,
                           record_notes.get(s, [])).result for s in files})
        groups = {(s.wave, s.group): engine_tables.load_table_group(study, opened[s], scale)
                  if s in opened else cleaned[s]() for s in study.sources}
        fingerprint = _fingerprint(file_digest.result(), [g.record() for g in groups.values()
                                                          if g.source.file is None])
    notes = [] if study.scale else [msg("load_scale_inferred", min=f"{scale.min:g}",
                                        max=f"{scale.max:g}")]
    return StudyData(study=study, scale=scale, groups=groups, scale_inferred=study.scale is None,
                     fingerprint=fingerprint, notes=notes)


class _Steps:
    """The results of one file's steps run ahead on a thread (:func:`_file_steps`), each a
    value or the error it raised, taken by :func:`load_study` step by step in the study's
    order of sources: the error it raises is the one a loop over the steps would meet first."""

    def __init__(self) -> None:
        self._results: dict[str, object] = {}

    def run(self, step: str, function, *args):
        """``function(*args)``, kept as ``step``'s result; an error is kept and raised."""
        try:
            value = function(*args)
        except Exception as error:
            self._results[step] = error
            raise
        self._results[step] = value
        return value

    def result(self, step: str):
        """The value of ``step``, or its error raised."""
        value = self._results[step]
        if isinstance(value, Exception):
            raise value
        return value


def _file_steps(study: Study, source: GroupSource, read: Callable[[GroupSource], ImportedTable],
                steps: _Steps, code: bool, clean: bool) -> None:
    """Read (``read(source)``) and rename one file and, when ``code``, code it, and when
    ``clean``, clean it on the study's declared scale, into ``steps``; a step's error ends the
    file's steps (it is kept for :func:`load_study` to raise in its turn)."""
    try:
        table = steps.run("read", read, source)
        frame = steps.run("rename", lambda: _digits_as_text(_rename(table, source),
                                                            study.numeric_columns))
        if code:
            coded = steps.run("code", _code_source, study, source, table, frame)
            if clean:
                steps.run("clean", _clean_source, study, source, table, frame, *coded,
                          study.scale, [])
    except Exception:
        return  # kept in steps, for load_study to raise in its turn


def _clean_source(study: Study, source: GroupSource, table: ImportedTable, frame: pd.DataFrame,
                  data: CodedFrame, invalid: pd.DataFrame, whole: dict[str, np.ndarray],
                  scale: Scale, record_notes: list[Text]) -> GroupData:
    """One file's coded answers (:func:`_code_source`) checked, screened and cleaned: the
    range checks, then reverse coding and the careless screens (on another thread, while the
    quality checks that do not need them are made), the quality report, the kept rows
    reverse-coded. The float frames (``data``, reverse-coded, the kept rows) are later frames:
    the checks and screens read their rows and columns, and the answers from ``whole`` where it
    holds them."""
    invalid = pd.concat([invalid, _check_ranges(study, scale, data, frame, whole)],
                        ignore_index=True)
    if len(invalid) and study.invalid == "error":
        _raise_invalid(source, invalid)
    for column, rows in invalid.groupby("column")["row"]:  # invalid: missing
        bad = data[FILE_ROW].isin(rows).to_numpy()
        data.set_missing(column, bad)
        if column in whole:
            whole[column] = np.where(bad, np.int8(MISSING_CODE), whole[column])
    codes = WholeCodes(whole, len(data))
    items = [c for c in study.scored_items if c in data]
    meta = list(table.meta_columns.values())
    attention = [c for c in study.careless.get("attention", {}) if c in data]
    settings = ({**study.careless, "attention": {c: study.careless["attention"][c]
                                                 for c in attention}}
                if "attention" in study.careless else study.careless)

    def screens():
        # reverse-coded once, the int8 rows and the (later) float columns: the screens take
        # every row, the scored frame the kept ones
        recoded = codes.reverse_coded(study.reverse, scale.min, scale.max)
        reversed_data = data.then(partial(reverse_code, items=study.reverse, scale=scale))
        careless = careless_screens(reversed_data[study.items], study.dimensions, settings,
                                    data[attention], whole=_screened_codes(study, recoded))
        return recoded, reversed_data, careless

    # reverse coding and the screens on another thread while the quality checks that do not
    # need them are made (reverse coding raises nothing on coded answers: errors come as before)
    with ThreadPoolExecutor(max_workers=1) as beside:
        screened = beside.submit(screens)
        report = quality_report(
            group=source.group, wave=source.wave, codes=data[items],
            raw_dimension_codes=data[study.items], file_rows=data[FILE_ROW], invalid=invalid,
            exclude=study.exclude, answers_for_duplicates=frame,
            id_column=study.id if study.id in data else table.meta_columns.get("id"),
            ignore_for_duplicates=meta, seconds=_seconds(study, table, data),
            notes=table.notes + record_notes, careless=lambda: screened.result()[2],
            whole=codes)
    recoded, reversed_data, _ = screened.result()
    keep = report.keep.to_numpy()
    scored = LaterFrame(lambda: reversed_data.frame[keep], reversed_data.columns,
                        _kept_index(reversed_data.index, keep))
    return GroupData(source, table, data, scored, report, tuple(_summed_columns(study)),
                     None if recoded is None else (scored, recoded.at(keep)))


def _kept_index(index: pd.Index, keep: np.ndarray) -> pd.Index:
    """The index of ``frame[keep]`` (``keep`` boolean) as pandas makes it: the same index
    when every row is kept, else ``index.take`` of the kept positions."""
    return index if keep.all() else index.take(np.flatnonzero(keep))


def combine_waves(parts: list[tuple[str, StudyData]]) -> StudyData:
    """One study from several loaded study files, one wave each, oldest first.

    The study store keeps a study's waves as separate study files; for trends they are joined
    here. Each part contributes the groups of its current wave under the given wave name; the last
    part describes the instrument (dimensions, roles, names). Every part must have the same
    dimensions and scale, or the trend would compare different things: a StudyError names the
    wave whose study file differs.
    """
    if not parts:
        raise ValueError("no waves to combine")
    names = [wave for wave, _ in parts]
    if len(set(names)) != len(names):
        raise StudyError(msg("load_wave_twice", wave=next(w for w in names if names.count(w) > 1)))
    latest = parts[-1][1]
    groups = {}
    for wave, data in parts:
        if data.study.dimensions != latest.study.dimensions or data.scale != latest.scale:
            raise StudyError(msg("load_wave_differs", wave=wave, latest=names[-1]),
                             file=data.study.path, key="dimensions",
                             expected=msg("load_wave_differs_expected"))
        for (w, g), group in data.groups.items():
            if w == data.study.wave:
                source = replace(group.source, wave=wave)
                groups[(wave, g)] = replace(group, source=source,
                                            quality=replace(group.quality, wave=wave))
    study = replace(latest.study, wave=names[-1], waves=names,
                    sources=[g.source for g in groups.values()])
    digest = hashlib.sha256("|".join(d.fingerprint for _, d in parts).encode()).hexdigest()
    return replace(latest, study=study, groups=groups, fingerprint=digest,
                   notes=[n for _, d in parts for n in d.notes])
