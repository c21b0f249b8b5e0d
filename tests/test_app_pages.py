"""Every page of the app under ``streamlit.testing.v1.AppTest``, on the sample study and on a study
made from an uploaded file; the numbers shown must be those of results.json (computed here by
the pipeline, independently of the app), rounded as the page rounds them."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ui import state as S
from analysis.charts import format_p
from analysis.i18n import t
from analysis.pipeline import analyse, with_abc_class
from ui.study import guess_mapping, read_uploads, save_uploads, study_from_uploads, study_yaml
from surveys.load import load_study
from surveys.study import parse_study
from tests.app_reference import app_test, sample_results

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
PAGES = {"ui/pages/0_dashboard.py": "page_dashboard", "ui/pages/0_customers.py": "page_customers",
         "ui/pages/1_study.py": "page_study",
         "ui/pages/2_quality.py": "page_quality", "ui/pages/3_reliability.py": "page_reliability",
         "ui/pages/4_satisfaction.py": "page_satisfaction", "ui/pages/5_gaps.py": "page_gaps",
         "ui/pages/6_priorities.py": "page_priorities", "ui/pages/7_segments.py": "page_segments",
         "ui/pages/8_report.py": "page_report", "ui/pages/9_store.py": "page_store",
         "ui/pages/10_comments.py": "page_comments",
         "ui/pages/11_structural.py": "page_structural"}
TIMEOUT = 120


@pytest.fixture(scope="module")
def reference() -> dict:
    return sample_results()


def _app(page: str | None = None, lang: str = "zh", **state) -> AppTest:
    return app_test(page, lang, timeout=TIMEOUT, **state)


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _table(at: AppTest, index: int = 0) -> pd.DataFrame:
    return at.dataframe[index].value


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_opens_on_the_sample(page, lang, reference):
    at = _app(page, lang)
    _ok(at)
    assert at.title[0].value == t(PAGES[page], lang)


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_works_when_it_runs_first(page):
    """A page run on its own, without app.py (as a click in Streamlit's automatic page list
    would run it), initialises the session state itself."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == t(PAGES[page], "zh")


def test_no_folder_named_pages_beside_the_entry():
    """Streamlit runs the files of a ``pages/`` folder beside the entry script on its own."""
    assert not (ROOT / "pages").exists()


def test_dashboard_cards_show_the_indices_and_their_change(reference):
    at = _app()
    _ok(at)
    customers = reference["indices"]["customers"]
    changes = {c["index"]: c for c in reference["trends"]["customers"]["changes"]}
    shown = {m.label: m for m in at.metric}
    for key, label, field in (("csi", "card_csi", "value"), ("satisfaction_index", "card_satisfaction", "value"),
                              ("loyalty_index", "card_loyalty", "value"), ("nps", "card_nps", "score")):
        metric = shown[t(label, "zh")]
        assert metric.value == f"{customers[key][field]:.1f}"
        assert metric.delta.startswith(f"{changes[key]['diff']:+.1f}")
        assert f"n = {customers[key]['n']}" in metric.help
    largest = min((g for g in reference["gaps"]["customers|employees"] if g["level"] == "dimension"),
                  key=lambda g: g["diff"])
    text = " ".join(m.value for m in at.markdown)
    assert f"{-largest['diff']:.2f}" in text and f"{largest['mean_a']:.2f}" in text
    moved = [c for c in reference["trends"]["customers"]["changes"]
             if c["index"] == "dimension" and c["p"] < 0.05]
    for c in moved:
        assert f"{c['value_from']:.2f} → {c['value_to']:.2f}" in text


def test_reliability_table_equals_results(reference):
    at = _app("ui/pages/3_reliability.py", "en")
    _ok(at)
    table = _table(at)
    for (dimension, entry), (_, row) in zip(reference["reliability"]["customers"].items(),
                                            table.iterrows()):
        assert row[t("alpha", "en")] == f"{entry['alpha']:.3f}"
        assert row[t("ci95", "en")] == f"[{entry['alpha_ci'][0]:.3f}, {entry['alpha_ci'][1]:.3f}]"
        assert row["n"] == entry["n"]
    items = _table(at, 1)
    first = next(iter(reference["reliability"]["customers"].values()))["items"]
    assert list(items[t("alpha_if_deleted", "en")]) == [f"{e['alpha_if_deleted']:.3f}" for e in first.values()]
    validity = reference["validity"]["customers"]
    assert {m.label: m.value for m in at.metric}[t("kmo", "en")] == f"{validity['kmo']:.3f}"
    fit = _table(at, 2).set_index(t("index", "en"))[t("value", "en")]
    assert fit["RMSEA"] == f"{validity['cfa']['rmsea']:.3f}"


def test_gap_table_equals_results(reference):
    at = _app("ui/pages/5_gaps.py", "en")
    _ok(at)
    table = _table(at)
    rows = reference["gaps"]["customers|employees"]
    assert len(table) == len(rows)
    assert list(table[t("gap", "en")]) == [f"{g['diff']:.2f}" for g in rows]
    assert list(table[t("p_adj", "en")]) == [format_p(g["p_adj"]) for g in rows]
    assert list(table[t("significant", "en")]) == ["✱" if g["flag"] else "" for g in rows]


def test_satisfaction_and_priorities_equal_results(reference):
    at = _app("ui/pages/4_satisfaction.py", "en")
    _ok(at)
    dims = reference["indices"]["customers"]["dimensions"]
    assert list(_table(at)[t("mean", "en")]) == [f"{d['mean']:.2f}" for d in dims.values()]
    at = _app("ui/pages/6_priorities.py", "en")
    _ok(at)
    points = reference["ipa"]["customers"]["points"]
    assert list(_table(at)[t("quadrant", "en")]) == [t(p["quadrant"], "en") for p in points]


def test_quality_counts_equal_results(reference):
    at = _app("ui/pages/2_quality.py", "en")
    _ok(at)
    table = _table(at)
    assert list(table[t("n_kept", "en")]) == [q["n"] for g, q in reference["quality"].items()
                                               if g != "waves"]


def test_report_page_offers_the_downloads(reference):
    at = _app("ui/pages/8_report.py", "en")
    _ok(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert t("download_json", "en") in labels
    try:
        import analysis.report  # noqa: F401  (the reports module: analysis/report/)
    except ImportError:
        assert len(at.info) == 3  # each report format says it is not available
        return
    assert t("download_xlsx", "en") in labels
    at.button(key="prepare_html").click()
    at.run()
    _ok(at)
    assert t("download_html", "en") in [b.proto.label for b in at.get("download_button")]


def test_uploaded_study_file_with_its_data(tmp_path, reference):
    """The sample's study file and data files as uploaded: same results as the sample."""
    files = {p.name: p.read_bytes() for p in SAMPLE.iterdir() if p.suffix != ".py"}
    text, study = study_from_uploads(files, tmp_path)
    assert study.title == reference["study"]["title"]
    at = _app(None, "zh", **{S.SOURCE: {"yaml": text, "dir": str(tmp_path)}})
    _ok(at)
    shown = {m.label: m.value for m in at.metric}
    assert shown[t("card_csi", "zh")] == f"{reference['indices']['customers']['csi']['value']:.1f}"


def _survey_csv(path: Path, n: int = 60, seed: int = 7) -> Path:
    """A plain CSV as a survey platform would give it: a region and two dimensions' items."""
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    frame = pd.DataFrame({"region": rng.choice(["north", "south"], size=n)})
    for prefix in ("ID", "IN"):
        for k in range(1, 4):
            frame[f"{prefix}{k}"] = np.clip(np.round(3 + trait + rng.normal(scale=0.8, size=n)), 1, 5).astype(int)
    frame.to_csv(path, index=False)
    return path


def test_uploaded_data_file_mapped_on_the_page(tmp_path):
    """A data file alone: guessed mapping -> study YAML -> every page, numbers as the pipeline's;
    the region filter restricts every page."""
    paths = save_uploads({"survey.csv": _survey_csv(tmp_path / "src.csv").read_bytes()}, tmp_path)
    text, tables = read_uploads(paths)
    assert text is None
    mapping = guess_mapping(tables["survey.csv"])
    yaml_text = study_yaml("Upload test", (1, 5), {"customers": ("survey.csv", mapping)})
    study = parse_study(yaml_text, base_dir=tmp_path)
    assert study.dimensions == {"ID": ["ID1", "ID2", "ID3"], "IN": ["IN1", "IN2", "IN3"]}
    assert study.segments == ["region"]
    data = load_study(study)
    expected = analyse(with_abc_class(data))
    source = {S.SOURCE: {"yaml": yaml_text, "dir": str(tmp_path)}}
    for page in PAGES:
        at = _app(page, "en", **source)
        _ok(at)
    at = _app("ui/pages/3_reliability.py", "en", **source)
    assert list(_table(at)[t("alpha", "en")]) == [
        f"{e['alpha']:.3f}" for e in expected["reliability"]["customers"].values()]
    north = analyse(with_abc_class(data).filtered({"region": ["north"]}))
    at = _app("ui/pages/3_reliability.py", "en", **source, **{S.filter_key("region"): ["north"]})
    _ok(at)
    assert list(_table(at)[t("alpha", "en")]) == [
        f"{e['alpha']:.3f}" for e in north["reliability"]["customers"].values()]
    assert any("north" in i.value for i in at.info)


def test_narrow_filters_warn_and_every_page_still_opens(tmp_path):
    """Two respondents left after the filter: a warning, undefined numbers as "–", no exception."""
    source = _survey_csv(tmp_path / "src.csv", n=12, seed=3)
    frame = pd.read_csv(source).assign(region=["north"] * 10 + ["south"] * 2)
    frame.to_csv(source, index=False)
    paths = save_uploads({"survey.csv": source.read_bytes()}, tmp_path)
    _, tables = read_uploads(paths)
    yaml_text = study_yaml("Tiny", (1, 5), {"customers": ("survey.csv", guess_mapping(tables["survey.csv"]))})
    state = {S.SOURCE: {"yaml": yaml_text, "dir": str(tmp_path)}, S.filter_key("region"): ["south"]}
    for page in PAGES:
        at = _app(page, "en", **state)
        assert not at.exception, (page, [e.value for e in at.exception])
        if page not in ("ui/pages/1_study.py", "ui/pages/9_store.py"):  # no analysis on these
            assert t("few_left", "en", group="customers", n=5) in [w.value for w in at.warning]


def test_exclusion_switch_changes_n(tmp_path):
    """Switching the straight-liner rule on in Data quality excludes the two straight-lined rows
    from every analysis (n kept drops by 2)."""
    source = _survey_csv(tmp_path / "src.csv", n=30, seed=5)
    frame = pd.read_csv(source)
    items = [c for c in frame.columns if c != "region"]
    frame.loc[[3, 7], items] = 4
    frame.to_csv(source, index=False)
    paths = save_uploads({"survey.csv": source.read_bytes()}, tmp_path)
    _, tables = read_uploads(paths)
    yaml_text = study_yaml("Switch", (1, 5), {"customers": ("survey.csv", guess_mapping(tables["survey.csv"]))})
    at = _app("ui/pages/2_quality.py", "en", **{S.SOURCE: {"yaml": yaml_text, "dir": str(tmp_path)}})
    _ok(at)
    assert list(_table(at)[t("n_kept", "en")]) == [30]
    at.toggle(key="toggle_straightliners").set_value(True)
    at.run()
    _ok(at)
    assert at.session_state[S.EXCLUDE] == {"duplicates": False, "speeders": False, "straightliners": True}
    assert list(_table(at)[t("n_kept", "en")]) == [28]


def test_validity_and_kano_sections_are_laid_out_when_present(tmp_path, monkeypatch):
    """With a "validity" section (KMO/EFA from analysis.factor, CFA from analysis.cfa) the
    Reliability & validity page shows KMO, the CFA fit table and CR/AVE as computed; with a
    "kano" section the Priorities page shows the Kano table."""
    from ui import setup as app_setup
    from analysis import cfa, factor
    from analysis.kano import kano_section

    paths = save_uploads({"survey.csv": _survey_csv(tmp_path / "src.csv", n=80, seed=11).read_bytes()},
                         tmp_path)
    _, tables = read_uploads(paths)
    yaml_text = study_yaml("Validity", (1, 5), {"customers": ("survey.csv", guess_mapping(tables["survey.csv"]))})
    data = load_study(parse_study(yaml_text, base_dir=tmp_path))
    frames, dimensions = data.frames(), data.study.dimensions
    validity = {g: {**v, "cfa": cfa.cfa_section(frames, dimensions)[g]}
                for g, v in factor.factor_section(frames, dimensions).items()}

    answers = pd.read_csv(ROOT / "tests" / "fixtures" / "kano.csv")
    kano = kano_section({"customers": answers}, kano={f: (f"{f}_fun", f"{f}_dys") for f in ("f1", "f2")})

    def with_validity(data, progress=None, lazy=False):
        return {**analyse(data, progress), "validity": validity, "kano": kano}

    monkeypatch.setattr(app_setup, "analyse", with_validity)
    at = _app("ui/pages/3_reliability.py", "en", **{S.SOURCE: {"yaml": yaml_text, "dir": str(tmp_path)}})
    assert not at.exception
    entry = validity["customers"]
    assert {m.label: m.value for m in at.metric}[t("kmo", "en")] == f"{entry['kmo']:.3f}"
    fit = _table(at, 2).set_index(t("index", "en"))[t("value", "en")]
    assert fit["CFI"] == f"{entry['cfa']['cfi']:.3f}" and fit["SRMR"] == f"{entry['cfa']['srmr']:.3f}"
    constructs = _table(at, 3)
    assert list(constructs[t("ave", "en")]) == [f"{c['ave']:.3f}" for c in entry["cfa"]["constructs"].values()]
    at.switch_page("ui/pages/6_priorities.py")
    at.run()
    _ok(at)
    table = _table(at)
    assert list(table["Better"]) == [f"{kano['customers'][f]['better']:.2f}" for f in ("f1", "f2")]
    assert list(table[t("kano_category", "en")]) == [kano["customers"][f]["label_en"] for f in ("f1", "f2")]


def test_a_data_file_uploaded_again_is_read_again(tmp_path):
    source = _survey_csv(tmp_path / "src.csv", n=40, seed=1)
    paths = save_uploads({"survey.csv": source.read_bytes()}, tmp_path)
    _, tables = read_uploads(paths)
    yaml_text = study_yaml("Again", (1, 5), {"customers": ("survey.csv", guess_mapping(tables["survey.csv"]))})
    at = _app("ui/pages/2_quality.py", "en", **{S.SOURCE: {"yaml": yaml_text, "dir": str(tmp_path)}})
    assert list(_table(at)[t("n_raw", "en")]) == [40]
    save_uploads({"survey.csv": _survey_csv(tmp_path / "src2.csv", n=25, seed=2).read_bytes()}, tmp_path)
    at.run()
    _ok(at)
    assert list(_table(at)[t("n_raw", "en")]) == [25]


def test_a_broken_study_shows_the_error_and_the_app_stays_usable(tmp_path):
    text = (SAMPLE / "study.yaml").read_text(encoding="utf-8")
    at = _app("ui/pages/4_satisfaction.py", "en", **{S.SOURCE: {"yaml": text, "dir": str(tmp_path)}})
    assert not at.exception
    assert at.error and "customers_2019.xlsx" in at.error[0].value.replace("\\", "")
    assert "Traceback" not in at.error[0].value
    at.switch_page("ui/pages/1_study.py")
    at.run()
    assert not at.exception
    assert at.button(key="back_to_sample")
    at.button(key="back_to_sample").click()
    at.run()
    _ok(at)
    assert at.session_state[S.SOURCE] is None
