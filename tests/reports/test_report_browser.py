"""The report opened in headless Chromium: its charts render and the console stays clean.

Chromium is Debian's package (``make chromium``, a prerequisite of ``make test``); without
it this test fails rather than skips. A screenshot of the page is saved to
``test-output/report.png`` in the repository.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from madoguchi.settings import REPO_ROOT
from nlp.registry import ModelRegistry
from nlp.taxonomy import Taxonomy
from reports.collect import make_report
from reports.page import render
from storage import migrate
from storage.database import Database
from tests.reports.report_world import NOW, seed
from tests.support import free_port

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SCREENSHOT = REPO_ROOT / "test-output" / "report.png"
CHARTS = {"categories", "regions", "prefectures", "months", "acceptance", "satisfaction", "reroutes",
          "model_f1", "confusion", "corrections"}
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1100,900")


@pytest.fixture
def site(tmp_path: Path, shared_home: Path, taxonomy: Taxonomy) -> Path:
    """The seeded programme's report written to a directory (SQLite: the page is the same)."""
    database = Database.connect(f"sqlite:///{tmp_path / 'report.db'}")
    try:
        migrate.upgrade(database)
        seed(database)
        report = make_report(database, ModelRegistry(shared_home / "models"), taxonomy, min_responses=5,
                             now=NOW, with_comments=True)
    finally:
        database.dispose()
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text(render(report), "utf-8")
    return out


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    """The directory served over HTTP on 127.0.0.1 (as a reader's browser would get it)."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """Headless Debian Chromium driven through its chromedriver (nothing is downloaded)."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if shutil.which(path) is None]
    assert not missing, f"{missing} not installed: run `make chromium` (apt-get install chromium chromium-driver)"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def test_the_report_renders_its_charts_in_chromium_without_console_errors(
    served: str, browser: webdriver.Chrome
) -> None:
    browser.get(served)
    assert browser.execute_script("return document.readyState") == "complete"
    assert browser.title == "地域力連携拠点 相談窓口 利用状況レポート"
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert {chart.get_attribute("data-chart") for chart in charts} == CHARTS
    assert len(charts) == len(CHARTS)
    for chart in charts:
        size = chart.size
        assert size["width"] > 100 and size["height"] > 20, (chart.get_attribute("data-chart"), size)
        # every chart drew shapes the browser laid out (bars, cells)
        boxes = browser.execute_script(
            "return Array.from(arguments[0].querySelectorAll('rect'))"
            ".filter(r => r.getBBox().width > 0 && r.getBBox().height > 0).length", chart)
        assert boxes > 0, chart.get_attribute("data-chart")
    # the hub named <script>… is shown as text and ran nothing
    assert browser.execute_script("return document.scripts.length") == 0
    assert "pwned" not in browser.title
    assert "<script>document.title='pwned'</script>那覇拠点" in browser.find_element(By.ID, "acceptance").text
    assert "回答数が少ないため参考値" in browser.find_element(By.ID, "satisfaction").text
    errors = [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1100, min(int(height) + 100, 16000))
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 50_000
    print(f"screenshot: {SCREENSHOT}")
