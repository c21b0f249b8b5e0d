"""The Study page's wizard under AppTest (uploads are put into the session as the uploader would:
AppTest cannot drive st.file_uploader; tests/test_browser.py does), minimum sample sizes, and
pages that say only what the study supports."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from analysis.i18n import t
from analysis.minimum import MIN_N, reliability_minimum
from analysis.reliability import reliability_section
from surveys.guess import draft_yaml, guess_study
from tests.test_app_pages import _app as open_page
from ui import state as S

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def _app(page: str | None = None, lang: str = "en", **state) -> AppTest:
    at = open_page(page, lang, **state)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _stamp(path: Path) -> tuple:
    return path.stat().st_size, path.stat().st_mtime_ns


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label.startswith(label))


def test_wizard_from_an_export_to_the_study_in_use(tmp_path):
    """Upload (the session's files) -> the guess as dimensions -> accept the reverse suggestion ->
    check and use -> the confirmation with its link; the draft survives another page."""
    shutil.copy(SAMPLE / "customers_2019.xlsx", tmp_path / "customers_2019.xlsx")
    state = {S.UPLOAD_DIR: str(tmp_path), S.UPLOADS: {"customers_2019.xlsx": str(tmp_path / "customers_2019.xlsx")}}
    at = _app("ui/pages/1_study.py", **state)
    names = [w.value for w in at.text_input if w.label.startswith("Dimension name")]
    assert names == ["客户识别", "客户区分", "客户互动", "客户定制", "CRM系统"]
    assert any("D公司经常重复询问我已提供过的信息" in w.value for w in at.warning)  # suggested, with why
    _button(at, "Score them reversed").click()
    at.run()
    assert at.session_state[S.DRAFT].reference.set_index("item").loc["Q5_4", "reverse"]
    at.button(key="use_draft").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    source = at.session_state[S.SOURCE]
    assert source["dir"] == str(tmp_path) and "reverse: [Q5_4]" in source["yaml"]
    assert any(s.value.startswith("Now using this study") for s in at.success), [s.value for s in at.success]
    at.switch_page("ui/pages/9_store.py")  # another page (the journey to the table: test_browser)
    at.run()
    at.switch_page("ui/pages/1_study.py")
    at.run()
    assert at.session_state[S.DRAFT].reference.set_index("item").loc["Q5_4", "reverse"]


def test_a_study_that_does_not_load_is_not_used(tmp_path):
    """The check loads the data first: a 1-5 study whose file holds answers up to 7 stays out,
    the error shown in place, the study in use unchanged; invalid answers as missing fix it."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({f"ID{k}": rng.integers(1, 6, 40) for k in range(1, 4)})
    frame.loc[3, "ID2"] = 7
    frame.to_csv(tmp_path / "survey.csv", index=False)
    draft = guess_study([tmp_path / "survey.csv"])
    draft.scale = (1.0, 5.0)
    state = {S.UPLOAD_DIR: str(tmp_path), S.UPLOADS: {"survey.csv": str(tmp_path / "survey.csv")},
             S.DRAFT: draft, S.DRAFT_FILES: (("survey.csv", _stamp(tmp_path / "survey.csv")),)}
    at = _app("ui/pages/1_study.py", **state)
    at.button(key="use_draft").click()
    at.run()
    assert at.session_state[S.SOURCE] is None
    assert any("row 5" in e.value and "ID2" in e.value for e in at.error)
    draft.invalid = "missing"
    at.session_state[S.DRAFT_VERSION] += 1
    at.run()
    at.button(key="use_draft").click()
    at.run()
    assert at.session_state[S.SOURCE] is not None


def test_edit_the_current_study_reopens_it():
    at = _app("ui/pages/1_study.py")
    at.button(key="edit_current").click()
    at.run()
    draft = at.session_state[S.DRAFT]
    assert draft.dimensions()["identify"] == ["ID1", "ID2", "ID3", "ID4"]
    assert [w.value for w in at.text_input if w.label.startswith("Dimension name")][0] == "客户识别"
    at.button(key="use_draft").click()  # unchanged, it loads: TR1 (ladder) and the id keep codes
    at.run()
    assert not at.error, [e.value for e in at.error]
    study = at.session_state[S.SOURCE]["yaml"]
    assert "contact: [company, contact, phone]" in study and "TR1" in study and "pls:" in study


def _tiny(tmp_path: Path, n: int, items: int = 3) -> dict:
    rng = np.random.default_rng(n)
    trait = rng.normal(size=n)
    frame = pd.DataFrame({f"ID{k}": np.clip(np.round(3 + trait + rng.normal(size=n)), 1, 5).astype(int)
                          for k in range(1, items + 1)})
    frame.to_csv(tmp_path / "survey.csv", index=False)
    return {S.SOURCE: {"yaml": draft_yaml(guess_study([tmp_path / "survey.csv"]), "en"),
                       "dir": str(tmp_path)}}


def test_minimum_sample_size():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(1, 6, size=(MIN_N, 4)), columns=list("abcd")).astype(float)
    small = reliability_minimum(reliability_section({"g": frame.iloc[:MIN_N - 1]}, {"d": list("abcd")}))
    entry = small["g"]["d"]
    assert entry["alpha"] is None and entry["alpha_ci"] == [None, None]
    assert entry["items"]["a"]["citc"] is None and entry["items"]["a"]["mean"] is not None
    assert entry["warnings"] == [{"code": "below_minimum_n", "dimension": "d", "item": None,
                                  "value": MIN_N - 1, "threshold": MIN_N}]
    enough = reliability_minimum(reliability_section({"g": frame}, {"d": list("abcd")}))
    assert enough["g"]["d"]["alpha"] is not None


def test_two_respondents_get_one_plain_message(tmp_path):
    at = _app("ui/pages/3_reliability.py", **_tiny(tmp_path, 2))
    assert [i.value for i in at.info][0] == t("below_minimum", "en", group="Customers", n=2,
                                             needed=MIN_N)
    assert not at.warning  # no pile of warnings about a statistic that is not shown
    assert set(at.dataframe[0].value[t("alpha", "en")]) == {"–"}


def test_a_just_identified_cfa_is_not_passed(tmp_path):
    """One dimension of three items: df = 0, the fit is perfect by construction."""
    at = _app("ui/pages/3_reliability.py", **_tiny(tmp_path, 60))
    assert t("cfa_just_identified", "en") in [i.value for i in at.info]
    fit = at.dataframe[2].value
    assert t("fit_ok", "en") not in set(fit[t("verdict", "en")])


def test_dashboard_of_a_customers_only_study_says_only_what_it_supports(tmp_path):
    at = _app(None, **_tiny(tmp_path, 60))
    headings = [h.value for h in at.subheader]
    assert t("headline_single", "en", group="Customers") in headings  # no wave "1" read as a year
    assert t("largest_gaps", "en") not in headings  # no mirror statement without a pair
    assert not any("employees" in s.value.lower() for s in at.success)


def test_loading_and_alpha_axes_show_negative_values():
    from analysis.charts import alpha_chart, cfa_loadings_chart

    results = {"study": {"dimensions": {"d": ["a", "b", "c"]}, "names": {}},
               "validity": {"g": {"cfa": {"loadings": {"a": 0.8, "b": 0.7, "c": -0.45}}}},
               "reliability": {"g": {"d": {"alpha": -0.2, "alpha_ci": [-0.9, 0.3], "n": 30, "k": 3}}}}
    low, high = cfa_loadings_chart(results, "g", "en").layout.xaxis.range
    assert low < -0.45 and high == 1
    assert alpha_chart(results, "g", "en").layout.xaxis.range[0] < -0.2


def test_drivers_and_derived_importance_below_the_minimum():
    """A model on fewer than max(10, p + 2) complete cases, and derived importance on fewer
    than 10 respondents, are reported without their numbers; enough respondents leave them be."""
    from analysis.minimum import drivers_minimum, ipa_minimum, section_minimum

    model = {"outcome_items": ["S"], "n": 9, "r2": 0.9, "f": 43.0, "df_model": 1, "p": 0.001,
             "predictors": [{"name": "d", "b": 1.0, "beta": 0.95, "rescaled_weight": 1.0}],
             "warnings": []}
    small = drivers_minimum({"g": {"satisfaction": model}})["g"]["satisfaction"]
    assert small["n"] == 9 and small["r2"] is None and small["df_model"] is None
    assert small["predictors"] == [{"name": "d", "b": None, "beta": None, "rescaled_weight": None}]
    assert small["warnings"] == [{"code": "below_minimum_n", "dimension": None, "item": None,
                                  "value": 9, "threshold": MIN_N}]
    assert drivers_minimum({"g": {"satisfaction": {**model, "n": MIN_N}}})["g"]["satisfaction"] \
        == {**model, "n": MIN_N}
    point = {"name": "d", "importance": 0.95, "performance": 3.4, "n": 8, "quadrant": "keep_up",
             "quadrant_zh": "继续保持", "quadrant_en": "Keep up", "priority": 0.1,
             "above_diagonal": True}
    entry = {"method": "derived_corr", "importance_center": 0.95, "performance_center": 3.4,
             "points": [point], "warnings": [], "unweighted": {"importance_center": 0.9,
                                                             "points": [point]}}
    out = section_minimum("ipa", {"g": entry})["g"]
    assert out["importance_center"] is None and out["performance_center"] == 3.4
    assert out["points"][0]["performance"] == 3.4 and out["points"][0]["importance"] is None
    assert out["points"][0]["quadrant"] is None
    assert out["unweighted"]["points"][0]["quadrant"] is None
    assert out["warnings"][0]["value"] == 8
    stated = {**entry, "method": "stated"}  # importance asked, a mean: kept
    assert ipa_minimum({"g": stated})["g"] == stated
    assert section_minimum("reliability", {"g": entry}) == {"g": entry}


def test_eight_answer_sheets_of_a_wjx_export_say_so_once_per_page(tmp_path):
    """The 问卷星 fixture (8 answer sheets, one matrix): no key-driver model on 7 cases, no
    importance-performance verdict on 8, one sentence each page, no empty chart."""
    shutil.copy(ROOT / "tests" / "fixtures" / "wjx" / "text_export.xlsx", tmp_path / "wjx.xlsx")
    state = {S.SOURCE: {"yaml": draft_yaml(guess_study([tmp_path / "wjx.xlsx"]), "en"),
                        "dir": str(tmp_path)}}
    at = _app("ui/pages/6_priorities.py", **state)
    said = t("below_minimum_models", "en", group="Customers", n=8, needed=MIN_N)
    assert [i.value for i in at.info] == [said]
    assert not at.get("plotly_chart")  # neither the IPA nor the drivers chart
    assert set(at.dataframe[0].value[t("importance", "en")]) == {"–"}
    at = _app(None, **state)
    assert said in [i.value for i in at.info]
    assert [m.label for m in at.metric] == [t(k, "en") for k in ("card_csi", "card_satisfaction",
                                                                 "card_nps")]  # no loyalty items
    assert t("nothing_to_concentrate", "en") not in [s.value for s in at.success]


def test_one_dimension_has_nothing_to_concentrate_on(tmp_path):
    """60 respondents but one dimension: the IPA compares nothing, the dashboard says so."""
    rng = np.random.default_rng(3)
    trait = rng.normal(size=60)
    frame = pd.DataFrame({f"ID{k}": np.clip(np.round(3 + trait + rng.normal(size=60)), 1, 5)
                          for k in range(1, 4)}).astype(int)
    frame["满意度"] = np.clip(np.round(3 + trait + rng.normal(size=60)), 1, 5).astype(int)
    frame.to_csv(tmp_path / "survey.csv", index=False)
    draft = guess_study([tmp_path / "survey.csv"])
    assert draft.reference.set_index("column").loc["满意度", "role"] == "satisfaction"
    at = _app(None, **{S.SOURCE: {"yaml": draft_yaml(draft, "en"), "dir": str(tmp_path)}})
    assert t("ipa_one_point", "en") in [i.value for i in at.info]
    assert not at.success
