"""Groups read from tables (surveys/tables.py, analysis/table_moments.py): the same study from a
file and from a DuckDB database or Parquet files gives the same results.json to 1e-9, every number
but the resampling-based ones (bootstrap intervals of the 0-100 indices, documented in the
README); bad engines, tables, columns and conditions give one clear error; passwords are masked.

The expected values are the in-memory path's (itself tested against R in the other test files):
what is checked here is that the engine path computes the same statistics."""
from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.jsonready import json_ready
from analysis.pipeline import analyse
from surveys.errors import StudyError
from surveys.load import FILE_ROW, load_study
from surveys.tables import mask_url

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "study.yaml"
#: results.json paths that differ by design: where the data came from, the quality examples
#: (file rows; a table has none), the importer's notes, the example comments of a theme (the
#: first in row order), and the resampling-based numbers (the bootstrap of the 0-100 indices and
#: of the PLS model: the same seed over the rows in another order)
NOT_COMPARED = re.compile(
    r"^/study/(files|sources|fingerprint)"
    r"|^/quality/.*/(examples|notes)"
    r"|^/text/.*/examples"
    r"|/(csi|satisfaction_index|loyalty_index)/(ci|se)"
    r"|^/pls/[^/]+/(paths/[^/]+/(ci|se|t|p)|outer/[^/]+/(ci|se|loading_ci|loading_se)"
    r"|indices_ci/[^/]+)(\[\d\])?$"
    r"|^/trends/[^/]+/changes\[\d+\]/(unweighted/)?(ci|statistic|p)$")


def _differences(a, b, path="") -> list:
    """Paths where two results.json differ (numbers beyond 1e-9 relative, anything else
    unequal), leaving out :data:`NOT_COMPARED`."""
    if NOT_COMPARED.search(path):
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b), key=str)
                for d in (_differences(a[k], b[k], f"{path}/{k}") if k in a and k in b
                          else [(f"{path}/{k}", "missing")])]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [(path, "length", len(a), len(b))]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, f"{path}[{i}]")]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        same = math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
        return [] if same else [(path, a, b)]
    return [] if a == b else [(path, a, b)]


def _small_answers(n: int = 160, seed: int = 16) -> pd.DataFrame:
    """Answers of one group: three dimensions with a reverse-coded item, missing answers
    (about 8 %), satisfaction, a 0-10 question, a region, a duration, a revenue (tied values,
    some missing), a growth potential, cooperation years, a Kano question pair (some missing),
    one duplicate submission, one straight-liner and one speeder."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=n)
    frame = {}
    for d, dim in enumerate("ABC"):
        for i in range(1, 4):
            x = np.clip(np.rint(3 + 0.8 * latent + rng.normal(0, 0.9, n) + 0.2 * d), 1, 5)
            frame[f"{dim}{i}"] = 6 - x if f"{dim}{i}" == "B3" else x
    frame["SAT1"] = np.clip(np.rint(3 + latent + rng.normal(0, 0.8, n)), 1, 5)
    frame["REC"] = np.clip(np.rint(6 + 2 * latent + rng.normal(0, 1.5, n)), 0, 10)
    answers = pd.DataFrame(frame)
    items = [c for c in answers if c != "REC"]
    answers[items] = answers[items].mask(rng.random((n, len(items))) < 0.08)
    answers["region"] = rng.choice(["north", "south", "west"], n)
    answers["seconds"] = np.rint(rng.uniform(200, 600, n))
    answers["amount"] = np.rint(np.exp(rng.normal(2, 1.2, n))) * 100
    answers.loc[rng.random(n) < 0.05, "amount"] = np.nan
    answers["intent"] = rng.integers(1, 6, n).astype(float)
    answers["years"] = np.where(rng.random(n) < 0.05, np.nan, rng.integers(0, 13, n) / 2)
    for column in ("K_FUN", "K_DYS"):
        answers[column] = rng.integers(1, 6, n).astype(float)
        answers.loc[rng.random(n) < 0.05, column] = np.nan
    answers.loc[3, items] = 4.0  # a straight-liner (B3 answered like the others)
    answers.loc[7, "seconds"] = 20.0  # a speeder
    answers.loc[n - 1] = answers.loc[5]  # a double submission
    return answers


def _small_study(data: dict) -> dict:
    return {"title": "engine test", "scale": {"min": 1, "max": 5}, "groups": data,
            "dimensions": {"a": ["A1", "A2", "A3"], "b": ["B1", "B2", "B3"],
                           "c": ["C1", "C2", "C3"]},
            "reverse": ["B3"], "satisfaction": ["SAT1"], "nps": "REC", "segments": ["region"],
            "duration": "seconds", "revenue": "amount", "growth": "intent",
            "cooperation_years": "years", "kano": {"delivery": ["K_FUN", "K_DYS"]},
            "exclude": {"straightliners": True, "duplicates": True, "speeders": True}}


def _write_study(folder: Path, study: dict) -> Path:
    path = folder / "study.yaml"
    path.write_text(yaml.safe_dump(study, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The small study as a CSV file, a DuckDB table and a Parquet file; results of the file."""
    folder = tmp_path_factory.mktemp("small")
    answers = _small_answers()
    answers.to_csv(folder / "answers.csv", index=False)
    con = duckdb.connect(str(folder / "survey.duckdb"))
    con.register("answers_frame", answers)
    con.execute("CREATE TABLE answers AS SELECT * FROM answers_frame")
    con.close()
    answers.to_parquet(folder / "answers.parquet", index=False)
    study = _write_study(folder, _small_study({"customers": {"file": "answers.csv"}}))
    return folder, json.loads(json.dumps(analyse(load_study(study))))


@pytest.mark.parametrize("group", [
    {"table": "answers", "engine": "duckdb://survey.duckdb"},
    {"engine": "answers.parquet"},
], ids=["duckdb", "parquet"])
def test_small_study_from_a_table_equals_the_file(small, group, tmp_path):
    folder, expected = small
    for name in ("survey.duckdb", "answers.parquet"):
        shutil.copy(folder / name, tmp_path / name)
    results = analyse(load_study(_write_study(tmp_path, _small_study({"customers": group}))))
    results = json.loads(json.dumps(results))
    assert _differences(expected, results) == []
    quality = results["quality"]["customers"]
    assert quality["rules"]["straightliners"]["excluded"] == 1
    assert quality["rules"]["speeders"]["excluded"] == 1
    assert quality["rules"]["duplicates"]["excluded"] == 1
    assert results["study"]["sources"]["customers"] == {
        "engine": group["engine"], "table": group.get("table"), "where": None,
        "rows": 160, "sampled": None}
    assert results["study"]["files"] == {}


def test_where_selects_the_rows(small, tmp_path):
    """``where`` filters in the engine: the table of two waves gives the file of one."""
    folder, expected = small
    answers = pd.read_csv(folder / "answers.csv")
    both = pd.concat([answers.assign(wave="2026Q3"), answers.assign(wave="2026Q2")])
    both.to_parquet(tmp_path / "both.parquet", index=False)
    group = {"engine": "both.parquet", "where": "wave = '2026Q3'"}
    results = json.loads(json.dumps(analyse(load_study(
        _write_study(tmp_path, _small_study({"customers": group}))))))
    assert _differences(expected, results) == []
    assert results["study"]["sources"]["customers"]["where"] == "wave = '2026Q3'"


def _sample_tables(folder: Path, data) -> Path:
    """The sample study's coded answers (every row read, as a warehouse would hold them) in a
    DuckDB database, and the same study file reading them from there."""
    study = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    con = duckdb.connect(str(folder / "survey.duckdb"))

    def table(wave: str, group: str) -> dict:
        d = data.groups[(wave, group)]
        frame = d.data.drop(columns=[FILE_ROW, *d.table.meta_columns.values()], errors="ignore")
        if d.table.durations is not None:
            frame["seconds"] = np.asarray(d.table.durations, dtype="float64")
        con.register("frame", frame)
        con.execute(f"CREATE TABLE {group}_{wave} AS SELECT * FROM frame")
        con.unregister("frame")
        return {"table": f"{group}_{wave}", "engine": "duckdb://survey.duckdb"}

    study["groups"] = {g: table(data.study.wave, g) for g in study["groups"]}
    study["waves"] = {w: {g: table(w, g) for g in groups} for w, groups in study["waves"].items()}
    study["duration"] = "seconds"
    con.close()
    return _write_study(folder, study)


def test_sample_study_from_duckdb_equals_the_file(tmp_path):
    data = load_study(SAMPLE)
    study = _sample_tables(tmp_path, data)
    expected = json.loads(json.dumps(analyse(data)))
    results = json.loads(json.dumps(analyse(load_study(study))))
    assert _differences(expected, results) == []
    assert set(results["study"]["sources"]) == {"customers", "employees", "2018/customers",
                                                "2018/employees"}


# --------------------------------------------------------------------------------------------------
# Bad input: one clear error naming the group, the table and the column
# --------------------------------------------------------------------------------------------------
def _error(folder: Path, group: dict, **extra) -> StudyError:
    with pytest.raises(StudyError) as caught:
        load_study(_write_study(folder, {**_small_study({"customers": group}), **extra}))
    return caught.value


@pytest.mark.parametrize("group, key, words", [
    ({"table": "answers", "engine": "duckdb://nowhere.duckdb"}, "groups.customers.engine",
     ["cannot reach the engine", "customers"]),
    ({"engine": "missing/*.parquet"}, "groups.customers.table", ["cannot reach", "customers"]),
    ({"table": "responses", "engine": "duckdb://survey.duckdb"}, "groups.customers.table",
     ["has no table responses", "customers"]),
    ({"table": "answers", "engine": "duckdb://survey.duckdb", "where": "wave = 3"},
     "groups.customers.where", ["where condition 'wave = 3' fails", "table answers"]),
    ({"table": "answers", "engine": "duckdb://survey.duckdb", "where": "1 = 1; DROP TABLE x"},
     "groups.customers.where", ["not one SQL condition"]),
    ({"table": "answers", "engine": "ftp:nowhere"}, "groups.customers.engine",
     ["unknown engine"]),
    ({"engine": "answers.parquet", "table": "answers"}, "groups.customers.table",
     ["need no table"]),
    ({"table": "answers", "engine": "duckdb://survey.duckdb", "file": "answers.csv"},
     "groups.customers", ["both file"]),
], ids=["unreachable", "no-parquet", "no-table", "where-fails", "two-statements",
        "unknown-engine", "parquet-table", "file-and-table"])
def test_bad_engines_tables_and_conditions(small, tmp_path, group, key, words):
    folder, _ = small
    shutil.copy(folder / "survey.duckdb", tmp_path / "survey.duckdb")
    error = _error(tmp_path, group)
    assert error.key == key
    for word in words:
        assert word in str(error)
    assert "Traceback" not in error.render("zh") and error.render("zh") != str(error)


def test_missing_column_and_wrong_type_name_group_table_and_column(tmp_path):
    answers = _small_answers().drop(columns=["C2"]).astype({"A1": "string"})
    answers.to_parquet(tmp_path / "answers.parquet", index=False)
    error = _error(tmp_path, {"engine": "answers.parquet"})
    assert error.column == "C2" and "group 'customers'" in str(error) and "C2" in str(error)
    assert "组“customers”" in error.render("zh")
    answers = _small_answers().astype({"A1": "string"})
    answers.to_parquet(tmp_path / "answers.parquet", index=False)
    error = _error(tmp_path, {"engine": "answers.parquet"})
    assert error.column == "A1" and "not a number" in str(error) and "answers.parquet" in str(error)


def test_out_of_range_answers_error_or_missing(tmp_path):
    answers = _small_answers()
    answers.loc[10, "A2"] = 7.0
    answers.to_parquet(tmp_path / "answers.parquet", index=False)
    error = _error(tmp_path, {"engine": "answers.parquet"})
    assert error.column == "A2" and "1 invalid answer(s), e.g. 7.0" in str(error)
    data = load_study(_write_study(tmp_path, {**_small_study(
        {"customers": {"engine": "answers.parquet"}}), "invalid": "missing"}))
    quality = data.groups[("1", "customers")].quality.to_json()
    assert quality["rules"]["out_of_range"]["count"] == 1
    assert data.responses()["customers"].moments(["A2"]).count[0] == \
        answers["A2"].between(1, 5).sum() - 3  # the three excluded rows answered A2


def test_rules_needing_rows_cannot_exclude_table_rows(small, tmp_path):
    folder, _ = small
    shutil.copy(folder / "answers.parquet", tmp_path / "answers.parquet")
    error = _error(tmp_path, {"engine": "answers.parquet"}, careless={"irv": 0.3},
                   exclude={"irv": True})
    assert error.key == "exclude.irv" and "needs the rows" in str(error)


def test_passwords_are_masked():
    assert mask_url("postgres://ana:s3cret@db.example.com:5432/cx") == \
        "postgres://ana:***@db.example.com:5432/cx"
    assert mask_url("duckdb:///data/cx.duckdb") == "duckdb:///data/cx.duckdb"
    assert mask_url("clickhouse://bob@host/db") == "clickhouse://bob@host/db"


def test_password_never_in_errors(tmp_path):
    """An engine that cannot be reached (no driver installed, or nothing listening): the error
    shows the URL with its password masked, in both languages."""
    error = _error(tmp_path, {"table": "cx.responses",
                              "engine": "postgres://ana:s3cret@127.0.0.1:9/cx"})
    for text in (str(error), error.render("zh"), error.render("en")):
        assert "s3cret" not in text and "postgres://ana:***@127.0.0.1:9/cx" in text


def test_engine_path_is_exact_in_any_row_order(small, tmp_path):
    """Integer sums: the same rows in reverse order give the same moments to the last bit."""
    folder, _ = small
    answers = pd.read_parquet(folder / "answers.parquet")
    answers.iloc[::-1].to_parquet(tmp_path / "reversed.parquet", index=False)
    shutil.copy(folder / "answers.parquet", tmp_path / "answers.parquet")
    cov = {}
    for name in ("answers", "reversed"):
        data = load_study(_write_study(tmp_path, _small_study(
            {"customers": {"engine": f"{name}.parquet"}})))
        source = data.responses()["customers"]
        items = ["A1", "A2", "A3", "B1", "B2", "B3"]
        cov[name] = (source.moments(items).cov, source.scores({"a": items[:3]}).moments(["a"]).cov)
    assert np.array_equal(cov["answers"][0], cov["reversed"][0], equal_nan=True)
    assert np.array_equal(cov["answers"][1], cov["reversed"][1], equal_nan=True)


def test_a_table_larger_than_the_sample(small, tmp_path, monkeypatch):
    """Past SAMPLE_ROWS rows, what needs rows takes a seeded sample (recorded); the moments
    still come from every row."""
    import surveys.tables

    folder, expected = small
    shutil.copy(folder / "answers.parquet", tmp_path / "answers.parquet")
    monkeypatch.setattr(surveys.tables, "SAMPLE_ROWS", 100)
    results = json.loads(json.dumps(analyse(load_study(_write_study(
        tmp_path, _small_study({"customers": {"engine": "answers.parquet"}}))))))
    source = results["study"]["sources"]["customers"]
    assert source["rows"] == 160 and 0 < source["sampled"] <= 100
    assert results["reliability"] == expected["reliability"]
    assert results["quality"]["customers"]["n"] == expected["quality"]["customers"]["n"]
    # the ABC classes, their revenue, the Pareto curve (a window in the engine), the value
    # matrix's cuts, the lifecycle stages and every segment's profile (grouped by the segment in
    # the engine), and the Kano categories (a GROUP BY of the answer pairs) are the whole table's
    assert _differences(expected["kano"], results["kano"]) == []
    segments = results["segments"]["customers"]
    assert _differences(expected["segments"], results["segments"]) == []
    assert segments["abc"]["n"] > 100 and segments["abc"]["n_missing"] > 0
    assert segments["abc"]["classes"]["C"]["nps"]["n"] > 0
    assert segments["value_matrix"]["n"] > 100 and segments["lifecycle"]["n"] > 100
    assert any("seeded sample" in note for note in results["quality"]["customers"]["notes"])


def _revenues(kind: str) -> pd.DataFrame:
    """6,000 revenues with many ties and 3 % missing, or shares ending exactly on the cut-offs
    (50, 30, 15, 5 and zeros: cumulative 0.5, 0.8, 0.95, 1)."""
    if kind == "exact":
        return pd.DataFrame({"amount": [15.0, 0.0, 50.0, np.nan, 5.0, 30.0, 0.0]})
    rng = np.random.default_rng(7)
    revenue = np.rint(np.exp(rng.normal(3, 1.5, 6000)))
    revenue[rng.random(6000) < 0.03] = np.nan
    return pd.DataFrame({"amount": revenue})


@pytest.mark.parametrize("kind", ["ties", "exact"])
@pytest.mark.parametrize("cutoffs", [(0.8, 0.95), (0.5, 0.6)])
def test_abc_and_pareto_curve_in_the_engine_equal_the_rows(kind, cutoffs):
    """The window over the distinct revenues gives the classes, their figures and the thinned
    Pareto curve (evenly spaced ranks and the classes' last customers) of the rows, and each
    row brought back the class of its revenue."""
    from analysis.moments import Responses
    from analysis.segments import _abc_in_engine, _abc_of_rows
    from analysis.table_moments import TableResponses
    from surveys.tables import _DuckDB

    frame = _revenues(kind)
    engine = _DuckDB(None)
    engine.con.register("frame", frame)
    table = TableResponses(engine, engine.relation("SELECT * FROM frame"), frame)
    from_rows = _abc_of_rows(Responses(frame), "amount", cutoffs, 50)
    in_engine = _abc_in_engine(table, "amount", cutoffs, 50)
    expected, got = (json.loads(json.dumps(json_ready([*found[:2], found[3]])))
                     for found in (from_rows, in_engine))
    assert _differences(expected, got) == []
    n = got[0]["n"]
    assert got[1][-1]["rank"] == n and len(got[1]) <= min(n, 50) + 3
    assert from_rows[2].fillna("-").tolist() == in_engine[2].fillna("-").tolist()


def test_zero_total_revenue_in_the_engine_equals_the_rows():
    """Every revenue 0: no ABC classes, the Pareto curve's ranks at revenue 0 with no share, as
    from the rows (the engine path raised a TypeError here)."""
    from analysis.segments import segments_section
    from analysis.table_moments import TableResponses
    from surveys.tables import _DuckDB

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"A1": rng.integers(1, 6, 40).astype(float),
                          "A2": rng.integers(1, 6, 40).astype(float), "amount": np.zeros(40)})
    engine = _DuckDB(None)
    engine.con.register("frame", frame)
    table = TableResponses(engine, engine.relation("SELECT * FROM frame"), frame)
    study = {"dimensions": {"A": ["A1", "A2"]}, "revenue": "amount"}
    expected, got = (json.loads(json.dumps(json_ready(segments_section({"c": data}, **study))))
                     for data in (frame, table))
    assert _differences(expected, got) == []
    assert len(got["c"]["abc"]["pareto"]) == 40 and got["c"]["abc"]["classes"]["A"]["n"] == 0


def test_lifecycle_stages_in_the_engine_equal_the_rows():
    """A stage column's spellings and cooperation years give the same stages as an engine
    expression (a table group's segments are grouped by it) as from the rows."""
    from analysis.segments import _stage_expression, lifecycle_stage
    from surveys.tables import _DuckDB

    frame = pd.DataFrame({"stage": ["稳定期", " Formation", "考察", None, "decline", "退化阶段"],
                          "years": [0.0, 1.0, 2.5, 3.0, np.nan, 8.0]})
    engine = _DuckDB(None)
    engine.con.register("frame", frame)
    table = engine.relation("SELECT * FROM frame")
    for column, kwargs in (("stage", {"stage": frame["stage"]}),
                           ("years", {"years": frame["years"], "breaks": (1.0, 3.0)})):
        found = engine.run(table.select(s=_stage_expression(table[column], **kwargs)))
        assert found.column("s").to_pylist() == lifecycle_stage(**kwargs).tolist()


@pytest.mark.parametrize("damage, limit_env, column", [
    ("levels", "SURVEY_MAX_SEGMENT_LEVELS", "region"),
    ("long", "SURVEY_MAX_LABEL_CHARS", "region"),
], ids=["too-many-levels", "answer-too-long"])
def test_category_checks_of_a_table_equal_the_files(tmp_path, monkeypatch, damage, limit_env,
                                                    column):
    """Issue 11's category check (a segment with too many different answers, an answer too long
    for a label) gives the same error from a DuckDB table as from the file: message, column,
    key (the file names its file and row, the table its table and group)."""
    answers = _small_answers()
    if damage == "levels":
        monkeypatch.setenv(limit_env, "2")  # north, south, west: three levels
    else:
        monkeypatch.setenv(limit_env, "20")
        answers.loc[11, column] = "a region named at far too great a length"
    answers.to_csv(tmp_path / "answers.csv", index=False)
    con = duckdb.connect(str(tmp_path / "survey.duckdb"))
    con.register("frame", answers)
    con.execute("CREATE TABLE answers AS SELECT * FROM frame")
    con.close()
    from_file = _error(tmp_path, {"file": "answers.csv"})
    from_table = _error(tmp_path, {"table": "answers", "engine": "duckdb://survey.duckdb"})
    for lang in ("en", "zh"):
        assert from_table.message.render(lang) == from_file.message.render(lang)
        assert from_table.expected.render(lang) == from_file.expected.render(lang)
    assert from_table.column == from_file.column == column
    if damage == "levels":
        assert from_table.key == from_file.key == "segments"
        assert "3 different answers" in str(from_table)
    else:
        assert from_file.row == 13 and from_table.key == "groups.customers"
        assert from_table.file == "answers" and "40 characters" in str(from_table)
