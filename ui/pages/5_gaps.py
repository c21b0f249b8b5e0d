"""Gaps: customers vs employees per dimension and item (significant gaps marked, the test table),
and expectation vs perception (SERVQUAL)."""
import streamlit as st

from analysis import charts
from ui.setup import ci, md, num, page, pick_group, pval, show_chart, show_table, tr
from ui.weighting import weighted_badge

ctx = page("page_gaps", "gaps_caption")
if ctx is None:
    st.stop()
r = ctx.results
gaps = r.get("gaps") or {}
for pair, rows in gaps.items():
    a, b = pair.split("|")
    st.subheader(md("mirror_title", a=ctx.name(a), b=ctx.name(b)))
    for g in (a, b):
        weighted_badge(ctx, g)
    show_chart(charts.gap_dumbbell(r, ctx.lang, "dimension", pair), key=f"gap_dim_{pair}")
    show_chart(charts.gap_dumbbell(r, ctx.lang, "item", pair), key=f"gap_item_{pair}")
    st.caption(tr("gap_caption"))
    table = [{tr("level"): tr(g["level"]), tr("name"): ctx.name(g["name"], short=True),
              f"n {ctx.name(a)}": g["n_a"], f"n {ctx.name(b)}": g["n_b"],
              f"{tr('mean')} {ctx.name(a)}": num(g["mean_a"]),
              f"{tr('mean')} {ctx.name(b)}": num(g["mean_b"]), tr("gap"): num(g["diff"]),
              **({"se": num(g.get("se"), 3), "z": num(g.get("z")), tr("ci95"): ci(g.get("ci"))}
                 if g.get("test") == "z_design" else
                 {"t": num(g.get("t")), "df": num(g.get("df"), 1)}), "p": pval(g.get("p")),
              tr("p_adj"): pval(g.get("p_adj")), tr("hedges_g"): num(g.get("hedges_g")),
              f"g {tr('ci95')}": ci(g.get("g_ci")), tr("significant"): "✱" if g.get("flag") else ""}
             for g in rows]
    show_table(table)
if not gaps:
    st.info(tr("no_compare"))

servqual = r.get("servqual") or {}
if servqual:
    st.subheader(tr("servqual_title"))
    group = pick_group(ctx, list(servqual), key="sq_group")
    show_chart(charts.servqual_chart(r, group, ctx.lang, "item"), key="servqual")
    st.caption(tr("servqual_caption"))
    table = [{tr("level"): tr(g["level"]), tr("name"): ctx.name(g["name"], short=True), tr("n"): g["n"],
              tr("perception"): num(g["mean_perception"]), tr("expectation"): num(g["mean_expectation"]),
              tr("gap"): num(g["mean_gap"]), tr("ci95"): ci(g.get("gap_ci")), "t": num(g.get("t")),
              "p": pval(g.get("p")), tr("p_adj"): pval(g.get("p_adj")),
              "Wilcoxon p": pval(g.get("p_wilcoxon_adj"))}
             for g in servqual[group]]
    show_table(table)
