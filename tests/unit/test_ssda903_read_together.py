"""The files of one SSDA903 kind parsed as one table give each file exactly what its own parse
gives: its rows, its problems (its own file and row, in its own order) and its row counts, and
the whole load is the same as with every file parsed on its own (issue 19).

Each case copies a few years of the demonstration authority's returns and spoils some files
(unknown codes, missing values, repeated rows, ends before starts, dates before 1990 or not
dates, month-first or ISO dates, a title row, columns in another order or unknown, blank rows,
a file of headings only, a file that cannot be read), then loads them both ways."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sefanalysis.ingest.ssda903 as ssda903
from sefanalysis.ingest.problems import ProblemLog

YEARS = ["2020-21", "2021-22", "2022-23", "2023-24"]
ROWS = 120  # rows kept of each file


def _copy(demo: Path, root: Path) -> Path:
    for year in YEARS:
        (root / year).mkdir(parents=True)
        for file in sorted((demo / "ssda903" / year).glob("*.csv")):
            text = file.read_text(encoding="utf-8").splitlines()
            (root / year / file.name).write_text("\n".join(text[: ROWS + 1]) + "\n")
    return root


def _spoil(root: Path, rng: np.random.Generator) -> None:
    """Spoil some cells and files at random (each file read as text, written back)."""
    files = sorted(root.rglob("*.csv"))
    for file in files:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False)
        n = len(frame)
        for _ in range(int(rng.integers(0, 4))):
            col = frame.columns[int(rng.integers(len(frame.columns)))]
            at = rng.choice(n, size=min(n, int(rng.integers(1, 6))), replace=False)
            frame.loc[frame.index[at], col] = rng.choice(
                ["", "ZZ", "n/a", " x ", "31/02/2020", "01/01/1980", "2020-13-01", "9999",
                 "-1", "12/25/2020", "2021-05-06", "1 Oct 2020", "01/01/2300", "N1 - Abuse"]
            )  # fmt: skip
        if rng.random() < 0.3 and n:  # a row repeated, exactly or with one change
            frame = pd.concat([frame, frame.iloc[[int(rng.integers(n))]]], ignore_index=True)
        if "DEC" in frame and rng.random() < 0.3:  # an end before its start
            frame.loc[frame.index[:2], "DEC"] = "01/01/1995"
        date_cols = [c for c in frame.columns if c in {"DOB", "DECOM", "REVIEW", "MIS_START"}]
        if date_cols and rng.random() < 0.15:  # a column of one file in another format
            col = date_cols[int(rng.integers(len(date_cols)))]
            style = rng.choice(["iso", "month first", "not dates"])
            dates = pd.to_datetime(frame[col], format="%d/%m/%Y", errors="coerce")
            if style == "not dates":
                frame[col] = "soon"
            else:
                shape = "%Y-%m-%d" if style == "iso" else "%m/%d/%Y"
                frame[col] = dates.dt.strftime(shape).fillna("")
        if rng.random() < 0.1:  # columns in another order
            frame = frame[list(reversed(frame.columns))]
        if rng.random() < 0.05:
            frame["NOTES"] = "x"
        text = frame.to_csv(index=False)
        if rng.random() < 0.05:
            text = "SSDA903 return\n" + text  # a title row above the headings
        if rng.random() < 0.05:
            text = text.replace("\n", "\n\n", 3)  # blank rows
        if rng.random() < 0.03:
            text = text.splitlines()[0] + "\n"  # headings only
        file.write_text(text, encoding="utf-8")
    if rng.random() < 0.3:
        files[int(rng.integers(len(files)))].write_bytes(b"CHILD,DOB\n\xff\xfe\x00,1\n")


def _load(root: Path, one_by_one: bool, monkeypatch: pytest.MonkeyPatch) -> tuple:
    with monkeypatch.context() as patch:
        if one_by_one:
            patch.setattr(ssda903, "_parse_together", lambda *args: None)
        log = ProblemLog()
        tables = ssda903.read_ssda903(root, log)
    return tables, log


def _same(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    together, log = _load(root, False, monkeypatch)
    each, own = _load(root, True, monkeypatch)
    assert log.problems == own.problems
    assert [asdict(f) for f in log.files] == [asdict(f) for f in own.files]
    assert log.inventory == own.inventory
    assert together.keys() == each.keys()
    for key, frame in together.items():
        pd.testing.assert_frame_equal(frame, each[key], check_exact=True)


def test_the_demonstration_returns_read_together_as_one_by_one(demo_dir, tmp_path, monkeypatch):
    _same(_copy(demo_dir, tmp_path / "ssda903"), monkeypatch)


@pytest.mark.parametrize("seed", range(12))
def test_spoilt_returns_read_together_as_one_by_one(seed, demo_dir, tmp_path, monkeypatch):
    root = _copy(demo_dir, tmp_path / "ssda903")
    _spoil(root, np.random.default_rng(seed))
    _same(root, monkeypatch)


def test_problems_of_files_read_together_name_their_own_file_and_row(
    demo_dir, tmp_path, monkeypatch
):
    root = _copy(demo_dir, tmp_path / "ssda903")
    for year in YEARS[1:3]:  # the same row spoilt in two years: one problem in each file
        file = root / year / "episodes.csv"
        frame = pd.read_csv(file, dtype=str, keep_default_na=False)
        frame.loc[4, "PLACE"] = "ZZ"
        frame.to_csv(file, index=False)
    calls = []
    together = ssda903._parse_together
    monkeypatch.setattr(
        ssda903, "_parse_together", lambda k, *args: calls.append(k) or together(k, *args)
    )
    log = ProblemLog()
    ssda903.read_ssda903(root, log)
    assert "episodes" in calls
    unknown = [(Path(p.file).parent.name, p.row) for p in log.problems if p.kind == "unknown code"]
    assert unknown == [(YEARS[1], 6), (YEARS[2], 6)]
