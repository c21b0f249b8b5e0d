"""The PDF report: a CJK font is found and embedded, Chinese text is really in the PDF (read back
with poppler's pdftotext, which CI installs), and a missing or unsuitable font is a clear error.
How the pages look was checked by eye (pdftoppm -png); see docs/reports.md."""
import itertools
import json
import re
import subprocess
from pathlib import Path

import matplotlib
import pytest

from analysis.report import REPORT_FILES, write_reports
from analysis.report.pdf import FONT_ENV, covers, find_cjk_font
from surveys.errors import StudyError

FIXTURE = Path(__file__).parent / "fixtures" / "report_results.json"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The four reports written as the command line writes them (forked processes)."""
    results = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return write_reports(results, tmp_path_factory.mktemp("out") / "reports", "zh", parallel=True)


def test_write_reports_writes_the_four_files(written):
    assert [p.name for p in written] == list(REPORT_FILES)
    assert all(p.stat().st_size > 1000 for p in written)
    assert written[1].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def _without_times(path: Path) -> dict[str, bytes]:
    """A report's content without the times it was written at (the zip entries' and the core
    properties' dates of .xlsx and .docx; the PDF's creation and modification dates and its
    instance ID, which Typst derives from the time)."""
    import zipfile

    def strip(data: bytes) -> bytes:
        data = re.sub(rb"(/ID\[\([^)]*\))\([^)]*\)\]", rb"\1]", data)
        data = re.sub(rb"<xmpMM:InstanceID>[^<]*<", b"<", data)
        return re.sub(rb"D:\d{14}Z|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", b"", data)

    if path.suffix in (".xlsx", ".docx"):
        with zipfile.ZipFile(path) as archive:
            return {name: strip(archive.read(name)) for name in archive.namelist()}
    return {"": strip(path.read_bytes())}


def _write_forked(out: Path, lang: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """write_reports(parallel=True) of a small part of the fixture (with a figure) in a fresh
    Python, which forks (this one has loaded Typst, so it writes one report after another);
    prints the StudyError's key if one is raised."""
    import os
    import sys

    script = f"""
import json, sys
from analysis.report import write_reports
from surveys.errors import StudyError
results = json.loads(open({str(FIXTURE)!r}, encoding="utf-8").read())
small = {{k: results[k] for k in ("version", "study", "reliability", "indices")}}
try:
    write_reports(small, {str(out)!r}, {lang!r}, parallel=True)
except StudyError as error:
    print(error.key)
assert "typst" not in sys.modules  # every report was written by a forked process
"""
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).parents[1], env={**os.environ, **(env or {})})


def test_reports_written_in_parallel_equal_those_written_one_after_another(tmp_path):
    done = _write_forked(tmp_path / "forked", "zh")
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(FIXTURE.read_text(encoding="utf-8"))
    small = {k: results[k] for k in ("version", "study", "reliability", "indices")}
    for path in write_reports(small, tmp_path / "alone", "zh", parallel=False):
        assert _without_times(tmp_path / "forked" / path.name) == _without_times(path), path.name


def test_written_in_parallel_without_a_cjk_font_the_error_reaches_the_caller(tmp_path):
    """The PDF's StudyError crosses from the forked process as it is (the command line shows it
    as one line, exit status 2); the other reports are written."""
    latin = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    done = _write_forked(tmp_path, "en", {FONT_ENV: str(latin)})
    assert done.returncode == 0 and done.stdout.strip() == FONT_ENV, done.stderr[-2000:]
    assert {p.name for p in tmp_path.iterdir()} == set(REPORT_FILES) - {"report.pdf"}


def test_pdf_embeds_a_cjk_font_and_the_chinese_text(written):
    pdf = next(p for p in written if p.suffix == ".pdf")
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    assert b"/FontFile3" in content or b"/FontFile2" in content  # embedded, not just named
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout
    expected = ("D公司客户关系管理调查", "主要发现", "客户识别", "信度分析", "公司自评偏高", "p < .001")
    for words in expected:
        assert words in text, words
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("yes" == row[-5] for row in rows)  # every font embedded


def test_font_named_by_the_environment_must_have_cjk_glyphs(monkeypatch):
    latin = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    monkeypatch.setenv(FONT_ENV, str(latin))
    with pytest.raises(StudyError, match="no Chinese glyphs") as error:
        find_cjk_font()
    assert error.value.key == FONT_ENV
    monkeypatch.setenv(FONT_ENV, "/no/such/font.ttc")
    with pytest.raises(StudyError, match="no Chinese glyphs"):
        find_cjk_font()


def test_system_font_is_found(monkeypatch):
    monkeypatch.delenv(FONT_ENV, raising=False)
    font = find_cjk_font()
    assert Path(font.path).is_file()
    monkeypatch.setenv(FONT_ENV, font.path)
    assert find_cjk_font().index == font.index  # the same face when named explicitly


def test_without_a_cjk_font_the_workbook_and_page_are_still_written(monkeypatch, tmp_path):
    results = json.loads(FIXTURE.read_text(encoding="utf-8"))
    latin = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    monkeypatch.setenv(FONT_ENV, str(latin))
    with pytest.raises(StudyError, match="no Chinese glyphs") as error:
        write_reports(results, tmp_path, "en")
    assert error.value.key == FONT_ENV
    assert (tmp_path / "report.xlsx").is_file() and (tmp_path / "report.html").is_file()
    assert (tmp_path / "report.docx").is_file()  # without its figures
    assert not (tmp_path / "report.pdf").exists()


def _pages_text(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "layout.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    return text.split("\f")[:-1]


def _layout_pdf(rows: int, filler_mm: float, columns: int = 3) -> bytes:
    """A page with ``filler_mm`` of other content, then one report table of ``rows`` rows."""
    import typst

    from analysis.report import pdf
    from analysis.report.tables import Column, Table

    labels = ["Name"] + [f"Spearman-Brown reliability coefficient {j}" for j in range(columns - 1)]
    table = Table("t", "Title", "a method", "n = 1", [Column(labels[0], "text")]
                  + [Column(label, "num") for label in labels[1:]],
                  [[f"row{i:03d}"] + [i / 7] * (columns - 1) for i in range(rows)])
    font = find_cjk_font()
    markup = (f"#set page(paper: \"a4\", flipped: true, margin: 10mm)\n"
              f"#set text(font: \"{font.family}\", size: 9pt)\n{pdf.PRELUDE}\n"
              f"#block(height: {filler_mm}mm, width: 100%)[filler]\n"
              + pdf._table(table, "en", pdf.report_faces(font)))
    return typst.compile(markup.encode(), font_paths=pdf.typst_fonts(font))


@pytest.mark.parametrize("rows", [9, 60])
def test_tables_keep_their_header_and_no_page_has_only_a_few_leftover_rows(rows, tmp_path):
    """Whatever space is left above the table: the header is repeated on every page a table runs
    onto, a short table is never split, the header keeps its first rows, and the last page of a
    table carries at least its last KEEP_TAIL rows (never one or two leftovers)."""
    from analysis.report.pdf import KEEP_HEAD, KEEP_TAIL, WHOLE_ROWS

    for filler in range(0, 190, 19):
        pages = _pages_text(_layout_pdf(rows, filler), tmp_path)
        found = [[i for i in range(rows) if f"row{i:03d}" in page] for page in pages]
        found = [page for page in found if page]
        assert sorted(i for page in found for i in page) == list(range(rows))
        if rows <= WHOLE_ROWS:
            assert len(found) == 1, filler
            continue
        assert len(found[0]) >= KEEP_HEAD and len(found[-1]) >= KEEP_TAIL, (filler, found)
        with_rows = [page for page in pages if "row" in page]
        assert all("Name" in page for page in with_rows), filler


def test_wide_table_headers_wrap_between_words_only(tmp_path):
    """Headers too long for their column wrap at spaces (or after the hyphen of a compound),
    never inside a word (issue 13: the PDF showed "(Spearman-Brow / n)")."""
    [page] = _pages_text(_layout_pdf(5, 0, columns=14), tmp_path)
    words = [w for w in re.split(r"[\s-]+", page) if w]
    for word in ("Spearman", "Brown", "reliability", "coefficient"):
        assert words.count(word) == 13, word
    assert not [w for w in words if w.isalpha() and w not in (
        "Spearman", "Brown", "reliability", "coefficient", "Name", "Title", "Method", "method",
        "a", "filler", "n")]


def test_cmap_probe_equals_fonttools_decompiled_cmap():
    # the raw-table lookup of formats 12 and 4 (covers) against fontTools' decompiled subtable,
    # on matplotlib's bundled fonts (DejaVu: 12; STIX/cm: 4 only) and the report's CJK font
    import glob
    import random

    from fontTools.ttLib import TTCollection, TTFont

    files = sorted(glob.glob(matplotlib.get_data_path() + "/fonts/ttf/*.ttf"))
    faces = [TTFont(f, lazy=True) for f in files]
    faces += TTCollection(find_cjk_font().path, lazy=True).fonts
    rng = random.Random(0)
    for face in faces:
        cmap = face["cmap"].getcmap(3, 10) or face["cmap"].getcmap(3, 1)
        codes = sorted(cmap.cmap)
        probes = ["客户满意度", "abc", "\U0001F600", "\uffff"]
        probes += ["".join(chr(rng.choice(codes)) for _ in range(4)) for _ in range(20) if codes]
        probes += [chr(rng.randrange(0x20, 0x30000)) for _ in range(60)]
        for probe in probes:
            expected = all(cmap.cmap.get(ord(ch), ".notdef") != ".notdef" for ch in probe)
            assert covers(face, probe) == expected, (face.reader.file.name, probe)


def test_forked_writers_take_each_report_once_and_report_failures(tmp_path):
    """The forked writers take the reports from one queue (analysis.report.Reports): every
    report is written once, while the caller's own work runs in its process; a report that raises and one whose process dies are both reported
    (the first in REPORT_FILES order raised), and the others are still written."""
    import os

    from analysis.report import Reports

    def write_shared(jobs, meanwhile):  # two forked writers, nothing to ready
        Reports(jobs, "zh", 2, ready=lambda: None).write({}, meanwhile)

    def job(name, build):
        return tmp_path / name, build

    def dies(results, lang):
        os._exit(3)

    def fails(results, lang):
        raise ValueError("bad page")

    written = [job(name, lambda results, lang, name=name: f"{name} {os.getpid()}")
               for name in REPORT_FILES]
    meanwhile = []
    write_shared(written, lambda: meanwhile.append(os.getpid()))
    texts = [path.read_text() for path, _ in written]
    assert [text.split()[0] for text in texts] == list(REPORT_FILES)
    assert str(os.getpid()) not in {text.split()[1] for text in texts}  # written by the children
    assert meanwhile == [os.getpid()]  # the caller's work, done here while they wrote
    for path, _ in written:
        path.unlink()
    with pytest.raises(RuntimeError, match="report.docx: the process writing it ended"):
        write_shared([written[0], written[1], job("report.docx", dies), written[3]], lambda: None)
    assert {p.name for p in tmp_path.iterdir()} == set(REPORT_FILES) - {"report.docx"}
    with pytest.raises(ValueError, match="bad page") as error:
        write_shared([written[0], job("report.html", fails), job("report.docx", dies), written[3]],
                     lambda: None)
    assert "while writing report.html" in error.value.__notes__[0]


def _typst_values(body: str, lang: str) -> list:
    """The values of the ``<v>`` metadata of a document set in the report's font (typst.query)."""
    import typst

    from analysis.report import pdf
    from analysis.report.typst_markup import string

    font = find_cjk_font()
    markup = (f"#set text(font: {string(font.family)}, lang: {string(lang)}, "
              f"cjk-latin-spacing: none)\n{body}")
    return json.loads(typst.query(markup.encode(), "<v>", field="value",
                                  font_paths=pdf.typst_fonts(font)))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_widths_and_heights_from_font_metrics_equal_typst_measuring_the_sample(lang):
    """The tables' explicit column widths and one-line row heights (the faster path) against
    the former definition, Typst measuring each text itself: every header (bold) and cell text of
    the sample's tables is at most SLACK wider in Typst than its advance widths (else it would
    wrap inside a row sized for one line), and a one-line cell is exactly as high."""
    from analysis.report import pdf
    from analysis.report.tables import build_sections, format_value
    from analysis.report.typst_markup import string

    regular, bold = pdf.report_faces(find_cjk_font())
    texts = set()
    for section in build_sections(json.loads(FIXTURE.read_text(encoding="utf-8")), lang):
        for table in section.tables:
            size = 6.5 if len(table.columns) > pdf.WIDE_TABLE else 7.5
            texts |= {(c.label, True, size) for c in table.columns}
            texts |= {(format_value(v, c.kind, lang), False, size)
                      for row in table.rows for c, v in zip(table.columns, row)}
    texts = sorted(texts)
    body = "#context [\n" + "".join(
        f"#metadata(measure(text({size}pt, {'strong' if strong else ''}({string(text)}))).width.pt())"
        " <v>\n" for text, strong, size in texts)
    body += "".join(f"#metadata(measure(block(inset: (x: {pdf.INSET_X}pt, y: {pdf.INSET_Y}pt), "
                    f"text({size}pt, \"客户 2.79\"))).height.pt()) <v>\n" for size in (6.5, 7.5))
    measured = _typst_values(body + "]", lang)
    excess = [(typst_width - (bold if strong else regular).width(text, size), text)
              for (text, strong, size), typst_width in zip(texts, measured)]
    assert len(excess) > 1000 and max(excess)[0] <= pdf.SLACK * 6.5 / 4, max(excess)
    for size, height in zip((6.5, 7.5), measured[len(texts):]):
        assert regular.line_height(size) + 2 * pdf.INSET_Y == pytest.approx(height, abs=1e-6)


def test_shrunk_columns_equal_typst_auto_columns():
    """shrink_columns against Typst's own auto columns: grids of fixed-width boxes too wide for
    the page, the columns' left edges read back from Typst's layout."""
    import random

    from analysis.report import pdf

    rng = random.Random(0)
    cases = [[rng.uniform(5, 220) for _ in range(rng.randrange(3, 20))] for _ in range(6)]
    cases = [case for case in cases if sum(case) > pdf.TEXT_WIDTH]
    assert len(cases) >= 3
    body = "#set page(width: {0}pt + 2cm, margin: 1cm)\n".format(pdf.TEXT_WIDTH)
    for case in cases:
        boxes = ", ".join(f"box(width: {w}pt, height: 1pt)" for w in case)
        marks = ", ".join("[#context [#metadata(here().position().x.pt()) <v>]]" for _ in case)
        body += f"#grid(columns: {len(case)}, inset: 0pt, {boxes}, {marks})\n#pagebreak()\n"
    edges = _typst_values(body, "en")
    for case in cases:
        expected = [x - edges[0] for x in edges[:len(case)]][1:]
        got = list(itertools.accumulate(pdf.shrink_columns(case, pdf.TEXT_WIDTH)))[:-1]
        assert got == pytest.approx(expected, abs=1e-3), case
        edges = edges[len(case):]


def test_typst_string_literal_equals_the_former_per_character_escaping():
    """string() by str.translate against its former definition (a Python step per character),
    on random text with quotes, backslashes, control characters and CJK."""
    import random

    from analysis.report.typst_markup import _ESCAPES, string

    def former(text) -> str:
        return '"' + "".join(_ESCAPES.get(ch) or (f"\\u{{{ord(ch):x}}}" if ord(ch) < 32 else ch)
                             for ch in str(text)) + '"'

    rng = random.Random(1)
    texts = ["", 'a"b\\c\nd\r\te\x01\x1f', 3.5, None, "客户满意度 (CSI)"]
    texts += ["".join(chr(rng.choice([rng.randrange(0, 40), rng.randrange(32, 0x3000), 92, 34]))
                      for _ in range(rng.randrange(0, 12))) for _ in range(2000)]
    for text in texts:
        assert string(text) == former(text), text


def test_report_writers_started_before_results_that_never_come_end_without_writing(tmp_path):
    """start_reports (the command line starts the writers first of all): cancelled before any
    results (the study failed to load), its forked writers end without writing and are waited
    for; Typst is never loaded in the starting process."""
    import os
    import sys

    script = f"""
import os, sys
from analysis.forked import processors
from analysis.report import start_reports
reports = start_reports({str(tmp_path / "out")!r}, "zh", parallel=True)
assert len(reports._children) == min(processors(), 4), reports._children
pids = [pid for pid, _ in reports._children]
reports.cancel()
for pid in pids:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        continue
    raise AssertionError("a writer was not waited for")
reports.cancel()  # once is enough
assert "typst" not in sys.modules
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=Path(__file__).parents[1],
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert done.returncode == 0, done.stderr[-2000:]
    assert not (tmp_path / "out").exists()


def test_typst_fonts_leave_no_folder_behind_and_still_set_both_faces(tmp_path, monkeypatch):
    """Each process that makes a PDF once left its folder of font links in the temporary folder
    (2,000 of them after a day of test runs): the links are removed as soon as Typst has read
    the fonts, and a document compiled afterwards still embeds the regular and the bold face."""
    import tempfile

    import typst

    from analysis.report import pdf

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    font = find_cjk_font()
    pdf.typst_fonts.cache_clear()
    try:
        fonts = pdf.typst_fonts(font)
        assert list(tmp_path.iterdir()) == []
        document = tmp_path / "faces.pdf"
        document.write_bytes(typst.compile(
            f"#set text(font: \"{font.family}\")\n顾客 *满意*".encode(), font_paths=fonts))
    finally:
        pdf.typst_fonts.cache_clear()
    listed = subprocess.run(["pdffonts", str(document)], capture_output=True, check=True,
                            text=True).stdout
    assert "Regular" in listed and ("Bold" in listed or font.bold_path is None)
    assert "顾客满意" in subprocess.run(["pdftotext", str(document), "-"], capture_output=True,
                                    check=True, text=True).stdout.replace(" ", "")
