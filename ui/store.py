"""The study store as the app uses it: list, save the current study, open, delete.

Pages call these; each opens the store (``surveys.store.Store``, path from ``SURVEY_STORE`` or the
user's data folder) only for the call, so several sessions can share it. A busy store raises
:class:`surveys.store.StoreBusy`, a :class:`~surveys.errors.StudyError` the page shows.
"""
from __future__ import annotations

from pathlib import Path

from surveys.store import Store, StoredStudy
from surveys.study import parse_study
from ui import workspace

__all__ = ["stored_studies", "save_current", "open_stored", "delete_stored"]


def stored_studies() -> list[StoredStudy]:
    """Every stored study, oldest first."""
    return Store().list_studies()


def save_current(yaml_text: str, folder: str | Path, wave: str | None = None) -> int:
    """Store the study the app has open: its study file text and the data files it names (read
    from ``folder``, byte-exact). With ``wave``, the files are added as that wave of the stored
    study with the same title. Returns the study id."""
    folder = Path(folder)
    study = parse_study(yaml_text, base_dir=folder, inside=folder)  # else a ValueError below
    files = {path.relative_to(folder.resolve()).as_posix(): path.read_bytes()
             for path in study.data_files()}
    return Store().save_upload("study.yaml", yaml_text.encode("utf-8"), files, wave=wave)


def open_stored(study_id: int) -> dict:
    """Write a stored study's study files and data files, byte-identical, into a new folder of
    the session (:func:`ui.workspace.new_folder`) and return the app's study source
    ``{"yaml": text, "dir": folder}`` of the latest study file. When the waves were added
    separately (more than one study file), the source also lists ``"waves"``: [wave, study
    file, the wave's name in that file] oldest first, which the app joins into one study with
    its trend. If opening fails (the study was deleted meanwhile, a file is over the size
    limit), the folder is removed again."""
    workdir = workspace.new_folder(f"stored-{int(study_id)}")
    try:
        opened = Store().open_waves(study_id, workdir)
    except BaseException:
        workspace.release(workdir)
        raise
    latest = opened[-1].path
    source = {"yaml": latest.read_text(encoding="utf-8"), "dir": str(latest.parent)}
    if len({o.path for o in opened}) > 1:
        source["waves"] = [[o.wave, str(o.path), o.name_in_file] for o in opened]
    return source


def delete_stored(study_id: int) -> StoredStudy:
    return Store().delete_study(study_id)
