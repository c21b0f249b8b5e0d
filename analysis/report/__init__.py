"""Reports of a study's results: Excel, self-contained HTML, Word and PDF, in Chinese or English.

Reports only lay out the numbers of ``results.json``; nothing is recomputed. The content is built
once as tidy tables (:mod:`.tables`, APA strings from :mod:`.apa`) and written by :mod:`.excel`,
:mod:`.html`, :mod:`.docx` (a thesis's results chapter, with :mod:`.thesis`) and :mod:`.pdf`.
"""
from __future__ import annotations

import re
from pathlib import Path

__all__ = ["excel_report", "html_report", "word_report", "pdf_report", "write_reports", "REPORT_FILES",
           "report_file_name"]

#: the files :func:`write_reports` writes, in order
REPORT_FILES = ("report.xlsx", "report.html", "report.docx", "report.pdf")


def excel_report(results: dict, lang: str = "zh") -> bytes:
    """The Excel workbook (see :mod:`analysis.report.excel`)."""
    from .excel import excel_report as build

    return build(results, lang)


def html_report(results: dict, lang: str = "zh") -> str:
    """The self-contained HTML page (see :mod:`analysis.report.html`)."""
    from .html import html_report as build

    return build(results, lang)


def word_report(results: dict, lang: str = "zh") -> bytes:
    """The Word document (see :mod:`analysis.report.docx`)."""
    from .docx import word_report as build

    return build(results, lang)


def pdf_report(results: dict, lang: str = "zh") -> bytes:
    """The PDF document (see :mod:`analysis.report.pdf`); a StudyError when no CJK font is found."""
    from .pdf import pdf_report as build

    return build(results, lang)


def write_reports(results: dict, out_dir: str | Path, lang: str = "zh") -> list[Path]:
    """Write report.xlsx, report.html, report.docx and report.pdf into ``out_dir``; return their
    paths.

    Each file is written as soon as it is built, so a missing CJK font (a StudyError from the PDF)
    still leaves the workbook, the page and the Word document (without figures).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in zip(REPORT_FILES, (excel_report, html_report, word_report, pdf_report)):
        content = build(results, lang)
        path = out / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        paths.append(path)
    return paths


#: characters no file system accepts in a name (Windows' list, which includes the others')
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{k}" for k in range(1, 10)),
             *(f"LPT{k}" for k in range(1, 10))}


def report_file_name(results: dict, suffix: str, filtered: bool = False) -> str:
    """``<title>_<wave>_<suffix>`` ("D公司客户关系管理调查_2019_report.docx"; the wave only when
    the title does not already name it), safe on every file system: characters Windows forbids
    and white space become one "_", no leading or trailing dot or space, no reserved device name,
    at most 120 characters before the suffix."""
    study = results.get("study") or {}
    title, wave = str(study.get("title") or "study"), str(study.get("wave") or "")
    parts = [title, "" if wave in title else wave, "filtered" if filtered else ""]
    stem = _UNSAFE.sub("_", "_".join(p for p in parts if p))
    stem = re.sub(r"[\s_]+", "_", stem).strip("._ ")[:120].rstrip("._ ") or "study"
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    suffix = re.sub(r"[\s_]+", "_", _UNSAFE.sub("_", suffix))
    return f"{stem}_{suffix}"
