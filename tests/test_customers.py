"""The customer list against hand-worked examples (every expected status, order and share worked
out in the comments, independently of analysis/customers.py), its CSV, the study file's
``contact:`` and ``status:`` keys, and the sample study's list recomputed by plain pandas."""
import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.customers import (
    customer_list, customer_status, customer_table, customers_csv, customers_section,
    satisfaction_category,
)
from analysis.report.safety import csv_cell
from surveys.errors import StudyError
from surveys.study import Ladder, StatusRules, parse_study

NAN = np.nan
ROOT = Path(__file__).resolve().parents[1]


def test_satisfaction_category_by_hand_with_ties_and_missing_answers():
    score = pd.Series([2.5, 3.0, 4.0, 4.5, 4.5, NAN, NAN, NAN, 3.5, 2.999])
    nps = pd.Series([NAN, NAN, NAN, 6, 7, NAN, 3, 10, 9, NAN])
    got = satisfaction_category(score, nps, dissatisfied_below=3, satisfied_from=4)
    assert got.tolist() == [
        "dissatisfied",  # 2.5 < 3
        "neutral",       # exactly 3 is not below 3
        "satisfied",     # exactly 4 is satisfied
        "dissatisfied",  # 4.5 but an NPS detractor (6)
        "satisfied",     # 4.5 and a passive (7)
        "neutral",       # no score, no NPS answer: the rule's "else"
        "dissatisfied",  # no score, NPS 3
        "neutral",       # no score: a promoter alone is not satisfied
        "neutral",       # 3.5 between the thresholds, a promoter
        "dissatisfied",  # 2.999 < 3
    ]
    # equal thresholds: nobody is neutral by score
    same = satisfaction_category(pd.Series([2.0, 3.0]), dissatisfied_below=3, satisfied_from=3)
    assert same.tolist() == ["dissatisfied", "satisfied"]


def test_status_by_hand():
    high = pd.Series([True, True, True, False, False, None], dtype=object)
    category = pd.Series(["dissatisfied", "neutral", "satisfied", "dissatisfied", "satisfied",
                          "dissatisfied"])
    assert customer_status(high, category).tolist() == ["red", "amber", "green", "grey", "grey",
                                                        "grey"]


def _customers() -> pd.DataFrame:
    """Nine customers; revenue 50, 20, 10, 8, 5, 4, 1.5, 1.5 and one unknown (total 100)."""
    return pd.DataFrame({
        "RID": ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"],
        "公司名称": ["=HYPERLINK(\"http://x\")", "乙公司", "丙公司", None, "戊", "己", "庚", "辛",
                 "壬"],
        "电话": ["+86 138", "-1", "@x", "1", "2", "3", "4", "5", "6"],
        "amount": [50, 20, 10, 8, 5, 4, 1.5, 1.5, NAN],
        "intent": [5, 2, 4, 5, 1, 3, 2, 2, 4],
        "SAT1": [2, 4, 3, 5, NAN, 1, 4, 2, 1],
        "SAT2": [3, 4, NAN, 5, NAN, 1, 5, 2, 1],
        "LOY1": [1, 5, 4, 5, 2, 1, 5, 2, 1],
        "REC": [7, 6, 8, 9, 2, 5, 10, 3, 0],
        "years": [5, 0.5, 2, 3, 1, 9, 4, 2, 0],
    }).astype({c: float for c in ("amount", "intent", "SAT1", "SAT2", "LOY1", "REC", "years")})


def _list(frame=None, **kwargs):
    frame = _customers() if frame is None else frame
    options = dict(ids=frame["RID"], contact=["公司名称", "电话"], satisfaction=["SAT1", "SAT2"],
                   loyalty=["LOY1"], nps="REC", revenue="amount", cooperation_years="years")
    options.update(kwargs)
    return customer_list(frame, **options)


def test_list_by_hand_abc():
    table = _list()
    # ABC (cumulative 50, 70, 80 | 88, 93, 97 | 98.5, 100): c1-c3 A (c3 ends on 80%), c4-c6 B
    # (c6 crosses 95%), c7, c8 C, c9 no revenue -> no class.
    # scores (mean of SAT1, SAT2 with at least one of two): c1 2.5, c2 4, c3 3 (one answered),
    # c4 5, c5 none, c6 1, c7 4.5, c8 2, c9 1.
    # categories: c1 dissatisfied; c2 4 but NPS 6 -> dissatisfied; c3 exactly 3 -> neutral;
    # c4 satisfied; c5 NPS 2 -> dissatisfied; c6 dissatisfied; c7 satisfied; c8, c9 dissatisfied.
    # statuses: c1 red, c2 red, c3 amber, the rest grey (not class A).
    # order: red by revenue (c1 50, c2 20), amber c3, grey by revenue c4 8, c5 5, c6 4, then
    # c7 and c8 tie at 1.5 -> lower score first (c8 2 before c7 4.5), c9 without revenue last.
    assert table["id"].tolist() == ["c1", "c2", "c3", "c4", "c5", "c6", "c8", "c7", "c9"]
    assert table["status"].tolist() == ["red", "red", "amber"] + ["grey"] * 6
    assert table["abc_class"].tolist() == ["A", "A", "A", "B", "B", "B", "C", "C", None]
    assert table["category"].tolist() == [
        "dissatisfied", "dissatisfied", "neutral", "satisfied", "dissatisfied", "dissatisfied",
        "dissatisfied", "satisfied", "dissatisfied"]
    np.testing.assert_allclose(table["satisfaction"], [2.5, 4, 3, 5, NAN, 1, 2, 4.5, 1])
    assert table["nps_category"].tolist()[:4] == ["passive", "detractor", "passive", "promoter"]
    # lifecycle from years: 5 stability, 0.5 exploration, 2 formation
    assert table["stage"].tolist()[:3] == ["stability", "exploration", "formation"]
    assert list(table.columns) == ["id", "公司名称", "电话", "abc_class", "stage", "revenue",
                                   "satisfaction", "loyalty", "nps", "nps_category", "category",
                                   "status"]
    section = customers_section({"c": table})["c"]
    # red: 2 of 9 customers, revenue 70 of 100; amber 1, 10; green none; grey 6, 20 (c9: none)
    assert section["n"] == 9
    assert section["status"] == {
        "red": {"n": 2, "share": 2 / 9, "revenue_share": 0.7},
        "amber": {"n": 1, "share": 1 / 9, "revenue_share": 0.1},
        "green": {"n": 0, "share": 0.0, "revenue_share": 0.0},
        "grey": {"n": 6, "share": 6 / 9, "revenue_share": 0.2}}
    assert section["category"]["neutral"] == {"n": 1, "share": 1 / 9}
    assert section["rules"] == {
        "value": "abc", "value_column": "amount", "abc_cutoffs": [0.8, 0.95],
        "score": "satisfaction", "score_items": ["SAT1", "SAT2"], "min_share": 0.5, "nps": "REC",
        "detractor_max": 6, "dissatisfied_below": 3.0, "satisfied_from": 4.0}
    text = json.dumps(section, ensure_ascii=False, allow_nan=False)
    assert not any(v in text for v in ("c1", "乙公司", "+86 138", "RID"))  # no ids, no contacts


def test_list_by_hand_value_matrix_and_own_thresholds():
    table = _list(growth="intent", rules=StatusRules("value_matrix", 2.5, 4.5))
    # value cut = median of the 8 known revenues (50 20 10 8 5 4 1.5 1.5) = (8 + 5) / 2 = 6.5;
    # growth cut = median intent of c1-c8 (5 2 4 5 1 3 2 2) = (2 + 3) / 2 = 2.5.
    # high value (core + maintain): c1 (core), c2 (maintain), c3 (core), c4 (core); c9 no cell.
    # categories with 2.5 / 4.5: c1 2.5 -> neutral (not below 2.5), NPS 7; c2 NPS 6 ->
    # dissatisfied; c3 3 -> neutral; c4 5 -> satisfied.
    # order: red c2; amber c1 (50), c3 (10); green c4; grey c5 5, c6 4, c8, c7 (tie 1.5), c9.
    assert table["id"].tolist() == ["c2", "c1", "c3", "c4", "c5", "c6", "c8", "c7", "c9"]
    assert table["status"].tolist() == ["red", "amber", "amber", "green"] + ["grey"] * 5
    assert table["value_cell"].tolist()[:4] == ["maintain", "core", "core", "core"]
    assert table["value_cell"].tolist()[-1] is None
    rules = customers_section({"c": table})["c"]["rules"]
    assert rules["value"] == "value_matrix" and rules["value_cut"] == 6.5
    assert (rules["dissatisfied_below"], rules["satisfied_from"]) == (2.5, 4.5)


def test_without_a_value_column_the_colours_follow_satisfaction_alone():
    table = _list(revenue=None)
    # every customer counts as high value: red = dissatisfied (c1 2.5, c2, c5, c6 1, c8 2, c9 1),
    # amber = neutral (c3), green = satisfied (c4 5, c7 4.5); within a status by score, lowest
    # first, a missing score last: c6 1, c9 1 (tie: frame order), c8 2, c1 2.5, c2 4, c5 none
    assert table["id"].tolist() == ["c6", "c9", "c8", "c1", "c2", "c5", "c3", "c7", "c4"]
    assert table["status"].tolist() == ["red"] * 6 + ["amber", "green", "green"]
    assert "revenue" not in table and "abc_class" not in table
    section = customers_section({"c": table})["c"]
    assert section["rules"]["value"] is None
    assert section["status"]["red"] == {"n": 6, "share": 6 / 9, "revenue_share": None}


def test_without_satisfaction_items_the_loyalty_items_take_their_place():
    table = _list(satisfaction=None, nps=None)
    # LOY1 alone: c1 1, c2 5, c3 4 -> dissatisfied, satisfied, satisfied (no NPS column)
    assert table["status"].tolist()[:3] == ["red", "green", "green"]
    assert "satisfaction" not in table and "nps" not in table
    rules = customers_section({"c": table})["c"]["rules"]
    assert rules["score"] == "loyalty" and rules["score_items"] == ["LOY1"] and rules["nps"] is None


def test_half_of_the_satisfaction_items_must_be_answered():
    frame = _customers().assign(SAT3=NAN, SAT4=NAN)
    frame.loc[0, ["SAT3", "SAT4"]] = [2.0, 2.0]
    table = _list(frame, satisfaction=["SAT1", "SAT2", "SAT3", "SAT4"]).set_index("id")
    # c1: 2, 3, 2, 2 -> 2.25; c3: one of four answered (< half) -> no score -> neutral (NPS 8)
    assert table.loc["c1", "satisfaction"] == 2.25
    assert np.isnan(table.loc["c3", "satisfaction"]) and table.loc["c3", "category"] == "neutral"
    # c2: two of four (exactly half) -> 4; still a detractor
    assert table.loc["c2", "satisfaction"] == 4.0


def test_ladder_level_in_the_list():
    ladder = Ladder({"satisfaction": ["SAT1", "SAT2"], "behavioural": ["LOY1"]}, 4.0)
    table = _list(ladder=ladder).set_index("id")
    # c2: 4, 5 -> 2; c1: 2.5 -> 0; c4: 5, 5 -> 2; c7: 4.5, 5 -> 2; c3: 3 -> 0 (LOY1 4 above)
    assert table.loc[["c2", "c1", "c4", "c7", "c3"], "ladder_level"].tolist() == [2, 0, 2, 2, 0]


def test_csv_has_a_bom_and_is_formula_safe():
    table = customer_table(_list(), "en")
    data = customers_csv(table)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["ID", "公司名称", "电话"]
    first = dict(zip(rows[0], rows[1]))
    assert first["公司名称"] == "'=HYPERLINK(\"http://x\")"
    assert first["电话"] == "'+86 138"
    assert first["Status"] == "red" and first["Revenue"] == "50.0"
    second = dict(zip(rows[0], rows[2]))
    assert second["电话"] == "'-1"  # text, so protected; numbers are never prefixed
    assert dict(zip(rows[0], rows[3]))["电话"] == "'@x"
    assert dict(zip(rows[0], rows[4]))["公司名称"] == ""  # a missing name stays empty
    assert csv_cell(-1.5) == -1.5 and csv_cell(None) is None


def test_customer_table_translates_codes_and_hides_columns():
    table = customer_table(_list(), "zh", hide=["电话"])
    labels = [c.label for c in table.columns]
    assert "电话" not in labels and labels[0] == "编号"
    row = dict(zip(labels, table.rows[0]))
    assert row["状态"] == "红" and row["生命周期阶段"] == "稳定" and row["NPS 类别"] == "被动者"


STUDY = """title: t
scale: {min: 1, max: 5}
groups: {c: c.csv}
dimensions: {d: [Q1, Q2]}
revenue: amount
"""


def _study(tmp_path, extra: str):
    (tmp_path / "c.csv").write_text("Q1,Q2,amount\n4,5,1\n", encoding="utf-8")
    return parse_study(STUDY + extra, base_dir=tmp_path)


def test_study_file_contact_and_status(tmp_path):
    study = _study(tmp_path, "contact: [公司名称, 联系人]\n")
    assert study.contact == ["公司名称", "联系人"] and study.status is None
    study = _study(tmp_path, "status: {dissatisfied_below: 2.5}\n")
    assert study.status == StatusRules("abc", 2.5, 4.0)


@pytest.mark.parametrize("extra, key, english", [
    ("status: {value: revenue}\n", "status.value", "'revenue' is not a way to tell"),
    ("status: {value: value_matrix}\n", "status.value", "needs a revenue and a growth column"),
    ("status: {dissatisfied_below: 4, satisfied_from: 3}\n", "status",
     "dissatisfied_below 4 is above satisfied_from 3"),
    ("status: {satisfied_from: 6}\n", "status.satisfied_from", "6 is outside the scale 1–5"),
    ("status: {colour: red}\n", "status.colour", "unknown key 'colour'"),
    ("status: {satisfied_from: yes}\n", "status.satisfied_from", "'True' is not a number"),
])
def test_study_file_status_errors(tmp_path, extra, key, english):
    with pytest.raises(StudyError) as err:
        _study(tmp_path, extra)
    assert err.value.key == key and english in str(err.value)
    zh = err.value.render("zh")
    assert zh != str(err.value) and "{" not in zh


def test_a_contact_column_named_like_a_list_column_is_an_error():
    frame = _customers().rename(columns={"电话": "status"})
    with pytest.raises(StudyError) as err:
        _list(frame, contact=["status"])
    assert err.value.key == "contact" and "customer list's own columns" in str(err.value)


def test_sample_list_recomputed_with_plain_pandas():
    """The sample's statuses from the raw answers by the issue's rules, written out directly."""
    from analysis.customers import customer_lists
    from analysis.segments import abc_classes
    from surveys.load import load_study

    data = load_study(ROOT / "data" / "sample" / "study.yaml")
    table = customer_lists(data)["customers"]
    frame = data.frames()["customers"]
    answered = frame[["SAT1", "SAT2"]].notna().sum(axis=1)
    score = frame[["SAT1", "SAT2"]].mean(axis=1).where(answered >= 1)  # half of two = one
    detractor = frame["REC"] <= 6
    category = np.where((score < 3) | detractor, "dissatisfied",
                        np.where((score >= 4) & ~detractor, "satisfied", "neutral"))
    key = abc_classes(frame["amount"])["class"].reindex(frame.index) == "A"
    status = np.where(~key, "grey", np.select(
        [category == "dissatisfied", category == "neutral"], ["red", "amber"], "green"))
    expected = pd.Series(status, index=frame.index)
    assert table["status"].to_dict() == expected.to_dict()
    assert len(table) == len(frame) == data.groups[(data.study.wave, "customers")].quality.n
    order = table["status"].map({"red": 0, "amber": 1, "green": 2, "grey": 3})
    assert order.is_monotonic_increasing  # red first, grey last
    red = table[table["status"] == "red"]
    assert red["revenue"].is_monotonic_decreasing


def test_readme_worked_example():
    """The worked example of docs/json/customers.md, number for number."""
    frame = pd.DataFrame({"id": ["K1", "K2", "K3", "K4", "K5", "K6"],
                          "amount": [50, 20, 10, 8, 7, 5.0], "SAT1": [2, 4, 3, 5, NAN, 4],
                          "SAT2": [3, 4, NAN, 5, NAN, 5], "REC": [7, 6, 8, 9, 2, 10.0],
                          "TR1": [5, 4, NAN, NAN, 2, 4.0], "LOY1": [2, 3, 4, 5, 1, 4.0]})
    rungs = {"satisfaction": ["SAT1", "SAT2"], "trust": ["TR1"], "behavioural": ["LOY1"]}
    table = customer_list(frame, ids=frame["id"], satisfaction=["SAT1", "SAT2"], nps="REC",
                          revenue="amount", ladder=Ladder(rungs))
    assert table["id"].tolist() == ["K1", "K2", "K3", "K4", "K5", "K6"]
    assert table["abc_class"].tolist() == ["A", "A", "A", "B", "B", "C"]
    assert table["category"].tolist() == ["dissatisfied", "dissatisfied", "neutral", "satisfied",
                                          "dissatisfied", "satisfied"]
    assert table["status"].tolist() == ["red", "red", "amber", "grey", "grey", "grey"]
    assert table["ladder_level"].tolist() == [0, 2, 0, 1, 0, 3]
    status = customers_section({"g": table})["g"]["status"]
    assert status["red"] == {"n": 2, "share": 2 / 6, "revenue_share": 0.7}
    assert status["amber"] == {"n": 1, "share": 1 / 6, "revenue_share": 0.1}
    assert status["grey"] == {"n": 3, "share": 3 / 6, "revenue_share": 0.2}
    from analysis.ladder import ladder_section

    ladder = ladder_section({"g": frame}, rungs=rungs)["g"]
    assert [ladder["levels"][k]["n"] for k in "0123"] == [3, 1, 1, 1]
    assert {r: c["n"] for r, c in ladder["rungs_reached"].items()} == {
        "satisfaction": 3, "trust": 3, "behavioural": 3}
    assert ladder["out_of_order"]["n"] == 3


@pytest.mark.parametrize("rows", [0, 1, 2])
def test_degenerate_lists_give_strict_json(rows):
    """No customers, one with zero revenue and nothing answered, two without revenue."""
    frame = pd.DataFrame({"id": ["x", "y"], "amount": [0.0, NAN], "intent": [NAN, 2.0],
                          "SAT1": [NAN, 1.0], "LOY1": [NAN, 2.0], "REC": [NAN, 0.0]})
    frame = frame.iloc[:rows]
    for value in ("abc", "value_matrix"):
        table = customer_list(frame, ids=frame["id"], satisfaction=["SAT1"], loyalty=["LOY1"],
                              nps="REC", revenue="amount", growth="intent",
                              rules=StatusRules(value), ladder=Ladder({"a": ["SAT1"], "b": ["LOY1"]}))
        section = customers_section({"g": table})["g"]
        json.dumps(section, allow_nan=False)
        assert section["n"] == rows and table["status"].tolist() == ["grey"] * rows
        assert customers_csv(customer_table(table, "en")).count(b"\r\n") == rows + 1
