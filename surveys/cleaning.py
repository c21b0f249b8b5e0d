"""Data-quality checks of one group's answers, and the rows the study file excludes.

Every check is a pure function of the coded answers (numbers, NaN for missing) and returns which
rows or cells it flags; :func:`quality_report` runs them all and decides what is excluded by the
study file's ``exclude`` rules. Nothing is dropped silently: the report lists each finding with its
file row and column and counts how many rows each rule removed.

Rules
-----
- ``invalid``: an answer that is not a number or label (``non_numeric``) or lies outside the scale
  (``out_of_range``). Found while coding (:mod:`surveys.load`); reported here.
- ``missing``: missing answers per item and per respondent (summaries, not one finding a cell).
- ``duplicates``: a row whose respondent id repeats an earlier row's, or whose answers to every
  non-metadata column equal an earlier row's (a double submission). The first occurrence is kept.
- ``straightliners``: a respondent whose raw answers (before reverse coding) to all dimension items
  are one and the same value, with at least ``MIN_STRAIGHT_ITEMS`` items answered. Identical answers
  to a reverse-coded and a normal item contradict each other, so this is a strong signal.
- ``speeders``: completion time below a third of the group's median completion time.
- ``zero_variance``: an item every respondent answered the same way (or nobody answered).
- ``longstring``, ``irv``, ``mahalanobis``, ``even_odd``, ``attention``: the careless-responding
  screens of the study's ``careless:`` block (:mod:`surveys.careless`), when configured.

Rows excluded: for each rule switched on under ``exclude`` the rows it flags are removed; a row
flagged by several rules is counted under the first of duplicates, speeders, straightliners, so the
counts add up to the rows removed (then longstring, irv, mahalanobis, even_odd, attention).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from .limits import shorten
from .careless import SCREENS, CarelessResult
from .i18n import Text, msg
from .wholecodes import MISSING_CODE, WholeCodes, answered_range

__all__ = [
    "MIN_STRAIGHT_ITEMS", "SPEEDER_FRACTION", "EXCLUSION_ORDER", "QualityReport",
    "duplicate_rows", "straightliners", "speeders", "zero_variance_items", "missing_summary",
    "quality_report", "detail_column",
]

MIN_STRAIGHT_ITEMS = 5
SPEEDER_FRACTION = 1 / 3
EXCLUSION_ORDER = ("duplicates", "speeders", "straightliners", *SCREENS)
EXAMPLES_PER_RULE = 50
#: characters of an example answer kept in results.json (a 10 MB answer is cut, and counted)
EXAMPLE_CHARS = 200


def duplicate_rows(answers: pd.DataFrame, id_column: str | None = None,
                   ignore: list[str] = (), codes: pd.DataFrame | None = None,
                   whole: WholeCodes | None = None) -> pd.Series:
    """Rows repeating an earlier row's respondent id, or all its answers (first kept).

    ``ignore`` names metadata columns (serial number, submission time, duration) left out of the
    comparison of answers. Missing ids are never duplicates of each other.

    ``codes`` (optional) holds the numeric codes of some compared columns, on the same rows: two
    rows with the same answers have the same codes, so only rows whose codes repeat another
    row's (a key of each row's codes, :func:`_row_keys`, that occurs twice) are compared as
    text. The flags are those of the comparison of every row; with a million rows the text of a
    few candidates is compared instead of all of it. ``whole`` (optional) holds some of those
    codes as int8 rows (:mod:`surveys.wholecodes`), from which their part of the key is made.
    """
    flagged = pd.Series(False, index=answers.index)
    if id_column is not None and id_column in answers:
        ids = answers[id_column]
        flagged |= ids.notna() & ids.duplicated(keep="first")
    compared = [c for c in answers.columns if c not in set(ignore) and c != id_column]
    if compared:
        coded = [] if codes is None else [c for c in codes.columns if c in compared]
        if coded:
            candidates = _repeated(_row_keys(codes[coded], whole))
            if len(candidates):  # (taking no row of every column still cost ~45 ms a million)
                flagged.iloc[candidates] |= answers.iloc[candidates][compared].duplicated(
                    keep="first").to_numpy()
        else:
            flagged |= answers[compared].duplicated(keep="first")
    return flagged


def _row_keys(codes: pd.DataFrame, whole: WholeCodes | None = None) -> np.ndarray:
    """A 64-bit key of each row's codes: equal codes (to the bit) give equal keys; different
    codes almost never do (a collision only adds a candidate to compare as text).

    Column by column, the bit pattern b of each code folded onto its low half
    (b xor b >> 32: the codes of whole numbers differ in their high bits) and added to the
    key times an odd constant, modulo 2^64: no respondents x items copy of the codes, about a
    third of the CPU of :func:`pandas.util.hash_pandas_object`. The columns ``whole`` holds as
    int8 come after the others, two at a time: their two bytes as one 16-bit number
    (:func:`_byte_pair`: one code, one byte, so equal codes give equal numbers), half the
    passes over the keys (0.035 -> 0.025 s CPU at a million rows x 60)."""
    key = np.zeros(len(codes), dtype=np.uint64)
    held = [c for c in codes.columns if whole is not None and c in whole.columns]
    for column in [c for c in codes.columns if c not in held]:
        key *= _KEY_FACTOR
        bits = codes[column].to_numpy(dtype=np.float64, na_value=np.nan).view(np.uint64)
        key += bits ^ (bits >> np.uint64(32))
    for at in range(0, len(held), 2):
        key *= _KEY_FACTOR
        key += _byte_pair(whole, held[at:at + 2])
    return key


def _byte_pair(whole: WholeCodes, columns: list[str]) -> np.ndarray:
    """The int8 codes of one or two columns as one 16-bit number a row (the first column's
    byte high)."""
    pair = whole.row(columns[0]).view(np.uint8).astype(np.uint16)
    if len(columns) == 2:
        pair <<= 8
        pair |= whole.row(columns[1]).view(np.uint8)
    return pair


def _repeated(keys: np.ndarray) -> np.ndarray:
    """The positions of the keys that occur more than once, in order.

    First the keys whose top :data:`_BUCKET_BITS` bits another key shares (a count of each
    bucket, :func:`numpy.bincount`: the multiplications of :func:`_row_keys` mix every code
    into the top bits), then pandas' hashing of those keys only: ~0.045 -> 0.025 s CPU at a
    million keys, the same positions."""
    bucket = (keys >> np.uint64(64 - _BUCKET_BITS)).astype(np.intp)
    shared = np.flatnonzero(np.bincount(bucket, minlength=1 << _BUCKET_BITS)[bucket] > 1)
    return shared[pd.Series(keys[shared]).duplicated(keep=False).to_numpy()]


#: the bits of a key :func:`_repeated` counts buckets of (4M buckets: ~1 key in 5 of a million
#: shares one)
_BUCKET_BITS = 22
#: the odd multiplier of :func:`_row_keys` (2^64 / the golden ratio)
_KEY_FACTOR = np.uint64(0x9E3779B97F4A7C15)


def straightliners(raw_codes: pd.DataFrame, min_items: int = MIN_STRAIGHT_ITEMS,
                   whole: WholeCodes | None = None) -> pd.Series:
    """Respondents giving one identical raw answer to every item they answered (≥ ``min_items``).

    Column by column (running count, least and greatest answer of each row), so that no
    respondents × items copy of the answers is made; from the int8 rows of ``whole`` when it
    holds every column (:func:`_whole_straightliners`)."""
    if whole is not None and whole.covers(raw_codes.columns):
        return pd.Series(_whole_straightliners(whole, list(raw_codes.columns), min_items),
                         index=raw_codes.index)
    n = len(raw_codes)
    answered, low, high = np.zeros(n, dtype=np.int64), np.full(n, np.inf), np.full(n, -np.inf)
    for column in raw_codes.columns:
        x = raw_codes[column].to_numpy(dtype=float, na_value=np.nan)
        answered += ~np.isnan(x)
        np.fmin(low, x, out=low)
        np.fmax(high, x, out=high)
    return pd.Series((answered >= min_items) & (high == low), index=raw_codes.index)


def _whole_straightliners(whole: WholeCodes, columns: list[str], min_items: int) -> np.ndarray:
    """:func:`straightliners` of int8 rows: the greatest answer is the greatest code (the missing
    code, -128, is below every answer) and the least is minus the greatest of the negated codes
    (int8 negation leaves -128 where it is: a missing answer still counts for nothing)."""
    answered = np.zeros(whole.n, dtype=np.int16)
    high = np.full(whole.n, MISSING_CODE, dtype=np.int8)
    negated_high, negated = high.copy(), np.empty(whole.n, dtype=np.int8)
    for column in columns:
        x = whole.row(column)
        answered += x != MISSING_CODE
        np.maximum(high, x, out=high)
        np.maximum(negated_high, np.negative(x, out=negated), out=negated_high)
    return (answered >= min_items) & (high == -negated_high.astype(np.int16))


def speeders(seconds: pd.Series, fraction: float = SPEEDER_FRACTION) -> tuple[pd.Series, float]:
    """Rows faster than ``fraction`` × the median completion time; returns (flags, threshold)."""
    median = seconds.median()
    if not np.isfinite(median):
        return pd.Series(False, index=seconds.index), float("nan")
    threshold = fraction * median
    return seconds < threshold, float(threshold)


def zero_variance_items(codes: pd.DataFrame, whole: WholeCodes | None = None) -> list[str]:
    """Items with fewer than two distinct answered values (no answer, or least = greatest);
    from the int8 rows of ``whole`` when it holds every column
    (:func:`~surveys.wholecodes.answered_range`)."""
    if whole is not None and whole.covers(codes.columns):
        ranges = [answered_range(whole.row(c)) for c in codes.columns]
        return [c for c, answered in zip(codes.columns, ranges)
                if answered is None or answered[0] == answered[1]]
    extremes = [(np.fmin.reduce(x), np.fmax.reduce(x)) if len(x) else (np.nan, np.nan)
                for x in (codes[c].to_numpy(dtype=float, na_value=np.nan) for c in codes.columns)]
    return [c for c, (low, high) in zip(codes.columns, extremes) if not low < high]


def missing_summary(codes: pd.DataFrame, whole: WholeCodes | None = None) -> dict:
    """Missing answers per item (count, share) and the distribution over respondents.

    Column by column (a running count per respondent, in the least unsigned type that holds the
    number of columns: one byte up to 255), so that no respondents x items copy of the answers
    is made (a frame whose columns are held apart: 0.5 -> 0.2 s at a million rows x 60); from
    the int8 rows of ``whole`` (the missing code) when it holds every column."""
    n = len(codes)
    per_item, per_row = {}, np.zeros(n, dtype=np.min_scalar_type(codes.shape[1]))
    held = whole is not None and whole.covers(codes.columns)
    for column in codes.columns:
        missing = (whole.row(column) == MISSING_CODE) if held else codes[column].isna().to_numpy(
            dtype=bool)
        per_item[column] = np.count_nonzero(missing)
        per_row += missing
    return {
        "items": {c: {"missing": per_item[c], "share": float(per_item[c] / n) if n else None}
                  for c in codes.columns},
        "respondents_with_missing": int((per_row > 0).sum()),
        "respondents_all_missing": int((per_row == codes.shape[1]).sum()) if codes.shape[1] else 0,
        "max_missing_per_respondent": int(per_row.max()) if n else 0,
    }


@dataclass
class QualityReport:
    """Findings for one group of one wave and the resulting exclusions.

    ``findings`` has one row a finding: rule, row (file row), column, value, detail.
    ``flags`` maps each row-level rule to a boolean Series over the group's rows.
    ``excluded`` maps each rule to the number of rows it removed (0 when switched off).
    """

    group: str
    wave: str
    n_raw: int
    findings: pd.DataFrame
    flags: dict[str, pd.Series]
    excluded: dict[str, int]
    keep: pd.Series
    missing: dict
    zero_variance: list[str]
    notes: list[Text] = field(default_factory=list)
    thresholds: dict[str, float] = field(default_factory=dict)
    careless: CarelessResult | None = None

    @property
    def n(self) -> int:
        return int(self.keep.sum())

    def to_json(self) -> dict:
        """The group's entry of results.json "quality" (examples capped per rule)."""
        rules = {}
        for rule in ("non_numeric", "out_of_range", *EXCLUSION_ORDER):
            if rule in SCREENS and rule not in self.flags:
                continue
            sub = self.findings[self.findings["rule"] == rule]
            rules[rule] = {
                "count": int(len(sub)),
                "excluded": self.excluded.get(rule, 0),
                "examples": [
                    {"row": int(r.row), "column": r.column,
                     "value": None if r.value is None else shorten(r.value, EXAMPLE_CHARS),
                     "detail": r.detail}
                    for r in sub.head(EXAMPLES_PER_RULE).itertuples()
                ],
            }
        return {"n_raw": self.n_raw, "n": self.n, "rules": rules, "missing": self.missing,
                "zero_variance": self.zero_variance, "thresholds": self.thresholds,
                "notes": self.notes}


_CARELESS_DETAILS = {screen: f"detail_careless_{screen}" for screen in SCREENS}


def detail_column(detail: Text, n: int) -> pd.Series:
    """``detail`` repeated ``n`` times as a findings column; ``object`` dtype, so that each cell
    stays a :class:`~surveys.i18n.Text` (pandas' string dtype would keep only the English)."""
    return pd.Series([detail] * n, dtype=object)


def _row_findings(rule: str, flags: pd.Series, file_rows: pd.Series, detail: Text) -> pd.DataFrame:
    rows = file_rows[flags]
    return pd.DataFrame({"rule": rule, "row": rows.to_numpy(), "column": None, "value": None,
                         "detail": detail_column(detail, len(rows))})


def quality_report(*, group: str, wave: str, codes: pd.DataFrame, raw_dimension_codes: pd.DataFrame,
                   file_rows: pd.Series, invalid: pd.DataFrame, exclude: dict[str, bool],
                   answers_for_duplicates: pd.DataFrame, id_column: str | None,
                   ignore_for_duplicates: list[str], seconds: pd.Series | None,
                   notes: list[Text] = (),
                   careless: CarelessResult | Callable[[], CarelessResult] | None = None,
                   whole: WholeCodes | None = None) -> QualityReport:
    """Run every check on one group and decide the exclusions.

    Parameters
    ----------
    codes : the numeric answers of every Likert item present (after coding, before reverse coding).
    raw_dimension_codes : the dimension items of ``codes`` (straight-lining is judged on them).
    file_rows : the file row of each row.
    invalid : cells found invalid while coding: columns rule, row, column, value, detail.
    answers_for_duplicates : every column as read (after renaming), for the duplicate check.
    seconds : completion time per row, if the file has one.
    careless : the careless-responding screens of the group (:func:`surveys.careless.careless_screens`);
        each configured screen is a rule of its own (findings, exclusion). Or a function giving
        them, called once the checks that do not need them are done (loading computes the
        screens on other threads meanwhile).
    whole : the columns of ``codes`` loading holds as int8 rows (:mod:`surveys.wholecodes`):
        the checks read those instead of the float columns (the same answers, the same results).
    """
    flags = {
        "duplicates": duplicate_rows(answers_for_duplicates, id_column, ignore_for_duplicates,
                                     codes, whole),
        "straightliners": straightliners(raw_dimension_codes, whole=whole),
    }
    thresholds = {}
    if seconds is not None:
        flags["speeders"], thresholds["speeder_seconds"] = speeders(seconds)
    else:
        flags["speeders"] = pd.Series(False, index=codes.index)
    missing, zero_variance = missing_summary(codes, whole), zero_variance_items(codes, whole)
    if callable(careless):
        careless = careless()
    fraction = f"{SPEEDER_FRACTION:.3g}"
    details = {
        "duplicates": msg("detail_duplicates"),
        "straightliners": msg("detail_straightliners"),
        "speeders": msg("detail_speeders_seconds", fraction=fraction,
                        seconds=f"{thresholds['speeder_seconds']:.0f}") if thresholds
        else msg("detail_speeders", fraction=fraction),
    }
    if careless is not None:
        flags.update(careless.flags)
        details.update({screen: msg(_CARELESS_DETAILS[screen]) for screen in careless.flags})
        notes = [*notes, *careless.notes]
    parts = [invalid] + [_row_findings(rule, flags[rule], file_rows, details[rule])
                         for rule in EXCLUSION_ORDER if rule in flags]
    findings = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else pd.DataFrame(columns=["rule", "row", "column", "value",
                                                          "detail"])
    keep = pd.Series(True, index=codes.index)
    excluded = {}
    for rule in EXCLUSION_ORDER:
        if rule not in flags:
            continue
        removed = flags[rule] & keep if exclude.get(rule) else pd.Series(False, index=keep.index)
        excluded[rule] = int(removed.sum())
        keep &= ~removed
    return QualityReport(group=group, wave=wave, n_raw=len(codes), findings=findings, flags=flags,
                         excluded=excluded, keep=keep, missing=missing,
                         zero_variance=zero_variance, notes=list(notes),
                         thresholds=thresholds, careless=careless)
