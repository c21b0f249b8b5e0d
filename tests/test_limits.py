"""The limits on what is read (surveys/limits.py) and the checks against hostile files: each
limit is checked before the step it guards, its error names the number found, the limit and its
environment variable, and changing the variable changes the limit."""
from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from surveys import limits
from surveys.errors import StudyError, run_command
from surveys.i18n import msg
from surveys.importers import read_table
from surveys.study import parse_study, read_study
from tests.corpus.make_corpus import (SHEET_HEAD, SHEET_TAIL, STUDY, answers, workbook_parts,
                                      write_study, xlsx_bytes, zip_with_parts)


def _raises(call, *texts):
    with pytest.raises(StudyError) as caught:
        call()
    message = caught.value.render("en")
    for text in texts:
        assert text in message, message
    return caught.value


# ---------------------------------------------------------------- the limits themselves

def test_every_limit_reads_its_variable_and_refuses_nonsense(monkeypatch):
    for name, spec in limits.LIMITS.items():
        monkeypatch.delenv(spec.env, raising=False)
        assert limits.limit(name) == spec.default
        monkeypatch.setenv(spec.env, "7")
        assert limits.limit(name) == 7
        for bad in ("-1", "0", "lots", "nan"):
            monkeypatch.setenv(spec.env, bad)
            _raises(lambda: limits.limit(name), spec.env, "not a positive number")


def test_every_limit_is_in_the_readme():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for spec in limits.LIMITS.values():
        assert f"`{spec.env}`" in readme, spec.env


def test_printable_and_shorten_keep_the_terminal_safe():
    assert limits.printable("a\x1b[2Jb\rc\td\u202ee\x00") == "a\\x1b[2Jb\\rc\\td\\u202ee\\x00"
    assert limits.printable("客户 é") == "客户 é"
    assert limits.shorten("x" * 100, 10) == "xxxxxxxxxx…(+90)"


def test_a_long_placeholder_value_is_cut_in_every_message():
    error = StudyError(msg("data_file_outside_folder", path="y" * 5000))
    assert len(error.render("en")) < 1200 and "…(+4000)" in error.render("zh")


def test_the_cli_escapes_control_characters_in_its_error_line(capsys):
    def fail():
        raise StudyError("a study titled 'x\x1b[2J\ry' is stored already")
    assert run_command(fail) == 2
    assert capsys.readouterr().err.strip() == (
        "error: a study titled 'x\\x1b[2J\\ry' is stored already")


# ---------------------------------------------------------------- file sizes, archives, shapes

def test_a_data_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 300_000)  # 1.2 MB
    monkeypatch.setenv("SURVEY_MAX_FILE_MB", "1")
    error = _raises(lambda: read_table(path), "1.1 MB", "limit of 1 MB", "SURVEY_MAX_FILE_MB")
    assert error.file == path
    monkeypatch.setenv("SURVEY_MAX_FILE_MB", "2")
    assert len(read_table(path).frame) == 300_000


def _bomb(tmp_path: Path, times: int) -> Path:
    parts = workbook_parts()
    parts["xl/worksheets/sheet1.xml"] = (SHEET_HEAD, b'<row><c t="inlineStr"><is><t>4</t></is>'
                                                     b'</c></row>' * 20_000, times, SHEET_TAIL)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zip_with_parts(parts))
    return path


def test_zip_bombs_are_refused_from_the_zip_directory(tmp_path, monkeypatch):
    path = _bomb(tmp_path, 30)  # 29 MB of rows in a small file
    with zipfile.ZipFile(path) as archive:
        parts = archive.infolist()
    sheet = next(p for p in parts if p.filename == "xl/worksheets/sheet1.xml")
    total = sum(p.file_size for p in parts) / limits.MB
    start = time.monotonic()
    _raises(lambda: read_table(path), "'xl/worksheets/sheet1.xml'",
            f"({sheet.file_size / sheet.compress_size:,.0f} times)", "limit of 200 times",
            "SURVEY_MAX_ZIP_RATIO", "zip bomb")
    assert time.monotonic() - start < 5
    monkeypatch.setenv("SURVEY_MAX_ZIP_RATIO", "100000")
    monkeypatch.setenv("SURVEY_MAX_UNZIPPED_MB", "20")
    _raises(lambda: read_table(path), f"unpacks to {total:,.1f} MB", "limit of 20 MB",
            "SURVEY_MAX_UNZIPPED_MB")
    monkeypatch.setenv("SURVEY_MAX_ZIP_ENTRIES", "3")
    _raises(lambda: read_table(path), f"holds {len(parts)} parts", "limit of 3",
            "SURVEY_MAX_ZIP_ENTRIES")


def test_a_workbook_within_the_limits_is_read(tmp_path, monkeypatch):
    """The limits do not refuse what they should not: a real workbook, and a compressed one
    when its ratio is allowed."""
    frame = answers(n=200)
    path = tmp_path / "real.xlsx"
    path.write_bytes(xlsx_bytes(frame))
    assert read_table(path).frame.shape == (200, 7)
    monkeypatch.setenv("SURVEY_MAX_ZIP_RATIO", "100000")
    assert len(read_table(_bomb(tmp_path, 2)).frame) == 39_999  # and a header row


def test_a_distant_cell_is_refused_at_once(tmp_path, monkeypatch):
    parts = workbook_parts()
    parts["xl/worksheets/sheet1.xml"] = SHEET_HEAD + (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>A1</t></is></c></row>'
        b'<row r="600000"><c r="B600000"><v>1</v></c></row></sheetData></worksheet>')
    path = tmp_path / "far.xlsx"
    path.write_bytes(zip_with_parts(parts))
    monkeypatch.setenv("SURVEY_MAX_ROWS", "500000")
    error = _raises(lambda: read_table(path), "600,000 rows", "limit of 500,000",
                    "SURVEY_MAX_ROWS")
    assert error.row == 600_000
    monkeypatch.setenv("SURVEY_MAX_ROWS", "1000000")
    monkeypatch.setenv("SURVEY_MAX_CELLS", "1000000")
    _raises(lambda: read_table(path), "1,200,000 cells", "SURVEY_MAX_CELLS")


def test_too_many_columns_in_a_sheet_and_in_a_csv(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_MAX_COLUMNS", "100")
    book = openpyxl.Workbook()
    book.active.append([f"Q{i}" for i in range(150)])
    book.active.append(list(range(150)))
    book.save(tmp_path / "wide.xlsx")
    error = _raises(lambda: read_table(tmp_path / "wide.xlsx"), "150 columns", "limit of 100")
    assert (error.row, error.column) == (1, "ET")
    (tmp_path / "wide.csv").write_text(",".join(f"Q{i}" for i in range(150)) + "\n" +
                                       ",".join("1" * 150) + "\n")
    _raises(lambda: read_table(tmp_path / "wide.csv"), "150 columns", "limit of 100")


def test_reading_stops_at_the_time_limit(tmp_path, monkeypatch):
    path = tmp_path / "rows.xlsx"
    path.write_bytes(xlsx_bytes(answers(n=3000)))
    monkeypatch.setenv("SURVEY_MAX_PARSE_SECONDS", "0.000001")
    error = _raises(lambda: read_table(path), "longer than the limit of 1e-06 s",
                    "SURVEY_MAX_PARSE_SECONDS")
    assert error.row == 1024  # checked every 1024 rows


def test_a_field_longer_than_the_csv_modules_limit_is_read(tmp_path):
    text = "id,comment,Q1\n1,\"" + "很好" * 100_000 + "\",4\n2,short,5\n"
    (tmp_path / "long.csv").write_text(text, encoding="utf-8")
    table = read_table(tmp_path / "long.csv")
    assert list(table.frame.columns) == ["id", "comment", "Q1"]
    assert len(table.frame.loc[0, "comment"]) == 200_000 and table.frame.loc[1, "Q1"] == "5"


def test_a_formula_without_a_saved_value_gets_a_note(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Q1", "Q2"])
    book.active.append([4, "=A2+1"])  # openpyxl saves the formula and no value
    book.active.append([3, "=A3*2"])
    book.save(tmp_path / "formulas.xlsx")
    table = read_table(tmp_path / "formulas.xlsx")
    assert table.frame["Q2"].isna().all()
    assert ("2 cell(s) hold a formula without a saved value (B2, B3) and were read as missing"
            in " ".join(map(str, table.notes)))
    book = openpyxl.Workbook()
    book.active.append(["Q1"])
    book.active.append([4])
    book.save(tmp_path / "plain.xlsx")
    assert not any("formula" in str(note) for note in read_table(tmp_path / "plain.xlsx").notes)


# ---------------------------------------------------------------- the study file

def test_yaml_aliases_are_bounded_before_the_document_is_built(tmp_path):
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    text = "\n".join(lines) + "\n" + STUDY.replace("title: Corpus study", "title: *a8")
    start = time.monotonic()
    error = _raises(lambda: parse_study(text, base_dir=tmp_path),
                    "aliases (*name) expand to more than 100,000 values", "SURVEY_MAX_YAML_NODES")
    assert time.monotonic() - start < 2 and error.row == 6
    recursive = STUDY + "labels: &loop {x: *loop}\n"
    _raises(lambda: parse_study(recursive, base_dir=tmp_path), "refers to itself")


def test_a_few_aliases_are_still_welcome(tmp_path):
    write_study(tmp_path, STUDY.replace("  customers: {file: customers.csv}",
                                        "  customers: {file: &f customers.csv}\n"
                                        "  others: {file: *f}"))
    study = read_study(tmp_path / "study.yaml")
    assert [s.file.name for s in study.sources] == ["customers.csv", "customers.csv"]


def test_a_list_where_a_name_belongs_is_not_written_out(tmp_path):
    text = "segments: &b [" + ", ".join(["word"] * 2000) + "]\n" + STUDY.replace(
        "title: Corpus study", "title: *b").replace("segments: [region]\n", "")
    error = _raises(lambda: parse_study(text, base_dir=tmp_path), "a list is not a name")
    assert "word" not in error.render("en")


def test_a_study_file_over_its_size_limit_is_refused(tmp_path, monkeypatch):
    write_study(tmp_path, STUDY + "#" + "x" * 3000 + "\n")
    monkeypatch.setenv("SURVEY_MAX_STUDY_FILE_KB", "2")
    _raises(lambda: read_study(tmp_path / "study.yaml"), "3 KB", "limit of 2 KB",
            "SURVEY_MAX_STUDY_FILE_KB")


@pytest.mark.parametrize("change, key", [
    (("  customers: {file", "  'customers|x': {file"), "groups"),
    (("  B: [B1", "  'B|C': [B1"), "dimensions"),
])
def test_a_pipe_in_a_group_or_dimension_name_is_refused(tmp_path, change, key):
    write_study(tmp_path, STUDY.replace(*change))
    error = _raises(lambda: read_study(tmp_path / "study.yaml"), "contains '|'")
    assert error.key == key


def test_names_and_segment_answers_are_capped(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_MAX_LABEL_CHARS", "20")
    write_study(tmp_path, STUDY + "names: {A: " + "很" * 21 + "}\n")
    error = _raises(lambda: read_study(tmp_path / "study.yaml"), "has 21 characters",
                    "limit of 20", "SURVEY_MAX_LABEL_CHARS")
    assert error.key == "names"
    from surveys.load import load_study

    frame = answers()
    frame.loc[3, "region"] = "r" * 21
    write_study(tmp_path, frame=frame)
    error = _raises(lambda: load_study(tmp_path / "study.yaml"), "this answer has 21 characters")
    assert (error.row, error.column) == (5, "region")
    monkeypatch.setenv("SURVEY_MAX_SEGMENT_LEVELS", "1")
    write_study(tmp_path)
    error = _raises(lambda: load_study(tmp_path / "study.yaml"), "2 different answers",
                    "more than the 1 a segment may have")
    assert (error.column, error.key) == ("region", "segments")


def test_an_example_answer_in_results_is_cut(tmp_path):
    from surveys.load import load_study

    frame = answers().astype({"A1": object})
    frame.loc[2, "A1"] = "bad " * 10_000
    write_study(tmp_path, STUDY + "invalid: missing\n", frame=frame)
    quality = load_study(tmp_path / "study.yaml").groups[("1", "customers")].quality.to_json()
    value = quality["rules"]["non_numeric"]["examples"][0]["value"]
    assert value.startswith("bad bad") and value.endswith("…(+39800)")


# ---------------------------------------------------------------- the app's folder

@pytest.mark.parametrize("file, exists", [("/etc/group", True), ("../outside.csv", True),
                                          ("../nowhere.csv", False), ("link.csv", True)])
def test_the_app_refuses_data_files_outside_its_folder(tmp_path, file, exists):
    """Before it is asked whether the file exists (so the answer tells nothing about the
    server's files), links followed; the command line reads them."""
    folder = tmp_path / "upload"
    write_study(folder)
    (tmp_path / "outside.csv").write_bytes((folder / "customers.csv").read_bytes())
    os.symlink(tmp_path / "outside.csv", folder / "link.csv")
    text = STUDY.replace("customers.csv", file)
    error = _raises(lambda: parse_study(text, base_dir=folder, inside=folder),
                    "is outside the folder of the uploaded files")
    assert error.key == "groups.customers.file"
    if exists:
        assert parse_study(text, base_dir=folder).sources[0].file.is_file()
    inside = parse_study(STUDY, base_dir=folder, inside=folder)
    assert inside.sources[0].file == (folder / "customers.csv").resolve()


def test_the_app_refuses_a_stopwords_file_outside_its_folder(tmp_path, monkeypatch):
    """``text: {stopwords: FILE}`` is a file the study names too: the same folder rule, the
    same size limit."""
    folder = tmp_path / "upload"
    write_study(folder)
    (folder / "stop.txt").write_text("# mine\n服务\n", encoding="utf-8")
    outside = STUDY + "comments: [region]\ntext: {stopwords: /etc/group}\n"
    error = _raises(lambda: parse_study(outside, base_dir=folder, inside=folder),
                    "is outside the folder of the uploaded files")
    assert error.key == "text.stopwords"
    mine = STUDY + "comments: [region]\ntext: {stopwords: stop.txt}\n"
    assert parse_study(mine, base_dir=folder, inside=folder).text.stopwords == {"服务"}
    monkeypatch.setenv("SURVEY_MAX_FILE_MB", "0.000001")
    _raises(lambda: parse_study(mine, base_dir=folder), "SURVEY_MAX_FILE_MB")


@pytest.mark.parametrize("extra, key", [
    ("comments: [region]\nthemes: {" + "长" * 21 + ": [服务]}\n", "themes"),
    ("pls: {constructs: {" + "c" * 21 + ": [B1, B2]}, paths: ['A -> " + "c" * 21 + "']}\n",
     "pls.constructs"),
])
def test_theme_and_construct_names_are_capped(tmp_path, monkeypatch, extra, key):
    """The names that came with the comments (themes) and the structural model (constructs)
    are labels like any other."""
    monkeypatch.setenv("SURVEY_MAX_LABEL_CHARS", "20")
    write_study(tmp_path, STUDY + extra)
    error = _raises(lambda: read_study(tmp_path / "study.yaml"), "has 21 characters",
                    "SURVEY_MAX_LABEL_CHARS")
    assert error.key == key
