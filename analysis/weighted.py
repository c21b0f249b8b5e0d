"""Design-based (weighted) population estimates and their linearisation standard errors, as R
``survey`` computes them on a raked design.

With ``weighting:`` in the study file, the estimates that describe the customer base (dimension
and item means, top-/bottom-2-box shares, the 0-100 indices, NPS, the customer-vs-employee gaps,
IPA, the key drivers, the changes between waves) are weighted; every one gets its ``se`` by Taylor linearisation exactly as
``survey::svymean(na.rm = TRUE)`` (``svyratio``, ``svyglm``) on the design of
:mod:`analysis.weighting`: each row is its own primary sampling unit, the estimate's influence
values are freed of the raking margins (the calibration residuals of ``svyrecvar``) and
:math:`\\widehat{V} = \\frac{n}{n-1}\\sum_i (r_i - \\bar r)^2` over all n rows of the design. A
respondent who skipped the item stays in the design with influence 0 before the calibration
(``svymean``'s ``na.rm = TRUE`` on a calibrated design: the row's weight becomes 0, the row is
kept). Intervals are estimate ± z₀.₉₇₅ SE (``confint`` of an ``svystat``).

Reliability, validity and the structural model describe the instrument and stay unweighted.

The section functions (:func:`weighted_indices`, :func:`weighted_gaps`, :func:`weighted_ipa`,
:func:`weighted_drivers`, :func:`weighted_changes`) take a group's rows and its :class:`~analysis.weighting.Design` and
return the weighted entry; :func:`beside` puts the unweighted values under ``unweighted``.

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*, sections 2.2, 5.2 and 7.2.
Wiley. (R package ``survey`` 4.1.)
Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex surveys.
*International Statistical Review*, 51(3), 279-292.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special

from analysis.drivers import lmg, ols_drivers, relative_weights
from analysis.gaps import _z_change, adjust_pvalues
from analysis.indices import dimension_scores
from analysis.ipa import ipa_quadrants
from analysis.jsonready import json_ready
from analysis.weighting import Design

__all__ = ["RAKING_PASSES", "Arrays", "design_arrays", "unit_design", "calibrated_residuals",
           "design_variance", "ratio", "weighted_means", "weighted_sd", "weighted_score_table",
           "weighted_index", "weighted_nps", "weighted_regression", "weighted_indices",
           "weighted_gaps", "weighted_ipa", "weighted_drivers", "weighted_changes", "beside"]

#: passes over the margins when the influence values are freed of a raking (``svyrecvar`` does 10)
RAKING_PASSES = 10
_Z = special.ndtri(0.975)  # scipy.stats.norm.ppf(0.975)


@dataclass
class Arrays:
    """A design as arrays on the rows of one frame: weights and the raking steps
    (per step, per margin: each row's level code and the step weights)."""

    w: np.ndarray
    calibration: list[list[tuple[np.ndarray, np.ndarray]]]


def design_arrays(design: Design, index: pd.Index) -> Arrays:
    """The design's arrays on the rows ``index`` (all of them must have a weight)."""
    d = design.restrict(index)
    return Arrays(d.weights.to_numpy(dtype=float),
                  [[(lv.to_numpy(dtype=int), sw.to_numpy(dtype=float)) for _, lv, sw in step]
                   for step in d.calibration])


def unit_design(n: int) -> Arrays:
    """Equal weights, no calibration: ``svydesign(ids = ~1)`` of an unweighted group."""
    return Arrays(np.ones(n), [])


def calibrated_residuals(z: np.ndarray, calibration) -> np.ndarray:
    """Influence values freed of the raking margins, as ``survey:::svyrecvar`` does for a raked
    design.

    Parameters
    ----------
    z : n x k influence values (weighted, divided by the sum of the weights).
    calibration : the raking steps of :class:`Arrays`.

    Notes
    -----
    For each raking step in order, :data:`RAKING_PASSES` passes over its margins of
    :math:`z \\leftarrow z - g \\cdot \\mathrm{ave}_l(z/g)`, where g are the step weights of the
    margin and :math:`\\mathrm{ave}_l` is the plain mean over the rows of the same level. This is
    the backfitting of the regression of z/g on the margins' level indicators (Deville &
    Särndal 1992); ``survey`` stops after 10 passes and so does this function.
    """
    z = np.array(z, dtype=float, copy=True)
    k = z.shape[1]
    for step in calibration:
        # per margin, its levels' sizes and the (level, column) bin of every cell: the same in
        # every pass, so found once
        margins = [(codes, g, np.bincount(codes).astype(float),
                    (codes[:, None] * k + np.arange(k)).ravel()) for codes, g in step]
        for _ in range(RAKING_PASSES):
            for codes, g, counts, cells in margins:
                q = z / g[:, None]
                # the sums of every column per level in one bincount over the bins, each
                # summed in row order as a bincount per column would
                sums = np.bincount(cells, weights=q.ravel(), minlength=len(counts) * k)
                z = z - g[:, None] * (sums.reshape(len(counts), k) / counts[:, None])[codes]
    return z


def design_variance(z: np.ndarray, design: Arrays) -> np.ndarray:
    """Covariance matrix of estimates with influence values ``z`` (n x k): calibration
    residuals, then :math:`\\frac{n}{n-1}\\sum_i (r_i - \\bar r)(r_i - \\bar r)^\\top` over the
    n rows of the design (``svyrecvar`` with one row per PSU, no strata, no fpc)."""
    r = calibrated_residuals(np.atleast_2d(z.T).T if z.ndim == 1 else z, design.calibration)
    n = r.shape[0]
    if n < 2:
        return np.full((r.shape[1], r.shape[1]), np.nan)
    centred = r - r.mean(axis=0)
    return centred.T @ centred * n / (n - 1)


def ratio(numerator: np.ndarray, denominator: np.ndarray, design: Arrays
          ) -> tuple[np.ndarray, np.ndarray]:
    """Ratios of weighted totals :math:`\\hat R_j = \\sum_i w_i y_{ij} / \\sum_i w_i a_{ij}` and
    their influence values (n x k), as ``survey::svyratio``.

    Notes
    -----
    Influence :math:`z_{ij} = w_i (y_{ij} - \\hat R_j a_{ij}) / \\sum_i w_i a_{ij}`. A mean with
    missing answers is the ratio with y = the answer (0 when missing) and a = answered (1/0),
    which is ``svymean(na.rm = TRUE)``. NaN where nobody counts in the denominator.
    """
    w = design.w[:, None]
    total = (w * denominator).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (w * numerator).sum(axis=0) / total
        z = w * (numerator - r * denominator) / total
    return r, np.nan_to_num(z)


def weighted_means(values: np.ndarray, design: Arrays) -> tuple[np.ndarray, np.ndarray,
                                                                 np.ndarray]:
    """Weighted mean of each column on its answers, its SE, and its influence values.

    Parameters
    ----------
    values : n x k, NaN = missing.
    design : the design on the same rows.

    Returns
    -------
    (mean, se, influence); mean and se NaN for a column nobody answered.
    """
    values = np.asarray(values, dtype=float)
    answered = ~np.isnan(values)
    mean, z = ratio(np.where(answered, values, 0.0), answered.astype(float), design)
    se = np.sqrt(np.diag(design_variance(z, design)))
    return mean, np.where(answered.any(axis=0), se, np.nan), z


def weighted_sd(values: np.ndarray, design: Arrays) -> np.ndarray:
    """Weighted standard deviation of each column on its answers, as ``sqrt(svyvar(na.rm =
    TRUE))``: :math:`\\sqrt{\\frac{m}{m-1}\\sum w_i (x_i - \\bar x_w)^2 / \\sum w_i}` over the m
    answers (NaN when m < 2)."""
    values = np.asarray(values, dtype=float)
    answered = ~np.isnan(values)
    w = np.where(answered, design.w[:, None], 0.0)
    m = answered.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (w * np.where(answered, values, 0.0)).sum(axis=0) / w.sum(axis=0)
        sq = (w * np.where(answered, values - mean, 0.0) ** 2).sum(axis=0) / w.sum(axis=0)
        return np.where(m > 1, np.sqrt(sq * m / (m - 1)), np.nan)


def _interval(estimate, se) -> list:
    return [json_ready(estimate - _Z * se), json_ready(estimate + _Z * se)]


def weighted_score_table(frame: pd.DataFrame, dimensions: Mapping[str, Sequence[str]],
                         scale: tuple[float, float], design: Arrays,
                         min_share: float = 0.5) -> dict:
    """Weighted mean, SE, CI, sd, n and top-/bottom-2-box shares (with SEs) of every dimension
    and item: the weighted counterpart of :func:`analysis.indices.score_table`.

    Notes
    -----
    Item rows: weighted means of the answers (:func:`weighted_means`); top-2-box: the weighted
    mean of the indicator answer >= max − 1 over the answers (bottom: <= min + 1). Dimension rows:
    weighted means of the respondents' dimension scores (:func:`analysis.indices.dimension_scores`);
    a dimension's box shares pool the answers to its items, as unweighted: the ratio of the
    weighted count of top answers to the weighted count of answers (``svyratio``). ``n`` counts
    the respondents (answers) behind an estimate.
    """
    low, high = scale
    items = list(dict.fromkeys(i for its in dimensions.values() for i in its))
    x = frame[items].to_numpy(dtype=float)
    answered = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        top, bottom = (x >= high - 1) & answered, (x <= low + 1) & answered
    scores = dimension_scores(frame, dimensions, min_share).to_numpy(dtype=float)
    position = {item: j for j, item in enumerate(items)}
    pooled = lambda flags: np.column_stack([flags[:, [position[i] for i in its]].sum(axis=1)  # noqa: E731
                                           for its in dimensions.values()]).astype(float)
    out = {}
    for level, names, values, num_top, num_bottom, den in (
            ("dimensions", list(dimensions), scores, pooled(top), pooled(bottom),
             pooled(answered)),
            ("items", items, x, top.astype(float), bottom.astype(float), answered.astype(float))):
        mean, se, _ = weighted_means(values, design)
        sd = weighted_sd(values, design)
        t2, zt = ratio(num_top, den, design)
        b2, zb = ratio(num_bottom, den, design)
        t2_se = np.sqrt(np.diag(design_variance(zt, design)))
        b2_se = np.sqrt(np.diag(design_variance(zb, design)))
        n = (~np.isnan(values)).sum(axis=0)
        out[level] = {name: {"mean": json_ready(mean[j]), "se": json_ready(se[j]),
                             "sd": json_ready(sd[j]), "ci": _interval(mean[j], se[j]),
                             "n": int(n[j]), "top2": json_ready(t2[j]),
                             "top2_se": json_ready(t2_se[j]) if den[:, j].any() else None,
                             "bottom2": json_ready(b2[j]),
                             "bottom2_se": json_ready(b2_se[j]) if den[:, j].any() else None}
                      for j, name in enumerate(names)}
    return out


def weighted_index(frame: pd.DataFrame, items: Sequence[str], scale: tuple[float, float],
                   design: Arrays, weights: Mapping[str, float] | None = None) -> dict | None:
    """A 0-100 index of weighted item means with its linearisation SE.

    Notes
    -----
    :math:`I = \\sum_i c_i (\\bar x_{w,i} - \\min)`, :math:`c_i = 100\\,w_i / (\\sum w\\,(\\max -
    \\min))` (as :func:`analysis.indices.satisfaction_index`, item weights held fixed, items
    nobody answered left out); influence :math:`\\sum_i c_i z_i` of the item means' influences
    (each item on its answers), hence ``svycontrast`` of ``svyratio`` of the items.
    """
    items = [i for i in items if i in frame]
    if not items:
        return None
    low, high = scale
    x = frame[items].to_numpy(dtype=float)
    w = np.array([1.0 if weights is None else weights.get(i, np.nan) for i in items])
    keep = (~np.isnan(x)).any(axis=0) & ~np.isnan(w)
    x, w = x[:, keep], w[keep]
    n = int((~np.isnan(x)).any(axis=1).sum())
    if not keep.any() or w.sum() <= 0:
        return {"value": None, "se": None, "ci": [None, None], "ci_method": "linearization",
                "n": n}
    coef = w / w.sum() * 100 / (high - low)
    mean, _, z = weighted_means(x, design)
    value = float((coef * (mean - low)).sum())
    se = float(np.sqrt(design_variance(z @ coef, design)[0, 0]))
    return {"value": value, "se": json_ready(se), "ci": _interval(value, se),
            "ci_method": "linearization", "n": n}


def weighted_nps(values: pd.Series, design: Arrays) -> dict:
    """Weighted NPS: the weighted mean of +100 (promoter, 9-10), −100 (detractor, 0-6) and 0
    over the answers, with its SE (``svymean(na.rm = TRUE)``); weighted shares; counts as
    answered."""
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    answered = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        kind = np.column_stack([np.where(x >= 9, 100.0, np.where(x <= 6, -100.0, 0.0)),
                                x >= 9, (x >= 7) & (x <= 8), x <= 6]).astype(float)
    kind[~answered] = np.nan
    mean, se, _ = weighted_means(kind, design)
    counts = [int(np.nansum(kind[:, j])) for j in (1, 2, 3)]
    return {"score": json_ready(mean[0]), "se": json_ready(se[0]), "ci": _interval(mean[0], se[0]),
            "n": int(answered.sum()), "promoters": counts[0], "passives": counts[1],
            "detractors": counts[2],
            "shares": {"promoters": json_ready(mean[1]), "passives": json_ready(mean[2]),
                       "detractors": json_ready(mean[3])}}


def _mirrored(x: np.ndarray, w: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """Rows ±sqrt(w/2)(x − x̄_w): plain (unweighted) correlations and least squares of these rows
    are the weighted ones of x (their mean is 0 and their cross-products Σ w (x − x̄_w)(x − x̄_w)ᵀ),
    so that the unweighted relative weights, LMG and VIF of :mod:`analysis.drivers`, which
    depend on the correlations only, give their weighted values."""
    centred = (x - np.average(x, axis=0, weights=w)) * np.sqrt(w / 2)[:, None]
    return pd.DataFrame(np.vstack([centred, -centred]), columns=columns)


def weighted_regression(y: np.ndarray, x: np.ndarray, design: Arrays) -> dict:
    """Design-weighted least squares with linearisation SEs, as ``survey::svyglm`` (gaussian).

    Parameters
    ----------
    y : n outcome values; x : n x p predictors (NaN = missing; complete cases are used, the
    other rows stay in the design).

    Returns
    -------
    dict with ``n`` (complete cases), ``b`` (intercept first), ``se``, ``t``, ``p``, ``df``
    (complete cases − p − 1, ``svyglm``'s residual df), ``vcov``, ``r2`` (weighted), ``f`` and
    ``p_f`` (Wald test of all slopes, F = W/p on (p, df)).

    Notes
    -----
    With the weights scaled to mean 1 over the design, :math:`\\hat\\beta = (X^\\top W X)^{-1}
    X^\\top W y` on the complete cases; influence :math:`x_i e_i w_i (X^\\top W X)^{-1}` (0 for the
    other rows), calibration residuals and the variance of :func:`design_variance`.
    """
    complete = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    w = design.w / design.w.mean()
    X = np.column_stack([np.ones(complete.sum()), x[complete]])
    wc, yc = w[complete], y[complete]
    m, p = X.shape
    xtwx = X.T @ (X * wc[:, None])
    a_inv = np.linalg.inv(xtwx)
    b = a_inv @ (X.T @ (wc * yc))
    resid = yc - X @ b
    estfun = np.zeros((len(y), p))
    estfun[complete] = X * (resid * wc)[:, None]
    vcov = design_variance(estfun @ a_inv, design)
    se = np.sqrt(np.diag(vcov))
    df = m - p
    t = b / se
    pv = 2 * special.stdtr(df, -np.abs(t))  # scipy.stats.t.sf(|t|, df)
    ybar = np.average(yc, weights=wc)
    r2 = 1 - (wc * resid ** 2).sum() / (wc * (yc - ybar) ** 2).sum()
    slopes = b[1:]
    wald = float(slopes @ np.linalg.solve(vcov[1:, 1:], slopes))
    f = wald / (p - 1)
    return {"n": int(m), "b": b, "se": se, "t": t, "p": pv, "df": df, "vcov": vcov,
            "r2": float(r2), "f": f, "p_f": float(special.fdtrc(p - 1, df, f))}


# ------------------------------------------------------------------------------ sections
def beside(weighted: dict, unweighted: dict, n_eff: float | None = None) -> dict:
    """The unweighted entry with the weighted values in place of the keys they have and the
    unweighted values of those keys under ``unweighted``; ``weighted: true`` and ``n_eff``."""
    out = {**unweighted, **weighted,
           "unweighted": {k: unweighted[k] for k in weighted if k in unweighted},
           "weighted": True}
    if n_eff is not None:
        out["n_eff"] = n_eff
    return out


def _kish(w: np.ndarray) -> float:
    return float(w.sum() ** 2 / (w ** 2).sum())


def _importance_weights(frame: pd.DataFrame, importance: Mapping[str, str], items: list[str],
                        dimensions: Mapping[str, Sequence[str]], design: Arrays
                        ) -> dict[str, float] | None:
    """Index item weights from the weighted mean ratings of the importance questions: given per
    item, or per dimension and spread equally over its items (the rule of the unweighted CSI)."""
    targets = {t: c for t, c in importance.items() if c in frame}
    if not targets:
        return None
    means, _, _ = weighted_means(frame[list(targets.values())].to_numpy(dtype=float), design)
    given = dict(zip(targets, means))
    if any(i in given for i in items):
        return {i: given[i] for i in items if i in given}
    spread = {}
    for dim, its in dimensions.items():
        own = [i for i in its if i in items]
        if dim in given and own:
            spread.update({i: given[dim] / len(own) for i in own})
    return spread or None


def weighted_indices(frame: pd.DataFrame, design: Arrays, unweighted: dict, *,
                     dimensions: Mapping[str, Sequence[str]], scale: tuple[float, float],
                     satisfaction: Sequence[str] = (), loyalty: Sequence[str] = (),
                     nps: str | None = None, importance: Mapping[str, str] | None = None,
                     weights="equal", **_) -> dict:
    """A group's ``indices`` entry with weighted dimensions, items, indices and NPS beside the
    unweighted ones (:func:`beside`). The CSI keeps the unweighted entry's item weights, except
    with ``weights: importance``, whose weights come from the weighted importance means. The
    segment breakdowns and C = b/a stay unweighted."""
    present = {d: its for d, its in dimensions.items() if set(its) <= set(frame.columns)}
    entry = weighted_score_table(frame, present, scale, design)
    items = list(entry["items"])
    csi_weights = (unweighted.get("csi") or {}).get("weights")
    if weights == "importance" and importance:
        csi_weights = _importance_weights(frame, importance, items, present, design) \
            or csi_weights
    csi = weighted_index(frame, items, scale, design, csi_weights)
    if csi is not None:
        used = {i: v for i, v in (csi_weights or {i: 1.0 for i in items}).items()
                if i in items and v is not None}
        total = sum(used.values())
        csi["weights"] = {i: json_ready(v / total) for i, v in used.items()}
    entry["csi"] = csi
    for name, its in (("satisfaction_index", satisfaction), ("loyalty_index", loyalty)):
        entry[name] = weighted_index(frame, list(its), scale, design) if its else None
    entry["nps"] = weighted_nps(frame[nps], design) if nps and nps in frame else None
    return beside(entry, unweighted, _kish(design.w))


def _gap_rows(a: np.ndarray, b: np.ndarray, names: list[str], design_a: Arrays,
              design_b: Arrays, level: str, adjust: str, alpha: float) -> list[dict]:
    mean_a, se_a, _ = weighted_means(a, design_a)
    mean_b, se_b, _ = weighted_means(b, design_b)
    diff, se = mean_a - mean_b, np.hypot(se_a, se_b)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(se > 0, diff / se, np.nan)
    p = 2 * special.ndtr(-np.abs(z))  # scipy.stats.norm.sf(|z|)
    p_adj = adjust_pvalues(p, adjust)
    rows = []
    for j, name in enumerate(names):
        rows.append({"level": level, "name": name, "n_a": int((~np.isnan(a[:, j])).sum()),
                     "n_b": int((~np.isnan(b[:, j])).sum()), "mean_a": json_ready(mean_a[j]),
                     "mean_b": json_ready(mean_b[j]), "diff": json_ready(diff[j]),
                     "se_a": json_ready(se_a[j]), "se_b": json_ready(se_b[j]),
                     "se": json_ready(se[j]), "ci": _interval(diff[j], se[j]),
                     "z": json_ready(z[j]), "p": json_ready(p[j]), "p_adj": json_ready(p_adj[j]),
                     "test": "z_design",
                     "flag": None if np.isnan(p_adj[j]) else bool(mean_b[j] > mean_a[j]
                                                                   and p_adj[j] < alpha)})
    return rows


def weighted_gaps(a: pd.DataFrame, b: pd.DataFrame, design_a: Arrays, design_b: Arrays,
                  unweighted_rows: list[dict], *, dimensions: Mapping[str, Sequence[str]],
                  adjust: str = "holm", alpha: float = 0.05, min_share: float = 0.5) -> list[dict]:
    """Gap rows (A − B, dimensions then items) from the two groups' weighted means, each with
    its unweighted row under ``unweighted``.

    Notes
    -----
    :math:`diff = \\bar x_{w,A} - \\bar x_{w,B}` (a group without weights: its plain mean, as
    ``svymean`` on an equal-probability design), :math:`SE = \\sqrt{SE_A^2 + SE_B^2}` (independent
    samples), z = diff / SE with a two-sided normal p, adjusted (Holm by default) across the
    dimension rows and across the item rows; ``flag`` when B is higher and the adjusted p is
    below ``alpha``, as unweighted.
    """
    items = list(dict.fromkeys(i for its in dimensions.values() for i in its))
    dims = list(dimensions)
    rows = (_gap_rows(dimension_scores(a, dimensions, min_share).to_numpy(),
                      dimension_scores(b, dimensions, min_share).to_numpy(), dims,
                      design_a, design_b, "dimension", adjust, alpha)
            + _gap_rows(a[items].to_numpy(dtype=float), b[items].to_numpy(dtype=float), items,
                        design_a, design_b, "item", adjust, alpha))
    old = {(r["level"], r["name"]): r for r in unweighted_rows}
    return [{**row, "unweighted": old.get((row["level"], row["name"]))} for row in rows]


def weighted_ipa(frame: pd.DataFrame, design: Arrays, unweighted: dict, *,
                 dimensions: Mapping[str, Sequence[str]], importance=None, satisfaction=None,
                 method: str = "stated", split: str = "mean", **_) -> dict:
    """A group's IPA with weighted performance (and stated importance, or the weighted
    correlation with satisfaction), quadrants placed on those; the unweighted entry under
    ``unweighted``. Points get ``performance_se`` (and ``importance_se`` when stated)."""
    names = [p["name"] for p in unweighted["points"]]
    scores = dimension_scores(frame, {n: dimensions[n] for n in names if n in dimensions})
    points = pd.DataFrame({n: scores[n] if n in scores else frame[n].astype(float)
                           for n in names}, index=frame.index)
    perf, perf_se, _ = weighted_means(points.to_numpy(dtype=float), design)
    imp_se = np.full(len(names), np.nan)
    if method == "stated":
        imp, imp_se, _ = weighted_means(frame[[importance[n] for n in names]].to_numpy(float),
                                        design)
    else:
        outcome = frame[list(satisfaction)].mean(axis=1).to_numpy(dtype=float)
        imp = np.array([_weighted_correlation(points[n].to_numpy(float), outcome, design.w)
                        for n in names])
    table = ipa_quadrants(pd.Series(imp, index=names), pd.Series(perf, index=names),
                          split=split, diagonal_scale="raw" if method == "stated" else "z")
    table["n"] = points.notna().sum()
    table["performance_se"] = perf_se
    table["importance_se"] = imp_se
    entry = {"importance_center": table.attrs["importance_center"],
             "performance_center": table.attrs["performance_center"],
             "points": [{"name": n, **row} for n, row in table.to_dict("index").items()]}
    return beside(json_ready(entry), unweighted, _kish(design.w))


def _weighted_correlation(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Weighted Pearson correlation over the rows with both values."""
    both = ~np.isnan(x) & ~np.isnan(y)
    if both.sum() < 3:
        return np.nan
    c = np.cov(x[both], y[both], aweights=w[both])
    return float(c[0, 1] / np.sqrt(c[0, 0] * c[1, 1])) if c[0, 0] > 0 and c[1, 1] > 0 else np.nan


def weighted_drivers(frame: pd.DataFrame, design: Arrays, unweighted: dict, *,
                     dimensions: Mapping[str, Sequence[str]], satisfaction: Sequence[str],
                     loyalty: Sequence[str] | None = None, **_) -> dict:
    """A group's key-driver models weighted: coefficients and SEs as ``svyglm``
    (:func:`weighted_regression`), standardized betas, VIFs, relative weights and LMG from the
    weighted correlations (:func:`_mirrored`); each model's unweighted values under
    ``unweighted``."""
    present = {d: its for d, its in dimensions.items() if set(its) <= set(frame.columns)}
    scores = dimension_scores(frame, present)
    x = scores.to_numpy(dtype=float)
    names = list(scores.columns)
    out = {}
    for outcome, model in unweighted.items():
        items = model["outcome_items"]
        y = frame[list(items)].mean(axis=1).to_numpy(dtype=float)
        complete = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
        if model.get("r2") is None or complete.sum() < len(names) + 2:
            out[outcome] = model  # not estimable unweighted (its warnings say why): not weighted
            continue
        fit = weighted_regression(y, x, design)
        mirror = _mirrored(np.column_stack([x[complete], y[complete]]), design.w[complete],
                           [*names, "\0outcome"])
        ols = ols_drivers(mirror, "\0outcome", names)
        table = (ols.coefficients[["beta", "vif"]]
                 .join(relative_weights(mirror, "\0outcome", names))
                 .join(lmg(mirror, "\0outcome", names)))
        predictors = [{"name": n, "b": fit["b"][j + 1], "se": fit["se"][j + 1],
                       "t": fit["t"][j + 1], "p": fit["p"][j + 1], **table.loc[n].to_dict()}
                      for j, n in enumerate(names)]
        p = len(names)
        weighted = {"n": fit["n"], "r2": fit["r2"],
                    "adj_r2": 1 - (1 - fit["r2"]) * (fit["n"] - 1) / fit["df"],
                    "f": fit["f"], "df_model": float(p), "df_resid": float(fit["df"]),
                    "p": fit["p_f"], "intercept": fit["b"][0], "intercept_se": fit["se"][0],
                    "predictors": predictors, "test": "svyglm"}
        out[outcome] = beside(json_ready(weighted), model, _kish(design.w))
    return out


def weighted_changes(by_wave: Mapping[str, dict], unweighted_rows: list[dict],
                     confidence: float = 0.95) -> list[dict]:
    """Changes between consecutive waves of one group's weighted indices entries
    (:func:`weighted_indices` per wave), each with its unweighted row under ``unweighted``.

    Notes
    -----
    Waves are independent samples, each weighted to the same targets: for a dimension mean, an
    index or NPS, diff = later − earlier, z = diff / √(se₁² + se₂²) with the design-based se's,
    a two-sided normal p and the interval diff ± z₀.₉₇₅ √(se₁² + se₂²) (``test`` = ``z``).
    """
    old = {(r["from"], r["to"], r["index"], r["name"]): r for r in unweighted_rows}
    waves = list(by_wave)
    rows = []
    for w0, w1 in zip(waves, waves[1:]):
        e0, e1 = by_wave[w0], by_wave[w1]
        pairs = [("dimension", d, e0["dimensions"][d]["mean"], e1["dimensions"][d]["mean"],
                  e0["dimensions"][d]["se"], e1["dimensions"][d]["se"])
                 for d in e0["dimensions"] if d in e1["dimensions"]]
        pairs += [(name, name, e0[name]["value"], e1[name]["value"], e0[name]["se"],
                   e1[name]["se"]) for name in ("csi", "satisfaction_index", "loyalty_index")
                  if e0.get(name) and e1.get(name)]
        if e0.get("nps") and e1.get("nps"):
            pairs.append(("nps", "nps", e0["nps"]["score"], e1["nps"]["score"], e0["nps"]["se"],
                          e1["nps"]["se"]))
        for index, name, before, after, se0, se1 in pairs:
            values = [np.nan if v is None else v for v in (before, after, se0, se1)]
            row = {"from": w0, "to": w1, **_z_change(index, name, *values, confidence)}
            rows.append({**row, "weighted": True,
                         "unweighted": old.get((w0, w1, index, name))})
    return rows
