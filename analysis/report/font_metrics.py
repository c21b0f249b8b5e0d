"""Glyphs and advance widths of a font file, read from its raw tables.

The PDF report gives Typst its table columns' widths and its one-line rows' heights instead of
letting Typst size them (``auto``): an auto column makes Typst lay every cell of it out once more
to measure it, and an auto row lays its cells out once to find the row's height and again at that
height; with the sample's ~7,300 cells this was half of the PDF's cost. The widths computed here
are those Typst's shaping gives, without kerning and without the narrowing of CJK punctuation
(both only make text narrower, never wider, in the fonts the report uses), so a column sized from
them holds its text on one line.

The Unicode cmap subtable and the horizontal metrics are searched in the raw tables, as the
OpenType specification describes them (cmap formats 12 and 4, hhea, hmtx, OS/2): fontTools would
decompile a CJK font's whole cmap into a dict (0.4 s) and its 65,000 metrics into objects.
"""
from __future__ import annotations

import bisect
import struct
import sys
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["glyph_lookup", "FaceMetrics", "face_metrics"]


def glyph_lookup(face) -> Callable[[int], int] | None:
    """The glyph index of a code point in ``face`` (a fontTools TTFont), 0 where it has none;
    None when the face has no Windows Unicode cmap subtable ((3, 10), else (3, 1)).

    Formats 12 (groups of consecutive codes) and 4 (segments, with idDelta and idRangeOffset)
    are searched in the raw table by binary search; fontTools reads any other format.
    """
    data = face.reader["cmap"]
    tables = struct.unpack_from(">H", data, 2)[0]
    records = {(platform, encoding): at for platform, encoding, at
               in struct.iter_unpack(">HHI", data[4:4 + 8 * tables])}
    offset = records.get((3, 10), records.get((3, 1)))
    if offset is None:
        return None
    form = struct.unpack_from(">H", data, offset)[0]
    if form == 12:
        count = struct.unpack_from(">I", data, offset + 12)[0]
        groups = list(struct.iter_unpack(">III", data[offset + 16:offset + 16 + 12 * count]))
        ends = [end for _, end, _ in groups]

        def glyph(code: int) -> int:
            g = bisect.bisect_left(ends, code)
            start, _, first = groups[g] if g < count else (code + 1, 0, 0)
            return first + code - start if start <= code else 0
        return glyph
    if form == 4:
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
        return glyph
    cmap = face["cmap"].getcmap(3, 10) or face["cmap"].getcmap(3, 1)
    return lambda code: face.getGlyphID(cmap.cmap[code]) if code in cmap.cmap else 0


@dataclass(frozen=True)
class FaceMetrics:
    """A face's glyph lookup, advance widths (font units, by glyph index), units per em and
    cap height (the top edge of a Typst text line; its bottom edge is the baseline)."""
    glyph: Callable[[int], int]
    advances: array
    units_per_em: int
    cap_height: int
    #: advance widths (font units) of the characters and texts measured so far
    _known: dict = field(default_factory=dict, compare=False, repr=False)
    _texts: dict = field(default_factory=dict, compare=False, repr=False)

    def width(self, text: str, size: float) -> float:
        """The advance width of ``text`` set at ``size`` pt, in pt (no kerning)."""
        units = self._texts.get(text)
        if units is None:
            units = self._texts[text] = sum(map(self.advance, text))
        return units * size / self.units_per_em

    def advance(self, char: str) -> int:
        """The advance width of ``char`` in font units (its glyph looked up once per face)."""
        known = self._known.get(char)
        if known is None:
            glyph = min(self.glyph(ord(char)), len(self.advances) - 1)
            known = self._known[char] = self.advances[glyph]
        return known

    def line_height(self, size: float) -> float:
        """The height of one line of text at ``size`` pt as Typst sets it by default (top edge
        at the cap height, bottom edge at the baseline), in pt."""
        return self.cap_height * size / self.units_per_em


@lru_cache(maxsize=8)
def face_metrics(path: str, index: int = 0) -> FaceMetrics:
    """The metrics of face ``index`` of the font file ``path`` (a collection's face by index).

    hmtx holds numberOfHMetrics (advance, side bearing) pairs; glyphs after the last pair have
    its advance. The cap height is OS/2's sCapHeight (version 2 on), else hhea's ascender, as
    Typst reads it.
    """
    from fontTools.ttLib import TTCollection, TTFont

    with open(path, "rb") as handle:
        collection = handle.read(4) == b"ttcf"
    face = TTCollection(path, lazy=True).fonts[index] if collection else TTFont(path, lazy=True)
    glyph = glyph_lookup(face)
    if glyph is None:
        cmap = face.getBestCmap() or {}
        glyph = lambda code: face.getGlyphID(cmap[code]) if code in cmap else 0  # noqa: E731
    hhea = face.reader["hhea"]
    ascender = struct.unpack_from(">h", hhea, 4)[0]
    pairs = struct.unpack_from(">H", hhea, 34)[0]
    advances = array("H", face.reader["hmtx"][:4 * pairs])
    if sys.byteorder == "little":  # the table is big-endian
        advances.byteswap()
    advances = advances[::2]
    units = struct.unpack_from(">H", face.reader["head"], 18)[0]
    os2 = face.reader["OS/2"] if "OS/2" in face.reader else b""
    cap = struct.unpack_from(">h", os2, 88)[0] if len(os2) >= 90 \
        and struct.unpack_from(">H", os2, 0)[0] >= 2 else 0
    return FaceMetrics(glyph, advances, units, cap if cap > 0 else ascender)
