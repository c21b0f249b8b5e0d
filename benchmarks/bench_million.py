"""A million respondents: the whole command-line run beside the cost of reading the CSVs.

Writes a study of ``--customers`` (default 1,000,000) customers and ``--employees`` (100,000)
employees answering 60 five-point items (20 three-item scales, one reverse-coded item in every
fourth scale, 1% of the answers missing) as two UTF-8 CSVs, with reliability, validity, indices and
the customer-employee gaps (no segments). Then, each in a fresh Python process and interleaved over
``--rounds`` rounds (compare the ratios within one run; the machine's speed drifts), each measured
process preceded by the same unmeasured read of the two files (the first read after another
process has used and freed gigabytes, or after a pause, took 1.3-1.9 s instead of 0.7-1.0 s: without
the warm-up, the floor measured right after a command-line run was that slow read):

- **floor**: ``pandas.read_csv(engine="pyarrow")`` of the two CSVs (the read alone, after the
  imports), and the size of the answers held as int8;
- **cli**: ``python -m analysis run study.yaml --out DIR`` with every report: wall time, CPU time
  of the process and of the report processes it forks (``RUSAGE_CHILDREN``: without them the
  reports' CPU would not be counted), and the process's peak resident memory (a forked report
  process shares the parent's pages, so its own peak is printed apart, not added).

``--steps`` also prints, once, the wall and CPU seconds of loading, of every results.json section, of
respondents.csv and of every report in one process. Run: ``python benchmarks/bench_million.py [--customers N] [--rounds 2]``.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCALES, PER_SCALE = 20, 3
MISSING = 0.01


def items() -> list[str]:
    return [f"S{s + 1:02d}_{i + 1}" for s in range(SCALES) for i in range(PER_SCALE)]


def reversed_items() -> list[str]:
    return [f"S{s + 1:02d}_{PER_SCALE}" for s in range(0, SCALES, 4)]


def write_group(path: Path, n: int, seed: int, shift: float) -> None:
    """``n`` rows of :func:`answers`, written by pyarrow's CSV writer."""
    from pyarrow import csv

    csv.write_csv(answers(n, seed, shift), path)


def answers(n: int, seed: int, shift: float):
    """A pyarrow table of ``n`` rows of 60 answers 1-5 (scales correlated through a general
    factor), 1% missing, the reverse items answered the other way round."""
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    general = rng.standard_normal(n).astype(np.float32)
    columns, names = [], items()
    flipped = set(reversed_items())
    for s in range(SCALES):
        factor = 0.6 * general + 0.8 * rng.standard_normal(n).astype(np.float32)
        for i in range(PER_SCALE):
            name = names[s * PER_SCALE + i]
            noise = rng.standard_normal(n).astype(np.float32)
            answer = np.clip(np.rint(3.3 + shift + 0.8 * factor + 0.7 * noise), 1, 5)
            if name in flipped:
                answer = 6 - answer
            missing = rng.random(n) < MISSING
            columns.append(pa.array(answer.astype(np.int8), mask=missing))
    return pa.table(columns, names=names)


def study_yaml() -> str:
    names = items()
    dims = "".join(f"  scale{s + 1:02d}: [{', '.join(names[s * PER_SCALE:(s + 1) * PER_SCALE])}]\n"
                   for s in range(SCALES))
    return ("title: one million\nscale: {min: 1, max: 5}\ngroups:\n  customers: customers.csv\n"
            "  employees: employees.csv\ndimensions:\n" + dims
            + f"reverse: [{', '.join(reversed_items())}]\ncompare: [customers, employees]\n")


FLOOR = textwrap.dedent("""
    import json, sys, time
    import pandas as pd
    start, cpu = time.perf_counter(), time.process_time()
    frames = [pd.read_csv(sys.argv[1] + "/" + name, engine="pyarrow")
              for name in ("customers.csv", "employees.csv")]
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"floor": [wall, cpu, None],
                      "int8 size MB": sum(f.size for f in frames) / 2**20}))
""")

CLI = textwrap.dedent(f"""
    import json, resource, sys, time
    start = time.perf_counter()
    sys.path.insert(0, {str(ROOT)!r})
    from analysis.__main__ import main
    assert main(["run", sys.argv[1] + "/study.yaml", "--out", sys.argv[1] + "/out",
                 "--quiet", "--lang", "en"]) == 0
    own, forked = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                       resource.RUSAGE_CHILDREN))
    print(json.dumps({{"cli": [time.perf_counter() - start,
                               own.ru_utime + own.ru_stime + forked.ru_utime + forked.ru_stime,
                               own.ru_maxrss / 1024],
                      "report process peak MB": forked.ru_maxrss / 1024}}))
""")

STEPS = textwrap.dedent(f"""
    import json, os, resource, sys, time
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the command line sets them
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    os.environ.setdefault("MIMALLOC_PURGE_DELAY", "1000")
    wall, cpu = time.perf_counter(), time.process_time()
    sys.path.insert(0, {str(ROOT)!r})
    from analysis.__main__ import _reuse_freed_memory
    _reuse_freed_memory()  # as the command line: freed memory kept for reuse
    from analysis import pipeline, report
    from analysis.respondents import write_respondents
    from surveys.load import load_study
    print(f"{{'imports':>14}}: {{time.perf_counter() - wall:7.2f}} s wall {{time.process_time() - cpu:7.2f}} s cpu")
    def step(name, build):
        start, cpu = time.perf_counter(), time.process_time()
        value = build()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{{name:>14}}: {{time.perf_counter() - start:7.2f}} s wall {{time.process_time() - cpu:7.2f}} s cpu"
              f"   peak {{peak:,.0f}} MB")
        return value
    data = step("load + clean", lambda: load_study(sys.argv[1] + "/study.yaml"))
    results = {{"version": pipeline.RESULTS_VERSION}}
    for key, build in pipeline._sections(data.study):
        results[key] = step(key, lambda: build(data))
    results = pipeline.json_ready(results)
    step("respondents", lambda: write_respondents(data, sys.argv[1] + "/steps"))
    for name in ("excel_report", "html_report", "word_report", "pdf_report"):
        step(name, lambda: getattr(report, name)(results, "en"))
    print(f"{{'total':>14}}: {{time.perf_counter() - wall:7.2f}} s wall {{time.process_time():7.2f}} s cpu")
""")


def run(code: str, folder: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code, folder], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    if done.returncode:
        raise SystemExit(f"child failed:\n{done.stderr[-3000:]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--steps", action="store_true", help="also time every step once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_group(folder / "customers.csv", args.customers, 1, 0.0)
        write_group(folder / "employees.csv", args.employees, 2, 0.2)
        (folder / "study.yaml").write_text(study_yaml(), encoding="utf-8")
        size = sum((folder / f).stat().st_size for f in ("customers.csv", "employees.csv"))
        print(f"{args.customers:,} customers + {args.employees:,} employees x {SCALES * PER_SCALE}"
              f" items, {size / 2**20:.0f} MB of CSV")
        samples: dict[str, list] = {}
        for _ in range(args.rounds):
            for code in (FLOOR, CLI):
                run(FLOOR, tmp)  # the warm-up read (see the module docstring), not measured
                for name, value in json.loads(run(code, tmp).strip().splitlines()[-1]).items():
                    samples.setdefault(name, []).append(value)
        if args.steps:
            print(run(STEPS, tmp))
    held = samples.pop("int8 size MB")[0]
    children = max(samples.pop("report process peak MB"))
    floor = min(w for w, _, _ in samples["floor"])
    floor_cpu = min(c for _, c, _ in samples["floor"])
    print(f"{'':8} {'wall best':>9} {'median':>7} {'cpu best':>9} {'peak MB':>8}   ratio to floor")
    for name, values in samples.items():
        walls = [w for w, _, _ in values]
        peak = max((m for _, _, m in values if m is not None), default=None)
        print(f"{name:8} {min(walls):8.2f}s {statistics.median(walls):6.2f}s "
              f"{min(c for _, c, _ in values):8.2f}s {'' if peak is None else f'{peak:8,.0f}'}"
              f"   {min(walls) / floor:5.2f}× wall, {min(c for _, c, _ in values) / floor_cpu:5.2f}× cpu"
              + ("" if peak is None else f", peak {peak / held:4.1f}× the answers as int8"))
    print(f"answers held as int8: {held:,.0f} MB; largest forked report process: {children:,.0f} MB"
          " (pages shared with the parent included)")


if __name__ == "__main__":
    main()
