"""Children in care indicators: Annex A List 8, and SSDA903 episodes where present (official).

Placement counting (DfE rules, used for stability): a new placement starts at an episode whose
reason for new episode (RNE) is S, P, B, T or U, except temporary placements (PLACE T0-T4) and a
placement for adoption with the child's current foster carer (A3, A5); a change of legal status
only (RNE = L) continues the current placement, and so does a return from a temporary placement
to the placement (same type and URN) the child had before it.
"""

from __future__ import annotations

import pandas as pd

from ..periods import age_at
from .common import cover, keep
from .engine import Context, group_codes
from .registry import indicator

AREA = "children_in_care"
CLA = "Children looked after in England including adoptions (DfE)"
SHORT_BREAKS = {"V3", "V4"}
TEMPORARY = {"T0", "T1", "T2", "T3", "T4"}
ADOPTION_WITH_CARER = {"A3", "A5"}


def _cla(ctx: Context, ind_id: str) -> pd.DataFrame:
    cla = ctx.list("cla")
    cover(ctx, ind_id, "cla", "cla_end")
    cla = cla.loc[~cla["legal_status"].isin(SHORT_BREAKS)]
    return keep(ctx, cla, "cla_start", "cla_end", "uasc", "n_placements_12m", "placement_location")


@indicator(
    id="cla_count",
    title="Children in care",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="snapshot",
    aggregate="count",
    numerator="Children in care at the period end",
    denominator="",
    exclusions="Short breaks (legal status V3, V4)",
    source="SSDA903 episodes where supplied, else Annex A List 8",
    publication=CLA,
)
def cla_count(ctx: Context) -> pd.DataFrame:
    return _in_care_now(ctx, "cla_count")


@indicator(
    id="cla_rate_per_10k",
    title="Children in care per 10,000 children",
    area=AREA,
    unit="rate_per_10k",
    polarity="neutral",
    kind="snapshot",
    aggregate="rate_per_10k",
    numerator="Children in care at the period end",
    denominator="ONS mid-year estimate of children aged 0-17",
    exclusions="Short breaks (legal status V3, V4)",
    source="SSDA903 episodes where supplied, else Annex A List 8; population.csv",
    publication=CLA,
)
def cla_rate_per_10k(ctx: Context) -> pd.DataFrame:
    return _in_care_now(ctx, "cla_rate_per_10k")


@indicator(
    id="cla_starts",
    title="Children who started to be looked after",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Periods of care starting in the window",
    denominator="",
    exclusions="Short breaks (legal status V3, V4)",
    source="SSDA903 episodes where supplied, else Annex A List 8",
    publication=CLA,
)
def cla_starts(ctx: Context) -> pd.DataFrame:
    return _period_events(ctx, "cla_starts", "start", "cla_start")


@indicator(
    id="cla_ceased",
    title="Children who ceased to be looked after",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Periods of care ending in the window",
    denominator="",
    exclusions="Short breaks (legal status V3, V4)",
    source="SSDA903 episodes where supplied, else Annex A List 8",
    publication=CLA,
)
def cla_ceased(ctx: Context) -> pd.DataFrame:
    return _period_events(ctx, "cla_ceased", "end", "cla_end")


OFFICIAL = "SSDA903 episodes (official)"


def _periods_903(ctx: Context, ind_id: str) -> pd.DataFrame | None:
    """Periods of care from SSDA903 episodes (short breaks excluded), with the coverage of the
    returns supplied recorded; None when there are no episodes (Annex A is used instead)."""
    eps = _episodes(ctx)
    if eps is None:
        return None
    ctx.notes[ind_id] = OFFICIAL
    years = eps.get("collection_year", pd.Series(dtype=str)).dropna().astype(str)
    years = years[years.str.match(r"^\d{4}-\d{2}$")]
    if len(years):
        ctx.coverage[ind_id] = pd.Timestamp(f"{years.min()[:4]}-04-01")
    return _periods_from(ctx, placements(eps))


def _periods_from(ctx: Context, pl: pd.DataFrame) -> pd.DataFrame:
    per = pl.groupby("period").agg(CHILD=("CHILD", "first"), start=("start", "min"),
                                   end=("end", "max"), LS=("LS", "last"))  # fmt: skip
    still_open = pl["end"].isna().groupby(pl["period"]).any()
    per["end"] = per["end"].where(~still_open)
    per = per.loc[~per["LS"].isin(SHORT_BREAKS)].reset_index()
    header = ctx.dataset.ssda903.get("header")
    if header is not None:
        h = header.dropna(subset=["DOB"]).drop_duplicates("CHILD", keep="last")
        h = h.assign(
            gender=h["SEX"].map({"1": "Male", "2": "Female"}) if "SEX" in h else pd.NA,
            ethnicity=h.get("ETHNIC", pd.NA),
        )
        per = per.merge(h[["CHILD", "DOB", "gender", "ethnicity"]], on="CHILD", how="left")
    else:  # without the header table ages are unknown: age-based measures are missing
        per["DOB"] = pd.NaT
    per = per.rename(columns={"DOB": "dob"})
    return per.assign(child_id=per["CHILD"])


def _in_care_now(ctx: Context, ind_id: str) -> pd.DataFrame:
    per = _periods_903(ctx, ind_id)
    if per is None:
        return ctx.open_at(_cla(ctx, ind_id), "cla_start", "cla_end").assign(num=1.0, den=1.0)
    return ctx.open_at(per, "start", "end").assign(num=1.0, den=1.0)


def _period_events(ctx: Context, ind_id: str, col_903: str, col_annex: str) -> pd.DataFrame:
    per = _periods_903(ctx, ind_id)
    if per is None:
        return ctx.in_window(_cla(ctx, ind_id), col_annex).assign(num=1.0, den=1.0)
    return ctx.in_window(per, col_903).assign(num=1.0, den=1.0)


def placements(episodes: pd.DataFrame) -> pd.DataFrame:
    """Placements from SSDA903 episodes by the DfE counting rules (see the module docstring).

    One row per placement: CHILD, start, end (NaT if open), place (of the starting episode),
    previous_start (start of the placement before it in the same period of care).
    """
    eps = episodes.sort_values(["CHILD", "DECOM"], kind="stable").reset_index(drop=True)
    new_period = (eps["RNE"] == "S") | (eps["CHILD"] != eps["CHILD"].shift())
    temporary = eps["PLACE"].isin(TEMPORARY)
    # a return from a temporary placement to the placement before it is not a new placement
    child = group_codes(eps["CHILD"])
    urn = eps["URN"] if "URN" in eps else pd.Series(pd.NA, index=eps.index)
    before_place = eps["PLACE"].where(~temporary).groupby(child).ffill().groupby(child).shift()
    before_urn = urn.where(~temporary).groupby(child).ffill().groupby(child).shift()
    after_temp = temporary.groupby(child).shift(fill_value=False).astype(bool)
    same_urn = (urn == before_urn).fillna(False) | (urn.isna() & before_urn.isna())
    returned = after_temp & (eps["PLACE"] == before_place) & same_urn
    counts = (
        eps["RNE"].isin(["S", "P", "B", "T", "U"])
        & ~temporary
        & ~eps["PLACE"].isin(ADOPTION_WITH_CARER)
        & ~returned
    ) | new_period
    # numpy booleans whatever the string storage (pyarrow comparisons give nullable booleans)
    eps["placement"] = counts.fillna(False).astype(bool).cumsum()
    eps["period"] = new_period.fillna(False).astype(bool).cumsum()
    open_any = eps["DEC"].isna().groupby(eps["placement"]).any()
    g = eps.groupby("placement")
    out = pd.DataFrame({
        "CHILD": g["CHILD"].first(), "period": g["period"].first(), "start": g["DECOM"].min(),
        "end": g["DEC"].max().where(~open_any),
        "place": g["PLACE"].first(), "last_place": g["PLACE"].last(), "LS": g["LS"].last(),
    }).reset_index(drop=True)  # fmt: skip
    same_period = out["period"] == out["period"].shift()
    out["previous_start"] = out["start"].shift().where(same_period)
    out["period_start"] = out.groupby("period")["start"].transform("min")
    return out


def _episodes(ctx: Context) -> pd.DataFrame | None:
    eps = ctx.dataset.ssda903.get("episodes")
    return eps if eps is not None and len(eps) else None


def _in_care_903(ctx: Context, pl: pd.DataFrame) -> pd.DataFrame:
    """(CHILD, period, period_end, ...) for children in care at each period end (903)."""
    return ctx.open_at(_periods_from(ctx, pl), "start", "end")


@indicator(
    id="cla_3plus_placements_pct",
    title="Children in care with 3 or more placements in the last 12 months",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="snapshot",
    aggregate="pct",
    numerator="Children in care at the period end with 3 or more placements during the 12 "
    "months to it (DfE counting rules on SSDA903 episodes)",
    denominator="Children in care at the period end",
    exclusions="Short breaks (V3, V4). Without SSDA903 data, Annex A's 'Number of "
    "Placements in the Last 12 months' is used, valid at the extract date only",
    source="SSDA903 episodes, else Annex A List 8",
    publication="Stability measures for children looked after in England (DfE)",
)
def cla_3plus_placements_pct(ctx: Context) -> pd.DataFrame:
    ind = "cla_3plus_placements_pct"
    eps = _episodes(ctx)
    if eps is None:
        ctx.notes[ind] = "Annex A List 8 placement count (valid at the extract date only)"
        cla = ctx.open_at(_cla(ctx, ind), "cla_start", "cla_end")
        cla = cla.loc[cla["period_end"] == ctx.extract_date]
        return cla.assign(num=(cla["n_placements_12m"].fillna(0) >= 3).astype(float), den=1.0)
    ctx.notes[ind] = "SSDA903 episodes (official)"
    ctx.coverage[ind] = eps["DECOM"].min() + pd.DateOffset(years=1)
    pl = placements(eps)
    in_care = _in_care_903(ctx, pl)
    window = pl.assign(until=pl["end"] + pd.DateOffset(months=12))
    held = ctx.open_at(window, "start", "until")
    # a period of care belongs to one child: keyed on it, never on the child identifier
    # (grouping or merging on a categorical of every child recodes all its categories)
    held = held[["period", "period_end"]].merge(in_care[["period", "period_end"]])
    n = held.groupby(["period", "period_end"]).size().rename("n").reset_index()
    out = in_care.merge(n, on=["period", "period_end"], how="left")
    return out.assign(num=(out["n"].fillna(0) >= 3).astype(float), den=1.0)


@indicator(
    id="cla_long_term_stability_pct",
    title="Long-term placement stability",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="snapshot",
    aggregate="pct",
    numerator="Of those, children in the same placement for at least 2 years, or placed "
    "for adoption where that placement and the one before it together last 2 years",
    denominator="Children in care at the period end, aged under 16, in care continuously "
    "for at least 2.5 years",
    exclusions="Short breaks (V3, V4); needs SSDA903 episodes",
    source="SSDA903 episodes",
    publication="Stability measures for children looked after in England (DfE)",
)
def cla_long_term_stability_pct(ctx: Context) -> pd.DataFrame:
    ind = "cla_long_term_stability_pct"
    eps = _episodes(ctx)
    if eps is None:
        ctx.notes[ind] = "needs SSDA903 episodes"
        return pd.DataFrame(columns=["period_end", "num", "den"])
    ctx.notes[ind] = "SSDA903 episodes (official)"
    ctx.coverage[ind] = eps["DECOM"].min() + pd.DateOffset(years=2, months=6)
    pl = placements(eps)
    in_care = _in_care_903(ctx, pl)
    pe = in_care["period_end"]
    age16 = in_care["dob"] + pd.DateOffset(years=16)
    eligible = (pe < age16) & (in_care["start"] <= pe - pd.DateOffset(years=2, months=6))
    current = ctx.open_at(pl, "start", "end")[
        ["period", "period_end", "start", "previous_start", "last_place"]
    ]
    current = current.rename(columns={"start": "placement_start"})
    out = in_care.loc[eligible].merge(current, on=["period", "period_end"], how="left")
    adoption = out["last_place"].isin(["A3", "A4", "A5", "A6"])
    since = out["placement_start"].where(
        ~adoption, out["previous_start"].fillna(out["placement_start"])
    )
    stable = since <= out["period_end"] - pd.DateOffset(years=2)
    return out.assign(num=stable.astype(float), den=1.0)


# ------------------------------------------------------------------ Annex A, at the extract


def _at_extract(ctx: Context, ind_id: str) -> pd.DataFrame:
    """Children in care at the extract date from List 8 (latest values only)."""
    cla = ctx.open_at(_cla(ctx, ind_id), "cla_start", "cla_end")
    full = ctx.list("cla")
    cla = cla.merge(full.drop(columns=[c for c in cla.columns if c in full.columns
                                       and c != "child_id"] + ["_row"], errors="ignore")
                    .drop_duplicates("child_id"), on="child_id", how="left")  # fmt: skip
    return cla.loc[cla["period_end"] == ctx.extract_date]


def _extract_meta(
    id_: str,
    title: str,
    numerator: str,
    denominator: str,
    polarity: str = "higher_better",
    **kw: object,
) -> dict:
    return dict(id=id_, title=title, area=AREA, unit="pct", polarity=polarity,
                kind="snapshot", aggregate="pct", numerator=numerator, denominator=denominator,
                source="Annex A List 8", publication=CLA, extract_only=True, **kw)  # fmt: skip


@indicator(
    id="cla_uasc_count",
    title="Unaccompanied asylum-seeking children in care",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="snapshot",
    aggregate="count",
    numerator="Children in care at the period end recorded as UASC",
    denominator="",
    source="Annex A List 8",
    publication=CLA,
)
def cla_uasc_count(ctx: Context) -> pd.DataFrame:
    cla = ctx.open_at(_cla(ctx, "cla_uasc_count"), "cla_start", "cla_end")
    return cla.assign(num=(cla["uasc"] == "Yes").astype(float), den=1.0)


@indicator(
    **_extract_meta(
        "cla_placed_outside_la_pct",
        "Children in care placed outside the authority's area",
        "Children in care at the extract with placement location 'Out'",
        "Children in care at the extract with a placement location recorded",
        polarity="lower_better",
    )
)
def cla_placed_outside_la_pct(ctx: Context) -> pd.DataFrame:
    cla = _at_extract(ctx, "cla_placed_outside_la_pct")
    known = cla["placement_location"].notna()
    return cla.assign(num=(cla["placement_location"] == "Out").astype(float),
                      den=known.astype(float))  # fmt: skip


@indicator(
    id="cla_placed_over_20_miles_pct",
    title="Children in care placed more than 20 miles from home",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="snapshot",
    aggregate="pct",
    numerator="Children in care whose placement postcode centroid is more "
    "than 20 miles (straight line) from their home postcode centroid",
    denominator="Children in care with both postcodes recorded",
    exclusions="Needs an ONS postcode lookup; without one the value is missing, never guessed",
    source="SSDA903 episodes (HOME_POST, PL_POST)",
    publication=CLA,
)
def cla_placed_over_20_miles_pct(ctx: Context) -> pd.DataFrame:
    ctx.notes["cla_placed_over_20_miles_pct"] = (
        "no postcode lookup is installed, so distances cannot be computed"
    )
    return pd.DataFrame(columns=["period_end", "num", "den"])


@indicator(
    **_extract_meta(
        "cla_permanence_plan_pct",
        "Children in care 4 months or more with a permanence plan",
        "Those with a permanence plan recorded",
        "Children in care at the extract who had been in care 4 months or more",
    )
)
def cla_permanence_plan_pct(ctx: Context) -> pd.DataFrame:
    cla = _at_extract(ctx, "cla_permanence_plan_pct")
    cla = cla.loc[cla["cla_start"] <= cla["period_end"] - pd.DateOffset(months=4)]
    return cla.assign(num=cla["permanence_plan"].notna().astype(float), den=1.0)


def _within(cla: pd.DataFrame, col: str, days: int) -> pd.Series:
    gap = (cla["period_end"] - cla[col]).dt.days
    return ((gap >= 0) & (gap <= days)).astype(float)


@indicator(
    **_extract_meta(
        "cla_review_in_timescale_pct",
        "Children in care with a statutory review in timescale",
        "Those whose latest review was in the 6 months (183 days) to the extract",
        "Children in care at the extract for 20 working days or more (first review due)",
    )
)
def cla_review_in_timescale_pct(ctx: Context) -> pd.DataFrame:
    from ..calendar import working_days

    cla = _at_extract(ctx, "cla_review_in_timescale_pct")
    cla = cla.loc[working_days(cla["cla_start"], cla["period_end"]) >= 20]
    return cla.assign(num=_within(cla, "last_review", 183), den=1.0)


@indicator(
    **_extract_meta(
        "cla_visit_in_timescale_pct",
        "Children in care visited within the local standard",
        "Those whose last social work visit was within the "
        "local standard (parameter visit_standard_days, default 42 days = 6 "
        "weeks) before the extract",
        "Children in care at the extract",
    )
)
def cla_visit_in_timescale_pct(ctx: Context) -> pd.DataFrame:
    days = int(ctx.params.get("visit_standard_days", 42))  # type: ignore[call-overload]
    cla = _at_extract(ctx, "cla_visit_in_timescale_pct")
    return cla.assign(num=_within(cla, "last_visit", days), den=1.0)


def _oc2(ctx: Context, ind_id: str) -> pd.DataFrame | None:
    """OC2 rows keyed to the 31 March that ends their collection year."""
    oc2 = ctx.dataset.ssda903.get("oc2")
    if oc2 is None or oc2.empty or not oc2["collection_year"].astype(bool).any():
        return None
    year_end = pd.to_datetime(oc2["collection_year"].str[:4].astype(int).add(1).astype(str)
                              + "-03-31")  # fmt: skip
    ctx.notes[ind_id] = "SSDA903 OC2 at 31 March (official); other period ends have no value"
    return oc2.assign(period_end=year_end, _at=year_end, child_id=oc2["CHILD"], dob=oc2["DOB"])


def _health(
    ctx: Context, ind_id: str, oc2_col: str, annex_col: str, months_under5: int, months_other: int
) -> list[pd.DataFrame]:
    parts = []
    oc2 = _oc2(ctx, ind_id)
    if oc2 is not None:
        oc2 = oc2.loc[oc2["period_end"].isin(ctx.periods["period_end"])]
        parts.append(
            oc2.assign(
                num=(oc2[oc2_col] == "1").astype(float),
                den=1.0,
                _note="SSDA903 OC2 at 31 March (official)",
            )
        )
    cla = _at_extract(ctx, ind_id)
    cla = cla.loc[cla["cla_start"] <= cla["period_end"] - pd.DateOffset(years=1)]
    if oc2 is not None:
        cla = cla.loc[~cla["period_end"].isin(oc2["period_end"])]
    under5 = cla["period_end"] < cla["dob"] + pd.DateOffset(years=5)
    due = (cla["period_end"] - pd.DateOffset(months=months_other)).where(
        ~under5, cla["period_end"] - pd.DateOffset(months=months_under5)
    )
    # in date: the last check is on or after the period end less 6 or 12 calendar months
    gap_ok = (cla[annex_col] >= due) & (cla[annex_col] <= cla["period_end"])
    parts.append(
        cla.assign(num=gap_ok.astype(float), den=1.0, _note="Annex A List 8 dates at the extract")
    )
    return parts


@indicator(
    id="cla_health_assessment_in_date_pct",
    title="Children in care 12 months or more with a health assessment in date",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="snapshot",
    aggregate="pct",
    numerator="SSDA903 OC2: HEALTH_ASSESSMENT = 1. Annex A (at the extract): last health "
    "assessment within 6 months (under 5) or 12 months (5 and over)",
    denominator="Children in care continuously for 12 months or more",
    exclusions="Short breaks. OC2 gives 31 March values; Annex A gives the extract date",
    source="SSDA903 OC2, else Annex A List 8",
    publication=CLA + " (outcomes, OC2)",
)
def cla_health_assessment_in_date_pct(ctx: Context) -> pd.DataFrame:
    return _health(ctx, "cla_health_assessment_in_date_pct", "HEALTH_ASSESSMENT",
                   "last_health_assessment", 6, 12)  # fmt: skip


@indicator(
    id="cla_dental_check_in_date_pct",
    title="Children in care 12 months or more with a dental check in date",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="snapshot",
    aggregate="pct",
    numerator="SSDA903 OC2: TEETH_CHECK = 1. Annex A (at the extract): last dental check "
    "within 12 months",
    denominator="Children in care continuously for 12 months or more",
    exclusions="Short breaks",
    source="SSDA903 OC2, else Annex A List 8",
    publication=CLA + " (outcomes, OC2)",
)
def cla_dental_check_in_date_pct(ctx: Context) -> pd.DataFrame:
    return _health(ctx, "cla_dental_check_in_date_pct", "TEETH_CHECK", "last_dental_check", 12,
                   12)  # fmt: skip


def _sdq(ctx: Context, ind_id: str) -> pd.DataFrame:
    oc2 = _oc2(ctx, ind_id)
    if oc2 is None:
        ctx.notes[ind_id] = "needs SSDA903 OC2"
        return pd.DataFrame(columns=["period_end", "num", "den", "measure"])
    oc2 = oc2.loc[oc2["period_end"].isin(ctx.periods["period_end"])]
    age = age_at(oc2["dob"], oc2["period_end"])
    return oc2.loc[(age >= 4) & (age <= 16)]


@indicator(
    id="cla_sdq_mean_score",
    title="Average SDQ score of children in care",
    area=AREA,
    unit="score",
    polarity="lower_better",
    kind="snapshot",
    aggregate="mean",
    numerator="Sum of SDQ total difficulties scores (0-40)",
    denominator="Children in care 12 months or more at 31 March, aged 4-16, with a score",
    source="SSDA903 OC2",
    publication=CLA + " (outcomes, OC2)",
)
def cla_sdq_mean_score(ctx: Context) -> pd.DataFrame:
    oc2 = _sdq(ctx, "cla_sdq_mean_score")
    return oc2.assign(num=float("nan"), den=1.0, measure=oc2.get("SDQ_SCORE"))


@indicator(
    id="cla_sdq_completed_pct",
    title="Children in care with an SDQ score",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="snapshot",
    aggregate="pct",
    numerator="Those with an SDQ score",
    denominator="Children in care 12 months or more at 31 March, aged 4-16",
    source="SSDA903 OC2",
    publication=CLA + " (outcomes, OC2)",
)
def cla_sdq_completed_pct(ctx: Context) -> pd.DataFrame:
    oc2 = _sdq(ctx, "cla_sdq_completed_pct")
    return oc2.assign(num=oc2.get("SDQ_SCORE", pd.Series(dtype=float)).notna().astype(float),
                      den=1.0)  # fmt: skip


@indicator(
    id="cla_missing_pct",
    title="Children in care who went missing",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="flow",
    aggregate="pct",
    numerator="Children in care with at least one missing episode (MISSING = M) starting "
    "in the window",
    denominator="Children in care at any time in the window",
    exclusions="Short breaks. Without SSDA903, Annex A's 12-month count at the extract",
    source="SSDA903 missing and episodes, else Annex A List 8",
    publication=CLA,
)
def cla_missing_pct(ctx: Context) -> pd.DataFrame:
    ind = "cla_missing_pct"
    eps, missing = _episodes(ctx), ctx.dataset.ssda903.get("missing")
    if eps is None or missing is None:
        ctx.notes[ind] = "Annex A List 8 count of missing episodes (at the extract date only)"
        cla = _at_extract(ctx, ind)
        return cla.assign(num=(cla["n_missing_12m"].fillna(0) >= 1).astype(float), den=1.0)
    ctx.notes[ind] = "SSDA903 missing episodes (official)"
    ctx.coverage[ind] = eps["DECOM"].min()
    eps = eps.loc[~eps["LS"].isin(SHORT_BREAKS)]
    # in care at any time in the window: an episode starting before the window end and ending
    # after its start, i.e. open at some point of [start, end]
    spans = eps.assign(child_id=eps["CHILD"], until=eps["DEC"] + pd.DateOffset(months=12))
    during = ctx.open_at(spans, "DECOM", "until").drop_duplicates(["child_id", "period_end"])
    runs = ctx.in_window(missing.loc[missing["MISSING"] == "M"].assign(child_id=missing["CHILD"]),
                         "MIS_START").drop_duplicates(["child_id", "period_end"])  # fmt: skip
    out = during.merge(runs[["child_id", "period_end"]].assign(went=1.0), how="left",
                       on=["child_id", "period_end"])  # fmt: skip
    window = ctx.window
    if window != "12m":
        ctx.notes[ind] += "; in care during the 12 months to the period end"
    return out.assign(num=out["went"].fillna(0.0), den=1.0)


@indicator(
    **_extract_meta(
        "cla_return_interview_offered_pct",
        "Return home interviews offered after a missing episode",
        "Those offered a return interview after their last missing episode",
        "Children in care at the extract with at least one missing episode in the last 12 months",
    )
)
def cla_return_interview_offered_pct(ctx: Context) -> pd.DataFrame:
    cla = _at_extract(ctx, "cla_return_interview_offered_pct")
    cla = cla.loc[cla["n_missing_12m"].fillna(0) >= 1]
    return cla.assign(num=(cla["rhi_offered"] == "Yes").astype(float), den=1.0)


def _adopted(ctx: Context, ind_id: str) -> pd.DataFrame:
    ad = ctx.list("adoption")
    cover(ctx, ind_id, "adoption", "adoption_order")
    return ctx.in_window(keep(ctx, ad, "entered_care", "placement_order", "matched", "placed",
                              "adoption_order", "ffa_placed"), "adoption_order")  # fmt: skip


ADOPT = "Adoption scorecard (DfE / Adoption and Special Guardianship Leadership Board)"


@indicator(
    id="adoption_a1_days",
    title="A1: average days from entering care to moving in with the adoptive family",
    area=AREA,
    unit="days",
    polarity="lower_better",
    kind="flow",
    aggregate="mean",
    numerator="Sum of days from entering care to placement for adoption",
    denominator="Children adopted (adoption order) in the window",
    exclusions="Use window='36m' for the scorecard's 3-year average",
    source="Annex A List 10",
    publication=ADOPT,
)
def adoption_a1_days(ctx: Context) -> pd.DataFrame:
    ad = _adopted(ctx, "adoption_a1_days")
    return ad.assign(num=float("nan"), den=1.0,
                     measure=(ad["placed"] - ad["entered_care"]).dt.days)  # fmt: skip


@indicator(
    id="adoption_a2_days",
    title="A2: average days from placement order to match",
    area=AREA,
    unit="days",
    polarity="lower_better",
    kind="flow",
    aggregate="mean",
    numerator="Sum of days from the placement order to the match (0 if matched before the order)",
    denominator="Children adopted in the window who had a placement order and "
    "were placed before the adoption order",
    source="Annex A List 10",
    publication=ADOPT,
)
def adoption_a2_days(ctx: Context) -> pd.DataFrame:
    ad = _adopted(ctx, "adoption_a2_days")
    ad = ad.loc[ad["placement_order"].notna() & ad["matched"].notna()]
    days = (ad["matched"] - ad["placement_order"]).dt.days.clip(lower=0)
    return ad.assign(num=float("nan"), den=1.0, measure=days)


@indicator(
    id="adoption_a10_days",
    title="A10: average days from entering care to moving in "
    "with the adoptive family, adjusted for foster-carer adoptions",
    area=AREA,
    unit="days",
    polarity="lower_better",
    kind="flow",
    aggregate="mean",
    numerator="As A1, but where the child was fostered by the adopters (fostering for "
    "adoption), the clock stops on the date the child moved in with them",
    denominator="Children adopted in the window",
    source="Annex A List 10",
    publication=ADOPT,
)
def adoption_a10_days(ctx: Context) -> pd.DataFrame:
    ad = _adopted(ctx, "adoption_a10_days")
    stop = ad["ffa_placed"].where(ad["ffa_placed"].notna() & (ad["ffa_placed"] < ad["placed"]),
                                  ad["placed"])  # fmt: skip
    return ad.assign(num=float("nan"), den=1.0, measure=(stop - ad["entered_care"]).dt.days)


def _ceased(ctx: Context, ind_id: str, reasons: set[str]) -> pd.DataFrame:
    cla = ctx.list("cla")
    cover(ctx, ind_id, "cla", "cla_end")
    cla = keep(ctx, cla.loc[~cla["legal_status"].isin(SHORT_BREAKS)], "cla_end", "reason_ceased")
    ended = ctx.in_window(cla, "cla_end")
    return ended.assign(num=ended["reason_ceased"].isin(reasons).astype(float), den=1.0)


@indicator(
    id="cla_ceased_adoption",
    title="Children who left care through adoption",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Periods of care ending in the window with reason E11 or E12",
    denominator="",
    source="Annex A List 8",
    publication=CLA,
)
def cla_ceased_adoption(ctx: Context) -> pd.DataFrame:
    out = _ceased(ctx, "cla_ceased_adoption", {"E11", "E12"})
    return out.loc[out["num"] > 0]


@indicator(
    id="cla_ceased_sgo",
    title="Children who left care through a special guardianship order",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Periods of care ending in the window with reason E45, E46, E47 or E48",
    denominator="",
    source="Annex A List 8",
    publication=CLA,
)
def cla_ceased_sgo(ctx: Context) -> pd.DataFrame:
    out = _ceased(ctx, "cla_ceased_sgo", {"E45", "E46", "E47", "E48"})
    return out.loc[out["num"] > 0]
