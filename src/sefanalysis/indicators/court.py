"""Public Law Outline pre-proceedings and care proceedings, from ``plo.csv`` (the authority's
legal tracker: one row per child, with the dates of pre-proceedings and of the proceedings).

Durations are calendar days. The PLO aims to resolve pre-proceedings within 13 weeks (91 days;
guidance allows up to 16); care proceedings must be decided within 26 weeks beginning with the
day the application was issued (Children and Families Act 2014, s.14): a final order on or before
the issue date plus 181 days is within it.
"""

from __future__ import annotations

import pandas as pd

from .common import days_between, keep, local, once_per_child
from .engine import Context
from .registry import indicator

AREA = "help_protection"
SOURCE = "plo.csv"
PLO = "Public Law Outline (Ministry of Justice practice direction 12A); local legal tracker"
COURTS = "Children and Families Act 2014 s.14 (26 weeks); Cafcass and MoJ family court statistics"
WITHIN_26_WEEKS = 181  # the 26 weeks begin with the day of issue


def _plo(ctx: Context) -> pd.DataFrame:
    return keep(ctx, local(ctx, "plo"), "pre_proceedings_start", "pre_proceedings_end",
                "proceedings_issued", "final_order")  # fmt: skip


@indicator(
    id="plo_pre_proceedings_children",
    title="Children in PLO pre-proceedings",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="snapshot",
    aggregate="count",
    numerator="Children in pre-proceedings at the end of the period end day (started on or "
    "before it, not ended on or before it), each child once",
    denominator="",
    source=SOURCE,
    publication=PLO,
)
def plo_pre_proceedings_children(ctx: Context) -> pd.DataFrame:
    plo = ctx.open_at(_plo(ctx), "pre_proceedings_start", "pre_proceedings_end")
    return once_per_child(plo)


@indicator(
    id="plo_pre_proceedings_mean_days",
    title="Average days in pre-proceedings (13 weeks is 91 days)",
    area=AREA,
    unit="days",
    polarity="lower_better",
    kind="flow",
    aggregate="mean",
    numerator="Sum of calendar days from the start of pre-proceedings to its end",
    denominator="Children whose pre-proceedings ended in the window",
    exclusions="Calendar days, not working days. An end before the start is a data problem "
    "(reported) and left out",
    source=SOURCE,
    publication=PLO,
)
def plo_pre_proceedings_mean_days(ctx: Context) -> pd.DataFrame:
    ended = ctx.in_window(_plo(ctx), "pre_proceedings_end")
    days = days_between(ended["pre_proceedings_start"], ended["pre_proceedings_end"])
    return ended.assign(num=float("nan"), den=1.0, measure=days.where(days >= 0).to_numpy())


@indicator(
    id="care_proceedings_children",
    title="Children in care proceedings",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="snapshot",
    aggregate="count",
    numerator="Children whose care proceedings were issued on or before the period end and "
    "had no final order by the end of that day, each child once",
    denominator="",
    source=SOURCE,
    publication=COURTS,
)
def care_proceedings_children(ctx: Context) -> pd.DataFrame:
    return once_per_child(ctx.open_at(_plo(ctx), "proceedings_issued", "final_order"))


def _concluded(ctx: Context) -> pd.DataFrame:
    done = ctx.in_window(_plo(ctx), "final_order")
    days = days_between(done["proceedings_issued"], done["final_order"])
    return done.assign(days=days.to_numpy()).loc[(days >= 0).to_numpy()]


@indicator(
    id="care_proceedings_mean_days",
    title="Average days from issue to final order in care proceedings (26 weeks is 182 days)",
    area=AREA,
    unit="days",
    polarity="lower_better",
    kind="flow",
    aggregate="mean",
    numerator="Sum of calendar days from the issue of care proceedings to the final order",
    denominator="Children whose care proceedings ended with a final order in the window (and "
    "an issue date on or before it)",
    source=SOURCE,
    publication=COURTS,
)
def care_proceedings_mean_days(ctx: Context) -> pd.DataFrame:
    done = _concluded(ctx)
    return done.assign(num=float("nan"), den=1.0, measure=done["days"])


@indicator(
    id="care_proceedings_within_26wks_pct",
    title="Care proceedings concluded within 26 weeks",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="flow",
    aggregate="pct",
    numerator="Those whose final order was within 26 weeks beginning with the day of issue "
    "(on or before the issue date plus 181 days)",
    denominator="Children whose care proceedings ended with a final order in the window (and "
    "an issue date on or before it)",
    source=SOURCE,
    publication=COURTS,
)
def care_proceedings_within_26wks_pct(ctx: Context) -> pd.DataFrame:
    done = _concluded(ctx)
    return done.assign(num=(done["days"] <= WITHIN_26_WEEKS).astype(float).to_numpy(), den=1.0)
