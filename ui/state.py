"""Every session-state key of the app, declared in one place (alphapeptstats style).

Pages read and write ``st.session_state`` only through these names.
"""
from __future__ import annotations

__all__ = ["LANG", "SOURCE", "WAVE", "FILTER_PREFIX", "EXCLUDE", "DRAFT", "UPLOAD_DIR", "AUTH_USER",
           "filter_key", "DEFAULTS"]

#: "zh" or "en": the language of every label (the sidebar radio's key)
LANG = "lang"
#: the current study: None for the shipped sample, else {"yaml": text, "dir": folder of its files}
SOURCE = "study_source"
#: the wave shown as current (the sidebar select box's key); None: the study's latest wave
WAVE = "wave"
#: prefix of the sidebar filter multiselects, one per filter column: ``filter_region`` ...
FILTER_PREFIX = "filter_"
#: {rule: bool} exclusion switches of the Data quality page (None: as the study file says)
EXCLUDE = "exclude"
#: the Study page's column mapping of uploaded files: {file name: DataFrame} (editable)
DRAFT = "draft"
#: the folder this session's uploaded files are saved in (``ui.workspace.upload_folder``)
UPLOAD_DIR = "upload_dir"
#: the user logged in with a password (``ui.auth``; None: nobody)
AUTH_USER = "auth_user"

DEFAULTS = {LANG: "zh", SOURCE: None, EXCLUDE: None, DRAFT: None, UPLOAD_DIR: None, AUTH_USER: None}


def filter_key(column: str) -> str:
    """The session-state key of the sidebar filter on ``column``."""
    return f"{FILTER_PREFIX}{column}"
