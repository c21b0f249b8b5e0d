"""Benchmark: indices and gaps on 1,000,000 customers (20 items in 5 dimensions, 5 % missing).

Prints the time of
- indices_section for one group with a loyalty index, NPS and a 4-level segment column (the
  automatic CI uses the delta method above analysis.indices.MAX_BOOTSTRAP_N respondents),
- satisfaction_index with a forced bootstrap (n_boot replicates) at 1,000,000 and at 50,000
  respondents, to show why "auto" switches,
- gaps_section of the customers against 2,000 employees (Welch, Mann-Whitney, Hedges' g per item).

Run from the project root: PYTHONPATH=. python benchmarks/bench_indices.py [--rows N] [--boot B]
"""
import argparse
import time

import numpy as np
import pandas as pd

from analysis.gaps import gaps_section
from analysis.indices import indices_section, satisfaction_index

N_ITEMS, ITEMS_PER_DIM = 20, 4


def make(rows: int, rng: np.random.Generator) -> pd.DataFrame:
    values = rng.integers(1, 6, (rows, N_ITEMS)).astype(float)
    values[rng.random(values.shape) < 0.05] = np.nan
    frame = pd.DataFrame(values, columns=[f"i{j}" for j in range(N_ITEMS)])
    frame["rec"] = rng.integers(0, 11, rows).astype(float)
    frame["region"] = pd.array(rng.choice(["north", "south", "east", "west"], rows), dtype="str")
    return frame


def timed(label: str, call):
    start = time.perf_counter()
    result = call()
    print(f"{label:<58} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--boot", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    customers = make(args.rows, rng)
    employees = make(2_000, rng)
    items = [f"i{j}" for j in range(N_ITEMS)]
    dims = {f"D{k}": items[k * ITEMS_PER_DIM:(k + 1) * ITEMS_PER_DIM]
            for k in range(N_ITEMS // ITEMS_PER_DIM)}
    timed(f"indices_section, {args.rows:,} rows, segments, auto CI",
          lambda: indices_section({"customers": customers}, dimensions=dims, scale=(1, 5),
                                  loyalty=items[:2], nps="rec", segments=["region"]))
    for rows in (args.rows, 50_000):
        timed(f"satisfaction_index bootstrap B={args.boot}, {rows:,} rows",
              lambda: satisfaction_index(customers.iloc[:rows], items, (1, 5), ci="bootstrap",
                                         n_boot=args.boot, seed=1))
    timed(f"satisfaction_index delta, {args.rows:,} rows",
          lambda: satisfaction_index(customers, items, (1, 5), ci="delta"))
    timed(f"gaps_section, {args.rows:,} vs 2,000 rows, {N_ITEMS} items",
          lambda: gaps_section({"c": customers, "e": employees}, compare=("c", "e"),
                               dimensions=dims))


if __name__ == "__main__":
    main()
