"""SSDA903 returns whose episodes file holds headings only (or whose every row is rejected):
read without a warning, with an empty episodes table (a headings-only file is a return with no
children in care in the year, not a fault of the code)."""

from __future__ import annotations

import warnings
from pathlib import Path

from sefanalysis.ingest.problems import ProblemLog
from sefanalysis.ingest.ssda903 import read_ssda903

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
    "HOME_POST,PL_POST,URN\n"
)


def _return(root: Path, year: str, episodes: str) -> None:
    folder = root / year
    folder.mkdir(parents=True)
    (folder / "header.csv").write_text(HEADER + "1001,1,01/02/2010,WBRI,A123456789012,,\n")
    (folder / "episodes.csv").write_text(episodes)


def test_headings_only_episodes_read_without_a_warning(tmp_path: Path) -> None:
    _return(tmp_path, "2023-24", EPISODES)
    _return(tmp_path, "2024-25", EPISODES)
    log = ProblemLog()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning would be an unexpected line
        tables = read_ssda903(tmp_path, log)
    assert len(tables["episodes"]) == 0
    assert list(tables["header"]["CHILD"]) == ["1001"]  # the child, from the latest return


def test_every_episode_rejected_reads_without_a_warning(tmp_path: Path) -> None:
    # the only episode has no child identifier: rejected and reported, none left to layer
    _return(tmp_path, "2024-25", EPISODES + ",01/05/2024,S,C2,N1,U1,PR1,,,,,,\n")
    log = ProblemLog()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tables = read_ssda903(tmp_path, log)
    assert len(tables["episodes"]) == 0
    assert any(p.column == "CHILD" for p in log.problems)
