"""respondents.csv and the weighted sections of results.json on the sample study (wiring: the
statistics themselves are checked against R in test_weighting.py and test_careless.py)."""
import io

import numpy as np
import pandas as pd
import pytest

from analysis.respondents import (COLUMNS, formula_safe, respondents_csv, respondents_table,
                                  write_respondents)
from analysis.weighting import weighting_section, with_weights
from surveys.load import load_study
from tests.app_reference import SAMPLE, sample_results


@pytest.fixture(scope="module")
def data():
    return with_weights(load_study(SAMPLE / "study.yaml"))


@pytest.fixture(scope="module")
def table(data):
    return respondents_table(data)


def test_one_row_per_respondent_read_in_file_order(data, table):
    assert list(table.columns) == COLUMNS
    order = [(w, g) for w in data.study.waves for g in data.study.groups]
    assert list(dict.fromkeys(zip(table["wave"], table["group"]))) == order
    for (wave, group), part in table.groupby(["wave", "group"], sort=False):
        d = data.groups[(wave, group)]
        assert len(part) == d.quality.n_raw
        assert list(part["row"]) == list(d.data["_file_row"])
        assert part["excluded"].sum() == d.quality.n_raw - d.quality.n
        assert part["excluded"].sum() == sum(d.quality.excluded.values())


def test_flags_values_and_weights(data, table):
    customers = table[(table["group"] == "customers") & (table["wave"] == data.study.wave)]
    q = data.groups[(data.study.wave, "customers")].quality
    assert customers["flag_attention"].sum() == q.flags["attention"].sum() > 0
    assert customers["flag_duplicate"].sum() == q.flags["duplicates"].sum()
    assert customers["longstring"].to_numpy() == pytest.approx(
        q.careless.values["longstring"].to_numpy())
    kept = customers[customers["excluded"] == 0]
    assert kept["weight"].mean() == pytest.approx(1.0) and kept["weight"].std() > 0
    assert customers.loc[customers["excluded"] == 1, "weight"].isna().all()
    employees = table[table["group"] == "employees"]
    assert employees["flag_speeder"].isna().all()  # no completion time: not configured
    assert (employees["weight"] == 1).all()
    assert set(employees["flag_attention"].unique()) == {0}


def test_csv_is_utf8_with_bom_and_formula_safe(table):
    raw = respondents_csv(table.assign(id=["=HYPERLINK(1)"] + [None] * (len(table) - 1)))
    assert raw.startswith("\ufeff".encode("utf-8"))
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype={"id": str})
    assert back.loc[0, "id"] == "'=HYPERLINK(1)"
    assert back["group"].iloc[0] == "customers" and list(back.columns) == COLUMNS
    assert formula_safe("-1") == "'-1" and formula_safe(-1.5) == -1.5 and formula_safe("客户") == "客户"


def test_file_written_group_by_group_is_the_csv_of_the_whole_table(data, table, tmp_path,
                                                                   monkeypatch):
    """write_respondents writes each group's lines in turn without the whole table: the bytes of
    respondents_csv(respondents_table(...)) (every wave and group of the sample, in pieces of 50
    rows)."""
    monkeypatch.setattr("analysis.respondents.CSV_ROWS", 50)
    assert len({*zip(table["wave"], table["group"])}) > 2
    path = write_respondents(data, tmp_path)
    assert path.read_bytes() == respondents_csv(table)


def test_csv_cells_are_those_of_pandas_to_csv(table, monkeypatch):
    """The column-wise writer gives the bytes pandas' ``to_csv`` gave (the former definition):
    floats as %.10g (-0.0, tiny and huge values, NaN), text made formula-safe, ids mixing text
    and numbers, flags with missing values, quotes and commas in text; in pieces of 7 rows."""
    monkeypatch.setattr("analysis.respondents.CSV_ROWS", 7)
    n = len(table)
    odd = table.assign(
        id=(["=1", 'a "quoted", text', 7, 2.5, None, "-x"] * n)[:n],
        irv=([-0.0, 1e-12, 123456789012.0, np.nan, 1 / 3, 0.0] * n)[:n],
        group=(["@g", "customers"] * n)[:n])
    assert respondents_csv(odd) == _former_csv(odd)
    assert respondents_csv(table) == table.to_csv(
        index=False, float_format="%.10g", lineterminator="\n").encode("utf-8-sig")


def test_csv_cells_of_text_columns_are_those_of_pandas_to_csv(table, monkeypatch):
    """Text columns of pandas' ``str`` dtype, mostly distinct (ids: Arrow's path, Python only
    for formulas and quoting; held in one Arrow array or, concatenated, in two) and repeated (a few texts, each formatted once), with missing
    cells; booleans and nullable integers; a block whose every column is one value."""
    monkeypatch.setattr("analysis.respondents.CSV_ROWS", 5)
    n = len(table)
    texts = ["=1", 'a "quoted", text', "line\nbreak", "cr\rx", "-x", None, "客户", "+", "@a",
             "\tt", "plain"]
    odd = table.assign(
        id=pd.Series([f"{texts[i % len(texts)]}{i}" if i % 11 != 5 else None
                      for i in range(n)], dtype="str"),
        group=pd.Series((["=g", "customers", None, "a,b"] * n)[:n], dtype="str"),
        wave=pd.Series(["2019"] * n, dtype="str"),
        flag_irv=pd.array(([1, None, 0] * n)[:n], dtype="Int64"),
        flag_even_odd=([True, False] * n)[:n])
    assert respondents_csv(odd) == _former_csv(odd)
    halves = odd.assign(id=pd.concat([odd["id"].iloc[:n // 2 + 2], odd["id"].iloc[n // 2 + 2:]]))
    assert respondents_csv(halves) == _former_csv(odd)  # the ids in two Arrow chunks
    one = odd.iloc[:1].assign(id="x", row=1.5)
    assert respondents_csv(one) == _former_csv(one)


def test_csv_of_columns_held_as_codes_is_that_of_pandas_to_csv(table, monkeypatch):
    """Columns of a few distinct cells, held as codes and joined with their neighbours
    (respondents._beside): integers of a small range (negative too) and of a wide one, floats
    repeated (-0.0, NaN) and floats repeated only in the first rows looked at (_SAMPLE: each
    distinct value formatted once, then taken for every row; -0.0, 0.0 and NaN among them), a
    constant text next to a text with missing cells, a column with one value; every column
    one value (a block of identical lines)."""
    monkeypatch.setattr("analysis.respondents.CSV_ROWS", 40)
    monkeypatch.setattr("analysis.respondents._SAMPLE", 16)
    n = len(table)
    k = np.arange(n)
    odd = table.assign(
        wave=pd.Series(["2019"] * n, dtype="str"),
        id=pd.Series(np.where(k % 3 == 0, None, "=x"), dtype="str"),
        flag_duplicate=k % 3 - 2, flag_straightliner=k * 1000 - 7,
        longstring=np.where(k % 5 == 0, np.nan, np.where(k % 2, -0.0, 2.5)),
        irv=np.where(k % 40 < 16, 1.0, k / 7),
        even_odd=np.where(k % 40 < 16, np.array([np.nan, -0.0, 0.0, 2.5])[k % 4], k / 7),
        excluded=1)
    assert respondents_csv(odd) == _former_csv(odd)
    same = odd.iloc[:30].assign(**{c: 1 for c in odd.columns if c not in ("group", "wave")})
    assert respondents_csv(same) == _former_csv(same)


def _former_csv(table):
    """The former definition of respondents.csv: pandas' ``to_csv`` of the formula-safe cells."""
    old = table.copy()
    for column in old.columns:
        if not pd.api.types.is_numeric_dtype(old[column]):
            old[column] = old[column].map(formula_safe)
    return old.to_csv(index=False, float_format="%.10g", lineterminator="\n").encode("utf-8-sig")


def test_weighted_sections_keep_the_unweighted_values_beside():
    r = sample_results()
    w = r["weighting"]["customers"]
    assert w["converged"] and w["deff"] == pytest.approx(1 + w["cv"] ** 2)
    for levels in w["margins"].values():
        for m in levels.values():
            assert m["weighted"] == pytest.approx(m["target"], abs=1e-8)
    c = r["indices"]["customers"]
    assert c["weighted"] and c["n_eff"] == pytest.approx(w["n_eff"])
    assert set(c["unweighted"]) >= {"dimensions", "items", "csi", "nps"}
    assert c["csi"]["ci_method"] == "linearization" and c["unweighted"]["csi"]["ci_method"] != \
        "linearization"
    assert sum(c["csi"]["weights"].values()) == pytest.approx(1.0)
    assert "weighted" not in r["indices"]["employees"]
    row = r["gaps"]["customers|employees"][0]
    assert row["test"] == "z_design" and row["unweighted"]["name"] == row["name"]
    assert row["se"] == pytest.approx(np.hypot(row["se_a"], row["se_b"]))
    model = r["drivers"]["customers"]["satisfaction"]
    assert model["test"] == "svyglm" and model["unweighted"]["n"] == model["n"]
    assert r["ipa"]["customers"]["weighted"] and "points" in r["ipa"]["customers"]["unweighted"]
    # reliability describes the instrument: the same with and without weights
    assert "weighted" not in r["reliability"]["customers"]


def test_a_filtered_view_keeps_its_weights(data):
    part = data.filtered({"region": ["石家庄"]})
    assert with_weights(part) is part
    w = weighting_section(part)["customers"]
    assert w["n"] == len(part.frames()["customers"])
    assert list(w["margins"]["region"]["石家庄"].values())[1:] == [1.0, 1.0]


def test_trends_compare_weighted_waves():
    t = sample_results()["trends"]["customers"]
    now = sample_results()["indices"]["customers"]
    assert t["by_wave"]["2019"]["csi"]["value"] == pytest.approx(now["csi"]["value"])
    for change in t["changes"]:
        before, after = (t["by_wave"][w] for w in (change["from"], change["to"]))
        if change["index"] == "dimension":
            se = np.hypot(before["dimensions"][change["name"]]["se"],
                          after["dimensions"][change["name"]]["se"])
            diff = (after["dimensions"][change["name"]]["mean"]
                    - before["dimensions"][change["name"]]["mean"])
        else:
            field = "score" if change["index"] == "nps" else "value"
            se = np.hypot(before[change["index"]]["se"], after[change["index"]]["se"])
            diff = after[change["index"]][field] - before[change["index"]][field]
        assert change["diff"] == pytest.approx(diff)
        assert change["statistic"] == pytest.approx(diff / se)
        assert change["weighted"] and change["unweighted"]["name"] == change["name"]
