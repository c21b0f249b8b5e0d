"""The study store: byte-exact round trips, waves, transactions, a busy store, the v1 upgrade."""
import hashlib
import io
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from surveys import store as store_module
from surveys import store_cli
from surveys.errors import StudyError
from surveys.store import SCHEMA_VERSION, Store, StoreBusy, default_store_path
from surveys.study import read_study

ROOT = Path(__file__).resolve().parents[1]
XLSX = ROOT / "tests" / "fixtures" / "importers" / "plain.xlsx"
SAMPLE = ROOT / "data" / "sample" / "study.yaml"
# GB18030 text with a 4-byte character (U+20000), CRLF line ends and no final newline
GB18030_CSV = "地区,Q1,Q2\r\n华东𠀀,4,5\r\n华南,3,2".encode("gb18030")
STUDY = """\
# 测试研究 (comment kept byte-exact)
title: 门店调查
wave: '2019'
groups:
  customers: {file: data/客户.csv}
  employees: {file: employees.xlsx, sheet: Sheet1}
dimensions:
  a: [Q1, Q2]
"""


def make_study(folder: Path, study: str = STUDY, csv: bytes = GB18030_CSV) -> Path:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "客户.csv").write_bytes(csv)
    (folder / "employees.xlsx").write_bytes(XLSX.read_bytes())
    (folder / "study.yaml").write_bytes(study.encode("utf-8"))
    return folder / "study.yaml"


def same_bytes(a: Path, b: Path) -> bool:
    return a.read_bytes() == b.read_bytes()


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "db" / "store.duckdb", busy_timeout=0.3)


def counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path))
    try:
        rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("studies", "study_files", "waves", "uploads")}
        rows["data tables"] = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'upload_data_%'"
        ).fetchone()[0]
        return rows
    finally:
        con.close()


def test_add_and_export_are_byte_identical(tmp_path, store):
    path = make_study(tmp_path / "src")
    study_id = store.add_study(path)
    written = store.export_study(study_id, tmp_path / "out")
    out = tmp_path / "out"
    assert written == [out / "study.yaml", out / "data" / "客户.csv", out / "employees.xlsx"]
    for rel in ("study.yaml", "data/客户.csv", "employees.xlsx"):
        assert same_bytes(out / rel, tmp_path / "src" / rel)
    assert (out / "data" / "客户.csv").read_bytes() == GB18030_CSV
    assert read_study(out / "study.yaml").title == "门店调查"


def test_files_are_stored_in_pieces_and_written_back_whole(tmp_path, store, monkeypatch):
    monkeypatch.setattr(store_module, "CHUNK", 1000)
    study = store.get_study(store.add_study(make_study(tmp_path / "src")))
    xlsx = study.files[1]
    con = duckdb.connect(str(store.path))
    pieces = con.execute(f"SELECT seq, octet_length(data) FROM upload_data_{xlsx.id} ORDER BY seq")
    assert pieces.fetchall() == [(i, 1000) for i in range(5)] + [(5, XLSX.stat().st_size - 5000)]
    con.close()
    store.export_study(study.id, tmp_path / "out")
    assert same_bytes(tmp_path / "out" / "employees.xlsx", XLSX)


def test_metadata_records_checksums_waves_and_groups(tmp_path, store):
    path = make_study(tmp_path / "src")
    study = store.get_study(store.add_study(path))
    assert study.title == "门店调查" and [w.name for w in study.waves] == ["2019"]
    assert study.study_files[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    csv, xlsx = study.files
    assert (csv.name, csv.group, csv.wave, csv.sheet) == (
        "data/客户.csv", "customers", "2019", None)
    assert (xlsx.name, xlsx.group, xlsx.sheet) == ("employees.xlsx", "employees", "Sheet1")
    assert csv.sha256 == hashlib.sha256(GB18030_CSV).hexdigest() and csv.size == len(GB18030_CSV)
    assert xlsx.sha256 == hashlib.sha256(XLSX.read_bytes()).hexdigest()
    assert [s.id for s in store.list_studies()] == [study.id]


def test_open_study_writes_a_loadable_copy(tmp_path, store):
    study_id = store.add_study(make_study(tmp_path / "src"))
    path = store.open_study(study_id, tmp_path / "work")
    assert path == tmp_path / "work" / "study.yaml"
    opened = read_study(path)
    assert [s.file.read_bytes() for s in opened.sources] == [GB18030_CSV, XLSX.read_bytes()]
    assert store.open_study(study_id, tmp_path / "work") == path  # opening again overwrites


def test_sample_study_stores_every_wave_it_lists(tmp_path, store):
    study = store.get_study(store.add_study(SAMPLE))
    assert [w.name for w in study.waves] == ["2018", "2019"]
    opened = store.open_waves(study.id, tmp_path / "trend")
    assert [(w.wave, w.path, w.name_in_file) for w in opened] == [
        ("2018", tmp_path / "trend" / "study.yaml", "2018"),
        ("2019", tmp_path / "trend" / "study.yaml", "2019")]
    assert {(f.name, f.wave) for f in study.files} == {
        ("customers_2019.xlsx", "2019"), ("employees_2019.csv", "2019"),
        ("customers_2018.xlsx", "2018"), ("employees_2018.csv", "2018")}
    store.export_study(study.id, tmp_path / "out")
    for f in SAMPLE.parent.iterdir():
        assert same_bytes(tmp_path / "out" / f.name, f)


def test_an_opened_study_loads_like_the_original(tmp_path, store):
    from surveys.load import load_study

    opened = load_study(store.open_study(store.add_study(SAMPLE), tmp_path / "work"))
    original = load_study(SAMPLE)
    assert opened.fingerprint == original.fingerprint  # SHA-256 of the study and data files
    assert list(opened.frames_by_wave()) == ["2018", "2019"]
    for group, frame in original.frames().items():
        assert opened.frames()[group].equals(frame)


def test_a_new_wave_is_added_to_the_study_of_the_same_title(tmp_path, store):
    first = store.add_study(make_study(tmp_path / "w1"))
    with pytest.raises(StudyError, match="stored already") as err:
        store.add_study(make_study(tmp_path / "w1b"))
    assert err.value.expected.startswith("--wave NAME")
    second_csv = "地区,Q1,Q2\r\n华北,5,5".encode("gb18030")
    path = make_study(tmp_path / "w2", STUDY.replace("wave: '2019'\n", ""), csv=second_csv)
    assert store.add_study(path, wave="2020") == first
    study = store.get_study(first)
    assert [w.name for w in study.waves] == ["2019", "2020"]
    assert [f.wave for f in study.study_files] == ["2019", "2020"]
    # one folder per study file, named by its wave; the latest wave opens by default
    store.export_study(first, tmp_path / "out")
    assert (tmp_path / "out" / "2019" / "data" / "客户.csv").read_bytes() == GB18030_CSV
    assert (tmp_path / "out" / "2020" / "data" / "客户.csv").read_bytes() == second_csv
    assert same_bytes(tmp_path / "out" / "2020" / "study.yaml", path)
    assert store.open_study(first, tmp_path / "work") == tmp_path / "work" / "2020" / "study.yaml"
    assert store.open_study(first, tmp_path / "work", wave="2019").parent.name == "2019"
    opened = store.open_waves(first, tmp_path / "trend")
    assert [(w.wave, w.path.relative_to(tmp_path / "trend").as_posix(), w.name_in_file)
            for w in opened] == [("2019", "2019/study.yaml", "2019"),
                                 ("2020", "2020/study.yaml", "1")]  # no 'wave' key: loads as '1'
    with pytest.raises(StudyError, match="is stored already"):
        store.add_study(path, wave="2020")
    with pytest.raises(StudyError, match="says its wave is '2019'"):
        store.add_study(make_study(tmp_path / "w3"), wave="2021")
    with pytest.raises(StudyError, match="has no wave '1999'"):
        store.open_study(first, tmp_path / "work", wave="1999")


def test_a_failed_import_leaves_the_store_as_it_was(tmp_path, store, monkeypatch):
    store.add_study(SAMPLE)
    before = counts(store.path)
    real = store_module._insert_upload
    calls = []

    def fail_on_second_file(con, path, **meta):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(5, "Input/output error", str(path))
        return real(con, path, **meta)

    monkeypatch.setattr(store_module, "_insert_upload", fail_on_second_file)
    with pytest.raises(OSError):
        store.add_study(make_study(tmp_path / "src"))
    assert len(calls) == 2 and counts(store.path) == before
    calls.clear()
    # appending a wave to a stored study fails the same way
    new_wave = STUDY.replace("wave: '2019'\n", "").replace("门店调查", "D公司客户关系管理调查 2019")
    with pytest.raises(OSError):
        store.add_study(make_study(tmp_path / "w2", new_wave), wave="2020")
    assert counts(store.path) == before
    assert [w.name for w in store.list_studies()[0].waves] == ["2018", "2019"]


HOLDER = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1])
    print("holding", flush=True)
    sys.stdin.readline()
    con.close()
""")


def test_a_store_held_by_another_process_is_busy_then_usable(tmp_path, store):
    store.add_study(SAMPLE)  # creates the database
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(store.path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreBusy, match=r"the store is busy \(used by another program"):
            store.add_study(make_study(tmp_path / "src"))
    finally:
        holder.communicate("\n", timeout=30)
    assert counts(store.path)["studies"] == 1
    store.add_study(make_study(tmp_path / "src"))
    assert [s.title for s in store.list_studies()] == ["D公司客户关系管理调查 2019", "门店调查"]


def test_two_processes_adding_at_once_both_succeed(tmp_path, store):
    store.list_studies()  # creates the database
    paths = [make_study(tmp_path / f"s{i}", STUDY.replace("门店调查", f"门店调查 {i}"))
             for i in range(2)]
    procs = [subprocess.Popen([sys.executable, "-m", "surveys.store_cli", "--db",
                               str(store.path), "add", str(p)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for p in paths]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    studies = store.list_studies()
    assert sorted(s.title for s in studies) == ["门店调查 0", "门店调查 1"]
    assert all(len(s.files) == 2 for s in studies)


def build_v1(path: Path) -> None:
    """A version-1 store as the first release wrote it: no waves table, no checksums."""
    con = duckdb.connect(str(path))
    con.execute("""
        CREATE TABLE schema_version (version INTEGER NOT NULL, applied TIMESTAMP NOT NULL);
        INSERT INTO schema_version VALUES (1, TIMESTAMP '2025-01-01 00:00:00');
        CREATE TABLE studies (id INTEGER PRIMARY KEY, title VARCHAR NOT NULL,
                              created TIMESTAMP NOT NULL);
        CREATE TABLE study_files (id INTEGER PRIMARY KEY, study_id INTEGER NOT NULL,
            name VARCHAR NOT NULL, content BLOB NOT NULL, added TIMESTAMP NOT NULL);
        CREATE TABLE uploads (id INTEGER PRIMARY KEY, study_id INTEGER NOT NULL,
            study_file_id INTEGER, name VARCHAR NOT NULL, grp VARCHAR, wave VARCHAR,
            sheet VARCHAR, content BLOB NOT NULL, uploaded TIMESTAMP NOT NULL);
        INSERT INTO studies VALUES (7, 'D公司客户关系管理调查 2019',
                                    TIMESTAMP '2025-01-02 10:00:00');
    """)
    con.execute("INSERT INTO study_files VALUES (3, 7, 'study.yaml', ?, TIMESTAMP '2025-01-02 "
                "10:00:00')", [SAMPLE.read_bytes()])
    files = [(f"{group}_{wave}.{ext}", group, wave) for wave in ("2018", "2019")
             for group, ext in (("customers", "xlsx"), ("employees", "csv"))]
    for i, (name, group, wave) in enumerate(files):
        con.execute("INSERT INTO uploads VALUES (?, 7, 3, ?, ?, ?, NULL, ?, TIMESTAMP "
                    "'2025-01-02 10:00:00')",
                    [i + 1, name, group, wave, (SAMPLE.parent / name).read_bytes()])
    con.close()


def test_a_version_1_store_is_upgraded_with_its_data_intact(tmp_path, store, monkeypatch):
    monkeypatch.setattr(store_module, "CHUNK", 10_000)  # whole v1 files are cut into pieces
    build_v1(store.path.parent.mkdir(parents=True) or store.path)
    assert store.schema_version() == SCHEMA_VERSION == 3
    study = store.get_study(7)
    assert [w.name for w in study.waves] == ["2018", "2019"]
    assert all(w.study_file_id == 3 for w in study.waves)
    assert study.study_files[0].wave == "2019"
    assert study.study_files[0].sha256 == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    for f in study.files:
        content = (SAMPLE.parent / f.name).read_bytes()
        assert (f.sha256, f.size) == (hashlib.sha256(content).hexdigest(), len(content))
    store.export_study(7, tmp_path / "out")
    for f in SAMPLE.parent.iterdir():
        assert same_bytes(tmp_path / "out" / f.name, f)
    new_id = store.add_study(make_study(tmp_path / "src"))  # ids continue after the old ones
    assert new_id == 8 and store.get_study(new_id).files[0].id == 5
    con = duckdb.connect(str(store.path))
    assert con.execute("SELECT version FROM schema_version ORDER BY version").fetchall() == [
        (1,), (2,), (3,)]
    size = (SAMPLE.parent / "customers_2018.xlsx").stat().st_size
    assert con.execute("SELECT count(*) FROM upload_data_1").fetchone() == (-(-size // 10_000),)
    assert "content" not in [c for (c,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'uploads'"
    ).fetchall()]
    con.close()


def test_a_store_from_a_newer_toolkit_is_refused(tmp_path, store):
    store.list_studies()
    con = duckdb.connect(str(store.path))
    con.execute("INSERT INTO schema_version VALUES (99, now()::TIMESTAMP)")
    con.close()
    with pytest.raises(StudyError, match="schema version 99"):
        store.list_studies()


def test_a_damaged_stored_file_is_not_exported(tmp_path, store):
    study_id = store.add_study(make_study(tmp_path / "src"))
    con = duckdb.connect(str(store.path))
    (upload_id,) = con.execute("SELECT id FROM uploads WHERE name = 'employees.xlsx'").fetchone()
    con.execute(f"UPDATE upload_data_{upload_id} SET data = 'tampered'::BLOB")
    con.close()
    with pytest.raises(StudyError, match="SHA-256 does not match"):
        store.export_study(study_id, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["data", "study.yaml"]


def test_export_never_overwrites(tmp_path, store):
    study_id = store.add_study(make_study(tmp_path / "src"))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "study.yaml").write_text("mine")
    with pytest.raises(StudyError, match="exists already"):
        store.export_study(study_id, tmp_path / "out")
    assert (tmp_path / "out" / "study.yaml").read_text() == "mine"


def test_a_data_file_outside_the_study_folder_is_refused(tmp_path, store):
    make_study(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "study.yaml").write_text(STUDY.replace("file: ", "file: ../"),
                                                 encoding="utf-8")
    with pytest.raises(StudyError, match="must sit in the study file's folder") as err:
        store.add_study(tmp_path / "sub" / "study.yaml")
    assert err.value.key == "groups.customers.file"


def test_save_upload_stores_files_uploaded_in_the_app(tmp_path, store):
    study_id = store.save_upload("study.yaml", STUDY.encode("utf-8"), {
        "data/客户.csv": io.BytesIO(GB18030_CSV), "employees.xlsx": XLSX.read_bytes()})
    out = store.open_study(study_id, tmp_path / "work")
    assert out.read_bytes() == STUDY.encode("utf-8")
    assert (out.parent / "data" / "客户.csv").read_bytes() == GB18030_CSV
    with pytest.raises(StudyError, match="not a path inside"):
        store.save_upload("study.yaml", b"", {"../x.csv": b""})


def test_delete_removes_only_that_study(tmp_path, store):
    keep = store.add_study(SAMPLE)
    gone = store.add_study(make_study(tmp_path / "src"))
    assert store.delete_study(gone).title == "门店调查"
    assert [s.id for s in store.list_studies()] == [keep]
    assert counts(store.path) == {"studies": 1, "study_files": 1, "waves": 2, "uploads": 4,
                                 "data tables": 4}
    with pytest.raises(StudyError, match=f"no stored study has id {gone}"):
        store.get_study(gone)


def test_default_path_follows_env_and_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("SURVEY_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == tmp_path / "xdg" / "crm-survey-toolkit" / "store.duckdb"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_store_path() == (tmp_path / "home" / ".local" / "share" /
                                    "crm-survey-toolkit" / "store.duckdb")
    monkeypatch.setenv("SURVEY_STORE", str(tmp_path / "mine.duckdb"))
    assert default_store_path() == tmp_path / "mine.duckdb"
    Store().list_studies()  # creates the folders and the file
    assert (tmp_path / "mine.duckdb").is_file()


def test_cli_add_list_show_export(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    path = make_study(tmp_path / "src")
    assert store_cli.main(["--db", db, "add", str(path)]) == 0
    assert "stored study 1: 门店调查 (waves: 2019)" in capsys.readouterr().out
    assert store_cli.main(["--db", db, "list"]) == 0
    assert "1\t门店调查\t2019\t2\t" in capsys.readouterr().out
    assert store_cli.main(["--db", db, "show", "1"]) == 0
    shown = capsys.readouterr().out
    assert "data/客户.csv: group customers, wave 2019" in shown
    assert hashlib.sha256(GB18030_CSV).hexdigest() in shown
    assert store_cli.main(["--db", db, "export", "1", str(tmp_path / "out")]) == 0
    assert same_bytes(tmp_path / "out" / "employees.xlsx", XLSX)
    assert store_cli.main(["--db", db, "show", "5"]) == 2
    assert capsys.readouterr().err.startswith("error: no stored study has id 5")


def test_cli_delete_asks_or_needs_yes(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "cli.duckdb")
    Store(db).add_study(make_study(tmp_path / "src"))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    assert store_cli.main(["--db", db, "delete", "1"]) == 2
    assert "without confirmation" in capsys.readouterr().err
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert store_cli.main(["--db", db, "delete", "1"]) == 1
    assert len(Store(db).list_studies()) == 1
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert store_cli.main(["--db", db, "delete", "1"]) == 0
    assert Store(db).list_studies() == []
    Store(db).add_study(make_study(tmp_path / "src"))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    assert store_cli.main(["--db", db, "delete", "2", "--yes"]) == 0
    assert "deleted study 2: 门店调查" in capsys.readouterr().out


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / "garbage.duckdb").write_text("not a database")
    with pytest.raises(StudyError, match="cannot open the store"):
        Store(tmp_path / "garbage.duckdb").list_studies()
    con = duckdb.connect(str(tmp_path / "other.duckdb"))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(StudyError, match="not a study store"):
        Store(tmp_path / "other.duckdb").list_studies()


def test_a_customer_records_file_is_stored_and_exported(tmp_path):
    """The records file of a study (``records:``) is kept byte-exact like the groups' files."""
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "c.csv").write_text("id,Q1,Q2\nr1,4,5\nr2,3,4\n", encoding="utf-8")
    (folder / "crm.csv").write_bytes("客户编号,amount\nr1,10\n".encode("gb18030"))
    (folder / "s.yaml").write_text("title: records\ngroups: {customers: c.csv}\n"
                                   "dimensions: {d: [Q1, Q2]}\nrevenue: amount\n"
                                   "records: {file: crm.csv, id: 客户编号, match: id}\n",
                                   encoding="utf-8")
    store = Store(tmp_path / "store.duckdb")
    study_id = store.add_study(folder / "s.yaml")
    out = tmp_path / "out"
    store.export_study(study_id, out)
    assert (out / "crm.csv").read_bytes() == (folder / "crm.csv").read_bytes()


def test_a_stopwords_file_is_stored_and_opened_with_the_study(store, tmp_path):
    """``text: {stopwords: FILE}`` names a file beside the data: the store keeps it byte-exact
    with the study, so that the opened study reads the same stopwords (it said 'file not found')."""
    study = STUDY + "comments: [地区]\ntext: {stopwords: data/停用词.txt}\n"
    path = make_study(tmp_path / "src", study)
    stop = "# 本研究的停用词\r\n公司\r\n服务\r\n".encode()
    (tmp_path / "src" / "data" / "停用词.txt").write_bytes(stop)
    study_id = store.add_study(path)
    opened = store.open_study(study_id, tmp_path / "open")
    assert (tmp_path / "open" / "data" / "停用词.txt").read_bytes() == stop
    assert read_study(opened).text.stopwords == read_study(path).text.stopwords == {"公司", "服务"}
    # the app stores the files Study.data_files() lists (ui.store.save_current)
    assert read_study(path).data_files()[-1] == (tmp_path / "src" / "data" / "停用词.txt").resolve()
