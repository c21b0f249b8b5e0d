"""The study store and groups read from tables ("live tables", issue 16): the store keeps the
study file as written and a record of each table as read (engine with any password masked,
table, where, rows, sampled, when), never the rows; opening the study reads the table again;
an engine or table that cannot be reached is one clear error and nothing is written."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import surveys.tables
from analysis.i18n import t
from surveys.errors import StudyError
from surveys.load import load_study
from surveys.store import SCHEMA_VERSION, Store
from tests.test_app_store import _store_page
from tests.test_tables import _small_answers, _small_study, _write_study
from ui import state as S

@pytest.fixture(autouse=True)
def _fresh_engines():
    """Each test reaches its engines anew (a DuckDB file is kept open read-only per session)."""
    yield
    _close_engines()


def _duckdb_study(folder: Path, answers: pd.DataFrame | None = None) -> Path:
    """The small engine study reading table ``answers`` of a DuckDB file by its absolute path."""
    answers = _small_answers() if answers is None else answers
    con = duckdb.connect(str(folder / "survey.duckdb"))
    con.register("frame", answers)
    con.execute("CREATE OR REPLACE TABLE answers AS SELECT * FROM frame")
    con.close()
    group = {"table": "answers", "engine": f"duckdb://{(folder / 'survey.duckdb').as_posix()}",
             "where": "region <> 'west'"}
    return _write_study(folder, _small_study({"customers": group}))


def _close_engines() -> None:
    for engine in surveys.tables._ENGINES.values():
        getattr(engine, "con", None) and engine.con.close()
    surveys.tables._ENGINES.clear()


def _tables(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
                for name in ("studies", "study_files", "waves", "uploads", "live_tables")}
    finally:
        con.close()


def test_a_duckdb_table_study_is_stored_as_a_record_and_read_live(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    path = _duckdb_study(source)
    answers = _small_answers()
    rows = int((answers["region"] != "west").sum())
    store = Store(tmp_path / "store.duckdb")
    study_id = store.add_study(path)
    stored = store.get_study(study_id)
    assert stored.live and stored.files == []
    (record,) = stored.live_tables
    assert (record.group, record.wave, record.engine, record.table, record.where, record.rows,
            record.sampled) == ("customers", "1", f"duckdb://{(source / 'survey.duckdb').as_posix()}",
                                "answers", "region <> 'west'", rows, None)
    assert _tables(store.path)["uploads"] == 0  # no copy of the rows
    out = tmp_path / "out"
    assert store.export_study(study_id, out) == [out / "study.yaml"]
    assert (out / "study.yaml").read_bytes() == path.read_bytes()  # the study file as written
    # opening reads the table again: rows added since are in the results
    _close_engines()
    con = duckdb.connect(str(source / "survey.duckdb"))
    con.execute("INSERT INTO answers SELECT * FROM answers WHERE region = 'north' LIMIT 5")
    con.close()
    opened = store.open_study(study_id, tmp_path / "open")
    data = load_study(opened)
    assert data.groups[("1", "customers")].record()["rows"] == rows + 5
    assert store.get_study(study_id).live_tables[0].rows == rows  # the record stays as read


def test_a_parquet_glob_study_is_stored_and_opened(tmp_path):
    source = tmp_path / "parts"
    source.mkdir()
    answers = _small_answers()
    answers.iloc[:80].to_parquet(source / "part_1.parquet", index=False)
    answers.iloc[80:].to_parquet(source / "part_2.parquet", index=False)
    engine = f"{source.as_posix()}/part_*.parquet"
    path = _write_study(tmp_path, _small_study({"customers": {"engine": engine}}))
    store = Store(tmp_path / "store.duckdb")
    study_id = store.add_study(path)
    (record,) = store.get_study(study_id).live_tables
    assert (record.engine, record.table, record.where, record.rows) == (engine, None, None, 160)
    (opened,) = store.open_waves(study_id, tmp_path / "open")
    assert load_study(opened.path).groups[("1", "customers")].record()["rows"] == 160


def test_a_relative_engine_path_is_refused_and_nothing_is_written(tmp_path):
    _small_answers().to_parquet(tmp_path / "answers.parquet", index=False)
    path = _write_study(tmp_path, _small_study({"customers": {"engine": "answers.parquet"}}))
    store = Store(tmp_path / "db" / "store.duckdb")
    with pytest.raises(StudyError) as caught:
        store.add_study(path)
    assert caught.value.key == "groups.customers.engine"
    assert "relative path" in str(caught.value) and "相对路径" in caught.value.render("zh")
    assert store.list_studies() == []


def test_an_unreachable_engine_is_one_clear_error_and_nothing_is_written(tmp_path):
    study = _write_study(tmp_path, _small_study({"customers": {
        "table": "cx.responses", "engine": "postgres://ana:s3cret@127.0.0.1:9/cx"}}))
    store = Store(tmp_path / "store.duckdb")
    with pytest.raises(StudyError) as caught:
        store.add_study(study)
    for text in (str(caught.value), caught.value.render("zh")):
        assert "s3cret" not in text and "postgres://ana:***@127.0.0.1:9/cx" in text
    assert store.list_studies() == []


@pytest.mark.parametrize("damage, words", [
    ("file", ["cannot reach the engine", "无法连接引擎"]),
    ("table", ["has no table answers", "没有表 answers"]),
], ids=["engine-gone", "table-gone"])
def test_reopening_when_the_table_is_gone_is_one_clear_error(tmp_path, damage, words):
    source = tmp_path / "source"
    source.mkdir()
    store = Store(tmp_path / "store.duckdb")
    study_id = store.add_study(_duckdb_study(source))
    _close_engines()
    if damage == "file":
        (source / "survey.duckdb").unlink()
    else:
        con = duckdb.connect(str(source / "survey.duckdb"))
        con.execute("DROP TABLE answers")
        con.close()
    before = _tables(store.path)
    with pytest.raises(StudyError) as caught:
        store.open_waves(study_id, tmp_path / "open")
    assert words[0] in str(caught.value) and words[1] in caught.value.render("zh")
    assert "Traceback" not in caught.value.render("zh")
    assert _tables(store.path) == before


def test_a_version_2_store_gets_the_live_tables_record(tmp_path):
    path = tmp_path / "store.duckdb"
    Store(path).list_studies()
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE live_tables")
    con.execute("UPDATE schema_version SET version = 2")
    con.close()
    assert Store(path).schema_version() == SCHEMA_VERSION == 3
    assert _tables(path)["live_tables"] == 0


# -- the app: the store page marks a live table and opens it -----------------------------------
def test_the_store_page_marks_and_opens_a_live_table(private_store, tmp_path, lang="en"):
    source = tmp_path / "source"
    source.mkdir()
    study_id = Store(private_store).add_study(_duckdb_study(source))
    at = _store_page(lang)
    listing, records = at.dataframe[0].value, at.dataframe[1].value
    assert listing[t("store_data", lang)].tolist() == [t("live_table", lang)]
    assert records[t("store_live_table", lang)].tolist() == ["answers"]
    assert records[t("store_live_rows", lang)].tolist() == [
        int((_small_answers()["region"] != "west").sum())]
    next(b for b in at.button if b.key == "store_open").click().run()
    assert [s.value for s in at.success] == [t("store_opened", lang, id=study_id)]
    at.switch_page("ui/pages/1_study.py")
    at.run()
    assert not at.exception
    assert any(t("live_table", lang) in c.value and "answers" in c.value for c in at.caption)
    assert "edit_current" not in [b.key for b in at.button]  # the wizard edits files only


def test_the_store_page_says_when_a_live_table_is_gone(private_store, tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    Store(private_store).add_study(_duckdb_study(source))
    _close_engines()
    (source / "survey.duckdb").unlink()
    at = _store_page("zh")
    next(b for b in at.button if b.key == "store_open").click().run()
    assert len(at.error) == 1 and "无法连接引擎" in at.error[0].value
    assert at.session_state[S.SOURCE] is None  # the study in use stays
    assert json.dumps(at.error[0].value).count("Traceback") == 0


def test_the_command_line_lists_and_shows_a_live_table(tmp_path, capsys):
    from surveys import store_cli

    source = tmp_path / "source"
    source.mkdir()
    db = str(tmp_path / "store.duckdb")
    assert store_cli.main(["--db", db, "add", str(_duckdb_study(source))]) == 0
    assert store_cli.main(["--db", db, "list"]) == 0
    assert store_cli.main(["--db", db, "show", "1"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[2].endswith("\tlive table")
    assert "live table: group customers, wave 1, engine duckdb://" in out
    assert "table answers, where region <> 'west', " in out


def test_the_app_saves_the_live_study_it_has_open(private_store, tmp_path):
    """The app's save (ui.store.save_current): a study file uploaded with a table group is stored
    with its text as written and the table's record; opening it gives the app's source back."""
    from ui import store as app_store

    source = tmp_path / "source"
    source.mkdir()
    text = _duckdb_study(source).read_text(encoding="utf-8")
    upload = tmp_path / "upload"
    upload.mkdir()
    study_id = app_store.save_current(text, upload)
    stored = Store(private_store).get_study(study_id)
    assert stored.live and stored.live_tables[0].table == "answers" and stored.files == []
    opened = app_store.open_stored(study_id)
    assert opened["yaml"] == text
