"""Segments: the ABC Pareto chart and per-class satisfaction, the customer-value matrix, lifecycle
stages, the loyalty ladder per lifecycle stage and group comparisons across regions and customer
types."""
import streamlit as st

from analysis import charts
from analysis.i18n import t
from ui.setup import num, page, pct, pick_group, pval, show_chart, show_table, tr

ctx = page("page_segments", "segments_caption")
if ctx is None:
    st.stop()
r = ctx.results
segments = r.get("segments") or {}
if segments:
    group = pick_group(ctx, list(segments), key="seg_group")
    entry = segments[group]
    abc = entry.get("abc")
    if abc:
        st.subheader(tr("abc_title"))
        show_chart(charts.pareto_chart(r, group, ctx.lang), key="pareto")
        show_table([{tr("abc_class"): cls, tr("n"): c["n"],
                     tr("customer_share"): pct(c.get("customer_share")),
                     tr("revenue_share"): pct(c.get("revenue_share")),
                     tr("satisfaction"): num(c["scores"].get("satisfaction", {}).get("mean")),
                     tr("loyalty"): num(c["scores"].get("loyalty", {}).get("mean")),
                     tr("nps"): num((c.get("nps") or {}).get("score"), 1)}
                    for cls, c in abc["classes"].items()])
        st.caption(tr("abc_caption"))
        show_chart(charts.segment_scores(r, group, "abc", ctx.lang), key="abc_scores")
    if entry.get("value_matrix"):
        st.subheader(tr("value_matrix"))
        show_chart(charts.segment_scores(r, group, "value_matrix", ctx.lang), key="vm")
        show_table([{tr("segment"): c.get(f"label_{ctx.lang}") or k, tr("n"): c["n"],
                     tr("satisfaction"): num(c["scores"].get("satisfaction", {}).get("mean")),
                     tr("loyalty"): num(c["scores"].get("loyalty", {}).get("mean"))}
                    for k, c in entry["value_matrix"]["cells"].items()])
    if entry.get("lifecycle"):
        st.subheader(tr("lifecycle"))
        show_chart(charts.segment_scores(r, group, "lifecycle", ctx.lang), key="lifecycle")

ladder = r.get("ladder") or {}
if ladder:
    st.subheader(tr("rep_ladder"))
    group = pick_group(ctx, list(ladder), key="ladder_group")
    show_chart(charts.ladder_chart(r, group, ctx.lang), key="ladder")
    st.caption(tr("ladder_caption", threshold=f"{ladder[group]['reached_from']:g}",
                  out=pct(ladder[group]["out_of_order"]["share"])))

comparisons = r.get("comparisons") or {}
if comparisons:
    st.subheader(tr("group_comparisons"))
    group = pick_group(ctx, list(comparisons), key="cmp_group")
    by = st.selectbox(tr("compare_by"), list(comparisons[group]), format_func=ctx.name, key="cmp_by")
    measures = list(comparisons[group][by])
    rows = []
    for measure in measures:
        e = comparisons[group][by][measure]
        rows.append({tr("measure"): tr(measure) if measure == "satisfaction" else ctx.name(measure),
                     tr("n"): e["n"], "ANOVA F": num((e.get("anova") or {}).get("f")),
                     "ANOVA p": pval((e.get("anova") or {}).get("p")),
                     "Welch F": num((e.get("welch") or {}).get("f")),
                     "Welch p": pval((e.get("welch") or {}).get("p")),
                     "Kruskal H": num((e.get("kruskal") or {}).get("h")),
                     "Kruskal p": pval((e.get("kruskal") or {}).get("p")),
                     "η²": num((e.get("anova") or {}).get("eta2"), 3)})
    show_table(rows)
    measure = st.selectbox(tr("measure"), measures, key="cmp_measure",
                           format_func=lambda m: t(m, ctx.lang) if m == "satisfaction" else ctx.name(m))
    show_chart(charts.comparison_chart(r, group, by, measure, ctx.lang), key="cmp_chart")
    posthoc = comparisons[group][by][measure].get("games_howell") or []
    if posthoc:
        st.markdown(f"**{tr('posthoc')}** (Games-Howell)")
        show_table([{"A": p["a"], "B": p["b"], tr("gap"): num(p["diff"]), tr("p_adj"): pval(p.get("p_adj"))}
                    for p in posthoc])
if not (segments or ladder or comparisons):
    st.info(tr("nothing_to_show"))
