"""Uploaded files: save them into the session's upload folder and read them (a study file and
data tables). No streamlit here, so that it can be tested directly (``AppTest`` cannot drive
``st.file_uploader``). Guessing a study from the tables is :mod:`surveys.guess`; the Study page's
wizard (:mod:`ui.wizard`) lays it out.
"""
from __future__ import annotations

from pathlib import Path

from surveys.errors import StudyError
from surveys.i18n import msg
from surveys.importers import read_table
from surveys.importers.base import ImportedTable
from surveys.study import Study, parse_study

__all__ = ["STUDY_SUFFIXES", "save_uploads", "read_uploads", "study_from_uploads"]

STUDY_SUFFIXES = (".yaml", ".yml")


def save_uploads(files: dict[str, bytes], directory: str | Path) -> dict[str, Path]:
    """Write uploaded files (name -> content) into ``directory``; names are reduced to their last
    part so that an upload cannot write elsewhere."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    saved = {}
    for name, content in files.items():
        safe = Path(name).name
        if not safe or safe in (".", ".."):
            raise StudyError(msg("upload_no_name"), file=name)
        path = directory / safe
        path.write_bytes(content)
        saved[safe] = path
    return saved


def read_uploads(paths: dict[str, Path]) -> tuple[str | None, dict[str, ImportedTable]]:
    """The study YAML text among the files (None if there is none; more than one is an error)
    and every other file read as a table (StudyError for a file no importer reads)."""
    studies = [name for name in paths if Path(name).suffix.lower() in STUDY_SUFFIXES]
    if len(studies) > 1:
        raise StudyError(msg("upload_several_studies", n=len(studies)), file=studies[1])
    text = paths[studies[0]].read_text(encoding="utf-8") if studies else None
    tables = {name: read_table(path) for name, path in paths.items() if name not in studies}
    return text, tables


def study_from_uploads(files: dict[str, bytes], directory: str | Path) -> tuple[str, Study]:
    """An uploaded study YAML with its data files: saved into ``directory`` and checked (every
    data file it names must be among the uploads, in ``directory``). Returns (YAML text, study);
    StudyError when there is no study file or it is wrong."""
    paths = save_uploads(files, directory)
    text, _ = read_uploads({n: p for n, p in paths.items()
                            if Path(n).suffix.lower() in STUDY_SUFFIXES})
    if text is None:
        raise StudyError(msg("upload_no_study"))
    return text, parse_study(text, base_dir=Path(directory), inside=directory)
