"""The app's temporary folders: one folder per session, removed when the session has ended and
when a server starts.

Uploaded files and stored studies opened in the app are written to disk (the importers read
files). Every such folder lives under one folder per server process,
``$TMPDIR/crm-app-<pid>/<session id>/``:

- ``upload/``: the session's uploaded files (one folder, files replaced by uploads of the same
  name);
- ``stored-<study id>-<n>/``: a stored study opened in the app; opening another (or the same
  again) removes the one opened before, so a session holds one copy at a time.

:func:`sweep` (run by every page, at most once a minute) removes the folders of sessions that
have ended (Streamlit no longer lists them as active and they were last used longer ago than
``server.disconnectedSessionTTL`` plus a minute) and, the first time in a process, the folders
of server processes that are no longer running, and the folders the app wrote before this
layout (``crm_upload_*``, ``crm-stored-*``) that are older than an hour.
"""
from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

__all__ = ["upload_folder", "new_folder", "release", "sweep", "process_root"]

PREFIX = "crm-app-"
LEGACY = ("crm_upload_*", "crm-stored-*")
SWEEP_EVERY = 60.0  # seconds between sweeps of ended sessions
LEGACY_AGE = 3600.0
_lock = threading.Lock()
_state = {"started": False, "last_sweep": 0.0}
_counter = itertools.count(1)


def process_root() -> Path:
    """This server process's folder of session folders (created on first use)."""
    root = Path(tempfile.gettempdir()) / f"{PREFIX}{os.getpid()}"
    root.mkdir(mode=0o700, exist_ok=True)
    return root


def _session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "no-session"


def _session_folder() -> Path:
    folder = process_root() / _session_id()
    folder.mkdir(mode=0o700, exist_ok=True)
    os.utime(folder)  # last used now: the sweep leaves it alone
    return folder


def upload_folder() -> Path:
    """The session's folder for uploaded files."""
    folder = _session_folder() / "upload"
    folder.mkdir(exist_ok=True)
    return folder


def new_folder(kind: str) -> Path:
    """A new, empty folder of the session, e.g. ``new_folder("stored-3")``."""
    folder = _session_folder() / f"{kind}-{next(_counter)}"
    folder.mkdir()
    return folder


def release(folder: str | Path | None) -> None:
    """Remove a folder made by :func:`new_folder` (anything else is left alone)."""
    if folder is None:
        return
    folder = Path(folder)
    try:
        inside = folder.resolve().parent.parent == process_root().resolve()
    except OSError:
        return
    if inside and folder.name != "upload":
        shutil.rmtree(folder, ignore_errors=True)


def _pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _remove_dead_processes(tmp: Path) -> None:
    for root in tmp.glob(f"{PREFIX}*"):
        suffix = root.name[len(PREFIX):]
        if suffix.isdigit() and int(suffix) != os.getpid() and not _pid_running(int(suffix)):
            shutil.rmtree(root, ignore_errors=True)
    now = time.time()
    for pattern in LEGACY:
        for folder in tmp.glob(pattern):
            try:
                old = now - folder.stat().st_mtime > LEGACY_AGE
            except OSError:
                continue
            if old:
                shutil.rmtree(folder, ignore_errors=True)


def _remove_ended_sessions() -> None:
    from streamlit import config
    from streamlit.runtime import Runtime

    if not Runtime.exists():  # AppTest and scripts: no server, no sessions to ask about
        return
    runtime = Runtime.instance()
    idle = config.get_option("server.disconnectedSessionTTL") + 60
    now = time.time()
    for folder in process_root().iterdir():
        try:
            unused = now - folder.stat().st_mtime > idle
        except OSError:
            continue
        if unused and not runtime.is_active_session(folder.name):
            shutil.rmtree(folder, ignore_errors=True)


def sweep() -> None:
    """Remove what ended sessions and stopped servers left (see the module docstring); cheap
    when there is nothing to do, and at most once a minute."""
    current = process_root() / _session_id()
    if current.is_dir():
        os.utime(current)  # this session is in use
    with _lock:
        first = not _state["started"]
        due = time.monotonic() - _state["last_sweep"] >= SWEEP_EVERY
        if not (first or due):
            return
        _state.update(started=True, last_sweep=time.monotonic())
    if first:
        _remove_dead_processes(Path(tempfile.gettempdir()))
    _remove_ended_sessions()
