"""The loyalty ladder: how far up satisfaction → trust → behavioural → emotional → sustainable
loyalty each respondent has climbed, and how the levels change over the relationship's lifecycle.

Seed 002 (after the customer-lifecycle literature, e.g. Dwyer, Schurr & Oh 1987): satisfaction and
trust are the low forms of customer loyalty, emotional (精神忠诚) and sustainable loyalty the high
ones; the rungs "usually appear in a time order in the different stages of the relationship's
lifecycle" (考察 exploration, 形成 formation, 稳定 stability, 退化 decline).

- :func:`rung_scores` -- each respondent's score on each rung (mean of the answered items).
- :func:`ladder_levels` -- rungs reached, the level climbed and whether the climb is out of order.
- :func:`level_counts` -- n and share of respondents at each level.

:func:`ladder_section` builds the ``"ladder"`` section of results.json.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.indices import dimension_scores
from analysis.jsonready import json_ready
from analysis.segments import ABC_CLASSES, ABC_COLUMN, LIFECYCLE_STAGES, abc_labels, lifecycle_stage
from analysis.segments import _named_rows

__all__ = ["RUNGS", "ON_THRESHOLD", "rung_scores", "ladder_levels", "level_counts",
           "respondent_stages", "LadderLevels", "ladder_section"]

#: The rungs of seed 002, bottom up (a study may declare any of them, or rungs of its own).
RUNGS = ("satisfaction", "trust", "behavioural", "emotional", "sustainable")

#: A score this close to a threshold counts as on it (means of whole numbers are exact; this only
#: absorbs floating-point rounding of other answers).
ON_THRESHOLD = 1e-9

def rung_scores(frame: pd.DataFrame, rungs: dict[str, list[str]]) -> pd.DataFrame:
    """Each respondent's score on each rung.

    Parameters
    ----------
    frame : respondents x items (numeric, reverse-coded, NaN = missing).
    rungs : rung -> its item columns, bottom rung first.

    Returns
    -------
    DataFrame, one float column per rung in ladder order: the mean of the respondent's answered
    items of the rung; NaN when none is answered.

    Notes
    -----
    :func:`analysis.indices.dimension_scores` with ``min_share=0``: one answered item is enough
    (the issue's rule "the mean of its answered items").
    """
    return dimension_scores(frame, rungs, min_share=0.0)


@dataclass
class LadderLevels:
    """Where each respondent stands on the ladder (one row per respondent, the input's index).

    ``reached``: one bool column per rung; ``level``: rungs reached in a row from the bottom;
    ``out_of_order``: a rung above the level is reached; ``answered``: at least one rung has a
    score.
    """

    reached: pd.DataFrame
    level: pd.Series
    out_of_order: pd.Series
    answered: pd.Series

    def subset(self, mask) -> "LadderLevels":
        """The respondents where ``mask`` (a bool array) holds."""
        mask = np.asarray(mask, dtype=bool)
        return LadderLevels(self.reached[mask], self.level[mask], self.out_of_order[mask],
                            self.answered[mask])


def ladder_levels(scores: pd.DataFrame, reached_from: float) -> LadderLevels:
    """Which rungs each respondent reaches, and the level climbed.

    Parameters
    ----------
    scores : rung scores, one column per rung from the bottom up (:func:`rung_scores`).
    reached_from : a rung is reached when its score is at least this (e.g. 4 = agree on 1-5).

    Returns
    -------
    LadderLevels

    Notes
    -----
    Rung *j* is reached when its score :math:`s_j \\ge` ``reached_from`` (within
    :data:`ON_THRESHOLD`); an unanswered rung is not reached. The level is the number of rungs
    reached in a row from the bottom, :math:`L = \\max\\{j : s_1, \\dots, s_j\\ \\text{reached}\\}`
    (0 when the bottom rung is not reached): a rung without an answer ends the climb like a
    rung below the threshold. A respondent is *out of order* when a rung above the level is
    reached, i.e. some rung is reached while one below it is not (low or unanswered): such
    respondents do not follow the ladder.
    """
    values = scores.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        reached = values >= reached_from - ON_THRESHOLD  # NaN compares False: not reached
    level = np.cumprod(reached, axis=1).sum(axis=1).astype(int)
    index = scores.index
    return LadderLevels(
        reached=pd.DataFrame(reached, index=index, columns=scores.columns),
        level=pd.Series(level, index=index, name="level"),
        out_of_order=pd.Series(reached.sum(axis=1) > level, index=index, name="out_of_order"),
        answered=pd.Series(~np.isnan(values).all(axis=1), index=index, name="answered"))


def level_counts(levels: pd.Series, k: int) -> dict:
    """``{"0": {"n", "share"}, ..., "k": {...}}`` over the given levels (share of their number;
    null shares when there are none)."""
    n = len(levels)
    counts = np.bincount(np.asarray(levels, dtype=int), minlength=k + 1)
    return {str(j): {"n": int(c), "share": c / n if n else None} for j, c in enumerate(counts)}


def respondent_stages(frame: pd.DataFrame, *, lifecycle: str | None,
                      cooperation_years: str | None,
                      lifecycle_years: tuple[float, float]) -> pd.Series | None:
    """Each respondent's lifecycle stage (:func:`analysis.segments.lifecycle_stage`) from the
    stage column, else from cooperation years; None when the frame has neither."""
    if lifecycle and lifecycle in frame.columns:
        stages = lifecycle_stage(stage=_named_rows(frame, lifecycle))
    elif cooperation_years and cooperation_years in frame.columns:
        stages = lifecycle_stage(years=_named_rows(frame, cooperation_years),
                                 breaks=lifecycle_years)
    else:
        return None
    return stages.set_axis(frame.index)


def _cells(levels: pd.Series, labels: pd.Series, order: list, k: int, min_n: int) -> dict:
    """Level counts of the respondents with each label (labels without respondents left out)."""
    cells = {}
    for label in order:
        members = levels[(labels == label).fillna(False).to_numpy(dtype=bool)]
        if len(members):
            cells[str(label)] = {"n": len(members), "small": len(members) < min_n,
                                 "levels": level_counts(members, k)}
    return cells


def ladder_section(
    frames: dict[str, pd.DataFrame],
    *,
    rungs: dict[str, list[str]],
    reached_from: float = 4.0,
    segments: list[str] | None = None,
    revenue: str | None = None,
    cutoffs: tuple[float, float] = (0.8, 0.95),
    lifecycle: str | None = None,
    cooperation_years: str | None = None,
    lifecycle_years: tuple[float, float] = (1.0, 3.0),
    min_n: int = 5,
) -> dict:
    """The ``"ladder"`` section of results.json.

    Parameters
    ----------
    frames : group name -> respondents (current wave). A group enters when it has at least one
        item of every rung; a rung's missing items are left out of its mean.
    rungs : rung -> items, bottom first (at least two rungs).
    reached_from : the threshold of :func:`ladder_levels`.
    segments : categorical columns for ``by_segment`` (levels sorted; missing levels left out).
    revenue, cutoffs : with a revenue column, ``by_segment`` also has the ABC class
        (:func:`analysis.segments.abc_labels`) under ``"abc_class"``.
    lifecycle, cooperation_years, lifecycle_years : the lifecycle stage (see
        :func:`respondent_stages`) for ``by_stage``.
    min_n : cells with fewer respondents are marked ``small``.

    Returns
    -------
    dict
        ``{GROUP: {"rungs", "items", "reached_from", "n", "n_unanswered", "levels",
        "rungs_reached", "out_of_order", "by_stage", "by_segment"}}``. Only respondents who
        answered at least one ladder item are counted (``n``); ``n_unanswered`` are the others.
        Shares are of ``n``.
    """
    names = list(rungs)
    k = len(names)
    section = {}
    for group, frame in frames.items():
        present = {r: [i for i in items if i in frame.columns] for r, items in rungs.items()}
        if not all(present.values()):
            continue
        every = ladder_levels(rung_scores(frame, present), reached_from)
        answered = every.answered.to_numpy()
        table = every.subset(answered)
        n = len(table.level)

        def entry(count) -> dict:
            return {"n": int(count), "share": count / n if n else None}

        by_stage = {}
        stages = respondent_stages(frame, lifecycle=lifecycle,
                                   cooperation_years=cooperation_years,
                                   lifecycle_years=lifecycle_years)
        if stages is not None:
            by_stage = _cells(table.level, stages[answered], list(LIFECYCLE_STAGES), k, min_n)
        by_segment = {}
        for column in segments or []:
            if column in frame.columns:
                labels = frame[column][answered]
                order = sorted(labels.dropna().unique().tolist(), key=str)
                by_segment[column] = _cells(table.level, labels, order, k, min_n)
        if revenue and revenue in frame.columns:
            labels = abc_labels(frame, revenue, cutoffs=cutoffs)[answered]
            by_segment[ABC_COLUMN] = _cells(table.level, labels, list(ABC_CLASSES), k, min_n)
        section[group] = {
            "rungs": names,
            "items": present,
            "reached_from": reached_from,
            "n": n,
            "n_unanswered": int((~answered).sum()),
            "levels": level_counts(table.level, k),
            "rungs_reached": {r: entry(table.reached[r].sum()) for r in names},
            "out_of_order": entry(table.out_of_order.sum()),
            "by_stage": by_stage,
            "by_segment": by_segment,
        }
    return json_ready(section)
