"""DfE counting on SSDA903 returns: one hand-worked test per rule, a few children at a time.

Each test writes the returns an authority would have sent (each holds the episodes open during
its collection year; see ``ssda903_returns``) and works the expected figures out in comments.
Year to 31 March 2018 = 1 April 2017 to 31 March 2018.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sefanalysis import compute_indicators, load_dataset

from ..conftest import write_dataset
from .ssda903_returns import ep, folder_of, write_returns

MARCH_2018 = "2018-03-31"


def row(ds, ind, end=MARCH_2018, **kw):
    return compute_indicators(ds, end, ids=[ind], **kw).iloc[0]


def value(ds, ind, end=MARCH_2018, **kw):
    r = row(ds, ind, end, **kw)
    return r["numerator"], r["denominator"], r["value"]


def returns(tmp_path, episodes, dobs, years, name="la", **kw):
    root = write_dataset(tmp_path / name, extract="2021-03-31", annex_a_start=None, **kw)
    return write_returns(root, episodes, dobs, years=years)


BORN = "01/01/2010"


def test_short_breaks_by_legal_status_at_the_date_and_past_years_stay_put(tmp_path):
    episodes = [
        # A: on an emergency protection order (L3) at 31 March 2018; short breaks (V4) only
        # from May 2020. The old code judged the whole period by its last legal status.
        ep("A", "01/06/2017", "S", "U6", "01/05/2020", ls="L3"),
        ep("A", "01/05/2020", "L", "U6", ls="V4"),
        # B: short breaks (V3) from February 2018: never counted
        ep("B", "01/02/2018", "S", "U6", ls="V3"),
    ]
    dobs = {"A": BORN, "B": BORN}
    one = load_dataset(returns(tmp_path, episodes, dobs, [2017], "one"))
    four = load_dataset(returns(tmp_path, episodes, dobs, [2017, 2018, 2019, 2020], "four"))
    for ds in (one, four):
        # at 31 March 2018: A (L3) = 1; started in 2017-18: A (B's start is a short break) = 1
        assert value(ds, "cla_count")[2] == 1
        assert value(ds, "cla_starts")[2] == 1
    # at 31 March 2021 A is under short breaks (V4): 0
    assert value(four, "cla_count", "2021-03-31")[2] == 0


def test_children_are_counted_once_and_only_real_starts_and_ends_count(tmp_path):
    episodes = [
        # C: two periods of care in the year: one start (first occasion), one ceasing (last)
        ep("C", "01/05/2017", "S", "U4", "01/08/2017", rec="E4A"),
        ep("C", "01/10/2017", "S", "U6", "01/01/2018", rec="E13"),
        # D: looked after since 2016; its 2017-18 episode is a change of placement (P), not a
        # start (the old code counted a child's first episode in the data as a start)
        ep("D", "01/01/2016", "S", "U4", "01/03/2017"),
        ep("D", "01/03/2017", "P", "U6"),
        # E: X1 ends an episode and the care goes on in the next: not a ceasing
        ep("E", "01/09/2017", "S", "U6", "01/12/2017", ls="C1"),
        ep("E", "01/12/2017", "L", "U6"),
        # F: an episode ended with X1 and nothing after it (a broken chain): the care goes on
        # by its reason, so not a ceasing, and nothing is open at 31 March
        ep("F", "01/06/2017", "S", "U6", "01/03/2018"),
    ]
    ds = load_dataset(returns(tmp_path, episodes, dict.fromkeys("CDEF", BORN), [2016, 2017]))
    assert value(ds, "cla_starts")[2] == 3  # C (once), E, F; not D
    assert value(ds, "cla_ceased")[2] == 1  # C (once, E13); not E, not F
    assert value(ds, "cla_count")[2] == 2  # D, E
    # F's chain is reported row by row (X1 says the care goes on, but nothing follows)
    chain = [p for p in ds.log.problems if p.kind == "no episode after X1"]
    assert [p.value for p in chain] == ["F"]


def test_temporary_placements_returns_and_same_carer_changes_are_not_placements(tmp_path):
    episodes = [
        # G: U6 (carer X); hospital (T1); back to the same U6 (same URN): same placement; the
        # placement becomes long-term with the same carer (RNE T, U4): same placement; a new
        # carer (P, URN Y): 2nd; respite (T3); a different carer after it (URN Z): 3rd -> 3
        ep("G", "01/05/2017", "S", "U6", "01/07/2017", urn="X"),
        ep("G", "01/07/2017", "P", "T1", "10/07/2017", urn="H"),
        ep("G", "10/07/2017", "P", "U6", "01/09/2017", urn="X"),
        ep("G", "01/09/2017", "T", "U4", "01/11/2017", urn="X"),
        ep("G", "01/11/2017", "P", "U6", "01/12/2017", urn="Y"),
        ep("G", "01/12/2017", "P", "T3", "10/12/2017", urn="R"),
        ep("G", "10/12/2017", "P", "U6", urn="Z"),
        # H: enters care in hospital (T1, not a placement), fostered (1st), then placed for
        # adoption with those foster carers (A5: not a change of placement) -> 1
        ep("H", "01/05/2017", "S", "T1", "05/05/2017"),
        ep("H", "05/05/2017", "P", "U6", "01/10/2017"),
        ep("H", "01/10/2017", "T", "A5", ls="E1"),
        # I: three carers (S, P, B) -> 3
        ep("I", "01/05/2017", "S", "U6", "01/08/2017"),
        ep("I", "01/08/2017", "P", "U4", "01/10/2017"),
        ep("I", "01/10/2017", "B", "K2", ls="C1"),
    ]
    ds = load_dataset(returns(tmp_path, episodes, dict.fromkeys("GHI", BORN), [2017]))
    # in care at 31 March 2018: G, H, I; with 3 or more placements: G, I -> 2 / 3
    assert value(ds, "cla_3plus_placements_pct") == (2, 3, pytest.approx(200 / 3))


def test_three_placements_count_every_period_of_care_in_the_year(tmp_path):
    episodes = [
        # J: U6 then U4, home (E13) in September; back in care in November (K2) -> 3 in the
        # year (the old code counted the current period of care only: 1)
        ep("J", "01/05/2017", "S", "U6", "01/07/2017"),
        ep("J", "01/07/2017", "P", "U4", "01/09/2017", rec="E13"),
        ep("J", "01/11/2017", "S", "K2"),
        # K: one placement since 2016, held during the year -> 1
        ep("K", "01/01/2016", "S", "U4"),
    ]
    ds = load_dataset(returns(tmp_path, episodes, dict.fromkeys("JK", BORN), [2016, 2017]))
    assert value(ds, "cla_3plus_placements_pct") == (1, 2, 50.0)


def test_long_term_stability_one_current_placement_per_child(tmp_path):
    episodes = [
        # L: fostered (U6) since June 2015, an episode still open when a children's home
        # placement (K2) starts on 1 March 2018: two "open" placements; the current one is the
        # latest, 1 month long -> not stable (the old code counted L twice)
        ep("L", "01/01/2015", "S", "U4", "01/06/2015"),
        ep("L", "01/06/2015", "P", "U6"),
        ep("L", "01/03/2018", "P", "K2"),
        # M: the same foster carer since January 2015 -> stable
        ep("M", "01/01/2015", "S", "U4"),
    ]
    ds = load_dataset(
        returns(tmp_path, episodes, dict.fromkeys("LM", BORN), [2014, 2015, 2016, 2017])
    )
    # both under 16 and in care since January 2015 (>= 2.5 years): 1 stable of 2
    assert value(ds, "cla_long_term_stability_pct") == (1, 2, 50.0)


def test_long_term_stability_needs_two_and_a_half_years_of_returns(tmp_path):
    episodes = [ep("M", "01/01/2015", "S", "U4")]
    one = load_dataset(returns(tmp_path, episodes, {"M": BORN}, [2017], "one"))
    r = row(one, "cla_long_term_stability_pct")
    # one return: the old code said 0.0% (official); the history is not in the data
    assert math.isnan(r["value"]) and "2015-16, 2016-17" in r["note"]
    three = load_dataset(returns(tmp_path, episodes, {"M": BORN}, [2015, 2016, 2017], "three"))
    # 31 March 2018 looks back to 30 September 2015: 2015-16 to 2017-18 suffice -> 1 / 1
    assert value(three, "cla_long_term_stability_pct") == (1, 1, 100.0)
    # 30 September 2017 looks back to 31 March 2015, in 2014-15: not supplied -> missing
    assert math.isnan(value(three, "cla_long_term_stability_pct", "2017-09-30")[2])


def test_oc2_values_stand_where_annex_a_does_not_reach(tmp_path):
    episodes = [
        ep("N", "01/01/2016", "S", "U4"),  # looked after 12 months or more at 31 March 2018
        ep("O", "01/06/2017", "S", "U4"),  # under 12 months: not in the OC2 cohort
        ep("P", "01/01/2016", "S", "U4", ls="V4"),  # short breaks: left out
    ]
    root = write_dataset(tmp_path / "la", extract="2024-12-31", annex_a_start="2024-01-01")
    write_returns(root, episodes, dict.fromkeys("NOP", BORN), years=[2017])
    pd.DataFrame(
        {
            "CHILD": ["N", "O", "P"],
            "DOB": BORN,
            "HEALTH_ASSESSMENT": [1, 0, 0],
            "TEETH_CHECK": [0, 0, 0],
        }
    ).to_csv(folder_of(root, 2017) / "oc2.csv", index=False)
    ds = load_dataset(root)
    # Annex A starts in 2024, the old code blanked every earlier OC2 value; N only -> 1 / 1
    r = row(ds, "cla_health_assessment_in_date_pct")
    assert (r["numerator"], r["denominator"]) == (1, 1) and "OC2" in r["note"]
    assert value(ds, "cla_dental_check_in_date_pct") == (0, 1, 0.0)


def test_population_of_a_rate_at_31_march_is_the_previous_mid_year(tmp_path):
    root = write_dataset(
        tmp_path / "la",
        {"cla": [{"child_id": "A", "cla_start": "2023-01-01", "legal_status": "C2", "dob": BORN}]},
        extract="2024-12-31",
        annex_a_start="2020-01-01",
    )
    pd.DataFrame({"year": [2023, 2024], "population": [10_000, 20_000]}).to_csv(
        root / "population.csv", index=False
    )
    ds = load_dataset(root)
    # 31 March 2024 uses mid-2023 (10,000): 1 per 10,000; 31 December 2024 uses mid-2024
    frame = compute_indicators(ds, ["2024-03-31", "2024-12-31"], ids=["cla_rate_per_10k"])
    assert frame["denominator"].tolist() == [10_000, 20_000]
    assert frame["value"].tolist() == [1.0, 0.5]
    # no mid-2022 estimate for 31 March 2023: missing, and the note names the estimate
    r = row(ds, "cla_rate_per_10k", "2023-03-31")
    assert math.isnan(r["value"]) and r["note"] == "no population estimate for mid-2022"


def test_uasc_from_the_uasc_table_at_the_date(tmp_path):
    episodes = [
        ep("Q", "01/05/2017", "S", "U4"),
        ep("R", "01/05/2017", "S", "U4"),
        ep("S", "01/05/2017", "S", "U4"),
    ]
    root = returns(tmp_path, episodes, dict.fromkeys("QRS", BORN), [2017])
    # Q is UASC until 2020; R ceased to be UASC in January 2018; S is not listed -> 1
    pd.DataFrame(
        {"CHILD": ["Q", "R"], "SEX": 1, "DOB": BORN, "DUC": ["01/01/2020", "01/01/2018"]}
    ).to_csv(folder_of(root, 2017) / "uasc.csv", index=False)
    ds = load_dataset(root)
    r = row(ds, "cla_uasc_count")
    assert r["value"] == 1 and "UASC table" in r["note"]


def test_an_empty_uasc_table_counts_no_child_as_uasc(tmp_path):
    # found by the property test: a return whose UASC table has headings and no rows
    episodes = [ep("Q", "01/05/2017", "S", "U4")]
    root = returns(tmp_path, episodes, {"Q": BORN}, [2017])
    pd.DataFrame(columns=["CHILD", "SEX", "DOB", "DUC"]).to_csv(
        folder_of(root, 2017) / "uasc.csv", index=False
    )
    r = row(load_dataset(root), "cla_uasc_count")
    assert r["value"] == 0 and "UASC table" in r["note"]


def test_adoption_measures_from_episodes_and_ad1(tmp_path):
    episodes = [
        # Q: entered care 1 Jan 2016; placement order (E1) 1 Jan 2017; placed with new adopters
        # (A4) 1 Sep 2017; adopted (E12) 1 Mar 2018. A1 = A10 = 1 Jan 2016 -> 1 Sep 2017 = 609
        # days; A2 = order 1 Jan 2017 -> match 1 Jul 2017 = 181 days
        ep("Q", "01/01/2016", "S", "U6", "01/06/2016", ls="C1"),
        ep("Q", "01/06/2016", "L", "U6", "01/01/2017"),
        ep("Q", "01/01/2017", "L", "U6", "01/09/2017", ls="E1"),
        ep("Q", "01/09/2017", "P", "A4", "01/03/2018", rec="E12", ls="E1"),
        # R: fostered from 1 Mar 2016; order 1 Oct 2016; placed for adoption with the foster
        # carers (A5) 1 May 2017; adopted (E11) 1 Feb 2018. A1 = 1 Mar 2016 -> 1 May 2017 = 426
        # days; A10 stops when R moved in with those carers, 1 Mar 2016: 0 days; matched
        # 1 Sep 2016, before the order: A2 = 0
        ep("R", "01/03/2016", "S", "U6", "01/10/2016"),
        ep("R", "01/10/2016", "L", "U6", "01/05/2017", ls="E1"),
        ep("R", "01/05/2017", "T", "A5", "01/02/2018", rec="E11", ls="E1"),
    ]
    root = returns(tmp_path, episodes, {"Q": "01/06/2015", "R": "01/06/2015"}, [2015, 2016, 2017])
    pd.DataFrame(
        {
            "CHILD": ["Q", "R"],
            "DOB": "01/06/2015",
            "DATE_INT": "01/01/2017",
            "DATE_MATCH": ["01/07/2017", "01/09/2016"],
        }
    ).to_csv(folder_of(root, 2017) / "ad1.csv", index=False)
    ds = load_dataset(root)
    assert value(ds, "cla_ceased_adoption")[2] == 2
    assert value(ds, "adoption_a1_days")[2] == pytest.approx((609 + 426) / 2)
    assert value(ds, "adoption_a10_days")[2] == pytest.approx((609 + 0) / 2)
    assert value(ds, "adoption_a2_days")[2] == pytest.approx((181 + 0) / 2)
    # with the 2017-18 return alone, Q's and R's entry to care is before the returns: missing
    one = load_dataset(returns(tmp_path, episodes, {"Q": BORN, "R": BORN}, [2017], "one"))
    r = row(one, "adoption_a1_days")
    assert math.isnan(r["value"]) and "entered care before" in r["note"]


def test_reviews_from_the_reviews_table(tmp_path):
    episodes = [
        ep("T", "01/01/2017", "S", "U4"),
        ep("U", "01/01/2017", "S", "U4"),
        ep("V", "15/03/2018", "S", "U4"),
    ]
    root = returns(tmp_path, episodes, dict.fromkeys("TUV", BORN), [2016, 2017])
    # T reviewed 1 Dec 2017 (120 days before 31 March 2018): in time; U last reviewed
    # 1 Sep 2017 (211 days): late; V in care 11 working days: not due yet -> 1 / 2
    for year, rows in {
        2016: [("U", "01/03/2017")],
        2017: [("T", "01/12/2017"), ("U", "01/09/2017")],
    }.items():
        pd.DataFrame(rows, columns=["CHILD", "REVIEW"]).assign(DOB=BORN, REVIEW_CODE="PN1").to_csv(
            folder_of(root, year) / "reviews.csv", index=False
        )
    ds = load_dataset(root)
    r = row(ds, "cla_review_in_timescale_pct")
    assert (r["numerator"], r["denominator"]) == (1, 2) and "reviews" in r["note"]


def test_care_leavers_oc3_by_age_at_31_march(tmp_path):
    root = write_dataset(tmp_path / "la", extract="2018-03-31", annex_a_start=None)
    folder = folder_of(root, 2017)
    folder.mkdir(parents=True)
    # ages at 31 March 2018: W 17, X 18, Y 17 (died: left out), Z 19, AA 16 (left out)
    pd.DataFrame(
        {
            "CHILD": ["W", "X", "Y", "Z", "AA"],
            "DOB": ["01/02/2001", "01/03/2000", "01/01/2001", "01/01/1999", "01/04/2001"],
            "IN_TOUCH": ["YES", "NO", "DIED", "YES", "YES"],
            "ACTIV": ["F2", "0", "G5", "G5", "F1"],
            "ACCOM": ["D1", "0", "D1", "S2", "D1"],
        }
    ).to_csv(folder / "oc3.csv", index=False)
    ds = load_dataset(root)
    # 17 to 18: W, X -> in touch 1/2, suitable 1/2 (X not known), EET 1/2
    assert value(ds, "cl_in_touch_17_18_pct") == (1, 2, 50.0)
    assert value(ds, "cl_suitable_accommodation_17_18_pct") == (1, 2, 50.0)
    assert value(ds, "cl_eet_17_18_pct") == (1, 2, 50.0)
    # 19 to 21: Z -> in touch, unsuitable, NEET
    assert value(ds, "cl_in_touch_19_21_pct") == (1, 1, 100.0)
    assert value(ds, "cl_eet_19_21_pct") == (0, 1, 0.0)
    r = row(ds, "cl_eet_19_21_pct", "2017-12-31")
    assert math.isnan(r["value"]) and "31 March only" in r["note"]


def test_list_9_percentages_count_ages_17_to_21_only(make_dataset):
    def leaver(child, dob, activity):
        return {"child_id": child, "dob": dob, "in_touch": "YES", "activity": activity}

    ds = make_dataset(
        {
            "care_leavers": [
                leaver("A", "01/01/2007", "F2"),  # 17 at 31 Dec 2024
                leaver("B", "01/01/2003", "G5"),  # 21
                leaver("C", "01/06/2008", "F2"),  # 16: a relevant child, not in the 17-21 measures
                leaver("D", "01/01/2001", "G5"),  # 23: List 9 runs to 25
            ]
        }
    )
    assert value(ds, "cl_eet_pct", "2024-12-31") == (1, 2, 50.0)
    assert value(ds, "cl_count", "2024-12-31")[2] == 4
    assert (
        row(ds, "cl_eet_pct", "2024-12-31")["note"] == "Source: Annex A List 9 at the extract date"
    )


def test_a_child_only_ever_in_a_temporary_placement_has_no_placement(tmp_path):
    # W entered care into hospital (T1) and is still there at 31 March 2018: in care, with no
    # placement (the returns hold no placement at all: nothing to count, nothing guessed)
    ds = load_dataset(returns(tmp_path, [ep("W", "01/05/2017", "S", "T1")], {"W": BORN}, [2017]))
    assert value(ds, "cla_count")[2] == 1
    assert value(ds, "cla_3plus_placements_pct") == (0, 1, 0.0)


def test_an_unreadable_table_is_listed_as_meant_for_its_table(tmp_path):
    # found on D2I's SSDA903 sample with a ragged row added: the inventory said the file was
    # "not an SSDA903 table that is read" while naming uasc.csv among those read
    root = returns(tmp_path, [ep("Q", "01/05/2017", "S", "U4")], {"Q": BORN}, [2017])
    uasc = folder_of(root, 2017) / "uasc.csv"
    uasc.write_text("CHILD,SEX,DOB,DUC\nQ,1,01/01/2005,01/01/2023,extra\n")
    ds = load_dataset(root)
    entry = ds.log.inventory_frame().set_index("file").loc[str(uasc)]
    assert entry["status"] == "not used"
    assert entry["how"].startswith("meant as the SSDA903 uasc table but could not be read")
    assert ds.log.frame().query("file == @uasc.as_posix()")["kind"].tolist() == ["unreadable file"]
