"""Benchmark: all reliability statistics of 20 five-item scales on 1,000,000 respondents.

Prints the time of analysis.reliability.reliability_section (per scale: covariance matrix and
pairwise counts in one pass, then alpha, standardized alpha, Feldt CI, ase, item statistics,
lambda-6, split-half, omega_total from analysis.cfa, warnings) beside pingouin.cronbach_alpha (alpha
and its CI only) on the same data in the same run, the three runs interleaved. Goal: >= 10x. The
machine's other load shows in every figure; compare them within one run.

Run from the project root: PYTHONPATH=. python benchmarks/bench_reliability.py [--rows N] [--missing SHARE]
"""
import argparse
import time

import numpy as np
import pandas as pd
import pingouin as pg

from analysis.reliability import reliability_section

N_SCALES, N_ITEMS = 20, 5


def make_data(rows: int, missing: float, seed: int = 0) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    rng = np.random.default_rng(seed)
    columns, dimensions = {}, {}
    for s in range(N_SCALES):
        trait = rng.standard_normal(rows)
        names = [f"s{s:02d}_i{i}" for i in range(N_ITEMS)]
        dimensions[f"scale{s:02d}"] = names
        for name in names:
            answer = np.clip(np.rint(3 + trait + rng.standard_normal(rows)), 1, 5)
            if missing:
                answer[rng.random(rows) < missing] = np.nan
            columns[name] = answer
    return pd.DataFrame(columns), dimensions


def seconds(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--missing", type=float, default=0.05, help="share of answers missing (MCAR)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    frame, dimensions = make_data(args.rows, args.missing)
    print(f"{N_SCALES} scales x {N_ITEMS} items, {args.rows:,} respondents, {args.missing:.0%} missing")
    runs = {
        "ours, pairwise": lambda: reliability_section({"g": frame}, dimensions),
        "ours, listwise": lambda: reliability_section({"g": frame}, dimensions, missing="listwise"),
        "pingouin": lambda: [pg.cronbach_alpha(frame[items]) for items in dimensions.values()],
    }
    runs["ours, pairwise"]()  # warms the imports
    times = {name: [] for name in runs}
    for _ in range(args.repeats):  # interleaved, so that the machine's changing speed hits all alike
        for name, run in runs.items():
            times[name].append(seconds(run))
    section = reliability_section({"g": frame}, dimensions)["g"]
    for name, items in list(dimensions.items())[:2]:
        print(f"  check {name}: ours alpha {section[name]['alpha']:.12f}, "
              f"pingouin {pg.cronbach_alpha(frame[items])[0]:.12f}")
    best = {name: min(values) for name, values in times.items()}
    print(f"analysis.reliability (listwise), all statistics: {best['ours, listwise']:8.3f} s")
    print(f"analysis.reliability (pairwise), all statistics: {best['ours, pairwise']:8.3f} s  "
          f"({best['ours, pairwise'] / N_SCALES * 1000:.1f} ms a scale)")
    print(f"pingouin.cronbach_alpha (pairwise), alpha + CI : {best['pingouin']:8.3f} s  "
          f"({best['pingouin'] / N_SCALES * 1000:.1f} ms a scale)")
    ratios = [theirs / ours for ours, theirs in zip(times["ours, pairwise"], times["pingouin"])]
    print(f"speed-up: {best['pingouin'] / best['ours, pairwise']:.1f}x best against best "
          f"(goal >= 10x); per round {min(ratios):.1f}x to {max(ratios):.1f}x")


if __name__ == "__main__":
    main()
