"""Care leavers (Annex A List 9, as at the extract date).

The denominator is every care leaver in the age band; "not in touch" is its own figure, never
dropped. List 9 holds each young person's latest position only, so values are given at the
extract date alone.
"""

from __future__ import annotations

import pandas as pd

from ..ingest.codes import EET_ACTIVITY, NEET_ACTIVITY
from .engine import Context
from .registry import indicator

AREA = "care_leavers"
PUB = "Children looked after in England: care leavers (DfE)"


def _leavers(ctx: Context) -> pd.DataFrame:
    """List 9 rows, counted at the extract date only (if it is one of the period ends)."""
    cl = ctx.list("care_leavers")
    x = ctx.extract_date
    if x is None or x not in set(ctx.periods["period_end"]):
        cl = cl.iloc[0:0]
    return cl.assign(period_end=x, _at=x)


def _meta(id_: str, title: str, numerator: str, polarity: str = "higher_better") -> dict:
    return dict(id=id_, title=title, area=AREA, unit="pct", polarity=polarity, kind="snapshot",
                aggregate="pct", numerator=numerator,
                denominator="Care leavers aged 17-21 on List 9 at the extract date",
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
    return _leavers(ctx).assign(num=1.0, den=1.0)


@indicator(
    **_meta(
        "cl_in_touch_pct",
        "Care leavers the authority is in touch with",
        "Care leavers with 'LA in Touch' = Yes",
    )
)
def cl_in_touch_pct(ctx: Context) -> pd.DataFrame:
    cl = _leavers(ctx)
    return cl.assign(num=(cl["in_touch"] == "YES").astype(float), den=1.0)


@indicator(
    **_meta(
        "cl_suitable_accommodation_pct",
        "Care leavers in suitable accommodation",
        "Care leavers whose accommodation is recorded as suitable",
    )
)
def cl_suitable_accommodation_pct(ctx: Context) -> pd.DataFrame:
    cl = _leavers(ctx)
    return cl.assign(num=(cl["suitability"] == "Suitable").astype(float), den=1.0)


@indicator(
    **_meta(
        "cl_eet_pct",
        "Care leavers in education, employment or training",
        "Care leavers with activity F1, P1, F2, P2, F4, P4, F5, P5 (F3, P3 before 2023)",
    )
)
def cl_eet_pct(ctx: Context) -> pd.DataFrame:
    cl = _leavers(ctx)
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
    cl = _leavers(ctx)
    return cl.assign(num=cl["activity"].isin(NEET_ACTIVITY).astype(float), den=1.0)


@indicator(
    **_meta(
        "cl_pathway_plan_in_date_pct",
        "Care leavers with a pathway plan reviewed in the last 6 months",
        "Care leavers whose latest pathway plan review is in the 6 calendar months to the extract",
    )
)
def cl_pathway_plan_in_date_pct(ctx: Context) -> pd.DataFrame:
    cl = _leavers(ctx)
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
    cl = _leavers(ctx)
    return cl.assign(num=cl["pa"].notna().astype(float), den=1.0)
