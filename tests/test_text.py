"""Open-ended comments (analysis/text.py): the theme rule, the weighted log-odds against a worked
example computed by hand and against R (tests/reference/text.R), NPMI coherence, suggested themes,
bad input as quality notes, the study keys and the themes block editor."""
from __future__ import annotations

import importlib.util
import json
import logging
import math
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse, stats

from analysis import text
from analysis.pipeline import _sections, analyse
from surveys.errors import StudyError
from surveys.load import load_study
from surveys.study import parse_study
from surveys.study_edit import themes_block, with_themes

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "study.yaml"
REFERENCE = json.loads((ROOT / "tests" / "reference" / "text.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- what counts as a comment
def test_blank_numbers_and_nothing_to_add_are_not_comments():
    values = pd.Series(["慢！", None, " 无。", " 5 ", "N/A", "4.5", "。。", 3.0, "没有意见",
                        " The delivery was SLOW ", "无线网络太慢", np.nan, ""])
    comments = text.read_comments(values)
    assert comments.text.tolist() == ["慢！", None, None, None, None, None, None, None, None,
                                      "The delivery was SLOW", "无线网络太慢", None, None]
    assert comments.number.tolist() == [False, False, False, True, False, True, False, True,
                                        False, False, False, False, False]
    assert (comments.n_answered, comments.n_blank) == (3, 10)


def test_a_numeric_column_listed_as_comments_is_all_numbers():
    comments = text.read_comments(pd.Series([4.0, 5.0, np.nan]))
    assert comments.n_answered == 0 and comments.number.tolist() == [True, True, False]


def test_bad_input_gives_notes_not_failures():
    numbers = text.comment_notes(pd.Series([4.0, 5.0, np.nan]), "REC")
    assert [n.key for n in numbers] == ["comments_numbers"]
    assert str(numbers[0]).startswith("2 cells of the comments column 'REC' hold only a number")
    assert [n.key for n in text.comment_notes(pd.Series([None, " ", "无"]), "c")] == \
        ["comments_empty"]
    long = pd.Series(["慢" * 10_001, "好", "x" * 10_000])
    notes = text.comment_notes(long, "c")
    assert [n.key for n in notes] == ["comments_long"] and dict(notes[0].values)["count"] == 1
    assert "10,000" in notes[0].render("zh") and dict(notes[0].values)["limit"] == "10,000"


def test_a_long_comment_is_used_whole_and_cut_only_in_examples():
    frame = pd.DataFrame({"c": ["好" * 12_000 + "慢", "慢"], "REC": [3.0, 10.0]})
    entry = text.column_analysis(frame, "c", themes={"speed": ["慢"]}, nps="REC", min_count=1)
    theme = entry["themes"][0]
    assert theme["n"] == 2  # the term at position 12,001 is found
    assert len(theme["examples"][0]) == text.EXAMPLE_CHARS and theme["examples"][0].endswith("…")


# ---------------------------------------------------------------- the theme rule
def test_theme_rule_is_case_insensitive_substring_of_the_text_as_written():
    texts = pd.Series(["The delivery was SLOW", "slowly but fine", "服务態度差", "服务态度差",
                       "ＡＰＰ闪退", "app crashes", None, "nothing relevant"])
    themes = {"speed": ["slow"], "attitude": ["态度"], "app": ["APP"], "both": ["slow", "态度"]}
    members = text.theme_members(texts, themes)
    assert members["speed"].tolist() == [True, True, False, False, False, False, False, False]
    # no traditional -> simplified conversion: 態度 is not 态度
    assert members["attitude"].tolist() == [False, False, False, True, False, False, False, False]
    # full-width letters are other characters: ＡＰＰ does not contain APP
    assert members["app"].tolist() == [False, False, False, False, False, True, False, False]
    assert members["both"].tolist() == [True, True, False, True, False, False, False, False]


def test_theme_table_counts_shares_other_satisfaction_and_nps():
    frame = pd.DataFrame({
        "c": ["送餐太慢", "态度差，送餐慢", "态度很好", "无", "价格贵", None, "慢"],
        "SAT1": [2.0, 1.0, 5.0, 4.0, 3.0, 4.0, np.nan],
        "SAT2": [2.0, 2.0, 4.0, 4.0, 3.0, 4.0, 2.0],
        "REC": [3.0, 0.0, 10.0, 9.0, 7.0, 8.0, np.nan]})
    texts = text.read_comments(frame["c"]).text
    rows, other = text.theme_table(frame, texts, {"速度": ["慢"], "态度": ["态度"]},
                                   satisfaction=["SAT1", "SAT2"], nps="REC", scale=(1, 5))
    speed, attitude = rows
    # answered: 5 comments (无 and the missing cell are blank); 慢 in rows 0, 1, 6
    assert (speed["n"], speed["share"]) == (3, 3 / 5)
    scores = np.array([2.0, 1.5, 2.0])  # row 6: SAT1 missing, one of two items is enough
    half = stats.t.ppf(0.975, 2) * scores.std(ddof=1) / math.sqrt(3)
    assert speed["satisfaction"]["mean"] == pytest.approx(scores.mean(), abs=1e-12)
    assert speed["satisfaction"]["ci"] == pytest.approx([scores.mean() - half,
                                                         scores.mean() + half], abs=1e-12)
    # NPS over the two writers who answered the 0-10 question: both detractors
    assert (speed["nps"], speed["detractor_share"]) == (-100.0, 1.0)
    assert (attitude["n"], attitude["nps"], attitude["detractor_share"]) == (2, 0.0, 0.5)
    assert attitude["examples"] == ["态度差，送餐慢", "态度很好"]
    assert other == {"n": 1, "share": 1 / 5}  # 价格贵


def test_theme_without_satisfaction_or_nps_has_null_numbers():
    frame = pd.DataFrame({"c": ["slow", "fast"]})
    rows, other = text.theme_table(frame, frame["c"], {"speed": ["slow"]})
    assert rows[0]["satisfaction"] == {"mean": None, "ci": [None, None]}
    assert (rows[0]["nps"], rows[0]["detractor_share"]) == (None, None)
    assert other == {"n": 1, "share": 0.5}


# ---------------------------------------------------------------- segmentation
def test_segmentation_chinese_english_digits_and_stopwords():
    stop = text.shipped_stopwords()
    assert text.segment("Delivery was SLOW, I don't like it: 2 hours!", stop) == \
        ["delivery", "slow", "don't", "like", "hours"]
    words = text.segment("送餐速度太慢了，等了2个小时", stop)
    assert "了" not in words and "2" not in words and "小时" in words
    assert "不" not in stop and "not" not in stop and "没有" not in stop  # negations kept
    assert text.segment_all(["好", "好", "慢"], stop) == [["好"], ["好"], ["慢"]]


@pytest.fixture(scope="module")
def full_jieba():
    """jieba's tokenizer with its whole default dictionary (as jieba loads it)."""
    tokenizer = text._import_jieba().Tokenizer()
    tokenizer.initialize()
    return tokenizer


def test_restricted_dictionary_segments_as_the_whole_one(full_jieba, monkeypatch):
    # the sample's phrases, and strings of dictionary words (long ones too), joined at random,
    # with and without the HMM: the tokenizer restricted to the text's substrings gives jieba's
    # own words
    spec = importlib.util.spec_from_file_location("make_sample", SAMPLE.parent.parent
                                                  / "make_sample.py")
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)
    phrases = [p for pool in sample.COMPLAINTS.values() for p in pool] + sample.PRAISE \
        + sample.SUGGESTIONS
    runs = [h for c in phrases for h, _ in text._TOKENS.findall(c) if h]
    rng = np.random.default_rng(7)
    han = re.compile(r"[\u4e00-\u9fff]+")
    words = [w for w, n in full_jieba.FREQ.items() if n and han.fullmatch(w)]
    long = [w for w in words if len(w) >= 5]
    for i in range(300):
        pool = words if i % 3 else long
        runs.append("".join(pool[j] for j in rng.integers(0, len(pool), rng.integers(1, 8))))
    # with a CJK Extension A character and a compatibility ideograph (outside jieba's Han range)
    runs += ["葡萄牙葡萄好吃", "南京市长江大桥", "㐀我們的服務很好豈", "不不不"]
    restricted = text._tokenizer(runs)
    assert len(restricted.FREQ) < len(full_jieba.FREQ) / 20
    # exactly the entries that are substrings of the texts (jieba's entries are at most 16 long)
    assert restricted.FREQ == {w: full_jieba.FREQ[w] for r in runs for a in range(len(r))
                               for w in (r[a:b] for b in range(a + 1, min(len(r), a + 16) + 1))
                               if w in full_jieba.FREQ}
    for run in runs:
        for hmm in (False, True):
            assert restricted.lcut(run, HMM=hmm) == full_jieba.lcut(run, HMM=hmm), run
    assert text.segment_all(runs) == [[w for w in full_jieba.lcut(r, HMM=text.JIEBA_HMM)]
                                      for r in runs]
    # many characters: jieba's whole dictionary, loaded once (looking up would take longer)
    monkeypatch.setattr(text, "RESTRICTED_CHARS", sum(map(len, set(runs))) - 1)
    monkeypatch.setattr(text, "_whole_tokenizer", lambda: full_jieba)
    assert text._tokenizer(runs) is full_jieba and text._tokenizer(runs[:5]) is not full_jieba


def test_prefix_dictionary_is_jiebas_and_kept_in_the_temporary_folder(full_jieba, tmp_path,
                                                                       monkeypatch):
    arrays, total = text._prefix_dictionary()
    assert total == full_jieba.total
    assert sum(len(w) for w, _ in arrays.values()) == len(full_jieba.FREQ)
    for words, counts in arrays.values():
        assert all(full_jieba.FREQ[w] == n for w, n in zip(words[::97].tolist(),
                                                           counts[::97].tolist()))
    monkeypatch.setattr(text, "_whole_tokenizer", lambda: full_jieba)  # built from this one
    built, _ = text._prefix_dictionary.__wrapped__(str(tmp_path))
    [kept] = tmp_path.glob("crm-analysis-jieba-*.npz")  # written once, whole
    monkeypatch.setattr(text, "_whole_tokenizer", None)  # read from the file, jieba not asked
    loaded, _ = text._prefix_dictionary.__wrapped__(str(tmp_path))
    assert loaded.keys() == built.keys()
    assert all(np.array_equal(built[n][0], loaded[n][0])
               and np.array_equal(built[n][1], loaded[n][1]) for n in built)
    monkeypatch.setattr(text, "_whole_tokenizer", lambda: full_jieba)
    whole = kept.read_bytes()
    for damaged in (b"damaged", whole[:len(whole) // 2]):  # built again and replaced
        kept.write_bytes(damaged)
        assert text._prefix_dictionary.__wrapped__(str(tmp_path))[0].keys() == built.keys()
        assert kept.stat().st_size == len(whole)  # whole again
    blocked = tmp_path / "file"  # no folder can be made below a plain file, even by root
    blocked.write_text("not a folder")
    assert text._prefix_dictionary.__wrapped__(str(blocked / "tmp"))[1] == total  # not kept


def test_whole_tokenizer_in_a_temporary_folder_it_cannot_write_prints_no_traceback(
        tmp_path, monkeypatch, capfd):
    """jieba logs its failure to keep its dictionary cache with a traceback on stderr; where the
    temporary folder cannot be written, the user sees none, and the tokenizer works."""
    blocked = tmp_path / "file"  # no folder can be made below a plain file, even by root
    blocked.write_text("not a folder")
    with monkeypatch.context() as patched:
        patched.setattr("tempfile.tempdir", str(blocked / "tmp"))
        tokenizer = text._whole_tokenizer.__wrapped__()
    assert tokenizer.lcut("南京市长江大桥") == ["南京市", "长江大桥"]
    assert "Traceback" not in capfd.readouterr().err
    assert text._import_jieba().default_logger.level == logging.WARNING  # errors logged again


# ---------------------------------------------------------------- keywords: worked example
WORKED = {  # detractors (NPS 0-6) and promoters (9-10); a passive's comment is not compared
    "c": ["slow delivery", "delivery was slow and rude staff", "slow", "friendly staff",
          "fast delivery", "friendly", "slow but fine"],
    "REC": [2, 5, 6, 10, 9, 9, 8]}


def test_log_odds_worked_example_computed_by_hand():
    """Tokens after stopwords (was, and, but): detractors slow 3, delivery 2, rude 1, staff 1
    (n_d = 7); promoters friendly 2, staff 1, fast 1, delivery 1 (n_p = 5). Prior α = y_d + y_p:
    slow 3, delivery 3, staff 2, friendly 2, rude 1, fast 1; α0 = 12.

    slow:     δ = log(6/(7+12−6)) − log(3/(5+12−3)) = log(6/13) − log(3/14) = log(84/39),
              σ² = 1/6 + 1/3 = 1/2
    rude:     δ = log(2/17) − log(1/16) = log(32/17), σ² = 1/2 + 1/1 = 3/2
    delivery: δ = log(5/14) − log(4/13) = log(65/56), σ² = 1/5 + 1/4
    friendly: δ = log(2/17) − log(4/13) = −log(34/13), σ² = 1/2 + 1/4
    fast:     δ = log(1/18) − log(2/15) = −log(12/5), σ² = 1/1 + 1/2
    staff:    δ = log(3/16) − log(3/14) = −log(8/7), σ² = 1/3 + 1/3
    """
    frame = pd.DataFrame(WORKED)
    entry = text.column_analysis(frame, "c", themes={}, nps="REC", min_count=1)
    expected = {
        "detractors": [("slow", 3, math.log(84 / 39), 0.5), ("rude", 1, math.log(32 / 17), 1.5),
                       ("delivery", 2, math.log(65 / 56), 0.45)],
        "promoters": [("friendly", 2, math.log(34 / 13), 0.75), ("fast", 1, math.log(12 / 5), 1.5),
                      ("staff", 1, math.log(8 / 7), 2 / 3)]}
    for side, rows in expected.items():
        got = entry["keywords"][side]
        assert [(k["term"], k["n"]) for k in got] == [(t, n) for t, n, _, _ in rows]
        for k, (_, _, delta, variance) in zip(got, rows):
            assert k["log_odds"] == pytest.approx(delta, abs=1e-12)
            assert k["z"] == pytest.approx(delta / math.sqrt(variance), abs=1e-12)
    # min_count counts both groups together: rude and fast (1 each) drop out at 2
    two = text.column_analysis(frame, "c", themes={}, nps="REC", min_count=2)["keywords"]
    assert [k["term"] for k in two["detractors"]] == ["slow", "delivery"]
    assert [k["term"] for k in two["promoters"]] == ["friendly", "staff"]


def test_log_odds_against_r():
    ref = REFERENCE["log_odds"]
    y_a, y_b = np.array(ref["y_a"]), np.array(ref["y_b"])
    got = text.log_odds_dirichlet(y_a, y_b, y_a + y_b)
    for key in ("delta", "variance", "z"):
        np.testing.assert_allclose(got[key], ref[key], rtol=0, atol=1e-10)


def test_keyword_groups_fall_back_to_satisfaction_boxes():
    frame = pd.DataFrame({"SAT1": [1.0, 2.0, 3.0, 4.0, 5.0, np.nan],
                          "SAT2": [2.0, 2.0, 3.0, 5.0, 4.0, 5.0]})
    low, high = text.keyword_groups(frame, satisfaction=["SAT1", "SAT2"], scale=(1, 5))
    # scores 1.5, 2, 3, 4.5, 4.5, 5 (one item of two is enough): bottom two <= 2, top two >= 4
    assert low.tolist() == [True, True, False, False, False, False]
    assert high.tolist() == [False, False, False, True, True, True]
    nps = text.keyword_groups(pd.DataFrame({"REC": [6, 7, 8, 9, np.nan]}), nps="REC")
    assert [g.tolist() for g in nps] == [[True, False, False, False, False],
                                         [False, False, False, True, False]]
    assert text.keyword_groups(pd.DataFrame({"x": [1]})) is None


# ---------------------------------------------------------------- suggested themes
def test_npmi_by_hand_and_against_r():
    # documents {a,b}, {a,b}, {a,c}, {c}: P(a)=3/4, P(b)=P(c)=1/2, P(a,b)=1/2, P(a,c)=1/4, P(b,c)=0
    present = sparse.csr_matrix([[1, 1, 0], [1, 1, 0], [1, 0, 1], [0, 0, 1]])
    ab = math.log(4 / 3) / math.log(2)
    ac = math.log(2 / 3) / math.log(4)
    assert text.npmi_coherence([[0, 1]], present) == pytest.approx(ab, abs=1e-12)
    assert text.npmi_coherence([[0, 1], [0, 1, 2]], present) == pytest.approx(
        (ab + (ab + ac - 1) / 3) / 2, abs=1e-12)
    ref = REFERENCE["npmi"]
    got = text.npmi_coherence(ref["topics"], sparse.csr_matrix(np.array(ref["present"])))
    assert got == pytest.approx(ref["coherence"], abs=1e-12)


POOLS = [["delivery", "late", "courier", "waited", "parcel", "slow"],
         ["price", "expensive", "discount", "cost", "cheaper", "fee"],
         ["staff", "rude", "friendly", "manager", "polite", "service"]]


def _planted(seed: int) -> list[str]:
    """120 comments, 40 from each pool: 2-4 of its words, half of them with a noise word."""
    rng = np.random.default_rng(seed)
    noise = ["today", "really", "thing", "bit", "again", "order"]
    docs = []
    for i in range(120):
        words = list(rng.choice(POOLS[i % 3], size=rng.integers(2, 5), replace=False))
        if rng.random() < 0.5:
            words.append(rng.choice(noise))
        docs.append(" ".join(words))
    return docs


def test_theme_set_score_by_hand():
    # the documents of test_npmi_by_hand; topic 1 weighs a, b; topic 2 only c
    present = sparse.csr_matrix([[1, 1, 0], [1, 1, 0], [1, 0, 1], [0, 0, 1]])
    components = np.array([[0.9, 0.5, 0.0], [0.0, 0.0, 1.0]])
    # top terms (5 at most, zeros included): [a, b, c] and [c, a, b]; both have NPMI
    # (ab + ac + bc) / 3 with ab = log(4/3)/log 2, ac = log(2/3)/log 4, bc = -1; every document
    # holds a shown term (a, b or c): coverage 1
    npmi = (math.log(4 / 3) / math.log(2) + math.log(2 / 3) / math.log(4) - 1) / 3
    assert text.theme_set_score(components, present) == pytest.approx((1 + npmi) / 2, abs=1e-12)
    # only topic 1: document 4 ({c}) holds none of its shown terms (a, b)
    assert text.theme_set_score(components[:1], present) == pytest.approx(
        0.75 * (1 + npmi) / 2, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_suggested_themes_recover_planted_clusters_and_are_reproducible(seed):
    docs = _planted(seed)
    counts, terms = text._term_matrix(text.segment_all(docs, text.shipped_stopwords()))
    first = text.suggest_themes(counts, terms, docs, min_count=5, seed=0)
    assert first == text.suggest_themes(counts, terms, docs, min_count=5, seed=0)
    assert len(first) == 3
    pools = [set(pool) for pool in POOLS]
    for suggestion in first:
        pool = next(p for p in pools if suggestion["terms"][0] in p)
        assert set(suggestion["terms"][:4]) <= pool
        assert all(set(e.split()) & pool for e in suggestion["examples"])
    assert sum(s["n"] for s in first) == 120 and min(s["n"] for s in first) >= 35
    assert text.suggest_themes(counts[:10], terms, docs[:10]) == []  # too few comments


def test_too_few_comments_to_suggest_themes_do_not_import_scikit_learn(monkeypatch):
    # the sample's comments outside its themes are 16: no factorisation, no 0.4 s of import
    for name in ("sklearn", "sklearn.decomposition", "sklearn.feature_extraction.text"):
        monkeypatch.setitem(sys.modules, name, None)  # importing it would fail
    docs = ["送货 太 慢", "价格 偏高"] * 9
    counts, terms = text._term_matrix([d.split() for d in docs])
    assert text.suggest_themes(counts, terms, docs, min_count=1) == []


# ---------------------------------------------------------------- the study file
def _study(tmp_path, extra: str):
    (tmp_path / "c.csv").write_text("Q1,Q2,REC,note\n4,5,9,送餐太慢\n", encoding="utf-8")
    return parse_study("title: t\ngroups: {c: c.csv}\ndimensions: {d: [Q1, Q2]}\nnps: REC\n"
                       + extra, base_dir=tmp_path)


def test_study_keys(tmp_path):
    (tmp_path / "stop.txt").write_text("# mine\n送餐\nFOO\n\n", encoding="utf-8")
    study = _study(tmp_path, "comments: [note]\nthemes: {速度: [慢, 等了], 态度: 态度}\n"
                             "text: {min_count: 3, stopwords: stop.txt}\n")
    assert study.comments == ["note"]
    assert study.themes == {"速度": ["慢", "等了"], "态度": ["态度"]}
    assert (study.text.min_count, study.text.stopwords) == (3, frozenset({"送餐", "foo"}))
    inline = _study(tmp_path, "comments: [note]\ntext: {stopwords: [送餐]}\n")
    assert inline.text.stopwords == frozenset({"送餐"}) and inline.text.file is None


@pytest.mark.parametrize("extra, key, message", [
    ("themes: {a: [x]}\n", "themes", "'themes' needs the open-ended columns"),
    ("comments: [note]\nthemes: {a: []}\n", "themes.a", "theme 'a' has no terms"),
    ("comments: [note]\nthemes: {a: ['']}\n", "themes.a", "theme 'a' has an empty term"),
    ("comments: [note]\ntext: {min_count: 0}\n", "text.min_count", "min_count '0' is not"),
    ("comments: [note]\ntext: {stopword: x}\n", "text.stopword", "unknown key 'stopword'"),
    ("comments: [note]\ntext: {stopwords: none.txt}\n", "text.stopwords",
     "stopwords file not found"),
    ("comments: [REC]\n", "comments", "'REC' is a scale item or numeric column"),
])
def test_study_key_errors(tmp_path, extra, key, message):
    with pytest.raises(StudyError) as error:
        _study(tmp_path, extra)
    assert error.value.key == key and message in str(error.value)
    assert "研究" in error.value.render("zh") or "“" in error.value.render("zh") or \
        "找不到" in error.value.render("zh")


# ---------------------------------------------------------------- results.json on the sample
@pytest.fixture(scope="module")
def sample_results() -> dict:
    """The sections of results.json this feature adds, as the pipeline builds them."""
    data = load_study(SAMPLE)
    return {key: build(data) for key, build in _sections(data.study)
            if key in ("quality", "indices", "text")}


def test_sample_text_section_has_exactly_the_issue_keys(sample_results):
    entry = sample_results["text"]["customers"]["comment"]
    assert set(sample_results["text"]) == {"customers"}  # employees have no comment column
    assert set(entry) == {"n_answered", "n_blank", "themes", "other", "keywords", "suggested"}
    assert entry["n_answered"] + entry["n_blank"] == sample_results["indices"]["customers"]["n"]
    for theme in entry["themes"]:
        assert set(theme) == {"name", "terms", "n", "share", "satisfaction", "nps",
                              "detractor_share", "examples"}
        assert set(theme["satisfaction"]) == {"mean", "ci"} and len(theme["examples"]) <= 3
        assert -100 <= theme["nps"] <= 100
    assert set(entry["other"]) == {"n", "share"}
    assert all(set(k) == {"term", "n", "log_odds", "z"}
               for side in ("detractors", "promoters") for k in entry["keywords"][side])
    assert len(entry["keywords"]["detractors"]) >= 20 and len(entry["keywords"]["promoters"]) >= 20
    json.dumps(sample_results["text"], allow_nan=False)


def test_sample_comments_follow_the_scores(sample_results):
    """By construction, detractors complain about customization and interaction, promoters
    praise; the theme dictionary leaves price out, so its comments are in 'other'."""
    entry = sample_results["text"]["customers"]["comment"]
    themes = {t["name"]: t for t in entry["themes"]}
    assert themes["定制与培训"]["nps"] < 0 < themes["服务态度"]["nps"]
    assert themes["定制与培训"]["satisfaction"]["mean"] < themes["服务态度"]["satisfaction"]["mean"]
    assert {"不够", "灵活"} <= {k["term"] for k in entry["keywords"]["detractors"][:20]}
    assert {"顺畅", "满意"} <= {k["term"] for k in entry["keywords"]["promoters"][:20]}
    assert entry["other"]["n"] > 0


def test_numbers_in_a_comments_column_are_a_quality_note(tmp_path):
    (tmp_path / "c.csv").write_text("Q1,Q2,REC,note\n4,5,9,\n3,4,5,\n2,2,8,7\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text("title: t\nscale: {min: 1, max: 5}\ngroups: {c: c.csv}\n"
                                     "dimensions: {d: [Q1, Q2]}\nnps: REC\ncomments: [note]\n",
                                     encoding="utf-8")
    results = analyse(load_study(tmp_path / "s.yaml"))
    notes = [n for n in results["quality"]["c"]["notes"] if n.key.startswith("comments_")]
    assert [n.key for n in notes] == ["comments_numbers"]
    entry = results["text"]["c"]["note"]
    assert (entry["n_answered"], entry["n_blank"]) == (0, 3)
    assert entry["keywords"] == {"detractors": [], "promoters": []} and entry["suggested"] == []


# ---------------------------------------------------------------- writing themes back
def test_themes_block_replaced_byte_exact():
    original = SAMPLE.read_text(encoding="utf-8")
    edited = with_themes(original, {"价格": ["价格", "优惠"], "a: b": ["x, y", "#tag", "yes"]})
    study = parse_study(edited, base_dir=SAMPLE.parent)
    assert study.themes == {"价格": ["价格", "优惠"], "a: b": ["x, y", "#tag", "yes"]}
    head, tail = original.split("themes:\n", 1)
    tail = tail[tail.index("names:"):]
    assert edited == head + themes_block(study.themes) + tail


def test_themes_block_keeps_comments_around_it_and_can_be_added_or_removed():
    text_ = "title: t  # mine\n# before\nthemes:\n  a: [x]   # on the last line\n  b:\n" \
            "    - y\n# after\nnames: {}\n"
    assert with_themes(text_, {"z": ["q"]}) == \
        "title: t  # mine\n# before\nthemes:\n  z: [q]\n# after\nnames: {}\n"
    assert with_themes(text_, {}) == "title: t  # mine\n# before\n# after\nnames: {}\n"
    assert with_themes("title: t", {"z": ["q"]}) == "title: t\nthemes:\n  z: [q]\n"
    with pytest.raises(StudyError):
        with_themes("{title: t, themes: {a: [x]}}", {"z": ["q"]})


def test_the_apps_preview_of_the_section_is_its_themes_then_the_section(sample_results):
    """LazyResults.preview("text") (the dashboard's detractor themes, before jieba and
    scikit-learn are loaded) equals the themes of the full section, and is the full section once
    that is built."""
    from analysis.jsonready import json_ready
    from analysis.pipeline import analyse

    lazy = analyse(load_study(SAMPLE), lazy=True)
    preview = lazy.preview("text")
    full = json_ready(sample_results["text"])
    assert preview == {g: {c: {k: entry[k] for k in ("n_answered", "n_blank", "themes", "other")}
                           for c, entry in columns.items()} for g, columns in full.items()}
    assert "text" not in lazy._built  # nothing but the preview was computed
    assert lazy["text"] == full and lazy.preview("text") is lazy["text"]
    assert lazy.preview("indices") is lazy["indices"] and lazy.preview("pls_none") is None
