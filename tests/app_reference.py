"""The sample study's results, computed once per test session for the app and chart tests, and
the app started under AppTest."""
from functools import lru_cache
from pathlib import Path

from analysis.pipeline import analyse, with_abc_class
from surveys.load import load_study

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


@lru_cache(maxsize=1)
def sample_results() -> dict:
    """results.json of the sample study from the pipeline (the CLI's path plus the ABC column the
    app adds for its filter)."""
    return analyse(with_abc_class(load_study(SAMPLE / "study.yaml")))


def app_test(page: str | None = None, lang: str = "zh", secrets: dict | None = None,
             timeout: float = 180, **state):
    """``app.py`` under AppTest, run once with ``secrets`` and session ``state`` (the language
    ``lang``), then switched to ``page`` and run again when one is given."""
    from streamlit.testing.v1 import AppTest

    from ui import state as S

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    at.session_state[S.LANG] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at
