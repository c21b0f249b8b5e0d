"""Command line: ``python -m analysis run STUDY.yaml --out DIR``, ``python -m analysis draft
EXPORT [EXPORT...] --out study.yaml`` and ``python -m analysis store ...``.

Bad input exits with status 2 and one line on stderr naming file, row and column; no traceback.
Linear algebra runs on one thread (set ``OPENBLAS_NUM_THREADS`` to change it): the matrices are
small (at most a few hundred columns), where more threads cost more than they save, and spinning
threads are a loss on a shared machine. Memory freed by the run is reused rather than handed back
to the system and faulted in again (:func:`_reuse_freed_memory`).

``run`` starts reading the study's files as soon as pandas and pyarrow are imported
(:class:`surveys.read_ahead.ReadAhead`), while it imports the analysis. It uses the second
processor where the system allows it (a forked process each, so that each has its own
interpreter lock): the four report writers are forked once the files are read, before the
answers are coded and cleaned, and ready themselves meanwhile
(:func:`analysis.report.start_reports`), then write the
reports at the same time once the results come; respondents.csv and customers.csv, which need
only the loaded study, are written by a process forked right after loading
(:func:`analysis.report.start_forked`) while this one computes the sections. With ``--debug``
everything is done one after another, in this process.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported
# NumPy asks the kernel for huge pages for its large arrays; where the kernel then compacts
# memory on the page fault (transparent huge pages "madvise", as here), a million-row run spent
# 3-5 s of system time instead of ~1.8 s (the same results)
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
# pyarrow's allocator (mimalloc) gives freed memory back to the system 10 ms after it is freed
# and faults it in again at the next use; kept for a second (set before pyarrow is loaded), the
# process writing respondents.csv at a million rows, which frees and takes its buffers again
# every ~50 ms, faulted in 35k pages instead of 58k (kept for ever: the run's peak +100 MB)
os.environ.setdefault("MIMALLOC_PURGE_DELAY", "1000")

import argparse  # noqa: E402
import sys  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from typing import Callable, Iterator, NoReturn  # noqa: E402

from surveys.errors import run_command  # noqa: E402


def _run(args: argparse.Namespace) -> int:
    _reuse_freed_memory()
    _numpy_tools_on_first_use()
    _scipy_docstrings_as_written()
    from surveys.read_ahead import ReadAhead  # NumPy, pandas, pyarrow: what the reading needs

    ahead = ReadAhead(args.study)  # pyarrow reads the files while the analysis is imported
    from .pipeline import analyse, write_results
    from .report import start_forked, start_reports
    from surveys.load import load_study
    from .weighting import with_weights

    ahead.wait()  # no import under way on its threads when the report writers are forked
    with _imports_frozen():
        reports = start_reports(args.out, args.lang, parallel=not args.debug)
        try:
            data = with_weights(load_study(ahead))
            _held_to_exit(data)
            respondent_files = start_forked(lambda: _respondent_files(data, args.out, args.lang),
                                            forked=not args.debug)
            try:
                results = analyse(data, progress=None if args.quiet else
                                  progress_lines(args.lang))
                print(write_results(results, args.out))

                def written_meanwhile() -> None:  # while forked processes build the reports
                    for path in respondent_files.result():
                        print(path)

                for path in reports.write(results, meanwhile=written_meanwhile):
                    print(path)
            finally:
                respondent_files.wait()
        finally:
            reports.cancel()  # nothing left to do once they are written
    return 0


def _respondent_files(data, out: str, lang: str) -> list:
    """Write respondents.csv and, when the study asks for it, customers.csv; their paths. They
    need the loaded study only, so :func:`_run` writes them in a forked process while it
    computes the sections (~4 s of CPU at a million respondents, on the second processor)."""
    from .customers import write_customers_csv
    from .respondents import write_respondents

    paths = [write_respondents(data, out)]
    customer_csv = write_customers_csv(data, out, lang)
    return paths if customer_csv is None else [*paths, customer_csv]


#: glibc's mallopt parameters: blocks of this size and more get their own mapping; free memory
#: at the top of the heap beyond this much is given back to the system
_M_MMAP_THRESHOLD, _M_TRIM_THRESHOLD = -3, -1
_MMAP_THRESHOLD, _TRIM_THRESHOLD = 256 * 2**20, 2**30


def _reuse_freed_memory() -> None:
    """Have glibc's allocator keep freed memory for the next arrays (blocks up to 256 MB from
    the heap, up to 1 GB of free heap kept) instead of mapping each large array anew and
    returning it when it is freed: every new mapping is faulted in and zeroed by the system
    page by page. A million-row run allocates and frees many arrays of a few MB; with the huge
    pages above off too, its system time fell by ~1.3 s (CPU 12.1 -> 10.0 s on a shared
    machine; peak 2.29 -> 2.36 GB). Nothing to do where the C library is not glibc."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process runs on
    except (OSError, TypeError, AttributeError):  # Windows; a C library without mallopt
        return
    mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
    mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)


def _numpy_tools_on_first_use() -> None:
    """NumPy's ``f2py`` and ``testing`` modules loaded at their first use instead of when SciPy
    is imported: SciPy 1.17's vendored ``array_api_compat`` copies NumPy's namespace at import
    (``hasattr`` over ``dir(numpy)``, which imports every submodule NumPy loads on access; f2py
    brings charset_normalizer), ~0.1-0.2 s of CPU in every run that nothing here uses. Each is
    registered as a module that executes on its first attribute access
    (:class:`importlib.util.LazyLoader`, the standard library's lazy import)."""
    import importlib.util

    import numpy

    for name in ("numpy.f2py", "numpy.testing"):
        spec = None if name in sys.modules else importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            continue
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        setattr(numpy, name.rpartition(".")[2], module)


class _DocstringAsWritten(dict):
    """A stand-in for SciPy's docstring parser (``scipy._lib._docscrape.FunctionDoc``) that reads
    nothing: every section is an empty list (what SciPy's decorators add to one is dropped) and
    the text is the function's docstring as written, after an empty signature line (the line
    SciPy's decorators cut off)."""

    def __init__(self, func, *args, **kwargs):
        super().__init__()
        self.text = getattr(func, "__doc__", None) or ""

    def __missing__(self, section: str) -> list:
        return self.setdefault(section, [])

    def __str__(self) -> str:
        return "\n" + self.text


def _scipy_docstrings_as_written() -> None:
    """SciPy's functions keep the docstrings they are written with: SciPy 1.17 parses and
    rebuilds the docstrings of ~600 functions while its modules load, to add notes on batching,
    array-API support, ``axis``/``nan_policy`` and deprecations (``FunctionDoc`` in
    ``_array_api.xp_capabilities``, ``_util._apply_over_batch``, ``_util._transition_to_rng``,
    ``stats._axis_nan_policy``, ``_lib.deprecation``): ~0.2 s of CPU in the sample's run (625
    docstrings; 281 and ~0.07 s at a million rows, where scipy.stats is not imported), for text
    that only ``help()`` shows. The parser is replaced by :class:`_DocstringAsWritten` before those
    modules are imported; nothing else changes (the signatures SciPy adds are built from
    ``inspect``, not from the docstring). Nothing to do once they are imported (a program that
    calls :func:`main` after importing SciPy) or where SciPy has no such parser."""
    if "scipy._lib._util" in sys.modules:
        return
    try:
        from scipy._lib import _docscrape
    except ImportError:
        return
    if hasattr(_docscrape, "FunctionDoc"):
        _docscrape.FunctionDoc = _DocstringAsWritten


@contextmanager
def _imports_frozen() -> Iterator[None]:
    """The objects of the modules imported so far (~100,000: pandas, scipy, ours) left out of the
    garbage collector's passes while the study is analysed: they live as long as the process,
    and the full passes the analysis triggers traversed them each time (0.35-0.40 s of the
    run's CPU in the collector, 0.19-0.28 s with them frozen; measured with gc.callbacks).
    Unfrozen afterwards, so that a process calling :func:`main` again collects as before."""
    import gc

    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _draft(args: argparse.Namespace) -> int:
    """Guess a study file from exports (:mod:`surveys.guess`) and write it, commented."""
    import os
    from pathlib import Path

    from surveys.errors import StudyError
    from surveys.guess import draft_yaml, guess_study
    from surveys.i18n import msg
    from surveys.study import parse_study

    out = Path(args.out)
    if out.exists() and not args.force:
        raise StudyError(msg("draft_exists"), file=out, expected=msg("draft_exists_expected"))
    draft = guess_study(args.exports, title=args.title)
    draft.accept_reverse()
    for group, path in zip(draft.groups, args.exports):
        group.file = Path(os.path.relpath(Path(path).resolve(), out.resolve().parent)).as_posix()
    text = draft_yaml(draft, args.lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    parse_study(text, path=out, base_dir=out.resolve().parent)  # the draft is a valid study
    out.write_text(text, encoding="utf-8")
    dims = draft.dimensions()
    print(msg("draft_written", file=out, dimensions=len(dims),
              items=sum(len(i) for i in dims.values())).render(args.lang))
    for question in draft.questions:
        print(msg("draft_question", question=question).render(args.lang), file=sys.stderr)
    return 0


def progress_lines(lang: str) -> Callable[[str], None]:
    """The progress callback of ``run``: one line on stderr per section, named in ``lang``."""
    from .i18n import section_name

    return lambda key: print(f"… {section_name(key, lang)}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis",
                                     description="Analyse CRM questionnaire studies.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="load, clean and analyse a study; write results.json, "
                                     "respondents.csv, the reports (report.xlsx, report.html, "
                                     "report.docx, report.pdf) and, with 'contact:' or 'status:', "
                                     "customers.csv")
    run.add_argument("study", help="the study file (YAML)")
    run.add_argument("--out", required=True, help="output folder")
    run.add_argument("--lang", choices=["zh", "en"], default="zh", help="report language")
    run.add_argument("--quiet", action="store_true", help="no progress lines")
    run.add_argument("--debug", action="store_true", help="show a traceback on internal errors "
                                                          "(the reports are then written one "
                                                          "after another, in one process)")
    run.set_defaults(func=_run)
    draft = sub.add_parser("draft", help="guess a study file from survey exports (问卷星, CSV, "
                                         "Excel, ...) and write it with comments to check")
    draft.add_argument("exports", nargs="+", help="the export files, the customers' first")
    draft.add_argument("--out", required=True, help="the study file to write (YAML)")
    draft.add_argument("--title", help="the study's title (default: from the first file name)")
    draft.add_argument("--lang", choices=["zh", "en"], default="zh",
                       help="language of the comments and messages")
    draft.add_argument("--force", action="store_true", help="overwrite an existing study file")
    draft.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    draft.set_defaults(func=_draft)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["store"]:
        from surveys.store_cli import main as store_main

        return store_main(argv[1:])
    args = build_parser().parse_args(argv)
    return run_command(lambda: args.func(args), debug=args.debug, lang=args.lang)


#: what ``python -m analysis`` keeps until the process ends (:func:`_held_to_exit`)
_HELD: list = []


def _held_to_exit(*objects) -> None:
    """Keep ``objects`` alive until the process ends when it runs as ``python -m analysis``:
    it then ends without the interpreter's teardown (:func:`exit_without_teardown`), so
    freeing a million-row study's arrays one by one when :func:`_run` returns (~0.1 s of wall
    and CPU) would only delay the end. A program that imports this module and calls
    :func:`main` frees them there as before."""
    if __name__ == "__main__":
        _HELD.extend(objects)


def exit_without_teardown(code: int) -> NoReturn:
    """End the process with status ``code`` as a normal exit would, without the interpreter's
    teardown: the ``atexit`` callbacks run and the standard streams are flushed, then the
    process ends (``os._exit``) and the system takes its memory back at once. After a
    million-row run, freeing its objects and modules one by one took 0.2-0.6 s of wall after
    ``main`` had returned and every file was written and closed (0.08-0.15 s this way)."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: what a normal exit reports as status 120
            code = code or 120
    os._exit(code)


if __name__ == "__main__":
    exit_without_teardown(main())
