"""The moments layer (analysis.moments): pairwise sums, cross-products and value counts, exact for
whole numbers; the same sums from DuckDB's SQL aggregates; the pipeline's results.json equal on the
exact path and on the row path (floating-point sums and scipy rank tests over the rows), with and
without missing answers; results that do not move when only the row order changes."""
from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis import moments
from analysis.indices import dimension_scores
from analysis.moments import Moments, Responses, row_path
from analysis.pipeline import analyse
from surveys.load import load_study

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "study.yaml"


def _answers(n: int = 600, k: int = 5, missing: float = 0.1, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.integers(1, 6, (n, k)).astype(float), columns=list("abcde")[:k])
    frame = frame.mask(rng.random(frame.shape) < missing)
    frame.loc[:3, "a"] = np.nan  # a few rows without an answer to a
    return frame


def test_pairwise_moments_equal_pandas():
    """pandas' cov/corr use pairwise deletion with pair-specific means, as R does."""
    frame = _answers()
    m = Responses(frame).moments(list(frame))
    assert m.exact
    np.testing.assert_allclose(m.cov, frame.cov().to_numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(m.cor, frame.corr().to_numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(m.mean, frame.mean().to_numpy(), rtol=1e-15)
    observed = frame.notna().astype(int)
    np.testing.assert_array_equal(m.n, observed.T @ observed)
    with row_path():
        rows = Responses(frame).moments(list(frame))
    assert not rows.exact
    np.testing.assert_allclose(rows.cov, m.cov, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(rows.cor, m.cor, rtol=1e-12, atol=1e-14)


def test_listwise_moments_equal_the_complete_rows():
    frame = _answers()
    m = Responses(frame).moments(["a", "b", "c"], complete=True)
    complete = frame[["a", "b", "c"]].dropna()
    assert (m.n == len(complete)).all()
    np.testing.assert_allclose(m.cov, complete.cov().to_numpy(), rtol=1e-12, atol=1e-14)


def test_blocks_and_sums_beyond_float32(monkeypatch):
    """Many small blocks, and answers whose squares leave float32's exact range, give the same
    integers as one block."""
    frame = _answers(n=5000)
    whole = Responses(frame).moments(list(frame))
    monkeypatch.setattr(moments, "BLOCK_ROWS", 97)
    blocked = Responses(frame).moments(list(frame))
    for field in ("n", "sums", "squares", "cross"):
        np.testing.assert_array_equal(getattr(blocked, field), getattr(whole, field))
    wide = frame * 1000 + 7  # |x| up to 5007: float64 blocks
    m = Responses(wide).moments(list(wide))
    assert m.exact
    np.testing.assert_allclose(m.cov, wide.cov().to_numpy(), rtol=1e-12, atol=1e-14)


def test_uncorrelated_pair_is_exactly_zero_and_row_order_does_not_matter():
    pair = pd.DataFrame({"x": [1, 1, 2, 2, 3, 3] * 50, "y": [1, 3, 2, 2, 3, 1] * 50}, dtype=float)
    assert Responses(pair).moments(["x", "y"]).cor[0, 1] == 0.0  # pandas: a few 1e-17
    frame = _answers(missing=0.2)
    shuffled = frame.sample(frac=1, random_state=3)
    a, b = (Responses(f).moments(list(f)) for f in (frame, shuffled))
    for field in ("n", "sums", "squares", "cross"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    np.testing.assert_array_equal(a.cor, b.cor)
    np.testing.assert_array_equal(a.cov, b.cov)


def test_scores_are_exact_rationals_of_the_dimension_rule():
    frame = _answers(missing=0.3)
    dims = {"d1": ["a", "b", "c"], "d2": ["d", "e"]}
    scores = Responses(frame).scores(dims, 0.5)
    pd.testing.assert_frame_equal(scores.frame, dimension_scores(frame, dims))
    m = scores.moments(["d1", "d2"])
    assert m.exact and list(m.scale) == [6, 2]  # counts 2 or 3 of 3 items; 1 or 2 of 2
    np.testing.assert_allclose(m.cov, scores.frame.cov().to_numpy(), rtol=1e-12, atol=1e-14)
    counts = scores.counts("d1")
    expected = scores.frame["d1"].value_counts().sort_index()
    np.testing.assert_array_equal(counts.values, expected.index.to_numpy())
    np.testing.assert_array_equal(counts.counts, expected.to_numpy())
    assert counts.median == scores.frame["d1"].median()


def test_the_sql_aggregates_give_the_same_moments():
    """Every field is a SQL aggregate (the module docstring): DuckDB's sums equal ours exactly."""
    frame = _answers(missing=0.15)
    columns = list(frame)
    ours = Responses(frame).moments(columns)
    con = duckdb.connect()
    con.register("answers", frame.astype("Int64"))
    k = len(columns)
    fields = {name: np.zeros((k, k), dtype=object) for name in ("n", "sums", "squares", "cross")}
    for i, a in enumerate(columns):
        for j, b in enumerate(columns):
            row = con.execute(
                f"SELECT COUNT(*) FILTER (WHERE {a} IS NOT NULL AND {b} IS NOT NULL), "
                f"SUM(CASE WHEN {b} IS NOT NULL THEN {a} END), "
                f"SUM(CASE WHEN {b} IS NOT NULL THEN {a} * {a} END), SUM({a} * {b}) "
                "FROM answers").fetchone()
            for name, value in zip(fields, row):
                fields[name][i, j] = int(value or 0)
    sql = Moments.from_sums(columns, **fields)
    for name in fields:
        np.testing.assert_array_equal(getattr(sql, name), getattr(ours, name))
    np.testing.assert_array_equal(sql.cor, ours.cor)
    counts = dict(con.execute("SELECT a, COUNT(*) FROM answers WHERE a IS NOT NULL GROUP BY a"
                              ).fetchall())
    found = Responses(frame).counts("a")
    assert dict(zip(found.values.tolist(), found.counts.tolist())) == counts


def test_split_keeps_the_prepared_columns_and_the_level_order():
    frame = _answers().assign(region=pd.Categorical(["s", "n", "e"] * 200,
                                                    categories=["s", "n", "e", "w"]))
    parts = Responses(frame).by("region")
    assert list(parts) == ["s", "n", "e"]
    for level, part in parts.items():
        expected = frame[frame["region"] == level][["b", "c"]]
        np.testing.assert_allclose(part.moments(["b", "c"]).cov, expected.cov().to_numpy(),
                                   rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------------------------------
# The whole analysis on both paths
# --------------------------------------------------------------------------------------------------
#: the oblimin rotation stops at a projected gradient of 1e-8, so its loadings are determined to
#: about that; everything else agrees to 1e-9
ROTATION_TOL = 1e-7


def _holed(seed: int = 7):
    """The sample study with one answer in eight of every item removed (reverse item ID4 too),
    without its population weights (their raking is fitted row by row in floating point: the
    weighted estimates are not sums of the answers)."""
    data = load_study(SAMPLE)
    data = replace(data, study=replace(data.study, weighting=None))
    rng = np.random.default_rng(seed)
    groups = {}
    for key, group in data.groups.items():
        scored = group.scored.copy()
        for item in data.study.scored_items:
            if item in scored:
                scored.loc[rng.random(len(scored)) < 0.125, item] = np.nan
        groups[key] = replace(group, scored=scored)
    return replace(data, groups=groups)


def _differences(a, b, path="") -> list[str]:
    if isinstance(a, dict):
        assert list(a) == list(b), path
        return [d for k in a for d in _differences(a[k], b[k], f"{path}/{k}")]
    if isinstance(a, list):
        assert len(a) == len(b), path
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, f"{path}[{i}]")]
    if isinstance(a, float) and isinstance(b, float):
        tol = ROTATION_TOL if "/efa/" in path else 1e-9
        return [] if math.isclose(a, b, rel_tol=tol, abs_tol=tol) else [f"{path}: {a} {b}"]
    return [] if a == b else [f"{path}: {a!r} {b!r}"]


@pytest.fixture(scope="module")
def holed_results():
    """results.json of the study with missing answers, rows in file order and shuffled."""
    data = _holed()
    rng = np.random.default_rng(1)
    shuffled = replace(data, groups={
        key: replace(group, scored=group.scored.iloc[rng.permutation(len(group.scored))])
        for key, group in data.groups.items()})
    return analyse(data), analyse(shuffled)


@pytest.mark.parametrize("study", ["sample", "missing answers"])
def test_moments_path_and_row_path_give_the_same_results(study, holed_results):
    exact = analyse(load_study(SAMPLE)) if study == "sample" else holed_results[0]
    with row_path():
        rows = analyse(load_study(SAMPLE) if study == "sample" else _holed())
    assert _differences(exact, rows) == []


def test_row_order_does_not_move_any_result(holed_results):
    """Shuffling every group's rows changes nothing, to the last bit, outside the bootstrap
    intervals (which resample rows by position) and the quality examples."""
    a, b = holed_results
    for key in ("reliability", "validity", "gaps", "servqual", "drivers", "comparisons"):
        assert a[key] == b[key], key


def test_counted_rows_are_kept_and_equal_their_definition():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(rng.integers(1, 6, (200, 4)).astype(float), columns=list("abcd"))
    frame = frame.mask(rng.random(frame.shape) < 0.3)
    source = Responses(frame)
    for any_of, all_of in ((["a", "b"], []), ([], ["c", "d"]), (["d"], ["a", "b"]), ([], [])):
        answered = frame.notna()
        keep = answered[any_of].any(axis=1) if any_of else pd.Series(True, index=frame.index)
        expected = int((keep & answered[all_of].all(axis=1)).sum())
        assert source.count_rows(any_of=any_of, all_of=all_of) == expected
        # asked again, in another order: the count kept
        assert source.count_rows(any_of=any_of[::-1], all_of=all_of[::-1]) == expected
    assert len(source._counted) == 4


@pytest.mark.parametrize("missing", [0.0, 0.02, 0.3])
def test_complete_rows_from_the_pairwise_sums_equal_their_own_pass(missing):
    # listwise moments as the pairwise sums over every row minus the incomplete rows' sums:
    # the integers of a pass over the complete rows (no missing answer: no pass at all; 6% of
    # the rows incomplete: a pass over those; two thirds incomplete: that pass itself)
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(rng.integers(1, 6, (3000, 5)).astype(float), columns=list("abcde"))
    frame = frame.mask(rng.random(frame.shape) < missing)
    columns = ("a", "c", "d")
    source = Responses(frame, list("abcde"))
    source.moments(columns)  # the pairwise pass, as the sections before validity take it
    got = source.moments(columns, complete=True)
    rows = frame[list(columns)].notna().all(axis=1).to_numpy()
    expected = Responses(frame)._sum(columns, rows)
    for field in ("n", "sums", "squares", "cross"):
        assert np.array_equal(getattr(got, field), getattr(expected, field))
        assert getattr(got, field).dtype == getattr(expected, field).dtype
    assert got.columns == expected.columns and got.exact
    np.testing.assert_array_equal(got.cov, expected.cov)
