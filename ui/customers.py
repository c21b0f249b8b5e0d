"""The Customer list page's logic (``ui/pages/0_customers.py``) and the dashboard's line about
the red customers.

The list itself never enters results.json: it is built here from the study data the page sees
(the sidebar's wave and filters, as :func:`ui.setup.results_for` sees them) by
:func:`analysis.customers.customer_lists`, so its counts are those of ``results["customers"]``.
Whether contact columns are shown is decided in one place, :func:`contacts_visible`.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from analysis.customers import customer_lists
from analysis.i18n import t
from surveys.load import StudyData
from ui import auth
from ui.setup import Context, at_wave, escape_markdown, pct, tr, with_abc_every_wave

__all__ = ["PAGE", "STATUS_QUERY", "STATUS_MARKS", "STATUS_COLORS", "contacts_visible",
           "lists_for", "filter_list", "status_label", "status_pills", "dashboard_line"]

#: the page's file, as app.py registers it (for links to it)
PAGE = "ui/pages/0_customers.py"
#: the query parameter that opens the page filtered on one status (``?status=red``)
STATUS_QUERY = "status"
#: Streamlit Markdown colours of the statuses (for labels that are Markdown)
STATUS_MARKS = {"red": ":red[●]", "amber": ":orange[●]", "green": ":green[●]",
                "grey": ":gray[●]"}
#: light backgrounds of the status cells
STATUS_COLORS = {"red": "#F6CFC4", "amber": "#FBE3B5", "green": "#CDEBD9", "grey": "#ECECEC"}


def contacts_visible() -> bool:
    """Whether the person using the app may see the customers' contact columns (the study's
    ``contact:``: organisation, person, phone) on the Customer list page and in its export.

    The one place this is decided: editors only (:func:`ui.auth.is_editor`). With a login
    configured (``.streamlit/secrets.toml``, README "Access"), a viewer never sees them and can
    search the list by id only. Without a login, everyone counts as an editor (the app on one's
    own computer), so everyone sees them, as before the login existed.
    """
    return auth.is_editor()


@st.cache_data(show_spinner=False, max_entries=16)
def _lists(fingerprint: str, wave: str, filters: str, _data: StudyData) -> dict[str, pd.DataFrame]:
    return customer_lists(_data)


def lists_for(ctx: Context) -> dict[str, pd.DataFrame]:
    """The customer lists of the study as the page sees it: the sidebar's wave and filters, the
    ABC class of the whole wave (as :func:`ui.setup.results_for` computes the results)."""
    data = with_abc_every_wave(at_wave(ctx.data, ctx.wave)).filtered(ctx.filters)
    return _lists(ctx.data.fingerprint, ctx.wave, str(sorted(ctx.filters.items())), data)


def filter_list(table: pd.DataFrame, choices: dict[str, list], search: str = "",
                search_in: list[str] | tuple = ("id",)) -> pd.DataFrame:
    """The rows of a customer list whose column values are among the chosen ones (an empty
    choice: no filter on that column) and, with ``search``, whose id or a ``search_in`` column
    contains it (case-insensitive)."""
    keep = pd.Series(True, index=table.index)
    for column, values in choices.items():
        if values and column in table:
            keep &= table[column].isin(values)
    search = search.strip().casefold()
    if search:
        found = pd.Series(False, index=table.index)
        for column in search_in:
            if column in table:
                found |= table[column].astype("string").str.casefold().str.contains(
                    search, regex=False).fillna(False)
        keep &= found
    return table[keep.to_numpy()]


def dashboard_line(ctx: Context, group: str | None) -> None:
    """The dashboard's line "N key accounts (X% of revenue) answered as dissatisfied", with a
    link to the red rows of the Customer list; nothing when the study has no customer list."""
    section = ctx.results.get("customers") or {}
    entry = section.get(group) if group in section else next(iter(section.values()), None)
    if not entry:
        return
    red = entry["status"]["red"]
    if not red["n"]:
        st.success(tr("dash_no_red"))
        return
    if entry["rules"].get("value"):
        text = tr("dash_red_accounts", n=red["n"], share=pct(red["revenue_share"], 0))
    else:
        text = tr("dash_red_customers", n=red["n"])
    st.warning(escape_markdown(text), icon=":material/priority_high:")
    try:
        st.page_link(PAGE, label=tr("dash_red_link"), icon=":material/contact_phone:",
                     query_params={STATUS_QUERY: "red"})
    except StreamlitPageNotFoundError:  # the dashboard run on its own, without app.py's pages
        pass


def status_pills(labels: pd.Series, lang: str) -> tuple[pd.Series, dict]:
    """The list's status column (each status's label, :func:`status_label`) on its light
    background (:data:`STATUS_COLORS`): each label as a one-item list that a multiselect column
    of st.dataframe (the column configuration returned) draws as a pill of its status's colour.
    The list was a pandas Styler colouring the cells, which Streamlit turned into the table's
    cells and styles on every run (0.25-0.45 s for the sample's ~300 customers); these are
    plain Arrow columns (a few ms)."""
    options = [status_label(status, lang) for status in STATUS_COLORS]
    column = st.column_config.MultiselectColumn(options=options, color=list(STATUS_COLORS.values()))
    return labels.map(lambda label: [label]), column


def status_label(status: str, lang: str, mark: bool = False) -> str:
    """The status in ``lang`` (bound by the caller, so that a widget's format function works
    outside the script run too); with ``mark``, a coloured dot in front (Markdown, for metric
    labels)."""
    label = t("status_" + status, lang)
    return f"{STATUS_MARKS[status]} {label}" if mark else label
