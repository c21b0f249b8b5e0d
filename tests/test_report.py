"""Reports: APA strings (hand-checked against the APA Publication Manual, 7th ed., 6.36-6.46),
the tidy report tables, the Excel workbook and the HTML page.

The reports only format numbers of results.json (tests/fixtures/report_results.json, written by
tests/fixtures/make_report_results.py from the sample study); nothing is recomputed, so the
expected strings below are the fixture's numbers rounded by hand.
"""
import copy
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis.i18n import t
from analysis.report import excel_report, html_report
from analysis.report import apa
from analysis.report.excel import NUMBER_FORMATS
from analysis.report.tables import KINDS, build_sections, format_value, is_faint

FIXTURE = Path(__file__).parent / "fixtures" / "report_results.json"
M = apa.MINUS
HOSTILE = {
    "formula": '=HYPERLINK("http://evil.example","click")',
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(1,2)",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
    "script": "<script>alert('x')</script>",
}


@pytest.fixture(scope="module")
def results():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def hostile(results):
    """The fixture with formula and script payloads as study title, group, dimension and item
    names, and as a segment level (respondent data)."""
    bad = copy.deepcopy(results)
    bad["study"]["title"] = HOSTILE["script"] + HOSTILE["formula"]
    names = bad["study"]["names"]
    names["customers"] = {"zh": HOSTILE["formula"], "en": HOSTILE["formula"]}
    names["identify"] = {"zh": HOSTILE["script"], "en": HOSTILE["script"]}
    names["ID1"] = {"zh": HOSTILE["at"], "en": HOSTILE["at"]}
    levels = bad["comparisons"]["customers"]["region"]["identify"]["levels"]
    for level, payload in zip(levels, ["plus", "minus", "tab", "cr", "at"]):
        level["level"] = HOSTILE[payload]
    return bad


# ------------------------------------------------------------------ APA strings

def test_apa_welch_t_as_in_the_brief():
    assert apa.welch_t(2.41, 56.3, 0.019, 0.45) == "t(56.3) = 2.41, p = .019, g = 0.45"


def test_apa_negative_values_use_a_minus_sign_and_small_p():
    # gaps row "identify" of the fixture: t = -6.467, df = 61.095, p_adj = 7.5e-8, g = -0.888
    assert apa.welch_t(-6.467039193601641, 61.094835477347516, 7.528322973714555e-08,
                       -0.8884897287033723) == f"t(61.1) = {M}6.47, p < .001, g = {M}0.89"


@pytest.mark.parametrize("p, text", [
    (0.0004, "p < .001"), (0.001, "p = .001"), (0.0194, "p = .019"), (0.05, "p = .050"),
    (0.5, "p = .500"), (0.9994, "p = .999"), (0.9996, "p > .999"), (1.0, "p > .999"), (None, None),
    (float("nan"), None),
])
def test_apa_p_values(p, text):
    assert apa.p_value(p) == text


@pytest.mark.parametrize("value, text", [
    (0.45, ".45"), (-0.12, f"{M}.12"), (0.998, "1.00"), (0.004, ".00"), (-0.004, ".00"), (1.0, "1.00"),
])
def test_apa_bounded_statistics_have_no_leading_zero(value, text):
    assert apa.bounded(value) == text


def test_apa_degrees_of_freedom():
    assert apa.df_value(297.0) == "297"
    assert apa.df_value(129.46974849051406) == "129.5"
    assert apa.df_value(None) is None


def test_apa_anova_welch_kruskal():
    # comparisons customers/region/identify of the fixture
    assert apa.anova(0.3979162204813681, 4, 296, 0.8100942014876734, 0.0053484860960638534) == \
        "F(4, 296) = 0.40, p = .810, η² = .01"
    assert apa.welch_anova(0.4143901682496158, 4, 129.46974849051406, 0.7980246719324691) == \
        "F(4, 129.5) = 0.41, p = .798"
    assert apa.kruskal(1.9753852752598333, 4, 0.7402863929271208, 0.006584617584199444) == \
        "H(4) = 1.98, p = .740, ε² = .01"


def test_apa_chi2_regression_z_paired():
    assert apa.chi2(2225.359868711415, 136, 0.0) == "χ²(136) = 2225.36, p < .001"
    assert apa.regression(0.5643907916842047, 76.4424995470433, 5.0, 295.0, 3.4e-51) == \
        "R² = .56, F(5, 295) = 76.44, p < .001"
    assert apa.z_test(-1.6725147442860644, 0.0944228628928111) == f"z = {M}1.67, p = .094"
    assert apa.paired_t(-12.778609719303853, 289.0, 2.4e-29, [-1.0664769071132518, -0.7817989549557137]) == \
        f"t(289) = {M}12.78, p < .001, 95% CI [{M}1.07, {M}0.78]"
    assert apa.mann_whitney(3165.5, 5.57e-07) == "U = 3165.50, p < .001"


def test_apa_cfa_fit():
    fit = {"chi2": 113.1343458448196, "df": 109, "p": 0.37388520919934876, "cfi": 0.9980736670258157,
           "tli": 0.9975965019771645, "rmsea": 0.01122553129255512, "rmsea_ci": [0.0, 0.032001702227012374],
           "srmr": 0.030867105460899446}
    assert apa.cfa_fit(fit) == ("χ²(109) = 113.13, p = .374, CFI = 1.00, TLI = 1.00, RMSEA = .01, "
                                "90% CI [.00, .03], SRMR = .03")
    assert apa.cfa_fit({"chi2": None, "df": None}) is None


def test_apa_missing_numbers_give_none():
    assert apa.welch_t(None, 10, 0.5) is None
    assert apa.anova(1.0, 2, None, 0.3) is None
    assert apa.num(-0.001) == "0.00"


# ------------------------------------------------------------------ tables

def test_every_analysis_has_a_section_with_n_and_method(results):
    sections = build_sections(results, "en")
    assert [s.key for s in sections] == ["study", "weighting", "descriptives", "reliability", "validity",
                                         "indices", "gaps", "servqual", "trends", "ipa", "drivers",
                                         "comparisons", "segments", "pls", "text", "customers", "ladder"]
    for section in sections:
        for table in section.tables:
            assert table.method and table.n.startswith("n = "), table.key
            assert all(c.kind in KINDS for c in table.columns)
            for row in table.rows:
                assert len(row) == len(table.columns), table.key
                for col, value in zip(table.columns, row):
                    if col.kind in ("int", "num", "num3", "p", "pct") and value is not None:
                        assert isinstance(value, (int, float)), (table.key, col.label, value)
                    if col.kind in ("bounded", "bounded3") and isinstance(value, float):
                        assert abs(value) <= 1, (table.key, col.label, value)


def test_tables_copy_numbers_unrounded(results):
    tables = {t.key: t for s in build_sections(results, "en") for t in s.tables}
    first = tables["gaps"].rows[0]
    row = results["gaps"]["customers|employees"][0]
    assert first[6] == row["diff"] and first[10] == row["p_adj"]
    assert tables["reliability"].rows[0][4] == results["reliability"]["customers"]["identify"]["alpha"]


def test_findings_name_the_overrated_dimensions(results):
    gaps = next(s for s in build_sections(results, "zh") if s.key == "gaps")
    overrated = [r["name"] for r in results["gaps"]["customers|employees"]
                 if r["level"] == "dimension" and r["flag"]]
    assert overrated  # the sample study has some
    names = [results["study"]["names"][d]["zh"] for d in overrated]
    flagged = [f for f in gaps.findings if "自评偏高" in f]
    assert len(flagged) == len(overrated)
    assert all(any(n in f for f in flagged) for n in names)
    # gaps row "identify" of the fixture (customers weighted): z = -8.612, p_adj = 3.6e-17,
    # 95% CI of the difference [-1.124, -0.707]
    assert f"z = {M}8.61, p < .001, 95% CI [{M}1.12, {M}0.71]" in flagged[0]


def test_kano_section(results):
    with_kano = copy.deepcopy(results)
    with_kano["kano"] = {"customers": {"F1": {
        "n": 40, "counts": {"A": 10, "O": 5, "M": 20, "I": 5, "R": 0, "Q": 0},
        "shares": {"A": 0.25, "O": 0.125, "M": 0.5, "I": 0.125, "R": 0.0, "Q": 0.0}, "category": "M",
        "label_zh": "必备属性", "label_en": "must-be", "tied": [], "better": 0.375, "worse": -0.625}}}
    kano = next(s for s in build_sections(with_kano, "zh") if s.key == "kano")
    assert kano.tables[0].rows == [["客户", "F1", 40, "必备属性", 0.25, 0.125, 0.5, 0.125, 0.0, 0.0,
                                    0.375, -0.625]]


def test_format_value():
    assert [format_value(0.019, "p"), format_value(1e-5, "p"), format_value(0.1628, "pct"),
            format_value(-0.66311, "num"), format_value(None, "num"), format_value(True, "flag", "en")] == \
        [".019", "<.001", "16.3%", f"{M}0.66", "–", "yes"]


def test_report_labels_have_both_languages():
    import yaml

    from analysis.i18n import table

    path = Path(__file__).parents[1] / "analysis" / "locale" / "report.yaml"
    labels = table()  # report.yaml and the files of later report features (descriptives.yaml...)
    assert all(set(v) == {"zh", "en"} and v["zh"] and v["en"]
               for v in yaml.safe_load(path.read_text(encoding="utf-8")).values())
    source = "".join(p.read_text(encoding="utf-8") for p in (path.parents[1] / "report").glob("*.py"))
    used = set(re.findall(r'(?:\bt|\.t|\.col)\(\s*"((?:rep|find|method)_[a-z0-9_]+)"', source))
    assert len(used) > 100
    assert {k for k in used if not k.endswith("_")} <= set(labels)


# ------------------------------------------------------------------ Excel

def _workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def _text(value):
    """A cell's text as Excel (and calamine) read it: ``_x000D_`` is the escape of a character
    XML cannot hold as it is (ECMA-376 part 1, 22.9.2.19), which openpyxl leaves as written."""
    if not isinstance(value, str):
        return value
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def test_excel_numbers_are_numbers_with_formats(results):
    wb = _workbook(excel_report(results, "zh"))
    assert wb.sheetnames[0] == t("rep_summary", "zh")
    ws = wb[t("rep_reliability", "zh")]
    assert ws.freeze_panes == "A5"
    assert ws["A4"].value == t("group", "zh") and ws["A4"].font.b
    assert ws["A5"].value == "客户"
    alpha = ws["E5"]
    assert alpha.data_type == "n" and alpha.number_format == NUMBER_FORMATS["num3"]
    assert alpha.value == results["reliability"]["customers"]["identify"]["alpha"]
    assert ws["D5"].value == results["reliability"]["customers"]["identify"]["n"] == 292
    assert ws["D5"].number_format == "0"
    assert ws.column_dimensions["B"].width > 8
    gaps = wb[next(n for n in wb.sheetnames if "差距" in n and "SERVQUAL" not in n)]
    diff = gaps["G5"]
    assert diff.data_type == "n" and diff.value < 0  # negative numbers stay numbers
    assert gaps["J5"].number_format == NUMBER_FORMATS["p"]


def test_excel_english_labels(results):
    wb = _workbook(excel_report(results, "en"))
    assert "Reliability" in wb.sheetnames and wb["Reliability"]["A5"].value == "Customers"


def test_excel_neutralises_formulas(hostile):
    content = excel_report(hostile, "en")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml and "<f " not in xml  # no formula cell anywhere
    wb = _workbook(content)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                risky = ("=", "+", "-", "@", "\t", "\r", "\n")
                if isinstance(cell.value, str) and _text(cell.value).startswith(risky):
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)
                    seen.add(_text(cell.value))
    assert {HOSTILE[k] for k in ("formula", "plus", "minus", "at", "tab", "cr")} <= seen


def _former_workbook(results: dict, lang: str) -> bytes:
    """The workbook as openpyxl wrote it before XlsxWriter (the former definition, cut to what
    it wrote: the same cells, number formats, fonts, fill, widths, panes and filters)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from analysis.report import excel
    from analysis.report.safety import looks_like_formula

    def put(ws, row, column, value, kind="text", font=None):
        cell = ws.cell(row=row, column=column)
        if font is not None:
            cell.font = font
        if value is None:
            return cell
        if kind == "flag" or isinstance(value, bool):
            value = t("rep_yes" if value else "rep_no", lang)
        if isinstance(value, (int, float)) and kind in NUMBER_FORMATS:
            cell.value = float(value) if isinstance(value, excel.Marked) else value
            mark = getattr(value, "mark", "")
            cell.number_format = NUMBER_FORMATS[kind] + (f'"{mark}"' if mark else "")
            if getattr(value, "bold", False):
                cell.font = Font(bold=True)
            return cell
        cell.value = excel._XML_ILLEGAL.sub(excel._escaped, str(value))
        cell.data_type = "s"
        cell.quotePrefix = looks_like_formula(cell.value)
        return cell

    sections = build_sections(results, lang)
    wb = Workbook()
    ws = wb.active
    ws.title = t("rep_summary", lang)
    study = results["study"]
    put(ws, 1, 1, f"{study.get('title') or ''} — {t('rep_title', lang)}", font=Font(bold=True, size=14))
    scale = study.get("scale") or {}
    facts = [(t("rep_current_wave", lang), study.get("wave")),
             (t("rep_scale", lang), f"{scale.get('min')}–{scale.get('max')}" if scale else None),
             (t("rep_fingerprint", lang), study.get("fingerprint"))]
    for row, (label, value) in enumerate(facts, start=3):
        put(ws, row, 1, label, font=Font(bold=True))
        put(ws, row, 2, value)
    row = 7
    put(ws, row, 1, t("rep_findings", lang), font=Font(bold=True, size=13))
    for section in (s for s in sections if s.findings):
        row += 1
        put(ws, row, 1, section.title, font=Font(bold=True))
        for finding in section.findings:
            row += 1
            put(ws, row, 2, finding)
    put(ws, row + 2, 1, t("rep_generated", lang), font=Font(italic=True, color="666666"))
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 30, 120
    used = {ws.title.lower()}
    for table in (table for section in sections for table in section.tables):
        ws = wb.create_sheet(excel._sheet_name(table.title, used))
        put(ws, 1, 1, table.title, font=Font(bold=True, size=13))
        put(ws, 2, 1, f"{t('rep_method', lang)}: {table.method}", font=Font(italic=True))
        put(ws, 3, 1, table.n)
        for j, col in enumerate(table.columns, start=1):
            cell = put(ws, excel.HEADER_ROW, j, col.label, font=Font(bold=True))
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, values in enumerate(table.rows, start=excel.HEADER_ROW + 1):
            for j, (col, value) in enumerate(zip(table.columns, values), start=1):
                put(ws, i, j, value, col.kind,  # small loadings grey: added since, as in Word
                    font=Font(color="999999") if is_faint(value, col.kind) else None)
        for j, width in enumerate(excel._column_widths(table), start=1):
            ws.column_dimensions[get_column_letter(j)].width = width
        ws.freeze_panes = ws.cell(row=excel.HEADER_ROW + 1, column=1)
        ws.auto_filter.ref = (f"A{excel.HEADER_ROW}:{get_column_letter(len(table.columns))}"
                              f"{excel.HEADER_ROW + len(table.rows)}")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _workbook_content(content: bytes) -> dict:
    """Every sheet's cells (value, type, number format, font, fill, alignment, quote prefix),
    column widths, frozen panes and filter, as Excel reads them (a font's missing size is the
    workbook's 11 pt; colours without their alpha byte; text with its escapes read, _text)."""
    def rgb(color):
        return color.rgb[-6:] if color is not None and color.type == "rgb" else None

    sheets = {}
    for ws in _workbook(content).worksheets:
        widths = {column: dimension.width for dimension in ws.column_dimensions.values()
                  if dimension.customWidth for column in range(dimension.min, dimension.max + 1)}
        cells = {cell.coordinate: (
            _text(cell.value), cell.data_type, cell.number_format, bool(cell.font.b), bool(cell.font.i),
            cell.font.sz or 11, rgb(cell.font.color), cell.fill.fill_type,
            rgb(cell.fill.fgColor) if cell.fill.fill_type else None,
            bool(cell.alignment.wrap_text), cell.alignment.vertical, bool(cell.quotePrefix))
            for row in ws.iter_rows() for cell in row if cell.value is not None or cell.has_style}
        sheets[ws.title] = (cells, widths, ws.freeze_panes, ws.auto_filter.ref)
    return sheets


def _without_table_notes(sheets: dict) -> dict:
    """Workbook content (:func:`_workbook_content`) without the cells under each table's last
    row: the table notes, written there since 2026-12-01, after the former openpyxl writer."""
    def last_row(ref):
        return int(re.sub(r"\D", "", ref.split(":")[1])) if ref else None

    def row(coordinate):
        return int(re.sub(r"\D", "", coordinate))

    return {title: ({k: v for k, v in cells.items() if last_row(ref) is None or row(k) <= last_row(ref)},
                    widths, panes, ref)
            for title, (cells, widths, panes, ref) in sheets.items()}


@pytest.mark.parametrize("name, lang", [("results", "zh"), ("results", "en"), ("hostile", "en")])
def test_excel_workbook_equals_the_former_openpyxl_one(name, lang, request):
    """XlsxWriter writes what openpyxl wrote (the former definition, _former_workbook): the
    same sheets, and in each (the table notes under it aside) the same cells with the same values, types, number formats, fonts,
    fills, alignment and quote prefixes, column widths, frozen panes and filter."""
    results = request.getfixturevalue(name)
    new, former = _without_table_notes(_workbook_content(excel_report(results, lang))), \
        _workbook_content(_former_workbook(results, lang))
    assert list(new) == list(former) and len(new) > 30
    for title in former:
        assert new[title] == former[title], title


def test_excel_sheet_names_fit_excels_limit():
    """Sheet names are cut to Excel's 31 UTF-16 units, where an emoji counts twice (XlsxWriter
    refuses longer names), and stay unique."""
    from analysis.report.excel import _sheet_name

    used: set[str] = set()
    names = [_sheet_name("😀" * 40, used) for _ in range(3)] + [_sheet_name("a" * 40, used)]
    assert [len(n.encode("utf-16-le")) // 2 for n in names] == [28, 28, 28, 28]
    assert len({n.lower() for n in names}) == 4


# ------------------------------------------------------------------ HTML

def test_html_is_self_contained_with_charts(results):
    page = html_report(results, "zh")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert not re.search(r"<script[^>]+src=", page) and not re.search(r"<link[^>]+href=", page)
    assert page.count('<div class="chart"') >= 10  # the charts
    assert page.count("plotly.js (cartesian - minified) v") == 1  # plotly's bundle: inlined once
    assert page.count('"template"') <= 1  # the charts' shared template, written once
    assert "客户识别" in page and t("rep_findings", "zh") in page
    assert len(page.encode("utf-8")) < 2_000_000  # small enough to mail
    css = page.split("@media print", 1)[1]  # long tables print whole, headers repeat
    assert ".wrap{max-height:none;overflow:visible" in css and "thead{display:table-header-group}" in css


def test_html_bundle_matches_plotly_and_draws_every_chart_type(results):
    import plotly.offline

    from analysis.report.html import PLOTLY_BUNDLE, plotly_js, section_figures

    bundled = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", plotly.offline.get_plotlyjs()[:500]).group(1)
    ours = re.search(r"plotly\.js \(cartesian - minified\) v(\d+\.\d+\.\d+)", plotly_js()[:500]).group(1)
    assert ours == bundled and bundled in PLOTLY_BUNDLE.name
    cartesian = {"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour",
                 "image", "pie", "scatter", "scatterternary", "violin"}  # assets/README.md
    used = {trace.type for key in ("reliability", "validity", "indices", "gaps", "servqual", "trends",
                                   "ipa", "drivers", "comparisons", "segments")
            for figure in section_figures(results, key, "en") for trace in figure.data}
    assert used and used <= cartesian, used - cartesian


def _page_figures(page: str) -> list:
    """The figures of an HTML report as plotly.js gets them (each with its template back)."""
    templates = json.loads(re.search(r'id="plotly-templates">(.*?)</script>', page).group(1))
    figures = []
    for text in re.findall(r'<div class="chart"[^>]*><div></div><script type="application/json">'
                           r'(.*?)</script>', page):
        spec = json.loads(text)
        if spec["t"] is not None:
            spec["figure"]["layout"]["template"] = templates[spec["t"]]
        figures.append(spec["figure"])
    return figures


@pytest.mark.parametrize("name, lang", [("results", "zh"), ("results", "en"), ("hostile", "en")])
def test_html_figures_are_the_json_of_plotlys_figures(name, lang, request):
    """The page's figures are built as plain JSON objects (analysis.charts.plain_json,
    analysis.figure_json), not as plotly's go.Figure: each holds the same JSON objects as the
    former definition, plotly's validated figure of the same chart (plotly.io.to_json), in the
    same order (only the order of keys in the text differs)."""
    import plotly.io

    from analysis.report.html import section_figures

    results = request.getfixturevalue(name)
    expected = [json.loads(plotly.io.to_json(figure)) for section in build_sections(results, lang)
                for figure in section_figures(results, section.key, lang)]
    assert len(expected) > 30 and _page_figures(html_report(results, lang)) == expected


def test_plain_json_figures_of_the_app_only_charts(results):
    """The charts the page does not draw (HTMT, CFA loadings, Kano) come out of
    analysis.figure_json as plotly's JSON too, so that any builder may be drawn either way; the
    named colour scale is plotly's; the charts' template is plotly_white cut down as before."""
    import plotly.graph_objects as go
    import plotly.io

    from analysis import charts

    results = {**results, "kano": {"customers": {  # the fixture has no Kano questions
        "F1": {"better": 0.62, "worse": -0.31, "n": 50, "category": "A", "label_en": "Attractive"},
        "F2": {"better": 0.2, "worse": -0.7, "n": 48, "category": "M", "label_en": "Must-be"}}}}
    compared = 0
    for builder in (charts.htmt_heatmap, charts.cfa_loadings_chart, charts.kano_chart):
        for group in results["study"]["groups"]:
            figure = builder(results, group, "en")
            if figure is None:
                continue
            with charts.plain_json():
                plain = builder(results, group, "en").to_plotly_json()
            assert json.loads(json.dumps(plain)) == json.loads(plotly.io.to_json(figure))
            compared += 1
    assert compared == 5
    from plotly.colors import get_colorscale

    assert charts._diverging_scale("RdBu") == [[round(at, 10), c] for at, c in get_colorscale("RdBu")]
    white = plotly.io.templates["plotly_white"]
    former = go.layout.Template(layout=white.layout,
                                data={k: white.data[k] for k in charts.TRACE_TYPES})
    assert charts._template().to_plotly_json() == former.to_plotly_json()


def test_html_escapes_all_data(hostile):
    page = html_report(hostile, "en")
    body = page.split("</head>", 1)[1]
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    # chart labels from data lose their tags (plotly would draw <a href> as a link), so the
    # charts' JSON holds the text without the tag, escaped or not
    assert "\\u003cscript" not in body and "alert('x')" in body


def test_a_perfect_rmsea_of_zero_counts_as_good_fit():
    """RMSEA = 0 (chi2 below its df) is the best fit, not a missing value."""
    from analysis.report.tables import _meets

    assert _meets(0.0, 0.06, above=False) and _meets(0.96, 0.95, above=True)
    assert not _meets(None, 0.06, above=False) and not _meets(0.07, 0.06, above=False)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_label_key_reaches_a_report_table(results, lang):
    """Every text the tables show is a translated label, never a key of the locale files (a
    weighted index's interval method "linearization" once showed as ``rep_ci_linearization``)."""
    keys = {text for section in build_sections(results, lang) for table in section.tables
            for text in [table.title, *(col.label for col in table.columns),
                         *(cell for row in table.rows for cell in row)]
            if isinstance(text, str) and re.fullmatch(r"(rep|find|method)_[a-z0-9_]+", text)}
    assert not keys


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_table_notes_are_under_the_tables_of_every_report(results, lang):
    """A table's notes (the stars' meaning, cut-offs, model fit) are printed under it in the
    workbook, the HTML page and the PDF's markup, as in the Word report (they were Word-only)."""
    from html import escape

    from analysis.report import excel
    from analysis.report.pdf import _table, find_cjk_font, report_faces
    from analysis.report.typst_markup import string

    tables = [table for section in build_sections(results, lang) for table in section.tables]
    noted = [table for table in tables if table.notes]
    assert len(noted) >= 5 and any(note == t("rep_stars_note", lang) for table in noted for note in table.notes)
    sheets = dict(zip(map(id, tables), _workbook(excel_report(results, lang)).worksheets[1:]))
    page = html_report(results, lang)
    faces = report_faces(find_cjk_font())
    for table in noted:
        ws = sheets[id(table)]
        assert ws["A1"].value == table.title
        first = excel.HEADER_ROW + len(table.rows) + 2
        assert [ws.cell(row=first + k, column=1).value for k in range(len(table.notes))] == table.notes
        assert ws.cell(row=first, column=1).font.i
        html_notes = "".join(f'<p class="note">{escape(note)}</p>' for note in table.notes)
        assert html_notes in page
        markup = _table(table, lang, faces)
        assert markup.index("#report-table(") < markup.index("#table-notes(")
        assert all(string(note) in markup.split("#table-notes(", 1)[1] for note in table.notes)
    assert all("#table-notes(" not in _table(table, lang, faces) for table in tables if not table.notes)


def test_small_loadings_are_grey_in_every_report(results):
    """Factor loadings below .40 in absolute value are grey in the workbook, the HTML page and
    the PDF's markup (as in the Word report and as the table's note says); the others are not."""
    from analysis.report import excel
    from analysis.report.pdf import _table, find_cjk_font, report_faces
    from analysis.report.typst_markup import string

    tables = [table for section in build_sections(results, "en") for table in section.tables]
    [efa] = [table for table in tables if table.key == "efa"]
    loadings = [(i, j, value) for i, row in enumerate(efa.rows)
                for j, (col, value) in enumerate(zip(efa.columns, row)) if col.kind == "loading"
                and isinstance(value, float)]
    faint = [(i, j) for i, j, value in loadings if abs(value) < 0.40]
    assert 0 < len(faint) < len(loadings)
    assert {(i, j) for i, j, value in loadings if is_faint(value, "loading")} == set(faint)
    ws = dict(zip(map(id, tables), _workbook(excel_report(results, "en")).worksheets[1:]))[id(efa)]
    for i, j, _ in loadings:
        color = ws.cell(row=excel.HEADER_ROW + 1 + i, column=j + 1).font.color
        grey = color is not None and color.type == "rgb" and color.rgb[-6:] == "999999"
        assert grey == ((i, j) in faint)
    page = html_report(results, "en")
    assert page.count('<td class="num faint">') == len(faint)
    markup = _table(efa, "en", report_faces(find_cjk_font()))
    assert markup.count("faint(") == len(faint)
    assert all(f"faint({string(format_value(efa.rows[i][j], 'loading', 'en'))})" in markup
               for i, j in faint)
