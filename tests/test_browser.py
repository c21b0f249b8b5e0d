"""End to end in a real browser: ``streamlit run app.py`` on a free local port, driven by headless
Chromium through Playwright. Uploads three hostile files of the corpus (tests/corpus), then the
sample study's files, switches the language, opens every page, checks key texts, that the page
asks no host but the app's own, and saves a screenshot of each page to tests/screenshots/
(gitignored).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: (URL path, zh title, en title, an English text the page must show)
PAGES = [
    ("study", "1 研究与数据", "1 Study & data", "Upload files"),
    ("quality", "2 数据质量", "2 Data quality", "Exclusion rules"),
    ("reliability", "3 信度与效度", "3 Reliability & validity", "Reliability by dimension"),
    ("satisfaction", "4 满意度与忠诚度", "4 Satisfaction & loyalty", "Dimension scores"),
    ("gaps", "5 差距分析", "5 Gaps", "Customers vs Employees"),
    ("priorities", "6 改进优先级", "6 Priorities", "Importance-performance analysis"),
    ("structural", "结构模型", "Structural model", "Arrows carry the standardised path coefficients"),
    ("segments", "7 客户细分", "7 Segments", "ABC classification"),
    ("comments", "开放题", "Comments", "Words of detractors and promoters"),
    ("report", "8 报告下载", "8 Report", "Download results.json"),
    ("store", "9 研究库", "9 Study store", "Save the current study"),
    ("dashboard", "管理者看板", "Manager dashboard", "Where the company overrates itself"),
    ("customers", "客户名单", "Customer list", "Download the list (Excel)"),
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed "
                       "(Debian package 'chromium'); the end-to-end browser test needs it"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1",
             "SURVEY_STORE": str(tmp_path_factory.mktemp("store") / "store.duckdb")})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not start: "
                                       + process.stderr.read().decode(errors="replace")[-2000:])
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _settle(page, timeout: float = 60.0) -> None:
    """Wait until the app has finished running: no "Running..." indicator twice in a row."""
    deadline, quiet = time.monotonic() + timeout, 0
    while quiet < 2:
        page.wait_for_timeout(400)
        running = page.get_by_role("img", name="Running...").count() + page.get_by_role(
            "button", name="Stop").count() + page.locator(
            '[data-testid="stStatusWidget"], [data-testid="stSpinner"]').count()
        quiet = 0 if running else quiet + 1
        if time.monotonic() > deadline:
            raise AssertionError("the app was still running after %.0f s" % timeout)
    page.wait_for_timeout(500)


def _open(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    _settle(page)


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def test_app_end_to_end(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 3200})
            page.set_default_timeout(60_000)
            hosts = set()  # every host the page asks for anything: only the app's own
            page.on("request", lambda request: hosts.add(urllib.parse.urlsplit(request.url).hostname))
            page.goto(server)
            _settle(page, 180)  # the first visit computes the whole study (slow on a busy machine)
            expect(page.get_by_role("heading", name="管理者看板")).to_be_visible()
            expect(page.get_by_text("客户满意度指数 (CSI)").first).to_be_visible()
            _no_exception(page)
            page.screenshot(path=SHOTS / "00_dashboard_zh.png")

            # upload a 问卷星 export alone: the column mapping is guessed from its matrix headers
            _open(page, "1 研究与数据")
            uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
            uploader.set_input_files([str(SAMPLE / "customers_2019.xlsx")])
            _settle(page)
            expect(page.get_by_text("列与题项、维度的对应")).to_be_visible()
            expect(page.get_by_text("生成的 study.yaml")).to_be_visible()
            _no_exception(page)
            page.screenshot(path=SHOTS / "01_study_mapping_zh.png")

            # hostile files from the corpus, one at a time: the importer's message, no traceback
            from tests.corpus.make_corpus import build

            corpus = build(tmp_path / "corpus", ["zip_bomb", "nul_bytes", "fifty_thousand_columns"])
            for case, data, text in (("zip_bomb", "customers.xlsx", "SURVEY_MAX_UNZIPPED_MB"),
                                     ("nul_bytes", "customers.csv", "二进制内容"),
                                     ("fifty_thousand_columns", "customers.csv", "50,000")):
                upload = tmp_path / f"{case}{Path(data).suffix}"
                upload.write_bytes((corpus[case].parent / data).read_bytes())
                uploader.set_input_files([str(upload)])
                _settle(page)
                expect(page.locator('[data-testid="stAlert"]').filter(has_text=upload.name)
                       .filter(has_text=text)).to_be_visible()
                _no_exception(page)
                page.get_by_role("button", name=f"Remove {upload.name}").click()
                _settle(page)

            # upload the sample study file with its four data files, and use it
            files = [SAMPLE / "study.yaml", *sorted(SAMPLE.glob("*.xlsx")), *sorted(SAMPLE.glob("*.csv"))]
            uploader.set_input_files([str(f) for f in files])
            _settle(page)
            page.get_by_role("button", name="使用此研究").click()
            _settle(page, 90)
            expect(page.get_by_text("当前研究 (上传的文件)").first).to_be_visible()
            _no_exception(page)
            page.screenshot(path=SHOTS / "02_study_uploaded_zh.png")

            # switch to English and open every page
            page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
            _settle(page, 90)
            for index, (url, _zh, en, text) in enumerate(PAGES, start=1):
                _open(page, en)
                expect(page.get_by_role("heading", name=en)).to_be_visible()
                expect(page.get_by_text(text).first).to_be_visible()
                _no_exception(page)
                if url == "report":
                    with page.expect_download() as download:
                        page.get_by_role("button", name="Download the Excel workbook").click()
                    assert download.value.suggested_filename.endswith("_report.xlsx")
                    page.get_by_role("button", name="Build the HTML report").click()
                    _settle(page)
                    with page.expect_download() as download:
                        page.get_by_role("button", name="Download the HTML report").click()
                    assert download.value.suggested_filename.endswith("_report.html")
                if url == "store":
                    page.get_by_role("button", name="Save to the store").click()
                    _settle(page)
                    expect(page.get_by_text("Saved as study 1.")).to_be_visible()
                page.screenshot(path=SHOTS / f"{index + 2:02d}_{url}_en.png")
            assert hosts <= {"127.0.0.1", None}, hosts  # no usage statistics, nothing external
        finally:
            browser.close()
