"""Several authorities: discovery of data directories and the cross-authority summary."""

import pytest

from sefanalysis.errors import SefError
from sefanalysis.many import authority_dirs, cross_authority_summary

from ..conftest import write_dataset


def ref(child, date):
    return {"child_id": child, "referral_date": date, "referral_nfa": "No", "n_referrals_12m": 0}


def test_parent_folder_and_summary(tmp_path):
    parent = tmp_path / "pool"
    # authority 1: 1 of 2 referrals a re-referral (50%); authority 2: 0 of 2 (0%)
    write_dataset(parent / "a1", {"referrals": [ref("A", "2024-02-01"), ref("A", "2024-03-01")]})
    write_dataset(parent / "a2", {"referrals": [ref("B", "2024-02-01"), ref("C", "2024-03-01")]})
    for i, sub in enumerate(["a1", "a2"]):
        text = (parent / sub / "authority.yaml").read_text().replace("E99999999", f"E9900000{i}")
        (parent / sub / "authority.yaml").write_text(text)
    dirs = authority_dirs([parent])
    assert [d.name for d in dirs] == ["a1", "a2"]
    summary = cross_authority_summary("2024-12-31", dirs)
    rr = summary.loc[summary["indicator_id"] == "re_referral_pct"].set_index("la_code")
    # lower is better: authority 2 (0%) ranks 1 of 2 -> band B (1/2 = 50%); authority 1 rank 2
    assert rr.loc["E99000001", "rank"] == 1 and rr.loc["E99000000", "rank"] == 2
    assert rr.loc["E99000001", "band"] == "B" and rr.loc["E99000000", "band"] == "D"
    assert set(summary["la_code"]) == {"E99000000", "E99000001"}


def test_no_authority_is_a_clear_error(tmp_path):
    with pytest.raises(SefError, match="no authority found"):
        authority_dirs([tmp_path])
