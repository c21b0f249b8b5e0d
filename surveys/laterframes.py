"""Frames of loading made when their values are first read.

At a million rows the float64 frames of a group (:class:`surveys.load.GroupData`: ``data``, every
row read with the numeric columns coded, and ``scored``, the kept rows reverse-coded) are ~480
MB each, while the command line's checks and analyses take the answers from their int8 codes
(:mod:`surveys.wholecodes`) and read of these frames only their rows, their column names and a
few columns (the file rows, the ids). A :class:`LaterFrame` stands for such a frame: its
``index`` and ``columns`` are known, a selection of its columns is another later frame, and any
other use reads ``frame``, the DataFrame made then (the one the former eager code made) and
kept. :class:`CodedFrame` is a file's ``data`` before it is made, whose single columns are
given without making the others.
"""
from __future__ import annotations

from functools import cached_property
from typing import Callable

import numpy as np
import pandas as pd

from .wholecodes import MISSING_CODE, as_floats

__all__ = ["LaterFrame", "CodedFrame"]


class LaterFrame:
    """A DataFrame made by ``make()`` when its values are first read, and kept (``frame``).

    Known before: ``index``, ``columns``, ``shape``, ``len()`` and ``in``; ``later[columns]``
    (a list) is a later frame of those columns (``frame[columns]`` when read), whose single
    columns are this frame's; ``later[column]`` is that column (:meth:`column`); any other
    attribute is the made frame's."""

    def __init__(self, make: Callable[[], pd.DataFrame], columns: pd.Index, index: pd.Index,
                 selected_from: "LaterFrame | None" = None):
        self._make, self.columns, self.index = make, columns, index
        self._selected_from = selected_from

    @cached_property
    def frame(self) -> pd.DataFrame:
        return self._make()

    @property
    def made(self) -> pd.DataFrame | None:
        """The frame if it has been made, else None."""
        return self.__dict__.get("frame")

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.index), len(self.columns)

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, column) -> bool:
        return column in self.columns

    def __getitem__(self, key):
        if isinstance(key, list):
            at = self.columns.get_indexer_for(key)
            if len(at) != len(key) or (at < 0).any():  # absent or repeated: as pandas does
                return self.frame[key]
            return LaterFrame(lambda: self.frame[key], self.columns[at], self.index, self)
        if isinstance(key, str):
            return self.column(key)
        return self.frame[key]

    def column(self, name: str) -> pd.Series:
        """``frame[name]`` (of a selection not made yet, the column of the frame it selects
        from: the same column)."""
        if self.made is None and self._selected_from is not None and name in self.columns:
            return self._selected_from.column(name)
        return self.frame[name]

    def then(self, function: Callable[[pd.DataFrame], pd.DataFrame]) -> "LaterFrame":
        """``function(frame)``, with the same columns and index, made when read."""
        return LaterFrame(lambda: function(self.frame), self.columns, self.index)

    def __getattr__(self, name: str):
        if name.startswith("_"):  # (not the frame's: copying, pickling, our own attributes)
            raise AttributeError(name)
        return getattr(self.frame, name)


class CodedFrame(LaterFrame):
    """A file's ``data`` (:func:`surveys.load._code_source`) before it is made: ``table``, the
    columns as read after renaming, with each column of ``codes`` in its place as float64 and
    ``file_rows`` added as ``row_column``.

    ``codes`` holds each coded column as float64 (NaN missing) or, where its answers were read
    as one digit, as int8 (:data:`~surveys.wholecodes.MISSING_CODE` missing), the float column
    then made from them (:func:`~surveys.wholecodes.as_floats`: the same floats). A single
    column is given without making the frame."""

    def __init__(self, table: pd.DataFrame, codes: dict[str, np.ndarray], file_rows: pd.Series,
                 row_column: str):
        columns = table.columns if row_column in table.columns else table.columns.append(
            pd.Index([row_column]))
        super().__init__(self._data, columns, table.index)
        self._table, self._codes, self._file_rows = table, codes, file_rows
        self._row_column = row_column

    def floats(self, name: str) -> np.ndarray:
        """A coded column's float64 answers (NaN missing), from its codes."""
        codes = self._codes[name]
        return as_floats(codes) if codes.dtype == np.int8 else codes

    def column(self, name: str) -> pd.Series:
        if self.made is not None:
            return self.made[name]
        if name == self._row_column:
            return self._file_rows.rename(name)
        if name in self._codes:
            return pd.Series(self.floats(name), index=self.index, name=name, copy=False)
        return self._table[name]

    def set_missing(self, name: str, rows: np.ndarray) -> None:
        """Make the answers of a coded column at the boolean ``rows`` missing."""
        if self.made is not None or name not in self._codes:
            self.frame.loc[rows, name] = np.nan
            return
        codes = self._codes[name]
        self._codes[name] = np.where(rows, MISSING_CODE if codes.dtype == np.int8 else np.nan,
                                     codes).astype(codes.dtype, copy=False)

    def _data(self) -> pd.DataFrame:
        data = self._table.copy(deep=False)  # copy-on-write: the columns set below are new
        for name in self._codes:
            data[name] = self.floats(name)
        data[self._row_column] = self._file_rows
        return data
