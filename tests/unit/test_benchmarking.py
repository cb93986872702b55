"""Quartile bands, significance, RAG and comparators."""

import pandas as pd
import pytest

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
    assert significance(15, 18, 20, "neutral") == "not compared"


def test_rag_always_has_a_word():
    assert rag(86, 85, 3, "higher_better") == "Green: meets the target"
    assert rag(83, 85, 3, "higher_better") == "Amber: within tolerance of the target"
    assert rag(80, 85, 3, "higher_better") == "Red: misses the target"
    assert rag(19, 20, 2, "lower_better") == "Green: meets the target"
    assert rag(float("nan"), 20, 2, "lower_better") == "No target"


def test_benchmark_on_demo(demo):
    frame = compute_indicators(demo, ["2024-03-31", "2024-12-31"], ids=["re_referral_pct"])
    b = benchmark(frame, demo).set_index("period_end")
    row = b.loc[pd.Timestamp("2024-12-31")]
    assert row["benchmark_period"] == pd.Timestamp("2024-03-31")
    assert "this authority's figure is for the period to 31 December 2024" in row["benchmark_note"]
    assert row["band"] in {"A", "B", "C", "D"} and row["n_ranked"] == 153
    assert row["ci_low"] < row["value"] < row["ci_high"]
    assert row["significance"] in {
        "similar to England",
        "better than England",
        "worse than England",
    }
    assert len(row["sn_values"].split("; ")) == 10
    assert row["england"] == pytest.approx(row["england"])


def test_no_interval_or_significance_for_fte_ratios(demo):
    frame = compute_indicators(demo, "2024-12-31", ids=["sw_vacancy_rate_pct", "re_referral_pct"])
    b = benchmark(frame, demo).set_index("indicator_id")
    # FTE are not counts of events: no Wilson interval, so no significance call
    assert pd.isna(b.loc["sw_vacancy_rate_pct", "ci_low"])
    assert b.loc["sw_vacancy_rate_pct", "significance"] == "not compared"
    assert pd.notna(b.loc["re_referral_pct", "ci_low"])
