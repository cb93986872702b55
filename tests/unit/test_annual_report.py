"""Materials for the annual report: tidy numeric tables, the workbook and the Word draft, on
small hand-made inputs (the demonstration run's are checked in tests/notebooks)."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from docx import Document
from docx.shared import Pt, RGBColor

from sefanalysis.charts import trend_chart
from sefanalysis.checks.safety import formula_cells_xlsx
from sefanalysis.disclosure import Plan
from sefanalysis.findings import COLUMNS
from sefanalysis.key_findings import (
    CONCERN,
    NOTE,
    STRENGTH,
    by_area,
    read_findings,
    summary_items,
)
from sefanalysis.report.tables import Column, Num, Table, Text
from sefanalysis.report.word import build_annex, main_chart
from sefanalysis.report.workbook import build_workbook, changes_since, plan_sheets, read_tables

HOSTILE = ['=HYPERLINK("http://evil.example/","click")', "+cmd|' /C calc'!A0", "-1+1",
           "@SUM(1+1)", "[click](http://evil.example)"]  # fmt: skip
META = {"authority": "Westshire", "period_end": "31 December 2024", "run_date": "2 January 2025",
        "version": "0.1.0", "commit": "abc1234", "extract_date": "31 December 2024",
        "contact_name": "Performance team", "contact_email": "performance@council.example",
        "suppression_note": "[c] = suppressed.", "mode": "published"}  # fmt: skip
QUARTERS = pd.to_datetime(["2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"])


@pytest.fixture(autouse=True)
def no_rerun_cache(monkeypatch):
    monkeypatch.delenv("SEFANALYSIS_CACHE", raising=False)


def trend_table(plan: Plan) -> Table:
    rows = []
    for q, value, num, den, eng in zip(QUARTERS, [20.0, 25.12, math.nan, 30.0],
                                       [4, 5, math.nan, 6], [20, 20, math.nan, 20],
                                       [21.5, math.nan, math.nan, 22.0], strict=True):  # fmt: skip
        pos = (f"q|re_referral_pct|{q:%Y-%m-%d}",) if not math.isnan(value) else ()
        rows.append({"Period": f"Year to {q:%B %Y}", "Period end": f"{q:%Y-%m-%d}",
                     "Value": Num(value, pos), "Numerator": Num(num, pos),
                     "Denominator": Num(den, pos), "England": Num(eng),
                     "Note": "Source: Annex A List 3" if q.month != 9 else
                     "the data do not cover this period"})  # fmt: skip
    columns = [Column("Period"), Column("Period end", page=False), Column("Value", "pct"),
               Column("Numerator", "count"), Column("Denominator", "count"),
               Column("England", "pct"), Column("Note")]  # fmt: skip
    return Table("re_referral_pct", "Re-referrals within 12 months: 4 quarter ends", columns,
                 rows, plan, source="Annex A List 3", indicator_id="re_referral_pct",
                 area="help_protection", kind="trend")  # fmt: skip


def test_a_blank_figure_reveals_no_position():
    # a CIN census percentage of 0 of 0 is blank in the reconciliation table: naming its
    # position in the ledger failed the disclosure audit of a run on real-shaped returns
    blank, known = "q|re_referral_pct|2024-03-31", "q|re_referral_pct|2023-03-31"
    rows = [{"Year to": "31 March 2024", "Census": Num(math.nan, (blank,))},
            {"Year to": "31 March 2023", "Census": Num(22.0, (known,))}]  # fmt: skip
    table = Table("reconciliation", "Census", [Column("Year to"), Column("Census", "pct")],
                  rows, Plan(frozenset()))  # fmt: skip
    cells, _ = table.ledger()
    assert [c["positions"] for c in cells] == [[], [known]]


def summary_table(plan: Plan) -> Table:
    rows = [{"Indicator": "Referrals received", "Unit": "number", "Latest": Num(4059.0, ("a",)),
             "Change on a year": Text("no significant change", ("a",))},
            {"Indicator": "Re-referrals within 12 months", "Unit": "percentage",
             "Latest": Num(20.37, ("b",)), "Change on a year": Text("", ("b",))}]  # fmt: skip
    return Table("help_protection_summary", "Help and protection: every indicator",
                 [Column("Indicator"), Column("Unit"), Column("Latest", "row"),
                  Column("Change on a year")], rows, plan, row_units=["count", "pct"],
                 area="help_protection", kind="summary")  # fmt: skip


# ------------------------------------------------------------------------------ the tables
def test_a_table_is_numbers_with_units_in_the_header_and_markers_beside_them():
    table = trend_table(Plan(frozenset({"q|re_referral_pct|2024-12-31"})))
    frame = pd.read_csv(io.StringIO(table.csv_frame().to_csv(index=False)), dtype=str,
                        keep_default_na=False)  # fmt: skip
    assert list(frame.columns) == ["Period", "Period end", "Value (%)", "Value marker",
                                   "Numerator (number)", "Numerator marker",
                                   "Denominator (number)", "Denominator marker", "England (%)",
                                   "England marker", "Note"]  # fmt: skip
    assert list(frame["Value (%)"]) == ["20.0", "25.1", "", ""]  # rounded as published
    assert list(frame["Value marker"]) == ["", "", "[x]", "[c]"]
    assert list(frame["Numerator (number)"]) == ["4", "5", "", ""]  # whole numbers stay whole
    assert list(frame["England marker"]) == ["", "[x]", "[x]", ""]
    shown = table.display()  # the page: the same figures formatted, the marker in place
    assert list(shown["Value"]) == ["20.0%", "25.1%", "[x]", "[c]"]
    assert list(shown.columns) == ["Period", "Value", "Numerator", "Denominator",
                                   "England", "Note"]  # fmt: skip


def test_the_ledger_names_csv_headings_and_keeps_markers_public():
    table = trend_table(Plan(frozenset({"q|re_referral_pct|2024-12-31"})))
    cells, public = table.ledger()
    assert {c["column"] for c in cells} == {"Value (%)", "Numerator (number)",
                                            "Denominator (number)"}  # fmt: skip
    hidden = [c for c in cells if not c["shown"]]
    assert {(c["row"], c["column"]) for c in hidden} == {
        (3, "Value (%)"), (3, "Numerator (number)"), (3, "Denominator (number)")}  # fmt: skip
    assert "Value marker" in public and "England (%)" in public and "Note" in public


def test_words_derived_from_a_hidden_figure_are_suppressed_and_missing_words_marked():
    table = summary_table(Plan(frozenset({"a"})))
    shown = table.display()
    assert list(shown["Change on a year"]) == ["[c]", "[x]"]
    assert list(shown["Latest"]) == ["[c]", "20.4%"]
    frame = table.csv_frame()
    assert frame.loc[1, "Latest"] == 20.4 and frame.loc[0, "Latest marker"] == "[c]"


# ------------------------------------------------------------------------------ the workbook
def _tables_folder(tmp_path: Path, plan: Plan) -> Path:
    folder = tmp_path / "tables"
    folder.mkdir()
    for table in (trend_table(plan), summary_table(plan)):
        (folder / f"{table.name}.csv").write_text(table.csv_frame().to_csv(index=False))
        (folder / f"{table.name}.json").write_bytes(table.description())
    pd.DataFrame({"area": HOSTILE, "value": range(len(HOSTILE))}).to_csv(
        folder / "analyst_extra.csv", index=False)  # fmt: skip
    return folder


def _workbook(tmp_path: Path, meta: dict | None = None, changes=("No change.",)):
    folder = _tables_folder(tmp_path, Plan(frozenset({"q|re_referral_pct|2024-12-31"})))
    path = tmp_path / "book.xlsx"
    path.write_bytes(build_workbook(read_tables(folder), meta or META, list(changes)))
    return openpyxl.load_workbook(path), path


def _sheet(book, code: str):
    (name,) = [n for n in book.sheetnames if n.startswith(f"{code} ")]
    return book[name]


def _table_rows(sheet) -> list[list]:
    (ref,) = [t.ref for t in sheet.tables.values()]
    return [[c.value for c in row] for row in sheet[ref]]


def test_every_figure_is_a_number_excel_can_sum_with_its_number_format(tmp_path):
    book, _ = _workbook(tmp_path)
    sheet = _sheet(book, "HP05")
    header, *rows = _table_rows(sheet)
    assert header == ["Period", "Period end", "Value (%)", "Numerator (number)",
                      "Denominator (number)", "England (%)", "Note"]  # fmt: skip
    values = [r[2] for r in rows]
    assert values[:2] == [20.0, 25.1] and values[2:] == ["[x]", "[c]"]
    (ref,) = [t.ref for t in sheet.tables.values()]
    cells = {c.value: c for row in sheet[ref] for c in row}
    assert cells[25.1].data_type == "n" and cells[25.1].number_format == "#,##0.0"
    assert cells[4].data_type == "n" and cells[4].number_format == "#,##0"
    summary = book["HP00 Summary"]
    latest = {r[0]: r[2] for r in _table_rows(summary)[1:]}
    assert latest == {"Referrals received": 4059, "Re-referrals within 12 months": 20.4}
    formats = {c.value: c.number_format for row in summary.iter_rows() for c in row}
    assert formats[4059] == "#,##0" and formats[20.4] == "#,##0.0"  # by the row's unit


def test_symbols_are_explained_and_notes_are_on_the_notes_sheet(tmp_path):
    book, _ = _workbook(tmp_path)
    sheet = _sheet(book, "HP05")
    above = [r[0] for r in sheet.iter_rows(max_row=8, values_only=True) if r[0]]
    assert any(str(line).startswith("[c] = confidential") for line in above)
    assert any(str(line).startswith("[x] = not available") for line in above)
    notes = {r[0]: r[1] for r in book["Notes"].iter_rows(values_only=True)
             if isinstance(r[0], int)}  # fmt: skip
    column = [r[-1] for r in _table_rows(sheet)[1:]]
    assert column[0] == "[note 1]" and notes[1] == "Source: Annex A List 3"
    assert notes[int(column[2].strip("[note ]"))] == "the data do not cover this period"


def test_sheets_are_ordered_and_named_by_area_and_indicator(tmp_path):
    book, _ = _workbook(tmp_path)
    assert book.sheetnames == ["Cover", "Contents", "Notes", "HP00 Summary",
                               "HP05 Re-referrals within 12", "ZZ99 analyst extra"]  # fmt: skip
    for name in book.sheetnames[3:]:
        assert len(book[name].tables) == 1  # each table an Excel table with a header row


def test_sheet_names_fit_excel_and_follow_the_registry_for_any_number_of_indicators():
    from sefanalysis.indicators import load_all
    from sefanalysis.indicators.registry import REGISTRY

    load_all()
    described = {i.id: {"name": i.id, "title": i.title, "indicator_id": i.id, "area": i.area,
                        "kind": "trend"} for i in REGISTRY.values()}  # fmt: skip
    described["help_protection_summary"] = {"area": "help_protection", "kind": "summary"}
    sheets = plan_sheets(described)
    names = [s.name for s in sheets]
    assert len(set(names)) == len(names) and max(map(len, names)) <= 31
    assert names[0] == "HP00 Summary" and names[1].startswith("HP01 ")
    areas = [s.area for s in sheets]
    assert areas == sorted(areas, key=["help_protection", "children_in_care", "care_leavers",
                                       "leadership"].index)  # fmt: skip


def test_the_cover_gives_authority_period_run_date_contact_version_and_changes(tmp_path):
    book, _ = _workbook(tmp_path, changes=["2 figure(s) for the same period differ."])
    text = [str(r[0]) for r in book["Cover"].iter_rows(values_only=True) if r[0]]
    for expected in ("Westshire", "31 December 2024", "Run date: 2 January 2025",
                     "Performance team", "performance@council.example", "commit abc1234",
                     "2 figure(s) for the same period differ."):  # fmt: skip
        assert any(expected in line for line in text), expected


def test_input_text_never_becomes_a_formula_or_a_link(tmp_path):
    book, path = _workbook(tmp_path, {**META, "authority": HOSTILE[0],
                                      "contact_name": HOSTILE[3]})  # fmt: skip
    assert formula_cells_xlsx(path) == []
    cells = [c for s in book.worksheets for row in s.iter_rows() for c in row
             if c.hyperlink is not None and c.hyperlink.target]  # fmt: skip
    assert cells == []
    extra = [r[0] for r in _table_rows(book["ZZ99 analyst extra"])[1:]]
    assert extra[0] == "'" + HOSTILE[0] and extra[-1] == "[click] (http://evil.example)"


def test_what_changed_compares_the_findings_of_the_run_replaced(tmp_path):
    def findings(folder: Path, values: dict[str, str], period: str = "2024-12-31") -> Path:
        folder.mkdir()
        with (folder / "findings.csv").open("w", newline="") as fh:
            writer = csv.DictWriter(fh, ["indicator_id", "title", "unit", "period_end", "value",
                                         "suppressed"])  # fmt: skip
            writer.writeheader()
            for key, value in values.items():
                writer.writerow(
                    {
                        "indicator_id": key,
                        "title": key.title(),
                        "unit": "pct",
                        "period_end": period,
                        "value": value,
                        "suppressed": "False",
                    }
                )
        (folder / "manifest.json").write_text(json.dumps({"sefanalysis": "0.1.0",
                                                          "git_commit": "abc1234"}))  # fmt: skip
        return folder

    old = findings(tmp_path / "old", {"a": "20.01", "b": "30.0", "gone": "1.0"})
    new = findings(tmp_path / "new", {"a": "20.04", "b": "31.0", "added": "2.0"})
    lines = changes_since(old, new, META)
    assert (
        lines[0] == "1 figure(s) for the same period differ from the earlier run (revised data "
        "or methods): B."
    )  # 20.01 and 20.04 are both published as 20.0
    assert "New indicator(s): Added." in lines and "No longer reported: Gone." in lines
    other = findings(tmp_path / "other", {"a": "20.0"}, "2024-09-30")
    assert "different period" in changes_since(other, new, META)[0]
    assert changes_since(None, new, META)[0].startswith("This is the first run")
    assert "(commit abc1234)" not in " ".join(lines)  # the same version: not mentioned
    newer = changes_since(old, new, {**META, "commit": "def5678"})
    assert newer[0] == "The earlier run was made with sefanalysis 0.1.0 (commit abc1234)."


# ------------------------------------------------------------------------------ the Word draft
def _finding(ind_id: str, title: str, area: str, **values) -> dict:
    rec = dict.fromkeys(COLUMNS, "")
    rec.update({"indicator_id": ind_id, "title": title, "area": area, "unit": "pct",
                "polarity": "lower_better", "period_end": "2024-12-31", "value": "20.4",
                "suppressed": "False", "value_year_earlier": "22.5",
                "suppressed_year_earlier": "False", "trend": "decreasing, getting better",
                "vs_england": "similar", "england_value": "22.3",
                "comparator_period_label": "year to March 2024",
                "value_at_comparator_period": "21.7", "source": "Annex A List 3",
                "sentence": f"The percentage of {title.lower()} was 20.4%.",
                "text_value": f"The percentage of {title.lower()} was 20.4%."})  # fmt: skip
    rec.update(values)
    return rec


def _run(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    (run / "charts").mkdir(parents=True)
    records = [
        _finding("re_referral_pct", "Re-referrals within 12 months", "help_protection"),
        _finding(
            "cla_count",
            "Children in care",
            "children_in_care",
            unit="count",
            value="",
            suppressed="True",
            trend="",
            vs_england="",
            sentence="Children in care: [c] at 31 December 2024.",
        ),  # fmt: skip
        _finding(
            "sw_vacancy_rate_pct",
            "Vacancy rate",
            "leadership",
            vs_england="worse",
            rag="Red: missing the target",
            target="10.0",
        ),  # fmt: skip
    ]
    with (run / "findings.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, list(COLUMNS))
        writer.writeheader()
        writer.writerows(records)
    series = pd.DataFrame({"period_end": QUARTERS, "value": [22.5, 21.0, 20.8, 20.4]})
    for rec in records[::2]:
        chart = trend_chart.__wrapped__(series, rec["indicator_id"], rec["text_value"],
                                        f"{rec['title']}, Westshire", "pct")  # fmt: skip
        chart.source = rec["source"]
        chart.save(run / "charts")
    return run


def test_the_draft_holds_every_areas_findings_charts_with_alt_text_and_tables(tmp_path):
    run = _run(tmp_path)
    doc = Document(io.BytesIO(build_annex(run, META, ["No change."])))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(
        ("Heading", "Title"))]  # fmt: skip
    h1 = [t for s, t in headings if s == "Heading 1"]
    assert h1 == ["Key findings", "Help and protection", "Children in care", "Impact of leaders",
                  "Notes"]  # fmt: skip
    h3 = [t for s, t in headings if s == "Heading 3"]
    assert {"Re-referrals within 12 months", "Children in care", "Vacancy rate"} <= set(h3)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "The percentage of re-referrals within 12 months was 20.4%." in text
    assert "Children in care: [c] at 31 December 2024." in text
    shapes = doc.inline_shapes
    assert len(shapes) == 2  # one chart per indicator that has one
    for shape in shapes:
        props = shape._inline.docPr
        assert props.get("descr", "").startswith("Line chart of") and props.get("title")
        assert abs(shape.width.cm - 16.0) < 0.01
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert (
        "Figure 1: Re-referrals within 12 months. Re-referrals within 12 months, Westshire."
        " Source: Annex A List 3." in captions
    )
    assert sum(c.startswith("Table ") for c in captions) == 3 == len(doc.tables)
    latest = {t.rows[1].cells[0].text for t in doc.tables}
    assert latest == {"20.4%", "[c]"}  # suppressed as published
    assert "Performance team, performance@council.example" in text


def test_the_drafts_key_findings_are_the_summary_pages_items(tmp_path):
    """One choice for both outputs (issue 18 + 22): the draft lists, in order and word for
    word, the items ``key_findings.summary_items`` gives the summary page."""
    run = _run(tmp_path)
    paras = Document(io.BytesIO(build_annex(run, META, []))).paragraphs
    start = next(i for i, p in enumerate(paras) if p.text == "Key findings")
    end = next(i for i, p in enumerate(paras) if i > start and p.style.name == "Heading 1")
    bullets = [p.text for p in paras[start:end] if p.style.name == "List Bullet"]
    lists = summary_items(read_findings(run / "findings.csv"))
    expected = [it.text for way in (CONCERN, STRENGTH, NOTE)
                for items in by_area(lists[way]).values() for it in items]  # fmt: skip
    assert bullets == expected
    (vacancy,) = [b for b in bullets if b.startswith("Vacancy rate")]
    assert "the local target is 10.0% (red: missing the target)" in vacancy
    assert "was worse than England (22.3%)" in vacancy
    headings = [p.text for p in paras[start:end] if p.style.name == "Heading 2"]
    assert headings == ["Needs attention", "Going well", "How the items are chosen"]


def test_the_draft_takes_a_council_templates_styles(tmp_path):
    template = Document()
    heading = template.styles["Heading 1"]
    heading.font.name, heading.font.size = "Georgia", Pt(21)
    heading.font.color.rgb = RGBColor(0x80, 0x16, 0x50)
    template.sections[0].header.add_paragraph("Westshire Council: OFFICIAL")
    template.add_paragraph("Placeholder text that the draft replaces")
    path = tmp_path / "template.docx"
    template.save(path)
    doc = Document(io.BytesIO(build_annex(_run(tmp_path), META, [], path)))
    style = doc.styles["Heading 1"]
    assert (style.font.name, style.font.size, style.font.color.rgb) == (
        "Georgia", Pt(21), RGBColor(0x80, 0x16, 0x50))  # fmt: skip
    assert doc.sections[0].header.paragraphs[-1].text == "Westshire Council: OFFICIAL"
    assert "Placeholder text" not in "\n".join(p.text for p in doc.paragraphs)


def test_a_template_without_the_draft_styles_gets_them_added(tmp_path):
    template = Document()
    styles = template.styles
    for name in ("Caption", "List Bullet"):
        styles[name].delete()
    path = tmp_path / "template.docx"
    template.save(path)
    doc = Document(io.BytesIO(build_annex(_run(tmp_path), META, [], path)))
    assert any(p.style.name == "Caption" for p in doc.paragraphs)


def test_an_internal_draft_says_so_on_every_page(tmp_path):
    doc = Document(io.BytesIO(build_annex(_run(tmp_path), {**META, "mode": "internal"}, [])))
    assert "Internal: small numbers not suppressed" in doc.sections[0].header.paragraphs[-1].text
    assert any("not suppressed" in p.text for p in doc.paragraphs[:10])


def test_the_main_chart_is_the_trend_then_the_control_chart(tmp_path):
    run = _run(tmp_path)
    assert main_chart(run, "re_referral_pct")["kind"] == "trend"
    assert main_chart(run, "cla_count") is None


def test_the_data_folders_template_is_accounted_for(tmp_path):
    from sefanalysis.dataset import load_dataset, word_template

    from ..conftest import write_dataset

    data = write_dataset(tmp_path / "data")
    Document().save(data / "Template.DOCX")  # names are matched ignoring case
    log = load_dataset(data).log
    used = log.inventory_frame().set_index("file")
    assert used.loc[str(data / "Template.DOCX"), "taken_as"].startswith("Word template")
    assert word_template(data) == data / "Template.DOCX"
    (data / "Template.DOCX").write_text("not a Word document")
    log = load_dataset(data).log
    assert word_template(data) is None
    assert [p.kind for p in log.problems if p.file.endswith("Template.DOCX")] == ["unreadable file"]
    assert (
        log.inventory_frame().set_index("file").loc[str(data / "Template.DOCX"), "status"]
        != (used.loc[str(data / "Template.DOCX"), "status"])
    )
