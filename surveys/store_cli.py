"""Command line of the study store: ``python -m analysis store COMMAND ...``.

Commands: ``add STUDY.yaml [--wave NAME]``, ``list``, ``show ID``, ``export ID DIR``,
``delete ID [--yes]``; ``--db PATH`` (before the command) picks the database file, else the
environment variable ``SURVEY_STORE``, else the user's data directory (see :mod:`surveys.store`).
Bad input and a busy store exit with status 2 and one line on stderr. Titles, wave and file names
are printed with control characters escaped (:func:`surveys.limits.printable`): a title holding
ESC or CR cannot redraw the terminal or fake a row of the list.
"""
from __future__ import annotations

import argparse
import sys

from .errors import StudyError, run_command
from .i18n import msg
from .limits import printable
from .store import STORE_ENV, Store, StoredStudy, default_store_path

__all__ = ["main", "build_parser"]


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _add(store: Store, args: argparse.Namespace) -> int:
    study_id = store.add_study(args.study, wave=args.wave)
    study = store.get_study(study_id)
    print(f"stored study {study_id}: {printable(study.title)} (waves: "
          f"{', '.join(printable(w.name) for w in study.waves)})")
    return 0


def _list(store: Store, args: argparse.Namespace) -> int:
    studies = store.list_studies()
    if not studies:
        print(f"no studies stored in {store.path}")
        return 0
    print("id\ttitle\twaves\tfiles\tsize\tcreated (UTC)\tdata")
    for s in studies:
        print(f"{s.id}\t{printable(s.title)}\t{', '.join(printable(w.name) for w in s.waves)}\t"
              f"{len(s.files)}\t{_size(s.size)}\t{s.created:%Y-%m-%d %H:%M}\t"
              f"{'live table' if s.live else 'stored files'}")
    return 0


def _describe(study: StoredStudy) -> list[str]:
    lines = [f"study {study.id}: {printable(study.title)}",
             f"created: {study.created:%Y-%m-%d %H:%M} UTC",
             "waves (oldest first): " + ", ".join(printable(w.name) for w in study.waves)]
    for sf in study.study_files:
        lines.append(f"study file {printable(sf.name)} (wave {printable(sf.wave)}, "
                     f"{_size(sf.size)}, "
                     f"sha256 {sf.sha256}, added {sf.added:%Y-%m-%d %H:%M})")
        for f in study.files:
            if f.study_file_id == sf.id:
                sheet = f", sheet {printable(f.sheet)}" if f.sheet else ""
                lines.append(f"  {printable(f.name)}: group {printable(f.group)}, "
                             f"wave {printable(f.wave)}{sheet}, "
                             f"{_size(f.size)}, sha256 {f.sha256}")
        for t in study.live_tables:
            if t.study_file_id == sf.id:
                table = f", table {printable(t.table)}" if t.table else ""
                where = f", where {printable(t.where)}" if t.where else ""
                sampled = f", sampled {t.sampled:,}" if t.sampled is not None else ""
                lines.append(f"  live table: group {printable(t.group)}, wave {printable(t.wave)}, "
                             f"engine {printable(t.engine)}{table}{where}, {t.rows:,} rows"
                             f"{sampled}, read {t.read:%Y-%m-%d %H:%M} UTC")
    return lines


def _show(store: Store, args: argparse.Namespace) -> int:
    print("\n".join(_describe(store.get_study(args.id))))
    return 0


def _export(store: Store, args: argparse.Namespace) -> int:
    for path in store.export_study(args.id, args.dir):
        print(printable(path))
    return 0


def _delete(store: Store, args: argparse.Namespace) -> int:
    study = store.get_study(args.id)
    if not args.yes:
        if not sys.stdin.isatty():
            raise StudyError(msg("store_delete_unconfirmed", id=study.id, title=study.title),
                             expected=msg("store_delete_unconfirmed_expected"))
        try:
            answer = input(f"Delete study {study.id} '{printable(study.title)}' with "
                           f"{len(study.waves)} "
                           f"wave(s) and {len(study.files)} file(s)? [y/N] ")
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("not deleted")
            return 1
    store.delete_study(study.id)
    print(f"deleted study {study.id}: {printable(study.title)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis store",
        description="Keep studies, their waves and their original files in a local database.",
        epilog=f"The database is --db, else ${STORE_ENV}, else {default_store_path()}.")
    parser.add_argument("--db", help=f"the database file (default: ${STORE_ENV} or the user's "
                                     "data directory)")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="store a study file with every data file it reads")
    add.add_argument("study", help="the study file (YAML)")
    add.add_argument("--wave", help="add the file as wave NAME of the stored study with the same "
                                    "title (created if there is none)")
    add.set_defaults(func=_add)
    sub.add_parser("list", help="list stored studies").set_defaults(func=_list)
    show = sub.add_parser("show", help="a stored study's waves and files")
    show.add_argument("id", type=int)
    show.set_defaults(func=_show)
    export = sub.add_parser("export", help="write the study file(s) and original data files, "
                                           "byte-identical, into DIR")
    export.add_argument("id", type=int)
    export.add_argument("dir")
    export.set_defaults(func=_export)
    delete = sub.add_parser("delete", help="delete a stored study (asks first)")
    delete.add_argument("id", type=int)
    delete.add_argument("--yes", action="store_true", help="do not ask")
    delete.set_defaults(func=_delete)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    return run_command(lambda: args.func(Store(args.db), args))


if __name__ == "__main__":
    sys.exit(main())
