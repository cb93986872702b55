"""Loaders on the shared real sample files and on small hand-made broken files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sefanalysis.dataset import load_dataset
from sefanalysis.errors import DataError
from sefanalysis.ingest.annex_a import read_annex_a_workbook
from sefanalysis.ingest.problems import ProblemLog
from sefanalysis.ingest.ssda903 import read_ssda903_folder

from ..conftest import EXTERNAL, write_dataset

needs_shared = pytest.mark.skipif(not EXTERNAL.exists(), reason="../shared sample files absent")


@needs_shared
def test_ofsted_template_loads_with_no_rows_report():
    log = ProblemLog()
    lists = read_annex_a_workbook(EXTERNAL / "annex_a" / "ofsted_annex_a_template_aug2019.xlsx",
                                  log)  # fmt: skip
    assert len(lists) == 11
    assert len(lists["contacts"]) == 0
    no_rows = {p.sheet for p in log.problems if p.kind == "no rows"}
    assert {"List_1", "List_2", "List_4"} <= no_rows
    assert not log.fatal


@needs_shared
def test_social_finance_sample_loads_and_normalises_codes():
    log = ProblemLog()
    lists = read_annex_a_workbook(EXTERNAL / "annex_a" / "liiatools_annex_a_sample.xlsx", log)
    assert all(len(lists[k]) >= 5 for k in ["contacts", "referrals", "care_leavers"])
    # List 8 row 5: a child born in 2018 in care since 2010 (reported, row excluded)
    assert len(lists["cla"]) == 4
    cla = lists["cla"]
    assert set(cla["placement_type"].dropna()) <= {"U1", "U4", "U6", "K2", "P1", "H5", "U3", "U5"}
    assert cla["legal_status"].notna().all()
    # "CS Assessment Updated" is not an outcome code: reported row by row, not a crash
    bad = [p for p in log.problems if p.kind == "unknown code" and p.sheet == "List 4"]
    assert len(bad) == 5 and all(p.row for p in bad)
    assert not log.fatal


@needs_shared
def test_d2i_fake_ssda903_loads_and_reports_its_problems():
    log = ProblemLog()
    tables = read_ssda903_folder(EXTERNAL / "ssda903_d2i_fake", log)
    assert len(tables["episodes"]) == 5050
    kinds = {(Path(p.file).name, p.kind) for p in log.problems}
    assert ("placed_for_adoption.csv", "unknown code") in kinds
    assert ("reviews.csv", "duplicate row") in kinds
    assert not log.fatal


def test_heading_variants_are_matched(tmp_path):
    headings = ["child unique id ", "GENDER", "Ethnicity", "Date of Birth", "Age",
                "Date of Referral", "Referral Source", "Referral NFA", "Number of referrals in "
                "last 12 months"]  # fmt: skip
    folder = tmp_path / "la"
    write_dataset(folder)
    pd.DataFrame([["A1", "a) Female", "a) WBRI", "45000", 1, "02/03/2024", "q) 6: Police",
                   "Y", 0]], columns=headings).to_csv(folder / "annex_a" / "List_3.csv",
                                                      index=False)  # fmt: skip
    ds = load_dataset(folder)
    refs = ds.annex_a["referrals"]
    assert refs.loc[0, "referral_date"] == pd.Timestamp("2024-03-02")
    assert refs.loc[0, "dob"] == pd.Timestamp("2023-03-15")  # Excel serial 45000
    assert refs.loc[0, "referral_nfa"] == "Yes" and refs.loc[0, "source"] == "6"
    assert refs.loc[0, "gender"] == "Female"
    assert not any(p.kind == "missing column" and p.severity == "fatal" for p in ds.log.problems)


def _referrals(folder: Path, rows: list[list[object]]) -> None:
    cols = [
        "Child Unique ID",
        "Date of referral",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        "Gender",
        "Ethnicity",
        "Date of Birth",
    ]
    pd.DataFrame(rows, columns=cols).to_csv(folder / "annex_a" / "list_3.csv", index=False)


def test_each_non_fatal_problem_is_reported_with_its_place(tmp_path):
    folder = write_dataset(
        tmp_path / "la",
        {
            "cin": [{"child_id": "X", "cin_start": "01/05/2024", "cin_end": "01/04/2024"}],
            "cla": [
                {"child_id": "Y", "cla_start": None, "legal_status": "C2", "n_placements_12m": 1}
            ],
        },
    )  # end before start; a child in care with no start date
    _referrals(folder, [
        ["A", "31/02/2024", "No", 0, "Male", "WBRI", "01/01/2015"],   # unparseable date
        ["B", "01/03/2024", "Perhaps", 0, "Male", "WBRI", "01/01/2015"],  # unknown code
        ["C", "01/03/2024", "No", 0, "Male", "WBRI", "01/01/2015"],
        ["C", "01/03/2024", "No", 0, "Male", "WBRI", "01/01/2015"],   # duplicate
    ])  # fmt: skip
    ds = load_dataset(folder)
    p = ds.problems
    date = p.loc[p["kind"] == "unparseable date"].iloc[0]
    assert (date["row"], date["column"], date["value"]) == (2, "Date of referral", "31/02/2024")
    assert "DD/MM/YYYY" in date["expected"]
    code = p.loc[p["kind"] == "unknown code"].iloc[0]
    assert (code["row"], code["value"]) == (3, "Perhaps")
    assert p.loc[p["kind"] == "duplicate row", "row"].tolist() == [5]
    assert p.loc[p["kind"] == "end before start", "row"].tolist() == [2]
    missing = p.loc[p["kind"] == "missing required value"]
    # the child in care with no start date, and referral A whose unparseable date left it blank
    assert sorted(Path(f).name for f in missing["file"]) == ["list_3.csv", "list_8.csv"]
    assert not ds.fatal
    # excluded from the affected list only: 4 rows read, A (no date) and the duplicate dropped
    assert len(ds.annex_a["referrals"]) == 2
    files = ds.files().set_index("table")
    assert files.loc["referrals", "rows_read"] == 4 and files.loc["referrals", "rows_rejected"] == 2


def test_fatal_problems(tmp_path):
    folder = write_dataset(tmp_path / "la")
    pd.DataFrame([["A", "x"]], columns=["Child Unique ID", "Something else"]).to_csv(
        folder / "annex_a" / "list_3.csv", index=False
    )  # not what its name says
    (folder / "population.csv").unlink()  # required file missing
    ds = load_dataset(folder)
    kinds = {(p.kind, Path(p.file).name) for p in ds.log.fatal}
    assert ("not an Annex A list", "list_3.csv") in kinds
    assert ("missing file", "population.csv") in kinds
    with pytest.raises(DataError, match="fatal data problem"):
        load_dataset(folder, strict=True)


def test_workbook_that_is_not_a_workbook(tmp_path):
    folder = write_dataset(tmp_path / "la")
    (folder / "annex_a.xlsx").write_text("this is not a spreadsheet")
    ds = load_dataset(folder)
    assert any(p.kind == "unreadable file" for p in ds.log.fatal)


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_dataset(tmp_path / "nowhere")


def test_demo_loads_without_a_single_problem(demo):
    assert demo.problems.empty
    assert set(demo.ssda903) >= {"header", "episodes", "oc2", "oc3"}


@needs_shared
def test_d2i_fake_episode_inconsistencies_are_reported_row_by_row():
    log = ProblemLog()
    read_ssda903_folder(EXTERNAL / "ssda903_d2i_fake", log)
    overlaps = [p for p in log.problems if p.kind == "overlapping episodes"]
    assert overlaps and all(p.row and p.value for p in overlaps)
    assert any(p.kind == "open episode followed by another" for p in log.problems)


def test_ssda903_chain_rules(tmp_path):
    folder = tmp_path / "2024-25"
    folder.mkdir()
    pd.DataFrame(
        {
            "CHILD": ["1", "2"],
            "SEX": [1, 2],
            "DOB": ["01/01/2015", "01/01/2012"],
            "ETHNIC": ["WBRI", "WBRI"],
        }
    ).to_csv(folder / "header.csv", index=False)
    cols = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"]
    pd.DataFrame([
        ["1", "01/04/2024", "S", "C2", "N1", "U4", "PR1", "10/05/2024", "X1"],
        ["1", "01/05/2024", "P", "C2", "N1", "U6", "PR1", "", ""],  # starts before the last ended
        ["3", "01/06/2024", "S", "C2", "N1", "U6", "PR1", "", ""],  # not in header
    ], columns=cols).to_csv(folder / "episodes.csv", index=False)  # fmt: skip
    log = ProblemLog()
    read_ssda903_folder(folder, log, "2024-25")
    kinds = {(p.kind, p.row) for p in log.problems}
    assert ("overlapping episodes", 2) in kinds
    assert ("child not in header", 4) in kinds


def test_placement_code_retired_in_2025_26_is_reported(tmp_path):
    folder = tmp_path / "2025-26"
    folder.mkdir()
    cols = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"]
    pd.DataFrame([["1", "01/05/2025", "S", "C2", "N1", "H5", "PR1", "", ""]],
                 columns=cols).to_csv(folder / "episodes.csv", index=False)  # fmt: skip
    log = ProblemLog()
    read_ssda903_folder(folder, log, "2025-26")
    assert [p.kind for p in log.problems] == ["code not valid in this collection year"]


def test_missing_required_column_is_fatal(tmp_path):
    folder = write_dataset(tmp_path / "la")
    pd.DataFrame([["A", "01/03/2024"]], columns=["Child Unique ID", "Date of referral"]).to_csv(
        folder / "annex_a" / "list_3.csv", index=False
    )
    ds = load_dataset(folder)
    missing = {p.column for p in ds.log.fatal if p.kind == "missing column"}
    assert "Referral NFA?" in missing and "Number of Referrals in Last 12 Months" in missing


def test_problem_log_accounts_for_files():
    from sefanalysis.ingest.problems import NOT_USED, READ, ProblemLog

    log = ProblemLog()
    log.used("data/annex_a.xlsx", "Annex A List 3 (Referral)", "sheet named 'List 3'")
    log.not_used("data/notes.txt", "not a recognised input")
    frame = log.inventory_frame()
    assert frame["status"].tolist() == [READ, NOT_USED]
    assert frame.loc[1, "how"] == "not a recognised input"
    assert ProblemLog().inventory_frame().columns.tolist() == ["file", "status", "taken_as", "how"]
