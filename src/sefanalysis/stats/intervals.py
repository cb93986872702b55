"""Confidence intervals in the OHID/PHE Fingertips conventions.

- Percentages: Wilson score interval (statsmodels ``method="wilson"``; its default "normal"
  Wald interval is wrong for small counts and must never be used).
- Rates: Byar's approximation for 10 or more events, exact Poisson (chi-square) limits below 10
  (as ``PHEindicatormethods::phe_rate``).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2, norm
from statsmodels.stats.proportion import proportion_confint


def _z(confidence: float) -> float:
    return float(norm.ppf(1 - (1 - confidence) / 2))


def wilson_pct(
    numerator: object, denominator: object, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score limits for percentages (0-100); NaN where the denominator is 0 or missing."""
    num = np.atleast_1d(np.asarray(numerator, dtype=float))
    den = np.atleast_1d(np.asarray(denominator, dtype=float))
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
    alpha = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        byar_lo = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        byar_hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
    exact_lo = np.where(o > 0, chi2.ppf(alpha / 2, 2 * o) / 2, 0.0)
    exact_hi = chi2.ppf(1 - alpha / 2, 2 * (o + 1)) / 2
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
    """Funnel-plot control limits around a benchmark percentage, by denominator (Wilson form,
    as Fingertips): the interval an area of that size would have if its value were the centre."""
    n = np.atleast_1d(np.asarray(denominators, dtype=float))
    p = centre_pct / 100
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return 100 * (centre - half), 100 * (centre + half)
