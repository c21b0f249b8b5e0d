"""Ten million respondents in Parquet: the whole command-line run through DuckDB, beside the floor.

Writes ``--rows`` (default 10,000,000) customers and ``--employees`` (100,000) employees answering
60 five-point items (:func:`bench_million.answers`: 20 three-item scales, reverse items, 1% missing)
as Parquet files in chunks of a million rows (generated, never committed), and a study file whose
groups read them (``engine: customers/*.parquet``). Then, each in a fresh Python process:

- **floor**: DuckDB's own ``SELECT count(*), sum(x1), ..., sum(x60)`` over the same files (the
  least any engine run has to do: read every answer once);
- **engine**: ``python -m analysis run study.yaml --out DIR`` (every section, respondents.csv and
  the reports): wall and CPU time and the peak resident memory of the process (DuckDB runs inside
  it, so its memory is counted too);
- first the same engine run on a tenth of the rows (``--rows / 10``), to show that the memory
  does not grow with the rows (and to have a figure should the full run be stopped);
- ``--memory N`` (default 1,000,000, 0 to skip): the in-memory path's peak memory on N rows from a
  CSV file (bench_million's study), for comparison.

Run: ``python benchmarks/bench_engine.py [--rows N] [--memory N]``.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_million import CLI, answers, items, reversed_items, study_yaml, write_group  # noqa: E402,E501

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 1_000_000

FLOOR = textwrap.dedent("""
    import json, resource, sys, time
    import duckdb
    start, cpu = time.perf_counter(), time.process_time()
    names = sys.argv[2].split(",")
    sums = ", ".join(f'sum("{c}")' for c in names)
    duckdb.sql(f"SELECT count(*), {sums} FROM read_parquet('{sys.argv[1]}/customers/*.parquet')").fetchall()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps([time.perf_counter() - start, time.process_time() - cpu, usage.ru_maxrss / 1024]))
""")



def write_parquet(folder: Path, n: int, seed: int, shift: float) -> None:
    """``n`` rows of answers as Parquet files of at most a million rows each."""
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    for part, start in enumerate(range(0, n, CHUNK)):
        pq.write_table(answers(min(CHUNK, n - start), seed * 1000 + part, shift),
                       folder / f"part-{part:04d}.parquet")


def engine_study(folder: Path, customers: str) -> None:
    text = study_yaml().replace("  customers: customers.csv\n",
                                f"  customers: {{engine: '{customers}/*.parquet'}}\n")
    text = text.replace("  employees: employees.csv\n",
                        "  employees: {engine: 'employees/*.parquet'}\n")
    (folder / "study.yaml").write_text(text, encoding="utf-8")


def run(code: str, *args: str):
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    if done.returncode:
        raise SystemExit(f"child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def line(name: str, figures: list, floor: list | None = None) -> str:
    wall, cpu, peak = figures
    ratio = f"   {wall / floor[0]:6.1f}× the floor's wall time" if floor else ""
    return f"{name:34} {wall:9.1f} s {cpu:9.1f} s {peak:9,.0f} MB{ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--memory", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tenth = max(args.rows // 10, 1)
        write_parquet(folder / "customers", args.rows, 1, 0.0)
        write_parquet(folder / "tenth", tenth, 3, 0.0)
        write_parquet(folder / "employees", args.employees, 2, 0.2)
        size = sum(p.stat().st_size for p in folder.rglob("*.parquet")) / 2**20
        print(f"{args.rows:,} customers x {len(items())} items "
              f"({len(reversed_items())} reverse-coded), {size:,.0f} MB of Parquet in all", flush=True)
        print(f"{'':34} {'wall':>11} {'cpu':>11} {'peak':>12}")
        floor = run(FLOOR, tmp, ",".join(items()))
        print(line("floor: DuckDB count + 60 sums", floor), flush=True)
        engine_study(folder, "tenth")
        print(line(f"engine CLI run, {tenth:,} rows", run(CLI, tmp)["cli"]), flush=True)
        engine_study(folder, "customers")
        print(line(f"engine CLI run, {args.rows:,} rows", run(CLI, tmp)["cli"], floor), flush=True)
        if args.memory:
            write_group(folder / "customers.csv", args.memory, 1, 0.0)
            write_group(folder / "employees.csv", args.employees, 2, 0.2)
            (folder / "study.yaml").write_text(study_yaml(), encoding="utf-8")
            print(line(f"in-memory CLI run, {args.memory:,} rows (CSV)", run(CLI, tmp)["cli"]))


if __name__ == "__main__":
    main()
