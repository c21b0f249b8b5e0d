"""The few charts of the PDF report, drawn as vector graphics in Typst (:class:`.typst_markup.Canvas`).

The HTML report uses the interactive plotly figures of :mod:`analysis.charts`; the PDF gets small
static versions of the key ones: dimension scores with 95% CIs, the customer/company gap per
dimension, the IPA quadrants, the key drivers, the structural model's path diagram, the comment
keywords and the loyalty ladder per lifecycle stage. They only lay out numbers from results.json, in the report's font.
The Word report's figures are the same charts, narrower and without their titles, as 300 dpi
pictures (:func:`.docx.chart_images`).
"""
from __future__ import annotations

from typing import Callable, Iterator

from ..charts import BAD, COLORS, GOOD, display_name, keyword_groups_by_nps, ladder_level_name
from .. import pls_charts
from ..i18n import t
from .typst_markup import Canvas, ticks

__all__ = ["section_charts", "chart_canvases", "WIDTH"]

WIDTH = 180.0  # mm
LABELS = 42.0  # mm left of the plot for the category labels
ROW = 7.0  # mm per category
TOP, BOTTOM = 9.0, 13.0  # mm above (title) and below (axis) the plot


def _half_widths(mean: float, ci) -> tuple[float, float]:
    """The error bar below and above a mean; none (0, 0) where the interval is undefined (n < 2)."""
    if not ci or ci[0] is None or ci[1] is None:
        return 0.0, 0.0
    return mean - ci[0], ci[1] - mean


def _horizontal(title: str, labels: list[str], low: float, high: float, x_label: str,
                draw: Callable[[Canvas, Callable[[float], float], int, float], None],
                legend: list[tuple[str, str]] = (), width: float = WIDTH) -> Canvas:
    """A chart ``width`` mm wide with one row per category: labels on the left, an x axis from
    ``low`` to ``high`` below; ``draw(canvas, x_of, row, y_centre)`` draws each row's marks."""
    height = TOP + ROW * len(labels) + BOTTOM
    canvas = Canvas(width, height, title)
    left, right = LABELS, width - 4

    def x_of(value: float) -> float:
        return left + (right - left) * (value - low) / (high - low)

    bottom = TOP + ROW * len(labels)
    for tick in ticks(low, high):
        canvas.line(x_of(tick), TOP, x_of(tick), bottom, "#E5E5E5", 0.4)
        canvas.text(x_of(tick), bottom + 3, f"{tick:g}", size=6.5, anchor="center", box=14)
    canvas.line(left, bottom, right, bottom, "#777777", 0.5)
    for row, label in enumerate(labels):
        y = TOP + ROW * (row + 0.5)
        canvas.text(left - 2, y, label, size=7, anchor="right", box=LABELS)
        draw(canvas, x_of, row, y)
    canvas.text((left + right) / 2, bottom + 8, x_label, size=7, anchor="center", box=80)
    x = right
    for name, fill in reversed(legend):
        canvas.text(x, 3, name, size=7, anchor="right", box=40)
        x -= 2 + min(40, 2.2 * len(name) + 2)
        canvas.rect(x - 2.5, 1.8, 2.5, 2.5, fill)
        x -= 5
    return canvas


def _dimension_scores(results: dict, lang: str, width: float) -> Canvas | None:
    indices = results.get("indices") or {}
    dims = list((results.get("study") or {}).get("dimensions") or {})
    groups = [g for g in indices if indices[g].get("dimensions")]
    if not dims or not groups:
        return None
    scale = results["study"].get("scale") or {}
    bar = ROW * 0.8 / len(groups)

    def draw(canvas, x_of, row, y):
        for k, group in enumerate(groups):
            entry = indices[group]["dimensions"].get(dims[row]) or {}
            if entry.get("mean") is None:
                continue
            top = y - ROW * 0.4 + k * bar
            mean = entry["mean"]
            canvas.rect(x_of(scale.get("min", 1)), top, x_of(mean) - x_of(scale.get("min", 1)),
                        bar * 0.9, COLORS[k % len(COLORS)])
            below, above = _half_widths(mean, entry.get("ci"))
            if below or above:
                middle = top + bar * 0.45
                canvas.line(x_of(mean - below), middle, x_of(mean + above), middle, "#333333", 0.6)
                for end in (mean - below, mean + above):
                    canvas.line(x_of(end), middle - 0.8, x_of(end), middle + 0.8, "#333333", 0.6)

    return _horizontal(t("chart_dimension_scores", lang),
                       [display_name(results, d, lang, short=True) for d in dims],
                       scale.get("min", 1), scale.get("max", 5), t("mean_score", lang), draw,
                       [(display_name(results, g, lang), COLORS[k % len(COLORS)])
                        for k, g in enumerate(groups)], width)


def _gaps(results: dict, lang: str, width: float) -> Iterator[Canvas]:
    for pair, rows in (results.get("gaps") or {}).items():
        a, _, b = pair.partition("|")
        rows = [r for r in rows if r["level"] == "dimension" and r.get("mean_a") is not None
                and r.get("mean_b") is not None]
        if not rows:
            continue
        values = [v for r in rows for v in (r["mean_a"], r["mean_b"])]
        low, high = min(values), max(values)
        pad = max(0.1, (high - low) * 0.1)

        def draw(canvas, x_of, row, y, rows=rows):
            r = rows[row]
            canvas.line(x_of(r["mean_a"]), y, x_of(r["mean_b"]), y,
                        BAD if r.get("flag") else "#999999", 1.6)
            canvas.dot(x_of(r["mean_a"]), y, 1.1, COLORS[0])
            canvas.dot(x_of(r["mean_b"]), y, 1.1, COLORS[1])

        yield _horizontal(t("chart_gap_dimensions", lang),
                          [display_name(results, r["name"], lang, short=True)
                           + (" *" if r.get("flag") else "") for r in rows],
                          low - pad, high + pad, t("mean_score", lang), draw,
                          [(display_name(results, a, lang), COLORS[0]),
                           (display_name(results, b, lang), COLORS[1])], width)


def _ipa(results: dict, lang: str, width: float) -> Iterator[Canvas]:
    for group, entry in (results.get("ipa") or {}).items():
        points = [p for p in entry.get("points") or []
                  if p.get("importance") is not None and p.get("performance") is not None]
        if not points:
            continue
        xs = [p["performance"] for p in points] + [entry["performance_center"]]
        ys = [p["importance"] for p in points] + [entry["importance_center"]]
        x_low, x_high = _padded(xs)
        y_low, y_high = _padded(ys)
        height = 100.0
        left, right, top, bottom = 18.0, width - 4, TOP + 5, height - BOTTOM
        canvas = Canvas(width, height, f"{t('chart_ipa', lang)} — {display_name(results, group, lang)}")

        def x_of(v):
            return left + (right - left) * (v - x_low) / (x_high - x_low)

        def y_of(v):
            return bottom - (bottom - top) * (v - y_low) / (y_high - y_low)

        for tick in ticks(x_low, x_high):
            canvas.line(x_of(tick), top, x_of(tick), bottom, "#E5E5E5", 0.4)
            canvas.text(x_of(tick), bottom + 3, f"{tick:g}", size=6.5, anchor="center", box=14)
        for tick in ticks(y_low, y_high):
            canvas.line(left, y_of(tick), right, y_of(tick), "#E5E5E5", 0.4)
            canvas.text(left - 1.5, y_of(tick), f"{tick:g}", size=6.5, anchor="right", box=14)
        canvas.line(left, bottom, right, bottom, "#777777", 0.5)
        canvas.line(left, top, left, bottom, "#777777", 0.5)
        canvas.line(x_of(entry["performance_center"]), top, x_of(entry["performance_center"]),
                    bottom, "#999999", 0.6, dashed=True)
        canvas.line(left, y_of(entry["importance_center"]), right, y_of(entry["importance_center"]),
                    "#999999", 0.6, dashed=True)
        for x, y, key, anchor in ((left + 1, top + 3, "concentrate_here", "left"),
                                  (right - 1, top + 3, "keep_up", "right"),
                                  (left + 1, bottom - 3, "low_priority", "left"),
                                  (right - 1, bottom - 3, "possible_overkill", "right")):
            canvas.text(x, y, t(key, lang), size=7, anchor=anchor, fill="#666666")
        for p in points:
            x, y = x_of(p["performance"]), y_of(p["importance"])
            canvas.dot(x, y, 1.1, COLORS[0])
            canvas.text(x + 1.8, y - 2.2, display_name(results, p["name"], lang, short=True),
                        size=6.5)
        canvas.text((left + right) / 2, bottom + 8, t("performance", lang), size=7,
                    anchor="center", box=80)
        canvas.text(0, top - 2.5, t("importance", lang), size=7)
        yield canvas


def _padded(values: list[float]) -> tuple[float, float]:
    """The range of ``values`` widened by 18% (room for the labels and the quadrant names)."""
    low, high = min(values), max(values)
    pad = (high - low) * 0.18 or 0.5
    return low - pad, high + pad


def _drivers(results: dict, lang: str, width: float) -> Iterator[Canvas]:
    for group, outcomes in (results.get("drivers") or {}).items():
        for outcome, model in outcomes.items():
            preds = [p for p in (model or {}).get("predictors") or []
                     if p.get("rescaled_weight") is not None]
            if not preds:
                continue
            shares = [100 * p["rescaled_weight"] for p in preds]
            high = max(max(shares), 1.0) * 1.05
            low = min(0.0, min(shares))

            def draw(canvas, x_of, row, y, shares=shares, low=low):
                start, end = sorted((x_of(max(low, 0.0)), x_of(shares[row])))
                canvas.rect(start, y - ROW * 0.35, end - start, ROW * 0.7, COLORS[2])

            yield _horizontal(f"{t('chart_drivers', lang)}: {t(outcome, lang)} — "
                              f"{display_name(results, group, lang)}",
                              [display_name(results, p["name"], lang, short=True) for p in preds],
                              low, high, t("share_of_r2", lang), draw, width=width)


def _pls(results: dict, lang: str, width: float) -> Iterator[Canvas]:
    """The path diagram of each group's structural model, laid out as in the app
    (:func:`analysis.pls_charts.diagram_layout`): boxes (shaded where R² is defined), arrows as
    thick as the path coefficient, dark where p < .05."""
    for group, entry in (results.get("pls") or {}).items():
        if not entry.get("paths"):
            continue
        paths, position = pls_charts.model_layout(entry)
        xs, ys = [x for x, _ in position.values()], [y for _, y in position.values()]
        x_low, y_high = min(xs) - 0.45, max(ys) + 0.4
        sx = min(45.0, width / (max(xs) + 0.45 - x_low))  # mm per diagram unit
        sy = 22.0
        height = TOP + sy * (y_high - min(ys) + 0.4) + 2
        canvas = Canvas(width, height, f"{t('pls_diagram', lang)} — {display_name(results, group, lang)} "
                                       f"(n = {entry['n']})")

        def at(point):
            return sx * (point[0] - x_low), TOP + sy * (y_high - point[1])

        for c, (x, y) in position.items():
            r2 = (entry.get("r2") or {}).get(c)
            left, top = at((x - pls_charts.BOX_W / 2, y + pls_charts.BOX_H / 2))
            w, h = sx * pls_charts.BOX_W, sy * pls_charts.BOX_H
            canvas.rect(left, top, w, h, COLORS[0])
            canvas.rect(left + 0.3, top + 0.3, w - 0.6, h - 0.6,
                        "#E8F1F8" if r2 is not None else "#FFFFFF")
            middle_x, middle_y = at((x, y))
            name = pls_charts.construct_name(results, c, lang, short=True)
            canvas.text(middle_x, middle_y - (2 if r2 is not None else 0), name, size=7.5,
                        anchor="center", box=w)
            if r2 is not None:
                canvas.text(middle_x, middle_y + 2.5, f"R² = {r2:.2f}", size=7, anchor="center",
                            box=w)
        ends = [pls_charts.arrow_ends(position[a], position[b]) for a, b in paths]
        for (a, b), (start, end), spot in zip(paths, ends, pls_charts.label_spots(ends, position)):
            p = entry["paths"][f"{a}->{b}"]
            color = "#1F3B57" if p["p"] is None or p["p"] < 0.05 else "#9A9A9A"
            (x1, y1), (x2, y2) = at(start), at(end)
            canvas.line(x1, y1, x2, y2, color, 0.8 + 2 * min(abs(p["coef"]), 1))
            length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1e-9)
            ux, uy = (x2 - x1) / length, (y2 - y1) / length
            for side in (1, -1):  # the arrow head: two strokes back from the tip
                canvas.line(x2, y2, x2 - 2.2 * ux + side * 1.1 * uy, y2 - 2.2 * uy - side * 1.1 * ux,
                            color, 0.9)
            label_x, label_y = at(spot)
            canvas.rect(label_x - 5, label_y - 1.8, 10, 3.6, "#FFFFFF")
            canvas.text(label_x, label_y, f"{p['coef']:.2f}{pls_charts.stars(p['p'])}", size=7,
                        anchor="center", fill=color, box=14)
        yield canvas


def _keywords(results: dict, lang: str, width: float, top: int = 10) -> Iterator[Canvas]:
    """The words that separate detractors (left) from promoters (right): z of the weighted
    log-odds ratio, one chart per group and comments column."""
    for group, columns in (results.get("text") or {}).items():
        by_nps = keyword_groups_by_nps(results, group)
        sides = (t("detractors" if by_nps else "text_low_satisfaction", lang),
                 t("promoters" if by_nps else "text_high_satisfaction", lang))
        for entry in columns.values():
            keywords = entry.get("keywords") or {}
            rows = ([(k["term"], -k["z"], BAD) for k in (keywords.get("detractors") or [])[:top]]
                    + [(k["term"], k["z"], GOOD) for k in (keywords.get("promoters") or [])[:top]])
            if not rows:
                continue
            reach = max(max(abs(z) for _, z, _ in rows), 1.0) * 1.05

            def draw(canvas, x_of, row, y, rows=rows):
                start, end = sorted((x_of(0.0), x_of(rows[row][1])))
                canvas.rect(start, y - ROW * 0.35, end - start, ROW * 0.7, rows[row][2])

            yield _horizontal(f"{t('chart_keywords', lang)} — {display_name(results, group, lang)}",
                              [term for term, _, _ in rows], -reach, reach,
                              t("text_z_axis", lang), draw, [(sides[0], BAD), (sides[1], GOOD)], width)


def _shade(level: int, rungs: int) -> str:
    """The colour of a ladder level: grey below the first rung, then blue from light to full."""
    if not level:
        return "#CCCCCC"
    alpha = 0.15 + 0.85 * level / rungs
    return "#" + "".join(f"{round(255 - alpha * (255 - c)):02X}" for c in (0, 114, 178))


def _ladder(results: dict, lang: str, width: float) -> Iterator[Canvas]:
    """The loyalty ladder per lifecycle stage: stacked level shares (as charts.ladder_chart), one
    bar for all respondents and one per stage, the levels named in a legend below."""
    for group, entry in (results.get("ladder") or {}).items():
        if not entry.get("n"):
            continue
        rungs = entry["rungs"]
        bars = [(t("ladder_all", lang), entry["n"], entry["levels"])]
        bars += [(t(f"stage_{stage}", lang), cell["n"], cell["levels"])
                 for stage, cell in (entry.get("by_stage") or {}).items()]
        names = [ladder_level_name(results, rungs, level, lang) for level in range(len(rungs) + 1)]
        plot = TOP + ROW * len(bars)
        canvas = Canvas(width, plot + BOTTOM + 5 * len(names),
                        f"{t('chart_ladder', lang)} — {display_name(results, group, lang)}")
        left, right = LABELS, width - 4

        def x_of(share: float) -> float:
            return left + (right - left) * share

        for tick in ticks(0, 100):
            canvas.line(x_of(tick / 100), TOP, x_of(tick / 100), plot, "#E5E5E5", 0.4)
            canvas.text(x_of(tick / 100), plot + 3, f"{tick:g}", size=6.5, anchor="center", box=14)
        canvas.line(left, plot, right, plot, "#777777", 0.5)
        for row, (name, n, levels) in enumerate(bars):
            y = TOP + ROW * (row + 0.5)
            canvas.text(left - 2, y, f"{name} (n = {n})", size=7, anchor="right", box=LABELS)
            start = 0.0
            for level in range(len(rungs) + 1):
                share = levels[str(level)]["share"] or 0
                canvas.rect(x_of(start), y - ROW * 0.35, x_of(start + share) - x_of(start),
                            ROW * 0.7, _shade(level, len(rungs)))
                start += share
        canvas.text((left + right) / 2, plot + 8, t("share_percent", lang), size=7,
                    anchor="center", box=80)
        for level, name in enumerate(names):
            y = plot + BOTTOM + 5 * level + 2
            canvas.rect(left, y - 1.25, 2.5, 2.5, _shade(level, len(rungs)))
            canvas.text(left + 4, y, name, size=7, box=width - left - 8)
        yield canvas


def chart_canvases(results: dict, key: str, lang: str, width: float = WIDTH) -> Iterator[Canvas]:
    """The charts of one report section (none for most sections), each ``width`` mm wide, the
    text at the PDF's sizes whatever the width; their titles apart (:attr:`Canvas.title`)."""
    if key == "indices":
        chart = _dimension_scores(results, lang, width)
        if chart:
            yield chart
    elif key == "gaps":
        yield from _gaps(results, lang, width)
    elif key == "ipa":
        yield from _ipa(results, lang, width)
    elif key == "drivers":
        yield from _drivers(results, lang, width)
    elif key == "pls":
        yield from _pls(results, lang, width)
    elif key == "text":
        yield from _keywords(results, lang, width)
    elif key == "ladder":
        yield from _ladder(results, lang, width)


def section_charts(results: dict, key: str, lang: str) -> Iterator[str]:
    """The PDF's charts of one report section as Typst markup, titled, :data:`WIDTH` mm wide."""
    for canvas in chart_canvases(results, key, lang):
        yield canvas.markup()
