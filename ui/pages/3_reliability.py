"""Reliability and validity per group and dimension: alpha with CI, omega, the item table with
alpha-if-deleted, warnings; KMO/Bartlett and EFA loadings; CFA fit, CR/AVE/HTMT when present."""
import streamlit as st

from analysis import charts
from analysis.charts import p_text
from ui.setup import ci, num, page, pick_group, show_chart, show_table, tr, warnings_list
from ui.weighting import unweighted_note

ctx = page("page_reliability", "reliability_caption")
if ctx is None:
    st.stop()
r = ctx.results
reliability = r.get("reliability") or {}
group = pick_group(ctx, list(reliability), key="rel_group")
if group is None:
    st.info(tr("nothing_to_show"))
    st.stop()
dims = reliability[group]
unweighted_note(ctx)

st.subheader(tr("reliability_by_dimension"))
rows = [{tr("dimension"): ctx.name(d), "k": e["k"], tr("n"): e["n"],
         tr("alpha"): num(e["alpha"], 3), tr("ci95"): ci(e.get("alpha_ci"), 3),
         tr("std_alpha"): num(e.get("std_alpha"), 3), tr("omega_total"): num(e.get("omega_total"), 3),
         "λ6": num(e.get("lambda6"), 3),
         tr("split_half"): num((e.get("split_half") or {}).get("spearman_brown"), 3),
         tr("verdict"): tr("alpha_ok") if (e["alpha"] or 0) >= 0.7 else tr("alpha_low")}
        for d, e in dims.items()]
show_table(rows)
st.caption(tr("alpha_caption"))
show_chart(charts.alpha_chart(r, group, ctx.lang), key="alpha_chart")

st.subheader(tr("item_statistics"))
dim = st.selectbox(tr("dimension"), list(dims), format_func=ctx.name, key="rel_dim")
entry = dims[dim]
alpha = entry.get("alpha")
items = [{tr("item"): ctx.name(i), tr("mean"): num(e.get("mean")), tr("sd"): num(e.get("sd")),
          tr("citc"): num(e.get("citc"), 3), tr("alpha_if_deleted"): num(e.get("alpha_if_deleted"), 3),
          "⚠": "▲" if alpha is not None and e.get("alpha_if_deleted") is not None
          and e["alpha_if_deleted"] > alpha else ""}
         for i, e in (entry.get("items") or {}).items()]
show_table(items)
st.caption(tr("item_caption", alpha=num(alpha, 3)))
warnings_list(ctx, entry.get("warnings"))

validity = (r.get("validity") or {}).get(group)
st.subheader(tr("validity"))
if not validity:
    st.info(tr("validity_missing"))
    st.stop()
bartlett = validity.get("bartlett") or {}
c1, c2 = st.columns(2)
c1.metric(tr("kmo"), num(validity.get("kmo"), 3), help=tr("kmo_help"), border=True)
c1.caption(tr("kmo_caption"))
c2.metric(tr("bartlett"), f"χ² = {num(bartlett.get('chi2'), 1)}", border=True,
          help=tr("bartlett_help"))
c2.caption(f"df = {bartlett.get('df')}, {p_text(bartlett.get('p'))}")
show_chart(charts.loadings_heatmap(r, group, ctx.lang), key="loadings")
st.caption(tr("loadings_caption"))
cfa = validity.get("cfa") or {}
if cfa:
    st.subheader(tr("cfa_title"))
    bars = {"cfi": (".95", lambda v: v >= 0.95), "tli": (".95", lambda v: v >= 0.95),
            "rmsea": (".06", lambda v: v <= 0.06), "srmr": (".08", lambda v: v <= 0.08)}
    fit_rows = [{tr("index"): "χ² (df)", tr("value"): f"{num(cfa.get('chi2'), 2)} ({cfa.get('df')})",
                 tr("bar"): "", tr("verdict"): p_text(cfa.get("p"))},
                {tr("index"): "n", tr("value"): str(cfa.get("n")), tr("bar"): "",
                 tr("verdict"): tr("listwise")}]
    for key, (bar, good) in bars.items():
        value = cfa.get(key)
        fit_rows.append({tr("index"): key.upper(), tr("value"): num(value, 3),
                         tr("bar"): ("≥ " if key in ("cfi", "tli") else "≤ ") + bar,
                         tr("verdict"): "" if value is None
                         else tr("fit_ok") if good(value) else tr("fit_poor")})
    fit_rows.append({tr("index"): "RMSEA 90% CI", tr("value"): ci(cfa.get("rmsea_ci"), 3),
                     tr("bar"): "", tr("verdict"): ""})
    show_table(fit_rows)
    show_chart(charts.cfa_loadings_chart(r, group, ctx.lang), key="cfa_loadings")
    constructs = cfa.get("constructs") or {}
    show_table([{tr("dimension"): ctx.name(d), tr("cr"): num(c.get("cr"), 3),
                 tr("ave"): num(c.get("ave"), 3),
                 "√AVE": "–" if c.get("ave") is None else num(c["ave"] ** 0.5, 3),
                 tr("verdict"): "" if c.get("ave") is None else tr("fit_ok")
                 if c["ave"] >= 0.5 and (c.get("cr") or 0) >= 0.7 else tr("fit_poor")}
                for d, c in constructs.items()])
    show_chart(charts.ave_chart(r, group, ctx.lang), key="ave")
    show_chart(charts.htmt_heatmap(r, group, ctx.lang), key="htmt")
    table = cfa.get("fornell_larcker") or {}
    if table:
        st.markdown(f"**{tr('fornell_larcker')}**")
        show_table([{tr("dimension"): ctx.name(a),
                     **{ctx.name(b): num(v, 3) + (" ⚠" if a != b and v is not None
                                                  and table[a].get(a) is not None
                                                  and abs(v) > table[a][a] else "")
                        for b, v in row.items()}} for a, row in table.items()])
        st.caption(tr("fornell_caption"))
    st.caption(tr("validity_caption"))
    warnings_list(ctx, cfa.get("warnings"))
warnings_list(ctx, validity.get("warnings"))
