"""The run's workbook of tables, to the Analysis Function's guidance on releasing statistics in
spreadsheets, written with its own library (``gptables``).

- Every figure is a number Excel can sum, with the number format it is published with
  (``#,##0`` for counts, ``#,##0.0`` for percentages and rates); a cell without one holds its
  symbol: ``[c]`` suppressed, ``[x]`` not available, ``[z]`` not applicable (the cover and
  each sheet say what they mean).
- Each table is an Excel table with a header row, on its own sheet, with its title, what it
  covers and its source above it. Sheets are ordered and named by judgement area and
  indicator (``HP03 Referrals received``), as the registry orders them: each area's summary
  first, then each indicator's trend followed by its breakdowns.
- Notes are on a Notes sheet and referred to as ``[note 3]``: a note that applies to every row
  of a table goes in its title, one that applies to some rows in its Notes column.
- A cover: the authority, the period, the run date, a contact (``contact_name`` and
  ``contact_email`` in authority.yaml), the version and what changed since the last run.

The sheets are written from the tidy CSVs under ``tables/`` and their descriptions
(``<name>.json``, see :mod:`sefanalysis.report.tables`): the workbook shows exactly what the
CSVs publish, so the run's disclosure audit of the CSVs covers it. Text from the inputs never
becomes a formula or a link (:func:`inert`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from ..safe_output import escape

AREA_CODES = {"help_protection": "HP", "children_in_care": "CC", "care_leavers": "CL",
              "leadership": "LD"}  # fmt: skip
OTHER = "ZZ"  # tables no report section described (e.g. an analyst's own)
BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
SYMBOL_ONLY = re.compile(r"^[^A-Za-z0-9]+$")
INTERNAL_COLUMN = "Disclosure"


def inert(text: object) -> object:
    """Text as a workbook shows it and never runs: a leading apostrophe where a spreadsheet
    would read a formula (``safe_output``), and gptables' own markup (``[text](url)`` makes a
    link, ``$$ref$$`` a note reference) broken up, so input text stays text."""
    if not isinstance(text, str):
        return text
    text = text.replace("](", "] (").replace("$$", "$ $")
    return escape(text)


@dataclass
class Sheet:
    stem: str
    name: str  # the worksheet's name (31 characters at most)
    order: tuple
    area: str
    description: dict


def _describe(stem: str, description: dict | None) -> dict:
    """The table's description: its own (``<name>.json``), or one made from its file name."""
    if description:
        return description
    return {"name": stem, "title": stem.replace("_", " ").capitalize(), "subtitles": [],
            "source": "", "indicator_id": "", "area": "", "kind": "", "numbers": {},
            "row_units": None}  # fmt: skip


def plan_sheets(descriptions: dict[str, dict | None]) -> list[Sheet]:
    """Each table's sheet, named and ordered by judgement area and indicator (registry order):
    the area's summary (``HP00``), then each indicator's trend (``HP01``, ``HP02``, ...)
    followed by its breakdowns (``HP05a``) and the area's other tables; tables of no area last."""
    from ..indicators import load_all
    from ..indicators.registry import AREAS, REGISTRY

    load_all()
    position = {ind_id: n for n, ind_id in enumerate(REGISTRY)}
    areas = list(AREAS)
    number: dict[str, int] = {}
    for area in areas:  # indicators numbered within their area, as the registry orders them
        for n, ind in enumerate((i for i in REGISTRY.values() if i.area == area), start=1):
            number[ind.id] = n
    sheets = []
    for stem, given in descriptions.items():
        desc = _describe(stem, given)
        area = desc.get("area") or ""
        ind_id = desc.get("indicator_id") or ""
        kind = desc.get("kind") or ""
        if area not in AREAS:
            area = ""
        rank = areas.index(area) if area else len(areas)
        if kind == "summary":
            order, label = (rank, -1, 0, stem), "00"
        elif ind_id in REGISTRY:
            n = number[ind_id]
            order = (rank, position[ind_id], 0 if kind == "trend" else 1, stem)
            label = f"{n:02d}"
        else:
            order, label = (rank, len(position), 2, stem), "99"
        sheets.append(Sheet(stem, label, order, area, desc))
    sheets.sort(key=lambda s: s.order)
    used: set[str] = set()
    suffixes = "abcdefghijklmnopqrstuvwxyz"
    for sheet in sheets:
        code = AREA_CODES.get(sheet.area, OTHER)
        words = _sheet_words(sheet)
        prefix = f"{code}{sheet.name}"
        name = prefix
        for extra in ["", *suffixes]:
            name = f"{prefix}{extra}"
            if name not in used:
                break
        used.add(name)
        sheet.name = _fit(BAD_SHEET_CHARACTERS.sub("-", f"{name} {words}"))
    return sheets


def _fit(name: str, limit: int = 31) -> str:
    """A sheet name within Excel's 31 characters, cut at a word."""
    if len(name) <= limit:
        return name
    cut = name[: limit + 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,-") if len(cut) > 8 else name[:limit]


def _sheet_words(sheet: Sheet) -> str:
    from ..indicators.registry import REGISTRY

    desc = sheet.description
    kind = desc.get("kind")
    ind = REGISTRY.get(desc.get("indicator_id") or "")
    if kind == "summary":
        return "Summary"
    if kind == "distribution" and desc.get("name", "").count("_by_"):
        return "By " + desc["name"].rsplit("_by_", 1)[1].replace("_", " ")
    if kind == "reconciliation":
        return "Census and Annex A"
    if ind is not None:
        return ind.short_title or ind.title
    return sheet.stem.replace("_", " ")


def _read_csv(content: bytes) -> tuple[list[str], list[list[str]]]:
    header, *rows = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
    return header, [row + [""] * (len(header) - len(row)) for row in rows]


def _number(text: str) -> float | int | None:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    if math.isnan(value) or math.isinf(value):
        return None
    return int(value) if value.is_integer() and "." not in text else value


@dataclass
class Notes:
    """Every note of the workbook, numbered in the order first used."""

    texts: list[str]

    def ref(self, text: str) -> str:
        if text not in self.texts:
            self.texts.append(text)
        return f"[note {self.texts.index(text) + 1}]"


def _frame(content: bytes, desc: dict, notes: Notes) -> tuple[object, list[dict], list[str]]:
    """A table's frame for the workbook: numbers as numbers (or the cell's symbol), the number
    formats, and notes moved to the Notes sheet."""
    import pandas as pd

    from .tables import number_format

    header, rows = _read_csv(content)
    numbers: dict[str, dict] = desc.get("numbers") or {}
    markers = {spec["marker"] for spec in numbers.values()}
    row_units = desc.get("row_units")
    keep = [h for h in header if h not in markers and h != INTERNAL_COLUMN]
    columns: dict[str, list] = {h: [] for h in keep}
    at = {h: i for i, h in enumerate(header)}
    for row in rows:
        for h in keep:
            text = row[at[h]]
            spec = numbers.get(h)
            if spec is not None:
                marker = row[at[spec["marker"]]] if spec["marker"] in at else ""
                value = _number(text)
                columns[h].append(marker or (value if value is not None else "[x]"))
            elif not numbers and _number(text) is not None:  # a table described by no one
                columns[h].append(_number(text))
            else:
                columns[h].append(inert(text) if text and not SYMBOL_ONLY.match(text) else
                                  ("[x]" if text else None))  # fmt: skip
    frame = pd.DataFrame(columns, columns=keep)
    titles_notes = []
    for h in [h for h in keep if h.lower() in {"note", "notes"}]:
        texts = [t for t in frame[h] if isinstance(t, str) and t]
        if texts and len(set(texts)) == 1 and len(texts) == len(frame):
            titles_notes.append(notes.ref(texts[0]))  # the same note on every row: the title's
            frame = frame.drop(columns=h)
        else:
            frame[h] = [notes.ref(t) if isinstance(t, str) and t else None for t in frame[h]]
    formats = []
    for h in frame.columns:
        spec = numbers.get(h)
        if spec is not None and spec["unit"] != "row":
            formats.append({"column": {"columns": [h], "format":
                                       {"num_format": number_format(spec["unit"])}}})  # fmt: skip
    if row_units and any(spec["unit"] == "row" for spec in numbers.values()):
        for i, unit in enumerate(row_units):
            style = {"num_format": number_format(unit)}
            formats.append({"row": {"rows": [i + 1], "format": style}})  # row 0: headings
    return frame, formats, titles_notes


def build_workbook(tables: dict[str, tuple[bytes, dict | None]], meta: dict[str, str],
                   changes: list[str]) -> bytes:  # fmt: skip
    """The workbook's bytes from each table's CSV and description."""
    import gptables as gpt
    import pandas as pd

    from .tables import SYMBOLS

    notes = Notes([])
    internal = meta.get("mode", "published") != "published"
    sheets = {}
    for sheet in plan_sheets({stem: desc for stem, (_, desc) in tables.items()}):
        desc = sheet.description
        frame, formats, title_notes = _frame(tables[sheet.stem][0], desc, notes)
        used = sorted({v for col in frame.columns for v in frame[col]
                       if isinstance(v, str) and v in SYMBOLS})  # fmt: skip
        subtitles = [inert(s) for s in desc.get("subtitles") or []]
        if internal:
            subtitles.append("Internal: small numbers are not suppressed. Do not share outside "
                             "the council.")  # fmt: skip
        title = inert(desc.get("title") or sheet.stem) + "".join(f" {n}" for n in title_notes)
        sheets[sheet.name] = gpt.GPTable(
            table=frame,
            table_name="Table_" + re.sub(r"\W", "_", sheet.name.split(" ")[0] + "_" + sheet.stem),
            title=title,
            subtitles=subtitles,
            instructions="This worksheet contains one table. Notes are on the Notes worksheet; "
            "symbols in cells are explained below the title.",
            legend=[f"{m} = {SYMBOLS[m]}" for m in used],
            source=f"Source: {inert(desc['source'])}" if desc.get("source") else None,
            index_columns={2: 0},
            additional_formatting=formats,
        )
    cover = _cover(meta, changes)
    notes_table = pd.DataFrame({"ref": [f"n{i}" for i in range(len(notes.texts))],
                                "Note text": [inert(t) for t in notes.texts]})  # fmt: skip
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # gptables warns of blank cells (a row without a note) and of notes referred to in
        # cells rather than titles: both are as intended here
        warnings.simplefilter("ignore")
        book = gpt.produce_workbook(
            buffer,
            sheets,
            cover=cover,
            contentsheet_options={"additional_elements": ["subtitles"]},
            notes_table=notes_table if len(notes_table) else _no_notes(),
            workbook_options={
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "in_memory": True,
            },  # fmt: skip
        )
        book.set_properties({"title": inert(meta.get("title", "Self-evaluation tables")),
                             "author": "sefanalysis",
                             "comments": meta.get("suppression_note", "")})  # fmt: skip
        book.close()
    return buffer.getvalue()


def _no_notes():
    import pandas as pd

    return pd.DataFrame({"ref": ["n0"], "Note text": ["No table in this workbook has a note."]})


def _cover(meta: dict[str, str], changes: list[str]):
    import gptables as gpt

    from .tables import SYMBOLS

    contact = [inert(meta[k]) for k in ("contact_name", "contact_email") if meta.get(k)]
    if not contact:
        contact = ["No contact is given: add contact_name and contact_email to authority.yaml."]
    bold = {"bold": True}
    return gpt.Cover(
        title=inert(f"Self-evaluation evidence tables: {meta.get('authority', '')}"),
        intro=[
            inert(f"Authority: {meta.get('authority', '')}"),
            inert(
                f"Period: the quarter ending {meta.get('period_end', '')} (flow measures "
                "cover the 12 months to that date; snapshot measures are at that date)"
            ),
            inert(f"Data extracted: {meta.get('extract_date', '')}"),
            inert(f"Run date: {meta.get('run_date', '')}"),
            inert(
                f"Version: sefanalysis {meta.get('version', '')}, commit {meta.get('commit', '')}"
            ),
            inert(meta.get("mode_note", "")),
        ],  # fmt: skip
        about=[
            [bold, "What changed since the last run"],
            *[inert(line) for line in changes],
            [bold, "Symbols used"],
            *[f"{m} = {text}" for m, text in SYMBOLS.items()],
            inert(meta.get("suppression_note", "")),
            [bold, "How the sheets are ordered"],
            "By judgement area (HP help and protection, CC children in care, CL care leavers, "
            "LD impact of leaders), then by indicator: each area's summary (00) first, then "
            "each indicator's trend over eight quarter ends followed by its breakdowns.",
            "Every figure is stored as a number with its number format; percentages are "
            "percentages (0 to 100), with the unit in each column's heading or the Unit column.",
            [bold, "Sources"],
            "The authority's Annex A lists, SSDA903 returns, CIN census returns and local "
            "workforce and audit records; comparators from DfE's published statistics. Each "
            "table names its source.",
        ],
        contact=contact,
    )


def changes_since(previous: Path | None, current: Path, meta: dict[str, str]) -> list[str]:
    """What changed since the run ``previous`` (the run folder this run replaces), from the
    two runs' ``findings.csv``: figures revised for the same period, indicators added or no
    longer reported, and the version (this run's in ``meta``)."""
    prev_findings = previous / "findings.csv" if previous is not None else None
    if prev_findings is None or not prev_findings.is_file():
        return ["This is the first run into this folder: there is no earlier run to compare."]
    before = _findings(prev_findings)
    now = _findings(current / "findings.csv")
    lines = []
    old = _manifest(previous)
    if (old.get("git_commit"), old.get("sefanalysis")) != (meta.get("commit"), meta.get("version")):
        lines.append(f"The earlier run was made with sefanalysis {old.get('sefanalysis', '?')} "
                     f"(commit {old.get('git_commit', '?')}).")  # fmt: skip
    added = [now[k]["title"] for k in now if k not in before]
    gone = [before[k]["title"] for k in before if k not in now]
    same_period = {r["period_end"] for r in now.values()} == {
        r["period_end"] for r in before.values()
    }
    if not same_period:
        periods = sorted({r["period_end"] for r in before.values()})
        lines.append(f"The earlier run was for the period ending {', '.join(periods)}: its "
                     "figures are for a different period and are not compared.")  # fmt: skip
    else:
        revised = [now[k]["title"] for k in now if k in before and _shown(now[k], before[k])]
        if revised:
            lines.append(f"{len(revised)} figure(s) for the same period differ from the earlier "
                         f"run (revised data or methods): {'; '.join(revised)}.")  # fmt: skip
        else:
            lines.append("No published figure differs from the earlier run for this period.")
    if added:
        lines.append(f"New indicator(s): {'; '.join(added)}.")
    if gone:
        lines.append(f"No longer reported: {'; '.join(gone)}.")
    return lines


def _shown(a: dict, b: dict) -> bool:
    """Whether an indicator's published value differs between two runs (as published)."""
    from .tables import published

    def value(rec: dict) -> object:
        if rec.get("suppressed") == "True":
            return "[c]"
        number = _number(rec.get("value", ""))
        return None if number is None else published(number, rec.get("unit", ""))

    return value(a) != value(b)


def _findings(path: Path) -> dict[str, dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {row["indicator_id"]: row for row in csv.DictReader(fh)}


def _manifest(run: Path) -> dict:
    try:
        return json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def annual_meta(authority: object, mode: str) -> dict[str, str]:
    """What the workbook's and the Word draft's covers add to the run's own details: the
    contact (authority.yaml), the run date and the disclosure mode."""
    return {
        "contact_name": getattr(authority, "contact_name", ""),
        "contact_email": getattr(authority, "contact_email", ""),
        "run_date": f"{dt.date.today():%d %B %Y}",
        "mode": mode,
    }


def read_tables(tables_dir: Path) -> dict[str, tuple[bytes, dict | None]]:
    """Each CSV under ``tables_dir`` with its description (``<name>.json``), if any."""
    tables = {}
    for path in sorted(tables_dir.glob("*.csv")):
        described = path.with_suffix(".json")
        desc = None
        if described.is_file():
            try:
                desc = json.loads(described.read_text(encoding="utf-8"))
            except ValueError:
                desc = None
        tables[path.stem] = (path.read_bytes(), desc)
    return tables


def tables_workbook(
    tables_dir: str | Path, out: str | Path, meta: dict[str, str], previous: Path | None = None
) -> Path:
    """Every table of the run in one workbook (see the module's docstring). ``previous`` is the
    run folder this run replaces, for "what changed". A rerun with the same tables, cover and
    changes reuses the workbook (``cache``)."""
    from ..cache import cached

    tables_dir, out = Path(tables_dir), Path(out)
    tables = read_tables(tables_dir)
    changes = changes_since(previous, tables_dir.parent, meta)
    content = cached(
        "workbook",
        ({k: (v[0], json.dumps(v[1], sort_keys=True)) for k, v in tables.items()}, meta, changes),
        lambda: build_workbook(tables, meta, changes),
    )
    out.write_bytes(content)
    return out
