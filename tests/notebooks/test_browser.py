"""Open every reviewer page in headless Chromium with all network requests blocked: every image
must load, headings must be present, and a full-page screenshot is kept in the run folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .test_run import EXPECTED

pytestmark = [pytest.mark.notebook, pytest.mark.browser]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _require_browser() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run must apt-get install chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium to run this check)")


def test_reports_render_offline_in_chromium(run_folder):
    _require_browser()
    from playwright.sync_api import sync_playwright

    pages = [run_folder / "html" / f"{n}.html" for n in EXPECTED] + [run_folder / "index.html"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])  # fmt: skip
        try:
            for page_path in pages:
                page = browser.new_page()
                requested: list[str] = []

                def block(route, requested=requested):
                    url = route.request.url
                    if url.startswith(("http:", "https:")):
                        requested.append(url)
                        return route.abort()
                    return route.continue_()

                page.route("**/*", block)
                page.goto(page_path.as_uri())
                broken = page.evaluate(
                    "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
                    ".length")  # fmt: skip
                assert broken == 0, f"{broken} image(s) did not load in {page_path.name}"
                assert requested == [], f"{page_path.name} asked the network for {requested}"
                headings = page.evaluate(
                    "Array.from(document.querySelectorAll('h1,h2,h3')).map(h => h.innerText)"
                )
                if page_path.stem in EXPECTED:
                    for heading in EXPECTED[page_path.stem]:
                        assert heading in headings
                shots = run_folder / "screenshots"
                shots.mkdir(exist_ok=True)
                page.screenshot(path=str(shots / f"{page_path.stem}.png"), full_page=True)
                assert (shots / f"{page_path.stem}.png").stat().st_size > 10_000
                page.close()
        finally:
            browser.close()
