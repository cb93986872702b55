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
from .report.pages import page
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
    # the log's records as they are (what files_table and inventory_table hold, without
    # building frames for a few lines of text)
    if ds.log.files:
        lines.append("Files read:")
        for rec in ds.log.files:
            where = _relative(ds.path, rec.file) + (f" [{rec.sheet}]" if rec.sheet else "")
            lines.append(f"  {where}: {rec.rows_read} rows read, {rec.rows_rejected} rejected")
        lines.append("")
    if ds.log.inventory:
        lines.append("Every file in the data folder:")
        for use in ds.log.inventory:
            how = f"{use.taken_as} ({use.how})" if use.taken_as else use.how
            lines.append(f"  {use.status:<8}  {_relative(ds.path, use.file)}: {how}")
        lines.append("")
    absent = ds.absent_lists
    if absent:
        lines += ["Annex A lists not supplied (their indicators are missing): " + ", ".join(absent)]
        lines.append("")
    problems = ds.log.problems
    fatal = [p for p in problems if p.severity == "fatal"]
    lines.append(f"{len(problems)} problem(s), {len(fatal)} fatal.")
    # then whole files (unreadable, not used) before row-level problems, which can run to
    # thousands and would push them past the limit
    files_first = sorted(
        (p for p in problems if p.severity != "fatal"), key=lambda p: p.row is not None
    )
    for p in (fatal + files_first)[:limit]:
        lines.append("  " + p.line())
    if len(problems) > limit:
        lines.append(f"  ... and {len(problems) - limit} more (see the CSV report)")
    return "\n".join(lines)


def write_reports(
    ds: Dataset, folder: Path, analyst_folder: Path, meta: dict[str, str] | None = None
) -> None:
    """``data_quality.html`` for reviewers (in plain words: what was read, what was set aside
    and why, with no child-level values), the problem counts as CSV, and for analysts the
    row-by-row list (``data_quality_detail.csv``) and the detailed page
    (``data_quality.html`` in ``analyst_folder``: how each file was recognised)."""
    folder.mkdir(parents=True, exist_ok=True)
    analyst_folder.mkdir(parents=True, exist_ok=True)
    (analyst_folder / "data_quality_detail.csv").write_bytes(csv_bytes(ds.problems))
    summ = summary(ds)
    (folder / "data_quality_summary.csv").write_bytes(csv_bytes(summ))
    files = files_table(ds).drop(columns=["sha256"], errors="ignore")
    inventory = inventory_table(ds)
    absent = (
        "<p>Annex A lists not supplied (their indicators are shown as missing): "
        + html.escape(", ".join(ds.absent_lists))
        + ".</p>"
        if ds.absent_lists
        else ""
    )
    detail = (
        "<h1>Data-quality report (analysts)</h1>"
        f"<p>{len(ds.problems)} problem(s) were found. The row-by-row list is "
        "data_quality_detail.csv beside this page.</p>"
        + absent
        + table_html(inventory, "Every file in the data folder and how it was used", "tbl-inv")
        + table_html(files, "Tables read, with rows read and rejected", "tbl-files")
        + table_html(summ, "Problems by file, kind and column", "tbl-problems")
    )
    (analyst_folder / "data_quality.html").write_text(
        page("Data-quality report (analysts)", detail, links=False), encoding="utf-8"
    )
    (folder / "data_quality.html").write_text(
        page("Data quality", reviewer_body(ds, summ, files, inventory), meta or {}),
        encoding="utf-8",
    )


def _n(value: object) -> str:
    return f"{int(value):,}"


def reviewer_body(
    ds: Dataset, summ: pd.DataFrame, files: pd.DataFrame, inventory: pd.DataFrame
) -> str:
    """The data-quality page in plain words: how many files and rows were read, every problem
    by file and kind (or that none was found), the Annex A lists not supplied, and every file
    in the data folder with what it was read as or why it was not used."""
    e = html.escape
    n_files = len(inventory)
    n_read = int((inventory["status"] == "read").sum()) if n_files else 0
    rows = int(files["rows_read"].sum()) if len(files) else 0
    rejected = int(files["rows_rejected"].sum()) if len(files) else 0
    parts = [
        "<h1>Data quality</h1>",
        f'<p class="sef-lead">The data folder held {_n(n_files)} file(s): {_n(n_read)} read '
        f"and {_n(n_files - n_read)} not used. {_n(rows)} rows were read from "
        f"{_n(len(files))} table(s); {_n(rejected)} row(s) were set aside because of a "
        "problem, and are left out of the measures they affect only. No child-level detail "
        "is shown here: analysts have the row-by-row list in the analyst folder.</p>",
        '<h2 id="problems">Problems found</h2>',
    ]
    if summ.empty:
        parts.append("<p>No problems were found in the data.</p>")
    else:
        stops = int(summ.loc[summ["severity"] == "fatal", "count"].sum())
        parts.append(
            f"<p>{_n(summ['count'].sum())} problem(s) were found"
            + (f"; {_n(stops)} stopped the run" if stops else "")
            + ".</p>"
        )
        table = pd.DataFrame(
            {
                "File": [
                    f + (f" ({sh})" if sh else "")
                    for f, sh in zip(summ["file"], summ["sheet"].fillna(""), strict=True)
                ],
                "Problem": summ["kind"].astype(str).str.capitalize(),
                "Column": summ["column"].fillna("").replace("", "–"),
                "Rows or values": summ["count"].map(_n),
                "Effect": summ["severity"]
                .map({"fatal": "Stopped the run", "warning": "Left out of the measures it affects"})
                .fillna(summ["severity"]),
            }
        )
        parts.append(table_html(table, "Problems by file and kind", "tbl-problems"))
    if ds.absent_lists:
        parts.append(
            '<h2 id="absent">Annex A lists not supplied</h2><p>Their indicators are shown as '
            "missing, with the reason: " + e(", ".join(ds.absent_lists)) + ".</p>"
        )
    if len(files):
        read = pd.DataFrame(
            {
                "File": [
                    f + (f" ({sh})" if sh else "")
                    for f, sh in zip(files["file"], files["sheet"].fillna(""), strict=True)
                ],
                "Read as": files["table"].astype(str).str.replace("_", " ").str.capitalize(),
                "Rows read": files["rows_read"].map(_n),
                "Rows set aside": files["rows_rejected"].map(_n),
            }
        )
        parts.append('<h2 id="read">What was read</h2>')
        parts.append(table_html(read, "Rows read and set aside, by file and table", "tbl-files"))
    if n_files:
        used = pd.DataFrame(
            {
                "File": inventory["file"],
                "Used": inventory["status"]
                .map({"read": "Read", "not used": "Not used"})
                .fillna(inventory["status"]),
                "Read as, or why not": [
                    t if s == "read" else h
                    for t, h, s in zip(
                        inventory["taken_as"], inventory["how"], inventory["status"], strict=True
                    )
                ],
            }
        )
        parts.append('<h2 id="files">Every file in the data folder</h2>')
        parts.append(
            table_html(used, "Every file in the data folder and how it was used", "tbl-inventory")
        )
    return "".join(parts)


def _page(title: str, body: str) -> str:
    """A page outside a run folder (the many-authority summary): no links to run pages."""
    return page(title, body, links=False)
