"""Read Ofsted Annex A lists from a workbook (one sheet per list) or a folder of CSVs.

Sheets and files are found by name ("List 3", "List_3", "list3", "Annex A List 3",
"List 3 - Referrals", ``list_3.CSV``); the heading row is the first of the top ten rows that
matches the list's headings (Ofsted's template has a title row above it). Headings, codes and
dates are matched tolerantly (see :mod:`.parse`). Two sheets or files for one list are a fatal
problem naming both: the loader never picks one silently.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from . import files as F
from .annex_a_spec import ANNEX_A, LISTS_BY_NUMBER, Column, ListSpec
from .cells import RawTable, Workbook, csv_table
from .parse import (
    NO_PROBLEMS,
    TEXT,
    Place,
    blank_mask,
    codes_of,
    dates_of,
    ints_of,
    norm_heading,
    numbers_of,
    text_of,
)
from .problems import FATAL, PROBLEM_COLUMNS, WARNING, FileSummary, ProblemLog

_LIST_NAME = re.compile(r"(?:^|[^a-z])list\s*[_\-\s.:]?\s*0?(\d{1,2})(?!\d)", re.IGNORECASE)
HEADER_SCAN_ROWS = 10
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")  # all read by calamine
BIRTH_KEYS = {"dob", "DOB"}  # a date of birth is not an event
EARLIEST_EVENT = pd.Timestamp("1990-01-01")
OLDEST_YEARS = 30  # no child or care leaver on a list is older (care leavers are up to 25)


def empty_list(spec: ListSpec) -> pd.DataFrame:
    """A zero-row frame with the list's canonical columns and types."""
    frame = pd.DataFrame({c.key: pd.Series(dtype=_dtype(c.kind)) for c in spec.columns})
    frame["_row"] = pd.Series(dtype="Int64")
    return frame


def _dtype(kind: str) -> str:
    return {"date": "datetime64[ns]", "int": "Int64", "number": "Float64"}.get(kind, "string")


def list_number(sheet_or_file_name: str) -> int | None:
    """The Annex A list number a sheet or CSV file name refers to, if any."""
    name = str(sheet_or_file_name)
    if name.lower().endswith(".csv"):
        name = name[:-4]
    match = _LIST_NAME.search(name)
    return int(match.group(1)) if match else None


_HEADING_INDEXES: dict[tuple, dict[str, str]] = {}


def _heading_index(spec: ListSpec) -> dict[str, str]:
    """Normalised heading (and alias) -> column key (worked out once for each list)."""
    names = tuple((col.key, col.heading, col.aliases) for col in spec.columns)
    index = _HEADING_INDEXES.get(names)
    if index is None:
        index = {norm_heading(h): key for key, heading, aliases in names
                 for h in (heading, *aliases)}  # fmt: skip
        _HEADING_INDEXES[names] = index
    return index


def find_heading_row(raw: RawTable, spec: ListSpec) -> tuple[int, int]:
    """(row position of the heading row, number of headings matched) within the first rows:
    the row naming most of ``spec``'s columns. Used by :func:`parse_list` and by the SSDA903
    reader, to parse files of one kind together only where each file's own parse would find
    its headings in the same place."""
    index = _heading_index(spec)
    every = len(set(index.values()))  # a row naming every column cannot be bettered
    best = (0, 0)
    for pos in range(min(HEADER_SCAN_ROWS, len(raw))):
        cells = [v for v in raw.row(pos) if not pd.isna(v)]
        hits = len({index[h] for h in map(norm_heading, cells) if h in index})
        if hits > best[1]:
            best = (pos, hits)
        if hits == every:
            break
    return best


def column_letter(pos: int) -> str:
    """Spreadsheet letter of a 0-based column position (0 -> A, 26 -> AA)."""
    letters = ""
    pos += 1
    while pos:
        pos, rem = divmod(pos - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def parse_list(
    raw: pd.DataFrame | RawTable,
    spec: ListSpec,
    log: ProblemLog,
    file: str,
    sheet: str = "",
    extract: pd.Timestamp | None = None,
    today: bool = False,
    categorical: bool = False,
) -> pd.DataFrame:
    """Turn one raw sheet (no header applied) into the canonical, typed list frame.

    Event dates may not follow ``extract`` (the data extract date) or, with ``today``, today's
    date (for tables that may be extracted after the lists); with neither, no date is too late.
    Each column is parsed as a whole, through its distinct values (:mod:`.cells`). With
    ``categorical``, text columns (identifiers, codes, text) of a frame with rows are
    categoricals of their distinct texts, unsorted, for :func:`sefanalysis.dataset.compact`
    to give each column name its one type without hashing every row's text again.
    """
    raw = RawTable.of(raw)
    if raw.empty:
        log.files.append(FileSummary(file, sheet, spec.key, 0))
        log.add(WARNING, "no rows", file, sheet=sheet, expected=f"{spec.label} rows")
        return empty_list(spec)
    header_pos, hits = find_heading_row(raw, spec)
    if hits < 2:
        log.add(FATAL, "not an Annex A list" if spec.number else "not the expected table", file,
                sheet=sheet, row=1, expected=f"the headings of {spec.label}, e.g. "
                f"{spec.columns[0].heading!r}")  # fmt: skip
        return empty_list(spec)
    headings = raw.row(header_pos)
    below = np.arange(header_pos + 1, len(raw))
    # Rows that are entirely blank (template padding) are not data.
    filled = np.zeros(len(below), dtype=bool)
    for cells in raw.columns:
        filled |= cells.codes[below] >= 0
    body = below[filled]
    first_row_number = header_pos + 2  # 1-based spreadsheet row of the first data row
    rows = raw.index[body] - header_pos - 1 + first_row_number
    has_values = [bool((cells.codes[body] >= 0).any()) for cells in raw.columns]
    positions = _columns(headings, has_values, spec, log, file, sheet, header_pos + 1)
    data: dict[str, object] = {}
    keys: dict[str, np.ndarray] = {}  # for text columns, a number standing for each value
    for key, pos in positions.items():
        col = spec.column(key)
        place = Place(file, sheet, rows, str(headings[pos]).strip())
        cells = raw.columns[pos].take(body)
        if col.kind == "date":
            parsed = dates_of(cells, place)
        elif col.kind == "int":
            parsed = ints_of(cells, place)
        elif col.kind == "number":
            parsed = numbers_of(cells, place)
        elif col.kind == "code":
            parsed = codes_of(cells, col.codes or {}, place, categorical)
        else:
            parsed = text_of(cells, ids=col.kind == "id", categorical=categorical)
        data[key] = parsed.values
        if parsed.keys is not None:
            keys[key] = parsed.keys
        if not parsed.problems.empty:
            log.add_many(parsed.problems)
    for col in spec.columns:
        if col.key not in positions and (col.required or spec.number):
            log.add(FATAL if col.required else WARNING, "missing column", file, sheet=sheet,
                    row=header_pos + 1, column=col.heading,
                    expected=f"a column headed {col.heading!r}")  # fmt: skip
        if col.key not in positions:
            data[col.key] = pd.Series(pd.NA, index=range(len(body)), dtype=_dtype(col.kind))
    data["_row"] = pd.array(rows, dtype="Int64")
    order = [c.key for c in spec.columns] + ["_row"]  # the frame is made in its final order
    out = pd.DataFrame({key: data[key] for key in order}, index=pd.RangeIndex(len(body)))
    heading_of = {key: str(headings[pos]).strip() for key, pos in positions.items()}
    latest = extract if extract is not None or not today else pd.Timestamp.today().normalize()
    _plausible(
        out,
        spec,
        log,
        file,
        sheet,
        latest,
        "the extract date" if extract is not None else "today",
        heading_of,
    )
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
    out = _reject_rows(out, spec, log, summary, file, sheet, keys)
    if categorical and out.empty:  # as without: compact leaves a frame without rows as it is
        out = out.astype(dict.fromkeys(keys, TEXT))
    return out


def _columns(
    headings: list[object],
    has_values: list[bool],
    spec: ListSpec,
    log: ProblemLog,
    file: str,
    sheet: str,
    heading_row: int,
) -> dict[str, int]:
    """Position of each known column. A field headed twice is fatal (which one holds the truth
    cannot be known); a heading the list does not know is reported as not read (fatal in a
    closed table, whose columns are ours), with the nearest known heading suggested."""
    index = _heading_index(spec)
    found: dict[str, list[int]] = {}
    for pos, heading in enumerate(headings):
        if pd.isna(heading) or not str(heading).strip():
            if has_values[pos]:
                log.add(
                    WARNING,
                    "column without a heading",
                    file,
                    sheet=sheet,
                    row=heading_row,
                    column=column_letter(pos),
                    expected="a heading; the column is not read",
                )
            continue
        key = index.get(norm_heading(heading))
        if key is not None:
            found.setdefault(key, []).append(pos)
            continue
        known = [c.heading for c in spec.columns]
        near = difflib.get_close_matches(str(heading), known, n=1, cutoff=0.6)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        log.add(
            FATAL if spec.closed else WARNING,
            "unknown column",
            file,
            sheet=sheet,
            row=heading_row,
            column=str(heading).strip(),
            expected=f"a column of {spec.label}{hint}"
            + ("" if spec.closed else "; this column is not read"),
        )
    for key, where in found.items():
        if len(where) > 1:
            heading = spec.column(key).heading
            log.add(
                FATAL,
                "column given twice",
                file,
                sheet=sheet,
                row=heading_row,
                column=heading,
                value=", ".join(f"{column_letter(p)} ({str(headings[p]).strip()})" for p in where),
                expected=f"one column for {heading!r}: which of them holds the data "
                "cannot be known; remove or rename the others",
            )
    return {key: where[0] for key, where in found.items()}


Texts = str | Callable[[np.ndarray], object]  # a text, or one for each of the rows picked


def _problem_frame(
    picked: np.ndarray,
    frame: pd.DataFrame,
    kind: str,
    file: str,
    sheet: str,
    column: str,
    values: Texts,
    expected: Texts,
) -> pd.DataFrame:
    """Problems for the rows of ``frame`` where ``picked`` holds; ``values`` and ``expected``
    are texts, or functions giving them for the positions of those rows only (a date written
    out for each of 50,000 rows costs more than the checks)."""
    at = np.flatnonzero(picked)
    if not len(at):
        return NO_PROBLEMS
    return pd.DataFrame(
        {
            "severity": WARNING,
            "kind": kind,
            "file": file,
            "sheet": sheet,
            "row": frame["_row"].to_numpy()[at],
            "column": column,
            "value": values(at) if callable(values) else values,
            "expected": expected(at) if callable(expected) else expected,
        },
        columns=PROBLEM_COLUMNS,
    )


def _day(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%d/%m/%Y")


def _days(dates: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """The dates at some positions written DD/MM/YYYY (empty where missing)."""
    return lambda at: _day(pd.Series(dates[at])).fillna("").to_numpy(dtype=object)


def _dates(frame: pd.DataFrame, key: str) -> np.ndarray:
    return frame[key].to_numpy(dtype="datetime64[ns]")


def _plausible(
    out: pd.DataFrame,
    spec: ListSpec,
    log: ProblemLog,
    file: str,
    sheet: str,
    latest: pd.Timestamp | None,
    cut: str,
    heading_of: dict[str, str],
) -> None:
    """Report values a person would question and leave them out (set missing): dates of birth
    more than 30 years before the ``latest`` date or after it, events before 1990, after
    ``latest`` (``cut`` names it) or before the child's birth (beyond the list's allowance for
    unborn children), and numbers outside their column's range.

    Each check reads the column as it was before any check left values out (a date before 1990
    that is also before birth is reported twice); the values shown are those still held."""
    frames = []

    def report(key: str, mask: np.ndarray, kind: str, expected: Texts) -> None:
        if mask.any():
            values = out[key]
            if values.dtype.kind == "M":
                shown: Texts = _days(values.to_numpy())
            else:
                shown = lambda at: values.iloc[at].astype("string").to_numpy()  # noqa: E731
            frames.append(
                _problem_frame(mask, out, kind, file, sheet, heading_of[key], shown, expected)
            )
            out.loc[mask, key] = pd.NaT if values.dtype.kind == "M" else pd.NA

    dated = [c for c in spec.columns if c.kind == "date" and c.key in heading_of]
    late = "date after the extract date" if cut == "the extract date" else "date in the future"
    for col in (c for c in dated if c.key in BIRTH_KEYS and latest is not None):
        born = _dates(out, col.key)
        oldest = latest - pd.DateOffset(years=OLDEST_YEARS)
        report(
            col.key,
            born < oldest.to_datetime64(),
            "implausible date of birth",
            f"a date of birth after {oldest:%d/%m/%Y} (no child or care leaver is older than "
            f"{OLDEST_YEARS}); left out of the measures",
        )
        report(
            col.key,
            born > latest.to_datetime64(),
            late,
            f"a date of birth on or before {cut} ({latest:%d/%m/%Y}); left out of the measures",
        )
    birth = next((_dates(out, c.key) for c in dated if c.key in BIRTH_KEYS), None)
    allowance = np.timedelta64(spec.prebirth_days, "D")
    for col in (c for c in dated if c.key not in BIRTH_KEYS):
        when = _dates(out, col.key)
        report(
            col.key,
            when < EARLIEST_EVENT.to_datetime64(),
            "date before 1990",
            f"a date on or after {EARLIEST_EVENT:%d/%m/%Y}; left out of the measures",
        )
        if not col.future_ok and latest is not None:
            report(
                col.key,
                when > latest.to_datetime64(),
                late,
                f"a date on or before {cut} ({latest:%d/%m/%Y}); left out of the measures",
            )
        if birth is not None:
            slack = f" by more than {spec.prebirth_days} days" if spec.prebirth_days else ""
            born_on = _days(birth)
            report(
                col.key,
                when < birth - allowance,
                "date before birth",
                lambda at, born_on=born_on, slack=slack: (
                    "a date not before the child's date of "
                    f"birth{slack} (" + born_on(at) + "); left out of the measures"
                ),
            )
    for col in spec.columns:
        if col.key in heading_of and (col.low is not None or col.high is not None):
            values = out[col.key].to_numpy(dtype="float64", na_value=np.nan)
            low = -np.inf if col.low is None else col.low
            high = np.inf if col.high is None else col.high
            report(
                col.key,
                (values < low) | (values > high),
                "value out of range",
                _range_text(col) + "; left out of the measures",
            )
    if frames:
        log.add_many(pd.concat(frames, ignore_index=True))


def _range_text(col: Column) -> str:
    if col.low is not None and col.high is not None:
        return f"a value from {col.low:g} to {col.high:g}"
    if col.low is not None:
        return f"a value of {col.low:g} or more"
    return f"a value of {col.high:g} or less"


def _reject_rows(
    frame: pd.DataFrame,
    spec: ListSpec,
    log: ProblemLog,
    summary: FileSummary,
    file: str,
    sheet: str,
    keys: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Remove rows that no indicator can use, reporting each: missing key values, duplicates,
    and (where the list says so) end dates before start dates. ``keys`` may hold, for text
    columns, a number standing for each row's value (see :class:`.parse.Parsed`)."""
    keep = np.ones(len(frame), dtype=bool)
    frames = []
    keys = keys or {}
    for key in spec.required_values:
        held = keys.get(key)  # a text column's keys are -1 exactly where it is missing
        missing = (held < 0 if held is not None else frame[key].isna().to_numpy()) & keep
        heading = spec.column(key).heading
        frames.append(
            _problem_frame(
                missing,
                frame,
                "missing required value",
                file,
                sheet,
                heading,
                "",
                f"a value in {heading!r}; row excluded",
            )
        )
        keep &= ~missing
    for start, end, action in spec.intervals:
        starts, ends = _dates(frame, start), _dates(frame, end)
        bad = (ends < starts) & keep
        then = "; row excluded" if action == "reject" else "; excluded from timeliness measures"
        started_on = _days(starts)
        frames.append(
            _problem_frame(
                bad,
                frame,
                "end before start",
                file,
                sheet,
                spec.column(end).heading,
                _days(ends),
                lambda at, started_on=started_on, start=start, then=then: (
                    "a date on or after "
                    f"{spec.column(start).heading!r} (" + started_on(at) + ")" + then
                ),
            )
        )
        if action == "reject":
            keep &= ~bad
    # Only tables with an identifier can hold true duplicates (two audits alike are two audits).
    if any(c.kind == "id" for c in spec.columns) and keep.any():
        dup = _duplicated(frame, [c.key for c in spec.columns], keys) & keep
        frames.append(
            _problem_frame(
                dup,
                frame,
                "duplicate row",
                file,
                sheet,
                "",
                "",
                "each row once; the repeat is excluded",
            )
        )
        keep &= ~dup
    found = [f for f in frames if not f.empty]
    if found:
        log.add_many(pd.concat(found, ignore_index=True))
    summary.rows_rejected = int((~keep).sum())
    return frame if keep.all() else frame.loc[keep].reset_index(drop=True)


def _duplicated(frame: pd.DataFrame, columns: list[str], keys: dict[str, np.ndarray]) -> np.ndarray:
    """Rows equal in every column to an earlier row (as ``DataFrame.duplicated``, missing
    values equal), found from one number per row and column: text columns by their ``keys``,
    the others (dates, numbers) factorised here."""
    group = np.zeros(len(frame), dtype=np.int64)
    for col in columns:
        codes = keys.get(col)
        if codes is None:
            column = frame[col]
            if isinstance(column.dtype, np.dtype) and column.dtype.kind == "M":
                # dates as their integers: equal where the dates are (NaT one value, as
                # missing ones are one), without pandas' per-call costs for dates
                codes = pd.factorize(column.to_numpy().view("i8"))[0]
            else:
                codes = pd.factorize(column, use_na_sentinel=True)[0]
        size = int(codes.max(initial=-1)) + 2
        if int(group.max(initial=0)) + 1 > (1 << 62) // size:  # keep the numbers in range
            group = pd.factorize(group)[0].astype(np.int64)
        group = group * size + (codes + 1)
    return pd.Series(group).duplicated().to_numpy()


def read_annex_a_workbook(
    path: Path,
    log: ProblemLog,
    extract: pd.Timestamp | None = None,
    workbook: Workbook | None = None,
    categorical: bool = False,
) -> dict[str, pd.DataFrame]:
    """All lists from an Annex A workbook; a list with no sheet is reported and left empty.
    ``workbook`` is the file already being read (see :class:`.cells.Workbook`), if it is;
    ``categorical`` as for :func:`parse_list`.

    A workbook with none of the lists is fatal, and so are two sheets for one list."""
    refused = F.not_a_file(path)
    if refused is not None:
        log.add(
            FATAL,
            "not a file",
            str(path),
            value=refused,
            expected="an Excel workbook with one sheet per Annex A list",
        )
        log.not_used(path, refused)
        if workbook is not None:
            workbook.close()
        return {spec.key: empty_list(spec) for spec in ANNEX_A}
    try:
        sheets = (workbook or Workbook(path)).sheets()
    except Exception as exc:  # noqa: BLE001 - any reader failure means "not a workbook"
        log.add(
            FATAL,
            "unreadable file",
            str(path),
            value=type(exc).__name__,
            expected="an Excel workbook (.xlsx) with one sheet per Annex A list",
        )
        log.not_used(path, "not readable as a workbook")
        return {spec.key: empty_list(spec) for spec in ANNEX_A}
    candidates: dict[int, list[tuple[str, RawTable]]] = {}
    others: list[str] = []
    for name, raw in sheets.items():
        number = list_number(str(name))
        if number in LISTS_BY_NUMBER:
            candidates.setdefault(number, []).append((str(name), raw))
        else:
            others.append(str(name))
    found: dict[int, tuple[str, RawTable]] = {}
    for number, named in sorted(candidates.items()):
        spec = LISTS_BY_NUMBER[number]
        fitting = (
            [c for c in named if find_heading_row(c[1], spec)[1] >= 2] if len(named) > 1 else named
        )
        if len(fitting) > 1:
            both = " and ".join(repr(n) for n, _ in fitting)
            log.add(
                FATAL,
                "two sources for one list",
                str(path),
                value=f"sheets {both}",
                expected=f"one sheet for {spec.label}; remove or rename the others",
            )
            continue
        chosen = fitting[0] if fitting else named[0]
        found[number] = chosen
        others += [
            f"{n} (named like List {number} without its headings)"
            for n, _ in named
            if n != chosen[0]
        ]
    not_lists = f"; other sheets not used: {', '.join(others)}" if others else ""
    if not candidates:
        log.add(
            FATAL,
            "no Annex A lists",
            str(path),
            value=", ".join(map(str, sheets)),
            expected="sheets named after the Annex A lists (List 1 ... List 11, e.g. "
            "'List_3' or 'List 3 - Referrals')",
        )
        log.not_used(path, "none of its sheets is named as an Annex A list" + not_lists)
        return {spec.key: empty_list(spec) for spec in ANNEX_A}
    log.used(
        path,
        f"Annex A workbook: {_lists_text(found)}",
        "sheets " + ", ".join(f"{found[n][0]!r} as List {n}" for n in sorted(found)) + not_lists,
    )
    return _collect(found, log, str(path), extract=extract, categorical=categorical)


def _lists_text(found: dict) -> str:
    numbers = sorted(found)
    return (
        "list " + str(numbers[0]) if len(numbers) == 1 else "lists " + ", ".join(map(str, numbers))
    )


def read_annex_a_csv_dir(
    path: Path, log: ProblemLog, extract: pd.Timestamp | None = None, categorical: bool = False
) -> dict[str, pd.DataFrame]:
    """All lists from a folder of CSV files named after their list ("list_3.csv", ...);
    ``categorical`` as for :func:`parse_list`.

    A folder holding files of which none is a list is fatal; an empty folder supplies no list
    (each is reported missing, and its indicators are missing)."""
    candidates: dict[int, list[Path]] = {}
    try:
        listing = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError:
        listing = []
    for entry in listing:
        file = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            continue  # the walk of the data folder accounts for what is inside
        number = list_number(file.name)
        if not file.name.lower().endswith(".csv") or number not in LISTS_BY_NUMBER:
            log.add(WARNING, "unrecognised file", str(file), expected="a name such as list_3.csv")
            log.not_used(file, "not named as an Annex A list CSV (list_1.csv ... list_11.csv)")
            continue
        candidates.setdefault(number, []).append(file)
    found: dict[int, tuple[str, pd.DataFrame | RawTable]] = {}
    for number, named in sorted(candidates.items()):
        spec = LISTS_BY_NUMBER[number]
        if len(named) > 1:
            log.add(
                FATAL,
                "two sources for one list",
                str(named[0]),
                value="files " + " and ".join(repr(f.name) for f in named),
                expected=f"one file for {spec.label}; remove or rename the others",
            )
            for file in named:
                log.not_used(file, f"one of {len(named)} files for {spec.label}")
            continue
        raw = read_csv_raw(named[0], log)
        if raw is None:
            log.not_used(named[0], f"meant as {spec.label} but could not be read")
            continue
        found[number] = (str(named[0]), raw)
        log.used(named[0], f"Annex A {spec.label}", f"named {named[0].name}")
    if not candidates and listing:  # files, none of them a list: a folder left empty is not
        log.add(
            FATAL,
            "no Annex A lists",
            str(path),
            value=", ".join(e.name for e in listing),
            expected="CSV files named after the Annex A lists (list_1.csv ... list_11.csv)",
        )
    return _collect(found, log, str(path), per_file=True, extract=extract, categorical=categorical)


def read_csv_raw(file: Path, log: ProblemLog) -> RawTable | pd.DataFrame | None:
    """A CSV as untyped text cells with no header applied (UTF-8 with or without BOM, or cp1252).

    A path that is not a regular file (a folder, a named pipe, a device) is refused unopened.
    Most files are read by pyarrow straight into columns (:func:`.cells.csv_table`); pandas
    reads the others (another encoding, ragged rows) and reports what cannot be read."""
    refused = F.not_a_file(file)
    if refused is not None:
        log.add(
            FATAL, "not a file", str(file), value=refused, expected="a comma-separated text file"
        )
        return None
    fast = csv_table(file)
    if fast is not None:
        return fast
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(file, header=None, dtype=object, encoding=encoding,
                               keep_default_na=False, na_values=[""])  # fmt: skip
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            return pd.DataFrame()
        except OSError as exc:
            log.add(
                FATAL,
                "unreadable file",
                str(file),
                value=exc.strerror or type(exc).__name__,
                expected="a file this account can read",
            )
            return None
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
    found: dict[int, tuple[str, pd.DataFrame | RawTable]],
    log: ProblemLog,
    source: str,
    per_file: bool = False,
    extract: pd.Timestamp | None = None,
    categorical: bool = False,
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
        lists[spec.key] = parse_list(
            raw, spec, log, file, sheet, extract=extract, categorical=categorical
        )
    return lists


__all__ = ["read_annex_a_workbook", "read_annex_a_csv_dir", "parse_list", "blank_mask"]
