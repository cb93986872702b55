"""The Virtual School: the education of children looked after, from ``virtual_school.csv`` (one
row per child and school year, as the Virtual School reports its year: attendance, suspensions
and exclusions, key stage results) and ``peps.csv`` (one row per personal education plan due).

A school-year measure at a period end describes the latest school year ended (31 August) on or
before it: at 31 December 2024, the year 2023/24. Its note names the year, and a period whose
year the table does not hold is missing, with the reason. DfE publishes the same measures for
children looked after continuously for 12 months or more ("Outcomes for children in need,
including children looked after by local authorities in England"); the table holds the children
the Virtual School counts (definitions below)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import is_code, keep, local
from .engine import Context
from .registry import indicator

AREA = "children_in_care"
SOURCE = "virtual_school.csv"
PUB = (
    "Outcomes for children in need, including children looked after by local authorities in "
    "England (DfE)"
)
PERSISTENT = 0.10  # persistently absent: missing 10% or more of possible sessions


def school_year_ending(period_end: pd.Series) -> pd.Series:
    """The latest school year ended (31 August) on or before each period end, as the calendar
    year it ends in."""
    before = (period_end.dt.month < 8) | ((period_end.dt.month == 8) & (period_end.dt.day < 31))
    return period_end.dt.year - before.astype(int)


def _label(year: int) -> str:
    return f"{year - 1}/{year % 100:02d}"


def _years(ctx: Context, ind_id: str, *cols: str) -> pd.DataFrame:
    """The rows of each period end's school year; periods whose year is not in the table are
    missing with the reason, and each value's note names its year."""
    vs = local(ctx, "virtual_school")
    periods = ctx.periods[["period_end"]].assign(
        year_ending=school_year_ending(ctx.periods["period_end"]).to_numpy()
    )
    held = set(vs["year_ending"].dropna().astype(int))
    ctx.gaps[ind_id] = {
        rec.period_end: f"{SOURCE} has no rows for the school year {_label(rec.year_ending)}"
        for rec in periods.itertuples(index=False)
        if rec.year_ending not in held and len(vs)
    }
    ctx.sources[ind_id] = {
        rec.period_end: f"School year {_label(rec.year_ending)} (to 31 August {rec.year_ending})"
        for rec in periods.itertuples(index=False)
        if rec.year_ending in held
    }
    rows = keep(ctx, vs, "year_ending", *cols).dropna(subset=["year_ending"])
    rows = rows.astype({"year_ending": "int64"})
    out = periods.merge(rows, on="year_ending")
    if "dob" in out:  # ages at the end of the school year, not at the period end
        out["_at"] = pd.to_datetime(out["year_ending"].astype(str) + "-08-31")
    return out


def _meta(id_: str, title: str, numerator: str, denominator: str, polarity: str,
          unit: str = "pct", aggregate: str = "pct") -> dict:  # fmt: skip
    return dict(id=id_, title=title, area=AREA, unit=unit, polarity=polarity, kind="snapshot",
                aggregate=aggregate, numerator=numerator, denominator=denominator,
                exclusions="The latest school year ended (31 August) on or before the period "
                "end; ages at 31 August", source=SOURCE, publication=PUB,
                yearly="school year")  # fmt: skip


def _sessions(ctx: Context, ind_id: str) -> pd.DataFrame:
    rows = _years(ctx, ind_id, "sessions_possible", "sessions_attended")
    possible = pd.to_numeric(rows["sessions_possible"]).astype(float)
    attended = pd.to_numeric(rows["sessions_attended"]).astype(float)
    ok = (possible > 0) & attended.notna() & (attended <= possible)
    return rows.assign(possible=possible, attended=attended).loc[ok.to_numpy()]


@indicator(
    **_meta(
        "vs_attendance_pct",
        "Attendance of children in care (Virtual School)",
        "Sessions attended",
        "Possible sessions of the children on the Virtual School's roll in the "
        "school year (rows with attended sessions no more than possible ones)",
        "higher_better",
    )
)
def vs_attendance_pct(ctx: Context) -> pd.DataFrame:
    rows = _sessions(ctx, "vs_attendance_pct")
    return rows.assign(num=rows["attended"], den=rows["possible"])


@indicator(
    **_meta(
        "vs_persistent_absence_pct",
        "Children in care persistently absent from school",
        "Those who missed 10% or more of their possible sessions",
        "Children on the Virtual School's roll in the school year with possible sessions recorded",
        "lower_better",
    )
)
def vs_persistent_absence_pct(ctx: Context) -> pd.DataFrame:
    rows = _sessions(ctx, "vs_persistent_absence_pct")
    missed = 1 - rows["attended"] / rows["possible"]
    return rows.assign(num=(missed >= PERSISTENT - 1e-12).to_numpy(dtype=float), den=1.0)


@indicator(
    **_meta(
        "vs_suspension_pct",
        "Children in care with at least one suspension",
        "Those with one or more suspensions (fixed-period exclusions) in the school year",
        "Children on the Virtual School's roll in the school year with suspensions recorded",
        "lower_better",
    )
)
def vs_suspension_pct(ctx: Context) -> pd.DataFrame:
    rows = _years(ctx, "vs_suspension_pct", "suspensions")
    count = pd.to_numeric(rows["suspensions"]).astype(float)
    rows = rows.loc[count.notna().to_numpy()]
    return rows.assign(num=(count.dropna() >= 1).to_numpy(dtype=float), den=1.0)


@indicator(
    **_meta(
        "vs_permanent_exclusions",
        "Children in care permanently excluded",
        "Children on the Virtual School's roll permanently excluded in the school year",
        "",
        "lower_better",
        unit="count",
        aggregate="count",
    )
)
def vs_permanent_exclusions(ctx: Context) -> pd.DataFrame:
    rows = _years(ctx, "vs_permanent_exclusions", "permanent_exclusion")
    return rows.loc[rows["permanent_exclusion"].isin(["Yes"]).to_numpy()]


@indicator(
    **_meta(
        "vs_ks2_expected_pct",
        "Children in care reaching the expected standard at key stage 2",
        "Those reaching the expected standard in reading, writing and mathematics",
        "Children on the Virtual School's roll assessed at the end of key stage 2 in the school "
        "year (ks2_rwm_expected recorded)",
        "higher_better",
    )
)
def vs_ks2_expected_pct(ctx: Context) -> pd.DataFrame:
    rows = _years(ctx, "vs_ks2_expected_pct", "ks2_rwm_expected")
    rows = rows.loc[rows["ks2_rwm_expected"].notna().to_numpy()]
    return rows.assign(num=is_code(rows["ks2_rwm_expected"], "Yes"), den=1.0)


@indicator(
    **_meta(
        "vs_ks4_attainment8_mean",
        "Average Attainment 8 score of children in care",
        "Sum of Attainment 8 scores (0-90)",
        "Children on the Virtual School's roll with a key stage 4 result in the school year",
        "higher_better",
        unit="score",
        aggregate="mean",
    )
)
def vs_ks4_attainment8_mean(ctx: Context) -> pd.DataFrame:
    rows = _years(ctx, "vs_ks4_attainment8_mean", "ks4_attainment8")
    score = pd.to_numeric(rows["ks4_attainment8"]).astype(float)
    return rows.assign(num=np.nan, den=1.0, measure=score.to_numpy())


def _peps(ctx: Context) -> pd.DataFrame:
    return keep(ctx, local(ctx, "peps"), "due_date", "completed_date", "quality")


@indicator(
    id="vs_pep_in_timescale_pct",
    title="Personal education plans completed on time",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="flow",
    aggregate="pct",
    numerator="PEPs completed on or before their due date",
    denominator="PEPs due in the window (one a term for each child looked after of school age)",
    source="peps.csv",
    publication="Promoting the education of looked-after and previously looked-after children "
    "(DfE statutory guidance, 2018); local ePEP records",
)
def vs_pep_in_timescale_pct(ctx: Context) -> pd.DataFrame:
    due = ctx.in_window(_peps(ctx), "due_date")
    done = (due["completed_date"] <= due["due_date"]).fillna(False)
    return due.assign(num=done.to_numpy(dtype=float), den=1.0)


@indicator(
    id="vs_pep_good_pct",
    title="Personal education plans judged good or better",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="flow",
    aggregate="pct",
    numerator="PEPs quality-assured as Good or Outstanding",
    denominator="PEPs completed in the window with a quality grade",
    source="peps.csv",
    publication="Local Virtual School quality assurance of PEPs",
)
def vs_pep_good_pct(ctx: Context) -> pd.DataFrame:
    done = ctx.in_window(_peps(ctx), "completed_date")
    done = done.loc[done["quality"].notna().to_numpy()]
    return done.assign(num=is_code(done["quality"], "Good", "Outstanding"), den=1.0,
                       grade=done["quality"].to_numpy())  # fmt: skip
