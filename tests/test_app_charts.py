"""analysis.charts: every figure draws the numbers of results.json (no computing), with the CIs
as error bars, the thresholds as lines, display names from the study and labels in both
languages; and the upload helpers of the Study page (ui.study)."""
from __future__ import annotations

from pathlib import Path

import pytest

from analysis import charts
from analysis.i18n import t
from ui.study import guess_mapping, read_uploads, save_uploads, study_yaml
from surveys.errors import StudyError
from surveys.importers import read_table
from surveys.study import parse_study
from tests.app_reference import SAMPLE, sample_results


@pytest.fixture(scope="module")
def results() -> dict:
    return sample_results()


def test_font_lists_cjk_fonts_first(results):
    figure = charts.dimension_scores(results, "zh")
    assert figure.layout.font.family.startswith("Noto Sans CJK SC")
    assert figure.layout.title.text == t("chart_dimension_scores", "zh")


def test_dimension_scores_are_the_means_with_ci_error_bars(results):
    figure = charts.dimension_scores(results, "en")
    bars = {trace.name: trace for trace in figure.data}
    customers = results["indices"]["customers"]["dimensions"]
    trace = bars["Customers"]
    assert list(trace.x) == [d["mean"] for d in customers.values()]
    assert list(trace.y) == ["Identify", "Differentiate", "Interact", "Customize", "CRM system"]
    assert list(trace.error_x.array) == pytest.approx([d["ci"][1] - d["mean"] for d in customers.values()])
    assert list(trace.error_x.arrayminus) == pytest.approx([d["mean"] - d["ci"][0] for d in customers.values()])


def test_alpha_chart_draws_the_70_bar(results):
    figure = charts.alpha_chart(results, "customers", "zh")
    assert list(figure.data[0].x) == [e["alpha"] for e in results["reliability"]["customers"].values()]
    assert any(shape.x0 == 0.7 for shape in figure.layout.shapes)


def test_gap_dumbbell_marks_significant_gaps(results):
    rows = [g for g in results["gaps"]["customers|employees"] if g["level"] == "dimension"]
    figure = charts.gap_dumbbell(results, "zh")
    markers = [trace for trace in figure.data if trace.mode == "markers"]
    assert list(markers[0].x) == [g["mean_a"] for g in rows]
    assert list(markers[1].x) == [g["mean_b"] for g in rows]
    assert [label.endswith(" *") for label in markers[0].y] == [g["flag"] for g in rows]


def test_ipa_quadrant_names_and_crosshairs(results):
    section = results["ipa"]["customers"]
    figure = charts.ipa_chart(results, "customers", "en")
    assert list(figure.data[0].x) == [p["performance"] for p in section["points"]]
    texts = {a.text for a in figure.layout.annotations}
    assert f"<b>{t('concentrate_here', 'en')}</b>" in texts
    assert {s.x0 for s in figure.layout.shapes if s.x0 == s.x1} == {section["performance_center"]}


def test_every_builder_gives_a_figure_or_none(results):
    figures = [charts.servqual_chart(results, "customers"), charts.cb_ratio_chart(results, "customers"),
               charts.nps_chart(results), charts.trend_chart(results, "customers"),
               charts.drivers_chart(results, "customers"), charts.pareto_chart(results, "customers"),
               charts.segment_scores(results, "customers", "abc"),
               charts.segment_scores(results, "customers", "value_matrix"),
               charts.comparison_chart(results, "customers", "region", "identify")]
    assert all(f is not None and f.layout.title.text for f in figures)
    assert charts.trend_chart({"study": results["study"]}, "customers") is None
    assert charts.gap_dumbbell({"study": results["study"]}) is None


def test_p_values_as_people_read_them():
    assert charts.format_p(0.0004) == "<.001"
    assert charts.format_p(0.0421) == ".042"
    assert charts.format_p(None) == "–"
    assert charts.p_text(0.0004) == "p < .001"
    assert charts.p_text(0.5) == "p = .500"


def test_display_names_from_the_study(results):
    assert charts.display_name(results, "identify", "zh") == "客户识别"
    assert charts.display_name(results, "identify", "en") == "Identify"
    assert charts.display_name(results, "ID1", "en") == "ID1 D公司准确掌握我单位的基本信息"
    assert charts.display_name(results, "ID1", "zh", short=True).endswith("…")
    assert charts.display_name(results, "region", "en") == "Region"


def test_guess_mapping_of_a_wjx_export():
    mapping = guess_mapping(read_table(SAMPLE / "customers_2019.xlsx")).set_index("column")
    items = mapping[mapping["role"] == "item"]
    assert list(items.loc[items["dimension"] == "客户识别", "item"]) == ["客户识别1", "客户识别2", "客户识别3", "客户识别4"]
    assert mapping.loc["D公司准确掌握我单位的基本信息", "dimension"] == "客户识别"
    assert mapping.loc["1、贵单位所在地区：", "role"] == "segment"
    assert mapping.loc["19、您有多大可能向朋友或同行推荐D公司？（0-10分）", "role"] == "nps"
    assert mapping.loc["4、贵单位上一年度向D公司的采购金额（万元）：", "role"] == "revenue"
    assert mapping.loc["13、总体而言，您对D公司的产品和服务是否满意？", "role"] == "satisfaction"
    assert mapping.loc["提交答卷时间", "role"] == "ignore"


def test_study_yaml_round_trip(tmp_path):
    paths = save_uploads({"../customers.xlsx": (SAMPLE / "customers_2019.xlsx").read_bytes()}, tmp_path)
    assert paths["customers.xlsx"] == tmp_path / "customers.xlsx"  # no writing outside the folder
    text, tables = read_uploads(paths)
    mapping = guess_mapping(tables["customers.xlsx"])
    mapping.loc[mapping["item"] == "客户识别4", "reverse"] = True
    study = parse_study(study_yaml("测试", (1, 5), {"customers": ("customers.xlsx", mapping)}),
                        base_dir=tmp_path)
    assert study.dimensions["客户识别"] == ["客户识别1", "客户识别2", "客户识别3", "客户识别4"]
    assert study.reverse == ["客户识别4"]
    assert study.nps == "19、您有多大可能向朋友或同行推荐D公司？（0-10分）"
    assert study.name("客户识别1") == "D公司准确掌握我单位的基本信息"


def test_no_items_mapped_is_a_study_error():
    mapping = guess_mapping(read_table(SAMPLE / "employees_2019.csv"))
    with pytest.raises(StudyError, match="no column is mapped"):
        study_yaml("x", (1, 5), {"employees": ("employees_2019.csv", mapping)})


def test_two_study_files_are_an_error(tmp_path):
    text = (SAMPLE / "study.yaml").read_bytes()
    paths = save_uploads({"a.yaml": text, "b.yml": text}, tmp_path)
    with pytest.raises(StudyError, match="2 study files"):
        read_uploads(paths)


def test_kano_chart_places_features_by_better_and_worse(results):
    import pandas as pd

    from analysis.kano import kano_section

    answers = pd.read_csv(Path(__file__).parent / "fixtures" / "kano.csv")
    kano = kano_section({"customers": answers}, kano={f: (f"{f}_fun", f"{f}_dys") for f in ("f1", "f2", "f3")})
    figure = charts.kano_chart({"study": results["study"], "kano": kano}, "customers", "en")
    assert list(figure.data[0].y) == [kano["customers"][f]["better"] for f in ("f1", "f2", "f3")]
    assert list(figure.data[0].x) == [abs(kano["customers"][f]["worse"]) for f in ("f1", "f2", "f3")]
    assert charts.kano_chart(results, "customers") is None


def test_figures_are_kept_with_the_apps_results_and_look_like_plotly_white(results):
    """The app's LazyResults keep their figures (a page shown again reuses them); a plain dict gets
    a new figure each call; the cut-down template has plotly_white's layout and the defaults of
    every trace type the charts draw."""
    import gc

    import plotly.io

    from analysis.pipeline import LazyResults

    class Kept(LazyResults):  # a LazyResults already built: the sample's sections
        def __init__(self, built):
            self._built = built

    lazy = Kept(results)
    first = charts.dimension_scores(lazy, "en")
    assert charts.dimension_scores(lazy, "en") is first
    assert charts.dimension_scores(lazy, "zh") is not first
    assert charts.dimension_scores(results, "en") is not charts.dimension_scores(results, "en")
    assert first.to_json() == charts.dimension_scores(results, "en").to_json()
    kept = id(lazy)
    assert kept in charts._KEPT
    del lazy, first
    gc.collect()
    assert kept not in charts._KEPT  # forgotten with their results
    white = plotly.io.templates["plotly_white"]
    template = charts.dimension_scores(results, "en").layout.template
    assert template.layout == white.layout
    assert set(template.data.to_plotly_json()) == set(charts.TRACE_TYPES)
    assert all(template.data[k] == white.data[k] for k in charts.TRACE_TYPES)


def test_ladder_and_keyword_labels_from_data_draw_no_links(results):
    """A rung named in the study file and a comment's term are data text: plotly would draw
    ``<a href>`` in them as a working link (app and HTML report)."""
    import copy

    bad = copy.deepcopy(results)
    link = '<a href="https://evil.example/login">log in again</a>'
    group = next(iter(bad["ladder"]))
    bad["ladder"][group]["rungs"][0] = link
    legend = [trace.name for trace in charts.ladder_chart(bad, group, "en").data]
    assert "1 log in again" in legend and not any("<a" in name for name in legend)
    text_group = next(iter(bad["text"]))
    column = next(iter(bad["text"][text_group]))
    bad["text"][text_group][column]["keywords"]["detractors"][0]["term"] = link
    figure = charts.keyword_chart(bad, text_group, column, "en")
    assert not any("<a" in label for trace in figure.data for label in trace.y)
