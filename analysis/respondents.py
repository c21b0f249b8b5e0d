"""The respondent file ``respondents.csv``: one row per respondent read, with every quality flag,
the careless-responding values, whether the row was excluded and its weight, so that a reviewer
can trace every excluded row back to the source file.

Rows: every group of every wave, waves oldest first, groups in study-file order, rows in file
order. Columns (:data:`COLUMNS`): ``group``, ``wave``, ``row`` (the row in the source file, as
error messages give it), ``id`` (the respondent id where the study or the platform has one), one
0/1 ``flag_…`` column per rule (empty where the rule is not configured: the careless screens
without their ``careless:`` setting, speeders without a completion time), the values
``longstring``, ``irv``, ``mahalanobis_d2``, ``mahalanobis_p``, ``even_odd`` (:mod:`surveys.careless`,
empty where undefined), ``excluded`` (0/1) and ``weight`` (the row's weight in the estimates:
1 without ``weighting:`` or outside the weighted group, empty for an excluded row).

The file is UTF-8 with a byte-order mark (Excel then opens Chinese text correctly), and a text
cell that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) is written with a leading apostrophe.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from surveys.load import FILE_ROW, StudyData

from .weighting import with_weights

__all__ = ["FLAG_RULES", "VALUE_COLUMNS", "COLUMNS", "respondents_table", "formula_safe",
           "respondents_csv", "g10_cells", "write_respondents"]

#: output column -> the quality report's rule
FLAG_RULES = {"flag_duplicate": "duplicates", "flag_speeder": "speeders",
              "flag_straightliner": "straightliners", "flag_non_numeric": "non_numeric",
              "flag_out_of_range": "out_of_range", "flag_longstring": "longstring",
              "flag_irv": "irv", "flag_mahalanobis": "mahalanobis", "flag_even_odd": "even_odd",
              "flag_attention": "attention"}
VALUE_COLUMNS = ["longstring", "irv", "mahalanobis_d2", "mahalanobis_p", "even_odd"]
COLUMNS = ["group", "wave", "row", "id", *FLAG_RULES, *VALUE_COLUMNS, "excluded", "weight"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: rows of respondents.csv formatted at a time (their cells are Python strings until written)
CSV_ROWS = 65_536
#: pandas' inferred kinds of a column that holds no text (nothing to make formula-safe)
_NO_TEXT = ("empty", "integer", "floating", "mixed-integer-float", "decimal", "boolean")


def _group_rows(data: StudyData, wave: str, group: str) -> pd.DataFrame:
    """The rows of one group of one wave, as :data:`COLUMNS`."""
    d = data.groups[(wave, group)]
    q = d.quality
    frame = d.data_columns([FILE_ROW, data.study.id, d.table.meta_columns.get("id")])
    rows = frame[FILE_ROW].to_numpy()
    id_column = data.study.id if data.study.id in frame else d.table.meta_columns.get("id")
    out = {"group": group, "wave": wave, "row": rows,
           "id": frame[id_column].to_numpy() if id_column in frame else None}
    cells = q.findings.groupby("rule")["row"].agg(set) if len(q.findings) else {}
    for column, rule in FLAG_RULES.items():
        if rule in ("non_numeric", "out_of_range"):
            out[column] = np.isin(rows, list(cells.get(rule, set()))).astype(int)
        elif rule in q.flags and not (rule == "speeders" and "speeder_seconds"
                                      not in q.thresholds):
            out[column] = q.flags[rule].reindex(frame.index).fillna(False).astype(int)
        else:
            out[column] = pd.NA
    values = q.careless.values if q.careless is not None else pd.DataFrame(index=frame.index)
    for column in VALUE_COLUMNS:
        out[column] = values[column] if column in values else np.nan
    kept = q.keep.reindex(frame.index).fillna(False).to_numpy(dtype=bool)
    out["excluded"] = (~kept).astype(int)
    design = data.weights.get((wave, group))
    weight = pd.Series(1.0, index=frame.index) if design is None else design.weights
    out["weight"] = weight.reindex(frame.index).where(kept)
    return pd.DataFrame(out, index=frame.index, copy=False)


def _group_tables(data: StudyData) -> list[pd.DataFrame]:
    """:func:`_group_rows` of every group of every wave, in the file's order."""
    data = with_weights(data)
    return [_group_rows(data, wave, group) for wave in data.study.waves
            for group in data.study.groups if (wave, group) in data.groups]


def respondents_table(data: StudyData) -> pd.DataFrame:
    """Every respondent read, as :data:`COLUMNS` (see the module docstring)."""
    parts = _group_tables(data)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def formula_safe(value):
    """A text cell that a spreadsheet would run as a formula, with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def respondents_csv(table: pd.DataFrame) -> bytes:
    """The respondent table as the bytes of ``respondents.csv``: UTF-8 with BOM, text cells
    formula-safe (:func:`formula_safe`), numbers to 10 significant digits (``%.10g``), missing
    cells empty; fields quoted and lines ended as the csv module writes them with
    ``lineterminator="\\n"`` (the writer and dialect of pandas' ``to_csv``: the same bytes).

    A column and :data:`CSV_ROWS` rows at a time, each column's cells become an Arrow string
    array or, when they take a few distinct texts, codes into those texts (:func:`_csv_cells`:
    floats rounded on arrays and cast by Arrow, whole numbers cast by Arrow, text passed
    through unless it needs an apostrophe or quotes). Adjacent coded columns are joined into
    one (:func:`_beside`: each pair of texts that occurs is joined once, so the flags of a row
    are one column), the line end is added to the last column's texts, and Arrow joins the
    cells of each row with commas: no Python call per cell (1.1 million rows: ~10 s of CPU with
    the csv module's writer, ~3.2 s with each distinct float formatted by Python, ~1.5 s with
    every column joined apart, ~0.6 s so). The table has two or more columns
    (:data:`COLUMNS`)."""
    return b"".join([_csv_header(list(table.columns)), *_csv_lines(table)])


def _csv_header(columns: list) -> bytes:
    """The first line of :func:`respondents_csv`, after the byte-order mark."""
    return _csv_line(columns).encode("utf-8-sig")


def _csv_lines(table: pd.DataFrame) -> Iterator[bytes | memoryview]:
    """The lines of :func:`respondents_csv` after the header, :data:`CSV_ROWS` rows at a time,
    each a view of the buffer Arrow joined them in (written to a file as it is, without a
    copy)."""
    import pyarrow.compute as pc

    for start in range(0, len(table), CSV_ROWS):  # the cells of some rows at a time
        part = table.iloc[start:start + CSV_ROWS]
        pieces = _side_by_side([_csv_cells(part[column]) for column in part.columns])
        pieces[-1] = _line_ended(pieces[-1])
        rows = pc.binary_join_element_wise(
            *(p.cells() if isinstance(p, _Coded) else p for p in pieces), ",")
        if isinstance(rows, pa.Scalar):  # every column one text: as many lines as rows
            yield rows.as_py().encode("utf-8") * len(part)
            continue
        offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)[
            rows.offset:rows.offset + len(rows) + 1]
        yield memoryview(rows.buffers()[2])[offsets[0]:offsets[-1]]


def _csv_line(cells: list) -> str:
    """One line of cells as the csv module writes it (``lineterminator="\\n"``)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def _csv_field(value) -> str:
    """One cell as the csv module writes it in a line of several cells (quoted where needed,
    floats by ``repr``, ``None`` empty)."""
    return _csv_line([value, None])[:-2]


#: text cells written by Python (:func:`formula_safe`, :func:`_csv_field`): a formula's first
#: character (:data:`_FORMULA_START`), or a character that can make the csv module quote a field
_SPECIAL = r'^[=+\-@\t\r]|[,"\r\n]'


class _Coded:
    """A column's cells as codes into a few distinct texts: cell k is ``texts[codes[k]]``
    (``codes`` None: every cell is ``texts[0]``)."""

    def __init__(self, codes: np.ndarray | None, texts: list[str]):
        self.codes, self.texts = codes, texts

    def cells(self) -> pa.Array | pa.Scalar:
        """The cells as Arrow strings (one string when every cell is the same)."""
        if self.codes is None:
            return pa.scalar(self.texts[0], pa.string())
        return pa.array(self.texts, pa.string()).take(pa.array(self.codes))


def _side_by_side(pieces: list) -> list:
    """The columns' cells with each run of adjacent coded columns joined into one
    (:func:`_beside`)."""
    out = [pieces[0]]
    for piece in pieces[1:]:
        if isinstance(piece, _Coded) and isinstance(out[-1], _Coded):
            out[-1] = _beside(out[-1], piece)
        else:
            out.append(piece)
    return out


def _beside(left: _Coded, right: _Coded) -> _Coded:
    """Two adjacent coded columns as one: each pair of texts that occurs in a row, joined by a
    comma (the pairs numbered in order of first occurrence)."""
    if left.codes is None or right.codes is None:
        codes = right.codes if left.codes is None else left.codes
        return _Coded(codes, [f"{a},{b}" for a in left.texts for b in right.texts])
    pairs, used = pd.factorize(left.codes.astype(np.int64) * len(right.texts) + right.codes)
    width = len(right.texts)
    return _Coded(pairs, [f"{left.texts[p // width]},{right.texts[p % width]}"
                          for p in used.tolist()])


def _line_ended(piece):
    """A row's last cells with the line end after each."""
    if isinstance(piece, _Coded):
        return _Coded(piece.codes, [text + "\n" for text in piece.texts])
    import pyarrow.compute as pc

    return pc.binary_join_element_wise(piece, pa.scalar("", pa.string()), "\n")


def _few(distinct: int, rows: int) -> bool:
    """Whether a column of ``rows`` cells taking ``distinct`` values is held as codes: at most
    one distinct value in eight rows."""
    return distinct * 8 <= rows


def _repeated(distinct: int, rows: int) -> bool:
    """Whether a float column whose first ``rows`` cells take ``distinct`` values is formatted
    once per distinct value: at most one in two rows. (A few distinct values in many rows grow
    slowly: the irv of 60 whole-number answers takes ~1,400 values in 4,096 rows and ~2,900 in
    65,536; each formatted once, the column costs a quarter.)"""
    return distinct * 2 <= rows


#: rows looked at first to tell whether a float column repeats a few values (:func:`_csv_cells`)
_SAMPLE = 4096


def _csv_cells(column: pd.Series) -> "pa.Array | _Coded":
    """One column's cells for :func:`respondents_csv`: an Arrow string array, or
    :class:`_Coded` when they take a few distinct texts (each formatted once): floats as
    ``%.10g`` (:func:`g10_cells`; once per distinct value when they repeat, :func:`_repeated`),
    integers as the csv module writes them, text through
    :func:`formula_safe` and quoted where needed, missing as an empty cell."""
    import pyarrow.compute as pc

    missing = column.isna().to_numpy(dtype=bool)
    dtype = column.dtype
    if missing.all():
        return _Coded(None, [""])
    if pd.api.types.is_float_dtype(dtype):
        values = column.to_numpy(dtype=float, na_value=np.nan)
        # distinct bit patterns, so that -0.0 keeps its sign as %.10g writes it (NaN: empty)
        bits = values.view(np.int64)
        sample = bits[:_SAMPLE]
        if _repeated(len(pd.unique(sample)), len(sample)):  # weights, longstring, irv
            codes, distinct = pd.factorize(bits)
            texts = g10_cells(distinct.view(np.float64))  # each value formatted once
            if _few(len(distinct), len(bits)):
                return _coded(codes, texts.to_pylist(), missing=None)
            cells = texts.take(pa.array(codes))
        else:
            cells = g10_cells(values)
    elif pd.api.types.is_integer_dtype(dtype) and not missing.any():
        values = column.to_numpy()
        low, high = int(values.min()), int(values.max())
        if _few(high - low + 1, len(values)):  # flags, exclusion: each number written once
            return _coded(values - low, [str(v) for v in range(low, high + 1)], missing=None)
        cells = pc.cast(pa.array(values), pa.string())
    elif isinstance(dtype, pd.StringDtype):
        codes, distinct = pd.factorize(column)
        if _few(len(distinct), len(column)):  # a few texts repeated (group, wave): each once
            return _coded(codes, [_csv_field(formula_safe(value)) for value in distinct],
                          missing=missing)
        # mostly distinct (ids): Python only for the cells that need it
        cells = pa.array(column.array, pa.string()).fill_null("")
        special = pc.match_substring_regex(cells, _SPECIAL).to_numpy(zero_copy_only=False)
        if special.any():
            changed = [_csv_field(formula_safe(value))
                       for value in column.to_numpy(dtype=object)[special].tolist()]
            cells = _replaced(cells, special, changed)
    else:  # object cells (text mixed with numbers), booleans, nullable integers: as the csv
        kind = pd.api.types.infer_dtype(column, skipna=True)  # module writes each value
        safe = formula_safe if kind not in _NO_TEXT else (lambda value: value)
        formatted: dict = {}
        cells = pa.array([formatted.setdefault((type(value), value), _csv_field(safe(value)))
                          if not is_missing else ""
                          for value, is_missing in zip(column.to_numpy(dtype=object).tolist(),
                                                       missing.tolist())], pa.string())
    if missing.any():
        cells = pc.if_else(pa.array(missing), "", cells)
    return cells.combine_chunks() if isinstance(cells, pa.ChunkedArray) else cells


def _coded(codes: np.ndarray, texts: list[str], missing: np.ndarray | None) -> _Coded:
    """:class:`_Coded` of ``codes`` into ``texts``, the ``missing`` cells empty (codes None
    when every cell is the same)."""
    if missing is not None and missing.any():
        codes, texts = np.where(missing, len(texts), codes), [*texts, ""]
    if len(texts) == 1 or not (codes != codes[0]).any():
        return _Coded(None, [texts[int(codes[0])]])
    return _Coded(codes, texts)


#: exact powers of ten, 10^0 to 10^22 (the largest a float holds exactly)
_TENS = np.array([float(10 ** k) for k in range(23)])


def g10_cells(values: np.ndarray) -> pa.StringArray:
    """``"%.10g" % v`` of every float of ``values`` (NaN as an empty cell) as an Arrow string
    array, computed on arrays: no Python call per value but for rare ones.

    %.10g rounds |v| correctly to 10 significant digits, M × 10^(e-9) with 10^9 <= M < 10^10,
    and writes it in fixed notation when -4 <= e <= 9, trailing zeros dropped, else as
    d.ddde±XX. Here e = ⌊log10 |v|⌋ (corrected by one where the logarithm rounds across a power
    of ten) and M = rint(|v| × 10^(9-e)): 10^(9-e) is exact for |9 - e| <= 22, so the product
    is within 1.2e-6 of its true value and M is the correctly rounded mantissa unless the
    product lies within 1e-5 of a half (a possible tie). The rounded number M / 10^(9-e), one
    correctly rounded division, is the double nearest to a decimal of at most 10 digits, and
    Arrow's cast to text writes a double as the shortest decimal that reads back as it (in
    fixed notation in this range), which is that decimal: the %.10g text. Possible ties,
    zeros, infinities and the values written in exponent notation are formatted by Python
    (1.1 million rows of four careless-responding values: ~0.8 s less than formatting each
    distinct value; tests/test_after_loading.py compares every cell with %.10g)."""
    import pyarrow.compute as pc

    values = np.asarray(values, dtype=np.float64)
    size = np.abs(values)
    finite = np.isfinite(values) & (size != 0)
    e = np.floor(np.log10(np.where(finite, size, 1.0))).astype(np.int64)
    usable = finite & (e >= -5) & (e <= 10)  # fixed notation, give or take the correction
    size, e = np.where(usable, size, 1.0), np.where(usable, e, 0)
    e -= _times_ten_to(size, 9 - e) < 1e9  # the logarithm rounded up across a power of ten
    e += _times_ten_to(size, 9 - e) >= 1e10  # ... or down
    scaled = _times_ten_to(size, 9 - e)
    mantissa = np.rint(scaled)
    rounded = np.copysign(_times_ten_to(mantissa, e - 9), values)
    e += mantissa >= 1e10  # rounded up to the next power of ten
    fast = usable & (e >= -4) & (e <= 9) & (np.abs(scaled - np.floor(scaled) - 0.5) > 1e-5)
    missing = np.isnan(values)
    cells = pc.cast(pa.array(np.where(fast, rounded, 0.0), mask=missing), pa.string())
    slow = ~fast & ~missing
    if slow.any():
        text = ["%.10g" % v for v in values[slow].tolist()]
        cells = _replaced(cells, slow, text)
    return cells.fill_null("")


def _replaced(cells: pa.Array, where: np.ndarray, texts: list[str]) -> pa.Array:
    """``cells`` with the cells ``where`` is true replaced by ``texts``, in order: the cells and
    the texts one after the other, taken in the cells' order (what ``pc.replace_with_mask``
    does, in ~0.4 ms instead of ~1.1 ms for 65,536 cells: respondents.csv replaces a few cells
    of most float columns' pieces, the possible ties of :func:`g10_cells`)."""
    if isinstance(cells, pa.ChunkedArray):  # text of a concatenated column
        cells = cells.combine_chunks()
    order = np.arange(len(cells))
    order[where] = len(cells) + np.arange(len(texts))
    return pa.concat_arrays([cells, pa.array(texts, cells.type)]).take(pa.array(order))


def _times_ten_to(values: np.ndarray, power: np.ndarray) -> np.ndarray:
    """values × 10^power with one rounding: a product or a quotient by an exact power of ten
    (|power| <= 22)."""
    ten = _TENS[np.abs(power)]
    return np.where(power >= 0, values * ten, values / ten)


def write_respondents(data: StudyData, out_dir: str | Path) -> Path:
    """Write ``respondents.csv`` (:func:`respondents_csv` of :func:`respondents_table`) into
    ``out_dir``: the lines of each group's rows (:func:`_group_tables`) one after the other,
    the same bytes without the whole table made (~0.1 s of CPU and 250 MB of fresh pages at a
    million respondents)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "respondents.csv"
    with path.open("wb") as file:
        file.write(_csv_header(COLUMNS))
        for table in _group_tables(data):
            for piece in _csv_lines(table):
                file.write(piece)
    return path
