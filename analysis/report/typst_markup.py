"""Typst markup for the PDF report: text as string literals, and a small drawing canvas.

Every text that comes from results.json (a study title, a name, a label) enters the markup as a
Typst string literal through :func:`string`, never as markup, so that no name can change the
document. :class:`Canvas` places shapes and labels in a fixed-size box, in millimetres from its
top-left corner; the PDF charts are drawn with it.
"""
from __future__ import annotations

import math

__all__ = ["string", "color", "Canvas", "ticks"]

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: str.translate's table: the escapes, and every other control character as \u{..}
_TRANSLATION = {code: f"\\u{{{code:x}}}" for code in range(32)} | {
    ord(ch): escaped for ch, escaped in _ESCAPES.items()}


def string(text) -> str:
    """A Typst string literal of ``text`` (backslash, quote and control characters escaped; one
    ``str.translate``, not a Python step per character: the PDF has ~8,000 of them)."""
    return '"' + str(text).translate(_TRANSLATION) + '"'


def color(hex_code: str) -> str:
    """A Typst colour from ``#RRGGBB``."""
    return f'rgb("{hex_code}")'


def _mm(value: float) -> str:
    return f"{value:.2f}mm"


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering [low, high] (steps of 1, 2 or 5 × 10^k)."""
    if not high > low:
        return [low]
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


def _text(x: float, y: float, text: str, size: float, anchor: str, fill: str, bold: bool,
          box: float) -> str:
    left = {"left": x, "right": x - box, "center": x - box / 2}[anchor]
    weight = ', weight: "bold"' if bold else ""
    return (f"#place(dx: {_mm(left)}, dy: {_mm(y - 3)}, box(width: {_mm(box)}, height: 6mm, "
            f"align({anchor} + horizon, text({size}pt, fill: {color(fill)}{weight}, "
            f"{string(text)}))))")


class Canvas:
    """Shapes in a ``width`` × ``height`` mm box; :meth:`markup` gives the Typst code, with the
    ``title`` (if any) in bold at the top left, or without it (a caption names the figure)."""

    def __init__(self, width: float, height: float, title: str | None = None):
        self.width, self.height, self.title = width, height, title
        self.items: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str) -> None:
        self.items.append(f"#place(dx: {_mm(x)}, dy: {_mm(y)}, rect(width: {_mm(max(w, 0))}, "
                          f"height: {_mm(max(h, 0))}, fill: {color(fill)}, stroke: none))")

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = "#999999",
             width: float = 0.5, dashed: bool = False) -> None:
        dash = ', dash: "dashed"' if dashed else ""
        self.items.append(f"#place(line(start: ({_mm(x1)}, {_mm(y1)}), end: ({_mm(x2)}, {_mm(y2)}),"
                          f" stroke: (paint: {color(stroke)}, thickness: {width}pt{dash})))")

    def dot(self, x: float, y: float, radius: float, fill: str) -> None:
        self.items.append(f"#place(dx: {_mm(x - radius)}, dy: {_mm(y - radius)}, "
                          f"circle(radius: {_mm(radius)}, fill: {color(fill)}, stroke: none))")

    def text(self, x: float, y: float, text: str, size: float = 7, anchor: str = "left",
             fill: str = "#333333", bold: bool = False, box: float = 60) -> None:
        """``text`` with its left, right or centre (``anchor``) at x, vertically centred on y."""
        self.items.append(_text(x, y, text, size, anchor, fill, bold, box))

    def markup(self, titled: bool = True) -> str:
        items = self.items
        if titled and self.title is not None:
            items = [_text(0, 3, self.title, 9, "left", "#333333", True, self.width)] + items
        return (f"#box(width: {_mm(self.width)}, height: {_mm(self.height)})[\n"
                + "\n".join(items) + "\n]")
