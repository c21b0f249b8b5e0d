"""The Word report (report.docx), opened with python-docx: every table a three-line table (rules
checked in the XML), numbered captions above and notes below, numbers equal to results.json
(tests/fixtures/report_results.json, the sample study's) in the study's number style, fonts set
on the runs, statistics in italics, interpretation paragraphs quoting the numbers, figures at
300 dpi; in both languages. One page goes through LibreOffice (soffice, pdftoppm) when it is
installed (CI: libreoffice-writer-nogui from .ci/run)."""
from __future__ import annotations

import copy
import io
import json
import math
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from analysis.i18n import t
from analysis.report import report_file_name
from analysis.report import tables as report_tables
from analysis.report import docx as word
from analysis.report.docx import (RULE_HEADER, RULE_OUTER, STAT_SYMBOL, ordered_sections, ordered_tables,
                                  table_docx, table_grid, word_report)
from analysis.report.numstyle import NumberStyle, number_style
from analysis.report.tables import Column, Section, build_sections

FIXTURE = Path(__file__).parent / "fixtures" / "report_results.json"
M = "\u2212"


@pytest.fixture(scope="module")
def results() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def documents(results) -> dict:
    """The zh report with its figures, the en one without (they take most of the time; the en
    captions of figures are checked on a smaller report)."""
    zh = Document(io.BytesIO(word_report(results, "zh")))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(word, "CHART_SECTIONS", ())
        en = Document(io.BytesIO(word_report(results, "en")))
    return {"zh": zh, "en": en}


def _body(doc) -> list:
    """The document body in order: ("p", paragraph) and ("t", table)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    items = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            items.append(("p", Paragraph(child, doc)))
        elif child.tag == qn("w:tbl"):
            items.append(("t", Table(child, doc)))
    return items


def _text(paragraph) -> str:
    """All text of a paragraph, the runs inside a caption's SEQ field included."""
    return "".join(node.text or "" for node in paragraph._p.iter(qn("w:t")))


def _captioned_tables(doc) -> list[tuple[str, object, str, list[str]]]:
    """(caption, table, note, paragraphs after) for every table of the document."""
    body = _body(doc)
    out = []
    for k, (kind, item) in enumerate(body):
        if kind != "t":
            continue
        caption = _text(body[k - 1][1])
        note = _text(body[k + 1][1]) if k + 1 < len(body) and body[k + 1][0] == "p" else ""
        after = []
        for kind2, item2 in body[k + 2:]:
            if kind2 != "p" or item2.style.name.startswith(("Heading", "Caption")) \
                    or item2._p.findall(".//" + qn("w:drawing")):
                break
            if _text(item2):
                after.append(_text(item2))
        out.append((caption, item, note, after))
    return out


def _shown_tables(results, lang):
    sections = ordered_sections(build_sections(results, lang))
    return [t for s in sections for t in ordered_tables(s)]


def _border(element, edge):
    found = element.find(qn(f"w:{edge}"))
    return None if found is None else (found.get(qn("w:val")), found.get(qn("w:sz")))


# ------------------------------------------------------------------ tables and captions

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_table_is_a_three_line_table(documents, results, lang):
    tables = _captioned_tables(documents[lang])
    assert len(tables) == len(_shown_tables(results, lang)) > 20
    for caption, table, _, _ in tables:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert _border(borders, "top") == ("single", str(RULE_OUTER)), caption
        assert _border(borders, "bottom") == ("single", str(RULE_OUTER)), caption
        for edge in ("left", "right", "insideH", "insideV"):
            assert _border(borders, edge)[0] == "nil", (caption, edge)
        assert 8 <= RULE_OUTER <= 12 and 4 <= RULE_HEADER <= 6  # 1-1.5 pt and 0.5-0.75 pt
        rows = table._tbl.tr_lst
        for r, row in enumerate(rows):
            for tc in row.tc_lst:
                cell = tc.tcPr.find(qn("w:tcBorders"))
                if r == 0:
                    assert _border(cell, "bottom") == ("single", str(RULE_HEADER)), caption
                    assert _border(cell, "top") == ("single", str(RULE_OUTER)), caption
                elif r == len(rows) - 1:
                    assert _border(cell, "bottom") == ("single", str(RULE_OUTER)), caption
                    assert _border(cell, "top") is None
                else:
                    assert cell is None, (caption, r)  # no rule between body rows
        header = rows[0].trPr
        assert header.find(qn("w:tblHeader")) is not None  # the header repeats on a new page


@pytest.mark.parametrize("lang, word", [("zh", "表"), ("en", "Table")])
def test_captions_are_numbered_in_order_above_and_notes_below(documents, results, lang, word):
    tables = _captioned_tables(documents[lang])
    shown = _shown_tables(results, lang)
    for k, ((caption, table, note, _), source) in enumerate(zip(tables, shown), start=1):
        assert caption.startswith(f"{word} {k} {source.title}"), caption
        fields = table._tbl.getprevious().findall(qn("w:fldSimple"))
        assert fields and fields[0].get(qn("w:instr")).strip() == f"SEQ {word} \\* ARABIC"
        assert note.startswith("注：" if lang == "zh" else "Note. "), (caption, note)
        assert "n = " in note, (caption, note)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_table_cells_are_the_report_tables_in_the_number_style(documents, results, lang):
    style = number_style(results, lang)
    for (caption, table, _, _), source in zip(_captioned_tables(documents[lang]),
                                              _shown_tables(results, lang)):
        grid, _ = table_grid(source, style, lang)
        assert [c.text for c in table.rows[0].cells] == grid.headers, caption
        for row, expected, marks in zip(table.rows[1:], grid.cells, grid.marks):
            got = [c.text for c in row.cells]
            assert got == [text + mark for text, (mark, _) in zip(expected, marks)], caption


def _row(table, *leading: str):
    """The cells of the first row whose leading cells are ``leading`` (blank = repeated)."""
    current: list[str] = []
    for row in table.rows[1:]:
        cells = [c.text for c in row.cells]
        current = [cells[j] or (current[j] if j < len(current) else "") for j in range(len(leading))] \
            + cells[len(leading):]
        if current[:len(leading)] == list(leading):
            return current
    raise AssertionError(f"no row {leading}")


def _table(documents, lang, title):
    return next(t for caption, t, _, _ in _captioned_tables(documents[lang]) if title in caption)


def test_numbers_equal_results_json_zh_gb(documents, results):
    doc, names = documents, results["study"]["names"]
    # reliability: α with three decimals and its leading zero (gb), ω
    entry = results["reliability"]["customers"]["identify"]
    row = _row(_table(doc, "zh", "信度分析"), "客户", names["identify"]["zh"])
    assert row[4] == f"{entry['alpha']:.3f}" and row[4].startswith("0.")
    assert row[7] == f"{entry['omega_total']:.3f}"
    # KMO and Bartlett: p below .001 as "< 0.001"
    kmo = results["validity"]["customers"]
    row = _row(_table(doc, "zh", "KMO"), "客户")
    assert row[1] == f"{kmo['kmo']:.3f}" and row[4] == "< 0.001"
    # CFA: χ²/df computed from χ² and df, CFI
    cfa = kmo["cfa"]
    row = _row(_table(doc, "zh", "验证性因子分析"), "客户")
    assert row[4] == f"{cfa['chi2'] / cfa['df']:.2f}" and row[6] == f"{cfa['cfi']:.3f}"
    # discriminant validity: √AVE on the diagonal, bold; HTMT above it
    table = _table(doc, "zh", "区分效度")
    diagonal = cfa["fornell_larcker"]["identify"]["identify"]
    assert math.isclose(diagonal, math.sqrt(cfa["constructs"]["identify"]["ave"]), rel_tol=1e-9)
    first = table.rows[1].cells
    assert first[2].text == f"{diagonal:.3f}"
    assert first[2].paragraphs[0].runs[0].font.bold
    assert first[3].text == f"{cfa['htmt']['identify|differentiate']:.3f}"
    # correlations: r with its stars
    pair = results["descriptives"]["customers"]["correlations"]["identify|differentiate"]
    stars = "***" if pair["p"] < .001 else "**" if pair["p"] < .01 else "*" if pair["p"] < .05 else ""
    row = _row(_table(doc, "zh", "相关系数"), "客户", "2. " + names["differentiate"]["zh"])
    assert row[4] == f"{pair['r']:.2f}{stars}"
    # regression: b, SE, β, t, p, VIF of the first driver
    model = results["drivers"]["customers"]["satisfaction"]
    p = model["predictors"][0]
    row = _row(_table(doc, "zh", "驱动因素权重"), "满意度", names[p["name"]]["zh"])
    assert row[2:5] == [f"{p['b']:.3f}", f"{p['se']:.3f}", f"{p['beta']:.3f}"]
    assert row[5] == f"{p['t']:.2f}".replace("-", M)
    # skewness with a true minus sign
    item = results["descriptives"]["customers"]["items"]["ID1"]
    row = _row(_table(doc, "zh", "各题项描述性统计"), "客户", names["identify"]["zh"],
               "ID1 " + names["ID1"]["zh"])
    assert row[6] == f"{item['skewness']:.2f}".replace("-", M)  # n, M, SD, skewness (min/max: detail)


def test_numbers_equal_results_json_en_apa(documents, results):
    entry = results["reliability"]["customers"]["identify"]
    row = _row(_table(documents, "en", "Reliability"), "Customers", "Identify")
    assert row[4] == f"{entry['alpha']:.3f}"[1:]  # ".843": no leading zero in APA
    row = _row(_table(documents, "en", "KMO"), "Customers")
    assert row[4] == "< .001"
    nps = results["indices"]["customers"]["nps"]
    row = _row(_table(documents, "en", "Net Promoter Score"))
    assert row[1] == f"{nps['score']:.2f}".replace("-", M)


def test_runs_carry_both_fonts_and_table_size(documents, results):
    sizes = []
    for lang, doc in documents.items():
        style = number_style(results, lang)
        for (_, table, _, _), source in list(zip(_captioned_tables(doc), _shown_tables(results, lang)))[:8]:
            size = word.grid_layout(table_grid(source, style, lang)[0])[1]
            sizes.append(size)
            for row in table.rows[:4]:
                for cell in row.cells:
                    for run in cell.paragraphs[0].runs:
                        fonts = run._element.rPr.rFonts
                        assert fonts.get(qn("w:ascii")) == "Times New Roman"
                        assert fonts.get(qn("w:eastAsia")) == "宋体"
                        assert run.font.size.pt == size
    assert set(sizes) == {10.5, 9}  # 五号, and 小五 for the correlation matrix on a portrait page


def test_statistics_are_italic_greek_only_in_gb(documents):
    def italic_runs(table):
        return {run.text for cell in table.rows[0].cells for run in cell.paragraphs[0].runs
                if run.font.italic}

    zh = italic_runs(_table(documents, "zh", "信度分析"))
    en = italic_runs(_table(documents, "en", "Reliability"))
    assert {"α", "ω"} <= zh  # gb: Greek symbols italic too
    assert "n" in en and not {"α", "ω"} & en  # APA 7: Latin italic, Greek upright
    assert "p" in italic_runs(_table(documents, "zh", "KMO"))
    assert {"SD"} <= italic_runs(_table(documents, "en", "Descriptive statistics of the items"))
    assert STAT_SYMBOL.search("don't") is None and STAT_SYMBOL.search("CRM") is None


def test_numbers_sit_on_a_decimal_tab(documents):
    table = _table(documents, "zh", "信度分析")
    cell = table.rows[1].cells[4]
    tabs = cell.paragraphs[0]._p.pPr.find(qn("w:tabs"))
    assert tabs is not None and tabs[0].get(qn("w:val")) == "decimal"
    assert not cell.text.startswith("\t")


# ------------------------------------------------------------------ paragraphs and figures

def test_paragraphs_quote_the_numbers_zh(documents, results):
    alphas = [e["alpha"] for e in results["reliability"]["customers"].values()]
    _, _, _, after = next(x for x in _captioned_tables(documents["zh"]) if "信度分析" in x[0])
    text = after[0]
    number = re.search(r"表 (\d+)", _captioned_tables(documents["zh"])[0][0])
    assert number and text.startswith("由表 ")
    assert f"介于 {min(alphas):.2f} 与 {max(alphas):.2f} 之间" in text and "均大于 0.70" in text
    kmo = results["validity"]["customers"]["kmo"]
    _, _, _, after = next(x for x in _captioned_tables(documents["zh"]) if "KMO" in x[0])
    assert f"KMO 值为 {kmo:.3f}" in after[0] and "p < 0.001" in after[0]


def test_paragraphs_quote_the_numbers_en(documents, results):
    alphas = [e["alpha"] for e in results["reliability"]["customers"].values()]
    _, _, _, after = next(x for x in _captioned_tables(documents["en"]) if x[0].endswith("Reliability"))
    assert f"ranges from {min(alphas):.2f}"[:-4] in after[0]
    assert f"from {min(alphas):.2f} to {max(alphas):.2f}".replace("0.", ".") in after[0]
    gaps = [r for r in results["gaps"]["customers|employees"] if r["level"] == "dimension" and r["flag"]]
    _, _, _, after = next(x for x in _captioned_tables(documents["en"]) if "Customers vs Employees" in x[0])
    assert all(results["study"]["names"][r["name"]]["en"] in " ".join(after) for r in gaps)
    assert "p < .001" in " ".join(after)


def test_no_raw_codes_in_the_text(documents, results):
    codes = {*results["study"]["groups"], *results["study"]["dimensions"], "satisfaction",
             "loyalty", "EX_ID1", "IMP_identify"}
    names = results["study"]["names"]
    for lang, doc in documents.items():
        text = " ".join(_text(p) for p in doc.paragraphs)
        for code in codes:  # names such as "CRM system" may hold a code as a word: not a code
            text = text.replace((names.get(code) or {}).get(lang) or "\0", "")
        # the English text may say "customers" as a word; the group is "Customers" there
        for code in codes - ({"customers", "employees", "satisfaction", "loyalty"} if lang == "en" else set()):
            assert not re.search(rf"(?<![A-Za-z_]){code}(?![A-Za-z_])", text), (lang, code)


def _pictures(doc) -> list[tuple[object, str]]:
    """(picture paragraph, the caption below it) for every figure."""
    body = _body(doc)
    return [(p, _text(body[k + 1][1])) for k, (kind, p) in enumerate(body)
            if kind == "p" and p._p.findall(".//" + qn("w:drawing"))]


def test_figures_at_300_dpi_with_numbered_captions_below(documents, results):
    from PIL import Image

    doc = documents["zh"]
    pictures = _pictures(doc)
    assert len(pictures) >= 4  # dimension scores, gaps, IPA, drivers
    assert [caption.split(" ")[:2] for _, caption in pictures] == \
        [["图", str(n)] for n in range(1, len(pictures) + 1)]
    for shape in doc.inline_shapes:
        blob = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        image = Image.open(io.BytesIO(doc.part.related_parts[blob].blob))
        assert 295 <= image.size[0] / (shape.width / 914400) <= 305  # pixels per printed inch
        assert [round(d) for d in image.info["dpi"]] == [300, 300]  # and the file says so
    small = {k: results[k] for k in ("version", "study", "indices")}
    english = _pictures(Document(io.BytesIO(word_report(small, "en"))))
    assert [caption.split(" ")[:2] for _, caption in english] == [["Figure", "1"]]
    assert "Dimension scores" in english[0][1]


# ------------------------------------------------------------------ styles, extension, names

def test_style_options_of_the_study_file(results):
    zero = copy.deepcopy(results)
    zero["study"]["report"] = {"style": "gb", "small_p": "zero"}
    assert number_style(zero, "en") == NumberStyle("gb", "zero")
    assert NumberStyle("gb", "zero").p_cell(1e-9) == "0.000"
    assert NumberStyle("gb", "zero").p(1e-9) == "p = 0.000"
    assert NumberStyle("gb").p(0.0194) == "p = 0.019" and NumberStyle("apa").p(0.0194) == "p = .019"
    assert NumberStyle("gb").text("χ²(109) = 117.40, p = .274, 90% CI [.00, .03]") == \
        "χ²(109) = 117.40, p = 0.274, 90% CI [0.00, 0.03]"
    assert number_style({"study": {"report": {"style": "apa"}}}, "zh") == NumberStyle("apa")
    assert number_style({"study": {}}, "zh").name == "gb" and number_style({}, "en").name == "apa"
    assert NumberStyle("apa").cell(0.8429, "bounded3") == ".843"
    assert NumberStyle("gb").cell(0.8429, "bounded3") == "0.843"
    assert NumberStyle("gb").cell(57.44, "df") == "57.4" and NumberStyle("gb").cell(292.0, "df") == "292"


def test_a_section_added_to_the_tables_appears_in_word(results, monkeypatch):
    """What another feature adds to tables.py (a structural model's path table, say) is laid
    out as a three-line table with a generic caption, note and paragraph, no code in docx.py."""
    def paths(c) -> Section:
        section = Section("pls", "Structural model")
        section.add("pls_paths", "Path coefficients", "PLS-SEM, bootstrap", "n = 301",
                    [Column("Path", "text"), Column("β", "bounded3"), Column("p", "p")],
                    [["A → B", 0.412, 0.0004], ["B → C", -0.05, 0.31]])
        section.findings.append("A drives B.")
        return section

    with_pls = {"version": 1, "study": results["study"], "pls": {"customers": {}}}
    monkeypatch.setitem(report_tables.BUILDERS, "pls", paths)
    doc = Document(io.BytesIO(word_report(with_pls, "en")))
    caption, table, note, after = next(x for x in _captioned_tables(doc) if "Path coefficients" in x[0])
    assert [c.text for c in table.rows[1].cells] == ["A → B", ".412", "< .001"]
    assert [c.text for c in table.rows[2].cells] == ["B → C", f"{M}.050", ".310"]
    assert note == "Note. PLS-SEM, bootstrap. n = 301."
    assert after[0].startswith("Table ") and "Path coefficients" in after[0] and after[1] == "A drives B."


def test_single_table_download(tmp_path):
    content = table_docx(["维度", "α", "p 值"], [["客户识别", "0.843", "<.001"], ["客户区分", "0.812", "0.019"]],
                         title="信度", lang="zh")
    doc = Document(io.BytesIO(content))
    table = doc.tables[0]
    assert [c.text for c in table.rows[2].cells] == ["客户区分", "0.812", "0.019"]
    assert _border(table._tbl.tblPr.find(qn("w:tblBorders")), "top") == ("single", str(RULE_OUTER))
    tabs = table.rows[1].cells[1].paragraphs[0]._p.pPr.find(qn("w:tabs"))
    assert tabs is not None  # numbers on a decimal tab, text not
    assert table.rows[1].cells[0].paragraphs[0]._p.pPr.find(qn("w:tabs")) is None


def test_report_file_names_are_safe():
    study = {"study": {"title": "D公司客户关系管理调查 2019", "wave": "2019"}}
    assert report_file_name(study, "report.docx") == "D公司客户关系管理调查_2019_report.docx"
    bad = {"study": {"title": 'a/b:c*?"<>| ', "wave": "w1"}}
    assert report_file_name(bad, "report.pdf", filtered=True) == "a_b_c_w1_filtered_report.pdf"
    assert report_file_name({"study": {"title": "CON", "wave": ""}}, "x.docx") == "_CON_x.docx"
    assert report_file_name({}, "report.html") == "study_report.html"


# ------------------------------------------------------------------ LibreOffice

def test_a_page_renders_through_libreoffice(results, tmp_path):
    if shutil.which("soffice") is None or shutil.which("pdftoppm") is None:
        pytest.skip("LibreOffice (soffice) or poppler (pdftoppm) is not installed; CI installs "
                    "libreoffice-writer-nogui and poppler-utils in .ci/run")
    small = {k: results[k] for k in ("version", "study", "quality", "reliability")}
    path = tmp_path / "report.docx"
    path.write_bytes(word_report(small, "zh"))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=120,
                   env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    pdf = tmp_path / "report.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=60)
    from PIL import Image

    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    assert page.size[1] > page.size[0]  # A4 portrait
    dark = sum(page.histogram()[:128])  # pixels darker than mid-grey
    assert dark > 2000  # text and rules, not a blank page
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "表 1" in text and "由表 1 可知" in text.replace("\n", "") or "表 1 列出了" in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_table_of_the_sample_has_its_own_paragraphs(results, lang):
    from analysis.report.thesis import WRITERS, Thesis

    thesis = Thesis(results, lang, number_style(results, lang))
    keys = [t.key for t in _shown_tables(results, lang)]
    missing = [key for key in keys if key in WRITERS and thesis.paragraphs(
        next(t for t in _shown_tables(results, lang) if t.key == key), "表 1") is None]
    assert missing == []
    assert {"reliability", "kmo", "cfa", "discriminant", "drivers", "gaps"} <= set(keys) & set(WRITERS)


# ------------------------------------------------------------------ comments, customer list, ladder

def _headings(doc) -> list[str]:
    return [_text(p) for p in doc.paragraphs if p.style.name == "Heading 1"]


def test_later_sections_in_thesis_order(documents):
    """The ladder, the customer list's status counts and the comments come after the segments,
    the figures last (docx.ORDER; the English fixture document has no figures)."""
    for lang, titles in (("zh", ["客户细分", "忠诚阶梯", "客户名单", "开放题", "主要图表"]),
                         ("en", ["Customer segments", "Loyalty ladder", "Customer-list status", "Comments"])):
        headings = _headings(documents[lang])
        found = [next(k for k, h in enumerate(headings) if title.lower() in h.lower()) for title in titles]
        assert found == sorted(found), (lang, headings)


def test_comment_customer_and_ladder_paragraphs_quote_results(documents, results):
    text = results["text"]["customers"]["comment"]
    top = max(text["themes"], key=lambda x: x["n"])
    worst = max((x for x in text["themes"] if x["detractor_share"] is not None),
                key=lambda x: (x["detractor_share"], x["n"]))
    _, _, _, after = next(x for x in _captioned_tables(documents["zh"]) if "意见主题" in x[0])
    assert f"提及最多的主题是“{top['name']}”（{top['n']} 条，占 {100 * top['share']:.1f}%）" in after[0]
    assert f"“{worst['name']}”（贬损者占 {100 * worst['detractor_share']:.1f}%" in after[0]
    assert f"另有 {100 * text['other']['share']:.1f}% 的回答未归入任何主题" in after[0]
    keywords = text["keywords"]
    down = sorted(keywords["detractors"], key=lambda k: -abs(k["z"]))[0]["term"]
    up = sorted(keywords["promoters"], key=lambda k: -abs(k["z"]))[0]["term"]
    significant = sum(1 for k in keywords["detractors"] + keywords["promoters"] if abs(k["z"]) > 1.96)
    _, _, _, after = next(x for x in _captioned_tables(documents["zh"]) if "贬损者与推荐者" in x[0])
    assert f"更常使用的词语是“{down}”" in after[0] and f"推荐者更常使用的词语是“{up}”" in after[0]
    assert f"有 {significant} 个的差异达到显著水平" in after[0]

    red = results["customers"]["customers"]["status"]["red"]
    _, table, _, after = next(x for x in _captioned_tables(documents["zh"]) if "各状态客户数" in x[0])
    assert f"共 {red['n']} 位，占客户总数的 {100 * red['share']:.1f}%" in after[0]
    assert f"销售额占全部销售额的 {100 * red['revenue_share']:.1f}%" in after[0]
    _, _, _, after = next(x for x in _captioned_tables(documents["en"]) if "status" in x[0].lower())
    assert f"{red['n']} customers ({100 * red['share']:.1f}%) are 'red'" in after[0]

    ladder = results["ladder"]["customers"]
    top_share = ladder["levels"][str(len(ladder["rungs"]))]["share"]
    _, _, _, after = next(x for x in _captioned_tables(documents["zh"]) if "忠诚阶梯层级" in x[0])
    assert f"{100 * top_share:.1f}% 的客户登上了忠诚阶梯的最高一级“可持续忠诚”" in after[0]
    assert f"{100 * ladder['levels']['0']['share']:.1f}% 的客户尚未达到第一级“满意”" in after[0]
    assert f"另有 {100 * ladder['out_of_order']['share']:.1f}% 的客户" in after[0]
    reached = {r: c["share"] for r, c in ladder["rungs_reached"].items()}
    _, _, _, after = next(x for x in _captioned_tables(documents["en"]) if "rung" in x[0].lower())
    assert f"from {100 * min(reached.values()):.1f}%" in after[0]
    assert f"to {100 * max(reached.values()):.1f}%" in after[0]


def test_no_customer_ids_or_contacts_in_the_word_report(documents):
    """The study's contact columns (organisation, person, phone of the sample's customers) are in
    no table and no paragraph; only the status counts of the customer list are."""
    from surveys.load import load_study

    data = load_study(Path(__file__).parents[1] / "data" / "sample" / "study.yaml")
    frame = data.frames()["customers"]
    assert set(data.study.contact) == {"company", "contact", "phone"}
    contacts = {str(v) for column in data.study.contact for v in frame[column].dropna()
                if len(str(v)) >= 3}
    assert len(contacts) > 20
    for doc in documents.values():
        text = " ".join(_text(p) for p in doc.paragraphs)
        cells = " ".join(c.text for table in doc.tables for row in table.rows for c in row.cells)
        assert not [v for v in contacts if v in text or v in cells]


# ------------------------------------------------------------------ layout rules

def _tidy(rows, columns) -> "report_tables.Table":
    return report_tables.Table("t", "T", "", "", columns, rows)


def test_columns_without_any_value_are_left_out():
    style = NumberStyle("apa")
    table = _tidy([["A", 1.5, None, 0.01], ["B", 2.5, None, None]],
                   [Column("Name", "text"), Column("M"), Column("df", "df"), Column("p", "p")])
    grid, _ = table_grid(table, style, "en")
    assert grid.headers == ["Name", "M", "p"]
    assert grid.cells == [["A", "1.50", ".010"], ["B", "2.50", "–"]]


def test_portrait_small_type_then_landscape_and_back():
    """A table a little too wide for 五号 stays on a portrait page in 小五; a much wider one turns
    the page, and the next narrow table turns it back."""
    from docx.enum.section import WD_ORIENT

    from analysis.report.docx import SMALL_TABLE_PT, TABLE_PT, grid_layout

    style = NumberStyle("gb")
    narrow = _tidy([["A", 0.5]], [Column("Name", "text"), Column("r", "bounded")])
    assert grid_layout(table_grid(narrow, style, "zh")[0])[:2] == (False, TABLE_PT)
    numbers = [Column(f"列{k}", "num") for k in range(11)]
    slightly = _tidy([["甲", *[-12.345] * 11]], [Column("名称", "text"), *numbers])
    assert grid_layout(table_grid(slightly, style, "zh")[0])[:2] == (False, SMALL_TABLE_PT)
    wide = _tidy([["甲", *[-12.345] * 15]], [Column("名称", "text"), *[Column(f"列{k}") for k in range(15)]])
    assert grid_layout(table_grid(wide, style, "zh")[0])[0] is True

    section = Section("x", "X")
    section.tables = [wide, narrow]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(word, "build_sections", lambda results, lang: [section])
        doc = Document(io.BytesIO(word_report({"study": {}}, "zh")))
    assert [s.orientation for s in doc.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE,
                                                     WD_ORIENT.PORTRAIT]


# ------------------------------------------------------------------ structural model (PLS)

def test_structural_model_tables_and_paragraphs(documents, results):
    """The sample's PLS model: measurement model before paths (docx.TABLE_ORDER), the paragraphs
    quoting results.json (ρc and AVE ranges, significant paths with β and p, R², SRMR)."""
    e = results["pls"]["customers"]
    captions = [c for c, _, _, _ in _captioned_tables(documents["zh"])]
    order = [next(k for k, c in enumerate(captions) if title in c)
             for title in ("测量模型的信度", "外部权重与载荷", "区分效度（HTMT）", "路径系数", "内生构念的 R²")]
    assert order == sorted(order) and order[-1] - order[0] == 4
    constructs = [c for c in e["quality"]["constructs"].values() if c["items"] > 1]
    rho = [c["rho_c"] for c in constructs]
    _, _, _, after = next(x for x in _captioned_tables(documents["zh"]) if "测量模型的信度" in x[0])
    assert f"组合信度 ρc 介于 {min(rho):.3f} 与 {max(rho):.3f} 之间" in after[0] and "均达到 0.70 与 0.50" in after[0]
    paths = e["paths"]
    significant = [k for k, p in paths.items() if p["p"] < 0.05]
    _, _, _, after = next(x for x in _captioned_tables(documents["zh"]) if "路径系数" in x[0])
    assert f"模型的 {len(paths)} 条路径中有 {len(significant)} 条" in after[0]
    assert f"bootstrap {e['bootstrap']['used']} 次" in after[0]
    coef = paths["satisfaction->loyalty"]
    assert f"“满意度”→“忠诚度”（β = {coef['coef']:.3f}，p < 0.001）" in after[0]
    _, _, _, after = next(x for x in _captioned_tables(documents["en"]) if "Path coefficients" in x[0])
    assert f"{len(significant)} of the model's {len(paths)} paths are significant" in after[0]
    r2 = e["r2"]
    _, _, _, after = next(x for x in _captioned_tables(documents["en"]) if "R²" in x[0])
    assert f"from {min(r2.values()):.3f}".replace("0.", ".") in after[0]
    _, _, _, after = next(x for x in _captioned_tables(documents["en"]) if "Model overall" in x[0])
    assert f"SRMR is {e['quality']['srmr']:.3f}".replace("0.", ".") in after[0]


def test_a_constant_column_after_a_varying_one_stays_in_the_table():
    table = _tidy([["客户", "甲", "A", 0.8], ["客户", "乙", "A", 0.9]],
                  [Column("群体", "text"), Column("构念", "text"), Column("模式", "text"), Column("α", "bounded")])
    grid, extra = table_grid(table, NumberStyle("gb"), "zh")
    assert extra == ["客户"] and grid.headers == ["构念", "模式", "α"] and grid.title == "T（客户）"


def test_text_keeps_eight_characters_and_a_header_four_on_a_line():
    """A path label of eight characters stays on one line beside many numbers; a long item label
    wraps to no more than about three lines; a four-character numeric header does not wrap."""
    from analysis.report.docx import CELL_PAD_PT, text_width

    style = NumberStyle("gb")
    label, long_label = "客户识别→满意度", "D公司能够及时告知订单和物流进度并主动征求意见和建议"
    table = _tidy([[label, *[0.123456] * 9], [long_label, *[0.5] * 9]],
                  [Column("路径", "text"), *[Column(f"统计量{k}", "num3") for k in range(9)]])
    landscape, size, widths = word.grid_layout(table_grid(table, style, "zh")[0])
    assert widths[0] - CELL_PAD_PT >= text_width(label, size) - 0.01
    assert widths[0] - CELL_PAD_PT >= text_width(long_label, size) / 2.5 - 0.01
    assert all(w - CELL_PAD_PT >= text_width("统计量0", size) - 0.01 for w in widths[1:])


def test_control_characters_in_names_are_left_out(results):
    """A name holding control characters (XML 1.0 refuses them) gives a document, not an error."""
    bad = copy.deepcopy({k: results[k] for k in ("version", "study", "reliability")})
    bad["study"]["title"] = "调查\x00\x07\x1b标题"
    bad["study"]["names"]["identify"] = {"zh": "客户\x0b识别", "en": "Iden\x01tify"}
    doc = Document(io.BytesIO(word_report(bad, "zh")))
    text = " ".join(_text(p) for p in doc.paragraphs)
    cells = " ".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "调查标题" in text and "客户识别" in cells


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_omnibus_table_shows_the_kruskal_wallis_test_its_title_names(documents, lang):
    """The table is titled "ANOVA and Kruskal-Wallis tests" and its note names ε²: the
    Kruskal-Wallis p and ε² are columns of the Word table, not only of the workbook."""
    title = t("rep_omnibus", lang)
    tables = [item for kind, item in _body(documents[lang]) if kind == "t"
              and t("rep_welch_p", lang) in [cell.text for cell in item.rows[0].cells]]
    assert tables, title
    header = [cell.text for cell in tables[0].rows[0].cells]
    assert t("rep_kw_p", lang) in header and t("rep_epsilon2", lang) in header


def _former_text(paragraph, content, style, size, bold=None, east_asia=word.SONG, stats=True):
    """The former _add_text: a python-docx run per piece, its properties set by _fonts."""
    rich = content if isinstance(content, word.Rich) else word.Rich.of(content)
    for text, italic, plain in rich.pieces:
        parts = [(text, italic)] if plain or not stats or italic else word.stat_runs(text, style)
        for part, slanted in parts:
            word._fonts(paragraph.add_run(word.xml_text(part)), size, bold, slanted or None, east_asia)


def test_faster_paragraphs_runs_and_pictures_equal_python_docx_s_own():
    """The Word report's faster paths against the python-docx calls they replace, compared as
    document XML: styled paragraphs (the style id looked up once), runs written as XML (tabs,
    line breaks, spaces at either end, markup characters, statistic symbols), pictures with
    their ids counted on instead of searched for."""
    style = NumberStyle("apa")
    texts = ["", " lead", "trail ", "a\tb\nc\rd", "<&>\"'", "t(283) = −13.50, p < .001, d = 0.8",
             "χ² = 3.2, α = .91, ω", "客户满意度（CSI）", word.Rich([("名称 p", False, True), (" p", True, False)])]
    png = _tiny_png()
    documents = []
    for faster in (False, True):
        doc = word._document("en")
        for name in ("Title", "Heading 1", "Heading 2", "Caption"):
            paragraph = word._styled_paragraph(doc, name) if faster else doc.add_paragraph(style=name)
            for size, bold, east_asia in ((12, None, word.SONG), (9, True, word.HEI)):
                for text in texts:
                    (word._add_text if faster else _former_text)(paragraph, text, style, size, bold,
                                                                  east_asia)
        first = doc.part.next_id
        for k in range(3):
            run = doc.add_paragraph().add_run()
            if faster:
                word.add_picture(run, png, word.FIGURE_WIDTH, first + k)
            else:
                run.add_picture(io.BytesIO(png), width=word.FIGURE_WIDTH)
        buffer = io.BytesIO()
        doc.save(buffer)
        documents.append(zipfile.ZipFile(buffer).read("word/document.xml"))
    assert documents[0] == documents[1]
    assert documents[0].count(b"<w:r>") > 100 and documents[0].count(b"<pic:pic") == 3


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x80\x40")) + chunk(b"IEND", b""))


def test_text_width_cache_equals_the_former_definition():
    """text_width is cached: the same widths as summing the characters each time."""
    for text in ("", "Games-Howell", "客户满意度 (CSI)", "−0.94", "✔ ≥ .70", "mw%@ il"):
        for size in (9, 10.5):
            assert word.text_width(text, size) == sum(word._char_width(ch, size) for ch in text)


def _former_number_parts(grid, j, size):
    """The former word._number_parts: every cell split at its decimal point by re.search."""
    def split(text):
        match = re.search(r"\.(?=\d)", text)
        return (text[: match.start()], text[match.start():]) if match else (text, "")

    texts = [row[j] + grid.marks[i][j][0] for i, row in enumerate(grid.cells)
             if word._DIGIT.search(row[j])]
    return (max((word.text_width(split(x)[0], size) for x in texts), default=0),
            max((word.text_width(split(x)[1], size) for x in texts), default=0))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_column_texts_split_once_give_the_former_layout(results, lang):
    """_Grid.column_texts (each column's cells split at the decimal point once) gives the former
    widest parts and cells without a digit for every numeric column of every table of the
    sample, at both table sizes; a cell with a mark carrying a digit and a dash included."""
    style = number_style(results, lang)
    grids = [table_grid(table, style, lang)[0]
             for section in build_sections(results, lang) for table in section.tables]
    grids.append(word._Grid("", ["a"], [["1.5"], ["–"], ["12"], [""]], [True],
                            [[("*", True)], [("2", True)], [("", False)], [("", False)]],
                            [[False]] * 4, [[False]] * 4))
    for grid in grids:
        for j, numeric in enumerate(grid.numeric):
            if not numeric:
                continue
            others = [row[j] + grid.marks[i][j][0] for i, row in enumerate(grid.cells)
                      if not word._DIGIT.search(row[j] + grid.marks[i][j][0])]
            assert grid.column_texts(j)[2] == others
            for size in (word.TABLE_PT, word.SMALL_TABLE_PT):
                assert word._number_parts(grid, j, size) == _former_number_parts(grid, j, size)
