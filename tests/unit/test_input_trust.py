"""Nothing silently lost on the way in (issue 16): every file, row and value accounted for, or a
clear refusal.

The corpus below turns each case an earlier user tried (the issue's "Why") into a small data
folder built in a temporary directory, runs ``sefanalysis validate`` on it, and checks that the
outcome is a named problem (with its place) or a clean one-line refusal: never a traceback, an
"unexpected" line, a hang, or a silent drop.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sefanalysis import compute_indicators
from sefanalysis.cli import main
from sefanalysis.dataset import load_dataset
from sefanalysis.ingest.annex_a import read_annex_a_workbook
from sefanalysis.ingest.annex_a_spec import ANNEX_A, LISTS_BY_KEY
from sefanalysis.ingest.parse import parse_dates
from sefanalysis.ingest.problems import NOT_USED, READ, ProblemLog
from sefanalysis.quality import write_reports

from ..conftest import EXTERNAL, write_dataset

END = "2024-12-31"
REFERRAL_HEADINGS = [c.heading for c in LISTS_BY_KEY["referrals"].columns]


def referral_rows(n: int = 4, start: str = "2024-02-01", fmt: str = "%d/%m/%Y") -> list[list]:
    """``n`` referrals a fortnight apart, dates written with ``fmt``."""
    days = pd.date_range(start, periods=n, freq="14D")
    return [
        [f"C{i}", "Male", "WBRI", "01/01/2015", 9, d.strftime(fmt), "6", "No", 0, "T1", "W1"]
        for i, d in enumerate(days)
    ]


def write_referrals(
    folder: Path, rows: list[list], headings: list[str] | None = None, name: str = "list_3.csv"
) -> Path:
    path = folder / "annex_a" / name
    pd.DataFrame(rows, columns=headings or REFERRAL_HEADINGS).to_csv(path, index=False)
    return path


def base(root: Path) -> Path:
    """A small valid authority: referrals in 2024 (list 3) and a population."""
    write_dataset(root)
    write_referrals(root, referral_rows())
    return root


def settings(root: Path, **changes: object) -> None:
    data = yaml.safe_load((root / "authority.yaml").read_text())
    data.update(changes)
    (root / "authority.yaml").write_text(yaml.safe_dump(data))


def workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)


def referral_sheet() -> pd.DataFrame:
    return pd.DataFrame(referral_rows(), columns=REFERRAL_HEADINGS)


# ---------------------------------------------------------------- the corpus: one case each


def two_sheets_for_one_list(root: Path) -> None:  # referrals fell from 4,059 to 893
    (root / "annex_a" / "list_3.csv").unlink()
    (root / "annex_a").rmdir()
    workbook(
        root / "annex_a.xlsx",
        {"List_3": referral_sheet(), "List 3 (old)": referral_sheet().head(1)},
    )


def two_files_for_one_list(root: Path) -> None:
    write_referrals(root, referral_rows(1), name="List 3 - Referrals.CSV")


def two_files_for_one_table(root: Path) -> None:
    (root / "Population.CSV").write_text("year,population\n2024,5\n")


def workbook_beside_a_folder(root: Path) -> None:
    workbook(root / "annex_a.xlsx", {"List_3": referral_sheet()})


def synthetic_as_text(root: Path) -> None:  # 'false' was read as true
    settings(root, synthetic="false")


def extract_date_day_first(root: Path) -> None:  # read as 10 January
    settings(root, extract_date="01/10/2024")


def extract_date_text_month(root: Path) -> None:  # ended in "unexpected ..."
    settings(root, extract_date="1 October 2024")


def misspelt_setting(root: Path) -> None:  # was ignored
    settings(root, finacial_year_start_month=4)


def setting_given_twice(root: Path) -> None:
    path = root / "authority.yaml"
    path.write_text(path.read_text() + "la_name: Another\n")


def unsafe_la_code(root: Path) -> None:
    settings(root, la_code="../../etc")


def heading_given_twice(root: Path) -> None:  # one column was kept, the other dropped
    rows = [r + [r[5]] for r in referral_rows()]
    write_referrals(root, rows, REFERRAL_HEADINGS + ["Date of Referral"])


def duplicate_benchmark_keys(root: Path) -> None:  # the first was kept
    rows = "indicator_id,time_period,area_code,area_name,area_type,value\n"
    rows += "referrals,2024-03-31,E92000001,England,england,10\n" * 1
    rows += "referrals,2024-03-31,E92000001,England,england,12\n"
    (root / "benchmarks.csv").write_text(rows)


def duplicate_population_year(root: Path) -> None:  # passed validate, broke every notebook
    (root / "population.csv").write_text("year,population\n2024,10000\n2024,12000\n")


def target_for_unknown_indicator(root: Path) -> None:  # vanished
    (root / "targets.csv").write_text("indicator_id,target\nreferals,20\n")


def misspelt_table_column(root: Path) -> None:
    (root / "targets.csv").write_text("indicator_id,target,tolerence\nreferrals,20,2\n")


def date_in_1900(root: Path) -> None:  # a CIN start in 1900 was accepted
    write_dataset(
        root, {"cin": [{"child_id": "A", "dob": "2015-01-01", "cin_start": "1900-01-01"}]}
    )


def date_after_the_extract(root: Path) -> None:  # future dates were accepted
    write_referrals(root, referral_rows(2, start="2025-06-01"))


def date_beyond_pandas(root: Path) -> None:  # 31/12/9999 ended in "unexpected ..."
    rows = referral_rows()
    rows[0][5] = "31/12/9999"
    write_referrals(root, rows)


def event_before_birth(root: Path) -> None:
    write_dataset(
        root,
        {
            "cla": [
                {
                    "child_id": "A",
                    "dob": "2020-01-01",
                    "cla_start": "2015-05-01",
                    "legal_status": "C2",
                    "n_placements_12m": 1,
                }
            ]
        },
    )


def billion_fte(root: Path) -> None:
    (root / "workforce.csv").write_text(
        "month,team,fte_in_post,agency_fte,vacancy_fte,starters_fte,leavers_fte,"
        "case_holding_fte,cases_held\n2024-12-01,A,1000000000,1,1,0,0,10,100\n"
    )


def agency_rate_over_100(root: Path) -> None:
    (root / "benchmarks.csv").write_text(
        "indicator_id,time_period,area_code,area_name,area_type,value\n"
        "sw_agency_rate_pct,2024-09-30,E92000001,England,england,150\n"
    )


def us_and_uk_dates_mixed(root: Path) -> None:
    rows = referral_rows(4, fmt="%m/%d/%Y") + referral_rows(4, start="2024-06-20")
    write_referrals(root, rows)


def column_not_dates(root: Path) -> None:
    rows = referral_rows()
    for r in rows:
        r[5] = "pending"
    write_referrals(root, rows)


def workbook_without_lists(root: Path) -> None:  # "Run complete" with zeros
    (root / "annex_a" / "list_3.csv").unlink()
    (root / "annex_a").rmdir()
    workbook(root / "annex_a.xlsx", {"Referrals": referral_sheet()})


def empty_workbook(root: Path) -> None:
    (root / "annex_a" / "list_3.csv").unlink()
    (root / "annex_a").rmdir()
    workbook(root / "annex_a.xlsx", {"Sheet1": pd.DataFrame()})


def folder_without_lists(root: Path) -> None:
    (root / "annex_a" / "list_3.csv").rename(root / "annex_a" / "referrals.csv")


def directory_for_a_csv(root: Path) -> None:  # ended in "unexpected ..."
    (root / "workforce.csv").mkdir()


def named_pipe_for_a_csv(root: Path) -> None:  # hung
    os.mkfifo(root / "workforce.csv")


def named_pipe_for_a_list(root: Path) -> None:
    os.mkfifo(root / "annex_a" / "list_1.csv")


def undecodable_file(root: Path) -> None:
    (root / "audits.csv").write_bytes(b"audit_date,service_area,grade\n\x81\x8d\x8f,\x90,\x9d\n")


def not_a_workbook(root: Path) -> None:
    (root / "annex_a" / "list_3.csv").unlink()
    (root / "annex_a").rmdir()
    (root / "annex_a.xlsx").write_text("this is not a spreadsheet")


def yaml_not_a_mapping(root: Path) -> None:
    (root / "authority.yaml").write_text("- just\n- a list\n")


CORPUS: dict[str, tuple[Callable[[Path], None], str]] = {
    # case: (how to build it, the fatal problem kind it must be refused with)
    "two sheets for one list": (two_sheets_for_one_list, "two sources for one list"),
    "two files for one list": (two_files_for_one_list, "two sources for one list"),
    "two files for one table": (two_files_for_one_table, "two sources for one input"),
    "workbook beside a folder": (workbook_beside_a_folder, "two sources for one input"),
    "synthetic: 'false'": (synthetic_as_text, "invalid setting"),
    "extract_date: 01/10/2024": (extract_date_day_first, "invalid setting"),
    "extract_date: 1 October 2024": (extract_date_text_month, "invalid setting"),
    "misspelt setting": (misspelt_setting, "unknown setting"),
    "setting given twice": (setting_given_twice, "unreadable file"),
    "unsafe la_code": (unsafe_la_code, "invalid setting"),
    "heading given twice": (heading_given_twice, "column given twice"),
    "duplicate benchmark keys": (duplicate_benchmark_keys, "conflicting rows"),
    "duplicate population year": (duplicate_population_year, "conflicting rows"),
    "target for an unknown indicator": (target_for_unknown_indicator, "unknown indicator"),
    "misspelt table column": (misspelt_table_column, "unknown column"),
    "US and UK dates in one column": (us_and_uk_dates_mixed, "dates in two formats"),
    "a date column of text": (column_not_dates, "not a date column"),
    "workbook without lists": (workbook_without_lists, "no Annex A lists"),
    "empty workbook": (empty_workbook, "no Annex A lists"),
    "folder without lists": (folder_without_lists, "no Annex A lists"),
    "directory for a CSV": (directory_for_a_csv, "not a file"),
    "named pipe for a CSV": (named_pipe_for_a_csv, "not a file"),
    "named pipe for a list": (named_pipe_for_a_list, "not a file"),
    "undecodable file": (undecodable_file, "unreadable file"),
    "not a workbook": (not_a_workbook, "unreadable file"),
    "YAML not a mapping": (yaml_not_a_mapping, "unreadable file"),
}
WARNED: dict[str, tuple[Callable[[Path], None], str]] = {
    # case: (how to build it, the row-level problem kind it must be reported with)
    "a CIN start in 1900": (date_in_1900, "date before 1990"),
    "a date after the extract": (date_after_the_extract, "date after the extract date"),
    "31/12/9999": (date_beyond_pandas, "date out of range"),
    "care started before birth": (event_before_birth, "date before birth"),
    "an FTE of a billion": (billion_fte, "value out of range"),
    "an agency rate over 100%": (agency_rate_over_100, "value out of range"),
}


@contextlib.contextmanager
def no_hang(seconds: int = 60):
    """Fail instead of waiting for ever (a named pipe opened for reading blocks)."""

    def stop(*_: object) -> None:
        raise TimeoutError("validate hung")

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def validate(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with no_hang():
        code = main(["validate", "--data", str(root)])
    out, err = capsys.readouterr()
    assert "unexpected" not in out + err and "Traceback" not in out + err
    return code, out + err


@pytest.mark.parametrize("case", list(CORPUS))
def test_each_case_is_refused_with_a_named_problem(case, tmp_path, capsys):
    build, kind = CORPUS[case]
    root = base(tmp_path / "la")
    build(root)
    code, text = validate(root, capsys)
    assert code == 1, text
    assert f"FATAL {kind} in " in text, text


@pytest.mark.parametrize("case", list(WARNED))
def test_each_case_is_a_row_level_problem(case, tmp_path, capsys):
    build, kind = WARNED[case]
    root = base(tmp_path / "la")
    build(root)
    code, text = validate(root, capsys)
    assert code == 0, text
    line = next(ln for ln in text.splitlines() if f"WARNING {kind} in " in ln)
    assert " row " in line and "column " in line and "found " in line


def test_refusals_name_the_place_and_suggest_the_fix(tmp_path):
    root = base(tmp_path / "la")
    misspelt_setting(root)
    heading_given_twice(root)
    target_for_unknown_indicator(root)
    ds = load_dataset(root)
    lines = {p.kind: p.line() for p in ds.log.fatal}
    assert "did you mean 'financial_year_start_month'?" in lines["unknown setting"]
    assert "'Date of referral'" in lines["column given twice"]
    assert "F (Date of referral), L (Date of Referral)" in lines["column given twice"]
    assert "did you mean 'referrals'?" in lines["unknown indicator"]
    assert "row 2" in lines["unknown indicator"]


def test_command_line_refusals_are_one_line(tmp_path, capsys):
    root = base(tmp_path / "la")
    (tmp_path / "a_file").write_text("x")
    cases = {
        # --out inside --data: the outputs would be fingerprinted (and read) as inputs
        "inside the data folder": [
            "run",
            "--period-end",
            END,
            "--data",
            str(root),
            "--out",
            str(root / "outputs"),
        ],
        "is a file": [
            "run",
            "--period-end",
            END,
            "--data",
            str(root),
            "--out",
            str(tmp_path / "a_file" / "out"),
        ],
        "does not exist": ["validate", "--data", str(tmp_path / "nowhere")],
        "cannot be a folder": ["demo-data", "--out", str(tmp_path / "a_file")],
    }
    for message, argv in cases.items():
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert err.startswith("error: ") and message in err and err.count("\n") == 1, err
    with pytest.raises(SystemExit):  # argparse's own one-line usage error
        main(["run", "--period-end", END, "--jobs", "0"])
    assert "must be 1 or more" in capsys.readouterr().err
    assert not (root / "outputs").exists()


def test_authority_settings_are_typed(tmp_path):
    root = base(tmp_path / "la")
    settings(root, synthetic=False, extract_date="2024-12-31", financial_year_start_month=4)
    ds = load_dataset(root)
    assert not ds.fatal and ds.authority.synthetic is False
    assert ds.authority.extract_date == pd.Timestamp("2024-12-31")
    settings(root, synthetic=True, financial_year_start_month="4")
    kinds = {(p.kind, p.column) for p in load_dataset(root).log.fatal}
    assert kinds == {("invalid setting", "financial_year_start_month")}


# ---------------------------------------------------------------- every file accounted for


def test_every_file_is_read_or_listed_as_not_used(tmp_path, capsys):
    root = base(tmp_path / "la")
    (root / "Workforce.csv").write_text(  # names are matched ignoring case
        "month,team,fte_in_post,agency_fte,vacancy_fte,starters_fte,leavers_fte,"
        "case_holding_fte,cases_held\n2024-12-01,A,10,1,1,0,0,8,120\n"
    )
    (root / "annex_a" / "list_3.csv").rename(root / "annex_a" / "List_3.CSV")
    (root / "notes.txt").write_text("minutes")
    (root / "workforce_2023.csv").write_text("old")
    (root / "archive").mkdir()
    (root / "archive" / "list_3.csv").write_text("old")
    os.mkfifo(root / "pipe")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.csv").write_text("x")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    code, text = validate(root, capsys)
    assert code == 0, text
    ds = load_dataset(root)
    inv = ds.inventory().assign(name=lambda f: f["file"].map(lambda p: Path(p).name))
    by_name = inv.set_index("name")
    assert by_name.loc["Workforce.csv", "status"] == READ
    assert by_name.loc["List_3.CSV", "status"] == READ
    assert by_name.loc["List_3.CSV", "taken_as"] == "Annex A List 3 (Referral)"
    assert "did you mean workforce.csv" in by_name.loc["workforce_2023.csv", "how"]
    assert by_name.loc["pipe", "how"] == "a named pipe: not opened"
    assert "outside the data folder" in by_name.loc["linked", "how"]
    assert by_name.loc["notes.txt", "status"] == NOT_USED
    assert "secret.csv" not in set(inv["name"])  # the link was not followed
    # every file under the folder is in the inventory, once
    on_disk = {str(p) for p in root.rglob("*") if not p.is_dir() or p.is_symlink()}
    assert on_disk == set(inv["file"]) and inv["file"].is_unique
    for name in ("Workforce.csv", "List_3.CSV", "notes.txt", "pipe", "archive/list_3.csv"):
        assert name in text
    assert any(p.kind == "unrecognised file" for p in ds.log.problems)  # workforce_2023.csv


def test_data_quality_page_lists_every_file_and_escapes_names(tmp_path):
    root = base(tmp_path / "la")
    (root / "<img src=x onerror=alert(1)>.csv").write_text("x")
    ds = load_dataset(root)
    write_reports(ds, tmp_path / "out", tmp_path / "out" / "analyst")
    page = (tmp_path / "out" / "data_quality.html").read_text()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;.csv" in page
    for entry in ds.inventory()["file"]:
        assert Path(entry).name.replace("<", "&lt;").replace(">", "&gt;") in page
    assert "Every file in the data folder" in page


# ---------------------------------------------------------------- dates, one format per column


def parsed(values: list[object]) -> tuple[list[str], pd.DataFrame]:
    raw = pd.Series(values, dtype=object)
    out, problems = parse_dates(
        raw, file="f.csv", sheet="", rows=raw.index.to_series() + 2, column="Date"
    )
    return [d.strftime("%Y-%m-%d") if pd.notna(d) else "" for d in out], problems


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["01/10/2024", "13/10/2024"], ["2024-10-01", "2024-10-13"]),  # day-first
        (["2024-10-01", "2024-10-13T09:30:00Z"], ["2024-10-01", "2024-10-13"]),  # ISO, a time
        (["01/10/2024 09:30", "13/10/2024 17:05:00"], ["2024-10-01", "2024-10-13"]),
        (["01/10/24", "13/10/69"], ["2024-10-01", "1969-10-13"]),  # two digits, pivot 69
        (["45566", "45566.75"], ["2024-10-01", "2024-10-01"]),  # Excel serials, time dropped
        (["1 Oct 2024", "13-October-2024"], ["2024-10-01", "2024-10-13"]),
        (["10/13/2024", "10/01/2024"], ["2024-10-13", "2024-10-01"]),  # month-first only
    ],
)
def test_date_formats(values, expected):
    dates, problems = parsed(values)
    assert dates == expected
    assert set(problems["kind"]) <= {"dates read month-first"}


def test_a_us_column_is_read_month_first_and_reported():
    dates, problems = parsed(["10/13/2024", "12/25/2024", "01/02/2024"])
    assert dates == ["2024-10-13", "2024-12-25", "2024-01-02"]
    (problem,) = problems.itertuples()
    assert problem.kind == "dates read month-first" and problem.severity == "warning"


def test_one_stray_value_does_not_decide_a_column():
    values = [f"{d:%d/%m/%Y}" for d in pd.date_range("2024-01-13", periods=200)] + ["02/13/2024"]
    dates, problems = parsed(values)
    assert dates[0] == "2024-01-13" and dates[-1] == ""
    assert problems["kind"].tolist() == ["unparseable date"] and problems["row"].tolist() == [202]


def test_us_dates_give_the_right_re_referral_rate(tmp_path):
    # two referrals of one child, 10 March and 15 July 2024, written month-first
    root = base(tmp_path / "la")
    rows = [
        ["A", "Male", "WBRI", "01/15/2015", 9, d, "6", "No", 0, "T", "W"]
        for d in ("03/10/2024", "07/15/2024")
    ]
    write_referrals(root, rows)
    ds = load_dataset(root)
    refs = ds.annex_a["referrals"]
    assert refs["referral_date"].tolist() == [
        pd.Timestamp("2024-03-10"),
        pd.Timestamp("2024-07-15"),
    ]
    row = compute_indicators(ds, END, ids=["re_referral_pct"]).iloc[0]
    assert (row["numerator"], row["denominator"]) == (1, 2)


# ---------------------------------------------------------------- missing is missing


def test_a_list_not_supplied_gives_missing_values_with_a_note(make_dataset):
    ds = make_dataset(
        {"referrals": [{"child_id": "A", "referral_date": "2024-03-01", "referral_nfa": "No"}]}
    )
    frame = compute_indicators(ds, END, ids=["contacts", "contact_to_referral_pct", "cpp_count"])
    frame = frame.set_index("indicator_id")
    assert frame["value"].isna().all()
    assert frame.loc["contacts", "note"] == "List 1 (Contacts) was not supplied"
    assert frame.loc["contact_to_referral_pct", "note"] == "List 1 (Contacts) was not supplied"
    assert "List 2 (Early Help)" in ds.absent_lists and "List 3 (Referral)" not in ds.absent_lists


def test_an_empty_list_gives_missing_values(make_dataset):
    ds = make_dataset(
        {
            "contacts": [],
            "referrals": [{"child_id": "A", "referral_date": "2024-03-01", "referral_nfa": "No"}],
        }
    )
    row = compute_indicators(ds, END, ids=["contacts"]).iloc[0]
    assert pd.isna(row["value"]) and row["note"] == "List 1 (Contacts) has no usable rows"


def test_a_list_that_ends_years_before_the_period_gives_missing_values(make_dataset):
    ds = make_dataset(
        {"referrals": [{"child_id": "A", "referral_date": "2020-03-01", "referral_nfa": "No"}]}
    )
    frame = compute_indicators(ds, ["2020-12-31", END], ids=["referrals"]).set_index("period_end")
    assert frame.loc["2020-12-31", "value"] == 1
    assert pd.isna(frame.loc[END, "value"])
    assert frame.loc[END, "note"] == "no List 3 (Referral) dates fall in this period"


def test_an_open_episode_covers_the_period(make_dataset):
    # a plan started long ago and still open: the list covers the period end (not missing)
    ds = make_dataset(
        {"cp": [{"child_id": "A", "cpp_start": "2021-01-05", "n_previous_cpp": 0}]},
        annex_a_start="2021-01-01",
    )
    assert compute_indicators(ds, END, ids=["cpp_count"]).iloc[0]["value"] == 1


def test_a_workforce_month_missing_gives_missing_values(make_dataset):
    workforce = pd.DataFrame(
        {
            "month": ["2024-10-01", "2024-11-01"],
            "fte_in_post": 10.0,
            "agency_fte": 1.0,
            "vacancy_fte": 1.0,
            "starters_fte": 0.0,
            "leavers_fte": 0.0,
            "case_holding_fte": 8.0,
            "cases_held": 100,
        }
    )
    ds = make_dataset({"referrals": []}, tables={"workforce": workforce})
    frame = compute_indicators(ds, ["2024-11-30", END], ids=["sw_fte_in_post"], month_ends=True)
    frame = frame.set_index("period_end")
    assert frame.loc["2024-11-30", "value"] == 10
    assert pd.isna(frame.loc[END, "value"])
    assert frame.loc[END, "note"] == "workforce.csv has no row for December 2024"
    missing = compute_indicators(ds, END, ids=["audits_completed"]).iloc[0]
    assert missing["note"] == "audits.csv was not supplied"


# ---------------------------------------------------------------- headings and codes


def test_standard_safeguarding_dataset_headings(tmp_path):
    root = write_dataset(tmp_path / "la")
    pd.DataFrame(
        {
            "ChildUniqueID": ["A"],
            "Gender": ["a) Male"],
            "Ethnicity": ["t) NOBT"],
            "DateOfBirth": ["01/01/2015"],
            "Age": [9],
            "HasDisability": ["b) No"],
            "ContinuousAssessmentStart": ["01/03/2024"],
            "ContinuousAssessmentChildSeen": ["a) Yes"],
            "ContinuousAssessmentAuthDate": ["20/03/2024"],
            "CSCSupportRequired": ["a) Yes"],
            "AllocatedTeam": ["T"],
            "AllocatedWorker": ["W"],
        }
    ).to_csv(root / "annex_a" / "list_4.csv", index=False)
    pd.DataFrame(
        {
            "ChildUniqueID": ["A"],
            "Gender": ["a) Male"],
            "Ethnicity": ["a) WBRI"],
            "DateOfBirth": ["01/01/2015"],
            "Age": [9],
            "ReferralDate": ["01/02/2024"],
            "ReferralSource": ["q) 6: Police"],
            "ReferralNFA": ["b) No"],
            "ReferralsLast12Months": [0],
            "AllocatedTeam": ["T"],
            "AllocatedWorker": ["W"],
        }
    ).to_csv(root / "annex_a" / "list_3.csv", index=False)
    ds = load_dataset(root)
    assert set(ds.problems["kind"]) == {"missing list"}, ds.problems.to_string()
    a = ds.annex_a["assessments"].iloc[0]
    assert (a["disability"], a["asmt_seen"], a["asmt_needs_support"]) == ("No", "Yes", "Yes")
    assert a["asmt_auth"] == pd.Timestamp("2024-03-20")
    assert ds.annex_a["referrals"].iloc[0]["referral_date"] == pd.Timestamp("2024-02-01")


def test_headings_are_unambiguous_within_each_list():
    from sefanalysis.ingest.parse import norm_heading

    for spec in ANNEX_A:
        names = [norm_heading(h) for c in spec.columns for h in (c.heading, *c.aliases)]
        assert len(names) == len(set(names)), spec.label


def test_ofsted_unknown_code_is_accepted(make_dataset):
    ds = make_dataset(
        {
            "cp": [
                {
                    "child_id": "A",
                    "cpp_start": "2024-02-01",
                    "n_previous_cpp": 0,
                    "seen_alone": "c) Unknown",
                    "disability": "c) Unknown",
                }
            ]
        }
    )
    assert set(ds.problems["kind"]) == {"missing list"}  # the other lists: not supplied
    assert ds.annex_a["cp"].iloc[0]["seen_alone"] == "Unknown"


def test_a_sheet_named_annex_a_list_3_is_read(tmp_path):
    root = write_dataset(tmp_path / "la")
    (root / "annex_a").rmdir()
    workbook(
        root / "annex_a.xlsx",
        {"Front sheet": pd.DataFrame({"x": [1]}), "Annex A List 3": referral_sheet()},
    )
    ds = load_dataset(root)
    assert not ds.fatal and len(ds.annex_a["referrals"]) == 4
    how = ds.inventory().iloc[1]["how"]
    assert "'Annex A List 3' as List 3" in how and "Front sheet" in how


# ---------------------------------------------------------------- the real workbooks in shared

needs_shared = pytest.mark.skipif(not EXTERNAL.exists(), reason="../shared sample files absent")


@needs_shared
def test_ofsted_template_what_it_holds():
    """Ofsted's August 2019 template: eleven list sheets, five example referrals whose sources
    ("School", "Health", "Police") are not Ofsted's codes; the other lists are empty."""
    log = ProblemLog()
    path = EXTERNAL / "annex_a" / "ofsted_annex_a_template_aug2019.xlsx"
    lists = read_annex_a_workbook(path, log)
    assert {k: len(v) for k, v in lists.items() if len(v)} == {"referrals": 5}
    kinds = pd.Series([(p.kind, p.sheet) for p in log.problems]).value_counts().to_dict()
    assert kinds == {
        **{("no rows", f"List_{n}"): 1 for n in (1, 2, 4, 5, 6, 7, 8, 9, 10, 11)},
        ("unknown code", "List_3"): 5,
        ("missing column", "List_9"): 4,  # the 2019 template predates the newer columns
    }
    (use,) = log.inventory
    assert use.status == READ and "Front_Sheet" in use.how and "Codes_used" in use.how


@needs_shared
def test_liiatools_sample_what_it_holds():
    """Social Finance's sample: 5 to 7 rows a list; real-looking problems reported row by row."""
    log = ProblemLog()
    lists = read_annex_a_workbook(
        EXTERNAL / "annex_a" / "liiatools_annex_a_sample.xlsx",
        log,
        extract=pd.Timestamp("2021-03-31"),
    )
    assert {k: len(v) for k, v in lists.items()} == {
        "contacts": 5,
        "early_help": 5,
        "referrals": 6,
        "assessments": 5,
        "s47": 5,
        "cin": 5,
        "cp": 6,
        "cla": 4,
        "care_leavers": 6,
        "adoption": 5,
        "adopters": 5,
    }
    kinds = pd.Series([(p.kind, p.sheet) for p in log.problems]).value_counts().to_dict()
    assert kinds == {
        ("unknown code", "List 4"): 5,  # "CS Assessment Updated" is not an outcome
        ("unknown code", "List 6"): 1,  # an adult social care need code
        ("date before birth", "List 7"): 1,  # a plan 11 months before birth
        ("missing required value", "List 7"): 1,
        ("date before birth", "List 8"): 2,  # born 2018, in care since 2010
        ("missing required value", "List 8"): 1,
        ("date before birth", "List 10"): 6,  # the same child's adoption dates
        ("missing column", "List 9"): 4,
    }
    assert not log.fatal
