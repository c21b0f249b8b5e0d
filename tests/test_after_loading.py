"""The million-row run after loading: the sums of analysis.moments and the command line's forked
jobs, each against its former definition (the same integers, counts and files)."""
from __future__ import annotations

import math
import os
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis import moments as m


def former_score(source, items, min_share):
    """The former definition of an exact score column: int64 count and total, the factor
    L // count where enough items are answered."""
    parts = [source.column(item) for item in items]
    count = np.sum([p.observed for p in parts], axis=0, dtype=np.int64)
    enough = (count >= min_share * len(items) - 1e-12) & (count > 0)
    possible = [c for c in range(1, len(items) + 1) if c >= min_share * len(items) - 1e-12]
    scale = math.lcm(*possible) if possible else 1
    total = np.sum([p.ints.astype(np.int64) for p in parts], axis=0)
    ints = np.where(enough, total * (scale // np.maximum(count, 1)), 0)
    return enough, ints, scale, int(np.abs(ints).max(initial=0))


@pytest.mark.parametrize("min_share", [0.0, 0.5, 2 / 3, 1.0, 1.2])
def test_scores_in_small_integer_types_equal_the_former_int64_definition(min_share):
    """Scores of 1 to 6 items (answers -5..7, one in four missing, rows with none answered),
    every share rule (1.2: no count allowed): the same answered rows, integers, scale and bound
    as the former int64 arithmetic; answers beyond int8 take int16 totals."""
    rng = np.random.default_rng(3)
    x = rng.integers(-5, 8, (600, 6)).astype(float)
    x[rng.random(x.shape) < 0.25] = np.nan
    x[:20] = np.nan
    wide = rng.integers(-300, 300, (600, 2)).astype(float)
    frame = pd.DataFrame(np.column_stack([x, wide]), columns=[*"abcdef", "w1", "w2"])
    source = m.Responses(frame)
    for items in (["a"], ["a", "b"], list("abc"), list("abcdef"), ["w1", "w2", "a"]):
        column = m._score(source, items, min_share)
        enough, ints, scale, bound = former_score(source, items, min_share)
        assert np.array_equal(column.observed, enough) and np.array_equal(column.ints, ints)
        assert (column.scale, column.bound) == (scale, bound)
        assert np.array_equal(column.values, np.where(enough, ints / scale, np.nan),
                              equal_nan=True)


@pytest.mark.parametrize("compared", [0, m.COMPARED_VALUES, 1000])
def test_value_counts_of_every_row_equal_those_of_the_answered_rows(monkeypatch, compared):
    """_tally (every row counted, the missing ones taken off the 0s; by bincount, or value by
    value for a column spanning fewer than COMPARED_VALUES values: every column one way, then
    the other, then as chosen) against the former count of the answered rows: positive and
    negative answers, a column answering 0, one with every answer missing, an empty one and a
    score (int32 over a denominator)."""
    monkeypatch.setattr(m, "COMPARED_VALUES", compared)
    rng = np.random.default_rng(5)
    columns = {"pos": rng.integers(1, 6, 400), "neg": rng.integers(-4, 3, 400),
               "zero": rng.integers(0, 2, 400), "none": np.full(400, np.nan)}
    frame = pd.DataFrame(columns, dtype=float)
    frame.iloc[rng.random(400) < 0.2, :3] = np.nan
    source = m.Responses(frame)
    score = source.scores({"s": ["pos", "neg", "zero"]}, 0.0)
    empty = m.Responses(frame.iloc[:0])
    for responses, column in [*((source, c) for c in frame), (score, "s"), (empty, "pos")]:
        prepared = responses.column(column)
        ints = prepared.ints[prepared.observed].astype(np.int64)
        low = int(ints.min(initial=0))
        former = np.bincount(ints - low) if ints.size else np.zeros(0, dtype=np.int64)
        seen = np.flatnonzero(former)
        counts = responses.counts(column)
        assert np.array_equal(counts.counts, former[seen])
        assert np.array_equal(counts.values, (seen + low) / prepared.scale)


def test_a_forked_job_answers_its_result_or_its_failure(tmp_path):
    """start_forked: the job runs in another process while this one goes on, and its result
    comes back (asked for twice: the same); an exception is raised here with the child's
    traceback as a note; a process that dies is reported; wait() leaves no child behind; without
    forking the job runs here, once, when its result is first asked for, and wait() does not
    run it."""
    import gc

    from analysis.report import start_forked

    def write():
        (tmp_path / "f.txt").write_text(str(os.getpid()))
        return [tmp_path / "f.txt", {"n": 3}]

    frozen = gc.get_freeze_count()
    started = start_forked(write)
    assert gc.get_freeze_count() == frozen  # nothing was frozen: unfrozen again here
    assert started.result() == started.result() == [tmp_path / "f.txt", {"n": 3}]
    assert (tmp_path / "f.txt").read_text() != str(os.getpid())

    def fails():
        raise ValueError("no such column")

    with pytest.raises(ValueError, match="no such column") as error:
        start_forked(fails).result()
    assert "in process" in error.value.__notes__[0] and "fails" in error.value.__notes__[0]
    with pytest.raises(RuntimeError, match="ended with status"):
        start_forked(lambda: os._exit(3)).result()
    waited = start_forked(lambda: os._exit(0))
    waited.wait()
    with pytest.raises(ChildProcessError):
        os.waitpid(waited._child[0], os.WNOHANG)  # already reaped
    here = []
    started = start_forked(lambda: here.append(os.getpid()) or "done", forked=False)
    started.wait()
    assert here == [] and started.result() == started.result() == "done"
    assert here == [os.getpid()]


def test_ncp_bounds_equal_those_of_scipy_stats_nct(monkeypatch):
    """gaps._ncp_bound evaluates scipy.special.nctdtr: at every point its root search
    evaluates, the value equals scipy.stats.nct.cdf's (the former definition), so the search
    takes the same steps to the same bound; for small and million-row df, t from -12 to 12,
    both tails; infinite and NaN t alike."""
    from scipy import special, stats

    from analysis import gaps

    evaluated, evaluate = [], special.nctdtr

    def nctdtr(df, ncp, t):
        value = evaluate(df, ncp, t)
        assert value == stats.nct.cdf(t, df, ncp), (df, ncp, t)
        evaluated.append(value)
        return value

    monkeypatch.setattr(gaps, "special", SimpleNamespace(nctdtr=nctdtr))
    for df in (2, 9, 58, 1_099_998):
        for t in (-12.0, -1.3, 0.0, 0.05, 2.7, 12.0):
            for prob in (0.975, 0.025):
                gaps._ncp_bound(t, df, prob)
        for t in (np.inf, -np.inf, np.nan, -0.7):
            for ncp in (-3.0, 0.0, 0.4, 5.0):
                assert np.array_equal(evaluate(df, ncp, t), stats.nct.cdf(t, df, ncp),
                                      equal_nan=True)
    assert len(evaluated) > 500


def test_correlation_p_values_equal_those_of_scipy_stats_t():
    """descriptives.pearson_correlations' p from scipy.special.stdtr equals the former
    2 * scipy.stats.t.sf(|t|, n - 2) to the bit (df 1 to a million, |t| up to 1e3)."""
    from scipy import special, stats

    for df in (1, 2, 7, 350, 999_998):
        for t in (0.0, 1e-9, 0.3, 1.96, 4.5, 40.0, 1e3):
            assert 2 * special.stdtr(df, -abs(t)) == 2 * stats.t.sf(abs(t), df), (df, t)


def test_rows_counted_equal_the_former_masks():
    """Responses.count_rows (one logical reduction, count_nonzero) against the former mask
    built from ones: any of, all of, both, neither, and an empty group."""
    rng = np.random.default_rng(9)
    x = rng.integers(1, 6, (300, 4)).astype(float)
    x[rng.random(x.shape) < 0.3] = np.nan
    frame = pd.DataFrame(x, columns=list("abcd"))
    for rows in (frame, frame.iloc[:0]):
        source, answered = m.Responses(rows), rows.notna()
        for any_of, all_of in (((), ()), (("a", "b"), ()), ((), ("c",)), (("a",), ("b", "d"))):
            keep = np.ones(len(rows), dtype=bool)
            if any_of:
                keep &= answered[list(any_of)].any(axis=1).to_numpy()
            for c in all_of:
                keep &= answered[c].to_numpy()
            assert source.count_rows(any_of=any_of, all_of=all_of) == int(keep.sum())


def test_g10_cells_are_what_percent_10g_writes():
    """respondents.g10_cells against "%.10g" % v (the former formatting of each value): random
    values of every magnitude and sign, decimals of 10 and 11 digits, values next to powers of
    ten and to the halves where rounding to 10 digits turns (each side of the fixed notation's
    exponents -4 and 9), zeros, infinities, subnormals; NaN as an empty cell."""
    from analysis.respondents import g10_cells

    rng = np.random.default_rng(11)
    values = [rng.random(20_000), rng.standard_normal(20_000) * 100, rng.chisquare(60, 20_000),
              10.0 ** rng.uniform(-330, 308, 20_000) * rng.choice([-1, 1], 20_000),
              np.round(rng.random(5000), 3), rng.integers(-10**6, 10**6, 5000).astype(float),
              [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, 1.7976931348623157e308, 0.1, 0.3]]
    for e in range(-7, 13):
        digits = rng.integers(10**9, 10**10, 300).astype(float)
        for step in (-1e-7, 0.0, 0.5 - 1e-6, 0.5, 0.5 + 1e-6, 0.9999999):
            values.append((digits + step) * 10.0 ** (e - 9))
        edges = np.array([10.0**e, 10.0**e - 0.5 * 10.0**(e - 9), 10.0**(e + 1) * (1 - 5e-11)])
        values.append(np.nextafter(edges[:, None], [0.0, np.inf]).ravel())
        values.append(rng.integers(10**10, 10**11, 300) * 10.0 ** (e - 10))
    values = np.concatenate([np.ravel(v) for v in values])
    values = np.concatenate([values, -values])
    want = ["" if v != v else "%.10g" % v for v in values.tolist()]
    assert g10_cells(values).to_pylist() == want


def test_score_frames_made_when_first_read_equal_the_former_eager_frames():
    """Responses.scores and .differences keep their columns prepared and make the DataFrame when
    it is first read: before that, columns, length, index and membership are the frame's; the
    frame then equals the former eager one (the prepared columns' values, same index, same bits),
    and the statistics asked before it was made equal those asked after."""
    rng = np.random.default_rng(11)
    x = rng.integers(1, 6, (200, 4)).astype(float)
    x[rng.random(x.shape) < 0.2] = np.nan
    frame = pd.DataFrame(x, columns=list("abcd"), index=pd.RangeIndex(5, 205))
    source = m.Responses(frame)
    definitions = {"s": ["a", "b"], "t": ["b", "c", "d"]}
    for derived in (source.scores(definitions, 0.5), source.differences({"d1": ("a", "b")})):
        names = list(derived._prepared)
        before = derived.moments(names), [derived.counts(c) for c in names]
        assert derived._frame is None
        assert list(derived.columns) == names and len(derived) == len(frame)
        assert derived.index.equals(frame.index) and names[0] in derived and "a" not in derived
        former = pd.DataFrame({c: derived.column(c).values for c in names}, index=frame.index)
        pd.testing.assert_frame_equal(derived.frame, former, check_exact=True)
        assert list(derived.columns) == names and len(derived) == len(frame)
        for field in ("n", "sums", "squares", "cross"):
            assert np.array_equal(getattr(before[0], field), getattr(derived.moments(names), field))
        assert all(np.array_equal(a.counts, derived.counts(c).counts)
                   for a, c in zip(before[1], names))


def test_int8_columns_prepared_equal_the_former_definition():
    """_prepare_whole (answers times the answered mask, the bound from wholecodes.answered_range)
    against the former np.where and the least and greatest of the answered codes: every int8
    code, all missing, none missing, empty."""
    from surveys.wholecodes import MISSING_CODE

    rng = np.random.default_rng(21)
    rows = [rng.integers(-128, 128, 3000).astype(np.int8), np.full(40, MISSING_CODE, np.int8),
            rng.integers(-5, 6, 50).astype(np.int8), np.zeros(0, np.int8),
            np.array([MISSING_CODE, -127, 3], np.int8)]
    for codes in rows:
        column = m._prepare_whole(codes)
        observed = codes != MISSING_CODE
        answered = codes[observed]
        low, high = (int(answered.min()), int(answered.max())) if answered.size else (0, 0)
        assert column.ints.dtype == np.int8 and np.array_equal(column.observed, observed)
        assert np.array_equal(column.ints, np.where(observed, codes, np.int8(0)))
        assert column.bound == max(abs(low), abs(high)) and column.scale == 1


def test_lookup_by_comparisons_equals_indexing():
    """moments._lookup against table[index]: tables of 1 to 9 entries (zeros among them, the
    least and greatest entry of each integer type), int8 and int64 indices, an empty index."""
    rng = np.random.default_rng(23)
    for dtype in (np.int8, np.int16, np.int32, np.int64):
        info = np.iinfo(dtype)
        for size in range(1, 10):
            table = rng.integers(-3, 4, size).astype(dtype)
            table[rng.integers(0, size)] = info.max
            table[rng.integers(0, size)] = info.min + 1
            for index in (rng.integers(0, size, 500).astype(np.int8),
                          rng.integers(0, size, 500), np.zeros(0, np.int8)):
                found = m._lookup(table, index)
                assert found.dtype == table.dtype and np.array_equal(found, table[index])
