"""What makes the app's page switches fast shows the same pages: table downloads written when
clicked, the background build that waits while a page
runs and then prepares other pages' first visits (docs/performance.md)."""
from __future__ import annotations

import contextlib
import gc
import json
import sys
import threading
import time
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from analysis import charts
from analysis.i18n import t
from analysis.report.safety import formula_safe_csv
from ui import setup
from ui import state as S

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(f"ui/pages/{p.name}" for p in (ROOT / "ui" / "pages").glob("*.py"))


def test_a_tables_csv_is_written_when_clicked_and_is_the_formula_safe_csv(monkeypatch):
    """Each table's CSV button holds a callable (written on click): it gives the former bytes,
    ``formula_safe_csv`` of the table shown above it."""
    made = {}
    add_deferred = MediaFileManager.add_deferred

    def spy(self, data_callable, *args, **kwargs):
        file_id = add_deferred(self, data_callable, *args, **kwargs)
        made[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state[S.LANG] = "en"
    at.run()
    at.switch_page("ui/pages/3_reliability.py")
    at.run()
    buttons = [b for b in at.get("download_button") if b.proto.label == t("download_csv", "en")]
    assert len(buttons) == len(at.dataframe) > 2
    names = set()
    for button, table in zip(buttons, at.dataframe):
        frame = table.value
        assert made[button.proto.deferred_file_id]() == formula_safe_csv(frame)
        names.add(button.proto.deferred_file_id)
    assert len(names) == len(buttons)


class _Results:
    """Stands for LazyResults: records when its sections were built and whether a page ran."""

    def __init__(self, building_elsewhere: bool, log: list):
        self.building_elsewhere, self.log = building_elsewhere, log
        self.built_while_running = None

    def build_rest(self, busy):
        while busy():  # the real build_rest waits before each section
            time.sleep(0.005)
        self.built_while_running = setup._pages_running()
        self.log.append("sections")


@pytest.mark.parametrize("elsewhere", [False, True])
def test_the_background_build_waits_while_a_page_runs_then_prepares_other_pages(elsewhere):
    """Nothing while a page runs; then the sections and the study's cached tables, the sections
    last when a forked copy builds them (build_rest then only waits for it)."""
    log = []
    results = _Results(elsewhere, log)
    with setup.page_run():
        worker = threading.Thread(target=setup._build_and_warm,
                                  args=(results, [lambda: log.append(setup._pages_running())]))
        worker.start()
        time.sleep(0.1)
        assert results.built_while_running is None and not log  # nothing while it runs
    worker.join(30)
    assert not worker.is_alive()
    assert results.built_while_running is False
    assert log == ([False, "sections"] if elsewhere else ["sections", False])
    assert not setup._pages_running()


def test_the_other_pages_modules_are_imported_and_the_startup_objects_frozen_once():
    """The modules other pages import on their first visit are imported when a page is shown
    (not in a background thread beside the next page), and the objects made until then are left
    out of the garbage collector's passes, once."""
    setup._prepare_process()
    assert all(name in sys.modules for name in setup.WARM_MODULES)
    frozen = gc.get_freeze_count()
    assert frozen > 0
    gc.collect()  # new objects, in the youngest generation
    setup._prepare_process()
    assert gc.get_freeze_count() <= frozen  # not frozen again (frozen objects may be freed)


def test_page_run_counts_runs_also_when_a_page_stops():
    with pytest.raises(RuntimeError):
        with setup.page_run():
            with setup.page_run():
                assert setup._RUNNING[0] == 2
            raise RuntimeError("st.stop")
    assert setup._RUNNING[0] == 0


def _chart_specs() -> dict[str, list]:
    """The JSON of every chart of every page, as Streamlit sends it, after the first page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    specs = {}
    for page in PAGES:
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        specs[page] = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    return specs


def test_every_chart_of_every_page_is_the_json_plotlys_figures_gave(monkeypatch):
    """app.py builds the pages' figures as plain JSON handed over without plotly's validation
    (ui.setup.plotly_figure); the former way (plotly's figures, validated) sends the same JSON."""
    plain = _chart_specs()
    monkeypatch.setattr(charts, "plain_json", contextlib.nullcontext)
    validated = _chart_specs()
    assert sum(len(v) for v in plain.values()) > 20
    assert plain == validated
