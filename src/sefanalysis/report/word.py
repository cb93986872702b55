"""A Word draft of the evidence annex, written by every run (``evidence_annex_<period>.docx``).

What the analyst who writes the SEF and the annual report starts from: a cover, the key
findings, then per judgement area each indicator's sentence, its chart (with its caption and
alt text), a compact table of its latest value, the value a year earlier and its comparators
with their period, and its notes; then the symbols and how the sentences are decided.

Built from the run's published outputs only: ``findings.csv`` (a suppressed value is blank
there and shows ``[c]`` here; the sentences already say nothing of it), the chart PNGs and
their sidecars (``charts/<name>.json``: title, subtitle, source, alt text). So the draft holds
nothing the run's audited files do not.

Styles are Word's own (Title, Heading 1-3, Caption, List Bullet, a table style), so a council
restyles the draft by its own template: ``template.docx`` in the data folder, when given, is
the document the draft is written into (its body is emptied; its styles, page set-up, headers
and footers are kept). A style the template lacks is added, based on its Normal style.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from ..disclosure import MARKER
from ..indicators.registry import AREAS
from .tables import NOT_AVAILABLE, SYMBOLS

CHART_PREFERENCE = ("", "_spc", "_neighbours", "_funnel")  # the trend first
TABLE_STYLES = ("Table Grid", "Light List Accent 1", "Normal Table")
WIDTH_CM = 16.0


@dataclass
class Numbering:
    figures: int = 0
    tables: int = 0


def read_findings(run: Path) -> list[dict]:
    path = run / "findings.csv"
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def shown(rec: dict, column: str, suppressed: str | None = None, unit: str | None = None) -> str:
    """A figure of a finding as published: ``[c]`` where suppressed, ``[x]`` where there is
    none."""
    from ..format import format_value

    if suppressed and rec.get(suppressed) == "True":
        return MARKER
    value = _number(rec.get(column))
    if value is None:
        return NOT_AVAILABLE
    return format_value(value, unit or rec.get("unit", ""))


def main_chart(run: Path, indicator_id: str) -> dict | None:
    """The indicator's one chart for the draft (its trend; else its control chart, ranking or
    funnel plot) with its sidecar, or None when the run drew none."""
    for suffix in CHART_PREFERENCE:
        sidecar = run / "charts" / f"{indicator_id}{suffix}.json"
        png = sidecar.with_suffix(".png")
        if sidecar.is_file() and png.is_file():
            try:
                meta = json.loads(sidecar.read_text(encoding="utf-8"))
            except ValueError:
                continue
            return {**meta, "path": png}
    return None


# ------------------------------------------------------------------------------ the document
def _document(template: Path | None):
    """The document to write into: the council's template (body emptied) or Word's default."""
    from docx import Document
    from docx.shared import Cm

    if template is None:
        doc = Document()  # Word's default styles, on A4 with a 16 cm text column
        section = doc.sections[0]
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)
        return doc
    doc = Document(str(template))
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):  # the last section's page set-up stays
            body.remove(child)
    return doc


def _ensure_styles(doc) -> str | None:
    """Every paragraph style the draft uses, added where the template lacks one; returns the
    table style to use (None: the template has no table style)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    styles = doc.styles
    names = {s.name for s in styles}
    sizes = {"Title": 24, "Heading 1": 16, "Heading 2": 13, "Heading 3": 11.5, "Caption": 9}
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Caption", "List Bullet"):
        if name in names:
            continue
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        if name in sizes:
            style.font.size = Pt(sizes[name])
            style.font.bold = name != "Caption"
            style.font.italic = name == "Caption"
    tables = [s.name for s in styles if s.type == WD_STYLE_TYPE.TABLE]
    return next((t for t in TABLE_STYLES if t in tables), tables[0] if tables else None)


def _caption(doc, label: str, number: int, text: str):
    """A Caption paragraph "Figure 3: ..." whose number is a Word SEQ field (so Word can list
    the figures and tables and renumber them after edits)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = doc.add_paragraph(style="Caption")
    paragraph.add_run(f"{label} ")
    for kind in ("begin", "instr", "separate", "result", "end"):
        run = paragraph.add_run(str(number) if kind == "result" else "")
        if kind == "instr":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = f" SEQ {label} \\* ARABIC "
            run._r.append(instruction)
        elif kind != "result":
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            run._r.append(mark)
    paragraph.add_run(f": {text}")
    return paragraph


def _text_width(doc):
    from docx.shared import Cm

    section = doc.sections[-1]
    try:
        available = section.page_width - section.left_margin - section.right_margin
    except TypeError:  # a template without a page size
        return Cm(WIDTH_CM)
    return min(Cm(WIDTH_CM), available)


def _picture(doc, chart: dict) -> None:
    """The chart at the text width (16 cm, or the template's narrower column), with its alt
    text and title on the picture (what Word shows under "Alt Text")."""
    doc.add_picture(str(chart["path"]), width=_text_width(doc))
    picture = doc.inline_shapes[-1]
    properties = picture._inline.docPr
    properties.set("descr", chart.get("alt", ""))
    properties.set("title", chart.get("title", ""))
    doc.paragraphs[-1].paragraph_format.keep_with_next = True


def _table(doc, style: str | None, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    if style:
        table.style = doc.styles[style]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _repeat_header(table.rows[0])
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = text


def _repeat_header(row) -> None:
    """The header row repeats on each page and is read as a header by screen readers."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _cover(doc, meta: dict[str, str], changes: list[str]) -> None:
    doc.add_paragraph(f"Self-evaluation evidence annex: {meta.get('authority', '')}",
                      style="Title")  # fmt: skip
    lines = [
        f"Period: the quarter ending {meta.get('period_end', '')}; flow measures cover the 12 "
        "months to that date, snapshot measures are at that date.",
        f"Data extracted: {meta.get('extract_date', '')}.",
        f"Run date: {meta.get('run_date', '')}.",
        f"Produced by sefanalysis {meta.get('version', '')} (commit {meta.get('commit', '')}) "
        "from the run's findings.csv and charts. A draft to edit: every figure and sentence is "
        "the run's; the words around them are yours.",
    ]
    contact = ", ".join(meta[k] for k in ("contact_name", "contact_email") if meta.get(k))
    lines.append(f"Contact: {contact}." if contact else "Contact: not given (add contact_name "
                 "and contact_email to authority.yaml).")  # fmt: skip
    for line in lines:
        doc.add_paragraph(line)
    if meta.get("mode", "published") != "published":
        warning = doc.add_paragraph()
        warning.add_run("Internal: small numbers are not suppressed. Do not share this document "
                        "outside the council.").bold = True  # fmt: skip
    else:
        doc.add_paragraph(meta.get("suppression_note", ""))
    if changes:
        doc.add_paragraph("What changed since the last run", style="Heading 3")
        for line in changes:
            doc.add_paragraph(line, style="List Bullet")


def _key_findings(doc, run: Path) -> None:
    """The same items as the run's summary page (:func:`sefanalysis.key_findings.summary_items`,
    by its stated rules), list by list and area by area, each with its number and comparator."""
    from ..key_findings import CONCERN, LISTS, NOTE, RULES, STRENGTH, by_area, summary_items
    from ..key_findings import read_findings as typed_findings

    doc.add_page_break()
    doc.add_paragraph("Key findings", style="Heading 1")
    lists = summary_items(typed_findings(run / "findings.csv"))
    for way in (CONCERN, STRENGTH, NOTE):
        if way == NOTE and not lists[way]:
            continue
        doc.add_paragraph(LISTS[way], style="Heading 2")
        if not lists[way]:
            doc.add_paragraph("No indicator meets the rules for this list.")
        for area, items in by_area(lists[way]).items():
            if not items:
                continue
            doc.add_paragraph(AREAS[area], style="Heading 3")
            for it in items:
                item = doc.add_paragraph(style="List Bullet")
                item.add_run(it.title).bold = True
                item.add_run(it.text[len(it.title) :])
    doc.add_paragraph("How the items are chosen", style="Heading 2")
    for rule in RULES:
        doc.add_paragraph(rule)


def _indicator(doc, run: Path, rec: dict, style: str | None, numbers: Numbering) -> None:
    doc.add_paragraph(rec["title"], style="Heading 3")
    doc.add_paragraph(rec.get("sentence", ""))
    chart = main_chart(run, rec["indicator_id"])
    if chart is not None:
        _picture(doc, chart)
        numbers.figures += 1
        source = f" Source: {chart['source']}." if chart.get("source") else ""
        _caption(doc, "Figure", numbers.figures,
                 f"{rec['title']}. {chart.get('subtitle', '')}.{source}")  # fmt: skip
    else:
        doc.add_paragraph("No chart: fewer than two quarter ends have a value that can be shown.")
    numbers.tables += 1
    _caption(doc, "Table", numbers.tables, f"{rec['title']}: latest value and comparators"
             ).paragraph_format.keep_with_next = True  # fmt: skip
    period = rec.get("comparator_period_label") or NOT_AVAILABLE
    region = rec.get("region_name") or "Region"
    neighbours = rec.get("neighbours_count") or ""
    header = ["Latest", "A year earlier", "Change", "Compared for", "This authority then",
              "England", region, "Statistical neighbours" + (
                  f" ({neighbours.split('.')[0]})" if neighbours else "")]  # fmt: skip
    values = [
        shown(rec, "value", "suppressed"),
        shown(rec, "value_year_earlier", "suppressed_year_earlier"),
        rec.get("trend") or NOT_AVAILABLE,
        period,
        shown(rec, "value_at_comparator_period", "suppressed_at_comparator_period"),
        shown(rec, "england_value"),
        shown(rec, "region_value"),
        shown(rec, "neighbours_value"),
    ]
    _table(doc, style, header, [values])
    source = rec.get("source", "")
    notes = []
    for key in ("note", "change_note", "variation_note", "comparator_note"):
        text = rec.get(key) or ""
        if text.startswith("Source: "):  # the source of the latest period: the one to cite
            source = text.removeprefix("Source: ")
        elif text:
            notes.append(text[:1].upper() + text[1:])
    notes = list(dict.fromkeys(notes))
    target = _number(rec.get("target"))
    if target is not None:
        from ..format import format_value

        against = f" ({rec['rag']})" if rec.get("rag") else ""
        notes.append(f"Local target: {format_value(target, rec.get('unit', ''))}{against}.")
    notes.append(f"Source: {source}.")
    note = doc.add_paragraph()
    note.add_run("Notes: ").bold = True
    note.add_run(" ".join(n if n.endswith(".") else f"{n}." for n in notes))


def _notes(doc, meta: dict[str, str]) -> None:
    from ..wording import RULES

    doc.add_page_break()
    doc.add_paragraph("Notes", style="Heading 1")
    doc.add_paragraph("Symbols", style="Heading 2")
    for symbol, text in SYMBOLS.items():
        doc.add_paragraph(f"{symbol} {text}", style="List Bullet")
    if meta.get("suppression_note"):
        doc.add_paragraph(meta["suppression_note"])
    doc.add_paragraph("How the sentences are decided", style="Heading 2")
    for text in RULES:
        doc.add_paragraph(text)
    doc.add_paragraph("Sources", style="Heading 2")
    doc.add_paragraph(
        "The authority's Annex A lists, SSDA903 returns, CIN census returns and local workforce "
        "and audit records; comparators from DfE's published statistics. Each figure's caption "
        "and notes name its source; the workbook of tables and the data dictionary give every "
        "definition."
    )


def build_annex(run: Path, meta: dict[str, str], changes: list[str],
                template: Path | None = None) -> bytes:  # fmt: skip
    """The draft's bytes (see the module's docstring)."""
    import io

    findings = read_findings(run)
    doc = _document(template)
    style = _ensure_styles(doc)
    if meta.get("mode", "published") != "published":
        header = doc.sections[0].header
        header.add_paragraph("Internal: small numbers not suppressed. Do not share outside the "
                             "council.")  # fmt: skip
    _cover(doc, meta, changes)
    if not findings:
        doc.add_paragraph("This run wrote no findings (its notebooks published none through the "
                          "report sections), so there is nothing to draft.")  # fmt: skip
    else:
        _key_findings(doc, run)
        numbers = Numbering()
        for area, name in AREAS.items():
            records = [r for r in findings if r.get("area") == area]
            if not records:
                continue
            doc.add_page_break()
            doc.add_paragraph(name, style="Heading 1")
            doc.add_paragraph("Indicator by indicator", style="Heading 2")
            for rec in records:
                _indicator(doc, run, rec, style, numbers)
        _notes(doc, meta)
    core = doc.core_properties
    core.title = f"Self-evaluation evidence annex: {meta.get('authority', '')}"
    core.author = "sefanalysis"
    core.comments = meta.get("suppression_note", "")
    core.created = core.modified = dt.datetime(2000, 1, 1)  # the run date is on the cover
    core.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def write_annex(run: str | Path, out: str | Path, meta: dict[str, str], changes: list[str],
                template: Path | None = None) -> Path:  # fmt: skip
    """Write the draft to ``out`` (see :func:`build_annex`). A rerun whose findings, charts,
    cover and template are the same reuses the draft (``cache``)."""
    from ..cache import cached

    run, out = Path(run), Path(out)
    findings = run / "findings.csv"
    inputs = {
        "findings": findings.read_bytes() if findings.is_file() else b"",
        "charts": {p.name: p.read_bytes() for p in sorted((run / "charts").glob("*.json"))}
        | {p.name: p.read_bytes() for p in sorted((run / "charts").glob("*.png"))},
        "template": template.read_bytes() if template is not None else b"",
    }
    content = cached(
        "annex",
        (inputs, meta, changes),
        lambda: build_annex(run, copy.deepcopy(meta), changes, template),
    )
    out.write_bytes(content)
    return out
