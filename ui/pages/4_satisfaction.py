"""Satisfaction and loyalty: index cards with CIs, dimension scores, C = b/a, NPS distribution,
the trend across waves."""
import streamlit as st

from analysis import charts
from ui.setup import ci, num, page, pct, pick_group, pval, say, show_chart, show_table, tr
from ui.weighting import weighted_badge

ctx = page("page_satisfaction", "satisfaction_caption")
if ctx is None:
    st.stop()
r = ctx.results
indices = r.get("indices") or {}
group = pick_group(ctx, list(indices), key="sat_group")
if group is None:
    st.info(tr("nothing_to_show"))
    st.stop()
entry = indices[group]
weighted_badge(ctx, group)

cards = [("csi", "card_csi", "value"), ("satisfaction_index", "card_satisfaction", "value"),
         ("loyalty_index", "card_loyalty", "value"), ("nps", "card_nps", "score")]
for column, (key, label, field) in zip(st.columns(len(cards)), cards):
    value = entry.get(key) or {}
    column.metric(tr(label), num(value.get(field), 1), border=True,
                  help=tr(f"{label}_help") + " " + tr("metric_help", n=value.get("n", "–"),
                                                      ci=ci(value.get("ci"), 1)))
    column.caption(f"{tr('ci95')} {ci(value.get('ci'), 1)} · n = {value.get('n', '–')}")
st.caption(tr("index_caption"))

st.subheader(tr("dimension_scores"))
show_chart(charts.dimension_scores(r, ctx.lang, groups=[group]), key="sat_scores")
rows = [{tr("dimension"): ctx.name(d), tr("n"): e["n"], tr("mean"): num(e["mean"]),
         tr("sd"): num(e["sd"]), tr("ci95"): ci(e["ci"]), tr("top2"): pct(e["top2"]),
         tr("bottom2"): pct(e["bottom2"])}
        for d, e in (entry.get("dimensions") or {}).items()]
show_table(rows)

if entry.get("cb_ratio"):
    st.subheader(tr("cb_title"))
    show_chart(charts.cb_ratio_chart(r, group, ctx.lang), key="cb")
    st.caption(tr("cb_caption"))
if entry.get("nps"):
    st.subheader(tr("nps"))
    show_chart(charts.nps_chart(r, ctx.lang, groups=[group]), key="nps")
    nps = entry["nps"]
    st.caption(tr("nps_caption", score=num(nps["score"], 1), ci=ci(nps["ci"], 1), n=nps["n"]))

trend = (r.get("trends") or {}).get(group)
if trend:
    st.subheader(tr("trend"))
    show_chart(charts.trend_chart(r, group, ctx.lang), key="trend")
    rows = [{tr("index"): ctx.name(c["name"]) if c["index"] == "dimension" else tr(c["index"]),
             tr("from_wave"): c["from"], tr("to_wave"): c["to"], tr("before"): num(c["value_from"]),
             tr("after"): num(c["value_to"]), tr("change"): num(c["diff"]),
             tr("ci95"): ci(c.get("ci")), "p": pval(c.get("p"))}
            for c in trend.get("changes") or []]
    show_table(rows)
for w in entry.get("warnings") or []:
    st.warning(say(w) if isinstance(w, str) else say(w.get("message") or str(w)))
