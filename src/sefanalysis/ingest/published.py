"""DfE's published statistics, straight from the files as downloaded: :func:`read_published`.

Reads the explore-education-statistics (EES) CSV tables of the children-in-need,
children-looked-after (with care leavers) and social-work-workforce releases, DfE's population
series, the LAIT data set (parquet) and its data dictionary. Each file is recognised by its
content, never its name (see :mod:`.published_catalogue` for the tables and how their columns
are matched by meaning). Statistical-neighbour models and the ONS single-year-of-age workbook in
the same folders are read by :mod:`.neighbours` and :mod:`.population`
(:func:`load_published` returns all of them).

The long frame has one row per value: ``indicator_id`` (the project's id, or missing for DfE's
other measures, kept under DfE's own names in ``measure``), ``breakdown`` (empty for the
headline comparator), ``time_period`` (the date the figure ends: 31 March, or 30 September for
the workforce), ``year`` (DfE's ``time_period``), ``area_code`` (the authority's current ONS
code), ``old_la_code`` (DfE's three-digit number), ``area_name``, ``area_type`` (england,
region, la), ``region_code``, ``region_name``, ``value``, ``numerator``, ``denominator``,
``marker`` (DfE's symbol where the value is missing: c suppressed, x not available,
z not applicable, k rounds to zero, u low reliability, low very small; ``-`` LAIT's missing),
``status`` (LAIT's provisional/revised), ``table``, ``edition`` (publication, release and table)
and ``source_file``. Every file, column and value that cannot be used is reported.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

# pandas reads DfE's LAIT parquet file through these: imported with the reader (start-up)
# rather than on the first read (they load pyarrow's file systems and OpenSSL)
import pyarrow.dataset  # noqa: F401
import pyarrow.parquet  # noqa: F401

from .la_codes import LA_CODES
from .problems import WARNING, ProblemLog
from .published_catalogue import (
    ENGLAND,
    JUNE,
    LAIT,
    LAIT_RULES,
    LAIT_YEAR_TYPES,
    MARCH,
    REGIONS,
    SEPTEMBER,
    TABLES,
    Parts,
    Rule,
    Table,
)

MARKERS = ("c", "x", "z", "k", "u", "low")
MARKER_MEANINGS = {"c": "suppressed (confidential)", "x": "not available", "z": "not applicable",
                   "k": "rounds to zero but is not zero", "u": "low reliability",
                   "low": "a very small value", "-": "missing in LAIT"}  # fmt: skip
DATA_SUFFIXES = {".csv", ".parquet", ".xlsx", ".xlsm", ".xls"}
COLUMNS = ["indicator_id", "measure", "breakdown", "time_period", "year", "area_code",
           "old_la_code", "area_name", "area_type", "region_code", "region_name", "value",
           "numerator", "denominator", "marker", "status", "table", "edition",
           "source_file"]  # fmt: skip
ID_COLUMNS = {"timeperiod": "year", "timeidentifier": "time_identifier",
              "geographiclevel": "geographic_level", "countrycode": "country_code",
              "countryname": "country_name", "regioncode": "region_code",
              "regionname": "region_name", "oldlacode": "old_la_code",
              "newlacode": "new_la_code", "laname": "la_name"}  # fmt: skip
LEVELS = {"national": "england", "regional": "region", "localauthority": "la"}
SYNTHETIC = re.compile(r"synthetic", re.IGNORECASE)


def key_of(text: object) -> str:
    """A name or label reduced to its meaning: lower-case letters and digits, with ``%`` as
    ``percent``, ``+`` as ``plus`` and a dash between numbers as ``to`` (``1-10_days`` ->
    ``1to10days``)."""
    s = unicodedata.normalize("NFKC", str(text)).lower().replace("%", "percent")
    s = re.sub(r"(\d)\s*[-–]\s*(\d)", r"\1to\2", s).replace("+", "plus")
    return re.sub(r"[^a-z0-9]", "", s)


def keys_of(column: pd.Series) -> pd.Series:
    """:func:`key_of` of every cell, computed once per distinct value."""
    codes, uniques = pd.factorize(column.astype("string").fillna(""))
    mapped = np.array([key_of(u) for u in uniques] + [""], dtype=object)
    return pd.Series(mapped[np.where(codes < 0, len(uniques), codes)], index=column.index)


def _match(pattern: str, key: str) -> bool:
    """``pattern`` matches ``key`` from the start of one of its ``role=`` parts to its end."""
    return re.search(r"(?:^|;)(?:" + pattern + r")$", key) is not None


@dataclass
class Published:
    """Everything read from a folder of DfE's published files."""

    values: pd.DataFrame
    neighbours: pd.DataFrame  # see neighbours.read_neighbour_model
    population: pd.DataFrame  # see population.read_population_workbook
    dictionary: pd.DataFrame | None = None
    files: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- values
def parse_values(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(value, marker, bad) from DfE's text cells: numbers (also LAIT's ``68.900000000000006``
    and ``7.0000000000000007E-2``), DfE's markers (value missing, marker kept), and durations
    written ``years:months`` (as months). ``bad`` marks cells that are none of these."""
    return _parse_columns([raw])[0]


# Texts pandas reads as another number in a column of whole numbers than among decimals
# (``-0`` is 0 or -0.0; whole numbers of 16 digits or more are rounded another way): the
# columns of a file that has one are parsed one by one, as before. Searched for in all the
# distinct texts at once, a text a line (a text holding a line break may match where it would
# not alone: its columns are then parsed one by one, which is never wrong).
_WHOLE_NUMBER_SENSITIVE = re.compile(r"^-0+$|\d{16,}", re.MULTILINE)

Parsed = tuple[np.ndarray, np.ndarray, np.ndarray]  # value (NaN: none), marker code, bad
# DfE's markers as codes (0: none), in the order the first found names a derived gap
MARKER_CODES = np.array(["", "c", "u", "x", "z", "k", "low", "-"], dtype=object)


def _parse_columns(columns: list[pd.Series]) -> list[tuple[pd.Series, pd.Series, pd.Series]]:
    """:func:`parse_values` of each column (see :func:`_parse_arrays`)."""
    out = []
    for column, (value, marker, bad) in zip(columns, _parse_arrays(columns), strict=True):
        out.append((pd.Series(pd.arrays.FloatingArray(value, np.isnan(value)),
                              index=column.index, name=column.name),
                    pd.Series(MARKER_CODES[marker], index=column.index, dtype=object),
                    pd.Series(pd.array(bad, dtype="bool[pyarrow]"),
                              index=column.index)))  # fmt: skip
    return out


def _parse_arrays(columns: list[pd.Series]) -> list[Parsed]:
    """:func:`parse_values` of each column as arrays, with the distinct texts of all of them
    parsed once together (a table's value columns hold a few hundred distinct texts in 20,000
    cells, and pandas' cost per operation, not per cell, dominated when each column was parsed
    alone)."""
    # the columns one below another factorised once: their distinct texts in the order
    # factorising each and pooling the uniques gave
    joined = columns[0] if len(columns) == 1 else pd.concat(columns, ignore_index=True)
    codes, uniques = pd.factorize(joined, sort=False)
    at, distinct = pd.factorize(pd.Series(np.asarray(uniques, dtype=object), dtype="string"))
    distinct = pd.Series(distinct, dtype="string")
    if len(columns) > 1:
        numbers = "\n".join(distinct.str.strip().to_numpy(dtype=object)).replace(",", "")
        if _WHOLE_NUMBER_SENSITIVE.search(numbers):
            return [_parse_arrays([column])[0] for column in columns]
    # a missing cell is parsed with the rest (NA: no value, no marker, not bad)
    value, marker, bad = _parse_distinct(pd.concat([distinct, pd.Series([pd.NA], dtype="string")],
                                                   ignore_index=True))  # fmt: skip
    take = np.append(at, len(distinct))[codes]  # a missing cell's code (-1) takes the NA
    code_of = {m: i for i, m in enumerate(MARKER_CODES)}
    marker = np.array([code_of[m] for m in marker], dtype=np.int8)
    out, start = [], 0
    for column in columns:
        cells = take[start : start + len(column)]
        start += len(column)
        out.append((value[cells], marker[cells], bad[cells]))
    return out


_MARKER_TEXTS = frozenset([*MARKERS, "-"])
# years:months, in ASCII digits (\d would take any script's, which Arrow cannot convert)
_DURATION = re.compile(r"^([0-9]+):([0-9]{1,2})$")


def _parse_distinct(raw: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`parse_values` of each text in ``raw`` (pandas' strings) as arrays: the value
    (NaN where none), the marker ("" where none) and whether the text is bad. The texts that
    are not plain numbers (markers, blanks, a few others) are looked at one by one: pandas'
    cost per operation outweighed the work on a few hundred texts."""
    text = raw.str.strip()
    value = pd.to_numeric(text, errors="coerce").astype("Float64")
    value = value.to_numpy(dtype=float, na_value=np.nan)
    texts = text.to_numpy(dtype=object, na_value=None)
    marker = np.full(len(texts), "", dtype=object)
    rest = np.array([i for i in np.flatnonzero(np.isnan(value)) if texts[i]], dtype=np.intp)
    if len(rest):
        other = text.iloc[rest]
        lower = other.str.lower().to_numpy(dtype=object)
        # GSS-style spreadsheet tables write the markers in square brackets ("[c]"); DfE's
        # EES files write them bare ("c"): both are the same marker
        bare = [m[1:-1] if m[:1] == "[" and m[-1:] == "]" else m for m in lower]
        marker[rest] = [m if m in _MARKER_TEXTS else "" for m in bare]
        # a number written with thousands separators (only a text with a comma can read
        # differently once they are taken out)
        comma = np.array([i for i, t in zip(rest, texts[rest], strict=True) if "," in t],
                         dtype=np.intp)  # fmt: skip
        if len(comma):
            plain = pd.to_numeric(text.iloc[comma].str.replace(",", "", regex=False),
                                  errors="coerce").astype("Float64")  # fmt: skip
            value[comma] = plain.to_numpy(dtype=float, na_value=np.nan)
        # a duration, years:months, as months (where it is not a number)
        found = [(i, m.groups()) for i in rest if np.isnan(value[i])
                 if (m := _DURATION.search(texts[i]))]  # fmt: skip
        if found:
            parts = pd.DataFrame([g for _, g in found], dtype="string").astype("Float64")
            months = (parts[0] * 12 + parts[1]).to_numpy(dtype=float, na_value=np.nan)
            value[[i for i, _ in found]] = months
    bad = np.zeros(len(texts), dtype=bool)
    bad[rest] = (marker[rest] == "") & np.isnan(value[rest])
    return value, marker, bad


def _report_bad(frame: pd.DataFrame, bad: pd.Series | np.ndarray, file: str, column: str,
                raw: pd.Series,
                rows: pd.Series, log: ProblemLog) -> None:  # fmt: skip
    """One problem per distinct invalid value of a column (with its first row and count)."""
    if not bad.any():
        return
    found = pd.DataFrame({"value": raw[bad].astype(str), "row": rows[bad]})
    for value, group in found.groupby("value", sort=True):
        log.add(WARNING, "invalid value", file, row=int(group["row"].iloc[0]), column=column,
                value=value, expected=f"a number or one of DfE's markers {', '.join(MARKERS)} "
                f"({len(group)} row(s); the value is left missing)")  # fmt: skip


# ----------------------------------------------------------------------------- EES tables
def _read_csv(file: Path, log: ProblemLog) -> pd.DataFrame | None:
    """A CSV as text cells, header not applied (BOM, CRLF and quoted empties as DfE writes),
    as Python strings (objects: an EES table's cells are worked on once per distinct text,
    and converting every column to pandas' strings cost more than that work)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(file, header=None, dtype=object, keep_default_na=False,
                               encoding=encoding)  # fmt: skip
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            return pd.DataFrame()
        except (pd.errors.ParserError, ValueError) as exc:
            log.add(WARNING, "unreadable file", str(file), value=str(exc).splitlines()[0],
                    expected="a comma-separated file as DfE publishes it")  # fmt: skip
            return None
    log.add(WARNING, "unreadable file", str(file), expected="UTF-8 or Windows-1252 text")
    return None


def _is_value_column(parsed: Parsed) -> bool:
    """Whether a column holds values (numbers, markers or durations) rather than labels: at
    least 90% of its non-blank cells, from its :func:`parse_values` (a blank cell is the only
    one that is neither a value, a marker nor bad)."""
    value, marker, bad = parsed
    readable = ~np.isnan(value) | (marker != 0)
    filled = int((readable | bad).sum())
    return filled == 0 or bool(readable.sum() / filled >= 0.9)


def _known_value_column(key: str) -> bool:
    """Whether a heading names a value column of a known wide table (so a column of markers or
    bad values is still read as values, and each bad value reported)."""
    return any(p.startswith("col=") and p != "col=.*" and re.fullmatch(p, f"col={key}")
               for t in TABLES for p in t.known)  # fmt: skip


def _recognise(keys: list[str]) -> Table | None:
    found = [t for t in TABLES if all(any(_match(s, k) for k in keys) for s in t.signature)]
    return max(found, key=lambda t: len(t.signature)) if found else None


@dataclass
class _Texts:
    """A text column as codes into its distinct texts (a few hundred in thousands of cells):
    the work on texts is done once per distinct text, and the final categoricals are built
    from the codes. ``dtype`` is the type pandas gives the column when it is a frame's
    (``str``, ``string`` or ``object``): pandas' concat rules over the pieces' types decide
    the type of the final column's categories."""

    codes: np.ndarray  # -1 where missing
    distinct: np.ndarray  # object: each text once (a table's columns may share one array)
    dtype: str

    @classmethod
    def of(cls, values: object, dtype: str) -> _Texts:
        codes, distinct = pd.factorize(values, sort=False)
        return cls(codes, np.asarray(distinct, dtype=object), dtype)

    @classmethod
    def constant(cls, text: str, rows: int) -> _Texts:
        return cls(np.zeros(rows, dtype=np.intp), np.array([text], dtype=object), "str")

    def take(self, at: np.ndarray) -> _Texts:
        return _Texts(self.codes[at], self.distinct, self.dtype)

    def texts(self) -> np.ndarray:
        """The texts as an object array (None where missing)."""
        return np.append(self.distinct, None)[self.codes]


Column = np.ndarray | _Texts


class _Cells:
    """One table's cells (or the indicators derived from them) as columns: numbers as numpy
    arrays, texts as :class:`_Texts` (a frame a table cost more than the work on its cells)."""

    def __init__(self, columns: dict[str, Column]) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns["value"])

    def __getitem__(self, name: str) -> Column:
        return self.columns[name]

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def take(self, at: np.ndarray) -> _Cells:
        return _Cells({name: c.take(at) if isinstance(c, _Texts) else c[at]
                       for name, c in self.columns.items()})  # fmt: skip

    def text(self, name: str) -> str:
        """The column's text in the first row."""
        return self.columns[name].distinct[self.columns[name].codes[0]]


def _areas(ids: dict[str, np.ndarray], distinct: np.ndarray, lines: int) -> dict[str, _Texts]:
    """Area columns of an EES table from its identifier columns (codes into the table's
    distinct texts, ``distinct``, which holds the blank text): the level of each distinct
    geographic level once, the rest a choice between columns' codes."""
    blank = np.full(lines, _code_of("", distinct), dtype=np.intp)
    get = lambda c: ids.get(c, blank)  # noqa: E731
    codes, at = pd.factorize(get("geographic_level"), sort=False)
    level_of = [AREA_TYPES.index(LEVELS.get(key_of(distinct[a]), "other")) for a in at]
    level = np.array([*level_of, AREA_TYPES.index("other")], dtype=np.intp)[codes]
    england, region = level == 0, level == 1
    la = level == 2

    # a column the file gives is pandas' strings (as the frames it joins hold it), a column
    # made up of blanks objects (which a frame reads as ``str``)
    def kept(column: str, where: np.ndarray) -> _Texts:
        return _Texts(np.where(where, get(column), blank), distinct,
                      "string" if column in ids else "str")  # fmt: skip

    return {
        "area_type": _Texts(level, np.array(AREA_TYPES, dtype=object), "str"),
        "area_code": _Texts(np.select([england, region], [get("country_code"), get("region_code")],
                                      get("new_la_code")), distinct, "str"),
        "area_name": _Texts(np.select([england, region], [get("country_name"), get("region_name")],
                                      get("la_name")), distinct, "str"),
        "old_la_code": kept("old_la_code", la),
        "region_code": kept("region_code", ~england),
        "region_name": kept("region_name", ~england),
    }  # fmt: skip


AREA_TYPES = ("england", "region", "la", "other")


def _code_of(text: str, distinct: np.ndarray) -> int:
    found = np.flatnonzero(distinct == text)
    return int(found[0]) if len(found) else -1


def _stripped_codes(columns: list[pd.Series]) -> tuple[list[np.ndarray], np.ndarray]:
    """The columns as pandas' strings, stripped, blank where missing: as codes into one
    array of their distinct texts (which holds the blank text). The columns are factorised one
    below another in one go and each distinct text stripped once (pandas' cost per operation
    outweighed the work)."""
    n = len(columns[0]) if columns else 0
    text = pd.concat(columns, ignore_index=True) if columns else pd.Series([], dtype=object)
    # each distinct text stripped once (the same strip of pandas' strings as of every cell)
    codes, uniques = pd.factorize(text, sort=False)
    stripped = pd.Series(np.asarray(uniques, dtype=object), dtype="string").str.strip().fillna("")
    at, distinct = pd.factorize(np.append(stripped.to_numpy(dtype=object), ""), sort=False)
    codes = at[codes]  # a missing cell (-1) takes the blank text, the last
    distinct = np.asarray(distinct, dtype=object)
    return [codes[i * n : (i + 1) * n] for i in range(len(columns))], distinct


def _read_ees(raw: pd.DataFrame, file: Path, log: ProblemLog) -> _Cells | None:
    """Cells of one EES table, or None (reported) when it is not one of DfE's known tables."""
    header = [str(h) for h in raw.iloc[0]]
    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = range(len(header))
    rows = pd.Series(np.arange(2, len(body) + 2), index=body.index)  # file line numbers
    id_columns: dict[str, int] = {}
    labels: list[tuple[str, int]] = []
    values: list[tuple[str, int]] = []
    kinds = {pos: key_of(name) for pos, name in enumerate(header)}
    candidates = [pos for pos, k in kinds.items() if k not in ID_COLUMNS and k != ""]
    parsed = dict(zip(candidates, _parse_arrays([body[p] for p in candidates]), strict=True))
    for pos, name in enumerate(header):
        k = kinds[pos]
        if k in ID_COLUMNS:
            id_columns[ID_COLUMNS[k]] = pos  # stripped below, all together
        elif k == "":
            if (body[pos].astype("string").str.strip().fillna("") != "").any():
                log.add(WARNING, "unrecognised column", str(file), column=f"column {pos + 1}",
                        expected="a heading for every column with values")  # fmt: skip
        elif _known_value_column(k) or _is_value_column(parsed[pos]):
            values.append((name, pos))
        else:
            labels.append((name, pos))
    texts, distinct = _stripped_codes([body[p] for p in [*id_columns.values(),
                                                         *(p for _, p in labels)]])  # fmt: skip
    ids = dict(zip(id_columns, texts[: len(id_columns)], strict=True))
    labelled = _labelled([name for name, _ in labels], texts[len(ids) :], distinct, len(body))
    keys = sorted({f"{lk}col={kinds[pos]}" for lk in labelled.keys for _, pos in values})
    table = _recognise(keys)
    year, year_texts = _year(ids.get("year"), distinct)
    if table is None:
        log.add(WARNING, "unrecognised file", str(file),
                value=", ".join(h for h, _ in values[:6]),
                expected="one of DfE's children-in-need, children-looked-after, care-leaver, "
                "workforce or population tables; its values are not used")  # fmt: skip
        log.not_used(str(file), "not recognised as a DfE table the project reads (see the "
                     "problem log)")  # fmt: skip
        return None
    for name, pos in values:
        column_keys = {f"{lk}col={kinds[pos]}" for lk in labelled.keys}
        if not any(_match(p, k) for k in column_keys for p in table.known):
            log.add(WARNING, "unrecognised column", str(file), column=name,
                    expected=f"a column of DfE's {table.title} table; its values are kept "
                    "under their own name and not used as a comparator")  # fmt: skip
    bad_year = year.isna()
    if bad_year.any():
        _report_bad(body, bad_year, str(file), "time_period",
                    year_texts() if "year" in ids else body[0], rows, log)  # fmt: skip
    release = int(year.max()) if year.notna().any() else 0
    areas = _areas(ids, distinct, len(body))
    names = areas["area_name"]
    synthetic = any(SYNTHETIC.search(str(v)) for v in names.distinct[np.unique(names.codes)])
    edition = (f"{table.publication}, {release} release, {table.title}" if release
               else f"{table.publication}, release not known, {table.title}")  # fmt: skip
    edition += " (synthetic demonstration values)" if synthetic else ""
    for name, pos in values:
        _report_bad(body, parsed[pos][2], str(file), name, body[pos], rows, log)
    constants = {"table": table.key, "edition": edition, "source_file": str(file),
                 "priority": table.priority, "period": table.period}  # fmt: skip
    cells = _cells(areas, [(name, kinds[pos], parsed[pos]) for name, pos in values], labelled,
                   year, rows, constants)  # fmt: skip
    if bad_year.any():
        cells = cells.take(np.flatnonzero(pd.notna(cells["year"])))
    log.used(str(file), f"{edition}", f"EES table recognised by its columns "
             f"({', '.join(table.signature)}); {len(body)} rows, years "
             f"{int(year.min()) if release else '?'}-{release or '?'}")  # fmt: skip
    return cells


def _year(codes: np.ndarray | None, distinct: np.ndarray) -> tuple[pd.Series, Callable]:
    """DfE's ``time_period`` of each line as a number (missing where it is not one), read
    once per distinct text; and a function giving the texts (for the problem log)."""
    if codes is None:
        return pd.to_numeric(pd.Series(dtype=str), errors="coerce"), lambda: None
    local, at = pd.factorize(codes, sort=False)
    number = pd.to_numeric(pd.Series(distinct[at], dtype="string"), errors="coerce")
    return pd.Series(number.array.take(local)), lambda: pd.Series(distinct[codes])


@dataclass
class _Labelled:
    """The label columns of a table's lines: each line's combination of labels (a code), and
    each combination's measure-key part (``name=key;`` a label column) and name part
    (``text / `` a label column)."""

    line: np.ndarray
    keys: list[str]
    names: list[str]
    dtypes: tuple[str, str]  # of the keys and names: as the label columns' texts, if any


def _labelled(names: list[str], texts: list[np.ndarray], distinct: np.ndarray,
              lines: int) -> _Labelled:  # fmt: skip
    """:class:`_Labelled` of a table's label columns (codes into ``distinct``; a few dozen
    combinations in thousands of lines: keyed and written once each)."""
    combined = np.zeros(lines, dtype=np.int64)
    for codes in texts:  # stripped: never missing
        combined = pd.factorize(combined * (len(distinct) + 1) + codes, sort=False)[0]
    line, _ = pd.factorize(combined, sort=False)
    first = np.unique(line, return_index=True)[1]  # a line of each combination
    found = [distinct[codes[first]] for codes in texts]
    names = [key_of(name) for name in names]
    keys = ["".join(f"{name}={key_of(t[i])};" for name, t in zip(names, found, strict=True))
            for i in range(len(first))]  # fmt: skip
    written = ["".join(f"{t[i]} / " for t in found) for i in range(len(first))]
    return _Labelled(line, keys, written, ("str", "string") if texts else ("object", "object"))


def _cells(areas: dict[str, _Texts], columns: list[tuple[str, str, Parsed]],
           labelled: _Labelled, year: pd.Series, rows: pd.Series,
           constants: dict) -> _Cells:  # fmt: skip
    """One row per cell: each value column's cells below the previous column's, beside the
    areas, with the cell's measure key and name, and the file's ``constants`` (the keys and
    names once per label combination and column; ``columns``: each value column's name, key
    and parsed cells)."""
    repeat = np.tile(np.arange(len(rows)), len(columns))
    combination = np.concatenate([i * len(labelled.keys) + labelled.line
                                  for i in range(len(columns))])  # fmt: skip
    keys = [f"{lk}col={key}" for _, key, _ in columns for lk in labelled.keys]
    names = [f"{ln}{name}" for name, _, _ in columns for ln in labelled.names]
    cells = {name: column.take(repeat) for name, column in areas.items()}
    cells |= {
        "key": _Texts.of(np.array(keys, dtype=object), labelled.dtypes[0]).take(combination),
        "measure": _Texts.of(np.array(names, dtype=object), labelled.dtypes[1]).take(combination),
        "value": np.concatenate([value for _, _, (value, _, _) in columns]),
        "marker": _markers([marker for _, _, (_, marker, _) in columns]),
        "year": year.to_numpy()[repeat],
        "row": rows.to_numpy()[repeat],
    }  # fmt: skip
    return _Cells(cells | {k: _constant(v, len(repeat)) for k, v in constants.items()})


def _markers(markers: list[np.ndarray]) -> _Texts:
    """DfE's markers of cells (codes, see MARKER_CODES) as :class:`_Texts`."""
    return _Texts(np.concatenate(markers).astype(np.intp), MARKER_CODES, "str")


def _marker_codes(markers: _Texts) -> np.ndarray:
    """The codes (see MARKER_CODES) of a column of DfE's markers."""
    if markers.distinct is MARKER_CODES:
        return markers.codes
    code_of = {m: i for i, m in enumerate(MARKER_CODES)}
    return np.array([*(code_of[m] for m in markers.distinct), 0], dtype=np.int8)[markers.codes]


def _constant(value: object, rows: int) -> Column:
    """A column of ``value``: texts as :class:`_Texts` of pandas' strings (the type
    ``DataFrame.assign`` gives a text)."""
    if isinstance(value, str):
        return _Texts.constant(value, rows)
    return np.full(rows, value)


# ----------------------------------------------------------------------------- LAIT
def _lait_year(years: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`_lait_years` once per distinct label."""
    codes, uniques = pd.factorize(years.astype("string").fillna(""))
    year, status = _lait_years(pd.Series(uniques, dtype="string"))
    take = np.where(codes < 0, 0, codes)
    return (pd.Series(year.to_numpy()[take], index=years.index),
            pd.Series(status.to_numpy()[take], index=years.index))  # fmt: skip


def _lait_years(years: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(year the figure ends, status) from LAIT's period labels: ``2024``, ``2023-24``,
    ``2023/24``, ``2024-25 (OT)``, ``2015/16-17/18`` (three years to 2018), ``2014-16``,
    ``2024 (Rev)``, ``2025 (prov)``."""
    text = years.astype("string").str.strip()
    status = text.str.extract(r"\(([^)]*)\)\s*$")[0].str.lower().fillna("")
    core = text.str.replace(r"\s*\([^)]*\)\s*$", "", regex=True)
    last = core.str.extract(r"(\d{2,4})\D*$")[0]
    first = core.str.extract(r"^(\d{4})")[0]
    last_n = pd.to_numeric(last, errors="coerce")
    century = pd.to_numeric(first.str[:2], errors="coerce") * 100
    year = last_n.where(last.str.len() == 4, century + last_n)
    year = year.where(pd.to_numeric(first, errors="coerce") >= 1990)
    status = status.replace({"prov": "provisional", "rev": "revised", "ot": "", "final": "final"})
    return year, status


def _lait_areas(frame: pd.DataFrame) -> pd.DataFrame:
    number = pd.to_numeric(frame["LA Number"], errors="coerce")
    name = frame["LA and Regions"].astype("string").fillna("")
    name_key = keys_of(name)
    region_key = keys_of(frame["Region"])
    england = number == 970
    region = ~england & name_key.isin(REGIONS) & (number >= 980)
    la = ~england & ~region
    old = number.astype("Int64").astype("string").fillna("")
    region_code = region_key.map(REGIONS).fillna("")
    region_code = region_code.replace({"E13000001": "E12000007", "E13000002": "E12000007"})
    return pd.DataFrame({
        "area_type": np.select([england, region], ["england", "region"], "la"),
        "area_code": np.select([england, region], [ENGLAND, name_key.map(REGIONS).fillna("")],
                               ""),
        "area_name": name.to_numpy(),
        "old_la_code": old.where(la, ""),
        "region_code": region_code.where(la, np.where(region, name_key.map(REGIONS), "")),
        "region_name": frame["Region"].astype("string").fillna("").where(la, "").to_numpy(),
    }, index=frame.index)  # fmt: skip


def _read_lait(frame: pd.DataFrame, file: Path, log: ProblemLog,
               dictionary: pd.DataFrame | None) -> _Cells:  # fmt: skip
    rows = pd.Series(np.arange(1, len(frame) + 1), index=frame.index)
    value, marker, bad = parse_values(frame["Values"])
    _report_bad(frame, bad, str(file), "Values", frame["Values"], rows, log)
    year, status = _lait_year(frame["Years"])
    no_year = year.isna()
    if no_year.any():
        _report_bad(frame, no_year, str(file), "Years", frame["Years"], rows, log)
    measure_key = keys_of(frame["Short Desc"])
    periods = {k: p for k, (_, p, _) in LAIT_RULES.items()}
    if dictionary is not None:
        types = dictionary.set_index("measure_key")["year_type"].map(LAIT_YEAR_TYPES)
        periods = {**types.dropna().to_dict(), **periods}
    synthetic = frame["LA and Regions"].astype("string").str.contains(SYNTHETIC).any()
    short = frame["Short Desc"].astype("category")
    titles = frame["Data item"].astype("string").groupby(short, observed=True).first()
    measure = short.cat.rename_categories(
        [f"{c}: {titles.get(c, '')}" for c in short.cat.categories]
    )
    edition = f"{LAIT}, data set with years to {int(year.max())}" + (
        " (synthetic demonstration values)" if synthetic else ""
    )
    areas, n = _lait_areas(frame), len(frame)
    # the columns a frame of them would have had, texts as pandas' strings (``str``)
    cells = _Cells({c: _Texts.of(areas[c], str(areas[c].dtype)) for c in areas.columns} | {
        "key": _Texts.of(("lait=" + measure_key).to_numpy(), "str"),
        "measure": _Texts(measure.cat.codes.to_numpy().astype(np.intp),
                          np.asarray(measure.cat.categories, dtype=object), "str"),
        "value": value.to_numpy(), "marker": _Texts.of(marker.to_numpy(), "str"),
        "year": year.to_numpy(), "status": _Texts.of(status.to_numpy(), "str"),
        "row": rows.to_numpy(), "table": _Texts.constant("lait", n),
        "edition": _Texts.constant(edition, n), "source_file": _Texts.constant(str(file), n),
        "priority": np.full(n, 9),
        "period": _Texts.of(measure_key.map(periods).fillna("").to_numpy(), "str"),
    })  # fmt: skip
    log.used(str(file), f"{LAIT} data set: {frame['Short Desc'].nunique()} measures, "
             f"{len(frame)} rows", "parquet with LAIT's columns Short Desc, Years, "
             "LA and Regions, Values, LA Number")  # fmt: skip
    return cells.take(np.flatnonzero(year.notna().to_numpy()))


LAIT_COLUMNS = {"Short Desc", "Years", "LA and Regions", "Values", "LA Number"}


def _read_dictionary(raw: pd.DataFrame, file: Path, log: ProblemLog) -> pd.DataFrame:
    header = [key_of(h) for h in raw.iloc[0]]
    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = header
    out = pd.DataFrame({
        "measure_key": body["measureshort"].map(key_of),
        "measure": body["measureshort"], "title": body.get("measure", ""),
        "polarity": body.get("polarity", ""), "year_type": body["yeartype"].map(key_of),
        "source_table": body.get("tablestatus", ""),
    })  # fmt: skip
    log.used(str(file), "LAIT data dictionary", "columns Measure_short and Year_Type: gives "
             "each LAIT measure's title and the period its years end")  # fmt: skip
    return out


# ----------------------------------------------------------------------------- rules
def _parts(parts: Parts, keys: list[str]) -> list[str]:
    if not parts:
        return []
    if callable(parts):
        return parts(keys)
    patterns = (parts,) if isinstance(parts, str) else parts
    return [k for p in patterns for k in keys if _match(p, k)]


AREA_KEYS = ["area_type", "area_code", "old_la_code", "area_name", "region_code",
             "region_name", "year", "source_file"]  # fmt: skip


@dataclass
class _Wide:
    """One file's cells as arrays, a row per area and year and a column per measure key: built
    once per file, so each rule is a few numpy operations on column positions (pandas'
    per-operation cost over ~60 rules a file was most of the reading time)."""

    values: np.ndarray  # float, NaN where the cell is missing or absent
    markers: np.ndarray  # DfE's marker's code (see MARKER_CODES), 0 where none or absent
    position: dict[str, int]

    def take(self, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
        cols = [self.position[k] for k in keys]
        return self.values[:, cols], self.markers[:, cols]


def _sum(wide: _Wide, cols: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Sum of ``cols`` per area; missing (with a part's marker) where any part is."""
    parts, marks = wide.take(cols)
    missing = np.isnan(parts)
    # added in the order the DataFrame.sum(axis=1) this replaces adds them, so that sums of
    # decimals are the same to the last bit: column by column, except for fewer than 6 rows
    # with a part missing, where pandas (3.1) sums each row of a zero-filled row-major copy
    # (numpy's pairwise order once there are 8 parts or more)
    if len(parts) < 6 and missing.any():
        total = np.ascontiguousarray(np.where(missing, 0.0, parts)).sum(axis=1)
    else:
        total = np.asfortranarray(parts).sum(axis=1)
    total[missing.any(axis=1)] = np.nan
    # the first marker of MARKER_CODES found: the lowest code above 0
    marker = np.where(marks > 0, marks, len(MARKER_CODES)).min(axis=1, initial=len(MARKER_CODES))
    return total, np.where(marker < len(MARKER_CODES), marker, 0).astype(np.int8)


_MARKER_Z = np.int8(list(MARKER_CODES).index("z"))


def _rule_rows(rule: Rule, wide: _Wide, keys: list[str]) -> dict | None:
    """The columns a rule gives for every area and year of the file, or None when the file
    lacks what it needs."""
    num_keys, den_keys = _parts(rule.num, keys), _parts(rule.den, keys)
    value_keys = _parts(rule.value, keys) if rule.value else []
    if rule.value and len(value_keys) != 1:
        return None
    if not rule.value and (not num_keys or not den_keys):
        return None
    if rule.expect and (len(num_keys) != rule.expect or len(den_keys) != rule.expect):
        return None
    rows = len(wide.values)
    nothing = (np.full(rows, np.nan), np.zeros(rows, dtype=np.int8))
    num, num_mark = _sum(wide, num_keys) if num_keys else nothing
    den, den_mark = _sum(wide, den_keys) if den_keys else nothing
    if rule.value:
        value, marker = (a[:, 0] for a in wide.take(value_keys))
        measure_key = value_keys[0]
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            value = rule.scale * num / np.where(den > 0, den, np.nan)
        marker = np.where(num_mark != 0, num_mark, den_mark)
        # nothing to divide by (e.g. an authority with no conferences): DfE's "not applicable"
        marker = np.where((marker == 0) & (den == 0), _MARKER_Z, marker)
        measure_key = rule.how or " + ".join(num_keys) + " ÷ " + " + ".join(den_keys)
    if rule.per_10k:  # the population implied by DfE's own count and rate (see the catalogue)
        with np.errstate(divide="ignore", invalid="ignore"):
            den = np.round(num * 10_000 / np.where(value > 0, value, np.nan))
    return {"value": value, "marker": marker, "measure_key": measure_key, "numerator": num,
            "denominator": den, "indicator_id": rule.indicator_id,
            "breakdown": rule.breakdown}  # fmt: skip


def _wide(cells: _Cells) -> tuple[dict[str, Column], _Wide]:
    """The areas (a row per area and year) and the cells of each as arrays: of a cell given
    twice, its first value and its first marker. The rows are in the order
    ``groupby(sort=False)`` and ``unstack`` gave them: by each area column's values in the
    order they first appear, the first column first."""
    # the cells of a file line share its area and year: each area column is factorised over
    # the first cell of each line (in order of appearance, so the codes are the same as of
    # the texts)
    line, _ = pd.factorize(cells["row"], sort=False)
    _, first = np.unique(line, return_index=True)
    lines = {c: cells[c].take(first) for c in AREA_KEYS}
    codes = np.column_stack([_first_seen(lines[c]) for c in AREA_KEYS])
    key = cells["key"]
    key_code, keys = key.codes, key.distinct  # a key's column: its code
    # groupby leaves out missing keys: a line counts where its area is known and at least one
    # of its cells has a key; the areas are sorted line by line (a tenth of the cells)
    keyed = np.zeros(len(first), dtype=bool)
    keyed[line[key_code >= 0]] = True
    usable = np.flatnonzero((codes >= 0).all(axis=1) & keyed)
    order = np.lexsort(codes[usable].T[::-1])
    starts = np.r_[True, (np.diff(codes[usable][order], axis=0) != 0).any(axis=1)]
    line_row = np.full(len(first), -1, dtype=np.intp)
    line_row[usable[order]] = np.cumsum(starts) - 1
    row = line_row[line]
    kept = (row >= 0) & (key_code >= 0)
    n_rows, n_keys = int(starts.sum()), len(keys)
    cell = row[kept] * n_keys + key_code[kept]
    value = cells["value"][kept]
    marker = _marker_codes(cells["marker"])[kept]
    values = np.full(n_rows * n_keys, np.nan)
    markers = np.zeros(n_rows * n_keys, dtype=np.int8)
    has_value = ~np.isnan(value)
    filled, first = np.unique(cell[has_value], return_index=True)
    values[filled] = value[has_value][first]
    filled, first = np.unique(cell, return_index=True)
    markers[filled] = marker[first]
    of_row = usable[order[starts]]  # a line of each row (its lines share their areas)
    areas = {c: lines[c].take(of_row) for c in AREA_KEYS}
    return areas, _Wide(values.reshape(n_rows, n_keys), markers.reshape(n_rows, n_keys),
                        {k: i for i, k in enumerate(keys)})  # fmt: skip


def _first_seen(column: Column) -> np.ndarray:
    """Codes of a column's values in order of first appearance (-1 where missing)."""
    if isinstance(column, _Texts):
        codes = pd.factorize(column.codes, sort=False)[0]
        return np.where(column.codes < 0, -1, codes)
    return pd.factorize(column, sort=False)[0]


def _indicators(cells: _Cells) -> _Cells | None:
    """The project's indicators from one file's cells, by its table's rules."""
    table = cells.text("table")
    key = cells["key"]
    if table == "lait":
        # each LAIT measure's rule looked up once per distinct key
        rules = [LAIT_RULES.get(k[5:]) for k in key.distinct]
        mapped = cells.take(np.flatnonzero(np.array([*(r is not None for r in rules), False])
                                           [key.codes]))  # fmt: skip
        codes = mapped["key"].codes
        ids = np.array([r[0] if r else None for r in rules], dtype=object)[codes]
        breakdown = _Texts.of(np.array([r[2] if r else "" for r in rules], dtype=object), "str")
        n = len(codes)
        return _Cells(mapped.columns | {"indicator_id": ids, "breakdown": breakdown.take(codes),
                                        "numerator": np.full(n, np.nan),
                                        "denominator": np.full(n, np.nan)})  # fmt: skip
    spec = next(t for t in TABLES if t.key == table)
    if not spec.rules:
        return None
    keys = sorted(key.distinct[np.unique(key.codes[key.codes >= 0])])
    areas, wide = _wide(cells)
    found = [f for r in spec.rules if (f := _rule_rows(r, wide, keys)) is not None]
    if not found:
        return None
    # one file: its edition and table
    same = {"edition": cells.text("edition"), "priority": cells["priority"][0],
            "period": cells.text("period")}  # fmt: skip
    return _stack(areas, found, _measures(cells), {"table": table, **same, "status": ""})


def _measures(cells: _Cells) -> tuple[dict[str, str], str]:
    """Each measure key's name as the file gives it (its first cell's), and the type of the
    names' column."""
    key, measure = cells["key"], cells["measure"]
    present, first = np.unique(key.codes, return_index=True)
    known = present >= 0
    names = measure.texts()[first[known]]
    return dict(zip(key.distinct[present[known]], names, strict=True)), measure.dtype


def _stack(areas: dict[str, Column], found: list[dict], measures: tuple[dict[str, str], str],
           constants: dict) -> _Cells:  # fmt: skip
    """The rules' columns one rule below another, each beside the areas, with the name of
    each rule's measure (DfE's, or the rule's own description of a derived one), and the
    file's ``constants`` (its table, edition...)."""
    n = len(areas["year"])
    each, tile = np.repeat(np.arange(len(found)), n), np.tile(np.arange(n), len(found))
    out = {name: column.take(tile) for name, column in areas.items()}
    floats = {name: np.concatenate([np.broadcast_to(np.asarray(f[name], dtype=float), n)
                                    for f in found])
              for name in ("value", "numerator", "denominator")}  # fmt: skip
    # a measure DfE names is named as in its file, a derived one by the rule's description;
    # its column is pandas' strings as the file's measure names were, else ``str``
    named, dtype = measures
    written = [
        m if (m := named.get(f["measure_key"])) is not None else f["measure_key"] for f in found
    ]
    out |= floats | {
        "marker": _markers([f["marker"] for f in found]),
        "indicator_id": np.array([f["indicator_id"] for f in found], dtype=object)[each],
        "breakdown": _Texts.of(np.array([f["breakdown"] for f in found], dtype=object),
                               "str").take(each),
        "measure": _Texts.of(np.array(written, dtype=object),
                             "string" if dtype == "string" else "str").take(each),
    }  # fmt: skip
    out |= {name: _constant(value, len(tile)) for name, value in constants.items()}
    return _Cells(out)


# ----------------------------------------------------------------------------- assembly
def _period_end(year: pd.Series, period: _Texts) -> pd.Series:
    """The date each figure ends, worked out once per distinct year and period (in order of
    first appearance, so ``to_datetime`` infers the same format from the same first text)."""
    year_code, _ = pd.factorize(year, sort=False)
    period_code, periods = pd.factorize(period.codes, sort=False)
    period_code = np.where(period.codes < 0, -1, period_code)
    pair, _ = pd.factorize(year_code * (len(periods) + 1) + period_code, sort=False)
    # the codes count up in order of first appearance: each first appears where they rise
    highest = np.maximum.accumulate(pair)
    first = np.flatnonzero(np.r_[True, highest[1:] != highest[:-1]])
    periods = pd.Series(period.take(first).texts(), index=year.index[first], dtype="str")
    ends = _period_ends(year.iloc[first], periods)
    return pd.Series(ends.array.take(pair), index=year.index)


def _period_ends(year: pd.Series, period: pd.Series) -> pd.Series:
    y = pd.to_numeric(year, errors="coerce").astype("Int64").astype("string")
    month_day = period.map({MARCH: "-03-31", SEPTEMBER: "-09-30", JUNE: "-06-30"})
    return pd.to_datetime(y + month_day, errors="coerce")


def _current_codes(tables: list[_Cells]) -> dict[str, str]:
    """Each authority's current ONS code: its code in the latest year of the files read
    (CIN files keep each year's own code; CLA files restate every year on one edition's
    codes), keyed by DfE's three-digit number."""
    if not tables:
        return {}
    # the cells of a file line share its area and year, and the latest year's last cell wins:
    # the last cell of each line decides as all of them would (a tenth of the cells)
    old, code, year = [], [], []
    for cells in tables:
        row = cells["row"]
        last = np.sort(len(row) - 1 - np.unique(row[::-1], return_index=True)[1])
        line = {c: cells[c].take(last).texts() for c in ("area_type", "old_la_code", "area_code")}
        la = (line["area_type"] == "la") & (line["old_la_code"] != "") & (line["area_code"] != "")
        old.append(line["old_la_code"][la])
        code.append(line["area_code"][la])
        year.append(cells["year"][last][la])
    old, code, year = np.concatenate(old), np.concatenate(code), np.concatenate(year)
    latest = np.argsort(year.astype(float), kind="stable")
    return dict(zip(old[latest], code[latest], strict=True))  # the latest year's code last


def _expand(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    out: list[Path] = []
    for item in map(Path, items):
        out.extend(sorted(p for p in item.rglob("*") if p.is_file()) if item.is_dir() else [item])
    return out


def load_published(paths: str | Path | Iterable[str | Path], log: ProblemLog) -> Published:
    """Read every file under ``paths`` (files or folders): DfE tables, LAIT, statistical
    neighbours and population estimates. Every file is recorded in ``log`` as used (and how
    it was recognised) or not used (and why)."""
    from .neighbours import read_neighbour_grid
    from .population import POPULATION_COLUMNS

    files = _expand(paths)
    tables: list[_Cells] = []
    models: list[pd.DataFrame] = []
    populations: list[pd.DataFrame] = []
    lait: list[tuple[pd.DataFrame, Path]] = []
    dictionary = None
    for file in files:
        suffix = file.suffix.lower()
        if not file.exists():
            log.add(WARNING, "missing file", str(file), expected="a file of DfE statistics")
            continue
        if suffix not in DATA_SUFFIXES:
            log.not_used(str(file), "not a data file (documentation, licence or another "
                         "format): DfE's tables are CSV, parquet or Excel")  # fmt: skip
            continue
        if suffix == ".parquet":
            frame = pd.read_parquet(file)
            if set(frame.columns) >= LAIT_COLUMNS:
                lait.append((frame, file))
            else:
                log.add(WARNING, "unrecognised file", str(file),
                        value=", ".join(map(str, frame.columns[:6])),
                        expected="DfE's LAIT data set (Short Desc, Years, LA and Regions, "
                        "Values, LA Number)")  # fmt: skip
                log.not_used(str(file), "parquet file that is not DfE's LAIT data set")
            continue
        if suffix in {".xlsx", ".xlsm", ".xls"}:
            found = _read_workbook(file, log)
            models += found[0]
            populations += found[1]
            continue
        raw = _read_csv(file, log)
        if raw is None or raw.empty:
            if raw is not None:
                log.add(WARNING, "no rows", str(file), expected="a table with a heading row")
            log.not_used(str(file), "empty or unreadable (see the problem log)")
            continue
        heads = {key_of(h) for h in raw.iloc[0]}
        if {"timeperiod", "geographiclevel"} <= heads:
            cells = _read_ees(raw, file, log)
            if cells is not None:
                tables.append(cells)
        elif {"measureshort", "yeartype"} <= heads:
            dictionary = _read_dictionary(raw.astype("str"), file, log)
        elif (model := read_neighbour_grid(raw.astype("str"), file, log)) is not None:
            models.append(model)
        else:
            log.add(WARNING, "unrecognised file", str(file),
                    value=", ".join(map(str, raw.iloc[0, :6])),
                    expected="a DfE EES table (time_period, geographic_level, ...), LAIT's "
                    "data dictionary or a statistical-neighbour model")  # fmt: skip
            log.not_used(str(file), "not recognised as a DfE table, LAIT file, statistical-"
                         "neighbour model or population estimate")  # fmt: skip
    tables += [_read_lait(frame, file, log, dictionary) for frame, file in lait]
    values = _assemble(tables)
    neighbours = pd.concat(models, ignore_index=True) if models else _empty_neighbours()
    population = (pd.concat(populations, ignore_index=True) if populations
                  else pd.DataFrame(columns=POPULATION_COLUMNS))  # fmt: skip
    return Published(values, neighbours, population, dictionary, [str(f) for f in files])


def _read_workbook(file: Path, log: ProblemLog) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    from .neighbours import read_neighbour_grid
    from .population import read_population_sheet

    try:
        book = pd.ExcelFile(file, engine="calamine")
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is reported, not raised
        log.add(WARNING, "unreadable file", str(file), value=type(exc).__name__,
                expected="an Excel workbook")  # fmt: skip
        log.not_used(str(file), "unreadable workbook")
        return [], []
    models, populations, unused = [], [], []
    for sheet in book.sheet_names:
        raw = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object)
        raw = raw.astype(object).where(raw.notna(), "").astype(str)
        raw = raw.replace(r"\.0$", "", regex=True)
        if (model := read_neighbour_grid(raw, file, log, sheet)) is not None:
            models.append(model)
        elif (pop := read_population_sheet(raw, file, sheet, log)) is not None:
            populations.append(pop)
        else:
            unused.append(sheet)
    if not models and not populations:
        log.add(WARNING, "unrecognised file", str(file), value=", ".join(unused[:6]),
                expected="a statistical-neighbour model or ONS population estimates by "
                "single year of age")  # fmt: skip
        log.not_used(str(file), "no sheet recognised as a statistical-neighbour model or "
                     "population estimates")  # fmt: skip
    return models, populations


def _empty_neighbours() -> pd.DataFrame:
    from .neighbours import NEIGHBOUR_COLUMNS

    return pd.DataFrame(columns=NEIGHBOUR_COLUMNS)


TEXT_COLUMNS = ["measure", "breakdown", "area_code", "old_la_code", "area_name", "area_type",
                "region_code", "region_name", "marker", "status", "table", "edition",
                "source_file"]  # fmt: skip


def _assemble(tables: list[_Cells]) -> pd.DataFrame:
    """The tables' cells and the indicators derived from them, one below another, texts as
    categoricals (the pieces' codes joined, the categories sorted: what ``pd.concat`` and
    ``astype("category")`` gave, without writing out and hashing every row's text)."""
    tables = [t for t in tables if len(t)]
    if not tables:
        return pd.DataFrame(columns=[*COLUMNS, "priority"])
    derived = [d for t in tables if (d := _indicators(t)) is not None and len(d)]
    raw = [_Cells(t.columns | {"indicator_id": np.full(len(t), pd.NA, dtype=object),
                               "breakdown": _Texts.constant("", len(t)),
                               "numerator": np.full(len(t), np.nan),
                               "denominator": np.full(len(t), np.nan)})
           for t in tables]  # fmt: skip
    pieces = [*derived, *raw]
    text = {c: _joined(pieces, c) for c in [*TEXT_COLUMNS, "period"]}
    # an authority's current code where one is known (the files' own codes first): looked up
    # once per DfE number
    codes = {**LA_CODES, **_current_codes(tables)}
    old, area = text["old_la_code"], text["area_code"]
    current = [codes.get(n) for n in old.distinct]
    found = [c for c in current if c is not None]
    at, area.distinct = pd.factorize(np.concatenate([area.distinct, np.array(found, dtype=object)]))
    area.distinct = np.asarray(area.distinct, dtype=object)
    to_current = np.full(len(current) + 1, -1, dtype=np.intp)
    to_current[[i for i, c in enumerate(current) if c is not None]] = at[len(at) - len(found) :]
    now = to_current[old.codes]
    la = text["area_type"].codes == _code_of("la", text["area_type"].distinct)
    area.codes = np.where(la & (now >= 0), now,
                          np.append(at[: len(at) - len(found)], -1)[area.codes])  # fmt: skip
    numbers = {c: np.concatenate([p[c] for p in pieces])
               for c in ("year", "value", "numerator", "denominator", "priority")}  # fmt: skip
    year = pd.Series(numbers["year"])
    columns = {
        "indicator_id": pd.Series(
            np.concatenate([p["indicator_id"] for p in pieces]), dtype=object
        ),
        "time_period": _period_end(year, text["period"]),
        "year": pd.to_numeric(year, errors="coerce").astype("Int64"),
    }
    dtypes = _text_dtypes(pieces)
    for c in TEXT_COLUMNS:
        columns[c] = _categorical(text[c], "str" if c == "marker" else dtypes.get(c, "str"),
                                  blank=c in {"marker", "status", "area_code"})  # fmt: skip
    columns |= {c: numbers[c].astype(float) for c in ("value", "numerator", "denominator")}
    columns["priority"] = numbers["priority"]
    return pd.DataFrame({c: columns[c] for c in [*COLUMNS, "priority"]})


def _text_dtypes(pieces: list[_Cells]) -> dict[str, object]:
    """The type of each text column after ``pd.concat`` of the pieces as frames, by pandas'
    own rules (``str`` and ``string`` give ``string``, anything with object gives object):
    read off empty frames of the pieces' types, one of each combination of types (a column
    of one type in every piece keeps it)."""
    types = {c: {p[c].dtype if c in p else None for p in pieces} for c in TEXT_COLUMNS}
    same = {c: next(iter(t)) for c, t in types.items() if len(t) == 1 and None not in t}
    varying = [c for c in TEXT_COLUMNS if c not in same]
    kinds = {tuple((c, p[c].dtype) for c in varying if c in p): None for p in pieces}
    heads = [pd.DataFrame({c: pd.array([], dtype=d) for c, d in kind}) for kind in kinds]
    return same | (pd.concat(heads, ignore_index=True).dtypes.to_dict() if varying else {})


def _joined(pieces: list[_Cells], name: str) -> _Texts:
    """The column ``name`` of the pieces one below another (missing where a piece lacks
    it), as codes into the distinct texts of all of them."""
    # a table's cells and its indicators share their texts' arrays: each pooled once
    arrays = {id(p[name].distinct): p[name].distinct for p in pieces if name in p}
    start = dict(zip(arrays, np.cumsum([0, *map(len, arrays.values())]), strict=False))
    pooled = np.concatenate([*arrays.values(), np.array([], dtype=object)])
    at, distinct = pd.factorize(pooled, sort=False)
    at = np.append(at, -1)  # a missing text's code (-1) stays missing
    parts, shift = [], []
    for piece in pieces:
        given = name in piece
        parts.append(piece[name].codes if given else np.full(len(piece), -1, dtype=np.intp))
        shift.append(start[id(piece[name].distinct)] if given else 0)
    codes = np.concatenate(parts)
    codes = np.where(codes < 0, -1, at[codes + np.repeat(shift, [len(p) for p in parts])])
    return _Texts(codes, np.asarray(distinct, dtype=object), "")


def _categorical(column: _Texts, dtype: object, blank: bool) -> pd.Categorical:
    """``astype("category")`` of the column in ``dtype`` (missing as blank if ``blank``): its
    distinct texts sorted as categories (inferred where the column was objects)."""
    codes, distinct = column.codes, column.distinct
    if blank and (codes < 0).any():
        if (code := _code_of("", distinct)) < 0:
            distinct, code = np.append(distinct, ""), len(distinct)
        codes = np.where(codes < 0, code, codes)
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(distinct)))
    texts = distinct[used]
    order = np.argsort(texts, kind="stable")
    rank = np.full(len(distinct) + 1, -1, dtype=np.intp)  # a missing value's code is -1
    rank[used[order]] = np.arange(len(order))
    categories = pd.Index(texts[order], dtype=None if str(dtype) == "object" else dtype)
    return pd.Categorical.from_codes(rank[codes], dtype=pd.CategoricalDtype(categories))


def read_published(paths: str | Path | Iterable[str | Path],
                   log: ProblemLog | None = None) -> pd.DataFrame:  # fmt: skip
    """DfE's published statistics from the files as downloaded (files or folders), as one long
    frame (see the module docstring). Problems (an unrecognised file or column, a value that
    is neither a number nor a DfE marker) go to ``log``; without one they are issued as
    warnings, so nothing is dropped in silence."""
    own = log is None
    log = log or ProblemLog()
    values = load_published(paths, log).values.drop(columns="priority")
    if own:
        for problem in log.problems:
            warnings.warn(problem.line(), PublishedDataWarning, stacklevel=2)
    return values


class PublishedDataWarning(UserWarning):
    """A problem found while reading DfE's published files without a problem log."""


def comparators(values: pd.DataFrame) -> pd.DataFrame:
    """The headline comparator of each indicator, area and period from :func:`read_published`
    (or :func:`load_published`) values, one row each: an EES table wins over LAIT, and a later
    release over an earlier one (DfE revises earlier years in each release)."""
    if values.empty:
        return values.iloc[0:0]
    headline = (values["indicator_id"].notna() & (values["breakdown"] == "")
                & values["time_period"].notna()).to_numpy(dtype=bool)  # fmt: skip
    if not headline.any():
        return values.loc[headline].copy()
    # the rows are taken once, at the end: only the key columns are read before
    at = np.flatnonzero(headline)
    rows = {name: values[name].iloc[at] for name in ("edition", "area_type", "old_la_code",
                                                      "area_code", "indicator_id",
                                                      "time_period")}  # fmt: skip
    # the release year of each edition (a handful of texts in 45,000 rows): once per edition
    codes, editions = pd.factorize(rows["edition"], sort=False)
    years = pd.Series(np.asarray(editions, dtype=object), dtype=object).astype(str)
    release = np.append(years.str.extract(r"(\d{4})")[0].astype(float).to_numpy(), np.nan)
    # an authority is its DfE number, another area its code (as text: a code of each is enough,
    # since the area type is part of the key)
    area = np.where((rows["area_type"] == "la").to_numpy(dtype=bool),
                    pd.factorize(_as_text(rows["old_la_code"]))[0],
                    pd.factorize(_as_text(rows["area_code"]))[0])  # fmt: skip
    # sorted and de-duplicated on the keys alone
    priority = values["priority"].iloc[at].to_numpy() if "priority" in values else 0
    rank = pd.DataFrame({"_p": priority, "_r": -np.nan_to_num(release[codes], nan=0.0)})
    order = rank.sort_values(["_p", "_r"], kind="stable").index.to_numpy()
    # (the ids as the objects they are: a frame would convert them to pandas' strings first)
    keys = pd.DataFrame({"indicator_id": pd.Series(rows["indicator_id"].to_numpy(), dtype=object),
                         "time_period": rows["time_period"].to_numpy(),
                         "area_type": rows["area_type"].array, "_area": area})  # fmt: skip
    first = order[~keys.take(order).duplicated().to_numpy()]
    return values.take(at[first]).reset_index(drop=True)


def _as_text(column: pd.Series) -> pd.Series:
    """``column.astype(str)``, except a categorical column of texts as it is (the same equal
    values, without writing out every row)."""
    if isinstance(column.dtype, pd.CategoricalDtype) and (
        str(column.cat.categories.dtype) in {"str", "string"}
    ):
        return column
    return column.astype(str)


__all__ = ["read_published", "load_published", "comparators", "Published", "key_of",
           "parse_values", "MARKERS", "PublishedDataWarning"]  # fmt: skip
