"""The section-H measures added from data already loaded (issue 20): Annex A fields (CP seen
alone, category of abuse, step-up and step-down codes, return interviews accepted, regulation 28
visits, eligible 16-17 year olds, the adopter funnel) and SSDA903 (16-17s in supported
accommodation and under-16s in unregistered provision by the codes of the return's year,
planned entry, review participation, distance from home). Each worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sefanalysis import compute_indicators, load_dataset

from ..conftest import write_dataset
from .ssda903_returns import ep, folder_of, frame, write_returns

END = "2024-12-31"


def get(ds, ind, end=END, **kw):
    r = compute_indicators(ds, end, ids=[ind], **kw).iloc[0]
    return r["numerator"], r["denominator"], r["value"], r["note"]


def person(child, dob="2015-01-01"):
    return {"child_id": child, "dob": dob, "gender": "Male", "ethnicity": "WBRI"}


def test_help_and_protection_fields_already_loaded(make_dataset):
    asm = [
        {**person(c), "asmt_start": s, "asmt_auth": a, "asmt_needs_support": "Yes"}
        for c, s, a in [
            ("A", "2024-03-01", "2024-03-15"),  # 10 working days
            ("B", "2024-05-01", "2024-05-30"),
        ]
    ]  # 19 (6, 27 May holidays)
    plans = [
        {**person("C"), "cpp_start": "2024-02-01", "abuse_initial": "Neglect",
         "abuse_latest": "Emotional abuse", "seen_alone": "Yes", "n_previous_cpp": 0},
        {**person("D"), "cpp_start": "2024-03-01", "abuse_initial": "Physical abuse",
         "seen_alone": "No", "n_previous_cpp": 0},
        {**person("E"), "cpp_start": "2024-04-01", "seen_alone": "Unknown", "n_previous_cpp": 0},
    ]  # fmt: skip
    refs = [{**person(c), "referral_date": "2024-06-01", "referral_nfa": "No",
             "n_referrals_12m": 0, "source": s} for c, s in [("F", "5D"), ("G", "6"),
                                                              ("H", None)]]  # fmt: skip
    cin = [{**person(c), "cin_start": "2023-01-01", "cin_end": e, "cin_closure_reason": r}
           for c, e, r in [("I", "2024-02-01", "RC9"), ("J", "2024-03-01", "RC8"),
                           ("K", "2024-04-01", None), ("L", None, None)]]  # fmt: skip
    ds = make_dataset({"assessments": asm, "cp": plans, "referrals": refs, "cin": cin})
    assert get(ds, "assessment_mean_wd")[2] == 14.5
    assert get(ds, "cpp_seen_alone_pct")[:2] == (1, 2)  # E's "Unknown" is not a No
    assert get(ds, "cpp_neglect_pct")[:2] == (1, 2)  # E has no category
    by_latest = compute_indicators(ds, END, ids=["cpp_count"], by="abuse_category")
    assert by_latest.set_index("group")["value"].to_dict() == {
        "Physical abuse": 1, "Emotional abuse": 1, "Not recorded": 1}  # fmt: skip
    by_initial = compute_indicators(ds, END, ids=["cpp_starts"], by="abuse_category")
    assert list(by_initial["group"]) == ["Neglect", "Physical abuse", "Not recorded"]
    assert get(ds, "referrals_from_early_help")[2] == 1
    assert get(ds, "cin_closed_to_early_help_pct")[:2] == (1, 2)  # K has no reason
    sources = compute_indicators(ds, END, ids=["referrals"], by="source")
    assert list(sources["group"]) == ["Early help", "Police", "Not recorded"]


def test_children_in_care_fields_at_the_extract(make_dataset):
    def child(c, **kw):
        return {
            **person(c, "2012-01-01"),
            "cla_start": "2020-01-01",
            "legal_status": "C2",
            "n_placements_12m": 1,
            **kw,
        }

    cla = [
        # regulation 28 at 31 December 2024
        child("A", placement_start="2024-12-21"),  # placed 10 days ago, not visited: late
        child("B", placement_start="2024-12-28"),  # placed 3 days ago: not due yet
        child("C", placement_start="2024-07-01", last_visit="2024-11-21"),  # 40 days: in time
        child("D", placement_start="2024-07-01", last_visit="2024-11-11"),  # 50 days: late
        child("E", placement_start="2022-01-01", last_visit="2024-10-12", placement_type="U4"),
        child("F", placement_start="2022-01-01", last_visit="2024-10-12", placement_type="U6"),
        # return interviews: G offered and accepted, H offered and declined, I unknown offer
        child("G", n_missing_12m=2, rhi_offered="Yes", rhi_accepted="Yes",
              placement_start="2024-12-01", last_visit="2024-12-20"),
        child("H", n_missing_12m=1, rhi_offered="Yes", rhi_accepted="No",
              placement_start="2024-12-01", last_visit="2024-12-20"),
        child("I", n_missing_12m=1, rhi_offered="Unknown",
              placement_start="2024-12-01", last_visit="2024-12-20"),
    ]  # fmt: skip
    leavers = [
        {**person("P", "2008-03-01"), "pa": "PA1", "pathway_review": "2024-10-01",
         "eligibility": "Eligible child", "in_touch": "YES", "accommodation": "C",
         "suitability": "Suitable", "activity": "F2"},  # 16: PA, plan in date
        {**person("Q", "2007-06-01"), "pathway_review": "2024-03-01",
         "eligibility": "Relevant child", "in_touch": "YES", "accommodation": "D",
         "suitability": "Suitable", "activity": "F2"},  # 17: no PA, plan late
        {**person("R", "2003-06-01"), "pa": "PA2", "in_touch": "YES", "accommodation": "D",
         "suitability": "Suitable", "activity": "F2"},  # 21: not 16 or 17
    ]  # fmt: skip
    ds = make_dataset({"cla": cla, "care_leavers": leavers})
    # in time: B, C, E (long-term after the first year: 3 months), G, H, I -> 6 of 9
    assert get(ds, "cla_visit_in_timescale_pct")[:2] == (6, 9)
    assert get(ds, "cla_return_interview_offered_pct")[:2] == (2, 2)  # I's unknown left out
    assert get(ds, "cla_return_interview_accepted_pct")[:2] == (1, 2)
    assert get(ds, "cl_eligible_pa_allocated_pct")[:2] == (1, 2)
    assert get(ds, "cl_eligible_pathway_plan_pct")[:2] == (1, 2)


def test_adopter_funnel_counts_households(make_dataset):
    adopters = [
        # one couple (family F1): enquired and approved together, stage 1 from 1 March
        {"adopter_id": "A1", "family_id": "F1", "enquiry": "2024-01-10",
         "stage1_start": "2024-03-01", "approved": "2024-09-01"},
        {"adopter_id": "A2", "family_id": "F1", "enquiry": "2024-01-10",
         "stage1_start": "2024-03-01", "approved": "2024-09-01"},
        {"adopter_id": "A3", "enquiry": "2024-05-01"},  # a single adopter, no family id
        {"adopter_id": "A4", "family_id": "F2", "enquiry": "2022-05-01",
         "stage1_start": "2023-09-01", "approved": "2024-02-01"},
    ]  # fmt: skip
    ds = make_dataset({"adopters": adopters})
    assert get(ds, "adopter_enquiries")[2] == 2  # F1 and A3
    assert get(ds, "adopters_approved")[2] == 2  # F1 and F2
    assert get(ds, "adopter_approval_mean_days")[2] == (184 + 153) / 2


# ------------------------------------------------------------------ SSDA903

MARCH_2018 = "2018-03-31"


def returns(tmp_path, episodes, dobs, years, name="la", extract="2021-03-31"):
    root = write_dataset(tmp_path / name, extract=extract, annex_a_start=None)
    return write_returns(root, episodes, dobs, years=years)


def test_supported_accommodation_and_unregistered_by_the_codes_of_the_year(tmp_path):
    episodes = [
        ep("A", "01/05/2017", "S", "H5"),  # 16 at 31 March 2018: supported accommodation
        ep("B", "01/05/2017", "S", "H5"),  # 15: under 16 in supported accommodation
        ep("C", "01/05/2017", "S", "K2", urn="XXXXXXX"),  # 12, recorded as unregistered
        ep("D", "01/05/2017", "S", "K2", urn="SC123456"),  # 17 in a registered home
        ep("E", "01/05/2017", "S", "H5"),  # 17 and UASC
    ]
    dobs = {"A": "01/01/2002", "B": "01/01/2003", "C": "01/01/2006", "D": "01/01/2001",
            "E": "01/06/2000"}  # fmt: skip
    root = returns(tmp_path, episodes, dobs, [2017])
    pd.DataFrame({"CHILD": ["E"], "SEX": 1, "DOB": "01/06/2000", "DUC": "01/06/2018"}).to_csv(
        folder_of(root, 2017) / "uasc.csv", index=False)  # fmt: skip
    ds = load_dataset(root)
    assert get(ds, "cla_16_17_supported_accommodation", MARCH_2018)[2] == 2  # A, E
    assert get(ds, "cla_16_17_supported_accommodation_uasc", MARCH_2018)[2] == 1  # E
    assert get(ds, "cla_under_16_unregistered", MARCH_2018)[2] == 2  # B, C
    # 2025-26: supported accommodation is K3 (H5 withdrawn)
    later = [ep("F", "01/05/2025", "S", "K3"), ep("G", "01/05/2025", "S", "H5")]
    ds = load_dataset(returns(tmp_path, later, {"F": "01/01/2010", "G": "01/01/2010"}, [2025],
                              "later", extract="2026-03-31"))  # fmt: skip
    assert get(ds, "cla_16_17_supported_accommodation", "2026-03-31")[2] == 1  # F only


def test_planned_entry_and_review_participation(tmp_path):
    episodes = [
        ep("A", "01/05/2017", "S", "U6", "04/05/2017", ls="L1"),  # police protection first
        ep("A", "04/05/2017", "L", "U6", ls="C1"),
        ep("B", "01/06/2017", "S", "U6", ls="C1"),  # planned
        ep("C", "01/07/2017", "S", "U6", ls="V2"),  # planned
    ]
    root = returns(tmp_path, episodes, dict.fromkeys("ABC", "01/01/2012"), [2017])
    pd.DataFrame({
        "CHILD": ["A", "B", "C", "C"], "DOB": ["01/01/2012"] * 2 + ["01/01/2015"] * 2,
        # A participates (PN1), B did not attend and no views (PN7); C was 2 (PN0) and 3
        "REVIEW": ["01/06/2017", "01/07/2017", "01/08/2017", "01/01/2018"],
        "REVIEW_CODE": ["PN1", "PN7", "PN0", "PN0"],
    }).to_csv(folder_of(root, 2017) / "reviews.csv", index=False)  # fmt: skip
    ds = load_dataset(root)
    assert get(ds, "cla_starts_planned_pct", MARCH_2018)[:2] == (2, 3)
    assert get(ds, "cla_review_participation_pct", MARCH_2018)[:2] == (1, 2)


def episodes_with_postcodes(rows):
    eps = frame([r[:-2] for r in rows])
    eps["HOME_POST"] = [r[-2] for r in rows]
    eps["PL_POST"] = [r[-1] for r in rows]
    return eps


def test_placed_over_20_miles_by_the_postcode_directory(tmp_path):
    rows = [
        # Leeds to Manchester: 35.7 miles (over 20); Leeds to Leeds; home not recorded (UASC)
        ep("A", "01/05/2017", "S", "U6") + ["LS1 1UR", "M1 1AE"],
        ep("B", "01/05/2017", "S", "U6") + ["ls11ur", "LS2 7HY"],
        ep("C", "01/05/2017", "S", "U6") + ["", "LS2 7HY"],
    ]
    dobs = dict.fromkeys("ABC", "01/01/2010")
    ds = load_dataset(returns(tmp_path, episodes_with_postcodes(rows), dobs, [2017]))
    n, d, v, note = get(ds, "cla_placed_over_20_miles_pct", MARCH_2018)
    # DfE's denominator: every child in care, the one whose distance is not known included
    assert (n, d) == (1, 3) and "distance not known for 1 child" in note
    made_up = [ep("D", "01/05/2017", "S", "U6") + ["EG19 7TT", "WV27 9FW"]]  # D2I's fake ones
    ds = load_dataset(returns(tmp_path, episodes_with_postcodes(made_up), {"D": "01/01/2010"},
                              [2017], "fake"))  # fmt: skip
    n, d, v, note = get(ds, "cla_placed_over_20_miles_pct", MARCH_2018)
    assert math.isnan(v) and "found in the ONS Postcode Directory" in note
    assert (
        pytest.approx(35.7)
        == __import__("sefanalysis.indicators.distance", fromlist=["miles"]).miles(
            pd.Series(["LS1 1UR"]), pd.Series(["M1 1AE"])
        )[0]
    )
