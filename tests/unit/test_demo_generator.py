"""The demonstration authority: deterministic, internally consistent, realistic."""

from __future__ import annotations

import hashlib

import pandas as pd

from sefanalysis import compute_indicators
from sefanalysis.demo import generate_demo


def _hashes(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}  # fmt: skip


def test_same_seed_gives_byte_identical_files(demo_dir, tmp_path):
    again = generate_demo(tmp_path / "again", seed=2024)
    assert _hashes(again) == _hashes(demo_dir)


def test_event_chains_are_consistent(demo):
    a = demo.annex_a
    # every referral has a contact for the same child on or before it
    con = a["contacts"][["child_id", "contact_date"]]
    ref = a["referrals"][["child_id", "referral_date"]]
    m = ref.merge(con, on="child_id")
    ok = m.loc[m["contact_date"] <= m["referral_date"]].drop_duplicates(
        ["child_id", "referral_date"])  # fmt: skip
    late = ref["referral_date"] >= ref["referral_date"].min() + pd.Timedelta(days=3)
    assert len(ok) >= late.sum()
    # assessments start on or after a referral of the same child; authorised after starting
    asmt = a["assessments"]
    assert (asmt["asmt_auth"].dropna() >= asmt.loc[asmt["asmt_auth"].notna(), "asmt_start"]).all()
    # S47 before ICPC; every plan follows an ICPC of the same child on its start date
    s47 = a["s47"]
    held = s47.dropna(subset=["icpc_date"])
    assert (held["icpc_date"] >= held["strategy_date"]).all()
    cp = a["cp"]
    recent = cp.loc[cp["cpp_start"] >= s47["strategy_date"].min() + pd.Timedelta(days=60)]
    linked = recent.merge(held, left_on=["child_id", "cpp_start"],
                          right_on=["child_id", "icpc_date"])  # fmt: skip
    assert len(linked.drop_duplicates(["child_id", "cpp_start"])) == len(recent)
    # a child never has two plans open at once
    cp = cp.sort_values(["child_id", "cpp_start"])
    prev_end = cp.groupby("child_id")["cpp_end"].shift()
    assert not (cp["cpp_start"] <= prev_end).any()


def test_care_episodes_chain_and_leavers_were_in_care(demo):
    eps = demo.ssda903["episodes"].sort_values(["CHILD", "DECOM"])
    nxt = eps.groupby("CHILD")["DECOM"].shift(-1)
    within = nxt.notna() & eps["REC"].eq("X1")
    # within a period of care, each episode ends the day the next one starts
    assert (eps.loc[within, "DEC"] == nxt[within]).all()
    leavers = set(demo.annex_a["care_leavers"]["child_id"])
    in_care = set(demo.annex_a["cla"]["child_id"]) | set(eps["CHILD"])
    assert leavers and leavers <= in_care


def test_volumes_and_rates_are_realistic(demo):
    f = compute_indicators(demo, "2024-12-31").set_index("indicator_id")["value"]
    assert 10_000 <= f["contacts"] <= 14_000
    assert 3_400 <= f["referrals"] <= 4_600
    assert 3_300 <= f["assessments_completed"] <= 4_300
    assert 900 <= f["s47_enquiries"] <= 1_300
    assert 200 <= f["cpp_count"] <= 400
    assert 350 <= f["cla_count"] <= 550
    assert 18 <= f["re_referral_pct"] <= 26
    assert 78 <= f["assessments_within_45wd_pct"] <= 90
    assert 72 <= f["icpc_within_15wd_pct"] <= 88
    assert 18 <= f["cpp_second_or_subsequent_pct"] <= 30
    assert 1 <= f["cpp_ended_2yrs_plus_pct"] <= 8
    assert 5 <= f["cla_3plus_placements_pct"] <= 15
    assert 55 <= f["cla_long_term_stability_pct"] <= 80
