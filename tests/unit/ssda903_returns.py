"""Write SSDA903 returns as an authority sends them, from a child's whole episode history.

A return for the collection year starting 1 April Y holds the episodes open at some time during
that year (started by 31 March Y+1, not ended before 1 April Y); an episode still open at the
year end goes in with no end date or reason, and appears again, carried forward, in the next
return. The header lists the children of the return's episodes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

EP_COLS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"]


def ep(child, start, rne, place, end="", rec="X1", ls="C2", urn=""):
    """One episode row: dates DD/MM/YYYY; the reason is blank while the episode is open."""
    return [child, start, rne, ls, "N1", place, "PR1", end, rec if end else "", urn]


def frame(episodes: list[list[str]]) -> pd.DataFrame:
    out = pd.DataFrame(episodes, columns=EP_COLS + ["URN"])
    for col in ("DECOM", "DEC"):
        out[col] = pd.to_datetime(out[col], format="%d/%m/%Y", errors="coerce")
    return out


def returns_from(episodes: pd.DataFrame, years: list[int]) -> dict[int, pd.DataFrame]:
    """The episodes each return of ``years`` (start years) holds, as text ready to write."""
    out = {}
    for year in years:
        start, end = pd.Timestamp(f"{year}-04-01"), pd.Timestamp(f"{year + 1}-03-31")
        held = episodes.loc[
            (episodes["DECOM"] <= end) & (episodes["DEC"].isna() | (episodes["DEC"] >= start))
        ].copy()
        open_at_end = held["DEC"].isna() | (held["DEC"] > end)
        held.loc[open_at_end, "DEC"] = pd.NaT
        held.loc[open_at_end, "REC"] = ""
        for col in ("DECOM", "DEC"):
            held[col] = held[col].dt.strftime("%d/%m/%Y").fillna("")
        out[year] = held
    return out


def years_touched(episodes: pd.DataFrame, last: int | None = None) -> list[int]:
    first = episodes["DECOM"].min()
    first_year = first.year if first.month >= 4 else first.year - 1
    ends = episodes["DEC"].dropna()
    latest = max([episodes["DECOM"].max(), *ends]) if len(ends) else episodes["DECOM"].max()
    last_year = (
        last if last is not None else (latest.year if latest.month >= 4 else latest.year - 1)
    )
    return list(range(first_year, last_year + 1))


def folder_of(root: Path, year: int) -> Path:
    return root / "ssda903" / f"{year}-{(year + 1) % 100:02d}"


def write_returns(
    root: Path,
    episodes: list[list[str]] | pd.DataFrame,
    dobs: dict[str, str],
    years: list[int] | None = None,
    last: int | None = None,
) -> Path:
    """``root/ssda903/<YYYY-YY>/`` header and episodes for each year (default: every year the
    episodes touch, to ``last`` if given)."""
    eps = episodes if isinstance(episodes, pd.DataFrame) else frame(episodes)
    for year, held in returns_from(eps, years or years_touched(eps, last)).items():
        folder = folder_of(root, year)
        folder.mkdir(parents=True, exist_ok=True)
        kids = list(dict.fromkeys(held["CHILD"]))
        pd.DataFrame(
            {"CHILD": kids, "SEX": 1, "DOB": [dobs[k] for k in kids], "ETHNIC": "WBRI"}
        ).to_csv(folder / "header.csv", index=False)
        held.to_csv(folder / "episodes.csv", index=False)
    return root
