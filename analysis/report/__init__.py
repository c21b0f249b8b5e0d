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
from typing import Callable

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
                  parallel: bool = False, meanwhile: Callable[[], None] | None = None) -> list[Path]:
    """Write report.xlsx, report.html, report.docx and report.pdf into ``out_dir``; return their
    paths.

    Each file is written as soon as it is built, so a missing CJK font (a StudyError from the PDF)
    still leaves the workbook, the page and the Word document (without figures).

    ``parallel`` (the command line): the reports are written by forked processes, as many as
    there are processors (at most four), taking them from a queue (:func:`_write_shared`), when the
    system can fork, has more than one processor and this process has not loaded Typst (its
    worker threads do not survive a fork: a child's compile would wait for them for ever);
    otherwise they are written one after the other. The files are the same bytes either way. A
    report that fails does not stop the others; the first failure in :data:`REPORT_FILES` order
    is then raised (the same exception, the worker's traceback as a note).

    ``meanwhile``: the caller's own work, done in this process while the forked processes build
    the reports (the command line writes respondents.csv then: ~4 s at a million respondents),
    or before the reports when they are written here.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(out / name, build) for name, build in
            zip(REPORT_FILES, (excel_report, html_report, word_report, pdf_report))]
    if parallel and _processors() > 1 and hasattr(os, "fork") and "typst" not in sys.modules:
        _write_shared(jobs, results, lang, _processors(), meanwhile or (lambda: None))
    else:
        if meanwhile is not None:
            meanwhile()
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


#: the reports from the costliest to the cheapest (CPU s in a forked process on the sample,
#: 2026-12-01: PDF ~2.8, Word ~1.9, workbook ~0.5, HTML ~0.45): the order they are taken in
COSTLIEST_FIRST = ("report.pdf", "report.docx", "report.xlsx", "report.html")


def _take_jobs(queue: int, jobs: list, results: dict, lang: str) -> dict:
    """Take reports from ``queue`` (a pipe of the jobs' indices, one byte each) one at a time
    until it is empty, building and writing each; {index: None, or the exception it raised}."""
    import traceback

    answers = {}
    while taken := os.read(queue, 1):
        path, build = jobs[taken[0]]
        try:
            _write(path, build(results, lang))
            answers[taken[0]] = None
        except Exception as exc:  # noqa: BLE001 - raised by the caller after the other reports
            exc.add_note(f"while writing {path.name} (process {os.getpid()}):\n"
                         f"{traceback.format_exc()}")
            answers[taken[0]] = exc
    return answers


def _write_shared(jobs: list, results: dict, lang: str, processes: int,
                  meanwhile: Callable[[], None]) -> None:
    """The reports written by ``processes`` forked children that take them from a queue, the
    costliest first (:data:`COSTLIEST_FIRST`): a child that is done takes the next, so the
    children end about together whatever each report costs now (the wall time is the longest
    child's: on two processors the PDF in one, the three others in the other). The queue is a
    pipe holding the jobs' indices, one byte each: a read of one byte from a pipe is atomic,
    so each report is taken once. Each child answers through its own pipe with its pickled
    ``{index: exception or None}``; then the first failure is raised. ``meanwhile`` runs here
    once the children are forked; reports no child took (no fork possible) are written here
    after it (never Typst here before a fork)."""
    import gc
    import pickle

    from surveys.errors import StudyError

    from .pdf import find_cjk_font

    try:
        find_cjk_font()  # found once, here, for the Word report's figures and the PDF
    except StudyError:
        pass  # the PDF's writer says it
    queue, fill = os.pipe()
    os.write(fill, bytes(sorted(range(len(jobs)),
                                key=lambda k: COSTLIEST_FIRST.index(jobs[k][0].name))))
    os.close(fill)
    children, answers, statuses = [], {}, []
    gc.freeze()  # the children's collections leave the parent's objects (and their pages) alone
    try:
        for _ in range(min(processes, len(jobs))):
            try:
                read, write = os.pipe()
                pid = os.fork()
            except OSError:
                break
            if pid == 0:  # the child: take reports, answer, and leave without cleaning up
                try:
                    os.close(read)
                    answer = _take_jobs(queue, jobs, results, lang)
                    try:
                        data = pickle.dumps(answer)
                    except Exception:  # noqa: BLE001 - an exception that cannot be pickled
                        data = pickle.dumps({k: None if e is None else RuntimeError(
                            f"{jobs[k][0].name}: {type(e).__name__}: {e}") for k, e in answer.items()})
                    with os.fdopen(write, "wb") as pipe:
                        pipe.write(data)
                finally:
                    os._exit(0)
            os.close(write)
            children.append((pid, read))
        meanwhile()
        if not children:
            answers.update(_take_jobs(queue, jobs, results, lang))
    finally:
        gc.unfreeze()
        for pid, read in children:
            with os.fdopen(read, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            if data:
                answers.update(pickle.loads(data))
            else:
                statuses.append(status)
        os.close(queue)
    for k in set(range(len(jobs))) - set(answers):  # taken by a child that ended unanswered
        answers[k] = RuntimeError(f"{jobs[k][0].name}: the process writing it ended with "
                                  f"status {', '.join(map(str, statuses))}")
    failed = {k: e for k, e in answers.items() if e is not None}
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
