"""A study's data files read ahead, while the caller is busy with something else.

The command line starts this as soon as pandas and pyarrow are imported (``python -m analysis
run``), then imports the analysis meanwhile: pyarrow's CSV reader parses on its own threads,
without the interpreter's lock, so part of the read is done by the time
:func:`surveys.load.load_study` needs the tables (on two processors the read already keeps both
busy, so the overlap is what the imports leave of one). Only this module's imports are needed to
start it: the study file's parser and :func:`surveys.importers.read_table`, not the loader
(careless screens, coding).
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path

from .importers import read_table
from .importers.base import ImportedTable
from .study import GroupSource, Study, read_study

__all__ = ["ReadAhead", "read_source"]


def read_source(source: GroupSource) -> ImportedTable:
    """The table of ``source``'s data file (:func:`surveys.importers.read_table`; its columns of
    one-digit answers as categoricals where it is large)."""
    return read_table(source.file, sheet=source.sheet, digits=True)


class ReadAhead:
    """The study file ``path`` parsed (:func:`surveys.study.read_study`) and each of its data
    files read (:func:`read_table`, two at a time, as :func:`surveys.load.load_study` reads
    them), on threads started now. ``load_study(ahead)`` takes the study and the tables from
    here: an error of the parse or of a read (a StudyError naming file, row and column) is
    raised there, by the same calls as when it parses and reads itself, the same exception; the
    tables are those it would read."""

    def __init__(self, path: str | Path):
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="read-ahead")
        self._reads: dict[GroupSource, Future] = {}
        self._study = self._pool.submit(self._start, Path(path))

    def _start(self, path: Path) -> Study:
        try:
            study = read_study(path)
            for source in study.sources:
                if source.file is not None:
                    self._reads[source] = self._pool.submit(read_source, source)
            return study
        finally:
            self._pool.shutdown(wait=False)  # its threads end once the reads are done

    def wait(self) -> None:
        """Wait until the study is parsed and its files read (or have failed): then no thread of
        this reading is importing a module any more, which a process forked now would find half
        imported (and could never import)."""
        wait([self._study])
        wait(self._reads.values())

    def study(self) -> Study:
        """The parsed study (or the parse's error), once it is parsed."""
        return self._study.result()

    def table(self, source: GroupSource) -> ImportedTable:
        """The table read from ``source.file`` (or the read's error), once it is read."""
        self.study()  # the reads are submitted once the study is parsed
        return self._reads[source].result()
