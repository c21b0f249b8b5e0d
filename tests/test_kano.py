"""Kano classification against a worked example computed in R from the published evaluation table
(Berger et al. 1993, table 1; tests/reference/kano.R -> kano.json)."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.kano import kano_classify, kano_section, kano_summary
from surveys.errors import StudyError

HERE = Path(__file__).parent
REF = json.loads((HERE / "reference" / "kano.json").read_text())


@pytest.fixture(scope="module")
def answers():
    return pd.read_csv(HERE / "fixtures" / "kano.csv")


@pytest.mark.parametrize("feature", ["f1", "f2", "f3"])
def test_counts_and_coefficients_match_r(answers, feature):
    ref = REF[feature]
    result = kano_summary(answers[f"{feature}_fun"], answers[f"{feature}_dys"])
    assert result["n"] == ref["n"]
    assert result["counts"] == ref["counts"]
    assert result["better"] == pytest.approx(ref["better"], rel=1e-12)
    assert result["worse"] == pytest.approx(ref["worse"], rel=1e-12)
    assert sum(result["shares"].values()) == pytest.approx(1.0)
    categories = kano_classify(answers[f"{feature}_fun"], answers[f"{feature}_dys"])
    assert list(categories.dropna()) == ref["category"]


def test_dominant_category_and_tie_break(answers):
    # A = O = 8: O wins (M > O > A > I)
    assert kano_summary(answers["f1_fun"], answers["f1_dys"])["category"] == "O"
    assert kano_summary(answers["f1_fun"], answers["f1_dys"])["tied"] == ["O", "A"]
    assert kano_summary(answers["f2_fun"], answers["f2_dys"])["category"] == "M"
    f3 = kano_summary(answers["f3_fun"], answers["f3_dys"])  # A = I = 12: A wins (M > O > A > I)
    assert f3["category"] == "A" and f3["tied"] == ["A", "I"]


def test_evaluation_table_corners():
    fun = pd.Series([1.0, 1.0, 5.0, 2.0, 1.0, 5.0, 3.0, np.nan])
    dys = pd.Series([5.0, 1.0, 1.0, 5.0, 3.0, 5.0, 3.0, 5.0])
    assert list(kano_classify(fun, dys)) == ["O", "Q", "R", "M", "A", "Q", "I", None]


def test_out_of_range_answers_raise_study_error():
    fun = pd.Series([1.0, 6.0, 2.0, 0.0], name="f_fun", index=[2, 3, 4, 5])
    with pytest.raises(StudyError) as err:
        kano_classify(fun, pd.Series([1.0, 1.0, 1.0, 1.0], index=[2, 3, 4, 5]))
    assert err.value.row == 3 and err.value.column == "f_fun" and len(err.value.more) == 1


def test_section_is_json_and_handles_empty_feature(answers):
    frame = answers.assign(f4_fun=np.nan, f4_dys=np.nan)
    section = kano_section({"customers": frame, "employees": frame[["id"]]},
                           kano={"f1": ("f1_fun", "f1_dys"), "f4": ("f4_fun", "f4_dys")})
    json.dumps(section, allow_nan=False)
    assert section["employees"] == {}
    f1 = section["customers"]["f1"]
    assert f1["category"] == "O" and f1["label_en"] == "one-dimensional"
    assert f1["label_zh"] == "期望属性"
    f4 = section["customers"]["f4"]
    assert f4["n"] == 0 and f4["category"] is None and f4["better"] is None
    assert f4["shares"]["A"] is None


def test_answer_texts_and_numeric_strings(answers):
    # the same answers as texts (category columns are read as strings)
    words = {1.0: "我很喜欢", 2.0: "理所当然", 3.0: " Neutral", 4.0: "能忍受", 5.0: "I dislike it"}
    fun = answers["f2_fun"].map(words).astype("string")
    dys = answers["f2_dys"].map(lambda v: None if pd.isna(v) else str(int(v))).astype("string")
    assert kano_summary(fun, dys)["counts"] == REF["f2"]["counts"]
    with pytest.raises(StudyError):
        kano_classify(pd.Series(["喜欢", "很好"]), pd.Series(["1", "2"]))
