"""The manager's customer list: every customer coloured by value and risk.

First Union's "Einstein" system (seed 002) showed the service staff each customer's colour on the
screen: green for customers who bring profit and deserve close care, red for those who do not.
Paired with the ABC classes (the 80/20 rule) and the satisfaction the customer reported, each
customer of the current wave gets

- a satisfaction category (:func:`satisfaction_category`): dissatisfied, neutral or satisfied;
- a status (:func:`customer_status`): **red** (high value and dissatisfied: act now), **amber**
  (high value, neutral), **green** (high value, satisfied), **grey** (not high value).

:func:`customer_list` builds the list of one group (one row per customer, red first), with the id,
the study's contact columns, segments, ABC class, value-matrix cell, lifecycle stage, scores, the
NPS answer and the loyalty-ladder level; :func:`customer_lists` does it for a loaded study.
:func:`customers_section` summarises the lists for results.json (counts only: no ids, no contact
columns); :func:`customer_table` and :func:`customers_csv` lay a list out for people
(``DIR/customers.csv``, the app's table and its xlsx export).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from analysis.i18n import t
from analysis.indices import check_nps_values, dimension_scores
from analysis.jsonready import json_ready
from analysis.ladder import ON_THRESHOLD, ladder_levels, respondent_stages, rung_scores
from analysis.report.safety import csv_cell
from analysis.report.tables import Column, Table
from analysis.segments import LIFECYCLE_STAGES, VALUE_CELLS, abc_labels, value_matrix
from surveys.errors import StudyError
from surveys.i18n import msg
from surveys.load import FILE_ROW, StudyData
from surveys.study import Ladder, StatusRules

__all__ = ["STATUSES", "CATEGORIES", "NPS_CATEGORIES", "DETRACTOR_MAX", "satisfaction_category",
           "nps_category", "customer_status", "high_value", "customer_list", "customer_lists",
           "customers_section", "customer_table", "customers_csv", "write_customers_csv",
           "CSV_NAME"]

#: statuses in the list's order
STATUSES = ("red", "amber", "green", "grey")
CATEGORIES = ("dissatisfied", "neutral", "satisfied")
NPS_CATEGORIES = ("detractor", "passive", "promoter")
#: the highest NPS answer of a detractor (0-6)
DETRACTOR_MAX = 6
CSV_NAME = "customers.csv"

#: the list's computed columns, in order, after the id, contact and segment columns
COMPUTED = ("abc_class", "value_cell", "stage", "revenue", "satisfaction", "loyalty", "nps",
            "nps_category", "category", "ladder_level", "status")
_HIGH_VALUE_CELLS = [cell for cell, (high_value, *_) in VALUE_CELLS.items() if high_value]


def _detractors(nps: pd.Series | None, index: pd.Index) -> np.ndarray:
    if nps is None:
        return np.zeros(len(index), dtype=bool)
    with np.errstate(invalid="ignore"):
        return pd.to_numeric(nps, errors="coerce").to_numpy(dtype=float) <= DETRACTOR_MAX


def satisfaction_category(score: pd.Series, nps: pd.Series | None = None, *,
                          dissatisfied_below: float = 3.0,
                          satisfied_from: float = 4.0) -> pd.Series:
    """Each customer's satisfaction category.

    Parameters
    ----------
    score : the satisfaction score (NaN = none).
    nps : the answer 0-10 to the recommendation question, aligned (optional; NaN = none).
    dissatisfied_below, satisfied_from : the thresholds of the score (``status:`` in the study).

    Returns
    -------
    Series of ``"dissatisfied"``, ``"neutral"`` or ``"satisfied"``, the index of ``score``.

    Notes
    -----
    Dissatisfied: :math:`s <` ``dissatisfied_below`` or an NPS detractor (answer 0-6).
    Satisfied: :math:`s \\ge` ``satisfied_from`` and not a detractor. Everything else is neutral,
    including a customer with neither a score nor an NPS answer. A score on a threshold counts
    as on it (within :data:`analysis.ladder.ON_THRESHOLD`): exactly 3 is not below 3, exactly 4
    is satisfied.
    """
    values = score.to_numpy(dtype=float)
    detractor = _detractors(nps, score.index)
    with np.errstate(invalid="ignore"):
        dissatisfied = (values < dissatisfied_below - ON_THRESHOLD) | detractor
        satisfied = (values >= satisfied_from - ON_THRESHOLD) & ~detractor
    return pd.Series(np.select([dissatisfied, satisfied], ["dissatisfied", "satisfied"],
                               default="neutral"), index=score.index, dtype="object")


def nps_category(nps: pd.Series) -> pd.Series:
    """Detractor (0-6), passive (7-8) or promoter (9-10) of each answer; None without one."""
    values = pd.to_numeric(nps, errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.select([values <= DETRACTOR_MAX, values <= 8, values <= 10], list(NPS_CATEGORIES),
                        default="")
    return pd.Series(out, index=nps.index, dtype="object").where(~np.isnan(values), None)


def customer_status(high: pd.Series, category: pd.Series) -> pd.Series:
    """Each customer's status: red (high value, dissatisfied), amber (high value, neutral), green
    (high value, satisfied) or grey (not high value, or unknown value).

    Parameters
    ----------
    high : whether the customer is of high value (missing = not known to be).
    category : :func:`satisfaction_category`, aligned with ``high``.
    """
    is_high = high.astype("object").where(high.notna(), False).to_numpy(dtype=bool)
    cats = category.to_numpy()
    return pd.Series(np.select(
        [~is_high, cats == "dissatisfied", cats == "neutral", cats == "satisfied"],
        ["grey", "red", "amber", "green"], default="grey"), index=category.index, dtype="object")


def high_value(frame: pd.DataFrame, *, value: str | None, revenue: str | None,
               growth: str | None = None, cutoffs: tuple[float, float] = (0.8, 0.95),
               split: str = "median") -> tuple[pd.Series, dict, dict]:
    """Who is of high value, by the study's rule.

    Parameters
    ----------
    frame : the customers.
    value : ``"abc"`` (class A is high value), ``"value_matrix"`` (the core and maintain cells
        of :func:`analysis.segments.value_matrix`) or None (no value column: every customer
        counts, the colours then follow satisfaction alone).
    revenue, growth : the value columns; cutoffs: the ABC cut-offs; split: the value matrix's.

    Returns
    -------
    (high, columns, rules)
        ``high``: bool per customer; ``columns``: the list's ``abc_class`` (with a revenue) and
        ``value_cell`` (with a growth column) per customer; ``rules``: the cuts used, for
        results.json.

    Notes
    -----
    A customer without a revenue has no ABC class, and one without a growth answer no value cell:
    neither is known to be of high value (grey).
    """
    index = frame.index
    columns, rules = {}, {}
    if revenue is not None:
        columns["abc_class"] = abc_labels(frame, revenue, cutoffs=cutoffs)
        if value == "abc":
            rules["abc_cutoffs"] = list(cutoffs)
    if revenue is not None and growth is not None:
        matrix = value_matrix(frame[revenue], frame[growth], split=split)
        columns["value_cell"] = matrix["cell"].reindex(index).astype("object").where(
            matrix["cell"].reindex(index).notna(), None)
        if value == "value_matrix":
            rules.update(value_split=split, value_cut=matrix.attrs["value_cut"])
    if value == "abc":
        high = columns["abc_class"] == "A"
    elif value == "value_matrix":
        high = columns["value_cell"].isin(_HIGH_VALUE_CELLS)
    else:
        high = pd.Series(True, index=index)
    return high.fillna(False).astype(bool), columns, rules


def _score_items(frame: pd.DataFrame, satisfaction, loyalty) -> tuple[str | None, list[str]]:
    """("satisfaction", items) when the frame has satisfaction items, else ("loyalty", items),
    else (None, [])."""
    for name, items in (("satisfaction", satisfaction), ("loyalty", loyalty)):
        present = [i for i in items or [] if i in frame.columns]
        if present:
            return name, present
    return None, []


def customer_list(
    frame: pd.DataFrame,
    *,
    ids: pd.Series,
    contact: list[str] | None = None,
    segments: list[str] | None = None,
    satisfaction: list[str] | None = None,
    loyalty: list[str] | None = None,
    nps: str | None = None,
    revenue: str | None = None,
    growth: str | None = None,
    lifecycle: str | None = None,
    cooperation_years: str | None = None,
    lifecycle_years: tuple[float, float] = (1.0, 3.0),
    cutoffs: tuple[float, float] = (0.8, 0.95),
    rules: StatusRules = StatusRules(),
    ladder: Ladder | None = None,
) -> pd.DataFrame:
    """The customer list of one group: one row per customer, red first.

    Parameters
    ----------
    frame : the group's customers (current wave, scored).
    ids : each customer's id, aligned with ``frame``.
    contact, segments : columns copied into the list (those the frame has).
    satisfaction, loyalty : item lists; the score is the mean of the satisfaction items the
        customer answered, with at least half answered
        (:func:`analysis.indices.dimension_scores`); without satisfaction items in the frame
        the loyalty items take their place.
    nps : the 0-10 recommendation column.
    revenue, growth, cutoffs : value columns and ABC cut-offs (see :func:`high_value`).
    lifecycle, cooperation_years, lifecycle_years : the lifecycle stage
        (:func:`analysis.ladder.respondent_stages`).
    rules : :class:`~surveys.study.StatusRules` (``value`` is ignored without a revenue column).
    ladder : the loyalty ladder, for each customer's level (when the frame has every rung).

    Returns
    -------
    DataFrame
        Columns ``id``, the contact and segment columns, then those of :data:`COMPUTED` that
        apply: ``abc_class``, ``value_cell``, ``stage``, ``revenue``, ``satisfaction``,
        ``loyalty`` (scores), ``nps`` (the answer), ``nps_category``, ``category``,
        ``ladder_level``, ``status``. ``attrs["rules"]``: the rules used (results.json).

    Notes
    -----
    Sorted by status (red, amber, green, grey), then by revenue, largest first, then by score,
    lowest first (missing values last in both), ties in the frame's order. Without a revenue
    column every customer counts as high value and the order within a status is by score.
    """
    index = frame.index
    value = rules.value if revenue is not None and revenue in frame.columns else None
    if revenue is not None and revenue not in frame.columns:
        revenue = None
    if growth is not None and growth not in frame.columns:
        growth = None
    if nps is not None and nps in frame.columns:
        check_nps_values(frame, nps)
    else:
        nps = None
    high, value_columns, value_rules = high_value(frame, value=value, revenue=revenue,
                                                  growth=growth, cutoffs=cutoffs)
    out = {"id": pd.Series(ids.to_numpy(), index=index)}
    for key, columns in (("contact", contact), ("segments", segments)):
        for column in columns or []:
            if column in ("id", "group", *COMPUTED):
                raise StudyError(msg("cust_column_reserved", column=column), key=key,
                                 column=column, expected=msg("cust_column_reserved_expected"))
            if column in frame.columns and column not in out:
                out[column] = frame[column]
    out.update(value_columns)
    stages = respondent_stages(frame, lifecycle=lifecycle, cooperation_years=cooperation_years,
                               lifecycle_years=lifecycle_years)
    if stages is not None:
        out["stage"] = stages
    if revenue is not None:
        out["revenue"] = pd.to_numeric(frame[revenue], errors="coerce").astype("float64")
    scores = {}
    for name, items in (("satisfaction", satisfaction), ("loyalty", loyalty)):
        present = [i for i in items or [] if i in frame.columns]
        if present:
            scores[name] = dimension_scores(frame, {name: present})[name]
    out.update(scores)
    score_name, score_items = _score_items(frame, satisfaction, loyalty)
    score = scores[score_name] if score_name else pd.Series(np.nan, index=index)
    nps_values = None
    if nps is not None:
        nps_values = pd.to_numeric(frame[nps], errors="coerce").astype("float64")
        out["nps"] = nps_values
        out["nps_category"] = nps_category(nps_values)
    out["category"] = satisfaction_category(
        score, nps_values, dissatisfied_below=rules.dissatisfied_below,
        satisfied_from=rules.satisfied_from)
    if ladder is not None and all(any(i in frame.columns for i in items)
                                  for items in ladder.rungs.values()):
        present = {r: [i for i in items if i in frame.columns]
                   for r, items in ladder.rungs.items()}
        out["ladder_level"] = ladder_levels(rung_scores(frame, present),
                                            ladder.reached_from).level
    out["status"] = customer_status(high, out["category"])
    table = pd.DataFrame(out, index=index)
    order = pd.DataFrame({
        "status": table["status"].map({s: k for k, s in enumerate(STATUSES)}).to_numpy(),
        "revenue": -table["revenue"].to_numpy() if "revenue" in table else 0.0,
        "score": score.to_numpy(dtype=float), "position": np.arange(len(table))})
    ranked = order.sort_values(["status", "revenue", "score", "position"], na_position="last")
    table = table.iloc[ranked.index.to_numpy()]
    table.attrs["rules"] = {
        "value": value, "value_column": revenue, **value_rules,
        "score": score_name, "score_items": score_items, "min_share": 0.5,
        "nps": nps, "detractor_max": DETRACTOR_MAX,
        "dissatisfied_below": rules.dissatisfied_below, "satisfied_from": rules.satisfied_from,
    }
    return table


def _id_column(data: StudyData, group: str, frame: pd.DataFrame) -> str:
    """The customers' id column: the study's ``id`` when the group has it, else the id the
    survey platform exports (问卷星's 序号, Qualtrics' ResponseId...), else the file's row."""
    study = data.study
    if study.id is not None and study.id in frame.columns:
        return study.id
    meta = data.groups[(study.wave, group)].table.meta_columns.get("id")
    return meta if meta is not None and meta in frame.columns else FILE_ROW


def customer_lists(data: StudyData) -> dict[str, pd.DataFrame]:
    """:func:`customer_list` of every group of the current wave that has satisfaction, loyalty or
    NPS answers, with the study's roles and rules (``status:`` or its defaults)."""
    s = data.study
    lists = {}
    for group, frame in data.frames().items():
        if _score_items(frame, s.satisfaction, s.loyalty)[0] is None and s.nps not in frame:
            continue
        ids = frame[_id_column(data, group, frame)]
        lists[group] = customer_list(
            frame, ids=ids, contact=s.contact, segments=s.segments, satisfaction=s.satisfaction,
            loyalty=s.loyalty, nps=s.nps, revenue=s.revenue, growth=s.growth,
            lifecycle=s.lifecycle, cooperation_years=s.cooperation_years, cutoffs=s.abc,
            rules=s.status or StatusRules(), ladder=s.ladder)
    return lists


def customers_section(lists: dict[str, pd.DataFrame]) -> dict:
    """The ``"customers"`` section of results.json: per group, the rules used, n and, per status,
    n, share of the customers and share of their revenue. No ids, no contact columns.

    Parameters
    ----------
    lists : group -> :func:`customer_list`.

    Returns
    -------
    dict
        ``{GROUP: {"rules", "n", "status": {STATUS: {"n", "share", "revenue_share"}},
        "category": {CATEGORY: {"n", "share"}}}}``; ``revenue_share`` is the status' revenue over
        the revenue of all listed customers (null without a revenue column or a zero total).
    """
    section = {}
    for group, table in lists.items():
        n = len(table)
        revenue = table["revenue"] if "revenue" in table else None
        total = float(revenue.sum()) if revenue is not None else 0.0
        status = {}
        for key in STATUSES:
            members = (table["status"] == key).to_numpy()
            status[key] = {
                "n": int(members.sum()), "share": members.sum() / n if n else None,
                "revenue_share": float(revenue[members].sum()) / total if total > 0 else None}
        category = {key: {"n": int((table["category"] == key).sum()),
                          "share": (table["category"] == key).sum() / n if n else None}
                    for key in CATEGORIES}
        section[group] = {"rules": table.attrs["rules"], "n": n, "status": status,
                          "category": category}
    return json_ready(section)


# ---------------------------------------------------------------- laid out for people

#: column -> kind of :data:`analysis.report.tables.KINDS` (other columns are text)
_KINDS = {"revenue": "num", "satisfaction": "num", "loyalty": "num", "nps": "int",
          "ladder_level": "int"}
#: label keys shared with the rest of the app (others are ``cust_col_COLUMN``)
_LABEL_KEYS = {"abc_class": "abc_class", "group": "group"}
#: computed column -> the label key of its values
_VALUE_LABELS = {"status": "status_", "category": "category_", "nps_category": "nps_cat_"}


def _cell_text(column: str, value, lang: str):
    """A computed column's value as people read it (codes translated); data values unchanged."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if column in _VALUE_LABELS:
        return t(_VALUE_LABELS[column] + value, lang)
    if column == "stage":
        return LIFECYCLE_STAGES[value][0 if lang == "zh" else 1]
    if column == "value_cell":
        return VALUE_CELLS[value][2 if lang == "zh" else 3]
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    return value


def customer_table(table: pd.DataFrame, lang: str = "zh",
                   name: Callable[[str], str] | None = None, *, title: str | None = None,
                   hide: list[str] | tuple = ()) -> Table:
    """A :func:`customer_list` as a report table (labels in ``lang``, codes translated).

    Parameters
    ----------
    table : the list.
    lang : "zh" or "en".
    name : display name of a data column (contact, segment, id column); default: the column.
    title : the table's title (default: the label ``customer_list``).
    hide : columns left out (e.g. the contact columns for a viewer who may not see them).
    """
    name = name or (lambda column: column)
    columns, labels = [], []
    for column in table.columns:
        if column in hide:
            continue
        columns.append(column)
        label = (t(_LABEL_KEYS.get(column, "cust_col_" + column), lang)
                 if column in ("id", "group", *COMPUTED) else name(column))
        kind = _KINDS.get(column, "text")
        if column == "id" and pd.api.types.is_numeric_dtype(table[column]):
            kind = "int"
        labels.append(Column(label, kind))
    rows = [[_cell_text(c, v, lang) for c, v in zip(columns, values)]
            for values in table[columns].itertuples(index=False, name=None)]
    rules = table.attrs.get("rules") or {}
    method = t("method_customer_list", lang,
               value=t("cust_value_" + (rules.get("value") or "none"), lang),
               low=f"{rules.get('dissatisfied_below', 3):g}",
               high=f"{rules.get('satisfied_from', 4):g}")
    return Table("customer_list", title or t("customer_list", lang), method,
                 f"n = {len(table)}", labels, rows)


def customers_csv(table: Table) -> bytes:
    """A report table as CSV for a spreadsheet: UTF-8 with a byte-order mark (so that Excel reads
    the Chinese), a header row of the labels, every text cell formula-safe
    (:func:`analysis.report.safety.csv_cell`), numbers at full precision."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(c.label) for c in table.columns])
    writer.writerows([csv_cell(v) for v in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def write_customers_csv(data: StudyData, out_dir: str | Path, lang: str = "zh") -> Path | None:
    """Write ``customers.csv`` into ``out_dir`` when the study asks for the customer list
    (``contact:`` or ``status:``); the lists of several groups are stacked with a group column
    in front. Returns the path, or None when there is no list."""
    study = data.study
    if not (study.contact or study.status):
        return None
    lists = customer_lists(data)
    if not lists:
        return None
    frame = next(iter(lists.values()))
    if len(lists) > 1:
        frame = pd.concat([part.assign(group=study.name(group, lang)) for group, part in
                           lists.items()], ignore_index=True)
        frame = frame[["group", *frame.columns.drop("group")]]
        frame.attrs = next(iter(lists.values())).attrs
    table = customer_table(frame, lang, lambda column: study.name(column, lang))
    path = Path(out_dir) / CSV_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(customers_csv(table))
    return path
