"""The study guesser (surveys/guess.py) and ``python -m analysis draft``: what it takes from 问卷星
headers, answers and wording, and the study file it writes."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.__main__ import main
from surveys.errors import StudyError
from surveys.guess import (clean_text, draft_of_study, draft_yaml, guess_files, guess_study,
                           reverse_suggestions)
from surveys.i18n import render
from surveys.importers import read_table
from surveys.load import load_study
from surveys.study import parse_study, read_study

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
WJX = ROOT / "tests" / "fixtures" / "wjx"
META = {"序号": None, "提交答卷时间": "2024/5/1 10:00:00", "所用时间": "300秒", "来源": "微信",
        "来源详情": "N/A", "来自IP": "1.2.3.4(上海-上海)"}


@pytest.fixture(scope="module")
def tables():
    """The sample's exports, read once (the guesser does not change them)."""
    return {name: read_table(SAMPLE / name) for name in ("customers_2019.xlsx", "employees_2019.csv")}


@pytest.fixture(scope="module")
def customers(tables):
    return guess_files({"customers_2019.xlsx": tables["customers_2019.xlsx"]})


def _rows(draft, role):
    ref = draft.reference
    return list(ref.loc[ref["role"] == role, "column"])


def test_the_sample_export_is_guessed_as_its_study_file_says(customers):
    d = customers
    assert d.dimensions() == {"Q5": ["Q5_1", "Q5_2", "Q5_3", "Q5_4"], "Q6": ["Q6_1", "Q6_2", "Q6_3"],
                              "Q7": ["Q7_1", "Q7_2", "Q7_3", "Q7_4"], "Q8": ["Q8_1", "Q8_2", "Q8_3"],
                              "Q9": ["Q9_1", "Q9_2", "Q9_3"]}
    # names from the part of the stems that differs ("…在“客户识别”方面的表现")
    assert [d.dimension_name(c) for c in d.dimensions()] == ["客户识别", "客户区分", "客户互动",
                                                             "客户定制", "CRM系统"]
    ref = d.reference.set_index("item")
    assert ref.loc["Q5_1", "name"] == "D公司准确掌握我单位的基本信息"  # items named by their rows
    assert d.scale == (1.0, 5.0)
    assert d.suggested_reverse() == ["Q5_4"]
    assert [c[:3] for c in _rows(d, "satisfaction")] == ["13、", "14、"]
    assert [c[:3] for c in _rows(d, "loyalty")] == ["16、", "17、", "18、"]
    assert [c[:3] for c in _rows(d, "nps")] == ["19、"]
    assert [c[:2] for c in _rows(d, "segment")] == ["1、", "2、"]
    assert [c[:2] for c in _rows(d, "revenue") + _rows(d, "cooperation_years")] == ["4、", "3、"]
    why = {r.column[:3]: r.why.key for r in d.reference.itertuples() if r.role == "ignore"}
    assert why["序号"] == "guess_why_meta"
    attention = d.reference.set_index("item").loc["Q10"]  # an attention check, not an item
    assert (attention["role"], attention["target"]) == ("attention", "4")
    assert why["15、"] == why["20、"] == "guess_why_single_rating"
    assert [c[:3] for c in _rows(d, "comment")] == ["21、"]  # the comments analysis's column
    assert [c[:3] for c in _rows(d, "contact")] == ["22、", "23、", "24、"]  # the customer list's
    pairs = {r.target: r.item for r in d.reference.itertuples() if r.role in ("expectation", "importance")}
    assert pairs == {"Q5_1": "Q11_1", "Q6_3": "Q11_2", "Q7_3": "Q11_3", "Q8_1": "Q11_4",
                     "Q9_3": "Q11_5", "Q5": "Q12_1", "Q6": "Q12_2", "Q7": "Q12_3", "Q8": "Q12_4",
                     "Q9": "Q12_5"}


def test_reverse_suggestion_against_psych():
    """Corrected item-total r and first principal component loading as psych computes them
    (tests/reference/guess.R)."""
    expected = json.loads((ROOT / "tests" / "reference" / "guess.json").read_text())
    found = reverse_suggestions(pd.read_csv(ROOT / "tests" / "fixtures" / "guess_identify.csv"))
    assert list(found) == ["ID4"]
    r, loading = found["ID4"]
    assert r == pytest.approx(expected["r_drop"][3], abs=1e-6)
    assert loading == pytest.approx(expected["pc1"][3], abs=1e-6)


def test_the_drafted_study_file_loads_with_comments_and_names(customers, tmp_path):
    customers.accept_reverse()
    text = draft_yaml(customers, "zh")
    study = parse_study(text, base_dir=SAMPLE)
    assert study.reverse == ["Q5_4"] and study.nps == "Q19" and study.satisfaction == ["Q13", "Q14"]
    assert study.name("Q5") == "客户识别" and study.name("Q13") == "总体而言，您对D公司的产品和服务是否满意"
    assert study.name("customers", "en") == "Customers"
    assert study.careless == {"attention": {"Q10": 4.0}}
    assert study.contact == ["Q22", "Q23", "Q24"]
    assert "联系方式列：只显示在客户名单中，不进报告" in text
    assert "可能是反向题：校正项总相关 r = -0.49" in text
    data = load_study(study)
    assert data.groups[("2019", "customers")].quality.n_raw == 313
    # the structural model is proposed commented out; switched on, it is a valid pls: block
    lines = text.splitlines()
    start = lines.index("# pls:")
    block = [line[2:] for line in lines[start:] if line.startswith(("# pls:", "#   "))][:9]
    assert block[-1] == "  bootstrap: 200"
    model = parse_study("\n".join(lines[:start] + block + lines[start + 9:]), base_dir=SAMPLE).pls
    assert model is not None and study.pls is None
    english = draft_yaml(customers, "en")
    assert "looks reverse-worded: corrected item-total r = -0.49" in english


def test_a_second_questionnaire_is_matched_by_order_and_wording(tables):
    draft = guess_files({"employees_2019.csv": tables["employees_2019.csv"],
                         "customers_2019.xlsx": tables["customers_2019.xlsx"]})
    assert [g.group for g in draft.groups] == ["customers", "employees"]  # customers first
    employees = draft.groups[1].mapping.set_index("column")
    assert employees.loc["我们经常重复询问客户已提供过的信息", "item"] == "Q5_4"
    assert employees.loc["CRM系统的售后报修流程清晰高效", "item"] == "Q9_3"
    assert employees.loc["工号", "why"].key == "guess_why_identifier"
    assert draft.questions == []
    study = parse_study(draft_yaml(draft), base_dir=SAMPLE)
    assert study.compare == ("customers", "employees")


def test_an_unconfirmed_match_is_asked(tmp_path, tables):
    """Items in another order than the customers' (two swapped): the order says one thing, the
    wording another, and the user is asked."""
    frame = pd.read_csv(SAMPLE / "employees_2019.csv", encoding="gb18030")
    columns = list(frame.columns)
    a, b = columns.index("我们妥善保管客户信息"), columns.index("CRM系统能及时提示订单和物流进度")
    columns[a], columns[b] = columns[b], columns[a]
    frame[columns].to_csv(tmp_path / "staff.csv", index=False)
    draft = guess_files({"customers.xlsx": tables["customers_2019.xlsx"],
                         "staff.csv": read_table(tmp_path / "staff.csv")})
    asked = [render(q, "en") for q in draft.questions]
    assert len(asked) == 2 and all("text similarity" in q for q in asked)
    assert any("CRM系统能及时提示订单和物流进度" in q for q in asked)
    draft.match(1, "CRM系统能及时提示订单和物流进度", "Q9_2")
    mapping = draft.groups[1].mapping.set_index("column")
    assert mapping.loc["CRM系统能及时提示订单和物流进度", "item"] == "Q9_2"


def _wjx(path: Path, columns: dict, n: int) -> Path:
    """A 问卷星 download of ``n`` answer sheets: its metadata columns, then ``columns``."""
    frame = pd.DataFrame({**{k: (v if v is not None else np.arange(1, n + 1)) for k, v in META.items()},
                          **columns})
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _likert(rng, trait, low=1, high=5, sign=1):
    return np.clip(np.round((low + high) / 2 + sign * trait + rng.normal(scale=0.7, size=trait.size)),
                   low, high).astype(int)


def test_numbered_matrix_rows_and_wording(tmp_path):
    """`8(row)` and `第9题(row)` matrices on a 1-7 scale, a reverse-worded row, gender and age
    band as segments, a 0-10 satisfaction question that is not the NPS question, a multi-select
    question and a ranking question left out."""
    rng = np.random.default_rng(5)
    n = 80
    trait = rng.normal(size=n)
    columns = {"1、您的性别": rng.choice(["男", "女"], n),
               "2、您的年龄段": rng.choice(["25岁以下", "26-35岁", "36-45岁", "46岁以上"], n)}
    for row in ("客户信息定义清晰", "客户分类合理", "客户档案完整"):
        columns[f"3({row})"] = _likert(rng, trait, 1, 7)
    columns["3(经常找不到客户资料)"] = _likert(rng, trait, 1, 7, sign=-1)
    for row in ("响应及时", "沟通顺畅", "态度友好"):
        columns[f"第4题({row})"] = _likert(rng, trait, 1, 7)
    columns["5、您对中兴天机7的总体满意度（0-10分）"] = _likert(rng, trait, 0, 10)
    columns["6、您向朋友推荐中兴天机7的可能性有多大？"] = _likert(rng, trait, 0, 10)
    for option in ("官网", "展会"):
        columns[f"第7题({option})"] = rng.choice([0, 1], n)
    ranks = np.array([rng.permutation(3) + 1 for _ in range(n)])
    for k, option in enumerate(("价格", "质量", "服务")):
        columns[f"第8题({option})"] = ranks[:, k]
    draft = guess_study([_wjx(tmp_path / "export.csv", columns, n)])
    assert draft.dimensions() == {"Q3": ["Q3_1", "Q3_2", "Q3_3", "Q3_4"],
                                  "Q4": ["Q4_1", "Q4_2", "Q4_3"]}
    assert [draft.dimension_name(c) for c in draft.dimensions()] == ["第3题", "第4题"]
    assert draft.scale == (1.0, 7.0)
    assert draft.suggested_reverse() == ["Q3_4"]
    assert _rows(draft, "segment") == ["1、您的性别", "2、您的年龄段"]
    assert _rows(draft, "nps") == ["6、您向朋友推荐中兴天机7的可能性有多大？"]
    why = {r.column: r.why.key for r in draft.reference.itertuples() if r.role == "ignore"}
    assert why["5、您对中兴天机7的总体满意度（0-10分）"] == "guess_why_other_scale"
    assert why["第7题(官网)"] == "guess_why_multi" and why["第8题(价格)"] == "guess_why_ranking"


def test_quoted_product_names_are_not_dimension_names(tmp_path):
    rng = np.random.default_rng(2)
    n = 40
    trait = rng.normal(size=n)
    stem = "5、您对“中兴天机7”以下方面的评价(矩阵量表题 *必答)"
    rows = ["外观", "续航", "拍照"]
    columns = {f"{stem}—{rows[0]}": _likert(rng, trait)}
    columns.update({row: _likert(rng, trait) for row in rows[1:]})
    columns["6、您对“中兴天机7”的总体满意度是 0-10 分中的几分？"] = _likert(rng, trait, 0, 10)
    draft = guess_study([_wjx(tmp_path / "phone.csv", columns, n)])
    assert [draft.dimension_name(c) for c in draft.dimensions()] == ["您对中兴天机7以下方面的评价"]
    assert draft.reference.set_index("column").loc[
        "6、您对“中兴天机7”的总体满意度是 0-10 分中的几分？", "role"] == "ignore"  # not NPS
    assert clean_text("12、“客户识别”方面(矩阵单选题 *必答)：") == "客户识别方面"


@pytest.mark.parametrize("name", ["text_export.xlsx", "text_export_gb18030.csv", "coded_export.xlsx",
                                  "old_format.xls"])
def test_the_wjx_fixtures(name):
    draft = guess_study([WJX / name])
    assert draft.dimensions() == {"Q3": ["Q3_1", "Q3_2", "Q3_3"]}
    assert draft.dimension_name("Q3") == "您对以下各方面的满意程度如何"
    assert [c[:2] for c in _rows(draft, "satisfaction")] == ["2、"]
    assert [c[:2] for c in _rows(draft, "nps")] == ["5、"]
    assert [c[:2] for c in _rows(draft, "segment")] == ["1、"]
    assert [c[:2] for c in _rows(draft, "comment")] == ["6、"]
    why = {r.column[:2]: r.why.key for r in draft.reference.itertuples() if r.role == "ignore"}
    assert "guess_why_multi" in why.values()


def test_bulk_assignment_and_new_dimensions(tables):
    draft = guess_files({"customers_2019.xlsx": tables["customers_2019.xlsx"]})
    trust = draft.new_dimension("信任")
    draft.assign(["15、D公司值得我单位信赖", "20、贵单位下一年度会增加向D公司的采购"], "item", trust)
    assert draft.dimensions()[trust] == ["Q15", "Q20"]
    draft.assign(["D公司经常重复询问我已提供过的信息"], "ignore")
    assert "Q5_4" not in draft.dimensions()["Q5"]
    study = parse_study(draft_yaml(draft), base_dir=SAMPLE)
    assert study.name(trust) == "信任"


def test_editing_the_sample_study_keeps_what_the_wizard_does_not_show():
    study = read_study(SAMPLE / "study.yaml")
    draft = draft_of_study(study)
    again = parse_study(draft_yaml(draft), base_dir=SAMPLE)
    assert again.dimensions == study.dimensions and again.reverse == study.reverse
    assert (again.satisfaction, again.loyalty, again.nps) == (study.satisfaction, study.loyalty, study.nps)
    assert again.expectation == study.expectation and again.importance == study.importance
    assert again.waves == study.waves and again.weights == study.weights
    assert again.exclude == study.exclude and again.name("identify") == "客户识别"
    assert again.careless == study.careless and again.weighting == study.weighting
    assert again.comments == study.comments and again.themes == study.themes
    assert again.contact == study.contact and again.raw["ladder"] == study.raw["ladder"]
    assert again.raw.get("status") == study.raw.get("status") and again.id == study.id
    for key in ("pls", "text"):  # keys of other features ride along untouched
        assert again.raw.get(key) == study.raw.get(key)
    # TR1 (the ladder's trust rung) and staff_id (the id) have no wizard role: their codes stay
    load_study(again)


def test_draft_command_writes_a_study_file_once(tmp_path, capsys):
    out = tmp_path / "study.yaml"
    assert main(["draft", str(WJX / "text_export.xlsx"), "--out", str(out), "--lang", "en"]) == 0
    assert "1 dimensions, 3 items" in capsys.readouterr().out
    study = read_study(out)
    assert study.dimensions == {"Q3": ["Q3_1", "Q3_2", "Q3_3"]}
    assert main(["draft", str(WJX / "text_export.xlsx"), "--out", str(out), "--lang", "en"]) == 2
    assert "exists already" in capsys.readouterr().err


def test_nothing_to_guess_is_one_clear_error(tmp_path):
    (tmp_path / "a.csv").write_text("name,city\nAnn,Paris\nBob,Rome\n", encoding="utf-8")
    with pytest.raises(StudyError, match="no column is mapped to an item"):
        draft_yaml(guess_study([tmp_path / "a.csv"]))
