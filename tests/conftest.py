"""Shared test set-up: no test touches the user's real study store."""
import pytest


@pytest.fixture(autouse=True)
def private_store(tmp_path_factory, monkeypatch):
    """Point the study store (``SURVEY_STORE``) at a fresh database of the test's own (outside
    ``tmp_path``, which some tests compare file by file)."""
    path = tmp_path_factory.mktemp("store") / "store.duckdb"
    monkeypatch.setenv("SURVEY_STORE", str(path))
    return path
