"""Figures of the structural model (``results["pls"]``): the path diagram and the IPMA map.

Like :mod:`analysis.charts` (whose conventions these follow), the builders take the whole results
dict and the language, return a plotly figure or ``None``, and compute nothing: they lay out the
numbers of :func:`analysis.pls.pls_section`.

The path diagram places the constructs in columns by the longest chain of paths that leads to them
(exogenous constructs on the left) and chooses their heights so that no arrow runs through a box
that is not its own, few arrows cross, and arrows stay short (:func:`diagram_layout`).
"""
from __future__ import annotations

import itertools

from .charts import (BAD, COLORS, FONT_FAMILY, GOOD, NEUTRAL, _kept, _layout, display_name,
                     format_p, go)  # plotly, imported on first use (the PDF draws without it)
from .i18n import t

__all__ = ["BOX_W", "BOX_H", "construct_name", "stars", "diagram_layout", "model_layout",
           "arrow_ends", "label_spots", "path_diagram", "ipma_chart"]

#: box size in layout units (columns are 1 apart, rows 1 apart)
BOX_W, BOX_H = 0.62, 0.46
#: rows a construct may take, beyond those its column needs
SPARE_ROWS = 2


def construct_name(results: dict, code: str, lang: str = "zh", short: bool = False) -> str:
    """A construct's display name: the study's ``names``, else the label of ``satisfaction`` and
    ``loyalty`` (default constructs), else the code."""
    names = (results.get("study") or {}).get("names") or {}
    if code not in names and code in ("satisfaction", "loyalty"):
        return t(code, lang)
    return display_name(results, code, lang, short=short)


def stars(p: float | None) -> str:
    """Significance stars: *** p < .001, ** p < .01, * p < .05."""
    if p is None:
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _columns(constructs: list[str], paths: list[tuple[str, str]]) -> dict[str, int]:
    """Each construct's column: 0 without predecessors, else one more than its latest one
    (``constructs`` come each after their predecessors)."""
    column: dict[str, int] = {}
    for c in constructs:
        before = [column[a] for a, b in paths if b == c]
        column[c] = 1 + max(before) if before else 0
    return column


def _through(p, q, box, pad: float = 0.04) -> bool:
    """Whether the segment p-q passes through the rectangle centred at ``box`` (Liang-Barsky)."""
    (x0, y0), (x1, y1) = p, q
    low_x, high_x = box[0] - BOX_W / 2 - pad, box[0] + BOX_W / 2 + pad
    low_y, high_y = box[1] - BOX_H / 2 - pad, box[1] + BOX_H / 2 + pad
    dx, dy = x1 - x0, y1 - y0
    start, end = 0.0, 1.0
    for step, distance in ((-dx, x0 - low_x), (dx, high_x - x0), (-dy, y0 - low_y),
                           (dy, high_y - y0)):
        if step == 0:
            if distance < 0:
                return False
            continue
        ratio = distance / step
        if step < 0:
            start = max(start, ratio)
        else:
            end = min(end, ratio)
        if start > end:
            return False
    return True


def _cross(a, b, c, d) -> bool:
    """Whether segments a-b and c-d cross properly (not at a shared end)."""
    def turn(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    return (turn(a, b, c) * turn(a, b, d) < 0) and (turn(c, d, a) * turn(c, d, b) < 0)


def _cost(position: dict, paths: list[tuple[str, str]]) -> float:
    cost = 0.0
    for a, b in paths:
        p, q = position[a], position[b]
        cost += 100 * sum(_through(p, q, position[c]) for c in position if c not in (a, b))
        cost += abs(p[1] - q[1])
    for (a, b), (c, d) in itertools.combinations(paths, 2):
        if len({a, b, c, d}) == 4 and _cross(position[a], position[b], position[c], position[d]):
            cost += 5
    ys = [y for _, y in position.values()]
    return cost + 0.1 * (max(ys) - min(ys))


def diagram_layout(constructs: list[str], paths: list[tuple[str, str]]) -> dict[str, tuple]:
    """(x, y) of every construct: x its column (:func:`_columns`), y a row chosen by coordinate
    descent on a cost of 100 per arrow through another box, 5 per crossing, the arrows' vertical
    spans and the diagram's height; start: each column's constructs centred in order."""
    column = _columns(constructs, paths)
    members = {x: [c for c in constructs if column[c] == x] for x in set(column.values())}
    tallest = max(len(m) for m in members.values())
    rows = [r / 2 for r in range(-(tallest - 1 + SPARE_ROWS), tallest + SPARE_ROWS)]
    position = {}
    for x, names in members.items():
        for i, c in enumerate(names):
            position[c] = (float(x), (len(names) - 1) / 2 - i)  # the first on top
    best = _cost(position, paths)
    for _ in range(20):
        improved = False
        for c in constructs:
            x = position[c][0]
            for row in rows:
                taken = [position[o][1] for o in members[int(x)] if o != c]
                if any(abs(row - y) < 1 for y in taken):
                    continue
                trial = {**position, c: (x, row)}
                cost = _cost(trial, paths)
                if cost < best - 1e-9:
                    position, best, improved = trial, cost, True
        if not improved:
            break
    return position


def model_layout(entry: dict) -> tuple[list[tuple[str, str]], dict[str, tuple]]:
    """The paths of one group's fitted model (``results["pls"][group]``) and the position of
    each construct (:func:`diagram_layout`): what every drawing of the diagram starts from."""
    model = entry["model"]
    paths = [tuple(p) for p in model["paths"]]
    return paths, diagram_layout(list(model["constructs"]), paths)


def arrow_ends(p, q):
    """The arrow from box p to box q, clipped to the boxes' borders."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    scale = min(BOX_W / 2 / abs(dx) if dx else float("inf"),
                BOX_H / 2 / abs(dy) if dy else float("inf"))
    gap = 0.02
    return ((p[0] + dx * scale * (1 + gap), p[1] + dy * scale * (1 + gap)),
            (q[0] - dx * scale * (1 + gap), q[1] - dy * scale * (1 + gap)))


def label_spots(ends: list[tuple], position: dict) -> list[tuple]:
    """Where to write each arrow's coefficient: its middle, or further along it when the middle is
    close to another label or inside a box."""
    spots: list[tuple] = []
    for (x0, y0), (x1, y1) in ends:
        candidates = [(x0 + f * (x1 - x0), y0 + f * (y1 - y0))
                      for f in (0.5, 0.35, 0.65, 0.25, 0.75)]

        def free(point):
            near = any(abs(point[0] - x) < 0.3 and abs(point[1] - y) < 0.16 for x, y in spots)
            boxed = any(abs(point[0] - x) < BOX_W / 2 and abs(point[1] - y) < BOX_H / 2
                        for x, y in position.values())
            return not near and not boxed

        spots.append(next((c for c in candidates if free(c)), candidates[0]))
    return spots


def path_diagram(results: dict, group: str, lang: str = "zh"):
    """The structural model of ``group``: constructs as boxes (R² inside the endogenous ones),
    arrows labelled with the path coefficient and its significance stars (bootstrap p), arrows
    of non-significant paths in grey."""
    entry = (results.get("pls") or {}).get(group) or {}
    if not entry.get("paths"):
        return None
    paths, position = model_layout(entry)
    fig = go.Figure()
    ends = [arrow_ends(position[a], position[b]) for a, b in paths]
    for (a, b), ((x0, y0), (x1, y1)), (lx, ly) in zip(paths, ends, label_spots(ends, position)):
        estimate = entry["paths"][f"{a}->{b}"]
        p = estimate.get("p")
        significant = p is not None and p < 0.05
        color = "#1f3b57" if significant or p is None else "#9a9a9a"
        width = 1.2 + 3 * min(abs(estimate["coef"]), 1)
        fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=2, arrowsize=1.1, arrowwidth=width,
                           arrowcolor=color, text="")
        fig.add_annotation(x=lx, y=ly, showarrow=False,
                           text=f"{estimate['coef']:.2f}{stars(p)}", bgcolor="rgba(255,255,255,0.9)",
                           font={"size": 12, "color": color}, borderpad=1)
        hover = (f"{construct_name(results, a, lang)} → {construct_name(results, b, lang)}: "
                 f"β = {estimate['coef']:.3f}, {format_p(p)}")
        fig.add_trace(go.Scatter(x=[lx], y=[ly], mode="markers",
                                 marker={"size": 14, "opacity": 0}, hoverinfo="text",
                                 hovertext=hover, showlegend=False))
    r2 = entry.get("r2") or {}
    indices = entry.get("indices") or {}
    for c, (x, y) in position.items():
        endogenous = c in r2
        fig.add_shape(type="rect", x0=x - BOX_W / 2, x1=x + BOX_W / 2, y0=y - BOX_H / 2,
                      y1=y + BOX_H / 2, line={"color": COLORS[0], "width": 1.5},
                      fillcolor="#e8f1f8" if endogenous else "#ffffff", layer="below")
        lines = [f"<b>{construct_name(results, c, lang, short=True)}</b>"]
        if endogenous:
            lines.append(f"R² = {r2[c]:.2f}")
        if indices.get(c) is not None:
            lines.append(f"{t('pls_index_short', lang)} {indices[c]:.1f}")
        fig.add_annotation(x=x, y=y, text="<br>".join(lines), showarrow=False,
                           font={"size": 12, "color": "#1a1a1a"}, align="center")
    xs = [x for x, _ in position.values()]
    ys = [y for _, y in position.values()]
    fig.update_xaxes(visible=False, range=[min(xs) - 0.45, max(xs) + 0.45])
    fig.update_yaxes(visible=False, range=[min(ys) - 0.4, max(ys) + 0.4])
    title = f"{t('pls_diagram', lang)} — {display_name(results, group, lang)} (n = {entry['n']})"
    fig = _layout(fig, title, height=max(360, int(150 * (max(ys) - min(ys) + 1.6))))
    fig.update_layout(hovermode="closest", font={"family": FONT_FAMILY})
    return fig


def ipma_chart(results: dict, group: str, lang: str = "zh"):
    """Importance-performance map of the target's drivers (``pls.GROUP.ipma``): importance (the
    unstandardised total effect) across, performance (the 0-100 index) up, cross-hairs at the
    means; the driver of most importance and least performance in the warning colour."""
    ipma = ((results.get("pls") or {}).get(group) or {}).get("ipma") or {}
    points = {c: v for c, v in (ipma.get("constructs") or {}).items()
              if v.get("importance") is not None and v.get("performance") is not None}
    if not points:
        return None
    names = list(points)
    x = [points[c]["importance"] for c in names]
    y = [points[c]["performance"] for c in names]
    mean_x, mean_y = sum(x) / len(x), sum(y) / len(y)
    colors = [BAD if xi >= mean_x and yi < mean_y else GOOD if xi >= mean_x else NEUTRAL
              for xi, yi in zip(x, y)]
    fig = go.Figure(go.Scatter(
        x=x, y=y, mode="markers+text", text=[construct_name(results, c, lang, short=True)
                                             for c in names],
        textposition="top center", marker={"size": 14, "color": colors},
        hovertemplate=("%{text}<br>" + t("importance", lang) + " %{x:.3f}, "
                       + t("performance", lang) + " %{y:.1f}<extra></extra>")))
    fig.add_vline(x=mean_x, line_dash="dot", line_color="#888")
    fig.add_hline(y=mean_y, line_dash="dot", line_color="#888")
    pad_x = max(0.02, (max(x) - min(x)) * 0.25)
    pad_y = max(2.0, (max(y) - min(y)) * 0.25)
    fig.update_xaxes(range=[min(x) - pad_x if min(x) < 0 else 0, max(x) + pad_x])
    fig.update_yaxes(range=[max(0, min(y) - pad_y), min(100, max(y) + pad_y)])
    target = construct_name(results, ipma.get("target"), lang)
    return _layout(fig, f"{t('pls_ipma', lang, target=target)} — "
                        f"{display_name(results, group, lang)}",
                   t("pls_importance_axis", lang), t("pls_performance_axis", lang), height=480)


# the app's figures kept with its results object, as analysis.charts keeps its own (a page shown
# again reuses them: the path diagram takes ~0.3 s)
path_diagram, ipma_chart = _kept(path_diagram), _kept(ipma_chart)
