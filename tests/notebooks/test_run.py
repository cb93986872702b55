"""End to end: the three notebooks run by papermill on the demonstration authority."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from sefanalysis.checks.html import check_html
from sefanalysis.cli import main
from sefanalysis.indicators.registry import REGISTRY

pytestmark = pytest.mark.notebook
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EXPECTED = {
    "01_help_and_protection": [
        "Help and protection",
        "Re-referrals within 12 months",
        "Assessments completed within 45 working days",
    ],
    "02_children_in_care_and_care_leavers": [
        "Children in care and care leavers",
        "Children in care",
        "Care leavers",
    ],
    "03_leadership": ["Impact of leaders", "Social worker vacancy rate"],
}


def test_html_reports_exist_without_code_and_with_headings(run_folder):
    for name, headings in EXPECTED.items():
        page = run_folder / "html" / f"{name}.html"
        assert page.exists()
        assert check_html(page, headings) == []


def test_every_indicator_of_each_area_is_shown(run_folder):
    text = {n: (run_folder / "html" / f"{n}.html").read_text() for n in EXPECTED}
    page = {
        "help_protection": "01_help_and_protection",
        "children_in_care": "02_children_in_care_and_care_leavers",
        "care_leavers": "02_children_in_care_and_care_leavers",
        "leadership": "03_leadership",
    }
    for ind in REGISTRY.values():
        assert f'id="ind-{ind.id}"' in text[page[ind.area]], ind.id


def test_charts_tables_manifest_and_index(run_folder):
    assert (run_folder / "charts" / "re_referral_pct.png").exists()
    assert (run_folder / "charts" / "re_referral_pct.svg").exists()
    assert (run_folder / "charts" / "re_referral_pct.csv").exists()
    assert (run_folder / "tables" / "help_protection_summary.csv").exists()
    # funnels are drawn by default where the comparison with England is a signal: here a % and
    # a rate (see test_reviewer_pages for the rule; --charts all draws every one)
    funnels = {p.stem for p in (run_folder / "charts").glob("*_funnel.png")}
    units = {REGISTRY[f.removesuffix("_funnel")].unit for f in funnels}
    assert {"pct", "rate_per_10k"} <= units
    manifest = json.loads((run_folder / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert all(nb["status"] == "ok" for nb in manifest["notebooks"])
    assert all(len(f["sha256"]) == 64 for f in manifest["inputs"])
    index = (run_folder / "index.html").read_text()
    for target in ["html/01_help_and_protection.html", "data_quality.html", "data_dictionary.html"]:
        assert target in index
    for nb in (run_folder / "analyst" / "notebooks").glob("*.ipynb"):
        assert nbformat.read(nb, as_version=4).metadata["papermill"]["exception"] is not True


def test_bad_period_end_is_one_line_exit_2_nothing_written(tmp_path, capsys, demo_dir):
    for bad in ["2024-12-30", "2024-13-31", "Q3"]:
        status = main(["run", "--period-end", bad, "--data", str(demo_dir), "--out",
                       str(tmp_path / "out")])  # fmt: skip
        err = capsys.readouterr().err.strip()
        assert status == 2 and "\n" not in err and "31 March, 30 June" in err
        assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_malformed_file_fails_before_any_notebook(tmp_path, capsys, demo_dir):
    data = tmp_path / "data"
    shutil.copytree(demo_dir, data)
    (data / "population.csv").write_text("this,is\nnot,a population file\n")
    status = main(["run", "--period-end", "2024-12-31", "--data", str(data), "--out",
                   str(tmp_path / "out"), "--notebooks", str(NOTEBOOKS)])  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert status == 2 and "no notebook was run" in err and "data_quality.html" in err
    assert not (tmp_path / "out" / "2024-12-31").exists()
    assert (tmp_path / "out" / "2024-12-31.failed" / "data_quality.html").exists()


def test_deep_dive_template_runs(demo_dir, tmp_path):
    """The template's three worked questions (re-referrals of under-5s by ethnicity over 8
    quarters; caseload by team; children with 3+ placements who went missing) run under
    papermill, loading the dataset through the rerun cache."""
    import papermill as pm

    out = tmp_path / "deep_dive.ipynb"
    cache = tmp_path / "cache"
    pm.execute_notebook(str(NOTEBOOKS / "deep_dive_template.ipynb"), str(out),
                        parameters={"data_dir": str(demo_dir), "breakdown": "gender",
                                    "cache_dir": str(cache)},
                        kernel_name="python3", cwd=str(NOTEBOOKS), progress_bar=False)  # fmt: skip
    nb = nbformat.read(out, as_version=4)
    assert nb.metadata["papermill"]["exception"] is not True
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    shown = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                      for o in outputs)  # fmt: skip
    assert "children with 3+ placements went missing" in shown
    for text in ("White", "Not known", "Locality North", "child_id"):  # groups, teams, units
        assert text in shown, text
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the seaborn heatmap
    assert list((cache / "dataset").glob("*"))  # the dataset went through the rerun cache


def test_notebooks_are_thin_and_stripped():
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1, path.name
        for cell in code:
            assert not cell.outputs and cell.execution_count is None, path.name
            assert not any(line.lstrip().startswith(("def ", "class ")) for line in
                           cell.source.splitlines()), path.name  # fmt: skip


def test_trend_tables_name_periods_with_capitalised_months(run_folder):
    flows = (run_folder / "tables" / "referrals.csv").read_text(encoding="utf-8").splitlines()
    snapshots = (run_folder / "tables" / "cla_count.csv").read_text(encoding="utf-8").splitlines()
    assert flows[1].startswith("Year to March 2023,")
    assert snapshots[1].startswith("At 31 March 2023,")


def test_xlsx_workbook_has_cover_and_one_sheet_per_table(run_folder):
    import openpyxl

    book = openpyxl.load_workbook(run_folder / "tables" / "sef_tables_2024-12-31.xlsx")
    csvs = list((run_folder / "tables").glob("*.csv"))
    assert book.sheetnames[:3] == ["Cover", "Contents", "Notes"]
    assert len(book.sheetnames) == 3 + len(csvs)


def test_params_file_is_read_and_checked(tmp_path, capsys, demo_dir):
    params = tmp_path / "2024-q4.yaml"
    params.write_text(f"period_end: 2024-12-30\ndata: {demo_dir}\nout: {tmp_path / 'out'}\n")
    assert main(["run", "--params", str(params)]) == 2
    assert "2024-12-30" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def _published_files(run: Path) -> dict[Path, bytes]:
    return {p.relative_to(run): p.read_bytes() for folder in ("tables", "charts", "html")
            for p in (run / folder).iterdir()
            if p.suffix in {".csv", ".png", ".svg", ".html"}}  # fmt: skip


def test_rerun_reuses_the_cache_and_gives_identical_outputs(run_folder, demo_dir):
    out = run_folder.parent
    before = _published_files(run_folder)
    cached_charts = set((out / ".cache" / "charts").iterdir())
    cached_sections = set((out / ".cache" / "report").iterdir())
    drawn = len(list((run_folder / "charts").glob("*.svg")))  # the default set: about 80
    assert len(cached_charts) >= drawn > 50 and len(cached_sections) > 50
    status = main(["run", "--period-end", "2024-12-31", "--data", str(demo_dir), "--out",
                   str(out), "--notebooks", str(NOTEBOOKS)])  # fmt: skip
    assert status == 0
    assert _published_files(run_folder) == before
    assert set((out / ".cache" / "charts").iterdir()) == cached_charts  # nothing redrawn
    assert set((out / ".cache" / "report").iterdir()) == cached_sections  # every section replayed
