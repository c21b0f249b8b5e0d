"""What the reports say in words: findings that quote their numbers, names without raw codes or
the questionnaire's numbering, the study file's ``report:`` options (errors in both languages).
The app's per-table Word download is checked in tests/test_app_pages.py."""
from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path

import pytest

from analysis.charts import display_name
from analysis.report import apa
from analysis.report.tables import build_sections
from surveys.errors import StudyError
from surveys.study import parse_study, question_text

FIXTURE = Path(__file__).parent / "fixtures" / "report_results.json"


@pytest.fixture(scope="module")
def results() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _findings(results, key, lang):
    return next(s for s in build_sections(results, lang) if s.key == key).findings


# ------------------------------------------------------------------ names

@pytest.mark.parametrize("label, text", [
    ("8(客户信息定义清晰)", "客户信息定义清晰"), ("2、贵单位的客户类型", "贵单位的客户类型"),
    ("Q3. Overall satisfaction", "Overall satisfaction"), ("第8题：满意度", "满意度"),
    ("(8)服务态度", "服务态度"), ("8. 服务态度", "服务态度"), ("Q12 How satisfied", "How satisfied"),
    ("Q8_1", "Q8_1"), ("ID1", "ID1"), ("3 years", "3 years"), ("1.5 分", "1.5 分"), ("2018年", "2018年"),
])
def test_question_numbering_is_dropped(label, text):
    assert question_text(label) == text


def test_display_names_never_show_raw_codes():
    results = {"study": {
        "groups": {"customers": {}, "g2": {}}, "dimensions": {"system": ["8(客户信息定义清晰)", "ID1"]},
        "names": {"ID1": {"zh": "2、基本信息"}}, "expectation": {"ID1": "EX_ID1"}}}
    assert display_name(results, "customers", "zh") == "客户"  # an unnamed group: its term
    assert display_name(results, "customers", "en") == "Customers"
    assert display_name(results, "8(客户信息定义清晰)", "zh") == "客户信息定义清晰"
    assert display_name(results, "ID1", "zh") == "ID1 基本信息"  # code in front of an item's name
    assert display_name(results, "EX_ID1", "zh") == "ID1 基本信息（期望）"
    assert display_name(results, "EX_ID1", "en") == "ID1 基本信息 (expectation)"
    assert display_name(results, "2、贵单位的客户类型", "zh") == "贵单位的客户类型"


def test_comparison_findings_name_segments_and_outcomes(results):
    bare = copy.deepcopy(results)
    column = bare["comparisons"]["customers"].pop("region")
    bare["comparisons"]["customers"]["2、贵单位的客户类型"] = column
    bare["study"]["names"].pop("customers")
    tables = {t.key: t for s in build_sections(bare, "zh") for t in s.tables}
    rows = tables["comparisons"].rows
    assert {row[0] for row in rows} == {"客户"}
    assert "贵单位的客户类型" in {row[1] for row in rows}
    assert "满意度" in {row[2] for row in rows} and "satisfaction" not in {row[2] for row in rows}


# ------------------------------------------------------------------ findings quote the numbers

def test_reliability_finding_quotes_the_range_and_the_lowest_dimension(results):
    alphas = [(e["alpha"], g, d) for g, entries in results["reliability"].items()
              for d, e in entries.items()]
    low, group, dim = min(alphas)
    for lang in ("zh", "en"):
        text = _findings(results, "reliability", lang)[-1]
        assert apa.bounded(low) in text and apa.bounded(max(alphas)[0]) in text
        assert results["study"]["names"][dim][lang] in text
        assert results["study"]["names"][group][lang] in text
    low_alpha = copy.deepcopy(results)
    low_alpha["reliability"]["customers"]["identify"]["alpha"] = 0.61
    text = _findings(low_alpha, "reliability", "zh")
    assert any(".61" in f and "客户识别" in f for f in text)
    assert "未全部达到" in text[-1]


def test_findings_without_effects_still_quote_numbers(results):
    text = _findings(results, "comparisons", "en")
    omnibus = [e["welch"]["p"] for by in results["comparisons"]["customers"].values()
               for e in by.values() if e["welch"]["p"] is not None]
    if all(p >= 0.05 for p in omnibus):
        assert apa.p_value(min(omnibus)) in text[0] and str(len(omnibus)) in text[0]


def test_descriptive_and_validity_findings(results):
    text = " ".join(_findings(results, "descriptives", "zh"))
    r = [p["r"] for p in results["descriptives"]["customers"]["correlations"].values()]
    assert f"{apa.bounded(min(r))} 与 {apa.bounded(max(r))}" in text
    text = " ".join(_findings(results, "validity", "en"))
    htmt = max(results["validity"]["customers"]["cfa"]["htmt"].values())
    assert apa.bounded(htmt) in text


# ------------------------------------------------------------------ the report: study key

def _study(tmp_path, report: str):
    (tmp_path / "c.csv").write_text("Q1,Q2\n4,5\n3,4\n", encoding="utf-8")
    text = textwrap.dedent(f"""\
        title: t
        groups: {{c: c.csv}}
        dimensions: {{d: [Q1, Q2]}}
        {report}
        """)
    return parse_study(text, base_dir=tmp_path)


def test_report_options_of_the_study_file(tmp_path):
    assert _study(tmp_path, "").report == {"style": None, "small_p": "less"}
    assert _study(tmp_path, "report: {style: apa}").report == {"style": "apa", "small_p": "less"}
    assert _study(tmp_path, "report: {style: gb, small_p: zero}").report == \
        {"style": "gb", "small_p": "zero"}


@pytest.mark.parametrize("report, key, zh, en", [
    ("report: {style: mla}", "report.style", "不支持的取值“mla”", "unsupported value 'mla'"),
    ("report: {font: SimSun}", "report.font", "未知的键“font”", "unknown key 'font'"),
    ("report: {style: apa, small_p: zero}", "report.small_p", "APA 格式不允许", "APA style does not allow"),
])
def test_bad_report_options_are_one_clear_error(tmp_path, report, key, zh, en):
    with pytest.raises(StudyError) as error:
        _study(tmp_path, report)
    assert error.value.key == key
    assert zh in error.value.render("zh") and en in error.value.render("en")
