"""Checks of a run folder's safety promises (no browser needed): no markup from the inputs runs
in a page, no spreadsheet cell is a formula made from text, child-level files are readable by
their owner only, and nothing in the run or its cache is a pickle."""

from __future__ import annotations

import stat
from pathlib import Path

from bs4 import BeautifulSoup

from ..safe_output import needs_escape

ACTIVE_TAGS = ["script", "iframe", "object", "embed", "base", "form", "meta[http-equiv]"]
PRIVATE = ("analyst", ".cache")


def unsafe_html(path: str | Path) -> list[str]:
    """Markup in a page that could run or load something: a script, frame, object, form or
    refresh, an event-handler attribute (``onerror=``), or a ``javascript:`` link."""
    soup = BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")
    problems = [f"{path}: a <{tag.name}> element" for tag in soup.select(",".join(ACTIVE_TAGS))]
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            if name.lower().startswith("on"):
                problems.append(f"{path}: <{tag.name} {name}=...>")
            text = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower() in {"href", "src", "action"} and "javascript:" in text.lower():
                problems.append(f"{path}: <{tag.name} {name}={text!r}>")
    return problems


def formula_cells_csv(path: str | Path) -> list[str]:
    """Cells of a CSV file a spreadsheet would read as a formula."""
    import csv
    import io

    text = Path(path).read_text(encoding="utf-8", errors="replace")
    return [f"{path}: row {r} column {c}: {cell!r}"
            for r, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
            for c, cell in enumerate(row, start=1) if needs_escape(cell)]  # fmt: skip


def formula_cells_xlsx(path: str | Path) -> list[str]:
    """Cells of a workbook that are formulas, links to outside it, or text a spreadsheet would
    read as a formula once edited."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    problems = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                where = f"{path}: {sheet.title}!{cell.coordinate}"
                if cell.data_type == "f":
                    problems.append(f"{where} is a formula: {cell.value!r}")
                elif isinstance(cell.value, str) and needs_escape(cell.value):
                    problems.append(f"{where} reads as a formula: {cell.value!r}")
                link = cell.hyperlink.target if cell.hyperlink is not None else None
                if link:
                    problems.append(f"{where} links outside the workbook: {link!r}")
    return problems


def loose_permissions(folder: str | Path) -> list[str]:
    """Child-level folders (``analyst/``, ``.cache/``) and what is in them that anyone but
    their owner could read, write or enter."""
    problems = []
    for private in [p for p in Path(folder).rglob("*") if p.name in PRIVATE and p.is_dir()]:
        for path in [private, *private.rglob("*")]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            expected = 0o700 if path.is_dir() else 0o600
            if mode & ~expected:
                problems.append(f"{path}: mode {mode:o}, expected {expected:o} or tighter")
    return problems


def check_run_safety(folder: str | Path) -> list[str]:
    """Every problem of the above in a run folder (or a folder of run folders): its pages, CSV
    files, workbooks and permissions, and any pickle file."""
    root = Path(folder)
    problems = [f"{p}: a pickle file" for p in root.rglob("*.pickle")]
    for page in root.rglob("*.html"):
        problems += unsafe_html(page)
    for table in root.rglob("*.csv"):
        problems += formula_cells_csv(table)
    for book in root.rglob("*.xlsx"):
        problems += formula_cells_xlsx(book)
    return problems + loose_permissions(root)
