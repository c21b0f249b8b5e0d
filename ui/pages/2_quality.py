"""Data quality: the cleaning report per group, rows affected by each rule, switches for the
exclusion rules with their effect on n, the population weights, and every respondent with their
flags (filters and a download of respondents.csv)."""
import streamlit as st

from analysis.respondents import FLAG_RULES, respondents_csv
from surveys.careless import SCREENS
from surveys.cleaning import EXCLUSION_ORDER
from surveys.i18n import render
from ui import state as S
from ui.setup import (base_study, escape_markdown, num, page, pct, respondents, say,
                      show_table, tr)
from ui.weighting import weighted_badge

ctx = page("page_quality", "quality_caption")
if ctx is None:
    st.stop()
r = ctx.results
quality = {g: q for g, q in r["quality"].items() if g != "waves"}
study = base_study()
rules = [rule for rule in EXCLUSION_ORDER if rule not in SCREENS or rule in study.careless]

st.subheader(tr("exclusion_rules"))
study_exclude = {rule: bool(study.exclude.get(rule)) for rule in rules}
current = {**study_exclude, **(st.session_state.get(S.EXCLUDE) or {})}
chosen = {}
for start in range(0, len(rules), 4):  # at most four switches a row, so that labels fit
    row = rules[start:start + 4]
    for col, rule in zip(st.columns(4), row):
        chosen[rule] = col.toggle(tr(f"rule_{rule}"), value=current[rule], key=f"toggle_{rule}",
                                  help=tr(f"rule_{rule}_help"))
wanted = None if chosen == study_exclude else chosen
if wanted != st.session_state.get(S.EXCLUDE):
    st.session_state[S.EXCLUDE] = wanted
    st.rerun()
st.caption(tr("exclusion_caption"))

rows = []
for group, q in quality.items():
    row = {tr("group"): ctx.name(group), tr("n_raw"): q["n_raw"]}
    for rule in rules:
        entry = q["rules"].get(rule, {})
        row[tr(f"rule_{rule}")] = f"{entry.get('count', 0)} / {entry.get('excluded', 0)}"
    row[tr("n_kept")] = q["n"]
    rows.append(row)
show_table(rows)
st.caption(tr("rules_caption"))

for group, q in quality.items():
    with st.expander(f"{escape_markdown(ctx.name(group))}: {tr('findings')}", expanded=False):
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
            st.warning(escape_markdown(f"{tr('zero_variance')}: {', '.join(q['zero_variance'])}"))
        for note in q.get("notes") or []:
            st.caption(f"ℹ️ {say(note)}")

for group, summary in (r.get("weighting") or {}).items():
    st.subheader(tr("weighting_title"))
    weighted_badge(ctx, group)
    show_table([{tr("column"): ctx.name(column), tr("level"): level,
                 tr("weighting_target"): pct(m["target"]), tr("weighting_sample"): pct(m["sample"]),
                 tr("weighting_weighted"): pct(m["weighted"])}
                for column, levels in (summary.get("margins") or {}).items()
                for level, m in levels.items()])
    values = dict(group=ctx.name(group), min=num(summary.get("min")), max=num(summary.get("max")),
                  n_eff=num(summary.get("n_eff"), 1), deff=num(summary.get("deff")))
    st.caption(escape_markdown(
        tr("weighting_column_caption", column=summary["column"], **values) if summary.get("column")
        else tr("weighting_caption", columns=", ".join(ctx.name(c) for c in summary["margins"]),
                **values)))

st.subheader(tr("respondents_title"))
table = respondents(ctx.data)
left, middle, right = st.columns(3)
groups = left.multiselect(tr("group"), list(dict.fromkeys(table["group"])), format_func=ctx.name,
                          placeholder=tr("all"), key="resp_groups")
waves = middle.multiselect(tr("wave"), list(dict.fromkeys(table["wave"])), placeholder=tr("all"),
                           key="resp_waves")
flagged_by = right.multiselect(tr("respondents_rules"), list(FLAG_RULES),
                               format_func=lambda c: tr(f"rule_{FLAG_RULES[c]}"),
                               placeholder=tr("all"), key="resp_rules")
flagged_only = left.checkbox(tr("respondents_flagged_only"), key="resp_flagged")
excluded_only = middle.checkbox(tr("respondents_excluded_only"), key="resp_excluded")
shown = table
if groups:
    shown = shown[shown["group"].isin(groups)]
if waves:
    shown = shown[shown["wave"].isin(waves)]
flags = shown[flagged_by or list(FLAG_RULES)].fillna(0).astype(int)
if flagged_by or flagged_only:
    shown = shown[flags.to_numpy().any(axis=1)]
if excluded_only:
    shown = shown[shown["excluded"] == 1]
st.dataframe(shown.assign(group=shown["group"].map(ctx.name)), hide_index=True, width="stretch",
             height=420)
st.caption(tr("respondents_shown", shown=len(shown), total=len(table)) + " · "
           + tr("respondents_caption"))
st.download_button(tr("respondents_download"), respondents_csv(shown), file_name="respondents.csv",
                   mime="text/csv", icon=":material/download:")
