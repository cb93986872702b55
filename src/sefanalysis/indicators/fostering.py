"""Foster-care sufficiency, from ``fostering.csv`` (the authority's register of fostering
households: one row per household, with the dates of enquiry, approval and de-registration;
Ofsted's annual fostering data collection counts the same households)."""

from __future__ import annotations

import pandas as pd

from .common import is_code, local
from .engine import Context
from .registry import indicator

AREA = "children_in_care"
SOURCE = "fostering.csv"
PUB = "Fostering in England (Ofsted, annual fostering data collection); local register"


def _households(ctx: Context) -> pd.DataFrame:
    return local(ctx, "fostering")[["household_id", "household_type", "enquiry_date",
                                    "approval_date", "deregistration_date"]]  # fmt: skip


def _approved(ctx: Context) -> pd.DataFrame:
    return ctx.open_at(_households(ctx), "approval_date", "deregistration_date")


@indicator(
    id="fostering_households",
    title="Approved fostering households",
    area=AREA,
    unit="count",
    polarity="higher_better",
    kind="snapshot",
    aggregate="count",
    numerator="Fostering households approved on or before the period end and not de-registered "
    "by the end of that day (mainstream, connected persons and other)",
    denominator="",
    source=SOURCE,
    publication=PUB,
)
def fostering_households(ctx: Context) -> pd.DataFrame:
    return _approved(ctx)


@indicator(
    id="fostering_connected_persons_pct",
    title="Fostering households that are connected persons",
    area=AREA,
    unit="pct",
    polarity="neutral",
    kind="snapshot",
    aggregate="pct",
    numerator="Approved households of type 'Connected persons' (family and friends)",
    denominator="Approved fostering households at the period end",
    source=SOURCE,
    publication=PUB,
)
def fostering_connected_persons_pct(ctx: Context) -> pd.DataFrame:
    now = _approved(ctx)
    return now.assign(num=is_code(now["household_type"], "Connected persons"), den=1.0)


@indicator(
    id="fostering_approvals",
    title="Fostering households approved",
    area=AREA,
    unit="count",
    polarity="higher_better",
    kind="flow",
    aggregate="count",
    numerator="Households approved in the window",
    denominator="",
    source=SOURCE,
    publication=PUB,
)
def fostering_approvals(ctx: Context) -> pd.DataFrame:
    return ctx.in_window(_households(ctx), "approval_date")


@indicator(
    id="fostering_deregistrations",
    title="Fostering households de-registered",
    area=AREA,
    unit="count",
    polarity="lower_better",
    kind="flow",
    aggregate="count",
    numerator="Households de-registered in the window (resigned, retired, terminated, "
    "transferred or other)",
    denominator="",
    source=SOURCE,
    publication=PUB,
)
def fostering_deregistrations(ctx: Context) -> pd.DataFrame:
    return ctx.in_window(_households(ctx), "deregistration_date")


@indicator(
    id="fostering_approvals_per_100_enquiries",
    title="Fostering enquiry to approval conversion rate",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="flow",
    aggregate="pct",
    numerator="Households approved in the window",
    denominator="Enquiries received in the window (households with an enquiry date in it)",
    exclusions="A ratio of two counts in the same window, not the share of one cohort of "
    "enquiries that reached approval (an assessment takes months)",
    source=SOURCE,
    publication=PUB,
)
def fostering_approvals_per_100_enquiries(ctx: Context) -> list[pd.DataFrame]:
    households = _households(ctx)
    approved = ctx.in_window(households, "approval_date").assign(den=0.0)
    enquiries = ctx.in_window(households, "enquiry_date").assign(num=0.0)
    return [approved, enquiries]
