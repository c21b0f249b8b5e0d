"""The structural model as people see it: the path diagram and IPMA figures, the Structural model
page and the dashboard's model cards (AppTest), and the report tables; every number is the
sample's results.json (the pipeline's), rounded as shown."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis import pls_charts
from analysis.i18n import t
from analysis.report import excel_report, html_report
from analysis.report.tables import build_sections
from tests.app_reference import sample_results
from ui import state as S

ROOT = Path(__file__).resolve().parents[1]
PAGE = "ui/pages/11_structural.py"
REF = json.loads((ROOT / "tests" / "reference" / "pls.json").read_text())


@pytest.fixture(scope="module")
def results() -> dict:
    return sample_results()


def _app(page: str | None, lang: str = "zh", **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state[S.LANG] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ------------------------------------------------------------------------------ figures
@pytest.mark.parametrize("model", ["sample", "ecsi", "mobi"])
def test_diagram_layout_keeps_arrows_off_other_boxes(results, model):
    if model == "sample":
        spec = results["pls"]["customers"]["model"]
        constructs, paths = list(spec["constructs"]), [tuple(p) for p in spec["paths"]]
    else:
        ref = REF["satisfaction"] if model == "ecsi" else REF["mobi"]
        constructs = list(ref["constructs"])
        paths = [tuple(p) for p in ref["paths" if model == "ecsi" else "structure"]]
    position = pls_charts.diagram_layout(constructs, paths)
    for a, b in paths:
        assert position[a][0] < position[b][0]  # every arrow points right
        assert not any(pls_charts._through(position[a], position[b], position[c])
                       for c in constructs if c not in (a, b)), (a, b)
    spots = {c: p for c, p in position.items()}
    assert len(set(spots.values())) == len(constructs)


def test_path_diagram_draws_coefficients_stars_and_r2(results):
    entry = results["pls"]["customers"]
    figure = pls_charts.path_diagram(results, "customers", "en")
    texts = [a.text for a in figure.layout.annotations]
    for key, p in entry["paths"].items():
        assert f"{p['coef']:.2f}{pls_charts.stars(p['p'])}" in texts, key
    arrows = [a for a in figure.layout.annotations if a.showarrow]
    assert len(arrows) == len(entry["paths"])
    assert sum("R² = " in text for text in texts) == len(entry["r2"])
    assert any(f"R² = {entry['r2']['satisfaction']:.2f}" in text and "Satisfaction" in text
               for text in texts)
    assert len([s for s in figure.layout.shapes if s.type == "rect"]) == len(entry["model"]["constructs"])
    assert pls_charts.path_diagram({"study": results["study"]}, "customers") is None
    assert pls_charts.stars(0.0004) == "***" and pls_charts.stars(0.2) == "" and pls_charts.stars(None) == ""


def test_ipma_chart_places_constructs_by_importance_and_performance(results):
    ipma = results["pls"]["customers"]["ipma"]["constructs"]
    figure = pls_charts.ipma_chart(results, "customers", "zh")
    trace = figure.data[0]
    assert list(trace.x) == [v["importance"] for v in ipma.values()]
    assert list(trace.y) == [v["performance"] for v in ipma.values()]
    assert "客户识别" in trace.text and "满意度" in trace.text


# ------------------------------------------------------------------------------ the page
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_structural_page_shows_the_results(results, lang):
    entry = results["pls"]["customers"]
    at = _app(PAGE, lang)
    assert not at.error
    assert at.title[0].value == t("page_structural", lang)
    paths = at.dataframe[0].value
    assert list(paths[t("pls_coef", lang)]) == [f"{p['coef']:.3f}{pls_charts.stars(p['p'])}"
                                                for p in entry["paths"].values()]
    assert list(paths[t("pls_f2", lang)]) == [f"{entry['quality']['f2'][k]:.3f}"
                                              for k in entry["paths"]]
    reliability = at.dataframe[3].value
    assert list(reliability[t("pls_ave", lang)]) == [
        f"{q['ave']:.3f}" for q in entry["quality"]["constructs"].values()]
    indices = next(d.value for d in at.dataframe if t("pls_index", lang) in d.value.columns)
    assert list(indices[t("pls_index", lang)]) == [f"{v:.1f}" for v in entry["indices"].values()]
    assert len(at.get("plotly_chart")) == 2


def test_dashboard_shows_the_model_indices_and_their_change(results):
    entry = results["pls"]["customers"]
    at = _app(None)
    shown = {m.label: m for m in at.metric}
    before, earlier = list(entry["waves"].items())[-2]
    for role in ("satisfaction", "loyalty"):
        metric = shown[t(f"pls_card_{role}", "zh")]
        value = entry["indices"][role]
        assert metric.value == f"{value:.1f}"
        # the change, and the earlier wave named as the headline cards name it ("2018 年度")
        assert metric.delta == (f"{value - earlier['indices'][role]:+.1f} "
                                f"{t('since', 'zh', wave=t('wave_year', 'zh', wave=before))}")


def _tiny_study(folder: Path, rows: int, model: bool) -> dict:
    """A small study (two dimensions and satisfaction, random answers) as the session's source."""
    rng = np.random.default_rng(7)
    columns = ["Q1", "Q2", "Q3", "Q4", "S1", "S2"]
    pd.DataFrame(rng.integers(1, 6, (rows, 6)), columns=columns).to_csv(folder / "survey.csv",
                                                                        index=False)
    text = ("title: Tiny\nscale: {min: 1, max: 5}\ngroups: {customers: survey.csv}\n"
            "dimensions: {d1: [Q1, Q2], d2: [Q3, Q4]}\nsatisfaction: [S1, S2]\n")
    if model:
        text += "pls: {paths: [d1 -> satisfaction, d2 -> satisfaction]}\n"
    return {S.SOURCE: {"yaml": text, "dir": str(folder)}}


def test_page_without_a_model_says_how_to_declare_one(tmp_path):
    state = _tiny_study(tmp_path, 12, model=False)
    at = _app(PAGE, "en", **state)
    assert [i.value for i in at.info] == [t("pls_no_model", "en")]
    at = _app(None, "en", **state)
    assert t("pls_card_satisfaction", "en") not in [m.label for m in at.metric]


def test_too_few_respondents_show_one_message(tmp_path):
    """Three respondents for a model that needs four: the page says so in one message."""
    at = _app(PAGE, "en", **_tiny_study(tmp_path, 3, model=True))
    assert len(at.error) == 1
    assert "3 respondents answered every item of the model; the model needs at least 4" in (
        at.error[0].value.replace("\\", ""))
    assert "pls_" not in at.error[0].value


# ------------------------------------------------------------------------------ reports
def test_report_tables_copy_the_model_unrounded(results):
    section = next(s for s in build_sections(results, "en") if s.key == "pls")
    tables = {table.key: table for table in section.tables}
    entry = results["pls"]["customers"]
    assert set(tables) == {"pls_paths", "pls_r2", "pls_reliability", "pls_outer", "pls_htmt",
                           "pls_total", "pls_indices", "pls_fit"}
    first_path, first = next(iter(entry["paths"].items()))
    assert tables["pls_paths"].rows[0][2:6] == [first["coef"], first["se"], first["t"], first["p"]]
    assert [row[2] for row in tables["pls_indices"].rows] == list(entry["indices"].values())
    assert tables["pls_fit"].rows[0][5] == entry["quality"]["srmr"]
    for table in section.tables:
        assert table.method and table.n == f"n = {entry['n']} (Customers)"
        assert all(len(row) == len(table.columns) for row in table.rows)
    assert any("Interact drives Satisfaction most" in f for f in section.findings)
    assert not any("IPMA" in f for f in section.findings)  # no driver both important and weak
    weak = json.loads(json.dumps(results))
    weak["pls"]["customers"]["ipma"]["constructs"]["satisfaction"]["performance"] = 40.0
    findings = next(s for s in build_sections(weak, "en") if s.key == "pls").findings
    assert "Satisfaction matters more than average for Loyalty" in findings[-1]
    assert t("rep_pls", "en") in html_report(results, "en")
    assert len(excel_report(results, "zh")) > 0


def test_report_names_a_refused_group(results):
    refused = {**results, "pls": {"customers": {
        "model": results["pls"]["customers"]["model"], "n": 301, "error": {
            "code": "pls_not_converged", "values": {"group": "customers", "iterations": 300,
                                                    "change": "0.01"}}}}}
    section = next(s for s in build_sections(refused, "zh") if s.key == "pls")
    assert [table.key for table in section.tables] == ["pls_fit"]
    row = section.tables[0].rows[0]
    assert row[1] == 301 and "300 次迭代内未收敛" in row[-1] and "未收敛" in section.findings[0]


def test_pdf_report_draws_the_path_diagram(results):
    from analysis.report.pdf_charts import section_charts

    charts = list(section_charts(results, "pls", "zh"))  # Typst vector graphics
    assert len(charts) == 1 and charts[0].startswith("#box(")
    entry = next(iter(results["pls"].values()))
    assert all(f'"{p["coef"]:.2f}' in charts[0] for p in entry["paths"].values())
