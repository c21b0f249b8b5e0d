"""Benchmark: all reliability statistics of 20 five-item scales on 1,000,000 respondents.

Prints the time of analysis.reliability.reliability_section (per scale: covariance matrix and
pairwise counts in one pass, then alpha, standardized alpha, Feldt CI, ase, item statistics,
lambda-6, split-half, omega_total from analysis.cfa, warnings) beside pingouin.cronbach_alpha (alpha
and its CI only) on the same data in the same run. Goal: >= 10x. The machine's other load shows in
both figures; compare them within one run.

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


def best_of(repeats: int, run) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--missing", type=float, default=0.05, help="share of answers missing (MCAR)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    frame, dimensions = make_data(args.rows, args.missing)
    print(f"{N_SCALES} scales x {N_ITEMS} items, {args.rows:,} respondents, {args.missing:.0%} missing")
    ours = best_of(args.repeats, lambda: reliability_section({"g": frame}, dimensions))
    theirs = best_of(
        args.repeats, lambda: [pg.cronbach_alpha(frame[items]) for items in dimensions.values()]
    )
    section = reliability_section({"g": frame}, dimensions)["g"]
    for name, items in list(dimensions.items())[:2]:
        print(f"  check {name}: ours alpha {section[name]['alpha']:.12f}, "
              f"pingouin {pg.cronbach_alpha(frame[items])[0]:.12f}")
    listwise = best_of(args.repeats, lambda: reliability_section({"g": frame}, dimensions, missing="listwise"))
    print(f"analysis.reliability (listwise), all statistics: {listwise:8.3f} s")
    print(f"analysis.reliability (pairwise), all statistics: {ours:8.3f} s  ({ours / N_SCALES * 1000:.1f} ms a scale)")
    print(f"pingouin.cronbach_alpha (pairwise), alpha + CI : {theirs:8.3f} s  ({theirs / N_SCALES * 1000:.1f} ms a scale)")
    print(f"speed-up: {theirs / ours:.1f}x (goal >= 10x)")


if __name__ == "__main__":
    main()
