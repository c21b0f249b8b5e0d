"""The few charts of the PDF report: the matplotlib figures of :mod:`.figures` as PNG images."""
from __future__ import annotations

from typing import Iterator

from .figures import figure_png, section_figures

__all__ = ["section_charts"]


def section_charts(results: dict, key: str, lang: str, font) -> Iterator[bytes]:
    """PNG images of the charts of one report section (none for most sections)."""
    for fig in section_figures(results, key, lang, font):
        yield figure_png(fig)
