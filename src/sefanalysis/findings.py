"""Findings: for each indicator at the period end, one record of facts from which every
sentence, comparison and chart of a run is written. Pure functions of the evidence
(:func:`gather` computes it, the rest only reads it); no plotting, no HTML.

A record holds: the value and its 95% interval; the value a year earlier and whether the change
is significant (:mod:`.stats.change`, Fingertips' trend words); the Making Data Count variation
of the *latest month* and the assurance against a target (:mod:`.stats.spc`, on the monthly
series before suppression, or the reason there is none); England, the region and the
statistical neighbours for the latest published period, with the authority's own value *for
that period* and its interval, the comparison words and the rank and quartile band; the notes;
and the sentences (:mod:`.wording`). Where the disclosure plan hides a value, nothing derived
from it is given (no change, comparison, band or RAG rating).

``findings.csv`` in the run folder is these records; each sentence is what the reviewer page
shows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .benchmarking import compare, headline, interval, rag, rank_among, region_of
from .disclosure import (
    Plan,
    comparator_position,
    month_position,
    quarter_position,
    spc_mean_position,
)
from .indicators.registry import REGISTRY, Indicator
from .ingest.authority import Authority
from .periods import month_ends_back, period_label, quarter_ends_back, snapshot_label
from .stats import change as tests
from .stats.spc import SpcResult, xmr

SPC_MONTHS = 24  # months on an SPC chart
MIN_SPC_MONTHS = 12  # fewer months with a value: no chart and no claim (MDC: trial limits)
FEW_EVENTS = 5  # a typical month with fewer events than this is too sparse for an XmR chart
IMPROVEMENT = {"higher_better": "increase", "lower_better": "decrease", "neutral": "neutral"}
# the parts of an indicator that are counts of children or events, by how it is aggregated
PARTS = {
    "count": ("num",),
    "sum": ("num",),
    "pct": ("num", "den"),
    "ratio": ("num", "den"),
    "rate_per_10k": ("num",),
    "mean": ("den",),
    "median": ("den",),
}
# breakdowns a run publishes (indicator, breakdown, title): suppression is decided over them
# together with every other table (a notebook asking for another still gets one, decided
# with it added)
DISTRIBUTIONS = (
    (
        "assessments_within_45wd_pct",
        "duration_band",
        "Assessments completed by duration in working days",
    ),
    (
        "icpc_within_15wd_pct",
        "duration_band",
        "Initial conferences by working days from the strategy discussion",
    ),
    ("referrals", "age_band", "Referrals by age band"),
    ("audits_completed", "grade", "Case audits by grade"),
    # the breakdowns the SEF catalogue's figures show (issue 20)
    ("referrals", "gender", "Referrals by gender"),
    ("referrals", "ethnicity_group", "Referrals by ethnic group"),
    ("referrals", "source", "Referrals by source"),
    ("contacts", "source", "Contacts by source"),
    ("cin_count", "disability", "Children in need by disability"),
    ("cpp_count", "age_band", "Children on a plan by age band"),
    ("cpp_count", "abuse_category", "Children on a plan by latest category of abuse"),
    ("exploitation_risk_children", "risk_level", "Children at risk of exploitation by risk level"),
    ("cla_count", "age_band", "Children in care by age band"),
    ("cla_count", "gender", "Children in care by gender"),
    ("cla_count", "ethnicity_group", "Children in care by ethnic group"),
    ("cl_count", "care_leaver_age_band", "Care leavers by age group"),
    ("complaints_received", "stage", "Complaints received by stage"),
)

Memo = Callable[[str, tuple, Callable[[], object]], object]


def _direct(kind: str, parts: tuple, compute: Callable[[], object]) -> object:
    return compute()


def bounds(unit: str) -> tuple[float, float]:
    """What a measure can take: 0 to 100 for a percentage, 0 upwards otherwise."""
    return (0.0, 100.0) if unit == "pct" else (0.0, math.inf)


def year_earlier(period_end: pd.Timestamp) -> pd.Timestamp:
    return period_end - pd.DateOffset(years=1) + pd.offsets.QuarterEnd(0)


def label(ind: Indicator, period_end: pd.Timestamp, window: str = "12m") -> str:
    """ "in the year to December 2024" (flows) or "at 31 December 2024" (snapshots)."""
    if ind.kind == "snapshot":
        return snapshot_label(period_end)
    return f"in the {period_label(period_end, window)}"


# --------------------------------------------------------------------------- evidence
@dataclass
class Evidence:
    """Everything findings are decided from, computed once per run (see :func:`gather`).

    ``values``: every indicator at the quarter ends shown (the report's window); ``monthly``:
    one-month values for the SPC charts; ``published_own``: the authority's 12-month values
    at the periods of the published comparators; ``spread``: the spread of the units behind
    means and medians (their intervals and tests); ``breakdowns``: each published breakdown,
    by group, with the indicators of its area that may be made of its groups."""

    authority: Authority
    period_end: pd.Timestamp
    window: str
    quarters: list[pd.Timestamp]
    values: pd.DataFrame
    monthly: pd.DataFrame
    published_own: pd.DataFrame
    spread: pd.DataFrame
    benchmarks: pd.DataFrame
    neighbours: pd.DataFrame
    targets: pd.DataFrame
    breakdowns: dict[str, pd.DataFrame] = field(default_factory=dict)

    def rows(self, indicator_id: str) -> pd.DataFrame:
        return self._by("values", indicator_id)

    def months(self, indicator_id: str) -> pd.DataFrame:
        return self._by("monthly", indicator_id)

    def _by(self, name: str, indicator_id: str) -> pd.DataFrame:
        cache = self.__dict__.setdefault("_groups", {})
        if name not in cache:
            frame = getattr(self, name)
            cache[name] = {
                k: g.set_index("period_end") for k, g in frame.groupby("indicator_id", sort=False)
            }
        empty = getattr(self, name).iloc[0:0].set_index("period_end")
        return cache[name].get(indicator_id, empty)


def breakdown_key(indicator_id: str, by: str) -> str:
    return f"{indicator_id}|{by}"


def gather(
    dataset: object,
    period_end: pd.Timestamp,
    window: str = "12m",
    quarters: int = 8,
    distributions: tuple = DISTRIBUTIONS,
    memo: Memo = _direct,
    data_key: str = "",
) -> Evidence:
    """Compute the evidence for a run (``memo(kind, key, compute)`` may cache each part)."""
    from .indicators.engine import compute_indicators

    iso = "%Y-%m-%d"
    end = pd.Timestamp(period_end)
    shown = quarter_ends_back(end, quarters)
    qs = [q.strftime(iso) for q in shown]
    values = memo(
        "indicators", (data_key, qs, window), lambda: compute_indicators(dataset, qs, window=window)
    )
    bench = headline(dataset.table("benchmarks"))
    periods = sorted(
        {
            p
            for p in bench["time_period"].dropna()
            if p <= end and (p.month, p.day) in {(3, 31), (6, 30), (9, 30), (12, 31)}
        }
    )
    ids = sorted(set(bench["indicator_id"]) & set(REGISTRY))
    published_own = (
        memo(
            "indicators",
            (data_key, [p.strftime(iso) for p in periods], "12m", ids),
            lambda: compute_indicators(
                dataset, [p.strftime(iso) for p in periods], window="12m", ids=ids
            ),
        )
        if periods and ids
        else values.iloc[0:0]
    )
    spc = [m.strftime(iso) for m in month_ends_back(end, SPC_MONTHS)]
    monthly = memo(
        "indicators",
        (data_key, spc, "1m"),
        lambda: compute_indicators(dataset, spc, window="1m", month_ends=True),
    )
    averaged = {i.id for i in REGISTRY.values() if i.aggregate in {"mean", "median"}}
    spread_periods = [
        p for p in periods if set(bench.loc[bench["time_period"] == p, "indicator_id"]) & averaged
    ]
    spread = memo(
        "spread",
        (data_key, qs, window, [p.strftime(iso) for p in spread_periods]),
        lambda: unit_spread(dataset, end, window, spread_periods),
    )
    breakdowns = {}
    for ind_id, by, *_ in distributions:
        breakdowns[breakdown_key(ind_id, by)] = memo(
            "breakdown",
            (data_key, end.strftime(iso), window, ind_id, by),
            lambda ind_id=ind_id, by=by: breakdown(dataset, values, end, window, ind_id, by),
        )
    targets = dataset.table("targets")
    neighbours = dataset.table("statistical_neighbours")
    return Evidence(
        authority=dataset.authority,
        period_end=end,
        window=window,
        quarters=shown,
        values=values,
        monthly=monthly,
        published_own=published_own,
        spread=spread,
        benchmarks=bench,
        neighbours=neighbours
        if neighbours is not None
        else pd.DataFrame(columns=["area_code", "area_name", "rank"]),
        targets=targets
        if targets is not None
        else pd.DataFrame(columns=["indicator_id", "target", "tolerance"]),
        breakdowns=breakdowns,
    )


def breakdown(
    dataset: object,
    values: pd.DataFrame,
    end: pd.Timestamp,
    window: str,
    indicator_id: str,
    by: str,
) -> pd.DataFrame:
    """``indicator_id`` by ``by`` at the period end, with every other indicator of its area
    whose numerator or denominator could be made of whole groups (its total equals a sum of
    some of the groups: grades to good or better), by the same groups: the disclosure model
    takes the relations these hold."""
    from itertools import combinations

    from .indicators.engine import compute_indicators

    iso = end.strftime("%Y-%m-%d")
    ind = REGISTRY[indicator_id]
    own = compute_indicators(dataset, iso, window=window, ids=[indicator_id], by=by)
    counts = own["numerator" if ind.aggregate in {"count", "sum"} else "denominator"].fillna(0)
    counts = [float(c) for c in counts if c > 0]
    if not counts or len(counts) > 12:
        return own
    sums = {round(sum(c), 6) for k in range(1, len(counts) + 1) for c in combinations(counts, k)}
    latest = values.loc[
        (values["area"] == ind.area)
        & (values["period_end"] == end)
        & (values["indicator_id"] != indicator_id)
    ]
    wanted = [
        r.indicator_id
        for r in latest.itertuples(index=False)
        if any(pd.notna(v) and round(float(v), 6) in sums for v in (r.numerator, r.denominator))
    ]
    if not wanted:
        return own
    more = compute_indicators(dataset, iso, window=window, ids=wanted, by=by)
    return pd.concat([own, more], ignore_index=True)


def unit_spread(
    dataset: object, end: pd.Timestamp, window: str, periods: list[pd.Timestamp]
) -> pd.DataFrame:
    """For each mean or median indicator: the number, mean, standard deviation, median and
    its standard error, and the 95% interval of the value, of its units at the period end and
    a year earlier (the report's window) and at the published periods (12 months)."""
    from .indicators.engine import Context
    from .periods import window_start

    rows = []
    for ind in REGISTRY.values():
        if ind.aggregate not in {"mean", "median"} or ind.func is None:
            continue
        for win, ends in ((window, [year_earlier(end), end]), ("12m", periods)):
            if not ends:
                continue
            frame = pd.DataFrame({"period_end": sorted(set(ends))})
            frame["period_start"] = [window_start(e, win) for e in frame["period_end"]]
            result = ind.func(Context(dataset, frame, win))
            parts = [p for p in (result if isinstance(result, list) else [result]) if len(p)]
            if not parts:
                continue
            units = pd.concat(parts, ignore_index=True)
            den = (
                pd.to_numeric(units["den"], errors="coerce")
                if "den" in units
                else pd.Series(1.0, index=units.index)
            )
            measure = pd.to_numeric(units["measure"], errors="coerce").astype(float)
            units = units.assign(measure=measure).loc[(den.fillna(0) > 0) & measure.notna()]
            for when, grp in units.groupby("period_end"):
                y = grp["measure"].to_numpy(dtype=float)
                lo, hi = (
                    tests.mean_interval(y) if ind.aggregate == "mean" else tests.median_interval(y)
                )
                rows.append(
                    {
                        "indicator_id": ind.id,
                        "window": win,
                        "period_end": pd.Timestamp(when),
                        "n": len(y),
                        "mean": float(y.mean()),
                        "sd": float(y.std(ddof=1)) if len(y) > 1 else math.nan,
                        "median": float(np.median(y)),
                        "median_se": tests.median_se(y),
                        "ci_low": lo,
                        "ci_high": hi,
                    }
                )
    cols = [
        "indicator_id",
        "window",
        "period_end",
        "n",
        "mean",
        "sd",
        "median",
        "median_se",
        "ci_low",
        "ci_high",
    ]
    return pd.DataFrame(rows, columns=cols)


# ---------------------------------------------------------------------------- SPC
@dataclass
class SpcFacts:
    """An indicator's monthly series (the SPC chart's months) and its XmR result, or the
    reason there is none."""

    series: pd.DataFrame  # period_end, value, numerator, denominator
    result: SpcResult | None
    reason: str = ""


def spc_facts(evidence: Evidence, ind: Indicator) -> SpcFacts:
    """Making Data Count XmR of the monthly values before any suppression, or why none: a
    measure with one figure per year (its steps between years are not variation), fewer than
    12 months with a value, or too few events in a typical month (for percentages, fewer than
    5 on either side; for counts and rates, fewer than 5 events; for averages, fewer than 5
    children or cases averaged)."""
    months = month_ends_back(evidence.period_end, SPC_MONTHS)
    rows = evidence.months(ind.id).reindex(months)
    series = pd.DataFrame(
        {
            "period_end": months,
            "value": rows["value"].to_numpy(dtype=float),
            "numerator": rows["numerator"].to_numpy(dtype=float),
            "denominator": rows["denominator"].to_numpy(dtype=float),
        }
    )
    if ind.yearly:
        return SpcFacts(
            series,
            None,
            f"one figure per {ind.yearly}, repeated at each month end, so there is no "
            "monthly variation to judge",
        )
    have = series["value"].notna()
    if have.sum() < MIN_SPC_MONTHS:
        n = int(have.sum())
        some = (
            f"none of the last {SPC_MONTHS} months has"
            if n == 0
            else f"only 1 of the last {SPC_MONTHS} months has"
            if n == 1
            else f"only {n} of the last {SPC_MONTHS} months have"
        )
        return SpcFacts(series, None, f"{some} a value (at least {MIN_SPC_MONTHS} are needed)")
    shown = series.loc[have]
    events = None
    if ind.interval and ind.aggregate in {"count", "rate_per_10k"}:
        events, what = shown["numerator"], "events"
    elif ind.interval and ind.aggregate == "pct":
        events = np.minimum(shown["numerator"], shown["denominator"] - shown["numerator"])
        what = "cases on one side of the measure"
    elif ind.aggregate in {"mean", "median"}:
        events, what = shown["denominator"], "cases averaged"
    if events is not None and float(np.median(events)) < FEW_EVENTS:
        return SpcFacts(
            series,
            None,
            f"in a typical month there are fewer than {FEW_EVENTS} "
            f"{what}, too few to judge monthly variation",
        )
    target = target_of(evidence, ind.id)[0]
    result = xmr(
        series["value"],
        x=series["period_end"],
        improvement=IMPROVEMENT[ind.polarity],
        target=target,
        bounds=bounds(ind.unit),
    )
    return SpcFacts(series, result)


def target_of(evidence: Evidence, indicator_id: str) -> tuple[float | None, float]:
    t = evidence.targets
    hit = t.loc[t["indicator_id"] == indicator_id]
    if hit.empty or pd.isna(hit["target"].iloc[0]):
        return None, 0.0
    tol = hit["tolerance"].iloc[0] if "tolerance" in hit else 0.0
    return float(hit["target"].iloc[0]), 0.0 if pd.isna(tol) else float(tol)


# ---------------------------------------------------------------------------- comparators
def comparator_period(evidence: Evidence, ind: Indicator) -> pd.Timestamp | None:
    """The latest published period (at or before the period end) for which the authority has
    a value of its own to compare; else the latest published period (not compared, with the
    reason); None without published figures."""
    pub = evidence.benchmarks
    periods = sorted(
        set(
            pub.loc[pub["indicator_id"] == ind.id, "time_period"].loc[
                lambda s: s <= evidence.period_end
            ]
        ),
        reverse=True,
    )
    if not periods:
        return None
    own = evidence.published_own
    own = own.loc[own["indicator_id"] == ind.id].set_index("period_end")["value"]
    for p in periods:
        if p in own.index and pd.notna(own.loc[p]):
            return p
    return periods[0]


def _own_at(evidence: Evidence, ind: Indicator, when: pd.Timestamp) -> pd.Series | None:
    own = evidence.published_own
    hit = own.loc[(own["indicator_id"] == ind.id) & (own["period_end"] == when)]
    return None if hit.empty else hit.iloc[0]


def _spread_at(evidence: Evidence, ind: Indicator, window: str, when: pd.Timestamp):
    s = evidence.spread
    hit = s.loc[(s["indicator_id"] == ind.id) & (s["window"] == window) & (s["period_end"] == when)]
    return None if hit.empty else hit.iloc[0]


def value_interval(
    evidence: Evidence, ind: Indicator, row: pd.Series, window: str, when: pd.Timestamp
) -> tuple[float, float]:
    """95% interval of a value: Wilson (%), Byar/exact Poisson (rates), t (means),
    order statistics (medians); none for counts and workforce figures."""
    if not ind.interval or pd.isna(row["value"]):
        return math.nan, math.nan
    if ind.aggregate in {"mean", "median"}:
        s = _spread_at(evidence, ind, window, when)
        return (math.nan, math.nan) if s is None else (float(s["ci_low"]), float(s["ci_high"]))
    return interval(ind.unit, row["numerator"], row["denominator"])


def change_test(
    evidence: Evidence, ind: Indicator, now: pd.Series, before: pd.Series, when: pd.Timestamp
) -> tests.Change:
    """The test suited to the measure (see :mod:`.stats.change`)."""
    diff = now["value"] - before["value"]
    if not ind.interval:
        return tests.untested(
            diff,
            "these workforce figures are whole-workforce counts in "
            "full-time equivalents, not events, so no test of chance "
            "applies",
        )
    if ind.aggregate == "pct":
        return tests.proportions(
            before["numerator"], before["denominator"], now["numerator"], now["denominator"]
        )
    if ind.aggregate == "rate_per_10k":
        return tests.poisson_ratio(
            before["numerator"],
            before["denominator"],
            now["numerator"],
            now["denominator"],
            per=10_000,
        )
    if ind.aggregate in {"count", "sum"}:
        return tests.poisson_ratio(before["numerator"], 1.0, now["numerator"], 1.0)
    if ind.aggregate in {"mean", "median"}:
        a = _spread_at(evidence, ind, evidence.window, year_earlier(when))
        b = _spread_at(evidence, ind, evidence.window, when)
        if a is None or b is None:
            return tests.untested(diff, "the values behind the averages are not available")
        if ind.aggregate == "mean":
            return tests.means(a["mean"], a["sd"], a["n"], b["mean"], b["sd"], b["n"])
        return tests.medians_from_se(a["median"], a["median_se"], b["median"], b["median_se"])
    return tests.untested(diff, "no test is defined for this kind of measure")


def claim_rules(ind: Indicator) -> list[str]:
    """How each claim about ``ind`` is decided, in words (for the generated indicator
    dictionary): its interval, its test of change, when monthly variation is judged, and how
    it is compared."""
    interval_words = {
        "pct": "Wilson score interval",
        "rate_per_10k": "Byar's method (exact Poisson below 10 events)",
        "mean": "t interval of the mean of the children's or cases' values",
        "median": "distribution-free interval of the median (order statistics)",
    }
    if not ind.interval:
        interval_text = "none (workforce figures in full-time equivalents are not events)"
        test = "not tested (not counts of events)"
    elif ind.aggregate in {"count", "sum"}:
        interval_text = "none shown (a count)"
        test = "ratio of two Poisson counts, exact conditional interval"
    else:
        interval_text = interval_words.get(ind.aggregate, "none")
        test = {
            "pct": "difference of two proportions, Newcombe's score interval",
            "rate_per_10k": "ratio of two Poisson rates, exact conditional interval",
            "mean": "difference of two means, Welch's interval",
            "median": "difference of two medians, Price and Bonett's interval",
        }.get(ind.aggregate, "not tested")
    events = {
        "count": "5 events",
        "rate_per_10k": "5 events",
        "pct": "5 cases on either side",
        "mean": "5 cases averaged",
        "median": "5 cases averaged",
    }
    sparse = (
        f" and a typical month has at least {events[ind.aggregate]}"
        if ind.interval and ind.aggregate in events
        else ""
    )
    if ind.unit == "count":
        compared = "not compared with other authorities (a count depends on size)"
    else:
        words = "better/similar/worse" if ind.polarity != "neutral" else "higher/similar/lower"
        how = "its 95% interval" if ind.interval else "directly (no interval)"
        period = "the 12 months to" if ind.kind == "flow" else "the snapshot at"
        compared = (
            f"{words} than England, the region and the statistical neighbours' mean, by "
            f"{how}, on this authority's value for {period} the latest published date"
        )
    return [
        f"Interval: {interval_text}",
        f"Change on a year: {test}; a direction is stated only where significant",
        f"Monthly variation: not judged (one figure per {ind.yearly})"
        if ind.yearly
        else f"Monthly variation: XmR chart (Making Data Count) when at least {MIN_SPC_MONTHS} "
        f"of the last {SPC_MONTHS} months have a value{sparse}; only the latest month is "
        "described",
        f"Comparison: {compared}",
    ]


# ---------------------------------------------------------------------------- records
COLUMNS: dict[str, str] = {
    "indicator_id": "The indicator's id in the registry",
    "title": "The indicator's title",
    "area": "Judgement area",
    "unit": "pct (0-100), rate_per_10k, count, days, score, fte or ratio",
    "polarity": "higher_better, lower_better or neutral",
    "kind": "flow (events in the window) or snapshot (at the period end)",
    "period_end": "The quarter end the record is for",
    "period": "The period in words (a flow's window, or the snapshot date)",
    "value": "The authority's value (blank where suppressed or missing)",
    "numerator": "Its numerator (blank where suppressed)",
    "denominator": "Its denominator (blank where suppressed; a rate's is the population)",
    "ci_low": "95% interval of the value, lower limit",
    "ci_high": "95% interval of the value, upper limit",
    "suppressed": "True where the value is suppressed ([c]) in published outputs",
    "note": "Why a value is missing, and the data source",
    "source": "Where the data comes from",
    "year_earlier_period_end": "The period end a year earlier",
    "value_year_earlier": "The value a year earlier (blank where suppressed or missing)",
    "suppressed_year_earlier": "True where the value a year earlier is suppressed",
    "change": "value - value_year_earlier, in the measure's unit (percentage points for %)",
    "change_test": "The test of the change (suited to the measure)",
    "change_low": "95% interval of the change (of the difference, or of the ratio of rates)",
    "change_high": "95% interval of the change, upper limit",
    "change_interval_of": "difference or ratio",
    "change_significant": "True where the interval excludes no change",
    "trend": "Fingertips' words: increasing/decreasing (getting better/worse), no significant "
    "change, or not tested",
    "change_note": "Why the change is not tested, where it is not",
    "variation": "Making Data Count variation of the latest month: common cause, special cause "
    "improvement/concern/(neither), or not assessed",
    "variation_month": "The month the variation is about (the latest)",
    "variation_value": "The latest month's value",
    "variation_rule": "The rule that found special cause: beyond, run, trend or near",
    "variation_side": "higher or lower: the side of the special cause",
    "variation_note": "Why variation is not assessed, where it is not",
    "spc_mean": "Centre line of the monthly SPC chart (clipped to what the measure can take)",
    "spc_lower_limit": "Lower process limit (clipped)",
    "spc_upper_limit": "Upper process limit (clipped)",
    "spc_months": "Months with a value on the SPC chart",
    "target": "Local target (targets.csv)",
    "rag": "Red/amber/green against the target",
    "assurance": "Making Data Count assurance: whether the process limits meet the target",
    "comparator_period": "The published period compared (the latest with a value of this "
    "authority's own)",
    "comparator_period_label": "That period in words",
    "value_at_comparator_period": "This authority's value for that period",
    "ci_low_at_comparator_period": "Its 95% interval, lower limit",
    "ci_high_at_comparator_period": "Its 95% interval, upper limit",
    "suppressed_at_comparator_period": "True where that value is suppressed",
    "comparator_note": "Why there is no comparison, where there is none",
    "england_value": "England's published value for the comparator period",
    "england_period": "The period of England's value",
    "vs_england": "better/similar/worse (higher/similar/lower for neutral polarity), or not "
    "compared",
    "region_name": "The authority's region",
    "region_value": "The region's published value for the comparator period",
    "vs_region": "As vs_england, against the region",
    "neighbours_value": "Mean of the statistical neighbours' values for the comparator period",
    "neighbours_count": "How many statistical neighbours have a value",
    "vs_neighbours": "As vs_england, against the neighbours' mean",
    "comparison_method": "How the comparisons are decided (95% interval, or directly)",
    "rank": "Rank among all authorities for the comparator period (1 = best; 1 = highest for "
    "neutral polarity)",
    "n_ranked": "Authorities ranked",
    "band": "Quartile band A-D (A = best quarter), by polarity; blank for neutral",
    "quartile": "Which quarter of authorities the value is in, highest first",
    "comparator_source": "The publication the comparator values come from",
    "text_value": "Sentence: the value and its change",
    "text_variation": "Sentence: the latest month's variation",
    "text_comparison": "Sentence: the comparison with England, region and neighbours",
    "sentence": "The finding as the reviewer page shows it (the three sentences)",
}


def build_findings(evidence: Evidence, plan: Plan, spcs: dict[str, SpcFacts]) -> pd.DataFrame:
    """One record per indicator at the period end (see :data:`COLUMNS`)."""
    from .wording import sentences

    records = []
    for ind in REGISTRY.values():
        rows = evidence.rows(ind.id)
        if evidence.period_end not in rows.index:
            continue
        rec = _record(evidence, plan, ind, rows, spcs[ind.id])
        rec.update(sentences(rec, evidence.authority))
        records.append(rec)
    frame = pd.DataFrame(records, columns=list(COLUMNS))
    return frame


def _record(
    evidence: Evidence, plan: Plan, ind: Indicator, rows: pd.DataFrame, spc: SpcFacts
) -> dict[str, object]:
    end = evidence.period_end
    now = rows.loc[end]
    hidden = plan.hides(quarter_position(ind.id, end))
    have = pd.notna(now["value"])
    ci = value_interval(evidence, ind, now, evidence.window, end) if have else (math.nan,) * 2
    rec: dict[str, object] = {
        "indicator_id": ind.id,
        "title": ind.title,
        "area": ind.area,
        "unit": ind.unit,
        "polarity": ind.polarity,
        "kind": ind.kind,
        "period_end": end,
        "period": label(ind, end, evidence.window),
        "value": math.nan if hidden else now["value"],
        # parts only beside a value (a 0 of 0 has none to show)
        "numerator": math.nan if hidden or not have else now["numerator"],
        "denominator": math.nan
        if (hidden and ind.unit != "rate_per_10k") or not have
        else now["denominator"],
        "ci_low": math.nan if hidden else ci[0],
        "ci_high": math.nan if hidden else ci[1],
        "suppressed": bool(hidden and have),
        "note": now["note"],
        "source": ind.source,
    }
    rec.update(_change(evidence, plan, ind, rows, now, hidden))
    rec.update(_variation(plan, ind, spc))
    target, tolerance = target_of(evidence, ind.id)
    rec["target"] = math.nan if target is None else target
    rec["rag"] = (
        ""
        if target is None or hidden or not have
        else rag(now["value"], target, tolerance, ind.polarity)
    )
    rec["assurance"] = (
        spc.result.assurance
        if spc.result is not None and target is not None and ind.polarity != "neutral"
        else ""
    )
    rec.update(_comparison(evidence, plan, ind))
    return rec


def _change(evidence, plan, ind, rows, now, hidden) -> dict[str, object]:
    when = year_earlier(evidence.period_end)
    out: dict[str, object] = {
        "year_earlier_period_end": when,
        "value_year_earlier": math.nan,
        "suppressed_year_earlier": False,
        "change": math.nan,
        "change_test": "",
        "change_low": math.nan,
        "change_high": math.nan,
        "change_interval_of": "",
        "change_significant": False,
        "trend": "",
        "change_note": "",
    }
    before = rows.loc[when] if when in rows.index else None
    if before is None or pd.isna(before["value"]):
        out["change_note"] = "no value a year earlier"
        return out
    hidden_before = plan.hides(quarter_position(ind.id, when))
    out["suppressed_year_earlier"] = hidden_before
    if not hidden_before:
        out["value_year_earlier"] = before["value"]
    if pd.isna(now["value"]):
        out["change_note"] = "no value for the period"
        return out
    if hidden or hidden_before:
        out["change_note"] = "not given: a value it would be calculated from is suppressed"
        return out
    test = change_test(evidence, ind, now, before, evidence.period_end)
    out.update(
        change=now["value"] - before["value"],
        change_test=test.test,
        change_low=test.low,
        change_high=test.high,
        change_interval_of=test.interval_of,
        change_significant=test.significant,
        trend=tests.trend_words(test, ind.polarity),
        change_note=test.reason,
    )
    return out


def _variation(plan: Plan, ind: Indicator, spc: SpcFacts) -> dict[str, object]:
    out: dict[str, object] = {
        "variation": "not assessed",
        "variation_month": pd.NaT,
        "variation_value": math.nan,
        "variation_rule": "",
        "variation_side": "",
        "variation_note": spc.reason,
        "spc_mean": math.nan,
        "spc_lower_limit": math.nan,
        "spc_upper_limit": math.nan,
        "spc_months": int(spc.series["value"].notna().sum()),
    }
    if spc.result is None:
        return out
    r = spc.result
    out.update(spc_mean=r.mean, spc_lower_limit=r.lpl, spc_upper_limit=r.upl)
    latest = r.frame.iloc[-1]
    month = pd.Timestamp(latest["x"])
    out["variation_month"] = month
    if pd.isna(latest["value"]):
        out["variation_note"] = "the latest month has no value"
        return out
    if plan.hides(month_position(ind.id, month)) or plan.hides(spc_mean_position(ind.id)):
        out["variation"] = "not reported"
        out["variation_note"] = (
            "the latest month's value, or the chart's average, would reveal a suppressed figure"
        )
        return out
    out.update(
        variation=latest["point_type"],
        variation_value=latest["value"],
        variation_rule=latest["rule"],
        variation_side=latest["side"],
    )
    return out


def _comparison(evidence: Evidence, plan: Plan, ind: Indicator) -> dict[str, object]:
    out: dict[str, object] = {
        "comparator_period": pd.NaT,
        "comparator_period_label": "",
        "value_at_comparator_period": math.nan,
        "ci_low_at_comparator_period": math.nan,
        "ci_high_at_comparator_period": math.nan,
        "suppressed_at_comparator_period": False,
        "comparator_note": "no published comparator",
        "england_value": math.nan,
        "england_period": pd.NaT,
        "vs_england": "",
        "region_name": "",
        "region_value": math.nan,
        "vs_region": "",
        "neighbours_value": math.nan,
        "neighbours_count": 0,
        "vs_neighbours": "",
        "comparison_method": "",
        "rank": math.nan,
        "n_ranked": 0,
        "band": "",
        "quartile": "",
        "comparator_source": "",
    }
    when = comparator_period(evidence, ind)
    if when is None:
        return out
    pub = evidence.benchmarks
    pub = pub.loc[(pub["indicator_id"] == ind.id) & (pub["time_period"] == when)]
    a = evidence.authority
    region = region_of(evidence.benchmarks, a.la_code, a.region)
    eng = pub.loc[pub["area_type"] == "england", "value"]
    reg = pub.loc[pub["area_code"] == region[0], "value"] if region else pd.Series([], dtype=float)
    las = pub.loc[pub["area_type"] == "la"]
    codes = set(evidence.neighbours["area_code"].dropna())
    sns = las.loc[las["area_code"].isin(codes), "value"]
    out.update(
        comparator_period=when,
        comparator_period_label=label(ind, when, "12m").removeprefix("in the "),
        england_period=when,
        england_value=float(eng.iloc[0]) if len(eng) else math.nan,
        region_name=region[1] if region else "",
        region_value=float(reg.iloc[0]) if len(reg) else math.nan,
        neighbours_value=float(sns.mean()) if len(sns) else math.nan,
        neighbours_count=int(sns.notna().sum()),
        comparator_note="",
        comparator_source="; ".join(sorted(set(pub["edition"].dropna().astype(str))))
        if "edition" in pub
        else "",
    )
    own = _own_at(evidence, ind, when)
    if own is None or pd.isna(own["value"]):
        reason = own["note"] if own is not None and own["note"] else "no data for that period"
        out["comparator_note"] = reason
        for key in ("vs_england", "vs_region", "vs_neighbours"):
            out[key] = "not compared"
        return out
    if plan.hides(comparator_position(ind.id, when)):
        out.update(
            suppressed_at_comparator_period=True,
            vs_england="not compared",
            vs_region="not compared",
            vs_neighbours="not compared",
            comparator_note="this authority's value for that period is suppressed",
        )
        return out
    lo, hi = value_interval(evidence, ind, own, "12m", when)
    out.update(
        value_at_comparator_period=own["value"],
        ci_low_at_comparator_period=lo,
        ci_high_at_comparator_period=hi,
    )
    methods = set()
    for key, other in (
        ("vs_england", out["england_value"]),
        ("vs_region", out["region_value"]),
        ("vs_neighbours", out["neighbours_value"]),
    ):
        word, how = compare(own["value"], lo, hi, other, ind.polarity, ind.unit)
        out[key] = word if pd.notna(other) else ""
        if pd.notna(other):
            methods.add(how)
    out["comparison_method"] = "; ".join(sorted(methods))
    if ind.unit != "count" and len(las):
        others = las.loc[las["area_code"] != a.la_code, "value"]
        rank, n, band, quartile = rank_among(others, own["value"], ind.polarity)
        out.update(rank=rank, n_ranked=n, band=band, quartile=quartile)
    return out
