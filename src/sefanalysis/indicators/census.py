"""Help-and-protection measures for the year to 31 March from the CIN census, as DfE computes
them, and their reconciliation with the same measures from Annex A.

Where a census return is supplied, it is the official source for its year: each of these
indicators takes its value at that 31 March (a 12-month window for flows) from the census, and
Annex A gives every other period end; each value's ``note`` names its source. A year's measures
read that year's return (``census_date``); earlier returns add history (previous referrals and
plans).

Definitions (the year runs from 1 April to the census date, both inclusive):

- referrals: episodes of need (``CINdetails``) with a referral date in the year; re-referrals:
  those whose child had another referral in the 12 calendar months before (in any return
  supplied; DfE also matches returns not supplied here); no further action: ``ReferralNFA``.
- assessments: authorised in the year; duration in working days (weekends and England bank
  holidays excluded) from ``AssessmentActualStartDate`` to ``AssessmentAuthorisationDate``, as
  the Annex A measure; an assessment authorised before it started has no duration.
- section 47 enquiries: started in the year; initial conferences: ``DateOfInitialCPC`` of the
  section 47 module in the year, within 15 working days of ``S47ActualStartDate`` (DfE's
  base; Annex A measures from the strategy discussion), leaving out a conference dated before
  its enquiry as DfE does.
- children in need and on a plan at 31 March: episodes (plans) started on or before it and not
  ended on or before it.
- plans started in the year, second or subsequent (``NumberOfPreviousCPP`` >= 1 or an earlier
  plan in the returns), and plans ended in the year by duration (2 calendar years or more;
  under 3 calendar months).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..calendar import working_days
from .engine import ASSESSMENT_BANDS, ICPC_BANDS, Context, band_of, group_codes

CENSUS_NOTE = "Source: CIN census (official)"
CENSUS_PREFIX = "cin_census/"


def census_tables(dataset) -> dict[str, pd.DataFrame] | None:
    """The dataset's CIN census tables (all returns combined), or None if none was supplied."""
    tables = {k[len(CENSUS_PREFIX):]: v for k, v in dataset.tables.items()
              if k.startswith(CENSUS_PREFIX) and v is not None}  # fmt: skip
    return tables if tables.get("cin") is not None and len(tables["cin"]) else None


def census_dates(tables: dict[str, pd.DataFrame]) -> list[pd.Timestamp]:
    return sorted(pd.Timestamp(d) for d in tables["cin"]["census_date"].dropna().unique())


def _of_year(frame: pd.DataFrame, col: str, end: pd.Timestamp) -> pd.DataFrame:
    start = end - pd.DateOffset(years=1)
    return frame.loc[(frame[col] > start) & (frame[col] <= end)]


def _open_at(frame: pd.DataFrame, start: str, stop: str, end: pd.Timestamp) -> pd.DataFrame:
    return frame.loc[(frame[start] <= end) & (frame[stop].isna() | (frame[stop] > end))]


def _return(tables: dict[str, pd.DataFrame], key: str, end: pd.Timestamp) -> pd.DataFrame:
    frame = tables[key]
    return frame.loc[frame["census_date"] == end]


def _units(frame: pd.DataFrame, tables: dict[str, pd.DataFrame], end: pd.Timestamp,
           **cols: object) -> pd.DataFrame:  # fmt: skip
    """Units with the child's characteristics (for breakdowns) and the period end."""
    from ..ingest.cin_census import children_columns

    kids = children_columns(_return(tables, "children", end)).drop(columns="census_date")
    out = frame.drop(columns=[c for c in ("dob", "gender", "ethnicity", "disability")
                              if c in frame]).merge(kids, on="child_id", how="left")  # fmt: skip
    return out.assign(period_end=end, _at=end, **cols)


def _referrals(tables, end):
    return _of_year(_return(tables, "cin", end).dropna(subset=["referral_date"]),
                    "referral_date", end)  # fmt: skip


def _re_referrals(tables, end):
    refs = _referrals(tables, end)
    history = (tables["cin"].dropna(subset=["referral_date"])
               .drop_duplicates(["child_id", "referral_date"])
               .sort_values(["child_id", "referral_date"]))  # fmt: skip
    prev = history.groupby(group_codes(history["child_id"]))["referral_date"].shift()
    history = history.assign(
        _re=(prev.notna() & (prev >= history["referral_date"] - pd.DateOffset(months=12))).astype(
            float
        )
    )
    flags = history.set_index(["child_id", "referral_date"])["_re"]
    key = pd.MultiIndex.from_frame(refs[["child_id", "referral_date"]])
    return _units(refs, tables, end, num=flags.reindex(key).fillna(0).to_numpy(), den=1.0)


def _referral_nfa(tables, end):
    refs = _referrals(tables, end)
    nfa = refs["referral_nfa"]
    return _units(refs, tables, end, num=nfa.fillna(False).astype(float).to_numpy(),
                  den=nfa.notna().astype(float).to_numpy())  # fmt: skip


def _assessments(tables, end):
    a = _of_year(_return(tables, "assessments", end), "authorised", end)
    wd = working_days(a["start"], a["authorised"])
    return a.assign(wd=wd, duration_band=band_of(pd.Series(wd, index=a.index), ASSESSMENT_BANDS))


def _s47(tables, end):
    return _return(tables, "s47", end)


def _icpcs(tables, end):
    s = _of_year(_s47(tables, end), "icpc_date", end)
    wd = working_days(s["start"], s["icpc_date"])
    return s.assign(wd=wd, duration_band=band_of(pd.Series(wd, index=s.index), ICPC_BANDS))


def _plans(tables, end):
    return _return(tables, "cpp", end)


def _subsequent(tables, end):
    started = _of_year(_plans(tables, end), "start", end)
    history = tables["cpp"].dropna(subset=["start"]).drop_duplicates(["child_id", "start"])
    first = history.groupby("child_id", observed=True)["start"].min()
    earlier = started["start"] > started["child_id"].map(first)
    second = earlier | (started["n_previous_cpp"].fillna(0) >= 1)
    return _units(started, tables, end, num=second.astype(float).to_numpy(), den=1.0)


def _ended(tables, end, test: Callable[[pd.DataFrame], pd.Series]):
    ended = _of_year(_plans(tables, end).dropna(subset=["start"]), "end", end)
    return _units(ended, tables, end, num=test(ended).astype(float).to_numpy(), den=1.0)


def _count(frame_of: Callable) -> Callable:
    return lambda tables, end: _units(frame_of(tables, end), tables, end, num=1.0, den=1.0)


def _assessment_45(tables, end):
    a = _assessments(tables, end)
    a = a.loc[a["wd"] >= 0]
    return _units(a, tables, end, num=(a["wd"] <= 45).astype(float).to_numpy(), den=1.0)


def _assessment_median(tables, end):
    a = _assessments(tables, end)
    a = a.loc[a["wd"] >= 0]
    return _units(a, tables, end, num=np.nan, den=1.0, measure=a["wd"].to_numpy())


def _s47_to_icpc(tables, end):
    held = _units(_icpcs(tables, end), tables, end, num=1.0, den=0.0)
    started = _units(_of_year(_s47(tables, end), "start", end), tables, end, num=0.0, den=1.0)
    return [held, started]


def _icpc_15(tables, end):
    s = _icpcs(tables, end)
    s = s.loc[s["wd"] >= 0]
    return _units(s, tables, end, num=(s["wd"] <= 15).astype(float).to_numpy(), den=1.0)


CENSUS_MEASURES: dict[str, Callable] = {
    "referrals": _count(_referrals),
    "referral_rate_per_10k": _count(_referrals),
    "re_referral_pct": _re_referrals,
    "referral_nfa_pct": _referral_nfa,
    "assessments_completed": _count(_assessments),
    "assessment_rate_per_10k": _count(_assessments),
    "assessments_within_45wd_pct": _assessment_45,
    "assessment_median_wd": _assessment_median,
    "s47_enquiries": _count(lambda t, e: _of_year(_s47(t, e), "start", e)),
    "s47_rate_per_10k": _count(lambda t, e: _of_year(_s47(t, e), "start", e)),
    "s47_to_icpc_pct": _s47_to_icpc,
    "icpc_within_15wd_pct": _icpc_15,
    "cin_count": _count(lambda t, e: _open_at(_return(t, "cin", e), "referral_date",
                                              "closure_date", e)),
    "cin_rate_per_10k": _count(lambda t, e: _open_at(_return(t, "cin", e), "referral_date",
                                                     "closure_date", e)),
    "cpp_count": _count(lambda t, e: _open_at(_plans(t, e), "start", "end", e)),
    "cpp_rate_per_10k": _count(lambda t, e: _open_at(_plans(t, e), "start", "end", e)),
    "cpp_starts": _count(lambda t, e: _of_year(_plans(t, e), "start", e)),
    "cpp_second_or_subsequent_pct": _subsequent,
    "cpp_ended_2yrs_plus_pct": lambda t, e: _ended(
        t, e, lambda f: f["end"] >= f["start"] + pd.DateOffset(years=2)),
    "cpp_ended_under_3m_pct": lambda t, e: _ended(
        t, e, lambda f: f["end"] < f["start"] + pd.DateOffset(months=3)),
}  # fmt: skip


def census_ends(ctx: Context, indicator_id: str) -> list[pd.Timestamp]:
    """The context's period ends a census return covers for this indicator: its 31 March, in a
    context whose window is 12 months (a census year; a monthly series for SPC charts stays on
    Annex A alone, so that a change of source is not read as a change in the process)."""
    from .registry import REGISTRY

    tables = census_tables(ctx.dataset)
    if tables is None or ctx.params.get("census", True) is False or ctx.window != "12m":
        return []  # monthly (SPC) and shorter windows stay on one source: Annex A
    flow = REGISTRY[indicator_id].kind == "flow"
    dates = set(census_dates(tables))
    periods = ctx.periods
    twelve = periods["period_start"] == periods["period_end"] + pd.Timedelta(days=1) \
        - pd.DateOffset(months=12)  # fmt: skip
    return [e for e, ok in zip(periods["period_end"], twelve, strict=True)
            if e in dates and (ok or not flow)]  # fmt: skip


def with_census(ctx: Context, indicator_id: str, annex: pd.DataFrame | list[pd.DataFrame]
                ) -> list[pd.DataFrame]:  # fmt: skip
    """Annex A's units, with the census's in their place at the period ends a census covers;
    each value's note names its source (only when a census is supplied)."""
    from .registry import REGISTRY

    parts = annex if isinstance(annex, list) else [annex]
    ends = census_ends(ctx, indicator_id)
    if census_tables(ctx.dataset) is None or ctx.params.get("census", True) is False:
        return parts
    source = f"Source: {REGISTRY[indicator_id].source.split(';')[0]}"
    kept = [p.loc[~p["period_end"].isin(ends)] for p in parts if len(p)]
    # Annex A's periods say so through ``ctx.sources`` (they stay judged by Annex A's coverage);
    # the census's units carry their own ``_note`` (judged by the census alone)
    annex_ends = [e for e in ctx.periods["period_end"] if e not in set(ends)]
    ctx.sources.setdefault(indicator_id, {}).update(dict.fromkeys(annex_ends, source))
    tables = census_tables(ctx.dataset)
    census: list[pd.DataFrame] = []
    for end in ends:
        units = CENSUS_MEASURES[indicator_id](tables, end)
        census += units if isinstance(units, list) else [units]
    census = [c.assign(_note=CENSUS_NOTE) for c in census]
    if ends and not any(len(c) for c in census):  # a return without these records: say so
        census = [pd.DataFrame({"period_end": ends, "num": 0.0, "den": 0.0,
                                "_note": CENSUS_NOTE})]  # fmt: skip
    return [*kept, *census]


def census_first(indicator_id: str) -> Callable:
    """Decorator for an Annex A unit function: the census is the official source for the
    period ends it covers (see :func:`with_census`)."""

    def wrap(func: Callable) -> Callable:
        @functools.wraps(func)
        def units(ctx: Context):
            return with_census(ctx, indicator_id, func(ctx))

        return units

    return wrap


def _published_own(dataset) -> pd.DataFrame:
    """What DfE published for the authority itself (its own rows in ``published/`` or
    ``benchmarks.csv``), by indicator and year end."""
    bench = dataset.table("benchmarks")
    cols = ["indicator_id", "period_end", "published_value", "published_edition"]
    if bench is None or bench.empty:
        return pd.DataFrame(columns=cols).astype({"period_end": "datetime64[ns]"})
    own = bench.loc[(bench["area_type"] == "la")
                    & (bench["area_code"] == dataset.authority.la_code)]  # fmt: skip
    edition = own["edition"] if "edition" in own else pd.Series("", index=own.index)
    return pd.DataFrame({"indicator_id": own["indicator_id"].astype(str),
                         "period_end": pd.to_datetime(own["time_period"]),
                         "published_value": pd.to_numeric(own["value"]).astype(float),
                         "published_edition": edition.astype(str)}).drop_duplicates(
        ["indicator_id", "period_end"])  # fmt: skip


def reconcile(dataset, period_ends: list[str] | None = None) -> pd.DataFrame:
    """The census and Annex A figures for the same periods side by side: one row per indicator
    the census gives and census date (or the period ends given), with each source's numerator,
    denominator and value, the difference (census minus Annex A), and what DfE published for
    the authority where its own row is among the published files (``published_value``)."""
    from .engine import compute_indicators

    tables = census_tables(dataset)
    if period_ends is None:
        period_ends = [f"{d:%Y-%m-%d}" for d in census_dates(tables)] if tables else []
    columns = ["indicator_id", "title", "unit", "period_end", "census_numerator",
               "census_denominator", "census_value", "annex_a_numerator",
               "annex_a_denominator", "annex_a_value", "difference", "published_value",
               "published_edition", "note"]  # fmt: skip
    if not period_ends:
        return pd.DataFrame(columns=columns)
    ids = list(CENSUS_MEASURES)
    census = compute_indicators(dataset, period_ends, window="12m", ids=ids)
    annex = compute_indicators(dataset, period_ends, window="12m", ids=ids,
                               params={"census": False})  # fmt: skip
    keys = ["indicator_id", "period_end"]
    both = census.merge(annex, on=keys, suffixes=("_census", "_annex"))
    out = pd.DataFrame({
        "indicator_id": both["indicator_id"], "title": both["title_census"],
        "unit": both["unit_census"], "period_end": both["period_end"],
        "census_numerator": both["numerator_census"],
        "census_denominator": both["denominator_census"], "census_value": both["value_census"],
        "annex_a_numerator": both["numerator_annex"],
        "annex_a_denominator": both["denominator_annex"], "annex_a_value": both["value_annex"],
    })  # fmt: skip
    out["difference"] = out["census_value"] - out["annex_a_value"]
    out = out.merge(_published_own(dataset), on=keys, how="left")
    official = both["note_census"].eq(CENSUS_NOTE)
    out["note"] = np.where(official, "", "no census value: " + both["note_census"].astype(str))
    annex_gap = out["annex_a_value"].isna() & official
    out.loc[annex_gap, "note"] = "no Annex A value: " + both.loc[annex_gap, "note_annex"]
    return out[columns].reset_index(drop=True)


__all__ = ["census_first", "with_census", "reconcile", "census_tables", "CENSUS_MEASURES",
           "CENSUS_NOTE"]  # fmt: skip
