"""Children in care indicators: Annex A List 8, and SSDA903 episodes where present (official).

Placement counting (DfE rules, used for stability): a new placement starts at an episode whose
reason for new episode (RNE) is S, P, B, T or U, except temporary placements (PLACE T0-T4) and a
placement for adoption with the child's current foster carer (A3, A5); a change of legal status
only (RNE = L) continues the current placement.
"""

from __future__ import annotations

import pandas as pd

from .common import cover, keep
from .engine import Context
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
    return keep(cla, "cla_start", "cla_end", "uasc", "n_placements_12m", "placement_location")


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
    source="Annex A List 8",
    publication=CLA,
)
def cla_count(ctx: Context) -> pd.DataFrame:
    return ctx.open_at(_cla(ctx, "cla_count"), "cla_start", "cla_end").assign(num=1.0, den=1.0)


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
    source="Annex A List 8; population.csv",
    publication=CLA,
)
def cla_rate_per_10k(ctx: Context) -> pd.DataFrame:
    return ctx.open_at(_cla(ctx, "cla_rate_per_10k"), "cla_start", "cla_end").assign(
        num=1.0, den=1.0
    )


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
    source="Annex A List 8",
    publication=CLA,
)
def cla_starts(ctx: Context) -> pd.DataFrame:
    cla = _cla(ctx, "cla_starts")
    return ctx.in_window(cla, "cla_start").assign(num=1.0, den=1.0)


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
    source="Annex A List 8",
    publication=CLA,
)
def cla_ceased(ctx: Context) -> pd.DataFrame:
    cla = _cla(ctx, "cla_ceased")
    return ctx.in_window(cla, "cla_end").assign(num=1.0, den=1.0)


def placements(episodes: pd.DataFrame) -> pd.DataFrame:
    """Placements from SSDA903 episodes by the DfE counting rules (see the module docstring).

    One row per placement: CHILD, start, end (NaT if open), place (of the starting episode),
    previous_start (start of the placement before it in the same period of care).
    """
    eps = episodes.sort_values(["CHILD", "DECOM"], kind="stable").reset_index(drop=True)
    new_period = (eps["RNE"] == "S") | (eps["CHILD"] != eps["CHILD"].shift())
    counts = (
        eps["RNE"].isin(["S", "P", "B", "T", "U"])
        & ~eps["PLACE"].isin(TEMPORARY)
        & ~eps["PLACE"].isin(ADOPTION_WITH_CARER)
    ) | new_period
    eps["placement"] = counts.cumsum()
    eps["period"] = new_period.cumsum()
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
    periods = pl.groupby("period").agg(
        CHILD=("CHILD", "first"), start=("start", "min"), end=("end", "max"), LS=("LS", "last")
    )
    still_open = pl["end"].isna().groupby(pl["period"]).any()
    periods["end"] = periods["end"].where(~still_open)
    periods = periods.loc[~periods["LS"].isin(SHORT_BREAKS)].reset_index()
    header = ctx.dataset.ssda903.get("header")
    if header is not None:
        dob = header.dropna(subset=["DOB"]).drop_duplicates("CHILD", keep="last")
        periods = periods.merge(dob[["CHILD", "DOB"]], on="CHILD", how="left")
    periods = periods.rename(columns={"DOB": "dob"})
    periods["child_id"] = periods["CHILD"]
    return ctx.open_at(periods, "start", "end")


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
    held = held.merge(
        in_care[["CHILD", "period", "period_end"]], on=["CHILD", "period", "period_end"]
    )
    n = held.groupby(["CHILD", "period_end"]).size().rename("n").reset_index()
    out = in_care.merge(n, on=["CHILD", "period_end"], how="left")
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
        ["CHILD", "period", "period_end", "start", "previous_start", "last_place"]
    ]
    current = current.rename(columns={"start": "placement_start"})
    out = in_care.loc[eligible].merge(current, on=["CHILD", "period", "period_end"], how="left")
    adoption = out["last_place"].isin(["A3", "A4", "A5", "A6"])
    since = out["placement_start"].where(
        ~adoption, out["previous_start"].fillna(out["placement_start"])
    )
    stable = since <= out["period_end"] - pd.DateOffset(years=2)
    return out.assign(num=stable.astype(float), den=1.0)
