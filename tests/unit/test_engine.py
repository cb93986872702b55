"""The indicator engine's own mechanics: ages for breakdowns, unit frames given in parts, and the
fast sum per period end. Expected values by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sefanalysis import compute_indicators
from sefanalysis.indicators.engine import _sum_by_period

END = "2024-12-31"


def test_age_band_is_age_at_the_event_for_flows_and_at_the_period_end_for_snapshots(
    make_dataset,
):
    # born 1 June 2008: 15 at a referral on 1 March 2024, 16 at the period end 31 December 2024
    child = {"child_id": "A", "dob": "2008-06-01", "gender": "Male", "ethnicity": "WBRI"}
    ds = make_dataset(
        {
            "referrals": [{**child, "referral_date": "2024-03-01", "referral_nfa": "No"}],
            "cin": [{**child, "cin_start": "2024-03-01", "cin_end": None}],
        }
    )
    flows = compute_indicators(ds, END, ids=["referrals"], by="age_band").set_index("group")
    assert list(flows.index) == ["10 to 15"] and flows.loc["10 to 15", "value"] == 1
    open_ = compute_indicators(ds, END, ids=["cin_count"], by="age_band").set_index("group")
    assert list(open_.index) == ["16 to 17"] and open_.loc["16 to 17", "value"] == 1


def test_parts_add_numerators_and_denominators_within_each_group(make_dataset):
    # contact_to_referral_pct gives referrals (numerator) and contacts (denominator) as parts
    def person(child, gender):
        return {"child_id": child, "gender": gender, "dob": "2015-01-01", "ethnicity": "WBRI"}

    contacts = [
        {**person("A", "Female"), "contact_date": "2024-02-01"},
        {**person("B", "Female"), "contact_date": "2024-03-01"},
        {**person("C", "Male"), "contact_date": "2024-04-01"},
    ]
    referrals = [{**person("A", "Female"), "referral_date": "2024-02-02", "referral_nfa": "No"}]
    ds = make_dataset({"contacts": contacts, "referrals": referrals})
    frame = compute_indicators(ds, END, ids=["contact_to_referral_pct"], by="gender")
    frame = frame.set_index("group")
    assert (frame.loc["Female", "numerator"], frame.loc["Female", "denominator"]) == (1, 2)
    assert frame.loc["Female", "value"] == pytest.approx(50.0)
    assert (frame.loc["Male", "numerator"], frame.loc["Male", "denominator"]) == (0, 1)
    assert frame.loc["Male", "value"] == 0


def test_sum_by_period_counts_like_a_groupby_sum():
    ends = pd.to_datetime(["2024-03-31", "2024-06-30", "2024-09-30"]).to_numpy()
    period_end = pd.Series(pd.to_datetime(["2024-03-31", "2024-03-31", "2024-09-30", None]))
    num = np.array([1.0, np.nan, 1.0, 1.0])  # a missing numerator adds nothing
    den = np.array([1.0, 1.0, 0.0, 1.0])  # the undated unit is left out, as by a groupby
    out = _sum_by_period(period_end, num, den, ends)
    assert out is not None
    # no unit at 30 June: no row (the engine gives it 0 / 0, as for a groupby)
    assert list(out["period_end"]) == list(pd.to_datetime(["2024-03-31", "2024-09-30"]))
    assert list(out["numerator"]) == [1.0, 1.0] and list(out["denominator"]) == [2.0, 0.0]


def test_sum_by_period_declines_units_outside_the_period_ends():
    ends = pd.to_datetime(["2024-03-31"]).to_numpy()
    other = pd.Series(pd.to_datetime(["2024-03-31", "2024-03-30"]))
    assert _sum_by_period(other, np.ones(2), np.ones(2), ends) is None
