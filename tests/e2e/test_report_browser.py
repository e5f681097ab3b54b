"""report.html renders in headless Chromium with every chart visible.

Needs Debian's chromium and chromium-driver (.ci/run installs them); skipped with
a clear message where they are absent. Set CORPUSCLEAN_SCREENSHOT=path.png to keep
the screenshot (the README's picture is made this way).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from corpusclean.pipeline import RunSummary

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
    reason="headless Chromium not installed (apt-get install chromium chromium-driver)",
)


def test_every_chart_renders_visibly(samples_build: tuple[Path, RunSummary], tmp_path: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    out, summary = samples_build
    page = out / "reports" / summary.run_id / "report.html"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1200,2400",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(page.as_uri())
        charts = driver.execute_script(
            """
            return Array.from(document.querySelectorAll('svg.chart')).map(svg => {
              const box = svg.getBoundingClientRect();
              const bars = Array.from(svg.querySelectorAll('rect.bar')).filter(r => {
                const b = r.getBoundingClientRect();
                const style = getComputedStyle(r);
                return b.width > 0 && b.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
              });
              return {id: svg.id, width: box.width, height: box.height, bars: bars.length};
            });
            """
        )
        ids = {c["id"] for c in charts}
        expected = {
            "chart-outcomes",
            "chart-source-types",
            "chart-completeness",
            "chart-words",
            "chart-languages",
            "chart-sites",
            "chart-boilerplate",
            "chart-published",
            "chart-clusters",
        }
        assert expected <= ids
        for chart in charts:
            assert chart["width"] > 100 and chart["height"] > 10, chart
            assert chart["bars"] >= 1, chart
        shot = Path(os.environ.get("CORPUSCLEAN_SCREENSHOT", tmp_path / "report.png"))
        driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        driver.quit()
