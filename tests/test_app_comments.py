"""The Comments page and the dashboard's detractor themes under AppTest: the numbers shown are
those of results.json (computed here by the pipeline), the theme editor writes ``themes:`` into
the session's study file byte-exact, and comments are escaped in Markdown."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.text import top_detractor_themes
from surveys.study import parse_study
from tests.app_reference import sample_results
from ui import state as S
from ui.setup import escape_markdown

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SAMPLE = ROOT / "data" / "sample"
PAGE = "ui/pages/10_comments.py"


def _app(page: str, lang: str = "en", **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state[S.LANG] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.fixture(scope="module")
def entry() -> dict:
    return sample_results()["text"]["customers"]["comment"]


def test_comments_page_shows_the_results(entry):
    at = _app(PAGE)
    assert [m.value for m in at.metric] == [str(entry["n_answered"]), str(entry["n_blank"]),
                                            f"{entry['other']['share'] * 100:.1f}%"]
    table = at.dataframe[0].value
    assert table["Theme"].tolist() == [t["name"] for t in entry["themes"]]
    assert table["n"].tolist() == [t["n"] for t in entry["themes"]]
    assert table["Mean satisfaction"].tolist() == [f"{t['satisfaction']['mean']:.2f}"
                                                   for t in entry["themes"]]
    assert table["NPS"].tolist() == [f"{t['nps']:.0f}" for t in entry["themes"]]
    words = [b for b in at.get("download_button") if b.proto.label == "Word"]
    assert len(words) == 1  # the theme table's own Word download (a theme's comments are not a table to cite)


def test_dashboard_lists_the_three_themes_with_most_detractors(entry):
    at = _app("ui/pages/0_dashboard.py", lang="zh")
    lines = [m.value for m in at.markdown if m.value.startswith("- **")]
    top = top_detractor_themes(entry)
    assert [t["name"] for t in top] == ["定制与培训", "专人对接", "客户信息"]
    for theme in top:
        assert any(line.startswith(f"- **{theme['name']}**：{theme['n']} 条意见") for line in lines)


UPLOADED = ("# an uploaded study\ntitle: t   # keep this comment\nscale: {min: 1, max: 5}\n"
            "groups: {customers: c.csv}\ndimensions: {d: [Q1, Q2]}\nnps: REC\n"
            "comments: [note]\nthemes:\n  old: [慢]  # replaced with the block\n"
            "# after the block\nnames: {customers: {zh: 客户, en: Customers}}\n")


def _uploaded(folder: Path) -> dict:
    (folder / "c.csv").write_text("Q1,Q2,REC,note\n" + "".join(
        f"{1 + i % 5},{1 + i % 5},{i % 11},{['送餐太慢', '价格太贵', '态度很好'][i % 3]}\n"
        for i in range(30)), encoding="utf-8")
    return {"yaml": UPLOADED, "dir": str(folder)}


def test_theme_editor_writes_the_themes_block_into_the_session_study_file(tmp_path):
    rows = pd.DataFrame([{"theme": "价格", "terms": "价格，优惠、贵"},
                         {"theme": "a: b", "terms": "慢, 等了"}])
    at = _app(PAGE, comments_editor_rows=rows, **{S.SOURCE: _uploaded(tmp_path)})
    at.button(key="comments_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    source = at.session_state[S.SOURCE]
    head, rest = UPLOADED.split("themes:\n", 1)
    tail = rest[rest.index("# after the block"):]
    assert source["yaml"] == head + 'themes:\n  价格: [价格, 优惠, 贵]\n  "a: b": [慢, 等了]\n' + tail
    assert source["dir"] == str(tmp_path)
    assert [s.value for s in at.success] == ["The themes are in the study file; the results are "
                                             "updated."]
    table = at.dataframe[0].value
    assert table["Theme"].tolist() == ["价格", "a: b"] and table["n"].tolist() == [10, 10]


def test_theme_twice_is_an_error_and_nothing_is_written():
    rows = pd.DataFrame([{"theme": "a", "terms": "x"}, {"theme": "a", "terms": "y"}])
    at = _app(PAGE, comments_editor_rows=rows)
    at.button(key="comments_save").click().run()
    assert [e.value for e in at.error] == [escape_markdown("key 'themes': theme 'a' is given twice")]
    assert at.session_state[S.SOURCE] is None


def test_comment_text_is_escaped_in_markdown(tmp_path):
    evil = "**bold** [link](http://example.com) <b>x</b>"
    (tmp_path / "c.csv").write_text(
        "Q1,Q2,REC,note\n" + "".join(f"{1 + i % 5},{1 + i % 5},{i % 11},{evil if i % 2 else '好'}\n"
                                     for i in range(40)), encoding="utf-8")
    study = ("title: t\nscale: {min: 1, max: 5}\ngroups: {customers: c.csv}\n"
             "dimensions: {d: [Q1, Q2]}\nnps: REC\ncomments: [note]\n"
             "themes: {'[x](http://e.com)': [bold]}\n")
    parse_study(study, base_dir=tmp_path)
    at = _app("ui/pages/0_dashboard.py", **{S.SOURCE: {"yaml": study, "dir": str(tmp_path)}})
    lines = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert lines and escape_markdown("[x](http://e.com)") in lines[0]
    assert escape_markdown(evil) in lines[0] and "](http" not in lines[0].replace("\\]\\(", "")
    at = _app(PAGE, **{S.SOURCE: {"yaml": study, "dir": str(tmp_path)}})
    assert at.dataframe[0].value["Theme"].tolist() == ["[x](http://e.com)"]  # plain text there


def _shown(at: AppTest) -> list:
    """What the page shows, in order: headings, numbers, tables, buttons, charts."""
    return ([s.value for s in at.subheader] + [m.value for m in at.metric]
            + [d.value.to_dict() for d in at.dataframe] + [b.label for b in at.button]
            + [c.value for c in at.caption] + [len(at.get("plotly_chart"))])


def test_comments_page_opened_before_its_section_is_built():
    """Opened first, the page is laid out from the text section's preview and fills in the
    keywords and suggested themes when the section is built: the same page as once it is."""
    from ui import setup

    setup._results_store.clear()
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state[S.LANG] = "en"
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    results = next(iter(setup._results_store().values()))[0]
    assert "text" in results._previews and results.ready("text")  # the preview laid it out
    first = _shown(at)
    at.run()
    assert _shown(at) == first and first[-1] == 1  # the keyword chart
    assert not at.get("json")
