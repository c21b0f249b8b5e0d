"""The Customer list page and the dashboard's line about the red customers, under AppTest on the
sample study: the numbers shown are those of results.json and of the list computed by the
pipeline (independently of the app); filters, the search, the dashboard's link, hidden contact
columns and the xlsx export."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from analysis.customers import customer_lists
from analysis.i18n import t
from analysis.pipeline import with_abc_class
from surveys.load import load_study
from tests.app_reference import sample_results
from ui import customers as ui_customers
from ui import state as S
from ui.setup import escape_markdown

ROOT = Path(__file__).resolve().parents[1]
PAGE = "ui/pages/0_customers.py"


@pytest.fixture(scope="module")
def reference() -> tuple[dict, object]:
    data = with_abc_class(load_study(ROOT / "data" / "sample" / "study.yaml"))
    return sample_results(), customer_lists(data)["customers"]


def _app(page: str | None, lang: str = "en", query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[S.LANG] = lang
    at.run()
    if page:
        if query:
            at.query_params.update(query)
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_status_cards_and_the_list_equal_the_pipeline(reference):
    results, table = reference
    at = _app(PAGE)
    status = results["customers"]["customers"]["status"]
    cards = {m.label: m.value for m in at.metric}
    for key in ("red", "amber", "green", "grey"):
        assert cards[f"{ui_customers.STATUS_MARKS[key]} {t('status_' + key, 'en')}"] == str(
            status[key]["n"])
    shown = at.dataframe[0].value
    assert len(shown) == len(table) == results["customers"]["customers"]["n"]
    assert list(shown[t("cust_col_id", "en")]) == list(table["id"])
    assert [list(cell) for cell in shown[t("cust_col_status", "en")]] == [
        [t(f"status_{s}", "en")] for s in table["status"]]
    # each status on its former cell colour (a pill of a multiselect column, not a Styler)
    column = json.loads(at.dataframe[0].proto.columns)[t("cust_col_status", "en")]
    assert column["type_config"]["options"] == [
        {"value": t(f"status_{s}", "en"), "color": colour}
        for s, colour in ui_customers.STATUS_COLORS.items()]
    assert shown.columns[0] == t("cust_col_status", "en")  # status first on screen
    assert "Organisation" in shown.columns  # contact columns visible (no login: everyone is an editor)


def test_filters_search_and_the_export(reference):
    _, table = reference
    at = _app(PAGE)
    at.multiselect(key="cust_status").set_value(["amber"])
    at.multiselect(key="cust_region").set_value(["石家庄"])
    at.run()
    expected = table[(table["status"] == "amber") & (table["region"] == "石家庄")]
    assert list(at.dataframe[0].value[t("cust_col_id", "en")]) == list(expected["id"])
    name = table["company"].dropna().iloc[0]
    at.multiselect(key="cust_status").set_value([])
    at.multiselect(key="cust_region").set_value([])
    at.text_input(key="cust_search").set_value(name[2:6])
    at.run()
    found = table[table["company"].fillna("").str.contains(name[2:6], regex=False)]
    assert list(at.dataframe[0].value[t("cust_col_id", "en")]) == list(found["id"])
    button = at.get("download_button")[0]
    assert button.proto.label == t("cust_download_xlsx", "en")


def test_the_dashboard_line_links_to_the_red_rows(reference):
    results, table = reference
    at = _app(None, "zh")
    red = results["customers"]["customers"]["status"]["red"]
    line = t("dash_red_accounts", "zh", n=red["n"], share=f"{red['revenue_share'] * 100:.0f}%")
    assert escape_markdown(line) in [w.value for w in at.warning]
    link = at.get("page_link")[0]
    assert link.proto.label == t("dash_red_link", "zh")
    # the link's ?status=red opens the list on the red rows
    at = _app(PAGE, "zh", query={ui_customers.STATUS_QUERY: "red"})
    ids = list(at.dataframe[0].value[t("cust_col_id", "zh")])
    assert ids == list(table[table["status"] == "red"]["id"]) and len(ids) == red["n"]


def test_contact_columns_hidden_when_contacts_are_not_visible(monkeypatch, reference):
    _, table = reference
    monkeypatch.setattr(ui_customers, "contacts_visible", lambda: False)
    at = _app(PAGE)
    shown = at.dataframe[0].value
    assert not {"Organisation", "Contact person", "Phone"} & set(shown.columns)
    assert t("cust_contacts_hidden", "en") in [c.value for c in at.caption]
    # the search does not look into hidden columns
    at.text_input(key="cust_search").set_value(table["company"].dropna().iloc[0])
    at.run()
    assert t("nothing_to_show", "en") in [i.value for i in at.info]


def test_xlsx_export_is_formula_safe():
    """The page's export is :func:`analysis.report.excel.table_workbook`: text that looks like a
    formula is stored as text with the quote prefix."""
    import pandas as pd

    from analysis.customers import customer_list, customer_table
    from analysis.report.excel import table_workbook

    frame = pd.DataFrame({"id": ["=1+1", "b"], "SAT1": [1.0, 5.0]})
    table = customer_table(customer_list(frame, ids=frame["id"], satisfaction=["SAT1"]), "en")
    sheet = load_workbook(io.BytesIO(table_workbook(table, "en"))).active
    cell = sheet.cell(row=5, column=1)
    assert cell.value == "=1+1" and cell.data_type == "s" and cell.quotePrefix
