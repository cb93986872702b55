"""Every new optional local table (issue 20) through the malformed-input cases of issue 16: a
misspelt column and a missing required column are refused naming the nearest column; a bad
date, an unknown code, a number out of range, a date in the future and an end before its start
are row-level problems with file, row, column and value; a valid table is read without any
problem. Each case runs ``sefanalysis validate`` (never a traceback or "unexpected")."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sefanalysis.dataset import load_dataset
from sefanalysis.ingest.local_tables import LOCAL_TRACKERS

from ..conftest import write_dataset
from .test_input_trust import validate

# One valid row per table, and for each table the column to break for each case
VALID = {
    "early_help_episodes": {"child_id": "A", "dob": "2015-01-01", "start_date": "2024-01-01",
                            "end_date": "2024-05-01", "end_reason": "Outcomes achieved"},
    "plo": {"child_id": "A", "pre_proceedings_start": "2024-01-01",
            "pre_proceedings_end": "2024-04-01", "pre_proceedings_outcome": "Diverted"},
    "exploitation": {"child_id": "A", "screening_date": "2024-01-01",
                     "risk_level": "Significant", "end_date": "2024-06-01"},
    "lado": {"allegation_id": "L1", "received_date": "2024-01-01",
             "progressed_to_referral": "Yes", "outcome": "Unfounded",
             "outcome_date": "2024-03-01"},
    "missing_episodes": {"child_id": "A", "looked_after": "No", "start_date": "2024-01-01",
                         "end_date": "2024-01-02", "rhi_offered": "Yes"},
    "fostering": {"household_id": "H1", "household_type": "Mainstream",
                  "approval_date": "2020-01-01", "deregistration_date": "2024-01-01",
                  "approved_places": 2},
    "virtual_school": {"child_id": "A", "year_ending": 2024, "sessions_possible": 300,
                       "sessions_attended": 280, "permanent_exclusion": "No"},
    "peps": {"child_id": "A", "due_date": "2024-10-31", "completed_date": "2024-10-01",
             "quality": "Good"},
    "compliments": {"received_date": "2024-01-05", "team": "Front Door"},
}  # fmt: skip
DATE = {"early_help_episodes": "start_date", "plo": "pre_proceedings_start",
        "exploitation": "screening_date", "lado": "received_date",
        "missing_episodes": "start_date", "fostering": "approval_date",
        "virtual_school": None, "peps": "completed_date",
        "compliments": "received_date"}  # fmt: skip
CODE = {"early_help_episodes": "end_reason", "plo": "pre_proceedings_outcome",
        "exploitation": "risk_level", "lado": "outcome", "missing_episodes": "rhi_offered",
        "fostering": "household_type", "virtual_school": "permanent_exclusion",
        "peps": "quality", "compliments": None}  # fmt: skip
NUMBER = {"fostering": ("approved_places", 50), "virtual_school": ("sessions_possible", 5000)}
INTERVAL = {"early_help_episodes": ("start_date", "end_date"),
            "plo": ("pre_proceedings_start", "pre_proceedings_end"),
            "exploitation": ("screening_date", "end_date"),
            "lado": ("received_date", "outcome_date"),
            "missing_episodes": ("start_date", "end_date"),
            "fostering": ("approval_date", "deregistration_date")}  # fmt: skip


IDS = ("child_id", "household_id", "allegation_id")


def folder(tmp_path: Path, table: str, row: dict, good_first: bool = False) -> Path:
    """A data folder whose ``table`` holds ``row`` (after a valid row of another child, with
    ``good_first``: a column mostly not dates is refused whole, one bad date is a row problem)."""
    root = write_dataset(tmp_path / "la", {})
    good = {k: ("Z" if k in IDS else v) for k, v in VALID[table].items()}
    pd.DataFrame([good, row] if good_first else [row]).to_csv(root / f"{table}.csv", index=False)
    return root


def test_the_cases_cover_every_new_table():
    assert set(VALID) == set(LOCAL_TRACKERS)


@pytest.mark.parametrize("table", list(VALID))
def test_a_valid_table_is_read_without_a_problem(table, tmp_path):
    ds = load_dataset(folder(tmp_path, table, VALID[table]))
    own = ds.problems.loc[ds.problems["file"].str.endswith(f"{table}.csv")]
    assert own.empty, own.to_string()
    assert len(ds.table(table)) == 1


@pytest.mark.parametrize("table", list(VALID))
def test_a_misspelt_or_missing_column_is_refused(table, tmp_path, capsys):
    row = dict(VALID[table])
    key = next(c.key for c in LOCAL_TRACKERS[table].columns if c.required)
    misspelt = {(k + "x" if k == key else k): v for k, v in row.items()}
    misspelt.setdefault(key + "x", "")
    code, text = validate(folder(tmp_path, table, misspelt), capsys)
    if len(row) == 2:  # one heading left that the table knows: not recognised as the table
        assert code == 1 and "FATAL not the expected table" in text, text
        return
    assert code == 1 and "FATAL unknown column" in text and "did you mean" in text, text
    assert f"FATAL missing column in {tmp_path / 'la' / table}.csv" in text, text


def bad_value(table: str, case: str) -> tuple[dict, str] | None:
    """The valid row with one value broken for ``case``, and the problem expected (None if the
    table has no column for the case)."""
    row = dict(VALID[table])
    if case == "date" and DATE[table]:
        row[DATE[table]] = "31/02/2024"
        return row, "unparseable date"
    if case == "code" and CODE[table]:
        row[CODE[table]] = "lunch"
        return row, "unknown code"
    if case == "number" and table in NUMBER:
        column, value = NUMBER[table]
        row[column] = value
        return row, "value out of range"
    if case == "future" and DATE[table] and table != "peps":  # a PEP's due date may be ahead
        row[DATE[table]] = "2099-01-01"
        return row, "date in the future"
    if case == "interval" and table in INTERVAL:
        start, end = INTERVAL[table]
        row[start], row[end] = "2024-05-01", "2024-02-01"
        return row, "end before start"
    return None


CASES = [(t, c) for t in VALID for c in ("date", "code", "number", "future", "interval")
         if bad_value(t, c) is not None]  # fmt: skip


@pytest.mark.parametrize(("table", "case"), CASES)
def test_a_bad_value_is_a_row_level_problem(table, case, tmp_path, capsys):
    row, kind = bad_value(table, case)  # type: ignore[misc]
    code, text = validate(folder(tmp_path, table, row, good_first=True), capsys)
    assert code == 0, text
    line = next(ln for ln in text.splitlines() if f"WARNING {kind} in " in ln)
    assert f"{table}.csv row 3 column " in line and "found " in line, line


def test_two_rows_for_one_household_or_child_year_that_disagree_are_fatal(tmp_path, capsys):
    root = write_dataset(tmp_path / "la", {})
    pd.DataFrame([VALID["fostering"], {**VALID["fostering"], "approved_places": 3}]).to_csv(
        root / "fostering.csv", index=False)  # fmt: skip
    code, text = validate(root, capsys)
    assert code == 1 and "FATAL conflicting rows in" in text and "fostering.csv" in text
