"""Report: download the results as JSON and, once the reports module is there, the Excel workbook
and the HTML / PDF report built from the same results."""
import importlib
import json

import streamlit as st

from app_setup import page, tr

ctx = page("page_report", "report_caption")
if ctx is None:
    st.stop()
r = ctx.results
stem = f"crm_{ctx.wave}" + ("_filtered" if ctx.filters else "")

st.download_button(tr("download_json"), json.dumps(r, ensure_ascii=False, indent=1),
                   file_name=f"{stem}_results.json", mime="application/json", key="dl_json")

#: (label key, function names the reports module may offer, file suffix, MIME type)
FORMATS = [
    ("download_xlsx", ("xlsx_bytes", "excel_bytes", "to_xlsx"), "xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("download_html", ("html_bytes", "to_html"), "html", "text/html"),
    ("download_pdf", ("pdf_bytes", "to_pdf"), "pdf", "application/pdf"),
]
try:
    report = importlib.import_module("analysis.report")
except ImportError:
    report = None
for label, names, suffix, mime in FORMATS:
    build = next((getattr(report, n) for n in names if report and hasattr(report, n)), None)
    if build is None:
        st.info(tr("report_not_available", format=suffix.upper()))
        continue
    try:
        content = build(r, lang=ctx.lang)
    except Exception as error:  # a report that cannot be built must not take the page down
        st.error(tr("report_failed", format=suffix.upper(), error=str(error)))
        continue
    st.download_button(tr(label), content, file_name=f"{stem}_report.{suffix}", mime=mime,
                       key=f"dl_{suffix}")
