"""The hostile-input corpus (tests/corpus/make_corpus.py) through the three ways in: the command
line, the study store and the app's upload path. Each case ends as the corpus says: a correct
import (whose results say what was odd) or one clear error naming file, row, column or key;
never a traceback, never a hang, memory bounded, never a partial write to the store."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from analysis.pipeline import analyse
from surveys.errors import StudyError
from surveys.load import load_study
from surveys.store import Store
from surveys.study import parse_study
from tests.corpus.make_corpus import CASES, Ok, Refused, build
from ui.study import read_uploads, save_uploads

ROOT = Path(__file__).resolve().parents[1]
BY_NAME = {case.name: case for case in CASES}
#: cases whose reports the command line writes in full (hostile names and titles in every format)
WITH_REPORTS = ("markdown_names", "control_characters")
#: the command-line process (imports, every refused case, two full runs) stays below this
MAX_MEMORY_MB = 1200
MAX_SECONDS_REFUSED = 30  # a refused case stops early, bombs included (it used to hang)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return build(tmp_path_factory.mktemp("corpus"))


def _check_error(error: StudyError, expected: Refused, case: str) -> None:
    text = error.render("en")
    assert expected.text in text, (case, text)
    location = error.location
    if expected.file is not None:
        assert location.file is not None and Path(location.file).name == expected.file, (case, text)
    for part in ("row", "column", "key"):
        if getattr(expected, part) is not None:
            assert getattr(location, part) == getattr(expected, part), (case, part, text)


DRIVER = textwrap.dedent("""
    import contextlib, io, json, resource, sys, time
    from analysis.__main__ import main
    out = {}
    for case, study, target in json.loads(sys.argv[1]):
        err = io.StringIO()
        start = time.monotonic()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["run", study, "--out", target, "--lang", "en", "--quiet"])
        out[case] = {"code": code, "stderr": err.getvalue(), "seconds": time.monotonic() - start}
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
""")


def test_command_line(corpus, tmp_path):
    """One process runs every case the command line refuses (bombs included) and two that it
    reads, with their reports: status 2 and one line naming the place, or status 0; each case
    in seconds; the process's peak memory bounded."""
    cases = [c.name for c in CASES if isinstance(c.cli, Refused)] + list(WITH_REPORTS)
    jobs = [[name, str(corpus[name]), str(tmp_path / name)] for name in cases]
    done = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(jobs)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["peak_mb"] < MAX_MEMORY_MB, out["peak_mb"]
    for name in cases:
        run, expected = out[name], BY_NAME[name].cli
        assert "Traceback" not in run["stderr"] and "internal error" not in run["stderr"], run
        if isinstance(expected, Ok):
            assert run["code"] == 0, (name, run)
            continue
        assert run["seconds"] < MAX_SECONDS_REFUSED, (name, run["seconds"])
        assert run["code"] == 2, (name, run)
        line = run["stderr"].strip()
        assert "\n" not in line and line.startswith("error: "), (name, line)
        assert expected.text in line, (name, line)
        assert "\x1b" not in line and "\r" not in line
    report = (tmp_path / "markdown_names" / "report.html").read_text(encoding="utf-8")
    assert "127.0.0.1:9/beacon.png" in report and '<img src="http://127.0.0.1:9' not in report
    results = json.loads((tmp_path / "control_characters" / "results.json").read_text("utf-8"))
    assert results["study"]["title"] == "Corpus\x1b[2J\rstudy\u202e"  # kept as data, exactly


@pytest.mark.parametrize("name", [c.name for c in CASES if isinstance(c.cli, Ok)
                                  and c.name not in WITH_REPORTS])
def test_readable_cases_load_and_analyse_to_strict_json(corpus, name):
    """The command line's own steps (load, analyse, results.json) on each readable case; the
    results are strict JSON and say what was odd. (Cases odd only in how they are read are
    loaded; the analysis of an ordinary table is tested elsewhere.)"""
    data = load_study(corpus[name])
    if not BY_NAME[name].cli.note:
        assert all(len(group.data) for group in data.groups.values())
        return
    text = json.dumps(analyse(data), ensure_ascii=False, allow_nan=False)
    assert BY_NAME[name].cli.note in text


@pytest.mark.parametrize("name", [c.name for c in CASES if isinstance(c.cli, Refused)])
def test_refused_cases_name_the_place(corpus, name):
    """The same error as a StudyError in Python, located as the corpus says."""
    with pytest.raises(StudyError) as caught:
        load_study(corpus[name])
    _check_error(caught.value, BY_NAME[name].cli, name)


def _counts(path: Path) -> tuple:
    con = duckdb.connect(str(path))
    try:
        tables = con.execute("SELECT count(*) FROM information_schema.tables").fetchone()[0]
        return tables, *(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                         for t in ("studies", "study_files", "waves", "uploads"))
    finally:
        con.close()


def test_store(corpus, tmp_path):
    """``store add`` of every case: stored whole (and exported byte-identical) or refused with
    the store exactly as it was."""
    store = Store(tmp_path / "store.duckdb", busy_timeout=1)
    store.list_studies()
    for case in CASES:
        expected = case.expected("store")
        before = _counts(store.path)
        if isinstance(expected, Refused):
            with pytest.raises(StudyError) as caught:
                store.add_study(corpus[case.name])
            _check_error(caught.value, expected, case.name)
            assert _counts(store.path) == before, case.name
            continue
        study_id = store.add_study(corpus[case.name], wave=case.name)
        opened = store.open_study(study_id, tmp_path / "open" / case.name, wave=case.name)
        for original in corpus[case.name].parent.iterdir():
            assert (opened.parent / original.name).read_bytes() == original.read_bytes()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_app_upload_path(corpus, tmp_path, case):
    """What the Study page does with the case's files uploaded together (an upload carries a
    file's bytes, never a link): save them, read the data files for the preview, check the
    study file inside the upload folder, load it."""
    folder = tmp_path / "upload"
    files = {p.name: p.read_bytes() for p in corpus[case.name].parent.iterdir() if p.is_file()}
    expected = case.expected("app")
    try:
        text, _ = read_uploads(save_uploads(files, folder))
        load_study(parse_study(text, path=folder / "study.yaml", base_dir=folder, inside=folder))
    except StudyError as error:
        assert isinstance(expected, Refused), (case.name, error.render("en"))
        _check_error(error, expected, case.name)
    else:
        assert isinstance(expected, Ok), case.name
