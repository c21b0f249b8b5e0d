"""The study store with several writers and readers at once, and a writer killed mid-write: the
store stays readable and complete (or without the half-added study); a busy store is one
message; an open racing a delete gets the whole study or a clear error, never a half folder."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import duckdb
import pytest

from surveys import store as store_module
from surveys.errors import StudyError
from surveys.store import Store
from tests.test_store import SAMPLE, STUDY, counts, make_study

ROOT = Path(__file__).resolve().parents[1]

KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from surveys import store
    store.CHUNK = 512  # many pieces: the add takes a while
    real = store._insert_upload
    def slow(con, path, **meta):
        print("writing", flush=True)
        time.sleep(0.2)
        return real(con, path, **meta)
    store._insert_upload = slow
    store.Store(sys.argv[1]).add_study(sys.argv[2])
    print("finished", flush=True)
""")


def test_a_writer_killed_mid_add_leaves_the_store_complete(tmp_path):
    path = tmp_path / "store.duckdb"
    first = Store(path).add_study(SAMPLE)
    before = counts(path)
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path),
                               str(make_study(tmp_path / "src"))], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "writing"  # inside the transaction
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    store = Store(path)
    assert [s.id for s in store.list_studies()] == [first]
    assert counts(path) == before
    store.export_study(first, tmp_path / "out")  # the stored study is whole
    assert (tmp_path / "out" / "customers_2019.xlsx").read_bytes() == (
        SAMPLE.parent / "customers_2019.xlsx").read_bytes()
    second = store.add_study(make_study(tmp_path / "src"))  # and the store takes writes again
    assert [s.id for s in store.list_studies()] == [first, second]


def test_sessions_of_one_app_and_a_command_line_write_at_once(tmp_path, monkeypatch):
    """Two app sessions (threads of one process, which DuckDB lets share the file: their
    transactions may conflict and are retried) and a command-line process add studies at the
    same time: all three are stored, each whole."""
    path = tmp_path / "store.duckdb"
    Store(path).list_studies()
    sources = [make_study(tmp_path / f"s{i}", STUDY.replace("门店调查", f"门店调查 {i}"))
               for i in range(3)]
    errors = []

    def session(source):
        try:
            Store(path, busy_timeout=60).add_study(source)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(s,)) for s in sources[:2]]
    command = subprocess.Popen([sys.executable, "-m", "surveys.store_cli", "--db", str(path),
                                "add", str(sources[2])], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    out, err = command.communicate(timeout=120)
    # the command line may find the file held by this process: then it says so, in one line
    assert command.returncode == 0 or (command.returncode == 2 and "the store is busy" in err
                                       and err.count("\n") == 1), (out, err)
    assert not errors, errors
    stored = Store(path).list_studies()
    expected = {"门店调查 0", "门店调查 1"} | ({"门店调查 2"} if command.returncode == 0 else set())
    assert {s.title for s in stored} == expected
    assert all(len(s.files) == 2 for s in stored)


def test_an_open_racing_a_delete_gets_the_whole_study(tmp_path, monkeypatch):
    """One session opens a study while another deletes it: the open, which started first, writes
    every file (its read transaction still sees the study); an open after the delete is a
    StudyError and leaves no folder behind."""
    store = Store(tmp_path / "store.duckdb")
    study_id = store.add_study(SAMPLE)
    reading, deleted = threading.Event(), threading.Event()
    real = store_module._upload_pieces

    def paused(con, upload_id):
        reading.set()
        deleted.wait(60)
        yield from real(con, upload_id)

    monkeypatch.setattr(store_module, "_upload_pieces", paused)
    opened = []
    opener = threading.Thread(target=lambda: opened.append(
        store.open_waves(study_id, tmp_path / "work")))
    opener.start()
    assert reading.wait(60)
    store.delete_study(study_id)
    deleted.set()
    opener.join(timeout=120)
    waves = opened[0]
    assert [w.wave for w in waves] == ["2018", "2019"]
    for name in ("study.yaml", "customers_2018.xlsx", "customers_2019.xlsx",
                 "employees_2018.csv", "employees_2019.csv"):
        assert (tmp_path / "work" / name).read_bytes() == (SAMPLE.parent / name).read_bytes()
    assert store.list_studies() == []

    from ui import store as app_store, workspace

    monkeypatch.setattr(store_module, "_upload_pieces", real)
    monkeypatch.setattr(workspace, "process_root", lambda: tmp_path / "app")
    (tmp_path / "app").mkdir()
    with pytest.raises(StudyError, match=f"no stored study has id {study_id}"):
        app_store.open_stored(study_id)
    assert [p for p in (tmp_path / "app").rglob("*") if p.name.startswith("stored-")] == []


def test_reading_a_store_that_changes_underneath_is_a_study_error(tmp_path, monkeypatch):
    """Whatever DuckDB raises while a read transaction runs becomes one StudyError."""
    store = Store(tmp_path / "store.duckdb")
    study_id = store.add_study(SAMPLE)

    def broken(con, upload_id):
        raise duckdb.CatalogException("Table with name upload_data_1 does not exist!")
        yield  # a generator, as the real one

    monkeypatch.setattr(store_module, "_upload_pieces", broken)
    with pytest.raises(StudyError, match="the store changed while it was being read"):
        store.export_study(study_id, tmp_path / "out")


def test_a_stored_file_over_the_size_limit_is_not_written_out(tmp_path, monkeypatch):
    store = Store(tmp_path / "store.duckdb")
    study_id = store.add_study(SAMPLE)
    monkeypatch.setenv("SURVEY_MAX_FILE_MB", "0.01")  # the sample's workbooks are ~80 KB
    with pytest.raises(StudyError, match="more than the limit of 0.01 MB"):
        store.open_waves(study_id, tmp_path / "work")
    assert not (tmp_path / "work").exists()
    with pytest.raises(StudyError, match="SURVEY_MAX_FILE_MB"):
        store.add_study(make_study(tmp_path / "src", csv=b"a,Q1,Q2\n" + b"x,1,2\n" * 3000))
    assert len(store.list_studies()) == 1


def test_a_write_conflict_is_rolled_back_and_retried_then_busy(tmp_path, monkeypatch):
    """DuckDB aborts the later of two conflicting transactions of one process: the write is
    retried whole; a conflict that does not clear is the store's busy message."""
    from surveys.store import StoreBusy

    store = Store(tmp_path / "store.duckdb", busy_timeout=0.5)
    real, calls = store_module._study_for, []

    def conflict_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise duckdb.TransactionException("Catalog write-write conflict on create")
        return real(*args, **kwargs)

    monkeypatch.setattr(store_module, "_study_for", conflict_once)
    store.add_study(make_study(tmp_path / "src"))
    assert len(calls) == 2 and counts(store.path)["studies"] == 1 == counts(store.path)["waves"]

    def always(*args, **kwargs):
        raise duckdb.TransactionException("Conflict on tuple deletion!")

    monkeypatch.setattr(store_module, "_study_for", always)
    with pytest.raises(StoreBusy, match="being written by another session"):
        store.add_study(make_study(tmp_path / "src2", STUDY.replace("门店调查", "另一个")))
    assert counts(store.path)["studies"] == 1
