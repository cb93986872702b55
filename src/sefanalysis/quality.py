"""The data-quality report: every file in the data folder and how it was used, what was read,
what was rejected and why.

Two forms: a detailed list (file, sheet, row, column, value, expected) for analysts, and a
summary by file, problem and column for reviewers, which holds no child-level values. File
names, sheet names and headings come from the user's files: the HTML escapes every one
(``table_html`` escapes every cell).
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from .dataset import Dataset
from .report.display import table_html
from .safe_output import csv_bytes


def summary(ds: Dataset) -> pd.DataFrame:
    """Problems counted by severity, file, sheet, kind and column (no values, no row numbers)."""
    problems = ds.problems
    if problems.empty:
        return pd.DataFrame(columns=["severity", "file", "sheet", "kind", "column", "count"])
    problems = problems.assign(file=problems["file"].map(lambda f: _relative(ds.path, f)))
    grouped = problems.groupby(["severity", "file", "sheet", "kind", "column"], dropna=False)
    return grouped.size().rename("count").reset_index()


def inventory_table(ds: Dataset) -> pd.DataFrame:
    """Every file in the data folder (relative to it): status, taken as, how or why not."""
    inv = ds.inventory()
    if inv.empty:
        return inv
    return inv.assign(file=inv["file"].map(lambda f: _relative(ds.path, f)))


def _relative(root: Path, file: str) -> str:
    """A path as the user knows it: within the data folder (ssda903/2024-25/header.csv)."""
    try:
        return Path(file).relative_to(root).as_posix() or Path(file).name
    except ValueError:
        return Path(file).name


def files_table(ds: Dataset) -> pd.DataFrame:
    files = ds.files()
    if files.empty:
        return files
    return files.assign(file=files["file"].map(lambda f: _relative(ds.path, f)))


def print_report(ds: Dataset, limit: int = 50) -> str:
    """Plain-text report for ``sefanalysis validate``."""
    lines = [f"Data-quality report for {ds.path}", ""]
    files = files_table(ds)
    if not files.empty:
        lines.append("Files read:")
        for rec in files.itertuples(index=False):
            where = rec.file + (f" [{rec.sheet}]" if rec.sheet else "")
            lines.append(f"  {where}: {rec.rows_read} rows read, {rec.rows_rejected} rejected")
        lines.append("")
    inventory = inventory_table(ds)
    if not inventory.empty:
        lines.append("Every file in the data folder:")
        for rec in inventory.itertuples(index=False):
            use = f"{rec.taken_as} ({rec.how})" if rec.taken_as else rec.how
            lines.append(f"  {rec.status:<8}  {rec.file}: {use}")
        lines.append("")
    if ds.absent_lists:
        lines += [
            "Annex A lists not supplied (their indicators are missing): "
            + ", ".join(ds.absent_lists),
            "",
        ]
    problems = ds.log.problems
    fatal = [p for p in problems if p.severity == "fatal"]
    lines.append(f"{len(problems)} problem(s), {len(fatal)} fatal.")
    for p in (fatal + [p for p in problems if p.severity != "fatal"])[:limit]:
        lines.append("  " + p.line())
    if len(problems) > limit:
        lines.append(f"  ... and {len(problems) - limit} more (see the CSV report)")
    return "\n".join(lines)


def write_reports(ds: Dataset, folder: Path, analyst_folder: Path) -> None:
    """``data_quality.html`` (summary, for reviewers) and the detailed CSV for analysts."""
    folder.mkdir(parents=True, exist_ok=True)
    analyst_folder.mkdir(parents=True, exist_ok=True)
    (analyst_folder / "data_quality_detail.csv").write_bytes(csv_bytes(ds.problems))
    summ = summary(ds)
    (folder / "data_quality_summary.csv").write_bytes(csv_bytes(summ))
    files = files_table(ds).drop(columns=["sha256"], errors="ignore")
    absent = (
        "<p>Annex A lists not supplied (their indicators are shown as missing): "
        + html.escape(", ".join(ds.absent_lists))
        + ".</p>"
        if ds.absent_lists
        else ""
    )
    body = (
        "<h1>Data-quality report</h1>"
        f"<p>{len(ds.problems)} problem(s) were found. Rows with a problem are left out of the "
        "measures they affect only. The row-by-row list is in the analyst folder.</p>"
        + absent
        + table_html(
            inventory_table(ds),
            "Every file in the data folder and how it was used",
            "tbl-inventory",
        )
        + table_html(files, "Tables read, with rows read and rejected", "tbl-files")
        + table_html(summ, "Problems by file, kind and column", "tbl-problems")
    )
    (folder / "data_quality.html").write_text(_page("Data-quality report", body), encoding="utf-8")


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{html.escape(title)}'
        "</title><style>body{font-family:Arial,sans-serif;max-width:60rem;margin:auto;"
        "padding:1rem}table{border-collapse:collapse}th,td{border-bottom:1px solid #b1b4b6;"
        "padding:.3rem .6rem;text-align:left}caption{text-align:left;font-weight:bold}"
        f"</style></head><body><main>{body}</main></body></html>"
    )
