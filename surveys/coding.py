"""Answer texts to numeric codes.

Survey exports write Likert answers as numbers (``4``), as numeric text (``"4"``, ``" 4.0 "``,
full-width ``"４"``), as scores (``"4分"``), as a number with its label (``"5 - 非常满意"``,
``"10 - Extremely likely"``) or as the label alone (``"满意"``, ``"Strongly agree"``). This module
turns a column of such answers into float codes. Work is done once per *distinct* answer (a column
of a million rows holds a handful of them), then spread back to the rows.

Rules, in order (the first that applies wins)
---------------------------------------------
1. Empty cells, ``None``/NaN and white space only: missing (NaN), never an error.
2. The text, normalised (Unicode NFKC, so full-width ``４`` and ``（`` become ``4`` and ``(``; case
   folded; surrounding white space stripped, inner runs of white space made one space), is looked up
   in the label map. The map is built from, lowest priority first: the built-in Likert labels of
   :data:`LIKERT_SCALES` (only when the scale has 5 or 7 points, see below), the file's own value
   labels used in reverse (SPSS ``{code: label}`` -> ``label: code``; labels of non-numeric codes
   are ignored), and the study's ``labels:`` (``{很好: 5}``), which override everything.
3. A number: ``4``, ``4.0``, ``-1``, ``+2.5`` (finite only).
4. A score or a numbered label: ``4分``, ``4.5 分``, ``5 - 非常满意``, ``5=非常满意``, ``5、满意``,
   ``5. Strongly agree``, ``5)满意``: the leading number.
5. Anything else cannot be coded: :func:`code_column` raises a :class:`~surveys.errors.StudyError`
   naming the file, column, text and rows; :func:`code_answers` returns it in ``invalid`` so that the
   cleaning step can decide.

Built-in labels and the scale length
------------------------------------
Chinese labels do not tell a 5-point scale from a 7-point one: 比较满意 is the 4th of 5 points in
非常不满意/比较不满意/一般/比较满意/非常满意 and the 5th of 7 in 非常不满意/不满意/比较不满意/一般/
比较满意/满意/非常满意. The scale therefore comes from the study (``scale: {min, max}``): with 5
points the 5-point sets below are used, with 7 points the 7-point sets, and the first label of a set
is coded ``min``, the next ``min + 1``, ... Without a scale, 5 points from 1 are assumed. Other
lengths use no built-in labels (numbers and the study's ``labels:`` only). English importance labels
are left out on purpose: "Very important" is the 4th point of the Qualtrics/Vagias set (Not at all …
Extremely important) but the 5th of Very unimportant … Very important; add the one you use under
``labels:``.

The table of built-in sets is :data:`LIKERT_SCALES` (documented in ``docs/wjx.md``).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from surveys.errors import Location, StudyError
from surveys.i18n import Text, msg
from surveys.wholecodes import MISSING_CODE, as_floats

__all__ = [
    "LikertScale",
    "LIKERT_SCALES",
    "normalize_answer",
    "normalize_answers",
    "label_map",
    "CodedAnswers",
    "code_answers",
    "code_column",
]


@dataclass(frozen=True)
class LikertScale:
    """A built-in answer scale: for each point, from the lowest, its label and synonyms.

    The first text of each point is the one shown in messages and documentation.
    """

    name: str
    points: tuple[tuple[str, ...], ...]

    @property
    def size(self) -> int:
        return len(self.points)

    @property
    def span(self) -> str:
        """``lowest…highest`` as shown in messages."""
        return f"{self.points[0][0]}…{self.points[-1][0]}"


_NEUTRAL_ZH = ("一般", "中立", "不确定", "说不清", "中等")
_NEUTRAL_EN = ("Neutral",)

#: Built-in answer scales. Within one length, a text has one position in every set (tested), so the
#: sets of one length are merged into a single map.
LIKERT_SCALES: tuple[LikertScale, ...] = (
    # ----- 5 points
    LikertScale("满意度 (5)", (
        ("非常不满意", "很不满意", "完全不满意"),
        ("不满意", "比较不满意", "较不满意", "不太满意"),
        _NEUTRAL_ZH,
        ("满意", "比较满意", "较满意"),
        ("非常满意", "很满意", "完全满意"))),
    LikertScale("同意度 (5)", (
        ("非常不同意", "很不同意", "完全不同意"),
        ("不同意", "比较不同意", "较不同意", "不太同意"),
        _NEUTRAL_ZH,
        ("同意", "比较同意", "较同意"),
        ("非常同意", "很同意", "完全同意"))),
    LikertScale("重要性 (5)", (
        ("非常不重要", "很不重要", "完全不重要"),
        ("不重要", "比较不重要", "较不重要", "不太重要"),
        _NEUTRAL_ZH,
        ("重要", "比较重要", "较重要"),
        ("非常重要", "很重要"))),
    LikertScale("符合度 (5)", (
        ("完全不符合", "非常不符合", "很不符合"),
        ("不符合", "比较不符合", "较不符合", "不太符合"),
        _NEUTRAL_ZH,
        ("符合", "比较符合", "较符合", "基本符合"),
        ("完全符合", "非常符合", "很符合"))),
    LikertScale("意愿 (5)", (
        ("非常不愿意", "很不愿意", "完全不愿意"),
        ("不愿意", "比较不愿意", "不太愿意"),
        _NEUTRAL_ZH,
        ("愿意", "比较愿意", "较愿意"),
        ("非常愿意", "很愿意"))),
    LikertScale("agreement (5)", (
        ("Strongly disagree",),
        ("Disagree", "Somewhat disagree"),
        ("Neither agree nor disagree", *_NEUTRAL_EN),
        ("Agree", "Somewhat agree"),
        ("Strongly agree",))),
    LikertScale("satisfaction (5)", (
        ("Very dissatisfied", "Extremely dissatisfied"),
        ("Dissatisfied", "Somewhat dissatisfied"),
        ("Neither satisfied nor dissatisfied", *_NEUTRAL_EN),
        ("Satisfied", "Somewhat satisfied"),
        ("Very satisfied", "Extremely satisfied"))),
    LikertScale("likelihood (5)", (
        ("Very unlikely", "Extremely unlikely"),
        ("Unlikely", "Somewhat unlikely"),
        ("Neither likely nor unlikely", *_NEUTRAL_EN),
        ("Likely", "Somewhat likely"),
        ("Very likely", "Extremely likely"))),
    # ----- 7 points
    LikertScale("满意度 (7)", (
        ("非常不满意", "很不满意", "完全不满意"), ("不满意",), ("比较不满意", "较不满意", "有点不满意"),
        _NEUTRAL_ZH,
        ("比较满意", "较满意", "有点满意"), ("满意",), ("非常满意", "很满意", "完全满意"))),
    LikertScale("同意度 (7)", (
        ("非常不同意", "很不同意", "完全不同意"), ("不同意",), ("比较不同意", "较不同意", "有点不同意"),
        _NEUTRAL_ZH,
        ("比较同意", "较同意", "有点同意"), ("同意",), ("非常同意", "很同意", "完全同意"))),
    LikertScale("重要性 (7)", (
        ("非常不重要", "很不重要", "完全不重要"), ("不重要",), ("比较不重要", "较不重要", "有点不重要"),
        _NEUTRAL_ZH,
        ("比较重要", "较重要", "有点重要"), ("重要",), ("非常重要", "很重要"))),
    LikertScale("符合度 (7)", (
        ("完全不符合", "非常不符合", "很不符合"), ("不符合",), ("比较不符合", "较不符合", "有点不符合"),
        _NEUTRAL_ZH,
        ("比较符合", "较符合", "有点符合"), ("符合",), ("完全符合", "非常符合", "很符合"))),
    LikertScale("agreement (7)", (
        ("Strongly disagree",), ("Disagree", "Moderately disagree"),
        ("Somewhat disagree", "Slightly disagree"),
        ("Neither agree nor disagree", *_NEUTRAL_EN),
        ("Somewhat agree", "Slightly agree"), ("Agree", "Moderately agree"), ("Strongly agree",))),
    LikertScale("satisfaction (7)", (
        ("Very dissatisfied", "Extremely dissatisfied"), ("Dissatisfied", "Moderately dissatisfied"),
        ("Somewhat dissatisfied", "Slightly dissatisfied"),
        ("Neither satisfied nor dissatisfied", *_NEUTRAL_EN),
        ("Somewhat satisfied", "Slightly satisfied"), ("Satisfied", "Moderately satisfied"),
        ("Very satisfied", "Extremely satisfied"))),
    LikertScale("likelihood (7)", (
        ("Very unlikely", "Extremely unlikely"), ("Unlikely", "Moderately unlikely"),
        ("Somewhat unlikely", "Slightly unlikely"),
        ("Neither likely nor unlikely", *_NEUTRAL_EN),
        ("Somewhat likely", "Slightly likely"), ("Likely", "Moderately likely"),
        ("Very likely", "Extremely likely"))),
)

#: The scale assumed when the study gives none.
DEFAULT_SCALE = (1.0, 5.0)

# A leading number followed by 分 (a score) or by a separator and a label ("5 - 非常满意").
_NUMBERED = r"^([+-]?\d+(?:\.\d+)?)\s*(?:分|[-=:、.)]\s*[^\d\s].*|\s+[^\d\s].*)$"


def normalize_answer(text: str) -> str:
    """The form answer texts are compared in: NFKC (full-width to half-width), case folded,
    surrounding white space stripped, inner white space runs made one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def normalize_answers(texts: pd.Series) -> pd.Series:
    """:func:`normalize_answer` for a Series of ``str`` (vectorised)."""
    return (texts.astype("str").str.normalize("NFKC").str.casefold()
            .str.replace(r"\s+", " ", regex=True).str.strip())


@lru_cache(maxsize=8)
def _builtin_labels(scale: tuple[float, float]) -> tuple[dict[str, float], list[LikertScale]]:
    """Built-in text -> code for a scale, and the sets used (cached: treat as read-only)."""
    low, high = (float(end) for end in scale)
    size = high - low + 1
    sets = [s for s in LIKERT_SCALES if s.size == size]
    labels: dict[str, float] = {}
    for likert in sets:
        for position, texts in enumerate(likert.points):
            for text in texts:
                key = normalize_answer(text)
                code = low + position
                if labels.setdefault(key, code) != code:
                    raise AssertionError(f"built-in label {text!r} has two codes")  # tested
    return labels, sets


def _scale_key(scale: tuple[float, float] | None) -> tuple[float, float]:
    return DEFAULT_SCALE if scale is None else (float(scale[0]), float(scale[1]))


def label_map(
    labels: Mapping[str, float] | None = None,
    value_labels: Mapping[Any, Any] | None = None,
    scale: tuple[float, float] | None = None,
) -> dict[str, float]:
    """The normalised answer text -> code map used by :func:`code_answers`.

    Parameters
    ----------
    labels : the study's ``labels:`` (answer text -> code); they override everything else.
    value_labels : the file's ``{code: label}`` for this column (SPSS), used in reverse; labels of
        codes that are not numbers are ignored.
    scale : ``(min, max)`` of the study's Likert scale; built-in labels are used for 5 and 7 points,
        coded from ``min``. ``None`` means ``(1, 5)``.

    Returns
    -------
    dict
        normalised text (see :func:`normalize_answer`) -> float code.
    """
    builtin, _ = _builtin_labels(_scale_key(scale))
    combined = dict(builtin)
    for code, text in (value_labels or {}).items():
        number = pd.to_numeric(pd.Series([code], dtype=object), errors="coerce").iloc[0]
        if isinstance(text, str) and np.isfinite(number):
            combined[normalize_answer(text)] = float(number)
    for text, code in (labels or {}).items():
        combined[normalize_answer(str(text))] = float(code)
    return combined


@dataclass
class CodedAnswers:
    """Result of :func:`code_answers`.

    Attributes
    ----------
    codes : float codes, same index as the input; NaN for missing and for uncodable answers
        (None for a column read as ``whole`` when :func:`code_answers` was asked for no floats).
    invalid : one row per uncodable cell, in file order: ``row`` (file row, int) and ``value`` (the
        text as the file has it), indexed like the input.
    scales : names of the built-in sets (:data:`LIKERT_SCALES`) whose labels occur in the column.
    whole : the codes as int8 (:data:`surveys.wholecodes.MISSING_CODE` where missing) when the
        column was read so (every answer one ASCII digit, :func:`_digit_codes`), else None.
    """

    codes: pd.Series | None
    invalid: pd.DataFrame
    scales: list[str] = field(default_factory=list)
    whole: np.ndarray | None = None


def code_answers(
    values: pd.Series,
    *,
    file_rows: np.ndarray | None = None,
    labels: Mapping[str, float] | None = None,
    value_labels: Mapping[Any, Any] | None = None,
    scale: tuple[float, float] | None = None,
    floats: bool = True,
) -> CodedAnswers:
    """Code a column of answers without raising; uncodable cells are listed, not fatal.

    Parameters
    ----------
    values : one column's answers (numbers, text, missing), any dtype.
    file_rows : the file row of each value (``ImportedTable.file_rows``); defaults to 1, 2, ...
    labels, value_labels, scale : see :func:`label_map`.
    floats : False: a column read as int8 (``whole``) gets no float ``codes`` (None; loading
        makes them from ``whole`` when they are read, :func:`surveys.wholecodes.as_floats`).

    Returns
    -------
    CodedAnswers
        ``codes`` (float, NaN = missing or uncodable) and ``invalid`` (rows and texts that matched
        no rule).

    Notes
    -----
    The rules are listed in the module docstring. Each distinct answer is parsed once
    (``pandas.factorize``), so the cost grows with the number of rows only through hashing.
    """
    rows = np.arange(1, len(values) + 1) if file_rows is None else np.asarray(file_rows)
    if len(rows) != len(values):
        raise ValueError("file_rows must have one entry per value")
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return CodedAnswers(values.astype("float64"), _no_invalid())
    numbers = _plain_numbers(values, labels, value_labels, scale, floats)
    if numbers is not None:
        return numbers

    positions, uniques = pd.factorize(values, use_na_sentinel=True)
    unique_codes, uncodable, scales = _code_uniques(pd.Series(uniques, dtype=object),
                                                    labels, value_labels, scale)
    answered = positions >= 0
    codes = np.full(len(values), np.nan)
    codes[answered] = unique_codes[positions[answered]]
    bad = np.zeros(len(values), dtype=bool)
    bad[answered] = uncodable[positions[answered]]
    invalid = (pd.DataFrame({"row": rows[bad].astype("int64"),
                             "value": values.to_numpy(dtype=object)[bad]},
                            index=values.index[bad]) if bad.any() else _no_invalid())
    return CodedAnswers(pd.Series(codes, index=values.index, name=values.name), invalid, scales)


@lru_cache(maxsize=1)
def _empty_invalid() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series([], dtype="int64"), "value": pd.Series([], dtype=object)})


def _no_invalid() -> pd.DataFrame:
    """``CodedAnswers.invalid`` without a row (a copy of one empty frame: building a DataFrame
    took ~0.7 ms, twice for every column coded)."""
    return _empty_invalid().copy()


def _plain_numbers(values: pd.Series, labels, value_labels, scale,
                   floats: bool = True) -> CodedAnswers | None:
    """A text column whose every answer is a plain finite number (``4``, ``-1``, ``2.5``), as
    floats in one vectorised conversion (pyarrow's cast; a million rows in milliseconds), or
    as int8 when every answer is one digit (and as floats made of them, unless not
    ``floats``), which a Categorical of texts (a column read as digits) must be; None when any
    answer is something else, or when a label could be read as a number (the label map comes
    first, see the module docstring): then the general rules apply."""
    import pyarrow as pa
    import pyarrow.compute as pc

    categorical = isinstance(values.dtype, pd.CategoricalDtype)
    if not (categorical or isinstance(values.dtype, pd.StringDtype)
            and values.dtype.storage == "pyarrow"):
        return None
    if _number_label(tuple(label_map(labels, value_labels, scale))):
        return None
    texts = None if categorical else pa.chunked_array(pa.array(values.array))  # not copied
    digits = _category_digit_codes(values.array) if categorical else _digit_codes(texts)
    if digits is not None:  # a new array: no copy (pandas' constructor copies by default)
        codes = pd.Series(as_floats(digits), index=values.index, name=values.name,
                          copy=False) if floats else None
        return CodedAnswers(codes, _no_invalid(), whole=digits)
    if categorical:
        return None
    try:
        numbers = pc.cast(texts, pa.float64(), safe=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
        return None
    codes = numbers.to_numpy(zero_copy_only=False)  # missing cells are NaN
    if np.count_nonzero(np.isfinite(codes)) != len(codes) - numbers.null_count:
        return None  # "nan", "inf" are not answers
    return CodedAnswers(pd.Series(codes, index=values.index, name=values.name), _no_invalid())


#: answers per block of :func:`_digit_codes` (its offsets, 512 KiB, stay in the cache)
DIGIT_BLOCK = 65_536


def _digit_codes(texts) -> np.ndarray | None:
    """The numbers of an Arrow ``large_string`` array or chunked array whose every answer is one
    ASCII digit (``4``: a Likert column), read from its bytes into int8 without parsing text
    (the values Arrow's cast gives, :data:`~surveys.wholecodes.MISSING_CODE` where missing);
    None for any other answer (``10``, ``4.0``, `` 4``).

    Each chunk (the pieces pyarrow's reader makes) is read where it is, a block of
    :data:`DIGIT_BLOCK` cells at a time, into its part of one int8 array
    (:func:`_block_digit_codes`): the chunks are not combined into a copy first."""
    import pyarrow as pa

    if texts.type != pa.large_string():
        return None
    codes = np.empty(len(texts), dtype=np.int8)
    start = 0
    for chunk in (texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]):
        for at in range(0, len(chunk), DIGIT_BLOCK):
            block = chunk.slice(at, DIGIT_BLOCK)
            if not _block_digit_codes(block, codes[start:start + len(block)]):
                return None
            start += len(block)
    return codes


def _category_digit_codes(answers: pd.Categorical) -> np.ndarray | None:
    """The numbers of a Categorical of texts (a column read as one-digit answers,
    :func:`surveys.importers.containers.read_container`) whose every answer is one ASCII digit,
    as int8 (:data:`~surveys.wholecodes.MISSING_CODE` where missing): each code looked up in
    the digits of the categories; None when an answer is anything else."""
    digit = np.array([int(t) if isinstance(t, str) and len(t) == 1 and "0" <= t <= "9" else -1
                      for t in answers.categories], dtype=np.int8)
    codes = answers.codes
    others = np.flatnonzero(digit < 0)
    if len(others) and np.isin(codes, others).any():
        return None
    return np.append(digit, np.int8(MISSING_CODE))[codes]  # code -1 (missing): the last


def _block_digit_codes(texts, out: np.ndarray) -> bool:
    """Write the int8 codes of a ``large_string`` array of one-digit answers into ``out``;
    False (``out`` then undefined) when an answer is anything else.

    An answer takes one byte and a missing cell none, so the answers' bytes are the data
    buffer itself, as many as answers, and each length (the difference of consecutive
    offsets, which never decrease) equals the cell's validity (1 or 0). Lengths that sum to
    the count of answers are those validities when each equals its validity modulo 256 (any
    other length adds a multiple of 256 to the sum), so they are compared as bytes; without
    a missing cell, every length at least 1 is enough. Each byte minus ``"0"`` is then a
    number 0-9 (as uint8, a byte below ``"0"`` wraps above 9)."""
    validity, offsets, data = texts.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[texts.offset:texts.offset + len(texts) + 1]
    if offsets[-1] - offsets[0] != len(texts) - texts.null_count:
        return False
    digits = np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]] \
        if offsets[-1] > offsets[0] else np.zeros(0, dtype=np.uint8)
    if not texts.null_count:
        if not (offsets[1:] > offsets[:-1]).all():
            return False
        np.subtract(digits, np.uint8(ord("0")), out=out.view(np.uint8))
        return not len(out) or out.view(np.uint8).max() <= 9
    valid = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little",
                          count=texts.offset + len(texts))[texts.offset:]
    lengths = np.subtract(offsets[1:], offsets[:-1], out=np.empty(len(texts), dtype=np.uint8),
                          casting="unsafe")
    if not np.array_equal(lengths, valid):
        return False
    digits = digits - np.uint8(ord("0"))
    out.fill(MISSING_CODE)
    out[valid.view(bool)] = digits
    return not len(digits) or digits.max() <= 9


@lru_cache(maxsize=16)
def _number_label(labels: tuple[str, ...]) -> bool:
    """Whether a label could be read as a number; kept per set of labels (every column of a
    study has the same ~90 labels, and each failed ``float`` raises: ~0.3 ms per column)."""
    return any(_is_number(label) for label in labels)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _code_uniques(
    uniques: pd.Series,
    labels: Mapping[str, float] | None,
    value_labels: Mapping[Any, Any] | None,
    scale: tuple[float, float] | None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Codes of distinct answers, whether each is uncodable, and the built-in sets seen.

    Most answers (labels, short decimal numbers, scores, texts without digits) are coded one by
    one in plain Python (:func:`_code_plain`), a few microseconds each; the others (white space
    other than the space, numbers in other forms) go through the vectorised rules
    (:func:`_code_texts`), which define the codes: ``tests/test_coding.py`` checks that both give
    the same codes on tricky answers and on every column of the sample."""
    mapping = label_map(labels, value_labels, scale)
    texts: list[str | None] = [None] * len(uniques)
    codes, rest = np.full(len(uniques), np.nan), []
    for position, value in enumerate(uniques):
        plain = _code_plain(str(value), mapping)
        if plain is None:
            rest.append(position)
        else:
            texts[position], codes[position] = plain
    if rest:
        rest_texts, rest_codes = _code_texts(uniques.iloc[rest], mapping)
        codes[rest] = rest_codes
        for position, text in zip(rest, rest_texts):
            texts[position] = text
    seen = set(texts)
    _, sets = _builtin_labels(_scale_key(scale))
    scales = [s.name for s in sets if not seen.isdisjoint(_normalized_labels(s))]
    uncodable = np.isnan(codes) & np.array([text != "" for text in texts], dtype=bool)
    return codes, uncodable, scales


@lru_cache(maxsize=64)
def _normalized_labels(likert: LikertScale) -> frozenset[str]:
    return frozenset(normalize_answer(t) for point in likert.points for t in point)


#: white space other than the space (the vectorised rules and Python's split may differ on it)
_OTHER_SPACE = re.compile(r"[^\S ]")
#: a decimal number of at most 15 digits: any parser gives it the same float
_DECIMAL = re.compile(r"[+-]?(\d+)(?:\.(\d+))?", re.ASCII)


def _short_decimal(text: str) -> float | None:
    found = _DECIMAL.fullmatch(text)
    if found is None or len(found.group(1)) + len(found.group(2) or "") > 15:
        return None
    return float(text)


def _code_plain(text: str, mapping: Mapping[str, float]) -> tuple[str, float] | None:
    """(normalised text, code, NaN if uncodable) of one answer by the module's rules, or None
    when the answer needs the vectorised rules (:func:`_code_texts`): white space other than the
    space, or digits that are not a short decimal number or score."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if _OTHER_SPACE.search(text):
        return None
    text = " ".join(text.split())
    code = mapping.get(text)
    if code is not None:
        return text, code
    number = _short_decimal(text)
    if number is not None:
        return text, number
    found = re.match(_NUMBERED, text)
    if found is not None:
        number = _short_decimal(found.group(1))
        return None if number is None else (text, number)
    if any(char.isdigit() or char.isnumeric() for char in text) or "inf" in text or "nan" in text:
        return None
    return text, np.nan


def _code_texts(uniques: pd.Series, mapping: Mapping[str, float]) -> tuple[list[str], np.ndarray]:
    """Normalised texts and codes (NaN: uncodable) of distinct answers, by the rules of the module
    docstring, vectorised."""
    texts = normalize_answers(uniques.map(str))
    codes = texts.map(mapping).astype("float64")
    number = pd.to_numeric(texts.where(codes.isna()), errors="coerce").astype("float64")
    codes = codes.fillna(number.where(np.isfinite(number)))
    leading = texts.where(codes.isna()).str.extract(_NUMBERED, expand=False)
    codes = codes.fillna(pd.to_numeric(leading, errors="coerce").astype("float64"))
    return texts.tolist(), codes.to_numpy()


def _expected(scale: tuple[float, float] | None, scales: list[str]) -> Text:
    _, sets = _builtin_labels(_scale_key(scale))
    shown = [s for s in sets if s.name in scales] or [
        s for s in sets if s.name.startswith(("满意度", "同意度", "agreement"))]
    spans = ", ".join(s.span for s in shown)
    return msg("coding_expected_labels" if spans else "coding_expected", spans=spans)


def code_column(
    values: pd.Series,
    *,
    column: str,
    file: str | Path,
    file_rows: np.ndarray,
    labels: Mapping[str, float] | None = None,
    value_labels: Mapping[Any, Any] | None = None,
    scale: tuple[float, float] | None = None,
) -> pd.Series:
    """Code a column of answers; an answer that matches no rule is an error.

    Parameters
    ----------
    values : one column's answers.
    column : its name (for the message).
    file : the file it was read from (for the message).
    file_rows : the file row of each value (``ImportedTable.file_rows``).
    labels, value_labels, scale : see :func:`label_map`.

    Returns
    -------
    pandas.Series
        float codes, NaN for missing answers, same index as ``values``.

    Raises
    ------
    StudyError
        For the first uncodable text (in file order): the file, the column, the text, its first
        row (``row``) and its other rows (``more``, counted beyond three), other uncodable texts
        of the column, and what was expected.
    """
    coded = code_answers(values, file_rows=file_rows, labels=labels,
                         value_labels=value_labels, scale=scale)
    if coded.invalid.empty:
        return coded.codes
    texts = coded.invalid["value"].astype(str)
    first = texts.iloc[0]
    rows = coded.invalid["row"][texts == first].tolist()
    others = list(dict.fromkeys(texts[texts != first]))
    message = msg("coding_unknown_answer", value=first)
    if others:
        listed = ", ".join(f"'{t}'" for t in others[:3]) + (" ..." if len(others) > 3 else "")
        message = msg("coding_unknown_answers", value=first, others=listed)
    raise StudyError(message, file=file, row=int(rows[0]), column=column,
                     expected=_expected(scale, coded.scales),
                     more=[Location(row=int(r)) for r in rows[1:]])
