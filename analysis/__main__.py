"""Command line: ``python -m analysis run STUDY.yaml --out DIR`` and ``python -m analysis store ...``.

Bad input exits with status 2 and one line on stderr naming file, row and column; no traceback.
Linear algebra runs on one thread (set ``OPENBLAS_NUM_THREADS`` to change it): the matrices are
small (at most a few hundred columns), where more threads cost more than they save, and spinning
threads are a loss on a shared machine.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported

import argparse  # noqa: E402
import sys  # noqa: E402
from typing import Callable  # noqa: E402

from surveys.errors import run_command  # noqa: E402


def _run(args: argparse.Namespace) -> int:
    from .customers import write_customers_csv
    from .pipeline import analyse, write_results
    from .report import write_reports
    from .respondents import write_respondents
    from .weighting import with_weights
    from surveys.load import load_study

    data = with_weights(load_study(args.study))
    results = analyse(data, progress=None if args.quiet else progress_lines(args.lang))
    print(write_results(results, args.out))
    print(write_respondents(data, args.out))
    customer_csv = write_customers_csv(data, args.out, args.lang)
    if customer_csv is not None:
        print(customer_csv)
    for path in write_reports(results, args.out, args.lang):
        print(path)
    return 0


def progress_lines(lang: str) -> Callable[[str], None]:
    """The progress callback of ``run``: one line on stderr per section, named in ``lang``."""
    from .i18n import section_name

    return lambda key: print(f"… {section_name(key, lang)}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis",
                                     description="Analyse CRM questionnaire studies.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="load, clean and analyse a study; write results.json, "
                                     "respondents.csv, the reports (report.xlsx, report.html, "
                                     "report.pdf) and, with 'contact:' or 'status:', customers.csv")
    run.add_argument("study", help="the study file (YAML)")
    run.add_argument("--out", required=True, help="output folder")
    run.add_argument("--lang", choices=["zh", "en"], default="zh", help="report language")
    run.add_argument("--quiet", action="store_true", help="no progress lines")
    run.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    run.set_defaults(func=_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["store"]:
        from surveys.store_cli import main as store_main

        return store_main(argv[1:])
    args = build_parser().parse_args(argv)
    return run_command(lambda: args.func(args), debug=args.debug, lang=args.lang)

if __name__ == "__main__":
    sys.exit(main())
