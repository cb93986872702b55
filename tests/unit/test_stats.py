"""Interval and SPC methods against published values and constructed series."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.rates import confint_poisson

from sefanalysis.stats.intervals import (
    funnel_limits_pct,
    funnel_limits_rate,
    funnel_points_rate,
    poisson_count_limits,
    wilson_pct,
)
from sefanalysis.stats.spc import xmr


@pytest.mark.parametrize(
    ("num", "den", "lo", "hi"),
    [  # Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (Wilson score)
        (81, 263, 25.53, 36.62),
        (15, 148, 6.24, 16.05),
        (0, 20, 0.0, 16.11),
        (1, 29, 0.61, 17.18),
    ],
)
def test_wilson_against_published_values(num, den, lo, hi):
    low, high = wilson_pct(num, den)
    assert low[0] == pytest.approx(lo, abs=0.01) and high[0] == pytest.approx(hi, abs=0.01)


def test_wilson_empty_denominator_is_missing():
    low, high = wilson_pct([3, 0], [0, 0])
    assert np.isnan(low).all() and np.isnan(high).all()


@pytest.mark.parametrize("count", [0, 1, 4, 9])
def test_small_counts_use_exact_poisson(count):
    lo, hi = poisson_count_limits(count)
    ref = confint_poisson(count, 1, method="exact-c")
    assert lo[0] == pytest.approx(ref[0], abs=1e-9) and hi[0] == pytest.approx(ref[1], abs=1e-9)


def test_byar_for_ten_or_more_is_close_to_exact():
    # Byar's approximation (Breslow & Day 1987) for O = 10: hand computation
    # lower = 10 * (1 - 1/90 - 1.959964/(3*sqrt(10)))^3 = 10 * (0.782291)^3 = 4.7874
    # upper = 11 * (1 - 1/99 + 1.959964/(3*sqrt(11)))^3 = 11 * (1.186883)^3 = 18.3915
    lo, hi = poisson_count_limits(10)
    assert lo[0] == pytest.approx(4.7874, abs=1e-3)
    assert hi[0] == pytest.approx(18.3915, abs=1e-3)
    for count in [10, 50, 400]:
        lo, hi = poisson_count_limits(count)
        ref = confint_poisson(count, 1, method="exact-c")
        assert lo[0] == pytest.approx(ref[0], rel=0.01) and hi[0] == pytest.approx(ref[1], rel=0.01)


def test_funnel_limits_narrow_with_size():
    lo95, hi95 = funnel_limits_pct(20, [50, 500, 5000], 0.95)
    lo998, hi998 = funnel_limits_pct(20, [50, 500, 5000], 0.998)
    assert (np.diff(hi95) < 0).all() and (hi998 > hi95).all() and (lo998 < lo95).all()


def test_xmr_limits_by_hand():
    values = [10, 12, 11, 13, 12, 11, 10, 12, 11, 13, 12, 11]
    r = xmr(values, screen_outliers=False)
    # mean = 138 / 12 = 11.5; moving ranges 2,1,2,1,1,1,2,1,2,1,1 -> 15 / 11 = 1.3636
    assert r.mean == pytest.approx(11.5)
    assert r.upl == pytest.approx(11.5 + 2.66 * 15 / 11)
    assert r.lpl == pytest.approx(11.5 - 2.66 * 15 / 11)
    assert not r.trial_limits and not r.frame["special"].any()


def test_point_beyond_limits_by_polarity():
    values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 30]
    up = xmr(values, improvement="increase")
    assert up.frame["point_type"].iloc[-1] == "special cause improvement"
    down = xmr(values, improvement="decrease")
    assert down.frame["point_type"].iloc[-1] == "special cause concern"


def test_run_of_seven_above_the_mean():
    # mean 7.225: the last seven points are above it; nothing else is special
    values = [4, 9, 3, 8, 5, 8.2, 8.4, 8.1, 8.3, 8.2, 8.4, 8.1]
    r = xmr(values, improvement="increase", screen_outliers=False)
    assert r.frame["special"].tolist() == [False] * 5 + [True] * 7
    assert set(r.frame["point_type"].iloc[5:]) == {"special cause improvement"}


def test_six_on_one_side_is_not_a_run():
    values = [4, 9, 3, 8, 5, 6, 8.2, 8.4, 8.1, 8.3, 8.2, 8.4]  # mean 7.05: six above
    r = xmr(values, improvement="increase", screen_outliers=False)
    assert not r.frame["special"].any()


def test_trend_of_seven():
    values = [10, 10.4, 10, 10.4, 10, 10.4, 10.5, 10.6, 10.7, 10.8, 10.9, 11.0]
    r = xmr(values, improvement="decrease", screen_outliers=False)
    # 10.4 (index 5) to 11.0 (index 11): six successive rises, seven points
    assert r.frame["special"].iloc[5:].all()
    assert set(r.frame["point_type"].iloc[5:]) == {"special cause concern"}


def test_two_of_three_near_the_limit():
    base = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11]
    r0 = xmr(base, screen_outliers=False)
    near = r0.mean + 0.8 * (r0.upl - r0.mean)  # beyond 2 sigma, inside the process limit
    r = xmr(base + [near, near], screen_outliers=False)
    assert r.frame["special"].iloc[-2:].all()


def test_trial_limits_under_twelve_points_and_assurance():
    r = xmr([80, 82, 81, 83, 82], improvement="increase", target=70)
    assert r.trial_limits and r.assurance == "consistently meets the target"
    r = xmr([80, 82, 81, 83, 82], improvement="increase", target=95)
    assert r.assurance == "consistently misses the target"
    r = xmr([80, 82, 81, 83, 82], improvement="increase", target=81.5)
    assert r.assurance == "hits and misses the target"


REFERENCE = Path(__file__).parent / "reference"  # provenance in reference/README.md


def test_proportion_funnel_against_phe_indicator_methods():
    ref = pd.read_csv(REFERENCE / "phe_funnel_proportion.csv")
    centre = ref["baseline_pct"].iloc[0]
    for conf, lo_col, hi_col in [(0.95, "lower_95", "upper_95"), (0.998, "lower_998", "upper_998")]:
        lo, hi = funnel_limits_pct(centre, ref["population"], conf)
        np.testing.assert_allclose(lo, ref[lo_col], atol=1e-5)
        np.testing.assert_allclose(hi, ref[hi_col], atol=1e-5)


def test_rate_funnel_against_phe_indicator_methods():
    ref = pd.read_csv(REFERENCE / "phe_funnel_rate.csv")
    centre, years = ref["baseline_per_100000"].iloc[0], ref["years_of_data"].iloc[0]
    for conf, tag in [(0.95, "95"), (0.998, "998")]:
        pop_lo, lo, pop_hi, hi = funnel_points_rate(ref["events"], centre, 100_000, conf)
        np.testing.assert_allclose(pop_lo / years, ref[f"lower_{tag}_population_1_year"], rtol=1e-4)
        np.testing.assert_allclose(lo, ref[f"lower_{tag}_limit"], rtol=1e-4)
        np.testing.assert_allclose(pop_hi / years, ref[f"upper_{tag}_population_1_year"], rtol=1e-4)
        np.testing.assert_allclose(hi, ref[f"upper_{tag}_limit"], rtol=1e-4)
        # read off at a population, the plotted curves pass through the same points
        at_lo = ref[f"lower_{tag}_population_1_year"] * years
        at_hi = ref[f"upper_{tag}_population_1_year"] * years
        np.testing.assert_allclose(funnel_limits_rate(centre, at_lo, 100_000, conf)[0],
                                   ref[f"lower_{tag}_limit"], rtol=1e-3)  # fmt: skip
        np.testing.assert_allclose(funnel_limits_rate(centre, at_hi, 100_000, conf)[1],
                                   ref[f"upper_{tag}_limit"], rtol=1e-3)  # fmt: skip


def test_byar_within_published_accuracy_of_exact_limits():
    # Fingertips technical guidance: at 95%, Byar's method is within 0.2% of the exact value
    # for 10 or more events. Exact limits recovered from PHEindicatormethods' funnel outputs:
    # lower-limit population x centre rate = exact upper limit of O, and vice versa.
    ref = pd.read_csv(REFERENCE / "phe_funnel_rate.csv")
    ref = ref.loc[ref["events"] >= 10]
    r = ref["baseline_per_100000"] / 100_000 * ref["years_of_data"]
    exact_hi = ref["lower_95_population_1_year"] * r
    exact_lo = ref["upper_95_population_1_year"] * r
    byar_lo, byar_hi = poisson_count_limits(ref["events"])
    np.testing.assert_allclose(byar_lo, exact_lo, rtol=0.002)
    np.testing.assert_allclose(byar_hi, exact_hi, rtol=0.002)


def _plotthedots_cases():
    series = pd.read_csv(REFERENCE / "nhsrplotthedots_series.csv")
    expected = pd.read_csv(REFERENCE / "nhsrplotthedots_expected.csv", dtype={"points": str,
                           "special_cause_points": str})  # fmt: skip
    for row in expected.itertuples():
        first, last = (int(x) for x in row.points.split("-"))
        values = series.loc[(series["series"] == row.series)
                            & series["point"].between(first, last)]  # fmt: skip
        yield pytest.param(values, row, id=f"{row.series}-{row.points}-{row.screen_outliers}")


@pytest.mark.parametrize(("values", "row"), list(_plotthedots_cases()))
def test_xmr_against_nhsrplotthedots(values, row):
    r = xmr(values["value"].to_numpy(), improvement="increase",
            screen_outliers=bool(row.screen_outliers))  # fmt: skip
    if pd.notna(row.mean):
        assert r.mean == pytest.approx(row.mean, abs=row.tolerance)
        assert r.lpl == pytest.approx(row.lpl, abs=row.tolerance)
        assert r.upl == pytest.approx(row.upl, abs=row.tolerance)
    special = set(values["point"].to_numpy()[r.frame["special"].to_numpy()])
    wanted = {int(x) for x in str(row.special_cause_points).split(";")} if pd.notna(
        row.special_cause_points) else set()  # fmt: skip
    assert special == wanted
    assert r.trial_limits == (len(values) < 12)
