"""The PDF report: a CJK font is found and embedded, Chinese text is really in the PDF (read back
with poppler's pdftotext, which CI installs), and a missing or unsuitable font is a clear error.
How the pages look was checked by eye (pdftoppm -png); see docs/reports.md."""
import json
import subprocess
from pathlib import Path

import matplotlib
import pytest

from analysis.report import REPORT_FILES, write_reports
from analysis.report.pdf import FONT_ENV, find_cjk_font
from surveys.errors import StudyError

FIXTURE = Path(__file__).parent / "fixtures" / "report_results.json"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    results = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return write_reports(results, tmp_path_factory.mktemp("out") / "reports", "zh")


def test_write_reports_writes_the_four_files(written):
    assert [p.name for p in written] == list(REPORT_FILES)
    assert all(p.stat().st_size > 1000 for p in written)
    assert written[1].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


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
    with pytest.raises(StudyError):
        write_reports(results, tmp_path, "en")
    assert (tmp_path / "report.xlsx").is_file() and (tmp_path / "report.html").is_file()
    assert (tmp_path / "report.docx").is_file()  # without its figures
    assert not (tmp_path / "report.pdf").exists()
