"""Open every reviewer page in headless Chromium with all network requests blocked: every image
must load, headings must be present, and a full-page screenshot is kept in the run folder.
Every page passes axe-core's WCAG 2.2 A and AA rules, prints on A4, and reads on
a 768-pixel tablet, with every column of every table (issue 18)."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
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


@contextmanager
def chromium():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])  # fmt: skip
        try:
            yield browser
        finally:
            browser.close()


def test_reports_render_offline_in_chromium(run_folder):
    pages = [run_folder / "html" / f"{n}.html" for n in EXPECTED] + [run_folder / "index.html"]
    with chromium() as browser:
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


def reviewer_pages(run: Path) -> list[Path]:
    return [p for p in sorted(run.rglob("*.html")) if "analyst" not in p.relative_to(run).parts]


AXE_RULES = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
OPEN_DETAILS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"


def test_axe_finds_no_wcag_22_aa_violation_on_any_page(run_folder):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    pages = reviewer_pages(run_folder)
    assert len(pages) >= 8  # three reports, summary, about, files, dictionary, data quality
    found = {}
    with chromium() as browser:
        for path in pages:
            page = browser.new_page()
            page.goto(path.as_uri())
            page.evaluate(OPEN_DETAILS)  # what is one click away is checked too
            violations = axe.run(page, options=AXE_RULES).response["violations"]
            found[path.name] = [
                f"{v['id']} ({len(v['nodes'])}): {v['nodes'][0]['html'][:120]}" for v in violations
            ]
            page.close()
    assert found == {p.name: [] for p in pages}


# tables that do not fit: wider than the page, or a cell whose content overflows it
CUT_TABLES = """() => {
  const width = document.documentElement.clientWidth, cut = [];
  for (const t of document.querySelectorAll('table')) {
    const right = t.getBoundingClientRect().right;
    if (right > width + 1 || t.scrollWidth > t.clientWidth + 1) {
      cut.push(`${t.id}: ${right} > ${width}`);
    }
    for (const c of t.querySelectorAll('th, td')) {
      if (c.scrollWidth > c.clientWidth + 1) {
        cut.push(`${t.id}: ${c.textContent.slice(0, 40)}`);
        break;
      }
    }
  }
  return cut;
}"""
A4_CONTENT_PX = round((210 - 2 * 12) / 25.4 * 96)  # A4 less the stylesheet's 12 mm margins


def test_every_page_prints_on_a4_and_fits_a_tablet_with_every_column(run_folder, tmp_path):
    import pypdf

    with chromium() as browser:
        for path in reviewer_pages(run_folder):
            name = path.stem
            page = browser.new_page(viewport={"width": 768, "height": 1024})
            page.goto(path.as_uri())
            page.evaluate(OPEN_DETAILS)
            assert page.evaluate(CUT_TABLES) == [], f"{name} at 768 px"
            page.emulate_media(media="print")
            page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1000})
            assert page.evaluate(CUT_TABLES) == [], f"{name} printed"
            last_headers = page.evaluate(
                "Array.from(document.querySelectorAll('table thead tr'))"
                ".map(r => r.lastElementChild.innerText)"
            )
            pdf = tmp_path / f"{name}.pdf"
            page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
            page.close()
            reader = pypdf.PdfReader(pdf)
            sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
                     for p in reader.pages}  # fmt: skip
            assert sizes <= {(595, 842), (596, 843)}, sizes  # A4 portrait, in points
            text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
            assert "file:" not in text and str(run_folder) not in text
            for header in {h for h in last_headers if h}:  # each table's last column printed
                assert " ".join(header.split()) in text, (name, header)
