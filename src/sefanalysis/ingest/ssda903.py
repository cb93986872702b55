"""SSDA903 (children looked after return) CSV tables, as used by Data to Insight's validator.

Layout: ``ssda903/<collection year>/<table>.csv`` with the collection year written ``2024-25``.
Tables from several years are stacked with a ``collection_year`` column; an episode reported in
two years (carried forward) is kept once, from the later return.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from . import codes as C
from .annex_a import parse_list as parse_list_frame
from .annex_a import read_csv_raw
from .annex_a_spec import Column, ListSpec
from .problems import WARNING, ProblemLog

Y01 = {"1": ["1", "yes", "y"], "0": ["0", "no", "n"]}


def _t(key: str, cols: list[Column], **kw: object) -> ListSpec:
    kw.setdefault("required_values", ("CHILD",))
    return ListSpec(0, key, f"SSDA903 {key}", tuple(cols), **kw)  # type: ignore[arg-type]


def _child_dob() -> list[Column]:
    return [Column("CHILD", "CHILD", "id"), Column("DOB", "DOB", "date")]


SSDA903: dict[str, ListSpec] = {
    "header": _t("header", [
        Column("CHILD", "CHILD", "id"), Column("SEX", "SEX", "code", {"1": [], "2": []}),
        Column("DOB", "DOB", "date"), Column("ETHNIC", "ETHNIC", "code", C.ETHNICITY),
        Column("UPN", "UPN", "text", required=False),
        Column("MOTHER", "MOTHER", "text", required=False),
        Column("MC_DOB", "MC_DOB", "date", required=False),
    ]),
    "episodes": _t("episodes", [
        Column("CHILD", "CHILD", "id"), Column("DECOM", "DECOM", "date"),
        Column("RNE", "RNE", "code", {c: [] for c in ["S", "L", "P", "T", "B", "U"]}),
        Column("LS", "LS", "code", C.LEGAL_STATUS),
        Column("CIN", "CIN", "code", C.PRIMARY_NEED),
        Column("PLACE", "PLACE", "code", C.PLACEMENT_TYPE),
        Column("PLACE_PROVIDER", "PLACE_PROVIDER", "code", C.PROVIDER, required=False),
        Column("DEC", "DEC", "date"), Column("REC", "REC", "code", C.REASON_CEASED),
        Column("REASON_PLACE_CHANGE", "REASON_PLACE_CHANGE", "text", required=False),
        Column("HOME_POST", "HOME_POST", "text", required=False),
        Column("PL_POST", "PL_POST", "text", required=False),
        Column("URN", "URN", "text", required=False),
    ], intervals=(("DECOM", "DEC", "reject"),), required_values=("CHILD", "DECOM")),
    "reviews": _t("reviews", _child_dob() + [
        Column("REVIEW", "REVIEW", "date"), Column("REVIEW_CODE", "REVIEW_CODE", "text"),
    ]),
    "uasc": _t("uasc", [Column("CHILD", "CHILD", "id"), Column("DUC", "DUC", "date")]),
    "oc2": _t("oc2", _child_dob() + [
        Column("SDQ_SCORE", "SDQ_SCORE", "int"), Column("SDQ_REASON", "SDQ_REASON", "text"),
        *[Column(k, k, "code", Y01, required=k in {"HEALTH_ASSESSMENT", "TEETH_CHECK"})
          for k in ["CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
                    "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED",
                    "INTERVENTION_OFFERED"]],
    ]),
    "oc3": _t("oc3", _child_dob() + [
        Column("IN_TOUCH", "IN_TOUCH", "code", C.IN_TOUCH),
        Column("ACTIV", "ACTIV", "code", {**C.ACTIVITY, "0": []}),
        Column("ACCOM", "ACCOM", "code",
               {f"{a}{d}": [] for a in C.ACCOMMODATION for d in "12"} | {"0": ["00", "01"]}),
    ]),
    "ad1": _t("ad1", _child_dob() + [
        Column("DATE_INT", "DATE_INT", "date"), Column("DATE_MATCH", "DATE_MATCH", "date"),
        Column("FOSTER_CARE", "FOSTER_CARE", "code", Y01, required=False),
    ]),
    "placed_for_adoption": _t("placed_for_adoption", _child_dob() + [
        Column("DATE_PLACED", "DATE_PLACED", "date"),
        Column("DATE_PLACED_CEASED", "DATE_PLACED_CEASED", "date"),
        Column("REASON_PLACED_CEASED", "REASON_PLACED_CEASED", "code", C.NO_LONGER_ADOPT),
    ], intervals=(("DATE_PLACED", "DATE_PLACED_CEASED", "report"),)),
    "previous_permanence": _t("previous_permanence", _child_dob() + [
        Column("PREV_PERM", "PREV_PERM", "code", {c: [] for c in ["P1", "P2", "P3", "P4", "Z1"]}),
        Column("LA_PERM", "LA_PERM", "text", required=False),
        Column("DATE_PERM", "DATE_PERM", "text", required=False),
    ]),
    "missing": _t("missing", _child_dob() + [
        Column("MISSING", "MISSING", "code", {"M": [], "A": []}),
        Column("MIS_START", "MIS_START", "date"), Column("MIS_END", "MIS_END", "date"),
    ], intervals=(("MIS_START", "MIS_END", "report"),), required_values=("CHILD", "MIS_START")),
    "sw_episodes": _t("sw_episodes", _child_dob() + [
        Column("SW_ID", "SW_ID", "text"), Column("SW_DECOM", "SW_DECOM", "date"),
        Column("SW_DEC", "SW_DEC", "date"), Column("SW_REASON", "SW_REASON", "text"),
    ]),
}  # fmt: skip

_YEAR = re.compile(r"^(\d{4})[-_](\d{2}|\d{4})$")


def collection_year(name: str) -> str | None:
    """``"2024-25"`` from a folder named 2024-25, 2024_25 or 2024-2025; else None."""
    match = _YEAR.match(name)
    if not match:
        return None
    start, end = int(match.group(1)), int(match.group(2)[-2:])
    return f"{start}-{end:02d}" if (start + 1) % 100 == end else None


def read_ssda903_folder(folder: Path, log: ProblemLog, year: str = "") -> dict[str, pd.DataFrame]:
    """The SSDA903 tables present in one folder (one collection year, or a flat test folder)."""
    tables: dict[str, pd.DataFrame] = {}
    for key, spec in SSDA903.items():
        file = folder / f"{key}.csv"
        if not file.exists():
            continue
        raw = read_csv_raw(file, log)
        if raw is None:
            continue
        frame = parse_list_frame(raw, spec, log, str(file))
        if key == "episodes" and year in C.PLACEMENT_CODES_BY_YEAR:
            valid = C.PLACEMENT_CODES_BY_YEAR[year]
            bad = frame["PLACE"].notna() & ~frame["PLACE"].isin(valid)
            for rec in frame.loc[bad, ["_row", "PLACE"]].itertuples(index=False):
                log.add(
                    WARNING,
                    "code not valid in this collection year",
                    str(file),
                    row=rec[0],
                    column="PLACE",
                    value=rec[1],
                    expected=f"a {year} placement code: {', '.join(sorted(valid))}",
                )
        frame["collection_year"] = year
        tables[key] = frame
    check_consistency(tables, log, folder)
    return tables


def check_consistency(tables: dict[str, pd.DataFrame], log: ProblemLog, folder: Path) -> None:
    """Cross-row and cross-table rules of the SSDA903 guide, reported row by row (the rows are
    kept; the children-in-care measures use the episodes as they are, and say so)."""
    eps = tables.get("episodes")
    file = str(folder / "episodes.csv")
    if eps is not None and len(eps):
        e = eps.sort_values(["CHILD", "DECOM"], kind="stable")
        nxt_start = e.groupby("CHILD")["DECOM"].shift(-1)
        has_next = nxt_start.notna()
        open_before = has_next & e["DEC"].isna()
        overlap = has_next & e["DEC"].notna() & (e["DEC"] > nxt_start)
        gap = has_next & e["DEC"].notna() & (e["DEC"] < nxt_start) & e["REC"].eq("X1")
        same_start = has_next & (nxt_start == e["DECOM"])
        rules = [
            (open_before, "open episode followed by another",
             "an end date (DEC) when the child has a later episode"),
            (overlap, "overlapping episodes", "DEC on or before the next episode's DECOM"),
            (gap, "broken episode chain",
             "with REC = X1 (episode continues), the next episode to start on DEC"),
            (same_start, "duplicate episode start", "one episode per child per DECOM"),
        ]  # fmt: skip
        for mask, kind, expected in rules:
            for rec in e.loc[mask, ["_row", "CHILD"]].itertuples(index=False):
                log.add(WARNING, kind, file, row=rec[0], column="DEC", value=rec[1],
                        expected=expected)  # fmt: skip
    header = tables.get("header")
    if header is None:
        return
    known = set(header["CHILD"].dropna())
    for key in ("episodes", "oc2", "oc3", "missing", "reviews"):
        frame = tables.get(key)
        if frame is None or frame.empty:
            continue
        orphan = ~frame["CHILD"].isin(known) & frame["CHILD"].notna()
        for rec in frame.loc[orphan, ["_row", "CHILD"]].itertuples(index=False):
            log.add(
                WARNING,
                "child not in header",
                str(folder / f"{key}.csv"),
                row=rec[0],
                column="CHILD",
                value=rec[1],
                expected="a child listed in header.csv",
            )


def read_ssda903(root: Path, log: ProblemLog) -> dict[str, pd.DataFrame]:
    """All collection years under ``root`` stacked; episodes de-duplicated across years."""
    years = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    stacked: dict[str, list[pd.DataFrame]] = {}
    for folder in years:
        year = collection_year(folder.name)
        if year is None:
            log.add(
                WARNING,
                "unrecognised folder",
                str(folder),
                expected="an SSDA903 collection-year folder named like 2024-25",
            )
            continue
        for key, frame in read_ssda903_folder(folder, log, year).items():
            stacked.setdefault(key, []).append(frame)
    tables = {k: pd.concat(v, ignore_index=True) for k, v in stacked.items()}
    if "episodes" in tables:
        eps = tables["episodes"].sort_values("collection_year")
        tables["episodes"] = eps.drop_duplicates(["CHILD", "DECOM"], keep="last").sort_values(
            ["CHILD", "DECOM"], ignore_index=True
        )
    return tables
