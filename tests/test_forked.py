"""Sections built by a forked copy of the process (analysis/forked.py, LazyResults.build_elsewhere):
the same results.json as analyse(), a caller waits only for the key the copy is building, a
section that fails or a copy that is stuck leaves the key to the caller."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from analysis import forked, pipeline
from surveys.load import load_study

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "study.yaml"


@pytest.fixture(autouse=True)
def two_processors(monkeypatch):
    """A copy is forked wherever the tests run (Linux), whatever the number of processors."""
    monkeypatch.setattr(forked, "processors", lambda: 2)


def _dumped(results) -> str:
    return json.dumps(dict(results), ensure_ascii=False, indent=1, allow_nan=False)


def test_the_sections_the_copy_builds_are_analyses_results_byte_for_byte(monkeypatch):
    data = load_study(SAMPLE)
    expected = _dumped(pipeline.analyse(data))
    results = pipeline.analyse(data, lazy=True)
    assert results["indices"] and results.build_elsewhere() and results.building_elsewhere
    built_here = []
    monkeypatch.setattr(pipeline, "_section", lambda key, *_: built_here.append(key))
    results.build_rest()  # waits for the copy: every other section comes from it
    assert built_here == []
    assert _dumped(results) == expected


def _builder(build, keys):
    delivered = {}
    return forked.ForkedBuilder(build, keys, delivered.__setitem__), delivered


def _started(builder, key: str) -> None:
    deadline = time.monotonic() + 30
    while builder._building != key:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_caller_waits_for_the_key_being_built_and_builds_a_key_not_started_itself():
    def build(key):
        time.sleep(0.3)
        return key.upper()

    builder, delivered = _builder(build, ["slow", "next", "later"])
    _started(builder, "slow")
    assert builder.take("slow") and delivered["slow"] == "SLOW"  # waited for it
    _started(builder, "next")
    assert not builder.take("later")  # not started: the caller builds it, the copy skips it
    builder.wait()
    assert delivered == {"slow": "SLOW", "next": "NEXT"}


def test_a_key_whose_build_fails_is_left_to_the_caller():
    def build(key):
        if key == "bad":
            raise ValueError("shown where the caller builds it")
        return 1

    builder, delivered = _builder(build, ["bad", "good"])
    builder.wait()
    assert delivered == {"good": 1} and not builder.take("bad")


def test_a_copy_using_no_processor_time_is_stopped_and_its_key_left_to_the_caller(monkeypatch):
    """E.g. a lock another thread held at the fork: the copy would wait for ever."""
    monkeypatch.setattr(forked, "STUCK_SECONDS", 0.3)
    held = threading.Lock()
    held.acquire()

    def build(key):
        with held:  # never released in the copy
            return key

    builder, delivered = _builder(build, ["stuck", "after"])
    _started(builder, "stuck")
    assert not builder.take("stuck")
    builder.wait()
    assert delivered == {} and forked._running[0] == 0
    held.release()


def test_when_no_copy_can_be_forked_build_rest_builds_the_sections(monkeypatch):
    def no_fork():
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(forked.os, "fork", no_fork)
    results = pipeline.analyse(load_study(SAMPLE), lazy=True)
    assert not results.build_elsewhere() and not results.building_elsewhere
    assert forked._running[0] == 0
