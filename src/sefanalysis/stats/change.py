"""Is a change between two periods real? Tests suited to each kind of measure, each decided by
a 95% interval: the change is *significant* when the interval excludes "no change".

- Percentages (a numerator out of a denominator): the difference of two proportions with
  Newcombe's hybrid score interval (Newcombe 1998, method 10), built from the two Wilson
  intervals the report already shows.
- Counts and rates per 10,000 (events in a population): the ratio of two Poisson rates with the
  exact conditional interval: given the events of both periods, the later period's share is
  binomial, and its Clopper-Pearson interval gives the ratio's (as Fingertips does for rates).
  A count is treated as a rate over the same population in both periods.
- Means: Welch's t interval for the difference of two means (unequal variances).
- Medians: the difference of two medians with Price and Bonett's (2002) distribution-free
  interval, from the order-statistic standard error of each median.

Trend wording as Fingertips: "increasing" or "decreasing" (", getting better" or ", getting
worse" by polarity) when significant, "no significant change" otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .intervals import _z, wilson_pct

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Change:
    """The later value minus the earlier one, its 95% interval and the decision."""

    difference: float  # later - earlier, in the measure's unit (percentage points for %)
    low: float  # 95% interval of ``interval_of`` (difference or ratio)
    high: float
    interval_of: str  # "difference" or "ratio"
    significant: bool
    test: str  # the method, in words
    reason: str = ""  # why there is no test, when there is none

    @property
    def tested(self) -> bool:
        return not self.reason

    @property
    def direction(self) -> str:
        """ "increasing", "decreasing" or "" (not significant, or not tested)."""
        if not self.significant:
            return ""
        return "increasing" if self.difference > 0 else "decreasing"


def untested(difference: float, reason: str) -> Change:
    return Change(difference, math.nan, math.nan, "", False, "", reason)


def _finite(*values: float) -> bool:
    return all(v is not None and np.isfinite(v) for v in values)


def proportions(num1: float, den1: float, num2: float, den2: float) -> Change:
    """Period 1 (earlier) to period 2 (later): percentages num/den, Newcombe's interval of the
    difference in percentage points."""
    if not _finite(num1, den1, num2, den2) or den1 <= 0 or den2 <= 0:
        return untested(math.nan, "no denominator in one of the two periods")
    p1, p2 = 100 * num1 / den1, 100 * num2 / den2
    (l1,), (u1,) = wilson_pct(num1, den1, CONFIDENCE)
    (l2,), (u2,) = wilson_pct(num2, den2, CONFIDENCE)
    diff = p2 - p1
    low = diff - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = diff + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return Change(
        diff,
        low,
        high,
        "difference",
        not (low <= 0 <= high),
        "difference of two proportions (Newcombe's score interval)",
    )


def poisson_ratio(
    count1: float, exposure1: float, count2: float, exposure2: float, per: float = 1.0
) -> Change:
    """Rates count/exposure (times ``per``) in two periods: the exact conditional interval of
    the ratio later/earlier. ``difference`` is in the rate's unit."""
    if not _finite(count1, exposure1, count2, exposure2) or exposure1 <= 0 or exposure2 <= 0:
        return untested(math.nan, "no population in one of the two periods")
    diff = per * (count2 / exposure2 - count1 / exposure1)
    total = count1 + count2
    if total <= 0:
        return untested(diff, "no events in either period")
    from scipy.stats import beta

    alpha = 1 - CONFIDENCE
    # the later period's share of all events is binomial(total, q) with
    # q = R e2 / (e1 + R e2) for the rate ratio R; Clopper-Pearson limits of q give R's
    q_lo = beta.ppf(alpha / 2, count2, count1 + 1) if count2 > 0 else 0.0
    q_hi = beta.ppf(1 - alpha / 2, count2 + 1, count1) if count1 > 0 else 1.0
    scale = exposure1 / exposure2
    lo = q_lo / (1 - q_lo) * scale
    hi = q_hi / (1 - q_hi) * scale if q_hi < 1 else math.inf
    return Change(
        diff,
        float(lo),
        float(hi),
        "ratio",
        not (lo <= 1 <= hi),
        "ratio of two Poisson rates (exact conditional interval)",
    )


def means(mean1: float, sd1: float, n1: float, mean2: float, sd2: float, n2: float) -> Change:
    """Welch's interval for the difference of two means."""
    if not _finite(mean1, sd1, n1, mean2, sd2, n2) or n1 < 2 or n2 < 2:
        return untested(
            mean2 - mean1 if _finite(mean1, mean2) else math.nan,
            "fewer than two values in one of the two periods",
        )
    from scipy.stats import t

    v1, v2 = sd1**2 / n1, sd2**2 / n2
    diff = mean2 - mean1
    if v1 + v2 == 0:
        return Change(
            diff,
            diff,
            diff,
            "difference",
            diff != 0,
            "difference of two means (Welch's t interval)",
        )
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    half = t.ppf(1 - (1 - CONFIDENCE) / 2, df) * math.sqrt(v1 + v2)
    return Change(
        diff,
        diff - half,
        diff + half,
        "difference",
        abs(diff) > half,
        "difference of two means (Welch's t interval)",
    )


def median_se(values: object) -> float:
    """Price and Bonett's (2002) standard error of a sample median, from the order statistics
    that bound its distribution-free interval."""
    y = np.sort(np.asarray(values, dtype=float))
    y = y[np.isfinite(y)]
    n = len(y)
    if n < 2:
        return math.nan
    from scipy.stats import binom

    c = max(1, round((n + 1) / 2 - math.sqrt(n)))
    p = binom.cdf(c - 1, n, 0.5)
    z = _z(1 - 2 * p) if p < 0.5 else math.nan
    return float((y[n - c] - y[c - 1]) / (2 * z)) if z and np.isfinite(z) else math.nan


def medians(values1: object, values2: object) -> Change:
    """The difference of two medians (later - earlier) with Price and Bonett's interval."""
    a = np.asarray(values1, dtype=float)
    b = np.asarray(values2, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) < 2 or len(b) < 2:
        return untested(
            float(np.median(b) - np.median(a)) if len(a) and len(b) else math.nan,
            "fewer than two values in one of the two periods",
        )
    return medians_from_se(float(np.median(a)), median_se(a), float(np.median(b)), median_se(b))


def medians_from_se(median1: float, se1: float, median2: float, se2: float) -> Change:
    """:func:`medians` from each median and its Price-Bonett standard error."""
    diff = median2 - median1
    se = math.hypot(se1, se2)
    if not np.isfinite(se):
        return untested(diff, "too few values to estimate the spread of a median")
    half = _z(CONFIDENCE) * se
    return Change(
        diff,
        diff - half,
        diff + half,
        "difference",
        abs(diff) > half,
        "difference of two medians (Price and Bonett's interval)",
    )


def trend_words(change: Change, polarity: str) -> str:
    """Fingertips' trend wording: "increasing, getting better", "decreasing" (neutral),
    "no significant change", or "not tested" when there is no test."""
    if not change.tested:
        return "not tested"
    if not change.significant:
        return "no significant change"
    if polarity not in {"higher_better", "lower_better"}:
        return change.direction
    better = (change.difference > 0) == (polarity == "higher_better")
    return f"{change.direction}, getting {'better' if better else 'worse'}"


def mean_interval(values: object) -> tuple[float, float]:
    """95% t interval of a mean."""
    y = np.asarray(values, dtype=float)
    y = y[np.isfinite(y)]
    if len(y) < 2:
        return math.nan, math.nan
    from scipy.stats import t

    half = t.ppf(1 - (1 - CONFIDENCE) / 2, len(y) - 1) * y.std(ddof=1) / math.sqrt(len(y))
    return float(y.mean() - half), float(y.mean() + half)


def median_interval(values: object) -> tuple[float, float]:
    """Distribution-free 95% interval of a median: the order statistics whose ranks a
    binomial(n, 1/2) bounds (at least 95% coverage)."""
    y = np.sort(np.asarray(values, dtype=float))
    y = y[np.isfinite(y)]
    n = len(y)
    if n < 6:  # below 6 values no pair of order statistics covers 95%
        return math.nan, math.nan
    from scipy.stats import binom

    k = int(binom.ppf((1 - CONFIDENCE) / 2, n, 0.5))  # lower rank (1-based) is k
    k = max(k, 1)
    while k > 1 and 1 - 2 * binom.cdf(k - 1, n, 0.5) < CONFIDENCE:
        k -= 1
    return float(y[k - 1]), float(y[n - k])
