"""Read Ofsted Annex A lists from a workbook (one sheet per list) or a folder of CSVs.

Sheets are found by name ("List 3", "List_3", "list3", "List 3 - Referrals"); the heading row is
the first of the top ten rows that matches the list's headings (Ofsted's template has a title row
above it). Headings, codes and dates are matched tolerantly (see :mod:`.parse`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .annex_a_spec import ANNEX_A, LISTS_BY_NUMBER, ListSpec
from .parse import (
    blank_mask,
    norm_heading,
    parse_codes,
    parse_dates,
    parse_ids,
    parse_ints,
    parse_numbers,
    parse_text,
)
from .problems import FATAL, WARNING, FileSummary, ProblemLog

_LIST_NAME = re.compile(r"^\s*list\s*[_\-\s]?\s*(\d{1,2})(?!\d)", re.IGNORECASE)
HEADER_SCAN_ROWS = 10


def empty_list(spec: ListSpec) -> pd.DataFrame:
    """A zero-row frame with the list's canonical columns and types."""
    frame = pd.DataFrame({c.key: pd.Series(dtype=_dtype(c.kind)) for c in spec.columns})
    frame["_row"] = pd.Series(dtype="Int64")
    return frame


def _dtype(kind: str) -> str:
    return {"date": "datetime64[ns]", "int": "Int64", "number": "Float64"}.get(kind, "string")


def list_number(sheet_or_file_name: str) -> int | None:
    """The Annex A list number a sheet or CSV file name refers to, if any."""
    match = _LIST_NAME.match(Path(sheet_or_file_name).stem)
    return int(match.group(1)) if match else None


def _heading_index(spec: ListSpec) -> dict[str, str]:
    index: dict[str, str] = {}
    for col in spec.columns:
        for heading in (col.heading, *col.aliases):
            index[norm_heading(heading)] = col.key
    return index


def _find_header(raw: pd.DataFrame, spec: ListSpec) -> tuple[int, int]:
    """(row position of the heading row, number of headings matched) within the first rows."""
    index = _heading_index(spec)
    best = (0, 0)
    for pos in range(min(HEADER_SCAN_ROWS, len(raw))):
        hits = sum(norm_heading(v) in index for v in raw.iloc[pos].tolist() if pd.notna(v))
        if hits > best[1]:
            best = (pos, hits)
    return best


def parse_list(
    raw: pd.DataFrame, spec: ListSpec, log: ProblemLog, file: str, sheet: str = ""
) -> pd.DataFrame:
    """Turn one raw sheet (no header applied) into the canonical, typed list frame."""
    if raw.empty:
        log.files.append(FileSummary(file, sheet, spec.key, 0))
        log.add(WARNING, "no rows", file, sheet=sheet, expected=f"{spec.label} rows")
        return empty_list(spec)
    header_pos, hits = _find_header(raw, spec)
    if hits < 2:
        log.add(FATAL, "not an Annex A list", file, sheet=sheet, row=1,
                expected=f"the headings of {spec.label}, e.g. "
                f"{spec.columns[0].heading!r}")  # fmt: skip
        return empty_list(spec)
    index = _heading_index(spec)
    headings = raw.iloc[header_pos].tolist()
    body = raw.iloc[header_pos + 1 :]
    # Rows that are entirely blank (template padding) are not data.
    body = body.loc[~body.isna().all(axis=1)]
    first_row_number = header_pos + 2  # 1-based spreadsheet row of the first data row
    rows = pd.Series(body.index.to_numpy() - header_pos - 1 + first_row_number, index=body.index)
    out = pd.DataFrame(index=body.index)
    seen: set[str] = set()
    for pos, heading in enumerate(headings):
        key = index.get(norm_heading(heading)) if pd.notna(heading) else None
        if key is None or key in seen:
            continue
        seen.add(key)
        col = spec.column(key)
        where = dict(file=file, sheet=sheet, rows=rows, column=str(heading).strip())
        values = body.iloc[:, pos]
        if col.kind == "date":
            out[key], problems = parse_dates(values, **where)
        elif col.kind == "int":
            out[key], problems = parse_ints(values, **where)
        elif col.kind == "number":
            out[key], problems = parse_numbers(values, **where)
        elif col.kind == "code":
            out[key], problems = parse_codes(values, col.codes or {}, **where)
        elif col.kind == "id":
            out[key], problems = parse_ids(values), None
        else:
            out[key], problems = parse_text(values), None
        if problems is not None and not problems.empty:
            log.add_many(problems)
    for col in spec.columns:
        if col.key not in seen and (col.required or spec.number):
            log.add(FATAL if col.required else WARNING, "missing column", file, sheet=sheet,
                    row=header_pos + 1, column=col.heading,
                    expected=f"a column headed {col.heading!r}")  # fmt: skip
        if col.key not in seen:
            out[col.key] = pd.Series(pd.NA, index=out.index, dtype=_dtype(col.kind))
    out["_row"] = rows.astype("Int64")
    out = out.reset_index(drop=True)
    summary = FileSummary(file, sheet, spec.key, len(out))
    log.files.append(summary)
    if out.empty:
        log.add(
            WARNING,
            "no rows",
            file,
            sheet=sheet,
            expected=f"{spec.label} rows under the heading row; the table is empty",
        )
    out = _reject_rows(out, spec, log, summary, file, sheet)
    return out[[c.key for c in spec.columns] + ["_row"]]


def _reject_rows(
    frame: pd.DataFrame,
    spec: ListSpec,
    log: ProblemLog,
    summary: FileSummary,
    file: str,
    sheet: str,
) -> pd.DataFrame:
    """Remove rows that no indicator can use, reporting each: missing key values, duplicates,
    and (where the list says so) end dates before start dates."""
    keep = pd.Series(True, index=frame.index)
    for key in spec.required_values:
        missing = frame[key].isna() & keep
        heading = spec.column(key).heading
        for row in frame.loc[missing, "_row"]:
            log.add(
                WARNING,
                "missing required value",
                file,
                sheet=sheet,
                row=row,
                column=heading,
                expected=f"a value in {heading!r}; row excluded",
            )
        keep &= ~missing
    for start, end, action in spec.intervals:
        bad = (frame[end] < frame[start]).fillna(False) & keep
        for rec in frame.loc[bad, ["_row", start, end]].itertuples(index=False):
            log.add(
                WARNING,
                "end before start",
                file,
                sheet=sheet,
                row=rec[0],
                column=spec.column(end).heading,
                value=f"{rec[2]:%d/%m/%Y}",
                expected=f"a date on or after {spec.column(start).heading!r} "
                f"({rec[1]:%d/%m/%Y})"
                + (
                    "; row excluded"
                    if action == "reject"
                    else "; excluded from timeliness measures"
                ),
            )
        if action == "reject":
            keep &= ~bad
    # Only tables with an identifier can hold true duplicates (two audits alike are two audits).
    data_cols = [c.key for c in spec.columns]
    has_id = any(c.kind == "id" for c in spec.columns)
    dup = (frame[data_cols].duplicated() if has_id else pd.Series(False, index=frame.index)) & keep
    for row in frame.loc[dup, "_row"]:
        log.add(
            WARNING,
            "duplicate row",
            file,
            sheet=sheet,
            row=row,
            expected="each row once; the repeat is excluded",
        )
    keep &= ~dup
    summary.rows_rejected = int((~keep).sum())
    return frame.loc[keep].reset_index(drop=True)


def read_annex_a_workbook(path: Path, log: ProblemLog) -> dict[str, pd.DataFrame]:
    """All lists from an Annex A workbook; a list with no sheet is reported and left empty."""
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine",
                               dtype=object)  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - any reader failure means "not a workbook"
        log.add(
            FATAL,
            "unreadable file",
            str(path),
            value=type(exc).__name__,
            expected="an Excel workbook (.xlsx) with one sheet per Annex A list",
        )
        return {spec.key: empty_list(spec) for spec in ANNEX_A}
    found: dict[int, tuple[str, pd.DataFrame]] = {}
    for name, raw in sheets.items():
        number = list_number(str(name))
        if number in LISTS_BY_NUMBER and number not in found:
            found[number] = (str(name), raw)
    return _collect(found, log, str(path))


def read_annex_a_csv_dir(path: Path, log: ProblemLog) -> dict[str, pd.DataFrame]:
    """All lists from a folder of CSV files named after their list ("list_3.csv", ...)."""
    found: dict[int, tuple[str, pd.DataFrame]] = {}
    for file in sorted(path.glob("*.csv")):
        number = list_number(file.name)
        if number not in LISTS_BY_NUMBER:
            log.add(WARNING, "unrecognised file", str(file), expected="a name such as list_3.csv")
            continue
        raw = read_csv_raw(file, log)
        if raw is not None:
            found[number] = (str(file), raw)
    return _collect(found, log, str(path), per_file=True)


def read_csv_raw(file: Path, log: ProblemLog) -> pd.DataFrame | None:
    """A CSV as untyped text cells with no header applied (UTF-8 with or without BOM, or cp1252)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(file, header=None, dtype=object, encoding=encoding,
                               keep_default_na=False, na_values=[""])  # fmt: skip
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            return pd.DataFrame()
        except (pd.errors.ParserError, ValueError) as exc:
            log.add(
                FATAL,
                "unreadable file",
                str(file),
                value=str(exc).splitlines()[0],
                expected="a comma-separated text file with one heading row",
            )
            return None
    log.add(FATAL, "unreadable file", str(file), expected="UTF-8 or Windows-1252 text")
    return None


def _collect(
    found: dict[int, tuple[str, pd.DataFrame]], log: ProblemLog, source: str, per_file: bool = False
) -> dict[str, pd.DataFrame]:
    lists: dict[str, pd.DataFrame] = {}
    for spec in ANNEX_A:
        if spec.number not in found:
            log.add(WARNING, "missing list", source,
                    expected=f"a sheet or file for List {spec.number} ({spec.title}); "
                    "indicators from it will be missing")  # fmt: skip
            lists[spec.key] = empty_list(spec)
            continue
        name, raw = found[spec.number]
        file, sheet = (name, "") if per_file else (source, name)
        lists[spec.key] = parse_list(raw, spec, log, file, sheet)
    return lists


__all__ = ["read_annex_a_workbook", "read_annex_a_csv_dir", "parse_list", "blank_mask"]
