"""The key charts as matplotlib figures (Agg) in the report's CJK font, for the Word report's
figure section (:func:`.docx.chart_images`).

The HTML report uses the interactive plotly figures of :mod:`analysis.charts`; their static export
would need kaleido and a browser, and the PDF draws its own vector versions in Typst
(:mod:`.pdf_charts`), so the Word report gets these matplotlib pictures of the key ones: the structural model's path diagram, dimension scores with 95% CIs, the
customer/company gap per dimension, the IPA quadrants, the key drivers, the loyalty ladder per
lifecycle stage and the comment keywords. They only lay out numbers from results.json.
"""
from __future__ import annotations

import io
from functools import lru_cache
from typing import Iterator

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ..charts import COLORS, display_name, ladder_level_name  # noqa: E402
from ..i18n import t  # noqa: E402
from .. import pls_charts  # noqa: E402

__all__ = ["section_figures", "figure_png", "CHART_SECTIONS"]

#: the report sections that have charts here, in report order
CHART_SECTIONS = ("pls", "indices", "gaps", "ipa", "drivers", "ladder", "text")

BAD, GOOD = "#D55E00", "#009E73"


@lru_cache(maxsize=4)
def _family(font) -> str:
    """Register the CJK font (the face chosen in a collection) with matplotlib; its family name."""
    font_manager.fontManager.addfont(font.path)
    for entry in font_manager.fontManager.ttflist:
        if entry.fname == font.path and getattr(entry, "index", 0) == font.index:
            return entry.name
    return font_manager.FontProperties(fname=font.path).get_name()


def _figure(font, height: float) -> Figure:
    fig = Figure(figsize=(8, height), dpi=150)
    fig.set_layout_engine("constrained")
    fig.font_family = _family(font)
    return fig


def figure_png(fig: Figure, dpi: int | None = None) -> bytes:
    """The figure as PNG, every text in the report's CJK font, at ``dpi`` (default the figure's).

    zlib's fastest level: at 300 dpi the default level 6 spent ~0.1 s per figure compressing (a
    fifth of the Word report's time) for files a quarter smaller."""
    for text in fig.findobj(matplotlib.text.Text):
        text.set_fontfamily(fig.font_family)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi or fig.dpi, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _half_widths(mean: float, ci) -> tuple[float, float]:
    """The error bar below and above a mean; none (0, 0) where the interval is undefined (n < 2)."""
    if not ci or ci[0] is None or ci[1] is None:
        return 0.0, 0.0
    return mean - ci[0], ci[1] - mean


def _dimension_scores(results: dict, lang: str, font) -> Figure | None:
    indices = results.get("indices") or {}
    dims = list((results.get("study") or {}).get("dimensions") or {})
    groups = [g for g in indices if indices[g].get("dimensions")]
    if not dims or not groups:
        return None
    fig = _figure(font, 1.2 + 0.45 * len(dims))
    ax = fig.subplots()
    height = 0.8 / len(groups)
    for k, group in enumerate(groups):
        rows = indices[group]["dimensions"]
        ys = [i + k * height for i, d in enumerate(dims) if d in rows and rows[d].get("mean") is not None]
        shown = [d for d in dims if d in rows and rows[d].get("mean") is not None]
        means = [rows[d]["mean"] for d in shown]
        widths = [_half_widths(m, rows[d].get("ci")) for d, m in zip(shown, means)]
        err = [[below for below, _ in widths], [above for _, above in widths]]
        ax.barh(ys, means, height=height, xerr=err, color=COLORS[k % len(COLORS)],
                label=display_name(results, group, lang), error_kw={"elinewidth": 0.8, "capsize": 2})
    ax.set_yticks([i + 0.4 - height / 2 for i in range(len(dims))],
                  [display_name(results, d, lang, short=True) for d in dims])
    ax.invert_yaxis()
    scale = results["study"].get("scale") or {}
    ax.set_xlim(scale.get("min", 1), scale.get("max", 5))
    ax.set_xlabel(t("mean_score", lang))
    ax.set_title(t("chart_dimension_scores", lang), loc="left")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def _gaps(results: dict, lang: str, font) -> Iterator[Figure]:
    for pair, rows in (results.get("gaps") or {}).items():
        a, _, b = pair.partition("|")
        rows = [r for r in rows if r["level"] == "dimension" and r.get("mean_a") is not None
                and r.get("mean_b") is not None]
        if not rows:
            continue
        fig = _figure(font, 1.2 + 0.45 * len(rows))
        ax = fig.subplots()
        for i, r in enumerate(rows):
            ax.plot([r["mean_a"], r["mean_b"]], [i, i], color=BAD if r.get("flag") else "#999",
                    lw=2, zorder=1)
        ax.scatter([r["mean_a"] for r in rows], range(len(rows)), color=COLORS[0], zorder=2,
                   label=display_name(results, a, lang))
        ax.scatter([r["mean_b"] for r in rows], range(len(rows)), color=COLORS[1], zorder=2,
                   label=display_name(results, b, lang))
        ax.set_yticks(range(len(rows)), [display_name(results, r["name"], lang, short=True)
                                         + (" *" if r.get("flag") else "") for r in rows])
        ax.invert_yaxis()
        ax.set_xlabel(t("mean_score", lang))
        ax.set_title(t("chart_gap_dimensions", lang), loc="left")
        ax.legend(loc="lower right", fontsize=8)
        yield fig


def _ipa(results: dict, lang: str, font) -> Iterator[Figure]:
    for group, entry in (results.get("ipa") or {}).items():
        points = [p for p in entry.get("points") or []
                  if p.get("importance") is not None and p.get("performance") is not None]
        if not points:
            continue
        fig = _figure(font, 4.8)
        ax = fig.subplots()
        ax.scatter([p["performance"] for p in points], [p["importance"] for p in points],
                   color=COLORS[0])
        for p in points:
            ax.annotate(display_name(results, p["name"], lang, short=True),
                        (p["performance"], p["importance"]), xytext=(4, 3), textcoords="offset points",
                        fontsize=8)
        ax.margins(0.18)  # room for the quadrant names in the corners
        ax.axvline(entry["performance_center"], color="#999", ls="--", lw=0.8)
        ax.axhline(entry["importance_center"], color="#999", ls="--", lw=0.8)
        for x, y, key, ha, va in ((0.01, 0.99, "concentrate_here", "left", "top"),
                                  (0.99, 0.99, "keep_up", "right", "top"),
                                  (0.01, 0.01, "low_priority", "left", "bottom"),
                                  (0.99, 0.01, "possible_overkill", "right", "bottom")):
            ax.text(x, y, t(key, lang), transform=ax.transAxes, ha=ha, va=va, fontsize=8, color="#666")
        ax.set_xlabel(t("performance", lang))
        ax.set_ylabel(t("importance", lang))
        ax.set_title(f"{t('chart_ipa', lang)} — {display_name(results, group, lang)}", loc="left")
        yield fig


def _drivers(results: dict, lang: str, font) -> Iterator[Figure]:
    for group, outcomes in (results.get("drivers") or {}).items():
        for outcome, model in outcomes.items():
            preds = [p for p in (model or {}).get("predictors") or [] if p.get("rescaled_weight") is not None]
            if not preds:
                continue
            fig = _figure(font, 1.2 + 0.4 * len(preds))
            ax = fig.subplots()
            ax.barh(range(len(preds)), [100 * p["rescaled_weight"] for p in preds], color=COLORS[2])
            ax.set_yticks(range(len(preds)),
                          [display_name(results, p["name"], lang, short=True) for p in preds])
            ax.invert_yaxis()
            ax.set_xlabel(t("share_of_r2", lang))
            ax.set_title(f"{t('chart_drivers', lang)}: {t(outcome, lang)} — "
                         f"{display_name(results, group, lang)}", loc="left")
            yield fig


def _pls(results: dict, lang: str, font) -> Iterator[Figure]:
    """The path diagram of each group's structural model, laid out as in the app
    (:func:`analysis.pls_charts.diagram_layout`)."""
    from matplotlib.patches import Rectangle

    for group, entry in (results.get("pls") or {}).items():
        if not entry.get("paths"):
            continue
        paths, position = pls_charts.model_layout(entry)
        xs, ys = [x for x, _ in position.values()], [y for _, y in position.values()]
        fig = _figure(font, 1.0 + 0.9 * (max(ys) - min(ys) + 1))
        ax = fig.subplots()
        ends = [pls_charts.arrow_ends(position[a], position[b]) for a, b in paths]
        for (a, b), (start, end), spot in zip(paths, ends,
                                              pls_charts.label_spots(ends, position)):
            p = entry["paths"][f"{a}->{b}"]
            color = "#1f3b57" if p["p"] is None or p["p"] < 0.05 else "#9a9a9a"
            ax.annotate("", xy=end, xytext=start, arrowprops={
                "arrowstyle": "-|>", "color": color, "lw": 0.8 + 2 * min(abs(p["coef"]), 1)})
            ax.text(*spot, f"{p['coef']:.2f}{pls_charts.stars(p['p'])}", ha="center",
                    va="center", fontsize=9, color=color,
                    bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"})
        for c, (x, y) in position.items():
            r2 = (entry.get("r2") or {}).get(c)
            ax.add_patch(Rectangle((x - pls_charts.BOX_W / 2, y - pls_charts.BOX_H / 2),
                                   pls_charts.BOX_W, pls_charts.BOX_H, ec=COLORS[0],
                                   fc="#e8f1f8" if r2 is not None else "white"))
            lines = [pls_charts.construct_name(results, c, lang, short=True)]
            if r2 is not None:
                lines.append(f"R² = {r2:.2f}")
            ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=10)
        ax.set_xlim(min(xs) - 0.45, max(xs) + 0.45)
        ax.set_ylim(min(ys) - 0.4, max(ys) + 0.4)
        ax.axis("off")
        ax.set_title(f"{t('pls_diagram', lang)} — {display_name(results, group, lang)} "
                     f"(n = {entry['n']})", loc="left")
        yield fig


def _keywords(results: dict, lang: str, font, top: int = 10) -> Iterator[Figure]:
    """The words that separate detractors (left) from promoters (right): z of the weighted
    log-odds ratio, one chart per group and comments column."""
    from ..charts import keyword_groups_by_nps

    for group, columns in (results.get("text") or {}).items():
        by_nps = keyword_groups_by_nps(results, group)
        for column, entry in columns.items():
            keywords = entry.get("keywords") or {}
            left, right = (keywords.get("detractors") or [])[:top], (keywords.get("promoters")
                                                                      or [])[:top]
            if not left and not right:
                continue
            rows = [(k["term"], -k["z"], BAD) for k in left] + [(k["term"], k["z"], GOOD)
                                                                 for k in right]
            fig = _figure(font, 1.0 + 0.18 * len(rows))
            ax = fig.subplots()
            ax.barh(range(len(rows)), [z for _, z, _ in rows], color=[c for _, _, c in rows])
            ax.set_yticks(range(len(rows)), [term for term, _, _ in rows])
            ax.invert_yaxis()
            ax.axvline(0, color="#444", linewidth=0.8)
            ax.set_xlabel(t("text_z_axis", lang))
            sides = (t("detractors" if by_nps else "text_low_satisfaction", lang),
                     t("promoters" if by_nps else "text_high_satisfaction", lang))
            ax.set_title(f"{t('chart_keywords', lang)} — {display_name(results, group, lang)} "
                         f"({sides[0]} / {sides[1]})", loc="left")
            yield fig


def _ladder(results: dict, lang: str, font) -> Iterator[Figure]:
    """The loyalty ladder per lifecycle stage: stacked level shares (as charts.ladder_chart)."""
    for group, entry in (results.get("ladder") or {}).items():
        if not entry.get("n"):
            continue
        rungs = entry["rungs"]
        bars = [(t("ladder_all", lang), entry["n"], entry["levels"])]
        bars += [(t(f"stage_{stage}", lang), cell["n"], cell["levels"])
                 for stage, cell in (entry.get("by_stage") or {}).items()]
        fig = _figure(font, 3.8)
        ax = fig.subplots()
        bottom = [0.0] * len(bars)
        for level in range(len(rungs) + 1):
            shares = [100 * (levels[str(level)]["share"] or 0) for _, _, levels in bars]
            color = (0.0, 0.447, 0.698, 0.15 + 0.85 * level / len(rungs)) if level else "#CCCCCC"
            ax.bar([f"{name}\nn = {n}" for name, n, _ in bars], shares, bottom=bottom, color=color,
                   label=ladder_level_name(results, rungs, level, lang))
            bottom = [b + v for b, v in zip(bottom, shares)]
        ax.set_ylim(0, 100)
        ax.set_ylabel(t("share_percent", lang))
        ax.set_title(f"{t('chart_ladder', lang)} — {display_name(results, group, lang)}", loc="left")
        handles, labels = ax.get_legend_handles_labels()  # top rung on top, as in the bars
        ax.legend(handles[::-1], labels[::-1], loc="center left", bbox_to_anchor=(1.0, 0.5),
                  fontsize=7)
        yield fig


def section_figures(results: dict, key: str, lang: str, font) -> Iterator[Figure]:
    """The matplotlib figures of one report section (:data:`CHART_SECTIONS`), titled."""
    if key == "indices":
        fig = _dimension_scores(results, lang, font)
        if fig is not None:
            yield fig
    elif key == "gaps":
        yield from _gaps(results, lang, font)
    elif key == "ipa":
        yield from _ipa(results, lang, font)
    elif key == "drivers":
        yield from _drivers(results, lang, font)
    elif key == "pls":
        yield from _pls(results, lang, font)
    elif key == "text":
        yield from _keywords(results, lang, font)
    elif key == "ladder":
        yield from _ladder(results, lang, font)
