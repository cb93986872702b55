"""Impact of leaders: workforce (DfE children's social work workforce definitions) and quality
assurance. Workforce figures use the month containing the period end from ``workforce.csv``
summed over teams."""

from __future__ import annotations

import pandas as pd

from .common import keep
from .engine import Context, group_codes
from .registry import indicator

AREA = "leadership"
CSWW = "Children's social work workforce (DfE), year to 30 September"


def _by_month(ctx: Context, wf: pd.DataFrame) -> pd.DataFrame:
    """Workforce figures summed over teams per month, or per month and team when the breakdown
    or restriction asks for teams (a row without a team is its own, "Not recorded")."""
    keys = ["month", "team"] if "team" in ctx.breakdown_columns else ["month"]
    return wf.groupby(keys, as_index=False, dropna=False).sum(numeric_only=True)


def _month(ctx: Context) -> pd.DataFrame:
    wf = ctx.table("workforce")
    if wf is None or wf.empty:
        return pd.DataFrame(columns=["period_end", "month"])
    monthly = _by_month(ctx, wf)
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
    interval=False,
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
    interval=False,
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
    interval=False,
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
    interval=False,
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
    interval=False,
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
    return _year_over_in_post(ctx, "sw_turnover_rate_pct", "leavers_fte")


def _year_over_in_post(ctx: Context, ind_id: str, column: str) -> pd.DataFrame:
    """Units for "``column`` summed over the 12 months to the period end / FTE in post at it"."""
    wf = ctx.table("workforce")
    if wf is None or wf.empty:
        return pd.DataFrame(columns=["period_end", "num", "den"])
    ctx.coverage[ind_id] = wf["month"].min() + pd.DateOffset(months=11)
    monthly = _by_month(ctx, wf)
    year = ctx.in_window(monthly, "month", window="12m")
    in_post = _month(ctx)
    return pd.concat([year.assign(num=year[column], den=0.0),
                      in_post.assign(num=0.0, den=in_post["fte_in_post"])])  # fmt: skip


def _audits(ctx: Context) -> pd.DataFrame:
    a = ctx.table("audits")
    if a is None or a.empty:
        return pd.DataFrame(columns=["audit_date", "grade", "final_grade"])
    final = a["moderated_grade"].where(a["moderated"].eq("Yes") & a["moderated_grade"].notna(),
                                       a["grade"])  # fmt: skip
    return a.assign(final_grade=final, team=a["service_area"], grade=final)


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


@indicator(
    id="sw_sickness_days_per_fte",
    title="Sickness days lost per social worker (FTE)",
    area=AREA,
    unit="ratio",
    polarity="lower_better",
    kind="snapshot",
    aggregate="ratio",
    interval=False,
    numerator="FTE working days lost to sickness in the 12 months to the period end",
    denominator="FTE social workers in post at the period end",
    source="workforce.csv",
    publication=CSWW,
)
def sw_sickness_days_per_fte(ctx: Context) -> pd.DataFrame:
    return _year_over_in_post(ctx, "sw_sickness_days_per_fte", "sickness_days_lost")


@indicator(
    id="supervision_in_timescale_pct",
    title="Supervisions held within timescale",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="flow",
    aggregate="pct",
    numerator="Supervisions due in the window that were held on or before the due date "
    "plus the grace period (parameter supervision_grace_days, default 0)",
    denominator="Supervisions due in the window",
    source="supervision.csv",
    publication="Local standard",
)
def supervision_in_timescale_pct(ctx: Context) -> pd.DataFrame:
    sup = ctx.table("supervision")
    if sup is None or sup.empty:
        return pd.DataFrame(columns=["period_end", "num", "den"])
    grace = pd.Timedelta(days=int(ctx.params.get("supervision_grace_days", 0)))  # type: ignore[call-overload]
    due = ctx.in_window(sup, "due_date")
    ok = due["held_date"].notna() & (due["held_date"] <= due["due_date"] + grace)
    return due.assign(num=ok.astype(float), den=1.0)


def _complaints(ctx: Context) -> pd.DataFrame:
    c = ctx.table("complaints")
    if c is None or c.empty:
        return pd.DataFrame(columns=["received_date", "responded_date", "timescale_days"])
    return c


@indicator(
    id="complaints_received",
    title="Complaints received",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Complaints received in the window",
    denominator="",
    source="complaints.csv",
    publication="Local complaints procedure",
)
def complaints_received(ctx: Context) -> pd.DataFrame:
    return ctx.in_window(_complaints(ctx), "received_date").assign(num=1.0, den=1.0)


@indicator(
    id="complaints_in_timescale_pct",
    title="Complaints answered within timescale",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="flow",
    aggregate="pct",
    numerator="Complaints received in the window answered within their timescale in "
    "working days (timescale_days; 20 where blank)",
    denominator="Complaints received in the window",
    source="complaints.csv",
    publication="Local complaints procedure",
)
def complaints_in_timescale_pct(ctx: Context) -> pd.DataFrame:
    from ..calendar import working_days

    c = ctx.in_window(_complaints(ctx), "received_date")
    if c.empty:
        return c.assign(num=0.0, den=0.0)
    took = working_days(c["received_date"], c["responded_date"])
    limit = pd.to_numeric(c["timescale_days"], errors="coerce").fillna(20).to_numpy()
    return c.assign(num=(took <= limit).astype(float), den=1.0)


@indicator(
    id="unallocated_children",
    title="Children open to social care with no allocated worker",
    area=AREA,
    unit="count",
    polarity="lower_better",
    kind="snapshot",
    aggregate="count",
    numerator="Children with an open episode of need (List 6), plan "
    "(List 7) or period of care (List 8) at the extract and no allocated worker on it",
    denominator="",
    source="Annex A Lists 6, 7 and 8",
    publication="Ofsted Annex A allocated-worker fields",
    extract_only=True,
)
def unallocated_children(ctx: Context) -> pd.DataFrame:
    pieces = []
    for key, start, end in (("cin", "cin_start", "cin_end"), ("cp", "cpp_start", "cpp_end"),
                            ("cla", "cla_start", "cla_end")):  # fmt: skip
        open_now = ctx.open_at(keep(ctx, ctx.list(key), "worker", start, end), start, end)
        pieces.append(open_now.drop(columns=[start, end]))  # the lists name their dates apart
    both = pd.concat(pieces, ignore_index=True)
    # a child is allocated if any open record of theirs names a worker
    has_worker = both["worker"].notna()
    keys = [group_codes(both["child_id"]), both["period_end"]]
    allocated = has_worker.groupby(keys).transform("max")
    both = both.assign(allocated=allocated).drop_duplicates(["child_id", "period_end"])
    return both.loc[~both["allocated"].astype(bool)].assign(num=1.0, den=1.0)


@indicator(
    id="complaints_upheld_pct",
    title="Complaints upheld in full or in part",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="flow",
    aggregate="pct",
    numerator="Complaints answered in the window that were upheld or partly upheld",
    denominator="Complaints answered in the window (responded_date in it) with the outcome "
    "recorded",
    source="complaints.csv",
    publication="Children Act 1989 representations procedure (England) Regulations 2006",
)
def complaints_upheld_pct(ctx: Context) -> pd.DataFrame:
    c = ctx.in_window(_complaints(ctx), "responded_date")
    upheld = c["upheld"] if "upheld" in c else pd.Series(pd.NA, index=c.index)
    return c.assign(num=upheld.isin(["Yes", "Partly"]).to_numpy(dtype=float),
                    den=upheld.notna().to_numpy(dtype=float))  # fmt: skip


@indicator(
    id="complaints_escalated_pct",
    title="Complaints received at stage 2 or beyond",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="flow",
    aggregate="pct",
    numerator="Complaints received in the window at stage 2 (investigation), stage 3 (review "
    "panel) or by the Local Government and Social Care Ombudsman",
    denominator="Complaints received in the window with a stage recorded (informal, stage 1, "
    "2, 3 or LGSCO; see the breakdown 'stage')",
    source="complaints.csv",
    publication="Children Act 1989 representations procedure (England) Regulations 2006",
)
def complaints_escalated_pct(ctx: Context) -> pd.DataFrame:
    c = ctx.in_window(_complaints(ctx), "received_date")
    stage = c["stage"] if "stage" in c else pd.Series(pd.NA, index=c.index)
    return c.assign(num=stage.isin(["Stage 2", "Stage 3", "LGSCO"]).to_numpy(dtype=float),
                    den=stage.notna().to_numpy(dtype=float))  # fmt: skip


@indicator(
    id="lgsco_complaints",
    title="Complaints to the Local Government and Social Care Ombudsman",
    area=AREA,
    unit="count",
    polarity="lower_better",
    kind="flow",
    aggregate="count",
    numerator="Complaints received in the window at the ombudsman's stage (stage LGSCO)",
    denominator="",
    source="complaints.csv",
    publication="Local Government and Social Care Ombudsman annual review letters",
)
def lgsco_complaints(ctx: Context) -> pd.DataFrame:
    c = ctx.in_window(_complaints(ctx), "received_date")
    stage = c["stage"] if "stage" in c else pd.Series(pd.NA, index=c.index)
    return c.loc[stage.isin(["LGSCO"]).to_numpy()]


@indicator(
    id="compliments_received",
    title="Compliments received",
    area=AREA,
    unit="count",
    polarity="higher_better",
    kind="flow",
    aggregate="count",
    numerator="Compliments received in the window",
    denominator="",
    source="compliments.csv",
    publication="Local complaints and compliments procedure",
)
def compliments_received(ctx: Context) -> pd.DataFrame:
    from .common import local

    return ctx.in_window(local(ctx, "compliments"), "received_date")
