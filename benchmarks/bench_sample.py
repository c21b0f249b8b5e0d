"""The shipped sample study, timed as a new user meets it, beside its floor in the same run.

Three things are timed, each in a fresh Python process, interleaved over ``--rounds`` rounds (the
machine's speed drifts and other jobs share it: compare the ratios within one run, not the
seconds across runs):

- **floor**: a fresh Python importing pandas, scipy.stats, statsmodels.api and plotly and reading
  the sample's four data files (two workbooks, two GB18030 CSVs) with pandas;
- **cli**: ``python -m analysis run data/sample/study.yaml --out DIR`` with every report
  (results.json, report.xlsx, report.html, report.pdf); also the PDF alone (``pdf_report``
  on the finished results, in-process);
- **app**: the app's first page (``AppTest`` on app.py, as a new visitor opens it) and then a
  switch to every other page with no pause, each switch timed on its own; and the CPU time of
  the forked copy that builds the sections the first page does not show meanwhile
  (:meth:`analysis.pipeline.LazyResults.build_elsewhere`; not in the first page's CPU, which is
  this process's own).

Each line prints the best and the median wall time (and CPU time, user + system) of the rounds
and the ratio of the best to the floor's best. Run: ``python benchmarks/bench_sample.py
[--rounds 3]``.

Our modules are byte-compiled once before the rounds and the children may read and write
``__pycache__`` (:func:`child_environment`), as in a user's checkout after its first run and as
pip installs the floor's packages; ``--compile-each-run`` measures as before 2026-12-01, when a
``PYTHONDONTWRITEBYTECODE`` set on the benchmark machine made every run compile them again
(~0.4 s of CPU in the command line's main process alone).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

#: every child prints one JSON line: {"name": [wall, cpu], ...}

#: the app's line of the forked copy's CPU time (it has no wall time of its own)
FORKED = "app forked copy"
FLOOR = textwrap.dedent(f"""
    import json, resource, sys, time
    start = time.perf_counter()
    import pandas, scipy.stats, statsmodels.api, plotly
    for name in ("customers_2018.xlsx", "customers_2019.xlsx"):
        pandas.read_excel({str(SAMPLE)!r} + "/" + name)
    for name in ("employees_2018.csv", "employees_2019.csv"):
        pandas.read_csv({str(SAMPLE)!r} + "/" + name, encoding="gb18030")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({{"floor": [time.perf_counter() - start, usage.ru_utime + usage.ru_stime]}}))
""")

CLI = textwrap.dedent(f"""
    import json, resource, sys, time
    start = time.perf_counter()
    sys.path.insert(0, {str(ROOT)!r})
    from analysis.__main__ import main
    assert main(["run", {str(SAMPLE / "study.yaml")!r}, "--out", sys.argv[1], "--quiet"]) == 0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    forked = resource.getrusage(resource.RUSAGE_CHILDREN)  # the processes writing the reports
    times = {{"cli": [time.perf_counter() - start, usage.ru_utime + usage.ru_stime
                     + forked.ru_utime + forked.ru_stime]}}
    from analysis.report import pdf_report
    results = json.loads(open(sys.argv[1] + "/results.json", encoding="utf-8").read())
    pdf_start, cpu_start = time.perf_counter(), time.process_time()
    pdf_report(results, "zh")
    times["pdf (in-process)"] = [time.perf_counter() - pdf_start, time.process_time() - cpu_start]
    print(json.dumps(times))
""")

APP = textwrap.dedent(f"""
    import json, resource, sys, time
    start = time.perf_counter()
    sys.path.insert(0, {str(ROOT)!r})
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file({str(ROOT / "app.py")!r}, default_timeout=600)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    times = {{"app first page": [time.perf_counter() - start, usage.ru_utime + usage.ru_stime]}}
    from pathlib import Path
    pages = sorted(p.name for p in Path({str(ROOT)!r}, "ui", "pages").glob("*.py"))
    for name in pages[1:] + pages[:1]:
        wall, cpu = time.perf_counter(), time.process_time()
        at.switch_page("ui/pages/" + name)
        at.run()
        assert not at.exception, (name, [e.value for e in at.exception])
        times["switch to " + name] = [time.perf_counter() - wall, time.process_time() - cpu]
    copy = resource.getrusage(resource.RUSAGE_CHILDREN)  # the forked copy, ended and reaped
    times[{FORKED!r}] = [0.0, copy.ru_utime + copy.ru_stime]
    print(json.dumps(times))
""")


def child_environment(compile_each_run: bool) -> dict[str, str]:
    """The children's environment: this one, where Python may keep compiled modules, with our
    modules compiled now (not in the first round's time); unchanged with ``compile_each_run``."""
    if compile_each_run:
        return dict(os.environ)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", "analysis", "surveys", "ui",
                    "app.py"], cwd=ROOT, env=env, check=True)
    return env


def run(code: str, *args: str, env: dict[str, str]) -> dict[str, list[float]]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-app", action="store_true", help="skip the app (AppTest) runs")
    parser.add_argument("--compile-each-run", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE if set (our modules compiled in every run)")
    args = parser.parse_args()
    env = child_environment(args.compile_each_run)
    samples: dict[str, list[list[float]]] = {}
    with tempfile.TemporaryDirectory() as out:
        for _ in range(args.rounds):
            children = [run(FLOOR, env=env), run(CLI, out, env=env)] + (
                [] if args.no_app else [run(APP, env=env)])
            for child in children:
                for name, value in child.items():
                    samples.setdefault(name, []).append(value)
    floor = min(wall for wall, _ in samples["floor"])
    floor_cpu = min(cpu for _, cpu in samples["floor"])
    print(f"{'':26} {'wall best':>9} {'median':>7} {'cpu best':>9} {'median':>7}   ratio to floor")
    for name, values in samples.items():
        walls, cpus = [w for w, _ in values], [c for _, c in values]
        ratio = (f"{min(walls) / floor:5.2f}× wall, {min(cpus) / floor_cpu:5.2f}× cpu"
                 if not name.startswith("switch") and name not in ("pdf (in-process)", FORKED)
                 else "")
        wall = ("" if name == FORKED
                else f"{min(walls):8.2f}s {statistics.median(walls):6.2f}s")
        print(f"{name:26} {wall:17} {min(cpus):8.2f}s {statistics.median(cpus):6.2f}s   {ratio}")


if __name__ == "__main__":
    main()
