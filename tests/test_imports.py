"""The command line's imports: scipy.stats only where a statistic needs it (the special functions
used instead give scipy.stats' bits), and the study's files read while the rest is imported."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import special, stats

ROOT = Path(__file__).resolve().parents[1]

#: points where the replaced scipy.stats calls were evaluated: both tails, 0, tiny, huge,
#: infinite and NaN
POINTS = np.concatenate([np.random.default_rng(5).normal(0, 4, 2000),
                         [0.0, -0.0, 1e-300, -1e-300, 38.0, -38.0, 1e6, np.inf, -np.inf, np.nan]])
PROBABILITIES = np.concatenate([np.random.default_rng(6).uniform(0, 1, 500),
                                [0.0, 1.0, 0.5, 0.975, 0.025, 1e-300, np.nan]])
#: degrees of freedom the callers pass (counts: finite; 0 and below give NaN)
DFS = (-1, 0, 0.5, 1, 2, 3.5, 29, 1_099_998)


@pytest.mark.parametrize("special_call, stats_call, points", [
    (lambda x, df: special.ndtri(x), lambda x, df: stats.norm.ppf(x), PROBABILITIES),
    (lambda x, df: special.ndtr(-np.abs(x)), lambda x, df: stats.norm.sf(np.abs(x)), POINTS),
    (lambda x, df: special.stdtr(df, -np.abs(x)), lambda x, df: stats.t.sf(np.abs(x), df), POINTS),
    (lambda x, df: special.chdtrc(df, x) if df > 0 else np.full_like(x, np.nan),  # factor.py
     lambda x, df: stats.chi2.sf(x, df), np.abs(POINTS)),
    (lambda x, df: special.fdtrc(3, df, x), lambda x, df: stats.f.sf(x, 3, df), np.abs(POINTS)),
])
def test_special_functions_give_the_bits_of_scipy_stats(special_call, stats_call, points):
    """The scipy.special calls that replace scipy.stats' (analysis/weighted.py, pls.py,
    reliability.py, factor.py, cfa.py, gaps.py) equal them bit for bit, on arrays and scalars."""
    for df in DFS:
        np.testing.assert_array_equal(special_call(points, df), stats_call(points, df))
        for x in points[-12:]:
            np.testing.assert_array_equal(special_call(x, df), stats_call(x, df))


def test_chi2_cdf_equals_scipy_stats_ncx2_and_chi2():
    """cfa.chi2_cdf (RMSEA's interval) equals the former ``stats.ncx2.cdf(x, df, ncp)`` for
    ncp > 0 and ``stats.chi2.cdf(x, df)`` for ncp = 0, 0 and below 0 included."""
    from analysis.cfa import chi2_cdf

    rng = np.random.default_rng(7)
    for df in (1, 2, 17, 165, 1700):
        xs = np.concatenate([rng.chisquare(df, 200) * rng.uniform(0.2, 5, 200),
                             [0.0, -1e-12, -3.0, 1e-300, 1e7, np.inf, np.nan]])
        for ncp in (0.0, 1e-9, 0.5, 40.0, 1e5, 1e6):
            for x in xs:
                former = stats.ncx2.cdf(x, df, ncp) if ncp > 0 else stats.chi2.cdf(x, df)
                np.testing.assert_array_equal(chi2_cdf(x, df, ncp), former)


def test_the_command_line_does_not_import_scipy_stats_before_loading():
    """What the command line imports before it loads a study (analysis.pipeline, the reports'
    starter, the loader) leaves out scipy.stats and the packages only some sections use."""
    code = ("import sys\n"
            "import analysis.pipeline, analysis.report, analysis.weighting, surveys.load\n"
            "print(sorted(m for m in ('scipy.stats', 'statsmodels', 'plotly', 'matplotlib', "
            "'sklearn', 'jieba') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


def test_read_ahead_loads_the_same_study():
    """load_study(ReadAhead(path)) (the command line) gives what load_study(path) gives: the
    tables read ahead are those load_study reads (the sample: two waves, workbooks and CSV)."""
    import pandas as pd

    from surveys.load import load_study
    from surveys.read_ahead import ReadAhead

    path = ROOT / "data" / "sample" / "study.yaml"
    ahead, direct = load_study(ReadAhead(path)), load_study(path)
    assert (ahead.fingerprint, ahead.notes, ahead.scale) == (direct.fingerprint, direct.notes,
                                                             direct.scale)
    assert ahead.groups.keys() == direct.groups.keys()
    for key, group in direct.groups.items():
        read = ahead.groups[key]
        assert (read.table.format, read.table.notes) == (group.table.format, group.table.notes)
        for frame in ("data", "scored"):
            pd.testing.assert_frame_equal(getattr(read, frame), getattr(group, frame),
                                          check_exact=True)
        pd.testing.assert_series_equal(read.quality.keep, group.quality.keep)


@pytest.mark.parametrize("case", ["study_not_found", "bad_yaml", "data_file_missing",
                                  "binary_data_file", "second_file_bad"])
def test_read_ahead_raises_the_errors_load_study_raises(tmp_path, case):
    """A bad study file or data file: load_study(ReadAhead(path)) raises the StudyError that
    load_study(path) raises, with the same message (the first bad file in the study's order)."""
    from surveys.errors import StudyError
    from surveys.load import load_study
    from surveys.read_ahead import ReadAhead

    study = ("scale: {min: 1, max: 5}\ngroups:\n  customers: c.csv\n  employees: e.csv\n"
             "dimensions:\n  a: [Q1, Q2]\n")
    (tmp_path / "c.csv").write_text("Q1,Q2\n1,2\n3,4\n", encoding="utf-8")
    (tmp_path / "e.csv").write_text("Q1,Q2\n2,2\n5,4\n", encoding="utf-8")
    if case == "bad_yaml":
        study += "dimensions: [\n"
    elif case == "data_file_missing":
        (tmp_path / "c.csv").unlink()
    elif case == "binary_data_file":
        (tmp_path / "c.csv").write_bytes(b"\x00\x01\x02" * 100)
    elif case == "second_file_bad":
        (tmp_path / "e.csv").write_bytes(b"")
    path = tmp_path / "study.yaml"
    if case != "study_not_found":
        path.write_text(study, encoding="utf-8")
    with pytest.raises(StudyError) as direct:
        load_study(path)
    with pytest.raises(StudyError) as ahead:
        load_study(ReadAhead(path))
    assert ahead.value.render("zh") == direct.value.render("zh")
    assert str(ahead.value) == str(direct.value)


def test_wishart_identity_draws_what_scipy_stats_wishart_draws():
    """factor.wishart_identity (parallel analysis) gives scipy.stats.wishart(df, I).rvs's draws bit
    for bit and leaves the generator where it leaves it; its error for too few df alike."""
    from analysis.factor import wishart_identity

    for p, df in ((1, 5), (2, 2), (3, 40), (6, 6), (20, 1_099_998), (60, 299)):
        ours, theirs = np.random.default_rng(p), np.random.default_rng(p)
        wishart = stats.wishart(df=df, scale=np.eye(p))
        for _ in range(4):
            np.testing.assert_array_equal(wishart_identity(df, p, ours),
                                          np.atleast_2d(wishart.rvs(random_state=theirs)))
        assert ours.random() == theirs.random()
    with pytest.raises(ValueError) as ours:
        wishart_identity(2, 3, np.random.default_rng(0))
    with pytest.raises(ValueError) as theirs:
        stats.wishart(df=2, scale=np.eye(3))
    assert str(ours.value) == str(theirs.value)


def test_numpy_tools_loaded_at_first_use_not_by_scipy():
    """The command line's SciPy import leaves NumPy's f2py and testing (and charset_normalizer,
    which f2py imports) unloaded, as modules that load on their first use and then work."""
    code = (
        "import sys\n"
        "from analysis.__main__ import _numpy_tools_on_first_use\n"
        "_numpy_tools_on_first_use()\n"
        "import scipy.special, scipy.linalg, scipy.stats\n"
        "print(sorted(m for m in ('charset_normalizer', 'numpy.f2py.crackfortran', 'unittest')"
        " if m in sys.modules))\n"
        "import numpy\n"
        "numpy.testing.assert_array_equal([1, 2], [1, 2])\n"
        "print(callable(numpy.f2py.run_main), 'unittest' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "True True"]


def test_scipy_docstrings_as_written_changes_only_the_docstrings():
    """With the command line's stand-in for SciPy's docstring parser, SciPy imports without
    rewriting docstrings (the parser is used: the pinned SciPy still has it), and the functions
    the analysis calls keep their signatures (the ``axis``/``nan_policy``/``keepdims`` SciPy
    adds) and give the same values as in this process, where SciPy rewrote its docstrings."""
    calls = (
        "x = np.arange(12.0).reshape(3, 4) ** 1.5\n"
        "y = x[::-1] + 0.25\n"
        "out = [stats.mannwhitneyu(x, y, axis=1), stats.kruskal(x[0], x[1], y[2]),\n"
        "       stats.ttest_ind(x, y, axis=1, equal_var=False), stats.spearmanr(x[0], y[0]),\n"
        "       stats.chi2.sf(3.5, 4), special.chdtrc(4, 3.5), linalg.cholesky(x @ x.T + 9 * np.eye(3)),\n"
        "       optimize.brentq(lambda t: t ** 3 - 2, 0, 2)]\n"
        "names = ('mannwhitneyu', 'kruskal', 'ttest_ind', 'spearmanr', 'pearsonr')\n"
        "print(repr([np.asarray(v, dtype=float).round(15).tolist() for v in out]))\n"
        "print([str(inspect.signature(getattr(stats, n))) for n in names])\n")
    imports = ("import inspect\nimport numpy as np\n"
               "from scipy import linalg, optimize, special, stats\n")
    patched = subprocess.run(
        [sys.executable, "-c",
         "from analysis.__main__ import _scipy_docstrings_as_written\n"
         "_scipy_docstrings_as_written()\n" + imports + calls
         + "import scipy._lib._util, scipy._lib._array_api\n"
         "print(scipy._lib._util.FunctionDoc.__name__, scipy._lib._array_api.FunctionDoc.__name__)\n"
         "print(stats.mannwhitneyu.__doc__ == inspect.unwrap(stats.mannwhitneyu).__doc__)\n"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines()
    plain = subprocess.run([sys.executable, "-c", imports + calls], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.splitlines()
    assert patched[:2] == plain
    assert "nan_policy" in patched[1] and "keepdims" in patched[1]
    assert patched[2:] == ["_DocstringAsWritten _DocstringAsWritten", "True"]
