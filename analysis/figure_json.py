"""Plotly figures as plain JSON objects, for a page that only hands them to plotly.js.

plotly.py's ``go.Figure`` checks and copies every property as it is set: building the HTML
report's ~40 charts that way cost ~2 s of its ~2.5 s (cProfile: ``BasePlotlyType.update`` and
the property paths behind it), even with validation turned off, and importing its validators
another ~0.5 s. plotly.js, which draws the page's charts, reads only the figure's JSON. A
:class:`Figure` here takes the calls the builders of :mod:`analysis.charts` and
:mod:`analysis.pls_charts` make (``add_bar``, ``update_layout``, ``add_vline``...) and writes
the JSON objects plotly.py would write, as plain dicts and lists, by plotly.py's rules:

- "magic underscores": ``marker_color=c`` is ``{"marker": {"color": c}}``, except in the
  property names that hold an underscore (``error_x``...);
- an update merges an object into the object already there, key by key, and replaces anything
  else (a list, a number); ``None`` leaves a property unset;
- ``add_vline`` / ``add_hline`` add a line across the plot, its other axis in ``domain`` units,
  and the annotation placed by plotly's own rule (:mod:`plotly.shapeannotation`).

Only what the builders use is here; the app keeps plotly's figures (``analysis.charts.go``).
``tests/test_report.py`` builds every chart of the HTML report both ways and compares the JSON.
"""
from __future__ import annotations

from typing import Any

__all__ = ["Figure", "Bar", "Scatter", "Heatmap"]

#: property names that hold an underscore (plotly's ``BaseFigure._valid_underscore_properties``)
_UNDERSCORED = {"error_x", "error_y", "error_z", "copy_xstyle", "copy_ystyle", "copy_zstyle",
                "paper_bgcolor", "plot_bgcolor"}


def _path(key: str) -> list[str]:
    """A keyword's property path: ``marker_color`` -> ["marker", "color"], ``error_x_color`` ->
    ["error_x", "color"]."""
    path: list[str] = []
    for part in key.split("_"):
        if path and f"{path[-1]}_{part}" in _UNDERSCORED:
            path[-1] = f"{path[-1]}_{part}"
        else:
            path.append(part)
    return path


def _update(target: dict, properties: dict) -> dict:
    """Set ``properties`` (keywords, magic underscores allowed) in the JSON object ``target`` as
    plotly's ``update`` does: objects merged into objects, anything else replaced, ``None``
    unset."""
    for key, value in properties.items():
        *parents, name = _path(key)
        node = target
        for parent in parents:
            node = node.setdefault(parent, {})
        if value is None:
            node.pop(name, None)
        elif isinstance(value, dict):
            _update(node[name] if isinstance(node.get(name), dict) else node.setdefault(name, {}),
                    value)
        else:
            node[name] = value
    return target


def Bar(**properties) -> dict:  # noqa: N802 - named as plotly's trace class
    """A bar trace's JSON."""
    return _update({"type": "bar"}, properties)


def Scatter(**properties) -> dict:  # noqa: N802
    """A scatter trace's JSON."""
    return _update({"type": "scatter"}, properties)


def Heatmap(**properties) -> dict:  # noqa: N802
    """A heatmap trace's JSON."""
    return _update({"type": "heatmap"}, properties)


class Figure:
    """A figure's JSON (``data``: the traces, ``layout``) built by plotly.py's calls."""

    def __init__(self, data: dict | None = None):
        self.data: list[dict] = [] if data is None else [data]
        self.layout: dict[str, Any] = {}

    def to_plotly_json(self) -> dict:
        return {"data": self.data, "layout": self.layout}

    def add_trace(self, trace: dict) -> Figure:
        self.data.append(trace)
        return self

    def add_bar(self, **properties) -> Figure:
        return self.add_trace(Bar(**properties))

    def add_scatter(self, **properties) -> Figure:
        return self.add_trace(Scatter(**properties))

    def update_layout(self, **properties) -> Figure:
        _update(self.layout, properties)
        return self

    def update_xaxes(self, **properties) -> Figure:
        """The x axis (the builders draw one plot, so one axis)."""
        return self.update_layout(xaxis=properties)

    def update_yaxes(self, **properties) -> Figure:
        return self.update_layout(yaxis=properties)

    def add_shape(self, **properties) -> Figure:
        self.layout.setdefault("shapes", []).append(_update({}, properties))
        return self

    def add_annotation(self, **properties) -> Figure:
        self.layout.setdefault("annotations", []).append(_update({}, properties))
        return self

    def add_vline(self, x, **properties) -> Figure:
        """A vertical line across the plot at ``x`` (``annotation_*`` keywords: its label)."""
        return self._spanning({"type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1}, "vline",
                              "yref", properties)

    def add_hline(self, y, **properties) -> Figure:
        """A horizontal line across the plot at ``y``."""
        return self._spanning({"type": "line", "x0": 0, "x1": 1, "y0": y, "y1": y}, "hline",
                              "xref", properties)

    def _spanning(self, line: dict, kind: str, across: str, properties: dict) -> Figure:
        """plotly's ``_process_multiple_axis_spanning_shapes`` for one plot: the line on axes
        ``x`` and ``y``, its ``across`` reference in domain units (0 to 1: the whole plot),
        and, given ``annotation_*`` keywords, the label placed by ``annotation_position``."""
        from plotly.shapeannotation import axis_spanning_shape_annotation

        shape = {k: v for k, v in properties.items() if not k.startswith("annotation_")}
        label = {k: v for k, v in properties.items() if k.startswith("annotation_")}
        annotation = axis_spanning_shape_annotation(None, kind, line, label)
        self.add_shape(**line, **shape)
        if annotation is not None:
            self.add_annotation(**annotation)
        added = [self.layout["shapes"][-1]] + ([self.layout["annotations"][-1]] if annotation else [])
        for spanning in added:
            spanning.setdefault("xref", "x")
            spanning.setdefault("yref", "y")
            spanning[across] += " domain"
        return self
