"""The measures read from the optional local trackers (issue 20), each worked by hand on a few
children, households or allegations: early help episodes, PLO and care proceedings,
exploitation, LADO, missing episodes and return interviews, the fostering register, the Virtual
School, PEPs, complaints by stage and compliments. Window: the 12 months to 31 December 2024."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sefanalysis import compute_indicators

END = "2024-12-31"


def table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def get(ds, ind, end=END, **kw):
    r = compute_indicators(ds, end, ids=[ind], **kw).iloc[0]
    return r["numerator"], r["denominator"], r["value"], r["note"]


def test_early_help_open_and_steps(make_dataset):
    eh = table([
        # A: two overlapping episodes open at the period end: counted once
        {"child_id": "A", "start_date": "2024-01-10", "end_date": "", "step_down": "Yes"},
        {"child_id": "A", "start_date": "2024-06-01", "end_date": "", "step_down": "No"},
        # B: ended in the window by a step-up
        {"child_id": "B", "start_date": "2023-11-01", "end_date": "2024-05-01",
         "end_reason": "step up"},
        # C: ended on the period end day (not open at its end), outcomes achieved
        {"child_id": "C", "start_date": "2024-02-01", "end_date": "2024-12-31",
         "end_reason": "Outcomes achieved", "step_down": ""},
    ])  # fmt: skip
    ds = make_dataset({}, tables={"early_help_episodes": eh})
    assert get(ds, "eh_children_open")[2] == 1
    assert get(ds, "eh_step_up_pct")[:3] == (1, 2, 50.0)  # B of B and C
    assert get(ds, "eh_step_down_pct")[:3] == (1, 2, 50.0)  # A's first of A's two (C blank)


def test_plo_and_care_proceedings(make_dataset):
    plo = table([
        # A: pre-proceedings 1 Jan - 1 Apr 2024 (91 days), proceedings 15 Apr 2024, final order
        # 13 Oct 2024 (181 days: within 26 weeks)
        {"child_id": "A", "pre_proceedings_start": "2024-01-01",
         "pre_proceedings_end": "2024-04-01", "proceedings_issued": "2024-04-15",
         "final_order": "2024-10-13"},
        # B: pre-proceedings from 1 Nov 2024, open; C: issued 1 Jan 2024, order 2 Jul 2024
        # (183 days: outside); D: issued 1 Dec 2024, open
        {"child_id": "B", "pre_proceedings_start": "2024-11-01"},
        {"child_id": "C", "pre_proceedings_start": "2023-09-01",
         "pre_proceedings_end": "2023-12-01", "proceedings_issued": "2024-01-01",
         "final_order": "2024-07-02"},
        {"child_id": "D", "proceedings_issued": "2024-12-01"},
    ])  # fmt: skip
    ds = make_dataset({}, tables={"plo": plo})
    assert get(ds, "plo_pre_proceedings_children")[2] == 1  # B
    assert get(ds, "plo_pre_proceedings_mean_days")[2] == 91  # A only ended in 2024
    assert get(ds, "care_proceedings_children")[2] == 1  # D
    assert get(ds, "care_proceedings_mean_days")[2] == (181 + 183) / 2
    assert get(ds, "care_proceedings_within_26wks_pct")[:3] == (1, 2, 50.0)


def test_exploitation_by_latest_open_screening(make_dataset):
    ex = table([
        # A: moderate, then significant from October: significant at the period end
        {"child_id": "A", "screening_date": "2024-03-01", "risk_level": "Moderate",
         "end_date": "2024-10-01"},
        {"child_id": "A", "screening_date": "2024-10-01", "risk_level": "high"},
        # B: emerging, open; C: no risk; D: significant but closed in November
        {"child_id": "B", "screening_date": "2024-06-01", "risk_level": "Emerging"},
        {"child_id": "C", "screening_date": "2024-06-01", "risk_level": "Not at risk"},
        {"child_id": "D", "screening_date": "2024-01-01", "risk_level": "Significant",
         "end_date": "2024-11-30"},
    ])  # fmt: skip
    ds = make_dataset({}, tables={"exploitation": ex})
    assert get(ds, "exploitation_risk_children")[2] == 2  # A and B
    assert get(ds, "exploitation_significant_risk_pct")[:3] == (1, 2, 50.0)
    levels = compute_indicators(ds, END, ids=["exploitation_risk_children"], by="risk_level")
    assert levels.set_index("group")["value"].to_dict() == {"Significant": 1, "Emerging": 1}


def test_lado_contacts_referrals_and_outcomes(make_dataset):
    lado = table([
        {"received_date": "2024-02-01", "progressed_to_referral": "Yes",
         "outcome": "Substantiated", "outcome_date": "2024-04-01"},
        {"received_date": "2024-03-01", "progressed_to_referral": "Yes",
         "outcome": "Unfounded", "outcome_date": "2024-05-01"},
        {"received_date": "2024-06-01", "progressed_to_referral": "No"},
        {"received_date": "2023-06-01", "progressed_to_referral": "Yes",
         "outcome": "Substantiated", "outcome_date": "2023-08-01"},  # before the window
    ])  # fmt: skip
    ds = make_dataset({}, tables={"lado": lado})
    assert get(ds, "lado_contacts")[2] == 3
    assert get(ds, "lado_referral_pct")[:3] == (2, 3, pytest.approx(200 / 3))
    assert get(ds, "lado_substantiated_pct")[:3] == (1, 2, 50.0)


def test_missing_episodes_and_return_interviews(make_dataset):
    m = table([
        # A (not in care): two episodes, one child; B (in care): not counted as not in care
        {"child_id": "A", "looked_after": "No", "start_date": "2024-03-01",
         "end_date": "2024-03-02", "rhi_offered": "Yes", "rhi_accepted": "Yes"},
        {"child_id": "A", "looked_after": "No", "start_date": "2024-05-01",
         "end_date": "2024-05-01", "rhi_offered": "Yes", "rhi_accepted": "No"},
        {"child_id": "B", "looked_after": "Yes", "start_date": "2024-06-01",
         "end_date": "2024-06-03", "rhi_offered": "No"},
        # C: offer unknown (not a No: left out); D: still missing (no end: not counted)
        {"child_id": "C", "looked_after": "No", "start_date": "2024-07-01",
         "end_date": "2024-07-01", "rhi_offered": "Unknown"},
        {"child_id": "D", "looked_after": "No", "start_date": "2024-12-30"},
    ])  # fmt: skip
    ds = make_dataset({}, tables={"missing_episodes": m})
    assert get(ds, "missing_children_not_in_care")[2] == 3  # A, C, D
    assert get(ds, "missing_rhi_offered_pct")[:3] == (2, 3, pytest.approx(200 / 3))
    assert get(ds, "missing_rhi_accepted_pct")[:3] == (1, 2, 50.0)


def test_fostering_register(make_dataset):
    f = table([
        {"household_id": "H1", "household_type": "Mainstream", "approval_date": "2015-01-01"},
        {"household_id": "H2", "household_type": "kinship", "enquiry_date": "2023-10-01",
         "approval_date": "2024-05-01"},
        {"household_id": "H3", "household_type": "Mainstream", "approval_date": "2018-01-01",
         "deregistration_date": "2024-08-01", "deregistration_reason": "Resigned"},
        {"household_id": "H4", "household_type": "Mainstream", "enquiry_date": "2024-02-01"},
        {"household_id": "H5", "household_type": "Mainstream", "enquiry_date": "2024-03-01"},
    ])  # fmt: skip
    ds = make_dataset({}, tables={"fostering": f})
    assert get(ds, "fostering_households")[2] == 2  # H1, H2
    assert get(ds, "fostering_connected_persons_pct")[:3] == (1, 2, 50.0)
    assert get(ds, "fostering_approvals")[2] == 1 and get(ds, "fostering_deregistrations")[2] == 1
    # 1 approval (H2) against 2 enquiries in 2024 (H4, H5; H2 enquired in 2023)
    assert get(ds, "fostering_approvals_per_100_enquiries")[:3] == (1, 2, 50.0)


def test_virtual_school_year_and_peps(make_dataset):
    vs = table([
        # school year 2023/24 (ending 2024): at 31 December 2024
        {"child_id": "A", "year_ending": 2024, "sessions_possible": 300,
         "sessions_attended": 280, "suspensions": 0, "ks2_rwm_expected": "Yes",
         "year_group": 6},
        {"child_id": "B", "year_ending": 2024, "sessions_possible": 100,
         "sessions_attended": 90, "suspensions": 2, "permanent_exclusion": "Yes",
         "ks4_attainment8": 30.5, "year_group": 11},
        {"child_id": "C", "year_ending": 2024, "sessions_possible": 200,
         "sessions_attended": 150, "ks4_attainment8": 20.5, "year_group": 11},
        # 2022/23: at 31 December 2023 and 31 March 2024 only
        {"child_id": "A", "year_ending": 2023, "sessions_possible": 100,
         "sessions_attended": 50},
    ])  # fmt: skip
    ds = make_dataset({}, tables={"virtual_school": vs})
    # (280 + 90 + 150) / (300 + 100 + 200) = 520 / 600
    n, d, v, note = get(ds, "vs_attendance_pct")
    assert (n, d) == (520, 600) and "2023/24" in note
    # A missed 6.7%, B exactly 10% (persistent), C 25%: B and C of 3
    assert get(ds, "vs_persistent_absence_pct")[:2] == (2, 3)
    assert get(ds, "vs_suspension_pct")[:2] == (1, 2)  # C has no suspensions recorded
    assert get(ds, "vs_permanent_exclusions")[2] == 1
    assert get(ds, "vs_ks2_expected_pct")[:3] == (1, 1, 100.0)
    assert get(ds, "vs_ks4_attainment8_mean")[2] == 25.5
    assert get(ds, "vs_attendance_pct", "2024-03-31")[2] == 50.0  # the year 2022/23
    early = get(ds, "vs_attendance_pct", "2022-09-30")  # 2021/22: not in the table
    assert math.isnan(early[2]) and "no rows for the school year 2021/22" in early[3]
    peps = table([
        {"child_id": "A", "due_date": "2024-10-31", "completed_date": "2024-10-20",
         "quality": "Good"},
        {"child_id": "B", "due_date": "2024-10-31", "completed_date": "2024-11-05",
         "quality": "Requires improvement"},
        {"child_id": "C", "due_date": "2024-06-30"},
    ])  # fmt: skip
    ds = make_dataset({}, tables={"peps": peps})
    assert get(ds, "vs_pep_in_timescale_pct")[:2] == (1, 3)
    assert get(ds, "vs_pep_good_pct")[:3] == (1, 2, 50.0)


def test_complaints_by_stage_and_compliments(make_dataset):
    c = table([
        {"received_date": "2024-02-01", "stage": "Stage 1", "responded_date": "2024-02-10",
         "upheld": "No"},
        {"received_date": "2024-03-01", "stage": "2", "responded_date": "2024-04-01",
         "upheld": "Partly"},
        {"received_date": "2024-04-01", "stage": "Ombudsman", "responded_date": "2024-06-01",
         "upheld": "Yes"},
        {"received_date": "2024-05-01", "stage": "", "responded_date": "2024-05-02"},
    ])  # fmt: skip
    ds = make_dataset(
        {},
        tables={
            "complaints": c,
            "compliments": table([{"received_date": "2024-01-05", "team": ""}]),
        },
    )
    assert get(ds, "complaints_upheld_pct")[:2] == (2, 3)
    assert get(ds, "complaints_escalated_pct")[:2] == (2, 3)  # stage 2 and LGSCO; 1 blank
    assert get(ds, "lgsco_complaints")[2] == 1
    assert get(ds, "compliments_received")[2] == 1
    stages = compute_indicators(ds, END, ids=["complaints_received"], by="stage")
    assert list(stages["group"]) == ["Stage 1", "Stage 2", "LGSCO", "Not recorded"]


def test_a_tracker_not_supplied_gives_missing_values_with_the_reason(make_dataset):
    ds = make_dataset({})
    for ind, file in [("plo_pre_proceedings_children", "plo.csv"),
                      ("fostering_households", "fostering.csv"),
                      ("vs_attendance_pct", "virtual_school.csv")]:  # fmt: skip
        n, d, v, note = get(ds, ind)
        assert math.isnan(v) and f"{file} was not supplied" in note
