"""Compact letter display of post-hoc results against R multcompView::multcompLetters
(tests/reference/letters.R -> letters.json) and in the comparisons section."""
import json
from pathlib import Path

import pandas as pd

from analysis.comparisons import compact_letters, comparisons_section

HERE = Path(__file__).parent
CASES = json.loads((HERE / "reference" / "letters.json").read_text(encoding="utf-8"))


def test_letters_match_multcompview():
    assert len(CASES) == 10
    for case in CASES:
        different = {frozenset((p["a"], p["b"])) for p in case["pairs"] if p["p_adj"] < 0.05}
        assert compact_letters(case["levels"], different) == case["letters"], case["levels"]


def test_letters_do_not_depend_on_the_order_of_the_pairs():
    case = CASES[-1]
    different = [frozenset((p["a"], p["b"])) for p in case["pairs"] if p["p_adj"] < 0.05]
    assert compact_letters(case["levels"], set(reversed(different))) == case["letters"]


def test_every_different_pair_shares_no_letter_and_every_other_pair_one():
    for case in CASES:
        letters = compact_letters(case["levels"], {frozenset((p["a"], p["b"])) for p in case["pairs"]
                                                   if p["p_adj"] < 0.05})
        for p in case["pairs"]:
            shared = set(letters[p["a"]]) & set(letters[p["b"]])
            assert bool(shared) == (p["p_adj"] >= 0.05), (p, letters)


def test_section_letters_start_at_the_highest_mean():
    frame = pd.DataFrame({"q": [1, 1, 2, 1, 5, 5, 4, 5, 3, 3, 3, 2, 9, 9, 9, 9.0],
                          "g": list("aaaabbbbccccdddd")})
    entry = comparisons_section({"c": frame}, dimensions={"D": ["q"]}, by=["g"])["c"]["g"]["D"]
    assert set(entry["letters"]) == {"tukey", "games_howell", "dunn"}
    tukey = entry["letters"]["tukey"]
    assert tukey["d"] == "a"  # mean 9, the highest
    assert set(tukey) == {"a", "b", "c", "d"}
    assert all(not set(tukey[p["a"]]) & set(tukey[p["b"]]) for p in entry["tukey"] if p["p_adj"] < 0.05)


def test_letters_leave_out_levels_that_were_not_tested():
    frame = pd.DataFrame({"q": [1.0, 2, 1, 4, 5, 4, 3], "g": list("aaabbbc")})
    entry = comparisons_section({"c": frame}, dimensions={"D": ["q"]}, by=["g"])["c"]["g"]["D"]
    assert set(entry["letters"]["games_howell"]) == {"a", "b"}  # c has one score
