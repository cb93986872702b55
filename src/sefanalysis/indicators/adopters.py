"""Adopter recruitment: the funnel of Annex A List 11 (every individual who had contact with the
adoption agency in the 12 months to the extract; one row per adopter). Households are counted,
not individuals: the family identifier where given, else the adopter's own."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import cover, days_between
from .engine import Context
from .registry import indicator

AREA = "children_in_care"
SOURCE = "Annex A List 11"
PUB = "Adoption and Special Guardianship Leadership Board (ASGLB) adopter recruitment data"


def _households(ctx: Context, ind_id: str, date_col: str) -> pd.DataFrame:
    cover(ctx, ind_id, "adopters", "enquiry")
    a = ctx.list("adopters")
    household = a["family_id"].astype(object).where(a["family_id"].notna(), a["adopter_id"])
    a = a[["enquiry", "stage1_start", "approved"]].assign(household=household.to_numpy())
    event = ctx.in_window(a, date_col)
    return event.drop_duplicates(["household", "period_end"])


@indicator(
    id="adopter_enquiries",
    title="Adoption enquiries received (households)",
    area=AREA,
    unit="count",
    polarity="higher_better",
    kind="flow",
    aggregate="count",
    numerator="Households (family identifier, else the adopter) with an enquiry received in "
    "the window",
    denominator="",
    source=SOURCE,
    publication=PUB,
)
def adopter_enquiries(ctx: Context) -> pd.DataFrame:
    return _households(ctx, "adopter_enquiries", "enquiry")


@indicator(
    id="adopters_approved",
    title="Adopter households approved",
    area=AREA,
    unit="count",
    polarity="higher_better",
    kind="flow",
    aggregate="count",
    numerator="Households whose application was approved in the window",
    denominator="",
    source=SOURCE,
    publication=PUB,
)
def adopters_approved(ctx: Context) -> pd.DataFrame:
    return _households(ctx, "adopters_approved", "approved")


@indicator(
    id="adopter_approval_mean_days",
    title="Average days from stage 1 to approval for adopters",
    area=AREA,
    unit="days",
    polarity="lower_better",
    kind="flow",
    aggregate="mean",
    numerator="Sum of calendar days from the start of stage 1 to approval (the two stages are "
    "expected to take about 6 months: 2 for stage 1, 4 for stage 2)",
    denominator="Households approved in the window with a stage 1 start date on or before the "
    "approval",
    source=SOURCE,
    publication=PUB,
)
def adopter_approval_mean_days(ctx: Context) -> pd.DataFrame:
    approved = _households(ctx, "adopter_approval_mean_days", "approved")
    days = days_between(approved["stage1_start"], approved["approved"])
    return approved.assign(num=np.nan, den=1.0, measure=days.where(days >= 0).to_numpy())
