"""From a raw export to the first trustworthy table: the study wizard's journey in a real browser
(tests/test_browser.py's ``journey``) on the sample's 问卷星 export and on the 问卷星 exports under
tests/fixtures/wjx, each in a fresh session. Prints the Markdown table of docs/wizard.md: the
actions after the upload and the seconds from the upload to the reliability table.

    PYTHONPATH=. python benchmarks/bench_wizard.py [port]   (needs /usr/bin/chromium)
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.test_browser import ARGS, CHROMIUM, ROOT, _settle, journey

EXPORTS = [ROOT / "data" / "sample" / "customers_2019.xlsx",
           *(ROOT / "tests" / "fixtures" / "wjx" / name for name in
             ("text_export.xlsx", "text_export_gb18030.csv", "coded_export.xlsx", "old_format.xls"))]


def main(port: int = 8599) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "SURVEY_STORE": str(Path(os.environ.get("TMPDIR", "/tmp")) / "bench.duckdb")})
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        rows = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            for export in EXPORTS:
                page = browser.new_context(viewport={"width": 1400, "height": 3200}).new_page()
                page.set_default_timeout(180_000)
                page.goto(url)
                _settle(page, 180)
                actions, seconds = journey(page, [export], shots=None)
                rows.append((export.relative_to(ROOT).as_posix(), actions, seconds))
                page.context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print("| export | actions after the upload | seconds to the reliability table |")
    print("| --- | --- | --- |")
    for name, actions, seconds in rows:
        print(f"| `{name}` | {actions} | {seconds:.0f} |")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))
