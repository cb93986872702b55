"""SSDA903 returns kept the way councils and Data to Insight's tools keep them: every layout gives
the same figures, every file is accounted for, duplicates are reported with both versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from sefanalysis import compute_indicators, load_dataset
from sefanalysis.ingest.problems import ProblemLog
from sefanalysis.ingest.ssda903 import collection_year, read_ssda903, table_of

from ..conftest import EXTERNAL, write_dataset
from .ssda903_returns import ep, folder_of, write_returns

FAKE = EXTERNAL / "ssda903_d2i_fake"
needs_fake = pytest.mark.skipif(not FAKE.exists(), reason="../shared sample files absent")
TABLES = {  # the fake's file stem -> how the other layouts name the table
    "header": "Header",
    "episodes": "Episodes",
    "reviews": "Reviews",
    "uasc": "UASC",
    "oc2": "OC2",
    "oc3": "OC3",
    "ad1": "AD1",
    "placed_for_adoption": "PlacedAdoption",
    "previous_permanence": "PrevPerm",
    "missing": "Missing",
    "sw_episodes": "SWEpisodes",
}


def lay_out(root: Path, layout: str) -> None:
    """Copy the fake 2017-18 return under ``root/ssda903`` in one of the accepted layouts."""
    out = root / "ssda903"
    out.mkdir(parents=True)
    for file in FAKE.iterdir():
        stem, name = file.stem, TABLES.get(file.stem)
        if layout in {"2017-18", "201718", "2017"}:
            target = out / layout / file.name
        elif layout == "flat-year":
            target = out / f"2017-{stem}.csv" if name else out / file.name
        elif layout == "ssda903-prefix":
            target = out / f"SSDA903_{name}.csv" if name else out / file.name
        elif layout == "mixed-case":
            target = out / "2017-18" / (file.name.upper() if name else file.name)
        else:
            raise ValueError(layout)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(file, target)


LAYOUTS = ["2017-18", "201718", "2017", "flat-year", "ssda903-prefix", "mixed-case"]


@needs_fake
def test_every_layout_gives_the_same_figures_and_accounts_for_every_file(tmp_path):
    figures = {}
    for layout in LAYOUTS:
        root = write_dataset(tmp_path / layout, extract="2018-03-31", annex_a_start=None)
        lay_out(root, layout)
        ds = load_dataset(root)
        frame = compute_indicators(ds, ["2017-12-31", "2018-03-31"])
        figures[layout] = frame[
            ["indicator_id", "period_end", "numerator", "denominator", "value", "note"]
        ]
        inventory = ds.log.inventory_frame()
        files = {str(p) for p in (root / "ssda903").rglob("*") if p.is_file()}
        inventory = inventory.loc[inventory["file"].isin(files)]  # the SSDA903 files only
        assert sorted(inventory["file"]) == sorted(files), layout  # every file, once
        used = inventory.loc[inventory["status"] == "read"].set_index("taken_as")["how"]
        assert len(used) == len(TABLES), layout
        assert "collection year 2017-18" in used["SSDA903 episodes, 2017-18"]
        assert "5,050 rows: 5,050 used" in used["SSDA903 episodes, 2017-18"]
        not_used = inventory.loc[inventory["status"] == "not used"].set_index("file")["how"]
        assert {Path(f).name for f in not_used.index} == {
            "LICENSE",
            "placed_for_adoption_errors.csv",
        }
        assert not_used.str.len().gt(0).all()
    first = figures[LAYOUTS[0]]
    assert first["value"].notna().sum() > 20
    for layout in LAYOUTS[1:]:
        pd.testing.assert_frame_equal(figures[layout], first, check_exact=True, obj=layout)


@needs_fake
def test_how_each_year_was_recognised(tmp_path):
    for layout, how in [
        ("2017", "latest episode start, 31/03/2018"),
        ("ssda903-prefix", "from the latest episode start"),
        ("201718", "folder name '201718'"),
    ]:
        root = tmp_path / layout
        lay_out(root, layout)
        log = ProblemLog()
        read_ssda903(root / "ssda903", log)
        frame = log.inventory_frame()
        episodes = frame.loc[frame["taken_as"] == "SSDA903 episodes, 2017-18", "how"]
        assert len(episodes) == 1 and how in episodes.iloc[0], layout


def test_a_single_year_is_the_return_its_episodes_fit(tmp_path):
    # a folder named 2017 holding a return whose episodes all start by 31 March 2017 is the
    # 2016-17 return (DfE names returns by the year they end), not 2017-18
    root = tmp_path / "la"
    write_returns(root, [ep("A", "01/05/2016", "S", "U4")], {"A": "01/01/2010"}, years=[2016])
    (root / "ssda903" / "2016-17").rename(root / "ssda903" / "2017")
    log = ProblemLog()
    tables = read_ssda903(root / "ssda903", log)
    assert tables["returns"]["collection_year"].tolist() == ["2016-17"]


def test_names_of_tables_and_years():
    assert table_of("SSDA903_Episodes") == ("episodes", None)
    assert table_of("2017-episodes")[0] == "episodes"
    assert table_of("2017-episodes")[1].start == 2017
    assert table_of("ssda903_201718_PlacedAdoption")[0] == "placed_for_adoption"
    assert table_of("placed_for_adoption_errors") == (None, None)
    assert [
        collection_year(n)
        for n in ["2024-25", "2024_25", "2024-2025", "202425", "2024", "2024-26", "notes"]
    ] == ["2024-25", "2024-25", "2024-25", "2024-25", None, None, None]


def test_duplicate_episode_in_one_return_is_reported_with_both_versions(tmp_path):
    root = write_dataset(tmp_path / "la", extract="2018-03-31", annex_a_start=None)
    folder = folder_of(root, 2017)
    folder.mkdir(parents=True)
    pd.DataFrame({"CHILD": ["A"], "SEX": 1, "DOB": "01/01/2010", "ETHNIC": "WBRI"}).to_csv(
        folder / "header.csv", index=False
    )
    cols = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"]
    pd.DataFrame(
        [
            ["A", "01/05/2017", "S", "C2", "N1", "U4", "PR1", "", ""],  # row 2
            ["A", "01/05/2017", "S", "C2", "N1", "U6", "PR1", "01/02/2018", "E13"],  # row 3: used
        ],
        columns=cols,
    ).to_csv(folder / "episodes.csv", index=False)
    ds = load_dataset(root)
    dup = [p for p in ds.log.problems if p.kind.startswith("duplicate CHILD and DECOM")]
    assert len(dup) == 1 and dup[0].row == 2
    assert "row 3 (" in dup[0].expected and "PLACE U6" in dup[0].expected
    assert "this row (" in dup[0].expected and "PLACE U4" in dup[0].expected
    # the row further down the file is used: A ceased on 1 February 2018
    assert compute_indicators(ds, "2018-03-31", ids=["cla_ceased"])["value"].iloc[0] == 1
    how = ds.log.inventory_frame().set_index("taken_as")["how"]["SSDA903 episodes, 2017-18"]
    assert "2 rows: 1 used, 0 superseded by a later return's version, 1 rejected" in how


def test_a_carried_forward_episode_keeps_the_later_version(tmp_path):
    root = write_dataset(tmp_path / "la", extract="2019-03-31", annex_a_start=None)
    write_returns(root, [ep("B", "01/03/2018", "S", "U6")], {"B": "01/01/2010"}, years=[2017])
    # the 2018-19 return corrects the start (5 March) and the placement, and ends it in June
    write_returns(
        root,
        [ep("B", "05/03/2018", "S", "U4", "01/06/2018", rec="E4A")],
        {"B": "01/01/2010"},
        years=[2018],
    )
    ds = load_dataset(root)
    eps = ds.ssda903["episodes"]
    assert len(eps) == 1 and eps["PLACE"].iloc[0] == "U4"
    frame = compute_indicators(ds, ["2018-03-31", "2019-03-31"], ids=["cla_count", "cla_ceased"])
    values = frame.set_index(["indicator_id", "period_end"])["value"]
    assert values[("cla_count", pd.Timestamp("2018-03-31"))] == 1  # one child, not two
    assert values[("cla_ceased", pd.Timestamp("2019-03-31"))] == 1
    how = ds.log.inventory_frame().set_index("taken_as")["how"]
    assert "1 rows: 0 used, 1 superseded" in how["SSDA903 episodes, 2017-18"]


def test_files_that_are_not_returns_are_named_with_the_reason(tmp_path):
    root = tmp_path / "ssda903"
    (root / "2017-18" / "old").mkdir(parents=True)
    (root / "archive").mkdir()
    (root / "2017-18" / "notes.txt").write_text("x")
    (root / "2017-18" / "old" / "episodes.csv").write_text("CHILD\n")
    (root / "archive" / "episodes.csv").write_text("CHILD\n")
    (root / "2017-18" / "summary.csv").write_text("a\n")
    log = ProblemLog()
    read_ssda903(root, log)
    why = log.inventory_frame().set_index("file")["how"]
    assert "not a CSV" in why[str(root / "2017-18" / "notes.txt")]
    assert "sub-folder" in why[str(root / "2017-18" / "old" / "episodes.csv")]
    assert "not a collection year" in why[str(root / "archive" / "episodes.csv")]
    assert "not an SSDA903 table name" in why[str(root / "2017-18" / "summary.csv")]
