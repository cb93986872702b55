"""DfE's sources in an authority's data folder, added to its tables by :func:`add_dfe_sources`:

- ``published/``: DfE's published files as downloaded (:mod:`.published`). Their headline
  values of the indicators comparable across areas (percentages, rates, averages; not counts)
  join ``benchmarks.csv`` in ``tables["benchmarks"]`` (a value in ``benchmarks.csv`` wins
  over a published one for the same indicator, period and area: it is the analyst's own), with
  the edition and file named; the statistical neighbours come from DfE's model files by the
  authority's code (unless ``statistical_neighbours.csv`` gives them); the ONS population by
  single year of age is kept for denominators of any age band (``population_by_age``), and its
  0-17 total (or DfE's 0-17 series) stands in for a missing ``population.csv``.
- ``cin_census/``: the authority's CIN census XML returns (:mod:`.cin_census`), one or more
  years, as tables ``cin_census/<table>``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .authority import Authority
from .cin_census import combine, read_cin_census_folder
from .la_codes import LA_CODES
from .neighbours import neighbours_of
from .population import in_ages
from .problems import WARNING, ProblemLog
from .published import Published, comparators, load_published

BENCHMARK_KEYS = ["indicator_id", "time_period", "area_type", "area_code"]


def old_code_of(authority: Authority, values: pd.DataFrame) -> str:
    """DfE's three-digit number of the authority: its ``la_code`` if it is one, else the number
    the published files give for its ONS code."""
    code = str(authority.la_code).strip()
    if code.isdigit() and len(code) == 3:
        return code
    rows = values.loc[(values["area_type"] == "la") & (values["area_code"] == code),
                      "old_la_code"].astype(str)  # fmt: skip
    rows = rows[rows != ""]
    if len(rows):
        return rows.iloc[0]
    return next((old for old, ons in LA_CODES.items() if ons == code), "")


COMPARABLE_UNITS = {"pct", "rate_per_10k", "days", "score", "ratio"}


def _as_benchmarks(published: Published) -> pd.DataFrame:
    """The headline comparators of indicators comparable across areas: percentages, rates,
    averages. England's or a region's *count* (of referrals, of children in care, of FTE) is not
    like for like with one authority's, so counts are read (:func:`.published.read_published`)
    but not offered as comparators; their rates are."""
    from ..indicators.registry import REGISTRY  # the package import completes the registry

    comp = comparators(published.values)
    # each indicator's unit looked up once (a few dozen indicators in 20,000 rows)
    codes, ids = pd.factorize(comp["indicator_id"], sort=False)
    comparable = [getattr(REGISTRY.get(i), "unit", "") in COMPARABLE_UNITS for i in ids]
    comp = comp.loc[np.append(np.array(comparable, dtype=bool), False)[codes]]
    text = comp.select_dtypes("category").columns
    comp = comp.astype({c: object for c in text})
    return comp.drop(columns=["priority"], errors="ignore")


def _neighbours(published: Published, old_code: str, values: pd.DataFrame) -> pd.DataFrame | None:
    mine = neighbours_of(published.neighbours, old_code) if old_code else published.neighbours
    if not old_code or mine.empty:
        return None
    las = values.loc[values["area_type"] == "la", ["old_la_code", "area_code"]]
    # each authority's first row (found on the categories' codes; the text of a few hundred)
    las = las.loc[~las["old_la_code"].duplicated()].astype(str)
    code = las.set_index("old_la_code")["area_code"]
    return pd.DataFrame({
        "area_code": mine["sn_old_la_code"].map(code).fillna(mine["sn_old_la_code"].map(
            LA_CODES)).fillna(mine["sn_old_la_code"]),  # fmt: skip
        "area_name": mine["sn_name"], "rank": mine["rank"].astype("Int64"),
        "old_la_code": mine["sn_old_la_code"], "model": mine["model"],
        "closeness": mine["closeness"], "source_file": mine["source_file"],
    })  # fmt: skip


def add_dfe_sources(root: Path, authority: Authority, tables: dict, log: ProblemLog) -> None:
    """Add ``published/`` and ``cin_census/`` (if present) to ``tables`` (see the module)."""
    if (root / "published").is_dir():
        published = load_published(root / "published", log)
        values = published.values
        bench = _as_benchmarks(published)
        own = tables.get("benchmarks")
        if own is not None and len(own):
            own = own.assign(edition="benchmarks.csv")
            bench = pd.concat([own, bench], ignore_index=True).drop_duplicates(
                BENCHMARK_KEYS, keep="first")  # fmt: skip
        tables["benchmarks"] = bench.reset_index(drop=True)
        old_code = old_code_of(authority, values)
        if not old_code:
            log.add(WARNING, "authority not in the published files", str(root / "published"),
                    value=authority.la_code, expected="the authority's ONS code or DfE number "
                    "in DfE's files, to find its statistical neighbours")  # fmt: skip
        neighbours = _neighbours(published, old_code, values)
        if tables.get("statistical_neighbours") is None and neighbours is not None:
            tables["statistical_neighbours"] = neighbours
        _population(published, authority, tables, log, root)
    if (root / "cin_census").is_dir():
        returns = read_cin_census_folder(root / "cin_census", log)
        for key, frame in combine(returns).items():
            tables[f"cin_census/{key}"] = frame


def _population(published: Published, authority: Authority, tables: dict, log: ProblemLog,
                root: Path) -> None:  # fmt: skip
    by_age = published.population
    mine = by_age.loc[by_age["area_code"] == authority.la_code]
    if len(mine):
        tables["population_by_age"] = mine.reset_index(drop=True)
    if tables.get("population") is not None:
        return
    series = published.values
    dfe = series.loc[(series["table"] == "population_0_17") & (series["area_type"] == "la")
                     & (series["area_code"] == authority.la_code)]  # fmt: skip
    total = pd.DataFrame({"year": dfe["year"].astype(int), "population": dfe["value"]})
    if len(mine):
        ons = in_ages(mine, authority.la_code)
        total = pd.concat([total, ons]).drop_duplicates("year", keep="first")
    total = total.dropna()
    if total.empty:
        return
    tables["population"] = total.astype({"population": "Int64"}).sort_values("year")
    missing = str(root / "population.csv")
    log.problems[:] = [p for p in log.problems if not (p.kind == "missing file"
                                                       and p.file == missing)]  # fmt: skip
    log.used(str(root / "published"), "population of children aged 0-17 (for rates), in place "
             "of population.csv", "the authority's code in DfE's or ONS's estimates")  # fmt: skip


__all__ = ["add_dfe_sources", "old_code_of"]
