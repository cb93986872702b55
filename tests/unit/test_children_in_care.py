"""Children-in-care, care-leaver and leadership indicators on hand-built data.

Period end 2024-12-31; the 12-month window runs 2024-01-01 to 2024-12-31.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sefanalysis import compute_indicators, load_dataset

from ..conftest import EXTERNAL, write_dataset
from .ssda903_returns import ep, write_returns

END = "2024-12-31"


def value(ds, ind, end=END, **kw):
    row = compute_indicators(ds, end, ids=[ind], **kw).iloc[0]
    return row["numerator"], row["denominator"], row["value"]


def with_903(root: Path, episodes: list[list[str]], dobs: dict[str, str], years=None) -> Path:
    """SSDA903 returns from the first collection year the episodes touch to 2024-25 (or
    ``years``), each holding the episodes open during its year, as an authority sends them."""
    return write_returns(root, episodes, dobs, years=years, last=2024)


def test_placement_counting_rules(tmp_path):
    episodes = [
        # A: legal status change only (L), a temporary placement (T1) and the return to the same
        # foster placement do not count; the move to K2 does -> 2 placements in the year
        ep("A", "10/01/2024", "S", "U6", "01/03/2024", ls="C1"),
        ep("A", "01/03/2024", "L", "U6", "01/05/2024"),
        ep("A", "01/05/2024", "P", "T1", "10/05/2024"),
        ep("A", "10/05/2024", "P", "U6", "01/08/2024"),
        ep("A", "01/08/2024", "P", "K2"),
        # B: three real placements in the year -> 3 or more
        ep("B", "01/02/2024", "S", "U4", "01/04/2024"),
        ep("B", "01/04/2024", "P", "U6", "01/06/2024"),
        ep("B", "01/06/2024", "P", "K2"),
        # C: placed for adoption with the current foster carer (A5) is not a new placement
        ep("C", "01/06/2023", "S", "U4", "01/06/2024"),
        ep("C", "01/06/2024", "T", "A5", ls="E1"),
    ]  # fmt: skip
    root = write_dataset(tmp_path / "la")
    with_903(root, episodes, {"A": "01/01/2012", "B": "01/01/2012", "C": "01/01/2020"})
    ds = load_dataset(root)
    assert not ds.fatal
    # in care at 31 Dec 2024: A, B, C = 3; with 3+ placements: B = 1 -> 33.3%
    assert value(ds, "cla_3plus_placements_pct") == (1, 3, pytest.approx(100 / 3))


def test_long_term_stability(tmp_path):
    episodes = [
        ep("D", "01/07/2022", "S", "U4"),  # 2.5 years in care falls one day short: not counted
        ep("E", "30/06/2022", "S", "U4", "31/12/2022"),  # exactly 2.5 years in care
        ep("E", "31/12/2022", "P", "U6"),                # same placement exactly 2 years: stable
        ep("F", "01/01/2020", "S", "U4", "01/06/2023"),
        ep("F", "01/06/2023", "P", "U6"),                # placement 19 months: not stable
        ep("G", "01/01/2020", "S", "U4", "01/01/2024"),  # fostered 4 years, then placed for
        ep("G", "01/01/2024", "P", "A4", ls="E1"),       # adoption: together over 2 years
        ep("H", "01/01/2020", "S", "U4"),                # aged 16 at the period end: excluded
    ]  # fmt: skip
    dobs = {"D": "01/01/2012", "E": "01/01/2012", "F": "01/01/2012", "G": "01/01/2018",
            "H": "01/01/2008"}  # fmt: skip
    ds = load_dataset(with_903(write_dataset(tmp_path / "la"), episodes, dobs))
    # eligible: E, F, G (D one day short, H 16); stable: E, G -> 2 / 3
    assert value(ds, "cla_long_term_stability_pct") == (2, 3, pytest.approx(200 / 3))


def cla(child, start, **kw):
    base = {"child_id": child, "cla_start": start, "legal_status": "C2", "n_placements_12m": 1,
            "dob": "01/01/2012"}  # fmt: skip
    return {**base, **kw}


def test_annex_a_children_in_care_measures(make_dataset):
    rows = [
        cla("A", "2024-01-01", placement_location="Out", uasc="Yes", permanence_plan="Adoption",
            last_visit="2024-11-19", last_review="2024-07-01", n_missing_12m=2, rhi_offered="Yes",
            last_health_assessment="2024-06-01", last_dental_check="2023-12-01"),
        cla("B", "2024-10-01", placement_location="In", last_visit="2024-11-18",
            last_review="2024-10-20"),
        cla("C", "2023-01-01", placement_location=None, permanence_plan=None, n_missing_12m=1,
            rhi_offered="No", dob="01/06/2020", last_health_assessment="2024-05-01",
            last_review="2024-06-30"),
        cla("D", "2023-01-01", legal_status="V3"),  # short breaks: excluded throughout
        cla("E", "2022-01-01", cla_end="2024-05-01", reason_ceased="E12"),
        cla("F", "2022-01-01", cla_end="2024-06-01", reason_ceased="E46"),
    ]  # fmt: skip
    ds = make_dataset({"cla": rows}, population=10_000)
    assert value(ds, "cla_count")[2] == 3  # A, B, C
    assert value(ds, "cla_rate_per_10k")[2] == pytest.approx(3.0)
    assert value(ds, "cla_uasc_count")[2] == 1
    assert value(ds, "cla_starts")[2] == 2  # A, B
    assert value(ds, "cla_ceased")[2] == 2  # E, F
    assert value(ds, "cla_ceased_adoption")[2] == 1 and value(ds, "cla_ceased_sgo")[2] == 1
    # location recorded for A (Out) and B (In) -> 1 / 2
    assert value(ds, "cla_placed_outside_la_pct") == (1, 2, 50.0)
    # in care 4 months or more: A, C; with a plan: A -> 1 / 2
    assert value(ds, "cla_permanence_plan_pct") == (1, 2, 50.0)
    # last visit within 42 days of 31 Dec: A (19 Nov = 42 days) yes; B (18 Nov = 43) no;
    # C has no visit -> 1 / 3
    assert value(ds, "cla_visit_in_timescale_pct") == (1, 3, pytest.approx(100 / 3))
    # reviews within 183 days (on or after 1 July 2024): A (1 Jul) yes, B (20 Oct) yes,
    # C (30 Jun) no -> 2 / 3
    assert value(ds, "cla_review_in_timescale_pct") == (2, 3, pytest.approx(200 / 3))
    # in care 12 months or more: C (under 5: health assessment due within 6 months; 1 May is
    # 8 months ago -> out of date); A is under 12 months in care -> 0 / 1
    assert value(ds, "cla_health_assessment_in_date_pct") == (0, 1, 0.0)
    # missing in the last 12 months: A, C; return interview offered: A -> 1 / 2
    assert value(ds, "cla_return_interview_offered_pct") == (1, 2, 50.0)
    assert value(ds, "cla_missing_pct") == (2, 3, pytest.approx(200 / 3))
    # placement distance: no postcode lookup -> missing with the reason, never guessed
    row = compute_indicators(ds, END, ids=["cla_placed_over_20_miles_pct"]).iloc[0]
    assert math.isnan(row["value"]) and "no SSDA903 episodes" in row["note"]  # needs 903


def test_zero_denominator_is_missing(make_dataset):
    ds = make_dataset({"cla": [cla("A", "2024-01-01", n_missing_12m=0)]})
    assert math.isnan(value(ds, "cla_return_interview_offered_pct")[2])


def test_adoption_timeliness(make_dataset):
    rows = [
        # A1 = 1 Jan 2022 -> 1 Jul 2023 = 546 days; A2 = 1 Mar -> 1 May 2023 = 61 days
        {"child_id": "A", "entered_care": "2022-01-01", "adm_decision": "2022-10-01",
         "placement_order": "2023-03-01", "matched": "2023-05-01", "placed": "2023-07-01",
         "adoption_order": "2024-03-01"},
        # fostered for adoption from 1 Jun 2022: A1 = 1 Jan 2022 -> 1 Jan 2023 = 365 days,
        # A10 stops at 1 Jun 2022 = 151 days; matched before the order -> A2 = 0
        {"child_id": "B", "entered_care": "2022-01-01", "adm_decision": "2022-03-01",
         "placement_order": "2022-09-01", "matched": "2022-08-01", "placed": "2023-01-01",
         "adoption_order": "2024-06-01", "ffa_placed": "2022-06-01"},
        # adopted before the window: not counted
        {"child_id": "C", "entered_care": "2020-01-01", "placed": "2021-01-01",
         "adoption_order": "2022-01-01", "adm_decision": "2020-06-01",
         "placement_order": "2020-09-01", "matched": "2020-12-01"},
    ]  # fmt: skip
    ds = make_dataset({"adoption": rows})
    assert value(ds, "adoption_a1_days")[2] == pytest.approx((546 + 365) / 2)
    assert value(ds, "adoption_a2_days")[2] == pytest.approx((61 + 0) / 2)
    assert value(ds, "adoption_a10_days")[2] == pytest.approx((546 + 151) / 2)


def leaver(child, dob, **kw):
    base = {"child_id": child, "dob": dob, "in_touch": "YES", "accommodation": "D",
            "suitability": "Suitable", "activity": "F2", "pa": "PA1",
            "pathway_review": "2024-09-01"}  # fmt: skip
    return {**base, **kw}


def test_care_leavers_and_age_bands(make_dataset):
    rows = [
        leaver("A", "15/06/2005"),  # turned 19 inside the window: in the 19 to 21 band
        leaver("B", "01/01/2007", activity="G5", suitability="Unsuitable", pa=None),  # 17
        leaver("C", "01/01/2004", in_touch="NO", accommodation="Q", suitability=None,
               activity=None, pathway_review="2024-05-01"),  # unknown accommodation code
    ]  # fmt: skip
    ds = make_dataset({"care_leavers": rows})
    assert (ds.problems["value"] == "Q").sum() == 1  # reported, not silently dropped
    # all three are in every denominator; "not in touch" is its own figure
    assert value(ds, "cl_in_touch_pct") == (2, 3, pytest.approx(200 / 3))
    assert value(ds, "cl_suitable_accommodation_pct") == (1, 3, pytest.approx(100 / 3))
    assert value(ds, "cl_eet_pct") == (1, 3, pytest.approx(100 / 3))
    assert value(ds, "cl_neet_pct") == (1, 3, pytest.approx(100 / 3))
    assert value(ds, "cl_pa_allocated_pct") == (2, 3, pytest.approx(200 / 3))
    # pathway plans reviewed since 1 July 2024: A, B -> 2 / 3
    assert value(ds, "cl_pathway_plan_in_date_pct") == (2, 3, pytest.approx(200 / 3))
    bands = compute_indicators(ds, END, ids=["cl_count"], by="care_leaver_age_band")
    assert bands.set_index("group")["value"].to_dict() == {"17 to 18": 1, "19 to 21": 2}


def test_workforce_and_quality_assurance(tmp_path):
    months = pd.date_range("2024-01-01", "2024-12-01", freq="MS").strftime("%Y-%m-%d")
    wf = pd.DataFrame({"month": months, "team": "All", "fte_in_post": 90.0, "agency_fte": 10.0,
                       "vacancy_fte": 10.0, "starters_fte": 1.0, "leavers_fte": 1.5,
                       "case_holding_fte": 80.0, "cases_held": 1200.0,
                       "sickness_days_lost": 75.0})  # fmt: skip
    audits = pd.DataFrame(
        {
            "audit_date": ["2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01"],
            "service_area": "CP",
            "grade": ["Good", "Outstanding", "Good", "Inadequate"],
            "moderated": ["No", "No", "Yes", "No"],
            "moderated_grade": ["", "", "Requires improvement", ""],
        }
    )
    supervision = pd.DataFrame(
        {
            "due_date": ["2024-03-01", "2024-04-01", "2024-05-01"],
            "held_date": ["2024-02-25", "2024-04-03", None],
        }
    )
    complaints = pd.DataFrame({"received_date": ["2024-05-01", "2024-06-03"],
                               "responded_date": ["2024-05-29", "2024-07-02"],
                               "timescale_days": [20, 20]})  # fmt: skip
    root = write_dataset(
        tmp_path / "la",
        tables={
            "workforce": wf,
            "audits": audits,
            "supervision": supervision,
            "complaints": complaints,
        },
    )
    ds = load_dataset(root)
    assert value(ds, "sw_fte_in_post")[2] == 90
    assert value(ds, "sw_vacancy_rate_pct")[2] == pytest.approx(10.0)  # 10 / (10 + 90)
    assert value(ds, "sw_agency_rate_pct")[2] == pytest.approx(10.0)  # 10 / (10 + 90)
    assert value(ds, "sw_turnover_rate_pct")[2] == pytest.approx(20.0)  # 12 x 1.5 / 90
    assert value(ds, "sw_average_caseload")[2] == pytest.approx(15.0)  # 1200 / 80
    assert value(ds, "sw_sickness_days_per_fte")[2] == pytest.approx(10.0)  # 12 x 75 / 90
    assert value(ds, "audits_completed")[2] == 4
    # after moderation: Good, Outstanding, (Good -> RI), Inadequate -> 2 / 4
    assert value(ds, "audits_good_or_better_pct") == (2, 4, 50.0)
    assert value(ds, "supervision_in_timescale_pct") == (1, 3, pytest.approx(100 / 3))
    # 1 May -> 29 May 2024: 19 working days (27 May bank holiday) -> in time;
    # 3 Jun -> 2 Jul: 21 working days -> late
    assert value(ds, "complaints_in_timescale_pct") == (1, 2, 50.0)
    assert value(ds, "complaints_received")[2] == 2


def test_unallocated_children(make_dataset):
    ds = make_dataset({
        "cin": [{"child_id": "A", "cin_start": "2024-01-01", "worker": None},
                {"child_id": "B", "cin_start": "2024-01-01", "worker": None},
                {"child_id": "C", "cin_start": "2024-01-01", "worker": "SW1"}],
        "cp": [{"child_id": "B", "cpp_start": "2024-02-01", "worker": "SW2",
                "n_previous_cpp": 0}],
        # List 8 is needed too (without it the count would miss children in care)
        "cla": [{"child_id": "D", "cla_start": "2024-03-01", "worker": "SW3",
                 "legal_status": "C2", "n_placements_12m": 1}],
    })  # fmt: skip
    assert value(ds, "unallocated_children")[2] == 1  # A only: B's plan has a worker


@pytest.mark.skipif(not EXTERNAL.exists(), reason="../shared sample files absent")
def test_d2i_fake_ssda903_computes_without_error(tmp_path):
    root = write_dataset(tmp_path / "la", extract="2018-03-31", annex_a_start="2017-04-01")
    shutil.copytree(EXTERNAL / "ssda903_d2i_fake", root / "ssda903" / "2017-18")
    ds = load_dataset(root)
    assert not ds.fatal and len(ds.problems) > 0  # the deliberate problems are reported
    frame = compute_indicators(ds, ["2017-03-31", "2018-03-31"], area="children_in_care")
    assert frame["indicator_id"].nunique() > 10
    pct = frame.loc[frame["unit"] == "pct", "value"].dropna()
    assert ((pct >= 0) & (pct <= 100)).all()


def test_audit_grade_distribution(tmp_path):
    audits = pd.DataFrame({"audit_date": ["2024-02-01", "2024-03-01", "2024-04-01"],
                           "service_area": "CP", "grade": ["Good", "Good", "Inadequate"],
                           "moderated": ["No", "Yes", "No"],
                           "moderated_grade": ["", "Requires improvement", ""]})  # fmt: skip
    ds = load_dataset(write_dataset(tmp_path / "la", tables={"audits": audits}))
    frame = compute_indicators(ds, END, ids=["audits_completed"], by="grade")
    assert frame.set_index("group")["value"].to_dict() == {
        "Good": 1,
        "Requires improvement": 1,
        "Inadequate": 1,
    }


def test_ssda903_counts_are_used_when_supplied(tmp_path):
    episodes = [
        ep("A", "01/02/2024", "S", "U4"),                          # in care at 31 Dec
        ep("B", "01/06/2023", "S", "U6", "01/07/2024", rec="E4A"),  # ceased in the window
        ep("C", "01/03/2024", "S", "U6", ls="V3"),                 # short breaks: excluded
    ]  # fmt: skip
    root = write_dataset(tmp_path / "la", {"cla": [cla("Z", "2024-01-05")]}, population=2_000)
    ds = load_dataset(with_903(root, episodes, {"A": "01/01/2012", "B": "01/01/2012",
                                                "C": "01/01/2012"}, years=[2024]))  # fmt: skip
    # SSDA903 wins over Annex A (which lists only Z): in care at 31 Dec = A -> 1
    num, _, val = value(ds, "cla_count")
    assert val == 1
    row = compute_indicators(ds, END, ids=["cla_count"]).iloc[0]
    assert row["note"] == "Source: SSDA903 returns, episodes (official DfE counting)"
    assert value(ds, "cla_rate_per_10k")[2] == pytest.approx(1 / 2_000 * 10_000)
    # the 2024-25 return starts on 1 April 2024: it does not cover a 12-month window, so the
    # starts in the year come from Annex A (Z), and say so (the old code gave missing here)
    row = compute_indicators(ds, END, ids=["cla_starts"]).iloc[0]
    assert row["value"] == 1 and row["note"].startswith("Source: Annex A List 8")
    # 6 months to 31 Dec (from 1 July): no start (A began in February; C is a short break);
    # B ceased on 1 July -> 1
    assert value(ds, "cla_starts", window="6m")[2] == 0
    assert value(ds, "cla_ceased", window="6m")[2] == 1


def test_oc2_health_and_sdq_at_31_march(tmp_path):
    root = write_dataset(tmp_path / "la")
    folder = root / "ssda903" / "2023-24"
    folder.mkdir(parents=True)
    pd.DataFrame({"CHILD": ["A", "B", "C", "D"], "SEX": 1,
                  "DOB": ["01/01/2012", "01/01/2010", "01/01/2022", "01/01/2006"],
                  "ETHNIC": "WBRI"}).to_csv(folder / "header.csv", index=False)  # fmt: skip
    pd.DataFrame({
        "CHILD": ["A", "B", "C", "D"],
        "DOB": ["01/01/2012", "01/01/2010", "01/01/2022", "01/01/2006"],
        "SDQ_SCORE": [12, None, None, 20], "SDQ_REASON": ["", "SDQ4", "SDQ1", ""],
        "HEALTH_ASSESSMENT": [1, 1, 0, 1], "TEETH_CHECK": [1, 0, 0, 1],
    }).to_csv(folder / "oc2.csv", index=False)  # fmt: skip
    ds = load_dataset(root)
    # at 31 March 2024: health assessment 3 of 4, teeth 2 of 4
    end = "2024-03-31"
    assert value(ds, "cla_health_assessment_in_date_pct", end=end) == (3, 4, 75.0)
    assert value(ds, "cla_dental_check_in_date_pct", end=end) == (2, 4, 50.0)
    # aged 4-16 at 31 March 2024: A (12), B (14); D is 18 and C is 2 -> excluded
    # completed: A only -> 1 / 2; mean score of those with one: 12
    assert value(ds, "cla_sdq_completed_pct", end=end) == (1, 2, 50.0)
    assert value(ds, "cla_sdq_mean_score", end=end)[2] == 12


def test_missing_from_ssda903(tmp_path):
    episodes = [
        ep("A", "01/01/2023", "S", "U4"),
        ep("B", "01/01/2023", "S", "U6"),
        ep("C", "01/01/2023", "S", "U6", "01/03/2024", rec="E4A"),
    ]
    root = with_903(write_dataset(tmp_path / "la"), episodes,
                    {"A": "01/01/2010", "B": "01/01/2010", "C": "01/01/2010"})  # fmt: skip
    pd.DataFrame({"CHILD": ["A", "A", "C", "B"], "DOB": "01/01/2010",
                  "MISSING": ["M", "M", "M", "A"],
                  "MIS_START": ["01/02/2024", "01/05/2024", "01/02/2024", "01/06/2024"],
                  "MIS_END": ["02/02/2024", "02/05/2024", "03/02/2024", "02/06/2024"]}).to_csv(
        root / "ssda903" / "2024-25" / "missing.csv", index=False)  # fmt: skip
    # the 12 months to 31 Dec 2024 need the 2023-24 return's missing table too (none missing)
    pd.DataFrame(columns=["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]).to_csv(
        root / "ssda903" / "2023-24" / "missing.csv", index=False
    )
    ds = load_dataset(root)
    # in care during 2024: A, B, C; missing (M, not "away" A) in 2024: A (twice), C -> 2 / 3
    assert value(ds, "cla_missing_pct") == (2, 3, pytest.approx(200 / 3))
