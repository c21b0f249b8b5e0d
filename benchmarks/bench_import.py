"""Benchmark: read a large CSV export with ``surveys.importers.read_table``.

Writes a CSV of ROWS respondents x COLS Likert answers (1-5; default 1,000,000 x 60, about 115 MB)
to a temporary folder, then reads it in a fresh Python process and prints the wall time of
``read_table`` and the process's peak resident memory (before and after the read, so the cost of
the read itself shows).

    python benchmarks/bench_import.py [--rows 1000000] [--cols 60] [--encoding utf-8|gb18030]
    python benchmarks/bench_import.py --xlsx --rows 100000   # the same as an Excel workbook
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def write_csv(path: Path, rows: int, cols: int, encoding: str, seed: int = 0) -> None:
    """Header ``Q1..Qn`` (``题1..题n`` for GB18030) and single-digit answers, built as bytes."""
    prefix = "Q" if encoding == "utf-8" else "题"
    header = ",".join(f"{prefix}{i}" for i in range(1, cols + 1)) + "\n"
    generator = np.random.default_rng(seed)
    with path.open("wb") as handle:
        handle.write(header.encode(encoding))
        for start in range(0, rows, 100_000):
            block = min(100_000, rows - start)
            line = np.full((block, 2 * cols), ord(","), dtype=np.uint8)
            line[:, 0::2] = generator.integers(ord("1"), ord("5") + 1, size=(block, cols))
            line[:, -1] = ord("\n")
            handle.write(line.tobytes())


def write_xlsx(path: Path, rows: int, cols: int, seed: int = 0) -> None:
    """The same table as an xlsx workbook (openpyxl write-only mode), answers as numbers."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append([f"Q{i}" for i in range(1, cols + 1)])
    generator = np.random.default_rng(seed)
    for start in range(0, rows, 100_000):
        block = generator.integers(1, 6, size=(min(100_000, rows - start), cols))
        for row in block.tolist():
            sheet.append(row)
    book.save(path)


def measure(path: str) -> None:
    """Child process: read the file, print JSON with seconds and peak RSS in MiB."""
    import resource

    sys.path.insert(0, str(ROOT))
    from surveys.importers import read_table

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    table = read_table(path)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    frame_mib = table.frame.memory_usage(deep=True).sum() / 2**20
    print(json.dumps({
        "seconds": seconds, "peak_mib": peak, "baseline_mib": before,
        "frame_mib": frame_mib, "shape": list(table.frame.shape), "notes": table.notes,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=60)
    parser.add_argument("--encoding", default="utf-8", choices=["utf-8", "gb18030"])
    parser.add_argument("--xlsx", action="store_true", help="write an xlsx workbook instead")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("big.xlsx" if args.xlsx else "big.csv")
        start = time.perf_counter()
        if args.xlsx:
            write_xlsx(path, args.rows, args.cols)
        else:
            write_csv(path, args.rows, args.cols, args.encoding)
        written = time.perf_counter() - start
        size = path.stat().st_size / 2**20
        kind = "xlsx" if args.xlsx else args.encoding
        print(f"wrote {args.rows:,} rows x {args.cols} columns ({size:.0f} MiB, "
              f"{kind}) in {written:.1f} s")
        result = subprocess.run(
            [sys.executable, __file__, "--measure", str(path)],
            capture_output=True, text=True, cwd=ROOT,
        )
    if result.returncode:
        sys.exit(result.stderr)
    figures = json.loads(result.stdout)
    print(f"read_table: {figures['seconds']:.1f} s; shape {figures['shape']}")
    print(f"peak RSS {figures['peak_mib']:.0f} MiB (interpreter + imports "
          f"{figures['baseline_mib']:.0f} MiB); frame holds {figures['frame_mib']:.0f} MiB")
    print("notes:", "; ".join(figures["notes"]))


if __name__ == "__main__":
    main()
