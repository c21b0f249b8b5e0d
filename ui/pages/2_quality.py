"""Data quality: the cleaning report per group, rows affected by each rule, and switches for the
exclusion rules with their effect on n."""
import streamlit as st

from surveys.cleaning import EXCLUSION_ORDER
from ui import state as S
from surveys.i18n import render
from ui.setup import base_study, page, pct, say, show_table, tr

ctx = page("page_quality", "quality_caption")
if ctx is None:
    st.stop()
r = ctx.results
quality = {g: q for g, q in r["quality"].items() if g != "waves"}

st.subheader(tr("exclusion_rules"))
study_exclude = {rule: bool(base_study().exclude.get(rule)) for rule in EXCLUSION_ORDER}
current = st.session_state.get(S.EXCLUDE) or study_exclude
cols = st.columns(len(EXCLUSION_ORDER))
chosen = {rule: col.toggle(tr(f"rule_{rule}"), value=current[rule], key=f"toggle_{rule}",
                           help=tr(f"rule_{rule}_help"))
          for col, rule in zip(cols, EXCLUSION_ORDER)}
wanted = None if chosen == study_exclude else chosen
if wanted != st.session_state.get(S.EXCLUDE):
    st.session_state[S.EXCLUDE] = wanted
    st.rerun()
st.caption(tr("exclusion_caption"))

rows = []
for group, q in quality.items():
    row = {tr("group"): ctx.name(group), tr("n_raw"): q["n_raw"]}
    for rule in EXCLUSION_ORDER:
        entry = q["rules"].get(rule, {})
        row[tr(f"rule_{rule}")] = f"{entry.get('count', 0)} / {entry.get('excluded', 0)}"
    row[tr("n_kept")] = q["n"]
    rows.append(row)
show_table(rows)
st.caption(tr("rules_caption"))

for group, q in quality.items():
    with st.expander(f"{ctx.name(group)}: {tr('findings')}", expanded=False):
        findings = []
        for rule, entry in q["rules"].items():
            for example in entry.get("examples") or []:
                findings.append({tr("rule"): tr(f"rule_{rule}"), tr("row"): example.get("row"),
                                 tr("column"): example.get("column") or "",
                                 tr("value"): "" if example.get("value") is None else str(example["value"]),
                                 tr("detail"): render(example.get("detail") or "", ctx.lang)})
        show_table(findings)
        missing = q.get("missing") or {}
        st.markdown(f"**{tr('missing_answers')}** — {tr('respondents_with_missing')}: "
                    f"{missing.get('respondents_with_missing', 0)}, "
                    f"{tr('max_missing')}: {missing.get('max_missing_per_respondent', 0)}")
        items = [{tr("item"): ctx.name(item, short=True), tr("missing"): m["missing"],
                  tr("share"): pct(m["share"])}
                 for item, m in (missing.get("items") or {}).items() if m["missing"]]
        show_table(items)
        if q.get("zero_variance"):
            st.warning(f"{tr('zero_variance')}: {', '.join(q['zero_variance'])}")
        for note in q.get("notes") or []:
            st.caption(f"ℹ️ {say(note)}")
