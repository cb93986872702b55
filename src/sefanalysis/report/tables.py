"""Published tables as numbers: one frame for the CSV, the workbook and the page.

A :class:`Table` holds each figure as a number (rounded as published) with, beside it, a marker
saying why there is none (the Analysis Function's symbols):

- ``[c]`` confidential: suppressed so that no child can be identified (the run's disclosure
  plan hides a position the cell reveals);
- ``[x]`` not available: the data cannot support a value, or nothing was published for that
  period;
- ``[z]`` not applicable: the figure does not exist for this measure (the numerator of a
  count, the interval of a workforce figure).

The CSV under ``tables/`` is tidy: one value per cell, units in the header (or, where the rows
are different measures, in a ``Unit`` column), a marker column beside each numeric column, and
notes as text. Its description (title, units, markers, notes) is written beside it as
``<name>.json`` for the workbook. The page shows :meth:`Table.display`: the same numbers
formatted, with the marker in place. The ledger (:meth:`Table.ledger`) says which positions of
the disclosure model each published cell reveals, for the run's audit.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd

from ..disclosure import MARKER, Plan
from ..format import DECIMALS, format_value

SUPPRESSED, NOT_AVAILABLE, NOT_APPLICABLE = MARKER, "[x]", "[z]"
SYMBOLS = {
    SUPPRESSED: "confidential: suppressed so that no child can be identified (a count of 1 to "
    "5, a figure calculated from one, or a figure that would let a reader work one out)",
    NOT_AVAILABLE: "not available: the data cannot support a value, or none was published for "
    "that period",
    NOT_APPLICABLE: "not applicable: the figure does not exist for this measure",
}
UNIT_WORDS = {
    "pct": "%",
    "rate_per_10k": "per 10,000 children aged 0-17",
    "count": "number",
    "days": "days",
    "fte": "FTE",
    "ratio": "cases per FTE",
    "score": "score",
}
UNIT_NAMES = {**UNIT_WORDS, "pct": "percentage"}  # a Unit column's words (never a lone "%")
ROW_UNIT = "row"  # a column whose unit is the row's (``Table.row_units``)


def number_format(unit: str) -> str:
    """The Excel number format a unit is published with (``#,##0.0`` for one decimal)."""
    decimals = DECIMALS.get(unit, 1)
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def published(value: float, unit: str) -> float | int:
    """``value`` rounded as it is published (:data:`sefanalysis.format.DECIMALS`): a whole
    number where no decimals are published (``35``, not ``35.0``)."""
    decimals = DECIMALS.get(unit, 1)
    return round(float(value), decimals) if decimals else int(round(float(value)))


@dataclass(frozen=True)
class Num:
    """A figure: its value (NaN where there is none), the positions it reveals, and the marker
    to give when it has no value and is not suppressed."""

    value: float
    positions: tuple[str, ...] = ()
    missing: str = NOT_AVAILABLE


def _reveals(item: object) -> bool:
    """Whether a cell reveals its positions: words do; a figure does only where it has a value
    (a blank, e.g. a census percentage of 0 of 0, reveals nothing, and may name a position no
    published figure was decided for)."""
    return isinstance(item, Text) or (isinstance(item, Num) and not pd.isna(item.value))


@dataclass(frozen=True)
class Text:
    """Words derived from this authority's figures (a trend, a comparison): ledgered like a
    figure and ``[c]`` where a position it reveals is hidden."""

    text: str
    positions: tuple[str, ...] = ()


@dataclass
class Column:
    name: str  # the heading on the page, without unit
    unit: str | None = None  # a registry unit, ROW_UNIT, or None for text
    page: bool = True  # False: in the CSV and workbook only (ids, units, ISO dates)

    def heading(self) -> str:
        """The CSV heading: the unit in brackets where the whole column has one (and the
        name does not already say it: "Number")."""
        if self.unit == "count" and self.name.startswith("Number"):
            return self.name
        if self.unit in UNIT_WORDS:
            return f"{self.name} ({UNIT_WORDS[self.unit]})"
        return self.name

    def marker(self) -> str:
        return f"{self.name} marker"


@dataclass
class Table:
    """Rows of public text, :class:`Num` and :class:`Text` cells under ``columns``."""

    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, object]]
    plan: Plan
    row_units: list[str] | None = None  # per row, for ROW_UNIT columns
    subtitles: list[str] = field(default_factory=list)
    source: str = ""
    indicator_id: str = ""
    area: str = ""
    kind: str = ""  # trend, summary, distribution, reconciliation

    def _unit(self, column: Column, row: int) -> str:
        if column.unit == ROW_UNIT:
            assert self.row_units is not None
            return self.row_units[row]
        return column.unit or "count"

    def _hidden(self, positions: tuple[str, ...]) -> bool:
        return any(self.plan.hides(p) for p in positions)

    def cell(self, row: int, column: Column) -> tuple[object, str]:
        """The cell's value (a published number, text, or NaN) and its marker."""
        item = self.rows[row].get(column.name, "")
        if isinstance(item, Num):
            if self._hidden(item.positions):
                return math.nan, SUPPRESSED
            if item.value is None or pd.isna(item.value):
                return math.nan, item.missing
            return published(item.value, self._unit(column, row)), ""
        if isinstance(item, Text):
            if self._hidden(item.positions):
                return SUPPRESSED, SUPPRESSED
            return (item.text or NOT_AVAILABLE), ""
        return ("" if item is None else str(item)), ""

    def csv_frame(self) -> pd.DataFrame:
        """The tidy frame of the CSV: numbers, and a marker column beside each numeric one."""
        out: dict[str, list] = {}
        for column in self.columns:
            cells = [self.cell(i, column) for i in range(len(self.rows))]
            out[column.heading()] = pd.Series([value for value, _ in cells], dtype=object)
            if column.unit is not None:
                out[column.marker()] = [marker for _, marker in cells]
        return pd.DataFrame(out, columns=list(out))  # whole numbers stay whole in the CSV

    def display(self) -> pd.DataFrame:
        """The same figures for the page: formatted with their unit, the marker in place."""
        out: dict[str, list] = {}
        for column in (c for c in self.columns if c.page):
            texts = []
            for i in range(len(self.rows)):
                value, marker = self.cell(i, column)
                if column.unit is None:
                    texts.append(value)
                else:
                    texts.append(marker or format_value(value, self._unit(column, i)))
            out[column.name] = texts
        return pd.DataFrame(out, columns=list(out))

    def ledger(self) -> tuple[list[dict], list[str]]:
        """The ledger's cells (by CSV heading) and the public columns (labels, comparators,
        markers and notes)."""
        cells, ledgered = [], []
        for column in self.columns:
            items = [row.get(column.name) for row in self.rows]
            if not any(isinstance(item, Num | Text) and item.positions for item in items):
                continue  # nothing of this authority's figures: a public column
            ledgered.append(column.heading())
            for i, item in enumerate(items):
                positions = list(item.positions) if _reveals(item) else []
                cells.append({"row": i, "column": column.heading(), "positions": positions,
                              "shown": not self._hidden(tuple(positions))})  # fmt: skip
        public = [c.heading() for c in self.columns if c.heading() not in ledgered]
        public += [c.marker() for c in self.columns if c.unit is not None]
        return cells, public

    def description(self) -> bytes:
        """``<name>.json``: what the workbook needs to write the CSV as numbers."""
        units = {}
        for column in self.columns:
            if column.unit is not None:
                units[column.heading()] = {"unit": column.unit, "marker": column.marker()}
        body = {
            "name": self.name,
            "title": self.title,
            "subtitles": self.subtitles,
            "source": self.source,
            "indicator_id": self.indicator_id,
            "area": self.area,
            "kind": self.kind,
            "numbers": units,
            "row_units": self.row_units,
            "symbols": {m: SYMBOLS[m] for m in SYMBOLS},
        }
        return json.dumps(body, indent=1, ensure_ascii=False).encode("utf-8")
