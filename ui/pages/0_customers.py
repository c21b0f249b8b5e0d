"""Customer list (manager): every customer of the current wave coloured by value and risk, red
(key accounts who answered as dissatisfied) first; filters by status, ABC class, segment and
lifecycle stage, a search by id or name, and an xlsx export. Contact columns only when
:func:`ui.customers.contacts_visible` allows them."""
import pandas as pd
import streamlit as st

from analysis.customers import STATUSES, customer_table
from analysis.i18n import t
from analysis.segments import ABC_CLASSES, LIFECYCLE_STAGES
from ui.customers import (STATUS_QUERY, contacts_visible, filter_list, lists_for, status_label,
                          status_pills)
from ui.setup import escape_markdown, page, pct, pick_group, tr

ctx = page("page_customers", "customers_caption")
if ctx is None:
    st.stop()
section = ctx.results.get("customers") or {}
if not section:
    st.info(tr("customers_none"))
    st.stop()
study = ctx.data.study
group = pick_group(ctx, list(section), key="cust_group")
entry = section[group]
table = lists_for(ctx)[group]

# the dashboard's link opens the list on one status (?status=red), once
wanted = st.query_params.get(STATUS_QUERY)
if wanted in STATUSES:
    st.session_state["cust_status"] = [wanted]
    del st.query_params[STATUS_QUERY]

for column, status in zip(st.columns(len(STATUSES)), STATUSES):
    cell = entry["status"][status]
    column.metric(status_label(status, ctx.lang, mark=True), cell["n"],
                  help=tr(f"status_{status}_meaning"),
                  border=True)
    column.caption(tr("cust_card_caption", share=pct(cell["share"], 0),
                      revenue=pct(cell["revenue_share"], 0)))
rules = entry["rules"]
st.caption(escape_markdown(tr("method_customer_list",
                              value=tr("cust_value_" + (rules.get("value") or "none")),
                              low=f"{rules['dissatisfied_below']:g}",
                              high=f"{rules['satisfied_from']:g}")))

hidden = [] if contacts_visible() else [c for c in study.contact if c in table]
name = lambda column: study.name(column, ctx.lang)  # noqa: E731
filters = [("status", tr("cust_col_status"), list(STATUSES),
            lambda status: status_label(status, ctx.lang))]
if "abc_class" in table:
    filters.append(("abc_class", tr("abc_class"), list(ABC_CLASSES), str))
filters += [(column, escape_markdown(name(column)),
             sorted(table[column].dropna().unique().tolist(), key=str), str)
            for column in study.segments if column in table]
if "stage" in table:
    present = set(table["stage"].dropna())
    filters.append(("stage", tr("cust_col_stage"), [s for s in LIFECYCLE_STAGES if s in present],
                    lambda stage: t(f"stage_{stage}", ctx.lang)))
choices = {}
for box, (column, label, options, label_of) in zip(st.columns(len(filters)), filters):
    choices[column] = box.multiselect(label, options, format_func=label_of, key=f"cust_{column}",
                                      placeholder=tr("all"))
searchable = ["id", *(c for c in study.contact if c in table and c not in hidden)]
search = st.text_input(tr("cust_search"), key="cust_search",
                       placeholder=tr("cust_search_id" if hidden else "cust_search_placeholder"))
shown = filter_list(table, choices, search, searchable)
st.caption(tr("cust_shown", n=len(shown), total=len(table)))
if hidden:
    st.caption(tr("cust_contacts_hidden"))
if shown.empty:
    st.info(tr("nothing_to_show"))
    st.stop()

# on screen and in the export, what a manager acts on comes first: status, who, why, value
front = ["status", "id", *study.contact, "category", "satisfaction", "loyalty", "nps",
         "nps_category", "ladder_level", "revenue", "abc_class"]
ordered = shown[[c for c in front if c in shown] + [c for c in shown if c not in front]]
ordered.attrs = shown.attrs
report = customer_table(ordered, ctx.lang, name, hide=hidden)
frame = pd.DataFrame(report.rows, columns=[c.label for c in report.columns])
status_column = tr("cust_col_status")
for column in report.columns:
    if column.kind == "text":  # a blank, not "None", where a customer left a text empty
        frame[column.label] = frame[column.label].fillna("")
formats = {"num": "%.2f", "int": "%d"}
config = {c.label: st.column_config.NumberColumn(format=formats[c.kind])
          for c in report.columns if c.kind in formats}
frame[status_column], config[status_column] = status_pills(frame[status_column], ctx.lang)
st.dataframe(frame, hide_index=True, width="stretch", column_config=config,
             height=min(38 + 35 * len(frame), 700))


def _workbook() -> bytes:
    """The list as a workbook, made when the button is clicked (openpyxl imported then)."""
    from analysis.report.excel import table_workbook

    return table_workbook(report, ctx.lang)


st.download_button(tr("cust_download_xlsx"), _workbook,  # on click
                   file_name=f"customers_{ctx.wave}.xlsx", key="cust_xlsx", on_click="ignore",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
