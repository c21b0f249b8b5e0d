"""The hostile-input corpus: odd, broken and malicious studies, one folder each.

``python tests/corpus/make_corpus.py DIR`` writes every case into ``DIR/<case>/`` (a study file
``study.yaml`` and its data files); the tests build the corpus in a temporary folder with
:func:`build` (nothing binary is committed). :data:`CASES` says what each case must end in, for
each of the three ways in: the command line (``python -m analysis run``), the study store
(``store add``) and the app's upload path (the files uploaded together):

- ``Ok(note)``: a correct import; ``note`` (if given) is a text the data-quality notes or the
  report must contain, saying what was odd;
- ``Refused(text, file=..., row=..., column=..., key=...)``: one clear error (a StudyError)
  containing ``text`` and naming the given location; never a traceback, never a hang.

The store keeps a study's files as they are (it reads the study file, not the data), so a
damaged or hostile data file is stored and refused when the study is loaded.

Every data file here is small (the largest, the 50,000-column CSV, is 250 KB; the zip bombs are
a few KB to 2 MB on disk and unpack to hundreds of MB).
"""
from __future__ import annotations

import datetime as dt
import io
import os
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import openpyxl
import pandas as pd

ITEMS = ["A1", "A2", "A3", "B1", "B2", "B3"]
STUDY = """\
title: Corpus study
scale: {min: 1, max: 5}
groups:
  customers: {file: customers.csv}
dimensions:
  A: [A1, A2, A3]
  B: [B1, B2, B3]
segments: [region]
"""


@dataclass(frozen=True)
class Ok:
    """A correct import; ``note``, if given, appears in the quality notes or results."""

    note: str | None = None


@dataclass(frozen=True)
class Refused:
    """One clear error containing ``text`` (English) and naming the location given."""

    text: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], None]
    cli: Ok | Refused
    store: Ok | Refused | None = None  # None: as the CLI
    app: Ok | Refused | None = None  # None: as the CLI
    what: str = ""

    def expected(self, way: str) -> Ok | Refused:
        return {"cli": self.cli, "store": self.store or self.cli, "app": self.app or self.cli}[way]


# ---------------------------------------------------------------------------- building blocks

def answers(n: int = 20, seed: int = 1) -> pd.DataFrame:
    """A small plausible customer table: region and six 1-5 items driven by one trait."""
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    frame = pd.DataFrame({"region": rng.choice(["north", "south"], size=n)})
    for item in ITEMS:
        frame[item] = np.clip(np.round(3 + trait + rng.normal(scale=0.7, size=n)), 1, 5).astype(int)
    return frame


def write_study(folder: Path, study: str = STUDY, frame: pd.DataFrame | None = None,
                data: bytes | None = None, name: str = "customers.csv") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "study.yaml").write_text(study, encoding="utf-8")
    if data is None:
        data = (answers() if frame is None else frame).to_csv(index=False).encode("utf-8")
    (folder / name).write_bytes(data)


def xlsx_study(folder: Path, workbook: bytes) -> None:
    write_study(folder, STUDY.replace("customers.csv", "customers.xlsx"), data=workbook,
                name="customers.xlsx")


def xlsx_bytes(frame: pd.DataFrame) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _stored_block(data: bytes) -> bytes:
    """``data`` as one stored (uncompressed), non-final block of a deflate stream."""
    return b"\x00" + struct.pack("<HH", len(data), 0xFFFF ^ len(data)) + data


def _deflate_repeated(head: bytes, chunk: bytes, times: int, tail: bytes) -> bytes:
    """A raw deflate stream of ``head + chunk * times + tail`` made without compressing it all:
    head and tail as stored blocks, the chunk compressed once with a full flush (no reference
    back into earlier data) and that piece repeated, then an empty final block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    return (_stored_block(head) + piece * times + _stored_block(tail)
            + zlib.compressobj(9, zlib.DEFLATED, -15).flush())


def zip_with_parts(parts: dict[str, bytes | tuple[bytes, bytes, int, bytes]]) -> bytes:
    """A ZIP archive written by hand, so that a part can be a prepared deflate stream (a zip
    bomb) given as (head, repeated chunk, times, tail); other parts are bytes."""
    out, directory = io.BytesIO(), []
    for name, content in parts.items():
        if isinstance(content, tuple):
            head, chunk, times, tail = content
            stream = _deflate_repeated(head, chunk, times, tail)
            crc = zlib.crc32(head)
            for _ in range(times):
                crc = zlib.crc32(chunk, crc)
            crc = zlib.crc32(tail, crc)
            size = len(head) + len(chunk) * times + len(tail)
        else:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            stream = compressor.compress(content) + compressor.flush()
            crc, size = zlib.crc32(content), len(content)
        encoded = name.encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(stream),
                              size, len(encoded), 0) + encoded + stream)
        directory.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21,
                                     crc, len(stream), size, len(encoded), 0, 0, 0, 0, 0,
                                     offset) + encoded)
    start = out.tell()
    for entry in directory:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory),
                          out.tell() - start, start, 0))
    return out.getvalue()


def workbook_parts(frame: pd.DataFrame | None = None) -> dict[str, bytes]:
    """The parts of a small real workbook (openpyxl), to replace one of them."""
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(answers() if frame is None else frame))) as z:
        return {name: z.read(name) for name in z.namelist()}


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
              b'.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"


# ---------------------------------------------------------------------------- the cases

def empty_file(folder: Path) -> None:
    write_study(folder, data=b"")


def header_only(folder: Path) -> None:
    write_study(folder, data=b"region,A1,A2,A3,B1,B2,B3\n")


def truncated_xlsx(folder: Path) -> None:
    content = xlsx_bytes(answers())
    xlsx_study(folder, content[: len(content) // 2])


def corrupt_xlsx(folder: Path) -> None:
    parts = workbook_parts()
    parts["xl/worksheets/sheet1.xml"] = SHEET_HEAD + b"<row><c><v>1</v></row></sheetData>"
    xlsx_study(folder, zip_with_parts(parts))


def zip_bomb(folder: Path) -> None:
    """A sheet of 600 MB of identical rows in a 0.6 MB file."""
    parts = workbook_parts()
    row = b'<row><c t="inlineStr"><is><t>4</t></is></c></row>'
    parts["xl/worksheets/sheet1.xml"] = (SHEET_HEAD, row * 20_000, 600, SHEET_TAIL)
    xlsx_study(folder, zip_with_parts(parts))


def shared_strings_bomb(folder: Path) -> None:
    """300 MB of shared strings (read whole by openpyxl before the first row) in 0.3 MB."""
    parts = workbook_parts()
    head = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main">')
    parts["xl/sharedStrings.xml"] = (head, b"<si><t>lol</t></si>" * 50_000, 320, b"</sst>")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                     b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    xlsx_study(folder, zip_with_parts(parts))


def row_bomb(folder: Path) -> None:
    """A tiny sheet whose second cell is XFD1048576: read naively, 17 billion empty cells."""
    parts = workbook_parts()
    parts["xl/worksheets/sheet1.xml"] = SHEET_HEAD + (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>A1</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')
    xlsx_study(folder, zip_with_parts(parts))


def wrong_sav_magic(folder: Path) -> None:
    import pyreadstat

    path = folder / "customers.sav"
    folder.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_sav(answers(), str(path))
    content = path.read_bytes()
    write_study(folder, STUDY.replace("customers.csv", "customers.sav"),
                data=b"$FL9" + content[4:], name="customers.sav")


def mixed_encodings(folder: Path) -> None:
    frame = answers().assign(region=["华东地区客户"] * 10 + ["华南地区客户"] * 10)
    text = frame.to_csv(index=False)
    lines = text.splitlines(keepends=True)
    data = "".join(lines[:12]).encode("utf-8") + "".join(lines[12:]).encode("gbk")
    write_study(folder, data=data)


def nul_bytes(folder: Path) -> None:
    data = answers().to_csv(index=False).encode("utf-8")
    write_study(folder, data=data[:40] + b"\x00\x00" + data[40:])


def ragged_rows(folder: Path) -> None:
    lines = answers().to_csv(index=False).splitlines()
    lines[5] += ",7,7"
    write_study(folder, data=("\n".join(lines) + "\n").encode())


def short_rows(folder: Path) -> None:
    lines = answers().to_csv(index=False).splitlines()
    lines[5] = ",".join(lines[5].split(",")[:4])
    write_study(folder, data=("\n".join(lines) + "\n").encode())


def duplicate_headers(folder: Path) -> None:
    write_study(folder, data=answers().to_csv(index=False).replace("B1", "A1", 1).encode())


def fifty_thousand_columns(folder: Path) -> None:
    header = ",".join(["region", *ITEMS, *(f"X{i}" for i in range(50_000 - 7))])
    row = ",".join(["north", "4", "4", "3", "5", "4", "4", *("1" for _ in range(50_000 - 7))])
    write_study(folder, data=f"{header}\n{row}\n{row}\n".encode())


def fullwidth_digits(folder: Path) -> None:
    frame = answers().astype({item: object for item in ITEMS})
    frame.loc[:, "A1"] = [chr(0xFF10 + int(v)) for v in frame["A1"]]  # ４ for 4
    frame.loc[3, "A2"] = "１２３"  # 123: outside the scale
    write_study(folder, frame=frame)


def excel_dates_as_scores(folder: Path) -> None:
    frame = answers().astype({"B2": object})
    frame.loc[4, "B2"] = dt.datetime(2019, 3, 5)
    xlsx_study(folder, xlsx_bytes(frame))


def all_missing(folder: Path) -> None:
    frame = answers()
    frame[ITEMS] = np.nan
    write_study(folder, frame=frame)


def one_respondent(folder: Path) -> None:
    write_study(folder, frame=answers().head(1))


def zero_variance(folder: Path) -> None:
    write_study(folder, frame=answers().assign(A2=3))


def yaml_bomb(folder: Path) -> None:
    """A "billion laughs": nine levels of nine aliases, 9**9 texts once expanded."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    write_study(folder, "\n".join(lines) + "\n" + STUDY.replace("title: Corpus study",
                                                                 "title: *a8"))


def unknown_keys(folder: Path) -> None:
    write_study(folder, STUDY + "segmnets: [region]\n")


def absolute_path(folder: Path) -> None:
    write_study(folder, STUDY.replace("customers.csv", "/etc/group"))


def dotdot_escape(folder: Path) -> None:
    write_study(folder)
    outside = folder.parent / f"{folder.name}-outside.csv"
    outside.write_bytes((folder / "customers.csv").read_bytes())
    (folder / "customers.csv").unlink()
    (folder / "study.yaml").write_text(STUDY.replace("customers.csv", f"../{outside.name}"),
                                       encoding="utf-8")


def symlink_out(folder: Path) -> None:
    write_study(folder)
    outside = folder.parent / f"{folder.name}-outside.csv"
    outside.write_bytes((folder / "customers.csv").read_bytes())
    (folder / "customers.csv").unlink()
    os.symlink(outside, folder / "customers.csv")


def formula_without_value(folder: Path) -> None:
    """Cell B3 holds a formula and no saved value (as a program that does not calculate writes)."""
    parts = workbook_parts()
    xml = parts["xl/worksheets/sheet1.xml"]
    start = xml.index(b'<c r="B3"')
    end = xml.index(b"</c>", start) + len(b"</c>")
    parts["xl/worksheets/sheet1.xml"] = xml[:start] + b'<c r="B3"><f>1+1</f></c>' + xml[end:]
    xlsx_study(folder, zip_with_parts(parts))


def huge_field(folder: Path) -> None:
    """A 200 KiB free-text answer in the first 256 KiB (longer than the csv module's limit)."""
    frame = answers().assign(comment="ok")
    frame.loc[1, "comment"] = "很好" * 100_000
    write_study(folder, frame=frame)


def long_segment_answer(folder: Path) -> None:
    frame = answers()
    frame.loc[6, "region"] = "x" * 100_000
    write_study(folder, frame=frame)


def many_segment_levels(folder: Path) -> None:
    frame = answers(n=400)
    frame["region"] = [f"r{i}" for i in range(400)]
    write_study(folder, frame=frame)


def pipe_in_names(folder: Path) -> None:
    write_study(folder, STUDY.replace("  A: [A1", "  'A|B': [A1"))


def control_characters(folder: Path) -> None:
    write_study(folder, STUDY.replace("title: Corpus study",
                                      'title: "Corpus\\e[2J\\rstudy\\u202e"'))


def markdown_names(folder: Path) -> None:
    write_study(folder, STUDY + "names:\n  A: '![x](http://127.0.0.1:9/beacon.png)'\n"
                                "  B: '[log in again](http://127.0.0.1:9/login)'\n")


# what the app refuses: every data file must be inside the upload folder
OUTSIDE = Refused("outside the folder", key="groups.customers.file")
#: the store keeps a data file only when it sits in the study file's folder
NOT_BELOW = Refused("must sit in the study file's folder", key="groups.customers.file")

CASES: list[Case] = [
    Case("empty_file", empty_file, Refused("the file is empty", file="customers.csv"), Ok()),
    Case("header_only", header_only, Refused("header but no answers", file="customers.csv",
                                             row=2), Ok()),
    Case("truncated_xlsx", truncated_xlsx, Refused("damaged", file="customers.xlsx"), Ok()),
    Case("corrupt_xlsx", corrupt_xlsx, Refused("damaged", file="customers.xlsx"), Ok()),
    Case("zip_bomb", zip_bomb, Refused("unpacks to", file="customers.xlsx"), Ok()),
    Case("shared_strings_bomb", shared_strings_bomb,
         Refused("xl/sharedStrings.xml", file="customers.xlsx"), Ok()),
    Case("row_bomb", row_bomb, Refused("cells", file="customers.xlsx", row=1048576), Ok()),
    Case("wrong_sav_magic", wrong_sav_magic, Refused("binary content", file="customers.sav"),
         Ok()),
    Case("mixed_encodings", mixed_encodings, Refused("not UTF-8", file="customers.csv"), Ok()),
    Case("nul_bytes", nul_bytes, Refused("binary content", file="customers.csv"), Ok()),
    Case("ragged_rows", ragged_rows, Refused("answers but no name in the header (column H's first "
                                             "answer is in row 6)", file="customers.csv", row=1,
                                             column="H"), Ok()),
    Case("short_rows", short_rows, Ok()),
    Case("duplicate_headers", duplicate_headers,
         Refused("duplicate column names", file="customers.csv", row=1), Ok()),
    Case("fifty_thousand_columns", fifty_thousand_columns,
         Refused("50,000 columns", file="customers.csv", row=1), Ok()),
    Case("fullwidth_digits", fullwidth_digits,
         Refused("'１２３' is outside the scale", file="customers.csv", row=5, column="A2"), Ok()),
    Case("excel_dates_as_scores", excel_dates_as_scores,
         Refused("'2019-03-05' is not a number", file="customers.xlsx", row=6, column="B2"), Ok()),
    Case("all_missing", all_missing, Ok("below_minimum_n")),
    Case("one_respondent", one_respondent, Ok("below_minimum_n")),
    Case("zero_variance", zero_variance, Ok("A2")),
    Case("yaml_bomb", yaml_bomb, Refused("aliases", file="study.yaml")),
    Case("unknown_keys", unknown_keys, Refused("did you mean 'segments'", file="study.yaml",
                                               key="segmnets")),
    Case("absolute_path", absolute_path, Refused("not a column", file="group"), NOT_BELOW,
         OUTSIDE),
    Case("dotdot_escape", dotdot_escape, Ok(), NOT_BELOW, OUTSIDE),
    Case("symlink_out", symlink_out, Ok(), NOT_BELOW, Ok()),  # an upload holds the bytes
    Case("formula_without_value", formula_without_value, Ok("formula without a saved value")),
    Case("huge_field", huge_field, Ok()),
    Case("long_segment_answer", long_segment_answer,
         Refused("100,000 characters", file="customers.csv", row=8, column="region"), Ok()),
    Case("many_segment_levels", many_segment_levels,
         Refused("400 different answers", file="customers.csv", column="region"), Ok()),
    Case("pipe_in_names", pipe_in_names, Refused("'|'", file="study.yaml", key="dimensions")),
    Case("control_characters", control_characters, Ok()),
    Case("markdown_names", markdown_names, Ok()),
]


def build(root: Path, names: list[str] | None = None) -> dict[str, Path]:
    """Write the cases (all, or those named) into ``root``; returns case -> its study file."""
    root.mkdir(parents=True, exist_ok=True)
    out = {}
    for case in CASES:
        if names is None or case.name in names:
            case.build(root / case.name)
            out[case.name] = root / case.name / "study.yaml"
    return out


if __name__ == "__main__":
    for name, path in build(Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")).items():
        print(path)
