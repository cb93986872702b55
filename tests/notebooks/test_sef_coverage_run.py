"""Section H of the SEF indicator catalogue end to end on the demonstration run: every id that
docs/sef_coverage.md names shows on a reviewer page with a value, and the rows it says have
DfE comparators have England's figure beside the authority's."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.notebook

COVERAGE = Path(__file__).resolve().parents[2] / "docs" / "sef_coverage.md"
WITH_COMPARATORS = {1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 16, 19, 20, 21, 26, 27, 28, 31, 32, 33, 35,
                    36, 37}  # fmt: skip
NOT_IDS = {"team", "grade", "stage", "risk_level"}  # breakdowns named in the table


def _rows() -> dict[int, list[str]]:
    rows = {}
    for line in COVERAGE.read_text().splitlines():
        m = re.match(r"^\| (\d+) \|[^|]*\| ([^|]*) \|", line)
        if m:
            ids = [i for i in re.findall(r"`([a-z0-9_]+)`", m.group(2)) if i not in NOT_IDS]
            rows[int(m.group(1))] = ids
    return rows


def test_every_section_h_indicator_shows_with_a_value_and_its_comparators(run_folder):
    rows = _rows()
    assert sorted(rows) == list(range(1, 41))
    pages = "\n".join(p.read_text() for p in (run_folder / "html").glob("*.html"))
    with open(run_folder / "findings.csv", newline="") as f:
        findings = {r["indicator_id"]: r for r in csv.DictReader(f)}
    for n, ids in rows.items():
        assert ids, n
        for i in ids:
            assert f'id="ind-{i}"' in pages, (n, i)
            rec = findings[i]
            trend = (run_folder / "tables" / f"{i}.csv").read_text()
            # a value at the period end, suppressed, or (annual returns) in the trend table
            has_value = rec["value"] != "" or rec["suppressed"] == "True"
            assert has_value or re.search(r"\n[^,]*,[0-9-]+,[0-9.]+,", trend), (n, i)
        compared = [i for i in ids if findings[i]["england_value"] != ""]
        assert bool(compared) == (n in WITH_COMPARATORS), (n, compared)
