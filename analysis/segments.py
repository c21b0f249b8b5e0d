"""Customer segments: ABC classification by revenue, the customer value matrix, lifecycle stages,
and how satisfied and loyal each segment is ("do our A customers feel like A customers?").

- :func:`abc_classes` -- sorted cumulative revenue share and classes A / B / C at cut-offs.
- :func:`pareto_points` -- the Pareto (cumulative share) curve, thinned for charts.
- :func:`value_matrix` -- current value x growth potential, four cells.
- :func:`lifecycle_stage` -- 考察 / 形成 / 稳定 / 退化 from a stage column or cooperation years.
- :func:`segment_profile` -- n, satisfaction, loyalty, NPS and dimension means per segment.

:func:`segments_section` builds the ``"segments"`` section of results.json.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.indices import _nps, check_nps_values, respondent_scores
from analysis.ipa import _center, _high
from analysis.jsonready import json_ready
from analysis.moments import Counts, Responses, as_responses
from analysis.table_moments import TableResponses
from surveys.errors import Location, StudyError
from surveys.i18n import Text, msg

__all__ = [
    "ABC_CLASSES", "ABC_COLUMN", "VALUE_CELLS", "LIFECYCLE_STAGES", "abc_classes", "abc_labels",
    "pareto_points", "pareto_ranks",
    "value_matrix", "lifecycle_stage", "segment_profile", "segments_section",
]

ABC_CLASSES = ("A", "B", "C")
#: the column holding each customer's ABC class of the whole wave, when the caller added it
#: (:func:`analysis.pipeline.with_abc_class`, done by the app before its filters)
ABC_COLUMN = "abc_class"

#: Value-matrix cell id -> (high current value?, high growth potential?, zh, en).
VALUE_CELLS = {
    "core": (True, True, "核心客户", "core customers"),
    "maintain": (True, False, "维持客户", "customers to maintain"),
    "develop": (False, True, "潜力客户", "customers to develop"),
    "marginal": (False, False, "边缘客户", "marginal customers"),
}

#: Lifecycle stage id -> (zh, en) and the spellings accepted in a stage column.
LIFECYCLE_STAGES = {
    "exploration": ("考察", "exploration"),
    "formation": ("形成", "formation"),
    "stability": ("稳定", "stability"),
    "decline": ("退化", "decline"),
}
_STAGE_SPELLINGS = {
    spelling: stage
    for stage, (zh, en) in LIFECYCLE_STAGES.items()
    for spelling in (stage, en, zh, zh + "期", zh + "阶段")
}

#: Relative tolerance when comparing a cumulative share with a cut-off.
_ON_CUTOFF = 1e-12


def _rows(values: pd.Series, mask) -> list:
    """Row names for messages: the Series' index values where ``mask`` holds."""
    return [json_ready(r) for r in values.index[np.asarray(mask)]]


def _named_rows(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column indexed by the file's row numbers (``_file_row``) when the frame has them, so
    that messages name rows as the file shows them; a unique index in any case."""
    values = frame[column]
    if "_file_row" in frame.columns:
        values = values.set_axis(frame["_file_row"])
    return values if values.index.is_unique else values.reset_index(drop=True)


def _raise_rows(message: Text, rows: list, column: str, expected: Text):
    raise StudyError(message, row=rows[0], column=column, expected=expected,
                     more=[Location(row=r, column=column) for r in rows[1:]])


def _check_cutoffs(cutoffs) -> tuple[float, float]:
    a, b = (float(c) for c in cutoffs)
    if not 0 < a < b <= 1:
        raise StudyError(msg("abc_cutoffs", a=a, b=b), key="abc", expected=msg("abc_cutoffs_expected"))
    return a, b


def abc_classes(revenue: pd.Series, *, cutoffs: tuple[float, float] = (0.8, 0.95)) -> pd.DataFrame:
    """ABC classes of customers by their share of the total revenue.

    Parameters
    ----------
    revenue : revenue (or purchase amount) per customer, >= 0; NaN = unknown (left out).
    cutoffs : cumulative revenue shares closing class A and class B (default 0.8 and 0.95).

    Returns
    -------
    DataFrame
        The customers with a revenue, sorted by revenue descending (ties in their original
        order), with ``revenue``, ``rank`` (1 = largest), ``share`` (of the total),
        ``cum_share`` (cumulative share up to and including the customer), ``cum_customers``
        (share of customers up to and including the customer) and ``class``. ``attrs``:
        ``total``, ``n_missing``.

    Notes
    -----
    Customers are sorted by revenue, largest first. A customer belongs to class A when the
    cumulative share *before* it is below the A cut-off: the customers up to the one whose
    revenue reaches or crosses 80% are A, so a customer ending exactly on 80% is A, and the
    customer that crosses the line joins the higher class. Likewise for B; the rest are C.
    Customers with equal revenue always share a class: the class of the first of them (the
    tie group takes the higher class). Comparisons allow 1e-12 (absolute, on shares) for rounding.
    Zero total revenue leaves ``class`` missing.

    References
    ----------
    Dickie, H. F. (1951). ABC inventory analysis shoots for dollars, not pennies. Factory
    Management and Maintenance, 109(7), 92-94.
    """
    a, b = _check_cutoffs(cutoffs)
    values = pd.to_numeric(revenue, errors="coerce").astype("float64")
    negative = values < 0
    if negative.any():
        _raise_rows(msg("revenue_negative", n=int(negative.sum())),
                    _rows(revenue, negative), str(revenue.name), msg("revenue_negative_expected"))
    known = values.dropna()
    order = np.argsort(-known.to_numpy(), kind="stable")
    table = pd.DataFrame({"revenue": known.iloc[order]})
    total = float(table["revenue"].sum())
    n = len(table)
    table["rank"] = np.arange(1, n + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share"] = table["revenue"] / total
    cum = table["revenue"].cumsum() / total if total > 0 else table["revenue"] * np.nan
    before = cum.shift(1, fill_value=0.0)
    # a tie group takes the cumulative share before its first member
    before = before.groupby(table["revenue"].to_numpy()).transform("min")
    table["cum_share"] = cum
    table["cum_customers"] = table["rank"] / n
    table["class"] = np.select(
        [before < a - _ON_CUTOFF, before < b - _ON_CUTOFF], ["A", "B"], default="C")
    table["class"] = table["class"].where(cum.notna())
    table.attrs.update(total=total, n_missing=int(values.isna().sum()))
    return table


def abc_labels(frame: pd.DataFrame, revenue: str, *,
               cutoffs: tuple[float, float] = (0.8, 0.95)) -> pd.Series:
    """Each row's ABC class (missing without a revenue), aligned with ``frame``: the frame's
    :data:`ABC_COLUMN` when present (the classes of the whole wave, so that a key account stays one
    under a filter), else :func:`abc_classes` of the frame's ``revenue`` column."""
    if ABC_COLUMN in frame.columns:
        classes = frame[ABC_COLUMN]
    else:
        values = _named_rows(frame, revenue)
        classes = abc_classes(values, cutoffs=cutoffs)["class"].reindex(values.index)
    classes = pd.Series(classes.to_numpy(), index=frame.index, dtype="object")
    return classes.where(classes.notna(), None)


def pareto_points(table: pd.DataFrame, *, max_points: int = 500) -> pd.DataFrame:
    """The Pareto curve of an :func:`abc_classes` table, at most about ``max_points`` rows.

    Parameters
    ----------
    table : result of :func:`abc_classes`.
    max_points : thin larger tables to evenly spaced ranks; the first and last customer and the
        last customer of each class are always kept.

    Returns
    -------
    DataFrame with ``rank``, ``cum_customers``, ``revenue``, ``cum_share`` and ``class``.
    """
    classes = table["class"].to_numpy()
    ends = np.flatnonzero(classes[:-1] != classes[1:]) + 1
    keep = np.isin(table["rank"].to_numpy(), pareto_ranks(len(table), ends, max_points))
    return table.loc[keep, ["rank", "cum_customers", "revenue", "cum_share", "class"]]


def pareto_ranks(n: int, class_ends, max_points: int = 500) -> np.ndarray:
    """The ranks (1 = largest revenue) the Pareto curve of ``n`` customers shows: ``min(n,
    max_points)`` evenly spaced ranks (``round(linspace(1, n, m))``, the first and the last
    customer among them), and the last customer of each class (``class_ends``, ranks); at most
    ``max_points`` + 3 points."""
    spaced = np.linspace(0, n - 1, min(n, max_points)).round().astype(int) + 1
    return np.unique(np.concatenate([spaced, np.asarray(class_ends, dtype=int),
                                     [n] if n else []]).astype(int))


def _abc_of_rows(responses: Responses, revenue: str, cutoffs: tuple[float, float],
                 max_points: int) -> tuple[dict, list, pd.Series, dict]:
    """The ABC figures of :func:`segments_section` from the rows: (``n``, ``n_missing`` and
    ``total_revenue``; the Pareto curve's points; each row's class; class -> ``revenue``,
    ``revenue_share``, ``customer_share``)."""
    frame = responses.frame
    rev = _named_rows(frame, revenue)
    table = abc_classes(rev, cutoffs=cutoffs)
    labels = pd.Series(table["class"].reindex(rev.index).to_numpy(), index=frame.index)
    figures = {}
    for cls in ABC_CLASSES:
        members = table[table["class"] == cls]
        figures[cls] = dict(revenue=float(members["revenue"].sum()),
                            revenue_share=members["share"].sum() if len(table) else np.nan,
                            customer_share=len(members) / len(table) if len(table) else np.nan)
    abc = {"n": len(table), "n_missing": table.attrs["n_missing"],
           "total_revenue": table.attrs["total"]}
    return abc, pareto_points(table, max_points=max_points).to_dict("records"), labels, figures


def _abc_in_engine(responses: TableResponses, revenue: str, cutoffs: tuple[float, float],
                   max_points: int) -> tuple[dict, list, pd.Series, dict, dict]:
    """:func:`_abc_of_rows` for a group read from a table, in the engine: a window over the
    distinct revenues, largest first, gives each its class (that of :func:`abc_classes`:
    equal revenues share the class of the first of them, so the row order does not matter)
    and the classes' customers and revenue; a second query the points of the Pareto curve at
    :func:`pareto_ranks`. Each row brought back gets the class of its revenue (the classes are
    ranges of revenue: A from the lowest revenue of class A up); the last item returned is
    class -> that lowest revenue, from which the engine gives its rows their class."""
    totals = responses.ranked_totals(revenue)
    n, total = int(totals["n"]), float(totals["total"] or 0.0)
    abc = {"n": n, "n_missing": int(totals["rows"]) - n, "total_revenue": total}
    share = (lambda x: x / total) if total > 0 else (lambda x: np.nan)
    empty = dict(revenue=0.0, revenue_share=0.0 if n else np.nan,
                 customer_share=0.0 if n else np.nan)
    if not total > 0:  # every revenue 0: no classes, the curve's ranks at revenue 0 (the rows')
        pareto = [{"rank": int(rank), "cum_customers": int(rank) / n, "revenue": 0.0,
                   "cum_share": np.nan, "class": None} for rank in pareto_ranks(n, [], max_points)]
        return abc, pareto, pd.Series(None, index=responses.frame.index, dtype="object"), \
            {cls: empty for cls in ABC_CLASSES}, {}
    a, b = cutoffs
    bounds = (a - _ON_CUTOFF, b - _ON_CUTOFF), ABC_CLASSES
    classes = responses.ranked_classes(revenue, total, *bounds)
    figures = {cls: dict(revenue=float(classes.at[cls, "sum"]),
                         revenue_share=share(float(classes.at[cls, "sum"])),
                         customer_share=int(classes.at[cls, "n"]) / n)
               if cls in classes.index else empty for cls in ABC_CLASSES}
    ends = [int(last) for last in classes["last"] if int(last) < n]
    points = responses.ranked_points(revenue, total, *bounds,
                                     pareto_ranks(n, ends, max_points))
    pareto = [{"rank": int(rank), "cum_customers": int(rank) / n, "revenue": float(value),
               "cum_share": share(float(cum)), "class": cls}
              for rank, value, cum, cls in zip(points["rank"], points["value"], points["cum_sum"],
                                               points["class"])]
    values = pd.to_numeric(responses.frame[revenue], errors="coerce")
    lowest = classes["lowest"].reindex(list(ABC_CLASSES))
    labels = pd.Series(np.select([values >= lowest[c] for c in ABC_CLASSES if pd.notna(lowest[c])],
                                 [c for c in ABC_CLASSES if pd.notna(lowest[c])], default=""),
                       index=responses.frame.index, dtype="object")
    return abc, pareto, labels.where(values.notna() & (labels != ""), None), figures, \
        lowest.dropna().to_dict()


def _class_expression(revenue, lowest: dict):
    """The ABC class as an Ibis expression of the revenue column: the first class whose lowest
    revenue (``lowest``, from :func:`_abc_in_engine`) it reaches."""
    import ibis

    return ibis.cases(*[(revenue.cast("float64") >= low, c) for c, low in lowest.items()])


def _value_cuts_in_engine(scores: TableResponses, revenue: str, growth: str, split: str):
    """The value matrix's cuts (the engine's median or mean of each axis over the customers
    with both), their number, and each row's cell as a function of the engine table; (None,
    None, None) when no customer has both."""
    import ibis

    table = scores.table
    both = table.filter(table[revenue].notnull() & table[growth].notnull())
    value, rate = both[revenue].cast("float64"), both[growth].cast("float64")
    centre = (lambda x: x.median()) if split == "median" else (lambda x: x.mean())
    found = scores.one_row(both, n=both.count(), value=centre(value), growth=centre(rate))
    if not found["n"]:
        return None, None, None
    cuts = float(found["value"]), float(found["growth"])

    def cell(t):
        high = (_high(t[revenue].cast("float64"), cuts[0]),
                _high(t[growth].cast("float64"), cuts[1]))
        return ibis.cases(*[((high[0] == hv) & (high[1] == hg), name)
                            for name, (hv, hg, _, _) in VALUE_CELLS.items()])
    return cuts, int(found["n"]), cell


def _stage_expression(column, *, stage=None, years=None, breaks=(1.0, 3.0)):
    """:func:`lifecycle_stage` as an Ibis expression of the engine table's ``column``: the
    stage column's spellings, or the years against the breaks (``stage`` / ``years`` only say
    which, as in :func:`lifecycle_stage`)."""
    import ibis

    if stage is not None:
        text = column.cast("string").strip().lower()
        return ibis.cases(*[(text.isin([k for k, v in _STAGE_SPELLINGS.items() if v == name]),
                             name) for name in LIFECYCLE_STAGES])
    low, high = (float(b) for b in breaks)
    value = column.cast("float64")
    return ibis.cases((value < low, "exploration"), (value < high, "formation"),
                      (value >= high, "stability"))


def value_matrix(value: pd.Series, growth: pd.Series, *, split: str = "median",
                 cuts: tuple[float, float] | None = None) -> pd.DataFrame:
    """Customer value matrix: current value x growth potential.

    Parameters
    ----------
    value : current value per customer (e.g. revenue).
    growth : growth potential per customer (e.g. purchase intention, forecast), aligned.
    split : ``"median"`` (default) or ``"mean"`` of each axis over the customers with both.
    cuts : the (value, growth) cuts, when they were computed elsewhere (by a database over the
        whole table, the rows being a sample of it); else from ``split``.

    Returns
    -------
    DataFrame
        Per customer with both values: ``value``, ``growth``, ``high_value``, ``high_growth`` and
        ``cell`` (``core``, ``maintain``, ``develop``, ``marginal``; see ``VALUE_CELLS``).
        ``attrs``: ``value_cut``, ``growth_cut``.

    Notes
    -----
    High means at or above the cut (a customer exactly on the median goes to the higher side,
    as in IPA). Core = high value and high growth, maintain = high value and low growth,
    develop = low value and high growth, marginal = low on both.
    """
    table = pd.DataFrame({"value": pd.to_numeric(value, errors="coerce"),
                          "growth": pd.to_numeric(growth, errors="coerce")},
                         dtype="float64").dropna()
    value_cut, growth_cut = cuts if cuts is not None else \
        (_center(table["value"], split), _center(table["growth"], split))
    table["high_value"] = _high(table["value"], value_cut)
    table["high_growth"] = _high(table["growth"], growth_cut)
    table["cell"] = np.select(
        [(table["high_value"] == hv) & (table["high_growth"] == hg)
         for hv, hg, _, _ in VALUE_CELLS.values()],
        list(VALUE_CELLS), default="")
    table.attrs.update(value_cut=value_cut, growth_cut=growth_cut)
    return table


def lifecycle_stage(
    *, stage: pd.Series | None = None, years: pd.Series | None = None,
    breaks: tuple[float, float] = (1.0, 3.0),
) -> pd.Series:
    """Lifecycle stage of each customer: exploration 考察, formation 形成, stability 稳定,
    decline 退化.

    Parameters
    ----------
    stage : a declared stage column; accepted spellings per stage are the id, the English name,
        the Chinese name and the Chinese name + 期 / 阶段 (e.g. ``稳定期``). Other values raise
        StudyError naming the rows.
    years : years of cooperation (used when ``stage`` is not given), >= 0.
    breaks : year limits (default 1 and 3) between exploration / formation / stability.

    Returns
    -------
    Series of stage ids (missing where the input is missing).

    Notes
    -----
    From cooperation years *y*: :math:`y < 1` exploration (考察, the customer is still testing
    the relationship), :math:`1 \\le y < 3` formation (形成), :math:`y \\ge 3` stability (稳定); a
    customer exactly on a break goes to the later stage. Decline (退化) is a change of behaviour
    (falling orders, intention to leave), which cooperation years cannot show: it is only ever
    assigned from a declared stage column.

    References
    ----------
    Dwyer, F. R., Schurr, P. H., & Oh, S. (1987). Developing buyer-seller relationships.
    Journal of Marketing, 51(2), 11-27.
    """
    if stage is not None:
        text = stage.astype("string").str.strip().str.lower()
        mapped = text.map(_STAGE_SPELLINGS)
        unknown = text.notna() & mapped.isna()
        if unknown.any():
            _raise_rows(msg("lifecycle_unknown", n=int(unknown.sum()),
                            example=repr(stage[unknown].iloc[0])), _rows(stage, unknown),
                        str(stage.name), msg("lifecycle_unknown_expected"))
        return mapped.astype("object").where(mapped.notna(), None)
    if years is None:
        raise ValueError("either stage or years is needed")
    low, high = (float(b) for b in breaks)
    values = pd.to_numeric(years, errors="coerce").astype("float64")
    negative = values < 0
    if negative.any():
        _raise_rows(msg("years_negative", n=int(negative.sum())),
                    _rows(years, negative), str(years.name), msg("years_negative_expected"))
    stages = np.select([values < low, values < high, values >= high],
                       ["exploration", "formation", "stability"], default="")
    return pd.Series(stages, index=years.index, dtype="object").where(values.notna(), None)


def _mean_entries(part: Responses | None, columns: list[str]) -> dict:
    """Column -> mean, standard deviation (divisor n - 1) and answers of one segment, from its
    moments."""
    if part is None:
        return {c: {"mean": np.nan, "sd": np.nan, "n": 0} for c in columns}
    moments = part.moments(columns)
    return {c: {"mean": moments.mean[i], "sd": np.sqrt(moments.variance[i]),
                "n": int(moments.count[i])} for i, c in enumerate(columns)}


def segment_profile(
    labels: pd.Series, order: list, scores: pd.DataFrame, *, nps_values: pd.Series | None = None,
    min_n: int = 5,
) -> dict:
    """How each segment rates the company.

    Parameters
    ----------
    labels : segment of each respondent (missing = in no segment).
    order : the segments to report, in order (segments without respondents get ``n`` 0).
    scores : respondent scores to average per segment, one column each (e.g. satisfaction,
        loyalty and dimension scores), aligned with ``labels``, or their
        :class:`~analysis.moments.Responses` (means and standard deviations from the moments:
        exact sums for whole-number answers, :mod:`analysis.moments`).
    nps_values : answers 0-10 to the recommendation question, aligned (optional).
    min_n : segments with fewer respondents are marked ``small`` (still reported).

    Returns
    -------
    dict
        segment -> ``{"n", "small", "scores": {COLUMN: {"mean", "sd", "n"}}, "nps": {"score",
        "se", "ci", "n"}}`` (``nps`` only with ``nps_values``).
    """
    scores = as_responses(scores)
    answers = None if nps_values is None else Responses(pd.DataFrame(
        {"nps": pd.to_numeric(nps_values).to_numpy(np.float64)})).split(labels)
    return _profile(scores.split(labels), answers, "nps", order, list(scores.columns), min_n)


def _profile(parts: dict, answers: dict | None, nps: str | None, order: list,
             columns: list[str], min_n: int) -> dict:
    """:func:`segment_profile` from the segments' :class:`~analysis.moments.Responses`
    (``parts``, the scores' moments) and those holding the ``nps`` answers (``answers``; value
    counts), either of the rows or of an engine (one query per segment)."""
    profile = {}
    for segment in order:
        part = parts.get(segment)
        n = 0 if part is None else len(part)
        entry = {"n": n, "small": bool(n < min_n), "scores": _mean_entries(part, columns)}
        if answers is not None:
            counted = answers[segment].counts(nps) if segment in answers else \
                Counts(np.zeros(0), np.zeros(0, np.int64))
            result = _nps(counted)
            entry["nps"] = {"score": result.score, "se": result.se,
                            "ci": [result.ci_low, result.ci_high], "n": result.n}
        profile[segment] = entry
    return profile


def _respondent_scores(responses: Responses, dimensions, satisfaction, loyalty
                       ) -> tuple[Responses, list[str]]:
    """Satisfaction, loyalty and dimension scores per respondent (outcomes first), as
    :class:`~analysis.moments.Responses` (an engine's, for a group read from a table), and
    the score columns in that order."""
    outcomes = {name: items for name, items in (("satisfaction", satisfaction),
                                                ("loyalty", loyalty))
                if items and set(items) <= set(responses.columns)}
    scores = respondent_scores(responses, dimensions, outcomes)
    return scores, [*outcomes, *(c for c in scores.columns if c not in outcomes)]


def segments_section(
    frames: dict[str, pd.DataFrame],
    *,
    dimensions: dict[str, list[str]],
    satisfaction: list[str] | None = None,
    loyalty: list[str] | None = None,
    nps: str | None = None,
    revenue: str | None = None,
    growth: str | None = None,
    lifecycle: str | None = None,
    cooperation_years: str | None = None,
    cutoffs: tuple[float, float] = (0.8, 0.95),
    min_n: int = 5,
    lifecycle_years: tuple[float, float] = (1.0, 3.0),
    value_split: str = "median",
    max_pareto_points: int = 500,
) -> dict:
    """The ``"segments"`` section of results.json: ABC classes, value matrix and lifecycle stages
    with each segment's satisfaction, loyalty and NPS.

    Parameters
    ----------
    frames : group name -> DataFrame (one row per customer for the customer group), or its
        :class:`~analysis.moments.Responses`. For a group read from a table
        (:class:`~analysis.table_moments.TableResponses`) everything comes from the engine:
        the ABC classes, their revenue and shares and the Pareto curve
        (:func:`_abc_in_engine`), the value matrix's cuts (:func:`_value_cuts_in_engine`), and
        every segment's profile, grouped by the segment as an expression of the row.
    dimensions : dimension -> item columns (dimension score = mean of the answered items).
    satisfaction, loyalty : item lists; their per-respondent means are profiled per segment.
    nps : the 0-10 recommendation column (checked: whole numbers 0-10).
    revenue : revenue column for the ABC classes and the value axis of the value matrix.
    growth : growth-potential column for the value matrix (needs ``revenue``).
    lifecycle : a stage column; else ``cooperation_years`` (see :func:`lifecycle_stage`).
    cutoffs : ABC cut-offs of the cumulative revenue share (default 0.8, 0.95).
    min_n : segments with fewer respondents are marked ``"small": true``.
    lifecycle_years : the year breaks of :func:`lifecycle_stage`.
    value_split : ``"median"`` or ``"mean"`` cut of both value-matrix axes.
    max_pareto_points : thinning of the Pareto curve.

    Returns
    -------
    dict
        ``{GROUP: {"abc": {...}, "value_matrix": {...}, "lifecycle": {...}}}`` for each group
        holding at least one of the declared columns; see docs/json/drivers.md for every key.
    """
    cutoffs = _check_cutoffs(cutoffs)
    section = {}
    for group, data in frames.items():
        responses = as_responses(data)
        frame = responses.frame
        entry = {}
        scores, columns = _respondent_scores(responses, dimensions, satisfaction, loyalty)
        nps_values = None
        if nps and nps in frame.columns:
            check_nps_values(frame, nps)
            nps_values = pd.to_numeric(frame[nps], errors="coerce")

        in_engine = isinstance(responses, TableResponses)

        def profile(labels, order, expression=None):
            """Each segment's profile: grouped in the engine by ``expression`` (a function of
            the engine table giving the segment) for a table group, else from the rows."""
            if not in_engine or expression is None:
                return segment_profile(labels, order, scores.frame[columns],
                                       nps_values=nps_values, min_n=min_n)
            parts = scores.with_labels("_segment", expression(scores.table), labels) \
                .split(labels.rename("_segment"))
            return _profile(parts, parts if nps_values is not None else None, nps, order,
                            columns, min_n)

        if revenue and revenue in frame.columns:
            if in_engine:
                abc, pareto, labels, figures, lowest = _abc_in_engine(
                    responses, revenue, cutoffs, max_pareto_points)
                classes = profile(labels, list(ABC_CLASSES),
                                  (lambda t: _class_expression(t[revenue], lowest))
                                  if lowest else None)
            else:
                abc, pareto, labels, figures = _abc_of_rows(responses, revenue, cutoffs,
                                                            max_pareto_points)
                classes = profile(labels, list(ABC_CLASSES))
            for cls, info in classes.items():
                info.update(figures[cls])
            entry["abc"] = {"cutoffs": list(cutoffs), **abc, "classes": classes,
                            "pareto": pareto}
            if growth and growth in frame.columns:
                cuts, n, expression = _value_cuts_in_engine(scores, revenue, growth,
                                                            value_split) if in_engine \
                    else (None, None, None)
                matrix = value_matrix(frame[revenue], frame[growth], split=value_split,
                                      cuts=cuts)
                cells = profile(matrix["cell"].reindex(frame.index), list(VALUE_CELLS),
                                expression)
                for cell, info in cells.items():
                    high_value, high_growth, zh, en = VALUE_CELLS[cell]
                    info.update(label_zh=zh, label_en=en, high_value=high_value,
                                high_growth=high_growth)
                entry["value_matrix"] = {
                    "split": value_split, "value_cut": matrix.attrs["value_cut"],
                    "growth_cut": matrix.attrs["growth_cut"],
                    "n": len(matrix) if n is None else n, "cells": cells,
                }
        source = (("stage", lifecycle) if lifecycle and lifecycle in frame.columns else
                  ("cooperation_years", cooperation_years)
                  if cooperation_years and cooperation_years in frame.columns else None)
        if source:
            column = _named_rows(frame, source[1])
            kwargs = ({"stage": column} if source[0] == "stage"
                      else {"years": column, "breaks": lifecycle_years})
            stages_of = lifecycle_stage(**kwargs).set_axis(frame.index)
            stages = profile(stages_of, list(LIFECYCLE_STAGES),
                             (lambda t: _stage_expression(t[source[1]], **kwargs))
                             if in_engine else None)
            for stage, info in stages.items():
                zh, en = LIFECYCLE_STAGES[stage]
                info.update(label_zh=zh, label_en=en)
            entry["lifecycle"] = {
                "source": source[0], "column": source[1],
                "years_breaks": list(lifecycle_years) if source[0] == "cooperation_years" else None,
                "n": sum(info["n"] for info in stages.values()), "stages": stages,
            }
        if entry:
            section[group] = entry
    return json_ready(section)
