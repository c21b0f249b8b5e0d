"""Time and peak memory of the ipa / drivers / kano / comparisons / segments sections on a large
synthetic customer survey. Prints figures; asserts nothing.

    PYTHONPATH=. python benchmarks/bench_drivers_segments.py [n_respondents]   (default 1,000,000)
"""
from __future__ import annotations

import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from analysis.comparisons import comparisons_section
from analysis.drivers import drivers_section
from analysis.ipa import ipa_section
from analysis.kano import kano_section
from analysis.segments import segments_section


def survey(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 1))
    items = np.clip(np.round(3 + latent + rng.normal(size=(n, 12))), 1, 5)
    frame = pd.DataFrame(items, columns=[f"q{i}" for i in range(1, 13)])
    frame.iloc[rng.integers(0, n, n // 20), 3] = np.nan
    frame["sat"] = np.clip(np.round(3 + latent[:, 0] + rng.normal(size=n)), 1, 5)
    frame["loy"] = np.clip(np.round(3 + latent[:, 0] + rng.normal(size=n)), 1, 5)
    frame["imp1"] = rng.integers(1, 6, n).astype(float)
    frame["imp2"] = rng.integers(1, 6, n).astype(float)
    frame["rec"] = rng.integers(0, 11, n).astype(float)
    frame["revenue"] = np.round(rng.lognormal(10, 1.5, n), 2)
    frame["growth"] = rng.integers(1, 6, n).astype(float)
    frame["years"] = rng.integers(0, 12, n).astype(float)
    frame["region"] = pd.array(rng.choice(["north", "south", "east", "west"], n), dtype="str")
    frame["kf"] = rng.integers(1, 6, n).astype(float)
    frame["kd"] = rng.integers(1, 6, n).astype(float)
    return frame


def measure(label: str, run) -> None:
    tracemalloc.start()
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{label:<12} {seconds:8.2f} s   peak {peak:8.1f} MiB")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    frames = {"customers": survey(n)}
    dims = {"D1": ["q1", "q2", "q3"], "D2": ["q4", "q5", "q6"], "D3": ["q7", "q8", "q9"],
            "D4": ["q10", "q11", "q12"]}
    print(f"{n:,} respondents, 12 items, 4 dimensions")
    measure("ipa", lambda: ipa_section(frames, dimensions=dims, satisfaction=["sat"],
                                       method="derived_regression"))
    measure("drivers", lambda: drivers_section(frames, dimensions=dims, satisfaction=["sat"],
                                               loyalty=["loy"]))
    measure("kano", lambda: kano_section(frames, kano={"feature": ("kf", "kd")}))
    measure("comparisons", lambda: comparisons_section(frames, dimensions=dims, by=["region"],
                                                       satisfaction=["sat"]))
    measure("segments", lambda: segments_section(
        frames, dimensions=dims, satisfaction=["sat"], loyalty=["loy"], nps="rec",
        revenue="revenue", growth="growth", cooperation_years="years"))


if __name__ == "__main__":
    main()
