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
from typing import Callable, Generic, TypeVar

from ..forked import processors

__all__ = ["excel_report", "html_report", "word_report", "pdf_report", "write_reports", "REPORT_FILES",
           "report_file_name", "start_forked", "Started"]

T = TypeVar("T")

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
    the reports (the command line waits there for the process writing respondents.csv), or
    before the reports when they are written here.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(out / name, build) for name, build in
            zip(REPORT_FILES, (excel_report, html_report, word_report, pdf_report))]
    if parallel and processors() > 1 and hasattr(os, "fork") and "typst" not in sys.modules:
        _write_shared(jobs, results, lang, processors(), meanwhile or (lambda: None))
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
    so each report is taken once. Each child answers through its own pipe (:func:`_fork`) with
    ``{index: exception or None}``; then the first failure is raised. ``meanwhile`` runs here
    once the children are forked; reports no child took (no fork possible) are written here
    after it (never Typst here before a fork)."""
    import gc

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
            child = _fork(lambda: _take_jobs(queue, jobs, results, lang),
                          lambda answer: {k: None if e is None else RuntimeError(
                              f"{jobs[k][0].name}: {type(e).__name__}: {e}")
                              for k, e in answer.items()})
            if child is None:
                break
            children.append(child)
        meanwhile()
        if not children:
            answers.update(_take_jobs(queue, jobs, results, lang))
    finally:
        gc.unfreeze()
        for child in children:
            answer, status = _answer(*child)
            if answer is None:
                statuses.append(status)
            else:
                answers.update(answer)
        os.close(queue)
    for k in set(range(len(jobs))) - set(answers):  # taken by a child that ended unanswered
        answers[k] = RuntimeError(f"{jobs[k][0].name}: the process writing it ended with "
                                  f"status {', '.join(map(str, statuses))}")
    failed = {k: e for k, e in answers.items() if e is not None}
    if failed:
        raise failed[min(failed)]


def _fork(work: Callable[[], object],
          unpicklable: Callable[[object], object]) -> tuple[int, int] | None:
    """Fork a child that runs ``work()``, answers its result pickled through a pipe
    (``unpicklable(result)`` instead when the result cannot be pickled, e.g. an exception
    holding a lock) and leaves without cleaning up; (the child's pid, the read end of its pipe)
    for :func:`_answer`, or None when the system cannot fork now."""
    import pickle

    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the child
        try:
            os.close(read)
            answer = work()
            try:
                data = pickle.dumps(answer)
            except Exception:  # noqa: BLE001 - answered in a form that can be pickled
                data = pickle.dumps(unpicklable(answer))
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)
    os.close(write)
    return pid, read


def _answer(pid: int, read: int) -> tuple[object | None, int]:
    """The answer of a child forked by :func:`_fork` (None when it ended without one: it died)
    and its exit status, once it has ended."""
    import pickle

    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    return (pickle.loads(data) if data else None), status


def start_forked(job: Callable[[], T], forked: bool = True) -> "Started[T]":
    """Start ``job`` in a forked process, which then runs on another processor while this one
    goes on (the command line writes respondents.csv so while it computes the sections: ~3 s of
    CPU at a million respondents off the run's critical path); :meth:`Started.result` waits for
    it and returns its result (pickled through a pipe) or raises its exception (the child's
    traceback as a note).

    Without ``forked``, on one processor or where the system cannot fork, ``job`` runs here when
    its result is first asked for. The objects made so far are frozen for the collector
    (``gc.freeze``) when the child is forked, so that its collections do not write to their
    pages (copy on write); here they are unfrozen again unless the caller had frozen objects
    itself (the command line freezes its imports for the whole run)."""
    import gc

    if not (forked and processors() > 1 and hasattr(os, "fork")):
        return Started(job, None)
    frozen = gc.get_freeze_count()
    gc.freeze()
    child = _fork(lambda: _outcome(job),
                  lambda answer: (False, RuntimeError(f"{type(answer[1]).__name__}: "
                                                      f"{answer[1]}")))
    if not frozen:
        gc.unfreeze()
    return Started(job, child)


class Started(Generic[T]):
    """A job started by :func:`start_forked`: in a child (pid, read end of its pipe), or to be
    run here (``child`` None)."""

    def __init__(self, job: Callable[[], T], child: tuple[int, int] | None):
        self._job, self._child = job, child
        self._outcome: tuple[bool, object] | None = None

    def result(self) -> T:
        """The job's result, or its exception raised (waited for, or run here, once)."""
        if self._outcome is None:
            self._outcome = self._ended() if self._child is not None else _outcome(self._job)
        done, value = self._outcome
        if not done:
            raise value
        return value

    def wait(self) -> None:
        """Wait for the child to end, whatever it answers (nothing to do for a job run here):
        a caller that fails before asking for the result leaves no process writing behind it."""
        if self._child is not None and self._outcome is None:
            self._outcome = self._ended()

    def _ended(self) -> tuple[bool, object]:
        answer, status = _answer(*self._child)
        if answer is None:
            return False, RuntimeError(f"the process running {getattr(self._job, '__name__', '')}"
                                       f" ended with status {status}")
        return answer


def _outcome(job: Callable[[], T]) -> tuple[bool, object]:
    """(True, ``job()``), or (False, the exception it raised with its traceback as a note)."""
    import traceback

    try:
        return True, job()
    except Exception as exc:  # noqa: BLE001 - raised by the caller of start_forked's result
        exc.add_note(f"in process {os.getpid()}:\n{traceback.format_exc()}")
        return False, exc


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
