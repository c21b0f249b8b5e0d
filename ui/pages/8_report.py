"""Report: download the results as JSON, the Excel workbook, and the HTML / PDF report built by
:mod:`analysis.report` from the same results (the sidebar's wave and filters apply)."""
import json

import streamlit as st

from ui.setup import md, page, tr

ctx = page("page_report", "report_caption")
if ctx is None:
    st.stop()
r = dict(ctx.results)  # every section: the downloads hold them all
stem = f"crm_{ctx.wave}" + ("_filtered" if ctx.filters else "")

try:
    from analysis import report
except ImportError:  # the reports module is not installed in this checkout
    report = None

#: (format, label key, builder name in analysis.report, MIME type, built only on request)
FORMATS = [
    ("xlsx", "download_xlsx", "excel_report",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
    ("html", "download_html", "html_report", "text/html", True),
    ("pdf", "download_pdf", "pdf_report", "application/pdf", True),
]


@st.cache_resource(show_spinner=False, max_entries=4)
def _built() -> dict:
    """Reports already built, by (fingerprint, wave, filters, language, format)."""
    return {}


def _build(fmt: str, builder: str):
    key = (r["study"]["fingerprint"], ctx.wave, str(sorted(ctx.filters.items())), ctx.lang, fmt)
    store = _built()
    if key not in store:
        with st.spinner(tr("building_report", format=fmt.upper())):
            store[key] = getattr(report, builder)(r, lang=ctx.lang)
    return store[key]


def _later(fmt: str, builder: str):
    """The file, built when the button is clicked (in Streamlit's download thread, so no
    spinner and no error box: the workbook needs no font and no browser)."""
    key = (r["study"]["fingerprint"], ctx.wave, str(sorted(ctx.filters.items())), ctx.lang, fmt)
    store = _built()
    return lambda: store[key] if key in store else store.setdefault(
        key, getattr(report, builder)(r, lang=ctx.lang))


# the JSON and the workbook are made on click: opening the page costs nothing (~1.4 s before)
st.download_button(tr("download_json"), lambda: json.dumps(r, ensure_ascii=False, indent=1),
                   file_name=f"{stem}_results.json", mime="application/json", key="dl_json",
                   on_click="ignore")
for fmt, label, builder, mime, on_request in FORMATS:
    if report is None or not hasattr(report, builder):
        st.info(tr("report_not_available", format=fmt.upper()))
        continue
    wanted = f"want_{fmt}"
    if on_request and not st.session_state.get(wanted):
        st.button(tr("prepare_report", format=fmt.upper()), key=f"prepare_{fmt}",
                  on_click=st.session_state.__setitem__, args=(wanted, True))
        continue
    if not on_request:
        st.download_button(tr(label), _later(fmt, builder), file_name=f"{stem}_report.{fmt}",
                           mime=mime, key=f"dl_{fmt}", on_click="ignore")
        continue
    try:
        content = _build(fmt, builder)
    except Exception as error:  # a report that cannot be built must not take the page down
        st.error(md("report_failed", format=fmt.upper(), error=str(error)))
        continue
    st.download_button(tr(label), content, file_name=f"{stem}_report.{fmt}", mime=mime,
                       key=f"dl_{fmt}", on_click="ignore", type="primary" if on_request else "secondary")
st.caption(tr("report_languages"))
