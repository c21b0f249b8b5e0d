"""Manager dashboard: headline numbers and their change since the last wave, where the company
rates itself higher than its customers do, and the items to concentrate on."""
import streamlit as st

from analysis import charts
from analysis.charts import p_text
from analysis.text import top_detractor_themes
from ui.customers import dashboard_line
from ui.pls_view import model_index_cards
from ui.setup import ci, escape_markdown, md, num, page, pct, pval, show_chart, tr
from ui.weighting import weighted_badge

ctx = page("page_dashboard", "dashboard_caption")
if ctx is None:
    st.stop()
r = ctx.results
compare = r["study"].get("compare") or []
focus = next((g for g in [*compare, *ctx.groups] if (r.get("indices") or {}).get(g)), None)
if focus is None:
    st.info(tr("nothing_to_show"))
    st.stop()
indices = r["indices"][focus]
changes = {(c["index"], c["name"]): c
           for c in ((r.get("trends") or {}).get(focus) or {}).get("changes") or []}

st.subheader(md("headline", group=ctx.name(focus), wave=ctx.wave))
weighted_badge(ctx, focus)
cards = [("csi", "card_csi", 1), ("satisfaction_index", "card_satisfaction", 1),
         ("loyalty_index", "card_loyalty", 1), ("nps", "card_nps", 1)]
columns = st.columns(len(cards))
for column, (key, label, digits) in zip(columns, cards):
    entry = indices.get(key)
    value = None if not entry else entry.get("score" if key == "nps" else "value")
    change = changes.get((key, key))
    delta = None
    if change and change.get("diff") is not None:
        delta = f"{change['diff']:+.{digits}f} {tr('since', wave=change['from'])}"
    help_text = (tr(f"{label}_help") + " " + tr("metric_help", n=entry.get("n") if entry else "–",
                                               ci=ci(entry.get("ci") if entry else None, 1))
                 + ("" if not change else " " + tr("change_help", p=pval(change.get("p")))))
    column.metric(tr(label), num(value, digits), delta=delta, help=help_text, border=True)
st.caption(tr("headline_caption"))
dashboard_line(ctx, focus)
model_index_cards(ctx, focus)

# what detractors write about: the top three themes of the comments (analysis.text)
# (the section's preview: its themes, without waiting for the keywords and suggested themes)
comments = ((getattr(r, "preview", r.get)("text") or {}).get(focus) or {})
for comment_column, text_entry in comments.items():
    top = top_detractor_themes(text_entry)
    if top:
        st.subheader(tr("dash_detractor_themes", column=escape_markdown(ctx.name(comment_column))))
        for theme in top:
            line = "dash_theme_line" if theme["detractor_share"] is not None else "dash_theme_line_sat"
            st.markdown("- " + tr(line, theme=escape_markdown(theme["name"]), n=theme["n"],
                                  share=pct(theme["detractor_share"]), nps=num(theme["nps"], 0),
                                  mean=num(theme["satisfaction"]["mean"]),
                                  example=escape_markdown((theme["examples"] or [""])[0])))
        st.caption(tr("dash_detractor_themes_caption"))


left, right = st.columns(2)
with left:
    st.subheader(tr("largest_gaps"))
    gaps = next(iter((r.get("gaps") or {}).values()), [])
    big = sorted([g for g in gaps if g["level"] == "dimension" and g.get("flag") and g["diff"] < 0],
                 key=lambda g: g["diff"])
    if compare and big:
        for g in big[:3]:
            st.markdown("- " + tr("gap_sentence", dimension=escape_markdown(ctx.name(g["name"])),
                                  a=escape_markdown(ctx.name(compare[0])),
                                  b=escape_markdown(ctx.name(compare[1])),
                                  mean_a=num(g["mean_a"]), mean_b=num(g["mean_b"]),
                                  diff=num(-g["diff"]), p=p_text(g.get("p_adj"))))
    else:
        st.success(tr("no_significant_gaps"))
    show_chart(charts.gap_dumbbell(r, ctx.lang), key="dash_gap")
    st.caption(tr("gap_caption"))
with right:
    st.subheader(tr("concentrate_here"))
    ipa = (r.get("ipa") or {}).get(focus) or {}
    focus_points = [p for p in ipa.get("points") or [] if p["quadrant"] == "concentrate_here"]
    if focus_points:
        for p in focus_points:
            st.markdown("- " + tr("concentrate_sentence", name=escape_markdown(ctx.name(p["name"])),
                                  importance=num(p["importance"]),
                                  performance=num(p["performance"])))
    else:
        st.success(tr("nothing_to_concentrate"))
    show_chart(charts.ipa_chart(r, focus, ctx.lang), key="dash_ipa")
    st.caption(tr("ipa_caption"))

moved = [c for c in changes.values() if c["index"] == "dimension" and c.get("p") is not None
         and c["p"] < 0.05]
if changes:
    st.subheader(md("what_changed", wave=next(iter(changes.values()))["from"]))
    for c in sorted(moved, key=lambda c: -abs(c["diff"])):
        st.markdown("- " + tr("change_up" if c["diff"] > 0 else "change_down",
                              name=escape_markdown(ctx.name(c["name"])), before=num(c["value_from"]),
                              after=num(c["value_to"]), p=p_text(c["p"])))
    if not moved:
        st.markdown(tr("no_change"))
    st.caption(tr("change_caption"))

st.subheader(tr("dimension_scores"))
show_chart(charts.dimension_scores(r, ctx.lang), key="dash_scores")
st.caption(tr("scores_caption", low=r["study"]["scale"]["min"], high=r["study"]["scale"]["max"]))
trend = charts.trend_chart(r, focus, ctx.lang)
if trend is not None:
    show_chart(trend, key="dash_trend")

