"""CRM survey workbench: ``streamlit run app.py``.

A small entry (OpenMS streamlit-template style): page config, the shared sidebar (language, study,
wave, filters) and ``st.navigation`` over ``ui/pages/`` (not a folder named ``pages/``, which
Streamlit would run on its own), numbered in the order of the work. Opens on the shipped sample
study.
"""
import logging
from pathlib import Path

import streamlit as st

from analysis.charts import plain_json
from analysis.i18n import t
from surveys.errors import StudyError
from ui import setup as app_setup

# the tab's icon is a file of the app: a ":material/...:" icon would be fetched from
# fonts.gstatic.com by every viewer's browser (the app must ask no other host)
st.set_page_config(page_title="CRM Survey Workbench",
                   page_icon=str(Path(__file__).parent / "ui" / "favicon.png"), layout="wide")
app_setup.init_state()
lang = app_setup.lang()

PAGES = {
    "section_manager": [
        ("ui/pages/0_dashboard.py", "page_dashboard", ":material/dashboard:", "dashboard"),
        ("ui/pages/0_customers.py", "page_customers", ":material/contact_phone:", "customers"),
    ],
    "section_research": [
        ("ui/pages/1_study.py", "page_study", ":material/folder_open:", "study"),
        ("ui/pages/2_quality.py", "page_quality", ":material/cleaning_services:", "quality"),
        ("ui/pages/3_reliability.py", "page_reliability", ":material/straighten:", "reliability"),
        ("ui/pages/4_satisfaction.py", "page_satisfaction", ":material/sentiment_satisfied:", "satisfaction"),
        ("ui/pages/5_gaps.py", "page_gaps", ":material/compare_arrows:", "gaps"),
        ("ui/pages/6_priorities.py", "page_priorities", ":material/target:", "priorities"),
        ("ui/pages/11_structural.py", "page_structural", ":material/account_tree:", "structural"),
        ("ui/pages/7_segments.py", "page_segments", ":material/category:", "segments"),
        ("ui/pages/10_comments.py", "page_comments", ":material/chat:", "comments"),
        ("ui/pages/8_report.py", "page_report", ":material/description:", "report"),
        ("ui/pages/9_store.py", "page_store", ":material/inventory_2:", "store"),
    ],
}
navigation = st.navigation({
    t(section, lang): [st.Page(path, title=t(title, lang), icon=icon, url_path=url,
                              default=url == "dashboard")
                       for path, title, icon, url in pages]
    for section, pages in PAGES.items()
}, expanded=True)  # all 13 pages listed (collapsed, the last ones hide behind "View 3 more")
app_setup.sidebar()
try:
    with app_setup.page_run(), plain_json():  # figures as plain JSON (ui.setup.show_chart)
        navigation.run()
    app_setup.build_rest()
except StudyError as error:
    app_setup.show_error(error)
except Exception as error:  # last resort: a short message instead of a traceback
    logging.getLogger("crm-app").exception("page failed")
    st.error(t("unexpected_error", lang, error=type(error).__name__))
