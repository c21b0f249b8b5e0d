"""The study file: what it accepts, and the message each mistake gets."""
from pathlib import Path

import pytest

from surveys.errors import StudyError
from surveys.study import Scale, parse_study, read_study

GOOD = """
title: D公司客户关系管理调查 2019
scale: {min: 1, max: 5}
groups:
  customers: {file: customers.xlsx, sheet: 客户问卷}
  employees: {file: employees.csv, rename: {"  我们定期更新客户信息 ": ID2}}
waves:
  "2018":
    customers: old.xlsx
dimensions:
  identify: [ID1, ID2, ID3, ID4]
  interact: [IN1, IN2, IN3]
reverse: [ID4]
satisfaction: [SAT1, SAT2]
loyalty: [LOY1, LOY2, LOY3]
nps: REC
compare: [customers, employees]
expectation: {ID1: EX1}
importance: {identify: IMP1}
weights: {ahp: {over: [identify, interact], matrix: [[1, 3], [1/3, 1]]}}
labels: {很好: 5}
exclude: {straightliners: true}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("customers.xlsx", "employees.csv", "old.xlsx"):
        (tmp_path / name).write_bytes(b"x")
    return tmp_path


def parse(text: str, folder: Path):
    path = folder / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return read_study(path)


def error_of(text: str, folder: Path) -> str:
    with pytest.raises(StudyError) as info:
        parse(text, folder)
    return str(info.value)


def test_full_study_file(folder):
    study = parse(GOOD, folder)
    assert study.title == "D公司客户关系管理调查 2019"
    assert study.scale == Scale(1.0, 5.0)
    assert study.groups == ["customers", "employees"]
    assert study.waves == ["2018", "1"] and study.wave == "1"
    assert [(s.group, s.wave, s.file.name, s.sheet) for s in study.sources] == [
        ("customers", "1", "customers.xlsx", "客户问卷"), ("employees", "1", "employees.csv", None),
        ("customers", "2018", "old.xlsx", None)]
    assert study.sources[1].rename == {"我们定期更新客户信息": "ID2"}
    assert study.items == ["ID1", "ID2", "ID3", "ID4", "IN1", "IN2", "IN3"]
    assert study.compare == ("customers", "employees")
    assert study.weights["ahp"]["matrix"][1][0] == pytest.approx(1 / 3)
    assert study.labels == {"很好": 5.0}
    assert study.exclude == {"straightliners": True, "speeders": False, "duplicates": False,
                             "longstring": False, "irv": False, "mahalanobis": False,
                             "even_odd": False, "attention": False}
    assert study.scored_items[-2:] == ["EX1", "IMP1"]
    assert study.data_files()[0] == folder / "customers.xlsx"


@pytest.mark.parametrize("change, expected", [
    (("compare:", "compre:"), "key 'compre': unknown key 'compre'; did you mean 'compare'?"),
    (("customers.xlsx, sheet", "nothere.xlsx, sheet"), "nothere.xlsx, key 'groups.customers.file': "
                                                      "data file not found"),
    (("interact: [IN1", "interact: [ID1"), "key 'dimensions.interact': item 'ID1' is in two "
                                           "dimensions, 'identify' and 'interact'"),
    (("reverse: [ID4]", "reverse: [ID9]"), "key 'reverse': reverse item 'ID9' is not an item"),
    (("compare: [customers, employees]", "compare: [customers, staff]"),
     "key 'compare': unknown group 'staff'"),
    (("{min: 1, max: 5}", "{min: 5, max: 1}"), "key 'scale': min 5 is not below max 1"),
    (("[[1, 3], [1/3, 1]]", "[[1, 3], [x, 1]]"), "cell (2, 1) 'x' is not a positive number"),
    (("{straightliners: true}", "{straightliner: true}"), "unknown rule 'straightliner'"),
    (("sheet: 客户问卷}", "sheet: 客户问卷, colour: red}"), "key 'groups.customers.colour'"),
    (("title: D公司", "title: D公司\ntitle: again"), "row 3: not valid YAML: key 'title' appears "
                                                    "twice"),
])
def test_each_mistake_names_file_and_key(folder, change, expected):
    message = error_of(GOOD.replace(*change), folder)
    assert expected in message
    if "data file" not in expected:
        assert message.startswith("study.yaml")


def test_missing_required_key(folder):
    assert "the study file has no 'dimensions'" in error_of("title: x\ngroups: {a: old.xlsx}\n",
                                                             folder)


def test_not_a_mapping_and_not_yaml(folder):
    assert "must be a YAML mapping" in error_of("- a\n- b\n", folder)
    assert "not valid YAML" in error_of("title: [unclosed\n", folder)


def test_study_file_missing(tmp_path):
    with pytest.raises(StudyError, match="study file not found"):
        read_study(tmp_path / "none.yaml")


def test_wave_names_are_text_and_inherit_rename(folder):
    text = GOOD.replace('"2018":', "2018:")
    study = parse(text, folder)
    assert study.waves[0] == "2018"
    assert study.sources[2].rename == {}  # customers had no rename
    text = GOOD.replace('    customers: old.xlsx', '    employees: old.xlsx')
    assert parse(text, folder).sources[2].rename == {"我们定期更新客户信息": "ID2"}


def test_parse_study_resolves_paths_from_base_dir(folder):
    study = parse_study(GOOD, base_dir=folder)
    assert study.path is None and study.sources[0].file == (folder / "customers.xlsx").resolve()
