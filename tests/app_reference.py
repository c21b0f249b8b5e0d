"""The sample study's results, computed once per test session for the app and chart tests."""
from functools import lru_cache
from pathlib import Path

from analysis.pipeline import analyse, with_abc_class
from surveys.load import load_study

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@lru_cache(maxsize=1)
def sample_results() -> dict:
    """results.json of the sample study from the pipeline (the CLI's path plus the ABC column the
    app adds for its filter)."""
    return analyse(with_abc_class(load_study(SAMPLE / "study.yaml")))
