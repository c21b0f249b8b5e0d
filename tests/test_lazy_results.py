"""The app's results object (analysis.pipeline.LazyResults): the background build starts with the
slowest section whose page can show a preview, and gives way to a page waiting for a section."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from analysis import pipeline
from surveys.study import read_study

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "study.yaml"


@pytest.fixture
def lazy(monkeypatch):
    """LazyResults of the sample whose sections are their own keys (nothing computed), and the
    order in which they were built."""
    order = []

    def section(key, data, build):
        if isinstance(data, Data):  # not an app's background thread left by an earlier test
            order.append(key)
        return key

    monkeypatch.setattr(pipeline, "_section", section)
    monkeypatch.setattr(pipeline.weighting, "with_weights", lambda data: data)

    class Data:
        study = read_study(SAMPLE)

    return pipeline.LazyResults(Data()), order


def test_build_rest_starts_with_the_text_section(lazy):
    results, order = lazy
    assert results["indices"] == "indices" and results.ready("indices")
    assert not results.ready("text")
    results.build_rest()
    assert order[:2] == ["indices", "text"] and sorted(order) == sorted(set(order))
    assert all(results.ready(key) for key in results) and dict(results)["pls"] == "pls"


def test_build_rest_builds_the_costly_sections_next_and_waits_while_busy(lazy):
    """After ``text``, the sections costing ~0.2 s or more in the order of their pages, then the
    others in results.json order; nothing while ``busy()`` (a page being run in the app)."""
    results, order = lazy
    busy = threading.Event()
    busy.set()
    worker = threading.Thread(target=results.build_rest, kwargs={"busy": busy.is_set})
    worker.start()
    time.sleep(0.2)
    assert order == []
    busy.clear()
    worker.join(5)
    assert not worker.is_alive()
    assert order[:4] == ["text", "validity", "pls", "comparisons"] == list(pipeline.BUILT_FIRST)
    assert order[4:] == [k for k in results if k not in pipeline.BUILT_FIRST and k != "version"]


def test_build_rest_gives_way_to_a_page(lazy):
    results, order = lazy
    results._asking = 1  # a page is waiting for a section
    worker = threading.Thread(target=results.build_rest)
    worker.start()
    time.sleep(0.2)
    assert order == []
    results._asking = 0
    worker.join(5)
    assert not worker.is_alive() and order[0] == "text" and len(order) == len(results) - 1


def test_a_preview_made_is_served_while_a_section_is_being_built(lazy, monkeypatch):
    """The dashboard shown again asks for the text preview while the background thread builds
    the text section: it gets the preview at once (it waited for the whole section before)."""
    results, _ = lazy
    monkeypatch.setattr(pipeline, "_section", lambda key, data, build: build(data))
    monkeypatch.setitem(pipeline.PREVIEWS, "text", lambda data: "preview")
    assert results.preview("text") == "preview"
    with results._lock:  # a section being built
        assert results.preview("text") == "preview"


def test_the_pls_preview_has_the_sections_values():
    """The dashboard's index cards come from the pls section's preview (no quality criteria,
    IPMA or path intervals): its values are the full section's."""
    from surveys.load import load_study

    results = pipeline.analyse(load_study(SAMPLE), lazy=True)
    preview = results.preview("pls")
    assert not results.ready("pls")
    full = results["pls"]
    assert set(preview) == set(full) == {"customers"}
    for group, entry in preview.items():
        assert set(entry) == {"model", "error", "n", "n_dropped", "indices", "indices_ci", "waves",
                              "warnings"}
        assert entry == {key: full[group][key] for key in entry}
        assert entry["indices"] and entry["indices_ci"] and len(entry["waves"]) == 2
