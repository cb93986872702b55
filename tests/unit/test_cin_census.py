"""The CIN census XML return: Data to Insight's fake files (each collection-year structure and
their deliberate quirks), and a hand-made return whose measures are worked out by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from sefanalysis import compute_indicators
from sefanalysis.dataset import load_dataset
from sefanalysis.indicators.census import CENSUS_NOTE, reconcile
from sefanalysis.ingest.cin_census import read_cin_census
from sefanalysis.ingest.problems import ProblemLog
from sefanalysis.quality import print_report

from ..conftest import EXTERNAL, write_dataset

FAKE = EXTERNAL / "cin_census_d2i_fake"
needs_shared = pytest.mark.skipif(not FAKE.exists(), reason="../shared sample files absent")


def read(name: str) -> tuple:
    log = ProblemLog()
    census = read_cin_census(FAKE / name, log)
    return census, log.frame()


def kinds(problems: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(problems["kind"], problems["column"], strict=True))


@needs_shared
@pytest.mark.parametrize(("name", "date", "structure", "children", "episodes"), [
    ("CIN_Census_2021.xml", "2023-03-31", "2021-22 to 2022-23", 1, 1),
    ("CIN_la_issues_2887Q.xml", "2023-03-31", "2021-22 to 2022-23", 1, 1),
    ("CIN_header_issues_100.xml", "2023-03-31", "2021-22 to 2022-23", 1, 1),
    ("CIN_Census_2021_copy.xml", "2024-03-31", "2023-24 to 2024-25", 1, 1),
    ("CIN_Census_2021_no_assessment_factors.xml", "2024-03-31", "2023-24 to 2024-25", 1, 1),
    ("CIN2rows.xml", "2024-03-31", "2023-24 to 2024-25", 1, 1),
    ("CIN_Census_2024.xml", "2024-03-31", "2023-24 to 2024-25", 2, 2),
    ("CIN_Census_2026.xml", "2024-03-31", "2023-24 to 2024-25", 2, 2),
    ("fake_CIN_data.xml", "2023-03-31", "2021-22 to 2022-23", 332, 402),
])  # fmt: skip
def test_every_fake_file_loads_with_the_structure_its_header_selects(
    name, date, structure, children, episodes
):
    census, problems = read(name)
    assert census.reference_date == pd.Timestamp(date) and census.structure == structure
    assert len(census.tables["children"]) == children
    assert len(census.tables["cin"]) == episodes
    assert problems["file"].eq(str(FAKE / name)).all()
    assert problems["severity"].eq("warning").all()  # the return is still used


@needs_shared
def test_quirks_of_the_2021_to_2023_structure():
    census, problems = read("CIN_Census_2021.xml")
    # stray text after an element, with its line: <UPNunknown>UN3</UPNunknown>PersonBirthDate
    stray = problems.loc[problems["kind"] == "stray text"].iloc[0]
    assert (stray["row"], stray["column"], stray["value"]) == (23, "UPNunknown",
                                                               "PersonBirthDate")  # fmt: skip
    child = census.tables["children"].iloc[0]
    assert child["dob"] == pd.Timestamp("1965-03-27") and child["gender"] == "Male"
    # a "child" born in 1965, expected to be born in 1066: both reported, the latter dropped
    odd = problems.loc[problems["kind"] == "implausible date"].set_index("column")["value"]
    assert odd.to_dict() == {
        "PersonBirthDate": "1965-03-27",
        "ExpectedPersonBirthDate": "1066-04-13",
    }
    assert pd.isna(child["expected_dob"])
    assert child["disabilities"] == "HAND HEAR"
    assessments = census.tables["assessments"]
    assert assessments["AssessmentFactors"].iloc[0] == ["2A", "2B"]
    assert "internal_review" in assessments  # AssessmentInternalReviewDate: this structure's own
    cin = census.tables["cin"].iloc[0]
    assert cin["referral_nfa"] is False or not cin["referral_nfa"]  # "0"
    assert census.tables["cpp"]["n_previous_cpp"].iloc[0] == 10
    assert not (problems["kind"] == "dates in the wrong order").any()


@needs_shared
def test_header_year_and_reference_date_disagreeing():
    _, problems = read("CIN_Census_2024.xml")
    year = problems.loc[problems["kind"] == "inconsistent header"].iloc[0]
    assert (year["column"], year["value"], year["row"]) == ("Year", "2023", 3)
    _, problems = read("CIN_header_issues_100.xml")
    bad = problems.loc[problems["column"] == "ReferenceDate"].iloc[0]
    assert bad["value"] == "2023-03-28" and "31 March 2023" in bad["expected"]


@needs_shared
def test_2024_structure_and_elements_of_other_years():
    census, problems = read("CIN_Census_2024.xml")
    kids = census.tables["children"].set_index("child_id")
    assert kids.loc["DfEX0000001", "gender"] == "Male"  # Sex 1
    assert kids.loc["child_fails_assessments", "gender"] == "Male"  # Sex M
    assert census.tables["assessments"]["AssessmentFactors"].iloc[1] == []  # <Factors.../>
    # an assessment starting in 2028, authorised in 2020: both dates reported at their lines
    wrong = problems.loc[problems["kind"] == "dates in the wrong order"].iloc[0]
    assert (wrong["column"], wrong["row"]) == ("AssessmentAuthorisationDate", 43)
    assert wrong["value"] == "2020-09-19 < 2028-04-28"
    later = problems.loc[problems["kind"] == "date after the census date"]
    assert ("AssessmentActualStartDate", 42, "2028-04-28") in set(
        zip(later["column"], later["row"], later["value"], strict=True)
    )
    nfa = census.tables["cin"]["referral_nfa"]
    assert nfa.tolist() == [False, False]  # "0" and "false"
    # GenderCurrent in a return dated 2024: read, and reported
    copy, copy_problems = read("CIN_Census_2021_copy.xml")
    assert copy.tables["children"]["gender"].iloc[0] == "Male"
    other = copy_problems.loc[copy_problems["kind"] == "element of another collection year"]
    assert other["column"].tolist() == ["GenderCurrent"] and other["row"].tolist() == [25]
    # the pre-proceedings block (2025-26 onwards) in a return dated 2024
    census, problems = read("CIN_Census_2026.xml")
    assert len(census.tables["pre_proceedings"]) == 1
    pp = census.tables["pre_proceedings"].iloc[0]
    assert pp["start"] == pd.Timestamp("2026-09-09") and pp["fgdm_offered"]
    assert ("element of another collection year", "PreProceedingsandFGDM") in kinds(problems)
    # two child protection plans in one episode
    two, _ = read("CIN2rows.xml")
    assert len(two.tables["cpp"]) == 2


@needs_shared
def test_generated_sample_codes():
    census, problems = read("fake_CIN_data.xml")
    assert set(census.tables["children"]["gender"]) <= {"Male", "Female", "Not known",
                                                        "Not stated"}  # fmt: skip
    assert census.lea == "975"
    assert (problems["kind"] == "date after the census date").sum() > 0
    assert census.tables["assessments"].empty and "start" in census.tables["assessments"]


def test_broken_and_foreign_xml_is_reported_not_raised(tmp_path: Path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<Message><Header>")
    other = tmp_path / "other.xml"
    other.write_text("<Return/>")
    unknown = tmp_path / "unknown.xml"
    unknown.write_text(HEADER.format(date="2024-03-31") + "<Children><Child><ChildIdentifiers>"
                       "<LAchildID>A</LAchildID><Shoe>9</Shoe></ChildIdentifiers></Child>"
                       "</Children></Message>")  # fmt: skip
    log = ProblemLog()
    assert read_cin_census(broken, log) is None and read_cin_census(other, log) is None
    assert read_cin_census(unknown, log) is not None
    problems = log.frame()
    assert list(problems["kind"]) == ["unreadable file", "unrecognised file",
                                      "unrecognised element"]  # fmt: skip
    assert problems.iloc[2]["column"] == "Shoe" and problems.iloc[2]["value"] == "9"
    assert set(log.inventory_frame()["status"]) == {"not used", "read"}


# ----------------------------------------------------------------------------- measures
HEADER = ("<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2024</Year>"
          "<ReferenceDate>{date}</ReferenceDate></CollectionDetails><Source><LEA>999</LEA>"
          "</Source></Header>")  # fmt: skip


def _child(cid: str, sex: str, details: str) -> str:
    return (f"<Child><ChildIdentifiers><LAchildID>{cid}</LAchildID><PersonBirthDate>2015-01-01"
            f"</PersonBirthDate><Sex>{sex}</Sex></ChildIdentifiers><ChildCharacteristics>"
            "<Ethnicity>WBRI</Ethnicity><Disabilities><Disability>NONE</Disability>"
            f"</Disabilities></ChildCharacteristics>{details}</Child>")  # fmt: skip


# Year to 31 March 2024. A: re-referred 2023-06-01 (last referral 2023-01-10), assessed in 14
# working days... see the expected values in test_census_measures_by_hand.
RETURN = HEADER.format(date="2024-03-31") + "<Children>" + _child("A", "F", (
    "<CINdetails><CINreferralDate>2023-01-10</CINreferralDate><CINclosureDate>2023-03-01"
    "</CINclosureDate><ReferralNFA>0</ReferralNFA></CINdetails>"
    "<CINdetails><CINreferralDate>2023-06-01</CINreferralDate><ReferralNFA>false</ReferralNFA>"
    "<Assessments><AssessmentActualStartDate>2023-06-02</AssessmentActualStartDate>"
    "<AssessmentAuthorisationDate>2023-06-30</AssessmentAuthorisationDate></Assessments>"
    "<Section47><S47ActualStartDate>2023-06-05</S47ActualStartDate>"
    "<DateOfInitialCPC>2023-06-23</DateOfInitialCPC></Section47>"
    "<ChildProtectionPlans><CPPstartDate>2023-06-23</CPPstartDate>"
    "<NumberOfPreviousCPP>1</NumberOfPreviousCPP></ChildProtectionPlans></CINdetails>"
)) + _child("B", "1", (
    "<CINdetails><CINreferralDate>2023-09-01</CINreferralDate><CINclosureDate>2023-09-01"
    "</CINclosureDate><ReferralNFA>true</ReferralNFA></CINdetails>"
)) + _child("C", "M", (
    "<CINdetails><CINreferralDate>2022-02-01</CINreferralDate><CINclosureDate>2024-02-01"
    "</CINclosureDate><ReferralNFA>0</ReferralNFA>"
    "<Assessments><AssessmentActualStartDate>2023-04-03</AssessmentActualStartDate>"
    "<AssessmentAuthorisationDate>2023-07-31</AssessmentAuthorisationDate></Assessments>"
    "<Section47><S47ActualStartDate>2023-05-01</S47ActualStartDate>"
    "<DateOfInitialCPC>2023-06-30</DateOfInitialCPC></Section47>"
    "<ChildProtectionPlans><CPPstartDate>2021-01-04</CPPstartDate><CPPendDate>2023-05-10"
    "</CPPendDate><NumberOfPreviousCPP>0</NumberOfPreviousCPP></ChildProtectionPlans>"
    "<ChildProtectionPlans><CPPstartDate>2023-06-30</CPPstartDate><CPPendDate>2023-08-15"
    "</CPPendDate><NumberOfPreviousCPP>0</NumberOfPreviousCPP></ChildProtectionPlans>"
    "</CINdetails>"
)) + "</Children></Message>"  # fmt: skip


@pytest.fixture
def census_dataset(tmp_path: Path):
    root = write_dataset(tmp_path / "la", {"referrals": [
        {"child_id": "A", "referral_date": "01/06/2023", "referral_nfa": "No"},
        {"child_id": "B", "referral_date": "01/09/2023", "referral_nfa": "Yes"},
        {"child_id": "D", "referral_date": "01/10/2023", "referral_nfa": "No"},
        {"child_id": "D", "referral_date": "01/05/2024", "referral_nfa": "No"},
    ], "cin": [{"child_id": "A", "cin_start": "01/06/2023"}]}, population=10_000)  # fmt: skip
    (root / "cin_census").mkdir()
    (root / "cin_census" / "return_2024.xml").write_text(RETURN)
    (root / "published").mkdir()  # what DfE published for the authority itself
    (root / "published" / "c1.csv").write_text(
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,Referrals,Re_referrals,Re_referrals_percent"
        "\n2024,Reporting year,Local authority,E92000001,England,E12000008,South East,999,"
        "E99999999,Testshire,2,1,50.0\n"
    )
    return load_dataset(root)


def test_census_measures_by_hand(census_dataset):
    frame = compute_indicators(census_dataset, "2024-03-31").set_index("indicator_id")
    expected = {  # indicator: (numerator, denominator)
        "referrals": (2, None),  # A 2023-06-01 and B 2023-09-01; A's 2023-01-10 is last year
        "re_referral_pct": (1, 2),  # A: previous referral 2023-01-10, within 12 months
        "referral_nfa_pct": (1, 2),  # B
        "assessments_completed": (2, None),  # A authorised 2023-06-30, C 2023-07-31
        "assessments_within_45wd_pct": (1, 2),  # A 20 working days; C 80
        "s47_enquiries": (2, None),
        "s47_to_icpc_pct": (2, 2),
        "icpc_within_15wd_pct": (1, 2),  # A: 5 June to 23 June = 14 working days; C: 43
        "cin_count": (1, None),  # A's second episode; B and C closed before 31 March
        "cpp_count": (1, None),  # A's plan
        "cpp_starts": (2, None),  # A 2023-06-23, C 2023-06-30
        "cpp_second_or_subsequent_pct": (2, 2),  # A: NumberOfPreviousCPP 1; C: a 2021 plan
        "cpp_ended_2yrs_plus_pct": (1, 2),  # C's 2021-01-04 to 2023-05-10
        "cpp_ended_under_3m_pct": (1, 2),  # C's 2023-06-30 to 2023-08-15
    }
    for ind, (num, den) in expected.items():
        row = frame.loc[ind]
        assert row["numerator"] == num, ind
        if den is not None:
            assert row["denominator"] == den, ind
        assert row["note"] == CENSUS_NOTE, ind
    assert frame.loc["referral_rate_per_10k", "value"] == pytest.approx(2)  # 2 per 10,000
    # A: Fri 2 June to Fri 30 June, 4 weeks = 20 working days; C: Mon 3 April to Mon 31 July,
    # 17 weeks = 85, less 5 bank holidays (7 and 10 April, 1, 8 and 29 May 2023) = 80
    assert frame.loc["assessment_median_wd", "value"] == pytest.approx((20 + 80) / 2)


def test_annex_a_for_other_periods_and_the_reconciliation(census_dataset):
    frame = compute_indicators(census_dataset, ["2024-03-31", "2024-06-30"], ids=["referrals"])
    notes = dict(zip(frame["period_end"], frame["note"], strict=True))
    assert notes[pd.Timestamp("2024-03-31")] == CENSUS_NOTE
    assert notes[pd.Timestamp("2024-06-30")] == "Source: Annex A List 3"
    # a 6-month window is not a census year: Annex A
    six = compute_indicators(census_dataset, "2024-03-31", window="6m", ids=["referrals"])
    assert six["note"].iloc[0] == "Source: Annex A List 3"
    # nor is a monthly series (SPC charts stay on one source), even for a snapshot
    month = compute_indicators(census_dataset, "2024-03-31", window="1m", ids=["cin_count"],
                               month_ends=True)  # fmt: skip
    assert month["note"].iloc[0] == "Source: Annex A List 6"
    table = reconcile(census_dataset).set_index("indicator_id")
    row = table.loc["referrals"]
    # Annex A has A, B and D's 2023-10-01 referral in the year; the census has A and B
    assert (row["census_value"], row["annex_a_value"], row["difference"]) == (2, 3, -1)
    assert row["period_end"] == pd.Timestamp("2024-03-31") and row["note"] == ""
    assert len(table) == 20
    # DfE's published figure for the authority beside both (rates and percentages only)
    rr = table.loc["re_referral_pct"]
    assert (rr["census_value"], rr["published_value"]) == (50.0, 50.0)
    assert "C1" in rr["published_edition"] and pd.isna(row["published_value"])


def test_a_broken_census_file_is_listed_before_row_level_problems(tmp_path: Path):
    # liia-tools' sample Annex A has dozens of row-level problems; the validation report's
    # first lines must still name the census file that could not be read
    shutil.copy(EXTERNAL / "annex_a" / "liiatools_annex_a_sample.xlsx", tmp_path / "annex_a.xlsx")
    (tmp_path / "authority.yaml").write_text(
        "la_code: E06000060\nla_name: Test\nregion: South East\nextract_date: '2024-12-31'\n"
        "financial_year_start_month: 4\nsynthetic: false\n"
    )
    (tmp_path / "population.csv").write_text("year,population\n2023,128000\n2024,128100\n")
    (tmp_path / "cin_census").mkdir()
    (tmp_path / "cin_census" / "cin_2024.xml").write_text("<Message><Header>")
    ds = load_dataset(tmp_path)
    report = print_report(ds, limit=2).splitlines()
    rows = [p for p in ds.log.problems if p.row is not None]
    assert len(rows) > 2  # the broken file comes after these in the log
    first = report[report.index(next(r for r in report if "problem(s)" in r)) + 1]
    assert "unreadable file" in first and "cin_2024.xml" in first


def test_a_count_of_previous_plans_that_is_not_whole_is_reported_not_raised(tmp_path: Path):
    plans = "".join(
        f"<CINdetails><CINreferralDate>2023-06-01</CINreferralDate><ChildProtectionPlans>"
        f"<CPPstartDate>2023-06-23</CPPstartDate><NumberOfPreviousCPP>{n}</NumberOfPreviousCPP>"
        f"</ChildProtectionPlans></CINdetails>"
        for n in ("1.5", "2", "-1", "two")
    )
    path = tmp_path / "census.xml"
    path.write_text(HEADER.format(date="2024-03-31") + "<Children>" + _child("A", "F", plans)
                    + "</Children></Message>")  # fmt: skip
    log = ProblemLog()
    census = read_cin_census(path, log)
    assert list(census.tables["cpp"]["n_previous_cpp"].astype(object)) == [pd.NA, 2, pd.NA, pd.NA]
    bad = log.frame().query("kind == 'invalid number'")
    assert sorted(bad["value"]) == ["-1", "1.5", "two"]
    assert set(bad["column"]) == {"NumberOfPreviousCPP"}
