"""Quartile bands, significance, RAG and comparators."""

import pandas as pd

from sefanalysis import compute_indicators
from sefanalysis.benchmarking import benchmark, quartile_band, rag, significance


def test_quartile_band_higher_better():
    others = pd.Series([10, 20, 30, 40, 50, 60, 70])
    # own 75 is the highest of 8 -> rank 1 -> 1/8 <= 25% -> band A
    assert quartile_band(others, 75, "higher_better") == (1, 8, "A")
    # own 5 is the lowest -> rank 8 -> band D
    assert quartile_band(others, 5, "higher_better")[2] == "D"


def test_quartile_band_lower_better_and_ties():
    others = pd.Series([10, 10, 20, 30, 40, 50, 60])
    # lower is better: own 10 ties with two others for the best value -> rank 1 (min) -> A
    assert quartile_band(others, 10, "lower_better") == (1, 8, "A")
    # own 30 ties with one other: values below it 10, 10, 20 -> rank 4 -> 4/8 = 50% -> band B
    assert quartile_band(others, 30, "lower_better") == (4, 8, "B")
    assert quartile_band(others, 30, "neutral")[2] == ""


def test_significance_by_polarity():
    assert significance(18, 22, 20, "lower_better") == "similar to England"
    assert significance(15, 18, 20, "lower_better") == "better than England"
    assert significance(15, 18, 20, "higher_better") == "worse than England"
    assert significance(15, 18, float("nan"), "higher_better") == "not compared"
    # neutral polarity: higher or lower, never "not compared" (issue 15)
    assert significance(15, 18, 20, "neutral") == "lower than England"
    assert significance(18, 22, 20, "neutral") == "similar to England"


def test_rag_always_has_a_word():
    assert rag(86, 85, 3, "higher_better") == "Green: meets the target"
    assert rag(83, 85, 3, "higher_better") == "Amber: within tolerance of the target"
    assert rag(80, 85, 3, "higher_better") == "Red: misses the target"
    assert rag(19, 20, 2, "lower_better") == "Green: meets the target"
    assert rag(float("nan"), 20, 2, "lower_better") == "No target"


def test_benchmark_on_demo_is_like_for_like(demo):
    frame = compute_indicators(demo, ["2024-03-31", "2024-12-31"], ids=["re_referral_pct"])
    b = benchmark(frame, demo).set_index("period_end")
    # December has no published figures: it is not compared with March's
    latest = b.loc[pd.Timestamp("2024-12-31")]
    assert pd.isna(latest["england"]) and latest["significance"] == "not compared"
    row = b.loc[pd.Timestamp("2024-03-31")]
    assert row["benchmark_period"] == pd.Timestamp("2024-03-31")
    assert row["band"] in {"A", "B", "C", "D"} and row["n_ranked"] == 153
    assert row["ci_low"] < row["value"] < row["ci_high"]
    assert row["significance"] in {"similar", "better", "worse"}
    assert pd.notna(row["region"]) and pd.notna(row["sn_mean"])


def test_fte_ratios_have_no_interval_and_are_compared_directly(demo):
    frame = compute_indicators(demo, "2023-09-30", ids=["sw_vacancy_rate_pct", "re_referral_pct"])
    b = benchmark(frame, demo).set_index("indicator_id")
    # FTE are not counts of events: no Wilson interval; compared with England directly
    vacancy = b.loc["sw_vacancy_rate_pct"]
    assert pd.isna(vacancy["ci_low"])
    expected = "better" if vacancy["value"] < vacancy["england"] else "worse"
    assert vacancy["significance"] == expected
    assert pd.notna(b.loc["re_referral_pct", "ci_low"])
