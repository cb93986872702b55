"""Confidence intervals in the OHID/PHE Fingertips conventions.

- Percentages: Wilson score interval (statsmodels ``method="wilson"``; its default "normal"
  Wald interval is wrong for small counts and must never be used).
- Rates: Byar's approximation for 10 or more events, exact Poisson (chi-square) limits below 10
  (as ``PHEindicatormethods::phe_rate``).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

# scipy and statsmodels are imported where used: a rerun that finds its results in the cache
# never needs them, and they take a second to import in every notebook kernel.


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def wilson_pct(
    numerator: object, denominator: object, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits for percentages (0-100); NaN where the denominator is 0 or missing."""
    num = np.atleast_1d(np.asarray(numerator, dtype=float))
    den = np.atleast_1d(np.asarray(denominator, dtype=float))
    from statsmodels.stats.proportion import proportion_confint

    ok = (den > 0) & np.isfinite(num) & np.isfinite(den)
    lo = np.full(num.shape, np.nan)
    hi = np.full(num.shape, np.nan)
    if ok.any():
        low, high = proportion_confint(num[ok], den[ok], alpha=1 - confidence, method="wilson")
        lo[ok], hi[ok] = 100 * np.asarray(low), 100 * np.asarray(high)
    return lo, hi


def poisson_count_limits(count: object, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Limits for an observed count: Byar for 10+, exact (chi-square) below 10."""
    o = np.atleast_1d(np.asarray(count, dtype=float))
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        byar_lo = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        byar_hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
    exact_lo, exact_hi = exact_count_limits(o, confidence)
    small = o < 10
    lo = np.where(small, exact_lo, byar_lo)
    hi = np.where(small, exact_hi, byar_hi)
    bad = ~np.isfinite(o) | (o < 0)
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def rate_limits(
    count: object, population: object, per: float = 10_000, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Limits for a rate per ``per`` people (Byar / exact Poisson on the count)."""
    lo, hi = poisson_count_limits(count, confidence)
    pop = np.atleast_1d(np.asarray(population, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(pop > 0, per / pop, np.nan)
    return lo * scale, hi * scale


def funnel_limits_pct(
    centre_pct: float, denominators: object, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Funnel-plot control limits around a benchmark percentage, by denominator, as Fingertips
    and ``PHEindicatormethods`` draw them: the observed percentages whose Wilson score interval
    just reaches the centre. Solving the Wilson bound for the observed value reduces this to
    p +/- z * sqrt(p(1 - p) / n), clipped to 0-100."""
    n = np.atleast_1d(np.asarray(denominators, dtype=float))
    p = centre_pct / 100
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = np.where(n > 0, z * np.sqrt(p * (1 - p) / n), np.nan)
    return np.clip(100 * (p - half), 0, 100), np.clip(100 * (p + half), 0, 100)


def exact_count_limits(count: object, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson (chi-square) limits for a count, for any count (continuous counts allowed,
    which funnel curves need)."""
    from scipy.stats import chi2

    o = np.atleast_1d(np.asarray(count, dtype=float))
    alpha = 1 - confidence
    lo = np.where(o > 0, chi2.ppf(alpha / 2, 2 * np.maximum(o, 1e-12)) / 2, 0.0)
    return lo, chi2.ppf(1 - alpha / 2, 2 * (o + 1)) / 2


def funnel_points_rate(
    events: object, centre_rate: float, per: float, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Funnel limits for a crude rate traced by number of events, as ``PHEindicatormethods``
    (``phe_funnels(statistic = "rate")``): an area with O events sits on the lower limit when
    its population is U(O) / r and on the upper limit when it is L(O) / r, where L and U are the
    exact Poisson limits of O and r the centre rate per person.

    Returns (population on the lower limit, lower-limit rate, population on the upper limit,
    upper-limit rate), rates per ``per``."""
    o = np.atleast_1d(np.asarray(events, dtype=float))
    r = centre_rate / per
    lo, hi = exact_count_limits(o, confidence)
    pop_lower = hi / r
    with np.errstate(all="ignore"):
        pop_upper = np.where(lo > 0, lo / r, np.nan)
        return pop_lower, per * o / pop_lower, pop_upper, per * o / pop_upper


def funnel_limits_rate(
    centre_rate: float, populations: object, per: float, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """The same rate funnel read off at given populations (for plotting against population):
    the curves of :func:`funnel_points_rate` over a dense grid of event counts, interpolated."""
    n = np.atleast_1d(np.asarray(populations, dtype=float))
    top = max(float(np.nanmax(n)) * centre_rate / per, 1.0)
    events = np.concatenate([[0.0], np.geomspace(1e-3, top * 3 + 50, 4000)])
    pop_lo, rate_lo, pop_hi, rate_hi = funnel_points_rate(events, centre_rate, per, confidence)
    ok = np.isfinite(pop_hi) & (pop_hi > 0)
    lower = np.interp(n, pop_lo, rate_lo, left=0.0)
    upper = np.interp(n, pop_hi[ok], rate_hi[ok], left=np.nan)
    return lower, upper
