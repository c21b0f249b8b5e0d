"""Priorities: the importance-performance quadrants, key drivers of satisfaction and loyalty, and
the Kano table when the study has Kano questions."""
import streamlit as st

from analysis import charts
from ui.setup import num, page, pct, pick_group, pval, show_chart, show_table, tr
from ui.weighting import weighted_badge

ctx = page("page_priorities", "priorities_caption")
if ctx is None:
    st.stop()
r = ctx.results
ipa = r.get("ipa") or {}
if ipa:
    st.subheader(tr("chart_ipa"))
    group = pick_group(ctx, list(ipa), key="ipa_group")
    weighted_badge(ctx, group)
    show_chart(charts.ipa_chart(r, group, ctx.lang), key="ipa")
    st.caption(tr("ipa_caption"))
    show_table([{tr("name"): ctx.name(p["name"]), tr("importance"): num(p["importance"]),
                 tr("performance"): num(p["performance"]), tr("quadrant"): tr(p["quadrant"]),
                 tr("n"): p.get("n")} for p in ipa[group].get("points") or []])

drivers = r.get("drivers") or {}
if drivers:
    st.subheader(tr("chart_drivers"))
    group = pick_group(ctx, list(drivers), key="drv_group")
    weighted_badge(ctx, group)
    for outcome, model in drivers[group].items():
        show_chart(charts.drivers_chart(r, group, outcome, ctx.lang), key=f"drv_{outcome}")
        show_table([{tr("dimension"): ctx.name(p["name"]), "b": num(p.get("b"), 3),
                     "β": num(p.get("beta"), 3), "t": num(p.get("t")), "p": pval(p.get("p")),
                     "VIF": num(p.get("vif")), tr("relative_weight"): pct(p.get("rescaled_weight")),
                     "LMG": pct(p.get("lmg_share"))}
                    for p in model.get("predictors") or []])
        st.caption(tr("drivers_caption", r2=num(model.get("r2"), 3), n=model.get("n"),
                      f=num(model.get("f")), p=pval(model.get("p"))))

kano = r.get("kano") or {}
if kano:
    st.subheader(tr("kano"))
    group = pick_group(ctx, list(kano), key="kano_group")
    show_chart(charts.kano_chart(r, group, ctx.lang), key="kano")
    show_table([{tr("feature"): ctx.name(feature), tr("n"): e["n"],
                 tr("kano_category"): e.get(f"label_{ctx.lang}") or e.get("category") or "–",
                 **{code: pct((e.get("shares") or {}).get(code), 0)
                    for code in ("A", "O", "M", "I", "R", "Q")},
                 "Better": num(e.get("better")), "Worse": num(e.get("worse"))}
                for feature, e in kano[group].items()])
    st.caption(tr("kano_caption"))
if not (ipa or drivers or kano):
    st.info(tr("nothing_to_show"))
