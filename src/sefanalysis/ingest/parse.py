"""Tolerant parsing of headings, codes, dates and numbers, vectorised over columns.

Every value that cannot be used is turned into a missing value *and* a problem row, so nothing
is dropped silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from itertools import repeat
from typing import NamedTuple

import numpy as np
import pandas as pd

from .cells import Cells
from .problems import FATAL, PROBLEM_COLUMNS, WARNING

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\xa0": " "})
_LIST_PREFIX = re.compile(r"^\s*[a-z]{1,2}\d?\)\s*", re.IGNORECASE)
_CODE_TOKEN = re.compile(r"^\s*([A-Za-z0-9]+)\s*(?::|-|–|\s)")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
SERIAL_MIN, SERIAL_MAX = 18264, 73051  # 1950-01-01 .. 2100-01-01
TEXT = pd.StringDtype("python")
MISSING_MARKERS = {"", "#n/a", "n/a", "na", "nan", "none", "null", "nat", "-"}
_LONGEST_MARKER = max(map(len, MISSING_MARKERS))


def norm_heading(text: object) -> str:
    """Heading key that ignores case, spacing, apostrophe style and punctuation."""
    s = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES).lower()
    return re.sub(r"[^a-z0-9]", "", s)


def blank_mask(raw: pd.Series) -> pd.Series:
    """True where a raw cell is empty or an explicit missing marker such as ``#N/A``."""
    cells = Cells.of(raw)
    return pd.Series(cells.spread(_blank(_texts(cells.uniques)), True), index=raw.index)


def _texts(uniques: np.ndarray) -> np.ndarray:
    """Distinct raw values as text, as pandas' ``astype("string")`` writes them."""
    if pd.api.types.infer_dtype(uniques, skipna=False) in {"string", "empty"}:
        return uniques
    return pd.Series(uniques, dtype=object).astype("string").to_numpy(dtype=object)


def _blank(texts: np.ndarray) -> np.ndarray:
    """Which distinct values (as text) are missing markers such as ``#N/A`` or spaces."""
    marked = map(MISSING_MARKERS.__contains__, map(str.lower, map(str.strip, texts)))
    return np.fromiter(marked, bool, len(texts))


def by_unique(raw: pd.Series, parse: object) -> tuple[pd.Series, pd.Series]:
    """Apply ``parse(unique_values) -> (values, bad)`` to the distinct values only, then spread
    the results back to every row (a column of 45,000 dates has a few thousand distinct ones)."""
    cells = Cells.of(raw, exact=False)
    values, bad = parse(pd.Series(cells.uniques, dtype=object))  # type: ignore[operator]
    spread = values.reset_index(drop=True).array.take(cells.codes, allow_fill=True)
    return (
        pd.Series(spread, index=raw.index, dtype=values.dtype),
        pd.Series(cells.spread(bad.to_numpy(dtype=bool), False), index=raw.index),
    )


NO_PROBLEMS = pd.DataFrame(columns=PROBLEM_COLUMNS)  # shared, never modified


class Parsed(NamedTuple):
    """One column parsed: its values, the problems found, and (for text) a number for each row
    standing for its value (-1 where missing), so that rows can be compared without hashing
    the text again."""

    values: np.ndarray | pd.api.extensions.ExtensionArray
    problems: pd.DataFrame = NO_PROBLEMS
    keys: np.ndarray | None = None


def _text_rows(
    per_unique: np.ndarray, codes: np.ndarray, categorical: bool
) -> tuple[np.ndarray | pd.api.extensions.ExtensionArray, np.ndarray]:
    """A text column's rows from its text for each distinct raw value (None where missing)
    and each row's raw value (``codes``), with a number for each row standing for its text
    (-1 where missing). With ``categorical`` the rows are a categorical of the distinct texts
    in order of first appearance (each text once, not a string for each row)."""
    keys, distinct = pd.factorize(per_unique, use_na_sentinel=True)
    rows = np.append(keys, -1)[codes]
    if not categorical:
        return pd.array(per_unique, dtype=TEXT).take(codes, allow_fill=True), rows
    dtype = pd.CategoricalDtype(pd.Index(distinct, dtype=object), ordered=False)
    return pd.Categorical.from_codes(rows, dtype=dtype, validate=False), rows


@dataclass(frozen=True)
class Place:
    """Where a column's values come from, for problems: file, sheet, the spreadsheet row of
    each value, and the column's heading."""

    file: str
    sheet: str
    rows: np.ndarray
    column: str

    @classmethod
    def of(cls, raw: pd.Series, where: dict[str, object]) -> Place:
        rows = where.get("rows")
        rows = rows if isinstance(rows, pd.Series) else pd.Series(rows, index=raw.index)
        if not rows.index.equals(raw.index):
            rows = rows.loc[raw.index]
        return cls(str(where.get("file", "")), str(where.get("sheet", "")),
                   rows.to_numpy(), str(where.get("column", "")))  # fmt: skip


def _problems(
    bad: np.ndarray, cells: Cells, kind: str, place: Place, expected: str
) -> pd.DataFrame:
    """One warning for each row where ``bad`` holds, showing the raw value as text."""
    picked = np.flatnonzero(bad)
    if not len(picked):
        return NO_PROBLEMS
    codes = cells.codes[picked]
    shown, where = np.unique(codes, return_inverse=True)
    values = _texts(cells.uniques[shown])[where]
    return pd.DataFrame({
        "severity": WARNING, "kind": kind, "file": place.file, "sheet": place.sheet,
        "row": place.rows[picked], "column": place.column, "value": values, "expected": expected,
    }, columns=PROBLEM_COLUMNS)  # fmt: skip


def _concat(problems: list[pd.DataFrame]) -> pd.DataFrame:
    found = [p for p in problems if not p.empty]
    if not found:
        return NO_PROBLEMS
    return found[0] if len(found) == 1 else pd.concat(found, ignore_index=True)


# A time of day after a date is accepted and dropped: "01/10/2024 09:30", "2024-10-01T09:30:00Z".
_TIME = (
    r"(?:[T ]+\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?"  # 09:30, 09:30:00, 09:30:00.000
    r"\s*(?:[AaPp]\.?[Mm]\.?)?(?:Z|[+-]\d{2}:?\d{2})?)?"  # am/pm, a time zone
)
_ISO = re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}$")
_NUMERIC = re.compile(rf"^(\d{{1,2}})[/.\-](\d{{1,2}})[/.\-](\d{{4}}|\d{{2}}){_TIME}$")
_TEXT_MONTH = re.compile(
    rf"^(\d{{1,2}})(?:st|nd|rd|th)?[ \-/]([A-Za-z]{{3,9}})\.?[ \-/,]+(\d{{4}}|\d{{2}}){_TIME}$"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
# Two-digit years are read as Python and POSIX read them: 00-68 are 2000-2068, 69-99 1969-1999.
TWO_DIGIT_PIVOT = 69
# What datetime64[ns] holds (the dates beyond it are reported, never a crash).
HELD_YEARS = (1678, 2261)
DATE_FORMATS = (
    "DD/MM/YYYY (also with '-' or '.', a two-digit year, or a time of day), YYYY-MM-DD (ISO, "
    "with or without a time), 1 Oct 2024, Excel date cells or Excel serial numbers; a column "
    "whose every date fits MM/DD/YYYY only is read month-first (and reported)"
)
EXPECTED_DATE = "a date as DD/MM/YYYY, YYYY-MM-DD or an Excel date"


def _dates_from(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dates from year, month and day arrays (floats, NaN where absent), and where the year is
    beyond what pandas holds. 31/02 and month 13 are not dates (NaT)."""
    y = np.where(y < 100, y + np.where(y < TWO_DIGIT_PIVOT, 2000, 1900), y)
    known = ~(np.isnan(y) | np.isnan(m) | np.isnan(d))
    beyond = known & ((y < HELD_YEARS[0]) | (y > HELD_YEARS[1]))
    ok = known & ~beyond & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31)
    month = np.where(ok, (y - 1970) * 12 + m - 1, 0).astype("int64").astype("datetime64[M]")
    date = month.astype("datetime64[D]") + np.where(ok, d - 1, 0).astype("int64")
    ok &= date.astype("datetime64[M]") == month  # 31/02 rolls into March: not a date
    return np.where(ok, date.astype("datetime64[ns]"), np.datetime64("NaT", "ns")), beyond


def _num(frame: pd.DataFrame, col: int) -> np.ndarray:
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


_DIGITS = {"%d/%m/%Y": (0, 1, 3, 4, 6, 7, 8, 9), "%Y-%m-%d": (8, 9, 5, 6, 0, 1, 2, 3)}
_SEPARATORS = {"%d/%m/%Y": ((2, "/"), (5, "/")), "%Y-%m-%d": ((4, "-"), (7, "-"))}


def _fixed_width_dates(texts: np.ndarray) -> np.ndarray | None:
    """The dates of ``texts`` when every one is written exactly DD/MM/YYYY, or every one
    exactly YYYY-MM-DD (two-digit day and month), a real date between 1700 and 2199: read
    from the characters' code points at once, as ``to_datetime`` with that format reads them
    (one text at a time). None otherwise, for ``to_datetime`` to decide."""
    try:
        chars = texts.astype("U10")  # longer texts are cut: checked below
    except (TypeError, ValueError):
        return None
    if not np.array_equal(np.char.str_len(chars), np.fromiter(map(len, texts), int, len(texts))):
        return None
    points = chars.view(np.uint32).reshape(len(texts), -1)
    if points.shape[1] != 10:
        return None
    for fmt, digits in _DIGITS.items():
        if not all((points[:, at] == ord(sep)).all() for at, sep in _SEPARATORS[fmt]):
            continue
        numbers = points[:, digits].astype(np.int64) - ord("0")
        if ((numbers < 0) | (numbers > 9)).any():
            return None
        day, month = numbers[:, 0] * 10 + numbers[:, 1], numbers[:, 2] * 10 + numbers[:, 3]
        year = numbers[:, 4:] @ np.array([1000, 100, 10, 1])
        if ((year < 1700) | (year > 2199)).any():
            return None
        values, _ = _dates_from(year.astype(float), month.astype(float), day.astype(float))
        return None if np.isnat(values).any() else values
    return None


class _ColumnDates:
    """Every distinct value of one date column parsed by the format decided for the column.

    ``weights`` counts the rows holding each distinct value, so that decisions ("most values
    fail", "every date fits day-first") are about rows, not distinct values."""

    def __init__(self, uniques: pd.Series, weights: np.ndarray) -> None:
        n = len(uniques)
        self.values = np.full(n, np.datetime64("NaT", "ns"))
        self.beyond = np.zeros(n, dtype=bool)  # a date, but beyond what pandas holds
        self.month_first = False
        self.conflict: tuple[list[str], list[str]] | None = None
        # the type of the cells is decided once for the column: Excel date cells, text, or both
        if n and set(map(type, uniques.to_numpy())) == {datetime}:
            # Excel date cells only (a workbook's usual date column; distinct values are never
            # missing): read at once, as below but without pandas' type inference
            self.blank = np.zeros(n, dtype=bool)
            self._datetime_cells(uniques, ~self.blank)
            return
        inferred = pd.api.types.infer_dtype(uniques, skipna=True)
        if inferred in {"datetime", "date"}:
            self.blank = uniques.isna().to_numpy(dtype=bool)
            is_datetime = ~self.blank
        else:
            texts = _texts(uniques.to_numpy(dtype=object))
            self.blank = _blank(texts)
            is_datetime = np.zeros(n, dtype=bool)
            if inferred.startswith("mixed"):
                is_date = uniques.map(lambda v: isinstance(v, date | datetime | pd.Timestamp))
                is_datetime = is_date.to_numpy(dtype=bool) & ~self.blank
        if is_datetime.any():
            self._datetime_cells(uniques[is_datetime], is_datetime)
        rest = ~self.blank & ~is_datetime
        if rest.any():
            stripped = np.full(n, None, dtype=object)
            stripped[rest] = list(map(str.strip, texts[rest]))
            self._text(stripped, rest, weights)

    def _held(self, parsed: pd.Series | pd.DatetimeIndex | np.ndarray, where: np.ndarray) -> None:
        """Store dates parsed by pandas at ``where``; those beyond what pandas holds in
        nanoseconds (31/12/9999) are marked, not stored."""
        stamps = parsed if isinstance(parsed, np.ndarray) else parsed.to_numpy()
        missing = np.isnat(stamps)
        years = stamps.astype("datetime64[Y]").astype("int64") + 1970
        beyond = ~missing & ((years < HELD_YEARS[0]) | (years > HELD_YEARS[1]))
        days = stamps.astype("datetime64[D]")  # the day, whatever the time
        self.values[where] = np.where(beyond | missing, np.datetime64("NaT"), days).astype(
            "datetime64[ns]"
        )
        self.beyond[where] = beyond

    def _datetime_cells(self, cells: pd.Series, where: np.ndarray) -> None:
        try:
            parsed = pd.to_datetime(cells.to_numpy(), errors="coerce")
        except (ValueError, TypeError):  # cells with and without a time zone
            parsed = pd.to_datetime(cells.to_numpy(), errors="coerce", utc=True)
        if parsed.tz is not None:  # the date as written, whatever the zone
            parsed = parsed.tz_localize(None)
        self._held(parsed.to_numpy(), where)

    def _text(self, stripped: np.ndarray, rest: np.ndarray, weights: np.ndarray) -> None:
        """The values written as text (trimmed; None elsewhere) at ``rest``."""
        # the common case first: every value DD/MM/YYYY (so day-first), or every value ISO
        present = stripped[rest]
        fixed = _fixed_width_dates(present)
        if fixed is not None:
            self._held(fixed, rest)
            return
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            parsed = pd.to_datetime(present, format=fmt, errors="coerce")
            if parsed.notna().all():
                self._held(parsed, rest)
                return
        self._any_format(pd.Series(stripped, dtype="string"), rest, weights)

    def _any_format(self, text: pd.Series, rest: np.ndarray, weights: np.ndarray) -> None:
        number = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
        number = number.to_numpy(dtype="float64", na_value=np.nan)
        serial = rest & (number >= SERIAL_MIN) & (number <= SERIAL_MAX)
        days = np.floor(np.where(serial, number, 0)).astype("int64")  # a time of day is dropped
        self.values[serial] = (_EXCEL_EPOCH.to_datetime64() + days.astype("timedelta64[D]"))[serial]
        # an Excel serial beyond 2100 (up to 31/12/9999) is a date no measure can use
        self.beyond |= rest & (number > SERIAL_MAX) & (number <= 2958465)
        iso = text.str.extract(_ISO)
        dmy = text.str.extract(_NUMERIC)
        named = text.str.extract(_TEXT_MONTH)
        named_month = named[1].str.lower().str.slice(0, 3).map(_MONTHS)
        first, second = _num(dmy, 0), _num(dmy, 1)
        numeric = ~np.isnan(first)
        self._decide(first, second, numeric, text, weights)
        day, month = (second, first) if self.month_first else (first, second)
        parts = [
            (_num(iso, 0), _num(iso, 1), _num(iso, 2)),
            (_num(dmy, 2), month, day),
            (
                _num(named, 2),
                named_month.to_numpy(dtype="float64", na_value=np.nan),
                _num(named, 0),
            ),
        ]
        for y, m, d in parts:
            values, beyond = _dates_from(y, m, d)
            fill = np.isnat(self.values) & ~np.isnat(values)
            self.values[fill] = values[fill]
            self.beyond |= beyond

    def _decide(
        self,
        first: np.ndarray,
        second: np.ndarray,
        numeric: np.ndarray,
        text: pd.Series,
        weights: np.ndarray,
    ) -> None:
        """Day-first unless the column's dates fit month-first only. A date with a first
        number over 12 fits day-first only, with a second number over 12 month-first only; a
        column holding both kinds (beyond a stray 1 in 100) fits neither."""
        day_first_only = numeric & (first > 12) & (first <= 31) & (second <= 12)
        month_first_only = numeric & (second > 12) & (second <= 31) & (first <= 12)
        n_day, n_month = weights[day_first_only].sum(), weights[month_first_only].sum()
        if n_month and n_month > n_day and n_day <= 0.01 * n_month:
            self.month_first = True
        if n_day and n_month and min(n_day, n_month) > 0.01 * max(n_day, n_month):
            self.conflict = (
                text[day_first_only].dropna().head(3).tolist(),
                text[month_first_only].dropna().head(3).tolist(),
            )


def parse_dates(raw: pd.Series, **where: object) -> tuple[pd.Series, pd.DataFrame]:
    """Dates by one format decided for the whole column (see :data:`DATE_FORMATS`).

    Row by row, a value that is not a date is an "unparseable date" and one beyond what pandas
    holds (31/12/9999) a "date out of range"; both become missing. The column is refused with
    one fatal problem naming examples when its dates fit neither day-first nor month-first, or
    when most of its values are not dates. Excel serial numbers are read between 1950 and 2100
    only, so that a stray count or year is reported rather than read as a date in 1905.
    """
    if pd.api.types.is_datetime64_any_dtype(raw):
        out = raw.dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")
        return out, pd.DataFrame(columns=PROBLEM_COLUMNS)
    values, problems, _ = dates_of(Cells.of(raw), Place.of(raw, where))
    return pd.Series(values, index=raw.index), problems


def dates_of(cells: Cells, place: Place) -> Parsed:
    """:func:`parse_dates` of one raw column: ``datetime64[ns]`` values, and the problems."""
    # the column's distinct values in order of appearance, as pandas' factorize has them
    merged = cells.compact().merged()
    uniques = pd.Series(merged.uniques, dtype=object)
    codes = merged.codes
    weights = np.bincount(codes[codes >= 0], minlength=len(uniques))
    parsed = _ColumnDates(uniques, weights)
    failed_u = ~parsed.blank & np.isnat(parsed.values)
    present = weights[~parsed.blank].sum()
    if parsed.conflict is not None or (present and weights[failed_u].sum() > present / 2):
        where = {"file": place.file, "sheet": place.sheet, "column": place.column}
        nat = np.full(len(codes), np.datetime64("NaT", "ns"))
        return Parsed(nat, _refusal(parsed, uniques, failed_u, **where))
    out = merged.spread(parsed.values, np.datetime64("NaT", "ns"))
    if not failed_u.any() and not parsed.month_first:
        return Parsed(out)
    expected = EXPECTED_DATE + (
        "; this column is read month-first (MM/DD/YYYY)" if parsed.month_first else ""
    )
    problems = [
        _problems(
            merged.spread(failed_u & ~parsed.beyond, False),
            cells,
            "unparseable date",
            place,
            expected,
        ),
        _problems(
            merged.spread(parsed.beyond & failed_u, False),
            cells,
            "date out of range",
            place,
            "a real date (one this far off cannot be used; it is left blank)",
        ),
    ]
    if parsed.month_first:
        problems.append(
            _column_problem(
                WARNING,
                "dates read month-first",
                uniques[~parsed.blank].head(3).tolist(),
                "DD/MM/YYYY; every date in this column fits MM/DD/YYYY only, so all were read "
                "month-first: check",
                file=place.file,
                sheet=place.sheet,
                column=place.column,
            )
        )
    return Parsed(out, _concat(problems))


def _refusal(
    parsed: _ColumnDates, uniques: pd.Series, failed: np.ndarray, **where: object
) -> pd.DataFrame:
    if parsed.conflict is not None:
        day_first, month_first = parsed.conflict
        return _column_problem(
            FATAL,
            "dates in two formats",
            day_first + month_first,
            "one date format per column: some dates fit only DD/MM/YYYY (e.g. "
            f"{', '.join(day_first)}), others only MM/DD/YYYY (e.g. {', '.join(month_first)})",
            **where,
        )
    return _column_problem(
        FATAL,
        "not a date column",
        uniques[failed].head(3).tolist(),
        f"{EXPECTED_DATE}: most values in this column are not dates",
        **where,
    )


def _column_problem(
    severity: str, kind: str, examples: list[object], expected: str, **where: object
) -> pd.DataFrame:
    """One problem about a whole column (no row), its value some examples."""
    return pd.DataFrame(
        [
            {
                "severity": severity,
                "kind": kind,
                "file": where.get("file", ""),
                "sheet": where.get("sheet", ""),
                "row": None,
                "column": where.get("column", ""),
                "value": "; ".join(str(v) for v in examples),
                "expected": expected,
            }
        ],
        columns=PROBLEM_COLUMNS,
    )


_EXACT = 1 << 53  # integers a float holds exactly: read alike as text or as numbers


def _numbers(cells: Cells) -> tuple[pd.Series, np.ndarray]:
    """Each distinct value as a number (NA where it is not one), and which are blank."""
    held = np.zeros(len(cells.uniques), dtype=bool)  # the distinct values some row holds
    held[cells.codes[cells.codes >= 0]] = True
    whole = cells.uniques[held]
    if (
        len(whole)
        and set(map(type, whole)) == {int}
        and -_EXACT < min(whole) <= max(whole) < _EXACT
    ):
        # Excel whole numbers only (a workbook's usual number column): the integers they
        # are, as their text would be read below, none blank (those no row holds: missing)
        values = np.zeros(len(held), dtype=np.int64)
        values[held] = whole.astype(np.int64)
        return pd.Series(pd.arrays.IntegerArray(values, ~held)), np.zeros(len(held), bool)
    texts = _texts(cells.uniques)
    blank = _blank(texts)
    stripped = np.empty(len(texts), dtype=object)
    stripped[:] = [None if b else t.strip() for t, b in zip(texts, blank, strict=True)]
    return pd.to_numeric(pd.Series(stripped, dtype="string"), errors="coerce"), blank


def ints_of(cells: Cells, place: Place) -> Parsed:
    """:func:`parse_ints` of one raw column."""
    num, blank = _numbers(cells)
    ok = (num.notna() & (num >= 0) & (num == num.round())).to_numpy(dtype=bool)
    bad = cells.spread(~blank & ~ok, False)
    problems = _problems(bad, cells, "invalid number", place, "a whole number, 0 or more")
    values = num.where(ok).astype("Int64").array.take(cells.codes, allow_fill=True)
    return Parsed(values, problems)


def numbers_of(cells: Cells, place: Place) -> tuple[pd.api.extensions.ExtensionArray, pd.DataFrame]:
    """:func:`parse_numbers` of one raw column."""
    num, blank = _numbers(cells)
    bad = cells.spread(~blank & num.isna().to_numpy(dtype=bool), False)
    problems = _problems(bad, cells, "invalid number", place, "a number")
    return Parsed(num.astype("Float64").array.take(cells.codes, allow_fill=True), problems)


def parse_ints(raw: pd.Series, **where: object) -> tuple[pd.Series, pd.DataFrame]:
    """Whole numbers >= 0 (``Int64``); anything else is missing and reported."""
    values, problems, _ = ints_of(Cells.of(raw), Place.of(raw, where))
    return pd.Series(values, index=raw.index), problems


def parse_numbers(raw: pd.Series, **where: object) -> tuple[pd.Series, pd.DataFrame]:
    """Any real number (``Float64``); anything else is missing and reported."""
    values, problems, _ = numbers_of(Cells.of(raw), Place.of(raw, where))
    return pd.Series(values, index=raw.index), problems


def code_lookup(codes: dict[str, list[str]]) -> dict[str, str]:
    """Map of lower-case spelling -> canonical code."""
    table: dict[str, str] = {}
    for canonical, aliases in codes.items():
        for spelling in [canonical, *aliases]:
            table[spelling.lower().strip()] = canonical
    return table


_WHOLE_FLOAT = re.compile(r"^(\d+)\.0$")  # "6.0": an integer read from Excel as a float


def _canonical(text: str, lookup: dict[str, str]) -> str | None:
    """The canonical code of one trimmed value: the whole value without Ofsted's "a) " prefix,
    else its leading code token ("U6: Foster placement"), else the value as it is."""
    text = _WHOLE_FLOAT.sub(r"\1", text)
    unprefixed = _LIST_PREFIX.sub("", text).strip()
    code = lookup.get(unprefixed.lower())
    if code is None:
        token = _CODE_TOKEN.search(unprefixed)
        code = lookup.get(token.group(1).lower()) if token else None
    return code if code is not None else lookup.get(text.lower())


def codes_of(
    cells: Cells, codes: dict[str, list[str]], place: Place, categorical: bool = False
) -> Parsed:
    """:func:`parse_codes` of one raw column: each distinct spelling is looked up once (with
    ``categorical``, the codes as a categorical: see :func:`text_of`)."""
    lookup = code_lookup(codes)
    merged = cells.merged()  # as pandas' factorize has the distinct values
    texts = _texts(merged.uniques)
    blank = _blank(texts)
    found = np.empty(len(texts), dtype=object)
    found[:] = [
        None if b else _canonical(t.strip(), lookup) for t, b in zip(texts, blank, strict=True)
    ]
    bad = ~blank & np.equal(found, None)
    expected = "one of " + ", ".join(codes)
    if len(expected) > 160:
        expected = expected[:157] + "..."
    problems = _problems(merged.spread(bad, False), cells, "unknown code", place, expected)
    values, keys = _text_rows(found, merged.codes, categorical)
    return Parsed(values, problems, keys)


def parse_codes(
    raw: pd.Series, codes: dict[str, list[str]], **where: object
) -> tuple[pd.Series, pd.DataFrame]:
    """Canonical codes from "a) Yes", "Yes", "Y", "U6: Foster placement", "N1 - Abuse"..."""
    values, problems, _ = codes_of(Cells.of(raw), codes, Place.of(raw, where))
    return pd.Series(values, index=raw.index), problems


def text_of(cells: Cells, ids: bool = False, categorical: bool = False) -> Parsed:
    """:func:`parse_text` (or, with ``ids``, :func:`parse_ids`) of one raw column; with
    ``categorical`` the texts as a categorical of the distinct texts in order of first
    appearance, categories unsorted (for :func:`sefanalysis.dataset.compact`)."""
    raw = _texts(cells.uniques)
    out = np.empty(len(raw), dtype=object)
    out[:] = list(map(str.strip, map(str.replace, raw, repeat("\xa0"), repeat(" "))))
    # the trimmed text is a missing marker exactly where the raw text is (no marker holds a
    # space), so the markers are looked up in it rather than trimming every value again; and
    # only in the short texts (lower-casing never shortens a text), not in every identifier
    short = np.flatnonzero(np.fromiter(map(len, out), np.intp, len(out)) <= _LONGEST_MARKER)
    blank = np.zeros(len(out), dtype=bool)
    blank[short] = [text.lower() in MISSING_MARKERS for text in out[short]]
    if ids:  # "12345.0" is 12345 (only values ending ".0" can be such)
        whole = np.fromiter(map(str.endswith, out, repeat(".0")), bool, len(out)) & ~blank
        out[whole] = [_WHOLE_FLOAT.sub(r"\1", t) for t in out[whole]]
    out[blank] = None
    values, keys = _text_rows(out, cells.codes, categorical)
    return Parsed(values, keys=keys)


def parse_text(raw: pd.Series) -> pd.Series:
    """Trimmed text with non-breaking spaces made plain; missing markers become missing."""
    return pd.Series(text_of(Cells.of(raw)).values, index=raw.index)


def parse_ids(raw: pd.Series) -> pd.Series:
    """Identifiers as text; Excel's "12345.0" becomes "12345"."""
    return pd.Series(text_of(Cells.of(raw), ids=True).values, index=raw.index)
