"""The translation table: every label in both languages, as text, each key in one file."""
from analysis.i18n import LANGUAGES, t, table


def test_every_label_has_both_languages_as_text():
    # a YAML trap: an unquoted "Yes, ..." in a flow mapping is the boolean True
    broken = {key: texts for key, texts in table().items()
              if set(texts) != set(LANGUAGES) or not all(isinstance(v, str) and v.strip()
                                                         for v in texts.values())}
    assert broken == {}


def test_lookup_and_placeholders():
    assert t("store_saved", "en", id=3) == "Saved as study 3."
    assert t("no such label", "en") == "no such label"


def test_every_message_key_in_the_code_is_in_the_table():
    """Every ``msg("key")`` of the code names a message with both languages."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = [*root.glob("*.py"), *(p for d in ("surveys", "analysis", "ui")
                                   for p in (root / d).rglob("*.py"))]
    used = {key for path in files
            for key in re.findall(r"\bmsg\(\s*\"([A-Za-z0-9_]+)\"", path.read_text(encoding="utf-8"))}
    assert used, "no msg() calls found"
    assert sorted(used - set(table())) == []


def test_study_error_in_both_languages():
    from surveys.errors import Location, StudyError
    from surveys.i18n import msg

    error = StudyError(msg("study_file_unreadable", reason="busy"), file="/x/study.yaml", row=3,
                       column="SAT1", expected=msg("study_file_not_utf8_expected"),
                       more=[Location("/x/study.yaml", r, "SAT1") for r in (4, 5, 6, 7, 8)])
    assert str(error) == ("study.yaml, row 3, column 'SAT1': cannot read the study file (busy) "
                          "(expected a YAML file saved as UTF-8); same problem at study.yaml, "
                          "row 4, column 'SAT1'; study.yaml, row 5, column 'SAT1'; study.yaml, "
                          "row 6, column 'SAT1' and 2 more")
    assert error.render("zh") == ("study.yaml，第 3 行，列“SAT1”：无法读取研究文件（busy）"
                                  "（应为：以 UTF-8 编码保存的 YAML 文件）；同样的问题还在 "
                                  "study.yaml，第 4 行，列“SAT1”；study.yaml，第 5 行，列“SAT1”；"
                                  "study.yaml，第 6 行，列“SAT1” 等另外 2 处")
