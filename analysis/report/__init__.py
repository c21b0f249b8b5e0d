"""Reports of a study's results: Excel, self-contained HTML and PDF, in Chinese or English.

Reports only lay out the numbers of ``results.json``; nothing is recomputed. The content is built
once as tidy tables (:mod:`.tables`, APA strings from :mod:`.apa`) and written by :mod:`.excel`,
:mod:`.html` and :mod:`.pdf`.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["excel_report", "html_report", "pdf_report", "write_reports", "REPORT_FILES"]

#: the files :func:`write_reports` writes, in order
REPORT_FILES = ("report.xlsx", "report.html", "report.pdf")


def excel_report(results: dict, lang: str = "zh") -> bytes:
    """The Excel workbook (see :mod:`analysis.report.excel`)."""
    from .excel import excel_report as build

    return build(results, lang)


def html_report(results: dict, lang: str = "zh") -> str:
    """The self-contained HTML page (see :mod:`analysis.report.html`)."""
    from .html import html_report as build

    return build(results, lang)


def pdf_report(results: dict, lang: str = "zh") -> bytes:
    """The PDF document (see :mod:`analysis.report.pdf`); a StudyError when no CJK font is found."""
    from .pdf import pdf_report as build

    return build(results, lang)


def write_reports(results: dict, out_dir: str | Path, lang: str = "zh") -> list[Path]:
    """Write report.xlsx, report.html and report.pdf into ``out_dir``; return their paths.

    Each file is written as soon as it is built, so a missing CJK font (a StudyError from the PDF)
    still leaves the workbook and the page.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in zip(REPORT_FILES, (excel_report, html_report, pdf_report)):
        content = build(results, lang)
        path = out / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        paths.append(path)
    return paths
