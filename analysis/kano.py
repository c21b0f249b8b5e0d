"""Kano classification of features from functional / dysfunctional question pairs.

Each feature is asked twice: "if the product has this feature, how do you feel?" (functional) and
"if it does not have it?" (dysfunctional), both answered on the five Kano options, coded

    1 like (我很喜欢), 2 must-be (理所当然), 3 neutral (无所谓), 4 live with (能忍受),
    5 dislike (我很不喜欢).

:func:`kano_classify` maps every answer pair through the evaluation table to one of A (attractive),
O (one-dimensional), M (must-be), I (indifferent), R (reverse), Q (questionable);
:func:`kano_summary` counts the categories per feature, names the dominant one and computes the
Better / Worse coefficients (:func:`kano_pair_summary` the same from the counts of the answer
pairs, e.g. a ``GROUP BY`` run in a database). :func:`kano_section` builds the ``"kano"`` section of results.json.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from analysis.jsonready import json_ready
from analysis.moments import Responses, as_responses

from surveys.errors import Location, StudyError
from surveys.i18n import msg

__all__ = ["CATEGORIES", "CATEGORY_LABELS", "EVALUATION_TABLE", "ANSWER_SPELLINGS", "kano_classify",
           "kano_summary", "kano_pair_summary", "kano_section"]

CATEGORIES = ("A", "O", "M", "I", "R", "Q")

#: Names of the categories (zh, en) for tables and the app.
CATEGORY_LABELS = {
    "A": {"zh": "魅力属性", "en": "attractive"},
    "O": {"zh": "期望属性", "en": "one-dimensional"},
    "M": {"zh": "必备属性", "en": "must-be"},
    "I": {"zh": "无差异属性", "en": "indifferent"},
    "R": {"zh": "反向属性", "en": "reverse"},
    "Q": {"zh": "可疑结果", "en": "questionable"},
}

#: Rows: functional answer 1-5; columns: dysfunctional answer 1-5 (Berger et al. 1993, table 1).
EVALUATION_TABLE = np.array([
    ["Q", "A", "A", "A", "O"],
    ["R", "I", "I", "I", "M"],
    ["R", "I", "I", "I", "M"],
    ["R", "I", "I", "I", "M"],
    ["R", "R", "R", "R", "Q"],
])

#: Tie-break for the dominant category: M > O > A > I (Berger et al. 1993), then R, Q.
_PRECEDENCE = ("M", "O", "A", "I", "R", "Q")


#: Answer texts accepted besides the codes 1-5 (compared stripped and lower-cased).
ANSWER_SPELLINGS = {
    1: ("like", "i like it", "i like it that way", "喜欢", "很喜欢", "我很喜欢", "非常喜欢"),
    2: ("must-be", "must be", "i expect it", "it must be that way", "理所当然", "它理应如此",
        "应该的", "必须的"),
    3: ("neutral", "i am neutral", "i'm neutral", "无所谓", "中立"),
    4: ("live with", "live-with", "i can live with it", "i can tolerate it", "能忍受",
        "可以忍受", "勉强接受"),
    5: ("dislike", "i dislike it", "i dislike it that way", "不喜欢", "很不喜欢", "我不喜欢",
        "我很不喜欢"),
}
_CODE_OF = {text: code for code, texts in ANSWER_SPELLINGS.items() for text in texts}


def _codes(values: pd.Series, name: str) -> np.ndarray:
    """Answer codes 1-5 as integers (0 for missing) from codes or answer texts; anything else
    raises StudyError naming the rows (the Series' index)."""
    numeric = pd.to_numeric(values, errors="coerce").astype("float64")
    if values.dtype.kind not in "fiu":
        text = values.astype("string").str.strip().str.lower()
        numeric = numeric.fillna(text.map(_CODE_OF).astype("float64"))
    bad = values.notna().to_numpy() & ~numeric.isin([1.0, 2.0, 3.0, 4.0, 5.0]).to_numpy()
    if bad.any():
        rows = [json_ready(r) for r in values.index[bad]]
        raise StudyError(
            msg("kano_invalid", n=len(rows), example=repr(values[bad].iloc[0])),
            row=rows[0], column=name, expected=msg("kano_invalid_expected"),
            more=[Location(row=r, column=name) for r in rows[1:]],
        )
    return numeric.fillna(0).to_numpy().astype(int)


def kano_classify(functional: pd.Series, dysfunctional: pd.Series) -> pd.Series:
    """Kano category of each respondent for one feature.

    Parameters
    ----------
    functional : answers to the functional question, coded 1-5 (see module doc) or as answer
        texts listed in ``ANSWER_SPELLINGS`` (English or Chinese); NaN = missing.
    dysfunctional : answers to the dysfunctional question, aligned with ``functional``.

    Returns
    -------
    Series
        "A", "O", "M", "I", "R" or "Q" per respondent; missing (``None``) when either answer is.

    Notes
    -----
    The evaluation table (rows functional, columns dysfunctional, order like / must-be / neutral /
    live with / dislike)::

                  like  must-be  neutral  live-with  dislike
        like        Q      A        A         A         O
        must-be     R      I        I         I         M
        neutral     R      I        I         I         M
        live-with   R      I        I         I         M
        dislike     R      R        R         R         Q

    A value outside 1-5 raises StudyError naming the rows by the Series' index (the section
    builder indexes by the frame's ``_file_row`` column when it has one, the file's row numbers).

    References
    ----------
    Berger, C., Blauth, R., Boger, D., et al. (1993). Kano's methods for understanding
    customer-defined quality. Center for Quality Management Journal, 2(4), 3-36.
    Matzler, K., & Hinterhuber, H. H. (1998). How to make product development projects more
    successful by integrating Kano's model of customer satisfaction into quality function
    deployment. Technovation, 18(1), 25-38.
    """
    fun = _codes(functional, str(functional.name))
    dys = _codes(dysfunctional, str(dysfunctional.name))
    answered = (fun > 0) & (dys > 0)
    category = np.where(answered, EVALUATION_TABLE[np.maximum(fun, 1) - 1, np.maximum(dys, 1) - 1],
                        None)
    return pd.Series(category, index=functional.index, dtype="object")


def kano_summary(functional: pd.Series, dysfunctional: pd.Series) -> dict:
    """Category counts, shares, dominant category and Better / Worse for one feature.

    Parameters
    ----------
    functional, dysfunctional : as in :func:`kano_classify`.

    Returns
    -------
    dict
        ``n`` (respondents who answered both questions), ``counts`` and ``shares`` (count / n) for
        A, O, M, I, R, Q, ``category`` (dominant), ``tied`` (the categories sharing the top
        count), ``better``, ``worse``.

    Notes
    -----
    Better :math:`= (A + O)/(A + O + M + I)`, Worse :math:`= -(O + M)/(A + O + M + I)`
    (Berger et al. 1993); R and Q answers are left out of both. The dominant category is the
    most frequent; ties are broken by M > O > A > I (Berger et al. 1993), then R > Q. With no
    answers every number is NaN and ``category`` None.
    """
    return _category_summary(kano_classify(functional, dysfunctional).value_counts())


def kano_pair_summary(pairs: pd.Series) -> dict:
    """:func:`kano_summary` from the answer pairs' counts.

    Parameters
    ----------
    pairs : respondents per (functional, dysfunctional) answer pair, indexed by the two answers
        (codes 1-5 or texts as in :func:`kano_classify`), pairs with a missing answer left out:
        what :meth:`analysis.moments.Responses.pair_counts` returns (a ``GROUP BY`` of the two
        columns in an engine).

    Returns
    -------
    dict
        As :func:`kano_summary`: each pair is classified once and weighted by its count, so the
        numbers equal those from the respondents' rows.
    """
    functional = pd.Series(pairs.index.get_level_values(0), name=pairs.index.names[0])
    dysfunctional = pd.Series(pairs.index.get_level_values(1), name=pairs.index.names[1])
    category = kano_classify(functional, dysfunctional)
    return _category_summary(pd.Series(pairs.to_numpy(np.int64)).groupby(category).sum())


def _category_summary(counts: pd.Series) -> dict:
    """The numbers of :func:`kano_summary` from the respondents per category."""
    counts = counts.reindex(list(CATEGORIES), fill_value=0).astype(int)
    n = int(counts.sum())
    base = counts[["A", "O", "M", "I"]].sum()
    top = counts.max()
    tied = [c for c in _PRECEDENCE if n and counts[c] == top]
    return {
        "n": n,
        "counts": counts.to_dict(),
        "shares": (counts / n if n else counts * np.nan).to_dict(),
        "category": tied[0] if tied else None,
        "tied": tied if len(tied) > 1 else [],
        "better": (counts["A"] + counts["O"]) / base if base else np.nan,
        "worse": -(counts["O"] + counts["M"]) / base if base else np.nan,
    }


def kano_section(frames: dict[str, pd.DataFrame | Responses], *,
                 kano: dict[str, tuple[str, str]]) -> dict:
    """The ``"kano"`` section of results.json.

    Parameters
    ----------
    frames : group name -> DataFrame with the Kano answer columns (codes 1-5, NaN = missing),
        or its :class:`~analysis.moments.Responses`: the categories are counted from the answer
        pairs' counts (:meth:`~analysis.moments.Responses.pair_counts`, a ``GROUP BY`` in the
        engine for a group read from a table), the answers checked on the rows (the rows
        brought back, for a table).
    kano : feature -> (functional column, dysfunctional column). Groups without both columns of a
        feature get no entry for it.

    Returns
    -------
    dict
        ``{GROUP: {FEATURE: {"n", "counts": {A, O, M, I, R, Q}, "shares": {...}, "category",
        "label_zh", "label_en", "tied", "better", "worse"}}}``; None for undefined numbers.
    """
    section = {}
    for group, data in frames.items():
        responses = as_responses(data)
        frame = responses.frame
        if "_file_row" in frame.columns:
            frame = frame.set_index("_file_row", drop=False)
        features = {}
        for feature, (fun, dys) in kano.items():
            if fun in frame.columns and dys in frame.columns:
                kano_classify(frame[fun], frame[dys])  # bad answers named by their rows
                summary = kano_pair_summary(responses.pair_counts(fun, dys))
                labels = CATEGORY_LABELS.get(summary["category"], {})
                summary["label_zh"] = labels.get("zh")
                summary["label_en"] = labels.get("en")
                features[feature] = summary
        section[group] = features
    return json_ready(section)
