"""Minimum sample sizes: below them a statistic is not reported.

With a handful of respondents, reliability and factor statistics are noise with a number attached
(two respondents give Cronbach's alpha 0.000 with the Feldt interval [-9.0, 0.999]). A dimension
whose reliability rests on fewer than ``max(MIN_N, k + 2)`` respondents (k its items), and a group
whose validity (KMO, Bartlett, EFA, CFA) rests on fewer than ``max(MIN_N, k + 2)`` respondents
(k all dimension items), is therefore reported without its statistics: they are ``null`` in
results.json, and the entry's warnings are replaced by the one warning ``below_minimum_n`` (value:
how many answered; threshold: how many are needed), which the app shows as one plain sentence.

``MIN_N = 10`` is a floor, not a recommendation: alpha's sampling error at n = 10 is still large
(Feldt's interval for alpha = .80 with 4 items is [.47, .94]), and a CFA wants 100 or more;
the Feldt interval and the warnings say so above the floor. ``k + 2`` is the smallest n for which
the item covariance matrix can be of full rank with one degree of freedom left for the total.

The same floor holds for the statistics that rest on correlations between respondents: a
key-driver model with p predictors needs ``max(MIN_N, p + 2)`` complete cases (one residual degree
of freedom at least), and an importance-performance analysis with derived importance (each
dimension's correlation with overall satisfaction) ``MIN_N`` respondents; below them the model's
numbers, or the derived importances and quadrants, are ``null`` with the one warning
``below_minimum_n``. Means (dimension scores, indices, stated importance) are still reported.
"""
from __future__ import annotations

from typing import Any

__all__ = ["MIN_N", "needed", "reliability_minimum", "validity_too_few", "below_minimum",
           "drivers_minimum", "ipa_minimum", "section_minimum"]

MIN_N = 10
_KEPT = ("k", "n", "n_complete", "missing", "alpha_ci_method")


def needed(k: int) -> int:
    """The fewest respondents for statistics over ``k`` items: ``max(MIN_N, k + 2)``."""
    return max(MIN_N, int(k) + 2)


def below_minimum(n: int, k: int, dimension: str | None = None) -> dict:
    """The one warning of an entry below the minimum (shape of the other warnings)."""
    return {"code": "below_minimum_n", "dimension": dimension, "item": None, "value": int(n),
            "threshold": needed(k)}


def _nulled(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _nulled(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nulled(v) for v in value]
    return None if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def reliability_minimum(section: dict) -> dict:
    """The reliability section with every dimension below the minimum reported without its
    statistics: alpha, its interval, standardized alpha, omega, lambda6, split-half and the items'
    corrected item-total r and alpha-if-deleted become None (the items' n, mean and sd stay)."""
    out = {}
    for group, dimensions in section.items():
        out[group] = {}
        for dimension, entry in dimensions.items():
            if entry["n"] >= needed(entry["k"]):
                out[group][dimension] = entry
                continue
            small = {key: (value if key in _KEPT else _nulled(value))
                     for key, value in entry.items() if key not in ("items", "warnings")}
            small["items"] = {item: {**row, "citc": None, "alpha_if_deleted": None}
                              for item, row in entry["items"].items()}
            small["warnings"] = [below_minimum(entry["n"], entry["k"], dimension)]
            out[group][dimension] = small
    return out


def validity_too_few(n: int, items: list[str], rotation: str = "oblimin") -> dict:
    """A group's validity entry when too few answered: no KMO, Bartlett, EFA or CFA."""
    return {"kmo": None, "kmo_items": {item: None for item in items},
            "bartlett": {"chi2": None, "df": None, "p": None},
            "efa": {"n_factors": None, "rotation": rotation, "loadings": {}, "converged": None},
            "warnings": [below_minimum(n, len(items))], "cfa": None}


def drivers_minimum(section: dict) -> dict:
    """The drivers section with every model on fewer than ``needed(p)`` complete cases (p its
    predictors) reported without its statistics: every number but ``n`` becomes None (the
    predictors keep their names), the warnings the one ``below_minimum_n``."""
    out = {}
    for group, models in section.items():
        out[group] = {}
        for outcome, model in models.items():
            k, n = len(model.get("predictors") or []), int(model.get("n") or 0)
            if n >= needed(k):
                out[group][outcome] = model
                continue
            small = {key: (value if key == "n" else _nulled(value))
                     for key, value in model.items() if key != "warnings"}
            small["warnings"] = [below_minimum(n, k)]
            out[group][outcome] = small
    return out


_IPA_DERIVED = ("importance", "quadrant", "quadrant_zh", "quadrant_en", "priority",
                "above_diagonal", "importance_se")


def ipa_minimum(section: dict) -> dict:
    """The ipa section with derived importance (correlations with satisfaction) left out for a
    group with fewer than ``MIN_N`` respondents: importances, quadrants and the importance centre
    become None (in a weighted entry's ``unweighted`` too), performances stay; the warnings the
    one ``below_minimum_n``. Stated importance (a mean) is kept."""
    out = {}
    for group, entry in section.items():
        n = max([int(p.get("n") or 0) for p in entry.get("points") or []], default=0)
        if entry.get("method") == "stated" or n >= needed(0):
            out[group] = entry
            continue
        out[group] = {**_without_importance(entry), "warnings": [below_minimum(n, 0)]}
    return out


def _without_importance(entry: dict) -> dict:
    small = {**entry, "importance_center": None,
             "points": [{**p, **{key: None for key in _IPA_DERIVED if key in p}}
                        for p in entry.get("points") or []]}
    if isinstance(entry.get("unweighted"), dict):
        small["unweighted"] = _without_importance(entry["unweighted"])
    return small


def section_minimum(key: str, section: Any) -> Any:
    """A results.json section with the minimum sample sizes applied (drivers and ipa; the others
    as they are). Applied after the weighted estimates, so that those are left out too."""
    if not section:
        return section
    rule = {"drivers": drivers_minimum, "ipa": ipa_minimum}.get(key)
    return section if rule is None else rule(section)
