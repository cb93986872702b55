"""Comparators: England, region, statistical neighbours, rank and quartile band, like for like.

Conventions (stated in every output):

- **Like for like.** Published figures are annual (the year to 31 March, or a snapshot at 31
  March; workforce at 30 September). The authority is compared with them on its own value for
  *the same period* (computed over the same 12 months, or at the same date), never on its
  latest quarter; the period is named wherever a comparison is made.
- **Significance in the Fingertips style**: "similar" when the comparator's value lies within
  the authority's 95% interval, otherwise "better" or "worse" by polarity, or "higher" or
  "lower" for an indicator with neutral polarity. A measure without an interval (workforce
  figures in full-time equivalents are whole-workforce counts, not samples) is compared
  directly: "higher" or "lower" (or "better" or "worse"), "similar" only when equal to the
  precision shown. A count is not compared between authorities of different sizes.
- **Rank and quartile band**: among every authority with a published value for the period (the
  authority's own value put in place of any published one). Ranks use the best rank for ties
  (1 = best; 1 = highest for neutral polarity). Band A is the best quarter of authorities by
  polarity (rank within the best 25%), then B, C, D; neutral indicators have no band, only
  their quarter ("highest 25%" ... "lowest 25%").
- **Statistical neighbours**: their mean for the period, of those with a value.
- **Region**: the region of the authority (from the published figures' own region columns
  where present, else the region named in authority.yaml).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .dataset import Dataset
from .format import DECIMALS
from .indicators.registry import REGISTRY
from .stats.intervals import rate_limits, wilson_pct

BAND_NOTE = "Band A is the best quartile of authorities (by the indicator's polarity)."
POLAR = {"higher_better", "lower_better"}
QUARTERS = ["highest 25%", "second-highest 25%", "second-lowest 25%", "lowest 25%"]


def quartile_band(values: pd.Series, own: float, polarity: str) -> tuple[float, int, str]:
    """(rank, number ranked, band A-D) of ``own`` among ``values`` (which do not include it)."""
    rank, n, band, _ = rank_among(values, own, polarity)
    return rank, n, band


def rank_among(values: pd.Series, own: float, polarity: str) -> tuple[float, int, str, str]:
    """(rank, number ranked, band A-D or "" for neutral, quarter in words) of ``own`` among
    ``values`` (the other authorities). Rank 1 is the best (the highest for neutral)."""
    vals = pd.concat(
        [pd.Series(values, dtype=float).dropna(), pd.Series([own], dtype=float)], ignore_index=True
    )
    if pd.isna(own):
        return np.nan, len(vals), "", ""
    n = len(vals)
    high_first = vals.rank(method="min", ascending=False)
    position = QUARTERS[min(3, int(np.ceil(4 * float(high_first.iloc[-1]) / n)) - 1)]
    if polarity not in POLAR:
        return float(high_first.iloc[-1]), n, "", position
    ranks = vals.rank(method="min", ascending=polarity == "lower_better")
    rank = float(ranks.iloc[-1])
    share = rank / n
    band = "A" if share <= 0.25 else "B" if share <= 0.5 else "C" if share <= 0.75 else "D"
    return rank, n, band, position


def compare(
    value: float, low: float, high: float, other: float, polarity: str, unit: str
) -> tuple[str, str]:
    """(word, how it was decided) for the authority's value against a comparator's value for
    the same period: better/similar/worse (higher/similar/lower for neutral polarity), or
    "not compared" with the reason."""
    if pd.isna(other):
        return "not compared", "no comparator value"
    if pd.isna(value):
        return "not compared", "no value for this authority for the period"
    if unit == "count":
        return "not compared", "a count depends on the size of the authority"
    if pd.notna(low) and pd.notna(high):
        if low <= other <= high:
            return "similar", "95% interval"
        above = low > other
        how = "95% interval"
    else:
        digits = DECIMALS.get(unit, 1)
        if round(value, digits) == round(other, digits):
            return "similar", "compared directly (no interval)"
        above = value > other
        how = "compared directly (no interval)"
    if polarity not in POLAR:
        return ("higher" if above else "lower"), how
    better = above == (polarity == "higher_better")
    return ("better" if better else "worse"), how


def significance(low: float, high: float, england: float, polarity: str) -> str:
    """The comparison with England in words ("similar to England", "better than England",
    "higher than England", ...; "not compared" without an interval or England value)."""
    if any(pd.isna(v) for v in (low, high, england)):
        return "not compared"
    word, _ = compare((low + high) / 2, low, high, england, polarity, "pct")
    return "similar to England" if word == "similar" else f"{word} than England"


def interval(unit: str, numerator: float, denominator: float) -> tuple[float, float]:
    """95% limits of a percentage (Wilson) or a rate per 10,000 (Byar / exact Poisson)."""
    if unit == "pct":
        lo, hi = wilson_pct(numerator, denominator)
    elif unit == "rate_per_10k":
        lo, hi = rate_limits(numerator, denominator)
    else:
        return np.nan, np.nan
    return float(lo[0]), float(hi[0])


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
        lo[rate], hi[rate] = rate_limits(
            frame.loc[rate, "numerator"], frame.loc[rate, "denominator"]
        )
    return frame.assign(ci_low=lo, ci_high=hi)


def headline(bench: pd.DataFrame | None) -> pd.DataFrame:
    """The published comparator values: rows for a known indicator with a value, without
    breakdowns (DfE's files may carry a ``breakdown`` column; empty is the headline)."""
    if bench is None or bench.empty:
        return pd.DataFrame(
            columns=["indicator_id", "time_period", "area_code", "area_name", "area_type", "value"]
        )
    keep = bench["indicator_id"].notna() & bench["value"].notna()
    if "breakdown" in bench:
        keep &= bench["breakdown"].isna() | (bench["breakdown"].astype(str).str.strip() == "")
    out = bench.loc[keep].copy()
    out["time_period"] = pd.to_datetime(out["time_period"])
    return out


def _norm(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).replace(" region", "").strip()


def region_of(bench: pd.DataFrame, la_code: str, region: str) -> tuple[str, str] | None:
    """(code, name) of the authority's region among the published region rows: from the
    published figures' own region columns for this authority where present, else by the
    region named in authority.yaml, else the only region published."""
    regions = bench.loc[bench["area_type"] == "region", ["area_code", "area_name"]]
    regions = regions.drop_duplicates("area_code")
    if regions.empty:
        return None
    if "region_code" in bench:
        own = bench.loc[
            (bench["area_code"] == la_code) & bench["region_code"].notna(), "region_code"
        ]
        hit = regions.loc[regions["area_code"].isin(set(own))]
        if len(hit):
            return str(hit["area_code"].iloc[0]), str(hit["area_name"].iloc[0])
    named = regions.loc[regions["area_name"].map(_norm) == _norm(region)]
    if len(named):
        return str(named["area_code"].iloc[0]), str(named["area_name"].iloc[0])
    if len(regions) == 1:
        return str(regions["area_code"].iloc[0]), str(regions["area_name"].iloc[0])
    return None


def benchmark(indicators: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """Comparators for every row of a :func:`compute_indicators` frame, like for like: each
    row is compared with the published figures for its own period (a row whose period has no
    published figures has none). Columns added: ``ci_low, ci_high, england, region,
    sn_mean, benchmark_period, rank, n_ranked, band, significance, benchmark_note``.

    For the comparison of a quarter's value with the latest published year, see
    :func:`sefanalysis.findings.build_findings` (which computes the authority's value for
    that year)."""
    out = intervals(indicators)
    bench = headline(dataset.table("benchmarks"))
    neighbours = dataset.table("statistical_neighbours")
    sn_codes = set(neighbours["area_code"].dropna()) if neighbours is not None else set()
    a = dataset.authority
    region = region_of(bench, a.la_code, a.region) if len(bench) else None
    published = {
        key: grp
        for key, grp in bench.groupby(["indicator_id", "time_period"], observed=True, sort=False)
    }
    rows = []
    for rec in out.itertuples(index=False):  # one row per indicator and period (not children)
        ind = REGISTRY[rec.indicator_id]
        pub = published.get((rec.indicator_id, rec.period_end))
        row: dict[str, object] = {"indicator_id": rec.indicator_id, "period_end": rec.period_end}
        if pub is None:
            row.update(
                england=np.nan,
                region=np.nan,
                sn_mean=np.nan,
                benchmark_period=pd.NaT,
                rank=np.nan,
                n_ranked=0,
                band="",
                significance="not compared",
                benchmark_note="no published figures for this period",
            )
            rows.append(row)
            continue
        eng = pub.loc[pub["area_type"] == "england", "value"]
        reg = pub.loc[pub["area_code"] == region[0], "value"] if region else pd.Series([])
        las = pub.loc[pub["area_type"] == "la"]
        sns = las.loc[las["area_code"].isin(sn_codes), "value"]
        rank, n, band, _ = rank_among(
            las.loc[las["area_code"] != a.la_code, "value"], rec.value, ind.polarity
        )
        england = float(eng.iloc[0]) if len(eng) else np.nan
        word, _ = compare(rec.value, rec.ci_low, rec.ci_high, england, ind.polarity, ind.unit)
        row.update(
            england=england,
            region=float(reg.iloc[0]) if len(reg) else np.nan,
            sn_mean=float(sns.mean()) if len(sns) else np.nan,
            benchmark_period=rec.period_end,
            rank=rank,
            n_ranked=n if band else 0,
            band=band,
            significance=word,
            benchmark_note=(f"published figures for the period to {rec.period_end:%d %B %Y}"),
        )
        rows.append(row)
    return out.merge(pd.DataFrame(rows), on=["indicator_id", "period_end"], how="left")


def rag(value: float, target: float, tolerance: float, polarity: str) -> str:
    """Red/amber/green against a local target, always as a word: "Green: on target"..."""
    if pd.isna(value) or pd.isna(target) or polarity not in POLAR:
        return "No target"
    gap = value - target if polarity == "higher_better" else target - value
    tol = 0.0 if pd.isna(tolerance) else tolerance
    if gap >= 0:
        return "Green: meets the target"
    if gap >= -tol:
        return "Amber: within tolerance of the target"
    return "Red: misses the target"
