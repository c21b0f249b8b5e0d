"""Platform metadata columns found by name, and completion times in seconds.

Platforms write metadata (respondent id, start and submit time, duration, IP address) beside the
answers, under names that vary by platform, version and language. :func:`find_meta` matches names
loosely (case, white space, ``_`` and ``-`` ignored); :func:`parse_times` reads timestamps in the
formats the platforms write, vectorised.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

__all__ = ["find_meta", "parse_times", "seconds_between", "to_seconds"]

#: Timestamp formats tried in this order; the one that reads the most cells wins (ties: earlier).
TIME_FORMATS = (
    "ISO8601",  # 2019-03-05 14:23:10, 2019-03-05T14:23:10Z (also what xlsx/xls cells become)
    "%m/%d/%Y %I:%M:%S %p",  # SurveyMonkey: 11/26/2019 11:12:13 AM
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",  # 问卷星, Google Forms (zh): 2019/3/5 14:23:10
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %I:%M:%S %p",  # Google Forms (zh), 2019/3/5 下午2:23:10 once 上午/下午 become AM/PM
    "%Y/%m/%d %I:%M %p",
)


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).casefold()


def find_meta(columns: Iterable[str], roles: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Map each role to the first column whose name matches one of the role's names.

    Parameters
    ----------
    columns : the table's column names.
    roles : role -> accepted names, e.g. ``{"id": ["ResponseId", "Response ID"]}``.

    Returns
    -------
    dict
        role -> column, for the roles found (a column serves one role only).
    """
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(_key(column), column)
    found: dict[str, str] = {}
    used: set[str] = set()
    for role, names in roles.items():
        for name in names:
            column = by_key.get(_key(name))
            if column is not None and column not in used:
                found[role] = column
                used.add(column)
                break
    return found


def parse_times(values: pd.Series) -> pd.Series:
    """Timestamps (datetime64) from text; cells no format reads are NaT.

    Every format in :data:`TIME_FORMATS` is tried on the whole column; the one that reads the most
    cells is used. Day-first and month-first dates are told apart only by the data (a day > 12);
    when both read every cell, month-first wins. Time-zone suffixes (``GMT+8``) are dropped: a
    duration needs only differences within one file. Chinese 上午/下午 before the time (Google Forms
    in Chinese: ``2019/3/5 下午2:23:10``) are read as AM/PM.
    """
    text = values.astype("str").str.strip()
    text = text.str.replace(r"\s*(GMT|UTC)[+-]?\d{0,2}(:?\d{2})?$", "", regex=True)
    text = text.str.replace(r"上午\s*([\d:]+)", r"\1 AM", regex=True)
    text = text.str.replace(r"下午\s*([\d:]+)", r"\1 PM", regex=True)
    best = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    best_count = 0
    for fmt in TIME_FORMATS:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
        count = int(parsed.notna().sum())
        if count > best_count:
            best, best_count = parsed, count
        if best_count == int(values.notna().sum()):
            break
    return best


def seconds_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """``end - start`` in seconds (float); NaN where either time is missing or unreadable."""
    return (parse_times(end) - parse_times(start)).dt.total_seconds()


def to_seconds(values: pd.Series) -> pd.Series:
    """Numbers of seconds written as text (``"136"``, ``"136.5"``) as floats; others NaN."""
    return pd.to_numeric(values.astype("str").str.strip(), errors="coerce").astype(float)
