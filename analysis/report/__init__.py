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
           "report_file_name", "start_forked", "Started", "start_reports", "Reports"]

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
    paths: :meth:`Reports.write` of :func:`start_reports`.

    Each file is written as soon as it is built, so a missing CJK font (a StudyError from the PDF)
    still leaves the workbook, the page and the Word document (without figures). The files are
    the same bytes whether written by forked processes (``parallel``) or here; a report that
    fails does not stop the others, and the first failure in :data:`REPORT_FILES` order is then
    raised (the same exception, the worker's traceback as a note).

    ``meanwhile``: the caller's own work, done in this process while the forked processes build
    the reports (the command line waits there for the process writing respondents.csv), or
    before the reports when they are written here.
    """
    return start_reports(out_dir, lang, parallel).write(results, meanwhile)


def start_reports(out_dir: str | Path, lang: str = "zh", parallel: bool = False) -> "Reports":
    """The report writers of ``out_dir``, started before the results exist: with ``parallel``
    (the command line, which starts them before loading the study), as many forked processes
    as there are processors (at most four), when the system can fork, has more than one
    processor and this process has not loaded Typst (its worker threads do not survive a fork:
    a child's compile would wait for them for ever); otherwise none, and :meth:`Reports.write`
    writes the reports one after the other here.

    Each process readies the writers while it waits for the results (:func:`_ready_writers`:
    their modules, Typst, the labels and the CJK font read, ~0.2-0.3 s of CPU, which the PDF
    and the Word report each spent at their first use), while this one loads the study on
    threads that leave part of the second processor idle. Once the results come, the reports
    cost only their own work. (Forked before this process imports NumPy, pandas and SciPy, they
    would import them again: the charts of the PDF and the Word report use them.)"""
    out = Path(out_dir)
    jobs = [(out / name, build) for name, build in
            zip(REPORT_FILES, (excel_report, html_report, word_report, pdf_report))]
    forked = parallel and processors() > 1 and hasattr(os, "fork") and "typst" not in sys.modules
    return Reports(jobs, lang, processors() if forked else 0)


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


def _ready_writers() -> None:
    """Import the four writers and load what they read at their first use: the labels, the
    inlined plotly.js, Typst and the CJK font as Typst reads it, with its metrics (the PDF and
    the Word report's figures); no font is no error here (the PDF's writer says it)."""
    from surveys.errors import StudyError

    from ..i18n import table
    from . import docx, excel, html, pdf  # noqa: F401 - imported for the reports to come

    table()
    html.plotly_js()
    try:
        font = pdf.find_cjk_font()
    except StudyError:
        return
    pdf.typst_fonts(font)
    pdf.report_faces(font)


class Reports:
    """The report writers started by :func:`start_reports`: ``processes`` forked children
    (none: the reports are written here) that take the reports from a queue, the costliest
    first (:data:`COSTLIEST_FIRST`), once :meth:`write` hands them the results: a child that is
    done takes the next, so the children end about together whatever each report costs now
    (on two processors the PDF in one, the three others in the other). The queue is a pipe
    holding the jobs' indices, one byte each: a read of one byte from a pipe is atomic, so each
    report is taken once. Each child first runs ``ready()`` (:func:`_ready_writers`), then
    reads the results (pickled, through a pipe of its own) and answers through another
    (:func:`_fork`) with ``{index: exception or None}``."""

    def __init__(self, jobs: list, lang: str, processes: int,
                 ready: Callable[[], None] = _ready_writers):
        import gc

        self._jobs, self._lang = jobs, lang
        self._queue: int | None
        self._queue, fill = os.pipe()
        os.write(fill, bytes(sorted(range(len(jobs)),
                                    key=lambda k: COSTLIEST_FIRST.index(jobs[k][0].name))))
        os.close(fill)
        self._children: list[tuple[int, int]] = []
        self._sends: list[int] = []
        pipes = [os.pipe() for _ in range(min(processes, len(jobs)))]
        frozen = gc.get_freeze_count()
        gc.freeze()  # the children's collections leave this process's objects (and pages) alone
        for receive, send in pipes:
            child = _fork(lambda receive=receive: self._child(ready, receive, pipes),
                          lambda answer: {k: None if e is None else RuntimeError(
                              f"{jobs[k][0].name}: {type(e).__name__}: {e}")
                              for k, e in answer.items()})
            if child is None:
                break
            self._children.append(child)
            self._sends.append(send)
        if not frozen:
            gc.unfreeze()
        for receive, send in pipes:
            os.close(receive)
            if send not in self._sends:
                os.close(send)

    def _child(self, ready: Callable[[], None], receive: int, pipes: list) -> dict:
        """(forked child) Ready the writers, wait for the results, take reports until none is
        left; {} when the results never come (the caller failed before them)."""
        import pickle

        for other, send in pipes:  # only the parent holds the ends it sends through
            os.close(send)
            if other != receive:
                os.close(other)
        ready()
        with os.fdopen(receive, "rb") as pipe:
            try:
                results = pickle.load(pipe)
            except EOFError:
                return {}
        return _take_jobs(self._queue, self._jobs, results, self._lang)

    def write(self, results: dict, meanwhile: Callable[[], None] | None = None) -> list[Path]:
        """Hand ``results`` to the children (or write the reports here when there are none),
        run ``meanwhile`` here while they write, wait for them; the paths of the reports, or
        the first failure in :data:`REPORT_FILES` order raised."""
        import pickle

        answers: dict = {}
        try:
            for folder in {path.parent for path, _ in self._jobs}:
                folder.mkdir(parents=True, exist_ok=True)
            data = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
            for send in self._sends:
                try:
                    with os.fdopen(send, "wb") as pipe:
                        pipe.write(data)
                except BrokenPipeError:  # that child has died: the others take its reports
                    pass
            self._sends = []
            if meanwhile is not None:
                meanwhile()
            if not self._children:
                answers.update(_take_jobs(self._queue, self._jobs, results, self._lang))
        finally:
            statuses = self._end(answers)
        jobs = self._jobs
        for k in set(range(len(jobs))) - set(answers):  # taken by a child that ended unanswered
            answers[k] = RuntimeError(f"{jobs[k][0].name}: the process writing it ended with "
                                      f"status {', '.join(map(str, statuses))}")
        failed = {k: e for k, e in answers.items() if e is not None}
        if failed:
            raise failed[min(failed)]
        return [path for path, _ in jobs]

    def cancel(self) -> None:
        """No results will come (the caller failed before them): the children end without
        writing, and are waited for."""
        self._end({})

    def _end(self, answers: dict) -> list[int]:
        """Close what is left of the pipes, wait for the children and add their answers to
        ``answers``; the exit statuses of those that ended without answering (nothing the
        second time)."""
        statuses: list[int] = []
        if self._queue is None:
            return statuses
        for send in self._sends:
            os.close(send)
        for child in self._children:
            answer, status = _answer(*child)
            if answer is None:
                statuses.append(status)
            else:
                answers.update(answer)
        os.close(self._queue)
        self._sends, self._children, self._queue = [], [], None
        return statuses


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
