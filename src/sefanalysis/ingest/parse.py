"""Tolerant parsing of headings, codes, dates and numbers, vectorised over columns.

Every value that cannot be used is turned into a missing value *and* a problem row, so nothing
is dropped silently.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from .problems import PROBLEM_COLUMNS, WARNING

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\xa0": " "})
_LIST_PREFIX = re.compile(r"^\s*[a-z]{1,2}\d?\)\s*", re.IGNORECASE)
_CODE_TOKEN = re.compile(r"^\s*([A-Za-z0-9]+)\s*(?::|-|–|\s)")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
SERIAL_MIN, SERIAL_MAX = 18264, 73051  # 1950-01-01 .. 2100-01-01
MISSING_MARKERS = {"", "#n/a", "n/a", "na", "nan", "none", "null", "nat", "-"}


def norm_heading(text: object) -> str:
    """Heading key that ignores case, spacing, apostrophe style and punctuation."""
    s = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES).lower()
    return re.sub(r"[^a-z0-9]", "", s)


def blank_mask(raw: pd.Series) -> pd.Series:
    """True where a raw cell is empty or an explicit missing marker such as ``#N/A``."""
    as_text = raw.astype("string").str.strip().str.lower()
    return raw.isna() | as_text.isin(MISSING_MARKERS).fillna(True)


def by_unique(raw: pd.Series, parse: object) -> tuple[pd.Series, pd.Series]:
    """Apply ``parse(unique_values) -> (values, bad)`` to the distinct values only, then spread
    the results back to every row (a column of 45,000 dates has a few thousand distinct ones)."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    values, bad = parse(pd.Series(uniques, dtype=object))  # type: ignore[operator]
    take = np.where(codes < 0, len(uniques), codes)
    values = pd.concat([values.reset_index(drop=True), pd.Series([pd.NA], dtype=values.dtype)],
                       ignore_index=True)  # fmt: skip
    bad_all = np.append(bad.to_numpy(dtype=bool), False)
    return (
        pd.Series(values.to_numpy()[take], index=raw.index, dtype=values.dtype),
        pd.Series(bad_all[take], index=raw.index),
    )


def _problems(
    mask: pd.Series,
    raw: pd.Series,
    kind: str,
    file: str,
    sheet: str,
    rows: pd.Series,
    column: str,
    expected: str,
) -> pd.DataFrame:
    bad = mask[mask].index
    return pd.DataFrame({
        "severity": WARNING, "kind": kind, "file": file, "sheet": sheet,
        "row": rows.loc[bad].to_numpy(), "column": column,
        "value": raw.loc[bad].astype("string").to_numpy(), "expected": expected,
    }, columns=PROBLEM_COLUMNS)  # fmt: skip


def _dates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    blank = blank_mask(raw)
    text = raw.where(~blank).astype("string").str.strip()
    numeric = pd.to_numeric(text, errors="coerce").astype("float64").to_numpy()
    serial = (numeric >= SERIAL_MIN) & (numeric <= SERIAL_MAX)
    days = np.where(serial, np.round(numeric), np.nan)
    from_serial = pd.Series(_EXCEL_EPOCH + pd.to_timedelta(days, unit="D"), index=raw.index)
    uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    iso = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    out = from_serial.fillna(uk).fillna(iso).astype("datetime64[ns]")
    return out, ~blank & out.isna()


def parse_dates(raw: pd.Series, **where: object) -> tuple[pd.Series, pd.DataFrame]:
    """Dates from datetime cells, DD/MM/YYYY, ISO YYYY-MM-DD or Excel serial numbers.

    Serial numbers are accepted between 1950 and 2100 only, so that a stray count or year is
    reported rather than read as a date in 1905.
    """
    if pd.api.types.is_datetime64_any_dtype(raw):
        out = raw.dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")
        return out, _problems(raw.isna() & False, raw, "unparseable date", expected="", **where)  # type: ignore[arg-type]
    out, bad = by_unique(raw, _dates)
    problems = _problems(
        bad,
        raw,
        "unparseable date",
        expected="a date as DD/MM/YYYY, YYYY-MM-DD or an Excel date",
        **where,
    )  # type: ignore[arg-type]
    return out.astype("datetime64[ns]"), problems


def parse_ints(raw: pd.Series, **where: object) -> tuple[pd.Series, pd.DataFrame]:
    """Whole numbers >= 0 (``Int64``); anything else is missing and reported."""
    blank = blank_mask(raw)
    num = pd.to_numeric(raw.where(~blank).astype("string").str.strip(), errors="coerce")
    ok = num.notna() & (num >= 0) & (num == num.round())
    problems = _problems(
        ~blank & ~ok, raw, "invalid number", expected="a whole number, 0 or more", **where
    )  # type: ignore[arg-type]
    return num.where(ok).astype("Int64"), problems


def parse_numbers(raw: pd.Series, **where: object) -> tuple[pd.Series, pd.DataFrame]:
    """Any real number (``Float64``); anything else is missing and reported."""
    blank = blank_mask(raw)
    num = pd.to_numeric(raw.where(~blank).astype("string").str.strip(), errors="coerce")
    problems = _problems(~blank & num.isna(), raw, "invalid number", expected="a number", **where)  # type: ignore[arg-type]
    return num.astype("Float64"), problems


def code_lookup(codes: dict[str, list[str]]) -> dict[str, str]:
    """Map of lower-case spelling -> canonical code."""
    table: dict[str, str] = {}
    for canonical, aliases in codes.items():
        for spelling in [canonical, *aliases]:
            table[spelling.lower().strip()] = canonical
    return table


def parse_codes(
    raw: pd.Series, codes: dict[str, list[str]], **where: object
) -> tuple[pd.Series, pd.DataFrame]:
    """Canonical codes from "a) Yes", "Yes", "Y", "U6: Foster placement", "N1 - Abuse"..."""
    lookup = code_lookup(codes)

    def canon(values: pd.Series) -> tuple[pd.Series, pd.Series]:
        blank = blank_mask(values)
        text = values.where(~blank).astype("string").str.strip()
        # Integers read from Excel as floats ("6.0") are codes too.
        text = text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
        unprefixed = text.str.replace(_LIST_PREFIX, "", regex=True).str.strip()
        whole = unprefixed.str.lower().map(lookup)
        token = unprefixed.str.extract(_CODE_TOKEN, expand=False).str.lower().map(lookup)
        plain = text.str.lower().map(lookup)
        out = whole.fillna(token).fillna(plain).astype("string")
        return out, ~blank & out.isna()

    out, bad = by_unique(raw, canon)
    expected = "one of " + ", ".join(codes)
    if len(expected) > 160:
        expected = expected[:157] + "..."
    problems = _problems(bad, raw, "unknown code", expected=expected, **where)  # type: ignore[arg-type]
    return out.astype("string"), problems


def parse_text(raw: pd.Series) -> pd.Series:
    """Trimmed text with non-breaking spaces made plain; missing markers become missing."""
    blank = blank_mask(raw)
    text = raw.astype("string").str.replace("\xa0", " ").str.strip()
    return text.where(~blank)


def parse_ids(raw: pd.Series) -> pd.Series:
    """Identifiers as text; Excel's "12345.0" becomes "12345"."""
    text = parse_text(raw)
    return text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
