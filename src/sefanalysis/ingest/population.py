"""ONS mid-year population estimates by single year of age (the ``MYE2 - Persons`` sheet of the
ONS publication workbook), giving denominators for any age band.

The sheet is recognised by its content: a title row naming persons by single year of age and a
mid-year, then (a few rows down) the heading ``Code, Name, Geography, All ages, 0, 1, ..., 90+``.
Counties and their districts both appear; an authority is picked by its ONS code. DfE's rates
per 10,000 children use the 0-17 total (:func:`children`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .problems import WARNING, ProblemLog

POPULATION_COLUMNS = ["area_code", "area_name", "geography", "year", "age", "population",
                      "source_file"]  # fmt: skip
HEADER_SCAN_ROWS = 15


def read_population_sheet(raw: pd.DataFrame, file: Path, sheet: str,
                          log: ProblemLog) -> pd.DataFrame | None:  # fmt: skip
    """Population by area, year and single year of age (90 = 90 and over), or None if the
    grid is not a persons-by-single-year-of-age sheet."""
    top = " ".join(" ".join(map(str, raw.iloc[i])) for i in range(min(HEADER_SCAN_ROWS, len(raw))))
    title = re.search(r"persons by single year of age.*?mid-?(\d{4})", top, re.IGNORECASE)
    if title is None:
        return None
    for pos in range(min(HEADER_SCAN_ROWS, len(raw))):
        heads = [str(h).strip().lower() for h in raw.iloc[pos]]
        if heads[:2] == ["code", "name"] and "0" in heads:
            break
    else:
        return None
    ages = {i: (90 if h.startswith("90") else int(h)) for i, h in enumerate(heads)
            if re.fullmatch(r"\d{1,2}|90\+?", h)}  # fmt: skip
    body = raw.iloc[pos + 1 :]
    body = body.loc[body.iloc[:, 0].astype(str).str.fullmatch(r"[EWKSN]\d{8}")]
    geo_col = heads.index("geography") if "geography" in heads else None
    parts = []
    for col, age in ages.items():
        number = pd.to_numeric(body.iloc[:, col].astype(str).str.replace(",", ""),
                               errors="coerce")  # fmt: skip
        parts.append(pd.DataFrame({
            "area_code": body.iloc[:, 0].astype(str).to_numpy(),
            "area_name": body.iloc[:, 1].astype(str).to_numpy(),
            "geography": (body.iloc[:, geo_col].astype(str).to_numpy() if geo_col is not None
                          else ""),
            "year": int(title.group(1)), "age": age, "population": number.to_numpy(),
        }))  # fmt: skip
    frame = pd.concat(parts, ignore_index=True).assign(source_file=str(file))
    bad = frame["population"].isna()
    if bad.any():
        log.add(WARNING, "invalid value", str(file), sheet=sheet, column="population",
                value=f"{int(bad.sum())} cells", expected="a number of people")  # fmt: skip
    log.used(str(file), f"ONS mid-{title.group(1)} population by single year of age "
             f"({body.shape[0]} areas; sheet {sheet!r}; the workbook's other sheets not "
             "needed)", "title 'Persons by single year of age' and a heading row Code, Name, "
             "Geography, All ages, 0..90+")  # fmt: skip
    return frame.loc[~bad, POPULATION_COLUMNS]


def in_ages(population: pd.DataFrame, area_code: str, ages: range = range(18)) -> pd.DataFrame:
    """``year, population`` of ``area_code`` summed over ``ages`` (default 0-17: the
    denominator of DfE's rates per 10,000 children)."""
    rows = population.loc[(population["area_code"] == area_code)
                          & population["age"].isin(list(ages))]  # fmt: skip
    return rows.groupby("year", as_index=False)["population"].sum()


__all__ = ["read_population_sheet", "in_ages", "POPULATION_COLUMNS"]
