"""The PDF report (``report.pdf``): the same sections, findings and tables as the other reports,
with the key charts, on A4 landscape pages, typeset by Typst (the ``typst`` package).

The report is written as Typst markup (every text from the results as a Typst string literal, so
no name can be read as markup) and compiled in-process. Typst lays the tables out: column widths
from their content (a header wraps between words, never inside one; computed here from the font's
advance widths as Typst would size its auto columns, with the height of every row that stays on
one line, :func:`table_layout`: Typst then lays each cell out once, not once more to measure it,
which halved the sample's compile), the header row repeated on
every page a table runs onto (a hyphenated name such as Spearman-Brown may break after its hyphen),
the header kept with the first :data:`KEEP_HEAD` rows, a table of at
most :data:`WHOLE_ROWS` rows never split, and the last :data:`KEEP_TAIL` rows of a longer table
kept together, so that no page carries only a few rows left over from the page before. Sections
follow each other on the page (a heading is never left at the foot of a page). The charts (dimension
scores, the customer/company gap per dimension, the IPA quadrants, the key drivers) are drawn
as vector graphics from the numbers of results.json (:mod:`.pdf_charts`).

Chinese needs a font with CJK glyphs, embedded (subset) in the PDF. :func:`find_cjk_font` looks for
one: the file named by the ``CRM_REPORT_FONT`` environment variable, else the usual system fonts
(Noto Sans CJK from Debian's fonts-noto-cjk, WenQuanYi, Microsoft YaHei/SimHei on Windows, PingFang/
Heiti on macOS), else any font matplotlib knows that has CJK glyphs; none gives a StudyError that
says what to install. Typst reads only that font (and its bold face), never the system's others.
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from surveys.errors import StudyError
from surveys.i18n import msg

from ..i18n import t
from .font_metrics import FaceMetrics, face_metrics, glyph_lookup
from .pdf_charts import section_charts
from .tables import Section, Table, build_sections, format_value, is_faint
from .typst_markup import string

__all__ = ["pdf_report", "find_cjk_font", "covers", "typst_fonts", "CjkFont", "FONT_ENV",
           "FONT_CANDIDATES", "KEEP_HEAD", "KEEP_TAIL", "WHOLE_ROWS"]

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
#: a table's header stays with this many first rows
KEEP_HEAD = 3
#: a table's last rows kept together on one page
KEEP_TAIL = 6
#: tables of at most this many rows are never split across pages
WHOLE_ROWS = 12
#: columns beyond which a table's text is set smaller
WIDE_TABLE = 12
#: the pages' left and right margins (mm)
MARGIN_X = 10
#: the width a table's columns share: A4 landscape less the margins (pt)
TEXT_WIDTH = (297 - 2 * MARGIN_X) / 25.4 * 72
#: a cell's padding left and right, and above and below (pt)
INSET_X, INSET_Y = 2.4, 1.7
#: added to a column's widest text (em): kerning may make a text wider than its advance widths
#: (by 0.003 em at most in the sample's texts; 0.09 em for the font's widest pair, "(j"), and
#: a cell wider than its column would wrap inside a row sized for one line
SLACK = 0.1


@dataclass(frozen=True)
class CjkFont:
    """A font file with CJK glyphs and the face to use in it (collections: .ttc/.otc), its
    family name as Typst reads it, and the bold face when there is one."""
    path: str
    index: int = 0
    bold_path: str | None = None
    bold_index: int = 0
    family: str = ""


def _cjk_face(path: str) -> tuple[int, str] | None:
    """The face of ``path`` that covers :data:`PROBE` (Simplified Chinese faces tried first, only
    their names read before that) and its family name, or None."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        with open(path, "rb") as handle:
            collection = handle.read(4) == b"ttcf"
        faces = TTCollection(path, lazy=True).fonts if collection else [TTFont(path, lazy=True)]
        names = [face["name"].getDebugName(4) or "" for face in faces]
        order = sorted(range(len(faces)),
                       key=lambda i: not any(tag in names[i] for tag in (" SC", "GB", " CN")))
        for index in order:
            if covers(faces[index], PROBE):
                name = faces[index]["name"]
                return index, name.getDebugName(16) or name.getDebugName(1) or ""
    except (OSError, TTLibError, KeyError, AssertionError):
        return None
    return None


def covers(face, chars: str) -> bool:
    """Whether the Unicode cmap of ``face`` (a fontTools TTFont) maps every character of
    ``chars`` to a glyph other than 0 (:func:`.font_metrics.glyph_lookup`: the raw table, not
    fontTools' decompiled dict, 0.4 s for a CJK font)."""
    glyph = glyph_lookup(face)
    return glyph is not None and all(glyph(ord(ch)) for ch in chars)


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
        face = _cjk_face(named) if Path(named).is_file() else None
        if face is None:
            raise StudyError(msg("rep_font_no_cjk", file=named), file=named, key=FONT_ENV,
                             expected=msg("rep_font_no_cjk_expected"))
        return CjkFont(named, face[0], family=face[1])
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file() and (face := _cjk_face(regular)) is not None:
            bold_face = _cjk_face(bold) if bold and Path(bold).is_file() else None
            return CjkFont(regular, face[0], bold if bold_face else None,
                           bold_face[0] if bold_face else 0, face[1])
    from matplotlib import font_manager

    for path in sorted(font_manager.findSystemFonts()):
        if (face := _cjk_face(path)) is not None:
            return CjkFont(path, face[0], family=face[1])
    raise StudyError(msg("rep_font_missing"), key=FONT_ENV,
                     expected=msg("rep_font_missing_expected"))


@contextmanager
def _font_folder(font: CjkFont):
    """A temporary folder holding only the report's font files (links to them), for Typst to
    read, removed on leaving; the font's own folder where links cannot be made (Typst then reads
    that folder's other fonts too)."""
    folder = None
    try:
        folder = tempfile.mkdtemp(prefix="crm-report-fonts-")
        for file in (p for p in (font.path, font.bold_path) if p):
            os.symlink(os.path.abspath(file), os.path.join(folder, Path(file).name))
        linked = folder
    except OSError:
        linked = str(Path(font.path).resolve().parent)
    try:
        yield linked
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


@lru_cache(maxsize=8)
def typst_fonts(font: CjkFont):
    """Typst's view of the report's font files (read once per process: Typst loads them when
    this is built, so the folder of links is gone before any document is compiled)."""
    import typst

    with _font_folder(font) as folder:
        return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                           font_paths=[folder])


PRELUDE = """
#let blue = rgb(0, 114, 178)
#let grey(body) = text(fill: luma(90), body)
#let faint(body) = text(fill: luma(153), body)
#let report-table(widths, heights, aligns, header, rows, size, keep-head, keep-tail, whole) = {
  set text(size: size)
  set par(leading: 0.35em)
  let n = rows.len()
  let cells = ()
  for (i, row) in rows.enumerate() {
    cells += row
    if n <= whole {
      if i == 0 { cells.push(table.cell(rowspan: n, breakable: false)[]) }
    } else if i == 0 {
      cells.push(table.cell(rowspan: keep-head, breakable: false)[])
    } else if i == n - keep-tail {
      cells.push(table.cell(rowspan: keep-tail, breakable: false)[])
    } else if i >= keep-head and i < n - keep-tail {
      cells.push([])
    }
  }
  table(
    columns: widths + (0pt,),
    align: aligns.map(a => a + horizon) + (left,),
    rows: heights,
    // alignment, padding and stroke as values, not functions of (x, y) that Typst would call
    // for every cell (~0.2 s each over the sample's ~7,300 cells); the header's fill on its
    // cells; the rule under the 0 pt keep column has no length
    inset: widths.map(w => (x: INSET-X, y: INSET-Y)) + (0pt,),
    stroke: (top: none, left: none, right: none, bottom: 0.3pt + luma(185)),
    table.header(..header.map(h => table.cell(fill: rgb(221, 235, 247), strong(h))), []),
    ..cells,
  )
}
#let table-title(title, method, n) = block(sticky: true, below: 0.45em, {
  text(11pt, weight: "bold", title)
  linebreak()
  text(7.5pt, grey(method))
  linebreak()
  text(7.5pt, grey(n))
})
#let table-notes(notes) = block(above: 0.35em, text(7pt, grey(notes.join(linebreak()))))
""".replace("INSET-X", f"{INSET_X}pt").replace("INSET-Y", f"{INSET_Y}pt")


def report_faces(font: CjkFont) -> tuple[FaceMetrics, FaceMetrics]:
    """The metrics of the report font's regular and bold faces (the regular one again when the
    font has no bold face: Typst then sets bold text in it too)."""
    regular = face_metrics(font.path, font.index)
    return regular, face_metrics(font.bold_path, font.bold_index) if font.bold_path else regular


def shrink_columns(natural: list[float], available: float) -> list[float]:
    """Typst's widths of ``auto`` columns whose widest cells are ``natural`` wide, on a line
    ``available`` wide: as they are if they fit; else the narrow ones keep their width and the
    others share what is left equally (Typst's ``shrink_auto_columns``: the fair share is
    recomputed until no further column fits within it)."""
    if sum(natural) <= available:
        return list(natural)
    fair, last, left, overlarge, changed = -math.inf, -math.inf, available, len(natural), True
    while changed and overlarge:
        changed, last, fair = False, fair, left / overlarge
        for width in natural:
            if last < width <= fair:
                left -= width
                overlarge -= 1
                changed = True
    return [min(width, fair) for width in natural]


def table_layout(header: list[str], rows: list[list[str]], size: float,
                 faces: tuple[FaceMetrics, FaceMetrics]) -> tuple[list[float], list[float | None]]:
    """The columns' widths and the rows' heights (pt) Typst would find for a report table with
    ``auto`` columns and rows, from the font's advance widths (:mod:`.font_metrics`).

    A column is as wide as its widest cell (the header in bold) plus :data:`SLACK` and the
    padding, the columns shrunk as Typst shrinks them when they do not fit
    (:func:`shrink_columns`). A row whose every cell fits its column on one line is one line
    high plus the padding; a row with a wrapping cell, and the header, are None (``auto``: Typst
    sizes them).
    """
    regular, bold = faces
    widths = [[bold.width(h, size)] for h in header]
    for row in rows:
        for column, text in zip(widths, row):
            column.append(regular.width(text, size))
    slack = SLACK * size
    natural = [min(max(texts) + slack + 2 * INSET_X, TEXT_WIDTH) for texts in widths]
    columns = shrink_columns(natural, TEXT_WIDTH)
    line = regular.line_height(size) + 2 * INSET_Y
    heights: list[float | None] = [None]
    for i in range(1, len(rows) + 1):
        fits = all(texts[i] + slack + 2 * INSET_X <= width and "\n" not in text
                   for texts, width, text in zip(widths, columns, rows[i - 1]))
        heights.append(line if fits and any(rows[i - 1]) else None)
    return columns, heights


def _lengths(values: list[float | None]) -> str:
    """A Typst array of lengths in pt (None as ``auto``)."""
    return "(" + "".join("auto, " if v is None else f"{v:.4f}pt, " for v in values) + ")"


def _table(table: Table, lang: str, faces: tuple[FaceMetrics, FaceMetrics]) -> str:
    """A table as a call of ``report-table`` (after its sticky title lines), with its columns'
    widths and its rows' heights given (:func:`table_layout`), small loadings in grey
    (:func:`~.tables.is_faint`), and its notes (cut-offs, fit, the stars' meaning) under it."""
    labels = [c.label for c in table.columns]
    cells = [[format_value(v, c.kind, lang) for c, v in zip(table.columns, row)]
             for row in table.rows]
    size = 6.5 if len(table.columns) > WIDE_TABLE else 7.5
    widths, heights = table_layout(labels, cells, size, faces)
    aligns = ", ".join("left" if c.kind in ("text", "flag") else "right" for c in table.columns)
    header = ", ".join(string(label) for label in labels)
    rows = ", ".join("(" + ", ".join(f"faint({string(text)})" if is_faint(value, column.kind)
                                     else string(text)
                                     for text, value, column in zip(texts, values, table.columns)) + ",)"
                     for texts, values in zip(cells, table.rows))
    return (f"#table-title({string(table.title)}, {string(t('rep_method', lang) + ': ' + table.method)}, "
            f"{string(table.n)})\n"
            f"#report-table({_lengths(widths)}, {_lengths(heights)}, ({aligns},), ({header},), "
            f"({rows}{',' if rows else ''}), {size}pt, {KEEP_HEAD}, {KEEP_TAIL}, {WHOLE_ROWS})\n"
            + (f"#table-notes(({''.join(string(note) + ', ' for note in table.notes)}))\n"
               if table.notes else "")
            + "#v(3mm)\n")


def _bullets(findings: list[str], size: str) -> str:
    return "".join(f"#text({size})[- #{string(f)}]\n" for f in findings)


def _section(results: dict, section: Section, lang: str,
             faces: tuple[FaceMetrics, FaceMetrics]) -> str:
    parts = [f"#v(6mm, weak: true)\n#block(sticky: true)[#heading(level: 1, {string(section.title)})\n"
             f"{_bullets(section.findings, '9pt')}]\n#v(2mm)\n"]
    parts += [chart + "\n#v(3mm)\n" for chart in section_charts(results, section.key, lang)]
    parts += [_table(table, lang, faces) for table in section.tables]
    return "".join(parts)


def report_markup(results: dict, lang: str, font: CjkFont) -> str:
    """The whole report as Typst markup, set in ``font``."""
    sections = build_sections(results, lang)
    study = results.get("study") or {}
    scale = study.get("scale") or {}
    title = f"{study.get('title') or ''} — {t('rep_title', lang)}"
    wave = f"{t('rep_current_wave', lang)}: {study.get('wave')}"
    scale_text = f"{t('rep_scale', lang)}: {scale.get('min')}–{scale.get('max')}"
    generated = f"{t('rep_generated', lang)} SHA-256: {study.get('fingerprint') or '–'}"
    head = [
        f"#set document(title: {string(title)}, author: {string('CRM questionnaire toolkit')})",
        f"#set page(paper: \"a4\", flipped: true, margin: (x: {MARGIN_X}mm, top: 10mm, bottom: 12mm), "
        "footer: context align(right, text(7pt, fill: luma(120))["
        f"#{string(title)} #h(1em) #counter(page).display()]))",
        f"#set text(font: {string(font.family)}, size: 9pt, lang: {string(lang)}, "
        "cjk-latin-spacing: none)",
        "#set par(leading: 0.5em)",
        "#show heading.where(level: 1): set text(size: 15pt, fill: rgb(0, 114, 178))",
        "#show heading.where(level: 2): set text(size: 10pt)",
        "#show heading: set block(above: 0.8em, below: 0.6em)",
        PRELUDE,
        f"#text(18pt, weight: \"bold\", fill: blue)[#{string(title)}]\n",
        f"#text(10pt, grey[#{string(wave)} #h(1em) #{string(scale_text)}])\n",
        f"#text(14pt, weight: \"bold\", fill: blue)[#{string(t('rep_findings', lang))}]\n",
    ]
    for section in sections:
        if section.findings:
            head.append(f"#heading(level: 2, {string(section.title)})\n"
                        + _bullets(section.findings, "8.5pt"))
    head.append(f"#v(3mm)\n#text(7pt, fill: luma(120))[#{string(generated)}]\n")
    faces = report_faces(font)
    return "\n".join(head) + "".join(_section(results, s, lang, faces) for s in sections)


def pdf_report(results: dict, lang: str = "zh") -> bytes:
    """The PDF report of ``results`` (the content of results.json) in ``lang`` ("zh"/"en").

    Raises
    ------
    StudyError
        No font with Chinese glyphs was found (see :func:`find_cjk_font`).
    """
    import typst

    font = find_cjk_font()
    markup = report_markup(results, lang, font)
    return typst.compile(markup.encode("utf-8"), font_paths=typst_fonts(font))
