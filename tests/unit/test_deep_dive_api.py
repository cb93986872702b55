"""The deep-dive API (issue 20): breakdowns that say when they cannot apply, groups in their natural
order, two-way breakdowns, restrictions by ``where``, and the child-level units behind a value.
Expected values worked by hand on a few children."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sefanalysis import compute_indicators, units
from sefanalysis.errors import SefError
from sefanalysis.indicators.engine import group_order

END = "2024-12-31"


def ref(child, date, dob="2015-01-01", ethnicity="WBRI", n12=0, team="Front Door"):
    return {"child_id": child, "gender": "Female", "ethnicity": ethnicity, "dob": dob,
            "referral_date": date, "referral_nfa": "No", "n_referrals_12m": n12,
            "team": team}  # fmt: skip


def test_a_dimension_the_units_do_not_record_is_missing_with_the_reason(make_dataset):
    ds = make_dataset({"contacts": [{"child_id": "A", "contact_date": "2024-03-01",
                                     "dob": "2015-01-01"}]})  # fmt: skip
    frame = compute_indicators(ds, END, ids=["contacts"], by="team")
    # List 1 has no team: one row, missing, saying so (never a "Not recorded" group of 1)
    assert len(frame) == 1 and math.isnan(frame["value"].iloc[0])
    assert frame["group"].isna().all()
    assert "cannot be broken down by team" in frame["note"].iloc[0]
    restricted = compute_indicators(ds, END, ids=["contacts"], where={"team": "Front Door"})
    assert math.isnan(restricted["value"].iloc[0])
    assert "cannot be restricted by team" in restricted["note"].iloc[0]


def test_missing_values_of_a_recorded_dimension_are_their_own_group(make_dataset):
    ds = make_dataset({"referrals": [ref("A", "2024-03-01"), ref("B", "2024-04-01", team=None)]})
    frame = compute_indicators(ds, END, ids=["referrals"], by="team").set_index("group")
    assert frame.loc["Front Door", "value"] == 1 and frame.loc["Not recorded", "value"] == 1


def test_groups_come_in_their_natural_order(make_dataset):
    kids = [("A", "2010-01-01"), ("B", "2024-01-15"), ("C", "2020-01-01"), ("D", "2007-01-01")]
    ds = make_dataset({"referrals": [ref(c, "2024-03-01", dob=d) for c, d in kids]})
    frame = compute_indicators(ds, END, ids=["referrals"], by="age_band")
    # 14, under 1, 4, 17 at the referral: by age, not as text ("1 to 4" < "10 to 15" < "Under 1")
    assert list(frame["group"]) == ["Under 1", "1 to 4", "10 to 15", "16 to 17"]
    assert group_order("duration_band", ["61+", "11-20", "Same day", "1-10"]) == [
        "Same day", "1-10", "11-20", "61+"]  # fmt: skip
    assert group_order("grade", ["Inadequate", "Good", "Not recorded", "Outstanding"]) == [
        "Outstanding", "Good", "Inadequate", "Not recorded"]  # fmt: skip


def test_where_counts_only_the_children_asked_for_by_age_at_the_event(make_dataset):
    rows = [
        ref("A", "2024-03-01", dob="2020-06-01", n12=1),  # 3 at the referral: re-referral
        ref("B", "2024-03-01", dob="2019-02-01"),  # 5 at the referral: left out
        ref("C", "2024-11-01", dob="2019-12-01"),  # 4 at the referral, 5 at the period end
        ref("D", "2024-05-01", dob="2021-01-01", ethnicity="BCRB", n12=1),  # 3, Black
    ]
    ds = make_dataset({"referrals": rows}, annex_a_start="2024-01-01")
    under5 = compute_indicators(ds, END, ids=["re_referral_pct"], where={"age": (0, 4)})
    # A, C, D: 2 re-referrals of 3 (C is counted at its referral's age, not the period end's)
    assert (under5["numerator"].iloc[0], under5["denominator"].iloc[0]) == (2, 3)
    both = compute_indicators(ds, END, ids=["re_referral_pct"], where={"age": (0, 4)},
                              by="ethnicity_group").set_index("group")  # fmt: skip
    assert both.loc["White", "value"] == pytest.approx(50.0) and both.loc["Black", "value"] == 100
    with pytest.raises(SefError, match="where 'colour' is not accepted"):
        compute_indicators(ds, END, ids=["referrals"], where={"colour": "red"})
    with pytest.raises(SefError, match="lowest, highest"):
        compute_indicators(ds, END, ids=["referrals"], where={"age": 4})


def test_two_way_breakdowns_give_every_combination(make_dataset):
    rows = [ref("A", "2024-03-01", dob="2020-06-01"),
            ref("B", "2024-03-01", dob="2010-01-01", ethnicity="BCRB")]  # fmt: skip
    ds = make_dataset({"referrals": rows})
    frame = compute_indicators(ds, END, ids=["referrals"], by=["ethnicity_group", "age_band"])
    cells = frame.set_index(["group", "group_2"])["value"].to_dict()
    # 2 ethnic groups x 2 age bands, in natural order; the empty combinations count 0
    assert list(cells) == [("White", "1 to 4"), ("White", "10 to 15"), ("Black", "1 to 4"),
                           ("Black", "10 to 15")]  # fmt: skip
    assert list(cells.values()) == [1, 0, 0, 1]
    assert set(frame["breakdown"]) == {"ethnicity_group, age_band"}
    with pytest.raises(SefError, match="two different"):
        compute_indicators(ds, END, ids=["referrals"], by=["gender", "gender"])


def test_units_are_the_rows_behind_the_value(make_dataset):
    rows = [ref("A", "2024-03-01", n12=1), ref("B", "2024-04-01"), ref("C", "2024-05-01")]
    ds = make_dataset({"referrals": rows}, annex_a_start="2024-01-01")
    value = compute_indicators(ds, END, ids=["re_referral_pct"]).iloc[0]
    rows_behind = units(ds, "re_referral_pct", END)
    assert list(rows_behind["child_id"]) == ["A", "B", "C"]
    assert 100 * rows_behind["num"].sum() / rows_behind["den"].sum() == value["value"]
    assert {"age", "age_band", "ethnicity_group", "team"} <= set(rows_behind.columns)
    assert not [c for c in rows_behind if c.startswith("_")]
    with pytest.raises(SefError, match="no value at 2019-12-31"):
        units(ds, "re_referral_pct", "2019-12-31")  # before the data: missing, with the reason


def test_caseload_by_team_sums_each_team_apart(make_dataset):
    workforce = pd.DataFrame({
        "month": ["2024-12-01"] * 3, "team": ["North", "South", "North"],
        "fte_in_post": [10, 5, 2], "agency_fte": 0, "vacancy_fte": 0, "starters_fte": 0,
        "leavers_fte": 0, "case_holding_fte": [8, 4, 2], "cases_held": [120, 80, 30],
    })  # fmt: skip
    ds = make_dataset({}, tables={"workforce": workforce})
    frame = compute_indicators(ds, END, ids=["sw_average_caseload"], by="team")
    # North: (120 + 30) / (8 + 2) = 15; South: 80 / 4 = 20
    assert frame.set_index("group")["value"].to_dict() == {"North": 15.0, "South": 20.0}
    whole = compute_indicators(ds, END, ids=["sw_average_caseload"]).iloc[0]
    assert whole["value"] == pytest.approx(230 / 14)
