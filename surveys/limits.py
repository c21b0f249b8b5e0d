"""Limits on what the toolkit reads: file sizes, workbook archives, table shapes, labels, time.

Hostile or broken files (a few-KB workbook that expands to gigabytes, a sheet whose last cell is
row 1,048,576 of column XFD, a YAML "billion laughs", a 10 MB text in a segment column) must end
in one clear error, never in a hang or gigabytes of memory. Every limit is checked *before* the
expensive step it guards (file sizes from the file system and the zip directory before parsing,
the expanded size of a YAML document before it is built, the grid's shape while it is read), and
the error names the number found and the limit.

The limits do not depend on a study file: each is read from an environment variable when it is
checked (so a test, a server or a user can change it), else the default below. The README's
"Limits" section lists them (``docs/limits.md``).
"""
from __future__ import annotations

import os
import time
import unicodedata
from dataclasses import dataclass

from .errors import StudyError
from .i18n import msg

__all__ = ["LIMITS", "Limit", "limit", "check_file_size", "Deadline", "shorten", "printable", "MB"]

MB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    """One configurable limit: its environment variable, default and meaning (for the README)."""

    env: str
    default: float
    kind: type  # int or float
    meaning: str


#: every limit by name; ``limit(name)`` reads its current value
LIMITS: dict[str, Limit] = {
    "file_mb": Limit("SURVEY_MAX_FILE_MB", 200, float,
                     "size of one data file in MB (uploads, the CLI and the study store alike; "
                     "the app's upload limit `server.maxUploadSize` is the same 200 MB)"),
    "study_file_kb": Limit("SURVEY_MAX_STUDY_FILE_KB", 1024, float,
                           "size of a study file (YAML) in KB"),
    "yaml_nodes": Limit("SURVEY_MAX_YAML_NODES", 100_000, int,
                        "values in a study file with every YAML alias expanded (a 'billion "
                        "laughs' file is refused before it is built)"),
    "unzipped_mb": Limit("SURVEY_MAX_UNZIPPED_MB", 500, float,
                         "total uncompressed size of an xlsx workbook's parts in MB, from the zip "
                         "directory before anything is unpacked"),
    "zip_ratio": Limit("SURVEY_MAX_ZIP_RATIO", 200, float,
                       "uncompressed / compressed size of one part of an xlsx workbook (parts "
                       "larger than 1 MB); real sheets stay below about 40, zip bombs reach 1000"),
    "zip_entries": Limit("SURVEY_MAX_ZIP_ENTRIES", 10_000, int,
                         "parts (files) in an xlsx workbook"),
    "rows": Limit("SURVEY_MAX_ROWS", 2_000_000, int, "rows of a table, header rows included"),
    "columns": Limit("SURVEY_MAX_COLUMNS", 16_384, int,
                     "columns of a table (Excel's own maximum)"),
    "cells": Limit("SURVEY_MAX_CELLS", 200_000_000, int,
                   "rows x columns of a table (empty cells count: a sheet with one cell in row "
                   "1,000,000 and one in column 10,000 is refused)"),
    "label_chars": Limit("SURVEY_MAX_LABEL_CHARS", 500, int,
                         "characters of a name in the study file (title, group, dimension, item, "
                         "wave, display name) and of an answer in a segment column"),
    "segment_levels": Limit("SURVEY_MAX_SEGMENT_LEVELS", 100, int,
                            "different answers in a segment column (region, customer type...)"),
    "parse_seconds": Limit("SURVEY_MAX_PARSE_SECONDS", 300, float,
                           "seconds to read one data file into a table"),
}

#: characters of a data value quoted in a message (the rest is cut and counted)
QUOTE_CHARS = 80


def limit(name: str) -> float | int:
    """The current value of the limit ``name`` (its environment variable, else the default).

    Raises
    ------
    StudyError
        The environment variable is set but is not a positive number.
    """
    spec = LIMITS[name]
    raw = os.environ.get(spec.env)
    if raw is None or not raw.strip():
        return spec.kind(spec.default)
    try:
        value = spec.kind(float(raw)) if spec.kind is int else float(raw)
    except ValueError:
        value = None
    if value is None or not value > 0 or value != value:
        raise StudyError(msg("limit_env_invalid", name=spec.env, value=shorten(raw)),
                         expected=msg("limit_env_invalid_expected", default=spec.default))
    return value


def check_file_size(path, size: int, key: str | None = None) -> None:
    """Refuse a data file larger than the ``file_mb`` limit before anything reads it."""
    most = limit("file_mb")
    if size > most * MB:
        raise StudyError(msg("file_too_large", size=f"{size / MB:,.1f}", limit=f"{most:g}",
                             env=LIMITS["file_mb"].env),
                         file=path, key=key, expected=msg("file_too_large_expected"))


class Deadline:
    """A time limit on reading one file (:data:`LIMITS` ``parse_seconds``); :meth:`check` raises
    a StudyError naming the file, the row reached and the limit once it has passed."""

    def __init__(self, path):
        self.path = path
        self.seconds = limit("parse_seconds")
        self.end = time.monotonic() + self.seconds

    def check(self, row: int | None = None) -> None:
        if time.monotonic() > self.end:
            raise StudyError(msg("parse_too_slow", seconds=f"{self.seconds:g}",
                                 env=LIMITS["parse_seconds"].env),
                             file=self.path, row=row,
                             expected=msg("parse_too_slow_expected"))


def shorten(text, chars: int = QUOTE_CHARS) -> str:
    """``text`` for quoting in a message: at most ``chars`` characters (the rest counted), control
    characters escaped (:func:`printable`)."""
    text = str(text)
    if len(text) > chars:
        text = f"{text[:chars]}…(+{len(text) - chars})"
    return printable(text)


#: Unicode format characters that reorder or hide text on a terminal (bidi overrides and isolates)
_BIDI = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)),
         *map(chr, range(0x2066, 0x206A))}


def printable(text) -> str:
    """``text`` with control characters (ESC, CR, NUL, DEL, C1 controls) and bidirectional
    overrides written as escapes (``\\x1b``, ``\\r``, ``\\t``, ``\\u202e``), so that a title or a file
    name cannot move the cursor, redraw a line, add a column or reorder what a terminal shows."""
    return "".join(char.encode("unicode_escape").decode("ascii")
                   if char in _BIDI or unicodedata.category(char) == "Cc" else char
                   for char in str(text))
