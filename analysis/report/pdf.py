"""The PDF report (``report.pdf``): the same sections, findings and tables as the other reports,
with the key charts, on A4 landscape pages, typeset by Typst (the ``typst`` package).

The report is written as Typst markup (every text from the results as a Typst string literal, so
no name can be read as markup) and compiled in-process. Typst lays the tables out: column widths
from their content (a header wraps between words, never inside one), the header row repeated on
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

import bisect
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from surveys.errors import StudyError
from surveys.i18n import msg

from ..i18n import t
from .pdf_charts import section_charts
from .tables import Section, Table, build_sections, format_value
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
    ``chars`` to a glyph other than 0.

    The Windows Unicode subtable (3, 10), else (3, 1), is searched in the raw table: formats 12
    (groups of consecutive codes) and 4 (segments, with idDelta and idRangeOffset) by binary
    search, as the OpenType specification describes them. fontTools decompiles the whole
    subtable into a dict (0.4 s for a CJK font); it reads any other format.
    """
    import struct

    data = face.reader["cmap"]
    tables = struct.unpack_from(">H", data, 2)[0]
    records = {(platform, encoding): at for platform, encoding, at
               in struct.iter_unpack(">HHI", data[4:4 + 8 * tables])}
    offset = records.get((3, 10), records.get((3, 1)))
    if offset is None:
        return False
    form = struct.unpack_from(">H", data, offset)[0]
    if form == 12:
        count = struct.unpack_from(">I", data, offset + 12)[0]
        groups = list(struct.iter_unpack(">III", data[offset + 16:offset + 16 + 12 * count]))
        ends = [end for _, end, _ in groups]

        def glyph(code: int) -> int:
            g = bisect.bisect_left(ends, code)
            start, _, first = groups[g] if g < count else (code + 1, 0, 0)
            return first + code - start if start <= code else 0
    elif form == 4:
        segments = struct.unpack_from(">H", data, offset + 6)[0] // 2
        ends, starts, deltas, range_offsets = (
            struct.unpack_from(f">{segments}{kind}", data,
                               offset + 14 + 2 * segments * k + 2 * (k > 0))
            for k, kind in enumerate("HHhH"))  # the reserved pad after endCode

        def glyph(code: int) -> int:
            g = bisect.bisect_left(ends, code)
            if g == segments or starts[g] > code:
                return 0
            if not range_offsets[g]:
                return (code + deltas[g]) & 0xFFFF
            at = offset + 14 + 6 * segments + 2 + 2 * g + range_offsets[g] + 2 * (code - starts[g])
            value = struct.unpack_from(">H", data, at)[0]
            return (value + deltas[g]) & 0xFFFF if value else 0
    else:
        cmap = face["cmap"].getcmap(3, 10) or face["cmap"].getcmap(3, 1)
        return all(cmap.cmap.get(ord(ch), ".notdef") != ".notdef" for ch in chars)
    return all(glyph(ord(ch)) for ch in chars)


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


@lru_cache(maxsize=8)
def _font_folder(font: CjkFont) -> str:
    """A folder holding only the report's font files (links to them), for Typst to read; the
    font's own folder where links cannot be made (it then reads that folder's other fonts too)."""
    files = [p for p in (font.path, font.bold_path) if p]
    try:
        folder = tempfile.mkdtemp(prefix="crm-report-fonts-")
        for file in files:
            os.symlink(os.path.abspath(file), os.path.join(folder, Path(file).name))
        return folder
    except OSError:
        return str(Path(font.path).resolve().parent)


@lru_cache(maxsize=8)
def typst_fonts(font: CjkFont):
    """Typst's view of the report's font files (read once per process)."""
    import typst

    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                       font_paths=[_font_folder(font)])


PRELUDE = """
#let blue = rgb(0, 114, 178)
#let grey(body) = text(fill: luma(90), body)
#let report-table(widths, aligns, header, rows, size, keep-head, keep-tail, whole) = {
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
    align: (x, y) => aligns.at(x, default: left) + horizon,
    inset: (x, y) => if x == widths.len() { 0pt } else { (x: 2.4pt, y: 1.7pt) },
    // one stroke for every cell (a function of the cell cost ~0.5 s over the sample's ~5,400
    // cells); the rule under the 0 pt keep column has no length
    stroke: (top: none, left: none, right: none, bottom: 0.3pt + luma(185)),
    fill: (x, y) => if y == 0 and x < widths.len() { rgb(221, 235, 247) },
    table.header(..header.map(h => strong(h)), []),
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
"""


def _table(table: Table, lang: str) -> str:
    """A table as a call of ``report-table`` (after its sticky title lines)."""
    widths = ", ".join("auto" for _ in table.columns)
    aligns = ", ".join("left" if c.kind in ("text", "flag") else "right" for c in table.columns)
    header = ", ".join(string(c.label) for c in table.columns)
    rows = ", ".join("(" + ", ".join(string(format_value(v, c.kind, lang))
                                      for c, v in zip(table.columns, row)) + ",)"
                     for row in table.rows)
    size = "6.5pt" if len(table.columns) > WIDE_TABLE else "7.5pt"
    return (f"#table-title({string(table.title)}, {string(t('rep_method', lang) + ': ' + table.method)}, "
            f"{string(table.n)})\n"
            f"#report-table(({widths},), ({aligns},), ({header},), ({rows}{',' if rows else ''}), "
            f"{size}, {KEEP_HEAD}, {KEEP_TAIL}, {WHOLE_ROWS})\n#v(3mm)\n")


def _bullets(findings: list[str], size: str) -> str:
    return "".join(f"#text({size})[- #{string(f)}]\n" for f in findings)


def _section(results: dict, section: Section, lang: str) -> str:
    parts = [f"#v(6mm, weak: true)\n#block(sticky: true)[#heading(level: 1, {string(section.title)})\n"
             f"{_bullets(section.findings, '9pt')}]\n#v(2mm)\n"]
    parts += [chart + "\n#v(3mm)\n" for chart in section_charts(results, section.key, lang)]
    parts += [_table(table, lang) for table in section.tables]
    return "".join(parts)


def report_markup(results: dict, lang: str, family: str) -> str:
    """The whole report as Typst markup, set in the font ``family``."""
    sections = build_sections(results, lang)
    study = results.get("study") or {}
    scale = study.get("scale") or {}
    title = f"{study.get('title') or ''} — {t('rep_title', lang)}"
    wave = f"{t('rep_current_wave', lang)}: {study.get('wave')}"
    scale_text = f"{t('rep_scale', lang)}: {scale.get('min')}–{scale.get('max')}"
    generated = f"{t('rep_generated', lang)} SHA-256: {study.get('fingerprint') or '–'}"
    head = [
        f"#set document(title: {string(title)}, author: {string('CRM questionnaire toolkit')})",
        "#set page(paper: \"a4\", flipped: true, margin: (x: 10mm, top: 10mm, bottom: 12mm), "
        "footer: context align(right, text(7pt, fill: luma(120))["
        f"#{string(title)} #h(1em) #counter(page).display()]))",
        f"#set text(font: {string(family)}, size: 9pt, lang: {string(lang)}, "
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
    return "\n".join(head) + "".join(_section(results, s, lang) for s in sections)


def pdf_report(results: dict, lang: str = "zh") -> bytes:
    """The PDF report of ``results`` (the content of results.json) in ``lang`` ("zh"/"en").

    Raises
    ------
    StudyError
        No font with Chinese glyphs was found (see :func:`find_cjk_font`).
    """
    import typst

    font = find_cjk_font()
    markup = report_markup(results, lang, font.family)
    return typst.compile(markup.encode("utf-8"), font_paths=typst_fonts(font))
