"""A large text file's one-digit columns read as int8 categoricals (``read_table(digits=True)``)
against the text read, the former definition: the same cells, rows, notes and format; a file
that is not exactly one digit per answer falls back to the text read; the loader codes the
categoricals into the same int8 and float codes and gives the same results.json."""
import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from surveys.coding import _category_digit_codes, _digit_codes, code_answers
from surveys.importers import containers, read_table

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
TEXT = pd.StringDtype(na_value=np.nan)


@pytest.fixture
def every_size(monkeypatch):
    """Every UTF-8 text file read as digits where it can be (not only the large ones)."""
    monkeypatch.setattr(containers, "DIGIT_READ_BYTES", 0)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({c: TEXT for c in frame.columns
                         if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def read_both(path: Path):
    """The table read as digits and read as text, checked equal; returns the digits' table."""
    digits, text = read_table(path, digits=True), read_table(path)
    pd.testing.assert_frame_equal(as_text(digits.frame), text.frame)
    assert np.array_equal(digits.file_rows, text.file_rows)
    assert [str(n) for n in digits.notes] == [str(n) for n in text.notes]
    assert (digits.format, digits.questions, digits.meta_columns) == (
        text.format, text.questions, text.meta_columns)
    return digits


def categorical(table) -> set[str]:
    return {c for c in table.frame.columns
            if isinstance(table.frame[c].dtype, pd.CategoricalDtype)}


def answers(rng, n: int, missing: float = 0.1) -> list[str]:
    """``n`` answers 1-5 as text, a share ``missing`` of them empty."""
    return np.where(rng.random(n) < missing, "", rng.integers(1, 6, n).astype(str)).tolist()


def write_rows(path: Path, rows: list[list[str]], newline: str = "\n", bom: bool = False,
               end: bool = True) -> None:
    lines = [",".join(row) for row in rows]
    text = newline.join(lines) + (newline if end else "")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


@pytest.mark.parametrize("newline, bom, end", [("\n", False, True), ("\r\n", False, True),
                                                ("\n", True, True), ("\r\n", True, False)])
def test_digit_columns_are_the_text_reads_cells(tmp_path, every_size, newline, bom, end):
    """Items of one digit with missing cells beside text columns (ids, Chinese answers): the
    item columns come as categoricals, the others as text, every cell the text read's; with
    line feeds or CRLF, with or without a byte-order mark and a last line break."""
    rng = np.random.default_rng(1)
    n = 3000
    columns = {"id": [f"R{i}" for i in range(n)], "q1": answers(rng, n), "地区": [
        rng.choice(["北京", "石家庄", ""]) for _ in range(n)], "q2": answers(rng, n),
        "sex": [str(rng.integers(1, 3)) for _ in range(n)], "q3": answers(rng, n, 0.6)}
    path = tmp_path / "answers.csv"
    write_rows(path, [list(columns), *zip(*columns.values())], newline, bom, end)
    table = read_both(path)
    assert categorical(table) == {"q1", "q2", "sex", "q3"}
    assert list(table.frame["q1"].cat.categories) == list("012345")


def test_header_rows_become_categories(tmp_path, every_size):
    """Three header rows (a Qualtrics export: names, quoted question texts, import ids) above
    one-digit answers: the header texts are further categories of the digit columns, and the
    platform reads the same table."""
    rng = np.random.default_rng(2)
    n = 2000
    rows = [["ResponseId", "Q1_1", "Q1_2"],
            ['"Response ID"', '"How satisfied, overall? - Service"', '"Q1 - Price"'],
            ['"{""ImportId"":""_recordId""}"', '"{""ImportId"":""QID1_1""}"',
             '"{""ImportId"":""QID1_2""}"'],
            *([f"R_{i}", a, b] for i, a, b in zip(range(n), answers(rng, n), answers(rng, n)))]
    path = tmp_path / "qualtrics.csv"
    write_rows(path, rows)
    grid = containers.read_container(path, digits=True)
    assert isinstance(grid[1].dtype, pd.CategoricalDtype) and grid[1].iloc[0] == "Q1_1"
    table = read_both(path)
    assert table.format == "qualtrics" and categorical(table) == {"Q1_1", "Q1_2"}


@pytest.mark.parametrize("late", ["10", '"4"', " 4", "+4", "04", "4.0", "x", "", "\n3"])
def test_anything_but_one_digit_below_the_sample_is_read_as_text(tmp_path, every_size, late):
    """An answer that is not one digit (or a blank line, or a cell across two lines) far below
    the sample that chose the digit columns: the text read reads the file, the same cells."""
    rng = np.random.default_rng(3)
    n = 150_000  # ~0.6 MB: the sample (256 KiB) ends before the last rows
    q1, q2 = answers(rng, n), answers(rng, n)
    q1[-5] = late if late != "\n3" else '"\n3"'
    rows = [["q1", "q2"], *zip(q1, q2)]
    path = tmp_path / "late.csv"
    write_rows(path, rows if late else [*rows[:-5], [], *rows[-5:]])
    assert path.stat().st_size > 2 * containers._SAMPLE_BYTES
    table = read_both(path)
    assert not categorical(table)


def test_quotes_or_small_files_keep_the_text_read(tmp_path, monkeypatch):
    """Quoted answers in the sample, a header cell across two lines, a file below
    DIGIT_READ_BYTES or a non-UTF-8 file: no column read as digits."""
    rng = np.random.default_rng(4)
    n = 2000
    small = tmp_path / "small.csv"
    write_rows(small, [["q1", "q2"], *zip(answers(rng, n), answers(rng, n))])
    assert not categorical(read_both(small))
    monkeypatch.setattr(containers, "DIGIT_READ_BYTES", 0)
    quoted = tmp_path / "quoted.csv"
    write_rows(quoted, [["q1", "q2"], *([f'"{a}"', b] for a, b in zip(answers(rng, n),
                                                                     answers(rng, n)))])
    spanning = tmp_path / "spanning.csv"
    write_rows(spanning, [["q1", '"two\nlines"'], *zip(answers(rng, n), answers(rng, n))])
    chinese = tmp_path / "gb18030.csv"
    chinese.write_bytes(small.read_text().replace("q1", "满意度").encode("gb18030"))
    for path in (quoted, spanning, chinese):
        assert not categorical(read_both(path))


def test_category_codes_are_the_digit_codes():
    """Codes looked up in the categories equal the codes read from the texts' bytes (int8,
    -128 missing), and a categorical with any other answer in use is not coded so."""
    rng = np.random.default_rng(5)
    texts = [None if rng.random() < 0.2 else str(rng.integers(0, 10)) for _ in range(5000)]
    want = _digit_codes(pa.array(texts, pa.large_string()))
    assert np.array_equal(_category_digit_codes(pd.Categorical(texts)), want)
    shuffled = pd.Categorical(texts, categories=["7", "header", "0", *"12345689"])
    assert np.array_equal(_category_digit_codes(shuffled), want)
    assert _category_digit_codes(pd.Categorical([*texts, "10"])) is None
    coded = code_answers(pd.Series(pd.Categorical(texts)))
    assert np.array_equal(coded.whole, want)
    assert np.array_equal(coded.codes.to_numpy(), np.where(want == -128, np.nan, want),
                          equal_nan=True)
    labelled = code_answers(pd.Series(pd.Categorical(["同意", "4", None])))
    assert labelled.whole is None and np.array_equal(labelled.codes.to_numpy(), [4, 4, np.nan],
                                                     equal_nan=True)


def sample_as_utf8_csv(folder: Path) -> Path:
    """The sample study with every data file as a UTF-8 CSV of the same cells."""
    for source in SAMPLE.iterdir():
        shutil.copy(source, folder / source.name)
    study = (folder / "study.yaml").read_text(encoding="utf-8")
    for path in sorted(folder.glob("*.xlsx")) + sorted(folder.glob("*.csv")):
        grid = containers.read_container(path)
        target = path.with_name(path.stem + "_utf8.csv")
        with target.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(grid.astype(object).where(grid.notna(), "")
                                         .itertuples(index=False))
        study = study.replace(path.name, target.name)
    (folder / "study.yaml").write_text(study, encoding="utf-8")
    return folder / "study.yaml"


def test_sample_study_read_as_digits_gives_the_same_outputs(tmp_path, monkeypatch):
    """The sample study's files as UTF-8 CSVs, read as digits and as text: the same
    results.json and respondents.csv, byte for byte, and the digits were read as such."""
    from analysis.__main__ import main
    from surveys import load

    study = sample_as_utf8_csv(tmp_path)
    assert main(["run", str(study), "--out", str(tmp_path / "text"), "--quiet"]) == 0
    monkeypatch.setattr(containers, "DIGIT_READ_BYTES", 0)
    data = load.load_study(study)
    assert all(group.whole is not None for group in data.groups.values())
    read = read_table(next(tmp_path.glob("employees*_utf8.csv")), digits=True)
    assert "ID1" not in read.frame and categorical(read)  # items before their renaming
    assert main(["run", str(study), "--out", str(tmp_path / "digits"), "--quiet"]) == 0
    for name in ("results.json", "respondents.csv"):
        assert (tmp_path / "digits" / name).read_bytes() == (tmp_path / "text" / name).read_bytes()
    results = json.loads((tmp_path / "digits" / "results.json").read_text(encoding="utf-8"))
    assert results["reliability"]


def test_loader_turns_other_digit_columns_into_text(tmp_path, every_size):
    """A one-digit segment column (sex 1/2) and a one-digit id are text after loading, as
    from any other read; the items are coded from their codes."""
    from surveys.load import load_study

    rng = np.random.default_rng(6)
    n = 400
    columns = {"id": [str(i % 10) for i in range(n)], "sex": [str(rng.integers(1, 3))
                                                            for _ in range(n)],
               **{f"q{i}": answers(rng, n, 0.02) for i in range(1, 7)}}
    write_rows(tmp_path / "c.csv", [list(columns), *zip(*columns.values())])
    (tmp_path / "s.yaml").write_text(
        "title: t\nscale: {min: 1, max: 5}\ngroups:\n  customers: c.csv\n"
        "dimensions:\n  a: [q1, q2, q3]\n  b: [q4, q5, q6]\nsegments: [sex]\n", encoding="utf-8")
    assert categorical(read_table(tmp_path / "c.csv", digits=True)) == set(columns)
    group = next(iter(load_study(tmp_path / "s.yaml").groups.values()))
    assert group.data["sex"].dtype == TEXT and group.data["q1"].dtype == np.float64
    assert set(group.whole[1].columns) >= {"q1", "q6"}
