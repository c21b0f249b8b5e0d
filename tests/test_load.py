"""Loading a study: renaming, coding, range checks, the quality report and exclusions."""
from pathlib import Path

import numpy as np
import pytest

from surveys.errors import StudyError
from surveys.load import FILE_ROW, load_study

HEADER = "id,secs,Q1,Q2,Q3,Q4,Q5,Q6,REC\n"
ROWS = [
    "r1,300,4,5,4,2,4,4,9",
    "r2,320,3,3,4,3,3,4,7",
    "r3,40,4,4,5,1,5,4,10",     # speeder: 40 < 310 / 3
    "r4,280,5,5,5,5,5,5,8",     # straight-liner (raw answers, before reversing Q4)
    "r5,310,2,,3,4,2,3,3",      # a skipped answer
    "r2,330,3,3,4,3,3,4,7",     # same id as row 3: duplicate
    "r6,290,满意,非常满意,4分,2,4,4,6",  # labels and a score
]
STUDY = """
title: 测试
scale: {min: 1, max: 5}
groups:
  customers: {file: c.csv, rename: {secs: duration_s}}
dimensions:
  a: [Q1, Q2, Q3]
  b: [Q4, Q5, Q6]
reverse: [Q4]
nps: REC
id: id
duration: duration_s
"""


def write(folder: Path, rows=ROWS, study=STUDY) -> Path:
    (folder / "c.csv").write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    (folder / "study.yaml").write_text(study, encoding="utf-8")
    return folder / "study.yaml"


def test_codes_reverses_and_keeps_file_rows(tmp_path):
    data = load_study(write(tmp_path))
    frame = data.frames()["customers"]
    assert frame[FILE_ROW].tolist() == [2, 3, 4, 5, 6, 7, 8]
    assert frame["Q4"].tolist() == [4, 3, 5, 1, 2, 3, 4]  # 6 - x
    assert frame.loc[frame[FILE_ROW] == 8, ["Q1", "Q2", "Q3"]].to_numpy().tolist() == [[4, 5, 4]]
    assert np.isnan(frame.loc[frame[FILE_ROW] == 6, "Q2"]).all()


def test_quality_report_flags_without_excluding(tmp_path):
    report = load_study(write(tmp_path)).groups[("1", "customers")].quality
    flagged = {rule: report.findings.loc[report.findings["rule"] == rule, "row"].tolist()
               for rule in ("duplicates", "speeders", "straightliners")}
    assert flagged == {"duplicates": [7], "speeders": [4], "straightliners": [5]}
    assert report.excluded == {"duplicates": 0, "speeders": 0, "straightliners": 0}
    assert report.n == report.n_raw == 7
    assert report.missing["items"]["Q2"] == {"missing": 1, "share": 1 / 7}


def test_exclusions_counted_per_rule(tmp_path):
    study = STUDY + "exclude: {straightliners: true, speeders: true, duplicates: true}\n"
    data = load_study(write(tmp_path, study=study))
    report = data.groups[("1", "customers")].quality
    assert report.excluded == {"duplicates": 1, "speeders": 1, "straightliners": 1}
    assert data.frames()["customers"][FILE_ROW].tolist() == [2, 3, 6, 8]


def test_out_of_range_is_an_error_naming_file_row_column(tmp_path):
    rows = ROWS[:2] + ["r9,300,4,7,4,2,4,4,9"]
    with pytest.raises(StudyError) as info:
        load_study(write(tmp_path, rows=rows))
    assert str(info.value).startswith("c.csv, row 4, column 'Q2': answer '7' is outside the "
                                      "scale 1-5")


def test_unknown_label_and_bad_nps(tmp_path):
    with pytest.raises(StudyError, match=r"row 2, column 'Q3': answer '好' is not a number"):
        load_study(write(tmp_path, rows=["r1,300,4,5,好,2,4,4,9"]))
    with pytest.raises(StudyError, match=r"row 3, column 'REC': answer '11' is not a whole number "
                                         r"from 0 to 10"):
        load_study(write(tmp_path, rows=["r1,300,4,5,4,2,4,4,9", "r2,300,4,5,4,2,4,4,11"]))


def test_invalid_missing_turns_bad_answers_into_missing_and_reports_them(tmp_path):
    rows = ["r1,300,4,5,好,2,4,4,9", "r2,300,4,9,4,2,4,4,7"]
    data = load_study(write(tmp_path, rows=rows, study=STUDY + "invalid: missing\n"))
    frame = data.frames()["customers"]
    assert np.isnan(frame["Q3"].iloc[0]) and np.isnan(frame["Q2"].iloc[1])
    rules = data.groups[("1", "customers")].quality.to_json()["rules"]
    assert rules["non_numeric"]["count"] == 1 and rules["out_of_range"]["count"] == 1
    assert rules["out_of_range"]["examples"][0] == {"row": 3, "column": "Q2", "value": "9",
                                                    "detail": "outside the scale 1-5"}


def test_missing_item_column_is_named(tmp_path):
    study = STUDY.replace("b: [Q4, Q5, Q6]", "b: [Q4, Q5, Q7]")
    with pytest.raises(StudyError, match=r"c.csv, column 'Q7': item 'Q7' is not a column of this "
                                         r"file; similar columns"):
        load_study(write(tmp_path, study=study))


def test_rename_of_a_column_the_file_lacks(tmp_path):
    study = STUDY.replace("rename: {secs: duration_s}", "rename: {seconds: duration_s}")
    with pytest.raises(StudyError, match=r"key 'groups.customers.rename': the file has no column "
                                         r"'seconds'"):
        load_study(write(tmp_path, study=study))


TWO_FILES = STUDY.replace("  customers: {file: c.csv, rename: {secs: duration_s}}\n",
                          "  customers: {file: c.csv, rename: {secs: duration_s}}\n"
                          "  employees: {file: e.csv, rename: {secs: duration_s}}\n")


@pytest.mark.parametrize("customers, employees, study, error", [
    # the employees' file (read, coded and cleaned first) fails at a step before the customers'
    (ROWS[:1] + ["r9,300,4,5,4,2,4,4,11"], "", TWO_FILES, r"e.csv: the file is empty"),
    (ROWS[:1] + ["r9,300,4,5,4,2,4,4,11"], HEADER.replace("Q6", "Q7") + "\n".join(ROWS),
     TWO_FILES, r"e.csv, column 'Q6'"),
    (ROWS, HEADER + "r1,300,4,5,4,2,4,4,11\n", TWO_FILES.replace("scale: {min: 1, max: 5}\n", ""),
     r"e.csv, row 2, column 'REC'"),
    # both fail at the same step: the customers' file, first in the study, is named
    (ROWS[:1] + ["r9,300,4,5,4,2,4,4,11"], HEADER + "r1,300,9,5,4,2,4,4,12\n", TWO_FILES,
     r"c.csv, row 3, column 'REC'"),
    (ROWS, HEADER.replace("secs", "s") + "\n".join(ROWS),
     TWO_FILES.replace("file: c.csv, rename: {secs", "file: c.csv, rename: {sec"),
     r"'groups.customers.rename': the file has no column 'sec'"),
])
def test_files_run_ahead_raise_the_error_a_loop_over_the_steps_meets_first(
        tmp_path, customers, employees, study, error):
    """Each file is read, coded and cleaned on its own thread as soon as it is read; the error
    raised is still the one of the earliest step (reading, renaming, the columns, coding and
    cleaning), and within a step the one of the first file in the study's order."""
    write(tmp_path, rows=customers, study=study)
    (tmp_path / "e.csv").write_text(employees, encoding="utf-8")
    with pytest.raises(StudyError, match=error):
        load_study(tmp_path / "study.yaml")


def test_scale_inferred_when_not_given(tmp_path):
    data = load_study(write(tmp_path, study=STUDY.replace("scale: {min: 1, max: 5}\n", "")))
    assert (data.scale.min, data.scale.max, data.scale_inferred) == (1.0, 5.0, True)
    assert data.notes


def test_rename_by_full_matrix_header_of_a_wjx_export(tmp_path):
    import shutil

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    shutil.copy(sample / "customers_2019.xlsx", tmp_path / "c.xlsx")
    full = ("5、请根据贵单位的实际感受，评价D公司在“客户识别”方面的表现(矩阵单选题 *必答)—"
            "D公司准确掌握我单位的基本信息")
    study = (f'title: t\ngroups:\n  customers:\n    file: c.xlsx\n    rename:\n'
             f'      "{full}": ID1\n      D公司会定期更新我单位的需求信息: ID2\n'
             f'dimensions: {{identify: [ID1, ID2]}}\n')
    (tmp_path / "s.yaml").write_text(study, encoding="utf-8")
    data = load_study(tmp_path / "s.yaml")
    frame = data.frames()["customers"]
    assert frame[["ID1", "ID2"]].notna().all().all()
    assert data.groups[("1", "customers")].table.format == "wjx"


def test_combine_waves_from_separate_study_files(tmp_path):
    from surveys.load import combine_waves

    def loaded(name, **kwargs):
        (tmp_path / name).mkdir()
        return load_study(write(tmp_path / name, **kwargs))

    first = loaded("a")
    second = loaded("b", rows=ROWS[:4])
    both = combine_waves([("2018", first), ("2019", second)])
    assert both.study.waves == ["2018", "2019"] and both.study.wave == "2019"
    assert set(both.groups) == {("2018", "customers"), ("2019", "customers")}
    assert both.groups[("2018", "customers")].quality.wave == "2018"
    assert {w: len(f["customers"]) for w, f in both.frames_by_wave().items()} == {"2018": 7,
                                                                                 "2019": 4}
    other = loaded("c", study=STUDY.replace("a: [Q1, Q2, Q3]", "a: [Q1, Q2]"))
    with pytest.raises(StudyError, match="wave '2018' has other dimensions or another scale than wave '2019'"):
        combine_waves([("2018", first), ("2019", other)])


RECORDS_STUDY = STUDY + """revenue: amount
records: {file: crm.csv, id: 客户编号, match: id}
"""


def write_records(folder: Path, text: str) -> None:
    (folder / "crm.csv").write_text(text, encoding="utf-8")


def test_customer_records_are_joined_by_id(tmp_path):
    write_records(tmp_path, "客户编号,amount\nr1,120.5\n r2 ,80\nr3,0\nr9,55\n")
    data = load_study(write(tmp_path, study=RECORDS_STUDY))
    frame = data.groups[("1", "customers")].data
    assert frame["amount"].iloc[:3].tolist() == [120.5, 80.0, 0.0]
    assert np.isnan(frame["amount"].iloc[3])  # r4 has no record
    assert frame["amount"].iloc[5] == 80.0  # the duplicate of r2 finds the same record
    notes = data.groups[("1", "customers")].quality.notes
    assert "3 of 7 respondents have no record in crm.csv" in notes
    assert data.study.data_files()[-1].name == "crm.csv"


def test_customer_records_errors(tmp_path):
    write_records(tmp_path, "客户编号,amount\nr1,1\nr1,2\n")
    with pytest.raises(StudyError, match=r"crm.csv, row 2, column '客户编号': customer id 'r1' has "
                                         r"several records"):
        load_study(write(tmp_path, study=RECORDS_STUDY))
    write_records(tmp_path, "客户编号,Q1\nr1,1\n")
    with pytest.raises(StudyError, match=r"column 'Q1' is both in the records and in this file"):
        load_study(write(tmp_path, study=RECORDS_STUDY))
    write_records(tmp_path, "编号,amount\nr1,1\n")
    with pytest.raises(StudyError, match=r"the records file has no id column '客户编号'"):
        load_study(write(tmp_path, study=RECORDS_STUDY))


def test_scale_cannot_be_inferred_from_one_value(tmp_path):
    study = STUDY.replace("scale: {min: 1, max: 5}\n", "")
    with pytest.raises(StudyError, match=r"study.yaml, key 'scale': the scale cannot be taken from "
                                         r"the answers: every answer is 3"):
        load_study(write(tmp_path, rows=["r1,300,3,3,3,3,3,3,9"], study=study))


def test_duplicates_compared_among_rows_whose_codes_repeat_equal_the_full_comparison():
    """The codes only narrow down which rows are compared as text: "4" and "4.0" code alike but
    are not the same answer; missing answers equal missing answers; the first row is kept."""
    import pandas as pd

    from surveys.cleaning import duplicate_rows

    rng = np.random.default_rng(3)
    text = pd.DataFrame(rng.integers(1, 4, (400, 4)).astype(str), columns=list("abcd"),
                        dtype="string")
    text.iloc[7] = ["4", "1", None, "2"]
    text.iloc[9] = ["4.0", "1", None, "2"]   # same codes, other text: not a duplicate
    text.iloc[11] = ["4", "1", None, "2"]    # a duplicate of row 7
    text["id"] = [f"r{i % 390}" for i in range(400)]
    text["comment"] = "same"
    codes = text[list("abcd")].astype(float)
    full = duplicate_rows(text, "id", ["comment"])
    narrowed = duplicate_rows(text, "id", ["comment"], codes=codes)
    assert narrowed.equals(full)
    assert full.iloc[11] and not full.iloc[9] and not full.iloc[7] and full.sum() > 10
    no_ids = duplicate_rows(text, None, ["id", "comment"], codes=codes)
    assert no_ids.equals(duplicate_rows(text, None, ["id", "comment"])) and no_ids.iloc[11]
    unique = text.drop_duplicates(list("abcd")).iloc[:60]  # no two rows with the same codes
    alone = duplicate_rows(unique, "id", ["comment"], codes=codes.loc[unique.index])
    assert alone.equals(duplicate_rows(unique, "id", ["comment"])) and not alone.any()


def test_loading_screens_on_one_blas_thread(tmp_path, monkeypatch):
    """The careless screens run with the BLAS libraries on one thread (their own threads under
    loading's threads only spun), also where the process did not start with
    OPENBLAS_NUM_THREADS=1 (the app), and the former thread counts come back afterwards."""
    from threadpoolctl import threadpool_info

    import surveys.load as load

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    seen = []
    screens = load.careless_screens

    def counting(*args, **kwargs):
        seen.append({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})
        return screens(*args, **kwargs)

    monkeypatch.setattr(load, "careless_screens", counting)
    before = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    load_study(write(tmp_path))
    assert seen and all(threads == {1} for threads in seen)
    assert [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"] == before


def test_file_digest_in_pieces_equals_the_digest_of_the_whole_files(tmp_path, monkeypatch):
    """The study file and its data files hashed a piece at a time give the SHA-256 of their
    bytes one after the other (the former definition), pieces of 7 bytes and of a megabyte."""
    import hashlib

    import surveys.load as load
    from surveys.study import read_study

    study = read_study(write(tmp_path))
    whole = hashlib.sha256(study.path.read_bytes())
    for path in study.data_files():
        whole.update(path.read_bytes())
    assert load._file_digest(study).hexdigest() == whole.hexdigest()
    monkeypatch.setattr(load, "_DIGEST_PIECE", 7)
    assert load._file_digest(study).hexdigest() == whole.hexdigest()


def former_data(data, group):
    """A group's ``data`` by the former eager definition: the renamed frame, each numeric
    column's float codes put in its place (``code_answers``), the file rows, then the invalid
    cells (non-numeric, out of range) made missing (``invalid: missing``)."""
    import pandas as pd

    from surveys.coding import code_answers
    from surveys.load import _rename

    study, source, table = data.study, group.source, group.table
    frame = _rename(table, source)
    file_rows = pd.Series(np.asarray(table.file_rows), index=frame.index)
    former = frame.copy(deep=False)
    for column in [c for c in study.numeric_columns if c in frame.columns]:
        raw = next((k for k, v in source.rename.items() if v == column), column)
        former[column] = code_answers(
            frame[column], file_rows=file_rows.to_numpy(), labels=study.labels,
            value_labels=table.value_labels.get(raw),
            scale=(study.scale.min, study.scale.max)).codes.astype("float64")
    former[FILE_ROW] = file_rows
    findings = group.quality.findings
    if study.invalid == "missing":
        invalid = findings[findings["rule"].isin(["non_numeric", "out_of_range"])]
        for column, rows in invalid.groupby("column")["row"]:
            former.loc[former[FILE_ROW].isin(rows).to_numpy(), column] = np.nan
    return former


@pytest.mark.parametrize("extra", ["", "exclude: {straightliners: true, speeders: true, "
                                       "duplicates: true}\n", "invalid: missing\n"])
def test_data_and_scored_made_when_read_are_their_former_definitions(tmp_path, extra):
    """``data`` and ``scored``, made when first read (later frames), are the former eager
    definitions (:func:`former_data`, ``reverse_code(data, reverse, scale)[keep]``): values,
    dtypes, index (and its type) and column order, with missing answers, labels and a score, a
    reverse-coded item, exclusions (or none) and answers made missing; the checks, the screens
    and the moments of the items do not make them, and the moments take the int8 codes also
    once ``scored`` is made; ``data_columns`` gives the file rows and ids without making
    ``data``."""
    from dataclasses import replace

    from surveys.load import LaterFrame, reverse_code

    rows = [*ROWS, "r7,300,4,9,好,2,4,4,9"] if "invalid" in extra else ROWS
    data = load_study(write(tmp_path, rows=rows, study=STUDY + extra))
    group = data.groups[("1", "customers")]
    later_data, later_scored = group.__dict__["_data"], group.__dict__["_scored"]
    assert isinstance(later_data, LaterFrame) and group.whole[0] is later_scored
    group.responses.moments(["Q1", "Q2", "Q4"])
    ids = group.data_columns([FILE_ROW, "id", "absent"])
    assert later_data[["Q1", "Q4"]]["Q4"].equals(former_data(data, group)["Q4"])
    assert later_data.made is None and later_scored.made is None
    assert group.responses._whole is not None
    assert_same_frame(group.data, former_data(data, group))
    assert_same_frame(ids, group.data[[FILE_ROW, "id"]])
    former = reverse_code(group.data, data.study.reverse, data.scale)[
        group.quality.keep.to_numpy()]
    assert_same_frame(group.scored, former)
    assert later_scored.made is group.scored
    again = replace(group, quality=group.quality)  # as combine_waves copies a group
    assert again.responses._whole is group.whole[1]
    assert replace(group, scored=group.scored[:2]).responses._whole is None


def test_data_and_scored_of_the_sample_are_their_former_definitions():
    """The same on the shipped sample (every group: comments, segments, reverse items)."""
    from surveys.load import reverse_code

    data = load_study(Path(__file__).parents[1] / "data" / "sample" / "study.yaml")
    for group in data.groups.values():
        assert_same_frame(group.data, former_data(data, group))
        former = reverse_code(group.data, data.study.reverse, data.scale)[
            group.quality.keep.to_numpy()]
        assert_same_frame(group.scored, former)


def test_kept_index_is_the_index_of_the_boolean_selection():
    """``_kept_index`` is the index pandas gives ``frame[keep]``, for a RangeIndex, integers
    and text, every row kept (the same index), some and none."""
    import pandas as pd

    from surveys.load import _kept_index

    for index in (pd.RangeIndex(3), pd.Index([5, 6, 7]), pd.Index([7, 2, 9]),
                  pd.Index(["a", "b", "c"])):
        frame = pd.DataFrame({"x": [1.0, np.nan, 3.0]}, index=index)
        for keep in (np.ones(3, bool), np.array([True, False, True]), np.zeros(3, bool),
                     np.array([False, True, True])):
            want = frame[keep].index
            got = _kept_index(frame.index, keep)
            assert type(got) is type(want) and got.equals(want) and got.dtype == want.dtype


def test_later_frame_gives_rows_and_columns_and_makes_the_frame_for_anything_else():
    """What a later frame knows before it is made (its rows, columns, a selection of columns)
    and that any other use is the made frame's."""
    import pandas as pd

    from surveys.load import LaterFrame

    made = []
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"], "c": [3.0, np.nan]})
    later = LaterFrame(lambda: made.append(1) or frame, frame.columns, frame.index)
    part = later[["c", "a"]]
    assert (later.shape, len(later), "b" in later, "z" in later) == ((2, 3), 2, True, False)
    assert list(part.columns) == ["c", "a"] and part.index.equals(frame.index) and not made
    assert later[["b"]]["b"].equals(frame["b"]) and made == [1]  # the made frame's column
    assert_same_frame(part.frame, frame[["c", "a"]])
    assert later["b"].equals(frame["b"]) and later.isna().equals(frame.isna()) and made == [1]
    with pytest.raises(KeyError):
        later[["a", "z"]]


def assert_same_frame(got, want):
    import pandas as pd

    pd.testing.assert_frame_equal(got, want, check_exact=True, check_index_type=True,
                                  check_column_type=True, check_flags=True)
    assert type(got.index) is type(want.index) and list(got.columns) == list(want.columns)
    assert got.dtypes.equals(want.dtypes)
