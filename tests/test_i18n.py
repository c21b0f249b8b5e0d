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


def test_a_message_is_its_english_text_and_renders_in_chinese():
    """A Text is a str (English) that keeps its key: it goes into lists, DataFrames and
    results.json as text and is still shown in the reader's language."""
    import pickle

    from surveys.i18n import Text, msg, render

    note = msg("note_empty_rows", n=2, rows="3, 5")
    assert isinstance(note, str) and note == "2 empty row(s) skipped (file rows 3, 5)"
    assert render(note, "zh") == "跳过了 2 个空行（文件第 3, 5 行）"
    assert pickle.loads(pickle.dumps(note)).render("zh") == render(note, "zh")
    listed = msg("duplicate_columns", columns=[msg("duplicate_column", name="a", columns="A, C"),
                                               msg("duplicate_column", name="b", columns="B, D")])
    assert listed == "duplicate column names: 'a' in columns A, C; 'b' in columns B, D"
    assert render(listed, "zh") == "列名重复：“a”在第 A, C 列；“b”在第 B, D 列"
    assert render("plain", "zh") == "plain" and isinstance(msg("file_empty"), Text)


def test_every_study_error_and_note_of_the_code_is_a_message():
    """No StudyError, importer/load note or quality detail is built from a bare English string:
    each is a msg() Text, so that the CLI and the app can show it in zh and en."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    bare = re.compile(r"(StudyError|StoreBusy|self\.fail)\(\s*f?[\"']|expected=f?[\"'][a-z]"
                      r"|notes\.(append|insert)\(\s*(\d+,\s*)?f?\"|reasons\.append\(f?\"|"
                      r"warnings\.append\(f?\"|\"detail\": f?\"")
    found = [f"{path.relative_to(root)}:{n}" for d in ("surveys", "analysis", "ui")
             for path in (root / d).rglob("*.py")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if bare.search(line)]
    assert found == []


def test_notes_and_details_of_a_loaded_study_render_in_chinese(tmp_path):
    from surveys.i18n import Text, render
    from surveys.load import load_study

    rows = ["r1,4,4,4,4,4", "r2,4,5,3,2,4", "r3,2,3,4,5,4", "r4,3,3,3,3,3", "r5,5,4,5,4,4"]
    (tmp_path / "c.csv").write_text("id,Q1,Q2,Q3,Q4,Q5\n" + "\n".join(rows) + "\n\n",
                                    encoding="utf-8")
    (tmp_path / "s.yaml").write_text("title: t\ngroups: {c: c.csv}\n"
                                     "dimensions: {d: [Q1, Q2, Q3, Q4, Q5]}\n", encoding="utf-8")
    data = load_study(tmp_path / "s.yaml")
    quality = data.groups[(data.study.wave, "c")].quality
    assert quality.notes and all(isinstance(n, Text) for n in quality.notes + data.notes)
    assert [render(n, "zh") for n in quality.notes] == ["按 utf-8 编码、逗号分隔的文本读取",
                                                        "跳过了 1 个空行（文件第 7 行）"]
    assert render(data.notes[0], "zh") == "研究文件未给出量表：按答案取 2-5"
    details = quality.to_json()["rules"]["straightliners"]["examples"]
    assert [render(d["detail"], "zh") for d in details] == ["所有维度题项的答案都相同"] * 2
    assert details[0]["detail"] == "the same answer to every dimension item"  # results.json: English


def test_every_section_has_a_name_for_the_progress_lines(tmp_path, capsys):
    from analysis.__main__ import progress_lines
    from analysis.i18n import table
    from analysis.pipeline import analyse
    from surveys.load import load_study
    from ui.setup import SECTIONS

    assert [s for s in SECTIONS if f"progress_{s}" not in table()] == []
    (tmp_path / "c.csv").write_text("Q1,Q2,Q3\n4,5,4\n3,4,4\n5,5,4\n2,3,2\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text("title: t\ngroups: {c: c.csv}\ndimensions: {d: [Q1, Q2, Q3]}\n",
                                     encoding="utf-8")
    analyse(load_study(tmp_path / "s.yaml"), progress=progress_lines("zh"))
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("…")]
    assert lines[:3] == ["… 研究概况", "… 数据质量", "… 信度"]
