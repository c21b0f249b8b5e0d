"""Population weights: raking (iterative proportional fitting) as R ``survey::rake`` does it,
optional trimming as ``survey::trimWeights``, or weights read from a column.

The study file's ``weighting:`` block names one group and either raking targets (population
shares of the levels of some columns) or a column of weights. :func:`with_weights` computes the
weights of that group for every wave (each wave raked to the same targets, on the rows kept after
the exclusions) and keeps them with the study (``StudyData.weights``), so that an app filter
later selects rows together with their weights. :func:`weighting_section` is the ``weighting``
block of results.json. The design-based estimates that use the weights are in
:mod:`analysis.weighted`.

References
----------
Deming, W. E., & Stephan, F. F. (1940). On a least squares adjustment of a sampled frequency
table when the expected marginal totals are known. *Annals of Mathematical Statistics*, 11(4),
427-444.
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, ch. 7. Wiley. (R package
``survey`` 4.1: ``rake``, ``trimWeights``.)
Kish, L. (1965). *Survey Sampling*, section 11.7 (effective sample size). Wiley.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from surveys.errors import StudyError
from surveys.i18n import msg
from surveys.load import FILE_ROW, StudyData
from surveys.study import Weighting

__all__ = ["EPSILON", "MAX_CYCLES", "Design", "rake", "trim_weights", "rake_and_trim",
           "design_from_column", "group_design", "with_weights", "weight_summary",
           "weighting_section"]

#: convergence of raking, as ``survey::rake``'s ``control$epsilon`` (below 1: relative to the sum
#: of the weights): a full cycle over the margins that changes no cell of the weighted cross-table
#: of the margin columns by more than ``EPSILON`` times the sum of the weights ends the raking
EPSILON = 1e-8
#: the most raking cycles (``control$maxit``; R's default of 10 is too few for 1e-8)
MAX_CYCLES = 100


@dataclass
class Design:
    """The weights of one group and what their standard errors need.

    ``weights`` (mean 1 over the group) on the group's row index. ``calibration`` lists the raking
    steps in order (one for a plain rake, two for rake → trim → rake), each a list of margins
    ``(column, levels, step_weights)``: the rows' levels and the weights right after that margin
    was matched in the last cycle (``survey::rake`` keeps the same, ``attr(margin,
    "weights")``); the linearised variance removes the margins' influence with them
    (:func:`analysis.weighted.calibrated_residuals`). Empty for weights read from a column.
    """

    weights: pd.Series
    calibration: list[list[tuple[str, pd.Series, pd.Series]]] = field(default_factory=list)
    cycles: int = 0
    converged: bool = True
    delta: float = 0.0
    margins: dict[str, dict[str, float]] = field(default_factory=dict)
    column: str | None = None

    def restrict(self, index: pd.Index) -> "Design":
        """The design's rows ``index`` (a filtered view of the group)."""
        return replace(self, weights=self.weights.loc[index],
                       calibration=[[(c, lv.loc[index], sw.loc[index]) for c, lv, sw in step]
                                    for step in self.calibration])


def _cross_table(levels: list[np.ndarray], w: np.ndarray) -> np.ndarray:
    """Weighted counts of every observed combination of the margin columns' levels."""
    cells = np.unique(np.column_stack(levels), axis=0, return_inverse=True)[1].ravel()
    return np.bincount(cells, weights=w)


def rake(levels: list[np.ndarray], totals: list[np.ndarray], weights: np.ndarray, *,
         epsilon: float = EPSILON, max_cycles: int = MAX_CYCLES):
    """Rake ``weights`` to the population ``totals`` of each margin (``survey::rake``).

    Parameters
    ----------
    levels : per margin, each row's level as an integer code 0..L-1.
    totals : per margin, the population total of each level (same sum for every margin).
    weights : the starting weights.
    epsilon : convergence; below 1 it is relative to the sum of the starting weights.
    max_cycles : the most cycles.

    Returns
    -------
    (weights, step_weights, cycles, converged, delta): the raked weights; per margin the weights
    right after it was matched in the last cycle; the cycles run; whether the last cycle changed
    no cell of the cross-table of the margins by ``epsilon`` or more; that largest change.

    Notes
    -----
    One cycle post-stratifies on each margin in turn, :math:`w_i \\leftarrow w_i\\,T_{jl}/
    \\sum_{k: l_k = l} w_k` for the level *l* of row *i* on margin *j* (``postStratify``). The
    cycles stop when the largest change of a cell of the weighted cross-classification of all
    margin columns (``svytable``) since the previous cycle is below ``epsilon`` (times the sum of
    the starting weights when ``epsilon < 1``), as in ``survey::rake``.
    """
    w = np.asarray(weights, dtype=float).copy()
    tolerance = epsilon * w.sum() if epsilon < 1 else epsilon
    old = _cross_table(levels, w)
    steps: list[np.ndarray] = []
    cycles, converged, delta = 0, False, np.inf
    while cycles < max_cycles:
        steps = []
        for codes, total in zip(levels, totals):
            w = w * (total / np.bincount(codes, weights=w, minlength=len(total)))[codes]
            steps.append(w.copy())
        new = _cross_table(levels, w)
        delta = float(np.max(np.abs(new - old)))
        cycles += 1
        if delta < tolerance:
            converged = True
            break
        old = new
    return w, steps, cycles, converged, delta


def trim_weights(weights: np.ndarray, lower: float, upper: float) -> np.ndarray:
    """Trim weights to [lower, upper] and share what was cut off equally among the others
    (``survey::trimWeights(strict = FALSE)``: one pass, so the shared-out weights may leave the
    bounds slightly).

    Notes
    -----
    :math:`w'_i = \\min(\\max(w_i, L), U)`; with :math:`t = \\sum_i (w_i - w'_i)` over all rows,
    every row that was inside the bounds gets :math:`w'_i + t/m` (m such rows). The sum of the
    weights is kept.
    """
    w = np.asarray(weights, dtype=float)
    outside = (w < lower) | (w > upper)
    if not outside.any():
        return w.copy()
    trimmed = np.clip(w, lower, upper)
    trimmed[~outside] += (w - trimmed).sum() / (~outside).sum()
    return trimmed


def _levels(frame: pd.DataFrame, column: str, targets: dict[str, float], where) -> np.ndarray:
    """Each row's level of a margin column as a code into ``targets`` (clear errors)."""
    if column not in frame:
        raise StudyError(msg("weighting_column_missing", column=column), **where(None),
                         column=column, key=f"weighting.margins.{column}",
                         expected=msg("weighting_column_expected"))
    text = frame[column].map(_level_text)
    missing = text.isna().to_numpy()
    if missing.any():
        raise StudyError(msg("weighting_missing_value", column=column),
                         **where(np.flatnonzero(missing)[0]), column=column,
                         key=f"weighting.margins.{column}",
                         expected=msg("weighting_missing_value_expected"))
    names = list(targets)
    unknown = ~text.isin(names).to_numpy()
    if unknown.any():
        level = text.iloc[np.flatnonzero(unknown)[0]]
        raise StudyError(msg("weighting_level_without_target", level=level),
                         **where(np.flatnonzero(unknown)[0]), column=column,
                         key=f"weighting.margins.{column}",
                         expected=msg("weighting_level_without_target_expected", level=level,
                                      column=column))
    absent = [lv for lv in names if lv not in set(text)]
    if absent:
        raise StudyError(msg("weighting_target_not_in_data", level=absent[0]), **where(None),
                         column=column, key=f"weighting.margins.{column}.{absent[0]}",
                         expected=msg("weighting_target_not_in_data_expected"))
    return text.map({lv: k for k, lv in enumerate(names)}).to_numpy(dtype=int)


def _level_text(value) -> str | None:
    """A margin column's value as the text of a level (``2.0`` -> ``"2"``; missing -> None)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _locator(frame: pd.DataFrame, file):
    """Where a row of the group is, for errors: the data file and the row's file row."""
    def where(position):
        row = None
        if position is not None and FILE_ROW in frame:
            row = int(frame[FILE_ROW].iloc[position])
        return {"file": file, "row": row}
    return where


def rake_and_trim(frame: pd.DataFrame, spec: Weighting, file=None) -> Design:
    """Raked (and trimmed) weights of one group's rows, scaled to mean 1.

    Parameters
    ----------
    frame : the group's rows (after the exclusions) with the margin columns.
    spec : the study's ``weighting:`` (margins as shares summing to 1, optional trim bounds).
    file : the group's data file, for error messages.

    Returns
    -------
    Design

    Notes
    -----
    Starting from weights 1, the rows are raked (:func:`rake`) to the population totals
    share × n. With ``trim: {min: a, max: b}``: rake → :func:`trim_weights` to
    [a w̄, b w̄] → rake again from the trimmed weights (``rake``, ``trimWeights(strict =
    FALSE)``, ``rake``), so the margins are met and the final weights may leave the bounds
    slightly. The weights are divided by their mean (which the targets already make 1).

    Raises
    ------
    StudyError for a margin column missing from the group, a missing value in it, a level in the
    data without a target, or a target level nobody in the data has.
    """
    where = _locator(frame, file)
    columns = list(spec.margins)
    levels = [_levels(frame, c, spec.margins[c], where) for c in columns]
    n = len(frame)
    totals = [np.array(list(spec.margins[c].values())) * n for c in columns]
    w, steps, cycles, converged, delta = rake(levels, totals, np.ones(n))
    stages = [steps]
    if spec.trim is not None:
        mean = w.mean()
        w = trim_weights(w, spec.trim[0] * mean, spec.trim[1] * mean)
        w, steps, more, converged_again, delta = rake(levels, totals, w)
        stages.append(steps)
        cycles, converged = cycles + more, converged and converged_again
    index = frame.index
    scale = w.mean()
    calibration = [[(c, pd.Series(lv, index=index), pd.Series(sw / scale, index=index))
                    for c, lv, sw in zip(columns, levels, stage)] for stage in stages]
    return Design(pd.Series(w / scale, index=index), calibration, cycles, converged, delta,
                  {c: dict(spec.margins[c]) for c in columns})


def design_from_column(frame: pd.DataFrame, column: str, file=None) -> Design:
    """Weights read from a data column, scaled to mean 1 (no calibration).

    Raises
    ------
    StudyError for a missing column, a missing or negative weight, or weights summing to 0.
    """
    where = _locator(frame, file)
    if column not in frame:
        raise StudyError(msg("weighting_column_missing", column=column), **where(None),
                         column=column, key="weighting.column",
                         expected=msg("weighting_column_expected"))
    w = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any() or w.sum() <= 0:
        first = int(np.flatnonzero(bad)[0]) if bad.any() else 0
        raise StudyError(msg("weighting_bad_weight", value=frame[column].iloc[first]),
                         **where(first), column=column, key="weighting.column",
                         expected=msg("weighting_bad_weight_expected"))
    return Design(pd.Series(w / w.mean(), index=frame.index), column=column)


def group_design(frame: pd.DataFrame, spec: Weighting, file=None) -> Design:
    """The weights of one group's rows as the study file asks (:func:`rake_and_trim` or
    :func:`design_from_column`)."""
    if spec.column is not None:
        return design_from_column(frame, spec.column, file)
    return rake_and_trim(frame, spec, file)


def with_weights(data: StudyData) -> StudyData:
    """The study with the weights of its ``weighting:`` group for every wave (``data.weights``).

    Computed once on the unfiltered rows kept after the exclusions; a study that already carries
    weights for every wave of the group whose rows cover the group's rows (a filtered view) is
    returned as it is.
    """
    spec = data.study.weighting
    if spec is None:
        return data
    keys = [key for key in data.groups if key[1] == spec.group]
    if keys and all(key in data.weights and data.groups[key].scored.index.isin(
            data.weights[key].weights.index).all() for key in keys):
        return data
    weights = {key: group_design(data.groups[key].scored, spec, data.groups[key].source.file)
               for key in keys}
    return replace(data, weights=weights)


def weight_summary(design: Design, frame: pd.DataFrame) -> dict:
    """The ``weighting.GROUP`` entry of results.json.

    Notes
    -----
    n rows; Kish's effective sample size :math:`n_{eff} = (\\sum w)^2/\\sum w^2`; design effect
    of weighting :math:`deff = n/n_{eff} = 1 + cv^2` with the coefficient of variation of the
    weights :math:`cv = sd(w)/\\bar w` (divisor n); min and max weight; raking cycles and
    convergence; per margin level the target share, the unweighted sample share and the weighted
    share.
    """
    w = design.weights.to_numpy(dtype=float)
    n = len(w)
    n_eff = w.sum() ** 2 / (w ** 2).sum() if n else None
    cv = w.std(ddof=0) / w.mean() if n else None
    margins = {}
    for column, targets in design.margins.items():
        text = frame[column].map(_level_text).reindex(design.weights.index)
        margins[column] = {level: {"target": share,
                                   "sample": float((text == level).mean()) if n else None,
                                   "weighted": float(w[(text == level).to_numpy()].sum() / w.sum())
                                   if n else None}
                           for level, share in targets.items()}
    return {"method": "column" if design.column else ("rake_trim" if len(design.calibration) > 1
                                                      else "rake"),
            "column": design.column, "n": n, "n_eff": n_eff,
            "deff": n / n_eff if n_eff else None, "cv": cv,
            "min": float(w.min()) if n else None, "max": float(w.max()) if n else None,
            "iterations": design.cycles, "converged": design.converged, "margins": margins,
            "warnings": [] if design.converged else [msg(
                "weighting_not_converged", group=design.weights.name or "",
                iterations=design.cycles, delta=f"{design.delta:.3g}")]}


def weighting_section(data: StudyData) -> dict:
    """The ``weighting`` block of results.json: ``{GROUP: summary}`` of the current wave
    (:func:`weight_summary`) on the rows analysed (a filtered view: its rows' weights)."""
    data = with_weights(data)
    spec = data.study.weighting
    key = (data.study.wave, spec.group)
    if key not in data.groups:
        return {}
    frame = data.groups[key].scored
    design = data.weights[key].restrict(frame.index)
    return {spec.group: weight_summary(replace(design, weights=design.weights.rename(spec.group)),
                                        frame)}
