"""Impact of leaders: workforce (DfE children's social work workforce definitions) and quality
assurance. Workforce figures use the month containing the period end from ``workforce.csv``
summed over teams."""

from __future__ import annotations

import pandas as pd

from .engine import Context
from .registry import indicator

AREA = "leadership"
CSWW = "Children's social work workforce (DfE), year to 30 September"


def _month(ctx: Context) -> pd.DataFrame:
    wf = ctx.dataset.table("workforce")
    if wf is None or wf.empty:
        return pd.DataFrame(columns=["period_end", "month"])
    monthly = wf.groupby("month", as_index=False).sum(numeric_only=True)
    monthly["month_end"] = monthly["month"] + pd.offsets.MonthEnd(0)
    monthly["next"] = monthly["month_end"] + pd.Timedelta(days=1)
    return ctx.open_at(monthly, "month_end", "next")


def _ratio(ctx: Context, num: str, den: list[str]) -> pd.DataFrame:
    m = _month(ctx)
    if m.empty:
        return pd.DataFrame(columns=["period_end", "num", "den"])
    return m.assign(num=m[num], den=sum(m[c] for c in den))


@indicator(
    id="sw_fte_in_post",
    title="Social workers in post (FTE)",
    area=AREA,
    unit="fte",
    polarity="higher_better",
    kind="snapshot",
    aggregate="sum",
    numerator="FTE social workers in post in the month of the period end",
    denominator="",
    source="workforce.csv",
    publication=CSWW,
)
def sw_fte_in_post(ctx: Context) -> pd.DataFrame:
    m = _month(ctx)
    return m.assign(num=m.get("fte_in_post"), den=1.0)


@indicator(
    id="sw_vacancy_rate_pct",
    title="Social worker vacancy rate",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="snapshot",
    aggregate="pct",
    numerator="Vacancy FTE",
    denominator="Vacancy FTE + FTE in post",
    source="workforce.csv",
    publication=CSWW,
)
def sw_vacancy_rate_pct(ctx: Context) -> pd.DataFrame:
    return _ratio(ctx, "vacancy_fte", ["vacancy_fte", "fte_in_post"])


@indicator(
    id="sw_agency_rate_pct",
    title="Agency social worker rate",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="snapshot",
    aggregate="pct",
    numerator="Agency FTE",
    denominator="Agency FTE + FTE in post",
    source="workforce.csv",
    publication=CSWW,
)
def sw_agency_rate_pct(ctx: Context) -> pd.DataFrame:
    return _ratio(ctx, "agency_fte", ["agency_fte", "fte_in_post"])


@indicator(
    id="sw_average_caseload",
    title="Average caseload per case-holding social worker",
    area=AREA,
    unit="ratio",
    polarity="lower_better",
    kind="snapshot",
    aggregate="ratio",
    numerator="Cases held",
    denominator="Case-holding FTE",
    source="workforce.csv",
    publication=CSWW,
)
def sw_average_caseload(ctx: Context) -> pd.DataFrame:
    return _ratio(ctx, "cases_held", ["case_holding_fte"])


@indicator(
    id="sw_turnover_rate_pct",
    title="Social worker turnover rate",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="snapshot",
    aggregate="pct",
    numerator="FTE leavers in the 12 months to the period end",
    denominator="FTE in post at the period end",
    source="workforce.csv",
    publication=CSWW,
)
def sw_turnover_rate_pct(ctx: Context) -> pd.DataFrame:
    wf = ctx.dataset.table("workforce")
    if wf is None or wf.empty:
        return pd.DataFrame(columns=["period_end", "num", "den"])
    ctx.coverage["sw_turnover_rate_pct"] = wf["month"].min() + pd.DateOffset(months=11)
    monthly = wf.groupby("month", as_index=False).sum(numeric_only=True)
    leavers = ctx.in_window(monthly, "month", window="12m").assign(
        num=lambda f: f["leavers_fte"], den=0.0
    )
    in_post = _month(ctx)
    return pd.concat([leavers, in_post.assign(num=0.0, den=in_post["fte_in_post"])])


def _audits(ctx: Context) -> pd.DataFrame:
    a = ctx.dataset.table("audits")
    if a is None or a.empty:
        return pd.DataFrame(columns=["audit_date", "grade", "final_grade"])
    final = a["moderated_grade"].where(a["moderated"].eq("Yes") & a["moderated_grade"].notna(),
                                       a["grade"])  # fmt: skip
    return a.assign(final_grade=final, team=a["service_area"])


@indicator(
    id="audits_completed",
    title="Case audits completed",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Case audits dated in the window",
    denominator="",
    source="audits.csv",
    publication="Local quality assurance",
)
def audits_completed(ctx: Context) -> pd.DataFrame:
    return ctx.in_window(_audits(ctx), "audit_date").assign(num=1.0, den=1.0)


@indicator(
    id="audits_good_or_better_pct",
    title="Case audits graded good or better",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="flow",
    aggregate="pct",
    numerator="Audits in the window graded Good or Outstanding (moderated grade where moderated)",
    denominator="Audits in the window",
    source="audits.csv",
    publication="Local quality assurance",
)
def audits_good_or_better_pct(ctx: Context) -> pd.DataFrame:
    a = ctx.in_window(_audits(ctx), "audit_date")
    return a.assign(num=a["final_grade"].isin(["Good", "Outstanding"]).astype(float), den=1.0)
