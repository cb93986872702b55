"""Reviewer outputs hold aggregates only; small numbers are suppressed when published; a failing
notebook fails the run without leaving a finished-looking folder."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from sefanalysis.cli import main

from ..conftest import write_dataset

pytestmark = pytest.mark.notebook
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PLANTED_IDS = [f"PLANTED{i:03d}ZQ" for i in range(12)]
PLANTED_DOB = "17/05/2013"  # every planted child shares this date of birth


def _small_authority(root: Path) -> Path:
    refs = [{"child_id": cid, "referral_date": f"2024-{1 + i % 12:02d}-15", "dob": PLANTED_DOB,
             "gender": "Female", "ethnicity": "WBRI", "referral_nfa": "No", "n_referrals_12m": 0,
             "worker": "Planted Workername"} for i, cid in enumerate(PLANTED_IDS)]  # fmt: skip
    # a plan that ended in 2023 too: a list with no date in a quarter's window leaves that
    # quarter missing (not 0), and a chart of suppressed points only is not drawn
    cp = [{"child_id": PLANTED_IDS[0], "cpp_start": "2024-03-01", "dob": PLANTED_DOB,
           "n_previous_cpp": 0, "last_visit": "2024-12-20"},
          {"child_id": PLANTED_IDS[1], "cpp_start": "2023-01-10", "cpp_end": "2023-12-20",
           "dob": PLANTED_DOB, "n_previous_cpp": 0}]  # fmt: skip
    return write_dataset(root, {"referrals": refs, "cp": cp}, annex_a_start="2023-01-01")


def _reviewer_files(run: Path) -> list[Path]:
    return [p for p in run.rglob("*") if p.is_file() and "analyst" not in p.parts
            and p.suffix in {".html", ".csv", ".svg", ".json", ".xlsx"}]  # fmt: skip


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("privacy")
    data = _small_authority(root / "data")
    assert main(["run", "--period-end", "2024-12-31", "--data", str(data), "--out",
                 str(root / "out"), "--notebooks", str(NOTEBOOKS)]) == 0  # fmt: skip
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
    chart_data = (small_run / "charts" / "cpp_count.csv").read_text()
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
                 str(tmp_path / "out"), "--notebooks", str(NOTEBOOKS)]) == 0  # fmt: skip
    again = tmp_path / "out" / "2024-12-31"
    for folder in ("tables", "charts"):
        for first in (small_run / folder).glob("*.csv"):
            assert first.read_bytes() == (again / folder / first.name).read_bytes(), first.name
