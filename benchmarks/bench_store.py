"""Time and peak memory (RSS of the whole process, DuckDB included) of storing and exporting a
large data file with the study store. Prints figures; asserts nothing.

    PYTHONPATH=. python benchmarks/bench_store.py [megabytes]   (default 100)

Each step runs in a fresh child process so its peak resident memory is its own; the baseline
is a child that only imports the store. save_upload stores the file again as a second wave
(the store already holds one copy); delete removes the study with both copies.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

STUDY = "title: bench\ngroups:\n  customers: {file: big.csv}\ndimensions:\n  a: [Q1, Q2]\n"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _step(name: str, folder: str, queue: mp.Queue) -> None:
    from surveys.store import Store

    store = Store(Path(folder) / "store.duckdb")
    start = time.perf_counter()
    if name == "add":
        store.add_study(Path(folder) / "src" / "study.yaml")
    elif name == "export":
        store.export_study(1, Path(folder) / "out")
    elif name == "save_upload":
        with open(Path(folder) / "src" / "big.csv", "rb") as upload:  # like an uploaded file
            store.save_upload("study.yaml", STUDY.encode(), {"big.csv": upload}, wave="2")
    elif name == "delete":
        store.delete_study(1)
    queue.put((name, time.perf_counter() - start, _peak_mb()))


def main(megabytes: int = 100) -> None:
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / "src"
        src.mkdir()
        (src / "study.yaml").write_text(STUDY)
        with open(src / "big.csv", "wb") as out:
            for _ in range(megabytes):
                out.write(os.urandom(1024 * 1024))
        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        for name in ("baseline", "add", "export", "save_upload", "delete"):
            child = ctx.Process(target=_step, args=(name, folder, queue))
            child.start()
            child.join()
            if child.exitcode != 0:
                print(f"{name:12s} failed (exit code {child.exitcode})")
                continue
            step, seconds, peak = queue.get()
            db = Path(folder) / "store.duckdb"
            db_mb = db.stat().st_size / 2**20 if db.exists() else 0
            print(f"{step:12s} {seconds:6.2f} s  peak RSS {peak:7.1f} MB  "
                  f"database {db_mb:6.1f} MB  (data file {megabytes} MB)")
        out = Path(folder) / "out" / "big.csv"
        same = out.is_file() and out.read_bytes() == (src / "big.csv").read_bytes()
        print("exported copy byte-identical:", same)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
