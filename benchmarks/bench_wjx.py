"""Time and peak memory of parsing a large 问卷星 text export (from its grid) and coding its Likert
columns. Prints figures; asserts nothing.

    PYTHONPATH=. python benchmarks/bench_wjx.py [n_respondents]   (default 1,000,000)
"""
from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from surveys.coding import code_answers
from surveys.importers import wjx

LABELS = np.array(["非常不满意", "不满意", "一般", "满意", "非常满意", "(跳过)"], dtype=object)


def text_export_grid(n: int, seed: int = 1) -> pd.DataFrame:
    """A grid shaped like a 问卷星 text export: metadata, 10 Likert items (one matrix block of
    five), a multi-select and a fill-in; cells are str as the container gives them."""
    rng = np.random.default_rng(seed)
    header = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP",
              *(f"{i}、问题{i}" for i in range(1, 6)),
              "6、以下各方面如何？(矩阵单选题)—外观", "价格", "质量", "服务", "速度",
              "7、渠道？", "8、建议？"]
    columns = {
        0: np.arange(1, n + 1).astype(str),
        1: np.full(n, "2019-03-05 14:23:10", dtype=object),
        2: np.char.add(rng.integers(30, 900, n).astype(str), "秒"),
        3: rng.choice(np.array(["手机提交", "微信", "链接"], dtype=object), n),
        4: np.full(n, "直接访问", dtype=object),
        5: np.char.add(np.char.add("10.0.", rng.integers(0, 255, n).astype(str)), ".1(上海-上海)"),
    }
    for c in range(6, 16):
        columns[c] = LABELS[rng.choice(6, n, p=[.05, .1, .25, .35, .22, .03])]
    columns[16] = rng.choice(np.array(["官网", "官网┋展会", "展会┋朋友介绍", "(跳过)"],
                                      dtype=object), n)
    columns[17] = np.char.add("建议", rng.integers(0, n, n).astype(str)).astype(object)
    body = pd.DataFrame({c: pd.Series(v, dtype="str") for c, v in columns.items()})
    head = pd.DataFrame([header], columns=range(len(header)), dtype="str")
    return pd.concat([head, body], ignore_index=True)


def run(grid: pd.DataFrame) -> tuple[float, float]:
    """Seconds spent parsing the grid, and coding its ten Likert columns."""
    start = time.perf_counter()
    table = wjx.parse(grid, Path("bench.csv"))
    parsed = time.perf_counter()
    for column in table.frame.columns[7:17]:
        code_answers(table.frame[column], file_rows=table.file_rows)
    return parsed - start, time.perf_counter() - parsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    grid = text_export_grid(n)
    parse_seconds, code_seconds = run(grid)
    tracemalloc.start()  # a second run for memory: tracing slows Python down
    run(grid)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{n:,} respondents, {grid.shape[1]} columns")
    print(f"wjx.parse: {parse_seconds:.2f} s")
    print(f"code_answers on 10 Likert columns: {code_seconds:.2f} s")
    print(f"peak traced memory (second run): {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
