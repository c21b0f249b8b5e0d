"""The HTML report (``report.html``): one self-contained page that opens offline and is small
enough to mail.

Plotly's JavaScript is inlined once in the head: its *cartesian* bundle (``assets/``, the
plotly.js version plotly.py writes figures for; bar, scatter, heatmap and the other 2-D traces,
1.5 MB instead of the full 4.8 MB). Every chart (from :mod:`analysis.charts`) is a ``div`` with its
figure as JSON in a ``script type="application/json"`` (``<``, ``>`` and ``&`` written as
``\\u003c``...); the plotly template the figures share is written once. A chart is drawn when it
comes near the window (so that the page opens at once) and every chart before printing. Print
CSS shows long tables whole (no scroll boxes), repeats their header rows and keeps rows and
charts from splitting. Every text from the results — study title, names, segment levels,
findings — goes through :func:`html.escape`.
"""
from __future__ import annotations

import gzip
import json
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .. import charts, pls_charts
from ..charts import plain_json
from ..i18n import t
from .tables import Section, Table, build_sections, format_value, is_faint

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from ..figure_json import Figure

__all__ = ["html_report", "section_figures", "plotly_js", "PLOTLY_BUNDLE"]

#: the plotly.js bundle inlined in the page (see assets/README.md)
PLOTLY_BUNDLE = Path(__file__).resolve().parent / "assets" / "plotly-cartesian-4.1.1.min.js.gz"

STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em auto;
max-width:1200px;padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #0072B2;padding-bottom:.2em;margin-top:2em}
h3{font-size:1.1em;margin:1.4em 0 .2em}.meta{color:#555}.method,.n{color:#555;font-size:.9em;margin:.1em 0}.note{color:#555;font-size:.8em;margin:.2em 0}
.findings li{margin:.25em 0}nav ol{columns:2}
.wrap{overflow-x:auto;max-height:36em;overflow-y:auto;border:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em;white-space:nowrap}
th{position:sticky;top:0;background:#DDEBF7;text-align:left;padding:.3em .5em;border-bottom:1px solid #999}
td{padding:.2em .5em;border-bottom:1px solid #eee}td.num{text-align:right;font-variant-numeric:tabular-nums}td.faint{color:#999}
.chart{margin:1em 0;min-height:200px}footer{margin-top:3em;color:#777;font-size:.85em}
@media print{body{max-width:none;margin:0}nav{display:none}
.wrap{max-height:none;overflow:visible;border:0}
table{white-space:normal;font-size:.75em}th{position:static}thead{display:table-header-group}
tr,.chart,h3,.method,.n{break-inside:avoid}h2,h3{break-after:avoid}section{break-before:page}}
"""
#: draws each chart when it comes near the window, and all of them before printing
SCRIPT = """(function(){
var templates=JSON.parse(document.getElementById("plotly-templates").textContent);
function draw(box){if(box.dataset.drawn)return;box.dataset.drawn="1";
var spec=JSON.parse(box.querySelector("script").textContent);
if(spec.t!==null)spec.figure.layout.template=templates[spec.t];
Plotly.newPlot(box.querySelector("div"),spec.figure.data,spec.figure.layout,
{displaylogo:false,responsive:true});}
var boxes=Array.prototype.slice.call(document.querySelectorAll(".chart"));
if("IntersectionObserver" in window){var seen=new IntersectionObserver(function(entries){
entries.forEach(function(e){if(e.isIntersecting){draw(e.target);seen.unobserve(e.target);}});},
{rootMargin:"800px"});boxes.forEach(function(b){seen.observe(b);});}else{boxes.forEach(draw);}
window.addEventListener("beforeprint",function(){boxes.forEach(draw);});})();"""


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The inlined plotly.js bundle (:data:`PLOTLY_BUNDLE`)."""
    return gzip.decompress(PLOTLY_BUNDLE.read_bytes()).decode("utf-8")


def _json_for_html(value) -> str:
    """JSON that cannot end a ``script`` element or open a comment inside it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _Charts:
    """The page's charts: each figure's JSON without its template; the templates, once."""

    def __init__(self):
        self.templates: list[str] = []
        self.parsed: list = []

    def box(self, figure: Figure) -> str:
        spec = figure.to_plotly_json()
        template = spec["layout"].pop("template", None)
        index = None
        if template is not None:
            key = json.dumps(template, sort_keys=True)
            if key not in self.templates:
                self.templates.append(key)
                self.parsed.append(template)
            index = self.templates.index(key)
        height = spec["layout"].get("height") or 450
        return (f'<div class="chart" style="min-height:{int(height)}px"><div></div>'
                f'<script type="application/json">{_json_for_html({"t": index, "figure": spec})}'
                f"</script></div>")

    def head(self) -> str:
        return (f'<script type="application/json" id="plotly-templates">{_json_for_html(self.parsed)}'
                f"</script>")


def _groups(results: dict, key: str) -> list[str]:
    return list((results.get(key) or {}).keys())


def section_figures(results: dict, key: str, lang: str) -> Iterator[go.Figure | Figure]:
    """The charts of one report section, from :mod:`analysis.charts` (None results dropped;
    plain JSON figures inside :func:`analysis.charts.plain_json`, as the page builds them)."""
    builders: list[Callable[[], go.Figure | None]] = []
    if key == "reliability":
        builders += [lambda g=g: charts.alpha_chart(results, g, lang) for g in _groups(results, key)]
    elif key == "validity":
        for g in _groups(results, key):
            builders += [lambda g=g: charts.loadings_heatmap(results, g, lang),
                         lambda g=g: charts.ave_chart(results, g, lang)]
    elif key == "indices":
        builders += [lambda: charts.dimension_scores(results, lang), lambda: charts.nps_chart(results, lang)]
        builders += [lambda g=g: charts.cb_ratio_chart(results, g, lang) for g in _groups(results, key)]
    elif key == "gaps":
        for pair in _groups(results, key):
            builders += [lambda p=pair, lv=lv: charts.gap_dumbbell(results, lang, level=lv, pair=p)
                         for lv in ("dimension", "item")]
    elif key == "servqual":
        builders += [lambda g=g: charts.servqual_chart(results, g, lang) for g in _groups(results, key)]
    elif key == "trends":
        builders += [lambda g=g: charts.trend_chart(results, g, lang) for g in _groups(results, key)]
    elif key == "ipa":
        builders += [lambda g=g: charts.ipa_chart(results, g, lang) for g in _groups(results, key)]
    elif key == "drivers":
        for g, outcomes in (results.get("drivers") or {}).items():
            builders += [lambda g=g, o=o: charts.drivers_chart(results, g, o, lang) for o in outcomes]
    elif key == "comparisons":
        for g, by_columns in (results.get("comparisons") or {}).items():
            for by, outcomes in by_columns.items():
                builders += [lambda g=g, b=by, o=o: charts.comparison_chart(results, g, b, o, lang)
                             for o in outcomes]
    elif key == "segments":
        for g, entry in (results.get("segments") or {}).items():
            if "abc" in entry:
                builders.append(lambda g=g: charts.pareto_chart(results, g, lang))
            builders += [lambda g=g, k=k: charts.segment_scores(results, g, k, lang)
                         for k in ("abc", "value_matrix", "lifecycle") if k in entry]
    elif key == "pls":
        builders += [lambda g=g, chart=chart: chart(results, g, lang) for g in _groups(results, key)
                     for chart in (pls_charts.path_diagram, pls_charts.ipma_chart)]
    elif key == "text":
        builders += [lambda g=g, col=col: charts.keyword_chart(results, g, col, lang)
                     for g, columns in (results.get("text") or {}).items() for col in columns]
    elif key == "ladder":
        builders += [lambda g=g: charts.ladder_chart(results, g, lang) for g in _groups(results, key)]
    for build in builders:
        figure = build()
        if figure is not None:
            yield figure


def _table_html(table: Table, lang: str) -> str:
    head = "".join(f"<th>{escape(c.label)}</th>" for c in table.columns)
    body = []
    for row in table.rows:
        cells = []
        for col, value in zip(table.columns, row):
            classes = " ".join(name for name, on in (("num", col.kind not in ("text", "flag")),
                                                     ("faint", is_faint(value, col.kind))) if on)
            css = f' class="{classes}"' if classes else ""
            cells.append(f"<td{css}>{escape(format_value(value, col.kind, lang))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<h3>{escape(table.title)}</h3>'
            f'<p class="method">{escape(t("rep_method", lang))}: {escape(table.method)}</p>'
            f'<p class="n">{escape(table.n)}</p>'
            f'<div class="wrap"><table><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>'
            + "".join(f'<p class="note">{escape(note)}</p>' for note in table.notes))


def _section_html(results: dict, section: Section, lang: str, charts: _Charts) -> str:
    parts = [f'<section id="{escape(section.key)}"><h2>{escape(section.title)}</h2>']
    if section.findings:
        parts.append('<ul class="findings">' + "".join(f"<li>{escape(f)}</li>" for f in section.findings)
                     + "</ul>")
    for figure in section_figures(results, section.key, lang):
        parts.append(charts.box(figure))
    parts += [_table_html(table, lang) for table in section.tables]
    parts.append("</section>")
    return "\n".join(parts)


def html_report(results: dict, lang: str = "zh") -> str:
    """The HTML report of ``results`` (the content of results.json) in ``lang`` ("zh"/"en")."""
    sections = build_sections(results, lang)
    study = results.get("study") or {}
    scale = study.get("scale") or {}
    title = f"{study.get('title') or ''} — {t('rep_title', lang)}"
    meta = " · ".join(escape(part) for part in [
        f"{t('rep_current_wave', lang)}: {study.get('wave')}",
        f"{t('rep_scale', lang)}: {scale.get('min')}–{scale.get('max')}"])
    nav = "".join(f'<li><a href="#{escape(s.key)}">{escape(s.title)}</a></li>' for s in sections)
    findings = "".join(
        f"<li><b>{escape(s.title)}</b><ul>" + "".join(f"<li>{escape(f)}</li>" for f in s.findings)
        + "</ul></li>" for s in sections if s.findings)
    charts = _Charts()
    with plain_json():
        body = "\n".join(_section_html(results, s, lang, charts) for s in sections)
    return f"""<!DOCTYPE html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{STYLE}</style>
<script type="text/javascript">{plotly_js()}</script></head>
<body>
<h1>{escape(title)}</h1><p class="meta">{meta}</p>
<h2>{escape(t('rep_findings', lang))}</h2><ul class="findings">{findings}</ul>
<nav><h2>{escape(t('rep_contents', lang))}</h2><ol>{nav}</ol></nav>
{body}
<footer>{escape(t('rep_generated', lang))} SHA-256: {escape(str(study.get('fingerprint') or '–'))}</footer>
{charts.head()}
<script type="text/javascript">{SCRIPT}</script>
</body></html>
"""
