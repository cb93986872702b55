"""Help-and-protection indicators on small hand-built datasets; expected values by hand.

Period end 2024-12-31 with the 12-month window 2024-01-01 .. 2024-12-31 unless stated.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sefanalysis import compute_indicators

END = "2024-12-31"


def value(ds, ind, end=END, window="12m"):
    row = compute_indicators(ds, end, window=window, ids=[ind]).iloc[0]
    return row["numerator"], row["denominator"], row["value"]


def ref(child, date, nfa="No", n12=0):
    return {
        "child_id": child,
        "referral_date": date,
        "referral_nfa": nfa,
        "n_referrals_12m": n12,
        "dob": "01/01/2015",
        "gender": "Female",
        "ethnicity": "WBRI",
    }


def test_contacts_and_conversion(make_dataset):
    contacts = [
        {"child_id": c, "contact_date": d}
        for c, d in [
            ("A", "05/01/2024"),
            ("B", "10/02/2024"),
            ("C", "31/12/2024"),
            ("D", "31/12/2023"),
            ("E", "01/01/2025"),
        ]
    ]  # D, E outside the window
    ds = make_dataset(
        {"contacts": contacts, "referrals": [ref("A", "2023-01-02"), ref("A", "2024-01-06")]}
    )
    # contacts in window: A, B, C = 3
    assert value(ds, "contacts")[2] == 3
    # referrals in window: A (2024-01-06) = 1 -> 1 / 3 = 33.3%
    num, den, val = value(ds, "contact_to_referral_pct")
    assert (num, den) == (1, 3) and val == pytest.approx(100 / 3)


def test_re_referral_from_history_boundaries(make_dataset):
    refs = [
        ref("A", "2022-06-01"),  # history only (before the window)
        ref("A", "2023-06-01"),  # history only
        ref("A", "2024-06-01"),  # exactly 12 months after the last -> re-referral (inclusive)
        ref("B", "2023-05-31"),  # history
        ref("B", "2024-06-01"),  # 12 months and 1 day after -> not a re-referral
        ref("C", "2024-02-01"),  # first referral
        ref("C", "2024-03-01"),  # within 12 months of C's first -> re-referral
    ]
    ds = make_dataset({"referrals": refs})
    # in window: A 2024-06-01 (re), B 2024-06-01 (no), C 2024-02-01 (no), C 2024-03-01 (re)
    # = 2 / 4 = 50%
    assert value(ds, "re_referral_pct") == (2, 4, 50.0)


def test_re_referral_falls_back_to_list_count_before_history(make_dataset):
    refs = [
        ref("A", "2024-01-10", n12=2),  # data starts here: no history, the list says 2 -> re
        ref("B", "2024-02-10", n12=0),  # no history, list says 0 -> not
        ref("A", "2024-03-01", n12=2),  # history shows A on 2024-01-10 -> re
    ]
    ds = make_dataset({"referrals": refs}, annex_a_start="2024-01-01")  # the list starts here
    assert value(ds, "re_referral_pct") == (2, 3, pytest.approx(200 / 3))


def test_referral_rate_and_nfa(make_dataset):
    refs = [
        ref("A", "2024-02-01", nfa="Yes"),
        ref("B", "2024-03-01"),
        ref("C", "2024-04-01"),
        ref("D", "2024-05-01"),
    ]
    ds = make_dataset({"referrals": refs}, population=20_000)
    # 4 referrals / 20,000 children * 10,000 = 2.0 per 10,000
    assert value(ds, "referral_rate_per_10k") == (4, 20_000, 2.0)
    assert value(ds, "referral_nfa_pct") == (1, 4, 25.0)


def asmt(child, start, auth, support="Yes"):
    return {
        "child_id": child,
        "asmt_start": start,
        "asmt_auth": auth,
        "asmt_needs_support": support,
    }


def test_assessment_timeliness(make_dataset):
    rows = [
        asmt("A", "2024-05-15", "2024-05-15"),  # authorised on its start day: 0 wd
        asmt("B", "2024-01-02", "2024-03-05"),  # 2 Jan -> 5 Mar 2024: 45 working days
        asmt("C", "2024-01-02", "2024-03-06", support="No"),  # 46 working days
        asmt("D", "2024-06-10", "2024-06-03"),  # authorised before start: excluded, reported
        asmt("E", "2023-10-02", "2023-11-01"),  # authorised before the window
        asmt("F", "2024-12-01", None, support=None),  # still open
    ]
    ds = make_dataset({"assessments": rows})
    # completed in window: A, B, C, D = 4 (D has a date, so it was completed)
    assert value(ds, "assessments_completed")[2] == 4
    # valid durations: A 0, B 45, C 46 -> within 45: A, B = 2 / 3
    assert value(ds, "assessments_within_45wd_pct") == (2, 3, pytest.approx(200 / 3))
    # median of 0, 45, 46 = 45
    assert value(ds, "assessment_median_wd")[2] == 45
    # outcome known for A, B, C, D; "No" for C only -> 1 / 4
    assert value(ds, "assessment_nfa_pct") == (1, 4, 25.0)
    assert (ds.problems["kind"] == "end before start").sum() == 1


def test_working_day_count_matches_hand_count():
    from sefanalysis.calendar import working_days

    # January 2024 after the 2nd: 3-5 (3), 8-12 (5), 15-19 (5), 22-26 (5), 29-31 (3) = 21
    # February: 20 working days; March 1-5: 1, 4, 5 = 3 (no bank holiday) -> 21 + 20 + 3 = 44?
    # 2 Jan itself is not counted: days after it. Jan 3..31 = 21, Feb = 21 (29 days, 2024 leap
    # year: Feb 1-2, 5-9, 12-16, 19-23, 26-29 = 21), Mar 1, 4, 5 = 3 -> 45
    assert working_days(["2024-01-02"], ["2024-03-05"])[0] == 45


def s47(child, strategy, icpc=None, cpp=None):
    return {"child_id": child, "strategy_date": strategy, "icpc_date": icpc, "icpc_to_cpp": cpp}


def test_s47_and_icpc(make_dataset):
    rows = [
        # Wed 24 Apr -> Wed 15 May 2024: 25, 26, 29, 30 Apr, 1, 2, 3, 7, 8, 9, 10, 13, 14, 15 May
        # = 14 wd (Mon 6 May is a bank holiday) -> within 15
        s47("A", "2024-04-24", "2024-05-15", "Yes"),
        s47("B", "2024-04-24", "2024-05-17", "No"),  # 14 + 16, 17 May = 16 wd -> late
        s47("C", "2024-07-01"),  # no conference
        s47("D", "2024-07-10", "2024-07-01", "Yes"),  # ICPC before strategy: excluded
        s47("E", "2023-12-20", "2024-01-05", "Yes"),  # started before the window, ICPC in it
    ]
    ds = make_dataset({"s47": rows}, population=5_000)
    assert value(ds, "s47_enquiries")[2] == 4  # A, B, C, D
    assert value(ds, "s47_rate_per_10k")[2] == pytest.approx(4 / 5_000 * 10_000)
    # ICPCs held in window: A, B, D, E = 4 over S47s started 4
    assert value(ds, "s47_to_icpc_pct") == (4, 4, 100.0)
    # valid durations: A 14, B 16, E (20 Dec -> 5 Jan 2024: 21, 22, 27, 28, 29 Dec, 2, 3, 4,
    # 5 Jan = 9 wd) -> within 15: A, E = 2 / 3
    assert value(ds, "icpc_within_15wd_pct") == (2, 3, pytest.approx(200 / 3))
    assert value(ds, "icpc_to_cpp_pct") == (3, 4, 75.0)


def cp(child, start, end=None, prev=0, visit=None):
    return {
        "child_id": child,
        "cpp_start": start,
        "cpp_end": end,
        "n_previous_cpp": prev,
        "last_visit": visit,
    }


def test_child_protection_plans(make_dataset):
    rows = [
        cp("A", "2022-12-31", "2024-12-31"),  # lasted exactly 2 years -> 2+ years
        cp("B", "2024-03-01", "2024-05-31"),  # ended before 3 months (1 June) -> under 3m
        cp("C", "2024-03-01", "2024-06-01"),  # exactly 3 months -> not under 3m
        cp("D", "2024-06-01", None, prev=1, visit="2024-12-03"),  # open, visited 28 days ago
        cp("E", "2024-09-01", None, visit="2024-12-02"),  # open, 29 days ago
        cp("B", "2024-09-01", None, visit="2024-12-31"),  # B's second plan (earlier one in data)
    ]
    ds = make_dataset({"cp": rows}, population=10_000)
    # open at 31 Dec 2024: D, E, B(2nd); A ended on the day -> not open
    assert value(ds, "cpp_count")[2] == 3
    assert value(ds, "cpp_rate_per_10k")[2] == pytest.approx(3.0)
    # started in window: B, C, D, E, B2 = 5; second or subsequent: D (prev=1), B2 (earlier) = 2
    assert value(ds, "cpp_starts")[2] == 5
    assert value(ds, "cpp_second_or_subsequent_pct") == (2, 5, 40.0)
    # ended in window: A, B, C = 3; 2 years+: A -> 1/3; under 3 months: B -> 1/3
    assert value(ds, "cpp_ended_2yrs_plus_pct") == (1, 3, pytest.approx(100 / 3))
    assert value(ds, "cpp_ended_under_3m_pct") == (1, 3, pytest.approx(100 / 3))
    # visits within 28 days to 31 Dec: D (28), B2 (0) -> 2 / 3
    assert value(ds, "cpp_visit_within_4wks_pct") == (2, 3, pytest.approx(200 / 3))
    # not valid for an earlier period end: missing, with the reason
    row = compute_indicators(ds, "2024-09-30", ids=["cpp_visit_within_4wks_pct"]).iloc[0]
    assert math.isnan(row["value"]) and "extract" in row["note"]


def test_cin_open_at_period_end(make_dataset):
    rows = [
        {"child_id": "A", "cin_start": "2024-01-01", "cin_end": None},
        {"child_id": "B", "cin_start": "2023-01-01", "cin_end": "2024-12-31"},
        {"child_id": "C", "cin_start": "2023-01-01", "cin_end": "2025-01-01"},
    ]
    ds = make_dataset({"cin": rows})
    assert value(ds, "cin_count")[2] == 2  # A and C; B closed on the day


def test_empty_denominators_are_missing_not_zero(make_dataset):
    ds = make_dataset(
        {
            "referrals": [ref("A", "2023-03-01")],
            "assessments": [asmt("A", "2023-03-01", "2023-03-02")],
        }
    )
    frame = compute_indicators(
        ds, END, ids=["assessments_within_45wd_pct", "re_referral_pct", "assessment_median_wd"]
    )
    assert frame["value"].isna().all()
    # no referral in the 12 months to END: the list cannot support a value (missing, not 0)
    row = frame.loc[frame["indicator_id"] == "re_referral_pct"].iloc[0]
    assert (
        pd.isna(row["denominator"])
        and row["note"] == "no List 3 (Referral) dates fall in this period"
    )


def test_window_options(make_dataset):
    refs = [ref("A", "2024-01-15"), ref("B", "2024-08-15"), ref("C", "2024-11-15")]
    ds = make_dataset({"referrals": refs})
    assert value(ds, "referrals", window="3m")[2] == 1
    assert value(ds, "referrals", window="6m")[2] == 2
    assert value(ds, "referrals", window="12m")[2] == 3


def test_period_after_extract_and_before_data_are_missing(make_dataset):
    ds = make_dataset(
        {"referrals": [ref("A", "2024-01-15")]}, extract="2024-06-30", annex_a_start=None
    )  # coverage from the earliest referral: January 2024
    frame = compute_indicators(
        ds, ["2023-12-31", "2024-06-30", "2024-12-31"], window="6m", ids=["referrals"]
    ).set_index("period_end")
    assert frame.loc["2024-06-30", "value"] == 1
    assert math.isnan(frame.loc["2024-12-31", "value"])  # after the extract
    assert math.isnan(frame.loc["2023-12-31", "value"])  # before the data
    assert "after the data extract" in frame.loc["2024-12-31", "note"]


def test_breakdown_by_gender(make_dataset):
    refs = [
        ref("A", "2024-02-01"),
        ref("B", "2024-03-01"),
        {**ref("C", "2024-04-01"), "gender": "Male"},
    ]
    ds = make_dataset({"referrals": refs})
    frame = compute_indicators(ds, END, ids=["referrals"], by="gender").set_index("group")
    assert frame.loc["Female", "value"] == 2 and frame.loc["Male", "value"] == 1


def test_breakdown_by_age_band(make_dataset):
    refs = [
        {**ref("A", "2024-02-01"), "dob": "2024-01-15"},  # under 1 at the referral
        {**ref("B", "2024-03-01"), "dob": "2008-01-01"},
    ]  # 16 at the referral
    ds = make_dataset({"referrals": refs})
    frame = compute_indicators(ds, END, ids=["referrals"], by="age_band").set_index("group")
    assert frame.loc["Under 1", "value"] == 1 and frame.loc["16 to 17", "value"] == 1


def test_vectorised_over_many_period_ends(demo):
    ends = [str(d.date()) for d in pd.date_range("2022-03-31", "2024-12-31", freq="QE")]
    frame = compute_indicators(demo, ends, area="help_protection")
    assert frame["period_end"].nunique() == 12
    pct = frame.loc[frame["unit"] == "pct", "value"].dropna()
    assert ((pct >= 0) & (pct <= 100)).all()


def test_early_help_and_rates(make_dataset):
    eh = [
        {"child_id": c, "eh_start": d, "eh_end": None}
        for c, d in [("A", "2024-02-01"), ("B", "2024-12-31"), ("C", "2023-12-31")]
    ]  # C before window
    asm = [asmt("A", "2024-01-10", "2024-02-01"), asmt("B", "2024-03-01", "2024-04-01")]
    cin = [
        {"child_id": "A", "cin_start": "2024-01-01", "cin_end": None},
        {"child_id": "B", "cin_start": "2024-01-01", "cin_end": "2024-06-01"},
    ]
    ds = make_dataset({"early_help": eh, "assessments": asm, "cin": cin}, population=4_000)
    assert value(ds, "early_help_assessments")[2] == 2  # A, B
    # 2 assessments / 4,000 children * 10,000 = 5.0 per 10,000
    assert value(ds, "assessment_rate_per_10k") == (2, 4_000, 5.0)
    # open at the period end: A only -> 1 / 4,000 * 10,000 = 2.5
    assert value(ds, "cin_rate_per_10k") == (1, 4_000, 2.5)


def test_icpc_the_day_after_a_bank_holiday(make_dataset):
    # Thu 2 May 2024 strategy discussion: 3, 7 (6 May bank holiday), 8, 9, 10, 13, 14, 15, 16,
    # 17, 20, 21, 22, 23, 24 May = 15 working days -> within; Tue 28 May (Mon 27 May is the
    # spring bank holiday) = 16 -> late
    rows = [s47("A", "2024-05-02", "2024-05-24", "Yes"), s47("B", "2024-05-02", "2024-05-28")]
    ds = make_dataset({"s47": rows})
    assert value(ds, "icpc_within_15wd_pct") == (1, 2, 50.0)


def test_breakdown_by_duration_band(make_dataset):
    rows = [
        asmt("A", "2024-05-15", "2024-05-15"),  # same day
        asmt("B", "2024-01-02", "2024-03-05"),  # 45 working days -> 41-45
        asmt("C", "2024-01-02", "2024-03-06"),
    ]  # 46 -> 46-50
    ds = make_dataset({"assessments": rows})
    frame = compute_indicators(ds, END, ids=["assessments_within_45wd_pct"], by="duration_band")
    dens = frame.set_index("group")["denominator"].to_dict()
    assert dens == {"Same day": 1, "41-45": 1, "46-50": 1}
