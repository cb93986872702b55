"""Raw tables as read, before any heading or type is applied, held column by column as their
distinct values.

A column of an authority's list holds few distinct values however many rows it has (45,000
referral dates are a few thousand days; a code column a dozen spellings), so each column is
factorised once when it is read (:class:`Cells`: the distinct values, and for each row which of
them it holds) and every later step (blank markers, codes, dates, numbers, the values shown in
problems) works on the distinct values and is spread back to the rows by one ``take``.

Workbooks are read with python-calamine directly: each cell is converted as pandas'
``read_excel`` converts it (whole floats become integers, date cells datetimes, pandas' missing
markers such as ``#N/A`` become missing), but once per distinct value rather than once per cell.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime, time, timedelta
from itertools import chain, repeat
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv
from python_calamine import SheetTypeEnum, load_workbook

# The strings pandas' readers take as missing by default (pandas.io.parsers STR_NA_VALUES): a
# workbook cell holding one of them is empty, as it was when sheets were read by read_excel.
EXCEL_NA = frozenset(
    ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
     "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
)  # fmt: skip


class Cells:
    """One raw column: its distinct values (``uniques``, none missing, in order of first
    appearance) and, for each row, the position of its value among them (``codes``; -1 where
    the cell is empty)."""

    __slots__ = ("codes", "uniques")

    def __init__(self, codes: np.ndarray, uniques: np.ndarray) -> None:
        self.codes = codes
        self.uniques = uniques

    @classmethod
    def of(cls, values: object, exact: bool = True) -> Cells:
        """Factorise ``values``. Python holds ``True == 1 == 1.0``, so hashing puts such values
        together; with ``exact`` (the default) values of different types are kept apart, as a
        cell-by-cell reading keeps them (``1.0`` is written "1.0", ``True`` "True")."""
        array = np.asarray(values, dtype=object)
        codes, uniques = pd.factorize(array, use_na_sentinel=True)
        uniques = np.asarray(uniques, dtype=object)
        if exact and _may_conflate(array, uniques):
            # one distinct value for each (value, type) held, in order of first appearance
            held = np.flatnonzero(codes >= 0)
            types = np.fromiter(map(type, array[held]), dtype=object, count=len(held))
            kinds = pd.factorize(types)[0]
            typed, _ = pd.factorize(codes[held] * (int(kinds.max()) + 1) + kinds)
            first = np.unique(typed, return_index=True)[1]
            codes = np.full(len(array), -1, dtype=np.intp)
            codes[held] = typed
            uniques = array[held[first]]
        return cls(codes.astype(np.intp, copy=False), uniques)

    def merged(self) -> Cells:
        """The same column with values that hash alike made one (``True`` with 1), as pandas'
        own factorize of the column would have them."""
        if len(self.uniques) < 2 or len(_holds_numbers(self.uniques)) < 2:
            return self
        held = self.compact()  # the first of values alike to appear stands for them all
        return held.recoded(held.uniques, exact=False)

    def recoded(self, values: np.ndarray, exact: bool = True) -> Cells:
        """Cells whose distinct values are ``values`` (one for each of ``uniques``; missing
        ones make their rows empty), factorised again so that equal values are one."""
        again = Cells.of(values, exact=exact)
        return Cells(np.append(again.codes, -1)[self.codes], again.uniques)

    def take(self, positions: np.ndarray) -> Cells:
        """The cells of some rows (their distinct values may include some no longer held)."""
        return Cells(self.codes[positions], self.uniques)

    def compact(self) -> Cells:
        """The same cells with only the distinct values they hold, in order of first
        appearance (as factorising them afresh would give)."""
        present = self.codes >= 0
        held, order = pd.factorize(self.codes[present])
        if len(order) == len(self.uniques) and (np.diff(order) > 0).all():
            return self
        codes = np.full(len(self.codes), -1, dtype=np.intp)
        codes[present] = held
        return Cells(codes, self.uniques[order])

    def spread(self, per_unique: np.ndarray, fill: object) -> np.ndarray:
        """Per-row values from one value per distinct value (``fill`` for empty cells)."""
        filler = np.array([fill], dtype=per_unique.dtype)
        return np.concatenate([per_unique, filler])[self.codes]

    def values(self) -> np.ndarray:
        """The cells as objects, NaN where empty (as a reader gives them)."""
        return self.spread(self.uniques, np.nan)


_NUMBERS = (bool, int, float, np.number, np.bool_)


def _holds_numbers(values: np.ndarray) -> set[type]:
    """The types of number (booleans included) among ``values``."""
    return {t for t in set(map(type, values)) if issubclass(t, _NUMBERS)}


def _may_conflate(array: np.ndarray, uniques: np.ndarray) -> bool:
    """Whether factorising ``array`` may have made values of different types one (a boolean
    with 1, an integer with the float of its value): only where the column holds numbers of
    more than one type."""
    return bool(_holds_numbers(uniques)) and len(_holds_numbers(array)) > 1


class RawTable:
    """A sheet or CSV file as read: its columns as :class:`Cells`, no heading applied, rows
    numbered from 0 (``index`` holds the reader's own row labels)."""

    __slots__ = ("columns", "index")

    def __init__(self, columns: list[Cells], index: np.ndarray) -> None:
        self.columns = columns
        self.index = index

    @classmethod
    def of(cls, raw: pd.DataFrame | RawTable) -> RawTable:
        if isinstance(raw, RawTable):
            return raw
        grid = raw.to_numpy(dtype=object)
        columns = [Cells.of(np.ascontiguousarray(grid[:, i])) for i in range(grid.shape[1])]
        return cls(columns, raw.index.to_numpy())

    @property
    def empty(self) -> bool:
        return not self.columns or not len(self.index)

    def __len__(self) -> int:
        return len(self.index)

    def row(self, position: int) -> list[object]:
        """The values of one row (NaN where empty)."""
        return [c.uniques[c.codes[position]] if c.codes[position] >= 0 else np.nan
                for c in self.columns]  # fmt: skip


def _excel_cell(value: object) -> object:
    """A calamine cell value as pandas' ``read_excel`` gives it (missing markers aside)."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime | timedelta | time):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return value


def _excel_cells(values: np.ndarray) -> np.ndarray:
    """Distinct calamine cell values as ``read_excel`` gives them (missing markers missing)."""
    converted = np.empty(len(values), dtype=object)
    days = np.fromiter(map(type, values), dtype=object, count=len(values)) == date
    if days.any():  # date cells (most of a date column): midnight of the day, as read_excel
        converted[days] = list(map(datetime.combine, values[days], repeat(time())))
    converted[~days] = [
        np.nan if isinstance(v, str) and v in EXCEL_NA else _excel_cell(v) for v in values[~days]
    ]
    return converted


_END = object()  # what next() gives once the cells are all read


def sheet_table(rows: list[list[object]]) -> RawTable:
    """A worksheet's rows as calamine gives them, as a :class:`RawTable`: every distinct value
    of a column converted once (whole floats become integers, dates datetimes, pandas' missing
    markers missing), as ``read_excel(header=None, dtype=object)`` converts them."""
    if not rows:
        return RawTable([], np.arange(0))
    width = len(rows[0])
    # every cell in one flat array, turned column by column in one copy (a 2-D grid filled
    # from the row lists costs twice as much); calamine's ranges are rectangular, so too
    # few or too many cells is an error (fromiter raises on too few)
    flat = chain.from_iterable(rows)
    cells_by_row = np.fromiter(flat, dtype=object, count=len(rows) * width)
    if next(flat, _END) is not _END:
        raise ValueError("rows of unequal length")
    by_column = cells_by_row.reshape(len(rows), width).T.copy()
    columns = []
    for values in by_column:
        # read_excel's parser keeps one object for values that compare equal in a column
        # (True, 1 and 1.0 are all the first of them to appear): so do these cells; text
        # only (most columns) holds no such values, so it is factorised without that check
        cells = Cells.of(values, exact=False)
        if pd.api.types.infer_dtype(cells.uniques, skipna=False) == "string":
            # nothing to convert but the missing markers
            missing = np.fromiter(map(EXCEL_NA.__contains__, cells.uniques), bool)
            if missing.any():
                cells = cells.recoded(np.where(missing, np.nan, cells.uniques))
            columns.append(cells)
            continue
        if _may_conflate(values, cells.uniques):
            cells = Cells.of(values)
        columns.append(cells.recoded(_excel_cells(cells.uniques)))
    return RawTable(columns, np.arange(len(rows)))


def csv_table(path: Path) -> RawTable | None:
    """A UTF-8 CSV file read by pyarrow straight into columns of distinct values, every cell
    text and no header applied, as ``read_csv(header=None, dtype=object,
    keep_default_na=False, na_values=[""])`` reads it (blank lines skipped, empty cells
    missing); no Python string is made per cell. None where pyarrow cannot read the file as
    that would (another encoding, rows of unequal length, no rows): the caller then reads it
    with pandas, which reports what is wrong as it always has."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
    except OSError:
        return None
    first = next((line for line in head.splitlines() if line.strip()), None)
    if first is None:
        return None  # nothing but blank lines: pandas' reading says what it makes of them
    width = first.count(b",") + 1  # at least the first row's fields (commas quoted count too)
    try:
        table = pv.read_csv(
            path,
            read_options=pv.ReadOptions(autogenerate_column_names=True),
            parse_options=pv.ParseOptions(newlines_in_values=True),
            convert_options=pv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(width)},
                strings_can_be_null=True, null_values=[""], quoted_strings_can_be_null=True),
        )  # fmt: skip
    except (pa.ArrowInvalid, OSError):
        return None
    if table.num_columns > width or any(t != pa.string() for t in table.schema.types):
        return None
    columns = []
    for column in table.columns:
        encoded = column.combine_chunks().dictionary_encode()
        codes = encoded.indices.fill_null(-1).to_numpy().astype(np.intp)
        uniques = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
        columns.append(Cells(codes, uniques))
    return RawTable(columns, np.arange(table.num_rows))


class Workbook:
    """A workbook (.xlsx, .xlsm, .xlsb, .xls, .ods) being read with python-calamine.

    Calamine parses a sheet without holding Python's lock, so the sheets are parsed one after
    another in a background thread from the moment the workbook is opened, while Python does
    other work (the CSV files): the file reader's time overlaps the rest on a second core.
    The caller may let each parsed sheet be turned into columns between its other work
    (:meth:`convert_ready`), so that it does not wait for the last sheets at the end;
    :meth:`sheets` waits for the rest in turn. An error opening or reading the file is raised
    by :meth:`sheets`, as it would be read at once."""

    def __init__(self, path: Path) -> None:
        self._book = None
        self._error: BaseException | None = None
        self._pending: list[tuple[str, Future]] = []
        self._tables: dict[str, RawTable] = {}  # the sheets turned into columns so far
        try:
            with path.open("rb") as handle:
                self._book = load_workbook(handle)
            names = [s.name for s in self._book.sheets_metadata
                     if s.typ == SheetTypeEnum.WorkSheet]  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - raised again by sheets()
            self._error = exc
            return
        self._reader = ThreadPoolExecutor(max_workers=1)
        self._pending = [(n, self._reader.submit(self._book.get_sheet_by_name, n)) for n in names]

    def convert_ready(self) -> None:
        """Turn the sheets parsed so far into columns (in order, up to the first still being
        parsed); a sheet that cannot be read is left for :meth:`sheets` to report."""
        for name, sheet in self._pending[len(self._tables) :]:
            if not sheet.done():
                return
            try:
                self._tables[name] = sheet_table(sheet.result().to_python(skip_empty_area=False))
            except Exception:  # noqa: BLE001 - raised again, in its place, by sheets()
                return

    def sheets(self) -> dict[str, RawTable]:
        """Every worksheet by name, as :class:`RawTable` (raises if the file is not readable)."""
        if self._error is not None:
            raise self._error
        try:
            for name, sheet in self._pending[len(self._tables) :]:
                self._tables[name] = sheet_table(sheet.result().to_python(skip_empty_area=False))
            return self._tables
        finally:
            self.close()

    def close(self) -> None:
        if self._pending:
            self._reader.shutdown(wait=True, cancel_futures=True)
            self._pending = []
        if self._book is not None:
            self._book.close()
            self._book = None


def read_workbook(path: Path) -> dict[str, RawTable]:
    """Every worksheet of a workbook by name, read with python-calamine (see :class:`Workbook`).
    Raises whatever the file or calamine raises when it is not a workbook."""
    return Workbook(path).sheets()


__all__ = ["Cells", "RawTable", "Workbook", "csv_table", "read_workbook", "sheet_table", "EXCEL_NA"]
