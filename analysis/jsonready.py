"""One conversion to JSON-ready Python values, used by every section builder and the pipeline."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["json_ready", "records"]


def json_ready(value):
    """Plain JSON value, recursively: numpy scalars and arrays to Python, dict keys to str,
    NaN, infinities and pandas' missing markers to None."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        return [json_ready(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows of ``frame`` as dicts of Python values, read column by column (the values
    ``iterrows`` gives, without building a Series per row)."""
    columns = {c: frame[c].tolist() for c in frame.columns}
    return [dict(zip(columns, row)) for row in zip(*columns.values())]
