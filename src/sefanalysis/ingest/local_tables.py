"""The authority's own CSV files: workforce, audits, supervision, complaints, population,
benchmarks, statistical neighbours and targets.

Columns are parsed with the same tolerant rules as Annex A; value ranges are then checked with
pandera (lazy validation, so every failing cell is reported, not just the first).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .annex_a import parse_list, read_csv_raw
from .annex_a_spec import Column, ListSpec
from .codes import YES_NO
from .problems import FATAL, WARNING, ProblemLog

if TYPE_CHECKING:
    import pandera.pandas as pa

GRADES = {
    "Outstanding": ["o", "1"],
    "Good": ["g", "2"],
    "Requires improvement": ["ri", "3", "requires improvement to be good"],
    "Inadequate": ["i", "4"],
}
AREA_TYPES = {"england": ["national", "eng"], "region": ["regional"], "la": ["local authority"]}


def _t(key: str, title: str, cols: list[Column], required: tuple[str, ...]) -> ListSpec:
    return ListSpec(0, key, title, tuple(cols), required_values=required)


LOCAL_TABLES: dict[str, ListSpec] = {
    "workforce": _t("workforce", "workforce.csv (monthly social-worker establishment)", [
        Column("month", "month", "date"),
        Column("team", "team", "text", required=False),
        Column("fte_in_post", "fte_in_post", "number"),
        Column("agency_fte", "agency_fte", "number"),
        Column("vacancy_fte", "vacancy_fte", "number"),
        Column("starters_fte", "starters_fte", "number"),
        Column("leavers_fte", "leavers_fte", "number"),
        Column("case_holding_fte", "case_holding_fte", "number"),
        Column("cases_held", "cases_held", "number"),
        Column("sickness_days_lost", "sickness_days_lost", "number", required=False),
    ], ("month",)),
    "audits": _t("audits", "audits.csv (quality-assurance case audits)", [
        Column("audit_date", "audit_date", "date"),
        Column("service_area", "service_area", "text"),
        Column("theme", "theme", "text", required=False),
        Column("grade", "grade", "code", GRADES),
        Column("moderated", "moderated", "code", YES_NO, required=False),
        Column("moderated_grade", "moderated_grade", "code", GRADES, required=False),
    ], ("audit_date", "grade")),
    "supervision": _t("supervision", "supervision.csv", [
        Column("due_date", "due_date", "date"),
        Column("team", "team", "text", required=False),
        Column("held_date", "held_date", "date"),
    ], ("due_date",)),
    "complaints": _t("complaints", "complaints.csv", [
        Column("received_date", "received_date", "date"),
        Column("stage", "stage", "text", required=False),
        Column("responded_date", "responded_date", "date"),
        Column("timescale_days", "timescale_days", "int", required=False),
        Column("upheld", "upheld", "code", YES_NO | {"Partly": ["partly", "partially"]},
               required=False),
    ], ("received_date",)),
    "population": _t("population", "population.csv (ONS mid-year estimates, children 0-17)", [
        Column("year", "year", "int"),
        Column("population", "population", "int"),
    ], ("year", "population")),
    "benchmarks": _t("benchmarks", "benchmarks.csv (published comparator values)", [
        Column("indicator_id", "indicator_id", "text"),
        Column("time_period", "time_period", "date"),
        Column("area_code", "area_code", "text"),
        Column("area_name", "area_name", "text"),
        Column("area_type", "area_type", "code", AREA_TYPES),
        Column("value", "value", "number"),
        Column("numerator", "numerator", "number", required=False),
        Column("denominator", "denominator", "number", required=False),
    ], ("indicator_id", "time_period", "area_code")),
    "statistical_neighbours": _t("statistical_neighbours", "statistical_neighbours.csv", [
        Column("area_code", "area_code", "text"),
        Column("area_name", "area_name", "text"),
        Column("rank", "rank", "int", required=False),
    ], ("area_code",)),
    "targets": _t("targets", "targets.csv (local targets)", [
        Column("indicator_id", "indicator_id", "text"),
        Column("target", "target", "number"),
        Column("tolerance", "tolerance", "number", required=False),
    ], ("indicator_id", "target")),
}  # fmt: skip

REQUIRED_FILES = ("population",)

WORKFORCE_COUNTS = ["fte_in_post", "agency_fte", "vacancy_fte", "starters_fte", "leavers_fte",
                    "case_holding_fte", "cases_held", "sickness_days_lost"]  # fmt: skip


@functools.cache
def range_schemas() -> dict[str, pa.DataFrameSchema]:
    """pandera range checks per local table (built on first use: pandera is imported only when
    data is loaded, not in every notebook kernel that reads a cached dataset)."""
    import pandera.pandas as pa

    return {
        "workforce": pa.DataFrameSchema(
            {c: pa.Column(nullable=True, checks=pa.Check.ge(0)) for c in WORKFORCE_COUNTS}
        ),
        "population": pa.DataFrameSchema(
            {
                "population": pa.Column(nullable=True, checks=pa.Check.gt(0)),
                "year": pa.Column(nullable=True, checks=pa.Check.in_range(1990, 2100)),
            },  # fmt: skip
            unique=["year"],
        ),
    }


def check_ranges(key: str, frame: pd.DataFrame, log: ProblemLog, file: str) -> pd.DataFrame:
    """Report every cell pandera rejects; the offending value is set missing, the row kept."""
    import pandera.pandas as pa

    schema = range_schemas().get(key)
    if schema is None or frame.empty:
        return frame
    try:
        schema.validate(frame, lazy=True)
        return frame
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    out = frame.copy()
    for rec in cases.itertuples(index=False):
        idx = rec.index
        column = rec.column if isinstance(rec.column, str) else ""
        row = out.loc[idx, "_row"] if idx is not None and idx in out.index else None
        log.add(
            WARNING,
            "value out of range",
            file,
            row=row,
            column=column,
            value=rec.failure_case,
            expected=str(rec.check),
        )
        if column and idx in out.index and column != "year":
            out.loc[idx, column] = pd.NA
    return out


def read_local_table(key: str, path: Path, log: ProblemLog) -> pd.DataFrame | None:
    """One local CSV table, or None (reported as fatal if required) when the file is absent."""
    spec = LOCAL_TABLES[key]
    if not path.exists():
        if key in REQUIRED_FILES:
            log.add(FATAL, "missing file", str(path), expected=f"{spec.title}")
        return None
    raw = read_csv_raw(path, log)
    if raw is None:
        return None
    frame = parse_list(raw, spec, log, str(path))
    return check_ranges(key, frame, log, str(path))
