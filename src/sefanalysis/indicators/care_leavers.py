"""Care leavers: Annex A List 9 at the extract date, and the official SSDA903 OC3 measures.

Annex A: the denominator is every care leaver aged 17-21 at the extract date on List 9 (List 9
runs to 25 and includes 16-year-old relevant children, so the age is checked); "not in touch" is
its own figure, never dropped. List 9 holds each young person's latest position only, so values
are given at the extract date alone.

SSDA903 OC3 (DfE "Children looked after in England including adoptions", care leavers tables):
young people whose 17th to 21st birthday fell in the collection year, grouped by their age at
31 March as DfE publishes them, "aged 17 to 18" and "aged 19 to 21". The denominator is the
young people in touch, not in touch, refusing contact or no longer requiring services (IN_TOUCH
YES, NO, REFU, NREQ): those who died (DIED) or returned home for 6 months or more (RHOM) are left
out, as DfE's in-touch table shows (2023, aged 17 to 18: 12,520 + 610 + 220 + 50 = 13,400, the
total of its activity table too). Activity and accommodation that are not known count in the
denominator and not the numerator, as DfE's "information not known" rows do. DfE's suitability
total is slightly smaller (13,350 in 2023) by an exclusion its tables do not state: ours uses
the same total as the other two measures.
"""

from __future__ import annotations

import pandas as pd

from ..ingest.codes import EET_ACTIVITY, NEET_ACTIVITY
from ..periods import age_at
from .engine import Context
from .registry import indicator

AREA = "care_leavers"
PUB = "Children looked after in England: care leavers (DfE)"
LIST_9 = "Source: Annex A List 9 at the extract date"
OC3_NOTE = "Source: SSDA903 returns, OC3 (official)"
AGES = {"17_18": (17, 18), "19_21": (19, 21)}


def _all_leavers(ctx: Context) -> pd.DataFrame:
    """List 9 rows, counted at the extract date only (if it is one of the period ends)."""
    cl = ctx.list("care_leavers")
    x = ctx.extract_date
    if x is None or x not in set(ctx.periods["period_end"]):
        cl = cl.iloc[0:0]
    return cl.assign(period_end=x, _at=x)


def _leavers(ctx: Context, ind_id: str) -> pd.DataFrame:
    """List 9 rows of young people aged 17 to 21 at the extract date (unknown ages left out,
    and counted in the note)."""
    cl = _all_leavers(ctx)
    age = age_at(cl["dob"], cl["period_end"])
    unknown = int(age.isna().sum())
    ctx.notes[ind_id] = LIST_9 + (
        f"; {unknown} care leaver(s) with no date of birth left out" if unknown else ""
    )
    return cl.loc[(age >= 17) & (age <= 21)]


def _meta(id_: str, title: str, numerator: str, polarity: str = "higher_better") -> dict:
    return dict(id=id_, title=title, area=AREA, unit="pct", polarity=polarity, kind="snapshot",
                aggregate="pct", numerator=numerator,
                denominator="Care leavers on List 9 aged 17 to 21 at the extract date",
                source="Annex A List 9", publication=PUB, extract_only=True)  # fmt: skip


@indicator(
    id="cl_count",
    title="Care leavers",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="snapshot",
    aggregate="count",
    numerator="Care leavers on List 9",
    denominator="",
    source="Annex A List 9",
    publication=PUB,
    extract_only=True,
)
def cl_count(ctx: Context) -> pd.DataFrame:
    ctx.notes["cl_count"] = LIST_9
    return _all_leavers(ctx).assign(num=1.0, den=1.0)


@indicator(
    **_meta(
        "cl_in_touch_pct",
        "Care leavers the authority is in touch with",
        "Care leavers with 'LA in Touch' = Yes",
    )
)
def cl_in_touch_pct(ctx: Context) -> pd.DataFrame:
    cl = _leavers(ctx, "cl_in_touch_pct")
    return cl.assign(num=(cl["in_touch"] == "YES").astype(float), den=1.0)


@indicator(
    **_meta(
        "cl_suitable_accommodation_pct",
        "Care leavers in suitable accommodation",
        "Care leavers whose accommodation is recorded as suitable",
    )
)
def cl_suitable_accommodation_pct(ctx: Context) -> pd.DataFrame:
    cl = _leavers(ctx, "cl_suitable_accommodation_pct")
    return cl.assign(num=(cl["suitability"] == "Suitable").astype(float), den=1.0)


@indicator(
    **_meta(
        "cl_eet_pct",
        "Care leavers in education, employment or training",
        "Care leavers with activity F1, P1, F2, P2, F4, P4, F5, P5 (F3, P3 before 2023)",
    )
)
def cl_eet_pct(ctx: Context) -> pd.DataFrame:
    cl = _leavers(ctx, "cl_eet_pct")
    return cl.assign(num=cl["activity"].isin(EET_ACTIVITY).astype(float), den=1.0)


@indicator(
    **_meta(
        "cl_neet_pct",
        "Care leavers not in education, employment or training",
        "Care leavers with activity G4, G5 or G6",
        polarity="lower_better",
    )
)
def cl_neet_pct(ctx: Context) -> pd.DataFrame:
    cl = _leavers(ctx, "cl_neet_pct")
    return cl.assign(num=cl["activity"].isin(NEET_ACTIVITY).astype(float), den=1.0)


@indicator(
    **_meta(
        "cl_pathway_plan_in_date_pct",
        "Care leavers with a pathway plan reviewed in the last 6 months",
        "Care leavers whose latest pathway plan review is in the 6 calendar months to the extract",
    )
)
def cl_pathway_plan_in_date_pct(ctx: Context) -> pd.DataFrame:
    cl = _leavers(ctx, "cl_pathway_plan_in_date_pct")
    due = cl["period_end"] - pd.DateOffset(months=6)
    ok = (cl["pathway_review"] >= due) & (cl["pathway_review"] <= cl["period_end"])
    return cl.assign(num=ok.astype(float), den=1.0)


@indicator(
    **_meta(
        "cl_pa_allocated_pct",
        "Care leavers with an allocated personal adviser",
        "Care leavers with a personal adviser recorded",
    )
)
def cl_pa_allocated_pct(ctx: Context) -> pd.DataFrame:
    cl = _leavers(ctx, "cl_pa_allocated_pct")
    return cl.assign(num=cl["pa"].notna().astype(float), den=1.0)


def _eligible(ctx: Context, ind_id: str) -> pd.DataFrame:
    """List 9 rows of young people aged 16 or 17 at the extract (eligible and relevant children,
    whom the leaving-care duties cover from 16: a personal adviser and a pathway plan)."""
    cl = _all_leavers(ctx)
    age = age_at(cl["dob"], cl["period_end"])
    cl = cl.loc[(age >= 16) & (age <= 17)]
    ctx.notes[ind_id] = LIST_9 + (" (eligible and relevant children aged 16 or 17)" if len(cl)
                                  else ": no young person on it is aged 16 or 17 (the 2019 "
                                  "template lists care leavers only)")  # fmt: skip
    return cl


def _eligible_meta(id_: str, title: str, numerator: str) -> dict:
    return dict(id=id_, title=title, area=AREA, unit="pct", polarity="higher_better",
                kind="snapshot", aggregate="pct", numerator=numerator,
                denominator="Young people on List 9 aged 16 or 17 at the extract (eligible "
                "children in care and relevant children who have left care; the newer template "
                "lists eligible children)", exclusions="A List 9 without 16 and 17 year olds "
                "(the 2019 template's scope) gives no value", source="Annex A List 9",
                publication="Children (Leaving Care) Act 2000; Care Leavers (England) "
                "Regulations 2010 (personal adviser and pathway plan from 16)",
                extract_only=True)  # fmt: skip


@indicator(**_eligible_meta("cl_eligible_pa_allocated_pct", "Eligible and relevant 16 and 17 "
                            "year olds with a personal adviser", "Those with a personal "
                            "adviser recorded ('Allocated Personal Advisor')"))  # fmt: skip
def cl_eligible_pa_allocated_pct(ctx: Context) -> pd.DataFrame:
    cl = _eligible(ctx, "cl_eligible_pa_allocated_pct")
    return cl.assign(num=cl["pa"].notna().to_numpy(dtype=float), den=1.0)


@indicator(**_eligible_meta("cl_eligible_pathway_plan_pct", "Eligible and relevant 16 and 17 "
                            "year olds with a pathway plan reviewed in the last 6 months",
                            "Those whose latest pathway plan review is in the 6 calendar "
                            "months to the extract"))  # fmt: skip
def cl_eligible_pathway_plan_pct(ctx: Context) -> pd.DataFrame:
    cl = _eligible(ctx, "cl_eligible_pathway_plan_pct")
    due = cl["period_end"] - pd.DateOffset(months=6)
    ok = (cl["pathway_review"] >= due) & (cl["pathway_review"] <= cl["period_end"])
    return cl.assign(num=ok.fillna(False).to_numpy(dtype=float), den=1.0)


# ------------------------------------------------------------------ SSDA903 OC3 (official)


def _oc3(ctx: Context, ind_id: str, band: str) -> pd.DataFrame:
    """OC3 rows at the 31 March ending their collection year, for young people of the age
    ``band`` that day, died and returned home left out; other period ends have no value."""
    lo, hi = AGES[band]
    oc3 = ctx.dataset.ssda903.get("oc3")
    years = set()
    if oc3 is not None and len(oc3):
        years = set(oc3["collection_year"].astype(str).str[:4].astype(int))
    gaps = {}
    for end in ctx.periods["period_end"]:
        if (end.month, end.day) != (3, 31):
            gaps[end] = "SSDA903 OC3 gives values at 31 March only"
        elif end.year - 1 not in years:
            gaps[end] = f"no SSDA903 OC3 table for {end.year - 1}-{end.year % 100:02d}"
    ctx.gaps[ind_id] = gaps
    ctx.sources[ind_id] = {e: OC3_NOTE for e in ctx.periods["period_end"] if e not in gaps}
    if not years:
        return pd.DataFrame(columns=["period_end", "child_id", "dob", "IN_TOUCH", "ACTIV",
                                     "ACCOM"], dtype="string")  # fmt: skip
    year_end = pd.to_datetime(oc3["collection_year"].astype(str).str[:4].astype(int).add(1)
                              .astype(str) + "-03-31")  # fmt: skip
    oc3 = oc3.assign(period_end=year_end.to_numpy(), child_id=oc3["CHILD"], dob=oc3["DOB"])
    oc3 = oc3.loc[oc3["period_end"].isin(ctx.periods["period_end"])]
    age = age_at(oc3["dob"], oc3["period_end"])
    counted = ~oc3["IN_TOUCH"].isin({"DIED", "RHOM"}) & oc3["IN_TOUCH"].notna()
    return oc3.loc[(age >= lo) & (age <= hi) & counted]


OC3_DENOMINATOR = (
    "Young people in the SSDA903 OC3 table (17th to 21st birthday in the collection year) "
    "aged {ages} at 31 March, in touch, not in touch, refusing contact or no longer requiring "
    "services (IN_TOUCH YES, NO, REFU, NREQ); those who died or returned home for 6 months or "
    "more are left out, as in DfE's tables"
)


def _oc3_meta(id_: str, title: str, numerator: str, band: str) -> dict:
    ages = "17 or 18" if band == "17_18" else "19 to 21"
    return dict(id=id_, title=title, area=AREA, unit="pct", polarity="higher_better",
                kind="snapshot", aggregate="pct", numerator=numerator,
                denominator=OC3_DENOMINATOR.format(ages=ages),
                exclusions="Values at 31 March of each year whose return has OC3 only. "
                "Activity or accommodation not known counts in the denominator, not the "
                "numerator, as DfE's 'information not known' rows do. DfE's suitability total "
                "is slightly smaller (13,350 against 13,400 aged 17 to 18 in 2023) by an "
                "exclusion its tables do not state: ours uses one total for the three "
                "measures. Care transferred to another authority is not identifiable in OC3",
                source="SSDA903 OC3", publication=PUB)  # fmt: skip


IN_TOUCH_NUM = "Those the authority is in touch with (IN_TOUCH = YES)"
SUITABLE_NUM = "Those in accommodation considered suitable (ACCOM ending in 1)"
EET_NUM = (
    "Those in education, employment or training (ACTIV F1, P1, F2, P2, F4, P4, F5, P5; F3, "
    "P3 before 2023)"
)


def _in_touch(ctx: Context, ind_id: str, band: str) -> pd.DataFrame:
    oc3 = _oc3(ctx, ind_id, band)
    return oc3.assign(num=(oc3["IN_TOUCH"] == "YES").astype(float), den=1.0)


def _suitable(ctx: Context, ind_id: str, band: str) -> pd.DataFrame:
    oc3 = _oc3(ctx, ind_id, band)
    accom = oc3["ACCOM"].astype("string")
    return oc3.assign(num=accom.str.endswith("1").fillna(False).astype(float).to_numpy(),
                      den=1.0)  # fmt: skip


def _eet(ctx: Context, ind_id: str, band: str) -> pd.DataFrame:
    oc3 = _oc3(ctx, ind_id, band)
    return oc3.assign(num=oc3["ACTIV"].isin(EET_ACTIVITY).astype(float), den=1.0)


@indicator(**_oc3_meta("cl_in_touch_17_18_pct", "Care leavers aged 17 to 18 the authority is "
                       "in touch with (OC3)", IN_TOUCH_NUM, "17_18"))  # fmt: skip
def cl_in_touch_17_18_pct(ctx: Context) -> pd.DataFrame:
    return _in_touch(ctx, "cl_in_touch_17_18_pct", "17_18")


@indicator(**_oc3_meta("cl_in_touch_19_21_pct", "Care leavers aged 19 to 21 the authority is "
                       "in touch with (OC3)", IN_TOUCH_NUM, "19_21"))  # fmt: skip
def cl_in_touch_19_21_pct(ctx: Context) -> pd.DataFrame:
    return _in_touch(ctx, "cl_in_touch_19_21_pct", "19_21")


@indicator(**_oc3_meta("cl_suitable_accommodation_17_18_pct", "Care leavers aged 17 to 18 in "
                       "suitable accommodation (OC3)", SUITABLE_NUM, "17_18"))  # fmt: skip
def cl_suitable_accommodation_17_18_pct(ctx: Context) -> pd.DataFrame:
    return _suitable(ctx, "cl_suitable_accommodation_17_18_pct", "17_18")


@indicator(**_oc3_meta("cl_suitable_accommodation_19_21_pct", "Care leavers aged 19 to 21 in "
                       "suitable accommodation (OC3)", SUITABLE_NUM, "19_21"))  # fmt: skip
def cl_suitable_accommodation_19_21_pct(ctx: Context) -> pd.DataFrame:
    return _suitable(ctx, "cl_suitable_accommodation_19_21_pct", "19_21")


@indicator(**_oc3_meta("cl_eet_17_18_pct", "Care leavers aged 17 to 18 in education, "
                       "employment or training (OC3)", EET_NUM, "17_18"))  # fmt: skip
def cl_eet_17_18_pct(ctx: Context) -> pd.DataFrame:
    return _eet(ctx, "cl_eet_17_18_pct", "17_18")


@indicator(**_oc3_meta("cl_eet_19_21_pct", "Care leavers aged 19 to 21 in education, "
                       "employment or training (OC3)", EET_NUM, "19_21"))  # fmt: skip
def cl_eet_19_21_pct(ctx: Context) -> pd.DataFrame:
    return _eet(ctx, "cl_eet_19_21_pct", "19_21")
