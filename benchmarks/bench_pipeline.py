"""Time and memory of the whole pipeline on a large study.

Builds a study shaped like the sample (5 dimensions, 17 items, satisfaction, loyalty, NPS,
expectation and importance items, region and type, revenue) with N customers (default
1,000,000) as a plain CSV and 40 employees, then prints the seconds each step takes and the
peak resident memory. Run: ``python benchmarks/bench_pipeline.py [N]``.
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import pipeline  # noqa: E402
from surveys.load import load_study  # noqa: E402

DIMENSIONS = {"identify": ["ID1", "ID2", "ID3", "ID4"], "differentiate": ["DI1", "DI2", "DI3"],
              "interact": ["IN1", "IN2", "IN3", "IN4"], "customize": ["CU1", "CU2", "CU3"],
              "system": ["SY1", "SY2", "SY3"]}


def likert(rng, factor: np.ndarray, mean: float) -> np.ndarray:
    noise = rng.standard_normal(len(factor))
    return np.clip(np.rint(mean + 0.7 * factor + 0.6 * noise), 1, 5).astype(np.int8)


def make_group(rng, n: int, with_outcomes: bool) -> pd.DataFrame:
    general = rng.standard_normal(n)
    cols = {}
    for dim, items in DIMENSIONS.items():
        f = 0.6 * general + 0.8 * rng.standard_normal(n)
        for item in items:
            cols[item] = likert(rng, f, 3.3)
    if with_outcomes:
        for item in ("SAT1", "SAT2", "LOY1", "LOY2", "EX_ID1", "EX_IN3", *(
                f"IMP_{d}" for d in DIMENSIONS)):
            cols[item] = likert(rng, general, 3.5)
        cols["REC"] = np.clip(np.rint(7 + 2 * general), 0, 10).astype(np.int8)
        cols["region"] = rng.choice(["华北", "华东", "华南", "西南", "华中"], n)
        cols["type"] = rng.choice(["工程客户", "终端用户"], n)
        cols["amount"] = np.round(rng.lognormal(3, 1.1, n), 1)
    return pd.DataFrame(cols)


STUDY = """title: benchmark
scale: {min: 1, max: 5}
groups:
  customers: customers.csv
  employees: employees.csv
dimensions:
""" + "".join(f"  {d}: [{', '.join(i)}]\n" for d, i in DIMENSIONS.items()) + """reverse: [ID4]
satisfaction: [SAT1, SAT2]
loyalty: [LOY1, LOY2]
nps: REC
compare: [customers, employees]
expectation: {ID1: EX_ID1, IN3: EX_IN3}
importance: {identify: IMP_identify, differentiate: IMP_differentiate, interact: IMP_interact,
             customize: IMP_customize, system: IMP_system}
weights: importance
segments: [region, type]
revenue: amount
exclude: {straightliners: true, speeders: true, duplicates: true}
"""


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(n: int) -> None:
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        make_group(rng, n, True).to_csv(folder / "customers.csv", index=False)
        make_group(rng, 40, False).to_csv(folder / "employees.csv", index=False)
        (folder / "study.yaml").write_text(STUDY, encoding="utf-8")
        size = (folder / "customers.csv").stat().st_size / 2**20
        print(f"respondents: {n:,} customers ({size:.0f} MB CSV), 40 employees; "
              f"written in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        data = load_study(folder / "study.yaml")
        print(f"{'load + clean':>14}: {time.perf_counter() - t:7.2f} s   peak {peak_mb():,.0f} MB")
        total = 0.0
        for key, build in pipeline._sections(data.study):
            t = time.perf_counter()
            build(data)
            spent = time.perf_counter() - t
            total += spent
            print(f"{key:>14}: {spent:7.2f} s   peak {peak_mb():,.0f} MB")
        print(f"{'all sections':>14}: {total:7.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
