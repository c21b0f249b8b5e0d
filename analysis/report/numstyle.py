"""Number styles of the reports: APA 7 or the Chinese thesis style for the Word report
(``report: {style: apa | gb}``), and the plain style of the workbook's companions (HTML, PDF).

``apa`` (the default of an English report): statistics bounded by 1 (r, α, R², CFI, ...) and p
without a leading zero (".853", "p < .001"), as :mod:`.apa` writes them. ``gb`` (the default of a
Chinese report, as Chinese theses and journals write numbers, cf. GB/T 7714 and GB 3101):
every number with its leading zero ("0.853", "p < 0.001"); with ``small_p: zero`` a p below .001
is written "0.000", as SPSS prints it and some universities ask for (APA forbids it). Both use
two decimals in running text (three for p), the table column's decimals in tables, and a true
minus sign. Greek statistic symbols (α, β, χ², η²) are upright in APA (7th ed., 6.45) and italic
in gb, like the Latin ones (M, SD, t, p, F, r). ``plain`` (the HTML and PDF tables): leading zeros
kept, p as APA writes it without spaces (".019", "<.001").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..i18n import t
from . import apa

__all__ = ["NumberStyle", "number_style", "STYLES"]

STYLES = ("gb", "apa", "plain")
_LEADING = re.compile(r"(?<![\d.])\.(?=\d)")


@dataclass(frozen=True)
class NumberStyle:
    """How a report writes numbers: ``name`` "apa", "gb" or "plain", ``small_p`` "less" or "zero"."""

    name: str = "apa"
    small_p: str = "less"

    @property
    def greek_italic(self) -> bool:
        return self.name == "gb"

    def text(self, apa_text: str | None) -> str | None:
        """An APA-style string (from :mod:`.apa` or a note) in this style: gb puts the leading
        zero back ("p < .001" -> "p < 0.001", "[.00, .03]" -> "[0.00, 0.03]")."""
        if apa_text is None or self.name != "gb":
            return apa_text
        text = _LEADING.sub("0.", apa_text)
        if self.small_p == "zero":
            text = text.replace("p < 0.001", "p = 0.000")
        return text

    def num(self, value: float | None, digits: int = 2) -> str | None:
        """A number with ``digits`` decimals and a true minus sign."""
        return apa.num(value, digits)

    def bounded(self, value: float | None, digits: int = 2) -> str | None:
        """A statistic bounded by ±1: ".85" (apa) or "0.85" (gb)."""
        return apa.bounded(value, digits) if self.name == "apa" else apa.num(value, digits)

    def p(self, p: float | None) -> str | None:
        """"p = .019", "p < .001" (apa); "p = 0.019", "p < 0.001" or "p = 0.000" (gb)."""
        return self.text(apa.p_value(p))

    def p_cell(self, p: float | None) -> str | None:
        """A p-value in a table column: ".019", "< .001" (apa); "0.019", "< 0.001" or "0.000" (gb)."""
        text = self.p(p)
        if text is None:
            return None
        text = text.removeprefix("p ").removeprefix("= ")
        return text.replace("< ", "<").replace("> ", ">") if self.name == "plain" else text

    def cell(self, value: Any, kind: str, lang: str = "zh") -> str:
        """A table cell as text by the column kind (see :data:`analysis.report.tables.KINDS`);
        a mark (stars, letters) is not included: the writer adds it."""
        if value is None:
            return "–"
        if kind == "flag" or isinstance(value, bool):
            return t("rep_yes" if value else "rep_no", lang)
        if not isinstance(value, (int, float)) or kind == "text":
            return str(value)
        if kind == "int":
            return str(int(value)) if float(value).is_integer() else apa.num(value, 1)
        if kind == "df":
            return apa.df_value(float(value)) or "–"
        if kind == "p":
            return self.p_cell(value) or "–"
        if kind == "pct":
            return f"{apa.num(100 * value, 1)}%"
        digits = 3 if kind in ("num3", "bounded3", "loading") else 2
        if kind in ("bounded", "bounded3", "loading"):
            return self.bounded(float(value), digits) or "–"
        return apa.num(float(value), digits) or "–"


def number_style(results: dict, lang: str) -> NumberStyle:
    """The style the study file chose (``report: {style, small_p}`` in ``results["study"]``), or
    the language's default: gb for Chinese, apa for English."""
    options = (results.get("study") or {}).get("report") or {}
    name = options.get("style") or ("gb" if lang == "zh" else "apa")
    small_p = options.get("small_p") or "less"
    return NumberStyle(name, small_p if name == "gb" else "less")
