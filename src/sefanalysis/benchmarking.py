"""Comparators: England, region, statistical neighbours, rank and quartile band, confidence
intervals, significance against England and direction of travel.

Conventions (stated in every output):

- Quartile bands are by polarity: band A is the best quartile (highest values where higher is
  better, lowest where lower is better). Ranks use the best rank for ties (1 = best), and an
  authority is in band A when its rank is within the best 25% of authorities, and so on.
- Significance in the Fingertips style: "similar" when the authority's 95% interval contains
  England's value, otherwise "better" or "worse" by polarity; "not compared" when there is no
  England value, no interval or no polarity.
- Published benchmarks are annual (year to 31 March; workforce at 30 September). The authority's
  own value for the same period is used for its rank; its current value is compared with the
  latest published year, and the note says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dataset import Dataset
from .indicators.registry import REGISTRY
from .stats.intervals import rate_limits, wilson_pct

BAND_NOTE = "Band A is the best quartile of authorities (by the indicator's polarity)."


def quartile_band(values: pd.Series, own: float, polarity: str) -> tuple[float, int, str]:
    """(rank, number ranked, band A-D) of ``own`` among ``values`` (which include it)."""
    vals = pd.concat([values.dropna(), pd.Series([own])], ignore_index=True)
    if polarity not in {"higher_better", "lower_better"} or pd.isna(own):
        return np.nan, len(vals), ""
    ranks = vals.rank(method="min", ascending=polarity == "lower_better")
    rank = float(ranks.iloc[-1])
    n = len(vals)
    share = rank / n
    band = "A" if share <= 0.25 else "B" if share <= 0.5 else "C" if share <= 0.75 else "D"
    return rank, n, band


def significance(low: float, high: float, england: float, polarity: str) -> str:
    if polarity not in {"higher_better", "lower_better"} or any(
        pd.isna(v) for v in (low, high, england)
    ):
        return "not compared"
    if low <= england <= high:
        return "similar to England"
    above = low > england
    better = above if polarity == "higher_better" else not above
    return "better than England" if better else "worse than England"


def intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """95% limits for each row of a :func:`compute_indicators` frame (pct and rates only)."""
    lo = np.full(len(frame), np.nan)
    hi = np.full(len(frame), np.nan)
    counted = frame["indicator_id"].map(lambda i: REGISTRY[i].interval).to_numpy(dtype=bool)
    pct = (frame["unit"] == "pct").to_numpy() & counted
    rate = (frame["unit"] == "rate_per_10k").to_numpy() & counted
    if pct.any():
        lo[pct], hi[pct] = wilson_pct(frame.loc[pct, "numerator"], frame.loc[pct, "denominator"])
    if rate.any():
        lo[rate], hi[rate] = rate_limits(frame.loc[rate, "numerator"],
                                         frame.loc[rate, "denominator"])  # fmt: skip
    return frame.assign(ci_low=lo, ci_high=hi)


def _direction(change: float, polarity: str) -> str:
    if pd.isna(change):
        return "no earlier value"
    if change == 0:
        return "no change"
    if polarity == "neutral":
        return "up" if change > 0 else "down"
    better = (change > 0) == (polarity == "higher_better")
    return ("up" if change > 0 else "down") + (", better" if better else ", worse")


def benchmark(indicators: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """Comparators for every row of a :func:`compute_indicators` frame."""
    out = intervals(indicators)
    bench = dataset.table("benchmarks")
    neighbours = dataset.table("statistical_neighbours")
    sn_codes = set(neighbours["area_code"].dropna()) if neighbours is not None else set()
    keyed = out.set_index(["indicator_id", "period_end"])["value"]
    has_bench = bench is not None and len(bench) > 0
    published = dict(list(bench.groupby("indicator_id", observed=True, sort=False))
                     if has_bench else [])  # fmt: skip
    rows = []
    for rec in out.itertuples(index=False):  # one row per indicator and period (not children)
        ind = REGISTRY[rec.indicator_id]
        row: dict[str, object] = {"indicator_id": rec.indicator_id, "period_end": rec.period_end}
        prev_q = rec.period_end - pd.offsets.QuarterEnd(1)
        prev_y = rec.period_end - pd.DateOffset(years=1) + pd.offsets.QuarterEnd(0)
        for label, when in (("quarter", prev_q), ("year", prev_y)):
            before = keyed.get((rec.indicator_id, when), np.nan)
            change = rec.value - before if pd.notna(before) else np.nan
            row[f"change_{label}"] = change
            row[f"direction_{label}"] = _direction(change, ind.polarity)
        pub = published.get(rec.indicator_id)
        if pub is not None:
            pub = pub.loc[pub["time_period"] <= rec.period_end]
        if pub is None or pub.empty:
            row.update(england=np.nan, region=np.nan, sn_mean=np.nan, sn_values="",
                       benchmark_period=pd.NaT, rank=np.nan, n_ranked=0, band="",
                       benchmark_note="no published comparator")  # fmt: skip
        else:
            period = pub["time_period"].max()
            latest = pub.loc[pub["time_period"] == period]
            eng = latest.loc[latest["area_type"] == "england", "value"]
            reg = latest.loc[latest["area_type"] == "region", "value"]
            las = latest.loc[latest["area_type"] == "la"]
            sns = las.loc[las["area_code"].isin(sn_codes)]
            own_then = keyed.get((rec.indicator_id, period), np.nan)
            others = las.loc[las["area_code"] != dataset.authority.la_code, "value"]
            rank, n, band = quartile_band(others, own_then, ind.polarity)
            note = f"published figures for the year to {period:%d %B %Y}"
            if period != rec.period_end:
                note += f"; this authority's figure is for the period to {rec.period_end:%d %B %Y}"
            row.update(england=eng.iloc[0] if len(eng) else np.nan,
                       region=reg.iloc[0] if len(reg) else np.nan,
                       sn_mean=sns["value"].mean() if len(sns) else np.nan,
                       sn_values="; ".join(f"{n_}: {v:g}" for n_, v in
                                           zip(sns["area_name"], sns["value"], strict=True)),
                       benchmark_period=period, rank=rank, n_ranked=n if band else 0, band=band,
                       benchmark_note=note)  # fmt: skip
        row["significance"] = significance(rec.ci_low, rec.ci_high, row["england"], ind.polarity)
        rows.append(row)
    comp = pd.DataFrame(rows)
    return out.merge(comp, on=["indicator_id", "period_end"], how="left")


def rag(value: float, target: float, tolerance: float, polarity: str) -> str:
    """Red/amber/green against a local target, always as a word: "Green: on target"..."""
    if pd.isna(value) or pd.isna(target) or polarity not in {"higher_better", "lower_better"}:
        return "No target"
    gap = value - target if polarity == "higher_better" else target - value
    tol = 0.0 if pd.isna(tolerance) else tolerance
    if gap >= 0:
        return "Green: meets the target"
    if gap >= -tol:
        return "Amber: within tolerance of the target"
    return "Red: misses the target"
