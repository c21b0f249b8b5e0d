"""Structural model: the PLS path diagram, the structural and measurement tables, discriminant
validity, and the model's 0-100 indices with the importance-performance map."""
import streamlit as st

from analysis import pls_charts
from analysis.pls_charts import construct_name, stars
from ui.pls_view import note_text
from ui.setup import ci, escape_markdown, num, page, pick_group, pval, show_chart, show_table, tr

ctx = page("page_structural", "structural_caption")
if ctx is None:
    st.stop()
r = ctx.results
section = r.get("pls") or {}
if ctx.data.study.pls is None:
    st.info(tr("pls_no_model"))
    st.stop()
if not section:
    st.info(tr("pls_no_group"))
    st.stop()
group = pick_group(ctx, list(section), key="pls_group")
entry = section[group]


def name(code: str) -> str:
    return construct_name(r, code, ctx.lang)


def path_name(key: str) -> str:
    source, target = key.split("->")
    return f"{name(source)} → {name(target)}"


for note in entry.get("warnings") or []:
    st.warning(escape_markdown(note_text(note, ctx.lang)))
if entry.get("error"):
    st.error(f"**{tr('pls_error_title')}**: {escape_markdown(note_text(entry['error'], ctx.lang))}")
    st.stop()

boot = entry["bootstrap"]
show_chart(pls_charts.path_diagram(r, group, ctx.lang), key="pls_diagram")
st.caption(tr("pls_diagram_caption", resamples=boot["used"], df=boot["df"]) if boot["used"]
           else tr("pls_diagram_caption_no_boot"))
quality = entry["quality"]
st.caption(tr("pls_fit_caption", n=entry["n"], dropped=entry["n_dropped"],
              iterations=entry["iterations"], scheme=entry["model"]["scheme"],
              srmr=num(quality.get("srmr"), 3), gof=num(quality.get("gof"), 3)))

structural, measurement, validity, indices = st.tabs(
    [tr("pls_tab_structural"), tr("pls_tab_measurement"), tr("pls_tab_validity"),
     tr("pls_tab_indices")])
with structural:
    show_table([{tr("pls_path"): path_name(key), tr("pls_coef"): num(p["coef"], 3) + stars(p["p"]),
                 tr("rep_se"): num(p["se"], 3), "t": num(p["t"]), "p": pval(p["p"]),
                 tr("pls_ci"): ci(p["ci"], 3), tr("pls_f2"): num(quality["f2"].get(key), 3),
                 tr("pls_vif"): num(quality["vif"].get(key))}
                for key, p in entry["paths"].items()])
    show_table([{tr("pls_construct"): name(c), tr("pls_r2"): num(v, 3),
                 tr("pls_r2_adj"): num(entry["r2_adj"].get(c), 3)}
                for c, v in entry["r2"].items()])
    st.markdown(f"**{tr('pls_total_effects')}**")
    show_table([{tr("pls_path"): path_name(key), tr("pls_total"): num(v, 3)}
                for key, v in entry["total_effects"].items()])
with measurement:
    show_table([{tr("pls_construct"): name(c), tr("pls_mode"): tr(f"pls_mode_{q['mode']}"),
                 tr("pls_items"): q["items"], tr("pls_alpha"): num(q["alpha"], 3),
                 tr("pls_rho_c"): num(q["rho_c"], 3), tr("pls_rho_a"): num(q["rho_a"], 3),
                 tr("pls_ave"): num(q["ave"], 3), tr("pls_eig1"): num(q["eigenvalues"][0]),
                 tr("pls_eig2"): num(q["eigenvalues"][1])}
                for c, q in quality["constructs"].items()])
    st.caption(tr("pls_reliability_caption"))
    st.markdown(f"**{tr('pls_outer')}**")
    show_table([{tr("item"): ctx.name(item), tr("pls_construct"): name(o["construct"]),
                 tr("pls_weight"): num(o["weight"], 3), tr("pls_weight_ci"): ci(o["ci"], 3),
                 tr("pls_loading"): num(o["loading"], 3),
                 tr("pls_loading_ci"): ci(o["loading_ci"], 3)}
                for item, o in entry["outer"].items()])
with validity:
    constructs = list(entry["model"]["constructs"])
    st.markdown(f"**{tr('pls_htmt')}**")
    htmt = quality["htmt"]
    show_table([{tr("pls_construct"): name(a),
                 **{name(b): num((htmt.get(b) or {}).get(a)) if j < i else ""
                    for j, b in enumerate(constructs[:-1])}}
                for i, a in enumerate(constructs) if i])
    st.caption(tr("pls_htmt_caption"))
    st.markdown(f"**{tr('pls_fornell_larcker')}**")
    corr = quality["construct_correlations"]
    ave = {c: quality["constructs"][c]["ave"] for c in constructs}
    show_table([{tr("pls_construct"): name(a),
                 **{name(b): "" if j > i else num(ave[a] ** 0.5, 3) if j == i and ave[a] is not None
                    else num(corr[a][b], 3) for j, b in enumerate(constructs)}}
                for i, a in enumerate(constructs)])
    st.caption(tr("pls_fornell_larcker_caption"))
    st.markdown(f"**{tr('pls_cross_loadings')}**")
    show_table([{tr("item"): ctx.name(item), **{name(c): num(v, 3) for c, v in row.items()}}
                for item, row in quality["cross_loadings"].items()])
with indices:
    st.markdown(f"**{tr('pls_indices')}**")
    show_table([{tr("pls_construct"): name(c), tr("pls_index"): num(v, 1),
                 tr("pls_ci"): ci(entry["indices_ci"].get(c), 1)}
                for c, v in entry["indices"].items()])
    st.caption(tr("pls_indices_caption"))
    waves = entry.get("waves") or {}
    if waves:
        st.markdown(f"**{tr('pls_waves')}**")
        show_table([{tr("wave"): wave, tr("n"): w.get("n"),
                     **{name(c): num((w.get("indices") or {}).get(c), 1) for c in constructs}}
                    for wave, w in waves.items()])
    show_chart(pls_charts.ipma_chart(r, group, ctx.lang), key="pls_ipma")
    st.caption(tr("pls_ipma_caption"))
