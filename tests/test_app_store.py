"""The Study store page under AppTest: listing, saving the open study byte-exact, opening a
stored study (its numbers reach the dashboard), deleting with confirmation, a busy store."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui import state as S
from analysis.i18n import t
from surveys.store import Store, StoreBusy
from tests.app_reference import sample_results

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def _store_page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state[S.LANG] = lang
    at.run()
    at.switch_page("ui/pages/9_store.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def test_empty_store_then_save_the_sample_byte_exact(private_store, tmp_path):
    at = _store_page()
    assert any(t("store_empty", "en") in i.value for i in at.info)
    _button(at, "store_save").click().run()
    assert [s.value for s in at.success] == [t("store_saved", "en", id=1)]
    stored = Store(private_store).get_study(1)
    assert stored.title == "D公司客户关系管理调查 2019"
    assert [w.name for w in stored.waves] == ["2018", "2019"]
    out = tmp_path / "export"
    Store(private_store).export_study(1, out)
    for name in ("customers_2019.xlsx", "employees_2018.csv"):
        assert (out / name).read_bytes() == (SAMPLE / name).read_bytes()
    table = at.dataframe[0].value  # the list already shows the saved study
    assert table[t("store_title", "en")].tolist() == ["D公司客户关系管理调查 2019"]
    assert table[t("store_waves", "en")].tolist() == ["2018, 2019"]


def test_opening_a_stored_study_shows_its_numbers_on_the_dashboard(private_store, tmp_path):
    study_id = Store(private_store).add_study(SAMPLE / "study.yaml")
    at = _store_page()
    _button(at, "store_open").click().run()
    assert [s.value for s in at.success] == [t("store_opened", "en", id=study_id)]
    source = at.session_state[S.SOURCE]
    assert Path(source["dir"]) != SAMPLE and "customers_2019.xlsx" in source["yaml"]
    at.switch_page("ui/pages/0_dashboard.py")
    at.run()
    assert not at.exception
    csi = sample_results()["indices"]["customers"]["csi"]["value"]
    assert any(m.value == f"{csi:.1f}" for m in at.metric)


def test_delete_needs_confirmation(private_store):
    Store(private_store).add_study(SAMPLE / "study.yaml")
    at = _store_page()
    assert _button(at, "store_delete").disabled
    next(c for c in at.checkbox if c.key == "store_confirm").check().run()
    _button(at, "store_delete").click().run()
    assert [s.value for s in at.success] == [t("store_deleted", "en", id=1)]
    assert Store(private_store).list_studies() == []


def test_a_busy_store_is_a_message(monkeypatch):
    def busy(self):
        raise StoreBusy("the store is busy (used by another program); try again")

    monkeypatch.setattr(Store, "list_studies", busy)
    at = _store_page()
    # shown as text: Markdown punctuation escaped
    assert [e.value.replace("\\", "") for e in at.error] == [
        "the store is busy (used by another program); try again"]


def test_waves_stored_separately_open_as_one_study_with_its_trend(private_store, tmp_path):
    import re
    import shutil

    store = Store(private_store)
    study_id = store.add_study(SAMPLE / "study.yaml")  # waves 2018 and 2019 in one file
    later = tmp_path / "2020"
    later.mkdir()
    for name in ("customers_2019.xlsx", "employees_2019.csv"):
        shutil.copy(SAMPLE / name, later / name)
    text = (SAMPLE / "study.yaml").read_text(encoding="utf-8")
    text = re.sub(r"waves:\n(  .*\n)+", "", text).replace("wave: '2019'", "wave: '2020'")
    (later / "study.yaml").write_text(text, encoding="utf-8")
    assert store.add_study(later / "study.yaml", wave="2020") == study_id
    at = _store_page()
    _button(at, "store_open").click().run()
    assert len(at.session_state[S.SOURCE]["waves"]) == 3
    at.switch_page("ui/pages/0_dashboard.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    # the 2020 wave repeats the 2019 files: every index card shows no change since 2019 (the four
    # headline cards and the structural model's satisfaction and loyalty indices)
    assert [m.delta for m in at.metric] == ["+0.0 since 2019"] * 6
