"""Reviewer outputs hold aggregates only; small numbers are suppressed when published; a failing
notebook fails the run without leaving a finished-looking folder; text from the inputs (the
authority's name, area names in benchmarks.csv, file and folder names) is inert in every HTML,
CSV and XLSX output: no markup runs, no cell becomes a formula."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from sefanalysis.checks.safety import check_run_safety
from sefanalysis.cli import main

from ..conftest import write_dataset

pytestmark = pytest.mark.notebook
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PLANTED_IDS = [f"PLANTED{i:03d}ZQ" for i in range(12)]
PLANTED_DOB = "17/05/2013"  # every planted child shares this date of birth


# hostile text: markup, an attribute break-out, and spreadsheet formulas (=, +, -, @)
CORPUS = ['<script>alert("sef")</script>', '"><img src=x onerror=alert(1)>',
          '=HYPERLINK("http://evil.example/","click")', "+cmd|' /C calc'!A0", "-1+1",
          "@SUM(1+1)"]  # fmt: skip
HOSTILE_NAME = '=HYPERLINK("http://evil.example/","Testshire")<script>alert("sef")</script>'
HOSTILE_FOLDER = "data =1+1 <b onmouseover=alert(1)>"  # a folder name (no "/")
HOSTILE_FILE = '"><img src=x onerror=alert(1)>.csv'


def _small_authority(root: Path) -> Path:
    """Twelve planted children, one on a plan, in an authority whose name, neighbours' names,
    folder and a stray file's name are hostile text."""
    refs = [{"child_id": cid, "referral_date": f"2024-{1 + i % 12:02d}-15", "dob": PLANTED_DOB,
             "gender": "Female", "ethnicity": "WBRI", "referral_nfa": "No", "n_referrals_12m": 0,
             "worker": "Planted Workername"} for i, cid in enumerate(PLANTED_IDS)]  # fmt: skip
    # a plan that ended in 2023 too: a list with no date in a quarter's window leaves that
    # quarter missing (not 0), and a chart of suppressed points only is not drawn
    cp = [{"child_id": PLANTED_IDS[0], "cpp_start": "2024-03-01", "dob": PLANTED_DOB,
           "n_previous_cpp": 0, "last_visit": "2024-12-20"},
          {"child_id": PLANTED_IDS[1], "cpp_start": "2023-01-10", "cpp_end": "2023-12-20",
           "dob": PLANTED_DOB, "n_previous_cpp": 0}]  # fmt: skip
    areas = [(f"E9900010{i}", name) for i, name in enumerate(CORPUS)]
    indicators, periods = ("re_referral_pct", "referral_rate_per_10k"), ("2023-12-31", "2024-12-31")
    benchmarks = pd.DataFrame(
        [{"indicator_id": ind, "time_period": period, "area_code": code, "area_name": name,
          "area_type": "la", "value": 20.0 + i} for ind in indicators for period in periods
         for i, (code, name) in enumerate(areas)]
        + [{"indicator_id": ind, "time_period": period, "area_code": "E92000001",
            "area_name": "England", "area_type": "england", "value": 22.0}
           for ind in indicators for period in periods])  # fmt: skip
    neighbours = pd.DataFrame([{"area_code": code, "area_name": name, "rank": i + 1}
                               for i, (code, name) in enumerate(areas)])  # fmt: skip
    folder = write_dataset(root / HOSTILE_FOLDER, {"referrals": refs, "cp": cp},
                           annex_a_start="2023-01-01",
                           tables={"benchmarks": benchmarks,
                                   "statistical_neighbours": neighbours})  # fmt: skip
    text = (folder / "authority.yaml").read_text().replace("Testshire", HOSTILE_NAME)
    (folder / "authority.yaml").write_text(text)
    (folder / HOSTILE_FILE).write_text("not,an,input\n")
    return folder


def _reviewer_files(run: Path) -> list[Path]:
    return [p for p in run.rglob("*") if p.is_file() and "analyst" not in p.parts
            and p.suffix in {".html", ".csv", ".svg", ".json", ".xlsx"}]  # fmt: skip


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("privacy")
    data = _small_authority(root / "data")
    assert main(["run", "--period-end", "2024-12-31", "--data", str(data), "--out",
                 str(root / "out"), "--notebooks", str(NOTEBOOKS),
                 "--charts", "all"]) == 0  # every chart: hostile names in each  # fmt: skip
    return root / "out" / "2024-12-31"


def test_no_child_identifier_dob_or_worker_in_reviewer_outputs(small_run):
    files = [f for f in _reviewer_files(small_run) if f.name != "manifest.json"]
    assert files
    dob_forms = [PLANTED_DOB, "2013-05-17", "17 May 2013"]
    for file in files:
        text = file.read_text(encoding="utf-8", errors="ignore")
        for secret in PLANTED_IDS + dob_forms + ["Planted Workername"]:
            assert secret not in text, f"{secret} found in {file}"


def test_published_tables_hold_no_count_from_1_to_5(small_run):
    # one child protection plan: the count (1) must never be readable in any exported table
    for table in (small_run / "tables").glob("*.csv"):
        text = table.read_text()
        for cell in re.split(r"[,\n]", text):
            cell = cell.strip().strip('"')
            assert not re.fullmatch(r"[1-5]", cell), f"{cell!r} in {table.name}"
    cpp = (small_run / "tables" / "cpp_count.csv").read_text()
    assert "[c]" in cpp
    chart = small_run / "charts" / "cpp_count.csv"  # no trend is drawn from fewer than 2 points
    chart_data = chart.read_text() if chart.exists() else ""
    assert not re.search(r",1\.0,|,1,", chart_data)
    manifest = json.loads((small_run / "manifest.json").read_text())
    assert manifest["parameters"]["mode"] == "published"


def test_a_failing_notebook_fails_the_run(tmp_path, capsys):
    data = _small_authority(tmp_path / "data")
    books = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, books)
    nb = nbformat.read(books / "03_leadership.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('report.show_indicator("no_such_indicator")'))
    nbformat.write(nb, books / "03_leadership.ipynb")
    status = main(["run", "--period-end", "2024-12-31", "--data", str(data), "--out",
                   str(tmp_path / "out"), "--notebooks", str(books)])  # fmt: skip
    err = capsys.readouterr().err
    assert status == 1
    assert "Impact of leaders" in err and "KeyError" in err and "cell" in err
    assert not (tmp_path / "out" / "2024-12-31").exists()
    failed = tmp_path / "out" / "2024-12-31.failed"
    manifest = json.loads((failed / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    statuses = {n["name"]: n["status"] for n in manifest["notebooks"]}
    assert statuses == {
        "01_help_and_protection": "ok",
        "02_children_in_care_and_care_leavers": "ok",
        "03_leadership": "failed",
    }
    assert "FAILED" in (failed / "index.html").read_text()


def test_same_inputs_give_identical_tables(small_run, tmp_path):
    data = _small_authority(tmp_path / "data")
    assert main(["run", "--period-end", "2024-12-31", "--data", str(data), "--out",
                 str(tmp_path / "out"), "--notebooks", str(NOTEBOOKS),
                 "--charts", "all"]) == 0  # as small_run  # fmt: skip
    again = tmp_path / "out" / "2024-12-31"
    for folder in ("tables", "charts"):
        for first in (small_run / folder).glob("*.csv"):
            assert first.read_bytes() == (again / folder / first.name).read_bytes(), first.name


def test_hostile_text_is_inert_in_every_output(small_run):
    """Every page, CSV and workbook of the run (and its analyst folder) passes the safety
    checks: no script, event handler or javascript: link; no formula cell; owner-only child-level
    files; no pickle."""
    import openpyxl

    assert check_run_safety(small_run.parent) == []
    # the hostile text did reach the outputs, shown as text
    index = (small_run / "index.html").read_text(encoding="utf-8")
    assert html.escape(HOSTILE_NAME) in index
    from bs4 import BeautifulSoup

    for page in (small_run / "html").glob("*.html"):  # escaped ("&quot;" or "&#34;"), read as text
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert HOSTILE_NAME in soup.get_text(), page.name
    cover = openpyxl.load_workbook(small_run / "tables" / "sef_tables_2024-12-31.xlsx")["Cover"]
    named = [c for row in cover.iter_rows() for c in row if HOSTILE_NAME in str(c.value)]
    assert named and all(c.data_type == "s" for c in named)
    written = "".join(p.read_text(encoding="utf-8") for p in small_run.rglob("*.csv"))
    assert "'-1+1" in written and "'@SUM(1+1)" in written  # area names, neutralised


def test_hostile_text_runs_nothing_in_a_browser(small_run):
    """Every page of the run opened in headless Chromium: no dialog opens (the corpus's alert()
    calls), no element carries an event handler."""
    from .test_browser import CHROMIUM, _require_browser

    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox",
                                                                    "--disable-gpu"])  # fmt: skip
        try:
            for path in sorted(small_run.rglob("*.html")):
                page = browser.new_page()
                dialogs: list[str] = []
                page.on("dialog", lambda d, dialogs=dialogs: (dialogs.append(d.message),
                                                              d.dismiss()))  # fmt: skip
                page.route("**/*", lambda route: route.abort()
                           if route.request.url.startswith(("http:", "https:"))
                           else route.continue_())  # fmt: skip
                page.goto(path.as_uri())
                page.wait_for_timeout(200)
                handlers = page.evaluate(
                    "Array.from(document.querySelectorAll('*')).filter(e => Array.from("
                    "e.attributes).some(a => a.name.startsWith('on'))).length")  # fmt: skip
                assert dialogs == [] and handlers == 0, path
                page.close()
        finally:
            browser.close()
