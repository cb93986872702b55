"""Data to Insight's fake SSDA903 return for 2017-18 (5,050 episodes; ../shared/data/external/
ssda903_d2i_fake, MIT): the library's figures against DfE counting written out plainly here, child
by child, and a few children worked by hand; then the same history as several returns.

The fake data is random in places (legal statuses and placement types drawn evenly, overlapping
episodes, open episodes with a reason): the reference below follows the same written rules
(``indicators/cla_episodes.py``), one child at a time with plain loops.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from dateutil.relativedelta import relativedelta

from sefanalysis import compute_indicators, load_dataset

from ..conftest import EXTERNAL, write_dataset
from .ssda903_returns import returns_from

FAKE = EXTERNAL / "ssda903_d2i_fake"
pytestmark = pytest.mark.skipif(not FAKE.exists(), reason="../shared sample files absent")

SHORT = {"V3", "V4"}
TEMPORARY = {"T0", "T1", "T2", "T3", "T4"}
MARCH_2018 = pd.Timestamp("2018-03-31")
YEAR_START = pd.Timestamp("2017-04-01")


def read_fake(table: str) -> pd.DataFrame:
    frame = pd.read_csv(FAKE / f"{table}.csv", dtype=str, encoding="utf-8-sig")
    for col in ("DECOM", "DEC", "DOB", "DUC", "MIS_START", "REVIEW", "DATE_MATCH"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col], format="%d/%m/%Y", errors="coerce")
    return frame


@dataclass
class Child:
    """One child's figures by DfE counting, worked out episode by episode."""

    in_care: bool = False
    started: bool = False
    ceased_reason: str | None = None
    placements_in_year: int = 0
    looked_after_12_months: bool = False
    spells: list[dict] = field(default_factory=list)


def reference(episodes: pd.DataFrame, at: pd.Timestamp, year_start: pd.Timestamp) -> dict:
    """DfE counting, one child at a time (plain loops: the library is vectorised)."""
    out = {}
    far = pd.Timestamp("2262-01-01")
    for child, eps in episodes.groupby("CHILD", sort=False):
        rows = sorted(
            eps.to_dict("records"),
            key=lambda r: (r["DECOM"], far if pd.isna(r["DEC"]) else r["DEC"]),
        )
        c = Child()
        # in care at the end of the day: the latest-starting episode open that day
        open_now = [r for r in rows if r["DECOM"] <= at and (pd.isna(r["DEC"]) or r["DEC"] > at)]
        current = open_now[-1] if open_now else None
        c.in_care = current is not None and current["LS"] not in SHORT
        c.started = any(
            r["RNE"] == "S" and r["LS"] not in SHORT and year_start <= r["DECOM"] <= at
            for r in rows
        )
        ends = [
            r
            for r in rows
            if pd.notna(r["DEC"])
            and year_start <= r["DEC"] <= at
            and pd.notna(r["REC"])
            and r["REC"] != "X1"
            and r["LS"] not in SHORT
        ]
        if ends:
            c.ceased_reason = ends[-1]["REC"]
        # periods of care and placements
        reach = None
        for r in rows:
            end = far if pd.isna(r["DEC"]) else r["DEC"]
            if reach is None or r["RNE"] == "S" or r["DECOM"] > reach:
                c.spells.append({"start": r["DECOM"], "rows": [], "placements": []})
            reach = end if reach is None else max(reach, end)
            c.spells[-1]["rows"].append(r)
        for spell in c.spells:
            last_real, previous_temporary = None, False
            for r in spell["rows"]:
                temporary = r["PLACE"] in TEMPORARY or r["LS"] in SHORT
                if not temporary:
                    returned = (
                        previous_temporary
                        and last_real is not None
                        and r["PLACE"] == last_real["PLACE"]
                        and (
                            pd.isna(r["URN"])
                            or pd.isna(last_real["URN"])
                            or r["URN"] == last_real["URN"]
                        )
                    )
                    if last_real is None or (
                        r["RNE"] in ("P", "B") and not returned and r["PLACE"] not in ("A3", "A5")
                    ):
                        spell["placements"].append(r["DECOM"])
                    last_real = r
                previous_temporary = temporary
            ended = [x["DEC"] for x in spell["rows"]]
            spell["end"] = None if any(pd.isna(x) for x in ended) else max(ended)
        since = at - relativedelta(months=12)
        for spell in c.spells:
            starts = spell["placements"]
            for i, start in enumerate(starts):
                end = starts[i + 1] if i + 1 < len(starts) else spell["end"]
                if start <= at and (end is None or end > since):
                    c.placements_in_year += 1
        if c.in_care:
            spell = next(s for s in c.spells if current in s["rows"])
            c.looked_after_12_months = spell["start"] <= since
        out[child] = c
    return out


@pytest.fixture(scope="module")
def fake_2017_18(tmp_path_factory) -> Path:
    root = write_dataset(
        tmp_path_factory.mktemp("fake") / "la", extract="2018-03-31", annex_a_start=None
    )
    shutil.copytree(FAKE, root / "ssda903" / "2017-18")
    return root


def library(root: Path, end: pd.Timestamp = MARCH_2018) -> pd.Series:
    ds = load_dataset(root)
    frame = compute_indicators(ds, str(end.date()), area="children_in_care")
    return frame.set_index("indicator_id")


def test_the_fake_return_is_counted_as_dfe_counts(fake_2017_18):
    ours = library(fake_2017_18)
    ref = reference(read_fake("episodes"), MARCH_2018, YEAR_START)
    in_care = {k for k, c in ref.items() if c.in_care}
    assert ours.loc["cla_count", "value"] == len(in_care)
    assert ours.loc["cla_starts", "value"] == sum(c.started for c in ref.values())
    assert ours.loc["cla_ceased", "value"] == sum(c.ceased_reason is not None for c in ref.values())
    adopted = sum(c.ceased_reason in {"E11", "E12"} for c in ref.values())
    sgo = sum(c.ceased_reason in {"E45", "E46", "E47", "E48"} for c in ref.values())
    assert ours.loc["cla_ceased_adoption", "value"] == adopted
    assert ours.loc["cla_ceased_sgo", "value"] == sgo
    three = sum(ref[k].placements_in_year >= 3 for k in in_care)
    assert ours.loc["cla_3plus_placements_pct", ["numerator", "denominator"]].tolist() == [
        three,
        len(in_care),
    ]
    # OC2 cohort: in care at 31 March 2018 and looked after 12 months or more
    cohort = {k for k in in_care if ref[k].looked_after_12_months}
    oc2 = read_fake("oc2").set_index("CHILD")
    assert ours.loc["cla_health_assessment_in_date_pct", ["numerator", "denominator"]].tolist() == [
        sum(oc2.loc[k, "HEALTH_ASSESSMENT"] == "1" for k in cohort),
        len(cohort),
    ]
    uasc = read_fake("uasc").set_index("CHILD")["DUC"]
    expected_uasc = sum(
        k in uasc.index and (pd.isna(uasc[k]) or uasc[k] > MARCH_2018) for k in in_care
    )
    assert ours.loc["cla_uasc_count", "value"] == expected_uasc
    # the figures as measured on 27 November 2026 (regression: a change must be explained)
    assert (len(in_care), sum(c.started for c in ref.values()), three) == (1201, 101, 153)
    for ind in ("cla_count", "cla_3plus_placements_pct", "cla_health_assessment_in_date_pct"):
        assert ours.loc[ind, "note"].startswith("Source: SSDA903")


def one_child(tmp_path: Path, children: list[str]) -> pd.DataFrame:
    """The fake return cut down to ``children`` (their episodes and header rows)."""
    root = write_dataset(tmp_path / "la", extract="2018-03-31", annex_a_start=None)
    folder = root / "ssda903" / "2017-18"
    folder.mkdir(parents=True)
    for table in ("episodes", "header"):
        frame = pd.read_csv(FAKE / f"{table}.csv", dtype=str)
        frame.loc[frame["CHILD"].isin(children)].to_csv(folder / f"{table}.csv", index=False)
    return library(root)


def test_children_of_the_fake_return_worked_by_hand(tmp_path):
    # 167175: S 14/02/2015 L2 T0 (enters care in a temporary placement), P H5 21/01/2018,
    # P K2 06/02/2018 still open (its REC E4B has no end date: open). In care at 31 March (L2).
    # Placements in the year: T0 is not one; H5 (the first real), K2 (new carer) -> 2, not 3+
    # (the old code counted the start of the period in T0 as a placement: 3)
    ours = one_child(tmp_path / "a", ["167175"])
    assert ours.loc["cla_count", "value"] == 1
    assert ours.loc["cla_3plus_placements_pct", ["numerator", "denominator"]].tolist() == [0, 1]
    # 141072: short breaks (V4) from 2015, ended 23/09/2017 E4A: not a ceasing (V4 at the end);
    # a new period S 02/09/2017 (L1, H5), T to U5 (same carer), P to R1 open: started in the
    # year (once), in care at 31 March; placements H5, R1 -> 2
    ours = one_child(tmp_path / "b", ["141072"])
    assert ours.loc["cla_starts", "value"] == 1 and ours.loc["cla_ceased", "value"] == 0
    assert ours.loc["cla_3plus_placements_pct", ["numerator", "denominator"]].tolist() == [0, 1]
    # 271520: ceased 10/04/2017 (E17, L1) and, in a new period begun 22/03/2017 (before the
    # year: not a start in it), in care at 31 March 2018: ceased 1, started 0, in care 1
    ours = one_child(tmp_path / "c", ["271520"])
    assert ours.loc[["cla_ceased", "cla_starts", "cla_count"], "value"].tolist() == [1, 0, 1]
    # 114490: S 2015 U3; temporary T4 from 25/04/2017; T0 from 27/06/2017, ceased 10/03/2018
    # (E16, C1): ceased in the year, not in care at 31 March
    ours = one_child(tmp_path / "d", ["114490"])
    assert ours.loc[["cla_ceased", "cla_count"], "value"].tolist() == [1, 0]


def test_a_single_return_supports_its_own_year_only(fake_2017_18):
    ds = load_dataset(fake_2017_18)
    frame = compute_indicators(ds, ["2017-03-31", "2017-12-31"], area="children_in_care")
    at = frame.set_index(["indicator_id", "period_end"])
    # 31 March 2017 belongs to the 2016-17 return: not supplied, and Annex A has no rows
    r = at.loc[("cla_count", pd.Timestamp("2017-03-31"))]
    assert pd.isna(r["value"]) and "2016-17" in r["note"]
    # 31 December 2017: the children in care that day are in the 2017-18 return; the 12 months
    # of placements before it are not (from 1 January 2017)
    assert at.loc[("cla_count", pd.Timestamp("2017-12-31")), "value"] > 0
    r = at.loc[("cla_3plus_placements_pct", pd.Timestamp("2017-12-31"))]
    assert pd.isna(r["value"]) and "2016-17" in r["note"]


def later_return(eps: pd.DataFrame) -> pd.DataFrame:
    """A made-up 2018-19 history after the fake year: every third child open at 31 March 2018
    leaves care on 1 July 2018 (E4A), every fifth of the others moves on 1 August 2018 (P to
    U4), and a new child starts; everything else carries on."""
    eps = eps.copy()
    open_end = eps["DEC"].isna() | (eps["DEC"] > MARCH_2018)
    eps.loc[open_end, "DEC"] = pd.NaT
    eps.loc[open_end, "REC"] = None
    children = sorted(eps.loc[open_end, "CHILD"].unique())
    leave, move = set(children[::3]), set(children[1::5]) - set(children[::3])
    idx = eps.index[open_end & eps["CHILD"].isin(leave)]
    eps.loc[idx, "DEC"], eps.loc[idx, "REC"] = pd.Timestamp("2018-07-01"), "E4A"
    idx = eps.index[open_end & eps["CHILD"].isin(move)]
    eps.loc[idx, "DEC"], eps.loc[idx, "REC"] = pd.Timestamp("2018-08-01"), "X1"
    moved = (
        eps.loc[idx]
        .drop_duplicates("CHILD")
        .assign(
            DECOM=pd.Timestamp("2018-08-01"), DEC=pd.NaT, REC=None, RNE="P", PLACE="U4", URN=None
        )
    )
    new = pd.DataFrame(
        [
            {
                "CHILD": "NEW1",
                "DECOM": pd.Timestamp("2018-05-01"),
                "RNE": "S",
                "LS": "C1",
                "CIN": "N1",
                "PLACE": "U6",
                "DEC": pd.NaT,
                "REC": None,
            }
        ]
    )
    return pd.concat([eps, moved, new], ignore_index=True)


def test_layered_returns_keep_past_years_and_count_later_ones(tmp_path):
    eps = read_fake("episodes")
    history = later_return(eps)
    header = read_fake("header")
    header = pd.concat(
        [
            header,
            pd.DataFrame([{"CHILD": "NEW1", "SEX": "1", "DOB": "01/01/2012", "ETHNIC": "WBRI"}]),
        ]
    )
    header["DOB"] = pd.to_datetime(header["DOB"], format="%d/%m/%Y").dt.strftime("%d/%m/%Y")
    root = write_dataset(tmp_path / "la", extract="2019-03-31", annex_a_start=None)
    for year, held in returns_from(history, [2017, 2018]).items():
        folder = root / "ssda903" / f"{year}-{(year + 1) % 100:02d}"
        folder.mkdir(parents=True)
        held.to_csv(folder / "episodes.csv", index=False)
        header.loc[header["CHILD"].isin(held["CHILD"])].to_csv(folder / "header.csv", index=False)
    ds = load_dataset(root)
    frame = compute_indicators(ds, ["2018-03-31", "2019-03-31"], area="children_in_care")
    both = frame.set_index(["indicator_id", "period_end"])["value"]
    # the 2017-18 figures are those of the 2017-18 return alone: adding a year changes nothing
    alone = write_dataset(tmp_path / "alone", extract="2019-03-31", annex_a_start=None)
    shutil.copytree(root / "ssda903" / "2017-18", alone / "ssda903" / "2017-18")
    first = compute_indicators(load_dataset(alone), "2018-03-31", area="children_in_care")
    for rec in first.itertuples(index=False):
        if pd.notna(rec.value):
            assert both[(rec.indicator_id, rec.period_end)] == rec.value, rec.indicator_id
    # 2018-19 by DfE counting on the whole made-up history, child by child
    ref = reference(history, pd.Timestamp("2019-03-31"), pd.Timestamp("2018-04-01"))
    end = pd.Timestamp("2019-03-31")
    assert both[("cla_count", end)] == sum(c.in_care for c in ref.values())
    assert both[("cla_starts", end)] == sum(c.started for c in ref.values())
    assert both[("cla_ceased", end)] == sum(c.ceased_reason is not None for c in ref.values())
    three = sum(c.placements_in_year >= 3 for c in ref.values() if c.in_care)
    in_care = sum(c.in_care for c in ref.values())
    assert both[("cla_3plus_placements_pct", end)] == pytest.approx(100 * three / in_care)
    # every episode row read is accounted for: the 2017-18 rows still open on 1 April 2018
    # are superseded by their carried-forward versions in 2018-19
    used = ds.log.inventory_frame().set_index("taken_as")["how"]
    carried = int((eps["DEC"].isna() | (eps["DEC"] >= pd.Timestamp("2018-04-01"))).sum())
    assert f"{carried:,} superseded by a later return" in used["SSDA903 episodes, 2017-18"]
    assert "0 superseded" in used["SSDA903 episodes, 2018-19"]
