"""The app's view of careless screens, respondents and weights (AppTest on the sample study):
the Data quality page lists every respondent with filters and a download, the pages with
weighted estimates show the badge with the effective n, reliability says it is unweighted."""
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from analysis.i18n import t
from analysis.respondents import respondents_table
from surveys.load import load_study
from ui import state as S

ROOT = Path(__file__).resolve().parents[1]


def _ok(at: AppTest) -> None:
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]


def test_respondents_badge_and_unweighted_note():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state[S.LANG] = "en"
    at.run()
    at.switch_page("ui/pages/2_quality.py").run()
    _ok(at)
    expected = respondents_table(load_study(ROOT / "data" / "sample" / "study.yaml"))
    shown = at.dataframe[-1].value
    assert len(shown) == len(expected) and list(shown.columns) == list(expected.columns)
    assert list(shown["row"]) == list(expected["row"])
    labels = [b.proto.label for b in at.get("download_button")]  # a Word and a CSV under each table
    assert labels.count(t("respondents_download", "en")) == 1
    assert set(labels) <= {t("respondents_download", "en"), t("download_csv", "en"),
                           t("download_table_word", "en")}
    toggles = {toggle.label for toggle in at.toggle}
    assert {t("rule_attention", "en"), t("rule_irv", "en")} <= toggles
    at.checkbox(key="resp_excluded").check().run()
    assert len(at.dataframe[-1].value) == int(expected["excluded"].sum())

    badge = re.escape(t("weighted_badge", "en", n_eff="@", n="@")).replace("@", r"\d+")
    at.switch_page("ui/pages/4_satisfaction.py").run()
    _ok(at)
    assert any(re.search(badge, m.value) for m in at.markdown)
    at.switch_page("ui/pages/3_reliability.py").run()
    _ok(at)
    assert any(c.value == t("unweighted_note", "en") for c in at.caption)
    assert not any(re.search(badge, m.value) for m in at.markdown)


def test_a_filter_leaving_out_margin_levels_keeps_the_groups_weights():
    """The sample is raked to region and customer-type margins. Filtering to one region once
    raked only the filtered rows, which failed ("target level 保定 has no respondents") and
    turned every weighted page into an error: the filtered rows now keep the weights raked on
    the whole group (as SPSS's filter keeps the weight variable's values)."""
    from analysis.weighting import with_weights
    from ui.setup import results_for

    data = load_study(ROOT / "data" / "sample" / "study.yaml")
    weighted = with_weights(data)
    spec = data.study.weighting
    whole = weighted.weights[(data.study.wave, spec.group)].weights
    results, _ = results_for(data, data.study.wave, {"region": ["石家庄"]})
    shown = results["weighting"][spec.group]
    group = data.groups[(data.study.wave, spec.group)].scored
    kept = whole[(group["region"] == "石家庄").to_numpy()]
    assert shown["n"] == len(kept) > 0
    assert (shown["min"], shown["max"]) == (float(kept.min()), float(kept.max()))
    assert shown["margins"]["region"]["石家庄"]["sample"] == 1.0

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state[S.LANG] = "en"
    at.session_state[S.filter_key("region")] = ["石家庄"]
    at.run()
    _ok(at)
    for page in ("ui/pages/4_satisfaction.py", "ui/pages/5_gaps.py", "ui/pages/2_quality.py"):
        at.switch_page(page).run()
        _ok(at)
