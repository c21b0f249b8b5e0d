"""The PDF report (``report.pdf``): the same sections, findings and tables as the other reports,
with a few key charts, on A4 landscape pages.

Chinese needs a font with CJK glyphs, embedded (subset) in the PDF. :func:`find_cjk_font` looks for
one: the file named by the ``CRM_REPORT_FONT`` environment variable, else the usual system fonts
(Noto Sans CJK from Debian's fonts-noto-cjk, WenQuanYi, Microsoft YaHei/SimHei on Windows, PingFang/
Heiti on macOS), else any font matplotlib knows that has CJK glyphs; none gives a StudyError that
says what to install. fpdf2 embeds it as a CID font (CFF outlines as Type 0C, TrueType as Type 2).
The charts are drawn with matplotlib in the same font and embedded as PNG images (plotly's static
export would need kaleido and a browser).
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from surveys.errors import StudyError
from surveys.i18n import msg

from ..i18n import t
from .tables import Section, Table, build_sections, format_value

__all__ = ["pdf_report", "find_cjk_font", "CjkFont", "FONT_ENV", "FONT_CANDIDATES"]

FONT_ENV = "CRM_REPORT_FONT"
#: (regular, bold) font files tried in order; a .ttc's Simplified Chinese face is chosen
FONT_CANDIDATES = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
     "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", None),
    ("C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/msyhbd.ttc"),
    ("C:/Windows/Fonts/simhei.ttf", None),
    ("/System/Library/Fonts/PingFang.ttc", None),
    ("/System/Library/Fonts/STHeiti Light.ttc", "/System/Library/Fonts/STHeiti Medium.ttc"),
    ("/Library/Fonts/Arial Unicode.ttf", None),
]
PROBE = "客户满意度"
FAMILY = "cjk"
PAGE_WIDTH = 277  # A4 landscape minus 10 mm margins
BLUE = (0, 114, 178)


@dataclass(frozen=True)
class CjkFont:
    """A font file with CJK glyphs and the face to use in it (collections: .ttc/.otc)."""
    path: str
    index: int = 0
    bold_path: str | None = None
    bold_index: int = 0


def _cjk_face(path: str) -> int | None:
    """The face of ``path`` that covers :data:`PROBE`, Simplified Chinese faces tried first
    (only their names are read before that), or None."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        with open(path, "rb") as handle:
            collection = handle.read(4) == b"ttcf"
        faces = TTCollection(path, lazy=True).fonts if collection else [TTFont(path, lazy=True)]
        names = [face["name"].getDebugName(4) or "" for face in faces]
        order = sorted(range(len(faces)),
                       key=lambda i: not any(tag in names[i] for tag in (" SC", "GB", " CN")))
        for index in order:
            cmap = faces[index]["cmap"].getcmap(3, 10) or faces[index]["cmap"].getcmap(3, 1)
            if cmap is not None and all(ord(ch) in cmap.cmap for ch in PROBE):
                return index
    except (OSError, TTLibError, KeyError, AssertionError):
        return None
    return None


def find_cjk_font(override: str | None = None) -> CjkFont:
    """The CJK font for the PDF: ``override`` or $CRM_REPORT_FONT, else the first system font of
    :data:`FONT_CANDIDATES`, else any font matplotlib finds with CJK glyphs.

    Raises
    ------
    StudyError
        No such font, or the named file has no Chinese glyphs.
    """
    return _find_cjk_font(override or os.environ.get(FONT_ENV) or None)


@lru_cache(maxsize=8)
def _find_cjk_font(named: str | None) -> CjkFont:
    if named:
        index = _cjk_face(named) if Path(named).is_file() else None
        if index is None:
            raise StudyError(msg("rep_font_no_cjk", file=named), file=named, key=FONT_ENV,
                             expected=msg("rep_font_no_cjk_expected"))
        return CjkFont(named, index)
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file() and (index := _cjk_face(regular)) is not None:
            bold_index = _cjk_face(bold) if bold and Path(bold).is_file() else None
            return CjkFont(regular, index, bold if bold_index is not None else None, bold_index or 0)
    from matplotlib import font_manager

    for path in sorted(font_manager.findSystemFonts()):
        if (index := _cjk_face(path)) is not None:
            return CjkFont(path, index)
    raise StudyError(msg("rep_font_missing"), key=FONT_ENV,
                     expected=msg("rep_font_missing_expected"))


class _Document(FPDF):
    def __init__(self, font: CjkFont, footer_text: str):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.footer_text = footer_text
        self.add_font(FAMILY, "", font.path, collection_font_number=font.index)
        self.add_font(FAMILY, "B", font.bold_path or font.path,
                      collection_font_number=font.bold_index if font.bold_path else font.index)
        self.set_auto_page_break(True, margin=12)
        self.set_margins(10, 10, 10)

    def footer(self):
        self.set_y(-9)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(120)
        self.cell(0, 5, f"{self.footer_text}   {self.page_no()}", align="R")
        self.set_text_color(0)


def _heading(pdf: FPDF, text: str, size: float, color=BLUE) -> None:
    pdf.set_font(FAMILY, "B", size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)


def _paragraph(pdf: FPDF, text: str, size: float = 9, color: int = 0) -> None:
    pdf.set_font(FAMILY, "", size)
    pdf.set_text_color(color)
    pdf.multi_cell(0, size * 0.48, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)


def _column_widths(pdf: FPDF, table: Table, lang: str) -> list[float]:
    """Widths (mm) from the widest text of each column in the current font (long labels wrap).
    A table wider than the page gives up width from its text columns first (they wrap); numbers
    keep their width unless that alone overflows the page."""
    widths, least = [], []
    for j, col in enumerate(table.columns):
        cells = [pdf.get_string_width(format_value(r[j], col.kind, lang)) for r in table.rows]
        label = min(pdf.get_string_width(col.label), 22)
        width = min(max(cells + [label, 6]) + 2.5, 80)
        widths.append(width)
        words = max((pdf.get_string_width(word) for word in col.label.split()), default=0)
        numbers = max(cells + [words, 6]) + 2.5  # headers may wrap between words, numbers never
        least.append(min(width, 20) if col.kind in ("text", "flag") else min(width, numbers))
    total, fixed = sum(widths), sum(least)
    if total <= PAGE_WIDTH:
        return widths
    if fixed >= PAGE_WIDTH:
        return [w * PAGE_WIDTH / total for w in widths]
    shrink = (PAGE_WIDTH - fixed) / (total - fixed)
    return [lo + (w - lo) * shrink for w, lo in zip(widths, least)]


def _table(pdf: FPDF, table: Table, lang: str) -> None:
    if pdf.will_page_break(30):
        pdf.add_page()
    _heading(pdf, table.title, 11, color=(0, 0, 0))
    _paragraph(pdf, f"{t('rep_method', lang)}: {table.method}", 7.5, 90)
    _paragraph(pdf, table.n, 7.5, 90)
    pdf.ln(1)
    size = 6.5 if len(table.columns) > 12 else 7.5
    pdf.set_font(FAMILY, "", size)
    widths = _column_widths(pdf, table, lang)
    align = ["LEFT" if c.kind in ("text", "flag") else "RIGHT" for c in table.columns]
    with pdf.table(col_widths=widths, width=sum(widths), align="LEFT", text_align=align,
                   line_height=size * 0.5, repeat_headings=1, padding=0.6,
                   headings_style=FontFace(family=FAMILY, emphasis="BOLD", fill_color=(221, 235, 247)),
                   borders_layout="HORIZONTAL_LINES") as pdf_table:
        header = pdf_table.row()
        for col in table.columns:
            header.cell(col.label)
        for values in table.rows:
            row = pdf_table.row()
            for col, value in zip(table.columns, values):
                row.cell(format_value(value, col.kind, lang))
    pdf.ln(4)


def _section(pdf: FPDF, results: dict, section: Section, lang: str, font: CjkFont) -> None:
    pdf.add_page()
    _heading(pdf, section.title, 15)
    pdf.ln(1)
    for finding in section.findings:
        _paragraph(pdf, "• " + finding, 9)
    pdf.ln(2)
    from .pdf_charts import section_charts

    for png in section_charts(results, section.key, lang, font):
        if pdf.will_page_break(95):
            pdf.add_page()
        pdf.image(io.BytesIO(png), w=180)
        pdf.ln(3)
    for table in section.tables:
        _table(pdf, table, lang)


def pdf_report(results: dict, lang: str = "zh") -> bytes:
    """The PDF report of ``results`` (the content of results.json) in ``lang`` ("zh"/"en").

    Raises
    ------
    StudyError
        No font with Chinese glyphs was found (see :func:`find_cjk_font`).
    """
    font = find_cjk_font()
    sections = build_sections(results, lang)
    study = results.get("study") or {}
    scale = study.get("scale") or {}
    title = f"{study.get('title') or ''} — {t('rep_title', lang)}"
    pdf = _Document(font, title)
    pdf.set_title(title)
    pdf.set_creator("CRM questionnaire toolkit")
    pdf.add_page()
    _heading(pdf, title, 18)
    _paragraph(pdf, f"{t('rep_current_wave', lang)}: {study.get('wave')}   "
                    f"{t('rep_scale', lang)}: {scale.get('min')}–{scale.get('max')}", 10, 80)
    pdf.ln(3)
    _heading(pdf, t("rep_findings", lang), 14)
    for section in sections:
        if section.findings:
            pdf.ln(1)
            _heading(pdf, section.title, 10, color=(0, 0, 0))
            for finding in section.findings:
                _paragraph(pdf, "• " + finding, 8.5)
    pdf.ln(3)
    _paragraph(pdf, f"{t('rep_generated', lang)} SHA-256: {study.get('fingerprint') or '–'}", 7, 120)
    for section in sections:
        _section(pdf, results, section, lang, font)
    return bytes(pdf.output())
