"""The Word report (``report.docx``): the results chapter of a thesis, ready to paste.

Content: the sections of :func:`analysis.report.tables.build_sections` in the order of a thesis's
results chapter (:data:`ORDER`; a section another feature adds to ``tables.py`` comes after the
known section that precedes it there), each table a real Word three-line table (三线表) with its
numbered caption above, a note below (method, n, cut-offs, significance stars) and a paragraph of
interpretation after it (:mod:`.thesis`; a table without its own paragraph gets a generic
sentence and its section's findings), then a figure section (the PDF's charts of
:mod:`.pdf_charts` as pictures: path diagram, dimension scores, gaps, IPA, drivers, loyalty
ladder, comment keywords; at 300 dpi, numbered "图 N" / "Figure N" below the picture). Tables of a section keep the order of ``tables.py``
except where :data:`TABLE_ORDER` puts a thesis's order (a structural model's measurement model
before its paths). The customer list's rows and contacts are never in it (``tables.py`` has only
its status counts).

Tables: only the columns and tables that are not ``detail`` (the full reports have those) and
columns that hold a value somewhere; leading text columns that hold one value (a single group)
move into the caption, repeated values in them are left blank; numbers are aligned on the decimal
point by a decimal tab stop; a table too wide for an A4 portrait page in 五号 is set in 小五, and
one too wide for that goes on a landscape page (the next table that fits turns the page back). Borders: top and bottom rule 1.5 pt,
a 0.75 pt rule under the header, nothing else (no vertical rules, no rules between body rows).
Fonts are set on every run: Times New Roman for Latin letters and digits, 宋体 (SimSun) for
Chinese (``w:eastAsia``), 黑体 (SimHei) for headings and captions; 五号 (10.5 pt) in tables,
小四 (12 pt) in the text, 小五 (9 pt) in notes. Statistic symbols are italic (:data:`STAT_SYMBOL`;
Greek ones only in the gb style). Numbers follow the study's ``report: {style: apa | gb}``
(:mod:`.numstyle`). Captions are Word SEQ fields, so Word's table of figures and cross-references
work; the number shown is the one the field would compute.
"""
from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Iterator
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from surveys.errors import StudyError

from ..i18n import t
from .numstyle import NumberStyle, number_style
from .tables import Section, Table, build_sections, is_faint

__all__ = ["word_report", "table_docx", "ORDER", "TABLE_ORDER", "STAT_SYMBOL", "RULE_OUTER",
           "RULE_HEADER"]

#: the order of a thesis's results chapter (sections not listed keep their place after the
#: listed section that precedes them in :data:`analysis.report.tables.BUILDERS`)
ORDER = ["study", "weighting", "descriptives", "reliability", "validity", "pls", "indices", "gaps",
         "servqual", "trends", "drivers", "ipa", "kano", "comparisons", "segments", "ladder",
         "customers", "text"]
#: the order of a section's tables where a thesis's differs from the report tables' (tables not
#: listed follow in their own order)
TABLE_ORDER = {"pls": ["pls_reliability", "pls_outer", "pls_htmt", "pls_paths", "pls_r2", "pls_total",
                       "pls_indices", "pls_fit"]}
#: statistic symbols set in italics (APA 7th ed., 6.45): Latin ones always, Greek ones in gb
STAT_SYMBOL = re.compile(r"(?<![A-Za-z\u0370-\u03ff'’])(SD|SE|df|M|t|p|F|r|n|N|R²|R|b|B|z|U|V|H|g|q|"
                         r"α|β|ω|λ|χ|η|ε)(?![A-Za-z\u0370-\u03ff])")
GREEK = set("αβωλχηε")
#: three-line rules in eighths of a point (w:sz): top and bottom 1.5 pt, under the header 0.75 pt
RULE_OUTER, RULE_HEADER = 12, 6
LATIN, SONG, HEI = "Times New Roman", "宋体", "黑体"
TABLE_PT, TEXT_PT, NOTE_PT, SMALL_TABLE_PT = 10.5, 12, 9, 9
PORTRAIT = (Cm(21.0), Cm(29.7))
MARGINS = (Cm(2.54), Cm(3.17))  # top/bottom, left/right (Word's default for A4 in China)
CELL_MARGIN_TWIPS = 45  # left and right cell margin, 0.08 cm
CELL_PAD_PT = 2 * CELL_MARGIN_TWIPS / 20 + 2  # both margins and a little air
NUMBER_AIR = 4  # points kept free around a column's numbers (a decimal tab needs a little room)
TEXT_LINES = 2.5  # a text column is never narrower than its longest text over this many lines
_DIGIT = re.compile(r"\d")
_DECIMAL_POINT = re.compile(r"\.(?=\d)")  # ".34" has its point first (APA)
EMPTY = ("", "–")  # cells without a value (a missing number is an en dash)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: characters XML 1.0 refuses (control characters from the data): left out of the document
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters a Word document cannot hold (control characters)."""
    return _NOT_XML.sub("", text)
FIGURE_DPI = 300
FIGURE_WIDTH = Cm(15)
#: the charts (those of the PDF, :mod:`.pdf_charts`) are drawn this much narrower than printed, so
#: that their 7 pt labels print at 小五 (9 pt) in the Word report
FIGURE_SCALE = 9 / 7
#: the report sections that have figures, in the order of the figure section
CHART_SECTIONS = ("pls", "indices", "gaps", "ipa", "drivers", "ladder", "text")


# ---------------------------------------------------------------- runs and fonts

@lru_cache(maxsize=256)
def _run_properties(size: float | None, bold: bool | None, italic: bool | None, east_asia: str,
                    latin: str) -> bytes:
    """The w:rPr of a run as XML (built once per combination, then copied)."""
    rpr = OxmlElement("w:rPr")
    fonts = OxmlElement("w:rFonts")
    for attribute, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asia), ("cs", latin)):
        fonts.set(qn(f"w:{attribute}"), value)
    rpr.append(fonts)
    for tag, on in (("w:b", bold), ("w:i", italic)):
        if on is not None:
            element = OxmlElement(tag)
            if not on:
                element.set(qn("w:val"), "0")
            rpr.append(element)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            element = OxmlElement(tag)
            element.set(qn("w:val"), str(int(round(2 * size))))
            rpr.append(element)
    return etree.tostring(rpr)


def _fonts(run, size: float | None = None, bold: bool | None = None, italic: bool | None = None,
           east_asia: str = SONG, latin: str = LATIN) -> None:
    """Set the run's fonts: Latin and digits (ascii/hAnsi), Chinese (eastAsia), size, emphasis."""
    element = run._element
    if element.rPr is not None:
        element.remove(element.rPr)
    element.insert(0, parse_xml(_run_properties(size, bold, italic, east_asia, latin)))


def stat_runs(text: str, style: NumberStyle) -> list[tuple[str, bool]]:
    """``text`` cut into (part, italic) pieces: the statistic symbols of :data:`STAT_SYMBOL` are
    italic (Greek ones only when the style says so)."""
    pieces, last = [], 0
    for match in STAT_SYMBOL.finditer(text):
        symbol = match.group(1)
        if symbol in GREEK and not style.greek_italic:
            continue
        if match.start() > last:
            pieces.append((text[last:match.start()], False))
        pieces.append((symbol, True))
        last = match.end()
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces


@dataclass
class Rich:
    """A paragraph as pieces: (text, italic, plain) where ``plain`` text (a name from the data) is
    never searched for statistic symbols."""

    pieces: list[tuple[str, bool, bool]]

    @classmethod
    def of(cls, text: str) -> "Rich":
        return cls([(text, False, False)])


def _add_text(paragraph, content: "str | Rich", style: NumberStyle, size: float,
              bold: bool | None = None, east_asia: str = SONG, stats: bool = True) -> None:
    """Add ``content`` to the paragraph as runs, statistic symbols in italics (the runs written
    as XML and parsed once, :func:`_paragraph_run_xml`)."""
    rich = content if isinstance(content, Rich) else Rich.of(content)
    runs = []
    for text, italic, plain in rich.pieces:
        parts = [(text, italic)] if plain or not stats or italic else stat_runs(text, style)
        runs += [_paragraph_run_xml(xml_text(part), _run_properties(
            size, bold, slanted or None, east_asia, LATIN)) for part, slanted in parts]
    paragraph._p.extend(parse_xml(f'<w:p xmlns:w="{_W}">{"".join(runs)}</w:p>'))


_RPR_NAMESPACE = f' xmlns:w="{_W}"'.encode()


def _paragraph_run_xml(text: str, properties: bytes) -> str:
    """The run python-docx's ``paragraph.add_run(text)`` followed by :func:`_fonts` makes, as
    XML: the properties first, then the text in w:t elements, a tab as w:tab and a line break
    (CR or LF) as w:br, and ``xml:space="preserve"`` on a w:t whose text starts or ends with
    white space. Building each run through python-docx's objects (an element per run, an XPath
    query to clear it, the properties parsed) cost ~0.25 s for the sample's ~1,400 runs."""
    parts, pieces = [], re.split(r"([\t\r\n])", text)
    for piece in pieces:
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            parts.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            parts.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return f"<w:r>{properties.replace(_RPR_NAMESPACE, b'').decode()}{''.join(parts)}</w:r>"


def _spacing(paragraph, before: float = 0, after: float = 0, line: float | None = None) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if line is not None:
        fmt.line_spacing = line


# ---------------------------------------------------------------- document set-up

def _document(lang: str) -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = PORTRAIT
    section.top_margin = section.bottom_margin = MARGINS[0]
    section.left_margin = section.right_margin = MARGINS[1]
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = LATIN, Pt(TEXT_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), SONG)
    for name, size in (("Title", 18), ("Heading 1", 16), ("Heading 2", 14), ("Caption", TABLE_PT)):
        style = styles[name]
        style.font.name, style.font.size, style.font.bold = LATIN, Pt(size), True
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), HEI)
    title_border = styles["Title"].element.pPr.find(qn("w:pBdr")) if styles["Title"].element.pPr is not None \
        else None
    if title_border is not None:
        styles["Title"].element.pPr.remove(title_border)
    lang_el = normal.element.get_or_add_rPr()
    tag = OxmlElement("w:lang")
    tag.set(qn("w:val"), "en-US")
    tag.set(qn("w:eastAsia"), "zh-CN")
    lang_el.append(tag)
    return doc


def _orient(doc, landscape: bool) -> None:
    """Start a new page in the other orientation when the current section is not ``landscape``."""
    current = doc.sections[-1]
    if (current.orientation == WD_ORIENT.LANDSCAPE) == landscape:
        return
    empty = len(doc.element.body) <= 1  # nothing but the section properties yet: turn the page
    section = current if empty else doc.add_section(WD_SECTION.NEW_PAGE)
    width, height = PORTRAIT
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    top, side = MARGINS
    section.top_margin = section.bottom_margin = side if landscape else top
    section.left_margin = section.right_margin = top if landscape else side


def _styled_paragraph(doc, name: str):
    """``doc.add_paragraph(style=name)`` with the style's id looked up once, not python-docx's
    search of the styles part for the id and for the default style on every paragraph (two
    XPath queries, ~3 ms a paragraph: 0.2 s for the sample's ~70 headings and captions)."""
    paragraph = doc.add_paragraph()
    paragraph._p.style = doc.styles[name].style_id
    return paragraph


def _heading(doc, text: str, level: int, style: NumberStyle) -> None:
    paragraph = _styled_paragraph(doc, f"Heading {level}")
    _add_text(paragraph, text, style, 16 if level == 1 else 14, bold=True, east_asia=HEI)
    _spacing(paragraph, 12, 6)
    paragraph.paragraph_format.keep_with_next = True


def _body(doc, content: "str | Rich", style: NumberStyle, lang: str) -> None:
    paragraph = doc.add_paragraph()
    _add_text(paragraph, content, style, TEXT_PT)
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(2 * TEXT_PT) if lang == "zh" else Cm(1.27)
    _spacing(paragraph, 0, 6, 1.5 if lang == "zh" else 2.0)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY if lang == "zh" else WD_ALIGN_PARAGRAPH.LEFT


def _seq_field(paragraph, name: str, number: int, size: float) -> None:
    """A Word SEQ field (numbered caption) showing ``number``."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" SEQ {name} \\* ARABIC ")
    run = OxmlElement("w:r")
    field.append(run)
    paragraph._p.append(field)
    from docx.text.run import Run

    wrapped = Run(run, paragraph)
    wrapped.text = str(number)
    _fonts(wrapped, size, True, east_asia=HEI)


def _caption(doc, kind: str, number: int, title: str, style: NumberStyle, lang: str,
             above: bool) -> None:
    """"表 3 title" above a table or "图 2 title" below a figure (Caption style, SEQ field)."""
    paragraph = _styled_paragraph(doc, "Caption")
    label = t(f"word_{kind}", lang)
    _add_text(paragraph, label + " ", style, TABLE_PT, bold=True, east_asia=HEI, stats=False)
    _seq_field(paragraph, label, number, TABLE_PT)
    _add_text(paragraph, Rich([(" " + title, False, True)]), style, TABLE_PT, bold=True, east_asia=HEI)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _spacing(paragraph, 6 if above else 2, 2 if above else 10)
    paragraph.paragraph_format.keep_with_next = above


# ---------------------------------------------------------------- three-line tables

def _rule(edge: str, size: int | None) -> str:
    """A border element: a single black rule of ``size`` eighths of a point, or none."""
    if size is None:
        return f'<w:{edge} w:val="nil"/>'
    return f'<w:{edge} w:val="single" w:sz="{size}" w:space="0" w:color="000000"/>'


def _run_xml(text: str, size: float, *, bold: bool | None = None, italic: bool | None = None,
             superscript: bool = False, grey: bool = False) -> str:
    """One run with its fonts (Latin and East Asian) set, as XML."""
    rpr = _run_properties(size, bold, italic, SONG, LATIN).decode()
    extra = ('<w:color w:val="999999"/>' if grey else "") + \
        ('<w:vertAlign w:val="superscript"/>' if superscript else "")
    if extra:  # w:color and w:vertAlign come after w:i and before w:sz in the schema
        rpr = re.sub(r"(<w:sz )", extra.replace("\\", "\\\\") + r"\1", rpr, count=1) \
            if "<w:sz " in rpr else rpr.replace("</w:rPr>", extra + "</w:rPr>")
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(xml_text(text))}</w:t></w:r>'


def _rich_runs(text: str, style: NumberStyle, size: float, *, plain: bool, bold: bool | None = None,
               grey: bool = False) -> str:
    parts = [(text, False)] if plain else stat_runs(text, style)
    return "".join(_run_xml(part, size, bold=bold, italic=slanted or None, grey=grey)
                   for part, slanted in parts if part)


def _cell_xml(width: float, content: str, *, borders: str = "", tab: float | None = None,
              center: bool = False, keep: bool = False, size: float = TABLE_PT) -> str:
    ppr = ("<w:keepNext/>" if keep else "") + \
        (f'<w:tabs><w:tab w:val="decimal" w:pos="{int(round(tab * 20))}"/></w:tabs>' if tab is not None else "") + \
        f'<w:spacing w:before="0" w:after="0" w:line="{int(round(size * 1.3 * 20))}" w:lineRule="exact"/>' + \
        ('<w:jc w:val="center"/>' if center else "")
    tc_borders = f"<w:tcBorders>{borders}</w:tcBorders>" if borders else ""
    return (f'<w:tc><w:tcPr><w:tcW w:w="{int(round(width * 20))}" w:type="dxa"/>{tc_borders}</w:tcPr>'
            f"<w:p><w:pPr>{ppr}</w:pPr>{content}</w:p></w:tc>")


def _table_xml(grid: "_Grid", style: NumberStyle, size: float, widths: list[float]) -> str:
    """The three-line table as WordprocessingML: top and bottom rules on the table (and, for
    LibreOffice, on the first and last row's cells), the header rule under the header cells,
    no other border; fixed column widths; the header row repeated on every page; rows never
    split; a short table kept on one page and a long one's last rows with the rows before."""
    table_borders = "".join(_rule(edge, size_) for edge, size_ in (
        ("top", RULE_OUTER), ("left", None), ("bottom", RULE_OUTER), ("right", None),
        ("insideH", None), ("insideV", None)))
    margins = "".join(f'<w:{edge} w:w="{w}" w:type="dxa"/>' for edge, w in (
        ("top", 0), ("left", CELL_MARGIN_TWIPS), ("bottom", 0), ("right", CELL_MARGIN_TWIPS)))
    parts = [f'<w:tbl xmlns:w="{_W}"><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/>'
             f"<w:tblBorders>{table_borders}</w:tblBorders>"
             f'<w:tblLayout w:type="fixed"/><w:tblCellMar>{margins}</w:tblCellMar>'
             '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
             'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>']
    parts += [f'<w:gridCol w:w="{int(round(w * 20))}"/>' for w in widths]
    parts.append("</w:tblGrid>")
    header_rules = _rule("top", RULE_OUTER) + _rule("bottom", RULE_HEADER)
    parts.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
    for label, width in zip(grid.headers, widths):
        parts.append(_cell_xml(width, _rich_runs(label, style, size, plain=False), borders=header_rules,
                               center=True, keep=True, size=size))
    parts.append("</w:tr>")
    tabs = [_decimal_tab(grid, j, widths[j], size) if grid.numeric[j] else None
            for j in range(len(grid.headers))]
    count = len(grid.cells)
    for i, values in enumerate(grid.cells):
        keep = (count <= 20 or i >= count - 4) and i < count - 1
        borders = _rule("bottom", RULE_OUTER) if i == count - 1 else ""
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for j, text in enumerate(values):
            numeric = grid.numeric[j]
            has_digit = bool(_DIGIT.search(text))
            mark, sup = grid.marks[i][j]
            runs = _rich_runs(text, style, size, plain=True, bold=grid.bold[i][j] or None,
                              grey=grid.grey[i][j])
            if mark:
                runs += _run_xml(mark, size, superscript=sup, grey=grid.grey[i][j])
            parts.append(_cell_xml(widths[j], runs, borders=borders,
                                   tab=tabs[j] if numeric and has_digit else None,
                                   center=numeric and not has_digit, keep=keep, size=size))
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def _char_width(ch: str, size: float) -> float:
    """About the advance width of ``ch`` in Times New Roman / SimSun, in points."""
    if (unicodedata.east_asian_width(ch) in "WFA" or ord(ch) >= 0x2190) and ch not in "−–—·":
        return size  # CJK, full-width forms, symbols such as ✔ and arrows
    if ch in " .,:;'|!il()[]fjrt":
        return 0.3 * size
    if ch.isupper() or ch in "mw%—@":
        return 0.75 * size
    return 0.5 * size


@lru_cache(maxsize=65536)
def text_width(text: str, size: float) -> float:
    """Rough width of ``text`` in points (CJK characters a full em, Latin about half); cached:
    a table's layout measures the same texts for up to three sizes and its decimal tabs again
    (~22,000 calls for the sample's tables, ~8,000 distinct)."""
    return sum(_char_width(ch, size) for ch in text)


def _word_width(text: str, size: float) -> float:
    """The widest unbreakable piece: a Latin word, or a single CJK character."""
    pieces = re.findall(r"[^\s\u3000-\u9fff\uff00-\uffef]+|[\u3000-\u9fff\uff00-\uffef]", text)
    return max((text_width(p, size) for p in pieces), default=0)


@dataclass
class _Grid:
    """A table laid out for Word: header labels, cell texts, which columns are numeric."""

    title: str
    headers: list[str]
    cells: list[list[str]]
    numeric: list[bool]
    marks: list[list[tuple[str, bool]]]  # (mark, superscript) per cell
    grey: list[list[bool]]
    bold: list[list[bool]]
    #: column -> :meth:`column_texts`, worked out once (the layout measures a column for up to
    #: three sizes and its decimal tab again)
    _texts: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def column_texts(self, j: int) -> tuple[list[str], list[str], list[str]]:
        """Column ``j``'s cells with their marks: the parts before and from the decimal point
        (:func:`_split_decimal`) of the cells whose text has a digit, and the cells (with
        their marks) that have none."""
        if j not in self._texts:
            texts = [row[j] + self.marks[i][j][0] for i, row in enumerate(self.cells)]
            numbers = [_split_decimal(x) for x, row in zip(texts, self.cells)
                       if _DIGIT.search(row[j])]
            self._texts[j] = ([a for a, _ in numbers], [b for _, b in numbers],
                              [x for x in texts if not _DIGIT.search(x)])
        return self._texts[j]


def _split_decimal(text: str) -> tuple[str, str]:
    """The part of a number's text up to its decimal point and the rest ("12.34" -> "12", ".34")."""
    match = _DECIMAL_POINT.search(text)
    if match:
        return text[: match.start()], text[match.start():]
    return text, ""


def _column_widths(grid: _Grid, size: float, available: float) -> tuple[list[float], bool]:
    """Widths (pt) of the columns and whether they fit ``available``: numbers never wrap, a header
    keeps four characters a line, text may wrap (down to eight characters, and to no more than
    about three lines: a long label rather turns the page)."""
    widths, least = [], []
    for j, label in enumerate(grid.headers):
        if grid.numeric[j]:
            ints, fracs = _number_parts(grid, j, size)
            others = [text_width(x, size) for x in grid.column_texts(j)[2]]
            content = max([ints + fracs + NUMBER_AIR, *others])
        else:
            content = max((text_width(row[j] + grid.marks[i][j][0], size)
                           for i, row in enumerate(grid.cells)), default=0)
        header = text_width(label, size)
        word = _word_width(label, size)
        full = max(content, min(header, max(content, 6 * size)), word) + CELL_PAD_PT
        widths.append(full)
        if grid.numeric[j]:  # numbers never wrap; a header down to four characters a line
            floor = max(content, min(header, 4 * size), word)
        else:
            floor = max(min(content, 8 * size), content / TEXT_LINES, min(header, 4 * size), word)
        least.append(min(full, floor + CELL_PAD_PT))
    total = sum(widths)
    if total <= available:
        return widths, True
    if sum(least) > available:
        return least, False
    shrink = (available - sum(least)) / (total - sum(least))
    return [lo + (w - lo) * shrink for w, lo in zip(widths, least)], True


def _number_parts(grid: _Grid, j: int, size: float) -> tuple[float, float]:
    """The widest part before and from the decimal point of column ``j``'s numbers (cells
    without a digit, such as a dash, are centred instead)."""
    ints, fracs, _ = grid.column_texts(j)
    return (max((text_width(x, size) for x in ints), default=0),
            max((text_width(x, size) for x in fracs), default=0))


def _decimal_tab(grid: _Grid, j: int, width: float, size: float) -> float:
    """Where the decimal point of column ``j`` sits (pt from the cell's left edge): the column's
    numbers centred as a block, never closer than a few points to the edge."""
    ints, fracs = _number_parts(grid, j, size)
    inner = width - CELL_PAD_PT
    return max(ints + NUMBER_AIR / 2, (inner - ints - fracs) / 2 + ints)


def grid_layout(grid: _Grid) -> tuple[bool, float, list[float]]:
    """(landscape, font size, column widths in pt): the first that fits the text width of an A4
    page of portrait 五号 (10.5 pt), portrait 小五 (9 pt, which thesis rules allow in tables),
    landscape 五号, else landscape 小五."""
    for landscape, size in ((False, TABLE_PT), (False, SMALL_TABLE_PT), (True, TABLE_PT)):
        widths, fits = _column_widths(grid, size, _text_width_pt(landscape=landscape))
        if fits:
            return landscape, size, widths
    return True, SMALL_TABLE_PT, _column_widths(grid, SMALL_TABLE_PT, _text_width_pt(landscape=True))[0]


def write_grid(doc, grid: _Grid, style: NumberStyle, lang: str, number: int | None,
               note: list[str] | None = None) -> None:
    """A three-line table with its caption above (numbered when ``number`` is given) and its note
    below; a landscape page when it is too wide for a portrait one (a portrait page again for
    the next table that fits one)."""
    landscape, size, widths = grid_layout(grid)
    _orient(doc, landscape)
    if grid.title:
        if number is None:
            paragraph = _styled_paragraph(doc, "Caption")
            _add_text(paragraph, Rich([(grid.title, False, True)]), style, TABLE_PT, bold=True,
                      east_asia=HEI)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.keep_with_next = True
        else:
            _caption(doc, "table", number, grid.title, style, lang, above=True)
    anchor = doc.add_paragraph()  # the table goes where this paragraph was
    anchor._p.addprevious(parse_xml(_table_xml(grid, style, size, widths)))
    anchor._p.getparent().remove(anchor._p)
    if note:
        paragraph = doc.add_paragraph()
        _add_text(paragraph, Rich([(t("word_note", lang), lang == "en", True)]), style, NOTE_PT)
        if lang == "en":
            _add_text(paragraph, " ", style, NOTE_PT)
        _add_text(paragraph, " ".join(note) if lang == "en" else "".join(note), style, NOTE_PT)
        _spacing(paragraph, 3, 10, 1.0)
    else:
        _spacing(doc.add_paragraph(), 0, 4, 1.0)


def _text_width_pt(landscape: bool) -> float:
    width, height = PORTRAIT
    page = height if landscape else width
    side = MARGINS[0] if landscape else MARGINS[1]
    return (page - 2 * side) / 12700  # EMU per point


# ---------------------------------------------------------------- report tables -> grids

def _leading_text(table: Table, columns: list[int]) -> list[int]:
    """The leading text columns (the group, the grouping variable...) of the shown columns."""
    lead = []
    for j in columns:
        if table.columns[j].kind != "text":
            break
        lead.append(j)
    return lead[:-1] if len(lead) == len(columns) else lead


def table_grid(table: Table, style: NumberStyle, lang: str) -> tuple[_Grid, list[str]]:
    """The Word layout of a report table: the columns that are not ``detail`` and hold a value
    somewhere, leading text columns with one value (before any that varies) moved into the title
    (returned with it), repeated leading values blanked, cells formatted in ``style``."""
    shown = [j for j, c in enumerate(table.columns) if not c.detail]
    lead = _leading_text(table, shown)
    constant = []  # the leading columns before the first that varies (a single group, say)
    for j in lead:
        if not (table.rows and table.rows[0][j] and len({row[j] for row in table.rows}) == 1):
            break
        constant.append(j)
    shown = [j for j in shown if j not in constant]
    lead = [j for j in lead if j not in constant]
    blank_until = lead[:-1]
    extra = [str(table.rows[0][j]) for j in constant]
    cells, marks, grey, bold = [], [], [], []
    previous: list | None = None
    for row in table.rows:
        texts, row_marks, row_grey, row_bold = [], [], [], []
        same = previous is not None
        for j in shown:
            value = row[j]
            text = style.cell(value, table.columns[j].kind, lang)
            if value == "":
                text = ""
            if j in blank_until:
                same = same and previous[j] == value
                if same:
                    text = ""
            texts.append(text)
            row_marks.append((getattr(value, "mark", ""), getattr(value, "sup", False)))
            row_grey.append(is_faint(value, table.columns[j].kind))
            row_bold.append(bool(getattr(value, "bold", False)))
        previous = row
        cells.append(texts)
        marks.append(row_marks)
        grey.append(row_grey)
        bold.append(row_bold)
    numeric = [table.columns[j].kind not in ("text", "flag") for j in shown]
    headers = [table.columns[j].label for j in shown]
    filled = [k for k in range(len(shown)) if any(row[k] not in EMPTY for row in cells)] \
        if cells else list(range(len(shown)))
    if len(filled) < len(shown):  # a column with no value at all (no df for z tests, say)
        headers, numeric = [headers[k] for k in filled], [numeric[k] for k in filled]
        cells, marks, grey, bold = ([[row[k] for k in filled] for row in rows]
                                    for rows in (cells, marks, grey, bold))
    title = table.title + (f"（{'，'.join(extra)}）" if lang == "zh" else f" ({', '.join(extra)})") \
        if extra else table.title
    return _Grid(title, headers, cells, numeric, marks, grey, bold), extra


def table_note(table: Table, style: NumberStyle, lang: str) -> list[str]:
    """The note under a table: the method, the n, further notes (cut-offs, model fit), stars."""
    stop = "。" if lang == "zh" else "."
    parts = [table.method, table.n, *table.notes]
    return [style.text(p if p.endswith(("。", ".")) else p + stop) for p in parts if p]


# ---------------------------------------------------------------- the report

def ordered_sections(sections: list[Section]) -> list[Section]:
    """``sections`` in :data:`ORDER`; one not listed stays behind the section before it."""
    ranked, last = [], -1.0
    for k, section in enumerate(sections):
        if section.key in ORDER:
            last = float(ORDER.index(section.key))
            ranked.append((last, k, section))
        else:
            ranked.append((last + 0.5, k, section))
    return [section for _, _, section in sorted(ranked, key=lambda r: (r[0], r[1]))]


def ordered_tables(section: Section) -> list[Table]:
    """The section's tables that are not ``detail``, in :data:`TABLE_ORDER` where it has one."""
    order = TABLE_ORDER.get(section.key, [])
    tables = [table for table in section.tables if not table.detail]
    return sorted(tables, key=lambda table: order.index(table.key) if table.key in order else len(order))


def chart_images(results: dict, lang: str) -> Iterator[tuple[str, bytes]]:
    """(title, PNG) of the report's key charts, in the order of :data:`CHART_SECTIONS` (path
    diagram, dimension scores, gaps, IPA, drivers, loyalty ladder, comment keywords): the PDF's
    charts (:mod:`.pdf_charts`) without the title inside the picture (the caption says it), drawn
    :data:`FIGURE_SCALE` times narrower than :data:`FIGURE_WIDTH` and rasterised by Typst at
    :data:`FIGURE_DPI` for that width, all in one compile (one chart per page). The one place the
    Word report meets the chart code. Raises StudyError when no CJK font is found."""
    import typst

    from .pdf import find_cjk_font, typst_fonts
    from .pdf_charts import chart_canvases
    from .typst_markup import string

    font = find_cjk_font()
    page = FIGURE_WIDTH.mm / FIGURE_SCALE  # mm, 1 mm margins included
    canvases = [canvas for key in CHART_SECTIONS if results.get(key)
                for canvas in chart_canvases(results, key, lang, width=page - 2)]
    if not canvases:
        return
    markup = (f"#set page(width: {page:.4f}mm, height: auto, margin: 1mm)\n"
              f"#set text(font: {string(font.family)}, size: 9pt, lang: {string(lang)}, "
              "cjk-latin-spacing: none)\n"
              + "\n#pagebreak()\n".join(canvas.markup(titled=False) for canvas in canvases))
    pages = typst.compile(markup.encode("utf-8"), font_paths=typst_fonts(font), format="png",
                          ppi=FIGURE_DPI * FIGURE_SCALE)
    for canvas, png in zip(canvases, pages if isinstance(pages, list) else [pages]):
        yield canvas.title, png_with_dpi(png, FIGURE_DPI)


def png_with_dpi(png: bytes, dpi: float) -> bytes:
    """``png`` with its resolution stated (a pHYs chunk after the header, PNG specification
    11.3.5.3), so that Word and image viewers report ``dpi``; Typst writes none."""
    import struct
    import zlib

    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    header_end = 8 + 8 + 13 + 4  # signature, IHDR's length and type, its 13 bytes, its CRC
    if png[12:16] != b"IHDR" or b"pHYs" in png[:png.find(b"IDAT")]:
        return png
    return png[:header_end] + chunk + png[header_end:]


def add_picture(run, png: bytes, width, shape_id: int) -> None:
    """``run.add_picture(png, width=width)`` with the drawing's id given: python-docx searches
    the whole document for the largest id in use for each picture (0.2 s for the sample's eight,
    growing with the tables before them); the figures, added one after another with nothing
    between them that carries an id, get the ids it would find, the first one's plus one each."""
    from docx.oxml.shape import CT_Inline

    part = run.part
    rid, image = part.get_or_add_image(io.BytesIO(png))
    cx, cy = image.scaled_dimensions(width, None)
    run._r.add_drawing(CT_Inline.new_pic_inline(shape_id, rid, image.filename, cx, cy))


def _figures(doc, results: dict, lang: str, style: NumberStyle, heading: int) -> int:
    """The figure section (heading number ``heading``): each chart with "图 N title" below;
    returns how many (none, with a sentence saying why, without a CJK font)."""
    count = 0
    try:
        for title, png in chart_images(results, lang):
            if not count:
                _orient(doc, False)
                _heading(doc, f"{heading} {t('word_figures', lang)}", 1, style)
                first_id = doc.part.next_id
            picture = doc.add_paragraph()
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture.paragraph_format.keep_with_next = True
            add_picture(picture.add_run(), png, FIGURE_WIDTH, first_id + count)
            count += 1
            _caption(doc, "figure", count, title, style, lang, above=False)
    except StudyError:
        _body(doc, t("word_no_figures", lang), style, lang)
    return count


def word_report(results: dict, lang: str = "zh") -> bytes:
    """The Word report of ``results`` (the content of results.json) in ``lang`` ("zh"/"en")."""
    from .thesis import Thesis

    style = number_style(results, lang)
    doc = _document(lang)
    study = results.get("study") or {}
    title = f"{study.get('title') or ''} {t('word_title', lang)}".strip()
    doc.core_properties.title = xml_text(title)
    doc.core_properties.author = "CRM questionnaire toolkit"
    paragraph = _styled_paragraph(doc, "Title")
    _add_text(paragraph, Rich([(title, False, True)]), style, 18, bold=True, east_asia=HEI)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    thesis = Thesis(results, lang, style)
    for text in thesis.introduction():
        _body(doc, text, style, lang)
    number = heading = 0
    for section in ordered_sections(build_sections(results, lang)):
        tables = ordered_tables(section)
        if not tables:
            continue
        grids = [table_grid(table, style, lang)[0] for table in tables]
        _orient(doc, grid_layout(grids[0])[0])  # the heading on the page of the first table
        heading += 1
        _heading(doc, f"{heading} {section.title}", 1, style)
        written = False
        for table, grid in zip(tables, grids):
            number += 1
            write_grid(doc, grid, style, lang, number, table_note(table, style, lang))
            label = f"{t('word_table', lang)} {number}"
            paragraphs = thesis.paragraphs(table, label)
            if paragraphs is None:
                paragraphs = [thesis.generic(table, label)]
            else:
                written = True
            for text in paragraphs:
                _body(doc, text, style, lang)
        if not written:
            for finding in section.findings:
                _body(doc, style.text(finding), style, lang)
    _figures(doc, results, lang, style, heading + 1)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def table_docx(headers: list[str], rows: Iterable[Iterable], title: str | None = None,
               lang: str = "zh") -> bytes:
    """One three-line table as a Word document (the app's per-table "Word" download): the cells
    as they are shown (already formatted text), columns whose cells are numbers aligned on the
    decimal point."""
    style = NumberStyle("gb" if lang == "zh" else "apa")
    doc = _document(lang)
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    number = re.compile(r"^[<>≤≥]?\s*[−\-+]?\d[\d,]*(\.\d+)?\s*%?\**$|^[–—-]$|^$")
    numeric = [bool(cells) and all(number.match(row[j].strip()) for row in cells)
               and any(row[j].strip() not in ("", "–", "—", "-") for row in cells)
               for j in range(len(headers))]
    grid = _Grid(title or "", [str(h) for h in headers], cells, numeric,
                 [[("", False)] * len(headers) for _ in cells], [[False] * len(headers) for _ in cells],
                 [[False] * len(headers) for _ in cells])
    write_grid(doc, grid, style, lang, None)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
