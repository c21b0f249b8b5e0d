"""The loyalty ladder against hand-worked examples (every expected value worked out in the
comments, independently of analysis/ladder.py), and the study file's ``ladder:`` key."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.ladder import ladder_levels, ladder_section, level_counts, rung_scores
from surveys.errors import StudyError
from surveys.study import Ladder, parse_study

NAN = np.nan


def test_levels_by_hand_with_ties_gaps_and_missing_rungs():
    # three rungs, reached from 4
    scores = pd.DataFrame({
        "satisfaction": [4.0, 3.5, 4.5, NAN, 5.0, 4.0 - 1e-12, 3.99],
        "trust": [4.0, 5.0, NAN, NAN, 4.0, 4.0, 4.0],
        "behavioural": [4.0, 5.0, 5.0, NAN, 3.0, 5.0, NAN],
    }, index=list("abcdefg"))
    got = ladder_levels(scores, 4.0)
    # a: every rung exactly on 4 -> all reached, level 3
    # b: 3.5 below 4 on the bottom rung -> level 0, but trust and behavioural reached: out of order
    # c: trust unanswered ends the climb -> level 1; behavioural reached above the gap: out of order
    # d: nothing answered -> level 0, not answered, not out of order
    # e: 5, 4, 3 -> level 2
    # f: 4 - 1e-12 counts as on the threshold (floating-point rounding) -> level 3
    # g: 3.99 is below -> level 0; trust reached above it -> out of order
    assert got.level.tolist() == [3, 0, 1, 0, 2, 3, 0]
    assert got.out_of_order.tolist() == [False, True, True, False, False, False, True]
    assert got.answered.tolist() == [True, True, True, False, True, True, True]
    assert got.reached["trust"].tolist() == [True, True, False, False, True, True, True]


def test_rung_score_is_the_mean_of_the_answered_items():
    frame = pd.DataFrame({"LOY1": [4.0, NAN, NAN, 2.0], "LOY2": [5.0, 3.0, NAN, 4.0]})
    scores = rung_scores(frame, {"loyal": ["LOY1", "LOY2"]})
    # (4+5)/2 = 4.5; one of two answered -> 3; none -> missing; (2+4)/2 = 3
    np.testing.assert_allclose(scores["loyal"], [4.5, 3.0, NAN, 3.0])


def test_level_counts_cover_every_level():
    counts = level_counts(pd.Series([0, 2, 2, 1, 2]), 3)
    assert counts == {"0": {"n": 1, "share": 0.2}, "1": {"n": 1, "share": 0.2},
                      "2": {"n": 3, "share": 0.6}, "3": {"n": 0, "share": 0.0}}
    assert level_counts(pd.Series([], dtype=int), 2)["0"] == {"n": 0, "share": None}


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "TR1": [5, 4, 2, 5, NAN, 4, 3, 5],
        "LOY3a": [5, 3, 5, 4, NAN, 4, NAN, 5],
        "LOY3b": [4, 3, NAN, 4, NAN, 5, NAN, NAN],
        "years": [0.5, 2, 2, 5, 4, 1, 3, 8],
        "region": ["N", "N", "S", "S", "S", None, "N", "S"],
        "amount": [90.0, 1, 2, 3, 1, 1, 1, 1],
    }, dtype=object).astype({"TR1": float, "LOY3a": float, "LOY3b": float, "years": float,
                             "amount": float})


def test_section_by_hand_with_two_of_the_rungs():
    """Any subset of the seed's rungs (here trust and sustainable loyalty), reached from 4."""
    section = ladder_section({"c": _frame(), "e": pd.DataFrame({"X": [1.0]})},
                             rungs={"trust": ["TR1"], "sustainable": ["LOY3a", "LOY3b"]},
                             reached_from=4.0, segments=["region"], revenue="amount",
                             cooperation_years="years", min_n=3)
    assert list(section) == ["c"]  # group e has no ladder items
    e = section["c"]
    # respondent: trust, sustainable (mean of answered) -> reached, level, out of order
    # 0: 5, 4.5 -> T T, 2     1: 4, 3 -> T F, 1      2: 2, 5 -> F T, 0, out of order
    # 3: 5, 4 -> T T, 2       4: no answer (left out) 5: 4, 4.5 -> T T, 2
    # 6: 3, none -> F F, 0    7: 5, 5 -> T T, 2
    assert e["rungs"] == ["trust", "sustainable"]
    assert e["n"] == 7 and e["n_unanswered"] == 1
    assert e["levels"] == {"0": {"n": 2, "share": 2 / 7}, "1": {"n": 1, "share": 1 / 7},
                           "2": {"n": 4, "share": 4 / 7}}
    assert e["rungs_reached"] == {"trust": {"n": 5, "share": 5 / 7},
                                  "sustainable": {"n": 5, "share": 5 / 7}}
    assert e["out_of_order"] == {"n": 1, "share": 1 / 7}
    # stages from years (<1 exploration, 1-<3 formation, >=3 stability): respondent 0
    # exploration (level 2); 1, 2, 5 formation (1, 0, 2); 3, 6, 7 stability (2, 0, 2)
    assert list(e["by_stage"]) == ["exploration", "formation", "stability"]
    assert e["by_stage"]["exploration"] == {
        "n": 1, "small": True, "levels": {"0": {"n": 0, "share": 0.0}, "1": {"n": 0, "share": 0.0},
                                          "2": {"n": 1, "share": 1.0}}}
    assert e["by_stage"]["formation"]["levels"]["1"] == {"n": 1, "share": 1 / 3}
    assert e["by_stage"]["stability"]["levels"]["2"] == {"n": 2, "share": 2 / 3}
    assert e["by_stage"]["stability"]["small"] is False
    # region: N = 0, 1, 6 (levels 2, 1, 0); S = 2, 3, 7 (0, 2, 2); respondent 5 has none
    assert {k: v["n"] for k, v in e["by_segment"]["region"].items()} == {"N": 3, "S": 3}
    assert e["by_segment"]["region"]["S"]["levels"]["2"] == {"n": 2, "share": 2 / 3}
    # ABC by amount (total 100): respondent 0 (90) ends on 90% -> A; the seven 1-3s follow
    # (3 -> 93% B, 2 -> 95% B, then the 1s start at 95% -> C); respondent 4 is unanswered
    abc = e["by_segment"]["abc_class"]
    assert {k: v["n"] for k, v in abc.items()} == {"A": 1, "B": 2, "C": 4}
    json.dumps(section, allow_nan=False)


def test_a_threshold_on_the_respondents_own_mean():
    # a rung of two items with one answered: its mean is that answer
    frame = pd.DataFrame({"A": [4.0, 3.0], "B1": [NAN, 4.0], "B2": [4.0, NAN]})
    e = ladder_section({"g": frame}, rungs={"a": ["A"], "b": ["B1", "B2"]}, reached_from=4)["g"]
    assert e["levels"]["2"]["n"] == 1 and e["out_of_order"]["n"] == 1


STUDY = """title: t
scale: {min: 1, max: 5}
groups: {c: c.csv}
dimensions: {d: [Q1, Q2]}
nps: REC
"""


def _study(tmp_path, extra: str):
    (tmp_path / "c.csv").write_text("Q1,Q2\n4,5\n", encoding="utf-8")
    return parse_study(STUDY + extra, base_dir=tmp_path)


def test_study_file_ladder_key(tmp_path):
    study = _study(tmp_path, "ladder:\n  trust: TR1\n  sustainable: [LOY3]\n")
    assert study.ladder == Ladder({"trust": ["TR1"], "sustainable": ["LOY3"]}, 4.0)
    assert {"TR1", "LOY3"} <= set(study.scored_items)  # coded and range-checked as Likert items
    study = _study(tmp_path, "ladder: {a: [X1, X2], b: X3, c: X4, reached_from: 3.5}\n")
    assert list(study.ladder.rungs) == ["a", "b", "c"] and study.ladder.reached_from == 3.5


@pytest.mark.parametrize("extra, key, english", [
    ("ladder: {trust: TR1}\n", "ladder", "the loyalty ladder has 1 rung(s)"),
    ("ladder: {a: [X1], b: [X1]}\n", "ladder.b", "item 'X1' is on two rungs, 'a' and 'b'"),
    ("ladder: {a: [X1], b: [REC]}\n", "ladder.b", "'REC' is the 0-10 recommendation column"),
    ("ladder: {a: [X1], b: [X2], reached_from: 6}\n", "ladder.reached_from",
     "6 is outside the scale 1–5"),
    ("ladder: {a: [X1], b: [X2], reached_from: high}\n", "ladder.reached_from",
     "'high' is not a number"),
    ("ladder: {a: [X1], b: []}\n", "ladder.b", "this rung of the loyalty ladder has no items"),
])
def test_study_file_ladder_errors(tmp_path, extra, key, english):
    with pytest.raises(StudyError) as err:
        _study(tmp_path, extra)
    assert err.value.key == key
    assert english in str(err.value)
    zh = err.value.render("zh")
    assert zh != str(err.value) and "{" not in zh  # translated, every placeholder filled


def test_sample_declares_the_seed_ladder():
    study = parse_study((Path(__file__).resolve().parents[1] / "data" / "sample" / "study.yaml")
                        .read_text(encoding="utf-8"),
                        base_dir=Path(__file__).resolve().parents[1] / "data" / "sample")
    assert list(study.ladder.rungs) == ["satisfaction", "trust", "behavioural", "emotional",
                                        "sustainable"]
    assert study.contact == ["company", "contact", "phone"]
