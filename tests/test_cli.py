"""The command line: results.json from a study, one-line errors with exit status 2."""
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.__main__ import main
from analysis.report import REPORT_FILES

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "study.yaml"


@pytest.fixture(scope="module")
def sample_results(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("out")
    assert main(["run", str(SAMPLE), "--out", str(out), "--quiet"]) == 0
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_sample_study_runs_through(sample_results):
    r = sample_results
    assert r["study"]["title"] == "D公司客户关系管理调查 2019"
    assert set(r["study"]["groups"]) == {"customers", "employees"}
    customers = r["study"]["groups"]["customers"]
    # 312 answers + 1 double submission; 6 straight-liners, 5 speeders and 1 duplicate excluded,
    # then 9 more who fail the attention check (the straight-liners fail it too)
    assert customers == {"n": 292, "n_raw": 313,
                         "excluded": {"duplicates": 1, "speeders": 5, "straightliners": 6,
                                      "longstring": 0, "irv": 0, "mahalanobis": 0,
                                      "even_odd": 0, "attention": 9}}
    assert r["study"]["waves"]["2018"]["customers"]["n_raw"] == 288
    for key in ("quality", "weighting", "reliability", "validity", "indices", "gaps", "servqual", "trends", "ipa",
                "drivers", "comparisons", "segments"):
        assert key in r, key


def test_sample_study_shows_what_it_was_built_to_show(sample_results):
    r = sample_results
    gaps = {g["name"]: g for g in r["gaps"]["customers|employees"] if g["level"] == "dimension"}
    flagged = {name for name, g in gaps.items() if g["flag"]}
    assert flagged == {"identify", "interact", "customize"}
    quadrants = {p["name"]: p["quadrant"] for p in r["ipa"]["customers"]["points"]}
    assert quadrants["customize"] == "concentrate_here"
    assert all(r["reliability"]["customers"][d]["alpha"] > 0.7 for d in r["study"]["dimensions"])


def test_json_is_strict(sample_results, tmp_path):
    text = json.dumps(sample_results, allow_nan=False)  # raises on NaN/Infinity
    assert "NaN" not in text


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_bad_input_is_one_line_and_status_2(tmp_path):
    (tmp_path / "c.csv").write_text("Q1,Q2\n4,5\n3,好\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text("title: t\ngroups: {c: c.csv}\ndimensions: {d: [Q1, Q2]}\n",
                                     encoding="utf-8")
    done = run_cli("run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "out"), "--lang", "en")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: c.csv, row 3, column 'Q2': answer '好'")


def test_missing_study_file(tmp_path):
    done = run_cli("run", str(tmp_path / "none.yaml"), "--out", str(tmp_path), "--lang", "en")
    assert done.returncode == 2
    assert done.stderr == "error: none.yaml: study file not found\n"


def test_errors_follow_the_language_of_the_command_line(tmp_path):
    """--lang zh (the default) gives the error line in Chinese."""
    done = run_cli("run", str(tmp_path / "none.yaml"), "--out", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr == "错误：none.yaml：找不到研究文件\n"


def _schema_keys(value, names: set, found: set) -> set:
    """Every lower-case key of results.json that is not one of the study's own names."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if re.fullmatch(r"[a-z][a-z0-9_]*", key) and key not in names:
                found.add(key)
            _schema_keys(inner, names, found)
    elif isinstance(value, list):
        for inner in value:
            _schema_keys(inner, names, found)
    return found


def test_every_results_key_is_documented_in_the_readme(sample_results):
    study = sample_results["study"]
    names = {*study["names"], *study["dimensions"], *study["groups"], *study["waves"],
             *(item for items in study["dimensions"].values() for item in items)}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = {token for quoted in re.findall(r"`([^`\n]+)`", readme)
                  for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", quoted)}
    assert sorted(_schema_keys(sample_results, names, set()) - documented) == []


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "```bash"
    app, tests = (line.split("  #")[0].strip() for line in lines[1:3])
    assert app == "pip install -r requirements.txt && streamlit run app.py"
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_is_built_from_the_docs_fragments():
    spec = importlib.util.spec_from_file_location("build_readme", ROOT / "docs" / "build_readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "README.md").read_text(encoding="utf-8") == module.build(), (
        "README.md differs from the docs fragments: run python docs/build_readme.py")


def test_one_respondent_runs_through_with_reports(tmp_path):
    """Degenerate but valid: undefined statistics are null, the reports are still written."""
    (tmp_path / "c.csv").write_text("Q1,Q2\n1,1\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text("title: t\nscale: {min: 1, max: 5}\ngroups: {c: c.csv}\n"
                                     "dimensions: {d: [Q1, Q2]}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "s.yaml"), "--out", str(out), "--quiet"]) == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["indices"]["c"]["dimensions"]["d"]["ci"] == [None, None]
    assert sorted(p.name for p in out.iterdir()) == ["report.docx", "report.html", "report.pdf",
                                                     "report.xlsx", "respondents.csv", "results.json"]


def _project_files() -> set[tuple[str, int]]:
    return {(str(p.relative_to(ROOT)), p.stat().st_mtime_ns) for p in ROOT.rglob("*")
            if p.is_file() and ".git" not in p.parts and "__pycache__" not in p.parts}


def test_runs_with_a_read_only_home_and_project(tmp_path):
    """Nothing is cached into HOME or the project folder (issue 11: numba's cache made the CLI
    fail there): HOME and every cache folder point below a plain file, where no folder can be
    made, even by root; the temporary folder too (the PDF then reads its font's own folder)."""
    (tmp_path / "c.csv").write_text("Q1,Q2,Q3\n1,2,2\n2,3,3\n4,4,5\n5,4,4\n3,3,2\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text("title: t\nscale: {min: 1, max: 5}\ngroups: {c: c.csv}\n"
                                     "dimensions: {d: [Q1, Q2, Q3]}\n", encoding="utf-8")
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    env = {key: value for key, value in __import__("os").environ.items()
           if key not in ("NUMBA_CACHE_DIR", "MPLCONFIGDIR", "XDG_CACHE_HOME", "TMPDIR")}
    env.update(HOME=str(blocked / "home"), XDG_CACHE_HOME=str(blocked / "cache"),
               MPLCONFIGDIR=str(blocked / "mpl"), NUMBA_CACHE_DIR=str(blocked / "numba"),
               TMPDIR=str(blocked / "tmp"), PYTHONDONTWRITEBYTECODE="1")
    before = _project_files()
    done = subprocess.run([sys.executable, "-m", "analysis", "run", str(tmp_path / "s.yaml"),
                           "--out", str(tmp_path / "out"), "--quiet"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "out" / "report.pdf").stat().st_size > 1000
    printed = {Path(line).name for line in done.stdout.splitlines()}  # flushed before the exit
    assert {"results.json", "respondents.csv", *REPORT_FILES} <= printed
    assert _project_files() == before


def test_exit_without_teardown_runs_atexit_and_flushes():
    """The command line's exit: the status given, the atexit callbacks run, buffered output
    written (stdout to a pipe is block-buffered)."""
    code = ("import atexit, sys\n"
            "from analysis.__main__ import exit_without_teardown\n"
            "atexit.register(lambda: print('atexit ran'))\n"
            "sys.stdout.write('buffered ')\n"
            "exit_without_teardown(3)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (3, "buffered atexit ran\n", "")


def test_respondents_written_beside_the_reports_are_the_same_bytes(tmp_path):
    """respondents.csv, written while the reports are built, is the file of respondents_csv on
    the loaded study (answers with a formula, a missing answer, a straight-liner excluded)."""
    from analysis.respondents import respondents_csv, respondents_table
    from analysis.weighting import with_weights
    from surveys.load import load_study

    rows = ["id,Q1,Q2,Q3,Q4,Q5", "=1,1,2,2,3,1", "b,3,3,3,3,3", "c,,4,5,4,2", "d,5,4,4,5,5",
            "e,2,2,1,2,2", "f,4,5,5,4,3"]
    (tmp_path / "c.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "s.yaml").write_text("title: t\nscale: {min: 1, max: 5}\ngroups: {c: c.csv}\n"
                                     "id: id\ndimensions: {d: [Q1, Q2, Q3], e: [Q4, Q5]}\n"
                                     "exclude: {straightliners: true}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "s.yaml"), "--out", str(out), "--quiet"]) == 0
    expected = respondents_csv(respondents_table(with_weights(load_study(tmp_path / "s.yaml"))))
    assert (out / "respondents.csv").read_bytes() == expected
    assert b"c,1,2,'=1,0," in expected and b"c,1,3,b,0,,1,0,0,,,,,,5,0,,,,1,\n" in expected


def test_study_held_to_the_exit_only_as_the_program():
    """``python -m analysis`` keeps the loaded study until its exit without teardown; a program
    that imports the command line and calls ``main`` frees it as before."""
    from analysis import __main__ as cli

    cli._held_to_exit(object())
    assert cli._HELD == []
