"""The demonstration run's materials for the annual report: tidy numeric CSVs, a workbook that
calculates, charts ready for Word and print, and the Word draft of the evidence annex."""

from __future__ import annotations

import csv
import json
from xml.etree import ElementTree

import openpyxl
import pytest
from docx import Document
from PIL import Image

from sefanalysis.charts import HEIGHTS_CM, px
from sefanalysis.indicators.registry import AREAS
from sefanalysis.report.tables import SYMBOLS

pytestmark = pytest.mark.notebook
SVG = "{http://www.w3.org/2000/svg}"


def _rows(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_table_csv_is_tidy_numbers_with_markers_in_their_own_column(run_folder):
    described = sorted((run_folder / "tables").glob("*.json"))
    assert len(described) == len(list((run_folder / "tables").glob("*.csv")))
    for path in described:
        desc = json.loads(path.read_text(encoding="utf-8"))
        rows = _rows(path.with_suffix(".csv"))
        for heading, spec in desc["numbers"].items():
            for row in rows:
                value, marker = row[heading], row[spec["marker"]]
                assert marker in {"", *SYMBOLS}, (path.name, heading, marker)
                assert (value == "") == (marker != ""), (path.name, heading, row)
                if value:
                    float(value)  # one number per cell: no "%", no "per 10,000", no commas


def test_every_figure_in_the_workbook_is_a_number_or_a_symbol(run_folder):
    book = openpyxl.load_workbook(run_folder / "tables" / "sef_tables_2024-12-31.xlsx")
    assert book.sheetnames[:3] == ["Cover", "Contents", "Notes"]
    codes = [name.split(" ")[0] for name in book.sheetnames[3:]]
    order = {"HP": 0, "CC": 1, "CL": 2, "LD": 3}
    assert [order[c[:2]] for c in codes] == sorted(order[c[:2]] for c in codes)
    assert codes[0] == "HP00" and "LD00" in codes
    numbers = 0
    for name in book.sheetnames[3:]:
        sheet = book[name]
        (table,) = sheet.tables.values()
        stem = table.name.split("_", 2)[2]
        desc = json.loads((run_folder / "tables" / f"{stem}.json").read_text(encoding="utf-8"))
        header, *rows = sheet[table.ref]
        assert all(c.value for c in header)  # a header row
        columns = [i for i, c in enumerate(header) if c.value in desc["numbers"]]
        assert columns, name
        for row in rows:
            for i in columns:
                cell = row[i]
                if cell.value in SYMBOLS:
                    continue
                numbers += 1  # a figure: a number Excel can sum, with its number format
                assert cell.data_type == "n", (name, cell.coordinate, cell.value)
                assert cell.number_format.startswith("#,##0"), (name, cell.coordinate)
    assert numbers > 1000
    cover = [str(r[0]) for r in book["Cover"].iter_rows(values_only=True) if r[0]]
    assert any("Performance and intelligence team" in line for line in cover)
    assert any(line.startswith("Run date: ") for line in cover)


def test_chart_pngs_are_300_dpi_at_one_width_and_svgs_have_live_text_and_a_title(run_folder):
    sidecars = sorted((run_folder / "charts").glob("*.json"))
    assert len(sidecars) == len(list((run_folder / "charts").glob("*.png"))) > 50
    for path in sidecars:
        meta = json.loads(path.read_text(encoding="utf-8"))
        png = Image.open(path.with_suffix(".png"))
        assert png.size == (1890, px(HEIGHTS_CM[meta["kind"]])), path.name
        assert tuple(round(d) for d in png.info["dpi"]) == (300, 300)
        assert meta["title"] and meta["alt"] and meta["source"], path.name
        root = ElementTree.parse(path.with_suffix(".svg")).getroot()
        assert root[0].tag == f"{SVG}title" and root[0].text == meta["title"]
        assert root[1].tag == f"{SVG}desc" and root[1].text == meta["alt"]
        assert len(list(root.iter(f"{SVG}text"))) >= 3


def test_the_word_draft_holds_every_areas_findings_charts_and_tables(run_folder):
    doc = Document(run_folder / "evidence_annex_2024-12-31.docx")
    findings = _rows(run_folder / "findings.csv")
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert h1 == ["Key findings", *AREAS.values(), "Notes"]
    h3 = {p.text for p in doc.paragraphs if p.style.name == "Heading 3"}
    assert {r["title"] for r in findings} <= h3
    text = "\n".join(p.text for p in doc.paragraphs)
    for rec in findings:
        assert rec["sentence"] in text, rec["indicator_id"]
    charted = [r for r in findings if (run_folder / "charts" / f"{r['indicator_id']}.png").exists()]
    assert len(doc.inline_shapes) >= len(charted) > 40
    alts = {s._inline.docPr.get("descr") for s in doc.inline_shapes}
    for rec in charted:
        sidecar = json.loads((run_folder / "charts" / f"{rec['indicator_id']}.json").read_text())
        assert sidecar["alt"] in alts
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert sum(c.startswith("Figure ") for c in captions) == len(doc.inline_shapes)
    assert sum(c.startswith("Table ") for c in captions) == len(doc.tables) == len(findings)
    assert any("Performance and intelligence team" in p.text for p in doc.paragraphs[:10])


def test_the_draft_shows_suppressed_values_as_published(run_folder):
    doc = Document(run_folder / "evidence_annex_2024-12-31.docx")
    areas = list(AREAS)
    findings = sorted(_rows(run_folder / "findings.csv"), key=lambda r: areas.index(r["area"]))
    latest = [t.rows[1].cells[0].text for t in doc.tables]  # the draft goes area by area
    hidden = [r["suppressed"] == "True" for r in findings]
    assert [v == "[c]" for v in latest] == hidden


def test_the_audit_passes_with_the_new_tables(run_folder):
    audit = json.loads((run_folder / "analyst" / "disclosure" / "audit.json").read_text())
    assert audit["problems"] == []
