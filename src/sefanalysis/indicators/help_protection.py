"""Help and protection indicators (Annex A lists 1-7), to DfE CIN census definitions.

Each function returns the units counted (see :mod:`.registry`); the arithmetic of values,
windows and breakdowns is the engine's. Where the authority's CIN census return is supplied,
it is the official source at its 31 March for the indicators marked ``census_first`` (see
:mod:`.census`): those values come from the census and Annex A gives every other period, and
each value's note names its source ("Source: CIN census (official)", "Source: Annex A List 3").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..calendar import working_days
from .census import census_first
from .common import cover, flag, keep, list_start
from .engine import (
    ASSESSMENT_BANDS,
    ICPC_BANDS,
    POPULATION_RULE,
    Context,
    band_of,
    group_codes,
)
from .registry import indicator

AREA = "help_protection"
CIN = "Children in need census / characteristics of children in need (DfE)"


def _count(ctx: Context, ind_id: str, key: str, date_col: str) -> pd.DataFrame:
    cover(ctx, ind_id, key, date_col)
    return ctx.in_window(keep(ctx, ctx.list(key), date_col), date_col)  # each counts once


@indicator(
    id="contacts",
    title="Contacts received",
    short_title="Contacts",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Contacts (one per child) dated in the window",
    denominator="",
    source="Annex A List 1",
    publication="Ofsted Annex A List 1",
)
def contacts(ctx: Context) -> pd.DataFrame:
    return _count(ctx, "contacts", "contacts", "contact_date")


@indicator(
    id="contact_to_referral_pct",
    title="Contacts that led to a referral",
    area=AREA,
    unit="pct",
    polarity="neutral",
    kind="flow",
    aggregate="pct",
    numerator="Referrals dated in the window",
    denominator="Contacts dated in the window",
    source="Annex A Lists 1 and 3",
    publication="ChAT contact conversion",
)
def contact_to_referral_pct(ctx: Context) -> list[pd.DataFrame]:
    cover(ctx, "contact_to_referral_pct", "contacts", "contact_date")
    refs = ctx.in_window(keep(ctx, ctx.list("referrals"), "referral_date"), "referral_date")
    cons = ctx.in_window(keep(ctx, ctx.list("contacts"), "contact_date"), "contact_date")
    return [refs.assign(den=0.0), cons.assign(num=0.0)]  # without num or den a unit counts 1


@indicator(
    id="referrals",
    title="Referrals received",
    short_title="Referrals",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Referrals dated in the window (a child may have several)",
    denominator="",
    source="Annex A List 3; CIN census at 31 March where supplied",
    publication=CIN,
)
@census_first("referrals")
def referrals(ctx: Context) -> pd.DataFrame:
    return _count(ctx, "referrals", "referrals", "referral_date")


@indicator(
    id="referral_rate_per_10k",
    title="Referrals per 10,000 children",
    area=AREA,
    unit="rate_per_10k",
    polarity="neutral",
    kind="flow",
    aggregate="rate_per_10k",
    numerator="Referrals dated in the window",
    denominator="Children aged 0-17: " + POPULATION_RULE,
    exclusions="Not annualised: a 3 or 6 month window gives a 3 or 6 month rate",
    source="Annex A List 3; population.csv; CIN census at 31 March where supplied",
    publication=CIN + ", table A1",
)
@census_first("referral_rate_per_10k")
def referral_rate_per_10k(ctx: Context) -> pd.DataFrame:
    return _count(ctx, "referral_rate_per_10k", "referrals", "referral_date")


@indicator(
    id="re_referral_pct",
    title="Re-referrals within 12 months",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="flow",
    aggregate="pct",
    numerator="Referrals in the window whose child had another referral in the 12 "
    "calendar months before it (a referral exactly 12 months after the last counts)",
    denominator="Referrals dated in the window",
    exclusions="Where the data does not reach back 12 months from a referral, List 3's "
    "'Number of Referrals in Last 12 Months' >= 1 is used instead",
    source="Annex A List 3; CIN census at 31 March where supplied",
    publication=CIN + ", table A1 (re-referrals)",
)
@census_first("re_referral_pct")
def re_referral_pct(ctx: Context) -> pd.DataFrame:
    refs = ctx.list("referrals")
    cover(ctx, "re_referral_pct", "referrals", "referral_date")
    refs = refs.loc[refs["referral_date"].notna()].sort_values(["child_id", "referral_date"])
    prev = refs.groupby(group_codes(refs["child_id"]))["referral_date"].shift()
    # earliest referral of the same child on or after (date - 12 months), before this one
    look_back = refs["referral_date"] - pd.DateOffset(months=12)
    history = prev.notna() & (prev >= look_back)
    data_start = list_start(ctx, "referrals", "referral_date")
    complete = look_back >= data_start if data_start is not None else look_back.isna()
    from_count = refs["n_referrals_12m"].fillna(0) >= 1
    is_re = history | (~complete & from_count)
    units = keep(ctx, refs, "referral_date").assign(num=is_re.astype(float).to_numpy(), den=1.0)
    return ctx.in_window(units, "referral_date")


@indicator(
    id="referral_nfa_pct",
    title="Referrals with no further action",
    area=AREA,
    unit="pct",
    polarity="neutral",
    kind="flow",
    aggregate="pct",
    numerator="Referrals in the window marked 'Referral NFA?' = Yes",
    denominator="Referrals in the window with 'Referral NFA?' recorded",
    source="Annex A List 3; CIN census at 31 March where supplied",
    publication=CIN,
)
@census_first("referral_nfa_pct")
def referral_nfa_pct(ctx: Context) -> pd.DataFrame:
    cover(ctx, "referral_nfa_pct", "referrals", "referral_date")
    refs = ctx.list("referrals")
    f = flag(refs["referral_nfa"])
    units = keep(ctx, refs, "referral_date").assign(
        num=f.fillna(0).to_numpy(), den=f.notna().astype(float).to_numpy()
    )
    return ctx.in_window(units, "referral_date")


@indicator(
    id="referrals_from_early_help",
    title="Referrals from early help (step-up)",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Referrals dated in the window whose source is 5D (LA services: early help), the "
    "CIN census code for a step-up from early help",
    denominator="",
    exclusions="Referrals with no source recorded are not counted (see the source breakdown)",
    source="Annex A List 3",
    publication=CIN + " (referral source 5D)",
)
def referrals_from_early_help(ctx: Context) -> pd.DataFrame:
    cover(ctx, "referrals_from_early_help", "referrals", "referral_date")
    refs = ctx.list("referrals")
    refs = keep(ctx, refs.loc[refs["source"].isin(["5D"]).to_numpy()], "referral_date")
    return ctx.in_window(refs, "referral_date")


@indicator(
    id="early_help_assessments",
    title="Early help assessments started",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Early help assessments with a start date in the window",
    denominator="",
    source="Annex A List 2",
    publication="Ofsted Annex A List 2",
)
def early_help_assessments(ctx: Context) -> pd.DataFrame:
    return _count(ctx, "early_help_assessments", "early_help", "eh_start")


def _assessments(ctx: Context, ind_id: str) -> pd.DataFrame:
    a = ctx.list("assessments")
    cover(ctx, ind_id, "assessments", "asmt_start")
    a = keep(ctx, a, "asmt_start", "asmt_auth", "asmt_needs_support")
    a = a.assign(wd=working_days(a["asmt_start"], a["asmt_auth"]))
    return a.assign(duration_band=band_of(a["wd"], ASSESSMENT_BANDS))


@indicator(
    id="assessments_completed",
    title="Assessments completed",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Assessments authorised in the window",
    denominator="",
    source="Annex A List 4; CIN census at 31 March where supplied",
    publication=CIN + ", table C1",
)
@census_first("assessments_completed")
def assessments_completed(ctx: Context) -> pd.DataFrame:
    a = _assessments(ctx, "assessments_completed")
    return ctx.in_window(a, "asmt_auth").assign(num=1.0, den=1.0)


@indicator(
    id="assessment_rate_per_10k",
    title="Assessments completed per 10,000 children",
    area=AREA,
    unit="rate_per_10k",
    polarity="neutral",
    kind="flow",
    aggregate="rate_per_10k",
    numerator="Assessments authorised in the window",
    denominator="Children aged 0-17: " + POPULATION_RULE,
    exclusions="Not annualised",
    source="Annex A List 4; population.csv; CIN census at 31 March where supplied",
    publication=CIN + ", table C1",
)
@census_first("assessment_rate_per_10k")
def assessment_rate_per_10k(ctx: Context) -> pd.DataFrame:
    a = _assessments(ctx, "assessment_rate_per_10k")
    return ctx.in_window(a, "asmt_auth").assign(num=1.0, den=1.0)


@indicator(
    id="assessments_within_45wd_pct",
    title="Assessments completed within 45 working days",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="flow",
    aggregate="pct",
    numerator="Assessments authorised in the window within 45 working days of their start",
    denominator="Assessments authorised in the window with a valid duration",
    exclusions="Authorisation before the start date (reported as a data problem)",
    source="Annex A List 4; CIN census at 31 March where supplied",
    publication=CIN + ", table C2",
)
@census_first("assessments_within_45wd_pct")
def assessments_within_45wd_pct(ctx: Context) -> pd.DataFrame:
    a = _assessments(ctx, "assessments_within_45wd_pct")
    a = a.loc[a["wd"] >= 0]
    return ctx.in_window(a, "asmt_auth").assign(
        num=lambda f: (f["wd"] <= 45).astype(float), den=1.0
    )


@indicator(
    id="assessment_median_wd",
    title="Median assessment duration (working days)",
    area=AREA,
    unit="days",
    polarity="lower_better",
    kind="flow",
    aggregate="median",
    numerator="",
    denominator="Assessments authorised in the window with a valid duration",
    source="Annex A List 4; CIN census at 31 March where supplied",
    publication=CIN + ", table C2",
)
@census_first("assessment_median_wd")
def assessment_median_wd(ctx: Context) -> pd.DataFrame:
    a = _assessments(ctx, "assessment_median_wd")
    a = a.loc[a["wd"] >= 0]
    return ctx.in_window(a, "asmt_auth").assign(num=np.nan, den=1.0, measure=lambda f: f["wd"])


@indicator(
    id="assessment_mean_wd",
    title="Average assessment duration (working days)",
    area=AREA,
    unit="days",
    polarity="lower_better",
    kind="flow",
    aggregate="mean",
    numerator="Sum of working days from the start of each assessment to its authorisation",
    denominator="Assessments authorised in the window with a valid duration",
    source="Annex A List 4",
    publication="ChAT (average duration of completed assessments); " + CIN + ", table C2",
)
def assessment_mean_wd(ctx: Context) -> pd.DataFrame:
    a = _assessments(ctx, "assessment_mean_wd")
    a = a.loc[a["wd"] >= 0]
    return ctx.in_window(a, "asmt_auth").assign(num=np.nan, den=1.0, measure=lambda f: f["wd"])


@indicator(
    id="assessment_nfa_pct",
    title="Assessments ending with no further action",
    area=AREA,
    unit="pct",
    polarity="neutral",
    kind="flow",
    aggregate="pct",
    numerator="Assessments authorised in the window where the child was not assessed as "
    "needing children's social care support",
    denominator="Assessments authorised in the window with the outcome recorded",
    source="Annex A List 4",
    publication=CIN + ", table C3",
)
def assessment_nfa_pct(ctx: Context) -> pd.DataFrame:
    a = _assessments(ctx, "assessment_nfa_pct")
    known = a["asmt_needs_support"].isin(["Yes", "No"])
    a = a.assign(num=(a["asmt_needs_support"] == "No").astype(float), den=known.astype(float))
    return ctx.in_window(a, "asmt_auth")


def _s47(ctx: Context, ind_id: str) -> pd.DataFrame:
    s = ctx.list("s47")
    cover(ctx, ind_id, "s47", "strategy_date")
    s = keep(ctx, s, "strategy_date", "icpc_date", "icpc_to_cpp")
    s = s.assign(wd=working_days(s["strategy_date"], s["icpc_date"]))
    return s.assign(duration_band=band_of(s["wd"], ICPC_BANDS))


@indicator(
    id="s47_enquiries",
    title="Section 47 enquiries started",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="S47 enquiries whose initiating strategy discussion is in the window",
    denominator="",
    source="Annex A List 5; CIN census at 31 March where supplied",
    publication=CIN + ", table D1",
)
@census_first("s47_enquiries")
def s47_enquiries(ctx: Context) -> pd.DataFrame:
    return ctx.in_window(_s47(ctx, "s47_enquiries"), "strategy_date").assign(num=1.0, den=1.0)


@indicator(
    id="s47_rate_per_10k",
    title="Section 47 enquiries per 10,000 children",
    area=AREA,
    unit="rate_per_10k",
    polarity="neutral",
    kind="flow",
    aggregate="rate_per_10k",
    numerator="S47 enquiries started in the window",
    denominator="Children aged 0-17: " + POPULATION_RULE,
    exclusions="Not annualised",
    source="Annex A List 5; population.csv; CIN census at 31 March where supplied",
    publication=CIN + ", table D1",
)
@census_first("s47_rate_per_10k")
def s47_rate_per_10k(ctx: Context) -> pd.DataFrame:
    return ctx.in_window(_s47(ctx, "s47_rate_per_10k"), "strategy_date").assign(num=1.0, den=1.0)


@indicator(
    id="s47_to_icpc_pct",
    title="Section 47 enquiries leading to an initial conference",
    area=AREA,
    unit="pct",
    polarity="neutral",
    kind="flow",
    aggregate="pct",
    numerator="Initial child protection conferences held in the window",
    denominator="S47 enquiries started in the window",
    source="Annex A List 5; CIN census at 31 March where supplied",
    publication=CIN + ", table D1",
)
@census_first("s47_to_icpc_pct")
def s47_to_icpc_pct(ctx: Context) -> list[pd.DataFrame]:
    s = _s47(ctx, "s47_to_icpc_pct")
    held = ctx.in_window(s, "icpc_date").assign(num=1.0, den=0.0)
    started = ctx.in_window(s, "strategy_date").assign(num=0.0, den=1.0)
    return [held, started]


@indicator(
    id="icpc_within_15wd_pct",
    title="Initial conferences within 15 working days",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="flow",
    aggregate="pct",
    numerator="ICPCs held in the window within 15 working days of the strategy discussion "
    "that initiated the S47 enquiry",
    denominator="ICPCs held in the window with a valid duration",
    exclusions="ICPC dated before the strategy discussion (reported as a data problem). "
    "DfE measures from the S47 start date; Annex A holds the strategy discussion date",
    source="Annex A List 5; CIN census at 31 March where supplied",
    publication=CIN + ", table C4",
)
@census_first("icpc_within_15wd_pct")
def icpc_within_15wd_pct(ctx: Context) -> pd.DataFrame:
    s = _s47(ctx, "icpc_within_15wd_pct")
    s = s.loc[s["wd"] >= 0]
    return ctx.in_window(s, "icpc_date").assign(
        num=lambda f: (f["wd"] <= 15).astype(float), den=1.0
    )


@indicator(
    id="icpc_to_cpp_pct",
    title="Initial conferences resulting in a child protection plan",
    area=AREA,
    unit="pct",
    polarity="neutral",
    kind="flow",
    aggregate="pct",
    numerator="ICPCs held in the window that resulted in a plan",
    denominator="ICPCs held in the window with the outcome recorded",
    source="Annex A List 5",
    publication="ChAT conference conversion",
)
def icpc_to_cpp_pct(ctx: Context) -> pd.DataFrame:
    s = _s47(ctx, "icpc_to_cpp_pct")
    f = flag(s["icpc_to_cpp"])
    s = s.assign(num=f.fillna(0).to_numpy(), den=f.notna().astype(float).to_numpy())
    return ctx.in_window(s, "icpc_date")


def _open_cin(ctx: Context, ind_id: str) -> pd.DataFrame:
    cin = ctx.list("cin")
    cover(ctx, ind_id, "cin", "cin_end")
    return ctx.open_at(keep(ctx, cin, "cin_start", "cin_end"), "cin_start", "cin_end")


@indicator(
    id="cin_count",
    title="Children in need",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="snapshot",
    aggregate="count",
    numerator="Episodes of need open at the period end (includes children on a plan and in care)",
    denominator="",
    source="Annex A List 6; CIN census at 31 March where supplied",
    publication=CIN + ", table B1",
)
@census_first("cin_count")
def cin_count(ctx: Context) -> pd.DataFrame:
    return _open_cin(ctx, "cin_count").assign(num=1.0, den=1.0)


@indicator(
    id="cin_rate_per_10k",
    title="Children in need per 10,000 children",
    area=AREA,
    unit="rate_per_10k",
    polarity="neutral",
    kind="snapshot",
    aggregate="rate_per_10k",
    numerator="Episodes of need open at the period end",
    denominator="Children aged 0-17: " + POPULATION_RULE,
    source="Annex A List 6; population.csv; CIN census at 31 March where supplied",
    publication=CIN + ", table B1",
)
@census_first("cin_rate_per_10k")
def cin_rate_per_10k(ctx: Context) -> pd.DataFrame:
    return _open_cin(ctx, "cin_rate_per_10k").assign(num=1.0, den=1.0)


@indicator(
    id="cin_closed_to_early_help_pct",
    title="Children in need cases closed with a step-down to early help",
    area=AREA,
    unit="pct",
    polarity="neutral",
    kind="flow",
    aggregate="pct",
    numerator="Episodes of need closed in the window with reason RC9 (case closed after "
    "assessment, referred to early help)",
    denominator="Episodes of need closed in the window with a reason for closure recorded",
    exclusions="RC9 exists in the newer template and the CIN census from 2022-23; a list "
    "without it counts no step-downs",
    source="Annex A List 6",
    publication=CIN + " (reason for closure RC9)",
)
def cin_closed_to_early_help_pct(ctx: Context) -> pd.DataFrame:
    cover(ctx, "cin_closed_to_early_help_pct", "cin", "cin_end")
    cin = keep(ctx, ctx.list("cin"), "cin_end", "cin_closure_reason")
    closed = ctx.in_window(cin, "cin_end")
    reason = closed["cin_closure_reason"]
    return closed.assign(num=reason.isin(["RC9"]).to_numpy(dtype=float),
                         den=reason.notna().to_numpy(dtype=float))  # fmt: skip


def _plans(
    ctx: Context, ind_id: str, date_col: str = "cpp_end", latest: bool = True
) -> pd.DataFrame:
    """List 7 plans; with the breakdown by category of abuse, ``abuse_category`` is the latest
    category (open plans) or the initial one (plans started)."""
    cover(ctx, ind_id, "cp", date_col)
    cp = ctx.list("cp")
    if "abuse_category" in ctx.breakdown_columns:
        initial = cp["abuse_initial"].astype(object)
        category = cp["abuse_latest"].astype(object).fillna(initial) if latest else initial
        cp = cp.assign(abuse_category=category.to_numpy())
    return keep(ctx, cp, "cpp_start", "cpp_end", "n_previous_cpp", "last_visit")


@indicator(
    id="cpp_count",
    title="Children on a child protection plan",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="snapshot",
    aggregate="count",
    numerator="Plans open at the period end",
    denominator="",
    source="Annex A List 7; CIN census at 31 March where supplied",
    publication=CIN + ", table D2",
)
@census_first("cpp_count")
def cpp_count(ctx: Context) -> pd.DataFrame:
    plans = _plans(ctx, "cpp_count")
    return ctx.open_at(plans, "cpp_start", "cpp_end").assign(num=1.0, den=1.0)


@indicator(
    id="cpp_rate_per_10k",
    title="Children on a plan per 10,000 children",
    area=AREA,
    unit="rate_per_10k",
    polarity="neutral",
    kind="snapshot",
    aggregate="rate_per_10k",
    numerator="Plans open at the period end",
    denominator="Children aged 0-17: " + POPULATION_RULE,
    source="Annex A List 7; population.csv; CIN census at 31 March where supplied",
    publication=CIN + ", table D2",
)
@census_first("cpp_rate_per_10k")
def cpp_rate_per_10k(ctx: Context) -> pd.DataFrame:
    plans = _plans(ctx, "cpp_rate_per_10k")
    return ctx.open_at(plans, "cpp_start", "cpp_end").assign(num=1.0, den=1.0)


@indicator(
    id="cpp_starts",
    title="Child protection plans started",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Plans with a start date in the window",
    denominator="",
    source="Annex A List 7; CIN census at 31 March where supplied",
    publication=CIN + ", table D1",
)
@census_first("cpp_starts")
def cpp_starts(ctx: Context) -> pd.DataFrame:
    plans = _plans(ctx, "cpp_starts", latest=False)
    return ctx.in_window(plans, "cpp_start").assign(num=1.0, den=1.0)


@indicator(
    id="cpp_second_or_subsequent_pct",
    title="Child protection plans for a second or subsequent time",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="flow",
    aggregate="pct",
    numerator="Plans started in the window where the child had a previous plan at any "
    "time ('Number of Previous Child Protection Plans' >= 1, or an earlier plan in the data)",
    denominator="Plans started in the window",
    source="Annex A List 7; CIN census at 31 March where supplied",
    publication=CIN + ", table D3",
)
@census_first("cpp_second_or_subsequent_pct")
def cpp_second_or_subsequent_pct(ctx: Context) -> pd.DataFrame:
    plans = _plans(ctx, "cpp_second_or_subsequent_pct").sort_values(["child_id", "cpp_start"])
    earlier = plans.groupby(group_codes(plans["child_id"])).cumcount() > 0
    second = earlier | (plans["n_previous_cpp"].fillna(0) >= 1)
    plans = plans.assign(num=second.astype(float).to_numpy(), den=1.0)
    return ctx.in_window(plans, "cpp_start")


def _ended(ctx: Context, ind_id: str) -> pd.DataFrame:
    plans = _plans(ctx, ind_id)
    return ctx.in_window(plans, "cpp_end")


@indicator(
    id="cpp_ended_2yrs_plus_pct",
    title="Plans ended that had lasted 2 years or more",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="flow",
    aggregate="pct",
    numerator="Plans ended in the window whose end date is on or after the start date "
    "plus 2 calendar years",
    denominator="Plans ended in the window",
    source="Annex A List 7; CIN census at 31 March where supplied",
    publication=CIN + ", table D7",
)
@census_first("cpp_ended_2yrs_plus_pct")
def cpp_ended_2yrs_plus_pct(ctx: Context) -> pd.DataFrame:
    ended = _ended(ctx, "cpp_ended_2yrs_plus_pct")
    long = ended["cpp_end"] >= ended["cpp_start"] + pd.DateOffset(years=2)
    return ended.assign(num=long.astype(float).to_numpy(), den=1.0)


@indicator(
    id="cpp_ended_under_3m_pct",
    title="Plans ended within 3 months of starting",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="flow",
    aggregate="pct",
    numerator="Plans ended in the window whose end date is before the start date plus 3 "
    "calendar months",
    denominator="Plans ended in the window",
    source="Annex A List 7; CIN census at 31 March where supplied",
    publication=CIN + ", table D7",
)
@census_first("cpp_ended_under_3m_pct")
def cpp_ended_under_3m_pct(ctx: Context) -> pd.DataFrame:
    ended = _ended(ctx, "cpp_ended_under_3m_pct")
    short = ended["cpp_end"] < ended["cpp_start"] + pd.DateOffset(months=3)
    return ended.assign(num=short.astype(float).to_numpy(), den=1.0)


@indicator(
    id="cpp_visit_within_4wks_pct",
    title="Children on a plan visited in the last 4 weeks",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="snapshot",
    aggregate="pct",
    numerator="Children on a plan at the period end whose last statutory visit was in the "
    "28 days up to it",
    denominator="Children on a plan at the period end",
    exclusions="Only valid when the period end is the extract date: the list holds the "
    "latest visit only",
    source="Annex A List 7",
    publication="Local standard (ChAT)",
    extract_only=True,
)
def cpp_visit_within_4wks_pct(ctx: Context) -> pd.DataFrame:
    plans = ctx.open_at(_plans(ctx, "cpp_visit_within_4wks_pct"), "cpp_start", "cpp_end")
    gap = (plans["period_end"] - plans["last_visit"]).dt.days
    return plans.assign(num=((gap >= 0) & (gap <= 28)).astype(float), den=1.0)


@indicator(
    id="cpp_neglect_pct",
    title="Child protection plans started under the category of neglect",
    area=AREA,
    unit="pct",
    polarity="neutral",
    kind="flow",
    aggregate="pct",
    numerator="Plans started in the window whose initial category of abuse is neglect",
    denominator="Plans started in the window with an initial category recorded",
    source="Annex A List 7",
    publication=CIN + ", table D4 (initial category of abuse)",
)
def cpp_neglect_pct(ctx: Context) -> pd.DataFrame:
    cover(ctx, "cpp_neglect_pct", "cp", "cpp_end")
    plans = keep(ctx, ctx.list("cp"), "cpp_start", "abuse_initial")
    started = ctx.in_window(plans, "cpp_start")
    category = started["abuse_initial"]
    return started.assign(num=category.isin(["Neglect"]).to_numpy(dtype=float),
                          den=category.notna().to_numpy(dtype=float))  # fmt: skip


@indicator(
    id="cpp_seen_alone_pct",
    title="Children on a plan seen alone at their last statutory visit",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="snapshot",
    aggregate="pct",
    numerator="Those recorded as seen alone ('Was the Child Seen Alone?' = Yes)",
    denominator="Children on a plan at the period end with 'seen alone' recorded as Yes or No "
    "(Ofsted's 'c) Unknown' is left out, not counted as a No)",
    exclusions="Only valid when the period end is the extract date: the list holds the "
    "latest visit only",
    source="Annex A List 7",
    publication="Local standard (ChAT)",
    extract_only=True,
)
def cpp_seen_alone_pct(ctx: Context) -> pd.DataFrame:
    cover(ctx, "cpp_seen_alone_pct", "cp", "cpp_end")
    plans = keep(ctx, ctx.list("cp"), "cpp_start", "cpp_end", "seen_alone")
    now = ctx.open_at(plans, "cpp_start", "cpp_end")
    f = flag(now["seen_alone"])
    return now.assign(num=f.fillna(0).to_numpy(dtype=float),
                      den=f.notna().to_numpy(dtype=float))  # fmt: skip
