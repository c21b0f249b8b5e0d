"""Reports of a study's results: Excel, self-contained HTML, Word and PDF, in Chinese or English.

Reports only lay out the numbers of ``results.json``; nothing is recomputed. The content is built
once as tidy tables (:mod:`.tables`, APA strings from :mod:`.apa`) and written by :mod:`.excel`,
:mod:`.html`, :mod:`.docx` (a thesis's results chapter, with :mod:`.thesis`) and :mod:`.pdf`.
"""
from __future__ import annotations

import os
import re
import sys
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


def write_reports(results: dict, out_dir: str | Path, lang: str = "zh",
                  parallel: bool = False) -> list[Path]:
    """Write report.xlsx, report.html, report.docx and report.pdf into ``out_dir``; return their
    paths.

    Each file is written as soon as it is built, so a missing CJK font (a StudyError from the PDF)
    still leaves the workbook, the page and the Word document (without figures).

    ``parallel`` (the command line): the reports are shared out among forked processes, as many
    as there are processors (at most four; the reports use no threads, pandas or numpy), when the
    system can fork, has more than one processor and this process has not loaded Typst (its
    worker threads do not survive a fork: a child's compile would wait for them for ever);
    otherwise they are written one after the other. The files are the same bytes either way. A
    report that fails does not stop the others; the first failure in :data:`REPORT_FILES` order
    is then raised (the same exception, the worker's traceback as a note).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(out / name, build) for name, build in
            zip(REPORT_FILES, (excel_report, html_report, word_report, pdf_report))]
    if parallel and _processors() > 1 and hasattr(os, "fork") and "typst" not in sys.modules:
        _write_shared(jobs, results, lang, _processors())
    else:
        for path, build in jobs:
            _write(path, build(results, lang))
    return [path for path, _ in jobs]


def _write(path: Path, content: str | bytes) -> None:
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)


def _processors() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


#: the reports from the costliest to the cheapest (CPU s on the sample: Word ~2.1, HTML and PDF
#: ~1.5 each, the workbook ~0.7), dealt to the processes in that order, back and forth
COSTLIEST_FIRST = ("report.docx", "report.html", "report.pdf", "report.xlsx")


def _shares(jobs: list, processes: int) -> list[list[int]]:
    """The jobs' indices dealt to ``processes`` shares: costliest first, back and forth (two
    processes: Word and the workbook, HTML and PDF), so that the shares take about as long."""
    order = sorted(range(len(jobs)), key=lambda k: COSTLIEST_FIRST.index(jobs[k][0].name))
    shares = [[] for _ in range(min(processes, len(jobs)))]
    for position, k in enumerate(order):
        turn, at = divmod(position, len(shares))
        shares[at if turn % 2 == 0 else len(shares) - 1 - at].append(k)
    return [sorted(share) for share in shares]


def _write_share(jobs: list, share: list[int], results: dict, lang: str) -> dict:
    """Build and write the reports of ``share``; {index: exception} of those that failed."""
    import traceback

    failed = {}
    for k in share:
        path, build = jobs[k]
        try:
            _write(path, build(results, lang))
        except Exception as exc:  # noqa: BLE001 - raised by the caller after the other reports
            exc.add_note(f"while writing {path.name} (process {os.getpid()}):\n"
                         f"{traceback.format_exc()}")
            failed[k] = exc
    return failed


def _write_shared(jobs: list, results: dict, lang: str, processes: int) -> None:
    """Each share in a forked child that answers through a pipe with its pickled ``{index:
    exception}``; then the first failure raised. A share that cannot be forked is written here,
    after the others are forked (never Typst here before a fork)."""
    import gc
    import pickle

    from surveys.errors import StudyError

    from .pdf import find_cjk_font

    try:
        find_cjk_font()  # found once, here, for the Word report's figures and the PDF
    except StudyError:
        pass  # the PDF's writer says it
    own, children, failed = [], [], {}
    gc.freeze()  # the children's collections leave the parent's objects (and their pages) alone
    try:
        for share in _shares(jobs, processes):
            try:
                read, write = os.pipe()
                pid = os.fork()
            except OSError:
                own = own + share
                continue
            if pid == 0:  # the child: write its share, answer, and leave without cleaning up
                try:
                    os.close(read)
                    answer = _write_share(jobs, share, results, lang)
                    try:
                        data = pickle.dumps(answer)
                    except Exception:  # noqa: BLE001 - an exception that cannot be pickled
                        data = pickle.dumps({k: RuntimeError(f"{jobs[k][0].name}: {type(e).__name__}: {e}")
                                             for k, e in answer.items()})
                    with os.fdopen(write, "wb") as pipe:
                        pipe.write(data)
                finally:
                    os._exit(0)
            os.close(write)
            children.append((pid, read, share))
        failed.update(_write_share(jobs, own, results, lang))
    finally:
        gc.unfreeze()
        for pid, read, share in children:
            with os.fdopen(read, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            if data:
                failed.update(pickle.loads(data))
            else:
                failed.update({k: RuntimeError(f"{jobs[k][0].name}: the process writing it ended "
                                               f"with status {status}") for k in share})
    if failed:
        raise failed[min(failed)]


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
