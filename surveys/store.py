"""The study store: studies, their study files, waves and every uploaded file, kept byte-exact.

An embedded DuckDB database (one file) holds what a study was built from; cleaned data and
results are *derived* and never stored: they are rebuilt by loading the stored files again.

Where the database is: the ``path`` given to :class:`Store` (the CLI's ``--db``), else the
environment variable ``SURVEY_STORE``, else ``$XDG_DATA_HOME/crm-survey-toolkit/store.duckdb``
(``~/.local/share/crm-survey-toolkit/store.duckdb`` without XDG_DATA_HOME); folders are created.

How a study is identified: by its ``title``. ``add_study(path)`` creates a new study and refuses a
title that is stored already; ``add_study(path, wave="2020")`` appends the file as a new wave of the
stored study with the same title (or creates it). The wave name labels the file's current wave (the
files under ``groups``); waves the file lists under ``waves`` are stored too when the study has
no wave of that name yet. Every file a study file reads is stored with it, so each stored study
file can be written back and loaded on its own.

Schema (version 3)::

    schema_version(version, applied)                    one row per applied version
    studies(id, title, created)
    study_files(id, study_id, name, wave, content BLOB, sha256, size, added)
    waves(study_id, wave, position, study_file_id, added)  position 0 = oldest
    uploads(id, study_id, study_file_id, name, grp, wave, sheet, sha256, size, uploaded)
    upload_data_<uploads.id>(seq PRIMARY KEY, data BLOB)  one table per data file: its bytes in
                                                        pieces of CHUNK bytes, seq 0, 1, ...
    live_tables(study_id, study_file_id, grp, wave, engine, tbl, condition, n_rows, sampled,
                read_at)                                 one row per group read from a table

``study_files.wave`` is the wave of the file's ``groups``; ``uploads.name`` is the data file's path
relative to its study file as written back on export; a file read by several groups (sheets of one
workbook) is stored once, labelled with the first group reading it. Times are UTC.
**Live tables.** A group read from a table (``engine:``/``table:``, :mod:`surveys.tables`) has
no data file: the store keeps the study file as written and a record of the table as it was read
when stored (``live_tables``: the engine with any password masked, table, ``where``, rows, the
sample size when rows were sampled, the time), never a copy of the rows. Opening such a study
reads the table again (live): the study file keeps what reaches the engine (its URL, or the
environment's variables, never written to the store), and every table is reached and checked
before the study is opened (:func:`surveys.tables.read_record`). A relative DuckDB or Parquet path
is refused when storing, as it would resolve against the folder the study is opened in.
Version 2 had no ``live_tables`` table (added on opening). Version 1 had no ``waves`` table, no ``sha256``, ``size`` or ``study_files.wave`` columns, and kept
each data file whole in ``uploads.content``; opening a version-1 store upgrades it in one
transaction.

Large files (measured by ``benchmarks/bench_store.py``): a data file is read, hashed and stored
in pieces of :data:`CHUNK` bytes (4 MiB) and written back piece by piece, each piece fetched by
its primary key, so Python never holds a whole file. Inserted whole, a 100 MB BLOB made DuckDB
peak at ~570 MB and fail under a 200 MB ``memory_limit``. Each file gets its own table because
DuckDB rewrites a table's last row group on every checkpoint: with one shared table of pieces,
every import rewrote all stored files (time and file size growing with the store); a table per
file is written once and dropped on delete.

Every write is one transaction: a failed import leaves the store as it was. DuckDB lets one
process at a time open the file; each call here opens it only for its own work, and a call that
finds it locked by another program retries for ``busy_timeout`` seconds and then raises
:class:`StoreBusy`.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import duckdb

from .errors import StudyError
from .i18n import msg
from .limits import check_file_size, shorten
from .study import GroupSource, Study, TableSource, read_study

__all__ = ["Store", "StoreBusy", "StoredStudy", "StoredWave", "StoredStudyFile", "StoredFile",
           "StoredLiveTable", "OpenedWave", "default_store_path", "STORE_ENV", "APP_NAME", "SCHEMA_VERSION"]

#: the environment variable naming the store's database file
STORE_ENV = "SURVEY_STORE"
#: the folder under the user's data directory
APP_NAME = "crm-survey-toolkit"
SCHEMA_VERSION = 3
#: bytes per stored piece of a data file (bounds the memory of storing and writing back)
CHUNK = 4 * 1024 * 1024

#: checkpoint at every commit: a commit then writes its pieces to the database file directly
#: instead of first copying them into the write-ahead log (peak memory of storing a 100 MB file
#: 290 MB instead of 490 MB)
_DUCKDB_CONFIG = {"checkpoint_threshold": "1MB"}

#: the table holding one data file's pieces (by the file's id in ``uploads``)
_DATA_TABLE = "CREATE TABLE upload_data_{} (seq INTEGER PRIMARY KEY, data BLOB NOT NULL)"

_SCHEMA_V2 = """
CREATE TABLE schema_version (version INTEGER NOT NULL, applied TIMESTAMP NOT NULL);
CREATE SEQUENCE study_ids START 1;
CREATE SEQUENCE study_file_ids START 1;
CREATE SEQUENCE upload_ids START 1;
CREATE TABLE studies (id INTEGER PRIMARY KEY, title VARCHAR NOT NULL, created TIMESTAMP NOT NULL);
CREATE TABLE study_files (id INTEGER PRIMARY KEY, study_id INTEGER NOT NULL, name VARCHAR NOT NULL,
    wave VARCHAR NOT NULL, content BLOB NOT NULL, sha256 VARCHAR NOT NULL, size BIGINT NOT NULL,
    added TIMESTAMP NOT NULL);
CREATE TABLE waves (study_id INTEGER NOT NULL, wave VARCHAR NOT NULL, position INTEGER NOT NULL,
    study_file_id INTEGER NOT NULL, added TIMESTAMP NOT NULL, PRIMARY KEY (study_id, wave));
CREATE TABLE uploads (id INTEGER PRIMARY KEY, study_id INTEGER NOT NULL, study_file_id INTEGER,
    name VARCHAR NOT NULL, grp VARCHAR, wave VARCHAR, sheet VARCHAR, sha256 VARCHAR NOT NULL,
    size BIGINT NOT NULL, uploaded TIMESTAMP NOT NULL);
"""

_LIVE_TABLES = """
CREATE TABLE live_tables (study_id INTEGER NOT NULL, study_file_id INTEGER NOT NULL,
    grp VARCHAR NOT NULL, wave VARCHAR NOT NULL, engine VARCHAR NOT NULL, tbl VARCHAR,
    condition VARCHAR, n_rows BIGINT NOT NULL, sampled BIGINT, read_at TIMESTAMP NOT NULL);
"""


def _upgrade_1_to_2(con: duckdb.DuckDBPyConnection) -> None:
    """v1 -> v2: checksums and sizes of stored files, the wave of each study file, the waves
    table (each wave placed by its first upload), data files moved into pieces, id sequences
    continuing after the last id."""
    for table in ("study_files", "uploads"):
        con.execute(f"ALTER TABLE {table} ADD COLUMN sha256 VARCHAR")
        con.execute(f"ALTER TABLE {table} ADD COLUMN size BIGINT")
        con.execute(f"UPDATE {table} SET sha256 = sha256(content), size = octet_length(content)")
    con.execute("ALTER TABLE study_files ADD COLUMN wave VARCHAR")
    con.execute("""UPDATE study_files SET wave = (SELECT arg_max(u.wave, u.id) FROM uploads u
                   WHERE u.study_file_id = study_files.id)""")
    con.execute("UPDATE study_files SET wave = '1' WHERE wave IS NULL")
    con.execute("""CREATE TABLE waves (study_id INTEGER NOT NULL, wave VARCHAR NOT NULL,
                   position INTEGER NOT NULL, study_file_id INTEGER NOT NULL,
                   added TIMESTAMP NOT NULL, PRIMARY KEY (study_id, wave))""")
    con.execute("""INSERT INTO waves
                   SELECT study_id, wave,
                          row_number() OVER (PARTITION BY study_id ORDER BY min(id)) - 1,
                          min(study_file_id), min(uploaded)
                   FROM uploads WHERE wave IS NOT NULL GROUP BY study_id, wave""")
    for (upload_id,) in con.execute("SELECT id FROM uploads").fetchall():
        con.execute(_DATA_TABLE.format(upload_id))
        con.execute(f"""INSERT INTO upload_data_{upload_id}
                        SELECT seq, content[seq * {CHUNK} + 1 : (seq + 1) * {CHUNK}]
                        FROM (SELECT content, unnest(range(greatest(1, ceil(octet_length(content)
                              / {CHUNK})::BIGINT))) AS seq FROM uploads WHERE id = ?)""",
                    [upload_id])
    con.execute("ALTER TABLE uploads DROP COLUMN content")
    for sequence, table in (("study_ids", "studies"), ("study_file_ids", "study_files"),
                            ("upload_ids", "uploads")):
        (last,) = con.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()
        con.execute(f"CREATE SEQUENCE {sequence} START {int(last) + 1}")


def _upgrade_2_to_3(con: duckdb.DuckDBPyConnection) -> None:
    """v2 -> v3: the records of groups read from tables (none stored before)."""
    con.execute(_LIVE_TABLES)


#: version -> the function that upgrades a store of that version to the next
MIGRATIONS = {1: _upgrade_1_to_2, 2: _upgrade_2_to_3}


class StoreBusy(StudyError):
    """The store's database file is held by another program (DuckDB allows one at a time)."""


@dataclass(frozen=True)
class StoredWave:
    name: str
    position: int  # 0 = the oldest wave
    study_file_id: int  # the study file that brought it
    added: datetime


@dataclass(frozen=True)
class StoredStudyFile:
    id: int
    name: str
    wave: str  # the wave of the files under its 'groups'
    sha256: str
    size: int
    added: datetime


@dataclass(frozen=True)
class StoredFile:
    id: int
    study_file_id: int | None
    name: str  # path relative to its study file, as written back
    group: str | None
    wave: str | None
    sheet: str | None
    sha256: str
    size: int
    uploaded: datetime


@dataclass(frozen=True)
class StoredLiveTable:
    """A group read from a table: the table as it was read when the study was stored."""

    study_file_id: int
    group: str
    wave: str
    engine: str  # any password masked
    table: str | None  # None for Parquet files
    where: str | None
    rows: int
    sampled: int | None  # the sample size when rows were sampled, else None
    read: datetime


@dataclass(frozen=True)
class StoredStudy:
    """What the store keeps of one study (no file contents)."""

    id: int
    title: str
    created: datetime
    waves: list[StoredWave] = field(default_factory=list)  # oldest first
    study_files: list[StoredStudyFile] = field(default_factory=list)
    files: list[StoredFile] = field(default_factory=list)
    live_tables: list[StoredLiveTable] = field(default_factory=list)

    @property
    def live(self) -> bool:
        """Some group is read from a table ("live table"): opening it reads the table again."""
        return bool(self.live_tables)

    def study_file(self, file_id: int) -> StoredStudyFile:
        return next(f for f in self.study_files if f.id == file_id)

    @property
    def latest_wave(self) -> str | None:
        return self.waves[-1].name if self.waves else None

    @property
    def size(self) -> int:
        return sum(f.size for f in self.study_files) + sum(f.size for f in self.files)


@dataclass(frozen=True)
class OpenedWave:
    """One wave written out by :meth:`Store.open_waves`."""

    wave: str  # the name in the store
    path: Path  # the study file to load
    name_in_file: str  # the wave's name when that study file is loaded


def default_store_path() -> Path:
    """``$SURVEY_STORE``, else the store file in the user's data directory (XDG)."""
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV]).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / APP_NAME / "store.duckdb"


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Store:
    """The study store in one DuckDB file.

    Parameters
    ----------
    path : the database file; default :func:`default_store_path`. Created on first write.
    busy_timeout : seconds to keep retrying while another program holds the file.
    """

    def __init__(self, path: str | Path | None = None, busy_timeout: float = 5.0):
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        self.busy_timeout = busy_timeout

    # -- connection -----------------------------------------------------------------------------
    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                con = duckdb.connect(str(self.path), config=_DUCKDB_CONFIG)
                break
            except duckdb.Error as exc:
                if "lock" not in str(exc).lower():
                    raise StudyError(msg("store_cannot_open", reason=exc), file=self.path) from None
                if time.monotonic() >= deadline:
                    holder = re.search(r"\(PID (\d+)\)", str(exc))
                    raise StoreBusy(msg("store_busy_process", pid=holder.group(1)) if holder
                                    else msg("store_busy"), file=self.path) from None
                time.sleep(0.05)
        try:
            self._migrate(con)
            yield con
        finally:
            con.close()

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    @contextmanager
    def _snapshot(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only transaction: everything read in it is one consistent state of the store,
        even while another session of the same process deletes or adds a study (DuckDB keeps
        the tables a transaction started with). A DuckDB error while reading (the store changed
        under a reader in a way DuckDB cannot isolate) is a StudyError, never a traceback."""
        with self._transaction() as con:
            try:
                yield con
            except duckdb.Error as exc:
                raise StudyError(msg("store_changed_while_reading", reason=shorten(exc, 200)),
                                 file=self.path, expected=msg("store_try_again")) from None

    def _write(self, work):
        """Run ``work(con)`` in a transaction; a write conflict with another session of this
        process (DuckDB aborts the later transaction) is retried, since a conflicting transaction
        is rolled back whole, for ``busy_timeout`` seconds and then reported as busy."""
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                with self._transaction() as con:
                    return work(con)
            except duckdb.TransactionException as exc:
                if time.monotonic() >= deadline:
                    raise StoreBusy(msg("store_busy_conflict", reason=shorten(exc, 200)),
                                    file=self.path, expected=msg("store_try_again")) from None
                time.sleep(0.05)

    def _migrate(self, con: duckdb.DuckDBPyConnection) -> None:
        tables = {t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()}
        if "schema_version" not in tables:
            if tables:
                raise StudyError(msg("store_not_a_store"), file=self.path)
            con.execute("BEGIN TRANSACTION")
            con.execute(_SCHEMA_V2)
            con.execute(_LIVE_TABLES)
            con.execute("INSERT INTO schema_version VALUES (?, ?)", [SCHEMA_VERSION, _now()])
            con.execute("COMMIT")
            return
        (version,) = con.execute("SELECT max(version) FROM schema_version").fetchone()
        if version > SCHEMA_VERSION:
            raise StudyError(msg("store_schema_newer", version=version, known=SCHEMA_VERSION),
                             file=self.path, expected=msg("store_schema_newer_expected"))
        while version < SCHEMA_VERSION:
            con.execute("BEGIN TRANSACTION")
            try:
                MIGRATIONS[version](con)
                con.execute("INSERT INTO schema_version VALUES (?, ?)", [version + 1, _now()])
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
            version += 1

    # -- reading --------------------------------------------------------------------------------
    def schema_version(self) -> int:
        with self._snapshot() as con:
            return con.execute("SELECT max(version) FROM schema_version").fetchone()[0]

    def list_studies(self) -> list[StoredStudy]:
        """Every stored study with its waves, study files and files, by id."""
        with self._snapshot() as con:
            ids = [i for (i,) in con.execute("SELECT id FROM studies ORDER BY id").fetchall()]
            return [_describe(con, i) for i in ids]

    def get_study(self, study_id: int) -> StoredStudy:
        """One stored study's metadata, waves (oldest first), study files and data files."""
        with self._snapshot() as con:
            return _describe(con, study_id)

    # -- writing --------------------------------------------------------------------------------
    def add_study(self, path: str | Path, wave: str | None = None) -> int:
        """Store a study file and every data file it reads; return the study's id.

        Without ``wave`` a new study is created (its title must be new). With ``wave`` the file
        is a new wave of the stored study of the same title (created if there is none); ``wave``
        names the wave of the files under ``groups``.
        """
        path = Path(path)
        study = read_study(path)
        label = _current_wave_label(study, wave)
        rel = _relative_names(study, path)
        for source in _file_sources(study):  # the app's upload limit holds for the store too
            check_file_size(source.file, source.file.stat().st_size)
        live = _read_live_tables(study, path)  # each table reached before anything is written
        yaml_bytes = path.read_bytes()

        def add(con: duckdb.DuckDBPyConnection) -> int:
            now = _now()
            study_id, stored = _study_for(con, study, path, label, append=wave is not None,
                                          now=now)
            (file_id,) = con.execute(
                "INSERT INTO study_files (id, study_id, name, wave, content, sha256, size, added) "
                "VALUES (nextval('study_file_ids'), ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [study_id, path.name, label, yaml_bytes, hashlib.sha256(yaml_bytes).hexdigest(),
                 len(yaml_bytes), now]
            ).fetchone()
            labels = {w: (label if w == study.wave else w) for w in study.waves}
            new_waves = [labels[w] for w in study.waves if labels[w] not in stored]
            first = max(stored.values(), default=-1) + 1
            for position, name in enumerate(new_waves, start=first):
                con.execute("INSERT INTO waves (study_id, wave, position, study_file_id, added) "
                            "VALUES (?, ?, ?, ?, ?)", [study_id, name, position, file_id, now])
            seen = set()
            for source in _file_sources(study):
                if source.file in seen:
                    continue
                seen.add(source.file)
                _insert_upload(con, source.file, study_id=study_id, study_file_id=file_id,
                               name=rel[source.file], group=source.group,
                               wave=labels[source.wave], sheet=source.sheet, uploaded=now)
            for source, record in live:
                con.execute("INSERT INTO live_tables (study_id, study_file_id, grp, wave, engine, "
                            "tbl, condition, n_rows, sampled, read_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [study_id, file_id, source.group, labels[source.wave],
                             record["engine"], record["table"], record["where"], record["rows"],
                             record["sampled"], now])
            return study_id

        return self._write(add)

    def save_upload(self, study_name: str, study_file: bytes | BinaryIO,
                    data_files: Mapping[str, bytes | BinaryIO], wave: str | None = None) -> int:
        """Store a study uploaded in the app: the study file's name and content, and its data
        files keyed by the path the study file gives them (e.g. ``{"customers.xlsx": upload}``).

        The files are streamed to a temporary folder (an uploaded file object is copied in
        pieces, never read whole again) and stored with :meth:`add_study`; returns the study id.
        """
        with tempfile.TemporaryDirectory(prefix="store-upload-") as tmp:
            folder = Path(tmp)
            for name, content in [(study_name, study_file), *data_files.items()]:
                target = folder / _safe_relative(name)
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "wb") as out:
                    if isinstance(content, (bytes, bytearray, memoryview)):
                        out.write(content)
                    else:
                        content.seek(0)
                        shutil.copyfileobj(content, out, CHUNK)
            return self.add_study(folder / _safe_relative(study_name), wave=wave)

    def delete_study(self, study_id: int) -> StoredStudy:
        """Delete a study with its study files, waves and files; return what was deleted."""
        def delete(con: duckdb.DuckDBPyConnection) -> StoredStudy:
            study = _describe(con, study_id)
            for stored_file in study.files:
                con.execute(f"DROP TABLE upload_data_{stored_file.id}")
            for table, column in (("uploads", "study_id"), ("waves", "study_id"),
                                  ("live_tables", "study_id"),
                                  ("study_files", "study_id"), ("studies", "id")):
                con.execute(f"DELETE FROM {table} WHERE {column} = ?", [study_id])
            return study

        return self._write(delete)

    # -- writing files back ---------------------------------------------------------------------
    def export_study(self, study_id: int, directory: str | Path) -> list[Path]:
        """Write every stored study file and its data files, byte-identical, into ``directory``.

        A study stored from one study file is written as it was (the study file and its data
        files at their relative paths); one with several study files (waves added later) gets
        a folder per study file, named by its wave. Every file's SHA-256 is checked as it is
        written; existing files are never overwritten. Returns the paths written.
        """
        directory = Path(directory)
        with self._snapshot() as con:
            study = _describe(con, study_id)
            written = []
            for study_file in study.study_files:
                written += _write_study_file(con, study, study_file, directory, overwrite=False)
            return written

    def open_study(self, study_id: int, workdir: str | Path, wave: str | None = None) -> Path:
        """Write the study file of the latest wave (or of ``wave``) and its data files,
        byte-identical, into ``workdir`` (same layout as :meth:`export_study`); return the study
        file's path, ready for :func:`surveys.study.read_study` / ``load_study``."""
        workdir = Path(workdir)
        with self._snapshot() as con:
            study = _describe(con, study_id)
            _check_stored_sizes(study)
            names = [w.name for w in study.waves]
            if wave is not None and wave not in names:
                raise StudyError(msg("store_no_wave", id=study_id, wave=wave), key="wave",
                                 expected=msg("one_of", choices=", ".join(names)))
            wanted = wave if wave is not None else study.latest_wave
            file_id = next(w.study_file_id for w in study.waves if w.name == wanted)
            path = _write_study_file(con, study, study.study_file(file_id), workdir,
                                     overwrite=True)[0]
        _reach_live_tables(study, [path])
        return path

    def open_waves(self, study_id: int, workdir: str | Path) -> list[OpenedWave]:
        """Every wave of a study, oldest first, with the study file holding its data written
        (byte-identical, with its data files) into ``workdir``: what a trend across waves loads.

        ``name_in_file`` is the wave's name when that file is loaded; it differs from the stored
        name when a file without a ``wave`` key was added with ``--wave`` (it loads as '1').
        """
        workdir = Path(workdir)
        with self._snapshot() as con:
            study = _describe(con, study_id)
            _check_stored_sizes(study)
            paths = {}
            for file_id in dict.fromkeys(w.study_file_id for w in study.waves):
                paths[file_id] = _write_study_file(con, study, study.study_file(file_id),
                                                   workdir, overwrite=True)[0]
        _reach_live_tables(study, list(paths.values()))
        current = {file_id: read_study(path).wave for file_id, path in paths.items()}
        return [OpenedWave(w.name, paths[w.study_file_id],
                           current[w.study_file_id]
                           if w.name == study.study_file(w.study_file_id).wave else w.name)
                for w in study.waves]


# -- helpers ----------------------------------------------------------------------------------
def _describe(con: duckdb.DuckDBPyConnection, study_id: int) -> StoredStudy:
    row = con.execute("SELECT id, title, created FROM studies WHERE id = ?",
                      [int(study_id)]).fetchone()
    if row is None:
        raise StudyError(msg("store_no_study", id=study_id),
                         expected=msg("store_no_study_expected"))
    waves = [StoredWave(*r) for r in con.execute(
        "SELECT wave, position, study_file_id, added FROM waves WHERE study_id = ? "
        "ORDER BY position", [study_id]).fetchall()]
    study_files = [StoredStudyFile(*r) for r in con.execute(
        "SELECT id, name, wave, sha256, size, added FROM study_files WHERE study_id = ? "
        "ORDER BY id", [study_id]).fetchall()]
    files = [StoredFile(*r) for r in con.execute(
        "SELECT id, study_file_id, name, grp, wave, sheet, sha256, size, uploaded FROM uploads "
        "WHERE study_id = ? ORDER BY id", [study_id]).fetchall()]
    live = [StoredLiveTable(*r) for r in con.execute(
        "SELECT study_file_id, grp, wave, engine, tbl, condition, n_rows, sampled, read_at "
        "FROM live_tables WHERE study_id = ? ORDER BY study_file_id, wave, grp",
        [study_id]).fetchall()]
    return StoredStudy(row[0], row[1], row[2], waves, study_files, files, live)


def _read_live_tables(study: Study, path: Path) -> list[tuple[TableSource, dict]]:
    """Each table group of a study to be stored with its record (the table reached and read now);
    a relative DuckDB or Parquet path is refused: opened from the store, the study file sits in
    another folder."""
    from .tables import engine_kind, read_record

    live = []
    for source in study.sources:
        if not isinstance(source, TableSource):
            continue
        key = study.source_key(source)
        if engine_kind(source.engine) in ("duckdb", "parquet") and not _absolute_engine(source):
            raise StudyError(msg("store_live_relative", group=source.group, engine=source.engine),
                             file=path, key=f"{key}.engine",
                             expected=msg("store_live_relative_expected"))
        live.append((source, read_record(study, source)))
    return live


def _absolute_engine(source: TableSource) -> bool:
    engine = source.engine
    for prefix in ("duckdb://", "file://"):
        engine = engine[len(prefix):] if engine.startswith(prefix) else engine
    return Path(engine).is_absolute()


def _reach_live_tables(study: StoredStudy, paths: list[Path]) -> None:
    """Reach and check every table of the opened study files (a live table is read again when
    opened): an engine that cannot be reached or a table gone is one clear error here."""
    if not study.live:
        return
    from .tables import read_record

    for path in paths:
        opened = read_study(path)
        for source in opened.sources:
            if isinstance(source, TableSource):
                read_record(opened, source)


def _study_for(con: duckdb.DuckDBPyConnection, study: Study, path: Path, label: str,
               append: bool, now: datetime) -> tuple[int, dict[str, int]]:
    """The id of the study a new study file goes to (created unless ``append`` finds one of the
    same title) and its stored waves with their positions; refuses a title or wave stored
    already."""
    row = con.execute("SELECT id FROM studies WHERE title = ? ORDER BY id LIMIT 1",
                      [study.title]).fetchone()
    if row is None:
        (study_id,) = con.execute("INSERT INTO studies (id, title, created) "
                                  "VALUES (nextval('study_ids'), ?, ?) RETURNING id",
                                  [study.title, now]).fetchone()
        return study_id, {}
    if not append:
        raise StudyError(msg("store_title_taken", title=study.title, id=row[0]),
                         file=path, key="title", expected=msg("store_title_taken_expected"))
    stored = dict(con.execute("SELECT wave, position FROM waves WHERE study_id = ?",
                              [row[0]]).fetchall())
    if label in stored:
        raise StudyError(msg("store_wave_taken", wave=label, title=study.title, id=row[0]),
                         file=path, key="wave", expected=msg("store_new_wave_expected"))
    return row[0], stored


def _current_wave_label(study: Study, wave: str | None) -> str:
    if wave is None:
        return study.wave
    wave = str(wave).strip()
    if not wave:
        raise StudyError(msg("store_wave_empty"), expected=msg("store_wave_empty_expected"))
    if "wave" in study.raw and study.wave != wave:
        raise StudyError(msg("store_wave_differs", wave=study.wave, given=wave),
                         file=study.path, key="wave",
                         expected=msg("store_wave_differs_expected", wave=study.wave))
    if wave in study.waves[:-1]:
        raise StudyError(msg("store_wave_earlier", wave=wave),
                         file=study.path, key=f"waves.{wave}", expected=msg("store_new_wave_expected"))
    return wave


def _file_sources(study: Study) -> list[GroupSource]:
    """Every data file of a study as a source: the groups' files (not the groups read from
    tables), then a customer-records file (stored with its group and the current wave) and a
    stopwords file (``text.stopwords``; stored with no group)."""
    records = study.records
    extra = [GroupSource(records.group, study.wave, records.file, records.sheet)] if records else []
    if study.text.file is not None:
        extra.append(GroupSource(None, study.wave, study.text.file))
    return [*(s for s in study.sources if s.file is not None), *extra]


def _relative_names(study: Study, path: Path) -> dict[Path, str]:
    """Each data file's path relative to the study file's folder (files must sit there)."""
    base = path.parent.resolve()
    names = {}
    for source in _file_sources(study):
        try:
            names[source.file] = source.file.relative_to(base).as_posix()
        except ValueError:
            key = ("text.stopwords" if source.group is None
                   else f"{study.source_key(source)}.file")
            raise StudyError(msg("store_file_outside"), file=path, key=key,
                             expected=msg("store_file_outside_expected", folder=base)) from None
    return names


def _safe_relative(name: str) -> PurePosixPath:
    """A relative path that stays inside its folder (no absolute paths, no '..')."""
    rel = PurePosixPath(str(name).replace("\\", "/"))
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise StudyError(msg("store_not_inside", name=name),
                         expected=msg("store_not_inside_expected"))
    return rel


def _insert_upload(con: duckdb.DuckDBPyConnection, path: Path, **meta) -> None:
    """Insert one data file, read, hashed and stored in pieces of CHUNK bytes."""
    (upload_id,) = con.execute("SELECT nextval('upload_ids')").fetchone()
    con.execute(_DATA_TABLE.format(upload_id))
    digest, size = hashlib.sha256(), 0
    try:
        with open(path, "rb") as file:
            for seq, piece in enumerate(iter(lambda: file.read(CHUNK), b"")):
                digest.update(piece)
                size += len(piece)
                con.execute(f"INSERT INTO upload_data_{upload_id} VALUES (?, ?)", [seq, piece])
    except OSError as exc:
        raise StudyError(msg("store_data_unreadable", reason=exc.strerror), file=path) from None
    con.execute("INSERT INTO uploads (id, study_id, study_file_id, name, grp, wave, sheet, sha256, "
                "size, uploaded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [upload_id, meta["study_id"], meta["study_file_id"], meta["name"], meta["group"],
                 meta["wave"], meta["sheet"], digest.hexdigest(), size, meta["uploaded"]])


def _check_stored_sizes(study: StoredStudy) -> None:
    """Refuse to write out a stored study holding a file above the upload limit (stored before
    the limit, or with a higher one): it could not be loaded anyway, and writing it costs time
    and disk. The sizes come from the store's own records, before anything is written."""
    for stored_file in study.files:
        check_file_size(stored_file.name, stored_file.size)


def _folder_of(study: StoredStudy, study_file: StoredStudyFile, root: Path) -> Path:
    if len(study.study_files) == 1:
        return root
    return root / (re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", study_file.wave).strip(". ") or "wave")


def _write_study_file(con: duckdb.DuckDBPyConnection, study: StoredStudy,
                      study_file: StoredStudyFile, root: Path, overwrite: bool) -> list[Path]:
    """Write one study file (first in the list returned) and its data files; check SHA-256."""
    folder = _folder_of(study, study_file, root)
    parts = [(study_file.name, study_file.sha256, _study_file_content(con, study_file.id))]
    parts += [(f.name, f.sha256, _upload_pieces(con, f.id)) for f in study.files
              if f.study_file_id == study_file.id]
    written = []
    for name, sha, pieces in parts:
        target = folder / _safe_relative(name)
        if target.exists() and not overwrite:
            raise StudyError(msg("store_file_exists"), file=target)
        _write_checked(pieces, target, sha)
        written.append(target)
    return written


def _study_file_content(con: duckdb.DuckDBPyConnection, file_id: int) -> Iterator[bytes]:
    yield con.execute("SELECT content FROM study_files WHERE id = ?", [file_id]).fetchone()[0]


def _upload_pieces(con: duckdb.DuckDBPyConnection, upload_id: int) -> Iterator[bytes]:
    """A stored data file's pieces in order, fetched one at a time by primary key (a filter on
    a column without an index made DuckDB load every piece of the table for each one)."""
    table = f"upload_data_{int(upload_id)}"
    (count,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    for seq in range(count):
        row = con.execute(f"SELECT data FROM {table} WHERE seq = ?", [seq]).fetchone()
        if row is None:
            raise StudyError(msg("store_piece_missing", seq=seq))
        yield row[0]


def _write_checked(pieces: Iterator[bytes], target: Path, sha: str) -> None:
    """Write pieces to a temporary name, check their SHA-256, then move the file into place
    (a damaged copy is never left behind)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            for piece in pieces:
                digest.update(piece)
                out.write(piece)
        if digest.hexdigest() != sha:
            raise StudyError(msg("store_sha_mismatch"), file=target.name)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
