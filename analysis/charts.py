"""Plotly figures built from the sections of ``results.json``, for the app and the reports.

Every builder takes the whole results dict (display names come from ``results["study"]["names"]``,
labels from the translation table :mod:`analysis.i18n`) and the language, and returns a
``plotly.graph_objects.Figure`` — or ``None`` when the section has nothing to draw. Nothing here is
computed: the figures only lay out numbers that ``analysis`` already computed, with the confidence
intervals as error bars and the usual thresholds as lines. No streamlit import: the HTML/PDF
report uses the same figures.

The font family lists CJK fonts first so that Chinese renders in browsers and in static exports.
"""
from __future__ import annotations

import re
import weakref
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache, wraps
from html import escape
from typing import Any

from surveys.study import DEFAULT_NAMES, question_text

from .i18n import t

__all__ = [
    "FONT_FAMILY", "COLORS", "display_name", "plain_label", "wave_name", "single_unnamed_wave",
    "format_p", "p_text", "dimension_scores",
    "alpha_chart", "gap_dumbbell",
    "servqual_chart", "cb_ratio_chart", "nps_chart", "trend_chart", "ipa_chart", "drivers_chart",
    "pareto_chart", "segment_scores", "comparison_chart", "loadings_heatmap", "htmt_heatmap",
    "ave_chart", "cfa_loadings_chart", "kano_chart", "keyword_chart", "keyword_groups_by_nps",
    "rung_name", "ladder_level_name", "ladder_chart", "plain_json",
]

#: whether the figures built here are plain JSON objects (see :func:`plain_json`)
_PLAIN: ContextVar[bool] = ContextVar("plain_json_figures", default=False)


class _Plotly:
    """``plotly.graph_objects``, imported on first use: the reports' tables and the PDF use the
    names and colours of this module without plotly's import cost. Inside :func:`plain_json`,
    its figures and traces are those of :mod:`analysis.figure_json` instead."""

    def __getattr__(self, name: str):
        if _PLAIN.get():
            from . import figure_json

            return getattr(figure_json, name)
        import plotly.graph_objects

        return getattr(plotly.graph_objects, name)


go = _Plotly()


@contextmanager
def plain_json():
    """Build figures as plain JSON objects (:class:`analysis.figure_json.Figure`, for this
    thread or task only), not plotly's ``go.Figure``: the HTML report, which only hands the
    JSON to plotly.js, builds its ~40 figures in ~0.1 s instead of ~2 s and never imports
    plotly's validators. The JSON is the same objects (``tests/test_report.py`` builds every
    chart of the report both ways); figures built here are not kept (:func:`_kept`)."""
    token = _PLAIN.set(True)
    try:
        yield
    finally:
        _PLAIN.reset(token)

FONT_FAMILY = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
#: colour-blind safe (Okabe-Ito); first two for the compared groups
COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
BAD, GOOD, NEUTRAL = "#D55E00", "#009E73", "#7F7F7F"
ALPHA_BAR, AVE_BAR, HTMT_BAR = 0.7, 0.5, 0.85
LABEL_CHARS = 18
#: an item code worth showing in front of the item's name ("ID1", "Q8_1"; not a question text)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


_TAG = re.compile(r"<[^<>]*>")


def plain_label(text: Any) -> str:
    """Data text (a name, a segment answer, a wave) for a plotly label: plotly draws ``<a
    href=…>``, ``<b>``, ``<br>`` and ``<span style=…>`` in labels as markup, so a name holding
    ``<a href="https://…">`` would be a working link in the app and the HTML report; every tag
    is removed."""
    return _TAG.sub("", str(text))


def display_name(results: dict, code: str, lang: str = "zh", short: bool = False) -> str:
    """The study's display name of a group, dimension or item (as ``Study.name``, without the
    questionnaire's numbering: :func:`surveys.study.question_text`; customers / employees have
    default names, :data:`surveys.study.DEFAULT_NAMES`); another group without a name that
    is a known term gets the term's label; items get their code in
    front, and ``short`` cuts long names to :data:`LABEL_CHARS` characters. Tags are removed
    (:func:`plain_label`)."""
    study = results.get("study", {})
    names = (study.get("names") or {}).get(code) or DEFAULT_NAMES.get(code, {})
    given = names.get(lang) or names.get("zh") or names.get("en")
    name = plain_label(question_text(given or code))
    if given is None and code in (study.get("groups") or {}) and t(code, lang) != code:
        name = t(code, lang)
    if given is None:  # an expectation or importance question named after what it asks about
        for role in ("expectation", "importance"):
            target = next((k for k, v in (study.get(role) or {}).items() if v == code), None)
            if target is not None:
                name = t(f"name_{role}", lang, name=display_name(results, target, lang))
    items = {i for members in study.get("dimensions", {}).values() for i in members}
    if given and code in items and _IDENTIFIER.fullmatch(code) and name != plain_label(code):
        name = f"{plain_label(code)} {name}"
    if short and len(name) > LABEL_CHARS:
        name = name[:LABEL_CHARS - 1] + "…"
    return name


def wave_name(results: dict, wave: str, lang: str = "zh") -> str:
    """A wave as a reader should see it: its display name from the study's ``names``, else a
    year as a year ("2019 年度") and anything else as a numbered wave ("第 1 轮", "wave 1")."""
    names = results.get("study", {}).get("names", {}).get(str(wave))
    if names:
        return names.get(lang) or names.get("zh") or names.get("en")
    key = "wave_year" if re.fullmatch(r"(?:19|20)\d\d", str(wave)) else "wave_number"
    return t(key, lang, wave=wave)


def single_unnamed_wave(results: dict) -> bool:
    """True when the study has one wave that nobody named (the default "1"): not worth saying."""
    study = results.get("study", {})
    wave = str(study.get("wave"))
    return (len(study.get("waves") or {}) <= 1 and wave not in (study.get("names") or {})
            and not re.fullmatch(r"(?:19|20)\d\d", wave))


#: the trace types the charts draw (their defaults are all a figure needs of its template)
TRACE_TYPES = ("bar", "scatter", "heatmap")


@lru_cache(maxsize=1)
def _template_json() -> dict:
    """plotly's ``plotly_white`` cut down to its layout and the defaults of :data:`TRACE_TYPES`:
    the charts look the same, and each figure validates and copies about a third of the template
    (the whole one, with defaults for 24 trace types, cost ~40 ms per figure). Read from
    plotly's own file, as :data:`plotly.io.templates` reads it, without its validators."""
    import json
    import pkgutil

    white = json.loads(pkgutil.get_data("plotly", "package_data/templates/plotly_white.json"))
    return {"layout": white["layout"], "data": {k: white["data"][k] for k in TRACE_TYPES}}


@lru_cache(maxsize=1)
def _template():
    """:func:`_template_json` as plotly's template object (validated once)."""
    return go.layout.Template(_template_json())


def _set_template(fig) -> None:
    """Give ``fig`` the charts' template: the JSON object itself for a plain figure (the HTML
    report writes it once for all figures); for plotly's, assigned without validating it
    again, as plotly assigns its default template (a validated copy cost ~15 ms per figure)."""
    if isinstance(fig.layout, dict):  # analysis.figure_json.Figure
        fig.layout["template"] = _template_json()
        return
    fig.layout._validate = False
    try:
        fig.layout.template = _template()
    finally:
        fig.layout._validate = fig._validate


def _layout(fig: go.Figure, title: str, x_title: str | None = None, y_title: str | None = None,
            height: int | None = None) -> go.Figure:
    _set_template(fig)
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT_FAMILY, "size": 13},
        margin={"l": 10, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        hoverlabel={"font": {"family": FONT_FAMILY}},
    )
    if height:
        fig.update_layout(height=height)
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig


def _ci_error(values: list, cis: list) -> dict:
    """Asymmetric error bars from [low, high] intervals (missing ends draw no bar)."""
    plus = [None if v is None or c is None or c[1] is None else c[1] - v for v, c in zip(values, cis)]
    minus = [None if v is None or c is None or c[0] is None else v - c[0] for v, c in zip(values, cis)]
    return {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus,
            "color": "#444", "thickness": 1.2, "width": 4}


def _fmt(value: Any, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _percent(share: float | None, digits: int = 0) -> str:
    return "–" if share is None else f"{share * 100:.{digits}f}%"


def _ci_text(ci: list | None, digits: int = 2) -> str:
    return "–" if not ci or ci[0] is None else f"[{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"


def _scale(results: dict) -> tuple[float, float]:
    scale = results.get("study", {}).get("scale") or {}
    return scale.get("min", 1.0), scale.get("max", 5.0)


def dimension_scores(results: dict, lang: str = "zh", groups: list[str] | None = None):
    """Mean dimension scores with 95% CIs, one bar colour per group (``indices`` section)."""
    indices = results.get("indices") or {}
    groups = [g for g in (groups or list(indices)) if indices.get(g)]
    if not groups:
        return None
    fig = go.Figure()
    dims = list(results["study"]["dimensions"])
    for i, group in enumerate(groups):
        rows = indices[group].get("dimensions") or {}
        shown = [d for d in dims if d in rows]
        means = [rows[d]["mean"] for d in shown]
        cis = [rows[d]["ci"] for d in shown]
        fig.add_bar(
            y=[display_name(results, d, lang) for d in shown], x=means, orientation="h",
            name=display_name(results, group, lang), marker_color=COLORS[i % len(COLORS)],
            error_x=_ci_error(means, cis),
            customdata=[[rows[d]["n"], _ci_text(rows[d]["ci"]), _fmt(rows[d].get("top2"), 2)]
                        for d in shown],
            hovertemplate=("%{y}: %{x:.2f}<br>" + t("ci95", lang) + " %{customdata[1]}<br>n = "
                           "%{customdata[0]}<br>" + t("top2", lang) + " %{customdata[2]}"
                           "<extra>%{fullData.name}</extra>"))
    low, high = _scale(results)
    fig.update_xaxes(range=[low, high])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t("chart_dimension_scores", lang), t("mean_score", lang), None,
                   height=120 + 30 * len(dims) * len(groups))


def _unit_range(values: list[float]) -> list[float]:
    """An axis from 0 to 1 widened to show every value: a negative loading or alpha (a
    reverse-worded item not declared) would otherwise be an empty bar."""
    low, high = min([0.0, *values]), max([1.0, *values])
    pad = 0.05 if low < 0 or high > 1 else 0.0
    return [low - pad if low < 0 else 0.0, high + pad if high > 1 else 1.0]


def alpha_chart(results: dict, group: str, lang: str = "zh"):
    """Cronbach's alpha per dimension with its CI, the .70 bar drawn (``reliability``)."""
    rows = (results.get("reliability") or {}).get(group) or {}
    if not rows:
        return None
    dims = list(rows)
    alphas = [rows[d]["alpha"] for d in dims]
    if all(a is None for a in alphas):
        return None  # every dimension below the minimum sample size (analysis.minimum)
    colors = [NEUTRAL if a is None else GOOD if a >= ALPHA_BAR else BAD for a in alphas]
    fig = go.Figure(go.Bar(
        y=[display_name(results, d, lang) for d in dims], x=alphas, orientation="h",
        marker_color=colors, error_x=_ci_error(alphas, [rows[d].get("alpha_ci") for d in dims]),
        customdata=[[rows[d]["n"], rows[d]["k"], _ci_text(rows[d].get("alpha_ci"), 3)] for d in dims],
        hovertemplate="%{y}: α = %{x:.3f}<br>" + t("ci95", lang)
                      + " %{customdata[2]}<br>n = %{customdata[0]}, k = %{customdata[1]}<extra></extra>",
        name=t("alpha", lang)))
    fig.add_vline(x=ALPHA_BAR, line_dash="dash", line_color=BAD,
                  annotation_text="α = .70", annotation_position="top")
    fig.update_xaxes(range=_unit_range([a for a in alphas if a is not None]))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, f"{t('alpha', lang)} — {display_name(results, group, lang)}",
                   t("alpha", lang), None, height=140 + 40 * len(dims))


def gap_dumbbell(results: dict, lang: str = "zh", level: str = "dimension",
                 pair: str | None = None):
    """Both groups' means per dimension (or item) joined by a line; significant gaps (after the
    multiple-test adjustment) drawn in colour and marked with * (``gaps`` section)."""
    gaps = results.get("gaps") or {}
    if not gaps:
        return None
    pair = pair or next(iter(gaps))
    rows = [r for r in gaps[pair] if r["level"] == level]
    if not rows:
        return None
    group_a, group_b = pair.split("|")
    labels = [display_name(results, r["name"], lang, short=True) + (" *" if r.get("flag") else "")
              for r in rows]
    fig = go.Figure()
    for r, label in zip(rows, labels):
        fig.add_scatter(x=[r["mean_a"], r["mean_b"]], y=[label, label], mode="lines",
                        line={"color": BAD if r.get("flag") else "#BBBBBB", "width": 3},
                        showlegend=False, hoverinfo="skip")
    hover = ("%{y}<br>%{fullData.name}: %{x:.2f} (n = %{customdata[0]})<br>" + t("gap", lang)
             + " = %{customdata[1]}, " + t("p_adj", lang) + " %{customdata[2]}, g = %{customdata[3]}"
             "<extra></extra>")
    for i, (group, key) in enumerate(((group_a, "a"), (group_b, "b"))):
        fig.add_scatter(
            x=[r[f"mean_{key}"] for r in rows], y=labels, mode="markers",
            marker={"size": 12, "color": COLORS[i]}, name=display_name(results, group, lang),
            customdata=[[r[f"n_{key}"], _fmt(r["diff"]), format_p(r.get("p_adj")),
                         _fmt(r.get("hedges_g"))] for r in rows],
            hovertemplate=hover)
    fig.update_yaxes(autorange="reversed")
    title = t("chart_gap_dimensions" if level == "dimension" else "chart_gap_items", lang)
    return _layout(fig, title, t("mean_score", lang), None, height=140 + 34 * len(rows))


def _significant(p: float | None, level: float = 0.05) -> bool:
    """A known p below ``level`` (a p that underflowed to 0.0 is significant, not missing)."""
    return p is not None and p < level


def format_p(p: float | None) -> str:
    """A p-value as people read it: ``<.001`` below .001, else three decimals without the 0."""
    if p is None:
        return "–"
    if p < 0.001:
        return "<.001"
    return f"{p:.3f}".lstrip("0") if p < 1 else "1.000"


def p_text(p: float | None) -> str:
    """``p < .001`` or ``p = .042``."""
    text = format_p(p)
    return f"p {text[0]} {text[1:]}" if text.startswith("<") else f"p = {text}"


def servqual_chart(results: dict, group: str, lang: str = "zh", level: str = "item"):
    """Perception minus expectation per item with its 95% CI (``servqual`` section)."""
    rows = [r for r in ((results.get("servqual") or {}).get(group) or []) if r["level"] == level]
    if not rows:
        return None
    gaps = [r["mean_gap"] for r in rows]
    labels = [display_name(results, r["name"], lang, short=True) for r in rows]
    fig = go.Figure(go.Bar(
        y=labels, x=gaps, orientation="h",
        marker_color=[BAD if _significant(r.get("p_adj")) and g < 0 else NEUTRAL
                      for r, g in zip(rows, gaps)],
        error_x=_ci_error(gaps, [r.get("gap_ci") for r in rows]),
        customdata=[[_fmt(r["mean_perception"]), _fmt(r["mean_expectation"]), r["n"],
                     format_p(r.get("p_adj"))] for r in rows],
        hovertemplate=("%{y}<br>" + t("perception", lang) + " %{customdata[0]} − "
                       + t("expectation", lang) + " %{customdata[1]} = %{x:.2f}<br>n = "
                       "%{customdata[2]}, " + t("p_adj", lang) + " %{customdata[3]}<extra></extra>")))
    fig.add_vline(x=0, line_color="#444")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t("chart_servqual", lang), t("gap_perception_expectation", lang), None,
                   height=140 + 36 * len(rows))


def cb_ratio_chart(results: dict, group: str, lang: str = "zh"):
    """C = b/a per dimension, the line C = 1 drawn (``indices.GROUP.cb_ratio``)."""
    rows = ((results.get("indices") or {}).get(group) or {}).get("cb_ratio") or {}
    if not rows:
        return None
    dims = list(rows)
    values = [rows[d]["ratio_of_means"] for d in dims]
    colors = {"dissatisfied": BAD, "satisfied": NEUTRAL, "delighted": GOOD}
    fig = go.Figure(go.Bar(
        y=[display_name(results, d, lang) for d in dims], x=values, orientation="h",
        marker_color=[colors.get(rows[d].get("class"), NEUTRAL) for d in dims],
        customdata=[[_fmt(rows[d]["mean_b"]), _fmt(rows[d]["mean_a"]), rows[d]["n"],
                     t(rows[d].get("class") or "", lang)] for d in dims],
        hovertemplate=("%{y}: C = %{x:.3f} (%{customdata[3]})<br>b = %{customdata[0]}, "
                       "a = %{customdata[1]}, n = %{customdata[2]}<extra></extra>")))
    fig.add_vline(x=1, line_dash="dash", line_color="#444", annotation_text="C = 1")
    fig.update_xaxes(range=[0, max([1.2, *(v * 1.05 for v in values if v is not None)])])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, t("chart_cb_ratio", lang), "C = b / a", None, height=140 + 40 * len(dims))


def nps_chart(results: dict, lang: str = "zh", groups: list[str] | None = None):
    """Shares of detractors, passives and promoters, one stacked bar per group."""
    indices = results.get("indices") or {}
    groups = [g for g in (groups or list(indices)) if ((indices.get(g) or {}).get("nps") or {}).get("n")]
    if not groups:
        return None
    fig = go.Figure()
    for kind, color in (("detractors", BAD), ("passives", "#BBBBBB"), ("promoters", GOOD)):
        fig.add_bar(
            y=[display_name(results, g, lang) for g in groups],
            x=[(indices[g]["nps"]["shares"][kind] or 0) * 100 for g in groups], orientation="h",
            name=t(kind, lang), marker_color=color,
            text=[_percent(indices[g]["nps"]["shares"][kind]) for g in groups],
            textposition="inside",
            customdata=[[indices[g]["nps"][kind], indices[g]["nps"]["n"]] for g in groups],
            hovertemplate="%{fullData.name}: %{x:.1f}% (%{customdata[0]} / %{customdata[1]})<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 100])
    return _layout(fig, t("chart_nps", lang), t("share_percent", lang), None,
                   height=180 + 40 * len(groups))


def trend_chart(results: dict, group: str, lang: str = "zh"):
    """Dimension scores across waves with 95% CIs (``trends.GROUP.by_wave``)."""
    trend = (results.get("trends") or {}).get(group) or {}
    by_wave = trend.get("by_wave") or {}
    if len(by_wave) < 2:
        return None
    waves = list(by_wave)
    fig = go.Figure()
    for i, dim in enumerate(results["study"]["dimensions"]):
        rows = [(by_wave[w].get("dimensions") or {}).get(dim) for w in waves]
        if not any(rows):
            continue
        means = [r["mean"] if r else None for r in rows]
        fig.add_scatter(
            x=[plain_label(w) for w in waves], y=means, mode="lines+markers",
            name=display_name(results, dim, lang),
            line={"color": COLORS[i % len(COLORS)]},
            error_y={**_ci_error(means, [r["ci"] if r else None for r in rows]),
                     "color": COLORS[i % len(COLORS)]},
            customdata=[[r["n"] if r else None, _ci_text(r["ci"] if r else None)] for r in rows],
            hovertemplate=("%{fullData.name} %{x}: %{y:.2f}<br>" + t("ci95", lang)
                           + " %{customdata[1]}, n = %{customdata[0]}<extra></extra>"))
    fig.update_xaxes(type="category")
    return _layout(fig, f"{t('chart_trend', lang)} — {display_name(results, group, lang)}",
                   t("wave", lang), t("mean_score", lang), height=420)


def ipa_chart(results: dict, group: str, lang: str = "zh"):
    """Importance-performance quadrants: cross-hairs at the means, quadrant names in the corners
    (``ipa`` section); "concentrate here" points in the warning colour."""
    section = (results.get("ipa") or {}).get(group) or {}
    points = [p for p in section.get("points") or []
              if p.get("performance") is not None and p.get("importance") is not None]
    if not points:
        return None
    colors = {"concentrate_here": BAD, "keep_up": GOOD, "low_priority": NEUTRAL,
              "possible_overkill": COLORS[0]}
    fig = go.Figure(go.Scatter(
        x=[p["performance"] for p in points], y=[p["importance"] for p in points],
        mode="markers+text", text=[display_name(results, p["name"], lang, short=True) for p in points],
        textposition="top center",
        marker={"size": 13, "color": [colors.get(p.get("quadrant"), NEUTRAL) for p in points]},
        customdata=[[t(p.get("quadrant") or "", lang), p.get("n")] for p in points],
        hovertemplate=("%{text}<br>" + t("performance", lang) + " %{x:.2f}, " + t("importance", lang)
                       + " %{y:.2f}<br>%{customdata[0]} (n = %{customdata[1]})<extra></extra>")))
    x0, y0 = section.get("performance_center"), section.get("importance_center")
    xs = [p["performance"] for p in points] + ([x0] if x0 is not None else [])
    ys = [p["importance"] for p in points] + ([y0] if y0 is not None else [])
    pad_x, pad_y = max(0.15, (max(xs) - min(xs)) * 0.25), max(0.15, (max(ys) - min(ys)) * 0.25)
    x_range, y_range = [min(xs) - pad_x, max(xs) + pad_x], [min(ys) - pad_y, max(ys) + pad_y]
    if x0 is not None and y0 is not None:
        fig.add_vline(x=x0, line_dash="dot", line_color="#888")
        fig.add_hline(y=y0, line_dash="dot", line_color="#888")
        corners = (("concentrate_here", x_range[0], y_range[1], "left", "top"),
                   ("keep_up", x_range[1], y_range[1], "right", "top"),
                   ("low_priority", x_range[0], y_range[0], "left", "bottom"),
                   ("possible_overkill", x_range[1], y_range[0], "right", "bottom"))
        for key, x, y, xanchor, yanchor in corners:
            fig.add_annotation(x=x, y=y, text=f"<b>{t(key, lang)}</b>", showarrow=False,
                               xanchor=xanchor, yanchor=yanchor,
                               font={"color": colors[key], "size": 13})
    fig.update_xaxes(range=x_range)
    fig.update_yaxes(range=y_range)
    return _layout(fig, f"{t('chart_ipa', lang)} — {display_name(results, group, lang)}",
                   t("performance", lang), t("importance", lang), height=520)


def drivers_chart(results: dict, group: str, outcome: str = "satisfaction", lang: str = "zh"):
    """Each dimension's share of the explained variance (relative weights, LMG where present) of
    overall satisfaction or loyalty, with the standardized beta and p in the hover (``drivers``)."""
    model = ((results.get("drivers") or {}).get(group) or {}).get(outcome) or {}
    predictors = model.get("predictors") or []
    if not predictors:
        return None
    key = "lmg_share" if all(p.get("lmg_share") is not None for p in predictors) else "rescaled_weight"
    if all(p.get(key) is None for p in predictors):
        return None  # no model: too few respondents (analysis.minimum)
    predictors = sorted(predictors, key=lambda p: p.get(key) or 0, reverse=True)
    shares = [(p.get(key) or 0) * 100 for p in predictors]
    fig = go.Figure(go.Bar(
        y=[display_name(results, p["name"], lang) for p in predictors], x=shares, orientation="h",
        marker_color=[COLORS[0] if _significant(p.get("p")) else "#BBBBBB" for p in predictors],
        text=[f"{s:.0f}%" for s in shares], textposition="outside",
        customdata=[[_fmt(p.get("beta")), p_text(p.get("p")), _fmt(p.get("vif"))]
                    for p in predictors],
        hovertemplate=("%{y}: %{x:.1f}%<br>β = %{customdata[0]}, %{customdata[1]}, VIF = "
                       "%{customdata[2]}<extra></extra>")))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, max(shares) * 1.2 if shares else 100])
    title = (f"{t('chart_drivers', lang)}: {t(outcome, lang)} "
             f"(R² = {_fmt(model.get('r2'))}, n = {model.get('n')})")
    return _layout(fig, title, t("share_of_r2", lang), None, height=140 + 40 * len(predictors))


def pareto_chart(results: dict, group: str, lang: str = "zh"):
    """Cumulative revenue share against cumulative customer share, coloured by ABC class, with the
    class cut-offs drawn (``segments.GROUP.abc``)."""
    abc = (((results.get("segments") or {}).get(group) or {}).get("abc")) or {}
    rows = abc.get("pareto") or []
    if not rows:
        return None
    fig = go.Figure()
    for i, cls in enumerate(("A", "B", "C")):
        part = [r for r in rows if r["class"] == cls]
        if part:
            fig.add_scatter(x=[r["cum_customers"] * 100 for r in part],
                            y=[r["cum_share"] * 100 for r in part], mode="markers",
                            marker={"size": 5, "color": COLORS[i]}, name=f"{cls}",
                            customdata=[[r["rank"], r["revenue"]] for r in part],
                            hovertemplate=(f"{cls} #%{{customdata[0]}}: %{{customdata[1]:.1f}}<br>"
                                           "%{x:.1f}% → %{y:.1f}%<extra></extra>"))
    for cut in abc.get("cutoffs") or []:
        fig.add_hline(y=cut * 100, line_dash="dash", line_color="#888",
                      annotation_text=f"{cut * 100:.0f}%", annotation_position="top left")
    fig.update_xaxes(range=[0, 100])
    fig.update_yaxes(range=[0, 101])
    return _layout(fig, t("chart_pareto", lang), t("cum_customers", lang), t("cum_revenue", lang),
                   height=420)


def segment_scores(results: dict, group: str, kind: str = "abc", lang: str = "zh"):
    """Satisfaction, loyalty and dimension means per ABC class, value-matrix cell or lifecycle
    stage (``segments.GROUP.abc.classes`` / ``value_matrix.cells`` / ``lifecycle.stages``)."""
    section = ((results.get("segments") or {}).get(group) or {}).get(kind) or {}
    cells = section.get({"abc": "classes", "value_matrix": "cells", "lifecycle": "stages"}[kind]) or {}
    cells = {k: v for k, v in cells.items() if v.get("n")}
    if not cells:
        return None
    measures = list(next(iter(cells.values()))["scores"])
    fig = go.Figure()
    for i, (key, cell) in enumerate(cells.items()):
        label = plain_label(cell.get(f"label_{lang}") or key)
        scores = cell["scores"]
        fig.add_bar(
            x=[t(m, lang) if m in ("satisfaction", "loyalty") else display_name(results, m, lang)
               for m in measures],
            y=[scores[m]["mean"] for m in measures], name=f"{label} (n = {cell['n']})",
            marker_color=COLORS[i % len(COLORS)],
            customdata=[[scores[m]["n"], _fmt(scores[m]["sd"])] for m in measures],
            hovertemplate=("%{x}: %{y:.2f} (n = %{customdata[0]}, SD %{customdata[1]})"
                           "<extra>%{fullData.name}</extra>"))
    low, high = _scale(results)
    fig.update_yaxes(range=[low, high])
    fig.update_layout(barmode="group")
    return _layout(fig, t(f"chart_segment_{kind}", lang), None, t("mean_score", lang), height=420)


def comparison_chart(results: dict, group: str, by: str, measure: str, lang: str = "zh"):
    """Mean of one dimension (or satisfaction) per level of a segment column (``comparisons``),
    with the ANOVA / Welch p-value in the title."""
    entry = (((results.get("comparisons") or {}).get(group) or {}).get(by) or {}).get(measure) or {}
    levels = entry.get("levels") or []
    if not levels:
        return None
    fig = go.Figure(go.Bar(
        x=[plain_label(lv["level"]) for lv in levels], y=[lv["mean"] for lv in levels],
        marker_color=[NEUTRAL if lv.get("small") else COLORS[0] for lv in levels],
        text=[f"n = {lv['n']}" for lv in levels], textposition="outside",
        customdata=[[lv["n"], _fmt(lv.get("sd"))] for lv in levels],
        hovertemplate="%{x}: %{y:.2f} (n = %{customdata[0]}, SD %{customdata[1]})<extra></extra>"))
    welch = entry.get("welch") or {}
    name = t(measure, lang) if measure == "satisfaction" else display_name(results, measure, lang)
    title = (f"{name} × {display_name(results, by, lang)} "
             f"(Welch F = {_fmt(welch.get('f'))}, {p_text(welch.get('p'))})")
    low, high = _scale(results)
    fig.update_yaxes(range=[low, high])
    return _layout(fig, title, display_name(results, by, lang), t("mean_score", lang), height=380)


def _diverging_scale(name: str) -> list:
    """A diverging colour scale of plotly's by name ("RdBu") as plotly's validation expands it
    (``plotly.colors.get_colorscale``, which imports plotly's validators, ~0.2 s): its colours
    evenly spaced, the positions rounded to 10 places (0.3, not 0.30…04)."""
    from plotly.colors import diverging, make_colorscale

    return [[round(at, 10), colour] for at, colour in make_colorscale(getattr(diverging, name))]


def _heatmap(matrix: list[list], x: list[str], y: list[str], title: str, lang: str,
             zmin: float, zmax: float, colorscale: str | list) -> go.Figure:
    text = [["" if v is None else f"{v:.2f}" for v in row] for row in matrix]
    scale = _diverging_scale(colorscale) if isinstance(colorscale, str) else colorscale
    fig = go.Figure(go.Heatmap(z=matrix, x=x, y=y, text=text, texttemplate="%{text}",
                               zmin=zmin, zmax=zmax, colorscale=scale,
                               hovertemplate="%{y} × %{x}: %{z:.3f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, None, None, height=160 + 26 * len(y))


def loadings_heatmap(results: dict, group: str, lang: str = "zh"):
    """EFA pattern loadings, items by factors (``validity.GROUP.efa.loadings``)."""
    efa = ((results.get("validity") or {}).get(group) or {}).get("efa") or {}
    loadings = efa.get("loadings") or {}
    if not loadings:
        return None
    items = list(loadings)
    k = len(next(iter(loadings.values())))
    return _heatmap([loadings[i] for i in items], [f"F{j + 1}" for j in range(k)],
                    [display_name(results, i, lang, short=True) for i in items],
                    f"{t('chart_loadings', lang)} — {display_name(results, group, lang)}",
                    lang, -1, 1, "RdBu")


def htmt_heatmap(results: dict, group: str, lang: str = "zh"):
    """HTMT ratios between dimensions (``validity.GROUP.cfa.htmt``, keys ``"a|b"``); cells at or
    above .85 in the warning colour (Henseler et al. 2015)."""
    cfa = ((results.get("validity") or {}).get(group) or {}).get("cfa") or {}
    pairs = {tuple(key.split("|")): value for key, value in (cfa.get("htmt") or {}).items()}
    if not pairs or all(v is None for v in pairs.values()):
        return None
    dims = list(dict.fromkeys(d for pair in pairs for d in pair))
    value = {**pairs, **{(b, a): v for (a, b), v in pairs.items()}}
    matrix = [[value.get((a, b)) for b in dims] for a in dims]
    names = [display_name(results, d, lang) for d in dims]
    return _heatmap(matrix, names, names, f"HTMT — {display_name(results, group, lang)} "
                    f"({t('threshold', lang)} {HTMT_BAR})", lang, 0, 1,
                    [[0, "#FFFFFF"], [HTMT_BAR - 0.001, "#9ecae1"], [HTMT_BAR, BAD], [1, BAD]])


def ave_chart(results: dict, group: str, lang: str = "zh"):
    """Composite reliability and AVE per dimension with the .70 (CR) and .50 (AVE) bars
    (``validity.GROUP.cfa.constructs``)."""
    cfa = ((results.get("validity") or {}).get(group) or {}).get("cfa") or {}
    constructs = {d: c for d, c in (cfa.get("constructs") or {}).items() if c and c.get("ave") is not None}
    if not constructs:
        return None
    dims = list(constructs)
    names = [display_name(results, d, lang) for d in dims]
    fig = go.Figure()
    for key, color, bar in (("cr", COLORS[1], ALPHA_BAR), ("ave", COLORS[0], AVE_BAR)):
        values = [constructs[d][key] for d in dims]
        fig.add_bar(y=names, x=values, orientation="h", name=key.upper(),
                    marker_color=[color if v is not None and v >= bar else BAD for v in values],
                    hovertemplate=f"%{{y}}: {key.upper()} = %{{x:.3f}}<extra></extra>")
        fig.add_vline(x=bar, line_dash="dash", line_color=color,
                      annotation_text=f"{key.upper()} {bar:.2f}".replace("0.", "."),
                      annotation_position="top" if key == "cr" else "bottom")
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(barmode="group")
    return _layout(fig, f"CR / AVE — {display_name(results, group, lang)}", None, None,
                   height=160 + 50 * len(dims))


def cfa_loadings_chart(results: dict, group: str, lang: str = "zh"):
    """Standardized CFA loadings per item, one colour per dimension, the .50 bar drawn
    (``validity.GROUP.cfa.loadings``)."""
    cfa = ((results.get("validity") or {}).get(group) or {}).get("cfa") or {}
    loadings = cfa.get("loadings") or {}
    if not loadings or all(v is None for v in loadings.values()):
        return None
    fig = go.Figure()
    for i, (dim, items) in enumerate(results["study"]["dimensions"].items()):
        shown = [item for item in items if loadings.get(item) is not None]
        if shown:
            fig.add_bar(y=[display_name(results, item, lang, short=True) for item in shown],
                        x=[loadings[item] for item in shown], orientation="h",
                        name=display_name(results, dim, lang), marker_color=COLORS[i % len(COLORS)],
                        hovertemplate="%{y}: λ = %{x:.3f}<extra>%{fullData.name}</extra>")
    fig.add_vline(x=AVE_BAR, line_dash="dash", line_color=BAD, annotation_text="λ = .50",
                  annotation_position="bottom right")
    fig.update_xaxes(range=_unit_range([v for v in loadings.values() if v is not None]))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, f"{t('chart_cfa_loadings', lang)} — {display_name(results, group, lang)}",
                   t("std_loading", lang), None, height=160 + 24 * len(loadings))


def kano_chart(results: dict, group: str, lang: str = "zh"):
    """Better-Worse diagram of the Kano features (Berger et al. 1993): |Worse| across, Better up,
    lines at .5 (``kano.GROUP.FEATURE.better`` / ``worse``)."""
    features = {f: e for f, e in ((results.get("kano") or {}).get(group) or {}).items()
                if e.get("better") is not None and e.get("worse") is not None}
    if not features:
        return None
    fig = go.Figure(go.Scatter(
        x=[abs(e["worse"]) for e in features.values()], y=[e["better"] for e in features.values()],
        mode="markers+text", text=[display_name(results, f, lang, short=True) for f in features],
        textposition="top center", marker={"size": 12, "color": COLORS[0]},
        customdata=[[e.get(f"label_{lang}") or e.get("category"), e["n"]] for e in features.values()],
        hovertemplate="%{text}: %{customdata[0]} (n = %{customdata[1]})<br>Better %{y:.2f}, "
                      "|Worse| %{x:.2f}<extra></extra>"))
    fig.add_vline(x=0.5, line_dash="dot", line_color="#888")
    fig.add_hline(y=0.5, line_dash="dot", line_color="#888")
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(range=[0, 1])
    return _layout(fig, f"{t('chart_kano', lang)} — {display_name(results, group, lang)}",
                   "|Worse|", "Better", height=460)


def keyword_groups_by_nps(results: dict, group: str) -> bool:
    """Whether the comment keywords of ``group`` compare NPS detractors with promoters (else the
    bottom-2 with the top-2 box of satisfaction; see :func:`analysis.text.keyword_groups`)."""
    return bool(((results.get("indices") or {}).get(group) or {}).get("nps"))


def keyword_chart(results: dict, group: str, column: str, lang: str = "zh", top: int = 15):
    """The words that separate detractors' comments (left) from promoters' (right): z-scores of
    the weighted log-odds ratio (``text`` section), the ``top`` terms each way."""
    entry = (((results.get("text") or {}).get(group) or {}).get(column) or {}).get("keywords") or {}
    left, right = (entry.get("detractors") or [])[:top], (entry.get("promoters") or [])[:top]
    if not left and not right:
        return None
    by_nps = keyword_groups_by_nps(results, group)
    names = {"detractors": t("detractors" if by_nps else "text_low_satisfaction", lang),
             "promoters": t("promoters" if by_nps else "text_high_satisfaction", lang)}
    fig = go.Figure()
    for side, rows, sign, color in (("detractors", left, -1, BAD), ("promoters", right, 1, GOOD)):
        if not rows:
            continue
        fig.add_bar(
            y=[escape(k["term"]) for k in rows], x=[sign * k["z"] for k in rows], orientation="h",
            name=names[side], marker_color=color,
            customdata=[[k["n"], _fmt(k["log_odds"], 3), _fmt(k["z"], 2)] for k in rows],
            hovertemplate=("%{y}: z = %{customdata[2]}<br>" + t("text_log_odds", lang)
                           + " %{customdata[1]}<br>n = %{customdata[0]}<extra>%{fullData.name}"
                           "</extra>"))
    fig.add_vline(x=0, line_color="#444", line_width=1)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(barmode="overlay", bargap=0.25)
    title = f"{t('chart_keywords', lang)} — {escape(display_name(results, group, lang))}"
    return _layout(fig, title, t("text_z_axis", lang), None,
                   height=160 + 22 * (len(left) + len(right)))


def rung_name(results: dict, rung: str, lang: str = "zh") -> str:
    """A loyalty-ladder rung's name: the study's ``names`` entry, else the label of a rung of
    seed 002 (satisfaction, trust, behavioural, emotional, sustainable), else the rung itself."""
    if rung in (results.get("study") or {}).get("names", {}):
        return display_name(results, rung, lang)
    label = t(f"rung_{rung}", lang)
    return plain_label(rung) if label == f"rung_{rung}" else label


def ladder_level_name(results: dict, rungs: list[str], level: int, lang: str = "zh") -> str:
    """"0 below the first rung", "1 satisfaction", "2 trust", ...: a level and its top rung."""
    if level == 0:
        return f"0 {t('ladder_level_none', lang)}"
    return f"{level} {rung_name(results, rungs[level - 1], lang)}"


def ladder_chart(results: dict, group: str, lang: str = "zh"):
    """The loyalty ladder per lifecycle stage: one stacked bar of the level shares for all
    respondents and one per stage present (``ladder.GROUP.levels`` and ``by_stage``)."""
    entry = (results.get("ladder") or {}).get(group) or {}
    if not entry.get("n"):
        return None
    rungs = entry["rungs"]
    bars = [(t("ladder_all", lang), entry["n"], entry["levels"])]
    for stage, cell in (entry.get("by_stage") or {}).items():
        bars.append((t(f"stage_{stage}", lang), cell["n"], cell["levels"]))
    labels = [f"{name}<br>n = {n}" for name, n, _ in bars]
    fig = go.Figure()
    k = len(rungs)
    for level in range(k + 1):
        shade = 0.15 + 0.85 * level / k  # light (level 0) to full blue (top rung)
        color = f"rgba(0, 114, 178, {shade:.2f})" if level else "#CCCCCC"
        cells = [levels[str(level)] for _, _, levels in bars]
        fig.add_bar(x=labels, y=[(c["share"] or 0) * 100 for c in cells],
                    name=ladder_level_name(results, rungs, level, lang), marker_color=color,
                    text=[_percent(c["share"]) if (c["share"] or 0) >= 0.06 else "" for c in cells],
                    textposition="inside", customdata=[[c["n"]] for c in cells],
                    hovertemplate="%{fullData.name}: %{y:.1f}% (n = %{customdata[0]})<extra></extra>")
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_yaxes(range=[0, 100])
    return _layout(fig, f"{t('chart_ladder', lang)} — {display_name(results, group, lang)}",
                   None, t("share_percent", lang), height=460)


# ------------------------------------------------------------------------ figures kept per results
#: id(results) -> (weak reference to it, {(builder, args): figure})
_KEPT: dict[int, tuple[Any, dict]] = {}


def _kept(builder):
    """``builder`` with its figures kept per results object when that object takes weak
    references (the app's :class:`analysis.pipeline.LazyResults`, whose sections never change
    once built): a page shown again reuses its figures instead of building them anew (plotly
    spends 20-100 ms on each). Plain dicts (the reports, tests) get a new figure each call. The
    figures are shared, so callers must not change them."""

    @wraps(builder)
    def build(results, *args, **kwargs):
        if _PLAIN.get():  # one page's JSON, which the page takes apart
            return builder(results, *args, **kwargs)
        try:
            ref = weakref.ref(results, lambda _, key=id(results): _KEPT.pop(key, None))
            key = (builder.__name__, args, tuple(sorted(kwargs.items())))
            hash(key)
        except TypeError:  # a plain dict, or an argument such as a list of groups
            return builder(results, *args, **kwargs)
        entry = _KEPT.get(id(results))
        if entry is None or entry[0]() is not results:
            entry = _KEPT[id(results)] = (ref, {})
        figures = entry[1]
        if key not in figures:
            figures[key] = builder(results, *args, **kwargs)
        return figures[key]

    return build


for _name in ("dimension_scores", "alpha_chart", "gap_dumbbell", "servqual_chart", "cb_ratio_chart",
              "nps_chart", "trend_chart", "ipa_chart", "drivers_chart", "pareto_chart",
              "segment_scores", "comparison_chart", "loadings_heatmap", "htmt_heatmap", "ave_chart",
              "cfa_loadings_chart", "kano_chart", "keyword_chart", "ladder_chart"):
    globals()[_name] = _kept(globals()[_name])
