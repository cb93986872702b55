"""End to end (issue 15 and issue 17 points 3 and 7): findings.csv in the run folder, each
sentence verbatim on a reviewer page, the run's disclosure audit clean, every SPC chart's
exported limits possible, and an internal run marked on every page and in every CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from sefanalysis.cli import main
from sefanalysis.disclosure import INTERNAL, INTERNAL_COLUMN, LEDGER, audit
from sefanalysis.indicators.registry import REGISTRY

from ..sentence_rules import problems, record_from_csv

pytestmark = pytest.mark.notebook
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
REQUIRED = [
    "indicator_id",
    "period_end",
    "value",
    "value_year_earlier",
    "change",
    "variation",
    "england_value",
    "england_period",
    "vs_england",
    "sentence",
]


def _headlines(run: Path) -> list[str]:
    found = []
    for page in sorted((run / "html").glob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        found += [p.get_text() for p in soup.select("p.sef-headline")]
    return found


def test_findings_csv_is_in_the_run_folder_with_its_columns(run_folder):
    findings = pd.read_csv(run_folder / "findings.csv")
    assert set(REQUIRED) <= set(findings.columns)
    assert sorted(findings["indicator_id"]) == sorted(REGISTRY)
    assert (findings["period_end"] == "2024-12-31").all()


def test_each_sentence_appears_verbatim_on_a_reviewer_page(run_folder):
    findings = pd.read_csv(run_folder / "findings.csv", keep_default_na=False)
    headlines = _headlines(run_folder)
    for rec in findings.itertuples(index=False):
        assert rec.sentence in headlines, rec.indicator_id
    text = pd.read_csv(run_folder / "findings.csv", dtype=str, keep_default_na=False)
    for row in text.to_dict("records"):
        rec = record_from_csv(row)
        assert problems(rec) == [], (rec["indicator_id"], problems(rec))


def test_the_run_disclosure_audit_is_clean(run_folder):
    recorded = json.loads((run_folder / LEDGER / "audit.json").read_text())
    assert recorded["problems"] == []
    assert audit(run_folder) == []


def test_every_spc_chart_exports_possible_limits(run_folder):
    spcs = sorted((run_folder / "charts").glob("*_spc.csv"))
    assert spcs
    for path in spcs:
        data = pd.read_csv(path)
        unit = REGISTRY[path.stem.removesuffix("_spc")].unit
        limits = data[["lpl", "mean", "upl"]]
        assert (limits >= 0).all().all(), path.name
        if unit == "pct":
            assert (limits <= 100).all().all(), path.name


def test_an_internal_run_says_so_on_every_page_and_in_every_csv(tmp_path, demo_dir):
    from sefanalysis.demo.generator import Profile, generate_demo

    data = generate_demo(
        tmp_path / "data",
        seed=3,
        profile=Profile(
            population=4000, referrals_per_year=200, cla_entrants_per_year=12, workforce_fte=8
        ),
    )
    out = tmp_path / "out"
    assert (
        main(
            [
                "run",
                "--period-end",
                "2024-12-31",
                "--data",
                str(data),
                "--out",
                str(out),
                "--notebooks",
                str(NOTEBOOKS),
                "--mode",
                "internal",
            ]
        )
        == 0
    )
    run = next(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    pages = [p for p in run.rglob("*.html") if "analyst" not in p.relative_to(run).parts]
    assert len(pages) >= 5
    for page in pages:
        text = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text()
        assert "Internal: small numbers not suppressed" in text, page.name
    csvs = [*(run / "tables").glob("*.csv"), *(run / "charts").glob("*.csv"), run / "findings.csv"]
    for path in csvs:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert (frame[INTERNAL_COLUMN] == INTERNAL).all(), path.name
    png = next((run / "charts").glob("*.png"))
    from PIL import Image

    assert Image.open(png).text.get("Description") == INTERNAL
